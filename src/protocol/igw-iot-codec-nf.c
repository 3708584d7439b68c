/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwIot"

#include "config.h"

#include "igw-error.h"
#include "igw-iot-codec.h"

/*
 * urn:nf:iot:sd:1.0 and urn:nf:iot:ctr:1.0, IoTGateway's current dialect:
 * <req id m=...>, <accepted id/>, <resp id more><nd><ts v><q n v u/>,
 * <done id/>; rejections are plain stanza errors.
 */

static const gchar *const igw_nf_namespaces[] = {IGW_NS_IOT_NF_SENSORDATA, IGW_NS_IOT_NF_CONTROL,
						 NULL};

static const struct {
	const gchar *name;
	IgwFieldCategory category;
} igw_nf_categories[] = {
    {"m", IGW_FIELD_CATEGORY_MOMENTARY}, {"s", IGW_FIELD_CATEGORY_STATUS},
    {"i", IGW_FIELD_CATEGORY_IDENTITY},	 {"c", IGW_FIELD_CATEGORY_COMPUTED},
    {"p", IGW_FIELD_CATEGORY_PEAK},
};

/* set parameters: element name -> the wire type of the request model */
static const struct {
	const gchar *element;
	const gchar *type;
} igw_nf_set_types[] = {
    {"b", "boolean"}, {"cl", "color"},	  {"d", "date"},   {"dt", "dateTime"},
    {"db", "double"}, {"dr", "duration"}, {"e", "string"}, {"i", "int"},
    {"l", "long"},    {"s", "string"},	  {"t", "time"},
};

static guint
igw_nf_decode_categories(xmpp_stanza_t *payload)
{
	guint categories = 0;
	for (guint j = 0; j < G_N_ELEMENTS(igw_nf_categories); j++) {
		if (igw_iot_xml_is_true(
			xmpp_stanza_get_attribute(payload, igw_nf_categories[j].name)))
			categories |= igw_nf_categories[j].category;
	}
	if (igw_iot_xml_is_true(xmpp_stanza_get_attribute(payload, "h")))
		categories |= IGW_IOT_CATEGORY_HISTORICAL;
	return categories;
}

static IgwIotRequest *
igw_nf_decode_req(xmpp_stanza_t *payload, GError **error)
{
	g_autoptr(IgwIotRequest) request = igw_iot_request_new(IGW_IOT_REQUEST_READ);
	const gchar *id = xmpp_stanza_get_attribute(payload, "id");
	const gchar *from = xmpp_stanza_get_attribute(payload, "from");
	const gchar *to = xmpp_stanza_get_attribute(payload, "to");
	if (id == NULL || *id == '\0' || !g_utf8_validate(id, -1, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "id is missing");
		return NULL;
	}
	request->seqnr = g_strdup(id);
	request->categories = igw_nf_decode_categories(payload);
	if (!igw_iot_xml_parse_time(from, &request->from, error) ||
	    !igw_iot_xml_parse_time(to, &request->to, error))
		return NULL;
	request->has_when = xmpp_stanza_get_attribute(payload, "when") != NULL;
	request->nodes = igw_iot_xml_collect(payload, "nd", "id");
	request->fields = igw_iot_xml_collect(payload, "f", "n");
	return g_steal_pointer(&request);
}

static const gchar *
igw_nf_set_type(const gchar *element)
{
	for (guint i = 0; i < G_N_ELEMENTS(igw_nf_set_types); i++) {
		if (g_strcmp0(igw_nf_set_types[i].element, element) == 0)
			return igw_nf_set_types[i].type;
	}
	return NULL;
}

static gboolean
igw_nf_decode_param(IgwIotRequest *request, xmpp_stanza_t *child, GError **error)
{
	const gchar *element = xmpp_stanza_get_name(child);
	const gchar *type = igw_nf_set_type(element);
	const gchar *name = xmpp_stanza_get_attribute(child, "n");
	const gchar *value = xmpp_stanza_get_attribute(child, "v");
	if (type == NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
				    "unsupported parameter type");
		return FALSE;
	}
	return igw_iot_request_add_param(request, name, type, value, error);
}

static IgwIotRequest *
igw_nf_decode_set(xmpp_stanza_t *stanza, xmpp_stanza_t *payload, GError **error)
{
	return igw_iot_xml_decode_set(stanza, payload, "nd", "id", igw_nf_decode_param, error);
}

