/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "igw-config.h"

G_BEGIN_DECLS

/*
 * Owns everything: config, store, plugins, things and their XMPP sessions.
 * Plugins report into the context; the engine turns that into rows,
 * presence and chat.
 */
#define IGW_TYPE_ENGINE (igw_engine_get_type())
G_DECLARE_FINAL_TYPE(IgwEngine, igw_engine, IGW, ENGINE, GObject)

IgwEngine *
igw_engine_new(IgwConfig *config, const gchar *state_dir);
gboolean
igw_engine_check_only(IgwEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_startup(IgwEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_check_config(IgwEngine *self, IgwConfig *config, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_engine_reload(IgwEngine *self, IgwConfig *config, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
igw_engine_shutdown(IgwEngine *self);
gchar *
igw_engine_get_status(IgwEngine *self);
gchar *
igw_engine_localpart_for_id(const gchar *thing_id);

G_END_DECLS
