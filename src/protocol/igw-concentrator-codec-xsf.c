/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwConcentrator"

#include "config.h"

#include "igw-concentrator-codec.h"

/*
 * XEP-0326 v0.4 as the XSF wrote it: <getNode nodeId sourceId/>, answered by
 * <getNodeResponse result='OK' .../>; node lists as <node/> children.
 */
static const IgwConcentratorDialect igw_xsf_dialect = {
    .ns = IGW_NS_CONCENTRATOR,
    .node_element = "node",
    .node_id_attr = "nodeId",
    .source_id_attr = "sourceId",
};

static IgwConcentratorRequest *
igw_xsf_decode(xmpp_stanza_t *stanza, GError **error)
{
	return igw_concentrator_xml_decode(stanza, &igw_xsf_dialect, error);
}

static void
igw_xsf_set_node(xmpp_stanza_t *element, const IgwConcentratorNode *node, gboolean parameters)
{
	igw_concentrator_xml_set(element, "nodeId", node->node_id);
	igw_concentrator_xml_set(element, "sourceId", node->source_id);
	igw_concentrator_xml_set(element, "nodeType", node->node_type);
	igw_concentrator_xml_set(element, "cacheType", "Node");
	igw_concentrator_xml_set(element, "state", igw_concentrator_state_to_string(node->state));
	igw_concentrator_xml_set_bool(element, "hasChildren", FALSE);
	igw_concentrator_xml_set_bool(element, "isReadable", node->readable);
	igw_concentrator_xml_set_bool(element, "isControllable", node->controllable);
	igw_concentrator_xml_set_bool(element, "hasCommands", FALSE);
	if (node->last_changed > 0) {
		g_autofree gchar *when = igw_iot_xml_format_time(node->last_changed);
		igw_concentrator_xml_set(element, "lastChanged", when);
	}
	if (parameters)
		igw_concentrator_xml_add_params(element, node);
}

static xmpp_stanza_t *
igw_xsf_add_response(xmpp_stanza_t *reply, const IgwConcentratorResult *result)
{
	g_autofree gchar *name =
	    g_strdup_printf("%sResponse", igw_concentrator_op_to_string(result->op));
	xmpp_stanza_t *payload = igw_iot_xml_add_child(reply, name, IGW_NS_CONCENTRATOR);
	igw_concentrator_xml_set(payload, "result", "OK");
	return payload;
}

static void
igw_xsf_add_sources(xmpp_stanza_t *payload, const IgwConcentratorResult *result)
{
	for (guint i = 0; i < result->sources->len; i++) {
		const IgwConcentratorSource *source = g_ptr_array_index(result->sources, i);
		xmpp_stanza_t *element = igw_iot_xml_add_child(payload, "dataSource", NULL);
		igw_concentrator_xml_set(element, "sourceId", source->source_id);
		igw_concentrator_xml_set(element, "name", source->name);
		igw_concentrator_xml_set_bool(element, "hasChildren", FALSE);
		if (source->last_changed > 0) {
			g_autofree gchar *when = igw_iot_xml_format_time(source->last_changed);
			igw_concentrator_xml_set(element, "lastChanged", when);
		}
	}
}

static void
igw_xsf_add_bools(xmpp_stanza_t *payload, const IgwConcentratorResult *result)
{
	for (guint i = 0; i < result->bools->len; i++) {
		gboolean value = g_array_index(result->bools, gboolean, i);
		xmpp_stanza_t *parent = payload;
		if (result->op == IGW_CONCENTRATOR_OP_CONTAINS_NODES)
			parent = igw_iot_xml_add_child(payload, "value", NULL);
		igw_iot_xml_add_text(parent, value ? "true" : "false");
	}
}

