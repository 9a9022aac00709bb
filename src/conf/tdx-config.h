/*
 * tdx-config.h: host configuration of libvirt-tdx (GKeyFile)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every key has a default; the commented sample conf/tdx.conf installed by
 * meson documents them and docs/configuration.rst explains them.
 */
#pragma once

#include <glib.h>

#define TDX_CONFIG_DEFAULT_PATH SYSCONFDIR "/libvirt/tdx.conf"

/* What to do with a domain that is not a TD when asked to destroy it. */
typedef enum {
    TDX_NON_TD_DESTROY,   /* plain virDomainDestroy */
    TDX_NON_TD_REFUSE,    /* refuse with TDX_ERROR_REFUSED */
} tdxNonTdAction;

/* What to do when QEMU does not offer the terminate command. */
typedef enum {
    TDX_FALLBACK_DESTROY, /* destroy anyway: slow reclaim, but the TD goes */
    TDX_FALLBACK_REFUSE,  /* refuse, leaving the TD running */
} tdxFallbackAction;

/* What shutdown-host does with guests that are not TDs. */
typedef enum {
    TDX_HOST_NON_TD_LEAVE,    /* leave them to libvirt-guests */
    TDX_HOST_NON_TD_SHUTDOWN, /* ACPI shutdown, then destroy at the deadline */
    TDX_HOST_NON_TD_DESTROY,  /* destroy them */
} tdxHostNonTdAction;

/* [shutdown-host] deadline must hold this many [destroy]
 * monitor-timeout-ms: the inspection and the probe of a hung QEMU (each
 * ends at its first timeout), and the same again for the tdx-terminate of
 * the guests after it; otherwise one stopped QEMU could use up the whole
 * deadline before any teardown starts. docs/configuration.rst. */
#define TDX_CONFIG_DEADLINE_MONITOR_TIMEOUTS 4
#define TDX_CONFIG_MONITOR_TIMEOUT_MIN_MS 100
/* The ranges of [shutdown-host] jobs and deadline, which --jobs and
 * --deadline share. */
#define TDX_CONFIG_JOBS_MAX 1024
#define TDX_CONFIG_DEADLINE_MIN_SECONDS 10
#define TDX_CONFIG_DEADLINE_MAX_SECONDS 604800

typedef struct _tdxConfig tdxConfig;
struct _tdxConfig {
    /* [connection] */
    char *uri;                       /* uri, default "qemu:///system" */

    /* [destroy] */
    gboolean graceful;               /* graceful-shutdown, default false */
    guint grace_seconds;             /* grace-period, default 30, 0..3600 */
    guint monitor_timeout_ms;        /* monitor-timeout-ms, default 10000, 100..600000 */
    guint terminate_retries;         /* terminate-retries, default 5, 0..100 */
    guint terminate_retry_delay_ms;  /* terminate-retry-delay-ms, default 200, 10..60000 */
    double deadline_factor;          /* deadline-factor, default 3.0, 1.0..100.0 */
    guint deadline_min_seconds;      /* deadline-min, default 60, 1..86400 */
    tdxNonTdAction non_td;           /* non-td = destroy|refuse, default destroy */
    tdxFallbackAction no_terminate;  /* without-terminate = destroy|refuse, default destroy */

    /* [shutdown-host] */
    guint jobs;                      /* jobs, default 0 = number of online CPUs, 0..1024 */
    guint host_deadline_seconds;     /* deadline, default 1500, 10..604800 */
    gboolean host_graceful;          /* graceful-shutdown, default false */
    guint host_grace_seconds;        /* grace-period, default 60, 0..3600 */
    tdxHostNonTdAction host_non_td;  /* non-td = leave|shutdown|destroy, default leave */
};

/* Fill @config with the defaults. */
void tdxConfigInit(tdxConfig *config);
void tdxConfigClear(tdxConfig *config);

/* Load @path over the defaults. A missing file is not an error when
 * @missing_ok (the default path need not exist). On error @config is left
 * exactly as it was and @error (TDX_ERROR_CONFIG) names the file, group,
 * key and the allowed values. */
gboolean tdxConfigLoad(tdxConfig *config, const char *path,
                       gboolean missing_ok, GError **error);

/* As tdxConfigLoad(), for a host shutdown run, where a rule between keys
 * must not stop the teardown: a deadline shorter than
 * TDX_CONFIG_DEADLINE_MONITOR_TIMEOUTS x monitor-timeout-ms lowers
 * monitor-timeout-ms to fit, and *fitted (else NULL) says what was
 * changed. Every other problem is an error, as for tdxConfigLoad(). */
gboolean tdxConfigLoadFitted(tdxConfig *config, const char *path,
                             gboolean missing_ok, char **fitted, GError **error);

/* The longest monitor-timeout-ms that a deadline of @deadline_seconds
 * holds TDX_CONFIG_DEADLINE_MONITOR_TIMEOUTS times (never below the
 * key's minimum): what a host shutdown run lowers it to. */
guint tdxConfigMonitorTimeoutFitting(guint deadline_seconds);

const char *tdxNonTdActionToString(tdxNonTdAction action);
const char *tdxFallbackActionToString(tdxFallbackAction action);
const char *tdxHostNonTdActionToString(tdxHostNonTdAction action);
