/*
 * tdx-conf-xml.c: libxml2 helpers shared by the domain and policy parsers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tdx-conf-xml.h"
#include "tdx-error.h"

#include <limits.h>
#include <libxml/SAX2.h>
#include <string.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlParserCtxt, xmlFreeParserCtxt);

/* What the SAX hooks below saw; hung on the parser context's _private. */
typedef struct {
    guint depth;
    guint too_deep_line;       /* 0: never too deep */
    guint doctype_line;        /* 0: no DOCTYPE */
    startElementNsSAX2Func start_element;
    endElementNsSAX2Func end_element;
} tdxXMLGuard;


/* libvirt writes no DOCTYPE; one here could only declare entities
 * (billion laughs, external files), so the parse stops at it. */
static void
tdxXMLGuardInternalSubset(void *ctx, const xmlChar *name G_GNUC_UNUSED,
                          const xmlChar *external_id G_GNUC_UNUSED,
                          const xmlChar *system_id G_GNUC_UNUSED)
{
    xmlParserCtxtPtr pctxt = ctx;
    tdxXMLGuard *guard = pctxt->_private;

    guard->doctype_line = MAX(1, xmlSAX2GetLineNumber(ctx));
    xmlStopParser(pctxt);
}


static void
tdxXMLGuardStartElement(void *ctx, const xmlChar *localname,
                        const xmlChar *prefix, const xmlChar *uri,
                        int nb_namespaces, const xmlChar **namespaces,
                        int nb_attributes, int nb_defaulted,
                        const xmlChar **attributes)
{
    xmlParserCtxtPtr pctxt = ctx;
    tdxXMLGuard *guard = pctxt->_private;

    if (++guard->depth > TDX_XML_MAX_DEPTH) {
        guard->too_deep_line = MAX(1, xmlSAX2GetLineNumber(ctx));
        xmlStopParser(pctxt);
        return;
    }
    guard->start_element(ctx, localname, prefix, uri, nb_namespaces, namespaces,
                         nb_attributes, nb_defaulted, attributes);
}


static void
tdxXMLGuardEndElement(void *ctx, const xmlChar *localname,
                      const xmlChar *prefix, const xmlChar *uri)
{
    xmlParserCtxtPtr pctxt = ctx;
    tdxXMLGuard *guard = pctxt->_private;

    guard->depth--;
    guard->end_element(ctx, localname, prefix, uri);
}


xmlDocPtr
tdxXMLParseString(const char *xml, const char *what,
                  int code, GError **error)
{
    g_autoptr(xmlParserCtxt) pctxt = NULL;
    tdxXMLGuard guard = { 0 };
    xmlDocPtr doc;
    size_t len;
    /* NONET: the daemon's XML is local, a DTD fetched over the network
     * would be an attack. No NOENT, no DTDLOAD: entities are never
     * expanded, external subsets never loaded (and a DOCTYPE is refused
     * outright by the guard). HUGE lifts libxml2's depth limit of 256,
     * below what libvirt can produce, so that the guard's own limit
     * applies; the sizes it would also lift are bounded by
     * TDX_XML_MAX_BYTES before parsing. */
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                  XML_PARSE_HUGE;

    if (!xml) {
        g_set_error(error, TDX_ERROR, code, "%s: no XML document", what);
        return NULL;
    }
    len = strnlen(xml, TDX_XML_MAX_BYTES + 1);
    if (len > TDX_XML_MAX_BYTES) {
        g_set_error(error, TDX_ERROR, code,
                    "%s: XML document larger than the limit of %d bytes",
                    what, TDX_XML_MAX_BYTES);
        return NULL;
    }

    /* A private parser context keeps the error with this parse instead of
     * libxml2's global last-error slot, which other threads may overwrite. */
    if (!(pctxt = xmlNewParserCtxt())) {
        g_set_error(error, TDX_ERROR, code, "%s: out of memory", what);
        return NULL;
    }
    guard.start_element = pctxt->sax->startElementNs;
    guard.end_element = pctxt->sax->endElementNs;
    pctxt->_private = &guard;
    pctxt->sax->internalSubset = tdxXMLGuardInternalSubset;
    pctxt->sax->startElementNs = tdxXMLGuardStartElement;
    pctxt->sax->endElementNs = tdxXMLGuardEndElement;

    doc = xmlCtxtReadMemory(pctxt, xml, (int) len, "domain.xml", NULL, options);
    if (guard.doctype_line || guard.too_deep_line) {
        if (guard.doctype_line)
            g_set_error(error, TDX_ERROR, code,
                        "%s: line %u: DOCTYPE declarations are not allowed "
                        "(entities are never expanded)", what, guard.doctype_line);
        else
            g_set_error(error, TDX_ERROR, code,
                        "%s: line %u: elements nest deeper than the limit of %d levels",
                        what, guard.too_deep_line, TDX_XML_MAX_DEPTH);
        if (doc)
            xmlFreeDoc(doc);
        return NULL;
    }
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
