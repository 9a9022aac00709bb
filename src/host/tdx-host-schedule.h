/*
 * tdx-host-schedule.h: running many teardowns, longest first, bounded
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reclaim is CPU-bound in the kernel, so running more teardowns than there
 * are CPUs only slows each one down. With a bound, the order decides when
 * the run ends: starting the longest first (LPT list scheduling) keeps the
 * end close to the single slowest teardown. A task can be held back until
 * a time of its own (a guest still in its grace period): it is then
 * passed over, not waited for, so the order among the tasks that may
 * start stays longest first. The scheduler knows nothing of
 * libvirt: the work is a function, so tests drive the same code path with
 * a fake one.
 */
#pragma once

#include <glib.h>

typedef struct _tdxHostSchedule tdxHostSchedule;

typedef enum {
    TDX_HOST_TASK_NOT_STARTED,  /* the deadline passed before a worker was free */
    TDX_HOST_TASK_RUNNING,      /* still running when the run was abandoned */
    TDX_HOST_TASK_DONE,
    TDX_HOST_TASK_CANCELLED,    /* taken off before it started */
} tdxHostTaskState;

/* Runs on a worker thread. @opaque is the schedule's, which lives as long
 * as any worker does, even one that was abandoned at the deadline. The
 * returned result is owned by the schedule (freed with result_free). */
typedef gpointer (*tdxHostWorkFunc)(const char *name, gpointer opaque);

/* Called on the thread of tdxHostScheduleRun about every tick while it
 * waits, whenever a task ends and soon after tdxHostScheduleWake. */
typedef void (*tdxHostTickFunc)(tdxHostSchedule *schedule, gpointer opaque);

/* @jobs: most tasks running at once; 0 means one per online CPU. */
tdxHostSchedule *tdxHostScheduleNew(guint jobs, tdxHostWorkFunc work,
                                    gpointer opaque, GDestroyNotify opaque_free,
                                    GDestroyNotify result_free);
tdxHostSchedule *tdxHostScheduleRef(tdxHostSchedule *schedule);
void tdxHostScheduleUnref(tdxHostSchedule *schedule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxHostSchedule, tdxHostScheduleUnref);

void tdxHostScheduleAdd(tdxHostSchedule *schedule, const char *name,
                        double estimate_seconds, int priority);
/* The same, but the task starts no earlier than @not_before_usec
 * (g_get_monotonic_time(); 0: at once). Until then a free worker takes
 * the next task that may start. */
void tdxHostScheduleAddAt(tdxHostSchedule *schedule, const char *name,
                          double estimate_seconds, int priority,
                          gint64 not_before_usec);
/* The same, with @label (NULL: @name) breaking ties in the order instead
 * of @name: a task keyed by a UUID still sorts by its domain's name. */
void tdxHostScheduleAddFull(tdxHostSchedule *schedule, const char *name,
                            const char *label, double estimate_seconds,
                            int priority, gint64 not_before_usec);

/* Take the task @name off unless it has started; TRUE if it was taken
 * off (it is then CANCELLED). Safe while the schedule runs. */
gboolean tdxHostScheduleCancel(tdxHostSchedule *schedule, const char *name);
/* Take off every task that has not started; the running ones go on. */
void tdxHostScheduleCancelWaiting(tdxHostSchedule *schedule);
/* Have the tick called soon; safe from any thread. */
void tdxHostScheduleWake(tdxHostSchedule *schedule);

/* Sort: longest estimate first, then higher priority, then label. Run sorts
 * by itself; this is for callers that want the order without running. */
void tdxHostScheduleSort(tdxHostSchedule *schedule);

/* Run every task, blocking, each no earlier than its own time. No task
 * (held back or not) starts at or after @deadline_usec
 * (g_get_monotonic_time(); 0: none); the call returns at the latest at
 * @abandon_usec (>= deadline; 0: none) even if tasks still run, which
 * then finish on their own and their results are dropped. */
void tdxHostScheduleRun(tdxHostSchedule *schedule,
                        gint64 deadline_usec, gint64 abandon_usec,
                        gint64 tick_usec, tdxHostTickFunc tick,
                        gpointer tick_opaque);

guint tdxHostScheduleJobs(const tdxHostSchedule *schedule);
guint tdxHostScheduleSize(const tdxHostSchedule *schedule);
/* Highest number of tasks that ran at the same time. */
guint tdxHostSchedulePeak(tdxHostSchedule *schedule);
/* Counts, consistent with each other, at the time of the call; @waiting
 * includes tasks held back until their time. */
void tdxHostScheduleCounts(tdxHostSchedule *schedule, guint *done,
                           guint *running, guint *waiting, guint *cancelled);
/* Names of the running tasks, in start order (NULL-terminated). */
GStrv tdxHostScheduleRunning(tdxHostSchedule *schedule);

/* Task @i in run order (after Sort or Run). */
const char *tdxHostScheduleName(const tdxHostSchedule *schedule, guint i);
double tdxHostScheduleEstimate(const tdxHostSchedule *schedule, guint i);
tdxHostTaskState tdxHostScheduleState(tdxHostSchedule *schedule, guint i);
/* Monotonic start and end times (0: not yet). */
void tdxHostScheduleTimes(tdxHostSchedule *schedule, guint i,
                          gint64 *start_usec, gint64 *end_usec);
/* The task's result, NULL unless DONE; stays owned by the schedule. */
gpointer tdxHostScheduleResult(tdxHostSchedule *schedule, guint i);
/* The same, handed over to the caller (NULL afterwards). */
gpointer tdxHostScheduleStealResult(tdxHostSchedule *schedule, guint i);

/* What LPT on @jobs workers predicts for @estimates (seconds): when the
 * last one ends. @starts (may be NULL, n entries) gets each start time.
 * @estimates must be sorted longest first. */
double tdxHostScheduleMakespan(const double *estimates, guint n, guint jobs,
                               double *starts);
