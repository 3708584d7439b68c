/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwCoapLink"

#include <string.h>

#include "igw-coap-link.h"
#include "iotgw-plugin.h"

/*
 * CoRE Link Format (RFC 6690 §2): link *("," link), link = "<" URI ">" *(";" param),
 * param = name ["=" (ptoken / quoted-string)]. Quoted values may hold "," and ";",
 * so the text is scanned, never split. Whitespace around separators is tolerated
 * (some servers put a newline between links).
 */

#define IGW_COAP_LINK_CT_MAX 65535

typedef struct {
	const gchar *p;
	const gchar *end;
} IgwLinkScan;

/* what a link collects before it becomes an IgwCoapLink */
typedef struct {
	GPtrArray *rt;
	GPtrArray *if_;
	IgwCoapLink *link;
} IgwLinkBuild;

void
igw_coap_link_free(IgwCoapLink *link)
{
	if (link == NULL)
		return;
	g_free(link->href);
	g_strfreev(link->rt);
	g_strfreev(link->if_);
	if (link->ct != NULL)
		g_array_unref(link->ct);
	g_free(link->title);
	g_free(link);
}

static gboolean
igw_link_is_ws(gchar c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
igw_link_skip_ws(IgwLinkScan *scan)
{
	while (scan->p < scan->end && igw_link_is_ws(*scan->p))
		scan->p++;
}

/* RFC 5987 parmname characters, plus "*" for extended parameters such as title* */
static gboolean
igw_link_is_name_char(gchar c)
{
	return g_ascii_isalnum(c) || strchr("!#$&+-.^_`|~*", c) != NULL;
}

/* after an error: go on at the next "," that is not inside a quoted string */
static void
igw_link_resync(IgwLinkScan *scan)
{
	gboolean quoted = FALSE;
	for (; scan->p < scan->end; scan->p++) {
		if (quoted && *scan->p == '\\' && scan->p + 1 < scan->end) {
			scan->p++;
			continue;
		}
		if (*scan->p == '"')
			quoted = !quoted;
		else if (!quoted && *scan->p == ',')
			return;
	}
}

static gchar *
igw_link_parse_href(IgwLinkScan *scan, GError **error)
{
	const gchar *start;
	if (scan->p >= scan->end || *scan->p != '<') {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "missing '<'");
		return NULL;
	}
	start = ++scan->p;
	while (scan->p < scan->end && *scan->p != '>') {
		guchar c = (guchar)*scan->p;
		/* characters no URI-reference has: the '>' is missing */
		if (c <= 0x20 || c == 0x7f || c == '<' || c == '"') {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
					    "missing '>'");
			return NULL;
		}
		scan->p++;
	}
	if (scan->p >= scan->end) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "missing '>'");
		return NULL;
	}
	scan->p++;
	return g_strndup(start, scan->p - 1 - start);
}

/* a quoted-string (RFC 7230 style, with \-escapes), without its quotes */
static gchar *
igw_link_parse_quoted(IgwLinkScan *scan, const gchar *name, GError **error)
{
	g_autoptr(GString) value = g_string_new(NULL);
	scan->p++; /* the opening quote */
	while (scan->p < scan->end && *scan->p != '"') {
		if (*scan->p == '\\') {
			scan->p++;
			if (scan->p >= scan->end)
				break;
		}
		g_string_append_c(value, *scan->p);
		scan->p++;
	}
	if (scan->p >= scan->end) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "unterminated quoted value of '%s'", name);
		return NULL;
	}
	scan->p++; /* the closing quote */
	return g_string_free(g_steal_pointer(&value), FALSE);
}

/* a ptoken: up to the next separator */
static gchar *
igw_link_parse_token(IgwLinkScan *scan, const gchar *name, GError **error)
{
	const gchar *start = scan->p;
	while (scan->p < scan->end && *scan->p != ';' && *scan->p != ',' &&
	       !igw_link_is_ws(*scan->p)) {
		guchar c = (guchar)*scan->p;
		if (c < 0x20 || c == 0x7f || c == '"') {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "invalid character in the value of '%s'", name);
			return NULL;
		}
		scan->p++;
	}
	if (scan->p == start) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "'%s' has no value", name);
		return NULL;
	}
	return g_strndup(start, scan->p - start);
}

