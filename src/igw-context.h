/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "igw-reading.h"
#include "igw-thing.h"

G_BEGIN_DECLS

#define IGW_TYPE_CONTEXT (igw_context_get_type())
G_DECLARE_FINAL_TYPE(IgwContext, igw_context, IGW, CONTEXT, GObject)

IgwContext *
igw_context_new(GKeyFile *config);

GKeyFile *
igw_context_get_config(IgwContext *self);
void
igw_context_set_config(IgwContext *self, GKeyFile *config);
gchar **
igw_context_get_thing_ids(IgwContext *self, const gchar *plugin_name);
gchar *
igw_context_get_thing_group(const gchar *thing_id);

gboolean
igw_context_add_thing(IgwContext *self, IgwThing *thing, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_context_offer_thing(IgwContext *self, IgwThing *thing, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_context_thing_is_offered(IgwContext *self, const gchar *thing_id);
void
igw_context_remove_thing(IgwContext *self, const gchar *thing_id);
IgwThing *
igw_context_lookup_thing(IgwContext *self, const gchar *thing_id);
GPtrArray *
igw_context_get_things(IgwContext *self);
void
igw_context_report_reading(IgwContext *self, IgwReading *reading);
void
igw_context_set_reachable(IgwContext *self, const gchar *thing_id, gboolean reachable);

G_END_DECLS
