/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestPubsub"

#include "config.h"

#include <string.h>
#include "igw-test.h"

#include "igw-error.h"
#include "igw-pubsub-codec.h"
#include "igw-thing-private.h"
#include "igw-transport.h"

#define TEST_TIMEOUT_SECONDS 10
#define PS "http://jabber.org/protocol/pubsub"
#define UWPX "urn:xmpp:uwpx:iot"
#define STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
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
test_canon(xmpp_stanza_t *stanza, const gchar *parent_ns, GString *out)
{
	const gchar *ns;
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
		g_autofree gchar *value = NULL;
		/* the parser repeats the inherited namespace on every element */
		if (g_strcmp0(attrs[i], "xmlns") == 0 && g_strcmp0(attrs[i + 1], parent_ns) == 0)
			continue;
		value = g_markup_escape_text(attrs[i + 1], -1);
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
	ns = xmpp_stanza_get_ns(stanza) != NULL ? xmpp_stanza_get_ns(stanza) : parent_ns;
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(stanza); c != NULL;
	     c = xmpp_stanza_get_next(c))
		test_canon(c, ns, out);
	g_string_append_printf(out, "</%s>", xmpp_stanza_get_name(stanza));
}

static gchar *
test_canon_str(xmpp_stanza_t *stanza)
{
	GString *out = g_string_new(NULL);
	test_canon(stanza, NULL, out);
	return g_string_free(out, FALSE);
}

/* compares, and checks that the serialised stanza parses back to the same */
static void
test_assert_xml(xmpp_stanza_t *stanza, const gchar *expected)
{
	g_autofree gchar *canon = NULL;
	g_autofree gchar *again = NULL;
	xmpp_stanza_t *reparsed;
	char *text = NULL;
	size_t len = 0;
	ck_assert_ptr_nonnull(stanza);
	canon = test_canon_str(stanza);
	ck_assert_str_eq(canon, expected);
	ck_assert_int_eq(xmpp_stanza_to_text(stanza, &text, &len), XMPP_EOK);
	reparsed = test_stanza(text);
	again = test_canon_str(reparsed);
	ck_assert_str_eq(again, expected);
	xmpp_stanza_release(reparsed);
	xmpp_free(test_ctx, text);
}

static IgwField *
test_field(const gchar *name, IgwFieldType type, const gchar *unit, gboolean writable)
{
	IgwField *field = igw_field_new(name, type);
	igw_field_set_unit(field, unit);
	igw_field_set_writable(field, writable);
	return field;
}

START_TEST(test_pubsub_item_ids)
{
	g_autoptr(IgwField) temp = test_field("temp", IGW_FIELD_TYPE_NUMERIC, "celsius", FALSE);
	g_autoptr(IgwField) on = test_field("powerOn", IGW_FIELD_TYPE_BOOLEAN, NULL, TRUE);
	g_autofree gchar *temp_id = igw_pubsub_field_item_id(temp);
	g_autofree gchar *on_id = igw_pubsub_field_item_id(on);
	const struct {
		const gchar *item_id;
		const gchar *name;
	} names[] = {
	    {"xmpp.iot.sensor.temp", "temp"},
	    {"xmpp.iot.actuator.powerOn", "powerOn"},
	    {"xmpp.iot.actuator.a.b", "a.b"},
	    {"xmpp.iot.sensor.", NULL},
	    {"xmpp.iot.actuator", NULL},
	    {"xmpp.iot.sensors", NULL},
	    {"current", NULL},
	    {"", NULL},
	    {NULL, NULL},
	};
	ck_assert_str_eq(igw_pubsub_field_node(temp), "xmpp.iot.sensors");
	ck_assert_str_eq(igw_pubsub_field_node(on), "xmpp.iot.actuators");
	ck_assert_str_eq(temp_id, "xmpp.iot.sensor.temp");
	ck_assert_str_eq(on_id, "xmpp.iot.actuator.powerOn");
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree gchar *name = igw_pubsub_item_field_name(names[i].item_id);
		ck_assert_msg(g_strcmp0(name, names[i].name) == 0, "%s: %s", names[i].item_id,
			      name != NULL ? name : "(null)");
	}
}
END_TEST

/* the thesis's publish1 (4.4.1), with the published value and options */
START_TEST(test_pubsub_publish_options)
{
	g_autoptr(IgwField) temp = test_field("temp", IGW_FIELD_TYPE_NUMERIC, "celsius", FALSE);
	g_autofree gchar *item_id = NULL;
	g_autoptr(xmpp_stanza_t) iq = NULL;
	igw_field_set_decimals(temp, 2);
	item_id = igw_pubsub_field_item_id(temp);
	iq = igw_pubsub_new_publish(
	    test_ctx, "publish1", NULL, igw_pubsub_field_node(temp), item_id,
	    igw_pubsub_new_val(test_ctx, temp, g_variant_new_double(22.43)), "roster", TRUE);
	test_assert_xml(iq, "<iq id=\"publish1\" type=\"set\">"
			    "<pubsub xmlns=\"" PS "\">"
			    "<publish node=\"xmpp.iot.sensors\"><item id=\"xmpp.iot.sensor.temp\">"
			    "<val type=\"float\" unit=\"celsius\" xmlns=\"" UWPX "\">22.43</val>"
			    "</item></publish>"
			    "<publish-options><x type=\"submit\" xmlns=\"jabber:x:data\">"
			    "<field type=\"hidden\" var=\"FORM_TYPE\">"
			    "<value>" PS "#publish-options</value></field>"
			    "<field var=\"pubsub#persist_items\"><value>true</value></field>"
			    "<field var=\"pubsub#access_model\"><value>roster</value></field>"
			    "</x></publish-options>"
			    "</pubsub></iq>");
}
END_TEST

