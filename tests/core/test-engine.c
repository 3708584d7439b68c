/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestEngine"

#include "config.h"

#include <glib/gstdio.h>
#include <strophe.h>
#include "igw-test.h"

#include "igw-context-private.h"
#include "igw-engine.h"
#include "igw-plugin-private.h"
#include "igw-xmpp-manager.h"

/*
 * the engine with the built-in sim plugin and the daemon's XMPP manager, but
 * no XMPP server (the sessions try a closed port and wait): one thing list,
 * the listeners a reading reaches with the real protocol objects attached,
 * and the plugins' view
 */

#define TEST_TIMEOUT_SECONDS 120

typedef struct {
	gchar *state_dir;
	IgwEngine *engine;
	IgwXmppManager *xmpp; /* the things' faces: agent, MUC, pubsub; the concentrator */
	IgwContext *context;
	GPtrArray *changes; /* "id change" as the plugins' view saw them */
} TestEngine;

static void
test_changed_cb(IgwContext *context, IgwThing *thing, const gchar *change, TestEngine *test)
{
	g_ptr_array_add(test->changes, g_strdup_printf("%s %s", igw_thing_get_id(thing), change));
}

static gchar *
test_config_data(guint things)
{
	g_autoptr(GString) data = g_string_new("[xmpp]\ndomain=localhost\nhost=127.0.0.1\nport=9\n"
					       "tls=disabled\n[gateway]\nowners=alice@localhost\n"
					       "plugin_dir=/nonexistent\n");
	for (guint i = 0; i < things; i++)
		g_string_append_printf(data, "[thing sim:lamp%u]\ntype=lamp\n", i);
	return g_string_free(g_steal_pointer(&data), FALSE);
}

static void
test_engine_start(TestEngine *test, guint things)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *data = test_config_data(things);
	IgwConfig *config = igw_config_load_from_data("test.conf", data, &error);
	ck_assert_msg(config != NULL, "%s", error != NULL ? error->message : "");
	test->state_dir = g_dir_make_tmp("igw-test-engine-XXXXXX", &error);
	ck_assert_ptr_nonnull(test->state_dir);
	test->changes = g_ptr_array_new_with_free_func(g_free);
	test->engine = igw_engine_new(config, test->state_dir);
	test->xmpp = igw_xmpp_manager_new(test->engine);
	test->context = igw_engine_get_context(test->engine);
	g_signal_connect(test->context, "thing-changed", G_CALLBACK(test_changed_cb), test);
	ck_assert_msg(igw_engine_startup(test->engine, &error), "%s",
		      error != NULL ? error->message : "");
}

static void
test_engine_stop(TestEngine *test)
{
	g_autoptr(GDir) dir = NULL;
	const gchar *name;
	igw_engine_shutdown(test->engine);
	g_clear_object(&test->xmpp);
	g_clear_object(&test->engine);
	g_ptr_array_unref(test->changes);
	/* the database and its journal files */
	dir = g_dir_open(test->state_dir, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *path = g_build_filename(test->state_dir, name, NULL);
		g_unlink(path);
	}
	g_rmdir(test->state_dir);
	g_free(test->state_dir);
}

/* how many handlers an emission of @signal on @instance runs: find one unblocked, block it, again */
static guint
test_count_handlers(gpointer instance, const gchar *signal)
{
	guint id = g_signal_lookup(signal, G_OBJECT_TYPE(instance));
	g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(gulong));
	gulong handler;
	while (
	    (handler = g_signal_handler_find(instance, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_UNBLOCKED,
					     id, 0, NULL, NULL, NULL)) != 0) {
		g_signal_handler_block(instance, handler);
		g_array_append_val(found, handler);
	}
	for (guint i = 0; i < found->len; i++)
		g_signal_handler_unblock(instance, g_array_index(found, gulong, i));
	return found->len;
}

static const guint test_sizes[] = {1, 1000};

/* the context's "reading" (the core) and the thing's own (its doors): nobody else's */
START_TEST(test_engine_listeners)
{
	TestEngine test = {0};
	guint n = test_sizes[_i];
	IgwThing *thing;
	guint core;
	guint doors;
	test_engine_start(&test, n);
	thing = igw_engine_lookup_thing(test.engine, "sim:lamp0");
	ck_assert_ptr_nonnull(thing);
	ck_assert_int_eq(igw_engine_get_thing_state(test.engine, "sim:lamp0"),
			 IGW_THING_STATE_ADOPTED);
	core = test_count_handlers(test.context, "reading");
	doors = test_count_handlers(thing, "reading");
	g_printerr(
	    "# engine with %u things: one reading runs %u handlers (core %u, its doors %u)\n", n,
	    core + doors, core, doors);
	/* the engine; the thing's presence (the XMPP manager), MUC, pubsub and the concentrator */
	ck_assert_uint_eq(core, 1);
	ck_assert_uint_eq(doors, 4);
	test_engine_stop(&test);
}
END_TEST

/* the engine keeps no list of its own: its things are the context's */
START_TEST(test_engine_one_list)
{
	TestEngine test = {0};
	g_autoptr(GPtrArray) things = NULL;
	g_autoptr(GError) error = NULL;
	test_engine_start(&test, 3);
	things = igw_engine_get_things(test.engine);
	ck_assert_uint_eq(things->len, 3);
	for (guint i = 0; i < things->len; i++) {
		IgwThing *thing = g_ptr_array_index(things, i);
		ck_assert_ptr_eq(igw_context_lookup_thing(test.context, igw_thing_get_id(thing)),
				 thing);
	}
	ck_assert(igw_engine_rename_thing(test.engine, "sim:lamp1", "Hall", &error));
	ck_assert_str_eq(igw_thing_get_name(igw_context_lookup_thing(test.context, "sim:lamp1")),
			 "Hall");
	/* the plugins' view heard the core's word on each */
	ck_assert(
	    g_ptr_array_find_with_equal_func(test.changes, "sim:lamp0 added", g_str_equal, NULL));
	ck_assert(
	    g_ptr_array_find_with_equal_func(test.changes, "sim:lamp0 adopted", g_str_equal, NULL));
	ck_assert(
	    g_ptr_array_find_with_equal_func(test.changes, "sim:lamp1 renamed", g_str_equal, NULL));
	igw_context_remove_thing(test.context, "sim:lamp2");
	ck_assert_ptr_null(igw_engine_lookup_thing(test.engine, "sim:lamp2"));
	ck_assert(
	    g_ptr_array_find_with_equal_func(test.changes, "sim:lamp2 removed", g_str_equal, NULL));
	test_engine_stop(&test);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("engine");
	TCase *tc = tcase_create("engine/listeners");
	/* libstrophe, as iotgwd's main() starts it */
	xmpp_initialize();
	tcase_set_timeout(tc, TEST_TIMEOUT_SECONDS);
	tcase_add_loop_test(tc, test_engine_listeners, 0, G_N_ELEMENTS(test_sizes));
	suite_add_tcase(suite, tc);
	igw_test_add(suite, "engine/one-list", test_engine_one_list, TEST_TIMEOUT_SECONDS);
	return igw_test_run(suite);
}
