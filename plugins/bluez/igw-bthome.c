/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <openssl/evp.h>
#include <string.h>

#include "igw-bthome.h"

/* device-information byte */
#define IGW_BTHOME_INFO_ENCRYPTED (1 << 0)
#define IGW_BTHOME_INFO_MAC_INCLUDED (1 << 1)
#define IGW_BTHOME_INFO_TRIGGER_BASED (1 << 2)
#define IGW_BTHOME_INFO_VERSION_SHIFT 5
#define IGW_BTHOME_VERSION 2

#define IGW_BTHOME_MAC_LEN 6
#define IGW_BTHOME_COUNTER_LEN 4
#define IGW_BTHOME_MIC_LEN 4
#define IGW_BTHOME_NONCE_LEN 13
#define IGW_BTHOME_COMMAND_ARG_MASK 0x1F

G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)

typedef enum {
	IGW_BTHOME_KIND_UNKNOWN, /* zero: an id missing from the table */
	IGW_BTHOME_KIND_PACKET_ID,
	IGW_BTHOME_KIND_UNSIGNED,
	IGW_BTHOME_KIND_SIGNED,
	IGW_BTHOME_KIND_BINARY,
	IGW_BTHOME_KIND_LIGHT_LEVEL,
	IGW_BTHOME_KIND_BUTTON,
	IGW_BTHOME_KIND_DIMMER,
	IGW_BTHOME_KIND_COMMAND,
	IGW_BTHOME_KIND_TEXT,
	IGW_BTHOME_KIND_RAW,
	IGW_BTHOME_KIND_FIRMWARE,
} IgwBthomeKind;

/*
 * A quantity, whatever object id carries it: BTHome sends temperature as
 * 0x02, 0x45, 0x57 or 0x58 and they must land in one field of one type. So
 * the field's type, unit and resolution are the measurement's, and each
 * object only says how its raw integer scales into that unit. @decimals is
 * the finest resolution of any object of the measurement.
 */
typedef struct {
	const gchar *name;
	IgwFieldType type;
	const gchar *unit;
	guint8 decimals;
	IgwFieldCategory category;
} IgwBthomeMeasurement;

typedef enum {
	IGW_BTHOME_M_NONE,
	IGW_BTHOME_M_BATTERY,
	IGW_BTHOME_M_TEMPERATURE,
	IGW_BTHOME_M_HUMIDITY,
	IGW_BTHOME_M_PRESSURE,
	IGW_BTHOME_M_ILLUMINANCE,
	IGW_BTHOME_M_MASS,
	IGW_BTHOME_M_MASS_LB,
	IGW_BTHOME_M_DEWPOINT,
	IGW_BTHOME_M_COUNT,
	IGW_BTHOME_M_ENERGY,
	IGW_BTHOME_M_POWER,
	IGW_BTHOME_M_VOLTAGE,
	IGW_BTHOME_M_PM25,
	IGW_BTHOME_M_PM10,
	IGW_BTHOME_M_CO2,
	IGW_BTHOME_M_TVOC,
	IGW_BTHOME_M_MOISTURE,
	IGW_BTHOME_M_ROTATION,
	IGW_BTHOME_M_DISTANCE,
	IGW_BTHOME_M_DURATION,
	IGW_BTHOME_M_CURRENT,
	IGW_BTHOME_M_SPEED,
	IGW_BTHOME_M_UV_INDEX,
	IGW_BTHOME_M_VOLUME,
	IGW_BTHOME_M_VOLUME_FLOW_RATE,
	IGW_BTHOME_M_GAS,
	IGW_BTHOME_M_WATER,
	IGW_BTHOME_M_TIMESTAMP,
	IGW_BTHOME_M_ACCELERATION,
	IGW_BTHOME_M_GYROSCOPE,
	IGW_BTHOME_M_VOLUME_STORAGE,
	IGW_BTHOME_M_CONDUCTIVITY,
	IGW_BTHOME_M_DIRECTION,
	IGW_BTHOME_M_PRECIPITATION,
	IGW_BTHOME_M_CHANNEL,
	IGW_BTHOME_M_ROTATIONAL_SPEED,
	IGW_BTHOME_M_SETTINGS_REVISION,
	IGW_BTHOME_M_DEVICE_TYPE_ID,
	IGW_BTHOME_M_LAST,
} IgwBthomeMeasurementId;

#define NUM(name_, unit_, decimals_)                                                               \
	{                                                                                          \
		.name = (name_), .type = IGW_FIELD_TYPE_NUMERIC, .unit = (unit_),                  \
		.decimals = (decimals_), .category = IGW_FIELD_CATEGORY_MOMENTARY                  \
	}
#define INT(name_, unit_, category_)                                                               \
	{                                                                                          \
		.name = (name_), .type = IGW_FIELD_TYPE_INTEGER, .unit = (unit_),                  \
		.category = (category_)                                                            \
	}
#define COUNT(name_, unit_) INT(name_, unit_, IGW_FIELD_CATEGORY_MOMENTARY)

