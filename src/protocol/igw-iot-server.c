/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwIot"

#include "config.h"

#include <string.h>

#include "igw-error.h"
#include "igw-iot-codec.h"
#include "igw-iot-server.h"
#include "igw-request-limit.h"

struct _IgwIotServer {
	IgwTransport *transport;
	IgwPlugin *plugin;
	IgwThing *thing;
	IgwControl *control; /* where sets go; NULL refuses them */
	IgwIotHistoryFunc history_func;
	gpointer history_data;
	IgwIotProfileFunc profile_func;
	gpointer profile_data;
	IgwIotProfile profile;	    /* of the request being handled */
	guint max_elements;	    /* fields, nodes or parameters of one request */
	IgwRequestLimit *log_limit; /* the agent's, unowned: refusals logged once a minute */
	GHashTable *readouts; /* "requester full JID\nseqnr" -> IgwIotReadout, never the iq id */
};

/* a momentary readout waiting for the device */
typedef struct {
	IgwIotServer *server; /* NULL once cancelled or the server is freed */
	gchar *key;
	const IgwIotCodec *codec;
	IgwIotProfile profile;
	xmpp_stanza_t *stanza; /* a copy of the request */
	IgwIotRequest *request;
	GCancellable *cancellable;
} IgwIotReadout;

static const gchar *const igw_iot_features[] = {IGW_NS_IOT_SENSORDATA, IGW_NS_IOT_CONTROL,
						IGW_NS_IOT_NF_SENSORDATA, IGW_NS_IOT_NF_CONTROL,
						NULL};

const gchar *const *
igw_iot_server_get_features(void)
{
	return igw_iot_features;
}

static void
igw_iot_server_send(IgwTransport *transport, const IgwIotCodec *codec, IgwIotProfile profile,
		    xmpp_stanza_t *request, IgwIotEvent *event)
{
	g_autoptr(xmpp_stanza_t) stanza = NULL;
	event->profile = profile;
	stanza = codec->encode(request, event);
	if (stanza == NULL)
		return;
	/* messages need an id of their own; iq replies carry the request's */
	if (g_strcmp0(xmpp_stanza_get_name(stanza), "message") == 0) {
		g_autofree gchar *id = g_strdup_printf("igw-iot-%08x", g_random_int());
		xmpp_stanza_set_id(stanza, id);
	}
	igw_transport_send(transport, stanza);
}

static void
igw_iot_server_reject(IgwIotServer *self, const IgwIotCodec *codec, xmpp_stanza_t *stanza,
		      const IgwIotRequest *request, IgwIotCondition condition, const gchar *text)
{
	gboolean control = xmpp_stanza_get_child_by_ns(stanza, IGW_NS_IOT_CONTROL) != NULL;
	g_autoptr(IgwIotEvent) event =
	    igw_iot_event_new(control ? IGW_IOT_EVENT_SET_ERROR : IGW_IOT_EVENT_REJECTED,
			      request != NULL ? request->seqnr : NULL);
	/* a message is never answered with an error: no loops */
	if (g_strcmp0(xmpp_stanza_get_name(stanza), "iq") != 0)
		return;
	event->condition = condition;
	event->text = g_strdup(text);
	igw_iot_server_send(self->transport, codec, self->profile, stanza, event);
}

static gint
igw_iot_reading_compare(gconstpointer a, gconstpointer b)
{
	gint64 ta = igw_reading_get_timestamp(*(IgwReading *const *)a);
	gint64 tb = igw_reading_get_timestamp(*(IgwReading *const *)b);
	return ta < tb ? -1 : (ta > tb ? 1 : 0);
}

/* the fields asked for must exist: a typo should not look like "no data" */
static gboolean
igw_iot_server_check_read(IgwIotServer *self, const IgwIotRequest *request, GError **error)
{
	const gchar *id = igw_thing_get_id(self->thing);
	if (request->has_when) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
				    "scheduled readouts are not supported");
		return FALSE;
	}
	for (guint i = 0; request->nodes != NULL && request->nodes[i] != NULL; i++) {
		if (g_strcmp0(request->nodes[i], id) != 0) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "Invalid nodeId %s",
				    request->nodes[i]);
			return FALSE;
		}
	}
	for (guint i = 0; request->fields != NULL && request->fields[i] != NULL; i++) {
		if (igw_thing_get_field(self->thing, request->fields[i]) == NULL) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "Invalid field %s",
				    request->fields[i]);
			return FALSE;
		}
	}
	return TRUE;
}

