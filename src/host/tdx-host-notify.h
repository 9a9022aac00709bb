/*
 * tdx-host-notify.h: telling systemd and its journal how shutdown-host goes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run as the ExecStop= of libvirt-tdx-shutdown.service, the orchestrator is
 * the control process of a stopping unit: systemd shows its STATUS= in
 * systemctl status and the console, and kills it when TimeoutStopSec=
 * passes unless EXTEND_TIMEOUT_USEC= keeps pushing that out. Both are
 * no-ops without $NOTIFY_SOCKET (an interactive run).
 */
#pragma once

#include "tdx-host-plan.h"

/* MESSAGE_IDs of our journal entries (journalctl MESSAGE_ID=...). */
#define TDX_HOST_JOURNAL_DOMAIN_ID "3b77209a6d6c4af5aa0e5a56055c6b7d"
#define TDX_HOST_JOURNAL_SUMMARY_ID "6f5a338443b349d39adc8b03086a6fd3"

/* STATUS=@status, and when @extend_usec > 0 EXTEND_TIMEOUT_USEC=@extend_usec:
 * "allow me that much longer from now", so it must be sent again before
 * it runs out; a run that hangs stops sending and is killed. */
void tdxHostNotify(const char *status, gint64 extend_usec);

/* The status line of a run whose deadline is @deadline_usec: to systemd
 * with EXTEND_TIMEOUT_USEC= reaching TDX_HOST_DEADLINE_BOUND_SECONDS past
 * the run's own bound (so systemd never kills a run that keeps its
 * promise), and to @options->status. Every phase sends it, the first one
 * before connecting to libvirt. */
void tdxHostStatus(const tdxHostOptions *options, gint64 deadline_usec,
                   const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* One structured entry per domain: TDX_DOMAIN=, TDX_PATH=, TDX_OUTCOME=,
 * TDX_TOTAL_MS= (only for a guest that is gone) and each phase's
 * TDX_*_MS=; TDX_WARNINGS= when something did not go as configured. The run writes it as soon as
 * the domain's outcome is known, so that a run killed by systemd leaves
 * what it knew; @domain must not change meanwhile. */
void tdxHostJournalDomain(const tdxHostDomain *domain);
void tdxHostJournalSummary(const tdxHostPlan *plan, const char *summary, int exit_code);
