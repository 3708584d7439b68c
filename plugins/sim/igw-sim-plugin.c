/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>
#include <string.h>

#include "iotgw-plugin.h"

/*
 * Simulated things from the config, driven through exactly the plugin API the
 * radios use:
 *
 *   [thing sim:kitchen]
 *   type=thermometer   # temperature, humidity, battery every interval seconds
 *   interval=10
 *   silent_after=0     # stop reporting after this many readings, like a
 *                      # device whose battery died (0: never)
 *   readout_delay_ms=0 # answer momentary readouts with a fresh reading set
 *                      # after this long, like a GATT read (0: no on-demand
 *                      # readout, the latest readings are sent at once)
 *
 *   [thing sim:lamp]
 *   type=lamp          # writable on and brightness
 *
 *   [plugin sim]
 *   discoverable=2     # thermometers sim:found1, sim:found2 that are found
 *                      # rather than configured, like radio devices: offered
 *                      # at start and on every scan, adopted by policy
 *
 * Secrets, a test aid for the core's per-thing secrets (iotgwctl thing ID
 * set-secret): a sim thing knows one, "token", 1 to 64 printable ASCII
 * characters. It is checked and kept, never used.
 */

#define IGW_SIM_DEFAULT_INTERVAL 10
#define IGW_SIM_CONTROL_DELAY_MS 20
#define IGW_SIM_FOUND_INTERVAL 2
#define IGW_SIM_DISCOVERABLE_MAX 100
#define IGW_SIM_READOUT_DELAY_MAX 600000
#define IGW_SIM_TOKEN_MAX 64

typedef enum {
	IGW_SIM_KIND_THERMOMETER,
	IGW_SIM_KIND_LAMP,
} IgwSimKind;

typedef struct {
	IgwPlugin *plugin;
	gchar *id;
	IgwSimKind kind;
	guint interval;
	guint silent_after;
	guint readout_delay_ms;
	guint ticks;
	gboolean found; /* offered, not configured */
	guint timer_id;
	GRand *rand;
	gdouble battery;
	gboolean on;
	gint64 brightness;
} IgwSimThing;

typedef struct {
	GHashTable *things; /* id -> IgwSimThing */
	guint discoverable;
} IgwSimPlugin;

static void
igw_sim_thing_free(IgwSimThing *sim)
{
	g_clear_handle_id(&sim->timer_id, g_source_remove);
	g_rand_free(sim->rand);
	g_free(sim->id);
	g_free(sim);
}

static void
igw_sim_plugin_free(IgwSimPlugin *self)
{
	g_hash_table_unref(self->things);
	g_free(self);
}

static gboolean
igw_sim_parse_kind(const gchar *text, IgwSimKind *kind)
{
	if (g_strcmp0(text, "thermometer") == 0) {
		*kind = IGW_SIM_KIND_THERMOMETER;
		return TRUE;
	}
	if (g_strcmp0(text, "lamp") == 0) {
		*kind = IGW_SIM_KIND_LAMP;
		return TRUE;
	}
	return FALSE;
}

static gboolean
igw_sim_read_uint(GKeyFile *config, const gchar *group, const gchar *key, guint64 min, guint64 max,
		  guint *value, GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(config, group, key, NULL);
	guint64 number = 0;
	if (text == NULL)
		return TRUE;
	if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, min, max, &number, NULL)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "[%s] %s: expected a whole number from %u to %u, got '%s'", group, key,
			    (guint)min, (guint)max, text);
		return FALSE;
	}
	*value = (guint)number;
	return TRUE;
}

static gboolean
igw_sim_read_thing_config(GKeyFile *config, const gchar *group, IgwSimKind *kind, guint *interval,
			  GError **error)
{
	g_autofree gchar *type = g_key_file_get_string(config, group, "type", NULL);
	if (type == NULL || !igw_sim_parse_kind(g_strstrip(type), kind)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "[%s] type: expected 'thermometer' or 'lamp', got '%s'", group,
			    type != NULL ? type : "(missing)");
		return FALSE;
	}
	*interval = IGW_SIM_DEFAULT_INTERVAL;
	return igw_sim_read_uint(config, group, "interval", 1, 86400, interval, error);
}

