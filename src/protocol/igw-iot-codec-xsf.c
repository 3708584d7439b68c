/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwIot"

#include "config.h"

#include <string.h>

#include "igw-error.h"
#include "igw-iot-codec.h"

/*
 * urn:xmpp:iot:sensordata and urn:xmpp:iot:control in the form slixmpp 1.8
 * parses (XEP-0323/0325 v0.2: seqnr, <rejected>, responseCode) with the
 * standard stanza errors of later versions beside it, so both kinds of
 * client understand the answer.
 */

static const gchar *const igw_xsf_namespaces[] = {IGW_NS_IOT_SENSORDATA, IGW_NS_IOT_CONTROL, NULL};

/* field categories as request flags and as field attributes */
static const struct {
	const gchar *name;
	IgwFieldCategory category;
} igw_xsf_categories[] = {
    {"momentary", IGW_FIELD_CATEGORY_MOMENTARY}, {"status", IGW_FIELD_CATEGORY_STATUS},
    {"identity", IGW_FIELD_CATEGORY_IDENTITY},	 {"computed", IGW_FIELD_CATEGORY_COMPUTED},
    {"peak", IGW_FIELD_CATEGORY_PEAK},
};

static const gchar *const igw_xsf_set_types[] = {
    "boolean", "color", "date",	  "dateTime", "double", "duration",
    "int",     "long",	"string", "time",     NULL,
};

static guint
igw_xsf_category_of(const gchar *name)
{
	/* historical, historicalSecond, ..., historicalYear */
	if (g_str_has_prefix(name, "historical"))
		return IGW_IOT_CATEGORY_HISTORICAL;
	for (guint j = 0; j < G_N_ELEMENTS(igw_xsf_categories); j++) {
		if (g_strcmp0(name, igw_xsf_categories[j].name) == 0)
			return igw_xsf_categories[j].category;
	}
	return 0;
}

static guint
igw_xsf_decode_categories(xmpp_stanza_t *payload)
{
	guint categories = 0;
	gint n = xmpp_stanza_get_attribute_count(payload);
	g_autofree const gchar **attrs = g_new0(const gchar *, 2 * (gsize)MAX(n, 0) + 2);
	n = xmpp_stanza_get_attributes(payload, attrs, 2 * MAX(n, 0));
	for (gint i = 0; i + 1 < n; i += 2) {
		if (igw_iot_xml_is_true(attrs[i + 1]))
			categories |= igw_xsf_category_of(attrs[i]);
	}
	return categories;
}

static IgwIotRequest *
igw_xsf_decode_req(xmpp_stanza_t *payload, IgwIotRequestKind kind, GError **error)
{
	g_autoptr(IgwIotRequest) request = igw_iot_request_new(kind);
	const gchar *seqnr = xmpp_stanza_get_attribute(payload, "seqnr");
	const gchar *from = xmpp_stanza_get_attribute(payload, "from");
	const gchar *to = xmpp_stanza_get_attribute(payload, "to");
	if (seqnr == NULL || *seqnr == '\0' || !g_utf8_validate(seqnr, -1, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "seqnr is missing");
		return NULL;
	}
	request->seqnr = g_strdup(seqnr);
	if (kind == IGW_IOT_REQUEST_CANCEL)
		return g_steal_pointer(&request);
	request->categories = igw_xsf_decode_categories(payload);
	if (!igw_iot_xml_parse_time(from, &request->from, error) ||
	    !igw_iot_xml_parse_time(to, &request->to, error))
		return NULL;
	request->has_when = xmpp_stanza_get_attribute(payload, "when") != NULL;
	request->nodes = igw_iot_xml_collect(payload, "node", "nodeId");
	request->fields = igw_iot_xml_collect(payload, "field", "name");
	return g_steal_pointer(&request);
}

