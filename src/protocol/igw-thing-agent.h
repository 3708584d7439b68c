/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "igw-concentrator.h"
#include "igw-context.h"
#include "igw-control.h"
#include "igw-iot-server.h"
#include "igw-plugin-private.h"
#include "igw-request-limit.h"
#include "igw-transport.h"

G_BEGIN_DECLS

/*
 * The XMPP face of one thing (or of the gateway, with no thing): presence,
 * greeting, owners, plain chat, disco#info, ping, and XEP-0323/0325 through
 * an IgwIotServer. It only sees an IgwTransport, so component and
 * link-local streams can reuse it.
 */
#define IGW_TYPE_THING_AGENT (igw_thing_agent_get_type())
G_DECLARE_FINAL_TYPE(IgwThingAgent, igw_thing_agent, IGW, THING_AGENT, GObject)

IgwThingAgent *
igw_thing_agent_new(IgwTransport *transport, IgwContext *context, IgwPlugin *plugin,
		    IgwThing *thing);
/* an owner left out is removed at once when online: no presence either
 * way, no contact, and "owner-removed" (the bare JID) for the rest; after
 * each login ("contacts" of the transport) every contact that is no owner
 * is removed the same way */
void
igw_thing_agent_set_owners(IgwThingAgent *self, const gchar *const *owners);
/* the bare JIDs that own the thing, never NULL */
const gchar *const *
igw_thing_agent_get_owners(IgwThingAgent *self);
gboolean
igw_thing_agent_is_owner(IgwThingAgent *self, const gchar *jid);
void
igw_thing_agent_greet_owner(IgwThingAgent *self, const gchar *jid);
void
igw_thing_agent_set_greeted(IgwThingAgent *self, gboolean greeted);
/* the gateway's own limits on requests, whatever the server allows */
void
igw_thing_agent_set_limits(IgwThingAgent *self, const IgwRequestLimits *limits);
void
igw_thing_agent_update_presence(IgwThingAgent *self);
/* where historical readouts come from; without it they fail politely */
void
igw_thing_agent_set_history_func(IgwThingAgent *self, IgwIotHistoryFunc func, gpointer user_data);
/* how urn:xmpp:iot:* answers are said to each peer; without it, the slixmpp form */
void
igw_thing_agent_set_profile_func(IgwThingAgent *self, IgwIotProfileFunc func, gpointer user_data);
IgwThing *
igw_thing_agent_get_thing(IgwThingAgent *self);
/* where "set" goes: chat, XEP-0325 and the MUC and pubsub faces sharing this agent */
void
igw_thing_agent_set_control(IgwThingAgent *self, IgwControl *control);
IgwControl *
igw_thing_agent_get_control(IgwThingAgent *self);
/* the gateway's XEP-0326 face, unowned; NULL for things */
void
igw_thing_agent_set_concentrator(IgwThingAgent *self, IgwConcentrator *concentrator);

G_END_DECLS