/*
 * Units that differ only by a power of ten share a field in the larger unit
 * (distance mm and m, volume mL and L); pounds are not a decimal multiple of
 * kilograms, so they keep a field of their own rather than lose precision.
 */
static const IgwBthomeMeasurement igw_bthome_measurements[IGW_BTHOME_M_LAST] = {
    [IGW_BTHOME_M_BATTERY] = COUNT("battery", "%"),
    [IGW_BTHOME_M_TEMPERATURE] = NUM("temperature", "°C", 2),
    [IGW_BTHOME_M_HUMIDITY] = NUM("humidity", "%", 2),
    [IGW_BTHOME_M_PRESSURE] = NUM("pressure", "hPa", 2),
    [IGW_BTHOME_M_ILLUMINANCE] = NUM("illuminance", "lx", 2),
    [IGW_BTHOME_M_MASS] = NUM("mass", "kg", 2),
    [IGW_BTHOME_M_MASS_LB] = NUM("mass_lb", "lb", 2),
    [IGW_BTHOME_M_DEWPOINT] = NUM("dewpoint", "°C", 2),
    [IGW_BTHOME_M_COUNT] = COUNT("count", NULL),
    [IGW_BTHOME_M_ENERGY] = NUM("energy", "kWh", 3),
    [IGW_BTHOME_M_POWER] = NUM("power", "W", 2),
    [IGW_BTHOME_M_VOLTAGE] = NUM("voltage", "V", 3),
    [IGW_BTHOME_M_PM25] = COUNT("pm25", "µg/m³"),
    [IGW_BTHOME_M_PM10] = COUNT("pm10", "µg/m³"),
    [IGW_BTHOME_M_CO2] = COUNT("co2", "ppm"),
    [IGW_BTHOME_M_TVOC] = COUNT("tvoc", "µg/m³"),
    [IGW_BTHOME_M_MOISTURE] = NUM("moisture", "%", 2),
    [IGW_BTHOME_M_ROTATION] = NUM("rotation", "°", 1),
    [IGW_BTHOME_M_DISTANCE] = NUM("distance", "m", 3),
    [IGW_BTHOME_M_DURATION] = NUM("duration", "s", 3),
    [IGW_BTHOME_M_CURRENT] = NUM("current", "A", 3),
    [IGW_BTHOME_M_SPEED] = NUM("speed", "m/s", 6),
    [IGW_BTHOME_M_UV_INDEX] = NUM("uv_index", NULL, 1),
    [IGW_BTHOME_M_VOLUME] = NUM("volume", "L", 3),
    [IGW_BTHOME_M_VOLUME_FLOW_RATE] = NUM("volume_flow_rate", "m³/h", 3),
    [IGW_BTHOME_M_GAS] = NUM("gas", "m³", 3),
    [IGW_BTHOME_M_WATER] = NUM("water", "L", 3),
    [IGW_BTHOME_M_TIMESTAMP] = COUNT("timestamp", NULL), /* UNIX seconds, UTC */
    [IGW_BTHOME_M_ACCELERATION] = NUM("acceleration", "m/s²", 6),
    [IGW_BTHOME_M_GYROSCOPE] = NUM("gyroscope", "°/s", 3),
    [IGW_BTHOME_M_VOLUME_STORAGE] = NUM("volume_storage", "L", 3),
    [IGW_BTHOME_M_CONDUCTIVITY] = COUNT("conductivity", "µS/cm"),
    [IGW_BTHOME_M_DIRECTION] = NUM("direction", "°", 2),
    [IGW_BTHOME_M_PRECIPITATION] = NUM("precipitation", "mm", 1),
    [IGW_BTHOME_M_CHANNEL] = COUNT("channel", NULL),
    [IGW_BTHOME_M_ROTATIONAL_SPEED] = COUNT("rotational_speed", "rpm"),
    [IGW_BTHOME_M_SETTINGS_REVISION] = INT("settings_revision", NULL, IGW_FIELD_CATEGORY_STATUS),
    [IGW_BTHOME_M_DEVICE_TYPE_ID] = INT("device_type_id", NULL, IGW_FIELD_CATEGORY_IDENTITY),
};

#undef NUM
#undef INT
#undef COUNT

/*
 * One object id. A number is raw x mult / 10^scale in its measurement's unit,
 * so 0.35 is mult 35, scale 2 and stays exact. Other kinds carry their own
 * name, whose type the kind fixes. For text, raw and command @len is the
 * header before the variable part.
 */
typedef struct {
	IgwBthomeKind kind;
	guint8 len;
	guint8 scale;
	guint8 mult;
	IgwBthomeMeasurementId measurement;
	IgwFieldCategory category;
	const gchar *name;
} IgwBthomeObject;

#define IGW_BTHOME_NUM(kind_, len_, measurement_, scale_, mult_)                                   \
	{                                                                                          \
		.kind = (kind_), .len = (len_), .scale = (scale_), .mult = (mult_),                \
		.measurement = IGW_BTHOME_M_##measurement_                                         \
	}
