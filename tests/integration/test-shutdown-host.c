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
    const tdxHostDomain *td_short = tdxTestFind(watch->plan, "td-short");
    const tdxHostDomain *td_long = tdxTestFind(watch->plan, "td-long");

    g_test_message("status: %s", line);
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
 * the run ends at the deadline and names it; the TD honestly still runs. */
static void
testDeadline(void)
{
    g_auto(tdxTestHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *summary = NULL;
    const tdxHostDomain *td;
    gint64 start;
    gint64 elapsed;
    int exit_code;

    if (!tdxTestHostInit(&host))
        return;
    tdxTestGuest(&host, "td-stuck", 64, TRUE);
    host.options.graceful = TDX_GRACEFUL_ALWAYS;
    host.options.grace_seconds = 60;
    host.options.deadline_seconds = 3;

    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    start = g_get_monotonic_time();
    exit_code = tdxHostRun(host.conn, plan, &host.options);
    elapsed = g_get_monotonic_time() - start;
    tdxTestLogResult(plan);

    g_assert_cmpint(exit_code, ==, TDX_EXIT_TIMEOUT);
    g_assert_cmpint(elapsed, >=, 3 * G_USEC_PER_SEC);
    g_assert_cmpint(elapsed, <, (3 + TDX_HOST_ABANDON_SLACK_SECONDS + 2) * G_USEC_PER_SEC);
    td = tdxTestFind(plan, "td-stuck");
    g_assert_cmpint(td->outcome, ==, TDX_HOST_OUTCOME_NOT_STARTED);
    g_assert_error(td->error, TDX_ERROR, TDX_ERROR_TIMEOUT);
    summary = tdxHostResultSummary(plan);
    g_assert_nonnull(strstr(summary, "still present: td-stuck"));
    g_assert_true(tdxTestIsRunning(&host, "td-stuck"));
    g_assert_cmpuint(tdxQmpScriptCount(host.script, "td-stuck", "tdx-terminate"), ==, 0);
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
    if (g_strv_contains(cli->argv, "--json"))
        tdxTestJsonCheckSchema(cli->out);
    return NULL;
}


static void
tdxTestCliLog(const tdxTestCli *cli)
{
    g_test_message("exit %d after %.2f s\nstdout:\n%s\nstderr:\n%s", cli->exit_code,
                   cli->elapsed_usec / 1e6, cli->out, cli->err);
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

    dir = g_dir_make_tmp("tdx-notify-XXXXXX", &error);
    g_assert_no_error(error);
    path = g_build_filename(dir, "notify", NULL);
    sock = tdxTestNotifySocket(path);
    cli.notify_socket = path;
    tdxTestCliRun(&cli);
    tdxTestCliLog(&cli);
    g_assert_cmpint(cli.exit_code, ==, TDX_EXIT_OK);

    messages = tdxTestNotifyReceive(sock);
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
    tdxTestCliLog(&cli);

    g_assert_cmpint(cli.exit_code, ==, TDX_EXIT_CONNECTION);
    /* 3 s before the kill, then at most a keepalive round. */
    g_assert_cmpint(cli.elapsed_usec, <, 20 * G_USEC_PER_SEC);
    g_assert_nonnull(strstr(cli.err, "connection"));
    g_assert_nonnull(strstr(cli.out, "still present: vm1"));
    g_free(cli.out);
    g_free(cli.err);
}


/* --dry-run --json: the plan, nothing stopped. */
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
    tdxTestCliLog(&cli);
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

    g_test_add_func("/shutdown-host/unit-verify", testUnitVerify);
    g_test_add_func("/shutdown-host/tds-gone-others-left", testTDsGoneOthersLeft);
    g_test_add_func("/shutdown-host/non-td-destroy", testNonTdDestroy);
    g_test_add_func("/shutdown-host/name-is-another-id", testNameIsAnotherId);
    g_test_add_func("/shutdown-host/non-td-shutdown", testNonTdShutdown);
    g_test_add_func("/shutdown-host/grace-per-guest", testGracePerGuest);
    g_test_add_func("/shutdown-host/graceful-gone-taken-off", testGracefulGoneTakenOff);
    g_test_add_func("/shutdown-host/deadline", testDeadline);
    g_test_add_func("/shutdown-host/dry-run", testDryRun);
    g_test_add_func("/shutdown-host/notify", testNotify);
    g_test_add_func("/shutdown-host/daemon-gone", testDaemonGone);

    return g_test_run();
}
