/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestPlugin"
/* for dladdr() */
#define _GNU_SOURCE

#include "config.h"

#include <dlfcn.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include "igw-test.h"

#include "igw-context-private.h"
#include "igw-plugin-private.h"

#define TEST_TIMEOUT_SECONDS 20
/* how long a test waits for a callback before it gives up and fails */
#define TEST_GUARD_SECONDS 5

#define test_assert_ok(ret, error)                                                                 \
	ck_assert_msg((ret), "unexpected error: %s", (error) != NULL ? (error)->message : "(none)")

static void
test_assert_error(const GError *error, gint code, const gchar *message)
{
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(g_error_matches(error, IGW_ERROR, code), "%s (code %d)", error->message,
		      error->code);
	ck_assert_str_eq(error->message, message);
}

/* criticals of the code under test, caught instead of aborting (G_DEBUG=fatal-criticals) */
static GPtrArray *test_criticals = NULL;

static GLogWriterOutput
test_log_writer_cb(GLogLevelFlags log_level, const GLogField *fields, gsize n_fields,
		   gpointer user_data)
{
	if ((log_level & G_LOG_LEVEL_CRITICAL) == 0)
		return g_log_writer_default(log_level, fields, n_fields, user_data);
	for (gsize i = 0; i < n_fields; i++) {
		if (g_strcmp0(fields[i].key, "MESSAGE") == 0)
			g_ptr_array_add(test_criticals, g_strdup(fields[i].value));
	}
	return G_LOG_WRITER_HANDLED;
}

/*
 * only structured criticals (g_critical() in the sources) reach the writer; a
 * g_return_if_fail() still aborts, which is what we want. Can be set once per
 * process, which Check's fork mode gives every test
 */
static void
test_catch_criticals(void)
{
	test_criticals = g_ptr_array_new_with_free_func(g_free);
	g_log_set_writer_func(test_log_writer_cb, NULL, NULL);
}

typedef enum {
	TEST_STARTUP_OK,
	TEST_STARTUP_FAIL,
	TEST_STARTUP_FALSE,
} TestStartup;

typedef enum {
	TEST_CONTROL_ANSWER,
	TEST_CONTROL_FAIL,
	TEST_CONTROL_FALSE,
	TEST_CONTROL_LATE,
	TEST_CONTROL_NEVER,
} TestControlMode;

/* what the fake plugin does, and what was done to it */
typedef struct {
	TestStartup startup;
	TestControlMode control;
	guint late_ms;
	guint startup_calls;
	guint shutdown_calls;
	guint control_calls;
	guint readout_calls;
	GCancellable *cancellable;
	GPtrArray *pending; /* tasks the plugin does not complete until released */
} TestFake;

static void
test_fake_free(TestFake *fake)
{
	g_clear_object(&fake->cancellable);
	g_ptr_array_unref(fake->pending);
	g_free(fake);
}

static TestFake *
test_fake_get(IgwPlugin *plugin)
{
	return igw_plugin_get_data(plugin);
}

/* a plugin that ignored the request finally gives up, so nothing is left behind */
static void
test_fake_release(IgwPlugin *plugin)
{
	TestFake *fake = test_fake_get(plugin);
	g_autoptr(GMainContext) context = g_main_context_ref(g_main_context_default());
	for (guint i = 0; i < fake->pending->len; i++) {
		g_autoptr(GTask) task = g_ptr_array_index(fake->pending, i);
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "given up");
	}
	g_ptr_array_set_size(fake->pending, 0);
	while (g_main_context_iteration(context, FALSE))
		;
}

static gboolean
test_fake_startup(IgwPlugin *plugin, GError **error)
{
	TestFake *fake = test_fake_get(plugin);
	fake->startup_calls++;
	if (fake->startup == TEST_STARTUP_FAIL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no radio");
		return FALSE;
	}
	return fake->startup == TEST_STARTUP_OK;
}

static void
test_fake_shutdown(IgwPlugin *plugin)
{
	test_fake_get(plugin)->shutdown_calls++;
}

static gboolean
test_fake_check_config(IgwPlugin *plugin, GKeyFile *config, GError **error)
{
	if (g_key_file_has_group(config, "plugin fake"))
		return TRUE;
	g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG, "[plugin fake] is missing");
	return FALSE;
}

/* a device with steps of 10 confirms what it could actually set */
static gboolean
test_fake_answer_cb(gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	GVariant *value = g_task_get_task_data(task);
	GVariant *confirmed = value;
	TestFake *fake = test_fake_get(IGW_PLUGIN(g_task_get_source_object(task)));

	if (fake->control == TEST_CONTROL_FAIL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_BUSY, "device busy");
		return G_SOURCE_REMOVE;
	}
	if (fake->control == TEST_CONTROL_FALSE) {
		g_task_return_pointer(task, NULL, NULL);
		return G_SOURCE_REMOVE;
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64))
		confirmed = g_variant_new_int64(g_variant_get_int64(value) / 10 * 10);
	g_task_return_pointer(task, g_variant_ref_sink(confirmed), (GDestroyNotify)g_variant_unref);
	return G_SOURCE_REMOVE;
}

static void
test_fake_control_async(IgwPlugin *plugin, IgwThing *thing, IgwField *field, GVariant *value,
			GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	TestFake *fake = test_fake_get(plugin);
	GTask *task = g_task_new(plugin, cancellable, callback, user_data);

	fake->control_calls++;
	g_set_object(&fake->cancellable, cancellable);
	g_task_set_task_data(task, g_variant_ref(value), (GDestroyNotify)g_variant_unref);
	switch (fake->control) {
	case TEST_CONTROL_NEVER:
		g_ptr_array_add(fake->pending, task);
		break;
	case TEST_CONTROL_LATE:
		g_timeout_add(fake->late_ms, test_fake_answer_cb, task);
		break;
	default:
		g_idle_add(test_fake_answer_cb, task);
		break;
	}
}

