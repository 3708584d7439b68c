/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwControl"

#include "config.h"

#include <string.h>

#include "igw-context-private.h"
#include "igw-control.h"
#include "igw-error.h"

struct _IgwControl {
	GObject parent_instance;
	IgwContext *context; /* the one thing list */
	GPtrArray *plugins;
	IgwControlOwnersFunc owners_func;
	gpointer owners_data;
};

G_DEFINE_TYPE(IgwControl, igw_control, G_TYPE_OBJECT)

static void
igw_control_finalize(GObject *object)
{
	IgwControl *self = IGW_CONTROL(object);
	igw_context_set_control_func(self->context, NULL, NULL);
	g_object_unref(self->context);
	g_ptr_array_unref(self->plugins);
	G_OBJECT_CLASS(igw_control_parent_class)->finalize(object);
}

static void
igw_control_class_init(IgwControlClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = igw_control_finalize;
}

static void
igw_control_init(IgwControl *self)
{
}

static void
igw_control_context_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	GError *error = NULL;
	GVariant *confirmed = igw_control_set_finish(IGW_CONTROL(source), result, &error);
	if (confirmed == NULL) {
		g_task_return_error(task, error);
		return;
	}
	g_task_return_pointer(task, confirmed, (GDestroyNotify)g_variant_unref);
}

/* a bridge plugin's request (igw_context_control_async): an owner's, never the administrator's */
static void
igw_control_context_cb(IgwContext *context, const gchar *requester, const gchar *thing_id,
		       const gchar *field, const gchar *value, GTask *task, gpointer user_data)
{
	igw_control_set_async(IGW_CONTROL(user_data), requester, IGW_CONTROL_FLAG_NONE, thing_id,
			      field, value, g_task_get_cancellable(task),
			      igw_control_context_done_cb, g_object_ref(task));
}

/* the context's igw_context_control_async() comes here too */
IgwControl *
igw_control_new(IgwContext *context, GPtrArray *plugins)
{
	IgwControl *self = g_object_new(IGW_TYPE_CONTROL, NULL);
	g_return_val_if_fail(IGW_IS_CONTEXT(context), NULL);
	self->context = g_object_ref(context);
	self->plugins = g_ptr_array_ref(plugins);
	igw_context_set_control_func(context, igw_control_context_cb, self);
	return self;
}

void
igw_control_set_owners_func(IgwControl *self, IgwControlOwnersFunc func, gpointer user_data)
{
	g_return_if_fail(IGW_IS_CONTROL(self));
	self->owners_func = func;
	self->owners_data = user_data;
}

/* a full JID's bare part, lower case: owners are compared so */
static gchar *
igw_control_bare(const gchar *jid)
{
	return g_utf8_strdown(jid, strcspn(jid, "/"));
}

gboolean
igw_control_is_owner(IgwControl *self, const gchar *thing_id, const gchar *requester)
{
	g_auto(GStrv) owners = NULL;
	g_autofree gchar *bare = NULL;
	g_return_val_if_fail(IGW_IS_CONTROL(self), FALSE);
	if (requester == NULL || self->owners_func == NULL || !g_utf8_validate(requester, -1, NULL))
		return FALSE;
	bare = igw_control_bare(requester);
	owners = self->owners_func(thing_id, self->owners_data);
	for (guint i = 0; owners != NULL && owners[i] != NULL; i++) {
		g_autofree gchar *owner = g_utf8_strdown(owners[i], -1);
		if (g_strcmp0(owner, bare) == 0)
			return TRUE;
	}
	return FALSE;
}

/*
 * the thing and its writable field; owners reach only adopted things (the others
 * are no XMPP entities), the administrator may also switch a found one, as before
 */
static IgwField *
igw_control_find_field(IgwControl *self, IgwControlFlags flags, const gchar *thing_id,
		       const gchar *name, GError **error)
{
	IgwThing *thing = igw_context_lookup_thing(self->context, thing_id);
	IgwField *field;
	if (thing == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no thing '%s'", thing_id);
		return NULL;
	}
	if (!igw_thing_get_adopted(thing) && (flags & IGW_CONTROL_FLAG_ADMINISTRATOR) == 0) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED, "%s is not adopted",
			    thing_id);
		return NULL;
	}
	field = igw_thing_get_field(thing, name);
	if (field == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "%s has no field '%s'", thing_id,
			    name);
		return NULL;
	}
	if (!igw_field_get_writable(field)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED, "%s is read-only", name);
		return NULL;
	}
	return field;
}

static gboolean
igw_control_authorise(IgwControl *self, const gchar *requester, IgwControlFlags flags,
		      const gchar *thing_id, GError **error)
{
	if ((flags & IGW_CONTROL_FLAG_ADMINISTRATOR) != 0 ||
	    igw_control_is_owner(self, thing_id, requester))
		return TRUE;
	g_set_error(error, IGW_ERROR, IGW_ERROR_PERMISSION_DENIED,
		    "only the owners of %s may control it", thing_id);
	return FALSE;
}

