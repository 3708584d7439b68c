/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestAgent"

#include "config.h"

#include "igw-test.h"

#include "fake-thing.h"
#include "fake-transport.h"
#include "igw-thing-agent.h"

#define TEST_TIMEOUT_SECONDS 20
#define TEST_PARSE_TIMEOUT_SECONDS 120
#define OWNER "alice@localhost"
#define THING_JID "fake-kitchen@localhost"

/* one thing with its agent on a fake transport, owned by alice */
typedef struct {
	IgwFakeThing *fake;
	IgwFakeTransport *transport;
	IgwThingAgent *agent;
} TestAgent;

static TestAgent *
test_agent_new(void)
{
	TestAgent *test = g_new0(TestAgent, 1);
	const gchar *owners[] = {OWNER, NULL};
	xmpp_initialize();
	test->fake = igw_fake_thing_new();
	test->transport = igw_fake_transport_new(THING_JID);
	test->agent = igw_thing_agent_new(IGW_TRANSPORT(test->transport), test->fake->context,
					  test->fake->plugin, test->fake->thing);
	igw_thing_agent_set_owners(test->agent, owners);
	igw_thing_agent_set_control(test->agent, test->fake->control);
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(21.2));
	igw_fake_thing_report(test->fake, "humidity", g_variant_new_int64(51));
	return test;
}

static void
test_agent_free(TestAgent *test)
{
	g_object_unref(test->agent);
	g_object_unref(test->transport);
	igw_fake_thing_free(test->fake);
	g_free(test);
	xmpp_shutdown();
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestAgent, test_agent_free)

static TestAgent *
test_agent_new_online(void)
{
	TestAgent *test = test_agent_new();
	igw_thing_agent_set_greeted(test->agent, TRUE);
	igw_fake_transport_set_online(test->transport, TRUE);
	igw_fake_transport_clear(test->transport);
	return test;
}

static void
test_agent_chat(TestAgent *test, const gchar *from, const gchar *body)
{
	g_autofree gchar *xml =
	    g_strdup_printf("<message type='chat' from='%s' to='" THING_JID "' id='m1'>"
			    "<body>%s</body></message>",
			    from, body);
	igw_fake_transport_inject(test->transport, xml);
}

/* the body of the last chat message sent to @to */
static gchar *
test_agent_reply(TestAgent *test, const gchar *to)
{
	g_autofree gchar *needle = g_strdup_printf("to=\"%s\"", to);
	IgwFakeRecord *record = igw_fake_transport_find_last(test->transport, "send", needle);
	g_autofree gchar *dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(record != NULL, "nothing sent to %s:%s", to, dump);
	return igw_fake_record_get_body(record);
}

/* a first login: presence to the owners, a subscription both ways, a greeting */
START_TEST(test_agent_online_greets_owners)
{
	g_autoptr(TestAgent) test = test_agent_new();
	g_autofree gchar *dump = NULL;
	g_autofree gchar *greeting = NULL;
	IgwFakeRecord *presence;
	igw_fake_transport_set_online(test->transport, TRUE);
	dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(igw_fake_transport_count(test->transport, "presence", NULL) == 1, "%s", dump);
	presence = igw_fake_transport_find_last(test->transport, "presence", NULL);
	ck_assert_str_eq(presence->text, "available: temperature 21.2 °C, humidity 51 %");
	ck_assert_msg(igw_fake_transport_count(test->transport, "subscribe", OWNER) == 1, "%s",
		      dump);
	ck_assert_msg(igw_fake_transport_count(test->transport, "approve", OWNER) == 1, "%s", dump);
	ck_assert(igw_transport_is_subscribed(IGW_TRANSPORT(test->transport), OWNER "/phone"));
	greeting = test_agent_reply(test, OWNER);
	ck_assert_str_eq(greeting,
			 "Hello! I am Kitchen (fake:kitchen). Send 'help' for what I understand.");
}
END_TEST

/* greeted once, never again on the next login */
START_TEST(test_agent_greets_once)
{
	g_autoptr(TestAgent) test = test_agent_new();
	igw_fake_transport_set_online(test->transport, TRUE);
	igw_fake_transport_set_online(test->transport, TRUE);
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "subscribe", NULL), 1);
	/* a new stream forgets what the old one said: presence again */
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "presence", NULL), 2);
}
END_TEST

