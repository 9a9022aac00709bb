/*
 * tdx-qmp.h: building QMP commands and reading QMP replies
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The contract with QEMU is written down in docs/qmp.rst; the names below
 * are the only place the code spells it.
 */
#pragma once

#include <json-glib/json-glib.h>

/* Asks QEMU to issue KVM_TDX_TERMINATE_VM; no arguments, empty return. */
#define TDX_QMP_TERMINATE_COMMAND "tdx-terminate"

/* QOM type of the object that makes a QEMU guest a TD. */
#define TDX_QOM_GUEST_TYPE "tdx-guest"

/* QEMU reports a failed ioctl with error_setg_errno(), which appends
 * strerror(): EBUSY from KVM (a vCPU could not be locked) ends like this. */
#define TDX_QMP_BUSY_SUFFIX "Device or resource busy"

/* Serialize {"execute": EXECUTE, "arguments": ARGUMENTS}; @arguments may be
 * NULL and is not consumed. */
char *tdxQmpCommandBuild(const char *execute, JsonObject *arguments);

/* Parse a complete QMP reply as libvirt's monitor passthrough returns it.
 * Returns a copy of the "return" member. A QMP error object becomes
 * TDX_ERROR_QMP (TDX_ERROR_BUSY when KVM said EBUSY, TDX_ERROR_QMP_NO_COMMAND
 * for CommandNotFound) with QEMU's class and description; anything that is
 * not a QMP reply becomes TDX_ERROR_QMP_GARBAGE quoting the start of it. */
JsonNode *tdxQmpReplyParse(const char *execute, const char *reply, GError **error);
