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
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "invalid from/to time");
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

/* checked before decoding: a request naming too many fields, nodes or parameters costs nothing */
gboolean
igw_iot_xml_check_size(xmpp_stanza_t *payload, guint max, GError **error)
{
	guint count = 0;
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(payload); c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		if (!xmpp_stanza_is_tag(c))
			continue;
		count++;
		for (xmpp_stanza_t *g = xmpp_stanza_get_children(c); g != NULL && count <= max;
		     g = xmpp_stanza_get_next(g))
			count += xmpp_stanza_is_tag(g) ? 1 : 0;
		if (count > max) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_LIMIT_REACHED,
				    "Too many elements in one request (at most %u).", max);
			return FALSE;
		}
	}
	return TRUE;
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
	if (event->condition == IGW_IOT_CONDITION_BAD_REQUEST ||
	    event->condition == IGW_IOT_CONDITION_POLICY_VIOLATION)
		type = "modify";
	else if (event->condition == IGW_IOT_CONDITION_FORBIDDEN)
		type = "auth";
	xmpp_stanza_set_type(error, type);
	igw_iot_xml_add_child(error, igw_iot_condition_to_string(event->condition), IGW_NS_STANZAS);
	if (event->text != NULL)
		igw_iot_xml_add_text(igw_iot_xml_add_child(error, "text", IGW_NS_STANZAS),
				     event->text);
	return error;
}

/* the value as both dialects write it: ISO 8601 times and durations */
gchar *
igw_iot_xml_format_value(IgwField *field, GVariant *value)
{
	IgwFieldType type = igw_field_get_value_type(field);
	if (value == NULL || !g_variant_is_of_type(value, igw_field_type_to_variant_type(type)))
		return NULL;
	if (type == IGW_FIELD_TYPE_DURATION)
		return g_strdup_printf("PT%" G_GINT64_FORMAT "S",
				       g_variant_get_int64(value) / G_USEC_PER_SEC);
	if (type == IGW_FIELD_TYPE_DATE_TIME)
		return igw_iot_xml_format_time(g_variant_get_int64(value));
	return igw_field_format_value(field, value);
}

/* XEP-0122 datatypes; NULL: a plain text-single or a list */
static const gchar *
igw_iot_form_datatype(IgwFieldType type)
{
	switch (type) {
	case IGW_FIELD_TYPE_NUMERIC:
		return "xs:double";
	case IGW_FIELD_TYPE_INTEGER:
		return "xs:integer";
	case IGW_FIELD_TYPE_DATE_TIME:
		return "xs:dateTime";
	case IGW_FIELD_TYPE_DURATION:
		return "xs:duration";
	case IGW_FIELD_TYPE_BOOLEAN:
	case IGW_FIELD_TYPE_STRING:
	case IGW_FIELD_TYPE_ENUM:
	default:
		return NULL;
	}
}

static gchar *
igw_iot_form_bound(IgwFieldType type, gdouble bound)
{
	gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
	if (type == IGW_FIELD_TYPE_INTEGER)
		return g_strdup_printf("%" G_GINT64_FORMAT, (gint64)bound);
	return g_strdup(g_ascii_dtostr(buf, sizeof(buf), bound));
}

static void
igw_iot_form_add_validate(xmpp_stanza_t *element, IgwField *field)
{
	igw_iot_xml_add_validate(element, field,
				 igw_iot_form_datatype(igw_field_get_value_type(field)));
}

void
igw_iot_xml_add_validate(xmpp_stanza_t *element, IgwField *field, const gchar *datatype)
{
	IgwFieldType type = igw_field_get_value_type(field);
	xmpp_stanza_t *validate;
	gdouble min = 0, max = 0;
	if (datatype == NULL)
		return;
	validate = igw_iot_xml_add_child(element, "validate", IGW_NS_DATA_VALIDATE);
	xmpp_stanza_set_attribute(validate, "datatype", datatype);
	if ((type == IGW_FIELD_TYPE_NUMERIC || type == IGW_FIELD_TYPE_INTEGER) &&
	    igw_field_get_range(field, &min, &max)) {
		xmpp_stanza_t *range = igw_iot_xml_add_child(validate, "range", NULL);
		g_autofree gchar *low = igw_iot_form_bound(type, min);
		g_autofree gchar *high = igw_iot_form_bound(type, max);
		xmpp_stanza_set_attribute(range, "min", low);
		xmpp_stanza_set_attribute(range, "max", high);
	}
}

static const gchar *
igw_iot_form_field_type(IgwFieldType type)
{
	if (type == IGW_FIELD_TYPE_BOOLEAN)
		return "boolean";
	if (type == IGW_FIELD_TYPE_ENUM)
		return "list-single";
	return "text-single";
}

