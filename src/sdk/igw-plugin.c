/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwPlugin"

#include "config.h"

#include <string.h>

#include "igw-plugin-private.h"

struct _IgwPlugin {
	GObject parent_instance;
	gchar *name;
	IgwPluginVfuncs vfuncs;
	IgwContext *context;
	GModule *module;
	IgwPluginState state;
	gchar *state_reason;
	gchar *status; /* what the running plugin says it is doing */
	guint timeout_ms;
	gpointer data;
	GDestroyNotify data_destroy;
};

G_DEFINE_TYPE(IgwPlugin, igw_plugin, G_TYPE_OBJECT)

static void
igw_plugin_finalize(GObject *object)
{
	IgwPlugin *self = IGW_PLUGIN(object);
	if (self->data_destroy != NULL)
		self->data_destroy(self->data);
	g_free(self->name);
	g_free(self->state_reason);
	g_free(self->status);
	g_clear_object(&self->context);
	/* modules stay resident: they may have registered types */
	G_OBJECT_CLASS(igw_plugin_parent_class)->finalize(object);
}

static void
igw_plugin_class_init(IgwPluginClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = igw_plugin_finalize;
}

static void
igw_plugin_init(IgwPlugin *self)
{
	self->timeout_ms = IGW_PLUGIN_DEFAULT_TIMEOUT_MS;
}

static IgwPlugin *
igw_plugin_new(const gchar *name, IgwPluginInitFunc init, IgwContext *context)
{
	IgwPlugin *self = g_object_new(IGW_TYPE_PLUGIN, NULL);
	self->name = g_strdup(name);
	self->context = g_object_ref(context);
	init(&self->vfuncs);
	return self;
}

IgwPlugin *
igw_plugin_new_builtin(const gchar *name, IgwPluginInitFunc init, IgwContext *context)
{
	g_return_val_if_fail(name != NULL, NULL);
	g_return_val_if_fail(init != NULL, NULL);
	g_return_val_if_fail(IGW_IS_CONTEXT(context), NULL);
	return igw_plugin_new(name, init, context);
}

/* "libigw_plugin_sim.so" -> "sim" */
gchar *
igw_plugin_name_from_filename(const gchar *filename)
{
	g_autofree gchar *basename = g_path_get_basename(filename);
	const gchar *prefix = "libigw_plugin_";
	gchar *dot;
	if (!g_str_has_prefix(basename, prefix))
		return NULL;
	dot = strchr(basename, '.');
	if (dot == NULL || dot == basename + strlen(prefix))
		return NULL;
	return g_strndup(basename + strlen(prefix), dot - basename - strlen(prefix));
}

static gboolean
igw_plugin_check_abi(GModule *module, GError **error)
{
	const guint *major = NULL;
	const guint *minor = NULL;
	if (!g_module_symbol(module, "igw_plugin_abi_major", (gpointer *)&major) ||
	    !g_module_symbol(module, "igw_plugin_abi_minor", (gpointer *)&minor)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
				    "no ABI version symbols: not an iotgw plugin");
		return FALSE;
	}
	if (*major != IGW_PLUGIN_ABI_MAJOR || *minor > IGW_PLUGIN_ABI_MINOR) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
			    "built for plugin ABI %u.%u, iotgwd offers %u.%u", *major, *minor,
			    (guint)IGW_PLUGIN_ABI_MAJOR, (guint)IGW_PLUGIN_ABI_MINOR);
		return FALSE;
	}
	return TRUE;
}

IgwPlugin *
igw_plugin_new_from_module(const gchar *path, IgwContext *context, GError **error)
{
	g_autofree gchar *name = igw_plugin_name_from_filename(path);
	IgwPluginInitFunc init = NULL;
	IgwPlugin *self;
	GModule *module;

	if (name == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
			    "%s: not named libigw_plugin_NAME.so", path);
		return NULL;
	}
	module = g_module_open(path, G_MODULE_BIND_LOCAL);
	if (module == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED, "%s", g_module_error());
		return NULL;
	}
	if (!igw_plugin_check_abi(module, error) ||
	    !g_module_symbol(module, "igw_plugin_init_vfuncs", (gpointer *)&init)) {
		if (error != NULL && *error == NULL)
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
					    "no igw_plugin_init_vfuncs symbol");
		g_prefix_error(error, "%s: ", path);
		g_module_close(module);
		return NULL;
	}
	g_module_make_resident(module);
	self = igw_plugin_new(name, init, context);
	self->module = module;
	return self;
}

