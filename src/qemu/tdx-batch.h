/*
 * tdx-batch.h: destroying many domains with bounded parallelism
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tdx-destroy.h"
#include "tdx-resolve.h"

typedef struct _tdxBatch tdxBatch;

/* Called from a worker thread when a domain's destroy has finished. */
typedef void (*tdxBatchDoneFunc)(gpointer opaque, const char *domain);

/* @jobs: how many destroys run at once; 0 means one per online CPU, the
 * point past which parallel reclaim stops getting faster. */
tdxBatch *tdxBatchNew(virConnectPtr conn, const tdxDestroyOptions *options,
                      guint jobs);
void tdxBatchFree(tdxBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxBatch, tdxBatchFree);

/* Destroys start in the order they were added; an unresolved argument
 * becomes a failed result without touching anything. */
void tdxBatchAdd(tdxBatch *batch, const tdxResolved *target);
/* Run everything added, blocking until all are done. */
void tdxBatchRun(tdxBatch *batch, tdxBatchDoneFunc done, gpointer opaque);

guint tdxBatchJobs(const tdxBatch *batch);
guint tdxBatchSize(const tdxBatch *batch);
const tdxDestroyResult *tdxBatchResult(const tdxBatch *batch, guint i);

/* 0 when every domain is gone; the shared exit code when all failures
 * agree on one, TDX_EXIT_FAILED when they differ. */
int tdxBatchExitCode(const tdxBatch *batch);

/* {"domains": [...], "summary": {...}, "exit_code": N} */
void tdxBatchToJson(const tdxBatch *batch, JsonBuilder *builder);
void tdxBatchSummaryToJson(const tdxBatch *batch, JsonBuilder *builder);
char *tdxBatchToText(const tdxBatch *batch);