static GPtrArray *
igw_iot_server_momentary(IgwIotServer *self, const IgwIotRequest *request)
{
	GPtrArray *fields = igw_thing_get_fields(self->thing);
	GPtrArray *readings = g_ptr_array_new_with_free_func((GDestroyNotify)igw_reading_unref);
	for (guint i = 0; i < fields->len; i++) {
		IgwField *field = g_ptr_array_index(fields, i);
		IgwReading *latest;
		if (!igw_iot_request_wants_field(request, field))
			continue;
		latest = igw_thing_get_latest(self->thing, igw_field_get_name(field));
		if (latest != NULL)
			g_ptr_array_add(readings, igw_reading_ref(latest));
	}
	return readings;
}

static GPtrArray *
igw_iot_server_history(IgwIotServer *self, const IgwIotRequest *request, GError **error)
{
	GPtrArray *fields = igw_thing_get_fields(self->thing);
	g_autoptr(GPtrArray) readings = NULL;
	if (self->history_func == NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
				    "no history is kept");
		return NULL;
	}
	readings = g_ptr_array_new_with_free_func((GDestroyNotify)igw_reading_unref);
	for (guint i = 0; i < fields->len; i++) {
		IgwField *field = g_ptr_array_index(fields, i);
		g_autoptr(GPtrArray) rows = NULL;
		if (!igw_iot_request_wants_field(request, field))
			continue;
		rows = self->history_func(igw_thing_get_id(self->thing), igw_field_get_name(field),
					  request->from, request->to, self->history_data, error);
		if (rows == NULL)
			return NULL;
		for (guint j = 0; j < rows->len; j++)
			g_ptr_array_add(readings, igw_reading_ref(g_ptr_array_index(rows, j)));
	}
	return g_steal_pointer(&readings);
}

/* pages of at most IGW_IOT_PAGE_SIZE readings, the last one done */
static void
igw_iot_server_send_fields(IgwIotServer *self, const IgwIotCodec *codec, xmpp_stanza_t *stanza,
			   const IgwIotRequest *request, GPtrArray *readings)
{
	g_autoptr(IgwIotEvent) done = NULL;
	guint sent = 0;
	g_ptr_array_sort(readings, igw_iot_reading_compare);
	do {
		g_autoptr(IgwIotEvent) event =
		    igw_iot_event_new(IGW_IOT_EVENT_FIELDS, request->seqnr);
		guint end = MIN(sent + IGW_IOT_PAGE_SIZE, readings->len);
		event->thing = self->thing;
		for (; sent < end; sent++)
			g_ptr_array_add(event->readings,
					igw_reading_ref(g_ptr_array_index(readings, sent)));
		event->done = sent >= readings->len;
		igw_iot_server_send(self->transport, codec, self->profile, stanza, event);
	} while (sent < readings->len);
	done = igw_iot_event_new(IGW_IOT_EVENT_DONE, request->seqnr);
	igw_iot_server_send(self->transport, codec, self->profile, stanza, done);
}

/* a failure only ever as the last message: slixmpp drops the session on it */
static void
igw_iot_server_fail(IgwIotServer *self, const IgwIotCodec *codec, xmpp_stanza_t *stanza,
		    const IgwIotRequest *request, const gchar *text)
{
	g_autoptr(IgwIotEvent) failure = igw_iot_event_new(IGW_IOT_EVENT_FAILURE, request->seqnr);
	g_autoptr(IgwIotEvent) done = igw_iot_event_new(IGW_IOT_EVENT_DONE, request->seqnr);
	failure->done = TRUE;
	failure->text = g_strdup(text);
	igw_iot_server_send(self->transport, codec, self->profile, stanza, failure);
	igw_iot_server_send(self->transport, codec, self->profile, stanza, done);
}

static void
igw_iot_server_read(IgwIotServer *self, const IgwIotCodec *codec, xmpp_stanza_t *stanza,
		    const IgwIotRequest *request)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) readings = NULL;
	g_autoptr(IgwIotEvent) accepted = igw_iot_event_new(IGW_IOT_EVENT_ACCEPTED, request->seqnr);
	if (!igw_iot_server_check_read(self, request, &error)) {
		igw_iot_server_reject(self, codec, stanza, request,
				      igw_iot_condition_from_error(error), error->message);
		return;
	}
	igw_iot_server_send(self->transport, codec, self->profile, stanza, accepted);
	if (request->categories & IGW_IOT_CATEGORY_HISTORICAL)
		readings = igw_iot_server_history(self, request, &error);
	else
		readings = igw_iot_server_momentary(self, request);
	if (readings == NULL) {
		igw_iot_server_fail(self, codec, stanza, request, error->message);
		return;
	}
	g_info("thing %s: readout %s for %s: %u readings", igw_thing_get_id(self->thing),
	       request->seqnr, request->requester, readings->len);
	igw_iot_server_send_fields(self, codec, stanza, request, readings);
}

