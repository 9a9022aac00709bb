/*
 * test-shutdown-host.c: shutdown-host against a real libvirt daemon and real
 * QEMU guests (TD-only replies from the scripted QMP peer), its systemd
 * notify protocol on a socket of our own, and the unit file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "tdx-error.h"
#include "tdx-host-plan.h"
#include "tdx-host-run.h"
#include "tdx-json-schema.h"
#include "tdx-libvirt.h"
#include "tdx-policy.h"
#include "tdx-qmp-script.h"
#include "tdx-test-cli.h"
#include "tdx-test-daemon.h"

#define TDX_TEST_OK_REPLY "{\"return\": {}, \"id\": \"libvirt-30\"}"

/* One private daemon per test: each test leaves guests (or no daemon at
 * all) behind on purpose. */
typedef struct {
    tdxTestDaemon *daemon;
    virConnectPtr conn;         /* ours, opened the way virsh-tdx opens it */
    tdxConfig config;
    tdxHostOptions options;
    tdxQmpScript *script;
    char *config_path;          /* an empty tdx.conf: the defaults */
} tdxTestHost;


static gboolean
tdxTestHostInit(tdxTestHost *host)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL;

    memset(host, 0, sizeof(*host));
    if (!tdxTestNeedDaemon())
        return FALSE;
    host->daemon = tdxTestDaemonStart(&error);
    g_assert_no_error(error);
    host->conn = tdxConnectionOpen(tdxTestDaemonURI(host->daemon), &error);
    g_assert_no_error(error);

    tdxConfigInit(&host->config);
    /* Tiny guests: short bounds keep the suite fast. */
    host->config.monitor_timeout_ms = 2000;
    host->config.deadline_min_seconds = 30;
    host->script = tdxQmpScriptNew();
    tdxHostOptionsInit(&host->options, &host->config);
    host->options.monitor_new = tdxQmpScriptMonitorNew;
    host->options.monitor_opaque = host->script;
    host->options.graceful = TDX_GRACEFUL_NEVER;
    host->options.deadline_seconds = 120;

    host->config_path = g_build_filename(tdxTestDaemonDir(host->daemon), "tdx.conf", NULL);
    g_assert_true(g_file_set_contents(host->config_path, "", 0, NULL));
    return TRUE;
}


static void
tdxTestHostClear(tdxTestHost *host)
{
    g_free(host->config_path);
    if (host->conn)
        virConnectClose(host->conn);
    tdxTestDaemonStop(host->daemon);
    if (host->script)
        tdxQmpScriptFree(host->script);
    tdxConfigClear(&host->config);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(tdxTestHost, tdxTestHostClear);


static void
tdxTestGuest(tdxTestHost *host, const char *name, guint mem_mib, gboolean td)
{
    g_autoptr(GError) error = NULL;
    virDomainPtr dom = tdxTestGuestStart(host->conn, name, mem_mib, FALSE, &error);

    g_assert_no_error(error);
    virDomainFree(dom);
    if (td)
        tdxQmpScriptMakeTD(host->script, name, TRUE, TDX_TEST_OK_REPLY);
}


static gboolean
tdxTestIsRunning(tdxTestHost *host, const char *name)
{
    virDomainPtr dom = virDomainLookupByName(host->conn, name);
    int active;

    if (!dom) {
        virResetLastError();
        return FALSE;
    }
    active = virDomainIsActive(dom);
    virDomainFree(dom);
    return active == 1;
}


/* A domain the test put in the plan: its absence fails the test. */
static const tdxHostDomain *
tdxTestFind(const tdxHostPlan *plan, const char *name)
{
    const tdxHostDomain *domain = tdxHostPlanFind(plan, name);

    if (!domain)
        g_error("no domain '%s' in the plan", name);
    return domain;
}


static void
tdxTestLogResult(const tdxHostPlan *plan)
{
    g_autofree char *text = tdxHostResultToText(plan);

    g_test_message("%s", text);
}


/* TDs go, longest first, through terminate; other guests stay (leave). */
static void
testTDsGoneOthersLeft(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    const char *tds[] = { "td-big", "td-a", "td-b" };
    guint i;
    int exit_code;

    if (!tdxTestHostInit(&host))
        return;
    tdxTestGuest(&host, "td-a", 64, TRUE);
    tdxTestGuest(&host, "td-big", 256, TRUE);
    tdxTestGuest(&host, "td-b", 64, TRUE);
    tdxTestGuest(&host, "vm-keep", 64, FALSE);

    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(plan->domains->len, ==, 4);
    /* Longest estimate first, equal ones by name; the guest left alone
     * is not scheduled. */
    for (i = 0; i < G_N_ELEMENTS(tds); i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        g_assert_cmpstr(domain->name, ==, tds[i]);
        g_assert_cmpuint(domain->order, ==, i + 1);
        g_assert_true(domain->is_td);
        g_assert_cmpint(domain->action, ==, TDX_HOST_ACTION_TERMINATE);
    }
    g_assert_cmpint(tdxTestFind(plan, "vm-keep")->action, ==, TDX_HOST_ACTION_LEAVE);
    g_assert_cmpuint(tdxTestFind(plan, "vm-keep")->order, ==, 0);

    exit_code = tdxHostRun(host.conn, plan, &host.options);
    tdxTestLogResult(plan);
    g_assert_cmpint(exit_code, ==, TDX_EXIT_OK);
    g_assert_null(plan->error);
    for (i = 0; i < G_N_ELEMENTS(tds); i++) {
        const tdxHostDomain *domain = tdxTestFind(plan, tds[i]);

        g_assert_cmpint(domain->outcome, ==, TDX_HOST_OUTCOME_GONE);
        g_assert_cmpint(domain->path, ==, TDX_DESTROY_PATH_TERMINATE);
        g_assert_nonnull(domain->destroy);
        g_assert_cmpint(domain->start_usec, >=, 0);
        g_assert_cmpint(domain->end_usec, >=, domain->start_usec);
        g_assert_cmpuint(tdxQmpScriptCount(host.script, tds[i], "tdx-terminate"), ==, 1);
        g_assert_false(tdxTestIsRunning(&host, tds[i]));
    }
    g_assert_cmpint(tdxTestFind(plan, "vm-keep")->outcome, ==, TDX_HOST_OUTCOME_LEFT);
    g_assert_true(tdxTestIsRunning(&host, "vm-keep"));
    g_assert_cmpuint(tdxQmpScriptCount(host.script, "vm-keep", "tdx-terminate"), ==, 0);
    g_assert_cmpuint(plan->peak_jobs, <=, plan->jobs);
}


/* A guest named like another guest's ID: each is torn down by the UUID
 * the plan found, so both go and each record has its own UUID (the run
 * once destroyed the guest with that ID twice and left the named one). */
static void
testNameIsAnotherId(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *clash = NULL;
    char uuids[2][VIR_UUID_STRING_BUFLEN];
    const char *names[2];
    virDomainPtr dom;
    guint i;

    if (!tdxTestHostInit(&host))
        return;
    dom = tdxTestGuestStart(host.conn, "numbered", 64, FALSE, &error);
    g_assert_no_error(error);
    clash = g_strdup_printf("%u", virDomainGetID(dom));
    g_assert_cmpint(virDomainGetUUIDString(dom, uuids[0]), ==, 0);
    virDomainFree(dom);
    dom = tdxTestGuestStart(host.conn, clash, 64, FALSE, &error);
    g_assert_no_error(error);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuids[1]), ==, 0);
    virDomainFree(dom);
    names[0] = "numbered";
    names[1] = clash;
    for (i = 0; i < 2; i++)
        tdxQmpScriptMakeTD(host.script, names[i], TRUE, TDX_TEST_OK_REPLY);

    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    g_assert_cmpint(tdxHostRun(host.conn, plan, &host.options), ==, TDX_EXIT_OK);
    tdxTestLogResult(plan);
    for (i = 0; i < 2; i++) {
        const tdxHostDomain *domain = tdxTestFind(plan, names[i]);

        g_assert_cmpint(domain->outcome, ==, TDX_HOST_OUTCOME_GONE);
        g_assert_cmpstr(domain->uuid, ==, uuids[i]);
        g_assert_nonnull(domain->destroy);
        g_assert_cmpstr(domain->destroy->uuid, ==, uuids[i]);
        g_assert_cmpint(domain->destroy->path, ==, TDX_DESTROY_PATH_TERMINATE);
        g_assert_false(tdxTestIsRunning(&host, names[i]));
    }
}


