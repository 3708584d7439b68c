/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <math.h>
#include <string.h>

#include "igw-error.h"
#include "igw-field.h"
#include "igw-fuzz.h"

/* every type, numbers with and without a range, and an enum */
static GPtrArray *
igw_fuzz_fields_new(void)
{
	GPtrArray *fields = g_ptr_array_new_with_free_func(g_object_unref);
	const gchar *modes[] = {"auto", "heat", "cool", "", NULL};
	IgwField *field;

	field = igw_field_new("temperature", IGW_FIELD_TYPE_NUMERIC);
	igw_field_set_range(field, -40, 85);
	igw_field_set_decimals(field, 2);
	g_ptr_array_add(fields, field);
	field = igw_field_new("energy", IGW_FIELD_TYPE_NUMERIC);
	igw_field_set_decimals(field, 9);
	g_ptr_array_add(fields, field);
	field = igw_field_new("brightness", IGW_FIELD_TYPE_INTEGER);
	igw_field_set_range(field, 0, 100);
	g_ptr_array_add(fields, field);
	g_ptr_array_add(fields, igw_field_new("count", IGW_FIELD_TYPE_INTEGER));
	g_ptr_array_add(fields, igw_field_new("on", IGW_FIELD_TYPE_BOOLEAN));
	g_ptr_array_add(fields, igw_field_new("label", IGW_FIELD_TYPE_STRING));
	field = igw_field_new("mode", IGW_FIELD_TYPE_ENUM);
	igw_field_set_enum_values(field, modes);
	g_ptr_array_add(fields, field);
	g_ptr_array_add(fields, igw_field_new("since", IGW_FIELD_TYPE_DATE_TIME));
	g_ptr_array_add(fields, igw_field_new("interval", IGW_FIELD_TYPE_DURATION));
	return fields;
}

/* the text the daemon shows must parse back to the value, as far as the format keeps it */
static void
igw_fuzz_check_round_trip(IgwField *field, GVariant *value, const gchar *text)
{
	g_autofree gchar *seconds = NULL;
	g_autoptr(GVariant) again = NULL;
	gint64 usec;

	switch (igw_field_get_value_type(field)) {
	case IGW_FIELD_TYPE_NUMERIC: {
		gdouble number = g_variant_get_double(value);
		again = igw_field_parse_value(field, text, NULL);
		igw_fuzz_require(again != NULL);
		igw_fuzz_require(fabs(g_variant_get_double(again) - number) <=
				 0.5 * pow(10, -(gint)igw_field_get_decimals(field)) +
				     fabs(number) * 1e-15);
		break;
	}
	case IGW_FIELD_TYPE_DATE_TIME:
		usec = g_variant_get_int64(value);
		again = igw_field_parse_value(field, text, NULL);
		igw_fuzz_require(again != NULL);
		/* the format drops the fraction of a second, towards the past */
		igw_fuzz_require(g_variant_get_int64(again) <= usec);
		igw_fuzz_require(usec - g_variant_get_int64(again) < G_USEC_PER_SEC);
		break;
	case IGW_FIELD_TYPE_DURATION:
		igw_fuzz_require(g_str_has_suffix(text, "s"));
		seconds = g_strndup(text, strlen(text) - 1);
		again = igw_field_parse_value(field, seconds, NULL);
		igw_fuzz_require(again != NULL && g_variant_equal(again, value));
		break;
	default:
		again = igw_field_parse_value(field, text, NULL);
		igw_fuzz_require(again != NULL && g_variant_equal(again, value));
		break;
	}
}

static void
igw_fuzz_check_field(IgwField *field, const gchar *text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) value = igw_field_parse_value(field, text, &error);
	g_autofree gchar *formatted = NULL;

	igw_fuzz_require((value == NULL) != (error == NULL));
	if (value == NULL) {
		igw_fuzz_require(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
		/* errors go back to the sender as chat messages */
		igw_fuzz_require(g_utf8_validate(error->message, -1, NULL));
		return;
	}
	igw_fuzz_require(!g_variant_is_floating(value));
	igw_fuzz_require(g_variant_is_of_type(
	    value, igw_field_type_to_variant_type(igw_field_get_value_type(field))));
	igw_fuzz_require(igw_field_check_value(field, value, NULL));
	formatted = igw_field_format_value(field, value);
	igw_fuzz_require(formatted != NULL && g_utf8_validate(formatted, -1, NULL));
	igw_fuzz_check_round_trip(field, value, formatted);
}

/* text -> a checked value XOR an error, for every field type */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static GPtrArray *fields = NULL;
	g_autofree gchar *text = igw_fuzz_strdup(data, size);

	igw_fuzz_init();
	if (fields == NULL)
		fields = igw_fuzz_fields_new();
	for (guint i = 0; i < fields->len; i++)
		igw_fuzz_check_field(g_ptr_array_index(fields, i), text);
	return 0;
}
