/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "igw-engine.h"

G_BEGIN_DECLS

/*
 * The things' XMPP faces, wired by the daemon: when the core adopts a
 * thing, a transport (a c2s session today) and the protocol objects that
 * speak for it (agent, rooms, pubsub); the gateway's own session, agent and
 * concentrator; and, for the core, what their sessions are doing. The core
 * knows nothing of XMPP: it announces, and asks through IgwEngineSessions.
 */
#define IGW_TYPE_XMPP_MANAGER (igw_xmpp_manager_get_type())
G_DECLARE_FINAL_TYPE(IgwXmppManager, igw_xmpp_manager, IGW, XMPP_MANAGER, GObject)

/* before igw_engine_startup(): the engine's things come in as it starts */
IgwXmppManager *
igw_xmpp_manager_new(IgwEngine *engine);
/* after a reload of the engine's config: the new session limits */
void
igw_xmpp_manager_reload(IgwXmppManager *self);

G_END_DECLS
