/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwPubsub"

#include "config.h"

#include <string.h>

#include "igw-error.h"
#include "igw-iot-codec.h"
#include "igw-pubsub-codec.h"

/* the thesis's pubsub protocol (seed 004, 4.4): stanzas in, stanzas out, no state */

#define IGW_PUBSUB_SENSOR_PREFIX "xmpp.iot.sensor."
#define IGW_PUBSUB_ACTUATOR_PREFIX "xmpp.iot.actuator."
#define IGW_PUBSUB_PUBLISH_OPTIONS "http://jabber.org/protocol/pubsub#publish-options"

const gchar *
igw_pubsub_field_node(IgwField *field)
{
	return igw_field_get_writable(field) ? IGW_PUBSUB_NODE_ACTUATORS : IGW_PUBSUB_NODE_SENSORS;
}

gchar *
igw_pubsub_field_item_id(IgwField *field)
{
	return g_strconcat(igw_field_get_writable(field) ? IGW_PUBSUB_ACTUATOR_PREFIX
							 : IGW_PUBSUB_SENSOR_PREFIX,
			   igw_field_get_name(field), NULL);
}

gchar *
igw_pubsub_item_field_name(const gchar *item_id)
{
	const gchar *prefixes[] = {IGW_PUBSUB_SENSOR_PREFIX, IGW_PUBSUB_ACTUATOR_PREFIX};
	if (item_id == NULL)
		return NULL;
	for (guint i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		const gchar *name = item_id + strlen(prefixes[i]);
		if (g_str_has_prefix(item_id, prefixes[i]) && *name != '\0')
			return g_strdup(name);
	}
	return NULL;
}

/* the val type attribute written for each field type */
static const gchar *
igw_pubsub_val_type(IgwFieldType type)
{
	switch (type) {
	case IGW_FIELD_TYPE_NUMERIC:
		return "float";
	case IGW_FIELD_TYPE_INTEGER:
	case IGW_FIELD_TYPE_DURATION:
		return "int";
	case IGW_FIELD_TYPE_BOOLEAN:
		return "bool";
	case IGW_FIELD_TYPE_ENUM:
		return "enum";
	case IGW_FIELD_TYPE_DATE_TIME:
		return "dateTime";
	case IGW_FIELD_TYPE_STRING:
	default:
		return "string";
	}
}

/* the type attributes a <val/> may carry for each field type: what we
 * write, the XEP-0323 names, and the thesis's own "boolean" */
static gboolean
igw_pubsub_val_type_fits(IgwFieldType type, const gchar *name)
{
	const gchar *numeric[] = {"float", "double", "decimal", "int", "integer", "long", NULL};
	const gchar *integer[] = {"int", "integer", "long", NULL};
	const gchar *boolean[] = {"bool", "boolean", NULL};
	const gchar *enumeration[] = {"enum", "string", NULL};
	const gchar *string[] = {"string", NULL};
	const gchar *date_time[] = {"dateTime", NULL};
	switch (type) {
	case IGW_FIELD_TYPE_NUMERIC:
		return g_strv_contains(numeric, name);
	case IGW_FIELD_TYPE_INTEGER:
	case IGW_FIELD_TYPE_DURATION:
		return g_strv_contains(integer, name);
	case IGW_FIELD_TYPE_BOOLEAN:
		return g_strv_contains(boolean, name);
	case IGW_FIELD_TYPE_ENUM:
		return g_strv_contains(enumeration, name);
	case IGW_FIELD_TYPE_DATE_TIME:
		return g_strv_contains(date_time, name);
	case IGW_FIELD_TYPE_STRING:
	default:
		return g_strv_contains(string, name);
	}
}

/* the text of a value as a <val/> carries it; NULL for a value of another type */
static gchar *
igw_pubsub_format_val(IgwField *field, GVariant *value)
{
	IgwFieldType type = igw_field_get_value_type(field);
	if (value == NULL || !g_variant_is_of_type(value, igw_field_type_to_variant_type(type)))
		return NULL;
	if (type == IGW_FIELD_TYPE_BOOLEAN)
		return g_strdup(g_variant_get_boolean(value) ? "1" : "0");
	if (type == IGW_FIELD_TYPE_DURATION)
		return g_strdup_printf("%" G_GINT64_FORMAT, g_variant_get_int64(value));
	return igw_field_format_value(field, value);
}

