/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestRoster"

#include "config.h"

#include "igw-test.h"

#include "igw-transport.h"
#include "igw-xmpp-roster.h"

#define TEST_TIMEOUT_SECONDS 10
#define OWN_BARE "fake-kitchen@localhost"

/* the c2s session's roster: who sees the account's presence, from stanzas alone */
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

static gchar *
test_text(xmpp_stanza_t *stanza)
{
	gchar *buf = NULL;
	size_t len = 0;
	gchar *text;
	ck_assert_int_eq(xmpp_stanza_to_text(stanza, &buf, &len), XMPP_EOK);
	text = g_strndup(buf, len);
	xmpp_free(test_ctx, buf);
	return text;
}

/* TRUE if the roster took it; *reply_text: what it answers, or NULL */
static gboolean
test_handle(IgwXmppRoster *roster, const gchar *xml, gchar **reply_text)
{
	g_autoptr(xmpp_stanza_t) stanza = xmpp_stanza_new_from_string(test_ctx, xml);
	g_autoptr(xmpp_stanza_t) reply = NULL;
	gboolean taken;
	ck_assert_ptr_nonnull(stanza);
	taken = igw_xmpp_roster_handle(roster, stanza, OWN_BARE, &reply);
	*reply_text = reply != NULL ? test_text(reply) : NULL;
	return taken;
}

/* after a login: fetch; "from" and "both" see our presence, "to" and "none" do not */
START_TEST(test_roster_fetch)
{
	g_autoptr(IgwXmppRoster) roster = igw_xmpp_roster_new("test");
	g_autoptr(xmpp_stanza_t) request = igw_xmpp_roster_restart(roster, test_ctx);
	g_autofree gchar *request_text = test_text(request);
	g_autofree gchar *reply = NULL;
	gboolean taken;
	ck_assert_str_eq(
	    request_text,
	    "<iq id=\"igw-roster-get\" type=\"get\"><query xmlns=\"jabber:iq:roster\"/></iq>");
	taken = test_handle(roster,
			    "<iq type='result' id='igw-roster-get' to='" OWN_BARE "/iotgw'>"
			    "<query xmlns='jabber:iq:roster'>"
			    "<item jid='alice@localhost' subscription='both'/>"
			    "<item jid='bob@localhost' subscription='from'/>"
			    "<item jid='carol@localhost' subscription='to'/>"
			    "<item jid='dave@localhost' subscription='none' ask='subscribe'/>"
			    "</query></iq>",
			    &reply);
	ck_assert(taken);
	ck_assert_ptr_null(reply);
	ck_assert(igw_xmpp_roster_is_subscribed(roster, "Alice@localhost/phone"));
	ck_assert(igw_xmpp_roster_is_subscribed(roster, "bob@localhost"));
	ck_assert(!igw_xmpp_roster_is_subscribed(roster, "carol@localhost"));
	ck_assert(!igw_xmpp_roster_is_subscribed(roster, "dave@localhost"));
	/* a new stream starts from nothing */
	g_clear_pointer(&request, xmpp_stanza_release);
	request = igw_xmpp_roster_restart(roster, test_ctx);
	ck_assert(!igw_xmpp_roster_is_subscribed(roster, "alice@localhost"));
}
END_TEST

/* pushes change it and are acknowledged (RFC 6121 2.1.6), from the server or the account */
START_TEST(test_roster_push)
{
	g_autoptr(IgwXmppRoster) roster = igw_xmpp_roster_new("test");
	g_autofree gchar *reply = NULL;
	g_autofree gchar *reply2 = NULL;
	ck_assert(test_handle(roster,
			      "<iq type='set' id='push1'><query xmlns='jabber:iq:roster'>"
			      "<item jid='alice@localhost' subscription='from'/></query></iq>",
			      &reply));
	ck_assert_str_eq(reply, "<iq id=\"push1\" type=\"result\"/>");
	ck_assert(igw_xmpp_roster_is_subscribed(roster, "alice@localhost"));
	ck_assert(test_handle(roster,
			      "<iq type='set' id='push2' from='" OWN_BARE
			      "'><query xmlns='jabber:iq:roster'>"
			      "<item jid='alice@localhost' subscription='remove'/></query></iq>",
			      &reply2));
	ck_assert_ptr_nonnull(reply2);
	ck_assert(!igw_xmpp_roster_is_subscribed(roster, "alice@localhost"));
}
END_TEST

/* a "push" from anyone else is not one: left to the protocol code, which refuses it */
START_TEST(test_roster_forged_push)
{
	g_autoptr(IgwXmppRoster) roster = igw_xmpp_roster_new("test");
	g_autofree gchar *reply = NULL;
	ck_assert(!test_handle(
	    roster,
	    "<iq type='set' id='evil' from='mallory@localhost/x'><query xmlns='jabber:iq:roster'>"
	    "<item jid='mallory@localhost' subscription='both'/></query></iq>",
	    &reply));
	ck_assert_ptr_null(reply);
	ck_assert(!igw_xmpp_roster_is_subscribed(roster, "mallory@localhost"));
	/* nor are other iqs, messages or answers to others' requests */
	ck_assert(!test_handle(roster, "<iq type='result' id='igwps-3'/>", &reply));
	ck_assert(!test_handle(roster, "<message from='alice@localhost'><body>hi</body></message>",
			       &reply));
}
END_TEST

