/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "igw-bluez-manager.h"
#include "igw-bluez-monitor-generated.h"
#include "iotgw-plugin.h"

#define IGW_BLUEZ_NAME "org.bluez"
#define IGW_BLUEZ_ADAPTER "org.bluez.Adapter1"
#define IGW_BLUEZ_DEVICE "org.bluez.Device1"
#define IGW_BLUEZ_CHARACTERISTIC "org.bluez.GattCharacteristic1"
#define IGW_BLUEZ_MONITOR_MANAGER "org.bluez.AdvertisementMonitorManager1"
#define IGW_BLUEZ_MONITOR_ROOT "/org/iotgw/bluez/monitor"

/* discovery retries: InProgress and NotReady usually clear within seconds */
#define IGW_BLUEZ_RETRY_BASE_MS 1000
#define IGW_BLUEZ_RETRY_CAP_MS (60 * 1000)
/* an adapter that heard adverts and then nothing for this long is wedged */
#define IGW_BLUEZ_WEDGE_TIMEOUT_S 300
#define IGW_BLUEZ_WEDGE_CHECK_S 60

typedef struct {
	IgwBluezManager *manager;
	gchar *path;
	gchar *name;
	GDBusProxy *proxy;
	GCancellable *cancellable;
	IgwBackoff backoff;
	guint retry_id;
	gboolean busy;	      /* a call to bluetoothd is under way */
	gboolean discovering; /* our StartDiscovery holds */
	gboolean monitoring;  /* our advertisement monitor is registered */
	gboolean monitor_failed;
	gint64 last_advert; /* monotonic; 0 before the first */
	gchar *status;
} IgwBluezAdapter;

struct _IgwBluezManager {
	GObject parent_instance;
	GDBusConnection *bus;
	IgwBluezScanMode mode;
	GStrv allowed_adapters; /* empty: all */
	gboolean active_scan;
	GDBusObjectManager *object_manager;
	GDBusObjectManagerServer *monitor_server;
	GHashTable *adapters; /* path -> IgwBluezAdapter */
	GCancellable *cancellable;
	GRand *rand;
	guint wedge_check_id;
};

G_DEFINE_TYPE(IgwBluezManager, igw_bluez_manager, G_TYPE_OBJECT)

enum {
	SIGNAL_ADAPTER_CHANGED,
	SIGNAL_DEVICE_CHANGED,
	SIGNAL_DEVICE_REMOVED,
	SIGNAL_CHARACTERISTIC_VALUE,
	SIGNAL_STATUS_CHANGED,
	N_SIGNALS,
};
static guint signals[N_SIGNALS];

static void
igw_bluez_adapter_sync(IgwBluezAdapter *adapter);

static void
igw_bluez_call_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	GError *error = NULL;
	GVariant *reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	if (reply == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, reply, (GDestroyNotify)g_variant_unref);
}

void
igw_bluez_call(GDBusProxy *proxy, const gchar *method, GVariant *parameters, GDBusCallFlags flags,
	       gint timeout_ms, GCancellable *cancellable, GAsyncReadyCallback callback,
	       gpointer user_data)
{
	GTask *task = g_task_new(proxy, cancellable, callback, user_data);
	g_dbus_connection_call(g_dbus_proxy_get_connection(proxy), IGW_BLUEZ_NAME,
			       g_dbus_proxy_get_object_path(proxy),
			       g_dbus_proxy_get_interface_name(proxy), method, parameters, NULL,
			       flags, timeout_ms, cancellable, igw_bluez_call_done_cb, task);
}

