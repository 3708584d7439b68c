/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestConcentrator"

#include "config.h"

#include <glib/gstdio.h>
#include "igw-test.h"

#include "fake-thing.h"
#include "fake-transport.h"
#include "igw-concentrator.h"
#include "igw-engine.h"
#include "igw-thing-agent.h"

#define TEST_TIMEOUT_SECONDS 30
#define OWNER "alice@localhost"
#define GATEWAY_JID "iotgw@localhost"
#define NS_CONC "urn:xmpp:iot:concentrators"
#define NS_SD "urn:xmpp:iot:sensordata"
#define NS_CTR "urn:xmpp:iot:control"

/*
 * the engine with the sim plugin's kitchen and lamp, its own sessions left
 * to fail against a closed port; the concentrator under test speaks on a
 * fake transport, behind the gateway's agent as in the daemon
 */
typedef struct {
	gchar *state_dir;
	IgwConfig *config; /* the engine's */
	IgwEngine *engine;
	IgwContext *context;
	IgwFakeTransport *transport;
	IgwThingAgent *agent;
	IgwConcentrator *concentrator;
} TestConcentrator;

static const gchar *test_config = "[xmpp]\n"
				  "domain=localhost\n"
				  "host=127.0.0.1\n"
				  "port=1\n"
				  "tls=disabled\n"
				  "[gateway]\n"
				  "owners=" OWNER "\n"
				  "disabled_plugins=bluez;coap\n"
				  "[thing sim:kitchen]\n"
				  "name=Kitchen\n"
				  "type=thermometer\n"
				  "interval=1\n"
				  "[thing sim:lamp]\n"
				  "name=Lamp\n"
				  "type=lamp\n";

static TestConcentrator *
test_concentrator_new(void)
{
	TestConcentrator *test = g_new0(TestConcentrator, 1);
	const gchar *owners[] = {OWNER, NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	gboolean ok;
	xmpp_initialize();
	test->state_dir = g_dir_make_tmp("igw-conc-XXXXXX", &error);
	ck_assert_msg(test->state_dir != NULL, "%s", error != NULL ? error->message : "");
	test->config = igw_config_load_from_data("test.conf", test_config, &error);
	ck_assert_msg(test->config != NULL, "%s", error != NULL ? error->message : "");
	test->engine = igw_engine_new(test->config, test->state_dir);
	ok = igw_engine_startup(test->engine, &error);
	ck_assert_msg(ok, "%s", error != NULL ? error->message : "");
	test->context = igw_context_new(keyfile);
	test->transport = igw_fake_transport_new(GATEWAY_JID);
	test->agent =
	    igw_thing_agent_new(IGW_TRANSPORT(test->transport), test->context, NULL, NULL);
	test->concentrator = igw_concentrator_new(test->engine, IGW_TRANSPORT(test->transport));
	igw_thing_agent_set_concentrator(test->agent, test->concentrator);
	igw_thing_agent_set_owners(test->agent, owners);
	igw_thing_agent_set_greeted(test->agent, TRUE);
	igw_fake_transport_set_online(test->transport, TRUE);
	igw_fake_transport_clear(test->transport);
	return test;
}

/* the store's files: the database and its journal */
static void
test_remove_dir(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *file = g_build_filename(path, name, NULL);
		g_unlink(file);
	}
	g_rmdir(path);
}

static void
test_concentrator_free(TestConcentrator *test)
{
	igw_thing_agent_set_concentrator(test->agent, NULL);
	igw_concentrator_free(test->concentrator);
	g_object_unref(test->agent);
	g_object_unref(test->transport);
	g_object_unref(test->context);
	igw_engine_shutdown(test->engine);
	g_object_unref(test->engine);
	test_remove_dir(test->state_dir);
	g_free(test->state_dir);
	g_free(test);
	xmpp_shutdown();
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestConcentrator, test_concentrator_free)

