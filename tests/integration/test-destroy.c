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
#include "tdx-libvirt.h"
#include "tdx-qmp-script.h"
#include "tdx-test-daemon.h"

#define TDX_TEST_OK_REPLY "{\"return\": {}, \"id\": \"libvirt-30\"}"
#define TDX_TEST_BUSY_REPLY \
    "{\"id\": \"libvirt-31\", \"error\": {\"class\": \"GenericError\", " \
    "\"desc\": \"KVM_TDX_TERMINATE_VM: Device or resource busy\"}}"

static tdxTestDaemon *daemon_shared;

/* The daemon all tests of this program share; NULL when skipped. */
static virConnectPtr
tdxTestConn(void)
{
    g_autoptr(GError) error = NULL;

    if (!tdxTestNeedDaemon())
        return NULL;
    if (!daemon_shared) {
        daemon_shared = tdxTestDaemonStart(&error);
        g_assert_no_error(error);
    }
    tdxEventLoopEnsure();
    return tdxTestDaemonConnection(daemon_shared);
}


typedef struct {
    tdxConfig config;
    tdxDestroyOptions options;
    tdxQmpScript *script;
} tdxTestSetup;


static void
tdxTestSetupInit(tdxTestSetup *setup)
{
    tdxConfigInit(&setup->config);
    /* Tiny guests: a short bound shows a hang without slowing the suite. */
    setup->config.monitor_timeout_ms = 1000;
    setup->config.terminate_retry_delay_ms = 10;
    setup->config.deadline_min_seconds = 30;
    setup->script = tdxQmpScriptNew();
    setup->options.config = &setup->config;
    setup->options.graceful = TDX_GRACEFUL_POLICY;
    setup->options.monitor_new = tdxQmpScriptMonitorNew;
    setup->options.monitor_opaque = setup->script;
}


static void
tdxTestSetupClear(tdxTestSetup *setup)
{
    tdxQmpScriptFree(setup->script);
    tdxConfigClear(&setup->config);
}


G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(tdxTestSetup, tdxTestSetupClear);


