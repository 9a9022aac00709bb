/*
 * tdx-test-data.c: reading the files of tests/data/
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-test-data.h"


char *
tdxTestDataLoad(const char *group, const char *name)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "data", group, name, NULL);
    g_autoptr(GError) error = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &error))
        g_error("%s", error->message);
    return text;
}
