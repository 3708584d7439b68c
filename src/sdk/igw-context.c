/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwContext"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "igw-context-private.h"
#include "igw-error.h"
#include "igw-thing-private.h"

/*
 * the one object plugins see: they add and remove things and report readings
 * here; the engine listens to the signals and does the XMPP and SQLite work
 */
struct _IgwContext {
	GObject parent_instance;
	GKeyFile *config;
	GHashTable *things;  /* id -> IgwThing */
	GHashTable *offered; /* ids of things found rather than configured */
	GHashTable *secrets; /* thing id -> (name -> value) */
	IgwContextControlFunc control_func;
	gpointer control_data;
};

enum {
	SIGNAL_THING_ADDED,
	SIGNAL_THING_OFFERED,
	SIGNAL_THING_REMOVED,
	SIGNAL_READING,
	SIGNAL_REACHABLE_CHANGED,
	SIGNAL_SECRET_CHANGED,
	SIGNAL_THING_CHANGED,
	SIGNAL_LAST
};
static guint signals[SIGNAL_LAST];

G_DEFINE_TYPE(IgwContext, igw_context, G_TYPE_OBJECT)

static void
igw_context_finalize(GObject *object)
{
	IgwContext *self = IGW_CONTEXT(object);
	g_key_file_unref(self->config);
	g_hash_table_unref(self->things);
	g_hash_table_unref(self->offered);
	g_hash_table_unref(self->secrets);
	G_OBJECT_CLASS(igw_context_parent_class)->finalize(object);
}

