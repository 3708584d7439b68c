/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestBleGatt"

#include "config.h"

#include <string.h>

#include "igw-test.h"

#include "igw-ble-gatt.h"
#include "igw-error.h"

#define TEST_TIMEOUT_SECONDS 10
#define TEST_SECOND G_USEC_PER_SEC
/* an arbitrary monotonic start, far from 0 */
#define TEST_T0 (1000 * TEST_SECOND)

/* decodes @len bytes that must be accepted */
static GPtrArray *
test_feed_ok(IgwBleGattDecoder *decoder, const guint8 *data, gsize len, gint64 now_us)
{
	g_autoptr(GPtrArray) values = igw_ble_values_new();
	g_autoptr(GError) error = NULL;
	gboolean ok = igw_ble_gatt_decoder_feed(decoder, data, len, now_us, values, &error);
	ck_assert_msg(ok, "unexpected error: %s", error != NULL ? error->message : "(none)");
	ck_assert_ptr_null(error);
	return g_steal_pointer(&values);
}

/* decodes @len bytes that must be rejected, without touching the array */
static void
test_feed_bad(IgwBleGattDecoder *decoder, const guint8 *data, gsize len)
{
	g_autoptr(GPtrArray) values = igw_ble_values_new();
	g_autoptr(GError) error = NULL;
	gboolean ok = igw_ble_gatt_decoder_feed(decoder, data, len, TEST_T0, values, &error);
	ck_assert_msg(!ok, "accepted %" G_GSIZE_FORMAT " bad bytes", len);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	ck_assert(g_utf8_validate(error->message, -1, NULL));
	ck_assert_uint_eq(values->len, 0);
}

static IgwBleValue *
test_value(GPtrArray *values, guint idx, const gchar *field, IgwFieldType type)
{
	IgwBleValue *value;
	ck_assert_uint_lt(idx, values->len);
	value = g_ptr_array_index(values, idx);
	ck_assert_str_eq(value->field, field);
	ck_assert_int_eq(value->type, type);
	ck_assert(g_variant_is_of_type(value->value, igw_field_type_to_variant_type(type)));
	return value;
}

static void
test_int(GPtrArray *values, guint idx, const gchar *field, gint64 expected)
{
	IgwBleValue *value = test_value(values, idx, field, IGW_FIELD_TYPE_INTEGER);
	ck_assert_int_eq(g_variant_get_int64(value->value), expected);
}

static void
test_double(GPtrArray *values, guint idx, const gchar *field, gdouble expected)
{
	IgwBleValue *value = test_value(values, idx, field, IGW_FIELD_TYPE_NUMERIC);
	ck_assert_double_eq_tol(g_variant_get_double(value->value), expected, 1e-9);
}

static void
test_bool(GPtrArray *values, guint idx, const gchar *field, gboolean expected)
{
	IgwBleValue *value = test_value(values, idx, field, IGW_FIELD_TYPE_BOOLEAN);
	ck_assert_int_eq(g_variant_get_boolean(value->value), expected);
}

static void
test_string(GPtrArray *values, guint idx, const gchar *field, const gchar *expected)
{
	IgwBleValue *value = test_value(values, idx, field, IGW_FIELD_TYPE_STRING);
	ck_assert_str_eq(g_variant_get_string(value->value, NULL), expected);
}

