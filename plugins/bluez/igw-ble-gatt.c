/* SPDX-License-Identifier: GPL-2.0-or-later */

#include "igw-ble-gatt.h"
#include "iotgw-plugin.h"

/* units of the SIG: RR intervals and CSC event times count 1/1024 s */
#define IGW_BLE_GATT_TICKS_PER_SECOND 1024.0
#define IGW_BLE_GATT_WHEEL_DEFAULT_M 2.105
/* with no new CSC event for this long the rider has stopped: report 0 */
#define IGW_BLE_GATT_CSC_IDLE_US (3 * G_USEC_PER_SEC)
/* the 16-bit event times wrap after 64 s; a longer gap makes Δtime ambiguous */
#define IGW_BLE_GATT_CSC_WRAP_US (64 * G_USEC_PER_SEC)
/* rates beyond these are garbage (a dropped notification, a sensor reset) */
#define IGW_BLE_GATT_SPEED_MAX 100.0
#define IGW_BLE_GATT_CADENCE_MAX 300.0

#define IGW_BLE_GATT_HR_FLAG_UINT16 (1 << 0)
#define IGW_BLE_GATT_HR_FLAG_ENERGY (1 << 3)
#define IGW_BLE_GATT_HR_FLAG_RR (1 << 4)
#define IGW_BLE_GATT_CSC_FLAG_WHEEL (1 << 0)
#define IGW_BLE_GATT_CSC_FLAG_CRANK (1 << 1)
#define IGW_BLE_GATT_CSC_FEATURE_MULTI (1 << 2)

#define IGW_BLE_GATT_TEMPERATURE_UNKNOWN G_MININT16
#define IGW_BLE_GATT_TEMPERATURE_MIN (-27315)
#define IGW_BLE_GATT_HUMIDITY_UNKNOWN G_MAXUINT16
#define IGW_BLE_GATT_HUMIDITY_MAX 10000
#define IGW_BLE_GATT_BATTERY_MAX 100

typedef struct {
	const gchar *name;
	IgwFieldType type;
	const gchar *unit;
	guint decimals;
	IgwFieldCategory category;
} IgwBleGattField;

/* the order of each list is the order of the values in a notification */
static const IgwBleGattField fields_heart_rate[] = {
    {"heart_rate", IGW_FIELD_TYPE_INTEGER, "bpm", 0, IGW_FIELD_CATEGORY_MOMENTARY},
    {"sensor_contact", IGW_FIELD_TYPE_BOOLEAN, NULL, 0, IGW_FIELD_CATEGORY_STATUS},
    {"energy_expended", IGW_FIELD_TYPE_INTEGER, "kJ", 0, IGW_FIELD_CATEGORY_MOMENTARY},
    {"rr_interval", IGW_FIELD_TYPE_NUMERIC, "ms", 1, IGW_FIELD_CATEGORY_MOMENTARY},
    {NULL},
};
static const IgwBleGattField fields_body_sensor_location[] = {
    {"body_sensor_location", IGW_FIELD_TYPE_STRING, NULL, 0, IGW_FIELD_CATEGORY_IDENTITY},
    {NULL},
};
static const IgwBleGattField fields_csc[] = {
    {"wheel_revolutions", IGW_FIELD_TYPE_INTEGER, NULL, 0, IGW_FIELD_CATEGORY_MOMENTARY},
    {"speed", IGW_FIELD_TYPE_NUMERIC, "m/s", 2, IGW_FIELD_CATEGORY_MOMENTARY},
    {"crank_revolutions", IGW_FIELD_TYPE_INTEGER, NULL, 0, IGW_FIELD_CATEGORY_MOMENTARY},
    {"cadence", IGW_FIELD_TYPE_NUMERIC, "rpm", 0, IGW_FIELD_CATEGORY_MOMENTARY},
    {NULL},
};
static const IgwBleGattField fields_csc_feature[] = {
    {"csc_features", IGW_FIELD_TYPE_STRING, NULL, 0, IGW_FIELD_CATEGORY_IDENTITY},
    {NULL},
};
static const IgwBleGattField fields_temperature[] = {
    {"temperature", IGW_FIELD_TYPE_NUMERIC, "°C", 2, IGW_FIELD_CATEGORY_MOMENTARY},
    {NULL},
};
static const IgwBleGattField fields_humidity[] = {
    {"humidity", IGW_FIELD_TYPE_NUMERIC, "%", 2, IGW_FIELD_CATEGORY_MOMENTARY},
    {NULL},
};
static const IgwBleGattField fields_pressure[] = {
    {"pressure", IGW_FIELD_TYPE_NUMERIC, "hPa", 3, IGW_FIELD_CATEGORY_MOMENTARY},
    {NULL},
};
static const IgwBleGattField fields_battery[] = {
    {"battery", IGW_FIELD_TYPE_INTEGER, "%", 0,
     IGW_FIELD_CATEGORY_STATUS | IGW_FIELD_CATEGORY_MOMENTARY},
    {NULL},
};

