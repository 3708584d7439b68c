/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Decoders for the values of standard GATT characteristics: Heart Rate, Cycling
 * Speed and Cadence, Environmental Sensing and Battery. Pure C over bytes: the
 * plugin hands over what ReadValue or a notification gave it and gets
 * IgwBleValues back. All multi-octet fields are little-endian.
 */

#include <glib.h>

#include "igw-ble-value.h"

G_BEGIN_DECLS

typedef struct {
	guint16 uuid16;	   /* characteristic */
	guint16 service16; /* the service it belongs to */
	const gchar *name; /* "heart rate measurement" */
	gboolean notify;   /* a stream: the plugin subscribes (StartNotify), never reads */
} IgwBleGattProfile;

/*
 * the characteristics we decode; NULL for others. @notify is TRUE where the
 * value is a stream (heart rate, CSC measurement), not worth a read; the
 * plugin subscribes to every one whose Flags offer notify or indicate
 */
const IgwBleGattProfile *
igw_ble_gatt_lookup(guint16 uuid16);
/* services that make a device a GATT thing: 0x180D, 0x1816, 0x181A, 0x180F */
gboolean
igw_ble_gatt_service_is_known(guint16 service16);

/* per characteristic instance; CSC keeps the previous counters */
typedef struct _IgwBleGattDecoder IgwBleGattDecoder;

/*
 * @suffix: "" (or NULL) or e.g. "_2" appended to every field name, for a second
 * instance of the same characteristic (two temperatures).
 * Returns NULL when igw_ble_gatt_lookup(@uuid16) does.
 */
IgwBleGattDecoder *
igw_ble_gatt_decoder_new(guint16 uuid16, const gchar *suffix);
void
igw_ble_gatt_decoder_free(IgwBleGattDecoder *decoder);
/* CSC only: wheel circumference in metres (default 2.105, a 700x25c wheel) */
void
igw_ble_gatt_decoder_set_wheel_circumference(IgwBleGattDecoder *decoder, gdouble metres);
/*
 * CSC: tell the decoder which data the CSC Feature (0x2A5C) value says is
 * supported; before it is known, trust the flags
 */
void
igw_ble_gatt_decoder_set_csc_features(IgwBleGattDecoder *decoder, guint16 features);
/*
 * decode one value (ReadValue result or notification) arriving at @now_us
 * (monotonic µs); append IgwBleValues to @values. FALSE + IGW_ERROR_INVALID_DATA
 * with a clear message for truncated/malformed/reserved values; nothing
 * appended then. TRUE with nothing appended is fine: a "value is not known"
 * sentinel, a CSC value without data, the first CSC notification's rates.
 */
gboolean
igw_ble_gatt_decoder_feed(IgwBleGattDecoder *decoder, const guint8 *data, gsize len, gint64 now_us,
			  GPtrArray *values, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/*
 * the fields a characteristic can produce (type/unit/decimals/category; value
 * is a zero of the right type), so the plugin can declare fields before the
 * first value
 */
void
igw_ble_gatt_decoder_describe(IgwBleGattDecoder *decoder, GPtrArray *values);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwBleGattDecoder, igw_ble_gatt_decoder_free)

G_END_DECLS