static GVariant *
test_fake_control_finish(IgwPlugin *plugin, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static gboolean
test_fake_readout_cb(gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	g_task_return_boolean(task, TRUE);
	return G_SOURCE_REMOVE;
}

/* TEST_CONTROL_ANSWER completes, TEST_CONTROL_NEVER waits to be released */
static void
test_fake_readout_async(IgwPlugin *plugin, IgwThing *thing, GCancellable *cancellable,
			GAsyncReadyCallback callback, gpointer user_data)
{
	TestFake *fake = test_fake_get(plugin);
	GTask *task = g_task_new(plugin, cancellable, callback, user_data);

	fake->readout_calls++;
	g_set_object(&fake->cancellable, cancellable);
	if (fake->control == TEST_CONTROL_NEVER)
		g_ptr_array_add(fake->pending, task);
	else
		g_idle_add(test_fake_readout_cb, task);
}

static gboolean
test_fake_readout_finish(IgwPlugin *plugin, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

static void
test_fake_init(IgwPluginVfuncs *vfuncs)
{
	vfuncs->check_config = test_fake_check_config;
	vfuncs->startup = test_fake_startup;
	vfuncs->shutdown = test_fake_shutdown;
	vfuncs->control_async = test_fake_control_async;
	vfuncs->control_finish = test_fake_control_finish;
	vfuncs->readout_async = test_fake_readout_async;
	vfuncs->readout_finish = test_fake_readout_finish;
}

static void
test_empty_init(IgwPluginVfuncs *vfuncs)
{
}

static IgwPlugin *
test_fake_new(IgwContext *context, TestStartup startup)
{
	IgwPlugin *plugin = igw_plugin_new_builtin("fake", test_fake_init, context);
	TestFake *fake = g_new0(TestFake, 1);
	fake->startup = startup;
	fake->pending = g_ptr_array_new();
	igw_plugin_set_data(plugin, fake, (GDestroyNotify)test_fake_free);
	return plugin;
}

static IgwPlugin *
test_fake_new_running(IgwContext *context)
{
	g_autoptr(IgwPlugin) plugin = test_fake_new(context, TEST_STARTUP_OK);
	g_autoptr(GError) error = NULL;
	gboolean ret = igw_plugin_runner_startup(plugin, &error);
	test_assert_ok(ret, error);
	return g_steal_pointer(&plugin);
}

/* a lamp: writable on and brightness (0..100), read-only temperature */
static IgwThing *
test_lamp_new(void)
{
	IgwThing *thing = igw_thing_new("sim:lamp", "fake");
	g_autoptr(IgwField) on = igw_field_new("on", IGW_FIELD_TYPE_BOOLEAN);
	g_autoptr(IgwField) brightness = igw_field_new("brightness", IGW_FIELD_TYPE_INTEGER);
	g_autoptr(IgwField) temperature = igw_field_new("temperature", IGW_FIELD_TYPE_NUMERIC);

	igw_field_set_writable(on, TRUE);
	igw_field_set_writable(brightness, TRUE);
	igw_field_set_range(brightness, 0, 100);
	igw_field_set_range(temperature, -40, 85);
	igw_thing_add_field(thing, on);
	igw_thing_add_field(thing, brightness);
	igw_thing_add_field(thing, temperature);
	return thing;
}

START_TEST(test_plugin_startup)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new(context, TEST_STARTUP_OK);
	g_autoptr(GError) error = NULL;
	TestFake *fake = test_fake_get(plugin);
	gboolean ret;

	ck_assert_str_eq(igw_plugin_get_name(plugin), "fake");
	ck_assert_ptr_eq(igw_plugin_get_context(plugin), context);
	ck_assert_int_eq(igw_plugin_get_state(plugin), IGW_PLUGIN_STATE_LOADED);
	ret = igw_plugin_runner_startup(plugin, &error);
	test_assert_ok(ret, error);
	ck_assert_int_eq(igw_plugin_get_state(plugin), IGW_PLUGIN_STATE_RUNNING);
	ck_assert_ptr_null(igw_plugin_get_state_reason(plugin));
	ck_assert_uint_eq(fake->startup_calls, 1);

	igw_plugin_runner_shutdown(plugin);
	ck_assert_int_eq(igw_plugin_get_state(plugin), IGW_PLUGIN_STATE_STOPPED);
	ck_assert_uint_eq(fake->shutdown_calls, 1);
	igw_plugin_runner_shutdown(plugin);
	ck_assert_uint_eq(fake->shutdown_calls, 1);
}
END_TEST

START_TEST(test_plugin_startup_empty)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = igw_plugin_new_builtin("empty", test_empty_init, context);
	g_autoptr(GKeyFile) config = g_key_file_new();
	g_autoptr(GError) error = NULL;
	gboolean ret;

	/* every vfunc is optional */
	ret = igw_plugin_runner_check_config(plugin, config, &error);
	test_assert_ok(ret, error);
	ret = igw_plugin_runner_startup(plugin, &error);
	test_assert_ok(ret, error);
	ck_assert_int_eq(igw_plugin_get_state(plugin), IGW_PLUGIN_STATE_RUNNING);
	ret = igw_plugin_runner_reload(plugin, &error);
	test_assert_ok(ret, error);
	igw_plugin_runner_shutdown(plugin);
	ck_assert_int_eq(igw_plugin_get_state(plugin), IGW_PLUGIN_STATE_STOPPED);
}
END_TEST

