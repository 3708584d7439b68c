/* SPDX-License-Identifier: GPL-2.0-or-later */
/* G_LOG_DOMAIN comes from meson: this program links the plugin's manager */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "igw-test.h"

#include "igw-bluez-manager.h"

/*
 * IgwBluezManager in-process against the integration tests' dbusmock
 * bluetoothd (tests/integration/bluez_mock_template.py): each test case has
 * its own dbus-daemon, mock and temporary directory (testing.md Part B 1.6)
 */

#define TEST_TIMEOUT_SECONDS 30
#define TEST_WAIT_MS 5000
#define TEST_READY_MS 10000
#define TEST_TICK_MS 20
#define TEST_PYTHON "/usr/bin/python3"
#define TEST_DBUS_DAEMON "dbus-daemon"
#define TEST_BLUEZ "org.bluez"
#define TEST_MOCK "org.bluez.Mock"
#define TEST_DBUSMOCK "org.freedesktop.DBus.Mock"
#define TEST_ADAPTER "/org/bluez/hci0"
#define TEST_ADDRESS "A4:C1:38:12:34:56"
#define TEST_DEVICE TEST_ADAPTER "/dev_A4_C1_38_12_34_56"
#define TEST_BTHOME_UUID "0000fcd2-0000-1000-8000-00805f9b34fb"
#define TEST_ACTIVE "hci0: active scan (discovery)"
#define TEST_PASSIVE "hci0: passive scan (advertisement monitor)"
#define TEST_MONITOR_ROOT "/org/iotgw/bluez/monitor"

static const gchar test_bus_conf[] =
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>system</type>\n"
    "  <listen>unix:path=%s/system_bus_socket</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context=\"default\">\n"
    "    <allow user=\"*\"/>\n"
    "    <allow own=\"*\"/>\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow receive_sender=\"*\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "  </policy>\n"
    "</busconfig>\n";

/* BTHome v2: battery 97 %, temperature 25.06 C, humidity 50.55 % */
static const guint8 test_bthome_first[] = {0x40, 0x01, 0x61, 0x02, 0xca, 0x09, 0x03, 0xbf, 0x13};
/* BTHome v2: temperature 25.00 C */
static const guint8 test_bthome_second[] = {0x40, 0x02, 0xc4, 0x09};

typedef struct {
	gchar *path;
	GVariant *changed;
} TestDeviceEvent;

typedef struct {
	gchar *path;
	GBytes *value;
} TestValueEvent;

typedef struct {
	gchar *dir;
	GSubprocess *daemon;
	gchar *address;
	GSubprocess *mock;
	gboolean mock_exited;
	guint mock_starts;
	GDBusConnection *control; /* the test's own client: drives the mock */
	GDBusConnection *bus;	  /* the manager's */
	IgwBluezManager *manager;
	GPtrArray *adapters; /* "path present" / "path gone" */
	GPtrArray *devices;  /* TestDeviceEvent */
	GPtrArray *removed;  /* "path address" */
	GPtrArray *values;   /* TestValueEvent */
	GPtrArray *statuses; /* describe() on each status-changed */
} TestFixture;

typedef gboolean (*TestCondition)(TestFixture *f, gconstpointer data);

static void
test_device_event_free(TestDeviceEvent *event)
{
	g_free(event->path);
	g_variant_unref(event->changed);
	g_free(event);
}

static void
test_value_event_free(TestValueEvent *event)
{
	g_free(event->path);
	g_bytes_unref(event->value);
	g_free(event);
}