/* non-td=destroy: everything goes, the other guests by plain destroy. */
static void
testNonTdDestroy(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    const char *all[] = { "td1", "vm1", "vm2" };
    guint i;

    if (!tdxTestHostInit(&host))
        return;
    tdxTestGuest(&host, "td1", 64, TRUE);
    tdxTestGuest(&host, "vm1", 64, FALSE);
    tdxTestGuest(&host, "vm2", 64, FALSE);
    host.options.non_td = TDX_HOST_NON_TD_DESTROY;

    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    g_assert_cmpint(tdxHostRun(host.conn, plan, &host.options), ==, TDX_EXIT_OK);
    tdxTestLogResult(plan);
    for (i = 0; i < G_N_ELEMENTS(all); i++) {
        g_assert_cmpint(tdxTestFind(plan, all[i])->outcome, ==, TDX_HOST_OUTCOME_GONE);
        g_assert_false(tdxTestIsRunning(&host, all[i]));
    }
    g_assert_cmpint(tdxTestFind(plan, "td1")->path, ==, TDX_DESTROY_PATH_TERMINATE);
    g_assert_cmpint(tdxTestFind(plan, "vm1")->path, ==, TDX_DESTROY_PATH_NON_TD);
    g_assert_cmpint(tdxTestFind(plan, "vm1")->action, ==, TDX_HOST_ACTION_DESTROY);
}


/* non-td=shutdown: ACPI first; our guests have no OS and ignore it, so
 * after the grace period they are destroyed. */
static void
testNonTdShutdown(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    const tdxHostDomain *vm;

    if (!tdxTestHostInit(&host))
        return;
    tdxTestGuest(&host, "vm1", 64, FALSE);
    host.options.non_td = TDX_HOST_NON_TD_SHUTDOWN;
    host.options.graceful = TDX_GRACEFUL_POLICY;
    host.options.grace_seconds = 2;

    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    vm = tdxTestFind(plan, "vm1");
    g_assert_true(vm->graceful);
    g_assert_cmpint(tdxHostRun(host.conn, plan, &host.options), ==, TDX_EXIT_OK);
    tdxTestLogResult(plan);
    g_assert_cmpint(vm->outcome, ==, TDX_HOST_OUTCOME_GONE);
    g_assert_cmpint(vm->path, ==, TDX_DESTROY_PATH_NON_TD);
    g_assert_cmpint(vm->graceful_usec, >=, 2 * G_USEC_PER_SEC);
    g_assert_cmpint(vm->graceful_usec, <, 5 * G_USEC_PER_SEC);
    g_assert_false(tdxTestIsRunning(&host, "vm1"));
}


static void
tdxTestSetGrace(tdxTestHost *host, const char *name, guint grace_seconds)
{
    g_autofree char *xml = g_strdup_printf("<policy><graceful-shutdown enabled=\"yes\" "
                                           "timeout=\"%u\"/></policy>", grace_seconds);
    virDomainPtr dom = virDomainLookupByName(host->conn, name);

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml,
                                         TDX_POLICY_PREFIX, TDX_POLICY_NAMESPACE,
                                         VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    virDomainFree(dom);
}


typedef struct {
    const tdxHostPlan *plan;
    gboolean short_journaled_early; /* while the long one was still pending */
} tdxTestGraceWatch;


/* Called on the run's thread, as are the journal writes. */
static void
tdxTestGraceStatus(const char *line, gpointer opaque)
{
    tdxTestGraceWatch *watch = opaque;
    const tdxHostDomain *td_short;
    const tdxHostDomain *td_long;

    g_test_message("status: %s", line);
    /* The planning phase reports its progress too. */
    if (!watch->plan)
        return;
    td_short = tdxTestFind(watch->plan, "td-short");
    td_long = tdxTestFind(watch->plan, "td-long");
    if (td_short->journaled && td_long->outcome == TDX_HOST_OUTCOME_PENDING)
        watch->short_journaled_early = TRUE;
}


/* Two guests that ignore ACPI, with grace periods of 1 s and 6 s from
 * their metadata: the short one is torn down when its own grace period
 * ends, not when the long one's does, and its journal entry is written
 * then, not at the end of the run. */
