/*
 * tdx-resolve.c: command-line domain arguments to domains, once, up front
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "tdx-resolve.h"
#include "tdx-error.h"
#include "tdx-libvirt.h"

typedef enum {
    TDX_RESOLVE_BY_ID,
    TDX_RESOLVE_BY_UUID,
    TDX_RESOLVE_BY_NAME,
    TDX_RESOLVE_LAST
} tdxResolveKind;

static const char *const tdxResolveKindNames[TDX_RESOLVE_LAST] = {
    [TDX_RESOLVE_BY_ID] = "the ID",
    [TDX_RESOLVE_BY_UUID] = "the UUID",
    [TDX_RESOLVE_BY_NAME] = "the name",
};


void
tdxResolvedFree(tdxResolved *resolved)
{
    if (!resolved)
        return;
    g_free(resolved->argument);
    g_ptr_array_unref(resolved->arguments);
    g_free(resolved->name);
    g_free(resolved->uuid);
    g_clear_error(&resolved->error);
    g_free(resolved);
}


/* What virUUIDParse() takes: 32 hex digits, dashes anywhere. */
static gboolean
tdxResolveLooksLikeUUID(const char *arg)
{
    guint digits = 0;

    for (; *arg; arg++) {
        if (*arg == '-')
            continue;
        if (!g_ascii_isxdigit(*arg))
            return FALSE;
        digits++;
    }
    return digits == VIR_UUID_BUFLEN * 2;
}


/* One way of reading @arg: NULL without @error when it names nothing that
 * way; NULL with @error when libvirt could not be asked. */
static virDomainPtr
tdxResolveBy(virConnectPtr conn, const char *arg, tdxResolveKind kind, GError **error)
{
    virDomainPtr dom = NULL;
    guint64 id;
    virErrorPtr err;

    switch (kind) {
    case TDX_RESOLVE_BY_ID:
        if (!g_ascii_string_to_unsigned(arg, 10, 0, G_MAXINT, &id, NULL))
            return NULL;
        dom = virDomainLookupByID(conn, (int) id);
        break;
    case TDX_RESOLVE_BY_UUID:
        if (!tdxResolveLooksLikeUUID(arg))
            return NULL;
        dom = virDomainLookupByUUIDString(conn, arg);
        break;
    case TDX_RESOLVE_BY_NAME:
        dom = virDomainLookupByName(conn, arg);
        break;
    case TDX_RESOLVE_LAST:
        g_assert_not_reached();
    }
    if (dom)
        return dom;
    err = virGetLastError();
    if (err && (err->code == VIR_ERR_NO_DOMAIN || err->code == VIR_ERR_INVALID_ARG)) {
        virResetLastError();
        return NULL;
    }
    tdxLibvirtError(error, "cannot look up domain '%s' by %s", arg,
                    tdxResolveKindNames[kind] + strlen("the "));
    return NULL;
}


/* Every reading of @arg that names a domain must name the same one: virsh
 * takes the first of ID, UUID, name that matches, which at host shutdown
 * means a guest named "5" and the guest with ID 5 are one typo apart. We
 * refuse rather than guess. */
virDomainPtr
tdxResolveDomain(virConnectPtr conn, const char *arg, GError **error)
{
    virDomainPtr found[TDX_RESOLVE_LAST] = { NULL };
    char uuids[TDX_RESOLVE_LAST][VIR_UUID_STRING_BUFLEN] = { { 0 } };
    virDomainPtr ret = NULL;
    int first = -1;
    int other = -1;
    int i;

    for (i = 0; i < TDX_RESOLVE_LAST; i++) {
        if (!(found[i] = tdxResolveBy(conn, arg, i, error))) {
            if (error && *error)
                goto cleanup;
            continue;
        }
        if (virDomainGetUUIDString(found[i], uuids[i]) < 0) {
            tdxLibvirtError(error, "domain '%s'", arg);
            goto cleanup;
        }
        if (first < 0)
            first = i;
        else if (other < 0 && !g_str_equal(uuids[i], uuids[first]))
            other = i;
    }

    if (first < 0) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_NO_DOMAIN,
                    "no domain with the name, ID or UUID '%s'", arg);
        goto cleanup;
    }
    if (other >= 0) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_ARG,
                    "'%s' is ambiguous: it is %s of domain '%s' (%s) and %s of "
                    "domain '%s' (%s); name the domain by its UUID",
                    arg, tdxResolveKindNames[first], virDomainGetName(found[first]),
                    uuids[first], tdxResolveKindNames[other],
                    virDomainGetName(found[other]), uuids[other]);
        goto cleanup;
    }
    ret = g_steal_pointer(&found[first]);

 cleanup:
    for (i = 0; i < TDX_RESOLVE_LAST; i++) {
        if (found[i])
            virDomainFree(found[i]);
    }
    return ret;
}


GPtrArray *
tdxResolveDomains(virConnectPtr conn, const char *const *args, guint nargs,
                  GError **error)
{
    g_autoptr(GPtrArray) resolved = g_ptr_array_new_with_free_func((GDestroyNotify) tdxResolvedFree);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    guint i;

    for (i = 0; i < nargs; i++) {
        g_autoptr(GError) local = NULL;
        g_autoptr(virDomain) dom = tdxResolveDomain(conn, args[i], &local);
        char uuid[VIR_UUID_STRING_BUFLEN];
        const char *key;
        tdxResolved *item;

        if (!dom && !g_error_matches(local, TDX_ERROR, TDX_ERROR_NO_DOMAIN)) {
            g_propagate_error(error, g_steal_pointer(&local));
            return NULL;
        }
        if (dom && virDomainGetUUIDString(dom, uuid) < 0) {
            tdxLibvirtError(error, "domain '%s'", args[i]);
            return NULL;
        }
        /* Unresolved arguments are merged with themselves only: one
         * error per distinct argument. */
        key = dom ? uuid : args[i];
        if ((item = g_hash_table_lookup(seen, key))) {
            g_ptr_array_add(item->arguments, g_strdup(args[i]));
            continue;
        }

        item = g_new0(tdxResolved, 1);
        item->argument = g_strdup(args[i]);
        item->arguments = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(item->arguments, g_strdup(args[i]));
        if (dom) {
            item->name = g_strdup(virDomainGetName(dom));
            item->uuid = g_strdup(uuid);
            key = item->uuid;
        } else {
            item->error = g_steal_pointer(&local);
            key = item->argument;
        }
        g_hash_table_insert(seen, (gpointer) key, item);
        g_ptr_array_add(resolved, item);
    }
    return g_steal_pointer(&resolved);
}


virDomainPtr
tdxLookupByUUID(virConnectPtr conn, const char *uuid, const char *name, GError **error)
{
    virDomainPtr dom = virDomainLookupByUUIDString(conn, uuid);

    if (!dom)
        tdxLibvirtError(error, "domain '%s' (%s)", name ? name : uuid, uuid);
    return dom;
}