static const IgwReading *
igw_iot_form_latest(const IgwIotEvent *event, const gchar *name)
{
	for (guint i = 0; i < event->readings->len; i++) {
		const IgwReading *reading = g_ptr_array_index(event->readings, i);
		if (g_strcmp0(igw_reading_get_field(reading), name) == 0)
			return reading;
	}
	return NULL;
}

static void
igw_iot_form_add_field(xmpp_stanza_t *form, IgwField *field, const IgwReading *latest)
{
	const gchar *name = igw_field_get_name(field);
	const gchar *unit = igw_field_get_unit(field);
	const gchar *const *options = igw_field_get_enum_values(field);
	IgwFieldType type = igw_field_get_value_type(field);
	xmpp_stanza_t *element = igw_iot_xml_add_child(form, "field", NULL);
	g_autofree gchar *label =
	    unit != NULL && *unit != '\0' ? g_strdup_printf("%s (%s)", name, unit) : g_strdup(name);
	g_autofree gchar *value =
	    latest != NULL ? igw_iot_xml_format_value(field, igw_reading_get_value(latest)) : NULL;
	xmpp_stanza_set_attribute(element, "var", name);
	xmpp_stanza_set_attribute(element, "type", igw_iot_form_field_type(type));
	xmpp_stanza_set_attribute(element, "label", label);
	if (value != NULL)
		igw_iot_xml_add_text(igw_iot_xml_add_child(element, "value", NULL), value);
	for (guint i = 0; type == IGW_FIELD_TYPE_ENUM && options != NULL && options[i] != NULL;
	     i++) {
		xmpp_stanza_t *option = igw_iot_xml_add_child(element, "option", NULL);
		xmpp_stanza_set_attribute(option, "label", options[i]);
		igw_iot_xml_add_text(igw_iot_xml_add_child(option, "value", NULL), options[i]);
	}
	igw_iot_form_add_validate(element, field);
}

/*
 * XEP-0325 v0.3+ and IoTGateway answer getForm with the form itself; one
 * field per writable field, its current value when one is known
 */
xmpp_stanza_t *
igw_iot_xml_form_reply(xmpp_stanza_t *request, const IgwIotEvent *event)
{
	xmpp_stanza_t *reply = igw_iot_xml_iq_reply(request, "result");
	xmpp_stanza_t *form = igw_iot_xml_add_child(reply, "x", IGW_NS_DATA_FORMS);
	GPtrArray *fields;
	xmpp_stanza_set_type(form, "form");
	if (event->thing == NULL)
		return reply;
	igw_iot_xml_add_text(igw_iot_xml_add_child(form, "title", NULL),
			     igw_thing_get_name(event->thing) != NULL
				 ? igw_thing_get_name(event->thing)
				 : igw_thing_get_id(event->thing));
	fields = igw_thing_get_fields(event->thing);
	for (guint i = 0; i < fields->len; i++) {
		IgwField *field = g_ptr_array_index(fields, i);
		if (igw_field_get_writable(field))
			igw_iot_form_add_field(
			    form, field, igw_iot_form_latest(event, igw_field_get_name(field)));
	}
	return reply;
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
	case IGW_ERROR_LIMIT_REACHED:
		return IGW_IOT_CONDITION_POLICY_VIOLATION;
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
	case IGW_IOT_CONDITION_POLICY_VIOLATION:
		return "policy-violation";
	case IGW_IOT_CONDITION_INTERNAL:
	default:
		return "internal-server-error";
	}
}

gboolean
igw_iot_request_add_param(IgwIotRequest *request, const gchar *name, const gchar *type,
			  const gchar *value, GError **error)
{
	IgwControlParam *param;
	if (name == NULL || value == NULL || !g_utf8_validate(name, -1, NULL) ||
	    !g_utf8_validate(value, -1, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "a parameter lacks its name or value");
		return FALSE;
	}
	param = g_new0(IgwControlParam, 1);
	param->name = g_strdup(name);
	param->type = g_strdup(type);
	param->text = g_strdup(value);
	g_ptr_array_add(request->params, param);
	return TRUE;
}

/* a set, in either dialect: node references, then typed parameters */
IgwIotRequest *
igw_iot_xml_decode_set(xmpp_stanza_t *stanza, xmpp_stanza_t *payload, const gchar *node_element,
		       const gchar *node_attribute, IgwIotParamFunc decode_param, GError **error)
{
	g_autoptr(IgwIotRequest) request = igw_iot_request_new(IGW_IOT_REQUEST_SET);
	request->message = g_strcmp0(xmpp_stanza_get_name(stanza), "message") == 0;
	request->nodes = igw_iot_xml_collect(payload, node_element, node_attribute);
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(payload); c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		if (!xmpp_stanza_is_tag(c) || g_strcmp0(xmpp_stanza_get_name(c), node_element) == 0)
			continue;
		if (!decode_param(request, c, error))
			return NULL;
	}
	if (request->params->len == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "nothing to set");
		return NULL;
	}
	return g_steal_pointer(&request);
}
