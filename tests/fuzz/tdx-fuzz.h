/*
 * tdx-fuzz.h: what every libFuzzer target of libvirt-tdx shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Drop log output (warnings about rejected input are expected and would
 * only slow the run); g_error() and criticals still abort. */
void tdxFuzzInit(void);

/* @data as a NUL-terminated string, as our parsers get it from libvirt
 * (which cuts at the first NUL). */
char *tdxFuzzString(const uint8_t *data, size_t size);