const gchar *
igw_plugin_get_name(IgwPlugin *self)
{
	g_return_val_if_fail(IGW_IS_PLUGIN(self), NULL);
	return self->name;
}

IgwContext *
igw_plugin_get_context(IgwPlugin *self)
{
	g_return_val_if_fail(IGW_IS_PLUGIN(self), NULL);
	return self->context;
}

gpointer
igw_plugin_get_data(IgwPlugin *self)
{
	g_return_val_if_fail(IGW_IS_PLUGIN(self), NULL);
	return self->data;
}

void
igw_plugin_set_data(IgwPlugin *self, gpointer data, GDestroyNotify destroy)
{
	g_return_if_fail(IGW_IS_PLUGIN(self));
	if (self->data_destroy != NULL)
		self->data_destroy(self->data);
	self->data = data;
	self->data_destroy = destroy;
}

IgwPluginState
igw_plugin_get_state(IgwPlugin *self)
{
	g_return_val_if_fail(IGW_IS_PLUGIN(self), IGW_PLUGIN_STATE_DISABLED);
	return self->state;
}

const gchar *
igw_plugin_get_state_reason(IgwPlugin *self)
{
	g_return_val_if_fail(IGW_IS_PLUGIN(self), NULL);
	return self->state_reason;
}

void
igw_plugin_disable(IgwPlugin *self, const gchar *reason)
{
	g_return_if_fail(IGW_IS_PLUGIN(self));
	self->state = IGW_PLUGIN_STATE_DISABLED;
	g_free(self->state_reason);
	self->state_reason = g_strdup(reason);
	g_warning("plugin %s: disabled: %s", self->name, reason);
}

void
igw_plugin_set_timeout(IgwPlugin *self, guint timeout_ms)
{
	g_return_if_fail(IGW_IS_PLUGIN(self));
	self->timeout_ms = timeout_ms;
}

/* a vfunc that fails must say why; one that does not is a plugin bug */
static gboolean
igw_plugin_runner_result(IgwPlugin *self, const gchar *what, gboolean ok, GError **error)
{
	if (ok)
		return TRUE;
	if (error != NULL && *error == NULL) {
		g_critical("plugin %s: %s failed without an error", self->name, what);
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INTERNAL,
				    "failed without an error");
	}
	g_prefix_error(error, "plugin %s: %s: ", self->name, what);
	return FALSE;
}

gboolean
igw_plugin_runner_check_config(IgwPlugin *self, GKeyFile *config, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	gboolean ok;
	g_return_val_if_fail(IGW_IS_PLUGIN(self), FALSE);
	if (self->vfuncs.check_config == NULL)
		return TRUE;
	ok = self->vfuncs.check_config(self, config, &local_error);
	if (!igw_plugin_runner_result(self, "config", ok, &local_error)) {
		g_propagate_error(error, g_steal_pointer(&local_error));
		return FALSE;
	}
	return TRUE;
}

gboolean
igw_plugin_runner_startup(IgwPlugin *self, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	g_autoptr(GTimer) timer = g_timer_new();
	gboolean ok = TRUE;
	g_return_val_if_fail(IGW_IS_PLUGIN(self), FALSE);
	if (self->state == IGW_PLUGIN_STATE_DISABLED)
		return TRUE;
	g_debug("startup(%s)", self->name);
	if (self->vfuncs.startup != NULL)
		ok = self->vfuncs.startup(self, &local_error);
	if (!igw_plugin_runner_result(self, "startup", ok, &local_error)) {
		/* the reason alone: the log line names the plugin already */
		const gchar *reason = local_error->message;
		g_autofree gchar *prefix = g_strdup_printf("plugin %s: ", self->name);
		if (g_str_has_prefix(reason, prefix))
			reason += strlen(prefix);
		igw_plugin_disable(self, reason);
		g_propagate_error(error, g_steal_pointer(&local_error));
		return FALSE;
	}
	self->state = IGW_PLUGIN_STATE_RUNNING;
	g_info("plugin %s: started in %.1f ms", self->name, g_timer_elapsed(timer, NULL) * 1000);
	return TRUE;
}

gboolean
igw_plugin_runner_reload(IgwPlugin *self, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	gboolean ok;
	g_return_val_if_fail(IGW_IS_PLUGIN(self), FALSE);
	if (self->state != IGW_PLUGIN_STATE_RUNNING || self->vfuncs.reload == NULL)
		return TRUE;
	ok = self->vfuncs.reload(self, &local_error);
	if (!igw_plugin_runner_result(self, "reload", ok, &local_error)) {
		g_propagate_error(error, g_steal_pointer(&local_error));
		return FALSE;
	}
	return TRUE;
}

