/*
 * tdx-host-run.c: shutdown-host, the run itself
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-host-run.h"
#include "tdx-escape.h"
#include "tdx-table.h"
#include "tdx-host-notify.h"
#include "tdx-schedule.h"
#include "tdx-error.h"
#include "tdx-libvirt.h"
#include "tdx-resolve.h"
#include "tdx-result.h"

/* Shutdown requests wait on QEMU monitors, not on CPUs. */
#define TDX_HOST_SHUTDOWN_THREADS 32

typedef struct {
    virConnectPtr conn;
    tdxHostPlan *plan;
    const tdxHostOptions *options;
    gint64 start_usec;
    gint64 deadline_usec;
    gint64 abandon_usec;
} tdxHostRunCtx;

/* What every teardown worker shares. Owned by the schedule, so it outlives
 * a worker abandoned at the deadline. */
typedef struct {
    virConnectPtr conn;
    tdxConfig config;
    tdxDestroyOptions options;
    GHashTable *probes;     /* uuid -> tdxHostKnownProbe; read-only once running */
    GHashTable *names;      /* uuid -> name, for messages; read-only once running */
} tdxHostWork;

typedef struct {
    int id;
    tdxProbe probe;
} tdxHostKnownProbe;


static gboolean
tdxHostDomainActedOn(const tdxHostDomain *domain)
{
    return domain->action != TDX_HOST_ACTION_LEAVE;
}


static double
tdxHostSecondsLeft(tdxHostRunCtx *ctx)
{
    return MAX(0, ctx->deadline_usec - g_get_monotonic_time()) / (double) G_USEC_PER_SEC;
}


/* ---- graceful shutdowns and teardowns ------------------------------------ */

/* A guest that got its ACPI shutdown. Its teardown is in the schedule,
 * held back until its own grace period ends; if it goes by itself first,
 * the teardown is taken off again. */
typedef struct {
    tdxHostDomain *domain;
    virDomainPtr dom;
    gint64 grace_end_usec;
    gboolean pending;       /* asked to shut down, not settled yet */
    gboolean answered;      /* its ACPI request returned */
} tdxHostGraceful;

/* What only the run's own thread touches (the tick runs there too). */
typedef struct {
    tdxHostRunCtx *ctx;
    tdxSchedule *schedule;
    GHashTable *by_uuid;    /* uuid -> tdxHostDomain: tasks are keyed by UUID */
    GArray *graceful;       /* tdxHostGraceful */
    tdxSchedule *asks;      /* their ACPI requests, in the same order */
    gint64 graceful_start_usec;
} tdxHostTeardown;


static void
tdxHostDomainUnref(gpointer dom)
{
    virDomainFree(dom);
}


/* On a worker of the ACPI schedule, whose opaque is uuid -> virDomainPtr:
 * NULL when asked (or gone already), else why not. A QEMU that does not
 * answer (stopped) keeps its worker in virDomainShutdown() for as long as
 * libvirt likes; nobody waits for it, the guest's grace period runs
 * meanwhile and its teardown starts when it ends. */
static gpointer
tdxHostGracefulAsk(const char *uuid, gpointer opaque)
{
    virDomainPtr dom = g_hash_table_lookup(opaque, uuid);
    g_autoptr(virError) err = NULL;
    GError *error = NULL;

    if (virDomainShutdown(dom) == 0)
        return NULL;
    err = virSaveLastError();
    if (tdxLibvirtErrorIsDomainGone(err))
        return NULL;
    tdxLibvirtErrorFrom(err, &error, "ACPI shutdown refused");
    return error;
}


/* A lifecycle event only wakes the run: its tick looks at the guests. */
static int
tdxHostGracefulEvent(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
                     int event, int detail G_GNUC_UNUSED, void *opaque)
{
    if (event == VIR_DOMAIN_EVENT_STOPPED || event == VIR_DOMAIN_EVENT_UNDEFINED)
        tdxScheduleWake(opaque);
    return 0;
}


/* The domain's record is complete: journal it now, so that a run killed
 * by systemd leaves what it knew. Only the run's thread calls this. */
static void
tdxHostDomainSettled(tdxHostDomain *domain)
{
    if (domain->journaled)
        return;
    domain->journaled = TRUE;
    tdxHostJournalDomain(domain);
}


