/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestConcentrator"

#include "config.h"

#include <string.h>
#include "igw-test.h"

#include "igw-concentrator-codec.h"
#include "igw-error.h"

#define TEST_TIMEOUT_SECONDS 10
#define CONC "urn:xmpp:iot:concentrators"
#define NFCONC "urn:nf:iot:concentrator:1.0"
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
	xmpp_stanza_release(stanza);
}

static IgwConcentratorRequest *
test_decode(const gchar *xml, const IgwConcentratorCodec *expected)
{
	xmpp_stanza_t *stanza = test_stanza(xml);
	const IgwConcentratorCodec *codec = igw_concentrator_codec_find(stanza);
	g_autoptr(GError) error = NULL;
	IgwConcentratorRequest *request;
	ck_assert_ptr_eq(codec, expected);
	request = codec->decode(stanza, &error);
	ck_assert_msg(request != NULL, "%s: %s", xml, error != NULL ? error->message : "?");
	xmpp_stanza_release(stanza);
	return request;
}

static void
test_assert_refused(const gchar *xml, gint code)
{
	xmpp_stanza_t *stanza = test_stanza(xml);
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwConcentratorRequest) request =
	    igw_concentrator_codec_find(stanza)->decode(stanza, &error);
	ck_assert_ptr_null(request);
	ck_assert_msg(g_error_matches(error, IGW_ERROR, code), "%s: %s", xml,
		      error != NULL ? error->message : "no error");
	xmpp_stanza_release(stanza);
}

static IgwConcentratorNode *
test_node(void)
{
	IgwConcentratorNode *node = igw_concentrator_node_new("sim:kitchen", "sim");
	node->node_type = g_strdup("iotgw.sim");
	node->name = g_strdup("Kitchen");
	node->state = IGW_CONCENTRATOR_STATE_NONE;
	node->readable = TRUE;
	node->last_changed = TEST_TIME_US;
	igw_concentrator_node_add_param(node, "string", "name", "Kitchen");
	return node;
}

static xmpp_stanza_t *
test_encode(const IgwConcentratorCodec *codec, const IgwConcentratorResult *result)
{
	xmpp_stanza_t *request =
	    test_stanza("<iq id=\"9\" from=\"alice@localhost/c\" type=\"get\"/>");
	xmpp_stanza_t *reply = codec->encode(request, result);
	xmpp_stanza_release(request);
	return reply;
}

START_TEST(test_conc_decode_xsf)
{
	g_autoptr(IgwConcentratorRequest) caps = test_decode(
	    "<iq id=\"1\" from=\"alice@localhost/c\" type=\"get\"><getCapabilities xmlns=\"" CONC
	    "\"/></iq>",
	    igw_concentrator_codec_xsf());
	g_autoptr(IgwConcentratorRequest) node = test_decode(
	    "<iq id=\"2\" from=\"a@b/c\" type=\"get\"><getNode xmlns=\"" CONC
	    "\" nodeId=\"sim:kitchen\" sourceId=\"sim\" parameters=\"true\" xml:lang=\"en\"/></iq>",
	    igw_concentrator_codec_xsf());
	g_autoptr(IgwConcentratorRequest) nodes = test_decode(
	    "<iq id=\"3\" from=\"a@b/c\" type=\"get\"><containsNodes xmlns=\"" CONC "\">"
	    "<node nodeId=\"a\" sourceId=\"sim\"/><node nodeId=\"b\"/></containsNodes></iq>",
	    igw_concentrator_codec_xsf());
	g_autoptr(IgwConcentratorRequest) set = test_decode(
	    "<iq id=\"4\" from=\"a@b/c\" type=\"set\"><setNodeParametersAfterEdit xmlns=\"" CONC
	    "\" nodeId=\"sim:lamp\"><x xmlns=\"jabber:x:data\" type=\"submit\"><field var=\"name\">"
	    "<value>Desk lamp</value></field></x></setNodeParametersAfterEdit></iq>",
	    igw_concentrator_codec_xsf());
	g_autoptr(IgwConcentratorRequest) sub =
	    test_decode("<iq id=\"5\" from=\"a@b/c\" type=\"set\"><subscribe xmlns=\"" CONC
			"\" sourceId=\"sim\" nodeStatusChanged=\"false\"/></iq>",
			igw_concentrator_codec_xsf());
	const IgwConcentratorNodeRef *ref;
	ck_assert_int_eq(caps->op, IGW_CONCENTRATOR_OP_GET_CAPABILITIES);
	ck_assert_str_eq(caps->requester, "alice@localhost/c");
	ck_assert_int_eq(node->op, IGW_CONCENTRATOR_OP_GET_NODE);
	ck_assert(node->parameters);
	ref = g_ptr_array_index(node->nodes, 0);
	ck_assert_str_eq(ref->node_id, "sim:kitchen");
	ck_assert_str_eq(ref->source_id, "sim");
	ck_assert_uint_eq(nodes->nodes->len, 2);
	ref = g_ptr_array_index(nodes->nodes, 1);
	ck_assert_str_eq(ref->node_id, "b");
	ck_assert_ptr_null(ref->source_id);
	ck_assert_str_eq(set->name, "Desk lamp");
	ck_assert_str_eq(sub->source_id, "sim");
	ck_assert_uint_eq(sub->events, IGW_CONCENTRATOR_EVENT_ALL & ~IGW_CONCENTRATOR_EVENT_STATUS);
}
END_TEST

