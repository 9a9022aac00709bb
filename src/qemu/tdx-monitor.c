/*
 * tdx-monitor.c: a bounded QMP round trip to a running QEMU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <libvirt/libvirt-qemu.h>

#include "tdx-monitor.h"
#include "tdx-libvirt.h"
#include "tdx-qmp.h"

struct _tdxMonitor {
    tdxMonitorSendFunc send;
    gpointer data;
    GDestroyNotify free_data;
};

/* Shared between the caller and the worker thread; whichever lets go last
 * frees it, so an abandoned call cannot touch freed memory. */
typedef struct {
    GMutex lock;
    GCond cond;
    gboolean done;
    tdxMonitor *mon;
    char *command;
    char *reply;
    GError *error;
} tdxMonitorCall;


static void
tdxMonitorFree(tdxMonitor *mon)
{
    if (mon->free_data)
        mon->free_data(mon->data);
}


tdxMonitor *
tdxMonitorNew(tdxMonitorSendFunc send, gpointer data, GDestroyNotify free_data)
{
    tdxMonitor *mon = g_atomic_rc_box_new0(tdxMonitor);

    mon->send = send;
    mon->data = data;
    mon->free_data = free_data;
    return mon;
}


tdxMonitor *
tdxMonitorRef(tdxMonitor *mon)
{
    return g_atomic_rc_box_acquire(mon);
}


void
tdxMonitorUnref(tdxMonitor *mon)
{
    g_atomic_rc_box_release_full(mon, (GDestroyNotify) tdxMonitorFree);
}


static char *
tdxMonitorLibvirtSend(gpointer data, const char *command, GError **error)
{
    virDomainPtr dom = data;
    char *reply = NULL;

    /* libvirt returns 0 for a QMP-level error: the error object is in
     * @reply and tdxQmpReplyParse() reads it. */
    if (virDomainQemuMonitorCommand(dom, command, &reply, 0) < 0) {
        tdxLibvirtError(error, "QEMU monitor of domain '%s'",
                        virDomainGetName(dom));
        return NULL;
    }
    return reply;
}


static void
tdxMonitorLibvirtFree(gpointer data)
{
    virDomainFree(data);
}


tdxMonitor *
tdxMonitorNewLibvirt(virDomainPtr dom)
{
    virDomainRef(dom);
    return tdxMonitorNew(tdxMonitorLibvirtSend, dom, tdxMonitorLibvirtFree);
}


static void
tdxMonitorCallClear(tdxMonitorCall *call)
{
    tdxMonitorUnref(call->mon);
    g_free(call->command);
    g_free(call->reply);
    g_clear_error(&call->error);
    g_mutex_clear(&call->lock);
    g_cond_clear(&call->cond);
}


static void
tdxMonitorCallUnref(tdxMonitorCall *call)
{
    g_atomic_rc_box_release_full(call, (GDestroyNotify) tdxMonitorCallClear);
}


static gpointer
tdxMonitorCallRun(gpointer opaque)
{
    tdxMonitorCall *call = opaque;
    GError *error = NULL;
    char *reply;

    reply = call->mon->send(call->mon->data, call->command, &error);

    g_mutex_lock(&call->lock);
    call->reply = reply;
    call->error = error;
    call->done = TRUE;
    g_cond_signal(&call->cond);
    g_mutex_unlock(&call->lock);

    tdxMonitorCallUnref(call);
    return NULL;
}


JsonNode *
tdxMonitorExecute(tdxMonitor *mon, const char *execute,
                  JsonObject *arguments, guint timeout_ms, GError **error)
{
    tdxMonitorCall *call = g_atomic_rc_box_new0(tdxMonitorCall);
    gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_autofree char *reply = NULL;
    GError *send_error = NULL;
    gboolean done;

    g_mutex_init(&call->lock);
    g_cond_init(&call->cond);
    call->mon = tdxMonitorRef(mon);
    call->command = tdxQmpCommandBuild(execute, arguments);

    g_thread_unref(g_thread_new("qmp", tdxMonitorCallRun,
                                g_atomic_rc_box_acquire(call)));

    g_mutex_lock(&call->lock);
    while (!call->done) {
        if (!g_cond_wait_until(&call->cond, &call->lock, deadline))
            break;
    }
    done = call->done;
    if (done) {
        reply = g_steal_pointer(&call->reply);
        send_error = g_steal_pointer(&call->error);
    }
    g_mutex_unlock(&call->lock);
    tdxMonitorCallUnref(call);

    if (!done) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_MONITOR_TIMEOUT,
                    "QEMU did not answer '%s' within %u ms", execute, timeout_ms);
        return NULL;
    }
    if (send_error) {
        g_propagate_error(error, send_error);
        return NULL;
    }
    return tdxQmpReplyParse(execute, reply, error);
}