/* an owner's control publish (4.4.5): no options, to the thing's PEP service */
START_TEST(test_pubsub_publish_plain)
{
	g_autoptr(IgwField) on = test_field("powerOn", IGW_FIELD_TYPE_BOOLEAN, NULL, TRUE);
	g_autoptr(xmpp_stanza_t) iq = igw_pubsub_new_publish(
	    test_ctx, "publish5", "kettle@example.org", IGW_PUBSUB_NODE_ACTUATORS,
	    "xmpp.iot.actuator.powerOn",
	    igw_pubsub_new_val(test_ctx, on, g_variant_new_boolean(TRUE)), NULL, TRUE);
	g_autoptr(xmpp_stanza_t) empty =
	    igw_pubsub_new_publish(test_ctx, "p6", NULL, "n", NULL, NULL, "whitelist", FALSE);
	test_assert_xml(
	    iq, "<iq id=\"publish5\" to=\"kettle@example.org\" type=\"set\">"
		"<pubsub xmlns=\"" PS "\">"
		"<publish node=\"xmpp.iot.actuators\"><item id=\"xmpp.iot.actuator.powerOn\">"
		"<val type=\"bool\" xmlns=\"" UWPX "\">1</val>"
		"</item></publish></pubsub></iq>");
	test_assert_xml(empty, "<iq id=\"p6\" type=\"set\">"
			       "<pubsub xmlns=\"" PS "\">"
			       "<publish node=\"n\"><item/></publish>"
			       "<publish-options><x type=\"submit\" xmlns=\"jabber:x:data\">"
			       "<field type=\"hidden\" var=\"FORM_TYPE\">"
			       "<value>" PS "#publish-options</value></field>"
			       "<field var=\"pubsub#persist_items\"><value>false</value></field>"
			       "<field var=\"pubsub#access_model\"><value>whitelist</value></field>"
			       "</x></publish-options>"
			       "</pubsub></iq>");
}
END_TEST

START_TEST(test_pubsub_requests)
{
	const gchar *jids[] = {"alice@example.org", "bob@example.org", NULL};
	g_autoptr(xmpp_stanza_t) disco = igw_pubsub_new_disco_items(test_ctx, "nodes1", NULL, NULL);
	g_autoptr(xmpp_stanza_t) disco_node = igw_pubsub_new_disco_items(
	    test_ctx, "nodes2", "pubsub.example.org", "xmpp.iot.sensors");
	g_autoptr(xmpp_stanza_t) subscribe = igw_pubsub_new_subscribe(
	    test_ctx, "sub1", "kettle@example.org", "xmpp.iot.sensors", "juliet@example.org");
	g_autoptr(xmpp_stanza_t) affiliations = igw_pubsub_new_affiliations(
	    test_ctx, "aff1", NULL, "xmpp.iot.actuators", jids, "publisher");
	g_autoptr(xmpp_stanza_t) none =
	    igw_pubsub_new_affiliations(test_ctx, "aff2", NULL, "xmpp.iot.actuators", NULL, "none");
	test_assert_xml(disco, "<iq id=\"nodes1\" type=\"get\">"
			       "<query xmlns=\"http://jabber.org/protocol/disco#items\"/></iq>");
	test_assert_xml(disco_node, "<iq id=\"nodes2\" to=\"pubsub.example.org\" type=\"get\">"
				    "<query node=\"xmpp.iot.sensors\" "
				    "xmlns=\"http://jabber.org/protocol/disco#items\"/></iq>");
	test_assert_xml(subscribe,
			"<iq id=\"sub1\" to=\"kettle@example.org\" type=\"set\">"
			"<pubsub xmlns=\"" PS "\">"
			"<subscribe jid=\"juliet@example.org\" node=\"xmpp.iot.sensors\"/>"
			"</pubsub></iq>");
	test_assert_xml(affiliations,
			"<iq id=\"aff1\" type=\"set\">"
			"<pubsub xmlns=\"" PS "#owner\">"
			"<affiliations node=\"xmpp.iot.actuators\">"
			"<affiliation affiliation=\"publisher\" jid=\"alice@example.org\"/>"
			"<affiliation affiliation=\"publisher\" jid=\"bob@example.org\"/>"
			"</affiliations></pubsub></iq>");
	test_assert_xml(none, "<iq id=\"aff2\" type=\"set\">"
			      "<pubsub xmlns=\"" PS "#owner\">"
			      "<affiliations node=\"xmpp.iot.actuators\"/></pubsub></iq>");
}
END_TEST

static void
test_assert_val(IgwField *field, GVariant *value, const gchar *expected)
{
	g_autoptr(GVariant) sunk = g_variant_ref_sink(value);
	g_autoptr(xmpp_stanza_t) val = igw_pubsub_new_val(test_ctx, field, sunk);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) back = NULL;
	test_assert_xml(val, expected);
	/* and what we write, we read */
	back = igw_pubsub_parse_val(field, val, &error);
	ck_assert_msg(back != NULL, "%s: %s", expected, error != NULL ? error->message : "?");
	ck_assert(g_variant_equal(back, sunk));
}

