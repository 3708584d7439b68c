/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * IgwFieldType:
 *
 * The value type of a field. Values travel as GVariant:
 * numeric "d", integer "x", boolean "b", string and enum "s",
 * date-time "x" (UTC microseconds since the epoch), duration "x" (microseconds).
 */
typedef enum {
	IGW_FIELD_TYPE_NUMERIC,
	IGW_FIELD_TYPE_INTEGER,
	IGW_FIELD_TYPE_BOOLEAN,
	IGW_FIELD_TYPE_STRING,
	IGW_FIELD_TYPE_ENUM,
	IGW_FIELD_TYPE_DATE_TIME,
	IGW_FIELD_TYPE_DURATION,
} IgwFieldType;

/* XEP-0323 field categories; a field may belong to several */
typedef enum {
	IGW_FIELD_CATEGORY_NONE = 0,
	IGW_FIELD_CATEGORY_MOMENTARY = 1 << 0,
	IGW_FIELD_CATEGORY_STATUS = 1 << 1,
	IGW_FIELD_CATEGORY_IDENTITY = 1 << 2,
	IGW_FIELD_CATEGORY_COMPUTED = 1 << 3,
	IGW_FIELD_CATEGORY_PEAK = 1 << 4,
} IgwFieldCategory;

#define IGW_TYPE_FIELD (igw_field_get_type())
G_DECLARE_FINAL_TYPE(IgwField, igw_field, IGW, FIELD, GObject)

IgwField *
igw_field_new(const gchar *name, IgwFieldType type);

const gchar *
igw_field_get_name(IgwField *self);
IgwFieldType
igw_field_get_value_type(IgwField *self);
const gchar *
igw_field_get_unit(IgwField *self);
void
igw_field_set_unit(IgwField *self, const gchar *unit);
guint
igw_field_get_decimals(IgwField *self);
void
igw_field_set_decimals(IgwField *self, guint decimals);
IgwFieldCategory
igw_field_get_category(IgwField *self);
void
igw_field_set_category(IgwField *self, IgwFieldCategory category);
gboolean
igw_field_get_writable(IgwField *self);
void
igw_field_set_writable(IgwField *self, gboolean writable);
gboolean
igw_field_get_range(IgwField *self, gdouble *min, gdouble *max);
void
igw_field_set_range(IgwField *self, gdouble min, gdouble max);
const gchar *const *
igw_field_get_enum_values(IgwField *self);
void
igw_field_set_enum_values(IgwField *self, const gchar *const *values);

const GVariantType *
igw_field_type_to_variant_type(IgwFieldType type);
const gchar *
igw_field_type_to_string(IgwFieldType type);
gboolean
igw_field_type_from_string(const gchar *text, IgwFieldType *type);
const gchar *
igw_field_category_to_string(IgwFieldCategory category);

gboolean
igw_field_check_value(IgwField *self, GVariant *value, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GVariant *
igw_field_parse_value(IgwField *self, const gchar *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *
igw_field_format_value(IgwField *self, GVariant *value);

G_END_DECLS
