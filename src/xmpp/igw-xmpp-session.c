/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwXmpp"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/random.h>
#include <sys/select.h>
#include <sys/socket.h>

#include "igw-backoff.h"
#include "igw-error.h"
#include "igw-xml.h"
#include "igw-xmpp-roster.h"
#include "igw-xmpp-session.h"

#define IGW_XMPP_BACKOFF_BASE_MS 1000
#define IGW_XMPP_BACKOFF_CAP_MS (5 * 60 * 1000)
#define IGW_XMPP_AUTH_RETRY_MS (10 * 60 * 1000)
#define IGW_XMPP_MAX_RUNS 32
#define IGW_XMPP_NS_REGISTER "jabber:iq:register"
#define IGW_XMPP_NS_TLS "urn:ietf:params:xml:ns:xmpp-tls"

struct _IgwXmppSession {
	GObject parent_instance;
	gchar *label;
	IgwXmppServer *server;
	IgwXmppPool *pool;
	gchar *bare_jid;
	gchar *full_jid;
	gchar *password;
	xmpp_log_t log;
	xmpp_ctx_t *ctx;
	xmpp_conn_t *conn;
	xmpp_conn_t *register_conn;
	IgwXmppRoster *roster;
	IgwXmppSessionState state;
	gchar *state_reason;
	IgwBackoff backoff;
	guint attempts;
	gboolean counted;  /* takes one of max_sessions */
	gboolean disposed; /* releasing a conn fires its handler one last time */
	guint64 io_count;  /* stanzas sent or received, seen by the log hook */
	gboolean auth_failed;
	gchar *cert_error;
	GSource *watch;
	gint watch_fd;
	gpointer watch_tag;
	guint flush_id;
	guint retry_id;
	guint login_watchdog_id;
};

enum { SIGNAL_STATE_CHANGED, SIGNAL_REGISTERED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST];

static void
igw_xmpp_session_transport_iface_init(IgwTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE(IgwXmppSession, igw_xmpp_session, G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(IGW_TYPE_TRANSPORT,
					      igw_xmpp_session_transport_iface_init))

/* libstrophe callbacks only carry a conn; find our session through its ctx */
static GHashTable *
igw_xmpp_session_get_registry(void)
{
	static GHashTable *registry = NULL;
	if (registry == NULL)
		registry = g_hash_table_new(g_direct_hash, g_direct_equal);
	return registry;
}

static IgwXmppSession *
igw_xmpp_session_from_conn(xmpp_conn_t *conn)
{
	return g_hash_table_lookup(igw_xmpp_session_get_registry(), xmpp_conn_get_context(conn));
}

const gchar *
igw_xmpp_session_state_to_string(IgwXmppSessionState state)
{
	const gchar *names[] = {"idle",	   "waiting",	  "registering", "connecting", "online",
				"backoff", "auth-failed", "stopping",	 "stopped"};
	if ((guint)state >= G_N_ELEMENTS(names))
		return "unknown";
	return names[state];
}

static void
igw_xmpp_session_set_state(IgwXmppSession *self, IgwXmppSessionState state, const gchar *reason)
{
	g_free(self->state_reason);
	self->state_reason = g_strdup(reason);
	if (self->state == state)
		return;
	self->state = state;
	g_signal_emit(self, signals[SIGNAL_STATE_CHANGED], 0);
}

/* never let a password reach the log: SASL and XEP-0077 carry them */
static void
igw_xmpp_session_log_cb(void *userdata, xmpp_log_level_t level, const char *area, const char *msg)
{
	IgwXmppSession *self = userdata;
	if (g_str_has_prefix(msg, "RECV") || g_str_has_prefix(msg, "SENT"))
		self->io_count++;
	if (g_str_has_prefix(msg, "SASL ") && strstr(msg, "auth failed") != NULL)
		self->auth_failed = TRUE;
	if (strstr(msg, "<auth") != NULL || strstr(msg, "<password") != NULL ||
	    strstr(msg, "<response") != NULL) {
		g_log("IgwStrophe", G_LOG_LEVEL_DEBUG, "%s: %s: [masked]", self->label, area);
		return;
	}
	if (level >= XMPP_LEVEL_WARN)
		g_log("IgwStrophe", G_LOG_LEVEL_INFO, "%s: %s: %s", self->label, area, msg);
	else
		g_log("IgwStrophe", G_LOG_LEVEL_DEBUG, "%s: %s: %s", self->label, area, msg);
}

static void
igw_xmpp_session_remove_watch(IgwXmppSession *self)
{
	if (self->watch == NULL)
		return;
	g_source_destroy(self->watch);
	g_clear_pointer(&self->watch, g_source_unref);
	self->watch_fd = -1;
	self->watch_tag = NULL;
}

/* wake for writability only while libstrophe has something to write */
static void
igw_xmpp_session_update_watch(IgwXmppSession *self)
{
	GIOCondition condition = G_IO_IN | G_IO_HUP | G_IO_ERR;
	gboolean busy = FALSE;
	if (self->watch == NULL)
		return;
	if (self->conn != NULL)
		busy |=
		    xmpp_conn_is_connecting(self->conn) || xmpp_conn_send_queue_len(self->conn) > 0;
	if (self->register_conn != NULL)
		busy |= xmpp_conn_is_connecting(self->register_conn) ||
			xmpp_conn_send_queue_len(self->register_conn) > 0;
	if (busy)
		condition |= G_IO_OUT;
	g_source_modify_unix_fd(self->watch, self->watch_tag, condition);
}

/*
 * libstrophe writes its queue at the start of a run, so what the handlers of
 * one run queue (stream restarts, SASL steps, answers) needs another run; and
 * TLS records may already sit decrypted in OpenSSL's buffer while the socket
 * is quiet. So run until a run moves no stanza, counted through the log hook:
 * xmpp_conn_send_queue_len() does not count libstrophe's own elements.
 */
static void
igw_xmpp_session_run(IgwXmppSession *self)
{
	g_object_ref(self);
	for (guint i = 0; i < IGW_XMPP_MAX_RUNS; i++) {
		guint64 before = self->io_count;
		xmpp_run_once(self->ctx, 0);
		if (i > 0 && self->io_count == before)
			break;
	}
	igw_xmpp_session_update_watch(self);
	g_object_unref(self);
}

static gboolean
igw_xmpp_session_watch_cb(gpointer user_data)
{
	igw_xmpp_session_run(user_data);
	return G_SOURCE_CONTINUE;
}

static gboolean
igw_xmpp_session_fd_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
	return callback(user_data);
}