/* one of wheel or crank: the previous sample and the last rate */
typedef struct {
	gboolean known;	    /* a previous sample to subtract from */
	guint32 revs;	    /* its cumulative count */
	guint16 event_time; /* its last event time, 1/1024 s */
	gint64 sample_us;   /* when it arrived */
	gint64 event_us;    /* when the counters last moved */
	gboolean has_rate;
	gdouble rate;
} IgwBleGattCscChannel;

typedef struct _IgwBleGattEntry IgwBleGattEntry;

struct _IgwBleGattDecoder {
	const IgwBleGattEntry *entry;
	gchar *suffix;
	gdouble wheel_circumference;
	gboolean csc_features_known;
	guint16 csc_features;
	IgwBleGattCscChannel wheel;
	IgwBleGattCscChannel crank;
};

typedef gboolean (*IgwBleGattDecodeFunc)(IgwBleGattDecoder *self, const guint8 *data, gsize len,
					 gint64 now_us, GPtrArray *values, GError **error);

struct _IgwBleGattEntry {
	IgwBleGattProfile profile;
	IgwBleGattDecodeFunc decode;
	const IgwBleGattField *fields;
};

static guint16
igw_ble_gatt_read_u16(const guint8 *data)
{
	return (guint16)(data[0] | data[1] << 8);
}

static guint32
igw_ble_gatt_read_u32(const guint8 *data)
{
	return (guint32)data[0] | (guint32)data[1] << 8 | (guint32)data[2] << 16 |
	       (guint32)data[3] << 24;
}

static void
igw_ble_gatt_emit(IgwBleGattDecoder *self, GPtrArray *values, const IgwBleGattField *field,
		  GVariant *value)
{
	g_autofree gchar *name = g_strconcat(field->name, self->suffix, NULL);
	g_ptr_array_add(values, igw_ble_value_new(name, field->type, field->unit, field->decimals,
						  field->category, value));
}

static gboolean
igw_ble_gatt_check_len(IgwBleGattDecoder *self, gsize len, gsize expected, GError **error)
{
	if (len == expected)
		return TRUE;
	g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
		    "%s: %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT,
		    self->entry->profile.name, len, expected);
	return FALSE;
}

/* heart rate measurement, 0x2A37 */

static gboolean
igw_ble_gatt_hr_check(guint8 flags, gsize len, gsize *rr_offset, GError **error)
{
	gsize need = 1 + ((flags & IGW_BLE_GATT_HR_FLAG_UINT16) != 0 ? 2 : 1) +
		     ((flags & IGW_BLE_GATT_HR_FLAG_ENERGY) != 0 ? 2 : 0);
	gsize rest;

	if (len < need) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "heart rate measurement: truncated, %" G_GSIZE_FORMAT
			    " bytes for flags 0x%02x, need %" G_GSIZE_FORMAT,
			    len, flags, need);
		return FALSE;
	}
	rest = len - need;
	if ((flags & IGW_BLE_GATT_HR_FLAG_RR) == 0 && rest != 0) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "heart rate measurement: %" G_GSIZE_FORMAT
			    " trailing bytes without RR intervals",
			    rest);
		return FALSE;
	}
	if ((flags & IGW_BLE_GATT_HR_FLAG_RR) != 0 && (rest == 0 || rest % 2 != 0)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "heart rate measurement: %" G_GSIZE_FORMAT
			    " bytes of RR intervals, need a positive even number",
			    rest);
		return FALSE;
	}
	*rr_offset = need;
	return TRUE;
}

