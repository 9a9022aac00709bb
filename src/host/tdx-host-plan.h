/*
 * tdx-host-plan.h: what shutdown-host will do with each running domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "tdx-wait.h"

#include <json-glib/json-glib.h>
#include <libvirt/libvirt.h>

#include "tdx-config.h"
#include "tdx-destroy.h"
#include "tdx-monitor.h"
#include "tdx-probe.h"

/* The run ends at most this long after its deadline, whatever QEMU or
 * libvirt do (docs/shutdown-host.rst): teardowns still running at
 * deadline + TDX_HOST_ABANDON_SLACK_SECONDS are abandoned, and what is
 * left is writing the report. */
#define TDX_HOST_DEADLINE_BOUND_SECONDS 5
/* Seconds past the deadline the run gives teardowns that are bounded by
 * it themselves, so that they report their own timeout rather than being
 * abandoned. */
#define TDX_HOST_ABANDON_SLACK_SECONDS 2

typedef enum {
    TDX_HOST_ACTION_TERMINATE,  /* a TD: the destroy path, with terminate */
    TDX_HOST_ACTION_DESTROY,    /* not a TD, non-td=destroy */
    TDX_HOST_ACTION_SHUTDOWN,   /* not a TD, non-td=shutdown: ACPI, then destroy */
    TDX_HOST_ACTION_LEAVE,      /* not a TD, non-td=leave: libvirt-guests' job */
    TDX_HOST_ACTION_NONE,       /* could not even be inspected */
} tdxHostAction;

/* How a domain's run ended. */
typedef enum {
    TDX_HOST_OUTCOME_PENDING,   /* not decided yet (or a dry run) */
    TDX_HOST_OUTCOME_GONE,
    TDX_HOST_OUTCOME_LEFT,      /* left running on purpose */
    TDX_HOST_OUTCOME_FAILED,    /* error says why */
    TDX_HOST_OUTCOME_NOT_STARTED,/* the deadline came before its turn */
    TDX_HOST_OUTCOME_ABANDONED, /* its teardown still ran at the deadline */
} tdxHostOutcome;

typedef struct _tdxHostDomain tdxHostDomain;
struct _tdxHostDomain {
    char *name;
    char *uuid;
    int id;                     /* libvirt's id when inspected: which QEMU */
    gboolean is_td;
    gboolean probed;
    tdxProbe probe;             /* what its QEMU said, when probed */
    /* Running, but its QEMU did not answer the inspection in time (a
     * monitor or libvirt job timeout, or not inspected at all): torn down
     * after every guest that did (tdxScheduleDefer). */
    gboolean unresponsive;
    gboolean bad_policy;        /* its <metadata> policy was unusable */
    gboolean has_terminate;
    guint64 memory_kib;
    int priority;
    tdxHostAction action;
    gboolean graceful;          /* gets an ACPI shutdown first */
    guint grace_seconds;
    double estimate_seconds;    /* teardown along the path it will take */
    double estimate_terminate_seconds;
    double estimate_plain_seconds;
    guint order;                /* 1-based teardown order; 0: not scheduled */
    GPtrArray *warnings;        /* char *: what went wrong but did not stop it */
    double planned_start_seconds; /* per the model, without grace periods */

    /* Filled in by the run. Times are relative to the start of the run. */
    tdxHostOutcome outcome;
    tdxDestroyPath path;
    gint64 graceful_usec;       /* from the ACPI shutdown until gone or out of grace */
    gint64 start_usec;          /* teardown start; -1: never started */
    gint64 end_usec;            /* gone at; -1: not gone (failed, abandoned...) */
    tdxDestroyResult *destroy;  /* NULL unless the destroy path ran */
    GError *error;
    gboolean journaled;         /* its journal entry is written */
};

typedef struct _tdxHostPlan tdxHostPlan;
struct _tdxHostPlan {
    GPtrArray *domains;         /* tdxHostDomain, in teardown order, then the rest */
    gint64 start_usec;          /* g_get_monotonic_time(): the deadline counts from here */
    gint64 deadline_usec;       /* start + deadline */
    guint jobs;
    guint deadline_seconds;
    tdxHostNonTdAction non_td;
    double graceful_seconds;    /* longest grace among graceful domains */
    double makespan_seconds;             /* teardown, along the paths planned */
    double makespan_terminate_seconds;   /* the same if every TD offered terminate */
    double makespan_plain_seconds;       /* the same without terminate semantics */
    double sequential_plain_seconds;     /* one by one, without terminate */

