/*
 * test-tdx-schedule.c: the one worker/scheduler abstraction, with fake
 * work going through the same code path as the real teardowns
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>

#include "tdx-schedule.h"

/* What the fake work sees; outlives the schedule in every test. */
typedef struct {
    GMutex lock;
    GCond cond;
    guint running;
    guint max_running;
    guint finished;
    gboolean released;     /* for work that blocks until the test says so */
    gboolean block;
    gulong sleep_usec;
    GPtrArray *started;    /* names, in start order */
} testWork;


static void
testWorkInit(testWork *work, gulong sleep_usec)
{
    memset(work, 0, sizeof(*work));
    g_mutex_init(&work->lock);
    g_cond_init(&work->cond);
    work->sleep_usec = sleep_usec;
    work->started = g_ptr_array_new_with_free_func(g_free);
}


static void
testWorkClear(testWork *work)
{
    g_ptr_array_unref(work->started);
    g_mutex_clear(&work->lock);
    g_cond_clear(&work->cond);
}


static gpointer
testWorkRun(const char *name, gpointer opaque)
{
    testWork *work = opaque;

    g_mutex_lock(&work->lock);
    work->running++;
    work->max_running = MAX(work->max_running, work->running);
    g_ptr_array_add(work->started, g_strdup(name));
    while (work->block && !work->released)
        g_cond_wait(&work->cond, &work->lock);
    g_mutex_unlock(&work->lock);

    g_usleep(work->sleep_usec);

    g_mutex_lock(&work->lock);
    work->running--;
    work->finished++;
    g_cond_broadcast(&work->cond);
    g_mutex_unlock(&work->lock);
    return g_strdup_printf("result of %s", name);
}


static tdxSchedule *
testScheduleNew(guint jobs, testWork *work)
{
    return tdxScheduleNew(jobs, testWorkRun, work, NULL, g_free);
}


static void
testOrderLongestFirst(void)
{
    g_autoptr(tdxSchedule) schedule = tdxScheduleNew(2, NULL, NULL, NULL, NULL);
    const char *expected[] = { "big", "mid-hi", "mid-a", "mid-b", "mid-lo", "small" };
    guint i;

    tdxScheduleAdd(schedule, "small", 1.0, 100);
    tdxScheduleAdd(schedule, "mid-lo", 5.0, -3);
    tdxScheduleAdd(schedule, "mid-b", 5.0, 0);
    tdxScheduleAdd(schedule, "big", 50.0, -1000);
    tdxScheduleAdd(schedule, "mid-a", 5.0, 0);
    tdxScheduleAdd(schedule, "mid-hi", 5.0, 7);
    tdxScheduleSort(schedule);

    g_assert_cmpuint(tdxScheduleSize(schedule), ==, G_N_ELEMENTS(expected));
    for (i = 0; i < G_N_ELEMENTS(expected); i++)
        g_assert_cmpstr(tdxScheduleName(schedule, i), ==, expected[i]);
}


/* With one worker the start order is the sort order. */
static void
testRunStartsInOrder(void)
{
    testWork work;
    tdxSchedule *schedule;
    const char *expected[] = { "c", "a", "b", "d" };
    g_autofree char *stolen = NULL;
    guint i;

    testWorkInit(&work, 1000);
    schedule = testScheduleNew(1, &work);
    tdxScheduleAdd(schedule, "d", 1, 0);
    tdxScheduleAdd(schedule, "b", 2, 0);
    tdxScheduleAdd(schedule, "a", 2, 0);
    tdxScheduleAdd(schedule, "c", 3, 0);
    tdxScheduleRun(schedule, 0, 0, 0, NULL, NULL);

    g_assert_cmpuint(work.started->len, ==, 4);
    for (i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_assert_cmpstr(g_ptr_array_index(work.started, i), ==, expected[i]);
        g_assert_cmpint(tdxScheduleState(schedule, i), ==, TDX_TASK_DONE);
    }
    g_assert_cmpstr(tdxScheduleResult(schedule, 0), ==, "result of c");
    stolen = tdxScheduleStealResult(schedule, 0);
    g_assert_cmpstr(stolen, ==, "result of c");
    g_assert_null(tdxScheduleResult(schedule, 0));
    tdxScheduleUnref(schedule);
    testWorkClear(&work);
}


