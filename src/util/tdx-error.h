/*
 * tdx-error.h: the GError domain of libvirt-tdx and the CLI exit codes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#define TDX_ERROR (tdxErrorQuark())
GQuark tdxErrorQuark(void);

/* Error codes are grouped by who is at fault, because the CLI maps them
 * to exit codes and callers such as Nova retry some classes but not others. */
typedef enum {
    TDX_ERROR_FAILED,          /* anything not covered below */
    TDX_ERROR_INVALID_ARG,     /* bad command line argument */
    TDX_ERROR_INVALID_XML,     /* malformed or incomplete domain XML */
    TDX_ERROR_INVALID_METADATA,/* our <metadata> element is malformed */
    TDX_ERROR_CONFIG,          /* host configuration file is wrong */
    TDX_ERROR_NO_DOMAIN,       /* the named domain does not exist */
    TDX_ERROR_CONNECTION,      /* libvirt daemon unreachable or gone */
    TDX_ERROR_LIBVIRT,         /* libvirt reported an error */
    TDX_ERROR_QMP,             /* QEMU answered with a QMP error object */
    TDX_ERROR_QMP_GARBAGE,     /* QEMU's answer is not a valid QMP reply */
    TDX_ERROR_QMP_NO_COMMAND,  /* QEMU does not know the command (CommandNotFound) */
    TDX_ERROR_MONITOR_TIMEOUT, /* no QMP answer within the bound */
    TDX_ERROR_BUSY,            /* KVM refused: vCPUs could not be locked */
    TDX_ERROR_REFUSED,         /* policy forbids the operation */
    TDX_ERROR_TIMEOUT,         /* domain still present at the deadline */
} tdxErrorCode;

/* Exit codes of virsh-tdx, documented in docs/virsh-tdx.rst. */
typedef enum {
    TDX_EXIT_OK = 0,           /* everything asked for was done */
    TDX_EXIT_FAILED = 1,       /* failed; or several domains failed for different reasons */
    TDX_EXIT_USAGE = 2,        /* bad command line */
    TDX_EXIT_CONFIG = 3,       /* bad configuration file or metadata */
    TDX_EXIT_CONNECTION = 4,   /* libvirt daemon unreachable or lost */
    TDX_EXIT_NO_DOMAIN = 5,    /* a named domain does not exist */
    TDX_EXIT_TIMEOUT = 6,      /* a domain was still present at its deadline */
    TDX_EXIT_REFUSED = 7,      /* policy refused (e.g. non-TD with refuse) */
} tdxExitCode;

int tdxErrorToExitCode(const GError *error);

/* A stable name of @error's code for machine-readable output, e.g.
 * "no-domain", "monitor-timeout"; "usage" and "config" for GOption and
 * GKeyFile errors, "other" for any other domain. */
const char *tdxErrorCodeName(const GError *error);
const char *tdxExitCodeName(int code);
