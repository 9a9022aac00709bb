/*
 * test-harness-smoke.c: the integration harness itself works -- a private
 * libvirtd starts, runs real QEMU guests, destroys them, stops, and two
 * private daemons do not see each other
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>
#include <libvirt/libvirt.h>

#include "tdx-test-daemon.h"

#define N_GUESTS 3


static guint
testCountDomains(virConnectPtr conn, const char *only_name)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);
    guint count = 0;
    int i;

    g_assert_cmpint(n, >=, 0);
    for (i = 0; i < n; i++) {
        if (!only_name || g_strcmp0(virDomainGetName(doms[i]), only_name) == 0)
            count++;
        virDomainFree(doms[i]);
    }
    free(doms);
    return count;
}


static void
testGuestsLifecycle(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(tdxTestDaemon) d = NULL;
    virDomainPtr guests[N_GUESTS] = { NULL };
    virDomainPtr *doms = NULL;
    virConnectPtr conn;
    gint64 t0;
    int n;
    size_t i;

    if (!tdxTestNeedDaemon())
        return;

    t0 = g_get_monotonic_time();
    d = tdxTestDaemonStart(&err);
    g_assert_no_error(err);
    g_test_message("daemon start: %.2f s",
                   (g_get_monotonic_time() - t0) / 1e6);
    g_assert_true(g_str_has_prefix(tdxTestDaemonURI(d), "qemu:///system?socket="));

    conn = tdxTestDaemonConnection(d);
    g_assert_nonnull(conn);
    g_test_message("guest type: %s", tdxTestGuestVirtType(conn));
    g_assert_cmpuint(testCountDomains(conn, NULL), ==, 0);

    for (i = 0; i < N_GUESTS; i++) {
        g_autofree char *name = g_strdup_printf("smoke-%zu", i);
        virDomainInfo info;

        t0 = g_get_monotonic_time();
        guests[i] = tdxTestGuestStart(conn, name, 64, TRUE, &err);
        g_assert_no_error(err);
        g_assert_nonnull(guests[i]);
        g_test_message("guest start: %.2f s",
                       (g_get_monotonic_time() - t0) / 1e6);
        g_assert_cmpint(virDomainGetInfo(guests[i], &info), ==, 0);
        g_assert_cmpint(info.state, ==, VIR_DOMAIN_PAUSED);
    }

    n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    g_assert_cmpint(n, ==, N_GUESTS);
    for (i = 0; i < (size_t) n; i++) {
        g_assert_true(g_str_has_prefix(virDomainGetName(doms[i]), "smoke-"));
        g_assert_cmpint(virDomainIsActive(doms[i]), ==, 1);
        virDomainFree(doms[i]);
    }
    free(doms);

    for (i = 0; i < N_GUESTS; i++) {
        t0 = g_get_monotonic_time();
        g_assert_cmpint(virDomainDestroy(guests[i]), ==, 0);
        g_test_message("guest destroy: %.2f s",
                       (g_get_monotonic_time() - t0) / 1e6);
        virDomainFree(guests[i]);
    }

    /* transient guests vanish entirely once destroyed */
    g_assert_cmpuint(testCountDomains(conn, NULL), ==, 0);
    g_assert_null(virDomainLookupByName(conn, "smoke-0"));
    virResetLastError();

    t0 = g_get_monotonic_time();
    g_clear_pointer(&d, tdxTestDaemonStop);
    g_test_message("daemon stop: %.2f s",
                   (g_get_monotonic_time() - t0) / 1e6);
}


static void
testTwoDaemonsIsolated(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(tdxTestDaemon) a = NULL;
    g_autoptr(tdxTestDaemon) b = NULL;
    virConnectPtr ca;
    virConnectPtr cb;
    virDomainPtr ga;
    virDomainPtr gb;
    virDomainPtr only_b;

    if (!tdxTestNeedDaemon())
        return;

    a = tdxTestDaemonStart(&err);
    g_assert_no_error(err);
    b = tdxTestDaemonStart(&err);
    g_assert_no_error(err);
    g_assert_cmpstr(tdxTestDaemonURI(a), !=, tdxTestDaemonURI(b));
    ca = tdxTestDaemonConnection(a);
    cb = tdxTestDaemonConnection(b);
    g_assert_nonnull(ca);
    g_assert_nonnull(cb);

    /* the same name in both: would clash if they shared any state */
    ga = tdxTestGuestStart(ca, "twin", 64, TRUE, &err);
    g_assert_no_error(err);
    gb = tdxTestGuestStart(cb, "twin", 64, TRUE, &err);
    g_assert_no_error(err);
    only_b = tdxTestGuestStart(cb, "only-b", 64, TRUE, &err);
    g_assert_no_error(err);

    g_assert_cmpuint(testCountDomains(ca, NULL), ==, 1);
    g_assert_cmpuint(testCountDomains(cb, NULL), ==, 2);
    g_assert_cmpuint(testCountDomains(ca, "only-b"), ==, 0);

    /* destroying in one leaves the other's twin running */
    g_assert_cmpint(virDomainDestroy(ga), ==, 0);
    g_assert_cmpint(virDomainIsActive(gb), ==, 1);
    g_assert_cmpuint(testCountDomains(cb, "twin"), ==, 1);

    virDomainFree(ga);
    virDomainFree(gb);
    virDomainFree(only_b);

    /* stopping a leaves b's guests alone; stopping b destroys them */
    g_clear_pointer(&a, tdxTestDaemonStop);
    g_assert_cmpuint(testCountDomains(cb, NULL), ==, 2);
    g_clear_pointer(&b, tdxTestDaemonStop);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/harness/guests-lifecycle", testGuestsLifecycle);
    g_test_add_func("/harness/two-daemons-isolated", testTwoDaemonsIsolated);

    return g_test_run();
}