xmpp_stanza_t *
igw_pubsub_new_val(xmpp_ctx_t *ctx, IgwField *field, GVariant *value)
{
	const gchar *unit = igw_field_get_unit(field);
	g_autofree gchar *text = igw_pubsub_format_val(field, value);
	xmpp_stanza_t *val;
	if (text == NULL)
		return NULL;
	val = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(val, "val");
	xmpp_stanza_set_ns(val, IGW_NS_UWPX_IOT);
	xmpp_stanza_set_type(val, igw_pubsub_val_type(igw_field_get_value_type(field)));
	if (unit != NULL && *unit != '\0')
		xmpp_stanza_set_attribute(val, "unit", unit);
	igw_iot_xml_add_text(val, text);
	return val;
}

/* the text children of an element, joined; NULL when one is not UTF-8 */
static gchar *
igw_pubsub_xml_text(xmpp_stanza_t *element)
{
	g_autoptr(GString) text = g_string_new(NULL);
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(element); c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		const gchar *part = xmpp_stanza_is_text(c) ? xmpp_stanza_get_text_ptr(c) : NULL;
		if (part != NULL)
			g_string_append(text, part);
	}
	if (!g_utf8_validate(text->str, (gssize)text->len, NULL))
		return NULL;
	return g_string_free(g_steal_pointer(&text), FALSE);
}

static GVariant *
igw_pubsub_parse_boolean(IgwField *field, const gchar *text, GError **error)
{
	if (g_strcmp0(text, "1") == 0 || g_strcmp0(text, "true") == 0)
		return g_variant_ref_sink(g_variant_new_boolean(TRUE));
	if (g_strcmp0(text, "0") == 0 || g_strcmp0(text, "false") == 0)
		return g_variant_ref_sink(g_variant_new_boolean(FALSE));
	g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
		    "%s expects 1, 0, true or false, not '%s'", igw_field_get_name(field), text);
	return NULL;
}

/* microseconds in the <val/>, where the command line has seconds */
static GVariant *
igw_pubsub_parse_duration(IgwField *field, const gchar *text, GError **error)
{
	gint64 usec = 0;
	g_autoptr(GVariant) value = NULL;
	if (!g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &usec, NULL)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "%s expects a whole number of microseconds, not '%s'",
			    igw_field_get_name(field), text);
		return NULL;
	}
	value = g_variant_ref_sink(g_variant_new_int64(usec));
	if (!igw_field_check_value(field, value, error))
		return NULL;
	return g_steal_pointer(&value);
}

static GVariant *
igw_pubsub_parse_text(IgwField *field, const gchar *raw, GError **error)
{
	IgwFieldType type = igw_field_get_value_type(field);
	g_autofree gchar *text = NULL;
	/* strings keep their spaces; numbers, flags and times do not */
	if (type == IGW_FIELD_TYPE_STRING || type == IGW_FIELD_TYPE_ENUM)
		return igw_field_parse_value(field, raw, error);
	text = g_strstrip(g_strdup(raw));
	if (*text == '\0') {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "%s: the value is empty",
			    igw_field_get_name(field));
		return NULL;
	}
	if (type == IGW_FIELD_TYPE_BOOLEAN)
		return igw_pubsub_parse_boolean(field, text, error);
	if (type == IGW_FIELD_TYPE_DURATION)
		return igw_pubsub_parse_duration(field, text, error);
	return igw_field_parse_value(field, text, error);
}

