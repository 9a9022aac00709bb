/*
 * tdx-json-schema.c: every JSON document a test sees, checked against
 * docs/schema/
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <sys/wait.h>

#include <gio/gio.h>

#include "tdx-json-schema.h"


void
tdxTestJsonCheckSchema(const char *stdout_text)
{
    const char *checker = g_getenv("TDX_JSON_SCHEMA_CHECK");
    g_autoptr(GSubprocess) process = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *err = NULL;

    if (!checker)
        g_error("TDX_JSON_SCHEMA_CHECK is not set (run through meson test)");
    process = g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error, checker, NULL);
    g_assert_no_error(error);
    g_assert_true(g_subprocess_communicate_utf8(process, stdout_text, NULL, NULL,
                                                &err, &error));
    g_assert_no_error(error);
    if (!g_subprocess_get_if_exited(process) || g_subprocess_get_exit_status(process) != 0) {
        g_test_message("document:\n%s", stdout_text);
        g_error("JSON schema check failed:\n%s", err);
    }
}
