/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwAgent"

#include "config.h"

#include <string.h>

#include "igw-chat.h"
#include "igw-iot-server.h"
#include "igw-request-limit.h"
#include "igw-thing-agent.h"
#include "igw-thing-private.h"

#define IGW_NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define IGW_NS_PING "urn:xmpp:ping"
#define IGW_AGENT_NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
/* readings overdue after this many report intervals: away, then xa */
#define IGW_AGENT_AWAY_INTERVALS 3
#define IGW_AGENT_XA_INTERVALS 10
/* the bucket every stranger shares besides their own: many names are one flood */
#define IGW_AGENT_STRANGERS_KEY ""

struct _IgwThingAgent {
	GObject parent_instance;
	IgwTransport *transport;
	IgwContext *context;
	IgwPlugin *plugin; /* NULL for the gateway */
	IgwThing *thing;   /* NULL for the gateway */
	IgwControl *control;
	GStrv owners;
	gboolean greeted;
	gchar *last_presence;
	IgwIotServer *iot;	       /* NULL for the gateway */
	IgwConcentrator *concentrator; /* the gateway's, unowned; NULL for things */
	/* owners and strangers draw on separate buckets: a stranger flood cannot starve owners */
	IgwRequestLimits limits;
	IgwRequestLimit *owner_limit;
	IgwRequestLimit *stranger_limit;
};

enum { SIGNAL_GREETED, SIGNAL_OWNER_ADDED, SIGNAL_OWNER_REMOVED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST];

G_DEFINE_TYPE(IgwThingAgent, igw_thing_agent, G_TYPE_OBJECT)

static const gchar *
igw_thing_agent_label(IgwThingAgent *self)
{
	return self->thing != NULL ? igw_thing_get_id(self->thing) : "gateway";
}

static xmpp_ctx_t *
igw_thing_agent_ctx(IgwThingAgent *self)
{
	return igw_transport_get_ctx(self->transport);
}

static gchar *
igw_thing_agent_bare(IgwThingAgent *self, const gchar *jid)
{
	const gchar *slash = jid != NULL ? strchr(jid, '/') : NULL;
	if (jid == NULL)
		return NULL;
	return slash != NULL ? g_utf8_strdown(jid, slash - jid) : g_utf8_strdown(jid, -1);
}

gboolean
igw_thing_agent_is_owner(IgwThingAgent *self, const gchar *jid)
{
	g_autofree gchar *bare = igw_thing_agent_bare(self, jid);
	for (guint i = 0; bare != NULL && self->owners != NULL && self->owners[i] != NULL; i++) {
		g_autofree gchar *owner = g_utf8_strdown(self->owners[i], -1);
		if (g_strcmp0(owner, bare) == 0)
			return TRUE;
	}
	return FALSE;
}

const gchar *const *
igw_thing_agent_get_owners(IgwThingAgent *self)
{
	static const gchar *const none[] = {NULL};
	g_return_val_if_fail(IGW_IS_THING_AGENT(self), none);
	return self->owners != NULL ? (const gchar *const *)self->owners : none;
}

static void
igw_thing_agent_send_chat(IgwThingAgent *self, const gchar *to, const gchar *body)
{
	xmpp_ctx_t *ctx = igw_thing_agent_ctx(self);
	g_autofree gchar *id = g_strdup_printf("igw-%08x", g_random_int());
	g_autoptr(xmpp_stanza_t) message = xmpp_message_new(ctx, "chat", to, id);
	xmpp_message_set_body(message, body);
	igw_transport_send(self->transport, message);
}

static gchar *
igw_thing_agent_format_last_reading(IgwThingAgent *self)
{
	GPtrArray *fields = igw_thing_get_fields(self->thing);
	g_autoptr(GDateTime) dt = NULL;
	gint64 newest = 0;
	for (guint i = 0; i < fields->len; i++) {
		IgwReading *reading = igw_thing_get_latest(
		    self->thing, igw_field_get_name(g_ptr_array_index(fields, i)));
		if (reading != NULL)
			newest = MAX(newest, igw_reading_get_timestamp(reading));
	}
	dt = g_date_time_new_from_unix_utc(newest / G_USEC_PER_SEC);
	if (newest == 0 || dt == NULL)
		return g_strdup("start");
	return g_date_time_format(dt, "%H:%M:%S UTC");
}