static GSourceFuncs igw_xmpp_session_fd_funcs = {
    .dispatch = igw_xmpp_session_fd_dispatch,
};

static void
igw_xmpp_session_add_watch(IgwXmppSession *self, gint fd)
{
	igw_xmpp_session_remove_watch(self);
	self->watch = g_source_new(&igw_xmpp_session_fd_funcs, sizeof(GSource));
	g_source_set_name(self->watch, "IgwXmppSession");
	self->watch_tag =
	    g_source_add_unix_fd(self->watch, fd, G_IO_IN | G_IO_OUT | G_IO_HUP | G_IO_ERR);
	self->watch_fd = fd;
	g_source_set_callback(self->watch, igw_xmpp_session_watch_cb, self, NULL);
	g_source_attach(self->watch, NULL);
}

/* runs for every socket libstrophe creates, before connect() */
static int
igw_xmpp_session_sockopt_cb(xmpp_conn_t *conn, void *sock)
{
	IgwXmppSession *self = igw_xmpp_session_from_conn(conn);
	gint fd = *(gint *)sock;
	gint one = 1;
	if (self == NULL)
		return -1;
	if (fd >= FD_SETSIZE) {
		/* libstrophe's select() would abort the whole process */
		g_warning("%s: socket %d is beyond FD_SETSIZE (%d); refusing to connect",
			  self->label, fd, FD_SETSIZE);
		return -1;
	}
	/* Nagle plus stream-management acks cost ~40 ms per stanza */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		g_debug("%s: TCP_NODELAY: %s", self->label, g_strerror(errno));
	igw_xmpp_session_add_watch(self, fd);
	return xmpp_sockopt_cb_keepalive(conn, sock);
}

static gboolean
igw_xmpp_session_flush_cb(gpointer user_data)
{
	IgwXmppSession *self = user_data;
	self->flush_id = 0;
	igw_xmpp_session_run(self);
	return G_SOURCE_REMOVE;
}

static void
igw_xmpp_session_schedule_flush(IgwXmppSession *self)
{
	if (self->flush_id == 0)
		self->flush_id = g_idle_add(igw_xmpp_session_flush_cb, self);
}

static gchar *
igw_xmpp_session_fingerprint(const gchar *pem)
{
	g_autoptr(GString) body = g_string_new(NULL);
	g_auto(GStrv) lines = g_strsplit(pem, "\n", -1);
	g_autofree guchar *der = NULL;
	gsize der_len = 0;
	if (pem == NULL)
		return g_strdup("unknown");
	for (guint i = 0; lines[i] != NULL; i++) {
		if (!g_str_has_prefix(lines[i], "-----"))
			g_string_append(body, g_strstrip(lines[i]));
	}
	der = g_base64_decode(body->str, &der_len);
	return g_compute_checksum_for_data(G_CHECKSUM_SHA256, der, der_len);
}

/* verification failed: accept only a certificate that matches the pin */
static int
igw_xmpp_session_certfail_cb(const xmpp_tlscert_t *cert, const char *const errormsg)
{
	/* in libstrophe 0.12 the certificate knows its ctx, not always its conn */
	IgwXmppSession *self =
	    g_hash_table_lookup(igw_xmpp_session_get_registry(), xmpp_tlscert_get_ctx(cert));
	g_autofree gchar *fingerprint = NULL;
	if (self == NULL)
		return 0;
	fingerprint = igw_xmpp_session_fingerprint(xmpp_tlscert_get_pem(cert));
	if (self->server->pinned_cert != NULL &&
	    g_strcmp0(fingerprint, self->server->pinned_cert) == 0) {
		g_debug("%s: certificate accepted by its pin", self->label);
		return 1;
	}
	g_free(self->cert_error);
	self->cert_error = g_strdup_printf("certificate verification failed: %s (sha256 %s)",
					   errormsg, fingerprint);
	g_warning("%s: %s", self->label, self->cert_error);
	return 0;
}

/* the reconnect cycle is a loop: login -> failure -> retry -> login */
static void
igw_xmpp_session_request_login(IgwXmppSession *self);

static gboolean
igw_xmpp_session_retry_cb(gpointer user_data)
{
	IgwXmppSession *self = user_data;
	self->retry_id = 0;
	igw_xmpp_session_set_state(self, IGW_XMPP_SESSION_STATE_WAITING, NULL);
	igw_xmpp_session_request_login(self);
	return G_SOURCE_REMOVE;
}

