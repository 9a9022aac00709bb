/*
 * tdx-host-plan.c: what shutdown-host will do with each running domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "tdx-host-plan.h"
#include "tdx-host-schedule.h"
#include "tdx-error.h"
#include "tdx-inspect.h"
#include "tdx-libvirt.h"
#include "tdx-result.h"

/* Inspections wait on QEMU monitors, not on CPUs. */
#define TDX_HOST_INSPECT_THREADS 32

typedef struct {
    virDomainPtr dom;
    const tdxHostOptions *options;
    tdxDomainInfo *info;
    GError *error;
} tdxHostInspect;


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


void
tdxHostDomainFree(tdxHostDomain *domain)
{
    if (!domain)
        return;
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
tdxHostInspectOne(gpointer data, gpointer opaque G_GNUC_UNUSED)
{
    tdxHostInspect *inspect = data;
    const tdxHostOptions *options = inspect->options;

    inspect->info = tdxDomainInspect(inspect->dom, options->config, TRUE,
                                     options->monitor_new, options->monitor_opaque,
                                     &inspect->error);
}


static void
tdxHostPlanDecide(tdxHostDomain *domain, const tdxDomainInfo *info,
                  const tdxHostOptions *options, tdxHostNonTdAction non_td)
{
    const tdxConfig *config = options->config;
    const tdxPolicy *policy = &info->def->policy;

    domain->is_td = tdxDomainInfoIsTD(info);
    domain->id = info->def->id;
    domain->probed = info->probed;
    domain->probe = info->probe;
    domain->has_terminate = info->probed && info->probe.has_terminate;
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
    g_autoptr(tdxHostSchedule) schedule = tdxHostScheduleNew(plan->jobs, NULL, NULL,
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
        tdxHostScheduleAddFull(schedule, domain->uuid, domain->name,
                               domain->estimate_seconds, domain->priority, 0);
        g_hash_table_insert(by_uuid, domain->uuid, domain);
    }
    tdxHostScheduleSort(schedule);

    n = tdxHostScheduleSize(schedule);
    expected = g_new0(double, MAX(n, 1));
    terminate = g_new0(double, MAX(n, 1));
    plain = g_new0(double, MAX(n, 1));
    starts = g_new0(double, MAX(n, 1));
    for (i = 0; i < n; i++) {
        tdxHostDomain *domain = g_hash_table_lookup(by_uuid, tdxHostScheduleName(schedule, i));

        domain->order = i + 1;
        expected[i] = domain->estimate_seconds;
        terminate[i] = domain->estimate_terminate_seconds;
        plain[i] = domain->estimate_plain_seconds;
        plan->sequential_plain_seconds += plain[i];
    }
    plan->makespan_seconds = tdxHostScheduleMakespan(expected, n, plan->jobs, starts);
    for (i = 0; i < n; i++) {
        tdxHostDomain *domain = g_hash_table_lookup(by_uuid, tdxHostScheduleName(schedule, i));

        domain->planned_start_seconds = starts[i];
    }
    /* The what-if models order their own figures, longest first. */
    g_qsort_with_data(terminate, n, sizeof(double), tdxHostPlanCompareDouble, NULL);
    plan->makespan_terminate_seconds = tdxHostScheduleMakespan(terminate, n, plan->jobs, NULL);
    g_qsort_with_data(plain, n, sizeof(double), tdxHostPlanCompareDouble, NULL);
    plan->makespan_plain_seconds = tdxHostScheduleMakespan(plain, n, plan->jobs, NULL);

    g_ptr_array_sort(plan->domains, tdxHostPlanCompareOrder);
}


tdxHostPlan *
tdxHostPlanNew(virConnectPtr conn, const tdxHostOptions *options, GError **error)
{
    const tdxConfig *config = options->config;
    g_autoptr(tdxHostPlan) plan = g_new0(tdxHostPlan, 1);
    g_autofree tdxHostInspect *inspects = NULL;
    virDomainPtr *doms = NULL;
    GThreadPool *pool;
    int ndoms;
    int i;

    plan->domains = g_ptr_array_new_with_free_func((GDestroyNotify) tdxHostDomainFree);
    plan->jobs = options->jobs > 0 ? options->jobs
                                   : config->jobs > 0 ? config->jobs : g_get_num_processors();
    plan->deadline_seconds = options->deadline_seconds > 0 ? options->deadline_seconds
                                                           : config->host_deadline_seconds;
    plan->non_td = options->non_td >= 0 ? (tdxHostNonTdAction) options->non_td
                                        : config->host_non_td;

    if ((ndoms = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE)) < 0) {
        tdxLibvirtError(error, "cannot list the running domains");
        return NULL;
    }

    /* The inspections parse XML on many threads at once. */
    tdxEventLoopEnsure();

    inspects = g_new0(tdxHostInspect, MAX(ndoms, 1));
    pool = g_thread_pool_new(tdxHostInspectOne, NULL,
                             MIN(MAX(ndoms, 1), TDX_HOST_INSPECT_THREADS), FALSE, NULL);
    for (i = 0; i < ndoms; i++) {
        inspects[i].dom = doms[i];
        inspects[i].options = options;
        g_thread_pool_push(pool, &inspects[i], NULL);
    }
    g_thread_pool_free(pool, FALSE, TRUE);

    for (i = 0; i < ndoms; i++) {
        tdxHostInspect *inspect = &inspects[i];
        tdxHostDomain *domain = g_new0(tdxHostDomain, 1);
        char uuid[VIR_UUID_STRING_BUFLEN];

        domain->name = g_strdup(virDomainGetName(inspect->dom));
        if (virDomainGetUUIDString(inspect->dom, uuid) == 0)
            domain->uuid = g_strdup(uuid);
        domain->start_usec = -1;
        domain->end_usec = -1;

        if (!domain->uuid) {
            /* Everything after the plan works by UUID. */
            domain->action = TDX_HOST_ACTION_NONE;
            domain->outcome = TDX_HOST_OUTCOME_FAILED;
            tdxLibvirtError(&domain->error, "cannot read the UUID of domain '%s'",
                            domain->name);
            g_ptr_array_add(plan->domains, domain);
        } else if (inspect->info && !inspect->info->running) {
            /* Stopped between the listing and the inspection. */
            tdxHostDomainFree(domain);
        } else if (inspect->info) {
            tdxHostPlanDecide(domain, inspect->info, options, plan->non_td);
            g_ptr_array_add(plan->domains, domain);
        } else if (g_error_matches(inspect->error, TDX_ERROR, TDX_ERROR_NO_DOMAIN)) {
            tdxHostDomainFree(domain);
        } else {
            /* Unreadable XML or metadata: we cannot tell a TD from a plain
             * guest, nor read its owner's policy, so it is reported, not
             * guessed at. */
            domain->action = TDX_HOST_ACTION_NONE;
            domain->outcome = TDX_HOST_OUTCOME_FAILED;
            domain->error = g_steal_pointer(&inspect->error);
            g_ptr_array_add(plan->domains, domain);
        }
        g_clear_error(&inspect->error);
        tdxDomainInfoFree(inspect->info);
        virDomainFree(doms[i]);
    }
    free(doms);

    tdxHostPlanOrder(plan);
    return g_steal_pointer(&plan);
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
    guint i;

    g_string_append_printf(text, "%u TDs and %u other guests running; "
                           "%u jobs, deadline %u s, non-td=%s\n\n",
                           tdxHostPlanCount(plan, TRUE), tdxHostPlanCount(plan, FALSE),
                           plan->jobs, plan->deadline_seconds,
                           tdxHostNonTdActionToString(plan->non_td));
    g_string_append_printf(text, " %-5s %-24s %-3s %10s %-9s %-8s %9s %9s %11s %8s\n",
                           "Order", "Name", "TD", "Memory", "Action", "Graceful",
                           "Estimate", "Terminate", "NoTerminate", "Start");
    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);
        g_autofree char *order = domain->order ? g_strdup_printf("%u", domain->order)
                                               : g_strdup("-");
        g_autofree char *memory = g_format_size_full(domain->memory_kib * 1024,
                                                     G_FORMAT_SIZE_IEC_UNITS);
        g_autofree char *graceful = domain->graceful ? g_strdup_printf("%u s", domain->grace_seconds)
                                                     : g_strdup("no");
        g_autofree char *start = domain->order ? g_strdup_printf("+%.1f s", domain->planned_start_seconds)
                                               : g_strdup("-");

        if (domain->action == TDX_HOST_ACTION_NONE) {
            g_string_append_printf(text, " %-5s %-24s error: %s\n", order, domain->name,
                                   domain->error->message);
            continue;
        }
        g_string_append_printf(text, " %-5s %-24s %-3s %10s %-9s %-8s %7.1f s %7.1f s %9.1f s %8s\n",
                               order, domain->name, domain->is_td ? "yes" : "no", memory,
                               tdxHostActionToString(domain->action), graceful,
                               domain->estimate_seconds, domain->estimate_terminate_seconds,
                               domain->estimate_plain_seconds, start);
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
