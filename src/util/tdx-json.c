/*
 * tdx-json.c: bounded, strict JSON parsing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The scan below is a complete RFC 8259 syntax check driven by an explicit
 * stack, not just a bracket counter: json-glib's scanner accepts more than
 * JSON (it is GScanner based), and a counter that skipped what it took for
 * a string could be fooled into under-counting. Once the text is strict
 * JSON, json-glib and this scan agree on its structure, so the depth
 * checked here is the depth json-glib will recurse to.
 */
#include "tdx-json.h"

#include <string.h>

#include "tdx-error.h"

typedef enum {
    TDX_JSON_EXPECT_VALUE,
    TDX_JSON_EXPECT_VALUE_OR_CLOSE,   /* just after '[' */
    TDX_JSON_EXPECT_KEY,              /* after ',' in an object */
    TDX_JSON_EXPECT_KEY_OR_CLOSE,     /* just after '{' */
    TDX_JSON_EXPECT_COLON,
    TDX_JSON_EXPECT_COMMA_OR_CLOSE,
    TDX_JSON_EXPECT_END,
} tdxJsonExpect;

typedef struct {
    const char *text;
    gsize len;
    gsize pos;
    const char *problem;   /* static description of the first error */
} tdxJsonScan;


static gboolean
tdxJsonFail(tdxJsonScan *scan, const char *problem)
{
    scan->problem = problem;
    return FALSE;
}


static int
tdxJsonHex4(const char *p)
{
    int value = 0;
    int i;

    for (i = 0; i < 4; i++) {
        int digit = g_ascii_xdigit_value(p[i]);

        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}


/* At the opening quote; leaves pos after the closing one. */
static gboolean
tdxJsonScanString(tdxJsonScan *scan)
{
    const char *t = scan->text;

    scan->pos++;
    while (scan->pos < scan->len) {
        unsigned char c = t[scan->pos];

        if (c == '"') {
            scan->pos++;
            return TRUE;
        }
        if (c < 0x20)
            return tdxJsonFail(scan, "control character in a string");
        if (c != '\\') {
            scan->pos++;
            continue;
        }

        if (scan->pos + 1 >= scan->len)
            break;
        c = t[scan->pos + 1];
        if (strchr("\"\\/bfnrt", c) && c) {
            scan->pos += 2;
            continue;
        }
        if (c != 'u')
            return tdxJsonFail(scan, "invalid escape in a string");

        {
            int unit;
            int k;

            for (k = 0; k < 4; k++) {
                if (scan->pos + 2 + k >= scan->len)
                    return tdxJsonFail(scan, "unterminated string");
                if (!g_ascii_isxdigit(t[scan->pos + 2 + k]))
                    return tdxJsonFail(scan, "invalid \\u escape in a string");
            }
            unit = tdxJsonHex4(t + scan->pos + 2);
            /* Every consumer uses C strings: a NUL would cut the value. */
            if (unit == 0)
                return tdxJsonFail(scan, "\\u0000 in a string");
            if (unit >= 0xDC00 && unit <= 0xDFFF)
                return tdxJsonFail(scan, "unpaired UTF-16 surrogate in a string");
            scan->pos += 6;
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                int low;

                if (scan->pos + 6 > scan->len || t[scan->pos] != '\\' ||
                    t[scan->pos + 1] != 'u' ||
                    (low = tdxJsonHex4(t + scan->pos + 2)) < 0xDC00 ||
                    low > 0xDFFF)
                    return tdxJsonFail(scan, "unpaired UTF-16 surrogate in a string");
                scan->pos += 6;
            }
        }
    }
    return tdxJsonFail(scan, "unterminated string");
}


static gboolean
tdxJsonScanDigits(tdxJsonScan *scan)
{
    gsize start = scan->pos;

    while (scan->pos < scan->len && g_ascii_isdigit(scan->text[scan->pos]))
        scan->pos++;
    return scan->pos > start;
}


