/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "igw-field.h"

G_BEGIN_DECLS

/* XEP-0323 quality-of-service flags of one reading */
typedef enum {
	IGW_READING_FLAG_NONE = 0,
	IGW_READING_FLAG_AUTOMATIC_READOUT = 1 << 0,
	IGW_READING_FLAG_MISSING = 1 << 1,
	IGW_READING_FLAG_WARNING = 1 << 2,
	IGW_READING_FLAG_ERROR = 1 << 3,
	IGW_READING_FLAG_AUTOMATIC_ESTIMATE = 1 << 4,
	IGW_READING_FLAG_MANUAL_ESTIMATE = 1 << 5,
	IGW_READING_FLAG_MANUAL_READOUT = 1 << 6,
	/* not XEP-0323: news although equal to the last value (a second button
	 * press, a heartbeat of an unchanged value), so never deduplicated */
	IGW_READING_FLAG_NEWS = 1 << 7,
} IgwReadingFlags;

typedef struct _IgwReading IgwReading;

#define IGW_TYPE_READING (igw_reading_get_type())
GType
igw_reading_get_type(void);

IgwReading *
igw_reading_new(const gchar *thing_id, const gchar *field, GVariant *value, gint64 timestamp_us);
IgwReading *
igw_reading_ref(IgwReading *self);
void
igw_reading_unref(IgwReading *self);

const gchar *
igw_reading_get_thing_id(const IgwReading *self);
const gchar *
igw_reading_get_field(const IgwReading *self);
GVariant *
igw_reading_get_value(const IgwReading *self);
gint64
igw_reading_get_timestamp(const IgwReading *self);
IgwFieldCategory
igw_reading_get_category(const IgwReading *self);
void
igw_reading_set_category(IgwReading *self, IgwFieldCategory category);
IgwReadingFlags
igw_reading_get_flags(const IgwReading *self);
void
igw_reading_set_flags(IgwReading *self, IgwReadingFlags flags);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwReading, igw_reading_unref)

G_END_DECLS