START_TEST(test_agent_owner_get)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	g_autofree gchar *all = NULL;
	g_autofree gchar *one = NULL;
	test_agent_chat(test, OWNER "/phone", "get");
	all = test_agent_reply(test, OWNER "/phone");
	ck_assert_str_eq(all, "temperature: 21.2 °C\nhumidity: 51 %\non: (no reading yet)");
	test_agent_chat(test, OWNER "/phone", "get temperature");
	one = test_agent_reply(test, OWNER "/phone");
	ck_assert_str_eq(one, "temperature: 21.2 °C");
}
END_TEST

START_TEST(test_agent_unknown_field)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	g_autofree gchar *reply = NULL;
	test_agent_chat(test, OWNER "/phone", "get pressure");
	reply = test_agent_reply(test, OWNER "/phone");
	ck_assert_str_eq(reply, "error: no field 'pressure'; try 'info'");
}
END_TEST

START_TEST(test_agent_stranger_refused)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	g_autofree gchar *reply = NULL;
	test_agent_chat(test, "mallory@localhost/x", "set on true");
	reply = test_agent_reply(test, "mallory@localhost/x");
	ck_assert_str_eq(reply, "Sorry, I only take commands from my owners.");
	igw_fake_thing_spin(50);
	ck_assert_uint_eq(test->fake->control_calls, 0);
}
END_TEST

/* the owner's set reaches the plugin; the answer is the confirmed value */
START_TEST(test_agent_owner_set)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	g_autofree gchar *reply = NULL;
	gboolean done = FALSE;
	test_agent_chat(test, OWNER "/phone", "set on true");
	ck_assert_uint_eq(test->fake->control_calls, 1);
	while (!done) {
		igw_fake_thing_spin(10);
		done = igw_fake_transport_count(test->transport, "send", "on: ") > 0;
	}
	reply = test_agent_reply(test, OWNER "/phone");
	ck_assert_str_eq(reply, "on: true");
}
END_TEST

START_TEST(test_agent_set_failure)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	g_autofree gchar *reply = NULL;
	test->fake->control_fails = TRUE;
	test_agent_chat(test, OWNER "/phone", "set on true");
	while (igw_fake_transport_count(test->transport, "send", "error") == 0)
		igw_fake_thing_spin(10);
	reply = test_agent_reply(test, OWNER "/phone");
	ck_assert_str_eq(reply, "error: plugin fake: control: device busy");
}
END_TEST

/* presence goes out when the availability changes, and only then */
START_TEST(test_agent_presence_on_change)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	IgwFakeRecord *record;
	igw_thing_agent_update_presence(test->agent);
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "presence", NULL), 0);
	igw_thing_set_availability(test->fake->thing, IGW_AVAILABILITY_AWAY);
	igw_thing_agent_update_presence(test->agent);
	igw_thing_agent_update_presence(test->agent);
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "presence", NULL), 1);
	record = igw_fake_transport_find_last(test->transport, "presence", NULL);
	ck_assert_msg(g_str_has_prefix(record->text, "away: no reading since "), "%s",
		      record->text);
	igw_thing_set_reachable(test->fake->thing, FALSE);
	igw_thing_agent_update_presence(test->agent);
	record = igw_fake_transport_find_last(test->transport, "presence", NULL);
	ck_assert_str_eq(record->text, "unavailable: unreachable");
	igw_thing_set_reachable(test->fake->thing, TRUE);
	igw_thing_set_availability(test->fake->thing, IGW_AVAILABILITY_AVAILABLE);
	igw_thing_agent_update_presence(test->agent);
	record = igw_fake_transport_find_last(test->transport, "presence", NULL);
	ck_assert_msg(g_str_has_prefix(record->text, "available: "), "%s", record->text);
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "presence", NULL), 3);
}
END_TEST

