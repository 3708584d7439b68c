/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwEngine"

#include "config.h"

#include <string.h>

#include "igw-context.h"
#include "igw-engine.h"
#include "igw-error.h"
#include "igw-plugin-private.h"
#include "igw-store.h"
#include "igw-thing-agent.h"
#include "igw-xmpp-session.h"

#define IGW_ENGINE_FLUSH_DELAY_MS 500
#define IGW_ENGINE_PRESENCE_CHECK_S 30
#define IGW_ENGINE_PRUNE_INTERVAL_S 3600
#define IGW_ENGINE_SHUTDOWN_WAIT_MS 3000
#define IGW_GATEWAY_KEY ""

#ifdef IGW_BUILTIN_PLUGIN_SIM
void
igw_plugin_sim_init_vfuncs(IgwPluginVfuncs *vfuncs);
#endif

static const struct {
	const gchar *name;
	IgwPluginInitFunc init;
} igw_builtin_plugins[] = {
#ifdef IGW_BUILTIN_PLUGIN_SIM
    {"sim", igw_plugin_sim_init_vfuncs},
#endif
    {NULL, NULL},
};

/* one proxied thing: its model, its plugin, its session and its XMPP face */
typedef struct {
	IgwThing *thing;
	IgwPlugin *plugin;
	IgwXmppSession *session;
	IgwThingAgent *agent;
} IgwEngineThing;

struct _IgwEngine {
	GObject parent_instance;
	IgwConfig *config;
	gchar *state_dir;
	IgwStore *store;
	IgwContext *context;
	IgwXmppServer *server;
	IgwXmppPool *pool;
	GPtrArray *plugins;
	GHashTable *things; /* id -> IgwEngineThing */
	GPtrArray *retired; /* sessions still saying goodbye */
	IgwXmppSession *gateway_session;
	IgwThingAgent *gateway_agent;
	guint flush_id;
	guint presence_id;
	guint presence_interval;
	guint prune_id;
	gboolean shutting_down;
};

enum { SIGNAL_STATUS_CHANGED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST];

G_DEFINE_TYPE(IgwEngine, igw_engine, G_TYPE_OBJECT)

/*
 * "sim:kitchen" -> "sim-kitchen", "ble:AA:BB:CC:DD:EE:FF" -> "ble-aa-bb-cc-dd-ee-ff":
 * lower case, every run of other characters becomes one '-'. Two ids that map
 * to the same text are told apart by the store (-2, -3...), which keeps the
 * first choice for ever, so a thing's JID never changes.
 */
gchar *
igw_engine_localpart_for_id(const gchar *thing_id)
{
	g_autoptr(GString) localpart = g_string_new(NULL);
	for (const gchar *p = thing_id; *p != '\0'; p++) {
		if (g_ascii_isalnum(*p))
			g_string_append_c(localpart, g_ascii_tolower(*p));
		else if (localpart->len > 0 && localpart->str[localpart->len - 1] != '-')
			g_string_append_c(localpart, '-');
	}
	while (localpart->len > 0 && localpart->str[localpart->len - 1] == '-')
		g_string_truncate(localpart, localpart->len - 1);
	if (localpart->len == 0)
		g_string_append(localpart, "thing");
	return g_string_free(g_steal_pointer(&localpart), FALSE);
}

static void
igw_engine_thing_free(IgwEngineThing *entry)
{
	g_clear_object(&entry->agent);
	g_clear_object(&entry->session);
	g_clear_object(&entry->plugin);
	g_clear_object(&entry->thing);
	g_free(entry);
}

static void
igw_engine_emit_status(IgwEngine *self)
{
	g_signal_emit(self, signals[SIGNAL_STATUS_CHANGED], 0);
}

