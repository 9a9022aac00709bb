/*
 * tdx-host-plan.c: what shutdown-host will do with each running domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "tdx-host-plan.h"
#include "tdx-escape.h"
#include "tdx-table.h"
#include "tdx-host-notify.h"
#include "tdx-schedule.h"
#include "tdx-error.h"
#include "tdx-inspect.h"
#include "tdx-libvirt.h"
#include "tdx-result.h"

/* Inspections wait on QEMU monitors, not on CPUs. */
#define TDX_HOST_INSPECT_THREADS 32

/* Slack on top of the probe's own bound for the XML and state RPCs. */
#define TDX_HOST_INSPECT_SLACK_USEC G_USEC_PER_SEC

/* What every inspection worker shares; owned by the schedule, so it
 * outlives a worker abandoned at the bound. */
typedef struct {
    tdxConfig config;
    tdxMonitorFactory monitor_new;
    gpointer monitor_opaque;
    GHashTable *doms;       /* uuid -> virDomainPtr */
} tdxHostInspectWork;

typedef struct {
    tdxDomainInfo *info;
    GError *error;
} tdxHostInspectResult;


static void
tdxHostInspectWorkFree(gpointer opaque)
{
    tdxHostInspectWork *work = opaque;

    g_free(work->config.uri);
    g_hash_table_unref(work->doms);
    g_free(work);
}


static void
tdxHostInspectResultFree(tdxHostInspectResult *result)
{
    tdxDomainInfoFree(result->info);
    g_clear_error(&result->error);
    g_free(result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxHostInspectResult, tdxHostInspectResultFree);


static void
tdxHostDomainUnref(gpointer dom)
{
    virDomainFree(dom);
}


static gpointer
tdxHostInspectRun(const char *uuid, gpointer opaque)
{
    tdxHostInspectWork *work = opaque;
    tdxHostInspectResult *result = g_new0(tdxHostInspectResult, 1);

    result->info = tdxDomainInspect(g_hash_table_lookup(work->doms, uuid), &work->config,
                                    TRUE, work->monitor_new, work->monitor_opaque,
                                    &result->error);
    return result;
}


typedef struct {
    const tdxHostOptions *options;
    gint64 deadline_usec;
} tdxHostInspectTick;


static void
tdxHostInspectStatus(tdxSchedule *schedule, gpointer opaque)
{
    tdxHostInspectTick *tick = opaque;
    guint done;
    guint running;
    guint waiting;
    guint cancelled;

    tdxScheduleCounts(schedule, &done, &running, &waiting, &cancelled);
    tdxHostStatus(tick->options, tick->deadline_usec,
                  "inspecting: %u of %u guests done; deadline in %.0f s", done,
                  tdxScheduleSize(schedule),
                  MAX(0, tick->deadline_usec - g_get_monotonic_time()) / (double) G_USEC_PER_SEC);
}


void
tdxHostOptionsInit(tdxHostOptions *options, const tdxConfig *config)
{
    *options = (tdxHostOptions) {
        .config = config,
        .graceful = TDX_GRACEFUL_POLICY,
        .grace_seconds = -1,
        .non_td = -1,
    };
}


guint
tdxHostOptionsDeadlineSeconds(const tdxHostOptions *options)
{
    return options->deadline_seconds > 0 ? options->deadline_seconds
                                         : options->config->host_deadline_seconds;
}


gboolean
tdxHostCheckDeadline(const tdxConfig *config, guint deadline_seconds,
                     const char *what, GError **error)
{
    guint64 needed_ms = (guint64) TDX_CONFIG_DEADLINE_MONITOR_TIMEOUTS *
                        config->monitor_timeout_ms;

    if ((guint64) deadline_seconds * 1000 >= needed_ms)
        return TRUE;
    g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_ARG,
                "%s %u s is shorter than %u x [destroy] monitor-timeout-ms (%u ms): "
                "a hung QEMU could use up the whole deadline before any teardown "
                "starts; give at least %" G_GUINT64_FORMAT " s or lower "
                "monitor-timeout-ms", what, deadline_seconds,
                TDX_CONFIG_DEADLINE_MONITOR_TIMEOUTS, config->monitor_timeout_ms,
                (needed_ms + 999) / 1000);
    return FALSE;
}


