/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <coap3/coap.h>
#include <glib-unix.h>
#include <net/if.h>
#include <string.h>

#include "igw-coap-client.h"
#include "iotgw-plugin.h"

#define IGW_COAP_DEFAULT_MAX_AGE 60
/* a PSK handshake is four flights: a node that has not finished it by then
 * will not (OpenSSL alone would retransmit for minutes) */
#define IGW_COAP_HANDSHAKE_S 10

struct _IgwCoapClient {
	coap_context_t *context;
	guint fd_watch;
	GHashTable *peers;    /* "[addr]:port" -> IgwCoapPeer */
	GHashTable *psks;     /* "[addr]:port" -> IgwCoapPsk */
	GHashTable *requests; /* "[addr]:port/token-hex" -> IgwCoapRequest */
};

typedef struct {
	gchar *identity;
	GBytes *key;
	coap_dtls_cpsk_info_t info; /* points into the two above */
} IgwCoapPsk;

/* one node address and its session; the session's app data */
typedef struct {
	IgwCoapClient *client;
	gchar *key; /* "[addr]:port" */
	coap_session_t *session;
	IgwCoapPsk *psk;    /* NULL for plain CoAP; owned by client->psks */
	gboolean connected; /* DTLS: the handshake completed */
	gboolean answered;  /* DTLS: the node took part in the handshake */
	gboolean refused;   /* DTLS: it sent an alert */
	guint handshake_id;
	guint drop_id;
} IgwCoapPeer;

struct _IgwCoapRequest {
	gint ref_count;
	IgwCoapClient *client;
	coap_session_t *session;
	gchar *key;
	guint8 token[8];
	gsize token_len;
	gboolean observe;
	gchar *path;
	IgwCoapResponseFunc callback; /* NULL once cancelled */
	gpointer user_data;
};

/* libcoap has one global log; route it into ours */
static void
igw_coap_log_cb(coap_log_t level, const char *message)
{
	g_autofree gchar *line = g_strchomp(g_strdup(message));
	if (level <= LOG_ERR)
		g_warning("libcoap: %s", line);
	else
		g_debug("libcoap: %s", line);
}

static IgwCoapRequest *
igw_coap_request_ref(IgwCoapRequest *request)
{
	request->ref_count++;
	return request;
}

static void
igw_coap_request_unref(IgwCoapRequest *request)
{
	if (--request->ref_count > 0)
		return;
	g_free(request->key);
	g_free(request->path);
	g_free(request);
}

static gboolean
igw_coap_client_io_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	IgwCoapClient *self = user_data;
	/* COAP_IO_WAIT is 0 and blocks; NO_WAIT handles what is due and returns */
	coap_io_process(self->context, COAP_IO_NO_WAIT);
	return G_SOURCE_CONTINUE;
}

static gchar *
igw_coap_request_key(coap_session_t *session, const guint8 *token, gsize len)
{
	IgwCoapPeer *peer = coap_session_get_app_data(session);
	GString *key = g_string_new(peer != NULL ? peer->key : "");
	g_string_append_c(key, '/');
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(key, "%02x", token[i]);
	return g_string_free(key, FALSE);
}

static IgwCoapClient *igw_coap_client_instance; /* libcoap 4.3.1 has no context app data */

static gint
igw_coap_option_uint(const coap_pdu_t *pdu, coap_option_num_t number, gint fallback)
{
	coap_opt_iterator_t iter;
	coap_opt_t *option = coap_check_option(pdu, number, &iter);
	if (option == NULL)
		return fallback;
	return (gint)coap_decode_var_bytes(coap_opt_value(option), coap_opt_length(option));
}

static void
igw_coap_client_finish(IgwCoapClient *self, IgwCoapRequest *request)
{
	request->callback = NULL;
	g_hash_table_remove(self->requests, request->key);
}

