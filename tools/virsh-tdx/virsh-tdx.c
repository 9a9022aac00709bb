/*
 * virsh-tdx.c: the operator CLI, virsh-like
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include "cli.h"
#include "tdx-error.h"
#include "tdx-escape.h"

static const tdxCliCommand commands[] = {
    { "list", "list TDs (every guest with --include-non-td) with teardown estimates", tdxCmdList },
    { "probe", "ask a running domain's QEMU what it is and offers", tdxCmdProbe },
    { "destroy", "tear down domains with terminate semantics, in parallel", tdxCmdDestroy },
    { "shutdown-host", "stop every running TD for a host shutdown, within a deadline", tdxCmdShutdownHost },
    { "help", "list the commands, or describe one: help COMMAND", tdxCmdHelp },
};


static char *
tdxCliDescription(void)
{
    GString *text = g_string_new("Commands:\n");
    guint i;

    for (i = 0; i < G_N_ELEMENTS(commands); i++)
        g_string_append_printf(text, "  %-15s %s\n", commands[i].name, commands[i].summary);
    g_string_append(text,
                    "\n'virsh-tdx help COMMAND' or 'virsh-tdx COMMAND --help' describes a command.\n"
                    "Exit codes: 0 ok, 1 failed, 2 usage, 3 config, 4 connection,\n"
                    "5 no such domain, 6 timeout, 7 refused (see virsh-tdx(1)).");
    return g_string_free(text, FALSE);
}


static const tdxCliCommand *
tdxCliFindCommand(const char *name)
{
    guint i;

    for (i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (g_str_equal(name, commands[i].name))
            return &commands[i];
    }
    return NULL;
}


int
tdxCmdHelp(tdxCli *cli, int argc, char **argv)
{
    const tdxCliCommand *command;
    g_autofree char *safe = NULL;
    char *help_argv[] = { NULL, (char *) "--help", NULL, NULL };
    gboolean json = cli->json;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print JSON", NULL },
        { NULL },
    };
    int exit_code;

    if (!tdxCliParseOptions(cli, "help", "[COMMAND]",
                            "List the commands, or describe COMMAND (as COMMAND --help).",
                            entries, &argc, &argv, &exit_code))
        return exit_code;
    if (argc > 2)
        return tdxCliUsageError(cli, "help", "expected at most one command name");
    if (argc < 2) {
        g_autofree char *description = tdxCliDescription();

        if (cli->json) {
            g_autoptr(JsonBuilder) builder = json_builder_new();

            json_builder_begin_object(builder);
            json_builder_set_member_name(builder, "help");
            json_builder_add_string_value(builder, description);
            json_builder_end_object(builder);
            tdxCliPrintJson(cli, "help", builder, TDX_EXIT_OK);
        } else {
            g_print("Usage: virsh-tdx [OPTION...] COMMAND [ARG...]\n\n%s\n", description);
        }
        return TDX_EXIT_OK;
    }
    if (!(command = tdxCliFindCommand(argv[1])) || command->run == tdxCmdHelp) {
        safe = tdxEscapeText(argv[1]);
        return tdxCliUsageError(cli, "help", "unknown command '%s'", safe);
    }
    help_argv[0] = argv[1];
    if (json)
        help_argv[2] = (char *) "--json";
    return command->run(cli, json ? 3 : 2, help_argv);
}


/* Whether the command line asks for JSON, known before it is parsed so
 * that even a usage error is reported as a document. */
static gboolean
tdxCliWantsJson(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (g_str_equal(argv[i], "--"))
            break;
        if (g_str_equal(argv[i], "--json"))
            return TRUE;
    }
    return FALSE;
}


static GLogWriterOutput
tdxCliLogWriter(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                gpointer opaque)
{
    const tdxCli *cli = opaque;
    const char *message = NULL;
    gsize i;

    /* Fallback notes are in every result; on stderr only when asked. */
    if (!(level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) &&
        !cli->verbose)
        return G_LOG_WRITER_HANDLED;

    if (g_log_writer_is_journald(fileno(stderr)))
        return g_log_writer_journald(level, fields, n_fields, opaque);

    for (i = 0; i < n_fields; i++) {
        if (g_str_equal(fields[i].key, "MESSAGE"))
            message = fields[i].value;
    }
    g_printerr("virsh-tdx: %s\n", message ? message : "");
    return G_LOG_WRITER_HANDLED;
}


