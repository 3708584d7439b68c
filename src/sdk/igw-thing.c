/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwModel"

#include "config.h"

#include <string.h>

#include "igw-error.h"
#include "igw-string-private.h"
#include "igw-thing-private.h"

#define IGW_THING_ID_MAX 255

struct _IgwThing {
	GObject parent_instance;
	gchar *id;
	gchar *plugin_name;
	gchar *name;
	gchar *manufacturer;
	gchar *model;
	gchar *serial;
	gchar *firmware;
	guint report_interval;
	GPtrArray *fields;  /* of IgwField, in the order the plugin declared them */
	GHashTable *latest; /* field name -> IgwReading */
	gint64 last_reading_time;
	IgwAvailability availability;
	gboolean supported;
	gboolean adopted;
	gboolean readout_on_demand;
};

G_DEFINE_TYPE(IgwThing, igw_thing, G_TYPE_OBJECT)

enum { PROP_0, PROP_ADOPTED, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_READING, SIGNAL_LAST };
static guint signals[SIGNAL_LAST];

static void
igw_thing_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	IgwThing *self = IGW_THING(object);
	switch (prop_id) {
	case PROP_ADOPTED:
		g_value_set_boolean(value, self->adopted);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void
igw_thing_finalize(GObject *object)
{
	IgwThing *self = IGW_THING(object);
	g_free(self->id);
	g_free(self->plugin_name);
	g_free(self->name);
	g_free(self->manufacturer);
	g_free(self->model);
	g_free(self->serial);
	g_free(self->firmware);
	g_ptr_array_unref(self->fields);
	g_hash_table_unref(self->latest);
	G_OBJECT_CLASS(igw_thing_parent_class)->finalize(object);
}

static void
igw_thing_class_init(IgwThingClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = igw_thing_finalize;
	object_class->get_property = igw_thing_get_property;
	properties[PROP_ADOPTED] = g_param_spec_boolean("adopted", NULL, NULL, FALSE,
							G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
							    G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(object_class, N_PROPS, properties);
	/*
	 * IgwThing::reading: (reading) a reading of this thing that the core
	 * accepted, already its latest; emitted by igw_context_report_reading(),
	 * so a listener hears its own thing and no other. Since: 1.2
	 */
	signals[SIGNAL_READING] =
	    g_signal_new("reading", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, IGW_TYPE_READING);
}

static void
igw_thing_init(IgwThing *self)
{
	self->supported = TRUE;
	self->fields = g_ptr_array_new_with_free_func(g_object_unref);
	self->latest = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     (GDestroyNotify)igw_reading_unref);
}

/*
 * ids look like "ble:AA:BB:CC:DD:EE:FF", "coap:[fd00::2]:5683" or "sim:kitchen":
 * a plugin name, a colon, then printable ASCII without spaces
 */
gboolean
igw_thing_id_is_valid(const gchar *id, GError **error)
{
	const gchar *colon;
	if (id == NULL || *id == '\0' || strlen(id) > IGW_THING_ID_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "thing id must have 1 to %d characters", IGW_THING_ID_MAX);
		return FALSE;
	}
	colon = strchr(id, ':');
	if (colon == NULL || colon == id || colon[1] == '\0') {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "thing id '%s' must look like PLUGIN:ADDRESS", id);
		return FALSE;
	}
	for (const gchar *p = id; *p != '\0'; p++) {
		if (!g_ascii_isgraph(*p)) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "thing id '%s' may only hold printable ASCII without spaces",
				    id);
			return FALSE;
		}
	}
	return TRUE;
}

IgwThing *
igw_thing_new(const gchar *id, const gchar *plugin_name)
{
	IgwThing *self;
	g_return_val_if_fail(igw_thing_id_is_valid(id, NULL), NULL);
	g_return_val_if_fail(plugin_name != NULL, NULL);
	self = g_object_new(IGW_TYPE_THING, NULL);
	self->id = g_strdup(id);
	self->plugin_name = g_strdup(plugin_name);
	self->name = g_strdup(id);
	return self;
}

