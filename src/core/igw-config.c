/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwConfig"

#include "config.h"

#include <math.h>
#include <string.h>

#include "igw-config.h"
#include "igw-error.h"
#include "igw-thing.h"

static const gchar *const xmpp_keys[] = {"domain",
					 "host",
					 "port",
					 "tls",
					 "ca_file",
					 "pinned_cert",
					 "register",
					 "resource",
					 "max_sessions",
					 "max_logins_in_flight",
					 "login_timeout",
					 "max_chat_bytes",
					 "max_request_elements",
					 "request_burst",
					 "request_rate",
					 "owner_request_burst",
					 "owner_request_rate",
					 NULL};
static const gchar *const gateway_keys[] = {
    "jid", "password", "owners", "plugin_dir", "disabled_plugins", "adopt", "allow", "deny", NULL};
static const gchar *const history_keys[] = {"max_age_days", "max_rows", NULL};
static const gchar *const peer_keys[] = {"profile", NULL};
static const gchar *const room_keys[] = {"topics", "threshold", "min_interval", "password", NULL};
static const gchar *const pubsub_keys[] = {
    "enabled", "access_model", "persist_items", "deadband", "min_interval", "sensordata", NULL};
static const gchar *const pubsub_access_models[] = {"roster", "presence", "whitelist", "open",
						    NULL};
/* what each means is the protocol layer's business (IgwIotProfile) */
static const gchar *const peer_profiles[] = {"slixmpp", "xsf", "smack", NULL};

const gchar *const *
igw_config_get_peer_profile_names(void)
{
	return peer_profiles;
}

void
igw_config_free(IgwConfig *self)
{
	if (self == NULL)
		return;
	g_free(self->path);
	g_key_file_unref(self->keyfile);
	g_free(self->domain);
	g_free(self->host);
	g_free(self->ca_file);
	g_free(self->pinned_cert);
	g_free(self->resource);
	g_free(self->gateway_jid);
	g_free(self->gateway_password);
	g_strfreev(self->owners);
	g_free(self->plugin_dir);
	g_strfreev(self->disabled_plugins);
	g_strfreev(self->adopt_allow);
	g_strfreev(self->adopt_deny);
	g_free(self->pubsub_access_model);
	g_strfreev(self->peer_jids);
	g_strfreev(self->peer_profiles);
	g_clear_pointer(&self->rooms, g_ptr_array_unref);
	g_free(self);
}

IgwConfigRoom *
igw_config_room_copy(const IgwConfigRoom *self)
{
	IgwConfigRoom *copy = g_new0(IgwConfigRoom, 1);
	copy->jid = g_strdup(self->jid);
	copy->topics = g_strdupv(self->topics);
	copy->threshold = self->threshold;
	copy->min_interval = self->min_interval;
	copy->password = g_strdup(self->password);
	return copy;
}

void
igw_config_room_free(IgwConfigRoom *self)
{
	if (self == NULL)
		return;
	g_free(self->jid);
	g_strfreev(self->topics);
	g_free(self->password);
	g_free(self);
}

/*
 * GKeyFile takes group and key names that are not UTF-8, and quotes such lines
 * in its own errors; the journal and D-Bus want UTF-8
 */
static void
igw_config_set_error(GError **error, const gchar *message)
{
	g_autofree gchar *valid = g_utf8_make_valid(message, -1);
	g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG, valid);
}

static gboolean
igw_config_fail(IgwConfig *self, const gchar *group, const gchar *key, GError **error,
		const gchar *format, ...) G_GNUC_PRINTF(5, 6);

/* every config error names the file, the group, the key and what was expected */
static gboolean
igw_config_fail(IgwConfig *self, const gchar *group, const gchar *key, GError **error,
		const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *what = NULL;
	g_autofree gchar *message = NULL;
	va_start(args, format);
	what = g_strdup_vprintf(format, args);
	va_end(args);
	if (key != NULL)
		message = g_strdup_printf("%s: [%s] %s: %s", self->path, group, key, what);
	else
		message = g_strdup_printf("%s: [%s]: %s", self->path, group, what);
	igw_config_set_error(error, message);
	return FALSE;
}

/*
 * GLib 2.74 sets its GError twice, and warns, when an unknown escape like "\z"
 * comes before a trailing "\"; a lone trailing "\" is refused before that
 */
