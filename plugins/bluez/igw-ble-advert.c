/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <string.h>

#include "igw-ble-advert.h"
#include "igw-bthome.h"
#include "iotgw-plugin.h"

/* ATC1441 and pvvx share UUID 0x181A: only the length tells them apart */
#define IGW_ATC1441_LEN 13
#define IGW_PVVX_LEN 15
#define IGW_RUUVI5_LEN 24
#define IGW_RUUVI5_FORMAT 0x05

/* clang-format would space out the dashes, and #QN makes them the quark's name */
/* clang-format off */
G_DEFINE_QUARK(igw-ble-advert-error-quark, igw_ble_advert_error)
/* clang-format on */

const gchar *
igw_ble_format_to_string(IgwBleFormat format)
{
	switch (format) {
	case IGW_BLE_FORMAT_BTHOME:
		return "BTHome v2";
	case IGW_BLE_FORMAT_ATC1441:
		return "ATC1441";
	case IGW_BLE_FORMAT_PVVX:
		return "pvvx";
	case IGW_BLE_FORMAT_RUUVI5:
		return "Ruuvi RAWv2";
	case IGW_BLE_FORMAT_UNKNOWN:
	default:
		return "unknown";
	}
}

IgwBleAdvert *
igw_ble_advert_new(IgwBleFormat format)
{
	IgwBleAdvert *advert = g_new0(IgwBleAdvert, 1);
	advert->format = format;
	advert->packet_id = -1;
	advert->values = igw_ble_values_new();
	return advert;
}

void
igw_ble_advert_free(IgwBleAdvert *advert)
{
	if (advert == NULL)
		return;
	g_ptr_array_unref(advert->values);
	g_free(advert);
}

void
igw_ble_advert_add_value(IgwBleAdvert *advert, GHashTable *seen, const gchar *name,
			 IgwFieldType type, const gchar *unit, guint decimals,
			 IgwFieldCategory category, GVariant *value)
{
	g_autofree gchar *field = NULL;
	guint count = 1;

	/* HA numbers repeats by order of appearance: temperature, temperature_2... */
	if (seen != NULL) {
		count = GPOINTER_TO_UINT(g_hash_table_lookup(seen, name)) + 1;
		g_hash_table_insert(seen, (gpointer)name, GUINT_TO_POINTER(count));
	}
	field = count == 1 ? g_strdup(name) : g_strdup_printf("%s_%u", name, count);
	g_ptr_array_add(advert->values,
			igw_ble_value_new(field, type, unit, decimals, category, value));
}

static void
igw_ble_advert_add_number(IgwBleAdvert *advert, const gchar *name, const gchar *unit,
			  guint decimals, gdouble value)
{
	igw_ble_advert_add_value(advert, NULL, name, IGW_FIELD_TYPE_NUMERIC, unit, decimals,
				 IGW_FIELD_CATEGORY_MOMENTARY, g_variant_new_double(value));
}

static void
igw_ble_advert_add_integer(IgwBleAdvert *advert, const gchar *name, const gchar *unit,
			   IgwFieldCategory category, gint64 value)
{
	igw_ble_advert_add_value(advert, NULL, name, IGW_FIELD_TYPE_INTEGER, unit, 0, category,
				 g_variant_new_int64(value));
}

static guint16
igw_ble_read_be16(const guint8 *buf)
{
	return (guint16)((guint)buf[0] << 8 | buf[1]);
}

static guint16
igw_ble_read_le16(const guint8 *buf)
{
	return (guint16)((guint)buf[1] << 8 | buf[0]);
}

/*
 * atc1441 firmware: MAC(6, written order) | temperature int16 BE x0.1 |
 * humidity % | battery % | battery mV uint16 BE | frame counter
 */
static IgwBleAdvert *
igw_ble_advert_decode_atc1441(const guint8 *data)
{
	IgwBleAdvert *advert = igw_ble_advert_new(IGW_BLE_FORMAT_ATC1441);
	gint16 temperature = (gint16)igw_ble_read_be16(data + 6);

	igw_ble_advert_add_number(advert, "temperature", "°C", 1, temperature / 10.0);
	igw_ble_advert_add_integer(advert, "humidity", "%", IGW_FIELD_CATEGORY_MOMENTARY, data[8]);
	igw_ble_advert_add_integer(advert, "battery", "%", IGW_FIELD_CATEGORY_MOMENTARY, data[9]);
	igw_ble_advert_add_number(advert, "battery_voltage", "V", 3,
				  igw_ble_read_be16(data + 10) / 1000.0);
	advert->packet_id = data[12];
	return advert;
}

