/*
 * test-tdx-domain.c: domain XML parsing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <string.h>

#include "tdx-domain.h"
#include "tdx-error.h"
#include "tdx-test-data.h"

#define UUID "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


static tdxDomainDef *
tdxTestParseFile(const char *name)
{
    g_autofree char *xml = tdxTestDataLoad("conf", name);
    g_autoptr(GError) error = NULL;
    tdxDomainDef *def = tdxDomainDefParseString(xml, &error);

    g_assert_no_error(error);
    g_assert_nonnull(def);
    return def;
}


/* Parsing must fail with @code and a message containing every NULL
 * terminated needle. */
static void
tdxTestExpectError(const char *xml, int code, ...)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(tdxDomainDef) def = tdxDomainDefParseString(xml, &error);
    const char *needle;
    va_list ap;

    if (code == TDX_ERROR_INVALID_METADATA) {
        /* A bad policy does not fail the parse: it is set aside, all
         * unset, for the host configuration to decide. */
        g_assert_no_error(error);
        g_assert_nonnull(def);
        g_assert_false(def->policy.graceful_set || def->policy.grace_seconds_set ||
                       def->policy.priority_set);
        error = g_steal_pointer(&def->policy_error);
    } else {
        g_assert_null(def);
    }
    g_assert_error(error, TDX_ERROR, code);

    va_start(ap, code);
    while ((needle = va_arg(ap, const char *))) {
        if (!strstr(error->message, needle))
            g_error("message '%s' lacks '%s'", error->message, needle);
    }
    va_end(ap);
}


static void
tdxTestExpectFileError(const char *name, int code, const char *needle)
{
    g_autofree char *xml = tdxTestDataLoad("conf", name);

    tdxTestExpectError(xml, code, needle, NULL);
}


static char *
tdxTestDomain(const char *body)
{
    return g_strdup_printf("<domain type='kvm'><name>t</name><uuid>" UUID
                           "</uuid>%s</domain>", body);
}


static void
testKvmRunning(void)
{
    g_autoptr(tdxDomainDef) def = tdxTestParseFile("kvm-running.xml");

    g_assert_cmpstr(def->name, ==, "web01");
    g_assert_cmpstr(def->uuid, ==, "5b8b3c1e-2f7a-4d6b-9c0e-1a2b3c4d5e6f");
    g_assert_cmpint(def->id, ==, 7);
    g_assert_cmpint(def->state, ==, 0);
    g_assert_cmpuint(def->max_memory_kib, ==, 4194304);
    g_assert_cmpuint(def->memory_kib, ==, 2097152);
    g_assert_false(def->hugepages);
    g_assert_cmpuint(def->vcpus, ==, 2);
    g_assert_cmpint(def->td_source, ==, TDX_DOMAIN_TD_NONE);
    g_assert_false(tdxDomainDefIsTD(def));
    g_assert_false(def->has_tdx_policy);
    g_assert_false(def->policy.graceful_set);
    g_assert_false(def->policy.grace_seconds_set);
    g_assert_false(def->policy.priority_set);
}


static void
testTdxLaunchSecurity(void)
{
    g_autoptr(tdxDomainDef) def = tdxTestParseFile("tdx-launchsecurity.xml");

    g_assert_cmpstr(def->name, ==, "td-db01");
    g_assert_cmpint(def->id, ==, 12);
    g_assert_cmpuint(def->max_memory_kib, ==, 16777216);
    g_assert_cmpuint(def->memory_kib, ==, 16777216);
    g_assert_true(def->hugepages);
    g_assert_cmpuint(def->vcpus, ==, 8);
    g_assert_cmpint(def->td_source, ==, TDX_DOMAIN_TD_LAUNCH_SECURITY);
    g_assert_true(tdxDomainDefIsTD(def));
    g_assert_true(def->has_tdx_policy);
    g_assert_cmphex(def->tdx_policy, ==, 0x10000000);
    g_assert_true(def->policy.graceful_set);
    g_assert_true(def->policy.graceful);
    g_assert_true(def->policy.grace_seconds_set);
    g_assert_cmpuint(def->policy.grace_seconds, ==, 120);
    g_assert_true(def->policy.priority_set);
    g_assert_cmpint(def->policy.priority, ==, 10);
}