START_TEST(test_pubsub_val_types)
{
	g_autoptr(IgwField) numeric = test_field("temp", IGW_FIELD_TYPE_NUMERIC, "°C", FALSE);
	g_autoptr(IgwField) integer = test_field("count", IGW_FIELD_TYPE_INTEGER, "", FALSE);
	g_autoptr(IgwField) boolean = test_field("on", IGW_FIELD_TYPE_BOOLEAN, NULL, TRUE);
	g_autoptr(IgwField) string = test_field("label", IGW_FIELD_TYPE_STRING, NULL, TRUE);
	g_autoptr(IgwField) enumeration = test_field("mode", IGW_FIELD_TYPE_ENUM, NULL, TRUE);
	g_autoptr(IgwField) date_time = test_field("since", IGW_FIELD_TYPE_DATE_TIME, NULL, FALSE);
	g_autoptr(IgwField) duration = test_field("uptime", IGW_FIELD_TYPE_DURATION, "s", FALSE);
	g_autoptr(GVariant) wrong = g_variant_ref_sink(g_variant_new_int64(1));
	const gchar *modes[] = {"eco", "comfort", NULL};
	igw_field_set_decimals(numeric, 1);
	igw_field_set_enum_values(enumeration, modes);
	test_assert_val(numeric, g_variant_new_double(21.5),
			"<val type=\"float\" unit=\"°C\" xmlns=\"" UWPX "\">21.5</val>");
	test_assert_val(integer, g_variant_new_int64(-42),
			"<val type=\"int\" xmlns=\"" UWPX "\">-42</val>");
	test_assert_val(boolean, g_variant_new_boolean(TRUE),
			"<val type=\"bool\" xmlns=\"" UWPX "\">1</val>");
	test_assert_val(boolean, g_variant_new_boolean(FALSE),
			"<val type=\"bool\" xmlns=\"" UWPX "\">0</val>");
	test_assert_val(string, g_variant_new_string("a <b> & c"),
			"<val type=\"string\" xmlns=\"" UWPX "\">a &lt;b&gt; &amp; c</val>");
	test_assert_val(enumeration, g_variant_new_string("comfort"),
			"<val type=\"enum\" xmlns=\"" UWPX "\">comfort</val>");
	test_assert_val(date_time, g_variant_new_int64(TEST_TIME_US),
			"<val type=\"dateTime\" xmlns=\"" UWPX "\">2026-11-21T21:15:37Z</val>");
	test_assert_val(duration, g_variant_new_int64(90 * G_USEC_PER_SEC),
			"<val type=\"int\" unit=\"s\" xmlns=\"" UWPX "\">90000000</val>");
	/* a value of another type is not written */
	ck_assert_ptr_null(igw_pubsub_new_val(test_ctx, numeric, wrong));
	ck_assert_ptr_null(igw_pubsub_new_val(test_ctx, boolean, NULL));
}
END_TEST

static GVariant *
test_parse_val(IgwField *field, const gchar *xml, GError **error)
{
	g_autoptr(xmpp_stanza_t) val = test_stanza(xml);
	return igw_pubsub_parse_val(field, val, error);
}

static void
test_assert_parsed(IgwField *field, const gchar *xml, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) value = test_parse_val(field, xml, &error);
	g_autofree gchar *printed = NULL;
	ck_assert_msg(value != NULL, "%s: %s", xml, error != NULL ? error->message : "?");
	ck_assert_ptr_null(error);
	printed = g_variant_print(value, TRUE);
	ck_assert_msg(g_strcmp0(printed, expected) == 0, "%s: %s, not %s", xml, printed, expected);
}

static void
test_assert_refused(IgwField *field, const gchar *xml, const gchar *message_part)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) value = test_parse_val(field, xml, &error);
	ck_assert_msg(value == NULL, "%s accepted", xml);
	ck_assert_msg(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA), "%s: %s", xml,
		      error != NULL ? error->message : "no error");
	ck_assert_msg(strstr(error->message, message_part) != NULL, "%s: '%s' lacks '%s'", xml,
		      error->message, message_part);
	ck_assert(g_utf8_validate(error->message, -1, NULL));
}

#define VAL(type, text) "<val xmlns='" UWPX "'" type ">" text "</val>"

START_TEST(test_pubsub_parse_val_bool)
{
	g_autoptr(IgwField) on = test_field("on", IGW_FIELD_TYPE_BOOLEAN, NULL, TRUE);
	test_assert_parsed(on, VAL(" type='bool'", "1"), "true");
	test_assert_parsed(on, VAL(" type='bool'", "0"), "false");
	test_assert_parsed(on, VAL("", "true"), "true");
	test_assert_parsed(on, VAL("", "false"), "false");
	/* the thesis's own client writes type='boolean' (4.4.5) */
	test_assert_parsed(on, VAL(" type='boolean'", "1"), "true");
	test_assert_parsed(on, VAL("", " 1\n"), "true");
	test_assert_refused(on, VAL("", "yes"), "expects 1, 0, true or false");
	test_assert_refused(on, VAL("", "TRUE"), "expects 1, 0, true or false");
	test_assert_refused(on, VAL("", "2"), "'2'");
	test_assert_refused(on, VAL(" type='float'", "1"), "on is of type bool, not 'float'");
	test_assert_refused(on, VAL("", ""), "empty");
	test_assert_refused(on, "<val xmlns='" UWPX "'/>", "empty");
	test_assert_refused(on, "<val xmlns='" UWPX "'>  </val>", "empty");
}
END_TEST