#define U(len_, measurement_, scale_, mult_)                                                       \
	IGW_BTHOME_NUM(IGW_BTHOME_KIND_UNSIGNED, len_, measurement_, scale_, mult_)
#define S(len_, measurement_, scale_, mult_)                                                       \
	IGW_BTHOME_NUM(IGW_BTHOME_KIND_SIGNED, len_, measurement_, scale_, mult_)
#define BIN(name_, category_)                                                                      \
	{                                                                                          \
		.kind = IGW_BTHOME_KIND_BINARY, .len = 1, .category = (category_), .name = (name_) \
	}
#define B(name_) BIN(name_, IGW_FIELD_CATEGORY_MOMENTARY)
#define OTHER(kind_, len_, name_, category_)                                                       \
	{                                                                                          \
		.kind = (kind_), .len = (len_), .category = (category_), .name = (name_)           \
	}

/*
 * The fact sheet's sections 3.1-3.5, indexed by object id. Binary sensors get
 * names of their own where a measurement already owns the plain word
 * (battery_low, power_on, gas_detected, wet), and lock and safety are named
 * for what 1 means (unlocked, safe).
 */
static const IgwBthomeObject igw_bthome_objects[256] = {
    [0x00] = OTHER(IGW_BTHOME_KIND_PACKET_ID, 1, "packet_id", IGW_FIELD_CATEGORY_STATUS),
    [0x01] = U(1, BATTERY, 0, 1),
    [0x02] = S(2, TEMPERATURE, 2, 1),
    [0x03] = U(2, HUMIDITY, 2, 1),
    [0x04] = U(3, PRESSURE, 2, 1),
    [0x05] = U(3, ILLUMINANCE, 2, 1),
    [0x06] = U(2, MASS, 2, 1),
    [0x07] = U(2, MASS_LB, 2, 1),
    [0x08] = S(2, DEWPOINT, 2, 1),
    [0x09] = U(1, COUNT, 0, 1),
    [0x0A] = U(3, ENERGY, 3, 1),
    [0x0B] = U(3, POWER, 2, 1),
    [0x0C] = U(2, VOLTAGE, 3, 1),
    [0x0D] = U(2, PM25, 0, 1),
    [0x0E] = U(2, PM10, 0, 1),
    [0x0F] = B("generic_boolean"),
    [0x10] = B("power_on"),
    [0x11] = B("opening"),
    [0x12] = U(2, CO2, 0, 1),
    [0x13] = U(2, TVOC, 0, 1),
    [0x14] = U(2, MOISTURE, 2, 1),
    [0x15] = BIN("battery_low", IGW_FIELD_CATEGORY_STATUS),
    [0x16] = BIN("battery_charging", IGW_FIELD_CATEGORY_STATUS),
    [0x17] = B("carbon_monoxide"),
    [0x18] = B("cold"),
    [0x19] = BIN("connectivity", IGW_FIELD_CATEGORY_STATUS),
    [0x1A] = B("door"),
    [0x1B] = B("garage_door"),
    [0x1C] = B("gas_detected"),
    [0x1D] = B("heat"),
    [0x1E] = B("light"),
    [0x1F] = B("unlocked"),
    [0x20] = B("wet"),
    [0x21] = B("motion"),
    [0x22] = B("moving"),
    [0x23] = B("occupancy"),
    [0x24] = B("plug"),
    [0x25] = B("presence"),
    [0x26] = BIN("problem", IGW_FIELD_CATEGORY_STATUS),
    [0x27] = B("running"),
    [0x28] = B("safe"),
    [0x29] = B("smoke"),
    [0x2A] = B("sound"),
    [0x2B] = BIN("tamper", IGW_FIELD_CATEGORY_STATUS),
    [0x2C] = B("vibration"),
    [0x2D] = B("window"),
    [0x2E] = U(1, HUMIDITY, 0, 1),
    [0x2F] = U(1, MOISTURE, 0, 1),
    [0x3A] = OTHER(IGW_BTHOME_KIND_BUTTON, 1, "button", IGW_FIELD_CATEGORY_MOMENTARY),
    [0x3B] = OTHER(IGW_BTHOME_KIND_COMMAND, 2, "command", IGW_FIELD_CATEGORY_MOMENTARY),
    [0x3C] = OTHER(IGW_BTHOME_KIND_DIMMER, 2, "dimmer", IGW_FIELD_CATEGORY_MOMENTARY),
    [0x3D] = U(2, COUNT, 0, 1),
    [0x3E] = U(4, COUNT, 0, 1),
    [0x3F] = S(2, ROTATION, 1, 1),
    [0x40] = U(2, DISTANCE, 3, 1), /* mm */
    [0x41] = U(2, DISTANCE, 1, 1),
    [0x42] = U(3, DURATION, 3, 1),
    [0x43] = U(2, CURRENT, 3, 1),
    [0x44] = U(2, SPEED, 2, 1),
    [0x45] = S(2, TEMPERATURE, 1, 1),
    [0x46] = U(1, UV_INDEX, 1, 1),
    [0x47] = U(2, VOLUME, 1, 1),
    [0x48] = U(2, VOLUME, 3, 1), /* mL */
    [0x49] = U(2, VOLUME_FLOW_RATE, 3, 1),
    [0x4A] = U(2, VOLTAGE, 1, 1),
    [0x4B] = U(3, GAS, 3, 1),
    [0x4C] = U(4, GAS, 3, 1),
    [0x4D] = U(4, ENERGY, 3, 1),
    [0x4E] = U(4, VOLUME, 3, 1),
    [0x4F] = U(4, WATER, 3, 1),
    [0x50] = U(4, TIMESTAMP, 0, 1),
    [0x51] = U(2, ACCELERATION, 3, 1),
    [0x52] = U(2, GYROSCOPE, 3, 1),
    [0x53] = OTHER(IGW_BTHOME_KIND_TEXT, 1, "text", IGW_FIELD_CATEGORY_MOMENTARY),
    [0x54] = OTHER(IGW_BTHOME_KIND_RAW, 1, "raw", IGW_FIELD_CATEGORY_MOMENTARY),
    [0x55] = U(4, VOLUME_STORAGE, 3, 1),
    [0x56] = U(2, CONDUCTIVITY, 0, 1),
    [0x57] = S(1, TEMPERATURE, 0, 1),
    [0x58] = S(1, TEMPERATURE, 2, 35),
    [0x59] = S(1, COUNT, 0, 1),
    [0x5A] = S(2, COUNT, 0, 1),
    [0x5B] = S(4, COUNT, 0, 1),
    [0x5C] = S(4, POWER, 2, 1),
    [0x5D] = S(2, CURRENT, 3, 1),
    [0x5E] = U(2, DIRECTION, 2, 1),
    [0x5F] = U(2, PRECIPITATION, 1, 1),
    [0x60] = U(1, CHANNEL, 0, 1),
    [0x61] = U(2, ROTATIONAL_SPEED, 0, 1),
    [0x62] = S(4, SPEED, 6, 1),
    [0x63] = S(4, ACCELERATION, 6, 1),
    [0x64] = OTHER(IGW_BTHOME_KIND_LIGHT_LEVEL, 1, "light_level", IGW_FIELD_CATEGORY_MOMENTARY),
    [0x65] = U(1, SETTINGS_REVISION, 0, 1),
    [0xF0] = U(2, DEVICE_TYPE_ID, 0, 1),
    [0xF1] = OTHER(IGW_BTHOME_KIND_FIRMWARE, 4, "firmware_version", IGW_FIELD_CATEGORY_IDENTITY),
    [0xF2] = OTHER(IGW_BTHOME_KIND_FIRMWARE, 3, "firmware_version", IGW_FIELD_CATEGORY_IDENTITY),
};

