/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwCtl"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "igw-ctl.h"
#include "igw-error-private.h"

#define IGW_CTL_SECTION_WIDTH 10
#define IGW_CTL_KEY_WIDTH 18
#define IGW_CTL_CELL_MIN 6
#define IGW_CTL_USAGE_WIDTH 28

/* the section title waiting for its first key, like mmcli's left column */
static const gchar *igw_ctl_section_pending = NULL;

/* ------------------------------------------------------------------------------------------ */
/* commands */

static gboolean
igw_ctl_names_match(const gchar *names, const gchar *word)
{
	g_auto(GStrv) split = NULL;
	if (names == NULL || word == NULL)
		return FALSE;
	split = g_strsplit(names, ",", -1);
	return g_strv_contains((const gchar *const *)split, word);
}

/* the first of the comma-separated names */
static gchar *
igw_ctl_canonical(const gchar *names)
{
	const gchar *comma = strchr(names, ',');
	return comma != NULL ? g_strndup(names, comma - names) : g_strdup(names);
}

static gchar *
igw_ctl_cmd_usage(const IgwCtlCmd *cmd)
{
	GString *str = g_string_new(NULL);
	g_autofree gchar *noun = igw_ctl_canonical(cmd->noun);
	g_string_append(str, noun);
	if (cmd->entity != NULL)
		g_string_append_printf(str, " %s", cmd->entity);
	if (cmd->verb != NULL) {
		g_autofree gchar *verb = igw_ctl_canonical(cmd->verb);
		g_string_append_printf(str, " %s", verb);
	}
	if (cmd->args != NULL)
		g_string_append_printf(str, " %s", cmd->args);
	return g_string_free(str, FALSE);
}

/* aliases of the noun (for verb-less commands) or of the verb, for the help text */
static gchar *
igw_ctl_cmd_aliases(const IgwCtlCmd *cmd)
{
	const gchar *names = cmd->verb != NULL ? cmd->verb : cmd->noun;
	const gchar *comma = strchr(names, ',');
	g_auto(GStrv) split = NULL;
	if (comma == NULL)
		return NULL;
	split = g_strsplit(comma + 1, ",", -1);
	return g_strjoinv(", ", split);
}

static void
igw_ctl_add_cmds(IgwCtl *self, const IgwCtlCmd *cmds)
{
	for (guint i = 0; cmds[i].noun != NULL; i++)
		g_ptr_array_add(self->cmds, (gpointer)&cmds[i]);
}

static gchar *
igw_ctl_get_summary(IgwCtl *self)
{
	GString *str = g_string_new("Commands:");
	for (guint i = 0; i < self->cmds->len; i++) {
		const IgwCtlCmd *cmd = g_ptr_array_index(self->cmds, i);
		g_autofree gchar *usage = NULL;
		g_autofree gchar *aliases = NULL;
		if (cmd->flags & IGW_CTL_CMD_FLAG_HIDDEN)
			continue;
		usage = igw_ctl_cmd_usage(cmd);
		aliases = igw_ctl_cmd_aliases(cmd);
		/* a long usage gets a line of its own */
		if (strlen(usage) > IGW_CTL_USAGE_WIDTH)
			g_string_append_printf(str, "\n  %s\n  %-*s", usage, IGW_CTL_USAGE_WIDTH,
					       "");
		else
			g_string_append_printf(str, "\n  %-*s", IGW_CTL_USAGE_WIDTH, usage);
		g_string_append_printf(str, " %s", cmd->description);
		if (aliases != NULL)
			g_string_append_printf(str, " (alias: %s)", aliases);
	}
	return g_string_free(str, FALSE);
}

static const gchar *
igw_ctl_get_epilogue(void)
{
	return "Every command takes --json: one JSON document on stdout (watch and scan print\n"
	       "one JSON object per line).\n"
	       "\n"
	       "Exit status:\n"
	       "  0  success\n"
	       "  1  failure\n"
	       "  2  usage error (nothing was sent to iotgwd)\n"
	       "  3  iotgwd is not running (or the system bus is not reachable)\n"
	       "  4  permission denied (run as root or as a member of the iotgw group)\n"
	       "  5  not found: no such thing, field, owner, secret, plugin or scan";
}

/* ------------------------------------------------------------------------------------------ */
/* errors */

static gboolean
igw_ctl_error_is_no_daemon(const GError *error)
{
	return g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	       g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
	       g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER);
}

static IgwCtlExit
igw_ctl_error_to_exit(const GError *error)
{
	if (error->domain == G_OPTION_ERROR)
		return IGW_CTL_EXIT_USAGE;
	if (igw_ctl_error_is_no_daemon(error))
		return IGW_CTL_EXIT_NO_DAEMON;
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
	    g_error_matches(error, IGW_ERROR, IGW_ERROR_PERMISSION_DENIED))
		return IGW_CTL_EXIT_PERMISSION_DENIED;
	if (g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_FOUND) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT))
		return IGW_CTL_EXIT_NOT_FOUND;
	return IGW_CTL_EXIT_FAILURE;
}

