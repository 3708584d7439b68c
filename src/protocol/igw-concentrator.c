/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwConcentrator"

#include "config.h"

#include "igw-concentrator-codec.h"
#include "igw-concentrator.h"
#include "igw-error.h"
#include "igw-iot-server.h"
#include "igw-request-limit.h"

/* new-value events: at most one per node per subscriber per this */
#define IGW_CONCENTRATOR_VALUES_INTERVAL_MS 1000
/* subscribers kept in memory, each full JID counted once */
#define IGW_CONCENTRATOR_SUBSCRIBERS_MAX 64

struct _IgwConcentrator {
	IgwEngine *engine; /* unowned: the engine owns the concentrator */
	IgwTransport *transport;
	GHashTable *subscribers; /* full JID -> IgwConcentratorSubscriber */
	GHashTable *states;	 /* node id -> IgwConcentratorState + 1, adopted things only */
	GHashTable *servers;	 /* node id -> IgwIotServer, with its readouts in progress */
	GHashTable *watched;	 /* node id -> IgwConcentratorWatch: its readings reach us */
	gulong changed_id;
	IgwIotProfileFunc profile_func; /* the requester's dialect profile */
	gpointer profile_data;
	guint max_elements; /* nodes, fields or parameters of one request */
};

typedef struct {
	IgwConcentrator *concentrator;
	gchar *jid;
	const IgwConcentratorCodec *codec;
	gchar *source_id; /* NULL: every source */
	guint events;
	gboolean parameters;
	GHashTable *pending; /* node id -> IgwConcentratorPending */
} IgwConcentratorSubscriber;

typedef struct {
	IgwConcentratorSubscriber *subscriber;
	gchar *node_id;
	gint64 last_sent; /* monotonic µs */
	GPtrArray *readings;
	guint timeout_id;
} IgwConcentratorPending;

static const gchar *const igw_concentrator_features[] = {IGW_NS_CONCENTRATOR,
							 IGW_NS_NF_CONCENTRATOR, NULL};

const gchar *const *
igw_concentrator_get_features(void)
{
	return igw_concentrator_features;
}

static void
igw_concentrator_pending_free(IgwConcentratorPending *pending)
{
	g_clear_handle_id(&pending->timeout_id, g_source_remove);
	g_ptr_array_unref(pending->readings);
	g_free(pending->node_id);
	g_free(pending);
}

static void
igw_concentrator_subscriber_free(IgwConcentratorSubscriber *subscriber)
{
	g_hash_table_unref(subscriber->pending);
	g_free(subscriber->jid);
	g_free(subscriber->source_id);
	g_free(subscriber);
}

/* nodes: adopted things */

static IgwPlugin *
igw_concentrator_find_plugin(IgwConcentrator *self, const gchar *name)
{
	g_autoptr(GPtrArray) plugins = igw_engine_get_plugins(self->engine);
	for (guint i = 0; name != NULL && i < plugins->len; i++) {
		IgwPlugin *plugin = g_ptr_array_index(plugins, i);
		if (g_strcmp0(igw_plugin_get_name(plugin), name) == 0)
			return plugin;
	}
	return NULL;
}

static gboolean
igw_concentrator_is_node(IgwConcentrator *self, IgwThing *thing)
{
	return igw_engine_lookup_thing(self->engine, igw_thing_get_id(thing)) == thing &&
	       igw_engine_get_thing_state(self->engine, igw_thing_get_id(thing)) ==
		   IGW_THING_STATE_ADOPTED;
}

/* NULL when the node does not exist, or not in that source */
static IgwThing *
igw_concentrator_find_node(IgwConcentrator *self, const gchar *node_id, const gchar *source_id)
{
	IgwThing *thing = node_id != NULL ? igw_engine_lookup_thing(self->engine, node_id) : NULL;
	if (thing == NULL || !igw_concentrator_is_node(self, thing))
		return NULL;
	if (source_id != NULL && g_strcmp0(igw_thing_get_plugin_name(thing), source_id) != 0)
		return NULL;
	return thing;
}

static IgwConcentratorState
igw_concentrator_node_state(IgwConcentrator *self, IgwThing *thing)
{
	const gchar *session =
	    igw_engine_get_thing_session(self->engine, igw_thing_get_id(thing), NULL);
	if (g_strcmp0(session, "auth-failed") == 0)
		return IGW_CONCENTRATOR_STATE_ERROR_UNSIGNED;
	if (g_strcmp0(session, "online") != 0 || !igw_thing_get_reachable(thing))
		return IGW_CONCENTRATOR_STATE_WARNING_UNSIGNED;
	return IGW_CONCENTRATOR_STATE_NONE;
}

