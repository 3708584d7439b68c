/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwCtl"

#include "config.h"

#include "igw-ctl.h"

/* one table for both outputs: the JSON key is the GetStatus key */
typedef struct {
	const gchar *key;
	const gchar *label;
	const gchar *section; /* starts a new section */
} IgwCtlStatusField;

static const IgwCtlStatusField igw_ctl_status_fields[] = {
    {"version", "version", "Gateway"},
    {"uptime", "uptime", NULL},
    {"gateway_session", "session", NULL},
    {"gateway_reason", "reason", NULL},
    {"adopt_policy", "adopt policy", NULL},
    {"pubsub", "pubsub", NULL},
    {"permit_join_remaining", "permit join", NULL},
    {"scanning", "scanning", NULL},
    {"things", "things", "Things"},
    {"sessions_online", "online", NULL},
    {"sessions_connecting", "connecting", NULL},
    {"sessions_failed", "failed", NULL},
    {"readings_received", "received", "Readings"},
    {"readings_stored", "stored", NULL},
    {"outbox", "outbox", NULL},
};

static gchar *
igw_ctl_status_variant_to_text(GVariant *value)
{
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return g_variant_dup_string(value, NULL);
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
		return g_strdup(g_variant_get_boolean(value) ? "yes" : "no");
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
		return g_strdup_printf("%u", g_variant_get_uint32(value));
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64))
		return g_strdup_printf("%" G_GUINT64_FORMAT, g_variant_get_uint64(value));
	return g_variant_print(value, FALSE);
}

static gchar *
igw_ctl_status_format(const gchar *key, GVariant *value)
{
	if (g_strcmp0(key, "uptime") == 0 && g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64))
		return igw_ctl_format_duration(g_variant_get_uint64(value));
	if (g_strcmp0(key, "permit_join_remaining") == 0 &&
	    g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32)) {
		guint remaining = g_variant_get_uint32(value);
		if (remaining == 0)
			return g_strdup("closed");
		return g_strdup_printf("open, %u s left", remaining);
	}
	return igw_ctl_status_variant_to_text(value);
}

static void
igw_ctl_status_print_plugins(GVariant *plugins)
{
	GVariantIter iter;
	const gchar *name;
	const gchar *state;
	const gchar *reason;
	igw_ctl_print_section("Plugins");
	g_variant_iter_init(&iter, plugins);
	while (g_variant_iter_next(&iter, "(&s&s&s)", &name, &state, &reason)) {
		g_autofree gchar *text =
		    reason[0] != '\0' ? g_strdup_printf("%s (%s)", state, reason) : g_strdup(state);
		igw_ctl_print_kv(name, text);
	}
}

static void
igw_ctl_status_print(GVariant *status, GVariant *plugins)
{
	g_autoptr(GVariantDict) dict = g_variant_dict_new(status);
	for (guint i = 0; i < G_N_ELEMENTS(igw_ctl_status_fields); i++) {
		const IgwCtlStatusField *field = &igw_ctl_status_fields[i];
		g_autoptr(GVariant) value = g_variant_dict_lookup_value(dict, field->key, NULL);
		g_autofree gchar *text = NULL;
		if (field->section != NULL)
			igw_ctl_print_section(field->section);
		if (value == NULL)
			continue;
		text = igw_ctl_status_format(field->key, value);
		/* an empty reason says nothing */
		if (g_strcmp0(field->key, "gateway_reason") == 0 && text[0] == '\0')
			continue;
		igw_ctl_print_kv(field->label, text);
	}
	igw_ctl_status_print_plugins(plugins);
}

static void
igw_ctl_status_add_plugins(JsonBuilder *builder, GVariant *plugins)
{
	GVariantIter iter;
	const gchar *name;
	const gchar *state;
	const gchar *reason;
	json_builder_set_member_name(builder, "plugins");
	json_builder_begin_array(builder);
	g_variant_iter_init(&iter, plugins);
	while (g_variant_iter_next(&iter, "(&s&s&s)", &name, &state, &reason)) {
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "name");
		json_builder_add_string_value(builder, name);
		json_builder_set_member_name(builder, "state");
		json_builder_add_string_value(builder, state);
		json_builder_set_member_name(builder, "reason");
		json_builder_add_string_value(builder, reason);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
}

static void
igw_ctl_status_print_json(IgwCtl *self, GVariant *status, GVariant *plugins)
{
	g_autoptr(GVariantDict) dict = g_variant_dict_new(status);
	g_autoptr(JsonBuilder) builder = json_builder_new();
	json_builder_begin_object(builder);
	for (guint i = 0; i < G_N_ELEMENTS(igw_ctl_status_fields); i++) {
		const gchar *key = igw_ctl_status_fields[i].key;
		g_autoptr(GVariant) value = g_variant_dict_lookup_value(dict, key, NULL);
		if (value != NULL)
			igw_ctl_json_add_variant(builder, key, value);
	}
	igw_ctl_status_add_plugins(builder, plugins);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

static gboolean
igw_ctl_cmd_status(IgwCtl *self, gchar **argv, GError **error)
{
	IgwDbusGateway1 *gateway = igw_ctl_get_gateway(self, error);
	g_autoptr(GVariant) status = NULL;
	g_autoptr(GVariant) plugins = NULL;
	if (gateway == NULL)
		return FALSE;
	if (!igw_dbus_gateway1_call_get_status_sync(gateway, &status, NULL, error)) {
		igw_ctl_prefix_error(error, "cannot get the status: ");
		return FALSE;
	}
	if (!igw_dbus_gateway1_call_get_plugins_sync(gateway, &plugins, NULL, error)) {
		igw_ctl_prefix_error(error, "cannot get the plugins: ");
		return FALSE;
	}
	if (self->json)
		igw_ctl_status_print_json(self, status, plugins);
	else
		igw_ctl_status_print(status, plugins);
	return TRUE;
}

static const IgwCtlCmd igw_ctl_status_cmds[] = {
    {"status", NULL, NULL, NULL, "Show the gateway's health and plugins", igw_ctl_cmd_status, 0, 0},
    {NULL}};

const IgwCtlCmd *
igw_ctl_status_get_cmds(void)
{
	return igw_ctl_status_cmds;
}
