/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwDbus"

#include "config.h"

#include "igw-dbus-daemon.h"
#include "igw-dbus-generated.h"
#include "igw-error.h"
#include "igw-plugin-private.h"
#include "igw-store.h"
#include "igw-thing-private.h"

struct _IgwDbusDaemon {
	GObject parent_instance;
	IgwEngine *engine;
	guint owner_id;
	GDBusConnection *connection;
	GDBusObjectManagerServer *manager;
	IgwDbusGateway1 *gateway;
	GHashTable *objects; /* thing id -> IgwDbusObjectSkeleton */
};

G_DEFINE_TYPE(IgwDbusDaemon, igw_dbus_daemon, G_TYPE_OBJECT)

/* every byte outside [A-Za-z0-9] becomes _XX: "sim:kitchen" -> "sim_3akitchen" */
gchar *
igw_dbus_daemon_thing_path(const gchar *thing_id)
{
	g_autoptr(GString) path = g_string_new(IGW_DBUS_PATH "/things/");
	for (const guchar *p = (const guchar *)thing_id; *p != '\0'; p++) {
		if (g_ascii_isalnum(*p))
			g_string_append_c(path, (gchar)*p);
		else
			g_string_append_printf(path, "_%02x", *p);
	}
	return g_string_free(g_steal_pointer(&path), FALSE);
}

static gchar *
igw_dbus_daemon_format(IgwThing *thing, IgwReading *reading)
{
	IgwField *field = igw_thing_get_field(thing, igw_reading_get_field(reading));
	g_autofree gchar *value = NULL;
	if (field == NULL)
		return g_strdup("?");
	value = igw_field_format_value(field, igw_reading_get_value(reading));
	if (igw_field_get_unit(field) == NULL)
		return g_steal_pointer(&value);
	return g_strdup_printf("%s %s", value, igw_field_get_unit(field));
}

/* (field, value, timestamp, text) */
static GVariant *
igw_dbus_daemon_reading_tuple(IgwThing *thing, IgwReading *reading)
{
	g_autofree gchar *text = igw_dbus_daemon_format(thing, reading);
	return g_variant_new("(svxs)", igw_reading_get_field(reading),
			     igw_reading_get_value(reading), igw_reading_get_timestamp(reading),
			     text);
}

static GVariant *
igw_dbus_daemon_field_dict(IgwField *field)
{
	GVariantBuilder builder;
	gdouble min, max;
	const gchar *const *values = igw_field_get_enum_values(field);
	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&builder, "{sv}", "name",
			      g_variant_new_string(igw_field_get_name(field)));
	g_variant_builder_add(
	    &builder, "{sv}", "type",
	    g_variant_new_string(igw_field_type_to_string(igw_field_get_value_type(field))));
	g_variant_builder_add(&builder, "{sv}", "unit",
			      g_variant_new_string(igw_field_get_unit(field) != NULL
						       ? igw_field_get_unit(field)
						       : ""));
	g_variant_builder_add(&builder, "{sv}", "decimals",
			      g_variant_new_uint32(igw_field_get_decimals(field)));
	g_variant_builder_add(
	    &builder, "{sv}", "category",
	    g_variant_new_string(igw_field_category_to_string(igw_field_get_category(field))));
	g_variant_builder_add(&builder, "{sv}", "writable",
			      g_variant_new_boolean(igw_field_get_writable(field)));
	if (igw_field_get_range(field, &min, &max)) {
		g_variant_builder_add(&builder, "{sv}", "min", g_variant_new_double(min));
		g_variant_builder_add(&builder, "{sv}", "max", g_variant_new_double(max));
	}
	if (values != NULL)
		g_variant_builder_add(&builder, "{sv}", "values", g_variant_new_strv(values, -1));
	return g_variant_builder_end(&builder);
}

static GVariant *
igw_dbus_daemon_fields(IgwThing *thing)
{
	GVariantBuilder builder;
	GPtrArray *fields = igw_thing_get_fields(thing);
	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < fields->len; i++)
		g_variant_builder_add_value(
		    &builder, igw_dbus_daemon_field_dict(g_ptr_array_index(fields, i)));
	return g_variant_builder_end(&builder);
}