/*
 * pvvx custom, all little-endian: MAC(6, reversed) | temperature int16 x0.01 |
 * humidity uint16 x0.01 | battery mV uint16 | battery % | counter | flags
 */
static IgwBleAdvert *
igw_ble_advert_decode_pvvx(const guint8 *data)
{
	IgwBleAdvert *advert = igw_ble_advert_new(IGW_BLE_FORMAT_PVVX);
	gint16 temperature = (gint16)igw_ble_read_le16(data + 6);

	igw_ble_advert_add_number(advert, "temperature", "°C", 2, temperature / 100.0);
	igw_ble_advert_add_number(advert, "humidity", "%", 2, igw_ble_read_le16(data + 8) / 100.0);
	igw_ble_advert_add_integer(advert, "battery", "%", IGW_FIELD_CATEGORY_MOMENTARY, data[12]);
	igw_ble_advert_add_number(advert, "battery_voltage", "V", 3,
				  igw_ble_read_le16(data + 10) / 1000.0);
	advert->packet_id = data[13];
	/* flags (reed switch, GPIO trigger) depend on how the board is wired: left out */
	return advert;
}

static IgwBleAdvert *
igw_ble_advert_decode_0x181a(const guint8 *data, gsize len, GError **error)
{
	if (len == IGW_ATC1441_LEN)
		return igw_ble_advert_decode_atc1441(data);
	if (len == IGW_PVVX_LEN)
		return igw_ble_advert_decode_pvvx(data);
	/* the encrypted atc1441/pvvx variants and the GATT service itself use other lengths */
	g_set_error(
	    error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_UNSUPPORTED,
	    "service data 0x181A of %" G_GSIZE_FORMAT
	    " bytes is neither ATC1441 (13) nor pvvx (15); encrypted variants are not supported",
	    len);
	return NULL;
}