#undef IGW_BTHOME_NUM
#undef U
#undef S
#undef BIN
#undef B
#undef OTHER

/* the walk over one advert's objects */
typedef struct {
	IgwBleAdvert *advert;
	GHashTable *seen; /* field name -> count, for the _2, _3 suffixes */
	const guint8 *buf;
	gsize len;
	gsize pos;
	gsize offset; /* where buf starts in the service data, for messages */
	guint decoded;
} IgwBthomeParser;

static guint32
igw_bthome_read_le(const guint8 *buf, guint len)
{
	guint32 value = 0;
	for (guint i = len; i > 0; i--)
		value = value << 8 | buf[i - 1];
	return value;
}

static gint64
igw_bthome_read_signed(const guint8 *buf, guint len)
{
	guint32 raw = igw_bthome_read_le(buf, len);
	guint bits = len * 8;
	if (bits < 32 && (raw & (1u << (bits - 1))) != 0)
		return (gint64)raw - ((gint64)1 << bits);
	return (gint32)raw;
}

/* events are news each time: the plugin never suppresses them as repeats */
static gboolean
igw_bthome_kind_is_event(IgwBthomeKind kind)
{
	return kind == IGW_BTHOME_KIND_BUTTON || kind == IGW_BTHOME_KIND_DIMMER ||
	       kind == IGW_BTHOME_KIND_COMMAND;
}

static void
igw_bthome_add(IgwBthomeParser *parser, const IgwBthomeObject *object, IgwFieldType type,
	       GVariant *value)
{
	GPtrArray *values = parser->advert->values;
	IgwBleValue *added;

	igw_ble_advert_add_value(parser->advert, parser->seen, object->name, type, NULL, 0,
				 object->category, value);
	added = g_ptr_array_index(values, values->len - 1);
	added->event = igw_bthome_kind_is_event(object->kind);
}

static void
igw_bthome_add_string(IgwBthomeParser *parser, const IgwBthomeObject *object, const gchar *text)
{
	igw_bthome_add(parser, object, IGW_FIELD_TYPE_STRING, g_variant_new_string(text));
}

