/*
 * test-destroy.c: the destroy path against a real libvirt daemon and real
 * QEMU guests; TD-only replies come from the scripted QMP peer.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>

#include "tdx-batch.h"
#include "tdx-destroy.h"
#include "tdx-error.h"
#include "tdx-inspect.h"
#include "tdx-libvirt.h"
#include "tdx-qmp-script.h"
#include "tdx-resolve.h"
#include "tdx-test-daemon.h"

#define TDX_TEST_OK_REPLY "{\"return\": {}, \"id\": \"libvirt-30\"}"
#define TDX_TEST_BUSY_REPLY \
    "{\"id\": \"libvirt-31\", \"error\": {\"class\": \"GenericError\", " \
    "\"desc\": \"KVM_TDX_TERMINATE_VM: Device or resource busy\"}}"

/* Every test gets a fresh configuration and script on the shared daemon. */
typedef struct {
    virConnectPtr conn;         /* NULL: skipped */
    tdxConfig config;
    tdxDestroyOptions options;
    tdxQmpScript *script;
} tdxTestFixture;


static void
tdxTestFixtureSetUp(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    tdxTestDaemon *daemon = tdxTestSharedDaemon();

    tdxConfigInit(&fx->config);
    /* Tiny guests: a short bound shows a hang without slowing the suite. */
    fx->config.monitor_timeout_ms = 1000;
    fx->config.terminate_retry_delay_ms = 10;
    fx->config.deadline_min_seconds = 30;
    fx->script = tdxQmpScriptNew();
    fx->options.config = &fx->config;
    fx->options.graceful = TDX_GRACEFUL_POLICY;
    fx->options.monitor_new = tdxQmpScriptMonitorNew;
    fx->options.monitor_opaque = fx->script;
    if (daemon)
        fx->conn = tdxTestDaemonConnection(daemon);
}


static void
tdxTestFixtureTearDown(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    tdxQmpScriptFree(fx->script);
    tdxConfigClear(&fx->config);
}


static void
tdxTestGuest(virConnectPtr conn, const char *name)
{
    g_autoptr(GError) error = NULL;
    virDomainPtr dom = tdxTestGuestStart(conn, name, 64, TRUE, &error);

    g_assert_no_error(error);
    virDomainFree(dom);
}


/* What virsh-tdx destroy does with one argument: resolve it once, then
 * tear the domain down by UUID. */
static tdxDestroyResult *
tdxTestDestroy(virConnectPtr conn, const char *arg, const tdxDestroyOptions *options)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) targets = tdxResolveDomains(conn, &arg, 1, &error);
    const tdxResolved *target;

    g_assert_no_error(error);
    g_assert_cmpuint(targets->len, ==, 1);
    target = g_ptr_array_index(targets, 0);
    if (!target->uuid)
        return tdxDestroyResultNewFailed(target->argument, target->error);
    return tdxDestroyDomain(conn, target->uuid, target->name, options);
}


static gboolean
tdxTestIsRunning(virConnectPtr conn, const char *name)
{
    virDomainPtr dom = virDomainLookupByName(conn, name);
    int active;

    if (!dom)
        return FALSE;
    active = virDomainIsActive(dom);
    virDomainFree(dom);
    return active == 1;
}


static void
tdxTestAssertGone(const tdxDestroyResult *result, tdxDestroyPath path)
{
    if (result->error)
        g_error("%s: %s", result->domain, result->error->message);
    g_assert_cmpstr(tdxDestroyPathToString(result->path), ==,
                    tdxDestroyPathToString(path));
}


static gboolean
tdxTestHasNote(const tdxDestroyResult *result, const char *needle)
{
    guint i;

    for (i = 0; i < result->notes->len; i++) {
        if (strstr(g_ptr_array_index(result->notes, i), needle))
            return TRUE;
    }
    return FALSE;
}


static void
testNonTD(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!fx->conn)
        return;
    tdxTestGuest(fx->conn, "plain1");

    result = tdxTestDestroy(fx->conn, "plain1", &fx->options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_NON_TD);
    g_assert_false(result->is_td);
    g_assert_false(result->terminate_supported);
    g_assert_cmpuint(result->memory_kib, ==, 64 * 1024);
    g_assert_false(tdxTestIsRunning(fx->conn, "plain1"));
    g_assert_cmpint(result->phase_usec[TDX_PHASE_DESTROY], >, 0);
}


