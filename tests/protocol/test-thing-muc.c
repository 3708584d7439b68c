/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestMuc"

#include "config.h"

#include "igw-test.h"

#include "fake-thing.h"
#include "fake-transport.h"
#include "igw-config.h"
#include "igw-thing-muc.h"

#define TEST_TIMEOUT_SECONDS 20
#define OWNER "alice@localhost"
#define ROOM "sensors@conference.localhost"
#define OTHER_ROOM "doors@conference.localhost"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"

/* a thing with rooms for temperature and for doors (which it has none of) */
typedef struct {
	IgwFakeThing *fake;
	IgwFakeTransport *transport;
	IgwThingAgent *agent;
	IgwThingMuc *muc;
} TestMuc;

static GPtrArray *
test_muc_rooms(void)
{
	GPtrArray *rooms = g_ptr_array_new_with_free_func((GDestroyNotify)igw_config_room_free);
	const gchar *topics[] = {"temp*", NULL};
	const gchar *door_topics[] = {"door", NULL};
	IgwConfigRoom sensors = {.jid = (gchar *)ROOM, .topics = (GStrv)topics, .threshold = 0.5};
	IgwConfigRoom doors = {.jid = (gchar *)OTHER_ROOM, .topics = (GStrv)door_topics};
	g_ptr_array_add(rooms, igw_config_room_copy(&sensors));
	g_ptr_array_add(rooms, igw_config_room_copy(&doors));
	return rooms;
}

static TestMuc *
test_muc_new(void)
{
	TestMuc *test = g_new0(TestMuc, 1);
	const gchar *owners[] = {OWNER, NULL};
	g_autoptr(GPtrArray) rooms = test_muc_rooms();
	xmpp_initialize();
	test->fake = igw_fake_thing_new();
	test->transport = igw_fake_transport_new("fake-kitchen@localhost");
	test->agent = igw_thing_agent_new(IGW_TRANSPORT(test->transport), test->fake->context,
					  test->fake->plugin, test->fake->thing);
	igw_thing_agent_set_owners(test->agent, owners);
	igw_thing_agent_set_control(test->agent, test->fake->control);
	igw_thing_agent_set_greeted(test->agent, TRUE);
	test->muc = igw_thing_muc_new(IGW_TRANSPORT(test->transport), test->fake->context,
				      test->fake->plugin, test->fake->thing, test->agent, rooms);
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(21.2));
	return test;
}

static void
test_muc_free(TestMuc *test)
{
	igw_thing_muc_free(test->muc);
	g_object_unref(test->agent);
	g_object_unref(test->transport);
	igw_fake_thing_free(test->fake);
	g_free(test);
	xmpp_shutdown();
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestMuc, test_muc_free)

/* the room's answer to a join: its occupants, then our own presence (110) */
static void
test_muc_room_answers(TestMuc *test, const gchar *status)
{
	g_autofree gchar *self =
	    g_strdup_printf("<presence from='" ROOM "/Kitchen'><x xmlns='" NS_MUC_USER "'>"
			    "<item affiliation='owner' role='moderator'/>"
			    "<status code='110'/>%s</x></presence>",
			    status);
	igw_fake_transport_inject(test->transport,
				  "<presence from='" ROOM "/alice'><x xmlns='" NS_MUC_USER "'>"
				  "<item affiliation='member' role='participant' jid='" OWNER
				  "/phone'/></x></presence>");
	igw_fake_transport_inject(test->transport,
				  "<presence from='" ROOM "/bob'><x xmlns='" NS_MUC_USER "'>"
				  "<item affiliation='none' role='participant'/></x></presence>");
	igw_fake_transport_inject(test->transport, self);
}

/* online and in the room, with nothing recorded yet */
static TestMuc *
test_muc_new_joined(void)
{
	TestMuc *test = test_muc_new();
	igw_fake_transport_set_online(test->transport, TRUE);
	test_muc_room_answers(test, "");
	ck_assert_uint_eq(igw_thing_muc_get_joined(test->muc), 1);
	igw_fake_transport_clear(test->transport);
	return test;
}

static void
test_muc_say(TestMuc *test, const gchar *nick, const gchar *body)
{
	g_autofree gchar *xml =
	    g_strdup_printf("<message type='groupchat' from='" ROOM "/%s' id='g1'>"
			    "<body>%s</body></message>",
			    nick, body);
	igw_fake_transport_inject(test->transport, xml);
}

/* the body of the last groupchat message */
static gchar *
test_muc_last_post(TestMuc *test)
{
	IgwFakeRecord *record =
	    igw_fake_transport_find_last(test->transport, "send", "type=\"groupchat\"");
	g_autofree gchar *dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(record != NULL, "nothing said in the room:%s", dump);
	ck_assert_msg(g_strstr_len(record->text, -1, "to=\"" ROOM "\"") != NULL, "%s",
		      record->text);
	return igw_fake_record_get_body(record);
}

/* online: a join for the room of its topics, with no history; none for the other */
START_TEST(test_muc_join)
{
	g_autoptr(TestMuc) test = test_muc_new();
	IgwFakeRecord *join;
	ck_assert_uint_eq(igw_fake_transport_get_records(test->transport)->len, 0);
	igw_fake_transport_set_online(test->transport, TRUE);
	join = igw_fake_transport_find_last(test->transport, "send", "to=\"" ROOM "/Kitchen\"");
	ck_assert_ptr_nonnull(join);
	ck_assert_str_eq(xmpp_stanza_get_name(join->stanza), "presence");
	ck_assert_msg(g_strstr_len(join->text, -1, "<history maxstanzas=\"0\"/>") != NULL, "%s",
		      join->text);
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "send", OTHER_ROOM), 0);
	ck_assert_uint_eq(igw_thing_muc_get_joined(test->muc), 0);
	test_muc_room_answers(test, "");
	ck_assert_uint_eq(igw_thing_muc_get_joined(test->muc), 1);
}
END_TEST

