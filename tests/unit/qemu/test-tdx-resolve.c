/*
 * test-tdx-resolve.c: command-line domain arguments, on libvirt's own
 * test driver (test:///default, in-process: the same API the daemon
 * answers, so this also runs under ASan); the real daemon is covered by
 * the integration suites.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>

#include "tdx-error.h"
#include "tdx-libvirt.h"
#include "tdx-resolve.h"

/* test:///default has one running domain, "test", with ID 1. */
typedef struct {
    virConnectPtr conn;
    virDomainPtr clash;             /* named "1": the ID of "test" */
    char test_uuid[VIR_UUID_STRING_BUFLEN];
    char clash_uuid[VIR_UUID_STRING_BUFLEN];
    char *clash_id;
} testHost;


static void
testHostSetUp(testHost *host, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(virDomain) test = NULL;

    host->conn = tdxConnectionOpen("test:///default", &error);
    g_assert_no_error(error);
    test = virDomainLookupByName(host->conn, "test");
    g_assert_nonnull(test);
    g_assert_cmpint(virDomainGetID(test), ==, 1);
    g_assert_cmpint(virDomainGetUUIDString(test, host->test_uuid), ==, 0);
    host->clash = virDomainCreateXML(host->conn,
                                     "<domain type='test'><name>1</name>"
                                     "<memory>1024</memory><os><type>hvm</type></os>"
                                     "</domain>", 0);
    g_assert_nonnull(host->clash);
    g_assert_cmpint(virDomainGetUUIDString(host->clash, host->clash_uuid), ==, 0);
    host->clash_id = g_strdup_printf("%u", virDomainGetID(host->clash));
}


static void
testHostTearDown(testHost *host, gconstpointer data G_GNUC_UNUSED)
{
    virDomainDestroy(host->clash);
    virDomainFree(host->clash);
    virConnectClose(host->conn);
    g_free(host->clash_id);
}


/* "1" is the ID of one domain and the name of another: refused, both
 * named, whatever else is on the command line. */
static void
testAmbiguous(testHost *host, gconstpointer data G_GNUC_UNUSED)
{
    const char *args[] = { "test", "1" };
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) one_error = NULL;
    g_autoptr(GPtrArray) resolved = tdxResolveDomains(host->conn, args,
                                                      G_N_ELEMENTS(args), &error);

    g_assert_null(resolved);
    g_assert_error(error, TDX_ERROR, TDX_ERROR_INVALID_ARG);
    g_assert_cmpint(tdxErrorToExitCode(error), ==, TDX_EXIT_USAGE);
    g_assert_nonnull(strstr(error->message, "'1' is ambiguous"));
    g_assert_nonnull(strstr(error->message, "the ID of domain 'test'"));
    g_assert_nonnull(strstr(error->message, "the name of domain '1'"));
    g_assert_nonnull(strstr(error->message, host->test_uuid));
    g_assert_nonnull(strstr(error->message, host->clash_uuid));

    g_assert_null(tdxResolveDomain(host->conn, "1", &one_error));
    g_assert_error(one_error, TDX_ERROR, TDX_ERROR_INVALID_ARG);
}


/* Name, UUID (any case, dashes or not), ID of one domain, and the same
 * argument twice: one entry each, in the order of the first argument. */
static void
testMerged(testHost *host, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *upper = g_ascii_strup(host->test_uuid, -1);
    g_autofree char *bare = g_strdup(host->test_uuid);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) resolved = NULL;
    const char *args[] = { "test", NULL, NULL, NULL, "nosuch", "test", "nosuch" };
    const tdxResolved *item;
    char *dash;

    while ((dash = strchr(bare, '-')))
        memmove(dash, dash + 1, strlen(dash));
    args[1] = upper;
    args[2] = bare;
    args[3] = host->clash_id;
    resolved = tdxResolveDomains(host->conn, args, G_N_ELEMENTS(args), &error);
    g_assert_no_error(error);
    g_assert_cmpuint(resolved->len, ==, 3);

    item = g_ptr_array_index(resolved, 0);
    g_assert_cmpstr(item->name, ==, "test");
    g_assert_cmpstr(item->uuid, ==, host->test_uuid);
    g_assert_cmpstr(item->argument, ==, "test");
    g_assert_cmpuint(item->arguments->len, ==, 4);
    g_assert_null(item->error);

    /* Its own ID (no domain is named like that): the domain named "1". */
    item = g_ptr_array_index(resolved, 1);
    g_assert_cmpstr(item->name, ==, "1");
    g_assert_cmpstr(item->uuid, ==, host->clash_uuid);

    item = g_ptr_array_index(resolved, 2);
    g_assert_null(item->uuid);
    g_assert_cmpstr(item->argument, ==, "nosuch");
    g_assert_cmpuint(item->arguments->len, ==, 2);
    g_assert_error(item->error, TDX_ERROR, TDX_ERROR_NO_DOMAIN);
    g_assert_nonnull(strstr(item->error->message, "'nosuch'"));
}


/* After resolution only the UUID is used. */
static void
testByUUID(testHost *host, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(virDomain) dom = tdxLookupByUUID(host->conn, host->clash_uuid, "1", &error);
    g_autoptr(GError) gone = NULL;

    g_assert_no_error(error);
    g_assert_cmpstr(virDomainGetName(dom), ==, "1");
    g_assert_null(tdxLookupByUUID(host->conn, "00000000-0000-0000-0000-000000000001",
                                  "vanished", &gone));
    g_assert_error(gone, TDX_ERROR, TDX_ERROR_NO_DOMAIN);
    g_assert_nonnull(strstr(gone->message, "vanished"));
}


#define TEST_ADD(path, func) \
    g_test_add(path, testHost, NULL, testHostSetUp, func, testHostTearDown)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    TEST_ADD("/resolve/ambiguous", testAmbiguous);
    TEST_ADD("/resolve/merged", testMerged);
    TEST_ADD("/resolve/by-uuid", testByUUID);
    return g_test_run();
}