static void
testGracePerGuest(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    tdxTestGraceWatch watch = { 0 };
    const tdxHostDomain *td_short;
    const tdxHostDomain *td_long;

    if (!tdxTestHostInit(&host))
        return;
    tdxTestGuest(&host, "td-short", 64, TRUE);
    tdxTestGuest(&host, "td-long", 64, TRUE);
    tdxTestSetGrace(&host, "td-short", 1);
    tdxTestSetGrace(&host, "td-long", 6);
    host.options.graceful = TDX_GRACEFUL_POLICY;
    host.options.jobs = 2;
    host.options.status = tdxTestGraceStatus;
    host.options.status_opaque = &watch;

    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    watch.plan = plan;
    td_short = tdxTestFind(plan, "td-short");
    td_long = tdxTestFind(plan, "td-long");
    g_assert_true(td_short->graceful);
    g_assert_cmpuint(td_short->grace_seconds, ==, 1);
    g_assert_true(td_long->graceful);
    g_assert_cmpuint(td_long->grace_seconds, ==, 6);

    g_assert_cmpint(tdxHostRun(host.conn, plan, &host.options), ==, TDX_EXIT_OK);
    tdxTestLogResult(plan);

    g_assert_cmpint(td_short->outcome, ==, TDX_HOST_OUTCOME_GONE);
    g_assert_cmpint(td_short->path, ==, TDX_DESTROY_PATH_TERMINATE);
    g_assert_cmpint(td_long->outcome, ==, TDX_HOST_OUTCOME_GONE);
    g_assert_cmpint(td_long->path, ==, TDX_DESTROY_PATH_TERMINATE);
    /* Neither teardown starts before its own grace period is over... */
    g_assert_cmpint(td_short->start_usec, >=, 1 * G_USEC_PER_SEC);
    g_assert_cmpint(td_long->start_usec, >=, 6 * G_USEC_PER_SEC);
    g_assert_cmpint(td_short->graceful_usec, >=, 1 * G_USEC_PER_SEC);
    g_assert_cmpint(td_long->graceful_usec, >=, 6 * G_USEC_PER_SEC);
    /* ...and the short one does not wait for the long one: 5 s apart by
     * their grace periods, the short one is gone well before the long
     * one's teardown even starts. */
    g_assert_cmpint(td_short->graceful_usec, <, td_long->graceful_usec);
    g_assert_cmpint(td_short->end_usec, <, td_long->start_usec);
    g_assert_cmpint(td_short->start_usec + 3 * G_USEC_PER_SEC, <, td_long->start_usec);
    g_assert_true(td_short->journaled);
    g_assert_true(td_long->journaled);
    g_assert_true(watch.short_journaled_early);
    g_assert_false(tdxTestIsRunning(&host, "td-short"));
    g_assert_false(tdxTestIsRunning(&host, "td-long"));
}


static gpointer
tdxTestDestroyLater(gpointer opaque)
{
    tdxTestHost *host = opaque;
    virDomainPtr dom;

    g_usleep(G_USEC_PER_SEC + G_USEC_PER_SEC / 2);
    dom = virDomainLookupByName(host->conn, "vm-acpi");
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    return NULL;
}


/* A guest that goes by itself within its grace period ends as graceful,
 * its held-back teardown taken off; a guest without one is torn down at
 * once, not after the other's grace period. */
static void
testGracefulGoneTakenOff(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    const tdxHostDomain *vm;
    const tdxHostDomain *td;
    GThread *thread;

    if (!tdxTestHostInit(&host))
        return;
    tdxTestGuest(&host, "vm-acpi", 64, FALSE);
    tdxTestGuest(&host, "td-now", 64, TRUE);
    tdxTestSetGrace(&host, "vm-acpi", 30);
    host.options.non_td = TDX_HOST_NON_TD_SHUTDOWN;
    host.options.graceful = TDX_GRACEFUL_POLICY;
    host.config.host_graceful = FALSE;

    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    vm = tdxTestFind(plan, "vm-acpi");
    td = tdxTestFind(plan, "td-now");
    g_assert_true(vm->graceful);
    g_assert_false(td->graceful);

    /* Stands in for a guest OS reacting to the power button. */
    thread = g_thread_new("guest-os", tdxTestDestroyLater, &host);
    g_assert_cmpint(tdxHostRun(host.conn, plan, &host.options), ==, TDX_EXIT_OK);
    g_thread_join(thread);
    tdxTestLogResult(plan);

    g_assert_cmpint(vm->outcome, ==, TDX_HOST_OUTCOME_GONE);
    g_assert_cmpint(vm->path, ==, TDX_DESTROY_PATH_GRACEFUL);
    g_assert_null(vm->destroy);
    g_assert_cmpint(vm->start_usec, <, 0);
    g_assert_true(vm->journaled);
    g_assert_cmpint(td->outcome, ==, TDX_HOST_OUTCOME_GONE);
    g_assert_cmpint(td->path, ==, TDX_DESTROY_PATH_TERMINATE);
    /* The TD did not wait for the guest's grace period. */
    g_assert_cmpint(td->start_usec, <, vm->end_usec);
    /* Gone by itself after 1.5 s, far within 30 s of grace. */
    g_assert_cmpint(vm->graceful_usec, <, 20 * G_USEC_PER_SEC);
    g_assert_cmpint(plan->elapsed_usec, <, 20 * G_USEC_PER_SEC);
}


/* A TD that ignores ACPI with a grace period longer than the deadline:
 * the grace period is cut so that its teardown fits before the deadline
 * (it used to never start, leaving the TD running), and that is said. */
static void
testGraceCutToDeadline(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    const tdxHostDomain *td;
    int exit_code;

    if (!tdxTestHostInit(&host))
        return;
    tdxTestGuest(&host, "td-slow-acpi", 64, TRUE);
    host.options.graceful = TDX_GRACEFUL_ALWAYS;
    host.options.grace_seconds = 60;
    host.options.deadline_seconds = 7;

    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    exit_code = tdxHostRun(host.conn, plan, &host.options);
    tdxTestLogResult(plan);

    g_assert_cmpint(exit_code, ==, TDX_EXIT_OK);
    td = tdxTestFind(plan, "td-slow-acpi");
    g_assert_cmpint(td->outcome, ==, TDX_HOST_OUTCOME_GONE);
    g_assert_cmpint(td->path, ==, TDX_DESTROY_PATH_TERMINATE);
    g_assert_cmpint(td->graceful_usec, <, 7 * G_USEC_PER_SEC);
    g_assert_cmpint(td->end_usec, <, 7 * G_USEC_PER_SEC);
    g_assert_cmpuint(td->warnings->len, ==, 1);
    g_assert_nonnull(strstr(g_ptr_array_index(td->warnings, 0), "grace period cut from 60 s"));
    g_assert_false(tdxTestIsRunning(&host, "td-slow-acpi"));
}


/* Every kind of unusable policy in a guest's <metadata>: at host shutdown
 * none of them keeps the guest running. Each is named in a warning, the
 * host configuration decides instead, and the dry run says so with its
 * exit code (it used to exit 0 while the run left the guests running). */
static const char *const tdxTestBadPolicies[] = {
    "<policy><prority>5</prority></policy>",
    "<policy><priority>5000</priority></policy>",
    "<policy><priority>1x</priority></policy>",
    "<policy><priority>1</priority><priority>2</priority></policy>",
    "<policy><graceful-shutdown enabled=\"maybe\"/></policy>",
    "<policy><graceful-shutdown timeout=\"-1\"/></policy>",
    "<policy colour=\"red\"/>",
};


static void
tdxTestSetPolicy(tdxTestHost *host, const char *name, const char *xml)
{
    virDomainPtr dom = virDomainLookupByName(host->conn, name);

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml,
                                         TDX_POLICY_PREFIX, TDX_POLICY_NAMESPACE,
                                         VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    virDomainFree(dom);
}