static coap_response_t
igw_coap_response_cb(coap_session_t *session, const coap_pdu_t *sent, const coap_pdu_t *received,
		     const coap_mid_t mid)
{
	IgwCoapClient *self = igw_coap_client_instance;
	coap_bin_const_t token = coap_pdu_get_token(received);
	g_autofree gchar *key = igw_coap_request_key(session, token.s, token.length);
	IgwCoapRequest *request = g_hash_table_lookup(self->requests, key);
	IgwCoapResponse response = {0};
	coap_pdu_code_t code = coap_pdu_get_code(received);
	const uint8_t *data = NULL;
	size_t len = 0;
	size_t offset = 0;
	size_t total = 0;
	gint observe;
	g_autoptr(GBytes) payload = NULL;
	/* an answer nobody waits for (an old observation): RST ends it at the node */
	if (request == NULL || request->callback == NULL)
		return COAP_RESPONSE_FAIL;
	if (!coap_get_data_large(received, &len, &data, &offset, &total))
		len = 0;
	payload = g_bytes_new(data, len);
	response.code = (code >> 5) * 100 + (code & 0x1f);
	response.content_format = igw_coap_option_uint(received, COAP_OPTION_CONTENT_FORMAT, -1);
	response.max_age =
	    (guint)igw_coap_option_uint(received, COAP_OPTION_MAXAGE, IGW_COAP_DEFAULT_MAX_AGE);
	observe = igw_coap_option_uint(received, COAP_OPTION_OBSERVE, -1);
	response.observe = observe >= 0;
	response.observe_seq = observe >= 0 ? (guint32)observe : 0;
	response.payload = payload;
	igw_coap_request_ref(request);
	request->callback(request, &response, NULL, request->user_data);
	/* a one-shot request, or an observation the node ended */
	if (request->callback != NULL &&
	    (!request->observe || !response.observe || response.code >= 300))
		igw_coap_client_finish(self, request);
	igw_coap_request_unref(request);
	return COAP_RESPONSE_OK;
}

static const gchar *
igw_coap_nack_reason(coap_nack_reason_t reason)
{
	switch (reason) {
	case COAP_NACK_TOO_MANY_RETRIES:
		return "no answer";
	case COAP_NACK_NOT_DELIVERABLE:
		return "not deliverable";
	case COAP_NACK_RST:
		return "reset by the node";
	case COAP_NACK_ICMP_ISSUE:
		return "ICMP error";
	case COAP_NACK_TLS_FAILED:
		return "no DTLS session";
	default:
		return "failed";
	}
}

static gboolean
igw_coap_peer_drop_cb(gpointer user_data);

/* a rebooted node has forgotten our DTLS session and drops its records
 * without a word: after a request went unanswered, shake hands anew */
static void
igw_coap_peer_lost(IgwCoapPeer *peer, coap_nack_reason_t reason)
{
	if (peer == NULL || peer->psk == NULL || reason != COAP_NACK_TOO_MANY_RETRIES ||
	    peer->drop_id != 0)
		return;
	g_debug("%s: no answer over DTLS, a new session next time", peer->key);
	peer->drop_id = g_idle_add(igw_coap_peer_drop_cb, peer);
}

/* what a failed handshake tells an administrator */
static GError *
igw_coap_peer_error(IgwCoapPeer *peer, const gchar *path)
{
	if (peer->answered || peer->refused)
		return g_error_new(
		    IGW_ERROR, IGW_ERROR_AUTH_FAILED,
		    "%s: the node did not accept the DTLS key (wrong psk or psk-identity)", path);
	if (peer->connected)
		return g_error_new(IGW_ERROR, IGW_ERROR_NOT_CONNECTED,
				   "%s: the DTLS session is lost", path);
	/* a node that sends no identity hint cannot be told from one that is away */
	return g_error_new(
	    IGW_ERROR, IGW_ERROR_NOT_CONNECTED,
	    "%s: no DTLS session (no answer to the handshake, or a wrong psk or psk-identity "
	    "that a node without an identity hint does not report)",
	    path);
}

static void
igw_coap_nack_cb(coap_session_t *session, const coap_pdu_t *sent, const coap_nack_reason_t reason,
		 const coap_mid_t mid)
{
	IgwCoapClient *self = igw_coap_client_instance;
	coap_bin_const_t token;
	g_autofree gchar *key = NULL;
	g_autoptr(GError) error = NULL;
	IgwCoapRequest *request;
	if (sent == NULL)
		return;
	token = coap_pdu_get_token(sent);
	key = igw_coap_request_key(session, token.s, token.length);
	request = g_hash_table_lookup(self->requests, key);
	if (request == NULL || request->callback == NULL)
		return;
	if (reason == COAP_NACK_TLS_FAILED && coap_session_get_app_data(session) != NULL)
		error = igw_coap_peer_error(coap_session_get_app_data(session), request->path);
	else
		error = g_error_new(IGW_ERROR, IGW_ERROR_NOT_CONNECTED, "%s: %s", request->path,
				    igw_coap_nack_reason(reason));
	/* before the callback, which may drop the peer itself */
	igw_coap_peer_lost(coap_session_get_app_data(session), reason);
	igw_coap_request_ref(request);
	request->callback(request, NULL, error, request->user_data);
	if (request->callback != NULL)
		igw_coap_client_finish(self, request);
	igw_coap_request_unref(request);
}

