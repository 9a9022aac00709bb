/*
 * cli.c: what every virsh-tdx command shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tdx-error.h"
#include "tdx-libvirt.h"
#include "tdx-result.h"


/* GOption leaves "--" in argv when something before it was not an option
 * or something after it starts with '-' ("destroy g1 -- g2"); it ends the
 * options and is no argument. Whatever GOption did, the first "--" left
 * is that terminator: a second one (a domain really named "--") starts
 * with '-', so GOption keeps the first. */
static void
tdxCliDropEndOfOptions(int *argc, char **argv)
{
    int i;

    for (i = 1; i < *argc; i++) {
        if (g_str_equal(argv[i], "--")) {
            memmove(&argv[i], &argv[i + 1], sizeof(char *) * (*argc - i));
            (*argc)--;
            return;
        }
    }
}


gboolean
tdxCliParseOptions(const char *command, const char *parameters,
                   const char *summary, GOptionEntry *entries,
                   int *argc, char ***argv, int *exit_code)
{
    g_autoptr(GOptionContext) context = g_option_context_new(parameters);
    g_autoptr(GError) error = NULL;
    g_autofree char *prgname = g_strdup_printf("virsh-tdx %s", command);

    g_set_prgname(prgname);
    g_option_context_set_summary(context, summary);
    g_option_context_add_main_entries(context, entries, NULL);
    if (!g_option_context_parse(context, argc, argv, &error)) {
        g_printerr("virsh-tdx %s: %s\nTry 'virsh-tdx %s --help'.\n",
                   command, error->message, command);
        *exit_code = TDX_EXIT_USAGE;
        return FALSE;
    }
    tdxCliDropEndOfOptions(argc, *argv);
    return TRUE;
}


gboolean
tdxCliConnect(tdxCli *cli, GError **error)
{
    const char *uri = cli->uri;

    if (cli->config_error) {
        g_propagate_error(error, g_error_copy(cli->config_error));
        return FALSE;
    }
    if (!uri)
        uri = g_getenv("LIBVIRT_DEFAULT_URI");
    if (!uri || !*uri)
        uri = cli->config.uri;

    cli->conn = tdxConnectionOpen(uri, error);
    return cli->conn != NULL;
}


int
tdxCliReportError(const GError *error)
{
    g_printerr("virsh-tdx: error: %s\n", error->message);
    return tdxErrorToExitCode(error);
}


void
tdxCliPrintJson(JsonBuilder *builder)
{
    g_autoptr(JsonNode) root = json_builder_get_root(builder);
    g_autofree char *text = tdxJsonToString(root);

    fputs(text, stdout);
    fflush(stdout);
}


struct _tdxCliProgress {
    GMutex lock;
    gboolean tty;
    GHashTable *lines;  /* domain -> status */
};


tdxCliProgress *
tdxCliProgressNew(void)
{
    tdxCliProgress *progress = g_new0(tdxCliProgress, 1);

    g_mutex_init(&progress->lock);
    progress->tty = isatty(STDERR_FILENO);
    progress->lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return progress;
}


void
tdxCliProgressFree(tdxCliProgress *progress)
{
    if (!progress)
        return;
    if (progress->tty && g_hash_table_size(progress->lines) > 0)
        fputs("\r\033[K", stderr);
    g_hash_table_unref(progress->lines);
    g_mutex_clear(&progress->lock);
    g_free(progress);
}


static gint
tdxCliCompareNames(gconstpointer a, gconstpointer b, gpointer opaque G_GNUC_UNUSED)
{
    return g_strcmp0(*(const char * const *) a, *(const char * const *) b);
}


/* Under the lock: one line, however many domains are waited for. */
static void
tdxCliProgressRedraw(tdxCliProgress *progress)
{
    g_autoptr(GString) line = g_string_new(NULL);
    g_autofree gpointer *keys = NULL;
    guint n;
    guint i;

    keys = g_hash_table_get_keys_as_array(progress->lines, &n);
    g_qsort_with_data(keys, n, sizeof(gpointer), tdxCliCompareNames, NULL);
    for (i = 0; i < n; i++) {
        if (i > 0)
            g_string_append(line, "  ");
        g_string_append_printf(line, "%s %s", (const char *) keys[i],
                               (const char *) g_hash_table_lookup(progress->lines, keys[i]));
    }
    fprintf(stderr, "\r\033[K%s", line->str);
    fflush(stderr);
}


void
tdxCliProgressUpdate(const char *domain, const char *phase,
                     double elapsed_seconds, double deadline_seconds,
                     gpointer opaque)
{
    tdxCliProgress *progress = opaque;

    if (!progress->tty)
        return;
    g_mutex_lock(&progress->lock);
    g_hash_table_insert(progress->lines, g_strdup(domain),
                        g_strdup_printf("%s %.0fs/%.0fs", phase,
                                        elapsed_seconds, deadline_seconds));
    tdxCliProgressRedraw(progress);
    g_mutex_unlock(&progress->lock);
}


void
tdxCliProgressDone(gpointer opaque, const char *domain)
{
    tdxCliProgress *progress = opaque;

    if (!progress->tty)
        return;
    g_mutex_lock(&progress->lock);
    if (g_hash_table_remove(progress->lines, domain))
        tdxCliProgressRedraw(progress);
    g_mutex_unlock(&progress->lock);
}
