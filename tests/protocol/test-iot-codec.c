/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestIot"

#include "config.h"

#include <string.h>
#include "igw-test.h"

#include "igw-config.h"
#include "igw-error.h"
#include "igw-iot-codec.h"
#include "igw-transport.h"

#define TEST_TIMEOUT_SECONDS 10
#define SD "urn:xmpp:iot:sensordata"
#define CTR "urn:xmpp:iot:control"
#define NFSD "urn:nf:iot:sd:1.0"
#define NFCTR "urn:nf:iot:ctr:1.0"
/* 2026-11-21T21:15:37Z */
#define TEST_TIME_US G_GINT64_CONSTANT(1795295737000000)

static xmpp_ctx_t *test_ctx;

static void
test_setup(void)
{
	xmpp_initialize();
	test_ctx = xmpp_ctx_new(NULL, NULL);
}

static void
test_teardown(void)
{
	xmpp_ctx_free(test_ctx);
	xmpp_shutdown();
}

static xmpp_stanza_t *
test_stanza(const gchar *xml)
{
	xmpp_stanza_t *stanza = xmpp_stanza_new_from_string(test_ctx, xml);
	ck_assert_msg(stanza != NULL, "unparsable: %s", xml);
	return stanza;
}

static gint
test_compare_str(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

/* libstrophe keeps attributes in a hash table: compare with them sorted */
static void
test_canon(xmpp_stanza_t *stanza, GString *out)
{
	gint n;
	g_autofree const gchar **attrs = NULL;
	g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func(g_free);
	if (xmpp_stanza_is_text(stanza)) {
		g_autofree gchar *text = g_markup_escape_text(xmpp_stanza_get_text_ptr(stanza), -1);
		g_string_append(out, text);
		return;
	}
	n = xmpp_stanza_get_attribute_count(stanza);
	attrs = g_new0(const gchar *, 2 * n + 2);
	n = xmpp_stanza_get_attributes(stanza, attrs, 2 * n);
	for (gint i = 0; i + 1 < n; i += 2) {
		g_autofree gchar *value = g_markup_escape_text(attrs[i + 1], -1);
		g_ptr_array_add(pairs, g_strdup_printf(" %s=\"%s\"", attrs[i], value));
	}
	g_ptr_array_sort(pairs, test_compare_str);
	g_string_append_printf(out, "<%s", xmpp_stanza_get_name(stanza));
	for (guint i = 0; i < pairs->len; i++)
		g_string_append(out, g_ptr_array_index(pairs, i));
	if (xmpp_stanza_get_children(stanza) == NULL) {
		g_string_append(out, "/>");
		return;
	}
	g_string_append(out, ">");
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(stanza); c != NULL;
	     c = xmpp_stanza_get_next(c))
		test_canon(c, out);
	g_string_append_printf(out, "</%s>", xmpp_stanza_get_name(stanza));
}

static void
test_assert_xml(xmpp_stanza_t *stanza, const gchar *expected)
{
	g_autoptr(GString) out = g_string_new(NULL);
	ck_assert_ptr_nonnull(stanza);
	test_canon(stanza, out);
	ck_assert_str_eq(out->str, expected);
}

static IgwIotRequest *
test_decode_with(const gchar *xml, const IgwIotCodec *expected)
{
	xmpp_stanza_t *stanza = test_stanza(xml);
	const IgwIotCodec *codec = igw_iot_codec_find(stanza);
	g_autoptr(GError) error = NULL;
	IgwIotRequest *request;
	ck_assert_ptr_eq(codec, expected);
	request = codec->decode(stanza, &error);
	ck_assert_msg(request != NULL, "%s: %s", xml, error != NULL ? error->message : "?");
	xmpp_stanza_release(stanza);
	return request;
}

static IgwIotRequest *
test_decode(const gchar *xml)
{
	return test_decode_with(xml, igw_iot_codec_xsf());
}

static void
test_assert_refused(const gchar *xml, gint code)
{
	xmpp_stanza_t *stanza = test_stanza(xml);
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwIotRequest) request = igw_iot_codec_find(stanza)->decode(stanza, &error);
	ck_assert_ptr_null(request);
	ck_assert_msg(g_error_matches(error, IGW_ERROR, code), "%s: %s", xml,
		      error != NULL ? error->message : "no error");
	xmpp_stanza_release(stanza);
}

/* captured from slixmpp 1.8.3, testing.md Part A §2.2 */
START_TEST(test_iot_decode_slixmpp_req)
{
	g_autoptr(IgwIotRequest) r = test_decode(
	    "<iq id=\"1\" from=\"alice@localhost/ctl\" to=\"sensor@localhost/device\" type=\"get\">"
	    "<req xmlns=\"urn:xmpp:iot:sensordata\" seqnr=\"1\" momentary=\"true\" /></iq>");
	ck_assert_int_eq(r->kind, IGW_IOT_REQUEST_READ);
	ck_assert_str_eq(r->seqnr, "1");
	ck_assert_str_eq(r->requester, "alice@localhost/ctl");
	ck_assert_uint_eq(r->categories, IGW_FIELD_CATEGORY_MOMENTARY);
	ck_assert_ptr_null(r->fields);
	ck_assert_ptr_null(r->nodes);
	ck_assert_int_eq(r->from, 0);
	ck_assert(!r->has_when);
}
END_TEST

START_TEST(test_iot_decode_filters)
{
	g_autoptr(IgwIotRequest) r = test_decode(
	    "<iq id=\"3\" from=\"alice@localhost/ctl\" type=\"get\"><req xmlns=\"" SD
	    "\" seqnr=\"3\" "
	    "momentary=\"true\" status=\"true\"><node nodeId=\"temp1\"/><field name=\"Relay\" />"
	    "<field name=\"Temperature\"/></req></iq>");
	ck_assert_uint_eq(r->categories, IGW_FIELD_CATEGORY_MOMENTARY | IGW_FIELD_CATEGORY_STATUS);
	ck_assert_uint_eq(g_strv_length(r->nodes), 1);
	ck_assert_str_eq(r->nodes[0], "temp1");
	ck_assert_uint_eq(g_strv_length(r->fields), 2);
	ck_assert_str_eq(r->fields[0], "Relay");
	ck_assert_str_eq(r->fields[1], "Temperature");
}
END_TEST

/*
 * XEP-0323 §3.1 momentary and §3.3 status, urn:nf:iot:sd:1.0 m and s: a
 * writable field filed as status answers both, in each dialect
 */
