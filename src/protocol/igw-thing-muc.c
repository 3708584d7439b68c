/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwMuc"

#include "config.h"

#include <math.h>
#include <string.h>

#include "igw-backoff.h"
#include "igw-chat.h"
#include "igw-config.h"
#include "igw-error.h"
#include "igw-thing-muc.h"
#include "igw-thing-private.h"

#define IGW_NS_MUC "http://jabber.org/protocol/muc"
#define IGW_NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define IGW_NS_MUC_OWNER "http://jabber.org/protocol/muc#owner"
#define IGW_NS_MUC_ADMIN "http://jabber.org/protocol/muc#admin"
#define IGW_NS_DATA "jabber:x:data"
#define IGW_NS_DELAY "urn:xmpp:delay"
#define IGW_NS_LEGACY_DELAY "jabber:x:delay"
#define IGW_NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define IGW_MUC_IQ_PREFIX "igw-muc-"
/* rejoin backoff: 2 s doubling up to 5 min */
#define IGW_MUC_RETRY_BASE_MS 2000
#define IGW_MUC_RETRY_CAP_MS (5 * 60 * 1000)
#define IGW_MUC_JOIN_TIMEOUT_S 30
/* "Kitchen", "Kitchen-2" ... "Kitchen-9", then back off */
#define IGW_MUC_MAX_NICKS 9
/* what a thing may send to its rooms: a burst of 10, then 4 stanzas a second */
#define IGW_MUC_BURST 10.0
#define IGW_MUC_RATE 4.0
#define IGW_MUC_OUTBOX_MAX 64

typedef enum {
	IGW_THING_MUC_ROOM_IDLE,    /* not for this thing (yet), or offline */
	IGW_THING_MUC_ROOM_JOINING, /* presence sent, waiting for the self-presence */
	IGW_THING_MUC_ROOM_JOINED,
	IGW_THING_MUC_ROOM_WAITING, /* refused or thrown out: a retry is scheduled */
} IgwThingMucRoomState;

typedef struct _IgwThingMucRoom IgwThingMucRoom;

/* what one room was last told about one field */
typedef struct {
	IgwThingMucRoom *room;
	gchar *name;
	GVariant *posted; /* NULL: nothing posted yet */
	gint64 posted_at; /* monotonic */
	guint timer_id;	  /* a post deferred to the end of min_interval */
} IgwThingMucField;

struct _IgwThingMucRoom {
	IgwThingMuc *muc;
	IgwConfigRoom *config;
	IgwThingMucRoomState state;
	gchar *nick;
	guint nick_attempt;
	IgwBackoff backoff;
	guint timer_id;	       /* join timeout or retry */
	gchar *refused;	       /* the refusal last logged, so it is logged once */
	GHashTable *occupants; /* nick -> real bare JID, "" when the room hides it */
	GHashTable *fields;    /* field name -> IgwThingMucField */
};

struct _IgwThingMuc {
	IgwTransport *transport;
	IgwContext *context;
	IgwPlugin *plugin;
	IgwThing *thing;
	IgwThingAgent *agent;
	GPtrArray *rooms; /* IgwThingMucRoom */
	GRand *rand;
	GQueue outbox; /* xmpp_stanza_t, waiting for a token */
	gdouble tokens;
	gint64 tokens_at;
	guint outbox_id;
	GCancellable *cancellable;
};

static const gchar *
igw_thing_muc_label(IgwThingMuc *self)
{
	return igw_thing_get_id(self->thing);
}

static xmpp_ctx_t *
igw_thing_muc_ctx(IgwThingMuc *self)
{
	return igw_transport_get_ctx(self->transport);
}

/* the part after '/', or NULL */
static const gchar *
igw_thing_muc_resource_of(const gchar *jid)
{
	const gchar *slash = jid != NULL ? strchr(jid, '/') : NULL;
	return slash != NULL ? slash + 1 : NULL;
}

static gchar *
igw_thing_muc_bare_of(const gchar *jid)
{
	const gchar *slash = strchr(jid, '/');
	return slash != NULL ? g_utf8_strdown(jid, slash - jid) : g_utf8_strdown(jid, -1);
}

static xmpp_stanza_t *
igw_thing_muc_add_child(xmpp_stanza_t *parent, const gchar *name, const gchar *ns)
{
	xmpp_stanza_t *child = xmpp_stanza_new(xmpp_stanza_get_context(parent));
	xmpp_stanza_set_name(child, name);
	if (ns != NULL)
		xmpp_stanza_set_ns(child, ns);
	xmpp_stanza_add_child_ex(parent, child, 0);
	return child;
}

static void
igw_thing_muc_add_text(xmpp_stanza_t *parent, const gchar *name, const gchar *text)
{
	xmpp_stanza_t *child = igw_thing_muc_add_child(parent, name, NULL);
	xmpp_stanza_t *body = xmpp_stanza_new(xmpp_stanza_get_context(parent));
	xmpp_stanza_set_text(body, text);
	xmpp_stanza_add_child_ex(child, body, 0);
}

