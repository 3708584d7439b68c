/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <strophe.h>

#include "igw-concentrator-request.h"
#include "igw-iot-codec.h"

G_BEGIN_DECLS

/*
 * One codec per XEP-0326 dialect. decode() reads the operation element of an
 * iq; encode() builds the iq reply to it; encode_event() builds a node event
 * message to a subscriber. iot is the sensor-data dialect that goes with it,
 * for readouts through the concentrator and new-value events.
 */
typedef struct {
	const gchar *name;
	const gchar *ns;
	IgwConcentratorRequest *(*decode)(xmpp_stanza_t *stanza, GError **error);
	xmpp_stanza_t *(*encode)(xmpp_stanza_t *request, const IgwConcentratorResult *result);
	xmpp_stanza_t *(*encode_event)(xmpp_ctx_t *ctx, const gchar *to,
				       const IgwConcentratorResult *event);
	const IgwIotCodec *(*iot)(void);
} IgwConcentratorCodec;

const IgwConcentratorCodec *
igw_concentrator_codec_xsf(void);
const IgwConcentratorCodec *
igw_concentrator_codec_nf(void);
/* the codec for the namespace of the stanza's first element child, or NULL */
const IgwConcentratorCodec *
igw_concentrator_codec_find(xmpp_stanza_t *stanza);
/* the concentrator dialect paired with a sensor-data/control codec */
const IgwConcentratorCodec *
igw_concentrator_codec_for_iot(const IgwIotCodec *iot);

/* for the codecs: element and attribute names differ, the rest is shared */
typedef struct {
	const gchar *ns;
	const gchar *node_element;
	const gchar *node_id_attr;
	const gchar *source_id_attr;
} IgwConcentratorDialect;

IgwConcentratorRequest *
igw_concentrator_xml_decode(xmpp_stanza_t *stanza, const IgwConcentratorDialect *dialect,
			    GError **error);
void
igw_concentrator_xml_add_params(xmpp_stanza_t *parent, const IgwConcentratorNode *node);
xmpp_stanza_t *
igw_concentrator_xml_add_form(xmpp_stanza_t *parent, const IgwConcentratorNode *node);
xmpp_stanza_t *
igw_concentrator_xml_error(xmpp_stanza_t *request, const IgwConcentratorResult *result);
void
igw_concentrator_xml_set(xmpp_stanza_t *element, const gchar *name, const gchar *value);
void
igw_concentrator_xml_set_bool(xmpp_stanza_t *element, const gchar *name, gboolean value);

G_END_DECLS