void
tdxHostDomainFree(tdxHostDomain *domain)
{
    if (!domain)
        return;
    g_clear_pointer(&domain->warnings, g_ptr_array_unref);
    g_free(domain->name);
    g_free(domain->uuid);
    tdxDestroyResultFree(domain->destroy);
    g_clear_error(&domain->error);
    g_free(domain);
}


void
tdxHostPlanFree(tdxHostPlan *plan)
{
    if (!plan)
        return;
    g_ptr_array_unref(plan->domains);
    g_clear_error(&plan->error);
    g_free(plan);
}


static void
tdxHostPlanDecide(tdxHostDomain *domain, const tdxDomainInfo *info,
                  const tdxHostOptions *options, tdxHostNonTdAction non_td)
{
    const tdxConfig *config = options->config;
    const tdxPolicy *policy = &info->def->policy;

    if (info->def->policy_error) {
        domain->bad_policy = TRUE;
        /* At host shutdown a typo must never keep a guest alive: loudly,
         * then the host configuration (the policy is all unset). */
        g_warning("domain '%s': %s; tearing it down with the host configuration",
                  domain->name, info->def->policy_error->message);
        g_ptr_array_add(domain->warnings,
                        g_strdup_printf("unusable policy (%s); host configuration used",
                                        info->def->policy_error->message));
    }

    domain->is_td = tdxDomainInfoIsTD(info);
    domain->id = info->def->id;
    domain->probed = info->probed;
    /* Did not answer at all (a QEMU that answers with an error, e.g. an
     * old one without our commands, is not a sick one). */
    if (info->running && !info->probed &&
        (g_error_matches(info->probe_error, TDX_ERROR, TDX_ERROR_MONITOR_TIMEOUT) ||
         g_error_matches(info->probe_error, TDX_ERROR, TDX_ERROR_TIMEOUT))) {
        domain->unresponsive = TRUE;
        g_ptr_array_add(domain->warnings,
                        g_strdup_printf("its QEMU did not answer (%s); torn down after "
                                        "the guests whose QEMU does",
                                        info->probe_error ? info->probe_error->message
                                                          : "not probed"));
    }
    domain->probe = info->probe;
    domain->has_terminate = info->probed && tdxProbeCanTerminate(&info->probe);
    domain->memory_kib = info->def->memory_kib;
    domain->priority = policy->priority_set ? policy->priority : 0;
    domain->estimate_seconds = tdxDomainInfoEstimate(info);
    domain->estimate_terminate_seconds = info->estimate_terminate_seconds;
    domain->estimate_plain_seconds = domain->is_td ? info->estimate_plain_seconds
                                                   : info->estimate_terminate_seconds;

    if (domain->is_td) {
        domain->action = TDX_HOST_ACTION_TERMINATE;
    } else {
        switch (non_td) {
        case TDX_HOST_NON_TD_LEAVE:
            domain->action = TDX_HOST_ACTION_LEAVE;
            return;
        case TDX_HOST_NON_TD_SHUTDOWN:
            domain->action = TDX_HOST_ACTION_SHUTDOWN;
            break;
        case TDX_HOST_NON_TD_DESTROY:
            domain->action = TDX_HOST_ACTION_DESTROY;
            break;
        }
    }

    /* The owner's metadata outranks the host default; the command line
     * outranks both, as it does for destroy. */
    if (options->grace_seconds >= 0)
        domain->grace_seconds = (guint) options->grace_seconds;
    else if (policy->grace_seconds_set)
        domain->grace_seconds = policy->grace_seconds;
    else
        domain->grace_seconds = config->host_grace_seconds;

    switch (options->graceful) {
    case TDX_GRACEFUL_ALWAYS:
        domain->graceful = TRUE;
        break;
    case TDX_GRACEFUL_NEVER:
        domain->graceful = FALSE;
        break;
    case TDX_GRACEFUL_POLICY:
        domain->graceful = policy->graceful_set ? policy->graceful
                                                : config->host_graceful;
        break;
    }
    /* Shutting them down is what non-td=shutdown means. */
    if (domain->action == TDX_HOST_ACTION_SHUTDOWN && options->graceful != TDX_GRACEFUL_NEVER)
        domain->graceful = TRUE;
    if (domain->grace_seconds == 0)
        domain->graceful = FALSE;
}


