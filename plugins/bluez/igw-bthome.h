/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* BTHome v2 (service data UUID 0xFCD2), plain and AES-CCM encrypted */

#include <glib.h>

#include "igw-ble-advert.h"

G_BEGIN_DECLS

#define IGW_BTHOME_BINDKEY_LEN 16
/* the fact sheet's limit: one advert never carries more */
#define IGW_BTHOME_MAX_LEN 255

/*
 * @data: the ServiceData value, i.e. the bytes after the UUID, so byte 0 is
 * the device-information byte. @mac and @bindkey only matter when encrypted.
 */
IgwBleAdvert *
igw_bthome_decode(const guint8 *data, gsize len, const gchar *mac, const guint8 *bindkey,
		  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* per device, owned by the caller; zero-initialise it */
typedef struct {
	gboolean seen;
	guint32 last_counter;
	gint64 last_time_us;
} IgwBthomeReplayState;

typedef enum {
	IGW_BTHOME_COUNTER_NEW,
	IGW_BTHOME_COUNTER_DUPLICATE,
	IGW_BTHOME_COUNTER_RESET,
	IGW_BTHOME_COUNTER_REPLAY,
} IgwBthomeCounterVerdict;

#define IGW_BTHOME_RESET_SILENCE_US (60 * G_USEC_PER_SEC)

/*
 * NEW: first or higher counter; DUPLICATE: the same advert again;
 * RESET: lower counter after >= IGW_BTHOME_RESET_SILENCE_US of silence;
 * REPLAY: lower counter otherwise (refuse the advert). Pure: @now_us is
 * injected, only @state changes.
 */
IgwBthomeCounterVerdict
igw_bthome_replay_check(IgwBthomeReplayState *state, guint32 counter, gint64 now_us);
const gchar *
igw_bthome_counter_verdict_to_string(IgwBthomeCounterVerdict verdict);

G_END_DECLS