static gboolean
igw_sim_check_plugin_group(GKeyFile *config, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(config, "plugin sim", NULL, NULL);
	guint discoverable = 0;
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (g_strcmp0(keys[i], "discoverable") != 0) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
				    "[plugin sim] %s: unknown key; expected discoverable", keys[i]);
			return FALSE;
		}
	}
	return igw_sim_read_uint(config, "plugin sim", "discoverable", 0, IGW_SIM_DISCOVERABLE_MAX,
				 &discoverable, error);
}

static gboolean
igw_sim_check_config(IgwPlugin *plugin, GKeyFile *config, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(config, NULL);
	if (!igw_sim_check_plugin_group(config, error))
		return FALSE;
	for (guint i = 0; groups[i] != NULL; i++) {
		IgwSimKind kind;
		guint interval;
		guint silent_after = 0;
		guint readout_delay_ms = 0;
		if (!g_str_has_prefix(groups[i], "thing sim:"))
			continue;
		if (!igw_sim_read_thing_config(config, groups[i], &kind, &interval, error) ||
		    !igw_sim_read_uint(config, groups[i], "silent_after", 0, G_MAXUINT32,
				       &silent_after, error) ||
		    !igw_sim_read_uint(config, groups[i], "readout_delay_ms", 0,
				       IGW_SIM_READOUT_DELAY_MAX, &readout_delay_ms, error))
			return FALSE;
	}
	return TRUE;
}

static IgwField *
igw_sim_new_field(const gchar *name, IgwFieldType type, const gchar *unit, guint decimals)
{
	IgwField *field = igw_field_new(name, type);
	igw_field_set_unit(field, unit);
	igw_field_set_decimals(field, decimals);
	return field;
}

static void
igw_sim_add_thermometer_fields(IgwThing *thing)
{
	g_autoptr(IgwField) temperature =
	    igw_sim_new_field("temperature", IGW_FIELD_TYPE_NUMERIC, "°C", 1);
	g_autoptr(IgwField) humidity =
	    igw_sim_new_field("humidity", IGW_FIELD_TYPE_NUMERIC, "%", 0);
	g_autoptr(IgwField) battery = igw_sim_new_field("battery", IGW_FIELD_TYPE_INTEGER, "%", 0);
	igw_field_set_range(humidity, 0, 100);
	igw_field_set_range(battery, 0, 100);
	igw_field_set_category(battery, IGW_FIELD_CATEGORY_STATUS);
	igw_thing_add_field(thing, temperature);
	igw_thing_add_field(thing, humidity);
	igw_thing_add_field(thing, battery);
}

static void
igw_sim_add_lamp_fields(IgwThing *thing)
{
	g_autoptr(IgwField) on = igw_sim_new_field("on", IGW_FIELD_TYPE_BOOLEAN, NULL, 0);
	g_autoptr(IgwField) brightness =
	    igw_sim_new_field("brightness", IGW_FIELD_TYPE_INTEGER, "%", 0);
	igw_field_set_writable(on, TRUE);
	igw_field_set_writable(brightness, TRUE);
	igw_field_set_range(brightness, 0, 100);
	igw_field_set_category(on, IGW_FIELD_CATEGORY_STATUS);
	igw_field_set_category(brightness, IGW_FIELD_CATEGORY_STATUS);
	igw_thing_add_field(thing, on);
	igw_thing_add_field(thing, brightness);
}

static void
igw_sim_report(IgwSimThing *sim, const gchar *field, GVariant *value)
{
	g_autoptr(IgwReading) reading = igw_reading_new(sim->id, field, value, 0);
	igw_context_report_reading(igw_plugin_get_context(sim->plugin), reading);
}