/* the sd_notify STATUS line: counts, and why the gateway is not online */
gchar *
igw_engine_get_status(IgwEngine *self)
{
	GHashTableIter iter;
	gpointer value;
	guint online = 0;
	guint failed = 0;
	IgwXmppSessionState state = IGW_XMPP_SESSION_STATE_IDLE;
	const gchar *reason = NULL;
	g_hash_table_iter_init(&iter, self->things);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwEngineThing *entry = value;
		IgwXmppSessionState thing_state = igw_xmpp_session_get_state(entry->session);
		online += thing_state == IGW_XMPP_SESSION_STATE_ONLINE;
		failed += thing_state == IGW_XMPP_SESSION_STATE_AUTH_FAILED ||
			  thing_state == IGW_XMPP_SESSION_STATE_IDLE;
	}
	if (self->gateway_session != NULL) {
		state = igw_xmpp_session_get_state(self->gateway_session);
		reason = igw_xmpp_session_get_state_reason(self->gateway_session);
	}
	return g_strdup_printf("%u things, %u online, %u failed; gateway %s%s%s",
			       g_hash_table_size(self->things), online, failed,
			       igw_xmpp_session_state_to_string(state), reason != NULL ? ": " : "",
			       reason != NULL ? reason : "");
}

static IgwPlugin *
igw_engine_find_plugin(IgwEngine *self, const gchar *name)
{
	for (guint i = 0; i < self->plugins->len; i++) {
		IgwPlugin *plugin = g_ptr_array_index(self->plugins, i);
		if (g_strcmp0(igw_plugin_get_name(plugin), name) == 0)
			return plugin;
	}
	return NULL;
}

/* config credentials win over stored ones; none at all means register */
static void
igw_engine_load_credentials(IgwEngine *self, const gchar *key, const gchar *group, const gchar *default_jid,
			    gchar **jid, gchar **password)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *config_jid = group != NULL ? g_key_file_get_string(self->config->keyfile, group, "jid", NULL) : NULL;
	g_autofree gchar *config_password =
	    group != NULL ? g_key_file_get_string(self->config->keyfile, group, "password", NULL) : NULL;
	if (config_jid != NULL) {
		*jid = g_steal_pointer(&config_jid);
		*password = g_steal_pointer(&config_password);
		return;
	}
	if (!igw_store_get_credentials(self->store, key, jid, password, &error))
		g_debug("no stored credentials for %s: %s", key[0] != '\0' ? key : "gateway", error->message);
	if (*jid == NULL || g_strcmp0(*jid, default_jid) != 0) {
		g_free(*jid);
		g_free(*password);
		*jid = g_strdup(default_jid);
		*password = NULL;
	}
}

static void
igw_engine_registered_cb(IgwXmppSession *session, const gchar *password, IgwEngine *self)
{
	g_autoptr(GError) error = NULL;
	const gchar *key = g_object_get_data(G_OBJECT(session), "igw-key");
	const gchar *jid = g_object_get_data(G_OBJECT(session), "igw-jid");
	if (!igw_store_set_credentials(self->store, key, jid, password, &error))
		g_warning("%s: cannot store the new credentials: %s", jid, error->message);
}

static void
igw_engine_greeted_cb(IgwThingAgent *agent, IgwEngine *self)
{
	g_autoptr(GError) error = NULL;
	IgwThing *thing = igw_thing_agent_get_thing(agent);
	if (thing != NULL && !igw_store_set_greeted(self->store, igw_thing_get_id(thing), &error))
		g_warning("thing %s: %s", igw_thing_get_id(thing), error->message);
}

static void
igw_engine_session_state_cb(IgwXmppSession *session, IgwEngine *self)
{
	for (guint i = 0; i < self->retired->len; i++) {
		IgwXmppSession *retired = g_ptr_array_index(self->retired, i);
		if (igw_xmpp_session_get_state(retired) == IGW_XMPP_SESSION_STATE_STOPPED) {
			g_ptr_array_remove_index_fast(self->retired, i);
			break;
		}
	}
	igw_engine_emit_status(self);
}

static IgwXmppSession *
igw_engine_new_session(IgwEngine *self, const gchar *label, const gchar *key, const gchar *jid,
		       const gchar *password)
{
	IgwXmppSession *session = igw_xmpp_session_new(label, self->server, self->pool);
	igw_xmpp_session_set_credentials(session, jid, password);
	g_object_set_data_full(G_OBJECT(session), "igw-key", g_strdup(key), g_free);
	g_object_set_data_full(G_OBJECT(session), "igw-jid", g_strdup(jid), g_free);
	g_signal_connect(session, "registered", G_CALLBACK(igw_engine_registered_cb), self);
	g_signal_connect(session, "state-changed", G_CALLBACK(igw_engine_session_state_cb), self);
	return session;
}

