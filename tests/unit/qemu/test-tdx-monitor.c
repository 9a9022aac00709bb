/*
 * test-tdx-monitor.c: bounded QMP round trips through a scripted peer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>

#include "tdx-error.h"
#include "tdx-test-data.h"
#include "tdx-libvirt.h"
#include "tdx-monitor.h"
#include "tdx-probe.h"
#include "tdx-qmp.h"
#include "tdx-qmp-script.h"


static void
testScriptedReply(void)
{
    g_autoptr(tdxQmpScript) script = tdxQmpScriptNew();
    g_autoptr(tdxMonitor) mon = tdxQmpScriptMonitorNewOffline(script, "td1");
    g_autofree char *ok = tdxTestDataLoad("qmp", "tdx-terminate-ok.json");
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = NULL;

    tdxQmpScriptReply(script, "td1", TDX_QMP_TERMINATE_COMMAND, ok, 1);
    ret = tdxMonitorExecute(mon, TDX_QMP_TERMINATE_COMMAND, NULL, 5000, &error);
    g_assert_no_error(error);
    g_assert_nonnull(ret);

    /* The rule fired once; QEMU without the command answers after that. */
    g_assert_null(tdxMonitorExecute(mon, TDX_QMP_TERMINATE_COMMAND, NULL, 5000, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP_NO_COMMAND);
    g_assert_cmpuint(tdxQmpScriptCount(script, "td1", TDX_QMP_TERMINATE_COMMAND), ==, 2);
    g_assert_cmpuint(tdxQmpScriptCount(script, "td2", TDX_QMP_TERMINATE_COMMAND), ==, 0);
}


