/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwXmpp"

#include "config.h"

#include <string.h>

#include "igw-xmpp-roster.h"

#define IGW_NS_ROSTER "jabber:iq:roster"
#define IGW_XMPP_ROSTER_GET_ID IGW_XMPP_ROSTER_ID_PREFIX "get"

struct _IgwXmppRoster {
	gchar *label;
	GHashTable *subscribed; /* bare JID, lower case -> itself */
	GHashTable *contacts;	/* bare JID, lower case -> itself; NULL until fetched */
	guint next_id;
};

static gchar *
igw_xmpp_roster_bare(const gchar *jid)
{
	const gchar *slash = strchr(jid, '/');
	return slash != NULL ? g_utf8_strdown(jid, slash - jid) : g_utf8_strdown(jid, -1);
}

IgwXmppRoster *
igw_xmpp_roster_new(const gchar *label)
{
	IgwXmppRoster *self = g_new0(IgwXmppRoster, 1);
	self->label = g_strdup(label);
	self->subscribed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return self;
}

void
igw_xmpp_roster_free(IgwXmppRoster *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->subscribed);
	g_clear_pointer(&self->contacts, g_hash_table_unref);
	g_free(self->label);
	g_free(self);
}

void
igw_xmpp_roster_set_subscribed(IgwXmppRoster *self, const gchar *jid, gboolean subscribed)
{
	gchar *bare = igw_xmpp_roster_bare(jid);
	if (subscribed)
		g_hash_table_add(self->subscribed, bare);
	else {
		g_hash_table_remove(self->subscribed, bare);
		g_free(bare);
	}
}

gboolean
igw_xmpp_roster_is_subscribed(IgwXmppRoster *self, const gchar *jid)
{
	g_autofree gchar *bare = igw_xmpp_roster_bare(jid);
	return g_hash_table_contains(self->subscribed, bare);
}

static xmpp_stanza_t *
igw_xmpp_roster_new_iq(xmpp_ctx_t *ctx, const gchar *type, const gchar *id, xmpp_stanza_t **query)
{
	xmpp_stanza_t *iq = xmpp_iq_new(ctx, type, id);
	*query = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(*query, "query");
	xmpp_stanza_set_ns(*query, IGW_NS_ROSTER);
	xmpp_stanza_add_child_ex(iq, *query, 0);
	return iq;
}

xmpp_stanza_t *
igw_xmpp_roster_restart(IgwXmppRoster *self, xmpp_ctx_t *ctx)
{
	xmpp_stanza_t *query = NULL;
	g_hash_table_remove_all(self->subscribed);
	g_clear_pointer(&self->contacts, g_hash_table_unref);
	return igw_xmpp_roster_new_iq(ctx, "get", IGW_XMPP_ROSTER_GET_ID, &query);
}

gchar **
igw_xmpp_roster_dup_contacts(IgwXmppRoster *self)
{
	guint n = 0;
	gchar **keys;
	if (self->contacts == NULL)
		return NULL;
	/* the table keeps its keys: a deep copy */
	keys = (gchar **)g_hash_table_get_keys_as_array(self->contacts, &n);
	for (guint i = 0; i < n; i++)
		keys[i] = g_strdup(keys[i]);
	return keys;
}

xmpp_stanza_t *
igw_xmpp_roster_new_remove_item(IgwXmppRoster *self, xmpp_ctx_t *ctx, const gchar *jid)
{
	g_autofree gchar *id = g_strdup_printf(IGW_XMPP_ROSTER_ID_PREFIX "%u", ++self->next_id);
	xmpp_stanza_t *query = NULL;
	xmpp_stanza_t *iq = igw_xmpp_roster_new_iq(ctx, "set", id, &query);
	xmpp_stanza_t *item = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(item, "item");
	xmpp_stanza_set_attribute(item, "jid", jid);
	xmpp_stanza_set_attribute(item, "subscription", "remove");
	xmpp_stanza_add_child_ex(query, item, 0);
	return iq;
}

xmpp_stanza_t *
igw_xmpp_roster_new_group_item(IgwXmppRoster *self, xmpp_ctx_t *ctx, const gchar *jid,
			       const gchar *group)
{
	g_autofree gchar *id = g_strdup_printf(IGW_XMPP_ROSTER_ID_PREFIX "%u", ++self->next_id);
	xmpp_stanza_t *query = NULL;
	xmpp_stanza_t *iq = igw_xmpp_roster_new_iq(ctx, "set", id, &query);
	xmpp_stanza_t *item = xmpp_stanza_new(ctx);
	xmpp_stanza_t *group_element = xmpp_stanza_new(ctx);
	xmpp_stanza_t *text = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(item, "item");
	xmpp_stanza_set_attribute(item, "jid", jid);
	xmpp_stanza_set_name(group_element, "group");
	xmpp_stanza_set_text(text, group);
	xmpp_stanza_add_child_ex(group_element, text, 0);
	xmpp_stanza_add_child_ex(item, group_element, 0);
	xmpp_stanza_add_child_ex(query, item, 0);
	return iq;
}

