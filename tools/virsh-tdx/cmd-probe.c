/*
 * cmd-probe.c: virsh-tdx probe DOMAIN
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>

#include "cli.h"
#include "tdx-error.h"
#include "tdx-inspect.h"
#include "tdx-libvirt.h"
#include "tdx-qmp.h"


static void
tdxCmdProbePrintText(const tdxDomainInfo *info)
{
    g_autofree char *memory = g_format_size_full(info->def->memory_kib * 1024,
                                                 G_FORMAT_SIZE_IEC_UNITS);

    printf("%-22s %s\n", "Name:", info->def->name);
    printf("%-22s %s\n", "UUID:", info->def->uuid);
    printf("%-22s %s\n", "State:", tdxDomainStateToString(info->def->state));
    printf("%-22s %s (%u vCPUs%s)\n", "Memory:", memory, info->def->vcpus,
           info->def->hugepages ? ", hugepages" : "");
    printf("%-22s %s\n", "TD (domain XML):", tdxDomainTdSourceToString(info->def->td_source));
    if (info->probed) {
        printf("%-22s %s\n", "TD (QEMU):", info->probe.is_td ? "yes" : "no");
        printf("%-22s %s\n", "QMP " TDX_QMP_TERMINATE_COMMAND ":",
               info->probe.has_terminate ? "yes" : "no");
        printf("%-22s %s\n", "KVM terminate:",
               info->probe.is_td ? tdxProbeKvmToString(info->probe.kvm_terminate) : "-");
    } else {
        printf("%-22s %s\n", "QEMU:",
               info->probe_error ? info->probe_error->message : "not running");
    }
    printf("%-22s ~%.0f s with terminate, ~%.0f s without\n", "Estimated reclaim:",
           info->estimate_terminate_seconds, info->estimate_plain_seconds);
}


int
tdxCmdProbe(tdxCli *cli, int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print JSON", NULL },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(tdxDomainInfo) info = NULL;
    g_autoptr(virDomain) dom = NULL;
    int exit_code;

    if (!tdxCliParseOptions("probe", "DOMAIN",
                            "Ask the running QEMU of DOMAIN whether it is a TD (QOM "
                            "tdx-guest object) and offers " TDX_QMP_TERMINATE_COMMAND ".",
                            entries, &argc, &argv, &exit_code))
        return exit_code;
    if (argc != 2) {
        g_printerr("virsh-tdx probe: expected exactly one domain\n");
        return TDX_EXIT_USAGE;
    }

    if (!tdxCliConnect(cli, &error) ||
        !(dom = tdxDomainLookup(cli->conn, argv[1], &error)) ||
        !(info = tdxDomainInspect(dom, &cli->config, TRUE, NULL, NULL, &error)))
        return tdxCliReportError(error);

    if (json) {
        g_autoptr(JsonBuilder) builder = json_builder_new();

        tdxDomainInfoToJson(info, builder);
        tdxCliPrintJson(builder);
    } else {
        tdxCmdProbePrintText(info);
    }
    /* A running QEMU that cannot be asked is a failed probe. */
    if (info->running && !info->probed)
        return tdxErrorToExitCode(info->probe_error);
    return TDX_EXIT_OK;
}
