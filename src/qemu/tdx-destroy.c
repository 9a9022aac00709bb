/*
 * tdx-destroy.c: tearing down one domain, TD or not
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-destroy.h"
#include "tdx-domain.h"
#include "tdx-error.h"
#include "tdx-estimate.h"
#include "tdx-libvirt.h"
#include "tdx-probe.h"
#include "tdx-qmp.h"
#include "tdx-resolve.h"

/* State of one destroy, threaded through the phases below. */
typedef struct {
    virConnectPtr conn;
    const tdxDestroyOptions *options;
    const tdxConfig *config;
    tdxDestroyResult *result;
    virDomainPtr dom;
    tdxDomainDef *def;
    tdxMonitor *mon;
    gint64 phase_start;
} tdxDestroy;


void
tdxDestroyResultFree(tdxDestroyResult *result)
{
    if (!result)
        return;
    g_free(result->domain);
    g_free(result->uuid);
    g_ptr_array_unref(result->notes);
    g_clear_error(&result->error);
    g_free(result);
}


static void G_GNUC_PRINTF(2, 3)
tdxDestroyNote(tdxDestroy *ctx, const char *fmt, ...)
{
    va_list args;
    char *note;

    va_start(args, fmt);
    note = g_strdup_vprintf(fmt, args);
    va_end(args);

    g_message("%s: %s", ctx->result->domain, note);
    g_ptr_array_add(ctx->result->notes, note);
}


/* Every phase is announced as it starts: a probe or a destroy that hangs
 * in QEMU or libvirt shows as that phase with its time running. */
static void
tdxDestroyPhaseBegin(tdxDestroy *ctx, tdxPhase phase)
{
    ctx->phase_start = g_get_monotonic_time();
    if (ctx->options->progress)
        ctx->options->progress(ctx->result->domain, tdxPhaseToString(phase), 0, 0,
                               ctx->options->progress_opaque);
}


static void
tdxDestroyPhaseEnd(tdxDestroy *ctx, tdxPhase phase)
{
    ctx->result->phase_usec[phase] += g_get_monotonic_time() - ctx->phase_start;
}


static gboolean
tdxDestroyIsGone(tdxDestroy *ctx)
{
    return tdxDomainCheckGone(ctx->dom, NULL) == 1;
}


/* Lookup and the facts the later phases decide on. FALSE with
 * result->path ALREADY_GONE is success. */
static gboolean
tdxDestroyLookup(tdxDestroy *ctx)
{
    tdxDestroyResult *result = ctx->result;
    g_autofree char *xml = NULL;
    int state;
    int reason;

    if (!(ctx->dom = tdxLookupByUUID(ctx->conn, result->uuid, result->domain,
                                     &result->error))) {
        /* Undefined since it was resolved: gone, nothing to do. */
        if (g_error_matches(result->error, TDX_ERROR, TDX_ERROR_NO_DOMAIN)) {
            g_clear_error(&result->error);
            result->path = TDX_DESTROY_PATH_ALREADY_GONE;
        }
        return FALSE;
    }

    if (virDomainGetState(ctx->dom, &state, &reason, 0) < 0 ||
        !(xml = virDomainGetXMLDesc(ctx->dom, 0))) {
        if (tdxLibvirtErrorIsDomainGone(virGetLastError())) {
            result->path = TDX_DESTROY_PATH_ALREADY_GONE;
            return FALSE;
        }
        tdxLibvirtError(&result->error, "domain '%s'", result->domain);
        return FALSE;
    }

    /* Our policy lives in this XML: acting on a domain whose policy we
     * cannot read would ignore what its owner asked for. */
    if (!(ctx->def = tdxDomainDefParseString(xml, &result->error)))
        return FALSE;
    ctx->def->state = state;
    result->is_td = tdxDomainDefIsTD(ctx->def);
    result->memory_kib = ctx->def->memory_kib;

    if (state == VIR_DOMAIN_SHUTOFF) {
        result->path = TDX_DESTROY_PATH_ALREADY_GONE;
        return FALSE;
    }
    return TRUE;
}


static gboolean
tdxDestroyWantsGraceful(tdxDestroy *ctx, guint *grace_seconds)
{
    const tdxPolicy *policy = &ctx->def->policy;

    *grace_seconds = policy->grace_seconds_set ? policy->grace_seconds
                                               : ctx->config->grace_seconds;
    switch (ctx->options->graceful) {
    case TDX_GRACEFUL_NEVER:
        return FALSE;
    case TDX_GRACEFUL_ALWAYS:
        return TRUE;
    case TDX_GRACEFUL_POLICY:
        break;
    }
    return policy->graceful_set ? policy->graceful : ctx->config->graceful;
}


