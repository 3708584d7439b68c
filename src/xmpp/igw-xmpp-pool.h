/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
	IGW_XMPP_TLS_REQUIRED,
	IGW_XMPP_TLS_DISABLED,
} IgwXmppTls;

/*
 * where and how sessions connect: the transport layer's own settings,
 * filled from the config by whoever owns the sessions, and copied, so that
 * reloads are safe
 */
typedef struct {
	gchar *host;
	guint port;
	gchar *domain;
	IgwXmppTls tls;
	gchar *ca_file;
	gchar *pinned_cert;
	gchar *resource;
	gboolean register_accounts;
	guint login_timeout;
} IgwXmppServer;

/* all unset: the caller fills it in */
IgwXmppServer *
igw_xmpp_server_new(void);
IgwXmppServer *
igw_xmpp_server_ref(IgwXmppServer *self);
void
igw_xmpp_server_unref(IgwXmppServer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwXmppServer, igw_xmpp_server_unref)

/*
 * Admission for sessions: a cap on their number (libstrophe's select() aborts
 * on fds >= FD_SETSIZE) and a bound on logins in flight (a connect burst
 * overflows the server's accept queue).
 */
#define IGW_TYPE_XMPP_POOL (igw_xmpp_pool_get_type())
G_DECLARE_FINAL_TYPE(IgwXmppPool, igw_xmpp_pool, IGW, XMPP_POOL, GObject)

typedef void (*IgwXmppPoolLoginFunc)(gpointer session);

IgwXmppPool *
igw_xmpp_pool_new(guint max_sessions, guint max_logins_in_flight);
void
igw_xmpp_pool_set_limits(IgwXmppPool *self, guint max_sessions, guint max_logins_in_flight);
gboolean
igw_xmpp_pool_reserve(IgwXmppPool *self, gpointer session,
		      GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
igw_xmpp_pool_unreserve(IgwXmppPool *self, gpointer session);
void
igw_xmpp_pool_request_login(IgwXmppPool *self, gpointer session, IgwXmppPoolLoginFunc func);
void
igw_xmpp_pool_release_login(IgwXmppPool *self, gpointer session);
guint
igw_xmpp_pool_get_reserved(IgwXmppPool *self);
guint
igw_xmpp_pool_get_logins_in_flight(IgwXmppPool *self);

G_END_DECLS
