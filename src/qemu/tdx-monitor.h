/*
 * tdx-monitor.h: a bounded QMP round trip to a running QEMU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Production code reaches QEMU only through libvirt's monitor passthrough
 * (virDomainQemuMonitorCommand). The transport is a function pointer so that
 * tests can put a scripted QMP peer behind the same interface for the replies
 * only TDX hardware produces, as libvirt's qemumonitortestutils does.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libvirt/libvirt.h>

typedef struct _tdxMonitor tdxMonitor;

/* Send one QMP command (JSON text) and return the complete reply (JSON
 * text). May block for as long as QEMU does: callers bound it. */
typedef char *(*tdxMonitorSendFunc)(gpointer data, const char *command,
                                    GError **error);

tdxMonitor *tdxMonitorNew(tdxMonitorSendFunc send, gpointer data,
                          GDestroyNotify free_data);
tdxMonitor *tdxMonitorNewLibvirt(virDomainPtr dom);
tdxMonitor *tdxMonitorRef(tdxMonitor *mon);
void tdxMonitorUnref(tdxMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxMonitor, tdxMonitorUnref);

/* Run @execute with @arguments (may be NULL, not consumed) and return the
 * "return" member of the reply. When QEMU does not answer within
 * @timeout_ms this fails with TDX_ERROR_MONITOR_TIMEOUT; the call is then
 * abandoned, not cancelled (libvirt's API cannot cancel it), and finishes
 * on its own thread once QEMU answers or goes away. */
JsonNode *tdxMonitorExecute(tdxMonitor *mon, const char *execute,
                            JsonObject *arguments, guint timeout_ms,
                            GError **error);

/* Builds the monitor for a domain; lets callers substitute the transport. */
typedef tdxMonitor *(*tdxMonitorFactory)(virDomainPtr dom, gpointer opaque);
