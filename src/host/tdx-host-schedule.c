/*
 * tdx-host-schedule.c: running many teardowns, longest first, bounded
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-host-schedule.h"

typedef struct {
    char *name;
    char *label;            /* breaks ties in the order; the name if unset */
    double estimate_seconds;
    int priority;
    gint64 not_before_usec;
    tdxHostTaskState state;
    gint64 start_usec;
    gint64 end_usec;
    gpointer result;
} tdxHostTask;

/* Refcounted: a worker abandoned at the deadline keeps its reference and
 * drops it whenever its teardown finally returns. */
struct _tdxHostSchedule {
    gint refs;
    GMutex lock;
    GCond cond;
    guint jobs;
    tdxHostWorkFunc work;
    gpointer opaque;
    GDestroyNotify opaque_free;
    GDestroyNotify result_free;
    GPtrArray *tasks;       /* tdxHostTask, in run order once sorted */
    /* under lock */
    guint waiting;          /* NOT_STARTED tasks */
    guint cancelled;
    guint running;
    guint done;
    guint peak;
    guint workers;          /* worker threads still alive */
    gint64 deadline_usec;
    gboolean abandoned;     /* results arriving now are dropped */
    gboolean changed;       /* a task ended (or Wake) since the last tick */
};


static void
tdxHostTaskFree(tdxHostTask *task, GDestroyNotify result_free)
{
    g_free(task->name);
    g_free(task->label);
    if (task->result && result_free)
        result_free(task->result);
    g_free(task);
}


tdxHostSchedule *
tdxHostScheduleNew(guint jobs, tdxHostWorkFunc work, gpointer opaque,
                   GDestroyNotify opaque_free, GDestroyNotify result_free)
{
    tdxHostSchedule *schedule = g_new0(tdxHostSchedule, 1);

    schedule->refs = 1;
    g_mutex_init(&schedule->lock);
    g_cond_init(&schedule->cond);
    schedule->jobs = jobs > 0 ? jobs : g_get_num_processors();
    schedule->work = work;
    schedule->opaque = opaque;
    schedule->opaque_free = opaque_free;
    schedule->result_free = result_free;
    schedule->tasks = g_ptr_array_new();
    return schedule;
}


tdxHostSchedule *
tdxHostScheduleRef(tdxHostSchedule *schedule)
{
    g_atomic_int_inc(&schedule->refs);
    return schedule;
}


void
tdxHostScheduleUnref(tdxHostSchedule *schedule)
{
    guint i;

    if (!schedule || !g_atomic_int_dec_and_test(&schedule->refs))
        return;
    for (i = 0; i < schedule->tasks->len; i++)
        tdxHostTaskFree(g_ptr_array_index(schedule->tasks, i), schedule->result_free);
    g_ptr_array_unref(schedule->tasks);
    if (schedule->opaque_free)
        schedule->opaque_free(schedule->opaque);
    g_mutex_clear(&schedule->lock);
    g_cond_clear(&schedule->cond);
    g_free(schedule);
}


void
tdxHostScheduleAddFull(tdxHostSchedule *schedule, const char *name, const char *label,
                       double estimate_seconds, int priority, gint64 not_before_usec)
{
    tdxHostTask *task = g_new0(tdxHostTask, 1);

    task->name = g_strdup(name);
    task->label = g_strdup(label ? label : name);
    task->estimate_seconds = estimate_seconds;
    task->priority = priority;
    task->not_before_usec = not_before_usec;
    g_mutex_lock(&schedule->lock);
    g_ptr_array_add(schedule->tasks, task);
    schedule->waiting++;
    g_mutex_unlock(&schedule->lock);
}


void
tdxHostScheduleAddAt(tdxHostSchedule *schedule, const char *name,
                     double estimate_seconds, int priority, gint64 not_before_usec)
{
    tdxHostScheduleAddFull(schedule, name, NULL, estimate_seconds, priority,
                           not_before_usec);
}


void
tdxHostScheduleAdd(tdxHostSchedule *schedule, const char *name,
                   double estimate_seconds, int priority)
{
    tdxHostScheduleAddAt(schedule, name, estimate_seconds, priority, 0);
}