static void
igw_concentrator_node_fill_fields(IgwConcentratorNode *node, IgwThing *thing)
{
	GPtrArray *fields = igw_thing_get_fields(thing);
	for (guint i = 0; i < fields->len; i++) {
		IgwField *field = g_ptr_array_index(fields, i);
		IgwReading *latest = igw_thing_get_latest(thing, igw_field_get_name(field));
		node->readable = TRUE;
		if (igw_field_get_writable(field))
			node->controllable = TRUE;
		if (latest != NULL)
			node->last_changed =
			    MAX(node->last_changed, igw_reading_get_timestamp(latest));
	}
}

static IgwConcentratorNode *
igw_concentrator_build_node(IgwConcentrator *self, IgwThing *thing)
{
	const gchar *id = igw_thing_get_id(thing);
	IgwConcentratorNode *node = igw_concentrator_node_new(id, igw_thing_get_plugin_name(thing));
	node->node_type = g_strdup_printf("iotgw.%s", igw_thing_get_plugin_name(thing));
	node->name = g_strdup(igw_thing_get_name(thing));
	node->state = igw_concentrator_node_state(self, thing);
	igw_concentrator_node_fill_fields(node, thing);
	igw_concentrator_node_add_param(node, "string", "id", id);
	igw_concentrator_node_add_param(node, "string", "name", igw_thing_get_name(thing));
	igw_concentrator_node_add_param(node, "string", "type", node->node_type);
	igw_concentrator_node_add_param(node, "string", "manufacturer",
					igw_thing_get_manufacturer(thing));
	igw_concentrator_node_add_param(node, "string", "model", igw_thing_get_model(thing));
	igw_concentrator_node_add_param(node, "string", "serial", igw_thing_get_serial(thing));
	igw_concentrator_node_add_param(node, "string", "firmware", igw_thing_get_firmware(thing));
	igw_concentrator_node_add_param(node, "string", "jid",
					igw_engine_get_thing_jid(self->engine, id));
	return node;
}

static gint
igw_concentrator_thing_compare(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(igw_thing_get_id(*(IgwThing *const *)a),
			 igw_thing_get_id(*(IgwThing *const *)b));
}

/* every node of a source (NULL: of all), sorted by id */
static void
igw_concentrator_add_all_nodes(IgwConcentrator *self, IgwConcentratorResult *result,
			       const gchar *source_id)
{
	g_autoptr(GPtrArray) things = igw_engine_get_things(self->engine);
	g_ptr_array_sort(things, igw_concentrator_thing_compare);
	for (guint i = 0; i < things->len; i++) {
		IgwThing *thing = g_ptr_array_index(things, i);
		if (!igw_concentrator_is_node(self, thing) ||
		    (source_id != NULL &&
		     g_strcmp0(igw_thing_get_plugin_name(thing), source_id) != 0))
			continue;
		g_ptr_array_add(result->nodes, igw_concentrator_build_node(self, thing));
	}
}

/* results */

static IgwConcentratorResult *
igw_concentrator_error(IgwConcentratorOp op, IgwIotCondition condition, const gchar *text)
{
	IgwConcentratorResult *result =
	    igw_concentrator_result_new(IGW_CONCENTRATOR_RESULT_ERROR, op);
	result->condition = condition;
	result->text = g_strdup(text);
	return result;
}

static IgwConcentratorResult *
igw_concentrator_capabilities(void)
{
	IgwConcentratorResult *result = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_CAPABILITIES, IGW_CONCENTRATOR_OP_GET_CAPABILITIES);
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	for (guint op = 0; op < IGW_CONCENTRATOR_OP_LAST; op++)
		g_strv_builder_add(builder, igw_concentrator_op_to_string(op));
	result->strings = g_strv_builder_end(builder);
	return result;
}

static IgwConcentratorResult *
igw_concentrator_sources(IgwConcentrator *self, const IgwConcentratorRequest *request)
{
	g_autoptr(GPtrArray) plugins = igw_engine_get_plugins(self->engine);
	IgwConcentratorResult *result =
	    igw_concentrator_result_new(IGW_CONCENTRATOR_RESULT_SOURCES, request->op);
	/* every source is a root, and none has children */
	if (request->op == IGW_CONCENTRATOR_OP_GET_CHILD_DATA_SOURCES) {
		if (igw_concentrator_find_plugin(self, request->source_id) != NULL)
			return result;
		igw_concentrator_result_free(result);
		return igw_concentrator_error(request->op, IGW_IOT_CONDITION_ITEM_NOT_FOUND,
					      "Source not found.");
	}
	for (guint i = 0; i < plugins->len; i++) {
		const gchar *name = igw_plugin_get_name(g_ptr_array_index(plugins, i));
		g_ptr_array_add(result->sources, igw_concentrator_source_new(name, name));
	}
	return result;
}

