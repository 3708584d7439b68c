/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwCtl"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "igw-ctl.h"
#include "igw-error.h"

#define IGW_CTL_NAME_MAX 64
/* a secret read from standard input: one line, at most this long */
#define IGW_CTL_SECRET_MAX 1024

/* ------------------------------------------------------------------------------------------ */
/* JSON */

static void
igw_ctl_things_add_string(JsonBuilder *builder, const gchar *key, const gchar *value)
{
	json_builder_set_member_name(builder, key);
	json_builder_add_string_value(builder, value != NULL ? value : "");
}

static void
igw_ctl_things_add_boolean(JsonBuilder *builder, const gchar *key, gboolean value)
{
	json_builder_set_member_name(builder, key);
	json_builder_add_boolean_value(builder, value);
}

/* the members of a thing in `things`; `thing ID show` adds the device and fields */
static void
igw_ctl_things_add_members(JsonBuilder *builder, IgwDbusThing1 *thing)
{
	igw_ctl_things_add_string(builder, "id", igw_dbus_thing1_get_id(thing));
	igw_ctl_things_add_string(builder, "name", igw_dbus_thing1_get_name(thing));
	igw_ctl_things_add_string(builder, "plugin", igw_dbus_thing1_get_plugin(thing));
	igw_ctl_things_add_string(builder, "jid", igw_dbus_thing1_get_jid(thing));
	igw_ctl_things_add_string(builder, "state", igw_dbus_thing1_get_state(thing));
	igw_ctl_things_add_boolean(builder, "configured", igw_dbus_thing1_get_configured(thing));
	igw_ctl_things_add_string(builder, "session", igw_dbus_thing1_get_session(thing));
	igw_ctl_things_add_string(builder, "session_reason",
				  igw_dbus_thing1_get_session_reason(thing));
	igw_ctl_things_add_boolean(builder, "reachable", igw_dbus_thing1_get_reachable(thing));
	igw_ctl_things_add_string(builder, "availability", igw_dbus_thing1_get_availability(thing));
	igw_ctl_things_add_boolean(builder, "supported", igw_dbus_thing1_get_supported(thing));
	igw_ctl_json_add_time(builder, "last_seen", "last_seen_time",
			      igw_dbus_thing1_get_last_seen(thing));
}

/* an unsupported device says so where its availability would be */
static const gchar *
igw_ctl_things_availability(IgwDbusThing1 *thing)
{
	if (!igw_dbus_thing1_get_supported(thing))
		return "unsupported";
	return igw_dbus_thing1_get_availability(thing);
}

static void
igw_ctl_things_add_device(JsonBuilder *builder, IgwDbusThing1 *thing)
{
	GVariant *fields = igw_dbus_thing1_get_fields(thing);
	igw_ctl_things_add_string(builder, "manufacturer", igw_dbus_thing1_get_manufacturer(thing));
	igw_ctl_things_add_string(builder, "model", igw_dbus_thing1_get_model(thing));
	igw_ctl_things_add_string(builder, "serial", igw_dbus_thing1_get_serial(thing));
	igw_ctl_things_add_string(builder, "firmware", igw_dbus_thing1_get_firmware(thing));
	json_builder_set_member_name(builder, "fields");
	if (fields != NULL)
		json_builder_add_value(builder, json_gvariant_serialize(fields));
	else
		json_builder_add_null_value(builder);
}

static void
igw_ctl_things_print_id_json(IgwCtl *self, IgwDbusThing1 *thing, const gchar *key,
			     const gchar *value)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	json_builder_begin_object(builder);
	igw_ctl_things_add_string(builder, "id", igw_dbus_thing1_get_id(thing));
	igw_ctl_things_add_string(builder, key, value);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

/* ------------------------------------------------------------------------------------------ */
/* things */

static const gchar *
igw_ctl_things_yes_no(gboolean value)
{
	return value ? "yes" : "no";
}