static void
testTdxQemuCommandline(void)
{
    g_autoptr(tdxDomainDef) def = tdxTestParseFile("tdx-qemu-cmdline.xml");

    g_assert_cmpstr(def->name, ==, "td-legacy");
    g_assert_cmpint(def->id, ==, -1);
    g_assert_cmpuint(def->max_memory_kib, ==, 32ULL * 1024 * 1024);
    g_assert_cmpuint(def->memory_kib, ==, 32ULL * 1024 * 1024);
    g_assert_cmpuint(def->vcpus, ==, 16);
    g_assert_false(def->hugepages);
    g_assert_cmpint(def->td_source, ==, TDX_DOMAIN_TD_QEMU_COMMANDLINE);
    g_assert_false(def->has_tdx_policy);
}


static void
testTdxQemuCommandlineJson(void)
{
    g_autoptr(tdxDomainDef) def = tdxTestParseFile("tdx-qemu-cmdline-json.xml");

    g_assert_cmpint(def->id, ==, 3);
    g_assert_cmpuint(def->memory_kib, ==, 8192ULL * 1024);
    g_assert_cmpint(def->td_source, ==, TDX_DOMAIN_TD_QEMU_COMMANDLINE);
    g_assert_true(def->has_tdx_policy);
    g_assert_cmphex(def->tdx_policy, ==, 0x10000001);
}


static void
testQemuCommandlineForms(void)
{
    static const struct {
        const char *args;
        tdxDomainTdSource source;
        gboolean has_attrs;
        guint64 attrs;
    } cases[] = {
        { "<q:arg value='-object'/><q:arg value='qom-type=tdx-guest,id=t,attributes=0x1'/>",
          TDX_DOMAIN_TD_QEMU_COMMANDLINE, TRUE, 1 },
        { "<q:arg value='--object'/><q:arg value='tdx-guest,id=t,attributes=268435456'/>",
          TDX_DOMAIN_TD_QEMU_COMMANDLINE, TRUE, 0x10000000 },
        { "<q:arg value='-object'/><q:arg value='{ \"id\": \"t\", \"qom-type\": \"tdx-guest\" }'/>",
          TDX_DOMAIN_TD_QEMU_COMMANDLINE, FALSE, 0 },
        /* not TDs */
        { "<q:arg value='-object'/>", TDX_DOMAIN_TD_NONE, FALSE, 0 },
        { "<q:arg value='tdx-guest,id=t'/>", TDX_DOMAIN_TD_NONE, FALSE, 0 },
        { "<q:arg value='-object'/><q:arg value='sev-guest,id=t'/>",
          TDX_DOMAIN_TD_NONE, FALSE, 0 },
        { "<q:arg value='-object'/><q:arg value='{\"qom-type\":\"sev-snp-guest\"}'/>",
          TDX_DOMAIN_TD_NONE, FALSE, 0 },
        { "<q:arg value='-object'/><q:arg value='{not json'/>", TDX_DOMAIN_TD_NONE, FALSE, 0 },
        { "<q:arg value='-object'/><q:arg value='id=x,tdx-guest'/>", TDX_DOMAIN_TD_NONE, FALSE, 0 },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *body = g_strdup_printf(
            "<memory>1024</memory><vcpu>1</vcpu>"
            "<q:commandline xmlns:q='http://libvirt.org/schemas/domain/qemu/1.0'>%s"
            "</q:commandline>", cases[i].args);
        g_autofree char *xml = tdxTestDomain(body);
        g_autoptr(GError) error = NULL;
        g_autoptr(tdxDomainDef) def = tdxDomainDefParseString(xml, &error);

        g_test_message("case %zu: %s", i, cases[i].args);
        g_assert_no_error(error);
        g_assert_cmpint(def->td_source, ==, cases[i].source);
        g_assert_cmpint(def->has_tdx_policy, ==, cases[i].has_attrs);
        g_assert_cmphex(def->tdx_policy, ==, cases[i].attrs);
    }
}


static void
testQemuCommandlineWrongNamespace(void)
{
    /* Same local names, but not libvirt's qemu namespace: not a TD. */
    g_autofree char *xml = tdxTestDomain(
        "<memory>1024</memory><vcpu>1</vcpu>"
        "<qemu:commandline xmlns:qemu='http://example.com/qemu'>"
        "<qemu:arg value='-object'/><qemu:arg value='tdx-guest,id=t'/>"
        "</qemu:commandline>");
    g_autoptr(GError) error = NULL;
    g_autoptr(tdxDomainDef) def = tdxDomainDefParseString(xml, &error);

    g_assert_no_error(error);
    g_assert_cmpint(def->td_source, ==, TDX_DOMAIN_TD_NONE);
}


