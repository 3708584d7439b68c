/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Availability learned from how often a device is heard (Home Assistant's
 * lesson: a fixed timeout is wrong for every device but one). A plugin feeds
 * it the times it heard from the device; it answers available, away or
 * unavailable, and when that answer will next change so the plugin can arm
 * one timer. Pure logic over the times given: unit tests need no clock.
 */

#include <glib.h>

#include "igw-thing.h"

G_BEGIN_DECLS

#define IGW_LIVENESS_DEFAULT_AWAY_FACTOR 3
#define IGW_LIVENESS_DEFAULT_UNAVAILABLE_FACTOR 10
#define IGW_LIVENESS_DEFAULT_FALLBACK_S 900 /* 15 min, while the interval is unknown */
/* adverts closer than this are bursts, not the device's interval */
#define IGW_LIVENESS_MIN_INTERVAL_US G_USEC_PER_SEC

typedef struct _IgwLiveness IgwLiveness;

/* silence of @away_factor (@unavailable_factor) learned intervals makes the
 * device away (unavailable); before an interval is learned, @fallback_s of
 * silence makes it unavailable */
IgwLiveness *
igw_liveness_new(guint away_factor, guint unavailable_factor, guint fallback_s);
void
igw_liveness_free(IgwLiveness *self);
void
igw_liveness_heard(IgwLiveness *self, gint64 now_us);
/* a device that sends only on events (a button): silence says nothing */
void
igw_liveness_set_irregular(IgwLiveness *self, gboolean irregular);
IgwAvailability
igw_liveness_evaluate(IgwLiveness *self, gint64 now_us);
/* the monotonic time at which igw_liveness_evaluate() will next change its
 * answer without new input, or G_MAXINT64 */
gint64
igw_liveness_next_change(IgwLiveness *self, gint64 now_us);
/* the learned interval in µs, 0 while unknown */
gint64
igw_liveness_get_interval(IgwLiveness *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwLiveness, igw_liveness_free)

/*
 * One main-loop timer for all of a plugin's devices: armed for the earliest
 * igw_liveness_next_change() among them; when it fires, the plugin evaluates
 * every device and arms it again.
 */
typedef struct {
	guint source_id;
	gint64 due_us;
} IgwLivenessAlarm;

/* fire @callback at monotonic @due_us unless an earlier firing is already
 * armed; G_MAXINT64 (nothing will change) arms nothing */
void
igw_liveness_alarm_arm(IgwLivenessAlarm *alarm, gint64 due_us, GSourceFunc callback,
		       gpointer user_data);
/* first thing in @callback: the source is gone, so the next arm starts afresh */
void
igw_liveness_alarm_fired(IgwLivenessAlarm *alarm);
void
igw_liveness_alarm_clear(IgwLivenessAlarm *alarm);

G_END_DECLS
