/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwPubsub"

#include "config.h"

#include <math.h>
#include <string.h>

#include "igw-iot-codec.h"
#include "igw-plugin-private.h"
#include "igw-pubsub-codec.h"
#include "igw-thing-pubsub.h"

#define IGW_PUBSUB_ID_PREFIX "igwps-"
/* a node being created by a neighbour at the same moment (ejabberd aborts
 * one of two concurrent transactions) deserves a few more tries */
#define IGW_PUBSUB_NEGOTIATE_TRIES 5
/* where the XEP-0323 form of each reading goes, item id as in the thesis's nodes */
#define IGW_PUBSUB_NODE_SENSORDATA IGW_NS_IOT_SENSORDATA

typedef enum {
	IGW_PUBSUB_STATE_IDLE,	      /* offline */
	IGW_PUBSUB_STATE_NEGOTIATING, /* the first publish finds the access model */
	IGW_PUBSUB_STATE_READY,
	IGW_PUBSUB_STATE_OFF, /* no PEP: said once, nothing more */
} IgwPubsubState;

typedef enum {
	IGW_PUBSUB_IQ_DISCO,
	IGW_PUBSUB_IQ_PUBLISH,
	IGW_PUBSUB_IQ_NEGOTIATE,
	IGW_PUBSUB_IQ_AFFILIATIONS,
	IGW_PUBSUB_IQ_SUBSCRIBE,
	IGW_PUBSUB_IQ_RETRACT,
	IGW_PUBSUB_IQ_REVOKE,
} IgwPubsubIqKind;

typedef struct {
	IgwPubsubIqKind kind;
	gchar *node;
	gchar *item_id; /* publish, retract */
} IgwPubsubIq;

/* what was last published for a field, and what waits for its interval */
typedef struct {
	GVariant *published;
	gint64 published_at; /* monotonic */
	guint timer_id;
	IgwThingPubsub *pubsub;
	gchar *field;
} IgwPubsubField;

struct _IgwThingPubsub {
	gint ref_count;	 /* a control under way holds one */
	gboolean closed; /* freed by its owner; waits for those controls */
	IgwTransport *transport;
	IgwContext *context;
	IgwPlugin *plugin;
	IgwThing *thing;
	IgwThingAgent *agent;
	GKeyFile *keyfile;
	gchar *wanted_model;
	gboolean persist_items;
	gboolean sensordata;
	gdouble deadband;
	guint min_interval;
	IgwPubsubState state;
	gchar *model;		 /* in force */
	gchar *description;	 /* for status */
	GHashTable *iqs;	 /* id -> IgwPubsubIq */
	GHashTable *fields;	 /* name -> IgwPubsubField */
	GHashTable *nodes_ready; /* node -> TRUE once affiliations and subscriptions are done */
	GHashTable *revoked;	 /* bare JIDs no longer owners, this session */
	gchar *ui_signature;
	guint next_id;
	guint ignored;
	guint tries;
	guint retry_id;
	gulong stanza_handler;
	gulong online_handler;
	gulong reading_handler;
	gulong owner_removed_handler;
	gulong owner_added_handler;
};

static void
igw_thing_pubsub_publish_field(IgwThingPubsub *self, IgwField *field, GVariant *value,
			       gboolean news);

static void
igw_pubsub_iq_free(IgwPubsubIq *iq)
{
	g_free(iq->item_id);
	g_free(iq->node);
	g_free(iq);
}

static void
igw_pubsub_field_free(IgwPubsubField *entry)
{
	g_clear_handle_id(&entry->timer_id, g_source_remove);
	if (entry->published != NULL)
		g_variant_unref(entry->published);
	g_free(entry->field);
	g_free(entry);
}

static const gchar *
igw_thing_pubsub_id(IgwThingPubsub *self)
{
	return igw_thing_get_id(self->thing);
}

static xmpp_ctx_t *
igw_thing_pubsub_ctx(IgwThingPubsub *self)
{
	return igw_transport_get_ctx(self->transport);
}

/* the thing's own bare JID: what it subscribes with, how its publishes come back */
static gchar *
igw_thing_pubsub_bare(IgwThingPubsub *self)
{
	return igw_transport_dup_bare_jid(self->transport);
}

static void
igw_thing_pubsub_send_item(IgwThingPubsub *self, xmpp_stanza_t *iq, IgwPubsubIqKind kind,
			   const gchar *node, const gchar *item_id)
{
	IgwPubsubIq *entry = g_new0(IgwPubsubIq, 1);
	const gchar *id = xmpp_stanza_get_id(iq);
	entry->kind = kind;
	entry->node = g_strdup(node);
	entry->item_id = g_strdup(item_id);
	g_hash_table_insert(self->iqs, g_strdup(id), entry);
	igw_transport_send_pubsub(self->transport, iq);
}

static void
igw_thing_pubsub_send(IgwThingPubsub *self, xmpp_stanza_t *iq, IgwPubsubIqKind kind,
		      const gchar *node)
{
	igw_thing_pubsub_send_item(self, iq, kind, node, NULL);
}

static gchar *
igw_thing_pubsub_next_id(IgwThingPubsub *self)
{
	return g_strdup_printf(IGW_PUBSUB_ID_PREFIX "%u", ++self->next_id);
}