static void
igw_ctl_things_print_list(GPtrArray *things)
{
	const guint max_widths[] = {24, 20, 0, 0, 0, 0};
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	if (things->len == 0) {
		g_print("no things\n");
		return;
	}
	g_ptr_array_add(rows, g_strsplit("ID|NAME|STATE|SESSION|AVAILABILITY|JID", "|", -1));
	for (guint i = 0; i < things->len; i++) {
		IgwDbusThing1 *thing = g_ptr_array_index(things, i);
		const gchar *jid = igw_dbus_thing1_get_jid(thing);
		gchar *row[] = {(gchar *)igw_dbus_thing1_get_id(thing),
				(gchar *)igw_dbus_thing1_get_name(thing),
				(gchar *)igw_dbus_thing1_get_state(thing),
				(gchar *)igw_dbus_thing1_get_session(thing),
				(gchar *)igw_ctl_things_availability(thing),
				(gchar *)(jid != NULL && jid[0] != '\0' ? jid : "--"),
				NULL};
		g_ptr_array_add(rows, g_strdupv(row));
	}
	igw_ctl_print_table(rows, max_widths);
}

static void
igw_ctl_things_print_list_json(IgwCtl *self, GPtrArray *things)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "things");
	json_builder_begin_array(builder);
	for (guint i = 0; i < things->len; i++) {
		json_builder_begin_object(builder);
		igw_ctl_things_add_members(builder, g_ptr_array_index(things, i));
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

static gboolean
igw_ctl_cmd_things(IgwCtl *self, gchar **argv, GError **error)
{
	g_autoptr(GPtrArray) things = igw_ctl_get_things(self, error);
	if (things == NULL)
		return FALSE;
	if (self->json)
		igw_ctl_things_print_list_json(self, things);
	else
		igw_ctl_things_print_list(things);
	return TRUE;
}

/* hidden, for the shell completion */
static gboolean
igw_ctl_cmd_get_thing_ids(IgwCtl *self, gchar **argv, GError **error)
{
	g_autoptr(GPtrArray) things = igw_ctl_get_things(self, error);
	if (things == NULL)
		return FALSE;
	for (guint i = 0; i < things->len; i++)
		g_print("%s\n", igw_dbus_thing1_get_id(g_ptr_array_index(things, i)));
	return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* thing ID show */

static GVariant *
igw_ctl_things_get_values(IgwDbusThing1 *thing, GError **error)
{
	GVariant *values = NULL;
	if (!igw_dbus_thing1_call_get_values_sync(thing, &values, NULL, error)) {
		igw_ctl_prefix_error(
		    error, "cannot get the values of %s: ", igw_dbus_thing1_get_id(thing));
		return NULL;
	}
	return values;
}

/* the text of the latest value of field, or NULL */
static gchar *
igw_ctl_things_lookup_text(GVariant *values, const gchar *field)
{
	GVariantIter iter;
	const gchar *name;
	const gchar *text;
	g_variant_iter_init(&iter, values);
	while (g_variant_iter_next(&iter, "(&s*x&s)", &name, NULL, NULL, &text)) {
		if (g_strcmp0(name, field) == 0)
			return g_strdup(text);
	}
	return NULL;
}

/* "21.4 °C (numeric, read-only)", or "no value (numeric, °C, read-only)" */
static gchar *
igw_ctl_things_describe_field(GVariant *field, GVariant *values)
{
	g_autoptr(GVariantDict) dict = g_variant_dict_new(field);
	const gchar *name = NULL;
	const gchar *type = "?";
	const gchar *unit = "";
	gboolean writable = FALSE;
	g_autofree gchar *text = NULL;
	g_variant_dict_lookup(dict, "name", "&s", &name);
	g_variant_dict_lookup(dict, "type", "&s", &type);
	g_variant_dict_lookup(dict, "unit", "&s", &unit);
	g_variant_dict_lookup(dict, "writable", "b", &writable);
	text = igw_ctl_things_lookup_text(values, name);
	/* the value's text carries the unit already */
	if (text != NULL)
		return g_strdup_printf("%s (%s, %s)", text, type,
				       writable ? "writable" : "read-only");
	return g_strdup_printf("no value (%s%s%s, %s)", type, unit[0] != '\0' ? ", " : "", unit,
			       writable ? "writable" : "read-only");
}

static void
igw_ctl_things_print_fields(IgwDbusThing1 *thing, GVariant *values)
{
	GVariant *fields = igw_dbus_thing1_get_fields(thing);
	igw_ctl_print_section("Fields");
	if (fields == NULL || g_variant_n_children(fields) == 0) {
		igw_ctl_print_kv("fields", "none");
		return;
	}
	for (gsize i = 0; i < g_variant_n_children(fields); i++) {
		g_autoptr(GVariant) field = g_variant_get_child_value(fields, i);
		g_autoptr(GVariantDict) dict = g_variant_dict_new(field);
		g_autofree gchar *text = igw_ctl_things_describe_field(field, values);
		const gchar *name = "?";
		g_variant_dict_lookup(dict, "name", "&s", &name);
		igw_ctl_print_kv(name, text);
	}
}

/* names only: the daemon never hands out a value */
static void
igw_ctl_things_print_secrets(IgwDbusThing1 *thing)
{
	const gchar *const *names = igw_dbus_thing1_get_secrets(thing);
	g_autofree gchar *text = NULL;
	igw_ctl_print_section("Secrets");
	if (names == NULL || names[0] == NULL) {
		igw_ctl_print_kv("secrets", "none");
		return;
	}
	text = g_strjoinv(", ", (gchar **)names);
	igw_ctl_print_kv("secrets", text);
}

static void
igw_ctl_things_add_secrets(JsonBuilder *builder, IgwDbusThing1 *thing)
{
	const gchar *const *names = igw_dbus_thing1_get_secrets(thing);
	json_builder_set_member_name(builder, "secrets");
	json_builder_begin_array(builder);
	for (guint i = 0; names != NULL && names[i] != NULL; i++)
		json_builder_add_string_value(builder, names[i]);
	json_builder_end_array(builder);
}

static void
igw_ctl_things_print_show(IgwDbusThing1 *thing, GVariant *values)
{
	g_autofree gchar *last_seen = igw_ctl_format_time(igw_dbus_thing1_get_last_seen(thing));
	igw_ctl_print_section("General");
	igw_ctl_print_kv("id", igw_dbus_thing1_get_id(thing));
	igw_ctl_print_kv("name", igw_dbus_thing1_get_name(thing));
	igw_ctl_print_kv("plugin", igw_dbus_thing1_get_plugin(thing));
	igw_ctl_print_kv("jid", igw_dbus_thing1_get_jid(thing));
	igw_ctl_print_kv("state", igw_dbus_thing1_get_state(thing));
	igw_ctl_print_kv("configured",
			 igw_ctl_things_yes_no(igw_dbus_thing1_get_configured(thing)));
	igw_ctl_print_section("Status");
	igw_ctl_print_kv("session", igw_dbus_thing1_get_session(thing));
	igw_ctl_print_kv("reason", igw_dbus_thing1_get_session_reason(thing));
	igw_ctl_print_kv("availability", igw_ctl_things_availability(thing));
	igw_ctl_print_kv("last seen", last_seen);
	igw_ctl_print_section("Device");
	igw_ctl_print_kv("manufacturer", igw_dbus_thing1_get_manufacturer(thing));
	igw_ctl_print_kv("model", igw_dbus_thing1_get_model(thing));
	igw_ctl_print_kv("serial", igw_dbus_thing1_get_serial(thing));
	igw_ctl_print_kv("firmware", igw_dbus_thing1_get_firmware(thing));
	igw_ctl_things_print_fields(thing, values);
	igw_ctl_things_print_secrets(thing);
}

static void
igw_ctl_things_print_show_json(IgwCtl *self, IgwDbusThing1 *thing, GVariant *values)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	json_builder_begin_object(builder);
	igw_ctl_things_add_members(builder, thing);
	igw_ctl_things_add_device(builder, thing);
	igw_ctl_things_add_secrets(builder, thing);
	igw_ctl_json_add_values(builder, "values", values);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

/* the bus policy lets everyone read properties but not values: show what we may */
static GVariant *
igw_ctl_things_get_values_if_allowed(IgwDbusThing1 *thing, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	GVariant *values = igw_ctl_things_get_values(thing, &error_local);
	if (values != NULL)
		return values;
	if (g_error_matches(error_local, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED)) {
		g_debug("%s", error_local->message);
		return g_variant_ref_sink(g_variant_new_array(G_VARIANT_TYPE("(svxs)"), NULL, 0));
	}
	g_propagate_error(error, g_steal_pointer(&error_local));
	return NULL;
}

static gboolean
igw_ctl_cmd_thing_show(IgwCtl *self, gchar **argv, GError **error)
{
	g_autoptr(IgwDbusThing1) thing = igw_ctl_get_thing(self, argv[0], error);
	g_autoptr(GVariant) values = NULL;
	if (thing == NULL)
		return FALSE;
	values = igw_ctl_things_get_values_if_allowed(thing, error);
	if (values == NULL)
		return FALSE;
	if (self->json)
		igw_ctl_things_print_show_json(self, thing, values);
	else
		igw_ctl_things_print_show(thing, values);
	return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* thing ID rename|forget|adopt|block */

static gboolean
igw_ctl_cmd_thing_rename(IgwCtl *self, gchar **argv, GError **error)
{
	const gchar *name = argv[1];
	g_autoptr(IgwDbusThing1) thing = NULL;
	if (!g_utf8_validate(name, -1, NULL) || g_utf8_strlen(name, -1) < 1 ||
	    g_utf8_strlen(name, -1) > IGW_CTL_NAME_MAX) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "NAME must be 1 to %d characters of UTF-8", IGW_CTL_NAME_MAX);
		return FALSE;
	}
	thing = igw_ctl_get_thing(self, argv[0], error);
	if (thing == NULL)
		return FALSE;
	if (!igw_dbus_thing1_call_rename_sync(thing, name, NULL, error)) {
		igw_ctl_prefix_error(error, "cannot rename %s: ", argv[0]);
		return FALSE;
	}
	if (self->json)
		igw_ctl_things_print_id_json(self, thing, "name", name);
	else
		g_print("%s is now called '%s'\n", argv[0], name);
	return TRUE;
}

typedef gboolean (*IgwCtlThingActionFunc)(IgwDbusThing1 *thing, GCancellable *cancellable,
					  GError **error);

static gboolean
igw_ctl_things_action(IgwCtl *self, const gchar *id, IgwCtlThingActionFunc func,
		      const gchar *action, const gchar *done, GError **error)
{
	g_autoptr(IgwDbusThing1) thing = igw_ctl_get_thing(self, id, error);
	if (thing == NULL)
		return FALSE;
	if (!func(thing, NULL, error)) {
		igw_ctl_prefix_error(error, "cannot %s %s: ", action, id);
		return FALSE;
	}
	if (self->json)
		igw_ctl_things_print_id_json(self, thing, "action", action);
	else
		g_print("%s %s\n", id, done);
	return TRUE;
}

static gboolean
igw_ctl_cmd_thing_forget(IgwCtl *self, gchar **argv, GError **error)
{
	return igw_ctl_things_action(self, argv[0], igw_dbus_thing1_call_forget_sync, "forget",
				     "forgotten", error);
}

static gboolean
igw_ctl_cmd_thing_adopt(IgwCtl *self, gchar **argv, GError **error)
{
	return igw_ctl_things_action(self, argv[0], igw_dbus_thing1_call_adopt_sync, "adopt",
				     "adopted", error);
}

static gboolean
igw_ctl_cmd_thing_block(IgwCtl *self, gchar **argv, GError **error)
{
	return igw_ctl_things_action(self, argv[0], igw_dbus_thing1_call_block_sync, "block",
				     "blocked", error);
}

/* ------------------------------------------------------------------------------------------ */
/* thing ID get|set */

static gboolean
igw_ctl_things_has_field(IgwDbusThing1 *thing, const gchar *name)
{
	GVariant *fields = igw_dbus_thing1_get_fields(thing);
	if (fields == NULL)
		return FALSE;
	for (gsize i = 0; i < g_variant_n_children(fields); i++) {
		g_autoptr(GVariant) field = g_variant_get_child_value(fields, i);
		g_autoptr(GVariantDict) dict = g_variant_dict_new(field);
		const gchar *tmp = NULL;
		if (g_variant_dict_lookup(dict, "name", "&s", &tmp) && g_strcmp0(tmp, name) == 0)
			return TRUE;
	}
	return FALSE;
}

/* the values (field, value, timestamp, text) of field only */
static GVariant *
igw_ctl_things_filter_values(GVariant *values, const gchar *field)
{
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE("a(svxs)"));
	for (gsize i = 0; i < g_variant_n_children(values); i++) {
		g_autoptr(GVariant) child = g_variant_get_child_value(values, i);
		const gchar *name = NULL;
		g_variant_get_child(child, 0, "&s", &name);
		if (g_strcmp0(name, field) == 0)
			g_variant_builder_add_value(&builder, child);
	}
	return g_variant_ref_sink(g_variant_builder_end(&builder));
}

