/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTransport"

#include "config.h"

#include <string.h>

#include "igw-transport.h"

G_DEFINE_INTERFACE(IgwTransport, igw_transport, G_TYPE_OBJECT)

static void
igw_transport_default_init(IgwTransportInterface *iface)
{
	/* detailed by the stanza's name, so that handlers can pick a kind */
	g_signal_new("stanza", G_TYPE_FROM_INTERFACE(iface), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
		     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
	g_signal_new("online", G_TYPE_FROM_INTERFACE(iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
		     G_TYPE_NONE, 0);
	/* the contacts are known (igw_transport_dup_contacts), after a login */
	g_signal_new("contacts", G_TYPE_FROM_INTERFACE(iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
		     NULL, G_TYPE_NONE, 0);
}

const gchar *
igw_presence_to_string(IgwPresence presence)
{
	const gchar *names[] = {"available", "away", "xa", "unavailable"};
	if ((guint)presence >= G_N_ELEMENTS(names))
		return "unknown";
	return names[presence];
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

gchar *
igw_transport_dup_bare_jid(IgwTransport *self)
{
	const gchar *jid = igw_transport_get_jid(self);
	const gchar *slash = jid != NULL ? strchr(jid, '/') : NULL;
	return slash != NULL ? g_strndup(jid, slash - jid) : g_strdup(jid);
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

gboolean
igw_transport_send_presence(IgwTransport *self, IgwPresence presence, const gchar *status)
{
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), FALSE);
	return IGW_TRANSPORT_GET_IFACE(self)->send_presence(self, presence, status);
}

gboolean
igw_transport_subscribe(IgwTransport *self, const gchar *jid)
{
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), FALSE);
	g_return_val_if_fail(jid != NULL, FALSE);
	return IGW_TRANSPORT_GET_IFACE(self)->subscribe(self, jid);
}

gboolean
igw_transport_approve(IgwTransport *self, const gchar *jid)
{
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), FALSE);
	g_return_val_if_fail(jid != NULL, FALSE);
	return IGW_TRANSPORT_GET_IFACE(self)->approve(self, jid);
}

gboolean
igw_transport_unsubscribe(IgwTransport *self, const gchar *jid)
{
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), FALSE);
	g_return_val_if_fail(jid != NULL, FALSE);
	return IGW_TRANSPORT_GET_IFACE(self)->unsubscribe(self, jid);
}

gboolean
igw_transport_is_subscribed(IgwTransport *self, const gchar *jid)
{
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), FALSE);
	if (jid == NULL)
		return FALSE;
	return IGW_TRANSPORT_GET_IFACE(self)->is_subscribed(self, jid);
}

gboolean
igw_transport_add_to_group(IgwTransport *self, const gchar *jid, const gchar *group)
{
	IgwTransportInterface *iface;
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), FALSE);
	g_return_val_if_fail(jid != NULL && group != NULL, FALSE);
	iface = IGW_TRANSPORT_GET_IFACE(self);
	if (iface->add_to_group == NULL)
		return FALSE;
	return iface->add_to_group(self, jid, group);
}

gboolean
igw_transport_remove_contact(IgwTransport *self, const gchar *jid)
{
	IgwTransportInterface *iface;
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), FALSE);
	g_return_val_if_fail(jid != NULL, FALSE);
	iface = IGW_TRANSPORT_GET_IFACE(self);
	if (iface->remove_contact == NULL)
		return igw_transport_unsubscribe(self, jid);
	return iface->remove_contact(self, jid);
}

gchar **
igw_transport_dup_contacts(IgwTransport *self)
{
	IgwTransportInterface *iface;
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), NULL);
	iface = IGW_TRANSPORT_GET_IFACE(self);
	return iface->dup_contacts != NULL ? iface->dup_contacts(self) : NULL;
}

const gchar *
igw_transport_get_pubsub_jid(IgwTransport *self)
{
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), NULL);
	return IGW_TRANSPORT_GET_IFACE(self)->get_pubsub_jid(self);
}

gboolean
igw_transport_send_pubsub(IgwTransport *self, xmpp_stanza_t *iq)
{
	g_return_val_if_fail(IGW_IS_TRANSPORT(self), FALSE);
	return IGW_TRANSPORT_GET_IFACE(self)->send_pubsub(self, iq);
}

/* for implementations: hand an incoming stanza to the protocol code */
void
igw_transport_emit_stanza(IgwTransport *self, xmpp_stanza_t *stanza)
{
	static guint signal_id = 0;
	const gchar *name = xmpp_stanza_get_name(stanza);
	g_return_if_fail(IGW_IS_TRANSPORT(self));
	if (signal_id == 0)
		signal_id = g_signal_lookup("stanza", IGW_TYPE_TRANSPORT);
	g_signal_emit(self, signal_id, name != NULL ? g_quark_from_string(name) : 0, stanza);
}
