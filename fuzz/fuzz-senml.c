/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <math.h>
#include <string.h>

#include "igw-coap-payload.h"
#include "igw-error.h"
#include "igw-fuzz.h"
#include "igw-senml.h"

/*
 * the first byte picks the decoder: 0 SenML JSON, 1 SenML CBOR, 2 text/plain,
 * 3 no content-format; the rest (not NUL-terminated) is the payload. Every record
 * decoded is then written as SenML JSON, SenML CBOR and text and read back
 */

#define IGW_FUZZ_NOW 1700000000.0

static const gint igw_fuzz_formats[] = {
    IGW_COAP_FORMAT_SENML_JSON,
    IGW_COAP_FORMAT_SENML_CBOR,
    IGW_COAP_FORMAT_TEXT,
    -1,
};

static void
igw_fuzz_check_record(const IgwSenmlRecord *record)
{
	igw_fuzz_require(record->name != NULL && igw_senml_name_is_valid(record->name));
	igw_fuzz_require(record->unit == NULL ||
			 (record->unit[0] != '\0' && g_utf8_validate(record->unit, -1, NULL)));
	igw_fuzz_require(isfinite(record->time));
	igw_fuzz_require(isfinite(record->update_time));
	igw_fuzz_require(!record->has_sum || isfinite(record->sum));
	switch (record->type) {
	case IGW_SENML_NUMBER:
		/* NaN only in a record that has just a sum */
		igw_fuzz_require(isfinite(record->number) ||
				 (record->has_sum && isnan(record->number)));
		igw_fuzz_require(record->string == NULL);
		break;
	case IGW_SENML_STRING:
	case IGW_SENML_DATA:
		igw_fuzz_require(record->string != NULL &&
				 g_utf8_validate(record->string, -1, NULL));
		break;
	case IGW_SENML_BOOLEAN:
		igw_fuzz_require(record->boolean == TRUE || record->boolean == FALSE);
		break;
	default:
		igw_fuzz_require(FALSE);
	}
	(void)igw_senml_unit_display(record->unit);
}

static GVariant *
igw_fuzz_record_to_variant(const IgwSenmlRecord *record)
{
	if (record->type == IGW_SENML_NUMBER && isfinite(record->number))
		return g_variant_ref_sink(g_variant_new_double(record->number));
	if (record->type == IGW_SENML_BOOLEAN)
		return g_variant_ref_sink(g_variant_new_boolean(record->boolean));
	if (record->type == IGW_SENML_STRING)
		return g_variant_ref_sink(g_variant_new_string(record->string));
	return NULL;
}

/* SenML keeps name and value; text keeps the value as far as text can tell types apart */
static void
igw_fuzz_check_round_trip(const IgwSenmlRecord *record, gint format)
{
	g_autoptr(GVariant) value = igw_fuzz_record_to_variant(record);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GPtrArray) again = NULL;
	const IgwSenmlRecord *copy;

	if (value == NULL)
		return;
	bytes = igw_coap_payload_encode(format, record->name, value, &error);
	if (bytes == NULL) {
		/* only a long string may not fit */
		igw_fuzz_require(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
		igw_fuzz_require(record->type == IGW_SENML_STRING);
		return;
	}
	again = igw_coap_payload_decode(format, g_bytes_get_data(bytes, NULL),
					g_bytes_get_size(bytes), IGW_FUZZ_NOW, &error);
	if (format == IGW_COAP_FORMAT_TEXT) {
		/* text: strings are trimmed and may read as numbers, or be too long */
		igw_fuzz_require(again != NULL || record->type == IGW_SENML_STRING);
		if (again != NULL && record->type == IGW_SENML_NUMBER) {
			copy = g_ptr_array_index(again, 0);
			igw_fuzz_require(copy->type == IGW_SENML_NUMBER &&
					 copy->number == record->number);
		}
		return;
	}
	igw_fuzz_require(again != NULL && again->len == 1);
	copy = g_ptr_array_index(again, 0);
	igw_fuzz_require(g_strcmp0(copy->name, record->name) == 0);
	igw_fuzz_require(copy->type == record->type);
	igw_fuzz_require(copy->type != IGW_SENML_NUMBER || copy->number == record->number);
	igw_fuzz_require(copy->type != IGW_SENML_BOOLEAN || copy->boolean == record->boolean);
	igw_fuzz_require(copy->type != IGW_SENML_STRING ||
			 g_strcmp0(copy->string, record->string) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) records = NULL;
	gint format;

	igw_fuzz_init();
	if (size == 0)
		return 0;
	format = igw_fuzz_formats[data[0] % G_N_ELEMENTS(igw_fuzz_formats)];
	records = igw_coap_payload_decode(format, data + 1, size - 1, IGW_FUZZ_NOW, &error);
	igw_fuzz_require((records == NULL) != (error == NULL));
	if (records == NULL) {
		igw_fuzz_require(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
		igw_fuzz_require(g_utf8_validate(error->message, -1, NULL));
		return 0;
	}
	igw_fuzz_require(format > 0 || records->len == 1);
	for (guint i = 0; i < records->len; i++) {
		const IgwSenmlRecord *record = g_ptr_array_index(records, i);
		igw_fuzz_check_record(record);
		/* a few records are enough to check the encoders */
		if (i >= 4)
			continue;
		igw_fuzz_check_round_trip(record, IGW_COAP_FORMAT_SENML_JSON);
		igw_fuzz_check_round_trip(record, IGW_COAP_FORMAT_SENML_CBOR);
		igw_fuzz_check_round_trip(record, IGW_COAP_FORMAT_TEXT);
	}
	return 0;
}