static gboolean
igw_xsf_decode_param(IgwIotRequest *request, xmpp_stanza_t *child, GError **error)
{
	const gchar *type = xmpp_stanza_get_name(child);
	const gchar *name = xmpp_stanza_get_attribute(child, "name");
	const gchar *value = xmpp_stanza_get_attribute(child, "value");
	if (!g_strv_contains(igw_xsf_set_types, type)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
			    "unsupported parameter type");
		return FALSE;
	}
	return igw_iot_request_add_param(request, name, type, value, error);
}

static IgwIotRequest *
igw_xsf_decode_set(xmpp_stanza_t *stanza, xmpp_stanza_t *payload, GError **error)
{
	return igw_iot_xml_decode_set(stanza, payload, "node", "nodeId", igw_xsf_decode_param,
				      error);
}

static IgwIotRequest *
igw_xsf_decode_payload(xmpp_stanza_t *stanza, xmpp_stanza_t *payload, GError **error)
{
	const gchar *name = xmpp_stanza_get_name(payload);
	gboolean control = g_strcmp0(xmpp_stanza_get_ns(payload), IGW_NS_IOT_CONTROL) == 0;
	if (!control && g_strcmp0(name, "req") == 0)
		return igw_xsf_decode_req(payload, IGW_IOT_REQUEST_READ, error);
	if (!control && g_strcmp0(name, "cancel") == 0)
		return igw_xsf_decode_req(payload, IGW_IOT_REQUEST_CANCEL, error);
	if (control && g_strcmp0(name, "set") == 0)
		return igw_xsf_decode_set(stanza, payload, error);
	if (control && g_strcmp0(name, "getForm") == 0 &&
	    g_strcmp0(xmpp_stanza_get_name(stanza), "iq") == 0)
		return igw_iot_request_new(IGW_IOT_REQUEST_GET_FORM);
	g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED, "unsupported request");
	return NULL;
}

static IgwIotRequest *
igw_xsf_decode(xmpp_stanza_t *stanza, GError **error)
{
	xmpp_stanza_t *payload = igw_iot_xml_payload(stanza, igw_xsf_namespaces);
	const gchar *from = xmpp_stanza_get_from(stanza);
	IgwIotRequest *request;
	if (payload == NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "no IoT request");
		return NULL;
	}
	request = igw_xsf_decode_payload(stanza, payload, error);
	if (request != NULL && from != NULL && g_utf8_validate(from, -1, NULL))
		request->requester = g_strdup(from);
	return request;
}

static const gchar *
igw_xsf_response_code(IgwIotCondition condition)
{
	switch (condition) {
	case IGW_IOT_CONDITION_ITEM_NOT_FOUND:
		return "NotFound";
	case IGW_IOT_CONDITION_FORBIDDEN:
		return "InsufficientPrivileges";
	case IGW_IOT_CONDITION_FEATURE_NOT_IMPLEMENTED:
		return "NotImplemented";
	case IGW_IOT_CONDITION_BAD_REQUEST:
		return "FormError";
	case IGW_IOT_CONDITION_NOT_ALLOWED:
	case IGW_IOT_CONDITION_INTERNAL:
	default:
		return "OtherError";
	}
}

static xmpp_stanza_t *
igw_xsf_encode_rejected(xmpp_stanza_t *request, const IgwIotEvent *event)
{
	xmpp_stanza_t *reply = igw_iot_xml_iq_reply(request, "error");
	xmpp_stanza_t *rejected;
	igw_iot_xml_add_stanza_error(reply, event);
	if (event->profile != IGW_IOT_PROFILE_SLIXMPP)
		return reply;
	/* the v0.2 form, which slixmpp's callback needs */
	rejected = igw_iot_xml_add_child(reply, "rejected", IGW_NS_IOT_SENSORDATA);
	if (event->seqnr != NULL)
		xmpp_stanza_set_attribute(rejected, "seqnr", event->seqnr);
	igw_iot_xml_add_text(igw_iot_xml_add_child(rejected, "error", NULL), event->text);
	return reply;
}

