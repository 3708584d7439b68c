/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestSenml"

#include "config.h"

#include <cbor.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "igw-test.h"

#include "igw-coap-payload.h"
#include "igw-error.h"
#include "igw-senml.h"

#define TEST_TIMEOUT_SECONDS 10
#define TEST_NOW 1700000000.0
#define TEST_BN "urn:dev:mac:0024befffe804ff1/"

/* /work/shared/specs/coap-facts.md §5 */
static const gchar *test_facts_json =
    "[{\"bn\":\"urn:dev:mac:0024befffe804ff1/\",\"bt\":1.72e9,\"bu\":\"Cel\",\"n\":\"temp\","
    "\"v\":21.5},{\"n\":\"hum\",\"u\":\"%RH\",\"v\":48},{\"n\":\"door\",\"vb\":false,\"t\":-5}]";

static GPtrArray *
test_json(const gchar *text)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *records = igw_senml_parse_json(text, strlen(text), TEST_NOW, &error);
	if (records == NULL)
		ck_abort_msg("%s: %s", text, error->message);
	return records;
}

static gchar *
test_json_error(const gchar *text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) records = igw_senml_parse_json(text, strlen(text), TEST_NOW, &error);
	ck_assert_ptr_null(records);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	return g_strdup(error->message);
}

static void
test_assert_json_error(const gchar *text, const gchar *message)
{
	g_autofree gchar *got = test_json_error(text);
	ck_assert_str_eq(got, message);
}

static GPtrArray *
test_cbor(const guint8 *data, gsize len)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *records = igw_senml_parse_cbor(data, len, TEST_NOW, &error);
	if (records == NULL)
		ck_abort_msg("CBOR: %s", error->message);
	return records;
}

static gchar *
test_cbor_error(const guint8 *data, gsize len)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) records = igw_senml_parse_cbor(data, len, TEST_NOW, &error);
	ck_assert_ptr_null(records);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	return g_strdup(error->message);
}

static IgwSenmlRecord *
test_record(GPtrArray *records, guint i)
{
	ck_assert_uint_lt(i, records->len);
	return g_ptr_array_index(records, i);
}

static void
test_assert_number(IgwSenmlRecord *record, const gchar *name, const gchar *unit, gdouble number,
		   gdouble time)
{
	ck_assert_str_eq(record->name, name);
	ck_assert_pstr_eq(record->unit, unit);
	ck_assert_int_eq(record->type, IGW_SENML_NUMBER);
	ck_assert_double_eq_tol(record->number, number, 1e-9);
	ck_assert_double_eq_tol(record->time, time, 1e-6);
}

/* the facts sheet's pack, checked for both encodings */
static void
test_assert_facts(GPtrArray *records)
{
	IgwSenmlRecord *door;

	ck_assert_uint_eq(records->len, 3);
	test_assert_number(test_record(records, 0), TEST_BN "temp", "Cel", 21.5, 1.72e9);
	test_assert_number(test_record(records, 1), TEST_BN "hum", "%RH", 48, 1.72e9);
	door = test_record(records, 2);
	ck_assert_str_eq(door->name, TEST_BN "door");
	ck_assert_int_eq(door->type, IGW_SENML_BOOLEAN);
	ck_assert(!door->boolean);
	/* bu applies to every later record */
	ck_assert_pstr_eq(door->unit, "Cel");
	ck_assert_double_eq_tol(door->time, 1.72e9 - 5, 1e-6);
	ck_assert(!door->has_sum);
	ck_assert_double_eq(door->update_time, 0);
}

START_TEST(test_senml_facts)
{
	g_autoptr(GPtrArray) records = test_json(test_facts_json);
	test_assert_facts(records);
}
END_TEST

