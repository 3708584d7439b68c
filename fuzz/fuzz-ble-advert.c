/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <math.h>
#include <string.h>

#include "igw-ble-advert.h"
#include "igw-bthome.h"
#include "igw-error.h"
#include "igw-fuzz.h"

/*
 * The first input byte, modulo 8, picks what the rest is fed to:
 *   0  BTHome service data (0xFCD2), no bindkey
 *   1  BTHome service data with the spec's bindkey and MAC (fact sheet section 5)
 *   2  service data 0x181A (ATC1441 / pvvx)
 *   3  Ruuvi manufacturer data (0x0499)
 *   4  service data, UUID from the next two bytes (little-endian)
 *   5  manufacturer data, company from the next two bytes (little-endian)
 *   6  the BTHome replay policy: records of counter (4 bytes LE) + time (8 bytes LE)
 *   7  igw_ble_bindkey_parse() of the rest as text
 */
enum {
	FUZZ_BTHOME,
	FUZZ_BTHOME_KEY,
	FUZZ_ENVIRONMENTAL,
	FUZZ_RUUVI,
	FUZZ_SERVICE_DATA,
	FUZZ_MANUFACTURER_DATA,
	FUZZ_REPLAY,
	FUZZ_BINDKEY,
	FUZZ_LAST
};

#define FUZZ_MAC "54:48:E6:8F:80:A5"

static const guint8 fuzz_key[16] = {0x23, 0x1d, 0x39, 0xc1, 0xd7, 0xcc, 0x1a, 0xb1,
				    0xae, 0xe2, 0x24, 0xcd, 0x09, 0x6d, 0xb9, 0x32};

static void
igw_fuzz_check_value(const IgwBleValue *value, GHashTable *names)
{
	igw_fuzz_require(value != NULL && value->field != NULL && value->field[0] != '\0');
	/* every field name once per advert, or the thing model mixes them up */
	igw_fuzz_require(g_hash_table_add(names, value->field));
	igw_fuzz_require(!g_variant_is_floating(value->value));
	igw_fuzz_require(
	    g_variant_is_of_type(value->value, igw_field_type_to_variant_type(value->type)));
	igw_fuzz_require(value->category != IGW_FIELD_CATEGORY_NONE);
	igw_fuzz_require(value->unit == NULL || g_utf8_validate(value->unit, -1, NULL));
	switch (value->type) {
	case IGW_FIELD_TYPE_NUMERIC:
		igw_fuzz_require(isfinite(g_variant_get_double(value->value)));
		igw_fuzz_require(value->decimals <= 6);
		break;
	case IGW_FIELD_TYPE_STRING:
		igw_fuzz_require(
		    g_utf8_validate(g_variant_get_string(value->value, NULL), -1, NULL));
		break;
	case IGW_FIELD_TYPE_INTEGER:
	case IGW_FIELD_TYPE_BOOLEAN:
		igw_fuzz_require(value->decimals == 0);
		break;
	default:
		igw_fuzz_require(FALSE);
		break;
	}
}

/* an advert XOR an error; an error is one of ours and readable */
static void
igw_fuzz_check_result(IgwBleAdvert *advert, GError *error, const guint8 *bindkey)
{
	g_autoptr(GHashTable) names = NULL;

	igw_fuzz_require((advert == NULL) != (error == NULL));
	if (advert == NULL) {
		igw_fuzz_require(error->domain == IGW_BLE_ADVERT_ERROR);
		igw_fuzz_require(error->code >= IGW_BLE_ADVERT_ERROR_UNSUPPORTED &&
				 error->code <= IGW_BLE_ADVERT_ERROR_DECRYPT_FAILED);
		igw_fuzz_require(error->message[0] != '\0');
		igw_fuzz_require(g_utf8_validate(error->message, -1, NULL));
		igw_fuzz_require(bindkey != NULL ||
				 error->code != IGW_BLE_ADVERT_ERROR_DECRYPT_FAILED);
		return;
	}
	igw_fuzz_require(advert->format != IGW_BLE_FORMAT_UNKNOWN);
	igw_fuzz_require(advert->packet_id >= -1 && advert->packet_id <= G_MAXUINT16);
	igw_fuzz_require(!advert->encrypted || (bindkey != NULL && advert->has_counter));
	names = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < advert->values->len; i++)
		igw_fuzz_check_value(g_ptr_array_index(advert->values, i), names);
}