/* one line on stderr, whatever the error */
static void
igw_ctl_print_error(IgwCtl *self, GError *error)
{
	g_dbus_error_strip_remote_error(error);
	g_printerr("iotgwctl: %s\n", error->message);
}

/*
 * the daemon's own words without GDBus's "GDBus.Error:NAME: ", after what we tried to do;
 * the name and the full text go to --verbose
 */
void
igw_ctl_prefix_error(GError **error, const gchar *format, ...)
{
	g_autofree gchar *prefix = NULL;
	g_autofree gchar *remote = NULL;
	va_list args;
	if (error == NULL || *error == NULL)
		return;
	remote = g_dbus_error_get_remote_error(*error);
	if (remote != NULL)
		g_debug("%s: %s", remote, (*error)->message);
	g_dbus_error_strip_remote_error(*error);
	/* the bus's policy text is long and says nothing about what to do */
	if (g_error_matches(*error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED)) {
		g_free((*error)->message);
		(*error)->message = g_strdup("permission denied: run as root or as a member of "
					     "the iotgw group");
	}
	va_start(args, format);
	prefix = g_strdup_vprintf(format, args);
	va_end(args);
	g_prefix_error_literal(error, prefix);
}

/* ------------------------------------------------------------------------------------------ */
/* D-Bus */

static gboolean
igw_ctl_ensure_connection(IgwCtl *self, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	if (self->connection != NULL)
		return TRUE;
	self->connection = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error_local);
	if (self->connection == NULL) {
		/* no bus means no daemon either */
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER,
			    "cannot connect to the system bus: %s", error_local->message);
		return FALSE;
	}
	return TRUE;
}

IgwDbusGateway1 *
igw_ctl_get_gateway(IgwCtl *self, GError **error)
{
	g_autofree gchar *owner = NULL;
	if (self->gateway != NULL)
		return self->gateway;
	if (!igw_ctl_ensure_connection(self, error))
		return NULL;
	self->gateway =
	    igw_dbus_gateway1_proxy_new_sync(self->connection, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
					     IGW_CTL_BUS_NAME, IGW_CTL_OBJECT_PATH, NULL, error);
	if (self->gateway == NULL)
		return NULL;
	owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(self->gateway));
	if (owner == NULL) {
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER,
			    "iotgwd is not running (nobody owns %s on the system bus)",
			    IGW_CTL_BUS_NAME);
		g_clear_object(&self->gateway);
		return NULL;
	}
	g_debug("%s is owned by %s", IGW_CTL_BUS_NAME, owner);
	return self->gateway;
}

static gboolean
igw_ctl_ensure_manager(IgwCtl *self, GError **error)
{
	if (self->manager != NULL)
		return TRUE;
	/* checks that the daemon runs: a manager for a missing name is just empty */
	if (igw_ctl_get_gateway(self, error) == NULL)
		return FALSE;
	self->manager = igw_dbus_object_manager_client_new_sync(
	    self->connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
	    IGW_CTL_BUS_NAME, IGW_CTL_OBJECT_PATH, NULL, error);
	return self->manager != NULL;
}

static gint
igw_ctl_thing_sort_cb(gconstpointer a, gconstpointer b)
{
	IgwDbusThing1 *thing1 = *((IgwDbusThing1 **)a);
	IgwDbusThing1 *thing2 = *((IgwDbusThing1 **)b);
	return g_strcmp0(igw_dbus_thing1_get_id(thing1), igw_dbus_thing1_get_id(thing2));
}

/* every thing, sorted by id */
GPtrArray *
igw_ctl_get_things(IgwCtl *self, GError **error)
{
	g_autoptr(GPtrArray) things = g_ptr_array_new_with_free_func(g_object_unref);
	GList *objects;
	if (!igw_ctl_ensure_manager(self, error))
		return NULL;
	objects = g_dbus_object_manager_get_objects(self->manager);
	for (GList *l = objects; l != NULL; l = l->next) {
		IgwDbusThing1 *thing = igw_dbus_object_get_thing1(IGW_DBUS_OBJECT(l->data));
		if (thing != NULL && igw_dbus_thing1_get_id(thing) != NULL)
			g_ptr_array_add(things, thing);
		else if (thing != NULL)
			g_object_unref(thing);
	}
	g_list_free_full(objects, g_object_unref);
	g_ptr_array_sort(things, igw_ctl_thing_sort_cb);
	return g_steal_pointer(&things);
}

/* by the Id property, not the object path, so an unknown id gets a plain answer */
IgwDbusThing1 *
igw_ctl_get_thing(IgwCtl *self, const gchar *id, GError **error)
{
	g_autoptr(GPtrArray) things = igw_ctl_get_things(self, error);
	if (things == NULL)
		return NULL;
	for (guint i = 0; i < things->len; i++) {
		IgwDbusThing1 *thing = g_ptr_array_index(things, i);
		if (g_strcmp0(igw_dbus_thing1_get_id(thing), id) == 0)
			return g_object_ref(thing);
	}
	g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no thing '%s'", id);
	return NULL;
}

