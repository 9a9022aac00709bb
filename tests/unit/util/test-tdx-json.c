/*
 * test-tdx-json.c: the bounded strict JSON parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "tdx-error.h"
#include "tdx-json.h"

#define LIMIT_BYTES 4096
#define LIMIT_DEPTH 8


static void
testAccepted(void)
{
    static const char *const cases[] = {
        "{}", "[]", "0", "-0", "12", "-3.25", "1e5", "1E+5", "2.5e-3",
        "true", "false", "null", "\"\"", " \t\r\n{ \"a\" : [ 1 , 2 ] }\n",
        "\"\\\"[[[[[[[[[[[[[[[[\\\\\"",            /* brackets in a string */
        "\"\\u00e9\\uD83D\\uDE00 \\/ \\b\\f\\n\\r\\t\"",
        "\"caf\xc3\xa9\"",
        "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{}}}}}}}}", /* depth 8 */
        "[[[[[[[[]]]]]]]]",
        "[[[[[[[[]]]]]]],[[[[[[[]]]]]]]]",         /* siblings do not add up */
        "{\"return\":[{\"name\":\"x\"},{\"name\":\"y\"}],\"id\":1}",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) root = NULL;

        g_test_message("case %zu: %s", i, cases[i]);
        root = tdxJsonParse(cases[i], -1, LIMIT_BYTES, LIMIT_DEPTH,
                            TDX_ERROR_QMP_GARBAGE, &error);
        g_assert_no_error(error);
        g_assert_nonnull(root);
    }
}


static void
testRefused(void)
{
    static const struct {
        const char *text;
        const char *needle;
    } cases[] = {
        { "", "empty JSON text (at byte 0)" },
        { "   ", "empty JSON text" },
        { "[[[[[[[[[]]]]]]]]]", "deeper than the limit of 8 levels (at byte 8)" },
        { "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{}}}}}}}}}",
          "deeper than the limit of 8 levels (at byte 40)" },
        { "[1,2", "truncated JSON text" },
        { "[1,]", "expected a JSON value (at byte 3)" },
        { "[1 2]", "expected ',' or ']' (at byte 3)" },
        { "{\"a\" 1}", "expected ':' after an object key" },
        { "{\"a\":1,}", "expected a string as object key" },
        { "{'a':1}", "expected a string as object key (at byte 1)" },
        { "{a:1}", "expected a string as object key" },
        { "[1}", "expected ',' or ']'" },
        { "{\"a\":1]", "expected ',' or '}'" },
        { "{} {}", "trailing data after the JSON value (at byte 3)" },
        { "01", "trailing data" },
        { "+1", "expected a JSON value" },
        { "0x10", "trailing data" },
        { "1.", "invalid number" },
        { ".5", "expected a JSON value" },
        { "1e", "invalid number" },
        { "-", "invalid number" },
        { "tru", "invalid literal" },
        { "nul", "invalid literal" },
        { "True", "expected a JSON value" },
        { "NaN", "expected a JSON value" },
        { "/* c */ 1", "expected a JSON value" },
        { "\"abc", "unterminated string" },
        { "\"a\\", "unterminated string" },
        { "\"\\q\"", "invalid escape in a string" },
        { "\"\\x41\"", "invalid escape in a string" },
        { "\"\\u12\"", "invalid \\u escape" },
        { "\"\\u12", "unterminated string" },
        { "\"\\u0000\"", "\\u0000 in a string" },
        { "\"\\uDE00\"", "unpaired UTF-16 surrogate" },
        { "\"\\uD83D\"", "unpaired UTF-16 surrogate" },
        { "\"\\uD83Dx\"", "unpaired UTF-16 surrogate" },
        { "\"\\uD83D\\u0041\"", "unpaired UTF-16 surrogate" },
        { "\"a\tb\"", "control character in a string" },
        { "\"a\nb\"", "control character in a string" },
        { "\"\xff\"", "not valid UTF-8 (at byte 1)" },
        { "\"\xc3\"", "not valid UTF-8" },
        { "\"\xed\xa0\x80\"", "not valid UTF-8" },          /* encoded surrogate */
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *shown = g_strescape(cases[i].text, NULL);

        /* escaped: raw invalid UTF-8 would corrupt the TAP stream */
        g_test_message("case %zu: %s", i, shown);
        g_assert_null(tdxJsonParse(cases[i].text, -1, LIMIT_BYTES, LIMIT_DEPTH,
                                   TDX_ERROR_QMP_GARBAGE, &error));
        g_assert_error(error, TDX_ERROR, TDX_ERROR_QMP_GARBAGE);
        if (!strstr(error->message, cases[i].needle))
            g_error("message '%s' lacks '%s'", error->message, cases[i].needle);
        g_assert_false(tdxJsonCheck(cases[i].text, -1, LIMIT_BYTES, LIMIT_DEPTH,
                                    TDX_ERROR_INVALID_XML, NULL));
    }
}