START_TEST(test_gatt_lookup)
{
	const IgwBleGattProfile *profile = igw_ble_gatt_lookup(0x2A37);
	const guint16 decoded[] = {0x2A37, 0x2A38, 0x2A5B, 0x2A5C, 0x2A6E, 0x2A6F, 0x2A6D, 0x2A19};

	ck_assert_ptr_nonnull(profile);
	ck_assert_uint_eq(profile->uuid16, 0x2A37);
	ck_assert_uint_eq(profile->service16, 0x180D);
	ck_assert_str_eq(profile->name, "heart rate measurement");
	ck_assert(profile->notify);
	ck_assert(igw_ble_gatt_lookup(0x2A5B)->notify);
	ck_assert_uint_eq(igw_ble_gatt_lookup(0x2A5B)->service16, 0x1816);
	ck_assert_uint_eq(igw_ble_gatt_lookup(0x2A6D)->service16, 0x181A);
	ck_assert_uint_eq(igw_ble_gatt_lookup(0x2A19)->service16, 0x180F);
	ck_assert(!igw_ble_gatt_lookup(0x2A6E)->notify);
	for (guint i = 0; i < G_N_ELEMENTS(decoded); i++) {
		g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(decoded[i], NULL);
		ck_assert_ptr_nonnull(igw_ble_gatt_lookup(decoded[i]));
		ck_assert_ptr_nonnull(decoder);
	}

	/* CCCD, HR control point, SC control point, device name */
	ck_assert_ptr_null(igw_ble_gatt_lookup(0x2902));
	ck_assert_ptr_null(igw_ble_gatt_lookup(0x2A39));
	ck_assert_ptr_null(igw_ble_gatt_lookup(0x2A55));
	ck_assert_ptr_null(igw_ble_gatt_lookup(0x2A00));
	ck_assert_ptr_null(igw_ble_gatt_decoder_new(0x2A00, ""));

	ck_assert(igw_ble_gatt_service_is_known(0x180D));
	ck_assert(igw_ble_gatt_service_is_known(0x1816));
	ck_assert(igw_ble_gatt_service_is_known(0x181A));
	ck_assert(igw_ble_gatt_service_is_known(0x180F));
	ck_assert(!igw_ble_gatt_service_is_known(0x1800));
	ck_assert(!igw_ble_gatt_service_is_known(0x180A));
	ck_assert(!igw_ble_gatt_service_is_known(0x2A37));
}
END_TEST

START_TEST(test_gatt_describe)
{
	g_autoptr(IgwBleGattDecoder) hr = igw_ble_gatt_decoder_new(0x2A37, "");
	g_autoptr(IgwBleGattDecoder) csc = igw_ble_gatt_decoder_new(0x2A5B, "_2");
	g_autoptr(IgwBleGattDecoder) temperature = igw_ble_gatt_decoder_new(0x2A6E, "_2");
	g_autoptr(GPtrArray) values = igw_ble_values_new();
	IgwBleValue *value;

	igw_ble_gatt_decoder_describe(hr, values);
	ck_assert_uint_eq(values->len, 4);
	value = test_value(values, 0, "heart_rate", IGW_FIELD_TYPE_INTEGER);
	ck_assert_str_eq(value->unit, "bpm");
	ck_assert_int_eq(value->category, IGW_FIELD_CATEGORY_MOMENTARY);
	ck_assert_int_eq(g_variant_get_int64(value->value), 0);
	value = test_value(values, 1, "sensor_contact", IGW_FIELD_TYPE_BOOLEAN);
	ck_assert_int_eq(value->category, IGW_FIELD_CATEGORY_STATUS);
	value = test_value(values, 2, "energy_expended", IGW_FIELD_TYPE_INTEGER);
	ck_assert_str_eq(value->unit, "kJ");
	value = test_value(values, 3, "rr_interval", IGW_FIELD_TYPE_NUMERIC);
	ck_assert_str_eq(value->unit, "ms");
	ck_assert_uint_eq(value->decimals, 1);

	g_ptr_array_set_size(values, 0);
	igw_ble_gatt_decoder_describe(csc, values);
	ck_assert_uint_eq(values->len, 4);
	test_int(values, 0, "wheel_revolutions_2", 0);
	value = test_value(values, 1, "speed_2", IGW_FIELD_TYPE_NUMERIC);
	ck_assert_str_eq(value->unit, "m/s");
	ck_assert_uint_eq(value->decimals, 2);
	test_int(values, 2, "crank_revolutions_2", 0);
	value = test_value(values, 3, "cadence_2", IGW_FIELD_TYPE_NUMERIC);
	ck_assert_str_eq(value->unit, "rpm");
	ck_assert_uint_eq(value->decimals, 0);

	g_ptr_array_set_size(values, 0);
	igw_ble_gatt_decoder_describe(temperature, values);
	ck_assert_uint_eq(values->len, 1);
	value = test_value(values, 0, "temperature_2", IGW_FIELD_TYPE_NUMERIC);
	ck_assert_str_eq(value->unit, "°C");
	ck_assert_uint_eq(value->decimals, 2);
	ck_assert_double_eq(g_variant_get_double(value->value), 0);
}
END_TEST

