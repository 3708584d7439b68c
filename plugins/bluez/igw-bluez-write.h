/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * An actuator field mapped onto a GATT characteristic write, from
 * "write.FIELD = UUID ENCODING [MIN MAX]" in a [thing bluez:...] group.
 * Encodings: bool (one byte 0/1), uint8, int8, uint16, int16, uint32, int32
 * (little-endian, as GATT is).
 */

#include <gio/gio.h>

#include "iotgw-plugin.h"

G_BEGIN_DECLS

typedef struct _IgwBluezWrite IgwBluezWrite;

IgwBluezWrite *
igw_bluez_write_parse(const gchar *field, const gchar *text, GError **error);
void
igw_bluez_write_free(IgwBluezWrite *self);
const gchar *
igw_bluez_write_get_field(IgwBluezWrite *self);
/* 128-bit, lower case */
const gchar *
igw_bluez_write_get_uuid(IgwBluezWrite *self);
/* a writable field of the right type and range */
IgwField *
igw_bluez_write_new_field(IgwBluezWrite *self);
/* @value has the field's type and was range-checked by the core */
GBytes *
igw_bluez_write_encode(IgwBluezWrite *self, GVariant *value);
GVariant *
igw_bluez_write_decode(IgwBluezWrite *self, GBytes *bytes, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwBluezWrite, igw_bluez_write_free)

G_END_DECLS