static void
testNotATd(void)
{
    g_autoptr(tdxDomainDef) def = tdxTestParseFile("kvm-qemu-cmdline-other.xml");

    g_assert_cmpint(def->td_source, ==, TDX_DOMAIN_TD_NONE);
    g_assert_false(def->has_tdx_policy);
    g_assert_cmpuint(def->memory_kib, ==, 1048576);
    g_assert_cmpuint(def->vcpus, ==, 1);
}


static void
testUnitFiles(void)
{
    g_autoptr(tdxDomainDef) gib = tdxTestParseFile("units-gib.xml");
    g_autoptr(tdxDomainDef) mb = tdxTestParseFile("units-mb.xml");
    g_autoptr(tdxDomainDef) bytes = tdxTestParseFile("units-bytes.xml");

    g_assert_cmpuint(gib->max_memory_kib, ==, 400ULL * 1024 * 1024);
    g_assert_cmpuint(gib->memory_kib, ==, 300ULL * 1024 * 1024);
    g_assert_cmpuint(gib->vcpus, ==, 64);

    /* 10^9 bytes and 512001000 bytes, rounded up to whole KiB */
    g_assert_cmpuint(mb->max_memory_kib, ==, 976563);
    g_assert_cmpuint(mb->memory_kib, ==, 500001);

    g_assert_cmpuint(bytes->max_memory_kib, ==, 1048577);
    g_assert_cmpuint(bytes->memory_kib, ==, 2);
}


static void
testUnitTable(void)
{
    static const struct {
        const char *unit;       /* NULL: no attribute */
        const char *value;
        guint64 kib;
    } cases[] = {
        { NULL, "2048", 2048 },
        { "KiB", "2048", 2048 },
        { "k", "2048", 2048 },
        { "K", "2048", 2048 },
        { "kib", "2048", 2048 },
        { "KB", "1024", 1000 },
        { "M", "3", 3 * 1024 },
        { "MiB", "3", 3 * 1024 },
        { "MB", "1", 977 },          /* 10^6 / 1024 = 976.56, rounded up */
        { "G", "2", 2 * 1024 * 1024 },
        { "GiB", "2", 2 * 1024 * 1024 },
        { "GB", "2", 1953125 },      /* 2 * 10^9 / 1024 exactly */
        { "T", "1", 1024ULL * 1024 * 1024 },
        { "TiB", "1", 1024ULL * 1024 * 1024 },
        { "TB", "1", 976562500 },
        { "P", "1", 1024ULL * 1024 * 1024 * 1024 },
        { "b", "1", 1 },
        { "bytes", "1024", 1 },
        { "byte", "1025", 2 },
        { "B", "0", 0 },             /* valid for currentMemory below */
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *attr = cases[i].unit ?
            g_strdup_printf(" unit='%s'", cases[i].unit) : g_strdup("");
        g_autofree char *body = g_strdup_printf(
            "<memory unit='PiB'>2</memory><currentMemory%s>%s</currentMemory>"
            "<vcpu>1</vcpu>", attr, cases[i].value);
        g_autofree char *xml = tdxTestDomain(body);
        g_autoptr(GError) error = NULL;
        g_autoptr(tdxDomainDef) def = tdxDomainDefParseString(xml, &error);
        /* libvirt reads a zero balloon as "all of <memory>" */
        guint64 expected = cases[i].kib ? cases[i].kib : 2ULL << 40;

        g_test_message("unit %s value %s", cases[i].unit, cases[i].value);
        g_assert_no_error(error);
        g_assert_cmpuint(def->memory_kib, ==, expected);
        g_assert_cmpuint(def->max_memory_kib, ==, 2ULL << 40);
    }
}


static void
testCurrentMemoryClamped(void)
{
    g_autofree char *xml = tdxTestDomain(
        "<memory unit='GiB'>1</memory><currentMemory unit='GiB'>2</currentMemory>"
        "<vcpu>1</vcpu>");
    g_autoptr(GError) error = NULL;
    g_autoptr(tdxDomainDef) def = tdxDomainDefParseString(xml, &error);

    g_assert_no_error(error);
    g_assert_cmpuint(def->memory_kib, ==, 1024 * 1024);
}