GVariant *
igw_bluez_call_finish(GDBusProxy *proxy, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

gboolean
igw_bluez_scan_mode_from_string(const gchar *text, IgwBluezScanMode *mode)
{
	if (g_strcmp0(text, "auto") == 0)
		*mode = IGW_BLUEZ_SCAN_AUTO;
	else if (g_strcmp0(text, "active") == 0)
		*mode = IGW_BLUEZ_SCAN_ACTIVE;
	else if (g_strcmp0(text, "passive") == 0)
		*mode = IGW_BLUEZ_SCAN_PASSIVE;
	else
		return FALSE;
	return TRUE;
}

gchar *
igw_bluez_adapter_name_from_path(const gchar *path)
{
	const gchar *start;
	const gchar *end;
	if (path == NULL || !g_str_has_prefix(path, "/org/bluez/"))
		return NULL;
	start = path + strlen("/org/bluez/");
	end = strchr(start, '/');
	return end != NULL ? g_strndup(start, end - start) : g_strdup(start);
}

static void
igw_bluez_adapter_free(IgwBluezAdapter *adapter)
{
	g_cancellable_cancel(adapter->cancellable);
	g_clear_object(&adapter->cancellable);
	g_clear_handle_id(&adapter->retry_id, g_source_remove);
	g_clear_object(&adapter->proxy);
	g_free(adapter->path);
	g_free(adapter->name);
	g_free(adapter->status);
	g_free(adapter);
}

static void
igw_bluez_manager_finalize(GObject *object)
{
	IgwBluezManager *self = IGW_BLUEZ_MANAGER(object);
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_handle_id(&self->wedge_check_id, g_source_remove);
	g_hash_table_unref(self->adapters);
	if (self->object_manager != NULL)
		g_signal_handlers_disconnect_by_data(self->object_manager, self);
	g_clear_object(&self->object_manager);
	if (self->monitor_server != NULL)
		g_dbus_object_manager_server_set_connection(self->monitor_server, NULL);
	g_clear_object(&self->monitor_server);
	g_clear_object(&self->bus);
	g_strfreev(self->allowed_adapters);
	g_rand_free(self->rand);
	G_OBJECT_CLASS(igw_bluez_manager_parent_class)->finalize(object);
}

static void
igw_bluez_manager_class_init(IgwBluezManagerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = igw_bluez_manager_finalize;
	signals[SIGNAL_ADAPTER_CHANGED] =
	    g_signal_new("adapter-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
	signals[SIGNAL_DEVICE_CHANGED] =
	    g_signal_new("device-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DBUS_PROXY, G_TYPE_VARIANT);
	signals[SIGNAL_DEVICE_REMOVED] =
	    g_signal_new("device-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
	signals[SIGNAL_CHARACTERISTIC_VALUE] =
	    g_signal_new("characteristic-value", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
			 NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DBUS_PROXY, G_TYPE_BYTES);
	signals[SIGNAL_STATUS_CHANGED] =
	    g_signal_new("status-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 0);
}

static void
igw_bluez_manager_init(IgwBluezManager *self)
{
	self->adapters = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					       (GDestroyNotify)igw_bluez_adapter_free);
	self->cancellable = g_cancellable_new();
	self->rand = g_rand_new();
}

IgwBluezManager *
igw_bluez_manager_new(GDBusConnection *bus, IgwBluezScanMode mode, const gchar *const *adapters)
{
	IgwBluezManager *self = g_object_new(IGW_TYPE_BLUEZ_MANAGER, NULL);
	self->bus = g_object_ref(bus);
	self->mode = mode;
	self->allowed_adapters =
	    adapters != NULL ? g_strdupv((gchar **)adapters) : g_new0(gchar *, 1);
	return self;
}

GDBusObjectManager *
igw_bluez_manager_get_object_manager(IgwBluezManager *self)
{
	return self->object_manager;
}

GDBusProxy *
igw_bluez_manager_get_proxy(IgwBluezManager *self, const gchar *path, const gchar *interface)
{
	if (self->object_manager == NULL)
		return NULL;
	return G_DBUS_PROXY(
	    g_dbus_object_manager_get_interface(self->object_manager, path, interface));
}

static gint
igw_bluez_compare_proxy_paths(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(g_dbus_proxy_get_object_path((GDBusProxy *)a),
			 g_dbus_proxy_get_object_path((GDBusProxy *)b));
}

GList *
igw_bluez_manager_get_characteristics(IgwBluezManager *self, const gchar *device_path)
{
	g_autofree gchar *prefix = g_strconcat(device_path, "/", NULL);
	GList *characteristics = NULL;
	GList *objects;
	if (self->object_manager == NULL)
		return NULL;
	objects = g_dbus_object_manager_get_objects(self->object_manager);
	for (GList *l = objects; l != NULL; l = l->next) {
		GDBusObject *object = l->data;
		GDBusInterface *iface;
		if (!g_str_has_prefix(g_dbus_object_get_object_path(object), prefix))
			continue;
		iface = g_dbus_object_get_interface(object, IGW_BLUEZ_CHARACTERISTIC);
		if (iface != NULL)
			characteristics = g_list_prepend(characteristics, iface);
	}
	g_list_free_full(objects, g_object_unref);
	return g_list_sort(characteristics, igw_bluez_compare_proxy_paths);
}

/* a property of a cached proxy, if it has the expected type */
static gboolean
igw_bluez_get_boolean(GDBusProxy *proxy, const gchar *name)
{
	g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property(proxy, name);
	return value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN) &&
	       g_variant_get_boolean(value);
}

static gint
igw_bluez_compare_strings(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

gchar *
igw_bluez_manager_describe(IgwBluezManager *self)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GList) adapters = NULL;
	if (self->object_manager == NULL)
		return g_strdup("bluetoothd not connected");
	adapters = g_hash_table_get_values(self->adapters);
	for (GList *l = adapters; l != NULL; l = l->next) {
		IgwBluezAdapter *adapter = l->data;
		g_ptr_array_add(lines, g_strdup_printf("%s: %s", adapter->name, adapter->status));
	}
	if (lines->len == 0) {
		g_autofree gchar *owner = g_dbus_object_manager_client_get_name_owner(
		    G_DBUS_OBJECT_MANAGER_CLIENT(self->object_manager));
		return g_strdup(owner != NULL ? "no Bluetooth adapter" : "waiting for bluetoothd");
	}
	g_ptr_array_sort(lines, igw_bluez_compare_strings);
	g_ptr_array_add(lines, NULL);
	return g_strjoinv("; ", (gchar **)lines->pdata);
}

static void
igw_bluez_adapter_set_status(IgwBluezAdapter *adapter, const gchar *status)
{
	if (g_strcmp0(adapter->status, status) == 0)
		return;
	g_free(adapter->status);
	adapter->status = g_strdup(status);
	g_signal_emit(adapter->manager, signals[SIGNAL_STATUS_CHANGED], 0);
}

/* passive scanning needs bluetoothd's monitor manager with or_patterns */
static gboolean
igw_bluez_adapter_has_monitor(IgwBluezAdapter *adapter)
{
	IgwBluezManager *self = adapter->manager;
	g_autoptr(GDBusProxy) manager =
	    igw_bluez_manager_get_proxy(self, adapter->path, IGW_BLUEZ_MONITOR_MANAGER);
	g_autoptr(GVariant) types = NULL;
	g_autofree const gchar **strv = NULL;
	if (manager == NULL)
		return FALSE;
	types = g_dbus_proxy_get_cached_property(manager, "SupportedMonitorTypes");
	if (types == NULL || !g_variant_is_of_type(types, G_VARIANT_TYPE_STRING_ARRAY))
		return FALSE;
	strv = g_variant_get_strv(types, NULL);
	return g_strv_contains(strv, "or_patterns");
}

static gboolean
igw_bluez_adapter_wants_passive(IgwBluezAdapter *adapter)
{
	return adapter->manager->mode != IGW_BLUEZ_SCAN_ACTIVE &&
	       igw_bluez_adapter_has_monitor(adapter) && !adapter->monitor_failed;
}

static gboolean
igw_bluez_adapter_wants_active(IgwBluezAdapter *adapter)
{
	IgwBluezManager *self = adapter->manager;
	if (self->active_scan || self->mode == IGW_BLUEZ_SCAN_ACTIVE)
		return TRUE;
	/* auto falls back to active scanning where passive is not offered */
	return self->mode == IGW_BLUEZ_SCAN_AUTO && !igw_bluez_adapter_wants_passive(adapter);
}

static gboolean
igw_bluez_adapter_retry_cb(gpointer user_data)
{
	IgwBluezAdapter *adapter = user_data;
	adapter->retry_id = 0;
	igw_bluez_adapter_sync(adapter);
	return G_SOURCE_REMOVE;
}

static void
igw_bluez_adapter_retry(IgwBluezAdapter *adapter, const gchar *what, const GError *error)
{
	guint delay = igw_backoff_next_delay(&adapter->backoff, adapter->manager->rand);
	g_autofree gchar *remote = g_dbus_error_get_remote_error(error);
	g_autoptr(GError) copy = g_error_copy(error);
	g_autofree gchar *status = NULL;
	/* one line: the remote name once, no trailing newline */
	g_dbus_error_strip_remote_error(copy);
	status =
	    g_strdup_printf("%s failed (%s: %s), retrying in %u ms", what,
			    remote != NULL ? remote : "error", g_strstrip(copy->message), delay);
	g_warning("adapter %s: %s", adapter->name, status);
	igw_bluez_adapter_set_status(adapter, status);
	g_clear_handle_id(&adapter->retry_id, g_source_remove);
	adapter->retry_id = g_timeout_add(delay, igw_bluez_adapter_retry_cb, adapter);
}

static void
igw_bluez_adapter_update_status(IgwBluezAdapter *adapter)
{
	if (adapter->monitoring && adapter->discovering)
		igw_bluez_adapter_set_status(
		    adapter, "passive scan (advertisement monitor) and active scan");
	else if (adapter->monitoring)
		igw_bluez_adapter_set_status(adapter, "passive scan (advertisement monitor)");
	else if (adapter->discovering)
		igw_bluez_adapter_set_status(adapter, "active scan (discovery)");
}

static void
igw_bluez_start_discovery_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	IgwBluezAdapter *adapter = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = igw_bluez_call_finish(G_DBUS_PROXY(source), result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	adapter->busy = FALSE;
	if (reply == NULL) {
		igw_bluez_adapter_retry(adapter, "StartDiscovery", error);
		return;
	}
	adapter->discovering = TRUE;
	igw_backoff_reset(&adapter->backoff);
	g_message("adapter %s: LE discovery started", adapter->name);
	igw_bluez_adapter_update_status(adapter);
	igw_bluez_adapter_sync(adapter);
}

static void
igw_bluez_set_filter_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	IgwBluezAdapter *adapter = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = igw_bluez_call_finish(G_DBUS_PROXY(source), result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (reply == NULL) {
		adapter->busy = FALSE;
		igw_bluez_adapter_retry(adapter, "SetDiscoveryFilter", error);
		return;
	}
	igw_bluez_call(adapter->proxy, "StartDiscovery", NULL, G_DBUS_CALL_FLAGS_NONE, -1,
		       adapter->cancellable, igw_bluez_start_discovery_cb, adapter);
}

/* every advert, not only changes (DuplicateData): the interval is how
 * availability is learned */
static void
igw_bluez_adapter_start_discovery(IgwBluezAdapter *adapter)
{
	GVariantBuilder filter;
	g_variant_builder_init(&filter, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&filter, "{sv}", "Transport", g_variant_new_string("le"));
	g_variant_builder_add(&filter, "{sv}", "DuplicateData", g_variant_new_boolean(TRUE));
	adapter->busy = TRUE;
	igw_bluez_call(adapter->proxy, "SetDiscoveryFilter", g_variant_new("(a{sv})", &filter),
		       G_DBUS_CALL_FLAGS_NONE, -1, adapter->cancellable, igw_bluez_set_filter_cb,
		       adapter);
}

static void
igw_bluez_stop_discovery_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	IgwBluezAdapter *adapter = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = igw_bluez_call_finish(G_DBUS_PROXY(source), result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	adapter->busy = FALSE;
	/* failing to stop leaves nothing to repair: bluetoothd ends it with us */
	if (reply == NULL)
		g_debug("adapter %s: StopDiscovery: %s", adapter->name, error->message);
	adapter->discovering = FALSE;
	igw_bluez_adapter_update_status(adapter);
	igw_bluez_adapter_sync(adapter);
}

static void
igw_bluez_register_monitor_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	IgwBluezAdapter *adapter = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = igw_bluez_call_finish(G_DBUS_PROXY(source), result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	adapter->busy = FALSE;
	if (reply == NULL && adapter->manager->mode == IGW_BLUEZ_SCAN_PASSIVE) {
		igw_bluez_adapter_retry(adapter, "RegisterMonitor", error);
		return;
	}
	if (reply == NULL) {
		/* auto: scanning actively beats not scanning */
		g_warning("adapter %s: RegisterMonitor failed (%s), scanning actively instead",
			  adapter->name, error->message);
		adapter->monitor_failed = TRUE;
	} else {
		adapter->monitoring = TRUE;
		g_message("adapter %s: passive scanning through an advertisement monitor",
			  adapter->name);
	}
	igw_bluez_adapter_update_status(adapter);
	igw_bluez_adapter_sync(adapter);
}

static void
igw_bluez_adapter_register_monitor(IgwBluezAdapter *adapter)
{
	g_autoptr(GDBusProxy) manager =
	    igw_bluez_manager_get_proxy(adapter->manager, adapter->path, IGW_BLUEZ_MONITOR_MANAGER);
	adapter->busy = TRUE;
	igw_bluez_call(manager, "RegisterMonitor", g_variant_new("(o)", IGW_BLUEZ_MONITOR_ROOT),
		       G_DBUS_CALL_FLAGS_NONE, -1, adapter->cancellable,
		       igw_bluez_register_monitor_cb, adapter);
}

/* one step towards what the adapter should be doing; called again after
 * each reply and on each property change */
static void
igw_bluez_adapter_sync(IgwBluezAdapter *adapter)
{
	if (adapter->busy || adapter->retry_id != 0)
		return;
	if (!igw_bluez_get_boolean(adapter->proxy, "Powered")) {
		adapter->discovering = FALSE;
		igw_bluez_adapter_set_status(adapter, "powered off, waiting");
		return;
	}
	if (igw_bluez_adapter_wants_passive(adapter) && !adapter->monitoring) {
		igw_bluez_adapter_register_monitor(adapter);
		return;
	}
	if (igw_bluez_adapter_wants_active(adapter) && !adapter->discovering) {
		igw_bluez_adapter_start_discovery(adapter);
		return;
	}
	if (!igw_bluez_adapter_wants_active(adapter) && adapter->discovering) {
		adapter->busy = TRUE;
		igw_bluez_call(adapter->proxy, "StopDiscovery", NULL, G_DBUS_CALL_FLAGS_NONE, -1,
			       adapter->cancellable, igw_bluez_stop_discovery_cb, adapter);
		return;
	}
	if (!adapter->monitoring && !adapter->discovering)
		igw_bluez_adapter_set_status(
		    adapter, "passive scan not offered by bluetoothd, not scanning");
}

static gboolean
igw_bluez_manager_adapter_allowed(IgwBluezManager *self, const gchar *name)
{
	return self->allowed_adapters[0] == NULL ||
	       g_strv_contains((const gchar *const *)self->allowed_adapters, name);
}

static void
igw_bluez_manager_add_adapter(IgwBluezManager *self, GDBusProxy *proxy)
{
	const gchar *path = g_dbus_proxy_get_object_path(proxy);
	IgwBluezAdapter *adapter;
	g_autofree gchar *name = igw_bluez_adapter_name_from_path(path);
	if (g_hash_table_contains(self->adapters, path))
		return;
	if (!igw_bluez_manager_adapter_allowed(self, name)) {
		g_info("adapter %s: not in [plugin bluez] adapters, not used", name);
		return;
	}
	adapter = g_new0(IgwBluezAdapter, 1);
	adapter->manager = self;
	adapter->path = g_strdup(path);
	adapter->name = g_steal_pointer(&name);
	adapter->proxy = g_object_ref(proxy);
	adapter->cancellable = g_cancellable_new();
	adapter->status = g_strdup("starting");
	igw_backoff_init(&adapter->backoff, IGW_BLUEZ_RETRY_BASE_MS, IGW_BLUEZ_RETRY_CAP_MS);
	g_hash_table_insert(self->adapters, adapter->path, adapter);
	g_message("adapter %s: found", adapter->name);
	g_signal_emit(self, signals[SIGNAL_ADAPTER_CHANGED], 0, path, TRUE);
	igw_bluez_adapter_sync(adapter);
}

static void
igw_bluez_manager_remove_adapter(IgwBluezManager *self, const gchar *path)
{
	g_autofree gchar *owned_path = g_strdup(path);
	IgwBluezAdapter *adapter = g_hash_table_lookup(self->adapters, path);
	if (adapter == NULL)
		return;
	g_message("adapter %s: gone", adapter->name);
	g_hash_table_remove(self->adapters, path);
	g_signal_emit(self, signals[SIGNAL_ADAPTER_CHANGED], 0, owned_path, FALSE);
	g_signal_emit(self, signals[SIGNAL_STATUS_CHANGED], 0);
}

/* the adapter of a device path, if it is one we use */
static IgwBluezAdapter *
igw_bluez_manager_adapter_of(IgwBluezManager *self, const gchar *path)
{
	g_autofree gchar *name = igw_bluez_adapter_name_from_path(path);
	g_autofree gchar *adapter_path =
	    name != NULL ? g_strconcat("/org/bluez/", name, NULL) : NULL;
	return adapter_path != NULL ? g_hash_table_lookup(self->adapters, adapter_path) : NULL;
}

static GVariant *
igw_bluez_all_properties(GDBusProxy *proxy)
{
	g_auto(GStrv) names = g_dbus_proxy_get_cached_property_names(proxy);
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE("a{sv}"));
	for (guint i = 0; names != NULL && names[i] != NULL; i++) {
		g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property(proxy, names[i]);
		if (value != NULL)
			g_variant_builder_add(&builder, "{sv}", names[i], value);
	}
	return g_variant_builder_end(&builder);
}

static gboolean
igw_bluez_has_key(GVariant *dict, const gchar *key)
{
	g_autoptr(GVariant) value = g_variant_lookup_value(dict, key, NULL);
	return value != NULL;
}

static void
igw_bluez_manager_device_changed(IgwBluezManager *self, GDBusProxy *proxy, GVariant *changed)
{
	IgwBluezAdapter *adapter =
	    igw_bluez_manager_adapter_of(self, g_dbus_proxy_get_object_path(proxy));
	if (adapter == NULL)
		return;
	if (igw_bluez_has_key(changed, "ServiceData") ||
	    igw_bluez_has_key(changed, "ManufacturerData") || igw_bluez_has_key(changed, "RSSI"))
		adapter->last_advert = g_get_monotonic_time();
	g_signal_emit(self, signals[SIGNAL_DEVICE_CHANGED], 0, proxy, changed);
}

static void
igw_bluez_manager_interface_added(IgwBluezManager *self, GDBusInterface *iface)
{
	GDBusProxy *proxy = G_DBUS_PROXY(iface);
	const gchar *name = g_dbus_proxy_get_interface_name(proxy);
	if (g_strcmp0(name, IGW_BLUEZ_ADAPTER) == 0) {
		igw_bluez_manager_add_adapter(self, proxy);
	} else if (g_strcmp0(name, IGW_BLUEZ_DEVICE) == 0) {
		g_autoptr(GVariant) all = g_variant_ref_sink(igw_bluez_all_properties(proxy));
		igw_bluez_manager_device_changed(self, proxy, all);
	} else if (g_strcmp0(name, IGW_BLUEZ_MONITOR_MANAGER) == 0) {
		IgwBluezAdapter *adapter =
		    g_hash_table_lookup(self->adapters, g_dbus_proxy_get_object_path(proxy));
		if (adapter != NULL)
			igw_bluez_adapter_sync(adapter);
	}
}

static void
igw_bluez_manager_interface_removed(IgwBluezManager *self, GDBusInterface *iface)
{
	GDBusProxy *proxy = G_DBUS_PROXY(iface);
	const gchar *name = g_dbus_proxy_get_interface_name(proxy);
	const gchar *path = g_dbus_proxy_get_object_path(proxy);
	if (g_strcmp0(name, IGW_BLUEZ_ADAPTER) == 0) {
		igw_bluez_manager_remove_adapter(self, path);
	} else if (g_strcmp0(name, IGW_BLUEZ_DEVICE) == 0) {
		g_autoptr(GVariant) address = g_dbus_proxy_get_cached_property(proxy, "Address");
		if (address != NULL && g_variant_is_of_type(address, G_VARIANT_TYPE_STRING))
			g_signal_emit(self, signals[SIGNAL_DEVICE_REMOVED], 0, path,
				      g_variant_get_string(address, NULL));
	}
}

static void
igw_bluez_object_added_cb(GDBusObjectManager *manager, GDBusObject *object, IgwBluezManager *self)
{
	GList *interfaces = g_dbus_object_get_interfaces(object);
	/* adapters before devices: a device needs its adapter */
	for (GList *l = interfaces; l != NULL; l = l->next) {
		if (g_strcmp0(g_dbus_proxy_get_interface_name(l->data), IGW_BLUEZ_ADAPTER) == 0)
			igw_bluez_manager_interface_added(self, l->data);
	}
	for (GList *l = interfaces; l != NULL; l = l->next) {
		if (g_strcmp0(g_dbus_proxy_get_interface_name(l->data), IGW_BLUEZ_ADAPTER) != 0)
			igw_bluez_manager_interface_added(self, l->data);
	}
	g_list_free_full(interfaces, g_object_unref);
}

static void
igw_bluez_object_removed_cb(GDBusObjectManager *manager, GDBusObject *object, IgwBluezManager *self)
{
	GList *interfaces = g_dbus_object_get_interfaces(object);
	for (GList *l = interfaces; l != NULL; l = l->next)
		igw_bluez_manager_interface_removed(self, l->data);
	g_list_free_full(interfaces, g_object_unref);
}

static void
igw_bluez_interface_added_cb(GDBusObjectManager *manager, GDBusObject *object,
			     GDBusInterface *iface, IgwBluezManager *self)
{
	igw_bluez_manager_interface_added(self, iface);
}

static void
igw_bluez_interface_removed_cb(GDBusObjectManager *manager, GDBusObject *object,
			       GDBusInterface *iface, IgwBluezManager *self)
{
	igw_bluez_manager_interface_removed(self, iface);
}

static void
igw_bluez_manager_adapter_properties(IgwBluezManager *self, GDBusProxy *proxy, GVariant *changed)
{
	IgwBluezAdapter *adapter =
	    g_hash_table_lookup(self->adapters, g_dbus_proxy_get_object_path(proxy));
	gboolean discovering;
	if (adapter == NULL)
		return;
	/* discovery that stopped behind our back (adapter reset, another
	 * client, a wedged controller) is started again */
	if (g_variant_lookup(changed, "Discovering", "b", &discovering) && !discovering &&
	    adapter->discovering && !adapter->busy) {
		g_warning("adapter %s: discovery stopped by bluetoothd, restarting", adapter->name);
		adapter->discovering = FALSE;
	}
	igw_bluez_adapter_sync(adapter);
}

static void
igw_bluez_properties_changed_cb(GDBusObjectManagerClient *manager, GDBusObjectProxy *object,
				GDBusProxy *proxy, GVariant *changed,
				const gchar *const *invalidated, IgwBluezManager *self)
{
	const gchar *name = g_dbus_proxy_get_interface_name(proxy);
	if (g_strcmp0(name, IGW_BLUEZ_DEVICE) == 0) {
		igw_bluez_manager_device_changed(self, proxy, changed);
	} else if (g_strcmp0(name, IGW_BLUEZ_ADAPTER) == 0) {
		igw_bluez_manager_adapter_properties(self, proxy, changed);
	} else if (g_strcmp0(name, IGW_BLUEZ_CHARACTERISTIC) == 0) {
		g_autoptr(GVariant) value =
		    g_variant_lookup_value(changed, "Value", G_VARIANT_TYPE_BYTESTRING);
		if (value != NULL) {
			g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes(value);
			g_signal_emit(self, signals[SIGNAL_CHARACTERISTIC_VALUE], 0, proxy, bytes);
		}
	}
}

static void
igw_bluez_name_owner_cb(GObject *object, GParamSpec *pspec, IgwBluezManager *self)
{
	g_autofree gchar *owner =
	    g_dbus_object_manager_client_get_name_owner(G_DBUS_OBJECT_MANAGER_CLIENT(object));
	if (owner == NULL) {
		/* the objects went with bluetoothd; so did our monitors and scans */
		g_autoptr(GList) paths = g_hash_table_get_keys(self->adapters);
		g_warning("bluetoothd left the bus; waiting for it to come back");
		for (GList *l = paths; l != NULL; l = l->next)
			igw_bluez_manager_remove_adapter(self, l->data);
	} else {
		g_message("bluetoothd is on the bus (%s)", owner);
	}
	g_signal_emit(self, signals[SIGNAL_STATUS_CHANGED], 0);
}

static gboolean
igw_bluez_wedge_check_cb(gpointer user_data)
{
	IgwBluezManager *self = user_data;
	GHashTableIter iter;
	gpointer value;
	gint64 now = g_get_monotonic_time();
	g_hash_table_iter_init(&iter, self->adapters);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwBluezAdapter *adapter = value;
		if (!adapter->discovering || adapter->busy || adapter->last_advert == 0 ||
		    now - adapter->last_advert < (gint64)IGW_BLUEZ_WEDGE_TIMEOUT_S * G_USEC_PER_SEC)
			continue;
		/* heard adverts before, then nothing: restart the scan */
		g_warning("adapter %s: no adverts for %d s, restarting discovery", adapter->name,
			  IGW_BLUEZ_WEDGE_TIMEOUT_S);
		adapter->last_advert = 0;
		adapter->discovering = FALSE;
		igw_bluez_adapter_sync(adapter);
	}
	return G_SOURCE_CONTINUE;
}