static gchar *
igw_iot_readout_key(const IgwIotRequest *request)
{
	return g_strdup_printf("%s\n%s", request->requester != NULL ? request->requester : "",
			       request->seqnr != NULL ? request->seqnr : "");
}

static void
igw_iot_readout_free(IgwIotReadout *readout)
{
	g_free(readout->key);
	xmpp_stanza_release(readout->stanza);
	igw_iot_request_free(readout->request);
	g_object_unref(readout->cancellable);
	g_free(readout);
}

/* the table's destroy func: the runner's callback still comes, and frees it */
static void
igw_iot_readout_detach(IgwIotReadout *readout)
{
	g_autoptr(GCancellable) cancellable = g_object_ref(readout->cancellable);
	readout->server = NULL;
	g_cancellable_cancel(cancellable);
}

/* the readings the plugin reported during the readout are the latest ones */
static void
igw_iot_readout_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	IgwIotReadout *readout = user_data;
	IgwIotServer *self = readout->server;
	g_autoptr(GError) error = NULL;
	gboolean ok = igw_plugin_runner_readout_finish(IGW_PLUGIN(source), result, &error);
	if (self != NULL) {
		g_autoptr(GPtrArray) readings = NULL;
		g_hash_table_steal(self->readouts, readout->key);
		self->profile = readout->profile;
		if (!ok) {
			g_message("thing %s: readout %s for %s failed: %s",
				  igw_thing_get_id(self->thing), readout->request->seqnr,
				  readout->request->requester, error->message);
			igw_iot_server_fail(self, readout->codec, readout->stanza, readout->request,
					    error->message);
		} else {
			readings = igw_iot_server_momentary(self, readout->request);
			g_info("thing %s: readout %s for %s: %u fresh readings",
			       igw_thing_get_id(self->thing), readout->request->seqnr,
			       readout->request->requester, readings->len);
			igw_iot_server_send_fields(self, readout->codec, readout->stanza,
						   readout->request, readings);
		}
	}
	igw_iot_readout_free(readout);
}

/* accepted as queued, started, then fields or a failure once the device answered */
static void
igw_iot_server_read_device(IgwIotServer *self, const IgwIotCodec *codec, xmpp_stanza_t *stanza,
			   IgwIotRequest *request)
{
	g_autoptr(IgwIotRequest) owned = request;
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwIotEvent) accepted = igw_iot_event_new(IGW_IOT_EVENT_ACCEPTED, request->seqnr);
	g_autoptr(IgwIotEvent) started = igw_iot_event_new(IGW_IOT_EVENT_STARTED, request->seqnr);
	g_autofree gchar *key = igw_iot_readout_key(request);
	IgwIotReadout *readout;
	if (!igw_iot_server_check_read(self, request, &error)) {
		igw_iot_server_reject(self, codec, stanza, request,
				      igw_iot_condition_from_error(error), error->message);
		return;
	}
	if (g_hash_table_contains(self->readouts, key)) {
		g_autofree gchar *text =
		    g_strdup_printf("Readout %s is in progress", request->seqnr);
		igw_iot_server_reject(self, codec, stanza, request, IGW_IOT_CONDITION_NOT_ALLOWED,
				      text);
		return;
	}
	readout = g_new0(IgwIotReadout, 1);
	readout->server = self;
	readout->key = g_steal_pointer(&key);
	readout->codec = codec;
	readout->profile = self->profile;
	readout->stanza = xmpp_stanza_copy(stanza);
	readout->request = g_steal_pointer(&owned);
	readout->cancellable = g_cancellable_new();
	g_hash_table_insert(self->readouts, readout->key, readout);
	accepted->queued = TRUE;
	igw_iot_server_send(self->transport, codec, self->profile, stanza, accepted);
	igw_iot_server_send(self->transport, codec, self->profile, stanza, started);
	g_info("thing %s: readout %s for %s started", igw_thing_get_id(self->thing), request->seqnr,
	       request->requester);
	igw_plugin_runner_readout_async(self->plugin, self->thing, readout->cancellable,
					igw_iot_readout_cb, readout);
}

