/*
 * tdx-libvirt.h: the connection to libvirt, its event loop and its errors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "tdx-error.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConnect, virConnectClose);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree);

/* Process-wide set-up, once, before threads: see tdx-libvirt.c.
 * Lifecycle events are only delivered when an event loop implementation is
 * registered before the connection is opened and something runs it. We run
 * libvirt's default implementation on a thread of our own, so that waiting
 * for a domain never needs the caller's main loop. */
void tdxEventLoopEnsure(void);

/* Open @uri (NULL: libvirt's default) read-write with the event loop running.
 * A keepalive makes a daemon that dies or hangs visible within seconds
 * instead of leaving us blocked in an RPC. */
virConnectPtr tdxConnectionOpen(const char *uri, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virError, virFreeError);

/* Set @error from libvirt's last error of this thread, prefixed with the
 * printf-style message that follows, choosing the tdxErrorCode from
 * libvirt's code.
 *
 * A macro because libvirt resets its per-thread last error on entry to
 * almost every public call, virDomainGetName() and virConnectIsAlive()
 * included: an argument such as virDomainGetName(dom) would otherwise be
 * evaluated first and wipe the very error being reported ("unknown
 * libvirt error", exit 1 instead of 4). The copy is taken before any
 * argument is evaluated. Code that must call libvirt between the failure
 * and the report takes the copy itself (virSaveLastError()) and uses
 * tdxLibvirtErrorFrom(). */
#define tdxLibvirtError(error, ...) \
    do { \
        g_autoptr(virError) tdx_saved_error_ = virSaveLastError(); \
        tdxLibvirtErrorFrom(tdx_saved_error_, (error), __VA_ARGS__); \
    } while (0)

/* The same from a saved error (NULL, or VIR_ERR_OK: "unknown"). */
void tdxLibvirtErrorFrom(const virError *err, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* Whether libvirt's last error says the domain is gone (no such domain,
 * or not running any more): used where that means success. */
gboolean tdxLibvirtErrorIsDomainGone(const virError *err);

/* Whether libvirt's last error is its "Failed to terminate process ...:
 * Device or resource busy", which it reports after ~15 s of SIGKILL while
 * the kernel is still reclaiming a large guest's memory. */
gboolean tdxLibvirtErrorIsKillBusy(const virError *err);

/* 1: @dom no longer runs (or no longer exists), 0: it runs,
 * -1: cannot tell, @error set (e.g. the daemon is gone). */
int tdxDomainCheckGone(virDomainPtr dom, GError **error);

/* The calling worker thread's own connection to @shared's URI, opened on
 * first use and closed when the thread ends; @shared itself when another
 * connection cannot be had. On one shared connection libvirt makes every
 * event callback (de)registration, which each wait for "gone" does, wait for
 * the other threads' destroy calls in flight: ~200 ms per teardown. */
virConnectPtr tdxConnectionForThread(virConnectPtr shared);
