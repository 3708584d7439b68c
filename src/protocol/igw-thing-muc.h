/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "igw-context.h"
#include "igw-plugin-private.h"
#include "igw-thing-agent.h"
#include "igw-transport.h"

G_BEGIN_DECLS

/*
 * A thing in topic rooms (XEP-0045, the Chatty Things papers): it joins the
 * configured rooms whose topics match one of its fields, posts readings that
 * moved beyond the room's threshold at most every min_interval per field,
 * answers "<nick>: get" from anyone and "<nick>: set" from its owners, and
 * rejoins after the room or the server went away.
 */
typedef struct _IgwThingMuc IgwThingMuc;

/* rooms: IgwConfigRoom, copied: the config may be reloaded and freed */
IgwThingMuc *
igw_thing_muc_new(IgwTransport *transport, IgwContext *context, IgwPlugin *plugin, IgwThing *thing,
		  IgwThingAgent *agent, GPtrArray *rooms);
void
igw_thing_muc_free(IgwThingMuc *self);
/* the number of rooms the thing is in now */
guint
igw_thing_muc_get_joined(IgwThingMuc *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwThingMuc, igw_thing_muc_free)

G_END_DECLS