static void
tdxHostGracefulSettle(tdxHostTeardown *teardown, tdxHostGraceful *item, gint64 when_usec)
{
    tdxHostPlan *plan = teardown->ctx->plan;

    item->pending = FALSE;
    item->domain->graceful_usec = when_usec - teardown->graceful_start_usec;
    plan->graceful_phase_usec = MAX(plan->graceful_phase_usec, item->domain->graceful_usec);
}


/* An ACPI request that was refused (no ACPI, paused...) ends that guest's
 * grace period: its teardown may start at once. */
static void
tdxHostGracefulAnswers(tdxHostTeardown *teardown)
{
    guint i;

    for (i = 0; teardown->asks && i < teardown->graceful->len; i++) {
        tdxHostGraceful *item = &g_array_index(teardown->graceful, tdxHostGraceful, i);
        const GError *error;

        if (item->answered || tdxScheduleState(teardown->asks, i) != TDX_TASK_DONE)
            continue;
        item->answered = TRUE;
        if (!(error = tdxScheduleResult(teardown->asks, i)) || !item->pending)
            continue;
        g_message("%s: %s", item->domain->name, error->message);
        tdxHostGracefulSettle(teardown, item, g_get_monotonic_time());
        tdxScheduleRelease(teardown->schedule, item->domain->uuid);
    }
}


/* Settle the guests that went by themselves or ran out of grace; returns
 * how many are still within it. */
static guint
tdxHostGracefulCheck(tdxHostTeardown *teardown, double *longest)
{
    tdxHostRunCtx *ctx = teardown->ctx;
    tdxHostPlan *plan = ctx->plan;
    guint pending = 0;
    guint i;

    *longest = 0;
    for (i = 0; i < teardown->graceful->len; i++) {
        tdxHostGraceful *item = &g_array_index(teardown->graceful, tdxHostGraceful, i);
        g_autoptr(GError) gone_error = NULL;
        gint64 now;
        int gone;

        if (!item->pending)
            continue;
        gone = tdxDomainCheckGone(item->dom, &gone_error);
        if (gone < 0 && virConnectIsAlive(ctx->conn) != 1) {
            /* libvirt's own words, taken before virConnectIsAlive() reset
             * them. */
            g_set_error(&plan->error, TDX_ERROR, TDX_ERROR_CONNECTION,
                        "lost the connection to libvirt in the graceful phase: %s",
                        gone_error->message);
            /* The teardowns that run fail by themselves; nothing new
             * starts against a daemon that is gone. */
            tdxScheduleCancelWaiting(teardown->schedule);
            now = g_get_monotonic_time();
            for (; i < teardown->graceful->len; i++) {
                item = &g_array_index(teardown->graceful, tdxHostGraceful, i);
                if (item->pending)
                    tdxHostGracefulSettle(teardown, item, MIN(now, item->grace_end_usec));
            }
            return 0;
        }
        /* Cannot tell: keep waiting, the teardown will find out. */
        if (gone < 0)
            gone = 0;
        now = g_get_monotonic_time();
        if (gone) {
            if (tdxScheduleCancel(teardown->schedule, item->domain->uuid)) {
                tdxHostGracefulSettle(teardown, item, now);
                item->domain->outcome = TDX_HOST_OUTCOME_GONE;
                item->domain->path = TDX_DESTROY_PATH_GRACEFUL;
                item->domain->end_usec = now - ctx->start_usec;
                tdxHostDomainSettled(item->domain);
            } else {
                /* Its teardown started at the end of its grace period and
                 * reports how it went. */
                tdxHostGracefulSettle(teardown, item, MIN(now, item->grace_end_usec));
            }
            continue;
        }
        if (now >= item->grace_end_usec) {
            tdxHostGracefulSettle(teardown, item, item->grace_end_usec);
            continue;
        }
        pending++;
        *longest = MAX(*longest, (item->grace_end_usec - now) / (double) G_USEC_PER_SEC);
    }
    return pending;
}


static void
tdxHostWorkFree(gpointer opaque)
{
    tdxHostWork *work = opaque;

    virConnectClose(work->conn);
    g_free(work->config.uri);
    g_hash_table_unref(work->probes);
    g_hash_table_unref(work->names);
    g_free(work);
}