static void
igw_xsf_add_nodes(xmpp_stanza_t *payload, const IgwConcentratorResult *result)
{
	for (guint i = 0; i < result->nodes->len; i++) {
		const IgwConcentratorNode *node = g_ptr_array_index(result->nodes, i);
		/* getNode answers with the node on the response element itself */
		if (result->op == IGW_CONCENTRATOR_OP_GET_NODE) {
			igw_xsf_set_node(payload, node, result->parameters);
			return;
		}
		igw_xsf_set_node(igw_iot_xml_add_child(payload, "node", NULL), node,
				 result->parameters);
	}
}

static xmpp_stanza_t *
igw_xsf_encode(xmpp_stanza_t *request, const IgwConcentratorResult *result)
{
	xmpp_stanza_t *reply;
	xmpp_stanza_t *payload;
	if (result->kind == IGW_CONCENTRATOR_RESULT_ERROR)
		return igw_concentrator_xml_error(request, result);
	reply = igw_iot_xml_iq_reply(request, "result");
	payload = igw_xsf_add_response(reply, result);
	switch (result->kind) {
	case IGW_CONCENTRATOR_RESULT_CAPABILITIES:
		for (guint i = 0; result->strings != NULL && result->strings[i] != NULL; i++)
			igw_iot_xml_add_text(igw_iot_xml_add_child(payload, "value", NULL),
					     result->strings[i]);
		break;
	case IGW_CONCENTRATOR_RESULT_SOURCES:
		igw_xsf_add_sources(payload, result);
		break;
	case IGW_CONCENTRATOR_RESULT_BOOLS:
		igw_xsf_add_bools(payload, result);
		break;
	case IGW_CONCENTRATOR_RESULT_NODES:
		igw_xsf_add_nodes(payload, result);
		break;
	case IGW_CONCENTRATOR_RESULT_FORM:
		if (result->nodes->len > 0)
			igw_concentrator_xml_add_form(payload, g_ptr_array_index(result->nodes, 0));
		break;
	case IGW_CONCENTRATOR_RESULT_OK:
	default:
		break;
	}
	return reply;
}

static xmpp_stanza_t *
igw_xsf_encode_event(xmpp_ctx_t *ctx, const gchar *to, const IgwConcentratorResult *event)
{
	const gchar *names[] = {"nodeAdded", "nodeUpdated", "nodeStatusChanged", "nodeRemoved"};
	xmpp_stanza_t *message;
	guint index = event->kind - IGW_CONCENTRATOR_RESULT_NODE_ADDED;
	if (event->kind < IGW_CONCENTRATOR_RESULT_NODE_ADDED || index >= G_N_ELEMENTS(names))
		return NULL;
	message = xmpp_message_new(ctx, NULL, to, NULL);
	for (guint i = 0; i < event->nodes->len; i++) {
		const IgwConcentratorNode *node = g_ptr_array_index(event->nodes, i);
		xmpp_stanza_t *element =
		    igw_iot_xml_add_child(message, names[index], IGW_NS_CONCENTRATOR);
		if (event->kind == IGW_CONCENTRATOR_RESULT_NODE_ADDED ||
		    event->kind == IGW_CONCENTRATOR_RESULT_NODE_UPDATED) {
			igw_xsf_set_node(element, node, event->parameters);
			continue;
		}
		igw_concentrator_xml_set(element, "sourceId", node->source_id);
		igw_concentrator_xml_set(element, "nodeId", node->node_id);
		if (event->kind == IGW_CONCENTRATOR_RESULT_NODE_STATUS) {
			igw_concentrator_xml_set(element, "cacheType", "Node");
			igw_concentrator_xml_set(element, "state",
						 igw_concentrator_state_to_string(node->state));
		}
	}
	return message;
}

static const IgwConcentratorCodec igw_xsf_codec = {
    .name = "xsf",
    .ns = IGW_NS_CONCENTRATOR,
    .decode = igw_xsf_decode,
    .encode = igw_xsf_encode,
    .encode_event = igw_xsf_encode_event,
    .iot = igw_iot_codec_xsf,
};

const IgwConcentratorCodec *
igw_concentrator_codec_xsf(void)
{
	return &igw_xsf_codec;
}