static gint64
igw_dbus_daemon_last_seen(IgwThing *thing)
{
	GPtrArray *fields = igw_thing_get_fields(thing);
	gint64 newest = 0;
	for (guint i = 0; i < fields->len; i++) {
		IgwReading *reading =
		    igw_thing_get_latest(thing, igw_field_get_name(g_ptr_array_index(fields, i)));
		if (reading != NULL)
			newest = MAX(newest, igw_reading_get_timestamp(reading));
	}
	return newest;
}

static const gchar *
igw_dbus_daemon_str(const gchar *text)
{
	return text != NULL ? text : "";
}

/* names only: a secret's value never leaves the daemon */
static void
igw_dbus_daemon_sync_secrets(IgwDbusDaemon *self, IgwDbusThing1 *iface, const gchar *thing_id)
{
	g_auto(GStrv) names = igw_engine_get_thing_secret_names(self->engine, thing_id);
	const gchar *const *current = igw_dbus_thing1_get_secrets(iface);
	if (current != NULL && g_strv_equal(current, (const gchar *const *)names))
		return;
	igw_dbus_thing1_set_secrets(iface, (const gchar *const *)names);
}

/* the skeleton only signals what really changed */
static void
igw_dbus_daemon_sync_thing(IgwDbusDaemon *self, IgwDbusThing1 *iface, IgwThing *thing)
{
	const gchar *id = igw_thing_get_id(thing);
	const gchar *reason = NULL;
	const gchar *session = igw_engine_get_thing_session(self->engine, id, &reason);
	g_autoptr(GVariant) fields = g_variant_ref_sink(igw_dbus_daemon_fields(thing));
	igw_dbus_thing1_set_id(iface, id);
	igw_dbus_thing1_set_name(iface, igw_dbus_daemon_str(igw_thing_get_name(thing)));
	igw_dbus_thing1_set_plugin(iface, igw_thing_get_plugin_name(thing));
	igw_dbus_thing1_set_jid(iface,
				igw_dbus_daemon_str(igw_engine_get_thing_jid(self->engine, id)));
	igw_dbus_thing1_set_state(
	    iface, igw_thing_state_to_string(igw_engine_get_thing_state(self->engine, id)));
	igw_dbus_thing1_set_configured(iface, igw_engine_get_thing_configured(self->engine, id));
	igw_dbus_thing1_set_session(iface, session);
	igw_dbus_thing1_set_session_reason(iface, igw_dbus_daemon_str(reason));
	igw_dbus_thing1_set_reachable(iface, igw_thing_get_reachable(thing));
	igw_dbus_thing1_set_availability(
	    iface, igw_availability_to_string(igw_thing_get_availability(thing)));
	igw_dbus_thing1_set_supported(iface, igw_thing_get_supported(thing));
	igw_dbus_thing1_set_manufacturer(iface,
					 igw_dbus_daemon_str(igw_thing_get_manufacturer(thing)));
	igw_dbus_thing1_set_model(iface, igw_dbus_daemon_str(igw_thing_get_model(thing)));
	igw_dbus_thing1_set_serial(iface, igw_dbus_daemon_str(igw_thing_get_serial(thing)));
	igw_dbus_thing1_set_firmware(iface, igw_dbus_daemon_str(igw_thing_get_firmware(thing)));
	if (igw_dbus_thing1_get_fields(iface) == NULL ||
	    !g_variant_equal(fields, igw_dbus_thing1_get_fields(iface)))
		igw_dbus_thing1_set_fields(iface, fields);
	igw_dbus_thing1_set_last_seen(iface, igw_dbus_daemon_last_seen(thing));
	igw_dbus_daemon_sync_secrets(self, iface, id);
}

/* @error by address: C does not order the evaluation of arguments */
static gboolean
igw_dbus_daemon_finish(GDBusMethodInvocation *invocation, gboolean ok, GError **error)
{
	if (!ok) {
		g_debug("failed: %s", (*error)->message);
		g_dbus_method_invocation_return_gerror(invocation, *error);
		return TRUE;
	}
	g_dbus_method_invocation_return_value(invocation, NULL);
	return TRUE;
}

