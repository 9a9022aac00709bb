/*
 * test-virsh-tdx.c: the virsh-tdx binary against a real libvirt daemon
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "tdx-error.h"
#include "tdx-json-schema.h"
#include "tdx-test-cli.h"
#include "tdx-test-daemon.h"

static const char *
tdxTestURI(void)
{
    tdxTestDaemon *daemon = tdxTestSharedDaemon();

    return daemon ? tdxTestDaemonURI(daemon) : NULL;
}


static void
tdxTestGuest(const char *name)
{
    g_autoptr(GError) error = NULL;
    virDomainPtr dom = tdxTestGuestStart(tdxTestDaemonConnection(tdxTestSharedDaemon()),
                                         name, 64, TRUE, &error);

    g_assert_no_error(error);
    virDomainFree(dom);
}


/* Tests share one daemon and must leave no guest behind. */
static void
tdxTestGuestRemove(const char *name)
{
    virDomainPtr dom = virDomainLookupByName(tdxTestDaemonConnection(tdxTestSharedDaemon()),
                                             name);

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
}


static void
testUsage(void)
{
    g_auto(tdxTestRun) help = { 0 };
    g_auto(tdxTestRun) cmd_help = { 0 };
    g_auto(tdxTestRun) unknown = { 0 };
    g_auto(tdxTestRun) missing = { 0 };
    g_auto(tdxTestRun) bad_option = { 0 };

    tdxTestRunCli(&help, "--help", NULL);
    g_assert_cmpint(help.exit_code, ==, 0);
    g_assert_nonnull(strstr(help.out, "destroy"));
    g_assert_nonnull(strstr(help.out, "Exit codes"));

    tdxTestRunCli(&cmd_help, "destroy", "--help", NULL);
    g_assert_cmpint(cmd_help.exit_code, ==, 0);
    g_assert_nonnull(strstr(cmd_help.out, "--jobs"));

    tdxTestRunCli(&unknown, "explode", NULL);
    g_assert_cmpint(unknown.exit_code, ==, TDX_EXIT_USAGE);
    g_assert_nonnull(strstr(unknown.err, "unknown command 'explode'"));

    tdxTestRunCli(&missing, "destroy", NULL);
    g_assert_cmpint(missing.exit_code, ==, TDX_EXIT_USAGE);

    tdxTestRunCli(&bad_option, "destroy", "--jobs", "many", "x", NULL);
    g_assert_cmpint(bad_option.exit_code, ==, TDX_EXIT_USAGE);
    g_assert_nonnull(strstr(bad_option.err, "many"));

    /* virsh conventions: -v the bare version, -V/--version with the name,
     * help and help COMMAND. */
    {
        g_auto(tdxTestRun) short_version = { 0 };
        g_auto(tdxTestRun) long_version = { 0 };
        g_auto(tdxTestRun) help_all = { 0 };
        g_auto(tdxTestRun) help_list = { 0 };
        g_auto(tdxTestRun) help_bad = { 0 };

        tdxTestRunCli(&short_version, "-v", NULL);
        g_assert_cmpint(short_version.exit_code, ==, 0);
        g_assert_true(g_regex_match_simple("^[0-9]+\\.[0-9]+\\.[0-9]+\n$", short_version.out, 0, 0));
        tdxTestRunCli(&long_version, "-V", NULL);
        g_assert_true(g_str_has_prefix(long_version.out, "virsh-tdx "));
        g_assert_nonnull(strstr(long_version.out, g_strstrip(short_version.out)));
        tdxTestRunCli(&help_all, "help", NULL);
        g_assert_cmpint(help_all.exit_code, ==, 0);
        g_assert_nonnull(strstr(help_all.out, "shutdown-host"));
        tdxTestRunCli(&help_list, "help", "list", NULL);
        g_assert_cmpint(help_list.exit_code, ==, 0);
        g_assert_nonnull(strstr(help_list.out, "--include-non-td"));
        tdxTestRunCli(&help_bad, "help", "explode", NULL);
        g_assert_cmpint(help_bad.exit_code, ==, TDX_EXIT_USAGE);
        g_assert_nonnull(strstr(help_bad.err, "explode"));
    }

    /* The old spellings of --shutdown-first still parse, with a warning;
     * here they meet their opposite, so nothing is connected to. */
    {
        const char *commands[] = { "destroy", "shutdown-host" };
        guint i;

        for (i = 0; i < G_N_ELEMENTS(commands); i++) {
            g_auto(tdxTestRun) old = { 0 };
            g_auto(tdxTestRun) old_no = { 0 };
            /* destroy needs a domain argument; shutdown-host takes none,
             * and only refuses a bad command line with --dry-run (a real
             * run goes on without the mistake). */
            const char *domain = i == 0 ? "x" : "--dry-run";

            tdxTestRunCli(&old, commands[i], "--graceful", "--no-shutdown-first", domain, NULL);
            g_assert_cmpint(old.exit_code, ==, TDX_EXIT_USAGE);
            g_assert_nonnull(strstr(old.err, "--graceful is deprecated"));
            g_assert_nonnull(strstr(old.err, "exclude each other"));
            tdxTestRunCli(&old_no, commands[i], "--no-graceful", "--shutdown-first", domain,
                          NULL);
            g_assert_cmpint(old_no.exit_code, ==, TDX_EXIT_USAGE);
            g_assert_nonnull(strstr(old_no.err, "--no-graceful is deprecated"));
        }
    }
}


static void
testBadConfig(void)
{
    g_autofree char *dir = g_dir_make_tmp("virsh-tdx-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "tdx.conf", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.conf", NULL);
    g_auto(tdxTestRun) run = { 0 };
    g_auto(tdxTestRun) absent = { 0 };

    g_assert_true(g_file_set_contents(path, "[destroy]\nterminate-retries=lots\n", -1, NULL));
    tdxTestRunCli(&run, "--config", path, "list", NULL);
    g_assert_cmpint(run.exit_code, ==, TDX_EXIT_CONFIG);
    g_assert_nonnull(strstr(run.err, path));
    g_assert_nonnull(strstr(run.err, "terminate-retries"));

    /* Named explicitly, a missing file is an error, not the defaults. */
    tdxTestRunCli(&absent, "--config", missing, "list", NULL);
    g_assert_cmpint(absent.exit_code, ==, TDX_EXIT_CONFIG);
    g_assert_nonnull(strstr(absent.err, missing));

    g_unlink(path);
    g_rmdir(dir);
}


