/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <string.h>

#include "igw-config.h"
#include "igw-error.h"
#include "igw-fuzz.h"

#define IGW_FUZZ_PATH "fuzz.conf"

static gboolean
igw_fuzz_is_lower_hex(const gchar *text)
{
	for (const gchar *p = text; *p != '\0'; p++) {
		if (!g_ascii_isxdigit(*p) || g_ascii_isupper(*p))
			return FALSE;
	}
	return TRUE;
}

static void
igw_fuzz_check_owners(gchar **owners)
{
	igw_fuzz_require(owners != NULL);
	for (guint i = 0; owners[i] != NULL; i++) {
		igw_fuzz_require(igw_config_jid_is_bare(owners[i]));
		/* each owner once */
		for (guint j = 0; j < i; j++)
			igw_fuzz_require(g_strcmp0(owners[i], owners[j]) != 0);
	}
}

/* whatever was accepted must hold what the rest of the daemon relies on */
static void
igw_fuzz_check_config(IgwConfig *config)
{
	g_auto(GStrv) groups = g_key_file_get_groups(config->keyfile, NULL);

	igw_fuzz_require(g_strcmp0(config->path, IGW_FUZZ_PATH) == 0);
	igw_fuzz_require(config->domain != NULL && *config->domain != '\0');
	igw_fuzz_require(config->host != NULL && *config->host != '\0');
	igw_fuzz_require(config->port >= 1 && config->port <= 65535);
	igw_fuzz_require(config->tls == IGW_TLS_REQUIRED || config->tls == IGW_TLS_DISABLED);
	igw_fuzz_require(
	    config->pinned_cert == NULL ||
	    (strlen(config->pinned_cert) == 64 && igw_fuzz_is_lower_hex(config->pinned_cert)));
	igw_fuzz_require(config->resource != NULL);
	igw_fuzz_require(config->max_sessions >= 1 &&
			 config->max_sessions <= IGW_CONFIG_MAX_SESSIONS_LIMIT);
	igw_fuzz_require(config->max_logins_in_flight >= 1);
	igw_fuzz_require(config->login_timeout >= 5);
	igw_fuzz_require(igw_config_jid_is_bare(config->gateway_jid));
	igw_fuzz_require(config->plugin_dir != NULL);
	igw_fuzz_require(config->disabled_plugins != NULL);
	igw_fuzz_require(config->history_max_age_days >= 1 && config->history_max_rows >= 1);
	igw_fuzz_check_owners(config->owners);

	for (guint i = 0; groups[i] != NULL; i++) {
		g_auto(GStrv) owners = NULL;
		if (!g_str_has_prefix(groups[i], "thing "))
			continue;
		owners = igw_config_get_thing_owners(config, groups[i] + strlen("thing "));
		igw_fuzz_check_owners(owners);
		igw_fuzz_require(g_strv_length(owners) >= g_strv_length(config->owners));
	}
}

/* bytes -> a config XOR an error, never a crash */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *text = igw_fuzz_strdup(data, size);
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwConfig) config = NULL;

	igw_fuzz_init();
	config = igw_config_load_from_data(IGW_FUZZ_PATH, text, &error);
	igw_fuzz_require((config == NULL) != (error == NULL));
	if (config != NULL) {
		igw_fuzz_check_config(config);
		return 0;
	}
	igw_fuzz_require(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG));
	igw_fuzz_require(g_str_has_prefix(error->message, IGW_FUZZ_PATH ": "));
	/* the message ends up in the journal and on the terminal */
	igw_fuzz_require(g_utf8_validate(error->message, -1, NULL));
	return 0;
}
