/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "igw-coap-message.h"
#include "iotgw-plugin.h"

#define IGW_COAP_VERSION 1
#define IGW_COAP_OPTION_URI_PATH 11

gboolean
igw_coap_header_parse(const guint8 *data, gsize len, IgwCoapHeader *header, GError **error)
{
	gsize token_len;
	if (len < 4) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "%" G_GSIZE_FORMAT " bytes is no CoAP message", len);
		return FALSE;
	}
	if (data[0] >> 6 != IGW_COAP_VERSION) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "CoAP version %u",
			    data[0] >> 6);
		return FALSE;
	}
	token_len = data[0] & 0x0f;
	/* 9..15 are reserved (RFC 7252 §3) */
	if (token_len > 8 || len < 4 + token_len) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "bad token length %" G_GSIZE_FORMAT, token_len);
		return FALSE;
	}
	header->type = (data[0] >> 4) & 0x03;
	header->code = (data[1] >> 5) * 100 + (data[1] & 0x1f);
	header->mid = (guint16)(data[2] << 8 | data[3]);
	header->token_len = token_len;
	memcpy(header->token, data + 4, token_len);
	return TRUE;
}

static void
igw_coap_append_path_option(GByteArray *message, guint *last_number, const gchar *segment)
{
	gsize len = strlen(segment);
	guint delta = IGW_COAP_OPTION_URI_PATH - *last_number;
	/* both fit the 4-bit nibbles: delta 11 or 0, segments < 13 bytes */
	g_assert(delta < 13 && len < 13);
	g_byte_array_append(message, (const guint8[]){(guint8)(delta << 4 | len)}, 1);
	g_byte_array_append(message, (const guint8 *)segment, len);
	*last_number = IGW_COAP_OPTION_URI_PATH;
}

GBytes *
igw_coap_message_discovery(guint16 mid, const guint8 *token, gsize token_len)
{
	GByteArray *message = g_byte_array_new();
	guint last_number = 0;
	guint8 header[4];
	g_return_val_if_fail(token_len <= 8, NULL);
	header[0] = IGW_COAP_VERSION << 6 | IGW_COAP_TYPE_NON << 4 | (guint8)token_len;
	header[1] = 0x01; /* 0.01 GET */
	header[2] = mid >> 8;
	header[3] = mid & 0xff;
	g_byte_array_append(message, header, sizeof(header));
	g_byte_array_append(message, token, token_len);
	igw_coap_append_path_option(message, &last_number, ".well-known");
	igw_coap_append_path_option(message, &last_number, "core");
	return g_byte_array_free_to_bytes(message);
}

GBytes *
igw_coap_message_ack(guint16 mid)
{
	guint8 ack[4] = {IGW_COAP_VERSION << 6 | IGW_COAP_TYPE_ACK << 4, 0x00, mid >> 8,
			 mid & 0xff};
	return g_bytes_new(ack, sizeof(ack));
}