static void
testUnreachable(void)
{
    g_auto(tdxTestRun) run = { 0 };

    tdxTestRunCli(&run, "-c", "qemu:///system?socket=/nonexistent/libvirt-sock",
                  "list", NULL);
    g_assert_cmpint(run.exit_code, ==, TDX_EXIT_CONNECTION);
    g_assert_nonnull(strstr(run.err, "/nonexistent/libvirt-sock"));
}


static void
testListAndProbe(void)
{
    const char *uri = tdxTestURI();
    g_auto(tdxTestRun) all = { 0 };
    g_auto(tdxTestRun) tds = { 0 };
    g_auto(tdxTestRun) text = { 0 };
    g_auto(tdxTestRun) probe = { 0 };
    g_auto(tdxTestRun) unknown = { 0 };
    g_autoptr(JsonNode) all_root = NULL;
    g_autoptr(JsonNode) tds_root = NULL;
    g_autoptr(JsonNode) probe_root = NULL;
    JsonArray *domains;
    JsonObject *first;
    JsonObject *probed;

    if (!uri)
        return;
    tdxTestGuest("cli-list1");
    tdxTestGuest("cli-list2");

    tdxTestRunCli(&all, "-c", uri, "list", "--include-non-td", "--json", NULL);
    g_assert_cmpint(all.exit_code, ==, 0);
    domains = json_object_get_array_member(tdxTestJson(all.out, &all_root), "domains");
    g_assert_cmpuint(json_array_get_length(domains), ==, 2);
    first = json_array_get_object_element(domains, 0);
    g_assert_cmpstr(json_object_get_string_member(first, "state"), ==, "paused");
    g_assert_false(json_object_get_boolean_member(first, "td"));
    g_assert_cmpint(json_object_get_int_member(first, "memory_kib"), ==, 65536);
    probed = json_object_get_object_member(first, "probe");
    g_assert_nonnull(probed);
    g_assert_false(json_object_get_boolean_member(probed, "terminate"));

    /* Without --include-non-td only TDs are listed, and QEMU 7.2 runs none. */
    tdxTestRunCli(&tds, "-c", uri, "list", "--json", NULL);
    g_assert_cmpint(tds.exit_code, ==, 0);
    domains = json_object_get_array_member(tdxTestJson(tds.out, &tds_root), "domains");
    g_assert_cmpuint(json_array_get_length(domains), ==, 0);

    tdxTestRunCli(&text, "-c", uri, "list", "--include-non-td", NULL);
    g_assert_cmpint(text.exit_code, ==, 0);
    g_assert_nonnull(strstr(text.out, "cli-list1"));
    g_assert_nonnull(strstr(text.out, "Terminate"));

    tdxTestRunCli(&probe, "-c", uri, "probe", "--json", "cli-list1", NULL);
    g_assert_cmpint(probe.exit_code, ==, 0);
    probed = json_object_get_object_member(tdxTestJson(probe.out, &probe_root), "probe");
    g_assert_false(json_object_get_boolean_member(probed, "tdx_guest_object"));
    g_assert_false(json_object_get_boolean_member(probed, "terminate"));

    tdxTestRunCli(&unknown, "-c", uri, "probe", "no-such-guest", NULL);
    g_assert_cmpint(unknown.exit_code, ==, TDX_EXIT_NO_DOMAIN);
    g_assert_nonnull(strstr(unknown.err, "no-such-guest"));

    tdxTestGuestRemove("cli-list1");
    tdxTestGuestRemove("cli-list2");
}


/* Columns sized to content: in the @rows rows under the header line that
 * names @column (a left-aligned one), that column's cell starts right
 * under the header (a space
 * before it, text at it), however long or odd the names. */
static void
tdxTestAssertAligned(const char *text, const char *column, guint rows)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    gsize offset = 0;
    guint header;
    guint i;

    for (header = 0; lines[header]; header++) {
        const char *found = strstr(lines[header], column);

        if (found && (found == lines[header] || found[-1] == ' ')) {
            offset = g_utf8_pointer_to_offset(lines[header], found);
            break;
        }
    }
    g_assert_nonnull(lines[header]);
    for (i = header + 1; i <= header + rows; i++) {
        const char *cell;

        g_assert_nonnull(lines[i]);
        g_assert_cmpuint(g_utf8_strlen(lines[i], -1), >, offset);
        cell = g_utf8_offset_to_pointer(lines[i], offset);
        g_assert_false(g_unichar_isspace(g_utf8_get_char(cell)));
        g_assert_true(offset == 0 ||
                      g_unichar_isspace(g_utf8_get_char(g_utf8_prev_char(cell))));
    }
}