static IgwPresence
igw_thing_agent_presence_of(IgwThingAgent *self, gint64 age)
{
	guint interval = igw_thing_get_report_interval(self->thing);
	/* the plugin's word (learned advert interval, connection) comes first */
	if (igw_thing_get_availability(self->thing) == IGW_AVAILABILITY_AWAY)
		return IGW_PRESENCE_AWAY;
	if (interval > 0 && age > (gint64)interval * IGW_AGENT_XA_INTERVALS)
		return IGW_PRESENCE_XA;
	if (interval > 0 && age > (gint64)interval * IGW_AGENT_AWAY_INTERVALS)
		return IGW_PRESENCE_AWAY;
	return IGW_PRESENCE_AVAILABLE;
}

static IgwPresence
igw_thing_agent_presence_state(IgwThingAgent *self, gchar **status)
{
	g_autofree gchar *summary = igw_thing_summarize(self->thing);
	g_autofree gchar *since = igw_thing_agent_format_last_reading(self);
	gint64 age = (g_get_monotonic_time() - igw_thing_get_last_reading_time(self->thing)) /
		     G_USEC_PER_SEC;
	IgwPresence presence = igw_thing_agent_presence_of(self, age);
	/* a fixed text while overdue: presence goes out on change only */
	if (presence != IGW_PRESENCE_AVAILABLE)
		*status = g_strdup_printf("no reading since %s; last: %s", since, summary);
	else
		*status = g_steal_pointer(&summary);
	return presence;
}

void
igw_thing_agent_update_presence(IgwThingAgent *self)
{
	g_autofree gchar *status = NULL;
	g_autofree gchar *key = NULL;
	IgwPresence presence = IGW_PRESENCE_AVAILABLE;

	g_return_if_fail(IGW_IS_THING_AGENT(self));
	if (!igw_transport_is_online(self->transport))
		return;
	if (self->thing != NULL && !igw_thing_get_reachable(self->thing)) {
		presence = IGW_PRESENCE_UNAVAILABLE;
		status = g_strdup("unreachable");
	} else if (self->thing != NULL) {
		presence = igw_thing_agent_presence_state(self, &status);
	} else {
		g_autoptr(GPtrArray) things = igw_context_get_things(self->context);
		status = g_strdup_printf("iotgw gateway, %u things", things->len);
	}
	key = g_strdup_printf("%s|%s", igw_presence_to_string(presence), status);
	if (g_strcmp0(key, self->last_presence) == 0)
		return;
	g_free(self->last_presence);
	self->last_presence = g_steal_pointer(&key);
	igw_transport_send_presence(self->transport, presence, status);
}

/* grant and ask for a presence subscription, and say hello */
void
igw_thing_agent_greet_owner(IgwThingAgent *self, const gchar *jid)
{
	g_autofree gchar *greeting = NULL;
	const gchar *name =
	    self->thing != NULL ? igw_thing_get_name(self->thing) : "the iotgw gateway";
	g_return_if_fail(IGW_IS_THING_AGENT(self));
	if (!igw_transport_is_online(self->transport))
		return;
	greeting = g_strdup_printf("Hello! I am %s (%s). Send 'help' for what I understand.", name,
				   igw_thing_agent_label(self));
	igw_transport_subscribe(self->transport, jid);
	igw_transport_approve(self->transport, jid);
	igw_thing_agent_send_chat(self, jid, greeting);
}

static void
igw_thing_agent_greet(IgwThingAgent *self)
{
	for (guint i = 0; self->owners != NULL && self->owners[i] != NULL; i++)
		igw_thing_agent_greet_owner(self, self->owners[i]);
	g_message("%s: greeted %u owners", igw_thing_agent_label(self),
		  self->owners != NULL ? g_strv_length(self->owners) : 0);
	self->greeted = TRUE;
	g_signal_emit(self, signals[SIGNAL_GREETED], 0);
}

static void
igw_thing_agent_online_cb(IgwTransport *transport, IgwThingAgent *self)
{
	g_clear_pointer(&self->last_presence, g_free);
	if (self->thing != NULL)
		g_message("thing %s: online", igw_thing_get_id(self->thing));
	else
		g_message("gateway: online");
	igw_thing_agent_update_presence(self);
	if (!self->greeted)
		igw_thing_agent_greet(self);
}

static gchar *
igw_thing_agent_format_get(IgwThingAgent *self, const gchar *field_name, GError **error)
{
	g_autoptr(GString) reply = g_string_new(NULL);
	GPtrArray *fields = igw_thing_get_fields(self->thing);
	if (field_name != NULL && igw_thing_get_field(self->thing, field_name) == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no field '%s'; try 'info'",
			    field_name);
		return NULL;
	}
	for (guint i = 0; i < fields->len; i++) {
		const gchar *name = igw_field_get_name(g_ptr_array_index(fields, i));
		g_autofree gchar *text = NULL;
		if (field_name != NULL && g_strcmp0(name, field_name) != 0)
			continue;
		text = igw_thing_format_reading(self->thing, name);
		g_string_append_printf(reply, "%s%s: %s", reply->len > 0 ? "\n" : "", name,
				       text != NULL ? text : "(no reading yet)");
	}
	return g_string_free(g_steal_pointer(&reply), FALSE);
}

