/*
 * cli.c: what every virsh-tdx command shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tdx-error.h"
#include "tdx-escape.h"
#include "tdx-libvirt.h"
#include "tdx-result.h"


/* GOption leaves "--" in argv when something before it was not an option
 * or something after it starts with '-' ("destroy g1 -- g2"); it ends the
 * options and is no argument. Whatever GOption did, the first "--" left
 * is that terminator: a second one (a domain really named "--") starts
 * with '-', so GOption keeps the first. */
static void
tdxCliDropEndOfOptions(int *argc, char **argv)
{
    int i;

    for (i = 1; i < *argc; i++) {
        if (g_str_equal(argv[i], "--")) {
            memmove(&argv[i], &argv[i + 1], sizeof(char *) * (*argc - i));
            (*argc)--;
            return;
        }
    }
}


gboolean
tdxCliParseOptionsFull(tdxCli *cli, const char *command, const char *parameters,
                       const char *summary, GOptionEntry *entries,
                       int *argc, char ***argv, int *exit_code,
                       GError **usage_error)
{
    g_autoptr(GOptionContext) context = g_option_context_new(parameters);
    g_autoptr(GError) error = NULL;
    g_autofree char *prgname = g_strdup_printf("virsh-tdx %s", command);
    gboolean help = FALSE;
    GOptionEntry help_entries[] = {
        { "help", 'h', 0, G_OPTION_ARG_NONE, &help, "show the options of this command", NULL },
        { NULL },
    };

    g_set_prgname(prgname);
    g_option_context_set_summary(context, summary);
    /* GOption's own --help prints and exits; ours can answer in JSON. */
    g_option_context_set_help_enabled(context, FALSE);
    g_option_context_add_main_entries(context, entries, NULL);
    g_option_context_add_main_entries(context, help_entries, NULL);
    if (!g_option_context_parse(context, argc, argv, &error)) {
        if (usage_error) {
            *exit_code = TDX_EXIT_USAGE;
            g_propagate_error(usage_error, g_steal_pointer(&error));
            return FALSE;
        }
        *exit_code = tdxCliUsageError(cli, command, "%s", error->message);
        return FALSE;
    }
    if (help) {
        g_autofree char *text = g_option_context_get_help(context, TRUE, NULL);

        if (cli->json) {
            g_autoptr(JsonBuilder) builder = json_builder_new();

            json_builder_begin_object(builder);
            tdxJsonAddString(builder, "help", text);
            json_builder_end_object(builder);
            tdxCliPrintJson(cli, command, builder, TDX_EXIT_OK);
        } else {
            fputs(text, stdout);
        }
        *exit_code = TDX_EXIT_OK;
        return FALSE;
    }
    tdxCliDropEndOfOptions(argc, *argv);
    return TRUE;
}


gboolean
tdxCliParseOptions(tdxCli *cli, const char *command, const char *parameters,
                   const char *summary, GOptionEntry *entries,
                   int *argc, char ***argv, int *exit_code)
{
    return tdxCliParseOptionsFull(cli, command, parameters, summary, entries,
                                  argc, argv, exit_code, NULL);
}


gboolean
tdxCliCheckJobs(int jobs, GError **error)
{
    if (jobs >= 0 && jobs <= TDX_CONFIG_JOBS_MAX)
        return TRUE;
    g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_ARG,
                "--jobs %d: must be from 0 (one per CPU) to %d", jobs,
                TDX_CONFIG_JOBS_MAX);
    return FALSE;
}


const char *
tdxCliConfigPath(const tdxCli *cli)
{
    return cli->config_path ? cli->config_path : TDX_CONFIG_DEFAULT_PATH;
}


int
tdxCliUsageError(tdxCli *cli, const char *command, const char *format, ...)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *message = NULL;
    va_list args;

    va_start(args, format);
    error = g_error_new_valist(TDX_ERROR, TDX_ERROR_INVALID_ARG, format, args);
    va_end(args);

    /* GOption quotes the bad option as typed, whatever its bytes. */
    message = tdxEscapeText(error->message);
    if (command)
        g_printerr("virsh-tdx %s: %s\nTry 'virsh-tdx %s --help'.\n",
                   command, message, command);
    else
        g_printerr("virsh-tdx: %s\nTry 'virsh-tdx --help'.\n", message);
    if (cli->json)
        tdxCliPrintJsonError(cli, command, error);
    return TDX_EXIT_USAGE;
}


