/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFakeTransport"

#include "config.h"

#include <string.h>

#include "fake-transport.h"

struct _IgwFakeTransport {
	GObject parent_instance;
	xmpp_ctx_t *ctx;
	gchar *bare_jid;
	gchar *full_jid;
	gboolean online;
	GPtrArray *records;	/* IgwFakeRecord */
	GHashTable *subscribed; /* bare JID, lower case */
	GStrv contacts;		/* NULL until a test sets them */
};

static void
igw_fake_transport_iface_init(IgwTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE(IgwFakeTransport, igw_fake_transport, G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(IGW_TYPE_TRANSPORT, igw_fake_transport_iface_init))

static void
igw_fake_record_free(IgwFakeRecord *record)
{
	g_free(record->kind);
	g_free(record->text);
	if (record->stanza != NULL)
		xmpp_stanza_release(record->stanza);
	g_free(record);
}

static void
igw_fake_transport_add(IgwFakeTransport *self, const gchar *kind, const gchar *text,
		       xmpp_stanza_t *stanza)
{
	IgwFakeRecord *record = g_new0(IgwFakeRecord, 1);
	record->kind = g_strdup(kind);
	record->text = g_strdup(text);
	record->stanza = stanza != NULL ? xmpp_stanza_copy(stanza) : NULL;
	g_ptr_array_add(self->records, record);
}

static gchar *
igw_fake_transport_to_text(xmpp_stanza_t *stanza)
{
	gchar *buf = NULL;
	size_t len = 0;
	gchar *text;
	if (xmpp_stanza_to_text(stanza, &buf, &len) != XMPP_EOK)
		return g_strdup("(unprintable)");
	text = g_strndup(buf, len);
	xmpp_free(xmpp_stanza_get_context(stanza), buf);
	return text;
}

static gchar *
igw_fake_transport_bare(const gchar *jid)
{
	const gchar *slash = strchr(jid, '/');
	return slash != NULL ? g_utf8_strdown(jid, slash - jid) : g_utf8_strdown(jid, -1);
}

static xmpp_ctx_t *
igw_fake_transport_get_ctx(IgwTransport *transport)
{
	return IGW_FAKE_TRANSPORT(transport)->ctx;
}

static const gchar *
igw_fake_transport_get_jid(IgwTransport *transport)
{
	IgwFakeTransport *self = IGW_FAKE_TRANSPORT(transport);
	return self->online ? self->full_jid : self->bare_jid;
}

static gboolean
igw_fake_transport_is_online(IgwTransport *transport)
{
	return IGW_FAKE_TRANSPORT(transport)->online;
}

static gboolean
igw_fake_transport_record_stanza(IgwTransport *transport, const gchar *kind, xmpp_stanza_t *stanza)
{
	IgwFakeTransport *self = IGW_FAKE_TRANSPORT(transport);
	g_autofree gchar *text = NULL;
	if (!self->online)
		return FALSE;
	text = igw_fake_transport_to_text(stanza);
	igw_fake_transport_add(self, kind, text, stanza);
	return TRUE;
}

static gboolean
igw_fake_transport_send(IgwTransport *transport, xmpp_stanza_t *stanza)
{
	return igw_fake_transport_record_stanza(transport, "send", stanza);
}

static gboolean
igw_fake_transport_send_pubsub(IgwTransport *transport, xmpp_stanza_t *iq)
{
	return igw_fake_transport_record_stanza(transport, "pubsub", iq);
}

static gboolean
igw_fake_transport_send_presence(IgwTransport *transport, IgwPresence presence, const gchar *status)
{
	IgwFakeTransport *self = IGW_FAKE_TRANSPORT(transport);
	g_autofree gchar *text = NULL;
	if (!self->online)
		return FALSE;
	text = g_strdup_printf("%s: %s", igw_presence_to_string(presence),
			       status != NULL ? status : "");
	igw_fake_transport_add(self, "presence", text, NULL);
	return TRUE;
}

static gboolean
igw_fake_transport_record_jid(IgwTransport *transport, const gchar *kind, const gchar *jid)
{
	IgwFakeTransport *self = IGW_FAKE_TRANSPORT(transport);
	if (!self->online)
		return FALSE;
	igw_fake_transport_add(self, kind, jid, NULL);
	return TRUE;
}

static gboolean
igw_fake_transport_subscribe(IgwTransport *transport, const gchar *jid)
{
	return igw_fake_transport_record_jid(transport, "subscribe", jid);
}

static gboolean
igw_fake_transport_approve(IgwTransport *transport, const gchar *jid)
{
	if (!igw_fake_transport_record_jid(transport, "approve", jid))
		return FALSE;
	igw_fake_transport_set_subscribed(IGW_FAKE_TRANSPORT(transport), jid, TRUE);
	return TRUE;
}

static gboolean
igw_fake_transport_unsubscribe(IgwTransport *transport, const gchar *jid)
{
	if (!igw_fake_transport_record_jid(transport, "unsubscribe", jid))
		return FALSE;
	igw_fake_transport_set_subscribed(IGW_FAKE_TRANSPORT(transport), jid, FALSE);
	return TRUE;
}

static gboolean
igw_fake_transport_is_subscribed(IgwTransport *transport, const gchar *jid)
{
	g_autofree gchar *bare = igw_fake_transport_bare(jid);
	return g_hash_table_contains(IGW_FAKE_TRANSPORT(transport)->subscribed, bare);
}

static gboolean
igw_fake_transport_add_to_group(IgwTransport *transport, const gchar *jid, const gchar *group)
{
	g_autofree gchar *text = g_strdup_printf("%s %s", jid, group);
	return igw_fake_transport_record_jid(transport, "group", text);
}

static gboolean
igw_fake_transport_remove_contact(IgwTransport *transport, const gchar *jid)
{
	if (!igw_fake_transport_record_jid(transport, "remove", jid))
		return FALSE;
	igw_fake_transport_set_subscribed(IGW_FAKE_TRANSPORT(transport), jid, FALSE);
	return TRUE;
}

static gchar **
igw_fake_transport_dup_contacts(IgwTransport *transport)
{
	return g_strdupv(IGW_FAKE_TRANSPORT(transport)->contacts);
}

static const gchar *
igw_fake_transport_get_pubsub_jid(IgwTransport *transport)
{
	return IGW_FAKE_TRANSPORT(transport)->bare_jid;
}

static void
igw_fake_transport_iface_init(IgwTransportInterface *iface)
{
	iface->get_ctx = igw_fake_transport_get_ctx;
	iface->get_jid = igw_fake_transport_get_jid;
	iface->send = igw_fake_transport_send;
	iface->is_online = igw_fake_transport_is_online;
	iface->send_presence = igw_fake_transport_send_presence;
	iface->subscribe = igw_fake_transport_subscribe;
	iface->approve = igw_fake_transport_approve;
	iface->unsubscribe = igw_fake_transport_unsubscribe;
	iface->is_subscribed = igw_fake_transport_is_subscribed;
	iface->add_to_group = igw_fake_transport_add_to_group;
	iface->remove_contact = igw_fake_transport_remove_contact;
	iface->dup_contacts = igw_fake_transport_dup_contacts;
	iface->get_pubsub_jid = igw_fake_transport_get_pubsub_jid;
	iface->send_pubsub = igw_fake_transport_send_pubsub;
}

void
igw_fake_transport_set_subscribed(IgwFakeTransport *self, const gchar *jid, gboolean subscribed)
{
	gchar *bare = igw_fake_transport_bare(jid);
	if (subscribed)
		g_hash_table_add(self->subscribed, bare);
	else {
		g_hash_table_remove(self->subscribed, bare);
		g_free(bare);
	}
}

void
igw_fake_transport_set_online(IgwFakeTransport *self, gboolean online)
{
	self->online = online;
	if (online)
		g_signal_emit_by_name(self, "online");
}

void
igw_fake_transport_inject(IgwFakeTransport *self, const gchar *xml)
{
	xmpp_stanza_t *stanza = xmpp_stanza_new_from_string(self->ctx, xml);
	g_assert_nonnull(stanza);
	igw_transport_emit_stanza(IGW_TRANSPORT(self), stanza);
	xmpp_stanza_release(stanza);
}

GPtrArray *
igw_fake_transport_get_records(IgwFakeTransport *self)
{
	return self->records;
}

void
igw_fake_transport_clear(IgwFakeTransport *self)
{
	g_ptr_array_set_size(self->records, 0);
}

static gboolean
igw_fake_record_matches(IgwFakeRecord *record, const gchar *kind, const gchar *needle)
{
	if (g_strcmp0(record->kind, kind) != 0)
		return FALSE;
	return needle == NULL || strstr(record->text, needle) != NULL;
}

guint
igw_fake_transport_count(IgwFakeTransport *self, const gchar *kind, const gchar *needle)
{
	guint count = 0;
	for (guint i = 0; i < self->records->len; i++) {
		if (igw_fake_record_matches(g_ptr_array_index(self->records, i), kind, needle))
			count++;
	}
	return count;
}

IgwFakeRecord *
igw_fake_transport_find_last(IgwFakeTransport *self, const gchar *kind, const gchar *needle)
{
	for (guint i = self->records->len; i > 0; i--) {
		IgwFakeRecord *record = g_ptr_array_index(self->records, i - 1);
		if (igw_fake_record_matches(record, kind, needle))
			return record;
	}
	return NULL;
}

gchar *
igw_fake_transport_dump(IgwFakeTransport *self)
{
	g_autoptr(GString) text = g_string_new(NULL);
	for (guint i = 0; i < self->records->len; i++) {
		IgwFakeRecord *record = g_ptr_array_index(self->records, i);
		g_string_append_printf(text, "\n  %s: %s", record->kind, record->text);
	}
	return g_string_free(g_steal_pointer(&text), FALSE);
}

gchar *
igw_fake_record_get_body(IgwFakeRecord *record)
{
	xmpp_stanza_t *body;
	if (record == NULL || record->stanza == NULL)
		return NULL;
	body = xmpp_stanza_get_child_by_name(record->stanza, "body");
	return body != NULL ? xmpp_stanza_get_text(body) : NULL;
}

static void
igw_fake_transport_finalize(GObject *object)
{
	IgwFakeTransport *self = IGW_FAKE_TRANSPORT(object);
	g_ptr_array_unref(self->records);
	g_hash_table_unref(self->subscribed);
	g_strfreev(self->contacts);
	g_free(self->bare_jid);
	g_free(self->full_jid);
	xmpp_ctx_free(self->ctx);
	G_OBJECT_CLASS(igw_fake_transport_parent_class)->finalize(object);
}

static void
igw_fake_transport_class_init(IgwFakeTransportClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = igw_fake_transport_finalize;
}

static void
igw_fake_transport_init(IgwFakeTransport *self)
{
	self->records = g_ptr_array_new_with_free_func((GDestroyNotify)igw_fake_record_free);
	self->subscribed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->ctx = xmpp_ctx_new(NULL, NULL);
}

IgwFakeTransport *
igw_fake_transport_new(const gchar *bare_jid)
{
	IgwFakeTransport *self = g_object_new(IGW_TYPE_FAKE_TRANSPORT, NULL);
	self->bare_jid = g_strdup(bare_jid);
	self->full_jid = g_strdup_printf("%s/iotgw", bare_jid);
	return self;
}

void
igw_fake_transport_set_contacts(IgwFakeTransport *self, const gchar *const *contacts)
{
	g_strfreev(self->contacts);
	self->contacts = g_strdupv((gchar **)contacts);
	g_signal_emit_by_name(self, "contacts");
}