static void
testConcurrencyBound(gconstpointer data)
{
    guint jobs = GPOINTER_TO_UINT(data);
    testWork work;
    tdxSchedule *schedule;
    guint i;

    testWorkInit(&work, 20 * 1000);
    schedule = testScheduleNew(jobs, &work);
    for (i = 0; i < 24; i++) {
        g_autofree char *name = g_strdup_printf("td%02u", i);

        tdxScheduleAdd(schedule, name, (double) (i % 5), 0);
    }
    tdxScheduleRun(schedule, 0, 0, 0, NULL, NULL);

    g_assert_cmpuint(work.finished, ==, 24);
    g_assert_cmpuint(work.max_running, <=, jobs);
    /* 24 tasks of 20 ms each: every worker gets busy at the same time. */
    g_assert_cmpuint(work.max_running, ==, MIN(jobs, 24));
    g_assert_cmpuint(tdxSchedulePeak(schedule), ==, work.max_running);
    tdxScheduleUnref(schedule);
    testWorkClear(&work);
}


static void
testTick(tdxSchedule *schedule G_GNUC_UNUSED, gpointer opaque)
{
    (*(guint *) opaque)++;
}


/* No task starts after the deadline; the run reports which did not. */
static void
testDeadlineStopsStarting(void)
{
    testWork work;
    tdxSchedule *schedule;
    gint64 start = g_get_monotonic_time();
    gint64 deadline = start + 250 * 1000;
    guint done = 0;
    guint not_started = 0;
    guint ticks = 0;
    guint i;

    testWorkInit(&work, 100 * 1000);
    schedule = testScheduleNew(1, &work);
    for (i = 0; i < 10; i++) {
        g_autofree char *name = g_strdup_printf("td%u", i);

        tdxScheduleAdd(schedule, name, 1, 0);
    }
    tdxScheduleRun(schedule, deadline, deadline + G_USEC_PER_SEC,
                       50 * 1000, testTick, &ticks);

    /* Starts at 0, 100 and 200 ms; the one started at 200 ms finishes. */
    g_assert_cmpint(g_get_monotonic_time() - start, <, 600 * 1000);
    for (i = 0; i < 10; i++) {
        gint64 task_start;
        gint64 task_end;

        tdxScheduleTimes(schedule, i, &task_start, &task_end);
        switch (tdxScheduleState(schedule, i)) {
        case TDX_TASK_DONE:
            g_assert_cmpint(task_start, <, deadline);
            g_assert_cmpint(task_end, >=, task_start);
            done++;
            break;
        case TDX_TASK_NOT_STARTED:
            g_assert_cmpint(task_start, ==, 0);
            g_assert_null(tdxScheduleResult(schedule, i));
            not_started++;
            break;
        case TDX_TASK_RUNNING:
        case TDX_TASK_CANCELLED:
            g_assert_not_reached();
        }
    }
    g_assert_cmpuint(done, >=, 2);
    g_assert_cmpuint(done, <=, 3);
    g_assert_cmpuint(done + not_started, ==, 10);
    g_assert_cmpuint(ticks, >, 0);
    tdxScheduleUnref(schedule);
    testWorkClear(&work);
}