static gboolean
igw_ble_gatt_decode_heart_rate(IgwBleGattDecoder *self, const guint8 *data, gsize len,
			       gint64 now_us, GPtrArray *values, GError **error)
{
	const IgwBleGattField *fields = self->entry->fields;
	guint8 flags;
	guint contact;
	gsize offset = 1;
	gsize rr_offset = 0;
	guint hr;

	if (len == 0)
		return igw_ble_gatt_check_len(self, len, 2, error);
	flags = data[0];
	if (!igw_ble_gatt_hr_check(flags, len, &rr_offset, error))
		return FALSE;

	if ((flags & IGW_BLE_GATT_HR_FLAG_UINT16) != 0) {
		hr = igw_ble_gatt_read_u16(data + offset);
		offset += 2;
	} else {
		hr = data[offset++];
	}
	igw_ble_gatt_emit(self, values, &fields[0], g_variant_new_int64(hr));

	/* 0 and 1 mean the sensor cannot tell, so there is nothing to report */
	contact = (flags >> 1) & 3;
	if (contact >= 2)
		igw_ble_gatt_emit(self, values, &fields[1], g_variant_new_boolean(contact == 3));

	if ((flags & IGW_BLE_GATT_HR_FLAG_ENERGY) != 0) {
		guint energy = igw_ble_gatt_read_u16(data + offset);
		igw_ble_gatt_emit(self, values, &fields[2], g_variant_new_int64(energy));
	}

	for (gsize i = rr_offset; (flags & IGW_BLE_GATT_HR_FLAG_RR) != 0 && i < len; i += 2) {
		gdouble ms =
		    igw_ble_gatt_read_u16(data + i) * 1000.0 / IGW_BLE_GATT_TICKS_PER_SECOND;
		igw_ble_gatt_emit(self, values, &fields[3], g_variant_new_double(ms));
	}
	return TRUE;
}

/* body sensor location, 0x2A38 */

static gboolean
igw_ble_gatt_decode_body_sensor_location(IgwBleGattDecoder *self, const guint8 *data, gsize len,
					 gint64 now_us, GPtrArray *values, GError **error)
{
	static const gchar *const locations[] = {"other", "chest",    "wrist", "finger",
						 "hand",  "ear lobe", "foot"};

	if (!igw_ble_gatt_check_len(self, len, 1, error))
		return FALSE;
	if (data[0] >= G_N_ELEMENTS(locations)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "body sensor location: reserved value %u", data[0]);
		return FALSE;
	}
	igw_ble_gatt_emit(self, values, &self->entry->fields[0],
			  g_variant_new_string(locations[data[0]]));
	return TRUE;
}

/*
 * CSC measurement, 0x2A5B: cumulative counters and event times, so a rate
 * needs two samples. Δtime == 0 means no new event: the last rate holds, and
 * after IGW_BLE_GATT_CSC_IDLE_US without an event the rate is 0, also for a
 * sensor that has not moved since the first sample.
 */

static void
igw_ble_gatt_csc_restart(IgwBleGattCscChannel *channel, gint64 now_us)
{
	channel->has_rate = FALSE;
	channel->event_us = now_us;
}

/* no new event since the last sample: the last rate holds until the rider has stopped */
static void
igw_ble_gatt_csc_idle(IgwBleGattCscChannel *channel, gint64 now_us)
{
	if (now_us - channel->event_us <= IGW_BLE_GATT_CSC_IDLE_US)
		return;
	channel->has_rate = TRUE;
	channel->rate = 0;
}

/*
 * @delta_revs: revolutions since the previous sample, already wrapped as the
 * counter wraps; @reset: the counter went back, so there is nothing to
 * subtract from; @scale: what turns revolutions per 1/1024 s into the rate.
 * Returns TRUE with @rate set when there is a rate to report.
 */