static void
testListVirshOptions(void)
{
    const char *uri = tdxTestURI();
    const char *long_name = "a-guest-name-of-forty-two-characters-long2";
    /* XML 1.0 allows no other control characters in a name. */
    const char *odd_name = "two\nlines\tand \\ \u00e9";
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *expected_names = NULL;
    g_auto(tdxTestRun) running = { 0 };
    g_auto(tdxTestRun) all = { 0 };
    g_auto(tdxTestRun) uuids = { 0 };
    g_auto(tdxTestRun) both = { 0 };
    g_auto(tdxTestRun) table = { 0 };
    g_auto(tdxTestRun) quiet = { 0 };
    g_auto(tdxTestRun) global_quiet = { 0 };
    g_auto(tdxTestRun) deprecated = { 0 };
    char uuid[VIR_UUID_STRING_BUFLEN];
    virConnectPtr conn;
    virDomainPtr defined;
    virDomainPtr odd;

    if (!uri)
        return;
    g_assert_cmpuint(strlen(long_name), ==, 42);
    conn = tdxTestDaemonConnection(tdxTestSharedDaemon());
    tdxTestGuest(long_name);
    odd = tdxTestGuestStart(conn, odd_name, 64, TRUE, &error);
    g_assert_no_error(error);
    xml = tdxTestGuestXML("cli-defined", 64, tdxTestGuestVirtType(conn));
    defined = virDomainDefineXML(conn, xml);
    g_assert_nonnull(defined);
    g_assert_cmpint(virDomainGetUUIDString(odd, uuid), ==, 0);

    /* --name: running only, one escaped name a line, nothing else. */
    tdxTestRunCli(&running, "-c", uri, "list", "--include-non-td", "--name", NULL);
    g_assert_cmpint(running.exit_code, ==, 0);
    expected_names = g_strdup_printf("%s\n%s\n", long_name,
                                     "two\\nlines\\tand \\\\ \u00e9");
    /* Running domains are ordered by ID: the long name was started first. */
    g_assert_cmpstr(running.out, ==, expected_names);

    /* --all as in virsh: the defined, inactive domain too. */
    tdxTestRunCli(&all, "-c", uri, "list", "--all", "--include-non-td", "--name", NULL);
    g_assert_cmpint(all.exit_code, ==, 0);
    g_assert_true(g_str_has_suffix(all.out, "\ncli-defined\n"));

    tdxTestRunCli(&uuids, "-c", uri, "list", "--include-non-td", "--uuid", NULL);
    g_assert_cmpint(uuids.exit_code, ==, 0);
    g_assert_nonnull(strstr(uuids.out, uuid));
    g_assert_null(strstr(uuids.out, long_name));

    tdxTestRunCli(&both, "-c", uri, "list", "--include-non-td", "--uuid", "--name", NULL);
    g_assert_cmpint(both.exit_code, ==, 0);
    {
        g_autofree char *line = g_strdup_printf("%s two\\nlines", uuid);

        g_assert_nonnull(strstr(both.out, line));
    }

    /* Every row one line, every column as wide as its widest cell. */
    tdxTestRunCli(&table, "-c", uri, "list", "--all", "--include-non-td", NULL);
    g_assert_cmpint(table.exit_code, ==, 0);
    g_assert_nonnull(strstr(table.out, long_name));
    g_assert_null(strchr(table.out, '\t'));
    tdxTestAssertAligned(table.out, "State", 3);
    tdxTestAssertAligned(table.out, "Terminate", 3);

    /* The shutdown-host plan is a table too. */
    {
        g_auto(tdxTestRun) plan = { 0 };

        tdxTestRunCli(&plan, "-c", uri, "shutdown-host", "--dry-run", "--non-td", "destroy",
                      NULL);
        g_assert_cmpint(plan.exit_code, ==, 0);
        g_assert_nonnull(strstr(plan.out, long_name));
        g_assert_nonnull(strstr(plan.out, "two\\nlines"));
        tdxTestAssertAligned(plan.out, "Action", 2);
    }

    tdxTestRunCli(&quiet, "-c", uri, "list", "--include-non-td", "-q", NULL);
    g_assert_cmpint(quiet.exit_code, ==, 0);
    g_assert_null(strstr(quiet.out, "Name"));
    g_assert_nonnull(strstr(quiet.out, long_name));
    tdxTestRunCli(&global_quiet, "-q", "-c", uri, "list", "--include-non-td", NULL);
    g_assert_cmpstr(global_quiet.out, ==, quiet.out);

    /* The old spelling of --all still works, with a warning. */
    tdxTestRunCli(&deprecated, "-c", uri, "list", "--inactive", "--include-non-td",
                  "--name", NULL);
    g_assert_cmpint(deprecated.exit_code, ==, 0);
    g_assert_cmpstr(deprecated.out, ==, all.out);
    g_assert_nonnull(strstr(deprecated.err, "--inactive is deprecated"));

    g_assert_cmpint(virDomainUndefine(defined), ==, 0);
    virDomainFree(defined);
    g_assert_cmpint(virDomainDestroy(odd), ==, 0);
    virDomainFree(odd);
    tdxTestGuestRemove(long_name);
}


static void
testDestroy(void)
{
    const char *uri = tdxTestURI();
    g_auto(tdxTestRun) run = { 0 };
    g_auto(tdxTestRun) again = { 0 };
    g_autoptr(JsonNode) root = NULL;
    JsonObject *object;
    JsonObject *summary;
    JsonArray *domains;
    guint i;

    if (!uri)
        return;
    tdxTestGuest("cli-d1");
    tdxTestGuest("cli-d2");
    tdxTestGuest("cli-d3");

    tdxTestRunCli(&run, "-c", uri, "destroy", "--json", "--jobs", "2",
                  "cli-d1", "cli-d2", "cli-d3", "cli-missing", NULL);
    g_assert_cmpint(run.exit_code, ==, TDX_EXIT_NO_DOMAIN);
    object = tdxTestJson(run.out, &root);
    g_assert_cmpint(json_object_get_int_member(object, "exit_code"), ==, TDX_EXIT_NO_DOMAIN);
    domains = json_object_get_array_member(object, "domains");
    g_assert_cmpuint(json_array_get_length(domains), ==, 4);
    for (i = 0; i < 3; i++) {
        JsonObject *result = json_array_get_object_element(domains, i);

        g_assert_cmpstr(json_object_get_string_member(result, "outcome"), ==, "gone");
        g_assert_cmpstr(json_object_get_string_member(result, "path"), ==, "non-td");
        g_assert_true(json_object_has_member(result, "phases_ms"));
    }
    g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(domains, 3),
                                                  "outcome"), ==, "no-domain");
    summary = json_object_get_object_member(object, "summary");
    g_assert_cmpint(json_object_get_int_member(summary, "gone"), ==, 3);
    g_assert_cmpint(json_object_get_int_member(summary, "failed"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(summary, "jobs"), ==, 2);
    /* Not a terminal: no progress line on stderr. */
    g_assert_cmpstr(run.err, ==, "");

    tdxTestRunCli(&again, "-c", uri, "destroy", "cli-d1", NULL);
    g_assert_cmpint(again.exit_code, ==, TDX_EXIT_NO_DOMAIN);
    g_assert_nonnull(strstr(again.out, "cli-d1: no-domain"));
}


