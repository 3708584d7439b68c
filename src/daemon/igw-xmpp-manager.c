/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwXmppManager"

#include "config.h"

#include "igw-concentrator.h"
#include "igw-thing-agent.h"
#include "igw-thing-muc.h"
#include "igw-thing-pubsub.h"
#include "igw-xmpp-manager.h"
#include "igw-xmpp-session.h"

#define IGW_XMPP_MANAGER_PRESENCE_CHECK_S 30
#define IGW_XMPP_MANAGER_SHUTDOWN_WAIT_MS 3000

/* one adopted thing's transport and the protocol objects that speak for it */
typedef struct {
	IgwXmppManager *manager;
	IgwThing *thing;
	IgwXmppSession *session;
	IgwThingAgent *agent;
	IgwThingPubsub *pubsub; /* the thesis's nodes on its pubsub service, if enabled */
	IgwThingMuc *muc;	/* its topic rooms */
	gulong reading_id;
} IgwXmppFace;

struct _IgwXmppManager {
	GObject parent_instance;
	IgwEngine *engine;
	IgwXmppServer *server;
	IgwXmppPool *pool;
	GHashTable *faces;  /* thing id -> IgwXmppFace */
	GPtrArray *retired; /* sessions still saying goodbye */
	IgwXmppSession *gateway_session;
	IgwThingAgent *gateway_agent;
	IgwConcentrator *concentrator; /* XEP-0326 on the gateway's JID */
	guint presence_id;
	guint presence_interval;
};

G_DEFINE_TYPE(IgwXmppManager, igw_xmpp_manager, G_TYPE_OBJECT)

static IgwConfig *
igw_xmpp_manager_config(IgwXmppManager *self)
{
	return igw_engine_get_config(self->engine);
}

/* the gateway's own limits on requests, from [xmpp] */
static void
igw_xmpp_manager_apply_limits(IgwXmppManager *self, IgwThingAgent *agent)
{
	IgwConfig *config = igw_xmpp_manager_config(self);
	IgwRequestLimits limits = {
	    .max_chat_bytes = config->max_chat_bytes,
	    .max_request_elements = config->max_request_elements,
	    .request_burst = config->request_burst,
	    .request_rate = config->request_rate,
	    .owner_request_burst = config->owner_request_burst,
	    .owner_request_rate = config->owner_request_rate,
	};
	igw_thing_agent_set_limits(agent, &limits);
}

/* the transport layer's settings, from the daemon's config */
static IgwXmppServer *
igw_xmpp_manager_new_server(IgwConfig *config)
{
	IgwXmppServer *server = igw_xmpp_server_new();
	server->host = g_strdup(config->host);
	server->port = config->port;
	server->domain = g_strdup(config->domain);
	server->tls =
	    config->tls == IGW_TLS_DISABLED ? IGW_XMPP_TLS_DISABLED : IGW_XMPP_TLS_REQUIRED;
	server->ca_file = g_strdup(config->ca_file);
	server->pinned_cert = g_strdup(config->pinned_cert);
	server->resource = g_strdup(config->resource);
	server->register_accounts = config->register_accounts;
	server->login_timeout = config->login_timeout;
	return server;
}

/*
 * libstrophe 0.12 builds an SSL_CTX per connect and always loads OpenSSL's
 * default verify paths: the whole system CA bundle, ~75 ms CPU and most of a
 * megabyte per session. With ca_file set, make that file the default paths,
 * so it is the only trust anchor and each connect stays cheap.
 */
static void
igw_xmpp_manager_apply_trust(IgwConfig *config)
{
	if (config->ca_file == NULL)
		return;
	g_setenv("SSL_CERT_FILE", config->ca_file, TRUE);
	g_setenv("SSL_CERT_DIR", "/nonexistent", TRUE);
}

/******************************************************************************/
/* sessions                                                                   */
/******************************************************************************/

static void
igw_xmpp_manager_registered_cb(IgwXmppSession *session, const gchar *password, IgwXmppManager *self)
{
	const gchar *thing_id = g_object_get_data(G_OBJECT(session), "igw-thing-id");
	const gchar *jid = g_object_get_data(G_OBJECT(session), "igw-jid");
	igw_engine_set_thing_credentials(self->engine, thing_id, jid, password);
}