static void
igw_thing_pubsub_set_description(IgwThingPubsub *self, const gchar *description)
{
	if (g_strcmp0(self->description, description) == 0)
		return;
	g_free(self->description);
	self->description = g_strdup(description);
	g_message("thing %s: pubsub %s", igw_thing_pubsub_id(self), description);
}

/* ---- publishing ----------------------------------------------------------- */

static void
igw_thing_pubsub_send_publish(IgwThingPubsub *self, const gchar *node, const gchar *item_id,
			      xmpp_stanza_t *payload, IgwPubsubIqKind kind, const gchar *model)
{
	g_autofree gchar *id = igw_thing_pubsub_next_id(self);
	g_autoptr(xmpp_stanza_t) iq =
	    igw_pubsub_new_publish(igw_thing_pubsub_ctx(self), id, NULL, node, item_id, payload,
				   model, self->persist_items);
	igw_thing_pubsub_send_item(self, iq, kind, node, item_id);
}

/* the UI again when the fields changed (a BLE thing learns fields late) */
static void
igw_thing_pubsub_publish_ui(IgwThingPubsub *self, gboolean force)
{
	GPtrArray *fields = igw_thing_get_fields(self->thing);
	g_autoptr(GString) signature = g_string_new(igw_thing_get_name(self->thing));
	for (guint i = 0; i < fields->len; i++) {
		IgwField *field = g_ptr_array_index(fields, i);
		g_string_append_printf(signature, "|%s%s", igw_field_get_name(field),
				       igw_field_get_writable(field) ? "*" : "");
	}
	if (!force && g_strcmp0(signature->str, self->ui_signature) == 0)
		return;
	g_free(self->ui_signature);
	self->ui_signature = g_string_free(g_steal_pointer(&signature), FALSE);
	igw_thing_pubsub_send_publish(
	    self, IGW_PUBSUB_NODE_UI, IGW_PUBSUB_ITEM_UI,
	    igw_pubsub_new_ui_form(igw_thing_pubsub_ctx(self), self->thing), IGW_PUBSUB_IQ_PUBLISH,
	    self->model);
}

static IgwPubsubField *
igw_thing_pubsub_field_entry(IgwThingPubsub *self, const gchar *name)
{
	IgwPubsubField *entry = g_hash_table_lookup(self->fields, name);
	if (entry != NULL)
		return entry;
	entry = g_new0(IgwPubsubField, 1);
	entry->pubsub = self;
	entry->field = g_strdup(name);
	g_hash_table_insert(self->fields, entry->field, entry);
	return entry;
}

static void
igw_thing_pubsub_field_limits(IgwThingPubsub *self, const gchar *name, gdouble *deadband,
			      guint *min_interval)
{
	g_autofree gchar *deadband_key = g_strconcat("deadband.", name, NULL);
	g_autofree gchar *interval_key = g_strconcat("min_interval.", name, NULL);
	*deadband = self->deadband;
	*min_interval = self->min_interval;
	/* validated when the config was loaded */
	if (g_key_file_has_key(self->keyfile, "pubsub", deadband_key, NULL))
		*deadband = g_key_file_get_double(self->keyfile, "pubsub", deadband_key, NULL);
	if (g_key_file_has_key(self->keyfile, "pubsub", interval_key, NULL))
		*min_interval =
		    (guint)g_key_file_get_integer(self->keyfile, "pubsub", interval_key, NULL);
}

/* a noisy sensor cannot flood the server: numbers move by more than the
 * deadband, anything else changes */
static gboolean
igw_thing_pubsub_changed(GVariant *old_value, GVariant *new_value, gdouble deadband)
{
	if (old_value == NULL)
		return TRUE;
	if (g_variant_is_of_type(new_value, G_VARIANT_TYPE_DOUBLE) &&
	    g_variant_is_of_type(old_value, G_VARIANT_TYPE_DOUBLE))
		return fabs(g_variant_get_double(new_value) - g_variant_get_double(old_value)) >
			   deadband ||
		       (deadband == 0 && !g_variant_equal(old_value, new_value));
	if (g_variant_is_of_type(new_value, G_VARIANT_TYPE_INT64) &&
	    g_variant_is_of_type(old_value, G_VARIANT_TYPE_INT64))
		return fabs((gdouble)(g_variant_get_int64(new_value) -
				      g_variant_get_int64(old_value))) > deadband ||
		       (deadband == 0 && !g_variant_equal(old_value, new_value));
	return !g_variant_equal(old_value, new_value);
}

static gboolean
igw_thing_pubsub_field_timer_cb(gpointer user_data)
{
	IgwPubsubField *entry = user_data;
	IgwThingPubsub *self = entry->pubsub;
	IgwField *field = igw_thing_get_field(self->thing, entry->field);
	IgwReading *latest = igw_thing_get_latest(self->thing, entry->field);
	entry->timer_id = 0;
	/* the last state of the interval is not lost */
	if (field != NULL && latest != NULL)
		igw_thing_pubsub_publish_field(self, field, igw_reading_get_value(latest), FALSE);
	return G_SOURCE_REMOVE;
}

/* the reading as XEP-0323 <fields/>, said by the same encoder as readouts:
 * one payload per item is all a PEP service takes, so it gets its own node */
