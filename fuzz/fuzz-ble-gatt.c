/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <math.h>
#include <string.h>

#include "igw-ble-gatt.h"
#include "igw-error.h"
#include "igw-fuzz.h"

/*
 * Input layout:
 *   byte 0: selector. Bits 0-2 pick the characteristic from igw_fuzz_uuids[]
 *           (0 heart rate 0x2A37, 1 body sensor location 0x2A38, 2 CSC
 *           measurement 0x2A5B, 3 CSC feature 0x2A5C, 4 temperature 0x2A6E,
 *           5 humidity 0x2A6F, 6 pressure 0x2A6D, 7 battery 0x2A19);
 *           bit 3 calls set_csc_features() with bits 4-6 as the features;
 *           bit 7 uses the field suffix "_2".
 *   then records until the input ends, one value each:
 *     byte: value length L; byte: time since the previous value in 1/16 s;
 *     L bytes of value (fewer if the input ends first).
 * A sequence of records drives the CSC state: rates, wrap, idle decay, reset.
 */

static const guint16 igw_fuzz_uuids[] = {0x2A37, 0x2A38, 0x2A5B, 0x2A5C,
					 0x2A6E, 0x2A6F, 0x2A6D, 0x2A19};

#define IGW_FUZZ_TICK_US (G_USEC_PER_SEC / 16)

/* a value's field must be one the characteristic describes, with its type and unit */
static void
igw_fuzz_check_described(GPtrArray *described, IgwBleValue *value)
{
	for (guint i = 0; i < described->len; i++) {
		IgwBleValue *field = g_ptr_array_index(described, i);
		if (g_strcmp0(field->field, value->field) != 0)
			continue;
		igw_fuzz_require(field->type == value->type);
		igw_fuzz_require(g_strcmp0(field->unit, value->unit) == 0);
		igw_fuzz_require(field->decimals == value->decimals);
		igw_fuzz_require(field->category == value->category);
		return;
	}
	igw_fuzz_require(FALSE);
}

/* what the plugin and the thing model rely on */
static void
igw_fuzz_check_value(IgwBleValue *value)
{
	igw_fuzz_require(value->value != NULL && !g_variant_is_floating(value->value));
	igw_fuzz_require(
	    g_variant_is_of_type(value->value, igw_field_type_to_variant_type(value->type)));
	if (value->type == IGW_FIELD_TYPE_NUMERIC) {
		gdouble number = g_variant_get_double(value->value);
		igw_fuzz_require(isfinite(number));
		if (g_str_has_prefix(value->field, "speed"))
			igw_fuzz_require(number >= 0 && number <= 100);
		if (g_str_has_prefix(value->field, "cadence"))
			igw_fuzz_require(number >= 0 && number <= 300);
		if (g_str_has_prefix(value->field, "humidity"))
			igw_fuzz_require(number >= 0 && number <= 100);
		if (g_str_has_prefix(value->field, "temperature"))
			igw_fuzz_require(number >= -273.15 && number <= 327.67);
	}
	if (value->type == IGW_FIELD_TYPE_INTEGER && g_str_has_prefix(value->field, "battery"))
		igw_fuzz_require(g_variant_get_int64(value->value) <= 100);
	if (value->type == IGW_FIELD_TYPE_STRING) {
		const gchar *text = g_variant_get_string(value->value, NULL);
		igw_fuzz_require(g_utf8_validate(text, -1, NULL));
	}
}

/* a result XOR an error; an error appends nothing */
static void
igw_fuzz_feed(IgwBleGattDecoder *decoder, GPtrArray *described, const guint8 *data, gsize len,
	      gint64 now_us)
{
	g_autoptr(GPtrArray) values = igw_ble_values_new();
	g_autoptr(GError) error = NULL;
	IgwBleValue *first;
	gboolean ok;

	/* something the caller had already must stay */
	g_ptr_array_add(values,
			igw_ble_value_new("before", IGW_FIELD_TYPE_BOOLEAN, NULL, 0,
					  IGW_FIELD_CATEGORY_NONE, g_variant_new_boolean(TRUE)));
	ok = igw_ble_gatt_decoder_feed(decoder, data, len, now_us, values, &error);
	igw_fuzz_require(ok == (error == NULL));
	first = g_ptr_array_index(values, 0);
	igw_fuzz_require(g_strcmp0(first->field, "before") == 0);
	if (!ok) {
		igw_fuzz_require(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
		igw_fuzz_require(g_utf8_validate(error->message, -1, NULL));
		igw_fuzz_require(values->len == 1);
		return;
	}
	for (guint i = 1; i < values->len; i++) {
		IgwBleValue *value = g_ptr_array_index(values, i);
		igw_fuzz_check_value(value);
		igw_fuzz_check_described(described, value);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(IgwBleGattDecoder) decoder = NULL;
	g_autoptr(GPtrArray) described = igw_ble_values_new();
	gint64 now_us = 1000 * G_USEC_PER_SEC;
	gsize offset = 1;

	igw_fuzz_init();
	if (size == 0)
		return 0;
	decoder = igw_ble_gatt_decoder_new(igw_fuzz_uuids[data[0] & 7],
					   (data[0] & 0x80) != 0 ? "_2" : "");
	igw_fuzz_require(decoder != NULL);
	if ((data[0] & 0x08) != 0)
		igw_ble_gatt_decoder_set_csc_features(decoder, (data[0] >> 4) & 7);
	igw_ble_gatt_decoder_describe(decoder, described);
	for (guint i = 0; i < described->len; i++)
		igw_fuzz_check_value(g_ptr_array_index(described, i));

	while (offset + 2 <= size) {
		gsize len = MIN((gsize)data[offset], size - offset - 2);
		now_us += data[offset + 1] * IGW_FUZZ_TICK_US;
		offset += 2;
		/* a copy of exactly @len bytes, so ASan sees any read beyond the value */
		{
			g_autofree guint8 *value = g_memdup2(data + offset, len);
			igw_fuzz_feed(decoder, described, value, len, now_us);
		}
		offset += len;
	}
	return 0;
}
