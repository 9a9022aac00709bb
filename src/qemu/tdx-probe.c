/*
 * tdx-probe.c: what the running QEMU of a domain is and offers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-probe.h"
#include "tdx-error.h"
#include "tdx-qmp.h"

/* Where user-creatable objects such as tdx-guest live in the QOM tree,
 * whether created by libvirt's <launchSecurity> or by a raw -object. */
#define TDX_QOM_OBJECTS_PATH "/objects"


/* Iterate a QMP array of objects, handing each "@member" string to @cb. */
static gboolean
tdxProbeForEachString(JsonNode *ret, const char *execute, const char *member,
                      gboolean (*cb)(const char *value, gpointer opaque),
                      gpointer opaque, GError **error)
{
    JsonArray *array;
    guint i;

    if (!ret || !JSON_NODE_HOLDS_ARRAY(ret)) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE,
                    "QMP reply to '%s' is not an array", execute);
        return FALSE;
    }

    array = json_node_get_array(ret);
    for (i = 0; i < json_array_get_length(array); i++) {
        JsonNode *item = json_array_get_element(array, i);
        JsonNode *value;

        if (!JSON_NODE_HOLDS_OBJECT(item) ||
            !(value = json_object_get_member(json_node_get_object(item), member)) ||
            !JSON_NODE_HOLDS_VALUE(value) ||
            json_node_get_value_type(value) != G_TYPE_STRING) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE,
                        "QMP reply to '%s': element %u has no string '%s'",
                        execute, i, member);
            return FALSE;
        }
        if (cb(json_node_get_string(value), opaque))
            return TRUE;
    }
    return TRUE;
}


static gboolean
tdxProbeIsGuestType(const char *type, gpointer opaque)
{
    gboolean *is_td = opaque;

    *is_td = g_str_equal(type, "child<" TDX_QOM_GUEST_TYPE ">");
    return *is_td;
}


gboolean
tdxProbeParseObjects(JsonNode *ret, gboolean *is_td, GError **error)
{
    *is_td = FALSE;
    return tdxProbeForEachString(ret, "qom-list", "type",
                                 tdxProbeIsGuestType, is_td, error);
}


typedef struct {
    const char *wanted;
    gboolean found;
} tdxProbeCommandSearch;


static gboolean
tdxProbeIsCommand(const char *name, gpointer opaque)
{
    tdxProbeCommandSearch *search = opaque;

    search->found = g_str_equal(name, search->wanted);
    return search->found;
}


gboolean
tdxProbeParseCommands(JsonNode *ret, const char *command, gboolean *found,
                      GError **error)
{
    tdxProbeCommandSearch search = { .wanted = command };

    if (!tdxProbeForEachString(ret, "query-commands", "name",
                               tdxProbeIsCommand, &search, error))
        return FALSE;
    *found = search.found;
    return TRUE;
}


gboolean
tdxProbeRun(tdxMonitor *mon, guint timeout_ms, tdxProbe *probe, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) objects = NULL;
    g_autoptr(JsonNode) commands = NULL;
    tdxProbe result = { 0 };

    json_object_set_string_member(args, "path", TDX_QOM_OBJECTS_PATH);
    if (!(objects = tdxMonitorExecute(mon, "qom-list", args, timeout_ms, error)) ||
        !tdxProbeParseObjects(objects, &result.is_td, error))
        return FALSE;

    if (!(commands = tdxMonitorExecute(mon, "query-commands", NULL, timeout_ms, error)) ||
        !tdxProbeParseCommands(commands, TDX_QMP_TERMINATE_COMMAND,
                               &result.has_terminate, error))
        return FALSE;

    *probe = result;
    return TRUE;
}
