/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwCoapPayload"

#include <cbor.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "igw-coap-payload.h"
#include "iotgw-plugin.h"

/* the shortest "%.Ng" that reads back as the same double */
static gchar *
igw_coap_payload_format_double(gdouble number)
{
	gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
	for (gint precision = 1; precision <= 17; precision++) {
		g_autofree gchar *format = g_strdup_printf("%%.%dg", precision);
		g_ascii_formatd(buf, sizeof(buf), format, number);
		if (g_ascii_strtod(buf, NULL) == number)
			break;
	}
	return g_strdup(buf);
}

/* a decimal number as people and simple nodes write it: no hex, inf, nan or spaces */
static gboolean
igw_coap_payload_is_decimal(const gchar *text)
{
	const gchar *p = text;
	guint digits = 0;

	if (*p == '+' || *p == '-')
		p++;
	for (; g_ascii_isdigit(*p); p++)
		digits++;
	if (*p == '.') {
		for (p++; g_ascii_isdigit(*p); p++)
			digits++;
	}
	if (digits == 0)
		return FALSE;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!g_ascii_isdigit(*p))
			return FALSE;
		while (g_ascii_isdigit(*p))
			p++;
	}
	return *p == '\0';
}

static gboolean
igw_coap_payload_parse_boolean(const gchar *text, gboolean *value)
{
	if (g_ascii_strcasecmp(text, "true") == 0 || g_ascii_strcasecmp(text, "on") == 0) {
		*value = TRUE;
		return TRUE;
	}
	if (g_ascii_strcasecmp(text, "false") == 0 || g_ascii_strcasecmp(text, "off") == 0) {
		*value = FALSE;
		return TRUE;
	}
	return FALSE;
}

/* text/plain: one nameless record, typed by what the text looks like */
static GPtrArray *
igw_coap_payload_decode_text(const guint8 *data, gsize len, gdouble now, GError **error)
{
	g_autoptr(GPtrArray) records =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_senml_record_free);
	g_autoptr(IgwSenmlRecord) record = g_new0(IgwSenmlRecord, 1);
	g_autofree gchar *text = NULL;

	/* refuses NUL bytes too */
	if (len > 0 && !g_utf8_validate_len((const gchar *)data, len, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "text payload is not valid UTF-8");
		return NULL;
	}
	text = g_strstrip(g_strndup((const gchar *)data, len));
	record->name = g_strdup("");
	record->time = now;
	if (igw_coap_payload_is_decimal(text) && isfinite(g_ascii_strtod(text, NULL))) {
		record->type = IGW_SENML_NUMBER;
		record->number = g_ascii_strtod(text, NULL);
	} else if (igw_coap_payload_parse_boolean(text, &record->boolean)) {
		record->type = IGW_SENML_BOOLEAN;
	} else if (strlen(text) > IGW_COAP_TEXT_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "text payload of %" G_GSIZE_FORMAT " bytes is more than %d",
			    strlen(text), IGW_COAP_TEXT_MAX);
		return NULL;
	} else {
		record->type = IGW_SENML_STRING;
		record->string = g_steal_pointer(&text);
	}
	g_ptr_array_add(records, g_steal_pointer(&record));
	return g_steal_pointer(&records);
}

GPtrArray *
igw_coap_payload_decode(gint content_format, const guint8 *data, gsize len, gdouble now,
			GError **error)
{
	if (content_format != -1 && content_format != IGW_COAP_FORMAT_TEXT &&
	    content_format != IGW_COAP_FORMAT_SENML_JSON &&
	    content_format != IGW_COAP_FORMAT_SENML_CBOR) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
			    "content-format %d is not supported", content_format);
		return NULL;
	}
	if (len > IGW_COAP_PAYLOAD_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "payload of %" G_GSIZE_FORMAT " bytes is more than %d", len,
			    IGW_COAP_PAYLOAD_MAX);
		return NULL;
	}
	if (data == NULL && len > 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "payload is missing");
		return NULL;
	}
	if (content_format == IGW_COAP_FORMAT_SENML_JSON)
		return igw_senml_parse_json((const gchar *)data, len, now, error);
	if (content_format == IGW_COAP_FORMAT_SENML_CBOR)
		return igw_senml_parse_cbor(data, len, now, error);
	return igw_coap_payload_decode_text(data, len, now, error);
}

static gboolean
igw_coap_payload_check_value(const gchar *name, GVariant *value, GError **error)
{
	if (value == NULL || !(g_variant_is_of_type(value, G_VARIANT_TYPE_DOUBLE) ||
			       g_variant_is_of_type(value, G_VARIANT_TYPE_INT64) ||
			       g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN) ||
			       g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "a CoAP value is of type d, x, b or s, not %s",
			    value != NULL ? g_variant_get_type_string(value) : "nothing");
		return FALSE;
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_DOUBLE) &&
	    !isfinite(g_variant_get_double(value))) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "a CoAP value must be a finite number");
		return FALSE;
	}
	if (name != NULL && !igw_senml_name_is_valid(name)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "'%s' is not a SenML name",
			    name);
		return FALSE;
	}
	return TRUE;
}

static gchar *
igw_coap_payload_encode_text(GVariant *value)
{
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_DOUBLE))
		return igw_coap_payload_format_double(g_variant_get_double(value));
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64))
		return g_strdup_printf("%" G_GINT64_FORMAT, g_variant_get_int64(value));
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
		return g_strdup(g_variant_get_boolean(value) ? "1" : "0");
	return g_variant_dup_string(value, NULL);
}