/* builds a heart rate measurement for @flags and checks every field it should produce */
static void
test_hr_flags(IgwBleGattDecoder *decoder, guint8 flags, guint n_rr)
{
	const guint16 rr[] = {1024, 512, 819};
	const guint hr = (flags & 1) != 0 ? 300 : 72;
	g_autoptr(GByteArray) data = g_byte_array_new();
	g_autoptr(GPtrArray) values = NULL;
	guint contact = (flags >> 1) & 3;
	guint idx = 0;
	guint8 byte;

	g_byte_array_append(data, &flags, 1);
	byte = hr & 0xff;
	g_byte_array_append(data, &byte, 1);
	if ((flags & 1) != 0) {
		byte = hr >> 8;
		g_byte_array_append(data, &byte, 1);
	}
	if ((flags & 8) != 0)
		g_byte_array_append(data, (const guint8 *)"\x39\x30", 2); /* 12345 kJ */
	for (guint i = 0; (flags & 16) != 0 && i < n_rr; i++) {
		guint8 le[2] = {rr[i] & 0xff, rr[i] >> 8};
		g_byte_array_append(data, le, 2);
	}

	values = test_feed_ok(decoder, data->data, data->len, TEST_T0);
	test_int(values, idx++, "heart_rate", hr);
	if (contact >= 2)
		test_bool(values, idx++, "sensor_contact", contact == 3);
	if ((flags & 8) != 0)
		test_int(values, idx++, "energy_expended", 12345);
	for (guint i = 0; (flags & 16) != 0 && i < n_rr; i++)
		test_double(values, idx++, "rr_interval", rr[i] * 1000.0 / 1024.0);
	ck_assert_uint_eq(values->len, idx);
}

START_TEST(test_gatt_hr_flags)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A37, "");

	/* bits 0-4 in every combination, with 1-3 RR values, and the reserved bits set */
	for (guint flags = 0; flags < 32; flags++) {
		for (guint n_rr = 1; n_rr <= 3; n_rr++) {
			test_hr_flags(decoder, (guint8)flags, n_rr);
			test_hr_flags(decoder, (guint8)(flags | 0xe0), n_rr);
			if ((flags & 16) == 0)
				break;
		}
	}
}
END_TEST

START_TEST(test_gatt_hr_vectors)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A37, "_2");
	/* uint8 72 bpm, contact detected, energy 0x0102, RR 0x0400 and 0x0380 */
	const guint8 full[] = {0x1e, 0x48, 0x02, 0x01, 0x00, 0x04, 0x80, 0x03};
	/* uint16 0x0100, supported but not detected */
	const guint8 lost[] = {0x05, 0x00, 0x01};
	/* bit 1 alone means nothing without bit 2 */
	const guint8 bit1[] = {0x02, 0x3c};
	g_autoptr(GPtrArray) values = test_feed_ok(decoder, full, sizeof(full), TEST_T0);

	ck_assert_uint_eq(values->len, 5);
	test_int(values, 0, "heart_rate_2", 72);
	test_bool(values, 1, "sensor_contact_2", TRUE);
	test_int(values, 2, "energy_expended_2", 258);
	test_double(values, 3, "rr_interval_2", 1000.0);
	test_double(values, 4, "rr_interval_2", 875.0);
	ck_assert_uint_eq(((IgwBleValue *)g_ptr_array_index(values, 3))->decimals, 1);

	/* appends after what the caller already had */
	g_ptr_array_unref(g_steal_pointer(&values));
	values = test_feed_ok(decoder, lost, sizeof(lost), TEST_T0);
	ck_assert_uint_eq(values->len, 2);
	test_int(values, 0, "heart_rate_2", 256);
	test_bool(values, 1, "sensor_contact_2", FALSE);

	g_ptr_array_unref(g_steal_pointer(&values));
	values = test_feed_ok(decoder, bit1, sizeof(bit1), TEST_T0);
	ck_assert_uint_eq(values->len, 1);
	test_int(values, 0, "heart_rate_2", 60);
}
END_TEST