/* @seconds, cut to what is left before the hard deadline. */
static double
tdxDestroyBoundWait(tdxDestroy *ctx, double seconds)
{
    gint64 hard = ctx->options->hard_deadline_usec;
    double left;

    if (hard <= 0)
        return seconds;
    left = (hard - g_get_monotonic_time()) / (double) G_USEC_PER_SEC;
    return MAX(0.0, MIN(seconds, left));
}


/* TRUE when the guest shut itself down; FALSE to go on destroying it.
 * Only a lost daemon is an error here. */
static gboolean
tdxDestroyGraceful(tdxDestroy *ctx)
{
    g_autoptr(GError) error = NULL;
    guint grace_seconds;

    if (!tdxDestroyWantsGraceful(ctx, &grace_seconds) || grace_seconds == 0)
        return FALSE;

    tdxDestroyPhaseBegin(ctx, TDX_PHASE_GRACEFUL);
    if (virDomainShutdown(ctx->dom) < 0) {
        /* Saved first: the checks below are libvirt calls of their own. */
        g_autoptr(virError) err = virSaveLastError();
        g_autoptr(GError) gone_error = NULL;
        int gone = tdxDomainCheckGone(ctx->dom, &gone_error);

        tdxDestroyPhaseEnd(ctx, TDX_PHASE_GRACEFUL);
        if (gone > 0)
            return TRUE;
        if (gone < 0 && virConnectIsAlive(ctx->conn) != 1) {
            tdxLibvirtErrorFrom(err, &ctx->result->error,
                                "cannot shut down domain '%s'", ctx->result->domain);
            ctx->result->error->code = TDX_ERROR_CONNECTION;
            return FALSE;
        }
        tdxDestroyNote(ctx, "graceful shutdown refused (%s); destroying",
                       err && err->message ? err->message : "unknown libvirt error");
        return FALSE;
    }

    if (tdxWaitDomainGone(ctx->conn, ctx->dom,
                          tdxDestroyBoundWait(ctx, grace_seconds), "graceful",
                          ctx->options->progress, ctx->options->progress_opaque,
                          &error)) {
        tdxDestroyPhaseEnd(ctx, TDX_PHASE_GRACEFUL);
        return TRUE;
    }
    tdxDestroyPhaseEnd(ctx, TDX_PHASE_GRACEFUL);

    /* Only a timeout is "did not shut down": any other failure to watch
     * it says what it was, and a lost daemon ends the destroy. */
    if (g_error_matches(error, TDX_ERROR, TDX_ERROR_CONNECTION) ||
        (!g_error_matches(error, TDX_ERROR, TDX_ERROR_TIMEOUT) &&
         virConnectIsAlive(ctx->conn) != 1)) {
        if (error->code != TDX_ERROR_CONNECTION)
            error->code = TDX_ERROR_CONNECTION;
        g_propagate_error(&ctx->result->error, g_steal_pointer(&error));
        return FALSE;
    }
    if (g_error_matches(error, TDX_ERROR, TDX_ERROR_TIMEOUT))
        tdxDestroyNote(ctx, "guest did not shut down within %u s; destroying",
                       grace_seconds);
    else
        tdxDestroyNote(ctx, "graceful shutdown not confirmed (%s); destroying",
                       error->message);
    return FALSE;
}


static tdxMonitor *
tdxDestroyMonitorNew(tdxDestroy *ctx)
{
    if (ctx->options->monitor_new)
        return ctx->options->monitor_new(ctx->dom, ctx->options->monitor_opaque);
    return tdxMonitorNewLibvirt(ctx->dom);
}


/* Ask QEMU to release the HKID, retrying while KVM cannot lock every vCPU.
 * FALSE means: go on without terminate semantics (the reason is noted). */
static gboolean
tdxDestroyTerminate(tdxDestroy *ctx)
{
    const tdxConfig *config = ctx->config;
    guint attempts = config->terminate_retries + 1;
    g_autoptr(GError) error = NULL;

    tdxDestroyPhaseBegin(ctx, TDX_PHASE_TERMINATE);
    while (ctx->result->terminate_attempts < attempts) {
        g_autoptr(JsonNode) ret = NULL;

        g_clear_error(&error);
        ctx->result->terminate_attempts++;
        ret = tdxMonitorExecute(ctx->mon, TDX_QMP_TERMINATE_COMMAND, NULL,
                                config->monitor_timeout_ms, &error);
        if (ret)
            break;
        if (!g_error_matches(error, TDX_ERROR, TDX_ERROR_BUSY))
            break;
        if (ctx->result->terminate_attempts < attempts)
            g_usleep((gulong) config->terminate_retry_delay_ms * 1000);
    }
    tdxDestroyPhaseEnd(ctx, TDX_PHASE_TERMINATE);

    if (!error)
        return TRUE;

    if (g_error_matches(error, TDX_ERROR, TDX_ERROR_BUSY))
        tdxDestroyNote(ctx, "KVM still busy after %u attempts (%s); "
                       "destroying without terminate",
                       ctx->result->terminate_attempts, error->message);
    else
        tdxDestroyNote(ctx, "%s; destroying without terminate", error->message);
    return FALSE;
}


