/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestControl"

#include "config.h"

#include "igw-test.h"

#include "igw-context-private.h"
#include "igw-control.h"
#include "igw-error.h"
#include "igw-thing-private.h"

/*
 * the control service with a fake plugin and no XMPP: every door maps the
 * GError these tests expect, so the reasons here are what people read
 */

#define TEST_TIMEOUT_SECONDS 20
#define TEST_OWNER "alice@example.org"

typedef enum {
	TEST_PLUGIN_CONFIRM, /* confirms what a device with steps of 10 could set */
	TEST_PLUGIN_FAIL,
	TEST_PLUGIN_SILENT, /* never answers: the runner's timeout */
} TestPluginMode;

static TestPluginMode test_plugin_mode = TEST_PLUGIN_CONFIRM;
static guint test_plugin_calls = 0;

static gboolean
test_plugin_answer_cb(gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	GVariant *value = g_task_get_task_data(task);
	if (test_plugin_mode == TEST_PLUGIN_FAIL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_BUSY, "device busy");
		return G_SOURCE_REMOVE;
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64))
		value = g_variant_new_int64(g_variant_get_int64(value) / 10 * 10);
	g_task_return_pointer(task, g_variant_ref_sink(value), (GDestroyNotify)g_variant_unref);
	return G_SOURCE_REMOVE;
}

static void
test_plugin_control_async(IgwPlugin *plugin, IgwThing *thing, IgwField *field, GVariant *value,
			  GCancellable *cancellable, GAsyncReadyCallback callback,
			  gpointer user_data)
{
	GTask *task = g_task_new(plugin, cancellable, callback, user_data);
	test_plugin_calls++;
	g_task_set_task_data(task, g_variant_ref(value), (GDestroyNotify)g_variant_unref);
	/* a silent device keeps the task until the test process ends */
	if (test_plugin_mode != TEST_PLUGIN_SILENT)
		g_idle_add(test_plugin_answer_cb, task);
}

static GVariant *
test_plugin_control_finish(IgwPlugin *plugin, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static gboolean
test_plugin_startup(IgwPlugin *plugin, GError **error)
{
	return TRUE;
}

static void
test_plugin_init(IgwPluginVfuncs *vfuncs)
{
	vfuncs->startup = test_plugin_startup;
	vfuncs->control_async = test_plugin_control_async;
	vfuncs->control_finish = test_plugin_control_finish;
}

static GStrv
test_owners_cb(const gchar *thing_id, gpointer user_data)
{
	const gchar *owners[] = {TEST_OWNER, NULL};
	return g_strdupv((gchar **)owners);
}

static void
test_add_field(IgwThing *thing, const gchar *name, IgwFieldType type, gboolean writable)
{
	g_autoptr(IgwField) field = igw_field_new(name, type);
	igw_field_set_writable(field, writable);
	if (g_strcmp0(name, "brightness") == 0)
		igw_field_set_range(field, 0, 100);
	if (g_strcmp0(name, "level") == 0)
		igw_field_set_range(field, 0, 1);
	if (type == IGW_FIELD_TYPE_ENUM) {
		const gchar *modes[] = {"eco", "boost", NULL};
		igw_field_set_enum_values(field, modes);
	}
	igw_thing_add_field(thing, field);
}

/* fake:lamp is adopted and has a writable field of every type; fake:found is not adopted */
static IgwThing *
test_lamp_new(const gchar *id, gboolean adopted)
{
	IgwThing *thing = igw_thing_new(id, "fake");
	test_add_field(thing, "on", IGW_FIELD_TYPE_BOOLEAN, TRUE);
	test_add_field(thing, "brightness", IGW_FIELD_TYPE_INTEGER, TRUE);
	test_add_field(thing, "level", IGW_FIELD_TYPE_NUMERIC, TRUE);
	test_add_field(thing, "mode", IGW_FIELD_TYPE_ENUM, TRUE);
	test_add_field(thing, "label", IGW_FIELD_TYPE_STRING, TRUE);
	test_add_field(thing, "alarm", IGW_FIELD_TYPE_DATE_TIME, TRUE);
	test_add_field(thing, "period", IGW_FIELD_TYPE_DURATION, TRUE);
	test_add_field(thing, "temperature", IGW_FIELD_TYPE_NUMERIC, FALSE);
	igw_thing_set_adopted(thing, adopted);
	return thing;
}

typedef struct {
	IgwContext *context;
	GPtrArray *plugins;
	IgwControl *control;
	GMainLoop *loop;
	GPtrArray *readings; /* what the context published */
	GVariant *confirmed;
	GError *error;
	guint answers;
} TestFixture;

static void
test_reading_cb(IgwContext *context, IgwThing *thing, IgwReading *reading, TestFixture *fixture)
{
	g_ptr_array_add(fixture->readings, igw_reading_ref(reading));
}

static void
test_fixture_init(TestFixture *fixture)
{
	g_autoptr(IgwPlugin) plugin = NULL;
	g_autoptr(IgwThing) lamp = test_lamp_new("fake:lamp", TRUE);
	g_autoptr(IgwThing) found = test_lamp_new("fake:found", FALSE);
	g_autoptr(GError) error = NULL;
	fixture->context = igw_context_new(NULL);
	fixture->plugins = g_ptr_array_new_with_free_func(g_object_unref);
	fixture->control = igw_control_new(fixture->context, fixture->plugins);
	fixture->loop = g_main_loop_new(NULL, FALSE);
	fixture->readings = g_ptr_array_new_with_free_func((GDestroyNotify)igw_reading_unref);
	igw_control_set_owners_func(fixture->control, test_owners_cb, NULL);
	plugin = igw_plugin_new_builtin("fake", test_plugin_init, fixture->context);
	ck_assert(igw_plugin_runner_startup(plugin, &error));
	igw_plugin_set_timeout(plugin, 100);
	g_ptr_array_add(fixture->plugins, g_steal_pointer(&plugin));
	ck_assert(igw_context_add_thing(fixture->context, lamp, &error));
	ck_assert(igw_context_add_thing(fixture->context, found, &error));
	g_signal_connect(fixture->context, "reading", G_CALLBACK(test_reading_cb), fixture);
	test_plugin_calls = 0;
}

static void
test_fixture_clear(TestFixture *fixture)
{
	g_clear_object(&fixture->control);
	g_ptr_array_unref(fixture->plugins);
	g_ptr_array_unref(fixture->readings);
	g_object_unref(fixture->context);
	g_main_loop_unref(fixture->loop);
	g_clear_pointer(&fixture->confirmed, g_variant_unref);
	g_clear_error(&fixture->error);
}

static void
test_set_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	TestFixture *fixture = user_data;
	fixture->answers++;
	fixture->confirmed = igw_control_set_finish(IGW_CONTROL(source), result, &fixture->error);
	g_main_loop_quit(fixture->loop);
}

