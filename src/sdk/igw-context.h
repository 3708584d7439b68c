/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "igw-reading.h"
#include "igw-thing.h"

G_BEGIN_DECLS

#define IGW_TYPE_CONTEXT (igw_context_get_type())
G_DECLARE_FINAL_TYPE(IgwContext, igw_context, IGW, CONTEXT, GObject)

GKeyFile *
igw_context_get_config(IgwContext *self);
gchar **
igw_context_get_thing_ids(IgwContext *self, const gchar *plugin_name);
gchar *
igw_context_get_thing_group(const gchar *thing_id);

gboolean
igw_context_add_thing(IgwContext *self, IgwThing *thing, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_context_offer_thing(IgwContext *self, IgwThing *thing,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
igw_context_remove_thing(IgwContext *self, const gchar *thing_id);
IgwThing *
igw_context_lookup_thing(IgwContext *self, const gchar *thing_id);
GPtrArray *
igw_context_get_things(IgwContext *self);
void
igw_context_report_reading(IgwContext *self, IgwReading *reading);
/* available or unavailable; see also igw_context_set_availability() */
void
igw_context_set_reachable(IgwContext *self, const gchar *thing_id, gboolean reachable);
/* Since: 1.1 */
void
igw_context_set_availability(IgwContext *self, const gchar *thing_id, IgwAvailability availability);

/*
 * for bridge plugins that export things (an MQTT bridge that shows every
 * thing to Home Assistant, say): a read-only view of all things, and a way
 * to control one as its owner would.
 *
 * igw_context_get_things() and igw_context_lookup_thing() list every thing
 * of every plugin; igw_thing_get_adopted() tells the ones the gateway
 * proxies. Signals of the context tell what changes:
 *   "thing-changed" (IgwThing *thing, const gchar *change): the core's word on
 *     a thing: "added" (first), "adopted", "discovered", "blocked", "renamed",
 *     "reachable", "away", "unreachable", "online", "session", "secret", and
 *     "removed" or "forgotten" (last). Since: 1.2
 *   "reading" (IgwThing *thing, IgwReading *reading): every reading the core
 *     accepted, of any thing; each IgwThing's own "reading" signal carries
 *     only that thing's. Since: 1.2
 * Do not change what you are shown: the things belong to their plugins.
 */

/*
 * a control request through the core's control service, the one every door
 * uses: the thing must be adopted, the field writable and @value valid for
 * it (text, as in chat: "on", "21.5", "2026-01-01T08:00:00Z"); @requester is
 * who asks, a bare JID the bridge acts for, and must be one of the thing's
 * owners. The plugin applies it; the confirmed value is published as the
 * thing's latest reading. Since: 1.2
 */
void
igw_context_control_async(IgwContext *self, const gchar *requester, const gchar *thing_id,
			  const gchar *field, const gchar *value, GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data);
/* the value the device confirmed, or NULL with the reason every door shows. Since: 1.2 */
GVariant *
igw_context_control_finish(IgwContext *self, GAsyncResult *result,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * per-thing secrets, e.g. the "bindkey" of an encrypted BLE sensor: the core
 * loads them from the store before plugins start and sets them when an
 * administrator does (after the plugin's check_secret). Values are never logged.
 */
/* the value, or NULL if none; valid until the secret changes. Since: 1.1 */
const gchar *
igw_context_get_thing_secret(IgwContext *self, const gchar *thing_id, const gchar *name);

G_END_DECLS
