/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwConcentrator"

#include "config.h"

#include <string.h>

#include "igw-concentrator-codec.h"
#include "igw-error.h"

#define IGW_NS_XDATA_DYNAMIC "urn:xmpp:xdata:dynamic"
/* longer ids and names are refused, not truncated */
#define IGW_CONCENTRATOR_ID_MAX 256
#define IGW_CONCENTRATOR_NODES_MAX 256

/* what both dialects share: reading operations, parameters, forms, errors */

static gboolean
igw_concentrator_op_is_set(IgwConcentratorOp op)
{
	return op == IGW_CONCENTRATOR_OP_SET_NODE_PARAMETERS_AFTER_EDIT ||
	       op == IGW_CONCENTRATOR_OP_SUBSCRIBE || op == IGW_CONCENTRATOR_OP_UNSUBSCRIBE;
}

/* the operations that address exactly one node on the operation element */
static gboolean
igw_concentrator_op_wants_node(IgwConcentratorOp op)
{
	return op == IGW_CONCENTRATOR_OP_CONTAINS_NODE || op == IGW_CONCENTRATOR_OP_GET_NODE ||
	       op == IGW_CONCENTRATOR_OP_GET_CHILD_NODES ||
	       op == IGW_CONCENTRATOR_OP_GET_NODE_PARAMETERS_FOR_EDIT ||
	       op == IGW_CONCENTRATOR_OP_SET_NODE_PARAMETERS_AFTER_EDIT;
}

static gboolean
igw_concentrator_xml_check_id(const gchar *text, GError **error)
{
	if (text == NULL)
		return TRUE;
	if (*text == '\0' || strlen(text) > IGW_CONCENTRATOR_ID_MAX ||
	    !g_utf8_validate(text, -1, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "invalid node or source id");
		return FALSE;
	}
	return TRUE;
}

static gboolean
igw_concentrator_xml_collect_nodes(xmpp_stanza_t *payload, const IgwConcentratorDialect *dialect,
				   IgwConcentratorRequest *request, GError **error)
{
	xmpp_stanza_t *c;
	for (c = xmpp_stanza_get_children(payload); c != NULL; c = xmpp_stanza_get_next(c)) {
		const gchar *id;
		const gchar *src;
		if (!xmpp_stanza_is_tag(c) ||
		    g_strcmp0(xmpp_stanza_get_name(c), dialect->node_element) != 0)
			continue;
		id = xmpp_stanza_get_attribute(c, dialect->node_id_attr);
		src = xmpp_stanza_get_attribute(c, dialect->source_id_attr);
		if (id == NULL || request->nodes->len >= IGW_CONCENTRATOR_NODES_MAX) {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
					    "a node without an id, or too many nodes");
			return FALSE;
		}
		if (!igw_concentrator_xml_check_id(id, error) ||
		    !igw_concentrator_xml_check_id(src, error))
			return FALSE;
		igw_concentrator_request_add_node(request, id, src);
	}
	return TRUE;
}

/* the submitted value of one field of an XEP-0004 form, or NULL */
static const gchar *
igw_concentrator_xml_form_value(xmpp_stanza_t *form, const gchar *var, gboolean *present)
{
	xmpp_stanza_t *c;
	*present = FALSE;
	for (c = xmpp_stanza_get_children(form); c != NULL; c = xmpp_stanza_get_next(c)) {
		xmpp_stanza_t *value;
		if (!xmpp_stanza_is_tag(c) || g_strcmp0(xmpp_stanza_get_name(c), "field") != 0 ||
		    g_strcmp0(xmpp_stanza_get_attribute(c, "var"), var) != 0)
			continue;
		*present = TRUE;
		value = xmpp_stanza_get_child_by_name(c, "value");
		value = value != NULL ? xmpp_stanza_get_children(value) : NULL;
		return value != NULL && xmpp_stanza_is_text(value) ? xmpp_stanza_get_text_ptr(value)
								   : "";
	}
	return NULL;
}

static gboolean
igw_concentrator_xml_decode_form(xmpp_stanza_t *payload, IgwConcentratorRequest *request,
				 GError **error)
{
	xmpp_stanza_t *form = xmpp_stanza_get_child_by_ns(payload, IGW_NS_XDATA);
	const gchar *name;
	gboolean present = FALSE;
	if (form == NULL || g_strcmp0(xmpp_stanza_get_name(form), "x") != 0 ||
	    g_strcmp0(xmpp_stanza_get_type(form), "submit") != 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "no submitted form");
		return FALSE;
	}
	name = igw_concentrator_xml_form_value(form, "name", &present);
	if (present && (name == NULL || !g_utf8_validate(name, -1, NULL))) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "invalid name");
		return FALSE;
	}
	request->name = g_strdup(name);
	return TRUE;
}