/* one request the whole way; exactly one answer, a value or an error */
static void
test_set(TestFixture *fixture, const gchar *requester, IgwControlFlags flags, const gchar *thing_id,
	 const gchar *field, const gchar *text)
{
	g_clear_pointer(&fixture->confirmed, g_variant_unref);
	g_clear_error(&fixture->error);
	fixture->answers = 0;
	igw_control_set_async(fixture->control, requester, flags, thing_id, field, text, NULL,
			      test_set_cb, fixture);
	g_main_loop_run(fixture->loop);
	ck_assert_uint_eq(fixture->answers, 1);
	ck_assert((fixture->confirmed == NULL) != (fixture->error == NULL));
}

typedef struct {
	const gchar *name;
	const gchar *requester;
	IgwControlFlags flags;
	const gchar *thing_id;
	const gchar *field;
	const gchar *text;
	gint code;
	const gchar *message;
} TestRefusal;

/* each refused before the plugin hears of it, with the reason every door shows */
static const TestRefusal test_refusals[] = {
    {"unknown thing", TEST_OWNER, 0, "fake:nope", "on", "true", IGW_ERROR_NOT_FOUND,
     "no thing 'fake:nope'"},
    {"not adopted", TEST_OWNER, 0, "fake:found", "on", "true", IGW_ERROR_NOT_SUPPORTED,
     "fake:found is not adopted"},
    {"unknown field", TEST_OWNER, 0, "fake:lamp", "colour", "red", IGW_ERROR_NOT_FOUND,
     "fake:lamp has no field 'colour'"},
    {"read-only field", TEST_OWNER, 0, "fake:lamp", "temperature", "20", IGW_ERROR_NOT_SUPPORTED,
     "temperature is read-only"},
    {"boolean", TEST_OWNER, 0, "fake:lamp", "on", "maybe", IGW_ERROR_INVALID_DATA,
     "on expects on/off or true/false, not 'maybe'"},
    {"integer", TEST_OWNER, 0, "fake:lamp", "brightness", "4.5", IGW_ERROR_INVALID_DATA,
     "brightness expects a whole number, not '4.5'"},
    {"integer range", TEST_OWNER, 0, "fake:lamp", "brightness", "150", IGW_ERROR_INVALID_DATA,
     "brightness must be between 0 and 100"},
    {"numeric", TEST_OWNER, 0, "fake:lamp", "level", "bright", IGW_ERROR_INVALID_DATA,
     "level expects a number, not 'bright'"},
    {"numeric range", TEST_OWNER, 0, "fake:lamp", "level", "2", IGW_ERROR_INVALID_DATA,
     "level must be between 0 and 1"},
    {"numeric finite", TEST_OWNER, 0, "fake:lamp", "level", "nan", IGW_ERROR_INVALID_DATA,
     "level must be a finite number"},
    {"enum", TEST_OWNER, 0, "fake:lamp", "mode", "turbo", IGW_ERROR_INVALID_DATA,
     "mode must be one of: eco, boost"},
    {"date-time", TEST_OWNER, 0, "fake:lamp", "alarm", "tomorrow", IGW_ERROR_INVALID_DATA,
     "alarm expects an ISO 8601 date and time with zone, not 'tomorrow'"},
    {"duration", TEST_OWNER, 0, "fake:lamp", "period", "5m", IGW_ERROR_INVALID_DATA,
     "period expects a whole number of seconds, not '5m'"},
    {"not utf-8", TEST_OWNER, 0, "fake:lamp", "label", "\xff", IGW_ERROR_INVALID_DATA,
     "value is not UTF-8"},
    {"non-owner", "mallory@example.org/phone", 0, "fake:lamp", "on", "true",
     IGW_ERROR_PERMISSION_DENIED, "only the owners of fake:lamp may control it"},
    {"nobody", NULL, 0, "fake:lamp", "on", "true", IGW_ERROR_PERMISSION_DENIED,
     "only the owners of fake:lamp may control it"},
    /* the administrator skips only the owner check */
    {"administrator, bad value", NULL, IGW_CONTROL_FLAG_ADMINISTRATOR, "fake:lamp", "on", "maybe",
     IGW_ERROR_INVALID_DATA, "on expects on/off or true/false, not 'maybe'"},
};