static void
testTerminate(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!fx->conn)
        return;
    tdxTestGuest(fx->conn, "td-term");
    tdxQmpScriptMakeTD(fx->script, "td-term", TRUE, TDX_TEST_OK_REPLY);

    result = tdxTestDestroy(fx->conn, "td-term", &fx->options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_TERMINATE);
    g_assert_true(result->is_td);
    g_assert_true(result->terminate_supported);
    g_assert_cmpuint(result->terminate_attempts, ==, 1);
    g_assert_cmpuint(tdxQmpScriptCount(fx->script, "td-term", "tdx-terminate"), ==, 1);
    /* The probe went to the real QEMU, which answered through libvirt. */
    g_assert_cmpuint(tdxQmpScriptCount(fx->script, "td-term", "query-commands"), ==, 1);
    g_assert_cmpuint(result->notes->len, ==, 0);
    g_assert_false(tdxTestIsRunning(fx->conn, "td-term"));
}


static void
testBusyRetried(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!fx->conn)
        return;
    tdxTestGuest(fx->conn, "td-busy");
    tdxQmpScriptReply(fx->script, "td-busy", "tdx-terminate", TDX_TEST_BUSY_REPLY, 2);
    tdxQmpScriptMakeTD(fx->script, "td-busy", TRUE, TDX_TEST_OK_REPLY);

    result = tdxTestDestroy(fx->conn, "td-busy", &fx->options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_TERMINATE);
    g_assert_cmpuint(result->terminate_attempts, ==, 3);
}


static void
testBusyExhausted(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!fx->conn)
        return;
    fx->config.terminate_retries = 2;
    tdxTestGuest(fx->conn, "td-busy2");
    tdxQmpScriptMakeTD(fx->script, "td-busy2", TRUE, TDX_TEST_BUSY_REPLY);

    result = tdxTestDestroy(fx->conn, "td-busy2", &fx->options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_FALLBACK);
    g_assert_cmpuint(result->terminate_attempts, ==, 3);
    g_assert_true(tdxTestHasNote(result, "busy after 3 attempts"));
    g_assert_false(tdxTestIsRunning(fx->conn, "td-busy2"));
}


static void
testNoTerminateCommand(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!fx->conn)
        return;
    tdxTestGuest(fx->conn, "td-old");
    /* A TD whose QEMU predates the command: the real QEMU 7.2 here
     * answers query-commands without it. */
    tdxQmpScriptMakeTD(fx->script, "td-old", FALSE, NULL);

    result = tdxTestDestroy(fx->conn, "td-old", &fx->options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_FALLBACK);
    g_assert_true(result->is_td);
    g_assert_false(result->terminate_supported);
    g_assert_cmpuint(result->terminate_attempts, ==, 0);
    g_assert_true(tdxTestHasNote(result, "does not offer 'tdx-terminate'"));
}


static void
testNoTerminateRefused(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;
    g_autoptr(tdxDestroyResult) cleanup = NULL;

    if (!fx->conn)
        return;
    fx->config.no_terminate = TDX_FALLBACK_REFUSE;
    tdxTestGuest(fx->conn, "td-keep");
    tdxQmpScriptMakeTD(fx->script, "td-keep", FALSE, NULL);

    result = tdxTestDestroy(fx->conn, "td-keep", &fx->options);
    g_assert_error(result->error, TDX_ERROR, TDX_ERROR_REFUSED);
    g_assert_cmpint(result->path, ==, TDX_DESTROY_PATH_REFUSED);
    g_assert_true(tdxTestIsRunning(fx->conn, "td-keep"));

    fx->config.no_terminate = TDX_FALLBACK_DESTROY;
    cleanup = tdxTestDestroy(fx->conn, "td-keep", &fx->options);
    tdxTestAssertGone(cleanup, TDX_DESTROY_PATH_FALLBACK);
}