static void
igw_concentrator_xml_decode_events(xmpp_stanza_t *payload, IgwConcentratorRequest *request)
{
	const gchar *attrs[] = {"nodeAdded", "nodeUpdated", "nodeStatusChanged", "nodeRemoved",
				"values"};
	guint flags[] = {IGW_CONCENTRATOR_EVENT_ADDED, IGW_CONCENTRATOR_EVENT_UPDATED,
			 IGW_CONCENTRATOR_EVENT_STATUS, IGW_CONCENTRATOR_EVENT_REMOVED,
			 IGW_CONCENTRATOR_EVENT_VALUES};
	for (guint i = 0; i < G_N_ELEMENTS(attrs); i++) {
		const gchar *value = xmpp_stanza_get_attribute(payload, attrs[i]);
		if (value != NULL && !igw_iot_xml_is_true(value))
			request->events &= ~flags[i];
	}
}

/* the operation element; fields every operation may carry */
static IgwConcentratorRequest *
igw_concentrator_xml_decode_op(xmpp_stanza_t *stanza, xmpp_stanza_t *payload,
			       const IgwConcentratorDialect *dialect, GError **error)
{
	IgwConcentratorOp op = igw_concentrator_op_from_string(xmpp_stanza_get_name(payload));
	g_autoptr(IgwConcentratorRequest) request = NULL;
	const gchar *type = xmpp_stanza_get_type(stanza);
	if (op == IGW_CONCENTRATOR_OP_LAST) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
			    "operation %s is not implemented", xmpp_stanza_get_name(payload));
		return NULL;
	}
	if (g_strcmp0(type, igw_concentrator_op_is_set(op) ? "set" : "get") != 0) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "%s needs an iq of another type", igw_concentrator_op_to_string(op));
		return NULL;
	}
	request = igw_concentrator_request_new(op);
	request->requester = g_strdup(xmpp_stanza_get_from(stanza));
	request->source_id = g_strdup(xmpp_stanza_get_attribute(payload, dialect->source_id_attr));
	request->parameters = igw_iot_xml_is_true(xmpp_stanza_get_attribute(payload, "parameters"));
	if (!igw_concentrator_xml_check_id(request->source_id, error))
		return NULL;
	return g_steal_pointer(&request);
}

IgwConcentratorRequest *
igw_concentrator_xml_decode(xmpp_stanza_t *stanza, const IgwConcentratorDialect *dialect,
			    GError **error)
{
	xmpp_stanza_t *payload = xmpp_stanza_get_child_by_ns(stanza, dialect->ns);
	g_autoptr(IgwConcentratorRequest) request = NULL;
	const gchar *node_id;
	if (payload == NULL || !xmpp_stanza_is_tag(payload)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "no concentrator element");
		return NULL;
	}
	request = igw_concentrator_xml_decode_op(stanza, payload, dialect, error);
	if (request == NULL)
		return NULL;
	node_id = xmpp_stanza_get_attribute(payload, dialect->node_id_attr);
	if (igw_concentrator_op_wants_node(request->op)) {
		if (node_id == NULL) {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "no node id");
			return NULL;
		}
		if (!igw_concentrator_xml_check_id(node_id, error))
			return NULL;
		igw_concentrator_request_add_node(request, node_id, request->source_id);
	} else if (!igw_concentrator_xml_collect_nodes(payload, dialect, request, error)) {
		return NULL;
	}
	if ((request->op == IGW_CONCENTRATOR_OP_CONTAINS_NODES ||
	     request->op == IGW_CONCENTRATOR_OP_GET_NODES) &&
	    request->nodes->len == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "no nodes");
		return NULL;
	}
	if (request->op == IGW_CONCENTRATOR_OP_GET_CHILD_DATA_SOURCES &&
	    request->source_id == NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "no source id");
		return NULL;
	}
	if (request->op == IGW_CONCENTRATOR_OP_SET_NODE_PARAMETERS_AFTER_EDIT &&
	    !igw_concentrator_xml_decode_form(payload, request, error))
		return NULL;
	igw_concentrator_xml_decode_events(payload, request);
	return g_steal_pointer(&request);
}

