/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "igw-ble-advert.h"
#include "igw-ble-gatt.h"
#include "igw-bluez-gatt.h"
#include "igw-bluez-manager.h"
#include "igw-bluez-write.h"
#include "igw-bthome.h"
#include "iotgw-plugin.h"

/*
 * BLE things through bluetoothd. Every device heard is a candidate:
 *
 *  - adverts in a format we decode (BTHome v2, ATC1441, pvvx, Ruuvi) make an
 *    advert thing whose readings come with each advert;
 *  - a device advertising a GATT profile we decode (heart rate, cycling
 *    speed and cadence, environmental sensing) makes a GATT thing, connected
 *    once adopted;
 *  - anything else is offered as unsupported: listed, never adopted.
 *
 *   [plugin bluez]
 *   scan = auto                 # auto | active | passive
 *   adapters = hci0             # default: every adapter
 *   min_rssi = -90              # weaker devices are not offered
 *   away_after = 3              # advert intervals of silence before away
 *   unavailable_after = 10      # ... before unavailable
 *   availability_timeout = 900  # unavailable after this while the interval is unknown
 *   wheel_circumference = 2.105 # metres, for cycling speed
 *   heartbeat = 600             # seconds: an unchanged advert value is stored again after this
 *
 *   [thing bluez:C0:FF:EE:00:00:01]
 *   name = Desk lamp
 *   write.on = 0000ff01-0000-1000-8000-00805f9b34fb bool
 *   write.level = 0000ff02-0000-1000-8000-00805f9b34fb uint8 0 100
 */

#define IGW_BLUEZ_ID_PREFIX "bluez:"
/* an RSSI within a few dB of the last is reported again after this long */
#define IGW_BLUEZ_RSSI_REPEAT_US (60 * G_USEC_PER_SEC)
#define IGW_BLUEZ_DEFAULT_HEARTBEAT_S (10 * 60)
#define IGW_BLUEZ_RSSI_STEP 5
#define IGW_BLUEZ_DEFAULT_WHEEL 2.105

typedef enum {
	IGW_BLUEZ_KIND_NONE, /* not offered yet */
	IGW_BLUEZ_KIND_ADVERT,
	IGW_BLUEZ_KIND_GATT,
	IGW_BLUEZ_KIND_UNSUPPORTED,
} IgwBluezKind;

typedef struct {
	gchar *scan;
	GStrv adapters;
	gint min_rssi;
	guint away_after;
	guint unavailable_after;
	guint availability_timeout;
	gdouble wheel_circumference;
	guint heartbeat; /* seconds */
} IgwBluezOptions;

typedef struct _IgwBluezPlugin IgwBluezPlugin;

typedef struct {
	IgwBluezPlugin *plugin;
	gchar *address;
	gchar *thing_id;
	gchar *path;	     /* the Device1 object while bluetoothd has one */
	gchar *adapter_path; /* where it was last heard */
	IgwBluezKind kind;
	IgwBleFormat format;
	gboolean configured;
	IgwLiveness *liveness; /* from adverts, or notifications while connected */
	gboolean adapter_gone; /* unavailable until heard again */
	IgwBthomeReplayState replay;
	gint last_packet_id;
	GVariant *last_payload;	   /* the advert data last decoded, to know it heard again */
	GHashTable *last_reported; /* field -> IgwReading */
	gchar *failed_key;	   /* the bindkey that did not decrypt, reported once */
	gboolean key_missing_reported;
	gboolean downgrade_reported;
	guint dropped;
	guint malformed_reported; /* 1 << IgwBleAdvertError for each kind logged */
	IgwBluezGatt *gatt;
	GPtrArray *writes; /* IgwBluezWrite from [thing] write.* keys */
	gulong adopted_handler;
} IgwBluezDevice;

struct _IgwBluezPlugin {
	IgwPlugin *plugin;
	IgwBluezOptions options;
	IgwBluezManager *manager;
	GHashTable *devices; /* address -> IgwBluezDevice */
	IgwLivenessAlarm liveness_alarm;
};

static void
igw_bluez_device_update_availability(IgwBluezDevice *device, gint64 now);

/* ---- options ------------------------------------------------------------ */

static const gchar *const igw_bluez_plugin_keys[] = {"scan",
						     "adapters",
						     "min_rssi",
						     "away_after",
						     "unavailable_after",
						     "availability_timeout",
						     "wheel_circumference",
						     "heartbeat",
						     NULL};

static void
igw_bluez_options_clear(IgwBluezOptions *options)
{
	g_clear_pointer(&options->scan, g_free);
	g_clear_pointer(&options->adapters, g_strfreev);
}

static gboolean
igw_bluez_read_int(GKeyFile *config, const gchar *key, gint fallback, gint min, gint max,
		   gint *value, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	if (!g_key_file_has_key(config, "plugin bluez", key, NULL)) {
		*value = fallback;
		return TRUE;
	}
	*value = g_key_file_get_integer(config, "plugin bluez", key, &local_error);
	if (local_error != NULL || *value < min || *value > max) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "[plugin bluez] %s: expected a whole number from %d to %d", key, min,
			    max);
		return FALSE;
	}
	return TRUE;
}

static gboolean
igw_bluez_options_read(GKeyFile *config, IgwBluezOptions *options, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(config, "plugin bluez", NULL, NULL);
	IgwBluezScanMode mode;
	gint away = 0;
	gint unavailable = 0;
	gint timeout = 0;
	gint heartbeat = 0;
	g_autofree gchar *wheel = NULL;
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(igw_bluez_plugin_keys, keys[i])) {
			g_autofree gchar *known = g_strjoinv(", ", (gchar **)igw_bluez_plugin_keys);
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
				    "[plugin bluez] %s: unknown key; expected one of: %s", keys[i],
				    known);
			return FALSE;
		}
	}
	options->scan = g_key_file_get_string(config, "plugin bluez", "scan", NULL);
	if (options->scan == NULL)
		options->scan = g_strdup("auto");
	g_strstrip(options->scan);
	if (!igw_bluez_scan_mode_from_string(options->scan, &mode)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "[plugin bluez] scan: expected auto, active or passive, got '%s'",
			    options->scan);
		return FALSE;
	}
	options->adapters =
	    g_key_file_get_string_list(config, "plugin bluez", "adapters", NULL, NULL);
	if (options->adapters == NULL)
		options->adapters = g_new0(gchar *, 1);
	for (guint i = 0; options->adapters[i] != NULL; i++)
		g_strstrip(options->adapters[i]);
	if (!igw_bluez_read_int(config, "min_rssi", -127, -127, 20, &options->min_rssi, error) ||
	    !igw_bluez_read_int(config, "away_after", IGW_LIVENESS_DEFAULT_AWAY_FACTOR, 1, 100,
				&away, error) ||
	    !igw_bluez_read_int(config, "unavailable_after",
				IGW_LIVENESS_DEFAULT_UNAVAILABLE_FACTOR, 2, 1000, &unavailable,
				error) ||
	    !igw_bluez_read_int(config, "availability_timeout", IGW_LIVENESS_DEFAULT_FALLBACK_S, 10,
				86400, &timeout, error) ||
	    !igw_bluez_read_int(config, "heartbeat", IGW_BLUEZ_DEFAULT_HEARTBEAT_S, 1, 86400,
				&heartbeat, error))
		return FALSE;
	if (unavailable <= away) {
		g_set_error(
		    error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
		    "[plugin bluez] unavailable_after (%d) must be more than away_after (%d)",
		    unavailable, away);
		return FALSE;
	}
	options->away_after = away;
	options->unavailable_after = unavailable;
	options->availability_timeout = timeout;
	options->heartbeat = heartbeat;
	options->wheel_circumference = IGW_BLUEZ_DEFAULT_WHEEL;
	wheel = g_key_file_get_string(config, "plugin bluez", "wheel_circumference", NULL);
	if (wheel != NULL) {
		gchar *end = NULL;
		options->wheel_circumference = g_ascii_strtod(g_strstrip(wheel), &end);
		if (end == wheel || *end != '\0' || options->wheel_circumference < 0.1 ||
		    options->wheel_circumference > 10) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
				    "[plugin bluez] wheel_circumference: expected metres from 0.1 "
				    "to 10, got '%s'",
				    wheel);
			return FALSE;
		}
	}
	return TRUE;
}

