/*
 * tdx-test-data.h: reading the files of tests/data/
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* The contents of tests/data/@group/@name; a missing file aborts the
 * test, since it is the test that is broken then. */
char *tdxTestDataLoad(const char *group, const char *name);