static void
igw_thing_pubsub_publish_sensordata(IgwThingPubsub *self, IgwField *field, const gchar *item_id)
{
	IgwReading *latest = igw_thing_get_latest(self->thing, igw_field_get_name(field));
	g_autoptr(IgwIotEvent) event = igw_iot_event_new(IGW_IOT_EVENT_FIELDS, "0");
	g_autoptr(xmpp_stanza_t) request =
	    xmpp_message_new(igw_thing_pubsub_ctx(self), NULL, NULL, NULL);
	g_autoptr(xmpp_stanza_t) message = NULL;
	xmpp_stanza_t *fields;
	if (latest == NULL)
		return;
	event->thing = self->thing;
	event->done = TRUE;
	event->profile = IGW_IOT_PROFILE_XSF;
	g_ptr_array_add(event->readings, igw_reading_ref(latest));
	message = igw_iot_codec_xsf()->encode(request, event);
	fields =
	    message != NULL ? xmpp_stanza_get_child_by_ns(message, IGW_NS_IOT_SENSORDATA) : NULL;
	if (fields == NULL)
		return;
	igw_thing_pubsub_send_publish(self, IGW_PUBSUB_NODE_SENSORDATA, item_id,
				      xmpp_stanza_copy(fields), IGW_PUBSUB_IQ_PUBLISH, self->model);
}

/* @news: an event or a heartbeat, published even when equal to the last */
static void
igw_thing_pubsub_publish_field(IgwThingPubsub *self, IgwField *field, GVariant *value,
			       gboolean news)
{
	const gchar *name = igw_field_get_name(field);
	IgwPubsubField *entry = igw_thing_pubsub_field_entry(self, name);
	gint64 now = g_get_monotonic_time();
	gdouble deadband;
	guint min_interval;
	g_autofree gchar *item_id = NULL;
	igw_thing_pubsub_field_limits(self, name, &deadband, &min_interval);
	if (!news && !igw_thing_pubsub_changed(entry->published, value, deadband))
		return;
	if (!news && entry->published != NULL &&
	    now - entry->published_at < (gint64)min_interval * G_USEC_PER_SEC) {
		gint64 wait_ms =
		    ((gint64)min_interval * G_USEC_PER_SEC - (now - entry->published_at)) / 1000 +
		    1;
		if (entry->timer_id == 0)
			entry->timer_id =
			    g_timeout_add((guint)wait_ms, igw_thing_pubsub_field_timer_cb, entry);
		return;
	}
	g_clear_handle_id(&entry->timer_id, g_source_remove);
	if (entry->published != NULL)
		g_variant_unref(entry->published);
	entry->published = g_variant_ref(value);
	entry->published_at = now;
	item_id = igw_pubsub_field_item_id(field);
	igw_thing_pubsub_send_publish(self, igw_pubsub_field_node(field), item_id,
				      igw_pubsub_new_val(igw_thing_pubsub_ctx(self), field, value),
				      IGW_PUBSUB_IQ_PUBLISH, self->model);
	if (self->sensordata)
		igw_thing_pubsub_publish_sensordata(self, field, item_id);
}

/* everything the thing knows, as after a login */
static void
igw_thing_pubsub_publish_all(IgwThingPubsub *self)
{
	GPtrArray *fields = igw_thing_get_fields(self->thing);
	g_hash_table_remove_all(self->fields);
	igw_thing_pubsub_publish_ui(self, TRUE);
	for (guint i = 0; i < fields->len; i++) {
		IgwField *field = g_ptr_array_index(fields, i);
		IgwReading *latest = igw_thing_get_latest(self->thing, igw_field_get_name(field));
		if (latest != NULL)
			igw_thing_pubsub_publish_field(self, field, igw_reading_get_value(latest),
						       FALSE);
	}
}

/* our thing's readings only: the signal is the thing's own */
static void
igw_thing_pubsub_reading_cb(IgwThing *thing, IgwReading *reading, IgwThingPubsub *self)
{
	IgwField *field;
	if (self->state != IGW_PUBSUB_STATE_READY)
		return;
	field = igw_thing_get_field(thing, igw_reading_get_field(reading));
	if (field == NULL)
		return;
	igw_thing_pubsub_publish_ui(self, FALSE);
	igw_thing_pubsub_publish_field(self, field, igw_reading_get_value(reading),
				       (igw_reading_get_flags(reading) & IGW_READING_FLAG_NEWS) !=
					   0);
}

/* ---- access model, affiliations, our own subscription ------------------------- */

/* ex-owners keep no affiliation (member, publisher) and no subscription */
static void
igw_thing_pubsub_revoke_on(IgwThingPubsub *self, const gchar *node, const gchar *const *jids)
{
	g_autofree gchar *id = igw_thing_pubsub_next_id(self);
	g_autofree gchar *sub_id = igw_thing_pubsub_next_id(self);
	g_autoptr(xmpp_stanza_t) iq = NULL;
	g_autoptr(xmpp_stanza_t) subscriptions = NULL;
	if (jids == NULL || jids[0] == NULL)
		return;
	iq = igw_pubsub_new_affiliations(igw_thing_pubsub_ctx(self), id, NULL, node, jids, "none");
	subscriptions = igw_pubsub_new_subscriptions(igw_thing_pubsub_ctx(self), sub_id, NULL, node,
						     jids, "none");
	/* the subscription first: Prosody 0.12 refuses an affiliation change
	 * that would leave a subscription the new affiliation may not have */
	igw_thing_pubsub_send(self, subscriptions, IGW_PUBSUB_IQ_REVOKE, node);
	igw_thing_pubsub_send(self, iq, IGW_PUBSUB_IQ_REVOKE, node);
}

