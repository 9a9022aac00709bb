/*
 * fuzz-qmp-reply.c: libFuzzer target for tdxQmpReplyParse() and the probe
 * readers that consume its result
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A QMP reply is whatever the guest's QEMU process writes on its monitor.
 */
#include "tdx-error.h"
#include "tdx-fuzz.h"
#include "tdx-probe.h"
#include "tdx-qmp.h"


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    tdxFuzzInit();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *reply = tdxFuzzString(data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = tdxQmpReplyParse("qom-list", reply, &error);
    g_autofree char *object_name = NULL;
    gboolean flag = FALSE;

    g_assert((ret == NULL) != (error == NULL));
    if (!ret) {
        g_assert(error->domain == TDX_ERROR);
        return 0;
    }

    if (!tdxProbeParseObjects(ret, &flag, &object_name, &error))
        g_assert(error);
    g_clear_error(&error);
    if (!tdxProbeParseCommands(ret, TDX_QMP_TERMINATE_COMMAND, &flag, &error))
        g_assert(error);
    return 0;
}