const gchar *
igw_thing_get_id(IgwThing *self)
{
	g_return_val_if_fail(IGW_IS_THING(self), NULL);
	return self->id;
}

const gchar *
igw_thing_get_plugin_name(IgwThing *self)
{
	g_return_val_if_fail(IGW_IS_THING(self), NULL);
	return self->plugin_name;
}

/*
 * names and descriptions come from radios, CoAP resources and people: none
 * of them may carry a byte that breaks a stream or a terminal
 */
static gchar *
igw_thing_clean_string(const gchar *value)
{
	g_autofree gchar *clean = igw_str_sanitize(value, IGW_STR_THING_MAX, IGW_STR_SANITIZE_NONE);
	if (clean != NULL && g_strcmp0(clean, value) != 0)
		g_debug("dropped control or invalid characters from '%s'", clean);
	return g_steal_pointer(&clean);
}

#define IGW_THING_STRING_PROPERTY(prop)                                                            \
	const gchar *igw_thing_get_##prop(IgwThing *self)                                          \
	{                                                                                          \
		g_return_val_if_fail(IGW_IS_THING(self), NULL);                                    \
		return self->prop;                                                                 \
	}                                                                                          \
	void igw_thing_set_##prop(IgwThing *self, const gchar *value)                              \
	{                                                                                          \
		g_return_if_fail(IGW_IS_THING(self));                                              \
		g_free(self->prop);                                                                \
		self->prop = igw_thing_clean_string(value);                                        \
	}

IGW_THING_STRING_PROPERTY(name)
IGW_THING_STRING_PROPERTY(manufacturer)
IGW_THING_STRING_PROPERTY(model)
IGW_THING_STRING_PROPERTY(serial)
IGW_THING_STRING_PROPERTY(firmware)

guint
igw_thing_get_report_interval(IgwThing *self)
{
	g_return_val_if_fail(IGW_IS_THING(self), 0);
	return self->report_interval;
}

void
igw_thing_set_report_interval(IgwThing *self, guint seconds)
{
	g_return_if_fail(IGW_IS_THING(self));
	self->report_interval = seconds;
}

void
igw_thing_add_field(IgwThing *self, IgwField *field)
{
	g_return_if_fail(IGW_IS_THING(self));
	g_return_if_fail(IGW_IS_FIELD(field));
	g_return_if_fail(igw_thing_get_field(self, igw_field_get_name(field)) == NULL);
	g_ptr_array_add(self->fields, g_object_ref(field));
}

IgwField *
igw_thing_get_field(IgwThing *self, const gchar *name)
{
	g_return_val_if_fail(IGW_IS_THING(self), NULL);
	for (guint i = 0; i < self->fields->len; i++) {
		IgwField *field = g_ptr_array_index(self->fields, i);
		if (g_strcmp0(igw_field_get_name(field), name) == 0)
			return field;
	}
	return NULL;
}

GPtrArray *
igw_thing_get_fields(IgwThing *self)
{
	g_return_val_if_fail(IGW_IS_THING(self), NULL);
	return self->fields;
}

IgwReading *
igw_thing_get_latest(IgwThing *self, const gchar *field)
{
	g_return_val_if_fail(IGW_IS_THING(self), NULL);
	return g_hash_table_lookup(self->latest, field);
}

void
igw_thing_set_latest(IgwThing *self, IgwReading *reading)
{
	g_return_if_fail(IGW_IS_THING(self));
	g_return_if_fail(reading != NULL);
	g_hash_table_replace(self->latest, g_strdup(igw_reading_get_field(reading)),
			     igw_reading_ref(reading));
	self->last_reading_time = MAX(self->last_reading_time, g_get_monotonic_time());
}

gint64
igw_thing_get_last_reading_time(IgwThing *self)
{
	g_return_val_if_fail(IGW_IS_THING(self), 0);
	return self->last_reading_time;
}

