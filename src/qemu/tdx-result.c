/*
 * tdx-result.c: destroy results as JSON and text
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-result.h"
#include "tdx-error.h"
#include "tdx-escape.h"


const char *
tdxDestroyResultOutcome(const tdxDestroyResult *result)
{
    if (!result->error)
        return "gone";
    return tdxExitCodeName(tdxErrorToExitCode(result->error));
}


void
tdxJsonAddString(JsonBuilder *builder, const char *name, const char *value)
{
    json_builder_set_member_name(builder, name);
    json_builder_add_string_value(builder, value);
}


void
tdxJsonAddInt(JsonBuilder *builder, const char *name, gint64 value)
{
    json_builder_set_member_name(builder, name);
    json_builder_add_int_value(builder, value);
}


void
tdxJsonAddBool(JsonBuilder *builder, const char *name, gboolean value)
{
    json_builder_set_member_name(builder, name);
    json_builder_add_boolean_value(builder, value);
}


void
tdxJsonAddDouble(JsonBuilder *builder, const char *name, double value)
{
    json_builder_set_member_name(builder, name);
    json_builder_add_double_value(builder, value);
}


void
tdxJsonAddError(JsonBuilder *builder, const char *name, const GError *error)
{
    json_builder_set_member_name(builder, name);
    if (!error) {
        json_builder_add_null_value(builder);
        return;
    }
    json_builder_begin_object(builder);
    tdxJsonAddString(builder, "code", tdxErrorCodeName(error));
    tdxJsonAddInt(builder, "exit", tdxErrorToExitCode(error));
    tdxJsonAddString(builder, "message", error->message);
    json_builder_end_object(builder);
}


void
tdxJsonAddMs(JsonBuilder *builder, const char *name, gint64 usec)
{
    /* Whole milliseconds: callers compare them, nobody needs the noise. */
    json_builder_set_member_name(builder, name);
    json_builder_add_int_value(builder, (usec + 500) / 1000);
}


void
tdxDestroyResultToJson(const tdxDestroyResult *result, JsonBuilder *builder)
{
    guint i;

    json_builder_begin_object(builder);
    /* name and uuid as in every document (docs/schema/common-1.json):
     * null when the argument named no domain. */
    json_builder_set_member_name(builder, "name");
    if (result->uuid)
        json_builder_add_string_value(builder, result->domain);
    else
        json_builder_add_null_value(builder);
    json_builder_set_member_name(builder, "uuid");
    if (result->uuid)
        json_builder_add_string_value(builder, result->uuid);
    else
        json_builder_add_null_value(builder);
    /* Deprecated (schema libvirt-tdx/1 keeps it for one release): the
     * name, or the argument as typed when it named no domain. */
    tdxJsonAddString(builder, "domain", result->domain);
    tdxJsonAddBool(builder, "td", result->is_td);
    tdxJsonAddInt(builder, "memory_kib", (gint64) result->memory_kib);
    tdxJsonAddString(builder, "outcome", tdxDestroyResultOutcome(result));
    tdxJsonAddInt(builder, "exit_code", tdxErrorToExitCode(result->error));
    tdxJsonAddString(builder, "path", tdxDestroyPathToString(result->path));
    tdxJsonAddBool(builder, "terminate_supported", result->terminate_supported);
    tdxJsonAddInt(builder, "terminate_attempts", result->terminate_attempts);

    json_builder_set_member_name(builder, "phases_ms");
    json_builder_begin_object(builder);
    for (i = 0; i < TDX_PHASE_LAST; i++)
        tdxJsonAddMs(builder, tdxPhaseToString(i), result->phase_usec[i]);
    json_builder_end_object(builder);
    tdxJsonAddMs(builder, "total_ms", result->total_usec);

    tdxJsonAddMs(builder, "estimate_ms", result->estimate_seconds * G_USEC_PER_SEC);
    tdxJsonAddMs(builder, "deadline_ms", result->deadline_seconds * G_USEC_PER_SEC);

    json_builder_set_member_name(builder, "notes");
    json_builder_begin_array(builder);
    for (i = 0; i < result->notes->len; i++)
        json_builder_add_string_value(builder, g_ptr_array_index(result->notes, i));
    json_builder_end_array(builder);

    tdxJsonAddError(builder, "error", result->error);
    json_builder_end_object(builder);
}


char *
tdxDestroyResultToText(const tdxDestroyResult *result)
{
    /* One result one line, whatever bytes the name or argument holds. */
    g_autofree char *name = tdxEscapeText(result->domain);
    GString *line = g_string_new(name);
    guint i;

    if (result->error) {
        g_autofree char *message = tdxEscapeText(result->error->message);

        g_string_append_printf(line, ": %s after %.2f s: %s",
                               tdxDestroyResultOutcome(result),
                               result->total_usec / (double) G_USEC_PER_SEC,
                               message);
        return g_string_free(line, FALSE);
    }

    g_string_append_printf(line, ": gone via %s in %.2f s (",
                           tdxDestroyPathToString(result->path),
                           result->total_usec / (double) G_USEC_PER_SEC);
    for (i = 0; i < TDX_PHASE_LAST; i++) {
        if (result->phase_usec[i] == 0)
            continue;
        g_string_append_printf(line, "%s%s %.2f s",
                               line->str[line->len - 1] == '(' ? "" : ", ",
                               tdxPhaseToString(i),
                               result->phase_usec[i] / (double) G_USEC_PER_SEC);
    }
    g_string_append_c(line, ')');
    return g_string_free(line, FALSE);
}


char *
tdxJsonToString(JsonNode *root)
{
    g_autoptr(JsonGenerator) generator = json_generator_new();
    g_autofree char *text = NULL;

    json_generator_set_pretty(generator, TRUE);
    json_generator_set_indent(generator, 2);
    json_generator_set_root(generator, root);
    text = json_generator_to_data(generator, NULL);
    return g_strconcat(text, "\n", NULL);
}
