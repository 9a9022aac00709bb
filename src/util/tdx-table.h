/*
 * tdx-table.h: text tables laid out by libsmartcols
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each column is as wide as its widest cell (a 42-character name widens
 * its column instead of shifting the rest of the row), and every cell is
 * escaped with tdxEscapeText(), so a name with a newline stays one row.
 */
#pragma once

#include <glib.h>

typedef struct _tdxTable tdxTable;

tdxTable *tdxTableNew(void);
void tdxTableFree(tdxTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxTable, tdxTableFree);

/* Columns in order; @right aligns numbers. */
void tdxTableAddColumn(tdxTable *table, const char *title, gboolean right);

/* A new row; then one tdxTableSet() per column (unset cells are empty). */
void tdxTableAddRow(tdxTable *table);
void tdxTableSet(tdxTable *table, guint column, const char *text);
void tdxTableSetPrintf(tdxTable *table, guint column, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

/* No header line (virsh -q). */
void tdxTableSetNoHeadings(tdxTable *table, gboolean noheadings);

/* The table as text, one line per row, each ending in a newline; two
 * spaces between columns, none after the last. */
char *tdxTableToString(tdxTable *table);
