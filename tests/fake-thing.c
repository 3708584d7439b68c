/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFakeThing"

#include "config.h"

#include "fake-thing.h"

static IgwFakeThing *
igw_fake_thing_of(IgwPlugin *plugin)
{
	return igw_plugin_get_data(plugin);
}

static gboolean
igw_fake_thing_answer_cb(gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	IgwPlugin *plugin = IGW_PLUGIN(g_task_get_source_object(task));
	IgwFakeThing *self = igw_fake_thing_of(plugin);
	GVariant *value = g_task_get_task_data(task);
	if (self->control_fails) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_BUSY, "device busy");
		return G_SOURCE_REMOVE;
	}
	g_task_return_pointer(task, g_variant_ref(value), (GDestroyNotify)g_variant_unref);
	return G_SOURCE_REMOVE;
}

static void
igw_fake_thing_control_async(IgwPlugin *plugin, IgwThing *thing, IgwField *field, GVariant *value,
			     GCancellable *cancellable, GAsyncReadyCallback callback,
			     gpointer user_data)
{
	GTask *task = g_task_new(plugin, cancellable, callback, user_data);
	igw_fake_thing_of(plugin)->control_calls++;
	g_task_set_task_data(task, g_variant_ref_sink(value), (GDestroyNotify)g_variant_unref);
	g_idle_add(igw_fake_thing_answer_cb, task);
}

static GVariant *
igw_fake_thing_control_finish(IgwPlugin *plugin, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
igw_fake_thing_init_vfuncs(IgwPluginVfuncs *vfuncs)
{
	vfuncs->control_async = igw_fake_thing_control_async;
	vfuncs->control_finish = igw_fake_thing_control_finish;
}

static IgwThing *
igw_fake_thing_new_kitchen(void)
{
	IgwThing *thing = igw_thing_new("fake:kitchen", "fake");
	g_autoptr(IgwField) temperature = igw_field_new("temperature", IGW_FIELD_TYPE_NUMERIC);
	g_autoptr(IgwField) humidity = igw_field_new("humidity", IGW_FIELD_TYPE_INTEGER);
	g_autoptr(IgwField) on = igw_field_new("on", IGW_FIELD_TYPE_BOOLEAN);
	igw_thing_set_name(thing, "Kitchen");
	igw_field_set_unit(temperature, "°C");
	igw_field_set_decimals(temperature, 1);
	igw_field_set_unit(humidity, "%");
	igw_field_set_range(humidity, 0, 100);
	igw_field_set_writable(on, TRUE);
	igw_thing_add_field(thing, temperature);
	igw_thing_add_field(thing, humidity);
	igw_thing_add_field(thing, on);
	return thing;
}

static GStrv
igw_fake_thing_owners_cb(const gchar *thing_id, gpointer user_data)
{
	const gchar *owners[] = {"alice@localhost", NULL};
	return g_strdupv((gchar **)owners);
}

IgwFakeThing *
igw_fake_thing_new(void)
{
	IgwFakeThing *self = g_new0(IgwFakeThing, 1);
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(GError) error = NULL;
	gboolean ok;
	self->context = igw_context_new(keyfile);
	self->plugin = igw_plugin_new_builtin("fake", igw_fake_thing_init_vfuncs, self->context);
	igw_plugin_set_data(self->plugin, self, NULL);
	ok = igw_plugin_runner_startup(self->plugin, &error);
	g_assert_no_error(error);
	g_assert_true(ok);
	self->thing = igw_fake_thing_new_kitchen();
	ok = igw_context_add_thing(self->context, self->thing, &error);
	g_assert_no_error(error);
	g_assert_true(ok);
	igw_context_set_reachable(self->context, igw_thing_get_id(self->thing), TRUE);
	igw_thing_set_adopted(self->thing, TRUE);
	self->plugins = g_ptr_array_new_with_free_func(g_object_unref);
	g_ptr_array_add(self->plugins, g_object_ref(self->plugin));
	self->control = igw_control_new(self->context, self->plugins);
	igw_control_set_owners_func(self->control, igw_fake_thing_owners_cb, self);
	return self;
}

void
igw_fake_thing_free(IgwFakeThing *self)
{
	if (self == NULL)
		return;
	g_object_unref(self->control);
	g_ptr_array_unref(self->plugins);
	g_object_unref(self->thing);
	g_object_unref(self->plugin);
	g_object_unref(self->context);
	g_free(self);
}

void
igw_fake_thing_report(IgwFakeThing *self, const gchar *field, GVariant *value)
{
	g_autoptr(IgwReading) reading =
	    igw_reading_new(igw_thing_get_id(self->thing), field, value, g_get_real_time());
	igw_context_report_reading(self->context, reading);
}

static gboolean
igw_fake_thing_timeout_cb(gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

void
igw_fake_thing_wait(gboolean *done, guint timeout_ms)
{
	gboolean expired = FALSE;
	guint id = g_timeout_add(timeout_ms, igw_fake_thing_timeout_cb, &expired);
	while (!*done && !expired)
		g_main_context_iteration(NULL, TRUE);
	if (!expired)
		g_source_remove(id);
}

void
igw_fake_thing_spin(guint ms)
{
	gboolean done = FALSE;
	igw_fake_thing_wait(&done, ms);
}
