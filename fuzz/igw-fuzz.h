/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

G_BEGIN_DECLS

/* the libFuzzer entry point, also called by fuzz-replay.c */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* not g_assert(): that may be compiled out, and this must always crash */
#define igw_fuzz_require(cond)                                                                     \
	G_STMT_START                                                                               \
	{                                                                                          \
		if (G_UNLIKELY(!(cond))) {                                                         \
			g_printerr("%s:%d: broken: %s\n", __FILE__, __LINE__, #cond);              \
			abort();                                                                   \
		}                                                                                  \
	}                                                                                          \
	G_STMT_END

/*
 * a critical or warning is a finding too; abort() rather than GLib's fatal
 * mask, whose G_BREAKPOINT() (SIGTRAP) libFuzzer does not catch or save
 */
static inline GLogWriterOutput
igw_fuzz_log_writer_cb(GLogLevelFlags log_level, const GLogField *fields, gsize n_fields,
		       gpointer user_data)
{
	GLogWriterOutput ret = g_log_writer_default(log_level, fields, n_fields, user_data);
	if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
		abort();
	return ret;
}

static inline void
igw_fuzz_init(void)
{
	static gboolean done = FALSE;
	if (done)
		return;
	g_log_set_writer_func(igw_fuzz_log_writer_cb, NULL, NULL);
	done = TRUE;
}

/* a NUL-terminated copy: the parsers take C strings, so the input stops at the first NUL */
static inline gchar *
igw_fuzz_strdup(const uint8_t *data, size_t size)
{
	return g_strndup((const gchar *)data, size);
}

G_END_DECLS
