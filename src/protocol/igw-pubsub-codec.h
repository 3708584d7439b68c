/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The stanzas of the thesis's pubsub protocol (seed 004, section 4.4), built
 * and read without any state: nodes xmpp.iot.sensors, xmpp.iot.actuators and
 * xmpp.iot.ui on the thing's own PEP service, one item per field with a
 * <val xmlns='urn:xmpp:uwpx:iot'/> payload, the UI as an XEP-0004 form with
 * XEP-0336 read-only fields and XEP-0122 validation, XEP-0223
 * publish-options. Replies are built by hand, never with
 * xmpp_stanza_reply() (it crashes on stanzas without "from").
 */

#include <strophe.h>

#include "igw-field.h"
#include "igw-thing.h"

G_BEGIN_DECLS

#define IGW_NS_PUBSUB "http://jabber.org/protocol/pubsub"
#define IGW_NS_PUBSUB_EVENT "http://jabber.org/protocol/pubsub#event"
#define IGW_NS_PUBSUB_OWNER "http://jabber.org/protocol/pubsub#owner"
#define IGW_NS_PUBSUB_ERRORS "http://jabber.org/protocol/pubsub#errors"
#define IGW_NS_DISCO_ITEMS "http://jabber.org/protocol/disco#items"
#define IGW_NS_UWPX_IOT "urn:xmpp:uwpx:iot"
#define IGW_NS_XDATA_DYNAMIC "urn:xmpp:xdata:dynamic"
#define IGW_NS_ADDRESS "http://jabber.org/protocol/address"
/* the thing's roster group of its owners: who the "roster" access model admits */
#define IGW_PUBSUB_ROSTER_GROUP "iotgw-owners"

#define IGW_PUBSUB_NODE_SENSORS "xmpp.iot.sensors"
#define IGW_PUBSUB_NODE_ACTUATORS "xmpp.iot.actuators"
#define IGW_PUBSUB_NODE_UI "xmpp.iot.ui"
#define IGW_PUBSUB_ITEM_UI "current"

/* the node of a field: actuators for writable fields, sensors otherwise */
const gchar *
igw_pubsub_field_node(IgwField *field);
/* "xmpp.iot.sensor.temperature", "xmpp.iot.actuator.on" */
gchar *
igw_pubsub_field_item_id(IgwField *field);
/* the field an item id names, or NULL: "xmpp.iot.actuator.on" -> "on" */
gchar *
igw_pubsub_item_field_name(const gchar *item_id);

/* <val xmlns='urn:xmpp:uwpx:iot' type='float' unit='°C'>21.5</val>; type is
 * float (numeric), int (integer, duration µs), bool (text 1/0), string,
 * enum, dateTime (xs:dateTime); unit left out when the field has none */
xmpp_stanza_t *
igw_pubsub_new_val(xmpp_ctx_t *ctx, IgwField *field, GVariant *value);
/* the value a <val/> carries for @field: type attribute optional, bool
 * accepts 1/0/true/false, numbers in the field's type and range;
 * IGW_ERROR_INVALID_DATA with a clear message otherwise */
GVariant *
igw_pubsub_parse_val(IgwField *field, xmpp_stanza_t *val, GError **error);

/* iq set: <publish node><item id>@payload</item></publish> with
 * publish-options persist_items and access_model (both left out when
 * @access_model is NULL); @to NULL for the sender's own PEP service;
 * @payload is taken */
xmpp_stanza_t *
igw_pubsub_new_publish(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node,
		       const gchar *item_id, xmpp_stanza_t *payload, const gchar *access_model,
		       gboolean persist_items);
/* iq get disco#items of @to (NULL: own account), of @node if not NULL */
xmpp_stanza_t *
igw_pubsub_new_disco_items(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node);
/* iq set: retract @item_id from @node (owners may retract anyone's item) */
xmpp_stanza_t *
igw_pubsub_new_retract(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node,
		       const gchar *item_id);
/* iq set pubsub#owner configure: the "roster" access model admits the roster
 * group IGW_PUBSUB_ROSTER_GROUP (ejabberd admits nobody with an empty list,
 * and takes no roster_groups_allowed in publish-options) */
xmpp_stanza_t *
igw_pubsub_new_roster_groups_allowed(xmpp_ctx_t *ctx, const gchar *id, const gchar *to,
				     const gchar *node);
/* iq set subscribe @jid to @node */
xmpp_stanza_t *
igw_pubsub_new_subscribe(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node,
			 const gchar *jid);
/* iq set pubsub#owner subscriptions: every jid of @jids gets @subscription
 * ("none" ends it), XEP-0060 8.8.2 */
xmpp_stanza_t *
igw_pubsub_new_subscriptions(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node,
			     const gchar *const *jids, const gchar *subscription);
/* iq set pubsub#owner affiliations: every jid of @jids gets @affiliation
 * (publisher, member, none...) on @node */
xmpp_stanza_t *
igw_pubsub_new_affiliations(xmpp_ctx_t *ctx, const gchar *id, const gchar *to, const gchar *node,
			    const gchar *const *jids, const gchar *affiliation);
/* the UI: <x xmlns='jabber:x:data' type='form'> titled with the thing's name;
 * one field per thing field, var = its item id, label "name (unit)";
 * read-only ones (sensors) text-single with <xdd:readOnly/> and the latest
 * value; writable: boolean, list-single (enum, with options) or
 * text-single with XEP-0122 <validate> datatype and range */
xmpp_stanza_t *
igw_pubsub_new_ui_form(xmpp_ctx_t *ctx, IgwThing *thing);

/* the node names of a disco#items result (items with a node attribute) */
GStrv
igw_pubsub_parse_disco_items(xmpp_stanza_t *iq);

typedef struct {
	gchar *node;
	gchar *item_id;
	gchar *publisher;	/* bare JID: the item's publisher attribute (Prosody) or the
			       * message's XEP-0033 replyto address (ejabberd); or NULL */
	xmpp_stanza_t *payload; /* the item's one child (a clone), or NULL */
} IgwPubsubEventItem;

void
igw_pubsub_event_item_free(IgwPubsubEventItem *item);
/* the published items of a pubsub#event message (retractions and purges
 * are not items); NULL with IGW_ERROR_INVALID_DATA when @message holds no
 * event or a malformed one */
GPtrArray *
igw_pubsub_parse_event(xmpp_stanza_t *message, GError **error);

/* "not-acceptable", "forbidden", "precondition-not-met" (the pubsub#errors
 * condition wins over the stanza one)... of an iq error; NULL for others */
gchar *
igw_pubsub_error_condition(xmpp_stanza_t *iq);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwPubsubEventItem, igw_pubsub_event_item_free)

G_END_DECLS