static void
testBadPolicyTornDown(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    guint i;

    if (!tdxTestHostInit(&host))
        return;
    for (i = 0; i < G_N_ELEMENTS(tdxTestBadPolicies); i++) {
        g_autofree char *name = g_strdup_printf("typo%u", i);

        tdxTestGuest(&host, name, 64, TRUE);
        tdxTestSetPolicy(&host, name, tdxTestBadPolicies[i]);
    }
    tdxTestGuest(&host, "fine", 64, TRUE);

    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    g_assert_cmpint(tdxHostPlanDryRunExitCode(plan), ==, TDX_EXIT_CONFIG);
    g_assert_cmpuint(tdxTestFind(plan, "fine")->warnings->len, ==, 0);
    g_assert_cmpint(tdxHostRun(host.conn, plan, &host.options), ==, TDX_EXIT_OK);
    tdxTestLogResult(plan);
    for (i = 0; i < G_N_ELEMENTS(tdxTestBadPolicies); i++) {
        g_autofree char *name = g_strdup_printf("typo%u", i);
        const tdxHostDomain *domain = tdxTestFind(plan, name);

        g_assert_cmpint(domain->outcome, ==, TDX_HOST_OUTCOME_GONE);
        g_assert_cmpint(domain->action, ==, TDX_HOST_ACTION_TERMINATE);
        g_assert_cmpuint(domain->warnings->len, >=, 1);
        g_assert_nonnull(strstr(g_ptr_array_index(domain->warnings, 0), "unusable policy"));
        g_assert_false(tdxTestIsRunning(&host, name));
    }
    g_assert_cmpint(tdxTestFind(plan, "fine")->outcome, ==, TDX_HOST_OUTCOME_GONE);
}


/* ---- through the binary, as systemd runs it ------------------------------ */

typedef struct {
    const char *const *argv;
    const char *notify_socket;
    int exit_code;
    char *out;
    char *err;
    gint64 elapsed_usec;
} tdxTestCli;


static void
tdxTestCliLog(const tdxTestCli *cli)
{
    g_test_message("exit %d after %.2f s\nstdout:\n%s\nstderr:\n%s", cli->exit_code,
                   cli->elapsed_usec / 1e6, cli->out, cli->err);
}


/* Runs virsh-tdx and logs what it did, before any check can fail. */
static gpointer
tdxTestCliRun(gpointer opaque)
{
    tdxTestCli *cli = opaque;
    g_auto(GStrv) envp = g_get_environ();
    g_autoptr(GError) error = NULL;
    gint64 start = g_get_monotonic_time();
    int status;

    if (cli->notify_socket)
        envp = g_environ_setenv(envp, "NOTIFY_SOCKET", cli->notify_socket, TRUE);
    else
        envp = g_environ_unsetenv(envp, "NOTIFY_SOCKET");
    if (!g_spawn_sync(NULL, (char **) cli->argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                      &cli->out, &cli->err, &status, &error))
        g_error("cannot run virsh-tdx: %s", error->message);
    cli->elapsed_usec = g_get_monotonic_time() - start;
    g_assert_true(WIFEXITED(status));
    cli->exit_code = WEXITSTATUS(status);
    tdxTestCliLog(cli);
    if (g_strv_contains(cli->argv, "--json"))
        tdxTestJsonCheckSchema(cli->out);
    return NULL;
}


/* A directory for a notify socket: not g_dir_make_tmp(), whose $TMPDIR
 * can be too deep for sun_path (the socket would be bound under a
 * truncated name and sd_notify() would find nothing). */
static char *
tdxTestNotifyDir(void)
{
    g_autofree char *tmp = tdxTestTmpDir();
    char *dir = g_build_filename(tmp, "tdx-notify-XXXXXX", NULL);

    g_assert_nonnull(g_mkdtemp(dir));
    return dir;
}


static GSocket *
tdxTestNotifySocket(const char *path)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GSocketAddress) address = g_unix_socket_address_new(path);
    GSocket *sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, &error);

    g_assert_no_error(error);
    g_assert_true(g_socket_bind(sock, address, FALSE, &error));
    g_assert_no_error(error);
    g_socket_set_blocking(sock, FALSE);
    return sock;
}


static GPtrArray *
tdxTestNotifyReceive(GSocket *sock)
{
    GPtrArray *messages = g_ptr_array_new_with_free_func(g_free);

    for (;;) {
        g_autoptr(GError) error = NULL;
        char buf[4096];
        gssize n = g_socket_receive(sock, buf, sizeof(buf) - 1, NULL, &error);

        if (n < 0) {
            g_assert_error(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
            break;
        }
        buf[n] = '\0';
        g_ptr_array_add(messages, g_strdup(buf));
    }
    return messages;
}


typedef struct {
    tdxTestCli *cli;
    gint done;
} tdxTestCliThread;


static gpointer
tdxTestCliThreadRun(gpointer opaque)
{
    tdxTestCliThread *run = opaque;

    tdxTestCliRun(run->cli);
    g_atomic_int_set(&run->done, 1);
    return NULL;
}


/* Run @cli while reading what it sends to @sock: a datagram socket holds
 * only net.unix.max_dgram_qlen messages (10) before sd_notify() blocks,
 * which systemd never lets happen but an unread test socket does. */
static GPtrArray *
tdxTestCliRunNotified(tdxTestCli *cli, GSocket *sock)
{
    GPtrArray *messages = g_ptr_array_new_with_free_func(g_free);
    tdxTestCliThread run = { .cli = cli };
    GThread *thread = g_thread_new("virsh-tdx", tdxTestCliThreadRun, &run);

    for (;;) {
        gboolean done = g_atomic_int_get(&run.done);
        g_autoptr(GPtrArray) batch = tdxTestNotifyReceive(sock);

        g_ptr_array_extend_and_steal(messages, g_steal_pointer(&batch));
        if (done)
            break;
        g_usleep(50 * 1000);
    }
    g_thread_join(thread);
    return messages;
}


/* The sd_notify protocol for real: STATUS= progress lines and
 * EXTEND_TIMEOUT_USEC= reaching past the deadline, on our own socket. */
static void
testNotify(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GPtrArray) messages = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *path = NULL;
    const char *argv[] = {
        g_getenv("VIRSH_TDX"), "-c", NULL, "--config", NULL,
        "shutdown-host", "--non-td", "destroy", "--deadline", "100", "--json", NULL,
    };
    tdxTestCli cli = { .argv = argv };
    const char *last_status = NULL;
    guint statuses = 0;
    guint extends = 0;
    JsonObject *summary;
    guint i;

    if (!tdxTestHostInit(&host))
        return;
    tdxTestGuest(&host, "vm1", 64, FALSE);
    tdxTestGuest(&host, "vm2", 64, FALSE);
    argv[2] = tdxTestDaemonURI(host.daemon);
    argv[4] = host.config_path;

    dir = tdxTestNotifyDir();
    path = g_build_filename(dir, "notify", NULL);
    sock = tdxTestNotifySocket(path);
    cli.notify_socket = path;
    messages = tdxTestCliRunNotified(&cli, sock);
    g_assert_cmpint(cli.exit_code, ==, TDX_EXIT_OK);

    g_assert_cmpuint(messages->len, >=, 2);
    for (i = 0; i < messages->len; i++) {
        g_auto(GStrv) lines = g_strsplit(g_ptr_array_index(messages, i), "\n", -1);
        guint j;

        g_test_message("notify: %s", (const char *) g_ptr_array_index(messages, i));
        for (j = 0; lines[j]; j++) {
            guint64 usec;

            if (g_str_has_prefix(lines[j], "STATUS=")) {
                statuses++;
                last_status = strchr(g_ptr_array_index(messages, i), '=') + 1;
            } else if (g_str_has_prefix(lines[j], "EXTEND_TIMEOUT_USEC=")) {
                extends++;
                g_assert_true(g_ascii_string_to_unsigned(lines[j] + strlen("EXTEND_TIMEOUT_USEC="),
                                                         10, 1, G_MAXUINT64, &usec, NULL));
                /* Past our own deadline, and not forever. */
                g_assert_cmpuint(usec, >, 90 * G_USEC_PER_SEC);
                g_assert_cmpuint(usec, <=, (100 + 2 + 30) * G_USEC_PER_SEC);
            } else if (*lines[j]) {
                g_error("unexpected notify line '%s'", lines[j]);
            }
        }
    }
    g_assert_cmpuint(statuses, >=, 2);
    g_assert_cmpuint(extends, >=, 1);
    /* The last word is the summary. */
    g_assert_nonnull(strstr(last_status, "other guests: 2 stopped"));

    g_assert_true(json_parser_load_from_data(parser, cli.out, -1, &error));
    summary = json_object_get_object_member(json_node_get_object(json_parser_get_root(parser)),
                                            "summary");
    g_assert_cmpint(json_object_get_int_member(summary, "gone"), ==, 2);
    g_assert_false(tdxTestIsRunning(&host, "vm1"));
    g_assert_false(tdxTestIsRunning(&host, "vm2"));

    g_free(cli.out);
    g_free(cli.err);
    g_unlink(path);
    g_rmdir(dir);
}