START_TEST(test_gatt_hr_malformed)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A37, "");
	const guint8 hr_trailing[] = {0x00, 0x48, 0x00};
	const guint8 hr16_short[] = {0x01, 0x48};
	const guint8 energy_short[] = {0x08, 0x48, 0x01};
	const guint8 rr_none[] = {0x10, 0x48};
	const guint8 rr_odd[] = {0x10, 0x48, 0x00, 0x04, 0x01};
	const guint8 rr_half[] = {0x10, 0x48, 0x00};
	const guint8 energy_rr_none[] = {0x18, 0x48, 0x01, 0x00};
	const guint8 flags_only[] = {0x00};

	test_feed_bad(decoder, NULL, 0);
	test_feed_bad(decoder, flags_only, sizeof(flags_only));
	test_feed_bad(decoder, hr_trailing, sizeof(hr_trailing));
	test_feed_bad(decoder, hr16_short, sizeof(hr16_short));
	test_feed_bad(decoder, energy_short, sizeof(energy_short));
	test_feed_bad(decoder, rr_none, sizeof(rr_none));
	test_feed_bad(decoder, rr_odd, sizeof(rr_odd));
	test_feed_bad(decoder, rr_half, sizeof(rr_half));
	test_feed_bad(decoder, energy_rr_none, sizeof(energy_rr_none));
}
END_TEST

START_TEST(test_gatt_body_sensor_location)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A38, "");
	const gchar *names[] = {"other", "chest", "wrist", "finger", "hand", "ear lobe", "foot"};
	const guint8 bad[] = {7, 0xff};
	const guint8 two[] = {1, 1};

	for (guint8 i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autoptr(GPtrArray) values = test_feed_ok(decoder, &i, 1, TEST_T0);
		IgwBleValue *value;
		ck_assert_uint_eq(values->len, 1);
		test_string(values, 0, "body_sensor_location", names[i]);
		value = g_ptr_array_index(values, 0);
		ck_assert_int_eq(value->category, IGW_FIELD_CATEGORY_IDENTITY);
	}
	test_feed_bad(decoder, &bad[0], 1);
	test_feed_bad(decoder, &bad[1], 1);
	test_feed_bad(decoder, two, sizeof(two));
	test_feed_bad(decoder, NULL, 0);
}
END_TEST

/* a CSC measurement with wheel and crank data */
static GPtrArray *
test_csc_feed(IgwBleGattDecoder *decoder, guint32 wheel_revs, guint16 wheel_time,
	      guint16 crank_revs, guint16 crank_time, gint64 now_us)
{
	const guint8 data[] = {0x03,
			       wheel_revs & 0xff,
			       (wheel_revs >> 8) & 0xff,
			       (wheel_revs >> 16) & 0xff,
			       wheel_revs >> 24,
			       wheel_time & 0xff,
			       wheel_time >> 8,
			       crank_revs & 0xff,
			       crank_revs >> 8,
			       crank_time & 0xff,
			       crank_time >> 8};
	return test_feed_ok(decoder, data, sizeof(data), now_us);
}

START_TEST(test_gatt_csc_rates)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A5B, "");
	g_autoptr(GPtrArray) values = NULL;

	/* the first notification gives counters only */
	values = test_csc_feed(decoder, 100, 1024, 50, 2048, TEST_T0);
	ck_assert_uint_eq(values->len, 2);
	test_int(values, 0, "wheel_revolutions", 100);
	test_int(values, 1, "crank_revolutions", 50);

	/* 4 wheel revolutions in 1 s, 2 crank revolutions in 1.5 s */
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 104, 2048, 52, 2048 + 1536, TEST_T0 + TEST_SECOND);
	ck_assert_uint_eq(values->len, 4);
	test_int(values, 0, "wheel_revolutions", 104);
	test_double(values, 1, "speed", 4 * 2.105);
	test_int(values, 2, "crank_revolutions", 52);
	test_double(values, 3, "cadence", 80.0);

	/* a smaller wheel: 3 revolutions in 0.5 s */
	igw_ble_gatt_decoder_set_wheel_circumference(decoder, 2.0);
	g_ptr_array_unref(values);
	values =
	    test_csc_feed(decoder, 107, 2560, 53, 2048 + 1536 + 768, TEST_T0 + 2 * TEST_SECOND);
	test_double(values, 1, "speed", 12.0);
	test_double(values, 3, "cadence", 80.0);
}
END_TEST