static gboolean
igw_dbus_daemon_handle_rename_cb(IgwDbusThing1 *iface, GDBusMethodInvocation *invocation,
				 const gchar *name, IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_debug("called Rename(%s, %s)", igw_dbus_thing1_get_id(iface), name);
	return igw_dbus_daemon_finish(
	    invocation,
	    igw_engine_rename_thing(self->engine, igw_dbus_thing1_get_id(iface), name, &error),
	    &error);
}

static gboolean
igw_dbus_daemon_handle_adopt_cb(IgwDbusThing1 *iface, GDBusMethodInvocation *invocation,
				IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_debug("called Adopt(%s)", igw_dbus_thing1_get_id(iface));
	return igw_dbus_daemon_finish(
	    invocation, igw_engine_adopt_thing(self->engine, igw_dbus_thing1_get_id(iface), &error),
	    &error);
}

static gboolean
igw_dbus_daemon_handle_block_cb(IgwDbusThing1 *iface, GDBusMethodInvocation *invocation,
				IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_debug("called Block(%s)", igw_dbus_thing1_get_id(iface));
	return igw_dbus_daemon_finish(
	    invocation, igw_engine_block_thing(self->engine, igw_dbus_thing1_get_id(iface), &error),
	    &error);
}

static gboolean
igw_dbus_daemon_handle_forget_cb(IgwDbusThing1 *iface, GDBusMethodInvocation *invocation,
				 IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *id = g_strdup(igw_dbus_thing1_get_id(iface));
	g_debug("called Forget(%s)", id);
	/* the object goes away with the thing: answer first */
	return igw_dbus_daemon_finish(invocation, igw_engine_forget_thing(self->engine, id, &error),
				      &error);
}

static gboolean
igw_dbus_daemon_handle_get_values_cb(IgwDbusThing1 *iface, GDBusMethodInvocation *invocation,
				     IgwDbusDaemon *self)
{
	IgwThing *thing = igw_engine_lookup_thing(self->engine, igw_dbus_thing1_get_id(iface));
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE("a(svxs)"));
	for (guint i = 0; thing != NULL && i < igw_thing_get_fields(thing)->len; i++) {
		IgwField *field = g_ptr_array_index(igw_thing_get_fields(thing), i);
		IgwReading *reading = igw_thing_get_latest(thing, igw_field_get_name(field));
		if (reading != NULL)
			g_variant_builder_add_value(&builder,
						    igw_dbus_daemon_reading_tuple(thing, reading));
	}
	igw_dbus_thing1_complete_get_values(iface, invocation, g_variant_builder_end(&builder));
	return TRUE;
}

static void
igw_dbus_daemon_set_value_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GDBusMethodInvocation) invocation = user_data;
	IgwDbusThing1 *iface = g_object_get_data(G_OBJECT(invocation), "igw-iface");
	IgwDbusDaemon *self = g_object_get_data(G_OBJECT(invocation), "igw-daemon");
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) confirmed = igw_control_set_finish(IGW_CONTROL(source), result, &error);
	const gchar *field = g_object_get_data(G_OBJECT(invocation), "igw-field");
	IgwThing *thing = igw_engine_lookup_thing(self->engine, igw_dbus_thing1_get_id(iface));
	g_autofree gchar *text = NULL;
	if (confirmed == NULL) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	text = thing != NULL ? igw_thing_format_reading(thing, field) : NULL;
	igw_dbus_thing1_complete_set_value(iface, g_steal_pointer(&invocation),
					   g_variant_new_variant(confirmed),
					   text != NULL ? text : "");
}

/* the administrator: polkit and the bus policy authorised the call already */
static gboolean
igw_dbus_daemon_handle_set_value_cb(IgwDbusThing1 *iface, GDBusMethodInvocation *invocation,
				    const gchar *field, const gchar *value, IgwDbusDaemon *self)
{
	const gchar *id = igw_dbus_thing1_get_id(iface);
	g_debug("called SetValue(%s, %s, %s)", id, field, value);
	g_object_set_data_full(G_OBJECT(invocation), "igw-iface", g_object_ref(iface),
			       g_object_unref);
	g_object_set_data_full(G_OBJECT(invocation), "igw-daemon", g_object_ref(self),
			       g_object_unref);
	g_object_set_data_full(G_OBJECT(invocation), "igw-field", g_strdup(field), g_free);
	igw_control_set_async(igw_engine_get_control(self->engine),
			      g_dbus_method_invocation_get_sender(invocation),
			      IGW_CONTROL_FLAG_ADMINISTRATOR, id, field, value, NULL,
			      igw_dbus_daemon_set_value_cb, g_object_ref(invocation));
	return TRUE;
}

