/*
 * tdx-qmp.c: building QMP commands and reading QMP replies
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-qmp.h"

#include <string.h>

#include "tdx-error.h"
#include "tdx-json.h"

/* Enough of a bad reply to recognise it in a log, not a whole dump. */
#define TDX_QMP_QUOTE_MAX 80


char *
tdxQmpCommandBuild(const char *execute, JsonObject *arguments)
{
    g_autoptr(JsonBuilder) builder = json_builder_new();
    g_autoptr(JsonGenerator) generator = json_generator_new();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "execute");
    json_builder_add_string_value(builder, execute);
    if (arguments) {
        JsonNode *args = json_node_new(JSON_NODE_OBJECT);

        json_node_set_object(args, arguments);
        json_builder_set_member_name(builder, "arguments");
        json_builder_add_value(builder, args);
    }
    json_builder_end_object(builder);

    root = json_builder_get_root(builder);
    json_generator_set_root(generator, root);
    return json_generator_to_data(generator, NULL);
}


static char *
tdxQmpQuote(const char *reply)
{
    /* a UTF-8 character is at most 4 bytes: no need to look further */
    g_autofree char *head = g_utf8_make_valid(reply, strnlen(reply, TDX_QMP_QUOTE_MAX * 4));

    if (g_utf8_strlen(head, -1) > TDX_QMP_QUOTE_MAX)
        *g_utf8_offset_to_pointer(head, TDX_QMP_QUOTE_MAX) = '\0';
    return g_strescape(head, NULL);
}


static void
tdxQmpErrorFromObject(const char *execute, JsonObject *err, GError **error)
{
    const char *klass = NULL;
    const char *desc = NULL;
    JsonNode *node;

    if ((node = json_object_get_member(err, "class")) &&
        JSON_NODE_HOLDS_VALUE(node) &&
        json_node_get_value_type(node) == G_TYPE_STRING)
        klass = json_node_get_string(node);
    if ((node = json_object_get_member(err, "desc")) &&
        JSON_NODE_HOLDS_VALUE(node) &&
        json_node_get_value_type(node) == G_TYPE_STRING)
        desc = json_node_get_string(node);

    if (!klass || !desc) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE,
                    "QMP reply to '%s' has an error object without class or desc",
                    execute);
        return;
    }

    if (g_str_equal(klass, "CommandNotFound")) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_QMP_NO_COMMAND,
                    "QEMU does not offer QMP command '%s': %s", execute, desc);
    } else if (g_str_has_suffix(desc, TDX_QMP_BUSY_SUFFIX)) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_BUSY,
                    "QMP command '%s' failed (%s): %s", execute, klass, desc);
    } else {
        g_set_error(error, TDX_ERROR, TDX_ERROR_QMP,
                    "QMP command '%s' failed (%s): %s", execute, klass, desc);
    }
}


JsonNode *
tdxQmpReplyParse(const char *execute, const char *reply, GError **error)
{
    g_autoptr(GError) json_error = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonObject *object;
    JsonNode *node;

    if (!reply || !*reply) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE,
                    "empty QMP reply to '%s'", execute);
        return NULL;
    }

    /* Bounded before json-glib recurses into it: a QEMU (or whatever sits
     * on the monitor socket) must not be able to overflow our stack. */
    if (!(root = tdxJsonParse(reply, -1, TDX_JSON_QMP_REPLY_MAX_BYTES,
                              TDX_JSON_MAX_DEPTH, TDX_ERROR_QMP_GARBAGE,
                              &json_error))) {
        g_autofree char *quote = tdxQmpQuote(reply);

        g_set_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE,
                    "QMP reply to '%s' is not JSON (%s): \"%s\"",
                    execute, json_error->message, quote);
        return NULL;
    }

    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        g_autofree char *quote = tdxQmpQuote(reply);

        g_set_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE,
                    "QMP reply to '%s' is not a JSON object: \"%s\"",
                    execute, quote);
        return NULL;
    }
    object = json_node_get_object(root);

    if ((node = json_object_get_member(object, "error"))) {
        if (!JSON_NODE_HOLDS_OBJECT(node)) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE,
                        "QMP reply to '%s' has a malformed error member",
                        execute);
            return NULL;
        }
        tdxQmpErrorFromObject(execute, json_node_get_object(node), error);
        return NULL;
    }

    if (!(node = json_object_get_member(object, "return"))) {
        g_autofree char *quote = tdxQmpQuote(reply);

        g_set_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE,
                    "QMP reply to '%s' has neither return nor error: \"%s\"",
                    execute, quote);
        return NULL;
    }

    return json_node_copy(node);
}