START_TEST(test_control_refused)
{
	const TestRefusal *row = &test_refusals[_i];
	TestFixture fixture = {0};
	test_fixture_init(&fixture);
	test_set(&fixture, row->requester, row->flags, row->thing_id, row->field, row->text);
	ck_assert_msg(fixture.error != NULL, "%s: accepted", row->name);
	ck_assert_msg(g_error_matches(fixture.error, IGW_ERROR, row->code), "%s: %s (code %d)",
		      row->name, fixture.error->message, fixture.error->code);
	ck_assert_str_eq(fixture.error->message, row->message);
	ck_assert_uint_eq(test_plugin_calls, 0);
	ck_assert_uint_eq(fixture.readings->len, 0);
	test_fixture_clear(&fixture);
}
END_TEST

/* a typed value (XEP-0325 after its wire check, pubsub) gets the text's reasons */
START_TEST(test_control_same_reason)
{
	TestFixture fixture = {0};
	g_autoptr(GError) text_error = NULL;
	g_autoptr(GError) value_error = NULL;
	g_autoptr(GVariant) by_text = NULL;
	g_autoptr(GVariant) by_value = NULL;
	test_fixture_init(&fixture);
	by_text = igw_control_check(fixture.control, TEST_OWNER, 0, "fake:lamp", "brightness",
				    "150", &text_error);
	by_value = igw_control_check_value(fixture.control, TEST_OWNER, 0, "fake:lamp",
					   "brightness", g_variant_new_int64(150), &value_error);
	ck_assert_ptr_null(by_text);
	ck_assert_ptr_null(by_value);
	ck_assert_str_eq(text_error->message, value_error->message);
	ck_assert_int_eq(text_error->code, value_error->code);
	g_clear_error(&value_error);
	by_value = igw_control_check_value(fixture.control, TEST_OWNER, 0, "fake:lamp", "colour",
					   NULL, &value_error);
	ck_assert_str_eq(value_error->message, "fake:lamp has no field 'colour'");
	test_fixture_clear(&fixture);
}
END_TEST

START_TEST(test_control_plugin_failure)
{
	TestFixture fixture = {0};
	test_fixture_init(&fixture);
	test_plugin_mode = TEST_PLUGIN_FAIL;
	test_set(&fixture, TEST_OWNER, 0, "fake:lamp", "on", "true");
	ck_assert(g_error_matches(fixture.error, IGW_ERROR, IGW_ERROR_BUSY));
	ck_assert_uint_eq(test_plugin_calls, 1);
	/* nothing confirmed, nothing published */
	ck_assert_uint_eq(fixture.readings->len, 0);
	test_fixture_clear(&fixture);
}
END_TEST

START_TEST(test_control_plugin_timeout)
{
	TestFixture fixture = {0};
	test_fixture_init(&fixture);
	test_plugin_mode = TEST_PLUGIN_SILENT;
	test_set(&fixture, TEST_OWNER, 0, "fake:lamp", "on", "true");
	ck_assert(g_error_matches(fixture.error, IGW_ERROR, IGW_ERROR_TIMED_OUT));
	ck_assert_str_eq(fixture.error->message,
			 "plugin fake: no answer from fake:lamp within 100 ms");
	ck_assert_uint_eq(fixture.readings->len, 0);
	test_fixture_clear(&fixture);
}
END_TEST

