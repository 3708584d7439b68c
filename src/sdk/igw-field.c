/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwModel"

#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "igw-error.h"
#include "igw-field.h"

struct _IgwField {
	GObject parent_instance;
	gchar *name;
	IgwFieldType type;
	gchar *unit;
	guint decimals;
	IgwFieldCategory category;
	gboolean writable;
	gboolean has_range;
	gdouble min;
	gdouble max;
	GStrv enum_values;
};

G_DEFINE_TYPE(IgwField, igw_field, G_TYPE_OBJECT)

static void
igw_field_finalize(GObject *object)
{
	IgwField *self = IGW_FIELD(object);
	g_free(self->name);
	g_free(self->unit);
	g_strfreev(self->enum_values);
	G_OBJECT_CLASS(igw_field_parent_class)->finalize(object);
}

static void
igw_field_class_init(IgwFieldClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = igw_field_finalize;
}

static void
igw_field_init(IgwField *self)
{
	self->category = IGW_FIELD_CATEGORY_MOMENTARY;
}

IgwField *
igw_field_new(const gchar *name, IgwFieldType type)
{
	IgwField *self;
	g_return_val_if_fail(name != NULL, NULL);
	self = g_object_new(IGW_TYPE_FIELD, NULL);
	self->name = g_strdup(name);
	self->type = type;
	return self;
}

const gchar *
igw_field_get_name(IgwField *self)
{
	g_return_val_if_fail(IGW_IS_FIELD(self), NULL);
	return self->name;
}

IgwFieldType
igw_field_get_value_type(IgwField *self)
{
	g_return_val_if_fail(IGW_IS_FIELD(self), IGW_FIELD_TYPE_STRING);
	return self->type;
}

const gchar *
igw_field_get_unit(IgwField *self)
{
	g_return_val_if_fail(IGW_IS_FIELD(self), NULL);
	return self->unit;
}

void
igw_field_set_unit(IgwField *self, const gchar *unit)
{
	g_return_if_fail(IGW_IS_FIELD(self));
	g_free(self->unit);
	self->unit = g_strdup(unit);
}

guint
igw_field_get_decimals(IgwField *self)
{
	g_return_val_if_fail(IGW_IS_FIELD(self), 0);
	return self->decimals;
}

void
igw_field_set_decimals(IgwField *self, guint decimals)
{
	g_return_if_fail(IGW_IS_FIELD(self));
	self->decimals = MIN(decimals, 9);
}

IgwFieldCategory
igw_field_get_category(IgwField *self)
{
	g_return_val_if_fail(IGW_IS_FIELD(self), IGW_FIELD_CATEGORY_NONE);
	return self->category;
}

void
igw_field_set_category(IgwField *self, IgwFieldCategory category)
{
	g_return_if_fail(IGW_IS_FIELD(self));
	self->category = category;
}

gboolean
igw_field_get_writable(IgwField *self)
{
	g_return_val_if_fail(IGW_IS_FIELD(self), FALSE);
	return self->writable;
}

void
igw_field_set_writable(IgwField *self, gboolean writable)
{
	g_return_if_fail(IGW_IS_FIELD(self));
	self->writable = writable;
}

gboolean
igw_field_get_range(IgwField *self, gdouble *min, gdouble *max)
{
	g_return_val_if_fail(IGW_IS_FIELD(self), FALSE);
	if (!self->has_range)
		return FALSE;
	if (min != NULL)
		*min = self->min;
	if (max != NULL)
		*max = self->max;
	return TRUE;
}

void
igw_field_set_range(IgwField *self, gdouble min, gdouble max)
{
	g_return_if_fail(IGW_IS_FIELD(self));
	g_return_if_fail(min <= max);
	self->has_range = TRUE;
	self->min = min;
	self->max = max;
}

const gchar *const *
igw_field_get_enum_values(IgwField *self)
{
	g_return_val_if_fail(IGW_IS_FIELD(self), NULL);
	return (const gchar *const *)self->enum_values;
}

void
igw_field_set_enum_values(IgwField *self, const gchar *const *values)
{
	g_return_if_fail(IGW_IS_FIELD(self));
	g_strfreev(self->enum_values);
	self->enum_values = g_strdupv((gchar **)values);
}

const GVariantType *
igw_field_type_to_variant_type(IgwFieldType type)
{
	switch (type) {
	case IGW_FIELD_TYPE_NUMERIC:
		return G_VARIANT_TYPE_DOUBLE;
	case IGW_FIELD_TYPE_BOOLEAN:
		return G_VARIANT_TYPE_BOOLEAN;
	case IGW_FIELD_TYPE_STRING:
	case IGW_FIELD_TYPE_ENUM:
		return G_VARIANT_TYPE_STRING;
	case IGW_FIELD_TYPE_INTEGER:
	case IGW_FIELD_TYPE_DATE_TIME:
	case IGW_FIELD_TYPE_DURATION:
	default:
		return G_VARIANT_TYPE_INT64;
	}
}

