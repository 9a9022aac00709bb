/*
 * tdx-inspect.c: what list and probe report about a domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-inspect.h"
#include "tdx-estimate.h"
#include "tdx-libvirt.h"
#include "tdx-result.h"


void
tdxDomainInfoFree(tdxDomainInfo *info)
{
    if (!info)
        return;
    tdxDomainDefFree(info->def);
    g_clear_error(&info->probe_error);
    g_free(info);
}


tdxDomainInfo *
tdxDomainInspect(virDomainPtr dom, const tdxConfig *config, gboolean probe,
                 tdxMonitorFactory monitor_new, gpointer monitor_opaque,
                 GError **error)
{
    g_autoptr(tdxDomainInfo) info = g_new0(tdxDomainInfo, 1);
    g_autofree char *xml = NULL;
    int state;
    int reason;

    if (virDomainGetState(dom, &state, &reason, 0) < 0 ||
        !(xml = virDomainGetXMLDesc(dom, 0))) {
        tdxLibvirtError(error, "domain '%s'", virDomainGetName(dom));
        return NULL;
    }
    if (!(info->def = tdxDomainDefParseString(xml, error)))
        return NULL;
    info->def->state = state;
    info->running = state != VIR_DOMAIN_SHUTOFF;

    if (probe && info->running) {
        g_autoptr(tdxMonitor) mon = monitor_new ? monitor_new(dom, monitor_opaque)
                                                : tdxMonitorNewLibvirt(dom);

        info->probed = tdxProbeRun(mon, config->monitor_timeout_ms,
                                   &info->probe, &info->probe_error);
    }

    info->estimate_terminate_seconds =
        tdxEstimateReclaimSeconds(info->def->memory_kib, TRUE);
    info->estimate_plain_seconds =
        tdxEstimateReclaimSeconds(info->def->memory_kib, FALSE);
    return g_steal_pointer(&info);
}


gboolean
tdxDomainInfoIsTD(const tdxDomainInfo *info)
{
    return tdxDomainDefIsTD(info->def) || (info->probed && info->probe.is_td);
}


double
tdxDomainInfoEstimate(const tdxDomainInfo *info)
{
    if (!tdxDomainInfoIsTD(info) || (info->probed && info->probe.has_terminate))
        return info->estimate_terminate_seconds;
    return info->estimate_plain_seconds;
}


const char *
tdxDomainStateToString(int state)
{
    switch (state) {
    case VIR_DOMAIN_NOSTATE: return "no state";
    case VIR_DOMAIN_RUNNING: return "running";
    case VIR_DOMAIN_BLOCKED: return "idle";
    case VIR_DOMAIN_PAUSED: return "paused";
    case VIR_DOMAIN_SHUTDOWN: return "in shutdown";
    case VIR_DOMAIN_SHUTOFF: return "shut off";
    case VIR_DOMAIN_CRASHED: return "crashed";
    case VIR_DOMAIN_PMSUSPENDED: return "pmsuspended";
    }
    return "unknown";
}


void
tdxDomainInfoToJson(const tdxDomainInfo *info, JsonBuilder *builder)
{
    const tdxDomainDef *def = info->def;

    json_builder_begin_object(builder);
    tdxJsonAddString(builder, "name", def->name);
    tdxJsonAddString(builder, "uuid", def->uuid);
    tdxJsonAddInt(builder, "id", def->id);
    tdxJsonAddString(builder, "state", tdxDomainStateToString(def->state));
    tdxJsonAddInt(builder, "memory_kib", (gint64) def->memory_kib);
    tdxJsonAddInt(builder, "max_memory_kib", (gint64) def->max_memory_kib);
    tdxJsonAddBool(builder, "hugepages", def->hugepages);
    tdxJsonAddInt(builder, "vcpus", def->vcpus);
    tdxJsonAddBool(builder, "td", tdxDomainInfoIsTD(info));
    tdxJsonAddString(builder, "td_source", tdxDomainTdSourceToString(def->td_source));

    json_builder_set_member_name(builder, "probe");
    if (info->probed) {
        json_builder_begin_object(builder);
        tdxJsonAddBool(builder, "tdx_guest_object", info->probe.is_td);
        tdxJsonAddBool(builder, "terminate", info->probe.has_terminate);
        json_builder_end_object(builder);
    } else {
        json_builder_add_null_value(builder);
    }
    tdxJsonAddError(builder, "probe_error", info->probe_error);

    tdxJsonAddMs(builder, "estimate_ms", tdxDomainInfoEstimate(info) * G_USEC_PER_SEC);
    tdxJsonAddMs(builder, "estimate_terminate_ms",
                 info->estimate_terminate_seconds * G_USEC_PER_SEC);
    tdxJsonAddMs(builder, "estimate_without_terminate_ms",
                 info->estimate_plain_seconds * G_USEC_PER_SEC);
    json_builder_end_object(builder);
}