/* in the measurement's type and unit, whichever object id carried it */
static void
igw_bthome_add_number(IgwBthomeParser *parser, const IgwBthomeObject *object, gint64 raw)
{
	static const gdouble powers[] = {1, 10, 100, 1000, 1e4, 1e5, 1e6};
	const IgwBthomeMeasurement *measurement = &igw_bthome_measurements[object->measurement];
	gint64 scaled = raw * (object->mult != 0 ? object->mult : 1);
	GVariant *value;

	if (measurement->type == IGW_FIELD_TYPE_INTEGER) {
		g_assert(object->scale == 0);
		value = g_variant_new_int64(scaled);
	} else {
		/* dividing by an exact power of ten rounds once; multiplying by 0.01 would not */
		value = g_variant_new_double((gdouble)scaled / powers[object->scale]);
	}
	igw_ble_advert_add_value(parser->advert, parser->seen, measurement->name, measurement->type,
				 measurement->unit, measurement->decimals, measurement->category,
				 value);
}

static const gchar *
igw_bthome_button_to_string(guint8 event)
{
	switch (event) {
	case 0x00:
		return "none";
	case 0x01:
		return "press";
	case 0x02:
		return "double_press";
	case 0x03:
		return "triple_press";
	case 0x04:
		return "long_press";
	case 0x05:
		return "long_double_press";
	case 0x06:
		return "long_triple_press";
	case 0x80:
		return "hold_press";
	default:
		return NULL;
	}
}

static void
igw_bthome_add_button(IgwBthomeParser *parser, const IgwBthomeObject *object, const guint8 *v)
{
	const gchar *event = igw_bthome_button_to_string(v[0]);
	g_autofree gchar *text = event == NULL ? g_strdup_printf("unknown 0x%02x", v[0]) : NULL;
	igw_bthome_add_string(parser, object, event != NULL ? event : text);
}

/* the number of steps is a count, so unsigned, whatever the direction */
static void
igw_bthome_add_dimmer(IgwBthomeParser *parser, const IgwBthomeObject *object, const guint8 *v)
{
	g_autofree gchar *text = NULL;
	if (v[0] == 0x00)
		text = g_strdup("none");
	else if (v[0] == 0x01)
		text = g_strdup_printf("rotate_left %u", v[1]);
	else if (v[0] == 0x02)
		text = g_strdup_printf("rotate_right %u", v[1]);
	else
		text = g_strdup_printf("unknown 0x%02x %u", v[0], v[1]);
	igw_bthome_add_string(parser, object, text);
}

static void
igw_bthome_add_light_level(IgwBthomeParser *parser, const IgwBthomeObject *object, guint8 level)
{
	static const gchar *const levels[] = {"dark", "twilight", "bright"};
	g_autofree gchar *text = NULL;
	if (level < G_N_ELEMENTS(levels)) {
		igw_bthome_add_string(parser, object, levels[level]);
		return;
	}
	text = g_strdup_printf("%u", level);
	igw_bthome_add_string(parser, object, text);
}

static gchar *
igw_bthome_hex(const guint8 *buf, gsize len)
{
	GString *str = g_string_sized_new(len * 2 + 1);
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(str, "%02x", buf[i]);
	return g_string_free(str, FALSE);
}

/* "step_up 5": opcode name, then the argument, a number when it can be one */
static void
igw_bthome_add_command(IgwBthomeParser *parser, const IgwBthomeObject *object, const guint8 *v,
		       gsize n)
{
	static const gchar *const opcodes[] = {"off", "on", "toggle", "step_up", "step_down"};
	g_autoptr(GString) str = g_string_new(NULL);

	if (v[1] < G_N_ELEMENTS(opcodes))
		g_string_append(str, opcodes[v[1]]);
	else
		g_string_append_printf(str, "opcode 0x%02x", v[1]);
	if (n > 0 && n <= 4) {
		g_string_append_printf(str, " %" G_GUINT32_FORMAT, igw_bthome_read_le(v + 2, n));
	} else if (n > 4) {
		g_autofree gchar *hex = igw_bthome_hex(v + 2, n);
		g_string_append_printf(str, " %s", hex);
	}
	igw_bthome_add_string(parser, object, str->str);
}

/* UTF-8 is what the spec promises, not what the air delivers */
static void
igw_bthome_add_text(IgwBthomeParser *parser, const IgwBthomeObject *object, const guint8 *v,
		    gsize n)
{
	g_autofree gchar *text = g_utf8_make_valid((const gchar *)v, (gssize)n);
	igw_bthome_add_string(parser, object, text);
}

static void
igw_bthome_add_raw(IgwBthomeParser *parser, const IgwBthomeObject *object, const guint8 *v, gsize n)
{
	g_autofree gchar *hex = igw_bthome_hex(v, n);
	igw_bthome_add_string(parser, object, hex);
}