static void
testUuidCanonical(void)
{
    g_autofree char *xml = g_strdup(
        "<domain type='kvm'><name> spaced </name>"
        "<uuid>\n  0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D\n</uuid>"
        "<memory>1</memory><vcpu>1</vcpu></domain>");
    g_autoptr(GError) error = NULL;
    g_autoptr(tdxDomainDef) def = tdxDomainDefParseString(xml, &error);

    g_assert_no_error(error);
    g_assert_cmpstr(def->uuid, ==, UUID);
    /* names are kept verbatim, libvirt looks them up that way */
    g_assert_cmpstr(def->name, ==, " spaced ");
}


static void
testBrokenFiles(void)
{
    tdxTestExpectFileError("not-xml.xml", TDX_ERROR_INVALID_XML, "not well-formed XML");
    tdxTestExpectFileError("truncated.xml", TDX_ERROR_INVALID_XML, "not well-formed XML");
    tdxTestExpectFileError("missing-memory.xml", TDX_ERROR_INVALID_XML,
                           "missing <memory> element");
    tdxTestExpectFileError("bad-unit.xml", TDX_ERROR_INVALID_XML,
                           "<memory unit='KiX'>: unknown unit");
    tdxTestExpectFileError("memory-overflow.xml", TDX_ERROR_INVALID_XML,
                           "<memory unit='EiB'>8</memory>: value too large");
    tdxTestExpectFileError("negative-vcpu.xml", TDX_ERROR_INVALID_XML,
                           "<vcpu>-4</vcpu>");
    tdxTestExpectFileError("metadata-bad-priority.xml", TDX_ERROR_INVALID_METADATA,
                           "<priority>5000</priority>: must be an integer from -1000 to 1000");
    tdxTestExpectFileError("metadata-unknown-element.xml", TDX_ERROR_INVALID_METADATA,
                           "unknown element <evacuate-to>");
}