static gboolean
igw_dbus_daemon_handle_get_readings_cb(IgwDbusThing1 *iface, GDBusMethodInvocation *invocation,
				       const gchar *field, gint64 start, gint64 end, guint limit,
				       IgwDbusDaemon *self)
{
	const gchar *id = igw_dbus_thing1_get_id(iface);
	IgwThing *thing = igw_engine_lookup_thing(self->engine, id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) readings = NULL;
	GVariantBuilder builder;
	g_debug("called GetReadings(%s, %s, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %u)", id,
		field, start, end, limit);
	readings = igw_engine_get_readings(self->engine, id, *field != '\0' ? field : NULL, start,
					   end, limit, &error);
	if (readings == NULL)
		return igw_dbus_daemon_finish(invocation, FALSE, &error);
	g_variant_builder_init(&builder, G_VARIANT_TYPE("a(svxs)"));
	for (guint i = 0; i < readings->len; i++)
		g_variant_builder_add_value(
		    &builder, igw_dbus_daemon_reading_tuple(thing, g_ptr_array_index(readings, i)));
	igw_dbus_thing1_complete_get_readings(iface, invocation, g_variant_builder_end(&builder));
	return TRUE;
}

static void
igw_dbus_daemon_reading_cb(IgwThing *thing, IgwReading *reading, IgwDbusDaemon *self);

/* the thing's own readings reach its object, and no other thing's do */
static void
igw_dbus_daemon_watch_thing(IgwDbusDaemon *self, IgwDbusObjectSkeleton *object, IgwThing *thing)
{
	gulong handler = g_signal_connect_object(thing, "reading",
						 G_CALLBACK(igw_dbus_daemon_reading_cb), self, 0);
	g_object_set_data_full(G_OBJECT(object), "igw-thing", g_object_ref(thing), g_object_unref);
	g_object_set_data(G_OBJECT(object), "igw-reading-handler", GSIZE_TO_POINTER(handler));
}

static void
igw_dbus_daemon_unwatch_object(GObject *object)
{
	IgwThing *thing = object != NULL ? g_object_get_data(object, "igw-thing") : NULL;
	if (thing != NULL)
		g_signal_handler_disconnect(
		    thing, GPOINTER_TO_SIZE(g_object_get_data(object, "igw-reading-handler")));
	if (object != NULL)
		g_object_set_data(object, "igw-thing", NULL);
}

static void
igw_dbus_daemon_unwatch_thing(IgwDbusDaemon *self, const gchar *thing_id)
{
	igw_dbus_daemon_unwatch_object(g_hash_table_lookup(self->objects, thing_id));
}

static void
igw_dbus_daemon_unwatch_all(IgwDbusDaemon *self)
{
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, self->objects);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		igw_dbus_daemon_unwatch_object(value);
}

static void
igw_dbus_daemon_export_thing(IgwDbusDaemon *self, IgwThing *thing)
{
	const gchar *id = igw_thing_get_id(thing);
	g_autofree gchar *path = igw_dbus_daemon_thing_path(id);
	g_autoptr(IgwDbusObjectSkeleton) object = NULL;
	g_autoptr(IgwDbusThing1) iface = NULL;
	if (self->manager == NULL || g_hash_table_contains(self->objects, id))
		return;
	object = igw_dbus_object_skeleton_new(path);
	iface = igw_dbus_thing1_skeleton_new();
	igw_dbus_daemon_sync_thing(self, iface, thing);
	g_signal_connect(iface, "handle-rename", G_CALLBACK(igw_dbus_daemon_handle_rename_cb),
			 self);
	g_signal_connect(iface, "handle-adopt", G_CALLBACK(igw_dbus_daemon_handle_adopt_cb), self);
	g_signal_connect(iface, "handle-block", G_CALLBACK(igw_dbus_daemon_handle_block_cb), self);
	g_signal_connect(iface, "handle-forget", G_CALLBACK(igw_dbus_daemon_handle_forget_cb),
			 self);
	g_signal_connect(iface, "handle-get-values",
			 G_CALLBACK(igw_dbus_daemon_handle_get_values_cb), self);
	g_signal_connect(iface, "handle-set-value", G_CALLBACK(igw_dbus_daemon_handle_set_value_cb),
			 self);
	g_signal_connect(iface, "handle-get-readings",
			 G_CALLBACK(igw_dbus_daemon_handle_get_readings_cb), self);
	igw_dbus_object_skeleton_set_thing1(object, iface);
	g_dbus_object_manager_server_export(self->manager, G_DBUS_OBJECT_SKELETON(object));
	g_hash_table_insert(self->objects, g_strdup(id), g_object_ref(object));
	igw_dbus_daemon_watch_thing(self, object, thing);
}