static void
igw_context_class_init(IgwContextClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = igw_context_finalize;
	signals[SIGNAL_THING_ADDED] =
	    g_signal_new("thing-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, IGW_TYPE_THING);
	signals[SIGNAL_THING_OFFERED] =
	    g_signal_new("thing-offered", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 1, IGW_TYPE_THING);
	signals[SIGNAL_THING_REMOVED] =
	    g_signal_new("thing-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 1, IGW_TYPE_THING);
	signals[SIGNAL_READING] =
	    g_signal_new("reading", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 2, IGW_TYPE_THING, IGW_TYPE_READING);
	signals[SIGNAL_REACHABLE_CHANGED] =
	    g_signal_new("reachable-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 1, IGW_TYPE_THING);
	/* thing id, secret name: never the value */
	signals[SIGNAL_SECRET_CHANGED] =
	    g_signal_new("secret-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
	/* thing, change: the core's word, for bridges that export things */
	signals[SIGNAL_THING_CHANGED] =
	    g_signal_new("thing-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 2, IGW_TYPE_THING, G_TYPE_STRING);
}

static void
igw_context_init(IgwContext *self)
{
	self->things = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
	self->offered = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->secrets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)g_hash_table_unref);
}

IgwContext *
igw_context_new(GKeyFile *config)
{
	IgwContext *self = g_object_new(IGW_TYPE_CONTEXT, NULL);
	self->config = config != NULL ? g_key_file_ref(config) : g_key_file_new();
	return self;
}

GKeyFile *
igw_context_get_config(IgwContext *self)
{
	g_return_val_if_fail(IGW_IS_CONTEXT(self), NULL);
	return self->config;
}

void
igw_context_set_config(IgwContext *self, GKeyFile *config)
{
	g_return_if_fail(IGW_IS_CONTEXT(self));
	g_return_if_fail(config != NULL);
	g_key_file_unref(self->config);
	self->config = g_key_file_ref(config);
}

/* the config group that describes one thing: "thing sim:kitchen" */
gchar *
igw_context_get_thing_group(const gchar *thing_id)
{
	return g_strdup_printf("thing %s", thing_id);
}

/* the ids of the [thing PLUGIN:...] groups of the config */
gchar **
igw_context_get_thing_ids(IgwContext *self, const gchar *plugin_name)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	g_auto(GStrv) groups = NULL;
	g_autofree gchar *prefix = g_strdup_printf("thing %s:", plugin_name);
	g_return_val_if_fail(IGW_IS_CONTEXT(self), NULL);
	groups = g_key_file_get_groups(self->config, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		if (g_str_has_prefix(groups[i], prefix))
			g_strv_builder_add(builder, groups[i] + strlen("thing "));
	}
	return g_strv_builder_end(builder);
}

static gboolean
igw_context_insert_thing(IgwContext *self, IgwThing *thing, GError **error)
{
	const gchar *id = igw_thing_get_id(thing);
	if (g_hash_table_contains(self->things, id)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_EXISTS, "thing %s exists already", id);
		return FALSE;
	}
	g_hash_table_insert(self->things, g_strdup(id), g_object_ref(thing));
	return TRUE;
}

/* a configured thing: the core adopts it */
gboolean
igw_context_add_thing(IgwContext *self, IgwThing *thing, GError **error)
{
	g_return_val_if_fail(IGW_IS_CONTEXT(self), FALSE);
	g_return_val_if_fail(IGW_IS_THING(thing), FALSE);
	if (!igw_context_insert_thing(self, thing, error))
		return FALSE;
	g_debug("thing %s: added by plugin %s", igw_thing_get_id(thing),
		igw_thing_get_plugin_name(thing));
	g_signal_emit(self, signals[SIGNAL_THING_ADDED], 0, thing);
	return TRUE;
}

/*
 * a device the plugin found: the core's policy (adopt=, permit-join, the
 * administrator's adopt and block) decides whether it becomes an XMPP entity
 */
gboolean
igw_context_offer_thing(IgwContext *self, IgwThing *thing, GError **error)
{
	g_return_val_if_fail(IGW_IS_CONTEXT(self), FALSE);
	g_return_val_if_fail(IGW_IS_THING(thing), FALSE);
	if (!igw_context_insert_thing(self, thing, error))
		return FALSE;
	g_hash_table_add(self->offered, g_strdup(igw_thing_get_id(thing)));
	g_debug("thing %s: found by plugin %s", igw_thing_get_id(thing),
		igw_thing_get_plugin_name(thing));
	g_signal_emit(self, signals[SIGNAL_THING_OFFERED], 0, thing);
	return TRUE;
}

gboolean
igw_context_thing_is_offered(IgwContext *self, const gchar *thing_id)
{
	g_return_val_if_fail(IGW_IS_CONTEXT(self), FALSE);
	return g_hash_table_contains(self->offered, thing_id);
}

void
igw_context_remove_thing(IgwContext *self, const gchar *thing_id)
{
	g_autoptr(IgwThing) thing = NULL;
	g_return_if_fail(IGW_IS_CONTEXT(self));
	thing = g_hash_table_lookup(self->things, thing_id);
	if (thing == NULL)
		return;
	g_object_ref(thing);
	g_hash_table_remove(self->things, thing_id);
	g_hash_table_remove(self->offered, thing_id);
	g_debug("thing %s: removed", thing_id);
	g_signal_emit(self, signals[SIGNAL_THING_REMOVED], 0, thing);
}

IgwThing *
igw_context_lookup_thing(IgwContext *self, const gchar *thing_id)
{
	g_return_val_if_fail(IGW_IS_CONTEXT(self), NULL);
	return g_hash_table_lookup(self->things, thing_id);
}

GPtrArray *
igw_context_get_things(IgwContext *self)
{
	GPtrArray *things = g_ptr_array_new_with_free_func(g_object_unref);
	GHashTableIter iter;
	gpointer value;
	g_return_val_if_fail(IGW_IS_CONTEXT(self), NULL);
	g_hash_table_iter_init(&iter, self->things);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		g_ptr_array_add(things, g_object_ref(value));
	return things;
}

/* readings of unknown things or fields, or of the wrong type, are dropped here */
void
igw_context_report_reading(IgwContext *self, IgwReading *reading)
{
	g_autoptr(GError) error = NULL;
	IgwThing *thing;
	IgwField *field;
	g_return_if_fail(IGW_IS_CONTEXT(self));
	thing = g_hash_table_lookup(self->things, igw_reading_get_thing_id(reading));
	if (thing == NULL) {
		g_debug("reading for unknown thing %s dropped", igw_reading_get_thing_id(reading));
		return;
	}
	field = igw_thing_get_field(thing, igw_reading_get_field(reading));
	if (field == NULL) {
		g_debug("thing %s: reading for unknown field %s dropped", igw_thing_get_id(thing),
			igw_reading_get_field(reading));
		return;
	}
	if (!g_variant_is_of_type(
		igw_reading_get_value(reading),
		igw_field_type_to_variant_type(igw_field_get_value_type(field)))) {
		g_debug("thing %s: reading of %s has the wrong type, dropped",
			igw_thing_get_id(thing), igw_field_get_name(field));
		return;
	}
	/* out of the declared range: keep it, but flag it */
	if (!igw_field_check_value(field, igw_reading_get_value(reading), &error)) {
		g_debug("thing %s: %s", igw_thing_get_id(thing), error->message);
		igw_reading_set_flags(reading,
				      igw_reading_get_flags(reading) | IGW_READING_FLAG_WARNING);
	}
	igw_thing_set_latest(thing, reading);
	/* the core first (store, adoption), then the thing's own listeners */
	g_signal_emit(self, signals[SIGNAL_READING], 0, thing, reading);
	g_signal_emit_by_name(thing, "reading", reading);
}

void
igw_context_set_availability(IgwContext *self, const gchar *thing_id, IgwAvailability availability)
{
	IgwThing *thing;
	g_return_if_fail(IGW_IS_CONTEXT(self));
	thing = g_hash_table_lookup(self->things, thing_id);
	if (thing == NULL || igw_thing_get_availability(thing) == availability)
		return;
	igw_thing_set_availability(thing, availability);
	g_signal_emit(self, signals[SIGNAL_REACHABLE_CHANGED], 0, thing);
}

void
igw_context_set_reachable(IgwContext *self, const gchar *thing_id, gboolean reachable)
{
	igw_context_set_availability(
	    self, thing_id, reachable ? IGW_AVAILABILITY_AVAILABLE : IGW_AVAILABILITY_UNAVAILABLE);
}

/* a key: leave no copy in freed memory */
static void
igw_context_secret_free(gchar *value)
{
	if (value == NULL)
		return;
	memset(value, 0, strlen(value));
	g_free(value);
}

static gint
igw_context_compare_names(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

const gchar *
igw_context_get_thing_secret(IgwContext *self, const gchar *thing_id, const gchar *name)
{
	GHashTable *secrets;
	g_return_val_if_fail(IGW_IS_CONTEXT(self), NULL);
	g_return_val_if_fail(thing_id != NULL, NULL);
	g_return_val_if_fail(name != NULL, NULL);
	secrets = g_hash_table_lookup(self->secrets, thing_id);
	return secrets != NULL ? g_hash_table_lookup(secrets, name) : NULL;
}

gchar **
igw_context_get_thing_secret_names(IgwContext *self, const gchar *thing_id)
{
	GHashTable *secrets;
	g_autofree const gchar **names = NULL;
	g_return_val_if_fail(IGW_IS_CONTEXT(self), NULL);
	g_return_val_if_fail(thing_id != NULL, NULL);
	secrets = g_hash_table_lookup(self->secrets, thing_id);
	if (secrets == NULL)
		return g_new0(gchar *, 1);
	names = (const gchar **)g_hash_table_get_keys_as_array(secrets, NULL);
	qsort(names, g_hash_table_size(secrets), sizeof(gchar *), igw_context_compare_names);
	return g_strdupv((gchar **)names);
}

static gboolean
igw_context_store_secret(IgwContext *self, const gchar *thing_id, const gchar *name,
			 const gchar *value)
{
	GHashTable *secrets = g_hash_table_lookup(self->secrets, thing_id);
	if (value == NULL) {
		if (secrets == NULL || !g_hash_table_remove(secrets, name))
			return FALSE;
		if (g_hash_table_size(secrets) == 0)
			g_hash_table_remove(self->secrets, thing_id);
		return TRUE;
	}
	if (secrets == NULL) {
		secrets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						(GDestroyNotify)igw_context_secret_free);
		g_hash_table_insert(self->secrets, g_strdup(thing_id), secrets);
	}
	if (g_strcmp0(g_hash_table_lookup(secrets, name), value) == 0)
		return FALSE;
	g_hash_table_insert(secrets, g_strdup(name), g_strdup(value));
	return TRUE;
}

void
igw_context_set_thing_secret(IgwContext *self, const gchar *thing_id, const gchar *name,
			     const gchar *value)
{
	g_return_if_fail(IGW_IS_CONTEXT(self));
	g_return_if_fail(thing_id != NULL);
	g_return_if_fail(name != NULL);
	if (!igw_context_store_secret(self, thing_id, name, value))
		return;
	g_debug("thing %s: secret %s %s", thing_id, name, value != NULL ? "set" : "cleared");
	g_signal_emit(self, signals[SIGNAL_SECRET_CHANGED], 0, thing_id, name);
}

void
igw_context_emit_thing_changed(IgwContext *self, IgwThing *thing, const gchar *change)
{
	g_return_if_fail(IGW_IS_CONTEXT(self));
	g_return_if_fail(IGW_IS_THING(thing));
	g_signal_emit(self, signals[SIGNAL_THING_CHANGED], 0, thing, change);
}

void
igw_context_set_control_func(IgwContext *self, IgwContextControlFunc func, gpointer user_data)
{
	g_return_if_fail(IGW_IS_CONTEXT(self));
	self->control_func = func;
	self->control_data = user_data;
}

void
igw_context_control_async(IgwContext *self, const gchar *requester, const gchar *thing_id,
			  const gchar *field, const gchar *value, GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = NULL;
	g_return_if_fail(IGW_IS_CONTEXT(self));
	g_return_if_fail(thing_id != NULL && field != NULL && value != NULL);
	task = g_task_new(self, cancellable, callback, user_data);
	if (self->control_func == NULL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
					"no control service is running");
		return;
	}
	self->control_func(self, requester, thing_id, field, value, task, self->control_data);
}

GVariant *
igw_context_control_finish(IgwContext *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