static gboolean
igw_ble_gatt_csc_step(IgwBleGattCscChannel *channel, guint32 delta_revs, gboolean reset,
		      guint16 event_time, gdouble scale, gdouble max, gint64 now_us, gdouble *rate)
{
	guint16 delta_time = (guint16)(event_time - channel->event_time);

	if (!channel->known || reset) {
		igw_ble_gatt_csc_restart(channel, now_us);
	} else if (delta_time == 0 && delta_revs == 0) {
		igw_ble_gatt_csc_idle(channel, now_us);
	} else if (delta_time == 0 || now_us - channel->sample_us > IGW_BLE_GATT_CSC_WRAP_US) {
		/* revolutions without time, or a gap the 16-bit time cannot measure */
		igw_ble_gatt_csc_restart(channel, now_us);
	} else {
		gdouble value = delta_revs * scale * IGW_BLE_GATT_TICKS_PER_SECOND / delta_time;
		channel->event_us = now_us;
		channel->has_rate = value <= max;
		if (channel->has_rate)
			channel->rate = value;
	}
	channel->known = TRUE;
	channel->event_time = event_time;
	channel->sample_us = now_us;
	*rate = channel->rate;
	return channel->has_rate;
}

static void
igw_ble_gatt_csc_wheel(IgwBleGattDecoder *self, const guint8 *data, gint64 now_us,
		       GPtrArray *values)
{
	const IgwBleGattField *fields = self->entry->fields;
	guint32 revs = igw_ble_gatt_read_u32(data);
	guint16 event_time = igw_ble_gatt_read_u16(data + 4);
	/* 2^32 revolutions is beyond any bicycle: a smaller count is a reset */
	gboolean reset = self->wheel.known && revs < self->wheel.revs;
	gdouble speed = 0;

	igw_ble_gatt_emit(self, values, &fields[0], g_variant_new_int64(revs));
	if (igw_ble_gatt_csc_step(&self->wheel, revs - self->wheel.revs, reset, event_time,
				  self->wheel_circumference, IGW_BLE_GATT_SPEED_MAX, now_us,
				  &speed))
		igw_ble_gatt_emit(self, values, &fields[1], g_variant_new_double(speed));
	self->wheel.revs = revs;
}

static void
igw_ble_gatt_csc_crank(IgwBleGattDecoder *self, const guint8 *data, gint64 now_us,
		       GPtrArray *values)
{
	const IgwBleGattField *fields = self->entry->fields;
	guint16 revs = igw_ble_gatt_read_u16(data);
	guint16 event_time = igw_ble_gatt_read_u16(data + 2);
	gdouble cadence = 0;

	igw_ble_gatt_emit(self, values, &fields[2], g_variant_new_int64(revs));
	if (igw_ble_gatt_csc_step(&self->crank, (guint16)(revs - self->crank.revs), FALSE,
				  event_time, 60.0, IGW_BLE_GATT_CADENCE_MAX, now_us, &cadence))
		igw_ble_gatt_emit(self, values, &fields[3], g_variant_new_double(cadence));
	self->crank.revs = revs;
}

/* like BlueZ's old profile: once the features are known, a flag counts only if they agree */
static gboolean
igw_ble_gatt_csc_trusted(IgwBleGattDecoder *self, guint16 feature)
{
	return !self->csc_features_known || (self->csc_features & feature) != 0;
}

static gboolean
igw_ble_gatt_decode_csc(IgwBleGattDecoder *self, const guint8 *data, gsize len, gint64 now_us,
			GPtrArray *values, GError **error)
{
	gboolean wheel;
	gboolean crank;
	gsize expected;

	if (len == 0)
		return igw_ble_gatt_check_len(self, len, 1, error);
	wheel = (data[0] & IGW_BLE_GATT_CSC_FLAG_WHEEL) != 0;
	crank = (data[0] & IGW_BLE_GATT_CSC_FLAG_CRANK) != 0;
	expected = 1 + (wheel ? 6 : 0) + (crank ? 4 : 0);
	if (len != expected) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "CSC measurement: %" G_GSIZE_FORMAT
			    " bytes for flags 0x%02x, expected %" G_GSIZE_FORMAT,
			    len, data[0], expected);
		return FALSE;
	}
	if (wheel && igw_ble_gatt_csc_trusted(self, IGW_BLE_GATT_CSC_FLAG_WHEEL))
		igw_ble_gatt_csc_wheel(self, data + 1, now_us, values);
	if (crank && igw_ble_gatt_csc_trusted(self, IGW_BLE_GATT_CSC_FLAG_CRANK))
		igw_ble_gatt_csc_crank(self, data + (wheel ? 7 : 1), now_us, values);
	return TRUE;
}

/* CSC feature, 0x2A5C: "wheel,crank,multiple locations", "none" */

