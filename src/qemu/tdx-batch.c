/*
 * tdx-batch.c: destroying many domains with bounded parallelism
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-batch.h"
#include "tdx-error.h"
#include "tdx-libvirt.h"
#include "tdx-result.h"

typedef struct {
    char *name;
    char *uuid;             /* NULL: unresolved, result made at once */
    tdxDestroyResult *result;
} tdxBatchItem;

struct _tdxBatch {
    virConnectPtr conn;
    const tdxDestroyOptions *options;
    guint jobs;
    GArray *items;         /* tdxBatchItem */
    tdxBatchDoneFunc done;
    gpointer done_opaque;
    gint64 elapsed_usec;
};


static void
tdxBatchItemClear(gpointer opaque)
{
    tdxBatchItem *item = opaque;

    g_free(item->name);
    g_free(item->uuid);
    tdxDestroyResultFree(item->result);
}


tdxBatch *
tdxBatchNew(virConnectPtr conn, const tdxDestroyOptions *options, guint jobs)
{
    tdxBatch *batch = g_new0(tdxBatch, 1);

    batch->conn = conn;
    batch->options = options;
    batch->jobs = jobs > 0 ? jobs : g_get_num_processors();
    batch->items = g_array_new(FALSE, TRUE, sizeof(tdxBatchItem));
    g_array_set_clear_func(batch->items, tdxBatchItemClear);
    return batch;
}


void
tdxBatchFree(tdxBatch *batch)
{
    if (!batch)
        return;
    g_array_unref(batch->items);
    g_free(batch);
}


void
tdxBatchAdd(tdxBatch *batch, const tdxResolved *target)
{
    tdxBatchItem item = { 0 };

    if (target->uuid) {
        item.name = g_strdup(target->name);
        item.uuid = g_strdup(target->uuid);
    } else {
        item.name = g_strdup(target->argument);
        item.result = tdxDestroyResultNewFailed(target->argument, target->error);
    }
    g_array_append_val(batch->items, item);
}


static void
tdxBatchWork(gpointer data, gpointer opaque)
{
    tdxBatch *batch = opaque;
    tdxBatchItem *item = &g_array_index(batch->items, tdxBatchItem,
                                        GPOINTER_TO_UINT(data) - 1);

    item->result = tdxDestroyDomain(tdxConnectionForThread(batch->conn),
                                    item->uuid, item->name, batch->options);
    if (batch->done)
        batch->done(batch->done_opaque, item->name);
}


void
tdxBatchRun(tdxBatch *batch, tdxBatchDoneFunc done, gpointer opaque)
{
    gint64 start = g_get_monotonic_time();
    GThreadPool *pool;
    guint i;

    batch->done = done;
    batch->done_opaque = opaque;

    /* Exclusive threads: each destroy spends most of its time waiting on
     * the kernel, and a shared pool would let unrelated work delay it. */
    pool = g_thread_pool_new(tdxBatchWork, batch, (int) batch->jobs, TRUE, NULL);
    for (i = 0; i < batch->items->len; i++) {
        if (g_array_index(batch->items, tdxBatchItem, i).uuid)
            g_thread_pool_push(pool, GUINT_TO_POINTER(i + 1), NULL);
    }
    g_thread_pool_free(pool, FALSE, TRUE);

    batch->elapsed_usec = g_get_monotonic_time() - start;
}


guint
tdxBatchJobs(const tdxBatch *batch)
{
    return batch->jobs;
}


guint
tdxBatchSize(const tdxBatch *batch)
{
    return batch->items->len;
}


const tdxDestroyResult *
tdxBatchResult(const tdxBatch *batch, guint i)
{
    return g_array_index(batch->items, tdxBatchItem, i).result;
}


int
tdxBatchExitCode(const tdxBatch *batch)
{
    int code = TDX_EXIT_OK;
    guint i;

    for (i = 0; i < batch->items->len; i++) {
        const tdxDestroyResult *result = tdxBatchResult(batch, i);
        int item_code = tdxErrorToExitCode(result ? result->error : NULL);

        if (item_code == TDX_EXIT_OK)
            continue;
        if (code == TDX_EXIT_OK)
            code = item_code;
        else if (code != item_code)
            return TDX_EXIT_FAILED;
    }
    return code;
}


static guint
tdxBatchCountGone(const tdxBatch *batch)
{
    guint gone = 0;
    guint i;

    for (i = 0; i < batch->items->len; i++) {
        if (!tdxBatchResult(batch, i)->error)
            gone++;
    }
    return gone;
}


void
tdxBatchSummaryToJson(const tdxBatch *batch, JsonBuilder *builder)
{
    guint gone = tdxBatchCountGone(batch);

    json_builder_begin_object(builder);
    tdxJsonAddInt(builder, "requested", batch->items->len);
    tdxJsonAddInt(builder, "gone", gone);
    tdxJsonAddInt(builder, "failed", batch->items->len - gone);
    tdxJsonAddInt(builder, "jobs", batch->jobs);
    tdxJsonAddMs(builder, "elapsed_ms", batch->elapsed_usec);
    json_builder_end_object(builder);
}


void
tdxBatchToJson(const tdxBatch *batch, JsonBuilder *builder)
{
    guint i;

    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "domains");
    json_builder_begin_array(builder);
    for (i = 0; i < batch->items->len; i++)
        tdxDestroyResultToJson(tdxBatchResult(batch, i), builder);
    json_builder_end_array(builder);
    json_builder_set_member_name(builder, "summary");
    tdxBatchSummaryToJson(batch, builder);
    tdxJsonAddInt(builder, "exit_code", tdxBatchExitCode(batch));
    json_builder_end_object(builder);
}


char *
tdxBatchToText(const tdxBatch *batch)
{
    GString *text = g_string_new(NULL);
    guint gone = tdxBatchCountGone(batch);
    guint i;
    guint j;

    for (i = 0; i < batch->items->len; i++) {
        const tdxDestroyResult *result = tdxBatchResult(batch, i);
        g_autofree char *line = tdxDestroyResultToText(result);

        g_string_append_printf(text, "%s\n", line);
        for (j = 0; j < result->notes->len; j++)
            g_string_append_printf(text, "    note: %s\n",
                                   (const char *) g_ptr_array_index(result->notes, j));
    }
    g_string_append_printf(text, "%u of %u gone in %.2f s with %u jobs\n",
                           gone, batch->items->len,
                           batch->elapsed_usec / (double) G_USEC_PER_SEC,
                           batch->jobs);
    return g_string_free(text, FALSE);
}
