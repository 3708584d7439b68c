/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwEngine"

#include "config.h"

#include <string.h>

#include "igw-context-private.h"
#include "igw-control.h"
#include "igw-engine.h"
#include "igw-error.h"
#include "igw-plugin-private.h"
#include "igw-store.h"
#include "igw-string-private.h"
#include "igw-thing-private.h"

#define IGW_ENGINE_FLUSH_DELAY_MS 500
#define IGW_ENGINE_PRUNE_INTERVAL_S 3600
#define IGW_GATEWAY_KEY ""

#ifdef IGW_BUILTIN_PLUGIN_SIM
void
igw_plugin_sim_init_vfuncs(IgwPluginVfuncs *vfuncs);
#endif
#ifdef IGW_BUILTIN_PLUGIN_BLUEZ
void
igw_plugin_bluez_init_vfuncs(IgwPluginVfuncs *vfuncs);
#endif
#ifdef IGW_BUILTIN_PLUGIN_COAP
void
igw_plugin_coap_init_vfuncs(IgwPluginVfuncs *vfuncs);
#endif

static const struct {
	const gchar *name;
	IgwPluginInitFunc init;
} igw_builtin_plugins[] = {
#ifdef IGW_BUILTIN_PLUGIN_SIM
    {"sim", igw_plugin_sim_init_vfuncs},
#endif
#ifdef IGW_BUILTIN_PLUGIN_BLUEZ
    {"bluez", igw_plugin_bluez_init_vfuncs},
#endif
#ifdef IGW_BUILTIN_PLUGIN_COAP
    {"coap", igw_plugin_coap_init_vfuncs},
#endif
    {NULL, NULL},
};

/*
 * one proxied thing: its model, its plugin, its adoption and its JID (its
 * session and XMPP face are the XMPP manager's). It hangs off the IgwThing in the one thing list (the context's), so the
 * thing is borrowed: the entry dies with it or before it.
 */
typedef struct {
	IgwThing *thing;
	IgwPlugin *plugin;
	gboolean configured; /* from a [thing ID] group, not found by a plugin */
	IgwThingState state;
	gchar *jid; /* bare; NULL until adopted */
} IgwEngineThing;

struct _IgwEngine {
	GObject parent_instance;
	IgwConfig *config;
	gchar *state_dir;
	IgwStore *store;
	IgwContext *context;
	IgwControl *control; /* every door's way to set a value */
	GPtrArray *plugins;
	const IgwEngineSessions *sessions; /* the things' XMPP faces, or NULL */
	gpointer sessions_data;
	guint flush_id;
	guint prune_id;
	gboolean shutting_down;
	gint64 started_us;
	guint64 readings_received;
	/* discovery: permit-join window and scans */
	gint64 permit_join_until; /* monotonic */
	guint permit_join_id;
	guint scan_id;
	guint scan_timeout;
	guint scan_elapsed;
	guint scan_found;
};

enum {
	SIGNAL_STATUS_CHANGED,
	SIGNAL_THING_CHANGED,
	SIGNAL_SCAN_PROGRESS,
	SIGNAL_PERMIT_JOIN_CHANGED,
	SIGNAL_OWNERS_CHANGED,
	SIGNAL_LAST
};
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
	g_clear_object(&entry->plugin);
	g_free(entry->jid);
	g_free(entry);
}

static GQuark
igw_engine_thing_quark(void)
{
	return g_quark_from_static_string("igw-engine-thing");
}

static IgwEngineThing *
igw_engine_get_entry(IgwThing *thing)
{
	return g_object_get_qdata(G_OBJECT(thing), igw_engine_thing_quark());
}

/* the one thing list is the context's; a thing the engine took on has an entry */
static IgwEngineThing *
igw_engine_lookup_entry(IgwEngine *self, const gchar *thing_id)
{
	IgwThing *thing = self->context != NULL && thing_id != NULL
			      ? igw_context_lookup_thing(self->context, thing_id)
			      : NULL;
	return thing != NULL ? igw_engine_get_entry(thing) : NULL;
}

/* borrowed entries; a thing denied by [gateway] deny is listed, but has none */
static GPtrArray *
igw_engine_get_entries(IgwEngine *self)
{
	g_autoptr(GPtrArray) things = NULL;
	GPtrArray *entries = g_ptr_array_new();
	if (self->context == NULL)
		return entries;
	things = igw_context_get_things(self->context);
	for (guint i = 0; i < things->len; i++) {
		IgwEngineThing *entry = igw_engine_get_entry(g_ptr_array_index(things, i));
		if (entry != NULL)
			g_ptr_array_add(entries, entry);
	}
	return entries;
}

static guint
igw_engine_count_things(IgwEngine *self)
{
	g_autoptr(GPtrArray) entries = igw_engine_get_entries(self);
	return entries->len;
}

static void
igw_engine_clear_entry(IgwThing *thing)
{
	g_object_set_qdata(G_OBJECT(thing), igw_engine_thing_quark(), NULL);
}

static void
igw_engine_emit_status(IgwEngine *self)
{
	g_signal_emit(self, signals[SIGNAL_STATUS_CHANGED], 0);
}

typedef struct {
	guint online;
	guint connecting;
	guint failed;
} IgwEngineSessionCounts;

static IgwEngineSessionCounts
igw_engine_count_sessions(IgwEngine *self)
{
	IgwEngineSessionCounts counts = {0};
	if (self->sessions != NULL)
		self->sessions->count_sessions(self->sessions_data, &counts.online,
					       &counts.connecting, &counts.failed);
	return counts;
}

/* @thing_id NULL for the gateway's own; "none" without one */
static const gchar *
igw_engine_session_state(IgwEngine *self, const gchar *thing_id, const gchar **reason)
{
	if (reason != NULL)
		*reason = NULL;
	if (self->sessions == NULL)
		return "none";
	return self->sessions->get_session(self->sessions_data, thing_id, reason);
}