static void
testBrokenInline(void)
{
    g_autofree char *no_name = g_strdup(
        "<domain><uuid>" UUID "</uuid><memory>1</memory><vcpu>1</vcpu></domain>");
    g_autofree char *no_uuid = g_strdup(
        "<domain><name>x</name><memory>1</memory><vcpu>1</vcpu></domain>");
    g_autofree char *empty_name = g_strdup(
        "<domain><name></name><uuid>" UUID "</uuid><memory>1</memory>"
        "<vcpu>1</vcpu></domain>");
    g_autofree char *bad_uuid = g_strdup(
        "<domain><name>x</name><uuid>not-a-uuid</uuid><memory>1</memory>"
        "<vcpu>1</vcpu></domain>");
    g_autofree char *no_vcpu = tdxTestDomain("<memory>1</memory>");
    g_autofree char *zero_vcpu = tdxTestDomain("<memory>1</memory><vcpu>0</vcpu>");
    g_autofree char *text_vcpu = tdxTestDomain("<memory>1</memory><vcpu>four</vcpu>");
    g_autofree char *big_vcpu = tdxTestDomain("<memory>1</memory><vcpu>4294967296</vcpu>");
    g_autofree char *cur_vcpu = tdxTestDomain(
        "<memory>1</memory><vcpu current='5'>4</vcpu>");
    g_autofree char *zero_cur_vcpu = tdxTestDomain(
        "<memory>1</memory><vcpu current='0'>4</vcpu>");
    g_autofree char *text_memory = tdxTestDomain("<memory>12abc</memory><vcpu>1</vcpu>");
    g_autofree char *neg_memory = tdxTestDomain("<memory>-1</memory><vcpu>1</vcpu>");
    g_autofree char *empty_memory = tdxTestDomain("<memory unit='KiB'></memory><vcpu>1</vcpu>");
    g_autofree char *zero_memory = tdxTestDomain("<memory>0</memory><vcpu>1</vcpu>");
    g_autofree char *huge_memory = tdxTestDomain(
        "<memory>18446744073709551616</memory><vcpu>1</vcpu>");
    g_autofree char *kib_overflow = tdxTestDomain(
        "<memory>9007199254740992</memory><vcpu>1</vcpu>");
    g_autofree char *iB_unit = tdxTestDomain("<memory unit='iB'>1</memory><vcpu>1</vcpu>");
    g_autofree char *bad_cur = tdxTestDomain(
        "<memory>1</memory><currentMemory unit='Q'>1</currentMemory><vcpu>1</vcpu>");
    g_autofree char *bad_id = g_strdup(
        "<domain id='-1'><name>x</name><uuid>" UUID "</uuid><memory>1</memory>"
        "<vcpu>1</vcpu></domain>");
    g_autofree char *bad_policy = tdxTestDomain(
        "<memory>1</memory><vcpu>1</vcpu>"
        "<launchSecurity type='tdx'><policy>0xZZ</policy></launchSecurity>");
    g_autofree char *bare_hex = tdxTestDomain(
        "<memory>1</memory><vcpu>1</vcpu>"
        "<launchSecurity type='tdx'><policy>0x</policy></launchSecurity>");
    g_autofree char *two_policies = tdxTestDomain(
        "<memory>1</memory><vcpu>1</vcpu><metadata>"
        "<a:policy xmlns:a='http://libvirt-tdx.org/xmlns/policy/1.0'/>"
        "<b:policy xmlns:b='http://libvirt-tdx.org/xmlns/policy/1.0'/>"
        "</metadata>");

    tdxTestExpectError("", TDX_ERROR_INVALID_XML, "domain XML", NULL);
    tdxTestExpectError(NULL, TDX_ERROR_INVALID_XML, "domain XML", NULL);
    tdxTestExpectError("<domain><name>x</name>", TDX_ERROR_INVALID_XML,
                       "not well-formed XML: line 1", NULL);
    tdxTestExpectError("<network><name>x</name></network>", TDX_ERROR_INVALID_XML,
                       "root element is <network>", NULL);
    tdxTestExpectError("<d:domain xmlns:d='urn:x'/>", TDX_ERROR_INVALID_XML,
                       "expected <domain>", NULL);
    tdxTestExpectError(no_name, TDX_ERROR_INVALID_XML, "missing <name>", NULL);
    tdxTestExpectError(no_uuid, TDX_ERROR_INVALID_XML, "missing <uuid>", NULL);
    tdxTestExpectError(empty_name, TDX_ERROR_INVALID_XML, "empty <name>", NULL);
    tdxTestExpectError(bad_uuid, TDX_ERROR_INVALID_XML, "<uuid>not-a-uuid</uuid>", NULL);
    tdxTestExpectError(no_vcpu, TDX_ERROR_INVALID_XML, "missing <vcpu>", NULL);
    tdxTestExpectError(zero_vcpu, TDX_ERROR_INVALID_XML, "<vcpu>0</vcpu>", NULL);
    tdxTestExpectError(text_vcpu, TDX_ERROR_INVALID_XML, "<vcpu>four</vcpu>", NULL);
    tdxTestExpectError(big_vcpu, TDX_ERROR_INVALID_XML, "<vcpu>4294967296</vcpu>", NULL);
    tdxTestExpectError(cur_vcpu, TDX_ERROR_INVALID_XML,
                       "<vcpu current='5'>: must be an integer from 1 to 4", NULL);
    tdxTestExpectError(zero_cur_vcpu, TDX_ERROR_INVALID_XML, "<vcpu current='0'>", NULL);
    tdxTestExpectError(text_memory, TDX_ERROR_INVALID_XML, "<memory>12abc</memory>", NULL);
    tdxTestExpectError(neg_memory, TDX_ERROR_INVALID_XML, "<memory>-1</memory>", NULL);
    tdxTestExpectError(empty_memory, TDX_ERROR_INVALID_XML, "<memory></memory>", NULL);
    tdxTestExpectError(zero_memory, TDX_ERROR_INVALID_XML, "<memory>", "greater than zero", NULL);
    tdxTestExpectError(huge_memory, TDX_ERROR_INVALID_XML,
                       "<memory>18446744073709551616</memory>", NULL);
    tdxTestExpectError(kib_overflow, TDX_ERROR_INVALID_XML, "value too large", NULL);
    tdxTestExpectError(iB_unit, TDX_ERROR_INVALID_XML, "<memory unit='iB'>", NULL);
    tdxTestExpectError(bad_cur, TDX_ERROR_INVALID_XML, "<currentMemory unit='Q'>", NULL);
    tdxTestExpectError(bad_id, TDX_ERROR_INVALID_XML, "<domain id='-1'>", NULL);
    tdxTestExpectError(bad_policy, TDX_ERROR_INVALID_XML, "<policy>0xZZ</policy>", NULL);
    tdxTestExpectError(bare_hex, TDX_ERROR_INVALID_XML, "<policy>0x</policy>", NULL);
    tdxTestExpectError(two_policies, TDX_ERROR_INVALID_METADATA, "more than one", NULL);
}