START_TEST(test_gatt_csc_wrap)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A5B, "");
	g_autoptr(GPtrArray) values = NULL;

	values = test_csc_feed(decoder, 1000, 65000, 65534, 65000, TEST_T0);
	ck_assert_uint_eq(values->len, 2);

	/* the times wrap 65000 -> 500: 1036 ticks; the crank count wraps 65534 -> 1 */
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 1005, 500, 1, 500, TEST_T0 + TEST_SECOND);
	ck_assert_uint_eq(values->len, 4);
	test_int(values, 0, "wheel_revolutions", 1005);
	test_double(values, 1, "speed", 5 * 2.105 * 1024 / 1036);
	test_int(values, 2, "crank_revolutions", 1);
	test_double(values, 3, "cadence", 3 * 60.0 * 1024 / 1036);
}
END_TEST

START_TEST(test_gatt_csc_idle)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A5B, "");
	g_autoptr(GPtrArray) values = NULL;

	values = test_csc_feed(decoder, 10, 0, 10, 0, TEST_T0);
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 12, 1024, 11, 1024, TEST_T0 + TEST_SECOND);
	test_double(values, 1, "speed", 2 * 2.105);
	test_double(values, 3, "cadence", 60.0);

	/* Δt = 0: no new event, the last rate holds */
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 12, 1024, 11, 1024, TEST_T0 + 2 * TEST_SECOND);
	ck_assert_uint_eq(values->len, 4);
	test_double(values, 1, "speed", 2 * 2.105);
	test_double(values, 3, "cadence", 60.0);
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 12, 1024, 11, 1024, TEST_T0 + 4 * TEST_SECOND);
	test_double(values, 1, "speed", 2 * 2.105);
	test_double(values, 3, "cadence", 60.0);

	/* more than 3 s without an event: stopped, and it stays so */
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 12, 1024, 11, 1024, TEST_T0 + 4 * TEST_SECOND + 1);
	ck_assert_uint_eq(values->len, 4);
	test_double(values, 1, "speed", 0.0);
	test_double(values, 3, "cadence", 0.0);
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 12, 1024, 11, 1024, TEST_T0 + 10 * TEST_SECOND);
	test_double(values, 1, "speed", 0.0);
	test_double(values, 3, "cadence", 0.0);

	/* and moves again with the next event */
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 13, 2048, 12, 2048, TEST_T0 + 11 * TEST_SECOND);
	test_double(values, 1, "speed", 2.105);
	test_double(values, 3, "cadence", 60.0);
}
END_TEST

START_TEST(test_gatt_csc_reset)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A5B, "");
	g_autoptr(GPtrArray) values = NULL;
	const guint8 wheel_only[] = {0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0c};

	values = test_csc_feed(decoder, 5000, 1024, 10, 1024, TEST_T0);
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 5004, 2048, 11, 2048, TEST_T0 + TEST_SECOND);
	test_double(values, 1, "speed", 4 * 2.105);

	/* the wheel count went back (Set Cumulative Value): no speed for this sample */
	g_ptr_array_unref(values);
	values = test_feed_ok(decoder, wheel_only, sizeof(wheel_only), TEST_T0 + 2 * TEST_SECOND);
	ck_assert_uint_eq(values->len, 1);
	test_int(values, 0, "wheel_revolutions", 5);

	/* the next one subtracts from the reset count: 2 revolutions in 0.5 s */
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 7, 0x0c00 + 512, 12, 3072, TEST_T0 + 3 * TEST_SECOND);
	ck_assert_uint_eq(values->len, 4);
	test_double(values, 1, "speed", 4 * 2.105);
	test_double(values, 3, "cadence", 60.0);
}
END_TEST

