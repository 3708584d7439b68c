/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwLiveness"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "igw-liveness.h"

/* enough gaps for a median that ignores a few lost adverts */
#define IGW_LIVENESS_GAPS 16

struct _IgwLiveness {
	guint away_factor;
	guint unavailable_factor;
	gint64 fallback_us;
	gboolean irregular;
	gint64 last_heard; /* 0: never */
	gint64 gaps[IGW_LIVENESS_GAPS];
	guint n_gaps;
	guint next_gap;
	gint64 interval; /* median of gaps, 0 while unknown */
};

IgwLiveness *
igw_liveness_new(guint away_factor, guint unavailable_factor, guint fallback_s)
{
	IgwLiveness *self = g_new0(IgwLiveness, 1);
	g_return_val_if_fail(away_factor > 0 && unavailable_factor > away_factor, NULL);
	self->away_factor = away_factor;
	self->unavailable_factor = unavailable_factor;
	self->fallback_us = (gint64)fallback_s * G_USEC_PER_SEC;
	return self;
}

void
igw_liveness_free(IgwLiveness *self)
{
	g_free(self);
}

void
igw_liveness_set_irregular(IgwLiveness *self, gboolean irregular)
{
	self->irregular = irregular;
}

static gint
igw_liveness_compare(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a;
	gint64 y = *(const gint64 *)b;
	return (x > y) - (x < y);
}

static void
igw_liveness_learn(IgwLiveness *self, gint64 gap)
{
	gint64 sorted[IGW_LIVENESS_GAPS];
	self->gaps[self->next_gap] = gap;
	self->next_gap = (self->next_gap + 1) % IGW_LIVENESS_GAPS;
	self->n_gaps = MIN(self->n_gaps + 1, IGW_LIVENESS_GAPS);
	memcpy(sorted, self->gaps, sizeof(gint64) * self->n_gaps);
	qsort(sorted, self->n_gaps, sizeof(gint64), igw_liveness_compare);
	self->interval = MAX(sorted[self->n_gaps / 2], IGW_LIVENESS_MIN_INTERVAL_US);
}

/* how long a silence makes the device away (@unavailable FALSE) or gone */
static gint64
igw_liveness_limit(IgwLiveness *self, gboolean unavailable)
{
	if (self->interval == 0)
		return unavailable ? self->fallback_us : G_MAXINT64;
	return self->interval * (unavailable ? self->unavailable_factor : self->away_factor);
}

void
igw_liveness_heard(IgwLiveness *self, gint64 now_us)
{
	gint64 gap = now_us - self->last_heard;
	/* a gap that spanned an absence says nothing about the interval */
	if (self->last_heard != 0 && gap > 0 && gap < igw_liveness_limit(self, TRUE))
		igw_liveness_learn(self, gap);
	self->last_heard = now_us;
}

IgwAvailability
igw_liveness_evaluate(IgwLiveness *self, gint64 now_us)
{
	gint64 silence = now_us - self->last_heard;
	if (self->last_heard == 0)
		return IGW_AVAILABILITY_UNAVAILABLE;
	if (self->irregular)
		return IGW_AVAILABILITY_AVAILABLE;
	if (silence >= igw_liveness_limit(self, TRUE))
		return IGW_AVAILABILITY_UNAVAILABLE;
	if (silence >= igw_liveness_limit(self, FALSE))
		return IGW_AVAILABILITY_AWAY;
	return IGW_AVAILABILITY_AVAILABLE;
}

gint64
igw_liveness_next_change(IgwLiveness *self, gint64 now_us)
{
	gint64 away = igw_liveness_limit(self, FALSE);
	gint64 gone = igw_liveness_limit(self, TRUE);
	if (self->last_heard == 0 || self->irregular)
		return G_MAXINT64;
	if (away != G_MAXINT64 && now_us < self->last_heard + away)
		return self->last_heard + away;
	if (now_us < self->last_heard + gone)
		return self->last_heard + gone;
	return G_MAXINT64;
}

gint64
igw_liveness_get_interval(IgwLiveness *self)
{
	return self->interval;
}

void
igw_liveness_alarm_arm(IgwLivenessAlarm *alarm, gint64 due_us, GSourceFunc callback,
		       gpointer user_data)
{
	gint64 now = g_get_monotonic_time();
	if (due_us == G_MAXINT64 || (alarm->source_id != 0 && due_us >= alarm->due_us))
		return;
	g_clear_handle_id(&alarm->source_id, g_source_remove);
	alarm->due_us = due_us;
	/* round up so the callback never runs just before the change */
	alarm->source_id =
	    g_timeout_add((guint)MAX((due_us - now) / 1000 + 1, 1), callback, user_data);
}

void
igw_liveness_alarm_fired(IgwLivenessAlarm *alarm)
{
	alarm->source_id = 0;
	alarm->due_us = 0;
}

void
igw_liveness_alarm_clear(IgwLivenessAlarm *alarm)
{
	g_clear_handle_id(&alarm->source_id, g_source_remove);
	alarm->due_us = 0;
}