/* a slow daily-ish swing plus noise, so that readings look alive */
static void
igw_sim_thermometer_report(IgwSimThing *sim)
{
	gdouble minutes = (gdouble)g_get_real_time() / G_USEC_PER_SEC / 60.0;
	gdouble temperature =
	    21.0 + 2.0 * sin(minutes / 30.0) + g_rand_double_range(sim->rand, -0.2, 0.2);
	gdouble humidity =
	    45.0 + 5.0 * cos(minutes / 45.0) + g_rand_double_range(sim->rand, -1.0, 1.0);
	sim->battery = MAX(sim->battery - 0.01, 5.0);
	igw_sim_report(sim, "temperature", g_variant_new_double(round(temperature * 10) / 10));
	igw_sim_report(sim, "humidity", g_variant_new_double(round(humidity)));
	igw_sim_report(sim, "battery", g_variant_new_int64((gint64)sim->battery));
}

static gboolean
igw_sim_thermometer_tick_cb(gpointer user_data)
{
	IgwSimThing *sim = user_data;
	igw_sim_thermometer_report(sim);
	if (sim->silent_after > 0 && ++sim->ticks >= sim->silent_after) {
		g_info("%s: going silent after %u readings", sim->id, sim->ticks);
		sim->timer_id = 0;
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static IgwThing *
igw_sim_new_thing(IgwSimThing *sim, GKeyFile *config, const gchar *group)
{
	g_autoptr(IgwThing) thing = igw_thing_new(sim->id, "sim");
	g_autofree gchar *name = g_key_file_get_string(config, group, "name", NULL);
	gboolean thermometer = sim->kind == IGW_SIM_KIND_THERMOMETER;
	igw_thing_set_name(thing, name != NULL ? name : sim->id);
	igw_thing_set_manufacturer(thing, "iotgw");
	igw_thing_set_model(thing, thermometer ? "Simulated thermometer" : "Simulated lamp");
	igw_thing_set_serial(thing, sim->id + strlen("sim:"));
	igw_thing_set_firmware(thing, PACKAGE_VERSION);
	if (thermometer) {
		igw_thing_set_report_interval(thing, sim->interval);
		igw_thing_set_readout_on_demand(thing, sim->readout_delay_ms > 0);
		igw_sim_add_thermometer_fields(thing);
	} else {
		igw_sim_add_lamp_fields(thing);
	}
	return g_steal_pointer(&thing);
}

static IgwSimThing *
igw_sim_thing_new(IgwPlugin *plugin, const gchar *id)
{
	IgwSimThing *sim = g_new0(IgwSimThing, 1);
	sim->plugin = plugin;
	sim->id = g_strdup(id);
	sim->rand = g_rand_new();
	sim->battery = 100;
	sim->brightness = 100;
	return sim;
}

/* takes @sim; a found thing is offered, a configured one added */
static gboolean
igw_sim_start(IgwPlugin *plugin, IgwSimThing *sim, IgwThing *thing, GError **error)
{
	IgwSimPlugin *self = igw_plugin_get_data(plugin);
	IgwContext *context = igw_plugin_get_context(plugin);
	const gchar *id = igw_thing_get_id(thing);
	gboolean ok;
	g_hash_table_insert(self->things, g_strdup(id), sim);
	ok = sim->found ? igw_context_offer_thing(context, thing, error)
			: igw_context_add_thing(context, thing, error);
	if (!ok) {
		g_hash_table_remove(self->things, id);
		return FALSE;
	}
	igw_context_set_reachable(context, id, TRUE);
	if (sim->kind == IGW_SIM_KIND_THERMOMETER) {
		if (igw_sim_thermometer_tick_cb(sim) == G_SOURCE_CONTINUE)
			sim->timer_id =
			    g_timeout_add_seconds(sim->interval, igw_sim_thermometer_tick_cb, sim);
	} else {
		igw_sim_report(sim, "on", g_variant_new_boolean(sim->on));
		igw_sim_report(sim, "brightness", g_variant_new_int64(sim->brightness));
	}
	return TRUE;
}

static gboolean
igw_sim_add(IgwPlugin *plugin, const gchar *id, GError **error)
{
	GKeyFile *config = igw_context_get_config(igw_plugin_get_context(plugin));
	g_autofree gchar *group = igw_context_get_thing_group(id);
	g_autoptr(IgwThing) thing = NULL;
	IgwSimThing *sim = igw_sim_thing_new(plugin, id);
	if (!igw_sim_read_thing_config(config, group, &sim->kind, &sim->interval, error) ||
	    !igw_sim_read_uint(config, group, "silent_after", 0, G_MAXUINT32, &sim->silent_after,
			       error) ||
	    !igw_sim_read_uint(config, group, "readout_delay_ms", 0, IGW_SIM_READOUT_DELAY_MAX,
			       &sim->readout_delay_ms, error)) {
		igw_sim_thing_free(sim);
		return FALSE;
	}
	thing = igw_sim_new_thing(sim, config, group);
	return igw_sim_start(plugin, sim, thing, error);
}

/* found again after the administrator forgot it, it starts afresh */
static void
igw_sim_offer_found(IgwPlugin *plugin)
{
	IgwSimPlugin *self = igw_plugin_get_data(plugin);
	IgwContext *context = igw_plugin_get_context(plugin);
	for (guint i = 1; i <= self->discoverable; i++) {
		g_autofree gchar *id = g_strdup_printf("sim:found%u", i);
		g_autofree gchar *name = g_strdup_printf("Found thermometer %u", i);
		g_autoptr(IgwThing) thing = NULL;
		g_autoptr(GError) error = NULL;
		IgwSimThing *sim;
		if (igw_context_lookup_thing(context, id) != NULL)
			continue;
		g_hash_table_remove(self->things, id);
		sim = igw_sim_thing_new(plugin, id);
		sim->found = TRUE;
		sim->kind = IGW_SIM_KIND_THERMOMETER;
		sim->interval = IGW_SIM_FOUND_INTERVAL;
		thing = igw_sim_new_thing(sim, igw_context_get_config(context), "plugin sim");
		igw_thing_set_name(thing, name);
		if (!igw_sim_start(plugin, sim, thing, &error))
			g_warning("%s: %s", id, error->message);
	}
}

static gboolean
igw_sim_set_discovery(IgwPlugin *plugin, gboolean enabled, GError **error)
{
	if (enabled)
		igw_sim_offer_found(plugin);
	return TRUE;
}

static void
igw_sim_remove(IgwPlugin *plugin, const gchar *id)
{
	IgwSimPlugin *self = igw_plugin_get_data(plugin);
	g_hash_table_remove(self->things, id);
	igw_context_remove_thing(igw_plugin_get_context(plugin), id);
}

static gboolean
igw_sim_startup(IgwPlugin *plugin, GError **error)
{
	IgwSimPlugin *self = g_new0(IgwSimPlugin, 1);
	g_auto(GStrv) ids = NULL;
	self->things = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     (GDestroyNotify)igw_sim_thing_free);
	igw_plugin_set_data(plugin, self, (GDestroyNotify)igw_sim_plugin_free);
	if (!igw_sim_read_uint(igw_context_get_config(igw_plugin_get_context(plugin)), "plugin sim",
			       "discoverable", 0, IGW_SIM_DISCOVERABLE_MAX, &self->discoverable,
			       error))
		return FALSE;
	ids = igw_context_get_thing_ids(igw_plugin_get_context(plugin), "sim");
	for (guint i = 0; ids[i] != NULL; i++) {
		if (!igw_sim_add(plugin, ids[i], error))
			return FALSE;
	}
	/* like adverts heard without scanning */
	igw_sim_offer_found(plugin);
	return TRUE;
}

/* things whose group vanished go, new groups come; a changed type is a new thing */
static gboolean
igw_sim_reload(IgwPlugin *plugin, GError **error)
{
	IgwSimPlugin *self = igw_plugin_get_data(plugin);
	IgwContext *context = igw_plugin_get_context(plugin);
	g_auto(GStrv) ids = igw_context_get_thing_ids(context, "sim");
	g_autofree gpointer *known = (gpointer *)g_hash_table_get_keys_as_array(self->things, NULL);
	g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; known[i] != NULL; i++) {
		IgwSimThing *sim = g_hash_table_lookup(self->things, known[i]);
		g_autofree gchar *group = igw_context_get_thing_group(known[i]);
		IgwSimKind kind;
		guint interval;
		if (sim->found)
			continue;
		if (!g_strv_contains((const gchar *const *)ids, known[i]) ||
		    !igw_sim_read_thing_config(igw_context_get_config(context), group, &kind,
					       &interval, NULL) ||
		    kind != sim->kind || interval != sim->interval)
			g_ptr_array_add(stale, g_strdup(known[i]));
	}
	for (guint i = 0; i < stale->len; i++)
		igw_sim_remove(plugin, g_ptr_array_index(stale, i));
	for (guint i = 0; ids[i] != NULL; i++) {
		if (g_hash_table_contains(self->things, ids[i]))
			continue;
		if (!igw_sim_add(plugin, ids[i], error))
			return FALSE;
	}
	return TRUE;
}