static gboolean
igw_ble_gatt_decode_csc_feature(IgwBleGattDecoder *self, const guint8 *data, gsize len,
				gint64 now_us, GPtrArray *values, GError **error)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	g_autofree gchar *text = NULL;
	guint16 features;

	if (!igw_ble_gatt_check_len(self, len, 2, error))
		return FALSE;
	features = igw_ble_gatt_read_u16(data);
	if ((features & IGW_BLE_GATT_CSC_FLAG_WHEEL) != 0)
		g_ptr_array_add(names, (gpointer) "wheel");
	if ((features & IGW_BLE_GATT_CSC_FLAG_CRANK) != 0)
		g_ptr_array_add(names, (gpointer) "crank");
	if ((features & IGW_BLE_GATT_CSC_FEATURE_MULTI) != 0)
		g_ptr_array_add(names, (gpointer) "multiple locations");
	if (names->len == 0)
		g_ptr_array_add(names, (gpointer) "none");
	g_ptr_array_add(names, NULL);
	text = g_strjoinv(",", (gchar **)names->pdata);
	igw_ble_gatt_emit(self, values, &self->entry->fields[0], g_variant_new_string(text));
	return TRUE;
}

/* environmental sensing, 0x2A6E 0x2A6F 0x2A6D */

static gboolean
igw_ble_gatt_decode_temperature(IgwBleGattDecoder *self, const guint8 *data, gsize len,
				gint64 now_us, GPtrArray *values, GError **error)
{
	gint16 raw;

	if (!igw_ble_gatt_check_len(self, len, 2, error))
		return FALSE;
	raw = (gint16)igw_ble_gatt_read_u16(data);
	if (raw == IGW_BLE_GATT_TEMPERATURE_UNKNOWN)
		return TRUE;
	if (raw < IGW_BLE_GATT_TEMPERATURE_MIN) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "temperature: %.2f °C is below absolute zero", raw / 100.0);
		return FALSE;
	}
	igw_ble_gatt_emit(self, values, &self->entry->fields[0], g_variant_new_double(raw / 100.0));
	return TRUE;
}

static gboolean
igw_ble_gatt_decode_humidity(IgwBleGattDecoder *self, const guint8 *data, gsize len, gint64 now_us,
			     GPtrArray *values, GError **error)
{
	guint16 raw;

	if (!igw_ble_gatt_check_len(self, len, 2, error))
		return FALSE;
	raw = igw_ble_gatt_read_u16(data);
	if (raw == IGW_BLE_GATT_HUMIDITY_UNKNOWN)
		return TRUE;
	if (raw > IGW_BLE_GATT_HUMIDITY_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "humidity: %.2f %% is above 100 %%", raw / 100.0);
		return FALSE;
	}
	igw_ble_gatt_emit(self, values, &self->entry->fields[0], g_variant_new_double(raw / 100.0));
	return TRUE;
}

/* raw 0.1 Pa, so hPa = raw / 1000 */
static gboolean
igw_ble_gatt_decode_pressure(IgwBleGattDecoder *self, const guint8 *data, gsize len, gint64 now_us,
			     GPtrArray *values, GError **error)
{
	gdouble hpa;

	if (!igw_ble_gatt_check_len(self, len, 4, error))
		return FALSE;
	hpa = igw_ble_gatt_read_u32(data) / 1000.0;
	igw_ble_gatt_emit(self, values, &self->entry->fields[0], g_variant_new_double(hpa));
	return TRUE;
}

/* battery level, 0x2A19 */

static gboolean
igw_ble_gatt_decode_battery(IgwBleGattDecoder *self, const guint8 *data, gsize len, gint64 now_us,
			    GPtrArray *values, GError **error)
{
	if (!igw_ble_gatt_check_len(self, len, 1, error))
		return FALSE;
	if (data[0] > IGW_BLE_GATT_BATTERY_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "battery level: reserved value %u, above 100 %%", data[0]);
		return FALSE;
	}
	igw_ble_gatt_emit(self, values, &self->entry->fields[0], g_variant_new_int64(data[0]));
	return TRUE;
}