static void
igw_xmpp_session_schedule_retry(IgwXmppSession *self, guint delay_ms)
{
	g_clear_handle_id(&self->retry_id, g_source_remove);
	self->retry_id = g_timeout_add(delay_ms, igw_xmpp_session_retry_cb, self);
}

static void
igw_xmpp_session_end_attempt(IgwXmppSession *self)
{
	g_clear_handle_id(&self->login_watchdog_id, g_source_remove);
	igw_xmpp_pool_release_login(self->pool, self);
	igw_xmpp_session_remove_watch(self);
}

/* every failed attempt lands here: decide between backoff and a slow auth retry */
static void
igw_xmpp_session_handle_failure(IgwXmppSession *self, const gchar *reason)
{
	guint delay_ms;
	igw_xmpp_session_end_attempt(self);
	if (self->state == IGW_XMPP_SESSION_STATE_STOPPING ||
	    self->state == IGW_XMPP_SESSION_STATE_STOPPED) {
		igw_xmpp_session_set_state(self, IGW_XMPP_SESSION_STATE_STOPPED, NULL);
		return;
	}
	if (self->auth_failed) {
		/* a wrong password stays wrong: retry slowly, never hammer the server */
		delay_ms =
		    IGW_XMPP_AUTH_RETRY_MS + g_random_int_range(0, IGW_XMPP_AUTH_RETRY_MS / 10);
		g_warning("%s: auth-failed: %s; retry in %u s", self->label, reason,
			  delay_ms / 1000);
		igw_xmpp_session_set_state(self, IGW_XMPP_SESSION_STATE_AUTH_FAILED, reason);
		igw_xmpp_session_schedule_retry(self, delay_ms);
		return;
	}
	delay_ms = igw_backoff_next_delay(&self->backoff, NULL);
	g_message("%s: disconnected: %s; retry in %.1f s", self->label, reason, delay_ms / 1000.0);
	igw_xmpp_session_set_state(self, IGW_XMPP_SESSION_STATE_BACKOFF, reason);
	igw_xmpp_session_schedule_retry(self, delay_ms);
}

/* a pin holds even when the certificate also passed verification */
static gboolean
igw_xmpp_session_check_pin(IgwXmppSession *self, xmpp_conn_t *conn)
{
	xmpp_tlscert_t *cert;
	g_autofree gchar *fingerprint = NULL;
	if (self->server->pinned_cert == NULL || !xmpp_conn_is_secured(conn))
		return TRUE;
	cert = xmpp_conn_get_peer_cert(conn);
	if (cert != NULL) {
		fingerprint = igw_xmpp_session_fingerprint(xmpp_tlscert_get_pem(cert));
		xmpp_tlscert_free(cert);
	}
	if (g_strcmp0(fingerprint, self->server->pinned_cert) == 0)
		return TRUE;
	g_free(self->cert_error);
	self->cert_error = g_strdup_printf("certificate sha256 %s does not match pinned_cert",
					   fingerprint != NULL ? fingerprint : "unknown");
	g_warning("%s: %s", self->label, self->cert_error);
	return FALSE;
}

static gchar *
igw_xmpp_session_describe_error(IgwXmppSession *self, gint error, xmpp_stream_error_t *stream_error)
{
	if (self->auth_failed)
		return g_strdup("the server refused the password");
	if (self->cert_error != NULL)
		return g_strdup(self->cert_error);
	if (stream_error != NULL && stream_error->text != NULL)
		return g_strdup_printf("stream error: %s", stream_error->text);
	if (stream_error != NULL)
		return g_strdup_printf("stream error %d", (gint)stream_error->type);
	if (error != 0)
		return g_strdup_printf("%s (%s:%u)", g_strerror(error), self->server->host,
				       self->server->port);
	return g_strdup("connection closed");
}

/* who sees our presence: asked before the first presence goes out */
/* the one way out to libstrophe: never a character the server would close the stream on */
static void
igw_xmpp_session_write(xmpp_conn_t *conn, xmpp_stanza_t *stanza)
{
	guint cleaned = igw_xml_clean_stanza(stanza);
	if (cleaned > 0)
		g_debug("%s: dropped characters XML does not allow from %u texts",
			xmpp_stanza_get_name(stanza), cleaned);
	xmpp_send(conn, stanza);
}

static void
igw_xmpp_session_fetch_roster(IgwXmppSession *self)
{
	g_autoptr(xmpp_stanza_t) request = igw_xmpp_roster_restart(self->roster, self->ctx);
	igw_xmpp_session_write(self->conn, request);
	igw_xmpp_session_schedule_flush(self);
}

static void
igw_xmpp_session_conn_cb(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
			 xmpp_stream_error_t *stream_error, void *userdata)
{
	IgwXmppSession *self = userdata;
	g_autofree gchar *reason = NULL;
	if (self->disposed)
		return;
	if (event == XMPP_CONN_CONNECT && !igw_xmpp_session_check_pin(self, conn)) {
		xmpp_disconnect(conn);
		return;
	}
	if (event == XMPP_CONN_CONNECT) {
		g_clear_handle_id(&self->login_watchdog_id, g_source_remove);
		igw_xmpp_pool_release_login(self->pool, self);
		igw_backoff_reset(&self->backoff);
		self->attempts = 0;
		g_free(self->full_jid);
		self->full_jid = g_strdup(xmpp_conn_get_bound_jid(conn));
		g_message("%s: online as %s%s", self->label, self->full_jid,
			  xmpp_conn_is_secured(conn) ? " (TLS)" : "");
		igw_xmpp_session_set_state(self, IGW_XMPP_SESSION_STATE_ONLINE, NULL);
		igw_xmpp_session_fetch_roster(self);
		g_signal_emit_by_name(self, "online");
		return;
	}
	if (event == XMPP_CONN_RAW_CONNECT)
		return;
	reason = igw_xmpp_session_describe_error(self, error, stream_error);
	igw_xmpp_session_handle_failure(self, reason);
}

