/*
 * cmd-destroy.c: virsh-tdx destroy DOMAIN...
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>

#include "cli.h"
#include "tdx-error.h"
#include "tdx-destroy.h"
#include "tdx-result.h"
#include "tdx-batch.h"
#include "tdx-resolve.h"


int
tdxCmdDestroy(tdxCli *cli, int argc, char **argv)
{
    gboolean json = cli->json;    /* --json before or after the command */
    gboolean graceful = FALSE;
    gboolean no_graceful = FALSE;
    gboolean graceful_alias = FALSE;
    gboolean no_graceful_alias = FALSE;
    gboolean strict_policy = FALSE;
    int jobs = 0;
    GOptionEntry entries[] = {
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
          "destroy up to N domains at once (default: [shutdown-host] jobs, "
          "0 = one per CPU)", "N" },
        { "shutdown-first", 0, 0, G_OPTION_ARG_NONE, &graceful,
          "try an ACPI shutdown first, for the grace period of the policy", NULL },
        { "no-shutdown-first", 0, 0, G_OPTION_ARG_NONE, &no_graceful,
          "never try an ACPI shutdown first, whatever the policy says", NULL },
        /* Before 0.2; virsh destroy --graceful means "no SIGKILL", which
         * these never meant: one release with a warning, then gone. */
        { "graceful", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &graceful_alias,
          "deprecated spelling of --shutdown-first", NULL },
        { "no-graceful", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &no_graceful_alias,
          "deprecated spelling of --no-shutdown-first", NULL },
        { "strict-policy", 0, 0, G_OPTION_ARG_NONE, &strict_policy,
          "refuse to destroy a domain whose <metadata> policy is unusable "
          "(default: warn and use the configuration)", NULL },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json,
          "print the results as JSON", NULL },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(tdxCliProgress) progress = NULL;
    g_autoptr(tdxBatch) batch = NULL;
    g_autoptr(GPtrArray) targets = NULL;
    tdxDestroyOptions options = {
        .config = &cli->config,
        .graceful = TDX_GRACEFUL_POLICY,
        .progress = tdxCliProgressUpdate,
    };
    int exit_code;
    guint i;

    if (!tdxCliParseOptions(cli, "destroy", "[--] DOMAIN...",
                            "Tear down each DOMAIN (name, ID or UUID; one that is the "
                            "name of one domain and the ID or UUID of another is refused "
                            "as ambiguous; arguments naming the same domain are one "
                            "teardown): probe its QEMU, "
                            "ask it to release the TD's HKID (tdx-terminate), destroy it "
                            "and wait until the kernel has reclaimed its memory.",
                            entries, &argc, &argv, &exit_code))
        return exit_code;
    if (graceful_alias) {
        tdxCliDeprecated(cli, "destroy", "--graceful", "--shutdown-first");
        graceful = TRUE;
    }
    if (no_graceful_alias) {
        tdxCliDeprecated(cli, "destroy", "--no-graceful", "--no-shutdown-first");
        no_graceful = TRUE;
    }

    if (argc < 2)
        return tdxCliUsageError(cli, "destroy", "no domain given");
    if (graceful && no_graceful)
        return tdxCliUsageError(cli, "destroy",
                                "--shutdown-first and --no-shutdown-first exclude each other");
    if (!tdxCliCheckJobs(jobs, &error))
        return tdxCliUsageError(cli, "destroy", "%s", error->message);
    options.strict_policy = strict_policy;
    if (graceful)
        options.graceful = TDX_GRACEFUL_ALWAYS;
    if (no_graceful)
        options.graceful = TDX_GRACEFUL_NEVER;

    if (!tdxCliConnect(cli, &error))
        return tdxCliReportError(cli, "destroy", error);

    /* Once, before anything is done: an ambiguous argument stops the whole
     * command (exit 2), and "g6 6 <uuid of g6>" is one teardown. */
    if (!(targets = tdxResolveDomains(cli->conn, (const char *const *) argv + 1,
                                      (guint) argc - 1, &error)))
        return tdxCliReportError(cli, "destroy", error);

    progress = tdxCliProgressNew(tdxCliProgressWanted(cli->quiet));
    options.progress_opaque = progress;
    batch = tdxBatchNew(cli->conn, &options,
                        jobs > 0 ? (guint) jobs : cli->config.jobs);
    for (i = 0; i < targets->len; i++)
        tdxBatchAdd(batch, g_ptr_array_index(targets, i));
    tdxBatchRun(batch, NULL, NULL);
    g_clear_pointer(&progress, tdxCliProgressFree);

    if (json) {
        g_autoptr(JsonBuilder) builder = json_builder_new();
        g_autoptr(JsonNode) root = NULL;
        JsonArray *domains;

        tdxBatchToJson(batch, builder);
        root = json_builder_get_root(builder);
        /* Results are in the order of the targets: add what was typed. */
        domains = json_object_get_array_member(json_node_get_object(root), "domains");
        for (i = 0; i < targets->len; i++) {
            const tdxResolved *target = g_ptr_array_index(targets, i);
            g_autoptr(JsonArray) arguments = json_array_new();
            guint j;

            for (j = 0; j < target->arguments->len; j++)
                json_array_add_string_element(arguments,
                                              g_ptr_array_index(target->arguments, j));
            json_object_set_array_member(json_array_get_object_element(domains, i),
                                         "arguments", g_steal_pointer(&arguments));
        }
        tdxCliPrintJsonNode(cli, "destroy", root, tdxBatchExitCode(batch));
    } else {
        g_autofree char *text = tdxBatchToText(batch);

        fputs(text, stdout);
    }
    return tdxBatchExitCode(batch);
}