static xmpp_stanza_t *
igw_xsf_encode_set_error(xmpp_stanza_t *request, const IgwIotEvent *event)
{
	xmpp_stanza_t *reply = igw_iot_xml_iq_reply(request, "error");
	xmpp_stanza_t *error = igw_iot_xml_add_stanza_error(reply, event);
	xmpp_stanza_t *response;
	if (event->param != NULL) {
		xmpp_stanza_t *param_error =
		    igw_iot_xml_add_child(error, "paramError", IGW_NS_IOT_CONTROL);
		xmpp_stanza_set_attribute(param_error, "var", event->param);
		igw_iot_xml_add_text(param_error, event->text);
	}
	/* XEP-0325 v0.3+: the stanza error says it all */
	if (event->profile != IGW_IOT_PROFILE_SLIXMPP)
		return reply;
	response = igw_iot_xml_add_child(reply, "setResponse", IGW_NS_IOT_CONTROL);
	xmpp_stanza_set_attribute(response, "responseCode",
				  igw_xsf_response_code(event->condition));
	if (event->param != NULL) {
		xmpp_stanza_t *parameter = igw_iot_xml_add_child(response, "parameter", NULL);
		xmpp_stanza_t *e = igw_iot_xml_add_child(response, "error", NULL);
		xmpp_stanza_set_attribute(parameter, "name", event->param);
		xmpp_stanza_set_attribute(e, "var", event->param);
		igw_iot_xml_add_text(e, event->text);
	}
	return reply;
}

/* slixmpp knows numeric, string, boolean, dateTime, timeSpan and enum only */
static const gchar *
igw_xsf_element_for(IgwFieldType type)
{
	switch (type) {
	case IGW_FIELD_TYPE_BOOLEAN:
		return "boolean";
	case IGW_FIELD_TYPE_STRING:
		return "string";
	case IGW_FIELD_TYPE_ENUM:
		return "enum";
	case IGW_FIELD_TYPE_DATE_TIME:
		return "dateTime";
	case IGW_FIELD_TYPE_DURATION:
		return "timeSpan";
	case IGW_FIELD_TYPE_NUMERIC:
	case IGW_FIELD_TYPE_INTEGER:
	default:
		return "numeric";
	}
}

static gboolean
igw_xsf_fits_int(gdouble value)
{
	return value >= G_MININT32 && value <= G_MAXINT32;
}

/* XEP-0323 v0.3+: int and long for integers, duration for timeSpan */
static const gchar *
igw_xsf_element_for_xsf(IgwFieldType type, GVariant *value)
{
	if (type == IGW_FIELD_TYPE_INTEGER)
		return igw_xsf_fits_int((gdouble)g_variant_get_int64(value)) ? "int" : "long";
	if (type == IGW_FIELD_TYPE_DURATION)
		return "duration";
	return igw_xsf_element_for(type);
}

/*
 * Smack keeps int and boolean only and drops the rest: a number goes out as
 * int when its field has no decimals (rounded) and fits 32 bits, anything
 * else is left out rather than sent to be thrown away
 */
static gchar *
igw_xsf_smack_int(IgwField *field, GVariant *value)
{
	IgwFieldType type = igw_field_get_value_type(field);
	gdouble number;
	if (type == IGW_FIELD_TYPE_INTEGER)
		number = (gdouble)g_variant_get_int64(value);
	else if (type == IGW_FIELD_TYPE_NUMERIC && igw_field_get_decimals(field) == 0)
		number = g_variant_get_double(value);
	else
		return NULL;
	/* NaN fails this too; then round half away from zero */
	if (!(number > (gdouble)G_MININT32 - 0.5 && number < (gdouble)G_MAXINT32 + 0.5))
		return NULL;
	return g_strdup_printf("%" G_GINT64_FORMAT,
			       number < 0 ? -(gint64)(0.5 - number) : (gint64)(number + 0.5));
}

