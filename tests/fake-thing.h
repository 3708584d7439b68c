/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "igw-context-private.h"
#include "igw-control.h"
#include "igw-plugin-private.h"
#include "igw-thing-private.h"

G_BEGIN_DECLS

/*
 * A plugin and a thing for protocol tests, with no radio: plugin "fake"
 * confirms every control on the next main loop turn (or fails it when
 * told); the control service is the daemon's, with alice@localhost as
 * the thing's owner.
 * Thing "fake:kitchen" ("Kitchen") has temperature (°C, numeric),
 * humidity (%, integer) and a writable lamp "on" (boolean).
 */
typedef struct {
	IgwContext *context;
	IgwPlugin *plugin;
	IgwThing *thing;
	GPtrArray *plugins;
	IgwControl *control;
	guint control_calls;
	gboolean control_fails;
} IgwFakeThing;

IgwFakeThing *
igw_fake_thing_new(void);
void
igw_fake_thing_free(IgwFakeThing *self);
/* through the context, as a plugin would */
void
igw_fake_thing_report(IgwFakeThing *self, const gchar *field, GVariant *value);
/* run the default main context until @done or @timeout_ms passed */
void
igw_fake_thing_wait(gboolean *done, guint timeout_ms);
/* let pending idles and timers due within @ms run */
void
igw_fake_thing_spin(guint ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwFakeThing, igw_fake_thing_free)

G_END_DECLS