START_TEST(test_pubsub_parse_val_numbers)
{
	g_autoptr(IgwField) temp = test_field("temp", IGW_FIELD_TYPE_NUMERIC, "celsius", TRUE);
	g_autoptr(IgwField) level = test_field("level", IGW_FIELD_TYPE_INTEGER, "%", TRUE);
	g_autoptr(IgwField) delay = test_field("delay", IGW_FIELD_TYPE_DURATION, NULL, TRUE);
	igw_field_set_range(temp, -10, 40);
	igw_field_set_range(level, 0, 100);
	test_assert_parsed(temp, VAL(" type='float' unit='celsius'", "22.43"), "22.43");
	test_assert_parsed(temp, VAL("", "-10"), "-10.0");
	test_assert_parsed(temp, VAL(" type='int'", "40"), "40.0");
	test_assert_parsed(temp, VAL(" type='double'", " 1e1 "), "10.0");
	test_assert_refused(temp, VAL("", "40.01"), "temp");
	test_assert_refused(temp, VAL("", "abc"), "expects a number, not 'abc'");
	test_assert_refused(temp, VAL("", "nan"), "temp");
	test_assert_refused(temp, VAL("", "inf"), "temp");
	test_assert_refused(temp, VAL("", ""), "empty");
	test_assert_refused(temp, VAL(" type='string'", "20"),
			    "temp is of type float, not 'string'");
	test_assert_refused(temp, VAL(" type=''", "20"), "not ''");

	test_assert_parsed(level, VAL(" type='int'", "42"), "int64 42");
	test_assert_parsed(level, VAL(" type='integer'", "0"), "int64 0");
	test_assert_parsed(level, VAL("", "100"), "int64 100");
	test_assert_refused(level, VAL("", "101"), "level");
	test_assert_refused(level, VAL("", "-1"), "level");
	test_assert_refused(level, VAL("", "4.2"), "expects a whole number");
	test_assert_refused(level, VAL("", "99999999999999999999"), "expects a whole number");
	test_assert_refused(level, VAL(" type='float'", "42"), "level is of type int, not 'float'");

	/* durations travel in microseconds */
	test_assert_parsed(delay, VAL(" type='int'", "5000000"), "int64 5000000");
	test_assert_refused(delay, VAL("", "PT5S"), "microseconds");
}
END_TEST

START_TEST(test_pubsub_parse_val_text)
{
	g_autoptr(IgwField) label = test_field("label", IGW_FIELD_TYPE_STRING, NULL, TRUE);
	g_autoptr(IgwField) mode = test_field("mode", IGW_FIELD_TYPE_ENUM, NULL, TRUE);
	g_autoptr(IgwField) since = test_field("since", IGW_FIELD_TYPE_DATE_TIME, NULL, TRUE);
	const gchar *modes[] = {"eco", "comfort", NULL};
	igw_field_set_enum_values(mode, modes);
	test_assert_parsed(label, VAL(" type='string'", " hello world "), "' hello world '");
	test_assert_parsed(label, VAL("", ""), "''");
	test_assert_parsed(label, VAL("", "a &amp; b"), "'a & b'");
	test_assert_refused(label, VAL(" type='int'", "1"), "label is of type string, not 'int'");
	test_assert_parsed(mode, VAL(" type='enum'", "eco"), "'eco'");
	test_assert_parsed(mode, VAL(" type='string'", "comfort"), "'comfort'");
	test_assert_refused(mode, VAL("", "turbo"), "must be one of");
	test_assert_parsed(since, VAL(" type='dateTime'", "2026-11-21T21:15:37Z"),
			   "int64 1795295737000000");
	test_assert_parsed(since, VAL("", "2026-11-21T22:15:37+01:00"), "int64 1795295737000000");
	test_assert_refused(since, VAL("", "yesterday"), "since");
	test_assert_refused(since, VAL(" type='int'", "1795295737"), "not 'int'");
}
END_TEST

START_TEST(test_pubsub_parse_val_element)
{
	g_autoptr(IgwField) temp = test_field("temp", IGW_FIELD_TYPE_NUMERIC, NULL, FALSE);
	g_autoptr(GError) error = NULL;
	ck_assert_ptr_null(igw_pubsub_parse_val(temp, NULL, &error));
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	test_assert_refused(temp, "<val>1</val>", "expected <val");
	test_assert_refused(temp, "<val xmlns='urn:xmpp:iot:sensordata'>1</val>", "expected <val");
	test_assert_refused(temp, "<value xmlns='" UWPX "'>1</value>", "expected <val");
	/* a child element adds no text */
	test_assert_parsed(temp, "<val xmlns='" UWPX "'>2<x/>1</val>", "21.0");
}
END_TEST

