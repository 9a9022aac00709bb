/*
 * tdx-conf-xml.h: libxml2 helpers shared by the domain and policy parsers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Internal to src/conf: only the parsers include it, so the autoptr
 * cleanups for libxml2 types cannot clash with definitions elsewhere.
 */
#pragma once

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject);

/* libvirt's own XML nests < 15 deep and is rarely above 100 KiB, but
 * virDomainSetMetadata() accepts a snippet as deep as libxml2's default
 * limit (257 elements) and nests it inside <domain><metadata>: anything
 * libvirt can hand us must parse, or its teardown would be refused for
 * our limit. The limits are documented in docs/input-limits.rst. */
#define TDX_XML_MAX_DEPTH 512
/* = libvirt's REMOTE_STRING_MAX: no XML libvirt can send us is larger. */
#define TDX_XML_MAX_BYTES (4 * 1024 * 1024)

/* Parse @xml without network access or entity expansion, refusing a
 * DOCTYPE, more than TDX_XML_MAX_DEPTH nested elements and more than
 * TDX_XML_MAX_BYTES. On failure sets
 * @error with @code, naming @what and libxml2's own message and line. */
xmlDocPtr tdxXMLParseString(const char *xml, const char *what,
                            int code, GError **error);

/* First node matching @expr relative to the context node, or NULL. */
xmlNodePtr tdxXPathNode(xmlXPathContextPtr ctxt, const char *expr);

/* All nodes matching @expr in document order (the array is owned by the
 * caller, the nodes by the document). */
GPtrArray *tdxXPathNodes(xmlXPathContextPtr ctxt, const char *expr);

/* Text content of @node with surrounding whitespace removed. */
char *tdxXMLNodeText(xmlNodePtr node);

/* Value of attribute @name (no namespace) of @node, or NULL. */
char *tdxXMLNodeProp(xmlNodePtr node, const char *name);
