/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "igw-transport.h"
#include "igw-xmpp-pool.h"

G_BEGIN_DECLS

typedef enum {
	IGW_XMPP_SESSION_STATE_IDLE,
	IGW_XMPP_SESSION_STATE_WAITING,	    /* for a login slot */
	IGW_XMPP_SESSION_STATE_REGISTERING, /* XEP-0077 */
	IGW_XMPP_SESSION_STATE_CONNECTING,
	IGW_XMPP_SESSION_STATE_ONLINE,
	IGW_XMPP_SESSION_STATE_BACKOFF,
	IGW_XMPP_SESSION_STATE_AUTH_FAILED,
	IGW_XMPP_SESSION_STATE_STOPPING,
	IGW_XMPP_SESSION_STATE_STOPPED,
} IgwXmppSessionState;

/*
 * One libstrophe client connection driven from the GLib main loop: its own
 * xmpp_ctx_t, the socket watched by a GSource, xmpp_run_once(ctx, 0) only
 * when there is something to do, reconnects with backoff.
 */
#define IGW_TYPE_XMPP_SESSION (igw_xmpp_session_get_type())
G_DECLARE_FINAL_TYPE(IgwXmppSession, igw_xmpp_session, IGW, XMPP_SESSION, GObject)

IgwXmppSession *
igw_xmpp_session_new(const gchar *label, IgwXmppServer *server, IgwXmppPool *pool);
void
igw_xmpp_session_set_credentials(IgwXmppSession *self, const gchar *bare_jid,
				 const gchar *password);
void
igw_xmpp_session_set_counted(IgwXmppSession *self, gboolean counted);
const gchar *
igw_xmpp_session_get_password(IgwXmppSession *self);
gboolean
igw_xmpp_session_start(IgwXmppSession *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
igw_xmpp_session_stop(IgwXmppSession *self);
IgwXmppSessionState
igw_xmpp_session_get_state(IgwXmppSession *self);
const gchar *
igw_xmpp_session_get_state_reason(IgwXmppSession *self);
const gchar *
igw_xmpp_session_state_to_string(IgwXmppSessionState state);

G_END_DECLS