void
igw_ctl_quit_loop(IgwCtl *self, GError *error)
{
	if (error != NULL && self->loop_error == NULL)
		self->loop_error = error;
	else if (error != NULL)
		g_error_free(error);
	g_main_loop_quit(self->loop);
}

static gboolean
igw_ctl_signal_cb(gpointer user_data)
{
	IgwCtl *self = user_data;
	igw_ctl_quit_loop(self, NULL);
	return G_SOURCE_CONTINUE;
}

static void
igw_ctl_name_owner_cb(GObject *object, GParamSpec *pspec, gpointer user_data)
{
	IgwCtl *self = user_data;
	g_autofree gchar *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(object));
	if (owner != NULL)
		return;
	igw_ctl_quit_loop(
	    self, g_error_new(G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER, "iotgwd stopped"));
}

/* until a command quits it, the daemon goes away, or SIGINT/SIGTERM */
gboolean
igw_ctl_run_loop(IgwCtl *self, GSourceFunc interrupt_cb, gpointer user_data, GError **error)
{
	guint sigint_id;
	guint sigterm_id;
	gulong owner_id;
	if (interrupt_cb == NULL) {
		interrupt_cb = igw_ctl_signal_cb;
		user_data = self;
	}
	sigint_id = g_unix_signal_add(SIGINT, interrupt_cb, user_data);
	sigterm_id = g_unix_signal_add(SIGTERM, interrupt_cb, user_data);
	owner_id = g_signal_connect(self->gateway, "notify::g-name-owner",
				    G_CALLBACK(igw_ctl_name_owner_cb), self);
	g_main_loop_run(self->loop);
	g_signal_handler_disconnect(self->gateway, owner_id);
	g_source_remove(sigint_id);
	g_source_remove(sigterm_id);
	if (self->loop_error != NULL) {
		g_propagate_error(error, g_steal_pointer(&self->loop_error));
		return FALSE;
	}
	return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* arguments */

gboolean
igw_ctl_parse_uint(const gchar *text, guint min, guint max, const gchar *what, guint *value,
		   GError **error)
{
	guint64 tmp = 0;
	g_autoptr(GError) error_local = NULL;
	if (!g_ascii_string_to_unsigned(text, 10, min, max, &tmp, &error_local)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s must be a number from %u to %u, not '%s'", what, min, max, text);
		return FALSE;
	}
	*value = (guint)tmp;
	return TRUE;
}

/* "-90s", "-30m", "-1h", "-2d", "-1w" before now */
static gboolean
igw_ctl_parse_relative(const gchar *text, gint64 *usec)
{
	const gchar *units = "smhdw";
	const gint64 scale[] = {1, 60, 3600, 86400, 604800};
	guint64 count = 0;
	gsize len = strlen(text);
	const gchar *unit;
	g_autofree gchar *number = NULL;
	if (len < 3 || text[0] != '-')
		return FALSE;
	unit = strchr(units, text[len - 1]);
	if (unit == NULL || *unit == '\0')
		return FALSE;
	number = g_strndup(text + 1, len - 2);
	if (!g_ascii_string_to_unsigned(number, 10, 0, 1000000, &count, NULL))
		return FALSE;
	*usec = g_get_real_time() - (gint64)count * scale[unit - units] * G_USEC_PER_SEC;
	return TRUE;
}

/* ISO 8601 with or without a zone (local time then), a date alone, or relative */
gboolean
igw_ctl_parse_time(const gchar *text, const gchar *what, gint64 *usec, GError **error)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_local();
	g_autoptr(GDateTime) dt = NULL;
	if (igw_ctl_parse_relative(text, usec))
		return TRUE;
	if (g_strcmp0(text, "now") == 0) {
		*usec = g_get_real_time();
		return TRUE;
	}
	if (strlen(text) == 10) {
		g_autofree gchar *midnight = g_strdup_printf("%sT00:00:00", text);
		dt = g_date_time_new_from_iso8601(midnight, tz);
	} else {
		dt = g_date_time_new_from_iso8601(text, tz);
	}
	if (dt == NULL) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s '%s' is neither ISO 8601 (2026-11-21T10:00:00Z) nor relative "
			    "(-30m, -1h, -2d)",
			    what, text);
		return FALSE;
	}
	*usec = g_date_time_to_unix(dt) * G_USEC_PER_SEC + g_date_time_get_microsecond(dt);
	return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* output */

static GDateTime *
igw_ctl_datetime_new(gint64 usec)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(usec / G_USEC_PER_SEC);
	if (dt == NULL)
		return NULL;
	return g_date_time_add(dt, usec % G_USEC_PER_SEC);
}