/* offline, nothing is said */
START_TEST(test_agent_presence_offline)
{
	g_autoptr(TestAgent) test = test_agent_new();
	igw_thing_set_reachable(test->fake->thing, FALSE);
	igw_thing_agent_update_presence(test->agent);
	ck_assert_uint_eq(igw_fake_transport_get_records(test->transport)->len, 0);
}
END_TEST

START_TEST(test_agent_subscription_requests)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	igw_fake_transport_inject(test->transport,
				  "<presence type='subscribe' from='Alice@localhost'/>");
	igw_fake_transport_inject(test->transport,
				  "<presence type='subscribe' from='mallory@localhost'/>");
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "approve", "alice@localhost"),
			  1);
	ck_assert_uint_eq(
	    igw_fake_transport_count(test->transport, "unsubscribe", "mallory@localhost"), 1);
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "approve", "mallory"), 0);
	ck_assert(
	    !igw_transport_is_subscribed(IGW_TRANSPORT(test->transport), "mallory@localhost"));
}
END_TEST

static void
test_agent_owner_removed_cb(IgwThingAgent *agent, const gchar *jid, GString *removed)
{
	g_string_append_printf(removed, "%s;", jid);
}

/* an owner taken off the list loses its subscription both ways and its
 * contact at once, and asks in vain afterwards; the new owner stays */
START_TEST(test_agent_owner_removed)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	g_autoptr(GString) removed = g_string_new(NULL);
	const gchar *owners[] = {"bob@localhost", NULL};
	g_autofree gchar *dump = NULL;
	g_signal_connect(test->agent, "owner-removed", G_CALLBACK(test_agent_owner_removed_cb),
			 removed);
	igw_fake_transport_set_subscribed(test->transport, OWNER, TRUE);
	igw_thing_agent_set_owners(test->agent, owners);
	dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(igw_fake_transport_count(test->transport, "remove", OWNER) == 1, "%s", dump);
	ck_assert_msg(igw_fake_transport_count(test->transport, "remove", "bob") == 0, "%s", dump);
	ck_assert_str_eq(removed->str, OWNER ";");
	ck_assert(!igw_transport_is_subscribed(IGW_TRANSPORT(test->transport), OWNER));
	igw_fake_transport_clear(test->transport);
	igw_fake_transport_inject(test->transport, "<presence type='subscribe' from='" OWNER "'/>");
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "approve", NULL), 0);
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "unsubscribe", OWNER), 1);
	/* the same list again changes nothing */
	igw_fake_transport_clear(test->transport);
	igw_thing_agent_set_owners(test->agent, owners);
	ck_assert_uint_eq(igw_fake_transport_get_records(test->transport)->len, 0);
}
END_TEST

/* removed while the gateway was off: the roster of the next login tells */
START_TEST(test_agent_stale_contacts)
{
	g_autoptr(TestAgent) test = test_agent_new();
	g_autoptr(GString) removed = g_string_new(NULL);
	const gchar *owners[] = {"bob@localhost", NULL};
	const gchar *contacts[] = {OWNER, "bob@localhost", THING_JID, "mallory@localhost", NULL};
	g_autofree gchar *dump = NULL;
	g_signal_connect(test->agent, "owner-removed", G_CALLBACK(test_agent_owner_removed_cb),
			 removed);
	igw_thing_agent_set_owners(test->agent, owners);
	igw_thing_agent_set_greeted(test->agent, TRUE);
	igw_fake_transport_set_online(test->transport, TRUE);
	igw_fake_transport_clear(test->transport);
	igw_fake_transport_set_contacts(test->transport, contacts);
	dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(igw_fake_transport_count(test->transport, "remove", NULL) == 2, "%s", dump);
	ck_assert_msg(igw_fake_transport_count(test->transport, "remove", OWNER) == 1, "%s", dump);
	ck_assert_msg(igw_fake_transport_count(test->transport, "remove", "mallory@localhost") == 1,
		      "%s", dump);
	ck_assert_str_eq(removed->str, OWNER ";mallory@localhost;");
}
END_TEST