/* children follow the test process when Check kills it on a timeout or failure */
static void
test_child_setup(gpointer user_data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

static gboolean
test_wait_expired_cb(gpointer user_data)
{
	gboolean *expired = user_data;
	*expired = TRUE;
	return G_SOURCE_REMOVE;
}

static gboolean
test_wait_tick_cb(gpointer user_data)
{
	return G_SOURCE_CONTINUE;
}

/* iterate the default context until @condition holds or @timeout_ms pass;
 * a short tick re-checks conditions that ask the mock rather than wait
 * for a signal */
static gboolean
test_wait(TestFixture *f, TestCondition condition, gconstpointer data, guint timeout_ms)
{
	gboolean expired = FALSE;
	guint expire_id = g_timeout_add(timeout_ms, test_wait_expired_cb, &expired);
	guint tick_id = g_timeout_add(TEST_TICK_MS, test_wait_tick_cb, NULL);
	gboolean done;
	while (!(done = condition(f, data)) && !expired)
		g_main_context_iteration(NULL, TRUE);
	if (!expired)
		g_source_remove(expire_id);
	g_source_remove(tick_id);
	return done;
}

static GVariant *
test_call_full(TestFixture *f, const gchar *path, const gchar *interface, const gchar *method,
	       GVariant *parameters, gint timeout_ms, GError **error)
{
	return g_dbus_connection_call_sync(f->control, TEST_BLUEZ, path, interface, method,
					   parameters, NULL, G_DBUS_CALL_FLAGS_NONE, timeout_ms,
					   NULL, error);
}

/* a call that must succeed; the reply, or an empty tuple */
static GVariant *
test_call(TestFixture *f, const gchar *path, const gchar *interface, const gchar *method,
	  GVariant *parameters)
{
	g_autoptr(GError) error = NULL;
	GVariant *reply = test_call_full(f, path, interface, method, parameters, 5000, &error);
	if (reply == NULL)
		ck_abort_msg("%s.%s on %s: %s", interface, method, path, error->message);
	return reply;
}

static GVariant *
test_mock(TestFixture *f, const gchar *method, GVariant *parameters)
{
	return test_call(f, "/", TEST_MOCK, method, parameters);
}

static GVariant *
test_get_property(TestFixture *f, const gchar *path, const gchar *interface, const gchar *name)
{
	g_autoptr(GVariant) reply = test_call(f, path, "org.freedesktop.DBus.Properties", "Get",
					      g_variant_new("(ss)", interface, name));
	GVariant *value = NULL;
	g_variant_get(reply, "(v)", &value);
	return value;
}

/* how often the mock object at @path was called with @method */
static guint
test_count_calls(TestFixture *f, const gchar *path, const gchar *method)
{
	g_autoptr(GVariant) reply =
	    test_call(f, path, TEST_DBUSMOCK, "GetMethodCalls", g_variant_new("(s)", method));
	g_autoptr(GVariant) calls = g_variant_get_child_value(reply, 0);
	return (guint)g_variant_n_children(calls);
}

static gchar *
test_read_file(TestFixture *f, const gchar *name)
{
	g_autofree gchar *path = g_build_filename(f->dir, name, NULL);
	gchar *contents = NULL;
	if (!g_file_get_contents(path, &contents, NULL, NULL))
		return g_strdup("");
	return contents;
}

static void
test_mock_exited_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	TestFixture *f = user_data;
	/* a mock stopped earlier may report only after its successor started */
	if (g_subprocess_wait_finish(G_SUBPROCESS(source), result, NULL) &&
	    source == G_OBJECT(f->mock))
		f->mock_exited = TRUE;
}

static gboolean
test_mock_ready(TestFixture *f, gconstpointer data)
{
	g_autoptr(GVariant) reply = NULL;
	if (f->mock_exited)
		return TRUE;
	reply = test_call_full(f, "/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
			       NULL, 1000, NULL);
	return reply != NULL;
}

/* a fresh bluetoothd: python-dbusmock with the project's template;
 * @parameters is the template's JSON (-p) */
static void
test_mock_start(TestFixture *f, const gchar *parameters)
{
	const gchar *srcdir = g_getenv("IGW_TEST_SRCDIR");
	g_autofree gchar *template = NULL;
	g_autofree gchar *log_name = g_strdup_printf("mock-%u.log", f->mock_starts);
	g_autofree gchar *log = g_build_filename(f->dir, log_name, NULL);
	g_autofree gchar *out = g_build_filename(f->dir, "mock.out", NULL);
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time();

	ck_assert_msg(srcdir != NULL, "IGW_TEST_SRCDIR is not set (run through meson test)");
	template = g_build_filename(srcdir, "integration", "bluez_mock_template.py", NULL);
	ck_assert_msg(g_file_test(template, G_FILE_TEST_EXISTS), "no template at %s", template);
	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDERR_MERGE);
	g_subprocess_launcher_setenv(launcher, "DBUS_SYSTEM_BUS_ADDRESS", f->address, TRUE);
	g_subprocess_launcher_setenv(launcher, "PYTHONDONTWRITEBYTECODE", "1", TRUE);
	g_subprocess_launcher_set_stdout_file_path(launcher, out);
	g_subprocess_launcher_set_child_setup(launcher, test_child_setup, NULL, NULL);
	f->mock =
	    g_subprocess_launcher_spawn(launcher, &error, TEST_PYTHON, "-m", "dbusmock", "--system",
					"--template", template, "-p", parameters, "-l", log, NULL);
	ck_assert_msg(f->mock != NULL, "cannot start the mock: %s",
		      error != NULL ? error->message : "");
	f->mock_starts++;
	f->mock_exited = FALSE;
	g_subprocess_wait_async(f->mock, NULL, test_mock_exited_cb, f);
	test_wait(f, test_mock_ready, NULL, TEST_READY_MS);
	if (f->mock_exited || !test_mock_ready(f, NULL)) {
		g_autofree gchar *text = test_read_file(f, "mock.out");
		ck_abort_msg("the dbusmock bluetoothd did not come up:\n%s", text);
	}
	g_print("# mock %u ready after %" G_GINT64_FORMAT " ms\n", f->mock_starts,
		(g_get_monotonic_time() - start) / 1000);
}

/* bluetoothd leaves the bus: stopped by its PID and reaped */
static void
test_mock_stop(TestFixture *f)
{
	if (f->mock == NULL)
		return;
	g_subprocess_force_exit(f->mock);
	(void)g_subprocess_wait(f->mock, NULL, NULL);
	/* the pending wait_async reports into f->mock_exited from an idle */
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_clear_object(&f->mock);
}

