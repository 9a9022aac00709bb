/*
 * tdx-monitor.c: a bounded QMP round trip to a running QEMU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <libvirt/libvirt-qemu.h>

#include "tdx-monitor.h"
#include "tdx-libvirt.h"
#include "tdx-qmp.h"
#include "tdx-schedule.h"

struct _tdxMonitor {
    tdxMonitorSendFunc send;
    gpointer data;
    GDestroyNotify free_data;
};

/* One round trip, run on a tdxSchedule worker (the one concurrency model,
 * src/util/tdx-schedule.h): the schedule owns the call, so a call
 * abandoned at its timeout finishes on its worker without touching the
 * caller's memory. */
typedef struct {
    tdxMonitor *mon;
    char *command;
} tdxMonitorCall;

typedef struct {
    char *reply;
    GError *error;
} tdxMonitorAnswer;


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
tdxMonitorCallFree(gpointer opaque)
{
    tdxMonitorCall *call = opaque;

    tdxMonitorUnref(call->mon);
    g_free(call->command);
    g_free(call);
}


static void
tdxMonitorAnswerFree(gpointer opaque)
{
    tdxMonitorAnswer *answer = opaque;

    g_free(answer->reply);
    g_clear_error(&answer->error);
    g_free(answer);
}


static gpointer
tdxMonitorCallRun(const char *name G_GNUC_UNUSED, gpointer opaque)
{
    tdxMonitorCall *call = opaque;
    tdxMonitorAnswer *answer = g_new0(tdxMonitorAnswer, 1);

    answer->reply = call->mon->send(call->mon->data, call->command, &answer->error);
    return answer;
}


JsonNode *
tdxMonitorExecute(tdxMonitor *mon, const char *execute,
                  JsonObject *arguments, guint timeout_ms, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
    tdxMonitorCall *call = g_new0(tdxMonitorCall, 1);
    g_autoptr(tdxSchedule) schedule = NULL;
    tdxMonitorAnswer *answer;

    call->mon = tdxMonitorRef(mon);
    call->command = tdxQmpCommandBuild(execute, arguments);
    schedule = tdxScheduleNew(1, tdxMonitorCallRun, call, tdxMonitorCallFree,
                              tdxMonitorAnswerFree);
    tdxScheduleAdd(schedule, execute, 0, 0);
    tdxScheduleRun(schedule, 0, deadline, 0, NULL, NULL);

    if (!(answer = tdxScheduleResult(schedule, 0))) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_MONITOR_TIMEOUT,
                    "QEMU did not answer '%s' within %u ms", execute, timeout_ms);
        return NULL;
    }
    if (answer->error) {
        g_propagate_error(error, g_steal_pointer(&answer->error));
        return NULL;
    }
    return tdxQmpReplyParse(execute, answer->reply, error);
}