START_TEST(test_agent_iq)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	IgwFakeRecord *record;
	igw_fake_transport_inject(test->transport, "<iq type='get' id='p1' from='bob@localhost/x'>"
						   "<ping xmlns='urn:xmpp:ping'/></iq>");
	record = igw_fake_transport_find_last(test->transport, "send", "id=\"p1\"");
	ck_assert_ptr_nonnull(record);
	ck_assert_str_eq(xmpp_stanza_get_type(record->stanza), "result");
	igw_fake_transport_inject(test->transport,
				  "<iq type='get' id='d1' from='bob@localhost/x'>"
				  "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
	record = igw_fake_transport_find_last(test->transport, "send", "id=\"d1\"");
	ck_assert_ptr_nonnull(record);
	ck_assert_msg(g_strstr_len(record->text, -1, "urn:xmpp:iot:sensordata") != NULL, "%s",
		      record->text);
	ck_assert_msg(g_strstr_len(record->text, -1, "name=\"Kitchen\"") != NULL, "%s",
		      record->text);
	igw_fake_transport_inject(test->transport, "<iq type='get' id='u1' from='bob@localhost/x'>"
						   "<query xmlns='urn:example:unknown'/></iq>");
	record = igw_fake_transport_find_last(test->transport, "send", "id=\"u1\"");
	ck_assert_ptr_nonnull(record);
	ck_assert_msg(g_strstr_len(record->text, -1, "service-unavailable") != NULL, "%s",
		      record->text);
}
END_TEST

/*
 * XEP-0323 §3.1: a momentary readout asks for "momentary values"; an
 * actuator's current state is one, even when the plugin files it as status
 */
START_TEST(test_agent_momentary_actuator)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	IgwField *on = igw_thing_get_field(test->fake->thing, "on");
	IgwFakeRecord *record;
	igw_field_set_category(on, IGW_FIELD_CATEGORY_STATUS);
	igw_fake_thing_report(test->fake, "on", g_variant_new_boolean(TRUE));
	igw_fake_transport_inject(
	    test->transport,
	    "<iq type='get' id='r1' from='" OWNER "/phone'>"
	    "<req xmlns='urn:xmpp:iot:sensordata' seqnr='7' momentary='true'/></iq>");
	record = igw_fake_transport_find_last(test->transport, "send", "<boolean");
	ck_assert_msg(record != NULL && g_strstr_len(record->text, -1, "name=\"on\"") != NULL &&
			  g_strstr_len(record->text, -1, "value=\"true\"") != NULL &&
			  g_strstr_len(record->text, -1, "momentary=\"true\"") != NULL,
		      "%s", record != NULL ? record->text : "no <boolean> sent");
	igw_fake_transport_clear(test->transport);
	igw_fake_transport_inject(test->transport,
				  "<iq type='get' id='r2' from='" OWNER "/phone'>"
				  "<req xmlns='urn:nf:iot:sd:1.0' id='n1' m='true'/></iq>");
	record = igw_fake_transport_find_last(test->transport, "send", "<b ");
	ck_assert_msg(record != NULL && g_strstr_len(record->text, -1, "n=\"on\"") != NULL &&
			  g_strstr_len(record->text, -1, "v=\"true\"") != NULL,
		      "%s", record != NULL ? record->text : "no <b> sent");
}
END_TEST

/* a request whose payload repeats @element @count times: what a hostile peer sends */
static void
test_agent_inject_repeated(TestAgent *test, const gchar *head, const gchar *element, guint count,
			   const gchar *tail)
{
	g_autoptr(GString) xml = g_string_new(head);
	for (guint i = 0; i < count; i++)
		g_string_append(xml, element);
	g_string_append(xml, tail);
	igw_fake_transport_inject(test->transport, xml->str);
}

/* the iq answer with @id: an error with @condition */
static void
test_agent_assert_error(TestAgent *test, const gchar *id, const gchar *condition)
{
	g_autofree gchar *needle = g_strdup_printf("id=\"%s\"", id);
	IgwFakeRecord *record = igw_fake_transport_find_last(test->transport, "send", needle);
	ck_assert_msg(record != NULL, "no answer to %s", id);
	ck_assert_str_eq(xmpp_stanza_get_type(record->stanza), "error");
	ck_assert_msg(g_strstr_len(record->text, -1, condition) != NULL, "%s", record->text);
}

