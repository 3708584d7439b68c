/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "igw-bluez-write.h"
#include "iotgw-plugin.h"

typedef struct {
	const gchar *name;
	guint size;
	gboolean is_signed;
} IgwBluezEncoding;

static const IgwBluezEncoding igw_bluez_encodings[] = {
    {"bool", 1, FALSE}, {"uint8", 1, FALSE},  {"int8", 1, TRUE},  {"uint16", 2, FALSE},
    {"int16", 2, TRUE}, {"uint32", 4, FALSE}, {"int32", 4, TRUE},
};

struct _IgwBluezWrite {
	gchar *field;
	gchar *uuid;
	const IgwBluezEncoding *encoding;
	gint64 min;
	gint64 max;
};

void
igw_bluez_write_free(IgwBluezWrite *self)
{
	if (self == NULL)
		return;
	g_free(self->field);
	g_free(self->uuid);
	g_free(self);
}

static gboolean
igw_bluez_write_is_bool(IgwBluezWrite *self)
{
	return g_strcmp0(self->encoding->name, "bool") == 0;
}

static void
igw_bluez_encoding_range(const IgwBluezEncoding *encoding, gint64 *min, gint64 *max)
{
	guint bits = encoding->size * 8;
	*min = encoding->is_signed ? -((gint64)1 << (bits - 1)) : 0;
	*max = encoding->is_signed ? ((gint64)1 << (bits - 1)) - 1 : ((gint64)1 << bits) - 1;
}

/* "ff01" is a SIG-base short form; otherwise a full 128-bit UUID */
static gchar *
igw_bluez_parse_uuid(const gchar *text)
{
	if (strlen(text) == 4 && g_ascii_isxdigit(text[0]) && g_ascii_isxdigit(text[1]) &&
	    g_ascii_isxdigit(text[2]) && g_ascii_isxdigit(text[3])) {
		g_autofree gchar *full =
		    g_strdup_printf("0000%s-0000-1000-8000-00805f9b34fb", text);
		return g_ascii_strdown(full, -1);
	}
	if (!g_uuid_string_is_valid(text))
		return NULL;
	return g_ascii_strdown(text, -1);
}

static gboolean
igw_bluez_field_name_is_valid(const gchar *name)
{
	if (*name == '\0')
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
			return FALSE;
	}
	return TRUE;
}

static gboolean
igw_bluez_parse_bound(const gchar *text, gint64 *value)
{
	return g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, value, NULL);
}

IgwBluezWrite *
igw_bluez_write_parse(const gchar *field, const gchar *text, GError **error)
{
	g_auto(GStrv) words =
	    g_strsplit_set(text != NULL ? g_strstrip((gchar *)text) : "", " \t", -1);
	g_autoptr(GPtrArray) parts = g_ptr_array_new();
	g_autoptr(IgwBluezWrite) self = g_new0(IgwBluezWrite, 1);
	gint64 min;
	gint64 max;
	for (guint i = 0; words[i] != NULL; i++) {
		if (*words[i] != '\0')
			g_ptr_array_add(parts, words[i]);
	}
	if (!igw_bluez_field_name_is_valid(field)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "'%s' is not a field name (letters, digits, _ and -)", field);
		return NULL;
	}
	if (parts->len != 2 && parts->len != 4) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
				    "expected 'UUID ENCODING [MIN MAX]'");
		return NULL;
	}
	self->field = g_strdup(field);
	self->uuid = igw_bluez_parse_uuid(g_ptr_array_index(parts, 0));
	if (self->uuid == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "'%s' is not a characteristic UUID",
			    (const gchar *)g_ptr_array_index(parts, 0));
		return NULL;
	}
	for (guint i = 0; i < G_N_ELEMENTS(igw_bluez_encodings); i++) {
		if (g_strcmp0(igw_bluez_encodings[i].name, g_ptr_array_index(parts, 1)) == 0)
			self->encoding = &igw_bluez_encodings[i];
	}
	if (self->encoding == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "unknown encoding '%s'; expected bool, uint8, int8, uint16, int16, "
			    "uint32 or int32",
			    (const gchar *)g_ptr_array_index(parts, 1));
		return NULL;
	}
	igw_bluez_encoding_range(self->encoding, &min, &max);
	self->min = min;
	self->max = max;
	if (parts->len == 4) {
		if (igw_bluez_write_is_bool(self) ||
		    !igw_bluez_parse_bound(g_ptr_array_index(parts, 2), &self->min) ||
		    !igw_bluez_parse_bound(g_ptr_array_index(parts, 3), &self->max) ||
		    self->min < min || self->max > max || self->min > self->max) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
				    "MIN MAX must be whole numbers within %s (%" G_GINT64_FORMAT
				    " to %" G_GINT64_FORMAT "), MIN <= MAX",
				    self->encoding->name, min, max);
			return NULL;
		}
	}
	return g_steal_pointer(&self);
}

const gchar *
igw_bluez_write_get_field(IgwBluezWrite *self)
{
	return self->field;
}

const gchar *
igw_bluez_write_get_uuid(IgwBluezWrite *self)
{
	return self->uuid;
}

IgwField *
igw_bluez_write_new_field(IgwBluezWrite *self)
{
	IgwField *field =
	    igw_field_new(self->field, igw_bluez_write_is_bool(self) ? IGW_FIELD_TYPE_BOOLEAN
								     : IGW_FIELD_TYPE_INTEGER);
	igw_field_set_writable(field, TRUE);
	igw_field_set_category(field, IGW_FIELD_CATEGORY_STATUS);
	if (!igw_bluez_write_is_bool(self))
		igw_field_set_range(field, (gdouble)self->min, (gdouble)self->max);
	return field;
}

GBytes *
igw_bluez_write_encode(IgwBluezWrite *self, GVariant *value)
{
	guint8 data[4];
	guint64 raw;
	if (igw_bluez_write_is_bool(self))
		raw = g_variant_get_boolean(value) ? 1 : 0;
	else
		raw = (guint64)CLAMP(g_variant_get_int64(value), self->min, self->max);
	for (guint i = 0; i < self->encoding->size; i++)
		data[i] = (raw >> (8 * i)) & 0xff;
	return g_bytes_new(data, self->encoding->size);
}

GVariant *
igw_bluez_write_decode(IgwBluezWrite *self, GBytes *bytes, GError **error)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	guint64 raw = 0;
	gint64 value;
	guint bits = self->encoding->size * 8;
	if (len != self->encoding->size) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "%" G_GSIZE_FORMAT " bytes for %s", len, self->encoding->name);
		return NULL;
	}
	for (guint i = 0; i < len; i++)
		raw |= (guint64)data[i] << (8 * i);
	if (igw_bluez_write_is_bool(self)) {
		if (raw > 1) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "%u is not a boolean",
				    (guint)raw);
			return NULL;
		}
		return g_variant_new_boolean(raw == 1);
	}
	value = (gint64)raw;
	if (self->encoding->is_signed && (raw & ((guint64)1 << (bits - 1))) != 0)
		value -= (gint64)1 << bits;
	return g_variant_new_int64(value);
}
