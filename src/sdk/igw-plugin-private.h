/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* the core's; a plugin includes iotgw-plugin.h and nothing else of src/ */
#ifdef IGW_PLUGIN_COMPILATION
#error "a core-only header: plugins include iotgw-plugin.h only"
#endif

#include "iotgw-plugin.h"

G_BEGIN_DECLS

typedef enum {
	IGW_PLUGIN_STATE_LOADED,
	IGW_PLUGIN_STATE_RUNNING,
	IGW_PLUGIN_STATE_DISABLED,
	IGW_PLUGIN_STATE_STOPPED,
} IgwPluginState;

IgwPlugin *
igw_plugin_new_builtin(const gchar *name, IgwPluginInitFunc init, IgwContext *context);
IgwPlugin *
igw_plugin_new_from_module(const gchar *path, IgwContext *context, GError **error);
gchar *
igw_plugin_name_from_filename(const gchar *filename);

IgwPluginState
igw_plugin_get_state(IgwPlugin *self);
const gchar *
igw_plugin_get_state_reason(IgwPlugin *self);
const gchar *
igw_plugin_get_status(IgwPlugin *self);
void
igw_plugin_disable(IgwPlugin *self, const gchar *reason);
void
igw_plugin_set_timeout(IgwPlugin *self, guint timeout_ms);

gboolean
igw_plugin_runner_check_config(IgwPlugin *self, GKeyFile *config, GError **error);
gboolean
igw_plugin_runner_startup(IgwPlugin *self, GError **error);
gboolean
igw_plugin_runner_reload(IgwPlugin *self, GError **error);
void
igw_plugin_runner_shutdown(IgwPlugin *self);
gboolean
igw_plugin_runner_set_discovery(IgwPlugin *self, gboolean enabled, GError **error);
/* NOT_SUPPORTED when the plugin keeps no secrets (has no check_secret) */
gboolean
igw_plugin_runner_check_secret(IgwPlugin *self, const gchar *thing_id, const gchar *name,
			       const gchar *value, GError **error);
void
igw_plugin_runner_control_async(IgwPlugin *self, IgwThing *thing, const gchar *field_name,
				GVariant *value, GCancellable *cancellable,
				GAsyncReadyCallback callback, gpointer user_data);
GVariant *
igw_plugin_runner_control_finish(IgwPlugin *self, GAsyncResult *result, GError **error);
/* running, with readout_async, and the thing is marked readout-on-demand */
gboolean
igw_plugin_can_readout(IgwPlugin *self, IgwThing *thing);
void
igw_plugin_runner_readout_async(IgwPlugin *self, IgwThing *thing, GCancellable *cancellable,
				GAsyncReadyCallback callback, gpointer user_data);
gboolean
igw_plugin_runner_readout_finish(IgwPlugin *self, GAsyncResult *result, GError **error);

G_END_DECLS
