/*
 * test-tdx-config.c: host configuration loading
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "tdx-config.h"
#include "tdx-error.h"


static char *
tdxTestDataPath(const char *name)
{
    return g_test_build_filename(G_TEST_DIST, "data", "conf", name, NULL);
}


static void
tdxTestAssertConfigEqual(const tdxConfig *a, const tdxConfig *b)
{
    g_assert_cmpstr(a->uri, ==, b->uri);
    g_assert_cmpint(a->graceful, ==, b->graceful);
    g_assert_cmpuint(a->grace_seconds, ==, b->grace_seconds);
    g_assert_cmpuint(a->monitor_timeout_ms, ==, b->monitor_timeout_ms);
    g_assert_cmpuint(a->terminate_retries, ==, b->terminate_retries);
    g_assert_cmpuint(a->terminate_retry_delay_ms, ==, b->terminate_retry_delay_ms);
    g_assert_cmpfloat(a->deadline_factor, ==, b->deadline_factor);
    g_assert_cmpuint(a->deadline_min_seconds, ==, b->deadline_min_seconds);
    g_assert_cmpint(a->non_td, ==, b->non_td);
    g_assert_cmpint(a->no_terminate, ==, b->no_terminate);
    g_assert_cmpuint(a->jobs, ==, b->jobs);
    g_assert_cmpuint(a->host_deadline_seconds, ==, b->host_deadline_seconds);
    g_assert_cmpint(a->host_graceful, ==, b->host_graceful);
    g_assert_cmpuint(a->host_grace_seconds, ==, b->host_grace_seconds);
    g_assert_cmpint(a->host_non_td, ==, b->host_non_td);
}


static void
testDefaults(void)
{
    tdxConfig config;

    tdxConfigInit(&config);
    g_assert_cmpstr(config.uri, ==, "qemu:///system");
    g_assert_false(config.graceful);
    g_assert_cmpuint(config.grace_seconds, ==, 30);
    g_assert_cmpuint(config.monitor_timeout_ms, ==, 10000);
    g_assert_cmpuint(config.terminate_retries, ==, 5);
    g_assert_cmpuint(config.terminate_retry_delay_ms, ==, 200);
    g_assert_cmpfloat(config.deadline_factor, ==, 3.0);
    g_assert_cmpuint(config.deadline_min_seconds, ==, 60);
    g_assert_cmpint(config.non_td, ==, TDX_NON_TD_DESTROY);
    g_assert_cmpint(config.no_terminate, ==, TDX_FALLBACK_DESTROY);
    g_assert_cmpuint(config.jobs, ==, 0);
    g_assert_cmpuint(config.host_deadline_seconds, ==, 1500);
    g_assert_false(config.host_graceful);
    g_assert_cmpuint(config.host_grace_seconds, ==, 60);
    g_assert_cmpint(config.host_non_td, ==, TDX_HOST_NON_TD_LEAVE);
    tdxConfigClear(&config);
    g_assert_null(config.uri);
    /* clearing twice is harmless */
    tdxConfigClear(&config);
}


static void
testGood(void)
{
    g_autofree char *path = tdxTestDataPath("good.conf");
    g_autoptr(GError) error = NULL;
    tdxConfig config;

    tdxConfigInit(&config);
    g_assert_true(tdxConfigLoad(&config, path, FALSE, &error));
    g_assert_no_error(error);

    g_assert_cmpstr(config.uri, ==, "qemu+ssh://root@hv07.example.com/system");
    g_assert_true(config.graceful);
    g_assert_cmpuint(config.grace_seconds, ==, 45);
    g_assert_cmpuint(config.monitor_timeout_ms, ==, 2500);
    g_assert_cmpuint(config.terminate_retries, ==, 0);
    g_assert_cmpuint(config.terminate_retry_delay_ms, ==, 10);
    g_assert_cmpfloat(config.deadline_factor, ==, 2.5);
    g_assert_cmpuint(config.deadline_min_seconds, ==, 120);
    g_assert_cmpint(config.non_td, ==, TDX_NON_TD_REFUSE);
    g_assert_cmpint(config.no_terminate, ==, TDX_FALLBACK_REFUSE);
    g_assert_cmpuint(config.jobs, ==, 8);
    g_assert_cmpuint(config.host_deadline_seconds, ==, 3600);
    g_assert_true(config.host_graceful);
    g_assert_cmpuint(config.host_grace_seconds, ==, 0);
    g_assert_cmpint(config.host_non_td, ==, TDX_HOST_NON_TD_SHUTDOWN);

    tdxConfigClear(&config);
}


