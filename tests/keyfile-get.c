/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyfile-get FILE GROUP KEY [--list]: print one value as GKeyFile reads it,
 * so that tests can check escapes written by other tools (openwrt/files/uci2conf)
 * byte for byte. A string is printed as it is; with --list every item is
 * followed by a NUL byte.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char *argv[])
{
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) items = NULL;
	g_autofree gchar *value = NULL;

	if (argc != 4 && !(argc == 5 && strcmp(argv[4], "--list") == 0)) {
		fprintf(stderr, "usage: keyfile-get FILE GROUP KEY [--list]\n");
		return 2;
	}
	if (!g_key_file_load_from_file(keyfile, argv[1], G_KEY_FILE_NONE, &error)) {
		fprintf(stderr, "keyfile-get: %s: %s\n", argv[1], error->message);
		return 1;
	}
	if (argc == 5) {
		items = g_key_file_get_string_list(keyfile, argv[2], argv[3], NULL, &error);
		if (items == NULL) {
			fprintf(stderr, "keyfile-get: [%s] %s: %s\n", argv[2], argv[3],
				error->message);
			return 1;
		}
		for (guint i = 0; items[i] != NULL; i++)
			fwrite(items[i], 1, strlen(items[i]) + 1, stdout);
		return 0;
	}
	value = g_key_file_get_string(keyfile, argv[2], argv[3], &error);
	if (value == NULL || error != NULL) {
		fprintf(stderr, "keyfile-get: [%s] %s: %s\n", argv[2], argv[3],
			error != NULL ? error->message : "no value");
		return 1;
	}
	fputs(value, stdout);
	return 0;
}