/* the sd_notify STATUS line: counts, and why the gateway is not online */
gchar *
igw_engine_get_status(IgwEngine *self)
{
	IgwEngineSessionCounts counts = igw_engine_count_sessions(self);
	const gchar *reason = NULL;
	const gchar *state = igw_engine_session_state(self, NULL, &reason);
	return g_strdup_printf("%u things, %u online, %u failed; gateway %s%s%s",
			       igw_engine_count_things(self), counts.online, counts.failed, state,
			       reason != NULL ? ": " : "", reason != NULL ? reason : "");
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
igw_engine_load_credentials(IgwEngine *self, const gchar *key, const gchar *group,
			    const gchar *default_jid, gchar **jid, gchar **password)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *config_jid =
	    group != NULL ? g_key_file_get_string(self->config->keyfile, group, "jid", NULL) : NULL;
	g_autofree gchar *config_password =
	    group != NULL ? g_key_file_get_string(self->config->keyfile, group, "password", NULL)
			  : NULL;
	if (config_jid != NULL) {
		*jid = g_steal_pointer(&config_jid);
		*password = g_steal_pointer(&config_password);
		return;
	}
	if (!igw_store_get_credentials(self->store, key, jid, password, &error))
		g_debug("no stored credentials for %s: %s", key[0] != '\0' ? key : "gateway",
			error->message);
	if (*jid == NULL || g_strcmp0(*jid, default_jid) != 0) {
		g_free(*jid);
		g_free(*password);
		*jid = g_strdup(default_jid);
		*password = NULL;
	}
}

/* an account registered in-band: its password is kept for the next login */
void
igw_engine_set_thing_credentials(IgwEngine *self, const gchar *thing_id, const gchar *jid,
				 const gchar *password)
{
	g_autoptr(GError) error = NULL;
	g_return_if_fail(IGW_IS_ENGINE(self));
	if (!igw_store_set_credentials(self->store, thing_id != NULL ? thing_id : IGW_GATEWAY_KEY,
				       jid, password, &error))
		g_warning("%s: cannot store the new credentials: %s", jid, error->message);
}

void
igw_engine_set_thing_greeted(IgwEngine *self, const gchar *thing_id)
{
	g_autoptr(GError) error = NULL;
	g_return_if_fail(IGW_IS_ENGINE(self));
	if (!igw_store_set_greeted(self->store, thing_id, &error))
		g_warning("thing %s: %s", thing_id, error->message);
}

/* config owners of the thing plus the owners added at run time */
static GStrv
igw_engine_get_owners_for(IgwEngine *self, const gchar *thing_id)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	g_auto(GStrv) configured = igw_config_get_thing_owners(self->config, thing_id);
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) added = igw_store_get_owners(self->store, IGW_GATEWAY_KEY, &error);
	g_strv_builder_addv(builder, (const gchar **)configured);
	if (added == NULL)
		g_warning("owners added at run time not loaded: %s", error->message);
	for (guint i = 0; added != NULL && added[i] != NULL; i++) {
		if (!g_strv_contains((const gchar *const *)configured, added[i]))
			g_strv_builder_add(builder, added[i]);
	}
	return g_strv_builder_end(builder);
}

static GStrv
igw_engine_owners_cb(const gchar *thing_id, gpointer user_data)
{
	return igw_engine_get_owners_for(user_data, thing_id);
}

/* @thing_id NULL for the gateway's */
GStrv
igw_engine_get_owners(IgwEngine *self, const gchar *thing_id)
{
	g_return_val_if_fail(IGW_IS_ENGINE(self), NULL);
	return igw_engine_get_owners_for(self, thing_id != NULL ? thing_id : IGW_GATEWAY_KEY);
}

/* whoever speaks for the things tells their agents; @greet_jid is new */
static void
igw_engine_refresh_owners(IgwEngine *self, const gchar *greet_jid)
{
	g_signal_emit(self, signals[SIGNAL_OWNERS_CHANGED], 0, greet_jid);
}

/* the thing's JID, for ever the same, and its owners in the store */
static gboolean
igw_engine_prepare_account(IgwEngine *self, IgwEngineThing *entry, GError **error)
{
	const gchar *id = igw_thing_get_id(entry->thing);
	g_autofree gchar *proposed = igw_engine_localpart_for_id(id);
	g_autofree gchar *localpart = NULL;
	g_autofree gchar *default_jid = NULL;
	g_autofree gchar *group = entry->configured ? igw_context_get_thing_group(id) : NULL;
	g_auto(GStrv) owners = igw_config_get_thing_owners(self->config, id);
	g_autofree gchar *password = NULL;

	localpart = igw_store_ensure_localpart(self->store, id, proposed, error);
	if (localpart == NULL)
		return FALSE;
	default_jid = g_strdup_printf("%s@%s", localpart, self->config->domain);
	g_clear_pointer(&entry->jid, g_free);
	igw_engine_load_credentials(self, id, group, default_jid, &entry->jid, &password);
	return igw_store_set_owners(self->store, id, (const gchar *const *)owners, error);
}

/* @thing_id NULL for the gateway's account; @greeted may be NULL */
gboolean
igw_engine_get_thing_account(IgwEngine *self, const gchar *thing_id, gchar **jid, gchar **password,
			     gboolean *greeted, GError **error)
{
	IgwEngineThing *entry;
	g_autofree gchar *group = NULL;
	g_return_val_if_fail(IGW_IS_ENGINE(self), FALSE);
	if (thing_id == NULL && self->config->gateway_password != NULL) {
		*jid = g_strdup(self->config->gateway_jid);
		*password = g_strdup(self->config->gateway_password);
		return TRUE;
	}
	if (thing_id == NULL) {
		igw_engine_load_credentials(self, IGW_GATEWAY_KEY, NULL, self->config->gateway_jid,
					    jid, password);
		return TRUE;
	}
	entry = igw_engine_lookup_entry(self, thing_id);
	if (entry == NULL || entry->jid == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "%s is not adopted", thing_id);
		return FALSE;
	}
	group = entry->configured ? igw_context_get_thing_group(thing_id) : NULL;
	igw_engine_load_credentials(self, thing_id, group, entry->jid, jid, password);
	return greeted == NULL || igw_store_get_greeted(self->store, thing_id, greeted, error);
}

