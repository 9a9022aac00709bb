/*
 * cli.h: what every virsh-tdx command shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libvirt/libvirt.h>

#include "tdx-config.h"

/* The environment variable naming the configuration file. */
#define TDX_CLI_CONFIG_ENV "VIRSH_TDX_CONFIG"

typedef struct _tdxCli tdxCli;
struct _tdxCli {
    char *uri;              /* -c/--connect, overrides [connection] uri */
    char *config_path;      /* --config, else $VIRSH_TDX_CONFIG */
    gboolean verbose;
    gboolean quiet;         /* -q: no table header, no progress line */
    gboolean json;          /* --json among the command's options */
    tdxConfig config;
    GError *config_error;   /* why the configuration file was not loaded */
    virConnectPtr conn;
};

typedef int (*tdxCliCommandFunc)(tdxCli *cli, int argc, char **argv);

typedef struct _tdxCliCommand tdxCliCommand;
struct _tdxCliCommand {
    const char *name;
    const char *summary;
    tdxCliCommandFunc run;
};

/* Parse a command's options; on --help or a bad option prints (as JSON
 * when cli->json) and returns FALSE with *exit_code set. */
gboolean tdxCliParseOptions(tdxCli *cli, const char *command, const char *parameters,
                            const char *summary, GOptionEntry *entries,
                            int *argc, char ***argv, int *exit_code);

/* The same, but a bad option is not printed: it is returned in
 * @usage_error (with *exit_code TDX_EXIT_USAGE) for the caller to decide;
 * --help is printed as by tdxCliParseOptions(). */
gboolean tdxCliParseOptionsFull(tdxCli *cli, const char *command,
                                const char *parameters, const char *summary,
                                GOptionEntry *entries, int *argc, char ***argv,
                                int *exit_code, GError **usage_error);

/* The initial value of an integer option, to tell "not given" from every
 * value that can be typed (-1 included). */
#define TDX_CLI_UNSET G_MININT

/* FALSE with @error (naming the value and the range) unless @jobs is a
 * --jobs value: 0 (one per CPU) to [shutdown-host] jobs' maximum. */
gboolean tdxCliCheckJobs(int jobs, GError **error);

/* The configuration file in effect: --config, $VIRSH_TDX_CONFIG, else the
 * default path (which alone may be missing). */
const char *tdxCliConfigPath(const tdxCli *cli);

/* Report a bad command line of @command (a JSON document when cli->json)
 * and return TDX_EXIT_USAGE. */
int tdxCliUsageError(tdxCli *cli, const char *command, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

/* Warn on stderr that @old is a deprecated spelling of @replacement. */
void tdxCliDeprecated(tdxCli *cli, const char *command,
                      const char *old, const char *replacement);

/* Fail if the configuration file was bad, then connect to -c URI, else
 * $LIBVIRT_DEFAULT_URI (as virsh does), else [connection] uri. */
gboolean tdxCliConnect(tdxCli *cli, GError **error);

/* Print "virsh-tdx: error: MESSAGE" on stderr, and with cli->json the
 * error document of @command on stdout; return the exit code for @error. */
int tdxCliReportError(tdxCli *cli, const char *command, const GError *error);

/* The version of the documents described by docs/schema/. */
#define TDX_CLI_JSON_SCHEMA "libvirt-tdx/1"

/* Print the object built in @builder on stdout as the document of
 * @command: "schema" and "command" first, then its members, "error" (null
 * unless the object has one) and "exit_code", always @exit_code: the
 * status the process exits with. Strings
 * that are not valid UTF-8 (a domain argument typed in another encoding)
 * get U+FFFD for each bad sequence, so the document is always valid JSON. */
void tdxCliPrintJson(tdxCli *cli, const char *command, JsonBuilder *builder,
                     int exit_code);

/* The same for an object node (unchanged). */
void tdxCliPrintJsonNode(tdxCli *cli, const char *command, JsonNode *body,
                         int exit_code);

/* A new node: null, or @error as {"code", "exit", "message"}. */
JsonNode *tdxCliJsonError(const GError *error);

/* Print the document of @command that only says @error. */
void tdxCliPrintJsonError(tdxCli *cli, const char *command, const GError *error);

#include "progress.h"

int tdxCmdList(tdxCli *cli, int argc, char **argv);
int tdxCmdProbe(tdxCli *cli, int argc, char **argv);
int tdxCmdDestroy(tdxCli *cli, int argc, char **argv);
int tdxCmdShutdownHost(tdxCli *cli, int argc, char **argv);
int tdxCmdHelp(tdxCli *cli, int argc, char **argv);
