/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwConcentrator"

#include "config.h"

#include "igw-concentrator-request.h"

/* in the order getCapabilities lists them */
static const gchar *const igw_concentrator_ops[] = {
    "getCapabilities",
    "getAllDataSources",
    "getRootDataSources",
    "getChildDataSources",
    "containsNode",
    "containsNodes",
    "getNode",
    "getNodes",
    "getAllNodes",
    "getRootNodes",
    "getChildNodes",
    "getNodeParametersForEdit",
    "setNodeParametersAfterEdit",
    "subscribe",
    "unsubscribe",
};

G_STATIC_ASSERT(G_N_ELEMENTS(igw_concentrator_ops) == IGW_CONCENTRATOR_OP_LAST);

const gchar *
igw_concentrator_op_to_string(IgwConcentratorOp op)
{
	if (op >= IGW_CONCENTRATOR_OP_LAST)
		return NULL;
	return igw_concentrator_ops[op];
}

/* IGW_CONCENTRATOR_OP_LAST: not an operation we implement */
IgwConcentratorOp
igw_concentrator_op_from_string(const gchar *name)
{
	for (guint i = 0; name != NULL && i < IGW_CONCENTRATOR_OP_LAST; i++) {
		if (g_strcmp0(igw_concentrator_ops[i], name) == 0)
			return i;
	}
	return IGW_CONCENTRATOR_OP_LAST;
}

const gchar *
igw_concentrator_state_to_string(IgwConcentratorState state)
{
	const gchar *names[] = {"None",	       "Information",  "WarningSigned", "WarningUnsigned",
				"ErrorSigned", "ErrorUnsigned"};
	if ((guint)state >= G_N_ELEMENTS(names))
		return "None";
	return names[state];
}

static void
igw_concentrator_node_ref_free(IgwConcentratorNodeRef *ref)
{
	g_free(ref->node_id);
	g_free(ref->source_id);
	g_free(ref);
}

IgwConcentratorRequest *
igw_concentrator_request_new(IgwConcentratorOp op)
{
	IgwConcentratorRequest *self = g_new0(IgwConcentratorRequest, 1);
	self->op = op;
	self->nodes =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_concentrator_node_ref_free);
	self->events = IGW_CONCENTRATOR_EVENT_ALL;
	return self;
}

void
igw_concentrator_request_free(IgwConcentratorRequest *self)
{
	if (self == NULL)
		return;
	g_free(self->requester);
	g_free(self->source_id);
	g_ptr_array_unref(self->nodes);
	g_free(self->name);
	g_free(self);
}

void
igw_concentrator_request_add_node(IgwConcentratorRequest *self, const gchar *node_id,
				  const gchar *source_id)
{
	IgwConcentratorNodeRef *ref = g_new0(IgwConcentratorNodeRef, 1);
	ref->node_id = g_strdup(node_id);
	ref->source_id = g_strdup(source_id);
	g_ptr_array_add(self->nodes, ref);
}

IgwConcentratorNode *
igw_concentrator_node_new(const gchar *node_id, const gchar *source_id)
{
	IgwConcentratorNode *self = g_new0(IgwConcentratorNode, 1);
	self->node_id = g_strdup(node_id);
	self->source_id = g_strdup(source_id);
	self->params = g_ptr_array_new_with_free_func((GDestroyNotify)igw_control_param_free);
	return self;
}

void
igw_concentrator_node_free(IgwConcentratorNode *self)
{
	if (self == NULL)
		return;
	g_free(self->node_id);
	g_free(self->source_id);
	g_free(self->node_type);
	g_free(self->name);
	g_ptr_array_unref(self->params);
	g_free(self);
}

/* type: string, int, double, boolean, dateTime as in XEP-0326 parameters */
void
igw_concentrator_node_add_param(IgwConcentratorNode *self, const gchar *type, const gchar *id,
				const gchar *value)
{
	IgwControlParam *param;
	if (value == NULL)
		return;
	param = g_new0(IgwControlParam, 1);
	param->type = g_strdup(type);
	param->name = g_strdup(id);
	param->text = g_strdup(value);
	g_ptr_array_add(self->params, param);
}

IgwConcentratorSource *
igw_concentrator_source_new(const gchar *source_id, const gchar *name)
{
	IgwConcentratorSource *self = g_new0(IgwConcentratorSource, 1);
	self->source_id = g_strdup(source_id);
	self->name = g_strdup(name);
	return self;
}

void
igw_concentrator_source_free(IgwConcentratorSource *self)
{
	if (self == NULL)
		return;
	g_free(self->source_id);
	g_free(self->name);
	g_free(self);
}

IgwConcentratorResult *
igw_concentrator_result_new(IgwConcentratorResultKind kind, IgwConcentratorOp op)
{
	IgwConcentratorResult *self = g_new0(IgwConcentratorResult, 1);
	self->kind = kind;
	self->op = op;
	self->sources =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_concentrator_source_free);
	self->bools = g_array_new(FALSE, TRUE, sizeof(gboolean));
	self->nodes = g_ptr_array_new_with_free_func((GDestroyNotify)igw_concentrator_node_free);
	return self;
}

void
igw_concentrator_result_free(IgwConcentratorResult *self)
{
	if (self == NULL)
		return;
	g_strfreev(self->strings);
	g_ptr_array_unref(self->sources);
	g_array_unref(self->bools);
	g_ptr_array_unref(self->nodes);
	g_free(self->text);
	g_free(self);
}
