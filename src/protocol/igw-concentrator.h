/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <strophe.h>

#include "igw-engine.h"
#include "igw-iot-server.h"
#include "igw-transport.h"

G_BEGIN_DECLS

/*
 * XEP-0326 on the gateway's JID, in the XSF and the Neuro-Foundation
 * dialects: plugins are data sources, adopted things are nodes. Sensor-data
 * and control requests sent to the gateway with a node are run against that
 * thing, and owners can subscribe to node events.
 */
typedef struct _IgwConcentrator IgwConcentrator;

IgwConcentrator *
igw_concentrator_new(IgwEngine *engine, IgwTransport *transport);
/* requests naming more nodes, fields or parameters are refused undecoded */
void
igw_concentrator_set_max_elements(IgwConcentrator *self, guint max_elements);
void
igw_concentrator_set_profile_func(IgwConcentrator *self, IgwIotProfileFunc func,
				  gpointer user_data);
void
igw_concentrator_free(IgwConcentrator *self);
/* FALSE: neither a concentrator nor an IoT request, the caller handles it */
gboolean
igw_concentrator_handle(IgwConcentrator *self, xmpp_stanza_t *stanza, gboolean owner);
/* a subscriber went away: its subscriptions end */
void
igw_concentrator_forget_subscriber(IgwConcentrator *self, const gchar *jid);
const gchar *const *
igw_concentrator_get_features(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwConcentrator, igw_concentrator_free)

G_END_DECLS
