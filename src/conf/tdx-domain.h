/*
 * tdx-domain.h: the facts about one domain that the destroy path needs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "tdx-policy.h"

typedef enum {
    TDX_DOMAIN_TD_NONE,            /* not a trust domain */
    TDX_DOMAIN_TD_LAUNCH_SECURITY, /* <launchSecurity type='tdx'> (libvirt >= 11.6) */
    TDX_DOMAIN_TD_QEMU_COMMANDLINE,/* -object tdx-guest via <qemu:commandline> */
} tdxDomainTdSource;

typedef struct _tdxDomainDef tdxDomainDef;
struct _tdxDomainDef {
    char *name;
    char *uuid;                 /* canonical string form */
    int id;                     /* -1 when the XML has none (inactive) */
    int state;                  /* virDomainState; filled by the caller, the XML has none */
    guint64 memory_kib;         /* <currentMemory>, or <memory> when absent */
    guint64 max_memory_kib;     /* <memory> */
    gboolean hugepages;         /* <memoryBacking><hugepages/> */
    guint vcpus;                /* <vcpu current=...> or <vcpu> */
    tdxDomainTdSource td_source;
    gboolean has_tdx_policy;
    guint64 tdx_policy;         /* <launchSecurity><policy> (TD attributes) */
    tdxPolicy policy;           /* our <metadata> element, if any */
    /* Why our <metadata> element could not be used (then @policy is all
     * unset: the host configuration decides). Not a parse failure: a typo
     * in one guest's metadata must never keep it running at host shutdown;
     * each caller decides to warn or refuse (docs/metadata.rst). */
    GError *policy_error;
};

/* Parse a libvirt domain XML document (as virDomainGetXMLDesc returns it).
 * Returns NULL and sets @error (TDX_ERROR_INVALID_XML naming the element)
 * on anything malformed; an unusable policy sets def->policy_error only. */
tdxDomainDef *tdxDomainDefParseString(const char *xml, GError **error);
void tdxDomainDefFree(tdxDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxDomainDef, tdxDomainDefFree);

static inline gboolean
tdxDomainDefIsTD(const tdxDomainDef *def)
{
    return def->td_source != TDX_DOMAIN_TD_NONE;
}

const char *tdxDomainTdSourceToString(tdxDomainTdSource source);