static void
igw_engine_start_session(IgwEngine *self, IgwEngineThing *entry)
{
	g_autoptr(GError) error = NULL;
	if (igw_xmpp_session_start(entry->session, &error))
		return;
	g_warning("thing %s: not connected: %s; raise max_sessions or use fewer things",
		  igw_thing_get_id(entry->thing), error->message);
}

/* overdue readings turn presence to away or xa; one wakeup for all things */
static gboolean
igw_engine_presence_cb(gpointer user_data)
{
	IgwEngine *self = user_data;
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, self->things);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		igw_thing_agent_update_presence(((IgwEngineThing *)value)->agent);
	return G_SOURCE_CONTINUE;
}

/*
 * check as often as the most frequent reporter reports, so that "overdue"
 * is seen in time, but at most once a second and at least twice a minute
 */
static void
igw_engine_schedule_presence_check(IgwEngine *self)
{
	guint interval = IGW_ENGINE_PRESENCE_CHECK_S;
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, self->things);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		guint report = igw_thing_get_report_interval(((IgwEngineThing *)value)->thing);
		if (report > 0)
			interval = MIN(interval, MAX(report, 1));
	}
	if (self->presence_id != 0 && interval == self->presence_interval)
		return;
	g_clear_handle_id(&self->presence_id, g_source_remove);
	self->presence_interval = interval;
	self->presence_id = g_timeout_add_seconds(interval, igw_engine_presence_cb, self);
}

static gboolean
igw_engine_prepare_thing(IgwEngine *self, IgwThing *thing, gchar **jid, gchar **password, gboolean *greeted,
			 GError **error)
{
	const gchar *id = igw_thing_get_id(thing);
	g_autofree gchar *proposed = igw_engine_localpart_for_id(id);
	g_autofree gchar *localpart = NULL;
	g_autofree gchar *default_jid = NULL;
	g_autofree gchar *group = igw_context_get_thing_group(id);
	g_auto(GStrv) owners = igw_config_get_thing_owners(self->config, id);

	if (!igw_store_upsert_thing(self->store, thing, error))
		return FALSE;
	localpart = igw_store_ensure_localpart(self->store, id, proposed, error);
	if (localpart == NULL)
		return FALSE;
	default_jid = g_strdup_printf("%s@%s", localpart, self->config->domain);
	igw_engine_load_credentials(self, id, group, default_jid, jid, password);
	if (!igw_store_set_owners(self->store, id, (const gchar *const *)owners, error))
		return FALSE;
	return igw_store_get_greeted(self->store, id, greeted, error);
}

static void
igw_engine_thing_added_cb(IgwContext *context, IgwThing *thing, IgwEngine *self)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *jid = NULL;
	g_autofree gchar *password = NULL;
	g_autofree gchar *label = NULL;
	g_auto(GStrv) owners = igw_config_get_thing_owners(self->config, igw_thing_get_id(thing));
	gboolean greeted = FALSE;
	IgwEngineThing *entry;

	if (!igw_engine_prepare_thing(self, thing, &jid, &password, &greeted, &error)) {
		g_warning("thing %s: cannot be stored, not proxied: %s", igw_thing_get_id(thing), error->message);
		return;
	}
	label = g_strdup_printf("thing %s", igw_thing_get_id(thing));
	entry = g_new0(IgwEngineThing, 1);
	entry->thing = g_object_ref(thing);
	entry->plugin = g_object_ref(igw_engine_find_plugin(self, igw_thing_get_plugin_name(thing)));
	entry->session = igw_engine_new_session(self, label, igw_thing_get_id(thing), jid, password);
	entry->agent = igw_thing_agent_new(IGW_TRANSPORT(entry->session), self->context, entry->plugin, thing);
	igw_thing_agent_set_owners(entry->agent, (const gchar *const *)owners);
	igw_thing_agent_set_greeted(entry->agent, greeted);
	g_signal_connect(entry->agent, "greeted", G_CALLBACK(igw_engine_greeted_cb), self);
	g_hash_table_insert(self->things, g_strdup(igw_thing_get_id(thing)), entry);
	g_message("thing %s: added as %s", igw_thing_get_id(thing), jid);
	igw_engine_start_session(self, entry);
	if (!self->shutting_down && self->presence_id != 0)
		igw_engine_schedule_presence_check(self);
	igw_engine_emit_status(self);
}

