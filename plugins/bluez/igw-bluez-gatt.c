/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "igw-bluez-gatt.h"
#include "igw-ble-gatt.h"
#include "iotgw-plugin.h"

#define IGW_BLUEZ_DEVICE_IFACE "org.bluez.Device1"
/* bluetoothd gives up on an LE connection after about 40 s itself */
#define IGW_BLUEZ_GATT_CALL_TIMEOUT_MS (45 * 1000)
#define IGW_BLUEZ_GATT_RETRY_BASE_MS 2000
#define IGW_BLUEZ_GATT_RETRY_CAP_MS (5 * 60 * 1000)
/* a link opened only for a write or read is closed after this */
#define IGW_BLUEZ_GATT_IDLE_S 10

typedef struct {
	GDBusProxy *proxy;
	gchar *uuid;
	IgwBleGattDecoder *decoder; /* NULL for characteristics we do not decode */
} IgwBluezGattChar;

typedef enum {
	IGW_BLUEZ_GATT_OP_WRITE,
	IGW_BLUEZ_GATT_OP_READ,
} IgwBluezGattOpKind;

typedef struct {
	IgwBluezGattOpKind kind;
	gchar *uuid;
	GBytes *value;
	guint outstanding; /* reads still under way */
} IgwBluezGattOp;

struct _IgwBluezGatt {
	IgwBluezManager *manager;
	gchar *path;
	gdouble wheel_circumference;
	IgwBluezGattCallbacks callbacks;
	gpointer user_data;
	gboolean wanted;
	gboolean connecting;
	gboolean up;
	GPtrArray *chars; /* IgwBluezGattChar, while up */
	GQueue pending;	  /* GTasks waiting for the link */
	IgwBackoff backoff;
	GRand *rand;
	guint retry_id;
	guint idle_id;
	GCancellable *cancellable;
	guint malformed;
};

static void
igw_bluez_gatt_ensure(IgwBluezGatt *self);

static void
igw_bluez_gatt_char_free(IgwBluezGattChar *chr)
{
	g_object_unref(chr->proxy);
	g_free(chr->uuid);
	if (chr->decoder != NULL)
		igw_ble_gatt_decoder_free(chr->decoder);
	g_free(chr);
}

static void
igw_bluez_gatt_op_free(IgwBluezGattOp *op)
{
	g_free(op->uuid);
	if (op->value != NULL)
		g_bytes_unref(op->value);
	g_free(op);
}

IgwBluezGatt *
igw_bluez_gatt_new(IgwBluezManager *manager, const gchar *device_path, gdouble wheel_circumference,
		   const IgwBluezGattCallbacks *callbacks, gpointer user_data)
{
	IgwBluezGatt *self = g_new0(IgwBluezGatt, 1);
	self->manager = g_object_ref(manager);
	self->path = g_strdup(device_path);
	self->wheel_circumference = wheel_circumference;
	self->callbacks = *callbacks;
	self->user_data = user_data;
	self->chars = g_ptr_array_new_with_free_func((GDestroyNotify)igw_bluez_gatt_char_free);
	self->rand = g_rand_new();
	self->cancellable = g_cancellable_new();
	g_queue_init(&self->pending);
	igw_backoff_init(&self->backoff, IGW_BLUEZ_GATT_RETRY_BASE_MS, IGW_BLUEZ_GATT_RETRY_CAP_MS);
	return self;
}

static void
igw_bluez_gatt_fail_pending(IgwBluezGatt *self, const GError *error)
{
	GTask *task;
	while ((task = g_queue_pop_head(&self->pending)) != NULL) {
		g_task_return_error(task, g_error_copy(error));
		g_object_unref(task);
	}
}

void
igw_bluez_gatt_free(IgwBluezGatt *self)
{
	g_autoptr(GError) error = NULL;
	if (self == NULL)
		return;
	g_cancellable_cancel(self->cancellable);
	g_set_error_literal(&error, IGW_ERROR, IGW_ERROR_NOT_CONNECTED, "the device went away");
	igw_bluez_gatt_fail_pending(self, error);
	g_clear_handle_id(&self->retry_id, g_source_remove);
	g_clear_handle_id(&self->idle_id, g_source_remove);
	g_clear_object(&self->cancellable);
	g_ptr_array_unref(self->chars);
	g_rand_free(self->rand);
	g_object_unref(self->manager);
	g_free(self->path);
	g_free(self);
}