GVariant *
igw_pubsub_parse_val(IgwField *field, xmpp_stanza_t *val, GError **error)
{
	const gchar *type = NULL;
	g_autofree gchar *text = NULL;
	if (val == NULL || !xmpp_stanza_is_tag(val) ||
	    g_strcmp0(xmpp_stanza_get_name(val), "val") != 0 ||
	    g_strcmp0(xmpp_stanza_get_ns(val), IGW_NS_UWPX_IOT) != 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "expected <val xmlns='" IGW_NS_UWPX_IOT "'/>");
		return NULL;
	}
	type = xmpp_stanza_get_type(val);
	if (type != NULL && !igw_pubsub_val_type_fits(igw_field_get_value_type(field), type)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "%s is of type %s, not '%s'",
			    igw_field_get_name(field),
			    igw_pubsub_val_type(igw_field_get_value_type(field)),
			    g_utf8_validate(type, -1, NULL) ? type : "?");
		return NULL;
	}
	text = igw_pubsub_xml_text(val);
	if (text == NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "value is not UTF-8");
		return NULL;
	}
	return igw_pubsub_parse_text(field, text, error);
}

static xmpp_stanza_t *
igw_pubsub_new_iq(xmpp_ctx_t *ctx, const gchar *type, const gchar *id, const gchar *to)
{
	xmpp_stanza_t *iq = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(iq, "iq");
	xmpp_stanza_set_type(iq, type);
	if (id != NULL)
		xmpp_stanza_set_id(iq, id);
	if (to != NULL)
		xmpp_stanza_set_to(iq, to);
	return iq;
}

/* <field var><value>text</value></field>, typed when @type is not NULL */
static xmpp_stanza_t *
igw_pubsub_form_add_value(xmpp_stanza_t *form, const gchar *var, const gchar *type,
			  const gchar *text)
{
	xmpp_stanza_t *field = igw_iot_xml_add_child(form, "field", NULL);
	xmpp_stanza_set_attribute(field, "var", var);
	if (type != NULL)
		xmpp_stanza_set_type(field, type);
	if (text != NULL)
		igw_iot_xml_add_text(igw_iot_xml_add_child(field, "value", NULL), text);
	return field;
}

/* XEP-0223: the preconditions the node must meet (or is created with) */
static void
igw_pubsub_add_publish_options(xmpp_stanza_t *pubsub, const gchar *access_model,
			       gboolean persist_items)
{
	xmpp_stanza_t *options = igw_iot_xml_add_child(pubsub, "publish-options", NULL);
	xmpp_stanza_t *form = igw_iot_xml_add_child(options, "x", IGW_NS_DATA_FORMS);
	xmpp_stanza_set_type(form, "submit");
	igw_pubsub_form_add_value(form, "FORM_TYPE", "hidden", IGW_PUBSUB_PUBLISH_OPTIONS);
	igw_pubsub_form_add_value(form, "pubsub#persist_items", NULL,
				  persist_items ? "true" : "false");
	igw_pubsub_form_add_value(form, "pubsub#access_model", NULL, access_model);
}

xmpp_stanza_t *
igw_pubsub_new_publish(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node,
		       const gchar *item_id, xmpp_stanza_t *payload, const gchar *access_model,
		       gboolean persist_items)
{
	xmpp_stanza_t *iq = igw_pubsub_new_iq(ctx, "set", id, to);
	xmpp_stanza_t *pubsub = igw_iot_xml_add_child(iq, "pubsub", IGW_NS_PUBSUB);
	xmpp_stanza_t *publish = igw_iot_xml_add_child(pubsub, "publish", NULL);
	xmpp_stanza_t *item = igw_iot_xml_add_child(publish, "item", NULL);
	xmpp_stanza_set_attribute(publish, "node", node);
	if (item_id != NULL)
		xmpp_stanza_set_id(item, item_id);
	if (payload != NULL)
		xmpp_stanza_add_child_ex(item, payload, 0);
	if (access_model != NULL)
		igw_pubsub_add_publish_options(pubsub, access_model, persist_items);
	return iq;
}

