/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestCoapLink"

#include "config.h"

#include <string.h>

#include "igw-test.h"

#include "igw-coap-link.h"
#include "igw-error.h"

#define TEST_TIMEOUT_SECONDS 10

static GPtrArray *
test_parse(const gchar *text, guint *n_malformed)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *links = igw_coap_link_parse(text, strlen(text), n_malformed, &error);
	if (links == NULL)
		ck_abort_msg("%s: %s", text, error->message);
	return links;
}

static gchar *
test_parse_error(const gchar *text, gsize len)
{
	g_autoptr(GError) error = NULL;
	guint n_malformed = 99;
	g_autoptr(GPtrArray) links = igw_coap_link_parse(text, len, &n_malformed, &error);
	ck_assert_ptr_null(links);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	return g_strdup(error->message);
}

static IgwCoapLink *
test_link(GPtrArray *links, guint i)
{
	ck_assert_uint_lt(i, links->len);
	return g_ptr_array_index(links, i);
}

static void
test_assert_strv(GStrv strv, const gchar *joined)
{
	g_autofree gchar *text = NULL;
	ck_assert_ptr_nonnull(strv);
	text = g_strjoinv("|", strv);
	ck_assert_str_eq(text, joined);
}

static void
test_assert_ct(const IgwCoapLink *link, const guint *expected, guint n)
{
	ck_assert_ptr_nonnull(link->ct);
	ck_assert_uint_eq(link->ct->len, n);
	for (guint i = 0; i < n; i++)
		ck_assert_uint_eq(g_array_index(link->ct, guint, i), expected[i]);
}

/* /work/shared/specs/coap-facts.md §3 */
START_TEST(test_link_facts)
{
	guint n_malformed = 99;
	g_autoptr(GPtrArray) links =
	    test_parse("</sensors/temp>;rt=\"temperature-c\";if=\"sensor\";ct=0;obs,"
		       "</sensors/hum>;rt=\"humidity\";ct=\"0 110\"",
		       &n_malformed);
	const guint ct_temp[] = {0};
	const guint ct_hum[] = {0, 110};
	IgwCoapLink *link;

	ck_assert_uint_eq(n_malformed, 0);
	ck_assert_uint_eq(links->len, 2);
	link = test_link(links, 0);
	ck_assert_str_eq(link->href, "/sensors/temp");
	test_assert_strv(link->rt, "temperature-c");
	test_assert_strv(link->if_, "sensor");
	test_assert_ct(link, ct_temp, 1);
	ck_assert(link->obs);
	ck_assert_ptr_null(link->title);
	ck_assert_int_eq(link->sz, -1);
	ck_assert(igw_coap_link_has_rt(link, "temperature-c"));
	ck_assert(!igw_coap_link_has_rt(link, "temperature"));
	ck_assert(igw_coap_link_has_if(link, "sensor"));
	ck_assert(igw_coap_link_has_ct(link, 0));
	ck_assert(!igw_coap_link_has_ct(link, 110));

	link = test_link(links, 1);
	ck_assert_str_eq(link->href, "/sensors/hum");
	test_assert_strv(link->rt, "humidity");
	test_assert_strv(link->if_, "");
	ck_assert_ptr_null(link->if_[0]);
	test_assert_ct(link, ct_hum, 2);
	ck_assert(igw_coap_link_has_ct(link, 110));
	ck_assert(!link->obs);
	ck_assert(!igw_coap_link_has_if(link, "sensor"));
}
END_TEST

/* RFC 6690 §5 examples */
START_TEST(test_link_rfc6690)
{
	g_autoptr(GPtrArray) a =
	    test_parse("</sensors/temp>;if=\"sensor\",</sensors/light>;if=\"sensor\"", NULL);
	g_autoptr(GPtrArray) b = test_parse("</sensors>;ct=40", NULL);
	g_autoptr(GPtrArray) c = test_parse(
	    "</sensors>;ct=40;title=\"Sensor Index\","
	    "</sensors/temp>;rt=\"temperature-c\";if=\"sensor\","
	    "</sensors/light>;rt=\"light-lux\";if=\"sensor\","
	    "<http://www.example.com/sensors/t123>;anchor=\"/sensors/temp\";rel=\"describedby\","
	    "</t>;anchor=\"/sensors/temp\";rel=\"alternate\"",
	    NULL);
	g_autoptr(GPtrArray) d = test_parse("</firmware/v2.1>;rt=\"firmware\";sz=262144", NULL);
	const guint ct_link[] = {40};

	ck_assert_uint_eq(a->len, 2);
	ck_assert_str_eq(test_link(a, 1)->href, "/sensors/light");
	test_assert_strv(test_link(a, 1)->if_, "sensor");

	ck_assert_uint_eq(b->len, 1);
	test_assert_ct(test_link(b, 0), ct_link, 1);
	test_assert_strv(test_link(b, 0)->rt, "");

	ck_assert_uint_eq(c->len, 5);
	ck_assert_str_eq(test_link(c, 0)->title, "Sensor Index");
	test_assert_strv(test_link(c, 2)->rt, "light-lux");
	ck_assert_str_eq(test_link(c, 3)->href, "http://www.example.com/sensors/t123");
	ck_assert_str_eq(test_link(c, 4)->href, "/t");

	ck_assert_uint_eq(d->len, 1);
	ck_assert_int_eq(test_link(d, 0)->sz, 262144);
}
END_TEST

