/*
 * progress.h: the live status line of destroy and shutdown-host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

typedef struct _tdxCliProgress tdxCliProgress;

/* A status line on stderr, redrawn in place about once a second, when
 * @enabled (stderr is a terminal and the user did not ask for -q); when
 * not, every call below is a no-op, so logs and pipes get no redraw
 * sequences. */
tdxCliProgress *tdxCliProgressNew(gboolean enabled);
/* Stops the redraw and erases the line. NULL-safe. */
void tdxCliProgressFree(tdxCliProgress *progress);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxCliProgress, tdxCliProgressFree);

/* A tdxProgressFunc (tdx-wait.h); @opaque is the tdxCliProgress. */
void tdxCliProgressUpdate(const char *domain, const char *phase,
                          double elapsed_seconds, double deadline_seconds,
                          gpointer opaque);

/* The overall state of a host run (its status callback), shown first. */
void tdxCliProgressStatus(const char *line, gpointer opaque);

/* Whether stderr is a terminal worth drawing on. */
gboolean tdxCliProgressWanted(gboolean quiet);

/* @text cut to at most @columns terminal cells, "…" marking the cut. */
char *tdxCliProgressFit(const char *text, guint columns);

/* Columns of the terminal on stderr; $COLUMNS, then 80, when unknown. */
guint tdxCliTerminalColumns(void);