/* conf/tdx.conf documents the defaults: loaded as shipped, and with every
 * commented-out setting enabled, it must give exactly tdxConfigInit(). */
static void
testSampleMatchesDefaults(void)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..", "conf",
                                                  "tdx.conf", NULL);
    g_autofree char *contents = NULL;
    g_autofree char *tmpdir = NULL;
    g_autofree char *enabled_path = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GString) enabled = g_string_new(NULL);
    g_autoptr(GError) error = NULL;
    guint settings = 0;
    tdxConfig defaults;
    tdxConfig config;
    size_t i;

    tdxConfigInit(&defaults);

    tdxConfigInit(&config);
    g_assert_true(tdxConfigLoad(&config, path, FALSE, &error));
    g_assert_no_error(error);
    tdxTestAssertConfigEqual(&config, &defaults);
    tdxConfigClear(&config);

    g_assert_true(g_file_get_contents(path, &contents, NULL, &error));
    lines = g_strsplit(contents, "\n", -1);
    for (i = 0; lines[i]; i++) {
        const char *line = lines[i];

        /* "#key = value" is a setting, "# text" is prose */
        if (line[0] == '#' && g_ascii_islower(line[1]) && strstr(line, " = ")) {
            line++;
            settings++;
        }
        g_string_append_printf(enabled, "%s\n", line);
    }
    /* every key of tdx-config.h is in the sample */
    g_assert_cmpuint(settings, ==, 15);

    tmpdir = g_dir_make_tmp("tdx-config-XXXXXX", &error);
    g_assert_no_error(error);
    enabled_path = g_build_filename(tmpdir, "tdx.conf", NULL);
    g_assert_true(g_file_set_contents(enabled_path, enabled->str, -1, &error));

    tdxConfigInit(&config);
    g_assert_true(tdxConfigLoad(&config, enabled_path, FALSE, &error));
    g_assert_no_error(error);
    tdxTestAssertConfigEqual(&config, &defaults);
    tdxConfigClear(&config);

    g_assert_cmpint(g_unlink(enabled_path), ==, 0);
    g_assert_cmpint(g_rmdir(tmpdir), ==, 0);
    tdxConfigClear(&defaults);
}


static void
testErrors(void)
{
    static const struct {
        const char *file;
        const char *needle;
    } cases[] = {
        { "unknown-group.conf",
          "unknown-group.conf: unknown group [destory]: expected [connection], "
          "[destroy] or [shutdown-host]" },
        { "unknown-key.conf",
          "unknown-key.conf: [destroy] unknown key 'grace-periode': expected one of "
          "graceful-shutdown, grace-period," },
        { "wrong-type-int.conf",
          "wrong-type-int.conf: [destroy] terminate-retries=abc: must be an integer "
          "from 0 to 100" },
        { "wrong-type-bool.conf",
          "wrong-type-bool.conf: [shutdown-host] graceful-shutdown=maybe: must be "
          "true or false" },
        { "out-of-range.conf",
          "out-of-range.conf: [destroy] terminate-retries=500: must be an integer "
          "from 0 to 100" },
        { "bad-enum.conf",
          "bad-enum.conf: [shutdown-host] non-td=suspend: must be one of leave, "
          "shutdown, destroy" },
        { "syntax-error.conf", "syntax-error.conf: " },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = tdxTestDataPath(cases[i].file);
        g_autoptr(GError) error = NULL;
        tdxConfig config;
        tdxConfig defaults;

        g_test_message("file %s", cases[i].file);
        tdxConfigInit(&config);
        tdxConfigInit(&defaults);

        g_assert_false(tdxConfigLoad(&config, path, TRUE, &error));
        g_assert_error(error, TDX_ERROR, TDX_ERROR_CONFIG);
        if (!strstr(error->message, cases[i].needle))
            g_error("message '%s' lacks '%s'", error->message, cases[i].needle);
        /* the full path is named, so the operator knows which file */
        g_assert_true(g_str_has_prefix(error->message, path));

        /* untouched: earlier valid lines in the same file are not applied */
        tdxTestAssertConfigEqual(&config, &defaults);

        tdxConfigClear(&config);
        tdxConfigClear(&defaults);
    }
}


