/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	IGW_TLS_REQUIRED,
	IGW_TLS_DISABLED,
} IgwTlsMode;

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
	GStrv peer_jids;
	GStrv peer_profiles;
} IgwConfig;

#define IGW_CONFIG_MAX_SESSIONS_LIMIT 1000

IgwConfig *
igw_config_load(const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
IgwConfig *
igw_config_load_from_data(const gchar *path, const gchar *data, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void
igw_config_free(IgwConfig *self);
gboolean
igw_config_id_matches(const GStrv patterns, const gchar *thing_id);
gboolean
igw_config_jid_is_bare(const gchar *jid);
GStrv
igw_config_get_thing_owners(IgwConfig *self, const gchar *thing_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwConfig, igw_config_free)

G_END_DECLS