/* a room we created (201) is configured, and the owners own it */
START_TEST(test_muc_created_room)
{
	g_autoptr(TestMuc) test = test_muc_new();
	g_autofree gchar *dump = NULL;
	igw_fake_transport_set_online(test->transport, TRUE);
	test_muc_room_answers(test, "<status code='201'/>");
	dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(igw_fake_transport_count(test->transport, "send", "muc#roomconfig_whois") ==
			  1,
		      "%s", dump);
	ck_assert_msg(igw_fake_transport_count(test->transport, "send", "muc#admin") == 1, "%s",
		      dump);
	ck_assert_msg(igw_fake_transport_count(test->transport, "send", "jid=\"" OWNER "\"") == 1,
		      "%s", dump);
}
END_TEST

/* a taken nick: the next one */
START_TEST(test_muc_nick_conflict)
{
	g_autoptr(TestMuc) test = test_muc_new();
	igw_fake_transport_set_online(test->transport, TRUE);
	igw_fake_transport_inject(
	    test->transport,
	    "<presence type='error' from='" ROOM "/Kitchen'><error type='cancel'>"
	    "<conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>");
	ck_assert_uint_eq(
	    igw_fake_transport_count(test->transport, "send", "to=\"" ROOM "/Kitchen-2\""), 1);
}
END_TEST

START_TEST(test_muc_get)
{
	g_autoptr(TestMuc) test = test_muc_new_joined();
	g_autofree gchar *all = NULL;
	g_autofree gchar *one = NULL;
	test_muc_say(test, "bob", "Kitchen: get");
	all = test_muc_last_post(test);
	ck_assert_str_eq(
	    all, "bob: temperature 21.2 °C, humidity (no reading yet), on (no reading yet)");
	test_muc_say(test, "bob", "kitchen, get temperature");
	one = test_muc_last_post(test);
	ck_assert_str_eq(one, "bob: temperature 21.2 °C");
}
END_TEST

/* not addressed, our own echo, history: never answered */
START_TEST(test_muc_no_loops)
{
	g_autoptr(TestMuc) test = test_muc_new_joined();
	test_muc_say(test, "bob", "get");
	test_muc_say(test, "Kitchen", "Kitchen: get");
	igw_fake_transport_inject(
	    test->transport,
	    "<message type='groupchat' from='" ROOM "/bob'><body>Kitchen: get</body>"
	    "<delay xmlns='urn:xmpp:delay' stamp='2026-01-01T00:00:00Z'/></message>");
	ck_assert_uint_eq(igw_fake_transport_get_records(test->transport)->len, 0);
}
END_TEST

/* set: an owner (known by the real JID the room shows) yes, others no */
START_TEST(test_muc_set)
{
	g_autoptr(TestMuc) test = test_muc_new_joined();
	g_autofree gchar *refused = NULL;
	g_autofree gchar *done = NULL;
	test_muc_say(test, "bob", "Kitchen: set on true");
	refused = test_muc_last_post(test);
	ck_assert_str_eq(
	    refused,
	    "bob: sorry, only my owners may set, and this room hides your real JID from me");
	ck_assert_uint_eq(test->fake->control_calls, 0);
	test_muc_say(test, "alice", "Kitchen: set on true");
	ck_assert_uint_eq(test->fake->control_calls, 1);
	while (igw_fake_transport_count(test->transport, "send", "alice: on") == 0)
		igw_fake_thing_spin(10);
	done = test_muc_last_post(test);
	ck_assert_str_eq(done, "alice: on: true");
}
END_TEST

/* readings of its topics beyond the room's threshold are posted */
START_TEST(test_muc_post_readings)
{
	g_autoptr(TestMuc) test = test_muc_new_joined();
	g_autofree gchar *first = NULL;
	g_autofree gchar *moved = NULL;
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(21.5));
	first = test_muc_last_post(test);
	ck_assert_str_eq(first, "Kitchen: temperature 21.5 °C");
	/* within the threshold: quiet */
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(21.9));
	/* not a topic of the room */
	igw_fake_thing_report(test->fake, "humidity", g_variant_new_int64(60));
	ck_assert_uint_eq(igw_fake_transport_count(test->transport, "send", "groupchat"), 1);
	igw_fake_thing_report(test->fake, "temperature", g_variant_new_double(22.1));
	moved = test_muc_last_post(test);
	ck_assert_str_eq(moved, "Kitchen: temperature 22.1 °C");
}
END_TEST

/* a new stream is in no room: it joins again */
START_TEST(test_muc_rejoin_after_login)
{
	g_autoptr(TestMuc) test = test_muc_new_joined();
	igw_fake_transport_set_online(test->transport, TRUE);
	ck_assert_uint_eq(igw_thing_muc_get_joined(test->muc), 0);
	ck_assert_uint_eq(
	    igw_fake_transport_count(test->transport, "send", "to=\"" ROOM "/Kitchen\""), 1);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("thing-muc");
	igw_test_add(suite, "muc/join", test_muc_join, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "muc/created-room", test_muc_created_room, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "muc/nick-conflict", test_muc_nick_conflict, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "muc/get", test_muc_get, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "muc/no-loops", test_muc_no_loops, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "muc/set", test_muc_set, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "muc/post-readings", test_muc_post_readings, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "muc/rejoin-after-login", test_muc_rejoin_after_login,
		     TEST_TIMEOUT_SECONDS);
	return igw_test_run(suite);
}