/* local time, ISO 8601, to the second */
gchar *
igw_ctl_format_time(gint64 usec)
{
	g_autoptr(GDateTime) dt = NULL;
	g_autoptr(GDateTime) local = NULL;
	if (usec <= 0)
		return g_strdup("never");
	dt = igw_ctl_datetime_new(usec);
	if (dt == NULL)
		return g_strdup("?");
	local = g_date_time_to_local(dt);
	return g_date_time_format(local, "%Y-%m-%dT%H:%M:%S%:z");
}

gchar *
igw_ctl_format_duration(guint64 seconds)
{
	if (seconds >= 86400)
		return g_strdup_printf("%" G_GUINT64_FORMAT " d %" G_GUINT64_FORMAT " h",
				       seconds / 86400, (seconds % 86400) / 3600);
	if (seconds >= 3600)
		return g_strdup_printf("%" G_GUINT64_FORMAT " h %" G_GUINT64_FORMAT " min",
				       seconds / 3600, (seconds % 3600) / 60);
	if (seconds >= 60)
		return g_strdup_printf("%" G_GUINT64_FORMAT " min %" G_GUINT64_FORMAT " s",
				       seconds / 60, seconds % 60);
	return g_strdup_printf("%" G_GUINT64_FORMAT " s", seconds);
}

static gchar *
igw_ctl_builder_to_string(JsonBuilder *builder, gboolean pretty)
{
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(builder);
	json_generator_set_pretty(generator, pretty);
	json_generator_set_indent(generator, 2);
	json_generator_set_root(generator, root);
	return json_generator_to_data(generator, NULL);
}

void
igw_ctl_print_json(IgwCtl *self, JsonBuilder *builder)
{
	g_autofree gchar *data = igw_ctl_builder_to_string(builder, TRUE);
	g_print("%s\n", data);
}

/* for watch and scan: one object per line, flushed so that pipes see it at once */
void
igw_ctl_print_json_line(JsonBuilder *builder)
{
	g_autofree gchar *data = igw_ctl_builder_to_string(builder, FALSE);
	g_print("%s\n", data);
	fflush(stdout);
}

/* microseconds and UTC ISO 8601 (null for none), so scripts need not convert */
void
igw_ctl_json_add_time(JsonBuilder *builder, const gchar *key_usec, const gchar *key_iso,
		      gint64 usec)
{
	g_autoptr(GDateTime) dt = usec > 0 ? igw_ctl_datetime_new(usec) : NULL;
	json_builder_set_member_name(builder, key_usec);
	json_builder_add_int_value(builder, usec);
	json_builder_set_member_name(builder, key_iso);
	if (dt != NULL) {
		g_autofree gchar *iso = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
		json_builder_add_string_value(builder, iso);
	} else {
		json_builder_add_null_value(builder);
	}
}

void
igw_ctl_json_add_variant(JsonBuilder *builder, const gchar *key, GVariant *value)
{
	g_autoptr(GVariant) inner = NULL;
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
		inner = g_variant_get_variant(value);
		value = inner;
	}
	json_builder_set_member_name(builder, key);
	json_builder_add_value(builder, json_gvariant_serialize(value));
}

/* a(svxs) from GetValues and GetReadings */
void
igw_ctl_json_add_values(JsonBuilder *builder, const gchar *key, GVariant *values)
{
	GVariantIter iter;
	const gchar *field;
	const gchar *text;
	GVariant *value;
	gint64 timestamp;
	json_builder_set_member_name(builder, key);
	json_builder_begin_array(builder);
	g_variant_iter_init(&iter, values);
	while (g_variant_iter_next(&iter, "(&svx&s)", &field, &value, &timestamp, &text)) {
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "field");
		json_builder_add_string_value(builder, field);
		igw_ctl_json_add_variant(builder, "value", value);
		json_builder_set_member_name(builder, "text");
		json_builder_add_string_value(builder, text);
		igw_ctl_json_add_time(builder, "timestamp", "time", timestamp);
		json_builder_end_object(builder);
		g_variant_unref(value);
	}
	json_builder_end_array(builder);
}

/* cut to width columns, marking the cut with an ellipsis */
static gchar *
igw_ctl_ellipsize(const gchar *text, guint width)
{
	g_autofree gchar *head = NULL;
	if (text == NULL)
		return g_strdup("");
	if (g_utf8_strlen(text, -1) <= (glong)width)
		return g_strdup(text);
	if (width == 0)
		return g_strdup("");
	head = g_utf8_substring(text, 0, width - 1);
	return g_strdup_printf("%s…", head);
}

/* printf pads by bytes, we pad by characters: "°C" is one column */
static void
igw_ctl_print_padded(const gchar *text, guint width, gboolean right)
{
	glong len = g_utf8_strlen(text, -1);
	g_autofree gchar *pad = g_strnfill(len < (glong)width ? width - len : 0, ' ');
	if (right)
		g_print("%s%s", pad, text);
	else
		g_print("%s%s", text, pad);
}