static void
testNonTDRefused(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;
    g_autoptr(tdxDestroyResult) cleanup = NULL;

    if (!fx->conn)
        return;
    fx->config.non_td = TDX_NON_TD_REFUSE;
    /* Refused before anything is done: not even an ACPI shutdown. */
    fx->config.graceful = TRUE;
    fx->config.grace_seconds = 30;
    tdxTestGuest(fx->conn, "plain-keep");

    result = tdxTestDestroy(fx->conn, "plain-keep", &fx->options);
    g_assert_error(result->error, TDX_ERROR, TDX_ERROR_REFUSED);
    g_assert_cmpint(result->phase_usec[TDX_PHASE_GRACEFUL], ==, 0);
    g_assert_true(tdxTestIsRunning(fx->conn, "plain-keep"));
    fx->config.graceful = FALSE;

    fx->config.non_td = TDX_NON_TD_DESTROY;
    cleanup = tdxTestDestroy(fx->conn, "plain-keep", &fx->options);
    tdxTestAssertGone(cleanup, TDX_DESTROY_PATH_NON_TD);
}


static void
testTerminateHangs(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!fx->conn)
        return;
    tdxTestGuest(fx->conn, "td-hang");
    tdxQmpScriptHang(fx->script, "td-hang", "tdx-terminate");
    tdxQmpScriptMakeTD(fx->script, "td-hang", TRUE, NULL);

    result = tdxTestDestroy(fx->conn, "td-hang", &fx->options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_FALLBACK);
    g_assert_true(tdxTestHasNote(result, "did not answer 'tdx-terminate' within 1000 ms"));
    /* Bounded: one monitor timeout, not a retry per attempt. */
    g_assert_cmpuint(result->terminate_attempts, ==, 1);
    g_assert_false(tdxTestIsRunning(fx->conn, "td-hang"));
}


static void
testProbeHangs(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!fx->conn)
        return;
    tdxTestGuest(fx->conn, "probe-hang");
    tdxQmpScriptHang(fx->script, "probe-hang", "qom-list");

    result = tdxTestDestroy(fx->conn, "probe-hang", &fx->options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_NON_TD);
    g_assert_true(tdxTestHasNote(result, "probe failed"));
    g_assert_false(tdxTestIsRunning(fx->conn, "probe-hang"));
}


static void
testQmpGarbage(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!fx->conn)
        return;
    tdxTestGuest(fx->conn, "td-garbage");
    tdxQmpScriptReply(fx->script, "td-garbage", "tdx-terminate", "}{ not json", 0);
    tdxQmpScriptMakeTD(fx->script, "td-garbage", TRUE, NULL);

    result = tdxTestDestroy(fx->conn, "td-garbage", &fx->options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_FALLBACK);
    g_assert_true(tdxTestHasNote(result, "not JSON"));
}


static void
testUnknownDomain(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!fx->conn)
        return;

    result = tdxTestDestroy(fx->conn, "no-such-guest", &fx->options);
    g_assert_error(result->error, TDX_ERROR, TDX_ERROR_NO_DOMAIN);
    g_assert_nonnull(strstr(result->error->message, "no-such-guest"));
    g_assert_cmpint(tdxErrorToExitCode(result->error), ==, TDX_EXIT_NO_DOMAIN);
}


static void
testAlreadyGone(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;
    g_autofree char *xml = NULL;
    virDomainPtr dom;

    if (!fx->conn)
        return;
    /* A persistent domain that is not running: nothing to tear down. */
    xml = tdxTestGuestXML("defined-off", 64, tdxTestGuestVirtType(fx->conn));
    dom = virDomainDefineXML(fx->conn, xml);
    g_assert_nonnull(dom);

    result = tdxTestDestroy(fx->conn, "defined-off", &fx->options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_ALREADY_GONE);
    g_assert_cmpuint(tdxQmpScriptCount(fx->script, NULL, "qom-list"), ==, 0);

    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
}


static void
testGracefulTimesOut(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!fx->conn)
        return;
    fx->config.graceful = TRUE;
    fx->config.grace_seconds = 2;
    /* Running, not paused, but with no OS: ACPI power button is ignored. */
    {
        g_autoptr(GError) error = NULL;
        virDomainPtr dom = tdxTestGuestStart(fx->conn, "grace", 64, FALSE, &error);

        g_assert_no_error(error);
        virDomainFree(dom);
    }

    result = tdxTestDestroy(fx->conn, "grace", &fx->options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_NON_TD);
    g_assert_true(tdxTestHasNote(result, "did not shut down within 2 s"));
    g_assert_cmpint(result->phase_usec[TDX_PHASE_GRACEFUL], >=, 2 * G_USEC_PER_SEC);
}