static void
igw_fuzz_service_data(guint16 uuid, const guint8 *data, gsize size, const guint8 *bindkey)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwBleAdvert) advert =
	    igw_ble_advert_decode_service_data(uuid, data, size, FUZZ_MAC, bindkey, &error);
	igw_fuzz_check_result(advert, error, bindkey);
	if (advert != NULL && uuid == IGW_BLE_UUID16_BTHOME)
		igw_fuzz_require(advert->format == IGW_BLE_FORMAT_BTHOME);
}

static void
igw_fuzz_manufacturer_data(guint16 company, const guint8 *data, gsize size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwBleAdvert) advert =
	    igw_ble_advert_decode_manufacturer_data(company, data, size, &error);
	igw_fuzz_check_result(advert, error, NULL);
	if (advert != NULL)
		igw_fuzz_require(company == IGW_BLE_COMPANY_RUUVI && size == 24);
}

static guint64
igw_fuzz_read_le(const guint8 *data, guint len)
{
	guint64 value = 0;
	for (guint i = len; i > 0; i--)
		value = value << 8 | data[i - 1];
	return value;
}

/* the verdict follows from the state before, and only accepted counters move it */
static void
igw_fuzz_replay(const guint8 *data, gsize size)
{
	IgwBthomeReplayState state = {0};
	for (gsize pos = 0; pos + 12 <= size; pos += 12) {
		IgwBthomeReplayState before = state;
		guint32 counter = (guint32)igw_fuzz_read_le(data + pos, 4);
		gint64 now = (gint64)igw_fuzz_read_le(data + pos + 4, 8);
		IgwBthomeCounterVerdict verdict = igw_bthome_replay_check(&state, counter, now);
		if (!before.seen || counter > before.last_counter)
			igw_fuzz_require(verdict == IGW_BTHOME_COUNTER_NEW);
		else if (counter == before.last_counter)
			igw_fuzz_require(verdict == IGW_BTHOME_COUNTER_DUPLICATE);
		else
			igw_fuzz_require(verdict == IGW_BTHOME_COUNTER_RESET ||
					 verdict == IGW_BTHOME_COUNTER_REPLAY);
		if (verdict == IGW_BTHOME_COUNTER_REPLAY) {
			igw_fuzz_require(memcmp(&state, &before, sizeof(state)) == 0);
			continue;
		}
		igw_fuzz_require(state.seen && state.last_counter == counter &&
				 state.last_time_us == now);
	}
}

static void
igw_fuzz_bindkey(const guint8 *data, gsize size)
{
	g_autofree gchar *text = igw_fuzz_strdup(data, size);
	g_autoptr(GError) error = NULL;
	guint8 key[16];
	gboolean ok = igw_ble_bindkey_parse(text, key, &error);

	igw_fuzz_require(ok == (error == NULL));
	if (!ok) {
		igw_fuzz_require(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
		igw_fuzz_require(g_utf8_validate(error->message, -1, NULL));
		return;
	}
	igw_fuzz_require(strlen(text) == 32);
	for (guint i = 0; i < 16; i++) {
		g_autofree gchar *hex = g_strdup_printf("%02x", key[i]);
		igw_fuzz_require(g_ascii_strncasecmp(hex, text + 2 * i, 2) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	guint8 select;

	igw_fuzz_init();
	if (size < 1)
		return 0;
	select = data[0] % FUZZ_LAST;
	data++;
	size--;
	switch (select) {
	case FUZZ_BTHOME:
		igw_fuzz_service_data(IGW_BLE_UUID16_BTHOME, data, size, NULL);
		break;
	case FUZZ_BTHOME_KEY:
		igw_fuzz_service_data(IGW_BLE_UUID16_BTHOME, data, size, fuzz_key);
		break;
	case FUZZ_ENVIRONMENTAL:
		igw_fuzz_service_data(IGW_BLE_UUID16_ENVIRONMENTAL_SENSING, data, size, NULL);
		break;
	case FUZZ_RUUVI:
		igw_fuzz_manufacturer_data(IGW_BLE_COMPANY_RUUVI, data, size);
		break;
	case FUZZ_SERVICE_DATA:
		if (size >= 2)
			igw_fuzz_service_data((guint16)igw_fuzz_read_le(data, 2), data + 2,
					      size - 2, fuzz_key);
		break;
	case FUZZ_MANUFACTURER_DATA:
		if (size >= 2)
			igw_fuzz_manufacturer_data((guint16)igw_fuzz_read_le(data, 2), data + 2,
						   size - 2);
		break;
	case FUZZ_REPLAY:
		igw_fuzz_replay(data, size);
		break;
	case FUZZ_BINDKEY:
	default:
		igw_fuzz_bindkey(data, size);
		break;
	}
	return 0;
}