/* Probe QEMU and choose the path, before anything is done to the guest,
 * so that a refusal leaves it exactly as it was. FALSE when the destroy
 * must not go on. A QEMU that cannot be probed is destroyed anyway, even
 * with without-terminate=refuse: it would not answer tdx-terminate either. */
static gboolean
tdxDestroyClassify(tdxDestroy *ctx)
{
    tdxDestroyResult *result = ctx->result;
    g_autoptr(GError) error = NULL;
    tdxProbe probe = { 0 };
    gboolean probed;

    ctx->mon = tdxDestroyMonitorNew(ctx);

    tdxDestroyPhaseBegin(ctx, TDX_PHASE_PROBE);
    if (ctx->options->known_probe &&
        ctx->options->known_probe(ctx->dom, &probe, ctx->options->known_probe_opaque))
        probed = TRUE;
    else
        probed = tdxProbeRun(ctx->mon, ctx->config->monitor_timeout_ms, &probe, &error);
    tdxDestroyPhaseEnd(ctx, TDX_PHASE_PROBE);

    if (!probed) {
        if (tdxDestroyIsGone(ctx)) {
            result->path = TDX_DESTROY_PATH_ALREADY_GONE;
            return FALSE;
        }
        tdxDestroyNote(ctx, "probe failed (%s); relying on the domain XML",
                       error->message);
    }

    /* The running QEMU is the authority on what it is; the XML decides
     * only when QEMU cannot be asked. */
    result->is_td = probed ? (probe.is_td || result->is_td) : result->is_td;
    result->terminate_supported = probed && probe.has_terminate;

    if (!result->is_td) {
        if (ctx->config->non_td == TDX_NON_TD_REFUSE) {
            result->path = TDX_DESTROY_PATH_REFUSED;
            g_set_error(&result->error, TDX_ERROR, TDX_ERROR_REFUSED,
                        "domain '%s' is not a TD and [destroy] non-td=refuse",
                        result->domain);
            return FALSE;
        }
        result->path = TDX_DESTROY_PATH_NON_TD;
        return TRUE;
    }

    if (!result->terminate_supported) {
        if (probed && ctx->config->no_terminate == TDX_FALLBACK_REFUSE) {
            result->path = TDX_DESTROY_PATH_REFUSED;
            g_set_error(&result->error, TDX_ERROR, TDX_ERROR_REFUSED,
                        "QEMU of domain '%s' does not offer '%s' and "
                        "[destroy] without-terminate=refuse",
                        result->domain, TDX_QMP_TERMINATE_COMMAND);
            return FALSE;
        }
        if (probed)
            tdxDestroyNote(ctx, "QEMU does not offer '%s'; destroying without "
                           "terminate, reclaim will be slow",
                           TDX_QMP_TERMINATE_COMMAND);
        result->path = TDX_DESTROY_PATH_FALLBACK;
        return TRUE;
    }

    /* Tentative: tdxDestroyTerminate() has the last word. */
    result->path = TDX_DESTROY_PATH_TERMINATE;
    return TRUE;
}


static gboolean
tdxDestroyKill(tdxDestroy *ctx)
{
    tdxDestroyResult *result = ctx->result;
    virErrorPtr err;

    tdxDestroyPhaseBegin(ctx, TDX_PHASE_DESTROY);
    if (virDomainDestroyFlags(ctx->dom, VIR_DOMAIN_DESTROY_DEFAULT) == 0) {
        tdxDestroyPhaseEnd(ctx, TDX_PHASE_DESTROY);
        return TRUE;
    }
    tdxDestroyPhaseEnd(ctx, TDX_PHASE_DESTROY);

    err = virGetLastError();
    if (tdxLibvirtErrorIsKillBusy(err)) {
        /* libvirt stops waiting after its SIGKILL grace while the kernel
         * is still reclaiming the memory; QEMU exits once it is done. */
        tdxDestroyNote(ctx, "libvirt gave up waiting for QEMU to exit (%s); "
                       "the kernel is still reclaiming memory, waiting",
                       err->message);
        return TRUE;
    }
    if (tdxLibvirtErrorIsDomainGone(err))
        return TRUE;

    tdxLibvirtError(&result->error, "cannot destroy domain '%s'", result->domain);
    if (tdxDestroyIsGone(ctx)) {
        g_clear_error(&result->error);
        return TRUE;
    }
    return FALSE;
}


