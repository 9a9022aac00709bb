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

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tdx-error.h"
#include "tdx-policy.h"

/* Far more than any real configuration (the sample is ~6 KiB); bounds
 * what a wrong --config (a log file, a disk image) makes us read. */
#define TDX_CONFIG_MAX_BYTES (1024 * 1024)

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
    KEY_UINT("destroy", "grace-period", grace_seconds, 0, TDX_POLICY_GRACE_MAX_SECONDS),
    KEY_UINT("destroy", "monitor-timeout-ms", monitor_timeout_ms,
             TDX_CONFIG_MONITOR_TIMEOUT_MIN_MS, 600000),
    KEY_UINT("destroy", "terminate-retries", terminate_retries, 0, 100),
    KEY_UINT("destroy", "terminate-retry-delay-ms", terminate_retry_delay_ms,
             10, 60000),
    KEY_DOUBLE("destroy", "deadline-factor", deadline_factor, 1.0, 100.0),
    KEY_UINT("destroy", "deadline-min", deadline_min_seconds, 1, 86400),
    KEY_ENUM("destroy", "non-td", non_td, tdxNonTdActionNames),
    KEY_ENUM("destroy", "without-terminate", no_terminate, tdxFallbackActionNames),

    KEY_UINT("shutdown-host", "jobs", jobs, 0, TDX_CONFIG_JOBS_MAX),
    KEY_UINT("shutdown-host", "deadline", host_deadline_seconds,
             TDX_CONFIG_DEADLINE_MIN_SECONDS, TDX_CONFIG_DEADLINE_MAX_SECONDS),
    KEY_BOOLEAN("shutdown-host", "graceful-shutdown", host_graceful),
    KEY_UINT("shutdown-host", "grace-period", host_grace_seconds, 0,
             TDX_POLICY_GRACE_MAX_SECONDS),
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


/* [0-9]+(\.[0-9]+)? */
static gboolean
tdxConfigIsPlainDecimal(const char *text)
{
    const char *p = text;

    if (!g_ascii_isdigit(*p))
        return FALSE;
    while (g_ascii_isdigit(*p))
        p++;
    if (*p == '.') {
        p++;
        if (!g_ascii_isdigit(*p))
            return FALSE;
        while (g_ascii_isdigit(*p))
            p++;
    }
    return *p == '\0';
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
        g_autoptr(GError) escape_error = NULL;
        g_autofree char *str = g_key_file_get_string(kf, def->group, def->key,
                                                     &escape_error);
        const char *p;

        /* GKeyFile reports a bad escape but still returns the raw text. */
        if (escape_error) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                        "%s: [%s] %s=%s: invalid escape sequence (only \\s, "
                        "\\n, \\t, \\r and \\\\ are allowed)",
                        path, def->group, def->key, value);
            return FALSE;
        }
        for (p = str; p && *p; p++) {
            if (g_ascii_iscntrl(*p)) {
                g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                            "%s: [%s] %s=%s: must not contain control characters",
                            path, def->group, def->key, value);
                return FALSE;
            }
        }
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

        /* Base 10 only: no sign, no 0x, no inner blanks; out of range
         * (overflow included) is refused, never wrapped. */
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
        double num = NAN;

        /* g_ascii_strtod() also takes 0x10, +5, 1e1, inf: only plain
         * decimal digits with an optional fraction are meant here. */
        if (tdxConfigIsPlainDecimal(value))
            num = g_ascii_strtod(value, &end);
        if (!end || *end || !isfinite(num) || num < def->dmin || num > def->dmax) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                        "%s: [%s] %s=%s: must be a decimal number from %.1f to %.1f",
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


static const char *
tdxConfigFileKind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    return "not a regular file";
}


static guint
tdxConfigLineOf(const char *data, const char *at)
{
    guint line = 1;
    const char *p;

    for (p = data; p < at; p++)
        line += *p == '\n';
    return line;
}


/* Read @path ourselves instead of g_key_file_load_from_file(): that one
 * blocks forever on a FIFO and silently cuts a line at a NUL byte.
 * Sets *data to NULL (and returns TRUE) for a missing file when
 * @missing_ok. */