START_TEST(test_iot_actuator_categories)
{
	g_autoptr(IgwField) on = igw_field_new("on", IGW_FIELD_TYPE_BOOLEAN);
	g_autoptr(IgwIotRequest) xsf =
	    test_decode("<iq id=\"1\" from=\"alice@localhost/ctl\" type=\"get\">"
			"<req xmlns=\"" SD "\" seqnr=\"1\" momentary=\"true\"/></iq>");
	g_autoptr(IgwIotRequest) nf =
	    test_decode_with("<iq id=\"2\" from=\"alice@localhost/ctl\" type=\"get\">"
			     "<req xmlns=\"urn:nf:iot:sd:1.0\" id=\"n1\" m=\"true\"/></iq>",
			     igw_iot_codec_nf());
	g_autoptr(IgwIotRequest) status =
	    test_decode("<iq id=\"3\" from=\"alice@localhost/ctl\" type=\"get\">"
			"<req xmlns=\"" SD "\" seqnr=\"3\" status=\"true\"/></iq>");
	igw_field_set_category(on, IGW_FIELD_CATEGORY_STATUS);
	igw_field_set_writable(on, TRUE);
	ck_assert(igw_iot_request_wants_field(xsf, on));
	ck_assert(igw_iot_request_wants_field(nf, on));
	ck_assert(igw_iot_request_wants_field(status, on));
	/* a read-only status field stays out of a momentary readout */
	igw_field_set_writable(on, FALSE);
	ck_assert(!igw_iot_request_wants_field(xsf, on));
	ck_assert(!igw_iot_request_wants_field(nf, on));
}
END_TEST

START_TEST(test_iot_decode_historical)
{
	g_autoptr(IgwIotRequest) r =
	    test_decode("<iq id=\"2\" from=\"a@b/c\" type=\"get\"><req xmlns=\"" SD
			"\" seqnr=\"7\" historical=\"true\" "
			"from=\"2026-11-21T21:15:37\" to=\"2026-11-21T22:15:37Z\" "
			"when=\"2026-11-22T00:00:00\"/></iq>");
	ck_assert_uint_eq(r->categories, IGW_IOT_CATEGORY_HISTORICAL);
	ck_assert_int_eq(r->from, TEST_TIME_US);
	ck_assert_int_eq(r->to, TEST_TIME_US + G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC);
	ck_assert(r->has_when);
}
END_TEST

START_TEST(test_iot_decode_cancel)
{
	g_autoptr(IgwIotRequest) r = test_decode(
	    "<iq id=\"4\" from=\"a@b/c\" type=\"get\"><cancel xmlns=\"" SD "\" seqnr=\"4\"/></iq>");
	ck_assert_int_eq(r->kind, IGW_IOT_REQUEST_CANCEL);
	ck_assert_str_eq(r->seqnr, "4");
}
END_TEST

START_TEST(test_iot_decode_set)
{
	g_autoptr(IgwIotRequest) r = test_decode(
	    "<iq id=\"1\" from=\"alice@localhost/ctl\" to=\"sensor@localhost/device\" type=\"set\">"
	    "<set xmlns=\"urn:xmpp:iot:control\"><node nodeId=\"Device22\" />"
	    "<boolean name=\"Relay\" value=\"true\" /></set></iq>");
	g_autoptr(IgwIotRequest) m = test_decode(
	    "<message id=\"4b91\" from=\"alice@localhost/ctl\" to=\"sensor@localhost/device\">"
	    "<set xmlns=\"urn:xmpp:iot:control\"><double name=\"Setpoint\" value=\"21.5\" "
	    "/></set></message>");
	const IgwControlParam *p;
	ck_assert_int_eq(r->kind, IGW_IOT_REQUEST_SET);
	ck_assert(!r->message);
	ck_assert_str_eq(r->nodes[0], "Device22");
	ck_assert_uint_eq(r->params->len, 1);
	p = g_ptr_array_index(r->params, 0);
	ck_assert_str_eq(p->name, "Relay");
	ck_assert_str_eq(p->type, "boolean");
	ck_assert_str_eq(p->text, "true");
	ck_assert(m->message);
	p = g_ptr_array_index(m->params, 0);
	ck_assert_str_eq(p->type, "double");
	ck_assert_str_eq(p->text, "21.5");
}
END_TEST

START_TEST(test_iot_decode_errors)
{
	xmpp_stanza_t *plain =
	    test_stanza("<iq type=\"get\" id=\"1\"><query xmlns=\"jabber:iq:version\"/></iq>");
	ck_assert_ptr_null(igw_iot_codec_find(plain));
	xmpp_stanza_release(plain);
	test_assert_refused("<iq type=\"get\"><req xmlns=\"" SD "\" momentary=\"true\"/></iq>",
			    IGW_ERROR_INVALID_DATA);
	test_assert_refused("<iq type=\"get\"><req xmlns=\"" SD
			    "\" seqnr=\"1\" from=\"yesterday\"/></iq>",
			    IGW_ERROR_INVALID_DATA);
	test_assert_refused("<iq type=\"set\"><set xmlns=\"" CTR
			    "\"><node nodeId=\"x\"/></set></iq>",
			    IGW_ERROR_INVALID_DATA);
	test_assert_refused("<iq type=\"set\"><set xmlns=\"" CTR
			    "\"><boolean name=\"on\"/></set></iq>",
			    IGW_ERROR_INVALID_DATA);
	test_assert_refused("<iq type=\"set\"><set xmlns=\"" CTR
			    "\"><blob name=\"a\" value=\"1\"/></set></iq>",
			    IGW_ERROR_NOT_SUPPORTED);
	test_assert_refused("<message><getForm xmlns=\"" CTR "\"/></message>",
			    IGW_ERROR_NOT_SUPPORTED);
	test_assert_refused("<iq type=\"get\"><getForm xmlns=\"" SD "\"/></iq>",
			    IGW_ERROR_NOT_SUPPORTED);
	test_assert_refused("<iq type=\"get\"><req xmlns=\"" CTR "\" seqnr=\"1\"/></iq>",
			    IGW_ERROR_NOT_SUPPORTED);
}
END_TEST

static xmpp_stanza_t *
test_encode(const gchar *request_xml, const IgwIotEvent *event)
{
	xmpp_stanza_t *request = test_stanza(request_xml);
	xmpp_stanza_t *out = igw_iot_codec_find(request)->encode(request, event);
	xmpp_stanza_release(request);
	return out;
}

#define TEST_REQ                                                                                   \
	"<iq id=\"2\" from=\"alice@localhost/ctl\" to=\"sensor@localhost/device\" type=\"get\">"   \
	"<req xmlns=\"" SD "\" seqnr=\"2\" momentary=\"true\"/></iq>"
#define TEST_SET                                                                                   \
	"<iq id=\"1\" from=\"alice@localhost/ctl\" to=\"sensor@localhost/device\" type=\"set\">"   \
	"<set xmlns=\"" CTR "\"><int name=\"NoSuchField\" value=\"1\"/></set></iq>"

