/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "igw-transport.h"

G_BEGIN_DECLS

/*
 * An IgwTransport for tests, with no server: it records what protocol code
 * sends and asks for, and lets a test inject incoming stanzas as XML.
 *
 * Every call is one record, in order, with a kind and a text:
 *   "send"        the stanza's XML
 *   "pubsub"      the request's XML (sent to the pubsub service)
 *   "presence"    "available: <status>", "xa: <status>", ...
 *   "subscribe", "approve", "unsubscribe", "remove"   the JID
 *   "group"       "<jid> <group>"
 * "send" and "pubsub" records keep a copy of the stanza too.
 */
#define IGW_TYPE_FAKE_TRANSPORT (igw_fake_transport_get_type())
G_DECLARE_FINAL_TYPE(IgwFakeTransport, igw_fake_transport, IGW, FAKE_TRANSPORT, GObject)

typedef struct {
	gchar *kind;
	gchar *text;
	xmpp_stanza_t *stanza; /* "send" and "pubsub" only */
} IgwFakeRecord;

/* @bare_jid: the thing's account; its pubsub service too */
IgwFakeTransport *
igw_fake_transport_new(const gchar *bare_jid);
/* online: emits "online", as a new stream would */
void
igw_fake_transport_set_online(IgwFakeTransport *self, gboolean online);
/* parse @xml and hand it to the protocol code through "stanza" */
void
igw_fake_transport_inject(IgwFakeTransport *self, const gchar *xml);
/* of IgwFakeRecord, in the order they were made */
GPtrArray *
igw_fake_transport_get_records(IgwFakeTransport *self);
void
igw_fake_transport_clear(IgwFakeTransport *self);
/* the records of @kind whose text contains @needle (NULL: any) */
guint
igw_fake_transport_count(IgwFakeTransport *self, const gchar *kind, const gchar *needle);
/* the last such record, or NULL */
IgwFakeRecord *
igw_fake_transport_find_last(IgwFakeTransport *self, const gchar *kind, const gchar *needle);
/* the records, one "kind: text" per line, for failure messages */
gchar *
igw_fake_transport_dump(IgwFakeTransport *self);
/* the text of the first <body/> in a sent stanza, or NULL */
gchar *
igw_fake_record_get_body(IgwFakeRecord *record);
/* whether @jid is subscribed as far as the fake knows (approve/unsubscribe) */
void
igw_fake_transport_set_subscribed(IgwFakeTransport *self, const gchar *jid, gboolean subscribed);
/* the roster a login fetched, as if it had just answered: emits "contacts" */
void
igw_fake_transport_set_contacts(IgwFakeTransport *self, const gchar *const *contacts);

G_END_DECLS
