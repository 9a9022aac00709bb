/*
 * tdx-wait.c: waiting for a domain to be really gone
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-wait.h"
#include "tdx-libvirt.h"

/* Progress ticks: also when the daemon's liveness is looked at (local). */
#define TDX_WAIT_TICK_USEC G_USEC_PER_SEC
/* An RPC to ask whether the domain still runs, in case an event was lost. */
#define TDX_WAIT_RECHECK_USEC (5 * G_USEC_PER_SEC)

typedef struct {
    GMutex lock;
    GCond cond;
    gboolean gone;
} tdxWaiter;


static void
tdxWaiterClear(tdxWaiter *waiter)
{
    g_mutex_clear(&waiter->lock);
    g_cond_clear(&waiter->cond);
}


static void
tdxWaiterUnref(void *opaque)
{
    g_atomic_rc_box_release_full(opaque, (GDestroyNotify) tdxWaiterClear);
}


static void
tdxWaiterSetGone(tdxWaiter *waiter)
{
    g_mutex_lock(&waiter->lock);
    waiter->gone = TRUE;
    g_cond_broadcast(&waiter->cond);
    g_mutex_unlock(&waiter->lock);
}


static int
tdxWaitLifecycleEvent(virConnectPtr conn G_GNUC_UNUSED,
                      virDomainPtr dom G_GNUC_UNUSED,
                      int event, int detail G_GNUC_UNUSED, void *opaque)
{
    if (event == VIR_DOMAIN_EVENT_STOPPED ||
        event == VIR_DOMAIN_EVENT_UNDEFINED)
        tdxWaiterSetGone(opaque);
    return 0;
}


gboolean
tdxWaitDomainGone(virConnectPtr conn, virDomainPtr dom,
                  double deadline_seconds, const char *phase,
                  tdxProgressFunc progress, gpointer opaque,
                  GError **error)
{
    tdxWaiter *waiter = g_atomic_rc_box_new0(tdxWaiter);
    gint64 start = g_get_monotonic_time();
    gint64 deadline = start + (gint64) (deadline_seconds * G_USEC_PER_SEC);
    gint64 next_recheck = start + TDX_WAIT_RECHECK_USEC;
    const char *name = virDomainGetName(dom);
    gboolean ret = FALSE;
    int callback;
    int gone;

    g_mutex_init(&waiter->lock);
    g_cond_init(&waiter->cond);

    callback = virConnectDomainEventRegisterAny(conn, dom,
                                                VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                VIR_DOMAIN_EVENT_CALLBACK(tdxWaitLifecycleEvent),
                                                g_atomic_rc_box_acquire(waiter),
                                                tdxWaiterUnref);
    if (callback < 0) {
        tdxWaiterUnref(waiter);
        tdxLibvirtError(error, "cannot watch domain '%s'", name);
        goto cleanup;
    }

    /* The domain may have stopped before the callback was in place. */
    if ((gone = tdxDomainCheckGone(dom, error)) != 0) {
        ret = gone > 0;
        goto cleanup;
    }

    for (;;) {
        gint64 now = g_get_monotonic_time();
        gint64 wake = MIN(deadline, now + TDX_WAIT_TICK_USEC);

        g_mutex_lock(&waiter->lock);
        while (!waiter->gone && g_cond_wait_until(&waiter->cond, &waiter->lock, wake))
            ;
        gone = waiter->gone;
        g_mutex_unlock(&waiter->lock);
        if (gone) {
            ret = TRUE;
            break;
        }

        now = g_get_monotonic_time();
        if (virConnectIsAlive(conn) != 1) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_CONNECTION,
                        "lost the connection to libvirt while waiting for "
                        "domain '%s' to go away", name);
            break;
        }
        if (now >= next_recheck || now >= deadline) {
            next_recheck = now + TDX_WAIT_RECHECK_USEC;
            if ((gone = tdxDomainCheckGone(dom, error)) != 0) {
                ret = gone > 0;
                break;
            }
        }
        if (now >= deadline) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_TIMEOUT,
                        "domain '%s' still present after %.0f s",
                        name, deadline_seconds);
            break;
        }
        if (progress)
            progress(name, phase, (now - start) / (double) G_USEC_PER_SEC,
                     deadline_seconds, opaque);
    }

 cleanup:
    if (callback >= 0)
        virConnectDomainEventDeregisterAny(conn, callback);
    tdxWaiterUnref(waiter);
    return ret;
}
