/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwXml"

#include "config.h"

#include "igw-string-private.h"
#include "igw-xml.h"

/*
 * whatever a caller put in a stanza, what leaves is XML 1.0: a server
 * closes the stream on a forbidden character, and with it the thing's
 * session. Returns how many texts and attribute values had to be cleaned.
 */
static guint
igw_xml_clean_attributes(xmpp_stanza_t *stanza)
{
	gint n = xmpp_stanza_get_attribute_count(stanza);
	g_autofree const gchar **attrs = NULL;
	guint cleaned = 0;
	if (n <= 0)
		return 0;
	attrs = g_new0(const gchar *, 2 * (gsize)n);
	n = xmpp_stanza_get_attributes(stanza, attrs, 2 * n);
	for (gint i = 0; i + 1 < n; i += 2) {
		g_autofree gchar *name = NULL;
		g_autofree gchar *value = NULL;
		if (igw_str_is_clean(attrs[i + 1], IGW_STR_SANITIZE_KEEP_WHITESPACE))
			continue;
		/* setting the attribute frees the old value: copy both first */
		name = g_strdup(attrs[i]);
		value = igw_str_sanitize(attrs[i + 1], 0, IGW_STR_SANITIZE_KEEP_WHITESPACE);
		xmpp_stanza_set_attribute(stanza, name, value);
		cleaned++;
	}
	return cleaned;
}

static guint
igw_xml_clean_text(xmpp_stanza_t *stanza)
{
	const gchar *text = xmpp_stanza_get_text_ptr(stanza);
	g_autofree gchar *clean = NULL;
	if (igw_str_is_clean(text, IGW_STR_SANITIZE_KEEP_WHITESPACE))
		return 0;
	clean = igw_str_sanitize(text, 0, IGW_STR_SANITIZE_KEEP_WHITESPACE);
	xmpp_stanza_set_text(stanza, clean);
	return 1;
}

guint
igw_xml_clean_stanza(xmpp_stanza_t *stanza)
{
	guint cleaned;
	if (stanza == NULL)
		return 0;
	if (xmpp_stanza_is_text(stanza))
		return igw_xml_clean_text(stanza);
	cleaned = igw_xml_clean_attributes(stanza);
	for (xmpp_stanza_t *child = xmpp_stanza_get_children(stanza); child != NULL;
	     child = xmpp_stanza_get_next(child))
		cleaned += igw_xml_clean_stanza(child);
	return cleaned;
}