static IgwIotRequest *
igw_nf_decode(xmpp_stanza_t *stanza, GError **error)
{
	xmpp_stanza_t *payload = igw_iot_xml_payload(stanza, igw_nf_namespaces);
	const gchar *from = xmpp_stanza_get_from(stanza);
	gboolean control;
	IgwIotRequest *request = NULL;
	if (payload == NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "no IoT request");
		return NULL;
	}
	control = g_strcmp0(xmpp_stanza_get_ns(payload), IGW_NS_IOT_NF_CONTROL) == 0;
	if (!control && g_strcmp0(xmpp_stanza_get_name(payload), "req") == 0)
		request = igw_nf_decode_req(payload, error);
	else if (control && g_strcmp0(xmpp_stanza_get_name(payload), "set") == 0)
		request = igw_nf_decode_set(stanza, payload, error);
	else if (control && g_strcmp0(xmpp_stanza_get_name(payload), "getForm") == 0 &&
		 g_strcmp0(xmpp_stanza_get_name(stanza), "iq") == 0)
		request = igw_iot_request_new(IGW_IOT_REQUEST_GET_FORM);
	else
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
				    "unsupported request");
	if (request != NULL && from != NULL && g_utf8_validate(from, -1, NULL))
		request->requester = g_strdup(from);
	return request;
}

static const gchar *
igw_nf_element_for(IgwFieldType type)
{
	switch (type) {
	case IGW_FIELD_TYPE_INTEGER:
		return "l";
	case IGW_FIELD_TYPE_BOOLEAN:
		return "b";
	case IGW_FIELD_TYPE_STRING:
		return "s";
	case IGW_FIELD_TYPE_ENUM:
		return "e";
	case IGW_FIELD_TYPE_DATE_TIME:
		return "dt";
	case IGW_FIELD_TYPE_DURATION:
		return "dr";
	case IGW_FIELD_TYPE_NUMERIC:
	default:
		return "q";
	}
}

static void
igw_nf_add_field(xmpp_stanza_t *timestamp, IgwField *field, const IgwReading *reading)
{
	IgwFieldType type = igw_field_get_value_type(field);
	g_autofree gchar *value = igw_iot_xml_format_value(field, igw_reading_get_value(reading));
	IgwFieldCategory category = igw_iot_field_categories(field);
	xmpp_stanza_t *element;
	if (value == NULL)
		return;
	element = igw_iot_xml_add_child(timestamp, igw_nf_element_for(type), NULL);
	xmpp_stanza_set_attribute(element, "n", igw_field_get_name(field));
	xmpp_stanza_set_attribute(element, "v", value);
	if (type == IGW_FIELD_TYPE_NUMERIC) {
		g_autofree gchar *decimals = g_strdup_printf("%u", igw_field_get_decimals(field));
		const gchar *unit = igw_field_get_unit(field);
		xmpp_stanza_set_attribute(element, "u", unit != NULL ? unit : "");
		xmpp_stanza_set_attribute(element, "d", decimals);
	}
	if (type == IGW_FIELD_TYPE_ENUM)
		xmpp_stanza_set_attribute(element, "t", "string");
	if (igw_field_get_writable(field))
		xmpp_stanza_set_attribute(element, "ctr", "true");
	for (guint j = 0; j < G_N_ELEMENTS(igw_nf_categories); j++) {
		if (category & igw_nf_categories[j].category)
			xmpp_stanza_set_attribute(element, igw_nf_categories[j].name, "true");
	}
	if (igw_reading_get_flags(reading) & IGW_READING_FLAG_AUTOMATIC_READOUT)
		xmpp_stanza_set_attribute(element, "ar", "true");
}

static void
igw_nf_add_node(xmpp_stanza_t *resp, const IgwIotEvent *event)
{
	xmpp_stanza_t *node = igw_iot_xml_add_child(resp, "nd", NULL);
	xmpp_stanza_t *timestamp = NULL;
	gint64 current = -1;
	xmpp_stanza_set_attribute(node, "id", igw_thing_get_id(event->thing));
	for (guint i = 0; i < event->readings->len; i++) {
		const IgwReading *reading = g_ptr_array_index(event->readings, i);
		IgwField *field = igw_thing_get_field(event->thing, igw_reading_get_field(reading));
		if (field == NULL)
			continue;
		if (timestamp == NULL || igw_reading_get_timestamp(reading) != current) {
			g_autofree gchar *when = NULL;
			current = igw_reading_get_timestamp(reading);
			when = igw_iot_xml_format_time(current);
			timestamp = igw_iot_xml_add_child(node, "ts", NULL);
			xmpp_stanza_set_attribute(timestamp, "v", when);
		}
		igw_nf_add_field(timestamp, field, reading);
	}
}