static gboolean
tdxTestIsRunning(const char *name)
{
    virConnectPtr conn = tdxTestDaemonConnection(tdxTestSharedDaemon());
    virDomainPtr dom = virDomainLookupByName(conn, name);
    int active;

    if (!dom)
        return FALSE;
    active = virDomainIsActive(dom);
    virDomainFree(dom);
    return active == 1;
}


/* A guest whose name is another running guest's ID: that argument is
 * refused as ambiguous, before anything is stopped; arguments naming one
 * guest several ways are one teardown; "--" ends the options. */
static void
testResolve(void)
{
    const char *uri = tdxTestURI();
    g_auto(tdxTestRun) ambiguous = { 0 };
    g_auto(tdxTestRun) merged = { 0 };
    g_auto(tdxTestRun) by_id = { 0 };
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(JsonNode) root2 = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *first_id = NULL;
    g_autofree char *clash_id = NULL;
    char first_uuid[VIR_UUID_STRING_BUFLEN];
    virConnectPtr conn;
    virDomainPtr dom;
    JsonArray *domains;

    if (!uri)
        return;
    conn = tdxTestDaemonConnection(tdxTestSharedDaemon());
    dom = tdxTestGuestStart(conn, "cli-first", 64, TRUE, &error);
    g_assert_no_error(error);
    first_id = g_strdup_printf("%u", virDomainGetID(dom));
    g_assert_cmpint(virDomainGetUUIDString(dom, first_uuid), ==, 0);
    virDomainFree(dom);
    /* Named like cli-first's ID. */
    dom = tdxTestGuestStart(conn, first_id, 64, TRUE, &error);
    g_assert_no_error(error);
    clash_id = g_strdup_printf("%u", virDomainGetID(dom));
    virDomainFree(dom);

    tdxTestRunCli(&ambiguous, "-c", uri, "destroy", "--", first_id, NULL);
    g_assert_cmpint(ambiguous.exit_code, ==, TDX_EXIT_USAGE);
    g_assert_nonnull(strstr(ambiguous.err, "ambiguous"));
    g_assert_nonnull(strstr(ambiguous.err, "'cli-first'"));
    g_assert_nonnull(g_strstr_len(ambiguous.err, -1, first_uuid));
    g_assert_true(tdxTestIsRunning("cli-first"));
    g_assert_true(tdxTestIsRunning(first_id));

    /* Name, UUID, name again: one teardown. "--" between arguments too. */
    tdxTestRunCli(&merged, "-c", uri, "destroy", "--json", "cli-first", "--",
                  first_uuid, "cli-first", NULL);
    g_assert_cmpint(merged.exit_code, ==, TDX_EXIT_OK);
    domains = json_object_get_array_member(tdxTestJson(merged.out, &root), "domains");
    g_assert_cmpuint(json_array_get_length(domains), ==, 1);
    g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(domains, 0),
                                                  "uuid"), ==, first_uuid);
    g_assert_false(tdxTestIsRunning("cli-first"));
    g_assert_true(tdxTestIsRunning(first_id));

    /* Its own ID and its name (no longer anyone's ID): one teardown. */
    tdxTestRunCli(&by_id, "-c", uri, "destroy", "--json", "--", clash_id, first_id, NULL);
    g_assert_cmpint(by_id.exit_code, ==, TDX_EXIT_OK);
    domains = json_object_get_array_member(tdxTestJson(by_id.out, &root2), "domains");
    g_assert_cmpuint(json_array_get_length(domains), ==, 1);
    g_assert_false(tdxTestIsRunning(first_id));
}


/* deadline must hold 4 monitor timeouts: in the file exit 3 naming both
 * keys, on the command line exit 2; the same numbers that fit pass. */
