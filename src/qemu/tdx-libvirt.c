/*
 * tdx-libvirt.c: the connection to libvirt, its event loop and its errors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <string.h>

#include <libxml/parser.h>

#include "tdx-libvirt.h"

/* A daemon that stops answering is declared dead after
 * interval * (count + 1) seconds; keep it well below any deadline. */
#define TDX_KEEPALIVE_INTERVAL 2
#define TDX_KEEPALIVE_COUNT 3


static gpointer
tdxEventLoopRun(gpointer opaque G_GNUC_UNUSED)
{
    for (;;) {
        if (virEventRunDefaultImpl() < 0)
            g_warning("libvirt event loop: %s", virGetLastErrorMessage());
    }
    return NULL;
}


void
tdxEventLoopEnsure(void)
{
    static gsize started;

    if (g_once_init_enter(&started)) {
        /* Set up here, before any worker thread exists, what is not safe
         * to set up concurrently: libxml2 (its documented requirement) and
         * GLib 2.74's C locale behind g_ascii_strtoull(), whose lazy set-up
         * races: two threads reading their first number at once can fail
         * ("<domain id='1'>: must be an integer", ~1 run in 100 with 16
         * threads). */
        xmlInitParser();
        g_ascii_strtoull("0", NULL, 10);

        if (virEventRegisterDefaultImpl() < 0)
            g_error("cannot register libvirt's event loop: %s",
                    virGetLastErrorMessage());
        g_thread_unref(g_thread_new("libvirt-events", tdxEventLoopRun, NULL));
        g_once_init_leave(&started, 1);
    }
}


static void
tdxLibvirtSilence(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
    /* libvirt prints every error to stderr by default; ours are reported
     * once, through GError, by whoever owns the operation. */
}


virConnectPtr
tdxConnectionOpen(const char *uri, GError **error)
{
    virConnectPtr conn;

    virSetErrorFunc(NULL, tdxLibvirtSilence);
    tdxEventLoopEnsure();

    if (!(conn = virConnectOpen(uri))) {
        tdxLibvirtError(error, "cannot connect to libvirt at '%s'",
                        uri ? uri : "(default)");
        if (error && *error)
            (*error)->code = TDX_ERROR_CONNECTION;
        return NULL;
    }

    if (virConnectSetKeepAlive(conn, TDX_KEEPALIVE_INTERVAL,
                               TDX_KEEPALIVE_COUNT) < 0) {
        /* Only local drivers without RPC refuse keepalives (test:///);
         * they cannot go away under us, so there is nothing to lose. */
        virResetLastError();
    }
    return conn;
}


static tdxErrorCode
tdxLibvirtErrorCode(const virError *err)
{
    if (!err)
        return TDX_ERROR_LIBVIRT;

    switch (err->code) {
    case VIR_ERR_NO_DOMAIN:
        return TDX_ERROR_NO_DOMAIN;
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_INVALID_CONN:
    case VIR_ERR_RPC:
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
        return TDX_ERROR_CONNECTION;
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_INTERNAL_ERROR:
        /* A connection that broke mid-call surfaces as a system or
         * internal error of the remote or RPC layer. */
        if (err->domain == VIR_FROM_RPC || err->domain == VIR_FROM_REMOTE)
            return TDX_ERROR_CONNECTION;
        return TDX_ERROR_LIBVIRT;
    case VIR_ERR_OPERATION_TIMEOUT:
        return TDX_ERROR_TIMEOUT;
    default:
        if (err->domain == VIR_FROM_RPC)
            return TDX_ERROR_CONNECTION;
        return TDX_ERROR_LIBVIRT;
    }
}


void
tdxLibvirtErrorFrom(const virError *err, GError **error, const char *fmt, ...)
{
    g_autofree char *prefix = NULL;
    va_list args;

    if (err && err->code == VIR_ERR_OK)
        err = NULL;

    va_start(args, fmt);
    prefix = g_strdup_vprintf(fmt, args);
    va_end(args);

    g_set_error(error, TDX_ERROR, tdxLibvirtErrorCode(err), "%s: %s",
                prefix, err && err->message ? err->message : "unknown libvirt error");
}


gboolean
tdxLibvirtErrorIsDomainGone(const virError *err)
{
    if (!err)
        return FALSE;
    return err->code == VIR_ERR_NO_DOMAIN ||
           (err->code == VIR_ERR_OPERATION_INVALID &&
            err->message && strstr(err->message, "not running"));
}


gboolean
tdxLibvirtErrorIsKillBusy(const virError *err)
{
    if (!err || err->code != VIR_ERR_SYSTEM_ERROR)
        return FALSE;
    /* virReportSystemError() stores errno in int1; the message check
     * covers remote errors where only the text travels. */
    return err->int1 == EBUSY ||
           (err->message && strstr(err->message, g_strerror(EBUSY)));
}


int
tdxDomainCheckGone(virDomainPtr dom, GError **error)
{
    int active = virDomainIsActive(dom);
    g_autoptr(virError) err = NULL;

    if (active == 1)
        return 0;
    if (active == 0)
        return 1;
    err = virSaveLastError();
    if (tdxLibvirtErrorIsDomainGone(err))
        return 1;
    tdxLibvirtErrorFrom(err, error, "cannot tell whether domain '%s' is gone",
                        virDomainGetName(dom));
    return -1;
}


static void
tdxThreadConnectionClose(gpointer conn)
{
    virConnectClose(conn);
}

static GPrivate tdxThreadConnection = G_PRIVATE_INIT(tdxThreadConnectionClose);


virConnectPtr
tdxConnectionForThread(virConnectPtr shared)
{
    virConnectPtr conn = g_private_get(&tdxThreadConnection);
    g_autoptr(GError) error = NULL;
    g_autofree char *uri = NULL;

    if (conn)
        return conn;
    /* A test:///FILE connection is a private instance of its own: another
     * connection would not see the same domains. */
    if (!(uri = virConnectGetURI(shared)) || g_str_has_prefix(uri, "test:"))
        return shared;
    if (!(conn = tdxConnectionOpen(uri, &error))) {
        g_message("sharing one connection among workers (slower): %s",
                  error->message);
        return shared;
    }
    g_private_set(&tdxThreadConnection, conn);
    return conn;
}
