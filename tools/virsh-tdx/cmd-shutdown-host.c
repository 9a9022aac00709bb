/*
 * cmd-shutdown-host.c: virsh-tdx shutdown-host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The ExecStop= of libvirt-tdx-shutdown.service; see docs/shutdown-host.rst.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tdx-error.h"
#include "tdx-escape.h"
#include "tdx-host-notify.h"
#include "tdx-host-plan.h"
#include "tdx-host-run.h"
#include "tdx-policy.h"
#include "tdx-result.h"


/* The last resort behind TDX_HOST_DEADLINE_BOUND_SECONDS. Everything the
 * run does is bounded by itself (abandoned workers, monitor timeouts)
 * except a call on the run's own thread into a libvirt daemon that stopped
 * answering, which only its keepalive ends (~8 s). At deadline + bound the
 * process ends, whatever it is doing, unless it is writing its report. */
typedef enum {
    TDX_WATCHDOG_ARMED,
    TDX_WATCHDOG_REPORTING,     /* the run is done: the report goes out */
    TDX_WATCHDOG_FIRED,
} tdxWatchdogState;

typedef struct {
    tdxCli *cli;
    gint64 end_usec;
    gboolean json;
    gint state;                 /* tdxWatchdogState */
} tdxWatchdog;


/* One run per process. */
static tdxWatchdog tdxCmdShutdownHostWatchdogState;


/* At host shutdown nothing typed wrong may keep a guest alive: a mistake
 * on the command line (the unit's ExecStop=, a drop-in) or in the
 * configuration file is reported loudly and the run goes on without it.
 * Only --dry-run, which stops nothing, refuses as every other command
 * does. The run then exits with at least TDX_EXIT_USAGE or
 * TDX_EXIT_CONFIG, so that the unit shows failed and the journal says why. */
typedef struct {
    gboolean usage;     /* a command line mistake was ignored */
    gboolean config;    /* the configuration file was not used as written */
} tdxShutdownIgnored;


/* Whether the command line has @option (or its short form @letter, may be
 * 0) before "--": for a command line GOption refused as a whole, which
 * then sets nothing. */
static gboolean
tdxCmdShutdownHostHasOption(int argc, char **argv, const char *option, char letter)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (g_str_equal(argv[i], "--"))
            break;
        if (g_str_equal(argv[i], option))
            return TRUE;
        if (letter && argv[i][0] == '-' && argv[i][1] != '-' && strchr(argv[i] + 1, letter))
            return TRUE;
    }
    return FALSE;
}


/* FALSE (after printing the usage error) when the run must stop: only
 * with --dry-run. */
static gboolean G_GNUC_PRINTF(4, 5)
tdxCmdShutdownHostBadUsage(tdxCli *cli, gboolean dry_run,
                           tdxShutdownIgnored *ignored, const char *format, ...)
{
    g_autofree char *message = NULL;
    va_list args;

    va_start(args, format);
    message = g_strdup_vprintf(format, args);
    va_end(args);
    if (dry_run) {
        tdxCliUsageError(cli, "shutdown-host", "%s", message);
        return FALSE;
    }
    g_warning("shutdown-host: %s: ignored, the teardown goes on without it", message);
    ignored->usage = TRUE;
    return TRUE;
}


/* A configuration file that does not load: the file's values with
 * monitor-timeout-ms lowered when only the deadline rule failed, else the
 * built-in defaults. */
static void
tdxCmdShutdownHostConfigFallback(tdxCli *cli, tdxShutdownIgnored *ignored)
{
    const char *path = tdxCliConfigPath(cli);
    g_autoptr(GError) error = NULL;
    g_autofree char *fitted = NULL;
    tdxConfig config;

    tdxConfigInit(&config);
    if (tdxConfigLoadFitted(&config, path, cli->config_path == NULL, &fitted, &error)) {
        g_warning("shutdown-host: %s", fitted ? fitted : cli->config_error->message);
    } else {
        g_warning("shutdown-host: %s; tearing down with the built-in defaults instead",
                  cli->config_error->message);
    }
    tdxConfigClear(&cli->config);
    cli->config = config;
    g_clear_error(&cli->config_error);
    ignored->config = TRUE;
}


