/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* the core's; a plugin includes iotgw-plugin.h and nothing else of src/ */
#ifdef IGW_PLUGIN_COMPILATION
#error "a core-only header: plugins include iotgw-plugin.h only"
#endif

/*
 * the core's side of IgwThing; not installed. Plugins change availability
 * through igw_context_set_availability() and readings through
 * igw_context_report_reading(), so the core sees every change.
 */

#include "igw-thing.h"

G_BEGIN_DECLS

void
igw_thing_set_latest(IgwThing *self, IgwReading *reading);
void
igw_thing_set_reachable(IgwThing *self, gboolean reachable);
void
igw_thing_set_availability(IgwThing *self, IgwAvailability availability);
void
igw_thing_set_adopted(IgwThing *self, gboolean adopted);

gchar *
igw_thing_summarize(IgwThing *self);
gchar *
igw_thing_format_reading(IgwThing *self, const gchar *field);

G_END_DECLS