static gchar *
igw_thing_agent_format_info(IgwThingAgent *self)
{
	g_autoptr(GString) info = g_string_new(NULL);
	GPtrArray *fields = igw_thing_get_fields(self->thing);
	const gchar *labels[] = {"manufacturer", "model", "serial", "firmware"};
	const gchar *values[] = {
	    igw_thing_get_manufacturer(self->thing), igw_thing_get_model(self->thing),
	    igw_thing_get_serial(self->thing), igw_thing_get_firmware(self->thing)};
	g_string_append_printf(info, "id: %s\nname: %s", igw_thing_get_id(self->thing),
			       igw_thing_get_name(self->thing));
	for (guint i = 0; i < G_N_ELEMENTS(labels); i++) {
		if (values[i] != NULL)
			g_string_append_printf(info, "\n%s: %s", labels[i], values[i]);
	}
	g_string_append(info, "\nfields:");
	for (guint i = 0; i < fields->len; i++) {
		IgwField *field = g_ptr_array_index(fields, i);
		g_string_append_printf(info, "\n  %s (%s%s%s%s)", igw_field_get_name(field),
				       igw_field_type_to_string(igw_field_get_value_type(field)),
				       igw_field_get_unit(field) != NULL ? ", " : "",
				       igw_field_get_unit(field) != NULL ? igw_field_get_unit(field)
									 : "",
				       igw_field_get_writable(field) ? ", writable" : "");
	}
	return g_string_free(g_steal_pointer(&info), FALSE);
}

static gchar *
igw_thing_agent_format_gateway(IgwThingAgent *self)
{
	g_autoptr(GPtrArray) things = igw_context_get_things(self->context);
	g_autoptr(GString) text = g_string_new("iotgw gateway " PACKAGE_VERSION);
	g_string_append_printf(text, "\nthings: %u", things->len);
	for (guint i = 0; i < things->len; i++) {
		IgwThing *thing = g_ptr_array_index(things, i);
		g_string_append_printf(text, "\n  %s (%s)%s", igw_thing_get_id(thing),
				       igw_thing_get_name(thing),
				       igw_thing_get_reachable(thing) ? "" : ", unreachable");
	}
	return g_string_free(g_steal_pointer(&text), FALSE);
}

typedef struct {
	IgwThingAgent *agent;
	gchar *requester;
	gchar *field;
} IgwThingAgentSet;

static void
igw_thing_agent_set_free(IgwThingAgentSet *request)
{
	g_object_unref(request->agent);
	g_free(request->requester);
	g_free(request->field);
	g_free(request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwThingAgentSet, igw_thing_agent_set_free)

/* the confirmed value is a reading like any other: stored, shown, summarized */
static void
igw_thing_agent_set_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(IgwThingAgentSet) request = user_data;
	IgwThingAgent *self = request->agent;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) confirmed = igw_control_set_finish(IGW_CONTROL(source), result, &error);
	g_autofree gchar *text = NULL;
	g_autofree gchar *reply = NULL;

	if (confirmed == NULL) {
		g_autofree gchar *failure = g_strdup_printf("error: %s", error->message);
		igw_thing_agent_send_chat(self, request->requester, failure);
		return;
	}
	text = igw_thing_format_reading(self->thing, request->field);
	reply = g_strdup_printf("%s: %s", request->field, text != NULL ? text : "?");
	igw_thing_agent_send_chat(self, request->requester, reply);
}

/* the control service validates, authorises and answers: errors come back in set_cb */
static void
igw_thing_agent_start_set(IgwThingAgent *self, const gchar *from, IgwChatCommand *command)
{
	IgwThingAgentSet *request = g_new0(IgwThingAgentSet, 1);
	request->agent = g_object_ref(self);
	request->requester = g_strdup(from);
	request->field = g_strdup(command->field);
	igw_control_set_async(self->control, from, IGW_CONTROL_FLAG_NONE,
			      igw_thing_get_id(self->thing), command->field, command->value, NULL,
			      igw_thing_agent_set_cb, request);
}