/* A teardown that never returns cannot hold the run past its end. */
static void
testAbandonAtDeadline(void)
{
    testWork work;
    tdxSchedule *schedule;
    gint64 start = g_get_monotonic_time();

    testWorkInit(&work, 0);
    work.block = TRUE;
    schedule = testScheduleNew(2, &work);
    tdxScheduleAdd(schedule, "stuck", 9, 0);
    tdxScheduleAdd(schedule, "stuck-too", 8, 0);
    tdxScheduleAdd(schedule, "never", 1, 0);
    tdxScheduleRun(schedule, start + 100 * 1000, start + 200 * 1000, 0, NULL, NULL);

    g_assert_cmpint(g_get_monotonic_time() - start, <, 500 * 1000);
    g_assert_cmpint(tdxScheduleState(schedule, 0), ==, TDX_TASK_RUNNING);
    g_assert_cmpint(tdxScheduleState(schedule, 1), ==, TDX_TASK_RUNNING);
    g_assert_cmpint(tdxScheduleState(schedule, 2), ==, TDX_TASK_NOT_STARTED);

    /* The caller is done with it; the stuck workers still hold it. */
    tdxScheduleUnref(schedule);

    g_mutex_lock(&work.lock);
    work.released = TRUE;
    g_cond_broadcast(&work.cond);
    while (work.finished < 2)
        g_cond_wait(&work.cond, &work.lock);
    g_mutex_unlock(&work.lock);
    /* Let the workers drop their references (ASan sees any late access). */
    g_usleep(50 * 1000);
    g_assert_cmpuint(work.started->len, ==, 2);
    testWorkClear(&work);
}


static guint
testIndex(tdxSchedule *schedule, const char *name)
{
    guint i;

    for (i = 0; i < tdxScheduleSize(schedule); i++) {
        if (g_str_equal(tdxScheduleName(schedule, i), name))
            return i;
    }
    g_error("no task '%s'", name);
    return 0;
}


static gint64
testStart(tdxSchedule *schedule, const char *name)
{
    gint64 start;
    gint64 end;

    tdxScheduleTimes(schedule, testIndex(schedule, name), &start, &end);
    return start;
}


/* A held-back task does not start before its time and does not hold up
 * the shorter ones behind it; once it may, it goes first again. */
static void
testNotBefore(void)
{
    testWork work;
    tdxSchedule *schedule;
    gint64 start = g_get_monotonic_time();
    gint64 not_before = start + 200 * 1000;
    const char *expected[] = { "a", "b", "late", "c" };
    guint i;

    testWorkInit(&work, 100 * 1000);
    schedule = testScheduleNew(1, &work);
    tdxScheduleAddAt(schedule, "late", 10, 0, not_before);
    tdxScheduleAdd(schedule, "a", 5, 0);
    tdxScheduleAdd(schedule, "b", 4, 0);
    tdxScheduleAdd(schedule, "c", 1, 0);
    tdxScheduleRun(schedule, 0, 0, 0, NULL, NULL);

    /* a at 0, b at 100 ms, late at 200 ms (longer than c, which waits). */
    g_assert_cmpuint(work.started->len, ==, G_N_ELEMENTS(expected));
    for (i = 0; i < G_N_ELEMENTS(expected); i++)
        g_assert_cmpstr(g_ptr_array_index(work.started, i), ==, expected[i]);
    g_assert_cmpint(testStart(schedule, "late"), >=, not_before);
    g_assert_cmpint(testStart(schedule, "a"), <, not_before);
    for (i = 0; i < G_N_ELEMENTS(expected); i++)
        g_assert_cmpint(tdxScheduleState(schedule, i), ==, TDX_TASK_DONE);
    tdxScheduleUnref(schedule);
    testWorkClear(&work);
}


/* Free workers idle while only held-back tasks are left; when those may
 * start, the bound holds and the longest go first. */
static void
testNotBeforeBound(gconstpointer data)
{
    guint jobs = GPOINTER_TO_UINT(data);
    testWork work;
    tdxSchedule *schedule;
    gint64 start = g_get_monotonic_time();
    gint64 not_before = start + 100 * 1000;
    guint i;

    testWorkInit(&work, 30 * 1000);
    schedule = testScheduleNew(jobs, &work);
    for (i = 0; i < 16; i++) {
        g_autofree char *name = g_strdup_printf("td%02u", i);

        /* The held-back half has the longer estimates. */
        if (i % 2)
            tdxScheduleAddAt(schedule, name, 100 + i, 0, not_before);
        else
            tdxScheduleAdd(schedule, name, i, 0);
    }
    tdxScheduleRun(schedule, 0, 0, 0, NULL, NULL);

    g_assert_cmpuint(work.finished, ==, 16);
    g_assert_cmpuint(work.max_running, <=, jobs);
    g_assert_cmpuint(work.max_running, ==, jobs);
    g_assert_cmpuint(tdxSchedulePeak(schedule), ==, work.max_running);
    for (i = 0; i < 16; i++) {
        g_autofree char *name = g_strdup_printf("td%02u", i);

        if (i % 2)
            g_assert_cmpint(testStart(schedule, name), >=, not_before);
    }
    /* Once held-back ones may start, the longest of them starts first. */
    g_assert_cmpint(testStart(schedule, "td15"), <=, testStart(schedule, "td01"));
    tdxScheduleUnref(schedule);
    testWorkClear(&work);
}


