/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestBleAdvert"

#include "config.h"

#include <math.h>
#include <string.h>

#include "igw-test.h"

#include "igw-ble-advert.h"
#include "igw-bthome.h"
#include "igw-error.h"

#define TEST_TIMEOUT_SECONDS 10
#define TEST_TOLERANCE 1e-9

/* the worked example of the BTHome encryption page (fact sheet section 5) */
#define TEST_BTHOME_KEY "231d39c1d7cc1ab1aee224cd096db932"
#define TEST_BTHOME_MAC "54:48:E6:8F:80:A5"
#define TEST_BTHOME_ENCRYPTED "41e445f3c9962b332211006c7c4519"

/* Ruuvi's official RAWv2 vectors; "minimum" as corrected in ruuvi-sensor-protocols#30 */
#define TEST_RUUVI_VALID "0512FC5394C37C0004FFFC040CAC364200CDCBB8334C884F"
#define TEST_RUUVI_MAXIMUM "057FFFFFFEFFFE7FFF7FFF7FFFFFDEFEFFFECBB8334C884F"
#define TEST_RUUVI_MINIMUM "058001000000008001800180010000000000CBB8334C884F"
#define TEST_RUUVI_INVALID "058000FFFFFFFF800080008000FFFFFFFFFFFFFFFFFFFFFF"

static GByteArray *
test_hex(const gchar *hex)
{
	GByteArray *bytes = g_byte_array_new();
	gsize len = strlen(hex);
	ck_assert_uint_eq(len % 2, 0);
	for (gsize i = 0; i < len; i += 2) {
		guint8 byte =
		    (guint8)(g_ascii_xdigit_value(hex[i]) << 4 | g_ascii_xdigit_value(hex[i + 1]));
		g_byte_array_append(bytes, &byte, 1);
	}
	return bytes;
}

static IgwBleAdvert *
test_bthome(const gchar *hex, const guint8 *key, GError **error)
{
	g_autoptr(GByteArray) bytes = test_hex(hex);
	return igw_ble_advert_decode_service_data(IGW_BLE_UUID16_BTHOME, bytes->data, bytes->len,
						  TEST_BTHOME_MAC, key, error);
}

/* a decode that must succeed */
static IgwBleAdvert *
test_bthome_ok(const gchar *hex)
{
	g_autoptr(GError) error = NULL;
	IgwBleAdvert *advert = test_bthome(hex, NULL, &error);
	ck_assert_msg(advert != NULL, "%s: %s", hex, error != NULL ? error->message : "?");
	ck_assert_int_eq(advert->format, IGW_BLE_FORMAT_BTHOME);
	return advert;
}

static void
test_bthome_fails(const gchar *hex, gint code, const gchar *message)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwBleAdvert) advert = test_bthome(hex, NULL, &error);
	ck_assert_ptr_null(advert);
	ck_assert_msg(g_error_matches(error, IGW_BLE_ADVERT_ERROR, code), "%s: %s", hex,
		      error != NULL ? error->message : "no error");
	if (message != NULL)
		ck_assert_msg(strstr(error->message, message) != NULL, "%s", error->message);
}

static const IgwBleValue *
test_value(IgwBleAdvert *advert, const gchar *field)
{
	for (guint i = 0; i < advert->values->len; i++) {
		const IgwBleValue *value = g_ptr_array_index(advert->values, i);
		if (g_strcmp0(value->field, field) == 0)
			return value;
	}
	ck_abort_msg("no field %s", field);
	return NULL;
}

static gboolean
test_has_value(IgwBleAdvert *advert, const gchar *field)
{
	for (guint i = 0; i < advert->values->len; i++) {
		const IgwBleValue *value = g_ptr_array_index(advert->values, i);
		if (g_strcmp0(value->field, field) == 0)
			return TRUE;
	}
	return FALSE;
}

static void
test_number(IgwBleAdvert *advert, const gchar *field, gdouble expected, const gchar *unit,
	    guint decimals)
{
	const IgwBleValue *value = test_value(advert, field);
	ck_assert_int_eq(value->type, IGW_FIELD_TYPE_NUMERIC);
	ck_assert_double_eq_tol(g_variant_get_double(value->value), expected, TEST_TOLERANCE);
	ck_assert_pstr_eq(value->unit, unit);
	ck_assert_uint_eq(value->decimals, decimals);
}

static void
test_integer(IgwBleAdvert *advert, const gchar *field, gint64 expected, const gchar *unit)
{
	const IgwBleValue *value = test_value(advert, field);
	ck_assert_int_eq(value->type, IGW_FIELD_TYPE_INTEGER);
	ck_assert_int_eq(g_variant_get_int64(value->value), expected);
	ck_assert_pstr_eq(value->unit, unit);
}

static void
test_string(IgwBleAdvert *advert, const gchar *field, const gchar *expected)
{
	const IgwBleValue *value = test_value(advert, field);
	ck_assert_int_eq(value->type, IGW_FIELD_TYPE_STRING);
	ck_assert_str_eq(g_variant_get_string(value->value, NULL), expected);
}

static void
test_boolean(IgwBleAdvert *advert, const gchar *field, gboolean expected)
{
	const IgwBleValue *value = test_value(advert, field);
	ck_assert_int_eq(value->type, IGW_FIELD_TYPE_BOOLEAN);
	ck_assert_int_eq(g_variant_get_boolean(value->value), expected);
}

static const IgwBleValue *
test_value_at(IgwBleAdvert *advert, guint index)
{
	ck_assert_uint_lt(index, advert->values->len);
	return g_ptr_array_index(advert->values, index);
}

/* fact sheet section 1: 0A 16 D2FC 40 02C409 03BF13 */
START_TEST(test_bthome_spec_plain)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("4002C40903BF13");
	ck_assert_uint_eq(advert->values->len, 2);
	ck_assert_str_eq(test_value_at(advert, 0)->field, "temperature");
	ck_assert_str_eq(test_value_at(advert, 1)->field, "humidity");
	test_number(advert, "temperature", 25.00, "°C", 2);
	test_number(advert, "humidity", 50.55, "%", 2);
	ck_assert_int_eq(test_value(advert, "temperature")->category, IGW_FIELD_CATEGORY_MOMENTARY);
	ck_assert(!advert->encrypted);
	ck_assert(!advert->trigger_based);
	ck_assert(!advert->has_counter);
	ck_assert_int_eq(advert->packet_id, -1);
}
END_TEST

/* the BTHome testing guide's advert */
START_TEST(test_bthome_testing_guide)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("40016102ca0903bf13");
	ck_assert_uint_eq(advert->values->len, 3);
	test_integer(advert, "battery", 97, "%");
	test_number(advert, "temperature", 25.06, "°C", 2);
	test_number(advert, "humidity", 50.55, "%", 2);
}
END_TEST