static void
igw_ctl_things_print_values(GVariant *values)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	GVariantIter iter;
	const gchar *field;
	const gchar *text;
	gint64 timestamp;
	if (g_variant_n_children(values) == 0) {
		g_print("no values\n");
		return;
	}
	g_ptr_array_add(rows, g_strsplit("TIME|FIELD|VALUE", "|", -1));
	g_variant_iter_init(&iter, values);
	while (g_variant_iter_next(&iter, "(&s*x&s)", &field, NULL, &timestamp, &text)) {
		g_autofree gchar *time = igw_ctl_format_time(timestamp);
		gchar *row[] = {time, (gchar *)field, (gchar *)text, NULL};
		g_ptr_array_add(rows, g_strdupv(row));
	}
	igw_ctl_print_table(rows, NULL);
}

static gboolean
igw_ctl_things_print_field_value(IgwDbusThing1 *thing, GVariant *values, const gchar *field,
				 GError **error)
{
	g_autofree gchar *text = igw_ctl_things_lookup_text(values, field);
	if (text != NULL) {
		g_print("%s\n", text);
		return TRUE;
	}
	if (!igw_ctl_things_has_field(thing, field)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "%s has no field '%s'",
			    igw_dbus_thing1_get_id(thing), field);
		return FALSE;
	}
	g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "%s has no value for '%s' yet",
		    igw_dbus_thing1_get_id(thing), field);
	return FALSE;
}

