/*
 * cli.h: what every virsh-tdx command shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libvirt/libvirt.h>

#include "tdx-config.h"

typedef struct _tdxCli tdxCli;
struct _tdxCli {
    char *uri;              /* -c/--connect, overrides [connection] uri */
    char *config_path;      /* --config */
    gboolean verbose;
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

/* Parse a command's options; on --help or a bad option prints and returns
 * FALSE with *exit_code set. */
gboolean tdxCliParseOptions(const char *command, const char *parameters,
                            const char *summary, GOptionEntry *entries,
                            int *argc, char ***argv, int *exit_code);

/* Fail if the configuration file was bad, then connect to -c URI, else
 * $LIBVIRT_DEFAULT_URI (as virsh does), else [connection] uri. */
gboolean tdxCliConnect(tdxCli *cli, GError **error);

/* Print "virsh-tdx: error: MESSAGE" and return the exit code for @error. */
int tdxCliReportError(const GError *error);

/* Print a JSON document on stdout. */
void tdxCliPrintJson(JsonBuilder *builder);

/* A live status line on stderr when it is a terminal, nothing otherwise. */
typedef struct _tdxCliProgress tdxCliProgress;
tdxCliProgress *tdxCliProgressNew(void);
void tdxCliProgressFree(tdxCliProgress *progress);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxCliProgress, tdxCliProgressFree);
/* A tdxProgressFunc; @opaque is the tdxCliProgress. */
void tdxCliProgressUpdate(const char *domain, const char *phase,
                          double elapsed_seconds, double deadline_seconds,
                          gpointer opaque);
/* A tdxBatchDoneFunc; @opaque is the tdxCliProgress. */
void tdxCliProgressDone(gpointer opaque, const char *domain);

int tdxCmdList(tdxCli *cli, int argc, char **argv);
int tdxCmdProbe(tdxCli *cli, int argc, char **argv);
int tdxCmdDestroy(tdxCli *cli, int argc, char **argv);
int tdxCmdShutdownHost(tdxCli *cli, int argc, char **argv);
