/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwString"

#include "config.h"

#include <string.h>

#include "igw-string-private.h"

/*
 * XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
 * [#x10000-#x10FFFF]; C1 controls and DEL are allowed there but are never
 * text a person wants, so they go too
 */
gboolean
igw_str_char_is_allowed(gunichar c, IgwStrSanitizeFlags flags)
{
	if (c == '\t' || c == '\n' || c == '\r')
		return (flags & IGW_STR_SANITIZE_KEEP_WHITESPACE) != 0;
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return FALSE;
	if ((c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff)
		return FALSE;
	return c <= 0x10ffff;
}

/* the common case, printable ASCII, without a copy */
static gboolean
igw_str_is_plain_ascii(const gchar *text, IgwStrSanitizeFlags flags)
{
	for (const guchar *p = (const guchar *)text; *p != '\0'; p++) {
		if (*p >= 0x20 && *p < 0x7f)
			continue;
		if ((*p == '\t' || *p == '\n' || *p == '\r') &&
		    (flags & IGW_STR_SANITIZE_KEEP_WHITESPACE) != 0)
			continue;
		return FALSE;
	}
	return TRUE;
}

gboolean
igw_str_is_clean(const gchar *text, IgwStrSanitizeFlags flags)
{
	g_autofree gchar *clean = NULL;
	if (text == NULL || igw_str_is_plain_ascii(text, flags))
		return TRUE;
	clean = igw_str_sanitize(text, 0, flags);
	return strcmp(clean, text) == 0;
}

/*
 * @text without invalid UTF-8, controls and what XML 1.0 forbids, cut to at
 * most @max_bytes (0: no limit) at a character boundary; NULL stays NULL
 */
gchar *
igw_str_sanitize(const gchar *text, gsize max_bytes, IgwStrSanitizeFlags flags)
{
	const gchar *p = text;
	const gchar *end;
	GString *out;
	if (text == NULL)
		return NULL;
	end = text + strlen(text);
	out = g_string_sized_new(MIN((gsize)(end - text), max_bytes > 0 ? max_bytes : G_MAXSIZE));
	while (p < end) {
		gunichar c = g_utf8_get_char_validated(p, end - p);
		gsize len;
		/* a byte that starts no valid character is dropped alone */
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			p++;
			continue;
		}
		len = (gsize)(g_utf8_next_char(p) - p);
		if (igw_str_char_is_allowed(c, flags)) {
			if (max_bytes > 0 && out->len + len > max_bytes)
				break;
			g_string_append_len(out, p, (gssize)len);
		}
		p += len;
	}
	return g_string_free(out, FALSE);
}