static void
testParallel(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxBatch) batch = NULL;
    g_autoptr(GPtrArray) targets = NULL;
    g_autoptr(GError) error = NULL;
    const char *names[] = { "par1", "par2", "par3", "par4", "par5" };
    const char *args[G_N_ELEMENTS(names) + 1];
    guint i;

    if (!fx->conn)
        return;
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        tdxTestGuest(fx->conn, names[i]);
        if (i % 2 == 0)
            tdxQmpScriptMakeTD(fx->script, names[i], TRUE, TDX_TEST_OK_REPLY);
    }

    batch = tdxBatchNew(fx->conn, &fx->options, 3);
    args[G_N_ELEMENTS(names)] = "par-missing";
    for (i = 0; i < G_N_ELEMENTS(names); i++)
        args[i] = names[i];
    targets = tdxResolveDomains(fx->conn, args, G_N_ELEMENTS(args), &error);
    g_assert_no_error(error);
    for (i = 0; i < targets->len; i++)
        tdxBatchAdd(batch, g_ptr_array_index(targets, i));
    tdxBatchRun(batch, NULL, NULL);

    g_assert_cmpuint(tdxBatchSize(batch), ==, G_N_ELEMENTS(names) + 1);
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        tdxTestAssertGone(tdxBatchResult(batch, i),
                          i % 2 == 0 ? TDX_DESTROY_PATH_TERMINATE : TDX_DESTROY_PATH_NON_TD);
        g_assert_false(tdxTestIsRunning(fx->conn, names[i]));
    }
    g_assert_error(tdxBatchResult(batch, G_N_ELEMENTS(names))->error,
                   TDX_ERROR, TDX_ERROR_NO_DOMAIN);
    g_assert_cmpint(tdxBatchExitCode(batch), ==, TDX_EXIT_NO_DOMAIN);
}


static gpointer
tdxTestKillLater(gpointer opaque)
{
    g_usleep(G_USEC_PER_SEC);
    kill((pid_t) GPOINTER_TO_INT(opaque), SIGKILL);
    return NULL;
}


static void
testDaemonGone(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxTestDaemon) own = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(tdxDestroyResult) result = NULL;
    g_autofree char *pidfile = NULL;
    g_autofree char *pidtext = NULL;
    virConnectPtr conn;
    virDomainPtr dom;
    GThread *killer;
    guint64 pid;

    /* A daemon of its own: the shared one must survive this test. */
    if (!fx->conn)
        return;
    own = tdxTestDaemonStart(&error);
    g_assert_no_error(error);
    conn = tdxConnectionOpen(tdxTestDaemonURI(own), &error);
    g_assert_no_error(error);

    fx->config.graceful = TRUE;
    fx->config.grace_seconds = 600;
    dom = tdxTestGuestStart(conn, "orphan", 64, FALSE, &error);
    g_assert_no_error(error);
    virDomainFree(dom);

    /* libvirtd dies while we wait out a grace period the guest (no OS)
     * will never use: the wait must end with a clear error, not hang. */
    pidfile = g_build_filename(tdxTestDaemonDir(own), "state", "libvirtd.pid", NULL);
    g_assert_true(g_file_get_contents(pidfile, &pidtext, NULL, NULL));
    g_assert_true(g_ascii_string_to_unsigned(g_strstrip(pidtext), 10, 2, G_MAXINT,
                                             &pid, NULL));
    killer = g_thread_new("killer", tdxTestKillLater, GINT_TO_POINTER((int) pid));

    result = tdxTestDestroy(conn, "orphan", &fx->options);
    g_thread_join(killer);

    g_assert_error(result->error, TDX_ERROR, TDX_ERROR_CONNECTION);
    g_assert_cmpint(tdxErrorToExitCode(result->error), ==, TDX_EXIT_CONNECTION);
    g_assert_cmpint(result->total_usec, <, 60 * G_USEC_PER_SEC);
    /* Not a grace period that ran out: the daemon went. */
    g_assert_false(tdxTestHasNote(result, "did not shut down"));
    virConnectClose(conn);
}


/* libvirtd killed under an open connection: inspecting and checking the
 * domain report libvirt's own (connection) error, not "unknown libvirt
 * error" (virDomainGetName() in the message used to reset it: exit 1
 * instead of 4). */