static void
igw_dbus_daemon_unexport_thing(IgwDbusDaemon *self, const gchar *thing_id)
{
	g_autofree gchar *path = igw_dbus_daemon_thing_path(thing_id);
	if (self->manager != NULL)
		igw_dbus_daemon_unwatch_thing(self, thing_id);
	if (self->manager == NULL || !g_hash_table_remove(self->objects, thing_id))
		return;
	g_dbus_object_manager_server_unexport(self->manager, path);
}

static IgwDbusThing1 *
igw_dbus_daemon_get_iface(IgwDbusDaemon *self, const gchar *thing_id)
{
	IgwDbusObject *object = g_hash_table_lookup(self->objects, thing_id);
	return object != NULL ? igw_dbus_object_peek_thing1(object) : NULL;
}

static void
igw_dbus_daemon_thing_changed_cb(IgwEngine *engine, IgwThing *thing, const gchar *change,
				 IgwDbusDaemon *self)
{
	const gchar *id = igw_thing_get_id(thing);
	g_autofree gchar *path = igw_dbus_daemon_thing_path(id);
	IgwDbusThing1 *iface;
	if (g_strcmp0(change, "removed") == 0 || g_strcmp0(change, "forgotten") == 0)
		igw_dbus_daemon_unexport_thing(self, id);
	else
		igw_dbus_daemon_export_thing(self, thing);
	iface = igw_dbus_daemon_get_iface(self, id);
	if (iface != NULL)
		igw_dbus_daemon_sync_thing(self, iface, thing);
	if (self->gateway != NULL && g_strcmp0(change, "session") != 0)
		igw_dbus_gateway1_emit_thing_changed(self->gateway, path, id, change);
}

/* readings of adopted things only, as before they were the thing's own */
static void
igw_dbus_daemon_reading_cb(IgwThing *thing, IgwReading *reading, IgwDbusDaemon *self)
{
	const gchar *id = igw_thing_get_id(thing);
	g_autofree gchar *path = NULL;
	g_autofree gchar *text = NULL;
	IgwDbusThing1 *iface = igw_dbus_daemon_get_iface(self, id);
	if (!igw_thing_get_adopted(thing))
		return;
	path = igw_dbus_daemon_thing_path(id);
	text = igw_dbus_daemon_format(thing, reading);
	if (iface != NULL)
		igw_dbus_thing1_set_last_seen(iface, igw_reading_get_timestamp(reading));
	if (self->gateway == NULL)
		return;
	igw_dbus_gateway1_emit_reading(self->gateway, path, id, igw_reading_get_field(reading),
				       g_variant_new_variant(igw_reading_get_value(reading)),
				       igw_reading_get_timestamp(reading), text);
}

static gboolean
igw_dbus_daemon_handle_get_status_cb(IgwDbusGateway1 *iface, GDBusMethodInvocation *invocation,
				     IgwDbusDaemon *self)
{
	igw_dbus_gateway1_complete_get_status(iface, invocation,
					      igw_engine_get_status_dict(self->engine));
	return TRUE;
}

static const gchar *
igw_dbus_daemon_plugin_state(IgwPluginState state)
{
	switch (state) {
	case IGW_PLUGIN_STATE_RUNNING:
		return "running";
	case IGW_PLUGIN_STATE_DISABLED:
		return "disabled";
	case IGW_PLUGIN_STATE_STOPPED:
		return "stopped";
	case IGW_PLUGIN_STATE_LOADED:
	default:
		return "loaded";
	}
}