void
igw_plugin_runner_shutdown(IgwPlugin *self)
{
	g_return_if_fail(IGW_IS_PLUGIN(self));
	if (self->state != IGW_PLUGIN_STATE_RUNNING)
		return;
	g_debug("shutdown(%s)", self->name);
	if (self->vfuncs.shutdown != NULL)
		self->vfuncs.shutdown(self);
	self->state = IGW_PLUGIN_STATE_STOPPED;
}

/* plugins that cannot look for devices are simply skipped */
gboolean
igw_plugin_runner_set_discovery(IgwPlugin *self, gboolean enabled, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	gboolean ok;
	g_return_val_if_fail(IGW_IS_PLUGIN(self), FALSE);
	if (self->state != IGW_PLUGIN_STATE_RUNNING || self->vfuncs.set_discovery == NULL)
		return TRUE;
	g_debug("set_discovery(%s, %s)", self->name, enabled ? "on" : "off");
	ok = self->vfuncs.set_discovery(self, enabled, &local_error);
	if (!igw_plugin_runner_result(self, "discovery", ok, &local_error)) {
		g_propagate_error(error, g_steal_pointer(&local_error));
		return FALSE;
	}
	return TRUE;
}

/* also for plugins that are not running: a key may be set before its device is seen */
gboolean
igw_plugin_runner_check_secret(IgwPlugin *self, const gchar *thing_id, const gchar *name,
			       const gchar *value, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	gboolean ok;
	g_return_val_if_fail(IGW_IS_PLUGIN(self), FALSE);
	g_return_val_if_fail(thing_id != NULL && name != NULL && value != NULL, FALSE);
	if (self->vfuncs.check_secret == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED, "plugin %s keeps no secrets",
			    self->name);
		return FALSE;
	}
	/* never the value */
	g_debug("check_secret(%s) %s %s", self->name, thing_id, name);
	ok = self->vfuncs.check_secret(self, thing_id, name, value, &local_error);
	if (!igw_plugin_runner_result(self, "secret", ok, &local_error)) {
		g_propagate_error(error, g_steal_pointer(&local_error));
		return FALSE;
	}
	return TRUE;
}

/* one control or readout request: completes once, with the plugin's answer or a timeout */
typedef struct {
	GCancellable *cancellable; /* the plugin's: cancelled on timeout or by the caller */
	GCancellable *caller_cancellable;
	gulong caller_handler;
	guint timeout_id;
	gchar *thing_id;
	gchar *field_name;
} IgwPluginControlHelper;

static void
igw_plugin_control_helper_free(IgwPluginControlHelper *helper)
{
	g_clear_handle_id(&helper->timeout_id, g_source_remove);
	if (helper->caller_cancellable != NULL) {
		g_cancellable_disconnect(helper->caller_cancellable, helper->caller_handler);
		g_object_unref(helper->caller_cancellable);
	}
	g_object_unref(helper->cancellable);
	g_free(helper->thing_id);
	g_free(helper->field_name);
	g_free(helper);
}

static void
igw_plugin_control_cancelled_cb(GCancellable *caller_cancellable, GCancellable *plugin_cancellable)
{
	g_cancellable_cancel(plugin_cancellable);
}

static gboolean
igw_plugin_control_timeout_cb(gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	IgwPluginControlHelper *helper = g_task_get_task_data(task);
	IgwPlugin *self = g_task_get_source_object(task);
	helper->timeout_id = 0;
	g_cancellable_cancel(helper->cancellable);
	g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_TIMED_OUT,
				"plugin %s: no answer from %s within %u ms", self->name,
				helper->thing_id, self->timeout_ms);
	return G_SOURCE_REMOVE;
}

/* the task's data: the plugin's cancellable follows the caller's, the timeout runs */
static IgwPluginControlHelper *
igw_plugin_control_helper_new(IgwPlugin *self, GTask *task, IgwThing *thing,
			      const gchar *field_name, GCancellable *cancellable)
{
	IgwPluginControlHelper *helper = g_new0(IgwPluginControlHelper, 1);
	helper->cancellable = g_cancellable_new();
	if (cancellable != NULL) {
		helper->caller_cancellable = g_object_ref(cancellable);
		helper->caller_handler =
		    g_cancellable_connect(cancellable, G_CALLBACK(igw_plugin_control_cancelled_cb),
					  helper->cancellable, NULL);
	}
	helper->thing_id = g_strdup(igw_thing_get_id(thing));
	helper->field_name = g_strdup(field_name);
	helper->timeout_id = g_timeout_add(self->timeout_ms, igw_plugin_control_timeout_cb, task);
	g_task_set_task_data(task, helper, (GDestroyNotify)igw_plugin_control_helper_free);
	return helper;
}