/* a freed session slot may let a waiting thing in */
static void
igw_engine_start_idle_sessions(IgwEngine *self)
{
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, self->things);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwEngineThing *entry = value;
		if (igw_xmpp_session_get_state(entry->session) == IGW_XMPP_SESSION_STATE_IDLE &&
		    igw_xmpp_pool_get_reserved(self->pool) < self->config->max_sessions)
			igw_engine_start_session(self, entry);
	}
}

static void
igw_engine_thing_removed_cb(IgwContext *context, IgwThing *thing, IgwEngine *self)
{
	IgwEngineThing *entry = g_hash_table_lookup(self->things, igw_thing_get_id(thing));
	if (entry == NULL)
		return;
	g_message("thing %s: removed, going offline", igw_thing_get_id(thing));
	igw_xmpp_session_stop(entry->session);
	if (igw_xmpp_session_get_state(entry->session) != IGW_XMPP_SESSION_STATE_STOPPED)
		g_ptr_array_add(self->retired, g_object_ref(entry->session));
	g_hash_table_remove(self->things, igw_thing_get_id(thing));
	if (!self->shutting_down) {
		igw_engine_start_idle_sessions(self);
		igw_engine_schedule_presence_check(self);
	}
	igw_engine_emit_status(self);
}

static gboolean
igw_engine_flush_cb(gpointer user_data)
{
	IgwEngine *self = user_data;
	g_autoptr(GError) error = NULL;
	self->flush_id = 0;
	/* on failure the readings stay queued for the next try */
	if (!igw_store_flush(self->store, &error)) {
		g_warning("%s; %u readings kept in memory", error->message, igw_store_get_pending(self->store));
		self->flush_id = g_timeout_add_seconds(5, igw_engine_flush_cb, self);
	}
	return G_SOURCE_REMOVE;
}

static void
igw_engine_reading_cb(IgwContext *context, IgwThing *thing, IgwReading *reading, IgwEngine *self)
{
	IgwEngineThing *entry = g_hash_table_lookup(self->things, igw_thing_get_id(thing));
	igw_store_add_reading(self->store, reading);
	if (self->flush_id == 0)
		self->flush_id = g_timeout_add(IGW_ENGINE_FLUSH_DELAY_MS, igw_engine_flush_cb, self);
	if (entry != NULL)
		igw_thing_agent_update_presence(entry->agent);
}

static void
igw_engine_reachable_cb(IgwContext *context, IgwThing *thing, IgwEngine *self)
{
	IgwEngineThing *entry = g_hash_table_lookup(self->things, igw_thing_get_id(thing));
	g_info("thing %s: %s", igw_thing_get_id(thing), igw_thing_get_reachable(thing) ? "reachable" : "unreachable");
	if (entry != NULL)
		igw_thing_agent_update_presence(entry->agent);
}

static gboolean
igw_engine_prune_cb(gpointer user_data)
{
	IgwEngine *self = user_data;
	g_autoptr(GPtrArray) things = igw_context_get_things(self->context);
	gint64 max_age = (gint64)self->config->history_max_age_days * 24 * 3600 * G_USEC_PER_SEC;
	for (guint i = 0; i < things->len; i++) {
		g_autoptr(GError) error = NULL;
		const gchar *id = igw_thing_get_id(g_ptr_array_index(things, i));
		guint removed = 0;
		if (!igw_store_prune(self->store, id, max_age, self->config->history_max_rows, &removed, &error))
			g_warning("thing %s: %s", id, error->message);
		else if (removed > 0)
			g_info("thing %s: pruned %u old readings", id, removed);
	}
	return G_SOURCE_CONTINUE;
}