static gboolean
igw_dbus_daemon_handle_get_plugins_cb(IgwDbusGateway1 *iface, GDBusMethodInvocation *invocation,
				      IgwDbusDaemon *self)
{
	g_autoptr(GPtrArray) plugins = igw_engine_get_plugins(self->engine);
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE("a(sss)"));
	for (guint i = 0; i < plugins->len; i++) {
		IgwPlugin *plugin = g_ptr_array_index(plugins, i);
		const gchar *reason = igw_plugin_get_state_reason(plugin);
		if (reason == NULL && igw_plugin_get_state(plugin) == IGW_PLUGIN_STATE_RUNNING)
			reason = igw_plugin_get_status(plugin);
		g_variant_builder_add(&builder, "(sss)", igw_plugin_get_name(plugin),
				      igw_dbus_daemon_plugin_state(igw_plugin_get_state(plugin)),
				      reason != NULL ? reason : "");
	}
	igw_dbus_gateway1_complete_get_plugins(iface, invocation, g_variant_builder_end(&builder));
	return TRUE;
}

static gboolean
igw_dbus_daemon_handle_permit_join_cb(IgwDbusGateway1 *iface, GDBusMethodInvocation *invocation,
				      guint seconds, IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_debug("called PermitJoin(%u)", seconds);
	return igw_dbus_daemon_finish(
	    invocation, igw_engine_permit_join(self->engine, seconds, &error), &error);
}

static gboolean
igw_dbus_daemon_handle_start_scan_cb(IgwDbusGateway1 *iface, GDBusMethodInvocation *invocation,
				     guint timeout, IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_debug("called StartScan(%u)", timeout);
	return igw_dbus_daemon_finish(invocation,
				      igw_engine_start_scan(self->engine, timeout, &error), &error);
}

static gboolean
igw_dbus_daemon_handle_stop_scan_cb(IgwDbusGateway1 *iface, GDBusMethodInvocation *invocation,
				    IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_debug("called StopScan()");
	return igw_dbus_daemon_finish(invocation, igw_engine_stop_scan(self->engine, &error),
				      &error);
}

static gboolean
igw_dbus_daemon_handle_list_owners_cb(IgwDbusGateway1 *iface, GDBusMethodInvocation *invocation,
				      IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) owners = igw_engine_list_owners(self->engine, &error);
	GVariantBuilder builder;
	if (owners == NULL)
		return igw_dbus_daemon_finish(invocation, FALSE, &error);
	g_variant_builder_init(&builder, G_VARIANT_TYPE("a(ss)"));
	for (guint i = 0; i < owners->len; i++) {
		IgwStoreOwner *owner = g_ptr_array_index(owners, i);
		g_variant_builder_add(&builder, "(ss)", owner->jid, owner->source);
	}
	igw_dbus_gateway1_complete_list_owners(iface, invocation, g_variant_builder_end(&builder));
	return TRUE;
}

static gboolean
igw_dbus_daemon_handle_add_owner_cb(IgwDbusGateway1 *iface, GDBusMethodInvocation *invocation,
				    const gchar *jid, IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_debug("called AddOwner(%s)", jid);
	return igw_dbus_daemon_finish(invocation, igw_engine_add_owner(self->engine, jid, &error),
				      &error);
}

static gboolean
igw_dbus_daemon_handle_remove_owner_cb(IgwDbusGateway1 *iface, GDBusMethodInvocation *invocation,
				       const gchar *jid, IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_debug("called RemoveOwner(%s)", jid);
	return igw_dbus_daemon_finish(invocation,
				      igw_engine_remove_owner(self->engine, jid, &error), &error);
}

static gboolean
igw_dbus_daemon_handle_list_peers_cb(IgwDbusGateway1 *iface, GDBusMethodInvocation *invocation,
				     IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) peers = igw_engine_list_peers(self->engine, &error);
	GVariantBuilder builder;
	if (peers == NULL)
		return igw_dbus_daemon_finish(invocation, FALSE, &error);
	g_variant_builder_init(&builder, G_VARIANT_TYPE("a(sss)"));
	for (guint i = 0; i < peers->len; i++) {
		IgwStorePeer *peer = g_ptr_array_index(peers, i);
		g_variant_builder_add(&builder, "(sss)", peer->jid, peer->profile, peer->source);
	}
	igw_dbus_gateway1_complete_list_peers(iface, invocation, g_variant_builder_end(&builder));
	return TRUE;
}

