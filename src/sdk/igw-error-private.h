/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* the core's; a plugin includes iotgw-plugin.h and nothing else of src/ */
#ifdef IGW_PLUGIN_COMPILATION
#error "a core-only header: plugins include iotgw-plugin.h only"
#endif

/* not installed: the D-Bus side of the error domain, for iotgwd and iotgwctl */

#include "igw-error.h"

G_BEGIN_DECLS

void
igw_error_register_dbus(void);

G_END_DECLS