static void
igw_ctl_things_print_values_json(IgwCtl *self, IgwDbusThing1 *thing, GVariant *values)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	json_builder_begin_object(builder);
	igw_ctl_things_add_string(builder, "id", igw_dbus_thing1_get_id(thing));
	igw_ctl_json_add_values(builder, "values", values);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

static gboolean
igw_ctl_cmd_thing_get(IgwCtl *self, gchar **argv, GError **error)
{
	g_autoptr(IgwDbusThing1) thing = igw_ctl_get_thing(self, argv[0], error);
	g_autoptr(GVariant) values = NULL;
	if (thing == NULL)
		return FALSE;
	values = igw_ctl_things_get_values(thing, error);
	if (values == NULL)
		return FALSE;
	if (argv[1] != NULL && self->json) {
		g_autoptr(GVariant) filtered = igw_ctl_things_filter_values(values, argv[1]);
		if (g_variant_n_children(filtered) == 0)
			return igw_ctl_things_print_field_value(thing, values, argv[1], error);
		igw_ctl_things_print_values_json(self, thing, filtered);
		return TRUE;
	}
	if (argv[1] != NULL)
		return igw_ctl_things_print_field_value(thing, values, argv[1], error);
	if (self->json)
		igw_ctl_things_print_values_json(self, thing, values);
	else
		igw_ctl_things_print_values(values);
	return TRUE;
}