static void
igw_engine_add_plugin(IgwEngine *self, IgwPlugin *plugin)
{
	const gchar *name = igw_plugin_get_name(plugin);
	if (g_strv_contains((const gchar *const *)self->config->disabled_plugins, name)) {
		g_info("plugin %s: disabled by config", name);
		return;
	}
	if (igw_engine_find_plugin(self, name) != NULL) {
		g_info("plugin %s: built in already, module skipped", name);
		return;
	}
	g_ptr_array_add(self->plugins, g_object_ref(plugin));
}

static void
igw_engine_load_modules(IgwEngine *self)
{
	g_autoptr(GDir) dir = g_dir_open(self->config->plugin_dir, 0, NULL);
	const gchar *name;
	if (dir == NULL)
		return;
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *path = NULL;
		g_autoptr(IgwPlugin) plugin = NULL;
		if (!g_str_has_suffix(name, ".so"))
			continue;
		path = g_build_filename(self->config->plugin_dir, name, NULL);
		plugin = igw_plugin_new_from_module(path, self->context, &error);
		if (plugin == NULL) {
			g_warning("plugin module skipped: %s", error->message);
			continue;
		}
		igw_engine_add_plugin(self, plugin);
	}
}

static void
igw_engine_load_plugins(IgwEngine *self)
{
	for (guint i = 0; igw_builtin_plugins[i].name != NULL; i++) {
		g_autoptr(IgwPlugin) plugin =
		    igw_plugin_new_builtin(igw_builtin_plugins[i].name, igw_builtin_plugins[i].init, self->context);
		igw_engine_add_plugin(self, plugin);
	}
	igw_engine_load_modules(self);
}

/* every [thing ID] group must belong to a plugin that is here */
gboolean
igw_engine_check_config(IgwEngine *self, IgwConfig *config, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(config->keyfile, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		g_autofree gchar *plugin_name = NULL;
		if (!g_str_has_prefix(groups[i], "thing "))
			continue;
		plugin_name = g_strndup(groups[i] + 6, strcspn(groups[i] + 6, ":"));
		if (igw_engine_find_plugin(self, plugin_name) == NULL) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
				    "%s: [%s]: no plugin '%s' is loaded", config->path, groups[i], plugin_name);
			return FALSE;
		}
	}
	for (guint i = 0; i < self->plugins->len; i++) {
		if (!igw_plugin_runner_check_config(g_ptr_array_index(self->plugins, i), config->keyfile, error)) {
			g_prefix_error(error, "%s: ", config->path);
			return FALSE;
		}
	}
	return TRUE;
}

static void
igw_engine_start_gateway(IgwEngine *self)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *jid = NULL;
	g_autofree gchar *password = NULL;
	gboolean configured = self->config->gateway_password != NULL;
	if (configured) {
		jid = g_strdup(self->config->gateway_jid);
		password = g_strdup(self->config->gateway_password);
	} else {
		igw_engine_load_credentials(self, IGW_GATEWAY_KEY, NULL, self->config->gateway_jid, &jid, &password);
	}
	self->gateway_session = igw_engine_new_session(self, "gateway", IGW_GATEWAY_KEY, jid, password);
	igw_xmpp_session_set_counted(self->gateway_session, FALSE);
	self->gateway_agent = igw_thing_agent_new(IGW_TRANSPORT(self->gateway_session), self->context, NULL, NULL);
	igw_thing_agent_set_owners(self->gateway_agent, (const gchar *const *)self->config->owners);
	/* the gateway greets nobody: its things do */
	igw_thing_agent_set_greeted(self->gateway_agent, TRUE);
	if (!igw_xmpp_session_start(self->gateway_session, &error))
		g_warning("gateway: not connected: %s", error->message);
}

static void
igw_engine_start_plugins(IgwEngine *self)
{
	for (guint i = 0; i < self->plugins->len; i++) {
		g_autoptr(GError) error = NULL;
		IgwPlugin *plugin = g_ptr_array_index(self->plugins, i);
		/* a failing plugin is disabled alone, with its reason logged */
		if (!igw_plugin_runner_startup(plugin, &error))
			g_debug("%s", error->message);
	}
}