START_TEST(test_bthome_encrypted)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwBleAdvert) advert = NULL;
	guint8 key[16];

	ck_assert(igw_ble_bindkey_parse(TEST_BTHOME_KEY, key, NULL));
	advert = test_bthome(TEST_BTHOME_ENCRYPTED, key, &error);
	ck_assert_msg(advert != NULL, "%s", error != NULL ? error->message : "?");
	ck_assert(advert->encrypted);
	ck_assert(advert->has_counter);
	ck_assert_uint_eq(advert->counter, 1122867);
	ck_assert_uint_eq(advert->values->len, 2);
	test_number(advert, "temperature", 25.06, "°C", 2);
	test_number(advert, "humidity", 50.55, "%", 2);
}
END_TEST

START_TEST(test_bthome_encrypted_refused)
{
	g_autoptr(GByteArray) bytes = test_hex(TEST_BTHOME_ENCRYPTED);
	guint8 key[16];
	guint8 wrong[16];

	ck_assert(igw_ble_bindkey_parse(TEST_BTHOME_KEY, key, NULL));
	memcpy(wrong, key, sizeof(wrong));
	wrong[15] ^= 0x01;

	/* no key, the wrong key, a tampered MIC, a tampered counter, another device's MAC */
	test_bthome_fails(TEST_BTHOME_ENCRYPTED, IGW_BLE_ADVERT_ERROR_NEEDS_KEY, "bindkey");
	for (guint i = 0; i < 4; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(IgwBleAdvert) advert = NULL;
		g_autoptr(GByteArray) copy = test_hex(TEST_BTHOME_ENCRYPTED);
		const gchar *mac = i == 3 ? "54:48:E6:8F:80:A6" : TEST_BTHOME_MAC;
		if (i == 1)
			copy->data[copy->len - 1] ^= 0x80;
		if (i == 2)
			copy->data[copy->len - 8] ^= 0x01;
		advert =
		    igw_ble_advert_decode_service_data(IGW_BLE_UUID16_BTHOME, copy->data, copy->len,
						       mac, i == 0 ? wrong : key, &error);
		ck_assert_ptr_null(advert);
		ck_assert_msg(g_error_matches(error, IGW_BLE_ADVERT_ERROR,
					      IGW_BLE_ADVERT_ERROR_DECRYPT_FAILED),
			      "case %u: %s", i, error != NULL ? error->message : "no error");
		ck_assert(strstr(error->message, "MIC") != NULL);
	}

	/* the nonce needs a MAC; too short for counter + MIC */
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(IgwBleAdvert) advert = NULL;
		const gchar *macs[] = {NULL, "54:48:E6:8F:80", "54:48:E6:8F:80:A5:00"};
		advert = igw_ble_advert_decode_service_data(IGW_BLE_UUID16_BTHOME, bytes->data,
							    bytes->len, macs[i], key, &error);
		ck_assert_ptr_null(advert);
		ck_assert(
		    g_error_matches(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_INVALID));
	}
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(IgwBleAdvert) advert = test_bthome("41e445f3c996", key, &error);
		ck_assert_ptr_null(advert);
		ck_assert(
		    g_error_matches(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_TRUNCATED));
	}
}
END_TEST

/* vectors made with another AES-CCM implementation: empty payload, trigger-based button */
START_TEST(test_bthome_encrypted_more)
{
	g_autoptr(IgwBleAdvert) empty = NULL;
	g_autoptr(IgwBleAdvert) button = NULL;
	guint8 key[16];

	ck_assert(igw_ble_bindkey_parse(TEST_BTHOME_KEY, key, NULL));
	empty = test_bthome("413322110061ea41c6", key, NULL);
	ck_assert_ptr_nonnull(empty);
	ck_assert(empty->encrypted);
	ck_assert_uint_eq(empty->counter, 0x00112233);
	ck_assert_uint_eq(empty->values->len, 0);

	button = test_bthome("4559d4dfbd33221100ffc2c171", key, NULL);
	ck_assert_ptr_nonnull(button);
	ck_assert(button->encrypted);
	ck_assert(button->trigger_based);
	ck_assert_int_eq(button->packet_id, 12);
	test_string(button, "button", "press");
}
END_TEST

/* lower-case MAC works the same */
START_TEST(test_bthome_encrypted_mac_case)
{
	g_autoptr(GByteArray) bytes = test_hex(TEST_BTHOME_ENCRYPTED);
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwBleAdvert) advert = NULL;
	guint8 key[16];

	ck_assert(igw_ble_bindkey_parse("231D39C1D7CC1AB1AEE224CD096DB932", key, NULL));
	advert = igw_ble_advert_decode_service_data(IGW_BLE_UUID16_BTHOME, bytes->data, bytes->len,
						    "54:48:e6:8f:80:a5", key, &error);
	ck_assert_msg(advert != NULL, "%s", error != NULL ? error->message : "?");
	test_number(advert, "temperature", 25.06, "°C", 2);
}
END_TEST

START_TEST(test_bthome_signed)
{
	/* 0x02 -10.00, 0x08 -0.01, 0x3F -0.1, 0x57 -10, 0x58 -20 x 0.35, then the counts,
	 * power, current, speed and acceleration */
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("40"
							"0218FC"
							"08FFFF"
							"3FFFFF"
							"57F6"
							"58EC"
							"5980"
							"5A0080"
							"5BFFFFFFFF"
							"5CFEFFFFFF"
							"5D18FC"
							"62FFFFFFFF"
							"6340420F00");
	test_number(advert, "temperature", -10.00, "°C", 2);
	test_number(advert, "dewpoint", -0.01, "°C", 2);
	test_number(advert, "rotation", -0.1, "°", 1);
	test_number(advert, "temperature_2", -10.0, "°C", 2);
	test_number(advert, "temperature_3", -7.00, "°C", 2);
	test_integer(advert, "count", -128, NULL);
	test_integer(advert, "count_2", -32768, NULL);
	test_integer(advert, "count_3", -1, NULL);
	test_number(advert, "power", -0.02, "W", 2);
	test_number(advert, "current", -1.0, "A", 3);
	test_number(advert, "speed", -0.000001, "m/s", 6);
	test_number(advert, "acceleration", 1.0, "m/s²", 6);
}
END_TEST

/* the 3-byte objects, with the spec's pressure example 13 8A 01 = 1008.83 hPa */
START_TEST(test_bthome_three_bytes)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("4004138A01"
							"05138A14"
							"0A138A14"
							"0B138A14"
							"42FFFFFF"
							"4B010000");
	test_number(advert, "pressure", 1008.83, "hPa", 2);
	test_number(advert, "illuminance", 13460.67, "lx", 2);
	test_number(advert, "energy", 1346.067, "kWh", 3);
	test_number(advert, "power", 13460.67, "W", 2);
	test_number(advert, "duration", 16777.215, "s", 3);
	test_number(advert, "gas", 0.001, "m³", 3);
}
END_TEST

