/*
 * tdx-domain.c: the facts about one domain that the destroy path needs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Only the handful of elements the teardown decisions depend on are read;
 * everything else in the domain XML is libvirt's business. The parser is
 * strict about those few: a wrong memory size would give a wrong deadline,
 * a missed TD would be destroyed the slow way.
 */
#include "tdx-domain.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "tdx-conf-xml.h"
#include "tdx-error.h"

#define TDX_QEMU_NAMESPACE "http://libvirt.org/schemas/domain/qemu/1.0"

/* libvirt caps a scaled memory value at LLONG_MAX bytes (an off_t). */
#define TDX_DOMAIN_MEMORY_MAX_BYTES ((guint64) G_MAXINT64)


void
tdxDomainDefFree(tdxDomainDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->uuid);
    g_clear_error(&def->policy_error);
    g_free(def);
}


const char *
tdxDomainTdSourceToString(tdxDomainTdSource source)
{
    switch (source) {
    case TDX_DOMAIN_TD_NONE: return "none";
    case TDX_DOMAIN_TD_LAUNCH_SECURITY: return "launchSecurity";
    case TDX_DOMAIN_TD_QEMU_COMMANDLINE: return "qemu-commandline";
    }
    return "unknown";
}


/* Scale factor of a libvirt unit suffix, exactly as virScaleInteger reads
 * it: b/byte/bytes, then k/m/g/t/p/e alone or with "iB" are powers of 1024,
 * with "B" powers of 1000, all case-insensitive. No suffix means KiB. */
static gboolean
tdxDomainUnitScale(const char *unit, guint64 *scale)
{
    guint64 base;
    const char *powers = "kmgtpe";
    const char *pos;
    int exponent;
    int i;

    if (!unit || !*unit) {
        *scale = 1024;
        return TRUE;
    }
    if (g_ascii_strcasecmp(unit, "b") == 0 ||
        g_ascii_strcasecmp(unit, "byte") == 0 ||
        g_ascii_strcasecmp(unit, "bytes") == 0) {
        *scale = 1;
        return TRUE;
    }

    if (!unit[1] || g_ascii_strcasecmp(unit + 1, "iB") == 0)
        base = 1024;
    else if (g_ascii_tolower(unit[1]) == 'b' && !unit[2])
        base = 1000;
    else
        return FALSE;

    if (!(pos = strchr(powers, g_ascii_tolower(unit[0]))))
        return FALSE;
    exponent = (int) (pos - powers) + 1;

    *scale = 1;
    for (i = 0; i < exponent; i++)
        *scale *= base;
    return TRUE;
}


/* Strict unsigned parse: XML text is trimmed, but signs, hex and trailing
 * garbage are rejected, so "-1" cannot wrap to a huge count. */
static gboolean
tdxDomainParseUnsigned(const char *text, guint64 max, guint64 *value)
{
    return g_ascii_string_to_unsigned(text, 10, 0, max, value, NULL);
}


/* Read <@elem unit='...'>N</@elem> into KiB, rounding up like libvirt's
 * virDomainParseMemory. Returns FALSE with @error set on bad input; an
 * absent element is not an error (*present tells). */
