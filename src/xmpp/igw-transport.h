/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>
#include <strophe.h>

G_BEGIN_DECLS

/* what a thing says about itself to those who see its presence */
typedef enum {
	IGW_PRESENCE_AVAILABLE,
	IGW_PRESENCE_AWAY,
	IGW_PRESENCE_XA,
	IGW_PRESENCE_UNAVAILABLE,
} IgwPresence;

const gchar *
igw_presence_to_string(IgwPresence presence);

/*
 * What carries a thing's stanzas: a c2s session today, a XEP-0114 component
 * stream or a XEP-0174 link-local stream later. Protocol code only sees
 * this, and says what it means (broadcast presence, approve an owner,
 * publish to the pubsub service); each transport says it its own way.
 *
 * Incoming stanzas arrive through the "stanza" signal (xmpp_stanza_t *),
 * detailed by the stanza's name: connect to "stanza::iq", "stanza::message"
 * or "stanza::presence" for one kind, or to "stanza" for all of them. What
 * only concerns the transport (roster pushes, stream management) is handled
 * by it and never emitted. "online" says a (new) stream is up: whatever the
 * peers knew about the old one is gone.
 */
#define IGW_TYPE_TRANSPORT (igw_transport_get_type())
G_DECLARE_INTERFACE(IgwTransport, igw_transport, IGW, TRANSPORT, GObject)

struct _IgwTransportInterface {
	GTypeInterface parent_iface;
	xmpp_ctx_t *(*get_ctx)(IgwTransport *self);
	const gchar *(*get_jid)(IgwTransport *self);
	gboolean (*send)(IgwTransport *self, xmpp_stanza_t *stanza);
	gboolean (*is_online)(IgwTransport *self);
	gboolean (*send_presence)(IgwTransport *self, IgwPresence presence, const gchar *status);
	gboolean (*subscribe)(IgwTransport *self, const gchar *jid);
	gboolean (*approve)(IgwTransport *self, const gchar *jid);
	gboolean (*unsubscribe)(IgwTransport *self, const gchar *jid);
	gboolean (*is_subscribed)(IgwTransport *self, const gchar *jid);
	gboolean (*add_to_group)(IgwTransport *self, const gchar *jid, const gchar *group);
	gboolean (*remove_contact)(IgwTransport *self, const gchar *jid);
	gchar **(*dup_contacts)(IgwTransport *self);
	const gchar *(*get_pubsub_jid)(IgwTransport *self);
	gboolean (*send_pubsub)(IgwTransport *self, xmpp_stanza_t *iq);
};

/* the stanza factory: stanzas sent through this transport are made here */
xmpp_ctx_t *
igw_transport_get_ctx(IgwTransport *self);
/* the full JID once online, the bare one before */
const gchar *
igw_transport_get_jid(IgwTransport *self);
/* the bare JID, lower case; free with g_free() */
gchar *
igw_transport_dup_bare_jid(IgwTransport *self);
gboolean
igw_transport_is_online(IgwTransport *self);

/* any stanza, as built; takes no ownership. FALSE while offline */
gboolean
igw_transport_send(IgwTransport *self, xmpp_stanza_t *stanza);

/* broadcast presence to every subscriber (the owners); @status may be NULL */
gboolean
igw_transport_send_presence(IgwTransport *self, IgwPresence presence, const gchar *status);
/* ask to see @jid's presence */
gboolean
igw_transport_subscribe(IgwTransport *self, const gchar *jid);
/* let @jid see ours: it asked, or is about to */
gboolean
igw_transport_approve(IgwTransport *self, const gchar *jid);
/* @jid may not, or no longer, see our presence (a refusal or a cancellation) */
gboolean
igw_transport_unsubscribe(IgwTransport *self, const gchar *jid);
/* whether @jid (any resource) sees our presence, as far as this transport knows */
gboolean
igw_transport_is_subscribed(IgwTransport *self, const gchar *jid);
/* put @jid in the contact group @group, for access models that admit a
 * group; FALSE where the transport has no such thing */
gboolean
igw_transport_add_to_group(IgwTransport *self, const gchar *jid, const gchar *group);

/* @jid is no contact any more: neither side sees the other's presence and
 * the roster item is gone (c2s: unsubscribe, then a roster remove, which
 * also revokes what @jid had, RFC 6121 2.5.2). FALSE while offline */
gboolean
igw_transport_remove_contact(IgwTransport *self, const gchar *jid);
/* the bare JIDs of the contacts this transport knows (c2s: the roster
 * fetched at login, with any subscription or pending request); NULL until
 * it knows. "contacts" is emitted when they are known after a login */
gchar **
igw_transport_dup_contacts(IgwTransport *self);

/* the JID of this transport's pubsub service, the one its events come
 * from: the thing's own bare JID for c2s (PEP) */
const gchar *
igw_transport_get_pubsub_jid(IgwTransport *self);
/* send a pubsub (or disco) request built without "to" to this transport's
 * pubsub service (c2s: left "to"-less, which is the account's own PEP);
 * the reply comes back as a "stanza" with the same id. Takes no ownership */
gboolean
igw_transport_send_pubsub(IgwTransport *self, xmpp_stanza_t *iq);

/* for implementations: emit "stanza", detailed by @stanza's name */
void
igw_transport_emit_stanza(IgwTransport *self, xmpp_stanza_t *stanza);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmpp_stanza_t, xmpp_stanza_release)

G_END_DECLS
