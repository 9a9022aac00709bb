/*
 * tdx-wait.h: waiting for a domain to be really gone
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

/* Called from the thread doing the work: with elapsed 0 and deadline 0
 * when a phase of a domain's teardown starts (tdxPhaseToString() names),
 * about once a second while waiting with the wait's deadline, and once
 * with TDX_PROGRESS_DONE when the teardown of that domain has ended. */
typedef void (*tdxProgressFunc)(const char *domain, const char *phase,
                                double elapsed_seconds, double deadline_seconds,
                                gpointer opaque);

#define TDX_PROGRESS_DONE "done"

/* Wait until @dom is no longer running: woken by libvirt's lifecycle
 * events, with a slow re-check as a safety net in case an event is lost.
 * Fails with TDX_ERROR_TIMEOUT when @deadline_seconds pass first and with
 * TDX_ERROR_CONNECTION when the daemon goes away meanwhile. */
gboolean tdxWaitDomainGone(virConnectPtr conn, virDomainPtr dom,
                           double deadline_seconds, const char *phase,
                           tdxProgressFunc progress, gpointer opaque,
                           GError **error);