static void
igw_sim_shutdown(IgwPlugin *plugin)
{
	IgwSimPlugin *self = igw_plugin_get_data(plugin);
	g_autofree gpointer *ids = (gpointer *)g_hash_table_get_keys_as_array(self->things, NULL);
	g_autoptr(GPtrArray) copy = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; ids[i] != NULL; i++)
		g_ptr_array_add(copy, g_strdup(ids[i]));
	for (guint i = 0; i < copy->len; i++)
		igw_sim_remove(plugin, g_ptr_array_index(copy, i));
}

static gboolean
igw_sim_control_done_cb(gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	IgwPlugin *plugin = g_task_get_source_object(task);
	IgwSimPlugin *self = igw_plugin_get_data(plugin);
	IgwSimThing *sim =
	    g_hash_table_lookup(self->things, g_object_get_data(G_OBJECT(task), "thing"));
	const gchar *field = g_object_get_data(G_OBJECT(task), "field");
	GVariant *value = g_object_get_data(G_OBJECT(task), "value");
	if (sim == NULL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_FOUND, "the lamp is gone");
		g_object_unref(task);
		return G_SOURCE_REMOVE;
	}
	if (g_strcmp0(field, "on") == 0)
		sim->on = g_variant_get_boolean(value);
	else
		sim->brightness = g_variant_get_int64(value);
	g_task_return_pointer(task, g_variant_ref(value), (GDestroyNotify)g_variant_unref);
	g_object_unref(task);
	return G_SOURCE_REMOVE;
}