static void
testExternalEntityNotFetched(void)
{
    /* An external entity must neither be loaded nor expanded into <name>. */
    const char *xml =
        "<?xml version='1.0'?>"
        "<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        "<domain><name>&x;</name><uuid>" UUID "</uuid><memory>1</memory>"
        "<vcpu>1</vcpu></domain>";
    g_autoptr(GError) error = NULL;
    g_autoptr(tdxDomainDef) def = tdxDomainDefParseString(xml, &error);

    if (def)
        g_assert_null(strstr(def->name, "root:"));
    else
        g_assert_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML);
}


static void
testMetadataSetForm(void)
{
    g_autoptr(tdxDomainDef) def = tdxTestParseFile("metadata-set.xml");

    g_assert_cmpint(def->td_source, ==, TDX_DOMAIN_TD_LAUNCH_SECURITY);
    g_assert_false(def->has_tdx_policy);
    g_assert_true(def->policy.graceful_set);
    g_assert_false(def->policy.graceful);
    g_assert_false(def->policy.grace_seconds_set);
    g_assert_true(def->policy.priority_set);
    g_assert_cmpint(def->policy.priority, ==, -5);
}


static void
testMetadataByNamespace(void)
{
    g_autoptr(tdxDomainDef) def = tdxTestParseFile("metadata-other-prefix.xml");

    g_assert_false(def->policy.graceful_set);
    g_assert_true(def->policy.grace_seconds_set);
    g_assert_cmpuint(def->policy.grace_seconds, ==, 0);
    g_assert_true(def->policy.priority_set);
    g_assert_cmpint(def->policy.priority, ==, 1000);
}


static void
testTdSourceToString(void)
{
    g_assert_cmpstr(tdxDomainTdSourceToString(TDX_DOMAIN_TD_NONE), ==, "none");
    g_assert_cmpstr(tdxDomainTdSourceToString(TDX_DOMAIN_TD_LAUNCH_SECURITY), ==,
                    "launchSecurity");
    g_assert_cmpstr(tdxDomainTdSourceToString(TDX_DOMAIN_TD_QEMU_COMMANDLINE), ==,
                    "qemu-commandline");
    g_assert_cmpstr(tdxDomainTdSourceToString((tdxDomainTdSource) 42), ==, "unknown");
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/conf/domain/kvm-running", testKvmRunning);
    g_test_add_func("/conf/domain/tdx-launch-security", testTdxLaunchSecurity);
    g_test_add_func("/conf/domain/tdx-qemu-commandline", testTdxQemuCommandline);
    g_test_add_func("/conf/domain/tdx-qemu-commandline-json", testTdxQemuCommandlineJson);
    g_test_add_func("/conf/domain/qemu-commandline-forms", testQemuCommandlineForms);
    g_test_add_func("/conf/domain/qemu-commandline-wrong-namespace",
                    testQemuCommandlineWrongNamespace);
    g_test_add_func("/conf/domain/not-a-td", testNotATd);
    g_test_add_func("/conf/domain/unit-files", testUnitFiles);
    g_test_add_func("/conf/domain/unit-table", testUnitTable);
    g_test_add_func("/conf/domain/current-memory-clamped", testCurrentMemoryClamped);
    g_test_add_func("/conf/domain/uuid-canonical", testUuidCanonical);
    g_test_add_func("/conf/domain/broken-files", testBrokenFiles);
    g_test_add_func("/conf/domain/broken-inline", testBrokenInline);
    g_test_add_func("/conf/domain/external-entity", testExternalEntityNotFetched);
    g_test_add_func("/conf/domain/metadata-set-form", testMetadataSetForm);
    g_test_add_func("/conf/domain/metadata-by-namespace", testMetadataByNamespace);
    g_test_add_func("/conf/domain/td-source-string", testTdSourceToString);

    return g_test_run();
}