/* token bucket: a noisy sensor or a chatty room cannot make the thing flood the server */
static void
igw_thing_muc_refill(IgwThingMuc *self)
{
	gint64 now = g_get_monotonic_time();
	self->tokens = MIN(IGW_MUC_BURST, self->tokens + (gdouble)(now - self->tokens_at) *
							     IGW_MUC_RATE / G_USEC_PER_SEC);
	self->tokens_at = now;
}

static gboolean
igw_thing_muc_flush_cb(gpointer user_data)
{
	IgwThingMuc *self = user_data;
	self->outbox_id = 0;
	igw_thing_muc_refill(self);
	while (!g_queue_is_empty(&self->outbox) && self->tokens >= 1) {
		g_autoptr(xmpp_stanza_t) stanza = g_queue_pop_head(&self->outbox);
		self->tokens -= 1;
		if (igw_transport_is_online(self->transport))
			igw_transport_send(self->transport, stanza);
	}
	if (!g_queue_is_empty(&self->outbox))
		self->outbox_id =
		    g_timeout_add((guint)((1 - self->tokens) * 1000 / IGW_MUC_RATE) + 1,
				  igw_thing_muc_flush_cb, self);
	return G_SOURCE_REMOVE;
}

static void
igw_thing_muc_send(IgwThingMuc *self, xmpp_stanza_t *stanza)
{
	g_queue_push_tail(&self->outbox, xmpp_stanza_clone(stanza));
	if (g_queue_get_length(&self->outbox) > IGW_MUC_OUTBOX_MAX) {
		xmpp_stanza_release(g_queue_pop_head(&self->outbox));
		g_debug("thing %s: room outbox full, oldest stanza dropped",
			igw_thing_muc_label(self));
	}
	if (self->outbox_id == 0)
		igw_thing_muc_flush_cb(self);
}

static void
igw_thing_muc_clear_outbox(IgwThingMuc *self)
{
	xmpp_stanza_t *stanza;
	g_clear_handle_id(&self->outbox_id, g_source_remove);
	while ((stanza = g_queue_pop_head(&self->outbox)) != NULL)
		xmpp_stanza_release(stanza);
}

static void
igw_thing_muc_say(IgwThingMucRoom *room, const gchar *body)
{
	IgwThingMuc *self = room->muc;
	g_autofree gchar *id = g_strdup_printf(IGW_MUC_IQ_PREFIX "%08x", g_random_int());
	g_autoptr(xmpp_stanza_t) message =
	    xmpp_message_new(igw_thing_muc_ctx(self), "groupchat", room->config->jid, id);
	xmpp_message_set_body(message, body);
	igw_thing_muc_send(self, message);
}

static void
igw_thing_muc_answer(IgwThingMucRoom *room, const gchar *nick, const gchar *text)
{
	g_autofree gchar *body = g_strdup_printf("%s: %s", nick, text);
	igw_thing_muc_say(room, body);
}

/******************************************************************************/
/* rooms                                                                      */
/******************************************************************************/

static void
igw_thing_muc_field_free(IgwThingMucField *field)
{
	g_clear_handle_id(&field->timer_id, g_source_remove);
	g_clear_pointer(&field->posted, g_variant_unref);
	g_free(field->name);
	g_free(field);
}

static IgwThingMucRoom *
igw_thing_muc_room_new(IgwThingMuc *self, const IgwConfigRoom *config)
{
	IgwThingMucRoom *room = g_new0(IgwThingMucRoom, 1);
	room->muc = self;
	room->config = igw_config_room_copy(config);
	igw_backoff_init(&room->backoff, IGW_MUC_RETRY_BASE_MS, IGW_MUC_RETRY_CAP_MS);
	room->occupants = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	room->fields = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					     (GDestroyNotify)igw_thing_muc_field_free);
	return room;
}

static void
igw_thing_muc_room_free(IgwThingMucRoom *room)
{
	g_clear_handle_id(&room->timer_id, g_source_remove);
	g_hash_table_unref(room->occupants);
	g_hash_table_unref(room->fields);
	igw_config_room_free(room->config);
	g_free(room->nick);
	g_free(room->refused);
	g_free(room);
}

static IgwThingMucRoom *
igw_thing_muc_find_room(IgwThingMuc *self, const gchar *from)
{
	g_autofree gchar *bare = from != NULL ? igw_thing_muc_bare_of(from) : NULL;
	for (guint i = 0; bare != NULL && i < self->rooms->len; i++) {
		IgwThingMucRoom *room = g_ptr_array_index(self->rooms, i);
		if (g_strcmp0(room->config->jid, bare) == 0)
			return room;
	}
	return NULL;
}

static gboolean
igw_thing_muc_topic_matches(IgwThingMucRoom *room, const gchar *field_name)
{
	for (guint i = 0; room->config->topics[i] != NULL; i++) {
		if (g_pattern_match_simple(room->config->topics[i], field_name))
			return TRUE;
	}
	return FALSE;
}

static gboolean
igw_thing_muc_room_matches(IgwThingMucRoom *room)
{
	GPtrArray *fields = igw_thing_get_fields(room->muc->thing);
	for (guint i = 0; i < fields->len; i++) {
		if (igw_thing_muc_topic_matches(room,
						igw_field_get_name(g_ptr_array_index(fields, i))))
			return TRUE;
	}
	return FALSE;
}

