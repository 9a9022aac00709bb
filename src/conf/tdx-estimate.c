/*
 * tdx-estimate.c: how long the kernel needs to reclaim a TD's memory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The published figures are all we have, so the model is the simplest one
 * that passes through every one of them: straight lines between the
 * measurements, continued past the largest with the last slope (the
 * without-terminate curve is superlinear, so this underestimates there and
 * the deadline factor must absorb it). See docs/teardown-model.rst.
 */
#include "tdx-estimate.h"

#include <math.h>

typedef struct {
    double gb;          /* guest memory, GB = 10^9 bytes */
    double seconds;     /* destroy until the memory is back */
} tdxEstimatePoint;

static const tdxEstimatePoint tdxEstimateWithoutTerminate[] = {
    { 0, 0 }, { 18, 72 }, { 107, 517 }, { 400, 5539 },
};

static const tdxEstimatePoint tdxEstimateWithTerminate[] = {
    { 0, 0 }, { 18, 24 }, { 107, 134 }, { 400, 467 },
};


static double
tdxEstimateInterpolate(const tdxEstimatePoint *pts, size_t n, double gb)
{
    size_t i;

    /* The last segment also serves every size beyond the table. */
    for (i = 1; i < n - 1; i++) {
        if (gb <= pts[i].gb)
            break;
    }
    return pts[i - 1].seconds +
           (gb - pts[i - 1].gb) * (pts[i].seconds - pts[i - 1].seconds) /
           (pts[i].gb - pts[i - 1].gb);
}


double
tdxEstimateReclaimSeconds(guint64 memory_kib, gboolean terminate)
{
    /* Decimal GB: the series does not say which, and reading a GiB-sized
     * guest as more GB gives the longer, safer estimate. */
    double gb = (double) memory_kib * 1024.0 / 1e9;

    if (terminate)
        return tdxEstimateInterpolate(tdxEstimateWithTerminate,
                                      G_N_ELEMENTS(tdxEstimateWithTerminate), gb);
    return tdxEstimateInterpolate(tdxEstimateWithoutTerminate,
                                  G_N_ELEMENTS(tdxEstimateWithoutTerminate), gb);
}


guint
tdxEstimateDeadlineSeconds(const tdxConfig *config,
                           guint64 memory_kib, gboolean is_td,
                           gboolean terminate)
{
    double estimate;
    double deadline;

    /* A plain VM has no private memory to reclaim; its teardown is never
     * slower than a terminated TD of the same size. */
    estimate = tdxEstimateReclaimSeconds(memory_kib, is_td ? terminate : TRUE);
    deadline = ceil(estimate * config->deadline_factor);

    if (deadline < config->deadline_min_seconds)
        return config->deadline_min_seconds;
    if (deadline >= (double) G_MAXUINT)
        return G_MAXUINT;
    return (guint) deadline;
}
