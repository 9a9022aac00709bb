/*
 * tdx-policy.h: per-domain teardown policy kept in the domain <metadata>
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The element lives in libvirt's extension point for applications, so an
 * operator sets it with
 *   virsh metadata DOM --uri TDX_POLICY_NAMESPACE --key tdx --set '<policy>...'
 * and libvirt keeps it across restarts. See docs/metadata.rst.
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#define TDX_POLICY_NAMESPACE "http://libvirt-tdx.org/xmlns/policy/1.0"
#define TDX_POLICY_PREFIX "tdx"

#define TDX_POLICY_GRACE_MAX_SECONDS 3600
#define TDX_POLICY_PRIORITY_MIN -1000
#define TDX_POLICY_PRIORITY_MAX 1000

/* Each field has a *_set twin: an unset field falls back to the host
 * configuration, which is why "0" or "no" cannot mean "unset". */
typedef struct _tdxPolicy tdxPolicy;
struct _tdxPolicy {
    gboolean graceful_set;
    gboolean graceful;          /* try ACPI shutdown before terminating */
    gboolean grace_seconds_set;
    guint grace_seconds;        /* how long the guest gets to shut down */
    gboolean priority_set;
    int priority;               /* higher is torn down earlier by shutdown-host */
};

/* Parse the <policy> element (the root of what
 * virDomainGetMetadata(VIR_DOMAIN_METADATA_ELEMENT, TDX_POLICY_NAMESPACE)
 * returns). On error @policy is left untouched. */
gboolean tdxPolicyParseString(const char *xml, tdxPolicy *policy, GError **error);

/* Same, for a <policy> element already inside a parsed document (the
 * domain's <metadata>). */
gboolean tdxPolicyParseNode(xmlNodePtr node, tdxPolicy *policy, GError **error);