START_TEST(test_iot_encode_replies)
{
	g_autoptr(IgwIotEvent) accepted = igw_iot_event_new(IGW_IOT_EVENT_ACCEPTED, "2");
	g_autoptr(IgwIotEvent) cancelled = igw_iot_event_new(IGW_IOT_EVENT_CANCELLED, "2");
	g_autoptr(IgwIotEvent) ok = igw_iot_event_new(IGW_IOT_EVENT_SET_OK, NULL);
	g_autoptr(xmpp_stanza_t) a = test_encode(TEST_REQ, accepted);
	g_autoptr(xmpp_stanza_t) c = NULL;
	g_autoptr(xmpp_stanza_t) o = test_encode(TEST_SET, ok);
	test_assert_xml(a, "<iq id=\"2\" to=\"alice@localhost/ctl\" "
			   "type=\"result\"><accepted seqnr=\"2\" xmlns=\"" SD "\"/></iq>");
	cancelled->queued = FALSE;
	c = test_encode(TEST_REQ, cancelled);
	test_assert_xml(c, "<iq id=\"2\" to=\"alice@localhost/ctl\" "
			   "type=\"result\"><cancelled seqnr=\"2\" xmlns=\"" SD "\"/></iq>");
	test_assert_xml(o, "<iq id=\"1\" to=\"alice@localhost/ctl\" "
			   "type=\"result\"><setResponse responseCode=\"OK\" xmlns=\"" CTR
			   "\"/></iq>");
}
END_TEST

/* the v0.2 <rejected> for slixmpp beside the RFC 6120 error for everyone else */
START_TEST(test_iot_encode_rejected)
{
	g_autoptr(IgwIotEvent) event = igw_iot_event_new(IGW_IOT_EVENT_REJECTED, "2");
	g_autoptr(xmpp_stanza_t) out = NULL;
	event->condition = IGW_IOT_CONDITION_ITEM_NOT_FOUND;
	event->text = g_strdup("Invalid nodeId NoSuchNode");
	out = test_encode(TEST_REQ, event);
	test_assert_xml(
	    out,
	    "<iq id=\"2\" to=\"alice@localhost/ctl\" type=\"error\">"
	    "<error type=\"cancel\"><item-not-found xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
	    "<text xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\">Invalid nodeId "
	    "NoSuchNode</text></error>"
	    "<rejected seqnr=\"2\" xmlns=\"" SD
	    "\"><error>Invalid nodeId NoSuchNode</error></rejected></iq>");
}
END_TEST

START_TEST(test_iot_encode_set_error)
{
	g_autoptr(IgwIotEvent) event = igw_iot_event_new(IGW_IOT_EVENT_SET_ERROR, NULL);
	g_autoptr(xmpp_stanza_t) out = NULL;
	event->condition = IGW_IOT_CONDITION_ITEM_NOT_FOUND;
	event->text = g_strdup("Invalid field NoSuchField");
	event->param = g_strdup("NoSuchField");
	out = test_encode(TEST_SET, event);
	test_assert_xml(
	    out,
	    "<iq id=\"1\" to=\"alice@localhost/ctl\" type=\"error\">"
	    "<error type=\"cancel\"><item-not-found xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
	    "<text xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\">Invalid field NoSuchField</text>"
	    "<paramError var=\"NoSuchField\" xmlns=\"" CTR
	    "\">Invalid field NoSuchField</paramError>"
	    "</error><setResponse responseCode=\"NotFound\" xmlns=\"" CTR "\">"
	    "<parameter name=\"NoSuchField\"/><error var=\"NoSuchField\">Invalid field "
	    "NoSuchField</error>"
	    "</setResponse></iq>");
}
END_TEST

static IgwThing *
test_thing(void)
{
	IgwThing *thing = igw_thing_new("sim:kitchen", "sim");
	g_autoptr(IgwField) temperature = igw_field_new("temperature", IGW_FIELD_TYPE_NUMERIC);
	g_autoptr(IgwField) relay = igw_field_new("relay", IGW_FIELD_TYPE_BOOLEAN);
	g_autoptr(IgwField) battery = igw_field_new("battery", IGW_FIELD_TYPE_INTEGER);
	g_autoptr(IgwField) uptime = igw_field_new("uptime", IGW_FIELD_TYPE_DURATION);
	igw_field_set_unit(temperature, "°C");
	igw_field_set_decimals(temperature, 1);
	igw_field_set_unit(battery, "%");
	igw_field_set_category(battery, IGW_FIELD_CATEGORY_STATUS);
	igw_thing_add_field(thing, temperature);
	igw_thing_add_field(thing, relay);
	igw_thing_add_field(thing, battery);
	igw_thing_add_field(thing, uptime);
	return thing;
}

static void
test_add_reading(IgwIotEvent *event, const gchar *field, GVariant *value, gint64 ts,
		 IgwReadingFlags flags)
{
	IgwReading *reading = igw_reading_new("sim:kitchen", field, value, ts);
	igw_reading_set_flags(reading, flags);
	g_ptr_array_add(event->readings, reading);
}

/* slixmpp's field types only: an integer goes out as numeric, a duration as timeSpan */
START_TEST(test_iot_encode_fields)
{
	g_autoptr(IgwThing) thing = test_thing();
	g_autoptr(IgwIotEvent) event = igw_iot_event_new(IGW_IOT_EVENT_FIELDS, "1");
	g_autoptr(xmpp_stanza_t) out = NULL;
	event->thing = thing;
	event->done = TRUE;
	test_add_reading(event, "temperature", g_variant_new_double(23.44), TEST_TIME_US,
			 IGW_READING_FLAG_AUTOMATIC_READOUT);
	test_add_reading(event, "relay", g_variant_new_boolean(FALSE), TEST_TIME_US, 0);
	test_add_reading(event, "battery", g_variant_new_int64(97), TEST_TIME_US + G_USEC_PER_SEC,
			 0);
	test_add_reading(event, "uptime", g_variant_new_int64(90 * G_USEC_PER_SEC),
			 TEST_TIME_US + G_USEC_PER_SEC, 0);
	test_add_reading(event, "gone", g_variant_new_int64(1), TEST_TIME_US + G_USEC_PER_SEC, 0);
	out = test_encode(TEST_REQ, event);
	test_assert_xml(
	    out, "<message to=\"alice@localhost/ctl\">"
		 "<fields done=\"true\" seqnr=\"1\" xmlns=\"" SD "\"><node nodeId=\"sim:kitchen\">"
		 "<timestamp value=\"2026-11-21T21:15:37Z\">"
		 "<numeric automaticReadout=\"true\" momentary=\"true\" name=\"temperature\" "
		 "unit=\"°C\" "
		 "value=\"23.4\"/><boolean momentary=\"true\" name=\"relay\" "
		 "value=\"false\"/></timestamp>"
		 "<timestamp value=\"2026-11-21T21:15:38Z\">"
		 "<numeric name=\"battery\" status=\"true\" unit=\"%\" value=\"97\"/>"
		 "<timeSpan momentary=\"true\" name=\"uptime\" value=\"PT90S\"/></timestamp>"
		 "</node></fields></message>");
}
END_TEST