/* "bluez:AA:BB:CC:DD:EE:FF" -> the upper-case address, or NULL */
static gchar *
igw_bluez_address_from_id(const gchar *thing_id)
{
	const gchar *address;
	if (!g_str_has_prefix(thing_id, IGW_BLUEZ_ID_PREFIX))
		return NULL;
	address = thing_id + strlen(IGW_BLUEZ_ID_PREFIX);
	if (strlen(address) != 17)
		return NULL;
	for (guint i = 0; i < 17; i++) {
		if (i % 3 == 2 ? address[i] != ':' : !g_ascii_isxdigit(address[i]))
			return NULL;
	}
	return g_ascii_strup(address, -1);
}

static gboolean
igw_bluez_check_thing_group(GKeyFile *config, const gchar *group, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(config, group, NULL, NULL);
	g_autofree gchar *address = igw_bluez_address_from_id(group + strlen("thing "));
	if (address == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "[%s]: expected bluez:AA:BB:CC:DD:EE:FF", group);
		return FALSE;
	}
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		g_autoptr(IgwBluezWrite) write = NULL;
		g_autofree gchar *text = NULL;
		if (!g_str_has_prefix(keys[i], "write."))
			continue;
		text = g_key_file_get_string(config, group, keys[i], NULL);
		write = igw_bluez_write_parse(keys[i] + strlen("write."), text, error);
		if (write == NULL) {
			g_prefix_error(error, "[%s] %s: ", group, keys[i]);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
igw_bluez_check_config(IgwPlugin *plugin, GKeyFile *config, GError **error)
{
	IgwBluezOptions options = {0};
	g_auto(GStrv) groups = g_key_file_get_groups(config, NULL);
	gboolean ok = igw_bluez_options_read(config, &options, error);
	igw_bluez_options_clear(&options);
	if (!ok)
		return FALSE;
	for (guint i = 0; groups[i] != NULL; i++) {
		if (g_str_has_prefix(groups[i], "thing " IGW_BLUEZ_ID_PREFIX) &&
		    !igw_bluez_check_thing_group(config, groups[i], error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
igw_bluez_check_secret(IgwPlugin *plugin, const gchar *thing_id, const gchar *name,
		       const gchar *value, GError **error)
{
	guint8 key[IGW_BTHOME_BINDKEY_LEN];
	if (g_strcmp0(name, "bindkey") != 0) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "BLE things know only the secret 'bindkey' (BTHome encryption key)");
		return FALSE;
	}
	if (!igw_ble_bindkey_parse(value, key, error)) {
		g_prefix_error(error, "bindkey: ");
		return FALSE;
	}
	return TRUE;
}

/* ---- devices ------------------------------------------------------------ */

static IgwContext *
igw_bluez_context(IgwBluezPlugin *self)
{
	return igw_plugin_get_context(self->plugin);
}

static void
igw_bluez_device_free(IgwBluezDevice *device)
{
	IgwThing *thing =
	    igw_context_lookup_thing(igw_bluez_context(device->plugin), device->thing_id);
	if (thing != NULL && device->adopted_handler != 0)
		g_signal_handler_disconnect(thing, device->adopted_handler);
	igw_bluez_gatt_free(device->gatt);
	igw_liveness_free(device->liveness);
	g_hash_table_unref(device->last_reported);
	g_clear_pointer(&device->last_payload, g_variant_unref);
	if (device->writes != NULL)
		g_ptr_array_unref(device->writes);
	g_free(device->failed_key);
	g_free(device->address);
	g_free(device->thing_id);
	g_free(device->path);
	g_free(device->adapter_path);
	g_free(device);
}

static IgwBluezDevice *
igw_bluez_device_new(IgwBluezPlugin *self, const gchar *address)
{
	IgwBluezDevice *device = g_new0(IgwBluezDevice, 1);
	device->plugin = self;
	device->address = g_ascii_strup(address, -1);
	device->thing_id = g_strconcat(IGW_BLUEZ_ID_PREFIX, device->address, NULL);
	device->last_packet_id = -1;
	device->liveness =
	    igw_liveness_new(self->options.away_after, self->options.unavailable_after,
			     self->options.availability_timeout);
	device->last_reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						      (GDestroyNotify)igw_reading_unref);
	g_hash_table_insert(self->devices, device->address, device);
	return device;
}

static IgwThing *
igw_bluez_device_thing(IgwBluezDevice *device)
{
	return igw_context_lookup_thing(igw_bluez_context(device->plugin), device->thing_id);
}

static IgwField *
igw_bluez_field_from_value(const IgwBleValue *value)
{
	IgwField *field = igw_field_new(value->field, value->type);
	igw_field_set_unit(field, value->unit);
	igw_field_set_decimals(field, value->decimals);
	igw_field_set_category(field, value->category);
	return field;
}

/* a new object id in an advert, or a second sensor, is a new field */
static void
igw_bluez_thing_ensure_fields(IgwThing *thing, GPtrArray *values)
{
	for (guint i = 0; i < values->len; i++) {
		const IgwBleValue *value = g_ptr_array_index(values, i);
		g_autoptr(IgwField) field = NULL;
		if (igw_thing_get_field(thing, value->field) != NULL)
			continue;
		field = igw_bluez_field_from_value(value);
		igw_thing_add_field(thing, field);
	}
}

static void
igw_bluez_thing_ensure_rssi(IgwThing *thing)
{
	g_autoptr(IgwField) field = NULL;
	if (igw_thing_get_field(thing, "rssi") != NULL)
		return;
	field = igw_field_new("rssi", IGW_FIELD_TYPE_INTEGER);
	igw_field_set_unit(field, "dBm");
	igw_field_set_category(field, IGW_FIELD_CATEGORY_STATUS);
	igw_thing_add_field(thing, field);
}

/*
 * A sensor value that did not change is stored again once per heartbeat, so
 * that a quiet sensor can be told from a dead one. A GATT value is stored
 * each time the device sends one.
 */
static gboolean
igw_bluez_device_should_report(IgwBluezDevice *device, const gchar *field, GVariant *value,
			       gint64 now)
{
	IgwReading *last = g_hash_table_lookup(device->last_reported, field);
	gint64 heartbeat = (gint64)device->plugin->options.heartbeat * G_USEC_PER_SEC;
	if (last == NULL || device->kind == IGW_BLUEZ_KIND_GATT)
		return TRUE;
	return !g_variant_equal(igw_reading_get_value(last), value) ||
	       now - igw_reading_get_timestamp(last) >= heartbeat;
}

/*
 * An event is news each time; so is an unchanged advert value stored again
 * for the heartbeat: the layers above must not take either for a repeat.
 */
static void
igw_bluez_device_report(IgwBluezDevice *device, const gchar *field, GVariant *value, gboolean event)
{
	IgwContext *context = igw_bluez_context(device->plugin);
	IgwReading *last = g_hash_table_lookup(device->last_reported, field);
	gint64 now = g_get_real_time();
	g_autoptr(IgwReading) reading = NULL;
	g_autoptr(GVariant) owned = g_variant_ref_sink(value);
	gboolean news = event;
	if (!event && !igw_bluez_device_should_report(device, field, owned, now))
		return;
	if (!event && last != NULL && device->kind != IGW_BLUEZ_KIND_GATT)
		news = g_variant_equal(igw_reading_get_value(last), owned);
	reading = igw_reading_new(device->thing_id, field, owned, now);
	if (news)
		igw_reading_set_flags(reading,
				      igw_reading_get_flags(reading) | IGW_READING_FLAG_NEWS);
	g_hash_table_replace(device->last_reported, g_strdup(field), igw_reading_ref(reading));
	igw_context_report_reading(context, reading);
}

/*
 * @repeat: the same packet heard again. Its events were delivered the first
 * time; an event in a new packet is a new press, whatever its value.
 */
static void
igw_bluez_device_report_values(IgwBluezDevice *device, GPtrArray *values, gboolean repeat)
{
	IgwThing *thing = igw_bluez_device_thing(device);
	if (thing == NULL)
		return;
	igw_bluez_thing_ensure_fields(thing, values);
	for (guint i = 0; i < values->len; i++) {
		const IgwBleValue *value = g_ptr_array_index(values, i);
		if (value->event && repeat)
			continue;
		igw_bluez_device_report(device, value->field, g_variant_ref(value->value),
					value->event);
	}
}

static void
igw_bluez_device_report_rssi(IgwBluezDevice *device, gint16 rssi)
{
	IgwThing *thing = igw_bluez_device_thing(device);
	IgwReading *last = g_hash_table_lookup(device->last_reported, "rssi");
	if (thing == NULL || device->kind == IGW_BLUEZ_KIND_UNSUPPORTED)
		return;
	/* RSSI wobbles with every advert: a few dB say nothing */
	if (last != NULL &&
	    ABS(g_variant_get_int64(igw_reading_get_value(last)) - rssi) < IGW_BLUEZ_RSSI_STEP &&
	    g_get_real_time() - igw_reading_get_timestamp(last) < IGW_BLUEZ_RSSI_REPEAT_US)
		return;
	igw_bluez_thing_ensure_rssi(thing);
	g_hash_table_remove(device->last_reported, "rssi");
	igw_bluez_device_report(device, "rssi", g_variant_new_int64(rssi), FALSE);
}

/* ---- availability --------------------------------------------------------- */

static IgwAvailability
igw_bluez_device_availability(IgwBluezDevice *device, gint64 now)
{
	IgwAvailability heard = igw_liveness_evaluate(device->liveness, now);
	if (device->adapter_gone)
		return IGW_AVAILABILITY_UNAVAILABLE;
	if (device->gatt == NULL || !igw_thing_get_adopted(igw_bluez_device_thing(device)))
		return heard;
	/* a connected device is there even when its sensor has nothing to say */
	if (igw_bluez_gatt_is_up(device->gatt))
		return heard == IGW_AVAILABILITY_AVAILABLE ? heard : IGW_AVAILABILITY_AWAY;
	return IGW_AVAILABILITY_UNAVAILABLE;
}

static gboolean
igw_bluez_liveness_cb(gpointer user_data);

static void
igw_bluez_device_update_availability(IgwBluezDevice *device, gint64 now)
{
	IgwThing *thing = igw_bluez_device_thing(device);
	IgwAvailability availability;
	/* nobody proxies an unsupported device: no need to follow it */
	if (thing == NULL || device->kind == IGW_BLUEZ_KIND_UNSUPPORTED)
		return;
	availability = igw_bluez_device_availability(device, now);
	if (availability != igw_thing_get_availability(thing))
		g_info("thing %s: %s (interval %.1f s)", device->thing_id,
		       igw_availability_to_string(availability),
		       igw_liveness_get_interval(device->liveness) / (gdouble)G_USEC_PER_SEC);
	igw_context_set_availability(igw_bluez_context(device->plugin), device->thing_id,
				     availability);
	igw_liveness_alarm_arm(&device->plugin->liveness_alarm,
			       igw_liveness_next_change(device->liveness, now),
			       igw_bluez_liveness_cb, device->plugin);
}

static gboolean
igw_bluez_liveness_cb(gpointer user_data)
{
	IgwBluezPlugin *self = user_data;
	GHashTableIter iter;
	gpointer value;
	gint64 now = g_get_monotonic_time();
	igw_liveness_alarm_fired(&self->liveness_alarm);
	g_hash_table_iter_init(&iter, self->devices);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		igw_bluez_device_update_availability(value, now);
	return G_SOURCE_REMOVE;
}

static void
igw_bluez_device_heard(IgwBluezDevice *device)
{
	gint64 now = g_get_monotonic_time();
	device->adapter_gone = FALSE;
	igw_liveness_heard(device->liveness, now);
	igw_bluez_device_update_availability(device, now);
}

/* ---- GATT ------------------------------------------------------------------ */

static void
igw_bluez_gatt_values_cb(IgwBluezGatt *gatt, GPtrArray *values, gpointer user_data)
{
	IgwBluezDevice *device = user_data;
	igw_bluez_device_report_values(device, values, FALSE);
	igw_bluez_device_heard(device);
}

static void
igw_bluez_gatt_link_cb(IgwBluezGatt *gatt, gboolean up, gpointer user_data)
{
	IgwBluezDevice *device = user_data;
	igw_bluez_device_update_availability(device, g_get_monotonic_time());
}

static void
igw_bluez_device_ensure_gatt(IgwBluezDevice *device)
{
	static const IgwBluezGattCallbacks callbacks = {
	    .values = igw_bluez_gatt_values_cb,
	    .link = igw_bluez_gatt_link_cb,
	};
	if (device->path == NULL)
		return;
	if (device->gatt != NULL &&
	    g_strcmp0(igw_bluez_gatt_get_device_path(device->gatt), device->path) == 0)
		return;
	igw_bluez_gatt_free(device->gatt);
	device->gatt =
	    igw_bluez_gatt_new(device->plugin->manager, device->path,
			       device->plugin->options.wheel_circumference, &callbacks, device);
}

/* a GATT thing keeps its link only while adopted: discovered ones cost no radio time */
static void
igw_bluez_device_sync_link(IgwBluezDevice *device)
{
	IgwThing *thing = igw_bluez_device_thing(device);
	gboolean wanted =
	    thing != NULL && device->kind == IGW_BLUEZ_KIND_GATT && igw_thing_get_adopted(thing);
	if (wanted)
		igw_bluez_device_ensure_gatt(device);
	if (device->gatt != NULL)
		igw_bluez_gatt_set_wanted(device->gatt, wanted);
}

static void
igw_bluez_adopted_cb(IgwThing *thing, GParamSpec *pspec, IgwBluezDevice *device)
{
	igw_bluez_device_sync_link(device);
	igw_bluez_device_update_availability(device, g_get_monotonic_time());
}

/* ---- offering ---------------------------------------------------------------- */

static void
igw_bluez_thing_describe_gatt(IgwThing *thing, GVariant *uuids)
{
	static const guint16 characteristics[] = {0x2A37, 0x2A38, 0x2A5B, 0x2A6E,
						  0x2A6F, 0x2A6D, 0x2A19};
	g_autoptr(GPtrArray) values = igw_ble_values_new();
	g_autofree const gchar **strv = g_variant_get_strv(uuids, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(characteristics); i++) {
		const IgwBleGattProfile *profile = igw_ble_gatt_lookup(characteristics[i]);
		g_autoptr(IgwBleGattDecoder) decoder = NULL;
		gboolean offered = FALSE;
		for (guint j = 0; strv[j] != NULL; j++) {
			guint16 service = 0;
			if (igw_ble_uuid_to_16(strv[j], &service) && profile != NULL &&
			    service == profile->service16)
				offered = TRUE;
		}
		if (!offered)
			continue;
		decoder = igw_ble_gatt_decoder_new(characteristics[i], "");
		igw_ble_gatt_decoder_describe(decoder, values);
	}
	igw_bluez_thing_ensure_fields(thing, values);
}

/* the GATT services we decode that the device advertises */
static gboolean
igw_bluez_uuids_have_gatt_profile(GVariant *uuids)
{
	g_autofree const gchar **strv = NULL;
	if (uuids == NULL || !g_variant_is_of_type(uuids, G_VARIANT_TYPE_STRING_ARRAY))
		return FALSE;
	strv = g_variant_get_strv(uuids, NULL);
	for (guint i = 0; strv[i] != NULL; i++) {
		guint16 service = 0;
		/* battery alone is on every phone: not a sensor */
		if (igw_ble_uuid_to_16(strv[i], &service) && service != 0x180F &&
		    igw_ble_gatt_service_is_known(service))
			return TRUE;
	}
	return FALSE;
}

static void
igw_bluez_thing_set_identity(IgwThing *thing, GDBusProxy *proxy, const gchar *model)
{
	g_autoptr(GVariant) alias = g_dbus_proxy_get_cached_property(proxy, "Alias");
	if (alias != NULL && g_variant_is_of_type(alias, G_VARIANT_TYPE_STRING) &&
	    *g_variant_get_string(alias, NULL) != '\0')
		igw_thing_set_name(thing, g_variant_get_string(alias, NULL));
	igw_thing_set_model(thing, model);
}

static void
igw_bluez_device_offer(IgwBluezDevice *device, GDBusProxy *proxy, IgwBluezKind kind,
		       const gchar *model, GPtrArray *values)
{
	IgwBluezPlugin *self = device->plugin;
	IgwContext *context = igw_bluez_context(self);
	g_autoptr(IgwThing) thing = igw_thing_new(device->thing_id, "bluez");
	g_autoptr(GError) error = NULL;
	device->kind = kind;
	/* a configured thing exists already: it only learns what it is */
	if (device->configured) {
		IgwThing *existing = igw_bluez_device_thing(device);
		if (existing == NULL)
			return;
		igw_thing_set_model(existing, model);
		if (kind == IGW_BLUEZ_KIND_GATT) {
			g_autoptr(GVariant) uuids =
			    g_dbus_proxy_get_cached_property(proxy, "UUIDs");
			igw_bluez_thing_describe_gatt(existing, uuids);
		}
		igw_bluez_device_sync_link(device);
		return;
	}
	igw_bluez_thing_set_identity(thing, proxy, model);
	igw_thing_set_supported(thing, kind != IGW_BLUEZ_KIND_UNSUPPORTED);
	if (values != NULL)
		igw_bluez_thing_ensure_fields(thing, values);
	if (kind == IGW_BLUEZ_KIND_GATT) {
		g_autoptr(GVariant) uuids = g_dbus_proxy_get_cached_property(proxy, "UUIDs");
		igw_bluez_thing_describe_gatt(thing, uuids);
		igw_thing_set_readout_on_demand(thing, TRUE);
	}
	if (!igw_context_offer_thing(context, thing, &error)) {
		g_warning("thing %s: cannot be offered: %s", device->thing_id, error->message);
		return;
	}
	g_info("thing %s: found, %s", device->thing_id, model);
	/* the core may have adopted it at once (stored state, policy) */
	thing = g_object_ref(igw_bluez_device_thing(device));
	device->adopted_handler =
	    g_signal_connect(thing, "notify::adopted", G_CALLBACK(igw_bluez_adopted_cb), device);
	igw_bluez_device_sync_link(device);
}

/* what BlueZ saw, for the model of an unsupported device */
static gchar *
igw_bluez_describe_unknown(GVariant *service_data, GVariant *manufacturer_data)
{
	GVariantIter iter;
	const gchar *uuid;
	guint16 company;
	if (manufacturer_data != NULL && g_variant_n_children(manufacturer_data) > 0) {
		g_variant_iter_init(&iter, manufacturer_data);
		if (g_variant_iter_next(&iter, "{qv}", &company, NULL))
			return g_strdup_printf("unsupported (manufacturer data 0x%04X)", company);
	}
	if (service_data != NULL && g_variant_n_children(service_data) > 0) {
		g_variant_iter_init(&iter, service_data);
		if (g_variant_iter_next(&iter, "{&sv}", &uuid, NULL))
			return g_strdup_printf("unsupported (service data %s)", uuid);
	}
	return g_strdup("unsupported (no advert data)");
}

/* ---- adverts -------------------------------------------------------------------- */

static const guint8 *
igw_bluez_device_bindkey(IgwBluezDevice *device, guint8 key[IGW_BTHOME_BINDKEY_LEN],
			 const gchar **text)
{
	*text = igw_context_get_thing_secret(igw_bluez_context(device->plugin), device->thing_id,
					     "bindkey");
	if (*text == NULL || !igw_ble_bindkey_parse(*text, key, NULL))
		return NULL;
	return key;
}

/* reported once per key, not per advert */
static void
igw_bluez_device_decrypt_failed(IgwBluezDevice *device, const gchar *key_text, const GError *error)
{
	if (g_strcmp0(device->failed_key, key_text) == 0)
		return;
	g_free(device->failed_key);
	device->failed_key = g_strdup(key_text);
	g_warning("thing %s: the bindkey does not decrypt its adverts (%s); "
		  "set the right one with iotgwctl thing %s set-secret bindkey KEY",
		  device->thing_id, error->message, device->thing_id);
}

static IgwBleAdvert *
igw_bluez_decode_service_data(IgwBluezDevice *device, GVariant *service_data, GError **error)
{
	GVariantIter iter;
	const gchar *uuid;
	GVariant *value;
	guint8 key[IGW_BTHOME_BINDKEY_LEN];
	const gchar *key_text = NULL;
	const guint8 *bindkey = igw_bluez_device_bindkey(device, key, &key_text);
	g_variant_iter_init(&iter, service_data);
	while (g_variant_iter_next(&iter, "{&sv}", &uuid, &value)) {
		g_autoptr(GVariant) bytes = value;
		g_autoptr(GError) local_error = NULL;
		IgwBleAdvert *advert;
		guint16 uuid16 = 0;
		gsize len = 0;
		const guint8 *data;
		if (!igw_ble_uuid_to_16(uuid, &uuid16) ||
		    !g_variant_is_of_type(bytes, G_VARIANT_TYPE_BYTESTRING))
			continue;
		data = g_variant_get_fixed_array(bytes, &len, 1);
		advert = igw_ble_advert_decode_service_data(uuid16, data, len, device->address,
							    bindkey, &local_error);
		if (advert != NULL)
			return advert;
		if (g_error_matches(local_error, IGW_BLE_ADVERT_ERROR,
				    IGW_BLE_ADVERT_ERROR_DECRYPT_FAILED))
			igw_bluez_device_decrypt_failed(device, key_text, local_error);
		if (!g_error_matches(local_error, IGW_BLE_ADVERT_ERROR,
				     IGW_BLE_ADVERT_ERROR_UNSUPPORTED)) {
			g_propagate_error(error, g_steal_pointer(&local_error));
			return NULL;
		}
	}
	g_set_error_literal(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_UNSUPPORTED,
			    "no known service data");
	return NULL;
}

static IgwBleAdvert *
igw_bluez_decode_manufacturer_data(GVariant *manufacturer_data, GError **error)
{
	GVariantIter iter;
	guint16 company;
	GVariant *value;
	g_variant_iter_init(&iter, manufacturer_data);
	while (g_variant_iter_next(&iter, "{qv}", &company, &value)) {
		g_autoptr(GVariant) bytes = value;
		g_autoptr(GError) local_error = NULL;
		IgwBleAdvert *advert;
		gsize len = 0;
		const guint8 *data;
		if (!g_variant_is_of_type(bytes, G_VARIANT_TYPE_BYTESTRING))
			continue;
		data = g_variant_get_fixed_array(bytes, &len, 1);
		advert = igw_ble_advert_decode_manufacturer_data(company, data, len, &local_error);
		if (advert != NULL)
			return advert;
		if (!g_error_matches(local_error, IGW_BLE_ADVERT_ERROR,
				     IGW_BLE_ADVERT_ERROR_UNSUPPORTED)) {
			g_propagate_error(error, g_steal_pointer(&local_error));
			return NULL;
		}
	}
	g_set_error_literal(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_UNSUPPORTED,
			    "no known manufacturer data");
	return NULL;
}

typedef enum {
	IGW_BLUEZ_ADVERT_NEW,
	IGW_BLUEZ_ADVERT_REPEAT, /* the same packet heard again */
	IGW_BLUEZ_ADVERT_REFUSED,
} IgwBluezAdvertVerdict;

/* the replay and downgrade rules of BTHome encryption */
static IgwBluezAdvertVerdict
igw_bluez_device_accept(IgwBluezDevice *device, IgwBleAdvert *advert)
{
	guint8 key[IGW_BTHOME_BINDKEY_LEN];
	const gchar *key_text = NULL;
	IgwBthomeCounterVerdict verdict;
	if (advert->format != IGW_BLE_FORMAT_BTHOME)
		return IGW_BLUEZ_ADVERT_NEW;
	if (!advert->encrypted) {
		if (igw_bluez_device_bindkey(device, key, &key_text) == NULL)
			return IGW_BLUEZ_ADVERT_NEW;
		if (!device->downgrade_reported)
			g_warning("thing %s: plaintext BTHome advert from a device with a bindkey "
				  "ignored",
				  device->thing_id);
		device->downgrade_reported = TRUE;
		return IGW_BLUEZ_ADVERT_REFUSED;
	}
	verdict = igw_bthome_replay_check(&device->replay, advert->counter, g_get_monotonic_time());
	if (verdict == IGW_BTHOME_COUNTER_RESET)
		g_message("thing %s: BTHome counter restarted at %u (battery changed?)",
			  device->thing_id, advert->counter);
	if (verdict == IGW_BTHOME_COUNTER_REPLAY) {
		g_debug("thing %s: replayed BTHome counter %u dropped", device->thing_id,
			advert->counter);
		return IGW_BLUEZ_ADVERT_REFUSED;
	}
	return verdict == IGW_BTHOME_COUNTER_DUPLICATE ? IGW_BLUEZ_ADVERT_REPEAT
						       : IGW_BLUEZ_ADVERT_NEW;
}

/*
 * The same packet heard twice: the same packet id, or, for a sender without
 * one, the very same bytes. Only then are its events old news.
 */
static gboolean
igw_bluez_device_is_repeat(IgwBluezDevice *device, IgwBleAdvert *advert, GVariant *payload)
{
	gboolean repeat;
	if (advert->packet_id >= 0)
		repeat = advert->packet_id == device->last_packet_id;
	else
		repeat =
		    device->last_payload != NULL && g_variant_equal(device->last_payload, payload);
	device->last_packet_id = advert->packet_id;
	g_clear_pointer(&device->last_payload, g_variant_unref);
	device->last_payload = g_variant_ref(payload);
	return repeat;
}

static void
igw_bluez_device_use_advert(IgwBluezDevice *device, IgwBleAdvert *advert, GVariant *payload)
{
	IgwThing *thing = igw_bluez_device_thing(device);
	IgwBluezAdvertVerdict verdict = igw_bluez_device_accept(device, advert);
	gboolean repeat;
	if (verdict == IGW_BLUEZ_ADVERT_REFUSED)
		return;
	igw_liveness_set_irregular(device->liveness, advert->trigger_based);
	repeat = igw_bluez_device_is_repeat(device, advert, payload) ||
		 verdict == IGW_BLUEZ_ADVERT_REPEAT;
	if (!repeat) {
		device->failed_key = (g_free(device->failed_key), NULL);
		device->downgrade_reported = FALSE;
		if (thing != NULL)
			igw_thing_set_model(thing, igw_ble_format_to_string(advert->format));
	}
	igw_bluez_device_report_values(device, advert->values, repeat);
}

/* once per device and kind of fault: a broken sender repeats itself many times a second */
static void
igw_bluez_device_dropped(IgwBluezDevice *device, const GError *error)
{
	guint bit = 1u << MIN((guint)error->code, 31u);
	device->dropped++;
	if ((device->malformed_reported & bit) != 0)
		return;
	device->malformed_reported |= bit;
	g_message(
	    "thing %s: malformed advert dropped: %s; more of this kind are counted, not logged",
	    device->thing_id, error->message);
}

static void
igw_bluez_device_key_missing(IgwBluezDevice *device)
{
	if (device->key_missing_reported)
		return;
	device->key_missing_reported = TRUE;
	g_message("thing %s: encrypted BTHome adverts; give its key with "
		  "iotgwctl thing %s set-secret bindkey KEY",
		  device->thing_id, device->thing_id);
}

/* starts over as never seen: offered again by what it sends next */
static void
igw_bluez_device_reset(IgwBluezDevice *device)
{
	IgwThing *thing = igw_bluez_device_thing(device);
	if (thing != NULL && device->adopted_handler != 0)
		g_signal_handler_disconnect(thing, device->adopted_handler);
	if (thing != NULL)
		igw_context_remove_thing(igw_bluez_context(device->plugin), device->thing_id);
	device->kind = IGW_BLUEZ_KIND_NONE;
	device->adopted_handler = 0;
	g_clear_pointer(&device->gatt, igw_bluez_gatt_free);
	g_hash_table_remove_all(device->last_reported);
}

/* what an unsupported device sent now makes it one we decode */
static gboolean
igw_bluez_device_now_supported(IgwBleAdvert *advert, const GError *error, GVariant *uuids)
{
	return advert != NULL ||
	       g_error_matches(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_NEEDS_KEY) ||
	       g_error_matches(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_DECRYPT_FAILED) ||
	       igw_bluez_uuids_have_gatt_profile(uuids);
}

static void
igw_bluez_device_first_offer(IgwBluezDevice *device, GDBusProxy *proxy, IgwBleAdvert *advert,
			     const GError *error, GVariant *service_data,
			     GVariant *manufacturer_data, GVariant *uuids)
{
	if (advert != NULL) {
		device->format = advert->format;
		igw_bluez_device_offer(device, proxy, IGW_BLUEZ_KIND_ADVERT,
				       igw_ble_format_to_string(advert->format), NULL);
	} else if (g_error_matches(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_NEEDS_KEY) ||
		   g_error_matches(error, IGW_BLE_ADVERT_ERROR,
				   IGW_BLE_ADVERT_ERROR_DECRYPT_FAILED)) {
		device->format = IGW_BLE_FORMAT_BTHOME;
		igw_bluez_device_offer(device, proxy, IGW_BLUEZ_KIND_ADVERT,
				       "BTHome v2 (encrypted)", NULL);
	} else if (igw_bluez_uuids_have_gatt_profile(uuids)) {
		igw_bluez_device_offer(device, proxy, IGW_BLUEZ_KIND_GATT, "GATT sensor", NULL);
	} else if (device->configured) {
		/* written to, never read from: its adverts only say it is there */
		igw_bluez_device_offer(device, proxy, IGW_BLUEZ_KIND_ADVERT,
				       "configured BLE device", NULL);
	} else if (service_data != NULL || manufacturer_data != NULL) {
		g_autofree gchar *model =
		    igw_bluez_describe_unknown(service_data, manufacturer_data);
		igw_bluez_device_offer(device, proxy, IGW_BLUEZ_KIND_UNSUPPORTED, model, NULL);
	}
}

/*
 * Decode what the advert carries, and judge the device again every time:
 * one first heard with garbage becomes a thing when its data turns valid.
 */
static void
igw_bluez_device_advert(IgwBluezDevice *device, GDBusProxy *proxy, GVariant *service_data,
			GVariant *manufacturer_data, GVariant *uuids, gint rssi)
{
	g_autoptr(IgwBleAdvert) advert = NULL;
	g_autoptr(GError) error = NULL;
	GVariant *payload = service_data;
	/* forgotten by the administrator: found again, it is new */
	if (device->kind != IGW_BLUEZ_KIND_NONE && !device->configured &&
	    igw_bluez_device_thing(device) == NULL)
		igw_bluez_device_reset(device);
	if (service_data != NULL)
		advert = igw_bluez_decode_service_data(device, service_data, &error);
	if (advert == NULL && manufacturer_data != NULL &&
	    (error == NULL ||
	     g_error_matches(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_UNSUPPORTED))) {
		g_clear_error(&error);
		payload = manufacturer_data;
		advert = igw_bluez_decode_manufacturer_data(manufacturer_data, &error);
	}
	if (device->kind == IGW_BLUEZ_KIND_UNSUPPORTED && !device->configured &&
	    igw_bluez_device_now_supported(advert, error, uuids)) {
		g_info("thing %s: now sends data it can decode", device->thing_id);
		igw_bluez_device_reset(device);
	}
	/* weak devices wait until they come closer; configured ones never wait */
	if (device->kind == IGW_BLUEZ_KIND_NONE &&
	    (device->configured || rssi >= device->plugin->options.min_rssi))
		igw_bluez_device_first_offer(device, proxy, advert, error, service_data,
					     manufacturer_data, uuids);
	else if (device->kind == IGW_BLUEZ_KIND_NONE)
		return;
	if (advert != NULL)
		igw_bluez_device_use_advert(device, advert, payload);
	else if (g_error_matches(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_NEEDS_KEY))
		igw_bluez_device_key_missing(device);
	else if (error != NULL &&
		 !g_error_matches(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_UNSUPPORTED) &&
		 !g_error_matches(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_DECRYPT_FAILED))
		igw_bluez_device_dropped(device, error);
}

/* the bus may carry anything: type-check every property we read */
static GVariant *
igw_bluez_lookup(GVariant *dict, const gchar *key, const GVariantType *type)
{
	g_autoptr(GVariant) value = g_variant_lookup_value(dict, key, NULL);
	if (value == NULL)
		return NULL;
	if (!g_variant_is_of_type(value, type)) {
		g_debug("property %s has type %s, expected %s; ignored", key,
			g_variant_get_type_string(value), (const gchar *)type);
		return NULL;
	}
	return g_steal_pointer(&value);
}

static void
igw_bluez_device_changed_cb(IgwBluezManager *manager, GDBusProxy *proxy, GVariant *changed,
			    IgwBluezPlugin *self)
{
	g_autoptr(GVariant) address = g_dbus_proxy_get_cached_property(proxy, "Address");
	g_autoptr(GVariant) service_data =
	    igw_bluez_lookup(changed, "ServiceData", G_VARIANT_TYPE("a{sv}"));
	g_autoptr(GVariant) manufacturer_data =
	    igw_bluez_lookup(changed, "ManufacturerData", G_VARIANT_TYPE("a{qv}"));
	g_autoptr(GVariant) rssi = igw_bluez_lookup(changed, "RSSI", G_VARIANT_TYPE_INT16);
	g_autoptr(GVariant) uuids = g_dbus_proxy_get_cached_property(proxy, "UUIDs");
	g_autofree gchar *upper = NULL;
	IgwBluezDevice *device;
	gboolean first_sight;
	gint rssi_value = G_MAXINT; /* unknown: min_rssi cannot judge it */
	if (address == NULL || !g_variant_is_of_type(address, G_VARIANT_TYPE_STRING))
		return;
	upper = g_ascii_strup(g_variant_get_string(address, NULL), -1);
	device = g_hash_table_lookup(self->devices, upper);
	first_sight = device == NULL;
	if (device == NULL)
		device = igw_bluez_device_new(self, upper);
	if (g_strcmp0(device->path, g_dbus_proxy_get_object_path(proxy)) != 0) {
		g_autofree gchar *adapter =
		    igw_bluez_adapter_name_from_path(g_dbus_proxy_get_object_path(proxy));
		g_free(device->path);
		device->path = g_strdup(g_dbus_proxy_get_object_path(proxy));
		g_free(device->adapter_path);
		device->adapter_path = g_strconcat("/org/bluez/", adapter, NULL);
	}
	if (rssi != NULL)
		rssi_value = g_variant_get_int16(rssi);
	if (device->gatt != NULL)
		igw_bluez_gatt_device_changed(device->gatt, changed);
	/* bluetoothd lists the devices it remembers with their last advert data
	 * but no RSSI: that is history, not the device being here */
	if ((service_data == NULL && manufacturer_data == NULL && rssi == NULL) ||
	    (first_sight && rssi == NULL)) {
		igw_bluez_device_sync_link(device);
		return;
	}
	igw_bluez_device_advert(device, proxy, service_data, manufacturer_data, uuids, rssi_value);
	if (igw_bluez_device_thing(device) == NULL)
		return;
	if (rssi != NULL && rssi_value != G_MAXINT)
		igw_bluez_device_report_rssi(device, rssi_value);
	/* while connected, notifications say the device is there */
	if (device->gatt == NULL || !igw_bluez_gatt_is_up(device->gatt))
		igw_bluez_device_heard(device);
	igw_bluez_device_sync_link(device);
}

static void
igw_bluez_device_removed_cb(IgwBluezManager *manager, const gchar *path, const gchar *address,
			    IgwBluezPlugin *self)
{
	g_autofree gchar *upper = g_ascii_strup(address, -1);
	IgwBluezDevice *device = g_hash_table_lookup(self->devices, upper);
	if (device == NULL || g_strcmp0(device->path, path) != 0)
		return;
	g_clear_pointer(&device->path, g_free);
	if (device->gatt != NULL)
		igw_bluez_gatt_device_removed(device->gatt);
	/* bluetoothd drops devices it has not heard for a while: an unsupported
	 * one leaves the list, a supported one waits to be heard again */
	if (device->kind == IGW_BLUEZ_KIND_UNSUPPORTED) {
		igw_context_remove_thing(igw_bluez_context(self), device->thing_id);
		g_hash_table_remove(self->devices, upper);
	}
}

static void
igw_bluez_adapter_changed_cb(IgwBluezManager *manager, const gchar *path, gboolean present,
			     IgwBluezPlugin *self)
{
	GHashTableIter iter;
	gpointer value;
	if (present)
		return;
	/* its devices are unreachable until heard through an adapter again */
	g_hash_table_iter_init(&iter, self->devices);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwBluezDevice *device = value;
		/* bluetoothd removes the devices before their adapter */
		if (g_strcmp0(device->adapter_path, path) != 0)
			continue;
		device->adapter_gone = TRUE;
		if (device->gatt != NULL)
			igw_bluez_gatt_device_removed(device->gatt);
		igw_bluez_device_update_availability(device, g_get_monotonic_time());
	}
}

static void
igw_bluez_characteristic_value_cb(IgwBluezManager *manager, GDBusProxy *characteristic,
				  GBytes *value, IgwBluezPlugin *self)
{
	GHashTableIter iter;
	gpointer data;
	const gchar *path = g_dbus_proxy_get_object_path(characteristic);
	g_hash_table_iter_init(&iter, self->devices);
	while (g_hash_table_iter_next(&iter, NULL, &data)) {
		IgwBluezDevice *device = data;
		if (device->gatt != NULL && device->path != NULL &&
		    g_str_has_prefix(path, device->path) && path[strlen(device->path)] == '/') {
			igw_bluez_gatt_characteristic_value(device->gatt, characteristic, value);
			return;
		}
	}
}

static void
igw_bluez_status_changed_cb(IgwBluezManager *manager, IgwBluezPlugin *self)
{
	g_autofree gchar *status = igw_bluez_manager_describe(manager);
	igw_plugin_set_status(self->plugin, status);
}

/* ---- configured things ---------------------------------------------------------- */

static gboolean
igw_bluez_add_configured(IgwBluezPlugin *self, const gchar *thing_id, GError **error)
{
	GKeyFile *config = igw_context_get_config(igw_bluez_context(self));
	g_autofree gchar *group = igw_context_get_thing_group(thing_id);
	g_autofree gchar *address = igw_bluez_address_from_id(thing_id);
	g_autofree gchar *name = g_key_file_get_string(config, group, "name", NULL);
	g_auto(GStrv) keys = g_key_file_get_keys(config, group, NULL, NULL);
	g_autoptr(IgwThing) thing = NULL;
	IgwBluezDevice *device;
	if (address == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "[%s]: expected bluez:AA:BB:CC:DD:EE:FF", group);
		return FALSE;
	}
	device = g_hash_table_lookup(self->devices, address);
	if (device == NULL)
		device = igw_bluez_device_new(self, address);
	device->configured = TRUE;
	device->writes = g_ptr_array_new_with_free_func((GDestroyNotify)igw_bluez_write_free);
	thing = igw_thing_new(device->thing_id, "bluez");
	if (name != NULL)
		igw_thing_set_name(thing, name);
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		g_autofree gchar *text = NULL;
		IgwBluezWrite *write;
		g_autoptr(IgwField) field = NULL;
		if (!g_str_has_prefix(keys[i], "write."))
			continue;
		text = g_key_file_get_string(config, group, keys[i], NULL);
		write = igw_bluez_write_parse(keys[i] + strlen("write."), text, error);
		if (write == NULL)
			return FALSE;
		g_ptr_array_add(device->writes, write);
		field = igw_bluez_write_new_field(write);
		igw_thing_add_field(thing, field);
	}
	if (!igw_context_add_thing(igw_bluez_context(self), thing, error))
		return FALSE;
	/* its kind (advert or GATT) comes from what it sends */
	device->kind = IGW_BLUEZ_KIND_NONE;
	return TRUE;
}