static void
tdxTestGuest(virConnectPtr conn, const char *name)
{
    g_autoptr(GError) error = NULL;
    virDomainPtr dom = tdxTestGuestStart(conn, name, 64, TRUE, &error);

    g_assert_no_error(error);
    virDomainFree(dom);
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
testNonTD(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    tdxTestGuest(conn, "plain1");

    result = tdxDestroyDomain(conn, "plain1", &setup.options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_NON_TD);
    g_assert_false(result->is_td);
    g_assert_false(result->terminate_supported);
    g_assert_cmpuint(result->memory_kib, ==, 64 * 1024);
    g_assert_false(tdxTestIsRunning(conn, "plain1"));
    g_assert_cmpint(result->phase_usec[TDX_PHASE_DESTROY], >, 0);
}


static void
testTerminate(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    tdxTestGuest(conn, "td-term");
    tdxQmpScriptMakeTD(setup.script, "td-term", TRUE, TDX_TEST_OK_REPLY);

    result = tdxDestroyDomain(conn, "td-term", &setup.options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_TERMINATE);
    g_assert_true(result->is_td);
    g_assert_true(result->terminate_supported);
    g_assert_cmpuint(result->terminate_attempts, ==, 1);
    g_assert_cmpuint(tdxQmpScriptCount(setup.script, "td-term", "tdx-terminate"), ==, 1);
    /* The probe went to the real QEMU, which answered through libvirt. */
    g_assert_cmpuint(tdxQmpScriptCount(setup.script, "td-term", "query-commands"), ==, 1);
    g_assert_cmpuint(result->notes->len, ==, 0);
    g_assert_false(tdxTestIsRunning(conn, "td-term"));
}


static void
testBusyRetried(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    tdxTestGuest(conn, "td-busy");
    tdxQmpScriptReply(setup.script, "td-busy", "tdx-terminate", TDX_TEST_BUSY_REPLY, 2);
    tdxQmpScriptMakeTD(setup.script, "td-busy", TRUE, TDX_TEST_OK_REPLY);

    result = tdxDestroyDomain(conn, "td-busy", &setup.options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_TERMINATE);
    g_assert_cmpuint(result->terminate_attempts, ==, 3);
}


static void
testBusyExhausted(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    setup.config.terminate_retries = 2;
    tdxTestGuest(conn, "td-busy2");
    tdxQmpScriptMakeTD(setup.script, "td-busy2", TRUE, TDX_TEST_BUSY_REPLY);

    result = tdxDestroyDomain(conn, "td-busy2", &setup.options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_FALLBACK);
    g_assert_cmpuint(result->terminate_attempts, ==, 3);
    g_assert_true(tdxTestHasNote(result, "busy after 3 attempts"));
    g_assert_false(tdxTestIsRunning(conn, "td-busy2"));
}


static void
testNoTerminateCommand(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    tdxTestGuest(conn, "td-old");
    /* A TD whose QEMU predates the command: the real QEMU 7.2 here
     * answers query-commands without it. */
    tdxQmpScriptMakeTD(setup.script, "td-old", FALSE, NULL);

    result = tdxDestroyDomain(conn, "td-old", &setup.options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_FALLBACK);
    g_assert_true(result->is_td);
    g_assert_false(result->terminate_supported);
    g_assert_cmpuint(result->terminate_attempts, ==, 0);
    g_assert_true(tdxTestHasNote(result, "does not offer 'tdx-terminate'"));
}


static void
testNoTerminateRefused(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;
    g_autoptr(tdxDestroyResult) cleanup = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    setup.config.no_terminate = TDX_FALLBACK_REFUSE;
    tdxTestGuest(conn, "td-keep");
    tdxQmpScriptMakeTD(setup.script, "td-keep", FALSE, NULL);

    result = tdxDestroyDomain(conn, "td-keep", &setup.options);
    g_assert_error(result->error, TDX_ERROR, TDX_ERROR_REFUSED);
    g_assert_cmpint(result->path, ==, TDX_DESTROY_PATH_REFUSED);
    g_assert_true(tdxTestIsRunning(conn, "td-keep"));

    setup.config.no_terminate = TDX_FALLBACK_DESTROY;
    cleanup = tdxDestroyDomain(conn, "td-keep", &setup.options);
    tdxTestAssertGone(cleanup, TDX_DESTROY_PATH_FALLBACK);
}


static void
testNonTDRefused(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;
    g_autoptr(tdxDestroyResult) cleanup = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    setup.config.non_td = TDX_NON_TD_REFUSE;
    /* Refused before anything is done: not even an ACPI shutdown. */
    setup.config.graceful = TRUE;
    setup.config.grace_seconds = 30;
    tdxTestGuest(conn, "plain-keep");

    result = tdxDestroyDomain(conn, "plain-keep", &setup.options);
    g_assert_error(result->error, TDX_ERROR, TDX_ERROR_REFUSED);
    g_assert_cmpint(result->phase_usec[TDX_PHASE_GRACEFUL], ==, 0);
    g_assert_true(tdxTestIsRunning(conn, "plain-keep"));
    setup.config.graceful = FALSE;

    setup.config.non_td = TDX_NON_TD_DESTROY;
    cleanup = tdxDestroyDomain(conn, "plain-keep", &setup.options);
    tdxTestAssertGone(cleanup, TDX_DESTROY_PATH_NON_TD);
}


static void
testTerminateHangs(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    tdxTestGuest(conn, "td-hang");
    tdxQmpScriptHang(setup.script, "td-hang", "tdx-terminate");
    tdxQmpScriptMakeTD(setup.script, "td-hang", TRUE, NULL);

    result = tdxDestroyDomain(conn, "td-hang", &setup.options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_FALLBACK);
    g_assert_true(tdxTestHasNote(result, "did not answer 'tdx-terminate' within 1000 ms"));
    /* Bounded: one monitor timeout, not a retry per attempt. */
    g_assert_cmpuint(result->terminate_attempts, ==, 1);
    g_assert_false(tdxTestIsRunning(conn, "td-hang"));
}


static void
testProbeHangs(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    tdxTestGuest(conn, "probe-hang");
    tdxQmpScriptHang(setup.script, "probe-hang", "qom-list");

    result = tdxDestroyDomain(conn, "probe-hang", &setup.options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_NON_TD);
    g_assert_true(tdxTestHasNote(result, "probe failed"));
    g_assert_false(tdxTestIsRunning(conn, "probe-hang"));
}


static void
testQmpGarbage(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    tdxTestGuest(conn, "td-garbage");
    tdxQmpScriptReply(setup.script, "td-garbage", "tdx-terminate", "}{ not json", 0);
    tdxQmpScriptMakeTD(setup.script, "td-garbage", TRUE, NULL);

    result = tdxDestroyDomain(conn, "td-garbage", &setup.options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_FALLBACK);
    g_assert_true(tdxTestHasNote(result, "not JSON"));
}


static void
testUnknownDomain(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);

    result = tdxDestroyDomain(conn, "no-such-guest", &setup.options);
    g_assert_error(result->error, TDX_ERROR, TDX_ERROR_NO_DOMAIN);
    g_assert_nonnull(strstr(result->error->message, "no-such-guest"));
    g_assert_cmpint(tdxErrorToExitCode(result->error), ==, TDX_EXIT_NO_DOMAIN);
}


