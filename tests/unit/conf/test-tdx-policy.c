/*
 * test-tdx-policy.c: the <policy> metadata element
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "tdx-error.h"
#include "tdx-policy.h"

#define NS "xmlns:tdx='" TDX_POLICY_NAMESPACE "'"


static void
testFull(void)
{
    /* What "virsh metadata --key tdx" prints after --set: only the root
     * carries the namespace. */
    const char *xml =
        "<tdx:policy xmlns:tdx=\"http://libvirt-tdx.org/xmlns/policy/1.0\">\n"
        "  <graceful-shutdown enabled=\"yes\" timeout=\"90\"/>\n"
        "  <priority> 100 </priority>\n"
        "</tdx:policy>\n";
    g_autoptr(GError) error = NULL;
    tdxPolicy policy = { 0 };

    g_assert_true(tdxPolicyParseString(xml, &policy, &error));
    g_assert_no_error(error);
    g_assert_true(policy.graceful_set);
    g_assert_true(policy.graceful);
    g_assert_true(policy.grace_seconds_set);
    g_assert_cmpuint(policy.grace_seconds, ==, 90);
    g_assert_true(policy.priority_set);
    g_assert_cmpint(policy.priority, ==, 100);
}


static void
testDefaultNamespaceAndQualified(void)
{
    const char *dflt =
        "<policy xmlns='" TDX_POLICY_NAMESPACE "'>"
        "<graceful-shutdown enabled='no'/><priority>-1000</priority></policy>";
    const char *qualified =
        "<tdx:policy " NS "><tdx:graceful-shutdown timeout='3600'/>"
        "<other:note xmlns:other='urn:other'>ignored</other:note></tdx:policy>";
    g_autoptr(GError) error = NULL;
    tdxPolicy policy = { 0 };

    g_assert_true(tdxPolicyParseString(dflt, &policy, &error));
    g_assert_true(policy.graceful_set);
    g_assert_false(policy.graceful);
    g_assert_false(policy.grace_seconds_set);
    g_assert_cmpint(policy.priority, ==, -1000);

    g_assert_true(tdxPolicyParseString(qualified, &policy, &error));
    g_assert_no_error(error);
    g_assert_false(policy.graceful_set);
    g_assert_true(policy.grace_seconds_set);
    g_assert_cmpuint(policy.grace_seconds, ==, 3600);
    g_assert_false(policy.priority_set);
}


static void
testEmpty(void)
{
    g_autoptr(GError) error = NULL;
    tdxPolicy policy = { .priority_set = TRUE, .priority = 7 };

    g_assert_true(tdxPolicyParseString("<tdx:policy " NS "/>", &policy, &error));
    g_assert_false(policy.graceful_set);
    g_assert_false(policy.grace_seconds_set);
    g_assert_false(policy.priority_set);
}


static void
testErrors(void)
{
    static const struct {
        const char *xml;
        const char *needle;
    } cases[] = {
        { "", "not well-formed" },
        { "<tdx:policy " NS ">", "not well-formed" },
        { "<policy><priority>1</priority></policy>", "without namespace" },
        { "<x:policy xmlns:x='http://libvirt-tdx.org/xmlns/policy/2.0'/>",
          "in namespace http://libvirt-tdx.org/xmlns/policy/2.0" },
        { "<tdx:rules " NS "/>", "got <rules>" },
        { "<tdx:policy " NS " version='2'/>", "unknown attribute 'version' on <policy>" },
        { "<tdx:policy " NS "><priority>1001</priority></tdx:policy>",
          "<priority>1001</priority>: must be an integer from -1000 to 1000" },
        { "<tdx:policy " NS "><priority>-1001</priority></tdx:policy>", "<priority>-1001</priority>" },
        { "<tdx:policy " NS "><priority>high</priority></tdx:policy>", "<priority>high</priority>" },
        { "<tdx:policy " NS "><priority></priority></tdx:policy>", "<priority></priority>" },
        { "<tdx:policy " NS "><priority>0x10</priority></tdx:policy>", "<priority>0x10</priority>" },
        { "<tdx:policy " NS "><priority>1</priority><priority>2</priority></tdx:policy>",
          "<priority> appears more than once" },
        { "<tdx:policy " NS "><graceful-shutdown enabled='true'/></tdx:policy>",
          "<graceful-shutdown enabled='true'>: must be 'yes' or 'no'" },
        { "<tdx:policy " NS "><graceful-shutdown timeout='3601'/></tdx:policy>",
          "<graceful-shutdown timeout='3601'>: must be an integer from 0 to 3600" },
        { "<tdx:policy " NS "><graceful-shutdown timeout='-1'/></tdx:policy>", "timeout='-1'" },
        { "<tdx:policy " NS "><graceful-shutdown timeout='30s'/></tdx:policy>", "timeout='30s'" },
        { "<tdx:policy " NS "><graceful-shutdown enable='yes'/></tdx:policy>",
          "unknown attribute 'enable' on <graceful-shutdown>" },
        { "<tdx:policy " NS "><graceful-shutdown/><graceful-shutdown/></tdx:policy>",
          "<graceful-shutdown> appears more than once" },
        { "<tdx:policy " NS "><tdx:prority>1</tdx:prority></tdx:policy>",
          "unknown element <prority> in <policy>" },
        { "<tdx:policy " NS "><evacuate/></tdx:policy>", "unknown element <evacuate>" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        tdxPolicy policy = { .priority_set = TRUE, .priority = 42 };

        g_test_message("case %zu: %s", i, cases[i].xml);
        g_assert_false(tdxPolicyParseString(cases[i].xml, &policy, &error));
        g_assert_error(error, TDX_ERROR, TDX_ERROR_INVALID_METADATA);
        if (!strstr(error->message, cases[i].needle))
            g_error("message '%s' lacks '%s'", error->message, cases[i].needle);
        /* untouched on error */
        g_assert_true(policy.priority_set);
        g_assert_cmpint(policy.priority, ==, 42);
        g_assert_false(policy.graceful_set);
    }
}


static void
testUntouchedAfterPartialParse(void)
{
    /* The first child is fine, the second is not: nothing may leak out. */
    const char *xml =
        "<tdx:policy " NS "><graceful-shutdown enabled='yes' timeout='5'/>"
        "<priority>9999</priority></tdx:policy>";
    g_autoptr(GError) error = NULL;
    tdxPolicy policy = { 0 };

    g_assert_false(tdxPolicyParseString(xml, &policy, &error));
    g_assert_false(policy.graceful_set);
    g_assert_false(policy.grace_seconds_set);
    g_assert_cmpuint(policy.grace_seconds, ==, 0);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/conf/policy/full", testFull);
    g_test_add_func("/conf/policy/namespace-forms", testDefaultNamespaceAndQualified);
    g_test_add_func("/conf/policy/empty", testEmpty);
    g_test_add_func("/conf/policy/errors", testErrors);
    g_test_add_func("/conf/policy/untouched-after-partial", testUntouchedAfterPartialParse);

    return g_test_run();
}