/* With an explicit length: a NUL inside is an error, not the end. */
static void
testExplicitLength(void)
{
    static const char text[] = "{\"a\":\"b\0c\"}";
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) root = NULL;

    g_assert_false(tdxJsonCheck(text, sizeof(text) - 1, LIMIT_BYTES, LIMIT_DEPTH,
                                TDX_ERROR_INVALID_XML, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML);
    g_assert_cmpstr(error->message, ==, "JSON text contains a NUL byte (at byte 7)");
    g_clear_error(&error);

    /* only the first @len bytes are looked at */
    root = tdxJsonParse("[1,2]garbage", 5, LIMIT_BYTES, LIMIT_DEPTH,
                        TDX_ERROR_INVALID_XML, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(json_array_get_length(json_node_get_array(root)), ==, 2);
}


static void
testSizeLimit(void)
{
    g_autofree char *text = g_strnfill(LIMIT_BYTES, ' ');
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) root = NULL;

    /* exactly the limit is fine */
    text[0] = '[';
    text[LIMIT_BYTES - 1] = ']';
    root = tdxJsonParse(text, -1, LIMIT_BYTES, LIMIT_DEPTH, TDX_ERROR_QMP_GARBAGE,
                        &error);
    g_assert_no_error(error);
    g_assert_nonnull(root);

    g_assert_false(tdxJsonCheck(text, LIMIT_BYTES, LIMIT_BYTES - 1, LIMIT_DEPTH,
                                TDX_ERROR_QMP_GARBAGE, &error));
    g_assert_cmpstr(error->message, ==, "JSON text of 4096 bytes is larger than "
                    "the limit of 4095 bytes");
    g_clear_error(&error);
    g_assert_false(tdxJsonCheck(text, -1, LIMIT_BYTES - 1, LIMIT_DEPTH,
                                TDX_ERROR_QMP_GARBAGE, &error));
    g_assert_cmpstr(error->message, ==, "JSON text is larger than the limit of "
                    "4095 bytes");
}


/* The scan itself must not recurse: a million levels against a large
 * depth limit still returns (json-glib is never reached). */
static void
testHugeDepthNoRecursion(void)
{
    gsize n = 1000 * 1000;
    g_autofree char *text = g_malloc(2 * n + 1);
    g_autoptr(GError) error = NULL;

    memset(text, '[', n);
    memset(text + n, ']', n);
    text[2 * n] = '\0';
    g_assert_true(tdxJsonCheck(text, -1, 2 * n, G_MAXUINT,
                               TDX_ERROR_QMP_GARBAGE, &error));
    g_assert_no_error(error);
    /* no limit at all is a limit too (no overflow in the bookkeeping) */
    g_assert_true(tdxJsonCheck(text, -1, G_MAXSIZE, G_MAXUINT,
                               TDX_ERROR_QMP_GARBAGE, &error));
    g_assert_no_error(error);
    g_assert_false(tdxJsonCheck(text, -1, 2 * n, TDX_JSON_MAX_DEPTH,
                                TDX_ERROR_QMP_GARBAGE, &error));
    g_assert_nonnull(strstr(error->message, "limit of 64 levels (at byte 64)"));
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/util/json/accepted", testAccepted);
    g_test_add_func("/util/json/refused", testRefused);
    g_test_add_func("/util/json/explicit-length", testExplicitLength);
    g_test_add_func("/util/json/size-limit", testSizeLimit);
    g_test_add_func("/util/json/huge-depth-no-recursion", testHugeDepthNoRecursion);

    return g_test_run();
}
