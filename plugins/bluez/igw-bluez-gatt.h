/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * One GATT connection to one device: connect on demand, wait for BlueZ's
 * service discovery, subscribe to the profile characteristics we decode,
 * reconnect with backoff while the device is wanted, and queue reads and
 * writes until the connection is ready.
 */

#include <gio/gio.h>

#include "igw-bluez-manager.h"

G_BEGIN_DECLS

typedef struct _IgwBluezGatt IgwBluezGatt;

typedef struct {
	/* decoded IgwBleValues of one characteristic value */
	void (*values)(IgwBluezGatt *gatt, GPtrArray *values, gpointer user_data);
	/* connected and subscribed (TRUE), or the link went down (FALSE) */
	void (*link)(IgwBluezGatt *gatt, gboolean up, gpointer user_data);
} IgwBluezGattCallbacks;

IgwBluezGatt *
igw_bluez_gatt_new(IgwBluezManager *manager, const gchar *device_path, gdouble wheel_circumference,
		   const IgwBluezGattCallbacks *callbacks, gpointer user_data);
void
igw_bluez_gatt_free(IgwBluezGatt *self);
const gchar *
igw_bluez_gatt_get_device_path(IgwBluezGatt *self);
/* keep the link up (an adopted GATT thing) or let it go when idle */
void
igw_bluez_gatt_set_wanted(IgwBluezGatt *self, gboolean wanted);
gboolean
igw_bluez_gatt_is_up(IgwBluezGatt *self);
/* from the manager's signals */
void
igw_bluez_gatt_device_changed(IgwBluezGatt *self, GVariant *changed);
void
igw_bluez_gatt_characteristic_value(IgwBluezGatt *self, GDBusProxy *characteristic, GBytes *value);
/* the device object went away (removed, adapter gone) */
void
igw_bluez_gatt_device_removed(IgwBluezGatt *self);

/* write @value to the characteristic @uuid (128-bit form); completes with
 * the value read back, or the written one if it cannot be read */
void
igw_bluez_gatt_write_async(IgwBluezGatt *self, const gchar *uuid, GBytes *value,
			   GCancellable *cancellable, GAsyncReadyCallback callback,
			   gpointer user_data);
GBytes *
igw_bluez_gatt_write_finish(IgwBluezGatt *self, GAsyncResult *result, GError **error);
/* ReadValue of every readable profile characteristic; values go through
 * the values callback before this completes */
void
igw_bluez_gatt_read_async(IgwBluezGatt *self, GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data);
gboolean
igw_bluez_gatt_read_finish(IgwBluezGatt *self, GAsyncResult *result, GError **error);

G_END_DECLS