static gint
tdxHostPlanCompareDouble(gconstpointer a, gconstpointer b, gpointer opaque G_GNUC_UNUSED)
{
    double da = *(const double *) a;
    double db = *(const double *) b;

    return da > db ? -1 : da < db ? 1 : 0;
}


static gint
tdxHostPlanCompareOrder(gconstpointer a, gconstpointer b)
{
    const tdxHostDomain *da = *(const tdxHostDomain * const *) a;
    const tdxHostDomain *db = *(const tdxHostDomain * const *) b;

    /* Scheduled ones in their order, the others after them by name. */
    if ((da->order == 0) != (db->order == 0))
        return da->order == 0 ? 1 : -1;
    if (da->order != db->order)
        return da->order < db->order ? -1 : 1;
    return g_strcmp0(da->name, db->name);
}


/* Order and model the teardown with the scheduler's own sort. */
static void
tdxHostPlanOrder(tdxHostPlan *plan)
{
    g_autoptr(tdxSchedule) schedule = tdxScheduleNew(plan->jobs, NULL, NULL,
                                                             NULL, NULL);
    g_autoptr(GHashTable) by_uuid = g_hash_table_new(g_str_hash, g_str_equal);
    g_autofree double *expected = NULL;
    g_autofree double *terminate = NULL;
    g_autofree double *plain = NULL;
    g_autofree double *starts = NULL;
    guint n;
    guint i;

    for (i = 0; i < plan->domains->len; i++) {
        tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        if (domain->action == TDX_HOST_ACTION_LEAVE || domain->action == TDX_HOST_ACTION_NONE)
            continue;
        if (domain->graceful)
            plan->graceful_seconds = MAX(plan->graceful_seconds, domain->grace_seconds);
        tdxScheduleAddFull(schedule, domain->uuid, domain->name,
                               domain->estimate_seconds, domain->priority, 0);
        if (domain->unresponsive)
            tdxScheduleDefer(schedule, domain->uuid);
        g_hash_table_insert(by_uuid, domain->uuid, domain);
    }
    tdxScheduleSort(schedule);

    n = tdxScheduleSize(schedule);
    expected = g_new0(double, MAX(n, 1));
    terminate = g_new0(double, MAX(n, 1));
    plain = g_new0(double, MAX(n, 1));
    starts = g_new0(double, MAX(n, 1));
    for (i = 0; i < n; i++) {
        tdxHostDomain *domain = g_hash_table_lookup(by_uuid, tdxScheduleName(schedule, i));

        domain->order = i + 1;
        expected[i] = domain->estimate_seconds;
        terminate[i] = domain->estimate_terminate_seconds;
        plain[i] = domain->estimate_plain_seconds;
        plan->sequential_plain_seconds += plain[i];
    }
    plan->makespan_seconds = tdxScheduleMakespan(expected, n, plan->jobs, starts);
    for (i = 0; i < n; i++) {
        tdxHostDomain *domain = g_hash_table_lookup(by_uuid, tdxScheduleName(schedule, i));

        domain->planned_start_seconds = starts[i];
    }
    /* The what-if models order their own figures, longest first. */
    g_qsort_with_data(terminate, n, sizeof(double), tdxHostPlanCompareDouble, NULL);
    plan->makespan_terminate_seconds = tdxScheduleMakespan(terminate, n, plan->jobs, NULL);
    g_qsort_with_data(plain, n, sizeof(double), tdxHostPlanCompareDouble, NULL);
    plan->makespan_plain_seconds = tdxScheduleMakespan(plain, n, plan->jobs, NULL);

    g_ptr_array_sort(plan->domains, tdxHostPlanCompareOrder);
}