static void
igw_ctl_things_print_set_json(IgwCtl *self, IgwDbusThing1 *thing, const gchar *field,
			      GVariant *confirmed, const gchar *text)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	json_builder_begin_object(builder);
	igw_ctl_things_add_string(builder, "id", igw_dbus_thing1_get_id(thing));
	igw_ctl_things_add_string(builder, "field", field);
	igw_ctl_json_add_variant(builder, "value", confirmed);
	igw_ctl_things_add_string(builder, "text", text);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

static gboolean
igw_ctl_cmd_thing_set(IgwCtl *self, gchar **argv, GError **error)
{
	const gchar *field = argv[1];
	const gchar *value = argv[2];
	g_autoptr(IgwDbusThing1) thing = NULL;
	g_autoptr(GVariant) confirmed = NULL;
	g_autofree gchar *text = NULL;
	if (field[0] == '\0') {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "FIELD is empty");
		return FALSE;
	}
	thing = igw_ctl_get_thing(self, argv[0], error);
	if (thing == NULL)
		return FALSE;
	g_debug("SetValue(%s, %s) on %s", field, value, argv[0]);
	if (!igw_dbus_thing1_call_set_value_sync(thing, field, value, &confirmed, &text, NULL,
						 error)) {
		igw_ctl_prefix_error(error, "cannot set %s of %s to '%s': ", field, argv[0], value);
		return FALSE;
	}
	if (self->json)
		igw_ctl_things_print_set_json(self, thing, field, confirmed, text);
	else
		g_print("%s: %s\n", field, text);
	return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* thing ID set-secret|clear-secret: through the gateway, so the thing need not exist yet */

