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

/*
 * splits @text into its first word and the rest, both without surrounding
 * whitespace; \s is Unicode-aware here, so a no-break space from a phone
 * keyboard separates words like a plain one, unlike g_strstrip()
 */
static gboolean
igw_chat_split(const gchar *text, gchar **first, gchar **rest)
{
	g_autoptr(GRegex) regex = g_regex_new("^\\s*(\\S+)\\s*(.*?)\\s*$",
					      G_REGEX_DOTALL | G_REGEX_DOLLAR_ENDONLY, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;
	if (!g_regex_match(regex, text, 0, &match))
		return FALSE;
	*first = g_match_info_fetch(match, 1);
	*rest = g_match_info_fetch(match, 2);
	return TRUE;
}

static IgwChatCommand *
igw_chat_command_parse_get(const gchar *args, GError **error)
{
	g_autofree gchar *field = NULL;
	g_autofree gchar *extra = NULL;
	if (*args == '\0')
		return igw_chat_command_new(IGW_CHAT_COMMAND_GET, NULL, NULL);
	if (!igw_chat_split(args, &field, &extra) || *extra != '\0') {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "usage: get [FIELD]");
		return NULL;
	}
	return igw_chat_command_new(IGW_CHAT_COMMAND_GET, field, NULL);
}

/* the value is everything after the field name, inner spaces kept */
static IgwChatCommand *
igw_chat_command_parse_set(const gchar *args, GError **error)
{
	g_autofree gchar *field = NULL;
	g_autofree gchar *value = NULL;
	if (!igw_chat_split(args, &field, &value) || *value == '\0') {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "usage: set FIELD VALUE");
		return NULL;
	}
	return igw_chat_command_new(IGW_CHAT_COMMAND_SET, field, value);
}

/* case-insensitive command word */
IgwChatCommand *
igw_chat_command_parse(const gchar *text, GError **error)
{
	g_autofree gchar *word = NULL;
	g_autofree gchar *args = NULL;
	g_autofree gchar *verb = NULL;

	if (text == NULL || !g_utf8_validate(text, -1, NULL) ||
	    strlen(text) > IGW_CHAT_MAX_LENGTH) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "message not understood");
		return NULL;
	}
	if (!igw_chat_split(text, &word, &args)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "empty message; try 'help'");
		return NULL;
	}
	verb = g_utf8_strdown(word, -1);
	if (g_strcmp0(verb, "help") == 0 || g_strcmp0(verb, "?") == 0)
		return igw_chat_command_new(IGW_CHAT_COMMAND_HELP, NULL, NULL);
	if (g_strcmp0(verb, "info") == 0)
		return igw_chat_command_new(IGW_CHAT_COMMAND_INFO, NULL, NULL);
	if (g_strcmp0(verb, "get") == 0)
		return igw_chat_command_parse_get(args, error);
	if (g_strcmp0(verb, "set") == 0)
		return igw_chat_command_parse_set(args, error);
	g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED, "unknown command '%s'; try 'help'",
		    word);
	return NULL;
}
