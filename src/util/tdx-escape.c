/*
 * tdx-escape.c: domain names and messages made safe for a terminal or a table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libvirt lets a domain name hold a newline or an escape sequence; printed
 * raw it would fake table rows or drive the operator's terminal.
 */
#include "tdx-escape.h"


char *
tdxEscapeText(const char *text)
{
    GString *out = g_string_new(NULL);
    const char *p = text ? text : "";

    while (*p) {
        gunichar c = g_utf8_get_char_validated(p, -1);

        if (c == (gunichar) -1 || c == (gunichar) -2) {
            g_string_append_printf(out, "\\x%02x", (guchar) *p);
            p++;
            continue;
        }
        switch (c) {
        case '\\': g_string_append(out, "\\\\"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (c < 0x80 && g_ascii_iscntrl((char) c))
                g_string_append_printf(out, "\\x%02x", c);
            else if (g_unichar_iscntrl(c) || g_unichar_type(c) == G_UNICODE_FORMAT ||
                     g_unichar_type(c) == G_UNICODE_LINE_SEPARATOR ||
                     g_unichar_type(c) == G_UNICODE_PARAGRAPH_SEPARATOR)
                g_string_append_printf(out, "\\u{%04x}", c);
            else
                g_string_append_unichar(out, c);
        }
        p = g_utf8_next_char(p);
    }
    return g_string_free(out, FALSE);
}
