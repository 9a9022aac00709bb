/*
 * fuzz-policy.c: libFuzzer target for the <metadata> policy parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-fuzz.h"
#include "tdx-error.h"
#include "tdx-policy.h"


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
    tdxPolicy policy = { 0 };

    if (tdxPolicyParseString(xml, &policy, &error)) {
        g_assert(!error);
        g_assert(!policy.priority_set ||
                 (policy.priority >= TDX_POLICY_PRIORITY_MIN &&
                  policy.priority <= TDX_POLICY_PRIORITY_MAX));
    } else {
        g_assert(error && error->domain == TDX_ERROR);
    }
    return 0;
}