/* rt="a b" and if="c d" hold several space-separated values */
static void
igw_link_add_words(GPtrArray *words, const gchar *value)
{
	g_auto(GStrv) split = g_strsplit_set(value, " \t\r\n", -1);
	for (guint i = 0; split[i] != NULL; i++) {
		if (split[i][0] != '\0')
			g_ptr_array_add(words, g_strdup(split[i]));
	}
}

static gboolean
igw_link_add_ct(GArray *ct, const gchar *value, GError **error)
{
	g_auto(GStrv) split = g_strsplit_set(value, " \t\r\n", -1);
	guint count = 0;
	for (guint i = 0; split[i] != NULL; i++) {
		guint64 number = 0;
		guint format;
		if (split[i][0] == '\0')
			continue;
		if (!g_ascii_string_to_unsigned(split[i], 10, 0, IGW_COAP_LINK_CT_MAX, &number,
						NULL)) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "ct value '%s' is not a content-format (0-65535)", split[i]);
			return FALSE;
		}
		format = (guint)number;
		g_array_append_val(ct, format);
		count++;
	}
	if (count == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "ct is empty");
		return FALSE;
	}
	return TRUE;
}

static gboolean
igw_link_set_param(IgwLinkBuild *build, const gchar *name, const gchar *value, GError **error)
{
	IgwCoapLink *link = build->link;
	guint64 number = 0;

	if (g_ascii_strcasecmp(name, "obs") == 0) {
		link->obs = TRUE;
		return TRUE;
	}
	/* any other attribute may stand without a value; only these have a meaning */
	if (value == NULL)
		return TRUE;
	if (g_ascii_strcasecmp(name, "rt") == 0) {
		igw_link_add_words(build->rt, value);
	} else if (g_ascii_strcasecmp(name, "if") == 0) {
		igw_link_add_words(build->if_, value);
	} else if (g_ascii_strcasecmp(name, "ct") == 0) {
		return igw_link_add_ct(link->ct, value, error);
	} else if (g_ascii_strcasecmp(name, "sz") == 0) {
		if (!g_ascii_string_to_unsigned(value, 10, 0, G_MAXINT64, &number, NULL)) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "sz value '%s' is not a size", value);
			return FALSE;
		}
		link->sz = (gint64)number;
	} else if (g_ascii_strcasecmp(name, "title") == 0 && link->title == NULL) {
		/* RFC 6690: title appears at most once; keep the first */
		link->title = g_strdup(value);
	}
	return TRUE;
}

static gboolean
igw_link_parse_param(IgwLinkScan *scan, IgwLinkBuild *build, GError **error)
{
	const gchar *start = scan->p;
	g_autofree gchar *name = NULL;
	g_autofree gchar *value = NULL;

	while (scan->p < scan->end && igw_link_is_name_char(*scan->p))
		scan->p++;
	if (scan->p == start) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "attribute name expected after ';'");
		return FALSE;
	}
	name = g_strndup(start, scan->p - start);
	igw_link_skip_ws(scan);
	if (scan->p < scan->end && *scan->p == '=') {
		scan->p++;
		igw_link_skip_ws(scan);
		if (scan->p < scan->end && *scan->p == '"')
			value = igw_link_parse_quoted(scan, name, error);
		else
			value = igw_link_parse_token(scan, name, error);
		if (value == NULL)
			return FALSE;
	}
	return igw_link_set_param(build, name, value, error);
}

static GStrv
igw_link_steal_strv(GPtrArray *words)
{
	g_ptr_array_add(words, NULL);
	return (GStrv)g_ptr_array_free(words, FALSE);
}

static void
igw_link_build_clear(IgwLinkBuild *build)
{
	if (build->rt != NULL)
		g_ptr_array_unref(build->rt);
	if (build->if_ != NULL)
		g_ptr_array_unref(build->if_);
	igw_coap_link_free(build->link);
}