static gboolean
igw_config_check_escapes(IgwConfig *self, const gchar *group, const gchar *key, GError **error)
{
	g_autofree gchar *raw = g_key_file_get_value(self->keyfile, group, key, NULL);
	gsize len = raw != NULL ? strlen(raw) : 0;
	gsize backslashes = 0;
	while (backslashes < len && raw[len - 1 - backslashes] == '\\')
		backslashes++;
	if (backslashes % 2 == 0)
		return TRUE;
	return igw_config_fail(
	    self, group, key, error,
	    "expected UTF-8 text with valid escapes, the value ends in a lone '\\'");
}

/* the unescaped value, or NULL when the key is absent; a value GKeyFile can't read is an error */
static gboolean
igw_config_get_value(IgwConfig *self, const gchar *group, const gchar *key, gchar **out,
		     GError **error)
{
	g_autoptr(GError) local_error = NULL;
	g_autofree gchar *value = NULL;
	*out = NULL;
	if (!igw_config_check_escapes(self, group, key, error))
		return FALSE;
	value = g_key_file_get_string(self->keyfile, group, key, &local_error);
	/* older GLib returns a value for "\z" and sets the error all the same */
	if (local_error == NULL ||
	    g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) ||
	    g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND)) {
		*out = g_steal_pointer(&value);
		return TRUE;
	}
	return igw_config_fail(
	    self, group, key, error,
	    "expected UTF-8 text with valid escapes, the value could not be read: %s",
	    local_error->message);
}

static gboolean
igw_config_get_string(IgwConfig *self, const gchar *group, const gchar *key, const gchar *fallback,
		      gboolean required, gchar **out, GError **error)
{
	g_autofree gchar *value = NULL;
	if (!igw_config_get_value(self, group, key, &value, error))
		return FALSE;
	if (value != NULL)
		g_strstrip(value);
	if (value == NULL || *value == '\0') {
		if (required)
			return igw_config_fail(self, group, key, error,
					       "expected a value, the key is missing");
		*out = g_strdup(fallback);
		return TRUE;
	}
	*out = g_steal_pointer(&value);
	return TRUE;
}

static gboolean
igw_config_get_uint(IgwConfig *self, const gchar *group, const gchar *key, guint fallback,
		    guint min, guint max, guint *out, GError **error)
{
	g_autofree gchar *value = NULL;
	guint64 number = 0;
	if (!igw_config_get_value(self, group, key, &value, error))
		return FALSE;
	if (value == NULL) {
		*out = fallback;
		return TRUE;
	}
	g_strstrip(value);
	if (!g_ascii_string_to_unsigned(value, 10, min, max, &number, NULL))
		return igw_config_fail(self, group, key, error,
				       "expected a whole number from %u to %u, got '%s'", min, max,
				       value);
	*out = (guint)number;
	return TRUE;
}

static gboolean
igw_config_get_bool(IgwConfig *self, const gchar *group, const gchar *key, gboolean fallback,
		    gboolean *out, GError **error)
{
	g_autofree gchar *value = NULL;
	if (!igw_config_get_value(self, group, key, &value, error))
		return FALSE;
	if (value == NULL) {
		*out = fallback;
		return TRUE;
	}
	g_strstrip(value);
	if (g_strcmp0(value, "true") == 0) {
		*out = TRUE;
		return TRUE;
	}
	if (g_strcmp0(value, "false") == 0) {
		*out = FALSE;
		return TRUE;
	}
	return igw_config_fail(self, group, key, error, "expected true or false, got '%s'", value);
}

/* RFC 7622 §3.1: each part of a JID is 1 to 1023 bytes */
#define IGW_JID_PART_MAX 1023

/* RFC 7622 §3.3.1: never in a localpart; PRECIS takes out spaces and controls */
static gboolean
igw_config_jid_char_ok(gunichar c, gboolean local)
{
	if (g_unichar_isspace(c) || g_unichar_iscntrl(c) || c == 0xfffe || c == 0xffff)
		return FALSE;
	if (local && c == '/')
		return FALSE;
	return c != '"' && c != '&' && c != '\'' && c != ':' && c != '<' && c != '>' && c != '@';
}

