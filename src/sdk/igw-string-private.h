/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* the core's; a plugin includes iotgw-plugin.h and nothing else of src/ */
#ifdef IGW_PLUGIN_COMPILATION
#error "a core-only header: plugins include iotgw-plugin.h only"
#endif

#include <glib.h>

G_BEGIN_DECLS

/* the most bytes of a thing's name, manufacturer, model, serial or firmware */
#define IGW_STR_THING_MAX 256

typedef enum {
	IGW_STR_SANITIZE_NONE = 0,
	/* tab, LF and CR stay: XML text may hold them, a name may not */
	IGW_STR_SANITIZE_KEEP_WHITESPACE = 1 << 0,
} IgwStrSanitizeFlags;

gboolean
igw_str_char_is_allowed(gunichar c, IgwStrSanitizeFlags flags);
gboolean
igw_str_is_clean(const gchar *text, IgwStrSanitizeFlags flags);
gchar *
igw_str_sanitize(const gchar *text, gsize max_bytes, IgwStrSanitizeFlags flags);

G_END_DECLS