static void
tdxDestroyReclaim(tdxDestroy *ctx)
{
    tdxDestroyResult *result = ctx->result;
    gboolean terminated = result->path == TDX_DESTROY_PATH_TERMINATE;

    result->estimate_seconds = tdxEstimateReclaimSeconds(result->memory_kib,
                                                         terminated || !result->is_td);
    result->deadline_seconds =
        tdxDestroyBoundWait(ctx, tdxEstimateDeadlineSeconds(ctx->config,
                                                            result->memory_kib,
                                                            result->is_td,
                                                            terminated));
    tdxDestroyPhaseBegin(ctx, TDX_PHASE_RECLAIM);
    tdxWaitDomainGone(ctx->conn, ctx->dom, result->deadline_seconds, "reclaim",
                      ctx->options->progress, ctx->options->progress_opaque,
                      &result->error);
    tdxDestroyPhaseEnd(ctx, TDX_PHASE_RECLAIM);
}


tdxDestroyResult *
tdxDestroyResultNewFailed(const char *argument, const GError *error)
{
    tdxDestroyResult *result = g_new0(tdxDestroyResult, 1);

    result->domain = g_strdup(argument);
    result->notes = g_ptr_array_new_with_free_func(g_free);
    result->error = g_error_copy(error);
    return result;
}


tdxDestroyResult *
tdxDestroyDomain(virConnectPtr conn, const char *uuid, const char *name,
                 const tdxDestroyOptions *options)
{
    tdxDestroyResult *result = g_new0(tdxDestroyResult, 1);
    tdxDestroy ctx = {
        .conn = conn,
        .options = options,
        .config = options->config,
        .result = result,
    };
    gint64 start = g_get_monotonic_time();

    result->domain = g_strdup(name ? name : uuid);
    result->uuid = g_strdup(uuid);
    result->notes = g_ptr_array_new_with_free_func(g_free);

    tdxDestroyPhaseBegin(&ctx, TDX_PHASE_LOOKUP);
    if (!tdxDestroyLookup(&ctx)) {
        tdxDestroyPhaseEnd(&ctx, TDX_PHASE_LOOKUP);
        goto cleanup;
    }
    tdxDestroyPhaseEnd(&ctx, TDX_PHASE_LOOKUP);

    if (!tdxDestroyClassify(&ctx))
        goto cleanup;

    if (tdxDestroyGraceful(&ctx)) {
        result->path = TDX_DESTROY_PATH_GRACEFUL;
        goto cleanup;
    }
    if (result->error)
        goto cleanup;

    if (result->path == TDX_DESTROY_PATH_TERMINATE && !tdxDestroyTerminate(&ctx))
        result->path = TDX_DESTROY_PATH_FALLBACK;

    if (!tdxDestroyKill(&ctx))
        goto cleanup;

    tdxDestroyReclaim(&ctx);

 cleanup:
    result->total_usec = g_get_monotonic_time() - start;
    if (options->progress)
        options->progress(result->domain, TDX_PROGRESS_DONE,
                          result->total_usec / (double) G_USEC_PER_SEC, 0,
                          options->progress_opaque);
    if (ctx.mon)
        tdxMonitorUnref(ctx.mon);
    if (ctx.def)
        tdxDomainDefFree(ctx.def);
    if (ctx.dom)
        virDomainFree(ctx.dom);
    return result;
}


const char *
tdxDestroyPathToString(tdxDestroyPath path)
{
    static const char *names[TDX_DESTROY_PATH_LAST] = {
        [TDX_DESTROY_PATH_NONE] = "none",
        [TDX_DESTROY_PATH_ALREADY_GONE] = "already-gone",
        [TDX_DESTROY_PATH_GRACEFUL] = "graceful",
        [TDX_DESTROY_PATH_TERMINATE] = "terminate",
        [TDX_DESTROY_PATH_FALLBACK] = "destroy-without-terminate",
        [TDX_DESTROY_PATH_NON_TD] = "non-td",
        [TDX_DESTROY_PATH_REFUSED] = "refused",
    };

    return path < TDX_DESTROY_PATH_LAST ? names[path] : "unknown";
}


const char *
tdxPhaseToString(tdxPhase phase)
{
    static const char *names[TDX_PHASE_LAST] = {
        [TDX_PHASE_LOOKUP] = "lookup",
        [TDX_PHASE_GRACEFUL] = "graceful",
        [TDX_PHASE_PROBE] = "probe",
        [TDX_PHASE_TERMINATE] = "terminate",
        [TDX_PHASE_DESTROY] = "destroy",
        [TDX_PHASE_RECLAIM] = "reclaim",
    };

    return phase < TDX_PHASE_LAST ? names[phase] : "unknown";
}
