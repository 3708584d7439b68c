/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "igw-senml.h"

G_BEGIN_DECLS

/* CoAP Content-Formats (RFC 7252 §12.3, RFC 8428 §12.3) */
#define IGW_COAP_FORMAT_TEXT 0
#define IGW_COAP_FORMAT_LINK 40
#define IGW_COAP_FORMAT_SENML_JSON 110
#define IGW_COAP_FORMAT_SENML_CBOR 112

/* a response body larger than this is refused */
#define IGW_COAP_PAYLOAD_MAX 8192

/* a text/plain value longer than this is refused */
#define IGW_COAP_TEXT_MAX 256

/*
 * a response body as SenML records: SenML JSON/CBOR as parsed; text/plain (or no
 * content-format, -1) as ONE record with name "" holding a NUMBER when the trimmed
 * text is a finite decimal number ("21.5", "-3", "1e3"), a BOOLEAN for
 * true/false/on/off (any case), a STRING otherwise (valid UTF-8 only, at most
 * IGW_COAP_TEXT_MAX bytes). Other formats: IGW_ERROR_NOT_SUPPORTED. Oversized:
 * IGW_ERROR_INVALID_DATA
 */
GPtrArray *
igw_coap_payload_decode(gint content_format, const guint8 *data, gsize len, gdouble now,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * the body of a PUT that sets @value (a GVariant of type d, x, b or s): text/plain
 * (0 or -1: "21.5", "42", "1"/"0" for booleans, the string), a one-record SenML JSON
 * pack (110: [{"n":NAME,"v":..}], "vb" or "vs"; NAME omitted when empty) or the
 * same pack in SenML CBOR (112)
 */
GBytes *
igw_coap_payload_encode(gint content_format, const gchar *name, GVariant *value,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