/* A tdxDestroyKnownProbeFunc: the plan asked every QEMU moments ago; a
 * second probe per domain would only delay the teardowns behind it. */
static gboolean
tdxHostWorkKnownProbe(virDomainPtr dom, tdxProbe *probe, gpointer opaque)
{
    tdxHostWork *work = opaque;
    char uuid[VIR_UUID_STRING_BUFLEN];
    const tdxHostKnownProbe *known;

    if (virDomainGetUUIDString(dom, uuid) < 0)
        return FALSE;
    known = g_hash_table_lookup(work->probes, uuid);

    /* Another id is another QEMU (the domain was restarted): ask it. */
    if (!known || (unsigned int) known->id != virDomainGetID(dom))
        return FALSE;
    *probe = known->probe;
    return TRUE;
}


/* @uuid: the plan identified every domain; a name looked up again could
 * be another domain's ID. */
static gpointer
tdxHostWorkRun(const char *uuid, gpointer opaque)
{
    tdxHostWork *work = opaque;

    return tdxDestroyDomain(tdxConnectionForThread(work->conn), uuid,
                            g_hash_table_lookup(work->names, uuid), &work->options);
}


static void
tdxHostTeardownRecord(tdxHostRunCtx *ctx, tdxSchedule *schedule, guint i,
                      tdxHostDomain *domain)
{
    tdxDestroyResult *result;
    gint64 start;
    gint64 end;

    tdxScheduleTimes(schedule, i, &start, &end);
    if (start > 0)
        domain->start_usec = start - ctx->start_usec;

    switch (tdxScheduleState(schedule, i)) {
    case TDX_TASK_CANCELLED:
        /* Gone by itself (recorded then), or the daemon was lost. */
        return;
    case TDX_TASK_NOT_STARTED:
        domain->outcome = TDX_HOST_OUTCOME_NOT_STARTED;
        g_set_error(&domain->error, TDX_ERROR, TDX_ERROR_TIMEOUT,
                    "deadline of %u s passed before its teardown could start",
                    ctx->plan->deadline_seconds);
        return;
    case TDX_TASK_RUNNING:
        domain->outcome = TDX_HOST_OUTCOME_ABANDONED;
        g_set_error(&domain->error, TDX_ERROR, TDX_ERROR_TIMEOUT,
                    "still being torn down at the deadline of %u s",
                    ctx->plan->deadline_seconds);
        return;
    case TDX_TASK_DONE:
        break;
    }

    result = domain->destroy = tdxScheduleStealResult(schedule, i);
    domain->path = result->path;
    if (result->error) {
        /* No "gone at" for a guest that is still there: end_usec stays
         * -1 (gone_at_ms -1, no TDX_TOTAL_MS); its teardown's own time
         * is in destroy->total_usec. */
        domain->outcome = TDX_HOST_OUTCOME_FAILED;
        domain->error = g_error_copy(result->error);
    } else {
        domain->outcome = TDX_HOST_OUTCOME_GONE;
        domain->end_usec = end - ctx->start_usec;
    }
}


/* Record and journal every teardown that has ended; once the schedule
 * has returned (@final), every one that is left as well. */
static void
tdxHostTeardownCollect(tdxHostTeardown *teardown, gboolean final)
{
    tdxSchedule *schedule = teardown->schedule;
    guint i;

    for (i = 0; i < tdxScheduleSize(schedule); i++) {
        tdxHostDomain *domain = g_hash_table_lookup(teardown->by_uuid,
                                                    tdxScheduleName(schedule, i));
        tdxTaskState state = tdxScheduleState(schedule, i);

        if (domain->outcome != TDX_HOST_OUTCOME_PENDING ||
            state == TDX_TASK_CANCELLED ||
            (!final && state != TDX_TASK_DONE))
            continue;
        tdxHostTeardownRecord(teardown->ctx, schedule, i, domain);
        tdxHostDomainSettled(domain);
    }
}