START_TEST(test_iot_encode_failure)
{
	g_autoptr(IgwIotEvent) event = igw_iot_event_new(IGW_IOT_EVENT_FAILURE, "5");
	g_autoptr(IgwIotEvent) empty = igw_iot_event_new(IGW_IOT_EVENT_FIELDS, "6");
	g_autoptr(xmpp_stanza_t) out = NULL;
	g_autoptr(xmpp_stanza_t) none = NULL;
	event->done = TRUE;
	event->text = g_strdup("no history is kept");
	out = test_encode(TEST_REQ, event);
	test_assert_xml(out,
			"<message to=\"alice@localhost/ctl\"><failure done=\"true\" seqnr=\"5\" "
			"xmlns=\"" SD "\"><error>no history is kept</error></failure></message>");
	empty->done = TRUE;
	none = test_encode(TEST_REQ, empty);
	test_assert_xml(none,
			"<message to=\"alice@localhost/ctl\"><fields done=\"true\" seqnr=\"6\" "
			"xmlns=\"" SD "\"/></message>");
}
END_TEST

/* urn:nf:iot:*, interop.md §2 */
#define NF_REQ                                                                                     \
	"<iq id=\"a1\" from=\"alice@localhost/nf\" type=\"get\"><req xmlns=\"" NFSD                \
	"\" id=\"r1\" "                                                                            \
	"m=\"true\" s=\"true\"><nd id=\"sim:kitchen\"/><f n=\"temperature\"/></req></iq>"
#define NF_SET                                                                                     \
	"<iq id=\"a2\" from=\"alice@localhost/nf\" type=\"set\"><set xmlns=\"" NFCTR "\">"         \
	"<nd id=\"sim:lamp\"/><b n=\"on\" v=\"true\"/><db n=\"level\" v=\"1.5\"/></set></iq>"

START_TEST(test_iot_nf_decode)
{
	g_autoptr(IgwIotRequest) r = test_decode_with(NF_REQ, igw_iot_codec_nf());
	g_autoptr(IgwIotRequest) h =
	    test_decode_with("<iq id=\"a3\" from=\"a@b/c\" type=\"get\"><req xmlns=\"" NFSD
			     "\" id=\"r2\" h=\"true\" "
			     "from=\"2026-11-21T21:15:37Z\"/></iq>",
			     igw_iot_codec_nf());
	g_autoptr(IgwIotRequest) set = test_decode_with(NF_SET, igw_iot_codec_nf());
	const IgwControlParam *p;
	ck_assert_int_eq(r->kind, IGW_IOT_REQUEST_READ);
	ck_assert_str_eq(r->seqnr, "r1");
	ck_assert_uint_eq(r->categories, IGW_FIELD_CATEGORY_MOMENTARY | IGW_FIELD_CATEGORY_STATUS);
	ck_assert_str_eq(r->nodes[0], "sim:kitchen");
	ck_assert_str_eq(r->fields[0], "temperature");
	ck_assert_uint_eq(h->categories, IGW_IOT_CATEGORY_HISTORICAL);
	ck_assert_int_eq(h->from, TEST_TIME_US);
	ck_assert_int_eq(set->kind, IGW_IOT_REQUEST_SET);
	ck_assert_str_eq(set->nodes[0], "sim:lamp");
	ck_assert_uint_eq(set->params->len, 2);
	p = g_ptr_array_index(set->params, 0);
	ck_assert_str_eq(p->type, "boolean");
	ck_assert_str_eq(p->name, "on");
	p = g_ptr_array_index(set->params, 1);
	ck_assert_str_eq(p->type, "double");
	ck_assert_str_eq(p->text, "1.5");
	test_assert_refused("<iq type=\"get\"><req xmlns=\"" NFSD "\" m=\"true\"/></iq>",
			    IGW_ERROR_INVALID_DATA);
	test_assert_refused("<iq type=\"set\"><set xmlns=\"" NFCTR
			    "\"><zz n=\"a\" v=\"1\"/></set></iq>",
			    IGW_ERROR_NOT_SUPPORTED);
	test_assert_refused("<message><getForm xmlns=\"" NFCTR "\"/></message>",
			    IGW_ERROR_NOT_SUPPORTED);
}
END_TEST

START_TEST(test_iot_nf_encode)
{
	g_autoptr(IgwThing) thing = test_thing();
	g_autoptr(IgwIotEvent) accepted = igw_iot_event_new(IGW_IOT_EVENT_ACCEPTED, "r1");
	g_autoptr(IgwIotEvent) fields = igw_iot_event_new(IGW_IOT_EVENT_FIELDS, "r1");
	g_autoptr(IgwIotEvent) done = igw_iot_event_new(IGW_IOT_EVENT_DONE, "r1");
	g_autoptr(xmpp_stanza_t) a = test_encode(NF_REQ, accepted);
	g_autoptr(xmpp_stanza_t) f = NULL;
	g_autoptr(xmpp_stanza_t) d = test_encode(NF_REQ, done);
	test_assert_xml(a, "<iq id=\"a1\" to=\"alice@localhost/nf\" type=\"result\">"
			   "<accepted id=\"r1\" xmlns=\"" NFSD "\"/></iq>");
	fields->thing = thing;
	test_add_reading(fields, "temperature", g_variant_new_double(23.44), TEST_TIME_US,
			 IGW_READING_FLAG_AUTOMATIC_READOUT);
	test_add_reading(fields, "battery", g_variant_new_int64(97), TEST_TIME_US, 0);
	f = test_encode(NF_REQ, fields);
	test_assert_xml(f,
			"<message to=\"alice@localhost/nf\"><resp id=\"r1\" more=\"true\" "
			"xmlns=\"" NFSD "\"><nd id=\"sim:kitchen\"><ts v=\"2026-11-21T21:15:37Z\">"
			"<q ar=\"true\" d=\"1\" m=\"true\" n=\"temperature\" u=\"°C\" v=\"23.4\"/>"
			"<l n=\"battery\" s=\"true\" v=\"97\"/></ts></nd></resp></message>");
	test_assert_xml(d, "<message to=\"alice@localhost/nf\"><done id=\"r1\" xmlns=\"" NFSD
			   "\"/></message>");
}
END_TEST

