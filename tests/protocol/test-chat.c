/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestChat"

#include "config.h"

#include <string.h>
#include "igw-test.h"

#include "igw-chat.h"
#include "igw-error.h"

#define TEST_TIMEOUT_SECONDS 10

#define test_assert_ok(ret, error)                                                                 \
	ck_assert_msg((ret), "unexpected error: %s", (error) != NULL ? (error)->message : "(none)")

static IgwChatCommand *
test_parse(const gchar *text)
{
	g_autoptr(GError) error = NULL;
	IgwChatCommand *cmd = igw_chat_command_parse(text, &error);
	test_assert_ok(cmd != NULL, error);
	ck_assert_ptr_null(error);
	return cmd;
}

static void
test_assert_command(const gchar *text, IgwChatCommandKind kind, const gchar *field,
		    const gchar *value)
{
	g_autoptr(IgwChatCommand) cmd = test_parse(text);
	ck_assert_msg(cmd->kind == kind, "'%s': kind %d, expected %d", text, cmd->kind, kind);
	if (field == NULL)
		ck_assert_ptr_null(cmd->field);
	else
		ck_assert_str_eq(cmd->field, field);
	if (value == NULL)
		ck_assert_ptr_null(cmd->value);
	else
		ck_assert_str_eq(cmd->value, value);
}

static void
test_assert_refused(const gchar *text, gint code, const gchar *message)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwChatCommand) cmd = igw_chat_command_parse(text, &error);
	ck_assert_ptr_null(cmd);
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(g_error_matches(error, IGW_ERROR, code), "'%s': %s (code %d, expected %d)",
		      text, error->message, error->code, code);
	ck_assert_msg(strstr(error->message, message) != NULL, "'%s': '%s' lacks '%s'", text,
		      error->message, message);
}

START_TEST(test_chat_help)
{
	test_assert_command("help", IGW_CHAT_COMMAND_HELP, NULL, NULL);
	test_assert_command("?", IGW_CHAT_COMMAND_HELP, NULL, NULL);
	test_assert_command("HELP", IGW_CHAT_COMMAND_HELP, NULL, NULL);
	test_assert_command("  Help\n", IGW_CHAT_COMMAND_HELP, NULL, NULL);
	test_assert_command("info", IGW_CHAT_COMMAND_INFO, NULL, NULL);
	test_assert_command("\tInFo ", IGW_CHAT_COMMAND_INFO, NULL, NULL);

	/* the help text names every command it accepts */
	ck_assert_ptr_nonnull(strstr(igw_chat_get_help(), "get FIELD"));
	ck_assert_ptr_nonnull(strstr(igw_chat_get_help(), "set FIELD VALUE"));
	ck_assert_ptr_nonnull(strstr(igw_chat_get_help(), "info"));
}
END_TEST

START_TEST(test_chat_get)
{
	test_assert_command("get", IGW_CHAT_COMMAND_GET, NULL, NULL);
	test_assert_command("GET", IGW_CHAT_COMMAND_GET, NULL, NULL);
	test_assert_command("get temperature", IGW_CHAT_COMMAND_GET, "temperature", NULL);
	test_assert_command("  Get   temperature  \r\n", IGW_CHAT_COMMAND_GET, "temperature", NULL);
	/* the verb is case-insensitive, the field name is passed on as written */
	test_assert_command("gEt Temperature", IGW_CHAT_COMMAND_GET, "Temperature", NULL);
}
END_TEST