typedef struct {
    tdxSchedule *schedule;
    guint ticks;
    guint running_at_first_tick;
    gboolean cancelled;
    gboolean cancelled_running;
} testCancelTick;


static void
testCancelOnTick(tdxSchedule *schedule, gpointer opaque)
{
    testCancelTick *data = opaque;

    if (data->ticks++ == 0) {
        guint done;
        guint waiting;
        guint cancelled;

        tdxScheduleCounts(schedule, &done, &data->running_at_first_tick, &waiting,
                              &cancelled);
    }
    if (!data->cancelled) {
        data->cancelled = tdxScheduleCancel(schedule, "held");
        /* A task that has started cannot be taken off. */
        data->cancelled_running = tdxScheduleCancel(schedule, "now");
    }
}


static gpointer
testWakeLater(gpointer opaque)
{
    g_usleep(100 * 1000);
    tdxScheduleWake(opaque);
    return NULL;
}


/* Wake brings the tick early; a task taken off there ends the run
 * without waiting for its time. */
static void
testCancelHeld(void)
{
    testWork work;
    tdxSchedule *schedule;
    testCancelTick data = { 0 };
    gint64 start = g_get_monotonic_time();
    GThread *waker;
    guint done;
    guint running;
    guint waiting;
    guint cancelled;

    testWorkInit(&work, 500 * 1000);
    schedule = testScheduleNew(2, &work);
    tdxScheduleAddAt(schedule, "held", 9, 0, start + 30 * G_USEC_PER_SEC);
    tdxScheduleAdd(schedule, "now", 1, 0);
    data.schedule = schedule;

    /* With a 30 s tick interval, only the waker can bring a tick while
     * "now" still runs (its end brings one too, but then it is done). */
    waker = g_thread_new("waker", testWakeLater, schedule);
    tdxScheduleRun(schedule, 0, 0, 30 * G_USEC_PER_SEC, testCancelOnTick, &data);
    g_thread_join(waker);

    g_assert_cmpuint(data.running_at_first_tick, ==, 1);
    g_assert_true(data.cancelled);
    g_assert_false(data.cancelled_running);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
    g_assert_cmpint(tdxScheduleState(schedule, testIndex(schedule, "held")), ==,
                    TDX_TASK_CANCELLED);
    g_assert_cmpint(tdxScheduleState(schedule, testIndex(schedule, "now")), ==,
                    TDX_TASK_DONE);
    g_assert_cmpuint(work.started->len, ==, 1);
    tdxScheduleCounts(schedule, &done, &running, &waiting, &cancelled);
    g_assert_cmpuint(done, ==, 1);
    g_assert_cmpuint(running, ==, 0);
    g_assert_cmpuint(waiting, ==, 0);
    g_assert_cmpuint(cancelled, ==, 1);
    tdxScheduleUnref(schedule);
    testWorkClear(&work);
}


/* A task held back past the deadline never starts, and the run does not
 * wait for its time. */