static void
testDeadlineRule(void)
{
    g_autofree char *dir = g_dir_make_tmp("virsh-tdx-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "tdx.conf", NULL);
    g_autofree char *fits = g_build_filename(dir, "fits.conf", NULL);
    g_auto(tdxTestRun) file = { 0 };
    g_auto(tdxTestRun) option = { 0 };
    g_auto(tdxTestRun) dry = { 0 };

    g_assert_true(g_file_set_contents(path, "[destroy]\nmonitor-timeout-ms=6000\n"
                                      "[shutdown-host]\ndeadline=20\n", -1, NULL));
    tdxTestRunCli(&file, "--config", path, "shutdown-host", "--dry-run", NULL);
    g_assert_cmpint(file.exit_code, ==, TDX_EXIT_CONFIG);
    g_assert_nonnull(strstr(file.err, path));
    g_assert_nonnull(strstr(file.err, "deadline=20"));
    g_assert_nonnull(strstr(file.err, "monitor-timeout-ms=6000"));

    g_assert_true(g_file_set_contents(fits, "[destroy]\nmonitor-timeout-ms=6000\n", -1, NULL));
    tdxTestRunCli(&option, "--config", fits, "shutdown-host", "--dry-run",
                  "--deadline", "23", NULL);
    g_assert_cmpint(option.exit_code, ==, TDX_EXIT_USAGE);
    g_assert_nonnull(strstr(option.err, "--deadline 23 s"));

    /* 4 x 6 s = 24 s: allowed (then no daemon: exit 4, not 2). */
    tdxTestRunCli(&dry, "-c", "qemu:///system?socket=/nonexistent/libvirt-sock",
                  "--config", fits, "shutdown-host", "--dry-run", "--deadline", "24", NULL);
    g_assert_cmpint(dry.exit_code, ==, TDX_EXIT_CONNECTION);

    g_unlink(path);
    g_unlink(fits);
    g_rmdir(dir);
}


/* A typo in one guest's <metadata>: list warns naming it and keeps it
 * (exit 3); destroy --strict-policy refuses (exit 3, still running);
 * plain destroy warns and tears it down with the configuration. */
static void
testBadPolicy(void)
{
    const char *uri = tdxTestURI();
    g_auto(tdxTestRun) list = { 0 };
    g_auto(tdxTestRun) strict = { 0 };
    g_auto(tdxTestRun) destroy = { 0 };
    virConnectPtr conn;
    virDomainPtr dom;

    if (!uri)
        return;
    conn = tdxTestDaemonConnection(tdxTestSharedDaemon());
    tdxTestGuest("cli-typo");
    dom = virDomainLookupByName(conn, "cli-typo");
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
                                         "<policy><prority>3</prority></policy>", "tdx",
                                         "http://libvirt-tdx.org/xmlns/policy/1.0",
                                         VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    virDomainFree(dom);

    tdxTestRunCli(&list, "-c", uri, "list", "--include-non-td", "--no-probe", NULL);
    g_assert_cmpint(list.exit_code, ==, TDX_EXIT_CONFIG);
    g_assert_nonnull(strstr(list.err, "domain 'cli-typo'"));
    g_assert_nonnull(strstr(list.err, "<prority>"));
    g_assert_nonnull(strstr(list.out, "cli-typo"));

    tdxTestRunCli(&strict, "-c", uri, "destroy", "--strict-policy", "cli-typo", NULL);
    g_assert_cmpint(strict.exit_code, ==, TDX_EXIT_CONFIG);
    g_assert_nonnull(strstr(strict.out, "<prority>"));
    g_assert_true(tdxTestIsRunning("cli-typo"));

    tdxTestRunCli(&destroy, "-c", uri, "destroy", "cli-typo", NULL);
    g_assert_cmpint(destroy.exit_code, ==, TDX_EXIT_OK);
    g_assert_nonnull(strstr(destroy.err, "domain 'cli-typo'"));
    g_assert_nonnull(strstr(destroy.out, "unusable policy"));
    g_assert_false(tdxTestIsRunning("cli-typo"));
}


static void
testDaemonGone(void)
{
    g_autoptr(tdxTestDaemon) own = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocess) cli = NULL;
    g_autofree char *conf = NULL;
    g_autofree char *pidfile = NULL;
    g_autofree char *pidtext = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    virDomainPtr dom;
    guint64 pid;

    if (!tdxTestNeedDaemon())
        return;
    own = tdxTestDaemonStart(&error);
    g_assert_no_error(error);
    dom = tdxTestGuestStart(tdxTestDaemonConnection(own), "cli-orphan", 64, FALSE, &error);
    g_assert_no_error(error);
    virDomainFree(dom);

    /* A grace period the guest (no OS) never uses keeps virsh-tdx waiting
     * until libvirtd is killed under it. */
    conf = g_build_filename(tdxTestDaemonDir(own), "tdx.conf", NULL);
    g_assert_true(g_file_set_contents(conf, "[destroy]\ngrace-period=600\n", -1, NULL));
    cli = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &error, g_getenv("VIRSH_TDX"), "-c", tdxTestDaemonURI(own),
                           "--config", conf, "destroy", "--shutdown-first", "--json",
                           "cli-orphan", NULL);
    g_assert_no_error(error);

    g_usleep(G_USEC_PER_SEC);
    pidfile = g_build_filename(tdxTestDaemonDir(own), "state", "libvirtd.pid", NULL);
    g_assert_true(g_file_get_contents(pidfile, &pidtext, NULL, NULL));
    g_assert_true(g_ascii_string_to_unsigned(g_strstrip(pidtext), 10, 2, G_MAXINT,
                                             &pid, NULL));
    g_assert_cmpint(kill((pid_t) pid, SIGKILL), ==, 0);

    g_assert_true(g_subprocess_communicate_utf8(cli, NULL, NULL, &out, &err, &error));
    g_assert_no_error(error);
    g_test_message("stdout:\n%s\nstderr:\n%s", out, err);
    tdxTestJsonCheckSchema(out);
    g_assert_cmpint(g_subprocess_get_exit_status(cli), ==, TDX_EXIT_CONNECTION);
    g_assert_nonnull(strstr(out, "\"outcome\" : \"connection\""));
    g_assert_nonnull(strstr(out, "lost the connection to libvirt"));
}


/* The error member of a --json run: its code, and the exit status both
 * in the document and of the process. */
static JsonObject *
tdxTestJsonError(const tdxTestRun *run, JsonNode **root, const char *code, int exit_code)
{
    JsonObject *document = tdxTestJson(run->out, root);
    JsonObject *error;

    g_assert_cmpint(run->exit_code, ==, exit_code);
    g_assert_true(json_object_has_member(document, "schema"));
    error = json_object_get_object_member(document, "error");
    g_assert_nonnull(error);
    g_assert_cmpstr(json_object_get_string_member(error, "code"), ==, code);
    g_assert_cmpint(json_object_get_int_member(error, "exit"), ==, exit_code);
    g_assert_cmpstr(json_object_get_string_member(error, "message"), !=, "");
    return document;
}


/* --json prints one valid document whatever went wrong, before or after
 * the command ran. */
