/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* not installed: the D-Bus side of the error domain, for iotgwd and iotgwctl */

#include "igw-error.h"

G_BEGIN_DECLS

void
igw_error_register_dbus(void);

G_END_DECLS