static void
test_bus_start(TestFixture *f)
{
	g_autofree gchar *conf_path = g_build_filename(f->dir, "bus.conf", NULL);
	g_autofree gchar *conf = g_strdup_printf(test_bus_conf, f->dir);
	g_autofree gchar *config_arg = g_strconcat("--config-file=", conf_path, NULL);
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GDataInputStream) stdout_stream = NULL;
	g_autoptr(GError) error = NULL;

	ck_assert_msg(g_file_set_contents(conf_path, conf, -1, &error), "bus.conf: %s",
		      error != NULL ? error->message : "");
	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_subprocess_launcher_set_child_setup(launcher, test_child_setup, NULL, NULL);
	f->daemon = g_subprocess_launcher_spawn(launcher, &error, TEST_DBUS_DAEMON, "--nofork",
						"--print-address=1", config_arg, NULL);
	ck_assert_msg(f->daemon != NULL, "cannot start dbus-daemon: %s",
		      error != NULL ? error->message : "");
	stdout_stream = g_data_input_stream_new(g_subprocess_get_stdout_pipe(f->daemon));
	f->address = g_data_input_stream_read_line(stdout_stream, NULL, NULL, &error);
	ck_assert_msg(f->address != NULL && f->address[0] != '\0',
		      "dbus-daemon printed no address");
	f->control = g_dbus_connection_new_for_address_sync(
	    f->address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	ck_assert_msg(f->control != NULL, "cannot connect to %s: %s", f->address,
		      error != NULL ? error->message : "");
}

static TestFixture *
test_fixture_new(const gchar *parameters)
{
	TestFixture *f = g_new0(TestFixture, 1);
	g_autoptr(GError) error = NULL;
	f->dir = g_dir_make_tmp("igw-bluez-manager-XXXXXX", &error);
	ck_assert_msg(f->dir != NULL, "temporary directory: %s",
		      error != NULL ? error->message : "");
	f->adapters = g_ptr_array_new_with_free_func(g_free);
	f->devices = g_ptr_array_new_with_free_func((GDestroyNotify)test_device_event_free);
	f->removed = g_ptr_array_new_with_free_func(g_free);
	f->values = g_ptr_array_new_with_free_func((GDestroyNotify)test_value_event_free);
	f->statuses = g_ptr_array_new_with_free_func(g_free);
	test_bus_start(f);
	if (parameters != NULL)
		test_mock_start(f, parameters);
	return f;
}

static void
test_remove_dir(const gchar *dir)
{
	g_autoptr(GDir) handle = g_dir_open(dir, 0, NULL);
	const gchar *name;
	while (handle != NULL && (name = g_dir_read_name(handle)) != NULL) {
		g_autofree gchar *path = g_build_filename(dir, name, NULL);
		(void)g_unlink(path);
	}
	ck_assert_int_eq(g_rmdir(dir), 0);
}

static void
test_fixture_free(TestFixture *f)
{
	g_clear_object(&f->manager);
	if (f->bus != NULL)
		(void)g_dbus_connection_close_sync(f->bus, NULL, NULL);
	g_clear_object(&f->bus);
	test_mock_stop(f);
	if (f->control != NULL)
		(void)g_dbus_connection_close_sync(f->control, NULL, NULL);
	g_clear_object(&f->control);
	if (f->daemon != NULL) {
		g_subprocess_force_exit(f->daemon);
		(void)g_subprocess_wait(f->daemon, NULL, NULL);
	}
	g_clear_object(&f->daemon);
	/* callbacks of cancelled calls still to come */
	while (g_main_context_iteration(NULL, FALSE))
		;
	test_remove_dir(f->dir);
	g_free(f->dir);
	g_free(f->address);
	g_ptr_array_unref(f->adapters);
	g_ptr_array_unref(f->devices);
	g_ptr_array_unref(f->removed);
	g_ptr_array_unref(f->values);
	g_ptr_array_unref(f->statuses);
	g_free(f);
}

static void
test_adapter_changed_cb(IgwBluezManager *manager, const gchar *path, gboolean present,
			TestFixture *f)
{
	g_ptr_array_add(f->adapters, g_strdup_printf("%s %s", path, present ? "present" : "gone"));
}

static void
test_device_changed_cb(IgwBluezManager *manager, GDBusProxy *device, GVariant *changed,
		       TestFixture *f)
{
	TestDeviceEvent *event = g_new0(TestDeviceEvent, 1);
	event->path = g_strdup(g_dbus_proxy_get_object_path(device));
	event->changed = g_variant_ref(changed);
	g_ptr_array_add(f->devices, event);
}

static void
test_device_removed_cb(IgwBluezManager *manager, const gchar *path, const gchar *address,
		       TestFixture *f)
{
	g_ptr_array_add(f->removed, g_strdup_printf("%s %s", path, address));
}

static void
test_characteristic_value_cb(IgwBluezManager *manager, GDBusProxy *characteristic, GBytes *value,
			     TestFixture *f)
{
	TestValueEvent *event = g_new0(TestValueEvent, 1);
	event->path = g_strdup(g_dbus_proxy_get_object_path(characteristic));
	event->value = g_bytes_ref(value);
	g_ptr_array_add(f->values, event);
}