/* cancels the plugin call; an unknown seqnr is rejected */
static void
igw_iot_server_cancel(IgwIotServer *self, const IgwIotCodec *codec, xmpp_stanza_t *stanza,
		      const IgwIotRequest *request)
{
	g_autofree gchar *key = igw_iot_readout_key(request);
	g_autoptr(IgwIotEvent) event = NULL;
	if (!g_hash_table_remove(self->readouts, key)) {
		g_autofree gchar *text =
		    g_strdup_printf("No readout %s in progress", request->seqnr);
		igw_iot_server_reject(self, codec, stanza, request,
				      IGW_IOT_CONDITION_ITEM_NOT_FOUND, text);
		return;
	}
	g_info("thing %s: readout %s for %s cancelled", igw_thing_get_id(self->thing),
	       request->seqnr, request->requester);
	event = igw_iot_event_new(IGW_IOT_EVENT_CANCELLED, request->seqnr);
	igw_iot_server_send(self->transport, codec, self->profile, stanza, event);
}

/* momentary values of a thing whose plugin can ask the device afresh */
static gboolean
igw_iot_server_wants_device(IgwIotServer *self, const IgwIotRequest *request)
{
	return request->kind == IGW_IOT_REQUEST_READ &&
	       (request->categories & IGW_IOT_CATEGORY_HISTORICAL) == 0 &&
	       (request->categories & IGW_FIELD_CATEGORY_MOMENTARY) != 0 &&
	       igw_plugin_can_readout(self->plugin, self->thing);
}

/* which wire types may carry a value of which field type */
static gboolean
igw_iot_type_fits(const gchar *wire, IgwFieldType type)
{
	switch (type) {
	case IGW_FIELD_TYPE_BOOLEAN:
		return g_strcmp0(wire, "boolean") == 0;
	case IGW_FIELD_TYPE_NUMERIC:
		return g_strcmp0(wire, "double") == 0 || g_strcmp0(wire, "int") == 0 ||
		       g_strcmp0(wire, "long") == 0;
	case IGW_FIELD_TYPE_INTEGER:
		return g_strcmp0(wire, "int") == 0 || g_strcmp0(wire, "long") == 0;
	case IGW_FIELD_TYPE_DATE_TIME:
		return g_strcmp0(wire, "dateTime") == 0;
	case IGW_FIELD_TYPE_DURATION:
		return g_strcmp0(wire, "duration") == 0;
	case IGW_FIELD_TYPE_STRING:
	case IGW_FIELD_TYPE_ENUM:
	default:
		return g_strcmp0(wire, "string") == 0;
	}
}

/* the control service's reasons first, the same as every door's; then the wire type */
static GVariant *
igw_iot_server_check_param(IgwIotServer *self, const IgwIotRequest *request,
			   const IgwControlParam *param, GError **error)
{
	g_autoptr(GVariant) value = NULL;
	if (self->control == NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
				    "control is not available");
		return NULL;
	}
	value = igw_control_check(self->control, request->requester, IGW_CONTROL_FLAG_NONE,
				  igw_thing_get_id(self->thing), param->name, param->text, error);
	if (value == NULL)
		return NULL;
	if (!igw_iot_type_fits(param->type, igw_field_get_value_type(
						igw_thing_get_field(self->thing, param->name)))) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "Invalid parameter type %s for %s", param->type, param->name);
		return NULL;
	}
	return g_steal_pointer(&value);
}

typedef struct {
	IgwTransport *transport;
	gchar *thing_id;
	const IgwIotCodec *codec;
	IgwIotProfile profile;
	xmpp_stanza_t *stanza; /* a copy of the request, NULL for a message set */
	guint pending;
	GError *error;
	gchar *failed_param;
} IgwIotSet;

static void
igw_iot_set_free(IgwIotSet *set)
{
	g_object_unref(set->transport);
	g_free(set->thing_id);
	if (set->stanza != NULL)
		xmpp_stanza_release(set->stanza);
	g_clear_error(&set->error);
	g_free(set->failed_param);
	g_free(set);
}

static void
igw_iot_set_finish(IgwIotSet *set)
{
	g_autoptr(IgwIotEvent) event = igw_iot_event_new(
	    set->error != NULL ? IGW_IOT_EVENT_SET_ERROR : IGW_IOT_EVENT_SET_OK, NULL);
	if (set->error != NULL) {
		g_message("thing %s: control failed: %s", set->thing_id, set->error->message);
		event->condition = igw_iot_condition_from_error(set->error);
		event->text = g_strdup(set->error->message);
		event->param = g_strdup(set->failed_param);
	}
	if (set->stanza != NULL)
		igw_iot_server_send(set->transport, set->codec, set->profile, set->stanza, event);
	igw_iot_set_free(set);
}