START_TEST(test_chat_set)
{
	test_assert_command("set on true", IGW_CHAT_COMMAND_SET, "on", "true");
	test_assert_command("SET brightness 40", IGW_CHAT_COMMAND_SET, "brightness", "40");
	test_assert_command("  set   on    off  ", IGW_CHAT_COMMAND_SET, "on", "off");
	/* everything after the field is the value, inner spaces kept */
	test_assert_command("set label hello  big world", IGW_CHAT_COMMAND_SET, "label",
			    "hello  big world");
	test_assert_command("set\tlabel\ta\tb", IGW_CHAT_COMMAND_SET, "label", "a\tb");
	/* a multi-line message is one value */
	test_assert_command("set label one\ntwo\n", IGW_CHAT_COMMAND_SET, "label", "one\ntwo");
	/* the field name occurs again inside the value, and in the verb */
	test_assert_command("set e set e e", IGW_CHAT_COMMAND_SET, "e", "set e e");
	test_assert_command("set t  settle t", IGW_CHAT_COMMAND_SET, "t", "settle t");
	test_assert_command("set name K\xc3\xbc"
			    "che 1",
			    IGW_CHAT_COMMAND_SET, "name",
			    "K\xc3\xbc"
			    "che 1");
}
END_TEST

START_TEST(test_chat_errors)
{
	g_autofree gchar *longest = g_strnfill(IGW_CHAT_MAX_LENGTH, 'x');
	g_autofree gchar *too_long = g_strnfill(IGW_CHAT_MAX_LENGTH + 1, 'x');

	test_assert_refused("reboot", IGW_ERROR_NOT_SUPPORTED,
			    "unknown command 'reboot'; try 'help'");
	test_assert_refused("Reboot now", IGW_ERROR_NOT_SUPPORTED, "'Reboot'");
	test_assert_refused("set", IGW_ERROR_INVALID_DATA, "usage: set FIELD VALUE");
	test_assert_refused("set on", IGW_ERROR_INVALID_DATA, "usage: set FIELD VALUE");
	test_assert_refused("set on   ", IGW_ERROR_INVALID_DATA, "usage: set FIELD VALUE");
	test_assert_refused("get a b", IGW_ERROR_INVALID_DATA, "usage: get [FIELD]");
	test_assert_refused("", IGW_ERROR_INVALID_DATA, "empty message; try 'help'");
	test_assert_refused("   \t\n ", IGW_ERROR_INVALID_DATA, "empty message");
	test_assert_refused("get \xff\xfe", IGW_ERROR_INVALID_DATA, "message not understood");
	test_assert_refused("set on \xc3", IGW_ERROR_INVALID_DATA, "message not understood");
	test_assert_refused(NULL, IGW_ERROR_INVALID_DATA, "message not understood");
	test_assert_refused(too_long, IGW_ERROR_INVALID_DATA, "message not understood");

	/* exactly at the limit is still read, and is just an unknown command */
	test_assert_refused(longest, IGW_ERROR_NOT_SUPPORTED, "unknown command");
}
END_TEST

/* phone keyboards and some clients send U+00A0 or U+2003 between words */
START_TEST(test_chat_unicode_space)
{
	test_assert_command("\xc2\xa0help", IGW_CHAT_COMMAND_HELP, NULL, NULL);
	test_assert_command("get\xc2\xa0", IGW_CHAT_COMMAND_GET, NULL, NULL);
	test_assert_command("get\xe3\x80\x80temperature", IGW_CHAT_COMMAND_GET, "temperature",
			    NULL);
	test_assert_command("set\xc2\xa0on\xc2\xa0true", IGW_CHAT_COMMAND_SET, "on", "true");
	test_assert_command("set on true\xe2\x80\x83", IGW_CHAT_COMMAND_SET, "on", "true");
	test_assert_command("set label a\xc2\xa0"
			    "b",
			    IGW_CHAT_COMMAND_SET, "label",
			    "a\xc2\xa0"
			    "b");
	test_assert_refused("set on\xc2\xa0", IGW_ERROR_INVALID_DATA, "usage: set FIELD VALUE");
	test_assert_refused("\xc2\xa0", IGW_ERROR_INVALID_DATA, "empty message");
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
}

static Suite *
test_chat_suite(void)
{
	Suite *suite = suite_create("chat");
	test_suite_add(suite, "chat/help", test_chat_help);
	test_suite_add(suite, "chat/get", test_chat_get);
	test_suite_add(suite, "chat/set", test_chat_set);
	test_suite_add(suite, "chat/errors", test_chat_errors);
	test_suite_add(suite, "chat/unicode-space", test_chat_unicode_space);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_chat_suite());
}