/* an absent value leaves the attribute out: libstrophe would crash on NULL */
void
igw_concentrator_xml_set(xmpp_stanza_t *element, const gchar *name, const gchar *value)
{
	if (value != NULL)
		xmpp_stanza_set_attribute(element, name, value);
}

void
igw_concentrator_xml_set_bool(xmpp_stanza_t *element, const gchar *name, gboolean value)
{
	xmpp_stanza_set_attribute(element, name, value ? "true" : "false");
}

static const gchar *
igw_concentrator_param_label(const gchar *id)
{
	const gchar *ids[] = {"id",    "name",	 "type",     "plugin", "manufacturer",
			      "model", "serial", "firmware", "jid"};
	const gchar *labels[] = {"Node ID", "Name",	     "Node Type", "Plugin", "Manufacturer",
				 "Model",   "Serial Number", "Firmware",  "JID"};
	for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
		if (g_strcmp0(ids[i], id) == 0)
			return labels[i];
	}
	return id;
}

/* <string id='name' name='Name' value='Kitchen'/>: displayable parameters */
void
igw_concentrator_xml_add_params(xmpp_stanza_t *parent, const IgwConcentratorNode *node)
{
	for (guint i = 0; i < node->params->len; i++) {
		const IgwControlParam *param = g_ptr_array_index(node->params, i);
		xmpp_stanza_t *element = igw_iot_xml_add_child(parent, param->type, NULL);
		igw_concentrator_xml_set(element, "id", param->name);
		igw_concentrator_xml_set(element, "name",
					 igw_concentrator_param_label(param->name));
		igw_concentrator_xml_set(element, "value", param->text);
	}
}

static void
igw_concentrator_xml_add_field(xmpp_stanza_t *form, const gchar *var, const gchar *label,
			       const gchar *value, gboolean read_only)
{
	xmpp_stanza_t *field = igw_iot_xml_add_child(form, "field", NULL);
	xmpp_stanza_set_attribute(field, "var", var);
	xmpp_stanza_set_attribute(field, "type", "text-single");
	xmpp_stanza_set_attribute(field, "label", label);
	if (!read_only)
		igw_iot_xml_add_child(field, "required", NULL);
	igw_iot_xml_add_text(igw_iot_xml_add_child(field, "value", NULL), value);
	if (read_only)
		igw_iot_xml_add_child(field, "readOnly", IGW_NS_XDATA_DYNAMIC);
}

/* XEP-0004 form: the display name is the only thing a node lets you edit */
xmpp_stanza_t *
igw_concentrator_xml_add_form(xmpp_stanza_t *parent, const IgwConcentratorNode *node)
{
	xmpp_stanza_t *form = igw_iot_xml_add_child(parent, "x", IGW_NS_XDATA);
	xmpp_stanza_set_type(form, "form");
	igw_iot_xml_add_text(igw_iot_xml_add_child(form, "title", NULL), node->name);
	igw_concentrator_xml_add_field(form, "id", "Node ID:", node->node_id, TRUE);
	igw_concentrator_xml_add_field(form, "name", "Name:", node->name, FALSE);
	return form;
}

xmpp_stanza_t *
igw_concentrator_xml_error(xmpp_stanza_t *request, const IgwConcentratorResult *result)
{
	xmpp_stanza_t *reply = igw_iot_xml_iq_reply(request, "error");
	g_autoptr(IgwIotEvent) event = igw_iot_event_new(IGW_IOT_EVENT_REJECTED, NULL);
	event->condition = result->condition;
	event->text = g_strdup(result->text);
	igw_iot_xml_add_stanza_error(reply, event);
	return reply;
}

const IgwConcentratorCodec *
igw_concentrator_codec_find(xmpp_stanza_t *stanza)
{
	const IgwConcentratorCodec *codecs[] = {igw_concentrator_codec_xsf(),
						igw_concentrator_codec_nf()};
	xmpp_stanza_t *c;
	for (c = xmpp_stanza_get_children(stanza); c != NULL; c = xmpp_stanza_get_next(c)) {
		if (!xmpp_stanza_is_tag(c))
			continue;
		for (guint i = 0; i < G_N_ELEMENTS(codecs); i++) {
			if (g_strcmp0(xmpp_stanza_get_ns(c), codecs[i]->ns) == 0)
				return codecs[i];
		}
		return NULL;
	}
	return NULL;
}

const IgwConcentratorCodec *
igw_concentrator_codec_for_iot(const IgwIotCodec *iot)
{
	if (iot == igw_concentrator_codec_nf()->iot())
		return igw_concentrator_codec_nf();
	return igw_concentrator_codec_xsf();
}