START_TEST(test_bthome_four_bytes)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("403E01020304"
							"4D12138A14"
							"4CFFFFFFFF"
							"4E87562301"
							"4F87562301"
							"5087562301"
							"5587562301");
	test_integer(advert, "count", 0x04030201, NULL);
	test_number(advert, "energy", 344593.170, "kWh", 3);
	test_number(advert, "gas", 4294967.295, "m³", 3);
	test_number(advert, "volume", 19093.127, "L", 3);
	test_number(advert, "water", 19093.127, "L", 3);
	test_integer(advert, "timestamp", 0x01235687, NULL);
	test_number(advert, "volume_storage", 19093.127, "L", 3);
}
END_TEST

/* the remaining 1- and 2-byte numbers, by unit and factor */
START_TEST(test_bthome_two_bytes)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("40"
							"06D204"
							"07D204"
							"0C020C"
							"0D0C00"
							"0E1600"
							"12E204"
							"13D204"
							"14D204"
							"2E2A"
							"2F2B"
							"3D0001"
							"40E803"
							"41E803"
							"43E803"
							"44E803"
							"4607"
							"47E803"
							"48E803"
							"49E803"
							"4A1E00"
							"51E803"
							"52E803"
							"56E803"
							"5E1027"
							"5F0A00"
							"6003"
							"61B80B"
							"0907");
	test_number(advert, "mass", 12.34, "kg", 2);
	test_number(advert, "mass_lb", 12.34, "lb", 2);
	test_number(advert, "voltage", 3.074, "V", 3);
	test_integer(advert, "pm25", 12, "µg/m³");
	test_integer(advert, "pm10", 22, "µg/m³");
	test_integer(advert, "co2", 1250, "ppm");
	test_integer(advert, "tvoc", 1234, "µg/m³");
	test_number(advert, "moisture", 12.34, "%", 2);
	test_number(advert, "humidity", 42.0, "%", 2);
	test_number(advert, "moisture_2", 43.0, "%", 2);
	test_integer(advert, "count", 256, NULL);
	test_number(advert, "distance", 1.0, "m", 3);
	test_number(advert, "distance_2", 100.0, "m", 3);
	test_number(advert, "current", 1.0, "A", 3);
	test_number(advert, "speed", 10.0, "m/s", 6);
	test_number(advert, "uv_index", 0.7, NULL, 1);
	test_number(advert, "volume", 100.0, "L", 3);
	test_number(advert, "volume_2", 1.0, "L", 3);
	test_number(advert, "volume_flow_rate", 1.0, "m³/h", 3);
	test_number(advert, "voltage_2", 3.0, "V", 3);
	test_number(advert, "acceleration", 1.0, "m/s²", 6);
	test_number(advert, "gyroscope", 1.0, "°/s", 3);
	test_integer(advert, "conductivity", 1000, "µS/cm");
	test_number(advert, "direction", 100.0, "°", 2);
	test_number(advert, "precipitation", 1.0, "mm", 1);
	test_integer(advert, "channel", 3, NULL);
	test_integer(advert, "rotational_speed", 3000, "rpm");
	test_integer(advert, "count_2", 7, NULL);
}
END_TEST

START_TEST(test_bthome_binary)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("4015011A0021011F0128002D02");
	test_boolean(advert, "battery_low", TRUE);
	ck_assert_int_eq(test_value(advert, "battery_low")->category, IGW_FIELD_CATEGORY_STATUS);
	test_boolean(advert, "door", FALSE);
	ck_assert_int_eq(test_value(advert, "door")->category, IGW_FIELD_CATEGORY_MOMENTARY);
	test_boolean(advert, "motion", TRUE);
	test_boolean(advert, "unlocked", TRUE);
	test_boolean(advert, "safe", FALSE);
	/* only 0 is off */
	test_boolean(advert, "window", TRUE);
}
END_TEST

START_TEST(test_bthome_events)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("44"
							"3A00"
							"3A01"
							"3A04"
							"3A80"
							"3A07"
							"3B010305"
							"3B0001"
							"3B0203E803"
							"3C0103"
							"3C0202"
							"3C0000"
							"6401"
							"6409");
	ck_assert(advert->trigger_based);
	test_string(advert, "button", "none");
	test_string(advert, "button_2", "press");
	test_string(advert, "button_3", "long_press");
	test_string(advert, "button_4", "hold_press");
	test_string(advert, "button_5", "unknown 0x07");
	test_string(advert, "command", "step_up 5");
	test_string(advert, "command_2", "on");
	test_string(advert, "command_3", "step_up 1000");
	test_string(advert, "dimmer", "rotate_left 3");
	test_string(advert, "dimmer_2", "rotate_right 2");
	test_string(advert, "dimmer_3", "none");
	test_string(advert, "light_level", "twilight");
	test_string(advert, "light_level_2", "9");
}
END_TEST

START_TEST(test_bthome_text_raw)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("40"
							"530548656C6C6F"
							"5403"
							"01ABFF"
							"5300"
							"5302C328"
							"5400");
	test_string(advert, "text", "Hello");
	test_string(advert, "raw", "01abff");
	test_string(advert, "text_2", "");
	/* invalid UTF-8 is repaired, never passed on */
	ck_assert(g_utf8_validate(g_variant_get_string(test_value(advert, "text_3")->value, NULL),
				  -1, NULL));
	test_string(advert, "raw_2", "");
}
END_TEST

START_TEST(test_bthome_device_info)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("40"
							"F00100"
							"F100010204"
							"F2000106");
	test_integer(advert, "device_type_id", 1, NULL);
	test_string(advert, "firmware_version", "4.2.1.0");
	test_string(advert, "firmware_version_2", "6.1.0");
	ck_assert_int_eq(test_value(advert, "device_type_id")->category,
			 IGW_FIELD_CATEGORY_IDENTITY);
	ck_assert_int_eq(test_value(advert, "firmware_version")->category,
			 IGW_FIELD_CATEGORY_IDENTITY);
}
END_TEST

START_TEST(test_bthome_packet_id)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("400009"
							"0164"
							"6501");
	ck_assert_int_eq(advert->packet_id, 9);
	ck_assert_uint_eq(advert->values->len, 2);
	ck_assert(!test_has_value(advert, "packet_id"));
	test_integer(advert, "battery", 100, "%");
	test_integer(advert, "settings_revision", 1, NULL);
	ck_assert_int_eq(test_value(advert, "settings_revision")->category,
			 IGW_FIELD_CATEGORY_STATUS);
}
END_TEST