xmpp_stanza_t *
igw_pubsub_new_retract(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node,
		       const gchar *item_id)
{
	xmpp_stanza_t *iq = igw_pubsub_new_iq(ctx, "set", id, to);
	xmpp_stanza_t *pubsub = igw_iot_xml_add_child(iq, "pubsub", IGW_NS_PUBSUB);
	xmpp_stanza_t *retract = igw_iot_xml_add_child(pubsub, "retract", NULL);
	xmpp_stanza_set_attribute(retract, "node", node);
	xmpp_stanza_set_id(igw_iot_xml_add_child(retract, "item", NULL), item_id);
	return iq;
}

xmpp_stanza_t *
igw_pubsub_new_roster_groups_allowed(xmpp_ctx_t *ctx, const gchar *id, const gchar *to,
				     const gchar *node)
{
	xmpp_stanza_t *iq = igw_pubsub_new_iq(ctx, "set", id, to);
	xmpp_stanza_t *pubsub = igw_iot_xml_add_child(iq, "pubsub", IGW_NS_PUBSUB_OWNER);
	xmpp_stanza_t *configure = igw_iot_xml_add_child(pubsub, "configure", NULL);
	xmpp_stanza_t *form = igw_iot_xml_add_child(configure, "x", IGW_NS_DATA_FORMS);
	xmpp_stanza_set_attribute(configure, "node", node);
	xmpp_stanza_set_type(form, "submit");
	igw_pubsub_form_add_value(form, "FORM_TYPE", "hidden",
				  "http://jabber.org/protocol/pubsub#node_config");
	igw_pubsub_form_add_value(form, "pubsub#roster_groups_allowed", NULL,
				  IGW_PUBSUB_ROSTER_GROUP);
	return iq;
}

xmpp_stanza_t *
igw_pubsub_new_disco_items(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node)
{
	xmpp_stanza_t *iq = igw_pubsub_new_iq(ctx, "get", id, to);
	xmpp_stanza_t *query = igw_iot_xml_add_child(iq, "query", IGW_NS_DISCO_ITEMS);
	if (node != NULL)
		xmpp_stanza_set_attribute(query, "node", node);
	return iq;
}

xmpp_stanza_t *
igw_pubsub_new_subscribe(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node,
			 const gchar *jid)
{
	xmpp_stanza_t *iq = igw_pubsub_new_iq(ctx, "set", id, to);
	xmpp_stanza_t *pubsub = igw_iot_xml_add_child(iq, "pubsub", IGW_NS_PUBSUB);
	xmpp_stanza_t *subscribe = igw_iot_xml_add_child(pubsub, "subscribe", NULL);
	xmpp_stanza_set_attribute(subscribe, "node", node);
	xmpp_stanza_set_attribute(subscribe, "jid", jid);
	return iq;
}

xmpp_stanza_t *
igw_pubsub_new_affiliations(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node,
			    const gchar *const *jids, const gchar *affiliation)
{
	xmpp_stanza_t *iq = igw_pubsub_new_iq(ctx, "set", id, to);
	xmpp_stanza_t *pubsub = igw_iot_xml_add_child(iq, "pubsub", IGW_NS_PUBSUB_OWNER);
	xmpp_stanza_t *affiliations = igw_iot_xml_add_child(pubsub, "affiliations", NULL);
	xmpp_stanza_set_attribute(affiliations, "node", node);
	for (guint i = 0; jids != NULL && jids[i] != NULL; i++) {
		xmpp_stanza_t *entry = igw_iot_xml_add_child(affiliations, "affiliation", NULL);
		xmpp_stanza_set_attribute(entry, "jid", jids[i]);
		xmpp_stanza_set_attribute(entry, "affiliation", affiliation);
	}
	return iq;
}

xmpp_stanza_t *
igw_pubsub_new_subscriptions(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node,
			     const gchar *const *jids, const gchar *subscription)
{
	xmpp_stanza_t *iq = igw_pubsub_new_iq(ctx, "set", id, to);
	xmpp_stanza_t *pubsub = igw_iot_xml_add_child(iq, "pubsub", IGW_NS_PUBSUB_OWNER);
	xmpp_stanza_t *subscriptions = igw_iot_xml_add_child(pubsub, "subscriptions", NULL);
	xmpp_stanza_set_attribute(subscriptions, "node", node);
	for (guint i = 0; jids != NULL && jids[i] != NULL; i++) {
		xmpp_stanza_t *entry = igw_iot_xml_add_child(subscriptions, "subscription", NULL);
		xmpp_stanza_set_attribute(entry, "jid", jids[i]);
		xmpp_stanza_set_attribute(entry, "subscription", subscription);
	}
	return iq;
}