void
igw_ctl_print_section(const gchar *title)
{
	g_autofree gchar *rule = g_strnfill(IGW_CTL_LINE_WIDTH - 4, '-');
	g_print("  %s\n", rule);
	igw_ctl_section_pending = title;
}

void
igw_ctl_print_kv(const gchar *key, const gchar *value)
{
	guint width = IGW_CTL_LINE_WIDTH - 2 - IGW_CTL_SECTION_WIDTH - 3 - IGW_CTL_KEY_WIDTH - 2;
	g_autofree gchar *cut =
	    igw_ctl_ellipsize(value != NULL && value[0] != '\0' ? value : "--", width);
	g_print("  ");
	igw_ctl_print_padded(igw_ctl_section_pending != NULL ? igw_ctl_section_pending : "",
			     IGW_CTL_SECTION_WIDTH, FALSE);
	g_print(" | ");
	igw_ctl_print_padded(key, IGW_CTL_KEY_WIDTH, TRUE);
	g_print(": %s\n", cut);
	igw_ctl_section_pending = NULL;
}

static guint
igw_ctl_table_total(const guint *widths, guint columns)
{
	guint total = 0;
	for (guint j = 0; j < columns; j++)
		total += widths[j] + (j > 0 ? 2 : 0);
	return total;
}

/* shrink the widest column until the table fits in 80 columns */
static void
igw_ctl_table_fit(guint *widths, guint columns)
{
	while (igw_ctl_table_total(widths, columns) > IGW_CTL_LINE_WIDTH) {
		guint widest = 0;
		for (guint j = 1; j < columns; j++) {
			if (widths[j] > widths[widest])
				widest = j;
		}
		if (widths[widest] <= IGW_CTL_CELL_MIN)
			return;
		widths[widest]--;
	}
}

/* rows: of GStrv, the first the header; max_widths may cap single columns (0: none) */
void
igw_ctl_print_table(GPtrArray *rows, const guint *max_widths)
{
	guint columns = g_strv_length(g_ptr_array_index(rows, 0));
	g_autofree guint *widths = g_new0(guint, columns);
	for (guint i = 0; i < rows->len; i++) {
		gchar **row = g_ptr_array_index(rows, i);
		for (guint j = 0; j < columns && row[j] != NULL; j++)
			widths[j] = MAX(widths[j], (guint)g_utf8_strlen(row[j], -1));
	}
	for (guint j = 0; max_widths != NULL && j < columns; j++) {
		if (max_widths[j] > 0)
			widths[j] = MIN(widths[j], max_widths[j]);
	}
	igw_ctl_table_fit(widths, columns);
	for (guint i = 0; i < rows->len; i++) {
		gchar **row = g_ptr_array_index(rows, i);
		for (guint j = 0; j < columns && row[j] != NULL; j++) {
			g_autofree gchar *cell = igw_ctl_ellipsize(row[j], widths[j]);
			if (j > 0)
				g_print("  ");
			if (j + 1 < columns)
				igw_ctl_print_padded(cell, widths[j], FALSE);
			else
				g_print("%s", cell);
		}
		g_print("\n");
	}
}

/* ------------------------------------------------------------------------------------------ */
/* built-in commands */

static gboolean
igw_ctl_help_json(IgwCtl *self, const gchar *noun)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "commands");
	json_builder_begin_array(builder);
	for (guint i = 0; i < self->cmds->len; i++) {
		const IgwCtlCmd *cmd = g_ptr_array_index(self->cmds, i);
		g_autofree gchar *usage = NULL;
		if (cmd->flags & IGW_CTL_CMD_FLAG_HIDDEN)
			continue;
		if (noun != NULL && !igw_ctl_names_match(cmd->noun, noun))
			continue;
		usage = igw_ctl_cmd_usage(cmd);
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "usage");
		json_builder_add_string_value(builder, usage);
		json_builder_set_member_name(builder, "description");
		json_builder_add_string_value(builder, cmd->description);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
	return TRUE;
}

static gboolean
igw_ctl_help_noun(IgwCtl *self, const gchar *noun, GError **error)
{
	gboolean found = FALSE;
	for (guint i = 0; i < self->cmds->len; i++) {
		const IgwCtlCmd *cmd = g_ptr_array_index(self->cmds, i);
		g_autofree gchar *usage = NULL;
		g_autofree gchar *aliases = NULL;
		if ((cmd->flags & IGW_CTL_CMD_FLAG_HIDDEN) || !igw_ctl_names_match(cmd->noun, noun))
			continue;
		usage = igw_ctl_cmd_usage(cmd);
		aliases = igw_ctl_cmd_aliases(cmd);
		g_print("iotgwctl %s\n    %s%s%s%s\n", usage, cmd->description,
			aliases != NULL ? " (alias: " : "", aliases != NULL ? aliases : "",
			aliases != NULL ? ")" : "");
		found = TRUE;
	}
	if (!found) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
			    "no command '%s'; see 'iotgwctl --help'", noun);
	}
	return found;
}