static IgwConcentratorResult *
igw_concentrator_contains(IgwConcentrator *self, const IgwConcentratorRequest *request)
{
	IgwConcentratorResult *result =
	    igw_concentrator_result_new(IGW_CONCENTRATOR_RESULT_BOOLS, request->op);
	for (guint i = 0; i < request->nodes->len; i++) {
		const IgwConcentratorNodeRef *ref = g_ptr_array_index(request->nodes, i);
		gboolean found =
		    igw_concentrator_find_node(self, ref->node_id, ref->source_id) != NULL;
		g_array_append_val(result->bools, found);
	}
	return result;
}

/* getNode(s), getChildNodes, getNodeParametersForEdit: every node must exist */
static IgwConcentratorResult *
igw_concentrator_nodes(IgwConcentrator *self, const IgwConcentratorRequest *request,
		       IgwConcentratorResultKind kind)
{
	g_autoptr(IgwConcentratorResult) result = igw_concentrator_result_new(kind, request->op);
	result->parameters = request->parameters;
	for (guint i = 0; i < request->nodes->len; i++) {
		const IgwConcentratorNodeRef *ref = g_ptr_array_index(request->nodes, i);
		IgwThing *thing = igw_concentrator_find_node(self, ref->node_id, ref->source_id);
		if (thing == NULL)
			return igw_concentrator_error(request->op, IGW_IOT_CONDITION_ITEM_NOT_FOUND,
						      "Node not found.");
		/* things have no children */
		if (request->op != IGW_CONCENTRATOR_OP_GET_CHILD_NODES)
			g_ptr_array_add(result->nodes, igw_concentrator_build_node(self, thing));
	}
	return g_steal_pointer(&result);
}

static IgwConcentratorResult *
igw_concentrator_all_nodes(IgwConcentrator *self, const IgwConcentratorRequest *request)
{
	IgwConcentratorResult *result = NULL;
	if (request->source_id != NULL &&
	    igw_concentrator_find_plugin(self, request->source_id) == NULL)
		return igw_concentrator_error(request->op, IGW_IOT_CONDITION_ITEM_NOT_FOUND,
					      "Source not found.");
	result = igw_concentrator_result_new(IGW_CONCENTRATOR_RESULT_NODES, request->op);
	result->parameters = request->parameters;
	igw_concentrator_add_all_nodes(self, result, request->source_id);
	return result;
}

/* the display name only: renaming never changes the JID */
static IgwConcentratorResult *
igw_concentrator_edit(IgwConcentrator *self, const IgwConcentratorRequest *request)
{
	const IgwConcentratorNodeRef *ref = g_ptr_array_index(request->nodes, 0);
	IgwThing *thing = igw_concentrator_find_node(self, ref->node_id, ref->source_id);
	IgwConcentratorResult *result;
	g_autoptr(GError) error = NULL;
	if (thing == NULL)
		return igw_concentrator_error(request->op, IGW_IOT_CONDITION_ITEM_NOT_FOUND,
					      "Node not found.");
	if (request->name != NULL && g_strcmp0(request->name, igw_thing_get_name(thing)) != 0 &&
	    !igw_engine_rename_thing(self->engine, ref->node_id, request->name, &error))
		return igw_concentrator_error(request->op, igw_iot_condition_from_error(error),
					      error->message);
	g_info("thing %s: edited through the concentrator by %s", ref->node_id, request->requester);
	result = igw_concentrator_result_new(IGW_CONCENTRATOR_RESULT_NODES, request->op);
	result->parameters = TRUE;
	g_ptr_array_add(result->nodes, igw_concentrator_build_node(self, thing));
	return result;
}