static void
testValueTable(void)
{
    static const struct {
        const char *text;
        gboolean ok;
        const char *needle;
    } cases[] = {
        { "[destroy]\ndeadline-factor = 1.0\n", TRUE, NULL },
        { "[destroy]\ndeadline-factor = 100\n", TRUE, NULL },
        { "[destroy]\ndeadline-factor = 0.5\n", FALSE,
          "[destroy] deadline-factor=0.5: must be a decimal number from 1.0 to 100.0" },
        { "[destroy]\ndeadline-factor = nan\n", FALSE, "deadline-factor=nan" },
        { "[destroy]\ndeadline-factor = inf\n", FALSE, "deadline-factor=inf" },
        { "[destroy]\ndeadline-factor = 2x\n", FALSE, "deadline-factor=2x" },
        { "[destroy]\ndeadline-factor =\n", FALSE, "deadline-factor=: must be" },
        { "[destroy]\ngrace-period = -1\n", FALSE,
          "[destroy] grace-period=-1: must be an integer from 0 to 3600" },
        { "[destroy]\ngrace-period = 3600\n", TRUE, NULL },
        { "[destroy]\ngrace-period = 0x10\n", FALSE, "grace-period=0x10" },
        { "[destroy]\nmonitor-timeout-ms = 99\n", FALSE, "from 100 to 600000" },
        { "[destroy]\nterminate-retry-delay-ms = 60001\n", FALSE, "from 10 to 60000" },
        { "[destroy]\ndeadline-min = 0\n", FALSE, "from 1 to 86400" },
        { "[destroy]\nnon-td = Destroy\n", FALSE,
          "[destroy] non-td=Destroy: must be one of destroy, refuse" },
        { "[destroy]\nwithout-terminate = leave\n", FALSE,
          "[destroy] without-terminate=leave: must be one of destroy, refuse" },
        { "[destroy]\ngraceful-shutdown = yes\n", FALSE, "must be true or false" },
        { "[destroy]\ngraceful-shutdown = 1\n", TRUE, NULL },
        { "[shutdown-host]\njobs = 1025\n", FALSE, "[shutdown-host] jobs=1025: must be an integer from 0 to 1024" },
        { "[shutdown-host]\ndeadline = 9\n", FALSE, "from 10 to 604800" },
        { "[shutdown-host]\ndeadline = 604800\n", TRUE, NULL },
        { "[shutdown-host]\ngrace-period = 3601\n", FALSE, "from 0 to 3600" },
        { "[shutdown-host]\nterminate-retries = 1\n", FALSE,
          "[shutdown-host] unknown key 'terminate-retries': expected one of jobs, "
          "deadline, graceful-shutdown, grace-period, non-td" },
        { "[connection]\nuri =\n", FALSE, "[connection] uri=: must not be empty" },
        { "[connection]\nuri[de] = qemu:///system\n", FALSE, "unknown key 'uri[de]'" },
        { "top = 1\n", FALSE, "" },
        /* issue 9: numbers are plain decimal only (g_ascii_strtod took these) */
        { "[destroy]\ndeadline-factor = 0x10\n", FALSE,
          "[destroy] deadline-factor=0x10: must be a decimal number from 1.0 to 100.0" },
        { "[destroy]\ndeadline-factor = +5\n", FALSE, "deadline-factor=+5: must be" },
        { "[destroy]\ndeadline-factor = 1e1\n", FALSE, "deadline-factor=1e1: must be" },
        { "[destroy]\ndeadline-factor = 5.\n", FALSE, "deadline-factor=5.: must be" },
        { "[destroy]\ndeadline-factor = .5\n", FALSE, "deadline-factor=.5: must be" },
        { "[destroy]\ndeadline-factor = 2 5\n", FALSE, "deadline-factor=2 5: must be" },
        { "[destroy]\ndeadline-factor = -2\n", FALSE, "deadline-factor=-2: must be" },
        { "[destroy]\ndeadline-factor = 1000000000000000000000000000000\n", FALSE,
          "must be a decimal number" },
        { "[destroy]\ndeadline-factor = 2.50\n", TRUE, NULL },
        { "[destroy]\ndeadline-factor = 7 \n", TRUE, NULL },
        { "[destroy]\ngrace-period = +5\n", FALSE,
          "[destroy] grace-period=+5: must be an integer from 0 to 3600" },
        { "[destroy]\ngrace-period = 1 0\n", FALSE, "grace-period=1 0: must be" },
        { "[destroy]\ngrace-period = 18446744073709551617\n", FALSE,
          "grace-period=18446744073709551617: must be an integer from 0 to 3600" },
        { "[destroy]\ngrace-period = 4294967306\n", FALSE, "from 0 to 3600" },
        { "[destroy]\ngrace-period = 0010\n", TRUE, NULL },
        /* duplicates: GKeyFile keeps the last one silently */
        { "[destroy]\ngrace-period = 5\ngrace-period = 50\n", FALSE,
          "line 3: [destroy] grace-period is set again (first at line 2): keep one" },
        { "[destroy]\ngrace-period=5\n[shutdown-host]\njobs=2\n[destroy]\n"
          "deadline-min=5\n", FALSE,
          "line 5: group [destroy] appears again (first at line 1): merge them" },
        { "[destroy]\ngrace-period = 5\n  # grace-period = 6\n"
          "[shutdown-host]\ngrace-period = 5\n", TRUE, NULL },
        { "[destroy]\r\ngrace-period = 5\r\n[shutdown-host]\r\ngrace-period = 5\r\n",
          TRUE, NULL },
        { "[destroy]\r\ngrace-period = 5\r\ngrace-period\t= 6\r\n", FALSE,
          "line 3: [destroy] grace-period is set again (first at line 2)" },
        { "[connection]\nuri = a\n  uri=b\n", FALSE,
          "line 3: [connection] uri is set again (first at line 2)" },
        /* escapes in strings: GKeyFile returned the raw text on error */
        { "[connection]\nuri = qemu:///sys\\qtem\n", FALSE,
          "[connection] uri=qemu:///sys\\qtem: invalid escape sequence" },
        { "[connection]\nuri = qemu:///system\\\n", FALSE, "invalid escape sequence" },
        { "[connection]\nuri = qemu:///sys\\ntem\n", FALSE,
          "uri=qemu:///sys\\ntem: must not contain control characters" },
        { "[connection]\nuri = qemu+ssh://h/system?keyfile=C:\\\\k\n", TRUE, NULL },
        /* deadline >= 4 x monitor-timeout-ms, whichever key is set. */
        { "[shutdown-host]\ndeadline = 39\n", FALSE,
          "[shutdown-host] deadline=39 is shorter than 4 x [destroy] "
          "monitor-timeout-ms=10000" },
        { "[shutdown-host]\ndeadline = 40\n", TRUE, NULL },
        { "[destroy]\nmonitor-timeout-ms = 2500\n[shutdown-host]\ndeadline = 10\n",
          TRUE, NULL },
        { "[destroy]\nmonitor-timeout-ms = 2501\n[shutdown-host]\ndeadline = 10\n",
          FALSE, "raise deadline to at least 11" },
        { "[destroy]\nmonitor-timeout-ms = 600000\n", FALSE, "deadline=1500" },
        { "", TRUE, NULL },
    };
    g_autofree char *tmpdir = NULL;
    g_autofree char *path = NULL;
    g_autoptr(GError) tmp_error = NULL;
    size_t i;

    tmpdir = g_dir_make_tmp("tdx-config-XXXXXX", &tmp_error);
    g_assert_no_error(tmp_error);
    path = g_build_filename(tmpdir, "tdx.conf", NULL);

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        tdxConfig config;
        gboolean ok;

        g_test_message("case %zu: %s", i, cases[i].text);
        g_assert_true(g_file_set_contents(path, cases[i].text, -1, NULL));
        tdxConfigInit(&config);
        ok = tdxConfigLoad(&config, path, FALSE, &error);
        if (cases[i].ok) {
            g_assert_no_error(error);
            g_assert_true(ok);
        } else {
            g_assert_false(ok);
            g_assert_error(error, TDX_ERROR, TDX_ERROR_CONFIG);
            g_assert_true(g_str_has_prefix(error->message, path));
            if (!strstr(error->message, cases[i].needle))
                g_error("message '%s' lacks '%s'", error->message, cases[i].needle);
        }
        tdxConfigClear(&config);
    }

    g_assert_cmpint(g_unlink(path), ==, 0);
    g_assert_cmpint(g_rmdir(tmpdir), ==, 0);
}


