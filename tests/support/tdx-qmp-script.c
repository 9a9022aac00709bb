/*
 * tdx-qmp-script.c: a scripted QMP peer behind the tdxMonitor interface
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <libvirt/libvirt-qemu.h>

#include "tdx-qmp-script.h"
#include "tdx-error.h"
#include "tdx-libvirt.h"
#include "tdx-qmp.h"

typedef enum {
    TDX_QMP_RULE_REPLY,   /* answer with a canned reply */
    TDX_QMP_RULE_HANG,    /* never answer */
    TDX_QMP_RULE_APPEND,  /* real reply with one more array element */
} tdxQmpRuleKind;

typedef struct {
    tdxQmpRuleKind kind;
    char *domain;
    char *execute;
    char *reply;          /* REPLY */
    JsonNode *element;    /* APPEND */
    guint remaining;      /* 0: forever */
} tdxQmpRule;

struct _tdxQmpScript {
    GMutex lock;
    GCond released_cond;
    gboolean released;
    GPtrArray *rules;
    GPtrArray *log;       /* "domain\nexecute" */
    gint refs;
};

typedef struct {
    tdxQmpScript *script;
    char *domain;
    virDomainPtr dom;     /* NULL: offline */
} tdxQmpPeer;


static void
tdxQmpRuleFree(gpointer opaque)
{
    tdxQmpRule *rule = opaque;

    g_free(rule->domain);
    g_free(rule->execute);
    g_free(rule->reply);
    if (rule->element)
        json_node_unref(rule->element);
    g_free(rule);
}


tdxQmpScript *
tdxQmpScriptNew(void)
{
    tdxQmpScript *script = g_new0(tdxQmpScript, 1);

    g_mutex_init(&script->lock);
    g_cond_init(&script->released_cond);
    script->rules = g_ptr_array_new_with_free_func(tdxQmpRuleFree);
    script->log = g_ptr_array_new_with_free_func(g_free);
    script->refs = 1;
    return script;
}


static void
tdxQmpScriptUnref(tdxQmpScript *script)
{
    if (!g_atomic_int_dec_and_test(&script->refs))
        return;
    g_ptr_array_unref(script->rules);
    g_ptr_array_unref(script->log);
    g_mutex_clear(&script->lock);
    g_cond_clear(&script->released_cond);
    g_free(script);
}


void
tdxQmpScriptRelease(tdxQmpScript *script)
{
    g_mutex_lock(&script->lock);
    script->released = TRUE;
    g_cond_broadcast(&script->released_cond);
    g_mutex_unlock(&script->lock);
}


void
tdxQmpScriptFree(tdxQmpScript *script)
{
    if (!script)
        return;
    tdxQmpScriptRelease(script);
    tdxQmpScriptUnref(script);
}


static tdxQmpRule *
tdxQmpScriptAddRule(tdxQmpScript *script, tdxQmpRuleKind kind,
                    const char *domain, const char *execute, guint times)
{
    tdxQmpRule *rule = g_new0(tdxQmpRule, 1);

    rule->kind = kind;
    rule->domain = g_strdup(domain);
    rule->execute = g_strdup(execute);
    rule->remaining = times;
    g_mutex_lock(&script->lock);
    g_ptr_array_add(script->rules, rule);
    g_mutex_unlock(&script->lock);
    return rule;
}


void
tdxQmpScriptReply(tdxQmpScript *script, const char *domain,
                  const char *execute, const char *reply, guint times)
{
    tdxQmpRule *rule = tdxQmpScriptAddRule(script, TDX_QMP_RULE_REPLY,
                                           domain, execute, times);

    rule->reply = g_strdup(reply);
}


void
tdxQmpScriptHang(tdxQmpScript *script, const char *domain, const char *execute)
{
    tdxQmpScriptAddRule(script, TDX_QMP_RULE_HANG, domain, execute, 0);
}


static void
tdxQmpScriptAppend(tdxQmpScript *script, const char *domain,
                   const char *execute, const char *element_json)
{
    tdxQmpRule *rule = tdxQmpScriptAddRule(script, TDX_QMP_RULE_APPEND,
                                           domain, execute, 0);

    rule->element = json_from_string(element_json, NULL);
    g_assert(rule->element);
}


void
tdxQmpScriptMakeTD(tdxQmpScript *script, const char *domain,
                   gboolean offers_terminate, const char *terminate_reply)
{
    /* libvirt names the <launchSecurity> object lsec0. */
    tdxQmpScriptAppend(script, domain, "qom-list",
                       "{\"name\": \"lsec0\", \"type\": \"child<" TDX_QOM_GUEST_TYPE ">\"}");
    if (!offers_terminate)
        return;
    tdxQmpScriptAppend(script, domain, "query-commands",
                       "{\"name\": \"" TDX_QMP_TERMINATE_COMMAND "\"}");
    /* ... on a kernel that can terminate TDs (tdx-guest terminate-supported) */
    tdxQmpScriptReply(script, domain, "qom-get", "{\"return\": true}", 0);
    if (terminate_reply)
        tdxQmpScriptReply(script, domain, TDX_QMP_TERMINATE_COMMAND,
                          terminate_reply, 0);
}