static gboolean
igw_xmpp_session_handle_roster(IgwXmppSession *self, xmpp_stanza_t *stanza)
{
	g_autoptr(xmpp_stanza_t) reply = NULL;
	g_auto(GStrv) before = igw_xmpp_roster_dup_contacts(self->roster);
	g_auto(GStrv) after = NULL;
	if (!igw_xmpp_roster_handle(self->roster, stanza, self->bare_jid, &reply))
		return FALSE;
	if (reply != NULL)
		igw_xmpp_session_write(self->conn, reply);
	after = igw_xmpp_roster_dup_contacts(self->roster);
	/* the fetch after a login answered */
	if (before == NULL && after != NULL)
		g_signal_emit_by_name(self, "contacts");
	return TRUE;
}

static int
igw_xmpp_session_stanza_cb(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
	IgwXmppSession *self = userdata;
	const gchar *name = xmpp_stanza_get_name(stanza);
	if (g_strcmp0(name, "message") != 0 && g_strcmp0(name, "presence") != 0 &&
	    g_strcmp0(name, "iq") != 0)
		return 1;
	/* roster pushes and answers are the session's, not the things' */
	if (igw_xmpp_session_handle_roster(self, stanza))
		return 1;
	/* the contact no longer sees our presence */
	if (g_strcmp0(name, "presence") == 0 &&
	    g_strcmp0(xmpp_stanza_get_type(stanza), "unsubscribe") == 0 &&
	    xmpp_stanza_get_from(stanza) != NULL)
		igw_xmpp_roster_set_subscribed(self->roster, xmpp_stanza_get_from(stanza), FALSE);
	igw_transport_emit_stanza(IGW_TRANSPORT(self), stanza);
	return 1;
}

/* libstrophe has no timeout for stream negotiation */
static gboolean
igw_xmpp_session_login_watchdog_cb(gpointer user_data)
{
	IgwXmppSession *self = user_data;
	g_autofree gchar *reason =
	    g_strdup_printf("login did not finish within %u s", self->server->login_timeout);
	self->login_watchdog_id = 0;
	g_warning("%s: %s", self->label, reason);
	if (self->register_conn != NULL)
		xmpp_disconnect(self->register_conn);
	/* the handlers may be gone with the socket: fail explicitly */
	if (self->conn != NULL && !xmpp_conn_is_disconnected(self->conn))
		xmpp_disconnect(self->conn);
	igw_xmpp_session_run(self);
	if (self->state != IGW_XMPP_SESSION_STATE_BACKOFF &&
	    self->state != IGW_XMPP_SESSION_STATE_AUTH_FAILED)
		igw_xmpp_session_handle_failure(self, reason);
	return G_SOURCE_REMOVE;
}

static gulong
igw_xmpp_session_conn_flags(IgwXmppSession *self)
{
	if (self->server->tls == IGW_XMPP_TLS_DISABLED)
		return XMPP_CONN_FLAG_DISABLE_TLS;
	return XMPP_CONN_FLAG_MANDATORY_TLS;
}

static void
igw_xmpp_session_prepare_conn(IgwXmppSession *self, xmpp_conn_t *conn)
{
	xmpp_conn_set_flags(conn, igw_xmpp_session_conn_flags(self));
	xmpp_conn_set_sockopt_callback(conn, igw_xmpp_session_sockopt_cb);
	xmpp_conn_set_certfail_handler(conn, igw_xmpp_session_certfail_cb);
	/* a small trust-anchor file also keeps each TLS connect cheap */
	if (self->server->ca_file != NULL)
		xmpp_conn_set_cafile(conn, self->server->ca_file);
}

static void
igw_xmpp_session_connect_client(IgwXmppSession *self)
{
	g_autofree gchar *jid = g_strdup_printf("%s/%s", self->bare_jid, self->server->resource);
	gint rc;
	igw_xmpp_session_prepare_conn(self, self->conn);
	xmpp_conn_set_jid(self->conn, jid);
	xmpp_conn_set_pass(self->conn, self->password);
	igw_xmpp_session_set_state(self, IGW_XMPP_SESSION_STATE_CONNECTING, NULL);
	rc = xmpp_connect_client(self->conn, self->server->host, (unsigned short)self->server->port,
				 igw_xmpp_session_conn_cb, self);
	if (rc != XMPP_EOK) {
		g_autofree gchar *reason =
		    g_strdup_printf("cannot connect to %s:%u (libstrophe error %d)",
				    self->server->host, self->server->port, rc);
		igw_xmpp_session_handle_failure(self, reason);
		return;
	}
	igw_xmpp_session_run(self);
}

static gchar *
igw_xmpp_session_new_password(void)
{
	guint8 bytes[18];
	if (getrandom(bytes, sizeof(bytes), 0) != (gssize)sizeof(bytes)) {
		for (guint i = 0; i < sizeof(bytes); i++)
			bytes[i] = (guint8)g_random_int_range(0, 256);
	}
	return g_base64_encode(bytes, sizeof(bytes));
}

static gchar *
igw_xmpp_session_localpart(IgwXmppSession *self)
{
	const gchar *at = strchr(self->bare_jid, '@');
	return g_strndup(self->bare_jid, at - self->bare_jid);
}