static void
igw_thing_pubsub_owner_removed_cb(IgwThingAgent *agent, const gchar *jid, IgwThingPubsub *self)
{
	const gchar *jids[] = {jid, NULL};
	GHashTableIter iter;
	gpointer node;
	g_hash_table_add(self->revoked, g_strdup(jid));
	/* nodes not ready yet hear it when they are */
	g_hash_table_iter_init(&iter, self->nodes_ready);
	while (g_hash_table_iter_next(&iter, &node, NULL))
		igw_thing_pubsub_revoke_on(self, node, jids);
}

/* @jids may publish to the actuators and, for the whitelist, see the node */
static void
igw_thing_pubsub_grant_on(IgwThingPubsub *self, const gchar *node, const gchar *const *jids)
{
	gboolean actuators = g_strcmp0(node, IGW_PUBSUB_NODE_ACTUATORS) == 0;
	g_autofree gchar *id = NULL;
	g_autoptr(xmpp_stanza_t) iq = NULL;
	if (!actuators && g_strcmp0(self->model, "whitelist") != 0)
		return;
	id = igw_thing_pubsub_next_id(self);
	iq = igw_pubsub_new_affiliations(igw_thing_pubsub_ctx(self), id, NULL, node, jids,
					 actuators ? "publisher" : "member");
	igw_thing_pubsub_send(self, iq, IGW_PUBSUB_IQ_AFFILIATIONS, node);
}

static void
igw_thing_pubsub_owner_added_cb(IgwThingAgent *agent, const gchar *jid, IgwThingPubsub *self)
{
	const gchar *jids[] = {jid, NULL};
	GHashTableIter iter;
	gpointer node;
	g_hash_table_remove(self->revoked, jid);
	if (g_strcmp0(self->wanted_model, "roster") == 0)
		igw_transport_add_to_group(self->transport, jid, IGW_PUBSUB_ROSTER_GROUP);
	g_hash_table_iter_init(&iter, self->nodes_ready);
	while (g_hash_table_iter_next(&iter, &node, NULL))
		igw_thing_pubsub_grant_on(self, node, jids);
}

/* who may see the nodes and who may publish to the actuators */
static void
igw_thing_pubsub_prepare_node(IgwThingPubsub *self, const gchar *node)
{
	g_autofree const gchar **revoked = NULL;
	const gchar *const *owners = igw_thing_agent_get_owners(self->agent);
	g_autofree gchar *bare = igw_thing_pubsub_bare(self);
	if (node == NULL || g_hash_table_contains(self->nodes_ready, node))
		return;
	g_hash_table_add(self->nodes_ready, g_strdup(node));
	revoked = (const gchar **)g_hash_table_get_keys_as_array(self->revoked, NULL);
	igw_thing_pubsub_revoke_on(self, node, revoked);
	if (owners[0] == NULL)
		return;
	if (g_strcmp0(self->model, "roster") == 0) {
		g_autofree gchar *id = igw_thing_pubsub_next_id(self);
		g_autoptr(xmpp_stanza_t) iq = igw_pubsub_new_roster_groups_allowed(
		    igw_thing_pubsub_ctx(self), id, NULL, node);
		igw_thing_pubsub_send(self, iq, IGW_PUBSUB_IQ_AFFILIATIONS, node);
	}
	igw_thing_pubsub_grant_on(self, node, owners);
	if (g_strcmp0(node, IGW_PUBSUB_NODE_ACTUATORS) == 0) {
		g_autofree gchar *sub_id = igw_thing_pubsub_next_id(self);
		g_autoptr(xmpp_stanza_t) subscribe =
		    igw_pubsub_new_subscribe(igw_thing_pubsub_ctx(self), sub_id, NULL, node, bare);
		/* owners' publishes reach us as events */
		igw_thing_pubsub_send(self, subscribe, IGW_PUBSUB_IQ_SUBSCRIBE, node);
	}
}

/* the model after @refused: roster -> whitelist -> presence, NULL when out */
static const gchar *
igw_thing_pubsub_fallback(const gchar *refused)
{
	if (g_strcmp0(refused, "roster") == 0 || g_strcmp0(refused, "open") == 0)
		return "whitelist";
	if (g_strcmp0(refused, "whitelist") == 0)
		return "presence";
	return NULL;
}

static void
igw_thing_pubsub_negotiate(IgwThingPubsub *self, const gchar *model)
{
	gchar *copy = g_strdup(model); /* @model may be self->model */
	g_free(self->model);
	self->model = copy;
	self->state = IGW_PUBSUB_STATE_NEGOTIATING;
	g_free(self->ui_signature);
	self->ui_signature = NULL;
	igw_thing_pubsub_send_publish(
	    self, IGW_PUBSUB_NODE_UI, IGW_PUBSUB_ITEM_UI,
	    igw_pubsub_new_ui_form(igw_thing_pubsub_ctx(self), self->thing),
	    IGW_PUBSUB_IQ_NEGOTIATE, self->model);
}

static void
igw_thing_pubsub_turn_off(IgwThingPubsub *self, const gchar *why)
{
	g_autofree gchar *description = g_strdup_printf("off (%s)", why);
	self->state = IGW_PUBSUB_STATE_OFF;
	igw_thing_pubsub_set_description(self, description);
}

