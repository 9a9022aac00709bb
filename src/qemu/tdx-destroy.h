/*
 * tdx-destroy.h: tearing down one domain, TD or not
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The sequence for a TD: probe -> [graceful shutdown] -> tdx-terminate ->
 * virDomainDestroyFlags -> wait until the domain is gone. docs/destroy.rst
 * describes each fallback.
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

#include "tdx-config.h"
#include "tdx-monitor.h"
#include "tdx-probe.h"
#include "tdx-wait.h"

typedef enum {
    TDX_DESTROY_PATH_NONE,          /* never got as far as choosing */
    TDX_DESTROY_PATH_ALREADY_GONE,  /* not running: nothing to do */
    TDX_DESTROY_PATH_GRACEFUL,      /* the guest shut down within its grace period */
    TDX_DESTROY_PATH_TERMINATE,     /* tdx-terminate, then destroy */
    TDX_DESTROY_PATH_FALLBACK,      /* a TD destroyed without terminate semantics */
    TDX_DESTROY_PATH_NON_TD,        /* plain destroy of a guest that is not a TD */
    TDX_DESTROY_PATH_REFUSED,       /* policy said no */
    TDX_DESTROY_PATH_LAST
} tdxDestroyPath;

typedef enum {
    TDX_PHASE_LOOKUP,
    TDX_PHASE_GRACEFUL,
    TDX_PHASE_PROBE,
    TDX_PHASE_TERMINATE,
    TDX_PHASE_DESTROY,
    TDX_PHASE_RECLAIM,
    TDX_PHASE_LAST
} tdxPhase;

typedef struct _tdxDestroyResult tdxDestroyResult;
struct _tdxDestroyResult {
    char *domain;               /* the domain's name (the argument, if unresolved) */
    char *uuid;                 /* NULL when the argument named no domain */
    gboolean is_td;
    guint64 memory_kib;
    tdxDestroyPath path;
    gboolean terminate_supported;
    guint terminate_attempts;
    gint64 phase_usec[TDX_PHASE_LAST];
    gint64 total_usec;
    double estimate_seconds;    /* expected reclaim time for the path taken */
    double deadline_seconds;    /* what the reclaim wait allowed */
    GPtrArray *notes;           /* why each fallback was taken, in order */
    GError *error;              /* NULL when the domain is gone */
};

void tdxDestroyResultFree(tdxDestroyResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxDestroyResult, tdxDestroyResultFree);

typedef enum {
    TDX_GRACEFUL_POLICY,  /* per-domain metadata, then the configuration */
    TDX_GRACEFUL_NEVER,
    TDX_GRACEFUL_ALWAYS,
} tdxGracefulMode;

/* What the caller learnt from @dom's running QEMU moments ago (shutdown-host
 * probes every domain to plan); TRUE fills @probe and spares the destroy its
 * own two QMP round trips, FALSE probes as usual. Called on the destroying
 * thread. */
typedef gboolean (*tdxDestroyKnownProbeFunc)(virDomainPtr dom, tdxProbe *probe,
                                             gpointer opaque);

typedef struct _tdxDestroyOptions tdxDestroyOptions;
struct _tdxDestroyOptions {
    const tdxConfig *config;
    tdxGracefulMode graceful;
    /* NULL: talk to QEMU through libvirt. */
    tdxMonitorFactory monitor_new;
    gpointer monitor_opaque;
    tdxProgressFunc progress;
    gpointer progress_opaque;
    /* g_get_monotonic_time() by which every wait must end (0: none): a
     * host shutdown must end, whatever a single domain's estimate says. */
    gint64 hard_deadline_usec;
    /* NULL: always probe. */
    tdxDestroyKnownProbeFunc known_probe;
    gpointer known_probe_opaque;
};

/* Tear down the domain whose UUID is @uuid (tdx-resolve.h: arguments are
 * resolved once, up front; nothing here looks a name up again). @name is
 * what messages call it. Always returns a result; result->error says
 * whether it failed. Safe to call from several threads on one connection. */
tdxDestroyResult *tdxDestroyDomain(virConnectPtr conn, const char *uuid,
                                   const char *name,
                                   const tdxDestroyOptions *options);

/* The result for an argument that named no domain: @error copied. */
tdxDestroyResult *tdxDestroyResultNewFailed(const char *argument, const GError *error);

const char *tdxDestroyPathToString(tdxDestroyPath path);
const char *tdxPhaseToString(tdxPhase phase);