/* RFC 8428 §5.1.1, §5.1.2 and §5.1.3 */
START_TEST(test_senml_rfc8428)
{
	g_autoptr(GPtrArray) single =
	    test_json("[{\"n\":\"urn:dev:ow:10e2073a01080063\",\"u\":\"Cel\",\"v\":23.1}]");
	g_autoptr(GPtrArray) multiple =
	    test_json("[{\"bn\":\"urn:dev:ow:10e2073a01080063:\",\"n\":\"voltage\",\"u\":\"V\","
		      "\"v\":120.1},{\"n\":\"current\",\"u\":\"A\",\"v\":1.2}]");
	g_autoptr(GPtrArray) series = test_json(
	    "[{\"bn\":\"urn:dev:ow:10e2073a0108006:\",\"bt\":1.276020076001e+09,\"bu\":\"A\","
	    "\"bver\":5,\"n\":\"voltage\",\"u\":\"V\",\"v\":120.1},"
	    "{\"n\":\"current\",\"t\":-5,\"v\":1.2},{\"n\":\"current\",\"t\":-4,\"v\":1.3},"
	    "{\"n\":\"current\",\"t\":-3,\"v\":1.4},{\"n\":\"current\",\"t\":-2,\"v\":1.5},"
	    "{\"n\":\"current\",\"t\":-1,\"v\":1.6},{\"n\":\"current\",\"v\":1.7}]");
	const gdouble bt = 1.276020076001e+09;

	/* no time at all: now */
	ck_assert_uint_eq(single->len, 1);
	test_assert_number(test_record(single, 0), "urn:dev:ow:10e2073a01080063", "Cel", 23.1,
			   TEST_NOW);

	ck_assert_uint_eq(multiple->len, 2);
	test_assert_number(test_record(multiple, 0), "urn:dev:ow:10e2073a01080063:voltage", "V",
			   120.1, TEST_NOW);
	test_assert_number(test_record(multiple, 1), "urn:dev:ow:10e2073a01080063:current", "A",
			   1.2, TEST_NOW);

	ck_assert_uint_eq(series->len, 7);
	test_assert_number(test_record(series, 0), "urn:dev:ow:10e2073a0108006:voltage", "V", 120.1,
			   bt);
	test_assert_number(test_record(series, 1), "urn:dev:ow:10e2073a0108006:current", "A", 1.2,
			   bt - 5);
	test_assert_number(test_record(series, 4), "urn:dev:ow:10e2073a0108006:current", "A", 1.5,
			   bt - 2);
	test_assert_number(test_record(series, 6), "urn:dev:ow:10e2073a0108006:current", "A", 1.7,
			   bt);
}
END_TEST

/* bv, bs, sums, ut, relative and absolute times, vs and vd, nameless records */
START_TEST(test_senml_base)
{
	g_autoptr(GPtrArray) records = test_json(
	    "[{\"bn\":\"dev1:\",\"bv\":100,\"bt\":-60,\"n\":\"a\",\"v\":1.5,\"ut\":30},"
	    "{\"n\":\"b\",\"v\":-1,\"t\":10},{\"n\":\"e\",\"s\":2,\"bs\":10,\"u\":\"J\"},"
	    "{\"bt\":0,\"n\":\"f\",\"vs\":\"kitchen\",\"t\":268435456},"
	    "{\"bn\":\"\",\"n\":\"blob\",\"vd\":\"aGkgdGhlcmU\"},{\"v\":3,\"s\":4,\"foo\":[1]}]");
	IgwSenmlRecord *record;

	ck_assert_uint_eq(records->len, 6);
	record = test_record(records, 0);
	test_assert_number(record, "dev1:a", NULL, 101.5, TEST_NOW - 60);
	ck_assert_double_eq(record->update_time, 30);
	test_assert_number(test_record(records, 1), "dev1:b", NULL, 99, TEST_NOW - 50);

	/* a sum without a value; bs applies to the record that sets it */
	record = test_record(records, 2);
	ck_assert_str_eq(record->name, "dev1:e");
	ck_assert_pstr_eq(record->unit, "J");
	ck_assert(record->has_sum);
	ck_assert_double_eq(record->sum, 12);
	ck_assert(isnan(record->number));

	/* 2^28 is absolute */
	record = test_record(records, 3);
	ck_assert_int_eq(record->type, IGW_SENML_STRING);
	ck_assert_str_eq(record->string, "kitchen");
	ck_assert_double_eq(record->time, 268435456.0);

	record = test_record(records, 4);
	ck_assert_str_eq(record->name, "blob");
	ck_assert_int_eq(record->type, IGW_SENML_DATA);
	ck_assert_str_eq(record->string, "aGkgdGhlcmU");

	/* a value and a sum; an unknown field is ignored */
	record = test_record(records, 5);
	ck_assert_str_eq(record->name, "");
	test_assert_number(record, "", NULL, 103, TEST_NOW);
	ck_assert(record->has_sum);
	ck_assert_double_eq(record->sum, 14);
}
END_TEST