static gboolean
igw_thing_pubsub_retry_cb(gpointer user_data)
{
	IgwThingPubsub *self = user_data;
	self->retry_id = 0;
	igw_thing_pubsub_negotiate(self, self->model);
	return G_SOURCE_REMOVE;
}

/* what a moment later may not say again */
static gboolean
igw_thing_pubsub_is_transient(const gchar *condition)
{
	return g_strcmp0(condition, "item-not-found") == 0 ||
	       g_strcmp0(condition, "internal-server-error") == 0;
}

static gboolean
igw_thing_pubsub_is_refusal(const gchar *condition)
{
	return g_strcmp0(condition, "not-acceptable") == 0 ||
	       g_strcmp0(condition, "precondition-not-met") == 0 ||
	       g_strcmp0(condition, "conflict") == 0 || g_strcmp0(condition, "bad-request") == 0 ||
	       g_strcmp0(condition, "unsupported-access-model") == 0;
}

static void
igw_thing_pubsub_negotiated(IgwThingPubsub *self, xmpp_stanza_t *reply)
{
	g_autofree gchar *condition = NULL;
	const gchar *next;
	if (g_strcmp0(xmpp_stanza_get_type(reply), "result") == 0) {
		g_autofree gchar *description =
		    g_strcmp0(self->model, self->wanted_model) == 0
			? g_strdup(self->model)
			: g_strdup_printf("%s (%s refused by the server)", self->model,
					  self->wanted_model);
		self->state = IGW_PUBSUB_STATE_READY;
		igw_thing_pubsub_set_description(self, description);
		igw_thing_pubsub_prepare_node(self, IGW_PUBSUB_NODE_UI);
		igw_thing_pubsub_publish_all(self);
		return;
	}
	condition = igw_pubsub_error_condition(reply);
	if (igw_thing_pubsub_is_transient(condition) &&
	    ++self->tries < IGW_PUBSUB_NEGOTIATE_TRIES) {
		g_info("thing %s: publishing failed (%s), trying again", igw_thing_pubsub_id(self),
		       condition);
		self->retry_id =
		    g_timeout_add(g_random_int_range(200, 1500), igw_thing_pubsub_retry_cb, self);
		return;
	}
	next =
	    igw_thing_pubsub_is_refusal(condition) ? igw_thing_pubsub_fallback(self->model) : NULL;
	if (next != NULL) {
		g_info("thing %s: access model %s refused (%s), trying %s",
		       igw_thing_pubsub_id(self), self->model, condition, next);
		igw_thing_pubsub_negotiate(self, next);
		return;
	}
	{
		/* an account without PEP answers like a JID with no such service */
		gboolean no_pep = g_strcmp0(condition, "service-unavailable") == 0 ||
				  g_strcmp0(condition, "feature-not-implemented") == 0;
		g_autofree gchar *why = g_strdup_printf(
		    "%s: %s", no_pep ? "no PEP service" : "the server refused publishing",
		    condition != NULL ? condition : "unknown error");
		igw_thing_pubsub_turn_off(self, why);
	}
}

static void
igw_thing_pubsub_disco_done(IgwThingPubsub *self, xmpp_stanza_t *reply)
{
	g_auto(GStrv) nodes = NULL;
	if (g_strcmp0(xmpp_stanza_get_type(reply), "result") != 0) {
		g_autofree gchar *condition = igw_pubsub_error_condition(reply);
		g_autofree gchar *why = g_strdup_printf(
		    "no PEP service: %s", condition != NULL ? condition : "unknown error");
		igw_thing_pubsub_turn_off(self, why);
		return;
	}
	/* what is missing is created by publishing into it */
	nodes = igw_pubsub_parse_disco_items(reply);
	g_debug("thing %s: %u nodes on its PEP service", igw_thing_pubsub_id(self),
		nodes != NULL ? g_strv_length(nodes) : 0);
	igw_thing_pubsub_negotiate(self, self->wanted_model);
}

static gboolean
igw_thing_pubsub_restore(IgwThingPubsub *self, const gchar *item_id);

/* ejabberd lets nobody, the node's owner included, overwrite an item someone
 * else published; the owner may retract it and publish anew */
static void
igw_thing_pubsub_publish_failed(IgwThingPubsub *self, IgwPubsubIq *iq, xmpp_stanza_t *reply)
{
	g_autofree gchar *condition = igw_pubsub_error_condition(reply);
	g_autofree gchar *id = NULL;
	g_autoptr(xmpp_stanza_t) retract = NULL;
	g_debug("thing %s: publish to %s failed: %s", igw_thing_pubsub_id(self), iq->node,
		condition);
	if (g_strcmp0(condition, "forbidden") != 0 || iq->item_id == NULL ||
	    g_strcmp0(iq->node, IGW_PUBSUB_NODE_ACTUATORS) != 0)
		return;
	id = igw_thing_pubsub_next_id(self);
	retract =
	    igw_pubsub_new_retract(igw_thing_pubsub_ctx(self), id, NULL, iq->node, iq->item_id);
	igw_thing_pubsub_send_item(self, retract, IGW_PUBSUB_IQ_RETRACT, iq->node, iq->item_id);
}

