/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestStrings"

#include "config.h"

#include <string.h>
#include <strophe.h>
#include "igw-test.h"

#include "igw-string-private.h"
#include "igw-thing-private.h"
#include "igw-xml.h"

#define TEST_TIMEOUT_SECONDS 10

/* XML 1.0 (fifth edition) §2.2, production [2] Char, written from the spec */
static gboolean
test_xml_char(gunichar c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* every character of @text, and every character reference in it, is a Char */
static void
test_assert_xml_chars(const gchar *text)
{
	ck_assert_msg(g_utf8_validate(text, -1, NULL), "not UTF-8: %s", text);
	for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		ck_assert_msg(test_xml_char(c), "U+%04X in %s", c, text);
		if (g_str_has_prefix(p, "&#")) {
			gboolean hex = p[2] == 'x';
			gunichar ref =
			    (gunichar)g_ascii_strtoull(p + (hex ? 3 : 2), NULL, hex ? 16 : 10);
			ck_assert_msg(test_xml_char(ref), "&# reference to U+%04X in %s", ref,
				      text);
		}
	}
}

/* a string of every code point XML 1.0 forbids, framed by letters that must survive */
static GString *
test_forbidden(void)
{
	GString *s = g_string_new("a");
	for (gunichar c = 0x1; c < 0x20; c++) {
		if (c != 0x9 && c != 0xa && c != 0xd)
			g_string_append_c(s, (gchar)c);
	}
	g_string_append(s, "b\xef\xbf\xbe"
			   "c\xef\xbf\xbf"
			   "d"); /* U+FFFE, U+FFFF */
	g_string_append(s, "\xed\xa0\x80"
			   "e\xed\xbf\xbf"
			   "f"); /* lone surrogates D800, DFFF */
	g_string_append(s, "\xc0\xaf"
			   "g\xff\xfe"
			   "h\xf8\x88\x80\x80\x80"
			   "i"); /* overlong, bytes never UTF-8 */
	g_string_append(s, "\xc2\x80\xc2\x85\xc2\x9f\x7f"
			   "j");			    /* C1 controls, DEL */
	g_string_append(s, "\xe2\x82\xac\xf0\x9f\x92\xa1"); /* € and 💡 stay */
	return s;
}

START_TEST(test_sanitize_name)
{
	g_autoptr(GString) forbidden = test_forbidden();
	g_autofree gchar *name = igw_str_sanitize(forbidden->str, 0, IGW_STR_SANITIZE_NONE);
	g_autofree gchar *lines = igw_str_sanitize("a\tb\nc\rd", 0, IGW_STR_SANITIZE_NONE);
	g_autofree gchar *text =
	    igw_str_sanitize("a\tb\nc\rd\x1b", 0, IGW_STR_SANITIZE_KEEP_WHITESPACE);
	ck_assert_str_eq(name, "abcdefghij\xe2\x82\xac\xf0\x9f\x92\xa1");
	/* a name has no tab or line break; XML text keeps them */
	ck_assert_str_eq(lines, "abcd");
	ck_assert_str_eq(text, "a\tb\nc\rd");
	ck_assert(!igw_str_is_clean(forbidden->str, IGW_STR_SANITIZE_KEEP_WHITESPACE));
	ck_assert(igw_str_is_clean(name, IGW_STR_SANITIZE_NONE));
	ck_assert_ptr_null(igw_str_sanitize(NULL, 4, IGW_STR_SANITIZE_NONE));
}
END_TEST

/* a limit in bytes never cuts a character in two */
START_TEST(test_sanitize_limit)
{
	g_autofree gchar *ascii = igw_str_sanitize("Kitchen lamp", 7, IGW_STR_SANITIZE_NONE);
	g_autofree gchar *euro =
	    igw_str_sanitize("\xe2\x82\xac\xe2\x82\xac", 5, IGW_STR_SANITIZE_NONE);
	g_autofree gchar *bulb = igw_str_sanitize("a\xf0\x9f\x92\xa1", 4, IGW_STR_SANITIZE_NONE);
	g_autofree gchar *dropped = igw_str_sanitize("\x1b\x07"
						     "abc",
						     3, IGW_STR_SANITIZE_NONE);
	ck_assert_str_eq(ascii, "Kitchen");
	ck_assert_str_eq(euro, "\xe2\x82\xac");
	ck_assert_str_eq(bulb, "a");
	/* what is dropped does not count */
	ck_assert_str_eq(dropped, "abc");
}
END_TEST

/* a plugin cannot give a thing a name that breaks a stream (issue 14, point 6) */
START_TEST(test_thing_strings_cleaned)
{
	g_autoptr(IgwThing) thing = igw_thing_new("ble:aa", "ble");
	g_autoptr(GString) forbidden = test_forbidden();
	g_autoptr(GString) long_name = g_string_new(NULL);
	igw_thing_set_name(thing, "Sensor\x1b[31m\x07 1");
	ck_assert_str_eq(igw_thing_get_name(thing), "Sensor[31m 1");
	igw_thing_set_manufacturer(thing, forbidden->str);
	ck_assert_str_eq(igw_thing_get_manufacturer(thing),
			 "abcdefghij\xe2\x82\xac\xf0\x9f\x92\xa1");
	igw_thing_set_model(thing, "M\xed\xa0\x80"
				   "1");
	ck_assert_str_eq(igw_thing_get_model(thing), "M1");
	for (guint i = 0; i < 1000; i++)
		g_string_append(long_name, "\xc3\xa9");
	igw_thing_set_name(thing, long_name->str);
	ck_assert_uint_eq(strlen(igw_thing_get_name(thing)), IGW_STR_THING_MAX);
	ck_assert(g_utf8_validate(igw_thing_get_name(thing), -1, NULL));
	igw_thing_set_model(thing, NULL);
	ck_assert_ptr_null(igw_thing_get_model(thing));
}
END_TEST

