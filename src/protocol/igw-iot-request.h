/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "igw-field.h"
#include "igw-reading.h"
#include "igw-thing.h"

G_BEGIN_DECLS

/*
 * One request model for every sensor-data and control dialect: codecs turn
 * stanzas into these and response events back into stanzas, so the handler
 * never sees element names.
 */

/* beyond IgwFieldCategory: the request asks for stored history */
#define IGW_IOT_CATEGORY_HISTORICAL (1u << 8)
#define IGW_IOT_CATEGORY_ALL (0xffu | IGW_IOT_CATEGORY_HISTORICAL)

typedef enum {
	IGW_IOT_REQUEST_READ,
	IGW_IOT_REQUEST_CANCEL,
	IGW_IOT_REQUEST_SET,
	IGW_IOT_REQUEST_GET_FORM, /* XEP-0325 getForm: the writable fields as an XEP-0004 form */
} IgwIotRequestKind;

/*
 * What a peer's client parses, for the urn:xmpp:iot:* dialect; nf has one form.
 * slixmpp: XEP-0323/0325 v0.2 (numeric, timeSpan, <rejected>, responseCode) beside
 * the standard errors; xsf: the last XEP texts (int/long/duration, standard stanza
 * errors only, an empty setResponse); smack: as xsf, but readouts carry only int
 * and boolean fields, which is all Smack's IoT parser keeps.
 */
typedef enum {
	IGW_IOT_PROFILE_SLIXMPP, /* the default */
	IGW_IOT_PROFILE_XSF,
	IGW_IOT_PROFILE_SMACK,
} IgwIotProfile;

typedef struct {
	gchar *name;
	gchar *type; /* the wire type: boolean, color, date, dateTime, double, ... */
	gchar *text; /* the value as sent */
} IgwControlParam;

typedef struct {
	IgwIotRequestKind kind;
	gchar *requester;  /* full JID */
	gchar *seqnr;	   /* read and cancel */
	guint categories;  /* IgwFieldCategory | IGW_IOT_CATEGORY_HISTORICAL */
	GStrv fields;	   /* NULL: every field */
	GStrv nodes;	   /* NULL: the thing itself */
	gint64 from;	   /* UTC µs, 0: open */
	gint64 to;	   /* UTC µs, 0: open */
	gboolean has_when; /* scheduled readout: not supported */
	GPtrArray *params; /* set: IgwControlParam */
	gboolean message;  /* set sent as a message: no reply */
} IgwIotRequest;

typedef enum {
	IGW_IOT_EVENT_ACCEPTED,
	IGW_IOT_EVENT_FIELDS,
	IGW_IOT_EVENT_FAILURE,
	IGW_IOT_EVENT_REJECTED,
	IGW_IOT_EVENT_CANCELLED,
	IGW_IOT_EVENT_SET_OK,
	IGW_IOT_EVENT_SET_ERROR,
	IGW_IOT_EVENT_DONE, /* after the last fields; dialects that mark it on the fields skip it */
	IGW_IOT_EVENT_FORM, /* getForm answer: thing, and the latest readings of its writable fields */
	IGW_IOT_EVENT_STARTED, /* a queued readout began: a message */
} IgwIotEventKind;

/* the stanza error a rejection maps to */
typedef enum {
	IGW_IOT_CONDITION_BAD_REQUEST,
	IGW_IOT_CONDITION_FORBIDDEN,
	IGW_IOT_CONDITION_ITEM_NOT_FOUND,
	IGW_IOT_CONDITION_FEATURE_NOT_IMPLEMENTED,
	IGW_IOT_CONDITION_NOT_ALLOWED,
	IGW_IOT_CONDITION_INTERNAL,
	IGW_IOT_CONDITION_POLICY_VIOLATION, /* beyond the gateway's limits */
} IgwIotCondition;

typedef struct {
	IgwIotEventKind kind;
	gchar *seqnr;
	gboolean queued;     /* accepted */
	gboolean done;	     /* fields, failure */
	IgwThing *thing;     /* fields: node id and field metadata, unowned */
	GPtrArray *readings; /* fields: IgwReading, grouped by timestamp in order */
	IgwIotCondition condition;
	gchar *text;	       /* failure, rejected, set error */
	gchar *param;	       /* set error: the failing parameter, or NULL */
	IgwIotProfile profile; /* how the requester's client wants it said */
} IgwIotEvent;

void
igw_control_param_free(IgwControlParam *param);
IgwIotRequest *
igw_iot_request_new(IgwIotRequestKind kind);
void
igw_iot_request_free(IgwIotRequest *self);
gboolean
igw_iot_request_wants_field(const IgwIotRequest *self, IgwField *field);
IgwFieldCategory
igw_iot_field_categories(IgwField *field);

const gchar *
igw_iot_profile_to_string(IgwIotProfile profile);
gboolean
igw_iot_profile_from_string(const gchar *text, IgwIotProfile *profile);

IgwIotEvent *
igw_iot_event_new(IgwIotEventKind kind, const gchar *seqnr);
void
igw_iot_event_free(IgwIotEvent *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwIotRequest, igw_iot_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwIotEvent, igw_iot_event_free)

G_END_DECLS