/* The QEMU pid of a guest of the private daemon. */
static pid_t
tdxTestGuestPid(tdxTestHost *host, const char *name)
{
    g_autofree char *base = g_strdup_printf("%s.pid", name);
    g_autofree char *path = g_build_filename(tdxTestDaemonDir(host->daemon), "run", "qemu",
                                             base, NULL);
    g_autofree char *text = NULL;
    guint64 pid;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_true(g_ascii_string_to_unsigned(g_strstrip(text), 10, 2, G_MAXINT, &pid, NULL));
    return (pid_t) pid;
}


static JsonObject *
tdxTestCliJsonDomain(JsonObject *root, const char *name)
{
    JsonArray *domains = json_object_get_array_member(root, "domains");
    guint i;

    for (i = 0; i < json_array_get_length(domains); i++) {
        JsonObject *domain = json_array_get_object_element(domains, i);

        if (g_str_equal(json_object_get_string_member(domain, "name"), name))
            return domain;
    }
    g_error("no domain '%s' in the JSON", name);
}


static gboolean
tdxTestStillPresent(JsonObject *root, const char *name)
{
    JsonArray *left = json_object_get_array_member(json_object_get_object_member(root, "summary"),
                                                   "still_present");
    guint i;

    for (i = 0; i < json_array_get_length(left); i++) {
        if (g_str_equal(json_array_get_string_element(left, i), name))
            return TRUE;
    }
    return FALSE;
}


/* One stopped QEMU (SIGSTOP) among healthy guests, deadline 10 s,
 * monitor-timeout-ms 2000, ACPI first with a 5 s grace period: the run
 * ends by the deadline plus its documented bound, the healthy guests are
 * torn down, the stopped one is named as still present. It used to take
 * 30 s (waiting for virDomainShutdown of the stopped QEMU) and leave the
 * healthy ones running; the inspection was outside the deadline and
 * systemd heard nothing before it. */
static void
testStoppedQemu(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GPtrArray) messages = NULL;
    g_autoptr(JsonNode) root_node = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *path = NULL;
    const char *argv[] = {
        g_getenv("VIRSH_TDX"), "-c", NULL, "--config", NULL,
        "shutdown-host", "--non-td", "destroy", "--shutdown-first", "--grace-period", "5",
        "--json", NULL,
    };
    const char *healthy[] = { "well-a", "well-b" };
    tdxTestCli cli = { .argv = argv };
    JsonObject *root;
    JsonObject *sick;
    pid_t pid;
    guint i;

    if (!tdxTestHostInit(&host))
        return;
    g_assert_true(g_file_set_contents(host.config_path,
                                      "[destroy]\nmonitor-timeout-ms=2000\n"
                                      "[shutdown-host]\ndeadline=10\n", -1, NULL));
    tdxTestGuest(&host, "frozen", 64, FALSE);
    for (i = 0; i < G_N_ELEMENTS(healthy); i++)
        tdxTestGuest(&host, healthy[i], 64, FALSE);
    pid = tdxTestGuestPid(&host, "frozen");
    g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
    argv[2] = tdxTestDaemonURI(host.daemon);
    argv[4] = host.config_path;

    dir = tdxTestNotifyDir();
    path = g_build_filename(dir, "notify", NULL);
    sock = tdxTestNotifySocket(path);
    cli.notify_socket = path;
    messages = tdxTestCliRunNotified(&cli, sock);
    kill(pid, SIGCONT);

    g_assert_cmpint(cli.exit_code, !=, TDX_EXIT_OK);
    g_assert_cmpint(cli.elapsed_usec, <, (10 + TDX_HOST_DEADLINE_BOUND_SECONDS) * G_USEC_PER_SEC);
    root = tdxTestJson(cli.out, &root_node);
    for (i = 0; i < G_N_ELEMENTS(healthy); i++) {
        g_assert_cmpstr(json_object_get_string_member(tdxTestCliJsonDomain(root, healthy[i]),
                                                      "outcome"), ==, "gone");
        g_assert_false(tdxTestIsRunning(&host, healthy[i]));
    }
    sick = tdxTestCliJsonDomain(root, "frozen");
    g_assert_cmpstr(json_object_get_string_member(sick, "outcome"), !=, "gone");
    g_assert_cmpint(json_object_get_int_member(sick, "gone_at_ms"), ==, -1);
    g_assert_true(tdxTestStillPresent(root, "frozen"));

    /* systemd hears from us before we connect, with a stop timeout that
     * reaches past the deadline, and in every phase after. */
    g_assert_cmpuint(messages->len, >=, 3);
    g_assert_nonnull(strstr(g_ptr_array_index(messages, 0), "STATUS=connecting to libvirt"));
    g_assert_nonnull(strstr(g_ptr_array_index(messages, 0), "EXTEND_TIMEOUT_USEC="));
    for (i = 0; i < messages->len; i++) {
        g_test_message("notify: %s", (const char *) g_ptr_array_index(messages, i));
        /* All but the final summary. */
        g_assert_true(strstr(g_ptr_array_index(messages, i), "EXTEND_TIMEOUT_USEC=") != NULL ||
                      i == messages->len - 1);
    }
    g_free(cli.out);
    g_free(cli.err);
    g_unlink(path);
    g_rmdir(dir);
}


