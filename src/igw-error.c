/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "igw-error.h"

G_DEFINE_QUARK(igw-error-quark, igw_error)

const gchar *
igw_error_to_string(IgwError code)
{
	switch (code) {
	case IGW_ERROR_INTERNAL:
		return "Internal";
	case IGW_ERROR_NOT_SUPPORTED:
		return "NotSupported";
	case IGW_ERROR_NOT_FOUND:
		return "NotFound";
	case IGW_ERROR_INVALID_DATA:
		return "InvalidData";
	case IGW_ERROR_INVALID_CONFIG:
		return "InvalidConfig";
	case IGW_ERROR_PERMISSION_DENIED:
		return "PermissionDenied";
	case IGW_ERROR_TIMED_OUT:
		return "TimedOut";
	case IGW_ERROR_BUSY:
		return "Busy";
	case IGW_ERROR_NOT_CONNECTED:
		return "NotConnected";
	case IGW_ERROR_AUTH_FAILED:
		return "AuthFailed";
	case IGW_ERROR_EXISTS:
		return "Exists";
	case IGW_ERROR_LIMIT_REACHED:
		return "LimitReached";
	case IGW_ERROR_STORE:
		return "Store";
	case IGW_ERROR_LAST:
	default:
		return NULL;
	}
}
