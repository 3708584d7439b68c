/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "igw-transport.h"

G_DEFINE_INTERFACE(IgwTransport, igw_transport, G_TYPE_OBJECT)

static void
igw_transport_default_init(IgwTransportInterface *iface)
{
	g_signal_new("stanza",
		     G_TYPE_FROM_INTERFACE(iface),
		     G_SIGNAL_RUN_LAST,
		     0, NULL, NULL, NULL,
		     G_TYPE_NONE, 1, G_TYPE_POINTER);
	g_signal_new("online",
		     G_TYPE_FROM_INTERFACE(iface),
		     G_SIGNAL_RUN_LAST,
		     0, NULL, NULL, NULL,
		     G_TYPE_NONE, 0);
}

xmpp_ctx_t *
igw_transport_get_ctx(IgwTransport *self)
{
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), NULL);
	return IGW_TRANSPORT_GET_IFACE(self)->get_ctx(self);
}

const gchar *
igw_transport_get_jid(IgwTransport *self)
{
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), NULL);
	return IGW_TRANSPORT_GET_IFACE(self)->get_jid(self);
}

/* takes no ownership of @stanza */
gboolean
igw_transport_send(IgwTransport *self, xmpp_stanza_t *stanza)
{
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), FALSE);
	return IGW_TRANSPORT_GET_IFACE(self)->send(self, stanza);
}

gboolean
igw_transport_is_online(IgwTransport *self)
{
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), FALSE);
	return IGW_TRANSPORT_GET_IFACE(self)->is_online(self);
}
