/*
 * tdx-result.h: destroy results as JSON (for Nova/oVirt-style callers) and text
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tdx-destroy.h"

/* "gone" for success, otherwise the exit code name of the error. */
const char *tdxDestroyResultOutcome(const tdxDestroyResult *result);

/* Adds one object describing @result to @builder (which must be ready for
 * a value); field names are documented in docs/virsh-tdx.rst. */
void tdxDestroyResultToJson(const tdxDestroyResult *result, JsonBuilder *builder);

/* One human line, e.g. "td1: gone via terminate in 2.31 s (...)". */
char *tdxDestroyResultToText(const tdxDestroyResult *result);

/* Add one member to the object being built. */
void tdxJsonAddString(JsonBuilder *builder, const char *name, const char *value);
void tdxJsonAddInt(JsonBuilder *builder, const char *name, gint64 value);
void tdxJsonAddBool(JsonBuilder *builder, const char *name, gboolean value);
void tdxJsonAddDouble(JsonBuilder *builder, const char *name, double value);

/* Add member @name: null without @error, else {"code", "exit", "message"}
 * (docs/schema/common-1.json). */
void tdxJsonAddError(JsonBuilder *builder, const char *name, const GError *error);

/* Add member @name as whole milliseconds. */
void tdxJsonAddMs(JsonBuilder *builder, const char *name, gint64 usec);

/* Serialize @root, pretty-printed, with a trailing newline. */
char *tdxJsonToString(JsonNode *root);