START_TEST(test_conc_decode_nf)
{
	g_autoptr(IgwConcentratorRequest) node =
	    test_decode("<iq id=\"2\" from=\"a@b/c\" type=\"get\"><getNode xmlns=\"" NFCONC
			"\" id=\"sim:kitchen\" src=\"sim\" pt=\"\"/></iq>",
			igw_concentrator_codec_nf());
	g_autoptr(IgwConcentratorRequest) nodes =
	    test_decode("<iq id=\"3\" from=\"a@b/c\" type=\"get\"><getNodes xmlns=\"" NFCONC "\">"
			"<nd id=\"a\" src=\"sim\"/></getNodes></iq>",
			igw_concentrator_codec_nf());
	g_autoptr(IgwConcentratorRequest) all =
	    test_decode("<iq id=\"4\" from=\"a@b/c\" type=\"get\"><getAllNodes xmlns=\"" NFCONC
			"\" src=\"sim\"/></iq>",
			igw_concentrator_codec_nf());
	const IgwConcentratorNodeRef *ref = g_ptr_array_index(node->nodes, 0);
	ck_assert_str_eq(ref->node_id, "sim:kitchen");
	ck_assert_str_eq(ref->source_id, "sim");
	ck_assert_uint_eq(nodes->nodes->len, 1);
	ck_assert_int_eq(all->op, IGW_CONCENTRATOR_OP_GET_ALL_NODES);
	ck_assert_str_eq(all->source_id, "sim");
}
END_TEST

START_TEST(test_conc_decode_errors)
{
	test_assert_refused("<iq from=\"a@b/c\" type=\"get\"><getAncestors xmlns=\"" CONC
			    "\"/></iq>",
			    IGW_ERROR_NOT_SUPPORTED);
	test_assert_refused("<iq from=\"a@b/c\" type=\"set\"><getNode xmlns=\"" CONC
			    "\" nodeId=\"x\"/></iq>",
			    IGW_ERROR_INVALID_DATA);
	test_assert_refused("<iq from=\"a@b/c\" type=\"get\"><getNode xmlns=\"" CONC "\"/></iq>",
			    IGW_ERROR_INVALID_DATA);
	test_assert_refused("<iq from=\"a@b/c\" type=\"get\"><getNodes xmlns=\"" NFCONC "\"/></iq>",
			    IGW_ERROR_INVALID_DATA);
	test_assert_refused("<iq from=\"a@b/c\" type=\"get\"><getNodes xmlns=\"" NFCONC
			    "\"><nd/></getNodes></iq>",
			    IGW_ERROR_INVALID_DATA);
	test_assert_refused("<iq from=\"a@b/c\" type=\"get\"><getChildDataSources xmlns=\"" CONC
			    "\"/></iq>",
			    IGW_ERROR_INVALID_DATA);
	test_assert_refused(
	    "<iq from=\"a@b/c\" type=\"set\"><setNodeParametersAfterEdit xmlns=\"" CONC
	    "\" nodeId=\"x\"/></iq>",
	    IGW_ERROR_INVALID_DATA);
	test_assert_refused("<iq from=\"a@b/c\" type=\"get\"><getNode xmlns=\"" CONC
			    "\" nodeId=\"\"/></iq>",
			    IGW_ERROR_INVALID_DATA);
}
END_TEST

