/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestPubsub"

#include "config.h"

#include "igw-test.h"

#include "fake-thing.h"
#include "fake-transport.h"
#include "igw-config.h"
#include "igw-pubsub-codec.h"
#include "igw-thing-pubsub.h"

#define TEST_TIMEOUT_SECONDS 20
#define OWNER "alice@localhost"
#define THING_JID "fake-kitchen@localhost"
#define ITEM_TEMPERATURE "xmpp.iot.sensor.temperature"
#define ITEM_ON "xmpp.iot.actuator.on"
/* how a publish of each looks, as against the UI form that names them too */
#define PUBLISH_TEMPERATURE "<item id=\"" ITEM_TEMPERATURE "\">"
#define PUBLISH_ON "<item id=\"" ITEM_ON "\">"

typedef struct {
	IgwFakeThing *fake;
	IgwFakeTransport *transport;
	IgwThingAgent *agent;
	IgwConfig *config;
	IgwThingPubsub *pubsub;
} TestPubsub;

/* deadband 0.5 and no minimum interval, unless @extra says otherwise */
static TestPubsub *
test_pubsub_new(const gchar *access_model, const gchar *extra)
{
	TestPubsub *test = g_new0(TestPubsub, 1);
	const gchar *owners[] = {OWNER, NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *data =
	    g_strdup_printf("[xmpp]\ndomain=localhost\n[pubsub]\naccess_model=%s\n"
			    "deadband=0.5\nmin_interval=0\n%s",
			    access_model, extra != NULL ? extra : "");
	xmpp_initialize();
	test->config = igw_config_load_from_data("test.conf", data, &error);
	ck_assert_msg(test->config != NULL, "%s", error != NULL ? error->message : "");
	test->fake = igw_fake_thing_new();
	test->transport = igw_fake_transport_new(THING_JID);
	test->agent = igw_thing_agent_new(IGW_TRANSPORT(test->transport), test->fake->context,
					  test->fake->plugin, test->fake->thing);
	igw_thing_agent_set_owners(test->agent, owners);
	igw_thing_agent_set_control(test->agent, test->fake->control);
	igw_thing_agent_set_greeted(test->agent, TRUE);
	test->pubsub =
	    igw_thing_pubsub_new(IGW_TRANSPORT(test->transport), test->fake->context,
				 test->fake->plugin, test->fake->thing, test->agent, test->config);
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(21.2));
	return test;
}

static void
test_pubsub_free(TestPubsub *test)
{
	igw_thing_pubsub_free(test->pubsub);
	g_object_unref(test->agent);
	g_object_unref(test->transport);
	igw_fake_thing_free(test->fake);
	igw_config_free(test->config);
	g_free(test);
	xmpp_shutdown();
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestPubsub, test_pubsub_free)

/* the service answers the last request that contains @needle: a result, or @condition */
static void
test_pubsub_answer(TestPubsub *test, const gchar *needle, const gchar *condition)
{
	IgwFakeRecord *record = igw_fake_transport_find_last(test->transport, "pubsub", needle);
	g_autofree gchar *dump = igw_fake_transport_dump(test->transport);
	g_autofree gchar *xml = NULL;
	ck_assert_msg(record != NULL, "no request with %s:%s", needle, dump);
	if (condition == NULL)
		xml = g_strdup_printf("<iq type='result' id='%s' from='" THING_JID "'/>",
				      xmpp_stanza_get_id(record->stanza));
	else
		xml = g_strdup_printf(
		    "<iq type='error' id='%s' from='" THING_JID "'><error type='cancel'>"
		    "<%s xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
		    xmpp_stanza_get_id(record->stanza), condition);
	igw_fake_transport_inject(test->transport, xml);
}

/* online, nodes found, the access model taken: ready, nothing recorded */
static TestPubsub *
test_pubsub_new_ready(const gchar *extra)
{
	TestPubsub *test = test_pubsub_new("whitelist", extra);
	igw_fake_transport_set_online(test->transport, TRUE);
	test_pubsub_answer(test, "disco#items", NULL);
	test_pubsub_answer(test, IGW_PUBSUB_NODE_UI, NULL);
	ck_assert_str_eq(igw_thing_pubsub_describe(test->pubsub), "whitelist");
	igw_fake_transport_clear(test->transport);
	return test;
}