static void
igw_xmpp_manager_session_state_cb(IgwXmppSession *session, IgwXmppManager *self)
{
	for (guint i = 0; i < self->retired->len; i++) {
		IgwXmppSession *retired = g_ptr_array_index(self->retired, i);
		if (igw_xmpp_session_get_state(retired) == IGW_XMPP_SESSION_STATE_STOPPED) {
			g_ptr_array_remove_index_fast(self->retired, i);
			break;
		}
	}
	igw_engine_sessions_changed(self->engine, NULL, NULL);
}

/* @thing_id NULL for the gateway's */
static IgwXmppSession *
igw_xmpp_manager_new_session(IgwXmppManager *self, const gchar *label, const gchar *thing_id,
			     const gchar *jid, const gchar *password)
{
	IgwXmppSession *session = igw_xmpp_session_new(label, self->server, self->pool);
	igw_xmpp_session_set_credentials(session, jid, password);
	g_object_set_data_full(G_OBJECT(session), "igw-thing-id", g_strdup(thing_id), g_free);
	g_object_set_data_full(G_OBJECT(session), "igw-jid", g_strdup(jid), g_free);
	g_signal_connect(session, "registered", G_CALLBACK(igw_xmpp_manager_registered_cb), self);
	g_signal_connect(session, "state-changed", G_CALLBACK(igw_xmpp_manager_session_state_cb),
			 self);
	return session;
}

static void
igw_xmpp_manager_start_session(IgwXmppFace *face)
{
	g_autoptr(GError) error = NULL;
	if (igw_xmpp_session_start(face->session, &error))
		return;
	g_warning("thing %s: not connected: %s; raise max_sessions or use fewer things",
		  igw_thing_get_id(face->thing), error->message);
}

/* a freed session slot may let a waiting thing in */
static void
igw_xmpp_manager_start_idle_sessions(IgwXmppManager *self)
{
	GHashTableIter iter;
	IgwXmppFace *face;
	g_hash_table_iter_init(&iter, self->faces);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&face)) {
		if (igw_xmpp_session_get_state(face->session) == IGW_XMPP_SESSION_STATE_IDLE &&
		    igw_xmpp_pool_get_reserved(self->pool) <
			igw_xmpp_manager_config(self)->max_sessions)
			igw_xmpp_manager_start_session(face);
	}
}

/******************************************************************************/
/* presence                                                                   */
/******************************************************************************/

/* overdue readings turn presence to away or xa; one wakeup for all things */
static gboolean
igw_xmpp_manager_presence_cb(gpointer user_data)
{
	IgwXmppManager *self = user_data;
	GHashTableIter iter;
	IgwXmppFace *face;
	g_hash_table_iter_init(&iter, self->faces);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&face))
		igw_thing_agent_update_presence(face->agent);
	return G_SOURCE_CONTINUE;
}

/*
 * check as often as the most frequent reporter reports, so that "overdue"
 * is seen in time, but at most once a second and at least twice a minute
 */
static void
igw_xmpp_manager_schedule_presence_check(IgwXmppManager *self)
{
	guint interval = IGW_XMPP_MANAGER_PRESENCE_CHECK_S;
	GHashTableIter iter;
	IgwXmppFace *face;
	g_hash_table_iter_init(&iter, self->faces);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&face)) {
		guint report = igw_thing_get_report_interval(face->thing);
		if (report > 0)
			interval = MIN(interval, MAX(report, 1));
	}
	if (self->presence_id != 0 && interval == self->presence_interval)
		return;
	g_clear_handle_id(&self->presence_id, g_source_remove);
	self->presence_interval = interval;
	self->presence_id = g_timeout_add_seconds(interval, igw_xmpp_manager_presence_cb, self);
}

/* the core stored it first: the thing's own listeners run after the core's */
static void
igw_xmpp_manager_reading_cb(IgwThing *thing, IgwReading *reading, IgwXmppFace *face)
{
	igw_thing_agent_update_presence(face->agent);
}

/******************************************************************************/
/* what the protocol objects ask                                              */
/******************************************************************************/

/* XEP-0323 historical readouts; the engine outlives every agent */
static GPtrArray *
igw_xmpp_manager_history_cb(const gchar *thing_id, const gchar *field, gint64 from, gint64 to,
			    gpointer user_data, GError **error)
{
	IgwXmppManager *self = user_data;
	return igw_engine_get_readings(self->engine, thing_id, field, from, to, 0, error);
}