START_TEST(test_conc_encode_xsf)
{
	g_autoptr(IgwConcentratorResult) caps = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_CAPABILITIES, IGW_CONCENTRATOR_OP_GET_CAPABILITIES);
	g_autoptr(IgwConcentratorResult) sources = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_SOURCES, IGW_CONCENTRATOR_OP_GET_ALL_DATA_SOURCES);
	g_autoptr(IgwConcentratorResult) contains = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_BOOLS, IGW_CONCENTRATOR_OP_CONTAINS_NODES);
	g_autoptr(IgwConcentratorResult) one = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_BOOLS, IGW_CONCENTRATOR_OP_CONTAINS_NODE);
	g_autoptr(IgwConcentratorResult) node = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_NODES, IGW_CONCENTRATOR_OP_GET_NODE);
	g_autoptr(IgwConcentratorResult) all = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_NODES, IGW_CONCENTRATOR_OP_GET_ALL_NODES);
	g_autoptr(IgwConcentratorResult) sub =
	    igw_concentrator_result_new(IGW_CONCENTRATOR_RESULT_OK, IGW_CONCENTRATOR_OP_SUBSCRIBE);
	gboolean yes = TRUE, no = FALSE;
	caps->strings = g_strsplit("getCapabilities getNode", " ", -1);
	g_ptr_array_add(sources->sources, igw_concentrator_source_new("sim", "sim"));
	g_array_append_val(contains->bools, yes);
	g_array_append_val(contains->bools, no);
	g_array_append_val(one->bools, yes);
	node->parameters = TRUE;
	g_ptr_array_add(node->nodes, test_node());
	g_ptr_array_add(all->nodes, test_node());
	test_assert_xml(test_encode(igw_concentrator_codec_xsf(), caps),
			"<iq id=\"9\" to=\"alice@localhost/c\" "
			"type=\"result\"><getCapabilitiesResponse result=\"OK\" "
			"xmlns=\"" CONC "\"><value>getCapabilities</value><value>getNode</value>"
			"</getCapabilitiesResponse></iq>");
	test_assert_xml(test_encode(igw_concentrator_codec_xsf(), sources),
			"<iq id=\"9\" to=\"alice@localhost/c\" "
			"type=\"result\"><getAllDataSourcesResponse result=\"OK\" "
			"xmlns=\"" CONC
			"\"><dataSource hasChildren=\"false\" name=\"sim\" sourceId=\"sim\"/>"
			"</getAllDataSourcesResponse></iq>");
	test_assert_xml(test_encode(igw_concentrator_codec_xsf(), contains),
			"<iq id=\"9\" to=\"alice@localhost/c\" "
			"type=\"result\"><containsNodesResponse result=\"OK\" "
			"xmlns=\"" CONC
			"\"><value>true</value><value>false</value></containsNodesResponse></iq>");
	test_assert_xml(test_encode(igw_concentrator_codec_xsf(), one),
			"<iq id=\"9\" to=\"alice@localhost/c\" "
			"type=\"result\"><containsNodeResponse result=\"OK\" "
			"xmlns=\"" CONC "\">true</containsNodeResponse></iq>");
	test_assert_xml(
	    test_encode(igw_concentrator_codec_xsf(), node),
	    "<iq id=\"9\" to=\"alice@localhost/c\" type=\"result\"><getNodeResponse "
	    "cacheType=\"Node\" "
	    "hasChildren=\"false\" hasCommands=\"false\" isControllable=\"false\" "
	    "isReadable=\"true\" "
	    "lastChanged=\"2026-11-21T21:15:37Z\" nodeId=\"sim:kitchen\" nodeType=\"iotgw.sim\" "
	    "result=\"OK\" sourceId=\"sim\" state=\"None\" xmlns=\"" CONC "\">"
	    "<string id=\"name\" name=\"Name\" value=\"Kitchen\"/></getNodeResponse></iq>");
	test_assert_xml(
	    test_encode(igw_concentrator_codec_xsf(), all),
	    "<iq id=\"9\" to=\"alice@localhost/c\" type=\"result\"><getAllNodesResponse "
	    "result=\"OK\" "
	    "xmlns=\"" CONC
	    "\"><node cacheType=\"Node\" hasChildren=\"false\" hasCommands=\"false\" "
	    "isControllable=\"false\" isReadable=\"true\" lastChanged=\"2026-11-21T21:15:37Z\" "
	    "nodeId=\"sim:kitchen\" nodeType=\"iotgw.sim\" sourceId=\"sim\" state=\"None\"/>"
	    "</getAllNodesResponse></iq>");
	test_assert_xml(test_encode(igw_concentrator_codec_xsf(), sub),
			"<iq id=\"9\" to=\"alice@localhost/c\" type=\"result\"><subscribeResponse "
			"result=\"OK\" "
			"xmlns=\"" CONC "\"/></iq>");
}
END_TEST