START_TEST(test_iot_nf_encode_errors)
{
	g_autoptr(IgwIotEvent) ok = igw_iot_event_new(IGW_IOT_EVENT_SET_OK, NULL);
	g_autoptr(IgwIotEvent) bad = igw_iot_event_new(IGW_IOT_EVENT_SET_ERROR, NULL);
	g_autoptr(IgwIotEvent) denied = igw_iot_event_new(IGW_IOT_EVENT_REJECTED, "r1");
	g_autoptr(xmpp_stanza_t) o = test_encode(NF_SET, ok);
	g_autoptr(xmpp_stanza_t) b = NULL;
	g_autoptr(xmpp_stanza_t) r = NULL;
	test_assert_xml(o, "<iq id=\"a2\" to=\"alice@localhost/nf\" type=\"result\">"
			   "<resp xmlns=\"" NFCTR "\"/></iq>");
	bad->condition = IGW_IOT_CONDITION_BAD_REQUEST;
	bad->text = g_strdup("Invalid parameter type.");
	bad->param = g_strdup("level");
	b = test_encode(NF_SET, bad);
	test_assert_xml(
	    b, "<iq id=\"a2\" to=\"alice@localhost/nf\" type=\"error\"><error type=\"modify\">"
	       "<bad-request xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
	       "<text xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\">Invalid parameter type.</text>"
	       "<paramError n=\"level\" xmlns=\"" NFCTR "\">Invalid parameter type.</paramError>"
	       "</error></iq>");
	denied->condition = IGW_IOT_CONDITION_FORBIDDEN;
	denied->text = g_strdup("Access denied.");
	r = test_encode(NF_REQ, denied);
	test_assert_xml(
	    r, "<iq id=\"a1\" to=\"alice@localhost/nf\" type=\"error\"><error type=\"auth\">"
	       "<forbidden xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
	       "<text xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\">Access "
	       "denied.</text></error></iq>");
}
END_TEST

/* a readout that waits for the device: queued, started, then fields or the failure (interop §3.2) */
#define TEST_CANCEL                                                                                \
	"<iq id=\"9\" from=\"alice@localhost/ctl\" to=\"sensor@localhost/device\" type=\"get\">"   \
	"<cancel xmlns=\"" SD "\" seqnr=\"2\"/></iq>"

START_TEST(test_iot_encode_queued)
{
	g_autoptr(IgwIotEvent) accepted = igw_iot_event_new(IGW_IOT_EVENT_ACCEPTED, "2");
	g_autoptr(IgwIotEvent) started = igw_iot_event_new(IGW_IOT_EVENT_STARTED, "2");
	g_autoptr(IgwIotEvent) failure = igw_iot_event_new(IGW_IOT_EVENT_FAILURE, "2");
	g_autoptr(IgwIotEvent) done = igw_iot_event_new(IGW_IOT_EVENT_DONE, "2");
	g_autoptr(IgwIotEvent) cancelled = igw_iot_event_new(IGW_IOT_EVENT_CANCELLED, "2");
	g_autoptr(IgwIotEvent) unknown = igw_iot_event_new(IGW_IOT_EVENT_REJECTED, "2");
	g_autoptr(xmpp_stanza_t) a = NULL;
	g_autoptr(xmpp_stanza_t) st = test_encode(TEST_REQ, started);
	g_autoptr(xmpp_stanza_t) f = NULL;
	g_autoptr(xmpp_stanza_t) c = test_encode(TEST_CANCEL, cancelled);
	g_autoptr(xmpp_stanza_t) r = NULL;
	accepted->queued = TRUE;
	a = test_encode(TEST_REQ, accepted);
	test_assert_xml(a, "<iq id=\"2\" to=\"alice@localhost/ctl\" type=\"result\">"
			   "<accepted queued=\"true\" seqnr=\"2\" xmlns=\"" SD "\"/></iq>");
	test_assert_xml(st, "<message to=\"alice@localhost/ctl\"><started seqnr=\"2\" "
			    "xmlns=\"" SD "\"/></message>");
	failure->done = TRUE;
	failure->text = g_strdup("plugin sim: no answer from sim:slow within 10000 ms");
	f = test_encode(TEST_REQ, failure);
	test_assert_xml(f, "<message to=\"alice@localhost/ctl\"><failure done=\"true\" seqnr=\"2\" "
			   "xmlns=\"" SD "\"><error>plugin sim: no answer from sim:slow within "
			   "10000 ms</error></failure></message>");
	/* done='true' on the failure said it already */
	ck_assert_ptr_null(test_encode(TEST_REQ, done));
	test_assert_xml(c, "<iq id=\"9\" to=\"alice@localhost/ctl\" type=\"result\">"
			   "<cancelled seqnr=\"2\" xmlns=\"" SD "\"/></iq>");
	unknown->condition = IGW_IOT_CONDITION_ITEM_NOT_FOUND;
	unknown->text = g_strdup("No readout 2 in progress");
	r = test_encode(TEST_CANCEL, unknown);
	test_assert_xml(
	    r,
	    "<iq id=\"9\" to=\"alice@localhost/ctl\" type=\"error\">"
	    "<error type=\"cancel\"><item-not-found xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
	    "<text xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\">No readout 2 in "
	    "progress</text></error>"
	    "<rejected seqnr=\"2\" xmlns=\"" SD
	    "\"><error>No readout 2 in progress</error></rejected></iq>");
}
END_TEST

START_TEST(test_iot_nf_encode_queued)
{
	g_autoptr(IgwIotEvent) accepted = igw_iot_event_new(IGW_IOT_EVENT_ACCEPTED, "r1");
	g_autoptr(IgwIotEvent) started = igw_iot_event_new(IGW_IOT_EVENT_STARTED, "r1");
	g_autoptr(IgwIotEvent) failure = igw_iot_event_new(IGW_IOT_EVENT_FAILURE, "r1");
	g_autoptr(IgwIotEvent) done = igw_iot_event_new(IGW_IOT_EVENT_DONE, "r1");
	g_autoptr(xmpp_stanza_t) a = NULL;
	g_autoptr(xmpp_stanza_t) st = test_encode(NF_REQ, started);
	g_autoptr(xmpp_stanza_t) f = NULL;
	g_autoptr(xmpp_stanza_t) d = test_encode(NF_REQ, done);
	accepted->queued = TRUE;
	a = test_encode(NF_REQ, accepted);
	test_assert_xml(a, "<iq id=\"a1\" to=\"alice@localhost/nf\" type=\"result\">"
			   "<accepted id=\"r1\" queued=\"true\" xmlns=\"" NFSD "\"/></iq>");
	test_assert_xml(st, "<message to=\"alice@localhost/nf\"><started id=\"r1\" "
			    "xmlns=\"" NFSD "\"/></message>");
	/* interop §2: the error inside <resp>, then <done/> on its own */
	failure->done = TRUE;
	failure->text = g_strdup("device unreachable");
	f = test_encode(NF_REQ, failure);
	test_assert_xml(f, "<message to=\"alice@localhost/nf\"><resp id=\"r1\" xmlns=\"" NFSD "\">"
			   "<err>device unreachable</err></resp></message>");
	test_assert_xml(d, "<message to=\"alice@localhost/nf\"><done id=\"r1\" xmlns=\"" NFSD
			   "\"/></message>");
}
END_TEST

