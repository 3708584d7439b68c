/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwCtl"

#include "config.h"

#include <string.h>

#include "igw-ctl.h"

/* which answer dialect urn:xmpp:iot:* requests from a JID get */
static const gchar *const igw_ctl_peers_profiles[] = {"slixmpp", "xsf", "smack", NULL};

static gboolean
igw_ctl_peers_check(const gchar *jid, const gchar *profile, GError **error)
{
	const gchar *at = strchr(jid, '@');
	if (!g_utf8_validate(jid, -1, NULL) || at == NULL || at == jid || at[1] == '\0' ||
	    strchr(jid, '/') != NULL || strpbrk(jid, " \t\r\n") != NULL) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "'%s' is not a bare JID like alice@example.org", jid);
		return FALSE;
	}
	if (profile != NULL && !g_strv_contains(igw_ctl_peers_profiles, profile)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "PROFILE must be slixmpp, xsf or smack, not '%s'", profile);
		return FALSE;
	}
	return TRUE;
}

static void
igw_ctl_peers_print(GVariant *peers)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	GVariantIter iter;
	const gchar *jid, *profile, *source;
	if (g_variant_n_children(peers) == 0) {
		g_print("no peer profiles; every peer gets slixmpp\n");
		return;
	}
	g_ptr_array_add(rows, g_strsplit("JID|PROFILE|SOURCE", "|", -1));
	g_variant_iter_init(&iter, peers);
	while (g_variant_iter_next(&iter, "(&s&s&s)", &jid, &profile, &source)) {
		gchar *row[] = {(gchar *)jid, (gchar *)profile, (gchar *)source, NULL};
		g_ptr_array_add(rows, g_strdupv(row));
	}
	igw_ctl_print_table(rows, NULL);
}

static void
igw_ctl_peers_print_json(IgwCtl *self, GVariant *peers)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	GVariantIter iter;
	const gchar *jid, *profile, *source;
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "peers");
	json_builder_begin_array(builder);
	g_variant_iter_init(&iter, peers);
	while (g_variant_iter_next(&iter, "(&s&s&s)", &jid, &profile, &source)) {
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "jid");
		json_builder_add_string_value(builder, jid);
		json_builder_set_member_name(builder, "profile");
		json_builder_add_string_value(builder, profile);
		json_builder_set_member_name(builder, "source");
		json_builder_add_string_value(builder, source);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

static gboolean
igw_ctl_cmd_peers_list(IgwCtl *self, gchar **argv, GError **error)
{
	IgwDbusGateway1 *gateway = igw_ctl_get_gateway(self, error);
	g_autoptr(GVariant) peers = NULL;
	if (gateway == NULL)
		return FALSE;
	if (!igw_dbus_gateway1_call_list_peers_sync(gateway, &peers, NULL, error)) {
		igw_ctl_prefix_error(error, "cannot list the peers: ");
		return FALSE;
	}
	if (self->json)
		igw_ctl_peers_print_json(self, peers);
	else
		igw_ctl_peers_print(peers);
	return TRUE;
}

static gboolean
igw_ctl_peers_set(IgwCtl *self, const gchar *jid, const gchar *profile, GError **error)
{
	IgwDbusGateway1 *gateway;
	if (!igw_ctl_peers_check(jid, profile, error))
		return FALSE;
	gateway = igw_ctl_get_gateway(self, error);
	if (gateway == NULL)
		return FALSE;
	if (!igw_dbus_gateway1_call_set_peer_profile_sync(
		gateway, jid, profile != NULL ? profile : "", NULL, error)) {
		igw_ctl_prefix_error(error, "cannot set the profile of %s: ", jid);
		return FALSE;
	}
	if (self->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "jid");
		json_builder_add_string_value(builder, jid);
		json_builder_set_member_name(builder, "profile");
		json_builder_add_string_value(builder, profile != NULL ? profile : "slixmpp");
		json_builder_end_object(builder);
		igw_ctl_print_json(self, builder);
	} else {
		g_print("%s gets the %s dialect\n", jid,
			profile != NULL ? profile : "default (slixmpp)");
	}
	return TRUE;
}

static gboolean
igw_ctl_cmd_peers_set(IgwCtl *self, gchar **argv, GError **error)
{
	return igw_ctl_peers_set(self, argv[0], argv[1], error);
}

static gboolean
igw_ctl_cmd_peers_remove(IgwCtl *self, gchar **argv, GError **error)
{
	return igw_ctl_peers_set(self, argv[0], NULL, error);
}

static const IgwCtlCmd igw_ctl_peers_cmds[] = {
    {"peers", NULL, "list,ls", NULL, "List the peers' XEP-0323/0325 dialect profiles",
     igw_ctl_cmd_peers_list, 0, 0, IGW_CTL_OPT_NONE, IGW_CTL_CMD_FLAG_DEFAULT},
    {"peers", NULL, "set", "JID PROFILE", "Answer JID in slixmpp, xsf or smack form",
     igw_ctl_cmd_peers_set, 2, 2},
    {"peers", NULL, "remove,rm", "JID", "Give JID the default profile again",
     igw_ctl_cmd_peers_remove, 1, 1},
    {NULL}};

const IgwCtlCmd *
igw_ctl_peers_get_cmds(void)
{
	return igw_ctl_peers_cmds;
}