const gchar *
igw_availability_to_string(IgwAvailability availability)
{
	switch (availability) {
	case IGW_AVAILABILITY_AVAILABLE:
		return "available";
	case IGW_AVAILABILITY_AWAY:
		return "away";
	case IGW_AVAILABILITY_UNAVAILABLE:
		return "unavailable";
	default:
		return NULL;
	}
}

gboolean
igw_thing_get_reachable(IgwThing *self)
{
	g_return_val_if_fail(IGW_IS_THING(self), FALSE);
	return self->availability != IGW_AVAILABILITY_UNAVAILABLE;
}

void
igw_thing_set_reachable(IgwThing *self, gboolean reachable)
{
	g_return_if_fail(IGW_IS_THING(self));
	self->availability = reachable ? IGW_AVAILABILITY_AVAILABLE : IGW_AVAILABILITY_UNAVAILABLE;
}

IgwAvailability
igw_thing_get_availability(IgwThing *self)
{
	g_return_val_if_fail(IGW_IS_THING(self), IGW_AVAILABILITY_UNAVAILABLE);
	return self->availability;
}

void
igw_thing_set_availability(IgwThing *self, IgwAvailability availability)
{
	g_return_if_fail(IGW_IS_THING(self));
	self->availability = availability;
}

gboolean
igw_thing_get_adopted(IgwThing *self)
{
	g_return_val_if_fail(IGW_IS_THING(self), FALSE);
	return self->adopted;
}

void
igw_thing_set_adopted(IgwThing *self, gboolean adopted)
{
	g_return_if_fail(IGW_IS_THING(self));
	if (self->adopted == adopted)
		return;
	self->adopted = adopted;
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ADOPTED]);
}

gboolean
igw_thing_get_supported(IgwThing *self)
{
	g_return_val_if_fail(IGW_IS_THING(self), FALSE);
	return self->supported;
}

void
igw_thing_set_supported(IgwThing *self, gboolean supported)
{
	g_return_if_fail(IGW_IS_THING(self));
	self->supported = supported;
}

gboolean
igw_thing_get_readout_on_demand(IgwThing *self)
{
	g_return_val_if_fail(IGW_IS_THING(self), FALSE);
	return self->readout_on_demand;
}

void
igw_thing_set_readout_on_demand(IgwThing *self, gboolean on_demand)
{
	g_return_if_fail(IGW_IS_THING(self));
	self->readout_on_demand = on_demand;
}

/* "21.4 °C" for one field, or NULL when nothing was read yet */
gchar *
igw_thing_format_reading(IgwThing *self, const gchar *field_name)
{
	IgwField *field = igw_thing_get_field(self, field_name);
	IgwReading *reading = igw_thing_get_latest(self, field_name);
	g_autofree gchar *value = NULL;
	if (field == NULL || reading == NULL)
		return NULL;
	value = igw_field_format_value(field, igw_reading_get_value(reading));
	if (igw_field_get_unit(field) == NULL)
		return g_steal_pointer(&value);
	return g_strdup_printf("%s %s", value, igw_field_get_unit(field));
}

/* the presence status text: "temperature 21.4 °C, humidity 45 %" */
gchar *
igw_thing_summarize(IgwThing *self)
{
	g_autoptr(GString) summary = g_string_new(NULL);
	g_return_val_if_fail(IGW_IS_THING(self), NULL);
	for (guint i = 0; i < self->fields->len; i++) {
		const gchar *name = igw_field_get_name(g_ptr_array_index(self->fields, i));
		g_autofree gchar *text = igw_thing_format_reading(self, name);
		if (text == NULL)
			continue;
		if (summary->len > 0)
			g_string_append(summary, ", ");
		g_string_append_printf(summary, "%s %s", name, text);
	}
	return g_string_free(g_steal_pointer(&summary), FALSE);
}