START_TEST(test_plugin_startup_failure)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new(context, TEST_STARTUP_FAIL);
	g_autoptr(GError) error = NULL;
	TestFake *fake = test_fake_get(plugin);
	gboolean ret;

	ret = igw_plugin_runner_startup(plugin, &error);
	ck_assert(!ret);
	test_assert_error(error, IGW_ERROR_NOT_FOUND, "plugin fake: startup: no radio");
	ck_assert_int_eq(igw_plugin_get_state(plugin), IGW_PLUGIN_STATE_DISABLED);
	ck_assert_ptr_nonnull(strstr(igw_plugin_get_state_reason(plugin), "startup: no radio"));
	g_clear_error(&error);

	/* disabled stays disabled: not started again, not shut down */
	ret = igw_plugin_runner_startup(plugin, &error);
	test_assert_ok(ret, error);
	ck_assert_uint_eq(fake->startup_calls, 1);
	ck_assert_int_eq(igw_plugin_get_state(plugin), IGW_PLUGIN_STATE_DISABLED);
	igw_plugin_runner_shutdown(plugin);
	ck_assert_uint_eq(fake->shutdown_calls, 0);
}
END_TEST

START_TEST(test_plugin_startup_no_error)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new(context, TEST_STARTUP_FALSE);
	g_autoptr(GError) error = NULL;
	gboolean ret;

	test_catch_criticals();
	ret = igw_plugin_runner_startup(plugin, &error);
	ck_assert(!ret);
	test_assert_error(error, IGW_ERROR_INTERNAL,
			  "plugin fake: startup: failed without an error");
	ck_assert_int_eq(igw_plugin_get_state(plugin), IGW_PLUGIN_STATE_DISABLED);
	ck_assert_ptr_nonnull(
	    strstr(igw_plugin_get_state_reason(plugin), "startup: failed without an error"));

	/* the plugin bug is reported once, as a critical */
	ck_assert_uint_eq(test_criticals->len, 1);
	ck_assert_str_eq(g_ptr_array_index(test_criticals, 0),
			 "plugin fake: startup failed without an error");
}
END_TEST

START_TEST(test_plugin_check_config)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new(context, TEST_STARTUP_OK);
	g_autoptr(GKeyFile) config = g_key_file_new();
	g_autoptr(GError) error = NULL;
	gboolean ret;

	ret = igw_plugin_runner_check_config(plugin, config, &error);
	ck_assert(!ret);
	test_assert_error(error, IGW_ERROR_INVALID_CONFIG,
			  "plugin fake: config: [plugin fake] is missing");
	g_clear_error(&error);
	g_key_file_set_string(config, "plugin fake", "key", "value");
	ret = igw_plugin_runner_check_config(plugin, config, &error);
	test_assert_ok(ret, error);
	/* a bad config refuses the config, it does not disable the plugin */
	ck_assert_int_eq(igw_plugin_get_state(plugin), IGW_PLUGIN_STATE_LOADED);
}
END_TEST

typedef struct {
	GMainLoop *loop;
	GVariant *value;
	GError *error;
	guint calls;
} TestControl;

static void
test_control_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	TestControl *control = user_data;
	control->calls++;
	g_clear_pointer(&control->value, g_variant_unref);
	g_clear_error(&control->error);
	control->value =
	    igw_plugin_runner_control_finish(IGW_PLUGIN(source), result, &control->error);
	g_main_loop_quit(control->loop);
}

typedef struct {
	GMainLoop *loop;
	guint id;
} TestGuard;

static gboolean
test_guard_cb(gpointer user_data)
{
	TestGuard *guard = user_data;
	guard->id = 0;
	g_main_loop_quit(guard->loop);
	return G_SOURCE_REMOVE;
}

/* runs the main loop for at most @ms, or until a callback quits it */
static void
test_loop_run(GMainLoop *loop, guint ms)
{
	TestGuard guard = {.loop = loop};
	guard.id = g_timeout_add(ms, test_guard_cb, &guard);
	g_main_loop_run(loop);
	g_clear_handle_id(&guard.id, g_source_remove);
}

/* one control request through the runner; exactly one answer is expected */
static GVariant *
test_control(IgwPlugin *plugin, IgwThing *thing, const gchar *field, GVariant *value,
	     GError **error)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	TestControl control = {.loop = loop};

	igw_plugin_runner_control_async(plugin, thing, field, value, NULL, test_control_cb,
					&control);
	test_loop_run(loop, TEST_GUARD_SECONDS * 1000);
	ck_assert_uint_eq(control.calls, 1);
	ck_assert((control.value == NULL) != (control.error == NULL));
	if (control.error != NULL)
		g_propagate_error(error, control.error);
	return control.value;
}

START_TEST(test_plugin_control_refused)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new(context, TEST_STARTUP_OK);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) value = NULL;
	TestFake *fake = test_fake_get(plugin);

	/* not started yet */
	value = test_control(plugin, thing, "on", g_variant_new_boolean(TRUE), &error);
	test_assert_error(error, IGW_ERROR_NOT_CONNECTED, "plugin fake is not running");
	g_clear_error(&error);

	g_clear_object(&plugin);
	plugin = test_fake_new_running(context);
	fake = test_fake_get(plugin);
	value = test_control(plugin, thing, "colour", g_variant_new_string("red"), &error);
	test_assert_error(error, IGW_ERROR_NOT_FOUND, "no field colour");
	g_clear_error(&error);
	value = test_control(plugin, thing, "temperature", g_variant_new_double(20), &error);
	test_assert_error(error, IGW_ERROR_NOT_SUPPORTED, "temperature is read-only");
	g_clear_error(&error);
	value = test_control(plugin, thing, "brightness", g_variant_new_int64(150), &error);
	test_assert_error(error, IGW_ERROR_INVALID_DATA, "brightness must be between 0 and 100");
	g_clear_error(&error);
	value = test_control(plugin, thing, "brightness", g_variant_new_int64(-1), &error);
	test_assert_error(error, IGW_ERROR_INVALID_DATA, "brightness must be between 0 and 100");
	g_clear_error(&error);
	value = test_control(plugin, thing, "on", g_variant_new_string("on"), &error);
	test_assert_error(error, IGW_ERROR_INVALID_DATA, "on expects a boolean value");
	g_clear_error(&error);

	/* none of these reached the plugin */
	ck_assert_uint_eq(fake->control_calls, 0);
}
END_TEST