static void
testAlreadyGone(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;
    g_autofree char *xml = NULL;
    virDomainPtr dom;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    /* A persistent domain that is not running: nothing to tear down. */
    xml = tdxTestGuestXML("defined-off", 64, tdxTestGuestVirtType(conn));
    dom = virDomainDefineXML(conn, xml);
    g_assert_nonnull(dom);

    result = tdxDestroyDomain(conn, "defined-off", &setup.options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_ALREADY_GONE);
    g_assert_cmpuint(tdxQmpScriptCount(setup.script, NULL, "qom-list"), ==, 0);

    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
}


static void
testGracefulTimesOut(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    setup.config.graceful = TRUE;
    setup.config.grace_seconds = 2;
    /* Running, not paused, but with no OS: ACPI power button is ignored. */
    {
        g_autoptr(GError) error = NULL;
        virDomainPtr dom = tdxTestGuestStart(conn, "grace", 64, FALSE, &error);

        g_assert_no_error(error);
        virDomainFree(dom);
    }

    result = tdxDestroyDomain(conn, "grace", &setup.options);
    tdxTestAssertGone(result, TDX_DESTROY_PATH_NON_TD);
    g_assert_true(tdxTestHasNote(result, "did not shut down within 2 s"));
    g_assert_cmpint(result->phase_usec[TDX_PHASE_GRACEFUL], >=, 2 * G_USEC_PER_SEC);
}


static void
testParallel(void)
{
    virConnectPtr conn = tdxTestConn();
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxBatch) batch = NULL;
    const char *names[] = { "par1", "par2", "par3", "par4", "par5" };
    guint i;

    if (!conn)
        return;
    tdxTestSetupInit(&setup);
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        tdxTestGuest(conn, names[i]);
        if (i % 2 == 0)
            tdxQmpScriptMakeTD(setup.script, names[i], TRUE, TDX_TEST_OK_REPLY);
    }

    batch = tdxBatchNew(conn, &setup.options, 3);
    for (i = 0; i < G_N_ELEMENTS(names); i++)
        tdxBatchAdd(batch, names[i]);
    tdxBatchAdd(batch, "par-missing");
    tdxBatchRun(batch, NULL, NULL);

    g_assert_cmpuint(tdxBatchSize(batch), ==, G_N_ELEMENTS(names) + 1);
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        tdxTestAssertGone(tdxBatchResult(batch, i),
                          i % 2 == 0 ? TDX_DESTROY_PATH_TERMINATE : TDX_DESTROY_PATH_NON_TD);
        g_assert_false(tdxTestIsRunning(conn, names[i]));
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
testDaemonGone(void)
{
    g_autoptr(tdxTestDaemon) own = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(tdxTestSetup) setup = { 0 };
    g_autoptr(tdxDestroyResult) result = NULL;
    g_autofree char *pidfile = NULL;
    g_autofree char *pidtext = NULL;
    virConnectPtr conn;
    virDomainPtr dom;
    GThread *killer;
    guint64 pid;

    if (!tdxTestNeedDaemon())
        return;
    own = tdxTestDaemonStart(&error);
    g_assert_no_error(error);
    conn = tdxConnectionOpen(tdxTestDaemonURI(own), &error);
    g_assert_no_error(error);

    tdxTestSetupInit(&setup);
    setup.config.graceful = TRUE;
    setup.config.grace_seconds = 600;
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

    result = tdxDestroyDomain(conn, "orphan", &setup.options);
    g_thread_join(killer);

    g_assert_error(result->error, TDX_ERROR, TDX_ERROR_CONNECTION);
    g_assert_cmpint(tdxErrorToExitCode(result->error), ==, TDX_EXIT_CONNECTION);
    g_assert_cmpint(result->total_usec, <, 60 * G_USEC_PER_SEC);
    virConnectClose(conn);
}


int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/destroy/non-td", testNonTD);
    g_test_add_func("/destroy/terminate", testTerminate);
    g_test_add_func("/destroy/busy-retried", testBusyRetried);
    g_test_add_func("/destroy/busy-exhausted", testBusyExhausted);
    g_test_add_func("/destroy/no-terminate-command", testNoTerminateCommand);
    g_test_add_func("/destroy/no-terminate-refused", testNoTerminateRefused);
    g_test_add_func("/destroy/non-td-refused", testNonTDRefused);
    g_test_add_func("/destroy/terminate-hangs", testTerminateHangs);
    g_test_add_func("/destroy/probe-hangs", testProbeHangs);
    g_test_add_func("/destroy/qmp-garbage", testQmpGarbage);
    g_test_add_func("/destroy/unknown-domain", testUnknownDomain);
    g_test_add_func("/destroy/already-gone", testAlreadyGone);
    g_test_add_func("/destroy/graceful-times-out", testGracefulTimesOut);
    g_test_add_func("/destroy/parallel", testParallel);
    g_test_add_func("/destroy/daemon-gone", testDaemonGone);

    ret = g_test_run();
    tdxTestDaemonStop(daemon_shared);
    return ret;
}