guint
tdxQmpScriptCount(tdxQmpScript *script, const char *domain, const char *execute)
{
    guint count = 0;
    guint i;

    g_mutex_lock(&script->lock);
    for (i = 0; i < script->log->len; i++) {
        g_auto(GStrv) entry = g_strsplit(g_ptr_array_index(script->log, i), "\n", 2);

        if (g_str_equal(entry[1], execute) &&
            (!domain || g_str_equal(entry[0], domain)))
            count++;
    }
    g_mutex_unlock(&script->lock);
    return count;
}


/* Pick the rule for a command and account for it, under the lock. */
static tdxQmpRule *
tdxQmpScriptMatch(tdxQmpScript *script, const char *domain, const char *execute)
{
    guint i;

    g_ptr_array_add(script->log, g_strdup_printf("%s\n%s", domain, execute));
    for (i = 0; i < script->rules->len; i++) {
        tdxQmpRule *rule = g_ptr_array_index(script->rules, i);

        if (rule->remaining == G_MAXUINT ||
            !g_str_equal(rule->execute, execute) ||
            (rule->domain && !g_str_equal(rule->domain, domain)))
            continue;
        if (rule->remaining > 0 && --rule->remaining == 0)
            rule->remaining = G_MAXUINT;   /* used up */
        return rule;
    }
    return NULL;
}


static char *
tdxQmpPeerForward(tdxQmpPeer *peer, const char *command, GError **error)
{
    char *reply = NULL;

    if (!peer->dom)
        return g_strdup("{\"error\": {\"class\": \"CommandNotFound\", "
                        "\"desc\": \"The command is not scripted\"}}");
    if (virDomainQemuMonitorCommand(peer->dom, command, &reply, 0) < 0) {
        tdxLibvirtError(error, "QEMU monitor of domain '%s'", peer->domain);
        return NULL;
    }
    return reply;
}


static char *
tdxQmpPeerAppend(tdxQmpPeer *peer, const char *command, JsonNode *element,
                 GError **error)
{
    g_autofree char *reply = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonNode *ret;

    if (!(reply = tdxQmpPeerForward(peer, command, error)))
        return NULL;
    if (!(root = json_from_string(reply, NULL)) || !JSON_NODE_HOLDS_OBJECT(root) ||
        !(ret = json_object_get_member(json_node_get_object(root), "return")) ||
        !JSON_NODE_HOLDS_ARRAY(ret))
        return g_steal_pointer(&reply);
    json_array_add_element(json_node_get_array(ret), json_node_copy(element));
    return json_to_string(root, FALSE);
}


static char *
tdxQmpPeerSend(gpointer data, const char *command, GError **error)
{
    tdxQmpPeer *peer = data;
    tdxQmpScript *script = peer->script;
    g_autoptr(JsonNode) request = json_from_string(command, NULL);
    const char *execute;
    tdxQmpRule *rule;
    tdxQmpRuleKind kind;
    g_autofree char *reply = NULL;
    g_autoptr(JsonNode) element = NULL;

    g_assert(request && JSON_NODE_HOLDS_OBJECT(request));
    execute = json_object_get_string_member(json_node_get_object(request), "execute");

    g_mutex_lock(&script->lock);
    rule = tdxQmpScriptMatch(script, peer->domain, execute);
    if (!rule) {
        g_mutex_unlock(&script->lock);
        return tdxQmpPeerForward(peer, command, error);
    }
    kind = rule->kind;
    reply = g_strdup(rule->reply);
    if (rule->element)
        element = json_node_copy(rule->element);

    if (kind == TDX_QMP_RULE_HANG) {
        while (!script->released)
            g_cond_wait(&script->released_cond, &script->lock);
        g_mutex_unlock(&script->lock);
        g_set_error(error, TDX_ERROR, TDX_ERROR_CONNECTION,
                    "scripted monitor released while '%s' hung", execute);
        return NULL;
    }
    g_mutex_unlock(&script->lock);

    if (kind == TDX_QMP_RULE_APPEND)
        return tdxQmpPeerAppend(peer, command, element, error);
    return g_steal_pointer(&reply);
}


static void
tdxQmpPeerFree(gpointer data)
{
    tdxQmpPeer *peer = data;

    if (peer->dom)
        virDomainFree(peer->dom);
    g_free(peer->domain);
    tdxQmpScriptUnref(peer->script);
    g_free(peer);
}


static tdxMonitor *
tdxQmpPeerMonitorNew(tdxQmpScript *script, const char *domain, virDomainPtr dom)
{
    tdxQmpPeer *peer = g_new0(tdxQmpPeer, 1);

    g_atomic_int_inc(&script->refs);
    peer->script = script;
    peer->domain = g_strdup(domain);
    if (dom) {
        virDomainRef(dom);
        peer->dom = dom;
    }
    return tdxMonitorNew(tdxQmpPeerSend, peer, tdxQmpPeerFree);
}


tdxMonitor *
tdxQmpScriptMonitorNew(virDomainPtr dom, gpointer opaque)
{
    return tdxQmpPeerMonitorNew(opaque, virDomainGetName(dom), dom);
}


tdxMonitor *
tdxQmpScriptMonitorNewOffline(tdxQmpScript *script, const char *domain)
{
    return tdxQmpPeerMonitorNew(script, domain, NULL);
}