static gboolean
igw_ctl_cmd_help(IgwCtl *self, gchar **argv, GError **error)
{
	g_autofree gchar *help = NULL;
	if (argv[0] != NULL && !self->json)
		return igw_ctl_help_noun(self, argv[0], error);
	if (self->json)
		return igw_ctl_help_json(self, argv[0]);
	help = g_option_context_get_help(self->context, TRUE, NULL);
	g_print("%s", help);
	return TRUE;
}

static gint
igw_ctl_strcmp_cb(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*((const gchar **)a), *((const gchar **)b));
}

static void
igw_ctl_add_action_words(GPtrArray *words, const IgwCtlCmd *cmd)
{
	g_auto(GStrv) nouns = g_strsplit(cmd->noun, ",", -1);
	g_auto(GStrv) verbs = cmd->verb != NULL ? g_strsplit(cmd->verb, ",", -1) : NULL;
	for (guint i = 0; nouns[i] != NULL; i++) {
		if (verbs == NULL) {
			g_ptr_array_add(words, g_strdup(nouns[i]));
			continue;
		}
		for (guint j = 0; verbs[j] != NULL; j++)
			g_ptr_array_add(words, g_strdup_printf("%s %s", nouns[i], verbs[j]));
	}
}

/* hidden: every command ("noun" or "noun verb", aliases included) for the man test */
static gboolean
igw_ctl_cmd_get_actions(IgwCtl *self, gchar **argv, GError **error)
{
	g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < self->cmds->len; i++) {
		const IgwCtlCmd *cmd = g_ptr_array_index(self->cmds, i);
		if ((cmd->flags & IGW_CTL_CMD_FLAG_HIDDEN) == 0)
			igw_ctl_add_action_words(words, cmd);
	}
	g_ptr_array_sort(words, igw_ctl_strcmp_cb);
	for (guint i = 0; i < words->len; i++) {
		const gchar *word = g_ptr_array_index(words, i);
		if (i == 0 || g_strcmp0(word, g_ptr_array_index(words, i - 1)) != 0)
			g_print("%s\n", word);
	}
	return TRUE;
}

static const IgwCtlCmd igw_ctl_builtin_cmds[] = {
    {"help", NULL, NULL, "[COMMAND]", "Show the commands, or one command", igw_ctl_cmd_help, 0, 1},
    {"get-actions", NULL, NULL, NULL, "List every command", igw_ctl_cmd_get_actions, 0, 0,
     IGW_CTL_OPT_NONE, IGW_CTL_CMD_FLAG_HIDDEN},
    {NULL}};

/* ------------------------------------------------------------------------------------------ */
/* dispatch */

static gboolean
igw_ctl_usage_error(const IgwCtlCmd *cmd, GError **error)
{
	g_autofree gchar *usage = igw_ctl_cmd_usage(cmd);
	g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "usage: iotgwctl %s", usage);
	return FALSE;
}

static gchar *
igw_ctl_list_verbs(IgwCtl *self, const IgwCtlCmd *first)
{
	GString *str = g_string_new(NULL);
	for (guint i = 0; i < self->cmds->len; i++) {
		const IgwCtlCmd *cmd = g_ptr_array_index(self->cmds, i);
		g_autofree gchar *verb = NULL;
		if (g_strcmp0(cmd->noun, first->noun) != 0 || cmd->verb == NULL)
			continue;
		verb = igw_ctl_canonical(cmd->verb);
		g_string_append_printf(str, "%s%s", str->len > 0 ? ", " : "", verb);
	}
	return g_string_free(str, FALSE);
}

/* the verb row of first's noun, or the default row when verb is NULL */
static const IgwCtlCmd *
igw_ctl_find_verb(IgwCtl *self, const IgwCtlCmd *first, const gchar *verb, GError **error)
{
	g_autofree gchar *noun = igw_ctl_canonical(first->noun);
	g_autofree gchar *verbs = igw_ctl_list_verbs(self, first);
	for (guint i = 0; i < self->cmds->len; i++) {
		const IgwCtlCmd *cmd = g_ptr_array_index(self->cmds, i);
		if (g_strcmp0(cmd->noun, first->noun) != 0)
			continue;
		if (verb == NULL && (cmd->flags & IGW_CTL_CMD_FLAG_DEFAULT))
			return cmd;
		if (verb != NULL && igw_ctl_names_match(cmd->verb, verb))
			return cmd;
	}
	if (verb == NULL) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s needs a command: %s", noun, verbs);
	} else {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "unknown %s command '%s' (one of: %s)", noun, verb, verbs);
	}
	return NULL;
}