START_TEST(test_plugin_control_read_only_plugin)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = igw_plugin_new_builtin("empty", test_empty_init, context);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) value = NULL;
	gboolean ret = igw_plugin_runner_startup(plugin, &error);

	/* a writable field of a plugin that can't write */
	test_assert_ok(ret, error);
	value = test_control(plugin, thing, "on", g_variant_new_boolean(TRUE), &error);
	test_assert_error(error, IGW_ERROR_NOT_SUPPORTED, "on is read-only");
}
END_TEST

START_TEST(test_plugin_control)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new_running(context);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) on = NULL;
	g_autoptr(GVariant) brightness = NULL;
	TestFake *fake = test_fake_get(plugin);

	on = test_control(plugin, thing, "on", g_variant_new_boolean(TRUE), &error);
	test_assert_ok(on != NULL, error);
	ck_assert(g_variant_get_boolean(on));

	/* the confirmed value, not the requested one */
	brightness = test_control(plugin, thing, "brightness", g_variant_new_int64(73), &error);
	test_assert_ok(brightness != NULL, error);
	ck_assert_int_eq(g_variant_get_int64(brightness), 70);
	ck_assert_uint_eq(fake->control_calls, 2);
	ck_assert(!g_cancellable_is_cancelled(fake->cancellable));
}
END_TEST

START_TEST(test_plugin_control_failure)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new_running(context);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) value = NULL;
	TestFake *fake = test_fake_get(plugin);

	fake->control = TEST_CONTROL_FAIL;
	value = test_control(plugin, thing, "on", g_variant_new_boolean(FALSE), &error);
	test_assert_error(error, IGW_ERROR_BUSY, "plugin fake: control: device busy");
	g_clear_error(&error);

	/* the plugin keeps running after a failed write */
	ck_assert_int_eq(igw_plugin_get_state(plugin), IGW_PLUGIN_STATE_RUNNING);

	test_catch_criticals();
	fake->control = TEST_CONTROL_FALSE;
	value = test_control(plugin, thing, "on", g_variant_new_boolean(FALSE), &error);
	test_assert_error(error, IGW_ERROR_INTERNAL,
			  "plugin fake: control: failed without an error");
	ck_assert_uint_eq(test_criticals->len, 1);
	ck_assert_str_eq(g_ptr_array_index(test_criticals, 0),
			 "plugin fake: control failed without an error");
}
END_TEST

START_TEST(test_plugin_control_timeout)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new_running(context);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) value = NULL;
	TestFake *fake = test_fake_get(plugin);
	gint64 start = g_get_monotonic_time();
	gint64 elapsed;

	fake->control = TEST_CONTROL_NEVER;
	igw_plugin_set_timeout(plugin, 50);
	value = test_control(plugin, thing, "on", g_variant_new_boolean(TRUE), &error);
	elapsed = g_get_monotonic_time() - start;
	test_assert_error(error, IGW_ERROR_TIMED_OUT,
			  "plugin fake: no answer from sim:lamp within 50 ms");
	ck_assert_int_ge(elapsed, 50 * 1000);
	ck_assert_int_lt(elapsed, TEST_GUARD_SECONDS * G_USEC_PER_SEC);
	ck_assert_uint_eq(fake->control_calls, 1);
	/* the plugin is told to stop trying */
	ck_assert(g_cancellable_is_cancelled(fake->cancellable));
	test_fake_release(plugin);
}
END_TEST

/* an answer after the timeout must not complete the request a second time */
START_TEST(test_plugin_control_late)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new_running(context);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	TestControl control = {.loop = loop};
	TestFake *fake = test_fake_get(plugin);

	fake->control = TEST_CONTROL_LATE;
	fake->late_ms = 150;
	igw_plugin_set_timeout(plugin, 50);
	igw_plugin_runner_control_async(plugin, thing, "brightness", g_variant_new_int64(40), NULL,
					test_control_cb, &control);
	test_loop_run(loop, TEST_GUARD_SECONDS * 1000);
	ck_assert_uint_eq(control.calls, 1);
	ck_assert(g_error_matches(control.error, IGW_ERROR, IGW_ERROR_TIMED_OUT));

	/* let the late answer arrive, and then some */
	test_loop_run(loop, 400);
	ck_assert_uint_eq(control.calls, 1);
	ck_assert(g_error_matches(control.error, IGW_ERROR, IGW_ERROR_TIMED_OUT));
	ck_assert_ptr_null(control.value);
	g_clear_error(&control.error);
}
END_TEST

typedef struct {
	GMainLoop *loop;
	guint calls;
	gboolean ok;
	GError *error;
} TestReadout;

static void
test_readout_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	TestReadout *readout = user_data;
	readout->calls++;
	g_clear_error(&readout->error);
	readout->ok = igw_plugin_runner_readout_finish(IGW_PLUGIN(source), result, &readout->error);
	g_main_loop_quit(readout->loop);
}