/* ---- vfuncs ----------------------------------------------------------------------- */

static void
igw_bluez_plugin_free(IgwBluezPlugin *self)
{
	igw_liveness_alarm_clear(&self->liveness_alarm);
	g_hash_table_unref(self->devices);
	if (self->manager != NULL)
		g_signal_handlers_disconnect_by_data(self->manager, self);
	g_clear_object(&self->manager);
	igw_bluez_options_clear(&self->options);
	g_free(self);
}

static gboolean
igw_bluez_startup(IgwPlugin *plugin, GError **error)
{
	IgwBluezPlugin *self = g_new0(IgwBluezPlugin, 1);
	IgwContext *context = igw_plugin_get_context(plugin);
	g_autoptr(GDBusConnection) bus = NULL;
	g_auto(GStrv) ids = NULL;
	IgwBluezScanMode mode = IGW_BLUEZ_SCAN_AUTO;
	self->plugin = plugin;
	self->devices = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					      (GDestroyNotify)igw_bluez_device_free);
	igw_plugin_set_data(plugin, self, (GDestroyNotify)igw_bluez_plugin_free);
	if (!igw_bluez_options_read(igw_context_get_config(context), &self->options, error))
		return FALSE;
	bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, error);
	if (bus == NULL) {
		g_prefix_error(error, "cannot reach the system bus for bluetoothd: ");
		return FALSE;
	}
	ids = igw_context_get_thing_ids(context, "bluez");
	for (guint i = 0; ids[i] != NULL; i++) {
		if (!igw_bluez_add_configured(self, ids[i], error))
			return FALSE;
	}
	(void)igw_bluez_scan_mode_from_string(self->options.scan, &mode);
	self->manager =
	    igw_bluez_manager_new(bus, mode, (const gchar *const *)self->options.adapters);
	g_signal_connect(self->manager, "device-changed", G_CALLBACK(igw_bluez_device_changed_cb),
			 self);
	g_signal_connect(self->manager, "device-removed", G_CALLBACK(igw_bluez_device_removed_cb),
			 self);
	g_signal_connect(self->manager, "adapter-changed", G_CALLBACK(igw_bluez_adapter_changed_cb),
			 self);
	g_signal_connect(self->manager, "characteristic-value",
			 G_CALLBACK(igw_bluez_characteristic_value_cb), self);
	g_signal_connect(self->manager, "status-changed", G_CALLBACK(igw_bluez_status_changed_cb),
			 self);
	igw_bluez_manager_start(self->manager);
	igw_bluez_status_changed_cb(self->manager, self);
	return TRUE;
}