/* one link, up to (not including) the "," that ends it */
static IgwCoapLink *
igw_link_parse_one(IgwLinkScan *scan, GError **error)
{
	IgwLinkBuild build = {
	    .rt = g_ptr_array_new_with_free_func(g_free),
	    .if_ = g_ptr_array_new_with_free_func(g_free),
	    .link = g_new0(IgwCoapLink, 1),
	};
	IgwCoapLink *link;

	build.link->ct = g_array_new(FALSE, FALSE, sizeof(guint));
	build.link->sz = -1;
	build.link->href = igw_link_parse_href(scan, error);
	if (build.link->href == NULL) {
		igw_link_build_clear(&build);
		return NULL;
	}
	for (;;) {
		igw_link_skip_ws(scan);
		if (scan->p >= scan->end || *scan->p == ',')
			break;
		if (*scan->p != ';') {
			/* only ASCII goes into the message as it is: it must stay UTF-8 */
			if (g_ascii_isgraph(*scan->p)) {
				g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
					    "unexpected '%c' after <%s>", *scan->p,
					    build.link->href);
			} else {
				g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
					    "unexpected character after <%s>", build.link->href);
			}
			igw_link_build_clear(&build);
			return NULL;
		}
		scan->p++;
		igw_link_skip_ws(scan);
		if (!igw_link_parse_param(scan, &build, error)) {
			igw_link_build_clear(&build);
			return NULL;
		}
	}
	link = g_steal_pointer(&build.link);
	link->rt = igw_link_steal_strv(g_steal_pointer(&build.rt));
	link->if_ = igw_link_steal_strv(g_steal_pointer(&build.if_));
	return link;
}

static gboolean
igw_link_check_input(const gchar *data, gsize len, GError **error)
{
	if (len > IGW_COAP_LINK_MAX_LEN) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "link format document of %" G_GSIZE_FORMAT " bytes is more than %d",
			    len, IGW_COAP_LINK_MAX_LEN);
		return FALSE;
	}
	if (data == NULL || len == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "link format document is empty");
		return FALSE;
	}
	/* g_utf8_validate_len() also refuses NUL bytes */
	if (!g_utf8_validate_len(data, len, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "link format document is not valid UTF-8");
		return FALSE;
	}
	return TRUE;
}

GPtrArray *
igw_coap_link_parse(const gchar *data, gsize len, guint *n_malformed, GError **error)
{
	g_autoptr(GPtrArray) links = NULL;
	g_autoptr(GError) first_error = NULL;
	IgwLinkScan scan = {data, data + len};
	guint index = 0;
	guint malformed = 0;

	if (n_malformed != NULL)
		*n_malformed = 0;
	if (!igw_link_check_input(data, len, error))
		return NULL;
	links = g_ptr_array_new_with_free_func((GDestroyNotify)igw_coap_link_free);
	while (scan.p < scan.end) {
		g_autoptr(GError) error_local = NULL;
		IgwCoapLink *link;

		igw_link_skip_ws(&scan);
		/* empty elements (",,", a trailing ",") are not links */
		if (scan.p < scan.end && *scan.p == ',') {
			scan.p++;
			continue;
		}
		if (scan.p >= scan.end)
			break;
		index++;
		link = igw_link_parse_one(&scan, &error_local);
		if (link == NULL) {
			g_prefix_error(&error_local, "link %u: ", index);
			g_debug("skipping malformed link: %s", error_local->message);
			if (first_error == NULL)
				first_error = g_steal_pointer(&error_local);
			malformed++;
			igw_link_resync(&scan);
			continue;
		}
		g_ptr_array_add(links, link);
	}
	if (n_malformed != NULL)
		*n_malformed = malformed;
	if (links->len == 0) {
		if (first_error != NULL) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "no valid link: %s",
				    first_error->message);
		} else {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
					    "link format document is empty");
		}
		return NULL;
	}
	return g_steal_pointer(&links);
}

static gboolean
igw_link_strv_has(GStrv strv, const gchar *value)
{
	if (strv == NULL || value == NULL)
		return FALSE;
	return g_strv_contains((const gchar *const *)strv, value);
}

gboolean
igw_coap_link_has_rt(const IgwCoapLink *link, const gchar *rt)
{
	g_return_val_if_fail(link != NULL, FALSE);
	return igw_link_strv_has(link->rt, rt);
}

gboolean
igw_coap_link_has_if(const IgwCoapLink *link, const gchar *iface)
{
	g_return_val_if_fail(link != NULL, FALSE);
	return igw_link_strv_has(link->if_, iface);
}

gboolean
igw_coap_link_has_ct(const IgwCoapLink *link, guint ct)
{
	g_return_val_if_fail(link != NULL, FALSE);
	for (guint i = 0; link->ct != NULL && i < link->ct->len; i++) {
		if (g_array_index(link->ct, guint, i) == ct)
			return TRUE;
	}
	return FALSE;
}