static gchar *
igw_thing_muc_make_nick(IgwThingMucRoom *room)
{
	const gchar *name = igw_thing_get_name(room->muc->thing);
	if (name == NULL || *name == '\0')
		name = igw_thing_get_id(room->muc->thing);
	if (room->nick_attempt == 0)
		return g_strdup(name);
	return g_strdup_printf("%s-%u", name, room->nick_attempt + 1);
}

/* <presence to='room/nick'><x xmlns='muc'><history maxstanzas='0'/></x></presence> */
static void
igw_thing_muc_send_join(IgwThingMucRoom *room)
{
	IgwThingMuc *self = room->muc;
	g_autoptr(xmpp_stanza_t) presence = xmpp_presence_new(igw_thing_muc_ctx(self));
	g_autofree gchar *to = NULL;
	xmpp_stanza_t *x;
	xmpp_stanza_t *history;
	g_free(room->nick);
	room->nick = igw_thing_muc_make_nick(room);
	to = g_strdup_printf("%s/%s", room->config->jid, room->nick);
	xmpp_stanza_set_to(presence, to);
	x = igw_thing_muc_add_child(presence, "x", IGW_NS_MUC);
	history = igw_thing_muc_add_child(x, "history", NULL);
	xmpp_stanza_set_attribute(history, "maxstanzas", "0");
	if (room->config->password != NULL)
		igw_thing_muc_add_text(x, "password", room->config->password);
	g_hash_table_remove_all(room->occupants);
	room->state = IGW_THING_MUC_ROOM_JOINING;
	g_debug("thing %s: joining room %s as %s", igw_thing_muc_label(self), room->config->jid,
		room->nick);
	igw_thing_muc_send(self, presence);
}

/* each distinct refusal once at warning level, repeats at debug level */
static void
igw_thing_muc_log_refusal(IgwThingMucRoom *room, const gchar *reason)
{
	if (g_strcmp0(room->refused, reason) == 0) {
		g_debug("thing %s: room %s still refuses entry: %s", igw_thing_muc_label(room->muc),
			room->config->jid, reason);
		return;
	}
	g_warning("thing %s: room %s refused entry: %s; retrying with backoff up to %u s",
		  igw_thing_muc_label(room->muc), room->config->jid, reason,
		  IGW_MUC_RETRY_CAP_MS / 1000);
	g_free(room->refused);
	room->refused = g_strdup(reason);
}

static guint
igw_thing_muc_retry_delay(IgwThingMucRoom *room)
{
	return MAX((guint)IGW_MUC_RETRY_BASE_MS,
		   igw_backoff_next_delay(&room->backoff, room->muc->rand));
}

/* one timer per room: it sends the join, then times the answer out */
static gboolean
igw_thing_muc_room_timer_cb(gpointer user_data)
{
	IgwThingMucRoom *room = user_data;
	room->timer_id = 0;
	if (!igw_transport_is_online(room->muc->transport)) {
		room->state = IGW_THING_MUC_ROOM_IDLE;
		return G_SOURCE_REMOVE;
	}
	if (room->state == IGW_THING_MUC_ROOM_JOINING) {
		igw_thing_muc_log_refusal(room, "no answer");
		room->state = IGW_THING_MUC_ROOM_WAITING;
		room->timer_id = g_timeout_add(igw_thing_muc_retry_delay(room),
					       igw_thing_muc_room_timer_cb, room);
		return G_SOURCE_REMOVE;
	}
	igw_thing_muc_send_join(room);
	room->timer_id =
	    g_timeout_add_seconds(IGW_MUC_JOIN_TIMEOUT_S, igw_thing_muc_room_timer_cb, room);
	return G_SOURCE_REMOVE;
}

static void
igw_thing_muc_join_now(IgwThingMucRoom *room)
{
	g_clear_handle_id(&room->timer_id, g_source_remove);
	room->state = IGW_THING_MUC_ROOM_WAITING;
	igw_thing_muc_room_timer_cb(room);
}

static void
igw_thing_muc_schedule_retry(IgwThingMucRoom *room)
{
	guint delay = igw_thing_muc_retry_delay(room);
	g_clear_handle_id(&room->timer_id, g_source_remove);
	g_hash_table_remove_all(room->occupants);
	room->state = IGW_THING_MUC_ROOM_WAITING;
	g_debug("thing %s: rejoining room %s in %u ms", igw_thing_muc_label(room->muc),
		room->config->jid, delay);
	room->timer_id = g_timeout_add(delay, igw_thing_muc_room_timer_cb, room);
}

/* join the rooms that have become this thing's: fields can appear after login */
static void
igw_thing_muc_ensure_rooms(IgwThingMuc *self)
{
	if (!igw_transport_is_online(self->transport))
		return;
	for (guint i = 0; i < self->rooms->len; i++) {
		IgwThingMucRoom *room = g_ptr_array_index(self->rooms, i);
		if (room->state == IGW_THING_MUC_ROOM_IDLE && igw_thing_muc_room_matches(room))
			igw_thing_muc_join_now(room);
	}
}

/******************************************************************************/
/* room creation: an instant room whose occupants' JIDs the thing can see     */
/******************************************************************************/