static void
testJsonAlways(void)
{
    const char *dead = "qemu:///system?socket=/nonexistent/libvirt-sock";
    const char *commands[][3] = {
        { "list", NULL, NULL },
        { "probe", "g", NULL },
        { "destroy", "g", NULL },
        { "shutdown-host", NULL, NULL },
        { "shutdown-host", "--dry-run", NULL },
    };
    const char *usage[][4] = {
        { "list", "--json", "--bogus", NULL },
        { "list", "--json", "extra", NULL },
        { "probe", "--json", NULL, NULL },
        { "probe", "--json", "a", "b" },
        { "destroy", "--json", NULL, NULL },
        { "destroy", "--json", "--jobs", "-1" },
        { "shutdown-host", "--json", "--dry-run", "--non-td=explode" },
        { "explode", "--json", NULL, NULL },
        { "list", "--json", "--\xff\xfe", NULL },
        { "\xff", "--json", NULL, NULL },
    };
    g_autofree char *dir = g_dir_make_tmp("virsh-tdx-XXXXXX", NULL);
    g_autofree char *conf = g_build_filename(dir, "tdx.conf", NULL);
    guint i;

    for (i = 0; i < G_N_ELEMENTS(commands); i++) {
        g_auto(tdxTestRun) run = { 0 };
        g_autoptr(JsonNode) root = NULL;
        JsonObject *document;

        tdxTestRunCli(&run, "-c", dead, commands[i][0], "--json",
                      commands[i][1], commands[i][2], NULL);
        document = tdxTestJsonError(&run, &root, "connection", TDX_EXIT_CONNECTION);
        g_assert_cmpstr(json_object_get_string_member(document, "command"), ==,
                        commands[i][0]);
    }

    for (i = 0; i < G_N_ELEMENTS(usage); i++) {
        g_auto(tdxTestRun) run = { 0 };
        g_autoptr(JsonNode) root = NULL;

        tdxTestRunCli(&run, "-c", dead, usage[i][0], usage[i][1], usage[i][2],
                      usage[i][3], NULL);
        tdxTestJsonError(&run, &root, "usage", TDX_EXIT_USAGE);
        g_assert_nonnull(strstr(run.err, "Try 'virsh-tdx"));
        g_assert_true(g_utf8_validate(run.err, -1, NULL));
    }

    /* A bad configuration file, named by the environment this time. */
    g_assert_true(g_file_set_contents(conf, "[destroy]\nterminate-retries=lots\n", -1, NULL));
    {
        g_auto(tdxTestRun) run = { 0 };
        g_autoptr(JsonNode) root = NULL;
        JsonObject *error;

        g_setenv("VIRSH_TDX_CONFIG", conf, TRUE);
        tdxTestRunCli(&run, "destroy", "--json", "g1", NULL);
        g_unsetenv("VIRSH_TDX_CONFIG");
        error = json_object_get_object_member(tdxTestJsonError(&run, &root, "config",
                                                               TDX_EXIT_CONFIG), "error");
        g_assert_nonnull(strstr(json_object_get_string_member(error, "message"), conf));
        g_assert_nonnull(strstr(json_object_get_string_member(error, "message"),
                                "terminate-retries"));
    }

    /* help and --help in JSON, too. */
    {
        g_auto(tdxTestRun) help = { 0 };
        g_auto(tdxTestRun) option_help = { 0 };
        g_autoptr(JsonNode) help_root = NULL;
        g_autoptr(JsonNode) option_root = NULL;

        tdxTestRunCli(&help, "help", "--json", NULL);
        g_assert_cmpint(help.exit_code, ==, 0);
        g_assert_nonnull(strstr(json_object_get_string_member(tdxTestJson(help.out, &help_root),
                                                              "help"), "shutdown-host"));
        g_auto(tdxTestRun) global_help = { 0 };
        g_auto(tdxTestRun) global_json = { 0 };
        g_autoptr(JsonNode) global_root = NULL;
        g_autoptr(JsonNode) global_json_root = NULL;

        tdxTestRunCli(&global_help, "--help", "--json", NULL);
        g_assert_cmpint(global_help.exit_code, ==, 0);
        g_assert_nonnull(strstr(json_object_get_string_member(tdxTestJson(global_help.out,
                                                                          &global_root),
                                                              "help"), "--connect"));
        /* --json before the command counts as after it. */
        tdxTestRunCli(&global_json, "--json", "-c", dead, "list", NULL);
        tdxTestJsonError(&global_json, &global_json_root, "connection", TDX_EXIT_CONNECTION);

        tdxTestRunCli(&option_help, "destroy", "--json", "--help", NULL);
        g_assert_cmpint(option_help.exit_code, ==, 0);
        g_assert_nonnull(strstr(json_object_get_string_member(tdxTestJson(option_help.out,
                                                                          &option_root),
                                                              "help"), "--jobs"));
    }

    g_unlink(conf);
    g_rmdir(dir);
}


/* Against the daemon: no such domain, arguments that are not UTF-8, and
 * the resolved name and UUID in every document. */