const gchar *
igw_bluez_gatt_get_device_path(IgwBluezGatt *self)
{
	return self->path;
}

gboolean
igw_bluez_gatt_is_up(IgwBluezGatt *self)
{
	return self->up;
}

static gboolean
igw_bluez_gatt_proxy_flag(GDBusProxy *proxy, const gchar *property, const gchar *flag)
{
	g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property(proxy, property);
	g_autofree const gchar **flags = NULL;
	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY))
		return FALSE;
	flags = g_variant_get_strv(value, NULL);
	return g_strv_contains(flags, flag);
}

static gboolean
igw_bluez_gatt_proxy_boolean(GDBusProxy *proxy, const gchar *property)
{
	g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property(proxy, property);
	return value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN) &&
	       g_variant_get_boolean(value);
}

static gchar *
igw_bluez_gatt_proxy_uuid(GDBusProxy *proxy)
{
	g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property(proxy, "UUID");
	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return NULL;
	return g_ascii_strdown(g_variant_get_string(value, NULL), -1);
}

static IgwBluezGattChar *
igw_bluez_gatt_find_char(IgwBluezGatt *self, const gchar *path)
{
	for (guint i = 0; i < self->chars->len; i++) {
		IgwBluezGattChar *chr = g_ptr_array_index(self->chars, i);
		if (g_strcmp0(g_dbus_proxy_get_object_path(chr->proxy), path) == 0)
			return chr;
	}
	return NULL;
}

static IgwBluezGattChar *
igw_bluez_gatt_find_uuid(IgwBluezGatt *self, const gchar *uuid)
{
	for (guint i = 0; i < self->chars->len; i++) {
		IgwBluezGattChar *chr = g_ptr_array_index(self->chars, i);
		if (g_ascii_strcasecmp(chr->uuid, uuid) == 0)
			return chr;
	}
	return NULL;
}

/* decode and hand on; bad values are counted, never fatal */
static void
igw_bluez_gatt_feed(IgwBluezGatt *self, IgwBluezGattChar *chr, GBytes *value)
{
	g_autoptr(GPtrArray) values = igw_ble_values_new();
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(value, &len);
	if (chr->decoder == NULL)
		return;
	if (!igw_ble_gatt_decoder_feed(chr->decoder, data, len, g_get_monotonic_time(), values,
				       &error)) {
		self->malformed++;
		g_debug("%s: value of %s dropped (%u so far): %s", self->path, chr->uuid,
			self->malformed, error->message);
		return;
	}
	if (values->len > 0)
		self->callbacks.values(self, values, self->user_data);
}

void
igw_bluez_gatt_characteristic_value(IgwBluezGatt *self, GDBusProxy *characteristic, GBytes *value)
{
	IgwBluezGattChar *chr =
	    igw_bluez_gatt_find_char(self, g_dbus_proxy_get_object_path(characteristic));
	if (chr != NULL)
		igw_bluez_gatt_feed(self, chr, value);
}

static void
igw_bluez_gatt_start_notify_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = igw_bluez_call_finish(G_DBUS_PROXY(source), result, &error);
	if (reply == NULL && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		g_warning("%s: StartNotify failed: %s",
			  g_dbus_proxy_get_object_path(G_DBUS_PROXY(source)), error->message);
}

static GBytes *
igw_bluez_gatt_reply_bytes(GVariant *reply)
{
	g_autoptr(GVariant) value = g_variant_get_child_value(reply, 0);
	return g_variant_get_data_as_bytes(value);
}

/* the CSC decoders need the feature bits before they trust the flags */
static void
igw_bluez_gatt_apply_features(IgwBluezGatt *self, GBytes *value)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(value, &len);
	if (len < 2)
		return;
	for (guint i = 0; i < self->chars->len; i++) {
		IgwBluezGattChar *chr = g_ptr_array_index(self->chars, i);
		guint16 uuid16 = 0;
		if (chr->decoder != NULL && igw_ble_uuid_to_16(chr->uuid, &uuid16) &&
		    uuid16 == 0x2A5B)
			igw_ble_gatt_decoder_set_csc_features(chr->decoder, data[0] | data[1] << 8);
	}
}

