/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The plugin's view of bluetoothd: the org.bluez object tree, adapters coming
 * and going (hot-plug, bluetoothd restarts), LE scanning on each adapter with
 * recovery, and device and characteristic changes as signals. Knows nothing
 * about things or formats.
 */

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
	IGW_BLUEZ_SCAN_AUTO,	/* passive where an adapter offers advertisement monitors */
	IGW_BLUEZ_SCAN_ACTIVE,	/* StartDiscovery: scan requests, more power and airtime */
	IGW_BLUEZ_SCAN_PASSIVE, /* AdvertisementMonitor1 only; adapters without it are not used */
} IgwBluezScanMode;

gboolean
igw_bluez_scan_mode_from_string(const gchar *text, IgwBluezScanMode *mode);

#define IGW_TYPE_BLUEZ_MANAGER (igw_bluez_manager_get_type())
G_DECLARE_FINAL_TYPE(IgwBluezManager, igw_bluez_manager, IGW, BLUEZ_MANAGER, GObject)

/*
 * Signals:
 *  "adapter-changed" (const gchar *path, gboolean present)
 *  "device-changed" (GDBusProxy *device, GVariant *changed a{sv}): on first
 *     sight @changed holds every property; afterwards what changed
 *  "device-removed" (const gchar *path, const gchar *address)
 *  "characteristic-value" (GDBusProxy *characteristic, GBytes *value)
 *  "status-changed" (): igw_bluez_manager_describe() has a new answer
 */
IgwBluezManager *
igw_bluez_manager_new(GDBusConnection *bus, IgwBluezScanMode mode, const gchar *const *adapters);
void
igw_bluez_manager_start(IgwBluezManager *self);
/* an extra active scan (iotgwctl scan) on top of the passive mode */
void
igw_bluez_manager_set_active_scan(IgwBluezManager *self, gboolean active);
/* one line per adapter: "hci0: passive scan (advertisement monitor)" */
gchar *
igw_bluez_manager_describe(IgwBluezManager *self);
GDBusObjectManager *
igw_bluez_manager_get_object_manager(IgwBluezManager *self);
/* the proxy of @interface on @path, or NULL; a new reference */
GDBusProxy *
igw_bluez_manager_get_proxy(IgwBluezManager *self, const gchar *path, const gchar *interface);
/* GattCharacteristic1 proxies below a device, in object path order */
GList *
igw_bluez_manager_get_characteristics(IgwBluezManager *self, const gchar *device_path);
/*
 * g_dbus_proxy_call() to org.bluez by its well-known name: a proxy the
 * object manager made from InterfacesAdded before it learned bluetoothd's
 * new unique name (a restart with the adapter present) has no name, and
 * its calls would go to the bus daemon itself. The result's source object
 * is @proxy.
 */
void
igw_bluez_call(GDBusProxy *proxy, const gchar *method, GVariant *parameters, GDBusCallFlags flags,
	       gint timeout_ms, GCancellable *cancellable, GAsyncReadyCallback callback,
	       gpointer user_data);
GVariant *
igw_bluez_call_finish(GDBusProxy *proxy, GAsyncResult *result, GError **error);
/* the "hciN" part of a device or adapter path */
gchar *
igw_bluez_adapter_name_from_path(const gchar *path);

G_END_DECLS