static xmpp_stanza_t *
igw_thing_muc_new_iq(IgwThingMucRoom *room, const gchar *ns, xmpp_stanza_t **query)
{
	g_autofree gchar *id = g_strdup_printf(IGW_MUC_IQ_PREFIX "%08x", g_random_int());
	xmpp_stanza_t *iq = xmpp_iq_new(igw_thing_muc_ctx(room->muc), "set", id);
	xmpp_stanza_set_to(iq, room->config->jid);
	*query = igw_thing_muc_add_child(iq, "query", ns);
	return iq;
}

static void
igw_thing_muc_add_form_field(xmpp_stanza_t *form, const gchar *var, const gchar *type,
			     const gchar *value)
{
	xmpp_stanza_t *field = igw_thing_muc_add_child(form, "field", NULL);
	xmpp_stanza_set_attribute(field, "var", var);
	if (type != NULL)
		xmpp_stanza_set_attribute(field, "type", type);
	igw_thing_muc_add_text(field, "value", value);
}

/* status 201: the room waits, locked, for its configuration */
static void
igw_thing_muc_configure_room(IgwThingMucRoom *room)
{
	xmpp_stanza_t *query = NULL;
	g_autoptr(xmpp_stanza_t) iq = igw_thing_muc_new_iq(room, IGW_NS_MUC_OWNER, &query);
	xmpp_stanza_t *form = igw_thing_muc_add_child(query, "x", IGW_NS_DATA);
	xmpp_stanza_set_type(form, "submit");
	igw_thing_muc_add_form_field(form, "FORM_TYPE", "hidden",
				     "http://jabber.org/protocol/muc#roomconfig");
	/* the real JIDs of occupants tell owners from others for "set" */
	igw_thing_muc_add_form_field(form, "muc#roomconfig_whois", NULL, "anyone");
	g_message("thing %s: created room %s", igw_thing_muc_label(room->muc), room->config->jid);
	igw_thing_muc_send(room->muc, iq);
}

/* the thing's owners own the rooms it creates, so that people can manage them */
static void
igw_thing_muc_grant_owners(IgwThingMucRoom *room)
{
	const gchar *const *owners = igw_thing_agent_get_owners(room->muc->agent);
	xmpp_stanza_t *query = NULL;
	g_autoptr(xmpp_stanza_t) iq = NULL;
	if (owners[0] == NULL)
		return;
	iq = igw_thing_muc_new_iq(room, IGW_NS_MUC_ADMIN, &query);
	for (guint i = 0; owners[i] != NULL; i++) {
		xmpp_stanza_t *item = igw_thing_muc_add_child(query, "item", NULL);
		xmpp_stanza_set_attribute(item, "affiliation", "owner");
		xmpp_stanza_set_attribute(item, "jid", owners[i]);
	}
	igw_thing_muc_send(room->muc, iq);
}

/******************************************************************************/
/* presence from rooms                                                        */
/******************************************************************************/

static gboolean
igw_thing_muc_has_status(xmpp_stanza_t *x, const gchar *code)
{
	for (xmpp_stanza_t *child = x != NULL ? xmpp_stanza_get_children(x) : NULL; child != NULL;
	     child = xmpp_stanza_get_next(child)) {
		if (g_strcmp0(xmpp_stanza_get_name(child), "status") == 0 &&
		    g_strcmp0(xmpp_stanza_get_attribute(child, "code"), code) == 0)
			return TRUE;
	}
	return FALSE;
}

/* why the room let us go, for the log */
static const gchar *
igw_thing_muc_leave_reason(xmpp_stanza_t *x)
{
	if (x != NULL && xmpp_stanza_get_child_by_name(x, "destroy") != NULL)
		return "room destroyed";
	if (igw_thing_muc_has_status(x, "332"))
		return "room service shut down";
	if (igw_thing_muc_has_status(x, "307"))
		return "kicked";
	if (igw_thing_muc_has_status(x, "301"))
		return "banned";
	if (igw_thing_muc_has_status(x, "321") || igw_thing_muc_has_status(x, "322"))
		return "no longer a member";
	return "left the room";
}

static void
igw_thing_muc_joined(IgwThingMucRoom *room, xmpp_stanza_t *x)
{
	g_clear_handle_id(&room->timer_id, g_source_remove);
	room->state = IGW_THING_MUC_ROOM_JOINED;
	igw_backoff_reset(&room->backoff);
	g_clear_pointer(&room->refused, g_free);
	g_message("thing %s: joined room %s as %s", igw_thing_muc_label(room->muc),
		  room->config->jid, room->nick);
	if (igw_thing_muc_has_status(x, "201")) {
		igw_thing_muc_configure_room(room);
		igw_thing_muc_grant_owners(room);
	}
}

static gchar *
igw_thing_muc_error_condition(xmpp_stanza_t *stanza)
{
	xmpp_stanza_t *error = xmpp_stanza_get_child_by_name(stanza, "error");
	xmpp_stanza_t *text = error != NULL ? xmpp_stanza_get_child_by_name(error, "text") : NULL;
	g_autofree gchar *detail = text != NULL ? xmpp_stanza_get_text(text) : NULL;
	for (xmpp_stanza_t *child = error != NULL ? xmpp_stanza_get_children(error) : NULL;
	     child != NULL; child = xmpp_stanza_get_next(child)) {
		const gchar *name = xmpp_stanza_get_name(child);
		if (name == NULL || g_strcmp0(name, "text") == 0 ||
		    g_strcmp0(xmpp_stanza_get_ns(child), IGW_NS_STANZAS) != 0)
			continue;
		if (detail != NULL)
			return g_strdup_printf("%s (%s)", name, detail);
		return g_strdup(name);
	}
	return g_strdup("unknown error");
}