/* XEP-0325 getForm, both dialects: the request carries nothing but its namespace */
START_TEST(test_iot_decode_get_form)
{
	g_autoptr(IgwIotRequest) x =
	    test_decode("<iq id=\"3\" from=\"primary@example.org/amr\" type=\"get\">"
			"<getForm xmlns=\"urn:xmpp:iot:control\" xml:lang=\"en\"/></iq>");
	g_autoptr(IgwIotRequest) n = test_decode_with(
	    "<iq id=\"a6\" from=\"a@b/c\" type=\"get\"><getForm xmlns=\"" NFCTR "\"/></iq>",
	    igw_iot_codec_nf());
	ck_assert_int_eq(x->kind, IGW_IOT_REQUEST_GET_FORM);
	ck_assert_str_eq(x->requester, "primary@example.org/amr");
	ck_assert_uint_eq(x->params->len, 0);
	ck_assert_int_eq(n->kind, IGW_IOT_REQUEST_GET_FORM);
	ck_assert_str_eq(n->requester, "a@b/c");
}
END_TEST

/* the sim lamp's fields, plus the types a form has other widgets for */
static IgwThing *
test_lamp(void)
{
	IgwThing *thing = igw_thing_new("sim:lamp", "sim");
	g_autoptr(IgwField) on = igw_field_new("on", IGW_FIELD_TYPE_BOOLEAN);
	g_autoptr(IgwField) brightness = igw_field_new("brightness", IGW_FIELD_TYPE_INTEGER);
	g_autoptr(IgwField) level = igw_field_new("level", IGW_FIELD_TYPE_NUMERIC);
	g_autoptr(IgwField) mode = igw_field_new("mode", IGW_FIELD_TYPE_ENUM);
	g_autoptr(IgwField) label = igw_field_new("label", IGW_FIELD_TYPE_STRING);
	g_autoptr(IgwField) power = igw_field_new("power", IGW_FIELD_TYPE_NUMERIC);
	const gchar *const modes[] = {"warm", "cold", NULL};
	igw_thing_set_name(thing, "Lamp");
	igw_field_set_writable(on, TRUE);
	igw_field_set_writable(brightness, TRUE);
	igw_field_set_unit(brightness, "%");
	igw_field_set_range(brightness, 0, 100);
	igw_field_set_writable(level, TRUE);
	igw_field_set_decimals(level, 1);
	igw_field_set_range(level, -2.5, 2.5);
	igw_field_set_writable(mode, TRUE);
	igw_field_set_enum_values(mode, modes);
	igw_field_set_writable(label, TRUE);
	igw_field_set_unit(power, "W");
	igw_thing_add_field(thing, on);
	igw_thing_add_field(thing, brightness);
	igw_thing_add_field(thing, level);
	igw_thing_add_field(thing, mode);
	igw_thing_add_field(thing, label);
	igw_thing_add_field(thing, power);
	return thing;
}

#define TEST_FORM_XML                                                                              \
	"<x type=\"form\" xmlns=\"jabber:x:data\"><title>Lamp</title>"                             \
	"<field label=\"on\" type=\"boolean\" var=\"on\"><value>true</value></field>"              \
	"<field label=\"brightness (%)\" type=\"text-single\" "                                    \
	"var=\"brightness\"><value>80</value>"                                                     \
	"<validate datatype=\"xs:integer\" xmlns=\"http://jabber.org/protocol/xdata-validate\">"   \
	"<range max=\"100\" min=\"0\"/></validate></field>"                                        \
	"<field label=\"level\" type=\"text-single\" var=\"level\"><value>-1.3</value>"            \
	"<validate datatype=\"xs:double\" xmlns=\"http://jabber.org/protocol/xdata-validate\">"    \
	"<range max=\"2.5\" min=\"-2.5\"/></validate></field>"                                     \
	"<field label=\"mode\" type=\"list-single\" var=\"mode\">"                                 \
	"<option label=\"warm\"><value>warm</value></option>"                                      \
	"<option label=\"cold\"><value>cold</value></option></field>"                              \
	"<field label=\"label\" type=\"text-single\" var=\"label\"/></x>"

/* writable fields only, typed per XEP-0004/0122, current values where known; both dialects alike */
START_TEST(test_iot_encode_form)
{
	g_autoptr(IgwThing) thing = test_lamp();
	g_autoptr(IgwIotEvent) event = igw_iot_event_new(IGW_IOT_EVENT_FORM, NULL);
	g_autoptr(IgwIotEvent) empty = igw_iot_event_new(IGW_IOT_EVENT_FORM, NULL);
	g_autoptr(xmpp_stanza_t) x = NULL;
	g_autoptr(xmpp_stanza_t) n = NULL;
	g_autoptr(xmpp_stanza_t) e = NULL;
	event->thing = thing;
	g_ptr_array_add(
	    event->readings,
	    igw_reading_new("sim:lamp", "on", g_variant_new_boolean(TRUE), TEST_TIME_US));
	g_ptr_array_add(event->readings, igw_reading_new("sim:lamp", "brightness",
							 g_variant_new_int64(80), TEST_TIME_US));
	g_ptr_array_add(
	    event->readings,
	    igw_reading_new("sim:lamp", "level", g_variant_new_double(-1.26), TEST_TIME_US));
	x = test_encode("<iq id=\"3\" from=\"primary@example.org/amr\" type=\"get\">"
			"<getForm xmlns=\"" CTR "\"/></iq>",
			event);
	test_assert_xml(x,
			"<iq id=\"3\" to=\"primary@example.org/amr\" type=\"result\">" TEST_FORM_XML
			"</iq>");
	/* the profile changes nothing in a form */
	event->profile = IGW_IOT_PROFILE_SMACK;
	n = test_encode(
	    "<iq id=\"a6\" from=\"a@b/c\" type=\"get\"><getForm xmlns=\"" NFCTR "\"/></iq>", event);
	test_assert_xml(n, "<iq id=\"a6\" to=\"a@b/c\" type=\"result\">" TEST_FORM_XML "</iq>");
	e = test_encode(
	    "<iq id=\"4\" from=\"a@b/c\" type=\"get\"><getForm xmlns=\"" CTR "\"/></iq>", empty);
	test_assert_xml(e, "<iq id=\"4\" to=\"a@b/c\" type=\"result\"><x type=\"form\" "
			   "xmlns=\"jabber:x:data\"/></iq>");
}
END_TEST

static IgwIotEvent *
test_profile_fields(IgwThing *thing, IgwIotProfile profile)
{
	IgwIotEvent *event = igw_iot_event_new(IGW_IOT_EVENT_FIELDS, "1");
	event->thing = thing;
	event->done = TRUE;
	event->profile = profile;
	test_add_reading(event, "temperature", g_variant_new_double(23.44), TEST_TIME_US, 0);
	test_add_reading(event, "relay", g_variant_new_boolean(TRUE), TEST_TIME_US, 0);
	test_add_reading(event, "battery", g_variant_new_int64(97), TEST_TIME_US, 0);
	test_add_reading(event, "uptime", g_variant_new_int64(90 * G_USEC_PER_SEC), TEST_TIME_US,
			 0);
	test_add_reading(event, "energy", g_variant_new_int64(G_GINT64_CONSTANT(5000000000)),
			 TEST_TIME_US, 0);
	test_add_reading(event, "power", g_variant_new_double(-41.5), TEST_TIME_US, 0);
	test_add_reading(event, "state", g_variant_new_string("idle"), TEST_TIME_US, 0);
	return event;
}

