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

static const tdxCliCommand commands[] = {
    { "list", "list TDs (and other guests with --all) with teardown estimates", tdxCmdList },
    { "probe", "ask a running domain's QEMU what it is and offers", tdxCmdProbe },
    { "destroy", "tear down domains with terminate semantics, in parallel", tdxCmdDestroy },
    { "shutdown-host", "stop every running TD for a host shutdown, within a deadline", tdxCmdShutdownHost },
};


static char *
tdxCliDescription(void)
{
    GString *text = g_string_new("Commands:\n");
    guint i;

    for (i = 0; i < G_N_ELEMENTS(commands); i++)
        g_string_append_printf(text, "  %-15s %s\n", commands[i].name, commands[i].summary);
    g_string_append(text,
                    "\n'virsh-tdx COMMAND --help' describes a command.\n"
                    "Exit codes: 0 ok, 1 failed, 2 usage, 3 config, 4 connection,\n"
                    "5 no such domain, 6 timeout, 7 refused (see virsh-tdx(1)).");
    return g_string_free(text, FALSE);
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
    g_autofree char *description = tdxCliDescription();
    g_autoptr(GOptionContext) context = NULL;
    g_autoptr(GError) error = NULL;
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &cli.uri,
          "hypervisor connection URI", "URI" },
        { "config", 0, 0, G_OPTION_ARG_FILENAME, &cli.config_path,
          "configuration file (default " TDX_CONFIG_DEFAULT_PATH ")", "FILE" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &cli.verbose,
          "report each fallback on stderr as it is taken", NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &version,
          "print the version and exit", NULL },
        { NULL },
    };
    int ret;
    guint i;

    setlocale(LC_ALL, "");
    /* A daemon that dies mid-call must surface as a libvirt error on the
     * connection, not kill us with a write to its closed socket. */
    signal(SIGPIPE, SIG_IGN);
    context = g_option_context_new("COMMAND [ARG...]");
    g_option_context_set_summary(context,
                                 "Tear down Intel TDX guests fast, through libvirt.");
    g_option_context_set_description(context, description);
    g_option_context_add_main_entries(context, entries, NULL);
    /* Options after the command belong to the command. */
    g_option_context_set_strict_posix(context, TRUE);
    if (!g_option_context_parse(context, &argc, &argv, &error)) {
        g_printerr("virsh-tdx: %s\nTry 'virsh-tdx --help'.\n", error->message);
        return TDX_EXIT_USAGE;
    }
    if (version) {
        g_print("virsh-tdx %s\n", PACKAGE_VERSION);
        return TDX_EXIT_OK;
    }
    if (argc < 2) {
        g_printerr("virsh-tdx: no command given\nTry 'virsh-tdx --help'.\n");
        return TDX_EXIT_USAGE;
    }

    g_log_set_writer_func(tdxCliLogWriter, &cli, NULL);

    /* A broken file is reported by the first command that needs the
     * configuration, so that 'COMMAND --help' still works. */
    tdxConfigInit(&cli.config);
    tdxConfigLoad(&cli.config,
                  cli.config_path ? cli.config_path : TDX_CONFIG_DEFAULT_PATH,
                  cli.config_path == NULL, &cli.config_error);

    for (i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (g_str_equal(argv[1], commands[i].name))
            break;
    }
    if (i == G_N_ELEMENTS(commands)) {
        g_printerr("virsh-tdx: unknown command '%s'\nTry 'virsh-tdx --help'.\n", argv[1]);
        ret = TDX_EXIT_USAGE;
        goto cleanup;
    }
    ret = commands[i].run(&cli, argc - 1, argv + 1);

 cleanup:
    if (cli.conn)
        virConnectClose(cli.conn);
    tdxConfigClear(&cli.config);
    g_clear_error(&cli.config_error);
    g_free(cli.uri);
    g_free(cli.config_path);
    return ret;
}