static gpointer
tdxCmdShutdownHostWatchdog(gpointer opaque)
{
    tdxWatchdog *watchdog = opaque;
    const char *message = "the deadline passed and libvirt does not answer; giving up";

    while (g_get_monotonic_time() < watchdog->end_usec) {
        if (g_atomic_int_get(&watchdog->state) != TDX_WATCHDOG_ARMED)
            return NULL;
        g_usleep(100 * 1000);
    }
    if (!g_atomic_int_compare_and_exchange(&watchdog->state, TDX_WATCHDOG_ARMED,
                                           TDX_WATCHDOG_FIRED))
        return NULL;
    tdxHostNotify(message, 0);
    if (watchdog->json) {
        g_autoptr(GError) error = g_error_new_literal(TDX_ERROR, TDX_ERROR_TIMEOUT, message);

        tdxCliPrintJsonError(watchdog->cli, "shutdown-host", error);
    }
    g_printerr("\nvirsh-tdx: error: %s\n", message);
    _exit(TDX_EXIT_TIMEOUT);
}


/* The run is over: the report is written, the watchdog stands down. FALSE
 * when it fired first (it is ending the process). */
static gboolean
tdxCmdShutdownHostReport(tdxWatchdog *watchdog)
{
    return g_atomic_int_compare_and_exchange(&watchdog->state, TDX_WATCHDOG_ARMED,
                                             TDX_WATCHDOG_REPORTING);
}


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
    /* TDX_CLI_UNSET: not given; every value typed is checked, -1 too. */
    int jobs = TDX_CLI_UNSET;
    int deadline = TDX_CLI_UNSET;
    int grace = TDX_CLI_UNSET;
    g_autofree char *non_td = NULL;
    GOptionEntry entries[] = {
        { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
          "print the plan (order, estimates) and stop nothing", NULL },
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
          "tear down up to N guests at once (default: [shutdown-host] jobs, "
          "0 = one per CPU)", "N" },
        { "deadline", 'd', 0, G_OPTION_ARG_INT, &deadline,
          "end the run S seconds after its start whatever is left, at most 5 s "
          "later whatever QEMU does; at least 4 x [destroy] monitor-timeout-ms "
          "(default: [shutdown-host] deadline)", "S" },
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
    g_autoptr(GError) usage_error = NULL;
    tdxShutdownIgnored ignored = { FALSE, FALSE };
    gboolean dry_run_asked;
    gboolean json_asked;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(tdxCliProgress) progress = NULL;
    tdxHostOptions options;
    gint64 start_usec = g_get_monotonic_time();
    tdxWatchdog *watchdog;
    int exit_code;

    dry_run_asked = tdxCmdShutdownHostHasOption(argc, argv, "--dry-run", 'n');
    json_asked = tdxCmdShutdownHostHasOption(argc, argv, "--json", 0);
    if (!tdxCliParseOptionsFull(cli, "shutdown-host", "",
                            "Stop every running TD of the connection for a host "
                            "shutdown: all in parallel through the destroy path "
                            "(tdx-terminate), longest teardown first, optionally "
                            "after an ACPI shutdown, within one hard deadline. "
                            "Exit code 0 means every TD is gone.",
                            entries, &argc, &argv, &exit_code, &usage_error)) {
        if (!usage_error)
            return exit_code;   /* --help */
        if (json_asked)
            cli->json = TRUE;   /* the refusal below is a JSON document too */
        if (!tdxCmdShutdownHostBadUsage(cli, dry_run_asked, &ignored,
                                        "%s; the whole command line", usage_error->message))
            return TDX_EXIT_USAGE;
        /* GOption sets nothing when it refuses a command line. */
        json = json || json_asked;
        dry_run = graceful = no_graceful = graceful_alias = no_graceful_alias = FALSE;
        jobs = deadline = grace = TDX_CLI_UNSET;
        g_clear_pointer(&non_td, g_free);
        argc = 1;
    }
    if (graceful_alias) {
        tdxCliDeprecated(cli, "shutdown-host", "--graceful", "--shutdown-first");
        graceful = TRUE;
    }
    if (no_graceful_alias) {
        tdxCliDeprecated(cli, "shutdown-host", "--no-graceful", "--no-shutdown-first");
        no_graceful = TRUE;
    }

    if (cli->config_error && !dry_run)
        tdxCmdShutdownHostConfigFallback(cli, &ignored);
    /* 0 is no "use the default": a deadline of 0 s would leave every
     * guest running; the real run uses the configured deadline instead. */
    if (deadline != TDX_CLI_UNSET &&
        (deadline < 1 || deadline > TDX_CONFIG_DEADLINE_MAX_SECONDS)) {
        if (!tdxCmdShutdownHostBadUsage(cli, dry_run, &ignored,
                                        "--deadline %d: must be a number of seconds "
                                        "from 1 to %d", deadline,
                                        TDX_CONFIG_DEADLINE_MAX_SECONDS))
            return TDX_EXIT_USAGE;
        deadline = TDX_CLI_UNSET;
    }
    if (deadline != TDX_CLI_UNSET && !cli->config_error &&
        !tdxHostCheckDeadline(&cli->config, (guint) deadline, "--deadline", &error)) {
        guint lowered = tdxConfigMonitorTimeoutFitting((guint) deadline);

        /* Only a real run lowers it; --dry-run says what to change. */
        if (dry_run) {
            tdxCliUsageError(cli, "shutdown-host", "%s", error->message);
            return TDX_EXIT_USAGE;
        }
        tdxCmdShutdownHostBadUsage(cli, dry_run, &ignored, "%s; monitor-timeout-ms "
                                   "lowered to %u for this run", error->message,
                                   lowered);
        g_clear_error(&error);
        cli->config.monitor_timeout_ms = lowered;
    }
    tdxHostOptionsInit(&options, &cli->config);
    if (argc > 1) {
        g_autofree char *arg = tdxEscapeText(argv[1]);

        if (!tdxCmdShutdownHostBadUsage(cli, dry_run, &ignored,
                                        "unexpected argument '%s'", arg))
            return TDX_EXIT_USAGE;
    }
    if (graceful && no_graceful) {
        if (!tdxCmdShutdownHostBadUsage(cli, dry_run, &ignored, "--shutdown-first and "
                                        "--no-shutdown-first exclude each other"))
            return TDX_EXIT_USAGE;
        graceful = no_graceful = FALSE;
    }
    if (jobs != TDX_CLI_UNSET && !tdxCliCheckJobs(jobs, &error)) {
        if (!tdxCmdShutdownHostBadUsage(cli, dry_run, &ignored, "%s", error->message))
            return TDX_EXIT_USAGE;
        g_clear_error(&error);
        jobs = TDX_CLI_UNSET;
    }
    if (grace != TDX_CLI_UNSET && (grace < 0 || grace > TDX_POLICY_GRACE_MAX_SECONDS)) {
        if (!tdxCmdShutdownHostBadUsage(cli, dry_run, &ignored,
                                        "--grace-period %d: must be a number of "
                                        "seconds from 0 to %d", grace,
                                        TDX_POLICY_GRACE_MAX_SECONDS))
            return TDX_EXIT_USAGE;
        grace = TDX_CLI_UNSET;
    }
    if (non_td && !tdxCmdShutdownHostParseNonTd(non_td, &options.non_td)) {
        g_autofree char *arg = tdxEscapeText(non_td);

        if (!tdxCmdShutdownHostBadUsage(cli, dry_run, &ignored, "--non-td must be "
                                        "leave, shutdown or destroy, not '%s'", arg))
            return TDX_EXIT_USAGE;
    }
    if (graceful)
        options.graceful = TDX_GRACEFUL_ALWAYS;
    if (no_graceful)
        options.graceful = TDX_GRACEFUL_NEVER;
    options.jobs = jobs == TDX_CLI_UNSET ? 0 : (guint) jobs;
    options.deadline_seconds = deadline == TDX_CLI_UNSET ? 0 : (guint) deadline;
    options.grace_seconds = grace == TDX_CLI_UNSET ? -1 : grace;
    options.start_usec = start_usec;

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
    /* Static, not freed: the thread may outlive this function, and a heap
     * block it still points to at exit is a leak to LeakSanitizer. */
    watchdog = &tdxCmdShutdownHostWatchdogState;
    watchdog->cli = cli;
    watchdog->json = json;
    watchdog->end_usec = start_usec +
        ((gint64) tdxHostOptionsDeadlineSeconds(&options) + TDX_HOST_DEADLINE_BOUND_SECONDS) *
        G_USEC_PER_SEC;
    g_thread_unref(g_thread_new("watchdog", tdxCmdShutdownHostWatchdog, watchdog));
    if (!tdxCliConnect(cli, &error) ||
        !(plan = tdxHostPlanNew(cli->conn, &options, &error))) {
        if (!tdxCmdShutdownHostReport(watchdog))
            g_usleep(G_MAXULONG);   /* the watchdog is ending the process */
        /* The status line goes before the message is printed. */
        g_clear_pointer(&progress, tdxCliProgressFree);
        return tdxCliReportError(cli, "shutdown-host", error);
    }

    if (dry_run) {
        if (!tdxCmdShutdownHostReport(watchdog))
            g_usleep(G_MAXULONG);
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

    if (ignored.usage)
        options.ignored_exit_code = TDX_EXIT_USAGE;
    else if (ignored.config)
        options.ignored_exit_code = TDX_EXIT_CONFIG;
    exit_code = tdxHostRun(cli->conn, plan, &options);
    if (!tdxCmdShutdownHostReport(watchdog))
        g_usleep(G_MAXULONG);
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