/* NULL reply: the answer comes later (set) */
static gchar *
igw_thing_agent_run_command(IgwThingAgent *self, const gchar *from, IgwChatCommand *command,
			    GError **error)
{
	switch (command->kind) {
	case IGW_CHAT_COMMAND_HELP:
		return g_strdup(igw_chat_get_help());
	case IGW_CHAT_COMMAND_INFO:
		if (self->thing == NULL)
			return igw_thing_agent_format_gateway(self);
		return igw_thing_agent_format_info(self);
	case IGW_CHAT_COMMAND_GET:
		if (self->thing == NULL)
			return igw_thing_agent_format_gateway(self);
		return igw_thing_agent_format_get(self, command->field, error);
	case IGW_CHAT_COMMAND_SET:
	default:
		if (self->thing == NULL) {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
					    "the gateway has no fields; talk to a thing");
			return NULL;
		}
		if (self->control == NULL) {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
					    "control is not available");
			return NULL;
		}
		igw_thing_agent_start_set(self, from, command);
		return g_strdup("");
	}
}

/* at most one line per sender per interval, with the count of those left out */
static void
igw_thing_agent_log_refusal(IgwThingAgent *self, const gchar *from, const gchar *what,
			    const gchar *why)
{
	g_autofree gchar *bare = igw_thing_agent_bare(self, from);
	IgwRequestLimit *limit =
	    igw_thing_agent_is_owner(self, from) ? self->owner_limit : self->stranger_limit;
	guint suppressed = 0;
	if (!igw_request_limit_may_log(limit, bare, g_get_monotonic_time(), &suppressed))
		return;
	if (suppressed > 0)
		g_message("thing %s: refused %s from %s: %s (and %u more since the last such line)",
			  igw_thing_agent_label(self), what, bare, why, suppressed);
	else
		g_message("thing %s: refused %s from %s: %s", igw_thing_agent_label(self), what,
			  bare, why);
}

/* the length of the first <body/>, without copying it */
static gsize
igw_thing_agent_body_length(xmpp_stanza_t *stanza)
{
	xmpp_stanza_t *body = xmpp_stanza_get_child_by_name(stanza, "body");
	gsize length = 0;
	for (xmpp_stanza_t *c = body != NULL ? xmpp_stanza_get_children(body) : NULL; c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		const gchar *text = xmpp_stanza_is_text(c) ? xmpp_stanza_get_text_ptr(c) : NULL;
		length += text != NULL ? strlen(text) : 0;
	}
	return length;
}

static void
igw_thing_agent_handle_chat(IgwThingAgent *self, const gchar *from, const gchar *body)
{
	g_autoptr(IgwChatCommand) command = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *reply = NULL;
	if (!igw_thing_agent_is_owner(self, from)) {
		igw_thing_agent_log_refusal(self, from, "chat", "not an owner");
		igw_thing_agent_send_chat(self, from,
					  "Sorry, I only take commands from my owners.");
		return;
	}
	command = igw_chat_command_parse(body, &error);
	if (command != NULL)
		reply = igw_thing_agent_run_command(self, from, command, &error);
	if (reply == NULL)
		reply = g_strdup_printf("error: %s", error->message);
	if (*reply != '\0')
		igw_thing_agent_send_chat(self, from, reply);
}

static void
igw_thing_agent_handle_message(IgwThingAgent *self, xmpp_stanza_t *stanza)
{
	const gchar *type = xmpp_stanza_get_type(stanza);
	const gchar *from = xmpp_stanza_get_from(stanza);
	g_autofree gchar *body = NULL;
	xmpp_ctx_t *ctx = igw_thing_agent_ctx(self);
	gchar *raw;
	/* never answer errors, group chat or headlines: no loops */
	if (from == NULL ||
	    (type != NULL && g_strcmp0(type, "chat") != 0 && g_strcmp0(type, "normal") != 0))
		return;
	/* XEP-0325 set in its message form */
	if (self->iot != NULL &&
	    igw_iot_server_handle(self->iot, stanza, igw_thing_agent_is_owner(self, from)))
		return;
	if (self->concentrator != NULL &&
	    igw_concentrator_handle(self->concentrator, stanza,
				    igw_thing_agent_is_owner(self, from)))
		return;
	if (igw_thing_agent_body_length(stanza) > self->limits.max_chat_bytes) {
		g_autofree gchar *text = g_strdup_printf(
		    "error: message too long (at most %u bytes)", self->limits.max_chat_bytes);
		igw_thing_agent_log_refusal(self, from, "chat", "message too long");
		igw_thing_agent_send_chat(self, from, text);
		return;
	}
	raw = xmpp_message_get_body(stanza);
	if (raw == NULL)
		return;
	body = g_strdup(raw);
	xmpp_free(ctx, raw);
	igw_thing_agent_handle_chat(self, from, body);
}

/*
 * built by hand: libstrophe's xmpp_stanza_reply() crashes on a stanza
 * without "from", and the server's own iqs have none
 */