static void
igw_thing_muc_join_refused(IgwThingMucRoom *room, xmpp_stanza_t *stanza)
{
	xmpp_stanza_t *error = xmpp_stanza_get_child_by_name(stanza, "error");
	g_autofree gchar *condition = igw_thing_muc_error_condition(stanza);
	if (room->state != IGW_THING_MUC_ROOM_JOINING)
		return;
	if (error != NULL && xmpp_stanza_get_child_by_name(error, "conflict") != NULL &&
	    room->nick_attempt + 1 < IGW_MUC_MAX_NICKS) {
		g_info("thing %s: nick %s is taken in room %s", igw_thing_muc_label(room->muc),
		       room->nick, room->config->jid);
		room->nick_attempt++;
		igw_thing_muc_join_now(room);
		return;
	}
	room->nick_attempt = 0;
	igw_thing_muc_log_refusal(room, condition);
	igw_thing_muc_schedule_retry(room);
}

static void
igw_thing_muc_self_left(IgwThingMucRoom *room, xmpp_stanza_t *x)
{
	if (room->state != IGW_THING_MUC_ROOM_JOINED && room->state != IGW_THING_MUC_ROOM_JOINING)
		return;
	g_message("thing %s: out of room %s: %s; rejoining", igw_thing_muc_label(room->muc),
		  room->config->jid, igw_thing_muc_leave_reason(x));
	igw_thing_muc_schedule_retry(room);
}

/* nick -> real bare JID, or "" when the room does not tell */
static void
igw_thing_muc_track_occupant(IgwThingMucRoom *room, const gchar *nick, xmpp_stanza_t *x)
{
	xmpp_stanza_t *item = x != NULL ? xmpp_stanza_get_child_by_name(x, "item") : NULL;
	const gchar *jid = item != NULL ? xmpp_stanza_get_attribute(item, "jid") : NULL;
	g_hash_table_replace(room->occupants, g_strdup(nick),
			     jid != NULL ? igw_thing_muc_bare_of(jid) : g_strdup(""));
}

static void
igw_thing_muc_handle_presence(IgwThingMucRoom *room, xmpp_stanza_t *stanza)
{
	const gchar *type = xmpp_stanza_get_type(stanza);
	const gchar *nick = igw_thing_muc_resource_of(xmpp_stanza_get_from(stanza));
	xmpp_stanza_t *x = xmpp_stanza_get_child_by_name_and_ns(stanza, "x", IGW_NS_MUC_USER);
	gboolean is_self = igw_thing_muc_has_status(x, "110") || g_strcmp0(nick, room->nick) == 0;
	if (g_strcmp0(type, "error") == 0) {
		igw_thing_muc_join_refused(room, stanza);
		return;
	}
	if (nick == NULL)
		return;
	if (g_strcmp0(type, "unavailable") == 0) {
		g_hash_table_remove(room->occupants, nick);
		if (is_self)
			igw_thing_muc_self_left(room, x);
		return;
	}
	if (type != NULL)
		return;
	igw_thing_muc_track_occupant(room, nick, x);
	if (is_self && room->state == IGW_THING_MUC_ROOM_JOINING)
		igw_thing_muc_joined(room, x);
}

/******************************************************************************/
/* readings                                                                   */
/******************************************************************************/

static gboolean
igw_thing_muc_value_to_double(GVariant *value, gdouble *out)
{
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_DOUBLE))
		*out = g_variant_get_double(value);
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64))
		*out = (gdouble)g_variant_get_int64(value);
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT32))
		*out = g_variant_get_int32(value);
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
		*out = g_variant_get_uint32(value);
	else
		return FALSE;
	return TRUE;
}

/* numbers must move by more than the threshold; anything else must differ */
static gboolean
igw_thing_muc_value_changed(IgwThingMucField *field, GVariant *value)
{
	gdouble old_number;
	gdouble new_number;
	if (field->posted == NULL ||
	    !g_variant_type_equal(g_variant_get_type(field->posted), g_variant_get_type(value)))
		return TRUE;
	if (igw_thing_muc_value_to_double(field->posted, &old_number) &&
	    igw_thing_muc_value_to_double(value, &new_number))
		return fabs(new_number - old_number) > field->room->config->threshold;
	return !g_variant_equal(field->posted, value);
}

/* "Kitchen: temperature 21.5 °C" */
static void
igw_thing_muc_post(IgwThingMucField *field, GVariant *value)
{
	IgwThingMuc *self = field->room->muc;
	IgwField *model = igw_thing_get_field(self->thing, field->name);
	g_autofree gchar *text = NULL;
	g_autofree gchar *body = NULL;
	if (model == NULL)
		return;
	text = igw_field_format_value(model, value);
	body = g_strdup_printf("%s: %s %s%s%s", igw_thing_get_name(self->thing), field->name, text,
			       igw_field_get_unit(model) != NULL ? " " : "",
			       igw_field_get_unit(model) != NULL ? igw_field_get_unit(model) : "");
	g_clear_pointer(&field->posted, g_variant_unref);
	field->posted = g_variant_ref(value);
	field->posted_at = g_get_monotonic_time();
	igw_thing_muc_say(field->room, body);
}