START_TEST(test_gatt_csc_garbage)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A5B, "");
	g_autoptr(GPtrArray) values = NULL;

	values = test_csc_feed(decoder, 0, 0, 0, 0, TEST_T0);
	/* 100 revolutions in 1/1024 s; 10 crank revolutions in 1 s */
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 100, 1, 10, 1024, TEST_T0 + TEST_SECOND);
	ck_assert_uint_eq(values->len, 2);
	test_int(values, 0, "wheel_revolutions", 100);
	test_int(values, 1, "crank_revolutions", 10);

	/* a garbage rate is not kept for Δt = 0 either */
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 100, 1, 10, 1024, TEST_T0 + 2 * TEST_SECOND);
	ck_assert_uint_eq(values->len, 2);

	/* the limits themselves are reported: 100 m/s and 300 rpm */
	igw_ble_gatt_decoder_set_wheel_circumference(decoder, 2.5);
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 140, 1025, 15, 2048, TEST_T0 + 3 * TEST_SECOND);
	ck_assert_uint_eq(values->len, 4);
	test_double(values, 1, "speed", 100.0);
	test_double(values, 3, "cadence", 300.0);

	/* a gap longer than the 64 s the event times can measure gives no rate */
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 150, 2049, 20, 3072, TEST_T0 + 80 * TEST_SECOND);
	ck_assert_uint_eq(values->len, 2);
}
END_TEST

START_TEST(test_gatt_csc_lengths)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A5B, "");
	const guint8 crank_only[] = {0x02, 0x07, 0x00, 0x00, 0x04};
	const guint8 flags_only[] = {0xfc};
	const guint8 data[12] = {0x03};
	g_autoptr(GPtrArray) values = NULL;

	/* exactly 1, 7, 5 or 11 bytes for flags 0, 1, 2, 3 */
	for (guint8 flags = 0; flags < 4; flags++) {
		gsize expected = 1 + ((flags & 1) != 0 ? 6 : 0) + ((flags & 2) != 0 ? 4 : 0);
		guint8 copy[12] = {0};
		memcpy(copy, data, sizeof(copy));
		copy[0] = flags;
		for (gsize len = 0; len <= sizeof(copy); len++) {
			if (len == expected) {
				g_autoptr(GPtrArray) ok = test_feed_ok(decoder, copy, len, TEST_T0);
				(void)ok;
			} else {
				test_feed_bad(decoder, copy, len);
			}
		}
	}

	/* reserved flag bits are ignored; no data is nothing to report */
	values = test_feed_ok(decoder, flags_only, sizeof(flags_only), TEST_T0);
	ck_assert_uint_eq(values->len, 0);
	g_ptr_array_unref(values);
	values = test_feed_ok(decoder, crank_only, sizeof(crank_only), TEST_T0);
	ck_assert_uint_eq(values->len, 1);
	test_int(values, 0, "crank_revolutions", 7);
}
END_TEST

