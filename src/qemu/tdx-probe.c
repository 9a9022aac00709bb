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


/* The read-only bool property of tdx-guest (QEMU series in qemu/patches)
 * that says whether KVM can terminate the TD (KVM_TDX_CAP_TERMINATE_VM). */
#define TDX_QOM_TERMINATE_SUPPORTED "terminate-supported"


gboolean
tdxProbeCanTerminate(const tdxProbe *probe)
{
    return probe->has_terminate && probe->kvm_terminate != TDX_PROBE_KVM_NO;
}


const char *
tdxProbeKvmToString(tdxProbeKvm kvm)
{
    switch (kvm) {
    case TDX_PROBE_KVM_NO: return "no";
    case TDX_PROBE_KVM_YES: return "yes";
    case TDX_PROBE_KVM_UNKNOWN: break;
    }
    return "unknown";
}


/* Iterate a QMP array of objects, handing each "@member" string (and the
 * object) to @cb. */
static gboolean
tdxProbeForEachString(JsonNode *ret, const char *execute, const char *member,
                      gboolean (*cb)(const char *value, JsonObject *item,
                                     gpointer opaque),
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
        if (cb(json_node_get_string(value), json_node_get_object(item), opaque))
            return TRUE;
    }
    return TRUE;
}


typedef struct {
    gboolean found;
    const char *name;
} tdxProbeGuestSearch;


static gboolean
tdxProbeIsGuestType(const char *type, JsonObject *item, gpointer opaque)
{
    tdxProbeGuestSearch *search = opaque;

    if (!g_str_equal(type, "child<" TDX_QOM_GUEST_TYPE ">"))
        return FALSE;
    search->found = TRUE;
    search->name = json_object_get_string_member_with_default(item, "name", NULL);
    return TRUE;
}


gboolean
tdxProbeParseObjects(JsonNode *ret, gboolean *is_td, char **object_name,
                     GError **error)
{
    tdxProbeGuestSearch search = { 0 };

    *is_td = FALSE;
    if (!tdxProbeForEachString(ret, "qom-list", "type",
                               tdxProbeIsGuestType, &search, error))
        return FALSE;
    if (search.found && !search.name) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE,
                    "QMP reply to 'qom-list': the %s object has no string 'name'",
                    TDX_QOM_GUEST_TYPE);
        return FALSE;
    }
    *is_td = search.found;
    if (object_name)
        *object_name = g_strdup(search.name);
    return TRUE;
}


typedef struct {
    const char *wanted;
    gboolean found;
} tdxProbeCommandSearch;


static gboolean
tdxProbeIsCommand(const char *name, JsonObject *item G_GNUC_UNUSED, gpointer opaque)
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


/* The tdx-guest object's terminate-supported property.  A QEMU without it
 * answers with a QMP error ("Property ... not found"): unknown, not a
 * failure of the probe. */
static gboolean
tdxProbeKvmTerminate(tdxMonitor *mon, guint timeout_ms, const char *object,
                     tdxProbeKvm *kvm, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autofree char *path = g_strdup_printf("%s/%s", TDX_QOM_OBJECTS_PATH, object);
    g_autoptr(JsonNode) value = NULL;
    g_autoptr(GError) local = NULL;

    json_object_set_string_member(args, "path", path);
    json_object_set_string_member(args, "property", TDX_QOM_TERMINATE_SUPPORTED);
    if (!(value = tdxMonitorExecute(mon, "qom-get", args, timeout_ms, &local))) {
        if (g_error_matches(local, TDX_ERROR, TDX_ERROR_QMP) ||
            g_error_matches(local, TDX_ERROR, TDX_ERROR_QMP_NO_COMMAND)) {
            *kvm = TDX_PROBE_KVM_UNKNOWN;
            return TRUE;
        }
        g_propagate_error(error, g_steal_pointer(&local));
        return FALSE;
    }
    if (!JSON_NODE_HOLDS_VALUE(value) ||
        json_node_get_value_type(value) != G_TYPE_BOOLEAN) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE,
                    "QMP reply to 'qom-get' of %s.%s is not a boolean",
                    path, TDX_QOM_TERMINATE_SUPPORTED);
        return FALSE;
    }
    *kvm = json_node_get_boolean(value) ? TDX_PROBE_KVM_YES : TDX_PROBE_KVM_NO;
    return TRUE;
}


gboolean
tdxProbeRun(tdxMonitor *mon, guint timeout_ms, tdxProbe *probe, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) objects = NULL;
    g_autoptr(JsonNode) commands = NULL;
    g_autofree char *object = NULL;
    tdxProbe result = { 0 };

    json_object_set_string_member(args, "path", TDX_QOM_OBJECTS_PATH);
    if (!(objects = tdxMonitorExecute(mon, "qom-list", args, timeout_ms, error)) ||
        !tdxProbeParseObjects(objects, &result.is_td, &object, error))
        return FALSE;

    if (!(commands = tdxMonitorExecute(mon, "query-commands", NULL, timeout_ms, error)) ||
        !tdxProbeParseCommands(commands, TDX_QMP_TERMINATE_COMMAND,
                               &result.has_terminate, error))
        return FALSE;

    /* Only a QEMU with the command can have the property; asking an older
     * one would cost a round trip for nothing. */
    if (result.is_td && result.has_terminate &&
        !tdxProbeKvmTerminate(mon, timeout_ms, object, &result.kvm_terminate, error))
        return FALSE;

    *probe = result;
    return TRUE;
}