static void
igw_coap_psk_free(IgwCoapPsk *psk)
{
	g_free(psk->identity);
	g_bytes_unref(psk->key);
	g_free(psk);
}

static void
igw_coap_peer_free(IgwCoapPeer *peer)
{
	g_clear_handle_id(&peer->handshake_id, g_source_remove);
	g_clear_handle_id(&peer->drop_id, g_source_remove);
	/* libcoap may still call back about this session: with no peer it is nobody's */
	coap_session_set_app_data(peer->session, NULL);
	coap_session_release(peer->session);
	g_free(peer->key);
	g_free(peer);
}

/* out of the table first: what the callbacks send goes to a new session */
static void
igw_coap_peer_drop(IgwCoapPeer *peer)
{
	IgwCoapClient *self = peer->client;
	g_autoptr(GPtrArray) failed =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_coap_request_unref);
	GHashTableIter iter;
	gpointer value;
	g_hash_table_steal(self->peers, peer->key);
	g_hash_table_iter_init(&iter, self->requests);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwCoapRequest *request = value;
		if (request->session == peer->session && request->callback != NULL)
			g_ptr_array_add(failed, igw_coap_request_ref(request));
	}
	for (guint i = 0; i < failed->len; i++) {
		IgwCoapRequest *request = g_ptr_array_index(failed, i);
		g_autoptr(GError) error = igw_coap_peer_error(peer, request->path);
		if (request->callback == NULL)
			continue;
		request->callback(request, NULL, error, request->user_data);
		if (request->callback != NULL)
			igw_coap_client_finish(self, request);
	}
	igw_coap_peer_free(peer);
}

static gboolean
igw_coap_peer_handshake_timeout_cb(gpointer user_data)
{
	IgwCoapPeer *peer = user_data;
	peer->handshake_id = 0;
	g_debug("%s: no DTLS session after %d s", peer->key, IGW_COAP_HANDSHAKE_S);
	igw_coap_peer_drop(peer);
	return G_SOURCE_REMOVE;
}

static gboolean
igw_coap_peer_drop_cb(gpointer user_data)
{
	IgwCoapPeer *peer = user_data;
	peer->drop_id = 0;
	igw_coap_peer_drop(peer);
	return G_SOURCE_REMOVE;
}

/* libcoap is inside coap_io_process here: the session goes from the main loop */
static int
igw_coap_event_cb(coap_session_t *session, const coap_event_t event)
{
	IgwCoapPeer *peer = coap_session_get_app_data(session);
	if (peer == NULL || peer->psk == NULL)
		return 0;
	switch (event) {
	case COAP_EVENT_DTLS_CONNECTED:
		g_debug("%s: DTLS session up", peer->key);
		peer->connected = TRUE;
		g_clear_handle_id(&peer->handshake_id, g_source_remove);
		break;
	case COAP_EVENT_DTLS_ERROR:
		if (!peer->connected)
			peer->refused = TRUE;
		G_GNUC_FALLTHROUGH;
	case COAP_EVENT_DTLS_CLOSED:
		g_debug("%s: DTLS session %s", peer->key,
			event == COAP_EVENT_DTLS_ERROR ? "failed" : "closed");
		if (peer->drop_id == 0)
			peer->drop_id = g_idle_add(igw_coap_peer_drop_cb, peer);
		break;
	default:
		break;
	}
	return 0;
}

IgwCoapClient *
igw_coap_client_new(GError **error)
{
	IgwCoapClient *self;
	gint fd;
	if (igw_coap_client_instance != NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_BUSY,
				    "one CoAP client per process");
		return NULL;
	}
	coap_startup();
	coap_set_log_handler(igw_coap_log_cb);
	coap_set_log_level(LOG_WARNING);
	self = g_new0(IgwCoapClient, 1);
	self->context = coap_new_context(NULL);
	if (self->context == NULL) {
		g_free(self);
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INTERNAL,
				    "libcoap cannot create a context");
		return NULL;
	}
	coap_context_set_block_mode(self->context, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
	coap_register_response_handler(self->context, igw_coap_response_cb);
	coap_register_nack_handler(self->context, igw_coap_nack_cb);
	coap_register_event_handler(self->context, igw_coap_event_cb);
	fd = coap_context_get_coap_fd(self->context);
	if (fd < 0) {
		coap_free_context(self->context);
		g_free(self);
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
				    "this libcoap has no epoll fd to watch");
		return NULL;
	}
	self->fd_watch = g_unix_fd_add(fd, G_IO_IN, igw_coap_client_io_cb, self);
	self->peers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					    (GDestroyNotify)igw_coap_peer_free);
	self->psks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					   (GDestroyNotify)igw_coap_psk_free);
	self->requests = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					       (GDestroyNotify)igw_coap_request_unref);
	igw_coap_client_instance = self;
	return self;
}