/* A domain whose inspection did not end in time (a QEMU or libvirt that
 * does not answer): what it is cannot be known, so it is taken for a TD
 * and torn down; its teardown asks again, within the deadline. */
static void
tdxHostPlanAssume(tdxHostDomain *domain, const tdxHostOptions *options, guint bound_ms)
{
    const tdxConfig *config = options->config;

    g_warning("domain '%s': no answer within %u ms while inspecting it; "
              "tearing it down as a TD", domain->name, bound_ms);
    g_ptr_array_add(domain->warnings,
                    g_strdup_printf("not inspected within %u ms; taken for a TD", bound_ms));
    domain->is_td = TRUE;
    domain->unresponsive = TRUE;
    domain->id = -1;
    domain->action = TDX_HOST_ACTION_TERMINATE;
    domain->priority = 0;
    domain->grace_seconds = options->grace_seconds >= 0 ? (guint) options->grace_seconds
                                                        : config->host_grace_seconds;
    domain->graceful = options->graceful == TDX_GRACEFUL_ALWAYS ||
                       (options->graceful == TDX_GRACEFUL_POLICY && config->host_graceful);
    if (domain->grace_seconds == 0)
        domain->graceful = FALSE;
}


tdxHostPlan *
tdxHostPlanNew(virConnectPtr conn, const tdxHostOptions *options, GError **error)
{
    const tdxConfig *config = options->config;
    g_autoptr(tdxHostPlan) plan = g_new0(tdxHostPlan, 1);
    g_autoptr(tdxSchedule) schedule = NULL;
    tdxHostInspectWork *work;
    tdxHostInspectTick tick = { .options = options };
    virDomainPtr *doms = NULL;
    gint64 bound_usec;
    int ndoms;
    int i;

    plan->domains = g_ptr_array_new_with_free_func((GDestroyNotify) tdxHostDomainFree);
    plan->jobs = options->jobs > 0 ? options->jobs
                                   : config->jobs > 0 ? config->jobs : g_get_num_processors();
    plan->deadline_seconds = tdxHostOptionsDeadlineSeconds(options);
    plan->non_td = options->non_td >= 0 ? (tdxHostNonTdAction) options->non_td
                                        : config->host_non_td;
    plan->start_usec = options->start_usec > 0 ? options->start_usec : g_get_monotonic_time();
    plan->deadline_usec = plan->start_usec + (gint64) plan->deadline_seconds * G_USEC_PER_SEC;
    tick.deadline_usec = plan->deadline_usec;

    tdxHostStatus(options, plan->deadline_usec, "listing the running guests");
    if ((ndoms = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE)) < 0) {
        tdxLibvirtError(error, "cannot list the running domains");
        return NULL;
    }

    /* The inspections parse XML on many threads at once. */
    tdxEventLoopEnsure();

    work = g_new0(tdxHostInspectWork, 1);
    work->config = *config;
    work->config.uri = g_strdup(config->uri);
    work->monitor_new = options->monitor_new;
    work->monitor_opaque = options->monitor_opaque;
    work->doms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       tdxHostDomainUnref);
    schedule = tdxScheduleNew(MIN(MAX(ndoms, 1), TDX_HOST_INSPECT_THREADS), tdxHostInspectRun,
                              work, tdxHostInspectWorkFree,
                              (GDestroyNotify) tdxHostInspectResultFree);
    tdxScheduleSetOrder(schedule, TDX_SCHEDULE_AS_ADDED);

    for (i = 0; i < ndoms; i++) {
        tdxHostDomain *domain = g_new0(tdxHostDomain, 1);
        char uuid[VIR_UUID_STRING_BUFLEN];

        domain->warnings = g_ptr_array_new_with_free_func(g_free);
        domain->name = g_strdup(virDomainGetName(doms[i]));
        domain->start_usec = -1;
        domain->end_usec = -1;
        if (virDomainGetUUIDString(doms[i], uuid) == 0) {
            domain->uuid = g_strdup(uuid);
            g_hash_table_insert(work->doms, g_strdup(uuid), doms[i]);
            tdxScheduleAdd(schedule, uuid, 0, 0);
        } else {
            /* Everything after the plan works by UUID. */
            domain->action = TDX_HOST_ACTION_NONE;
            domain->outcome = TDX_HOST_OUTCOME_FAILED;
            tdxLibvirtError(&domain->error, "cannot read the UUID of domain '%s'",
                            domain->name);
            virDomainFree(doms[i]);
        }
        g_ptr_array_add(plan->domains, domain);
    }
    free(doms);

    /* Part of the deadline, and bounded: a probe ends at its first
     * monitor timeout, so an inspection that takes longer than two of
     * them is stuck in libvirt or QEMU and is not waited for. */
    bound_usec = MIN(plan->deadline_usec,
                     g_get_monotonic_time() + 2 * (gint64) config->monitor_timeout_ms * 1000 +
                     TDX_HOST_INSPECT_SLACK_USEC);
    tdxHostStatus(options, plan->deadline_usec, "inspecting %d guests", ndoms);
    tdxScheduleRun(schedule, bound_usec, bound_usec, G_USEC_PER_SEC,
                   tdxHostInspectStatus, &tick);

    for (i = 0; i < (int) plan->domains->len; i++) {
        tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);
        g_autoptr(tdxHostInspectResult) result = NULL;
        guint task;

        if (!domain->uuid)
            continue;
        for (task = 0; task < tdxScheduleSize(schedule); task++) {
            if (g_str_equal(tdxScheduleName(schedule, task), domain->uuid))
                break;
        }
        if (tdxScheduleState(schedule, task) != TDX_TASK_DONE) {
            tdxHostPlanAssume(domain, options,
                              (guint) ((bound_usec - plan->start_usec) / 1000));
            continue;
        }
        result = tdxScheduleStealResult(schedule, task);
        if (result->info && !result->info->running) {
            /* Stopped between the listing and the inspection. */
            g_ptr_array_remove_index(plan->domains, i--);
        } else if (result->info) {
            tdxHostPlanDecide(domain, result->info, options, plan->non_td);
        } else if (g_error_matches(result->error, TDX_ERROR, TDX_ERROR_NO_DOMAIN)) {
            g_ptr_array_remove_index(plan->domains, i--);
        } else {
            /* Unreadable XML, or libvirt would not say: we cannot tell a
             * TD from a plain guest, so it is reported, not guessed at. */
            domain->action = TDX_HOST_ACTION_NONE;
            domain->outcome = TDX_HOST_OUTCOME_FAILED;
            domain->error = g_steal_pointer(&result->error);
        }
    }

    tdxHostPlanOrder(plan);
    return g_steal_pointer(&plan);
}


