/*
 * test-input-limits.c: hostile inputs against virsh-tdx and a real daemon
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * issue 9 item 4: a domain whose <qemu:commandline> carries deeply nested
 * -object JSON made json-glib overflow the stack of `list` and `destroy`.
 * The config defects of the same issue are checked through the CLI here
 * too, since the promise is about its exit code.
 */
#include <signal.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "tdx-error.h"
#include "tdx-test-cli.h"
#include "tdx-test-daemon.h"

/* Marks the -object arguments the QEMU wrapper below takes out. */
#define TDX_TEST_DROP_KEY "x-tdx-test-drop"

/* {"x-tdx-test-drop":1,"qom-type":"tdx-guest","id":"td0","x":[[...]]} */
static char *
tdxTestDeepObject(guint depth)
{
    g_autoptr(GString) spec = g_string_new("{\"" TDX_TEST_DROP_KEY "\":1,"
                                           "\"qom-type\":\"tdx-guest\",\"id\":\"td0\",\"x\":");
    guint i;

    for (i = 0; i < depth; i++)
        g_string_append_c(spec, '[');
    for (i = 0; i < depth; i++)
        g_string_append_c(spec, ']');
    g_string_append_c(spec, '}');
    return g_string_free(g_steal_pointer(&spec), FALSE);
}


/* QEMU itself refuses an -object with an unknown property, so a guest
 * carrying such JSON could not run; a TD's real -object (which QEMU's JSON
 * parser reads up to 1024 levels) would. The wrapper takes our marked
 * -object out of QEMU's argv and runs the real QEMU, so that libvirt holds
 * a running domain whose live XML has the deep JSON. */
static char *
tdxTestQemuWrapper(const char *dir)
{
    g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
    g_autofree char *path = g_build_filename(dir, "qemu-drop-marked-objects", NULL);
    g_autofree char *script = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(qemu);
    script = g_strdup_printf(
        "#!/bin/bash\n"
        "args=()\n"
        "while [ $# -gt 0 ]; do\n"
        "    if [ \"$1\" = -object ] && [[ ${2:-} == '{\"%s\"'* ]]; then\n"
        "        shift 2\n"
        "        continue\n"
        "    fi\n"
        "    args+=(\"$1\")\n"
        "    shift\n"
        "done\n"
        "exec '%s' \"${args[@]}\"\n", TDX_TEST_DROP_KEY, qemu);
    g_assert_true(g_file_set_contents(path, script, -1, &error));
    g_assert_no_error(error);
    g_assert_cmpint(g_chmod(path, 0755), ==, 0);
    return g_steal_pointer(&path);
}


static char *
tdxTestDeepDomainXML(const char *name, const char *virt_type, const char *emulator,
                     guint depth)
{
    g_autofree char *spec = tdxTestDeepObject(depth);

    return g_markup_printf_escaped(
        "<domain type='%s' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
        "  <name>%s</name>\n"
        "  <memory unit='MiB'>64</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
        "  <devices>\n"
        "    <emulator>%s</emulator>\n"
        "    <memballoon model='none'/>\n"
        "  </devices>\n"
        "  <qemu:commandline>\n"
        "    <qemu:arg value='-object'/>\n"
        "    <qemu:arg value='%s'/>\n"
        "  </qemu:commandline>\n"
        "</domain>\n", virt_type, name, emulator, spec);
}


static void
tdxTestAssertWarned(const tdxTestRun *run, const char *name)
{
    g_autofree char *needle = g_strdup_printf("domain '%s': <qemu:commandline> "
                                              "argument 2 (-object JSON) is "
                                              "unreadable: ", name);

    if (!strstr(run->err, needle))
        g_error("no warning '%s' in:\n%.2000s", needle, run->err);
}


static JsonObject *
tdxTestListed(JsonArray *domains, const char *name)
{
    guint i;

    for (i = 0; i < json_array_get_length(domains); i++) {
        JsonObject *dom = json_array_get_object_element(domains, i);

        if (g_strcmp0(json_object_get_string_member(dom, "name"), name) == 0)
            return dom;
    }
    g_error("domain '%s' not listed", name);
}