void
igw_coap_client_free(IgwCoapClient *self)
{
	if (self == NULL)
		return;
	g_clear_handle_id(&self->fd_watch, g_source_remove);
	g_hash_table_remove_all(self->requests);
	g_hash_table_unref(self->requests);
	g_hash_table_unref(self->peers);
	g_hash_table_unref(self->psks);
	coap_free_context(self->context);
	igw_coap_client_instance = NULL;
	g_free(self);
}

gchar *
igw_coap_address_to_string(GInetSocketAddress *address)
{
	g_autofree gchar *host =
	    g_inet_address_to_string(g_inet_socket_address_get_address(address));
	guint32 scope = g_inet_socket_address_get_scope_id(address);
	gchar ifname[IF_NAMESIZE + 1] = "";
	if (scope != 0 && if_indextoname(scope, ifname) != NULL)
		return g_strdup_printf("[%s%%%s]:%u", host, ifname,
				       g_inet_socket_address_get_port(address));
	return g_strdup_printf("[%s]:%u", host, g_inet_socket_address_get_port(address));
}

gboolean
igw_coap_client_has_dtls(void)
{
	return coap_dtls_is_supported();
}

/* the node's identity hint says it answered our hello: a failure after this is the key */
static const coap_dtls_cpsk_info_t *
igw_coap_peer_hint_cb(coap_str_const_t *hint, coap_session_t *session, void *user_data)
{
	IgwCoapPeer *peer = user_data;
	peer->answered = TRUE;
	return &peer->psk->info;
}

static coap_session_t *
igw_coap_peer_connect(IgwCoapPeer *peer, const coap_address_t *address)
{
	coap_dtls_cpsk_t setup = {0};
	if (peer->psk == NULL)
		return coap_new_client_session(peer->client->context, NULL, address,
					       COAP_PROTO_UDP);
	setup.version = COAP_DTLS_CPSK_SETUP_VERSION;
	setup.validate_ih_call_back = igw_coap_peer_hint_cb;
	setup.ih_call_back_arg = peer;
	setup.psk_info = peer->psk->info;
	peer->handshake_id =
	    g_timeout_add_seconds(IGW_COAP_HANDSHAKE_S, igw_coap_peer_handshake_timeout_cb, peer);
	return coap_new_client_session_psk2(peer->client->context, NULL, address, COAP_PROTO_DTLS,
					    &setup);
}

static coap_session_t *
igw_coap_client_session(IgwCoapClient *self, GInetSocketAddress *node)
{
	g_autofree gchar *key = igw_coap_address_to_string(node);
	IgwCoapPeer *peer = g_hash_table_lookup(self->peers, key);
	coap_address_t address;
	if (peer != NULL)
		return peer->session;
	coap_address_init(&address);
	if (!g_socket_address_to_native(G_SOCKET_ADDRESS(node), &address.addr.sa,
					sizeof(address.addr), NULL))
		return NULL;
	address.size = g_socket_address_get_native_size(G_SOCKET_ADDRESS(node));
	peer = g_new0(IgwCoapPeer, 1);
	peer->client = self;
	peer->psk = g_hash_table_lookup(self->psks, key);
	peer->session = igw_coap_peer_connect(peer, &address);
	if (peer->session == NULL) {
		g_clear_handle_id(&peer->handshake_id, g_source_remove);
		g_free(peer);
		return NULL;
	}
	peer->key = g_steal_pointer(&key);
	coap_session_set_app_data(peer->session, peer);
	g_hash_table_insert(self->peers, peer->key, peer);
	return peer->session;
}

gboolean
igw_coap_client_set_psk(IgwCoapClient *self, GInetSocketAddress *node, const gchar *identity,
			GBytes *key, GError **error)
{
	g_autofree gchar *address = igw_coap_address_to_string(node);
	IgwCoapPeer *peer = g_hash_table_lookup(self->peers, address);
	IgwCoapPsk *psk;
	if (key != NULL && !coap_dtls_is_supported()) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
				    "this libcoap has no DTLS (built with libcoap-3-notls)");
		return FALSE;
	}
	if (peer != NULL)
		igw_coap_peer_drop(peer);
	if (key == NULL) {
		g_hash_table_remove(self->psks, address);
		return TRUE;
	}
	psk = g_new0(IgwCoapPsk, 1);
	psk->identity = g_strdup(identity);
	psk->key = g_bytes_ref(key);
	psk->info.identity.s = (const uint8_t *)psk->identity;
	psk->info.identity.length = strlen(psk->identity);
	psk->info.key.s = g_bytes_get_data(psk->key, &psk->info.key.length);
	g_hash_table_replace(self->psks, g_steal_pointer(&address), psk);
	return TRUE;
}