/* the profile a peer is answered in: the store's, kept there from the config */
static IgwIotProfile
igw_xmpp_manager_profile_cb(const gchar *bare_jid, gpointer user_data)
{
	IgwXmppManager *self = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *stored = NULL;
	IgwIotProfile profile = IGW_IOT_PROFILE_SLIXMPP;
	if (!igw_engine_get_peer_profile(self->engine, bare_jid, &stored, &error)) {
		g_debug("%s; answering in the default profile", error->message);
		return profile;
	}
	if (stored != NULL && !igw_iot_profile_from_string(stored, &profile))
		g_debug("peer %s: unknown stored profile %s, answering in the default one",
			bare_jid, stored);
	return profile;
}

static void
igw_xmpp_manager_greeted_cb(IgwThingAgent *agent, IgwXmppManager *self)
{
	IgwThing *thing = igw_thing_agent_get_thing(agent);
	if (thing != NULL)
		igw_engine_set_thing_greeted(self->engine, igw_thing_get_id(thing));
}

/******************************************************************************/
/* things                                                                     */
/******************************************************************************/

static void
igw_xmpp_face_free(IgwXmppFace *face)
{
	IgwXmppManager *self = face->manager;
	g_clear_signal_handler(&face->reading_id, face->thing);
	g_signal_handlers_disconnect_by_data(face->session, face);
	g_clear_pointer(&face->pubsub, igw_thing_pubsub_free);
	g_clear_pointer(&face->muc, igw_thing_muc_free);
	/* the session says goodbye (unavailable presence) in the background */
	igw_xmpp_session_stop(face->session);
	if (igw_xmpp_session_get_state(face->session) != IGW_XMPP_SESSION_STATE_STOPPED)
		g_ptr_array_add(self->retired, g_object_ref(face->session));
	g_clear_object(&face->agent);
	g_clear_object(&face->session);
	g_object_unref(face->thing);
	g_free(face);
}

static void
igw_xmpp_manager_face_session_cb(IgwXmppSession *session, IgwXmppFace *face)
{
	igw_engine_sessions_changed(face->manager->engine, face->thing, "session");
}

static void
igw_xmpp_manager_face_online_cb(IgwTransport *transport, IgwXmppFace *face)
{
	igw_engine_sessions_changed(face->manager->engine, face->thing, "online");
}

static void
igw_xmpp_manager_add_rooms_and_nodes(IgwXmppManager *self, IgwXmppFace *face, IgwPlugin *plugin)
{
	IgwConfig *config = igw_xmpp_manager_config(self);
	IgwContext *context = igw_engine_get_context(self->engine);
	IgwTransport *transport = IGW_TRANSPORT(face->session);
	face->muc =
	    igw_thing_muc_new(transport, context, plugin, face->thing, face->agent, config->rooms);
	if (config->pubsub_enabled)
		face->pubsub = igw_thing_pubsub_new(transport, context, plugin, face->thing,
						    face->agent, config);
}

/* a session and an XMPP face for a thing the core adopted */
static void
igw_xmpp_manager_connect(IgwXmppManager *self, IgwThing *thing)
{
	const gchar *id = igw_thing_get_id(thing);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *jid = NULL;
	g_autofree gchar *password = NULL;
	g_autofree gchar *label = g_strdup_printf("thing %s", id);
	g_auto(GStrv) owners = igw_engine_get_owners(self->engine, id);
	IgwPlugin *plugin = igw_engine_get_thing_plugin(self->engine, id);
	IgwXmppFace *face;
	gboolean greeted = FALSE;

	if (g_hash_table_contains(self->faces, id))
		return;
	if (!igw_engine_get_thing_account(self->engine, id, &jid, &password, &greeted, &error)) {
		g_warning("thing %s: no XMPP account: %s", id, error->message);
		return;
	}
	face = g_new0(IgwXmppFace, 1);
	face->manager = self;
	face->thing = g_object_ref(thing);
	face->session = igw_xmpp_manager_new_session(self, label, id, jid, password);
	face->agent = igw_thing_agent_new(IGW_TRANSPORT(face->session),
					  igw_engine_get_context(self->engine), plugin, thing);
	igw_thing_agent_set_owners(face->agent, (const gchar *const *)owners);
	igw_thing_agent_set_control(face->agent, igw_engine_get_control(self->engine));
	igw_thing_agent_set_history_func(face->agent, igw_xmpp_manager_history_cb, self);
	igw_thing_agent_set_profile_func(face->agent, igw_xmpp_manager_profile_cb, self);
	igw_thing_agent_set_greeted(face->agent, greeted);
	igw_xmpp_manager_apply_limits(self, face->agent);
	g_signal_connect(face->agent, "greeted", G_CALLBACK(igw_xmpp_manager_greeted_cb), self);
	igw_xmpp_manager_add_rooms_and_nodes(self, face, plugin);
	g_signal_connect(face->session, "online", G_CALLBACK(igw_xmpp_manager_face_online_cb),
			 face);
	g_signal_connect(face->session, "state-changed",
			 G_CALLBACK(igw_xmpp_manager_face_session_cb), face);
	face->reading_id =
	    g_signal_connect(thing, "reading", G_CALLBACK(igw_xmpp_manager_reading_cb), face);
	g_hash_table_insert(self->faces, g_strdup(id), face);
	g_message("thing %s: adopted as %s", id, jid);
	igw_xmpp_manager_start_session(face);
	if (!igw_engine_get_shutting_down(self->engine) && self->presence_id != 0)
		igw_xmpp_manager_schedule_presence_check(self);
}

