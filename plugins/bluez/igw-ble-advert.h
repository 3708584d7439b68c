/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * BLE advertisement decoders: BTHome v2 (service data 0xFCD2), the ATC1441
 * and pvvx custom formats (service data 0x181A) and Ruuvi data format 5
 * (manufacturer data 0x0499). Pure functions of bytes, so the plugin, the
 * unit tests and the fuzz target share them.
 */

#include <glib.h>

#include "igw-ble-value.h"

G_BEGIN_DECLS

#define IGW_BLE_ADVERT_ERROR (igw_ble_advert_error_quark())

typedef enum {
	IGW_BLE_ADVERT_ERROR_UNSUPPORTED, /* not a format we know: caller tries others; "discovered, unsupported" */
	IGW_BLE_ADVERT_ERROR_TRUNCATED,	     /* too short / object cut off */
	IGW_BLE_ADVERT_ERROR_INVALID,	     /* bad version, bad length, garbage */
	IGW_BLE_ADVERT_ERROR_NEEDS_KEY,	     /* encrypted BTHome, no bindkey given */
	IGW_BLE_ADVERT_ERROR_DECRYPT_FAILED, /* MIC mismatch: wrong bindkey */
} IgwBleAdvertError;

typedef enum {
	IGW_BLE_FORMAT_UNKNOWN,
	IGW_BLE_FORMAT_BTHOME,
	IGW_BLE_FORMAT_ATC1441,
	IGW_BLE_FORMAT_PVVX,
	IGW_BLE_FORMAT_RUUVI5,
} IgwBleFormat;

#define IGW_BLE_UUID16_BTHOME 0xFCD2
#define IGW_BLE_UUID16_ENVIRONMENTAL_SENSING 0x181A
#define IGW_BLE_COMPANY_RUUVI 0x0499

typedef struct {
	IgwBleFormat format;
	gboolean encrypted;	/* BTHome: was encrypted (and was decrypted) */
	gboolean trigger_based; /* BTHome info bit 2: irregular sender, silence is normal */
	gboolean has_counter;	/* BTHome encrypted counter present */
	guint32 counter;
	gint
	    packet_id; /* BTHome 0x00 / ATC,pvvx frame counter / Ruuvi measurement sequence; -1 if none */
	GPtrArray *values; /* IgwBleValue*, in advert order, owned */
} IgwBleAdvert;

GQuark
igw_ble_advert_error_quark(void);

/* "BTHome v2", "ATC1441", "pvvx", "Ruuvi RAWv2"; "unknown" otherwise */
const gchar *
igw_ble_format_to_string(IgwBleFormat format);

void
igw_ble_advert_free(IgwBleAdvert *advert);

/*
 * @mac: "AA:BB:CC:DD:EE:FF" as BlueZ Device1.Address gives it; only encrypted
 * BTHome needs it (nonce). @bindkey: 16 bytes or NULL.
 *
 * A plaintext BTHome advert decodes even when @bindkey is given: refusing it
 * (HA's "downgrade" rule, !advert->encrypted for a device with a key) and the
 * counter check (igw_bthome_replay_check()) are the caller's, who keeps the
 * per-device state.
 */
IgwBleAdvert *
igw_ble_advert_decode_service_data(guint16 uuid16, const guint8 *data, gsize len, const gchar *mac,
				   const guint8 *bindkey, GError **error) G_GNUC_WARN_UNUSED_RESULT;
IgwBleAdvert *
igw_ble_advert_decode_manufacturer_data(guint16 company, const guint8 *data, gsize len,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* 32 hex digits into 16 bytes; IGW_ERROR_INVALID_DATA otherwise */
gboolean
igw_ble_bindkey_parse(const gchar *text, guint8 key[16], GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* for the decoders of this directory, not for the plugin */
IgwBleAdvert *
igw_ble_advert_new(IgwBleFormat format);
/*
 * adds a value named @name, or "@name_2", "@name_3"... when @seen (name ->
 * count, may be NULL) says the name was used before in this advert
 */
void
igw_ble_advert_add_value(IgwBleAdvert *advert, GHashTable *seen, const gchar *name,
			 IgwFieldType type, const gchar *unit, guint decimals,
			 IgwFieldCategory category, GVariant *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwBleAdvert, igw_ble_advert_free)

G_END_DECLS