static GVariant *
igw_bluez_monitor_patterns(void)
{
	/* service data of BTHome (0xFCD2) and of 0x181A (ATC1441, pvvx),
	 * manufacturer data of Ruuvi (0x0499), little-endian as on air */
	static const guint8 patterns[][3] = {
	    {0x16, 0xd2, 0xfc},
	    {0x16, 0x1a, 0x18},
	    {0xff, 0x99, 0x04},
	};
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE("a(yyay)"));
	for (guint i = 0; i < G_N_ELEMENTS(patterns); i++)
		g_variant_builder_add(
		    &builder, "(yy@ay)", 0, patterns[i][0],
		    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, patterns[i] + 1, 2, 1));
	return g_variant_builder_end(&builder);
}

static gboolean
igw_bluez_monitor_device_cb(IgwBluezAdvertisementMonitor1 *monitor,
			    GDBusMethodInvocation *invocation, const gchar *device,
			    gpointer user_data)
{
	g_debug("advertisement monitor: %s %s",
		g_dbus_method_invocation_get_method_name(invocation), device);
	g_dbus_method_invocation_return_value(invocation, NULL);
	return TRUE;
}

static gboolean
igw_bluez_monitor_simple_cb(IgwBluezAdvertisementMonitor1 *monitor,
			    GDBusMethodInvocation *invocation, gpointer user_data)
{
	g_info("advertisement monitor: %s", g_dbus_method_invocation_get_method_name(invocation));
	g_dbus_method_invocation_return_value(invocation, NULL);
	return TRUE;
}

