/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* exponential backoff with full jitter: each delay is uniform in [floor, ceiling(attempt)] */
typedef struct {
	guint attempt;
	guint base_ms;
	guint cap_ms;
} IgwBackoff;

#define IGW_BACKOFF_FLOOR_MS 100

void
igw_backoff_init(IgwBackoff *self, guint base_ms, guint cap_ms);
void
igw_backoff_reset(IgwBackoff *self);
guint
igw_backoff_get_ceiling(const IgwBackoff *self);
guint
igw_backoff_next_delay(IgwBackoff *self, GRand *rand);

G_END_DECLS