/* repeats in order of appearance, as HA numbers them */
START_TEST(test_bthome_repeated)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("40"
							"02C409"
							"0218FC"
							"451101"
							"2E32");
	ck_assert_uint_eq(advert->values->len, 4);
	ck_assert_str_eq(test_value_at(advert, 0)->field, "temperature");
	ck_assert_str_eq(test_value_at(advert, 1)->field, "temperature_2");
	ck_assert_str_eq(test_value_at(advert, 2)->field, "temperature_3");
	ck_assert_str_eq(test_value_at(advert, 3)->field, "humidity");
	test_number(advert, "temperature", 25.0, "°C", 2);
	test_number(advert, "temperature_2", -10.0, "°C", 2);
	test_number(advert, "temperature_3", 27.3, "°C", 2);
}
END_TEST

START_TEST(test_bthome_unknown_stops)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("4002C409"
							"FE01"
							"03BF13");
	ck_assert_uint_eq(advert->values->len, 1);
	test_number(advert, "temperature", 25.0, "°C", 2);
	ck_assert(!test_has_value(advert, "humidity"));

	/* nothing decoded before it: garbage, not an advert */
	test_bthome_fails("40FE01", IGW_BLE_ADVERT_ERROR_INVALID, "object id 0xfe at byte 1");
	test_bthome_fails("4030", IGW_BLE_ADVERT_ERROR_INVALID, "unknown");
}
END_TEST

START_TEST(test_bthome_truncated)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("4002C40903BF");
	g_autoptr(IgwBleAdvert) text = test_bthome_ok("40"
						      "02C409"
						      "5305414243");
	ck_assert_uint_eq(advert->values->len, 1);
	test_number(advert, "temperature", 25.0, "°C", 2);
	ck_assert_uint_eq(text->values->len, 1);

	test_bthome_fails("4002C4", IGW_BLE_ADVERT_ERROR_TRUNCATED,
			  "BTHome object 0x02 truncated at byte 1");
	test_bthome_fails("4004138A", IGW_BLE_ADVERT_ERROR_TRUNCATED, "0x04");
	test_bthome_fails("40530341", IGW_BLE_ADVERT_ERROR_TRUNCATED, "0x53");
	test_bthome_fails("4054", IGW_BLE_ADVERT_ERROR_TRUNCATED, "0x54");
	test_bthome_fails("403B0203E8", IGW_BLE_ADVERT_ERROR_TRUNCATED, "0x3b");
	test_bthome_fails("40F1000102", IGW_BLE_ADVERT_ERROR_TRUNCATED, "0xf1");
}
END_TEST

START_TEST(test_bthome_header)
{
	g_autoptr(GString) big = g_string_new("40");
	g_autoptr(IgwBleAdvert) mac = NULL;

	/* version 1, version 3, one byte, nothing, oversized */
	test_bthome_fails("2002C409", IGW_BLE_ADVERT_ERROR_INVALID, "version 1");
	test_bthome_fails("6002C409", IGW_BLE_ADVERT_ERROR_INVALID, "version 3");
	test_bthome_fails("40", IGW_BLE_ADVERT_ERROR_TRUNCATED, "too short");
	test_bthome_fails("", IGW_BLE_ADVERT_ERROR_TRUNCATED, "too short");
	for (guint i = 0; i < 85; i++)
		g_string_append(big, "01"
				     "64"
				     "09");
	test_bthome_fails(big->str, IGW_BLE_ADVERT_ERROR_INVALID, "oversized");

	/* the draft "MAC included" bit: the reversed MAC is skipped */
	mac = test_bthome_ok("42A5808FE648540164");
	ck_assert_uint_eq(mac->values->len, 1);
	test_integer(mac, "battery", 100, "%");
	test_bthome_fails("42A5808F", IGW_BLE_ADVERT_ERROR_TRUNCATED, "MAC");
}
END_TEST

/* every object id of the fact sheet (3.1-3.5) decodes, and no other */
START_TEST(test_bthome_table)
{
	guint known = 0;
	for (guint id = 0; id <= 0xFF; id++) {
		g_autofree gchar *hex = g_strdup_printf("40%02X0000000000", id);
		g_autoptr(GError) error = NULL;
		g_autoptr(IgwBleAdvert) advert = test_bthome(hex, NULL, &error);
		gboolean listed =
		    id <= 0x2F || (id >= 0x3A && id <= 0x65) || (id >= 0xF0 && id <= 0xF2);
		ck_assert_msg((advert != NULL) == listed, "id 0x%02x", id);
		if (advert == NULL) {
			ck_assert(g_error_matches(error, IGW_BLE_ADVERT_ERROR,
						  IGW_BLE_ADVERT_ERROR_INVALID));
			continue;
		}
		known++;
		ck_assert_uint_ge(advert->values->len, id == 0x00 ? 0 : 1);
		for (guint i = 0; i < advert->values->len; i++) {
			const IgwBleValue *value = g_ptr_array_index(advert->values, i);
			const GVariantType *type = igw_field_type_to_variant_type(value->type);
			ck_assert(g_variant_is_of_type(value->value, type));
			ck_assert(value->category != IGW_FIELD_CATEGORY_NONE);
		}
	}
	ck_assert_uint_eq(known, 95);
}
END_TEST

/*
 * Fact sheet section 3.1, one row per object id, encoded by hand from the
 * table: bytes, sign and factor. @exponent is the factor's power of ten
 * (0.35 counts as 2), so the field must keep at least that many decimals.
 * Units that differ by a power of ten (mm and m, mL and L) share the
 * larger unit; pounds are not a decimal multiple of kilograms.
 */
typedef struct {
	const gchar *hex;
	const gchar *field;
	IgwFieldType type;
	gdouble value;
	const gchar *unit;
	guint exponent;
} TestBthomeRow;

#define NUMERIC IGW_FIELD_TYPE_NUMERIC
#define INTEGER IGW_FIELD_TYPE_INTEGER

