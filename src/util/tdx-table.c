/*
 * tdx-table.c: text tables laid out by libsmartcols
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>

#include <libsmartcols.h>

#include "tdx-escape.h"
#include "tdx-table.h"

struct _tdxTable {
    struct libscols_table *table;
    struct libscols_line *line;     /* the row being filled */
};


tdxTable *
tdxTableNew(void)
{
    tdxTable *table = g_new0(tdxTable, 1);

    if (!(table->table = scols_new_table()))
        g_error("out of memory");
    scols_table_set_column_separator(table->table, "  ");
    /* Text for a string, not a terminal: libsmartcols must not cut or
     * wrap to the width of whatever stdout is. */
    scols_table_set_termforce(table->table, SCOLS_TERMFORCE_NEVER);
    return table;
}


void
tdxTableFree(tdxTable *table)
{
    if (!table)
        return;
    scols_unref_table(table->table);
    g_free(table);
}


void
tdxTableAddColumn(tdxTable *table, const char *title, gboolean right)
{
    if (!scols_table_new_column(table->table, title, 0, right ? SCOLS_FL_RIGHT : 0))
        g_error("out of memory");
}


void
tdxTableAddRow(tdxTable *table)
{
    if (!(table->line = scols_table_new_line(table->table, NULL)))
        g_error("out of memory");
}


void
tdxTableSet(tdxTable *table, guint column, const char *text)
{
    /* Escaped here, so that libsmartcols finds nothing left to encode. */
    g_autofree char *safe = tdxEscapeText(text);

    g_return_if_fail(table->line);
    if (scols_line_set_data(table->line, column, safe) < 0)
        g_error("cannot set cell %u of a table", column);
}


void
tdxTableSetPrintf(tdxTable *table, guint column, const char *format, ...)
{
    g_autofree char *text = NULL;
    va_list args;

    va_start(args, format);
    text = g_strdup_vprintf(format, args);
    va_end(args);
    tdxTableSet(table, column, text);
}


void
tdxTableSetNoHeadings(tdxTable *table, gboolean noheadings)
{
    scols_table_enable_noheadings(table->table, noheadings);
}


char *
tdxTableToString(tdxTable *table)
{
    char *data = NULL;

    if (scols_print_table_to_string(table->table, &data) < 0 || !data)
        g_error("cannot lay out a table");
    /* Returned without a final newline; ours ends every row with one. */
    if (*data) {
        g_autofree char *owned = data;

        return g_strconcat(owned, "\n", NULL);
    }
    return data;
}