static IgwThing *
test_thing(void)
{
	IgwThing *thing = igw_thing_new("sim:kettle", "sim");
	g_autoptr(IgwField) temp = test_field("temp", IGW_FIELD_TYPE_NUMERIC, "°C", FALSE);
	g_autoptr(IgwField) bar = test_field("bar", IGW_FIELD_TYPE_NUMERIC, "hPa", FALSE);
	g_autoptr(IgwField) on = test_field("powerOn", IGW_FIELD_TYPE_BOOLEAN, NULL, TRUE);
	g_autoptr(IgwField) level = test_field("level", IGW_FIELD_TYPE_INTEGER, "%", TRUE);
	g_autoptr(IgwField) target = test_field("target", IGW_FIELD_TYPE_NUMERIC, "°C", TRUE);
	g_autoptr(IgwField) mode = test_field("mode", IGW_FIELD_TYPE_ENUM, NULL, TRUE);
	g_autoptr(IgwReading) temp_now = NULL;
	g_autoptr(IgwReading) on_now = NULL;
	const gchar *modes[] = {"eco", "comfort", NULL};
	igw_thing_set_name(thing, "ESP32 XMPP");
	igw_field_set_decimals(temp, 1);
	igw_field_set_range(level, 0, 100);
	igw_field_set_range(target, 40, 100.5);
	igw_field_set_enum_values(mode, modes);
	igw_thing_add_field(thing, temp);
	igw_thing_add_field(thing, bar);
	igw_thing_add_field(thing, on);
	igw_thing_add_field(thing, level);
	igw_thing_add_field(thing, target);
	igw_thing_add_field(thing, mode);
	temp_now = igw_reading_new("sim:kettle", "temp", g_variant_new_double(22.43), TEST_TIME_US);
	on_now =
	    igw_reading_new("sim:kettle", "powerOn", g_variant_new_boolean(TRUE), TEST_TIME_US);
	igw_thing_set_latest(thing, temp_now);
	igw_thing_set_latest(thing, on_now);
	return thing;
}

#define XDV "http://jabber.org/protocol/xdata-validate"

/* the thesis's UI form (4.4.4) with actuators typed as XEP-0004/0122 say */
START_TEST(test_pubsub_ui_form)
{
	g_autoptr(IgwThing) thing = test_thing();
	g_autoptr(IgwThing) bare = igw_thing_new("sim:bare", "sim");
	g_autoptr(xmpp_stanza_t) form = igw_pubsub_new_ui_form(test_ctx, thing);
	g_autoptr(xmpp_stanza_t) empty = igw_pubsub_new_ui_form(test_ctx, bare);
	test_assert_xml(
	    form,
	    "<x type=\"form\" xmlns=\"jabber:x:data\"><title>ESP32 XMPP</title>"
	    "<field label=\"temp (°C)\" type=\"text-single\" var=\"xmpp.iot.sensor.temp\">"
	    "<readOnly xmlns=\"urn:xmpp:xdata:dynamic\"/><value>22.4</value></field>"
	    "<field label=\"bar (hPa)\" type=\"text-single\" var=\"xmpp.iot.sensor.bar\">"
	    "<readOnly xmlns=\"urn:xmpp:xdata:dynamic\"/></field>"
	    "<field label=\"powerOn\" type=\"boolean\" var=\"xmpp.iot.actuator.powerOn\">"
	    "<value>1</value></field>"
	    "<field label=\"level (%)\" type=\"text-single\" var=\"xmpp.iot.actuator.level\">"
	    "<validate datatype=\"xs:integer\" xmlns=\"" XDV "\">"
	    "<range max=\"100\" min=\"0\"/></validate></field>"
	    "<field label=\"target (°C)\" type=\"text-single\" var=\"xmpp.iot.actuator.target\">"
	    "<validate datatype=\"xs:double\" xmlns=\"" XDV "\">"
	    "<range max=\"100.5\" min=\"40\"/></validate></field>"
	    "<field label=\"mode\" type=\"list-single\" var=\"xmpp.iot.actuator.mode\">"
	    "<option label=\"eco\"><value>eco</value></option>"
	    "<option label=\"comfort\"><value>comfort</value></option></field>"
	    "</x>");
	test_assert_xml(empty,
			"<x type=\"form\" xmlns=\"jabber:x:data\"><title>sim:bare</title></x>");
}
END_TEST

/* the form travels as the payload of item "current" */
START_TEST(test_pubsub_ui_publish)
{
	g_autoptr(IgwThing) thing = igw_thing_new("sim:lamp", "sim");
	g_autoptr(IgwField) on = test_field("on", IGW_FIELD_TYPE_BOOLEAN, NULL, TRUE);
	g_autoptr(xmpp_stanza_t) iq = NULL;
	igw_thing_add_field(thing, on);
	iq = igw_pubsub_new_publish(test_ctx, "ui1", NULL, IGW_PUBSUB_NODE_UI, IGW_PUBSUB_ITEM_UI,
				    igw_pubsub_new_ui_form(test_ctx, thing), "presence", TRUE);
	test_assert_xml(iq,
			"<iq id=\"ui1\" type=\"set\"><pubsub xmlns=\"" PS "\">"
			"<publish node=\"xmpp.iot.ui\"><item id=\"current\">"
			"<x type=\"form\" xmlns=\"jabber:x:data\"><title>sim:lamp</title>"
			"<field label=\"on\" type=\"boolean\" var=\"xmpp.iot.actuator.on\"/></x>"
			"</item></publish>"
			"<publish-options><x type=\"submit\" xmlns=\"jabber:x:data\">"
			"<field type=\"hidden\" var=\"FORM_TYPE\">"
			"<value>" PS "#publish-options</value></field>"
			"<field var=\"pubsub#persist_items\"><value>true</value></field>"
			"<field var=\"pubsub#access_model\"><value>presence</value></field>"
			"</x></publish-options>"
			"</pubsub></iq>");
}
END_TEST