static void
tdxHostTeardownTick(tdxSchedule *schedule, gpointer opaque)
{
    tdxHostTeardown *teardown = opaque;
    tdxHostRunCtx *ctx = teardown->ctx;
    g_auto(GStrv) running = NULL;
    g_autofree char *names = NULL;
    g_autofree char *graceful = NULL;
    double longest;
    guint pending;
    guint done;
    guint nrunning;
    guint waiting;
    guint cancelled;
    guint i;

    tdxHostGracefulAnswers(teardown);
    pending = tdxHostGracefulCheck(teardown, &longest);
    tdxHostTeardownCollect(teardown, FALSE);

    running = tdxScheduleRunning(schedule);
    for (i = 0; running[i]; i++) {
        const tdxHostDomain *domain = g_hash_table_lookup(teardown->by_uuid, running[i]);

        g_free(running[i]);
        running[i] = g_strdup(domain->name);
    }
    names = g_strjoinv(" ", running);
    tdxScheduleCounts(schedule, &done, &nrunning, &waiting, &cancelled);
    if (pending > 0)
        graceful = g_strdup_printf("graceful: %u of %u guests still shutting down, "
                                   "up to %.0f s more; ", pending,
                                   teardown->graceful->len, longest);
    tdxHostStatus(ctx->options, ctx->deadline_usec, "%steardown: %u of %u done, %u running%s%s%s, %u waiting; "
                  "deadline in %.0f s",
                  graceful ? graceful : "",
                  done, tdxScheduleSize(schedule) - cancelled, nrunning,
                  *names ? " (" : "", names, *names ? ")" : "", waiting,
                  tdxHostSecondsLeft(ctx));
}


/* When @domain's grace period must end: its own length, but early enough
 * that its teardown (its estimate, and a probe and a terminate of a QEMU
 * that may not answer) still fits before the deadline. A grace period
 * longer than the deadline used to mean a teardown that never started. */
static gint64
tdxHostGraceEnd(tdxHostRunCtx *ctx, tdxHostDomain *domain, gint64 graceful_start_usec)
{
    const tdxConfig *config = ctx->options->config;
    gint64 wanted = graceful_start_usec + (gint64) domain->grace_seconds * G_USEC_PER_SEC;
    gint64 reserve = (gint64) (domain->estimate_seconds * G_USEC_PER_SEC) +
                     2 * (gint64) config->monitor_timeout_ms * 1000;
    gint64 latest = MAX(graceful_start_usec, ctx->deadline_usec - reserve);

    if (wanted <= latest)
        return wanted;
    g_warning("%s: grace period cut from %u s to %.1f s so that its teardown "
              "fits before the deadline", domain->name, domain->grace_seconds,
              (latest - graceful_start_usec) / (double) G_USEC_PER_SEC);
    g_ptr_array_add(domain->warnings,
                    g_strdup_printf("grace period cut from %u s to %.1f s to fit the "
                                    "deadline", domain->grace_seconds,
                                    (latest - graceful_start_usec) / (double) G_USEC_PER_SEC));
    return latest;
}


/* Every guest that wants it gets its ACPI shutdown at once; every guest
 * still running goes into one schedule, a guest within its grace period
 * held back until that period ends. So a short grace period does not wait
 * for a long one, and the workers stay bounded and longest first over
 * whatever may start. */