static gboolean
igw_config_check_jid_part(const gchar *jid, const gchar *part, gsize len, const gchar *what,
			  gboolean local, GError **error)
{
	g_autofree gchar *shown = g_utf8_make_valid(jid, MIN(strlen(jid), 64));
	const gchar *ellipsis = strlen(jid) > 64 ? "..." : "";
	if (len == 0 || len > IGW_JID_PART_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "'%s%s' is not a bare JID (user@domain): its %s has %" G_GSIZE_FORMAT
			    " bytes, RFC 7622 allows 1 to %d",
			    shown, ellipsis, what, len, IGW_JID_PART_MAX);
		return FALSE;
	}
	for (const gchar *p = part; p < part + len; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (!igw_config_jid_char_ok(c, local)) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "'%s%s' is not a bare JID (user@domain): its %s holds U+%04X, "
				    "which RFC 7622 does not allow there",
				    shown, ellipsis, what, c);
			return FALSE;
		}
	}
	return TRUE;
}

/* RFC 7622 for a bare JID as the gateway takes one: localpart@domainpart, no resource */
gboolean
igw_config_check_bare_jid(const gchar *jid, GError **error)
{
	const gchar *at;
	if (jid == NULL || !g_utf8_validate(jid, -1, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "a JID is UTF-8 text (RFC 7622 §3.1)");
		return FALSE;
	}
	at = strchr(jid, '@');
	if (at == NULL || strchr(jid, '/') != NULL) {
		g_autofree gchar *shown = g_utf8_make_valid(jid, MIN(strlen(jid), 64));
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "'%s%s' is not a bare JID (user@domain)", shown,
			    strlen(jid) > 64 ? "..." : "");
		return FALSE;
	}
	return igw_config_check_jid_part(jid, jid, (gsize)(at - jid), "localpart", TRUE, error) &&
	       igw_config_check_jid_part(jid, at + 1, strlen(at + 1), "domainpart", FALSE, error);
}

gboolean
igw_config_jid_is_bare(const gchar *jid)
{
	return igw_config_check_bare_jid(jid, NULL);
}

/* in the order written, each JID once */
static gboolean
igw_config_get_jids(IgwConfig *self, const gchar *group, const gchar *key, GStrv *out,
		    GError **error)
{
	g_autoptr(GError) local_error = NULL;
	g_auto(GStrv) jids = NULL;
	g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func(g_free);
	if (!igw_config_check_escapes(self, group, key, error))
		return FALSE;
	jids = g_key_file_get_string_list(self->keyfile, group, key, NULL, &local_error);
	if (local_error != NULL &&
	    !g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
	    !g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
		return igw_config_fail(
		    self, group, key, error,
		    "expected UTF-8 text with valid escapes, the value could not be read: %s",
		    local_error->message);
	for (guint i = 0; jids != NULL && jids[i] != NULL; i++) {
		g_autoptr(GError) jid_error = NULL;
		g_strstrip(jids[i]);
		if (*jids[i] == '\0')
			continue;
		if (!igw_config_check_bare_jid(jids[i], &jid_error))
			return igw_config_fail(
			    self, group, key, error,
			    "expected bare JIDs (user@domain) separated by ';', got %s",
			    jid_error->message);
		if (!g_ptr_array_find_with_equal_func(array, jids[i], g_str_equal, NULL))
			g_ptr_array_add(array, g_strdup(jids[i]));
	}
	g_ptr_array_add(array, NULL);
	*out = (GStrv)g_ptr_array_free(g_steal_pointer(&array), FALSE);
	return TRUE;
}

static gboolean
igw_config_check_keys(IgwConfig *self, const gchar *group, const gchar *const *known,
		      GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(self->keyfile, group, NULL, NULL);
	g_autofree gchar *list = g_strjoinv(", ", (gchar **)known);
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known, keys[i]))
			return igw_config_fail(self, group, keys[i], error,
					       "unknown key; expected one of: %s", list);
	}
	return TRUE;
}

static gboolean
igw_config_parse_tls(IgwConfig *self, GError **error)
{
	g_autofree gchar *tls = NULL;
	if (!igw_config_get_string(self, "xmpp", "tls", "required", FALSE, &tls, error))
		return FALSE;
	if (g_strcmp0(tls, "required") == 0)
		self->tls = IGW_TLS_REQUIRED;
	else if (g_strcmp0(tls, "disabled") == 0)
		self->tls = IGW_TLS_DISABLED;
	else
		return igw_config_fail(self, "xmpp", "tls", error,
				       "expected 'required' or 'disabled', got '%s'", tls);
	if (self->ca_file != NULL && !g_file_test(self->ca_file, G_FILE_TEST_IS_REGULAR))
		return igw_config_fail(self, "xmpp", "ca_file", error,
				       "expected a readable PEM file, '%s' does not exist",
				       self->ca_file);
	return TRUE;
}