/* The first object in @node that has a member @member, at any depth: the
 * shape of the destroy document around the result does not matter here. */
static JsonObject *
tdxTestFindWithMember(JsonNode *node, const char *member)
{
    JsonObject *found = NULL;
    GList *values = NULL;
    GList *l;

    if (JSON_NODE_HOLDS_OBJECT(node)) {
        if (json_object_has_member(json_node_get_object(node), member))
            return json_node_get_object(node);
        values = json_object_get_values(json_node_get_object(node));
    } else if (JSON_NODE_HOLDS_ARRAY(node)) {
        values = json_array_get_elements(json_node_get_array(node));
    }
    for (l = values; l && !found; l = l->next)
        found = tdxTestFindWithMember(l->data, member);
    g_list_free(values);
    return found;
}


static void
testDeepObjectJson(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(tdxTestDaemon) daemon = NULL;
    g_autofree char *wrapper = NULL;
    g_autofree char *running_xml = NULL;
    g_autofree char *defined_xml = NULL;
    g_auto(tdxTestRun) list = { 0 };
    g_auto(tdxTestRun) list_json = { 0 };
    g_auto(tdxTestRun) destroy = { 0 };
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(JsonNode) destroy_root = NULL;
    JsonObject *result;
    virDomainPtr running;
    virDomainPtr defined;
    virDomainPtr gone;
    JsonArray *domains;
    JsonObject *listed;
    virConnectPtr conn;
    const char *uri;

    if (!tdxTestNeedDaemon())
        return;
    daemon = tdxTestDaemonStart(&error);
    g_assert_no_error(error);
    conn = tdxTestDaemonConnection(daemon);
    uri = tdxTestDaemonURI(daemon);
    wrapper = tdxTestQemuWrapper(tdxTestDaemonDir(daemon));

    /* Running: 1000 levels (an exec argument is at most 128 KiB, so a
     * running guest's -object can be no larger). Defined only: 300000
     * levels, 600 KB, the size that overflowed json-glib's stack. */
    running_xml = tdxTestDeepDomainXML("deep-json-td", tdxTestGuestVirtType(conn),
                                       wrapper, 1000);
    if (!(running = virDomainCreateXML(conn, running_xml, VIR_DOMAIN_START_PAUSED))) {
        tdxTestSetLibvirtError(&error, "cannot start deep-json-td");
        g_assert_no_error(error);
    }
    defined_xml = tdxTestDeepDomainXML("deep-json-defined", tdxTestGuestVirtType(conn),
                                       wrapper, 300000);
    if (!(defined = virDomainDefineXML(conn, defined_xml))) {
        tdxTestSetLibvirtError(&error, "cannot define deep-json-defined");
        g_assert_no_error(error);
    }

    /* list: no crash, a warning naming each domain, both in the table as
     * possible TDs (listed even without --all) */
    tdxTestRunCli(&list, "-c", uri, "list", "--all");
    g_assert_cmpint(list.exit_code, ==, TDX_EXIT_OK);
    tdxTestAssertWarned(&list, "deep-json-td");
    tdxTestAssertWarned(&list, "deep-json-defined");
    g_assert_nonnull(strstr(list.err, "nests arrays and objects deeper than the limit "
                            "of 64 levels"));
    g_assert_nonnull(strstr(list.err, "larger than the limit of 131072 bytes"));
    g_assert_nonnull(strstr(list.out, "deep-json-td"));
    g_assert_nonnull(strstr(list.out, "deep-json-defined"));

    tdxTestRunCli(&list_json, "-c", uri, "list", "--all", "--json");
    g_assert_cmpint(list_json.exit_code, ==, TDX_EXIT_OK);
    root = json_from_string(list_json.out, &error);
    g_assert_no_error(error);
    domains = json_object_get_array_member(json_node_get_object(root), "domains");
    listed = tdxTestListed(domains, "deep-json-td");
    g_assert_cmpstr(json_object_get_string_member(listed, "td_source"), ==, "unreadable");
    g_assert_true(json_object_get_boolean_member(listed, "td"));
    listed = tdxTestListed(domains, "deep-json-defined");
    g_assert_cmpstr(json_object_get_string_member(listed, "td_source"), ==, "unreadable");

    /* destroy: no crash, the warning, the guest is torn down, and the
     * way a TD is (QEMU 7.2 without tdx-terminate: the TD fallback with
     * its longer deadline, not the non-TD path) */
    tdxTestRunCli(&destroy, "-c", uri, "destroy", "--json", "deep-json-td");
    g_assert_cmpint(destroy.exit_code, ==, TDX_EXIT_OK);
    tdxTestAssertWarned(&destroy, "deep-json-td");
    destroy_root = json_from_string(destroy.out, &error);
    g_assert_no_error(error);
    result = tdxTestFindWithMember(destroy_root, "path");
    g_assert_nonnull(result);
    g_assert_true(json_object_get_boolean_member(result, "td"));
    g_assert_cmpstr(json_object_get_string_member(result, "path"), ==,
                    "destroy-without-terminate");
    gone = virDomainLookupByName(conn, "deep-json-td");
    if (gone) {
        int state = -1;
        int reason;

        g_assert_cmpint(virDomainGetState(gone, &state, &reason, 0), ==, 0);
        g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
        virDomainFree(gone);
    }

    g_assert_cmpint(virDomainUndefine(defined), ==, 0);
    virDomainFree(defined);
    virDomainFree(running);
}