int
tdxHostPlanDryRunExitCode(const tdxHostPlan *plan)
{
    int code = TDX_EXIT_OK;
    guint i;

    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);
        int item_code = TDX_EXIT_OK;

        if (domain->error)
            item_code = tdxErrorToExitCode(domain->error);
        else if (domain->bad_policy)
            item_code = TDX_EXIT_CONFIG;
        else if (domain->unresponsive)
            item_code = TDX_EXIT_FAILED;
        if (item_code == TDX_EXIT_OK)
            continue;
        if (code == TDX_EXIT_OK)
            code = item_code;
        else if (code != item_code)
            return TDX_EXIT_FAILED;
    }
    return code;
}


const char *
tdxHostActionToString(tdxHostAction action)
{
    switch (action) {
    case TDX_HOST_ACTION_TERMINATE: return "terminate";
    case TDX_HOST_ACTION_DESTROY: return "destroy";
    case TDX_HOST_ACTION_SHUTDOWN: return "shutdown";
    case TDX_HOST_ACTION_LEAVE: return "leave";
    case TDX_HOST_ACTION_NONE: return "none";
    }
    return "unknown";
}


const char *
tdxHostOutcomeToString(tdxHostOutcome outcome)
{
    switch (outcome) {
    case TDX_HOST_OUTCOME_PENDING: return "pending";
    case TDX_HOST_OUTCOME_GONE: return "gone";
    case TDX_HOST_OUTCOME_LEFT: return "left";
    case TDX_HOST_OUTCOME_FAILED: return "failed";
    case TDX_HOST_OUTCOME_NOT_STARTED: return "not-started";
    case TDX_HOST_OUTCOME_ABANDONED: return "abandoned";
    }
    return "unknown";
}