typedef struct {
	IgwBluezGatt *gatt;
	gchar *path;
	GTask *task; /* a read op waiting for all its values, or NULL */
} IgwBluezGattRead;

static void
igw_bluez_gatt_read_done(IgwBluezGattRead *read)
{
	if (read->task != NULL) {
		IgwBluezGattOp *op = g_task_get_task_data(read->task);
		if (--op->outstanding == 0)
			g_task_return_boolean(read->task, TRUE);
		g_object_unref(read->task);
	}
	g_free(read->path);
	g_free(read);
}

static void
igw_bluez_gatt_read_value_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	IgwBluezGattRead *read = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = igw_bluez_call_finish(G_DBUS_PROXY(source), result, &error);
	IgwBluezGattChar *chr;
	if (reply == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_debug("%s: ReadValue failed: %s", read->path, error->message);
		igw_bluez_gatt_read_done(read);
		return;
	}
	chr = igw_bluez_gatt_find_char(read->gatt, read->path);
	if (chr != NULL) {
		g_autoptr(GBytes) bytes = igw_bluez_gatt_reply_bytes(reply);
		guint16 uuid16 = 0;
		if (igw_ble_uuid_to_16(chr->uuid, &uuid16) && uuid16 == 0x2A5C)
			igw_bluez_gatt_apply_features(read->gatt, bytes);
		igw_bluez_gatt_feed(read->gatt, chr, bytes);
	}
	igw_bluez_gatt_read_done(read);
}

static void
igw_bluez_gatt_read_char(IgwBluezGatt *self, IgwBluezGattChar *chr, GTask *task)
{
	IgwBluezGattRead *read = g_new0(IgwBluezGattRead, 1);
	read->gatt = self;
	read->path = g_strdup(g_dbus_proxy_get_object_path(chr->proxy));
	read->task = task != NULL ? g_object_ref(task) : NULL;
	igw_bluez_call(chr->proxy, "ReadValue", g_variant_new_parsed("(@a{sv} {},)"),
		       G_DBUS_CALL_FLAGS_NONE, IGW_BLUEZ_GATT_CALL_TIMEOUT_MS, self->cancellable,
		       igw_bluez_gatt_read_value_cb, read);
}

/* the characteristics we decode, with "_2" for a second instance of one */
static void
igw_bluez_gatt_collect(IgwBluezGatt *self)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	GList *proxies = igw_bluez_manager_get_characteristics(self->manager, self->path);
	g_ptr_array_set_size(self->chars, 0);
	for (GList *l = proxies; l != NULL; l = l->next) {
		IgwBluezGattChar *chr = g_new0(IgwBluezGattChar, 1);
		guint16 uuid16 = 0;
		chr->proxy = g_object_ref(l->data);
		chr->uuid = igw_bluez_gatt_proxy_uuid(chr->proxy);
		if (chr->uuid == NULL) {
			igw_bluez_gatt_char_free(chr);
			continue;
		}
		if (igw_ble_uuid_to_16(chr->uuid, &uuid16) && igw_ble_gatt_lookup(uuid16) != NULL) {
			guint n =
			    GPOINTER_TO_UINT(g_hash_table_lookup(seen, GUINT_TO_POINTER(uuid16))) +
			    1;
			g_autofree gchar *suffix = n > 1 ? g_strdup_printf("_%u", n) : g_strdup("");
			g_hash_table_insert(seen, GUINT_TO_POINTER(uuid16), GUINT_TO_POINTER(n));
			chr->decoder = igw_ble_gatt_decoder_new(uuid16, suffix);
			if (uuid16 == 0x2A5B)
				igw_ble_gatt_decoder_set_wheel_circumference(
				    chr->decoder, self->wheel_circumference);
		}
		g_ptr_array_add(self->chars, chr);
	}
	g_list_free_full(proxies, g_object_unref);
}

/*
 * Every characteristic we decode that can notify or indicate is subscribed,
 * whatever its service: an ESS temperature or a battery level pushes its
 * changes as a heart rate does. A readable one that is not a stream is read
 * too, for the value it has before its first change.
 */