static void
test_status_changed_cb(IgwBluezManager *manager, TestFixture *f)
{
	g_ptr_array_add(f->statuses, igw_bluez_manager_describe(manager));
}

/* the gateway's side: its own connection to the private bus, never g_bus_get() */
static void
test_manager_start(TestFixture *f, IgwBluezScanMode mode)
{
	g_autoptr(GError) error = NULL;
	f->bus = g_dbus_connection_new_for_address_sync(
	    f->address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	ck_assert_msg(f->bus != NULL, "cannot connect to %s: %s", f->address,
		      error != NULL ? error->message : "");
	f->manager = igw_bluez_manager_new(f->bus, mode, NULL);
	g_signal_connect(f->manager, "adapter-changed", G_CALLBACK(test_adapter_changed_cb), f);
	g_signal_connect(f->manager, "device-changed", G_CALLBACK(test_device_changed_cb), f);
	g_signal_connect(f->manager, "device-removed", G_CALLBACK(test_device_removed_cb), f);
	g_signal_connect(f->manager, "characteristic-value",
			 G_CALLBACK(test_characteristic_value_cb), f);
	g_signal_connect(f->manager, "status-changed", G_CALLBACK(test_status_changed_cb), f);
	igw_bluez_manager_start(f->manager);
}

static gboolean
test_describe_is(TestFixture *f, gconstpointer data)
{
	g_autofree gchar *text = igw_bluez_manager_describe(f->manager);
	return g_strcmp0(text, data) == 0;
}

static void
test_wait_describe(TestFixture *f, const gchar *expected, guint timeout_ms)
{
	if (!test_wait(f, test_describe_is, expected, timeout_ms)) {
		g_autofree gchar *text = igw_bluez_manager_describe(f->manager);
		ck_abort_msg("describe() is \"%s\" after %u ms, expected \"%s\"", text, timeout_ms,
			     expected);
	}
}

static gboolean
test_has_string(GPtrArray *array, const gchar *text)
{
	for (guint i = 0; i < array->len; i++) {
		if (g_strcmp0(g_ptr_array_index(array, i), text) == 0)
			return TRUE;
	}
	return FALSE;
}

static guint
test_count_strings(GPtrArray *array, const gchar *text)
{
	guint n = 0;
	for (guint i = 0; i < array->len; i++) {
		if (g_strcmp0(g_ptr_array_index(array, i), text) == 0)
			n++;
	}
	return n;
}

static gboolean
test_removed_seen(TestFixture *f, gconstpointer data)
{
	return test_has_string(f->removed, data);
}

typedef struct {
	const gchar *text;
	guint count;
} TestCount;

static gboolean
test_adapter_events_reach(TestFixture *f, gconstpointer data)
{
	const TestCount *want = data;
	return test_count_strings(f->adapters, want->text) >= want->count;
}

static void
test_wait_adapter_event(TestFixture *f, const gchar *text, guint count)
{
	TestCount want = {text, count};
	ck_assert_msg(test_wait(f, test_adapter_events_reach, &want, TEST_WAIT_MS),
		      "no %u. \"adapter-changed\" %s (got %u)", count, text,
		      test_count_strings(f->adapters, text));
}

static GVariant *
test_bytes_variant(const guint8 *data, gsize size)
{
	return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, size, 1);
}

/* {uuid: <ay>}, BlueZ's ServiceData */
static GVariant *
test_service_data(const guint8 *data, gsize size)
{
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&builder, "{sv}", TEST_BTHOME_UUID, test_bytes_variant(data, size));
	return g_variant_builder_end(&builder);
}

/* the value ServiceData[TEST_BTHOME_UUID] in a device-changed dict, or NULL */
static GBytes *
test_service_data_bytes(GVariant *changed)
{
	g_autoptr(GVariant) service_data =
	    g_variant_lookup_value(changed, "ServiceData", G_VARIANT_TYPE("a{sv}"));
	g_autoptr(GVariant) value = NULL;
	if (service_data == NULL)
		return NULL;
	value = g_variant_lookup_value(service_data, TEST_BTHOME_UUID, G_VARIANT_TYPE_BYTESTRING);
	return value != NULL ? g_variant_get_data_as_bytes(value) : NULL;
}

static void
test_assert_bytes(GBytes *bytes, const guint8 *data, gsize size)
{
	ck_assert_msg(bytes != NULL, "no bytes");
	ck_assert_uint_eq(g_bytes_get_size(bytes), size);
	ck_assert_mem_eq(g_bytes_get_data(bytes, NULL), data, size);
}

/* the first device-changed event from index @from on for @path with @key */
static TestDeviceEvent *
test_find_device_event(TestFixture *f, guint from, const gchar *path, const gchar *key)
{
	for (guint i = from; i < f->devices->len; i++) {
		TestDeviceEvent *event = g_ptr_array_index(f->devices, i);
		g_autoptr(GVariant) value = g_variant_lookup_value(event->changed, key, NULL);
		if (g_strcmp0(event->path, path) == 0 && value != NULL)
			return event;
	}
	return NULL;
}