static void
tdxHostTeardownAll(tdxHostRunCtx *ctx)
{
    tdxHostPlan *plan = ctx->plan;
    tdxHostWork *work = g_new0(tdxHostWork, 1);
    g_autoptr(tdxSchedule) schedule = NULL;
    g_autoptr(GHashTable) by_uuid = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GArray) graceful = g_array_new(FALSE, TRUE, sizeof(tdxHostGraceful));
    g_autoptr(GHashTable) held = g_hash_table_new(g_str_hash, g_str_equal);
    tdxHostTeardown teardown = {
        .ctx = ctx,
        .by_uuid = by_uuid,
        .graceful = graceful,
        .graceful_start_usec = g_get_monotonic_time(),
    };
    int callback = -1;
    guint i;

    virConnectRef(ctx->conn);
    work->conn = ctx->conn;
    work->config = *ctx->options->config;
    work->config.uri = g_strdup(ctx->options->config->uri);
    /* Which guests to stop was decided by the plan; [destroy] non-td is
     * about the destroy command. */
    work->config.non_td = TDX_NON_TD_DESTROY;
    work->options = (tdxDestroyOptions) {
        .config = &work->config,
        /* The ACPI shutdown, if any, was sent here. */
        .graceful = TDX_GRACEFUL_NEVER,
        .monitor_new = ctx->options->monitor_new,
        .monitor_opaque = ctx->options->monitor_opaque,
        .hard_deadline_usec = ctx->deadline_usec,
        .known_probe = tdxHostWorkKnownProbe,
        .known_probe_opaque = work,
        .progress = ctx->options->progress,
        .progress_opaque = ctx->options->progress_opaque,
    };
    work->probes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    work->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    schedule = tdxScheduleNew(plan->jobs, tdxHostWorkRun, work, tdxHostWorkFree,
                                  (GDestroyNotify) tdxDestroyResultFree);
    teardown.schedule = schedule;

    for (i = 0; i < plan->domains->len; i++) {
        tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);
        tdxHostGraceful item = { .domain = domain };
        g_autoptr(GError) error = NULL;

        if (!tdxHostDomainActedOn(domain) || !domain->graceful ||
            domain->outcome != TDX_HOST_OUTCOME_PENDING)
            continue;
        if (!(item.dom = tdxLookupByUUID(ctx->conn, domain->uuid, domain->name, &error))) {
            /* Gone already, or unreachable: its teardown finds out. */
            continue;
        }
        item.grace_end_usec = tdxHostGraceEnd(ctx, domain, teardown.graceful_start_usec);
        item.pending = TRUE;
        g_array_append_val(graceful, item);
    }

    if (graceful->len > 0) {
        GHashTable *doms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                 tdxHostDomainUnref);

        callback = virConnectDomainEventRegisterAny(ctx->conn, NULL,
                                                    VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                    VIR_DOMAIN_EVENT_CALLBACK(tdxHostGracefulEvent),
                                                    tdxScheduleRef(schedule),
                                                    (virFreeCallback) tdxScheduleUnref);
        if (callback < 0) {
            /* Without events the once-a-second tick still sees them go. */
            virResetLastError();
            tdxScheduleUnref(schedule);
        }

        tdxHostStatus(ctx->options, ctx->deadline_usec, "graceful: asking %u guests to shut down", graceful->len);
        /* All at once, and not waited for: each guest's grace period
         * runs from now, in parallel with the others' and with the
         * teardowns, whether its QEMU answers the request or not. */
        teardown.asks = tdxScheduleNew(MIN(graceful->len, TDX_HOST_SHUTDOWN_THREADS),
                                       tdxHostGracefulAsk, doms,
                                       (GDestroyNotify) g_hash_table_unref,
                                       (GDestroyNotify) g_error_free);
        tdxScheduleSetOrder(teardown.asks, TDX_SCHEDULE_AS_ADDED);
        for (i = 0; i < graceful->len; i++) {
            tdxHostGraceful *item = &g_array_index(graceful, tdxHostGraceful, i);

            virDomainRef(item->dom);
            g_hash_table_insert(doms, g_strdup(item->domain->uuid), item->dom);
            tdxScheduleAdd(teardown.asks, item->domain->uuid, 0, 0);
            g_hash_table_insert(held, item->domain->uuid, item);
        }
        tdxScheduleStart(teardown.asks, ctx->deadline_usec);
    }

    for (i = 0; i < plan->domains->len; i++) {
        tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);
        tdxHostGraceful *item;

        if (!tdxHostDomainActedOn(domain) || domain->outcome != TDX_HOST_OUTCOME_PENDING)
            continue;
        item = g_hash_table_lookup(held, domain->uuid);
        tdxScheduleAddFull(schedule, domain->uuid, domain->name,
                               domain->estimate_seconds, domain->priority,
                               item ? item->grace_end_usec : 0);
        if (domain->unresponsive)
            tdxScheduleDefer(schedule, domain->uuid);
        g_hash_table_insert(by_uuid, domain->uuid, domain);
        g_hash_table_insert(work->names, g_strdup(domain->uuid), g_strdup(domain->name));
        if (domain->probed && domain->id >= 0) {
            tdxHostKnownProbe *known = g_new0(tdxHostKnownProbe, 1);

            known->id = domain->id;
            known->probe = domain->probe;
            g_hash_table_insert(work->probes, g_strdup(domain->uuid), known);
        }
    }

    if (tdxScheduleSize(schedule) > 0) {
        tdxHostStatus(ctx->options, ctx->deadline_usec, "teardown: %u guests, %u at a time, longest first; "
                      "%u of them after their grace period",
                      tdxScheduleSize(schedule), tdxScheduleJobs(schedule),
                      g_hash_table_size(held));
        tdxScheduleRun(schedule, ctx->deadline_usec, ctx->abandon_usec,
                           G_USEC_PER_SEC, tdxHostTeardownTick, &teardown);
        plan->peak_jobs = tdxSchedulePeak(schedule);
    }

    /* Whoever is still within grace here met the deadline there. */
    for (i = 0; i < graceful->len; i++) {
        tdxHostGraceful *item = &g_array_index(graceful, tdxHostGraceful, i);

        if (item->pending)
            tdxHostGracefulSettle(&teardown, item,
                                  MIN(g_get_monotonic_time(), item->grace_end_usec));
    }
    tdxHostTeardownCollect(&teardown, TRUE);

    /* Requests still in flight stay with their workers. */
    if (teardown.asks) {
        tdxScheduleAbandon(teardown.asks);
        tdxScheduleUnref(teardown.asks);
    }
    if (callback >= 0)
        virConnectDomainEventDeregisterAny(ctx->conn, callback);
    for (i = 0; i < graceful->len; i++)
        virDomainFree(g_array_index(graceful, tdxHostGraceful, i).dom);
}


