/*
 * fuzz-config.c: libFuzzer target for tdxConfigLoad()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input is the file's content, written to a memfd that is loaded
 * through /proc/self/fd like any path given to --config.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tdx-config.h"
#include "tdx-error.h"
#include "tdx-fuzz.h"

static int tdxFuzzFd = -1;
static char *tdxFuzzPath;


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    tdxFuzzInit();
    if ((tdxFuzzFd = memfd_create("tdx-fuzz.conf", MFD_CLOEXEC)) < 0)
        g_error("memfd_create: %s", g_strerror(errno));
    tdxFuzzPath = g_strdup_printf("/proc/self/fd/%d", tdxFuzzFd);
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL;
    tdxConfig config;
    tdxConfig before;

    if (ftruncate(tdxFuzzFd, 0) < 0 ||
        pwrite(tdxFuzzFd, data, size, 0) != (ssize_t) size)
        g_error("writing the memfd: %s", g_strerror(errno));

    tdxConfigInit(&config);
    tdxConfigInit(&before);
    if (tdxConfigLoad(&config, tdxFuzzPath, FALSE, &error)) {
        g_assert(!error);
        g_assert(config.uri && *config.uri);
        g_assert(config.deadline_factor >= 1.0 && config.deadline_factor <= 100.0);
    } else {
        /* refused: a config error (exit 3) naming the file, nothing applied */
        g_assert(g_error_matches(error, TDX_ERROR, TDX_ERROR_CONFIG));
        g_assert(g_str_has_prefix(error->message, tdxFuzzPath));
        g_assert(g_str_equal(config.uri, before.uri));
        g_assert(config.grace_seconds == before.grace_seconds);
    }
    tdxConfigClear(&config);
    tdxConfigClear(&before);
    return 0;
}