static void
igw_bluez_gatt_subscribe(IgwBluezGatt *self)
{
	for (guint i = 0; i < self->chars->len; i++) {
		IgwBluezGattChar *chr = g_ptr_array_index(self->chars, i);
		guint16 uuid16 = 0;
		gboolean notifies;
		if (chr->decoder == NULL || !igw_ble_uuid_to_16(chr->uuid, &uuid16))
			continue;
		notifies = igw_bluez_gatt_proxy_flag(chr->proxy, "Flags", "notify") ||
			   igw_bluez_gatt_proxy_flag(chr->proxy, "Flags", "indicate");
		if (notifies)
			igw_bluez_call(chr->proxy, "StartNotify", NULL, G_DBUS_CALL_FLAGS_NONE,
				       IGW_BLUEZ_GATT_CALL_TIMEOUT_MS, self->cancellable,
				       igw_bluez_gatt_start_notify_cb, NULL);
		if (igw_bluez_gatt_proxy_flag(chr->proxy, "Flags", "read") &&
		    !(notifies && igw_ble_gatt_lookup(uuid16)->notify))
			igw_bluez_gatt_read_char(self, chr, NULL);
	}
}

static gboolean
igw_bluez_gatt_idle_cb(gpointer user_data)
{
	IgwBluezGatt *self = user_data;
	g_autoptr(GDBusProxy) device =
	    igw_bluez_manager_get_proxy(self->manager, self->path, IGW_BLUEZ_DEVICE_IFACE);
	self->idle_id = 0;
	if (self->wanted || device == NULL || !g_queue_is_empty(&self->pending))
		return G_SOURCE_REMOVE;
	g_debug("%s: idle, disconnecting", self->path);
	igw_bluez_call(device, "Disconnect", NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
	return G_SOURCE_REMOVE;
}

static void
igw_bluez_gatt_arm_idle(IgwBluezGatt *self)
{
	g_clear_handle_id(&self->idle_id, g_source_remove);
	if (!self->wanted)
		self->idle_id =
		    g_timeout_add_seconds(IGW_BLUEZ_GATT_IDLE_S, igw_bluez_gatt_idle_cb, self);
}

static void
igw_bluez_gatt_write_read_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = igw_bluez_call_finish(G_DBUS_PROXY(source), result, &error);
	IgwBluezGattOp *op = g_task_get_task_data(task);
	/* the write went through; a failed read-back still confirms what we wrote */
	if (reply == NULL) {
		g_debug("%s: reading back after a write failed: %s", op->uuid, error->message);
		g_task_return_pointer(task, g_bytes_ref(op->value), (GDestroyNotify)g_bytes_unref);
		return;
	}
	g_task_return_pointer(task, igw_bluez_gatt_reply_bytes(reply),
			      (GDestroyNotify)g_bytes_unref);
}

static void
igw_bluez_gatt_write_value_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = igw_bluez_call_finish(G_DBUS_PROXY(source), result, &error);
	GDBusProxy *proxy = G_DBUS_PROXY(source);
	if (reply == NULL) {
		g_dbus_error_strip_remote_error(error);
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_CONNECTED,
					"GATT write failed: %s", error->message);
		return;
	}
	if (!igw_bluez_gatt_proxy_flag(proxy, "Flags", "read")) {
		IgwBluezGattOp *op = g_task_get_task_data(task);
		g_task_return_pointer(task, g_bytes_ref(op->value), (GDestroyNotify)g_bytes_unref);
		return;
	}
	igw_bluez_call(proxy, "ReadValue", g_variant_new_parsed("(@a{sv} {},)"),
		       G_DBUS_CALL_FLAGS_NONE, IGW_BLUEZ_GATT_CALL_TIMEOUT_MS,
		       g_task_get_cancellable(task), igw_bluez_gatt_write_read_cb,
		       g_steal_pointer(&task));
}

static void
igw_bluez_gatt_run_write(IgwBluezGatt *self, GTask *task)
{
	IgwBluezGattOp *op = g_task_get_task_data(task);
	IgwBluezGattChar *chr = igw_bluez_gatt_find_uuid(self, op->uuid);
	GVariantBuilder options;
	if (chr == NULL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_FOUND,
					"the device has no characteristic %s", op->uuid);
		g_object_unref(task);
		return;
	}
	g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&options, "{sv}", "type", g_variant_new_string("request"));
	igw_bluez_call(chr->proxy, "WriteValue",
		       g_variant_new("(@aya{sv})",
				     g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
							       g_bytes_get_data(op->value, NULL),
							       g_bytes_get_size(op->value), 1),
				     &options),
		       G_DBUS_CALL_FLAGS_NONE, IGW_BLUEZ_GATT_CALL_TIMEOUT_MS,
		       g_task_get_cancellable(task), igw_bluez_gatt_write_value_cb, task);
}