/* Under lock. */
static tdxHostTask *
tdxHostScheduleFind(tdxHostSchedule *schedule, const char *name)
{
    guint i;

    for (i = 0; i < schedule->tasks->len; i++) {
        tdxHostTask *task = g_ptr_array_index(schedule->tasks, i);

        if (g_str_equal(task->name, name))
            return task;
    }
    return NULL;
}


/* Under lock. */
static void
tdxHostTaskCancel(tdxHostSchedule *schedule, tdxHostTask *task)
{
    task->state = TDX_HOST_TASK_CANCELLED;
    schedule->waiting--;
    schedule->cancelled++;
    /* Idle workers may now have nothing left to wait for. */
    g_cond_broadcast(&schedule->cond);
}


gboolean
tdxHostScheduleCancel(tdxHostSchedule *schedule, const char *name)
{
    tdxHostTask *task;
    gboolean cancelled = FALSE;

    g_mutex_lock(&schedule->lock);
    task = tdxHostScheduleFind(schedule, name);
    if (task && task->state == TDX_HOST_TASK_NOT_STARTED) {
        tdxHostTaskCancel(schedule, task);
        cancelled = TRUE;
    }
    g_mutex_unlock(&schedule->lock);
    return cancelled;
}


void
tdxHostScheduleCancelWaiting(tdxHostSchedule *schedule)
{
    guint i;

    g_mutex_lock(&schedule->lock);
    for (i = 0; i < schedule->tasks->len; i++) {
        tdxHostTask *task = g_ptr_array_index(schedule->tasks, i);

        if (task->state == TDX_HOST_TASK_NOT_STARTED)
            tdxHostTaskCancel(schedule, task);
    }
    g_mutex_unlock(&schedule->lock);
}


void
tdxHostScheduleWake(tdxHostSchedule *schedule)
{
    g_mutex_lock(&schedule->lock);
    schedule->changed = TRUE;
    g_cond_broadcast(&schedule->cond);
    g_mutex_unlock(&schedule->lock);
}


static gint
tdxHostTaskCompare(gconstpointer a, gconstpointer b)
{
    const tdxHostTask *ta = *(const tdxHostTask * const *) a;
    const tdxHostTask *tb = *(const tdxHostTask * const *) b;

    if (ta->estimate_seconds != tb->estimate_seconds)
        return ta->estimate_seconds > tb->estimate_seconds ? -1 : 1;
    if (ta->priority != tb->priority)
        return ta->priority > tb->priority ? -1 : 1;
    return g_strcmp0(ta->label, tb->label);
}


void
tdxHostScheduleSort(tdxHostSchedule *schedule)
{
    g_ptr_array_sort(schedule->tasks, tdxHostTaskCompare);
}


/* Under lock. The first task in run order that may start at @now; else
 * NULL and *@wake_usec is when the next held-back one may (0: none). */
static tdxHostTask *
tdxHostScheduleNext(tdxHostSchedule *schedule, gint64 now, gint64 *wake_usec)
{
    guint i;

    *wake_usec = 0;
    for (i = 0; i < schedule->tasks->len; i++) {
        tdxHostTask *task = g_ptr_array_index(schedule->tasks, i);

        if (task->state != TDX_HOST_TASK_NOT_STARTED)
            continue;
        if (task->not_before_usec <= now)
            return task;
        if (*wake_usec == 0 || task->not_before_usec < *wake_usec)
            *wake_usec = task->not_before_usec;
    }
    return NULL;
}


