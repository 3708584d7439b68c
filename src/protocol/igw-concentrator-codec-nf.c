/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwConcentrator"

#include "config.h"

#include "igw-concentrator-codec.h"

/*
 * The Neuro-Foundation dialect IoTGateway's ConcentratorServer speaks:
 * <getNode id src pt/>, answered by <nodeInfo/>, <nodeInfos/>, <strings/>,
 * <dataSources/>, <bool/>, <bools/>, a bare form, or an empty result.
 */
static const IgwConcentratorDialect igw_nf_dialect = {
    .ns = IGW_NS_NF_CONCENTRATOR,
    .node_element = "nd",
    .node_id_attr = "id",
    .source_id_attr = "src",
};

static IgwConcentratorRequest *
igw_nf_decode(xmpp_stanza_t *stanza, GError **error)
{
	return igw_concentrator_xml_decode(stanza, &igw_nf_dialect, error);
}

static void
igw_nf_set_node(xmpp_stanza_t *element, const IgwConcentratorNode *node, gboolean parameters)
{
	igw_concentrator_xml_set(element, "id", node->node_id);
	igw_concentrator_xml_set(element, "src", node->source_id);
	igw_concentrator_xml_set(element, "nodeType", node->node_type);
	igw_concentrator_xml_set(element, "displayName", node->name);
	igw_concentrator_xml_set(element, "state", igw_concentrator_state_to_string(node->state));
	igw_concentrator_xml_set_bool(element, "hasChildren", FALSE);
	/* IoTGateway writes these only when true */
	if (node->readable)
		igw_concentrator_xml_set_bool(element, "isReadable", TRUE);
	if (node->controllable)
		igw_concentrator_xml_set_bool(element, "isControllable", TRUE);
	if (node->last_changed > 0) {
		g_autofree gchar *when = igw_iot_xml_format_time(node->last_changed);
		igw_concentrator_xml_set(element, "lastChanged", when);
	}
	if (parameters)
		igw_concentrator_xml_add_params(element, node);
}

static void
igw_nf_add_sources(xmpp_stanza_t *reply, const IgwConcentratorResult *result)
{
	xmpp_stanza_t *payload =
	    igw_iot_xml_add_child(reply, "dataSources", IGW_NS_NF_CONCENTRATOR);
	for (guint i = 0; i < result->sources->len; i++) {
		const IgwConcentratorSource *source = g_ptr_array_index(result->sources, i);
		xmpp_stanza_t *element = igw_iot_xml_add_child(payload, "dataSource", NULL);
		igw_concentrator_xml_set(element, "src", source->source_id);
		igw_concentrator_xml_set(element, "name", source->name);
		igw_concentrator_xml_set_bool(element, "hasChildren", FALSE);
		if (source->last_changed > 0) {
			g_autofree gchar *when = igw_iot_xml_format_time(source->last_changed);
			igw_concentrator_xml_set(element, "lastChanged", when);
		}
	}
}

static void
igw_nf_add_bools(xmpp_stanza_t *reply, const IgwConcentratorResult *result)
{
	xmpp_stanza_t *parent = reply;
	if (result->op == IGW_CONCENTRATOR_OP_CONTAINS_NODES)
		parent = igw_iot_xml_add_child(reply, "bools", IGW_NS_NF_CONCENTRATOR);
	for (guint i = 0; i < result->bools->len; i++) {
		gboolean value = g_array_index(result->bools, gboolean, i);
		xmpp_stanza_t *element = igw_iot_xml_add_child(parent, "bool", NULL);
		if (parent == reply)
			xmpp_stanza_set_ns(element, IGW_NS_NF_CONCENTRATOR);
		igw_iot_xml_add_text(element, value ? "true" : "false");
	}
}

static void
igw_nf_add_nodes(xmpp_stanza_t *reply, const IgwConcentratorResult *result)
{
	xmpp_stanza_t *parent;
	if (result->op == IGW_CONCENTRATOR_OP_GET_NODE ||
	    result->op == IGW_CONCENTRATOR_OP_SET_NODE_PARAMETERS_AFTER_EDIT) {
		xmpp_stanza_t *info =
		    igw_iot_xml_add_child(reply, "nodeInfo", IGW_NS_NF_CONCENTRATOR);
		if (result->nodes->len > 0)
			igw_nf_set_node(info, g_ptr_array_index(result->nodes, 0),
					result->parameters);
		return;
	}
	parent = igw_iot_xml_add_child(reply, "nodeInfos", IGW_NS_NF_CONCENTRATOR);
	for (guint i = 0; i < result->nodes->len; i++) {
		xmpp_stanza_t *info = igw_iot_xml_add_child(parent, "nodeInfo", NULL);
		igw_nf_set_node(info, g_ptr_array_index(result->nodes, i), result->parameters);
	}
}

static xmpp_stanza_t *
igw_nf_encode(xmpp_stanza_t *request, const IgwConcentratorResult *result)
{
	xmpp_stanza_t *reply;
	xmpp_stanza_t *strings;
	if (result->kind == IGW_CONCENTRATOR_RESULT_ERROR)
		return igw_concentrator_xml_error(request, result);
	reply = igw_iot_xml_iq_reply(request, "result");
	switch (result->kind) {
	case IGW_CONCENTRATOR_RESULT_CAPABILITIES:
		strings = igw_iot_xml_add_child(reply, "strings", IGW_NS_NF_CONCENTRATOR);
		for (guint i = 0; result->strings != NULL && result->strings[i] != NULL; i++)
			igw_iot_xml_add_text(igw_iot_xml_add_child(strings, "value", NULL),
					     result->strings[i]);
		break;
	case IGW_CONCENTRATOR_RESULT_SOURCES:
		igw_nf_add_sources(reply, result);
		break;
	case IGW_CONCENTRATOR_RESULT_BOOLS:
		igw_nf_add_bools(reply, result);
		break;
	case IGW_CONCENTRATOR_RESULT_NODES:
		igw_nf_add_nodes(reply, result);
		break;
	case IGW_CONCENTRATOR_RESULT_FORM:
		if (result->nodes->len > 0)
			igw_concentrator_xml_add_form(reply, g_ptr_array_index(result->nodes, 0));
		break;
	case IGW_CONCENTRATOR_RESULT_OK:
	default:
		break;
	}
	return reply;
}

static xmpp_stanza_t *
igw_nf_encode_event(xmpp_ctx_t *ctx, const gchar *to, const IgwConcentratorResult *event)
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
		    igw_iot_xml_add_child(message, names[index], IGW_NS_NF_CONCENTRATOR);
		if (event->kind == IGW_CONCENTRATOR_RESULT_NODE_ADDED ||
		    event->kind == IGW_CONCENTRATOR_RESULT_NODE_UPDATED) {
			igw_nf_set_node(element, node, event->parameters);
			continue;
		}
		igw_concentrator_xml_set(element, "id", node->node_id);
		igw_concentrator_xml_set(element, "src", node->source_id);
		if (event->kind == IGW_CONCENTRATOR_RESULT_NODE_STATUS)
			igw_concentrator_xml_set(element, "state",
						 igw_concentrator_state_to_string(node->state));
	}
	return message;
}

static const IgwConcentratorCodec igw_nf_codec = {
    .name = "nf",
    .ns = IGW_NS_NF_CONCENTRATOR,
    .decode = igw_nf_decode,
    .encode = igw_nf_encode,
    .encode_event = igw_nf_encode_event,
    .iot = igw_iot_codec_nf,
};

const IgwConcentratorCodec *
igw_concentrator_codec_nf(void)
{
	return &igw_nf_codec;
}