START_TEST(test_conc_encode_nf)
{
	g_autoptr(IgwConcentratorResult) caps = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_CAPABILITIES, IGW_CONCENTRATOR_OP_GET_CAPABILITIES);
	g_autoptr(IgwConcentratorResult) contains = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_BOOLS, IGW_CONCENTRATOR_OP_CONTAINS_NODES);
	g_autoptr(IgwConcentratorResult) one = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_BOOLS, IGW_CONCENTRATOR_OP_CONTAINS_NODE);
	g_autoptr(IgwConcentratorResult) node = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_NODES, IGW_CONCENTRATOR_OP_GET_NODE);
	g_autoptr(IgwConcentratorResult) nodes = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_NODES, IGW_CONCENTRATOR_OP_GET_NODES);
	g_autoptr(IgwConcentratorResult) sub =
	    igw_concentrator_result_new(IGW_CONCENTRATOR_RESULT_OK, IGW_CONCENTRATOR_OP_SUBSCRIBE);
	gboolean yes = TRUE;
	caps->strings = g_strsplit("getCapabilities", " ", -1);
	g_array_append_val(contains->bools, yes);
	g_array_append_val(one->bools, yes);
	g_ptr_array_add(node->nodes, test_node());
	g_ptr_array_add(nodes->nodes, test_node());
	test_assert_xml(
	    test_encode(igw_concentrator_codec_nf(), caps),
	    "<iq id=\"9\" to=\"alice@localhost/c\" type=\"result\"><strings xmlns=\"" NFCONC
	    "\"><value>getCapabilities</value></strings></iq>");
	test_assert_xml(
	    test_encode(igw_concentrator_codec_nf(), contains),
	    "<iq id=\"9\" to=\"alice@localhost/c\" type=\"result\"><bools xmlns=\"" NFCONC
	    "\"><bool>true</bool></bools></iq>");
	test_assert_xml(
	    test_encode(igw_concentrator_codec_nf(), one),
	    "<iq id=\"9\" to=\"alice@localhost/c\" type=\"result\"><bool xmlns=\"" NFCONC
	    "\">true</bool></iq>");
	test_assert_xml(test_encode(igw_concentrator_codec_nf(), node),
			"<iq id=\"9\" to=\"alice@localhost/c\" type=\"result\"><nodeInfo "
			"displayName=\"Kitchen\" "
			"hasChildren=\"false\" id=\"sim:kitchen\" isReadable=\"true\" "
			"lastChanged=\"2026-11-21T21:15:37Z\" nodeType=\"iotgw.sim\" src=\"sim\" "
			"state=\"None\" "
			"xmlns=\"" NFCONC "\"/></iq>");
	test_assert_xml(
	    test_encode(igw_concentrator_codec_nf(), nodes),
	    "<iq id=\"9\" to=\"alice@localhost/c\" type=\"result\"><nodeInfos xmlns=\"" NFCONC "\">"
	    "<nodeInfo displayName=\"Kitchen\" hasChildren=\"false\" id=\"sim:kitchen\" "
	    "isReadable=\"true\" lastChanged=\"2026-11-21T21:15:37Z\" nodeType=\"iotgw.sim\" "
	    "src=\"sim\" state=\"None\"/></nodeInfos></iq>");
	test_assert_xml(test_encode(igw_concentrator_codec_nf(), sub),
			"<iq id=\"9\" to=\"alice@localhost/c\" type=\"result\"/>");
}
END_TEST

START_TEST(test_conc_encode_form_and_errors)
{
	g_autoptr(IgwConcentratorResult) form = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_FORM, IGW_CONCENTRATOR_OP_GET_NODE_PARAMETERS_FOR_EDIT);
	g_autoptr(IgwConcentratorResult) error = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_ERROR, IGW_CONCENTRATOR_OP_GET_NODE);
	const gchar *fields =
	    "<x type=\"form\" xmlns=\"jabber:x:data\"><title>Kitchen</title>"
	    "<field label=\"Node ID:\" type=\"text-single\" var=\"id\"><value>sim:kitchen</value>"
	    "<readOnly xmlns=\"urn:xmpp:xdata:dynamic\"/></field>"
	    "<field label=\"Name:\" type=\"text-single\" "
	    "var=\"name\"><required/><value>Kitchen</value>"
	    "</field></x>";
	g_autofree gchar *xsf = g_strdup_printf("<iq id=\"9\" to=\"alice@localhost/c\" "
						"type=\"result\"><getNodeParametersForEditResponse "
						"result=\"OK\" xmlns=\"" CONC
						"\">%s</getNodeParametersForEditResponse></iq>",
						fields);
	g_autofree gchar *nf = g_strdup_printf(
	    "<iq id=\"9\" to=\"alice@localhost/c\" type=\"result\">%s</iq>", fields);
	g_ptr_array_add(form->nodes, test_node());
	error->condition = IGW_IOT_CONDITION_ITEM_NOT_FOUND;
	error->text = g_strdup("Node not found.");
	test_assert_xml(test_encode(igw_concentrator_codec_xsf(), form), xsf);
	test_assert_xml(test_encode(igw_concentrator_codec_nf(), form), nf);
	test_assert_xml(
	    test_encode(igw_concentrator_codec_nf(), error),
	    "<iq id=\"9\" to=\"alice@localhost/c\" type=\"error\"><error type=\"cancel\">"
	    "<item-not-found xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
	    "<text xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\">Node not "
	    "found.</text></error></iq>");
}
END_TEST