static gboolean
igw_dbus_daemon_handle_set_peer_profile_cb(IgwDbusGateway1 *iface,
					   GDBusMethodInvocation *invocation, const gchar *jid,
					   const gchar *profile, IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	g_debug("called SetPeerProfile(%s, %s)", jid, profile);
	return igw_dbus_daemon_finish(
	    invocation, igw_engine_set_peer_profile(self->engine, jid, profile, &error), &error);
}

static gboolean
igw_dbus_daemon_handle_set_thing_secret_cb(IgwDbusGateway1 *iface,
					   GDBusMethodInvocation *invocation, const gchar *id,
					   const gchar *name, const gchar *value,
					   IgwDbusDaemon *self)
{
	g_autoptr(GError) error = NULL;
	/* never the value */
	g_debug("called SetThingSecret(%s, %s, %s)", id, name, *value != '\0' ? "***" : "");
	return igw_dbus_daemon_finish(
	    invocation, igw_engine_set_thing_secret(self->engine, id, name, value, &error), &error);
}

static void
igw_dbus_daemon_scan_progress_cb(IgwEngine *engine, guint elapsed, guint timeout, guint found,
				 gboolean done, IgwDbusDaemon *self)
{
	if (self->gateway == NULL)
		return;
	igw_dbus_gateway1_set_scanning(self->gateway, !done);
	igw_dbus_gateway1_emit_scan_progress(self->gateway, elapsed, timeout, found, done);
}

static void
igw_dbus_daemon_permit_join_cb(IgwEngine *engine, guint remaining, IgwDbusDaemon *self)
{
	if (self->gateway == NULL)
		return;
	igw_dbus_gateway1_set_permit_join_remaining(self->gateway, remaining);
	igw_dbus_gateway1_emit_permit_join_changed(self->gateway, remaining);
}

/* PermitJoinRemaining counts down only when asked: no timer for it */
static gboolean
igw_dbus_daemon_authorize_cb(GDBusInterfaceSkeleton *iface, GDBusMethodInvocation *invocation,
			     IgwDbusDaemon *self)
{
	igw_dbus_gateway1_set_permit_join_remaining(
	    self->gateway, igw_engine_get_permit_join_remaining(self->engine));
	return TRUE;
}

static void
igw_dbus_daemon_export_gateway(IgwDbusDaemon *self, GError **error)
{
	self->gateway = igw_dbus_gateway1_skeleton_new();
	igw_dbus_gateway1_set_version(self->gateway, PACKAGE_VERSION);
	igw_dbus_gateway1_set_start_time(self->gateway, igw_engine_get_start_time(self->engine));
	g_signal_connect(self->gateway, "g-authorize-method",
			 G_CALLBACK(igw_dbus_daemon_authorize_cb), self);
	g_signal_connect(self->gateway, "handle-get-status",
			 G_CALLBACK(igw_dbus_daemon_handle_get_status_cb), self);
	g_signal_connect(self->gateway, "handle-get-plugins",
			 G_CALLBACK(igw_dbus_daemon_handle_get_plugins_cb), self);
	g_signal_connect(self->gateway, "handle-permit-join",
			 G_CALLBACK(igw_dbus_daemon_handle_permit_join_cb), self);
	g_signal_connect(self->gateway, "handle-start-scan",
			 G_CALLBACK(igw_dbus_daemon_handle_start_scan_cb), self);
	g_signal_connect(self->gateway, "handle-stop-scan",
			 G_CALLBACK(igw_dbus_daemon_handle_stop_scan_cb), self);
	g_signal_connect(self->gateway, "handle-list-owners",
			 G_CALLBACK(igw_dbus_daemon_handle_list_owners_cb), self);
	g_signal_connect(self->gateway, "handle-add-owner",
			 G_CALLBACK(igw_dbus_daemon_handle_add_owner_cb), self);
	g_signal_connect(self->gateway, "handle-remove-owner",
			 G_CALLBACK(igw_dbus_daemon_handle_remove_owner_cb), self);
	g_signal_connect(self->gateway, "handle-list-peers",
			 G_CALLBACK(igw_dbus_daemon_handle_list_peers_cb), self);
	g_signal_connect(self->gateway, "handle-set-peer-profile",
			 G_CALLBACK(igw_dbus_daemon_handle_set_peer_profile_cb), self);
	g_signal_connect(self->gateway, "handle-set-thing-secret",
			 G_CALLBACK(igw_dbus_daemon_handle_set_thing_secret_cb), self);
	g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->gateway), self->connection,
					 IGW_DBUS_PATH, error);
}

