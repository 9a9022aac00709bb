/*
 * tdx-test-daemon.c: private libvirt daemons and tiny QEMU guests for the
 * integration tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include "tdx-test-daemon.h"

GQuark
tdxTestErrorQuark(void)
{
    return g_quark_from_static_string("tdx-test-error-quark");
}

struct _tdxTestDaemon {
    char *dir;
    char *uri;
    virConnectPtr conn;
    /* our children once the harness exits (we are a subreaper): tini, the
     * watchdog; reaped by tdxTestDaemonStop so no zombie lingers */
    GPid reap[2];
};

/* Where libvirtd & co live even when the test's PATH lacks sbin. */
static const char *const tdxTestExtraPath[] = { "/usr/sbin", "/sbin", NULL };


static char *
tdxTestFindProgram(const char *name)
{
    size_t i;
    char *path = g_find_program_in_path(name);

    if (path)
        return path;
    for (i = 0; tdxTestExtraPath[i]; i++) {
        path = g_build_filename(tdxTestExtraPath[i], name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_EXECUTABLE))
            return path;
        g_clear_pointer(&path, g_free);
    }
    return NULL;
}


static gboolean
tdxTestRequireDaemon(void)
{
    const char *req = g_getenv("TDX_TEST_REQUIRE_DAEMON");

    return req && *req && g_strcmp0(req, "0") != 0;
}


/* NULL when everything needed is there, else why not. */
static char *
tdxTestMissingPrerequisite(void)
{
    static const char *const programs[] = {
        "libvirtd", "virtlogd", "virsh", "tini", "unshare", "mountpoint",
        "qemu-system-x86_64", NULL,
    };
    const char *harness = g_getenv("TDX_TEST_HARNESS");
    size_t i;

    if (geteuid() != 0)
        return g_strdup("needs root (private libvirtd in a mount namespace)");
    if (!harness || !*harness)
        return g_strdup("TDX_TEST_HARNESS is not set (run through meson test)");
    if (!g_file_test(harness, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup_printf("harness %s is not executable", harness);
    for (i = 0; programs[i]; i++) {
        g_autofree char *path = tdxTestFindProgram(programs[i]);

        if (!path)
            return g_strdup_printf("%s is not installed", programs[i]);
    }
    return NULL;
}


gboolean
tdxTestNeedDaemon(void)
{
    g_autofree char *missing = tdxTestMissingPrerequisite();

    if (!missing)
        return TRUE;

    if (tdxTestRequireDaemon()) {
        g_printerr("TDX_TEST_REQUIRE_DAEMON is set but %s\n", missing);
        g_test_fail_printf("TDX_TEST_REQUIRE_DAEMON is set but %s", missing);
    } else {
        g_test_skip(missing);
    }
    return FALSE;
}


void
tdxTestSetLibvirtError(GError **error, const char *what)
{
    const char *msg = virGetLastErrorMessage();

    g_set_error(error, TDX_TEST_ERROR, 0, "%s: %s", what,
                msg ? msg : "unknown libvirt error");
}


/* Run "HARNESS CMD DIR"; returns its stdout, or NULL with @error set
 * (including the script's stderr, which explains what went wrong). */
static char *
tdxTestRunHarness(const char *cmd, const char *dir, GError **error)
{
    const char *harness = g_getenv("TDX_TEST_HARNESS");
    const char *argv[] = { harness, cmd, dir, NULL };
    g_auto(GStrv) envp = g_get_environ();
    g_autofree char *path = NULL;
    g_autofree char *owner = g_strdup_printf("%d", (int) getpid());
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    if (!harness || !*harness) {
        g_set_error(error, TDX_TEST_ERROR, 0, "TDX_TEST_HARNESS is not set");
        return NULL;
    }

    path = g_strdup_printf("%s:/usr/sbin:/sbin",
                           g_environ_getenv(envp, "PATH") ?: "/usr/bin:/bin");
    envp = g_environ_setenv(envp, "PATH", path, TRUE);
    /* The harness stops the daemon by itself if this process dies (a failed
     * g_assert aborts us before tdxTestDaemonStop can run). */
    envp = g_environ_setenv(envp, "PRIVATE_LIBVIRTD_OWNER", owner, TRUE);

    if (!g_spawn_sync(NULL, (char **) argv, envp, G_SPAWN_DEFAULT,
                      NULL, NULL, &out, &err, &status, error))
        return NULL;
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, TDX_TEST_ERROR, 0, "%s %s %s failed:\n%s",
                    harness, cmd, dir, g_strstrip(err));
        return NULL;
    }
    if (err && *g_strstrip(err))
        g_test_message("%s %s: %s", harness, cmd, err);
    return g_steal_pointer(&out);
}