static gboolean
igw_xmpp_session_release_register_conn_cb(gpointer user_data)
{
	IgwXmppSession *self = user_data;
	if (self->register_conn != NULL && xmpp_conn_is_disconnected(self->register_conn))
		g_clear_pointer(&self->register_conn, xmpp_conn_release);
	g_object_unref(self);
	return G_SOURCE_REMOVE;
}

/* an account that cannot be had is an auth failure: retried slowly */
static void
igw_xmpp_session_register_done(IgwXmppSession *self, const gchar *password, const gchar *failure,
			       gboolean auth)
{
	xmpp_disconnect(self->register_conn);
	if (failure != NULL) {
		self->auth_failed = auth;
		g_free(self->password);
		self->password = NULL;
		igw_xmpp_session_handle_failure(self, failure);
		return;
	}
	g_message("%s: registered account %s in-band", self->label, self->bare_jid);
	g_free(self->password);
	self->password = g_strdup(password);
	g_signal_emit(self, signals[SIGNAL_REGISTERED], 0, password);
	igw_xmpp_session_connect_client(self);
}

static int
igw_xmpp_session_register_result_cb(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
	IgwXmppSession *self = userdata;
	xmpp_stanza_t *error = xmpp_stanza_get_child_by_name(stanza, "error");
	g_autofree gchar *pending = g_object_steal_data(G_OBJECT(self), "igw-register-password");
	if (g_strcmp0(xmpp_stanza_get_type(stanza), "result") == 0) {
		igw_xmpp_session_register_done(self, pending, NULL, FALSE);
		return 0;
	}
	if (error != NULL && xmpp_stanza_get_child_by_name(error, "conflict") != NULL) {
		igw_xmpp_session_register_done(
		    self, NULL,
		    "the account exists but its password is not known here; "
		    "set jid= and password= for this thing",
		    TRUE);
		return 0;
	}
	igw_xmpp_session_register_done(self, NULL, "the server refused in-band registration", TRUE);
	return 0;
}

static void
igw_xmpp_session_send_register(IgwXmppSession *self, xmpp_conn_t *conn)
{
	g_autoptr(xmpp_stanza_t) iq = xmpp_iq_new(self->ctx, "set", "igw-register");
	xmpp_stanza_t *query = xmpp_stanza_new(self->ctx);
	g_autofree gchar *localpart = igw_xmpp_session_localpart(self);
	g_autofree gchar *password = igw_xmpp_session_new_password();
	const gchar *names[] = {"username", "password"};
	const gchar *values[] = {localpart, password};

	xmpp_stanza_set_name(query, "query");
	xmpp_stanza_set_ns(query, IGW_XMPP_NS_REGISTER);
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		xmpp_stanza_t *child = xmpp_stanza_new(self->ctx);
		xmpp_stanza_t *text = xmpp_stanza_new(self->ctx);
		xmpp_stanza_set_name(child, names[i]);
		xmpp_stanza_set_text(text, values[i]);
		xmpp_stanza_add_child_ex(child, text, 0);
		xmpp_stanza_add_child_ex(query, child, 0);
	}
	xmpp_stanza_add_child_ex(iq, query, 0);
	g_object_set_data_full(G_OBJECT(self), "igw-register-password", g_steal_pointer(&password),
			       g_free);
	xmpp_id_handler_add(conn, igw_xmpp_session_register_result_cb, "igw-register", self);
	igw_xmpp_session_write(conn, iq);
}

static int
igw_xmpp_session_register_proceed_cb(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
	IgwXmppSession *self = userdata;
	if (xmpp_conn_tls_start(conn) != XMPP_EOK) {
		igw_xmpp_session_register_done(self, NULL, "TLS negotiation failed", FALSE);
		return 0;
	}
	xmpp_conn_open_stream_default(conn);
	return 0;
}

static void
igw_xmpp_session_send_starttls(IgwXmppSession *self, xmpp_conn_t *conn)
{
	g_autoptr(xmpp_stanza_t) starttls = xmpp_stanza_new(self->ctx);
	xmpp_stanza_set_name(starttls, "starttls");
	xmpp_stanza_set_ns(starttls, IGW_XMPP_NS_TLS);
	xmpp_handler_add(conn, igw_xmpp_session_register_proceed_cb, IGW_XMPP_NS_TLS, "proceed",
			 NULL, self);
	igw_xmpp_session_write(conn, starttls);
}

/* registration runs before SASL, so TLS is negotiated by hand here */
static int
igw_xmpp_session_register_features_cb(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
	IgwXmppSession *self = userdata;
	gboolean want_tls =
	    self->server->tls == IGW_XMPP_TLS_REQUIRED && !xmpp_conn_is_secured(conn);
	if (want_tls &&
	    xmpp_stanza_get_child_by_name_and_ns(stanza, "starttls", IGW_XMPP_NS_TLS) == NULL) {
		igw_xmpp_session_register_done(self, NULL, "the server offers no TLS", FALSE);
		return 0;
	}
	if (!igw_xmpp_session_check_pin(self, conn)) {
		igw_xmpp_session_register_done(self, NULL, self->cert_error, FALSE);
		return 0;
	}
	if (want_tls) {
		igw_xmpp_session_send_starttls(self, conn);
		return 1;
	}
	igw_xmpp_session_send_register(self, conn);
	return 0;
}