/* an iq from @from; the answer with the same id */
static IgwFakeRecord *
test_concentrator_iq(TestConcentrator *test, const gchar *from, const gchar *type, const gchar *id,
		     const gchar *payload)
{
	g_autofree gchar *xml =
	    g_strdup_printf("<iq type='%s' id='%s' from='%s' to='" GATEWAY_JID "/iotgw'>%s</iq>",
			    type, id, from, payload);
	g_autofree gchar *needle = g_strdup_printf("id=\"%s\"", id);
	g_autofree gchar *dump = NULL;
	IgwFakeRecord *record;
	igw_fake_transport_inject(test->transport, xml);
	/* some answers wait for the plugin */
	for (guint i = 0; i < 100; i++) {
		record = igw_fake_transport_find_last(test->transport, "send", needle);
		if (record != NULL)
			break;
		igw_fake_thing_spin(50);
	}
	dump = igw_fake_transport_dump(test->transport);
	ck_assert_msg(record != NULL, "no answer to %s:%s", id, dump);
	return record;
}

static void
test_assert_contains(IgwFakeRecord *record, const gchar *needle)
{
	ck_assert_msg(g_strstr_len(record->text, -1, needle) != NULL, "'%s' not in %s", needle,
		      record->text);
}

START_TEST(test_concentrator_capabilities)
{
	g_autoptr(TestConcentrator) test = test_concentrator_new();
	IgwFakeRecord *reply = test_concentrator_iq(test, OWNER "/x", "get", "c1",
						    "<getCapabilities xmlns='" NS_CONC "'/>");
	ck_assert_str_eq(xmpp_stanza_get_type(reply->stanza), "result");
	test_assert_contains(reply, "getAllDataSources");
	test_assert_contains(reply, "to=\"" OWNER "/x\"");
}
END_TEST

/* the owner sees the sim source and its things as nodes; nosuch is not one */
START_TEST(test_concentrator_sources_and_nodes)
{
	g_autoptr(TestConcentrator) test = test_concentrator_new();
	IgwFakeRecord *reply = test_concentrator_iq(test, OWNER "/x", "get", "s1",
						    "<getAllDataSources xmlns='" NS_CONC "'/>");
	test_assert_contains(reply, "sourceId=\"sim\"");
	reply = test_concentrator_iq(test, OWNER "/x", "get", "n1",
				     "<getAllNodes xmlns='" NS_CONC "' sourceId='sim'/>");
	test_assert_contains(reply, "nodeId=\"sim:kitchen\"");
	test_assert_contains(reply, "nodeId=\"sim:lamp\"");
	reply = test_concentrator_iq(test, OWNER "/x", "get", "n2",
				     "<getNode xmlns='" NS_CONC "' nodeId='nosuch'/>");
	ck_assert_str_eq(xmpp_stanza_get_type(reply->stanza), "error");
}
END_TEST

/* someone who is not an owner learns nothing */
START_TEST(test_concentrator_stranger_refused)
{
	g_autoptr(TestConcentrator) test = test_concentrator_new();
	IgwFakeRecord *reply =
	    test_concentrator_iq(test, "mallory@localhost/x", "get", "m1",
				 "<getAllNodes xmlns='" NS_CONC "' sourceId='sim'/>");
	ck_assert_str_eq(xmpp_stanza_get_type(reply->stanza), "error");
	test_assert_contains(reply, "forbidden");
	ck_assert_msg(g_strstr_len(reply->text, -1, "sim:kitchen") == NULL, "%s", reply->text);
}
END_TEST

/* a momentary readout of one node: accepted, then its fields as a message */
START_TEST(test_concentrator_readout)
{
	g_autoptr(TestConcentrator) test = test_concentrator_new();
	IgwFakeRecord *reply =
	    test_concentrator_iq(test, OWNER "/x", "get", "r1",
				 "<req xmlns='" NS_SD "' seqnr='5' momentary='true'>"
				 "<node nodeId='sim:kitchen' sourceId='sim'/></req>");
	IgwFakeRecord *fields = NULL;
	ck_assert_str_eq(xmpp_stanza_get_type(reply->stanza), "result");
	while ((fields = igw_fake_transport_find_last(test->transport, "send", "<fields")) ==
		   NULL ||
	       g_strstr_len(fields->text, -1, "done=\"true\"") == NULL)
		igw_fake_thing_spin(50);
	test_assert_contains(fields, "seqnr=\"5\"");
	test_assert_contains(fields, "nodeId=\"sim:kitchen\"");
	test_assert_contains(fields, "name=\"temperature\"");
}
END_TEST

