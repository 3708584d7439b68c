/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwIot"

#include "config.h"

#include "igw-iot-request.h"

void
igw_control_param_free(IgwControlParam *param)
{
	if (param == NULL)
		return;
	g_free(param->name);
	g_free(param->type);
	g_free(param->text);
	g_free(param);
}

IgwIotRequest *
igw_iot_request_new(IgwIotRequestKind kind)
{
	IgwIotRequest *self = g_new0(IgwIotRequest, 1);
	self->kind = kind;
	self->params = g_ptr_array_new_with_free_func((GDestroyNotify)igw_control_param_free);
	return self;
}

void
igw_iot_request_free(IgwIotRequest *self)
{
	if (self == NULL)
		return;
	g_free(self->requester);
	g_free(self->seqnr);
	g_strfreev(self->fields);
	g_strfreev(self->nodes);
	g_ptr_array_unref(self->params);
	g_free(self);
}

/*
 * an actuator's current state answers momentary and status readouts alike:
 * XEP-0323 clients read momentary values back to confirm a control
 */
IgwFieldCategory
igw_iot_field_categories(IgwField *field)
{
	IgwFieldCategory category = igw_field_get_category(field);
	if (igw_field_get_writable(field))
		category |= IGW_FIELD_CATEGORY_MOMENTARY | IGW_FIELD_CATEGORY_STATUS;
	return category;
}

/* the category and name filters of a readout */
gboolean
igw_iot_request_wants_field(const IgwIotRequest *self, IgwField *field)
{
	guint categories = self->categories & 0xffu;
	if (categories != 0 && (igw_iot_field_categories(field) & categories) == 0)
		return FALSE;
	return self->fields == NULL ||
	       g_strv_contains((const gchar *const *)self->fields, igw_field_get_name(field));
}

static const gchar *const igw_iot_profiles[] = {"slixmpp", "xsf", "smack", NULL};

const gchar *
igw_iot_profile_to_string(IgwIotProfile profile)
{
	if ((guint)profile >= G_N_ELEMENTS(igw_iot_profiles) - 1)
		return "slixmpp";
	return igw_iot_profiles[profile];
}

gboolean
igw_iot_profile_from_string(const gchar *text, IgwIotProfile *profile)
{
	for (guint i = 0; igw_iot_profiles[i] != NULL; i++) {
		if (g_strcmp0(text, igw_iot_profiles[i]) == 0) {
			*profile = (IgwIotProfile)i;
			return TRUE;
		}
	}
	return FALSE;
}

IgwIotEvent *
igw_iot_event_new(IgwIotEventKind kind, const gchar *seqnr)
{
	IgwIotEvent *self = g_new0(IgwIotEvent, 1);
	self->kind = kind;
	self->seqnr = g_strdup(seqnr);
	self->readings = g_ptr_array_new_with_free_func((GDestroyNotify)igw_reading_unref);
	return self;
}

void
igw_iot_event_free(IgwIotEvent *self)
{
	if (self == NULL)
		return;
	g_free(self->seqnr);
	g_ptr_array_unref(self->readings);
	g_free(self->text);
	g_free(self->param);
	g_free(self);
}