static gboolean
igw_config_parse_pin(IgwConfig *self, GError **error)
{
	g_autoptr(GString) hex = NULL;
	if (self->pinned_cert == NULL)
		return TRUE;
	hex = g_string_new(NULL);
	for (const gchar *p = self->pinned_cert; *p != '\0'; p++) {
		if (*p == ':')
			continue;
		if (!g_ascii_isxdigit(*p))
			return igw_config_fail(self, "xmpp", "pinned_cert", error,
					       "expected a SHA-256 fingerprint in hex, got '%s'",
					       self->pinned_cert);
		g_string_append_c(hex, g_ascii_tolower(*p));
	}
	if (hex->len != 64)
		return igw_config_fail(self, "xmpp", "pinned_cert", error,
				       "expected 64 hex digits of SHA-256, got %u",
				       (guint)hex->len);
	g_free(self->pinned_cert);
	self->pinned_cert = g_string_free(g_steal_pointer(&hex), FALSE);
	return TRUE;
}

/* the gateway's own limits on what one peer may ask, whatever the server allows */
static gboolean
igw_config_parse_request_limits(IgwConfig *self, GError **error)
{
	return igw_config_get_uint(self, "xmpp", "max_chat_bytes", 4096, 64, 1048576,
				   &self->max_chat_bytes, error) &&
	       igw_config_get_uint(self, "xmpp", "max_request_elements", 256, 1, 100000,
				   &self->max_request_elements, error) &&
	       igw_config_get_uint(self, "xmpp", "request_burst", 20, 1, 100000,
				   &self->request_burst, error) &&
	       igw_config_get_uint(self, "xmpp", "request_rate", 5, 1, 100000, &self->request_rate,
				   error) &&
	       igw_config_get_uint(self, "xmpp", "owner_request_burst", 200, 1, 100000,
				   &self->owner_request_burst, error) &&
	       igw_config_get_uint(self, "xmpp", "owner_request_rate", 50, 1, 100000,
				   &self->owner_request_rate, error);
}

static gboolean
igw_config_parse_xmpp(IgwConfig *self, GError **error)
{
	if (!g_key_file_has_group(self->keyfile, "xmpp"))
		return igw_config_fail(self, "xmpp", NULL, error,
				       "expected this group, it is missing");
	return igw_config_check_keys(self, "xmpp", xmpp_keys, error) &&
	       igw_config_get_string(self, "xmpp", "domain", NULL, TRUE, &self->domain, error) &&
	       igw_config_get_string(self, "xmpp", "host", self->domain, FALSE, &self->host,
				     error) &&
	       igw_config_get_uint(self, "xmpp", "port", 5222, 1, 65535, &self->port, error) &&
	       igw_config_get_string(self, "xmpp", "ca_file", NULL, FALSE, &self->ca_file, error) &&
	       igw_config_get_string(self, "xmpp", "pinned_cert", NULL, FALSE, &self->pinned_cert,
				     error) &&
	       igw_config_parse_tls(self, error) && igw_config_parse_pin(self, error) &&
	       igw_config_get_bool(self, "xmpp", "register", FALSE, &self->register_accounts,
				   error) &&
	       igw_config_get_string(self, "xmpp", "resource", "iotgw", FALSE, &self->resource,
				     error) &&
	       igw_config_get_uint(self, "xmpp", "max_sessions", 900, 1,
				   IGW_CONFIG_MAX_SESSIONS_LIMIT, &self->max_sessions, error) &&
	       igw_config_get_uint(self, "xmpp", "max_logins_in_flight", 16, 1, 200,
				   &self->max_logins_in_flight, error) &&
	       igw_config_get_uint(self, "xmpp", "login_timeout", 30, 5, 600, &self->login_timeout,
				   error) &&
	       igw_config_parse_request_limits(self, error);
}