/* the device's word is what is published, not the request's */
START_TEST(test_control_success)
{
	TestFixture fixture = {0};
	IgwThing *lamp;
	IgwReading *latest;
	test_fixture_init(&fixture);
	lamp = igw_context_lookup_thing(fixture.context, "fake:lamp");
	test_set(&fixture, "Alice@Example.org/laptop", 0, "fake:lamp", "brightness", "42");
	ck_assert_int_eq(g_variant_get_int64(fixture.confirmed), 40);
	ck_assert_uint_eq(test_plugin_calls, 1);
	ck_assert_uint_eq(fixture.readings->len, 1);
	latest = igw_thing_get_latest(lamp, "brightness");
	ck_assert_ptr_eq(latest, g_ptr_array_index(fixture.readings, 0));
	ck_assert_int_eq(g_variant_get_int64(igw_reading_get_value(latest)), 40);

	/* the administrator needs no owner entry */
	test_set(&fixture, NULL, IGW_CONTROL_FLAG_ADMINISTRATOR, "fake:lamp", "on", "on");
	ck_assert(g_variant_get_boolean(fixture.confirmed));
	ck_assert_uint_eq(fixture.readings->len, 2);

	/* and may switch a found thing before it is adopted, as iotgwctl always could */
	test_set(&fixture, NULL, IGW_CONTROL_FLAG_ADMINISTRATOR, "fake:found", "on", "on");
	ck_assert_ptr_null(fixture.error);
	ck_assert(g_variant_get_boolean(fixture.confirmed));
	test_fixture_clear(&fixture);
}
END_TEST

static void
test_context_control_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	TestFixture *fixture = user_data;
	fixture->answers++;
	fixture->confirmed =
	    igw_context_control_finish(IGW_CONTEXT(source), result, &fixture->error);
	g_main_loop_quit(fixture->loop);
}

/* a bridge plugin's request through the SDK: the same service, the same reasons */
static void
test_context_control(TestFixture *fixture, IgwContext *context, const gchar *requester,
		     const gchar *field, const gchar *value)
{
	g_clear_pointer(&fixture->confirmed, g_variant_unref);
	g_clear_error(&fixture->error);
	fixture->answers = 0;
	igw_context_control_async(context, requester, "fake:lamp", field, value, NULL,
				  test_context_control_cb, fixture);
	g_main_loop_run(fixture->loop);
	ck_assert_uint_eq(fixture->answers, 1);
	ck_assert((fixture->confirmed == NULL) != (fixture->error == NULL));
}

START_TEST(test_control_from_plugin)
{
	TestFixture fixture = {0};
	g_autoptr(IgwContext) bare = igw_context_new(NULL);
	test_fixture_init(&fixture);
	test_context_control(&fixture, fixture.context, TEST_OWNER, "brightness", "42");
	ck_assert_int_eq(g_variant_get_int64(fixture.confirmed), 40);
	ck_assert_uint_eq(fixture.readings->len, 1);
	test_context_control(&fixture, fixture.context, "mallory@example.org", "on", "true");
	ck_assert(g_error_matches(fixture.error, IGW_ERROR, IGW_ERROR_PERMISSION_DENIED));
	ck_assert_str_eq(fixture.error->message, "only the owners of fake:lamp may control it");
	test_context_control(&fixture, fixture.context, TEST_OWNER, "brightness", "150");
	ck_assert_str_eq(fixture.error->message, "brightness must be between 0 and 100");
	ck_assert_uint_eq(test_plugin_calls, 1);
	/* a context no control service serves */
	test_context_control(&fixture, bare, TEST_OWNER, "on", "true");
	ck_assert(g_error_matches(fixture.error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED));
	test_fixture_clear(&fixture);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("control");
	TCase *tc = tcase_create("control/refused");
	tcase_set_timeout(tc, TEST_TIMEOUT_SECONDS);
	tcase_add_loop_test(tc, test_control_refused, 0, G_N_ELEMENTS(test_refusals));
	suite_add_tcase(suite, tc);
	igw_test_add(suite, "control/same-reason", test_control_same_reason, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "control/plugin-failure", test_control_plugin_failure,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "control/plugin-timeout", test_control_plugin_timeout,
		     TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "control/success", test_control_success, TEST_TIMEOUT_SECONDS);
	igw_test_add(suite, "control/from-a-plugin", test_control_from_plugin,
		     TEST_TIMEOUT_SECONDS);
	return igw_test_run(suite);
}
