/*
 * test-tdx-host-plan.c: what shutdown-host decides and does, on libvirt's
 * test driver (no daemon, no root) with scripted QMP peers for the TDs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>

#include "tdx-error.h"
#include "tdx-host-plan.h"
#include "tdx-host-run.h"
#include "tdx-libvirt.h"
#include "tdx-qmp.h"
#include "tdx-qmp-script.h"

#define TEST_POLICY(body) \
    "<metadata><tdx:policy xmlns:tdx='http://libvirt-tdx.org/xmlns/policy/1.0'>" \
    body "</tdx:policy></metadata>"
#define TEST_DOMAIN(name, mib, metadata) \
    "<domain type='test'><name>" name "</name>" \
    "<memory unit='MiB'>" #mib "</memory><os><type>hvm</type></os>" metadata "</domain>\n"

/* Running domains of the test driver; which are TDs the script says. */
static const char testNode[] =
    "<node>\n"
    TEST_DOMAIN("td-big", 4096, "")
    TEST_DOMAIN("td-p0", 1024, "")
    TEST_DOMAIN("td-p5b", 1024, TEST_POLICY("<priority>5</priority>"))
    TEST_DOMAIN("td-p5a", 1024, TEST_POLICY("<priority>5</priority>"))
    TEST_DOMAIN("td-small", 512, TEST_POLICY("<priority>1000</priority>"))
    TEST_DOMAIN("vm-1", 1024, "")
    TEST_DOMAIN("vm-pol", 256,
                TEST_POLICY("<graceful-shutdown enabled='yes' timeout='7'/>"))
    "</node>\n";

static const char *const testTDs[] = { "td-big", "td-p0", "td-p5b", "td-p5a", "td-small" };

typedef struct {
    char *dir;
    virConnectPtr conn;
    tdxQmpScript *script;
    tdxConfig config;
    tdxHostOptions options;
} testHost;


static tdxMonitor *
testMonitorNew(virDomainPtr dom, gpointer opaque)
{
    return tdxQmpScriptMonitorNewOffline(opaque, virDomainGetName(dom));
}


static void
testHostInit(testHost *host)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *node = NULL;
    g_autofree char *uri = NULL;
    guint i;

    host->dir = g_dir_make_tmp("tdx-host-plan-XXXXXX", &error);
    g_assert_no_error(error);
    node = g_build_filename(host->dir, "node.xml", NULL);
    g_assert_true(g_file_set_contents(node, testNode, -1, &error));
    uri = g_strdup_printf("test://%s", node);
    host->conn = tdxConnectionOpen(uri, &error);
    g_assert_no_error(error);

    host->script = tdxQmpScriptNew();
    for (i = 0; i < G_N_ELEMENTS(testTDs); i++) {
        tdxQmpScriptReply(host->script, testTDs[i], "qom-list",
                          "{\"return\": [{\"name\": \"lsec0\", "
                          "\"type\": \"child<" TDX_QOM_GUEST_TYPE ">\"}]}", 0);
        tdxQmpScriptReply(host->script, testTDs[i], "query-commands",
                          "{\"return\": [{\"name\": \"" TDX_QMP_TERMINATE_COMMAND "\"}]}", 0);
        tdxQmpScriptReply(host->script, testTDs[i], TDX_QMP_TERMINATE_COMMAND,
                          "{\"return\": {}}", 0);
    }
    /* The other guests' probes fail (CommandNotFound): their XML decides. */

    tdxConfigInit(&host->config);
    host->config.monitor_timeout_ms = 1000;
    host->config.jobs = 2;
    tdxHostOptionsInit(&host->options, &host->config);
    host->options.monitor_new = testMonitorNew;
    host->options.monitor_opaque = host->script;
}