/* The daemon is killed while a teardown is under way (a stopped QEMU
 * keeps virDomainDestroyFlags() busy): exit 4 with libvirt's own error,
 * and the guest, listed in still_present, has no "gone" time. */
static void
testDaemonKilledDuringTeardown(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(JsonNode) root_node = NULL;
    g_autofree char *pid_path = NULL;
    g_autofree char *pid_text = NULL;
    const char *argv[] = {
        g_getenv("VIRSH_TDX"), "-c", NULL, "--config", NULL,
        "shutdown-host", "--non-td", "destroy", "--json", NULL,
    };
    tdxTestCli cli = { .argv = argv };
    JsonObject *root;
    JsonObject *frozen;
    GThread *thread;
    pid_t pid;
    gint64 daemon_pid;

    if (!tdxTestHostInit(&host))
        return;
    g_assert_true(g_file_set_contents(host.config_path,
                                      "[destroy]\nmonitor-timeout-ms=1000\n", -1, NULL));
    tdxTestGuest(&host, "frozen", 64, FALSE);
    pid = tdxTestGuestPid(&host, "frozen");
    g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
    argv[2] = tdxTestDaemonURI(host.daemon);
    argv[4] = host.config_path;

    thread = g_thread_new("virsh-tdx", tdxTestCliRun, &cli);
    /* Inspection (1 s), the teardown's probe (1 s), then libvirt's
     * SIGTERM wait of 10 s: the kill lands in virDomainDestroyFlags().
     * Not a fixed sleep into that window (a slow start of virsh-tdx on a
     * loaded machine would put the kill into the inspection): libvirt's
     * SIGTERM pending on the stopped QEMU says it is there. */
    tdxTestWaitSignalPending(pid, SIGTERM);
    pid_path = g_build_filename(tdxTestDaemonDir(host.daemon), "state", "libvirtd.pid", NULL);
    g_assert_true(g_file_get_contents(pid_path, &pid_text, NULL, NULL));
    daemon_pid = g_ascii_strtoll(pid_text, NULL, 10);
    g_assert_cmpint(daemon_pid, >, 1);
    g_assert_cmpint(kill((pid_t) daemon_pid, SIGKILL), ==, 0);
    g_thread_join(thread);
    kill(pid, SIGCONT);

    g_assert_cmpint(cli.exit_code, ==, TDX_EXIT_CONNECTION);
    g_assert_null(strstr(cli.out, "unknown libvirt error"));
    root = tdxTestJson(cli.out, &root_node);
    frozen = tdxTestCliJsonDomain(root, "frozen");
    g_assert_cmpstr(json_object_get_string_member(frozen, "outcome"), ==, "failed");
    g_assert_cmpint(json_object_get_int_member(frozen, "gone_at_ms"), ==, -1);
    g_assert_true(tdxTestStillPresent(root, "frozen"));
    g_free(cli.out);
    g_free(cli.err);
}


/* Two stopped QEMUs that sort first by name, one worker: the guests whose
 * QEMU answered go first (the stopped ones would hold the worker through
 * libvirt's kill sequence past the deadline), so they are gone and only
 * the stopped ones are named as still present. */
static void
testStoppedQemusDeferred(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(JsonNode) root_node = NULL;
    const char *argv[] = {
        g_getenv("VIRSH_TDX"), "-c", NULL, "--config", NULL,
        "shutdown-host", "--non-td", "destroy", "--jobs", "1", "--json", NULL,
    };
    const char *stopped[] = { "a-stopped", "b-stopped" };
    const char *healthy[] = { "c-fine", "d-fine" };
    tdxTestCli cli = { .argv = argv };
    pid_t pids[G_N_ELEMENTS(stopped)];
    JsonObject *root;
    guint i;

    if (!tdxTestHostInit(&host))
        return;
    g_assert_true(g_file_set_contents(host.config_path,
                                      "[destroy]\nmonitor-timeout-ms=2000\n"
                                      "[shutdown-host]\ndeadline=10\n", -1, NULL));
    for (i = 0; i < G_N_ELEMENTS(stopped); i++) {
        tdxTestGuest(&host, stopped[i], 64, FALSE);
        pids[i] = tdxTestGuestPid(&host, stopped[i]);
        g_assert_cmpint(kill(pids[i], SIGSTOP), ==, 0);
    }
    for (i = 0; i < G_N_ELEMENTS(healthy); i++)
        tdxTestGuest(&host, healthy[i], 64, FALSE);
    argv[2] = tdxTestDaemonURI(host.daemon);
    argv[4] = host.config_path;

    tdxTestCliRun(&cli);
    for (i = 0; i < G_N_ELEMENTS(stopped); i++)
        kill(pids[i], SIGCONT);

    g_assert_cmpint(cli.exit_code, !=, TDX_EXIT_OK);
    g_assert_cmpint(cli.elapsed_usec, <, (10 + TDX_HOST_DEADLINE_BOUND_SECONDS) * G_USEC_PER_SEC);
    root = tdxTestJson(cli.out, &root_node);
    for (i = 0; i < G_N_ELEMENTS(healthy); i++) {
        g_assert_cmpstr(json_object_get_string_member(tdxTestCliJsonDomain(root, healthy[i]),
                                                      "outcome"), ==, "gone");
        g_assert_false(tdxTestIsRunning(&host, healthy[i]));
    }
    for (i = 0; i < G_N_ELEMENTS(stopped); i++) {
        JsonObject *domain = tdxTestCliJsonDomain(root, stopped[i]);
        JsonArray *warnings = json_object_get_array_member(domain, "warnings");

        g_assert_true(tdxTestStillPresent(root, stopped[i]));
        g_assert_cmpuint(json_array_get_length(warnings), >=, 1);
        g_assert_nonnull(strstr(json_array_get_string_element(warnings, 0),
                                "did not answer"));
    }
    g_free(cli.out);
    g_free(cli.err);
}


/* The libvirt daemon itself stops answering (SIGSTOP) before the run
 * connects: nothing of ours can bound that call, the watchdog does. The
 * command ends by deadline + TDX_HOST_DEADLINE_BOUND_SECONDS with exit
 * code 6 and one JSON document. */