/* the <val/> of the last publish of @item_id, as text */
static gchar *
test_pubsub_last_val(TestPubsub *test, const gchar *item_id)
{
	g_autofree gchar *needle = g_strdup_printf("<item id=\"%s\">", item_id);
	IgwFakeRecord *record = igw_fake_transport_find_last(test->transport, "pubsub", needle);
	g_autofree gchar *dump = igw_fake_transport_dump(test->transport);
	xmpp_stanza_t *pubsub;
	xmpp_stanza_t *publish;
	xmpp_stanza_t *item;
	xmpp_stanza_t *val;
	ck_assert_msg(record != NULL, "no publish of %s:%s", item_id, dump);
	/* no "to": the transport addresses it */
	ck_assert_ptr_null(xmpp_stanza_get_to(record->stanza));
	pubsub = xmpp_stanza_get_child_by_ns(record->stanza, IGW_NS_PUBSUB);
	publish = xmpp_stanza_get_child_by_name(pubsub, "publish");
	item = xmpp_stanza_get_child_by_name(publish, "item");
	val = xmpp_stanza_get_child_by_name(item, "val");
	ck_assert_ptr_nonnull(val);
	return xmpp_stanza_get_text(val);
}

/* online: disco#items of its own service, then the UI with the asked access model */
START_TEST(test_pubsub_login)
{
	g_autoptr(TestPubsub) test = test_pubsub_new("whitelist", NULL);
	IgwFakeRecord *record;
	g_autofree gchar *dump = NULL;
	igw_fake_transport_set_online(test->transport, TRUE);
	record = igw_fake_transport_find_last(test->transport, "pubsub", NULL);
	ck_assert_ptr_nonnull(record);
	ck_assert_msg(g_strstr_len(record->text, -1, "disco#items") != NULL, "%s", record->text);
	ck_assert_ptr_null(xmpp_stanza_get_to(record->stanza));
	test_pubsub_answer(test, "disco#items", NULL);
	record = igw_fake_transport_find_last(test->transport, "pubsub", NULL);
	ck_assert_msg(g_strstr_len(record->text, -1, "node=\"" IGW_PUBSUB_NODE_UI "\"") != NULL,
		      "%s", record->text);
	ck_assert_msg(g_strstr_len(record->text, -1, "<value>whitelist</value>") != NULL, "%s",
		      record->text);
	ck_assert_ptr_null(igw_thing_pubsub_describe(test->pubsub));
	test_pubsub_answer(test, IGW_PUBSUB_NODE_UI, NULL);
	ck_assert_str_eq(igw_thing_pubsub_describe(test->pubsub), "whitelist");
	/* everything it knows, and the owners as members of the UI node */
	dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(igw_fake_transport_count(test->transport, "pubsub", PUBLISH_TEMPERATURE) == 1,
		      "%s", dump);
	test_pubsub_answer(test, PUBLISH_TEMPERATURE, NULL);
	dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(
	    igw_fake_transport_count(test->transport, "pubsub", "affiliation=\"member\"") >= 1,
	    "%s", dump);
	/* nothing of it went around the transport's pubsub */
	ck_assert_msg(igw_fake_transport_count(test->transport, "send", NULL) == 0, "%s", dump);
}
END_TEST

/* the roster model: the owners go in the transport's contact group */
START_TEST(test_pubsub_roster_group)
{
	g_autoptr(TestPubsub) test = test_pubsub_new("roster", NULL);
	const gchar *two[] = {OWNER, "bob@localhost", NULL};
	igw_fake_transport_set_online(test->transport, TRUE);
	ck_assert_uint_eq(
	    igw_fake_transport_count(test->transport, "group", OWNER " " IGW_PUBSUB_ROSTER_GROUP),
	    1);
	/* an owner added later joins it at once */
	igw_thing_agent_set_owners(test->agent, two);
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "group",
						   "bob@localhost " IGW_PUBSUB_ROSTER_GROUP),
			  1);
}
END_TEST

/* a refused access model falls back: roster -> whitelist -> presence */
START_TEST(test_pubsub_fallback)
{
	g_autoptr(TestPubsub) test = test_pubsub_new("roster", NULL);
	igw_fake_transport_set_online(test->transport, TRUE);
	test_pubsub_answer(test, "disco#items", NULL);
	test_pubsub_answer(test, "<value>roster</value>", "not-acceptable");
	test_pubsub_answer(test, "<value>whitelist</value>", "not-acceptable");
	test_pubsub_answer(test, "<value>presence</value>", NULL);
	ck_assert_str_eq(igw_thing_pubsub_describe(test->pubsub),
			 "presence (roster refused by the server)");
}
END_TEST

