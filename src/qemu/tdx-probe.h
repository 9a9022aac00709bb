/*
 * tdx-probe.h: what the running QEMU of a domain is and offers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "tdx-monitor.h"

typedef struct _tdxProbe tdxProbe;
struct _tdxProbe {
    gboolean is_td;          /* a QOM object of type tdx-guest exists */
    gboolean has_terminate;  /* query-commands lists tdx-terminate */
};

/* Two QMP round trips, each bounded by @timeout_ms. */
gboolean tdxProbeRun(tdxMonitor *mon, guint timeout_ms, tdxProbe *probe,
                     GError **error);

/* The reply readers, separate so that tests can feed them real replies. */
gboolean tdxProbeParseObjects(JsonNode *ret, gboolean *is_td, GError **error);
gboolean tdxProbeParseCommands(JsonNode *ret, const char *command,
                               gboolean *found, GError **error);