static xmpp_stanza_t *
igw_nf_message(xmpp_stanza_t *request, const gchar *name, const IgwIotEvent *event)
{
	xmpp_ctx_t *ctx = xmpp_stanza_get_context(request);
	xmpp_stanza_t *message = xmpp_message_new(ctx, NULL, xmpp_stanza_get_from(request), NULL);
	xmpp_stanza_t *payload = igw_iot_xml_add_child(message, name, IGW_NS_IOT_NF_SENSORDATA);
	if (event->seqnr != NULL)
		xmpp_stanza_set_attribute(payload, "id", event->seqnr);
	return message;
}

/* <resp> with more='true' until the last page; <done/> follows on its own */
static xmpp_stanza_t *
igw_nf_encode_resp(xmpp_stanza_t *request, const IgwIotEvent *event)
{
	xmpp_stanza_t *message = igw_nf_message(request, "resp", event);
	xmpp_stanza_t *resp = xmpp_stanza_get_children(message);
	if (!event->done)
		xmpp_stanza_set_attribute(resp, "more", "true");
	if (event->kind == IGW_IOT_EVENT_FAILURE)
		igw_iot_xml_add_text(igw_iot_xml_add_child(resp, "err", NULL), event->text);
	else if (event->thing != NULL && event->readings->len > 0)
		igw_nf_add_node(resp, event);
	return message;
}

static xmpp_stanza_t *
igw_nf_encode_error(xmpp_stanza_t *request, const IgwIotEvent *event)
{
	xmpp_stanza_t *reply = igw_iot_xml_iq_reply(request, "error");
	xmpp_stanza_t *error = igw_iot_xml_add_stanza_error(reply, event);
	if (event->kind == IGW_IOT_EVENT_SET_ERROR && event->param != NULL) {
		xmpp_stanza_t *param_error =
		    igw_iot_xml_add_child(error, "paramError", IGW_NS_IOT_NF_CONTROL);
		xmpp_stanza_set_attribute(param_error, "n", event->param);
		igw_iot_xml_add_text(param_error, event->text);
	}
	return reply;
}

static xmpp_stanza_t *
igw_nf_encode_result(xmpp_stanza_t *request, const gchar *name, const gchar *ns,
		     const IgwIotEvent *event)
{
	xmpp_stanza_t *reply = igw_iot_xml_iq_reply(request, "result");
	xmpp_stanza_t *payload = igw_iot_xml_add_child(reply, name, ns);
	if (event->seqnr != NULL)
		xmpp_stanza_set_attribute(payload, "id", event->seqnr);
	if (event->queued)
		xmpp_stanza_set_attribute(payload, "queued", "true");
	return reply;
}

static xmpp_stanza_t *
igw_nf_encode(xmpp_stanza_t *request, const IgwIotEvent *event)
{
	switch (event->kind) {
	case IGW_IOT_EVENT_ACCEPTED:
		return igw_nf_encode_result(request, "accepted", IGW_NS_IOT_NF_SENSORDATA, event);
	case IGW_IOT_EVENT_SET_OK:
		return igw_nf_encode_result(request, "resp", IGW_NS_IOT_NF_CONTROL, event);
	case IGW_IOT_EVENT_CANCELLED:
		/* nf has no cancel: never asked for */
		return NULL;
	case IGW_IOT_EVENT_REJECTED:
	case IGW_IOT_EVENT_SET_ERROR:
		return igw_nf_encode_error(request, event);
	case IGW_IOT_EVENT_DONE:
		return igw_nf_message(request, "done", event);
	case IGW_IOT_EVENT_STARTED:
		return igw_nf_message(request, "started", event);
	case IGW_IOT_EVENT_FORM:
		return igw_iot_xml_form_reply(request, event);
	case IGW_IOT_EVENT_FIELDS:
	case IGW_IOT_EVENT_FAILURE:
	default:
		return igw_nf_encode_resp(request, event);
	}
}

static const IgwIotCodec igw_nf_codec = {
    .name = "nf",
    .namespaces = igw_nf_namespaces,
    .decode = igw_nf_decode,
    .encode = igw_nf_encode,
};

const IgwIotCodec *
igw_iot_codec_nf(void)
{
	return &igw_nf_codec;
}