/*
 * libstrophe 0.12 builds an SSL_CTX per connect and always loads OpenSSL's
 * default verify paths: the whole system CA bundle, ~75 ms CPU and most of a
 * megabyte per session. With ca_file set, make that file the default paths,
 * so it is the only trust anchor and each connect stays cheap.
 */
static void
igw_engine_apply_trust(IgwConfig *config)
{
	if (config->ca_file == NULL)
		return;
	g_setenv("SSL_CERT_FILE", config->ca_file, TRUE);
	g_setenv("SSL_CERT_DIR", "/nonexistent", TRUE);
}

/* iotgwd --check-config: the whole validation, without store or network */
gboolean
igw_engine_check_only(IgwEngine *self, GError **error)
{
	igw_engine_load_plugins(self);
	return igw_engine_check_config(self, self->config, error);
}

gboolean
igw_engine_startup(IgwEngine *self, GError **error)
{
	g_autofree gchar *db_path = g_build_filename(self->state_dir, "iotgw.db", NULL);
	g_autoptr(GError) local_error = NULL;
	if (!igw_store_open(self->store, db_path, error))
		return FALSE;
	igw_engine_apply_trust(self->config);
	igw_engine_load_plugins(self);
	if (!igw_engine_check_config(self, self->config, error))
		return FALSE;
	g_signal_connect(self->context, "thing-added", G_CALLBACK(igw_engine_thing_added_cb), self);
	g_signal_connect(self->context, "thing-removed", G_CALLBACK(igw_engine_thing_removed_cb), self);
	g_signal_connect(self->context, "reading", G_CALLBACK(igw_engine_reading_cb), self);
	g_signal_connect(self->context, "reachable-changed", G_CALLBACK(igw_engine_reachable_cb), self);
	if (!igw_store_set_owners(self->store, IGW_GATEWAY_KEY, (const gchar *const *)self->config->owners,
				  &local_error))
		g_warning("gateway owners not stored: %s", local_error->message);
	igw_engine_start_gateway(self);
	igw_engine_start_plugins(self);
	igw_engine_prune_cb(self);
	igw_engine_schedule_presence_check(self);
	self->prune_id = g_timeout_add_seconds(IGW_ENGINE_PRUNE_INTERVAL_S, igw_engine_prune_cb, self);
	return TRUE;
}

static void
igw_engine_update_owners(IgwEngine *self)
{
	GHashTableIter iter;
	gpointer value;
	igw_thing_agent_set_owners(self->gateway_agent, (const gchar *const *)self->config->owners);
	g_hash_table_iter_init(&iter, self->things);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwEngineThing *entry = value;
		g_autoptr(GError) error = NULL;
		const gchar *id = igw_thing_get_id(entry->thing);
		g_auto(GStrv) owners = igw_config_get_thing_owners(self->config, id);
		igw_thing_agent_set_owners(entry->agent, (const gchar *const *)owners);
		if (!igw_store_set_owners(self->store, id, (const gchar *const *)owners, &error))
			g_warning("thing %s: %s", id, error->message);
	}
}

/* SIGHUP: a bad new config is refused and the old one kept */
gboolean
igw_engine_reload(IgwEngine *self, IgwConfig *config, GError **error)
{
	if (!igw_engine_check_config(self, config, error))
		return FALSE;
	igw_config_free(self->config);
	self->config = config;
	igw_context_set_config(self->context, config->keyfile);
	igw_xmpp_pool_set_limits(self->pool, config->max_sessions, config->max_logins_in_flight);
	igw_engine_update_owners(self);
	for (guint i = 0; i < self->plugins->len; i++) {
		g_autoptr(GError) plugin_error = NULL;
		if (!igw_plugin_runner_reload(g_ptr_array_index(self->plugins, i), &plugin_error))
			g_warning("%s", plugin_error->message);
	}
	g_message("configuration reloaded from %s", config->path);
	return TRUE;
}