static void
igw_bluez_gatt_run_read(IgwBluezGatt *self, GTask *task)
{
	IgwBluezGattOp *op = g_task_get_task_data(task);
	op->outstanding = 1; /* held until every read is issued */
	for (guint i = 0; i < self->chars->len; i++) {
		IgwBluezGattChar *chr = g_ptr_array_index(self->chars, i);
		if (chr->decoder == NULL || !igw_bluez_gatt_proxy_flag(chr->proxy, "Flags", "read"))
			continue;
		op->outstanding++;
		igw_bluez_gatt_read_char(self, chr, task);
	}
	if (--op->outstanding == 0)
		g_task_return_boolean(task, TRUE);
	g_object_unref(task);
}

static void
igw_bluez_gatt_run_pending(IgwBluezGatt *self)
{
	GTask *task;
	while ((task = g_queue_pop_head(&self->pending)) != NULL) {
		IgwBluezGattOp *op = g_task_get_task_data(task);
		if (g_task_return_error_if_cancelled(task)) {
			g_object_unref(task);
			continue;
		}
		if (op->kind == IGW_BLUEZ_GATT_OP_WRITE)
			igw_bluez_gatt_run_write(self, task);
		else
			igw_bluez_gatt_run_read(self, task);
	}
	igw_bluez_gatt_arm_idle(self);
}

static void
igw_bluez_gatt_link_up(IgwBluezGatt *self)
{
	self->up = TRUE;
	igw_backoff_reset(&self->backoff);
	igw_bluez_gatt_collect(self);
	g_message("%s: GATT ready, %u characteristics", self->path, self->chars->len);
	igw_bluez_gatt_subscribe(self);
	self->callbacks.link(self, TRUE, self->user_data);
	igw_bluez_gatt_run_pending(self);
}

static void
igw_bluez_gatt_link_down(IgwBluezGatt *self)
{
	gboolean was_up = self->up;
	self->up = FALSE;
	g_ptr_array_set_size(self->chars, 0);
	if (was_up) {
		g_message("%s: GATT link down", self->path);
		self->callbacks.link(self, FALSE, self->user_data);
	}
}

static gboolean
igw_bluez_gatt_retry_cb(gpointer user_data)
{
	IgwBluezGatt *self = user_data;
	self->retry_id = 0;
	igw_bluez_gatt_ensure(self);
	return G_SOURCE_REMOVE;
}

static void
igw_bluez_gatt_schedule_retry(IgwBluezGatt *self)
{
	guint delay;
	if (!self->wanted || self->retry_id != 0)
		return;
	delay = igw_backoff_next_delay(&self->backoff, self->rand);
	g_info("%s: reconnecting in %u ms", self->path, delay);
	self->retry_id = g_timeout_add(delay, igw_bluez_gatt_retry_cb, self);
}

static void
igw_bluez_gatt_connect_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	IgwBluezGatt *self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = igw_bluez_call_finish(G_DBUS_PROXY(source), result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	self->connecting = FALSE;
	if (reply == NULL) {
		g_autoptr(GError) failure = NULL;
		g_dbus_error_strip_remote_error(error);
		g_warning("%s: connect failed: %s", self->path, error->message);
		failure = g_error_new(IGW_ERROR, IGW_ERROR_NOT_CONNECTED, "cannot connect: %s",
				      error->message);
		igw_bluez_gatt_fail_pending(self, failure);
		igw_bluez_gatt_schedule_retry(self);
		return;
	}
	/* usually ServicesResolved follows as a property change */
	if (igw_bluez_gatt_proxy_boolean(G_DBUS_PROXY(source), "ServicesResolved") && !self->up)
		igw_bluez_gatt_link_up(self);
}