static const IgwCtlCmd *
igw_ctl_find_noun(IgwCtl *self, const gchar *noun, GError **error)
{
	for (guint i = 0; i < self->cmds->len; i++) {
		const IgwCtlCmd *cmd = g_ptr_array_index(self->cmds, i);
		if (igw_ctl_names_match(cmd->noun, noun))
			return cmd;
	}
	g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
		    "unknown command '%s'; see 'iotgwctl --help'", noun);
	return NULL;
}

static const gchar *
igw_ctl_opt_to_string(IgwCtlOpt opt)
{
	switch (opt) {
	case IGW_CTL_OPT_FIELD:
		return "--field";
	case IGW_CTL_OPT_SINCE:
		return "--since";
	case IGW_CTL_OPT_UNTIL:
		return "--until";
	case IGW_CTL_OPT_LIMIT:
		return "--limit";
	case IGW_CTL_OPT_TIMEOUT:
		return "--timeout";
	case IGW_CTL_OPT_NONE:
	default:
		return NULL;
	}
}

static gboolean
igw_ctl_check_args(IgwCtl *self, const IgwCtlCmd *cmd, gchar **args, GError **error)
{
	guint n_args = g_strv_length(args);
	IgwCtlOpt stray = self->opts_given & ~cmd->options;
	if (n_args < cmd->min_args || n_args > cmd->max_args)
		return igw_ctl_usage_error(cmd, error);
	for (guint bit = 1; stray != 0 && bit <= IGW_CTL_OPT_TIMEOUT; bit <<= 1) {
		g_autofree gchar *usage = NULL;
		if ((stray & bit) == 0)
			continue;
		usage = igw_ctl_cmd_usage(cmd);
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s does not apply to '%s'", igw_ctl_opt_to_string(bit), usage);
		return FALSE;
	}
	return TRUE;
}

/* argv: the words after the options: NOUN [ENTITY] [VERB] [ARGS] */
static gboolean
igw_ctl_dispatch(IgwCtl *self, gchar **argv, GError **error)
{
	const IgwCtlCmd *cmd;
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	guint pos = 1;
	if (argv[0] == NULL) {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "no command given; see 'iotgwctl --help'");
		return FALSE;
	}
	cmd = igw_ctl_find_noun(self, argv[0], error);
	if (cmd == NULL)
		return FALSE;
	if (cmd->entity != NULL) {
		if (argv[pos] == NULL)
			return igw_ctl_usage_error(cmd, error);
		g_ptr_array_add(args, argv[pos++]);
	}
	if (cmd->verb != NULL) {
		cmd = igw_ctl_find_verb(self, cmd, argv[pos], error);
		if (cmd == NULL)
			return FALSE;
		if (argv[pos] != NULL)
			pos++;
	}
	for (; argv[pos] != NULL; pos++)
		g_ptr_array_add(args, argv[pos]);
	g_ptr_array_add(args, NULL);
	if (!igw_ctl_check_args(self, cmd, (gchar **)args->pdata, error))
		return FALSE;
	return cmd->func(self, (gchar **)args->pdata, error);
}

/* ------------------------------------------------------------------------------------------ */
/* options */

static gboolean
igw_ctl_option_cb(const gchar *option_name, const gchar *value, gpointer data, GError **error)
{
	IgwCtl *self = data;
	struct {
		const gchar *name;
		IgwCtlOpt opt;
		gchar **dest;
	} options[] = {
	    {"--field", IGW_CTL_OPT_FIELD, &self->field},
	    {"--since", IGW_CTL_OPT_SINCE, &self->since},
	    {"--until", IGW_CTL_OPT_UNTIL, &self->until},
	    {"--limit", IGW_CTL_OPT_LIMIT, &self->limit},
	    {"--timeout", IGW_CTL_OPT_TIMEOUT, &self->timeout},
	};
	for (guint i = 0; i < G_N_ELEMENTS(options); i++) {
		if (g_strcmp0(option_name, options[i].name) != 0)
			continue;
		g_free(*options[i].dest);
		*options[i].dest = g_strdup(value);
		self->opts_given |= options[i].opt;
		return TRUE;
	}
	g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION, "%s", option_name);
	return FALSE;
}

/*
 * negative numbers and relative times are arguments, anything else with a dash is not;
 * after "--" everything is an argument, and the "--" itself goes
 */
static gboolean
igw_ctl_check_stray_options(gchar **argv, GError **error)
{
	for (guint i = 1; argv[i] != NULL; i++) {
		if (g_strcmp0(argv[i], "--") == 0) {
			/* argv is main()'s: the strings are not ours to free */
			memmove(&argv[i], &argv[i + 1],
				(g_strv_length(&argv[i + 1]) + 1) * sizeof(gchar *));
			return TRUE;
		}
		if (argv[i][0] != '-' || argv[i][1] == '\0' || g_ascii_isdigit(argv[i][1]) ||
		    argv[i][1] == '.')
			continue;
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
			    "unknown option %s; see 'iotgwctl --help'", argv[i]);
		return FALSE;
	}
	return TRUE;
}

