/*
 * tdx-policy.c: per-domain teardown policy kept in the domain <metadata>
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Unknown elements and attributes are errors, not ignored: a misspelt
 * <prority> silently falling back to the host defaults would reorder or
 * shorten a teardown without anyone noticing. Incompatible future versions
 * get a new namespace URI; elements in foreign namespaces are skipped so
 * other tools may annotate the policy. See docs/metadata.rst.
 */
#include "tdx-policy.h"

#include <string.h>

#include "tdx-conf-xml.h"
#include "tdx-error.h"


static gboolean
tdxPolicyNodeIsOurs(xmlNodePtr node)
{
    /* libvirt's "virsh metadata --set" moves only the root element into the
     * namespace; its children stay unqualified. Both forms are ours. */
    return !node->ns ||
           g_strcmp0((const char *) node->ns->href, TDX_POLICY_NAMESPACE) == 0;
}


static gboolean
tdxPolicyCheckAttributes(xmlNodePtr node, const char *const *allowed,
                         const char *expected, GError **error)
{
    xmlAttrPtr attr;

    for (attr = node->properties; attr; attr = attr->next) {
        if (attr->ns || !g_strv_contains(allowed, (const char *) attr->name)) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_METADATA,
                        "unknown attribute '%s' on <%s>: expected %s",
                        (const char *) attr->name, (const char *) node->name,
                        expected);
            return FALSE;
        }
    }
    return TRUE;
}


static gboolean
tdxPolicyParseGraceful(xmlNodePtr node, tdxPolicy *policy, GError **error)
{
    static const char *const allowed[] = { "enabled", "timeout", NULL };
    g_autofree char *enabled = NULL;
    g_autofree char *timeout = NULL;

    if (!tdxPolicyCheckAttributes(node, allowed, "enabled or timeout", error))
        return FALSE;

    if ((enabled = tdxXMLNodeProp(node, "enabled"))) {
        if (strcmp(enabled, "yes") == 0) {
            policy->graceful = TRUE;
        } else if (strcmp(enabled, "no") == 0) {
            policy->graceful = FALSE;
        } else {
            g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_METADATA,
                        "<graceful-shutdown enabled='%s'>: must be 'yes' or 'no'",
                        enabled);
            return FALSE;
        }
        policy->graceful_set = TRUE;
    }

    if ((timeout = tdxXMLNodeProp(node, "timeout"))) {
        guint64 value;

        if (!g_ascii_string_to_unsigned(timeout, 10, 0,
                                        TDX_POLICY_GRACE_MAX_SECONDS,
                                        &value, NULL)) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_METADATA,
                        "<graceful-shutdown timeout='%s'>: must be an integer "
                        "from 0 to %d seconds",
                        timeout, TDX_POLICY_GRACE_MAX_SECONDS);
            return FALSE;
        }
        policy->grace_seconds = (guint) value;
        policy->grace_seconds_set = TRUE;
    }
    return TRUE;
}


static gboolean
tdxPolicyParsePriority(xmlNodePtr node, tdxPolicy *policy, GError **error)
{
    static const char *const allowed[] = { NULL };
    g_autofree char *text = NULL;
    gint64 value;

    if (!tdxPolicyCheckAttributes(node, allowed, "none", error))
        return FALSE;

    text = tdxXMLNodeText(node);
    if (!g_ascii_string_to_signed(text, 10, TDX_POLICY_PRIORITY_MIN,
                                  TDX_POLICY_PRIORITY_MAX, &value, NULL)) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_METADATA,
                    "<priority>%s</priority>: must be an integer from %d to %d",
                    text, TDX_POLICY_PRIORITY_MIN, TDX_POLICY_PRIORITY_MAX);
        return FALSE;
    }
    policy->priority = (int) value;
    policy->priority_set = TRUE;
    return TRUE;
}


gboolean
tdxPolicyParseNode(xmlNodePtr node, tdxPolicy *policy, GError **error)
{
    static const char *const allowed[] = { NULL };
    tdxPolicy tmp = { 0 };
    gboolean seen_graceful = FALSE;
    gboolean seen_priority = FALSE;
    xmlNodePtr child;

    if (!node || node->type != XML_ELEMENT_NODE ||
        strcmp((const char *) node->name, "policy") != 0 ||
        !node->ns ||
        strcmp((const char *) node->ns->href, TDX_POLICY_NAMESPACE) != 0) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_METADATA,
                    "expected a <policy> element in namespace %s, got <%s>%s%s",
                    TDX_POLICY_NAMESPACE,
                    node && node->name ? (const char *) node->name : "",
                    node && node->ns ? " in namespace " : " without namespace",
                    node && node->ns ? (const char *) node->ns->href : "");
        return FALSE;
    }
    if (!tdxPolicyCheckAttributes(node, allowed, "none", error))
        return FALSE;

    for (child = node->children; child; child = child->next) {
        const char *name = (const char *) child->name;
        gboolean *seen;

        if (child->type != XML_ELEMENT_NODE || !tdxPolicyNodeIsOurs(child))
            continue;

        if (strcmp(name, "graceful-shutdown") == 0) {
            seen = &seen_graceful;
        } else if (strcmp(name, "priority") == 0) {
            seen = &seen_priority;
        } else {
            g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_METADATA,
                        "unknown element <%s> in <policy>: expected "
                        "<graceful-shutdown> or <priority>", name);
            return FALSE;
        }

        /* Two values for one setting: neither can be trusted to be meant. */
        if (*seen) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_METADATA,
                        "element <%s> appears more than once in <policy>", name);
            return FALSE;
        }
        *seen = TRUE;

        if (seen == &seen_graceful) {
            if (!tdxPolicyParseGraceful(child, &tmp, error))
                return FALSE;
        } else {
            if (!tdxPolicyParsePriority(child, &tmp, error))
                return FALSE;
        }
    }

    *policy = tmp;
    return TRUE;
}


gboolean
tdxPolicyParseString(const char *xml, tdxPolicy *policy, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!(doc = tdxXMLParseString(xml, "tdx policy metadata",
                                  TDX_ERROR_INVALID_METADATA, error)))
        return FALSE;

    return tdxPolicyParseNode(xmlDocGetRootElement(doc), policy, error);
}
