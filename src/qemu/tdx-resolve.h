/*
 * tdx-resolve.h: command-line domain arguments to domains, once, up front
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An argument names a domain by ID, UUID or name, as in virsh. It is
 * resolved exactly once, before anything is done to any domain; from then
 * on the domain is known by its UUID only (virDomainLookupByUUID). Looking
 * a *name* up again later would be a second, different question: "225" is
 * the ID of one domain and the name of another, and a teardown that asks
 * twice can stop the wrong guest. See docs/destroy.rst.
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

typedef struct _tdxResolved tdxResolved;
struct _tdxResolved {
    char *argument;         /* the first argument that named it, as typed */
    GPtrArray *arguments;   /* every argument that named it, as typed */
    char *name;             /* the domain's name; NULL when unresolved */
    char *uuid;             /* the domain's UUID; NULL when unresolved */
    GError *error;          /* why it is unresolved (TDX_ERROR_NO_DOMAIN) */
};

void tdxResolvedFree(tdxResolved *resolved);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxResolved, tdxResolvedFree);

/* Resolve @args (@nargs of them), in order. Arguments that resolve to the
 * same domain (its name, ID and UUID; or one argument twice) become one
 * entry, at the place of the first. An argument that names no domain gets
 * an entry with error set (TDX_ERROR_NO_DOMAIN), so the others still go.
 *
 * NULL with @error set when an argument is ambiguous (it is the ID or UUID
 * of one domain and the name of another: TDX_ERROR_INVALID_ARG, naming
 * both) or libvirt cannot be asked (TDX_ERROR_CONNECTION...): then nothing
 * may be done to any domain. */
GPtrArray *tdxResolveDomains(virConnectPtr conn, const char *const *args,
                             guint nargs, GError **error);

/* One argument: a new reference to the domain, or NULL with @error set
 * (ambiguous, no such domain, libvirt error). */
virDomainPtr tdxResolveDomain(virConnectPtr conn, const char *arg, GError **error);

/* The domain whose UUID is @uuid (what tdxResolveDomains() found, or what
 * a listing returned): the only lookup after resolution. */
virDomainPtr tdxLookupByUUID(virConnectPtr conn, const char *uuid,
                             const char *name, GError **error);
