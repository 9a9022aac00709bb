/*
 * tdx-config.c: host configuration of libvirt-tdx (GKeyFile)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The file is validated completely before anything is applied: a typo in
 * a key meant to lengthen a deadline must stop the tool, not be ignored,
 * and a half-applied file would mix two intended configurations.
 */
#include "tdx-config.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "tdx-error.h"

typedef enum {
    TDX_CONFIG_STRING,
    TDX_CONFIG_BOOLEAN,
    TDX_CONFIG_UINT,
    TDX_CONFIG_DOUBLE,
    TDX_CONFIG_ENUM,
} tdxConfigKeyType;

typedef struct {
    const char *group;
    const char *key;
    tdxConfigKeyType type;
    size_t offset;
    guint64 min;                 /* TDX_CONFIG_UINT */
    guint64 max;
    double dmin;                 /* TDX_CONFIG_DOUBLE */
    double dmax;
    const char *const *names;    /* TDX_CONFIG_ENUM, indexed by value */
} tdxConfigKey;

/* Enums are stored through an int pointer below. */
G_STATIC_ASSERT(sizeof(tdxNonTdAction) == sizeof(int));
G_STATIC_ASSERT(sizeof(tdxFallbackAction) == sizeof(int));
G_STATIC_ASSERT(sizeof(tdxHostNonTdAction) == sizeof(int));

static const char *const tdxNonTdActionNames[] = { "destroy", "refuse", NULL };
static const char *const tdxFallbackActionNames[] = { "destroy", "refuse", NULL };
static const char *const tdxHostNonTdActionNames[] = {
    "leave", "shutdown", "destroy", NULL,
};

#define KEY_STRING(g, k, field) \
    { g, k, TDX_CONFIG_STRING, offsetof(tdxConfig, field), 0, 0, 0, 0, NULL }
#define KEY_BOOLEAN(g, k, field) \
    { g, k, TDX_CONFIG_BOOLEAN, offsetof(tdxConfig, field), 0, 0, 0, 0, NULL }
#define KEY_UINT(g, k, field, lo, hi) \
    { g, k, TDX_CONFIG_UINT, offsetof(tdxConfig, field), lo, hi, 0, 0, NULL }
#define KEY_DOUBLE(g, k, field, lo, hi) \
    { g, k, TDX_CONFIG_DOUBLE, offsetof(tdxConfig, field), 0, 0, lo, hi, NULL }
#define KEY_ENUM(g, k, field, names) \
    { g, k, TDX_CONFIG_ENUM, offsetof(tdxConfig, field), 0, 0, 0, 0, names }

/* Keep in step with tdx-config.h, conf/tdx.conf and docs/configuration.rst;
 * the unit tests load conf/tdx.conf to catch drift. */
static const tdxConfigKey tdxConfigKeys[] = {
    KEY_STRING("connection", "uri", uri),

    KEY_BOOLEAN("destroy", "graceful-shutdown", graceful),
    KEY_UINT("destroy", "grace-period", grace_seconds, 0, 3600),
    KEY_UINT("destroy", "monitor-timeout-ms", monitor_timeout_ms, 100, 600000),
    KEY_UINT("destroy", "terminate-retries", terminate_retries, 0, 100),
    KEY_UINT("destroy", "terminate-retry-delay-ms", terminate_retry_delay_ms,
             10, 60000),
    KEY_DOUBLE("destroy", "deadline-factor", deadline_factor, 1.0, 100.0),
    KEY_UINT("destroy", "deadline-min", deadline_min_seconds, 1, 86400),
    KEY_ENUM("destroy", "non-td", non_td, tdxNonTdActionNames),
    KEY_ENUM("destroy", "without-terminate", no_terminate, tdxFallbackActionNames),

    KEY_UINT("shutdown-host", "jobs", jobs, 0, 1024),
    KEY_UINT("shutdown-host", "deadline", host_deadline_seconds, 10, 604800),
    KEY_BOOLEAN("shutdown-host", "graceful-shutdown", host_graceful),
    KEY_UINT("shutdown-host", "grace-period", host_grace_seconds, 0, 3600),
    KEY_ENUM("shutdown-host", "non-td", host_non_td, tdxHostNonTdActionNames),
};

