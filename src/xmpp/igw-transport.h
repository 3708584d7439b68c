/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>
#include <strophe.h>

G_BEGIN_DECLS

/*
 * What carries a thing's stanzas: a c2s session today, a XEP-0114 component
 * stream or a XEP-0174 link-local stream later. Agents only see this.
 * Incoming stanzas arrive through the "stanza" signal (xmpp_stanza_t *).
 */
#define IGW_TYPE_TRANSPORT (igw_transport_get_type())
G_DECLARE_INTERFACE(IgwTransport, igw_transport, IGW, TRANSPORT, GObject)

struct _IgwTransportInterface {
	GTypeInterface parent_iface;
	xmpp_ctx_t *(*get_ctx)(IgwTransport *self);
	const gchar *(*get_jid)(IgwTransport *self);
	gboolean (*send)(IgwTransport *self, xmpp_stanza_t *stanza);
	gboolean (*is_online)(IgwTransport *self);
};

xmpp_ctx_t *
igw_transport_get_ctx(IgwTransport *self);
const gchar *
igw_transport_get_jid(IgwTransport *self);
gboolean
igw_transport_send(IgwTransport *self, xmpp_stanza_t *stanza);
gboolean
igw_transport_is_online(IgwTransport *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmpp_stanza_t, xmpp_stanza_release)

G_END_DECLS