static void
igw_engine_emit_thing_changed(IgwEngine *self, IgwEngineThing *entry, const gchar *change)
{
	g_signal_emit(self, signals[SIGNAL_THING_CHANGED], 0, entry->thing, change);
	/* and to bridge plugins, through their view of things */
	igw_context_emit_thing_changed(self->context, entry->thing, change);
}

/* the profile stored for a peer, or NULL */
gboolean
igw_engine_get_peer_profile(IgwEngine *self, const gchar *bare_jid, gchar **profile, GError **error)
{
	g_return_val_if_fail(IGW_IS_ENGINE(self), FALSE);
	return igw_store_get_peer_profile(self->store, bare_jid, profile, error);
}

/* the config's [peer JID] profiles replace the config rows; the ones set at run time stay */
static void
igw_engine_update_peers(IgwEngine *self)
{
	g_autoptr(GError) error = NULL;
	if (!igw_store_set_config_peers(self->store, (const gchar *const *)self->config->peer_jids,
					(const gchar *const *)self->config->peer_profiles, &error))
		g_warning("%s", error->message);
}

static gboolean
igw_engine_save_state(IgwEngine *self, IgwEngineThing *entry, IgwThingState state, GError **error)
{
	if (!igw_store_set_thing_state(self->store, igw_thing_get_id(entry->thing),
				       igw_thing_state_to_string(state), error))
		return FALSE;
	entry->state = state;
	igw_thing_set_adopted(entry->thing, state == IGW_THING_STATE_ADOPTED);
	return TRUE;
}

static gboolean
igw_engine_adopt_entry(IgwEngine *self, IgwEngineThing *entry, GError **error)
{
	if (!igw_engine_save_state(self, entry, IGW_THING_STATE_ADOPTED, error))
		return FALSE;
	/* whoever speaks for the things gives it a session on "adopted" */
	if (!igw_engine_prepare_account(self, entry, error))
		return FALSE;
	igw_engine_emit_thing_changed(self, entry, "adopted");
	igw_engine_emit_status(self);
	return TRUE;
}

gboolean
igw_engine_get_permit_join(IgwEngine *self)
{
	return self->permit_join_until > g_get_monotonic_time();
}

/* what a found thing becomes: the administrator's word, else the policy */
static IgwThingState
igw_engine_decide_state(IgwEngine *self, IgwThing *thing, const gchar *stored)
{
	if (g_strcmp0(stored, "blocked") == 0)
		return IGW_THING_STATE_BLOCKED;
	if (g_strcmp0(stored, "adopted") == 0)
		return IGW_THING_STATE_ADOPTED;
	/* a device no plugin decodes would be an XMPP entity with nothing to say */
	if (!igw_thing_get_supported(thing))
		return IGW_THING_STATE_DISCOVERED;
	if (self->config->adopt_auto || igw_engine_get_permit_join(self) ||
	    igw_config_id_matches(self->config->adopt_allow, igw_thing_get_id(thing)))
		return IGW_THING_STATE_ADOPTED;
	return IGW_THING_STATE_DISCOVERED;
}

static gboolean
igw_engine_load_thing(IgwEngine *self, IgwEngineThing *entry, gchar **stored_state, GError **error)
{
	const gchar *id = igw_thing_get_id(entry->thing);
	g_autofree gchar *display_name = NULL;
	if (!igw_store_get_thing_state(self->store, id, stored_state, error) ||
	    !igw_store_upsert_thing(self->store, entry->thing, error) ||
	    !igw_store_get_display_name(self->store, id, &display_name, error))
		return FALSE;
	if (display_name != NULL)
		igw_thing_set_name(entry->thing, display_name);
	return TRUE;
}

static void
igw_engine_register_thing(IgwEngine *self, IgwThing *thing, gboolean configured)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *stored = NULL;
	const gchar *id = igw_thing_get_id(thing);
	IgwEngineThing *entry = g_new0(IgwEngineThing, 1);
	IgwThingState state;

	entry->thing = thing;
	entry->plugin =
	    g_object_ref(igw_engine_find_plugin(self, igw_thing_get_plugin_name(thing)));
	entry->configured = configured;
	g_object_set_qdata_full(G_OBJECT(thing), igw_engine_thing_quark(), entry,
				(GDestroyNotify)igw_engine_thing_free);
	if (!igw_engine_load_thing(self, entry, &stored, &error)) {
		g_warning("thing %s: cannot be stored, not proxied: %s", id, error->message);
		return;
	}
	state = configured ? IGW_THING_STATE_ADOPTED : igw_engine_decide_state(self, thing, stored);
	igw_engine_emit_thing_changed(self, entry, "added");
	if (state == IGW_THING_STATE_ADOPTED) {
		if (!igw_engine_adopt_entry(self, entry, &error))
			g_warning("thing %s: not adopted: %s", id, error->message);
		return;
	}
	if (!igw_engine_save_state(self, entry, state, &error))
		g_warning("thing %s: %s", id, error->message);
	g_message("thing %s: %s, not adopted", id, igw_thing_state_to_string(state));
	igw_engine_emit_thing_changed(self, entry, igw_thing_state_to_string(state));
}

static void
igw_engine_thing_added_cb(IgwContext *context, IgwThing *thing, IgwEngine *self)
{
	igw_engine_register_thing(self, thing, TRUE);
}

static void
igw_engine_thing_offered_cb(IgwContext *context, IgwThing *thing, IgwEngine *self)
{
	if (igw_config_id_matches(self->config->adopt_deny, igw_thing_get_id(thing))) {
		g_debug("thing %s: denied by [gateway] deny, ignored", igw_thing_get_id(thing));
		return;
	}
	igw_engine_register_thing(self, thing, FALSE);
	self->scan_found++;
}

static void
igw_engine_thing_removed_cb(IgwContext *context, IgwThing *thing, IgwEngine *self)
{
	/* out of the list already: its entry is still on it */
	IgwEngineThing *entry = igw_engine_get_entry(thing);
	if (entry == NULL)
		return;
	igw_engine_emit_thing_changed(self, entry, "removed");
	igw_engine_clear_entry(thing);
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
		g_warning("%s; %u readings kept in memory", error->message,
			  igw_store_get_pending(self->store));
		self->flush_id = g_timeout_add_seconds(5, igw_engine_flush_cb, self);
	}
	return G_SOURCE_REMOVE;
}