static IgwConcentratorResult *
igw_concentrator_subscribe(IgwConcentrator *self, const IgwConcentratorCodec *codec,
			   const IgwConcentratorRequest *request)
{
	IgwConcentratorSubscriber *subscriber;
	if (request->source_id != NULL &&
	    igw_concentrator_find_plugin(self, request->source_id) == NULL)
		return igw_concentrator_error(request->op, IGW_IOT_CONDITION_ITEM_NOT_FOUND,
					      "Source not found.");
	subscriber = g_hash_table_lookup(self->subscribers, request->requester);
	if (request->op == IGW_CONCENTRATOR_OP_UNSUBSCRIBE) {
		if (subscriber != NULL)
			subscriber->events &= ~request->events;
		if (subscriber != NULL && subscriber->events == 0)
			g_hash_table_remove(self->subscribers, request->requester);
		return igw_concentrator_result_new(IGW_CONCENTRATOR_RESULT_OK, request->op);
	}
	if (subscriber == NULL &&
	    g_hash_table_size(self->subscribers) >= IGW_CONCENTRATOR_SUBSCRIBERS_MAX)
		return igw_concentrator_error(request->op, IGW_IOT_CONDITION_NOT_ALLOWED,
					      "Too many subscribers.");
	if (subscriber == NULL) {
		subscriber = g_new0(IgwConcentratorSubscriber, 1);
		subscriber->concentrator = self;
		subscriber->jid = g_strdup(request->requester);
		subscriber->pending = g_hash_table_new_full(
		    g_str_hash, g_str_equal, NULL, (GDestroyNotify)igw_concentrator_pending_free);
		g_hash_table_insert(self->subscribers, subscriber->jid, subscriber);
	}
	subscriber->codec = codec;
	subscriber->events = request->events;
	subscriber->parameters = request->parameters;
	g_free(subscriber->source_id);
	subscriber->source_id = g_strdup(request->source_id);
	g_info("concentrator: %s subscribed to %s", request->requester,
	       request->source_id != NULL ? request->source_id : "every source");
	return igw_concentrator_result_new(IGW_CONCENTRATOR_RESULT_OK, request->op);
}

static IgwConcentratorResult *
igw_concentrator_run(IgwConcentrator *self, const IgwConcentratorCodec *codec,
		     const IgwConcentratorRequest *request)
{
	switch (request->op) {
	case IGW_CONCENTRATOR_OP_GET_CAPABILITIES:
		return igw_concentrator_capabilities();
	case IGW_CONCENTRATOR_OP_GET_ALL_DATA_SOURCES:
	case IGW_CONCENTRATOR_OP_GET_ROOT_DATA_SOURCES:
	case IGW_CONCENTRATOR_OP_GET_CHILD_DATA_SOURCES:
		return igw_concentrator_sources(self, request);
	case IGW_CONCENTRATOR_OP_CONTAINS_NODE:
	case IGW_CONCENTRATOR_OP_CONTAINS_NODES:
		return igw_concentrator_contains(self, request);
	case IGW_CONCENTRATOR_OP_GET_NODE:
	case IGW_CONCENTRATOR_OP_GET_NODES:
	case IGW_CONCENTRATOR_OP_GET_CHILD_NODES:
		return igw_concentrator_nodes(self, request, IGW_CONCENTRATOR_RESULT_NODES);
	case IGW_CONCENTRATOR_OP_GET_NODE_PARAMETERS_FOR_EDIT:
		return igw_concentrator_nodes(self, request, IGW_CONCENTRATOR_RESULT_FORM);
	case IGW_CONCENTRATOR_OP_GET_ALL_NODES:
	case IGW_CONCENTRATOR_OP_GET_ROOT_NODES:
		return igw_concentrator_all_nodes(self, request);
	case IGW_CONCENTRATOR_OP_SET_NODE_PARAMETERS_AFTER_EDIT:
		return igw_concentrator_edit(self, request);
	case IGW_CONCENTRATOR_OP_SUBSCRIBE:
	case IGW_CONCENTRATOR_OP_UNSUBSCRIBE:
	case IGW_CONCENTRATOR_OP_LAST:
	default:
		return igw_concentrator_subscribe(self, codec, request);
	}
}

static void
igw_concentrator_send(IgwConcentrator *self, xmpp_stanza_t *stanza)
{
	if (g_strcmp0(xmpp_stanza_get_name(stanza), "message") == 0) {
		g_autofree gchar *id = g_strdup_printf("igw-conc-%08x", g_random_int());
		xmpp_stanza_set_id(stanza, id);
	}
	igw_transport_send(self->transport, stanza);
}

