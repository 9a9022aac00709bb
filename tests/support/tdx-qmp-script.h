/*
 * tdx-qmp-script.h: a scripted QMP peer behind the tdxMonitor interface
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * No machine here runs a TD, so the replies only TDX hardware produces
 * (a tdx-guest object, a successful tdx-terminate, EBUSY from KVM, a monitor
 * that never answers) come from a script, the way libvirt's
 * qemumonitortestutils scripts its monitor. Everything the script does not
 * cover goes to the real QEMU through libvirt, so a test still drives a real
 * guest.
 */
#pragma once

#include "tdx-monitor.h"

typedef struct _tdxQmpScript tdxQmpScript;

tdxQmpScript *tdxQmpScriptNew(void);
/* Releases hung calls first, so abandoned monitor threads can finish. */
void tdxQmpScriptFree(tdxQmpScript *script);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxQmpScript, tdxQmpScriptFree);

/* Rules apply to the domain named @domain (NULL: any), first match wins,
 * @times is how often a rule fires (0: forever). */
void tdxQmpScriptReply(tdxQmpScript *script, const char *domain,
                       const char *execute, const char *reply, guint times);
/* Never answer @execute, until the script is freed or released. */
void tdxQmpScriptHang(tdxQmpScript *script, const char *domain, const char *execute);
/* Make the real QEMU of @domain look like a TD that offers tdx-terminate:
 * the real qom-list and query-commands replies gain a tdx-guest object and
 * the command, qom-get (terminate-supported) answers true; tdx-terminate
 * itself answers @terminate_reply. */
void tdxQmpScriptMakeTD(tdxQmpScript *script, const char *domain,
                        gboolean offers_terminate, const char *terminate_reply);
void tdxQmpScriptRelease(tdxQmpScript *script);

/* How many times @execute reached the peer for @domain (NULL: any). */
guint tdxQmpScriptCount(tdxQmpScript *script, const char *domain, const char *execute);

/* A tdxMonitorFactory: pass the script as @opaque. */
tdxMonitor *tdxQmpScriptMonitorNew(virDomainPtr dom, gpointer opaque);

/* Same, without a real QEMU behind: unscripted commands get the
 * CommandNotFound error QEMU would give. For unit tests. */
tdxMonitor *tdxQmpScriptMonitorNewOffline(tdxQmpScript *script, const char *domain);