static void
igw_engine_reading_cb(IgwContext *context, IgwThing *thing, IgwReading *reading, IgwEngine *self)
{
	g_autoptr(GError) error = NULL;
	IgwEngineThing *entry = igw_engine_lookup_entry(self, igw_thing_get_id(thing));
	if (entry == NULL)
		return;
	/* a found thing heard from while the window is open joins */
	if (entry->state == IGW_THING_STATE_DISCOVERED && igw_engine_get_permit_join(self) &&
	    igw_thing_get_supported(thing) && !igw_engine_adopt_entry(self, entry, &error))
		g_warning("thing %s: not adopted: %s", igw_thing_get_id(thing), error->message);
	if (entry->state != IGW_THING_STATE_ADOPTED)
		return;
	self->readings_received++;
	igw_store_add_reading(self->store, reading);
	if (self->flush_id == 0)
		self->flush_id =
		    g_timeout_add(IGW_ENGINE_FLUSH_DELAY_MS, igw_engine_flush_cb, self);
	/* the doors hear it next, each on its own thing's "reading" signal */
}

static void
igw_engine_reachable_cb(IgwContext *context, IgwThing *thing, IgwEngine *self)
{
	IgwEngineThing *entry = igw_engine_lookup_entry(self, igw_thing_get_id(thing));
	IgwAvailability availability = igw_thing_get_availability(thing);
	const gchar *change = availability == IGW_AVAILABILITY_AWAY	   ? "away"
			      : availability == IGW_AVAILABILITY_AVAILABLE ? "reachable"
									   : "unreachable";
	g_info("thing %s: %s", igw_thing_get_id(thing),
	       igw_availability_to_string(igw_thing_get_availability(thing)));
	if (entry == NULL)
		return;
	igw_engine_emit_thing_changed(self, entry, change);
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
		if (!igw_store_prune(self->store, id, max_age, self->config->history_max_rows,
				     &removed, &error))
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
		g_autoptr(IgwPlugin) plugin = igw_plugin_new_builtin(
		    igw_builtin_plugins[i].name, igw_builtin_plugins[i].init, self->context);
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
				    "%s: [%s]: no plugin '%s' is loaded", config->path, groups[i],
				    plugin_name);
			return FALSE;
		}
	}
	for (guint i = 0; i < self->plugins->len; i++) {
		if (!igw_plugin_runner_check_config(g_ptr_array_index(self->plugins, i),
						    config->keyfile, error)) {
			g_prefix_error(error, "%s: ", config->path);
			return FALSE;
		}
	}
	return TRUE;
}

static void
igw_engine_load_secrets(IgwEngine *self);
static void
igw_engine_clear_secrets(IgwEngine *self, const gchar *thing_id);

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
	igw_engine_load_plugins(self);
	if (!igw_engine_check_config(self, self->config, error))
		return FALSE;
	g_signal_connect(self->context, "thing-added", G_CALLBACK(igw_engine_thing_added_cb), self);
	g_signal_connect(self->context, "thing-offered", G_CALLBACK(igw_engine_thing_offered_cb),
			 self);
	g_signal_connect(self->context, "thing-removed", G_CALLBACK(igw_engine_thing_removed_cb),
			 self);
	g_signal_connect(self->context, "reading", G_CALLBACK(igw_engine_reading_cb), self);
	g_signal_connect(self->context, "reachable-changed", G_CALLBACK(igw_engine_reachable_cb),
			 self);
	if (!igw_store_set_owners(self->store, IGW_GATEWAY_KEY,
				  (const gchar *const *)self->config->owners, &local_error))
		g_warning("gateway owners not stored: %s", local_error->message);
	igw_engine_update_peers(self);
	if (self->sessions != NULL)
		self->sessions->start(self->sessions_data);
	/* plugins find their things' keys from the start */
	igw_engine_load_secrets(self);
	igw_engine_start_plugins(self);
	igw_engine_prune_cb(self);
	self->prune_id =
	    g_timeout_add_seconds(IGW_ENGINE_PRUNE_INTERVAL_S, igw_engine_prune_cb, self);
	return TRUE;
}

/* the config's owners are stored as such; the ones added at run time stay */
static void
igw_engine_update_owners(IgwEngine *self)
{
	g_autoptr(GPtrArray) entries = igw_engine_get_entries(self);
	g_autoptr(GError) error = NULL;
	if (!igw_store_set_owners(self->store, IGW_GATEWAY_KEY,
				  (const gchar *const *)self->config->owners, &error))
		g_warning("gateway owners not stored: %s", error->message);
	for (guint i = 0; i < entries->len; i++) {
		IgwEngineThing *entry = g_ptr_array_index(entries, i);
		g_autoptr(GError) thing_error = NULL;
		const gchar *id = igw_thing_get_id(entry->thing);
		g_auto(GStrv) configured = igw_config_get_thing_owners(self->config, id);
		if (!igw_store_set_owners(self->store, id, (const gchar *const *)configured,
					  &thing_error))
			g_warning("thing %s: %s", id, thing_error->message);
	}
	igw_engine_refresh_owners(self, NULL);
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
	igw_engine_update_owners(self);
	igw_engine_update_peers(self);
	for (guint i = 0; i < self->plugins->len; i++) {
		g_autoptr(GError) plugin_error = NULL;
		if (!igw_plugin_runner_reload(g_ptr_array_index(self->plugins, i), &plugin_error))
			g_warning("%s", plugin_error->message);
	}
	g_message("configuration reloaded from %s", config->path);
	return TRUE;
}

/* things say goodbye (unavailable presence) before the store closes */
void
igw_engine_shutdown(IgwEngine *self)
{
	g_autoptr(GError) error = NULL;
	self->shutting_down = TRUE;
	for (guint i = 0; i < self->plugins->len; i++)
		igw_plugin_runner_shutdown(g_ptr_array_index(self->plugins, i));
	if (self->sessions != NULL)
		self->sessions->stop(self->sessions_data);
	g_clear_handle_id(&self->flush_id, g_source_remove);
	if (!igw_store_flush(self->store, &error))
		g_warning("%s: %u readings lost", error->message,
			  igw_store_get_pending(self->store));
	igw_store_close(self->store);
}