START_TEST(test_pubsub_no_pep)
{
	g_autoptr(TestPubsub) test = test_pubsub_new("whitelist", NULL);
	igw_fake_transport_set_online(test->transport, TRUE);
	test_pubsub_answer(test, "disco#items", "service-unavailable");
	ck_assert_str_eq(igw_thing_pubsub_describe(test->pubsub),
			 "off (no PEP service: service-unavailable)");
	igw_fake_transport_clear(test->transport);
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(30.0));
	ck_assert_uint_eq(igw_fake_transport_get_records(test->transport)->len, 0);
}
END_TEST

/* a reading is published once it moved beyond the deadband */
START_TEST(test_pubsub_deadband)
{
	g_autoptr(TestPubsub) test = test_pubsub_new_ready(NULL);
	g_autofree gchar *val = NULL;
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(21.6));
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "pubsub", PUBLISH_TEMPERATURE),
			  0);
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(21.8));
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "pubsub", PUBLISH_TEMPERATURE),
			  1);
	val = test_pubsub_last_val(test, ITEM_TEMPERATURE);
	ck_assert_str_eq(val, "21.8");
	/* measured from what was published, not from the last reading */
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(21.4));
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "pubsub", PUBLISH_TEMPERATURE),
			  1);
}
END_TEST

/* a minimum interval holds a change back, and publishes the last state at its end */
START_TEST(test_pubsub_min_interval)
{
	g_autoptr(TestPubsub) test = test_pubsub_new_ready("min_interval.temperature=1\n");
	g_autofree gchar *val = NULL;
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(25.0));
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(26.0));
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "pubsub", PUBLISH_TEMPERATURE),
			  0);
	while (igw_fake_transport_count(test->transport, "pubsub", PUBLISH_TEMPERATURE) == 0)
		igw_fake_thing_spin(50);
	val = test_pubsub_last_val(test, ITEM_TEMPERATURE);
	ck_assert_str_eq(val, "26.0");
}
END_TEST

/* a reading the plugin marks as news: a second press, a heartbeat */
static void
test_pubsub_report_news(TestPubsub *test, const gchar *field, GVariant *value)
{
	g_autoptr(IgwReading) reading =
	    igw_reading_new(igw_thing_get_id(test->fake->thing), field, value, g_get_real_time());
	igw_reading_set_flags(reading, IGW_READING_FLAG_NEWS);
	igw_context_report_reading(test->fake->context, reading);
}

/* news is published each time, equal value, deadband and minimum interval notwithstanding */
START_TEST(test_pubsub_news)
{
	g_autoptr(TestPubsub) test = test_pubsub_new_ready("min_interval.temperature=60\n");
	test_pubsub_report_news(test, "temperature", g_variant_new_double(21.2));
	test_pubsub_report_news(test, "temperature", g_variant_new_double(21.2));
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "pubsub", PUBLISH_TEMPERATURE),
			  2);
	/* the same value without the mark is a repeat, as before */
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(21.2));
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "pubsub", PUBLISH_TEMPERATURE),
			  2);
}
END_TEST

static void
test_pubsub_event(TestPubsub *test, const gchar *from, const gchar *publisher, const gchar *value)
{
	g_autofree gchar *xml = g_strdup_printf(
	    "<message from='%s' to='" THING_JID "/iotgw'><event xmlns='" IGW_NS_PUBSUB_EVENT "'>"
	    "<items node='" IGW_PUBSUB_NODE_ACTUATORS "'><item id='" ITEM_ON "' publisher='%s'>"
	    "<val xmlns='" IGW_NS_UWPX_IOT
	    "' type='bool'>%s</val></item></items></event></message>",
	    from, publisher, value);
	igw_fake_transport_inject(test->transport, xml);
}