static gboolean
igw_engine_sessions_stopped(IgwEngine *self)
{
	for (guint i = 0; i < self->retired->len; i++) {
		if (igw_xmpp_session_get_state(g_ptr_array_index(self->retired, i)) != IGW_XMPP_SESSION_STATE_STOPPED)
			return FALSE;
	}
	return TRUE;
}

static gboolean
igw_engine_tick_cb(gpointer user_data)
{
	return G_SOURCE_CONTINUE;
}

/* things say goodbye (unavailable presence) before the store closes */
void
igw_engine_shutdown(IgwEngine *self)
{
	gint64 deadline = g_get_monotonic_time() + IGW_ENGINE_SHUTDOWN_WAIT_MS * 1000;
	g_autoptr(GError) error = NULL;
	guint timeout_id;
	self->shutting_down = TRUE;
	for (guint i = 0; i < self->plugins->len; i++)
		igw_plugin_runner_shutdown(g_ptr_array_index(self->plugins, i));
	if (self->gateway_session != NULL) {
		igw_xmpp_session_stop(self->gateway_session);
		g_ptr_array_add(self->retired, g_object_ref(self->gateway_session));
	}
	/* a timer keeps the loop from blocking past the deadline */
	timeout_id = g_timeout_add(100, igw_engine_tick_cb, NULL);
	while (!igw_engine_sessions_stopped(self) && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(timeout_id);
	g_clear_handle_id(&self->flush_id, g_source_remove);
	if (!igw_store_flush(self->store, &error))
		g_warning("%s: %u readings lost", error->message, igw_store_get_pending(self->store));
	igw_store_close(self->store);
}

static void
igw_engine_dispose(GObject *object)
{
	IgwEngine *self = IGW_ENGINE(object);
	g_clear_handle_id(&self->flush_id, g_source_remove);
	g_clear_handle_id(&self->presence_id, g_source_remove);
	g_clear_handle_id(&self->prune_id, g_source_remove);
	if (self->context != NULL)
		g_signal_handlers_disconnect_by_data(self->context, self);
	g_hash_table_remove_all(self->things);
	g_ptr_array_set_size(self->retired, 0);
	g_clear_object(&self->gateway_agent);
	g_clear_object(&self->gateway_session);
	g_ptr_array_set_size(self->plugins, 0);
	g_clear_object(&self->context);
	g_clear_object(&self->pool);
	g_clear_object(&self->store);
	G_OBJECT_CLASS(igw_engine_parent_class)->dispose(object);
}

static void
igw_engine_finalize(GObject *object)
{
	IgwEngine *self = IGW_ENGINE(object);
	g_hash_table_unref(self->things);
	g_ptr_array_unref(self->retired);
	g_ptr_array_unref(self->plugins);
	g_clear_pointer(&self->server, igw_xmpp_server_unref);
	igw_config_free(self->config);
	g_free(self->state_dir);
	G_OBJECT_CLASS(igw_engine_parent_class)->finalize(object);
}

static void
igw_engine_class_init(IgwEngineClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = igw_engine_dispose;
	object_class->finalize = igw_engine_finalize;
	signals[SIGNAL_STATUS_CHANGED] = g_signal_new("status-changed",
						      G_TYPE_FROM_CLASS(klass),
						      G_SIGNAL_RUN_LAST,
						      0, NULL, NULL, NULL,
						      G_TYPE_NONE, 0);
}

static void
igw_engine_init(IgwEngine *self)
{
	self->things = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     (GDestroyNotify)igw_engine_thing_free);
	self->retired = g_ptr_array_new_with_free_func(g_object_unref);
	self->plugins = g_ptr_array_new_with_free_func(g_object_unref);
	self->store = igw_store_new();
}

/* takes @config */
IgwEngine *
igw_engine_new(IgwConfig *config, const gchar *state_dir)
{
	IgwEngine *self = g_object_new(IGW_TYPE_ENGINE, NULL);
	self->config = config;
	self->state_dir = g_strdup(state_dir);
	self->context = igw_context_new(config->keyfile);
	self->server = igw_xmpp_server_new_from_config(config);
	self->pool = igw_xmpp_pool_new(config->max_sessions, config->max_logins_in_flight);
	return self;
}