/* before decoding: a request naming 100,000 nodes is refused at the cost of counting */
static gboolean
igw_concentrator_check_size(IgwConcentrator *self, xmpp_stanza_t *stanza, GError **error)
{
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(stanza); c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		if (xmpp_stanza_is_tag(c) && !igw_iot_xml_check_size(c, self->max_elements, error))
			return FALSE;
	}
	return TRUE;
}

static void
igw_concentrator_handle_op(IgwConcentrator *self, const IgwConcentratorCodec *codec,
			   xmpp_stanza_t *stanza, gboolean owner)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwConcentratorRequest) request = NULL;
	g_autoptr(IgwConcentratorResult) result = NULL;
	g_autoptr(xmpp_stanza_t) reply = NULL;
	const gchar *type = xmpp_stanza_get_type(stanza);
	/* results and errors are never answered: no loops */
	if (g_strcmp0(type, "get") != 0 && g_strcmp0(type, "set") != 0)
		return;
	if (!igw_concentrator_check_size(self, stanza, &error)) {
		result = igw_concentrator_error(IGW_CONCENTRATOR_OP_LAST,
						IGW_IOT_CONDITION_POLICY_VIOLATION, error->message);
	} else if (!owner) {
		g_message("gateway: refused concentrator request from %s: not an owner",
			  xmpp_stanza_get_from(stanza));
		result = igw_concentrator_error(IGW_CONCENTRATOR_OP_LAST,
						IGW_IOT_CONDITION_FORBIDDEN, "Access denied.");
	} else {
		request = codec->decode(stanza, &error);
		if (request == NULL)
			result = igw_concentrator_error(IGW_CONCENTRATOR_OP_LAST,
							igw_iot_condition_from_error(error),
							error->message);
		else
			result = igw_concentrator_run(self, codec, request);
	}
	reply = codec->encode(stanza, result);
	if (reply != NULL)
		igw_concentrator_send(self, reply);
}

/* sensor data and control through the gateway: the node names the thing */

/* historical readouts through the gateway, as on the thing's own JID */
static GPtrArray *
igw_concentrator_history_cb(const gchar *thing_id, const gchar *field, gint64 from, gint64 to,
			    gpointer user_data, GError **error)
{
	IgwConcentrator *self = user_data;
	return igw_engine_get_readings(self->engine, thing_id, field, from, to, 0, error);
}

static void
igw_concentrator_reject_iot(IgwConcentrator *self, const IgwIotCodec *iot, xmpp_stanza_t *stanza,
			    const IgwIotRequest *request, IgwIotCondition condition,
			    const gchar *text)
{
	gboolean control = xmpp_stanza_get_child_by_ns(stanza, IGW_NS_IOT_CONTROL) != NULL ||
			   xmpp_stanza_get_child_by_ns(stanza, IGW_NS_IOT_NF_CONTROL) != NULL;
	g_autoptr(IgwIotEvent) event =
	    igw_iot_event_new(control ? IGW_IOT_EVENT_SET_ERROR : IGW_IOT_EVENT_REJECTED,
			      request != NULL ? request->seqnr : NULL);
	g_autoptr(xmpp_stanza_t) reply = NULL;
	/* a message is never answered with an error: no loops */
	if (g_strcmp0(xmpp_stanza_get_name(stanza), "iq") != 0)
		return;
	event->condition = condition;
	event->text = g_strdup(text);
	reply = iot->encode(stanza, event);
	if (reply != NULL)
		igw_concentrator_send(self, reply);
}

/* the one thing every node of the request names, or an error */
static IgwThing *
igw_concentrator_target(IgwConcentrator *self, const IgwIotCodec *iot, xmpp_stanza_t *stanza,
			GError **error)
{
	xmpp_stanza_t *payload = igw_iot_xml_payload(stanza, iot->namespaces);
	gboolean nf = iot == igw_iot_codec_nf();
	IgwThing *target = NULL;
	xmpp_stanza_t *c;
	for (c = payload != NULL ? xmpp_stanza_get_children(payload) : NULL; c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		IgwThing *thing;
		if (!xmpp_stanza_is_tag(c) ||
		    g_strcmp0(xmpp_stanza_get_name(c), nf ? "nd" : "node") != 0)
			continue;
		thing = igw_concentrator_find_node(
		    self, xmpp_stanza_get_attribute(c, nf ? "id" : "nodeId"),
		    xmpp_stanza_get_attribute(c, nf ? "src" : "sourceId"));
		if (thing == NULL) {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_FOUND,
					    "Node not found.");
			return NULL;
		}
		if (target != NULL && target != thing) {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
					    "one node per request through the gateway");
			return NULL;
		}
		target = thing;
	}
	if (target == NULL)
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "the gateway has no fields: name a node");
	return target;
}