/* XEP-0122 datatypes of writable text-single fields */
static const gchar *
igw_pubsub_form_datatype(IgwFieldType type)
{
	switch (type) {
	case IGW_FIELD_TYPE_NUMERIC:
		return "xs:double";
	case IGW_FIELD_TYPE_INTEGER:
		return "xs:integer";
	case IGW_FIELD_TYPE_DATE_TIME:
		return "xs:dateTime";
	case IGW_FIELD_TYPE_DURATION:
		/* microseconds, as the <val/> carries them */
		return "xs:long";
	case IGW_FIELD_TYPE_STRING:
		return "xs:string";
	case IGW_FIELD_TYPE_BOOLEAN:
	case IGW_FIELD_TYPE_ENUM:
	default:
		return NULL;
	}
}

static void
igw_pubsub_form_add_validate(xmpp_stanza_t *element, IgwField *field)
{
	igw_iot_xml_add_validate(element, field,
				 igw_pubsub_form_datatype(igw_field_get_value_type(field)));
}

static const gchar *
igw_pubsub_form_field_type(IgwField *field)
{
	IgwFieldType type = igw_field_get_value_type(field);
	if (!igw_field_get_writable(field))
		return "text-single";
	if (type == IGW_FIELD_TYPE_BOOLEAN)
		return "boolean";
	if (type == IGW_FIELD_TYPE_ENUM)
		return "list-single";
	return "text-single";
}

static void
igw_pubsub_form_add_options(xmpp_stanza_t *element, IgwField *field)
{
	const gchar *const *options = igw_field_get_enum_values(field);
	if (igw_field_get_value_type(field) != IGW_FIELD_TYPE_ENUM)
		return;
	for (guint i = 0; options != NULL && options[i] != NULL; i++) {
		xmpp_stanza_t *option = igw_iot_xml_add_child(element, "option", NULL);
		xmpp_stanza_set_attribute(option, "label", options[i]);
		igw_iot_xml_add_text(igw_iot_xml_add_child(option, "value", NULL), options[i]);
	}
}

static void
igw_pubsub_form_add_field(xmpp_stanza_t *form, IgwThing *thing, IgwField *field)
{
	const gchar *name = igw_field_get_name(field);
	const gchar *unit = igw_field_get_unit(field);
	IgwReading *latest = igw_thing_get_latest(thing, name);
	xmpp_stanza_t *element = igw_iot_xml_add_child(form, "field", NULL);
	g_autofree gchar *var = igw_pubsub_field_item_id(field);
	g_autofree gchar *label =
	    unit != NULL && *unit != '\0' ? g_strdup_printf("%s (%s)", name, unit) : g_strdup(name);
	g_autofree gchar *value =
	    latest != NULL ? igw_pubsub_format_val(field, igw_reading_get_value(latest)) : NULL;
	xmpp_stanza_set_attribute(element, "var", var);
	xmpp_stanza_set_type(element, igw_pubsub_form_field_type(field));
	xmpp_stanza_set_attribute(element, "label", label);
	if (!igw_field_get_writable(field))
		igw_iot_xml_add_child(element, "readOnly", IGW_NS_XDATA_DYNAMIC);
	if (value != NULL)
		igw_iot_xml_add_text(igw_iot_xml_add_child(element, "value", NULL), value);
	if (!igw_field_get_writable(field))
		return;
	igw_pubsub_form_add_options(element, field);
	igw_pubsub_form_add_validate(element, field);
}