/* @text or @value, whichever is not NULL */
static GVariant *
igw_control_validate(IgwControl *self, const gchar *requester, IgwControlFlags flags,
		     const gchar *thing_id, const gchar *name, const gchar *text, GVariant *value,
		     GError **error)
{
	g_autoptr(GVariant) parsed = NULL;
	IgwField *field;
	g_return_val_if_fail(IGW_IS_CONTROL(self), NULL);
	g_return_val_if_fail(thing_id != NULL && name != NULL, NULL);
	field = igw_control_find_field(self, flags, thing_id, name, error);
	if (field == NULL)
		return NULL;
	if (text != NULL)
		parsed = igw_field_parse_value(field, text, error);
	else if (igw_field_check_value(field, value, error))
		parsed = g_variant_ref_sink(value);
	if (parsed == NULL || !igw_control_authorise(self, requester, flags, thing_id, error))
		return NULL;
	return g_steal_pointer(&parsed);
}

GVariant *
igw_control_check(IgwControl *self, const gchar *requester, IgwControlFlags flags,
		  const gchar *thing_id, const gchar *field, const gchar *text, GError **error)
{
	g_return_val_if_fail(text != NULL, NULL);
	return igw_control_validate(self, requester, flags, thing_id, field, text, NULL, error);
}

GVariant *
igw_control_check_value(IgwControl *self, const gchar *requester, IgwControlFlags flags,
			const gchar *thing_id, const gchar *field, GVariant *value, GError **error)
{
	g_autoptr(GVariant) sunk = value != NULL ? g_variant_ref_sink(value) : NULL;
	return igw_control_validate(self, requester, flags, thing_id, field, NULL, sunk, error);
}

static IgwPlugin *
igw_control_find_plugin(IgwControl *self, IgwThing *thing, GError **error)
{
	const gchar *name = igw_thing_get_plugin_name(thing);
	for (guint i = 0; i < self->plugins->len; i++) {
		IgwPlugin *plugin = g_ptr_array_index(self->plugins, i);
		if (g_strcmp0(igw_plugin_get_name(plugin), name) == 0)
			return plugin;
	}
	g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_CONNECTED, "plugin %s is not running", name);
	return NULL;
}

typedef struct {
	gchar *thing_id;
	gchar *field;
} IgwControlRequest;

static void
igw_control_request_free(IgwControlRequest *request)
{
	g_free(request->thing_id);
	g_free(request->field);
	g_free(request);
}

/* the confirmed value is a reading like any other: stored, shown, published */
static void
igw_control_publish(IgwControl *self, IgwControlRequest *request, GVariant *confirmed)
{
	g_autoptr(IgwReading) reading =
	    igw_reading_new(request->thing_id, request->field, confirmed, 0);
	igw_context_report_reading(self->context, reading);
}

static void
igw_control_applied_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	IgwControl *self = g_task_get_source_object(task);
	IgwControlRequest *request = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) confirmed =
	    igw_plugin_runner_control_finish(IGW_PLUGIN(source), result, &error);
	if (confirmed == NULL) {
		g_info("thing %s: set %s failed: %s", request->thing_id, request->field,
		       error->message);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	igw_control_publish(self, request, confirmed);
	g_task_return_pointer(task, g_steal_pointer(&confirmed), (GDestroyNotify)g_variant_unref);
}

static void
igw_control_apply(IgwControl *self, const gchar *requester, IgwControlFlags flags,
		  const gchar *thing_id, const gchar *field, const gchar *text, GVariant *value,
		  GTask *task)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) checked =
	    igw_control_validate(self, requester, flags, thing_id, field, text, value, &error);
	IgwControlRequest *request;
	IgwThing *thing = igw_context_lookup_thing(self->context, thing_id);
	IgwPlugin *plugin = checked != NULL ? igw_control_find_plugin(self, thing, &error) : NULL;
	if (plugin == NULL) {
		/* refused owners are worth the service log, like refused chat */
		if (g_error_matches(error, IGW_ERROR, IGW_ERROR_PERMISSION_DENIED))
			g_message("thing %s: set %s refused to %s: not an owner", thing_id, field,
				  requester != NULL ? requester : "nobody");
		else
			g_info("thing %s: set %s refused: %s", thing_id, field, error->message);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	request = g_new0(IgwControlRequest, 1);
	request->thing_id = g_strdup(thing_id);
	request->field = g_strdup(field);
	g_task_set_task_data(task, request, (GDestroyNotify)igw_control_request_free);
	g_info("thing %s: set %s requested by %s", thing_id, field,
	       requester != NULL ? requester : "the administrator");
	igw_plugin_runner_control_async(plugin, thing, field, g_steal_pointer(&checked),
					g_task_get_cancellable(task), igw_control_applied_cb,
					g_object_ref(task));
}

void
igw_control_set_async(IgwControl *self, const gchar *requester, IgwControlFlags flags,
		      const gchar *thing_id, const gchar *field, const gchar *text,
		      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	g_return_if_fail(text != NULL);
	igw_control_apply(self, requester, flags, thing_id, field, text, NULL, task);
}

void
igw_control_set_value_async(IgwControl *self, const gchar *requester, IgwControlFlags flags,
			    const gchar *thing_id, const gchar *field, GVariant *value,
			    GCancellable *cancellable, GAsyncReadyCallback callback,
			    gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	g_autoptr(GVariant) sunk = value != NULL ? g_variant_ref_sink(value) : NULL;
	igw_control_apply(self, requester, flags, thing_id, field, NULL, sunk, task);
}

GVariant *
igw_control_set_finish(IgwControl *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