/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static gboolean
tdxJsonScanNumber(tdxJsonScan *scan)
{
    const char *t = scan->text;

    if (t[scan->pos] == '-')
        scan->pos++;
    if (scan->pos < scan->len && t[scan->pos] == '0')
        scan->pos++;
    else if (!tdxJsonScanDigits(scan))
        return tdxJsonFail(scan, "invalid number");

    if (scan->pos < scan->len && t[scan->pos] == '.') {
        scan->pos++;
        if (!tdxJsonScanDigits(scan))
            return tdxJsonFail(scan, "invalid number");
    }
    if (scan->pos < scan->len && (t[scan->pos] == 'e' || t[scan->pos] == 'E')) {
        scan->pos++;
        if (scan->pos < scan->len && (t[scan->pos] == '+' || t[scan->pos] == '-'))
            scan->pos++;
        if (!tdxJsonScanDigits(scan))
            return tdxJsonFail(scan, "invalid number");
    }
    return TRUE;
}


static gboolean
tdxJsonScanLiteral(tdxJsonScan *scan, const char *word)
{
    gsize n = strlen(word);

    if (scan->len - scan->pos < n || memcmp(scan->text + scan->pos, word, n) != 0)
        return tdxJsonFail(scan, "invalid literal (expected true, false or null)");
    scan->pos += n;
    return TRUE;
}