int
main(int argc, char **argv)
{
    tdxCli cli = { 0 };
    const tdxCliCommand *command;
    const char *config_env;
    g_autofree char *description = tdxCliDescription();
    g_autoptr(GOptionContext) context = NULL;
    g_autoptr(GError) error = NULL;
    gboolean version = FALSE;
    gboolean short_version = FALSE;
    gboolean help = FALSE;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &cli.uri,
          "hypervisor connection URI", "URI" },
        { "config", 0, 0, G_OPTION_ARG_FILENAME, &cli.config_path,
          "configuration file (default " TDX_CONFIG_DEFAULT_PATH ")", "FILE" },
        { "verbose", 0, 0, G_OPTION_ARG_NONE, &cli.verbose,
          "report each fallback on stderr as it is taken", NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli.quiet,
          "no table headers, no progress line", NULL },
        /* As in virsh: -v the bare version, -V and --version with the name. */
        { "version-number", 'v', 0, G_OPTION_ARG_NONE, &short_version,
          "print the version number and exit", NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &version,
          "print the version and exit", NULL },
        { "help", 'h', 0, G_OPTION_ARG_NONE, &help,
          "show the options and the commands", NULL },
        /* Known before parsing (tdxCliWantsJson), accepted here as well so
         * that 'virsh-tdx --json COMMAND' means what it says. */
        { "json", 0, 0, G_OPTION_ARG_NONE, &cli.json,
          "print JSON (as each command's --json)", NULL },
        { NULL },
    };
    int ret;

    setlocale(LC_ALL, "");
    /* A daemon that dies mid-call must surface as a libvirt error on the
     * connection, not kill us with a write to its closed socket. */
    signal(SIGPIPE, SIG_IGN);
    cli.json = tdxCliWantsJson(argc, argv);
    context = g_option_context_new("COMMAND [ARG...]");
    g_option_context_set_summary(context,
                                 "Tear down Intel TDX guests fast, through libvirt.");
    g_option_context_set_description(context, description);
    g_option_context_add_main_entries(context, entries, NULL);
    /* GOption's own --help prints and exits; ours can answer in JSON. */
    g_option_context_set_help_enabled(context, FALSE);
    /* Options after the command belong to the command. */
    g_option_context_set_strict_posix(context, TRUE);
    if (!g_option_context_parse(context, &argc, &argv, &error))
        return tdxCliUsageError(&cli, NULL, "%s", error->message);
    if (help) {
        g_autofree char *text = g_option_context_get_help(context, TRUE, NULL);

        if (cli.json) {
            g_autoptr(JsonBuilder) builder = json_builder_new();

            json_builder_begin_object(builder);
            json_builder_set_member_name(builder, "help");
            json_builder_add_string_value(builder, text);
            json_builder_end_object(builder);
            tdxCliPrintJson(&cli, NULL, builder, TDX_EXIT_OK);
        } else {
            fputs(text, stdout);
        }
        return TDX_EXIT_OK;
    }
    if (short_version) {
        g_print("%s\n", PACKAGE_VERSION);
        return TDX_EXIT_OK;
    }
    if (version) {
        g_print("virsh-tdx %s\n", PACKAGE_VERSION);
        return TDX_EXIT_OK;
    }
    if (argc < 2)
        return tdxCliUsageError(&cli, NULL, "no command given");

    g_log_set_writer_func(tdxCliLogWriter, &cli, NULL);

    /* A broken file is reported by the first command that needs the
     * configuration, so that 'COMMAND --help' still works. */
    /* VIRSH_TDX_CONFIG names a file as --config does (it must exist);
     * --config wins. */
    config_env = g_getenv(TDX_CLI_CONFIG_ENV);
    if (!cli.config_path && config_env && *config_env)
        cli.config_path = g_strdup(config_env);
    tdxConfigInit(&cli.config);
    tdxConfigLoad(&cli.config, tdxCliConfigPath(&cli), cli.config_path == NULL,
                  &cli.config_error);

    if (!(command = tdxCliFindCommand(argv[1]))) {
        g_autofree char *safe = tdxEscapeText(argv[1]);

        ret = tdxCliUsageError(&cli, NULL, "unknown command '%s'", safe);
        goto cleanup;
    }
    ret = command->run(&cli, argc - 1, argv + 1);

 cleanup:
    if (cli.conn)
        virConnectClose(cli.conn);
    tdxConfigClear(&cli.config);
    g_clear_error(&cli.config_error);
    g_free(cli.uri);
    g_free(cli.config_path);
    return ret;
}