static void
igw_xmpp_session_register_conn_cb(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
				  xmpp_stream_error_t *stream_error, void *userdata)
{
	IgwXmppSession *self = userdata;
	if (self->disposed)
		return;
	if (event == XMPP_CONN_RAW_CONNECT) {
		xmpp_handler_add(conn, igw_xmpp_session_register_features_cb,
				 "http://etherx.jabber.org/streams", "features", NULL, self);
		xmpp_conn_open_stream_default(conn);
		return;
	}
	if (event == XMPP_CONN_CONNECT)
		return;
	/* the conn cannot be released from inside its own callback */
	g_idle_add(igw_xmpp_session_release_register_conn_cb, g_object_ref(self));
	if (self->state == IGW_XMPP_SESSION_STATE_REGISTERING) {
		g_autofree gchar *reason =
		    igw_xmpp_session_describe_error(self, error, stream_error);
		igw_xmpp_session_handle_failure(self, reason);
	}
}

static void
igw_xmpp_session_start_registration(IgwXmppSession *self)
{
	gint rc;
	if (self->register_conn == NULL)
		self->register_conn = xmpp_conn_new(self->ctx);
	igw_xmpp_session_prepare_conn(self, self->register_conn);
	/* the stream's "to" comes from the JID, even before there is an account */
	xmpp_conn_set_jid(self->register_conn, self->bare_jid);
	igw_xmpp_session_set_state(self, IGW_XMPP_SESSION_STATE_REGISTERING, NULL);
	g_info("%s: registering %s in-band", self->label, self->bare_jid);
	rc = xmpp_connect_raw(self->register_conn, self->server->host,
			      (unsigned short)self->server->port, igw_xmpp_session_register_conn_cb,
			      self);
	if (rc != XMPP_EOK) {
		igw_xmpp_session_handle_failure(self, "cannot connect for registration");
		return;
	}
	igw_xmpp_session_run(self);
}

/* a login slot is ours */
static void
igw_xmpp_session_begin_login(gpointer user_data)
{
	IgwXmppSession *self = user_data;
	self->attempts++;
	self->auth_failed = FALSE;
	g_clear_pointer(&self->cert_error, g_free);
	g_info("%s: login attempt %u to %s:%u", self->label, self->attempts, self->server->host,
	       self->server->port);
	g_clear_handle_id(&self->login_watchdog_id, g_source_remove);
	self->login_watchdog_id = g_timeout_add_seconds(self->server->login_timeout,
							igw_xmpp_session_login_watchdog_cb, self);
	if (self->password == NULL && self->server->register_accounts) {
		igw_xmpp_session_start_registration(self);
		return;
	}
	if (self->password == NULL) {
		self->auth_failed = TRUE;
		igw_xmpp_session_handle_failure(self, "no password known and register=false");
		return;
	}
	igw_xmpp_session_connect_client(self);
}

static void
igw_xmpp_session_request_login(IgwXmppSession *self)
{
	igw_xmpp_pool_request_login(self->pool, self, igw_xmpp_session_begin_login);
}

gboolean
igw_xmpp_session_start(IgwXmppSession *self, GError **error)
{
	g_return_val_if_fail(IGW_IS_XMPP_SESSION(self), FALSE);
	g_return_val_if_fail(self->bare_jid != NULL, FALSE);
	if (self->state != IGW_XMPP_SESSION_STATE_IDLE &&
	    self->state != IGW_XMPP_SESSION_STATE_STOPPED)
		return TRUE;
	if (self->counted && !igw_xmpp_pool_reserve(self->pool, self, error))
		return FALSE;
	igw_xmpp_session_set_state(self, IGW_XMPP_SESSION_STATE_WAITING, NULL);
	igw_xmpp_session_request_login(self);
	return TRUE;
}

/* unavailable presence goes out before the stream closes */
void
igw_xmpp_session_stop(IgwXmppSession *self)
{
	g_return_if_fail(IGW_IS_XMPP_SESSION(self));
	g_clear_handle_id(&self->retry_id, g_source_remove);
	g_clear_handle_id(&self->login_watchdog_id, g_source_remove);
	igw_xmpp_pool_unreserve(self->pool, self);
	if (self->state == IGW_XMPP_SESSION_STATE_ONLINE) {
		g_autoptr(xmpp_stanza_t) presence = xmpp_presence_new(self->ctx);
		xmpp_stanza_set_type(presence, "unavailable");
		igw_xmpp_session_write(self->conn, presence);
		igw_xmpp_session_set_state(self, IGW_XMPP_SESSION_STATE_STOPPING, NULL);
		xmpp_disconnect(self->conn);
		igw_xmpp_session_run(self);
		return;
	}
	if (self->conn != NULL && !xmpp_conn_is_disconnected(self->conn)) {
		igw_xmpp_session_set_state(self, IGW_XMPP_SESSION_STATE_STOPPING, NULL);
		xmpp_disconnect(self->conn);
		igw_xmpp_session_run(self);
		return;
	}
	igw_xmpp_session_remove_watch(self);
	igw_xmpp_session_set_state(self, IGW_XMPP_SESSION_STATE_STOPPED, NULL);
}

IgwXmppSessionState
igw_xmpp_session_get_state(IgwXmppSession *self)
{
	g_return_val_if_fail(IGW_IS_XMPP_SESSION(self), IGW_XMPP_SESSION_STATE_IDLE);
	return self->state;
}

const gchar *
igw_xmpp_session_get_state_reason(IgwXmppSession *self)
{
	g_return_val_if_fail(IGW_IS_XMPP_SESSION(self), NULL);
	return self->state_reason;
}

void
igw_xmpp_session_set_credentials(IgwXmppSession *self, const gchar *bare_jid, const gchar *password)
{
	g_return_if_fail(IGW_IS_XMPP_SESSION(self));
	g_free(self->bare_jid);
	g_free(self->password);
	self->bare_jid = g_strdup(bare_jid);
	self->password = g_strdup(password);
}