static IgwThing *
test_profile_thing(void)
{
	IgwThing *thing = test_thing();
	g_autoptr(IgwField) energy = igw_field_new("energy", IGW_FIELD_TYPE_INTEGER);
	g_autoptr(IgwField) power = igw_field_new("power", IGW_FIELD_TYPE_NUMERIC);
	g_autoptr(IgwField) state = igw_field_new("state", IGW_FIELD_TYPE_STRING);
	igw_field_set_unit(energy, "Wh");
	igw_field_set_unit(power, "W");
	igw_field_set_decimals(power, 0);
	igw_field_set_writable(power, TRUE);
	igw_thing_add_field(thing, energy);
	igw_thing_add_field(thing, power);
	igw_thing_add_field(thing, state);
	return thing;
}

#define TEST_FIELDS_HEAD                                                                           \
	"<message to=\"alice@localhost/ctl\"><fields done=\"true\" seqnr=\"1\" xmlns=\"" SD "\">"  \
	"<node nodeId=\"sim:kitchen\"><timestamp value=\"2026-11-21T21:15:37Z\">"
#define TEST_FIELDS_TAIL "</timestamp></node></fields></message>"

/* one readout in each profile's field types */
START_TEST(test_iot_encode_profiles)
{
	g_autoptr(IgwThing) thing = test_profile_thing();
	g_autoptr(IgwIotEvent) slixmpp = test_profile_fields(thing, IGW_IOT_PROFILE_SLIXMPP);
	g_autoptr(IgwIotEvent) xsf = test_profile_fields(thing, IGW_IOT_PROFILE_XSF);
	g_autoptr(IgwIotEvent) smack = test_profile_fields(thing, IGW_IOT_PROFILE_SMACK);
	g_autoptr(xmpp_stanza_t) a = test_encode(TEST_REQ, slixmpp);
	g_autoptr(xmpp_stanza_t) b = test_encode(TEST_REQ, xsf);
	g_autoptr(xmpp_stanza_t) c = test_encode(TEST_REQ, smack);
	/* slixmpp: numeric for every number, timeSpan */
	test_assert_xml(
	    a, TEST_FIELDS_HEAD
	    "<numeric momentary=\"true\" name=\"temperature\" unit=\"°C\" value=\"23.4\"/>"
	    "<boolean momentary=\"true\" name=\"relay\" value=\"true\"/>"
	    "<numeric name=\"battery\" status=\"true\" unit=\"%\" value=\"97\"/>"
	    "<timeSpan momentary=\"true\" name=\"uptime\" value=\"PT90S\"/>"
	    "<numeric momentary=\"true\" name=\"energy\" unit=\"Wh\" value=\"5000000000\"/>"
	    "<numeric momentary=\"true\" name=\"power\" status=\"true\" unit=\"W\" value=\"-42\"/>"
	    "<string momentary=\"true\" name=\"state\" value=\"idle\"/>" TEST_FIELDS_TAIL);
	/* xsf: int and long, duration, writable, unit always on numeric */
	test_assert_xml(
	    b, TEST_FIELDS_HEAD
	    "<numeric momentary=\"true\" name=\"temperature\" unit=\"°C\" value=\"23.4\"/>"
	    "<boolean momentary=\"true\" name=\"relay\" value=\"true\"/>"
	    "<int name=\"battery\" status=\"true\" value=\"97\"/>"
	    "<duration momentary=\"true\" name=\"uptime\" value=\"PT90S\"/>"
	    "<long momentary=\"true\" name=\"energy\" value=\"5000000000\"/>"
	    "<numeric momentary=\"true\" name=\"power\" status=\"true\" unit=\"W\" value=\"-42\" "
	    "writable=\"true\"/>"
	    "<string momentary=\"true\" name=\"state\" value=\"idle\"/>" TEST_FIELDS_TAIL);
	/* smack: int and boolean only; a number with decimals, a long, a duration, a string left out */
	test_assert_xml(c, TEST_FIELDS_HEAD
			"<boolean momentary=\"true\" name=\"relay\" value=\"true\"/>"
			"<int name=\"battery\" status=\"true\" value=\"97\"/>"
			"<int momentary=\"true\" name=\"power\" status=\"true\" "
			"value=\"-42\"/>" TEST_FIELDS_TAIL);
}
END_TEST

/* no empty <timestamp> for readings smack cannot carry */
START_TEST(test_iot_encode_smack_nothing)
{
	g_autoptr(IgwThing) thing = test_profile_thing();
	g_autoptr(IgwIotEvent) event = igw_iot_event_new(IGW_IOT_EVENT_FIELDS, "1");
	g_autoptr(xmpp_stanza_t) out = NULL;
	event->thing = thing;
	event->done = TRUE;
	event->profile = IGW_IOT_PROFILE_SMACK;
	test_add_reading(event, "temperature", g_variant_new_double(23.44), TEST_TIME_US, 0);
	test_add_reading(event, "relay", g_variant_new_boolean(FALSE),
			 TEST_TIME_US + G_USEC_PER_SEC, 0);
	test_add_reading(event, "state", g_variant_new_string("idle"),
			 TEST_TIME_US + G_USEC_PER_SEC, 0);
	test_add_reading(event, "power", g_variant_new_double(1e12),
			 TEST_TIME_US + 2 * G_USEC_PER_SEC, 0);
	out = test_encode(TEST_REQ, event);
	test_assert_xml(out,
			"<message to=\"alice@localhost/ctl\"><fields done=\"true\" seqnr=\"1\" "
			"xmlns=\"" SD "\"><node nodeId=\"sim:kitchen\">"
			"<timestamp value=\"2026-11-21T21:15:38Z\">"
			"<boolean momentary=\"true\" name=\"relay\" value=\"false\"/></timestamp>"
			"</node></fields></message>");
}
END_TEST