static void
testNotBeforePastDeadline(void)
{
    testWork work;
    tdxSchedule *schedule;
    gint64 start = g_get_monotonic_time();
    gint64 deadline = start + 150 * 1000;

    testWorkInit(&work, 10 * 1000);
    schedule = testScheduleNew(2, &work);
    tdxScheduleAddAt(schedule, "held", 9, 0, start + 60 * G_USEC_PER_SEC);
    tdxScheduleAdd(schedule, "now", 1, 0);
    tdxScheduleRun(schedule, deadline, deadline + G_USEC_PER_SEC, 0, NULL, NULL);

    g_assert_cmpint(g_get_monotonic_time() - start, >=, 150 * 1000);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
    g_assert_cmpint(tdxScheduleState(schedule, testIndex(schedule, "held")), ==,
                    TDX_TASK_NOT_STARTED);
    g_assert_cmpint(tdxScheduleState(schedule, testIndex(schedule, "now")), ==,
                    TDX_TASK_DONE);
    tdxScheduleUnref(schedule);
    testWorkClear(&work);
}


static void
testEmpty(void)
{
    g_autoptr(tdxSchedule) schedule = tdxScheduleNew(0, testWorkRun, NULL, NULL, NULL);

    g_assert_cmpuint(tdxScheduleJobs(schedule), ==, g_get_num_processors());
    tdxScheduleRun(schedule, 0, 0, 0, NULL, NULL);
    g_assert_cmpuint(tdxSchedulePeak(schedule), ==, 0);
}


static void
testMakespan(void)
{
    const double estimates[] = { 5, 4, 3, 3, 2, 2, 1 };
    const double expected_starts[] = { 0, 0, 4, 5, 7, 8, 9 };
    const double one_big[] = { 10, 1, 1, 1, 1, 1, 1 };
    double starts[G_N_ELEMENTS(estimates)];
    guint i;

    g_assert_cmpfloat(tdxScheduleMakespan(estimates, G_N_ELEMENTS(estimates), 2, starts),
                      ==, 10);
    for (i = 0; i < G_N_ELEMENTS(estimates); i++)
        g_assert_cmpfloat(starts[i], ==, expected_starts[i]);

    /* Longest first: the run ends with the slowest one, the others fit
     * beside it. */
    g_assert_cmpfloat(tdxScheduleMakespan(one_big, G_N_ELEMENTS(one_big), 2, NULL), ==, 10);
    g_assert_cmpfloat(tdxScheduleMakespan(estimates, G_N_ELEMENTS(estimates), 1, NULL),
                      ==, 20);
    g_assert_cmpfloat(tdxScheduleMakespan(estimates, G_N_ELEMENTS(estimates), 64, NULL),
                      ==, 5);
    g_assert_cmpfloat(tdxScheduleMakespan(NULL, 0, 4, NULL), ==, 0);
}


/* destroy's batch: the order the arguments came in, not the estimates. */
static void
testAsAdded(void)
{
    testWork work;
    tdxSchedule *schedule;
    const char *names[] = { "small", "big", "mid" };
    guint i;

    testWorkInit(&work, 0);
    schedule = testScheduleNew(1, &work);
    tdxScheduleSetOrder(schedule, TDX_SCHEDULE_AS_ADDED);
    tdxScheduleAdd(schedule, "small", 1, 0);
    tdxScheduleAdd(schedule, "big", 9, 0);
    tdxScheduleAdd(schedule, "mid", 5, 0);
    tdxScheduleRun(schedule, 0, 0, 0, NULL, NULL);
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        g_assert_cmpstr(g_ptr_array_index(work.started, i), ==, names[i]);
        g_assert_cmpstr(tdxScheduleName(schedule, i), ==, names[i]);
    }
    tdxScheduleUnref(schedule);
    testWorkClear(&work);
}


/* A held-back task released early (its guest refused the ACPI request)
 * starts at once, not at its own time. */
static void
testRelease(void)
{
    testWork work;
    tdxSchedule *schedule;
    gint64 start = g_get_monotonic_time();

    testWorkInit(&work, 0);
    schedule = testScheduleNew(1, &work);
    tdxScheduleAddAt(schedule, "held", 1, 0, start + (gint64) 3600 * G_USEC_PER_SEC);
    tdxScheduleStart(schedule, 0);
    tdxScheduleRelease(schedule, "held");
    tdxScheduleWait(schedule, 0, 0, NULL, NULL);
    g_assert_cmpint(tdxScheduleState(schedule, 0), ==, TDX_TASK_DONE);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 60 * G_USEC_PER_SEC);
    tdxScheduleUnref(schedule);
    testWorkClear(&work);
}