static gchar *
test_serialize(xmpp_stanza_t *stanza)
{
	char *buf = NULL;
	size_t len = 0;
	g_autofree gchar *copy = NULL;
	ck_assert_int_eq(xmpp_stanza_to_text(stanza, &buf, &len), XMPP_EOK);
	copy = g_strndup(buf, len);
	xmpp_free(xmpp_stanza_get_context(stanza), buf);
	return g_steal_pointer(&copy);
}

/* a chat message with every forbidden code point in its body and attributes */
static xmpp_stanza_t *
test_hostile_message(xmpp_ctx_t *ctx, const gchar *forbidden)
{
	xmpp_stanza_t *message = xmpp_message_new(ctx, "chat", "alice@localhost/phone", "m1");
	xmpp_stanza_t *x = xmpp_stanza_new(ctx);
	xmpp_message_set_body(message, forbidden);
	xmpp_stanza_set_name(x, "x");
	xmpp_stanza_set_ns(x, "urn:example:test");
	xmpp_stanza_set_attribute(x, "name", forbidden);
	xmpp_stanza_add_child_ex(message, x, 0);
	return message;
}

/*
 * whatever the protocol code puts in a stanza, what the session writes is
 * well-formed XML 1.0: parsed back by libstrophe's own (expat) parser and
 * every character a Char
 */
START_TEST(test_xml_clean_stanza)
{
	xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, NULL);
	g_autoptr(GString) forbidden = test_forbidden();
	xmpp_stanza_t *raw = test_hostile_message(ctx, forbidden->str);
	xmpp_stanza_t *message = test_hostile_message(ctx, forbidden->str);
	xmpp_stanza_t *parsed;
	g_autofree gchar *before = test_serialize(raw);
	g_autofree gchar *after = NULL;
	g_autofree gchar *body = NULL;
	/* the checker sees the problem: as given, this is not XML */
	parsed = xmpp_stanza_new_from_string(ctx, before);
	ck_assert_msg(parsed == NULL, "a forbidden character parsed: %s", before);
	ck_assert_uint_eq(igw_xml_clean_stanza(message), 2);
	after = test_serialize(message);
	test_assert_xml_chars(after);
	parsed = xmpp_stanza_new_from_string(ctx, after);
	ck_assert_msg(parsed != NULL, "not well-formed: %s", after);
	body = xmpp_message_get_body(parsed);
	ck_assert_str_eq(body, "abcdefghij\xe2\x82\xac\xf0\x9f\x92\xa1");
	ck_assert_str_eq(
	    xmpp_stanza_get_attribute(xmpp_stanza_get_child_by_name(parsed, "x"), "name"),
	    "abcdefghij\xe2\x82\xac\xf0\x9f\x92\xa1");
	/* clean already: nothing to do, tab and line breaks kept */
	ck_assert_uint_eq(igw_xml_clean_stanza(parsed), 0);
	xmpp_stanza_release(parsed);
	parsed = test_hostile_message(ctx, "line 1\nline 2\tend");
	ck_assert_uint_eq(igw_xml_clean_stanza(parsed), 0);
	xmpp_free(ctx, body);
	body = xmpp_message_get_body(parsed);
	ck_assert_str_eq(body, "line 1\nline 2\tend");
	xmpp_free(ctx, g_steal_pointer(&body));
	xmpp_stanza_release(parsed);
	xmpp_stanza_release(message);
	xmpp_stanza_release(raw);
	xmpp_ctx_free(ctx);
}
END_TEST

/* each forbidden code point alone, in text and in an attribute */
START_TEST(test_xml_clean_each)
{
	xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, NULL);
	const gchar *extra[] = {"\xef\xbf\xbe", "\xef\xbf\xbf", "\xed\xa0\x80",
				"\xed\xbf\xbf", "\xff",		NULL};
	g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func(g_free);
	for (gunichar c = 0x1; c < 0x20; c++) {
		if (c != 0x9 && c != 0xa && c != 0xd)
			g_ptr_array_add(inputs, g_strdup_printf("x%cy", (gchar)c));
	}
	for (guint i = 0; extra[i] != NULL; i++)
		g_ptr_array_add(inputs, g_strdup_printf("x%sy", extra[i]));
	for (guint i = 0; i < inputs->len; i++) {
		xmpp_stanza_t *message = test_hostile_message(ctx, g_ptr_array_index(inputs, i));
		g_autofree gchar *after = NULL;
		xmpp_stanza_t *parsed;
		igw_xml_clean_stanza(message);
		after = test_serialize(message);
		test_assert_xml_chars(after);
		parsed = xmpp_stanza_new_from_string(ctx, after);
		ck_assert_msg(parsed != NULL, "input %u not well-formed: %s", i, after);
		xmpp_stanza_release(parsed);
		xmpp_stanza_release(message);
	}
	xmpp_ctx_free(ctx);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("strings");
	xmpp_initialize();
	igw_test_add(suite, "strings/sanitize-name", test_sanitize_name, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "strings/sanitize-limit", test_sanitize_limit, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "strings/thing-strings-cleaned", test_thing_strings_cleaned,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "strings/xml-clean-stanza", test_xml_clean_stanza,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "strings/xml-clean-each", test_xml_clean_each, TEST_TIMEOUT_SECONDS);
	return igw_test_run(suite);
}