typedef struct {
	guint from;
	const gchar *path;
	const gchar *key;
} TestDeviceQuery;

static gboolean
test_device_event_seen(TestFixture *f, gconstpointer data)
{
	const TestDeviceQuery *query = data;
	return test_find_device_event(f, query->from, query->path, query->key) != NULL;
}

static TestDeviceEvent *
test_wait_device_event(TestFixture *f, guint from, const gchar *path, const gchar *key)
{
	TestDeviceQuery query = {from, path, key};
	ck_assert_msg(test_wait(f, test_device_event_seen, &query, TEST_WAIT_MS),
		      "no \"device-changed\" for %s with %s", path, key);
	return test_find_device_event(f, from, path, key);
}

static void
test_add_adapter(TestFixture *f)
{
	g_autoptr(GVariant) reply =
	    test_mock(f, "AddAdapter", g_variant_new("(ss)", "hci0", "iotgw-test"));
	g_autofree gchar *path = NULL;
	g_variant_get(reply, "(o)", &path);
	ck_assert_str_eq(path, TEST_ADAPTER);
}

static gchar *
test_add_device(TestFixture *f)
{
	GVariantBuilder extra;
	g_autoptr(GVariant) reply = NULL;
	gchar *path = NULL;
	g_variant_builder_init(&extra, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&extra, "{sv}", "ServiceData",
			      test_service_data(test_bthome_first, sizeof(test_bthome_first)));
	reply = test_mock(
	    f, "AddLEDevice",
	    g_variant_new("(sssna{sv})", "hci0", TEST_ADDRESS, "ATC_123456", (gint16)-70, &extra));
	g_variant_get(reply, "(o)", &path);
	return path;
}

static gboolean
test_adapter_discovering(TestFixture *f)
{
	g_autoptr(GVariant) value =
	    test_get_property(f, TEST_ADAPTER, "org.bluez.Adapter1", "Discovering");
	return g_variant_get_boolean(value);
}

/* discovery as the manager must set it up: an LE filter with every advert, then StartDiscovery */
static void
test_assert_discovery(TestFixture *f)
{
	g_autoptr(GVariant) reply =
	    test_mock(f, "GetDiscoveryFilter", g_variant_new("(s)", "hci0"));
	g_autoptr(GVariant) filter = g_variant_get_child_value(reply, 0);
	const gchar *transport = NULL;
	gboolean duplicates = FALSE;
	ck_assert_msg(g_variant_lookup(filter, "Transport", "&s", &transport),
		      "no Transport in the filter");
	ck_assert_str_eq(transport, "le");
	ck_assert_msg(g_variant_lookup(filter, "DuplicateData", "b", &duplicates),
		      "no DuplicateData in the filter");
	ck_assert(duplicates);
	ck_assert(test_adapter_discovering(f));
}

START_TEST(test_bluez_manager_adapter_discovery)
{
	TestFixture *f = test_fixture_new("{}");

	/* bluetoothd without adapters, then one is plugged in */
	test_manager_start(f, IGW_BLUEZ_SCAN_ACTIVE);
	test_wait_describe(f, "no Bluetooth adapter", TEST_WAIT_MS);
	ck_assert_uint_eq(f->adapters->len, 0);
	test_add_adapter(f);
	test_wait_adapter_event(f, TEST_ADAPTER " present", 1);
	test_wait_describe(f, TEST_ACTIVE, TEST_WAIT_MS);

	test_assert_discovery(f);
	ck_assert_uint_eq(test_count_calls(f, TEST_ADAPTER, "SetDiscoveryFilter"), 1);
	ck_assert_uint_eq(test_count_calls(f, TEST_ADAPTER, "StartDiscovery"), 1);
	ck_assert_uint_eq(test_count_calls(f, TEST_ADAPTER, "StopDiscovery"), 0);
	ck_assert_uint_eq(f->adapters->len, 1);
	ck_assert(test_has_string(f->statuses, TEST_ACTIVE));
	test_fixture_free(f);
}
END_TEST

