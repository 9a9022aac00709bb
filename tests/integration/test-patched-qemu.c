/*
 * test-patched-qemu.c: virsh-tdx against the QEMU of qemu/patches
 *
 * The guests run on the QEMU that qemu/check built and installed
 * ($TDX_TEST_QEMU), through a private libvirt daemon, under KVM or TCG --
 * never as TDs (no TDX hardware here).  What this checks is the contract
 * of docs/qmp.rst against the real binary: discovery (query-commands, the
 * tdx-guest object and its terminate-supported property), the real error
 * of tdx-terminate outside a TD and how virsh-tdx classifies it, and that
 * destroy of such guests is unchanged.
 *
 * TDX_TEST_RECORD_QMP=DIR writes the real replies to DIR (tests/data/qmp/
 * holds the recorded ones the unit tests parse).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libvirt/libvirt-qemu.h>

#include "tdx-error.h"
#include "tdx-libvirt.h"
#include "tdx-monitor.h"
#include "tdx-qmp.h"
#include "tdx-test-cli.h"
#include "tdx-test-daemon.h"

/* A tdx-guest object that is not the machine's confidential-guest-support:
 * QEMU creates it under TCG as well, and virsh-tdx takes the guest for a TD
 * (docs/qmp.rst, Discovery), but KVM never read its TDX capabilities. */
static const char *const tdxTestFakeTdArgs[] = {
    "-object", "tdx-guest,id=tdx0", NULL
};

/* Daemon and patched QEMU, or NULL with the test skipped/failed. */
static tdxTestDaemon *
tdxTestSetup(const char **qemu)
{
    tdxTestDaemon *daemon;

    if (!(*qemu = tdxTestNeedPatchedQemu()))
        return NULL;
    daemon = tdxTestSharedDaemon();
    return daemon;
}


static virDomainPtr
tdxTestStartOn(tdxTestDaemon *daemon, const char *qemu, const char *name,
               const char *const *qemu_args)
{
    virConnectPtr conn = tdxTestDaemonConnection(daemon);
    g_autofree char *xml = tdxTestGuestXMLFor(name, 64, tdxTestGuestVirtType(conn),
                                              qemu, qemu_args);
    virDomainPtr dom = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_PAUSED);

    if (!dom)
        g_error("cannot start guest '%s' on %s: %s", name, qemu,
                virGetLastErrorMessage());
    return dom;
}


/* One raw QMP exchange through libvirt, recorded if asked. */
static char *
tdxTestQmp(virDomainPtr dom, const char *command, const char *record_as)
{
    const char *dir = g_getenv("TDX_TEST_RECORD_QMP");
    char *reply = NULL;

    if (virDomainQemuMonitorCommand(dom, command, &reply, 0) < 0)
        g_error("'%s' did not reach QEMU: %s", command, virGetLastErrorMessage());
    if (dir && *dir && record_as) {
        g_autofree char *path = g_build_filename(dir, record_as, NULL);
        g_autofree char *line = g_strconcat(reply, "\n", NULL);
        g_autoptr(GError) error = NULL;

        g_assert_true(g_file_set_contents(path, line, -1, &error));
        g_test_message("recorded %s", path);
    }
    return reply;
}


/* query-commands of the real binary lists tdx-terminate, and probe/list
 * report it; a guest without a tdx-guest object is no TD. */
static void
testProbePlain(void)
{
    const char *qemu = NULL;
    tdxTestDaemon *daemon = tdxTestSetup(&qemu);
    g_autoptr(virDomain) dom = NULL;
    g_auto(tdxTestRun) text = { 0 };
    g_auto(tdxTestRun) json = { 0 };
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *commands = NULL;
    JsonObject *obj;
    JsonObject *probe;

    if (!daemon)
        return;
    dom = tdxTestStartOn(daemon, qemu, "plain", NULL);
    commands = tdxTestQmp(dom, "{\"execute\": \"query-commands\"}",
                          "query-commands-qemu-10.2-patched.json");
    g_assert_nonnull(strstr(commands, "\"" TDX_QMP_TERMINATE_COMMAND "\""));

    tdxTestRunCli(&text, "-c", tdxTestDaemonURI(daemon), "probe", "plain", NULL);
    g_assert_cmpint(text.exit_code, ==, 0);
    g_assert_nonnull(strstr(text.out, "TD (QEMU):             no\n"));
    g_assert_nonnull(strstr(text.out, "QMP tdx-terminate:     yes\n"));
    g_assert_nonnull(strstr(text.out, "KVM terminate:         -\n"));

    tdxTestRunCli(&json, "-c", tdxTestDaemonURI(daemon), "probe", "--json", "plain", NULL);
    g_assert_cmpint(json.exit_code, ==, 0);
    obj = tdxTestJson(json.out, &root);
    g_assert_false(json_object_get_boolean_member(obj, "td"));
    probe = json_object_get_object_member(obj, "probe");
    g_assert_nonnull(probe);
    g_assert_false(json_object_get_boolean_member(probe, "tdx_guest_object"));
    g_assert_true(json_object_get_boolean_member(probe, "terminate"));
    g_assert_true(json_object_get_null_member(probe, "kvm_terminate"));

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
}