/* one readout through the runner; exactly one answer is expected */
static gboolean
test_readout(IgwPlugin *plugin, IgwThing *thing, GCancellable *cancellable, GError **error)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	TestReadout readout = {.loop = loop};

	igw_plugin_runner_readout_async(plugin, thing, cancellable, test_readout_cb, &readout);
	test_loop_run(loop, TEST_GUARD_SECONDS * 1000);
	ck_assert_uint_eq(readout.calls, 1);
	ck_assert(readout.ok == (readout.error == NULL));
	if (readout.error != NULL)
		g_propagate_error(error, readout.error);
	return readout.ok;
}

START_TEST(test_plugin_readout)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new_running(context);
	g_autoptr(IgwPlugin) empty = igw_plugin_new_builtin("empty", test_empty_init, context);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(GError) error = NULL;
	TestFake *fake = test_fake_get(plugin);
	gboolean ok;

	/* a thing the plugin cannot read on demand never reaches it */
	ck_assert(!igw_plugin_can_readout(plugin, thing));
	ok = test_readout(plugin, thing, NULL, &error);
	ck_assert(!ok);
	test_assert_error(error, IGW_ERROR_NOT_SUPPORTED,
			  "plugin fake: readout: not supported for sim:lamp");
	g_clear_error(&error);
	ck_assert_uint_eq(fake->readout_calls, 0);

	igw_thing_set_readout_on_demand(thing, TRUE);
	ck_assert(igw_plugin_can_readout(plugin, thing));
	ck_assert(!igw_plugin_can_readout(empty, thing));
	ok = test_readout(plugin, thing, NULL, &error);
	test_assert_ok(ok, error);
	ck_assert_uint_eq(fake->readout_calls, 1);
}
END_TEST

START_TEST(test_plugin_readout_timeout)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new_running(context);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(GError) error = NULL;
	TestFake *fake = test_fake_get(plugin);
	gint64 start = g_get_monotonic_time();
	gboolean ok;

	igw_thing_set_readout_on_demand(thing, TRUE);
	fake->control = TEST_CONTROL_NEVER;
	igw_plugin_set_timeout(plugin, 50);
	ok = test_readout(plugin, thing, NULL, &error);
	ck_assert(!ok);
	test_assert_error(error, IGW_ERROR_TIMED_OUT,
			  "plugin fake: no answer from sim:lamp within 50 ms");
	ck_assert_int_ge(g_get_monotonic_time() - start, 50 * 1000);
	/* the plugin is told to stop trying */
	ck_assert(g_cancellable_is_cancelled(fake->cancellable));
	test_fake_release(plugin);
}
END_TEST

/* the caller's cancellable reaches the plugin: a cancelled XEP-0323 readout */
START_TEST(test_plugin_readout_cancel)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = test_fake_new_running(context);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	TestReadout readout = {.loop = loop};
	TestFake *fake = test_fake_get(plugin);

	igw_thing_set_readout_on_demand(thing, TRUE);
	fake->control = TEST_CONTROL_NEVER;
	igw_plugin_runner_readout_async(plugin, thing, cancellable, test_readout_cb, &readout);
	ck_assert(!g_cancellable_is_cancelled(fake->cancellable));
	g_cancellable_cancel(cancellable);
	ck_assert(g_cancellable_is_cancelled(fake->cancellable));
	/* the plugin gives up: the answer comes once */
	test_fake_release(plugin);
	test_loop_run(loop, 200);
	ck_assert_uint_eq(readout.calls, 1);
	ck_assert(!readout.ok);
	ck_assert_ptr_nonnull(readout.error);
	g_clear_error(&readout.error);
}
END_TEST

static void
test_count_cb(gpointer instance, gpointer arg1, gpointer user_data)
{
	guint *count = user_data;
	(*count)++;
}

static void
test_reading_cb(IgwContext *context, IgwThing *thing, IgwReading *reading, gpointer user_data)
{
	GPtrArray *readings = user_data;
	g_ptr_array_add(readings, igw_reading_ref(reading));
}

START_TEST(test_context_things)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(IgwThing) twin = igw_thing_new("sim:lamp", "other");
	g_autoptr(GPtrArray) things = NULL;
	g_autoptr(GError) error = NULL;
	guint added = 0;
	guint removed = 0;
	gboolean ret;

	g_signal_connect(context, "thing-added", G_CALLBACK(test_count_cb), &added);
	g_signal_connect(context, "thing-removed", G_CALLBACK(test_count_cb), &removed);
	ck_assert_ptr_null(igw_context_lookup_thing(context, "sim:lamp"));
	ret = igw_context_add_thing(context, thing, &error);
	test_assert_ok(ret, error);
	ck_assert_uint_eq(added, 1);
	ck_assert_ptr_eq(igw_context_lookup_thing(context, "sim:lamp"), thing);

	/* the same id twice is refused, and the first one stays */
	ret = igw_context_add_thing(context, twin, &error);
	ck_assert(!ret);
	test_assert_error(error, IGW_ERROR_EXISTS, "thing sim:lamp exists already");
	ck_assert_uint_eq(added, 1);
	ck_assert_ptr_eq(igw_context_lookup_thing(context, "sim:lamp"), thing);
	things = igw_context_get_things(context);
	ck_assert_uint_eq(things->len, 1);

	igw_context_remove_thing(context, "sim:lamp");
	ck_assert_uint_eq(removed, 1);
	ck_assert_ptr_null(igw_context_lookup_thing(context, "sim:lamp"));
	igw_context_remove_thing(context, "sim:lamp");
	ck_assert_uint_eq(removed, 1);
}
END_TEST

static void
test_report(IgwContext *context, const gchar *thing_id, const gchar *field, GVariant *value)
{
	g_autoptr(IgwReading) reading = igw_reading_new(thing_id, field, value, 0);
	igw_context_report_reading(context, reading);
}

