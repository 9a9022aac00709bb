/*
 * tdx-fuzz.c: what every libFuzzer target of libvirt-tdx shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-fuzz.h"

#include <string.h>


static GLogWriterOutput
tdxFuzzLogWriter(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                 gpointer opaque)
{
    /* A critical is a programming error in our code: make it a finding. */
    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        return g_log_writer_standard_streams(level, fields, n_fields, opaque);
    return G_LOG_WRITER_HANDLED;
}


void
tdxFuzzInit(void)
{
    g_log_set_writer_func(tdxFuzzLogWriter, NULL, NULL);
    g_log_set_always_fatal(G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
}


char *
tdxFuzzString(const uint8_t *data, size_t size)
{
    char *text = g_malloc(size + 1);

    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}
