/* SPDX-License-Identifier: GPL-2.0-or-later */

#include "igw-ble-value.h"

#include <string.h>

IgwBleValue *
igw_ble_value_new(const gchar *field, IgwFieldType type, const gchar *unit, guint decimals,
		  IgwFieldCategory category, GVariant *value)
{
	IgwBleValue *self = g_new0(IgwBleValue, 1);
	g_return_val_if_fail(g_variant_is_of_type(value, igw_field_type_to_variant_type(type)),
			     NULL);
	self->field = g_strdup(field);
	self->type = type;
	self->unit = unit;
	self->decimals = decimals;
	self->category = category;
	self->value = g_variant_ref_sink(value);
	return self;
}

void
igw_ble_value_free(IgwBleValue *self)
{
	if (self == NULL)
		return;
	g_free(self->field);
	g_variant_unref(self->value);
	g_free(self);
}

GPtrArray *
igw_ble_values_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)igw_ble_value_free);
}

gboolean
igw_ble_uuid_to_16(const gchar *uuid, guint16 *uuid16)
{
	static const gchar base_suffix[] = "-0000-1000-8000-00805f9b34fb";
	guint value = 0;
	if (uuid == NULL || strlen(uuid) != 36 || g_ascii_strncasecmp(uuid, "0000", 4) != 0 ||
	    g_ascii_strcasecmp(uuid + 8, base_suffix) != 0)
		return FALSE;
	for (guint i = 4; i < 8; i++) {
		gint digit = g_ascii_xdigit_value(uuid[i]);
		if (digit < 0)
			return FALSE;
		value = value << 4 | (guint)digit;
	}
	*uuid16 = (guint16)value;
	return TRUE;
}
