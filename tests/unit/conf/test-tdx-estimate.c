/*
 * test-tdx-estimate.c: the teardown time model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-estimate.h"

/* KiB of a guest of @gb decimal gigabytes */
#define GB_KIB(gb) ((guint64) ((gb) * 1e9 / 1024.0))


static void
testPublishedPoints(void)
{
    /* 18 GB and 400 GB are whole KiB; 107 GB is half a KiB off. */
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(0, FALSE), 0.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(0, TRUE), 0.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(17578125, FALSE), 72.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(17578125, TRUE), 24.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(GB_KIB(107), FALSE), 517.0, 1e-3);
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(GB_KIB(107), TRUE), 134.0, 1e-3);
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(390625000, FALSE), 5539.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(390625000, TRUE), 467.0, 1e-9);
}


static void
testInterpolation(void)
{
    /* halfway along the first and last segments */
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(GB_KIB(9), FALSE), 36.0, 1e-3);
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(GB_KIB(9), TRUE), 12.0, 1e-3);
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(GB_KIB(253.5), FALSE),
                                   (517.0 + 5539.0) / 2, 1e-3);
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(GB_KIB(253.5), TRUE),
                                   (134.0 + 467.0) / 2, 1e-3);

    /* 16 GiB is 17.18 GB: units are decimal, so not 16/18 of 72 */
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(16 * 1024 * 1024, FALSE),
                                   17.179869184 * 4.0, 1e-6);
}


static void
testExtrapolation(void)
{
    double slow_slope = (5539.0 - 517.0) / (400.0 - 107.0);
    double fast_slope = (467.0 - 134.0) / (400.0 - 107.0);

    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(2 * 390625000ULL, FALSE),
                                   5539.0 + 400.0 * slow_slope, 1e-6);
    g_assert_cmpfloat_with_epsilon(tdxEstimateReclaimSeconds(2 * 390625000ULL, TRUE),
                                   467.0 + 400.0 * fast_slope, 1e-6);
}


static void
testMonotonic(void)
{
    double prev_slow = -1;
    double prev_fast = -1;
    guint64 kib;

    for (kib = 0; kib < 4ULL * 1024 * 1024 * 1024; kib += 7919ULL * 1024) {
        double slow = tdxEstimateReclaimSeconds(kib, FALSE);
        double fast = tdxEstimateReclaimSeconds(kib, TRUE);

        g_assert_cmpfloat(slow, >=, prev_slow);
        g_assert_cmpfloat(fast, >=, prev_fast);
        g_assert_cmpfloat(fast, <=, slow);
        prev_slow = slow;
        prev_fast = fast;
    }
}


static void
testDeadline(void)
{
    tdxConfig config;

    tdxConfigInit(&config);

    /* small guests get the floor */
    g_assert_cmpuint(tdxEstimateDeadlineSeconds(&config, 1024 * 1024, TRUE, TRUE), ==, 60);
    g_assert_cmpuint(tdxEstimateDeadlineSeconds(&config, 0, TRUE, FALSE), ==, 60);

    /* 400 GB: 3 x the estimate */
    g_assert_cmpuint(tdxEstimateDeadlineSeconds(&config, 390625000, TRUE, FALSE), ==, 16617);
    g_assert_cmpuint(tdxEstimateDeadlineSeconds(&config, 390625000, TRUE, TRUE), ==, 1401);

    /* non-TDs use the terminate figure whatever @terminate says */
    g_assert_cmpuint(tdxEstimateDeadlineSeconds(&config, 390625000, FALSE, FALSE), ==, 1401);
    g_assert_cmpuint(tdxEstimateDeadlineSeconds(&config, 390625000, FALSE, TRUE), ==, 1401);

    /* 18 GB with terminate: 24 s, x 3 = 72; x 1.01 = 24.24, rounded up */
    config.deadline_min_seconds = 1;
    g_assert_cmpuint(tdxEstimateDeadlineSeconds(&config, 17578125, TRUE, TRUE), ==, 72);
    config.deadline_factor = 1.01;
    g_assert_cmpuint(tdxEstimateDeadlineSeconds(&config, 17578125, TRUE, TRUE), ==, 25);

    /* absurd sizes saturate instead of wrapping */
    config.deadline_factor = 100.0;
    g_assert_cmpuint(tdxEstimateDeadlineSeconds(&config, G_MAXUINT64, TRUE, FALSE), ==,
                     G_MAXUINT);

    tdxConfigClear(&config);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/conf/estimate/published-points", testPublishedPoints);
    g_test_add_func("/conf/estimate/interpolation", testInterpolation);
    g_test_add_func("/conf/estimate/extrapolation", testExtrapolation);
    g_test_add_func("/conf/estimate/monotonic", testMonotonic);
    g_test_add_func("/conf/estimate/deadline", testDeadline);

    return g_test_run();
}