static const char *const tdxConfigGroups[] = {
    "connection", "destroy", "shutdown-host", NULL,
};


void
tdxConfigInit(tdxConfig *config)
{
    memset(config, 0, sizeof(*config));

    config->uri = g_strdup("qemu:///system");

    config->graceful = FALSE;
    config->grace_seconds = 30;
    config->monitor_timeout_ms = 10000;
    config->terminate_retries = 5;
    config->terminate_retry_delay_ms = 200;
    config->deadline_factor = 3.0;
    config->deadline_min_seconds = 60;
    config->non_td = TDX_NON_TD_DESTROY;
    config->no_terminate = TDX_FALLBACK_DESTROY;

    config->jobs = 0;
    config->host_deadline_seconds = 1500;
    config->host_graceful = FALSE;
    config->host_grace_seconds = 60;
    config->host_non_td = TDX_HOST_NON_TD_LEAVE;
}


void
tdxConfigClear(tdxConfig *config)
{
    g_clear_pointer(&config->uri, g_free);
}


const char *
tdxNonTdActionToString(tdxNonTdAction action)
{
    if ((guint) action < G_N_ELEMENTS(tdxNonTdActionNames) - 1)
        return tdxNonTdActionNames[action];
    return "unknown";
}


const char *
tdxFallbackActionToString(tdxFallbackAction action)
{
    if ((guint) action < G_N_ELEMENTS(tdxFallbackActionNames) - 1)
        return tdxFallbackActionNames[action];
    return "unknown";
}


const char *
tdxHostNonTdActionToString(tdxHostNonTdAction action)
{
    if ((guint) action < G_N_ELEMENTS(tdxHostNonTdActionNames) - 1)
        return tdxHostNonTdActionNames[action];
    return "unknown";
}


static const tdxConfigKey *
tdxConfigFindKey(const char *group, const char *key)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(tdxConfigKeys); i++) {
        if (strcmp(tdxConfigKeys[i].group, group) == 0 &&
            strcmp(tdxConfigKeys[i].key, key) == 0)
            return &tdxConfigKeys[i];
    }
    return NULL;
}


static char *
tdxConfigGroupKeyList(const char *group)
{
    g_autoptr(GString) list = g_string_new(NULL);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(tdxConfigKeys); i++) {
        if (strcmp(tdxConfigKeys[i].group, group) != 0)
            continue;
        if (list->len)
            g_string_append(list, ", ");
        g_string_append(list, tdxConfigKeys[i].key);
    }
    return g_string_free(g_steal_pointer(&list), FALSE);
}


static gboolean
tdxConfigParseValue(const tdxConfigKey *def, GKeyFile *kf, const char *path,
                    tdxConfig *config, GError **error)
{
    g_autofree char *raw = g_key_file_get_value(kf, def->group, def->key, NULL);
    g_autofree char *value = g_strstrip(g_strdup(raw ? raw : ""));
    char *field = (char *) config + def->offset;

    switch (def->type) {
    case TDX_CONFIG_STRING: {
        g_autofree char *str = g_key_file_get_string(kf, def->group, def->key, NULL);

        if (!str || !*g_strstrip(str)) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                        "%s: [%s] %s=%s: must not be empty",
                        path, def->group, def->key, value);
            return FALSE;
        }
        g_free(*(char **) field);
        *(char **) field = g_steal_pointer(&str);
        return TRUE;
    }

    case TDX_CONFIG_BOOLEAN:
        /* GKeyFile's own spelling, so g_key_file_get_boolean users agree. */
        if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0) {
            *(gboolean *) field = TRUE;
        } else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0) {
            *(gboolean *) field = FALSE;
        } else {
            g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                        "%s: [%s] %s=%s: must be true or false",
                        path, def->group, def->key, value);
            return FALSE;
        }
        return TRUE;

    case TDX_CONFIG_UINT: {
        guint64 num;

        if (!g_ascii_string_to_unsigned(value, 10, def->min, def->max, &num, NULL)) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                        "%s: [%s] %s=%s: must be an integer from %" G_GUINT64_FORMAT
                        " to %" G_GUINT64_FORMAT,
                        path, def->group, def->key, value, def->min, def->max);
            return FALSE;
        }
        *(guint *) field = (guint) num;
        return TRUE;
    }

    case TDX_CONFIG_DOUBLE: {
        char *end = NULL;
        double num = *value ? g_ascii_strtod(value, &end) : NAN;

        if (!end || *end || !isfinite(num) || num < def->dmin || num > def->dmax) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                        "%s: [%s] %s=%s: must be a number from %.1f to %.1f",
                        path, def->group, def->key, value, def->dmin, def->dmax);
            return FALSE;
        }
        *(double *) field = num;
        return TRUE;
    }

    case TDX_CONFIG_ENUM: {
        g_autofree char *allowed = NULL;
        int i;

        for (i = 0; def->names[i]; i++) {
            if (strcmp(value, def->names[i]) == 0) {
                *(int *) field = i;
                return TRUE;
            }
        }
        allowed = g_strjoinv(", ", (char **) def->names);
        g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                    "%s: [%s] %s=%s: must be one of %s",
                    path, def->group, def->key, value, allowed);
        return FALSE;
    }
    }

    g_assert_not_reached();
}