int
tdxHostPlanExitCode(const tdxHostPlan *plan)
{
    int code = TDX_EXIT_OK;
    guint i;

    /* A lost daemon explains every other failure of the run. */
    if (plan->error)
        return tdxErrorToExitCode(plan->error);
    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        if (domain->error && g_error_matches(domain->error, TDX_ERROR, TDX_ERROR_CONNECTION))
            return TDX_EXIT_CONNECTION;
    }
    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);
        int item_code;

        if (!tdxHostDomainActedOn(domain) || !domain->error)
            continue;
        item_code = tdxErrorToExitCode(domain->error);
        if (code == TDX_EXIT_OK)
            code = item_code;
        else if (code != item_code)
            return TDX_EXIT_FAILED;
    }
    return code;
}


int
tdxHostRun(virConnectPtr conn, tdxHostPlan *plan, const tdxHostOptions *options)
{
    tdxHostRunCtx ctx = {
        .conn = conn,
        .plan = plan,
        .options = options,
        .start_usec = plan->start_usec,
    };
    g_autofree char *summary = NULL;
    int exit_code;
    guint i;

    /* From the start of the command: connecting and inspecting counted. */
    ctx.deadline_usec = plan->deadline_usec;
    ctx.abandon_usec = ctx.deadline_usec + TDX_HOST_ABANDON_SLACK_SECONDS * G_USEC_PER_SEC;

    for (i = 0; i < plan->domains->len; i++) {
        tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        if (domain->action == TDX_HOST_ACTION_LEAVE)
            domain->outcome = TDX_HOST_OUTCOME_LEFT;
        /* Left alone, or could not even be inspected: known already. */
        if (domain->outcome != TDX_HOST_OUTCOME_PENDING)
            tdxHostDomainSettled(domain);
    }

    tdxHostTeardownAll(&ctx);
    plan->elapsed_usec = g_get_monotonic_time() - ctx.start_usec;

    for (i = 0; i < plan->domains->len; i++) {
        tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        if (domain->outcome == TDX_HOST_OUTCOME_PENDING && plan->error) {
            domain->outcome = TDX_HOST_OUTCOME_FAILED;
            domain->error = g_error_copy(plan->error);
        }
        tdxHostDomainSettled(domain);
    }

    exit_code = tdxHostPlanExitCode(plan);
    if (exit_code == TDX_EXIT_OK)
        exit_code = options->ignored_exit_code;
    summary = tdxHostResultSummary(plan);
    tdxHostNotify(summary, 0);
    tdxHostJournalSummary(plan, summary, exit_code);
    return exit_code;
}


/* ---- reports ------------------------------------------------------------- */

static gboolean
tdxHostDomainLeftRunning(const tdxHostDomain *domain)
{
    return tdxHostDomainActedOn(domain) && domain->outcome != TDX_HOST_OUTCOME_GONE;
}


