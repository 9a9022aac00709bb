/*
 * tdx-escape.h: domain names and messages made safe for a terminal or a table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* @text with every control character, invalid UTF-8 byte and backslash
 * written C-style (\n, \t, \\, \xNN, \u{NNNN}), so that one name is one
 * line and two different names never print alike. Printable UTF-8 is kept.
 * NULL gives "". */
char *tdxEscapeText(const char *text);