typedef struct {
	IgwIotSet *set;
	gchar *name;
} IgwIotSetParam;

static void
igw_iot_set_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	IgwIotSetParam *param = user_data;
	IgwIotSet *set = param->set;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) confirmed = igw_control_set_finish(IGW_CONTROL(source), result, &error);
	if (confirmed == NULL && set->error == NULL) {
		set->error = g_steal_pointer(&error);
		set->failed_param = g_strdup(param->name);
	}
	g_free(param->name);
	g_free(param);
	if (--set->pending == 0)
		igw_iot_set_finish(set);
}

static void
igw_iot_server_set(IgwIotServer *self, const IgwIotCodec *codec, xmpp_stanza_t *stanza,
		   const IgwIotRequest *request)
{
	g_autoptr(GPtrArray) values =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_variant_unref);
	IgwIotSet *set;
	/* all or nothing: every value is checked before the first one is set */
	for (guint i = 0; i < request->params->len; i++) {
		const IgwControlParam *param = g_ptr_array_index(request->params, i);
		g_autoptr(GError) error = NULL;
		GVariant *value = igw_iot_server_check_param(self, request, param, &error);
		if (value == NULL) {
			g_autoptr(IgwIotEvent) event =
			    igw_iot_event_new(IGW_IOT_EVENT_SET_ERROR, NULL);
			g_message("thing %s: control refused: %s", igw_thing_get_id(self->thing),
				  error->message);
			if (request->message)
				return;
			event->condition = igw_iot_condition_from_error(error);
			event->text = g_strdup(error->message);
			event->param = g_strdup(param->name);
			igw_iot_server_send(self->transport, codec, self->profile, stanza, event);
			return;
		}
		g_ptr_array_add(values, g_variant_ref_sink(value));
	}
	set = g_new0(IgwIotSet, 1);
	set->transport = g_object_ref(self->transport);
	set->thing_id = g_strdup(igw_thing_get_id(self->thing));
	set->codec = codec;
	set->profile = self->profile;
	set->stanza = request->message ? NULL : xmpp_stanza_copy(stanza);
	set->pending = request->params->len;
	for (guint i = 0; i < request->params->len; i++) {
		const IgwControlParam *param = g_ptr_array_index(request->params, i);
		IgwIotSetParam *data = g_new0(IgwIotSetParam, 1);
		data->set = set;
		data->name = g_strdup(param->name);
		igw_control_set_value_async(
		    self->control, request->requester, IGW_CONTROL_FLAG_NONE, set->thing_id,
		    param->name, g_ptr_array_index(values, i), NULL, igw_iot_set_cb, data);
	}
}

/* the writable fields with their latest values */
static void
igw_iot_server_form(IgwIotServer *self, const IgwIotCodec *codec, xmpp_stanza_t *stanza)
{
	g_autoptr(IgwIotEvent) event = igw_iot_event_new(IGW_IOT_EVENT_FORM, NULL);
	GPtrArray *fields = igw_thing_get_fields(self->thing);
	event->thing = self->thing;
	for (guint i = 0; i < fields->len; i++) {
		IgwField *field = g_ptr_array_index(fields, i);
		IgwReading *latest;
		if (!igw_field_get_writable(field))
			continue;
		latest = igw_thing_get_latest(self->thing, igw_field_get_name(field));
		if (latest != NULL)
			g_ptr_array_add(event->readings, igw_reading_ref(latest));
	}
	igw_iot_server_send(self->transport, codec, self->profile, stanza, event);
}

static void
igw_iot_server_dispatch(IgwIotServer *self, const IgwIotCodec *codec, xmpp_stanza_t *stanza,
			const IgwIotRequest *request)
{
	switch (request->kind) {
	case IGW_IOT_REQUEST_READ:
		igw_iot_server_read(self, codec, stanza, request);
		break;
	case IGW_IOT_REQUEST_CANCEL:
		igw_iot_server_cancel(self, codec, stanza, request);
		break;
	case IGW_IOT_REQUEST_GET_FORM:
		igw_iot_server_form(self, codec, stanza);
		break;
	case IGW_IOT_REQUEST_SET:
	default:
		igw_iot_server_set(self, codec, stanza, request);
		break;
	}
}