static xmpp_stanza_t *
igw_thing_agent_new_reply(IgwThingAgent *self, xmpp_stanza_t *stanza, const gchar *type)
{
	xmpp_stanza_t *reply =
	    xmpp_iq_new(igw_thing_agent_ctx(self), type, xmpp_stanza_get_id(stanza));
	const gchar *from = xmpp_stanza_get_from(stanza);
	if (from != NULL)
		xmpp_stanza_set_to(reply, from);
	return reply;
}

static void
igw_thing_agent_reply_error_text(IgwThingAgent *self, xmpp_stanza_t *stanza, const gchar *type,
				 const gchar *condition, const gchar *text)
{
	g_autoptr(xmpp_stanza_t) reply = igw_thing_agent_new_reply(self, stanza, "error");
	xmpp_ctx_t *ctx = igw_thing_agent_ctx(self);
	xmpp_stanza_t *error = xmpp_stanza_new(ctx);
	xmpp_stanza_t *child = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(error, "error");
	xmpp_stanza_set_type(error, type);
	xmpp_stanza_set_name(child, condition);
	xmpp_stanza_set_ns(child, IGW_AGENT_NS_STANZAS);
	xmpp_stanza_add_child_ex(error, child, 0);
	if (text != NULL) {
		xmpp_stanza_t *element = xmpp_stanza_new(ctx);
		xmpp_stanza_t *content = xmpp_stanza_new(ctx);
		xmpp_stanza_set_name(element, "text");
		xmpp_stanza_set_ns(element, IGW_AGENT_NS_STANZAS);
		xmpp_stanza_set_text(content, text);
		xmpp_stanza_add_child_ex(element, content, 0);
		xmpp_stanza_add_child_ex(error, element, 0);
	}
	xmpp_stanza_add_child_ex(reply, error, 0);
	igw_transport_send(self->transport, reply);
}

static void
igw_thing_agent_reply_error(IgwThingAgent *self, xmpp_stanza_t *stanza, const gchar *type,
			    const gchar *condition)
{
	igw_thing_agent_reply_error_text(self, stanza, type, condition, NULL);
}

static void
igw_thing_agent_add_feature(xmpp_stanza_t *query, const gchar *var)
{
	xmpp_stanza_t *feature = xmpp_stanza_new(xmpp_stanza_get_context(query));
	xmpp_stanza_set_name(feature, "feature");
	xmpp_stanza_set_attribute(feature, "var", var);
	xmpp_stanza_add_child_ex(query, feature, 0);
}

static void
igw_thing_agent_reply_disco_info(IgwThingAgent *self, xmpp_stanza_t *stanza)
{
	g_autoptr(xmpp_stanza_t) reply = igw_thing_agent_new_reply(self, stanza, "result");
	xmpp_ctx_t *ctx = igw_thing_agent_ctx(self);
	xmpp_stanza_t *query = xmpp_stanza_new(ctx);
	xmpp_stanza_t *identity = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(query, "query");
	xmpp_stanza_set_ns(query, IGW_NS_DISCO_INFO);
	xmpp_stanza_set_name(identity, "identity");
	xmpp_stanza_set_attribute(identity, "category", "client");
	xmpp_stanza_set_attribute(identity, "type", "bot");
	xmpp_stanza_set_attribute(identity, "name",
				  self->thing != NULL ? igw_thing_get_name(self->thing)
						      : "iotgw gateway");
	xmpp_stanza_add_child_ex(query, identity, 0);
	igw_thing_agent_add_feature(query, IGW_NS_DISCO_INFO);
	igw_thing_agent_add_feature(query, IGW_NS_PING);
	for (guint i = 0; self->iot != NULL && igw_iot_server_get_features()[i] != NULL; i++)
		igw_thing_agent_add_feature(query, igw_iot_server_get_features()[i]);
	/* the gateway reads and controls its things for the concentrator's clients */
	for (guint i = 0; self->concentrator != NULL && igw_concentrator_get_features()[i] != NULL;
	     i++)
		igw_thing_agent_add_feature(query, igw_concentrator_get_features()[i]);
	for (guint i = 0; self->concentrator != NULL && igw_iot_server_get_features()[i] != NULL;
	     i++)
		igw_thing_agent_add_feature(query, igw_iot_server_get_features()[i]);
	xmpp_stanza_add_child_ex(reply, query, 0);
	igw_transport_send(self->transport, reply);
}