START_TEST(test_context_readings)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(GPtrArray) readings =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_reading_unref);
	g_autoptr(GError) error = NULL;
	IgwReading *reading;
	gboolean ret;

	g_signal_connect(context, "reading", G_CALLBACK(test_reading_cb), readings);
	ret = igw_context_add_thing(context, thing, &error);
	test_assert_ok(ret, error);

	/* dropped: unknown thing, unknown field, wrong type */
	test_report(context, "sim:nobody", "temperature", g_variant_new_double(20));
	test_report(context, "sim:lamp", "pressure", g_variant_new_double(1013));
	test_report(context, "sim:lamp", "temperature", g_variant_new_int64(20));
	test_report(context, "sim:lamp", "on", g_variant_new_string("true"));
	ck_assert_uint_eq(readings->len, 0);
	ck_assert_ptr_null(igw_thing_get_latest(thing, "pressure"));
	ck_assert_ptr_null(igw_thing_get_latest(thing, "temperature"));
	ck_assert_ptr_null(igw_thing_get_latest(thing, "on"));

	test_report(context, "sim:lamp", "temperature", g_variant_new_double(21.5));
	ck_assert_uint_eq(readings->len, 1);
	reading = g_ptr_array_index(readings, 0);
	ck_assert_int_eq(igw_reading_get_flags(reading), IGW_READING_FLAG_AUTOMATIC_READOUT);
	ck_assert_ptr_eq(igw_thing_get_latest(thing, "temperature"), reading);

	/* out of the declared range: kept, but flagged */
	test_report(context, "sim:lamp", "temperature", g_variant_new_double(120));
	ck_assert_uint_eq(readings->len, 2);
	reading = g_ptr_array_index(readings, 1);
	ck_assert_int_eq(igw_reading_get_flags(reading),
			 IGW_READING_FLAG_AUTOMATIC_READOUT | IGW_READING_FLAG_WARNING);
	ck_assert_ptr_eq(igw_thing_get_latest(thing, "temperature"), reading);
	ck_assert_double_eq(g_variant_get_double(igw_reading_get_value(reading)), 120);

	/* so is a sensor that reports NaN */
	test_report(context, "sim:lamp", "temperature", g_variant_new_double(NAN));
	ck_assert_uint_eq(readings->len, 3);
	ck_assert(igw_reading_get_flags(g_ptr_array_index(readings, 2)) & IGW_READING_FLAG_WARNING);
}
END_TEST

START_TEST(test_context_reachable)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwThing) thing = test_lamp_new();
	g_autoptr(GError) error = NULL;
	guint changed = 0;
	gboolean ret = igw_context_add_thing(context, thing, &error);

	test_assert_ok(ret, error);
	g_signal_connect(context, "reachable-changed", G_CALLBACK(test_count_cb), &changed);
	igw_context_set_reachable(context, "sim:lamp", FALSE);
	ck_assert_uint_eq(changed, 0);
	igw_context_set_reachable(context, "sim:lamp", TRUE);
	ck_assert_uint_eq(changed, 1);
	ck_assert(igw_thing_get_reachable(thing));
	igw_context_set_reachable(context, "sim:lamp", TRUE);
	ck_assert_uint_eq(changed, 1);
	igw_context_set_reachable(context, "sim:lamp", FALSE);
	ck_assert_uint_eq(changed, 2);
	ck_assert(!igw_thing_get_reachable(thing));
	igw_context_set_reachable(context, "sim:nobody", TRUE);
	ck_assert_uint_eq(changed, 2);
}
END_TEST

/* accepts "key" = "good"; "false" returns FALSE without an error, a plugin bug */
static gboolean
test_secret_check_secret(IgwPlugin *plugin, const gchar *thing_id, const gchar *name,
			 const gchar *value, GError **error)
{
	if (g_strcmp0(name, "false") == 0)
		return FALSE;
	if (g_strcmp0(name, "key") != 0) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "no secret '%s'", name);
		return FALSE;
	}
	if (g_strcmp0(value, "good") != 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "a bad key");
		return FALSE;
	}
	return TRUE;
}

static void
test_secret_init(IgwPluginVfuncs *vfuncs)
{
	vfuncs->check_secret = test_secret_check_secret;
}

/* also before startup: a key may be set before the device is seen */
START_TEST(test_plugin_check_secret)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwPlugin) plugin = igw_plugin_new_builtin("keys", test_secret_init, context);
	g_autoptr(IgwPlugin) empty = igw_plugin_new_builtin("empty", test_empty_init, context);
	g_autoptr(GError) error = NULL;
	gboolean ret;

	test_catch_criticals();
	ret = igw_plugin_runner_check_secret(plugin, "keys:a", "key", "good", &error);
	test_assert_ok(ret, error);
	ret = igw_plugin_runner_check_secret(plugin, "keys:a", "key", "bad", &error);
	ck_assert(!ret);
	test_assert_error(error, IGW_ERROR_INVALID_DATA, "plugin keys: secret: a bad key");
	g_clear_error(&error);
	ret = igw_plugin_runner_check_secret(plugin, "keys:a", "other", "good", &error);
	ck_assert(!ret);
	test_assert_error(error, IGW_ERROR_INVALID_DATA, "plugin keys: secret: no secret 'other'");
	g_clear_error(&error);
	ret = igw_plugin_runner_check_secret(plugin, "keys:a", "false", "good", &error);
	ck_assert(!ret);
	test_assert_error(error, IGW_ERROR_INTERNAL,
			  "plugin keys: secret: failed without an error");
	ck_assert_uint_eq(test_criticals->len, 1);
	g_clear_error(&error);

	/* without the vfunc a plugin keeps no secrets */
	ret = igw_plugin_runner_check_secret(empty, "empty:a", "key", "good", &error);
	ck_assert(!ret);
	test_assert_error(error, IGW_ERROR_NOT_SUPPORTED, "plugin empty keeps no secrets");
}
END_TEST