const tdxHostDomain *
tdxHostPlanFind(const tdxHostPlan *plan, const char *name)
{
    guint i;

    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        if (g_str_equal(domain->name, name))
            return domain;
    }
    return NULL;
}


static guint
tdxHostPlanCount(const tdxHostPlan *plan, gboolean td)
{
    guint count = 0;
    guint i;

    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        if (domain->is_td == td && domain->action != TDX_HOST_ACTION_NONE)
            count++;
    }
    return count;
}


char *
tdxHostPlanToText(const tdxHostPlan *plan)
{
    GString *text = g_string_new(NULL);
    g_autoptr(tdxTable) table = NULL;
    g_autofree char *rows = NULL;
    guint i;
    guint j;

    g_string_append_printf(text, "%u TDs and %u other guests running; "
                           "%u jobs, deadline %u s, non-td=%s\n\n",
                           tdxHostPlanCount(plan, TRUE), tdxHostPlanCount(plan, FALSE),
                           plan->jobs, plan->deadline_seconds,
                           tdxHostNonTdActionToString(plan->non_td));
    table = tdxTableNew();
    tdxTableAddColumn(table, "Order", TRUE);
    tdxTableAddColumn(table, "Name", FALSE);
    tdxTableAddColumn(table, "TD", FALSE);
    tdxTableAddColumn(table, "Memory", TRUE);
    tdxTableAddColumn(table, "Action", FALSE);
    tdxTableAddColumn(table, "Graceful", TRUE);
    tdxTableAddColumn(table, "Estimate", TRUE);
    tdxTableAddColumn(table, "Terminate", TRUE);
    tdxTableAddColumn(table, "NoTerminate", TRUE);
    tdxTableAddColumn(table, "Start", TRUE);
    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);
        g_autofree char *memory = g_format_size_full(domain->memory_kib * 1024,
                                                     G_FORMAT_SIZE_IEC_UNITS);

        tdxTableAddRow(table);
        if (domain->order)
            tdxTableSetPrintf(table, 0, "%u", domain->order);
        else
            tdxTableSet(table, 0, "-");
        tdxTableSet(table, 1, domain->name);
        if (domain->action == TDX_HOST_ACTION_NONE) {
            tdxTableSet(table, 4, "error");
            continue;
        }
        tdxTableSet(table, 2, domain->is_td ? "yes" : "no");
        tdxTableSet(table, 3, memory);
        tdxTableSet(table, 4, tdxHostActionToString(domain->action));
        if (domain->graceful)
            tdxTableSetPrintf(table, 5, "%u s", domain->grace_seconds);
        else
            tdxTableSet(table, 5, "no");
        tdxTableSetPrintf(table, 6, "%.1f s", domain->estimate_seconds);
        tdxTableSetPrintf(table, 7, "%.1f s", domain->estimate_terminate_seconds);
        tdxTableSetPrintf(table, 8, "%.1f s", domain->estimate_plain_seconds);
        if (domain->order)
            tdxTableSetPrintf(table, 9, "+%.1f s", domain->planned_start_seconds);
        else
            tdxTableSet(table, 9, "-");
    }
    rows = tdxTableToString(table);
    g_string_append(text, rows);

    /* Under the table, so that each guest stays one row. */
    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);
        g_autofree char *name = tdxEscapeText(domain->name);

        if (domain->action == TDX_HOST_ACTION_NONE && domain->error) {
            g_autofree char *message = tdxEscapeText(domain->error->message);

            g_string_append_printf(text, "%s: error: %s\n", name, message);
        }
        for (j = 0; domain->warnings && j < domain->warnings->len; j++) {
            g_autofree char *message = tdxEscapeText(g_ptr_array_index(domain->warnings, j));

            g_string_append_printf(text, "%s: warning: %s\n", name, message);
        }
    }
    g_string_append(text, "\nWhole host, until every scheduled guest is gone:\n");
    if (plan->graceful_seconds > 0)
        g_string_append_printf(text, "  graceful phase:               up to %.0f s first\n",
                               plan->graceful_seconds);
    g_string_append_printf(text, "  as planned:                   ~%.1f s\n",
                           plan->makespan_seconds);
    g_string_append_printf(text, "  with terminate semantics:     ~%.1f s\n",
                           plan->makespan_terminate_seconds);
    g_string_append_printf(text, "  without terminate semantics:  ~%.1f s\n",
                           plan->makespan_plain_seconds);
    g_string_append_printf(text, "  one by one, without terminate: ~%.1f s\n",
                           plan->sequential_plain_seconds);
    return g_string_free(text, FALSE);
}