static void
testScriptedOtherDomain(void)
{
    g_autoptr(tdxQmpScript) script = tdxQmpScriptNew();
    g_autoptr(tdxMonitor) mon = tdxQmpScriptMonitorNewOffline(script, "td2");
    g_autofree char *ok = tdxTestDataLoad("qmp", "tdx-terminate-ok.json");
    g_autoptr(GError) error = NULL;

    tdxQmpScriptReply(script, "td1", TDX_QMP_TERMINATE_COMMAND, ok, 0);
    g_assert_null(tdxMonitorExecute(mon, TDX_QMP_TERMINATE_COMMAND, NULL, 5000, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP_NO_COMMAND);
}


static void
testHangIsBounded(void)
{
    g_autoptr(tdxQmpScript) script = tdxQmpScriptNew();
    g_autoptr(tdxMonitor) mon = tdxQmpScriptMonitorNewOffline(script, "td1");
    g_autoptr(GError) error = NULL;

    tdxQmpScriptHang(script, NULL, TDX_QMP_TERMINATE_COMMAND);
    g_assert_null(tdxMonitorExecute(mon, TDX_QMP_TERMINATE_COMMAND, NULL, 50, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_MONITOR_TIMEOUT);
    g_assert_nonnull(strstr(error->message, "50 ms"));

    /* The abandoned call still holds the monitor; releasing the script
     * lets it finish and drop its references. */
    g_clear_pointer(&mon, tdxMonitorUnref);
    tdxQmpScriptRelease(script);
}


static void
testProbeScriptedTD(void)
{
    g_autoptr(tdxQmpScript) script = tdxQmpScriptNew();
    g_autoptr(tdxMonitor) mon = tdxQmpScriptMonitorNewOffline(script, "td1");
    g_autofree char *objects = tdxTestDataLoad("qmp", "qom-list-objects-tdx.json");
    g_autofree char *commands = tdxTestDataLoad("qmp", "query-commands-tdx.json");
    g_autoptr(GError) error = NULL;
    tdxProbe probe = { 0 };

    tdxQmpScriptReply(script, NULL, "qom-list", objects, 0);
    tdxQmpScriptReply(script, NULL, "query-commands", commands, 0);
    tdxQmpScriptReply(script, NULL, "qom-get", "{\"return\": true}", 0);
    g_assert_true(tdxProbeRun(mon, 5000, &probe, &error));
    g_assert_no_error(error);
    g_assert_true(probe.is_td);
    g_assert_true(probe.has_terminate);
    g_assert_cmpint(probe.kvm_terminate, ==, TDX_PROBE_KVM_YES);
    g_assert_true(tdxProbeCanTerminate(&probe));
}


/* What the tdx-guest's terminate-supported property says, and what a QEMU
 * without the property answers (recorded from QEMU 10.2.0). */
static void
testProbeKvmTerminate(gconstpointer opaque)
{
    const char *const *c = opaque;   /* { qom-get reply file, expected } */
    g_autoptr(tdxQmpScript) script = tdxQmpScriptNew();
    g_autoptr(tdxMonitor) mon = tdxQmpScriptMonitorNewOffline(script, "td1");
    g_autofree char *objects = tdxTestDataLoad("qmp", "qom-list-objects-tdx.json");
    g_autofree char *commands = tdxTestDataLoad("qmp", "query-commands-tdx.json");
    g_autofree char *reply = tdxTestDataLoad("qmp", c[0]);
    g_autoptr(GError) error = NULL;
    tdxProbe probe = { 0 };

    tdxQmpScriptReply(script, NULL, "qom-list", objects, 0);
    tdxQmpScriptReply(script, NULL, "query-commands", commands, 0);
    tdxQmpScriptReply(script, NULL, "qom-get", reply, 0);
    if (g_str_equal(c[1], "garbage")) {
        g_assert_false(tdxProbeRun(mon, 5000, &probe, &error));
        g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE);
        return;
    }
    g_assert_true(tdxProbeRun(mon, 5000, &probe, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(tdxProbeKvmToString(probe.kvm_terminate), ==, c[1]);
    g_assert_true(tdxProbeCanTerminate(&probe) == !g_str_equal(c[1], "no"));
}


static void
testProbeGarbage(void)
{
    g_autoptr(tdxQmpScript) script = tdxQmpScriptNew();
    g_autoptr(tdxMonitor) mon = tdxQmpScriptMonitorNewOffline(script, "td1");
    g_autoptr(GError) error = NULL;
    tdxProbe probe = { .is_td = TRUE, .has_terminate = TRUE };

    tdxQmpScriptReply(script, NULL, "qom-list", "\x01\xff garbage", 0);
    g_assert_false(tdxProbeRun(mon, 5000, &probe, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE);
    /* Nothing half-filled. */
    g_assert_true(probe.is_td && probe.has_terminate);
}


static void
testKillBusyClassification(void)
{
    virError busy = {
        .code = VIR_ERR_SYSTEM_ERROR,
        .domain = VIR_FROM_NONE,
        .message = (char *) "Failed to terminate process 4242 with SIGKILL: Device or resource busy",
        .int1 = EBUSY,
    };
    virError remote_busy = busy;
    virError other = busy;
    virError not_running = {
        .code = VIR_ERR_OPERATION_INVALID,
        .domain = VIR_FROM_QEMU,
        .message = (char *) "Requested operation is not valid: domain is not running",
    };
    virError no_domain = { .code = VIR_ERR_NO_DOMAIN, .domain = VIR_FROM_QEMU };

    remote_busy.int1 = 0;
    other.int1 = EPERM;
    other.message = (char *) "Failed to kill process 4242: Operation not permitted";

    g_assert_true(tdxLibvirtErrorIsKillBusy(&busy));
    g_assert_true(tdxLibvirtErrorIsKillBusy(&remote_busy));
    g_assert_false(tdxLibvirtErrorIsKillBusy(&other));
    g_assert_false(tdxLibvirtErrorIsKillBusy(&not_running));
    g_assert_false(tdxLibvirtErrorIsKillBusy(NULL));

    g_assert_true(tdxLibvirtErrorIsDomainGone(&not_running));
    g_assert_true(tdxLibvirtErrorIsDomainGone(&no_domain));
    g_assert_false(tdxLibvirtErrorIsDomainGone(&busy));
    g_assert_false(tdxLibvirtErrorIsDomainGone(NULL));
}


static void
testExitCodes(void)
{
    g_autoptr(GError) timeout = g_error_new(TDX_ERROR, TDX_ERROR_TIMEOUT, "t");
    g_autoptr(GError) conn = g_error_new(TDX_ERROR, TDX_ERROR_CONNECTION, "c");
    g_autoptr(GError) busy = g_error_new(TDX_ERROR, TDX_ERROR_BUSY, "b");
    g_autoptr(GError) config = g_error_new(TDX_ERROR, TDX_ERROR_CONFIG, "c");

    g_assert_cmpint(tdxErrorToExitCode(NULL), ==, TDX_EXIT_OK);
    g_assert_cmpint(tdxErrorToExitCode(timeout), ==, TDX_EXIT_TIMEOUT);
    g_assert_cmpint(tdxErrorToExitCode(conn), ==, TDX_EXIT_CONNECTION);
    g_assert_cmpint(tdxErrorToExitCode(busy), ==, TDX_EXIT_FAILED);
    g_assert_cmpint(tdxErrorToExitCode(config), ==, TDX_EXIT_CONFIG);
    g_assert_cmpstr(tdxExitCodeName(TDX_EXIT_NO_DOMAIN), ==, "no-domain");
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/monitor/scripted/reply", testScriptedReply);
    g_test_add_func("/monitor/scripted/other-domain", testScriptedOtherDomain);
    g_test_add_func("/monitor/hang-is-bounded", testHangIsBounded);
    g_test_add_func("/monitor/probe/scripted-td", testProbeScriptedTD);
    g_test_add_data_func("/monitor/probe/kvm-terminate/yes",
                         (const char *const []) { "qom-get-terminate-supported-true.json", "yes" },
                         testProbeKvmTerminate);
    g_test_add_data_func("/monitor/probe/kvm-terminate/no",
                         (const char *const []) { "qom-get-terminate-supported-false.json", "no" },
                         testProbeKvmTerminate);
    g_test_add_data_func("/monitor/probe/kvm-terminate/no-property",
                         (const char *const []) { "qom-get-terminate-supported-not-found-qemu-10.2.json",
                                                  "unknown" },
                         testProbeKvmTerminate);
    g_test_add_data_func("/monitor/probe/kvm-terminate/not-a-bool",
                         (const char *const []) { "garbage-qom-get-string.json", "garbage" },
                         testProbeKvmTerminate);
    g_test_add_func("/monitor/probe/garbage", testProbeGarbage);
    g_test_add_func("/libvirt/error/classification", testKillBusyClassification);
    g_test_add_func("/error/exit-codes", testExitCodes);
    return g_test_run();
}
