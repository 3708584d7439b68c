/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

/*
 * What a c2s session knows of its account's roster (RFC 6121): who sees
 * the account's presence, from the roster fetched after each login, the
 * roster pushes that follow, and what the session itself approved or
 * cancelled since. Only the session sees it: protocol code asks the
 * transport.
 */
typedef struct _IgwXmppRoster IgwXmppRoster;

#define IGW_XMPP_ROSTER_ID_PREFIX "igw-roster-"

IgwXmppRoster *
igw_xmpp_roster_new(const gchar *label);
void
igw_xmpp_roster_free(IgwXmppRoster *self);
/* a new stream: forget everything and ask again (the request is returned) */
xmpp_stanza_t *
igw_xmpp_roster_restart(IgwXmppRoster *self, xmpp_ctx_t *ctx);
/*
 * TRUE if @stanza was the roster's business (a push, or the answer to one
 * of its requests); then *@reply is what to send back, or NULL. @own_bare:
 * the account's bare JID, a push may come from it
 */
gboolean
igw_xmpp_roster_handle(IgwXmppRoster *self, xmpp_stanza_t *stanza, const gchar *own_bare,
		       xmpp_stanza_t **reply);
/* @jid (any resource) sees the account's presence, or no longer does */
void
igw_xmpp_roster_set_subscribed(IgwXmppRoster *self, const gchar *jid, gboolean subscribed);
gboolean
igw_xmpp_roster_is_subscribed(IgwXmppRoster *self, const gchar *jid);
/* every contact of the fetched roster, bare and lower case, whatever its
 * subscription, kept up to date by pushes; NULL before the fetch answered */
gchar **
igw_xmpp_roster_dup_contacts(IgwXmppRoster *self);
/* iq set jabber:iq:roster: @jid removed (RFC 6121 2.5.2) */
xmpp_stanza_t *
igw_xmpp_roster_new_remove_item(IgwXmppRoster *self, xmpp_ctx_t *ctx, const gchar *jid);
/* iq set jabber:iq:roster: @jid in the roster group @group */
xmpp_stanza_t *
igw_xmpp_roster_new_group_item(IgwXmppRoster *self, xmpp_ctx_t *ctx, const gchar *jid,
			       const gchar *group);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwXmppRoster, igw_xmpp_roster_free)

G_END_DECLS
