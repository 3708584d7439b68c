/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "igw-field.h"
#include "igw-reading.h"

G_BEGIN_DECLS

/**
 * IgwAvailability:
 * @IGW_AVAILABILITY_UNAVAILABLE: the device cannot be reached (unavailable presence)
 * @IGW_AVAILABILITY_AWAY: not heard from for longer than usual, maybe back soon
 * @IGW_AVAILABILITY_AVAILABLE: reachable
 */
typedef enum {
	IGW_AVAILABILITY_UNAVAILABLE,
	IGW_AVAILABILITY_AWAY,
	IGW_AVAILABILITY_AVAILABLE,
} IgwAvailability;

const gchar *
igw_availability_to_string(IgwAvailability availability);

#define IGW_TYPE_THING (igw_thing_get_type())
G_DECLARE_FINAL_TYPE(IgwThing, igw_thing, IGW, THING, GObject)

IgwThing *
igw_thing_new(const gchar *id, const gchar *plugin_name);

gboolean
igw_thing_id_is_valid(const gchar *id, GError **error) G_GNUC_WARN_UNUSED_RESULT;

const gchar *
igw_thing_get_id(IgwThing *self);
const gchar *
igw_thing_get_plugin_name(IgwThing *self);
const gchar *
igw_thing_get_name(IgwThing *self);
void
igw_thing_set_name(IgwThing *self, const gchar *name);
const gchar *
igw_thing_get_manufacturer(IgwThing *self);
void
igw_thing_set_manufacturer(IgwThing *self, const gchar *manufacturer);
const gchar *
igw_thing_get_model(IgwThing *self);
void
igw_thing_set_model(IgwThing *self, const gchar *model);
const gchar *
igw_thing_get_serial(IgwThing *self);
void
igw_thing_set_serial(IgwThing *self, const gchar *serial);
const gchar *
igw_thing_get_firmware(IgwThing *self);
void
igw_thing_set_firmware(IgwThing *self, const gchar *firmware);

/* how often readings are expected; 0 when the thing only reports on change */
guint
igw_thing_get_report_interval(IgwThing *self);
void
igw_thing_set_report_interval(IgwThing *self, guint seconds);

void
igw_thing_add_field(IgwThing *self, IgwField *field);
IgwField *
igw_thing_get_field(IgwThing *self, const gchar *name);
GPtrArray *
igw_thing_get_fields(IgwThing *self);

/*
 * the latest reading per field, kept by the core. The core also emits the
 * thing's own "reading" signal, void (*)(IgwThing *, IgwReading *, gpointer),
 * for every reading it accepts: listen there to hear this thing and no
 * other. Since: 1.2 (the signal)
 */
IgwReading *
igw_thing_get_latest(IgwThing *self, const gchar *field);
gint64
igw_thing_get_last_reading_time(IgwThing *self);

/* reachable: available or away */
gboolean
igw_thing_get_reachable(IgwThing *self);
IgwAvailability
igw_thing_get_availability(IgwThing *self);
/* set by the core; plugins may watch "notify::adopted" to spend radio time
 * (a GATT connection) only on adopted things */
gboolean
igw_thing_get_adopted(IgwThing *self);
/* FALSE for a device found in a format no plugin decodes: listed, never adopted automatically */
gboolean
igw_thing_get_supported(IgwThing *self);
void
igw_thing_set_supported(IgwThing *self, gboolean supported);
/* the plugin's readout_async can fetch fresh readings of this thing on demand */
gboolean
igw_thing_get_readout_on_demand(IgwThing *self);
void
igw_thing_set_readout_on_demand(IgwThing *self, gboolean on_demand);

G_END_DECLS
