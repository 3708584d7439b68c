/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwLimit"

#include "config.h"

#include <string.h>

#include "igw-request-limit.h"

typedef struct {
	gdouble tokens;
	gint64 refilled; /* µs, monotonic */
	gboolean refused;
	gint64 logged; /* µs, monotonic; 0: never */
	guint suppressed;
} IgwRequestBucket;

struct _IgwRequestLimit {
	guint burst;
	guint rate;
	GHashTable *buckets; /* key -> IgwRequestBucket */
};

IgwRequestLimit *
igw_request_limit_new(guint burst, guint rate)
{
	IgwRequestLimit *self = g_new0(IgwRequestLimit, 1);
	self->burst = MAX(burst, 1);
	self->rate = MAX(rate, 1);
	self->buckets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return self;
}

void
igw_request_limit_free(IgwRequestLimit *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->buckets);
	g_free(self);
}

static void
igw_request_limit_refill(IgwRequestLimit *self, IgwRequestBucket *bucket, gint64 now_us)
{
	gdouble earned = (gdouble)(now_us - bucket->refilled) * self->rate / G_USEC_PER_SEC;
	if (earned <= 0)
		return;
	bucket->tokens = MIN(bucket->tokens + earned, (gdouble)self->burst);
	bucket->refilled = now_us;
}

/* forget senders that are quiet again, so that many names cannot grow the table */
static void
igw_request_limit_prune(IgwRequestLimit *self, gint64 now_us)
{
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, self->buckets);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwRequestBucket *bucket = value;
		igw_request_limit_refill(self, bucket, now_us);
		if (bucket->tokens >= self->burst && bucket->suppressed == 0)
			g_hash_table_iter_remove(&iter);
	}
}

static IgwRequestBucket *
igw_request_limit_lookup(IgwRequestLimit *self, const gchar *key, gint64 now_us)
{
	IgwRequestBucket *bucket = g_hash_table_lookup(self->buckets, key);
	if (bucket != NULL) {
		igw_request_limit_refill(self, bucket, now_us);
		return bucket;
	}
	if (g_hash_table_size(self->buckets) >= IGW_REQUEST_LIMIT_SENDERS)
		igw_request_limit_prune(self, now_us);
	bucket = g_new0(IgwRequestBucket, 1);
	bucket->tokens = self->burst;
	bucket->refilled = now_us;
	g_hash_table_insert(self->buckets, g_strdup(key), bucket);
	return bucket;
}

IgwRequestLimitVerdict
igw_request_limit_take(IgwRequestLimit *self, const gchar *key, gint64 now_us)
{
	IgwRequestBucket *bucket = igw_request_limit_lookup(self, key, now_us);
	if (bucket->tokens >= 1) {
		bucket->tokens -= 1;
		bucket->refused = FALSE;
		return IGW_REQUEST_LIMIT_ALLOW;
	}
	if (bucket->refused)
		return IGW_REQUEST_LIMIT_SILENT;
	bucket->refused = TRUE;
	return IGW_REQUEST_LIMIT_REFUSE;
}

gboolean
igw_request_limit_may_log(IgwRequestLimit *self, const gchar *key, gint64 now_us, guint *suppressed)
{
	IgwRequestBucket *bucket = igw_request_limit_lookup(self, key, now_us);
	if (bucket->logged != 0 &&
	    now_us - bucket->logged < (gint64)IGW_REQUEST_LIMIT_LOG_INTERVAL * G_USEC_PER_SEC) {
		bucket->suppressed++;
		return FALSE;
	}
	*suppressed = bucket->suppressed;
	bucket->suppressed = 0;
	bucket->logged = now_us;
	return TRUE;
}

gboolean
igw_request_limit_may_log_jid(IgwRequestLimit *self, const gchar *jid, guint *suppressed)
{
	g_autofree gchar *bare = NULL;
	*suppressed = 0;
	if (self == NULL || jid == NULL)
		return TRUE;
	bare = g_utf8_strdown(jid, strcspn(jid, "/"));
	return igw_request_limit_may_log(self, bare, g_get_monotonic_time(), suppressed);
}

gchar *
igw_request_limit_format_suppressed(guint suppressed)
{
	if (suppressed == 0)
		return g_strdup("");
	return g_strdup_printf(" (and %u more since the last such line)", suppressed);
}
