/*
 * tdx-json.h: the one way libvirt-tdx parses JSON it did not write itself
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * json-glib parses recursively and without any bound: a few hundred
 * thousand '[' in a QMP reply or in a domain's <qemu:commandline> overflow
 * the stack. Every JSON text from outside therefore goes through
 * tdxJsonParse(), which checks size, nesting depth and strict RFC 8259
 * syntax with a non-recursive scan before json-glib sees a byte.
 * The limits are documented in docs/input-limits.rst.
 */
#pragma once

#include <json-glib/json-glib.h>

/* Deeper than anything QEMU or libvirt produce (QMP replies nest < 10). */
#define TDX_JSON_MAX_DEPTH 64

/* A QMP reply: query-commands of a large QEMU is ~20 KiB. */
#define TDX_JSON_QMP_REPLY_MAX_BYTES (1024 * 1024)

/* One -object argument in a domain's <qemu:commandline>. */
#define TDX_JSON_OBJECT_ARG_MAX_BYTES (128 * 1024)

/* Check that @text (@len bytes, or NUL-terminated when @len < 0) is one
 * strict JSON value (UTF-8, no NUL, no unpaired surrogate, no trailing
 * data) of at most @max_bytes bytes nesting at most @max_depth arrays and
 * objects. Never recurses. On failure sets @error (TDX_ERROR, @code) with
 * what was wrong, the limit and the byte offset. */
gboolean tdxJsonCheck(const char *text, gssize len, gsize max_bytes,
                      guint max_depth, int code, GError **error);

/* tdxJsonCheck(), then json-glib. Returns the root node (owned by the
 * caller) or NULL with @error set as above. */
JsonNode *tdxJsonParse(const char *text, gssize len, gsize max_bytes,
                       guint max_depth, int code, GError **error);