static const TestBthomeRow test_bthome_rows[] = {
    {"0164", "battery", INTEGER, 100, "%", 0},
    {"02C409", "temperature", NUMERIC, 25.00, "°C", 2},
    {"03BF13", "humidity", NUMERIC, 50.55, "%", 2},
    {"04138A01", "pressure", NUMERIC, 1008.83, "hPa", 2},
    {"05138A14", "illuminance", NUMERIC, 13460.67, "lx", 2},
    {"06D204", "mass", NUMERIC, 12.34, "kg", 2},
    {"07D204", "mass_lb", NUMERIC, 12.34, "lb", 2},
    {"0818FC", "dewpoint", NUMERIC, -10.00, "°C", 2},
    {"0960", "count", INTEGER, 96, NULL, 0},
    {"0A138A14", "energy", NUMERIC, 1346.067, "kWh", 3},
    {"0B138A14", "power", NUMERIC, 13460.67, "W", 2},
    {"0C020C", "voltage", NUMERIC, 3.074, "V", 3},
    {"0D120C", "pm25", INTEGER, 3090, "µg/m³", 0},
    {"0E021C", "pm10", INTEGER, 7170, "µg/m³", 0},
    {"12E204", "co2", INTEGER, 1250, "ppm", 0},
    {"133301", "tvoc", INTEGER, 307, "µg/m³", 0},
    {"14020C", "moisture", NUMERIC, 30.74, "%", 2},
    {"2E23", "humidity", NUMERIC, 35, "%", 0},
    {"2F23", "moisture", NUMERIC, 35, "%", 0},
    {"3D0960", "count", INTEGER, 24585, NULL, 0},
    {"3E2A2C0960", "count", INTEGER, 1611213866, NULL, 0},
    {"3F020C", "rotation", NUMERIC, 307.4, "°", 1},
    {"400C00", "distance", NUMERIC, 0.012, "m", 3}, /* 12 mm */
    {"414E00", "distance", NUMERIC, 7.8, "m", 1},
    {"424E3400", "duration", NUMERIC, 13.390, "s", 3},
    {"434E34", "current", NUMERIC, 13.390, "A", 3},
    {"444E34", "speed", NUMERIC, 133.90, "m/s", 2},
    {"451101", "temperature", NUMERIC, 27.3, "°C", 1},
    {"4632", "uv_index", NUMERIC, 5.0, NULL, 1},
    {"478756", "volume", NUMERIC, 2215.1, "L", 1},
    {"48DC87", "volume", NUMERIC, 34.780, "L", 3}, /* 34780 mL */
    {"49DC87", "volume_flow_rate", NUMERIC, 34.780, "m³/h", 3},
    {"4A0C02", "voltage", NUMERIC, 52.4, "V", 1},
    {"4B138A14", "gas", NUMERIC, 1346.067, "m³", 3},
    {"4C41018A01", "gas", NUMERIC, 25821.505, "m³", 3},
    {"4D12138A14", "energy", NUMERIC, 344593.170, "kWh", 3},
    {"4E87562301", "volume", NUMERIC, 19093.127, "L", 3},
    {"4F87562301", "water", NUMERIC, 19093.127, "L", 3},
    {"505D396164", "timestamp", INTEGER, 1684093277, NULL, 0},
    {"518756", "acceleration", NUMERIC, 22.151, "m/s²", 3},
    {"528756", "gyroscope", NUMERIC, 22.151, "°/s", 3},
    {"5587562301", "volume_storage", NUMERIC, 19093.127, "L", 3},
    {"560C0C", "conductivity", INTEGER, 3084, "µS/cm", 0},
    {"57EA", "temperature", NUMERIC, -22, "°C", 0},
    {"5823", "temperature", NUMERIC, 12.25, "°C", 2}, /* 35 x 0.35 */
    {"59EA", "count", INTEGER, -22, NULL, 0},
    {"5AEAEA", "count", INTEGER, -5398, NULL, 0},
    {"5BEAEAEAEA", "count", INTEGER, -353703190, NULL, 0},
    {"5C02FBFFFF", "power", NUMERIC, -12.78, "W", 2},
    {"5D02FB", "current", NUMERIC, -1.278, "A", 3},
    {"5E9F8C", "direction", NUMERIC, 359.99, "°", 2},
    {"5FE803", "precipitation", NUMERIC, 100.0, "mm", 1},
    {"6008", "channel", INTEGER, 8, NULL, 0},
    {"61A00F", "rotational_speed", INTEGER, 4000, "rpm", 0},
    {"6287D6FFFF", "speed", NUMERIC, -0.010617, "m/s", 6},
    {"6340420F00", "acceleration", NUMERIC, 1.0, "m/s²", 6},
    {"6507", "settings_revision", INTEGER, 7, NULL, 0},
    {"F00100", "device_type_id", INTEGER, 1, NULL, 0},
};

#undef NUMERIC
#undef INTEGER

static IgwBleAdvert *
test_bthome_row(const TestBthomeRow *row)
{
	g_autofree gchar *hex = g_strconcat("40", row->hex, NULL);
	return test_bthome_ok(hex);
}

/* every numeric object id: the right field, unit, value and resolution */
START_TEST(test_bthome_every_object)
{
	for (guint i = 0; i < G_N_ELEMENTS(test_bthome_rows); i++) {
		const TestBthomeRow *row = &test_bthome_rows[i];
		g_autoptr(IgwBleAdvert) advert = test_bthome_row(row);
		const IgwBleValue *value;
		gdouble got;
		ck_assert_msg(advert->values->len == 1, "%s: %u values", row->hex,
			      advert->values->len);
		value = test_value_at(advert, 0);
		ck_assert_msg(g_strcmp0(value->field, row->field) == 0, "%s: field %s, expected %s",
			      row->hex, value->field, row->field);
		ck_assert_msg(value->type == row->type, "%s: type %d", row->hex, value->type);
		ck_assert_msg(g_strcmp0(value->unit, row->unit) == 0, "%s: unit %s, expected %s",
			      row->hex, value->unit, row->unit);
		got = row->type == IGW_FIELD_TYPE_INTEGER
			  ? (gdouble)g_variant_get_int64(value->value)
			  : g_variant_get_double(value->value);
		ck_assert_msg(fabs(got - row->value) < TEST_TOLERANCE, "%s: %.9g, expected %.9g",
			      row->hex, got, row->value);
		ck_assert_msg(row->type == IGW_FIELD_TYPE_INTEGER ||
				  value->decimals >= row->exponent,
			      "%s: %u decimals lose the factor's %u", row->hex, value->decimals,
			      row->exponent);
	}
}
END_TEST

/*
 * A field's type is the measurement's: every object id that carries the same
 * quantity gives the same type, unit and decimals, so a device that sends
 * temperature as 0x02 now and 0x57 later feeds one field. Also within one
 * advert, in any order.
 */
