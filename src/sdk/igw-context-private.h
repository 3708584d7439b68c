/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* the core's; a plugin includes iotgw-plugin.h and nothing else of src/ */
#ifdef IGW_PLUGIN_COMPILATION
#error "a core-only header: plugins include iotgw-plugin.h only"
#endif

/* the core's side of IgwContext; not installed, plugins never see it */

#include "igw-context.h"

G_BEGIN_DECLS

IgwContext *
igw_context_new(GKeyFile *config);
void
igw_context_set_config(IgwContext *self, GKeyFile *config);
gboolean
igw_context_thing_is_offered(IgwContext *self, const gchar *thing_id);

/* the names of a thing's secrets, sorted, never NULL */
gchar **
igw_context_get_thing_secret_names(IgwContext *self, const gchar *thing_id);
/* @value NULL clears; emits "secret-changed" (thing_id, name) when the value changed */
void
igw_context_set_thing_secret(IgwContext *self, const gchar *thing_id, const gchar *name,
			     const gchar *value);

/*
 * what igw_context_control_async() calls: the core's control service, which
 * completes @task with the confirmed value (a GVariant reference) or an error
 */
typedef void (*IgwContextControlFunc)(IgwContext *context, const gchar *requester,
				      const gchar *thing_id, const gchar *field, const gchar *value,
				      GTask *task, gpointer user_data);
void
igw_context_set_control_func(IgwContext *self, IgwContextControlFunc func, gpointer user_data);
/* emits "thing-changed" (thing, change) for the plugins' view of things */
void
igw_context_emit_thing_changed(IgwContext *self, IgwThing *thing, const gchar *change);

G_END_DECLS