IgwBleAdvert *
igw_ble_advert_decode_service_data(guint16 uuid16, const guint8 *data, gsize len, const gchar *mac,
				   const guint8 *bindkey, GError **error)
{
	g_return_val_if_fail(data != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (uuid16 == IGW_BLE_UUID16_BTHOME)
		return igw_bthome_decode(data, len, mac, bindkey, error);
	if (uuid16 == IGW_BLE_UUID16_ENVIRONMENTAL_SENSING)
		return igw_ble_advert_decode_0x181a(data, len, error);
	g_set_error(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_UNSUPPORTED,
		    "service data UUID 0x%04X is not a known advert format", uuid16);
	return NULL;
}

/* Ruuvi marks a missing signed reading with the smallest int16 */
static void
igw_ruuvi5_add_signed(IgwBleAdvert *advert, const gchar *name, const gchar *unit, guint decimals,
		      gdouble factor, const guint8 *buf)
{
	gint16 raw = (gint16)igw_ble_read_be16(buf);
	if (raw == G_MININT16)
		return;
	igw_ble_advert_add_number(advert, name, unit, decimals, raw * factor);
}

static void
igw_ruuvi5_add_environment(IgwBleAdvert *advert, const guint8 *data)
{
	guint16 humidity = igw_ble_read_be16(data + 3);
	guint16 pressure = igw_ble_read_be16(data + 5);

	igw_ruuvi5_add_signed(advert, "temperature", "°C", 3, 0.005, data + 1);
	if (humidity != G_MAXUINT16)
		igw_ble_advert_add_number(advert, "humidity", "%", 4, humidity * 0.0025);
	/* Pa with an offset of -50000, shown in hPa like every other pressure */
	if (pressure != G_MAXUINT16)
		igw_ble_advert_add_number(advert, "pressure", "hPa", 2, (pressure + 50000) / 100.0);
	igw_ruuvi5_add_signed(advert, "acceleration_x", "g", 3, 0.001, data + 7);
	igw_ruuvi5_add_signed(advert, "acceleration_y", "g", 3, 0.001, data + 9);
	igw_ruuvi5_add_signed(advert, "acceleration_z", "g", 3, 0.001, data + 11);
}

static void
igw_ruuvi5_add_status(IgwBleAdvert *advert, const guint8 *data)
{
	guint16 power = igw_ble_read_be16(data + 13);
	guint battery_mv = power >> 5;
	guint tx_power = power & 0x1F;
	guint16 sequence = igw_ble_read_be16(data + 16);

	/* 11 bits of mV above 1.6 V and 5 bits of 2 dBm above -40 dBm; all ones = missing */
	if (battery_mv != 0x7FF)
		igw_ble_advert_add_number(advert, "battery_voltage", "V", 3,
					  (battery_mv + 1600) / 1000.0);
	if (tx_power != 0x1F)
		igw_ble_advert_add_integer(advert, "tx_power", "dBm", IGW_FIELD_CATEGORY_STATUS,
					   (gint64)tx_power * 2 - 40);
	if (data[15] != G_MAXUINT8)
		igw_ble_advert_add_integer(advert, "movement_counter", NULL,
					   IGW_FIELD_CATEGORY_MOMENTARY, data[15]);
	if (sequence != G_MAXUINT16)
		advert->packet_id = sequence;
}

/* Ruuvi RAWv2: 24 bytes, big-endian; bytes 18..23 repeat the MAC */
static IgwBleAdvert *
igw_ruuvi5_decode(const guint8 *data, gsize len, GError **error)
{
	IgwBleAdvert *advert;

	if (len < 1) {
		g_set_error_literal(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_TRUNCATED,
				    "Ruuvi manufacturer data is empty");
		return NULL;
	}
	/* formats 3, 6, C5, E1... are Ruuvi's too, but not decoded here */
	if (data[0] != IGW_RUUVI5_FORMAT) {
		g_set_error(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_UNSUPPORTED,
			    "Ruuvi data format 0x%02X is not supported, only 5 (RAWv2)", data[0]);
		return NULL;
	}
	if (len != IGW_RUUVI5_LEN) {
		g_set_error(error, IGW_BLE_ADVERT_ERROR,
			    len < IGW_RUUVI5_LEN ? IGW_BLE_ADVERT_ERROR_TRUNCATED
						 : IGW_BLE_ADVERT_ERROR_INVALID,
			    "Ruuvi RAWv2 has %" G_GSIZE_FORMAT " bytes, expected %u", len,
			    (guint)IGW_RUUVI5_LEN);
		return NULL;
	}
	advert = igw_ble_advert_new(IGW_BLE_FORMAT_RUUVI5);
	igw_ruuvi5_add_environment(advert, data);
	igw_ruuvi5_add_status(advert, data);
	return advert;
}

IgwBleAdvert *
igw_ble_advert_decode_manufacturer_data(guint16 company, const guint8 *data, gsize len,
					GError **error)
{
	g_return_val_if_fail(data != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (company == IGW_BLE_COMPANY_RUUVI)
		return igw_ruuvi5_decode(data, len, error);
	g_set_error(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_UNSUPPORTED,
		    "manufacturer data of company 0x%04X is not a known advert format", company);
	return NULL;
}

gboolean
igw_ble_bindkey_parse(const gchar *text, guint8 key[16], GError **error)
{
	guint8 parsed[16];
	gsize len = text != NULL ? strlen(text) : 0;

	if (len != 2 * sizeof(parsed)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "bindkey must be 32 hex digits, got %" G_GSIZE_FORMAT " characters",
			    len);
		return FALSE;
	}
	for (guint i = 0; i < sizeof(parsed); i++) {
		gint hi = g_ascii_xdigit_value(text[2 * i]);
		gint lo = g_ascii_xdigit_value(text[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "bindkey must be 32 hex digits, character %u is not one",
				    hi < 0 ? 2 * i + 1 : 2 * i + 2);
			return FALSE;
		}
		parsed[i] = (guint8)(hi << 4 | lo);
	}
	memcpy(key, parsed, sizeof(parsed));
	return TRUE;
}
