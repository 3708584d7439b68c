/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "igw-error-private.h"

#define IGW_ERROR_DBUS_PREFIX "org.iotgw.Gateway1.Error."

/*
 * every code has a D-Bus name, so iotgwctl gets the daemon's typed errors back; the names are
 * filled under their own once-guard because g_dbus_error_register_error_domain() takes the
 * quark's, and entering that one twice would wait forever
 */
GQuark
igw_error_quark(void)
{
	static GDBusErrorEntry entries[IGW_ERROR_LAST];
	static gsize entries_done = 0;
	static gsize quark = 0;
	if (g_once_init_enter(&entries_done)) {
		for (guint i = 0; i < IGW_ERROR_LAST; i++) {
			entries[i].error_code = (gint)i;
			entries[i].dbus_error_name = g_strconcat(
			    IGW_ERROR_DBUS_PREFIX, igw_error_to_string((IgwError)i), NULL);
		}
		g_once_init_leave(&entries_done, 1);
	}
	g_dbus_error_register_error_domain("igw-error-quark", &quark, entries, IGW_ERROR_LAST);
	return (GQuark)quark;
}

/* for clients that may see a daemon error before they use IGW_ERROR themselves */
void
igw_error_register_dbus(void)
{
	(void)igw_error_quark();
}

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