static GStrv
test_disco_items(const gchar *xml)
{
	g_autoptr(xmpp_stanza_t) iq = test_stanza(xml);
	return igw_pubsub_parse_disco_items(iq);
}

START_TEST(test_pubsub_disco_items)
{
	g_auto(GStrv) top = test_disco_items(
	    "<iq type='result' from='pubsub.example.org' to='kettle@example.org/kitchen' "
	    "id='nodes1'>"
	    "<query xmlns='http://jabber.org/protocol/disco#items'>"
	    "<item jid='pubsub.example.org' node='xmpp.iot.sensors' name='All IoT sensors'/>"
	    "<item jid='pubsub.example.org' node='xmpp.iot.actuators' name='All IoT actuators'/>"
	    "<item jid='pubsub.example.org' node='xmpp.iot.ui' name='UI data form (XEP-0004)'/>"
	    "<item jid='someone@example.org'/>"
	    "<other node='not-an-item'/>"
	    "</query></iq>");
	g_auto(GStrv) none =
	    test_disco_items("<iq type='result' id='nodes1'><query "
			     "xmlns='http://jabber.org/protocol/disco#items'/></iq>");
	g_auto(GStrv) error = test_disco_items(
	    "<iq type='error' id='nodes1'><query xmlns='http://jabber.org/protocol/disco#items'/>"
	    "<error type='cancel'><service-unavailable xmlns='" STANZAS "'/></error></iq>");
	g_auto(GStrv) info = test_disco_items(
	    "<iq type='result' id='x'><query xmlns='http://jabber.org/protocol/disco#info'>"
	    "<item node='a'/></query></iq>");
	const gchar *expected[] = {"xmpp.iot.sensors", "xmpp.iot.actuators", "xmpp.iot.ui", NULL};
	ck_assert_ptr_nonnull(top);
	ck_assert(g_strv_equal((const gchar *const *)top, expected));
	ck_assert_ptr_nonnull(none);
	ck_assert_uint_eq(g_strv_length(none), 0);
	ck_assert_ptr_null(error);
	ck_assert_ptr_null(info);
	ck_assert_ptr_null(igw_pubsub_parse_disco_items(NULL));
}
END_TEST

static GPtrArray *
test_event(const gchar *xml, GError **error)
{
	g_autoptr(xmpp_stanza_t) message = test_stanza(xml);
	return igw_pubsub_parse_event(message, error);
}

static void
test_assert_event_refused(const gchar *xml, const gchar *message_part)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) items = test_event(xml, &error);
	ck_assert_msg(items == NULL, "%s accepted", xml);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	ck_assert_msg(strstr(error->message, message_part) != NULL, "%s: %s", xml, error->message);
}

#define EVENT "http://jabber.org/protocol/pubsub#event"

/* the thesis's notification1 (4.4.2), with its stray tags put right */
/* ejabberd: no publisher attribute, an XEP-0033 replyto address with a full JID */
START_TEST(test_pubsub_event_replyto)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) items = test_event(
	    "<message from='lamp@example.org' to='lamp@example.org'>"
	    "<event xmlns='" EVENT "'><items node='xmpp.iot.actuators'>"
	    "<item id='xmpp.iot.actuator.on'><val xmlns='" UWPX "' type='bool'>1</val></item>"
	    "<item id='xmpp.iot.actuator.level' publisher='bob@example.org/phone'>"
	    "<val xmlns='" UWPX "' type='int'>3</val></item>"
	    "</items></event>"
	    "<addresses xmlns='http://jabber.org/protocol/address'>"
	    "<address type='replyto' jid='alice@example.org/balcony'/></addresses>"
	    "</message>",
	    &error);
	ck_assert_ptr_null(error);
	ck_assert_uint_eq(items->len, 2);
	ck_assert_str_eq(((IgwPubsubEventItem *)g_ptr_array_index(items, 0))->publisher,
			 "alice@example.org");
	/* the attribute wins, made bare */
	ck_assert_str_eq(((IgwPubsubEventItem *)g_ptr_array_index(items, 1))->publisher,
			 "bob@example.org");
}
END_TEST

/* what the gateway sends for the roster model and for items others took */
START_TEST(test_pubsub_owner_requests)
{
	xmpp_ctx_t *ctx = test_ctx;
	g_autoptr(xmpp_stanza_t) retract =
	    igw_pubsub_new_retract(ctx, "r1", NULL, "xmpp.iot.actuators", "xmpp.iot.actuator.on");
	g_autoptr(xmpp_stanza_t) configure =
	    igw_pubsub_new_roster_groups_allowed(ctx, "c1", NULL, "xmpp.iot.ui");
	test_assert_xml(retract,
			"<iq id=\"r1\" type=\"set\"><pubsub xmlns=\"" IGW_NS_PUBSUB "\"><retract "
			"node=\"xmpp.iot.actuators\"><item "
			"id=\"xmpp.iot.actuator.on\"/></retract></pubsub></iq>");
	test_assert_xml(
	    configure,
	    "<iq id=\"c1\" type=\"set\"><pubsub xmlns=\"" IGW_NS_PUBSUB_OWNER "\"><configure "
	    "node=\"xmpp.iot.ui\"><x type=\"submit\" xmlns=\"jabber:x:data\"><field "
	    "type=\"hidden\" "
	    "var=\"FORM_TYPE\"><value>http://jabber.org/protocol/pubsub#node_config</value></field>"
	    "<field var=\"pubsub#roster_groups_allowed\"><value>iotgw-owners</value></field></x>"
	    "</configure></pubsub></iq>");
}
END_TEST