static const IgwBleGattEntry entries[] = {
    {{0x2A37, 0x180D, "heart rate measurement", TRUE},
     igw_ble_gatt_decode_heart_rate,
     fields_heart_rate},
    {{0x2A38, 0x180D, "body sensor location", FALSE},
     igw_ble_gatt_decode_body_sensor_location,
     fields_body_sensor_location},
    {{0x2A5B, 0x1816, "CSC measurement", TRUE}, igw_ble_gatt_decode_csc, fields_csc},
    {{0x2A5C, 0x1816, "CSC feature", FALSE}, igw_ble_gatt_decode_csc_feature, fields_csc_feature},
    {{0x2A6E, 0x181A, "temperature", FALSE}, igw_ble_gatt_decode_temperature, fields_temperature},
    {{0x2A6F, 0x181A, "humidity", FALSE}, igw_ble_gatt_decode_humidity, fields_humidity},
    {{0x2A6D, 0x181A, "pressure", FALSE}, igw_ble_gatt_decode_pressure, fields_pressure},
    {{0x2A19, 0x180F, "battery level", FALSE}, igw_ble_gatt_decode_battery, fields_battery},
};

static const IgwBleGattEntry *
igw_ble_gatt_find(guint16 uuid16)
{
	for (guint i = 0; i < G_N_ELEMENTS(entries); i++) {
		if (entries[i].profile.uuid16 == uuid16)
			return &entries[i];
	}
	return NULL;
}

const IgwBleGattProfile *
igw_ble_gatt_lookup(guint16 uuid16)
{
	const IgwBleGattEntry *entry = igw_ble_gatt_find(uuid16);
	return entry != NULL ? &entry->profile : NULL;
}

gboolean
igw_ble_gatt_service_is_known(guint16 service16)
{
	for (guint i = 0; i < G_N_ELEMENTS(entries); i++) {
		if (entries[i].profile.service16 == service16)
			return TRUE;
	}
	return FALSE;
}

IgwBleGattDecoder *
igw_ble_gatt_decoder_new(guint16 uuid16, const gchar *suffix)
{
	const IgwBleGattEntry *entry = igw_ble_gatt_find(uuid16);
	IgwBleGattDecoder *self;

	if (entry == NULL)
		return NULL;
	self = g_new0(IgwBleGattDecoder, 1);
	self->entry = entry;
	self->suffix = g_strdup(suffix != NULL ? suffix : "");
	self->wheel_circumference = IGW_BLE_GATT_WHEEL_DEFAULT_M;
	return self;
}

void
igw_ble_gatt_decoder_free(IgwBleGattDecoder *self)
{
	if (self == NULL)
		return;
	g_free(self->suffix);
	g_free(self);
}

void
igw_ble_gatt_decoder_set_wheel_circumference(IgwBleGattDecoder *self, gdouble metres)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(metres > 0 && metres < 10);
	self->wheel_circumference = metres;
}

void
igw_ble_gatt_decoder_set_csc_features(IgwBleGattDecoder *self, guint16 features)
{
	g_return_if_fail(self != NULL);
	self->csc_features_known = TRUE;
	self->csc_features = features;
}

gboolean
igw_ble_gatt_decoder_feed(IgwBleGattDecoder *self, const guint8 *data, gsize len, gint64 now_us,
			  GPtrArray *values, GError **error)
{
	g_autoptr(GPtrArray) decoded = igw_ble_values_new();

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(data != NULL || len == 0, FALSE);
	g_return_val_if_fail(values != NULL, FALSE);

	/* decode aside, so a failure half way appends nothing */
	if (!self->entry->decode(self, data, len, now_us, decoded, error))
		return FALSE;
	g_ptr_array_extend_and_steal(values, g_steal_pointer(&decoded));
	return TRUE;
}

static GVariant *
igw_ble_gatt_zero(IgwFieldType type)
{
	switch (type) {
	case IGW_FIELD_TYPE_NUMERIC:
		return g_variant_new_double(0);
	case IGW_FIELD_TYPE_INTEGER:
		return g_variant_new_int64(0);
	case IGW_FIELD_TYPE_BOOLEAN:
		return g_variant_new_boolean(FALSE);
	default:
		return g_variant_new_string("");
	}
}

void
igw_ble_gatt_decoder_describe(IgwBleGattDecoder *self, GPtrArray *values)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(values != NULL);
	for (const IgwBleGattField *field = self->entry->fields; field->name != NULL; field++)
		igw_ble_gatt_emit(self, values, field, igw_ble_gatt_zero(field->type));
}