static void
testJsonDomains(void)
{
    const char *uri = tdxTestURI();
    g_autoptr(GError) error = NULL;
    g_auto(tdxTestRun) nosuch = { 0 };
    g_auto(tdxTestRun) bad_probe = { 0 };
    g_auto(tdxTestRun) bad_destroy = { 0 };
    g_auto(tdxTestRun) probe = { 0 };
    g_auto(tdxTestRun) destroy = { 0 };
    g_autoptr(JsonNode) nosuch_root = NULL;
    g_autoptr(JsonNode) bad_probe_root = NULL;
    g_autoptr(JsonNode) bad_destroy_root = NULL;
    g_autoptr(JsonNode) probe_root = NULL;
    g_autoptr(JsonNode) destroy_root = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    JsonObject *document;
    JsonObject *result;
    JsonArray *arguments;
    virDomainPtr dom;

    if (!uri)
        return;

    tdxTestRunCli(&nosuch, "-c", uri, "probe", "--json", "cli-nosuch", NULL);
    document = tdxTestJsonError(&nosuch, &nosuch_root, "no-domain", TDX_EXIT_NO_DOMAIN);
    g_assert_cmpstr(json_object_get_string_member(document, "argument"), ==, "cli-nosuch");
    g_assert_true(json_object_get_null_member(document, "name"));
    g_assert_true(json_object_get_null_member(document, "uuid"));

    /* Latin-1 "caf\xe9": not UTF-8; the document stays valid UTF-8. */
    tdxTestRunCli(&bad_probe, "-c", uri, "probe", "--json", "caf\xe9", NULL);
    document = tdxTestJsonError(&bad_probe, &bad_probe_root, "no-domain", TDX_EXIT_NO_DOMAIN);
    g_assert_cmpstr(json_object_get_string_member(document, "argument"), ==, "caf\uFFFD");
    tdxTestRunCli(&bad_destroy, "-c", uri, "destroy", "--json", "\xff\xfe", NULL);
    g_assert_cmpint(bad_destroy.exit_code, ==, TDX_EXIT_NO_DOMAIN);
    result = json_array_get_object_element(
        json_object_get_array_member(tdxTestJson(bad_destroy.out, &bad_destroy_root),
                                     "domains"), 0);
    g_assert_true(json_object_get_null_member(result, "name"));
    g_assert_cmpstr(json_array_get_string_element(
                        json_object_get_array_member(result, "arguments"), 0),
                    ==, "\uFFFD\uFFFD");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(result, "error"), "code"),
                    ==, "no-domain");
    /* The text output escapes what it cannot print. */
    {
        g_auto(tdxTestRun) text = { 0 };

        tdxTestRunCli(&text, "-c", uri, "destroy", "\xff\xfe", NULL);
        g_assert_true(g_str_has_prefix(text.out, "\\xff\\xfe: no-domain"));
        g_assert_true(g_utf8_validate(text.out, -1, NULL));
        g_assert_true(g_utf8_validate(text.err, -1, NULL));
    }

    /* Named by UUID: the documents carry the resolved name. */
    tdxTestGuest("cli-json");
    dom = virDomainLookupByName(tdxTestDaemonConnection(tdxTestSharedDaemon()), "cli-json");
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    virDomainFree(dom);

    tdxTestRunCli(&probe, "-c", uri, "probe", "--json", uuid, NULL);
    g_assert_cmpint(probe.exit_code, ==, 0);
    document = tdxTestJson(probe.out, &probe_root);
    g_assert_cmpstr(json_object_get_string_member(document, "name"), ==, "cli-json");
    g_assert_cmpstr(json_object_get_string_member(document, "uuid"), ==, uuid);
    g_assert_cmpstr(json_object_get_string_member(document, "argument"), ==, uuid);
    g_assert_true(json_object_get_null_member(document, "error"));

    /* LIBVIRT_DEFAULT_URI, as in virsh, when there is no -c. */
    {
        g_auto(tdxTestRun) by_env = { 0 };
        g_autoptr(JsonNode) env_root = NULL;

        g_setenv("LIBVIRT_DEFAULT_URI", uri, TRUE);
        tdxTestRunCli(&by_env, "probe", "--json", "cli-json", NULL);
        g_unsetenv("LIBVIRT_DEFAULT_URI");
        g_assert_cmpint(by_env.exit_code, ==, 0);
        g_assert_cmpstr(json_object_get_string_member(tdxTestJson(by_env.out, &env_root),
                                                      "uuid"), ==, uuid);
    }

    tdxTestRunCli(&destroy, "-c", uri, "destroy", "--json", uuid, "cli-json", NULL);
    g_assert_cmpint(destroy.exit_code, ==, 0);
    document = tdxTestJson(destroy.out, &destroy_root);
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(document, "domains")),
                     ==, 1);
    result = json_array_get_object_element(json_object_get_array_member(document, "domains"), 0);
    g_assert_cmpstr(json_object_get_string_member(result, "name"), ==, "cli-json");
    g_assert_cmpstr(json_object_get_string_member(result, "uuid"), ==, uuid);
    arguments = json_object_get_array_member(result, "arguments");
    g_assert_cmpuint(json_array_get_length(arguments), ==, 2);
    g_assert_cmpstr(json_array_get_string_element(arguments, 0), ==, uuid);
    g_assert_cmpstr(json_array_get_string_element(arguments, 1), ==, "cli-json");
    g_assert_true(json_object_get_null_member(result, "error"));
    g_assert_true(json_object_get_null_member(document, "error"));
    (void) error;
}


/* Run "virsh-tdx ARGS" with stderr on a pseudo-terminal @columns wide
 * (util-linux script(1)); stdout goes to a file. Returns what the
 * terminal got. */
static char *
tdxTestRunOnTerminal(guint columns, const char *args, int *exit_code)
{
    g_autofree char *dir = g_dir_make_tmp("virsh-tdx-tty-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(dir, "stdout", NULL);
    g_autofree char *inner = g_strdup_printf("stty cols %u rows 24; exec '%s' %s >'%s'",
                                             columns, g_getenv("VIRSH_TDX"), args, out);
    const char *argv[] = { "script", "-q", "-e", "-c", inner, "/dev/null", NULL };
    g_autoptr(GError) error = NULL;
    char *terminal = NULL;
    int status;

    if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                      NULL, NULL, &terminal, NULL, &status, &error))
        g_error("cannot run script(1): %s", error->message);
    g_assert_true(WIFEXITED(status));
    *exit_code = WEXITSTATUS(status);
    g_test_message("terminal (%u columns), exit %d:\n%s", columns, *exit_code, terminal);
    g_unlink(out);
    g_rmdir(dir);
    return terminal;
}


/* Every redraw of the status line fits in @columns - 1 cells, so none can
 * wrap; returns how many redraws there were. */
static guint
tdxTestAssertRedrawsFit(const char *terminal, guint columns)
{
    g_auto(GStrv) draws = g_strsplit(terminal, "\r\033[K", -1);
    guint n = 0;
    guint i;

    for (i = 1; draws[i]; i++) {
        const char *p;
        guint width = 0;

        g_assert_true(g_utf8_validate(draws[i], -1, NULL));
        for (p = draws[i]; *p; p = g_utf8_next_char(p)) {
            gunichar c = g_utf8_get_char(p);

            /* What follows the last redraw is the command's own output. */
            if (c == '\n' || c == '\r')
                break;
            width += g_unichar_iswide(c) ? 2 : 1;
        }
        g_assert_cmpuint(width, <, columns);
        n++;
    }
    return n;
}