/* issue 9, "Config": each is exit 3 naming the file, at once. */
static void
testConfigDefects(void)
{
    static const struct {
        const char *name;
        const char *data;
        gssize len;
        const char *needle;
    } cases[] = {
        { "nul.conf", "[destroy]\ngrace-period = 5\0 0\n", 28, "line 2: contains a NUL byte" },
        { "dup-key.conf", "[shutdown-host]\ndeadline = 600\ndeadline = 60\n", -1,
          "line 3: [shutdown-host] deadline is set again (first at line 2)" },
        { "dup-group.conf", "[destroy]\n[shutdown-host]\n[destroy]\n", -1,
          "line 3: group [destroy] appears again (first at line 1)" },
        { "hex.conf", "[destroy]\ndeadline-factor = 0x10\n", -1,
          "[destroy] deadline-factor=0x10: must be a decimal number" },
        { "plus.conf", "[destroy]\ndeadline-factor = +5\n", -1,
          "[destroy] deadline-factor=+5: must be a decimal number" },
        { "escape.conf", "[connection]\nuri = qemu:///sys\\qtem\n", -1,
          /* virsh-tdx prints messages C-escaped: the backslash doubles */
          "[connection] uri=qemu:///sys\\\\qtem: invalid escape sequence" },
    };
    g_autofree char *dir = g_dir_make_tmp("tdx-input-limits-XXXXXX", NULL);
    g_autofree char *fifo = g_build_filename(dir, "fifo.conf", NULL);
    g_auto(tdxTestRun) fifo_run = { 0 };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_build_filename(dir, cases[i].name, NULL);
        g_auto(tdxTestRun) run = { 0 };

        g_assert_true(g_file_set_contents(path, cases[i].data, cases[i].len, NULL));
        tdxTestRunCli(&run, "--config", path, "list");
        g_assert_cmpint(run.exit_code, ==, TDX_EXIT_CONFIG);
        g_assert_nonnull(strstr(run.err, path));
        if (!strstr(run.err, cases[i].needle))
            g_error("stderr '%s' lacks '%s'", run.err, cases[i].needle);
        g_assert_cmpint(g_unlink(path), ==, 0);
    }

    /* a FIFO nobody writes to: before, virsh-tdx blocked forever here */
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    tdxTestRunCli(&fifo_run, "--config", fifo, "list");
    g_assert_cmpint(fifo_run.exit_code, ==, TDX_EXIT_CONFIG);
    g_assert_nonnull(strstr(fifo_run.err, "fifo.conf: is a FIFO, expected a regular file"));
    g_assert_cmpint(g_unlink(fifo), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/input-limits/deep-object-json", testDeepObjectJson);
    g_test_add_func("/input-limits/config-defects", testConfigDefects);

    return g_test_run();
}