/* @head, @count times @element, then @tail: a request too large to be worth decoding */
static gchar *
test_concentrator_repeat(const gchar *head, const gchar *element, guint count, const gchar *tail)
{
	g_autoptr(GString) xml = g_string_new(head);
	for (guint i = 0; i < count; i++)
		g_string_append(xml, element);
	g_string_append(xml, tail);
	return g_string_free(g_steal_pointer(&xml), FALSE);
}

/*
 * XEP-0326 §3.5 getNodes and XEP-0323 readouts through the gateway naming
 * 20,000 nodes: refused with policy-violation, nothing is read
 */
START_TEST(test_concentrator_too_many_nodes)
{
	g_autoptr(TestConcentrator) test = test_concentrator_new();
	g_autofree gchar *get_nodes = test_concentrator_repeat(
	    "<getNodes xmlns='" NS_CONC "'>", "<node nodeId='sim:kitchen' sourceId='sim'/>", 20000,
	    "</getNodes>");
	g_autofree gchar *readout = test_concentrator_repeat(
	    "<req xmlns='" NS_SD "' seqnr='6' momentary='true'>",
	    "<node nodeId='sim:kitchen' sourceId='sim'/>", 20000, "</req>");
	IgwFakeRecord *reply = test_concentrator_iq(test, OWNER "/x", "get", "g1", get_nodes);
	ck_assert_str_eq(xmpp_stanza_get_type(reply->stanza), "error");
	test_assert_contains(reply, "policy-violation");
	reply = test_concentrator_iq(test, OWNER "/x", "get", "r1", readout);
	ck_assert_str_eq(xmpp_stanza_get_type(reply->stanza), "error");
	test_assert_contains(reply, "policy-violation");
	igw_fake_thing_spin(100);
	ck_assert_ptr_null(igw_fake_transport_find_last(test->transport, "send", "<fields"));
}
END_TEST

/* control through the concentrator reaches the plugin */
START_TEST(test_concentrator_control)
{
	g_autoptr(TestConcentrator) test = test_concentrator_new();
	IgwThing *lamp = igw_engine_lookup_thing(test->engine, "sim:lamp");
	IgwReading *on = NULL;
	IgwFakeRecord *reply =
	    test_concentrator_iq(test, OWNER "/x", "set", "k1",
				 "<set xmlns='" NS_CTR "'><node nodeId='sim:lamp' sourceId='sim'/>"
				 "<boolean name='on' value='true'/></set>");
	ck_assert_str_eq(xmpp_stanza_get_type(reply->stanza), "result");
	ck_assert_ptr_nonnull(lamp);
	while ((on = igw_thing_get_latest(lamp, "on")) == NULL ||
	       !g_variant_get_boolean(igw_reading_get_value(on)))
		igw_fake_thing_spin(50);
}
END_TEST

/* XEP-0326 §3.6 forwards XEP-0323 readouts: the lamp's state answers a momentary one */
START_TEST(test_concentrator_momentary_actuator)
{
	g_autoptr(TestConcentrator) test = test_concentrator_new();
	IgwFakeRecord *fields = NULL;
	IgwFakeRecord *reply =
	    test_concentrator_iq(test, OWNER "/x", "get", "r2",
				 "<req xmlns='" NS_SD "' seqnr='6' momentary='true'>"
				 "<node nodeId='sim:lamp' sourceId='sim'/></req>");
	ck_assert_str_eq(xmpp_stanza_get_type(reply->stanza), "result");
	while ((fields = igw_fake_transport_find_last(test->transport, "send", "<fields")) ==
		   NULL ||
	       g_strstr_len(fields->text, -1, "done=\"true\"") == NULL)
		igw_fake_thing_spin(50);
	test_assert_contains(fields, "nodeId=\"sim:lamp\"");
	test_assert_contains(fields, "name=\"on\"");
	test_assert_contains(fields, "name=\"brightness\"");
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("concentrator");
	igw_test_add(suite, "concentrator/too-many-nodes", test_concentrator_too_many_nodes,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "concentrator/capabilities", test_concentrator_capabilities,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "concentrator/sources-and-nodes", test_concentrator_sources_and_nodes,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "concentrator/stranger-refused", test_concentrator_stranger_refused,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "concentrator/readout", test_concentrator_readout,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "concentrator/control", test_concentrator_control,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "concentrator/momentary-actuator", test_concentrator_momentary_actuator,
		     TEST_TIMEOUT_SECONDS);
	return igw_test_run(suite);
}