static gboolean
tdxDomainParseMemory(xmlXPathContextPtr ctxt, const char *elem,
                     gboolean *present, guint64 *kib, GError **error)
{
    g_autofree char *expr = g_strdup_printf("./%s", elem);
    g_autofree char *text = NULL;
    g_autofree char *unit = NULL;
    xmlNodePtr node;
    guint64 scale;
    guint64 value;

    *present = FALSE;
    if (!(node = tdxXPathNode(ctxt, expr)))
        return TRUE;

    text = tdxXMLNodeText(node);
    unit = tdxXMLNodeProp(node, "unit");

    if (!tdxDomainUnitScale(unit, &scale)) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                    "<%s unit='%s'>: unknown unit: expected one of b, bytes, "
                    "KB, k, KiB, MB, M, MiB, GB, G, GiB, TB, T, TiB, PB, P, "
                    "PiB, EB, E, EiB", elem, unit);
        return FALSE;
    }
    if (!tdxDomainParseUnsigned(text, G_MAXUINT64, &value)) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                    "<%s>%s</%s>: not a non-negative integer", elem, text, elem);
        return FALSE;
    }
    if (value > TDX_DOMAIN_MEMORY_MAX_BYTES / scale) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                    "<%s unit='%s'>%s</%s>: value too large (limit %" G_GUINT64_FORMAT
                    " bytes)", elem, unit ? unit : "KiB", text, elem,
                    TDX_DOMAIN_MEMORY_MAX_BYTES);
        return FALSE;
    }

    *kib = (value * scale + 1023) / 1024;
    *present = TRUE;
    return TRUE;
}


static gboolean
tdxDomainParseVcpus(xmlXPathContextPtr ctxt, tdxDomainDef *def, GError **error)
{
    g_autofree char *text = NULL;
    g_autofree char *current = NULL;
    xmlNodePtr node;
    guint64 max;
    guint64 cur;

    if (!(node = tdxXPathNode(ctxt, "./vcpu"))) {
        g_set_error_literal(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                            "missing <vcpu> element");
        return FALSE;
    }

    text = tdxXMLNodeText(node);
    if (!tdxDomainParseUnsigned(text, G_MAXUINT, &max) || max == 0) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                    "<vcpu>%s</vcpu>: must be an integer from 1 to %u",
                    text, G_MAXUINT);
        return FALSE;
    }

    cur = max;
    if ((current = tdxXMLNodeProp(node, "current"))) {
        if (!tdxDomainParseUnsigned(current, max, &cur) || cur == 0) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                        "<vcpu current='%s'>: must be an integer from 1 to %"
                        G_GUINT64_FORMAT, current, max);
            return FALSE;
        }
    }

    def->vcpus = (guint) cur;
    return TRUE;
}


/* TD attributes as libvirt writes them: "0x10000000"; decimal is accepted
 * too because the schema allows it. */
static gboolean
tdxDomainParseTdAttributes(const char *text, guint64 *value)
{
    if (g_str_has_prefix(text, "0x") || g_str_has_prefix(text, "0X")) {
        if (!text[2] || !g_ascii_isxdigit(text[2]))
            return FALSE;
        return g_ascii_string_to_unsigned(text + 2, 16, 0, G_MAXUINT64,
                                          value, NULL);
    }
    return g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT64, value, NULL);
}


/* QEMU's -object takes either JSON or key=value with the type as implied
 * first key (user_creatable_parse_str). Returns whether it is a tdx-guest;
 * its "attributes" are reported when present and readable. */