/* quoted values may hold "," and ";", and escaped quotes */
START_TEST(test_link_quoted)
{
	guint n_malformed = 99;
	g_autoptr(GPtrArray) links =
	    test_parse("</a>;title=\"x, y; z\";rt=\"t1 t2\",</b>;if=\"core.s  core.a\";title=\"say "
		       "\\\"hi\\\"\","
		       "</c,d>;rt=plain;ct=\"41\"",
		       &n_malformed);
	const guint ct_c[] = {41};

	ck_assert_uint_eq(n_malformed, 0);
	ck_assert_uint_eq(links->len, 3);
	ck_assert_str_eq(test_link(links, 0)->title, "x, y; z");
	test_assert_strv(test_link(links, 0)->rt, "t1|t2");
	ck_assert(igw_coap_link_has_rt(test_link(links, 0), "t2"));
	test_assert_strv(test_link(links, 1)->if_, "core.s|core.a");
	ck_assert_str_eq(test_link(links, 1)->title, "say \"hi\"");
	/* "," is a legal URI character */
	ck_assert_str_eq(test_link(links, 2)->href, "/c,d");
	test_assert_strv(test_link(links, 2)->rt, "plain");
	test_assert_ct(test_link(links, 2), ct_c, 1);
}
END_TEST

/* flags, unknown attributes, case, whitespace between links, a bounded buffer */
START_TEST(test_link_flags)
{
	g_autoptr(GPtrArray) links =
	    test_parse("</a>;obs;foo;RT=bar;rel=\"x\";title=first;title=second ,\n"
		       "  </b> ; rt = \"x y\" ; OBS ,",
		       NULL);
	g_autoptr(GPtrArray) bounded = NULL;
	const gchar *text = "</a>,</b>";

	ck_assert_uint_eq(links->len, 2);
	ck_assert(test_link(links, 0)->obs);
	test_assert_strv(test_link(links, 0)->rt, "bar");
	ck_assert_str_eq(test_link(links, 0)->title, "first");
	ck_assert(test_link(links, 1)->obs);
	test_assert_strv(test_link(links, 1)->rt, "x|y");

	/* not NUL-terminated: only @len bytes count */
	bounded = igw_coap_link_parse(text, 4, NULL, NULL);
	ck_assert_ptr_nonnull(bounded);
	ck_assert_uint_eq(bounded->len, 1);
	ck_assert_str_eq(test_link(bounded, 0)->href, "/a");
}
END_TEST

/* a broken link is skipped and counted, the others stay */
START_TEST(test_link_malformed)
{
	guint n_malformed = 0;
	g_autoptr(GPtrArray) links =
	    test_parse("</ok1>;ct=0,</broken;rt=\"x,y\",garbage,</ok2>;ct=99999,</ok3>;sz=-1,"
		       "</ok4>;rt=\"temperature\",</ok5>;=1,</ok6>;rt=\"unterminated, </ok7>",
		       &n_malformed);
	g_autofree gchar *one = NULL;

	ck_assert_uint_eq(links->len, 2);
	ck_assert_uint_eq(n_malformed, 6);
	ck_assert_str_eq(test_link(links, 0)->href, "/ok1");
	ck_assert_str_eq(test_link(links, 1)->href, "/ok4");

	one = test_parse_error("</a;rt=\"x\"", 10);
	ck_assert_str_eq(one, "no valid link: link 1: missing '>'");
}
END_TEST