/******************************************************************************/
/* administration: what iotgwctl reaches through D-Bus                       */
/******************************************************************************/

const gchar *
igw_thing_state_to_string(IgwThingState state)
{
	switch (state) {
	case IGW_THING_STATE_DISCOVERED:
		return "discovered";
	case IGW_THING_STATE_BLOCKED:
		return "blocked";
	case IGW_THING_STATE_ADOPTED:
	default:
		return "adopted";
	}
}

static IgwEngineThing *
igw_engine_find_entry(IgwEngine *self, const gchar *thing_id, GError **error)
{
	IgwEngineThing *entry = igw_engine_lookup_entry(self, thing_id);
	if (entry == NULL)
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no thing '%s'", thing_id);
	return entry;
}

/* things from the configuration file are the file's to change */
static gboolean
igw_engine_check_not_configured(IgwEngine *self, IgwEngineThing *entry, const gchar *action,
				GError **error)
{
	if (!entry->configured)
		return TRUE;
	g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
		    "%s is configured in %s: %s it there by removing its [thing %s] group",
		    igw_thing_get_id(entry->thing), self->config->path, action,
		    igw_thing_get_id(entry->thing));
	return FALSE;
}

GPtrArray *
igw_engine_get_things(IgwEngine *self)
{
	GPtrArray *things = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GPtrArray) entries = igw_engine_get_entries(self);
	for (guint i = 0; i < entries->len; i++)
		g_ptr_array_add(
		    things, g_object_ref(((IgwEngineThing *)g_ptr_array_index(entries, i))->thing));
	return things;
}

IgwThing *
igw_engine_lookup_thing(IgwEngine *self, const gchar *thing_id)
{
	IgwEngineThing *entry = igw_engine_lookup_entry(self, thing_id);
	return entry != NULL ? entry->thing : NULL;
}

IgwThingState
igw_engine_get_thing_state(IgwEngine *self, const gchar *thing_id)
{
	IgwEngineThing *entry = igw_engine_lookup_entry(self, thing_id);
	return entry != NULL ? entry->state : IGW_THING_STATE_DISCOVERED;
}

gboolean
igw_engine_get_thing_configured(IgwEngine *self, const gchar *thing_id)
{
	IgwEngineThing *entry = igw_engine_lookup_entry(self, thing_id);
	return entry != NULL && entry->configured;
}

const gchar *
igw_engine_get_thing_jid(IgwEngine *self, const gchar *thing_id)
{
	IgwEngineThing *entry = igw_engine_lookup_entry(self, thing_id);
	return entry != NULL ? entry->jid : NULL;
}

/* "none" while the thing has no session */
const gchar *
igw_engine_get_thing_session(IgwEngine *self, const gchar *thing_id, const gchar **reason)
{
	if (thing_id == NULL || igw_engine_lookup_entry(self, thing_id) == NULL) {
		if (reason != NULL)
			*reason = NULL;
		return "none";
	}
	return igw_engine_session_state(self, thing_id, reason);
}

#define IGW_ENGINE_NAME_MAX 64

gboolean
igw_engine_rename_thing(IgwEngine *self, const gchar *thing_id, const gchar *name, GError **error)
{
	IgwEngineThing *entry = igw_engine_find_entry(self, thing_id, error);
	g_autofree gchar *clean = NULL;
	if (entry == NULL)
		return FALSE;
	if (name == NULL || !g_utf8_validate(name, -1, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "the name is not UTF-8");
		return FALSE;
	}
	/* controls would break the thing's stream: dropped, as from a radio */
	clean = g_strstrip(igw_str_sanitize(name, 0, IGW_STR_SANITIZE_NONE));
	if (*clean == '\0' || g_utf8_strlen(clean, -1) > IGW_ENGINE_NAME_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "a name has 1 to %d characters", IGW_ENGINE_NAME_MAX);
		return FALSE;
	}
	if (!igw_store_set_display_name(self->store, thing_id, clean, error))
		return FALSE;
	igw_thing_set_name(entry->thing, clean);
	g_message("thing %s: renamed to '%s'", thing_id, clean);
	igw_engine_emit_thing_changed(self, entry, "renamed");
	return TRUE;
}

gboolean
igw_engine_adopt_thing(IgwEngine *self, const gchar *thing_id, GError **error)
{
	IgwEngineThing *entry = igw_engine_find_entry(self, thing_id, error);
	if (entry == NULL)
		return FALSE;
	if (entry->configured) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
			    "%s is configured, so it is always adopted", thing_id);
		return FALSE;
	}
	if (entry->state == IGW_THING_STATE_ADOPTED)
		return TRUE;
	if (!igw_thing_get_supported(entry->thing)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
			    "%s is in a format no plugin decodes, so it has nothing to proxy",
			    thing_id);
		return FALSE;
	}
	return igw_engine_adopt_entry(self, entry, error);
}

gboolean
igw_engine_block_thing(IgwEngine *self, const gchar *thing_id, GError **error)
{
	IgwEngineThing *entry = igw_engine_find_entry(self, thing_id, error);
	if (entry == NULL || !igw_engine_check_not_configured(self, entry, "block", error))
		return FALSE;
	if (!igw_engine_save_state(self, entry, IGW_THING_STATE_BLOCKED, error))
		return FALSE;
	g_message("thing %s: blocked", thing_id);
	igw_engine_emit_thing_changed(self, entry, "blocked");
	igw_engine_emit_status(self);
	return TRUE;
}

/* found again, the thing is new: the plugin offers it once more */
gboolean
igw_engine_forget_thing(IgwEngine *self, const gchar *thing_id, GError **error)
{
	IgwEngineThing *entry = igw_engine_find_entry(self, thing_id, error);
	if (entry == NULL || !igw_engine_check_not_configured(self, entry, "forget", error))
		return FALSE;
	if (!igw_store_remove_thing(self->store, thing_id, error))
		return FALSE;
	igw_engine_clear_secrets(self, thing_id);
	g_message("thing %s: forgotten", thing_id);
	igw_engine_emit_thing_changed(self, entry, "forgotten");
	igw_context_remove_thing(self->context, thing_id);
	return TRUE;
}