static gboolean
tdxConfigReadFile(const char *path, gboolean missing_ok, char **data,
                  gsize *len, GError **error)
{
    g_autoptr(GString) buf = NULL;
    const char *bad = NULL;
    struct stat st;
    int fd;

    *data = NULL;
    if (!*path) {
        g_set_error_literal(error, TDX_ERROR, TDX_ERROR_CONFIG,
                            "configuration file name is empty (--config '' or "
                            "an empty path)");
        return FALSE;
    }
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
        int err = errno;

        if (err == ENOENT && missing_ok)
            return TRUE;
        g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                    "%s: cannot open: %s", path, g_strerror(err));
        return FALSE;
    }
    if (fstat(fd, &st) < 0) {
        int err = errno;

        close(fd);
        g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                    "%s: cannot stat: %s", path, g_strerror(err));
        return FALSE;
    }
    /* --config /dev/null is the usual way to say "defaults only". */
    if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3) {
        close(fd);
        *data = g_strdup("");
        *len = 0;
        return TRUE;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                    "%s: is %s, expected a regular file", path,
                    tdxConfigFileKind(st.st_mode));
        return FALSE;
    }

    /* Read one byte past the limit: the file may grow while we read. */
    buf = g_string_sized_new(MIN((gsize) st.st_size, TDX_CONFIG_MAX_BYTES) + 1);
    while (buf->len <= TDX_CONFIG_MAX_BYTES) {
        char chunk[8192];
        ssize_t got = read(fd, chunk,
                           MIN(sizeof(chunk), TDX_CONFIG_MAX_BYTES + 1 - buf->len));

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int err = errno;

            close(fd);
            g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                        "%s: cannot read: %s", path, g_strerror(err));
            return FALSE;
        }
        if (got == 0)
            break;
        g_string_append_len(buf, chunk, got);
    }
    close(fd);

    if (buf->len > TDX_CONFIG_MAX_BYTES) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                    "%s: larger than the limit of %d bytes", path,
                    TDX_CONFIG_MAX_BYTES);
        return FALSE;
    }
    if ((bad = memchr(buf->str, '\0', buf->len))) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                    "%s: line %u: contains a NUL byte", path,
                    tdxConfigLineOf(buf->str, bad));
        return FALSE;
    }
    /* Every message quotes values: they must be printable as they are. */
    if (!g_utf8_validate_len(buf->str, buf->len, &bad)) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                    "%s: line %u: not valid UTF-8", path,
                    tdxConfigLineOf(buf->str, bad));
        return FALSE;
    }

    *len = buf->len;
    *data = g_string_free(g_steal_pointer(&buf), FALSE);
    return TRUE;
}


/* GKeyFile's syntax errors name neither the line nor its number: find
 * the first line it refuses, classified as GKeyFile does (leading blanks
 * ignored, '#' comments, "[group]" with no ']' or '[' inside, "key=value"
 * with a key before the '=', and no key before the first group). NULL
 * when every line looks fine (GKeyFile's message is used then). */
static char *
tdxConfigFindSyntaxError(const char *data, const char *path)
{
    g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
    gboolean in_group = FALSE;
    guint i;

    for (i = 0; lines[i]; i++) {
        const char *line = lines[i];
        size_t len;

        while (*line == ' ' || *line == '\t')
            line++;
        len = strlen(line);
        while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
                       line[len - 1] == '\t'))
            len--;
        if (!len || *line == '#')
            continue;
        if (*line == '[') {
            const char *close = memchr(line, ']', len);

            if (!close || close - line < 2 || close != line + len - 1 ||
                memchr(line + 1, '[', close - line - 1)) {
                g_autofree char *text = g_strndup(line, len);

                return g_strdup_printf("%s: line %u: '%s' is not a valid group "
                                       "header (expected [NAME])", path, i + 1, text);
            }
            in_group = TRUE;
            continue;
        }
        if (!memchr(line, '=', len) || *line == '=') {
            g_autofree char *text = g_strndup(line, len);

            return g_strdup_printf("%s: line %u: '%s' is neither [group], "
                                   "key = value nor a # comment", path, i + 1, text);
        }
        if (!in_group) {
            g_autofree char *text = g_strndup(line, len);

            return g_strdup_printf("%s: line %u: '%s' comes before any [group]",
                                   path, i + 1, text);
        }
    }
    return NULL;
}


/* GKeyFile merges a repeated [group] and keeps the last of repeated keys:
 * an operator who sets a deadline twice cannot know which one counts, so
 * both are refused. Lines are classified the way GKeyFile does (leading
 * blanks ignored, '#' comments, "[group]", "key = value"); this runs only
 * on text GKeyFile has accepted. */