static GOptionContext *
igw_ctl_option_context_new(IgwCtl *self, gboolean *version)
{
	const GOptionEntry entries[] = {
	    {"json", '\0', 0, G_OPTION_ARG_NONE, &self->json, "Print JSON, no prompts, no colour",
	     NULL},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &self->verbose,
	     "Show debug messages and D-Bus error names", NULL},
	    {"version", '\0', 0, G_OPTION_ARG_NONE, version, "Show the version and exit", NULL},
	    {"field", '\0', 0, G_OPTION_ARG_CALLBACK, igw_ctl_option_cb, "readings: one field only",
	     "FIELD"},
	    {"since", '\0', 0, G_OPTION_ARG_CALLBACK, igw_ctl_option_cb,
	     "readings: from this time (ISO 8601 or -30m, -1h, -2d)", "TIME"},
	    {"until", '\0', 0, G_OPTION_ARG_CALLBACK, igw_ctl_option_cb,
	     "readings: up to this time", "TIME"},
	    {"limit", '\0', 0, G_OPTION_ARG_CALLBACK, igw_ctl_option_cb,
	     "readings: at most N, newest first (default 1000)", "N"},
	    {"timeout", '\0', 0, G_OPTION_ARG_CALLBACK, igw_ctl_option_cb,
	     "scan: seconds, 1 to 600 (default 10)", "S"},
	    {NULL}};
	GOptionContext *context = g_option_context_new("COMMAND [ARGS…]");
	GOptionGroup *group = g_option_group_new("iotgwctl", "iotgwctl", "Options", self, NULL);
	g_autofree gchar *summary = igw_ctl_get_summary(self);
	g_option_group_add_entries(group, entries);
	g_option_context_set_main_group(context, group);
	g_option_context_set_summary(context, summary);
	g_option_context_set_description(context, igw_ctl_get_epilogue());
	/* a negative VALUE or "-1h" must reach the command, see igw_ctl_check_stray_options() */
	g_option_context_set_ignore_unknown_options(context, TRUE);
	return context;
}

/* ------------------------------------------------------------------------------------------ */
/* main */

static void
igw_ctl_free(IgwCtl *self)
{
	g_free(self->field);
	g_free(self->since);
	g_free(self->until);
	g_free(self->limit);
	g_free(self->timeout);
	g_ptr_array_unref(self->cmds);
	if (self->context != NULL)
		g_option_context_free(self->context);
	g_clear_object(&self->manager);
	g_clear_object(&self->gateway);
	g_clear_object(&self->connection);
	g_main_loop_unref(self->loop);
	g_clear_error(&self->loop_error);
	g_free(self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwCtl, igw_ctl_free)

static IgwCtl *
igw_ctl_new(void)
{
	IgwCtl *self = g_new0(IgwCtl, 1);
	self->loop = g_main_loop_new(NULL, FALSE);
	self->cmds = g_ptr_array_new();
	/* the order of --help: the gateway, its things, its people, finding things, events */
	igw_ctl_add_cmds(self, igw_ctl_status_get_cmds());
	igw_ctl_add_cmds(self, igw_ctl_things_get_cmds());
	igw_ctl_add_cmds(self, igw_ctl_owners_get_cmds());
	igw_ctl_add_cmds(self, igw_ctl_peers_get_cmds());
	igw_ctl_add_cmds(self, igw_ctl_join_get_cmds());
	igw_ctl_add_cmds(self, igw_ctl_watch_get_cmds());
	igw_ctl_add_cmds(self, igw_ctl_builtin_cmds);
	return self;
}

static gboolean
igw_ctl_parse_and_run(IgwCtl *self, gint *argc, gchar ***argv, GError **error)
{
	gboolean version = FALSE;
	self->context = igw_ctl_option_context_new(self, &version);
	if (!g_option_context_parse(self->context, argc, argv, error))
		return FALSE;
	if (version) {
		g_print("iotgwctl %s\n", PACKAGE_VERSION);
		return TRUE;
	}
	/* our debug messages, not GIO's */
	if (self->verbose)
		g_setenv("G_MESSAGES_DEBUG", G_LOG_DOMAIN, TRUE);
	if (!igw_ctl_check_stray_options(*argv, error))
		return FALSE;
	return igw_ctl_dispatch(self, *argv + 1, error);
}

int
main(int argc, char *argv[])
{
	g_autoptr(IgwCtl) self = NULL;
	g_autoptr(GError) error = NULL;
	setlocale(LC_ALL, "");
	/* daemon errors come back as IGW_ERROR, not as a remote string */
	igw_error_register_dbus();
	self = igw_ctl_new();
	if (!igw_ctl_parse_and_run(self, &argc, &argv, &error)) {
		igw_ctl_print_error(self, error);
		return igw_ctl_error_to_exit(error);
	}
	return IGW_CTL_EXIT_OK;
}