static gboolean
tdxConfigParseKeyFile(GKeyFile *kf, const char *path, tdxConfig *config,
                      GError **error)
{
    g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
    size_t i;
    size_t j;

    for (i = 0; groups[i]; i++) {
        g_auto(GStrv) keys = NULL;

        if (!g_strv_contains(tdxConfigGroups, groups[i])) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                        "%s: unknown group [%s]: expected [connection], "
                        "[destroy] or [shutdown-host]", path, groups[i]);
            return FALSE;
        }

        keys = g_key_file_get_keys(kf, groups[i], NULL, NULL);
        for (j = 0; keys && keys[j]; j++) {
            const tdxConfigKey *def = tdxConfigFindKey(groups[i], keys[j]);

            if (!def) {
                g_autofree char *known = tdxConfigGroupKeyList(groups[i]);

                g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                            "%s: [%s] unknown key '%s': expected one of %s",
                            path, groups[i], keys[j], known);
                return FALSE;
            }
            if (!tdxConfigParseValue(def, kf, path, config, error))
                return FALSE;
        }
    }
    return TRUE;
}


/* Rules between keys, once each has its own range. */
static gboolean
tdxConfigCheckRelations(const tdxConfig *config, const char *path, GError **error)
{
    guint64 needed_ms = (guint64) TDX_CONFIG_DEADLINE_MONITOR_TIMEOUTS *
                        config->monitor_timeout_ms;

    if ((guint64) config->host_deadline_seconds * 1000 < needed_ms) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                    "%s: [shutdown-host] deadline=%u is shorter than %u x "
                    "[destroy] monitor-timeout-ms=%u: a hung QEMU could use up the "
                    "whole deadline before any teardown starts; raise deadline to "
                    "at least %" G_GUINT64_FORMAT " or lower monitor-timeout-ms",
                    path, config->host_deadline_seconds,
                    TDX_CONFIG_DEADLINE_MONITOR_TIMEOUTS, config->monitor_timeout_ms,
                    (needed_ms + 999) / 1000);
        return FALSE;
    }
    return TRUE;
}


gboolean
tdxConfigLoad(tdxConfig *config, const char *path,
              gboolean missing_ok, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local_error = NULL;
    tdxConfig tmp;

    /* KEEP_TRANSLATIONS: otherwise GKeyFile silently drops "key[xx]"
     * lines for other locales and they could never be reported. */
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_KEEP_TRANSLATIONS,
                                   &local_error)) {
        if (missing_ok &&
            g_error_matches(local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return TRUE;
        g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                    "%s: %s", path, local_error->message);
        return FALSE;
    }

    /* Work on a copy so that an error leaves @config as it was. */
    tmp = *config;
    tmp.uri = g_strdup(config->uri);
    if (!tdxConfigParseKeyFile(kf, path, &tmp, error) ||
        !tdxConfigCheckRelations(&tmp, path, error)) {
        tdxConfigClear(&tmp);
        return FALSE;
    }

    tdxConfigClear(config);
    *config = tmp;
    return TRUE;
}