START_TEST(test_bluez_manager_device)
{
	TestFixture *f = test_fixture_new("{\"adapters\": [\"hci0\"]}");
	g_autofree gchar *path = NULL;
	g_autoptr(GBytes) bytes = NULL;
	TestDeviceEvent *event;
	GVariantBuilder mfr;
	gint16 rssi = 0;
	const gchar *address = NULL;
	guint mark;

	test_manager_start(f, IGW_BLUEZ_SCAN_ACTIVE);
	test_wait_describe(f, TEST_ACTIVE, TEST_WAIT_MS);

	/* first advertisement: every property, ServiceData among them */
	path = test_add_device(f);
	ck_assert_str_eq(path, TEST_DEVICE);
	event = test_wait_device_event(f, 0, TEST_DEVICE, "ServiceData");
	ck_assert(g_variant_lookup(event->changed, "Address", "&s", &address));
	ck_assert_str_eq(address, TEST_ADDRESS);
	ck_assert(g_variant_lookup(event->changed, "RSSI", "n", &rssi));
	ck_assert_int_eq(rssi, -70);
	bytes = test_service_data_bytes(event->changed);
	test_assert_bytes(bytes, test_bthome_first, sizeof(test_bthome_first));
	g_clear_pointer(&bytes, g_bytes_unref);

	/* a later advertisement: what changed, in one signal */
	mark = f->devices->len;
	g_variant_builder_init(&mfr, G_VARIANT_TYPE("a{qv}"));
	g_variant_unref(test_mock(
	    f, "UpdateAdvertisement",
	    g_variant_new("(on@a{sv}a{qv})", TEST_DEVICE, (gint16)-58,
			  test_service_data(test_bthome_second, sizeof(test_bthome_second)),
			  &mfr)));
	event = test_wait_device_event(f, mark, TEST_DEVICE, "ServiceData");
	ck_assert(g_variant_lookup(event->changed, "RSSI", "n", &rssi));
	ck_assert_int_eq(rssi, -58);
	bytes = test_service_data_bytes(event->changed);
	test_assert_bytes(bytes, test_bthome_second, sizeof(test_bthome_second));
	ck_assert_uint_eq(f->removed->len, 0);

	/* gone from bluetoothd's cache */
	g_variant_unref(test_mock(f, "RemoveLEDevice", g_variant_new("(o)", TEST_DEVICE)));
	ck_assert_msg(test_wait(f, test_removed_seen, TEST_DEVICE " " TEST_ADDRESS, TEST_WAIT_MS),
		      "no \"device-removed\" (path, address)");
	ck_assert_uint_eq(f->removed->len, 1);
	test_fixture_free(f);
}
END_TEST

static gboolean
test_status_seen(TestFixture *f, gconstpointer prefix)
{
	for (guint i = 0; i < f->statuses->len; i++) {
		if (g_str_has_prefix(g_ptr_array_index(f->statuses, i), prefix))
			return TRUE;
	}
	return FALSE;
}

START_TEST(test_bluez_manager_discovery_retry)
{
	TestFixture *f = test_fixture_new("{\"adapters\": [\"hci0\"]}");
	gint64 start;
	gint64 elapsed_ms;

	/* bluetoothd busy with another client's discovery, twice */
	g_variant_unref(test_mock(f, "SetDiscoveryFailures",
				  g_variant_new("(ssu)", "hci0", "org.bluez.Error.InProgress", 2)));
	start = g_get_monotonic_time();
	test_manager_start(f, IGW_BLUEZ_SCAN_ACTIVE);
	/* backoff from 1 s: at most 1 s + 2 s of delays */
	test_wait_describe(f, TEST_ACTIVE, 10000);
	elapsed_ms = (g_get_monotonic_time() - start) / 1000;
	g_print("# discovery running after %" G_GINT64_FORMAT " ms\n", elapsed_ms);

	ck_assert_uint_ge(test_count_calls(f, TEST_ADAPTER, "StartDiscovery"), 3);
	ck_assert(test_status_seen(f, "hci0: StartDiscovery failed (org.bluez.Error.InProgress"));
	/* two delays of at least the backoff floor (100 ms) */
	ck_assert_int_ge(elapsed_ms, 200);
	test_assert_discovery(f);
	test_fixture_free(f);
}
END_TEST

typedef struct {
	const gchar *event;
	const gchar *monitor;
	const gchar *device;
} TestMonitorEvent;

static gboolean
test_monitor_event_seen(TestFixture *f, gconstpointer data)
{
	const TestMonitorEvent *want = data;
	g_autoptr(GVariant) reply = test_mock(f, "GetMonitorEvents", NULL);
	g_autoptr(GVariant) events = g_variant_get_child_value(reply, 0);
	GVariantIter iter;
	const gchar *event;
	const gchar *monitor;
	const gchar *device;
	g_variant_iter_init(&iter, events);
	while (g_variant_iter_next(&iter, "(&s&o&s)", &event, &monitor, &device)) {
		if (g_strcmp0(event, want->event) == 0 && g_strcmp0(monitor, want->monitor) == 0 &&
		    g_strcmp0(device, want->device) == 0)
			return TRUE;
	}
	return FALSE;
}