/* TRUE if the thing had a face */
static gboolean
igw_xmpp_manager_disconnect(IgwXmppManager *self, IgwThing *thing)
{
	return g_hash_table_remove(self->faces, igw_thing_get_id(thing));
}

static void
igw_xmpp_manager_thing_removed(IgwXmppManager *self, IgwThing *thing)
{
	if (g_hash_table_contains(self->faces, igw_thing_get_id(thing)))
		g_message("thing %s: removed, going offline", igw_thing_get_id(thing));
	if (!igw_xmpp_manager_disconnect(self, thing) || igw_engine_get_shutting_down(self->engine))
		return;
	igw_xmpp_manager_start_idle_sessions(self);
	igw_xmpp_manager_schedule_presence_check(self);
}

static void
igw_xmpp_manager_thing_changed_cb(IgwEngine *engine, IgwThing *thing, const gchar *change,
				  IgwXmppManager *self)
{
	IgwXmppFace *face = g_hash_table_lookup(self->faces, igw_thing_get_id(thing));
	if (g_strcmp0(change, "adopted") == 0)
		igw_xmpp_manager_connect(self, thing);
	else if (g_strcmp0(change, "blocked") == 0 || g_strcmp0(change, "forgotten") == 0)
		igw_xmpp_manager_disconnect(self, thing);
	else if (g_strcmp0(change, "removed") == 0)
		igw_xmpp_manager_thing_removed(self, thing);
	else if (face != NULL &&
		 (g_strcmp0(change, "away") == 0 || g_strcmp0(change, "reachable") == 0 ||
		  g_strcmp0(change, "unreachable") == 0))
		igw_thing_agent_update_presence(face->agent);
}

/* the owners changed: every agent knows; a new owner (@greet_jid) is greeted */
static void
igw_xmpp_manager_owners_changed_cb(IgwEngine *engine, const gchar *greet_jid, IgwXmppManager *self)
{
	g_auto(GStrv) gateway_owners = igw_engine_get_owners(self->engine, NULL);
	GHashTableIter iter;
	IgwXmppFace *face;
	if (self->gateway_agent != NULL)
		igw_thing_agent_set_owners(self->gateway_agent,
					   (const gchar *const *)gateway_owners);
	g_hash_table_iter_init(&iter, self->faces);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&face)) {
		g_auto(GStrv) owners =
		    igw_engine_get_owners(self->engine, igw_thing_get_id(face->thing));
		igw_thing_agent_set_owners(face->agent, (const gchar *const *)owners);
		if (greet_jid != NULL)
			igw_thing_agent_greet_owner(face->agent, greet_jid);
	}
}

/******************************************************************************/
/* the gateway, and what the core asks                                        */
/******************************************************************************/