/* With a tdx-guest object, virsh-tdx takes the guest for a TD and asks the
 * real QEMU whether the kernel can terminate it: no, KVM never read the
 * capabilities.  list shows that it will not be terminated. */
static void
testProbeTdxGuestObject(void)
{
    const char *qemu = NULL;
    tdxTestDaemon *daemon = tdxTestSetup(&qemu);
    g_autoptr(virDomain) dom = NULL;
    g_auto(tdxTestRun) text = { 0 };
    g_auto(tdxTestRun) json = { 0 };
    g_auto(tdxTestRun) list = { 0 };
    g_auto(tdxTestRun) list_json = { 0 };
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(JsonNode) list_root = NULL;
    g_autofree char *objects = NULL;
    g_autofree char *supported = NULL;
    g_autoptr(JsonNode) value = NULL;
    g_autoptr(GError) error = NULL;
    JsonObject *probe;
    JsonArray *domains;

    if (!daemon)
        return;
    dom = tdxTestStartOn(daemon, qemu, "fake-td", tdxTestFakeTdArgs);
    objects = tdxTestQmp(dom, "{\"execute\": \"qom-list\", \"arguments\": {\"path\": \"/objects\"}}",
                         "qom-list-objects-tdx-guest-qemu-10.2-patched.json");
    g_assert_nonnull(strstr(objects, "child<" TDX_QOM_GUEST_TYPE ">"));
    supported = tdxTestQmp(dom, "{\"execute\": \"qom-get\", \"arguments\": "
                           "{\"path\": \"/objects/tdx0\", \"property\": \"terminate-supported\"}}",
                           "qom-get-terminate-supported-false.json");
    value = tdxQmpReplyParse("qom-get", supported, &error);
    g_assert_no_error(error);
    g_assert_true(JSON_NODE_HOLDS_VALUE(value));
    g_assert_cmpint(json_node_get_value_type(value), ==, G_TYPE_BOOLEAN);
    g_assert_false(json_node_get_boolean(value));

    tdxTestRunCli(&text, "-c", tdxTestDaemonURI(daemon), "probe", "fake-td", NULL);
    g_assert_cmpint(text.exit_code, ==, 0);
    g_assert_nonnull(strstr(text.out, "TD (QEMU):             yes\n"));
    g_assert_nonnull(strstr(text.out, "QMP tdx-terminate:     yes\n"));
    g_assert_nonnull(strstr(text.out, "KVM terminate:         no\n"));

    tdxTestRunCli(&json, "-c", tdxTestDaemonURI(daemon), "probe", "--json", "fake-td", NULL);
    g_assert_cmpint(json.exit_code, ==, 0);
    probe = json_object_get_object_member(tdxTestJson(json.out, &root), "probe");
    g_assert_true(json_object_get_boolean_member(probe, "tdx_guest_object"));
    g_assert_true(json_object_get_boolean_member(probe, "terminate"));
    g_assert_false(json_object_get_null_member(probe, "kvm_terminate"));
    g_assert_false(json_object_get_boolean_member(probe, "kvm_terminate"));

    tdxTestRunCli(&list, "-c", tdxTestDaemonURI(daemon), "list", NULL);
    g_assert_cmpint(list.exit_code, ==, 0);
    g_assert_nonnull(strstr(list.out, "fake-td"));
    /* the Terminate column: the command is there, the kernel support not */
    g_assert_true(g_regex_match_simple("fake-td +paused +yes +[0-9.]+[^ ]*iB +no ",
                                          list.out, G_REGEX_RAW, 0));

    tdxTestRunCli(&list_json, "-c", tdxTestDaemonURI(daemon), "list", "--json", NULL);
    g_assert_cmpint(list_json.exit_code, ==, 0);
    domains = json_object_get_array_member(tdxTestJson(list_json.out, &list_root), "domains");
    g_assert_cmpuint(json_array_get_length(domains), ==, 1);
    probe = json_object_get_object_member(json_array_get_object_element(domains, 0), "probe");
    g_assert_false(json_object_get_boolean_member(probe, "kvm_terminate"));

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
}


/* The real reply of tdx-terminate outside a TD, and how virsh-tdx reads
 * it: a permanent QMP error (fallback), neither busy nor "no command";
 * the guest is left as it was. */
