/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * libcoap in the GLib main loop: one coap_context_t whose epoll fd (which
 * also carries libcoap's retransmission timerfd) is watched by a GSource and
 * processed with COAP_IO_NO_WAIT. No threads. Requests are matched to their
 * callbacks by token; an observation keeps calling back until cancelled.
 * A node given a pre-shared key is reached over DTLS (coaps), others over
 * plain UDP; either way one session per node address.
 */

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _IgwCoapClient IgwCoapClient;
typedef struct _IgwCoapRequest IgwCoapRequest;

typedef struct {
	guint code;	     /* class * 100 + detail: 205 */
	gint content_format; /* -1 when absent */
	guint max_age;	     /* seconds; 60 when absent */
	gboolean observe;    /* carried an Observe option */
	guint32 observe_seq;
	GBytes *payload; /* never NULL, may be empty */
} IgwCoapResponse;

/* @response or @error; for an observation called for every notification
 * until it ends (error, or a response without Observe) or is cancelled */
typedef void (*IgwCoapResponseFunc)(IgwCoapRequest *request, const IgwCoapResponse *response,
				    const GError *error, gpointer user_data);

IgwCoapClient *
igw_coap_client_new(GError **error);
void
igw_coap_client_free(IgwCoapClient *self);

/* GET @path ("/sensors/temp") from @node; @accept -1 for none */
IgwCoapRequest *
igw_coap_client_get(IgwCoapClient *self, GInetSocketAddress *node, const gchar *path, gint accept,
		    gboolean observe, IgwCoapResponseFunc callback, gpointer user_data);
IgwCoapRequest *
igw_coap_client_put(IgwCoapClient *self, GInetSocketAddress *node, const gchar *path,
		    gint content_format, GBytes *payload, IgwCoapResponseFunc callback,
		    gpointer user_data);
/* no more callbacks; an observation is also cancelled at the node */
void
igw_coap_request_cancel(IgwCoapRequest *request);
/* forget the request, without telling the node (it gets an RST on its next
 * notification); for a node that is gone */
void
igw_coap_request_abandon(IgwCoapRequest *request);

/* TRUE when this libcoap can speak DTLS (coaps://) */
gboolean
igw_coap_client_has_dtls(void);
/*
 * talk to @node over DTLS with a pre-shared key from now on; @key NULL for
 * plain CoAP again. A session with @node under way is closed first: its
 * requests fail. A handshake the node does not complete fails every request
 * on it: IGW_ERROR_AUTH_FAILED when the node answered (a wrong key or
 * identity), IGW_ERROR_NOT_CONNECTED when it did not.
 */
gboolean
igw_coap_client_set_psk(IgwCoapClient *self, GInetSocketAddress *node, const gchar *identity,
			GBytes *key, GError **error);

/* "[fd00::11]:5683", "[fe80::11%lowpan0]:5683" */
gchar *
igw_coap_address_to_string(GInetSocketAddress *address);

G_END_DECLS