/* an owner's publish to an actuator is applied; the confirmed state is published */
START_TEST(test_pubsub_owner_control)
{
	g_autoptr(TestPubsub) test = test_pubsub_new_ready(NULL);
	g_autofree gchar *val = NULL;
	test_pubsub_event(test, THING_JID, OWNER, "1");
	ck_assert_uint_eq(test->fake->control_calls, 1);
	while (igw_fake_transport_count(test->transport, "pubsub", PUBLISH_ON) == 0)
		igw_fake_thing_spin(10);
	val = test_pubsub_last_val(test, ITEM_ON);
	ck_assert_str_eq(val, "1");
	ck_assert_uint_eq(igw_thing_pubsub_get_ignored(test->pubsub), 0);
}
END_TEST

/* a stranger's publish is ignored and the item restored; other services are not ours */
START_TEST(test_pubsub_stranger_ignored)
{
	g_autoptr(TestPubsub) test = test_pubsub_new_ready(NULL);
	igw_fake_thing_report(test->fake, "on", g_variant_new_boolean(FALSE));
	test_pubsub_event(test, THING_JID, "mallory@localhost", "1");
	igw_fake_thing_spin(20);
	ck_assert_uint_eq(test->fake->control_calls, 0);
	ck_assert_uint_eq(igw_thing_pubsub_get_ignored(test->pubsub), 1);
	test_pubsub_event(test, "someone-else@localhost", OWNER, "1");
	igw_fake_thing_spin(20);
	ck_assert_uint_eq(test->fake->control_calls, 0);
	ck_assert_uint_eq(igw_thing_pubsub_get_ignored(test->pubsub), 1);
}
END_TEST

/* the requests that take @jid's affiliation and subscription on @node */
static void
test_pubsub_assert_revoked(TestPubsub *test, const gchar *node, const gchar *jid)
{
	g_autofree gchar *affiliation = g_strdup_printf(
	    "<affiliations node=\"%s\"><affiliation jid=\"%s\" affiliation=\"none\"/>", node, jid);
	g_autofree gchar *subscription = g_strdup_printf(
	    "<subscriptions node=\"%s\"><subscription jid=\"%s\" subscription=\"none\"/>", node,
	    jid);
	g_autofree gchar *dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(igw_fake_transport_count(test->transport, "pubsub", affiliation) == 1,
		      "no %s:%s", affiliation, dump);
	ck_assert_msg(igw_fake_transport_count(test->transport, "pubsub", subscription) == 1,
		      "no %s:%s", subscription, dump);
}

/* ready, with the sensors and actuators nodes prepared */
static TestPubsub *
test_pubsub_new_prepared(void)
{
	TestPubsub *test = test_pubsub_new("whitelist", NULL);
	igw_fake_transport_set_online(test->transport, TRUE);
	test_pubsub_answer(test, "disco#items", NULL);
	test_pubsub_answer(test, IGW_PUBSUB_NODE_UI, NULL);
	igw_fake_thing_report(test->fake, "on", g_variant_new_boolean(FALSE));
	test_pubsub_answer(test, PUBLISH_TEMPERATURE, NULL);
	test_pubsub_answer(test, PUBLISH_ON, NULL);
	ck_assert_uint_eq(
	    igw_fake_transport_count(test->transport, "pubsub", "affiliation=\"publisher\""), 1);
	igw_fake_transport_clear(test->transport);
	return test;
}

/* a removed owner keeps no affiliation or subscription on any node, the
 * publisher affiliation of the actuators included */
START_TEST(test_pubsub_owner_removed)
{
	g_autoptr(TestPubsub) test = test_pubsub_new_prepared();
	const gchar *owners[] = {"bob@localhost", NULL};
	igw_thing_agent_set_owners(test->agent, owners);
	test_pubsub_assert_revoked(test, IGW_PUBSUB_NODE_SENSORS, OWNER);
	test_pubsub_assert_revoked(test, IGW_PUBSUB_NODE_ACTUATORS, OWNER);
}
END_TEST

/* an owner added later gets in at once: publisher of the actuators, member
 * of the others; given back after a removal it is not revoked again */
