/*
 * tdx-wait.h: waiting for a domain to be really gone
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

/* Called about once a second while waiting, from the waiting thread. */
typedef void (*tdxProgressFunc)(const char *domain, const char *phase,
                                double elapsed_seconds, double deadline_seconds,
                                gpointer opaque);

/* Wait until @dom is no longer running: woken by libvirt's lifecycle
 * events, with a slow re-check as a safety net in case an event is lost.
 * Fails with TDX_ERROR_TIMEOUT when @deadline_seconds pass first and with
 * TDX_ERROR_CONNECTION when the daemon goes away meanwhile. */
gboolean tdxWaitDomainGone(virConnectPtr conn, virDomainPtr dom,
                           double deadline_seconds, const char *phase,
                           tdxProgressFunc progress, gpointer opaque,
                           GError **error);
