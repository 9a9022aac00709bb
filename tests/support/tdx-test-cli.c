/*
 * tdx-test-cli.c: run the virsh-tdx under test and check what every run
 * must give
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <sys/wait.h>

#include "tdx-json-schema.h"
#include "tdx-test-cli.h"


void
tdxTestRunClear(tdxTestRun *run)
{
    g_free(run->out);
    g_free(run->err);
}


void
tdxTestRunCliv(tdxTestRun *run, const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) error = NULL;
    const char *virsh_tdx = g_getenv("VIRSH_TDX");
    int status;

    if (!virsh_tdx)
        g_error("VIRSH_TDX is not set (run through meson test)");
    g_ptr_array_add(argv, (gpointer) virsh_tdx);
    for (; *args; args++)
        g_ptr_array_add(argv, (gpointer) *args);
    g_ptr_array_add(argv, NULL);

    if (!g_spawn_sync(NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                      &run->out, &run->err, &status, &error))
        g_error("cannot run virsh-tdx: %s", error->message);
    if (WIFSIGNALED(status))
        g_error("virsh-tdx died of signal %d (%s); stderr:\n%s", WTERMSIG(status),
                g_strsignal(WTERMSIG(status)), run->err);
    g_assert_true(WIFEXITED(status));
    run->exit_code = WEXITSTATUS(status);
    /* the outputs can be large: the head is enough for a post-mortem */
    g_test_message("exit %d\nstdout:\n%.4000s\nstderr:\n%.4000s", run->exit_code,
                   run->out, run->err);

    if (g_strv_contains((const char *const *) argv->pdata, "--json")) {
        g_autoptr(JsonNode) root = NULL;
        JsonObject *object;

        tdxTestJsonCheckSchema(run->out);
        object = tdxTestJson(run->out, &root);
        g_assert_cmpint(json_object_get_int_member(object, "exit_code"), ==, run->exit_code);
    }
}


JsonObject *
tdxTestJson(const char *text, JsonNode **root)
{
    g_autoptr(GError) error = NULL;

    *root = json_from_string(text, &error);
    g_assert_no_error(error);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(*root));
    return json_node_get_object(*root);
}