/* bytes from last to first: F1 00 01 02 04 is 4.2.1.0 */
static void
igw_bthome_add_firmware(IgwBthomeParser *parser, const IgwBthomeObject *object, const guint8 *v)
{
	g_autoptr(GString) str = g_string_new(NULL);
	for (guint i = object->len; i > 0; i--)
		g_string_append_printf(str, i == object->len ? "%u" : ".%u", v[i - 1]);
	igw_bthome_add_string(parser, object, str->str);
}

static void
igw_bthome_add_object(IgwBthomeParser *parser, const IgwBthomeObject *object, const guint8 *v,
		      gsize n)
{
	switch (object->kind) {
	case IGW_BTHOME_KIND_PACKET_ID:
		parser->advert->packet_id = v[0];
		break;
	case IGW_BTHOME_KIND_UNSIGNED:
		igw_bthome_add_number(parser, object, igw_bthome_read_le(v, object->len));
		break;
	case IGW_BTHOME_KIND_SIGNED:
		igw_bthome_add_number(parser, object, igw_bthome_read_signed(v, object->len));
		break;
	case IGW_BTHOME_KIND_BINARY:
		igw_bthome_add(parser, object, IGW_FIELD_TYPE_BOOLEAN,
			       g_variant_new_boolean(v[0] != 0));
		break;
	case IGW_BTHOME_KIND_LIGHT_LEVEL:
		igw_bthome_add_light_level(parser, object, v[0]);
		break;
	case IGW_BTHOME_KIND_BUTTON:
		igw_bthome_add_button(parser, object, v);
		break;
	case IGW_BTHOME_KIND_DIMMER:
		igw_bthome_add_dimmer(parser, object, v);
		break;
	case IGW_BTHOME_KIND_COMMAND:
		igw_bthome_add_command(parser, object, v, n);
		break;
	case IGW_BTHOME_KIND_TEXT:
		igw_bthome_add_text(parser, object, v + 1, n);
		break;
	case IGW_BTHOME_KIND_RAW:
		igw_bthome_add_raw(parser, object, v + 1, n);
		break;
	case IGW_BTHOME_KIND_FIRMWARE:
		igw_bthome_add_firmware(parser, object, v);
		break;
	case IGW_BTHOME_KIND_UNKNOWN:
	default:
		g_assert_not_reached();
	}
}

/* the length of the variable part after the object's fixed header */
static gsize
igw_bthome_variable_len(const IgwBthomeObject *object, const guint8 *v)
{
	switch (object->kind) {
	case IGW_BTHOME_KIND_TEXT:
	case IGW_BTHOME_KIND_RAW:
		return v[0];
	case IGW_BTHOME_KIND_COMMAND:
		/* bits 5-7 are reserved: ignored rather than refused */
		return v[0] & IGW_BTHOME_COMMAND_ARG_MASK;
	default:
		return 0;
	}
}

/*
 * One object. Returns FALSE with @error at an unknown id or a cut-off value:
 * the walk has to stop there, because only the id tells the length.
 */
static gboolean
igw_bthome_parse_object(IgwBthomeParser *parser, GError **error)
{
	gsize start = parser->pos;
	guint8 id = parser->buf[start];
	const IgwBthomeObject *object = &igw_bthome_objects[id];
	gsize avail = parser->len - start - 1;
	const guint8 *v = parser->buf + start + 1;
	gsize n = 0;

	if (object->kind == IGW_BTHOME_KIND_UNKNOWN) {
		g_set_error(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_INVALID,
			    "BTHome object id 0x%02x at byte %" G_GSIZE_FORMAT " is unknown", id,
			    parser->offset + start);
		return FALSE;
	}
	if (avail >= object->len)
		n = igw_bthome_variable_len(object, v);
	if (avail < object->len || avail - object->len < n) {
		g_set_error(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_TRUNCATED,
			    "BTHome object 0x%02x truncated at byte %" G_GSIZE_FORMAT
			    ": needs %" G_GSIZE_FORMAT " bytes, %" G_GSIZE_FORMAT " left",
			    id, parser->offset + start, (gsize)object->len + n, avail);
		return FALSE;
	}
	igw_bthome_add_object(parser, object, v, n);
	parser->pos = start + 1 + object->len + n;
	parser->decoded++;
	return TRUE;
}

/* keeps what came before a stop, as HA does; an advert that yields nothing is an error */
static gboolean
igw_bthome_parse_objects(IgwBthomeParser *parser, GError **error)
{
	while (parser->pos < parser->len) {
		g_autoptr(GError) error_local = NULL;
		if (igw_bthome_parse_object(parser, &error_local))
			continue;
		if (parser->decoded == 0) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		g_debug("%s, keeping the %u objects before it", error_local->message,
			parser->decoded);
		break;
	}
	return TRUE;
}

