/*
 * tdx-host-run.h: shutdown-host, the run itself
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every guest that wants it gets its ACPI shutdown at the start; every
 * guest still running is torn down through the destroy path, longest
 * first on a bounded number of workers, a guest that got an ACPI shutdown
 * only once its own grace period is over (and not at all if it goes by
 * itself). One hard deadline covers the run: no teardown starts after it
 * and the run returns shortly after it whatever is still running, naming
 * what is left. Each domain's journal entry is written as soon as its
 * outcome is known.
 */
#pragma once

#include "tdx-host-plan.h"

/* Carry out @plan, filling in each domain's record and the plan's totals.
 * Returns the exit code (tdxExitCode): 0 when every TD (and every other
 * guest it was asked to stop) is gone. */
int tdxHostRun(virConnectPtr conn, tdxHostPlan *plan, const tdxHostOptions *options);

int tdxHostPlanExitCode(const tdxHostPlan *plan);

/* After the run: a record per domain and a summary. */
char *tdxHostResultToText(const tdxHostPlan *plan);
char *tdxHostResultSummary(const tdxHostPlan *plan);
void tdxHostResultToJson(const tdxHostPlan *plan, JsonBuilder *builder);
