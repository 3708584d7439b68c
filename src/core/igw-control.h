/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "igw-context.h"
#include "igw-plugin-private.h"

G_BEGIN_DECLS

/*
 * The one way a value reaches a thing, whatever the door (D-Bus SetValue,
 * XEP-0325, chat "set", MUC "NICK: set", a publish to an actuator item):
 * validate, authorise, apply through the plugin, confirm, publish the
 * confirmed value. Doors only map the GError to their protocol, so the same
 * bad value gets the same reason everywhere.
 */
#define IGW_TYPE_CONTROL (igw_control_get_type())
G_DECLARE_FINAL_TYPE(IgwControl, igw_control, IGW, CONTROL, GObject)

/* everyone who may control @thing_id: config and run-time owners; the engine supplies it */
typedef GStrv (*IgwControlOwnersFunc)(const gchar *thing_id, gpointer user_data);

typedef enum {
	IGW_CONTROL_FLAG_NONE = 0,
	/* the local administrator (D-Bus): polkit and the bus policy said yes already */
	IGW_CONTROL_FLAG_ADMINISTRATOR = 1 << 0,
} IgwControlFlags;

/* @plugins: the engine's plugin list, watched as it grows */
IgwControl *
igw_control_new(IgwContext *context, GPtrArray *plugins);
void
igw_control_set_owners_func(IgwControl *self, IgwControlOwnersFunc func, gpointer user_data);
gboolean
igw_control_is_owner(IgwControl *self, const gchar *thing_id, const gchar *requester);

/*
 * validate and authorise only: the value the field would be given, or NULL
 * with the reason. @text is parsed by the field's type (igw_field_parse_value);
 * the _value variant takes a typed value instead.
 */
GVariant *
igw_control_check(IgwControl *self, const gchar *requester, IgwControlFlags flags,
		  const gchar *thing_id, const gchar *field, const gchar *text,
		  GError **error) G_GNUC_WARN_UNUSED_RESULT;
GVariant *
igw_control_check_value(IgwControl *self, const gchar *requester, IgwControlFlags flags,
			const gchar *thing_id, const gchar *field, GVariant *value,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* the whole way; _finish returns the value the device confirmed */
void
igw_control_set_async(IgwControl *self, const gchar *requester, IgwControlFlags flags,
		      const gchar *thing_id, const gchar *field, const gchar *text,
		      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
void
igw_control_set_value_async(IgwControl *self, const gchar *requester, IgwControlFlags flags,
			    const gchar *thing_id, const gchar *field, GVariant *value,
			    GCancellable *cancellable, GAsyncReadyCallback callback,
			    gpointer user_data);
GVariant *
igw_control_set_finish(IgwControl *self, GAsyncResult *result,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