static void
igw_xmpp_manager_start(gpointer user_data)
{
	IgwXmppManager *self = user_data;
	IgwConfig *config = igw_xmpp_manager_config(self);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *jid = NULL;
	g_autofree gchar *password = NULL;
	if (!igw_engine_get_thing_account(self->engine, NULL, &jid, &password, NULL, &error)) {
		g_warning("gateway: no XMPP account: %s", error->message);
		return;
	}
	self->gateway_session = igw_xmpp_manager_new_session(self, "gateway", NULL, jid, password);
	igw_xmpp_session_set_counted(self->gateway_session, FALSE);
	self->gateway_agent = igw_thing_agent_new(IGW_TRANSPORT(self->gateway_session),
						  igw_engine_get_context(self->engine), NULL, NULL);
	self->concentrator =
	    igw_concentrator_new(self->engine, IGW_TRANSPORT(self->gateway_session));
	igw_concentrator_set_profile_func(self->concentrator, igw_xmpp_manager_profile_cb, self);
	igw_thing_agent_set_concentrator(self->gateway_agent, self->concentrator);
	igw_thing_agent_set_owners(self->gateway_agent, (const gchar *const *)config->owners);
	/* the gateway greets nobody: its things do */
	igw_thing_agent_set_greeted(self->gateway_agent, TRUE);
	igw_xmpp_manager_apply_limits(self, self->gateway_agent);
	if (!igw_xmpp_session_start(self->gateway_session, &error))
		g_warning("gateway: not connected: %s", error->message);
	igw_xmpp_manager_schedule_presence_check(self);
}

static gboolean
igw_xmpp_manager_sessions_stopped(IgwXmppManager *self)
{
	for (guint i = 0; i < self->retired->len; i++) {
		if (igw_xmpp_session_get_state(g_ptr_array_index(self->retired, i)) !=
		    IGW_XMPP_SESSION_STATE_STOPPED)
			return FALSE;
	}
	return TRUE;
}

static gboolean
igw_xmpp_manager_tick_cb(gpointer user_data)
{
	return G_SOURCE_CONTINUE;
}

/* the plugins are down and their things gone: everyone says goodbye */
static void
igw_xmpp_manager_stop(gpointer user_data)
{
	IgwXmppManager *self = user_data;
	gint64 deadline = g_get_monotonic_time() + IGW_XMPP_MANAGER_SHUTDOWN_WAIT_MS * 1000;
	guint timeout_id;
	g_clear_handle_id(&self->presence_id, g_source_remove);
	g_hash_table_remove_all(self->faces);
	if (self->gateway_session != NULL) {
		igw_xmpp_session_stop(self->gateway_session);
		g_ptr_array_add(self->retired, g_object_ref(self->gateway_session));
	}
	/* a timer keeps the loop from blocking past the deadline */
	timeout_id = g_timeout_add(100, igw_xmpp_manager_tick_cb, NULL);
	while (!igw_xmpp_manager_sessions_stopped(self) && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(timeout_id);
}

static const gchar *
igw_xmpp_manager_describe_session(IgwXmppSession *session, const gchar **reason)
{
	if (reason != NULL)
		*reason = NULL;
	if (session == NULL)
		return "none";
	if (reason != NULL)
		*reason = igw_xmpp_session_get_state_reason(session);
	return igw_xmpp_session_state_to_string(igw_xmpp_session_get_state(session));
}

static const gchar *
igw_xmpp_manager_get_session(gpointer user_data, const gchar *thing_id, const gchar **reason)
{
	IgwXmppManager *self = user_data;
	IgwXmppFace *face = thing_id != NULL ? g_hash_table_lookup(self->faces, thing_id) : NULL;
	if (thing_id == NULL)
		return igw_xmpp_manager_describe_session(self->gateway_session, reason);
	return igw_xmpp_manager_describe_session(face != NULL ? face->session : NULL, reason);
}

static void
igw_xmpp_manager_count_sessions(gpointer user_data, guint *online, guint *connecting, guint *failed)
{
	IgwXmppManager *self = user_data;
	GHashTableIter iter;
	IgwXmppFace *face;
	*online = *connecting = *failed = 0;
	g_hash_table_iter_init(&iter, self->faces);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&face)) {
		IgwXmppSessionState state = igw_xmpp_session_get_state(face->session);
		*online += state == IGW_XMPP_SESSION_STATE_ONLINE;
		*connecting += state == IGW_XMPP_SESSION_STATE_CONNECTING ||
			       state == IGW_XMPP_SESSION_STATE_REGISTERING ||
			       state == IGW_XMPP_SESSION_STATE_WAITING ||
			       state == IGW_XMPP_SESSION_STATE_BACKOFF;
		*failed += state == IGW_XMPP_SESSION_STATE_AUTH_FAILED ||
			   state == IGW_XMPP_SESSION_STATE_IDLE;
	}
}