START_TEST(test_conc_encode_events)
{
	g_autoptr(IgwConcentratorResult) status = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_NODE_STATUS, IGW_CONCENTRATOR_OP_SUBSCRIBE);
	g_autoptr(IgwConcentratorResult) removed = igw_concentrator_result_new(
	    IGW_CONCENTRATOR_RESULT_NODE_REMOVED, IGW_CONCENTRATOR_OP_SUBSCRIBE);
	g_autoptr(IgwConcentratorResult) ok =
	    igw_concentrator_result_new(IGW_CONCENTRATOR_RESULT_OK, IGW_CONCENTRATOR_OP_SUBSCRIBE);
	IgwConcentratorNode *node = test_node();
	node->state = IGW_CONCENTRATOR_STATE_WARNING_UNSIGNED;
	g_ptr_array_add(status->nodes, node);
	g_ptr_array_add(removed->nodes, test_node());
	test_assert_xml(
	    igw_concentrator_codec_xsf()->encode_event(test_ctx, "alice@localhost/c", status),
	    "<message to=\"alice@localhost/c\"><nodeStatusChanged cacheType=\"Node\" "
	    "nodeId=\"sim:kitchen\" sourceId=\"sim\" state=\"WarningUnsigned\" xmlns=\"" CONC
	    "\"/></message>");
	test_assert_xml(
	    igw_concentrator_codec_nf()->encode_event(test_ctx, "alice@localhost/c", removed),
	    "<message to=\"alice@localhost/c\"><nodeRemoved id=\"sim:kitchen\" src=\"sim\" "
	    "xmlns=\"" NFCONC "\"/></message>");
	ck_assert_ptr_null(igw_concentrator_codec_xsf()->encode_event(test_ctx, "a@b/c", ok));
	ck_assert_ptr_eq(igw_concentrator_codec_for_iot(igw_iot_codec_nf()),
			 igw_concentrator_codec_nf());
	ck_assert_ptr_eq(igw_concentrator_codec_for_iot(igw_iot_codec_xsf()),
			 igw_concentrator_codec_xsf());
}
END_TEST

START_TEST(test_conc_ops)
{
	for (guint op = 0; op < IGW_CONCENTRATOR_OP_LAST; op++)
		ck_assert_uint_eq(
		    igw_concentrator_op_from_string(igw_concentrator_op_to_string(op)), op);
	ck_assert_uint_eq(igw_concentrator_op_from_string("createNewNode"),
			  IGW_CONCENTRATOR_OP_LAST);
	ck_assert_str_eq(igw_concentrator_state_to_string(IGW_CONCENTRATOR_STATE_ERROR_UNSIGNED),
			 "ErrorUnsigned");
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	TCase *tc = igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
}

static Suite *
test_concentrator_suite(void)
{
	Suite *suite = suite_create("concentrator-codec");
	test_suite_add(suite, "concentrator/decode-xsf", test_conc_decode_xsf);
	test_suite_add(suite, "concentrator/decode-nf", test_conc_decode_nf);
	test_suite_add(suite, "concentrator/decode-errors", test_conc_decode_errors);
	test_suite_add(suite, "concentrator/encode-xsf", test_conc_encode_xsf);
	test_suite_add(suite, "concentrator/encode-nf", test_conc_encode_nf);
	test_suite_add(suite, "concentrator/encode-form-and-errors",
		       test_conc_encode_form_and_errors);
	test_suite_add(suite, "concentrator/encode-events", test_conc_encode_events);
	test_suite_add(suite, "concentrator/ops", test_conc_ops);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_concentrator_suite());
}