static void
tdxJsonSetError(GError **error, int code, const tdxJsonScan *scan,
                const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void
tdxJsonSetError(GError **error, int code, const tdxJsonScan *scan,
                const char *fmt, ...)
{
    g_autofree char *what = NULL;
    va_list args;

    va_start(args, fmt);
    what = g_strdup_vprintf(fmt, args);
    va_end(args);
    g_set_error(error, TDX_ERROR, code, "%s (at byte %" G_GSIZE_FORMAT ")",
                what, scan->pos);
}


gboolean
tdxJsonCheck(const char *text, gssize len, gsize max_bytes,
             guint max_depth, int code, GError **error)
{
    tdxJsonScan scan = { .text = text };
    tdxJsonExpect expect = TDX_JSON_EXPECT_VALUE;
    g_autofree char *stack = NULL;   /* '{' or '[' per open container */
    guint depth = 0;
    const char *bad_utf8 = NULL;

    if (!text) {
        g_set_error_literal(error, TDX_ERROR, code, "no JSON text");
        return FALSE;
    }
    /* strnlen: a huge unterminated buffer is measured only up to the limit */
    if (len >= 0)
        scan.len = (gsize) len;
    else
        scan.len = max_bytes < G_MAXSIZE ? strnlen(text, max_bytes + 1) : strlen(text);
    if (scan.len > max_bytes) {
        if (len >= 0)
            g_set_error(error, TDX_ERROR, code,
                        "JSON text of %" G_GSIZE_FORMAT " bytes is larger than "
                        "the limit of %" G_GSIZE_FORMAT " bytes", scan.len, max_bytes);
        else
            g_set_error(error, TDX_ERROR, code,
                        "JSON text is larger than the limit of %" G_GSIZE_FORMAT
                        " bytes", max_bytes);
        return FALSE;
    }
    /* Rejects NUL bytes too (json-glib would stop at the first). */
    if (!g_utf8_validate_len(text, scan.len, &bad_utf8)) {
        scan.pos = (gsize) (bad_utf8 - text);
        tdxJsonSetError(error, code, &scan, "%s",
                        *bad_utf8 ? "JSON text is not valid UTF-8"
                                  : "JSON text contains a NUL byte");
        return FALSE;
    }

    /* one byte per open container, and there cannot be more than bytes */
    stack = g_malloc(MIN((gsize) max_depth, scan.len) + 1);

    for (;;) {
        char c;

        while (scan.pos < scan.len && strchr(" \t\n\r", text[scan.pos]))
            scan.pos++;
        if (scan.pos == scan.len) {
            if (expect == TDX_JSON_EXPECT_END)
                return TRUE;
            tdxJsonSetError(error, code, &scan, "%s",
                            expect == TDX_JSON_EXPECT_VALUE && depth == 0
                            ? "empty JSON text" : "truncated JSON text");
            return FALSE;
        }
        c = text[scan.pos];

        switch (expect) {
        case TDX_JSON_EXPECT_END:
            tdxJsonSetError(error, code, &scan, "trailing data after the JSON value");
            return FALSE;

        case TDX_JSON_EXPECT_COLON:
            if (c != ':') {
                tdxJsonSetError(error, code, &scan, "expected ':' after an object key");
                return FALSE;
            }
            scan.pos++;
            expect = TDX_JSON_EXPECT_VALUE;
            continue;

        case TDX_JSON_EXPECT_KEY_OR_CLOSE:
        case TDX_JSON_EXPECT_KEY:
            if (c == '}' && expect == TDX_JSON_EXPECT_KEY_OR_CLOSE) {
                scan.pos++;
                depth--;
                break;
            }
            if (c != '"') {
                tdxJsonSetError(error, code, &scan, "expected a string as object key");
                return FALSE;
            }
            if (!tdxJsonScanString(&scan)) {
                tdxJsonSetError(error, code, &scan, "%s", scan.problem);
                return FALSE;
            }
            expect = TDX_JSON_EXPECT_COLON;
            continue;

        case TDX_JSON_EXPECT_COMMA_OR_CLOSE:
            if (c == ',') {
                scan.pos++;
                expect = stack[depth - 1] == '{' ? TDX_JSON_EXPECT_KEY
                                                 : TDX_JSON_EXPECT_VALUE;
                continue;
            }
            if ((c == '}' || c == ']') && c == (stack[depth - 1] == '{' ? '}' : ']')) {
                scan.pos++;
                depth--;
                break;
            }
            tdxJsonSetError(error, code, &scan, "expected ',' or '%c'",
                            stack[depth - 1] == '{' ? '}' : ']');
            return FALSE;

        case TDX_JSON_EXPECT_VALUE_OR_CLOSE:
            if (c == ']') {
                scan.pos++;
                depth--;
                break;
            }
            G_GNUC_FALLTHROUGH;
        case TDX_JSON_EXPECT_VALUE:
            if (c == '{' || c == '[') {
                if (depth >= max_depth) {
                    tdxJsonSetError(error, code, &scan,
                                    "JSON nests arrays and objects deeper than "
                                    "the limit of %u levels", max_depth);
                    return FALSE;
                }
                stack[depth++] = c;
                scan.pos++;
                expect = c == '{' ? TDX_JSON_EXPECT_KEY_OR_CLOSE
                                  : TDX_JSON_EXPECT_VALUE_OR_CLOSE;
                continue;
            }
            if (!(c == '"' ? tdxJsonScanString(&scan) :
                  c == '-' || g_ascii_isdigit(c) ? tdxJsonScanNumber(&scan) :
                  c == 't' ? tdxJsonScanLiteral(&scan, "true") :
                  c == 'f' ? tdxJsonScanLiteral(&scan, "false") :
                  c == 'n' ? tdxJsonScanLiteral(&scan, "null") :
                  tdxJsonFail(&scan, "expected a JSON value"))) {
                tdxJsonSetError(error, code, &scan, "%s", scan.problem);
                return FALSE;
            }
            break;
        }

        /* a value (scalar or closed container) is complete */
        expect = depth == 0 ? TDX_JSON_EXPECT_END : TDX_JSON_EXPECT_COMMA_OR_CLOSE;
    }
}


JsonNode *
tdxJsonParse(const char *text, gssize len, gsize max_bytes,
             guint max_depth, int code, GError **error)
{
    g_autoptr(JsonParser) parser = NULL;
    g_autoptr(GError) json_error = NULL;
    gsize n;

    if (!tdxJsonCheck(text, len, max_bytes, max_depth, code, error))
        return NULL;
    n = len >= 0 ? (gsize) len : strlen(text);

    parser = json_parser_new();
    if (!json_parser_load_from_data(parser, text, (gssize) n, &json_error)) {
        g_set_error(error, TDX_ERROR, code, "%s", json_error->message);
        return NULL;
    }
    return json_parser_steal_root(parser);
}