static void
igw_bluez_shutdown(IgwPlugin *plugin)
{
	IgwBluezPlugin *self = igw_plugin_get_data(plugin);
	if (self == NULL)
		return;
	igw_liveness_alarm_clear(&self->liveness_alarm);
	g_hash_table_remove_all(self->devices);
	if (self->manager != NULL)
		g_signal_handlers_disconnect_by_data(self->manager, self);
	g_clear_object(&self->manager);
}

static gboolean
igw_bluez_set_discovery(IgwPlugin *plugin, gboolean enabled, GError **error)
{
	IgwBluezPlugin *self = igw_plugin_get_data(plugin);
	if (self->manager != NULL)
		igw_bluez_manager_set_active_scan(self->manager, enabled);
	return TRUE;
}

static IgwBluezDevice *
igw_bluez_find_device(IgwPlugin *plugin, IgwThing *thing)
{
	IgwBluezPlugin *self = igw_plugin_get_data(plugin);
	g_autofree gchar *address = igw_bluez_address_from_id(igw_thing_get_id(thing));
	return address != NULL ? g_hash_table_lookup(self->devices, address) : NULL;
}

static void
igw_bluez_write_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	IgwBluezWrite *write = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) confirmed = igw_bluez_gatt_write_finish(NULL, result, &error);
	GVariant *value;
	if (confirmed == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	value = igw_bluez_write_decode(write, confirmed, &error);
	if (value == NULL) {
		g_prefix_error(&error, "the device confirmed an unreadable value: ");
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_pointer(task, g_variant_ref_sink(value), (GDestroyNotify)g_variant_unref);
}

static void
igw_bluez_control_async(IgwPlugin *plugin, IgwThing *thing, IgwField *field, GVariant *value,
			GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(plugin, cancellable, callback, user_data);
	IgwBluezDevice *device = igw_bluez_find_device(plugin, thing);
	IgwBluezWrite *write = NULL;
	g_autoptr(GBytes) bytes = NULL;
	for (guint i = 0; device != NULL && device->writes != NULL && i < device->writes->len;
	     i++) {
		IgwBluezWrite *candidate = g_ptr_array_index(device->writes, i);
		if (g_strcmp0(igw_bluez_write_get_field(candidate), igw_field_get_name(field)) == 0)
			write = candidate;
	}
	if (write == NULL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
					"%s has no GATT write for %s", igw_thing_get_id(thing),
					igw_field_get_name(field));
		return;
	}
	if (device->path == NULL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_CONNECTED,
					"%s is not in range", igw_thing_get_id(thing));
		return;
	}
	igw_bluez_device_ensure_gatt(device);
	bytes = igw_bluez_write_encode(write, value);
	g_task_set_task_data(task, write, NULL);
	igw_bluez_gatt_write_async(device->gatt, igw_bluez_write_get_uuid(write), bytes,
				   cancellable, igw_bluez_write_done_cb, g_steal_pointer(&task));
}