static void
igw_thing_pubsub_iq_done(IgwThingPubsub *self, IgwPubsubIq *iq, xmpp_stanza_t *reply)
{
	gboolean ok = g_strcmp0(xmpp_stanza_get_type(reply), "result") == 0;
	switch (iq->kind) {
	case IGW_PUBSUB_IQ_DISCO:
		igw_thing_pubsub_disco_done(self, reply);
		break;
	case IGW_PUBSUB_IQ_NEGOTIATE:
		igw_thing_pubsub_negotiated(self, reply);
		break;
	case IGW_PUBSUB_IQ_PUBLISH:
		if (ok)
			igw_thing_pubsub_prepare_node(self, iq->node);
		else
			igw_thing_pubsub_publish_failed(self, iq, reply);
		break;
	case IGW_PUBSUB_IQ_RETRACT:
		/* the item is gone: ours again */
		if (ok)
			igw_thing_pubsub_restore(self, iq->item_id);
		break;
	case IGW_PUBSUB_IQ_REVOKE:
		/* "not-subscribed" and the like: nothing was there to take */
		if (!ok)
			g_debug("thing %s: revoking on %s: %s", igw_thing_pubsub_id(self),
				iq->node != NULL ? iq->node : "", xmpp_stanza_get_type(reply));
		break;
	case IGW_PUBSUB_IQ_AFFILIATIONS:
	case IGW_PUBSUB_IQ_SUBSCRIBE:
	default:
		if (!ok) {
			g_autofree gchar *condition = igw_pubsub_error_condition(reply);
			g_warning("thing %s: %s %s refused: %s", igw_thing_pubsub_id(self),
				  iq->kind == IGW_PUBSUB_IQ_SUBSCRIBE ? "subscribing to"
								      : "setting affiliations on",
				  iq->node != NULL ? iq->node : "",
				  condition != NULL ? condition : "unknown error");
		}
		break;
	}
}

/* ---- control by publishing ------------------------------------------------------ */

typedef struct {
	IgwThingPubsub *pubsub;
	gchar *field;
	gchar *publisher;
} IgwPubsubControl;

static void
igw_thing_pubsub_unref(IgwThingPubsub *self);

static void
igw_pubsub_control_free(IgwPubsubControl *control)
{
	igw_thing_pubsub_unref(control->pubsub);
	g_free(control->field);
	g_free(control->publisher);
	g_free(control);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwPubsubControl, igw_pubsub_control_free)

/* the item says what the device says again, whatever was published over it */
static gboolean
igw_thing_pubsub_restore(IgwThingPubsub *self, const gchar *item_id)
{
	g_autofree gchar *name = igw_pubsub_item_field_name(item_id);
	IgwField *field = name != NULL ? igw_thing_get_field(self->thing, name) : NULL;
	IgwReading *latest = name != NULL ? igw_thing_get_latest(self->thing, name) : NULL;
	g_autofree gchar *own_item_id = NULL;
	if (field == NULL || latest == NULL || self->state != IGW_PUBSUB_STATE_READY)
		return FALSE;
	own_item_id = igw_pubsub_field_item_id(field);
	if (g_strcmp0(own_item_id, item_id) != 0)
		return FALSE;
	igw_thing_pubsub_send_publish(
	    self, igw_pubsub_field_node(field), own_item_id,
	    igw_pubsub_new_val(igw_thing_pubsub_ctx(self), field, igw_reading_get_value(latest)),
	    IGW_PUBSUB_IQ_PUBLISH, self->model);
	return TRUE;
}

/* an actuator item that is no value of ours: nobody may read it */
static void
igw_thing_pubsub_retract(IgwThingPubsub *self, const gchar *item_id)
{
	g_autofree gchar *id = igw_thing_pubsub_next_id(self);
	g_autoptr(xmpp_stanza_t) retract = igw_pubsub_new_retract(
	    igw_thing_pubsub_ctx(self), id, NULL, IGW_PUBSUB_NODE_ACTUATORS, item_id);
	igw_thing_pubsub_send_item(self, retract, IGW_PUBSUB_IQ_RETRACT, IGW_PUBSUB_NODE_ACTUATORS,
				   item_id);
}

static void
igw_thing_pubsub_ignore(IgwThingPubsub *self, const gchar *publisher, const gchar *item_id,
			const gchar *why)
{
	self->ignored++;
	g_message("thing %s: publish to %s by %s ignored: %s (%u so far)",
		  igw_thing_pubsub_id(self), item_id, publisher != NULL ? publisher : "someone",
		  why, self->ignored);
	/* a server that took it (ejabberd takes anyone's, Prosody an ex-owner's
	 * until its affiliation is gone) shows it to everyone: our value over
	 * it, or no item at all; never for an unknown publisher: that may be
	 * our own echo */
	if (item_id != NULL && publisher != NULL && !igw_thing_pubsub_restore(self, item_id))
		igw_thing_pubsub_retract(self, item_id);
}

/* an event without a publisher that carries what we published last for
 * the item: our own publish coming back (ejabberd names nobody then) */
static gboolean
igw_thing_pubsub_is_echo(IgwThingPubsub *self, const IgwPubsubEventItem *item)
{
	g_autofree gchar *name = igw_pubsub_item_field_name(item->item_id);
	IgwField *field = name != NULL ? igw_thing_get_field(self->thing, name) : NULL;
	IgwPubsubField *entry = name != NULL ? g_hash_table_lookup(self->fields, name) : NULL;
	g_autoptr(GVariant) value = NULL;
	if (field == NULL || entry == NULL || entry->published == NULL || item->payload == NULL)
		return FALSE;
	value = igw_pubsub_parse_val(field, item->payload, NULL);
	return value != NULL && g_variant_equal(value, entry->published);
}