/* globs over thing ids ("bluez:A4:C1:38:*"): each needs the plugin part */
static gboolean
igw_config_get_id_patterns(IgwConfig *self, const gchar *key, GStrv *patterns, GError **error)
{
	g_auto(GStrv) list = g_key_file_get_string_list(self->keyfile, "gateway", key, NULL, NULL);
	for (guint i = 0; list != NULL && list[i] != NULL; i++) {
		g_strstrip(list[i]);
		if (strchr(list[i], ':') == NULL || list[i][0] == ':')
			return igw_config_fail(
			    self, "gateway", key, error,
			    "expected thing ids or globs like 'bluez:A4:C1:38:*', got '%s'",
			    list[i]);
	}
	*patterns = list != NULL ? g_steal_pointer(&list) : g_new0(gchar *, 1);
	return TRUE;
}

gboolean
igw_config_id_matches(const GStrv patterns, const gchar *thing_id)
{
	for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++) {
		if (g_pattern_match_simple(patterns[i], thing_id))
			return TRUE;
	}
	return FALSE;
}

static gboolean
igw_config_parse_adopt(IgwConfig *self, GError **error)
{
	g_autofree gchar *adopt = NULL;
	if (!igw_config_get_string(self, "gateway", "adopt", "manual", FALSE, &adopt, error))
		return FALSE;
	if (g_strcmp0(adopt, "auto") != 0 && g_strcmp0(adopt, "manual") != 0)
		return igw_config_fail(self, "gateway", "adopt", error,
				       "expected 'manual' or 'auto', got '%s'", adopt);
	self->adopt_auto = g_strcmp0(adopt, "auto") == 0;
	return igw_config_get_id_patterns(self, "allow", &self->adopt_allow, error) &&
	       igw_config_get_id_patterns(self, "deny", &self->adopt_deny, error);
}

static gboolean
igw_config_parse_gateway(IgwConfig *self, GError **error)
{
	g_autofree gchar *default_jid = g_strdup_printf("iotgw@%s", self->domain);
	if (!igw_config_check_keys(self, "gateway", gateway_keys, error) ||
	    !igw_config_get_string(self, "gateway", "jid", default_jid, FALSE, &self->gateway_jid,
				   error) ||
	    !igw_config_get_string(self, "gateway", "password", NULL, FALSE,
				   &self->gateway_password, error) ||
	    !igw_config_get_jids(self, "gateway", "owners", &self->owners, error) ||
	    !igw_config_get_string(self, "gateway", "plugin_dir", IGW_PLUGIN_DIR, FALSE,
				   &self->plugin_dir, error))
		return FALSE;
	if (!igw_config_parse_adopt(self, error))
		return FALSE;
	if (!igw_config_jid_is_bare(self->gateway_jid))
		return igw_config_fail(self, "gateway", "jid", error,
				       "expected a bare JID (user@domain), got '%s'",
				       self->gateway_jid);
	self->disabled_plugins =
	    g_key_file_get_string_list(self->keyfile, "gateway", "disabled_plugins", NULL, NULL);
	if (self->disabled_plugins == NULL)
		self->disabled_plugins = g_new0(gchar *, 1);
	return TRUE;
}

static gboolean
igw_config_parse_history(IgwConfig *self, GError **error)
{
	return igw_config_check_keys(self, "history", history_keys, error) &&
	       igw_config_get_uint(self, "history", "max_age_days", 30, 1, 36500,
				   &self->history_max_age_days, error) &&
	       igw_config_get_uint(self, "history", "max_rows", 10000, 1, 100000000,
				   &self->history_max_rows, error);
}

/* the core's keys of a [thing ID] group; plugins check the rest */
static gboolean
igw_config_parse_thing(IgwConfig *self, const gchar *group, GError **error)
{
	g_autoptr(GError) id_error = NULL;
	g_autofree gchar *jid = NULL;
	g_auto(GStrv) owners = NULL;
	const gchar *id = group + strlen("thing ");
	if (!igw_thing_id_is_valid(id, &id_error))
		return igw_config_fail(self, group, NULL, error, "%s", id_error->message);
	if (!igw_config_get_string(self, group, "jid", NULL, FALSE, &jid, error) ||
	    !igw_config_get_jids(self, group, "owners", &owners, error))
		return FALSE;
	if (jid != NULL && !igw_config_jid_is_bare(jid))
		return igw_config_fail(self, group, "jid", error,
				       "expected a bare JID (user@domain), got '%s'", jid);
	if (jid != NULL && !g_key_file_has_key(self->keyfile, group, "password", NULL))
		return igw_config_fail(self, group, "password", error,
				       "expected a password to go with jid=%s", jid);
	return TRUE;
}