IgwConfig *
igw_engine_get_config(IgwEngine *self)
{
	g_return_val_if_fail(IGW_IS_ENGINE(self), NULL);
	return self->config;
}

IgwContext *
igw_engine_get_context(IgwEngine *self)
{
	g_return_val_if_fail(IGW_IS_ENGINE(self), NULL);
	return self->context;
}

IgwPlugin *
igw_engine_get_thing_plugin(IgwEngine *self, const gchar *thing_id)
{
	IgwEngineThing *entry = igw_engine_lookup_entry(self, thing_id);
	return entry != NULL ? entry->plugin : NULL;
}

gboolean
igw_engine_get_shutting_down(IgwEngine *self)
{
	g_return_val_if_fail(IGW_IS_ENGINE(self), FALSE);
	return self->shutting_down;
}

void
igw_engine_set_sessions(IgwEngine *self, const IgwEngineSessions *sessions, gpointer user_data)
{
	g_return_if_fail(IGW_IS_ENGINE(self));
	self->sessions = sessions;
	self->sessions_data = user_data;
}

/* a session changed: "session", "online"; @thing NULL for the gateway's */
void
igw_engine_sessions_changed(IgwEngine *self, IgwThing *thing, const gchar *change)
{
	IgwEngineThing *entry = thing != NULL ? igw_engine_get_entry(thing) : NULL;
	g_return_if_fail(IGW_IS_ENGINE(self));
	if (entry != NULL && change != NULL)
		igw_engine_emit_thing_changed(self, entry, change);
	igw_engine_emit_status(self);
}

IgwControl *
igw_engine_get_control(IgwEngine *self)
{
	g_return_val_if_fail(IGW_IS_ENGINE(self), NULL);
	return self->control;
}

#define IGW_ENGINE_READINGS_DEFAULT_LIMIT 1000

GPtrArray *
igw_engine_get_readings(IgwEngine *self, const gchar *thing_id, const gchar *field, gint64 start,
			gint64 end, guint limit, GError **error)
{
	IgwEngineThing *entry = igw_engine_find_entry(self, thing_id, error);
	g_autoptr(GError) flush_error = NULL;
	if (entry == NULL)
		return NULL;
	if (field != NULL && igw_thing_get_field(entry->thing, field) == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "%s has no field '%s'", thing_id,
			    field);
		return NULL;
	}
	if (start != 0 && end != 0 && start > end) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "the start is after the end");
		return NULL;
	}
	/* include what is still queued */
	if (!igw_store_flush(self->store, &flush_error))
		g_debug("readings not flushed before the query: %s", flush_error->message);
	return igw_store_get_readings(self->store, thing_id, field, start, end,
				      limit > 0 ? limit : IGW_ENGINE_READINGS_DEFAULT_LIMIT, error);
}

GPtrArray *
igw_engine_list_owners(IgwEngine *self, GError **error)
{
	return igw_store_get_owner_list(self->store, IGW_GATEWAY_KEY, error);
}

gboolean
igw_engine_add_owner(IgwEngine *self, const gchar *jid, GError **error)
{
	if (!igw_config_check_bare_jid(jid, error))
		return FALSE;
	if (!igw_store_add_owner(self->store, IGW_GATEWAY_KEY, jid, error))
		return FALSE;
	g_message("owner %s added", jid);
	igw_engine_refresh_owners(self, jid);
	return TRUE;
}

gboolean
igw_engine_remove_owner(IgwEngine *self, const gchar *jid, GError **error)
{
	if (!igw_store_remove_owner(self->store, IGW_GATEWAY_KEY, jid, error))
		return FALSE;
	g_message("owner %s removed", jid);
	igw_engine_refresh_owners(self, NULL);
	return TRUE;
}

GPtrArray *
igw_engine_list_peers(IgwEngine *self, GError **error)
{
	return igw_store_get_peer_list(self->store, error);
}

/* an empty profile removes the peer's own; configured peers are the file's */
gboolean
igw_engine_set_peer_profile(IgwEngine *self, const gchar *jid, const gchar *profile, GError **error)
{
	g_autofree gchar *group = g_strdup_printf("peer %s", jid);
	if (g_key_file_has_group(self->config->keyfile, group)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
			    "%s is configured in %s: change its [peer %s] group there", jid,
			    self->config->path, jid);
		return FALSE;
	}
	if (!igw_store_set_peer_profile(self->store, jid, *profile != '\0' ? profile : NULL, error))
		return FALSE;
	g_message("peer %s: profile %s", jid, *profile != '\0' ? profile : "(default)");
	return TRUE;
}

/* secrets: per-thing keys, checked by the thing's plugin; values are never logged */

/* every stored secret into the context */
static void
igw_engine_load_secrets(IgwEngine *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) secrets = igw_store_get_secrets(self->store, &error);
	if (secrets == NULL) {
		g_warning("secrets not loaded: %s", error->message);
		return;
	}
	for (guint i = 0; i < secrets->len; i++) {
		IgwStoreSecret *secret = g_ptr_array_index(secrets, i);
		igw_context_set_thing_secret(self->context, secret->thing_id, secret->name,
					     secret->value);
	}
	if (secrets->len > 0)
		g_debug("loaded %u secrets", secrets->len);
}

/* the store forgot them with the thing already */
static void
igw_engine_clear_secrets(IgwEngine *self, const gchar *thing_id)
{
	g_auto(GStrv) names = igw_context_get_thing_secret_names(self->context, thing_id);
	for (guint i = 0; names[i] != NULL; i++)
		igw_context_set_thing_secret(self->context, thing_id, names[i], NULL);
}

/* the thing id's plugin, if it is loaded and not disabled */
static IgwPlugin *
igw_engine_find_secret_plugin(IgwEngine *self, const gchar *thing_id, GError **error)
{
	g_autofree gchar *name = g_strndup(thing_id, strcspn(thing_id, ":"));
	IgwPlugin *plugin = igw_engine_find_plugin(self, name);
	if (plugin == NULL || igw_plugin_get_state(plugin) == IGW_PLUGIN_STATE_DISABLED) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no plugin '%s' for thing id %s",
			    name, thing_id);
		return NULL;
	}
	return plugin;
}