static gpointer
tdxHostScheduleWorker(gpointer opaque)
{
    tdxHostSchedule *schedule = opaque;

    g_mutex_lock(&schedule->lock);
    for (;;) {
        tdxHostTask *task;
        gpointer result;
        gint64 now = g_get_monotonic_time();
        gint64 wake;

        if (schedule->waiting == 0 || schedule->abandoned ||
            (schedule->deadline_usec > 0 && now >= schedule->deadline_usec))
            break;

        if (!(task = tdxHostScheduleNext(schedule, now, &wake))) {
            /* Only held-back tasks are left: idle until the first may
             * start, a task is cancelled, or the deadline. */
            if (schedule->deadline_usec > 0)
                wake = MIN(wake, schedule->deadline_usec);
            g_cond_wait_until(&schedule->cond, &schedule->lock, wake);
            continue;
        }

        task->state = TDX_HOST_TASK_RUNNING;
        task->start_usec = now;
        schedule->waiting--;
        schedule->running++;
        schedule->peak = MAX(schedule->peak, schedule->running);
        g_mutex_unlock(&schedule->lock);

        result = schedule->work(task->name, schedule->opaque);

        g_mutex_lock(&schedule->lock);
        schedule->running--;
        if (schedule->abandoned) {
            /* Nobody reads it any more; the task stays RUNNING in the
             * report that was already made. */
            if (result && schedule->result_free)
                schedule->result_free(result);
            break;
        }
        task->end_usec = g_get_monotonic_time();
        task->result = result;
        task->state = TDX_HOST_TASK_DONE;
        schedule->done++;
        schedule->changed = TRUE;
        g_cond_broadcast(&schedule->cond);
    }
    schedule->workers--;
    g_cond_broadcast(&schedule->cond);
    g_mutex_unlock(&schedule->lock);

    tdxHostScheduleUnref(schedule);
    return NULL;
}


void
tdxHostScheduleRun(tdxHostSchedule *schedule,
                   gint64 deadline_usec, gint64 abandon_usec,
                   gint64 tick_usec, tdxHostTickFunc tick, gpointer tick_opaque)
{
    guint nworkers = MIN(schedule->jobs, schedule->tasks->len);
    guint i;

    tdxHostScheduleSort(schedule);
    if (abandon_usec > 0 && deadline_usec > 0 && abandon_usec < deadline_usec)
        abandon_usec = deadline_usec;
    if (tick_usec <= 0)
        tick_usec = G_USEC_PER_SEC;

    g_mutex_lock(&schedule->lock);
    schedule->deadline_usec = deadline_usec;
    schedule->workers = nworkers;
    g_mutex_unlock(&schedule->lock);

    /* Detached threads of our own rather than a GThreadPool: a worker
     * stuck in an RPC at the deadline must not hold up the return. */
    for (i = 0; i < nworkers; i++)
        g_thread_unref(g_thread_new("tdx-host-worker", tdxHostScheduleWorker,
                                    tdxHostScheduleRef(schedule)));

    g_mutex_lock(&schedule->lock);
    while (schedule->workers > 0) {
        gint64 now = g_get_monotonic_time();
        gint64 wake = now + tick_usec;
        gboolean changed;

        if (abandon_usec > 0 && now >= abandon_usec) {
            schedule->abandoned = TRUE;
            g_cond_broadcast(&schedule->cond);
            break;
        }
        if (abandon_usec > 0)
            wake = MIN(wake, abandon_usec);
        if (!schedule->changed)
            g_cond_wait_until(&schedule->cond, &schedule->lock, wake);
        changed = schedule->changed;
        schedule->changed = FALSE;

        if (tick && (changed || g_get_monotonic_time() >= wake)) {
            g_mutex_unlock(&schedule->lock);
            tick(schedule, tick_opaque);
            g_mutex_lock(&schedule->lock);
        }
    }
    g_mutex_unlock(&schedule->lock);
}


guint
tdxHostScheduleJobs(const tdxHostSchedule *schedule)
{
    return schedule->jobs;
}


guint
tdxHostScheduleSize(const tdxHostSchedule *schedule)
{
    return schedule->tasks->len;
}


guint
tdxHostSchedulePeak(tdxHostSchedule *schedule)
{
    guint peak;

    g_mutex_lock(&schedule->lock);
    peak = schedule->peak;
    g_mutex_unlock(&schedule->lock);
    return peak;
}


void
tdxHostScheduleCounts(tdxHostSchedule *schedule, guint *done,
                      guint *running, guint *waiting, guint *cancelled)
{
    g_mutex_lock(&schedule->lock);
    *done = schedule->done;
    *running = schedule->running;
    *waiting = schedule->waiting;
    *cancelled = schedule->cancelled;
    g_mutex_unlock(&schedule->lock);
}