static gboolean
tdxConfigCheckDuplicates(const char *data, const char *path, GError **error)
{
    g_autoptr(GHashTable) groups = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                         g_free, NULL);
    g_autoptr(GHashTable) keys = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                       g_free, NULL);
    g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
    g_autofree char *group = NULL;
    guint i;

    for (i = 0; lines[i]; i++) {
        char *line = g_strstrip(lines[i]);
        guint lineno = i + 1;
        gpointer first;
        char *eq;

        if (!*line || *line == '#')
            continue;

        if (*line == '[') {
            char *end = strrchr(line, ']');

            if (!end)
                continue;
            g_free(group);
            group = g_strndup(line + 1, end - line - 1);
            if ((first = g_hash_table_lookup(groups, group))) {
                g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                            "%s: line %u: group [%s] appears again (first at "
                            "line %u): merge them into one", path, lineno, group,
                            GPOINTER_TO_UINT(first));
                return FALSE;
            }
            g_hash_table_insert(groups, g_strdup(group), GUINT_TO_POINTER(lineno));
            g_hash_table_remove_all(keys);
            continue;
        }

        if (!group || !(eq = strchr(line, '=')))
            continue;
        *eq = '\0';
        g_strchomp(line);
        if ((first = g_hash_table_lookup(keys, line))) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                        "%s: line %u: [%s] %s is set again (first at line %u): "
                        "keep one", path, lineno, group, line,
                        GPOINTER_TO_UINT(first));
            return FALSE;
        }
        g_hash_table_insert(keys, g_strdup(line), GUINT_TO_POINTER(lineno));
    }
    return TRUE;
}


guint
tdxConfigMonitorTimeoutFitting(guint deadline_seconds)
{
    guint64 fitting_ms = (guint64) deadline_seconds * 1000 / TDX_CONFIG_DEADLINE_MONITOR_TIMEOUTS;

    return (guint) CLAMP(fitting_ms, TDX_CONFIG_MONITOR_TIMEOUT_MIN_MS, G_MAXUINT);
}


/* Rules between keys, once each has its own range. With @fitted (host
 * shutdown) a deadline too short for the monitor timeout lowers
 * monitor-timeout-ms instead and *fitted says so. */
static gboolean
tdxConfigCheckRelations(tdxConfig *config, const char *path, char **fitted,
                        GError **error)
{
    guint64 needed_ms = (guint64) TDX_CONFIG_DEADLINE_MONITOR_TIMEOUTS *
                        config->monitor_timeout_ms;

    if ((guint64) config->host_deadline_seconds * 1000 < needed_ms && fitted) {
        guint lowered = tdxConfigMonitorTimeoutFitting(config->host_deadline_seconds);

        *fitted = g_strdup_printf("%s: [shutdown-host] deadline=%u is shorter than "
                                  "%u x [destroy] monitor-timeout-ms=%u; "
                                  "monitor-timeout-ms lowered to %u for this run",
                                  path, config->host_deadline_seconds,
                                  TDX_CONFIG_DEADLINE_MONITOR_TIMEOUTS,
                                  config->monitor_timeout_ms, lowered);
        config->monitor_timeout_ms = lowered;
        return TRUE;
    }
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


static gboolean
tdxConfigLoadInternal(tdxConfig *config, const char *path, gboolean missing_ok,
                      char **fitted, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local_error = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;
    tdxConfig tmp;

    if (!tdxConfigReadFile(path, missing_ok, &data, &len, error))
        return FALSE;
    if (!data)
        return TRUE;
    /* Editors on other systems write a UTF-8 byte order mark; like blanks
     * around a value it is invisible and never meant. */
    if (g_str_has_prefix(data, "\xEF\xBB\xBF")) {
        memmove(data, data + 3, len - 3 + 1);
        len -= 3;
    }

    /* KEEP_TRANSLATIONS: otherwise GKeyFile silently drops "key[xx]"
     * lines for other locales and they could never be reported. */
    if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_KEEP_TRANSLATIONS,
                                   &local_error)) {
        g_autofree char *message = tdxConfigFindSyntaxError(data, path);

        if (message)
            g_set_error_literal(error, TDX_ERROR, TDX_ERROR_CONFIG, message);
        else
            g_set_error(error, TDX_ERROR, TDX_ERROR_CONFIG,
                        "%s: %s", path, local_error->message);
        return FALSE;
    }
    if (!tdxConfigCheckDuplicates(data, path, error))
        return FALSE;

    /* Work on a copy so that an error leaves @config as it was. */
    tmp = *config;
    tmp.uri = g_strdup(config->uri);
    if (!tdxConfigParseKeyFile(kf, path, &tmp, error) ||
        !tdxConfigCheckRelations(&tmp, path, fitted, error)) {
        tdxConfigClear(&tmp);
        return FALSE;
    }

    tdxConfigClear(config);
    *config = tmp;
    return TRUE;
}


gboolean
tdxConfigLoad(tdxConfig *config, const char *path,
              gboolean missing_ok, GError **error)
{
    return tdxConfigLoadInternal(config, path, missing_ok, NULL, error);
}


gboolean
tdxConfigLoadFitted(tdxConfig *config, const char *path, gboolean missing_ok,
                    char **fitted, GError **error)
{
    *fitted = NULL;
    return tdxConfigLoadInternal(config, path, missing_ok, fitted, error);
}