START_TEST(test_pubsub_event)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) items = test_event(
	    "<message from='kettle@example.org' to='juliet@example.org/balcony' id='notification1'>"
	    "<event xmlns='" EVENT "'>"
	    "<items node='xmpp.iot.sensors'>"
	    "<item id='xmpp.iot.sensor.temp' publisher='kettle@example.org'>"
	    "<val xmlns='" UWPX "' unit='celsius' type='float'>22.43</val>"
	    "</item></items></event>"
	    "<addresses xmlns='http://jabber.org/protocol/address'/>"
	    "</message>",
	    &error);
	g_autoptr(IgwField) temp = test_field("temp", IGW_FIELD_TYPE_NUMERIC, "celsius", FALSE);
	g_autoptr(GVariant) value = NULL;
	IgwPubsubEventItem *item;
	ck_assert_ptr_null(error);
	ck_assert_ptr_nonnull(items);
	ck_assert_uint_eq(items->len, 1);
	item = g_ptr_array_index(items, 0);
	ck_assert_str_eq(item->node, "xmpp.iot.sensors");
	ck_assert_str_eq(item->item_id, "xmpp.iot.sensor.temp");
	ck_assert_str_eq(item->publisher, "kettle@example.org");
	ck_assert_ptr_nonnull(item->payload);
	ck_assert_str_eq(xmpp_stanza_get_name(item->payload), "val");
	value = igw_pubsub_parse_val(temp, item->payload, &error);
	ck_assert_ptr_nonnull(value);
	ck_assert(g_variant_get_double(value) == 22.43);
}
END_TEST

START_TEST(test_pubsub_event_many)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) items = test_event(
	    "<message from='kettle@example.org'><event xmlns='" EVENT "'>"
	    "<items node='xmpp.iot.actuators'>"
	    "<retract id='xmpp.iot.actuator.old'/>"
	    "<item id='xmpp.iot.actuator.on'><val xmlns='" UWPX "'>1</val></item>"
	    "<item id='xmpp.iot.actuator.level'>\n  <val xmlns='" UWPX "'>3</val>\n</item>"
	    "<item/>"
	    "</items></event></message>",
	    &error);
	IgwPubsubEventItem *item;
	ck_assert_ptr_null(error);
	ck_assert_uint_eq(items->len, 3);
	item = g_ptr_array_index(items, 0);
	ck_assert_str_eq(item->item_id, "xmpp.iot.actuator.on");
	ck_assert_ptr_null(item->publisher);
	item = g_ptr_array_index(items, 1);
	ck_assert_str_eq(item->item_id, "xmpp.iot.actuator.level");
	ck_assert_str_eq(xmpp_stanza_get_name(item->payload), "val");
	/* transient nodes notify without an id or a payload */
	item = g_ptr_array_index(items, 2);
	ck_assert_str_eq(item->node, "xmpp.iot.actuators");
	ck_assert_ptr_null(item->item_id);
	ck_assert_ptr_null(item->payload);
}
END_TEST

START_TEST(test_pubsub_event_nothing_published)
{
	const gchar *events[] = {
	    "<message><event xmlns='" EVENT
	    "'><items node='n'><retract id='a'/></items></event></message>",
	    "<message><event xmlns='" EVENT "'><purge node='n'/></event></message>",
	    "<message><event xmlns='" EVENT "'><delete node='n'/></event></message>",
	    "<message><event xmlns='" EVENT "'><configuration node='n'/></event></message>",
	    "<message><event xmlns='" EVENT "'/></message>",
	};
	for (guint i = 0; i < G_N_ELEMENTS(events); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GPtrArray) items = test_event(events[i], &error);
		ck_assert_msg(items != NULL, "%s: %s", events[i],
			      error != NULL ? error->message : "?");
		ck_assert_uint_eq(items->len, 0);
	}
}
END_TEST

START_TEST(test_pubsub_event_malformed)
{
	g_autoptr(GError) error = NULL;
	ck_assert_ptr_null(igw_pubsub_parse_event(NULL, &error));
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	test_assert_event_refused("<message><body>hi</body></message>", "no pubsub event");
	test_assert_event_refused("<message><event><items node='n'/></event></message>",
				  "no pubsub event");
	test_assert_event_refused("<message><event xmlns='" PS
				  "'><items node='n'/></event></message>",
				  "no pubsub event");
	test_assert_event_refused("<message><event xmlns='" EVENT
				  "'><items><item id='a'/></items></event></message>",
				  "without a node");
	test_assert_event_refused("<message><event xmlns='" EVENT
				  "'><items node=''/></event></message>",
				  "without a node");
	test_assert_event_refused("<message><event xmlns='" EVENT "'><items node='n'>"
				  "<item id='a'><val xmlns='" UWPX "'>1</val><val xmlns='" UWPX
				  "'>2</val></item>"
				  "</items></event></message>",
				  "more than one payload");
	test_assert_event_refused("<message><event xmlns='" EVENT "'><items node='n'>"
				  "<item id=''/></items></event></message>",
				  "bad id");
	/* one bad item spoils the event: nothing half-applied */
	test_assert_event_refused("<message><event xmlns='" EVENT
				  "'><items node='a'><item id='x'/></items>"
				  "<items/></event></message>",
				  "without a node");
}
END_TEST