static gboolean
igw_xsf_encode_value(IgwField *field, GVariant *value, IgwIotProfile profile, const gchar **element,
		     gchar **text)
{
	IgwFieldType type = igw_field_get_value_type(field);
	if (value == NULL || !g_variant_is_of_type(value, igw_field_type_to_variant_type(type)))
		return FALSE;
	if (profile == IGW_IOT_PROFILE_SMACK && type == IGW_FIELD_TYPE_BOOLEAN) {
		*element = "boolean";
		*text = igw_iot_xml_format_value(field, value);
	} else if (profile == IGW_IOT_PROFILE_SMACK) {
		*element = "int";
		*text = igw_xsf_smack_int(field, value);
	} else {
		*element = profile == IGW_IOT_PROFILE_XSF ? igw_xsf_element_for_xsf(type, value)
							  : igw_xsf_element_for(type);
		*text = igw_iot_xml_format_value(field, value);
	}
	return *text != NULL;
}

static void
igw_xsf_add_field(xmpp_stanza_t *node, xmpp_stanza_t **timestamp, IgwField *field,
		  const IgwReading *reading, IgwIotProfile profile)
{
	IgwFieldType type = igw_field_get_value_type(field);
	IgwFieldCategory category = igw_iot_field_categories(field);
	g_autofree gchar *value = NULL;
	const gchar *name = NULL;
	xmpp_stanza_t *element;
	if (!igw_xsf_encode_value(field, igw_reading_get_value(reading), profile, &name, &value)) {
		g_debug("field %s left out: profile %s has no element for its %s value",
			igw_field_get_name(field), igw_iot_profile_to_string(profile),
			igw_field_type_to_string(type));
		return;
	}
	/* a <timestamp> only once something goes in it */
	if (*timestamp == NULL) {
		g_autofree gchar *when =
		    igw_iot_xml_format_time(igw_reading_get_timestamp(reading));
		*timestamp = igw_iot_xml_add_child(node, "timestamp", NULL);
		xmpp_stanza_set_attribute(*timestamp, "value", when);
	}
	element = igw_iot_xml_add_child(*timestamp, name, NULL);
	xmpp_stanza_set_attribute(element, "name", igw_field_get_name(field));
	xmpp_stanza_set_attribute(element, "value", value);
	if (g_strcmp0(name, "enum") == 0)
		xmpp_stanza_set_attribute(element, "dataType", "string");
	/* v0.6 requires unit on numeric; v0.2 and slixmpp take it as optional */
	if (g_strcmp0(name, "numeric") == 0 && igw_field_get_unit(field) != NULL)
		xmpp_stanza_set_attribute(element, "unit", igw_field_get_unit(field));
	else if (g_strcmp0(name, "numeric") == 0 && profile == IGW_IOT_PROFILE_XSF)
		xmpp_stanza_set_attribute(element, "unit", "");
	for (guint j = 0; j < G_N_ELEMENTS(igw_xsf_categories); j++) {
		if (category & igw_xsf_categories[j].category)
			xmpp_stanza_set_attribute(element, igw_xsf_categories[j].name, "true");
	}
	if (igw_reading_get_flags(reading) & IGW_READING_FLAG_AUTOMATIC_READOUT)
		xmpp_stanza_set_attribute(element, "automaticReadout", "true");
	if (profile == IGW_IOT_PROFILE_XSF && igw_field_get_writable(field))
		xmpp_stanza_set_attribute(element, "writable", "true");
}

/* one <timestamp> per run of readings taken at the same moment */
static void
igw_xsf_add_node(xmpp_stanza_t *fields, const IgwIotEvent *event)
{
	xmpp_stanza_t *node = igw_iot_xml_add_child(fields, "node", NULL);
	xmpp_stanza_t *timestamp = NULL;
	gint64 current = -1;
	xmpp_stanza_set_attribute(node, "nodeId", igw_thing_get_id(event->thing));
	for (guint i = 0; i < event->readings->len; i++) {
		const IgwReading *reading = g_ptr_array_index(event->readings, i);
		IgwField *field = igw_thing_get_field(event->thing, igw_reading_get_field(reading));
		if (field == NULL)
			continue;
		if (igw_reading_get_timestamp(reading) != current) {
			current = igw_reading_get_timestamp(reading);
			timestamp = NULL;
		}
		igw_xsf_add_field(node, &timestamp, field, reading, event->profile);
	}
}