/* the end of min_interval: the last state is posted if it still differs */
static gboolean
igw_thing_muc_deferred_cb(gpointer user_data)
{
	IgwThingMucField *field = user_data;
	IgwReading *latest = igw_thing_get_latest(field->room->muc->thing, field->name);
	field->timer_id = 0;
	if (field->room->state != IGW_THING_MUC_ROOM_JOINED || latest == NULL)
		return G_SOURCE_REMOVE;
	if (igw_thing_muc_value_changed(field, igw_reading_get_value(latest)))
		igw_thing_muc_post(field, igw_reading_get_value(latest));
	return G_SOURCE_REMOVE;
}

static IgwThingMucField *
igw_thing_muc_ensure_field(IgwThingMucRoom *room, const gchar *name)
{
	IgwThingMucField *field = g_hash_table_lookup(room->fields, name);
	if (field != NULL)
		return field;
	field = g_new0(IgwThingMucField, 1);
	field->room = room;
	field->name = g_strdup(name);
	g_hash_table_insert(room->fields, field->name, field);
	return field;
}

static void
igw_thing_muc_consider(IgwThingMucRoom *room, const gchar *name, GVariant *value)
{
	IgwThingMucField *field = igw_thing_muc_ensure_field(room, name);
	gint64 now = g_get_monotonic_time();
	gint64 due = field->posted_at + (gint64)room->config->min_interval * G_USEC_PER_SEC;
	if (!igw_thing_muc_value_changed(field, value))
		return;
	if (field->posted == NULL || now >= due) {
		g_clear_handle_id(&field->timer_id, g_source_remove);
		igw_thing_muc_post(field, value);
		return;
	}
	if (field->timer_id == 0)
		field->timer_id = g_timeout_add((guint)((due - now) / 1000) + 1,
						igw_thing_muc_deferred_cb, field);
}

/* our thing's readings only: the signal is the thing's own */
static void
igw_thing_muc_reading_cb(IgwThing *thing, IgwReading *reading, IgwThingMuc *self)
{
	const gchar *name = igw_reading_get_field(reading);
	igw_thing_muc_ensure_rooms(self);
	for (guint i = 0; i < self->rooms->len; i++) {
		IgwThingMucRoom *room = g_ptr_array_index(self->rooms, i);
		if (room->state == IGW_THING_MUC_ROOM_JOINED &&
		    igw_thing_muc_topic_matches(room, name))
			igw_thing_muc_consider(room, name, igw_reading_get_value(reading));
	}
}

/******************************************************************************/
/* commands in rooms                                                          */
/******************************************************************************/

typedef struct {
	IgwThingMucRoom *room; /* valid while the cancellable is not cancelled */
	GCancellable *cancellable;
	gchar *nick;
	gchar *field;
} IgwThingMucSet;

static void
igw_thing_muc_set_free(IgwThingMucSet *request)
{
	g_object_unref(request->cancellable);
	g_free(request->nick);
	g_free(request->field);
	g_free(request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwThingMucSet, igw_thing_muc_set_free)

static void
igw_thing_muc_set_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(IgwThingMucSet) request = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) confirmed = igw_control_set_finish(IGW_CONTROL(source), result, &error);
	g_autofree gchar *text = NULL;
	if (g_cancellable_is_cancelled(request->cancellable))
		return;
	if (g_error_matches(error, IGW_ERROR, IGW_ERROR_PERMISSION_DENIED)) {
		text = g_strdup("sorry, only my owners may set");
	} else if (confirmed == NULL) {
		text = g_strdup_printf("error: %s", error->message);
	} else {
		g_autofree gchar *value =
		    igw_thing_format_reading(request->room->muc->thing, request->field);
		text = g_strdup_printf("%s: %s", request->field, value != NULL ? value : "?");
	}
	igw_thing_muc_answer(request->room, request->nick, text);
}

/* the control service validates and authorises; its reasons come back in set_cb */
static void
igw_thing_muc_start_set(IgwThingMucRoom *room, const gchar *nick, const gchar *jid,
			IgwChatCommand *command)
{
	IgwThingMuc *self = room->muc;
	IgwThingMucSet *request = g_new0(IgwThingMucSet, 1);
	request->room = room;
	request->cancellable = g_object_ref(self->cancellable);
	request->nick = g_strdup(nick);
	request->field = g_strdup(command->field);
	igw_control_set_async(igw_thing_agent_get_control(self->agent), jid, IGW_CONTROL_FLAG_NONE,
			      igw_thing_get_id(self->thing), command->field, command->value,
			      self->cancellable, igw_thing_muc_set_cb, request);
}