/* a chat body beyond the gateway's limit is refused once, whatever the server lets through */
START_TEST(test_agent_chat_too_long)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	g_autofree gchar *padding = g_strnfill(10 * 1024 * 1024, ' ');
	g_autofree gchar *body = g_strconcat("set on true", padding, NULL);
	g_autofree gchar *reply = NULL;
	test_agent_chat(test, OWNER "/phone", body);
	igw_fake_thing_spin(50);
	reply = test_agent_reply(test, OWNER "/phone");
	ck_assert_str_eq(reply, "error: message too long (at most 4096 bytes)");
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "send", NULL), 1);
	ck_assert_uint_eq(test->fake->control_calls, 0);
}
END_TEST

/* XEP-0325 §3.1: one set naming 100,000 fields is refused before it is decoded */
START_TEST(test_agent_set_too_many_fields)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	test_agent_inject_repeated(test,
				   "<iq type='set' id='s1' from='" OWNER
				   "/phone'><set xmlns='urn:xmpp:iot:control'>",
				   "<boolean name='on' value='true'/>", 100000, "</set></iq>");
	igw_fake_thing_spin(50);
	test_agent_assert_error(test, "s1", "policy-violation");
	ck_assert_uint_eq(test->fake->control_calls, 0);
	/* the same set naming one field still works */
	test_agent_inject_repeated(test,
				   "<iq type='set' id='s2' from='" OWNER
				   "/phone'><set xmlns='urn:xmpp:iot:control'>",
				   "<boolean name='on' value='true'/>", 1, "</set></iq>");
	ck_assert_uint_eq(test->fake->control_calls, 1);
}
END_TEST

/* XEP-0323 §3.1: a readout naming 100,000 nodes is refused, nothing is read */
START_TEST(test_agent_readout_too_many_nodes)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	test_agent_inject_repeated(
	    test,
	    "<iq type='get' id='r1' from='" OWNER "/phone'>"
	    "<req xmlns='urn:xmpp:iot:sensordata' seqnr='1' momentary='true'>",
	    "<node nodeId='fake:kitchen'/>", 100000, "</req></iq>");
	igw_fake_thing_spin(50);
	test_agent_assert_error(test, "r1", "policy-violation");
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "send", "<fields"), 0);
}
END_TEST

/* field names count too; 20,000 as libstrophe parses children in quadratic time */
START_TEST(test_agent_readout_too_many_fields)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	test_agent_inject_repeated(
	    test,
	    "<iq type='get' id='r1' from='" OWNER "/phone'>"
	    "<req xmlns='urn:xmpp:iot:sensordata' seqnr='1' momentary='true'>",
	    "<field name='temperature'/>", 20000, "</req></iq>");
	igw_fake_thing_spin(50);
	test_agent_assert_error(test, "r1", "policy-violation");
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "send", "temperature"), 0);
}
END_TEST

static guint test_agent_refusal_lines;

static GLogWriterOutput
test_agent_count_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
			gpointer user_data)
{
	for (gsize i = 0; i < n_fields; i++) {
		if (g_strcmp0(fields[i].key, "MESSAGE") == 0 &&
		    g_strstr_len(fields[i].value, fields[i].length, "refused") != NULL)
			test_agent_refusal_lines++;
	}
	return G_LOG_WRITER_HANDLED;
}

/* 5,000 commands from a stranger: a bounded number of answers and log lines */
START_TEST(test_agent_stranger_flood)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	guint replies;
	g_log_set_writer_func(test_agent_count_writer, NULL, NULL);
	for (guint i = 0; i < 5000; i++)
		test_agent_chat(test, "mallory@localhost/x", "set on true");
	replies = igw_fake_transport_count(test->transport, "send", NULL);
	ck_assert_msg(replies <= 25, "%u replies to a flood", replies);
	ck_assert_msg(test_agent_refusal_lines <= 3, "%u log lines for a flood",
		      test_agent_refusal_lines);
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "send", "Too many requests"),
			  1);
	ck_assert_uint_eq(test->fake->control_calls, 0);
}
END_TEST

