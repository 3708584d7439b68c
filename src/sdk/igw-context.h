/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

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
igw_context_offer_thing(IgwContext *self, IgwThing *thing, GError **error) G_GNUC_WARN_UNUSED_RESULT;
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
 * per-thing secrets, e.g. the "bindkey" of an encrypted BLE sensor: the core
 * loads them from the store before plugins start and sets them when an
 * administrator does (after the plugin's check_secret). Values are never logged.
 */
/* the value, or NULL if none; valid until the secret changes. Since: 1.1 */
const gchar *
igw_context_get_thing_secret(IgwContext *self, const gchar *thing_id, const gchar *name);

G_END_DECLS