static void
igw_thing_pubsub_control_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(IgwPubsubControl) control = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) confirmed = igw_control_set_finish(IGW_CONTROL(source), result, &error);
	IgwThingPubsub *self = control->pubsub;
	IgwField *field;
	if (confirmed != NULL || self->closed)
		return; /* the confirmed reading is published like any reading */
	g_warning("thing %s: %s's publish to %s failed: %s", igw_thing_pubsub_id(self),
		  control->publisher, control->field, error->message);
	/* the item goes back to what the device says */
	field = igw_thing_get_field(self->thing, control->field);
	if (field != NULL) {
		g_autofree gchar *item_id = igw_pubsub_field_item_id(field);
		igw_thing_pubsub_restore(self, item_id);
	}
}

/* an actuator item published by someone else: apply it, if an owner did */
static void
igw_thing_pubsub_handle_item(IgwThingPubsub *self, const IgwPubsubEventItem *item,
			     const gchar *bare)
{
	g_autofree gchar *name = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) value = NULL;
	IgwField *field;
	IgwPubsubControl *control;
	if (g_strcmp0(item->node, IGW_PUBSUB_NODE_ACTUATORS) != 0)
		return;
	if (item->publisher == NULL) {
		if (!igw_thing_pubsub_is_echo(self, item))
			igw_thing_pubsub_ignore(self, NULL, item->item_id,
						"the server did not say who published");
		return;
	}
	/* our own publishes come back as events too */
	if (g_ascii_strcasecmp(item->publisher, bare) == 0)
		return;
	if (!igw_thing_agent_is_owner(self->agent, item->publisher)) {
		igw_thing_pubsub_ignore(self, item->publisher, item->item_id, "not an owner");
		return;
	}
	name = igw_pubsub_item_field_name(item->item_id);
	if (name == NULL || item->payload == NULL ||
	    igw_thing_agent_get_control(self->agent) == NULL) {
		igw_thing_pubsub_ignore(self, item->publisher, item->item_id, "no such actuator");
		return;
	}
	/* the payload is this protocol's to parse; the control service says what is wrong */
	field = igw_thing_get_field(self->thing, name);
	value = field != NULL && igw_field_get_writable(field)
		    ? igw_pubsub_parse_val(field, item->payload, &error)
		    : NULL;
	if (value == NULL && error == NULL)
		value = igw_control_check_value(igw_thing_agent_get_control(self->agent),
						item->publisher, IGW_CONTROL_FLAG_NONE,
						igw_thing_pubsub_id(self), name, NULL, &error);
	if (value == NULL) {
		igw_thing_pubsub_ignore(self, item->publisher, item->item_id, error->message);
		return;
	}
	g_info("thing %s: set %s by %s's publish", igw_thing_pubsub_id(self), name,
	       item->publisher);
	control = g_new0(IgwPubsubControl, 1);
	control->pubsub = self;
	self->ref_count++;
	control->field = g_strdup(name);
	control->publisher = g_strdup(item->publisher);
	igw_control_set_value_async(igw_thing_agent_get_control(self->agent), item->publisher,
				    IGW_CONTROL_FLAG_NONE, igw_thing_pubsub_id(self), name, value,
				    NULL, igw_thing_pubsub_control_cb, control);
}

static void
igw_thing_pubsub_handle_event(IgwThingPubsub *self, xmpp_stanza_t *message)
{
	g_autofree gchar *bare = igw_thing_pubsub_bare(self);
	const gchar *service = igw_transport_get_pubsub_jid(self->transport);
	const gchar *from = xmpp_stanza_get_from(message);
	g_autoptr(GPtrArray) items = NULL;
	g_autoptr(GError) error = NULL;
	/* events of our own service only */
	if (from == NULL || service == NULL || g_ascii_strcasecmp(from, service) != 0)
		return;
	items = igw_pubsub_parse_event(message, &error);
	if (items == NULL) {
		igw_thing_pubsub_ignore(self, NULL, "an event", error->message);
		return;
	}
	for (guint i = 0; i < items->len; i++)
		igw_thing_pubsub_handle_item(self, g_ptr_array_index(items, i), bare);
}

/* ---- stanzas and session ------------------------------------------------------------ */

static void
igw_thing_pubsub_stanza_cb(IgwTransport *transport, gpointer stanza_ptr, IgwThingPubsub *self)
{
	xmpp_stanza_t *stanza = stanza_ptr;
	const gchar *name = xmpp_stanza_get_name(stanza);
	const gchar *id = xmpp_stanza_get_id(stanza);
	if (g_strcmp0(name, "iq") == 0 && id != NULL &&
	    g_str_has_prefix(id, IGW_PUBSUB_ID_PREFIX)) {
		IgwPubsubIq *iq = NULL;
		g_autofree gchar *key = NULL;
		const gchar *type = xmpp_stanza_get_type(stanza);
		if (g_strcmp0(type, "result") != 0 && g_strcmp0(type, "error") != 0)
			return;
		if (!g_hash_table_steal_extended(self->iqs, id, (gpointer *)&key, (gpointer *)&iq))
			return;
		igw_thing_pubsub_iq_done(self, iq, stanza);
		igw_pubsub_iq_free(iq);
		return;
	}
	if (g_strcmp0(name, "message") == 0 && self->state == IGW_PUBSUB_STATE_READY &&
	    xmpp_stanza_get_child_by_ns(stanza, IGW_NS_PUBSUB_EVENT) != NULL)
		igw_thing_pubsub_handle_event(self, stanza);
}