static void
testErrorKeptWhenDaemonKilled(tdxTestFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(tdxTestDaemon) own = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) gone_error = NULL;
    g_autoptr(GError) resolve_error = NULL;
    g_autofree char *pidfile = NULL;
    g_autofree char *pidtext = NULL;
    tdxDomainInfo *info;
    virConnectPtr conn;
    virDomainPtr dom;
    guint64 pid;

    if (!fx->conn)
        return;
    own = tdxTestDaemonStart(&error);
    g_assert_no_error(error);
    conn = tdxConnectionOpen(tdxTestDaemonURI(own), &error);
    g_assert_no_error(error);
    dom = tdxTestGuestStart(conn, "lost", 64, TRUE, &error);
    g_assert_no_error(error);

    pidfile = g_build_filename(tdxTestDaemonDir(own), "state", "libvirtd.pid", NULL);
    g_assert_true(g_file_get_contents(pidfile, &pidtext, NULL, NULL));
    g_assert_true(g_ascii_string_to_unsigned(g_strstrip(pidtext), 10, 2, G_MAXINT,
                                             &pid, NULL));
    g_assert_cmpint(kill((pid_t) pid, SIGKILL), ==, 0);
    /* dead, not just signalled: a loaded machine can take longer than any
     * fixed sleep to get there, and the inspection would still succeed */
    tdxTestWaitProcessGone((pid_t) pid);

    info = tdxDomainInspect(dom, &fx->config, TRUE, NULL, NULL, &error);
    g_assert_null(info);
    g_test_message("inspect: %s", error->message);
    g_assert_error(error, TDX_ERROR, TDX_ERROR_CONNECTION);
    g_assert_null(strstr(error->message, "unknown libvirt error"));
    g_assert_nonnull(strstr(error->message, "domain 'lost'"));

    g_assert_cmpint(tdxDomainCheckGone(dom, &gone_error), ==, -1);
    g_assert_error(gone_error, TDX_ERROR, TDX_ERROR_CONNECTION);
    g_assert_null(strstr(gone_error->message, "unknown libvirt error"));

    g_assert_null(tdxResolveDomain(conn, "lost", &resolve_error));
    g_assert_error(resolve_error, TDX_ERROR, TDX_ERROR_CONNECTION);

    virDomainFree(dom);
    virConnectClose(conn);
}


#define TDX_TEST_ADD(path, func) \
    g_test_add(path, tdxTestFixture, NULL, tdxTestFixtureSetUp, func, \
               tdxTestFixtureTearDown)


int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    /* The library warns on purpose (an unusable policy, a grace period
     * cut to fit the deadline); the tests check the records instead. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    /* Before any connection is opened, or no lifecycle event arrives. */
    tdxEventLoopEnsure();

    TDX_TEST_ADD("/destroy/non-td", testNonTD);
    TDX_TEST_ADD("/destroy/terminate", testTerminate);
    TDX_TEST_ADD("/destroy/busy-retried", testBusyRetried);
    TDX_TEST_ADD("/destroy/busy-exhausted", testBusyExhausted);
    TDX_TEST_ADD("/destroy/no-terminate-command", testNoTerminateCommand);
    TDX_TEST_ADD("/destroy/no-terminate-refused", testNoTerminateRefused);
    TDX_TEST_ADD("/destroy/non-td-refused", testNonTDRefused);
    TDX_TEST_ADD("/destroy/terminate-hangs", testTerminateHangs);
    TDX_TEST_ADD("/destroy/probe-hangs", testProbeHangs);
    TDX_TEST_ADD("/destroy/qmp-garbage", testQmpGarbage);
    TDX_TEST_ADD("/destroy/unknown-domain", testUnknownDomain);
    TDX_TEST_ADD("/destroy/already-gone", testAlreadyGone);
    TDX_TEST_ADD("/destroy/graceful-times-out", testGracefulTimesOut);
    TDX_TEST_ADD("/destroy/parallel", testParallel);
    TDX_TEST_ADD("/destroy/daemon-gone", testDaemonGone);
    TDX_TEST_ADD("/destroy/error-kept-when-daemon-killed", testErrorKeptWhenDaemonKilled);

    ret = g_test_run();
    tdxTestSharedDaemonStop();
    return ret;
}
