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


void
tdxHostStatus(const tdxHostOptions *options, gint64 deadline_usec, const char *fmt, ...)
{
    g_autofree char *line = NULL;
    gint64 left = deadline_usec - g_get_monotonic_time();
    va_list args;

    va_start(args, fmt);
    line = g_strdup_vprintf(fmt, args);
    va_end(args);

    tdxHostNotify(line, MAX(left, 0) + 2 * TDX_HOST_DEADLINE_BOUND_SECONDS * G_USEC_PER_SEC);
    if (options->status)
        options->status(line, options->status_opaque);
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
    g_autofree char *warnings = NULL;
    int priority = LOG_INFO;

    if (domain->warnings && domain->warnings->len > 0) {
        GString *text = g_string_new(NULL);
        guint i;

        for (i = 0; i < domain->warnings->len; i++)
            g_string_append_printf(text, "%s%s", i ? "; " : "",
                                   (const char *) g_ptr_array_index(domain->warnings, i));
        warnings = g_string_free(text, FALSE);
        priority = LOG_WARNING;
    }

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
                    "TDX_WARNINGS=%s", warnings ? warnings : "",
                    /* Last on purpose: a guest that is not gone has no
                     * total, and a NULL format ends the fields. */
                    total_ms >= 0 ? "TDX_TOTAL_MS=%" G_GINT64_FORMAT : NULL, total_ms,
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
