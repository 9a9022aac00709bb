/*
 * fuzz-json.c: libFuzzer target for tdxJsonParse()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Besides crashes it checks the promise the bound rests on: whatever
 * tdxJsonCheck() accepts, json-glib parses, and nothing it accepts nests
 * deeper than the limit.
 */
#include "tdx-error.h"
#include "tdx-fuzz.h"
#include "tdx-json.h"

#define TDX_FUZZ_DEPTH 16


static guint
tdxFuzzDepth(JsonNode *node)
{
    guint deepest = 0;
    GList *values = NULL;
    GList *l;

    if (JSON_NODE_HOLDS_OBJECT(node))
        values = json_object_get_values(json_node_get_object(node));
    else if (JSON_NODE_HOLDS_ARRAY(node))
        values = json_array_get_elements(json_node_get_array(node));
    else
        return 0;

    /* recursion is fine here: the depth is already bounded */
    for (l = values; l; l = l->next)
        deepest = MAX(deepest, tdxFuzzDepth(l->data));
    g_list_free(values);
    return deepest + 1;
}


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    tdxFuzzInit();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) root = NULL;
    gboolean valid = tdxJsonCheck((const char *) data, size, 64 * 1024,
                                  TDX_FUZZ_DEPTH, TDX_ERROR_QMP_GARBAGE, NULL);

    root = tdxJsonParse((const char *) data, size, 64 * 1024, TDX_FUZZ_DEPTH,
                        TDX_ERROR_QMP_GARBAGE, &error);
    /* json-glib refusing what the strict check let through is a finding */
    if (valid && !root)
        g_error("tdxJsonCheck() accepted what json-glib refused: %s", error->message);
    g_assert(valid == (root != NULL));
    if (root)
        g_assert(tdxFuzzDepth(root) <= TDX_FUZZ_DEPTH);
    return 0;
}
