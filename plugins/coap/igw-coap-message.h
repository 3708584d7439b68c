/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The few CoAP messages the multicast probe sends and reads itself, byte by
 * byte (RFC 7252 §3): everything else goes through libcoap.
 */

#include <glib.h>

G_BEGIN_DECLS

#define IGW_COAP_TYPE_CON 0
#define IGW_COAP_TYPE_NON 1
#define IGW_COAP_TYPE_ACK 2
#define IGW_COAP_TYPE_RST 3

typedef struct {
	guint type;
	guint code; /* class * 100 + detail */
	guint16 mid;
	guint8 token[8];
	gsize token_len;
} IgwCoapHeader;

/* the fixed header and token of a datagram; FALSE + IGW_ERROR_INVALID_DATA
 * for anything that is not a CoAP version 1 message */
gboolean
igw_coap_header_parse(const guint8 *data, gsize len, IgwCoapHeader *header, GError **error);
/* NON GET /.well-known/core (no ETag: it goes to a group) */
GBytes *
igw_coap_message_discovery(guint16 mid, const guint8 *token, gsize token_len);
/* the empty ACK of a confirmable answer */
GBytes *
igw_coap_message_ack(guint16 mid);

G_END_DECLS
