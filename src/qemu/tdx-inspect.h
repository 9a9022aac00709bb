/*
 * tdx-inspect.h: what list and probe report about a domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libvirt/libvirt.h>

#include "tdx-config.h"
#include "tdx-domain.h"
#include "tdx-monitor.h"
#include "tdx-probe.h"

typedef struct _tdxDomainInfo tdxDomainInfo;
struct _tdxDomainInfo {
    tdxDomainDef *def;
    gboolean running;
    gboolean probed;          /* the QEMU answered the probe */
    tdxProbe probe;
    GError *probe_error;      /* why it was not probed, if it was tried */
    double estimate_terminate_seconds;
    double estimate_plain_seconds;
};

void tdxDomainInfoFree(tdxDomainInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxDomainInfo, tdxDomainInfoFree);

/* Read @dom's XML and state and, when @probe and the domain runs, ask its
 * QEMU. A failed probe is recorded in the info, not an error: list must
 * still show the domain. */
tdxDomainInfo *tdxDomainInspect(virDomainPtr dom, const tdxConfig *config,
                                gboolean probe, tdxMonitorFactory monitor_new,
                                gpointer monitor_opaque, GError **error);

/* A TD per its XML or per its running QEMU. */
gboolean tdxDomainInfoIsTD(const tdxDomainInfo *info);

/* The estimate for the path destroy would take now. */
double tdxDomainInfoEstimate(const tdxDomainInfo *info);

void tdxDomainInfoToJson(const tdxDomainInfo *info, JsonBuilder *builder);

const char *tdxDomainStateToString(int state);
