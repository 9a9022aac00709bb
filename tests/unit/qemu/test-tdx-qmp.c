/*
 * test-tdx-qmp.c: QMP commands and replies, on replies recorded from QEMU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>

#include "tdx-error.h"
#include "tdx-test-data.h"
#include "tdx-probe.h"
#include "tdx-qmp.h"


static void
testCommandBuild(void)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autofree char *plain = tdxQmpCommandBuild(TDX_QMP_TERMINATE_COMMAND, NULL);
    g_autofree char *with_args = NULL;
    g_autofree char *quoted = NULL;

    g_assert_cmpstr(plain, ==, "{\"execute\":\"tdx-terminate\"}");

    json_object_set_string_member(args, "path", "/objects");
    with_args = tdxQmpCommandBuild("qom-list", args);
    g_assert_cmpstr(with_args, ==,
                    "{\"execute\":\"qom-list\",\"arguments\":{\"path\":\"/objects\"}}");

    /* Values are escaped by json-glib, never pasted into the text. */
    json_object_set_string_member(args, "path", "/\"x\"\n");
    quoted = tdxQmpCommandBuild("qom-list", args);
    g_assert_cmpstr(quoted, ==,
                    "{\"execute\":\"qom-list\",\"arguments\":{\"path\":\"/\\\"x\\\"\\n\"}}");
}


static void
testReplyReturn(void)
{
    g_autofree char *reply = tdxTestDataLoad("qmp", "tdx-terminate-ok.json");
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = tdxQmpReplyParse(TDX_QMP_TERMINATE_COMMAND, reply, &error);

    g_assert_no_error(error);
    g_assert_nonnull(ret);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(ret));
    g_assert_cmpuint(json_object_get_size(json_node_get_object(ret)), ==, 0);
}


typedef struct {
    const char *file;
    int code;
    const char *needle;
} tdxReplyErrorCase;


static void
testReplyError(gconstpointer opaque)
{
    const tdxReplyErrorCase *tc = opaque;
    g_autofree char *reply = tdxTestDataLoad("qmp", tc->file);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = tdxQmpReplyParse(TDX_QMP_TERMINATE_COMMAND, reply, &error);

    g_assert_null(ret);
    g_assert_error(error, TDX_ERROR, tc->code);
    g_assert_nonnull(strstr(error->message, TDX_QMP_TERMINATE_COMMAND));
    if (!strstr(error->message, tc->needle))
        g_error("'%s' not in '%s'", tc->needle, error->message);
}