static const gchar *const field_type_names[] = {
    [IGW_FIELD_TYPE_NUMERIC] = "numeric",   [IGW_FIELD_TYPE_INTEGER] = "integer",
    [IGW_FIELD_TYPE_BOOLEAN] = "boolean",   [IGW_FIELD_TYPE_STRING] = "string",
    [IGW_FIELD_TYPE_ENUM] = "enum",	    [IGW_FIELD_TYPE_DATE_TIME] = "date-time",
    [IGW_FIELD_TYPE_DURATION] = "duration",
};

const gchar *
igw_field_type_to_string(IgwFieldType type)
{
	if ((guint)type >= G_N_ELEMENTS(field_type_names))
		return NULL;
	return field_type_names[type];
}

gboolean
igw_field_type_from_string(const gchar *text, IgwFieldType *type)
{
	for (guint i = 0; i < G_N_ELEMENTS(field_type_names); i++) {
		if (g_strcmp0(text, field_type_names[i]) == 0) {
			*type = (IgwFieldType)i;
			return TRUE;
		}
	}
	return FALSE;
}

const gchar *
igw_field_category_to_string(IgwFieldCategory category)
{
	if (category & IGW_FIELD_CATEGORY_MOMENTARY)
		return "momentary";
	if (category & IGW_FIELD_CATEGORY_STATUS)
		return "status";
	if (category & IGW_FIELD_CATEGORY_IDENTITY)
		return "identity";
	if (category & IGW_FIELD_CATEGORY_COMPUTED)
		return "computed";
	if (category & IGW_FIELD_CATEGORY_PEAK)
		return "peak";
	return "none";
}

static gboolean
igw_field_check_range(IgwField *self, gdouble number, GError **error)
{
	if (!self->has_range || (number >= self->min && number <= self->max))
		return TRUE;
	g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "%s must be between %g and %g",
		    self->name, self->min, self->max);
	return FALSE;
}

static gboolean
igw_field_check_enum(IgwField *self, const gchar *text, GError **error)
{
	g_autofree gchar *allowed = NULL;
	if (self->enum_values == NULL ||
	    g_strv_contains((const gchar *const *)self->enum_values, text))
		return TRUE;
	allowed = g_strjoinv(", ", self->enum_values);
	g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "%s must be one of: %s", self->name,
		    allowed);
	return FALSE;
}

gboolean
igw_field_check_value(IgwField *self, GVariant *value, GError **error)
{
	g_return_val_if_fail(IGW_IS_FIELD(self), FALSE);
	if (value == NULL ||
	    !g_variant_is_of_type(value, igw_field_type_to_variant_type(self->type))) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "%s expects a %s value",
			    self->name, igw_field_type_to_string(self->type));
		return FALSE;
	}
	switch (self->type) {
	case IGW_FIELD_TYPE_NUMERIC:
		if (!isfinite(g_variant_get_double(value))) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "%s must be a finite number", self->name);
			return FALSE;
		}
		return igw_field_check_range(self, g_variant_get_double(value), error);
	case IGW_FIELD_TYPE_INTEGER:
		return igw_field_check_range(self, (gdouble)g_variant_get_int64(value), error);
	case IGW_FIELD_TYPE_ENUM:
		return igw_field_check_enum(self, g_variant_get_string(value, NULL), error);
	default:
		return TRUE;
	}
}

static GVariant *
igw_field_parse_boolean(IgwField *self, const gchar *text, GError **error)
{
	const gchar *yes[] = {"true", "on", "1", "yes", NULL};
	const gchar *no[] = {"false", "off", "0", "no", NULL};
	g_autofree gchar *lower = g_ascii_strdown(text, -1);
	if (g_strv_contains(yes, lower))
		return g_variant_new_boolean(TRUE);
	if (g_strv_contains(no, lower))
		return g_variant_new_boolean(FALSE);
	g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
		    "%s expects on/off or true/false, not '%s'", self->name, text);
	return NULL;
}

static GVariant *
igw_field_parse_number(IgwField *self, const gchar *text, GError **error)
{
	gchar *end = NULL;
	gdouble number = g_ascii_strtod(text, &end);
	if (end == text || *end != '\0') {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "%s expects a number, not '%s'", self->name, text);
		return NULL;
	}
	return g_variant_new_double(number);
}

static GVariant *
igw_field_parse_integer(IgwField *self, const gchar *text, GError **error)
{
	gint64 number = 0;
	if (!g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &number, NULL)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "%s expects a whole number, not '%s'", self->name, text);
		return NULL;
	}
	return g_variant_new_int64(number);
}