/* only an owner, recognised by the real JID the room shows */
static gchar *
igw_thing_muc_run_set(IgwThingMucRoom *room, const gchar *nick, IgwChatCommand *command,
		      GError **error)
{
	const gchar *jid = g_hash_table_lookup(room->occupants, nick);
	if (jid == NULL || *jid == '\0') {
		g_message("thing %s: refused set from %s in room %s: real JID hidden",
			  igw_thing_muc_label(room->muc), nick, room->config->jid);
		return g_strdup(
		    "sorry, only my owners may set, and this room hides your real JID from me");
	}
	if (igw_thing_agent_get_control(room->muc->agent) == NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
				    "control is not available");
		return NULL;
	}
	g_info("thing %s: set %s = %s requested by %s in room %s", igw_thing_muc_label(room->muc),
	       command->field, command->value, jid, room->config->jid);
	igw_thing_muc_start_set(room, nick, jid, command);
	return g_strdup("");
}

static gchar *
igw_thing_muc_format_get(IgwThingMucRoom *room, const gchar *field_name, GError **error)
{
	IgwThing *thing = room->muc->thing;
	GPtrArray *fields = igw_thing_get_fields(thing);
	g_autoptr(GString) reply = g_string_new(NULL);
	if (field_name != NULL && igw_thing_get_field(thing, field_name) == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no field '%s'", field_name);
		return NULL;
	}
	for (guint i = 0; i < fields->len; i++) {
		const gchar *name = igw_field_get_name(g_ptr_array_index(fields, i));
		g_autofree gchar *text = NULL;
		if (field_name != NULL && g_strcmp0(name, field_name) != 0)
			continue;
		text = igw_thing_format_reading(thing, name);
		g_string_append_printf(reply, "%s%s %s", reply->len > 0 ? ", " : "", name,
				       text != NULL ? text : "(no reading yet)");
	}
	return g_string_free(g_steal_pointer(&reply), FALSE);
}

/* NULL with error set, "" when the answer comes later */
static gchar *
igw_thing_muc_run_command(IgwThingMucRoom *room, const gchar *nick, IgwChatCommand *command,
			  GError **error)
{
	switch (command->kind) {
	case IGW_CHAT_COMMAND_SET:
		return igw_thing_muc_run_set(room, nick, command, error);
	case IGW_CHAT_COMMAND_GET:
		return igw_thing_muc_format_get(room, command->field, error);
	case IGW_CHAT_COMMAND_INFO:
		return igw_thing_muc_format_get(room, NULL, error);
	case IGW_CHAT_COMMAND_HELP:
	default:
		return g_strdup_printf(
		    "say '%s: get [FIELD]'; my owners may say '%s: set FIELD VALUE'", room->nick,
		    room->nick);
	}
}

/* "Kitchen: get temperature" or "kitchen, get": the text after the nick, or NULL */
static const gchar *
igw_thing_muc_addressed(IgwThingMucRoom *room, const gchar *body)
{
	gsize len = strlen(room->nick);
	if (g_ascii_strncasecmp(body, room->nick, len) != 0 ||
	    (body[len] != ':' && body[len] != ','))
		return NULL;
	return body + len + 1;
}

static void
igw_thing_muc_handle_command(IgwThingMucRoom *room, const gchar *nick, const gchar *text)
{
	g_autoptr(IgwChatCommand) command = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *reply = NULL;
	command = igw_chat_command_parse(text, &error);
	if (command != NULL)
		reply = igw_thing_muc_run_command(room, nick, command, &error);
	if (reply == NULL)
		reply = g_strdup_printf("error: %s", error->message);
	if (*reply != '\0')
		igw_thing_muc_answer(room, nick, reply);
}

/* history, subjects, our own echo and the room's own notices are never answered: no loops */
static gboolean
igw_thing_muc_is_chatter(IgwThingMucRoom *room, xmpp_stanza_t *stanza, const gchar *nick)
{
	if (nick == NULL || *nick == '\0' || g_strcmp0(nick, room->nick) == 0)
		return FALSE;
	if (xmpp_stanza_get_child_by_name_and_ns(stanza, "delay", IGW_NS_DELAY) != NULL ||
	    xmpp_stanza_get_child_by_name_and_ns(stanza, "x", IGW_NS_LEGACY_DELAY) != NULL ||
	    xmpp_stanza_get_child_by_name(stanza, "subject") != NULL)
		return FALSE;
	return room->state == IGW_THING_MUC_ROOM_JOINED;
}

static void
igw_thing_muc_handle_message(IgwThingMucRoom *room, xmpp_stanza_t *stanza)
{
	const gchar *type = xmpp_stanza_get_type(stanza);
	const gchar *nick = igw_thing_muc_resource_of(xmpp_stanza_get_from(stanza));
	g_autofree gchar *body = NULL;
	const gchar *text;
	gchar *raw;
	/* "not-acceptable": the room forgot us (its service restarted) */
	if (g_strcmp0(type, "error") == 0 && room->state == IGW_THING_MUC_ROOM_JOINED) {
		g_autofree gchar *condition = igw_thing_muc_error_condition(stanza);
		g_message("thing %s: room %s refused a message: %s; rejoining",
			  igw_thing_muc_label(room->muc), room->config->jid, condition);
		igw_thing_muc_schedule_retry(room);
		return;
	}
	if (g_strcmp0(type, "groupchat") != 0 || !igw_thing_muc_is_chatter(room, stanza, nick))
		return;
	raw = xmpp_message_get_body(stanza);
	if (raw == NULL)
		return;
	body = g_strdup(raw);
	xmpp_free(igw_thing_muc_ctx(room->muc), raw);
	text = igw_thing_muc_addressed(room, body);
	if (text != NULL)
		igw_thing_muc_handle_command(room, nick, text);
}