static xmpp_stanza_t *
igw_xsf_encode_message(xmpp_stanza_t *request, const IgwIotEvent *event)
{
	xmpp_ctx_t *ctx = xmpp_stanza_get_context(request);
	xmpp_stanza_t *message = xmpp_message_new(ctx, NULL, xmpp_stanza_get_from(request), NULL);
	gboolean failure = event->kind == IGW_IOT_EVENT_FAILURE;
	gboolean started = event->kind == IGW_IOT_EVENT_STARTED;
	xmpp_stanza_t *payload = igw_iot_xml_add_child(
	    message, failure ? "failure" : (started ? "started" : "fields"), IGW_NS_IOT_SENSORDATA);
	if (event->seqnr != NULL)
		xmpp_stanza_set_attribute(payload, "seqnr", event->seqnr);
	if (event->done)
		xmpp_stanza_set_attribute(payload, "done", "true");
	if (failure)
		igw_iot_xml_add_text(igw_iot_xml_add_child(payload, "error", NULL), event->text);
	else if (event->thing != NULL && event->readings->len > 0)
		igw_xsf_add_node(payload, event);
	return message;
}

static xmpp_stanza_t *
igw_xsf_encode_simple(xmpp_stanza_t *request, const gchar *name, const gchar *ns,
		      const IgwIotEvent *event)
{
	xmpp_stanza_t *reply = igw_iot_xml_iq_reply(request, "result");
	xmpp_stanza_t *payload = igw_iot_xml_add_child(reply, name, ns);
	if (event->kind == IGW_IOT_EVENT_SET_OK) {
		/* v0.3+ dropped responseCode: xsf and Smack get an empty setResponse */
		if (event->profile == IGW_IOT_PROFILE_SLIXMPP)
			xmpp_stanza_set_attribute(payload, "responseCode", "OK");
		return reply;
	}
	if (event->seqnr != NULL)
		xmpp_stanza_set_attribute(payload, "seqnr", event->seqnr);
	if (event->queued)
		xmpp_stanza_set_attribute(payload, "queued", "true");
	return reply;
}

static xmpp_stanza_t *
igw_xsf_encode(xmpp_stanza_t *request, const IgwIotEvent *event)
{
	switch (event->kind) {
	case IGW_IOT_EVENT_ACCEPTED:
		return igw_xsf_encode_simple(request, "accepted", IGW_NS_IOT_SENSORDATA, event);
	case IGW_IOT_EVENT_CANCELLED:
		return igw_xsf_encode_simple(request, "cancelled", IGW_NS_IOT_SENSORDATA, event);
	case IGW_IOT_EVENT_SET_OK:
		return igw_xsf_encode_simple(request, "setResponse", IGW_NS_IOT_CONTROL, event);
	case IGW_IOT_EVENT_REJECTED:
		return igw_xsf_encode_rejected(request, event);
	case IGW_IOT_EVENT_SET_ERROR:
		return igw_xsf_encode_set_error(request, event);
	case IGW_IOT_EVENT_DONE:
		/* done='true' on the last <fields> already said it */
		return NULL;
	case IGW_IOT_EVENT_FORM:
		return igw_iot_xml_form_reply(request, event);
	case IGW_IOT_EVENT_FIELDS:
	case IGW_IOT_EVENT_FAILURE:
	case IGW_IOT_EVENT_STARTED:
	default:
		return igw_xsf_encode_message(request, event);
	}
}

static const IgwIotCodec igw_xsf_codec = {
    .name = "xsf",
    .namespaces = igw_xsf_namespaces,
    .decode = igw_xsf_decode,
    .encode = igw_xsf_encode,
};

const IgwIotCodec *
igw_iot_codec_xsf(void)
{
	return &igw_xsf_codec;
}
