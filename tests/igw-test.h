/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* what every Check test program shares: one TCase per test, TAP for meson */

#include <check.h>
#include <glib.h>

static inline TCase *
igw_test_add(Suite *suite, const gchar *name, const TTest *test, guint timeout_seconds)
{
	TCase *tc = tcase_create(name);
	tcase_set_timeout(tc, timeout_seconds);
	tcase_add_test(tc, test);
	suite_add_tcase(suite, tc);
	return tc;
}

static inline int
igw_test_run(Suite *suite)
{
	SRunner *sr = srunner_create(suite);
	gint failed;
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