static GPid
tdxTestReadPid(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, "state", name, NULL);
    g_autofree char *text = NULL;
    gint64 pid;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    pid = g_ascii_strtoll(text, NULL, 10);
    return pid > 1 && pid < G_MAXINT ? (GPid) pid : 0;
}


/* Reap @pid if it is our (exited or exiting) child; wait at most ~2 s. */
static void
tdxTestReap(GPid pid)
{
    int i;

    for (i = 0; pid > 0 && i < 200; i++) {
        pid_t r = waitpid(pid, NULL, WNOHANG);

        if (r == pid || (r < 0 && errno != EINTR))
            return;     /* reaped, or not our child (ECHILD) */
        g_usleep(10 * 1000);
    }
}


static int
tdxTestRemoveOne(const char *path,
                 const struct stat *sb G_GNUC_UNUSED,
                 int typeflag G_GNUC_UNUSED,
                 struct FTW *ftwbuf G_GNUC_UNUSED)
{
    if (remove(path) < 0 && errno != ENOENT)
        g_printerr("cannot remove %s: %s\n", path, g_strerror(errno));
    return 0;
}


static void
tdxTestRemoveTree(const char *dir)
{
    nftw(dir, tdxTestRemoveOne, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}


/* libvirt prints every error to stderr by default; ours travel in GErrors
 * and the tests provoke some on purpose (e.g. looking up a destroyed guest). */
static void
tdxTestQuietError(void *opaque G_GNUC_UNUSED,
                  virErrorPtr err G_GNUC_UNUSED)
{
}


/* sun_path holds 108 bytes: a socket SOCKET_ROOM bytes deep under the
 * directory tdxTestTmpDir() returns must fit (tdx-notify-XXXXXX/notify). */
#define TDX_TEST_SOCKET_ROOM 40

char *
tdxTestTmpDir(void)
{
    const char *tmp = g_get_tmp_dir();
    g_autofree char *real = realpath(tmp, NULL);
    const char *p;

    /* realpath: a short TMPDIR can be a symlink into a deep directory, and
     * what we build on it is resolved the same way by everyone who uses it. */
    if (!real ||
        strlen(real) + TDX_TEST_SOCKET_ROOM >= sizeof(((struct sockaddr_un *) NULL)->sun_path))
        return g_strdup("/tmp");
    for (p = real; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("/._-", *p))
            return g_strdup("/tmp");
    }
    return g_steal_pointer(&real);
}


tdxTestDaemon *
tdxTestDaemonStart(GError **error)
{
    g_autoptr(tdxTestDaemon) d = g_new0(tdxTestDaemon, 1);
    g_autofree char *tmpl = NULL;
    g_autofree char *out = NULL;
    g_autofree char *tmp = tdxTestTmpDir();
    g_auto(GStrv) lines = NULL;
    size_t i;

    /* Tests kill daemons under live connections: that must show up as a
     * libvirt error, not end the test with SIGPIPE (virsh ignores it too). */
    signal(SIGPIPE, SIG_IGN);

    if (!g_getenv("TDX_TEST_LIBVIRT_ERRORS"))
        virSetErrorFunc(NULL, tdxTestQuietError);
    /* The daemon's processes are orphaned when the harness script exits;
     * as their subreaper we can reap them instead of leaving zombies to a
     * slow PID 1. */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

    tmpl = g_build_filename(tmp, "tdx-test-XXXXXX", NULL);
    if (!g_mkdtemp_full(tmpl, 0755)) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot create %s: %s", tmpl, g_strerror(errno));
        return NULL;
    }
    d->dir = g_steal_pointer(&tmpl);

    if (!(out = tdxTestRunHarness("start", d->dir, error)))
        return NULL;     /* the harness cleaned up; autoptr removes the dir */

    lines = g_strsplit(out, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "qemu:///")) {
            g_free(d->uri);
            d->uri = g_strdup(g_strstrip(lines[i]));
        }
    }
    if (!d->uri) {
        g_set_error(error, TDX_TEST_ERROR, 0,
                    "no URI in the output of the harness: '%s'", out);
        return NULL;
    }
    d->reap[0] = tdxTestReadPid(d->dir, "tini.pid");
    d->reap[1] = tdxTestReadPid(d->dir, "watchdog.pid");
    g_test_message("private libvirtd in %s: %s", d->dir, d->uri);
    return g_steal_pointer(&d);
}


