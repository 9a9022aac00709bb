/*
 * progress.c: the live status line of destroy and shutdown-host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Worker threads report phase changes; a ticker thread of this module
 * redraws once a second, so that a phase blocked in QEMU or libvirt (a
 * probe of a stopped QEMU, a destroy libvirt takes 40 s over) still shows
 * its time running. The line is never wider than the terminal minus one
 * cell: a line that wraps cannot be redrawn with a carriage return.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "progress.h"
#include "tdx-escape.h"
#include "tdx-wait.h"

/* Names are cut to this when the whole line does not fit. */
#define TDX_CLI_PROGRESS_NAME_CELLS 16

typedef struct {
    char *phase;
    gint64 phase_start_usec;
    double deadline_seconds;    /* 0: the phase has none of its own */
} tdxCliProgressEntry;

struct _tdxCliProgress {
    GMutex lock;
    GCond wake;
    GThread *ticker;
    gboolean stop;
    char *status;               /* the host run's line, NULL for destroy */
    gint64 start_usec;
    GHashTable *entries;        /* domain name -> tdxCliProgressEntry */
    gboolean drawn;             /* a line is on the screen */
};


static void
tdxCliProgressEntryFree(gpointer data)
{
    tdxCliProgressEntry *entry = data;

    g_free(entry->phase);
    g_free(entry);
}


guint
tdxCliTerminalColumns(void)
{
    struct winsize size = { 0 };
    const char *columns = g_getenv("COLUMNS");
    guint64 value;

    /* Asked at each redraw: the window may have been resized. */
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    if (columns && g_ascii_string_to_unsigned(columns, 10, 1, 10000, &value, NULL))
        return (guint) value;
    return 80;
}


gboolean
tdxCliProgressWanted(gboolean quiet)
{
    const char *term = g_getenv("TERM");

    return !quiet && isatty(STDERR_FILENO) && !(term && g_str_equal(term, "dumb"));
}


static guint
tdxCliCellWidth(gunichar c)
{
    if (g_unichar_iszerowidth(c))
        return 0;
    return g_unichar_iswide(c) ? 2 : 1;
}


static guint
tdxCliTextCells(const char *text)
{
    const char *p;
    guint width = 0;

    for (p = text; *p; p = g_utf8_next_char(p))
        width += tdxCliCellWidth(g_utf8_get_char(p));
    return width;
}


char *
tdxCliProgressFit(const char *text, guint columns)
{
    GString *out = g_string_new(NULL);
    const char *p;
    guint width;

    if (tdxCliTextCells(text) <= columns) {
        g_string_append(out, text);
        return g_string_free(out, FALSE);
    }
    if (columns == 0)
        return g_string_free(out, FALSE);

    /* Room for the ellipsis, one cell. */
    width = 0;
    for (p = text; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);

        if (width + tdxCliCellWidth(c) > columns - 1)
            break;
        width += tdxCliCellWidth(c);
        g_string_append_unichar(out, c);
    }
    g_string_append(out, "\u2026");
    return g_string_free(out, FALSE);
}


static gint
tdxCliCompareNames(gconstpointer a, gconstpointer b, gpointer opaque G_GNUC_UNUSED)
{
    return g_strcmp0(*(const char * const *) a, *(const char * const *) b);
}


/* Under the lock: the line, with names cut to @name_cells (0: whole). */
static char *
tdxCliProgressLine(tdxCliProgress *progress, gint64 now, guint name_cells)
{
    GString *line = g_string_new(NULL);
    g_autofree gpointer *keys = NULL;
    guint n;
    guint i;

    keys = g_hash_table_get_keys_as_array(progress->entries, &n);
    if (progress->status) {
        g_string_append(line, progress->status);
    } else if (n > 0) {
        g_string_append_printf(line, "%.0fs %u left:",
                               (now - progress->start_usec) / (double) G_USEC_PER_SEC, n);
    }
    g_qsort_with_data(keys, n, sizeof(gpointer), tdxCliCompareNames, NULL);
    for (i = 0; i < n; i++) {
        const tdxCliProgressEntry *entry = g_hash_table_lookup(progress->entries, keys[i]);
        g_autofree char *escaped = tdxEscapeText(keys[i]);
        g_autofree char *name = name_cells ? tdxCliProgressFit(escaped, name_cells)
                                           : g_strdup(escaped);
        double elapsed = (now - entry->phase_start_usec) / (double) G_USEC_PER_SEC;

        g_string_append_printf(line, "%s%s %s %.0fs", line->len ? "  " : "", name,
                               entry->phase, elapsed);
        if (entry->deadline_seconds > 0)
            g_string_append_printf(line, "/%.0fs", entry->deadline_seconds);
    }
    return g_string_free(line, FALSE);
}


