/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwPluginWrongAbi"

/*
 * A module that claims the plugin ABI WRONG_MAJOR.WRONG_MINOR (compile
 * arguments): iotgwd must refuse it before calling anything in it.
 */

#include <iotgw-plugin.h>

G_MODULE_EXPORT const guint igw_plugin_abi_major = WRONG_MAJOR;
G_MODULE_EXPORT const guint igw_plugin_abi_minor = WRONG_MINOR;
G_MODULE_EXPORT void
igw_plugin_init_vfuncs(IgwPluginVfuncs *vfuncs);

void
igw_plugin_init_vfuncs(IgwPluginVfuncs *vfuncs)
{
	g_critical("a module with plugin ABI %u.%u was initialised", (guint)WRONG_MAJOR,
		   (guint)WRONG_MINOR);
}
