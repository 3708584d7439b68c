/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* a /.well-known/core answer larger than this is refused without parsing */
#define IGW_COAP_LINK_MAX_LEN 16384

/* one link of a CoRE Link Format (RFC 6690) document */
typedef struct {
	gchar *href;  /* the URI-reference between < >, as given: "/sensors/temp" */
	GStrv rt;     /* space-separated rt values (never NULL, may be empty) */
	GStrv if_;    /* "if" values (never NULL) */
	GArray *ct;   /* guint content-format hints (never NULL) */
	gboolean obs; /* RFC 7641 "obs" flag */
	gchar *title; /* or NULL */
	gint64 sz;    /* -1 when absent */
} IgwCoapLink;

void
igw_coap_link_free(IgwCoapLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwCoapLink, igw_coap_link_free)

/*
 * the links of a /.well-known/core answer, in order. A malformed link is skipped
 * and counted in @n_malformed (may be NULL): a node's other resources keep working.
 * An error (IGW_ERROR_INVALID_DATA) only when nothing can be parsed at all: not
 * UTF-8, empty, oversized (> IGW_COAP_LINK_MAX_LEN) or no valid link
 */
GPtrArray *
igw_coap_link_parse(const gchar *data, gsize len, guint *n_malformed,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_coap_link_has_rt(const IgwCoapLink *link, const gchar *rt);
gboolean
igw_coap_link_has_if(const IgwCoapLink *link, const gchar *iface);
gboolean
igw_coap_link_has_ct(const IgwCoapLink *link, guint ct);

G_END_DECLS