START_TEST(test_bluez_manager_monitor)
{
	TestFixture *f = test_fixture_new("{\"monitor\": true, \"adapters\": [\"hci0\"]}");
	TestMonitorEvent activate = {"Activate", TEST_MONITOR_ROOT "/0", ""};
	TestMonitorEvent found = {"DeviceFound", TEST_MONITOR_ROOT "/0", TEST_DEVICE};
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) registrations = NULL;
	g_autofree gchar *path = NULL;
	const gchar *adapter = NULL;
	const gchar *sender = NULL;
	const gchar *root = NULL;

	test_manager_start(f, IGW_BLUEZ_SCAN_AUTO);
	test_wait_describe(f, TEST_PASSIVE, TEST_WAIT_MS);

	/* registered from the manager's connection, with the root it exports */
	reply = test_mock(f, "GetMonitorRegistrations", NULL);
	registrations = g_variant_get_child_value(reply, 0);
	ck_assert_uint_eq(g_variant_n_children(registrations), 1);
	g_variant_get_child(registrations, 0, "(&o&s&o)", &adapter, &sender, &root);
	ck_assert_str_eq(adapter, TEST_ADAPTER);
	ck_assert_str_eq(sender, g_dbus_connection_get_unique_name(f->bus));
	ck_assert_str_eq(root, TEST_MONITOR_ROOT);

	/* bluetoothd read the monitor's or_patterns from the exported object */
	ck_assert_msg(test_wait(f, test_monitor_event_seen, &activate, TEST_WAIT_MS),
		      "no Activate");
	path = test_add_device(f);
	ck_assert_msg(test_wait(f, test_monitor_event_seen, &found, TEST_WAIT_MS),
		      "the BTHome pattern did not match (no DeviceFound)");
	(void)test_wait_device_event(f, 0, TEST_DEVICE, "ServiceData");

	ck_assert_uint_eq(test_count_calls(f, TEST_ADAPTER, "StartDiscovery"), 0);
	ck_assert_uint_eq(test_count_calls(f, TEST_ADAPTER, "SetDiscoveryFilter"), 0);
	ck_assert(!test_adapter_discovering(f));
	test_fixture_free(f);
}
END_TEST

/* the adapter unplugged and plugged in again, then bluetoothd gone; the
 * manager is left seeing no adapter under a bluetoothd it has heard of */
static void
test_restart_prepare(TestFixture *f)
{
	test_manager_start(f, IGW_BLUEZ_SCAN_ACTIVE);
	test_wait_adapter_event(f, TEST_ADAPTER " present", 1);
	test_wait_describe(f, TEST_ACTIVE, TEST_WAIT_MS);

	g_variant_unref(test_mock(f, "RemoveAdapter", g_variant_new("(s)", "hci0")));
	test_wait_adapter_event(f, TEST_ADAPTER " gone", 1);
	test_wait_describe(f, "no Bluetooth adapter", TEST_WAIT_MS);
	test_add_adapter(f);
	test_wait_adapter_event(f, TEST_ADAPTER " present", 2);
	test_wait_describe(f, TEST_ACTIVE, TEST_WAIT_MS);
	ck_assert_uint_eq(test_count_calls(f, TEST_ADAPTER, "StartDiscovery"), 1);

	/* bluetoothd stops: its adapters go with it */
	test_mock_stop(f);
	test_wait_adapter_event(f, TEST_ADAPTER " gone", 2);
	test_wait_describe(f, "waiting for bluetoothd", TEST_WAIT_MS);
}

static void
test_restart_assert_discovery(TestFixture *f)
{
	test_wait_adapter_event(f, TEST_ADAPTER " present", 3);
	test_wait_describe(f, TEST_ACTIVE, TEST_WAIT_MS);
	ck_assert_uint_eq(test_count_calls(f, TEST_ADAPTER, "StartDiscovery"), 1);
	test_assert_discovery(f);
	ck_assert_uint_eq(f->adapters->len, 5);
}

START_TEST(test_bluez_manager_restart)
{
	TestFixture *f = test_fixture_new("{\"adapters\": [\"hci0\"]}");

	test_restart_prepare(f);
	/* bluetoothd back, its adapter announced once the manager knows the new owner */
	test_mock_start(f, "{}");
	test_wait_describe(f, "no Bluetooth adapter", TEST_WAIT_MS);
	test_add_adapter(f);
	test_restart_assert_discovery(f);
	test_fixture_free(f);
}
END_TEST

/*
 * bluetoothd back with its adapter at once (as after a real restart).
 * GDBusObjectManagerClient builds the adapter's proxy from InterfacesAdded
 * before it has learned the new name owner, so the proxy has no name; the
 * manager therefore calls org.bluez by its well-known name (igw_bluez_call)
 */
START_TEST(test_bluez_manager_restart_with_adapter)
{
	TestFixture *f = test_fixture_new("{\"adapters\": [\"hci0\"]}");

	test_restart_prepare(f);
	test_mock_start(f, "{\"adapters\": [\"hci0\"]}");
	test_restart_assert_discovery(f);
	test_fixture_free(f);
}
END_TEST

static guint
test_count_characteristics(TestFixture *f)
{
	GList *characteristics = igw_bluez_manager_get_characteristics(f->manager, TEST_DEVICE);
	guint n = g_list_length(characteristics);
	g_list_free_full(characteristics, g_object_unref);
	return n;
}

static gboolean
test_characteristic_seen(TestFixture *f, gconstpointer data)
{
	return test_count_characteristics(f) > 0;
}

static gboolean
test_value_seen(TestFixture *f, gconstpointer data)
{
	return f->values->len > 0;
}

static void
test_proxy_call(GDBusProxy *proxy, const gchar *method)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    g_dbus_proxy_call_sync(proxy, method, NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
	ck_assert_msg(reply != NULL, "%s on %s: %s", method, g_dbus_proxy_get_object_path(proxy),
		      error != NULL ? error->message : "");
}