/* the owners' group for the "roster" access model; a refusal is the roster's too */
START_TEST(test_roster_group)
{
	g_autoptr(IgwXmppRoster) roster = igw_xmpp_roster_new("test");
	g_autoptr(xmpp_stanza_t) iq =
	    igw_xmpp_roster_new_group_item(roster, test_ctx, "alice@example.org", "iotgw-owners");
	g_autofree gchar *text = test_text(iq);
	g_autofree gchar *error_xml = NULL;
	g_autofree gchar *reply = NULL;
	ck_assert_str_eq(
	    text, "<iq id=\"igw-roster-1\" type=\"set\"><query xmlns=\"jabber:iq:roster\"><item "
		  "jid=\"alice@example.org\"><group>iotgw-owners</group></item></query></iq>");
	error_xml = g_strdup_printf(
	    "<iq type='error' id='%s'><error type='cancel'>"
	    "<not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
	    xmpp_stanza_get_id(iq));
	ck_assert(test_handle(roster, error_xml, &reply));
	ck_assert_ptr_null(reply);
}
END_TEST

/* what the agent and the engine set: approved and cancelled */
START_TEST(test_roster_set_subscribed)
{
	g_autoptr(IgwXmppRoster) roster = igw_xmpp_roster_new("test");
	igw_xmpp_roster_set_subscribed(roster, "Alice@Localhost/x", TRUE);
	ck_assert(igw_xmpp_roster_is_subscribed(roster, "alice@localhost"));
	igw_xmpp_roster_set_subscribed(roster, "alice@localhost", FALSE);
	ck_assert(!igw_xmpp_roster_is_subscribed(roster, "alice@localhost"));
}
END_TEST

static gboolean
test_has(gchar **contacts, const gchar *jid)
{
	return contacts != NULL && g_strv_contains((const gchar *const *)contacts, jid);
}

/* removing a contact (RFC 6121 2.5.2); the contacts of the fetch, kept by pushes */
START_TEST(test_roster_remove)
{
	g_autoptr(IgwXmppRoster) roster = igw_xmpp_roster_new("test");
	g_autoptr(xmpp_stanza_t) request = igw_xmpp_roster_restart(roster, test_ctx);
	g_autoptr(xmpp_stanza_t) iq =
	    igw_xmpp_roster_new_remove_item(roster, test_ctx, "alice@localhost");
	g_autofree gchar *text = test_text(iq);
	g_autofree gchar *reply = NULL;
	g_autofree gchar *reply2 = NULL;
	g_auto(GStrv) contacts = NULL;
	g_auto(GStrv) after = NULL;
	ck_assert_str_eq(text, "<iq id=\"igw-roster-1\" type=\"set\"><query "
			       "xmlns=\"jabber:iq:roster\"><item jid=\"alice@localhost\" "
			       "subscription=\"remove\"/></query></iq>");
	/* unknown until the fetch answers */
	ck_assert_ptr_nonnull(request);
	ck_assert_ptr_null(igw_xmpp_roster_dup_contacts(roster));
	ck_assert(test_handle(roster,
			      "<iq type='result' id='igw-roster-get'>"
			      "<query xmlns='jabber:iq:roster'>"
			      "<item jid='Alice@localhost' subscription='both'/>"
			      "<item jid='carol@localhost' subscription='none' ask='subscribe'/>"
			      "</query></iq>",
			      &reply));
	contacts = igw_xmpp_roster_dup_contacts(roster);
	ck_assert_uint_eq(g_strv_length(contacts), 2);
	ck_assert(test_has(contacts, "alice@localhost"));
	ck_assert(test_has(contacts, "carol@localhost"));
	ck_assert(test_handle(roster,
			      "<iq type='set' id='push3'><query xmlns='jabber:iq:roster'>"
			      "<item jid='alice@localhost' subscription='remove'/></query></iq>",
			      &reply2));
	after = igw_xmpp_roster_dup_contacts(roster);
	ck_assert_uint_eq(g_strv_length(after), 1);
	ck_assert(!test_has(after, "alice@localhost"));
	ck_assert(!igw_xmpp_roster_is_subscribed(roster, "alice@localhost"));
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("xmpp-roster");
	TCase *tc;
	tc = igw_test_add(suite, "roster/fetch", test_roster_fetch, TEST_TIMEOUT_SECONDS);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tc = igw_test_add(suite, "roster/push", test_roster_push, TEST_TIMEOUT_SECONDS);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tc = igw_test_add(suite, "roster/forged-push", test_roster_forged_push,
			  TEST_TIMEOUT_SECONDS);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tc = igw_test_add(suite, "roster/group", test_roster_group, TEST_TIMEOUT_SECONDS);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tc = igw_test_add(suite, "roster/set-subscribed", test_roster_set_subscribed,
			  TEST_TIMEOUT_SECONDS);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tc = igw_test_add(suite, "roster/remove", test_roster_remove, TEST_TIMEOUT_SECONDS);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	return igw_test_run(suite);
}