static void
igw_concentrator_handle_iot(IgwConcentrator *self, const IgwIotCodec *iot, xmpp_stanza_t *stanza,
			    gboolean owner)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwIotRequest) request = NULL;
	IgwIotServer *server;
	IgwPlugin *plugin;
	IgwThing *thing;
	if (!igw_concentrator_check_size(self, stanza, &error)) {
		igw_concentrator_reject_iot(self, iot, stanza, NULL,
					    IGW_IOT_CONDITION_POLICY_VIOLATION, error->message);
		return;
	}
	if (!owner) {
		g_message("gateway: refused IoT request from %s: not an owner",
			  xmpp_stanza_get_from(stanza));
		igw_concentrator_reject_iot(self, iot, stanza, NULL, IGW_IOT_CONDITION_FORBIDDEN,
					    "Access denied.");
		return;
	}
	request = iot->decode(stanza, &error);
	if (request == NULL) {
		igw_concentrator_reject_iot(self, iot, stanza, NULL,
					    igw_iot_condition_from_error(error), error->message);
		return;
	}
	thing = igw_concentrator_target(self, iot, stanza, &error);
	plugin = thing != NULL
		     ? igw_concentrator_find_plugin(self, igw_thing_get_plugin_name(thing))
		     : NULL;
	if (thing != NULL && plugin == NULL)
		g_set_error_literal(&error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "Node not found.");
	if (plugin == NULL) {
		igw_concentrator_reject_iot(self, iot, stanza, request,
					    igw_iot_condition_from_error(error), error->message);
		return;
	}
	/* the thing's own server, speaking from the gateway's JID, kept while readouts wait */
	server = g_hash_table_lookup(self->servers, igw_thing_get_id(thing));
	if (server == NULL || igw_iot_server_get_thing(server) != thing) {
		server = igw_iot_server_new(self->transport, plugin, thing);
		igw_iot_server_set_history_func(server, igw_concentrator_history_cb, self);
		igw_iot_server_set_control(server, igw_engine_get_control(self->engine));
		igw_iot_server_set_max_elements(server, self->max_elements);
		if (self->profile_func != NULL)
			igw_iot_server_set_profile_func(server, self->profile_func,
							self->profile_data);
		g_hash_table_replace(self->servers, g_strdup(igw_thing_get_id(thing)), server);
	}
	igw_iot_server_handle(server, stanza, TRUE);
}

void
igw_concentrator_set_max_elements(IgwConcentrator *self, guint max_elements)
{
	self->max_elements = max_elements;
}

void
igw_concentrator_set_profile_func(IgwConcentrator *self, IgwIotProfileFunc func, gpointer user_data)
{
	self->profile_func = func;
	self->profile_data = user_data;
}

gboolean
igw_concentrator_handle(IgwConcentrator *self, xmpp_stanza_t *stanza, gboolean owner)
{
	const IgwConcentratorCodec *codec = igw_concentrator_codec_find(stanza);
	const IgwIotCodec *iot = codec == NULL ? igw_iot_codec_find(stanza) : NULL;
	if (codec == NULL && iot == NULL)
		return FALSE;
	/* nobody to answer */
	if (xmpp_stanza_get_from(stanza) == NULL)
		return TRUE;
	if (codec != NULL) {
		if (g_strcmp0(xmpp_stanza_get_name(stanza), "iq") == 0)
			igw_concentrator_handle_op(self, codec, stanza, owner);
		return TRUE;
	}
	igw_concentrator_handle_iot(self, iot, stanza, owner);
	return TRUE;
}

/* events to subscribers */

static gboolean
igw_concentrator_subscriber_wants(IgwConcentratorSubscriber *subscriber, IgwThing *thing,
				  guint event)
{
	if ((subscriber->events & event) == 0)
		return FALSE;
	return subscriber->source_id == NULL ||
	       g_strcmp0(subscriber->source_id, igw_thing_get_plugin_name(thing)) == 0;
}