xmpp_stanza_t *
igw_pubsub_new_ui_form(xmpp_ctx_t *ctx, IgwThing *thing)
{
	xmpp_stanza_t *form = xmpp_stanza_new(ctx);
	const gchar *title = igw_thing_get_name(thing);
	GPtrArray *fields = igw_thing_get_fields(thing);
	xmpp_stanza_set_name(form, "x");
	xmpp_stanza_set_ns(form, IGW_NS_DATA_FORMS);
	xmpp_stanza_set_type(form, "form");
	igw_iot_xml_add_text(igw_iot_xml_add_child(form, "title", NULL),
			     title != NULL ? title : igw_thing_get_id(thing));
	for (guint i = 0; fields != NULL && i < fields->len; i++)
		igw_pubsub_form_add_field(form, thing, g_ptr_array_index(fields, i));
	return form;
}

/* the first child element named @name in @ns (any name when NULL) */
static xmpp_stanza_t *
igw_pubsub_xml_child(xmpp_stanza_t *parent, const gchar *name, const gchar *ns)
{
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(parent); c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		if (!xmpp_stanza_is_tag(c))
			continue;
		if ((name == NULL || g_strcmp0(xmpp_stanza_get_name(c), name) == 0) &&
		    g_strcmp0(xmpp_stanza_get_ns(c), ns) == 0)
			return c;
	}
	return NULL;
}

GStrv
igw_pubsub_parse_disco_items(xmpp_stanza_t *iq)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	xmpp_stanza_t *query;
	if (iq == NULL || g_strcmp0(xmpp_stanza_get_type(iq), "result") != 0)
		return NULL;
	query = igw_pubsub_xml_child(iq, "query", IGW_NS_DISCO_ITEMS);
	if (query == NULL)
		return NULL;
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(query); c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		const gchar *node = xmpp_stanza_get_attribute(c, "node");
		if (!xmpp_stanza_is_tag(c) || g_strcmp0(xmpp_stanza_get_name(c), "item") != 0 ||
		    node == NULL || !g_utf8_validate(node, -1, NULL))
			continue;
		g_strv_builder_add(builder, node);
	}
	return g_strv_builder_end(builder);
}

void
igw_pubsub_event_item_free(IgwPubsubEventItem *item)
{
	if (item == NULL)
		return;
	g_free(item->node);
	g_free(item->item_id);
	g_free(item->publisher);
	if (item->payload != NULL)
		xmpp_stanza_release(item->payload);
	g_free(item);
}

static gboolean
igw_pubsub_attribute_ok(xmpp_stanza_t *element, const gchar *name)
{
	const gchar *value = xmpp_stanza_get_attribute(element, name);
	return value == NULL || (*value != '\0' && g_utf8_validate(value, -1, NULL));
}

/* one <item/> of <items/>: at most one payload element */
static IgwPubsubEventItem *
igw_pubsub_parse_event_item(xmpp_stanza_t *element, const gchar *node, GError **error)
{
	g_autoptr(IgwPubsubEventItem) item = g_new0(IgwPubsubEventItem, 1);
	xmpp_stanza_t *payload = NULL;
	if (!igw_pubsub_attribute_ok(element, "id") ||
	    !igw_pubsub_attribute_ok(element, "publisher")) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "an item of %s has a bad id or publisher", node);
		return NULL;
	}
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(element); c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		if (!xmpp_stanza_is_tag(c))
			continue;
		if (payload != NULL) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "an item of %s has more than one payload", node);
			return NULL;
		}
		payload = c;
	}
	item->node = g_strdup(node);
	item->item_id = g_strdup(xmpp_stanza_get_id(element));
	item->publisher = g_strdup(xmpp_stanza_get_attribute(element, "publisher"));
	item->payload = payload != NULL ? xmpp_stanza_clone(payload) : NULL;
	return g_steal_pointer(&item);
}

