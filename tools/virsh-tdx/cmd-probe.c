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
#include "tdx-resolve.h"
#include "tdx-result.h"


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
    } else {
        printf("%-22s %s\n", "QEMU:",
               info->probe_error ? info->probe_error->message : "not running");
    }
    printf("%-22s ~%.0f s with terminate, ~%.0f s without\n", "Estimated reclaim:",
           info->estimate_terminate_seconds, info->estimate_plain_seconds);
}


/* The document of a probe that found no domain or could not inspect it:
 * the argument as typed, and the name and UUID when it was resolved. */
static void
tdxCmdProbePrintJsonError(tdxCli *cli, const char *argument, virDomainPtr dom,
                          const GError *error)
{
    g_autoptr(JsonBuilder) builder = json_builder_new();
    char uuid[VIR_UUID_STRING_BUFLEN];

    json_builder_begin_object(builder);
    tdxJsonAddString(builder, "argument", argument);
    json_builder_set_member_name(builder, "name");
    if (dom)
        json_builder_add_string_value(builder, virDomainGetName(dom));
    else
        json_builder_add_null_value(builder);
    json_builder_set_member_name(builder, "uuid");
    if (dom && virDomainGetUUIDString(dom, uuid) == 0)
        json_builder_add_string_value(builder, uuid);
    else
        json_builder_add_null_value(builder);
    tdxJsonAddError(builder, "error", error);
    json_builder_end_object(builder);
    tdxCliPrintJson(cli, "probe", builder, tdxErrorToExitCode(error));
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

    if (!tdxCliParseOptions(cli, "probe", "[--] DOMAIN",
                            "Ask the running QEMU of DOMAIN whether it is a TD (QOM "
                            "tdx-guest object) and offers " TDX_QMP_TERMINATE_COMMAND ".",
                            entries, &argc, &argv, &exit_code))
        return exit_code;
    if (argc != 2)
        return tdxCliUsageError(cli, "probe", "expected exactly one domain, not %d",
                                argc - 1);

    if (!tdxCliConnect(cli, &error) ||
        !(dom = tdxResolveDomain(cli->conn, argv[1], &error)) ||
        !(info = tdxDomainInspect(dom, &cli->config, TRUE, NULL, NULL, &error))) {
        if (json)
            tdxCmdProbePrintJsonError(cli, argv[1], dom, error);
        cli->json = FALSE;
        return tdxCliReportError(cli, "probe", error);
    }

    /* A running QEMU that cannot be asked is a failed probe. */
    if (info->running && !info->probed)
        exit_code = tdxErrorToExitCode(info->probe_error);
    else
        exit_code = TDX_EXIT_OK;

    if (json) {
        g_autoptr(JsonBuilder) builder = json_builder_new();
        g_autoptr(JsonNode) domain = NULL;
        g_autoptr(JsonBuilder) domain_builder = json_builder_new();
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        /* The domain's members at the top, as probe always printed them. */
        tdxDomainInfoToJson(info, domain_builder);
        domain = json_builder_get_root(domain_builder);
        json_builder_begin_object(builder);
        tdxJsonAddString(builder, "argument", argv[1]);
        json_object_iter_init_ordered(&iter, json_node_get_object(domain));
        while (json_object_iter_next_ordered(&iter, &name, &member)) {
            json_builder_set_member_name(builder, name);
            json_builder_add_value(builder, json_node_copy(member));
        }
        tdxJsonAddError(builder, "error", info->running && !info->probed ?
                        info->probe_error : NULL);
        json_builder_end_object(builder);
        tdxCliPrintJson(cli, "probe", builder, exit_code);
    } else {
        tdxCmdProbePrintText(info);
    }
    return exit_code;
}