START_TEST(test_bluez_manager_notify)
{
	TestFixture *f = test_fixture_new("{\"adapters\": [\"hci0\"]}");
	static const guint8 initial[] = {0x00, 0x3c};
	static const guint8 stored[] = {0x00, 0x01};
	static const guint8 notified[] = {0x06, 0x48};
	g_autofree gchar *device = NULL;
	g_autofree gchar *service = NULL;
	g_autofree gchar *characteristic = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GDBusProxy) device_proxy = NULL;
	g_autoptr(GDBusProxy) characteristic_proxy = NULL;
	const gchar *flags[] = {"read", "notify", NULL};
	TestValueEvent *event;

	test_manager_start(f, IGW_BLUEZ_SCAN_ACTIVE);
	test_wait_describe(f, TEST_ACTIVE, TEST_WAIT_MS);
	device = test_add_device(f);
	reply = test_mock(
	    f, "AddGattService",
	    g_variant_new("(oqs)", device, 0x000c, "0000180d-0000-1000-8000-00805f9b34fb"));
	g_variant_get(reply, "(o)", &service);
	g_clear_pointer(&reply, g_variant_unref);
	reply = test_mock(f, "AddGattCharacteristic",
			  g_variant_new("(oqs^as@ay)", service, 0x000d,
					"00002a37-0000-1000-8000-00805f9b34fb", flags,
					test_bytes_variant(initial, sizeof(initial))));
	g_variant_get(reply, "(o)", &characteristic);
	ck_assert_msg(test_wait(f, test_characteristic_seen, NULL, TEST_WAIT_MS),
		      "no characteristic under %s", device);

	/* the gateway connects and subscribes through its own proxies */
	device_proxy = igw_bluez_manager_get_proxy(f->manager, device, "org.bluez.Device1");
	characteristic_proxy = igw_bluez_manager_get_proxy(f->manager, characteristic,
							   "org.bluez.GattCharacteristic1");
	ck_assert_ptr_nonnull(device_proxy);
	ck_assert_ptr_nonnull(characteristic_proxy);
	test_proxy_call(device_proxy, "Connect");
	/* not notifying yet: stored, no signal */
	g_variant_unref(test_mock(
	    f, "SetCharacteristicValue",
	    g_variant_new("(o@ay)", characteristic, test_bytes_variant(stored, sizeof(stored)))));
	test_proxy_call(characteristic_proxy, "StartNotify");
	g_variant_unref(test_mock(f, "SetCharacteristicValue",
				  g_variant_new("(o@ay)", characteristic,
						test_bytes_variant(notified, sizeof(notified)))));
	ck_assert_msg(test_wait(f, test_value_seen, NULL, TEST_WAIT_MS),
		      "no \"characteristic-value\"");

	/* signals arrive in order: the first one is the notification */
	event = g_ptr_array_index(f->values, 0);
	ck_assert_str_eq(event->path, characteristic);
	test_assert_bytes(event->value, notified, sizeof(notified));
	ck_assert_uint_eq(f->values->len, 1);
	test_fixture_free(f);
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
}

static Suite *
test_bluez_manager_suite(void)
{
	Suite *suite = suite_create("bluez-manager");
	test_suite_add(suite, "bluez-manager/adapter-discovery",
		       test_bluez_manager_adapter_discovery);
	test_suite_add(suite, "bluez-manager/device", test_bluez_manager_device);
	test_suite_add(suite, "bluez-manager/discovery-retry", test_bluez_manager_discovery_retry);
	test_suite_add(suite, "bluez-manager/monitor", test_bluez_manager_monitor);
	test_suite_add(suite, "bluez-manager/restart", test_bluez_manager_restart);
	test_suite_add(suite, "bluez-manager/notify", test_bluez_manager_notify);
	test_suite_add(suite, "bluez-manager/restart-with-adapter",
		       test_bluez_manager_restart_with_adapter);
	return suite;
}

/* no silent skip: without the mock there is no test */
static gboolean
test_requirements_met(void)
{
	const gchar *argv[] = {TEST_PYTHON, "-c", "import dbusmock", NULL};
	g_autofree gchar *daemon = g_find_program_in_path(TEST_DBUS_DAEMON);
	gint status = 0;
	if (daemon == NULL) {
		g_print("Bail out! %s is not in PATH (package dbus-daemon)\n", TEST_DBUS_DAEMON);
		return FALSE;
	}
	if (!g_spawn_sync(NULL, (gchar **)argv, NULL,
			  G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
			  NULL, &status, NULL) ||
	    !g_spawn_check_wait_status(status, NULL)) {
		g_print("Bail out! python3-dbusmock is not installed for %s "
			"(tools/install-deps installs it)\n",
			TEST_PYTHON);
		return FALSE;
	}
	return TRUE;
}

int
main(void)
{
	if (!test_requirements_met())
		return 1;
	return igw_test_run(test_bluez_manager_suite());
}
