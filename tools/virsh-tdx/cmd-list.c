/*
 * cmd-list.c: virsh-tdx list
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>

#include <libsmartcols.h>

#include "cli.h"
#include "tdx-error.h"
#include "tdx-escape.h"
#include "tdx-inspect.h"
#include "tdx-libvirt.h"
#include "tdx-result.h"


static const char *
tdxCmdListTerminate(const tdxDomainInfo *info)
{
    if (!tdxDomainInfoIsTD(info) || !info->running)
        return "-";
    if (!info->probed)
        return info->probe_error ? "unknown" : "-";
    return info->probe.has_terminate ? "yes" : "no";
}


/* virsh's order: running domains by ID, then the rest by name. */
static gint
tdxCmdListCompare(gconstpointer a, gconstpointer b)
{
    const tdxDomainDef *x = (*(const tdxDomainInfo * const *) a)->def;
    const tdxDomainDef *y = (*(const tdxDomainInfo * const *) b)->def;

    if ((x->id >= 0) != (y->id >= 0))
        return x->id >= 0 ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return g_strcmp0(x->name, y->name);
}


static void
tdxCmdListCell(struct libscols_line *line, size_t column, const char *text)
{
    g_autofree char *safe = tdxEscapeText(text);

    /* Our escaping leaves nothing for libsmartcols to encode. */
    if (scols_line_set_data(line, column, safe) < 0)
        g_error("out of memory");
}


/* Columns sized to their content by libsmartcols; on a terminal the
 * table is fitted to its width. */
static void
tdxCmdListPrintTable(GPtrArray *infos, gboolean quiet)
{
    static const struct {
        const char *title;
        int flags;
    } columns[] = {
        { "Id", SCOLS_FL_RIGHT },
        { "Name", 0 },
        { "State", 0 },
        { "TD", 0 },
        { "Memory", SCOLS_FL_RIGHT },
        { "Terminate", 0 },
        { "Teardown", SCOLS_FL_RIGHT },
    };
    struct libscols_table *table = scols_new_table();
    guint i;

    if (!table)
        g_error("out of memory");
    scols_table_enable_noheadings(table, quiet);
    scols_table_set_column_separator(table, "  ");
    for (i = 0; i < G_N_ELEMENTS(columns); i++) {
        if (!scols_table_new_column(table, columns[i].title, 0, columns[i].flags))
            g_error("out of memory");
    }
    for (i = 0; i < infos->len; i++) {
        const tdxDomainInfo *info = g_ptr_array_index(infos, i);
        struct libscols_line *line = scols_table_new_line(table, NULL);
        g_autofree char *id = info->def->id >= 0 ? g_strdup_printf("%d", info->def->id)
                                                 : g_strdup("-");
        g_autofree char *memory = g_format_size_full(info->def->memory_kib * 1024,
                                                     G_FORMAT_SIZE_IEC_UNITS);
        g_autofree char *teardown = g_strdup_printf("~%.*f s",
                                                    tdxDomainInfoEstimate(info) < 10 ? 1 : 0,
                                                    tdxDomainInfoEstimate(info));

        if (!line)
            g_error("out of memory");
        tdxCmdListCell(line, 0, id);
        tdxCmdListCell(line, 1, info->def->name);
        tdxCmdListCell(line, 2, tdxDomainStateToString(info->def->state));
        tdxCmdListCell(line, 3, tdxDomainInfoIsTD(info) ? "yes" : "no");
        tdxCmdListCell(line, 4, memory);
        tdxCmdListCell(line, 5, tdxCmdListTerminate(info));
        tdxCmdListCell(line, 6, teardown);
    }
    scols_print_table(table);
    scols_unref_table(table);

    /* Why a Terminate cell says "unknown", after the table so that every
     * row stays one line. */
    for (i = 0; i < infos->len; i++) {
        const tdxDomainInfo *info = g_ptr_array_index(infos, i);

        if (info->probe_error) {
            g_autofree char *name = tdxEscapeText(info->def->name);
            g_autofree char *message = tdxEscapeText(info->probe_error->message);

            printf("probe of %s: %s\n", name, message);
        }
    }
}


/* virsh list --name / --uuid: one domain a line, nothing else. */
static void
tdxCmdListPrintColumns(GPtrArray *infos, gboolean uuid, gboolean name)
{
    guint i;

    for (i = 0; i < infos->len; i++) {
        const tdxDomainInfo *info = g_ptr_array_index(infos, i);
        g_autofree char *safe = tdxEscapeText(info->def->name);

        if (uuid && name)
            printf("%s %s\n", info->def->uuid, safe);
        else if (uuid)
            printf("%s\n", info->def->uuid);
        else
            printf("%s\n", safe);
    }
}