char *
tdxHostResultSummary(const tdxHostPlan *plan)
{
    GString *text = g_string_new(NULL);
    g_autoptr(GPtrArray) left = g_ptr_array_new();
    guint tds = 0;
    guint tds_gone = 0;
    guint others_gone = 0;
    guint others_left = 0;
    guint i;

    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);
        gboolean gone = domain->outcome == TDX_HOST_OUTCOME_GONE;

        if (domain->is_td) {
            tds++;
            tds_gone += gone;
        } else if (domain->outcome == TDX_HOST_OUTCOME_LEFT) {
            others_left++;
        } else {
            others_gone += gone;
        }
        if (tdxHostDomainLeftRunning(domain))
            g_ptr_array_add(left, domain->name);
    }
    g_string_append_printf(text, "%u of %u TDs gone in %.2f s (%u jobs)",
                           tds_gone, tds, plan->elapsed_usec / (double) G_USEC_PER_SEC,
                           plan->jobs);
    g_string_append_printf(text, "; other guests: %u stopped, %u left to libvirt-guests",
                           others_gone, others_left);
    if (left->len > 0) {
        g_string_append(text, "; still present:");
        for (i = 0; i < left->len; i++)
            g_string_append_printf(text, " %s", (const char *) g_ptr_array_index(left, i));
    }
    if (plan->error)
        g_string_append_printf(text, "; %s", plan->error->message);
    return g_string_free(text, FALSE);
}


static const char *
tdxHostDomainPathString(const tdxHostDomain *domain)
{
    if (domain->outcome == TDX_HOST_OUTCOME_LEFT)
        return "left";
    if (domain->path == TDX_DESTROY_PATH_NONE)
        return "-";
    return tdxDestroyPathToString(domain->path);
}


/* "1.23 s", or "-" for a time that never came. */
static char *
tdxHostSecondsString(gint64 usec)
{
    if (usec < 0)
        return g_strdup("-");
    return g_strdup_printf("%.2f s", usec / (double) G_USEC_PER_SEC);
}


char *
tdxHostResultToText(const tdxHostPlan *plan)
{
    GString *text = g_string_new(NULL);
    g_autofree char *summary = tdxHostResultSummary(plan);
    g_autoptr(tdxTable) table = tdxTableNew();
    g_autofree char *rows = NULL;
    guint i;
    guint j;

    tdxTableAddColumn(table, "Order", TRUE);
    tdxTableAddColumn(table, "Name", FALSE);
    tdxTableAddColumn(table, "TD", FALSE);
    tdxTableAddColumn(table, "Action", FALSE);
    tdxTableAddColumn(table, "Path", FALSE);
    tdxTableAddColumn(table, "Outcome", FALSE);
    tdxTableAddColumn(table, "Graceful", TRUE);
    tdxTableAddColumn(table, "Start", TRUE);
    tdxTableAddColumn(table, "Teardown", TRUE);
    tdxTableAddColumn(table, "Gone at", TRUE);
    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);
        g_autofree char *graceful = tdxHostSecondsString(domain->graceful ? domain->graceful_usec
                                                                          : -1);
        g_autofree char *start = tdxHostSecondsString(domain->start_usec);
        g_autofree char *teardown = tdxHostSecondsString(domain->destroy
                                                         ? domain->destroy->total_usec : -1);
        g_autofree char *end = tdxHostSecondsString(domain->end_usec);

        tdxTableAddRow(table);
        if (domain->order)
            tdxTableSetPrintf(table, 0, "%u", domain->order);
        else
            tdxTableSet(table, 0, "-");
        tdxTableSet(table, 1, domain->name);
        tdxTableSet(table, 2, domain->is_td ? "yes" : "no");
        tdxTableSet(table, 3, tdxHostActionToString(domain->action));
        tdxTableSet(table, 4, tdxHostDomainPathString(domain));
        tdxTableSet(table, 5, tdxHostOutcomeToString(domain->outcome));
        tdxTableSet(table, 6, graceful);
        tdxTableSet(table, 7, start);
        tdxTableSet(table, 8, teardown);
        tdxTableSet(table, 9, end);
    }
    rows = tdxTableToString(table);
    g_string_append(text, rows);

    /* Under the table, so that each guest stays one row. */
    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);
        g_autofree char *name = tdxEscapeText(domain->name);

        if (domain->error) {
            g_autofree char *message = tdxEscapeText(domain->error->message);

            g_string_append_printf(text, "%s: error: %s\n", name, message);
        }
        for (j = 0; domain->warnings && j < domain->warnings->len; j++) {
            g_autofree char *message = tdxEscapeText(g_ptr_array_index(domain->warnings, j));

            g_string_append_printf(text, "%s: warning: %s\n", name, message);
        }
        for (j = 0; domain->destroy && j < domain->destroy->notes->len; j++) {
            g_autofree char *message = tdxEscapeText(g_ptr_array_index(domain->destroy->notes,
                                                                       j));

            g_string_append_printf(text, "%s: note: %s\n", name, message);
        }
    }
    g_string_append_printf(text, "%s\n", summary);
    return g_string_free(text, FALSE);
}


