/*
 * tdx-json-schema.h: every JSON document a test sees, checked against
 * docs/schema/
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* Fail the test unless @stdout_text is exactly one JSON document valid
 * against the schema of its "command" (tests/support/json-schema-check,
 * path in $TDX_JSON_SCHEMA_CHECK, set by meson). */
void tdxTestJsonCheckSchema(const char *stdout_text);