static void
igw_thing_muc_handle_iq(IgwThingMuc *self, xmpp_stanza_t *stanza)
{
	const gchar *id = xmpp_stanza_get_id(stanza);
	g_autofree gchar *condition = NULL;
	if (g_strcmp0(xmpp_stanza_get_type(stanza), "error") != 0 || id == NULL ||
	    !g_str_has_prefix(id, IGW_MUC_IQ_PREFIX))
		return;
	condition = igw_thing_muc_error_condition(stanza);
	g_warning("thing %s: room %s refused its configuration: %s", igw_thing_muc_label(self),
		  xmpp_stanza_get_from(stanza), condition);
}

/******************************************************************************/
/* transport                                                                  */
/******************************************************************************/

static void
igw_thing_muc_stanza_cb(IgwTransport *transport, gpointer stanza_ptr, IgwThingMuc *self)
{
	xmpp_stanza_t *stanza = stanza_ptr;
	const gchar *name = xmpp_stanza_get_name(stanza);
	IgwThingMucRoom *room = igw_thing_muc_find_room(self, xmpp_stanza_get_from(stanza));
	if (room == NULL)
		return;
	if (g_strcmp0(name, "presence") == 0)
		igw_thing_muc_handle_presence(room, stanza);
	else if (g_strcmp0(name, "message") == 0)
		igw_thing_muc_handle_message(room, stanza);
	else if (g_strcmp0(name, "iq") == 0)
		igw_thing_muc_handle_iq(self, stanza);
}

/* a new session is in no room: start over */
static void
igw_thing_muc_online_cb(IgwTransport *transport, IgwThingMuc *self)
{
	igw_thing_muc_clear_outbox(self);
	for (guint i = 0; i < self->rooms->len; i++) {
		IgwThingMucRoom *room = g_ptr_array_index(self->rooms, i);
		g_clear_handle_id(&room->timer_id, g_source_remove);
		g_hash_table_remove_all(room->occupants);
		igw_backoff_reset(&room->backoff);
		room->nick_attempt = 0;
		room->state = IGW_THING_MUC_ROOM_IDLE;
	}
	igw_thing_muc_ensure_rooms(self);
}

guint
igw_thing_muc_get_joined(IgwThingMuc *self)
{
	guint joined = 0;
	g_return_val_if_fail(self != NULL, 0);
	/* rooms forget a session that went away */
	if (!igw_transport_is_online(self->transport))
		return 0;
	for (guint i = 0; i < self->rooms->len; i++) {
		IgwThingMucRoom *room = g_ptr_array_index(self->rooms, i);
		if (room->state == IGW_THING_MUC_ROOM_JOINED)
			joined++;
	}
	return joined;
}

IgwThingMuc *
igw_thing_muc_new(IgwTransport *transport, IgwContext *context, IgwPlugin *plugin, IgwThing *thing,
		  IgwThingAgent *agent, GPtrArray *rooms)
{
	IgwThingMuc *self = g_new0(IgwThingMuc, 1);
	self->transport = g_object_ref(transport);
	self->context = g_object_ref(context);
	self->plugin = plugin != NULL ? g_object_ref(plugin) : NULL;
	self->thing = g_object_ref(thing);
	self->agent = g_object_ref(agent);
	self->rand = g_rand_new();
	self->cancellable = g_cancellable_new();
	self->tokens = IGW_MUC_BURST;
	self->tokens_at = g_get_monotonic_time();
	g_queue_init(&self->outbox);
	self->rooms = g_ptr_array_new_with_free_func((GDestroyNotify)igw_thing_muc_room_free);
	for (guint i = 0; rooms != NULL && i < rooms->len; i++)
		g_ptr_array_add(self->rooms,
				igw_thing_muc_room_new(self, g_ptr_array_index(rooms, i)));
	g_signal_connect(transport, "stanza", G_CALLBACK(igw_thing_muc_stanza_cb), self);
	g_signal_connect(transport, "online", G_CALLBACK(igw_thing_muc_online_cb), self);
	g_signal_connect(thing, "reading", G_CALLBACK(igw_thing_muc_reading_cb), self);
	igw_thing_muc_ensure_rooms(self);
	return self;
}

void
igw_thing_muc_free(IgwThingMuc *self)
{
	if (self == NULL)
		return;
	g_signal_handlers_disconnect_by_data(self->transport, self);
	g_signal_handlers_disconnect_by_data(self->thing, self);
	g_cancellable_cancel(self->cancellable);
	igw_thing_muc_clear_outbox(self);
	g_ptr_array_unref(self->rooms);
	g_object_unref(self->cancellable);
	g_rand_free(self->rand);
	g_object_unref(self->agent);
	g_object_unref(self->thing);
	g_clear_object(&self->plugin);
	g_object_unref(self->context);
	g_object_unref(self->transport);
	g_free(self);
}
