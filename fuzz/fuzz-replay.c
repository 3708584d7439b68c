/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <glib.h>
#include <stdint.h>

/*
 * feeds every file of the given directories (and the given files) to the
 * fuzz target once, so the corpora also run as plain tests without clang
 */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean
igw_fuzz_replay_file(const gchar *path, GError **error)
{
	g_autofree gchar *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &data, &len, error))
		return FALSE;
	g_debug("%s: %" G_GSIZE_FORMAT " bytes", path, len);
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	return TRUE;
}

static gint
igw_fuzz_compare_cb(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

/* the files of a directory, sorted so a failure is easy to reproduce */
static GPtrArray *
igw_fuzz_replay_list(const gchar *path, GError **error)
{
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDir) dir = NULL;
	const gchar *name;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_ptr_array_add(files, g_strdup(path));
		return g_steal_pointer(&files);
	}
	dir = g_dir_open(path, 0, error);
	if (dir == NULL)
		return NULL;
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_REGULAR))
			g_ptr_array_add(files, g_steal_pointer(&child));
	}
	g_ptr_array_sort(files, igw_fuzz_compare_cb);
	return g_steal_pointer(&files);
}

int
main(int argc, char **argv)
{
	guint count = 0;

	if (argc < 2) {
		g_printerr("usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	for (gint i = 1; i < argc; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GPtrArray) files = igw_fuzz_replay_list(argv[i], &error);
		if (files == NULL) {
			g_printerr("%s: %s\n", argv[0], error->message);
			return 1;
		}
		for (guint j = 0; j < files->len; j++) {
			if (!igw_fuzz_replay_file(g_ptr_array_index(files, j), &error)) {
				g_printerr("%s: %s\n", argv[0], error->message);
				return 1;
			}
			count++;
		}
	}
	/* an empty corpus would make this test pass without testing anything */
	if (count == 0) {
		g_printerr("%s: no inputs found\n", argv[0]);
		return 1;
	}
	g_print("%u inputs replayed\n", count);
	return 0;
}