/* the gateway's own session is not one of the things' max_sessions */
void
igw_xmpp_session_set_counted(IgwXmppSession *self, gboolean counted)
{
	g_return_if_fail(IGW_IS_XMPP_SESSION(self));
	self->counted = counted;
}

const gchar *
igw_xmpp_session_get_password(IgwXmppSession *self)
{
	g_return_val_if_fail(IGW_IS_XMPP_SESSION(self), NULL);
	return self->password;
}

static xmpp_ctx_t *
igw_xmpp_session_get_ctx(IgwTransport *transport)
{
	return IGW_XMPP_SESSION(transport)->ctx;
}

static const gchar *
igw_xmpp_session_get_jid(IgwTransport *transport)
{
	IgwXmppSession *self = IGW_XMPP_SESSION(transport);
	return self->full_jid != NULL ? self->full_jid : self->bare_jid;
}

static gboolean
igw_xmpp_session_is_online(IgwTransport *transport)
{
	return IGW_XMPP_SESSION(transport)->state == IGW_XMPP_SESSION_STATE_ONLINE;
}

static gboolean
igw_xmpp_session_send(IgwTransport *transport, xmpp_stanza_t *stanza)
{
	IgwXmppSession *self = IGW_XMPP_SESSION(transport);
	if (self->state != IGW_XMPP_SESSION_STATE_ONLINE)
		return FALSE;
	igw_xmpp_session_write(self->conn, stanza);
	igw_xmpp_session_schedule_flush(self);
	return TRUE;
}

static void
igw_xmpp_session_add_text_child(xmpp_stanza_t *parent, const gchar *name, const gchar *text)
{
	xmpp_ctx_t *ctx = xmpp_stanza_get_context(parent);
	xmpp_stanza_t *child = xmpp_stanza_new(ctx);
	xmpp_stanza_t *body = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(child, name);
	xmpp_stanza_set_text(body, text);
	xmpp_stanza_add_child_ex(child, body, 0);
	xmpp_stanza_add_child_ex(parent, child, 0);
}

/* the server fans undirected presence out to the roster's subscribers */
static gboolean
igw_xmpp_session_send_presence(IgwTransport *transport, IgwPresence presence, const gchar *status)
{
	IgwXmppSession *self = IGW_XMPP_SESSION(transport);
	g_autoptr(xmpp_stanza_t) stanza = xmpp_presence_new(self->ctx);
	if (presence == IGW_PRESENCE_UNAVAILABLE)
		xmpp_stanza_set_type(stanza, "unavailable");
	else if (presence != IGW_PRESENCE_AVAILABLE)
		igw_xmpp_session_add_text_child(stanza, "show", igw_presence_to_string(presence));
	if (status != NULL && *status != '\0')
		igw_xmpp_session_add_text_child(stanza, "status", status);
	/* priority >= 0 so that the full JID is addressable for iq */
	igw_xmpp_session_add_text_child(stanza, "priority", "0");
	return igw_xmpp_session_send(transport, stanza);
}

static gboolean
igw_xmpp_session_send_presence_to(IgwXmppSession *self, const gchar *to, const gchar *type)
{
	g_autoptr(xmpp_stanza_t) presence = xmpp_presence_new(self->ctx);
	xmpp_stanza_set_to(presence, to);
	xmpp_stanza_set_type(presence, type);
	return igw_xmpp_session_send(IGW_TRANSPORT(self), presence);
}

static gboolean
igw_xmpp_session_subscribe(IgwTransport *transport, const gchar *jid)
{
	return igw_xmpp_session_send_presence_to(IGW_XMPP_SESSION(transport), jid, "subscribe");
}

static gboolean
igw_xmpp_session_approve(IgwTransport *transport, const gchar *jid)
{
	IgwXmppSession *self = IGW_XMPP_SESSION(transport);
	if (!igw_xmpp_session_send_presence_to(self, jid, "subscribed"))
		return FALSE;
	igw_xmpp_roster_set_subscribed(self->roster, jid, TRUE);
	return TRUE;
}

static gboolean
igw_xmpp_session_unsubscribe(IgwTransport *transport, const gchar *jid)
{
	IgwXmppSession *self = IGW_XMPP_SESSION(transport);
	if (!igw_xmpp_session_send_presence_to(self, jid, "unsubscribed"))
		return FALSE;
	igw_xmpp_roster_set_subscribed(self->roster, jid, FALSE);
	return TRUE;
}

static gboolean
igw_xmpp_session_is_subscribed(IgwTransport *transport, const gchar *jid)
{
	return igw_xmpp_roster_is_subscribed(IGW_XMPP_SESSION(transport)->roster, jid);
}

static gboolean
igw_xmpp_session_add_to_group(IgwTransport *transport, const gchar *jid, const gchar *group)
{
	IgwXmppSession *self = IGW_XMPP_SESSION(transport);
	g_autoptr(xmpp_stanza_t) iq =
	    igw_xmpp_roster_new_group_item(self->roster, self->ctx, jid, group);
	return igw_xmpp_session_send(transport, iq);
}

/* both ways and the roster item: the server tells @jid (RFC 6121 2.5.2),
 * the presences say it to servers that would not */