static gboolean
tdxDomainObjectIsTdxGuest(const char *spec, gboolean *has_attrs,
                          guint64 *attrs)
{
    *has_attrs = FALSE;

    if (spec[0] == '{') {
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonObject *obj;
        JsonNode *member;

        if (!json_parser_load_from_data(parser, spec, -1, NULL))
            return FALSE;
        if (!JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
            return FALSE;
        obj = json_node_get_object(json_parser_get_root(parser));
        if (g_strcmp0(json_object_get_string_member_with_default(obj, "qom-type", NULL),
                      "tdx-guest") != 0)
            return FALSE;
        member = json_object_get_member(obj, "attributes");
        if (member && JSON_NODE_HOLDS_VALUE(member) &&
            json_node_get_value_type(member) == G_TYPE_INT64 &&
            json_node_get_int(member) >= 0) {
            *attrs = (guint64) json_node_get_int(member);
            *has_attrs = TRUE;
        }
        return TRUE;
    } else {
        g_auto(GStrv) opts = g_strsplit(spec, ",", -1);
        gboolean is_tdx = FALSE;
        size_t i;

        for (i = 0; opts[i]; i++) {
            const char *opt = opts[i];

            if (i == 0 && !strchr(opt, '='))
                is_tdx = strcmp(opt, "tdx-guest") == 0;
            else if (g_str_has_prefix(opt, "qom-type="))
                is_tdx = strcmp(opt + strlen("qom-type="), "tdx-guest") == 0;
            else if (g_str_has_prefix(opt, "attributes="))
                *has_attrs = tdxDomainParseTdAttributes(opt + strlen("attributes="),
                                                        attrs);
        }
        if (!is_tdx)
            *has_attrs = FALSE;
        return is_tdx;
    }
}


static void
tdxDomainDetectQemuCommandline(xmlXPathContextPtr ctxt, tdxDomainDef *def)
{
    g_autoptr(GPtrArray) args = tdxXPathNodes(ctxt, "./qemu:commandline/qemu:arg");
    guint i;

    for (i = 0; i + 1 < args->len; i++) {
        g_autofree char *opt = tdxXMLNodeProp(args->pdata[i], "value");
        g_autofree char *spec = NULL;
        gboolean has_attrs;
        guint64 attrs = 0;

        if (!opt || (strcmp(opt, "-object") != 0 && strcmp(opt, "--object") != 0))
            continue;
        if (!(spec = tdxXMLNodeProp(args->pdata[i + 1], "value")))
            continue;
        if (tdxDomainObjectIsTdxGuest(spec, &has_attrs, &attrs)) {
            def->td_source = TDX_DOMAIN_TD_QEMU_COMMANDLINE;
            def->has_tdx_policy = has_attrs;
            def->tdx_policy = attrs;
            return;
        }
    }
}


static gboolean
tdxDomainDetectTd(xmlXPathContextPtr ctxt, tdxDomainDef *def, GError **error)
{
    xmlNodePtr policy;

    if (!tdxXPathNode(ctxt, "./launchSecurity[@type='tdx']")) {
        tdxDomainDetectQemuCommandline(ctxt, def);
        return TRUE;
    }

    def->td_source = TDX_DOMAIN_TD_LAUNCH_SECURITY;
    if ((policy = tdxXPathNode(ctxt, "./launchSecurity[@type='tdx']/policy"))) {
        g_autofree char *text = tdxXMLNodeText(policy);

        if (!tdxDomainParseTdAttributes(text, &def->tdx_policy)) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                        "<launchSecurity type='tdx'><policy>%s</policy>: "
                        "must be a 64-bit hexadecimal (0x...) or decimal integer",
                        text);
            return FALSE;
        }
        def->has_tdx_policy = TRUE;
    }
    return TRUE;
}


static gboolean
tdxDomainParsePolicy(xmlXPathContextPtr ctxt, tdxDomainDef *def, GError **error)
{
    g_autoptr(GPtrArray) nodes = tdxXPathNodes(ctxt, "./metadata/tdxp:policy");

    if (nodes->len == 0)
        return TRUE;
    if (nodes->len > 1) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_METADATA,
                    "<metadata>: more than one <policy> element in namespace %s",
                    TDX_POLICY_NAMESPACE);
        return FALSE;
    }
    if (!tdxPolicyParseNode(nodes->pdata[0], &def->policy, error)) {
        g_prefix_error(error, "<metadata>: ");
        return FALSE;
    }
    return TRUE;
}


/* The text of a mandatory element. @strip: trim surrounding whitespace,
 * which is right for values but not for a name, as the name is looked up
 * in libvirt exactly as written. */
static char *
tdxDomainRequiredText(xmlXPathContextPtr ctxt, const char *elem,
                      gboolean strip, GError **error)
{
    g_autofree char *expr = g_strdup_printf("./%s", elem);
    g_autofree char *text = NULL;
    xmlChar *content;
    xmlNodePtr node;

    if (!(node = tdxXPathNode(ctxt, expr))) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                    "missing <%s> element", elem);
        return NULL;
    }
    if (strip) {
        text = tdxXMLNodeText(node);
    } else {
        content = xmlNodeGetContent(node);
        text = g_strdup(content ? (const char *) content : "");
        xmlFree(content);
    }
    if (!*text) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                    "empty <%s> element", elem);
        return NULL;
    }
    return g_steal_pointer(&text);
}


