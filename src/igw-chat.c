/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwChat"

#include "config.h"

#include <string.h>

#include "igw-chat.h"
#include "igw-error.h"

void
igw_chat_command_free(IgwChatCommand *self)
{
	if (self == NULL)
		return;
	g_free(self->field);
	g_free(self->value);
	g_free(self);
}

const gchar *
igw_chat_get_help(void)
{
	return "Commands:\n"
	       "  help               this text\n"
	       "  get                all current values\n"
	       "  get FIELD          one current value\n"
	       "  set FIELD VALUE    change a writable field (e.g. set on true)\n"
	       "  info               what I am";
}

static IgwChatCommand *
igw_chat_command_new(IgwChatCommandKind kind, const gchar *field, const gchar *value)
{
	IgwChatCommand *self = g_new0(IgwChatCommand, 1);
	self->kind = kind;
	self->field = g_strdup(field);
	self->value = g_strdup(value);
	return self;
}

static gboolean
igw_chat_expect_args(gchar **words, guint min, guint max, const gchar *usage, GError **error)
{
	guint count = g_strv_length(words) - 1;
	if (count >= min && count <= max)
		return TRUE;
	g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "usage: %s", usage);
	return FALSE;
}

/* case-insensitive command word; the value of "set" may contain spaces */
IgwChatCommand *
igw_chat_command_parse(const gchar *text, GError **error)
{
	g_autofree gchar *line = NULL;
	g_auto(GStrv) words = NULL;
	g_autofree gchar *verb = NULL;

	if (text == NULL || !g_utf8_validate(text, -1, NULL) || strlen(text) > IGW_CHAT_MAX_LENGTH) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "message not understood");
		return NULL;
	}
	line = g_strstrip(g_strdup(text));
	words = g_regex_split_simple("\\s+", line, 0, 0);
	if (words[0] == NULL || *words[0] == '\0') {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "empty message; try 'help'");
		return NULL;
	}
	verb = g_utf8_strdown(words[0], -1);
	if (g_strcmp0(verb, "help") == 0 || g_strcmp0(verb, "?") == 0)
		return igw_chat_command_new(IGW_CHAT_COMMAND_HELP, NULL, NULL);
	if (g_strcmp0(verb, "info") == 0)
		return igw_chat_command_new(IGW_CHAT_COMMAND_INFO, NULL, NULL);
	if (g_strcmp0(verb, "get") == 0) {
		if (!igw_chat_expect_args(words, 0, 1, "get [FIELD]", error))
			return NULL;
		return igw_chat_command_new(IGW_CHAT_COMMAND_GET, words[1], NULL);
	}
	if (g_strcmp0(verb, "set") == 0) {
		g_auto(GStrv) parts = g_regex_split_simple("\\s+", line, 0, 0);
		g_autofree gchar *value = NULL;
		if (!igw_chat_expect_args(words, 2, G_MAXUINT, "set FIELD VALUE", error))
			return NULL;
		/* everything after the field name, spaces kept */
		value = g_strdup(g_strstr_len(line + strlen(parts[0]), -1, parts[1]) + strlen(parts[1]));
		g_strstrip(value);
		return igw_chat_command_new(IGW_CHAT_COMMAND_SET, words[1], value);
	}
	g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED, "unknown command '%s'; try 'help'", words[0]);
	return NULL;
}