START_TEST(test_bthome_same_measurement)
{
	g_autoptr(IgwBleAdvert) mixed = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(test_bthome_rows); i++) {
		g_autoptr(IgwBleAdvert) first = test_bthome_row(&test_bthome_rows[i]);
		const IgwBleValue *a = test_value_at(first, 0);
		for (guint j = i + 1; j < G_N_ELEMENTS(test_bthome_rows); j++) {
			g_autoptr(IgwBleAdvert) second = NULL;
			const IgwBleValue *b;
			if (g_strcmp0(test_bthome_rows[i].field, test_bthome_rows[j].field) != 0)
				continue;
			second = test_bthome_row(&test_bthome_rows[j]);
			b = test_value_at(second, 0);
			ck_assert_msg(
			    a->type == b->type && g_strcmp0(a->unit, b->unit) == 0 &&
				a->decimals == b->decimals && a->category == b->category,
			    "%s and %s: %s differs (type %d/%d, unit %s/%s, decimals %u/%u)",
			    test_bthome_rows[i].hex, test_bthome_rows[j].hex, a->field, a->type,
			    b->type, a->unit, b->unit, a->decimals, b->decimals);
		}
	}

	/* out of order in one advert: 0x58, 0x57, 0x45, 0x02; all temperatures */
	mixed = test_bthome_ok("40"
			       "5823"
			       "57EA"
			       "451101"
			       "02C409");
	ck_assert_uint_eq(mixed->values->len, 4);
	test_number(mixed, "temperature", 12.25, "°C", 2);
	test_number(mixed, "temperature_2", -22.0, "°C", 2);
	test_number(mixed, "temperature_3", 27.3, "°C", 2);
	test_number(mixed, "temperature_4", 25.0, "°C", 2);
}
END_TEST

/* events are flagged so the plugin never takes a second press for a repeat */
START_TEST(test_bthome_events_flagged)
{
	g_autoptr(IgwBleAdvert) advert = test_bthome_ok("44"
							"000A"
							"0164"
							"3A01"
							"3B0001"
							"3C0103"
							"6401");
	ck_assert(!test_value(advert, "battery")->event);
	ck_assert(test_value(advert, "button")->event);
	ck_assert(test_value(advert, "command")->event);
	ck_assert(test_value(advert, "dimmer")->event);
	ck_assert(!test_value(advert, "light_level")->event);
}
END_TEST

/* atc1441: MAC A4:C1:38:12:34:56, 22.5 °C, 45 %, 87 %, 3000 mV, frame 42 */
START_TEST(test_atc1441)
{
	g_autoptr(GByteArray) bytes = test_hex("A4C13812345600E12D570BB82A");
	g_autoptr(GByteArray) cold = test_hex("A4C138123456FF9C64000A2800");
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwBleAdvert) advert = NULL;
	g_autoptr(IgwBleAdvert) negative = NULL;

	advert =
	    igw_ble_advert_decode_service_data(IGW_BLE_UUID16_ENVIRONMENTAL_SENSING, bytes->data,
					       bytes->len, "00:00:00:00:00:01", NULL, &error);
	ck_assert_msg(advert != NULL, "%s", error != NULL ? error->message : "?");
	ck_assert_int_eq(advert->format, IGW_BLE_FORMAT_ATC1441);
	ck_assert_uint_eq(advert->values->len, 4);
	test_number(advert, "temperature", 22.5, "°C", 1);
	test_integer(advert, "humidity", 45, "%");
	test_integer(advert, "battery", 87, "%");
	test_number(advert, "battery_voltage", 3.0, "V", 3);
	ck_assert_int_eq(advert->packet_id, 42);

	negative = igw_ble_advert_decode_service_data(IGW_BLE_UUID16_ENVIRONMENTAL_SENSING,
						      cold->data, cold->len, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(negative);
	test_number(negative, "temperature", -10.0, "°C", 1);
	test_integer(negative, "humidity", 100, "%");
	test_number(negative, "battery_voltage", 2.6, "V", 3);
	ck_assert_int_eq(negative->packet_id, 0);
}
END_TEST

/* pvvx: MAC reversed, 23.11 °C, 50.00 %, 2900 mV, 75 %, counter 16, flags 4 */
START_TEST(test_pvvx)
{
	g_autoptr(GByteArray) bytes = test_hex("56341238C1A4"
					       "0709"
					       "8813"
					       "540B"
					       "4B"
					       "10"
					       "04");
	g_autoptr(GByteArray) cold = test_hex("56341238C1A4"
					      "F6FE"
					      "0000"
					      "540B"
					      "00"
					      "FF"
					      "00");
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwBleAdvert) advert = NULL;
	g_autoptr(IgwBleAdvert) negative = NULL;

	advert =
	    igw_ble_advert_decode_service_data(IGW_BLE_UUID16_ENVIRONMENTAL_SENSING, bytes->data,
					       bytes->len, "A4:C1:38:12:34:56", NULL, &error);
	ck_assert_msg(advert != NULL, "%s", error != NULL ? error->message : "?");
	ck_assert_int_eq(advert->format, IGW_BLE_FORMAT_PVVX);
	ck_assert_uint_eq(advert->values->len, 4);
	test_number(advert, "temperature", 23.11, "°C", 2);
	test_number(advert, "humidity", 50.0, "%", 2);
	test_integer(advert, "battery", 75, "%");
	test_number(advert, "battery_voltage", 2.9, "V", 3);
	ck_assert_int_eq(advert->packet_id, 16);

	negative = igw_ble_advert_decode_service_data(IGW_BLE_UUID16_ENVIRONMENTAL_SENSING,
						      cold->data, cold->len, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(negative);
	test_number(negative, "temperature", -2.66, "°C", 2);
	ck_assert_int_eq(negative->packet_id, 255);
}
END_TEST

static void
test_unsupported_service_data(guint16 uuid, gsize len)
{
	guint8 data[32] = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwBleAdvert) advert =
	    igw_ble_advert_decode_service_data(uuid, data, len, NULL, NULL, &error);
	ck_assert_ptr_null(advert);
	ck_assert_msg(
	    g_error_matches(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_UNSUPPORTED),
	    "0x%04x/%zu: %s", uuid, len, error != NULL ? error->message : "no error");
}

/* encrypted atc1441 (8) and pvvx (11, 12), other lengths, other UUIDs */
START_TEST(test_service_data_unsupported)
{
	test_unsupported_service_data(IGW_BLE_UUID16_ENVIRONMENTAL_SENSING, 0);
	test_unsupported_service_data(IGW_BLE_UUID16_ENVIRONMENTAL_SENSING, 8);
	test_unsupported_service_data(IGW_BLE_UUID16_ENVIRONMENTAL_SENSING, 11);
	test_unsupported_service_data(IGW_BLE_UUID16_ENVIRONMENTAL_SENSING, 12);
	test_unsupported_service_data(IGW_BLE_UUID16_ENVIRONMENTAL_SENSING, 14);
	test_unsupported_service_data(IGW_BLE_UUID16_ENVIRONMENTAL_SENSING, 16);
	test_unsupported_service_data(0xFE95, 16);
	test_unsupported_service_data(0x181C, 4);
}
END_TEST

