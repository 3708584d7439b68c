/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "igw-iot-request.h"

G_BEGIN_DECLS

/*
 * One request model for both XEP-0326 dialects (XSF urn:xmpp:iot:concentrators
 * and Neuro-Foundation urn:nf:iot:concentrator:1.0): codecs turn stanzas into
 * these and results back into stanzas, so the handler never sees element names.
 */
#define IGW_NS_CONCENTRATOR "urn:xmpp:iot:concentrators"
#define IGW_NS_NF_CONCENTRATOR "urn:nf:iot:concentrator:1.0"
#define IGW_NS_XDATA "jabber:x:data"

typedef enum {
	IGW_CONCENTRATOR_OP_GET_CAPABILITIES,
	IGW_CONCENTRATOR_OP_GET_ALL_DATA_SOURCES,
	IGW_CONCENTRATOR_OP_GET_ROOT_DATA_SOURCES,
	IGW_CONCENTRATOR_OP_GET_CHILD_DATA_SOURCES,
	IGW_CONCENTRATOR_OP_CONTAINS_NODE,
	IGW_CONCENTRATOR_OP_CONTAINS_NODES,
	IGW_CONCENTRATOR_OP_GET_NODE,
	IGW_CONCENTRATOR_OP_GET_NODES,
	IGW_CONCENTRATOR_OP_GET_ALL_NODES,
	IGW_CONCENTRATOR_OP_GET_ROOT_NODES,
	IGW_CONCENTRATOR_OP_GET_CHILD_NODES,
	IGW_CONCENTRATOR_OP_GET_NODE_PARAMETERS_FOR_EDIT,
	IGW_CONCENTRATOR_OP_SET_NODE_PARAMETERS_AFTER_EDIT,
	IGW_CONCENTRATOR_OP_SUBSCRIBE,
	IGW_CONCENTRATOR_OP_UNSUBSCRIBE,
	IGW_CONCENTRATOR_OP_LAST,
} IgwConcentratorOp;

/* the six XEP-0326 node states */
typedef enum {
	IGW_CONCENTRATOR_STATE_NONE,
	IGW_CONCENTRATOR_STATE_INFORMATION,
	IGW_CONCENTRATOR_STATE_WARNING_SIGNED,
	IGW_CONCENTRATOR_STATE_WARNING_UNSIGNED,
	IGW_CONCENTRATOR_STATE_ERROR_SIGNED,
	IGW_CONCENTRATOR_STATE_ERROR_UNSIGNED,
} IgwConcentratorState;

/* node events a subscription can ask for */
#define IGW_CONCENTRATOR_EVENT_ADDED (1u << 0)
#define IGW_CONCENTRATOR_EVENT_UPDATED (1u << 1)
#define IGW_CONCENTRATOR_EVENT_STATUS (1u << 2)
#define IGW_CONCENTRATOR_EVENT_REMOVED (1u << 3)
#define IGW_CONCENTRATOR_EVENT_VALUES (1u << 4)
#define IGW_CONCENTRATOR_EVENT_ALL 0x1fu

typedef struct {
	gchar *node_id;
	gchar *source_id; /* NULL: not given */
} IgwConcentratorNodeRef;

typedef struct {
	IgwConcentratorOp op;
	gchar *requester; /* full JID */
	gchar *source_id; /* data-source operations, NULL: not given */
	GPtrArray *nodes; /* IgwConcentratorNodeRef: the node(s) addressed */
	gboolean parameters;
	gchar *name;  /* set: the submitted display name, NULL: unchanged */
	guint events; /* subscribe, unsubscribe */
} IgwConcentratorRequest;

typedef struct {
	gchar *node_id;
	gchar *source_id;
	gchar *node_type;
	gchar *name;
	IgwConcentratorState state;
	gboolean readable;
	gboolean controllable;
	gint64 last_changed; /* UTC µs, 0: unknown */
	GPtrArray *params;   /* IgwControlParam: displayable parameters (type string/int/...) */
} IgwConcentratorNode;

typedef struct {
	gchar *source_id;
	gchar *name;
	gint64 last_changed;
} IgwConcentratorSource;

typedef enum {
	IGW_CONCENTRATOR_RESULT_OK,	      /* subscribe, unsubscribe */
	IGW_CONCENTRATOR_RESULT_CAPABILITIES, /* strings */
	IGW_CONCENTRATOR_RESULT_SOURCES,      /* sources */
	IGW_CONCENTRATOR_RESULT_BOOLS,	      /* bools, one per node asked for */
	IGW_CONCENTRATOR_RESULT_NODES,	      /* nodes */
	IGW_CONCENTRATOR_RESULT_FORM,	      /* nodes[0]: the node being edited */
	IGW_CONCENTRATOR_RESULT_ERROR,
	/* events, sent as messages */
	IGW_CONCENTRATOR_RESULT_NODE_ADDED,
	IGW_CONCENTRATOR_RESULT_NODE_UPDATED,
	IGW_CONCENTRATOR_RESULT_NODE_STATUS,
	IGW_CONCENTRATOR_RESULT_NODE_REMOVED,
} IgwConcentratorResultKind;

typedef struct {
	IgwConcentratorResultKind kind;
	IgwConcentratorOp op;
	gboolean parameters;
	GStrv strings;
	GPtrArray *sources; /* IgwConcentratorSource */
	GArray *bools;	    /* gboolean */
	GPtrArray *nodes;   /* IgwConcentratorNode */
	IgwIotCondition condition;
	gchar *text;
} IgwConcentratorResult;

const gchar *
igw_concentrator_op_to_string(IgwConcentratorOp op);
IgwConcentratorOp
igw_concentrator_op_from_string(const gchar *name);
const gchar *
igw_concentrator_state_to_string(IgwConcentratorState state);

IgwConcentratorRequest *
igw_concentrator_request_new(IgwConcentratorOp op);
void
igw_concentrator_request_free(IgwConcentratorRequest *self);
void
igw_concentrator_request_add_node(IgwConcentratorRequest *self, const gchar *node_id,
				  const gchar *source_id);

IgwConcentratorNode *
igw_concentrator_node_new(const gchar *node_id, const gchar *source_id);
void
igw_concentrator_node_free(IgwConcentratorNode *self);
void
igw_concentrator_node_add_param(IgwConcentratorNode *self, const gchar *type, const gchar *id,
				const gchar *value);
IgwConcentratorSource *
igw_concentrator_source_new(const gchar *source_id, const gchar *name);
void
igw_concentrator_source_free(IgwConcentratorSource *self);

IgwConcentratorResult *
igw_concentrator_result_new(IgwConcentratorResultKind kind, IgwConcentratorOp op);
void
igw_concentrator_result_free(IgwConcentratorResult *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwConcentratorRequest, igw_concentrator_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwConcentratorNode, igw_concentrator_node_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwConcentratorResult, igw_concentrator_result_free)

G_END_DECLS