/* what the pubsub modules say, each distinct text once: NULL for none yet */
static GPtrArray *
igw_xmpp_manager_describe_pubsub(gpointer user_data)
{
	IgwXmppManager *self = user_data;
	GPtrArray *seen = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter iter;
	IgwXmppFace *face;
	g_hash_table_iter_init(&iter, self->faces);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&face)) {
		const gchar *text =
		    face->pubsub != NULL ? igw_thing_pubsub_describe(face->pubsub) : NULL;
		if (text != NULL &&
		    !g_ptr_array_find_with_equal_func(seen, text, g_str_equal, NULL))
			g_ptr_array_add(seen, g_strdup(text));
	}
	return seen;
}

static const IgwEngineSessions igw_xmpp_manager_sessions = {
    .start = igw_xmpp_manager_start,
    .stop = igw_xmpp_manager_stop,
    .get_session = igw_xmpp_manager_get_session,
    .count_sessions = igw_xmpp_manager_count_sessions,
    .describe_pubsub = igw_xmpp_manager_describe_pubsub,
};

void
igw_xmpp_manager_reload(IgwXmppManager *self)
{
	IgwConfig *config = igw_xmpp_manager_config(self);
	g_return_if_fail(IGW_IS_XMPP_MANAGER(self));
	igw_xmpp_pool_set_limits(self->pool, config->max_sessions, config->max_logins_in_flight);
}

static void
igw_xmpp_manager_dispose(GObject *object)
{
	IgwXmppManager *self = IGW_XMPP_MANAGER(object);
	g_clear_handle_id(&self->presence_id, g_source_remove);
	if (self->engine != NULL) {
		g_signal_handlers_disconnect_by_data(self->engine, self);
		igw_engine_set_sessions(self->engine, NULL, NULL);
	}
	if (self->gateway_agent != NULL)
		igw_thing_agent_set_concentrator(self->gateway_agent, NULL);
	g_clear_pointer(&self->concentrator, igw_concentrator_free);
	g_hash_table_remove_all(self->faces);
	g_ptr_array_set_size(self->retired, 0);
	g_clear_object(&self->gateway_agent);
	g_clear_object(&self->gateway_session);
	g_clear_object(&self->pool);
	g_clear_object(&self->engine);
	G_OBJECT_CLASS(igw_xmpp_manager_parent_class)->dispose(object);
}

static void
igw_xmpp_manager_finalize(GObject *object)
{
	IgwXmppManager *self = IGW_XMPP_MANAGER(object);
	g_hash_table_unref(self->faces);
	g_ptr_array_unref(self->retired);
	g_clear_pointer(&self->server, igw_xmpp_server_unref);
	G_OBJECT_CLASS(igw_xmpp_manager_parent_class)->finalize(object);
}

static void
igw_xmpp_manager_class_init(IgwXmppManagerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = igw_xmpp_manager_dispose;
	object_class->finalize = igw_xmpp_manager_finalize;
}

static void
igw_xmpp_manager_init(IgwXmppManager *self)
{
	self->faces = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    (GDestroyNotify)igw_xmpp_face_free);
	self->retired = g_ptr_array_new_with_free_func(g_object_unref);
}

IgwXmppManager *
igw_xmpp_manager_new(IgwEngine *engine)
{
	IgwXmppManager *self = g_object_new(IGW_TYPE_XMPP_MANAGER, NULL);
	IgwConfig *config = igw_engine_get_config(engine);
	self->engine = g_object_ref(engine);
	self->server = igw_xmpp_manager_new_server(config);
	self->pool = igw_xmpp_pool_new(config->max_sessions, config->max_logins_in_flight);
	igw_xmpp_manager_apply_trust(config);
	igw_engine_set_sessions(engine, &igw_xmpp_manager_sessions, self);
	g_signal_connect(engine, "thing-changed", G_CALLBACK(igw_xmpp_manager_thing_changed_cb),
			 self);
	g_signal_connect(engine, "owners-changed", G_CALLBACK(igw_xmpp_manager_owners_changed_cb),
			 self);
	return self;
}