/* what libcoap's coap-server and our coap-testnode answer (testing.md §2.2, §2.4) */
START_TEST(test_link_libcoap)
{
	guint n_malformed = 99;
	g_autoptr(GPtrArray) server =
	    test_parse("</>;title=\"General Info\";ct=0,</time>;if=\"clock\";rt=\"ticks\";"
		       "title=\"Internal Clock\";ct=0;obs,</async>;ct=0,</example_data>;"
		       "title=\"Example Data\";ct=0;obs",
		       &n_malformed);
	g_autoptr(GPtrArray) node =
	    test_parse("</sensors/temp>;if=\"sensor\";rt=\"temperature\";ct=0;obs,</sensors/hum>;"
		       "if=\"sensor\";rt=\"humidity\";ct=0;obs,</device/name>;rt=\"name\";ct=0",
		       NULL);

	ck_assert_uint_eq(n_malformed, 0);
	ck_assert_uint_eq(server->len, 4);
	ck_assert_str_eq(test_link(server, 0)->href, "/");
	ck_assert_str_eq(test_link(server, 0)->title, "General Info");
	ck_assert(!test_link(server, 0)->obs);
	ck_assert_str_eq(test_link(server, 1)->href, "/time");
	test_assert_strv(test_link(server, 1)->if_, "clock");
	test_assert_strv(test_link(server, 1)->rt, "ticks");
	ck_assert_str_eq(test_link(server, 1)->title, "Internal Clock");
	ck_assert(test_link(server, 1)->obs);
	ck_assert(igw_coap_link_has_ct(test_link(server, 2), 0));
	ck_assert_str_eq(test_link(server, 3)->href, "/example_data");
	ck_assert(test_link(server, 3)->obs);

	ck_assert_uint_eq(node->len, 3);
	ck_assert(igw_coap_link_has_rt(test_link(node, 0), "temperature"));
	ck_assert(igw_coap_link_has_rt(test_link(node, 1), "humidity"));
	ck_assert_str_eq(test_link(node, 2)->href, "/device/name");
	ck_assert(!test_link(node, 2)->obs);
}
END_TEST

/* nothing parseable at all */
START_TEST(test_link_errors)
{
	g_autofree gchar *big = g_strnfill(IGW_COAP_LINK_MAX_LEN + 1, ' ');
	g_autofree gchar *msg = NULL;

	memcpy(big, "</a>", 4);
	msg = test_parse_error("", 0);
	ck_assert_str_eq(msg, "link format document is empty");
	g_free(msg);
	msg = test_parse_error(" \r\n , ,", 7);
	ck_assert_str_eq(msg, "link format document is empty");
	g_free(msg);
	msg = test_parse_error("</a>\xff", 5);
	ck_assert_str_eq(msg, "link format document is not valid UTF-8");
	g_free(msg);
	msg = test_parse_error("</a>\0,</b>", 10);
	ck_assert_str_eq(msg, "link format document is not valid UTF-8");
	g_free(msg);
	msg = test_parse_error(big, IGW_COAP_LINK_MAX_LEN + 1);
	ck_assert_str_eq(msg, "link format document of 16385 bytes is more than 16384");
	g_free(msg);
	msg = test_parse_error("hello", 5);
	ck_assert_str_eq(msg, "no valid link: link 1: missing '<'");
	g_free(msg);
	msg = test_parse_error("</a>;ct=abc", 11);
	ck_assert_str_eq(msg,
			 "no valid link: link 1: ct value 'abc' is not a content-format (0-65535)");
	g_free(msg);
	msg = test_parse_error("</a> x", 6);
	ck_assert_str_eq(msg, "no valid link: link 1: unexpected 'x' after </a>");
	g_free(msg);
	msg = test_parse_error("</a>;title=\"open", 16);
	ck_assert_str_eq(msg, "no valid link: link 1: unterminated quoted value of 'title'");

	/* exactly at the limit is fine */
	{
		g_autoptr(GPtrArray) links =
		    igw_coap_link_parse(big, IGW_COAP_LINK_MAX_LEN, NULL, NULL);
		ck_assert_ptr_nonnull(links);
		ck_assert_uint_eq(links->len, 1);
	}
}
END_TEST

static Suite *
test_coap_link_suite(void)
{
	Suite *suite = suite_create("coap-link");
	igw_test_add(suite, "coap-link/facts", test_link_facts, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "coap-link/rfc6690", test_link_rfc6690, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "coap-link/quoted", test_link_quoted, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "coap-link/flags", test_link_flags, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "coap-link/malformed", test_link_malformed, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "coap-link/libcoap", test_link_libcoap, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "coap-link/errors", test_link_errors, TEST_TIMEOUT_SECONDS);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_coap_link_suite());
}