static void
testDaemonStoppedWatchdog(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(JsonNode) root_node = NULL;
    g_autofree char *pid_path = NULL;
    g_autofree char *pid_text = NULL;
    const char *argv[] = {
        g_getenv("VIRSH_TDX"), "-c", NULL, "--config", NULL,
        "shutdown-host", "--json", NULL,
    };
    tdxTestCli cli = { .argv = argv };
    JsonObject *root;
    gint64 daemon_pid;

    if (!tdxTestHostInit(&host))
        return;
    g_assert_true(g_file_set_contents(host.config_path,
                                      "[destroy]\nmonitor-timeout-ms=1000\n"
                                      "[shutdown-host]\ndeadline=10\n", -1, NULL));
    argv[2] = tdxTestDaemonURI(host.daemon);
    argv[4] = host.config_path;
    pid_path = g_build_filename(tdxTestDaemonDir(host.daemon), "state", "libvirtd.pid", NULL);
    g_assert_true(g_file_get_contents(pid_path, &pid_text, NULL, NULL));
    daemon_pid = g_ascii_strtoll(pid_text, NULL, 10);
    g_assert_cmpint(daemon_pid, >, 1);
    /* Our own connection first: it must not be the one that hangs. */
    virConnectClose(g_steal_pointer(&host.conn));
    g_assert_cmpint(kill((pid_t) daemon_pid, SIGSTOP), ==, 0);

    tdxTestCliRun(&cli);
    kill((pid_t) daemon_pid, SIGCONT);

    g_assert_cmpint(cli.exit_code, ==, TDX_EXIT_TIMEOUT);
    g_assert_cmpint(cli.elapsed_usec, >=, 10 * G_USEC_PER_SEC);
    g_assert_cmpint(cli.elapsed_usec, <, (10 + TDX_HOST_DEADLINE_BOUND_SECONDS + 2) *
                    G_USEC_PER_SEC);
    root = tdxTestJson(cli.out, &root_node);
    g_assert_cmpint(json_object_get_int_member(root, "exit_code"), ==, TDX_EXIT_TIMEOUT);
    g_assert_nonnull(strstr(cli.err, "libvirt does not answer"));
    g_free(cli.out);
    g_free(cli.err);
}


/* The daemon dies while shutdown-host waits: a clear error, exit code 4,
 * no hang. */
static void
testDaemonGone(void)
{
    g_auto(tdxTestHost) host;
    g_autofree char *pid_path = NULL;
    g_autofree char *pid_text = NULL;
    const char *argv[] = {
        g_getenv("VIRSH_TDX"), "-c", NULL, "--config", NULL,
        "shutdown-host", "--non-td", "shutdown", "--grace-period", "60", NULL,
    };
    tdxTestCli cli = { .argv = argv };
    GThread *thread;
    gint64 pid;

    if (!tdxTestHostInit(&host))
        return;
    tdxTestGuest(&host, "vm1", 64, FALSE);
    argv[2] = tdxTestDaemonURI(host.daemon);
    argv[4] = host.config_path;

    thread = g_thread_new("virsh-tdx", tdxTestCliRun, &cli);
    g_usleep(3 * G_USEC_PER_SEC);
    pid_path = g_build_filename(tdxTestDaemonDir(host.daemon), "state", "libvirtd.pid", NULL);
    g_assert_true(g_file_get_contents(pid_path, &pid_text, NULL, NULL));
    pid = g_ascii_strtoll(pid_text, NULL, 10);
    g_assert_cmpint(pid, >, 1);
    g_assert_cmpint(kill((pid_t) pid, SIGKILL), ==, 0);
    g_thread_join(thread);

    g_assert_cmpint(cli.exit_code, ==, TDX_EXIT_CONNECTION);
    /* 3 s before the kill, then at most a keepalive round. */
    g_assert_cmpint(cli.elapsed_usec, <, 20 * G_USEC_PER_SEC);
    g_assert_nonnull(strstr(cli.err, "connection"));
    g_assert_nonnull(strstr(cli.out, "still present: vm1"));
    g_free(cli.out);
    g_free(cli.err);
}


/* --dry-run --json: the plan, nothing stopped. */
/* Nothing typed wrong keeps a guest alive at host shutdown: a mistake on
 * the command line or in tdx.conf is warned about and the run goes on
 * (exit 2 or 3 at the end, one JSON document); only --dry-run refuses. */
static void
testMistakesDoNotStopTeardown(void)
{
    static const struct {
        const char *name;
        const char *config;
        const char *extra[3];
        gboolean dry_run;
        int exit_code;
        gboolean gone;
        const char *warning;
    } cases[] = {
        { "rule-in-file", "[shutdown-host]\nnon-td = destroy\ndeadline = 10\n"
          "[destroy]\nmonitor-timeout-ms = 5000\n", { NULL },
          FALSE, TDX_EXIT_CONFIG, TRUE, "monitor-timeout-ms lowered to 2500 for this run" },
        { "rule-on-command-line", "[shutdown-host]\nnon-td = destroy\n",
          { "--deadline", "7", NULL },
          FALSE, TDX_EXIT_USAGE, TRUE, "monitor-timeout-ms lowered to 1750 for this run" },
        { "bad-non-td", "[shutdown-host]\nnon-td = destroy\n", { "--non-td", "destory", NULL },
          FALSE, TDX_EXIT_USAGE, TRUE, "not 'destory': ignored" },
        { "unknown-option", "[shutdown-host]\nnon-td = destroy\n", { "--dedline=30", NULL },
          FALSE, TDX_EXIT_USAGE, TRUE, "--dedline" },
        { "bad-number", "[shutdown-host]\nnon-td = destroy\n", { "--jobs", "two", NULL },
          FALSE, TDX_EXIT_USAGE, TRUE, "two" },
        { "stray-argument", "[shutdown-host]\nnon-td = destroy\n", { "now", NULL },
          FALSE, TDX_EXIT_USAGE, TRUE, "unexpected argument 'now'" },
        /* unusable file: the built-in defaults, which leave non-TDs */
        { "typo-in-file", "[shutdown-host]\nnon-td = destroy\njbos = 2\n", { NULL },
          FALSE, TDX_EXIT_CONFIG, FALSE, "tearing down with the built-in defaults" },
        { "dry-run-refuses", "[shutdown-host]\nnon-td = destroy\n", { "--dedline=30", NULL },
          TRUE, TDX_EXIT_USAGE, FALSE, "--dedline" },
    };
    g_auto(tdxTestHost) host;
    guint i;

    if (!tdxTestHostInit(&host))
        return;
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *guest = g_strdup_printf("oops-%s", cases[i].name);
        g_autofree char *path = g_build_filename(tdxTestDaemonDir(host.daemon),
                                                 "oops.conf", NULL);
        const char *argv[12] = {
            g_getenv("VIRSH_TDX"), "-c", tdxTestDaemonURI(host.daemon),
            "--config", path, "shutdown-host", "--json",
        };
        tdxTestCli cli = { .argv = argv };
        guint n = 7, j;

        if (cases[i].dry_run)
            argv[n++] = "--dry-run";
        for (j = 0; cases[i].extra[j]; j++)
            argv[n++] = cases[i].extra[j];
        g_assert_true(g_file_set_contents(path, cases[i].config, -1, NULL));
        tdxTestGuest(&host, guest, 64, FALSE);

        g_test_message("case %s", cases[i].name);
        tdxTestCliRun(&cli);    /* checks the one JSON document */
        g_assert_cmpint(cli.exit_code, ==, cases[i].exit_code);
        g_assert_nonnull(strstr(cli.err, cases[i].warning));
        g_assert_cmpint(tdxTestIsRunning(&host, guest), ==, !cases[i].gone);
        if (!cases[i].dry_run) {
            /* the run happened: the guest is in its report */
            g_assert_nonnull(strstr(cli.out, guest));
        }
        if (tdxTestIsRunning(&host, guest)) {
            virDomainPtr dom = virDomainLookupByName(host.conn, guest);

            g_assert_cmpint(virDomainDestroy(dom), ==, 0);
            virDomainFree(dom);
        }
        g_free(cli.out);
        g_free(cli.err);
    }
}


