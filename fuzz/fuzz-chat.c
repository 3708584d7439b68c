/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <string.h>

#include "igw-chat.h"
#include "igw-error.h"
#include "igw-fuzz.h"

static gboolean
igw_fuzz_has_space(const gchar *text)
{
	for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		if (g_unichar_isspace(g_utf8_get_char(p)))
			return TRUE;
	}
	return FALSE;
}

/* one word: not empty, valid UTF-8, no whitespace of any kind */
static gboolean
igw_fuzz_is_word(const gchar *text)
{
	return text != NULL && *text != '\0' && g_utf8_validate(text, -1, NULL) &&
	       !igw_fuzz_has_space(text);
}

/* not empty, and no whitespace at either end */
static gboolean
igw_fuzz_is_trimmed(const gchar *text)
{
	const gchar *last;
	if (text == NULL || *text == '\0' || !g_utf8_validate(text, -1, NULL))
		return FALSE;
	last = g_utf8_find_prev_char(text, text + strlen(text));
	return !g_unichar_isspace(g_utf8_get_char(text)) &&
	       !g_unichar_isspace(g_utf8_get_char(last));
}

static void
igw_fuzz_check_command(const gchar *text, IgwChatCommand *cmd)
{
	switch (cmd->kind) {
	case IGW_CHAT_COMMAND_HELP:
	case IGW_CHAT_COMMAND_INFO:
		igw_fuzz_require(cmd->field == NULL && cmd->value == NULL);
		break;
	case IGW_CHAT_COMMAND_GET:
		igw_fuzz_require(cmd->field == NULL || igw_fuzz_is_word(cmd->field));
		igw_fuzz_require(cmd->value == NULL);
		break;
	case IGW_CHAT_COMMAND_SET:
		igw_fuzz_require(igw_fuzz_is_word(cmd->field));
		igw_fuzz_require(igw_fuzz_is_trimmed(cmd->value));
		/* nothing invented: the value is a piece of what was sent */
		igw_fuzz_require(strstr(text, cmd->value) != NULL);
		break;
	default:
		igw_fuzz_require(FALSE);
	}
}

/* text -> a command XOR an error, never a crash */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *text = igw_fuzz_strdup(data, size);
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwChatCommand) cmd = NULL;

	igw_fuzz_init();
	cmd = igw_chat_command_parse(text, &error);
	igw_fuzz_require((cmd == NULL) != (error == NULL));
	if (cmd != NULL) {
		igw_fuzz_check_command(text, cmd);
		return 0;
	}
	igw_fuzz_require(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA) ||
			 g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED));
	/* the error goes back to the sender as a chat message */
	igw_fuzz_require(g_utf8_validate(error->message, -1, NULL));
	return 0;
}