static void
igw_concentrator_send_event(IgwConcentrator *self, IgwThing *thing, IgwConcentratorResultKind kind,
			    guint event, IgwConcentratorState state)
{
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, self->subscribers);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwConcentratorSubscriber *subscriber = value;
		g_autoptr(IgwConcentratorResult) result = NULL;
		g_autoptr(xmpp_stanza_t) message = NULL;
		IgwConcentratorNode *node;
		if (!igw_concentrator_subscriber_wants(subscriber, thing, event))
			continue;
		result = igw_concentrator_result_new(kind, IGW_CONCENTRATOR_OP_SUBSCRIBE);
		result->parameters = subscriber->parameters;
		node = igw_concentrator_build_node(self, thing);
		node->state = state;
		g_ptr_array_add(result->nodes, node);
		message = subscriber->codec->encode_event(igw_transport_get_ctx(self->transport),
							  subscriber->jid, result);
		if (message != NULL)
			igw_concentrator_send(self, message);
	}
}

/* added, removed, renamed, or a new state: whatever the engine's change was called */
/* one node's "reading" handler; other things' readings never reach the concentrator */
typedef struct {
	IgwThing *thing;
	gulong handler;
} IgwConcentratorWatch;

static void
igw_concentrator_watch_free(IgwConcentratorWatch *watch)
{
	g_signal_handler_disconnect(watch->thing, watch->handler);
	g_object_unref(watch->thing);
	g_free(watch);
}

static void
igw_concentrator_reading_cb(IgwThing *thing, IgwReading *reading, IgwConcentrator *self);

static void
igw_concentrator_watch(IgwConcentrator *self, IgwThing *thing)
{
	IgwConcentratorWatch *watch = g_hash_table_lookup(self->watched, igw_thing_get_id(thing));
	if (watch != NULL && watch->thing == thing)
		return;
	watch = g_new0(IgwConcentratorWatch, 1);
	watch->thing = g_object_ref(thing);
	watch->handler =
	    g_signal_connect(thing, "reading", G_CALLBACK(igw_concentrator_reading_cb), self);
	g_hash_table_replace(self->watched, g_strdup(igw_thing_get_id(thing)), watch);
}

static void
igw_concentrator_thing_changed_cb(IgwEngine *engine, IgwThing *thing, const gchar *change,
				  IgwConcentrator *self)
{
	const gchar *id = igw_thing_get_id(thing);
	gpointer known = g_hash_table_lookup(self->states, id);
	gboolean is_node = igw_concentrator_is_node(self, thing);
	IgwConcentratorState state =
	    is_node ? igw_concentrator_node_state(self, thing) : IGW_CONCENTRATOR_STATE_NONE;
	if (!is_node) {
		/* stops its readouts in progress */
		g_hash_table_remove(self->servers, id);
		g_hash_table_remove(self->watched, id);
		if (known != NULL && g_hash_table_remove(self->states, id))
			igw_concentrator_send_event(self, thing,
						    IGW_CONCENTRATOR_RESULT_NODE_REMOVED,
						    IGW_CONCENTRATOR_EVENT_REMOVED, state);
		return;
	}
	g_hash_table_insert(self->states, g_strdup(id), GUINT_TO_POINTER(state + 1));
	igw_concentrator_watch(self, thing);
	if (known == NULL)
		igw_concentrator_send_event(self, thing, IGW_CONCENTRATOR_RESULT_NODE_ADDED,
					    IGW_CONCENTRATOR_EVENT_ADDED, state);
	else if (g_strcmp0(change, "renamed") == 0)
		igw_concentrator_send_event(self, thing, IGW_CONCENTRATOR_RESULT_NODE_UPDATED,
					    IGW_CONCENTRATOR_EVENT_UPDATED, state);
	else if (GPOINTER_TO_UINT(known) != state + 1)
		igw_concentrator_send_event(self, thing, IGW_CONCENTRATOR_RESULT_NODE_STATUS,
					    IGW_CONCENTRATOR_EVENT_STATUS, state);
}

/* new values as a sensor-data fields message in the subscriber's dialect */
static gboolean
igw_concentrator_flush_cb(gpointer user_data)
{
	IgwConcentratorPending *pending = user_data;
	IgwConcentratorSubscriber *subscriber = pending->subscriber;
	IgwConcentrator *self = subscriber->concentrator;
	IgwThing *thing = igw_concentrator_find_node(self, pending->node_id, NULL);
	const IgwIotCodec *iot = subscriber->codec->iot();
	xmpp_ctx_t *ctx = igw_transport_get_ctx(self->transport);
	g_autoptr(IgwIotEvent) event = igw_iot_event_new(IGW_IOT_EVENT_FIELDS, "0");
	g_autoptr(xmpp_stanza_t) request = NULL;
	g_autoptr(xmpp_stanza_t) message = NULL;
	pending->timeout_id = 0;
	pending->last_sent = g_get_monotonic_time();
	if (thing == NULL || pending->readings->len == 0) {
		g_ptr_array_set_size(pending->readings, 0);
		return G_SOURCE_REMOVE;
	}
	/* the codec answers a request: a stand-in one from the subscriber */
	request = xmpp_iq_new(ctx, "get", "igw-conc-event");
	xmpp_stanza_set_from(request, subscriber->jid);
	event->thing = thing;
	event->done = TRUE;
	for (guint i = 0; i < pending->readings->len; i++)
		g_ptr_array_add(event->readings,
				igw_reading_ref(g_ptr_array_index(pending->readings, i)));
	g_ptr_array_set_size(pending->readings, 0);
	message = iot->encode(request, event);
	if (message != NULL)
		igw_concentrator_send(self, message);
	return G_SOURCE_REMOVE;
}