static void
testHostClear(testHost *host)
{
    g_autofree char *node = g_build_filename(host->dir, "node.xml", NULL);

    virConnectClose(host->conn);
    tdxQmpScriptFree(host->script);
    tdxConfigClear(&host->config);
    g_unlink(node);
    g_rmdir(host->dir);
    g_free(host->dir);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(testHost, testHostClear);


/* A domain the test put in the plan: its absence fails the test. */
static const tdxHostDomain *
testFind(const tdxHostPlan *plan, const char *name)
{
    const tdxHostDomain *domain = tdxHostPlanFind(plan, name);

    if (!domain)
        g_error("no domain '%s' in the plan", name);
    return domain;
}


/* Longest first; equal estimates by priority, then by name. */
static void
testPlanOrder(void)
{
    g_auto(testHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    const char *order[] = { "td-big", "td-p5a", "td-p5b", "td-p0", "vm-1", "td-small", "vm-pol" };
    guint i;

    testHostInit(&host);
    host.options.non_td = TDX_HOST_NON_TD_DESTROY;
    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(plan->domains->len, ==, G_N_ELEMENTS(order));
    for (i = 0; i < G_N_ELEMENTS(order); i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        g_assert_cmpstr(domain->name, ==, order[i]);
        g_assert_cmpuint(domain->order, ==, i + 1);
    }
    g_assert_true(testFind(plan, "td-big")->is_td);
    g_assert_true(testFind(plan, "td-big")->has_terminate);
    g_assert_false(testFind(plan, "vm-1")->is_td);
    g_assert_cmpint(testFind(plan, "td-p5a")->priority, ==, 5);
    g_assert_cmpint(testFind(plan, "vm-1")->action, ==, TDX_HOST_ACTION_DESTROY);
    g_assert_cmpint(plan->jobs, ==, 2);

    /* The models: with terminate the 4 GiB TD dominates; one by one
     * without terminate is the sum. */
    g_assert_cmpfloat(plan->makespan_seconds, >=, testFind(plan, "td-big")->estimate_seconds);
    g_assert_cmpfloat(plan->makespan_terminate_seconds, <=, plan->makespan_plain_seconds);
    g_assert_cmpfloat(plan->makespan_plain_seconds, <=, plan->sequential_plain_seconds);
    g_assert_cmpfloat(testFind(plan, "td-p5b")->planned_start_seconds, >, 0);
}


static void
testPlanNonTdLeave(void)
{
    g_auto(testHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    testHostInit(&host);
    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    g_assert_cmpint(plan->non_td, ==, TDX_HOST_NON_TD_LEAVE);
    g_assert_cmpint(testFind(plan, "vm-1")->action, ==, TDX_HOST_ACTION_LEAVE);
    g_assert_cmpuint(testFind(plan, "vm-1")->order, ==, 0);
    g_assert_cmpint(testFind(plan, "vm-pol")->action, ==, TDX_HOST_ACTION_LEAVE);
    /* Left ones come last, after everything scheduled. */
    g_assert_cmpuint(((tdxHostDomain *) g_ptr_array_index(plan->domains, 4))->order, ==, 5);
    g_assert_cmpuint(((tdxHostDomain *) g_ptr_array_index(plan->domains, 5))->order, ==, 0);

    text = tdxHostPlanToText(plan);
    g_assert_nonnull(strstr(text, "5 TDs and 2 other guests running"));
    g_assert_nonnull(strstr(text, "without terminate semantics"));
}


/* Command line over metadata over [shutdown-host]. */
static void
testPlanGraceful(void)
{
    g_auto(testHost) host;
    g_autoptr(GError) error = NULL;
    tdxHostPlan *plan;

    testHostInit(&host);
    host.options.non_td = TDX_HOST_NON_TD_DESTROY;
    host.config.host_graceful = TRUE;
    host.config.host_grace_seconds = 45;

    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    g_assert_true(testFind(plan, "td-big")->graceful);
    g_assert_cmpuint(testFind(plan, "td-big")->grace_seconds, ==, 45);
    g_assert_cmpuint(testFind(plan, "vm-pol")->grace_seconds, ==, 7);
    g_assert_cmpfloat(plan->graceful_seconds, ==, 45);
    tdxHostPlanFree(plan);

    host.config.host_graceful = FALSE;
    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    g_assert_false(testFind(plan, "td-big")->graceful);
    g_assert_true(testFind(plan, "vm-pol")->graceful);
    g_assert_cmpfloat(plan->graceful_seconds, ==, 7);
    tdxHostPlanFree(plan);

    /* non-td=shutdown shuts down every other guest. */
    host.options.non_td = TDX_HOST_NON_TD_SHUTDOWN;
    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    g_assert_true(testFind(plan, "vm-1")->graceful);
    g_assert_cmpint(testFind(plan, "vm-1")->action, ==, TDX_HOST_ACTION_SHUTDOWN);
    tdxHostPlanFree(plan);

    host.options.graceful = TDX_GRACEFUL_NEVER;
    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    g_assert_false(testFind(plan, "vm-pol")->graceful);
    g_assert_false(testFind(plan, "vm-1")->graceful);
    tdxHostPlanFree(plan);

    host.options.graceful = TDX_GRACEFUL_ALWAYS;
    host.options.grace_seconds = 3;
    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);
    g_assert_true(testFind(plan, "td-p0")->graceful);
    g_assert_cmpuint(testFind(plan, "vm-pol")->grace_seconds, ==, 3);
    tdxHostPlanFree(plan);
}


/* The whole run on the test driver: every TD terminated, the others
 * destroyed although [destroy] non-td=refuse (that is destroy's setting). */
static void
testRun(void)
{
    g_auto(testHost) host;
    g_autoptr(tdxHostPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonBuilder) builder = json_builder_new();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;
    guint i;

    testHostInit(&host);
    host.config.non_td = TDX_NON_TD_REFUSE;
    host.options.non_td = TDX_HOST_NON_TD_DESTROY;
    host.options.graceful = TDX_GRACEFUL_NEVER;
    plan = tdxHostPlanNew(host.conn, &host.options, &error);
    g_assert_no_error(error);

    g_assert_cmpint(tdxHostRun(host.conn, plan, &host.options), ==, TDX_EXIT_OK);
    text = tdxHostResultToText(plan);
    g_test_message("%s", text);
    for (i = 0; i < plan->domains->len; i++) {
        const tdxHostDomain *domain = g_ptr_array_index(plan->domains, i);

        g_assert_no_error(domain->error);
        g_assert_cmpint(domain->outcome, ==, TDX_HOST_OUTCOME_GONE);
        g_assert_cmpint(domain->path, ==, domain->is_td ? TDX_DESTROY_PATH_TERMINATE
                                                        : TDX_DESTROY_PATH_NON_TD);
        g_assert_cmpuint(tdxQmpScriptCount(host.script, domain->name,
                                           TDX_QMP_TERMINATE_COMMAND), ==, domain->is_td);
    }
    g_assert_cmpuint(plan->peak_jobs, >=, 1);
    g_assert_cmpuint(plan->peak_jobs, <=, 2);
    g_assert_nonnull(strstr(text, "5 of 5 TDs gone"));
    g_assert_nonnull(strstr(text, "other guests: 2 stopped"));

    tdxHostResultToJson(plan, builder);
    root = json_builder_get_root(builder);
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(root), "exit_code"), ==, 0);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/host/plan/order", testPlanOrder);
    g_test_add_func("/host/plan/non-td-leave", testPlanNonTdLeave);
    g_test_add_func("/host/plan/graceful", testPlanGraceful);
    g_test_add_func("/host/plan/run", testRun);

    return g_test_run();
}
