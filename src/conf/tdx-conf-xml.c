/*
 * tdx-conf-xml.c: libxml2 helpers shared by the domain and policy parsers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-conf-xml.h"
#include "tdx-error.h"

#include <limits.h>
#include <string.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlParserCtxt, xmlFreeParserCtxt);


xmlDocPtr
tdxXMLParseString(const char *xml, const char *what,
                  int code, GError **error)
{
    g_autoptr(xmlParserCtxt) pctxt = NULL;
    xmlDocPtr doc;
    size_t len;
    /* NONET: the daemon's XML is local, a DTD fetched over the network
     * would be an attack. No NOENT: entities are never expanded. */
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

    if (!xml) {
        g_set_error(error, TDX_ERROR, code, "%s: no XML document", what);
        return NULL;
    }
    len = strlen(xml);
    if (len > INT_MAX) {
        g_set_error(error, TDX_ERROR, code, "%s: XML document too large", what);
        return NULL;
    }

    /* A private parser context keeps the error with this parse instead of
     * libxml2's global last-error slot, which other threads may overwrite. */
    if (!(pctxt = xmlNewParserCtxt())) {
        g_set_error(error, TDX_ERROR, code, "%s: out of memory", what);
        return NULL;
    }

    doc = xmlCtxtReadMemory(pctxt, xml, (int) len, "domain.xml", NULL, options);
    if (!doc || !pctxt->wellFormed) {
        const xmlError *xerr = xmlCtxtGetLastError(pctxt);
        g_autofree char *msg = NULL;

        if (xerr && xerr->message)
            msg = g_strstrip(g_strdup(xerr->message));
        if (xerr && xerr->line > 0)
            g_set_error(error, TDX_ERROR, code, "%s: not well-formed XML: line %d: %s",
                        what, xerr->line, msg ? msg : "parse error");
        else
            g_set_error(error, TDX_ERROR, code, "%s: not well-formed XML: %s",
                        what, msg ? msg : "parse error");
        if (doc)
            xmlFreeDoc(doc);
        return NULL;
    }
    if (!xmlDocGetRootElement(doc)) {
        g_set_error(error, TDX_ERROR, code, "%s: empty XML document", what);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}


static xmlXPathObjectPtr
tdxXPathEval(xmlXPathContextPtr ctxt, const char *expr)
{
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *) expr, ctxt);

    if (obj && (obj->type != XPATH_NODESET || !obj->nodesetval)) {
        xmlXPathFreeObject(obj);
        return NULL;
    }
    return obj;
}


xmlNodePtr
tdxXPathNode(xmlXPathContextPtr ctxt, const char *expr)
{
    g_autoptr(xmlXPathObject) obj = tdxXPathEval(ctxt, expr);

    if (!obj || obj->nodesetval->nodeNr < 1)
        return NULL;
    return obj->nodesetval->nodeTab[0];
}


GPtrArray *
tdxXPathNodes(xmlXPathContextPtr ctxt, const char *expr)
{
    g_autoptr(xmlXPathObject) obj = tdxXPathEval(ctxt, expr);
    GPtrArray *nodes = g_ptr_array_new();
    int i;

    if (!obj)
        return nodes;
    for (i = 0; i < obj->nodesetval->nodeNr; i++)
        g_ptr_array_add(nodes, obj->nodesetval->nodeTab[i]);
    return nodes;
}


char *
tdxXMLNodeText(xmlNodePtr node)
{
    xmlChar *content = xmlNodeGetContent(node);
    char *ret;

    if (!content)
        return g_strdup("");
    ret = g_strstrip(g_strdup((const char *) content));
    xmlFree(content);
    return ret;
}


char *
tdxXMLNodeProp(xmlNodePtr node, const char *name)
{
    xmlChar *value = xmlGetNoNsProp(node, (const xmlChar *) name);
    char *ret;

    if (!value)
        return NULL;
    ret = g_strdup((const char *) value);
    xmlFree(value);
    return ret;
}
