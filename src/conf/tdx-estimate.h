/*
 * tdx-estimate.h: how long the kernel needs to reclaim a TD's memory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The model interpolates the measurements published with the
 * KVM_TDX_TERMINATE_VM series (docs/kernel.rst), see docs/teardown-model.rst:
 *   18 GB: 72 s -> 24 s, 107 GB: 517 s -> 134 s, 400 GB: 5539 s -> 467 s.
 */
#pragma once

#include <glib.h>

#include "tdx-config.h"

/* Estimated seconds from destroy until the TD's memory is reclaimed.
 * @terminate: whether the HKID is released first (KVM_TDX_TERMINATE_VM). */
double tdxEstimateReclaimSeconds(guint64 memory_kib, gboolean terminate);

/* Seconds to wait for a domain to disappear before calling it a timeout:
 * max(deadline-min, estimate * deadline-factor). Non-TDs use the
 * terminate figure, their teardown is never slower than a TD's. */
guint tdxEstimateDeadlineSeconds(const tdxConfig *config,
                                 guint64 memory_kib, gboolean is_td,
                                 gboolean terminate);