/* "-": one line from standard input, so that keys stay out of the shell's history */
static gchar *
igw_ctl_things_read_secret(const gchar *arg, GError **error)
{
	gchar line[IGW_CTL_SECRET_MAX + 2];
	gsize len;
	if (g_strcmp0(arg, "-") != 0)
		return g_strdup(arg);
	if (fgets(line, sizeof(line), stdin) == NULL) {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "no VALUE on standard input");
		return NULL;
	}
	len = strlen(line);
	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	else if (!feof(stdin)) {
		memset(line, 0, sizeof(line));
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "VALUE on standard input is longer than %d bytes", IGW_CTL_SECRET_MAX);
		return NULL;
	}
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	return g_strndup(line, len);
}

/* a key: leave no copy in freed memory */
static void
igw_ctl_things_secret_free(gchar *value)
{
	if (value == NULL)
		return;
	memset(value, 0, strlen(value));
	g_free(value);
}

static void
igw_ctl_things_print_secret_json(IgwCtl *self, const gchar *id, const gchar *name,
				 const gchar *action)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	json_builder_begin_object(builder);
	igw_ctl_things_add_string(builder, "id", id);
	igw_ctl_things_add_string(builder, "secret", name);
	igw_ctl_things_add_string(builder, "action", action);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

/* @value "" clears */
static gboolean
igw_ctl_things_set_secret(IgwCtl *self, const gchar *id, const gchar *name, const gchar *value,
			  GError **error)
{
	IgwDbusGateway1 *gateway;
	const gchar *action = value[0] != '\0' ? "set" : "clear";
	if (name[0] == '\0') {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "NAME is empty");
		return FALSE;
	}
	gateway = igw_ctl_get_gateway(self, error);
	if (gateway == NULL)
		return FALSE;
	if (!igw_dbus_gateway1_call_set_thing_secret_sync(gateway, id, name, value, NULL, error)) {
		igw_ctl_prefix_error(error, "cannot %s secret %s of %s: ", action, name, id);
		return FALSE;
	}
	if (self->json)
		igw_ctl_things_print_secret_json(self, id, name, action);
	else
		g_print("%s: secret %s %s\n", id, name, value[0] != '\0' ? "set" : "cleared");
	return TRUE;
}

static gboolean
igw_ctl_cmd_thing_set_secret(IgwCtl *self, gchar **argv, GError **error)
{
	gchar *value = igw_ctl_things_read_secret(argv[2], error);
	gboolean ok;
	if (value == NULL)
		return FALSE;
	if (value[0] == '\0') {
		igw_ctl_things_secret_free(value);
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "VALUE is empty; to remove a secret use clear-secret");
		return FALSE;
	}
	ok = igw_ctl_things_set_secret(self, argv[0], argv[1], value, error);
	igw_ctl_things_secret_free(value);
	return ok;
}

static gboolean
igw_ctl_cmd_thing_clear_secret(IgwCtl *self, gchar **argv, GError **error)
{
	return igw_ctl_things_set_secret(self, argv[0], argv[1], "", error);
}

/* ------------------------------------------------------------------------------------------ */
/* readings ID */

typedef struct {
	gint64 since;
	gint64 until;
	guint limit;
} IgwCtlReadingsQuery;