START_TEST(test_senml_errors)
{
	g_autofree gchar *big = g_strnfill(IGW_SENML_MAX_LEN + 1, ' ');
	g_autofree gchar *msg = NULL;

	test_assert_json_error("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":1,\"vs\":\"x\"}]",
			       "SenML record 2: both v and vs");
	test_assert_json_error("[{\"n\":\"a\",\"vb\":true,\"vd\":\"AA\"}]",
			       "SenML record 1: both vb and vd");
	test_assert_json_error("[{\"n\":\"a\"}]", "SenML record 1: no value (v, vs, vb, vd or s)");
	test_assert_json_error("[{\"bver\":11,\"n\":\"a\",\"v\":1}]",
			       "SenML record 1: bver 11 is newer than 10");
	test_assert_json_error("[{\"n\":\"-bad\",\"v\":1}]",
			       "SenML record 1: name '-bad' breaks RFC 8428's character rules");
	test_assert_json_error("[{\"bn\":\"a b\",\"v\":1}]",
			       "SenML record 1: name 'a b' breaks RFC 8428's character rules");
	test_assert_json_error("[{\"n\":\"a\",\"v\":\"1\"}]", "SenML record 1: v is not a number");
	test_assert_json_error("[{\"n\":\"a\",\"vb\":1}]", "SenML record 1: vb is not a boolean");
	test_assert_json_error("[{\"n\":1,\"v\":1}]", "SenML record 1: n is not a string");
	test_assert_json_error("[{\"n\":\"a\",\"vd\":\"a+b/\"}]",
			       "SenML record 1: vd is not base64url");
	test_assert_json_error("[{\"n\":\"a\",\"v\":1,\"x_\":2}]",
			       "SenML record 1: unknown must-understand field 'x_'");
	test_assert_json_error("[{\"bv\":1e308,\"n\":\"a\",\"v\":1e308}]",
			       "SenML record 1: resolved v is not a finite number");
	test_assert_json_error("{\"n\":\"a\",\"v\":1}", "SenML JSON is not an array of records");
	test_assert_json_error("[1]", "SenML record 1: not an object");
	test_assert_json_error("[]{\"n\":\"a\"}", "SenML JSON: text after the pack at byte 2");
	test_assert_json_error(" 1", "SenML JSON is not an array of records");
	test_assert_json_error("", "SenML pack is empty");
	test_assert_json_error("[{\"n\":\"\xff\",\"v\":1}]", "SenML JSON is not valid UTF-8");

	msg = test_json_error("[{\"n\":\"a\",\"v\":1e999}]");
	ck_assert(g_str_has_prefix(msg, "SenML") && strstr(msg, "finite") != NULL);
	g_free(msg);
	msg = test_json_error("[{\"n\":\"a\",");
	ck_assert(g_str_has_prefix(msg, "SenML JSON: "));
	g_free(msg);
	big[0] = '[';
	big[IGW_SENML_MAX_LEN] = ']';
	msg = test_json_error(big);
	ck_assert_str_eq(msg, "SenML pack of 8193 bytes is more than 8192");
}
END_TEST

START_TEST(test_senml_names)
{
	g_autoptr(GPtrArray) empty = test_json("[]");

	ck_assert_uint_eq(empty->len, 0);
	ck_assert(igw_senml_name_is_valid(""));
	ck_assert(igw_senml_name_is_valid("urn:dev:mac:0024befffe804ff1/temp"));
	ck_assert(igw_senml_name_is_valid("3temp-1.a_b"));
	ck_assert(!igw_senml_name_is_valid("_x"));
	ck_assert(!igw_senml_name_is_valid(":x"));
	ck_assert(!igw_senml_name_is_valid("a b"));
	ck_assert(!igw_senml_name_is_valid("tempé"));
	ck_assert(!igw_senml_name_is_valid(NULL));
}
END_TEST

START_TEST(test_senml_units)
{
	ck_assert_str_eq(igw_senml_unit_display("Cel"), "°C");
	ck_assert_str_eq(igw_senml_unit_display("%RH"), "%");
	ck_assert_str_eq(igw_senml_unit_display("%EL"), "%");
	ck_assert_str_eq(igw_senml_unit_display("Pa"), "Pa");
	ck_assert_str_eq(igw_senml_unit_display("lx"), "lx");
	ck_assert_str_eq(igw_senml_unit_display("W"), "W");
	ck_assert_str_eq(igw_senml_unit_display("V"), "V");
	ck_assert_str_eq(igw_senml_unit_display("A"), "A");
	ck_assert_str_eq(igw_senml_unit_display("m/s"), "m/s");
	ck_assert_ptr_null(igw_senml_unit_display("count"));
	ck_assert_ptr_null(igw_senml_unit_display("/"));
	ck_assert_str_eq(igw_senml_unit_display("beat/min"), "bpm");
	ck_assert_str_eq(igw_senml_unit_display("dBW"), "dBW");
	ck_assert_ptr_null(igw_senml_unit_display(NULL));
}
END_TEST

/* building CBOR packs with libcbor */
static void
test_cbor_free(cbor_item_t *item)
{
	cbor_decref(&item);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cbor_item_t, test_cbor_free)