static gboolean
igw_engine_check_secret_name(IgwEngine *self, const gchar *thing_id, const gchar *name,
			     gboolean clearing, GError **error)
{
	if (name == NULL || *name == '\0' || !g_utf8_validate(name, -1, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "a secret name is non-empty UTF-8");
		return FALSE;
	}
	if (clearing && igw_context_get_thing_secret(self->context, thing_id, name) == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "%s has no secret '%s'",
			    thing_id, name);
		return FALSE;
	}
	return TRUE;
}

gboolean
igw_engine_set_thing_secret(IgwEngine *self, const gchar *thing_id, const gchar *name,
			    const gchar *value, GError **error)
{
	gboolean clearing = value == NULL || *value == '\0';
	IgwPlugin *plugin;
	IgwEngineThing *entry;
	g_return_val_if_fail(IGW_IS_ENGINE(self), FALSE);
	if (!igw_thing_id_is_valid(thing_id, error))
		return FALSE;
	plugin = igw_engine_find_secret_plugin(self, thing_id, error);
	if (plugin == NULL || !igw_engine_check_secret_name(self, thing_id, name, clearing, error))
		return FALSE;
	if (!clearing && !g_utf8_validate(value, -1, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "the secret is not UTF-8");
		return FALSE;
	}
	if (!clearing && !igw_plugin_runner_check_secret(plugin, thing_id, name, value, error))
		return FALSE;
	if (!igw_store_set_secret(self->store, thing_id, name, clearing ? NULL : value, error))
		return FALSE;
	igw_context_set_thing_secret(self->context, thing_id, name, clearing ? NULL : value);
	g_message("thing %s: secret %s %s", thing_id, name, clearing ? "cleared" : "set");
	entry = igw_engine_lookup_entry(self, thing_id);
	if (entry != NULL)
		igw_engine_emit_thing_changed(self, entry, "secret");
	return TRUE;
}

/* names only, sorted; for things not seen yet too */
gchar **
igw_engine_get_thing_secret_names(IgwEngine *self, const gchar *thing_id)
{
	g_return_val_if_fail(IGW_IS_ENGINE(self), NULL);
	return igw_context_get_thing_secret_names(self->context, thing_id);
}

gint64
igw_engine_get_start_time(IgwEngine *self)
{
	return self->started_us;
}

guint
igw_engine_get_permit_join_remaining(IgwEngine *self)
{
	gint64 left = self->permit_join_until - g_get_monotonic_time();
	if (left <= 0)
		return 0;
	return (guint)((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

static gboolean
igw_engine_permit_join_end_cb(gpointer user_data)
{
	IgwEngine *self = user_data;
	self->permit_join_id = 0;
	self->permit_join_until = 0;
	g_message("permit-join window closed");
	g_signal_emit(self, signals[SIGNAL_PERMIT_JOIN_CHANGED], 0, 0u);
	return G_SOURCE_REMOVE;
}

#define IGW_ENGINE_PERMIT_JOIN_MAX 3600

gboolean
igw_engine_permit_join(IgwEngine *self, guint seconds, GError **error)
{
	if (seconds > IGW_ENGINE_PERMIT_JOIN_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "the window lasts at most %d seconds", IGW_ENGINE_PERMIT_JOIN_MAX);
		return FALSE;
	}
	g_clear_handle_id(&self->permit_join_id, g_source_remove);
	if (seconds == 0) {
		igw_engine_permit_join_end_cb(self);
		return TRUE;
	}
	self->permit_join_until = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
	self->permit_join_id = g_timeout_add_seconds(seconds, igw_engine_permit_join_end_cb, self);
	g_message("permit-join window open for %u s", seconds);
	g_signal_emit(self, signals[SIGNAL_PERMIT_JOIN_CHANGED], 0, seconds);
	return TRUE;
}

gboolean
igw_engine_get_scanning(IgwEngine *self)
{
	return self->scan_id != 0;
}

static void
igw_engine_set_discovery(IgwEngine *self, gboolean enabled)
{
	for (guint i = 0; i < self->plugins->len; i++) {
		g_autoptr(GError) error = NULL;
		if (!igw_plugin_runner_set_discovery(g_ptr_array_index(self->plugins, i), enabled,
						     &error))
			g_warning("%s", error->message);
	}
}

static void
igw_engine_end_scan(IgwEngine *self)
{
	g_clear_handle_id(&self->scan_id, g_source_remove);
	igw_engine_set_discovery(self, FALSE);
	g_message("scan done: %u found", self->scan_found);
	g_signal_emit(self, signals[SIGNAL_SCAN_PROGRESS], 0, self->scan_elapsed,
		      self->scan_timeout, self->scan_found, TRUE);
}

static gboolean
igw_engine_scan_tick_cb(gpointer user_data)
{
	IgwEngine *self = user_data;
	self->scan_elapsed++;
	if (self->scan_elapsed >= self->scan_timeout) {
		self->scan_id = 0;
		igw_engine_end_scan(self);
		return G_SOURCE_REMOVE;
	}
	g_signal_emit(self, signals[SIGNAL_SCAN_PROGRESS], 0, self->scan_elapsed,
		      self->scan_timeout, self->scan_found, FALSE);
	return G_SOURCE_CONTINUE;
}

#define IGW_ENGINE_SCAN_MAX 600

gboolean
igw_engine_start_scan(IgwEngine *self, guint timeout, GError **error)
{
	if (self->scan_id != 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_BUSY, "a scan is running");
		return FALSE;
	}
	if (timeout == 0 || timeout > IGW_ENGINE_SCAN_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "a scan lasts 1 to %d seconds", IGW_ENGINE_SCAN_MAX);
		return FALSE;
	}
	self->scan_timeout = timeout;
	self->scan_elapsed = 0;
	self->scan_found = 0;
	self->scan_id = g_timeout_add_seconds(1, igw_engine_scan_tick_cb, self);
	g_message("scan started for %u s", timeout);
	igw_engine_set_discovery(self, TRUE);
	return TRUE;
}

gboolean
igw_engine_stop_scan(IgwEngine *self, GError **error)
{
	if (self->scan_id == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no scan is running");
		return FALSE;
	}
	igw_engine_end_scan(self);
	return TRUE;
}