static gboolean
igw_ctl_readings_parse(IgwCtl *self, IgwCtlReadingsQuery *query, GError **error)
{
	if (self->since != NULL &&
	    !igw_ctl_parse_time(self->since, "--since", &query->since, error))
		return FALSE;
	if (self->until != NULL &&
	    !igw_ctl_parse_time(self->until, "--until", &query->until, error))
		return FALSE;
	if (self->limit != NULL &&
	    !igw_ctl_parse_uint(self->limit, 1, G_MAXUINT32, "--limit", &query->limit, error))
		return FALSE;
	if (self->field != NULL && self->field[0] == '\0') {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--field is empty");
		return FALSE;
	}
	if (query->since > 0 && query->until > 0 && query->since > query->until) {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--since is after --until");
		return FALSE;
	}
	return TRUE;
}

static void
igw_ctl_readings_print_json(IgwCtl *self, IgwDbusThing1 *thing, GVariant *readings)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	json_builder_begin_object(builder);
	igw_ctl_things_add_string(builder, "id", igw_dbus_thing1_get_id(thing));
	igw_ctl_json_add_values(builder, "readings", readings);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

static gboolean
igw_ctl_cmd_readings(IgwCtl *self, gchar **argv, GError **error)
{
	IgwCtlReadingsQuery query = {0};
	g_autoptr(IgwDbusThing1) thing = NULL;
	g_autoptr(GVariant) readings = NULL;
	if (!igw_ctl_readings_parse(self, &query, error))
		return FALSE;
	thing = igw_ctl_get_thing(self, argv[0], error);
	if (thing == NULL)
		return FALSE;
	if (!igw_dbus_thing1_call_get_readings_sync(thing, self->field != NULL ? self->field : "",
						    query.since, query.until, query.limit,
						    &readings, NULL, error)) {
		igw_ctl_prefix_error(error, "cannot get the readings of %s: ", argv[0]);
		return FALSE;
	}
	if (self->json)
		igw_ctl_readings_print_json(self, thing, readings);
	else if (g_variant_n_children(readings) == 0)
		g_print("no readings\n");
	else
		igw_ctl_things_print_values(readings);
	return TRUE;
}

static const IgwCtlCmd igw_ctl_things_cmds[] = {
    {"things", NULL, NULL, NULL, "List the things", igw_ctl_cmd_things, 0, 0},
    {"thing", "ID", "show", NULL, "Properties, fields and latest values", igw_ctl_cmd_thing_show, 1,
     1, IGW_CTL_OPT_NONE, IGW_CTL_CMD_FLAG_DEFAULT},
    {"thing", "ID", "rename", "NAME", "Change the display name", igw_ctl_cmd_thing_rename, 2, 2},
    {"thing", "ID", "adopt", NULL, "Adopt a discovered thing", igw_ctl_cmd_thing_adopt, 1, 1},
    {"thing", "ID", "block", NULL, "Take offline and ignore", igw_ctl_cmd_thing_block, 1, 1},
    {"thing", "ID", "forget", NULL, "Delete everything stored about it", igw_ctl_cmd_thing_forget,
     1, 1},
    {"thing", "ID", "get", "[FIELD]", "Show the latest values", igw_ctl_cmd_thing_get, 1, 2},
    {"thing", "ID", "set", "FIELD VALUE", "Set a writable field", igw_ctl_cmd_thing_set, 3, 3},
    {"thing", "ID", "set-secret", "NAME VALUE", "Store a secret (e.g. bindkey); - reads stdin",
     igw_ctl_cmd_thing_set_secret, 3, 3},
    {"thing", "ID", "clear-secret", "NAME", "Remove a secret", igw_ctl_cmd_thing_clear_secret, 2,
     2},
    {"readings", "ID", NULL, "[--field F] [--since T] [--until T] [--limit N]",
     "Reading history, newest first", igw_ctl_cmd_readings, 1, 1,
     IGW_CTL_OPT_FIELD | IGW_CTL_OPT_SINCE | IGW_CTL_OPT_UNTIL | IGW_CTL_OPT_LIMIT},
    {"get-thing-ids", NULL, NULL, NULL, "List the thing ids", igw_ctl_cmd_get_thing_ids, 0, 0,
     IGW_CTL_OPT_NONE, IGW_CTL_CMD_FLAG_HIDDEN},
    {NULL}};

const IgwCtlCmd *
igw_ctl_things_get_cmds(void)
{
	return igw_ctl_things_cmds;
}