/* "from" and "both": the contact sees our presence */
static void
igw_xmpp_roster_take_items(IgwXmppRoster *self, xmpp_stanza_t *query)
{
	for (xmpp_stanza_t *item = xmpp_stanza_get_children(query); item != NULL;
	     item = xmpp_stanza_get_next(item)) {
		const gchar *jid = xmpp_stanza_get_attribute(item, "jid");
		const gchar *subscription = xmpp_stanza_get_attribute(item, "subscription");
		if (g_strcmp0(xmpp_stanza_get_name(item), "item") != 0 || jid == NULL)
			continue;
		igw_xmpp_roster_set_subscribed(self, jid,
					       g_strcmp0(subscription, "from") == 0 ||
						   g_strcmp0(subscription, "both") == 0);
		if (self->contacts == NULL)
			continue;
		if (g_strcmp0(subscription, "remove") == 0) {
			g_autofree gchar *bare = igw_xmpp_roster_bare(jid);
			g_hash_table_remove(self->contacts, bare);
		} else {
			g_hash_table_add(self->contacts, igw_xmpp_roster_bare(jid));
		}
	}
}

/*
 * built by hand: libstrophe's xmpp_stanza_reply() crashes on a stanza
 * without "from", and roster pushes usually have none
 */
static xmpp_stanza_t *
igw_xmpp_roster_new_result(xmpp_stanza_t *stanza)
{
	xmpp_stanza_t *reply =
	    xmpp_iq_new(xmpp_stanza_get_context(stanza), "result", xmpp_stanza_get_id(stanza));
	const gchar *from = xmpp_stanza_get_from(stanza);
	if (from != NULL)
		xmpp_stanza_set_to(reply, from);
	return reply;
}

/* RFC 6121 2.1.6: a push comes from the account itself, or from nobody */
static gboolean
igw_xmpp_roster_is_push(xmpp_stanza_t *stanza, const gchar *own_bare)
{
	const gchar *from = xmpp_stanza_get_from(stanza);
	if (g_strcmp0(xmpp_stanza_get_type(stanza), "set") != 0)
		return FALSE;
	return from == NULL || (own_bare != NULL && g_ascii_strcasecmp(from, own_bare) == 0);
}

static gboolean
igw_xmpp_roster_handle_answer(IgwXmppRoster *self, xmpp_stanza_t *stanza, xmpp_stanza_t *query)
{
	const gchar *id = xmpp_stanza_get_id(stanza);
	const gchar *type = xmpp_stanza_get_type(stanza);
	if (id == NULL || !g_str_has_prefix(id, IGW_XMPP_ROSTER_ID_PREFIX))
		return FALSE;
	if (g_strcmp0(type, "error") == 0)
		g_warning("%s: the server refused a roster %s", self->label,
			  g_strcmp0(id, IGW_XMPP_ROSTER_GET_ID) == 0 ? "fetch"
								     : "change (owners' group)");
	else if (g_strcmp0(id, IGW_XMPP_ROSTER_GET_ID) == 0) {
		g_clear_pointer(&self->contacts, g_hash_table_unref);
		self->contacts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		if (query != NULL)
			igw_xmpp_roster_take_items(self, query);
	}
	return TRUE;
}

gboolean
igw_xmpp_roster_handle(IgwXmppRoster *self, xmpp_stanza_t *stanza, const gchar *own_bare,
		       xmpp_stanza_t **reply)
{
	const gchar *type = xmpp_stanza_get_type(stanza);
	xmpp_stanza_t *query = xmpp_stanza_get_child_by_name_and_ns(stanza, "query", IGW_NS_ROSTER);
	*reply = NULL;
	if (g_strcmp0(xmpp_stanza_get_name(stanza), "iq") != 0)
		return FALSE;
	if (g_strcmp0(type, "result") == 0 || g_strcmp0(type, "error") == 0)
		return igw_xmpp_roster_handle_answer(self, stanza, query);
	if (query == NULL || !igw_xmpp_roster_is_push(stanza, own_bare))
		return FALSE;
	igw_xmpp_roster_take_items(self, query);
	*reply = igw_xmpp_roster_new_result(stanza);
	return TRUE;
}
