/*
 * tdx-probe.h: what the running QEMU of a domain is and offers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "tdx-monitor.h"

/* Whether the host kernel can terminate the TD, as QEMU reports it. */
typedef enum {
    TDX_PROBE_KVM_UNKNOWN,   /* not a TD, or a QEMU without the property */
    TDX_PROBE_KVM_NO,        /* terminate-supported is false */
    TDX_PROBE_KVM_YES,       /* terminate-supported is true */
} tdxProbeKvm;

typedef struct _tdxProbe tdxProbe;
struct _tdxProbe {
    gboolean is_td;          /* a QOM object of type tdx-guest exists */
    gboolean has_terminate;  /* query-commands lists tdx-terminate */
    tdxProbeKvm kvm_terminate;  /* the tdx-guest's terminate-supported */
};

/* Whether tdx-terminate is worth sending: QEMU has it and does not say
 * that the kernel lacks it (an unknown answer is tried). */
gboolean tdxProbeCanTerminate(const tdxProbe *probe);

/* "yes", "no" or "unknown" */
const char *tdxProbeKvmToString(tdxProbeKvm kvm);

/* Two QMP round trips, three for a TD, each bounded by @timeout_ms. */
gboolean tdxProbeRun(tdxMonitor *mon, guint timeout_ms, tdxProbe *probe,
                     GError **error);

/* The reply readers, separate so that tests can feed them real replies. */
/* @object_name (may be NULL): the tdx-guest object's name, if any. */
gboolean tdxProbeParseObjects(JsonNode *ret, gboolean *is_td,
                              char **object_name, GError **error);
gboolean tdxProbeParseCommands(JsonNode *ret, const char *command,
                               gboolean *found, GError **error);