static void
igw_concentrator_queue_reading(IgwConcentratorSubscriber *subscriber, IgwThing *thing,
			       IgwReading *reading)
{
	const gchar *id = igw_thing_get_id(thing);
	IgwConcentratorPending *pending = g_hash_table_lookup(subscriber->pending, id);
	gint64 due;
	if (pending == NULL) {
		pending = g_new0(IgwConcentratorPending, 1);
		pending->subscriber = subscriber;
		pending->node_id = g_strdup(id);
		pending->readings =
		    g_ptr_array_new_with_free_func((GDestroyNotify)igw_reading_unref);
		g_hash_table_insert(subscriber->pending, pending->node_id, pending);
	}
	g_ptr_array_add(pending->readings, igw_reading_ref(reading));
	if (pending->timeout_id != 0)
		return;
	/* readings of the same moment go out together; then one message a second at most */
	due = pending->last_sent == 0
		  ? 0
		  : pending->last_sent + IGW_CONCENTRATOR_VALUES_INTERVAL_MS * 1000 -
			g_get_monotonic_time();
	pending->timeout_id = g_timeout_add(due > 0 ? (guint)(due / 1000) + 1 : 0,
					    igw_concentrator_flush_cb, pending);
}

static void
igw_concentrator_reading_cb(IgwThing *thing, IgwReading *reading, IgwConcentrator *self)
{
	GHashTableIter iter;
	gpointer value;
	if (!igw_concentrator_is_node(self, thing))
		return;
	g_hash_table_iter_init(&iter, self->subscribers);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwConcentratorSubscriber *subscriber = value;
		if (igw_concentrator_subscriber_wants(subscriber, thing,
						      IGW_CONCENTRATOR_EVENT_VALUES))
			igw_concentrator_queue_reading(subscriber, thing, reading);
	}
}

void
igw_concentrator_forget_subscriber(IgwConcentrator *self, const gchar *jid)
{
	if (self == NULL || jid == NULL)
		return;
	if (g_hash_table_remove(self->subscribers, jid))
		g_info("concentrator: %s unsubscribed by going away", jid);
}

IgwConcentrator *
igw_concentrator_new(IgwEngine *engine, IgwTransport *transport)
{
	IgwConcentrator *self = g_new0(IgwConcentrator, 1);
	g_autoptr(GPtrArray) things = igw_engine_get_things(engine);
	self->engine = engine;
	self->transport = g_object_ref(transport);
	self->max_elements = IGW_REQUEST_LIMIT_ELEMENTS;
	self->subscribers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
						  (GDestroyNotify)igw_concentrator_subscriber_free);
	self->states = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->servers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)igw_iot_server_free);
	self->watched = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)igw_concentrator_watch_free);
	for (guint i = 0; i < things->len; i++) {
		IgwThing *thing = g_ptr_array_index(things, i);
		if (!igw_concentrator_is_node(self, thing))
			continue;
		g_hash_table_insert(self->states, g_strdup(igw_thing_get_id(thing)),
				    GUINT_TO_POINTER(igw_concentrator_node_state(self, thing) + 1));
		igw_concentrator_watch(self, thing);
	}
	self->changed_id = g_signal_connect(engine, "thing-changed",
					    G_CALLBACK(igw_concentrator_thing_changed_cb), self);
	return self;
}

void
igw_concentrator_free(IgwConcentrator *self)
{
	if (self == NULL)
		return;
	g_clear_signal_handler(&self->changed_id, self->engine);
	g_hash_table_unref(self->watched);
	g_hash_table_unref(self->subscribers);
	g_hash_table_unref(self->states);
	g_hash_table_unref(self->servers);
	g_object_unref(self->transport);
	g_free(self);
}