/* <items node/>: its <item/>s into @out; <retract/>s are skipped */
static gboolean
igw_pubsub_parse_event_items(xmpp_stanza_t *items, GPtrArray *out, GError **error)
{
	const gchar *node = xmpp_stanza_get_attribute(items, "node");
	if (node == NULL || *node == '\0' || !g_utf8_validate(node, -1, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "pubsub event items without a node");
		return FALSE;
	}
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(items); c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		IgwPubsubEventItem *item;
		if (!xmpp_stanza_is_tag(c) || g_strcmp0(xmpp_stanza_get_name(c), "item") != 0)
			continue;
		item = igw_pubsub_parse_event_item(c, node, error);
		if (item == NULL)
			return FALSE;
		g_ptr_array_add(out, item);
	}
	return TRUE;
}

static gchar *
igw_pubsub_bare_jid(const gchar *jid)
{
	const gchar *slash = strchr(jid, '/');
	return slash != NULL ? g_strndup(jid, slash - jid) : g_strdup(jid);
}

/* ejabberd says who published with an XEP-0033 replyto address, not the
 * item's publisher attribute; the bare JID either way */
static gchar *
igw_pubsub_replyto(xmpp_stanza_t *message)
{
	xmpp_stanza_t *addresses = igw_pubsub_xml_child(message, "addresses", IGW_NS_ADDRESS);
	for (xmpp_stanza_t *c = addresses != NULL ? xmpp_stanza_get_children(addresses) : NULL;
	     c != NULL; c = xmpp_stanza_get_next(c)) {
		const gchar *jid = xmpp_stanza_get_attribute(c, "jid");
		if (xmpp_stanza_is_tag(c) && g_strcmp0(xmpp_stanza_get_name(c), "address") == 0 &&
		    g_strcmp0(xmpp_stanza_get_attribute(c, "type"), "replyto") == 0 &&
		    jid != NULL && *jid != '\0' && g_utf8_validate(jid, -1, NULL))
			return igw_pubsub_bare_jid(jid);
	}
	return NULL;
}

GPtrArray *
igw_pubsub_parse_event(xmpp_stanza_t *message, GError **error)
{
	g_autoptr(GPtrArray) items =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_pubsub_event_item_free);
	xmpp_stanza_t *event =
	    message != NULL ? igw_pubsub_xml_child(message, "event", IGW_NS_PUBSUB_EVENT) : NULL;
	if (event == NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "no pubsub event");
		return NULL;
	}
	/* purge, delete, configuration, subscription: nothing published */
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(event); c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		if (!xmpp_stanza_is_tag(c) || g_strcmp0(xmpp_stanza_get_name(c), "items") != 0)
			continue;
		if (!igw_pubsub_parse_event_items(c, items, error))
			return NULL;
	}
	for (guint i = 0; i < items->len; i++) {
		IgwPubsubEventItem *item = g_ptr_array_index(items, i);
		gchar *bare = item->publisher != NULL ? igw_pubsub_bare_jid(item->publisher)
						      : igw_pubsub_replyto(message);
		g_free(item->publisher);
		item->publisher = bare;
	}
	return g_steal_pointer(&items);
}

/* the first condition element of <error/> in @ns; <text/> is never one */
static const gchar *
igw_pubsub_error_find(xmpp_stanza_t *element, const gchar *ns)
{
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(element); c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		const gchar *name = xmpp_stanza_get_name(c);
		if (xmpp_stanza_is_tag(c) && g_strcmp0(xmpp_stanza_get_ns(c), ns) == 0 &&
		    g_strcmp0(name, "text") != 0 && name != NULL && g_utf8_validate(name, -1, NULL))
			return name;
	}
	return NULL;
}

gchar *
igw_pubsub_error_condition(xmpp_stanza_t *iq)
{
	xmpp_stanza_t *element;
	const gchar *condition;
	if (iq == NULL || g_strcmp0(xmpp_stanza_get_type(iq), "error") != 0)
		return NULL;
	element = igw_pubsub_xml_child(iq, "error", NULL);
	if (element == NULL)
		element = igw_pubsub_xml_child(iq, "error", "jabber:client");
	if (element == NULL)
		return NULL;
	condition = igw_pubsub_error_find(element, IGW_NS_PUBSUB_ERRORS);
	if (condition == NULL)
		condition = igw_pubsub_error_find(element, IGW_NS_STANZAS);
	return g_strdup(condition);
}
