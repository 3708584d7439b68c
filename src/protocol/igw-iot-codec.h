/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <strophe.h>

#include "igw-iot-request.h"

G_BEGIN_DECLS

#define IGW_NS_IOT_SENSORDATA "urn:xmpp:iot:sensordata"
#define IGW_NS_IOT_CONTROL "urn:xmpp:iot:control"
#define IGW_NS_IOT_NF_SENSORDATA "urn:nf:iot:sd:1.0"
#define IGW_NS_IOT_NF_CONTROL "urn:nf:iot:ctr:1.0"
#define IGW_NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define IGW_NS_DATA_FORMS "jabber:x:data"
#define IGW_NS_DATA_VALIDATE "http://jabber.org/protocol/xdata-validate"

/*
 * One codec per dialect. decode() reads the request element of an iq or
 * message; encode() builds the answer to it: an iq reply for accepted,
 * rejected, cancelled and set results, a message to the requester otherwise,
 * or NULL when the dialect has nothing to say for that event.
 */
typedef struct {
	const gchar *name;
	const gchar *const *namespaces;
	IgwIotRequest *(*decode)(xmpp_stanza_t *stanza, GError **error);
	xmpp_stanza_t *(*encode)(xmpp_stanza_t *request, const IgwIotEvent *event);
} IgwIotCodec;

const IgwIotCodec *
igw_iot_codec_xsf(void);
const IgwIotCodec *
igw_iot_codec_nf(void);
/* the codec for the namespace of the stanza's first child, or NULL */
const IgwIotCodec *
igw_iot_codec_find(xmpp_stanza_t *stanza);
IgwIotCondition
igw_iot_condition_from_error(const GError *error);
const gchar *
igw_iot_condition_to_string(IgwIotCondition condition);

/* for the codecs */
xmpp_stanza_t *
igw_iot_xml_payload(xmpp_stanza_t *stanza, const gchar *const *namespaces);
xmpp_stanza_t *
igw_iot_xml_add_child(xmpp_stanza_t *parent, const gchar *name, const gchar *ns);
void
igw_iot_xml_add_text(xmpp_stanza_t *parent, const gchar *text);
gboolean
igw_iot_xml_is_true(const gchar *text);
/* XEP-0122 <validate datatype/> on a form field, with the field's range for
 * numbers; nothing for a NULL @datatype */
void
igw_iot_xml_add_validate(xmpp_stanza_t *element, IgwField *field, const gchar *datatype);
gboolean
igw_iot_xml_parse_time(const gchar *text, gint64 *out, GError **error);
/* IGW_ERROR_LIMIT_REACHED when @payload has more than @max elements below it (two levels) */
gboolean
igw_iot_xml_check_size(xmpp_stanza_t *payload, guint max, GError **error);
GStrv
igw_iot_xml_collect(xmpp_stanza_t *payload, const gchar *element, const gchar *attribute);

/* one control parameter's child element to (name, type, text) of the request */
typedef gboolean (*IgwIotParamFunc)(IgwIotRequest *request, xmpp_stanza_t *child, GError **error);

gboolean
igw_iot_request_add_param(IgwIotRequest *request, const gchar *name, const gchar *type,
			  const gchar *value, GError **error);
IgwIotRequest *
igw_iot_xml_decode_set(xmpp_stanza_t *stanza, xmpp_stanza_t *payload, const gchar *node_element,
		       const gchar *node_attribute, IgwIotParamFunc decode_param, GError **error);
xmpp_stanza_t *
igw_iot_xml_iq_reply(xmpp_stanza_t *request, const gchar *type);
gchar *
igw_iot_xml_format_time(gint64 timestamp_us);
xmpp_stanza_t *
igw_iot_xml_add_stanza_error(xmpp_stanza_t *reply, const IgwIotEvent *event);
gchar *
igw_iot_xml_format_value(IgwField *field, GVariant *value);
xmpp_stanza_t *
igw_iot_xml_form_reply(xmpp_stanza_t *request, const IgwIotEvent *event);

G_END_DECLS
