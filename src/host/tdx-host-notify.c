/*
 * tdx-host-notify.c: telling systemd and its journal how shutdown-host goes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "tdx-host-notify.h"
#include "tdx-error.h"


void
tdxHostNotify(const char *status, gint64 extend_usec)
{
    g_autofree char *message = NULL;

    /* systemd shows STATUS= on one line. */
    if (extend_usec > 0)
        message = g_strdup_printf("STATUS=%s\nEXTEND_TIMEOUT_USEC=%" G_GINT64_FORMAT,
                                  status, extend_usec);
    else
        message = g_strdup_printf("STATUS=%s", status);
    /* Failing to notify must not fail a host shutdown. */
    sd_notify(0, message);
}


static gint64
tdxHostDomainPhaseMs(const tdxHostDomain *domain, tdxPhase phase)
{
    return domain->destroy ? domain->destroy->phase_usec[phase] / 1000 : 0;
}


void
tdxHostJournalDomain(const tdxHostDomain *domain)
{
    const char *outcome = tdxHostOutcomeToString(domain->outcome);
    const char *path = domain->outcome == TDX_HOST_OUTCOME_LEFT
                       ? "left" : tdxDestroyPathToString(domain->path);
    gint64 total_ms = domain->end_usec >= 0 ? domain->end_usec / 1000 : -1;
    int priority = LOG_INFO;

    if (domain->outcome == TDX_HOST_OUTCOME_FAILED ||
        domain->outcome == TDX_HOST_OUTCOME_NOT_STARTED ||
        domain->outcome == TDX_HOST_OUTCOME_ABANDONED)
        priority = LOG_ERR;

    sd_journal_send("MESSAGE=shutdown-host: %s %s: %s via %s%s%s",
                    domain->is_td ? "TD" : "guest", domain->name, outcome, path,
                    domain->error ? ": " : "",
                    domain->error ? domain->error->message : "",
                    "MESSAGE_ID=" TDX_HOST_JOURNAL_DOMAIN_ID,
                    "PRIORITY=%d", priority,
                    "TDX_DOMAIN=%s", domain->name,
                    "TDX_UUID=%s", domain->uuid ? domain->uuid : "",
                    "TDX_IS_TD=%d", domain->is_td ? 1 : 0,
                    "TDX_ACTION=%s", tdxHostActionToString(domain->action),
                    "TDX_PATH=%s", path,
                    "TDX_OUTCOME=%s", outcome,
                    "TDX_ORDER=%u", domain->order,
                    "TDX_MEMORY_KIB=%" G_GUINT64_FORMAT, domain->memory_kib,
                    "TDX_ESTIMATE_MS=%" G_GINT64_FORMAT,
                    (gint64) (domain->estimate_seconds * 1000),
                    "TDX_GRACEFUL_MS=%" G_GINT64_FORMAT, domain->graceful_usec / 1000,
                    "TDX_START_MS=%" G_GINT64_FORMAT,
                    domain->start_usec >= 0 ? domain->start_usec / 1000 : -1,
                    "TDX_PROBE_MS=%" G_GINT64_FORMAT,
                    tdxHostDomainPhaseMs(domain, TDX_PHASE_PROBE),
                    "TDX_TERMINATE_MS=%" G_GINT64_FORMAT,
                    tdxHostDomainPhaseMs(domain, TDX_PHASE_TERMINATE),
                    "TDX_DESTROY_MS=%" G_GINT64_FORMAT,
                    tdxHostDomainPhaseMs(domain, TDX_PHASE_DESTROY),
                    "TDX_RECLAIM_MS=%" G_GINT64_FORMAT,
                    tdxHostDomainPhaseMs(domain, TDX_PHASE_RECLAIM),
                    "TDX_TOTAL_MS=%" G_GINT64_FORMAT, total_ms,
                    NULL);
}


void
tdxHostJournalSummary(const tdxHostPlan *plan, const char *summary, int exit_code)
{
    sd_journal_send("MESSAGE=shutdown-host: %s", summary,
                    "MESSAGE_ID=" TDX_HOST_JOURNAL_SUMMARY_ID,
                    "PRIORITY=%d", exit_code == TDX_EXIT_OK ? LOG_NOTICE : LOG_ERR,
                    "TDX_JOBS=%u", plan->jobs,
                    "TDX_DEADLINE_MS=%" G_GINT64_FORMAT,
                    (gint64) plan->deadline_seconds * 1000,
                    "TDX_TOTAL_MS=%" G_GINT64_FORMAT, plan->elapsed_usec / 1000,
                    "TDX_EXIT_CODE=%d", exit_code,
                    NULL);
}