void
tdxCliDeprecated(tdxCli *cli G_GNUC_UNUSED, const char *command,
                 const char *old, const char *replacement)
{
    g_printerr("virsh-tdx %s: warning: %s is deprecated and goes away in the next "
               "release; use %s\n", command, old, replacement);
}


gboolean
tdxCliConnect(tdxCli *cli, GError **error)
{
    const char *uri = cli->uri;

    if (cli->config_error) {
        g_propagate_error(error, g_error_copy(cli->config_error));
        return FALSE;
    }
    if (!uri)
        uri = g_getenv("LIBVIRT_DEFAULT_URI");
    if (!uri || !*uri)
        uri = cli->config.uri;

    cli->conn = tdxConnectionOpen(uri, error);
    return cli->conn != NULL;
}


JsonNode *
tdxCliJsonError(const GError *error)
{
    g_autoptr(JsonBuilder) builder = json_builder_new();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object(builder);
    tdxJsonAddError(builder, "error", error);
    json_builder_end_object(builder);
    root = json_builder_get_root(builder);
    return json_object_dup_member(json_node_get_object(root), "error");
}


void
tdxCliPrintJsonError(tdxCli *cli, const char *command, const GError *error)
{
    g_autoptr(JsonBuilder) builder = json_builder_new();

    json_builder_begin_object(builder);
    tdxJsonAddError(builder, "error", error);
    json_builder_end_object(builder);
    tdxCliPrintJson(cli, command, builder, tdxErrorToExitCode(error));
}


int
tdxCliReportError(tdxCli *cli, const char *command, const GError *error)
{
    g_autofree char *message = tdxEscapeText(error->message);

    g_printerr("virsh-tdx: error: %s\n", message);
    if (cli->json)
        tdxCliPrintJsonError(cli, command, error);
    return tdxErrorToExitCode(error);
}


/* json-glib writes strings byte for byte; a byte sequence that is not
 * UTF-8 would make the whole document invalid. */
static void
tdxCliJsonMakeValid(JsonNode *node)
{
    if (JSON_NODE_HOLDS_OBJECT(node)) {
        JsonObjectIter iter;
        JsonNode *member;

        json_object_iter_init(&iter, json_node_get_object(node));
        while (json_object_iter_next(&iter, NULL, &member))
            tdxCliJsonMakeValid(member);
    } else if (JSON_NODE_HOLDS_ARRAY(node)) {
        JsonArray *array = json_node_get_array(node);
        guint i;

        for (i = 0; i < json_array_get_length(array); i++)
            tdxCliJsonMakeValid(json_array_get_element(array, i));
    } else if (JSON_NODE_HOLDS_VALUE(node) &&
               json_node_get_value_type(node) == G_TYPE_STRING) {
        const char *text = json_node_get_string(node);

        if (!g_utf8_validate(text, -1, NULL)) {
            g_autofree char *valid = g_utf8_make_valid(text, -1);

            json_node_set_string(node, valid);
        }
    }
}


void
tdxCliPrintJson(tdxCli *cli, const char *command, JsonBuilder *builder, int exit_code)
{
    g_autoptr(JsonNode) body = json_builder_get_root(builder);

    tdxCliPrintJsonNode(cli, command, body, exit_code);
}


void
tdxCliPrintJsonNode(tdxCli *cli G_GNUC_UNUSED, const char *command, JsonNode *body,
                    int exit_code)
{
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
    g_autoptr(JsonObject) document = json_object_new();
    g_autofree char *text = NULL;
    JsonObject *members = json_node_get_object(body);
    JsonObjectIter iter;
    const char *name;
    JsonNode *member;

    json_object_set_string_member(document, "schema", TDX_CLI_JSON_SCHEMA);
    if (command)
        json_object_set_string_member(document, "command", command);
    else
        json_object_set_null_member(document, "command");
    json_object_iter_init_ordered(&iter, members);
    while (json_object_iter_next_ordered(&iter, &name, &member)) {
        if (!g_str_equal(name, "exit_code"))
            json_object_set_member(document, name, json_node_copy(member));
    }
    if (!json_object_has_member(document, "error"))
        json_object_set_null_member(document, "error");
    json_object_set_int_member(document, "exit_code", exit_code);

    json_node_set_object(root, document);
    tdxCliJsonMakeValid(root);
    text = tdxJsonToString(root);
    fputs(text, stdout);
    fflush(stdout);
}