static cbor_item_t *
test_cbor_label(gint label)
{
	return label >= 0 ? cbor_build_uint8((guint8)label)
			  : cbor_build_negint8((guint8)(-1 - label));
}

static void
test_cbor_put(cbor_item_t *map, gint label, cbor_item_t *value)
{
	g_autoptr(cbor_item_t) key = test_cbor_label(label);
	g_autoptr(cbor_item_t) owned = value;
	ck_assert(cbor_map_add(map, (struct cbor_pair){.key = key, .value = owned}));
}

static void
test_cbor_push(cbor_item_t *array, cbor_item_t *record)
{
	g_autoptr(cbor_item_t) owned = record;
	ck_assert(cbor_array_push(array, owned));
}

static GBytes *
test_cbor_serialize(cbor_item_t *item)
{
	guchar *buffer = NULL;
	gsize size = 0;
	gsize len = cbor_serialize_alloc(item, &buffer, &size);
	GBytes *bytes;
	ck_assert_uint_gt(len, 0);
	bytes = g_bytes_new(buffer, len);
	free(buffer);
	return bytes;
}

/* the facts pack with CBOR labels (RFC 8428 §6) */
START_TEST(test_senml_cbor_facts)
{
	g_autoptr(cbor_item_t) pack = cbor_new_definite_array(3);
	cbor_item_t *record;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GPtrArray) records = NULL;

	record = cbor_new_definite_map(5);
	test_cbor_put(record, -2, cbor_build_string(TEST_BN));
	test_cbor_put(record, -3, cbor_build_float8(1.72e9));
	test_cbor_put(record, -4, cbor_build_string("Cel"));
	test_cbor_put(record, 0, cbor_build_string("temp"));
	test_cbor_put(record, 2, cbor_build_float4(21.5));
	test_cbor_push(pack, record);
	record = cbor_new_definite_map(3);
	test_cbor_put(record, 0, cbor_build_string("hum"));
	test_cbor_put(record, 1, cbor_build_string("%RH"));
	test_cbor_put(record, 2, cbor_build_uint8(48));
	test_cbor_push(pack, record);
	record = cbor_new_indefinite_map();
	test_cbor_put(record, 0, cbor_build_string("door"));
	test_cbor_put(record, 4, cbor_build_bool(false));
	test_cbor_put(record, 6, cbor_build_negint8(4));
	test_cbor_push(pack, record);

	bytes = test_cbor_serialize(pack);
	records = test_cbor(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
	test_assert_facts(records);
}
END_TEST

/* RFC 8428 §6: the CBOR form of the §5.1.3 pack's first two records, byte for byte */
START_TEST(test_senml_cbor_rfc8428)
{
	const guint8 rfc[] = {
	    0x82, 0xa7, 0x21, 0x78, 0x1b, 0x75, 0x72, 0x6e, 0x3a, 0x64, 0x65, 0x76, 0x3a,
	    0x6f, 0x77, 0x3a, 0x31, 0x30, 0x65, 0x32, 0x30, 0x37, 0x33, 0x61, 0x30, 0x31,
	    0x30, 0x38, 0x30, 0x30, 0x36, 0x3a, 0x22, 0xfb, 0x41, 0xd3, 0x03, 0xa1, 0x5b,
	    0x00, 0x10, 0x62, 0x23, 0x61, 0x41, 0x20, 0x05, 0x00, 0x67, 0x76, 0x6f, 0x6c,
	    0x74, 0x61, 0x67, 0x65, 0x01, 0x61, 0x56, 0x02, 0xfb, 0x40, 0x5e, 0x06, 0x66,
	    0x66, 0x66, 0x66, 0x66, 0xa3, 0x00, 0x67, 0x63, 0x75, 0x72, 0x72, 0x65, 0x6e,
	    0x74, 0x06, 0x24, 0x02, 0xfb, 0x3f, 0xf3, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
	};
	g_autoptr(GPtrArray) records = test_cbor(rfc, sizeof(rfc));
	const gdouble bt = 1.276020076001e+09;

	ck_assert_uint_eq(records->len, 2);
	test_assert_number(test_record(records, 0), "urn:dev:ow:10e2073a0108006:voltage", "V",
			   120.1, bt);
	test_assert_number(test_record(records, 1), "urn:dev:ow:10e2073a0108006:current", "A", 1.2,
			   bt - 5);
}
END_TEST