/* [peer JID]: how urn:xmpp:iot:* answers are said to that peer's client */
static gboolean
igw_config_parse_peer(IgwConfig *self, const gchar *group, GPtrArray *jids, GPtrArray *profiles,
		      GError **error)
{
	const gchar *jid = group + strlen("peer ");
	g_autofree gchar *profile = NULL;
	if (!igw_config_jid_is_bare(jid))
		return igw_config_fail(self, group, NULL, error,
				       "expected 'peer' and a bare JID (user@domain), got '%s'",
				       jid);
	for (guint i = 0; i < jids->len; i++) {
		if (g_ascii_strcasecmp(g_ptr_array_index(jids, i), jid) == 0)
			return igw_config_fail(self, group, NULL, error,
					       "the same peer as [peer %s]",
					       (const gchar *)g_ptr_array_index(jids, i));
	}
	if (!igw_config_check_keys(self, group, peer_keys, error) ||
	    !igw_config_get_string(self, group, "profile", NULL, TRUE, &profile, error))
		return FALSE;
	if (!g_strv_contains(peer_profiles, profile))
		return igw_config_fail(self, group, "profile", error,
				       "expected 'xsf', 'slixmpp' or 'smack', got '%s'", profile);
	g_ptr_array_add(jids, g_strdup(jid));
	g_ptr_array_add(profiles, g_steal_pointer(&profile));
	return TRUE;
}

static GStrv
igw_config_steal_strv(GPtrArray *array)
{
	g_ptr_array_add(array, NULL);
	return (GStrv)g_ptr_array_free(array, FALSE);
}

static gboolean
igw_config_parse_peers(IgwConfig *self, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(self->keyfile, NULL);
	g_autoptr(GPtrArray) jids = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; groups[i] != NULL; i++) {
		if (g_str_has_prefix(groups[i], "peer ") &&
		    !igw_config_parse_peer(self, groups[i], jids, profiles, error))
			return FALSE;
	}
	self->peer_jids = igw_config_steal_strv(g_steal_pointer(&jids));
	self->peer_profiles = igw_config_steal_strv(g_steal_pointer(&profiles));
	return TRUE;
}

/* "deadband.temperature": a key of the list, or one with a field suffix */
static gboolean
igw_config_check_pubsub_keys(IgwConfig *self, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(self->keyfile, "pubsub", NULL, NULL);
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (g_strv_contains(pubsub_keys, keys[i]) ||
		    g_str_has_prefix(keys[i], "deadband.") ||
		    g_str_has_prefix(keys[i], "min_interval."))
			continue;
		return igw_config_fail(
		    self, "pubsub", keys[i], error,
		    "unknown key; expected enabled, access_model, persist_items, deadband, "
		    "min_interval, sensordata, deadband.FIELD or min_interval.FIELD");
	}
	return TRUE;
}

static gboolean
igw_config_get_boolean(IgwConfig *self, const gchar *group, const gchar *key, gboolean fallback,
		       gboolean *value, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	if (!g_key_file_has_key(self->keyfile, group, key, NULL)) {
		*value = fallback;
		return TRUE;
	}
	*value = g_key_file_get_boolean(self->keyfile, group, key, &local_error);
	if (local_error != NULL)
		return igw_config_fail(self, group, key, error, "expected true or false");
	return TRUE;
}

/* deadband.FIELD and min_interval.FIELD are read when the field is first
 * published: check them now, so that a typo stops the daemon at start */