static void
tdxHostJsonAddSeconds(JsonBuilder *builder, const char *name, double seconds)
{
    tdxJsonAddMs(builder, name, (gint64) (seconds * G_USEC_PER_SEC));
}


void
tdxHostPlanToJson(const tdxHostPlan *plan, JsonBuilder *builder)
{
    guint i;

    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "domains");
    json_builder_begin_array(builder);
    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        json_builder_begin_object(builder);
        tdxJsonAddString(builder, "name", domain->name);
        tdxJsonAddString(builder, "uuid", domain->uuid);
        tdxJsonAddInt(builder, "order", domain->order);
        tdxJsonAddBool(builder, "td", domain->is_td);
        tdxJsonAddBool(builder, "terminate_supported", domain->has_terminate);
        tdxJsonAddInt(builder, "memory_kib", (gint64) domain->memory_kib);
        tdxJsonAddInt(builder, "priority", domain->priority);
        tdxJsonAddString(builder, "action", tdxHostActionToString(domain->action));
        tdxJsonAddBool(builder, "graceful", domain->graceful);
        tdxJsonAddInt(builder, "grace_seconds", domain->grace_seconds);
        tdxHostJsonAddSeconds(builder, "estimate_ms", domain->estimate_seconds);
        tdxHostJsonAddSeconds(builder, "estimate_terminate_ms",
                              domain->estimate_terminate_seconds);
        tdxHostJsonAddSeconds(builder, "estimate_without_terminate_ms",
                              domain->estimate_plain_seconds);
        tdxHostJsonAddSeconds(builder, "planned_start_ms", domain->planned_start_seconds);
        tdxJsonAddError(builder, "error", domain->error);
        tdxHostDomainWarningsToJson(domain, builder);
        json_builder_end_object(builder);
    }
    json_builder_end_array(builder);

    json_builder_set_member_name(builder, "summary");
    json_builder_begin_object(builder);
    tdxJsonAddInt(builder, "tds", tdxHostPlanCount(plan, TRUE));
    tdxJsonAddInt(builder, "other_guests", tdxHostPlanCount(plan, FALSE));
    tdxJsonAddInt(builder, "jobs", plan->jobs);
    tdxJsonAddInt(builder, "deadline_seconds", plan->deadline_seconds);
    tdxJsonAddString(builder, "non_td", tdxHostNonTdActionToString(plan->non_td));
    tdxHostJsonAddSeconds(builder, "graceful_phase_max_ms", plan->graceful_seconds);
    tdxHostJsonAddSeconds(builder, "estimate_ms", plan->makespan_seconds);
    tdxHostJsonAddSeconds(builder, "estimate_terminate_ms", plan->makespan_terminate_seconds);
    tdxHostJsonAddSeconds(builder, "estimate_without_terminate_ms",
                          plan->makespan_plain_seconds);
    tdxHostJsonAddSeconds(builder, "estimate_sequential_without_terminate_ms",
                          plan->sequential_plain_seconds);
    json_builder_end_object(builder);
    json_builder_end_object(builder);
}