/* a JSON string literal; the text is UTF-8 already (GVariant "s" and SenML names are) */
static void
igw_coap_payload_append_json_string(GString *out, const gchar *text)
{
	g_string_append_c(out, '"');
	for (const gchar *p = text; *p != '\0'; p++) {
		guchar c = (guchar)*p;
		if (c == '"' || c == '\\')
			g_string_append_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			g_string_append_printf(out, "\\u%04x", c);
		else
			g_string_append_c(out, (gchar)c);
	}
	g_string_append_c(out, '"');
}

static gchar *
igw_coap_payload_encode_json(const gchar *name, GVariant *value)
{
	g_autoptr(GString) out = g_string_new("[{");
	g_autofree gchar *text = NULL;

	if (name != NULL && name[0] != '\0') {
		g_string_append(out, "\"n\":");
		igw_coap_payload_append_json_string(out, name);
		g_string_append_c(out, ',');
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
		g_string_append(out, "\"vs\":");
		igw_coap_payload_append_json_string(out, g_variant_get_string(value, NULL));
	} else if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN)) {
		g_string_append(out, "\"vb\":");
		g_string_append(out, g_variant_get_boolean(value) ? "true" : "false");
	} else {
		text = igw_coap_payload_encode_text(value);
		g_string_append_printf(out, "\"v\":%s", text);
	}
	g_string_append(out, "}]");
	return g_string_free(g_steal_pointer(&out), FALSE);
}

static void
igw_coap_payload_cbor_free(cbor_item_t *item)
{
	cbor_decref(&item);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cbor_item_t, igw_coap_payload_cbor_free)

static cbor_item_t *
igw_coap_payload_cbor_label(gint label)
{
	return label >= 0 ? cbor_build_uint8((guint8)label)
			  : cbor_build_negint8((guint8)(-1 - label));
}

static cbor_item_t *
igw_coap_payload_cbor_value(GVariant *value, gint *label)
{
	gint64 integer;
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
		*label = 3;
		return cbor_build_string(g_variant_get_string(value, NULL));
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN)) {
		*label = 4;
		return cbor_build_bool(g_variant_get_boolean(value));
	}
	*label = 2;
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_DOUBLE))
		return cbor_build_float8(g_variant_get_double(value));
	integer = g_variant_get_int64(value);
	if (integer >= 0)
		return cbor_build_uint64((guint64)integer);
	return cbor_build_negint64((guint64)(-1 - integer));
}

static gboolean
igw_coap_payload_cbor_add(cbor_item_t *map, cbor_item_t *key, cbor_item_t *value)
{
	g_autoptr(cbor_item_t) k = key;
	g_autoptr(cbor_item_t) v = value;
	if (k == NULL || v == NULL)
		return FALSE;
	return cbor_map_add(map, (struct cbor_pair){.key = k, .value = v});
}

static GBytes *
igw_coap_payload_cbor_build(const gchar *name, GVariant *value)
{
	g_autoptr(cbor_item_t) pack = cbor_new_definite_array(1);
	g_autoptr(cbor_item_t) record = NULL;
	gboolean named = name != NULL && name[0] != '\0';
	guchar *buffer = NULL;
	gsize buffer_size = 0;
	gsize len;
	gint label = 0;
	cbor_item_t *item;

	record = cbor_new_definite_map(named ? 2 : 1);
	if (pack == NULL || record == NULL)
		return NULL;
	if (named && !igw_coap_payload_cbor_add(record, igw_coap_payload_cbor_label(0),
						cbor_build_string(name)))
		return NULL;
	item = igw_coap_payload_cbor_value(value, &label);
	if (!igw_coap_payload_cbor_add(record, igw_coap_payload_cbor_label(label), item))
		return NULL;
	if (!cbor_array_push(pack, record))
		return NULL;
	len = cbor_serialize_alloc(pack, &buffer, &buffer_size);
	if (len == 0) {
		free(buffer);
		return NULL;
	}
	/* libcbor allocates with malloc() */
	return g_bytes_new_with_free_func(buffer, len, free, buffer);
}

GBytes *
igw_coap_payload_encode(gint content_format, const gchar *name, GVariant *value, GError **error)
{
	g_autoptr(GBytes) bytes = NULL;
	gchar *text = NULL;

	if (content_format != -1 && content_format != IGW_COAP_FORMAT_TEXT &&
	    content_format != IGW_COAP_FORMAT_SENML_JSON &&
	    content_format != IGW_COAP_FORMAT_SENML_CBOR) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
			    "cannot write a value as content-format %d", content_format);
		return NULL;
	}
	if (!igw_coap_payload_check_value(name, value, error))
		return NULL;
	if (content_format == IGW_COAP_FORMAT_SENML_CBOR) {
		bytes = igw_coap_payload_cbor_build(name, value);
		if (bytes == NULL) {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INTERNAL,
					    "cannot build the SenML CBOR pack");
			return NULL;
		}
	} else {
		if (content_format == IGW_COAP_FORMAT_SENML_JSON)
			text = igw_coap_payload_encode_json(name, value);
		else
			text = igw_coap_payload_encode_text(value);
		bytes = g_bytes_new_take(text, strlen(text));
	}
	if (g_bytes_get_size(bytes) > IGW_COAP_PAYLOAD_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "payload of %" G_GSIZE_FORMAT " bytes is more than %d",
			    g_bytes_get_size(bytes), IGW_COAP_PAYLOAD_MAX);
		return NULL;
	}
	return g_steal_pointer(&bytes);
}