/* the monitor object bluetoothd reads when we register its root */
static void
igw_bluez_manager_export_monitor(IgwBluezManager *self)
{
	g_autoptr(GDBusObjectSkeleton) object =
	    g_dbus_object_skeleton_new(IGW_BLUEZ_MONITOR_ROOT "/0");
	g_autoptr(IgwBluezAdvertisementMonitor1) monitor =
	    igw_bluez_advertisement_monitor1_skeleton_new();
	igw_bluez_advertisement_monitor1_set_type_(monitor, "or_patterns");
	igw_bluez_advertisement_monitor1_set_patterns(monitor, igw_bluez_monitor_patterns());
	g_signal_connect(monitor, "handle-device-found", G_CALLBACK(igw_bluez_monitor_device_cb),
			 self);
	g_signal_connect(monitor, "handle-device-lost", G_CALLBACK(igw_bluez_monitor_device_cb),
			 self);
	g_signal_connect(monitor, "handle-activate", G_CALLBACK(igw_bluez_monitor_simple_cb), self);
	g_signal_connect(monitor, "handle-release", G_CALLBACK(igw_bluez_monitor_simple_cb), self);
	g_dbus_object_skeleton_add_interface(object, G_DBUS_INTERFACE_SKELETON(monitor));
	self->monitor_server = g_dbus_object_manager_server_new(IGW_BLUEZ_MONITOR_ROOT);
	g_dbus_object_manager_server_export(self->monitor_server, object);
	g_dbus_object_manager_server_set_connection(self->monitor_server, self->bus);
}

