/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IGW_ERROR igw_error_quark()

/**
 * IgwError:
 *
 * The one error domain of iotgw. Later the codes become D-Bus error names, so
 * append new codes at the end and never renumber.
 */
typedef enum {
	IGW_ERROR_INTERNAL,
	IGW_ERROR_NOT_SUPPORTED,
	IGW_ERROR_NOT_FOUND,
	IGW_ERROR_INVALID_DATA,
	IGW_ERROR_INVALID_CONFIG,
	IGW_ERROR_PERMISSION_DENIED,
	IGW_ERROR_TIMED_OUT,
	IGW_ERROR_BUSY,
	IGW_ERROR_NOT_CONNECTED,
	IGW_ERROR_AUTH_FAILED,
	IGW_ERROR_EXISTS,
	IGW_ERROR_LIMIT_REACHED,
	IGW_ERROR_STORE,
	IGW_ERROR_LAST
} IgwError;

GQuark
igw_error_quark(void);
const gchar *
igw_error_to_string(IgwError code);

G_END_DECLS