/* "AA:BB:CC:DD:EE:FF" in written order, as the nonce wants it */
static gboolean
igw_bthome_parse_mac(const gchar *mac, guint8 out[IGW_BTHOME_MAC_LEN], GError **error)
{
	for (guint i = 0; mac != NULL && i < IGW_BTHOME_MAC_LEN; i++) {
		const gchar *p = mac + 3 * i;
		gint hi = g_ascii_xdigit_value(p[0]);
		gint lo = hi >= 0 ? g_ascii_xdigit_value(p[1]) : -1;
		gchar sep = lo >= 0 ? p[2] : 'x';
		if (hi < 0 || lo < 0 || sep != (i + 1 < IGW_BTHOME_MAC_LEN ? ':' : '\0'))
			break;
		out[i] = (guint8)(hi << 4 | lo);
		if (i + 1 == IGW_BTHOME_MAC_LEN)
			return TRUE;
	}
	g_set_error(
	    error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_INVALID,
	    "device address '%s' is not a MAC address AA:BB:CC:DD:EE:FF, needed for the BTHome "
	    "nonce",
	    mac != NULL ? mac : "(none)");
	return FALSE;
}

/* AES-128-CCM, 13-byte nonce, 4-byte MIC, no associated data in v2 */
static gboolean
igw_bthome_decrypt(const guint8 *key, const guint8 *nonce, const guint8 *ciphertext, gsize len,
		   const guint8 *mic, guint8 *plaintext, GError **error)
{
	g_autoptr(EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new();
	guint8 tag[IGW_BTHOME_MIC_LEN];
	int outl = 0;

	memcpy(tag, mic, sizeof(tag));
	if (ctx == NULL || EVP_DecryptInit_ex(ctx, EVP_aes_128_ccm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, IGW_BTHOME_NONCE_LEN, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, sizeof(tag), tag) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &outl, NULL, (int)len) != 1) {
		g_set_error_literal(error, IGW_BLE_ADVERT_ERROR,
				    IGW_BLE_ADVERT_ERROR_DECRYPT_FAILED,
				    "BTHome: setting up AES-128-CCM failed");
		return FALSE;
	}
	/* CCM checks the MIC inside the one update call */
	if (EVP_DecryptUpdate(ctx, plaintext, &outl, ciphertext, (int)len) <= 0) {
		g_set_error_literal(error, IGW_BLE_ADVERT_ERROR,
				    IGW_BLE_ADVERT_ERROR_DECRYPT_FAILED,
				    "BTHome MIC mismatch: wrong bindkey or corrupted advert");
		return FALSE;
	}
	return TRUE;
}

/*
 * info | [MAC] | ciphertext | counter(4, LE) | MIC(4); the nonce is
 * MAC | D2 FC | info | counter. Decrypts into @plaintext (room for @len bytes)
 * and returns the plaintext length, or -1 with @error.
 */
static gssize
igw_bthome_open(IgwBleAdvert *advert, const guint8 *data, gsize len, gsize start, const guint8 *mac,
		const guint8 *bindkey, guint8 *plaintext, GError **error)
{
	guint8 nonce[IGW_BTHOME_NONCE_LEN];
	gsize tail = IGW_BTHOME_COUNTER_LEN + IGW_BTHOME_MIC_LEN;
	gsize ciphertext_len;

	if (len - start < tail) {
		g_set_error(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_TRUNCATED,
			    "encrypted BTHome advert of %" G_GSIZE_FORMAT
			    " bytes has no room for the counter and MIC (%" G_GSIZE_FORMAT
			    " bytes)",
			    len, start + tail);
		return -1;
	}
	ciphertext_len = len - start - tail;
	memcpy(nonce, mac, IGW_BTHOME_MAC_LEN);
	nonce[6] = IGW_BLE_UUID16_BTHOME & 0xFF;
	nonce[7] = IGW_BLE_UUID16_BTHOME >> 8;
	nonce[8] = data[0];
	memcpy(nonce + 9, data + len - tail, IGW_BTHOME_COUNTER_LEN);
	if (!igw_bthome_decrypt(bindkey, nonce, data + start, ciphertext_len,
				data + len - IGW_BTHOME_MIC_LEN, plaintext, error))
		return -1;
	advert->encrypted = TRUE;
	advert->has_counter = TRUE;
	advert->counter = igw_bthome_read_le(data + len - tail, IGW_BTHOME_COUNTER_LEN);
	return (gssize)ciphertext_len;
}

static gboolean
igw_bthome_check_header(const guint8 *data, gsize len, GError **error)
{
	guint version;

	if (len > IGW_BTHOME_MAX_LEN) {
		g_set_error(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_INVALID,
			    "BTHome advert of %" G_GSIZE_FORMAT " bytes is oversized (at most %u)",
			    len, (guint)IGW_BTHOME_MAX_LEN);
		return FALSE;
	}
	if (len < 2) {
		g_set_error(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_TRUNCATED,
			    "BTHome advert of %" G_GSIZE_FORMAT " bytes is too short (at least 2)",
			    len);
		return FALSE;
	}
	version = data[0] >> IGW_BTHOME_INFO_VERSION_SHIFT;
	if (version != IGW_BTHOME_VERSION) {
		g_set_error(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_INVALID,
			    "BTHome version %u in device info 0x%02x is not supported, only 2",
			    version, data[0]);
		return FALSE;
	}
	return TRUE;
}

