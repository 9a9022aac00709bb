/*
 * tdx-schedule.h: the one way libvirt-tdx runs work in parallel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every parallel step (destroy's batch, shutdown-host's inspections,
 * ACPI shutdown requests and teardowns) is a set of tasks run by a bounded
 * number of detached worker threads, optionally until a deadline. A call
 * into libvirt or QEMU may not return for a long time (a stopped QEMU,
 * libvirt's 30 s job wait): past the deadline its worker is abandoned, not
 * waited for, and the schedule (refcounted, with the work's data) lives
 * until the last worker lets go. Nothing waits for an abandoned worker,
 * process exit included.
 *
 * Order: longest estimate first by default. Reclaim is CPU-bound in the
 * kernel, so running more teardowns than there are CPUs only slows each
 * one down. With a bound, the order decides when the run ends: starting the
 * longest first (LPT list scheduling) keeps the end close to the single
 * slowest teardown. A task can be held back until a time of its own (a
 * guest still in its grace period): it is then passed over, not waited
 * for, so the order among the tasks that may start stays longest first.
 * The scheduler knows nothing of libvirt: the work is a function, so tests
 * drive the same code path with a fake one.
 */
#pragma once

#include <glib.h>

typedef struct _tdxSchedule tdxSchedule;

typedef enum {
    TDX_TASK_NOT_STARTED,  /* the deadline passed before a worker was free */
    TDX_TASK_RUNNING,      /* still running when the run was abandoned */
    TDX_TASK_DONE,
    TDX_TASK_CANCELLED,    /* taken off before it started */
} tdxTaskState;

/* Runs on a worker thread. @opaque is the schedule's, which lives as long
 * as any worker does, even one that was abandoned at the deadline. The
 * returned result is owned by the schedule (freed with result_free). */
typedef gpointer (*tdxScheduleWorkFunc)(const char *name, gpointer opaque);

/* Called on the thread of tdxScheduleRun about every tick while it
 * waits, whenever a task ends and soon after tdxScheduleWake. */
typedef void (*tdxScheduleTickFunc)(tdxSchedule *schedule, gpointer opaque);

typedef enum {
    TDX_SCHEDULE_LONGEST_FIRST,  /* estimate, then priority, then label */
    TDX_SCHEDULE_AS_ADDED,       /* the order of the Add calls */
} tdxScheduleOrder;

/* @jobs: most tasks running at once; 0 means one per online CPU. */
tdxSchedule *tdxScheduleNew(guint jobs, tdxScheduleWorkFunc work,
                                    gpointer opaque, GDestroyNotify opaque_free,
                                    GDestroyNotify result_free);
tdxSchedule *tdxScheduleRef(tdxSchedule *schedule);
void tdxScheduleUnref(tdxSchedule *schedule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxSchedule, tdxScheduleUnref);

void tdxScheduleAdd(tdxSchedule *schedule, const char *name,
                        double estimate_seconds, int priority);
/* The same, but the task starts no earlier than @not_before_usec
 * (g_get_monotonic_time(); 0: at once). Until then a free worker takes
 * the next task that may start. */
void tdxScheduleAddAt(tdxSchedule *schedule, const char *name,
                          double estimate_seconds, int priority,
                          gint64 not_before_usec);
/* The same, with @label (NULL: @name) breaking ties in the order instead
 * of @name: a task keyed by a UUID still sorts by its domain's name. */
void tdxScheduleAddFull(tdxSchedule *schedule, const char *name,
                            const char *label, double estimate_seconds,
                            int priority, gint64 not_before_usec);

void tdxScheduleSetOrder(tdxSchedule *schedule, tdxScheduleOrder order);

/* Let the held-back task @name start as soon as a worker is free. Safe
 * while the schedule runs. */
void tdxScheduleRelease(tdxSchedule *schedule, const char *name);

/* Take the task @name off unless it has started; TRUE if it was taken
 * off (it is then CANCELLED). Safe while the schedule runs. */
gboolean tdxScheduleCancel(tdxSchedule *schedule, const char *name);
/* Take off every task that has not started; the running ones go on. */
void tdxScheduleCancelWaiting(tdxSchedule *schedule);
/* Have the tick called soon; safe from any thread. */
void tdxScheduleWake(tdxSchedule *schedule);

/* Sort: longest estimate first, then higher priority, then label. Run sorts
 * by itself; this is for callers that want the order without running. */
void tdxScheduleSort(tdxSchedule *schedule);

/* Run every task, blocking, each no earlier than its own time. No task
 * (held back or not) starts at or after @deadline_usec
 * (g_get_monotonic_time(); 0: none); the call returns at the latest at
 * @abandon_usec (>= deadline; 0: none) even if tasks still run, which
 * then finish on their own and their results are dropped. */
void tdxScheduleRun(tdxSchedule *schedule,
                    gint64 deadline_usec, gint64 abandon_usec,
                    gint64 tick_usec, tdxScheduleTickFunc tick,
                    gpointer tick_opaque);

/* The same in two steps: Start returns at once, the workers run; Wait
 * blocks as Run does. A schedule started and not waited for is let go
 * with tdxScheduleAbandon() before the caller's last reference. */
void tdxScheduleStart(tdxSchedule *schedule, gint64 deadline_usec);
void tdxScheduleWait(tdxSchedule *schedule, gint64 abandon_usec,
                     gint64 tick_usec, tdxScheduleTickFunc tick,
                     gpointer tick_opaque);
/* No task starts any more and results still to come are dropped. */
void tdxScheduleAbandon(tdxSchedule *schedule);

guint tdxScheduleJobs(const tdxSchedule *schedule);
guint tdxScheduleSize(const tdxSchedule *schedule);
/* Highest number of tasks that ran at the same time. */
guint tdxSchedulePeak(tdxSchedule *schedule);
/* Counts, consistent with each other, at the time of the call; @waiting
 * includes tasks held back until their time. */
void tdxScheduleCounts(tdxSchedule *schedule, guint *done,
                           guint *running, guint *waiting, guint *cancelled);
/* Names of the running tasks, in start order (NULL-terminated). */
GStrv tdxScheduleRunning(tdxSchedule *schedule);

/* Task @i in run order (after Sort or Run). */
const char *tdxScheduleName(const tdxSchedule *schedule, guint i);
double tdxScheduleEstimate(const tdxSchedule *schedule, guint i);
tdxTaskState tdxScheduleState(tdxSchedule *schedule, guint i);
/* Monotonic start and end times (0: not yet). */
void tdxScheduleTimes(tdxSchedule *schedule, guint i,
                          gint64 *start_usec, gint64 *end_usec);
/* The task's result, NULL unless DONE; stays owned by the schedule. */
gpointer tdxScheduleResult(tdxSchedule *schedule, guint i);
/* The same, handed over to the caller (NULL afterwards). */
gpointer tdxScheduleStealResult(tdxSchedule *schedule, guint i);

/* What LPT on @jobs workers predicts for @estimates (seconds): when the
 * last one ends. @starts (may be NULL, n entries) gets each start time.
 * @estimates must be sorted longest first. */
double tdxScheduleMakespan(const double *estimates, guint n, guint jobs,
                               double *starts);
