/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The contract between iotgwd and its bridge plugins.
 *
 * A plugin turns a radio's bytes into things, fields and readings, and turns
 * control requests into device writes. It never touches XMPP or SQLite: the
 * core renders stanzas and rows from the model.
 *
 * A loadable plugin is libigw_plugin_<name>.so in the plugin directory and
 * exports exactly igw_plugin_abi_major, igw_plugin_abi_minor and
 * igw_plugin_init_vfuncs (use IGW_PLUGIN_DEFINE). The loader refuses a module
 * whose major differs from IGW_PLUGIN_ABI_MAJOR or whose minor is newer than
 * IGW_PLUGIN_ABI_MINOR. Minor versions only append to IgwPluginVfuncs and
 * add functions.
 *
 * 1.1: availability (igw_context_set_availability, IgwLiveness), supported
 *   flag of offered things, per-thing secrets (igw_context_get_thing_secret),
 *   IgwBackoff for plugins.
 * 1.2: for bridges that export things: the context's "thing-changed" and
 *   "reading" signals and each IgwThing's own "reading" signal (a read-only
 *   view of all things), and igw_context_control_async()/_finish() to submit
 *   a control request to the core's control service as an owner.
 */

#include <gio/gio.h>
#include <gmodule.h>

#include "igw-backoff.h"
#include "igw-context.h"
#include "igw-error.h"
#include "igw-field.h"
#include "igw-liveness.h"
#include "igw-reading.h"
#include "igw-thing.h"

G_BEGIN_DECLS

#define IGW_PLUGIN_ABI_MAJOR 1
#define IGW_PLUGIN_ABI_MINOR 2

/* how long the core waits for a control or readout before it gives up */
#define IGW_PLUGIN_DEFAULT_TIMEOUT_MS 10000

#define IGW_TYPE_PLUGIN (igw_plugin_get_type())
G_DECLARE_FINAL_TYPE(IgwPlugin, igw_plugin, IGW, PLUGIN, GObject)

/**
 * IgwPluginVfuncs:
 * @check_config: validate the plugin's config groups; an error makes iotgwd
 *   refuse the config (exit 78 at start, old config kept on reload). Since: 1.0
 * @startup: start talking to the radio and add the things found or
 *   configured. An error disables this plugin alone. Since: 1.0
 * @reload: the config was re-read (SIGHUP): add and remove things. Since: 1.0
 * @shutdown: stop; things are removed by the core afterwards. Since: 1.0
 * @control_async: write @value to the writable @field of @thing. Complete
 *   with the value the device confirmed. Since: 1.0
 * @control_finish: returns the confirmed value, or NULL with @error set. Since: 1.0
 * @readout_async: fetch fresh readings (e.g. a GATT read) and report them
 *   through the context before completing. Called for momentary XEP-0323
 *   readouts of things marked with igw_thing_set_readout_on_demand(); honour
 *   @cancellable (a cancelled request or the core's timeout). Optional. Since: 1.0
 * @readout_finish: Since: 1.0
 * @set_discovery: start (@enabled TRUE) or stop looking for devices; found
 *   ones are offered with igw_context_offer_thing(). Optional. Since: 1.0
 * @check_secret: validate a secret before it is stored (e.g. a bindkey must be
 *   32 hex digits); unknown names are an error. The value must never be logged.
 *   The thing need not exist yet. Once stored, plugins read it with
 *   igw_context_get_thing_secret(). Optional: a plugin without it keeps no
 *   secrets. Since: 1.1
 *
 * Every member is optional. The core calls them only through its runners,
 * which log, time out and prefix errors with the plugin name.
 */
typedef struct {
	gboolean (*check_config)(IgwPlugin *plugin, GKeyFile *config, GError **error);
	gboolean (*startup)(IgwPlugin *plugin, GError **error);
	gboolean (*reload)(IgwPlugin *plugin, GError **error);
	void (*shutdown)(IgwPlugin *plugin);
	void (*control_async)(IgwPlugin *plugin, IgwThing *thing, IgwField *field, GVariant *value,
			      GCancellable *cancellable, GAsyncReadyCallback callback,
			      gpointer user_data);
	GVariant *(*control_finish)(IgwPlugin *plugin, GAsyncResult *result, GError **error);
	void (*readout_async)(IgwPlugin *plugin, IgwThing *thing, GCancellable *cancellable,
			      GAsyncReadyCallback callback, gpointer user_data);
	gboolean (*readout_finish)(IgwPlugin *plugin, GAsyncResult *result, GError **error);
	gboolean (*set_discovery)(IgwPlugin *plugin, gboolean enabled, GError **error);
	gboolean (*check_secret)(IgwPlugin *plugin, const gchar *thing_id, const gchar *name,
				 const gchar *value, GError **error);
	/*< private >*/
	gpointer padding[15];
} IgwPluginVfuncs;

typedef void (*IgwPluginInitFunc)(IgwPluginVfuncs *vfuncs);

#ifdef IGW_PLUGIN_BUILTIN
#define IGW_PLUGIN_DEFINE(name)                                                                    \
	void igw_plugin_##name##_init_vfuncs(IgwPluginVfuncs *vfuncs);                             \
	void igw_plugin_##name##_init_vfuncs(IgwPluginVfuncs *vfuncs)
#else
#define IGW_PLUGIN_DEFINE(name)                                                                    \
	G_MODULE_EXPORT const guint igw_plugin_abi_major = IGW_PLUGIN_ABI_MAJOR;                   \
	G_MODULE_EXPORT const guint igw_plugin_abi_minor = IGW_PLUGIN_ABI_MINOR;                   \
	G_MODULE_EXPORT void igw_plugin_init_vfuncs(IgwPluginVfuncs *vfuncs);                      \
	G_MODULE_EXPORT void igw_plugin_init_vfuncs(IgwPluginVfuncs *vfuncs)
#endif

const gchar *
igw_plugin_get_name(IgwPlugin *self);
IgwContext *
igw_plugin_get_context(IgwPlugin *self);
/* one line on what the plugin is doing ("hci0: passive scan"), shown by
 * iotgwctl status. Since: 1.1 */
void
igw_plugin_set_status(IgwPlugin *self, const gchar *status);

/* plugin-private state, freed with @destroy when the plugin goes */
gpointer
igw_plugin_get_data(IgwPlugin *self);
void
igw_plugin_set_data(IgwPlugin *self, gpointer data, GDestroyNotify destroy);

G_END_DECLS