static gboolean
igw_config_check_pubsub_field_limits(IgwConfig *self, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(self->keyfile, "pubsub", NULL, NULL);
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		const gchar *dot = strchr(keys[i], '.');
		gdouble deadband;
		guint min_interval;
		if (dot == NULL)
			continue;
		if (dot[1] == '\0')
			return igw_config_fail(self, "pubsub", keys[i], error,
					       "expected a field name after '.'");
		if (!igw_config_get_pubsub_limits(self, dot + 1, &deadband, &min_interval, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
igw_config_parse_pubsub(IgwConfig *self, GError **error)
{
	g_autofree gchar *model = NULL;
	if (!igw_config_check_pubsub_keys(self, error) ||
	    !igw_config_get_boolean(self, "pubsub", "enabled", TRUE, &self->pubsub_enabled,
				    error) ||
	    !igw_config_get_boolean(self, "pubsub", "persist_items", TRUE,
				    &self->pubsub_persist_items, error) ||
	    !igw_config_get_boolean(self, "pubsub", "sensordata", FALSE, &self->pubsub_sensordata,
				    error) ||
	    !igw_config_get_string(self, "pubsub", "access_model", "roster", FALSE, &model, error))
		return FALSE;
	if (!g_strv_contains(pubsub_access_models, model))
		return igw_config_fail(self, "pubsub", "access_model", error,
				       "expected roster, presence, whitelist or open, got '%s'",
				       model);
	self->pubsub_access_model = g_steal_pointer(&model);
	return igw_config_get_pubsub_limits(self, NULL, &self->pubsub_deadband,
					    &self->pubsub_min_interval, error) &&
	       igw_config_check_pubsub_field_limits(self, error);
}

/* the global deadband and minimum interval, or a field's own */
gboolean
igw_config_get_pubsub_limits(IgwConfig *self, const gchar *field, gdouble *deadband,
			     guint *min_interval, GError **error)
{
	g_autofree gchar *deadband_key =
	    field != NULL ? g_strconcat("deadband.", field, NULL) : g_strdup("deadband");
	g_autofree gchar *interval_key =
	    field != NULL ? g_strconcat("min_interval.", field, NULL) : g_strdup("min_interval");
	g_autoptr(GError) local_error = NULL;
	gdouble fallback_deadband = field != NULL ? self->pubsub_deadband : 0;
	guint fallback_interval = field != NULL ? self->pubsub_min_interval : 5;
	*deadband = fallback_deadband;
	if (g_key_file_has_key(self->keyfile, "pubsub", deadband_key, NULL)) {
		*deadband =
		    g_key_file_get_double(self->keyfile, "pubsub", deadband_key, &local_error);
		if (local_error != NULL || *deadband < 0 || !isfinite(*deadband))
			return igw_config_fail(self, "pubsub", deadband_key, error,
					       "expected a number >= 0");
	}
	return igw_config_get_uint(self, "pubsub", interval_key, fallback_interval, 0, 86400,
				   min_interval, error);
}

/* a number >= 0, or the fallback when the key is absent */
static gboolean
igw_config_get_threshold(IgwConfig *self, const gchar *group, const gchar *key, gdouble *out,
			 GError **error)
{
	g_autofree gchar *value = NULL;
	gchar *end = NULL;
	if (!igw_config_get_value(self, group, key, &value, error))
		return FALSE;
	*out = 0;
	if (value == NULL)
		return TRUE;
	g_strstrip(value);
	*out = g_ascii_strtod(value, &end);
	if (*value == '\0' || end == NULL || *end != '\0' || !isfinite(*out) || *out < 0)
		return igw_config_fail(self, group, key, error, "expected a number >= 0, got '%s'",
				       value);
	return TRUE;
}

/* ';' separated globs over field names, at least one */
static gboolean
igw_config_get_topics(IgwConfig *self, const gchar *group, GStrv *out, GError **error)
{
	g_autofree gchar *value = NULL;
	g_auto(GStrv) parts = NULL;
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	guint count = 0;
	if (!igw_config_get_string(self, group, "topics", NULL, TRUE, &value, error))
		return FALSE;
	parts = g_strsplit(value, ";", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		g_strstrip(parts[i]);
		if (*parts[i] == '\0')
			continue;
		if (strpbrk(parts[i], " \t") != NULL)
			return igw_config_fail(
			    self, group, "topics", error,
			    "expected field names or globs separated by ';', got '%s'", parts[i]);
		g_strv_builder_add(builder, parts[i]);
		count++;
	}
	if (count == 0)
		return igw_config_fail(
		    self, group, "topics", error,
		    "expected at least one field name or glob, like 'temperature;humidity'");
	*out = g_strv_builder_end(builder);
	return TRUE;
}

/* [room JID]: a MUC room that things join when one of their fields matches a topic */
static gboolean
igw_config_parse_room(IgwConfig *self, const gchar *group, GError **error)
{
	g_autoptr(IgwConfigRoom) room = g_new0(IgwConfigRoom, 1);
	const gchar *jid = group + strlen("room ");
	if (!igw_config_jid_is_bare(jid))
		return igw_config_fail(
		    self, group, NULL, error,
		    "expected 'room' and a bare room JID (room@service), got '%s'", jid);
	for (guint i = 0; i < self->rooms->len; i++) {
		IgwConfigRoom *other = g_ptr_array_index(self->rooms, i);
		if (g_ascii_strcasecmp(other->jid, jid) == 0)
			return igw_config_fail(self, group, NULL, error,
					       "the same room as [room %s]", other->jid);
	}
	room->jid = g_utf8_strdown(jid, -1);
	if (!igw_config_check_keys(self, group, room_keys, error) ||
	    !igw_config_get_topics(self, group, &room->topics, error) ||
	    !igw_config_get_threshold(self, group, "threshold", &room->threshold, error) ||
	    !igw_config_get_uint(self, group, "min_interval", 60, 0, 86400, &room->min_interval,
				 error) ||
	    !igw_config_get_string(self, group, "password", NULL, FALSE, &room->password, error))
		return FALSE;
	g_ptr_array_add(self->rooms, g_steal_pointer(&room));
	return TRUE;
}

static gboolean
igw_config_parse_rooms(IgwConfig *self, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(self->keyfile, NULL);
	self->rooms = g_ptr_array_new_with_free_func((GDestroyNotify)igw_config_room_free);
	for (guint i = 0; groups[i] != NULL; i++) {
		if (g_str_has_prefix(groups[i], "room ") &&
		    !igw_config_parse_room(self, groups[i], error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
igw_config_parse_groups(IgwConfig *self, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(self->keyfile, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		if (g_str_has_prefix(groups[i], "thing ")) {
			if (!igw_config_parse_thing(self, groups[i], error))
				return FALSE;
			continue;
		}
		if (g_str_has_prefix(groups[i], "plugin ") ||
		    g_str_has_prefix(groups[i], "peer ") || g_str_has_prefix(groups[i], "room "))
			continue;
		if (!g_strv_contains(
			(const gchar *const[]){"xmpp", "gateway", "history", "pubsub", NULL},
			groups[i]))
			return igw_config_fail(
			    self, groups[i], NULL, error,
			    "unknown group; expected xmpp, gateway, history, pubsub, "
			    "'plugin NAME', 'thing ID', 'peer JID' or 'room JID'");
	}
	return TRUE;
}

IgwConfig *
igw_config_load_from_data(const gchar *path, const gchar *data, GError **error)
{
	g_autoptr(IgwConfig) self = g_new0(IgwConfig, 1);
	g_autoptr(GError) local_error = NULL;
	self->path = g_strdup(path);
	self->keyfile = g_key_file_new();
	if (!g_key_file_load_from_data(self->keyfile, data, -1, G_KEY_FILE_NONE, &local_error)) {
		g_autofree gchar *message = g_strdup_printf("%s: %s", path, local_error->message);
		igw_config_set_error(error, message);
		return NULL;
	}
	if (!igw_config_parse_groups(self, error) || !igw_config_parse_xmpp(self, error) ||
	    !igw_config_parse_gateway(self, error) || !igw_config_parse_history(self, error) ||
	    !igw_config_parse_peers(self, error) || !igw_config_parse_pubsub(self, error) ||
	    !igw_config_parse_rooms(self, error))
		return NULL;
	return g_steal_pointer(&self);
}

IgwConfig *
igw_config_load(const gchar *path, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autoptr(GError) local_error = NULL;
	if (!g_file_get_contents(path, &data, NULL, &local_error)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG, "%s", local_error->message);
		return NULL;
	}
	return igw_config_load_from_data(path, data, error);
}

/* the owners of one thing: the gateway's owners plus the thing's own */
GStrv
igw_config_get_thing_owners(IgwConfig *self, const gchar *thing_id)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	g_autofree gchar *group = g_strdup_printf("thing %s", thing_id);
	g_auto(GStrv) extra = NULL;
	g_strv_builder_addv(builder, (const gchar **)self->owners);
	if (igw_config_get_jids(self, group, "owners", &extra, NULL)) {
		for (guint i = 0; extra[i] != NULL; i++) {
			if (!g_strv_contains((const gchar *const *)self->owners, extra[i]))
				g_strv_builder_add(builder, extra[i]);
		}
	}
	return g_strv_builder_end(builder);
}