/* Under the lock. */
static void
tdxCliProgressRedraw(tdxCliProgress *progress)
{
    gint64 now = g_get_monotonic_time();
    guint columns = tdxCliTerminalColumns();
    /* One cell short of the width: the cursor must stay on this row. */
    guint room = columns > 1 ? columns - 1 : 0;
    g_autofree char *line = tdxCliProgressLine(progress, now, 0);
    g_autofree char *fitted = NULL;

    if (line[0] == '\0' && !progress->drawn)
        return;
    /* Too wide: every domain's phase matters more than its full name. */
    if (tdxCliTextCells(line) > room) {
        g_free(line);
        line = tdxCliProgressLine(progress, now, TDX_CLI_PROGRESS_NAME_CELLS);
    }
    if (tdxCliTextCells(line) > room) {
        g_free(line);
        line = tdxCliProgressLine(progress, now, TDX_CLI_PROGRESS_NAME_CELLS / 2);
    }
    fitted = tdxCliProgressFit(line, room);
    fprintf(stderr, "\r\033[K%s", fitted);
    fflush(stderr);
    progress->drawn = fitted[0] != '\0';
}


static gpointer
tdxCliProgressTick(gpointer opaque)
{
    tdxCliProgress *progress = opaque;

    g_mutex_lock(&progress->lock);
    while (!progress->stop) {
        gint64 until = g_get_monotonic_time() + G_USEC_PER_SEC;

        while (!progress->stop && g_cond_wait_until(&progress->wake, &progress->lock, until))
            ;
        if (!progress->stop)
            tdxCliProgressRedraw(progress);
    }
    g_mutex_unlock(&progress->lock);
    return NULL;
}


tdxCliProgress *
tdxCliProgressNew(gboolean enabled)
{
    tdxCliProgress *progress;

    if (!enabled)
        return NULL;
    progress = g_new0(tdxCliProgress, 1);
    g_mutex_init(&progress->lock);
    g_cond_init(&progress->wake);
    progress->start_usec = g_get_monotonic_time();
    progress->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              tdxCliProgressEntryFree);
    progress->ticker = g_thread_new("progress", tdxCliProgressTick, progress);
    return progress;
}


void
tdxCliProgressFree(tdxCliProgress *progress)
{
    if (!progress)
        return;
    g_mutex_lock(&progress->lock);
    progress->stop = TRUE;
    g_cond_signal(&progress->wake);
    g_mutex_unlock(&progress->lock);
    g_thread_join(progress->ticker);

    if (progress->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    g_hash_table_unref(progress->entries);
    g_free(progress->status);
    g_cond_clear(&progress->wake);
    g_mutex_clear(&progress->lock);
    g_free(progress);
}


void
tdxCliProgressUpdate(const char *domain, const char *phase,
                     double elapsed_seconds, double deadline_seconds,
                     gpointer opaque)
{
    tdxCliProgress *progress = opaque;
    tdxCliProgressEntry *entry;
    gint64 phase_start = g_get_monotonic_time() - (gint64) (elapsed_seconds * G_USEC_PER_SEC);

    if (!progress)
        return;
    g_mutex_lock(&progress->lock);
    if (g_str_equal(phase, TDX_PROGRESS_DONE)) {
        if (g_hash_table_remove(progress->entries, domain))
            tdxCliProgressRedraw(progress);
        g_mutex_unlock(&progress->lock);
        return;
    }
    entry = g_hash_table_lookup(progress->entries, domain);
    if (entry && g_str_equal(entry->phase, phase)) {
        /* The same phase, ticking: the ticker redraws. */
        entry->deadline_seconds = deadline_seconds;
        g_mutex_unlock(&progress->lock);
        return;
    }
    entry = g_new0(tdxCliProgressEntry, 1);
    entry->phase = g_strdup(phase);
    entry->phase_start_usec = phase_start;
    entry->deadline_seconds = deadline_seconds;
    g_hash_table_insert(progress->entries, g_strdup(domain), entry);
    tdxCliProgressRedraw(progress);
    g_mutex_unlock(&progress->lock);
}


void
tdxCliProgressStatus(const char *line, gpointer opaque)
{
    tdxCliProgress *progress = opaque;

    if (!progress)
        return;
    g_mutex_lock(&progress->lock);
    g_free(progress->status);
    progress->status = tdxEscapeText(line);
    tdxCliProgressRedraw(progress);
    g_mutex_unlock(&progress->lock);
}