static void
test_secret_changed_cb(IgwContext *context, const gchar *thing_id, const gchar *name,
		       GPtrArray *changes)
{
	g_ptr_array_add(changes, g_strdup_printf("%s/%s", thing_id, name));
}

static gchar *
test_secret_names(IgwContext *context, const gchar *thing_id)
{
	g_auto(GStrv) names = igw_context_get_thing_secret_names(context, thing_id);
	return g_strjoinv(",", names);
}

/* secrets need no thing; only real changes are signalled */
START_TEST(test_context_secrets)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *names = NULL;

	g_signal_connect(context, "secret-changed", G_CALLBACK(test_secret_changed_cb), changes);
	ck_assert_ptr_null(igw_context_get_thing_secret(context, "sim:a", "token"));
	names = test_secret_names(context, "sim:a");
	ck_assert_str_eq(names, "");
	g_clear_pointer(&names, g_free);

	igw_context_set_thing_secret(context, "sim:a", "token", "one");
	igw_context_set_thing_secret(context, "sim:a", "token", "one");
	igw_context_set_thing_secret(context, "sim:a", "bindkey", "two");
	igw_context_set_thing_secret(context, "sim:b", "token", "three");
	ck_assert_str_eq(igw_context_get_thing_secret(context, "sim:a", "token"), "one");
	ck_assert_str_eq(igw_context_get_thing_secret(context, "sim:b", "token"), "three");
	ck_assert_ptr_null(igw_context_get_thing_secret(context, "sim:b", "bindkey"));
	names = test_secret_names(context, "sim:a");
	ck_assert_str_eq(names, "bindkey,token");
	g_clear_pointer(&names, g_free);
	ck_assert_uint_eq(changes->len, 3);
	ck_assert_str_eq(g_ptr_array_index(changes, 0), "sim:a/token");
	ck_assert_str_eq(g_ptr_array_index(changes, 2), "sim:b/token");

	igw_context_set_thing_secret(context, "sim:a", "token", "changed");
	ck_assert_str_eq(igw_context_get_thing_secret(context, "sim:a", "token"), "changed");
	igw_context_set_thing_secret(context, "sim:a", "token", NULL);
	igw_context_set_thing_secret(context, "sim:a", "token", NULL);
	igw_context_set_thing_secret(context, "sim:nobody", "token", NULL);
	ck_assert_ptr_null(igw_context_get_thing_secret(context, "sim:a", "token"));
	ck_assert_uint_eq(changes->len, 5);
	igw_context_set_thing_secret(context, "sim:a", "bindkey", NULL);
	names = test_secret_names(context, "sim:a");
	ck_assert_str_eq(names, "");
	ck_assert_uint_eq(changes->len, 6);
}
END_TEST

START_TEST(test_context_thing_ids)
{
	g_autoptr(GKeyFile) config = g_key_file_new();
	g_autoptr(GKeyFile) other = g_key_file_new();
	g_autoptr(IgwContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) ids = NULL;
	g_auto(GStrv) none = NULL;
	g_autofree gchar *joined = NULL;
	g_autofree gchar *group = igw_context_get_thing_group("sim:a");
	gboolean ret;

	ret = g_key_file_load_from_data(config,
					"[xmpp]\ndomain=example.org\n"
					"[plugin sim]\nx=1\n"
					"[thing sim:a]\ntype=lamp\n"
					"[thing ble:AA:BB:CC:DD:EE:FF]\n"
					"[thing simx:c]\n"
					"[thing sim:b]\ntype=thermometer\n"
					"[sim:d]\n",
					-1, G_KEY_FILE_NONE, &error);
	test_assert_ok(ret, error);
	context = igw_context_new(config);
	ck_assert_ptr_eq(igw_context_get_config(context), config);
	ck_assert_str_eq(group, "thing sim:a");

	ids = igw_context_get_thing_ids(context, "sim");
	joined = g_strjoinv(",", ids);
	ck_assert_str_eq(joined, "sim:a,sim:b");
	none = igw_context_get_thing_ids(context, "coap");
	ck_assert_uint_eq(g_strv_length(none), 0);

	/* a reload swaps the config */
	igw_context_set_config(context, other);
	g_strfreev(ids);
	ids = igw_context_get_thing_ids(context, "sim");
	ck_assert_uint_eq(g_strv_length(ids), 0);
}
END_TEST

static void
test_assert_name(const gchar *filename, const gchar *expected)
{
	g_autofree gchar *name = igw_plugin_name_from_filename(filename);
	ck_assert_pstr_eq(name, expected);
}

START_TEST(test_plugin_name_from_filename)
{
	test_assert_name("libigw_plugin_sim.so", "sim");
	test_assert_name("/usr/lib/iotgw/plugins/libigw_plugin_ble.so", "ble");
	test_assert_name("libigw_plugin_coap.so.1", "coap");
	test_assert_name("libfoo.so", NULL);
	test_assert_name("libigw_plugin_.so", NULL);
	test_assert_name("libigw_plugin_sim", NULL);
	test_assert_name("/usr/lib/libigw_plugin_sim.so/other.so", NULL);
}
END_TEST

static void
test_assert_module_refused(IgwContext *context, const gchar *path, const gchar *message)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwPlugin) plugin = igw_plugin_new_from_module(path, context, &error);
	ck_assert_ptr_null(plugin);
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED), "%s",
		      error->message);
	/* the path comes first, so the log says which file */
	ck_assert_msg(g_str_has_prefix(error->message, path), "'%s' lacks '%s'", error->message,
		      path);
	ck_assert_msg(strstr(error->message, message) != NULL, "'%s' lacks '%s'", error->message,
		      message);
}