/* a real radio takes a moment to confirm: so does the simulation */
static void
igw_sim_control_async(IgwPlugin *plugin, IgwThing *thing, IgwField *field, GVariant *value,
		      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(plugin, cancellable, callback, user_data);
	g_object_set_data_full(G_OBJECT(task), "thing", g_strdup(igw_thing_get_id(thing)), g_free);
	g_object_set_data_full(G_OBJECT(task), "field", g_strdup(igw_field_get_name(field)),
			       g_free);
	g_object_set_data_full(G_OBJECT(task), "value", g_variant_ref_sink(value),
			       (GDestroyNotify)g_variant_unref);
	g_timeout_add(IGW_SIM_CONTROL_DELAY_MS, igw_sim_control_done_cb, task);
}

static GVariant *
igw_sim_control_finish(IgwPlugin *plugin, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* one on-demand readout: completes once, after the delay or when cancelled */
typedef struct {
	GTask *task;
	gchar *thing_id;
	GCancellable *cancellable;
	gulong cancelled_id;
	guint timeout_id;
	guint idle_id;
} IgwSimReadout;

static void
igw_sim_readout_complete(IgwSimReadout *readout, GError *error)
{
	GTask *task = readout->task;
	g_clear_handle_id(&readout->timeout_id, g_source_remove);
	g_clear_handle_id(&readout->idle_id, g_source_remove);
	if (readout->cancellable != NULL) {
		g_cancellable_disconnect(readout->cancellable, readout->cancelled_id);
		g_object_unref(readout->cancellable);
	}
	g_free(readout->thing_id);
	g_free(readout);
	if (error != NULL)
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
	g_object_unref(task);
}

static gboolean
igw_sim_readout_done_cb(gpointer user_data)
{
	IgwSimReadout *readout = user_data;
	IgwSimPlugin *self = igw_plugin_get_data(g_task_get_source_object(readout->task));
	IgwSimThing *sim =
	    self != NULL ? g_hash_table_lookup(self->things, readout->thing_id) : NULL;
	readout->timeout_id = 0;
	if (sim == NULL) {
		igw_sim_readout_complete(readout, g_error_new(IGW_ERROR, IGW_ERROR_NOT_FOUND,
							      "%s is gone", readout->thing_id));
		return G_SOURCE_REMOVE;
	}
	igw_sim_thermometer_report(sim);
	igw_sim_readout_complete(readout, NULL);
	return G_SOURCE_REMOVE;
}

static gboolean
igw_sim_readout_cancelled_idle_cb(gpointer user_data)
{
	IgwSimReadout *readout = user_data;
	readout->idle_id = 0;
	igw_sim_readout_complete(readout, g_error_new(IGW_ERROR, IGW_ERROR_TIMED_OUT,
						      "readout of %s stopped", readout->thing_id));
	return G_SOURCE_REMOVE;
}

/* never disconnect from inside the handler: complete from an idle instead */
static void
igw_sim_readout_cancelled_cb(GCancellable *cancellable, IgwSimReadout *readout)
{
	if (readout->idle_id != 0)
		return;
	g_clear_handle_id(&readout->timeout_id, g_source_remove);
	readout->idle_id = g_idle_add(igw_sim_readout_cancelled_idle_cb, readout);
}

/* a thermometer with readout_delay_ms reads itself afresh, as a GATT read would */
static void
igw_sim_readout_async(IgwPlugin *plugin, IgwThing *thing, GCancellable *cancellable,
		      GAsyncReadyCallback callback, gpointer user_data)
{
	IgwSimPlugin *self = igw_plugin_get_data(plugin);
	IgwSimThing *sim = g_hash_table_lookup(self->things, igw_thing_get_id(thing));
	IgwSimReadout *readout;
	GTask *task = g_task_new(plugin, cancellable, callback, user_data);
	if (sim == NULL || sim->kind != IGW_SIM_KIND_THERMOMETER || sim->readout_delay_ms == 0) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
					"%s has no on-demand readout", igw_thing_get_id(thing));
		g_object_unref(task);
		return;
	}
	readout = g_new0(IgwSimReadout, 1);
	readout->task = task;
	readout->thing_id = g_strdup(sim->id);
	readout->timeout_id =
	    g_timeout_add(sim->readout_delay_ms, igw_sim_readout_done_cb, readout);
	if (cancellable != NULL) {
		readout->cancellable = g_object_ref(cancellable);
		readout->cancelled_id = g_cancellable_connect(
		    cancellable, G_CALLBACK(igw_sim_readout_cancelled_cb), readout, NULL);
	}
}