static void
igw_thing_agent_handle_iq(IgwThingAgent *self, xmpp_stanza_t *stanza)
{
	const gchar *type = xmpp_stanza_get_type(stanza);
	xmpp_stanza_t *child = xmpp_stanza_get_children(stanza);
	const gchar *ns = child != NULL ? xmpp_stanza_get_ns(child) : NULL;
	if (g_strcmp0(type, "get") != 0 && g_strcmp0(type, "set") != 0)
		return;
	if (child == NULL) {
		igw_thing_agent_reply_error(self, stanza, "modify", "bad-request");
		return;
	}
	if (g_strcmp0(type, "get") == 0 && g_strcmp0(ns, IGW_NS_PING) == 0) {
		g_autoptr(xmpp_stanza_t) result = igw_thing_agent_new_reply(self, stanza, "result");
		igw_transport_send(self->transport, result);
		return;
	}
	if (g_strcmp0(type, "get") == 0 && g_strcmp0(ns, IGW_NS_DISCO_INFO) == 0) {
		igw_thing_agent_reply_disco_info(self, stanza);
		return;
	}
	if (self->iot != NULL &&
	    igw_iot_server_handle(self->iot, stanza,
				  igw_thing_agent_is_owner(self, xmpp_stanza_get_from(stanza))))
		return;
	if (self->concentrator != NULL &&
	    igw_concentrator_handle(self->concentrator, stanza,
				    igw_thing_agent_is_owner(self, xmpp_stanza_get_from(stanza))))
		return;
	igw_thing_agent_reply_error(self, stanza, "cancel", "service-unavailable");
}

static void
igw_thing_agent_handle_presence(IgwThingAgent *self, xmpp_stanza_t *stanza)
{
	const gchar *type = xmpp_stanza_get_type(stanza);
	const gchar *from = xmpp_stanza_get_from(stanza);
	g_autofree gchar *bare = igw_thing_agent_bare(self, from);
	/* XEP-0326: event subscriptions last as long as the subscriber's presence */
	if (g_strcmp0(type, "unavailable") == 0 && self->concentrator != NULL)
		igw_concentrator_forget_subscriber(self->concentrator, from);
	if (g_strcmp0(type, "subscribe") != 0 || bare == NULL)
		return;
	if (igw_thing_agent_is_owner(self, from)) {
		igw_transport_approve(self->transport, bare);
		return;
	}
	g_message("thing %s: refused presence subscription from %s: not an owner",
		  igw_thing_agent_label(self), bare);
	igw_transport_unsubscribe(self->transport, bare);
}

/* a request: a chat or normal message, or an iq get or set, from someone */
static gboolean
igw_thing_agent_is_request(xmpp_stanza_t *stanza)
{
	const gchar *name = xmpp_stanza_get_name(stanza);
	const gchar *type = xmpp_stanza_get_type(stanza);
	if (xmpp_stanza_get_from(stanza) == NULL)
		return FALSE;
	if (g_strcmp0(name, "iq") == 0)
		return g_strcmp0(type, "get") == 0 || g_strcmp0(type, "set") == 0;
	if (g_strcmp0(name, "message") == 0)
		return type == NULL || g_strcmp0(type, "chat") == 0 ||
		       g_strcmp0(type, "normal") == 0;
	return FALSE;
}

static IgwRequestLimitVerdict
igw_thing_agent_take(IgwThingAgent *self, const gchar *from)
{
	g_autofree gchar *bare = igw_thing_agent_bare(self, from);
	gint64 now = g_get_monotonic_time();
	IgwRequestLimitVerdict verdict;
	if (igw_thing_agent_is_owner(self, from))
		return igw_request_limit_take(self->owner_limit, bare, now);
	verdict = igw_request_limit_take(self->stranger_limit, bare, now);
	if (verdict != IGW_REQUEST_LIMIT_ALLOW)
		return verdict;
	/* a sender within its own budget is still silent while all strangers together are over */
	verdict = igw_request_limit_take(self->stranger_limit, IGW_AGENT_STRANGERS_KEY, now);
	return verdict == IGW_REQUEST_LIMIT_ALLOW ? verdict : IGW_REQUEST_LIMIT_SILENT;
}

/* one policy-violation answer, then silence until the sender's bucket refills */
static void
igw_thing_agent_refuse_rate(IgwThingAgent *self, xmpp_stanza_t *stanza)
{
	const gchar *text = "Too many requests; try again in a few seconds.";
	igw_thing_agent_log_refusal(self, xmpp_stanza_get_from(stanza), "requests",
				    "too many per second");
	if (g_strcmp0(xmpp_stanza_get_name(stanza), "iq") == 0) {
		igw_thing_agent_reply_error_text(self, stanza, "wait", "policy-violation", text);
		return;
	}
	if (xmpp_stanza_get_child_by_name(stanza, "body") != NULL) {
		g_autofree gchar *body = g_strdup_printf("error: %s", text);
		igw_thing_agent_send_chat(self, xmpp_stanza_get_from(stanza), body);
	}
}

