/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestBackoff"

#include "config.h"

#include "igw-test.h"

#include "igw-backoff.h"

#define TEST_TIMEOUT_SECONDS 10
#define TEST_BASE_MS 1000
#define TEST_CAP_MS (5 * 60 * 1000)

START_TEST(test_backoff_ceiling)
{
	IgwBackoff backoff;
	const guint expected[] = {1000,	 2000,	 4000,	 8000,	 16000,	 32000,
				  64000, 128000, 256000, 300000, 300000, 300000};

	igw_backoff_init(&backoff, TEST_BASE_MS, TEST_CAP_MS);
	for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
		ck_assert_uint_eq(igw_backoff_get_ceiling(&backoff), expected[i]);
		(void)igw_backoff_next_delay(&backoff, NULL);
	}

	/* far beyond the point where base * 2^attempt would overflow */
	backoff.attempt = 1000;
	ck_assert_uint_eq(igw_backoff_get_ceiling(&backoff), TEST_CAP_MS);
	backoff.attempt = G_MAXUINT;
	ck_assert_uint_eq(igw_backoff_get_ceiling(&backoff), TEST_CAP_MS);
	(void)igw_backoff_next_delay(&backoff, NULL);
	ck_assert_uint_eq(backoff.attempt, G_MAXUINT);
	ck_assert_uint_eq(igw_backoff_get_ceiling(&backoff), TEST_CAP_MS);
}
END_TEST

START_TEST(test_backoff_bounds)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(7);
	IgwBackoff backoff;

	igw_backoff_init(&backoff, TEST_BASE_MS, TEST_CAP_MS);
	for (guint i = 0; i < 200; i++) {
		guint ceiling = igw_backoff_get_ceiling(&backoff);
		guint delay = igw_backoff_next_delay(&backoff, (i % 2) == 0 ? rand : NULL);
		ck_assert_uint_ge(delay, IGW_BACKOFF_FLOOR_MS);
		ck_assert_uint_le(delay, ceiling);
	}
}
END_TEST

START_TEST(test_backoff_small)
{
	IgwBackoff backoff;

	/* a ceiling below the floor is used as it is, without jitter */
	igw_backoff_init(&backoff, 50, 80);
	ck_assert_uint_eq(igw_backoff_next_delay(&backoff, NULL), 50);
	ck_assert_uint_eq(igw_backoff_next_delay(&backoff, NULL), 80);
	ck_assert_uint_eq(igw_backoff_next_delay(&backoff, NULL), 80);

	/* zero base and a cap below the base are corrected, never divide into nothing */
	igw_backoff_init(&backoff, 0, 0);
	ck_assert_uint_eq(backoff.base_ms, 1);
	ck_assert_uint_eq(backoff.cap_ms, 1);
	ck_assert_uint_eq(igw_backoff_next_delay(&backoff, NULL), 1);
	igw_backoff_init(&backoff, 2000, 1000);
	ck_assert_uint_eq(igw_backoff_get_ceiling(&backoff), 2000);
}
END_TEST

START_TEST(test_backoff_reset)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(1);
	IgwBackoff backoff;

	igw_backoff_init(&backoff, TEST_BASE_MS, TEST_CAP_MS);
	for (guint i = 0; i < 5; i++)
		(void)igw_backoff_next_delay(&backoff, rand);
	ck_assert_uint_eq(backoff.attempt, 5);
	ck_assert_uint_eq(igw_backoff_get_ceiling(&backoff), 32000);

	igw_backoff_reset(&backoff);
	ck_assert_uint_eq(backoff.attempt, 0);
	ck_assert_uint_eq(igw_backoff_get_ceiling(&backoff), TEST_BASE_MS);
	ck_assert_uint_le(igw_backoff_next_delay(&backoff, rand), TEST_BASE_MS);

	/* base and cap survive a reset */
	ck_assert_uint_eq(backoff.base_ms, TEST_BASE_MS);
	ck_assert_uint_eq(backoff.cap_ms, TEST_CAP_MS);
}
END_TEST

/* at the cap every delay should be drawn from the whole [floor, cap] range */
START_TEST(test_backoff_jitter)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(42);
	g_autoptr(GRand) again = g_rand_new_with_seed(42);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	IgwBackoff backoff;
	IgwBackoff replay;
	guint lowest = G_MAXUINT;
	guint highest = 0;
	guint low_half = 0;
	const guint n = 100;

	igw_backoff_init(&backoff, TEST_BASE_MS, TEST_CAP_MS);
	igw_backoff_init(&replay, TEST_BASE_MS, TEST_CAP_MS);
	backoff.attempt = replay.attempt = 20;
	for (guint i = 0; i < n; i++) {
		guint delay = igw_backoff_next_delay(&backoff, rand);
		/* the same seed gives the same sequence */
		ck_assert_uint_eq(igw_backoff_next_delay(&replay, again), delay);
		g_hash_table_add(seen, GUINT_TO_POINTER(delay));
		lowest = MIN(lowest, delay);
		highest = MAX(highest, delay);
		if (delay < TEST_CAP_MS / 2)
			low_half++;
	}

	/* not "equal jitter" (cap/2 + rand) and not a constant */
	ck_assert_uint_gt(g_hash_table_size(seen), n / 2);
	ck_assert_uint_lt(lowest, TEST_CAP_MS / 4);
	ck_assert_uint_gt(highest, TEST_CAP_MS * 3 / 4);
	ck_assert_uint_gt(low_half, n / 4);
	ck_assert_uint_lt(low_half, n * 3 / 4);
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
}

static Suite *
test_backoff_suite(void)
{
	Suite *suite = suite_create("backoff");
	test_suite_add(suite, "backoff/ceiling", test_backoff_ceiling);
	test_suite_add(suite, "backoff/bounds", test_backoff_bounds);
	test_suite_add(suite, "backoff/small", test_backoff_small);
	test_suite_add(suite, "backoff/reset", test_backoff_reset);
	test_suite_add(suite, "backoff/jitter", test_backoff_jitter);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_backoff_suite());
}
