/*
 * cmd-list.c: virsh-tdx list
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>

#include "cli.h"
#include "tdx-error.h"
#include "tdx-inspect.h"
#include "tdx-libvirt.h"


static const char *
tdxCmdListTerminate(const tdxDomainInfo *info)
{
    if (!tdxDomainInfoIsTD(info) || !info->running)
        return "-";
    if (!info->probed)
        return info->probe_error ? "unknown" : "-";
    return tdxProbeCanTerminate(&info->probe) ? "yes" : "no";
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
tdxCmdListPrintText(GPtrArray *infos)
{
    guint i;

    printf(" %-5s %-24s %-12s %-4s %11s %-10s %s\n",
           "Id", "Name", "State", "TD", "Memory", "Terminate", "Teardown");
    printf("%s\n", "---------------------------------------------------------------------------------");
    for (i = 0; i < infos->len; i++) {
        const tdxDomainInfo *info = g_ptr_array_index(infos, i);
        g_autofree char *id = info->def->id >= 0 ? g_strdup_printf("%d", info->def->id)
                                                 : g_strdup("-");
        g_autofree char *memory = g_format_size_full(info->def->memory_kib * 1024,
                                                     G_FORMAT_SIZE_IEC_UNITS);

        printf(" %-5s %-24s %-12s %-4s %11s %-10s ~%.*f s\n",
               id, info->def->name, tdxDomainStateToString(info->def->state),
               tdxDomainInfoIsTD(info) ? "yes" : "no", memory,
               tdxCmdListTerminate(info),
               tdxDomainInfoEstimate(info) < 10 ? 1 : 0, tdxDomainInfoEstimate(info));
        if (info->probe_error)
            printf("       probe: %s\n", info->probe_error->message);
    }
}


int
tdxCmdList(tdxCli *cli, int argc, char **argv)
{
    gboolean all = FALSE;
    gboolean inactive = FALSE;
    gboolean json = FALSE;
    gboolean no_probe = FALSE;
    GOptionEntry entries[] = {
        { "all", 'a', 0, G_OPTION_ARG_NONE, &all,
          "also list guests that are not TDs", NULL },
        { "inactive", 0, 0, G_OPTION_ARG_NONE, &inactive,
          "also list domains that are not running", NULL },
        { "no-probe", 0, 0, G_OPTION_ARG_NONE, &no_probe,
          "do not ask each QEMU whether it offers tdx-terminate", NULL },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print JSON", NULL },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func((GDestroyNotify) tdxDomainInfoFree);
    virDomainPtr *doms = NULL;
    unsigned int flags;
    int exit_code;
    int ndoms;
    int i;

    if (!tdxCliParseOptions("list", "",
                            "List trust domains with their memory, state, whether their "
                            "QEMU offers tdx-terminate and the estimated teardown time.",
                            entries, &argc, &argv, &exit_code))
        return exit_code;
    if (argc > 1) {
        g_printerr("virsh-tdx list: unexpected argument '%s'\n", argv[1]);
        return TDX_EXIT_USAGE;
    }
    if (inactive)
        flags = 0;
    else
        flags = VIR_CONNECT_LIST_DOMAINS_ACTIVE;

    if (!tdxCliConnect(cli, &error))
        return tdxCliReportError(error);

    if ((ndoms = virConnectListAllDomains(cli->conn, &doms, flags)) < 0) {
        tdxLibvirtError(&error, "cannot list domains");
        return tdxCliReportError(error);
    }

    exit_code = TDX_EXIT_OK;
    for (i = 0; i < ndoms; i++) {
        g_autoptr(GError) inspect_error = NULL;
        tdxDomainInfo *info = tdxDomainInspect(doms[i], &cli->config, !no_probe,
                                               NULL, NULL, &inspect_error);

        if (!info) {
            /* A domain that vanished since the listing is not news. */
            if (!g_error_matches(inspect_error, TDX_ERROR, TDX_ERROR_NO_DOMAIN)) {
                g_printerr("virsh-tdx: warning: %s\n", inspect_error->message);
                exit_code = tdxErrorToExitCode(inspect_error);
            }
        } else if (all || tdxDomainInfoIsTD(info)) {
            g_ptr_array_add(infos, info);
        } else {
            tdxDomainInfoFree(info);
        }
        virDomainFree(doms[i]);
    }
    g_free(doms);

    g_ptr_array_sort(infos, tdxCmdListCompare);
    if (json) {
        g_autoptr(JsonBuilder) builder = json_builder_new();
        guint j;

        json_builder_begin_object(builder);
        json_builder_set_member_name(builder, "domains");
        json_builder_begin_array(builder);
        for (j = 0; j < infos->len; j++)
            tdxDomainInfoToJson(g_ptr_array_index(infos, j), builder);
        json_builder_end_array(builder);
        json_builder_end_object(builder);
        tdxCliPrintJson(builder);
    } else {
        tdxCmdListPrintText(infos);
    }
    return exit_code;
}