/* strings in chunks, vd as a byte string, text labels */
START_TEST(test_senml_cbor_forms)
{
	g_autoptr(cbor_item_t) pack = cbor_new_indefinite_array();
	g_autoptr(cbor_item_t) name = cbor_new_indefinite_string();
	g_autoptr(cbor_item_t) chunk1 = cbor_build_string("li");
	g_autoptr(cbor_item_t) chunk2 = cbor_build_string("ght");
	g_autoptr(cbor_item_t) key = cbor_build_string("extra");
	g_autoptr(cbor_item_t) value = cbor_build_uint8(1);
	const guint8 blob[] = {0xfb, 0xff, 0x00};
	cbor_item_t *record;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GPtrArray) records = NULL;

	ck_assert(cbor_string_add_chunk(name, chunk1));
	ck_assert(cbor_string_add_chunk(name, chunk2));
	record = cbor_new_definite_map(3);
	test_cbor_put(record, 0, cbor_incref(name));
	test_cbor_put(record, 2, cbor_build_negint64(G_GUINT64_CONSTANT(41)));
	ck_assert(cbor_map_add(record, (struct cbor_pair){.key = key, .value = value}));
	test_cbor_push(pack, record);
	record = cbor_new_definite_map(2);
	test_cbor_put(record, 0, cbor_build_string("blob"));
	test_cbor_put(record, 8, cbor_build_bytestring(blob, sizeof(blob)));
	test_cbor_push(pack, record);
	record = cbor_new_definite_map(2);
	test_cbor_put(record, 3, cbor_build_string("hi"));
	test_cbor_put(record, 7, cbor_build_float2(0.5f));
	test_cbor_push(pack, record);

	bytes = test_cbor_serialize(pack);
	records = test_cbor(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
	ck_assert_uint_eq(records->len, 3);
	test_assert_number(test_record(records, 0), "light", NULL, -42, TEST_NOW);
	ck_assert_int_eq(test_record(records, 1)->type, IGW_SENML_DATA);
	/* base64url, no padding */
	ck_assert_str_eq(test_record(records, 1)->string, "-_8A");
	ck_assert_int_eq(test_record(records, 2)->type, IGW_SENML_STRING);
	ck_assert_str_eq(test_record(records, 2)->string, "hi");
	ck_assert_double_eq(test_record(records, 2)->update_time, 0.5);
}
END_TEST

static void
test_assert_cbor_error(const guint8 *data, gsize len, const gchar *message)
{
	g_autofree gchar *got = test_cbor_error(data, len);
	ck_assert_str_eq(got, message);
}

START_TEST(test_senml_cbor_errors)
{
	/* [{0:"a", 2:1, 3:"x"}] */
	const guint8 both[] = {0x81, 0xa3, 0x00, 0x61, 0x61, 0x02, 0x01, 0x03, 0x61, 0x78};
	/* [{2:1, 2:2}] */
	const guint8 twice[] = {0x81, 0xa2, 0x02, 0x01, 0x02, 0x02};
	/* [{3:h'78'}] */
	const guint8 vs_bytes[] = {0x81, 0xa1, 0x03, 0x41, 0x78};
	/* [{-1:11, 2:1}] */
	const guint8 bver[] = {0x81, 0xa2, 0x20, 0x0b, 0x02, 0x01};
	/* [{2:NaN}] (half float) */
	const guint8 nan[] = {0x81, 0xa1, 0x02, 0xf9, 0x7e, 0x00};
	/* an array that claims 2^32 items */
	const guint8 huge[] = {0x9b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xa0};
	/* [{2:1}] and one byte too many */
	const guint8 trailing[] = {0x81, 0xa1, 0x02, 0x01, 0x00};
	/* {2:1} */
	const guint8 map[] = {0xa1, 0x02, 0x01};
	/* [1] */
	const guint8 not_map[] = {0x81, 0x01};
	/* [{0:"\xff", 2:1}] */
	const guint8 bad_utf8[] = {0x81, 0xa2, 0x00, 0x61, 0xff, 0x02, 0x01};
	/* [{4:1.5}]: libcbor 0.8 asserts in cbor_is_bool() on a float (found by fuzz-senml) */
	const guint8 vb_float[] = {0x81, 0xa1, 0x04, 0xf9, 0x3e, 0x00};
	guint8 deep[64];

	test_assert_cbor_error(both, sizeof(both), "SenML record 1: both v and vs");
	test_assert_cbor_error(twice, sizeof(twice), "SenML record 1: v given twice");
	test_assert_cbor_error(vs_bytes, sizeof(vs_bytes), "SenML record 1: vs is not a string");
	test_assert_cbor_error(bver, sizeof(bver), "SenML record 1: bver 11 is newer than 10");
	test_assert_cbor_error(nan, sizeof(nan), "SenML record 1: v is not a finite number");
	test_assert_cbor_error(
	    huge, sizeof(huge),
	    "SenML CBOR is not well-formed: a length is larger than the data at byte 0");
	test_assert_cbor_error(both, sizeof(both) - 1,
			       "SenML CBOR is not well-formed: truncated at byte 8");
	test_assert_cbor_error(
	    trailing, sizeof(trailing),
	    "SenML CBOR is not well-formed: trailing bytes after the pack at byte 4");
	test_assert_cbor_error(map, sizeof(map), "SenML CBOR is not an array of records");
	test_assert_cbor_error(not_map, sizeof(not_map), "SenML record 1: not a map");
	test_assert_cbor_error(bad_utf8, sizeof(bad_utf8),
			       "SenML CBOR could not be loaded: invalid item at byte 5");
	test_assert_cbor_error(NULL, 0, "SenML pack is empty");
	test_assert_cbor_error(vb_float, sizeof(vb_float), "SenML record 1: vb is not a boolean");
	memset(deep, 0x81, sizeof(deep));
	test_assert_cbor_error(deep, sizeof(deep),
			       "SenML CBOR is not well-formed: nested too deep at byte 16");
}
END_TEST