static IgwBleAdvert *
test_ruuvi(const gchar *hex)
{
	g_autoptr(GByteArray) bytes = test_hex(hex);
	g_autoptr(GError) error = NULL;
	IgwBleAdvert *advert = igw_ble_advert_decode_manufacturer_data(
	    IGW_BLE_COMPANY_RUUVI, bytes->data, bytes->len, &error);
	ck_assert_msg(advert != NULL, "%s: %s", hex, error != NULL ? error->message : "?");
	ck_assert_int_eq(advert->format, IGW_BLE_FORMAT_RUUVI5);
	return advert;
}

START_TEST(test_ruuvi_valid)
{
	g_autoptr(IgwBleAdvert) advert = test_ruuvi(TEST_RUUVI_VALID);
	ck_assert_uint_eq(advert->values->len, 9);
	test_number(advert, "temperature", 24.3, "°C", 3);
	test_number(advert, "humidity", 53.49, "%", 4);
	test_number(advert, "pressure", 1000.44, "hPa", 2);
	test_number(advert, "acceleration_x", 0.004, "g", 3);
	test_number(advert, "acceleration_y", -0.004, "g", 3);
	test_number(advert, "acceleration_z", 1.036, "g", 3);
	test_number(advert, "battery_voltage", 2.977, "V", 3);
	test_integer(advert, "tx_power", 4, "dBm");
	ck_assert_int_eq(test_value(advert, "tx_power")->category, IGW_FIELD_CATEGORY_STATUS);
	test_integer(advert, "movement_counter", 66, NULL);
	ck_assert_int_eq(advert->packet_id, 205);
}
END_TEST

START_TEST(test_ruuvi_maximum)
{
	g_autoptr(IgwBleAdvert) advert = test_ruuvi(TEST_RUUVI_MAXIMUM);
	ck_assert_uint_eq(advert->values->len, 9);
	test_number(advert, "temperature", 163.835, "°C", 3);
	test_number(advert, "humidity", 163.835, "%", 4);
	test_number(advert, "pressure", 1155.34, "hPa", 2);
	test_number(advert, "acceleration_x", 32.767, "g", 3);
	test_number(advert, "acceleration_y", 32.767, "g", 3);
	test_number(advert, "acceleration_z", 32.767, "g", 3);
	test_number(advert, "battery_voltage", 3.646, "V", 3);
	test_integer(advert, "tx_power", 20, "dBm");
	test_integer(advert, "movement_counter", 254, NULL);
	ck_assert_int_eq(advert->packet_id, 65534);
}
END_TEST

START_TEST(test_ruuvi_minimum)
{
	g_autoptr(IgwBleAdvert) advert = test_ruuvi(TEST_RUUVI_MINIMUM);
	ck_assert_uint_eq(advert->values->len, 9);
	test_number(advert, "temperature", -163.835, "°C", 3);
	test_number(advert, "humidity", 0.0, "%", 4);
	test_number(advert, "pressure", 500.0, "hPa", 2);
	test_number(advert, "acceleration_x", -32.767, "g", 3);
	test_number(advert, "acceleration_y", -32.767, "g", 3);
	test_number(advert, "acceleration_z", -32.767, "g", 3);
	test_number(advert, "battery_voltage", 1.6, "V", 3);
	test_integer(advert, "tx_power", -40, "dBm");
	test_integer(advert, "movement_counter", 0, NULL);
	ck_assert_int_eq(advert->packet_id, 0);
}
END_TEST

/* "not available" markers leave the value out; that is no error */
START_TEST(test_ruuvi_invalid)
{
	g_autoptr(IgwBleAdvert) advert = test_ruuvi(TEST_RUUVI_INVALID);
	ck_assert_uint_eq(advert->values->len, 0);
	ck_assert_int_eq(advert->packet_id, -1);
}
END_TEST

static void
test_ruuvi_fails(guint16 company, const gchar *hex, gint code)
{
	g_autoptr(GByteArray) bytes = test_hex(hex);
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwBleAdvert) advert =
	    igw_ble_advert_decode_manufacturer_data(company, bytes->data, bytes->len, &error);
	ck_assert_ptr_null(advert);
	ck_assert_msg(g_error_matches(error, IGW_BLE_ADVERT_ERROR, code), "%s: %s", hex,
		      error != NULL ? error->message : "no error");
}

START_TEST(test_ruuvi_refused)
{
	/* another company, RAWv1 (3), format 6, empty, cut short, too long */
	test_ruuvi_fails(0x004C, TEST_RUUVI_VALID, IGW_BLE_ADVERT_ERROR_UNSUPPORTED);
	test_ruuvi_fails(IGW_BLE_COMPANY_RUUVI, "03291A1ECE1EFC18F94202CA0B53",
			 IGW_BLE_ADVERT_ERROR_UNSUPPORTED);
	test_ruuvi_fails(IGW_BLE_COMPANY_RUUVI, "06170C5668C79E0065007004BD11CA00C90A0213E0AC",
			 IGW_BLE_ADVERT_ERROR_UNSUPPORTED);
	test_ruuvi_fails(IGW_BLE_COMPANY_RUUVI, "", IGW_BLE_ADVERT_ERROR_TRUNCATED);
	test_ruuvi_fails(IGW_BLE_COMPANY_RUUVI, "0512FC5394C37C0004FFFC040CAC364200CDCBB8334C88",
			 IGW_BLE_ADVERT_ERROR_TRUNCATED);
	test_ruuvi_fails(IGW_BLE_COMPANY_RUUVI, TEST_RUUVI_VALID "00",
			 IGW_BLE_ADVERT_ERROR_INVALID);
}
END_TEST

START_TEST(test_replay_policy)
{
	IgwBthomeReplayState state = {0};
	gint64 t = 1000 * G_USEC_PER_SEC;

	/* the first counter ever is new, whatever it is */
	ck_assert_int_eq(igw_bthome_replay_check(&state, 100, t), IGW_BTHOME_COUNTER_NEW);
	ck_assert(state.seen);
	ck_assert_uint_eq(state.last_counter, 100);
	ck_assert_int_eq(igw_bthome_replay_check(&state, 101, t + 1), IGW_BTHOME_COUNTER_NEW);
	ck_assert_int_eq(igw_bthome_replay_check(&state, 500, t + 2), IGW_BTHOME_COUNTER_NEW);

	/* the same advert again: duplicate, and the device counts as heard */
	ck_assert_int_eq(igw_bthome_replay_check(&state, 500, t + 10 * G_USEC_PER_SEC),
			 IGW_BTHOME_COUNTER_DUPLICATE);
	ck_assert_int_eq(state.last_time_us, t + 10 * G_USEC_PER_SEC);

	/* lower within the minute: replay, state unchanged */
	ck_assert_int_eq(igw_bthome_replay_check(&state, 499, t + 20 * G_USEC_PER_SEC),
			 IGW_BTHOME_COUNTER_REPLAY);
	ck_assert_int_eq(igw_bthome_replay_check(&state, 0, t + 69 * G_USEC_PER_SEC),
			 IGW_BTHOME_COUNTER_REPLAY);
	ck_assert_uint_eq(state.last_counter, 500);
	ck_assert_int_eq(state.last_time_us, t + 10 * G_USEC_PER_SEC);
}
END_TEST

