/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwModel"

#include "config.h"

#include "igw-reading.h"

struct _IgwReading {
	gint refcount;
	gchar *thing_id;
	gchar *field;
	GVariant *value;
	gint64 timestamp_us;
	IgwFieldCategory category;
	IgwReadingFlags flags;
};

G_DEFINE_BOXED_TYPE(IgwReading, igw_reading, igw_reading_ref, igw_reading_unref)

/* timestamp_us of 0 means "now" */
IgwReading *
igw_reading_new(const gchar *thing_id, const gchar *field, GVariant *value, gint64 timestamp_us)
{
	IgwReading *self;
	g_return_val_if_fail(thing_id != NULL, NULL);
	g_return_val_if_fail(field != NULL, NULL);
	g_return_val_if_fail(value != NULL, NULL);
	self = g_new0(IgwReading, 1);
	self->refcount = 1;
	self->thing_id = g_strdup(thing_id);
	self->field = g_strdup(field);
	self->value = g_variant_ref_sink(value);
	self->timestamp_us = timestamp_us != 0 ? timestamp_us : g_get_real_time();
	self->category = IGW_FIELD_CATEGORY_MOMENTARY;
	self->flags = IGW_READING_FLAG_AUTOMATIC_READOUT;
	return self;
}

IgwReading *
igw_reading_ref(IgwReading *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	g_atomic_int_inc(&self->refcount);
	return self;
}

void
igw_reading_unref(IgwReading *self)
{
	g_return_if_fail(self != NULL);
	if (!g_atomic_int_dec_and_test(&self->refcount))
		return;
	g_free(self->thing_id);
	g_free(self->field);
	g_variant_unref(self->value);
	g_free(self);
}

const gchar *
igw_reading_get_thing_id(const IgwReading *self)
{
	return self->thing_id;
}

const gchar *
igw_reading_get_field(const IgwReading *self)
{
	return self->field;
}

GVariant *
igw_reading_get_value(const IgwReading *self)
{
	return self->value;
}

gint64
igw_reading_get_timestamp(const IgwReading *self)
{
	return self->timestamp_us;
}

IgwFieldCategory
igw_reading_get_category(const IgwReading *self)
{
	return self->category;
}

void
igw_reading_set_category(IgwReading *self, IgwFieldCategory category)
{
	self->category = category;
}

IgwReadingFlags
igw_reading_get_flags(const IgwReading *self)
{
	return self->flags;
}

void
igw_reading_set_flags(IgwReading *self, IgwReadingFlags flags)
{
	self->flags = flags;
}