/* Started and never waited for: abandoning it returns at once, whatever
 * the workers do; they finish later on data the schedule still holds. */
static void
testStartAbandon(void)
{
    testWork work;
    tdxSchedule *schedule;

    testWorkInit(&work, 0);
    work.block = TRUE;
    schedule = testScheduleNew(2, &work);
    tdxScheduleAdd(schedule, "asked", 1, 0);
    tdxScheduleAdd(schedule, "asked-too", 1, 0);
    tdxScheduleStart(schedule, 0);
    tdxScheduleAbandon(schedule);
    tdxScheduleUnref(schedule);

    g_mutex_lock(&work.lock);
    work.released = TRUE;
    g_cond_broadcast(&work.cond);
    while (work.finished < work.started->len)
        g_cond_wait(&work.cond, &work.lock);
    g_mutex_unlock(&work.lock);
    g_usleep(50 * 1000);
    testWorkClear(&work);
}


static gpointer
testWorkForever(const char *name, gpointer opaque)
{
    GMutex lock;
    GCond cond;

    g_mutex_init(&lock);
    g_cond_init(&cond);
    g_mutex_lock(&lock);
    for (;;)
        g_cond_wait(&cond, &lock);
    return NULL;
}


/* A worker that never returns (a libvirt call that hangs) does not keep
 * the process from exiting once the run has abandoned it. */
static void
testAbandonedDoesNotBlockExit(void)
{
    if (g_test_subprocess()) {
        tdxSchedule *schedule = tdxScheduleNew(1, testWorkForever, NULL, NULL, NULL);
        gint64 now = g_get_monotonic_time();

        tdxScheduleAdd(schedule, "hung", 1, 0);
        tdxScheduleRun(schedule, now + 50 * 1000, now + 50 * 1000, 0, NULL, NULL);
        g_assert_cmpint(tdxScheduleState(schedule, 0), ==, TDX_TASK_RUNNING);
        tdxScheduleUnref(schedule);
        return;
    }
    g_test_trap_subprocess(NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/host/schedule/order-longest-first", testOrderLongestFirst);
    g_test_add_func("/host/schedule/run-starts-in-order", testRunStartsInOrder);
    g_test_add_data_func("/host/schedule/concurrency-bound/1", GUINT_TO_POINTER(1),
                         testConcurrencyBound);
    g_test_add_data_func("/host/schedule/concurrency-bound/3", GUINT_TO_POINTER(3),
                         testConcurrencyBound);
    g_test_add_data_func("/host/schedule/concurrency-bound/8", GUINT_TO_POINTER(8),
                         testConcurrencyBound);
    g_test_add_func("/host/schedule/deadline-stops-starting", testDeadlineStopsStarting);
    g_test_add_func("/host/schedule/abandon-at-deadline", testAbandonAtDeadline);
    g_test_add_func("/host/schedule/not-before", testNotBefore);
    g_test_add_data_func("/host/schedule/not-before-bound/1", GUINT_TO_POINTER(1),
                         testNotBeforeBound);
    g_test_add_data_func("/host/schedule/not-before-bound/3", GUINT_TO_POINTER(3),
                         testNotBeforeBound);
    g_test_add_func("/host/schedule/cancel-held", testCancelHeld);
    g_test_add_func("/host/schedule/not-before-past-deadline", testNotBeforePastDeadline);
    g_test_add_func("/host/schedule/empty", testEmpty);
    g_test_add_func("/util/schedule/as-added", testAsAdded);
    g_test_add_func("/util/schedule/release", testRelease);
    g_test_add_func("/util/schedule/start-abandon", testStartAbandon);
    g_test_add_func("/util/schedule/abandoned-does-not-block-exit",
                    testAbandonedDoesNotBlockExit);
    g_test_add_func("/host/schedule/makespan", testMakespan);

    return g_test_run();
}
