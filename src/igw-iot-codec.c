/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwIot"

#include "config.h"

#include "igw-error.h"
#include "igw-iot-codec.h"

/* what every dialect's codec shares: building and reading plain XML */

xmpp_stanza_t *
igw_iot_xml_add_child(xmpp_stanza_t *parent, const gchar *name, const gchar *ns)
{
	xmpp_stanza_t *child = xmpp_stanza_new(xmpp_stanza_get_context(parent));
	xmpp_stanza_set_name(child, name);
	if (ns != NULL)
		xmpp_stanza_set_ns(child, ns);
	xmpp_stanza_add_child_ex(parent, child, 0);
	return child;
}

void
igw_iot_xml_add_text(xmpp_stanza_t *parent, const gchar *text)
{
	xmpp_stanza_t *body = xmpp_stanza_new(xmpp_stanza_get_context(parent));
	xmpp_stanza_set_text(body, text != NULL ? text : "");
	xmpp_stanza_add_child_ex(parent, body, 0);
}

gboolean
igw_iot_xml_is_true(const gchar *text)
{
	return g_strcmp0(text, "true") == 0 || g_strcmp0(text, "1") == 0;
}

gboolean
igw_iot_xml_parse_time(const gchar *text, gint64 *out, GError **error)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) dt = NULL;
	*out = 0;
	if (text == NULL)
		return TRUE;
	dt = g_utf8_validate(text, -1, NULL) ? g_date_time_new_from_iso8601(text, utc) : NULL;
	if (dt == NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "invalid from/to time");
		return FALSE;
	}
	*out = g_date_time_to_unix(dt) * G_USEC_PER_SEC + g_date_time_get_microsecond(dt);
	return TRUE;
}

/* node ids, field names or parameters: the named children of a request */
GStrv
igw_iot_xml_collect(xmpp_stanza_t *payload, const gchar *element, const gchar *attribute)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	gboolean any = FALSE;
	xmpp_stanza_t *c;
	for (c = xmpp_stanza_get_children(payload); c != NULL; c = xmpp_stanza_get_next(c)) {
		const gchar *value = xmpp_stanza_get_attribute(c, attribute);
		if (!xmpp_stanza_is_tag(c) || g_strcmp0(xmpp_stanza_get_name(c), element) != 0 ||
		    value == NULL)
			continue;
		g_strv_builder_add(builder, value);
		any = TRUE;
	}
	return any ? g_strv_builder_end(builder) : NULL;
}

/* not xmpp_stanza_reply(): it crashes on a request without from */
xmpp_stanza_t *
igw_iot_xml_iq_reply(xmpp_stanza_t *request, const gchar *type)
{
	xmpp_stanza_t *reply = xmpp_stanza_new(xmpp_stanza_get_context(request));
	const gchar *id = xmpp_stanza_get_id(request);
	const gchar *from = xmpp_stanza_get_from(request);
	xmpp_stanza_set_name(reply, "iq");
	xmpp_stanza_set_type(reply, type);
	if (id != NULL)
		xmpp_stanza_set_id(reply, id);
	if (from != NULL)
		xmpp_stanza_set_to(reply, from);
	return reply;
}

gchar *
igw_iot_xml_format_time(gint64 timestamp_us)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(timestamp_us / G_USEC_PER_SEC);
	if (dt == NULL)
		return g_strdup("1970-01-01T00:00:00Z");
	return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* the standard RFC 6120 error; returns the <error/> element */
xmpp_stanza_t *
igw_iot_xml_add_stanza_error(xmpp_stanza_t *reply, const IgwIotEvent *event)
{
	xmpp_stanza_t *error = igw_iot_xml_add_child(reply, "error", NULL);
	const gchar *type = "cancel";
	if (event->condition == IGW_IOT_CONDITION_BAD_REQUEST)
		type = "modify";
	else if (event->condition == IGW_IOT_CONDITION_FORBIDDEN)
		type = "auth";
	xmpp_stanza_set_type(error, type);
	igw_iot_xml_add_child(error, igw_iot_condition_to_string(event->condition), IGW_NS_STANZAS);
	if (event->text != NULL)
		igw_iot_xml_add_text(igw_iot_xml_add_child(error, "text", IGW_NS_STANZAS), event->text);
	return error;
}

static const IgwIotCodec *
igw_iot_codec_for_ns(const gchar *ns)
{
	const IgwIotCodec *codecs[] = {igw_iot_codec_xsf(), igw_iot_codec_nf()};
	for (guint i = 0; ns != NULL && i < G_N_ELEMENTS(codecs); i++) {
		if (g_strv_contains(codecs[i]->namespaces, ns))
			return codecs[i];
	}
	return NULL;
}

/* the codec is chosen by the namespace of the request element */
const IgwIotCodec *
igw_iot_codec_find(xmpp_stanza_t *stanza)
{
	xmpp_stanza_t *c;
	for (c = xmpp_stanza_get_children(stanza); c != NULL; c = xmpp_stanza_get_next(c)) {
		const IgwIotCodec *codec = NULL;
		if (xmpp_stanza_is_tag(c))
			codec = igw_iot_codec_for_ns(xmpp_stanza_get_ns(c));
		if (codec != NULL)
			return codec;
	}
	return NULL;
}

xmpp_stanza_t *
igw_iot_xml_payload(xmpp_stanza_t *stanza, const gchar *const *namespaces)
{
	xmpp_stanza_t *c;
	for (c = xmpp_stanza_get_children(stanza); c != NULL; c = xmpp_stanza_get_next(c)) {
		const gchar *ns = xmpp_stanza_get_ns(c);
		if (xmpp_stanza_is_tag(c) && ns != NULL && g_strv_contains(namespaces, ns))
			return c;
	}
	return NULL;
}

IgwIotCondition
igw_iot_condition_from_error(const GError *error)
{
	if (error == NULL || error->domain != IGW_ERROR)
		return IGW_IOT_CONDITION_INTERNAL;
	switch (error->code) {
	case IGW_ERROR_INVALID_DATA:
		return IGW_IOT_CONDITION_BAD_REQUEST;
	case IGW_ERROR_NOT_SUPPORTED:
		return IGW_IOT_CONDITION_FEATURE_NOT_IMPLEMENTED;
	case IGW_ERROR_NOT_FOUND:
		return IGW_IOT_CONDITION_ITEM_NOT_FOUND;
	case IGW_ERROR_PERMISSION_DENIED:
		return IGW_IOT_CONDITION_FORBIDDEN;
	default:
		return IGW_IOT_CONDITION_INTERNAL;
	}
}

const gchar *
igw_iot_condition_to_string(IgwIotCondition condition)
{
	switch (condition) {
	case IGW_IOT_CONDITION_BAD_REQUEST:
		return "bad-request";
	case IGW_IOT_CONDITION_FORBIDDEN:
		return "forbidden";
	case IGW_IOT_CONDITION_ITEM_NOT_FOUND:
		return "item-not-found";
	case IGW_IOT_CONDITION_FEATURE_NOT_IMPLEMENTED:
		return "feature-not-implemented";
	case IGW_IOT_CONDITION_NOT_ALLOWED:
		return "not-allowed";
	case IGW_IOT_CONDITION_INTERNAL:
	default:
		return "internal-server-error";
	}
}