/* nf has one form; urn:xmpp:iot:* is said the way the requester's client parses it */
static IgwIotProfile
igw_iot_server_lookup_profile(IgwIotServer *self, const IgwIotCodec *codec, const gchar *from)
{
	g_autofree gchar *bare = NULL;
	if (codec != igw_iot_codec_xsf() || self->profile_func == NULL || from == NULL ||
	    !g_utf8_validate(from, -1, NULL))
		return IGW_IOT_PROFILE_SLIXMPP;
	bare = g_strndup(from, strcspn(from, "/"));
	return self->profile_func(bare, self->profile_data);
}

static void
igw_iot_server_log_refusal(IgwIotServer *self, const gchar *from)
{
	g_autofree gchar *more = NULL;
	guint suppressed = 0;
	if (!igw_request_limit_may_log_jid(self->log_limit, from, &suppressed))
		return;
	more = igw_request_limit_format_suppressed(suppressed);
	g_message("thing %s: refused IoT request from %s: not an owner%s",
		  igw_thing_get_id(self->thing), from, more);
}

gboolean
igw_iot_server_handle(IgwIotServer *self, xmpp_stanza_t *stanza, gboolean owner)
{
	const IgwIotCodec *codec = igw_iot_codec_find(stanza);
	g_autoptr(IgwIotRequest) request = NULL;
	g_autoptr(GError) error = NULL;
	if (codec == NULL)
		return FALSE;
	/* nobody to answer */
	if (xmpp_stanza_get_from(stanza) == NULL)
		return TRUE;
	self->profile = igw_iot_server_lookup_profile(self, codec, xmpp_stanza_get_from(stanza));
	if (!igw_iot_xml_check_size(igw_iot_xml_payload(stanza, codec->namespaces),
				    self->max_elements, &error)) {
		igw_iot_server_reject(self, codec, stanza, NULL, IGW_IOT_CONDITION_POLICY_VIOLATION,
				      error->message);
		return TRUE;
	}
	request = codec->decode(stanza, &error);
	if (!owner) {
		igw_iot_server_log_refusal(self, xmpp_stanza_get_from(stanza));
		igw_iot_server_reject(self, codec, stanza, request, IGW_IOT_CONDITION_FORBIDDEN,
				      "Access denied.");
		return TRUE;
	}
	if (request == NULL) {
		igw_iot_server_reject(self, codec, stanza, NULL,
				      igw_iot_condition_from_error(error), error->message);
		return TRUE;
	}
	if (igw_iot_server_wants_device(self, request)) {
		igw_iot_server_read_device(self, codec, stanza, g_steal_pointer(&request));
		return TRUE;
	}
	igw_iot_server_dispatch(self, codec, stanza, request);
	return TRUE;
}

void
igw_iot_server_set_control(IgwIotServer *self, IgwControl *control)
{
	g_set_object(&self->control, control);
}

IgwThing *
igw_iot_server_get_thing(IgwIotServer *self)
{
	return self->thing;
}

void
igw_iot_server_set_log_limit(IgwIotServer *self, IgwRequestLimit *log_limit)
{
	self->log_limit = log_limit;
}

void
igw_iot_server_set_max_elements(IgwIotServer *self, guint max_elements)
{
	self->max_elements = max_elements;
}

void
igw_iot_server_set_history_func(IgwIotServer *self, IgwIotHistoryFunc func, gpointer user_data)
{
	self->history_func = func;
	self->history_data = user_data;
}

void
igw_iot_server_set_profile_func(IgwIotServer *self, IgwIotProfileFunc func, gpointer user_data)
{
	self->profile_func = func;
	self->profile_data = user_data;
}

IgwIotServer *
igw_iot_server_new(IgwTransport *transport, IgwPlugin *plugin, IgwThing *thing)
{
	IgwIotServer *self = g_new0(IgwIotServer, 1);
	self->transport = g_object_ref(transport);
	self->plugin = g_object_ref(plugin);
	self->thing = g_object_ref(thing);
	self->max_elements = IGW_REQUEST_LIMIT_ELEMENTS;
	self->readouts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					       (GDestroyNotify)igw_iot_readout_detach);
	return self;
}

void
igw_iot_server_free(IgwIotServer *self)
{
	if (self == NULL)
		return;
	/* cancels every readout in progress; their callbacks only free them */
	g_hash_table_unref(self->readouts);
	g_object_unref(self->transport);
	g_object_unref(self->plugin);
	g_object_unref(self->thing);
	g_clear_object(&self->control);
	g_free(self);
}
