/*
 * test-tdx-escape.c: names made safe for a terminal or a table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-escape.h"


static void
tdxTestEscape(const char *in, const char *expected)
{
    g_autofree char *out = tdxEscapeText(in);

    g_assert_cmpstr(out, ==, expected);
    g_assert_true(g_utf8_validate(out, -1, NULL));
    g_assert_null(strchr(out, '\n'));
}


static void
testEscapeKeepsPrintable(void)
{
    tdxTestEscape("web-01", "web-01");
    tdxTestEscape("caf\u00e9 \u6f22\u5b57", "caf\u00e9 \u6f22\u5b57");
    tdxTestEscape("", "");
    tdxTestEscape(NULL, "");
}


static void
testEscapeControl(void)
{
    tdxTestEscape("two\nlines", "two\\nlines");
    tdxTestEscape("a\tb\rc", "a\\tb\\rc");
    tdxTestEscape("\x1b[31mred", "\\x1b[31mred");
    tdxTestEscape("del\x7f", "del\\x7f");
    /* C1 controls and invisible format characters are spelt out too. */
    tdxTestEscape("c1\xc2\x85", "c1\\u{0085}");
    tdxTestEscape("rtl\u202eevil", "rtl\\u{202e}evil");
    tdxTestEscape("ls\u2028", "ls\\u{2028}");
}


static void
testEscapeUnambiguous(void)
{
    g_autofree char *newline = tdxEscapeText("a\nb");
    g_autofree char *backslash_n = tdxEscapeText("a\\nb");

    /* A real backslash-n and a newline never print alike. */
    g_assert_cmpstr(backslash_n, ==, "a\\\\nb");
    g_assert_cmpstr(newline, !=, backslash_n);
}


static void
testEscapeInvalidUtf8(void)
{
    tdxTestEscape("caf\xe9", "caf\\xe9");
    tdxTestEscape("\xff\xfe", "\\xff\\xfe");
    /* A truncated sequence at the end, then valid text after a bad byte. */
    tdxTestEscape("x\xc3", "x\\xc3");
    tdxTestEscape("\xc3(ok", "\\xc3(ok");
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/escape/printable", testEscapeKeepsPrintable);
    g_test_add_func("/escape/control", testEscapeControl);
    g_test_add_func("/escape/unambiguous", testEscapeUnambiguous);
    g_test_add_func("/escape/invalid-utf8", testEscapeInvalidUtf8);
    return g_test_run();
}