/* xsf and smack: standard errors only, an empty setResponse */
START_TEST(test_iot_encode_profile_errors)
{
	g_autoptr(IgwIotEvent) rejected = igw_iot_event_new(IGW_IOT_EVENT_REJECTED, "2");
	g_autoptr(IgwIotEvent) set_error = igw_iot_event_new(IGW_IOT_EVENT_SET_ERROR, NULL);
	g_autoptr(IgwIotEvent) ok = igw_iot_event_new(IGW_IOT_EVENT_SET_OK, NULL);
	const IgwIotProfile profiles[] = {IGW_IOT_PROFILE_XSF, IGW_IOT_PROFILE_SMACK};
	rejected->condition = IGW_IOT_CONDITION_ITEM_NOT_FOUND;
	rejected->text = g_strdup("Invalid field nope");
	set_error->condition = IGW_IOT_CONDITION_ITEM_NOT_FOUND;
	set_error->text = g_strdup("Invalid field NoSuchField");
	set_error->param = g_strdup("NoSuchField");
	for (guint i = 0; i < G_N_ELEMENTS(profiles); i++) {
		g_autoptr(xmpp_stanza_t) r = NULL;
		g_autoptr(xmpp_stanza_t) e = NULL;
		g_autoptr(xmpp_stanza_t) o = NULL;
		rejected->profile = set_error->profile = ok->profile = profiles[i];
		r = test_encode(TEST_REQ, rejected);
		e = test_encode(TEST_SET, set_error);
		o = test_encode(TEST_SET, ok);
		test_assert_xml(
		    r,
		    "<iq id=\"2\" to=\"alice@localhost/ctl\" type=\"error\">"
		    "<error type=\"cancel\"><item-not-found "
		    "xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
		    "<text xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\">Invalid field nope</text>"
		    "</error></iq>");
		test_assert_xml(e, "<iq id=\"1\" to=\"alice@localhost/ctl\" type=\"error\">"
				   "<error type=\"cancel\"><item-not-found "
				   "xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
				   "<text xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\">Invalid "
				   "field NoSuchField</text>"
				   "<paramError var=\"NoSuchField\" xmlns=\"" CTR
				   "\">Invalid field NoSuchField</paramError>"
				   "</error></iq>");
		test_assert_xml(o, "<iq id=\"1\" to=\"alice@localhost/ctl\" type=\"result\">"
				   "<setResponse xmlns=\"" CTR "\"/></iq>");
	}
}
END_TEST

/* nf has one form whatever the profile says */
START_TEST(test_iot_nf_ignores_profile)
{
	g_autoptr(IgwThing) thing = test_thing();
	g_autoptr(IgwIotEvent) fields = igw_iot_event_new(IGW_IOT_EVENT_FIELDS, "r1");
	g_autoptr(xmpp_stanza_t) f = NULL;
	fields->thing = thing;
	fields->done = TRUE;
	fields->profile = IGW_IOT_PROFILE_SMACK;
	test_add_reading(fields, "temperature", g_variant_new_double(23.44), TEST_TIME_US, 0);
	f = test_encode(NF_REQ, fields);
	test_assert_xml(f, "<message to=\"alice@localhost/nf\"><resp id=\"r1\" xmlns=\"" NFSD "\">"
			   "<nd id=\"sim:kitchen\"><ts v=\"2026-11-21T21:15:37Z\">"
			   "<q d=\"1\" m=\"true\" n=\"temperature\" u=\"°C\" "
			   "v=\"23.4\"/></ts></nd></resp></message>");
}
END_TEST

START_TEST(test_iot_profile_names)
{
	IgwIotProfile profile = IGW_IOT_PROFILE_XSF;
	ck_assert(igw_iot_profile_from_string("smack", &profile));
	ck_assert_int_eq(profile, IGW_IOT_PROFILE_SMACK);
	ck_assert(igw_iot_profile_from_string("slixmpp", &profile));
	ck_assert_int_eq(profile, IGW_IOT_PROFILE_SLIXMPP);
	ck_assert(igw_iot_profile_from_string("xsf", &profile));
	ck_assert_int_eq(profile, IGW_IOT_PROFILE_XSF);
	ck_assert(!igw_iot_profile_from_string("Smack", &profile));
	ck_assert(!igw_iot_profile_from_string(NULL, &profile));
	ck_assert_str_eq(igw_iot_profile_to_string(IGW_IOT_PROFILE_SMACK), "smack");
	ck_assert_str_eq(igw_iot_profile_to_string((IgwIotProfile)42), "slixmpp");
}
END_TEST

/* the config takes a profile by name without knowing the protocol: the same names */
START_TEST(test_iot_profile_config_names)
{
	const gchar *const *names = igw_config_get_peer_profile_names();
	IgwIotProfile profile;
	for (guint i = 0; names[i] != NULL; i++)
		ck_assert_msg(igw_iot_profile_from_string(names[i], &profile), "%s", names[i]);
	for (IgwIotProfile p = IGW_IOT_PROFILE_SLIXMPP; p <= IGW_IOT_PROFILE_SMACK; p++)
		ck_assert(g_strv_contains(names, igw_iot_profile_to_string(p)));
	ck_assert_uint_eq(g_strv_length((GStrv)names), IGW_IOT_PROFILE_SMACK + 1);
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	TCase *tc = igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
}

static Suite *
test_iot_suite(void)
{
	Suite *suite = suite_create("iot-codec");
	test_suite_add(suite, "iot/decode-slixmpp-req", test_iot_decode_slixmpp_req);
	test_suite_add(suite, "iot/decode-filters", test_iot_decode_filters);
	test_suite_add(suite, "iot/actuator-categories", test_iot_actuator_categories);
	test_suite_add(suite, "iot/decode-historical", test_iot_decode_historical);
	test_suite_add(suite, "iot/decode-cancel", test_iot_decode_cancel);
	test_suite_add(suite, "iot/decode-set", test_iot_decode_set);
	test_suite_add(suite, "iot/decode-errors", test_iot_decode_errors);
	test_suite_add(suite, "iot/encode-replies", test_iot_encode_replies);
	test_suite_add(suite, "iot/encode-rejected", test_iot_encode_rejected);
	test_suite_add(suite, "iot/encode-set-error", test_iot_encode_set_error);
	test_suite_add(suite, "iot/encode-fields", test_iot_encode_fields);
	test_suite_add(suite, "iot/encode-failure", test_iot_encode_failure);
	test_suite_add(suite, "iot/nf-decode", test_iot_nf_decode);
	test_suite_add(suite, "iot/nf-encode", test_iot_nf_encode);
	test_suite_add(suite, "iot/nf-encode-errors", test_iot_nf_encode_errors);
	test_suite_add(suite, "iot/encode-queued", test_iot_encode_queued);
	test_suite_add(suite, "iot/nf-encode-queued", test_iot_nf_encode_queued);
	test_suite_add(suite, "iot/decode-get-form", test_iot_decode_get_form);
	test_suite_add(suite, "iot/encode-form", test_iot_encode_form);
	test_suite_add(suite, "iot/encode-profiles", test_iot_encode_profiles);
	test_suite_add(suite, "iot/encode-profile-errors", test_iot_encode_profile_errors);
	test_suite_add(suite, "iot/encode-smack-nothing", test_iot_encode_smack_nothing);
	test_suite_add(suite, "iot/nf-ignores-profile", test_iot_nf_ignores_profile);
	test_suite_add(suite, "iot/profile-names", test_iot_profile_names);
	test_suite_add(suite, "iot/profile-config-names", test_iot_profile_config_names);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_iot_suite());
}