static gchar *
test_condition(const gchar *xml)
{
	g_autoptr(xmpp_stanza_t) iq = test_stanza(xml);
	return igw_pubsub_error_condition(iq);
}

static void
test_assert_condition(const gchar *xml, const gchar *expected)
{
	g_autofree gchar *condition = test_condition(xml);
	ck_assert_msg(g_strcmp0(condition, expected) == 0, "%s: %s, not %s", xml,
		      condition != NULL ? condition : "(null)",
		      expected != NULL ? expected : "(null)");
}

START_TEST(test_pubsub_error_condition)
{
	/* Prosody 0.12 refusing access_model roster */
	test_assert_condition("<iq type='error' id='publish1' from='kettle@example.org'>"
			      "<error type='modify'><not-acceptable xmlns='" STANZAS "'/>"
			      "<text xmlns='" STANZAS "'>Unknown access model</text></error></iq>",
			      "not-acceptable");
	/* XEP-0060 7.1.5: a precondition the existing node does not meet */
	test_assert_condition("<iq type='error' id='publish1'><error type='cancel'>"
			      "<conflict xmlns='" STANZAS "'/>"
			      "<precondition-not-met xmlns='" PS "#errors'/></error></iq>",
			      "precondition-not-met");
	test_assert_condition("<iq type='error' id='p'><error type='cancel'>"
			      "<precondition-not-met xmlns='" PS "#errors'/>"
			      "<conflict xmlns='" STANZAS "'/></error></iq>",
			      "precondition-not-met");
	test_assert_condition("<iq type='error' id='p'><error type='cancel'>"
			      "<feature-not-implemented xmlns='" STANZAS "'/>"
			      "<unsupported xmlns='" PS
			      "#errors' feature='publish-options'/></error></iq>",
			      "unsupported");
	test_assert_condition("<iq type='error' id='p'><error type='auth'>"
			      "<text xmlns='" STANZAS "'>no</text><forbidden xmlns='" STANZAS
			      "'/></error></iq>",
			      "forbidden");
	test_assert_condition("<iq xmlns='jabber:client' type='error' id='p'><error type='cancel'>"
			      "<item-not-found xmlns='" STANZAS "'/></error></iq>",
			      "item-not-found");
	test_assert_condition("<iq type='error' id='p'><error type='cancel'>"
			      "<text xmlns='" STANZAS "'>only text</text></error></iq>",
			      NULL);
	test_assert_condition("<iq type='error' id='p'><error type='cancel'><bogus/></error></iq>",
			      NULL);
	test_assert_condition("<iq type='error' id='p'/>", NULL);
	test_assert_condition("<iq type='result' id='p'><error type='cancel'>"
			      "<forbidden xmlns='" STANZAS "'/></error></iq>",
			      NULL);
	ck_assert_ptr_null(igw_pubsub_error_condition(NULL));
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	TCase *tc = igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
}

static Suite *
test_pubsub_suite(void)
{
	Suite *suite = suite_create("pubsub-codec");
	test_suite_add(suite, "pubsub/item-ids", test_pubsub_item_ids);
	test_suite_add(suite, "pubsub/publish-options", test_pubsub_publish_options);
	test_suite_add(suite, "pubsub/publish-plain", test_pubsub_publish_plain);
	test_suite_add(suite, "pubsub/requests", test_pubsub_requests);
	test_suite_add(suite, "pubsub/val-types", test_pubsub_val_types);
	test_suite_add(suite, "pubsub/parse-val-bool", test_pubsub_parse_val_bool);
	test_suite_add(suite, "pubsub/parse-val-numbers", test_pubsub_parse_val_numbers);
	test_suite_add(suite, "pubsub/parse-val-text", test_pubsub_parse_val_text);
	test_suite_add(suite, "pubsub/parse-val-element", test_pubsub_parse_val_element);
	test_suite_add(suite, "pubsub/ui-form", test_pubsub_ui_form);
	test_suite_add(suite, "pubsub/ui-publish", test_pubsub_ui_publish);
	test_suite_add(suite, "pubsub/disco-items", test_pubsub_disco_items);
	test_suite_add(suite, "pubsub/event", test_pubsub_event);
	test_suite_add(suite, "pubsub/event-replyto", test_pubsub_event_replyto);
	test_suite_add(suite, "pubsub/owner-requests", test_pubsub_owner_requests);
	test_suite_add(suite, "pubsub/event-many", test_pubsub_event_many);
	test_suite_add(suite, "pubsub/event-nothing-published",
		       test_pubsub_event_nothing_published);
	test_suite_add(suite, "pubsub/event-malformed", test_pubsub_event_malformed);
	test_suite_add(suite, "pubsub/error-condition", test_pubsub_error_condition);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_pubsub_suite());
}