/*
 * Bit 1 is reserved in the current spec, but early v2 drafts (and HA's parser
 * still) put the MAC there, reversed: honour it, or its bytes parse as objects.
 */
static gboolean
igw_bthome_get_mac(const guint8 *data, gsize len, gsize *start, const gchar *mac, gboolean need_mac,
		   guint8 out[IGW_BTHOME_MAC_LEN], GError **error)
{
	if ((data[0] & IGW_BTHOME_INFO_MAC_INCLUDED) == 0) {
		*start = 1;
		return !need_mac || igw_bthome_parse_mac(mac, out, error);
	}
	if (len < 1 + IGW_BTHOME_MAC_LEN) {
		g_set_error(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_TRUNCATED,
			    "BTHome advert of %" G_GSIZE_FORMAT " bytes announces a MAC but has no "
			    "room for it",
			    len);
		return FALSE;
	}
	for (guint i = 0; i < IGW_BTHOME_MAC_LEN; i++)
		out[i] = data[IGW_BTHOME_MAC_LEN - i];
	*start = 1 + IGW_BTHOME_MAC_LEN;
	return TRUE;
}

IgwBleAdvert *
igw_bthome_decode(const guint8 *data, gsize len, const gchar *mac, const guint8 *bindkey,
		  GError **error)
{
	g_autoptr(IgwBleAdvert) advert = igw_ble_advert_new(IGW_BLE_FORMAT_BTHOME);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	guint8 plaintext[IGW_BTHOME_MAX_LEN];
	guint8 mac_bytes[IGW_BTHOME_MAC_LEN] = {0};
	IgwBthomeParser parser = {.advert = advert, .seen = seen, .buf = data, .len = len};
	gboolean encrypted;

	if (!igw_bthome_check_header(data, len, error))
		return NULL;
	encrypted = (data[0] & IGW_BTHOME_INFO_ENCRYPTED) != 0;
	advert->trigger_based = (data[0] & IGW_BTHOME_INFO_TRIGGER_BASED) != 0;
	if (encrypted && bindkey == NULL) {
		g_set_error_literal(error, IGW_BLE_ADVERT_ERROR, IGW_BLE_ADVERT_ERROR_NEEDS_KEY,
				    "BTHome advert is encrypted and no bindkey is configured");
		return NULL;
	}
	if (!igw_bthome_get_mac(data, len, &parser.pos, mac, encrypted, mac_bytes, error))
		return NULL;
	if (encrypted) {
		gssize n = igw_bthome_open(advert, data, len, parser.pos, mac_bytes, bindkey,
					   plaintext, error);
		if (n < 0)
			return NULL;
		parser.buf = plaintext;
		parser.len = (gsize)n;
		parser.offset = parser.pos;
		parser.pos = 0;
	}
	if (!igw_bthome_parse_objects(&parser, error))
		return NULL;
	return g_steal_pointer(&advert);
}

/*
 * Replay protection is the receiver's job (fact sheet section 5). A counter
 * that goes back is a replay, except that a battery change restarts the
 * sender's counter: a device that was silent for a minute and comes back
 * lower is believed, while a lower counter within the minute (an attacker
 * replaying a recorded advert) is refused. Re-sending the last advert is
 * normal BLE behaviour, hence DUPLICATE rather than REPLAY.
 */
IgwBthomeCounterVerdict
igw_bthome_replay_check(IgwBthomeReplayState *state, guint32 counter, gint64 now_us)
{
	IgwBthomeCounterVerdict verdict;

	g_return_val_if_fail(state != NULL, IGW_BTHOME_COUNTER_REPLAY);

	if (!state->seen || counter > state->last_counter)
		verdict = IGW_BTHOME_COUNTER_NEW;
	else if (counter == state->last_counter)
		verdict = IGW_BTHOME_COUNTER_DUPLICATE;
	else if (now_us >= state->last_time_us &&
		 (guint64)now_us - (guint64)state->last_time_us >= IGW_BTHOME_RESET_SILENCE_US)
		verdict = IGW_BTHOME_COUNTER_RESET;
	else
		return IGW_BTHOME_COUNTER_REPLAY;

	state->seen = TRUE;
	state->last_counter = counter;
	state->last_time_us = now_us;
	return verdict;
}

const gchar *
igw_bthome_counter_verdict_to_string(IgwBthomeCounterVerdict verdict)
{
	switch (verdict) {
	case IGW_BTHOME_COUNTER_NEW:
		return "new";
	case IGW_BTHOME_COUNTER_DUPLICATE:
		return "duplicate";
	case IGW_BTHOME_COUNTER_RESET:
		return "reset";
	case IGW_BTHOME_COUNTER_REPLAY:
		return "replay";
	default:
		return "unknown";
	}
}