START_TEST(test_replay_reset)
{
	IgwBthomeReplayState state = {0};
	gint64 t = 5 * G_USEC_PER_SEC;

	ck_assert_int_eq(igw_bthome_replay_check(&state, 1000, t), IGW_BTHOME_COUNTER_NEW);
	/* a battery change: a minute of silence, then a low counter */
	ck_assert_int_eq(igw_bthome_replay_check(&state, 1, t + IGW_BTHOME_RESET_SILENCE_US - 1),
			 IGW_BTHOME_COUNTER_REPLAY);
	ck_assert_int_eq(igw_bthome_replay_check(&state, 1, t + IGW_BTHOME_RESET_SILENCE_US),
			 IGW_BTHOME_COUNTER_RESET);
	ck_assert_uint_eq(state.last_counter, 1);
	ck_assert_int_eq(state.last_time_us, t + IGW_BTHOME_RESET_SILENCE_US);
	/* and the state restarts from there */
	ck_assert_int_eq(igw_bthome_replay_check(&state, 2, t + IGW_BTHOME_RESET_SILENCE_US + 1),
			 IGW_BTHOME_COUNTER_NEW);
	ck_assert_int_eq(igw_bthome_replay_check(&state, 1, t + IGW_BTHOME_RESET_SILENCE_US + 2),
			 IGW_BTHOME_COUNTER_REPLAY);
	/* a clock that went back is no silence */
	ck_assert_int_eq(igw_bthome_replay_check(&state, 0, 0), IGW_BTHOME_COUNTER_REPLAY);
	ck_assert_str_eq(igw_bthome_counter_verdict_to_string(IGW_BTHOME_COUNTER_RESET), "reset");
}
END_TEST

START_TEST(test_bindkey_parse)
{
	guint8 key[16] = {0};
	const gchar *bad[] = {NULL,
			      "",
			      "231d39c1d7cc1ab1aee224cd096db93",
			      "231d39c1d7cc1ab1aee224cd096db9321",
			      "231d39c1d7cc1ab1aee224cd096db93g",
			      "231d39c1d7cc1ab1aee224cd096db9 2",
			      "0x1d39c1d7cc1ab1aee224cd096db932"};

	ck_assert(igw_ble_bindkey_parse(TEST_BTHOME_KEY, key, NULL));
	ck_assert_uint_eq(key[0], 0x23);
	ck_assert_uint_eq(key[15], 0x32);
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		guint8 untouched[16] = {0};
		ck_assert(!igw_ble_bindkey_parse(bad[i], untouched, &error));
		ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
		ck_assert(strstr(error->message, "32 hex digits") != NULL);
		ck_assert_uint_eq(untouched[0], 0);
	}
}
END_TEST

START_TEST(test_format_names)
{
	ck_assert_str_eq(igw_ble_format_to_string(IGW_BLE_FORMAT_BTHOME), "BTHome v2");
	ck_assert_str_eq(igw_ble_format_to_string(IGW_BLE_FORMAT_ATC1441), "ATC1441");
	ck_assert_str_eq(igw_ble_format_to_string(IGW_BLE_FORMAT_PVVX), "pvvx");
	ck_assert_str_eq(igw_ble_format_to_string(IGW_BLE_FORMAT_RUUVI5), "Ruuvi RAWv2");
	ck_assert_str_eq(igw_ble_format_to_string(IGW_BLE_FORMAT_UNKNOWN), "unknown");
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
}

static Suite *
test_ble_advert_suite(void)
{
	Suite *suite = suite_create("ble-advert");
	test_suite_add(suite, "bthome/spec-plain", test_bthome_spec_plain);
	test_suite_add(suite, "bthome/testing-guide", test_bthome_testing_guide);
	test_suite_add(suite, "bthome/encrypted", test_bthome_encrypted);
	test_suite_add(suite, "bthome/encrypted-refused", test_bthome_encrypted_refused);
	test_suite_add(suite, "bthome/encrypted-more", test_bthome_encrypted_more);
	test_suite_add(suite, "bthome/encrypted-mac-case", test_bthome_encrypted_mac_case);
	test_suite_add(suite, "bthome/signed", test_bthome_signed);
	test_suite_add(suite, "bthome/three-bytes", test_bthome_three_bytes);
	test_suite_add(suite, "bthome/four-bytes", test_bthome_four_bytes);
	test_suite_add(suite, "bthome/two-bytes", test_bthome_two_bytes);
	test_suite_add(suite, "bthome/binary", test_bthome_binary);
	test_suite_add(suite, "bthome/events", test_bthome_events);
	test_suite_add(suite, "bthome/text-raw", test_bthome_text_raw);
	test_suite_add(suite, "bthome/device-info", test_bthome_device_info);
	test_suite_add(suite, "bthome/packet-id", test_bthome_packet_id);
	test_suite_add(suite, "bthome/repeated", test_bthome_repeated);
	test_suite_add(suite, "bthome/unknown-stops", test_bthome_unknown_stops);
	test_suite_add(suite, "bthome/truncated", test_bthome_truncated);
	test_suite_add(suite, "bthome/header", test_bthome_header);
	test_suite_add(suite, "bthome/table", test_bthome_table);
	test_suite_add(suite, "bthome/every-object", test_bthome_every_object);
	test_suite_add(suite, "bthome/same-measurement", test_bthome_same_measurement);
	test_suite_add(suite, "bthome/events-flagged", test_bthome_events_flagged);
	test_suite_add(suite, "atc1441", test_atc1441);
	test_suite_add(suite, "pvvx", test_pvvx);
	test_suite_add(suite, "service-data-unsupported", test_service_data_unsupported);
	test_suite_add(suite, "ruuvi/valid", test_ruuvi_valid);
	test_suite_add(suite, "ruuvi/maximum", test_ruuvi_maximum);
	test_suite_add(suite, "ruuvi/minimum", test_ruuvi_minimum);
	test_suite_add(suite, "ruuvi/invalid", test_ruuvi_invalid);
	test_suite_add(suite, "ruuvi/refused", test_ruuvi_refused);
	test_suite_add(suite, "bthome/replay-policy", test_replay_policy);
	test_suite_add(suite, "bthome/replay-reset", test_replay_reset);
	test_suite_add(suite, "bindkey-parse", test_bindkey_parse);
	test_suite_add(suite, "format-names", test_format_names);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_ble_advert_suite());
}
