/*
 * tdx-test-cli.h: run the virsh-tdx under test ($VIRSH_TDX) and check
 * what every run must give
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct {
    int exit_code;
    char *out;
    char *err;
} tdxTestRun;

void tdxTestRunClear(tdxTestRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(tdxTestRun, tdxTestRunClear);

/* Run virsh-tdx with @args (NULL-terminated), without a terminal. A
 * signal fails the test; a --json run must print exactly one document,
 * valid against docs/schema/, whose exit_code is the exit status. */
void tdxTestRunCliv(tdxTestRun *run, const char *const *args);

/* tdxTestRunCli(&run, "list", "--json"): the arguments, NULL added (a
 * NULL of the caller's own ends them as well). */
#define tdxTestRunCli(run, ...) \
    tdxTestRunCliv(run, (const char *const []) { __VA_ARGS__, NULL })

/* @text parsed as a JSON object (the test fails otherwise); *root owns it. */
JsonObject *tdxTestJson(const char *text, JsonNode **root);
