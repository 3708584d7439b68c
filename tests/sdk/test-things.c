/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestThings"

#include "config.h"

#include "igw-test.h"

#include "igw-context-private.h"
#include "igw-error.h"

/*
 * one thing list, per-thing listeners: a reading reaches the core once and
 * the listeners of its own thing, however many things there are
 */

#define TEST_TIMEOUT_SECONDS 30
/* what every adopted thing has listening: pubsub, MUC, concentrator, D-Bus */
#define TEST_DOORS_PER_THING 4

typedef struct {
	guint core_calls;  /* the engine, on the context's "reading" */
	guint thing_calls; /* every door of every thing */
	guint wrong_thing; /* a door that heard another thing's reading */
} TestCounts;

typedef struct {
	TestCounts *counts;
	gchar *thing_id;
} TestDoor;

static void
test_door_free(gpointer data, GClosure *closure)
{
	TestDoor *door = data;
	g_free(door->thing_id);
	g_free(door);
}

static void
test_core_cb(IgwContext *context, IgwThing *thing, IgwReading *reading, TestCounts *counts)
{
	counts->core_calls++;
}

static void
test_door_cb(IgwThing *thing, IgwReading *reading, TestDoor *door)
{
	door->counts->thing_calls++;
	if (g_strcmp0(igw_reading_get_thing_id(reading), door->thing_id) != 0)
		door->counts->wrong_thing++;
}

static void
test_add_things(IgwContext *context, guint n, TestCounts *counts)
{
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *id = g_strdup_printf("sim:t%u", i);
		g_autoptr(IgwThing) thing = igw_thing_new(id, "sim");
		g_autoptr(IgwField) field = igw_field_new("temperature", IGW_FIELD_TYPE_NUMERIC);
		g_autoptr(GError) error = NULL;
		igw_thing_add_field(thing, field);
		ck_assert(igw_context_add_thing(context, thing, &error));
		/* each door subscribes to its own thing, as the protocol objects do */
		for (guint d = 0; d < TEST_DOORS_PER_THING; d++) {
			TestDoor *door = g_new0(TestDoor, 1);
			door->counts = counts;
			door->thing_id = g_strdup(id);
			g_signal_connect_data(thing, "reading", G_CALLBACK(test_door_cb), door,
					      test_door_free, 0);
		}
	}
}

static const guint test_sizes[] = {1, 1000};

START_TEST(test_things_listener_calls)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwReading) reading = NULL;
	TestCounts counts = {0};
	guint n = test_sizes[_i];
	g_signal_connect(context, "reading", G_CALLBACK(test_core_cb), &counts);
	test_add_things(context, n, &counts);
	reading = igw_reading_new("sim:t0", "temperature", g_variant_new_double(21.5), 0);
	igw_context_report_reading(context, reading);
	g_printerr("# listener calls for one reading with %u things: %u (core %u, doors %u)\n", n,
		   counts.core_calls + counts.thing_calls, counts.core_calls, counts.thing_calls);
	ck_assert_uint_eq(counts.core_calls, 1);
	ck_assert_uint_eq(counts.thing_calls, TEST_DOORS_PER_THING);
	ck_assert_uint_eq(counts.wrong_thing, 0);
	ck_assert_ptr_eq(
	    igw_thing_get_latest(igw_context_lookup_thing(context, "sim:t0"), "temperature"),
	    reading);
}
END_TEST

/* a dropped reading (unknown thing, unknown field) reaches nobody */
START_TEST(test_things_dropped)
{
	g_autoptr(IgwContext) context = igw_context_new(NULL);
	g_autoptr(IgwReading) unknown =
	    igw_reading_new("sim:nope", "temperature", g_variant_new_double(1), 0);
	g_autoptr(IgwReading) no_field =
	    igw_reading_new("sim:t0", "humidity", g_variant_new_double(1), 0);
	TestCounts counts = {0};
	g_signal_connect(context, "reading", G_CALLBACK(test_core_cb), &counts);
	test_add_things(context, 3, &counts);
	igw_context_report_reading(context, unknown);
	igw_context_report_reading(context, no_field);
	ck_assert_uint_eq(counts.core_calls + counts.thing_calls, 0);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("things");
	TCase *tc = tcase_create("things/listener-calls");
	tcase_set_timeout(tc, TEST_TIMEOUT_SECONDS);
	tcase_add_loop_test(tc, test_things_listener_calls, 0, G_N_ELEMENTS(test_sizes));
	suite_add_tcase(suite, tc);
	igw_test_add(suite, "things/dropped", test_things_dropped, TEST_TIMEOUT_SECONDS);
	return igw_test_run(suite);
}