const char *
tdxTestDaemonURI(tdxTestDaemon *d)
{
    return d->uri;
}


const char *
tdxTestDaemonDir(tdxTestDaemon *d)
{
    return d->dir;
}


virConnectPtr
tdxTestDaemonConnect(tdxTestDaemon *d, GError **error)
{
    virConnectPtr conn = virConnectOpen(d->uri);

    if (!conn)
        tdxTestSetLibvirtError(error, d->uri);
    return conn;
}


virConnectPtr
tdxTestDaemonConnection(tdxTestDaemon *d)
{
    g_autoptr(GError) err = NULL;

    if (!d->conn && !(d->conn = tdxTestDaemonConnect(d, &err)))
        g_test_fail_printf("%s", err->message);
    return d->conn;
}


void
tdxTestDaemonStop(tdxTestDaemon *d)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    gboolean keep = g_strcmp0(g_getenv("TDX_TEST_KEEP_DIR"), "1") == 0;

    if (!d)
        return;

    if (d->conn)
        virConnectClose(d->conn);

    if (d->dir && !(out = tdxTestRunHarness("stop", d->dir, &err))) {
        /* Something may still run: do not pull the files from under it. */
        g_printerr("stopping the private libvirtd failed, keeping %s: %s\n",
                   d->dir, err->message);
        g_test_fail_printf("stopping the private libvirtd in %s failed",
                           d->dir);
    } else if (d->dir) {
        tdxTestReap(d->reap[0]);
        tdxTestReap(d->reap[1]);
        if (keep)
            g_printerr("TDX_TEST_KEEP_DIR=1: keeping %s\n", d->dir);
        else
            tdxTestRemoveTree(d->dir);
    }

    g_free(d->dir);
    g_free(d->uri);
    g_free(d);
}


/* The state letter of /proc/PID/stat, 0 when there is no such process. */
static char
tdxTestProcessState(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
    g_autofree char *text = NULL;
    const char *p;

    if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strrchr(text, ')')))
        return 0;
    return p[1] == ' ' ? p[2] : 0;
}


void
tdxTestWaitProcessGone(pid_t pid)
{
    for (;;) {
        char st = tdxTestProcessState(pid);

        if (st == 0 || st == 'Z' || st == 'X')
            return;
        g_usleep(10 * 1000);
    }
}


/* @sig is pending for @pid (SigPnd: the thread, ShdPnd: the process). */
static gboolean
tdxTestSignalPending(pid_t pid, int sig)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return FALSE;
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "SigPnd:") || g_str_has_prefix(lines[i], "ShdPnd:")) {
            guint64 mask = g_ascii_strtoull(lines[i] + strlen("SigPnd:"), NULL, 16);

            if (mask & (G_GUINT64_CONSTANT(1) << (sig - 1)))
                return TRUE;
        }
    }
    return FALSE;
}


void
tdxTestWaitSignalPending(pid_t pid, int sig)
{
    for (;;) {
        char st = tdxTestProcessState(pid);

        if (st == 0 || st == 'Z' || st == 'X' || tdxTestSignalPending(pid, sig))
            return;
        g_usleep(10 * 1000);
    }
}


const char *
tdxTestGuestVirtType(virConnectPtr conn)
{
    const char *env = g_getenv("TDX_TEST_VIRT_TYPE");
    char *caps;

    if (env && *env)
        return env;

    /* Fails unless this daemon can run KVM guests of this machine type. */
    caps = virConnectGetDomainCapabilities(conn, NULL, "x86_64", "pc", "kvm", 0);
    if (!caps) {
        virResetLastError();
        return "qemu";
    }
    free(caps);
    return "kvm";
}


