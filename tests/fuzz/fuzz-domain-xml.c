/*
 * fuzz-domain-xml.c: libFuzzer target for tdxDomainDefParseString()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The domain XML comes from anyone allowed to define a domain; list,
 * destroy and shutdown-host parse every domain's XML.
 */
#include "tdx-domain.h"
#include "tdx-fuzz.h"


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    tdxFuzzInit();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = tdxFuzzString(data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(tdxDomainDef) def = tdxDomainDefParseString(xml, &error);

    /* exactly one of the two, and what callers rely on */
    g_assert((def == NULL) != (error == NULL));
    if (def) {
        g_assert(def->name && *def->name);
        g_assert(g_uuid_string_is_valid(def->uuid));
        g_assert(def->vcpus > 0 && def->max_memory_kib > 0);
        g_assert(def->memory_kib <= def->max_memory_kib);
        g_assert(tdxDomainTdSourceToString(def->td_source));
    } else {
        g_assert(error->message && *error->message);
    }
    return 0;
}
