/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "igw-config.h"
#include "igw-control.h"

G_BEGIN_DECLS

#include "igw-reading.h"
#include "igw-thing.h"

typedef enum {
	IGW_THING_STATE_DISCOVERED, /* found, no JID, no session */
	IGW_THING_STATE_ADOPTED,    /* an XMPP entity */
	IGW_THING_STATE_BLOCKED,    /* ignored */
} IgwThingState;

const gchar *
igw_thing_state_to_string(IgwThingState state);

/*
 * The core: config, store, plugins and the one thing list. Plugins report
 * into the context; the engine turns that into rows and announces what
 * happens to things ("thing-changed": added, adopted, blocked, removed...).
 * It knows no XMPP: whoever speaks for the things (the daemon's XMPP
 * manager) gives each adopted thing its session and protocol objects, and
 * answers the engine's questions about them through IgwEngineSessions.
 */
#define IGW_TYPE_ENGINE (igw_engine_get_type())
G_DECLARE_FINAL_TYPE(IgwEngine, igw_engine, IGW, ENGINE, GObject)

/* what the core asks whoever carries the things' sessions */
typedef struct {
	/* startup, once the store is open and before the plugins start */
	void (*start)(gpointer user_data);
	/* shutdown, once the plugins stopped: say goodbye and wait a little */
	void (*stop)(gpointer user_data);
	/* "online", "connecting"...; "none" without one; @thing_id NULL for the gateway's */
	const gchar *(*get_session)(gpointer user_data, const gchar *thing_id,
				    const gchar **reason);
	void (*count_sessions)(gpointer user_data, guint *online, guint *connecting, guint *failed);
	/* what the things' pubsub services took, each text once (gchar *) */
	GPtrArray *(*describe_pubsub)(gpointer user_data);
} IgwEngineSessions;

IgwEngine *
igw_engine_new(IgwConfig *config, const gchar *state_dir);
/* @sessions outlives the engine, or is unset (NULL) first */
void
igw_engine_set_sessions(IgwEngine *self, const IgwEngineSessions *sessions, gpointer user_data);
/* a session changed ("session", "online"); @thing NULL for the gateway's */
void
igw_engine_sessions_changed(IgwEngine *self, IgwThing *thing, const gchar *change);
IgwConfig *
igw_engine_get_config(IgwEngine *self);
IgwContext *
igw_engine_get_context(IgwEngine *self);
IgwPlugin *
igw_engine_get_thing_plugin(IgwEngine *self, const gchar *thing_id);
gboolean
igw_engine_get_shutting_down(IgwEngine *self);
/* the XMPP account of an adopted thing, or of the gateway (@thing_id NULL);
 * @password NULL: none known (register); @greeted may be NULL */
gboolean
igw_engine_get_thing_account(IgwEngine *self, const gchar *thing_id, gchar **jid, gchar **password,
			     gboolean *greeted, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
igw_engine_set_thing_credentials(IgwEngine *self, const gchar *thing_id, const gchar *jid,
				 const gchar *password);
void
igw_engine_set_thing_greeted(IgwEngine *self, const gchar *thing_id);
/* the thing's owners (config and run time), or the gateway's (@thing_id NULL) */
GStrv
igw_engine_get_owners(IgwEngine *self, const gchar *thing_id);
gboolean
igw_engine_get_peer_profile(IgwEngine *self, const gchar *bare_jid, gchar **profile,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_check_only(IgwEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_startup(IgwEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_check_config(IgwEngine *self, IgwConfig *config,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_reload(IgwEngine *self, IgwConfig *config, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
igw_engine_shutdown(IgwEngine *self);
gchar *
igw_engine_get_status(IgwEngine *self);
gchar *
igw_engine_localpart_for_id(const gchar *thing_id);

/* what the administration interface (D-Bus) needs */
GVariant *
igw_engine_get_status_dict(IgwEngine *self);
GPtrArray *
igw_engine_get_plugins(IgwEngine *self);
GPtrArray *
igw_engine_get_things(IgwEngine *self);
IgwThing *
igw_engine_lookup_thing(IgwEngine *self, const gchar *thing_id);
IgwThingState
igw_engine_get_thing_state(IgwEngine *self, const gchar *thing_id);
gboolean
igw_engine_get_thing_configured(IgwEngine *self, const gchar *thing_id);
const gchar *
igw_engine_get_thing_jid(IgwEngine *self, const gchar *thing_id);
const gchar *
igw_engine_get_thing_session(IgwEngine *self, const gchar *thing_id, const gchar **reason);
gboolean
igw_engine_rename_thing(IgwEngine *self, const gchar *thing_id, const gchar *name,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_adopt_thing(IgwEngine *self, const gchar *thing_id,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_block_thing(IgwEngine *self, const gchar *thing_id,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_forget_thing(IgwEngine *self, const gchar *thing_id,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* the control service: every door sets values through it */
IgwControl *
igw_engine_get_control(IgwEngine *self);
GPtrArray *
igw_engine_get_readings(IgwEngine *self, const gchar *thing_id, const gchar *field, gint64 start,
			gint64 end, guint limit, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* of IgwStoreOwner */
GPtrArray *
igw_engine_list_owners(IgwEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_add_owner(IgwEngine *self, const gchar *jid, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_remove_owner(IgwEngine *self, const gchar *jid,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* of IgwStorePeer */
GPtrArray *
igw_engine_list_peers(IgwEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_set_peer_profile(IgwEngine *self, const gchar *jid, const gchar *profile,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
/*
 * a per-thing secret (e.g. a BLE "bindkey"), checked by the plugin named by the id's
 * prefix and stored; @value NULL or "" clears it. The thing need not exist yet.
 */
gboolean
igw_engine_set_thing_secret(IgwEngine *self, const gchar *thing_id, const gchar *name,
			    const gchar *value, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* the names of a thing's secrets, sorted; never their values */
gchar **
igw_engine_get_thing_secret_names(IgwEngine *self, const gchar *thing_id);
gboolean
igw_engine_permit_join(IgwEngine *self, guint seconds, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_get_permit_join(IgwEngine *self);
guint
igw_engine_get_permit_join_remaining(IgwEngine *self);
gboolean
igw_engine_start_scan(IgwEngine *self, guint timeout, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_stop_scan(IgwEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_get_scanning(IgwEngine *self);
gint64
igw_engine_get_start_time(IgwEngine *self);

G_END_DECLS
