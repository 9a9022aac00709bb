/*
 * tdx-error.c: the GError domain of libvirt-tdx and the CLI exit codes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-error.h"

GQuark
tdxErrorQuark(void)
{
    return g_quark_from_static_string("libvirt-tdx-error-quark");
}


int
tdxErrorToExitCode(const GError *error)
{
    if (!error)
        return TDX_EXIT_OK;
    if (error->domain == G_OPTION_ERROR)
        return TDX_EXIT_USAGE;
    if (error->domain == G_KEY_FILE_ERROR)
        return TDX_EXIT_CONFIG;
    if (error->domain != TDX_ERROR)
        return TDX_EXIT_FAILED;

    switch ((tdxErrorCode) error->code) {
    case TDX_ERROR_INVALID_ARG:
        return TDX_EXIT_USAGE;
    case TDX_ERROR_CONFIG:
    case TDX_ERROR_INVALID_METADATA:
        return TDX_EXIT_CONFIG;
    case TDX_ERROR_CONNECTION:
        return TDX_EXIT_CONNECTION;
    case TDX_ERROR_NO_DOMAIN:
        return TDX_EXIT_NO_DOMAIN;
    case TDX_ERROR_TIMEOUT:
        return TDX_EXIT_TIMEOUT;
    case TDX_ERROR_REFUSED:
        return TDX_EXIT_REFUSED;
    case TDX_ERROR_FAILED:
    case TDX_ERROR_INVALID_XML:
    case TDX_ERROR_LIBVIRT:
    case TDX_ERROR_QMP:
    case TDX_ERROR_QMP_GARBAGE:
    case TDX_ERROR_QMP_NO_COMMAND:
    case TDX_ERROR_MONITOR_TIMEOUT:
    case TDX_ERROR_BUSY:
        break;
    }
    return TDX_EXIT_FAILED;
}


const char *
tdxExitCodeName(int code)
{
    switch ((tdxExitCode) code) {
    case TDX_EXIT_OK: return "ok";
    case TDX_EXIT_FAILED: return "failed";
    case TDX_EXIT_USAGE: return "usage";
    case TDX_EXIT_CONFIG: return "config";
    case TDX_EXIT_CONNECTION: return "connection";
    case TDX_EXIT_NO_DOMAIN: return "no-domain";
    case TDX_EXIT_TIMEOUT: return "timeout";
    case TDX_EXIT_REFUSED: return "refused";
    }
    return "unknown";
}


const char *
tdxErrorCodeName(const GError *error)
{
    if (!error)
        return "ok";
    if (error->domain == G_OPTION_ERROR)
        return "usage";
    if (error->domain == G_KEY_FILE_ERROR)
        return "config";
    if (error->domain != TDX_ERROR)
        return "other";

    switch ((tdxErrorCode) error->code) {
    case TDX_ERROR_FAILED: return "failed";
    case TDX_ERROR_INVALID_ARG: return "usage";
    case TDX_ERROR_INVALID_XML: return "invalid-xml";
    case TDX_ERROR_INVALID_METADATA: return "invalid-metadata";
    case TDX_ERROR_CONFIG: return "config";
    case TDX_ERROR_NO_DOMAIN: return "no-domain";
    case TDX_ERROR_CONNECTION: return "connection";
    case TDX_ERROR_LIBVIRT: return "libvirt";
    case TDX_ERROR_QMP: return "qmp";
    case TDX_ERROR_QMP_GARBAGE: return "qmp-garbage";
    case TDX_ERROR_QMP_NO_COMMAND: return "qmp-no-command";
    case TDX_ERROR_MONITOR_TIMEOUT: return "monitor-timeout";
    case TDX_ERROR_BUSY: return "busy";
    case TDX_ERROR_REFUSED: return "refused";
    case TDX_ERROR_TIMEOUT: return "timeout";
    }
    return "other";
}
