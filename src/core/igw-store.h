/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "igw-reading.h"
#include "igw-thing.h"

G_BEGIN_DECLS

/*
 * The gateway's SQLite state: things, credentials, owners (ACL), reading
 * history with retention, and the outbox. WAL mode; every statement prepared;
 * readings are queued in memory and written in one transaction per flush.
 */

#define IGW_STORE_SCHEMA_VERSION 5

#define IGW_TYPE_STORE (igw_store_get_type())
G_DECLARE_FINAL_TYPE(IgwStore, igw_store, IGW, STORE, GObject)

IgwStore *
igw_store_new(void);
/* refuses a corrupt database or one from a newer schema, never recreates it */
gboolean
igw_store_open(IgwStore *self, const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
igw_store_close(IgwStore *self);
guint
igw_store_get_schema_version(IgwStore *self);

/* things */
/* a new thing is 'adopted'; the state and display name of a stored one stay as they are */
gboolean
igw_store_upsert_thing(IgwStore *self, IgwThing *thing, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* forgets everything stored under the id: state, name, owners of either source, readings, secrets */
gboolean
igw_store_remove_thing(IgwStore *self, const gchar *thing_id,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;
/*
 * The JID localpart of a thing: kept once given. A new thing gets @proposed, or
 * @proposed-2, -3... when another thing holds it already.
 */
gchar *
igw_store_ensure_localpart(IgwStore *self, const gchar *thing_id, const gchar *proposed,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_store_get_greeted(IgwStore *self, const gchar *thing_id, gboolean *greeted,
		      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_store_set_greeted(IgwStore *self, const gchar *thing_id,
		      GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* thing state: "discovered", "adopted" or "blocked"; *state NULL when the thing is not stored */
gboolean
igw_store_get_thing_state(IgwStore *self, const gchar *thing_id, gchar **state,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* the thing must be stored (NOT_FOUND otherwise); INVALID_DATA for another state string */
gboolean
igw_store_set_thing_state(IgwStore *self, const gchar *thing_id, const gchar *state,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* the name chosen with rename; *name NULL when none was chosen or the thing is not stored */
gboolean
igw_store_get_display_name(IgwStore *self, const gchar *thing_id, gchar **name,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* NULL clears it, "" is INVALID_DATA; the thing must be stored (NOT_FOUND otherwise) */
gboolean
igw_store_set_display_name(IgwStore *self, const gchar *thing_id, const gchar *name,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* ids of stored things, optionally only those in @state (NULL for all), sorted */
GStrv
igw_store_get_thing_ids(IgwStore *self, const gchar *state,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* credentials of a thing, or of the gateway itself with thing_id "" */
gboolean
igw_store_get_credentials(IgwStore *self, const gchar *thing_id, gchar **jid, gchar **password,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_store_set_credentials(IgwStore *self, const gchar *thing_id, const gchar *jid,
			  const gchar *password, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * owners: thing_id "" means owner of the whole gateway. Each has a source: "config"
 * (from the configuration file, set with igw_store_set_owners()) or "admin" (added at
 * run time with igw_store_add_owner()). JIDs compare without case. Lists give the
 * config owners first, in the order set, then the admin ones in the order added.
 */
/* replaces the config owners only; an admin owner that the list names becomes a config one */
gboolean
igw_store_set_owners(IgwStore *self, const gchar *thing_id, const gchar *const *owners,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* every owner, of either source */
GStrv
igw_store_get_owners(IgwStore *self, const gchar *thing_id,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* run-time owners: EXISTS when the JID is an owner already (either source) */
gboolean
igw_store_add_owner(IgwStore *self, const gchar *thing_id, const gchar *jid,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* removes an 'admin' owner: NOT_SUPPORTED for a 'config' owner, NOT_FOUND for none */
gboolean
igw_store_remove_owner(IgwStore *self, const gchar *thing_id, const gchar *jid,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;

typedef struct {
	gchar *jid;
	gchar *source;
} IgwStoreOwner;

void
igw_store_owner_free(IgwStoreOwner *owner);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwStoreOwner, igw_store_owner_free)

/* every owner with its source, as IgwStoreOwner */
GPtrArray *
igw_store_get_owner_list(IgwStore *self, const gchar *thing_id,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* readings: queued, then written by igw_store_flush() in one transaction */
void
igw_store_add_reading(IgwStore *self, IgwReading *reading);
guint
igw_store_get_pending(IgwStore *self);
gboolean
igw_store_flush(IgwStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* newest first; since/until in UTC microseconds, 0 for open; limit 0 for all */
GPtrArray *
igw_store_get_readings(IgwStore *self, const gchar *thing_id, const gchar *field, gint64 since,
		       gint64 until, guint limit, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_store_prune(IgwStore *self, const gchar *thing_id, gint64 max_age_us, guint max_rows,
		guint *removed, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* the outbox: payloads that could not be delivered yet, oldest first */
gboolean
igw_store_outbox_push(IgwStore *self, const gchar *thing_id, const gchar *kind,
		      const gchar *payload, gint64 *id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *
igw_store_outbox_peek(IgwStore *self, const gchar *thing_id, guint limit,
		      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_store_outbox_remove(IgwStore *self, gint64 id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
guint
igw_store_outbox_count(IgwStore *self, GError **error);

/*
 * peers: the dialect profile ("slixmpp", "xsf" or "smack") a bare JID is
 * answered in; JIDs compare without case. Each row has a source: "config" rows
 * are replaced as a whole by igw_store_set_config_peers(), "admin" rows are
 * set one by one at run time; a config row wins over an admin one.
 */
typedef struct {
	gchar *jid;
	gchar *profile;
	gchar *source; /* "config" or "admin" */
} IgwStorePeer;

void
igw_store_peer_free(IgwStorePeer *peer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwStorePeer, igw_store_peer_free)

/* every peer with a profile, sorted by JID */
GPtrArray *
igw_store_get_peer_list(IgwStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* *profile NULL when the peer has none */
gboolean
igw_store_get_peer_profile(IgwStore *self, const gchar *jid, gchar **profile,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* an admin row; profile NULL removes the peer; INVALID_DATA for another profile or a full JID */
gboolean
igw_store_set_peer_profile(IgwStore *self, const gchar *jid, const gchar *profile,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* replaces every config row with these, NULL-terminated and of the same length */
gboolean
igw_store_set_config_peers(IgwStore *self, const gchar *const *jids, const gchar *const *profiles,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * secrets: per-thing keys (e.g. "bindkey" of an encrypted BLE sensor), kept for
 * things not stored yet too, so a key can be set before the device is first seen.
 * The store does not check names or values: the thing's plugin does.
 */
typedef struct {
	gchar *thing_id;
	gchar *name;
	gchar *value;
} IgwStoreSecret;

void
igw_store_secret_free(IgwStoreSecret *secret);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwStoreSecret, igw_store_secret_free)

/* @value NULL deletes the secret (deleting one that is not there is no error) */
gboolean
igw_store_set_secret(IgwStore *self, const gchar *thing_id, const gchar *name, const gchar *value,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* every secret of every thing as IgwStoreSecret, sorted by thing id and name */
GPtrArray *
igw_store_get_secrets(IgwStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;

typedef struct {
	gint64 id;
	gchar *thing_id;
	gchar *kind;
	gchar *payload;
	gint64 created_us;
} IgwOutboxItem;

void
igw_outbox_item_free(IgwOutboxItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwOutboxItem, igw_outbox_item_free)

G_END_DECLS
