/*
 * tdx-test-daemon.h: private libvirt daemons and tiny QEMU guests for the
 * integration tests
 *
 * Each tdxTestDaemon is a real libvirtd (qemu driver) started by
 * tests/harness/private-libvirtd in a private mount namespace whose whole
 * state lives in a fresh temporary directory; two daemons never see each
 * other's guests and nothing of the host's libvirt is touched.
 *
 * Typical use:
 *
 *   static void
 *   testSomething(void)
 *   {
 *       g_autoptr(GError) err = NULL;
 *       g_autoptr(tdxTestDaemon) d = NULL;
 *       virConnectPtr conn;
 *
 *       if (!tdxTestNeedDaemon())
 *           return;
 *       d = tdxTestDaemonStart(&err);
 *       g_assert_no_error(err);
 *       conn = tdxTestDaemonConnection(d);      (owned by d)
 *       ... tdxTestGuestStart(conn, "g1", 64, TRUE, &err) ...
 *   }                                           (daemon stopped, dir removed)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sys/types.h>
#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define TDX_TEST_ERROR (tdxTestErrorQuark())
GQuark tdxTestErrorQuark(void);

typedef struct _tdxTestDaemon tdxTestDaemon;

/* Call first in every test that needs a daemon.  Returns TRUE when the
 * prerequisites are there (root, libvirtd, virtlogd, QEMU, tini, unshare,
 * the harness script).  Otherwise marks the test skipped with the reason and
 * returns FALSE -- unless TDX_TEST_REQUIRE_DAEMON=1 (set by CI), in which
 * case the missing prerequisite fails the test (and FALSE is returned). */
gboolean tdxTestNeedDaemon(void);

/* Where a test puts a temporary directory that will hold UNIX sockets or
 * whose paths go into URIs and configuration files: $TMPDIR resolved, when
 * it is a plain path ([A-Za-z0-9/._-]) that leaves room in sun_path for a
 * socket some 40 bytes below it; else /tmp.  Whatever CI's or a developer's
 * TMPDIR is, the tests see the same kind of path.  Free with g_free(). */
char *tdxTestTmpDir(void);

/* Wait, without a bound of our own (meson's test timeout is the bound),
 * until @pid has exited (gone or a zombie): its sockets are closed then.
 * A fixed sleep after kill() is a guess that a loaded machine can beat. */
void tdxTestWaitProcessGone(pid_t pid);

/* Wait likewise until @sig is pending for the stopped process @pid (or it
 * is gone): e.g. libvirt's destroy has sent SIGTERM to a SIGSTOPped QEMU,
 * so it is inside virDomainDestroyFlags() waiting for the QEMU to go. */
void tdxTestWaitSignalPending(pid_t pid, int sig);

/* Start a private daemon in a new directory under tdxTestTmpDir().  The
 * harness script is $TDX_TEST_HARNESS (set by meson).  Takes ~0.5-2 s. */
tdxTestDaemon *tdxTestDaemonStart(GError **error);

/* qemu:///system?socket=/run/private-libvirtd/HASH/libvirt-sock, a short
 * alias of DIR/run/libvirt-sock (tests/harness/private-libvirtd) */
const char *tdxTestDaemonURI(tdxTestDaemon *d);

/* The private directory (etc/ run/ lib/ log/ cache/ state/ inside). */
const char *tdxTestDaemonDir(tdxTestDaemon *d);

/* A connection to the daemon opened on first use, owned by @d and closed by
 * tdxTestDaemonStop().  NULL (with a test failure message) on error. */
virConnectPtr tdxTestDaemonConnection(tdxTestDaemon *d);

/* A new connection the caller owns (virConnectClose). */
virConnectPtr tdxTestDaemonConnect(tdxTestDaemon *d, GError **error);

/* Destroy all guests, stop every process of the daemon and remove the
 * directory (kept when TDX_TEST_KEEP_DIR=1, for post-mortems; its path is
 * printed).  NULL-safe. */
void tdxTestDaemonStop(tdxTestDaemon *d);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxTestDaemon, tdxTestDaemonStop);

/* One daemon for all the tests of a program, which is what makes a suite
 * of many small tests cheap: started on first use (NULL when the test is
 * skipped, see tdxTestNeedDaemon()), stopped by tdxTestSharedDaemonStop()
 * at the end of main(). Tests must leave no guest behind. */
tdxTestDaemon *tdxTestSharedDaemon(void);
void tdxTestSharedDaemonStop(void);

/* "kvm" when the daemon behind @conn can run KVM guests, else "qemu" (TCG).
 * $TDX_TEST_VIRT_TYPE overrides.  Cached per connection URI. */
const char *tdxTestGuestVirtType(virConnectPtr conn);

/* XML of a tiny guest: no disk, no NIC, no graphics, 1 vCPU, machine "pc",
 * memballoon none.  Same as tests/harness/guest-xml.  Free with g_free. */
char *tdxTestGuestXML(const char *name, guint mem_mib, const char *virt_type);

/* The QEMU built and installed by qemu/check with the series of
 * qemu/patches ($TDX_TEST_QEMU, set by run-tests).  When it is not there
 * the test is skipped -- or failed when TDX_TEST_REQUIRE_DAEMON=1 (CI) --
 * and NULL is returned. */
const char *tdxTestNeedPatchedQemu(void);

/* tdxTestGuestXML() run by @emulator, with <features><acpi/> (without it
 * libvirt 9.0 passes -no-acpi, which QEMU 10 removed) and the QEMU
 * arguments @qemu_args (NULL-terminated, or NULL) appended through
 * <qemu:commandline>.  Free with g_free. */
char *tdxTestGuestXMLFor(const char *name, guint mem_mib, const char *virt_type,
                         const char *emulator, const char *const *qemu_args);

/* Start a transient guest (virDomainCreateXML), paused if asked.  Returns a
 * new reference (virDomainFree it) or NULL with @error set. */
virDomainPtr tdxTestGuestStart(virConnectPtr conn,
                               const char *name,
                               guint mem_mib,
                               gboolean paused,
                               GError **error);

/* Set @error from libvirt's last error, prefixed by @what. */
void tdxTestSetLibvirtError(GError **error, const char *what);