/* the "roster" model admits a roster group: the owners' */
static void
igw_thing_pubsub_group_owners(IgwThingPubsub *self)
{
	const gchar *const *owners = igw_thing_agent_get_owners(self->agent);
	for (guint i = 0; owners[i] != NULL; i++)
		igw_transport_add_to_group(self->transport, owners[i], IGW_PUBSUB_ROSTER_GROUP);
}

static void
igw_thing_pubsub_online_cb(IgwTransport *transport, IgwThingPubsub *self)
{
	g_autofree gchar *id = igw_thing_pubsub_next_id(self);
	g_autoptr(xmpp_stanza_t) iq = NULL;
	/* a new session: the server may have lost or kept anything */
	g_hash_table_remove_all(self->iqs);
	g_hash_table_remove_all(self->fields);
	g_hash_table_remove_all(self->nodes_ready);
	/* the agent names them again once the roster is in */
	g_hash_table_remove_all(self->revoked);
	self->state = IGW_PUBSUB_STATE_IDLE;
	self->tries = 0;
	g_clear_handle_id(&self->retry_id, g_source_remove);
	if (g_strcmp0(self->wanted_model, "roster") == 0)
		igw_thing_pubsub_group_owners(self);
	iq = igw_pubsub_new_disco_items(igw_thing_pubsub_ctx(self), id, NULL, NULL);
	igw_thing_pubsub_send(self, iq, IGW_PUBSUB_IQ_DISCO, NULL);
}

IgwThingPubsub *
igw_thing_pubsub_new(IgwTransport *transport, IgwContext *context, IgwPlugin *plugin,
		     IgwThing *thing, IgwThingAgent *agent, IgwConfig *config)
{
	IgwThingPubsub *self = g_new0(IgwThingPubsub, 1);
	self->ref_count = 1;
	self->transport = g_object_ref(transport);
	self->context = g_object_ref(context);
	self->plugin = g_object_ref(plugin);
	self->thing = g_object_ref(thing);
	self->agent = g_object_ref(agent);
	self->keyfile = g_key_file_ref(config->keyfile);
	self->wanted_model = g_strdup(config->pubsub_access_model);
	self->persist_items = config->pubsub_persist_items;
	self->sensordata = config->pubsub_sensordata;
	self->deadband = config->pubsub_deadband;
	self->min_interval = config->pubsub_min_interval;
	self->iqs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  (GDestroyNotify)igw_pubsub_iq_free);
	self->fields = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					     (GDestroyNotify)igw_pubsub_field_free);
	self->nodes_ready = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->revoked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->owner_removed_handler = g_signal_connect(
	    agent, "owner-removed", G_CALLBACK(igw_thing_pubsub_owner_removed_cb), self);
	self->owner_added_handler = g_signal_connect(
	    agent, "owner-added", G_CALLBACK(igw_thing_pubsub_owner_added_cb), self);
	self->stanza_handler =
	    g_signal_connect(transport, "stanza", G_CALLBACK(igw_thing_pubsub_stanza_cb), self);
	self->online_handler =
	    g_signal_connect(transport, "online", G_CALLBACK(igw_thing_pubsub_online_cb), self);
	self->reading_handler =
	    g_signal_connect(thing, "reading", G_CALLBACK(igw_thing_pubsub_reading_cb), self);
	if (igw_transport_is_online(transport))
		igw_thing_pubsub_online_cb(transport, self);
	return self;
}

static void
igw_thing_pubsub_unref(IgwThingPubsub *self)
{
	if (--self->ref_count > 0)
		return;
	g_hash_table_unref(self->iqs);
	g_hash_table_unref(self->fields);
	g_hash_table_unref(self->nodes_ready);
	g_hash_table_unref(self->revoked);
	g_key_file_unref(self->keyfile);
	g_object_unref(self->transport);
	g_object_unref(self->context);
	g_object_unref(self->plugin);
	g_object_unref(self->thing);
	g_object_unref(self->agent);
	g_free(self->wanted_model);
	g_free(self->model);
	g_free(self->description);
	g_free(self->ui_signature);
	g_free(self);
}

void
igw_thing_pubsub_free(IgwThingPubsub *self)
{
	if (self == NULL)
		return;
	g_signal_handler_disconnect(self->transport, self->stanza_handler);
	g_signal_handler_disconnect(self->transport, self->online_handler);
	g_signal_handler_disconnect(self->thing, self->reading_handler);
	g_signal_handler_disconnect(self->agent, self->owner_removed_handler);
	g_signal_handler_disconnect(self->agent, self->owner_added_handler);
	g_clear_handle_id(&self->retry_id, g_source_remove);
	/* no field timers fire for a closed module */
	g_hash_table_remove_all(self->fields);
	self->closed = TRUE;
	igw_thing_pubsub_unref(self);
}

const gchar *
igw_thing_pubsub_describe(IgwThingPubsub *self)
{
	return self->description;
}

guint
igw_thing_pubsub_get_ignored(IgwThingPubsub *self)
{
	return self->ignored;
}
