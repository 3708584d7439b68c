/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "igw-backoff.h"

void
igw_backoff_init(IgwBackoff *self, guint base_ms, guint cap_ms)
{
	self->attempt = 0;
	self->base_ms = MAX(base_ms, 1);
	self->cap_ms = MAX(cap_ms, self->base_ms);
}

void
igw_backoff_reset(IgwBackoff *self)
{
	self->attempt = 0;
}

/* base * 2^attempt, saturating at the cap */
guint
igw_backoff_get_ceiling(const IgwBackoff *self)
{
	guint64 ceiling = self->base_ms;
	for (guint i = 0; i < self->attempt && ceiling < self->cap_ms; i++)
		ceiling *= 2;
	return (guint)MIN(ceiling, (guint64)self->cap_ms);
}

/*
 * full jitter spreads reconnects of many things after a server restart, so
 * they do not all come back in the same second; the floor avoids a busy loop
 */
guint
igw_backoff_next_delay(IgwBackoff *self, GRand *rand)
{
	guint ceiling = igw_backoff_get_ceiling(self);
	guint floor_ms = MIN((guint)IGW_BACKOFF_FLOOR_MS, ceiling);
	guint delay;
	if (self->attempt < G_MAXUINT)
		self->attempt++;
	if (ceiling <= floor_ms)
		return ceiling;
	delay = rand != NULL ? (guint)g_rand_int_range(rand, (gint32)floor_ms,
						       (gint32)MIN(ceiling, G_MAXINT32 - 1) + 1)
			     : (guint)g_random_int_range((gint32)floor_ms,
							 (gint32)MIN(ceiling, G_MAXINT32 - 1) + 1);
	return delay;
}