START_TEST(test_gatt_csc_features)
{
	g_autoptr(IgwBleGattDecoder) feature = igw_ble_gatt_decoder_new(0x2A5C, "");
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A5B, "");
	const guint8 wheel_crank[] = {0x03, 0x00};
	const guint8 all[] = {0x07, 0xff};
	const guint8 none[] = {0x00, 0x00};
	g_autoptr(GPtrArray) values = NULL;

	values = test_feed_ok(feature, wheel_crank, sizeof(wheel_crank), TEST_T0);
	ck_assert_uint_eq(values->len, 1);
	test_string(values, 0, "csc_features", "wheel,crank");
	ck_assert_int_eq(((IgwBleValue *)g_ptr_array_index(values, 0))->category,
			 IGW_FIELD_CATEGORY_IDENTITY);
	g_ptr_array_unref(values);
	values = test_feed_ok(feature, all, sizeof(all), TEST_T0);
	test_string(values, 0, "csc_features", "wheel,crank,multiple locations");
	g_ptr_array_unref(values);
	values = test_feed_ok(feature, none, sizeof(none), TEST_T0);
	test_string(values, 0, "csc_features", "none");
	test_feed_bad(feature, wheel_crank, 1);
	test_feed_bad(feature, all, 0);

	/* a crank-only sensor whose measurement claims wheel data too */
	igw_ble_gatt_decoder_set_csc_features(decoder, 0x0002);
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 10, 0, 10, 0, TEST_T0);
	ck_assert_uint_eq(values->len, 1);
	test_int(values, 0, "crank_revolutions", 10);
	g_ptr_array_unref(values);
	values = test_csc_feed(decoder, 20, 1024, 11, 1024, TEST_T0 + TEST_SECOND);
	ck_assert_uint_eq(values->len, 2);
	test_int(values, 0, "crank_revolutions", 11);
	test_double(values, 1, "cadence", 60.0);
}
END_TEST

START_TEST(test_gatt_temperature)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A6E, "");
	g_autoptr(IgwBleGattDecoder) second = igw_ble_gatt_decoder_new(0x2A6E, "_2");
	const guint8 golden[] = {0xc4, 0x09};
	const guint8 negative[] = {0x0c, 0xfe};	     /* -500 */
	const guint8 absolute_zero[] = {0x4d, 0x95}; /* -27315 */
	const guint8 below[] = {0x4c, 0x95};
	const guint8 unknown[] = {0x00, 0x80};
	const guint8 max[] = {0xff, 0x7f};
	g_autoptr(GPtrArray) values = NULL;
	IgwBleValue *value;

	values = test_feed_ok(decoder, golden, sizeof(golden), TEST_T0);
	ck_assert_uint_eq(values->len, 1);
	test_double(values, 0, "temperature", 25.00);
	value = g_ptr_array_index(values, 0);
	ck_assert_str_eq(value->unit, "°C");
	ck_assert_uint_eq(value->decimals, 2);
	ck_assert_int_eq(value->category, IGW_FIELD_CATEGORY_MOMENTARY);
	g_ptr_array_unref(values);
	values = test_feed_ok(second, negative, sizeof(negative), TEST_T0);
	test_double(values, 0, "temperature_2", -5.00);
	g_ptr_array_unref(values);
	values = test_feed_ok(decoder, absolute_zero, sizeof(absolute_zero), TEST_T0);
	test_double(values, 0, "temperature", -273.15);
	g_ptr_array_unref(values);
	values = test_feed_ok(decoder, max, sizeof(max), TEST_T0);
	test_double(values, 0, "temperature", 327.67);

	/* "value is not known": nothing to report, and no error */
	g_ptr_array_unref(values);
	values = test_feed_ok(decoder, unknown, sizeof(unknown), TEST_T0);
	ck_assert_uint_eq(values->len, 0);

	test_feed_bad(decoder, below, sizeof(below));
	test_feed_bad(decoder, golden, 1);
	test_feed_bad(decoder, absolute_zero, 0);
}
END_TEST

START_TEST(test_gatt_humidity)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A6F, "");
	const guint8 golden[] = {0x7e, 0x17, 0x00}; /* 6014 */
	const guint8 full[] = {0x10, 0x27};	    /* 10000 */
	const guint8 over[] = {0x11, 0x27};
	const guint8 unknown[] = {0xff, 0xff};
	g_autoptr(GPtrArray) values = NULL;
	IgwBleValue *value;

	values = test_feed_ok(decoder, golden, 2, TEST_T0);
	test_double(values, 0, "humidity", 60.14);
	value = g_ptr_array_index(values, 0);
	ck_assert_str_eq(value->unit, "%");
	ck_assert_uint_eq(value->decimals, 2);
	g_ptr_array_unref(values);
	values = test_feed_ok(decoder, full, sizeof(full), TEST_T0);
	test_double(values, 0, "humidity", 100.00);
	g_ptr_array_unref(values);
	values = test_feed_ok(decoder, unknown, sizeof(unknown), TEST_T0);
	ck_assert_uint_eq(values->len, 0);

	test_feed_bad(decoder, over, sizeof(over));
	test_feed_bad(decoder, golden, sizeof(golden));
	test_feed_bad(decoder, golden, 1);
}
END_TEST