static gboolean
igw_sim_readout_finish(IgwPlugin *plugin, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* never echo the value: it is a secret */
static gboolean
igw_sim_check_secret(IgwPlugin *plugin, const gchar *thing_id, const gchar *name,
		     const gchar *value, GError **error)
{
	gsize len = strlen(value);
	if (g_strcmp0(name, "token") != 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "sim things know only the secret 'token'");
		return FALSE;
	}
	if (len == 0 || len > IGW_SIM_TOKEN_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "a token has 1 to %d characters", IGW_SIM_TOKEN_MAX);
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isprint(value[i])) {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
					    "a token is printable ASCII");
			return FALSE;
		}
	}
	return TRUE;
}

IGW_PLUGIN_DEFINE(sim)
{
	vfuncs->check_config = igw_sim_check_config;
	vfuncs->startup = igw_sim_startup;
	vfuncs->reload = igw_sim_reload;
	vfuncs->shutdown = igw_sim_shutdown;
	vfuncs->control_async = igw_sim_control_async;
	vfuncs->control_finish = igw_sim_control_finish;
	vfuncs->readout_async = igw_sim_readout_async;
	vfuncs->readout_finish = igw_sim_readout_finish;
	vfuncs->set_discovery = igw_sim_set_discovery;
	vfuncs->check_secret = igw_sim_check_secret;
}