GPtrArray *
igw_engine_get_plugins(IgwEngine *self)
{
	return g_ptr_array_ref(self->plugins);
}

static gint
igw_engine_compare_strings(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

/* the access models in force on the things' PEP services, each once:
 * "whitelist (roster refused by the server)" */
static gchar *
igw_engine_describe_pubsub(IgwEngine *self)
{
	g_autoptr(GPtrArray) seen = NULL;
	if (!self->config->pubsub_enabled)
		return g_strdup("disabled");
	seen = self->sessions != NULL ? self->sessions->describe_pubsub(self->sessions_data)
				      : g_ptr_array_new();
	if (seen->len == 0)
		return g_strdup_printf("%s asked, nothing published yet",
				       self->config->pubsub_access_model);
	g_ptr_array_sort(seen, igw_engine_compare_strings);
	g_ptr_array_add(seen, NULL);
	return g_strjoinv("; ", (gchar **)seen->pdata);
}

GVariant *
igw_engine_get_status_dict(IgwEngine *self)
{
	GVariantBuilder builder;
	IgwEngineSessionCounts counts = igw_engine_count_sessions(self);
	const gchar *reason = NULL;
	const gchar *gateway = igw_engine_session_state(self, NULL, &reason);
	g_autoptr(GError) error = NULL;
	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&builder, "{sv}", "version", g_variant_new_string(PACKAGE_VERSION));
	g_variant_builder_add(
	    &builder, "{sv}", "uptime",
	    g_variant_new_uint64((guint64)(g_get_real_time() - self->started_us) / G_USEC_PER_SEC));
	g_variant_builder_add(&builder, "{sv}", "things",
			      g_variant_new_uint32(igw_engine_count_things(self)));
	g_variant_builder_add(&builder, "{sv}", "sessions_online",
			      g_variant_new_uint32(counts.online));
	g_variant_builder_add(&builder, "{sv}", "sessions_connecting",
			      g_variant_new_uint32(counts.connecting));
	g_variant_builder_add(&builder, "{sv}", "sessions_failed",
			      g_variant_new_uint32(counts.failed));
	g_variant_builder_add(&builder, "{sv}", "gateway_session", g_variant_new_string(gateway));
	g_variant_builder_add(&builder, "{sv}", "gateway_reason",
			      g_variant_new_string(reason != NULL ? reason : ""));
	g_variant_builder_add(&builder, "{sv}", "outbox",
			      g_variant_new_uint32(igw_store_outbox_count(self->store, &error)));
	g_variant_builder_add(&builder, "{sv}", "readings_received",
			      g_variant_new_uint64(self->readings_received));
	g_variant_builder_add(
	    &builder, "{sv}", "readings_stored",
	    g_variant_new_uint64(self->readings_received - igw_store_get_pending(self->store)));
	g_variant_builder_add(&builder, "{sv}", "permit_join_remaining",
			      g_variant_new_uint32(igw_engine_get_permit_join_remaining(self)));
	g_variant_builder_add(&builder, "{sv}", "scanning",
			      g_variant_new_boolean(self->scan_id != 0));
	g_variant_builder_add(&builder, "{sv}", "adopt_policy",
			      g_variant_new_string(self->config->adopt_auto ? "auto" : "manual"));
	g_variant_builder_add(&builder, "{sv}", "pubsub",
			      g_variant_new_take_string(igw_engine_describe_pubsub(self)));
	return g_variant_builder_end(&builder);
}

static void
igw_engine_dispose(GObject *object)
{
	IgwEngine *self = IGW_ENGINE(object);
	g_clear_handle_id(&self->flush_id, g_source_remove);
	g_clear_handle_id(&self->prune_id, g_source_remove);
	g_clear_handle_id(&self->permit_join_id, g_source_remove);
	g_clear_handle_id(&self->scan_id, g_source_remove);
	if (self->context != NULL)
		g_signal_handlers_disconnect_by_data(self->context, self);
	if (self->context != NULL) {
		g_autoptr(GPtrArray) things = igw_context_get_things(self->context);
		for (guint i = 0; i < things->len; i++)
			igw_engine_clear_entry(g_ptr_array_index(things, i));
	}
	g_ptr_array_set_size(self->plugins, 0);
	g_clear_object(&self->control);
	g_clear_object(&self->context);
	g_clear_object(&self->store);
	G_OBJECT_CLASS(igw_engine_parent_class)->dispose(object);
}

static void
igw_engine_finalize(GObject *object)
{
	IgwEngine *self = IGW_ENGINE(object);
	g_ptr_array_unref(self->plugins);
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
	signals[SIGNAL_STATUS_CHANGED] =
	    g_signal_new("status-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 0);
	/* change: added, removed, discovered, adopted, blocked, forgotten, renamed, online... */
	signals[SIGNAL_THING_CHANGED] =
	    g_signal_new("thing-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 2, IGW_TYPE_THING, G_TYPE_STRING);
	/* elapsed, timeout, found, done */
	signals[SIGNAL_SCAN_PROGRESS] = g_signal_new(
	    "scan-progress", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
	    G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_BOOLEAN);
	/* remaining seconds, 0 when closed */
	/* the owners changed; a new owner's bare JID, to be greeted, or NULL */
	signals[SIGNAL_OWNERS_CHANGED] =
	    g_signal_new("owners-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	signals[SIGNAL_PERMIT_JOIN_CHANGED] =
	    g_signal_new("permit-join-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
			 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
igw_engine_init(IgwEngine *self)
{
	self->plugins = g_ptr_array_new_with_free_func(g_object_unref);
	self->store = igw_store_new();
	self->started_us = g_get_real_time();
}

/* takes @config */
IgwEngine *
igw_engine_new(IgwConfig *config, const gchar *state_dir)
{
	IgwEngine *self = g_object_new(IGW_TYPE_ENGINE, NULL);
	self->config = config;
	self->state_dir = g_strdup(state_dir);
	self->context = igw_context_new(config->keyfile);
	self->control = igw_control_new(self->context, self->plugins);
	igw_control_set_owners_func(self->control, igw_engine_owners_cb, self);
	return self;
}