static void
igw_dbus_daemon_bus_acquired_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	IgwDbusDaemon *self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) things = igw_engine_get_things(self->engine);
	self->connection = g_object_ref(connection);
	self->manager = g_dbus_object_manager_server_new(IGW_DBUS_PATH);
	igw_dbus_daemon_export_gateway(self, &error);
	if (error != NULL)
		g_warning("cannot export %s: %s", IGW_DBUS_PATH, error->message);
	for (guint i = 0; i < things->len; i++)
		igw_dbus_daemon_export_thing(self, g_ptr_array_index(things, i));
	g_dbus_object_manager_server_set_connection(self->manager, connection);
}

static void
igw_dbus_daemon_name_acquired_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	g_message("D-Bus: %s acquired on the system bus", name);
}

/* the gateway works without its administration interface */
static void
igw_dbus_daemon_name_lost_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	if (connection == NULL)
		g_warning("D-Bus: no system bus; iotgwctl will not reach this daemon");
	else
		g_warning("D-Bus: cannot own %s (another iotgwd, or the bus policy); iotgwctl will "
			  "not reach this daemon",
			  name);
}

void
igw_dbus_daemon_start(IgwDbusDaemon *self)
{
	g_return_if_fail(IGW_IS_DBUS_DAEMON(self));
	self->owner_id =
	    g_bus_own_name(G_BUS_TYPE_SYSTEM, IGW_DBUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
			   igw_dbus_daemon_bus_acquired_cb, igw_dbus_daemon_name_acquired_cb,
			   igw_dbus_daemon_name_lost_cb, self, NULL);
}

static void
igw_dbus_daemon_dispose(GObject *object)
{
	IgwDbusDaemon *self = IGW_DBUS_DAEMON(object);
	g_clear_handle_id(&self->owner_id, g_bus_unown_name);
	if (self->engine != NULL)
		g_signal_handlers_disconnect_by_data(self->engine, self);
	if (self->gateway != NULL)
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->gateway));
	g_clear_object(&self->gateway);
	igw_dbus_daemon_unwatch_all(self);
	g_hash_table_remove_all(self->objects);
	g_clear_object(&self->manager);
	g_clear_object(&self->connection);
	g_clear_object(&self->engine);
	G_OBJECT_CLASS(igw_dbus_daemon_parent_class)->dispose(object);
}

static void
igw_dbus_daemon_finalize(GObject *object)
{
	IgwDbusDaemon *self = IGW_DBUS_DAEMON(object);
	g_hash_table_unref(self->objects);
	G_OBJECT_CLASS(igw_dbus_daemon_parent_class)->finalize(object);
}

static void
igw_dbus_daemon_class_init(IgwDbusDaemonClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = igw_dbus_daemon_dispose;
	object_class->finalize = igw_dbus_daemon_finalize;
}

static void
igw_dbus_daemon_init(IgwDbusDaemon *self)
{
	self->objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
}

IgwDbusDaemon *
igw_dbus_daemon_new(IgwEngine *engine)
{
	IgwDbusDaemon *self = g_object_new(IGW_TYPE_DBUS_DAEMON, NULL);
	self->engine = g_object_ref(engine);
	g_signal_connect(engine, "thing-changed", G_CALLBACK(igw_dbus_daemon_thing_changed_cb),
			 self);
	g_signal_connect(engine, "scan-progress", G_CALLBACK(igw_dbus_daemon_scan_progress_cb),
			 self);
	g_signal_connect(engine, "permit-join-changed", G_CALLBACK(igw_dbus_daemon_permit_join_cb),
			 self);
	return self;
}