static GVariant *
igw_bluez_control_finish(IgwPlugin *plugin, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
igw_bluez_read_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	if (!igw_bluez_gatt_read_finish(NULL, result, &error))
		g_task_return_error(task, g_steal_pointer(&error));
	else
		g_task_return_boolean(task, TRUE);
}

static void
igw_bluez_readout_async(IgwPlugin *plugin, IgwThing *thing, GCancellable *cancellable,
			GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(plugin, cancellable, callback, user_data);
	IgwBluezDevice *device = igw_bluez_find_device(plugin, thing);
	if (device == NULL || device->kind != IGW_BLUEZ_KIND_GATT || device->path == NULL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_CONNECTED,
					"%s is not in range", igw_thing_get_id(thing));
		return;
	}
	igw_bluez_device_ensure_gatt(device);
	igw_bluez_gatt_read_async(device->gatt, cancellable, igw_bluez_read_done_cb,
				  g_steal_pointer(&task));
}

static gboolean
igw_bluez_readout_finish(IgwPlugin *plugin, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

IGW_PLUGIN_DEFINE(bluez)
{
	vfuncs->check_config = igw_bluez_check_config;
	vfuncs->startup = igw_bluez_startup;
	vfuncs->shutdown = igw_bluez_shutdown;
	vfuncs->set_discovery = igw_bluez_set_discovery;
	vfuncs->control_async = igw_bluez_control_async;
	vfuncs->control_finish = igw_bluez_control_finish;
	vfuncs->readout_async = igw_bluez_readout_async;
	vfuncs->readout_finish = igw_bluez_readout_finish;
	vfuncs->check_secret = igw_bluez_check_secret;
}