static gboolean
igw_xmpp_session_remove_contact(IgwTransport *transport, const gchar *jid)
{
	IgwXmppSession *self = IGW_XMPP_SESSION(transport);
	g_autoptr(xmpp_stanza_t) iq = NULL;
	g_auto(GStrv) contacts = igw_xmpp_roster_dup_contacts(self->roster);
	g_autofree gchar *bare = g_utf8_strdown(jid, -1);
	if (!igw_xmpp_session_send_presence_to(self, jid, "unsubscribed") ||
	    !igw_xmpp_session_send_presence_to(self, jid, "unsubscribe"))
		return FALSE;
	igw_xmpp_roster_set_subscribed(self->roster, jid, FALSE);
	/* no item to remove: the server would answer item-not-found */
	if (contacts != NULL && !g_strv_contains((const gchar *const *)contacts, bare))
		return TRUE;
	iq = igw_xmpp_roster_new_remove_item(self->roster, self->ctx, jid);
	return igw_xmpp_session_send(transport, iq);
}

static gchar **
igw_xmpp_session_dup_contacts(IgwTransport *transport)
{
	return igw_xmpp_roster_dup_contacts(IGW_XMPP_SESSION(transport)->roster);
}

/* PEP: every account is its own pubsub service */
static const gchar *
igw_xmpp_session_get_pubsub_jid(IgwTransport *transport)
{
	return IGW_XMPP_SESSION(transport)->bare_jid;
}

/* "to"-less: the server handles it for the account's bare JID (RFC 6120 10.3.3) */
static gboolean
igw_xmpp_session_send_pubsub(IgwTransport *transport, xmpp_stanza_t *iq)
{
	return igw_xmpp_session_send(transport, iq);
}

static void
igw_xmpp_session_transport_iface_init(IgwTransportInterface *iface)
{
	iface->get_ctx = igw_xmpp_session_get_ctx;
	iface->get_jid = igw_xmpp_session_get_jid;
	iface->send = igw_xmpp_session_send;
	iface->is_online = igw_xmpp_session_is_online;
	iface->send_presence = igw_xmpp_session_send_presence;
	iface->subscribe = igw_xmpp_session_subscribe;
	iface->approve = igw_xmpp_session_approve;
	iface->unsubscribe = igw_xmpp_session_unsubscribe;
	iface->is_subscribed = igw_xmpp_session_is_subscribed;
	iface->add_to_group = igw_xmpp_session_add_to_group;
	iface->remove_contact = igw_xmpp_session_remove_contact;
	iface->dup_contacts = igw_xmpp_session_dup_contacts;
	iface->get_pubsub_jid = igw_xmpp_session_get_pubsub_jid;
	iface->send_pubsub = igw_xmpp_session_send_pubsub;
}

static void
igw_xmpp_session_dispose(GObject *object)
{
	IgwXmppSession *self = IGW_XMPP_SESSION(object);
	self->disposed = TRUE;
	g_clear_handle_id(&self->retry_id, g_source_remove);
	g_clear_handle_id(&self->login_watchdog_id, g_source_remove);
	g_clear_handle_id(&self->flush_id, g_source_remove);
	if (self->pool != NULL)
		igw_xmpp_pool_unreserve(self->pool, self);
	igw_xmpp_session_remove_watch(self);
	G_OBJECT_CLASS(igw_xmpp_session_parent_class)->dispose(object);
}

static void
igw_xmpp_session_finalize(GObject *object)
{
	IgwXmppSession *self = IGW_XMPP_SESSION(object);
	g_hash_table_remove(igw_xmpp_session_get_registry(), self->ctx);
	g_clear_pointer(&self->register_conn, xmpp_conn_release);
	g_clear_pointer(&self->conn, xmpp_conn_release);
	g_clear_pointer(&self->roster, igw_xmpp_roster_free);
	g_clear_pointer(&self->ctx, xmpp_ctx_free);
	g_clear_object(&self->pool);
	g_clear_pointer(&self->server, igw_xmpp_server_unref);
	g_free(self->label);
	g_free(self->bare_jid);
	g_free(self->full_jid);
	g_free(self->password);
	g_free(self->state_reason);
	g_free(self->cert_error);
	G_OBJECT_CLASS(igw_xmpp_session_parent_class)->finalize(object);
}

static void
igw_xmpp_session_class_init(IgwXmppSessionClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = igw_xmpp_session_dispose;
	object_class->finalize = igw_xmpp_session_finalize;
	signals[SIGNAL_STATE_CHANGED] =
	    g_signal_new("state-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 0);
	signals[SIGNAL_REGISTERED] =
	    g_signal_new("registered", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
igw_xmpp_session_init(IgwXmppSession *self)
{
	self->watch_fd = -1;
	self->counted = TRUE;
	igw_backoff_init(&self->backoff, IGW_XMPP_BACKOFF_BASE_MS, IGW_XMPP_BACKOFF_CAP_MS);
}

IgwXmppSession *
igw_xmpp_session_new(const gchar *label, IgwXmppServer *server, IgwXmppPool *pool)
{
	IgwXmppSession *self = g_object_new(IGW_TYPE_XMPP_SESSION, NULL);
	self->label = g_strdup(label);
	self->server = igw_xmpp_server_ref(server);
	self->pool = g_object_ref(pool);
	self->log.handler = igw_xmpp_session_log_cb;
	self->log.userdata = self;
	self->ctx = xmpp_ctx_new(NULL, &self->log);
	self->roster = igw_xmpp_roster_new(label);
	self->conn = xmpp_conn_new(self->ctx);
	xmpp_handler_add(self->conn, igw_xmpp_session_stanza_cb, NULL, NULL, NULL, self);
	g_hash_table_insert(igw_xmpp_session_get_registry(), self->ctx, self);
	return self;
}