static void
testTerminateNotTD(gconstpointer opaque)
{
    const char *const *qemu_args = opaque;
    const char *qemu = NULL;
    tdxTestDaemon *daemon = tdxTestSetup(&qemu);
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(tdxMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(JsonNode) parsed = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) parse_error = NULL;
    g_autofree char *reply = NULL;
    g_autofree char *status = NULL;
    g_autoptr(JsonNode) status_ret = NULL;
    g_autoptr(GError) status_error = NULL;
    int state = -1;

    if (!daemon)
        return;
    dom = tdxTestStartOn(daemon, qemu, "not-a-td", qemu_args);
    g_assert_cmpint(virDomainResume(dom), ==, 0);

    reply = tdxTestQmp(dom, "{\"execute\": \"" TDX_QMP_TERMINATE_COMMAND "\"}",
                       qemu_args ? NULL : "tdx-terminate-not-a-td-qemu-10.2-patched.json");
    parsed = tdxQmpReplyParse(TDX_QMP_TERMINATE_COMMAND, reply, &parse_error);
    g_assert_null(parsed);
    g_assert_error(parse_error, TDX_ERROR, TDX_ERROR_QMP);
    g_assert_nonnull(strstr(parse_error->message, "GenericError"));
    g_assert_nonnull(strstr(parse_error->message, "The guest is not a TDX guest (TD)"));

    /* The same through the monitor virsh-tdx's destroy path uses. */
    mon = tdxMonitorNewLibvirt(dom);
    ret = tdxMonitorExecute(mon, TDX_QMP_TERMINATE_COMMAND, NULL, 10000, &error);
    g_assert_null(ret);
    g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP);
    g_assert_false(g_str_has_suffix(error->message, TDX_QMP_BUSY_SUFFIX));

    /* Refused, so nothing changed: still running, cont still possible. */
    g_assert_cmpint(virDomainGetState(dom, &state, NULL, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    status = tdxTestQmp(dom, "{\"execute\": \"query-status\"}", NULL);
    status_ret = tdxQmpReplyParse("query-status", status, &status_error);
    g_assert_no_error(status_error);
    g_assert_true(json_object_get_boolean_member(json_node_get_object(status_ret), "running"));
    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    g_assert_cmpint(virDomainResume(dom), ==, 0);

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
}


/* virsh-tdx destroy of guests on the patched QEMU: a plain guest takes the
 * non-td path, the tdx-guest one the fallback with the kernel's reason,
 * and both are gone afterwards. */
static void
testDestroyUnchanged(void)
{
    const char *qemu = NULL;
    tdxTestDaemon *daemon = tdxTestSetup(&qemu);
    g_autoptr(virDomain) plain = NULL;
    g_autoptr(virDomain) fake = NULL;
    g_auto(tdxTestRun) run = { 0 };
    g_autoptr(JsonNode) root = NULL;
    JsonArray *domains;
    guint i;

    if (!daemon)
        return;
    plain = tdxTestStartOn(daemon, qemu, "d-plain", NULL);
    fake = tdxTestStartOn(daemon, qemu, "d-fake-td", tdxTestFakeTdArgs);

    tdxTestRunCli(&run, "-c", tdxTestDaemonURI(daemon), "destroy", "--json",
                  "d-plain", "d-fake-td", NULL);
    g_assert_cmpint(run.exit_code, ==, 0);
    domains = json_object_get_array_member(tdxTestJson(run.out, &root), "domains");
    g_assert_cmpuint(json_array_get_length(domains), ==, 2);
    for (i = 0; i < 2; i++) {
        JsonObject *d = json_array_get_object_element(domains, i);
        const char *name = json_object_get_string_member(d, "domain");

        g_assert_cmpstr(json_object_get_string_member(d, "outcome"), ==, "gone");
        g_assert_cmpint(json_object_get_int_member(d, "terminate_attempts"), ==, 0);
        if (g_str_equal(name, "d-plain")) {
            g_assert_cmpstr(json_object_get_string_member(d, "path"), ==, "non-td");
        } else {
            JsonArray *notes = json_object_get_array_member(d, "notes");

            g_assert_cmpstr(name, ==, "d-fake-td");
            g_assert_cmpstr(json_object_get_string_member(d, "path"), ==,
                            "destroy-without-terminate");
            g_assert_false(json_object_get_boolean_member(d, "terminate_supported"));
            g_assert_cmpuint(json_array_get_length(notes), >=, 1);
            g_assert_nonnull(strstr(json_array_get_string_element(notes, 0),
                                    "terminate-supported is false"));
        }
    }
    g_assert_false(virDomainIsActive(plain) == 1);
    g_assert_false(virDomainIsActive(fake) == 1);
}


int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/patched-qemu/probe/plain", testProbePlain);
    g_test_add_func("/patched-qemu/probe/tdx-guest-object", testProbeTdxGuestObject);
    g_test_add_data_func("/patched-qemu/terminate/plain", NULL, testTerminateNotTD);
    g_test_add_data_func("/patched-qemu/terminate/tdx-guest-object", tdxTestFakeTdArgs,
                         testTerminateNotTD);
    g_test_add_func("/patched-qemu/destroy/unchanged", testDestroyUnchanged);

    ret = g_test_run();
    tdxTestSharedDaemonStop();
    return ret;
}