char *
tdxTestGuestXML(const char *name, guint mem_mib, const char *virt_type)
{
    return g_markup_printf_escaped(
        "<domain type='%s'>\n"
        "  <name>%s</name>\n"
        "  <memory unit='MiB'>%u</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='pc'>hvm</type>\n"
        "  </os>\n"
        "  <devices>\n"
        "    <memballoon model='none'/>\n"
        "  </devices>\n"
        "</domain>\n",
        virt_type, name, mem_mib);
}


const char *
tdxTestNeedPatchedQemu(void)
{
    const char *qemu = g_getenv("TDX_TEST_QEMU");
    g_autofree char *missing = NULL;

    if (!qemu || !*qemu)
        missing = g_strdup("TDX_TEST_QEMU is not set (run-tests sets it to "
                           "qemu/check's prefix, TDX_RUN_QEMU_CHECK=1)");
    else if (!g_file_test(qemu, G_FILE_TEST_IS_EXECUTABLE))
        missing = g_strdup_printf("TDX_TEST_QEMU=%s is not an executable "
                                  "(run qemu/check first)", qemu);
    if (!missing)
        return qemu;

    if (tdxTestRequireDaemon()) {
        g_printerr("TDX_TEST_REQUIRE_DAEMON is set but %s\n", missing);
        g_test_fail_printf("TDX_TEST_REQUIRE_DAEMON is set but %s", missing);
    } else {
        g_test_skip(missing);
    }
    return NULL;
}


char *
tdxTestGuestXMLFor(const char *name, guint mem_mib, const char *virt_type,
                   const char *emulator, const char *const *qemu_args)
{
    g_autoptr(GString) args = g_string_new(NULL);
    g_autofree char *head = NULL;
    gsize i;

    for (i = 0; qemu_args && qemu_args[i]; i++) {
        g_autofree char *arg = g_markup_printf_escaped("    <qemu:arg value='%s'/>\n",
                                                       qemu_args[i]);
        g_string_append(args, arg);
    }
    head = g_markup_printf_escaped(
        "<domain type='%s' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
        "  <name>%s</name>\n"
        "  <memory unit='MiB'>%u</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='pc'>hvm</type>\n"
        "  </os>\n"
        "  <features>\n"
        "    <acpi/>\n"
        "  </features>\n"
        "  <devices>\n"
        "    <emulator>%s</emulator>\n"
        "    <memballoon model='none'/>\n"
        "  </devices>\n",
        virt_type, name, mem_mib, emulator);
    if (args->len == 0)
        return g_strconcat(head, "</domain>\n", NULL);
    return g_strconcat(head, "  <qemu:commandline>\n", args->str,
                       "  </qemu:commandline>\n</domain>\n", NULL);
}


virDomainPtr
tdxTestGuestStart(virConnectPtr conn,
                  const char *name,
                  guint mem_mib,
                  gboolean paused,
                  GError **error)
{
    g_autofree char *xml = tdxTestGuestXML(name, mem_mib,
                                           tdxTestGuestVirtType(conn));
    virDomainPtr dom;

    dom = virDomainCreateXML(conn, xml,
                             paused ? VIR_DOMAIN_START_PAUSED : 0);
    if (!dom) {
        g_autofree char *what = g_strdup_printf("cannot start guest '%s'", name);

        tdxTestSetLibvirtError(error, what);
    }
    return dom;
}


static tdxTestDaemon *tdx_test_shared_daemon;


tdxTestDaemon *
tdxTestSharedDaemon(void)
{
    g_autoptr(GError) error = NULL;

    if (!tdxTestNeedDaemon())
        return NULL;
    if (!tdx_test_shared_daemon) {
        tdx_test_shared_daemon = tdxTestDaemonStart(&error);
        g_assert_no_error(error);
    }
    return tdx_test_shared_daemon;
}


void
tdxTestSharedDaemonStop(void)
{
    g_clear_pointer(&tdx_test_shared_daemon, tdxTestDaemonStop);
}
