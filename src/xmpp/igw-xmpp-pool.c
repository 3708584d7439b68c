/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwXmpp"

#include "config.h"

#include "igw-error.h"
#include "igw-xmpp-pool.h"

IgwXmppServer *
igw_xmpp_server_new(void)
{
	return g_atomic_rc_box_new0(IgwXmppServer);
}

static void
igw_xmpp_server_clear(IgwXmppServer *self)
{
	g_free(self->host);
	g_free(self->domain);
	g_free(self->ca_file);
	g_free(self->pinned_cert);
	g_free(self->resource);
}

IgwXmppServer *
igw_xmpp_server_ref(IgwXmppServer *self)
{
	return g_atomic_rc_box_acquire(self);
}

void
igw_xmpp_server_unref(IgwXmppServer *self)
{
	g_atomic_rc_box_release_full(self, (GDestroyNotify)igw_xmpp_server_clear);
}

typedef struct {
	gpointer session;
	IgwXmppPoolLoginFunc func;
} IgwXmppPoolWaiter;

struct _IgwXmppPool {
	GObject parent_instance;
	guint max_sessions;
	guint max_logins;
	GHashTable *reserved;  /* sessions holding a slot */
	GHashTable *in_flight; /* sessions logging in */
	GQueue waiting;	       /* of IgwXmppPoolWaiter */
};

G_DEFINE_TYPE(IgwXmppPool, igw_xmpp_pool, G_TYPE_OBJECT)

static void
igw_xmpp_pool_finalize(GObject *object)
{
	IgwXmppPool *self = IGW_XMPP_POOL(object);
	g_hash_table_unref(self->reserved);
	g_hash_table_unref(self->in_flight);
	g_queue_clear_full(&self->waiting, g_free);
	G_OBJECT_CLASS(igw_xmpp_pool_parent_class)->finalize(object);
}

static void
igw_xmpp_pool_class_init(IgwXmppPoolClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = igw_xmpp_pool_finalize;
}

static void
igw_xmpp_pool_init(IgwXmppPool *self)
{
	self->reserved = g_hash_table_new(g_direct_hash, g_direct_equal);
	self->in_flight = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_queue_init(&self->waiting);
}

IgwXmppPool *
igw_xmpp_pool_new(guint max_sessions, guint max_logins_in_flight)
{
	IgwXmppPool *self = g_object_new(IGW_TYPE_XMPP_POOL, NULL);
	igw_xmpp_pool_set_limits(self, max_sessions, max_logins_in_flight);
	return self;
}

void
igw_xmpp_pool_set_limits(IgwXmppPool *self, guint max_sessions, guint max_logins_in_flight)
{
	g_return_if_fail(IGW_IS_XMPP_POOL(self));
	self->max_sessions = MAX(max_sessions, 1);
	self->max_logins = MAX(max_logins_in_flight, 1);
}

gboolean
igw_xmpp_pool_reserve(IgwXmppPool *self, gpointer session, GError **error)
{
	g_return_val_if_fail(IGW_IS_XMPP_POOL(self), FALSE);
	if (g_hash_table_contains(self->reserved, session))
		return TRUE;
	if (g_hash_table_size(self->reserved) >= self->max_sessions) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_LIMIT_REACHED,
			    "session limit reached: %u sessions (max_sessions=%u)",
			    g_hash_table_size(self->reserved), self->max_sessions);
		return FALSE;
	}
	g_hash_table_add(self->reserved, session);
	return TRUE;
}

static void
igw_xmpp_pool_admit(IgwXmppPool *self)
{
	while (g_hash_table_size(self->in_flight) < self->max_logins &&
	       !g_queue_is_empty(&self->waiting)) {
		g_autofree IgwXmppPoolWaiter *waiter = g_queue_pop_head(&self->waiting);
		g_hash_table_add(self->in_flight, waiter->session);
		waiter->func(waiter->session);
	}
}

static void
igw_xmpp_pool_forget_waiter(IgwXmppPool *self, gpointer session)
{
	for (GList *l = self->waiting.head; l != NULL; l = l->next) {
		IgwXmppPoolWaiter *waiter = l->data;
		if (waiter->session != session)
			continue;
		g_queue_delete_link(&self->waiting, l);
		g_free(waiter);
		return;
	}
}

void
igw_xmpp_pool_unreserve(IgwXmppPool *self, gpointer session)
{
	g_return_if_fail(IGW_IS_XMPP_POOL(self));
	igw_xmpp_pool_forget_waiter(self, session);
	g_hash_table_remove(self->reserved, session);
	igw_xmpp_pool_release_login(self, session);
}

/* @func runs once a login slot is free, perhaps at once */
void
igw_xmpp_pool_request_login(IgwXmppPool *self, gpointer session, IgwXmppPoolLoginFunc func)
{
	IgwXmppPoolWaiter *waiter;
	g_return_if_fail(IGW_IS_XMPP_POOL(self));
	if (g_hash_table_contains(self->in_flight, session)) {
		func(session);
		return;
	}
	igw_xmpp_pool_forget_waiter(self, session);
	waiter = g_new0(IgwXmppPoolWaiter, 1);
	waiter->session = session;
	waiter->func = func;
	g_queue_push_tail(&self->waiting, waiter);
	igw_xmpp_pool_admit(self);
}

void
igw_xmpp_pool_release_login(IgwXmppPool *self, gpointer session)
{
	g_return_if_fail(IGW_IS_XMPP_POOL(self));
	if (g_hash_table_remove(self->in_flight, session))
		igw_xmpp_pool_admit(self);
}

guint
igw_xmpp_pool_get_reserved(IgwXmppPool *self)
{
	return g_hash_table_size(self->reserved);
}

guint
igw_xmpp_pool_get_logins_in_flight(IgwXmppPool *self)
{
	return g_hash_table_size(self->in_flight);
}
