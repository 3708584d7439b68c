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
 * Owns everything: config, store, plugins, things and their XMPP sessions.
 * Plugins report into the context; the engine turns that into rows,
 * presence and chat.
 */
#define IGW_TYPE_ENGINE (igw_engine_get_type())
G_DECLARE_FINAL_TYPE(IgwEngine, igw_engine, IGW, ENGINE, GObject)

IgwEngine *
igw_engine_new(IgwConfig *config, const gchar *state_dir);
gboolean
igw_engine_check_only(IgwEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_startup(IgwEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_check_config(IgwEngine *self, IgwConfig *config, GError **error) G_GNUC_WARN_UNUSED_RESULT;
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
igw_engine_rename_thing(IgwEngine *self, const gchar *thing_id, const gchar *name, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_adopt_thing(IgwEngine *self, const gchar *thing_id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_block_thing(IgwEngine *self, const gchar *thing_id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_forget_thing(IgwEngine *self, const gchar *thing_id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
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
igw_engine_remove_owner(IgwEngine *self, const gchar *jid, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* of IgwStorePeer */
GPtrArray *
igw_engine_list_peers(IgwEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_set_peer_profile(IgwEngine *self, const gchar *jid, const gchar *profile, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
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
