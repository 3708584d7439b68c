/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwCtl"

#include "config.h"

#include <string.h>

#include "igw-ctl.h"

/* the daemon checks the JID properly; this only keeps obvious typos off the bus */
static gboolean
igw_ctl_owners_check_jid(const gchar *jid, GError **error)
{
	const gchar *at = strchr(jid, '@');
	if (!g_utf8_validate(jid, -1, NULL) || at == NULL || at == jid || at[1] == '\0' ||
	    strchr(jid, '/') != NULL || strpbrk(jid, " \t\r\n") != NULL) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "'%s' is not a bare JID like alice@example.org", jid);
		return FALSE;
	}
	return TRUE;
}

/* the start of a JID, enough to recognise it in a message */
static gchar *
igw_ctl_owners_shown(const gchar *jid)
{
	g_autofree gchar *start = NULL;
	if (g_utf8_strlen(jid, -1) <= 64)
		return g_strdup(jid);
	start = g_utf8_substring(jid, 0, 64);
	return g_strdup_printf("%s...", start);
}

static void
igw_ctl_owners_print(GVariant *owners)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	GVariantIter iter;
	const gchar *jid;
	const gchar *source;
	if (g_variant_n_children(owners) == 0) {
		g_print("no owners\n");
		return;
	}
	g_ptr_array_add(rows, g_strsplit("JID|SOURCE", "|", -1));
	g_variant_iter_init(&iter, owners);
	while (g_variant_iter_next(&iter, "(&s&s)", &jid, &source)) {
		gchar *row[] = {(gchar *)jid, (gchar *)source, NULL};
		g_ptr_array_add(rows, g_strdupv(row));
	}
	igw_ctl_print_table(rows, NULL);
}

static void
igw_ctl_owners_print_json(IgwCtl *self, GVariant *owners)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	GVariantIter iter;
	const gchar *jid;
	const gchar *source;
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "owners");
	json_builder_begin_array(builder);
	g_variant_iter_init(&iter, owners);
	while (g_variant_iter_next(&iter, "(&s&s)", &jid, &source)) {
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "jid");
		json_builder_add_string_value(builder, jid);
		json_builder_set_member_name(builder, "source");
		json_builder_add_string_value(builder, source);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

static void
igw_ctl_owners_print_action_json(IgwCtl *self, const gchar *jid, const gchar *action)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "jid");
	json_builder_add_string_value(builder, jid);
	json_builder_set_member_name(builder, "action");
	json_builder_add_string_value(builder, action);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

static gboolean
igw_ctl_cmd_owners_list(IgwCtl *self, gchar **argv, GError **error)
{
	IgwDbusGateway1 *gateway = igw_ctl_get_gateway(self, error);
	g_autoptr(GVariant) owners = NULL;
	if (gateway == NULL)
		return FALSE;
	if (!igw_dbus_gateway1_call_list_owners_sync(gateway, &owners, NULL, error)) {
		igw_ctl_prefix_error(error, "cannot list the owners: ");
		return FALSE;
	}
	if (self->json)
		igw_ctl_owners_print_json(self, owners);
	else
		igw_ctl_owners_print(owners);
	return TRUE;
}

static gboolean
igw_ctl_cmd_owners_add(IgwCtl *self, gchar **argv, GError **error)
{
	IgwDbusGateway1 *gateway;
	if (!igw_ctl_owners_check_jid(argv[0], error))
		return FALSE;
	gateway = igw_ctl_get_gateway(self, error);
	if (gateway == NULL)
		return FALSE;
	if (!igw_dbus_gateway1_call_add_owner_sync(gateway, argv[0], NULL, error)) {
		g_autofree gchar *shown = igw_ctl_owners_shown(argv[0]);
		igw_ctl_prefix_error(error, "cannot add owner %s: ", shown);
		return FALSE;
	}
	if (self->json)
		igw_ctl_owners_print_action_json(self, argv[0], "add");
	else
		g_print("%s is an owner of every thing now\n", argv[0]);
	return TRUE;
}

static gboolean
igw_ctl_cmd_owners_remove(IgwCtl *self, gchar **argv, GError **error)
{
	IgwDbusGateway1 *gateway;
	if (!igw_ctl_owners_check_jid(argv[0], error))
		return FALSE;
	gateway = igw_ctl_get_gateway(self, error);
	if (gateway == NULL)
		return FALSE;
	if (!igw_dbus_gateway1_call_remove_owner_sync(gateway, argv[0], NULL, error)) {
		g_autofree gchar *shown = igw_ctl_owners_shown(argv[0]);
		igw_ctl_prefix_error(error, "cannot remove owner %s: ", shown);
		return FALSE;
	}
	if (self->json)
		igw_ctl_owners_print_action_json(self, argv[0], "remove");
	else
		g_print("%s is no longer an owner\n", argv[0]);
	return TRUE;
}

static const IgwCtlCmd igw_ctl_owners_cmds[] = {
    {"owners", NULL, "list,ls", NULL, "List the owners", igw_ctl_cmd_owners_list, 0, 0,
     IGW_CTL_OPT_NONE, IGW_CTL_CMD_FLAG_DEFAULT},
    {"owners", NULL, "add", "JID", "Make JID an owner of every thing", igw_ctl_cmd_owners_add, 1,
     1},
    {"owners", NULL, "remove,rm", "JID", "Remove an owner added here", igw_ctl_cmd_owners_remove, 1,
     1},
    {NULL}};

const IgwCtlCmd *
igw_ctl_owners_get_cmds(void)
{
	return igw_ctl_owners_cmds;
}
