/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "igw-engine.h"

G_BEGIN_DECLS

/*
 * The engine on the system bus: org.iotgw.Gateway1 at /org/iotgw/Gateway1,
 * an ObjectManager with one org.iotgw.Thing1 object per thing. Handlers stay
 * thin: check arguments, call the engine, convert the answer.
 */
#define IGW_DBUS_NAME "org.iotgw.Gateway1"
#define IGW_DBUS_PATH "/org/iotgw/Gateway1"

#define IGW_TYPE_DBUS_DAEMON (igw_dbus_daemon_get_type())
G_DECLARE_FINAL_TYPE(IgwDbusDaemon, igw_dbus_daemon, IGW, DBUS_DAEMON, GObject)

IgwDbusDaemon *
igw_dbus_daemon_new(IgwEngine *engine);
void
igw_dbus_daemon_start(IgwDbusDaemon *self);
gchar *
igw_dbus_daemon_thing_path(const gchar *thing_id);

G_END_DECLS
