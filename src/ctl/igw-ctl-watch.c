/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwCtl"

#include "config.h"

#include <stdio.h>

#include "igw-ctl.h"

typedef struct {
	IgwCtl *ctl;
	const gchar *id; /* only this thing, or NULL for all and the permit-join window */
} IgwCtlWatch;

static void
igw_ctl_watch_begin_json(JsonBuilder *builder, const gchar *event, const gchar *id)
{
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "event");
	json_builder_add_string_value(builder, event);
	if (id == NULL)
		return;
	json_builder_set_member_name(builder, "id");
	json_builder_add_string_value(builder, id);
}

static void
igw_ctl_watch_print_line(gint64 usec, const gchar *id, const gchar *what, const gchar *text)
{
	g_autofree gchar *time = igw_ctl_format_time(usec);
	g_print("%s  %s  %s%s%s\n", time, id, what, text != NULL ? " " : "",
		text != NULL ? text : "");
	fflush(stdout);
}

static void
igw_ctl_watch_reading_cb(IgwDbusGateway1 *gateway, const gchar *path, const gchar *id,
			 const gchar *field, GVariant *value, gint64 timestamp, const gchar *text,
			 gpointer user_data)
{
	IgwCtlWatch *watch = user_data;
	g_autoptr(JsonBuilder) builder = NULL;
	g_autofree gchar *what = NULL;
	if (watch->id != NULL && g_strcmp0(watch->id, id) != 0)
		return;
	if (!watch->ctl->json) {
		what = g_strdup_printf("%s:", field);
		igw_ctl_watch_print_line(timestamp, id, what, text);
		return;
	}
	builder = json_builder_new();
	igw_ctl_watch_begin_json(builder, "reading", id);
	json_builder_set_member_name(builder, "field");
	json_builder_add_string_value(builder, field);
	igw_ctl_json_add_variant(builder, "value", value);
	json_builder_set_member_name(builder, "text");
	json_builder_add_string_value(builder, text);
	igw_ctl_json_add_time(builder, "timestamp", "time", timestamp);
	json_builder_end_object(builder);
	igw_ctl_print_json_line(builder);
}

static void
igw_ctl_watch_thing_changed_cb(IgwDbusGateway1 *gateway, const gchar *path, const gchar *id,
			       const gchar *change, gpointer user_data)
{
	IgwCtlWatch *watch = user_data;
	g_autoptr(JsonBuilder) builder = NULL;
	if (watch->id != NULL && g_strcmp0(watch->id, id) != 0)
		return;
	if (!watch->ctl->json) {
		igw_ctl_watch_print_line(g_get_real_time(), id, change, NULL);
		return;
	}
	builder = json_builder_new();
	igw_ctl_watch_begin_json(builder, "thing_changed", id);
	json_builder_set_member_name(builder, "change");
	json_builder_add_string_value(builder, change);
	igw_ctl_json_add_time(builder, "timestamp", "time", g_get_real_time());
	json_builder_end_object(builder);
	igw_ctl_print_json_line(builder);
}

static void
igw_ctl_watch_permit_join_cb(IgwDbusGateway1 *gateway, guint remaining, gpointer user_data)
{
	IgwCtlWatch *watch = user_data;
	g_autoptr(JsonBuilder) builder = NULL;
	g_autofree gchar *text = NULL;
	if (watch->id != NULL)
		return;
	if (!watch->ctl->json) {
		text = remaining > 0 ? g_strdup_printf("open for %u s", remaining)
				     : g_strdup("closed");
		igw_ctl_watch_print_line(g_get_real_time(), "gateway", "permit join", text);
		return;
	}
	builder = json_builder_new();
	igw_ctl_watch_begin_json(builder, "permit_join_changed", NULL);
	json_builder_set_member_name(builder, "remaining");
	json_builder_add_int_value(builder, remaining);
	igw_ctl_json_add_time(builder, "timestamp", "time", g_get_real_time());
	json_builder_end_object(builder);
	igw_ctl_print_json_line(builder);
}

static gboolean
igw_ctl_watch_run(IgwCtlWatch *watch, IgwDbusGateway1 *gateway, GError **error)
{
	gulong ids[3];
	gboolean ret;
	ids[0] = g_signal_connect(gateway, "reading", G_CALLBACK(igw_ctl_watch_reading_cb), watch);
	ids[1] = g_signal_connect(gateway, "thing-changed",
				  G_CALLBACK(igw_ctl_watch_thing_changed_cb), watch);
	ids[2] = g_signal_connect(gateway, "permit-join-changed",
				  G_CALLBACK(igw_ctl_watch_permit_join_cb), watch);
	ret = igw_ctl_run_loop(watch->ctl, NULL, NULL, error);
	for (guint i = 0; i < G_N_ELEMENTS(ids); i++)
		g_signal_handler_disconnect(gateway, ids[i]);
	return ret;
}

static gboolean
igw_ctl_cmd_watch(IgwCtl *self, gchar **argv, GError **error)
{
	IgwCtlWatch watch = {.ctl = self, .id = argv[0]};
	IgwDbusGateway1 *gateway = igw_ctl_get_gateway(self, error);
	if (gateway == NULL)
		return FALSE;
	/* an unknown id is an error, not a silent wait */
	if (argv[0] != NULL) {
		g_autoptr(IgwDbusThing1) thing = igw_ctl_get_thing(self, argv[0], error);
		if (thing == NULL)
			return FALSE;
	}
	return igw_ctl_watch_run(&watch, gateway, error);
}

static const IgwCtlCmd igw_ctl_watch_cmds[] = {{"watch", NULL, NULL, "[ID]",
						"Print readings and changes until Ctrl-C",
						igw_ctl_cmd_watch, 0, 1},
					       {NULL}};

const IgwCtlCmd *
igw_ctl_watch_get_cmds(void)
{
	return igw_ctl_watch_cmds;
}
