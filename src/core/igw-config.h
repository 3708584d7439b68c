/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	IGW_TLS_REQUIRED,
	IGW_TLS_DISABLED,
} IgwTlsMode;

/* [room JID]: a MUC room for the things whose fields match one of its topics */
typedef struct {
	gchar *jid;	    /* bare room JID, room@service */
	GStrv topics;	    /* globs over field names */
	gdouble threshold;  /* numeric change that is worth a post */
	guint min_interval; /* seconds between posts of one field */
	gchar *password;    /* NULL: none */
} IgwConfigRoom;

IgwConfigRoom *
igw_config_room_copy(const IgwConfigRoom *self);
/* the names [peer JID] profile= takes: slixmpp, xsf, smack */
const gchar *const *
igw_config_get_peer_profile_names(void);
void
igw_config_room_free(IgwConfigRoom *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwConfigRoom, igw_config_room_free)

/* the parsed and validated daemon config; plugin keys stay in keyfile */
typedef struct {
	gchar *path;
	GKeyFile *keyfile;
	/* [xmpp] */
	gchar *domain;
	gchar *host;
	guint port;
	IgwTlsMode tls;
	gchar *ca_file;
	gchar *pinned_cert; /* lower-case hex SHA-256 of the DER certificate */
	gboolean register_accounts;
	gchar *resource;
	guint max_sessions;
	guint max_logins_in_flight;
	guint login_timeout;
	guint max_chat_bytes;	    /* one chat body */
	guint max_request_elements; /* fields, nodes or parameters of one request */
	guint request_burst;	    /* requests per stranger at once, then per second */
	guint request_rate;
	guint owner_request_burst; /* the same for each owner, in buckets of their own */
	guint owner_request_rate;
	/* [gateway] */
	gchar *gateway_jid;
	gchar *gateway_password;
	GStrv owners;
	gchar *plugin_dir;
	GStrv disabled_plugins;
	gboolean adopt_auto; /* found things become XMPP entities without asking */
	GStrv adopt_allow;   /* globs of thing ids adopted on sight */
	GStrv adopt_deny;    /* globs of thing ids never listed */
	/* [history] */
	guint history_max_age_days;
	guint history_max_rows;
	/* [peer JID]: bare JIDs and their profiles, in the same order */
	gboolean pubsub_enabled;    /* the thesis's nodes on every thing's PEP service */
	gchar *pubsub_access_model; /* asked for first: roster, presence, whitelist, open */
	gboolean pubsub_persist_items;
	gboolean pubsub_sensordata; /* also an XEP-0323 fields item */
	gdouble pubsub_deadband;    /* numeric change that is worth a publish */
	guint pubsub_min_interval;  /* seconds between publishes of one field */

	GStrv peer_jids;
	GStrv peer_profiles;
	/* [room JID]: IgwConfigRoom, in the order written */
	GPtrArray *rooms;
} IgwConfig;

#define IGW_CONFIG_MAX_SESSIONS_LIMIT 1000

IgwConfig *
igw_config_load(const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
IgwConfig *
igw_config_load_from_data(const gchar *path, const gchar *data,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
igw_config_free(IgwConfig *self);
gboolean
igw_config_get_pubsub_limits(IgwConfig *self, const gchar *field, gdouble *deadband,
			     guint *min_interval, GError **error);
gboolean
igw_config_id_matches(const GStrv patterns, const gchar *thing_id);
gboolean
igw_config_jid_is_bare(const gchar *jid);
gboolean
igw_config_check_bare_jid(const gchar *jid, GError **error);
GStrv
igw_config_get_thing_owners(IgwConfig *self, const gchar *thing_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwConfig, igw_config_free)

G_END_DECLS