static void
igw_thing_agent_stanza_cb(IgwTransport *transport, gpointer stanza_ptr, IgwThingAgent *self)
{
	xmpp_stanza_t *stanza = stanza_ptr;
	const gchar *name = xmpp_stanza_get_name(stanza);
	if (igw_thing_agent_is_request(stanza)) {
		IgwRequestLimitVerdict verdict =
		    igw_thing_agent_take(self, xmpp_stanza_get_from(stanza));
		if (verdict == IGW_REQUEST_LIMIT_REFUSE)
			igw_thing_agent_refuse_rate(self, stanza);
		else if (verdict == IGW_REQUEST_LIMIT_SILENT)
			igw_thing_agent_log_refusal(self, xmpp_stanza_get_from(stanza), "requests",
						    "too many per second");
		if (verdict != IGW_REQUEST_LIMIT_ALLOW)
			return;
	}
	if (g_strcmp0(name, "message") == 0)
		igw_thing_agent_handle_message(self, stanza);
	else if (g_strcmp0(name, "iq") == 0)
		igw_thing_agent_handle_iq(self, stanza);
	else if (g_strcmp0(name, "presence") == 0)
		igw_thing_agent_handle_presence(self, stanza);
}

/* @jid sees nothing more: no presence either way, no roster item */
static void
igw_thing_agent_revoke(IgwThingAgent *self, const gchar *jid)
{
	g_autofree gchar *bare = igw_thing_agent_bare(self, jid);
	g_autofree gchar *own = igw_transport_dup_bare_jid(self->transport);
	if (bare == NULL || g_ascii_strcasecmp(bare, own) == 0 ||
	    igw_thing_agent_is_owner(self, bare))
		return;
	g_message("%s: %s is no owner: subscription and contact removed",
		  igw_thing_agent_label(self), bare);
	igw_transport_remove_contact(self->transport, bare);
	g_signal_emit(self, signals[SIGNAL_OWNER_REMOVED], 0, bare);
}

/*
 * after a login: every contact that is no owner goes. The account is the
 * gateway's and it only ever approves owners, so any other contact is an
 * ex-owner (removed while the gateway was off) or was added behind its
 * back; the owners' group alone would miss ex-owners of models that never
 * used it, and a contact without subscription costs nothing to remove
 */
static void
igw_thing_agent_contacts_cb(IgwTransport *transport, IgwThingAgent *self)
{
	g_auto(GStrv) contacts = igw_transport_dup_contacts(transport);
	/* no owners known yet: nobody to compare with */
	if (self->owners == NULL)
		return;
	for (guint i = 0; contacts != NULL && contacts[i] != NULL; i++)
		igw_thing_agent_revoke(self, contacts[i]);
}

void
igw_thing_agent_set_owners(IgwThingAgent *self, const gchar *const *owners)
{
	g_auto(GStrv) old = NULL;
	g_return_if_fail(IGW_IS_THING_AGENT(self));
	old = g_steal_pointer(&self->owners);
	self->owners = g_strdupv((gchar **)owners);
	/* offline: the next login compares the roster with the owners */
	if (!igw_transport_is_online(self->transport))
		return;
	for (guint i = 0; old != NULL && old[i] != NULL; i++)
		igw_thing_agent_revoke(self, old[i]);
	for (guint i = 0; self->owners != NULL && self->owners[i] != NULL; i++) {
		if (old != NULL && g_strv_contains((const gchar *const *)old, self->owners[i]))
			continue;
		g_signal_emit(self, signals[SIGNAL_OWNER_ADDED], 0, self->owners[i]);
	}
}

/* starts afresh: every sender's bucket is full again */
void
igw_thing_agent_set_limits(IgwThingAgent *self, const IgwRequestLimits *limits)
{
	g_return_if_fail(IGW_IS_THING_AGENT(self));
	self->limits = *limits;
	igw_request_limit_free(self->owner_limit);
	igw_request_limit_free(self->stranger_limit);
	self->owner_limit =
	    igw_request_limit_new(limits->owner_request_burst, limits->owner_request_rate);
	self->stranger_limit = igw_request_limit_new(limits->request_burst, limits->request_rate);
	if (self->iot != NULL) {
		igw_iot_server_set_max_elements(self->iot, limits->max_request_elements);
		igw_iot_server_set_log_limit(self->iot, self->stranger_limit);
	}
	if (self->concentrator != NULL)
		igw_concentrator_set_max_elements(self->concentrator, limits->max_request_elements);
}

void
igw_thing_agent_set_greeted(IgwThingAgent *self, gboolean greeted)
{
	g_return_if_fail(IGW_IS_THING_AGENT(self));
	self->greeted = greeted;
}

