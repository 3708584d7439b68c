/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the plain-text commands that ordinary chat clients can send to a thing */
typedef enum {
	IGW_CHAT_COMMAND_HELP,
	IGW_CHAT_COMMAND_GET,
	IGW_CHAT_COMMAND_SET,
	IGW_CHAT_COMMAND_INFO,
} IgwChatCommandKind;

typedef struct {
	IgwChatCommandKind kind;
	gchar *field; /* get (optional), set */
	gchar *value; /* set */
} IgwChatCommand;

#define IGW_CHAT_MAX_LENGTH 1024

IgwChatCommand *
igw_chat_command_parse(const gchar *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
igw_chat_command_free(IgwChatCommand *self);
const gchar *
igw_chat_get_help(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwChatCommand, igw_chat_command_free)

G_END_DECLS