static gint
tdxHostTaskCompareStart(gconstpointer a, gconstpointer b)
{
    const tdxHostTask *ta = *(const tdxHostTask * const *) a;
    const tdxHostTask *tb = *(const tdxHostTask * const *) b;

    if (ta->start_usec != tb->start_usec)
        return ta->start_usec < tb->start_usec ? -1 : 1;
    return 0;
}


GStrv
tdxHostScheduleRunning(tdxHostSchedule *schedule)
{
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
    g_autoptr(GPtrArray) running = g_ptr_array_new();
    guint i;

    g_mutex_lock(&schedule->lock);
    for (i = 0; i < schedule->tasks->len; i++) {
        tdxHostTask *task = g_ptr_array_index(schedule->tasks, i);

        if (task->state == TDX_HOST_TASK_RUNNING)
            g_ptr_array_add(running, task);
    }
    /* Held-back tasks make run order and start order differ. */
    g_ptr_array_sort(running, tdxHostTaskCompareStart);
    for (i = 0; i < running->len; i++)
        g_strv_builder_add(builder, ((tdxHostTask *) g_ptr_array_index(running, i))->name);
    g_mutex_unlock(&schedule->lock);
    return g_strv_builder_end(builder);
}


const char *
tdxHostScheduleName(const tdxHostSchedule *schedule, guint i)
{
    return ((const tdxHostTask *) g_ptr_array_index(schedule->tasks, i))->name;
}


double
tdxHostScheduleEstimate(const tdxHostSchedule *schedule, guint i)
{
    return ((const tdxHostTask *) g_ptr_array_index(schedule->tasks, i))->estimate_seconds;
}


tdxHostTaskState
tdxHostScheduleState(tdxHostSchedule *schedule, guint i)
{
    tdxHostTaskState state;

    g_mutex_lock(&schedule->lock);
    state = ((tdxHostTask *) g_ptr_array_index(schedule->tasks, i))->state;
    g_mutex_unlock(&schedule->lock);
    return state;
}


void
tdxHostScheduleTimes(tdxHostSchedule *schedule, guint i,
                     gint64 *start_usec, gint64 *end_usec)
{
    tdxHostTask *task;

    g_mutex_lock(&schedule->lock);
    task = g_ptr_array_index(schedule->tasks, i);
    *start_usec = task->start_usec;
    *end_usec = task->end_usec;
    g_mutex_unlock(&schedule->lock);
}


gpointer
tdxHostScheduleResult(tdxHostSchedule *schedule, guint i)
{
    gpointer result;

    g_mutex_lock(&schedule->lock);
    result = ((tdxHostTask *) g_ptr_array_index(schedule->tasks, i))->result;
    g_mutex_unlock(&schedule->lock);
    return result;
}


gpointer
tdxHostScheduleStealResult(tdxHostSchedule *schedule, guint i)
{
    gpointer result;

    g_mutex_lock(&schedule->lock);
    result = g_steal_pointer(&((tdxHostTask *) g_ptr_array_index(schedule->tasks, i))->result);
    g_mutex_unlock(&schedule->lock);
    return result;
}


double
tdxHostScheduleMakespan(const double *estimates, guint n, guint jobs,
                        double *starts)
{
    g_autofree double *free_at = NULL;
    double makespan = 0;
    guint i;
    guint j;

    if (jobs == 0)
        jobs = g_get_num_processors();
    jobs = MAX(1, MIN(jobs, n));
    free_at = g_new0(double, jobs);

    /* The same list scheduling the run does: each task goes to the worker
     * that frees up first. */
    for (i = 0; i < n; i++) {
        guint best = 0;

        for (j = 1; j < jobs; j++) {
            if (free_at[j] < free_at[best])
                best = j;
        }
        if (starts)
            starts[i] = free_at[best];
        free_at[best] += estimates[i];
        makespan = MAX(makespan, free_at[best]);
    }
    return makespan;
}