/* a flood of XEP-0323 readouts from a stranger: one log line, not one per request */
START_TEST(test_agent_stranger_iot_flood)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	g_log_set_writer_func(test_agent_count_writer, NULL, NULL);
	for (guint i = 0; i < 5000; i++)
		igw_fake_transport_inject(
		    test->transport,
		    "<iq type='get' id='r' from='mallory@localhost/x'>"
		    "<req xmlns='urn:xmpp:iot:sensordata' seqnr='1' momentary='true'/></iq>");
	ck_assert_uint_le(igw_fake_transport_count(test->transport, "send", NULL), 25);
	ck_assert_msg(test_agent_refusal_lines <= 2, "%u log lines for a flood",
		      test_agent_refusal_lines);
}
END_TEST

/* owners draw on their own budget: a stranger flood, from many names, cannot starve them */
START_TEST(test_agent_owner_during_flood)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	g_autofree gchar *reply = NULL;
	g_log_set_writer_func(test_agent_count_writer, NULL, NULL);
	for (guint i = 0; i < 5000; i++) {
		g_autofree gchar *from = g_strdup_printf("mallory%u@localhost/x", i % 50);
		test_agent_chat(test, from, "get");
	}
	ck_assert_uint_le(igw_fake_transport_count(test->transport, "send", NULL), 100);
	test_agent_chat(test, OWNER "/phone", "get temperature");
	reply = test_agent_reply(test, OWNER "/phone");
	ck_assert_str_eq(reply, "temperature: 21.2 °C");
}
END_TEST

/* an owner is limited too, and told once */
START_TEST(test_agent_owner_limited)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	g_log_set_writer_func(test_agent_count_writer, NULL, NULL);
	for (guint i = 0; i < 1000; i++)
		igw_fake_transport_inject(test->transport,
					  "<iq type='get' id='p' from='" OWNER "/phone'>"
					  "<ping xmlns='urn:xmpp:ping'/></iq>");
	/* the default owner burst, and what refilled meanwhile */
	ck_assert_uint_le(igw_fake_transport_count(test->transport, "send", "type=\"result\""),
			  210);
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "send", "policy-violation"), 1);
}
END_TEST

/* errors and group chat are never answered: no loops */
START_TEST(test_agent_no_loops)
{
	g_autoptr(TestAgent) test = test_agent_new_online();
	igw_fake_transport_inject(
	    test->transport,
	    "<message type='error' from='bob@localhost/x'><body>get</body></message>");
	igw_fake_transport_inject(
	    test->transport,
	    "<message type='groupchat' from='room@muc/bob'><body>get</body></message>");
	ck_assert_uint_eq(igw_fake_transport_get_records(test->transport)->len, 0);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("thing-agent");
	igw_test_add(suite, "agent/online-greets-owners", test_agent_online_greets_owners,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/greets-once", test_agent_greets_once, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/owner-get", test_agent_owner_get, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/unknown-field", test_agent_unknown_field, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/stranger-refused", test_agent_stranger_refused,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/owner-set", test_agent_owner_set, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/set-failure", test_agent_set_failure, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/presence-on-change", test_agent_presence_on_change,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/presence-offline", test_agent_presence_offline,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/subscription-requests", test_agent_subscription_requests,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/owner-removed", test_agent_owner_removed, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/stale-contacts", test_agent_stale_contacts,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/iq", test_agent_iq, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/momentary-actuator", test_agent_momentary_actuator,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/no-loops", test_agent_no_loops, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/chat-too-long", test_agent_chat_too_long, TEST_TIMEOUT_SECONDS);
	/* libstrophe alone takes about 12 s to parse 100,000 children */
	igw_test_add(suite, "agent/set-too-many-fields", test_agent_set_too_many_fields,
		     TEST_PARSE_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/readout-too-many-nodes", test_agent_readout_too_many_nodes,
		     TEST_PARSE_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/readout-too-many-fields", test_agent_readout_too_many_fields,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/stranger-flood", test_agent_stranger_flood,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/stranger-iot-flood", test_agent_stranger_iot_flood,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/owner-during-flood", test_agent_owner_during_flood,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "agent/owner-limited", test_agent_owner_limited, TEST_TIMEOUT_SECONDS);
	return igw_test_run(suite);
}