    /* Filled in by the run. */
    gint64 elapsed_usec;        /* until the last scheduled guest was gone */
    gint64 graceful_phase_usec; /* until the last graceful guest was gone or out of grace */
    guint peak_jobs;            /* most teardowns that really ran at once */
    GError *error;              /* the run as a whole failed (lost daemon) */
};

/* What the caller asks for; the configuration fills in the rest. */
typedef struct _tdxHostOptions tdxHostOptions;
struct _tdxHostOptions {
    const tdxConfig *config;
    tdxGracefulMode graceful;   /* POLICY: per-domain metadata, then [shutdown-host] */
    guint jobs;                 /* 0: [shutdown-host] jobs (0 there: one per CPU) */
    guint deadline_seconds;     /* 0: [shutdown-host] deadline */
    /* g_get_monotonic_time() when the command started (0: when the plan
     * is made): connecting and inspecting count against the deadline. */
    gint64 start_usec;
    gint grace_seconds;         /* -1: per domain, then [shutdown-host] grace-period */
    gint non_td;                /* -1: [shutdown-host] non-td, else a tdxHostNonTdAction */
    /* The exit code of a run that did everything, when something typed
     * wrong was ignored to get there (TDX_EXIT_USAGE, TDX_EXIT_CONFIG);
     * 0 (TDX_EXIT_OK) otherwise. The journal's summary says it too. */
    int ignored_exit_code;
    /* NULL: talk to QEMU through libvirt. */
    tdxMonitorFactory monitor_new;
    gpointer monitor_opaque;
    /* Called about once a second on the calling thread with a one-line
     * status (what systemd also gets); may be NULL. */
    void (*status)(const char *line, gpointer opaque);
    gpointer status_opaque;
    /* Each guest's teardown phases, from the worker threads; may be NULL. */
    tdxProgressFunc progress;
    gpointer progress_opaque;
};

void tdxHostOptionsInit(tdxHostOptions *options, const tdxConfig *config);
guint tdxHostOptionsDeadlineSeconds(const tdxHostOptions *options);

/* FALSE with @error (TDX_ERROR_INVALID_ARG) when @deadline_seconds
 * cannot hold TDX_CONFIG_DEADLINE_MONITOR_TIMEOUTS of @config's
 * monitor-timeout-ms; @what names where the deadline came from. */
gboolean tdxHostCheckDeadline(const tdxConfig *config, guint deadline_seconds,
                              const char *what, GError **error);

void tdxHostDomainFree(tdxHostDomain *domain);
void tdxHostPlanFree(tdxHostPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tdxHostPlan, tdxHostPlanFree);

/* Find every running domain of @conn, ask each QEMU what it is (all at
 * once: a hung monitor costs its timeout once, not once per domain) and
 * decide what happens to it. Fails only when the domains cannot be listed. */
tdxHostPlan *tdxHostPlanNew(virConnectPtr conn, const tdxHostOptions *options,
                            GError **error);

/* The plan's record of the domain named @name, NULL if it has none. */
const tdxHostDomain *tdxHostPlanFind(const tdxHostPlan *plan, const char *name);

const char *tdxHostActionToString(tdxHostAction action);
const char *tdxHostOutcomeToString(tdxHostOutcome outcome);

/* What a dry run exits with: 0 when the run would go as planned; else the
 * code of what would go wrong (a guest that cannot be inspected: its
 * error's; an unusable policy, which the run replaces by the host
 * configuration: TDX_EXIT_CONFIG; a QEMU that does not answer:
 * TDX_EXIT_FAILED), TDX_EXIT_FAILED when they differ. */
int tdxHostPlanDryRunExitCode(const tdxHostPlan *plan);

/* The dry run: order, estimate per domain and for the whole host. */
char *tdxHostPlanToText(const tdxHostPlan *plan);
void tdxHostPlanToJson(const tdxHostPlan *plan, JsonBuilder *builder);
/* "warnings": [...] of one domain's record. */
void tdxHostDomainWarningsToJson(const tdxHostDomain *domain, JsonBuilder *builder);
