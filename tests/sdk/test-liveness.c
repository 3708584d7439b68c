/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestLiveness"

#include "config.h"

#include "igw-test.h"

#include "igw-liveness.h"

#define TEST_TIMEOUT_SECONDS 10
#define S(x) ((gint64)((x) * (gdouble)G_USEC_PER_SEC))
/* monotonic times are never 0 in practice; start somewhere */
#define T0 S(1000)

static IgwLiveness *
test_liveness_heard_every(gdouble interval_s, guint times)
{
	IgwLiveness *liveness = igw_liveness_new(3, 10, 900);
	for (guint i = 0; i < times; i++)
		igw_liveness_heard(liveness, T0 + S(interval_s * i));
	return liveness;
}

START_TEST(test_liveness_never_heard)
{
	g_autoptr(IgwLiveness) liveness = igw_liveness_new(3, 10, 900);
	ck_assert_int_eq(igw_liveness_evaluate(liveness, T0), IGW_AVAILABILITY_UNAVAILABLE);
	ck_assert_int_eq(igw_liveness_next_change(liveness, T0), G_MAXINT64);
	ck_assert_int_eq(igw_liveness_get_interval(liveness), 0);
}
END_TEST

/* one advert: available, and unavailable only after the fallback */
START_TEST(test_liveness_fallback)
{
	g_autoptr(IgwLiveness) liveness = test_liveness_heard_every(2, 1);
	ck_assert_int_eq(igw_liveness_evaluate(liveness, T0 + S(899)), IGW_AVAILABILITY_AVAILABLE);
	ck_assert_int_eq(igw_liveness_next_change(liveness, T0 + S(1)), T0 + S(900));
	ck_assert_int_eq(igw_liveness_evaluate(liveness, T0 + S(900)),
			 IGW_AVAILABILITY_UNAVAILABLE);
	ck_assert_int_eq(igw_liveness_next_change(liveness, T0 + S(900)), G_MAXINT64);
}
END_TEST

/* adverts every 10 s: away after 30 s, unavailable after 100 s of silence */
START_TEST(test_liveness_learned)
{
	g_autoptr(IgwLiveness) liveness = test_liveness_heard_every(10, 5);
	gint64 last = T0 + S(40);
	ck_assert_int_eq(igw_liveness_get_interval(liveness), S(10));
	ck_assert_int_eq(igw_liveness_evaluate(liveness, last + S(29)), IGW_AVAILABILITY_AVAILABLE);
	ck_assert_int_eq(igw_liveness_next_change(liveness, last + S(29)), last + S(30));
	ck_assert_int_eq(igw_liveness_evaluate(liveness, last + S(30)), IGW_AVAILABILITY_AWAY);
	ck_assert_int_eq(igw_liveness_next_change(liveness, last + S(30)), last + S(100));
	ck_assert_int_eq(igw_liveness_evaluate(liveness, last + S(100)),
			 IGW_AVAILABILITY_UNAVAILABLE);
	/* heard again: available at once */
	igw_liveness_heard(liveness, last + S(150));
	ck_assert_int_eq(igw_liveness_evaluate(liveness, last + S(150)),
			 IGW_AVAILABILITY_AVAILABLE);
	/* the absence did not teach a 110 s interval */
	ck_assert_int_eq(igw_liveness_get_interval(liveness), S(10));
}
END_TEST

/* a lost advert now and then (a 20 s gap) does not move the median */
START_TEST(test_liveness_lost_adverts)
{
	g_autoptr(IgwLiveness) liveness = igw_liveness_new(3, 10, 900);
	gint64 now = T0;
	for (guint i = 0; i < 12; i++) {
		igw_liveness_heard(liveness, now);
		now += (i % 4 == 3) ? S(20) : S(10);
	}
	ck_assert_int_eq(igw_liveness_get_interval(liveness), S(10));
}
END_TEST

/* bursts of adverts closer than a second count as one second */
START_TEST(test_liveness_floor)
{
	g_autoptr(IgwLiveness) liveness = test_liveness_heard_every(0.1, 20);
	ck_assert_int_eq(igw_liveness_get_interval(liveness), IGW_LIVENESS_MIN_INTERVAL_US);
}
END_TEST

/* the interval follows a device that slows down */
START_TEST(test_liveness_adapts)
{
	g_autoptr(IgwLiveness) liveness = test_liveness_heard_every(2, 10);
	gint64 now = T0 + S(18);
	ck_assert_int_eq(igw_liveness_get_interval(liveness), S(2));
	for (guint i = 0; i < 16; i++) {
		now += S(5);
		igw_liveness_heard(liveness, now);
	}
	ck_assert_int_eq(igw_liveness_get_interval(liveness), S(5));
}
END_TEST

/* a button that sends only when pressed is never away for being quiet */
START_TEST(test_liveness_irregular)
{
	g_autoptr(IgwLiveness) liveness = test_liveness_heard_every(10, 5);
	igw_liveness_set_irregular(liveness, TRUE);
	ck_assert_int_eq(igw_liveness_evaluate(liveness, T0 + S(86400)),
			 IGW_AVAILABILITY_AVAILABLE);
	ck_assert_int_eq(igw_liveness_next_change(liveness, T0 + S(41)), G_MAXINT64);
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
}

static Suite *
test_liveness_suite(void)
{
	Suite *suite = suite_create("liveness");
	test_suite_add(suite, "liveness/never-heard", test_liveness_never_heard);
	test_suite_add(suite, "liveness/fallback", test_liveness_fallback);
	test_suite_add(suite, "liveness/learned", test_liveness_learned);
	test_suite_add(suite, "liveness/lost-adverts", test_liveness_lost_adverts);
	test_suite_add(suite, "liveness/floor", test_liveness_floor);
	test_suite_add(suite, "liveness/adapts", test_liveness_adapts);
	test_suite_add(suite, "liveness/irregular", test_liveness_irregular);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_liveness_suite());
}