START_TEST(test_gatt_pressure)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A6D, "");
	const guint8 golden[] = {0xe4, 0x6c, 0x0f, 0x00, 0x00};
	const guint8 max[] = {0xff, 0xff, 0xff, 0xff};
	g_autoptr(GPtrArray) values = NULL;
	IgwBleValue *value;

	values = test_feed_ok(decoder, golden, 4, TEST_T0);
	ck_assert_uint_eq(values->len, 1);
	test_double(values, 0, "pressure", 1010.916);
	value = g_ptr_array_index(values, 0);
	ck_assert_str_eq(value->unit, "hPa");
	ck_assert_uint_eq(value->decimals, 3);
	g_ptr_array_unref(values);
	values = test_feed_ok(decoder, max, sizeof(max), TEST_T0);
	test_double(values, 0, "pressure", 4294967.295);

	test_feed_bad(decoder, golden, sizeof(golden));
	test_feed_bad(decoder, golden, 3);
	test_feed_bad(decoder, golden, 2);
}
END_TEST

START_TEST(test_gatt_battery)
{
	g_autoptr(IgwBleGattDecoder) decoder = igw_ble_gatt_decoder_new(0x2A19, "");
	const guint8 levels[] = {0, 100, 101, 255};
	g_autoptr(GPtrArray) values = NULL;
	IgwBleValue *value;

	values = test_feed_ok(decoder, &levels[0], 1, TEST_T0);
	test_int(values, 0, "battery", 0);
	g_ptr_array_unref(values);
	values = test_feed_ok(decoder, &levels[1], 1, TEST_T0);
	ck_assert_uint_eq(values->len, 1);
	test_int(values, 0, "battery", 100);
	value = g_ptr_array_index(values, 0);
	ck_assert_str_eq(value->unit, "%");
	ck_assert(value->category & IGW_FIELD_CATEGORY_STATUS);

	test_feed_bad(decoder, &levels[2], 1);
	test_feed_bad(decoder, &levels[3], 1);
	test_feed_bad(decoder, levels, 2);
	test_feed_bad(decoder, levels, 0);
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
}

static Suite *
test_ble_gatt_suite(void)
{
	Suite *suite = suite_create("ble-gatt");
	test_suite_add(suite, "ble-gatt/lookup", test_gatt_lookup);
	test_suite_add(suite, "ble-gatt/describe", test_gatt_describe);
	test_suite_add(suite, "ble-gatt/hr-flags", test_gatt_hr_flags);
	test_suite_add(suite, "ble-gatt/hr-vectors", test_gatt_hr_vectors);
	test_suite_add(suite, "ble-gatt/hr-malformed", test_gatt_hr_malformed);
	test_suite_add(suite, "ble-gatt/body-sensor-location", test_gatt_body_sensor_location);
	test_suite_add(suite, "ble-gatt/csc-rates", test_gatt_csc_rates);
	test_suite_add(suite, "ble-gatt/csc-wrap", test_gatt_csc_wrap);
	test_suite_add(suite, "ble-gatt/csc-idle", test_gatt_csc_idle);
	test_suite_add(suite, "ble-gatt/csc-reset", test_gatt_csc_reset);
	test_suite_add(suite, "ble-gatt/csc-garbage", test_gatt_csc_garbage);
	test_suite_add(suite, "ble-gatt/csc-lengths", test_gatt_csc_lengths);
	test_suite_add(suite, "ble-gatt/csc-features", test_gatt_csc_features);
	test_suite_add(suite, "ble-gatt/temperature", test_gatt_temperature);
	test_suite_add(suite, "ble-gatt/humidity", test_gatt_humidity);
	test_suite_add(suite, "ble-gatt/pressure", test_gatt_pressure);
	test_suite_add(suite, "ble-gatt/battery", test_gatt_battery);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_ble_gatt_suite());
}