START_TEST(test_pubsub_owner_added)
{
	g_autoptr(TestPubsub) test = test_pubsub_new_prepared();
	const gchar *two[] = {OWNER, "bob@localhost", NULL};
	const gchar *one[] = {OWNER, NULL};
	g_autofree gchar *dump = NULL;
	igw_thing_agent_set_owners(test->agent, two);
	dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(igw_fake_transport_count(test->transport, "pubsub",
					       "<affiliations node=\"" IGW_PUBSUB_NODE_ACTUATORS
					       "\"><affiliation jid=\"bob@localhost\" "
					       "affiliation=\"publisher\"/>") == 1,
		      "%s", dump);
	ck_assert_msg(igw_fake_transport_count(test->transport, "pubsub",
					       "<affiliations node=\"" IGW_PUBSUB_NODE_SENSORS
					       "\"><affiliation jid=\"bob@localhost\" "
					       "affiliation=\"member\"/>") == 1,
		      "%s", dump);
	ck_assert_msg(igw_fake_transport_count(test->transport, "pubsub", OWNER) == 0, "%s", dump);
	igw_thing_agent_set_owners(test->agent, one);
	test_pubsub_assert_revoked(test, IGW_PUBSUB_NODE_ACTUATORS, "bob@localhost");
}
END_TEST

/* removed while the gateway was off: the login's roster names the ex-owner
 * before the nodes are ready; each node is cleaned when it is */
START_TEST(test_pubsub_stale_contact)
{
	g_autoptr(TestPubsub) test = test_pubsub_new("whitelist", NULL);
	const gchar *owners[] = {"bob@localhost", NULL};
	const gchar *contacts[] = {OWNER, "bob@localhost", NULL};
	igw_thing_agent_set_owners(test->agent, owners);
	igw_fake_transport_set_online(test->transport, TRUE);
	igw_fake_transport_set_contacts(test->transport, contacts);
	test_pubsub_answer(test, "disco#items", NULL);
	test_pubsub_answer(test, IGW_PUBSUB_NODE_UI, NULL);
	test_pubsub_assert_revoked(test, IGW_PUBSUB_NODE_UI, OWNER);
	test_pubsub_answer(test, PUBLISH_TEMPERATURE, NULL);
	test_pubsub_assert_revoked(test, IGW_PUBSUB_NODE_SENSORS, OWNER);
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "pubsub",
						   "bob@localhost\" "
						   "affiliation=\"none\""),
			  0);
}
END_TEST

/* an item only a non-owner could have put there is retracted; one of ours
 * gets our value back */
START_TEST(test_pubsub_foreign_item_retracted)
{
	g_autoptr(TestPubsub) test = test_pubsub_new_prepared();
	g_autofree gchar *dump = NULL;
	igw_fake_transport_inject(
	    test->transport, "<message from='" THING_JID "' to='" THING_JID
			     "/iotgw'><event xmlns='" IGW_NS_PUBSUB_EVENT
			     "'><items node='" IGW_PUBSUB_NODE_ACTUATORS "'><item id='graffiti' "
			     "publisher='" OWNER "/x'><val xmlns='" IGW_NS_UWPX_IOT
			     "' type='bool'>1</val></item></items></event></message>");
	dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(igw_fake_transport_count(test->transport, "pubsub",
					       "<retract node=\"" IGW_PUBSUB_NODE_ACTUATORS
					       "\"><item id=\"graffiti\"/>") == 1,
		      "%s", dump);
	ck_assert_uint_eq(test->fake->control_calls, 0);
	igw_fake_transport_clear(test->transport);
	test_pubsub_event(test, THING_JID, "mallory@localhost", "1");
	dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(igw_fake_transport_count(test->transport, "pubsub", PUBLISH_ON) == 1, "%s",
		      dump);
	ck_assert_msg(igw_fake_transport_count(test->transport, "pubsub", "<retract") == 0, "%s",
		      dump);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("thing-pubsub");
	igw_test_add(suite, "pubsub/login", test_pubsub_login, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/roster-group", test_pubsub_roster_group, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/fallback", test_pubsub_fallback, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/no-pep", test_pubsub_no_pep, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/deadband", test_pubsub_deadband, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/min-interval", test_pubsub_min_interval, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/news", test_pubsub_news, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/owner-control", test_pubsub_owner_control,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/stranger-ignored", test_pubsub_stranger_ignored,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/owner-removed", test_pubsub_owner_removed,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/owner-added", test_pubsub_owner_added, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/stale-contact", test_pubsub_stale_contact,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "pubsub/foreign-item-retracted", test_pubsub_foreign_item_retracted,
		     TEST_TIMEOUT_SECONDS);
	return igw_test_run(suite);
}