/* text/plain and the content-format switch */
static IgwSenmlRecord *
test_text(const gchar *text, GPtrArray **records)
{
	g_autoptr(GError) error = NULL;
	*records = igw_coap_payload_decode(IGW_COAP_FORMAT_TEXT, (const guint8 *)text, strlen(text),
					   TEST_NOW, &error);
	if (*records == NULL)
		ck_abort_msg("%s: %s", text, error->message);
	ck_assert_uint_eq((*records)->len, 1);
	ck_assert_str_eq(test_record(*records, 0)->name, "");
	ck_assert_ptr_null(test_record(*records, 0)->unit);
	ck_assert_double_eq(test_record(*records, 0)->time, TEST_NOW);
	return test_record(*records, 0);
}

static void
test_assert_text_number(const gchar *text, gdouble number)
{
	g_autoptr(GPtrArray) records = NULL;
	IgwSenmlRecord *record = test_text(text, &records);
	ck_assert_int_eq(record->type, IGW_SENML_NUMBER);
	ck_assert_double_eq(record->number, number);
}

static void
test_assert_text_boolean(const gchar *text, gboolean value)
{
	g_autoptr(GPtrArray) records = NULL;
	IgwSenmlRecord *record = test_text(text, &records);
	ck_assert_int_eq(record->type, IGW_SENML_BOOLEAN);
	ck_assert_int_eq(record->boolean, value);
}

static void
test_assert_text_string(const gchar *text, const gchar *value)
{
	g_autoptr(GPtrArray) records = NULL;
	IgwSenmlRecord *record = test_text(text, &records);
	ck_assert_int_eq(record->type, IGW_SENML_STRING);
	ck_assert_str_eq(record->string, value);
}

static void
test_assert_decode_error(gint format, const gchar *text, gsize len, gint code, const gchar *message)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) records =
	    igw_coap_payload_decode(format, (const guint8 *)text, len, TEST_NOW, &error);
	ck_assert_ptr_null(records);
	ck_assert(g_error_matches(error, IGW_ERROR, code));
	ck_assert_str_eq(error->message, message);
}