START_TEST(test_plugin_module_errors)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("igw-test-plugin-XXXXXX", &error);
	g_autofree gchar *text = NULL;
	g_autofree gchar *foreign = NULL;
	Dl_info info = {0};
	gboolean ret;

	test_assert_ok(dir != NULL, error);
	test_assert_module_refused(context, "/nonexistent/libigw_plugin_nope.so",
				   "No such file or directory");
	test_assert_module_refused(context, "/dev/null", "not named libigw_plugin_NAME.so");

	/* a text file with the right name */
	text = g_build_filename(dir, "libigw_plugin_text.so", NULL);
	ret = g_file_set_contents(text, "this is not a plugin\n", -1, &error);
	test_assert_ok(ret, error);
	test_assert_module_refused(context, text, "");

	/* a real shared library that is not a plugin: GLib itself */
	ck_assert(dladdr((gpointer)g_free, &info) != 0 && info.dli_fname != NULL);
	foreign = g_build_filename(dir, "libigw_plugin_glib.so", NULL);
	ck_assert_int_eq(symlink(info.dli_fname, foreign), 0);
	test_assert_module_refused(context, foreign, "no ABI version symbols: not an iotgw plugin");

	g_remove(text);
	g_remove(foreign);
	g_rmdir(dir);
}
END_TEST

/* built by tests/meson.build from tests/example-plugin */
static gchar *
test_module_path(const gchar *name)
{
	g_autofree gchar *file = g_strdup_printf("libigw_plugin_%s.so", name);
	return g_build_filename(g_getenv("IGW_TEST_BUILDDIR"), file, NULL);
}

START_TEST(test_plugin_module_abi)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autofree gchar *nextmajor = test_module_path("nextmajor");
	g_autofree gchar *future = test_module_path("future");
	g_autofree gchar *offers =
	    g_strdup_printf("iotgwd offers %u.%u", IGW_PLUGIN_ABI_MAJOR, IGW_PLUGIN_ABI_MINOR);
	g_autofree gchar *major_message =
	    g_strdup_printf("built for plugin ABI %u.0, %s", IGW_PLUGIN_ABI_MAJOR + 1, offers);
	g_autofree gchar *minor_message =
	    g_strdup_printf("built for plugin ABI %u.%u, %s", IGW_PLUGIN_ABI_MAJOR,
			    IGW_PLUGIN_ABI_MINOR + 1, offers);

	/* refused before their init runs (it would be a critical, fatal here) */
	test_assert_module_refused(context, nextmajor, major_message);
	test_assert_module_refused(context, future, minor_message);
}
END_TEST

/* the example plugin as a module: loaded, started, its thing and reading in the context */
START_TEST(test_plugin_module_example)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = test_module_path("example");
	g_autoptr(IgwPlugin) plugin = igw_plugin_new_from_module(path, context, &error);
	IgwThing *thing;
	IgwReading *reading;
	gboolean ret;

	test_assert_ok(plugin != NULL, error);
	ck_assert_str_eq(igw_plugin_get_name(plugin), "example");
	ret = igw_plugin_runner_startup(plugin, &error);
	test_assert_ok(ret, error);
	ck_assert_int_eq(igw_plugin_get_state(plugin), IGW_PLUGIN_STATE_RUNNING);
	ck_assert_str_eq(igw_plugin_get_status(plugin), "one thing, always 42");
	thing = igw_context_lookup_thing(context, "example:answer");
	ck_assert_ptr_nonnull(thing);
	reading = igw_thing_get_latest(thing, "answer");
	ck_assert_ptr_nonnull(reading);
	ck_assert_int_eq(g_variant_get_int64(igw_reading_get_value(reading)), 42);
	igw_plugin_runner_shutdown(plugin);
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
}

static Suite *
test_plugin_suite(void)
{
	Suite *suite = suite_create("plugin");
	test_suite_add(suite, "plugin/startup", test_plugin_startup);
	test_suite_add(suite, "plugin/startup-no-vfuncs", test_plugin_startup_empty);
	test_suite_add(suite, "plugin/startup-failure", test_plugin_startup_failure);
	test_suite_add(suite, "plugin/startup-without-error", test_plugin_startup_no_error);
	test_suite_add(suite, "plugin/check-config", test_plugin_check_config);
	test_suite_add(suite, "plugin/control-refused", test_plugin_control_refused);
	test_suite_add(suite, "plugin/control-no-vfunc", test_plugin_control_read_only_plugin);
	test_suite_add(suite, "plugin/control", test_plugin_control);
	test_suite_add(suite, "plugin/control-failure", test_plugin_control_failure);
	test_suite_add(suite, "plugin/control-timeout", test_plugin_control_timeout);
	test_suite_add(suite, "plugin/control-late-answer", test_plugin_control_late);
	test_suite_add(suite, "plugin/readout", test_plugin_readout);
	test_suite_add(suite, "plugin/readout-timeout", test_plugin_readout_timeout);
	test_suite_add(suite, "plugin/readout-cancel", test_plugin_readout_cancel);
	test_suite_add(suite, "plugin/name-from-filename", test_plugin_name_from_filename);
	test_suite_add(suite, "plugin/module-errors", test_plugin_module_errors);
	test_suite_add(suite, "plugin/module-abi", test_plugin_module_abi);
	test_suite_add(suite, "plugin/module-example", test_plugin_module_example);
	test_suite_add(suite, "context/things", test_context_things);
	test_suite_add(suite, "context/readings", test_context_readings);
	test_suite_add(suite, "context/reachable", test_context_reachable);
	test_suite_add(suite, "context/thing-ids", test_context_thing_ids);
	test_suite_add(suite, "plugin/check-secret", test_plugin_check_secret);
	test_suite_add(suite, "context/secrets", test_context_secrets);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_plugin_suite());
}