static void
tdxTestGuestRunning(const char *name)
{
    g_autoptr(GError) error = NULL;
    virDomainPtr dom = tdxTestGuestStart(tdxTestDaemonConnection(tdxTestSharedDaemon()),
                                         name, 64, FALSE, &error);

    g_assert_no_error(error);
    virDomainFree(dom);
}


/* On a terminal destroy shows every phase, each as it starts and ticking
 * while it blocks, in a line that fits the terminal whatever the names. */
static void
testProgressOnTerminal(void)
{
    const char *uri = tdxTestURI();
    const char *long_name = "cli-progress-with-a-name-far-longer-than-the-terminal-is-wide";
    const char *phases[] = { "lookup", "probe", "graceful", "destroy", "reclaim" };
    g_autofree char *dir = g_dir_make_tmp("virsh-tdx-XXXXXX", NULL);
    g_autofree char *conf = g_build_filename(dir, "tdx.conf", NULL);
    g_autofree char *args = NULL;
    g_autofree char *terminal = NULL;
    g_autofree char *narrow_args = NULL;
    g_autofree char *narrow = NULL;
    g_autofree char *quiet_args = NULL;
    g_autofree char *quiet = NULL;
    int exit_code;
    guint i;

    if (!uri)
        return;
    /* Running guests without an OS ignore the ACPI shutdown: the grace
     * period runs out, 2 s of ticking. */
    g_assert_true(g_file_set_contents(conf, "[destroy]\ngrace-period=2\n", -1, NULL));
    tdxTestGuestRunning("cli-progress-a");
    tdxTestGuestRunning("cli-progress-b");
    args = g_strdup_printf("-c '%s' --config '%s' destroy --shutdown-first cli-progress-a "
                           "cli-progress-b", uri, conf);
    terminal = tdxTestRunOnTerminal(80, args, &exit_code);
    g_assert_cmpint(exit_code, ==, 0);
    g_assert_cmpuint(tdxTestAssertRedrawsFit(terminal, 80), >=, G_N_ELEMENTS(phases));
    for (i = 0; i < G_N_ELEMENTS(phases); i++) {
        g_autofree char *shown = g_strdup_printf("cli-progress-a %s ", phases[i]);

        g_assert_nonnull(strstr(terminal, shown));
    }
    /* The ticker redraws while a phase blocks: its seconds go up. */
    g_assert_nonnull(strstr(terminal, "cli-progress-a graceful 1s"));
    /* The line is erased at the end. */
    g_assert_true(g_str_has_suffix(terminal, "\r\033[K"));

    /* 30 columns and a 61-character name: cut, marked, never wrapped. */
    tdxTestGuest(long_name);
    narrow_args = g_strdup_printf("-c '%s' destroy %s", uri, long_name);
    narrow = tdxTestRunOnTerminal(30, narrow_args, &exit_code);
    g_assert_cmpint(exit_code, ==, 0);
    g_assert_cmpuint(tdxTestAssertRedrawsFit(narrow, 30), >=, 3);
    g_assert_nonnull(strstr(narrow, "\xe2\x80\xa6"));
    /* The name gave way, not the phase. */
    g_assert_nonnull(strstr(narrow, "\xe2\x80\xa6 destroy"));

    /* shutdown-host: its own phases (the probe of every guest while the
     * plan is made, the teardown), then each guest's. */
    {
        g_autofree char *host_args = NULL;
        g_autofree char *host = NULL;

        tdxTestGuest("cli-progress-h1");
        tdxTestGuest("cli-progress-h2");
        host_args = g_strdup_printf("-c '%s' shutdown-host --non-td destroy "
                                    "--no-shutdown-first --deadline 120", uri);
        host = tdxTestRunOnTerminal(60, host_args, &exit_code);
        g_assert_cmpint(exit_code, ==, 0);
        g_assert_cmpuint(tdxTestAssertRedrawsFit(host, 60), >=, 4);
        g_assert_nonnull(strstr(host, "inspecting 2 guests"));
        g_assert_nonnull(strstr(host, "teardown"));
        g_assert_nonnull(strstr(host, "cli-progress-h1 "));
        g_assert_true(strstr(host, "reclaim") || strstr(host, "destroy 0s"));
        g_assert_true(g_str_has_suffix(host, "\r\033[K") ||
                      strstr(host, "\r\033[K\n") || strstr(host, "\r\033[K\r\n"));
    }

    /* -q: no line at all. */
    tdxTestGuest("cli-progress-q");
    quiet_args = g_strdup_printf("-q -c '%s' destroy cli-progress-q", uri);
    quiet = tdxTestRunOnTerminal(80, quiet_args, &exit_code);
    g_assert_cmpint(exit_code, ==, 0);
    g_assert_null(strstr(quiet, "\033[K"));

    g_unlink(conf);
    g_rmdir(dir);
}


int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/virsh-tdx/usage", testUsage);
    g_test_add_func("/virsh-tdx/bad-config", testBadConfig);
    g_test_add_func("/virsh-tdx/unreachable", testUnreachable);
    g_test_add_func("/virsh-tdx/list-and-probe", testListAndProbe);
    g_test_add_func("/virsh-tdx/list-virsh-options", testListVirshOptions);
    g_test_add_func("/virsh-tdx/destroy", testDestroy);
    g_test_add_func("/virsh-tdx/json-always", testJsonAlways);
    g_test_add_func("/virsh-tdx/progress-on-terminal", testProgressOnTerminal);
    g_test_add_func("/virsh-tdx/json-domains", testJsonDomains);
    g_test_add_func("/virsh-tdx/resolve", testResolve);
    g_test_add_func("/virsh-tdx/deadline-rule", testDeadlineRule);
    g_test_add_func("/virsh-tdx/bad-policy", testBadPolicy);
    g_test_add_func("/virsh-tdx/daemon-gone", testDaemonGone);

    ret = g_test_run();
    tdxTestSharedDaemonStop();
    return ret;
}