static GVariant *
igw_field_parse_date_time(IgwField *self, const gchar *text, GError **error)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(text, NULL);
	/* 9999-12-31T23:00:00-02:00 parses, but is beyond what GDateTime holds in UTC */
	g_autoptr(GDateTime) utc = dt != NULL ? g_date_time_to_utc(dt) : NULL;
	if (utc == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "%s expects an ISO 8601 date and time with zone, not '%s'", self->name,
			    text);
		return NULL;
	}
	return g_variant_new_int64(g_date_time_to_unix(dt) * G_USEC_PER_SEC +
				   g_date_time_get_microsecond(dt));
}

/* whole seconds on the command line; microseconds inside, so the range is smaller */
static GVariant *
igw_field_parse_duration(IgwField *self, const gchar *text, GError **error)
{
	gint64 seconds = 0;
	if (!g_ascii_string_to_signed(text, 10, G_MININT64 / G_USEC_PER_SEC,
				      G_MAXINT64 / G_USEC_PER_SEC, &seconds, NULL)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "%s expects a whole number of seconds, not '%s'", self->name, text);
		return NULL;
	}
	return g_variant_new_int64(seconds * G_USEC_PER_SEC);
}

static GVariant *
igw_field_parse_any(IgwField *self, const gchar *text, GError **error)
{
	switch (self->type) {
	case IGW_FIELD_TYPE_NUMERIC:
		return igw_field_parse_number(self, text, error);
	case IGW_FIELD_TYPE_INTEGER:
		return igw_field_parse_integer(self, text, error);
	case IGW_FIELD_TYPE_BOOLEAN:
		return igw_field_parse_boolean(self, text, error);
	case IGW_FIELD_TYPE_DATE_TIME:
		return igw_field_parse_date_time(self, text, error);
	case IGW_FIELD_TYPE_DURATION:
		return igw_field_parse_duration(self, text, error);
	case IGW_FIELD_TYPE_STRING:
	case IGW_FIELD_TYPE_ENUM:
	default:
		return g_variant_new_string(text);
	}
}

GVariant *
igw_field_parse_value(IgwField *self, const gchar *text, GError **error)
{
	g_autoptr(GVariant) value = NULL;
	g_return_val_if_fail(IGW_IS_FIELD(self), NULL);
	g_return_val_if_fail(text != NULL, NULL);
	if (!g_utf8_validate(text, -1, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "value is not UTF-8");
		return NULL;
	}
	value = igw_field_parse_any(self, text, error);
	if (value == NULL)
		return NULL;
	g_variant_ref_sink(value);
	if (!igw_field_check_value(self, value, error))
		return NULL;
	return g_steal_pointer(&value);
}

static gchar *
igw_field_format_date_time(gint64 usec)
{
	/* whole seconds towards the past: -0.5 s is still 1969-12-31T23:59:59Z */
	gint64 seconds = usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0 ? 1 : 0);
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(seconds);
	if (dt == NULL)
		return g_strdup("?");
	/* not %F: GLib does not pad years before 1000 to the four digits ISO 8601 wants */
	return g_date_time_format(dt, "%C%y-%m-%dT%H:%M:%SZ");
}

static gchar *
igw_field_format_number(guint decimals, gdouble number)
{
	/* room for every digit of DBL_MAX, a sign, a point and 9 decimals */
	gchar buf[G_ASCII_DTOSTR_BUF_SIZE + DBL_MAX_10_EXP + 12];
	g_autofree gchar *format = g_strdup_printf("%%.%uf", decimals);
	/* locale independent: readings go to machines as well as people */
	return g_strdup(g_ascii_formatd(buf, sizeof(buf), format, number));
}

gchar *
igw_field_format_value(IgwField *self, GVariant *value)
{
	g_return_val_if_fail(IGW_IS_FIELD(self), NULL);
	if (value == NULL ||
	    !g_variant_is_of_type(value, igw_field_type_to_variant_type(self->type)))
		return g_strdup("?");
	switch (self->type) {
	case IGW_FIELD_TYPE_NUMERIC:
		return igw_field_format_number(self->decimals, g_variant_get_double(value));
	case IGW_FIELD_TYPE_INTEGER:
		return g_strdup_printf("%" G_GINT64_FORMAT, g_variant_get_int64(value));
	case IGW_FIELD_TYPE_BOOLEAN:
		return g_strdup(g_variant_get_boolean(value) ? "true" : "false");
	case IGW_FIELD_TYPE_DATE_TIME:
		return igw_field_format_date_time(g_variant_get_int64(value));
	case IGW_FIELD_TYPE_DURATION:
		return g_strdup_printf("%" G_GINT64_FORMAT "s",
				       g_variant_get_int64(value) / G_USEC_PER_SEC);
	case IGW_FIELD_TYPE_STRING:
	case IGW_FIELD_TYPE_ENUM:
	default:
		return g_variant_dup_string(value, NULL);
	}
}