static void
igw_plugin_control_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	IgwPlugin *self = IGW_PLUGIN(source);
	IgwPluginControlHelper *helper = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) confirmed = self->vfuncs.control_finish(self, result, &error);
	GVariant *owned;

	if (g_task_get_completed(task) || helper->timeout_id == 0)
		return;
	g_clear_handle_id(&helper->timeout_id, g_source_remove);
	if (confirmed == NULL) {
		igw_plugin_runner_result(self, "control", FALSE, &error);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	/* _finish() hands over a reference; only a floating one still needs taking */
	/* the control service publishes it; see igw-control.c */
	owned = g_variant_take_ref(g_steal_pointer(&confirmed));
	g_task_return_pointer(task, owned, (GDestroyNotify)g_variant_unref);
}

static gboolean
igw_plugin_control_check(IgwPlugin *self, IgwField *field, const gchar *field_name, GVariant *value,
			 GError **error)
{
	if (self->state != IGW_PLUGIN_STATE_RUNNING) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_CONNECTED, "plugin %s is not running",
			    self->name);
		return FALSE;
	}
	if (field == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no field %s", field_name);
		return FALSE;
	}
	if (!igw_field_get_writable(field) || self->vfuncs.control_async == NULL ||
	    self->vfuncs.control_finish == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED, "%s is read-only",
			    field_name);
		return FALSE;
	}
	return igw_field_check_value(field, value, error);
}

void
igw_plugin_runner_control_async(IgwPlugin *self, IgwThing *thing, const gchar *field_name,
				GVariant *value, GCancellable *cancellable,
				GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) value_ref = g_variant_ref_sink(value);
	IgwField *field = igw_thing_get_field(thing, field_name);
	IgwPluginControlHelper *helper;

	if (!igw_plugin_control_check(self, field, field_name, value_ref, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	helper = igw_plugin_control_helper_new(self, task, thing, field_name, cancellable);
	g_debug("control(%s) %s.%s", self->name, helper->thing_id, field_name);
	self->vfuncs.control_async(self, thing, field, value_ref, helper->cancellable,
				   igw_plugin_control_cb, g_object_ref(task));
}

GVariant *
igw_plugin_runner_control_finish(IgwPlugin *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

gboolean
igw_plugin_can_readout(IgwPlugin *self, IgwThing *thing)
{
	g_return_val_if_fail(IGW_IS_PLUGIN(self), FALSE);
	return self->state == IGW_PLUGIN_STATE_RUNNING && self->vfuncs.readout_async != NULL &&
	       self->vfuncs.readout_finish != NULL && igw_thing_get_readout_on_demand(thing);
}

static void
igw_plugin_readout_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	IgwPlugin *self = IGW_PLUGIN(source);
	IgwPluginControlHelper *helper = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	gboolean ok = self->vfuncs.readout_finish(self, result, &error);

	if (g_task_get_completed(task) || helper->timeout_id == 0)
		return;
	g_clear_handle_id(&helper->timeout_id, g_source_remove);
	if (!igw_plugin_runner_result(self, "readout", ok, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_boolean(task, TRUE);
}

/* the plugin reports the fresh readings through the context before it completes */
void
igw_plugin_runner_readout_async(IgwPlugin *self, IgwThing *thing, GCancellable *cancellable,
				GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	IgwPluginControlHelper *helper;

	if (!igw_plugin_can_readout(self, thing)) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
					"plugin %s: readout: not supported for %s", self->name,
					igw_thing_get_id(thing));
		return;
	}
	helper = igw_plugin_control_helper_new(self, task, thing, NULL, cancellable);
	g_debug("readout(%s) %s", self->name, helper->thing_id);
	self->vfuncs.readout_async(self, thing, helper->cancellable, igw_plugin_readout_cb,
				   g_object_ref(task));
}

gboolean
igw_plugin_runner_readout_finish(IgwPlugin *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

void
igw_plugin_set_status(IgwPlugin *self, const gchar *status)
{
	g_return_if_fail(IGW_IS_PLUGIN(self));
	if (g_strcmp0(self->status, status) == 0)
		return;
	g_free(self->status);
	self->status = g_strdup(status);
	g_info("plugin %s: %s", self->name, status);
}

const gchar *
igw_plugin_get_status(IgwPlugin *self)
{
	g_return_val_if_fail(IGW_IS_PLUGIN(self), NULL);
	return self->status;
}