static void
testReplyEmpty(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_null(tdxQmpReplyParse("qom-list", "", &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE);
    g_clear_error(&error);
    g_assert_null(tdxQmpReplyParse("qom-list", NULL, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE);
}


static void
testReplyQuoteBounded(void)
{
    g_autofree char *garbage = g_strnfill(10000, 'x');
    g_autoptr(GError) error = NULL;

    g_assert_null(tdxQmpReplyParse("qom-list", garbage, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE);
    /* A log line, not a dump of whatever came back. */
    g_assert_cmpuint(strlen(error->message), <, 300);
}


/* {"return": [[[...]]]} with @depth arrays */
static char *
tdxTestNestedReply(guint depth)
{
    g_autoptr(GString) reply = g_string_new("{\"return\": ");
    guint i;

    for (i = 0; i < depth; i++)
        g_string_append_c(reply, '[');
    for (i = 0; i < depth; i++)
        g_string_append_c(reply, ']');
    g_string_append(reply, "}\r\n");
    return g_string_free(g_steal_pointer(&reply), FALSE);
}


/* issue 9 item 4: json-glib recursed once per '[' and a reply of 400000
 * of them (800 KB, under the size limit) overflowed the stack. */
static void
testReplyTooDeep(void)
{
    static const guint depths[] = { 64, 1000, 400000 };
    g_autofree char *deepest = tdxTestNestedReply(63);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = NULL;
    size_t i;

    /* the reply object is level 1 */
    ret = tdxQmpReplyParse("query-commands", deepest, &error);
    g_assert_no_error(error);
    g_assert_true(JSON_NODE_HOLDS_ARRAY(ret));

    for (i = 0; i < G_N_ELEMENTS(depths); i++) {
        g_autofree char *reply = tdxTestNestedReply(depths[i]);

        g_clear_error(&error);
        g_test_message("depth %u", depths[i]);
        g_assert_null(tdxQmpReplyParse("query-commands", reply, &error));
        g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE);
        g_assert_nonnull(strstr(error->message, "QMP reply to 'query-commands' is not JSON "
                                "(JSON nests arrays and objects deeper than the limit "
                                "of 64 levels (at byte 74))"));
        g_assert_cmpuint(strlen(error->message), <, 400);
    }
}


static void
testReplyTooLarge(void)
{
    static const char prefix[] = "{\"return\": \"";
    gsize limit = 1024 * 1024;
    g_autofree char *padding = g_strnfill(limit - strlen(prefix) - 2, 'a');
    g_autofree char *largest = g_strdup_printf("%s%s\"}", prefix, padding);
    g_autofree char *too_large = g_strdup_printf("%s%sa\"}", prefix, padding);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = NULL;

    g_assert_cmpuint(strlen(largest), ==, limit);
    ret = tdxQmpReplyParse("qom-list", largest, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(strlen(json_node_get_string(ret)), ==, strlen(padding));

    g_assert_null(tdxQmpReplyParse("qom-list", too_large, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE);
    g_assert_nonnull(strstr(error->message, "larger than the limit of 1048576 bytes"));
    g_assert_cmpuint(strlen(error->message), <, 400);
}


static JsonNode *
tdxTestReturn(const char *file)
{
    g_autofree char *reply = tdxTestDataLoad("qmp", file);
    g_autoptr(GError) error = NULL;
    JsonNode *ret = tdxQmpReplyParse("test", reply, &error);

    g_assert_no_error(error);
    return ret;
}


static void
testProbeObjects(void)
{
    g_autoptr(JsonNode) plain = tdxTestReturn("qom-list-objects-qemu-7.2.json");
    g_autoptr(JsonNode) td = tdxTestReturn("qom-list-objects-tdx.json");
    g_autoptr(GError) error = NULL;
    g_autofree char *name = NULL;
    gboolean is_td = TRUE;

    g_assert_true(tdxProbeParseObjects(plain, &is_td, &name, &error));
    g_assert_no_error(error);
    g_assert_false(is_td);
    g_assert_null(name);

    g_assert_true(tdxProbeParseObjects(td, &is_td, &name, &error));
    g_assert_true(is_td);
    g_assert_cmpstr(name, ==, "lsec0");
}


/* Recorded from QEMU 10.2 with qemu/patches, a raw -object tdx-guest,id=tdx0 */
static void
testProbeObjectsRecorded(void)
{
    g_autoptr(JsonNode) ret = tdxTestReturn("qom-list-objects-tdx-guest-qemu-10.2-patched.json");
    g_autoptr(GError) error = NULL;
    g_autofree char *name = NULL;
    gboolean is_td = FALSE;

    g_assert_true(tdxProbeParseObjects(ret, &is_td, &name, &error));
    g_assert_no_error(error);
    g_assert_true(is_td);
    g_assert_cmpstr(name, ==, "tdx0");
}


static void
testProbeCommandsRecorded(void)
{
    g_autoptr(JsonNode) ret = tdxTestReturn("query-commands-qemu-10.2-patched.json");
    g_autoptr(GError) error = NULL;
    gboolean found = FALSE;

    g_assert_true(tdxProbeParseCommands(ret, TDX_QMP_TERMINATE_COMMAND, &found, &error));
    g_assert_no_error(error);
    g_assert_true(found);
}


static void
testProbeCommands(void)
{
    g_autoptr(JsonNode) plain = tdxTestReturn("query-commands-qemu-7.2.json");
    g_autoptr(JsonNode) td = tdxTestReturn("query-commands-tdx.json");
    g_autoptr(GError) error = NULL;
    gboolean found = TRUE;

    g_assert_true(tdxProbeParseCommands(plain, TDX_QMP_TERMINATE_COMMAND, &found, &error));
    g_assert_no_error(error);
    g_assert_false(found);
    g_assert_true(tdxProbeParseCommands(plain, "query-status", &found, &error));
    g_assert_true(found);

    g_assert_true(tdxProbeParseCommands(td, TDX_QMP_TERMINATE_COMMAND, &found, &error));
    g_assert_true(found);
}


static void
testProbeGarbage(gconstpointer opaque)
{
    g_autoptr(JsonNode) ret = tdxTestReturn(opaque);
    g_autoptr(GError) error = NULL;
    gboolean is_td = FALSE;

    g_assert_false(tdxProbeParseObjects(ret, &is_td, NULL, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE);
}


int
main(int argc, char **argv)
{
    static const tdxReplyErrorCase errors[] = {
        { "tdx-terminate-busy.json", TDX_ERROR_BUSY, "Device or resource busy" },
        { "tdx-terminate-einval.json", TDX_ERROR_QMP, "GenericError" },
        { "tdx-terminate-not-found-qemu-7.2.json", TDX_ERROR_QMP_NO_COMMAND, "has not been found" },
        { "tdx-terminate-not-a-td-qemu-10.2-patched.json", TDX_ERROR_QMP,
          "The guest is not a TDX guest (TD)" },
        { "qom-get-terminate-supported-not-found-qemu-10.2.json", TDX_ERROR_QMP,
          "terminate-supported" },
        { "garbage-truncated.json", TDX_ERROR_QMP_GARBAGE, "not JSON" },
        { "garbage-text.json", TDX_ERROR_QMP_GARBAGE, "Connection reset" },
        { "garbage-array.json", TDX_ERROR_QMP_GARBAGE, "not a JSON object" },
        { "garbage-no-return.json", TDX_ERROR_QMP_GARBAGE, "neither return nor error" },
        { "garbage-error-string.json", TDX_ERROR_QMP_GARBAGE, "malformed error" },
        { "garbage-error-no-desc.json", TDX_ERROR_QMP_GARBAGE, "without class or desc" },
    };
    guint i;

    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/qmp/command/build", testCommandBuild);
    g_test_add_func("/qmp/reply/return", testReplyReturn);
    g_test_add_func("/qmp/reply/empty", testReplyEmpty);
    g_test_add_func("/qmp/reply/quote-bounded", testReplyQuoteBounded);
    g_test_add_func("/qmp/reply/too-deep", testReplyTooDeep);
    g_test_add_func("/qmp/reply/too-large", testReplyTooLarge);
    for (i = 0; i < G_N_ELEMENTS(errors); i++) {
        g_autofree char *path = g_strdup_printf("/qmp/reply/error/%s", errors[i].file);

        g_test_add_data_func(path, &errors[i], testReplyError);
    }
    g_test_add_func("/qmp/probe/objects", testProbeObjects);
    g_test_add_func("/qmp/probe/commands", testProbeCommands);
    g_test_add_func("/qmp/probe/objects-recorded", testProbeObjectsRecorded);
    g_test_add_func("/qmp/probe/commands-recorded", testProbeCommandsRecorded);
    g_test_add_data_func("/qmp/probe/garbage/object", "garbage-qom-list-object.json",
                         testProbeGarbage);
    g_test_add_data_func("/qmp/probe/garbage/no-type", "garbage-qom-list-no-type.json",
                         testProbeGarbage);
    return g_test_run();
}