static void
igw_bluez_manager_client_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	IgwBluezManager *self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GList) objects = NULL;
	GDBusObjectManager *manager = g_dbus_object_manager_client_new_finish(result, &error);
	if (manager == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_warning("cannot watch bluetoothd: %s", error->message);
		return;
	}
	self->object_manager = manager;
	g_signal_connect(manager, "object-added", G_CALLBACK(igw_bluez_object_added_cb), self);
	g_signal_connect(manager, "object-removed", G_CALLBACK(igw_bluez_object_removed_cb), self);
	g_signal_connect(manager, "interface-added", G_CALLBACK(igw_bluez_interface_added_cb),
			 self);
	g_signal_connect(manager, "interface-removed", G_CALLBACK(igw_bluez_interface_removed_cb),
			 self);
	g_signal_connect(manager, "interface-proxy-properties-changed",
			 G_CALLBACK(igw_bluez_properties_changed_cb), self);
	g_signal_connect(manager, "notify::name-owner", G_CALLBACK(igw_bluez_name_owner_cb), self);
	objects = g_dbus_object_manager_get_objects(manager);
	for (GList *l = objects; l != NULL; l = l->next)
		igw_bluez_object_added_cb(manager, l->data, self);
	g_list_free_full(g_steal_pointer(&objects), g_object_unref);
	igw_bluez_name_owner_cb(G_OBJECT(manager), NULL, self);
}

void
igw_bluez_manager_start(IgwBluezManager *self)
{
	if (self->mode != IGW_BLUEZ_SCAN_ACTIVE)
		igw_bluez_manager_export_monitor(self);
	self->wedge_check_id =
	    g_timeout_add_seconds(IGW_BLUEZ_WEDGE_CHECK_S, igw_bluez_wedge_check_cb, self);
	g_dbus_object_manager_client_new(
	    self->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, IGW_BLUEZ_NAME, "/",
	    NULL, NULL, NULL, self->cancellable, igw_bluez_manager_client_cb, self);
}

void
igw_bluez_manager_set_active_scan(IgwBluezManager *self, gboolean active)
{
	GHashTableIter iter;
	gpointer value;
	if (self->active_scan == active)
		return;
	self->active_scan = active;
	g_hash_table_iter_init(&iter, self->adapters);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		igw_bluez_adapter_sync(value);
}