tdxDomainDef *
tdxDomainDefParseString(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(tdxDomainDef) def = NULL;
    g_autofree char *uuid = NULL;
    g_autofree char *id = NULL;
    xmlNodePtr root;
    gboolean present;
    gboolean cur_present;
    guint64 cur_kib = 0;

    if (!(doc = tdxXMLParseString(xml, "domain XML", TDX_ERROR_INVALID_XML, error)))
        return NULL;

    root = xmlDocGetRootElement(doc);
    if (root->ns || strcmp((const char *) root->name, "domain") != 0) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                    "root element is <%s>, expected <domain>",
                    (const char *) root->name);
        return NULL;
    }

    if (!(ctxt = xmlXPathNewContext(doc))) {
        g_set_error_literal(error, TDX_ERROR, TDX_ERROR_FAILED,
                            "cannot create an XPath context");
        return NULL;
    }
    ctxt->node = root;
    /* Our own prefixes: the document may bind any prefix to these URIs. */
    if (xmlXPathRegisterNs(ctxt, BAD_CAST "qemu", BAD_CAST TDX_QEMU_NAMESPACE) < 0 ||
        xmlXPathRegisterNs(ctxt, BAD_CAST "tdxp", BAD_CAST TDX_POLICY_NAMESPACE) < 0) {
        g_set_error_literal(error, TDX_ERROR, TDX_ERROR_FAILED,
                            "cannot register XPath namespaces");
        return NULL;
    }

    def = g_new0(tdxDomainDef, 1);
    def->id = -1;

    if (!(def->name = tdxDomainRequiredText(ctxt, "name", FALSE, error)) ||
        !(uuid = tdxDomainRequiredText(ctxt, "uuid", TRUE, error)))
        return NULL;
    if (!g_uuid_string_is_valid(uuid)) {
        g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                    "<uuid>%s</uuid>: not a UUID", uuid);
        return NULL;
    }
    /* libvirt prints lower case; callers compare UUIDs as strings. */
    def->uuid = g_ascii_strdown(uuid, -1);

    if ((id = tdxXMLNodeProp(root, "id"))) {
        guint64 value;

        if (!tdxDomainParseUnsigned(id, G_MAXINT, &value)) {
            g_set_error(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                        "<domain id='%s'>: must be an integer from 0 to %d",
                        id, G_MAXINT);
            return NULL;
        }
        def->id = (int) value;
    }

    if (!tdxDomainParseMemory(ctxt, "memory", &present, &def->max_memory_kib, error))
        return NULL;
    if (!present) {
        g_set_error_literal(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                            "missing <memory> element");
        return NULL;
    }
    if (def->max_memory_kib == 0) {
        g_set_error_literal(error, TDX_ERROR, TDX_ERROR_INVALID_XML,
                            "<memory>: must be greater than zero");
        return NULL;
    }
    if (!tdxDomainParseMemory(ctxt, "currentMemory", &cur_present, &cur_kib, error))
        return NULL;
    /* Same rule as libvirt: a zero or oversized balloon means "all of it". */
    if (cur_present && cur_kib > 0 && cur_kib <= def->max_memory_kib)
        def->memory_kib = cur_kib;
    else
        def->memory_kib = def->max_memory_kib;

    def->hugepages = tdxXPathNode(ctxt, "./memoryBacking/hugepages") != NULL;

    if (!tdxDomainParseVcpus(ctxt, def, error))
        return NULL;
    if (!tdxDomainDetectTd(ctxt, def, error))
        return NULL;
    if (!tdxDomainParsePolicy(ctxt, def, &def->policy_error))
        memset(&def->policy, 0, sizeof(def->policy));

    return g_steal_pointer(&def);
}
