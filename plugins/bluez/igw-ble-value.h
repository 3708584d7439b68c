/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What the BLE decoders produce: named, typed values that map onto the thing
 * model. The decoders are pure functions of bytes (no D-Bus, no GObject
 * state); the plugin turns IgwBleValues into IgwFields and IgwReadings.
 */

#include <glib.h>

#include "iotgw-plugin.h"

G_BEGIN_DECLS

typedef struct {
	gchar *field;		   /* stable field name: "temperature", "temperature_2", ... */
	IgwFieldType type;	   /* NUMERIC (d), INTEGER (x), BOOLEAN (b) or STRING (s) */
	const gchar *unit;	   /* static string or NULL: "°C", "%", "hPa", "bpm" */
	guint decimals;		   /* digits after the point worth showing */
	IgwFieldCategory category; /* MOMENTARY for measurements, STATUS, IDENTITY */
	GVariant *value;	   /* floating refs sunk; type matches @type */
	gboolean event;		   /* a button press or dimmer turn: news each time it comes */
} IgwBleValue;

IgwBleValue *
igw_ble_value_new(const gchar *field, IgwFieldType type, const gchar *unit, guint decimals,
		  IgwFieldCategory category, GVariant *value);
void
igw_ble_value_free(IgwBleValue *value);
/* a GPtrArray of IgwBleValue that frees its elements */
GPtrArray *
igw_ble_values_new(void);

/* "0000XXXX-0000-1000-8000-00805f9b34fb" (any case) -> 0xXXXX; FALSE for other UUIDs */
gboolean
igw_ble_uuid_to_16(const gchar *uuid, guint16 *uuid16);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwBleValue, igw_ble_value_free)

G_END_DECLS
