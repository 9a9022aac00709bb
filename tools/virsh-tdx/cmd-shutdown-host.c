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
    gboolean json = cli->json;    /* --json before or after the command */
    gboolean graceful = FALSE;
    gboolean no_graceful = FALSE;
    gboolean graceful_alias = FALSE;
    gboolean no_graceful_alias = FALSE;
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
        { "shutdown-first", 0, 0, G_OPTION_ARG_NONE, &graceful,
          "ask every guest for an ACPI shutdown first, whatever the policy says", NULL },
        { "no-shutdown-first", 0, 0, G_OPTION_ARG_NONE, &no_graceful,
          "never ask for an ACPI shutdown, whatever the policy says", NULL },
        /* Before 0.2; virsh destroy --graceful means "no SIGKILL", which
         * these never meant: one release with a warning, then gone. */
        { "graceful", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &graceful_alias,
          "deprecated spelling of --shutdown-first", NULL },
        { "no-graceful", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &no_graceful_alias,
          "deprecated spelling of --no-shutdown-first", NULL },
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
    gint64 start_usec = g_get_monotonic_time();
    int exit_code;

    if (!tdxCliParseOptions(cli, "shutdown-host", "",
                            "Stop every running TD of the connection for a host "
                            "shutdown: all in parallel through the destroy path "
                            "(tdx-terminate), longest teardown first, optionally "
                            "after an ACPI shutdown, within one hard deadline. "
                            "Exit code 0 means every TD is gone.",
                            entries, &argc, &argv, &exit_code))
        return exit_code;
    if (graceful_alias) {
        tdxCliDeprecated(cli, "shutdown-host", "--graceful", "--shutdown-first");
        graceful = TRUE;
    }
    if (no_graceful_alias) {
        tdxCliDeprecated(cli, "shutdown-host", "--no-graceful", "--no-shutdown-first");
        no_graceful = TRUE;
    }

    tdxHostOptionsInit(&options, &cli->config);
    if (argc > 1) {
        g_autofree char *arg = tdxEscapeText(argv[1]);

        return tdxCliUsageError(cli, "shutdown-host", "unexpected argument '%s'", arg);
    }
    if (graceful && no_graceful)
        return tdxCliUsageError(cli, "shutdown-host",
                                "--shutdown-first and --no-shutdown-first exclude each other");
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
    options.start_usec = start_usec;
    if (deadline > 0 && !cli->config_error &&
        !tdxHostCheckDeadline(&cli->config, (guint) deadline, "--deadline", &error))
        return tdxCliUsageError(cli, "shutdown-host", "%s", error->message);

    /* A live line for an operator watching (systemd gets STATUS= instead):
     * the run's state, then each guest's phase. */
    progress = tdxCliProgressNew(tdxCliProgressWanted(cli->quiet));
    options.status = tdxCliProgressStatus;
    options.status_opaque = progress;
    options.progress = tdxCliProgressUpdate;
    options.progress_opaque = progress;

    /* Before anything that may block: from here on systemd's stop timeout
     * reaches past our own deadline (TimeoutStopSec= only needs to cover
     * the start of the process), and the deadline counts from the start
     * of the command, connecting and inspecting included. */
    tdxHostStatus(&options, start_usec +
                  (gint64) tdxHostOptionsDeadlineSeconds(&options) * G_USEC_PER_SEC,
                  "connecting to libvirt");
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
            tdxCliPrintJsonNode(cli, "shutdown-host", root, tdxHostPlanDryRunExitCode(plan));
        } else {
            g_autofree char *text = tdxHostPlanToText(plan);

            fputs(text, stdout);
        }
        /* Non-zero when the run would not go as planned (a guest that
         * cannot be inspected, an unusable policy). */
        return tdxHostPlanDryRunExitCode(plan);
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
