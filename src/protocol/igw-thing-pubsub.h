/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The thesis's pubsub protocol for one thing (seed 004, 4.4), on its
 * transport's pubsub service (the thing's own PEP service for c2s; the
 * transport addresses every request): after each login the nodes xmpp.iot.sensors,
 * xmpp.iot.actuators and xmpp.iot.ui are verified (disco#items) and filled
 * (publishing creates what is missing), readings are published on change
 * (deadband, minimum interval), the UI form when the fields change, and an
 * owner's publish to an actuator item is applied through the plugin and
 * answered by publishing the confirmed state.
 *
 * PEP rather than a pubsub service: the thesis's node names are per device,
 * every account owns its PEP service on Prosody and ejabberd alike (Prosody
 * 0.12 lets only admins create nodes on a pubsub component), and the owner
 * of a PEP node may make other JIDs publishers (XEP-0060 §8.9), which is
 * what control by publishing needs.
 */

#include "igw-config.h"
#include "igw-context.h"
#include "igw-thing-agent.h"
#include "igw-transport.h"
#include "iotgw-plugin.h"

G_BEGIN_DECLS

typedef struct _IgwThingPubsub IgwThingPubsub;

IgwThingPubsub *
igw_thing_pubsub_new(IgwTransport *transport, IgwContext *context, IgwPlugin *plugin,
		     IgwThing *thing, IgwThingAgent *agent, IgwConfig *config);
void
igw_thing_pubsub_free(IgwThingPubsub *self);
/* the access model in force ("whitelist"), why if not the one asked for
 * ("whitelist (roster refused: not-acceptable)"), "off (no PEP: ...)", or
 * NULL while unknown */
const gchar *
igw_thing_pubsub_describe(IgwThingPubsub *self);
/* owner publishes that were ignored: non-owners, malformed, unknown items */
guint
igw_thing_pubsub_get_ignored(IgwThingPubsub *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwThingPubsub, igw_thing_pubsub_free)

G_END_DECLS