void
tdxHostDomainWarningsToJson(const tdxHostDomain *domain, JsonBuilder *builder)
{
    guint i;

    json_builder_set_member_name(builder, "warnings");
    json_builder_begin_array(builder);
    for (i = 0; domain->warnings && i < domain->warnings->len; i++)
        json_builder_add_string_value(builder, g_ptr_array_index(domain->warnings, i));
    json_builder_end_array(builder);
}


void
tdxHostResultToJson(const tdxHostPlan *plan, JsonBuilder *builder)
{
    g_autofree char *summary = tdxHostResultSummary(plan);
    guint gone = 0;
    guint tds = 0;
    guint tds_gone = 0;
    guint i;

    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "domains");
    json_builder_begin_array(builder);
    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        if (domain->is_td) {
            tds++;
            tds_gone += domain->outcome == TDX_HOST_OUTCOME_GONE;
        }
        gone += domain->outcome == TDX_HOST_OUTCOME_GONE;

        json_builder_begin_object(builder);
        tdxJsonAddString(builder, "name", domain->name);
        tdxJsonAddString(builder, "uuid", domain->uuid);
        tdxJsonAddInt(builder, "order", domain->order);
        tdxJsonAddBool(builder, "td", domain->is_td);
        tdxJsonAddString(builder, "action", tdxHostActionToString(domain->action));
        tdxJsonAddString(builder, "path", tdxHostDomainPathString(domain));
        tdxJsonAddString(builder, "outcome", tdxHostOutcomeToString(domain->outcome));
        tdxJsonAddInt(builder, "priority", domain->priority);
        tdxJsonAddMs(builder, "estimate_ms",
                     (gint64) (domain->estimate_seconds * G_USEC_PER_SEC));
        tdxJsonAddMs(builder, "graceful_ms", domain->graceful_usec);
        tdxJsonAddInt(builder, "start_ms", domain->start_usec >= 0 ? domain->start_usec / 1000 : -1);
        tdxJsonAddInt(builder, "gone_at_ms", domain->end_usec >= 0 ? domain->end_usec / 1000 : -1);
        if (domain->destroy) {
            json_builder_set_member_name(builder, "destroy");
            tdxDestroyResultToJson(domain->destroy, builder);
        }
        tdxHostDomainWarningsToJson(domain, builder);
        tdxJsonAddError(builder, "error", domain->error);
        json_builder_end_object(builder);
    }
    json_builder_end_array(builder);

    json_builder_set_member_name(builder, "summary");
    json_builder_begin_object(builder);
    tdxJsonAddString(builder, "text", summary);
    tdxJsonAddInt(builder, "tds", tds);
    tdxJsonAddInt(builder, "tds_gone", tds_gone);
    tdxJsonAddInt(builder, "gone", gone);
    tdxJsonAddInt(builder, "jobs", plan->jobs);
    tdxJsonAddInt(builder, "peak_jobs", plan->peak_jobs);
    tdxJsonAddInt(builder, "deadline_seconds", plan->deadline_seconds);
    tdxJsonAddMs(builder, "graceful_phase_ms", plan->graceful_phase_usec);
    tdxJsonAddMs(builder, "elapsed_ms", plan->elapsed_usec);
    json_builder_set_member_name(builder, "still_present");
    json_builder_begin_array(builder);
    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        if (tdxHostDomainLeftRunning(domain))
            json_builder_add_string_value(builder, domain->name);
    }
    json_builder_end_array(builder);
    json_builder_end_object(builder);

    tdxJsonAddInt(builder, "exit_code", tdxHostPlanExitCode(plan));
    json_builder_end_object(builder);
}