static void
igw_coap_add_path(coap_optlist_t **options, const gchar *path)
{
	g_auto(GStrv) segments = g_strsplit(path, "/", -1);
	for (guint i = 0; segments[i] != NULL; i++) {
		if (*segments[i] == '\0')
			continue;
		coap_insert_optlist(options,
				    coap_new_optlist(COAP_OPTION_URI_PATH, strlen(segments[i]),
						     (const uint8_t *)segments[i]));
	}
}

static void
igw_coap_add_uint(coap_optlist_t **options, coap_option_num_t number, guint value)
{
	guint8 buffer[4];
	guint len = coap_encode_var_safe(buffer, sizeof(buffer), value);
	coap_insert_optlist(options, coap_new_optlist(number, len, buffer));
}

/* a confirmable request; the table keeps it until its last answer */
static IgwCoapRequest *
igw_coap_client_send(IgwCoapClient *self, GInetSocketAddress *node, coap_pdu_code_t code,
		     const gchar *path, coap_optlist_t *options, GBytes *payload, gboolean observe,
		     IgwCoapResponseFunc callback, gpointer user_data)
{
	coap_session_t *session = igw_coap_client_session(self, node);
	IgwCoapRequest *request;
	coap_pdu_t *pdu;
	if (session == NULL) {
		coap_delete_optlist(options);
		return NULL;
	}
	pdu = coap_new_pdu(COAP_MESSAGE_CON, code, session);
	if (pdu == NULL) {
		coap_delete_optlist(options);
		return NULL;
	}
	request = g_new0(IgwCoapRequest, 1);
	request->ref_count = 1;
	request->client = self;
	request->session = session;
	request->observe = observe;
	request->path = g_strdup(path);
	request->callback = callback;
	request->user_data = user_data;
	coap_session_new_token(session, &request->token_len, request->token);
	coap_add_token(pdu, request->token_len, request->token);
	coap_add_optlist_pdu(pdu, &options);
	coap_delete_optlist(options);
	if (payload != NULL && g_bytes_get_size(payload) > 0)
		coap_add_data(pdu, g_bytes_get_size(payload), g_bytes_get_data(payload, NULL));
	request->key = igw_coap_request_key(session, request->token, request->token_len);
	if (coap_send(session, pdu) == COAP_INVALID_MID) {
		igw_coap_request_unref(request);
		return NULL;
	}
	g_hash_table_insert(self->requests, request->key, request);
	return request;
}

IgwCoapRequest *
igw_coap_client_get(IgwCoapClient *self, GInetSocketAddress *node, const gchar *path, gint accept,
		    gboolean observe, IgwCoapResponseFunc callback, gpointer user_data)
{
	coap_optlist_t *options = NULL;
	if (observe)
		igw_coap_add_uint(&options, COAP_OPTION_OBSERVE, COAP_OBSERVE_ESTABLISH);
	igw_coap_add_path(&options, path);
	if (accept >= 0)
		igw_coap_add_uint(&options, COAP_OPTION_ACCEPT, (guint)accept);
	return igw_coap_client_send(self, node, COAP_REQUEST_CODE_GET, path, options, NULL, observe,
				    callback, user_data);
}

IgwCoapRequest *
igw_coap_client_put(IgwCoapClient *self, GInetSocketAddress *node, const gchar *path,
		    gint content_format, GBytes *payload, IgwCoapResponseFunc callback,
		    gpointer user_data)
{
	coap_optlist_t *options = NULL;
	igw_coap_add_path(&options, path);
	if (content_format >= 0)
		igw_coap_add_uint(&options, COAP_OPTION_CONTENT_FORMAT, (guint)content_format);
	return igw_coap_client_send(self, node, COAP_REQUEST_CODE_PUT, path, options, payload,
				    FALSE, callback, user_data);
}

void
igw_coap_request_abandon(IgwCoapRequest *request)
{
	if (request == NULL || request->callback == NULL)
		return;
	igw_coap_client_finish(request->client, request);
}

void
igw_coap_request_cancel(IgwCoapRequest *request)
{
	coap_binary_t token;
	if (request == NULL || request->callback == NULL)
		return;
	if (request->observe) {
		token.length = request->token_len;
		token.s = request->token;
		coap_cancel_observe(request->session, &token, COAP_MESSAGE_NON);
	}
	igw_coap_client_finish(request->client, request);
}