START_TEST(test_senml_text)
{
	g_autofree gchar *long_text = g_strnfill(IGW_COAP_TEXT_MAX + 1, 'a');
	g_autofree gchar *max_text = g_strnfill(IGW_COAP_TEXT_MAX, 'a');
	g_autofree gchar *big = g_strnfill(IGW_COAP_PAYLOAD_MAX + 1, '1');
	g_autoptr(GPtrArray) records = NULL;
	g_autoptr(GPtrArray) json = NULL;
	g_autoptr(GPtrArray) untyped = NULL;

	test_assert_text_number("21.5", 21.5);
	test_assert_text_number(" -3\r\n", -3);
	test_assert_text_number("1e3", 1000);
	test_assert_text_number("+.5", 0.5);
	test_assert_text_number("7.", 7);
	test_assert_text_boolean("ON", TRUE);
	test_assert_text_boolean("off", FALSE);
	test_assert_text_boolean("True", TRUE);
	test_assert_text_boolean("false\n", FALSE);
	test_assert_text_string("hello world", "hello world");
	test_assert_text_string("0x10", "0x10");
	test_assert_text_string("nan", "nan");
	test_assert_text_string("inf", "inf");
	test_assert_text_string("1e999", "1e999");
	test_assert_text_string("1e", "1e");
	test_assert_text_string(".", ".");
	test_assert_text_string("", "");
	test_assert_text_string(" 21,5 °C ", "21,5 °C");
	test_assert_text_string(max_text, max_text);

	test_assert_decode_error(IGW_COAP_FORMAT_TEXT, long_text, strlen(long_text),
				 IGW_ERROR_INVALID_DATA,
				 "text payload of 257 bytes is more than 256");
	test_assert_decode_error(IGW_COAP_FORMAT_TEXT, "\xff", 1, IGW_ERROR_INVALID_DATA,
				 "text payload is not valid UTF-8");
	test_assert_decode_error(IGW_COAP_FORMAT_TEXT, "1\0002", 3, IGW_ERROR_INVALID_DATA,
				 "text payload is not valid UTF-8");
	test_assert_decode_error(-1, big, strlen(big), IGW_ERROR_INVALID_DATA,
				 "payload of 8193 bytes is more than 8192");
	test_assert_decode_error(IGW_COAP_FORMAT_LINK, "</a>", 4, IGW_ERROR_NOT_SUPPORTED,
				 "content-format 40 is not supported");
	test_assert_decode_error(50, "{}", 2, IGW_ERROR_NOT_SUPPORTED,
				 "content-format 50 is not supported");

	/* no content-format is text; 110 is SenML JSON */
	untyped = igw_coap_payload_decode(-1, (const guint8 *)"42", 2, TEST_NOW, NULL);
	ck_assert_ptr_nonnull(untyped);
	ck_assert_double_eq(test_record(untyped, 0)->number, 42);
	json = igw_coap_payload_decode(IGW_COAP_FORMAT_SENML_JSON, (const guint8 *)test_facts_json,
				       strlen(test_facts_json), TEST_NOW, NULL);
	ck_assert_ptr_nonnull(json);
	test_assert_facts(json);
	(void)records;
}
END_TEST

/* encoding, byte for byte */
static void
test_assert_encode(gint format, const gchar *name, GVariant *value, const gchar *expected,
		   gsize expected_len)
{
	g_autoptr(GVariant) owned = g_variant_ref_sink(value);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = igw_coap_payload_encode(format, name, owned, &error);
	if (bytes == NULL)
		ck_abort_msg("encode: %s", error->message);
	ck_assert_uint_eq(g_bytes_get_size(bytes), expected_len);
	ck_assert(memcmp(g_bytes_get_data(bytes, NULL), expected, expected_len) == 0);
}

#define test_assert_encode_str(format, name, value, expected)                                      \
	test_assert_encode(format, name, value, expected, strlen(expected))

START_TEST(test_senml_encode)
{
	/* [{0:"t", 2:21.5}] */
	const gchar cbor[] = "\x81\xa2\x00\x61\x74\x02\xfb\x40\x35\x80\x00\x00\x00\x00\x00";
	/* [{4:true}] */
	const gchar cbor_bool[] = "\x81\xa1\x04\xf5";
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) nan = g_variant_ref_sink(g_variant_new_double(NAN));
	g_autoptr(GVariant) uint = g_variant_ref_sink(g_variant_new_uint32(1));
	g_autoptr(GVariant) one = g_variant_ref_sink(g_variant_new_double(1));
	GBytes *bytes;

	test_assert_encode_str(0, NULL, g_variant_new_double(21.5), "21.5");
	test_assert_encode_str(0, NULL, g_variant_new_double(0.1), "0.1");
	test_assert_encode_str(-1, "x", g_variant_new_double(-1e-7), "-1e-07");
	test_assert_encode_str(0, NULL, g_variant_new_int64(42), "42");
	test_assert_encode_str(0, NULL, g_variant_new_int64(G_MININT64), "-9223372036854775808");
	test_assert_encode_str(0, NULL, g_variant_new_boolean(TRUE), "1");
	test_assert_encode_str(0, NULL, g_variant_new_boolean(FALSE), "0");
	test_assert_encode_str(0, NULL, g_variant_new_string("kitchen"), "kitchen");
	test_assert_encode_str(110, "temp", g_variant_new_double(21.5),
			       "[{\"n\":\"temp\",\"v\":21.5}]");
	test_assert_encode_str(110, "", g_variant_new_int64(-5), "[{\"v\":-5}]");
	test_assert_encode_str(110, NULL, g_variant_new_boolean(TRUE), "[{\"vb\":true}]");
	test_assert_encode_str(110, "label", g_variant_new_string("a\"b\\c\n"),
			       "[{\"n\":\"label\",\"vs\":\"a\\\"b\\\\c\\u000a\"}]");
	test_assert_encode(112, "t", g_variant_new_double(21.5), cbor, sizeof(cbor) - 1);
	test_assert_encode(112, NULL, g_variant_new_boolean(TRUE), cbor_bool,
			   sizeof(cbor_bool) - 1);

	bytes = igw_coap_payload_encode(0, NULL, nan, &error);
	ck_assert_ptr_null(bytes);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	g_clear_error(&error);
	bytes = igw_coap_payload_encode(0, NULL, uint, &error);
	ck_assert_ptr_null(bytes);
	ck_assert_str_eq(error->message, "a CoAP value is of type d, x, b or s, not u");
	g_clear_error(&error);
	bytes = igw_coap_payload_encode(110, "a b", one, &error);
	ck_assert_ptr_null(bytes);
	ck_assert_str_eq(error->message, "'a b' is not a SenML name");
	g_clear_error(&error);
	bytes = igw_coap_payload_encode(40, NULL, one, &error);
	ck_assert_ptr_null(bytes);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED));
}
END_TEST