/* issue 9: what GKeyFile got wrong about the file itself */
static void
testFileDefects(void)
{
    static const struct {
        const char *name;
        const char *data;
        gssize len;
        const char *needle;
    } cases[] = {
        /* GKeyFile stopped the line at the NUL: "grace-period = 5" */
        { "nul.conf", "[destroy]\ngrace-period = 5\0 0\n", 28,
          "nul.conf: line 2: contains a NUL byte" },
        { "nul-comment.conf", "# \0\n[destroy]\n", 15, "line 1: contains a NUL byte" },
        { "latin1.conf", "[connection]\n# caf\xe9\nuri = test:///default\n", -1,
          "latin1.conf: line 2: not valid UTF-8" },
        /* GKeyFile's own syntax errors name no line: ours do */
        { "no-group.conf", "# c\ngrace-period = 5\n", -1,
          "no-group.conf: line 2: 'grace-period = 5' comes before any [group]" },
        { "no-key.conf", "[destroy]\n=5\n", -1,
          "no-key.conf: line 2: '=5' is neither [group], key = value nor a # comment" },
        { "no-equals.conf", "[destroy]\r\ngrace-period 5\r\n", -1,
          "no-equals.conf: line 2: 'grace-period 5' is neither [group]" },
        { "open-group.conf", "[destroy]\ngrace-period = 5\n[shutdown-host\n", -1,
          "open-group.conf: line 3: '[shutdown-host' is not a valid group header" },
        { "empty-group.conf", "[]\n", -1, "empty-group.conf: line 1: '[]' is not a valid" },
        /* only one BOM is skipped, and only at the start */
        { "two-boms.conf", "\xEF\xBB\xBF\xEF\xBB\xBF[destroy]\n", -1, "two-boms.conf: line 1:" },
    };
    g_autofree char *tmpdir = g_dir_make_tmp("tdx-config-XXXXXX", NULL);
    g_autofree char *fifo = g_build_filename(tmpdir, "fifo.conf", NULL);
    g_autofree char *big = g_build_filename(tmpdir, "big.conf", NULL);
    g_autoptr(GString) text = g_string_new("[destroy]\n");
    g_autoptr(GError) error = NULL;
    tdxConfig config;
    size_t i;

    tdxConfigInit(&config);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_build_filename(tmpdir, cases[i].name, NULL);

        g_test_message("file %s", cases[i].name);
        g_assert_true(g_file_set_contents(path, cases[i].data, cases[i].len, NULL));
        g_assert_false(tdxConfigLoad(&config, path, FALSE, &error));
        g_assert_error(error, TDX_ERROR, TDX_ERROR_CONFIG);
        g_assert_true(g_str_has_prefix(error->message, path));
        if (!strstr(error->message, cases[i].needle))
            g_error("message '%s' lacks '%s'", error->message, cases[i].needle);
        g_clear_error(&error);
        g_assert_cmpint(g_unlink(path), ==, 0);
    }
    g_assert_cmpuint(config.grace_seconds, ==, 30);

    /* a FIFO nobody writes to: refused at once instead of blocking */
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    g_assert_false(tdxConfigLoad(&config, fifo, TRUE, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_CONFIG);
    g_assert_nonnull(strstr(error->message, "fifo.conf: is a FIFO, expected a regular file"));
    g_clear_error(&error);
    g_assert_cmpint(g_unlink(fifo), ==, 0);

    g_assert_false(tdxConfigLoad(&config, tmpdir, TRUE, &error));
    g_assert_nonnull(strstr(error->message, ": is a directory, expected a regular file"));
    g_clear_error(&error);

    /* /dev/null: the defaults */
    g_assert_true(tdxConfigLoad(&config, "/dev/null", FALSE, &error));
    g_assert_no_error(error);

    /* 1 MiB is the limit, comments count */
    while (text->len + 80 < 1024 * 1024)
        g_string_append_printf(text, "# %076d\n", 0);
    g_string_append_printf(text, "grace-period = 7\n");
    g_string_append_printf(text, "%*s\n", (int) (1024 * 1024 - text->len - 1), "#");
    g_assert_cmpuint(text->len, ==, 1024 * 1024);
    g_assert_true(g_file_set_contents(big, text->str, text->len, NULL));
    g_assert_true(tdxConfigLoad(&config, big, FALSE, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(config.grace_seconds, ==, 7);
    g_string_append_c(text, '\n');
    g_assert_true(g_file_set_contents(big, text->str, text->len, NULL));
    g_assert_false(tdxConfigLoad(&config, big, FALSE, &error));
    g_assert_nonnull(strstr(error->message, "big.conf: larger than the limit of 1048576 bytes"));
    g_assert_cmpint(g_unlink(big), ==, 0);

    g_assert_cmpint(g_rmdir(tmpdir), ==, 0);
    tdxConfigClear(&config);
}


/* What editors write and nobody means: each loads as the plain file. */
static void
testFileForms(void)
{
    static const struct {
        const char *name;
        const char *data;
    } cases[] = {
        { "bom.conf", "\xEF\xBB\xBF[destroy]\ngrace-period = 7\n" },
        { "crlf.conf", "[destroy]\r\ngrace-period = 7\r\n" },
        { "no-newline.conf", "[destroy]\ngrace-period = 7" },
        { "blanks.conf", "  [destroy]  \n\tgrace-period\t=\t7 \t\n" },
        { "bom-crlf-no-newline.conf", "\xEF\xBB\xBF# c\r\n[destroy]\r\ngrace-period = 7" },
    };
    g_autofree char *tmpdir = g_dir_make_tmp("tdx-config-XXXXXX", NULL);
    g_autoptr(GError) error = NULL;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_build_filename(tmpdir, cases[i].name, NULL);
        tdxConfig config;

        g_test_message("file %s", cases[i].name);
        tdxConfigInit(&config);
        g_assert_true(g_file_set_contents(path, cases[i].data, -1, NULL));
        g_assert_true(tdxConfigLoad(&config, path, FALSE, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(config.grace_seconds, ==, 7);
        tdxConfigClear(&config);
        g_assert_cmpint(g_unlink(path), ==, 0);
    }
    g_assert_cmpint(g_rmdir(tmpdir), ==, 0);
}


/* An empty name (--config '') is refused by name, not as "'': cannot
 * open", and never read as the default file. */
static void
testEmptyPath(void)
{
    g_autoptr(GError) error = NULL;
    tdxConfig config;

    tdxConfigInit(&config);
    g_assert_false(tdxConfigLoad(&config, "", TRUE, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_CONFIG);
    g_assert_nonnull(strstr(error->message, "configuration file name is empty"));
    tdxConfigClear(&config);
}


static void
testMissingFile(void)
{
    g_autofree char *path = tdxTestDataPath("does-not-exist.conf");
    g_autoptr(GError) error = NULL;
    tdxConfig config;

    tdxConfigInit(&config);
    g_free(config.uri);
    config.uri = g_strdup("test:///default");

    g_assert_true(tdxConfigLoad(&config, path, TRUE, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(config.uri, ==, "test:///default");

    g_assert_false(tdxConfigLoad(&config, path, FALSE, &error));
    g_assert_error(error, TDX_ERROR, TDX_ERROR_CONFIG);
    g_assert_true(g_str_has_prefix(error->message, path));
    g_assert_cmpstr(config.uri, ==, "test:///default");

    tdxConfigClear(&config);
}


static void
testLoadOverPrevious(void)
{
    /* A second file overrides only what it sets; a failing third file
     * leaves the result of the first two intact. */
    g_autofree char *good = tdxTestDataPath("good.conf");
    g_autofree char *bad = tdxTestDataPath("out-of-range.conf");
    g_autofree char *tmpdir = g_dir_make_tmp("tdx-config-XXXXXX", NULL);
    g_autofree char *second = g_build_filename(tmpdir, "second.conf", NULL);
    g_autoptr(GError) error = NULL;
    tdxConfig config;
    tdxConfig expected;

    g_assert_true(g_file_set_contents(second, "[destroy]\ngrace-period=7\n", -1, NULL));

    tdxConfigInit(&config);
    g_assert_true(tdxConfigLoad(&config, good, FALSE, &error));
    g_assert_true(tdxConfigLoad(&config, second, FALSE, &error));
    g_assert_no_error(error);

    tdxConfigInit(&expected);
    g_assert_true(tdxConfigLoad(&expected, good, FALSE, &error));
    expected.grace_seconds = 7;
    tdxTestAssertConfigEqual(&config, &expected);

    g_assert_false(tdxConfigLoad(&config, bad, FALSE, &error));
    tdxTestAssertConfigEqual(&config, &expected);

    tdxConfigClear(&config);
    tdxConfigClear(&expected);
    g_assert_cmpint(g_unlink(second), ==, 0);
    g_assert_cmpint(g_rmdir(tmpdir), ==, 0);
}


static void
testToString(void)
{
    g_assert_cmpstr(tdxNonTdActionToString(TDX_NON_TD_DESTROY), ==, "destroy");
    g_assert_cmpstr(tdxNonTdActionToString(TDX_NON_TD_REFUSE), ==, "refuse");
    g_assert_cmpstr(tdxNonTdActionToString((tdxNonTdAction) 9), ==, "unknown");
    g_assert_cmpstr(tdxFallbackActionToString(TDX_FALLBACK_DESTROY), ==, "destroy");
    g_assert_cmpstr(tdxFallbackActionToString(TDX_FALLBACK_REFUSE), ==, "refuse");
    g_assert_cmpstr(tdxFallbackActionToString((tdxFallbackAction) 9), ==, "unknown");
    g_assert_cmpstr(tdxHostNonTdActionToString(TDX_HOST_NON_TD_LEAVE), ==, "leave");
    g_assert_cmpstr(tdxHostNonTdActionToString(TDX_HOST_NON_TD_SHUTDOWN), ==, "shutdown");
    g_assert_cmpstr(tdxHostNonTdActionToString(TDX_HOST_NON_TD_DESTROY), ==, "destroy");
    g_assert_cmpstr(tdxHostNonTdActionToString((tdxHostNonTdAction) 9), ==, "unknown");
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/conf/config/defaults", testDefaults);
    g_test_add_func("/conf/config/good", testGood);
    g_test_add_func("/conf/config/sample-matches-defaults", testSampleMatchesDefaults);
    g_test_add_func("/conf/config/errors", testErrors);
    g_test_add_func("/conf/config/value-table", testValueTable);
    g_test_add_func("/conf/config/file-defects", testFileDefects);
    g_test_add_func("/conf/config/file-forms", testFileForms);
    g_test_add_func("/conf/config/empty-path", testEmptyPath);
    g_test_add_func("/conf/config/missing-file", testMissingFile);
    g_test_add_func("/conf/config/load-over-previous", testLoadOverPrevious);
    g_test_add_func("/conf/config/to-string", testToString);

    return g_test_run();
}
