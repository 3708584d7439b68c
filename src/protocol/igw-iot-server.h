/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "igw-control.h"
#include "igw-iot-request.h"
#include "igw-plugin-private.h"
#include "igw-request-limit.h"
#include "igw-transport.h"

G_BEGIN_DECLS

/* stored readings of one field, in any order; the engine supplies it */
typedef GPtrArray *(*IgwIotHistoryFunc)(const gchar *thing_id, const gchar *field, gint64 from,
					gint64 to, gpointer user_data, GError **error);

/* the dialect profile of a peer (a bare JID) for urn:xmpp:iot:*; the engine supplies it */
typedef IgwIotProfile (*IgwIotProfileFunc)(const gchar *bare_jid, gpointer user_data);

/* readings per <fields> message of a historical readout */
#define IGW_IOT_PAGE_SIZE 50

/*
 * XEP-0323 readout and XEP-0325 control of one thing, whatever the dialect
 * and the transport: the agent hands it every stanza carrying an IoT request.
 */
typedef struct _IgwIotServer IgwIotServer;

IgwIotServer *
igw_iot_server_new(IgwTransport *transport, IgwPlugin *plugin, IgwThing *thing);
void
igw_iot_server_free(IgwIotServer *self);
IgwThing *
igw_iot_server_get_thing(IgwIotServer *self);
/* XEP-0325 sets go through the control service; without one they are refused */
void
igw_iot_server_set_control(IgwIotServer *self, IgwControl *control);
/* requests naming more fields, nodes or parameters are refused undecoded */
void
igw_iot_server_set_max_elements(IgwIotServer *self, guint max_elements);
/* refusals are logged at most once a minute per sender of @log_limit (unowned) */
void
igw_iot_server_set_log_limit(IgwIotServer *self, IgwRequestLimit *log_limit);
void
igw_iot_server_set_history_func(IgwIotServer *self, IgwIotHistoryFunc func, gpointer user_data);
/* without one, every peer gets IGW_IOT_PROFILE_SLIXMPP */
void
igw_iot_server_set_profile_func(IgwIotServer *self, IgwIotProfileFunc func, gpointer user_data);
/* FALSE: not an IoT request, the caller handles it */
gboolean
igw_iot_server_handle(IgwIotServer *self, xmpp_stanza_t *stanza, gboolean owner);
const gchar *const *
igw_iot_server_get_features(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwIotServer, igw_iot_server_free)

G_END_DECLS