int
tdxCmdList(tdxCli *cli, int argc, char **argv)
{
    gboolean all = FALSE;
    gboolean inactive_alias = FALSE;
    gboolean include_non_td = FALSE;
    gboolean json = FALSE;
    gboolean no_probe = FALSE;
    gboolean names = FALSE;
    gboolean uuids = FALSE;
    gboolean quiet = FALSE;
    GOptionEntry entries[] = {
        { "all", 'a', 0, G_OPTION_ARG_NONE, &all,
          "list inactive domains too (as virsh list --all)", NULL },
        { "include-non-td", 0, 0, G_OPTION_ARG_NONE, &include_non_td,
          "also list guests that are not TDs", NULL },
        { "inactive", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &inactive_alias,
          "deprecated spelling of --all", NULL },
        { "name", 0, 0, G_OPTION_ARG_NONE, &names,
          "print only the domain names, one a line", NULL },
        { "uuid", 0, 0, G_OPTION_ARG_NONE, &uuids,
          "print only the domain UUIDs (with --name: UUID and name)", NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
          "no table header", NULL },
        { "no-probe", 0, 0, G_OPTION_ARG_NONE, &no_probe,
          "do not ask each QEMU whether it offers tdx-terminate", NULL },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print JSON", NULL },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func((GDestroyNotify) tdxDomainInfoFree);
    g_autoptr(JsonBuilder) warnings = json_builder_new();
    virDomainPtr *doms = NULL;
    unsigned int flags;
    int exit_code;
    int ndoms;
    int i;

    if (!tdxCliParseOptions(cli, "list", "",
                            "List trust domains with their memory, state, whether their "
                            "QEMU offers tdx-terminate and the estimated teardown time. "
                            "Running domains only, unless --all.",
                            entries, &argc, &argv, &exit_code))
        return exit_code;
    if (argc > 1) {
        g_autofree char *arg = tdxEscapeText(argv[1]);

        return tdxCliUsageError(cli, "list", "unexpected argument '%s'", arg);
    }
    if (inactive_alias) {
        tdxCliDeprecated(cli, "list", "--inactive", "--all");
        all = TRUE;
    }
    quiet |= cli->quiet;
    flags = all ? 0 : VIR_CONNECT_LIST_DOMAINS_ACTIVE;
    /* Only the TD filter needs QEMU's answer; names and UUIDs alone of
     * every guest do not (fast enough for shell completion). */
    if ((names || uuids) && !json && include_non_td)
        no_probe = TRUE;

    if (!tdxCliConnect(cli, &error))
        return tdxCliReportError(cli, "list", error);

    if ((ndoms = virConnectListAllDomains(cli->conn, &doms, flags)) < 0) {
        tdxLibvirtError(&error, "cannot list domains");
        return tdxCliReportError(cli, "list", error);
    }

    exit_code = TDX_EXIT_OK;
    json_builder_begin_array(warnings);
    for (i = 0; i < ndoms; i++) {
        g_autoptr(GError) inspect_error = NULL;
        tdxDomainInfo *info = tdxDomainInspect(doms[i], &cli->config, !no_probe,
                                               NULL, NULL, &inspect_error);

        if (!info) {
            /* A domain that vanished since the listing is not news. */
            if (!g_error_matches(inspect_error, TDX_ERROR, TDX_ERROR_NO_DOMAIN)) {
                char uuid[VIR_UUID_STRING_BUFLEN] = "";
                g_autofree char *message = tdxEscapeText(inspect_error->message);

                virDomainGetUUIDString(doms[i], uuid);
                g_printerr("virsh-tdx: warning: %s\n", message);
                exit_code = tdxErrorToExitCode(inspect_error);
                json_builder_begin_object(warnings);
                tdxJsonAddString(warnings, "name", virDomainGetName(doms[i]));
                tdxJsonAddString(warnings, "uuid", uuid);
                tdxJsonAddError(warnings, "error", inspect_error);
                json_builder_end_object(warnings);
            }
        } else if (include_non_td || tdxDomainInfoIsTD(info)) {
            g_ptr_array_add(infos, info);
        } else {
            tdxDomainInfoFree(info);
        }
        virDomainFree(doms[i]);
    }
    g_free(doms);
    json_builder_end_array(warnings);

    g_ptr_array_sort(infos, tdxCmdListCompare);
    if (json) {
        g_autoptr(JsonBuilder) builder = json_builder_new();
        g_autoptr(JsonNode) warning_list = json_builder_get_root(warnings);
        guint j;

        json_builder_begin_object(builder);
        json_builder_set_member_name(builder, "domains");
        json_builder_begin_array(builder);
        for (j = 0; j < infos->len; j++)
            tdxDomainInfoToJson(g_ptr_array_index(infos, j), builder);
        json_builder_end_array(builder);
        json_builder_set_member_name(builder, "warnings");
        json_builder_add_value(builder, g_steal_pointer(&warning_list));
        json_builder_end_object(builder);
        tdxCliPrintJson(cli, "list", builder, exit_code);
    } else if (names || uuids) {
        tdxCmdListPrintColumns(infos, uuids, names);
    } else {
        tdxCmdListPrintTable(infos, quiet);
    }
    return exit_code;
}