/* encode then decode gives the value back, in every format */
static void
test_round_trip(gint format, const gchar *name, GVariant *value)
{
	g_autoptr(GVariant) owned = g_variant_ref_sink(value);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = igw_coap_payload_encode(format, name, owned, &error);
	g_autoptr(GPtrArray) records = NULL;
	IgwSenmlRecord *record;

	ck_assert_msg(bytes != NULL, "encode: %s", error != NULL ? error->message : "");
	records = igw_coap_payload_decode(format, g_bytes_get_data(bytes, NULL),
					  g_bytes_get_size(bytes), TEST_NOW, &error);
	ck_assert_msg(records != NULL, "decode: %s", error != NULL ? error->message : "");
	ck_assert_uint_eq(records->len, 1);
	record = test_record(records, 0);
	/* text has no name */
	ck_assert_str_eq(record->name, format == 0 || name == NULL ? "" : name);
	if (g_variant_is_of_type(owned, G_VARIANT_TYPE_DOUBLE)) {
		ck_assert_int_eq(record->type, IGW_SENML_NUMBER);
		ck_assert_double_eq(record->number, g_variant_get_double(owned));
	} else if (g_variant_is_of_type(owned, G_VARIANT_TYPE_INT64)) {
		ck_assert_int_eq(record->type, IGW_SENML_NUMBER);
		ck_assert_double_eq(record->number, (gdouble)g_variant_get_int64(owned));
	} else if (g_variant_is_of_type(owned, G_VARIANT_TYPE_BOOLEAN)) {
		/* text/plain writes booleans as 1 and 0 */
		if (format == 0) {
			ck_assert_int_eq(record->type, IGW_SENML_NUMBER);
			ck_assert_double_eq(record->number, g_variant_get_boolean(owned) ? 1 : 0);
		} else {
			ck_assert_int_eq(record->type, IGW_SENML_BOOLEAN);
			ck_assert_int_eq(record->boolean, g_variant_get_boolean(owned));
		}
	} else {
		ck_assert_int_eq(record->type, IGW_SENML_STRING);
		ck_assert_str_eq(record->string, g_variant_get_string(owned, NULL));
	}
}

START_TEST(test_senml_round_trip)
{
	const gint formats[] = {0, 110, 112};
	const gdouble numbers[] = {21.5, 0.1, -1e-7, 1.0 / 3.0, 1e300, -0.0, 123456789.125};
	const gint64 integers[] = {0, 42, -5, 1 << 30, G_GINT64_CONSTANT(9007199254740992)};

	for (guint f = 0; f < G_N_ELEMENTS(formats); f++) {
		for (guint i = 0; i < G_N_ELEMENTS(numbers); i++)
			test_round_trip(formats[f], "temp", g_variant_new_double(numbers[i]));
		for (guint i = 0; i < G_N_ELEMENTS(integers); i++)
			test_round_trip(formats[f], "urn:dev:x:1/count",
					g_variant_new_int64(integers[i]));
		test_round_trip(formats[f], NULL, g_variant_new_boolean(TRUE));
		test_round_trip(formats[f], "on", g_variant_new_boolean(FALSE));
		test_round_trip(formats[f], "label", g_variant_new_string("kitchen \"A\" é"));
	}
}
END_TEST

static Suite *
test_senml_suite(void)
{
	Suite *suite = suite_create("senml");
	igw_test_add(suite, "senml/facts", test_senml_facts, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/rfc8428", test_senml_rfc8428, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/base", test_senml_base, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/errors", test_senml_errors, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/names", test_senml_names, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/units", test_senml_units, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/cbor-facts", test_senml_cbor_facts, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/cbor-rfc8428", test_senml_cbor_rfc8428, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/cbor-forms", test_senml_cbor_forms, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/cbor-errors", test_senml_cbor_errors, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/text", test_senml_text, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/encode", test_senml_encode, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "senml/round-trip", test_senml_round_trip, TEST_TIMEOUT_SECONDS);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_senml_suite());
}