static void
testDryRun(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) error = NULL;
    const char *argv[] = {
        g_getenv("VIRSH_TDX"), "-c", NULL, "--config", NULL,
        "shutdown-host", "--dry-run", "--non-td", "destroy", "--jobs", "2", "--json", NULL,
    };
    tdxTestCli cli = { .argv = argv };
    const char *order[] = { "vm-big", "vm-a", "vm-b" };
    JsonArray *domains;
    JsonObject *summary;
    guint i;

    if (!tdxTestHostInit(&host))
        return;
    tdxTestGuest(&host, "vm-b", 64, FALSE);
    tdxTestGuest(&host, "vm-big", 128, FALSE);
    tdxTestGuest(&host, "vm-a", 64, FALSE);
    argv[2] = tdxTestDaemonURI(host.daemon);
    argv[4] = host.config_path;

    tdxTestCliRun(&cli);
    g_assert_cmpint(cli.exit_code, ==, TDX_EXIT_OK);
    g_assert_true(json_parser_load_from_data(parser, cli.out, -1, &error));
    domains = json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)),
                                           "domains");
    summary = json_object_get_object_member(json_node_get_object(json_parser_get_root(parser)),
                                            "summary");
    g_assert_cmpuint(json_array_get_length(domains), ==, 3);
    for (i = 0; i < G_N_ELEMENTS(order); i++) {
        JsonObject *domain = json_array_get_object_element(domains, i);

        g_assert_cmpstr(json_object_get_string_member(domain, "name"), ==, order[i]);
        g_assert_cmpint(json_object_get_int_member(domain, "order"), ==, i + 1);
        g_assert_cmpstr(json_object_get_string_member(domain, "action"), ==, "destroy");
        g_assert_true(tdxTestIsRunning(&host, order[i]));
    }
    g_assert_cmpint(json_object_get_int_member(summary, "jobs"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(summary, "estimate_ms"), >, 0);
    g_free(cli.out);
    g_free(cli.err);
}


/* systemd-analyze verify on the unit as installed, but pointing at the
 * virsh-tdx of the build tree. PID 1 here is not systemd: the unit is
 * verified offline, its ExecStop= is run by the tests above. */
static void
testUnitVerify(void)
{
    const char *unit = g_getenv("TDX_TEST_SYSTEMD_UNIT");
    g_autofree char *analyze = g_find_program_in_path("systemd-analyze");
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *copy = NULL;
    g_autofree char *text = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    if (!analyze) {
        g_test_skip("systemd-analyze is not installed");
        return;
    }
    g_assert_nonnull(unit);
    g_assert_true(g_file_get_contents(unit, &text, NULL, &error));
    g_assert_nonnull(strstr(text, "ExecStop="));
    g_assert_nonnull(strstr(text, "/tools/virsh-tdx/virsh-tdx shutdown-host"));
    {
        /* The stop timeout only covers the start of the process, until the
         * first EXTEND_TIMEOUT_USEC= (sent before connecting); it must not
         * be shorter than that (docs/shutdown-host.rst). */
        const char *line = strstr(text, "\nTimeoutStopSec=");
        g_autofree char *value = NULL;
        guint64 seconds;

        g_assert_nonnull(line);
        line += strlen("\nTimeoutStopSec=");
        value = g_strndup(line, strcspn(line, "\n"));
        g_assert_true(g_ascii_string_to_unsigned(value, 10, 10, G_MAXUINT, &seconds, NULL));
    }

    dir = g_dir_make_tmp("tdx-unit-XXXXXX", &error);
    g_assert_no_error(error);
    copy = g_build_filename(dir, "libvirt-tdx-shutdown.service", NULL);
    g_assert_true(g_file_set_contents(copy, text, -1, &error));
    {
        const char *argv[] = { analyze, "verify", "--man=no", copy, NULL };

        g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &out, &err, &status, &error));
    }
    g_test_message("systemd-analyze verify: %s%s", out, err);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    /* Unknown or malformed settings are only warnings there. */
    g_assert_cmpstr(g_strstrip(err), ==, "");
    g_unlink(copy);
    g_rmdir(dir);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* The library warns on purpose (an unusable policy, a grace period
     * cut to fit the deadline); the tests check the records instead. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

    g_test_add_func("/shutdown-host/unit-verify", testUnitVerify);
    g_test_add_func("/shutdown-host/mistakes-do-not-stop-teardown",
                    testMistakesDoNotStopTeardown);
    g_test_add_func("/shutdown-host/tds-gone-others-left", testTDsGoneOthersLeft);
    g_test_add_func("/shutdown-host/non-td-destroy", testNonTdDestroy);
    g_test_add_func("/shutdown-host/name-is-another-id", testNameIsAnotherId);
    g_test_add_func("/shutdown-host/non-td-shutdown", testNonTdShutdown);
    g_test_add_func("/shutdown-host/grace-per-guest", testGracePerGuest);
    g_test_add_func("/shutdown-host/graceful-gone-taken-off", testGracefulGoneTakenOff);
    g_test_add_func("/shutdown-host/grace-cut-to-deadline", testGraceCutToDeadline);
    g_test_add_func("/shutdown-host/dry-run", testDryRun);
    g_test_add_func("/shutdown-host/notify", testNotify);
    g_test_add_func("/shutdown-host/daemon-gone", testDaemonGone);
    g_test_add_func("/shutdown-host/stopped-qemu", testStoppedQemu);
    g_test_add_func("/shutdown-host/daemon-stopped-watchdog", testDaemonStoppedWatchdog);
    g_test_add_func("/shutdown-host/stopped-qemus-deferred", testStoppedQemusDeferred);
    g_test_add_func("/shutdown-host/daemon-killed-during-teardown",
                    testDaemonKilledDuringTeardown);
    g_test_add_func("/shutdown-host/bad-policy-torn-down", testBadPolicyTornDown);

    return g_test_run();
}