void
igw_thing_agent_set_history_func(IgwThingAgent *self, IgwIotHistoryFunc func, gpointer user_data)
{
	g_return_if_fail(IGW_IS_THING_AGENT(self));
	if (self->iot != NULL)
		igw_iot_server_set_history_func(self->iot, func, user_data);
}

void
igw_thing_agent_set_profile_func(IgwThingAgent *self, IgwIotProfileFunc func, gpointer user_data)
{
	g_return_if_fail(IGW_IS_THING_AGENT(self));
	if (self->iot != NULL)
		igw_iot_server_set_profile_func(self->iot, func, user_data);
}

void
igw_thing_agent_set_concentrator(IgwThingAgent *self, IgwConcentrator *concentrator)
{
	g_return_if_fail(IGW_IS_THING_AGENT(self));
	self->concentrator = concentrator;
	if (concentrator != NULL)
		igw_concentrator_set_max_elements(concentrator, self->limits.max_request_elements);
}

void
igw_thing_agent_set_control(IgwThingAgent *self, IgwControl *control)
{
	g_return_if_fail(IGW_IS_THING_AGENT(self));
	g_set_object(&self->control, control);
	if (self->iot != NULL)
		igw_iot_server_set_control(self->iot, control);
}

IgwControl *
igw_thing_agent_get_control(IgwThingAgent *self)
{
	g_return_val_if_fail(IGW_IS_THING_AGENT(self), NULL);
	return self->control;
}

IgwThing *
igw_thing_agent_get_thing(IgwThingAgent *self)
{
	g_return_val_if_fail(IGW_IS_THING_AGENT(self), NULL);
	return self->thing;
}

static void
igw_thing_agent_dispose(GObject *object)
{
	IgwThingAgent *self = IGW_THING_AGENT(object);
	if (self->transport != NULL)
		g_signal_handlers_disconnect_by_data(self->transport, self);
	g_clear_pointer(&self->iot, igw_iot_server_free);
	g_clear_object(&self->transport);
	g_clear_object(&self->context);
	g_clear_object(&self->plugin);
	g_clear_object(&self->thing);
	g_clear_object(&self->control);
	G_OBJECT_CLASS(igw_thing_agent_parent_class)->dispose(object);
}

static void
igw_thing_agent_finalize(GObject *object)
{
	IgwThingAgent *self = IGW_THING_AGENT(object);
	g_strfreev(self->owners);
	g_free(self->last_presence);
	igw_request_limit_free(self->owner_limit);
	igw_request_limit_free(self->stranger_limit);
	G_OBJECT_CLASS(igw_thing_agent_parent_class)->finalize(object);
}

static void
igw_thing_agent_class_init(IgwThingAgentClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = igw_thing_agent_dispose;
	object_class->finalize = igw_thing_agent_finalize;
	/* a JID that is no owner (any more) lost every way in that the agent
	 * controls; the pubsub module takes away the rest */
	signals[SIGNAL_OWNER_REMOVED] =
	    g_signal_new("owner-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	/* a new owner, while online: the pubsub module lets it in */
	signals[SIGNAL_OWNER_ADDED] =
	    g_signal_new("owner-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	signals[SIGNAL_GREETED] =
	    g_signal_new("greeted", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 0);
}

static void
igw_thing_agent_init(IgwThingAgent *self)
{
	IgwRequestLimits limits = IGW_REQUEST_LIMITS_DEFAULT;
	igw_thing_agent_set_limits(self, &limits);
}

IgwThingAgent *
igw_thing_agent_new(IgwTransport *transport, IgwContext *context, IgwPlugin *plugin,
		    IgwThing *thing)
{
	IgwThingAgent *self = g_object_new(IGW_TYPE_THING_AGENT, NULL);
	self->transport = g_object_ref(transport);
	self->context = g_object_ref(context);
	self->plugin = plugin != NULL ? g_object_ref(plugin) : NULL;
	self->thing = thing != NULL ? g_object_ref(thing) : NULL;
	if (thing != NULL && plugin != NULL) {
		self->iot = igw_iot_server_new(transport, plugin, thing);
		igw_iot_server_set_max_elements(self->iot, self->limits.max_request_elements);
		igw_iot_server_set_log_limit(self->iot, self->stranger_limit);
	}
	g_signal_connect(transport, "stanza", G_CALLBACK(igw_thing_agent_stanza_cb), self);
	g_signal_connect(transport, "online", G_CALLBACK(igw_thing_agent_online_cb), self);
	g_signal_connect(transport, "contacts", G_CALLBACK(igw_thing_agent_contacts_cb), self);
	return self;
}