static void
igw_bluez_gatt_ensure(IgwBluezGatt *self)
{
	g_autoptr(GDBusProxy) device = NULL;
	if (self->up) {
		igw_bluez_gatt_run_pending(self);
		return;
	}
	if (self->connecting || self->retry_id != 0)
		return;
	device = igw_bluez_manager_get_proxy(self->manager, self->path, IGW_BLUEZ_DEVICE_IFACE);
	if (device == NULL) {
		g_autoptr(GError) error =
		    g_error_new(IGW_ERROR, IGW_ERROR_NOT_CONNECTED, "the device is not in range");
		igw_bluez_gatt_fail_pending(self, error);
		return;
	}
	if (igw_bluez_gatt_proxy_boolean(device, "Connected") &&
	    igw_bluez_gatt_proxy_boolean(device, "ServicesResolved")) {
		igw_bluez_gatt_link_up(self);
		return;
	}
	g_info("%s: connecting", self->path);
	self->connecting = TRUE;
	igw_bluez_call(device, "Connect", NULL, G_DBUS_CALL_FLAGS_NONE,
		       IGW_BLUEZ_GATT_CALL_TIMEOUT_MS, self->cancellable, igw_bluez_gatt_connect_cb,
		       self);
}

void
igw_bluez_gatt_set_wanted(IgwBluezGatt *self, gboolean wanted)
{
	if (self->wanted == wanted)
		return;
	self->wanted = wanted;
	if (wanted) {
		g_clear_handle_id(&self->idle_id, g_source_remove);
		igw_bluez_gatt_ensure(self);
	} else {
		g_clear_handle_id(&self->retry_id, g_source_remove);
		if (self->up)
			igw_bluez_gatt_arm_idle(self);
	}
}

void
igw_bluez_gatt_device_changed(IgwBluezGatt *self, GVariant *changed)
{
	gboolean connected;
	gboolean resolved;
	if (g_variant_lookup(changed, "Connected", "b", &connected) && !connected) {
		igw_bluez_gatt_link_down(self);
		igw_bluez_gatt_schedule_retry(self);
		return;
	}
	if (g_variant_lookup(changed, "ServicesResolved", "b", &resolved) && resolved &&
	    !self->up) {
		self->connecting = FALSE;
		igw_bluez_gatt_link_up(self);
	}
}

void
igw_bluez_gatt_device_removed(IgwBluezGatt *self)
{
	g_autoptr(GError) error =
	    g_error_new(IGW_ERROR, IGW_ERROR_NOT_CONNECTED, "the device went away");
	self->connecting = FALSE;
	igw_bluez_gatt_link_down(self);
	igw_bluez_gatt_fail_pending(self, error);
	/* the device object comes back when it is seen again: retry then */
	g_clear_handle_id(&self->retry_id, g_source_remove);
}

static void
igw_bluez_gatt_queue(IgwBluezGatt *self, IgwBluezGattOp *op, GCancellable *cancellable,
		     GAsyncReadyCallback callback, gpointer user_data, gpointer source_tag)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_source_tag(task, source_tag);
	g_task_set_task_data(task, op, (GDestroyNotify)igw_bluez_gatt_op_free);
	g_clear_handle_id(&self->idle_id, g_source_remove);
	g_queue_push_tail(&self->pending, task);
	/* a queued op does not wait out a reconnect backoff */
	g_clear_handle_id(&self->retry_id, g_source_remove);
	igw_bluez_gatt_ensure(self);
}

void
igw_bluez_gatt_write_async(IgwBluezGatt *self, const gchar *uuid, GBytes *value,
			   GCancellable *cancellable, GAsyncReadyCallback callback,
			   gpointer user_data)
{
	IgwBluezGattOp *op = g_new0(IgwBluezGattOp, 1);
	op->kind = IGW_BLUEZ_GATT_OP_WRITE;
	op->uuid = g_ascii_strdown(uuid, -1);
	op->value = g_bytes_ref(value);
	igw_bluez_gatt_queue(self, op, cancellable, callback, user_data,
			     igw_bluez_gatt_write_async);
}

GBytes *
igw_bluez_gatt_write_finish(IgwBluezGatt *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

void
igw_bluez_gatt_read_async(IgwBluezGatt *self, GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data)
{
	IgwBluezGattOp *op = g_new0(IgwBluezGattOp, 1);
	op->kind = IGW_BLUEZ_GATT_OP_READ;
	igw_bluez_gatt_queue(self, op, cancellable, callback, user_data, igw_bluez_gatt_read_async);
}

gboolean
igw_bluez_gatt_read_finish(IgwBluezGatt *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}
