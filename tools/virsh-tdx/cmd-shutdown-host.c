/*
 * cmd-shutdown-host.c: virsh-tdx shutdown-host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The ExecStop= of libvirt-tdx-shutdown.service; see docs/shutdown-host.rst.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "tdx-error.h"
#include "tdx-escape.h"
#include "tdx-host-notify.h"
#include "tdx-host-plan.h"
#include "tdx-host-run.h"
#include "tdx-result.h"


static gboolean
tdxCmdShutdownHostParseNonTd(const char *value, gint *non_td)
{
    static const tdxHostNonTdAction actions[] = {
        TDX_HOST_NON_TD_LEAVE, TDX_HOST_NON_TD_SHUTDOWN, TDX_HOST_NON_TD_DESTROY,
    };
    guint i;

    for (i = 0; i < G_N_ELEMENTS(actions); i++) {
        if (g_str_equal(value, tdxHostNonTdActionToString(actions[i]))) {
            *non_td = actions[i];
            return TRUE;
        }
    }
    return FALSE;
}


int
tdxCmdShutdownHost(tdxCli *cli, int argc, char **argv)
{
    gboolean dry_run = FALSE;
    gboolean json = FALSE;
    gboolean graceful = FALSE;
    gboolean no_graceful = FALSE;
    int jobs = 0;
    int deadline = 0;
    int grace = -1;
    g_autofree char *non_td = NULL;
    GOptionEntry entries[] = {
        { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
          "print the plan (order, estimates) and stop nothing", NULL },
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
          "tear down up to N guests at once (default: [shutdown-host] jobs, "
          "0 = one per CPU)", "N" },
        { "deadline", 'd', 0, G_OPTION_ARG_INT, &deadline,
          "end the run after S seconds whatever is left (default: "
          "[shutdown-host] deadline)", "S" },
        { "graceful", 0, 0, G_OPTION_ARG_NONE, &graceful,
          "ask every guest for an ACPI shutdown first, whatever the policy says", NULL },
        { "no-graceful", 0, 0, G_OPTION_ARG_NONE, &no_graceful,
          "never ask for an ACPI shutdown, whatever the policy says", NULL },
        { "grace-period", 0, 0, G_OPTION_ARG_INT, &grace,
          "seconds each guest gets to shut down (default: per domain, then "
          "[shutdown-host] grace-period)", "S" },
        { "non-td", 0, 0, G_OPTION_ARG_STRING, &non_td,
          "guests that are not TDs: leave, shutdown or destroy (default: "
          "[shutdown-host] non-td)", "ACTION" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json,
          "print the plan or the results as JSON", NULL },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(tdxCliProgress) progress = NULL;
    tdxHostOptions options;
    int exit_code;

    if (!tdxCliParseOptions(cli, "shutdown-host", "",
                            "Stop every running TD of the connection for a host "
                            "shutdown: all in parallel through the destroy path "
                            "(tdx-terminate), longest teardown first, optionally "
                            "after an ACPI shutdown, within one hard deadline. "
                            "Exit code 0 means every TD is gone.",
                            entries, &argc, &argv, &exit_code))
        return exit_code;

    tdxHostOptionsInit(&options, &cli->config);
    if (argc > 1) {
        g_autofree char *arg = tdxEscapeText(argv[1]);

        return tdxCliUsageError(cli, "shutdown-host", "unexpected argument '%s'", arg);
    }
    if (graceful && no_graceful)
        return tdxCliUsageError(cli, "shutdown-host",
                                "--graceful and --no-graceful exclude each other");
    if (jobs < 0 || deadline < 0 || grace < -1 || grace > 3600)
        return tdxCliUsageError(cli, "shutdown-host",
                                "--jobs and --deadline must be 0 or more, "
                                "--grace-period 0..3600");
    if (non_td && !tdxCmdShutdownHostParseNonTd(non_td, &options.non_td)) {
        g_autofree char *arg = tdxEscapeText(non_td);

        return tdxCliUsageError(cli, "shutdown-host",
                                "--non-td must be leave, shutdown or destroy, not '%s'", arg);
    }
    if (graceful)
        options.graceful = TDX_GRACEFUL_ALWAYS;
    if (no_graceful)
        options.graceful = TDX_GRACEFUL_NEVER;
    options.jobs = (guint) jobs;
    options.deadline_seconds = (guint) deadline;
    options.grace_seconds = grace;
    /* A live line for an operator watching (systemd gets STATUS= instead):
     * the run's state, then each guest's phase. */
    progress = tdxCliProgressNew(tdxCliProgressWanted(cli->quiet));
    options.status = tdxCliProgressStatus;
    options.status_opaque = progress;
    options.progress = tdxCliProgressUpdate;
    options.progress_opaque = progress;

    /* TimeoutStopSec= covers this part; the run extends it from then on. */
    tdxHostNotify("connecting to libvirt and inspecting the running guests", 0);
    tdxCliProgressStatus("probe: connecting to libvirt and inspecting the running guests",
                         progress);
    if (!tdxCliConnect(cli, &error) ||
        !(plan = tdxHostPlanNew(cli->conn, &options, &error))) {
        /* The status line goes before the message is printed. */
        g_clear_pointer(&progress, tdxCliProgressFree);
        return tdxCliReportError(cli, "shutdown-host", error);
    }

    if (dry_run) {
        g_clear_pointer(&progress, tdxCliProgressFree);
        if (json) {
            g_autoptr(JsonBuilder) builder = json_builder_new();
            g_autoptr(JsonNode) root = NULL;

            tdxHostPlanToJson(plan, builder);
            root = json_builder_get_root(builder);
            json_object_set_boolean_member(json_node_get_object(root), "dry_run", TRUE);
            tdxCliPrintJsonNode(cli, "shutdown-host", root, TDX_EXIT_OK);
        } else {
            g_autofree char *text = tdxHostPlanToText(plan);

            fputs(text, stdout);
        }
        return TDX_EXIT_OK;
    }

    exit_code = tdxHostRun(cli->conn, plan, &options);
    g_clear_pointer(&progress, tdxCliProgressFree);

    if (json) {
        g_autoptr(JsonBuilder) builder = json_builder_new();

        g_autoptr(JsonNode) root = NULL;
        JsonObject *object;

        tdxHostResultToJson(plan, builder);
        root = json_builder_get_root(builder);
        object = json_node_get_object(root);
        json_object_set_boolean_member(object, "dry_run", FALSE);
        /* What ended the run early (the connection lost...). */
        json_object_set_member(object, "error", tdxCliJsonError(plan->error));
        tdxCliPrintJsonNode(cli, "shutdown-host", root, exit_code);
    } else {
        g_autofree char *text = tdxHostResultToText(plan);

        fputs(text, stdout);
        fflush(stdout);
    }
    if (plan->error) {
        g_autofree char *message = tdxEscapeText(plan->error->message);

        g_printerr("virsh-tdx: error: %s\n", message);
    }
    return exit_code;
}
