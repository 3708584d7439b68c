/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The gateway's own limits on what one peer may ask, whatever the server
 * lets through: the size of one request, and requests per sender per second.
 */
#define IGW_REQUEST_LIMIT_CHAT_BYTES 4096 /* one chat body */
#define IGW_REQUEST_LIMIT_ELEMENTS 256	  /* fields, nodes or parameters of one request */
#define IGW_REQUEST_LIMIT_BURST 20	  /* requests a sender may make at once */
#define IGW_REQUEST_LIMIT_RATE 5	  /* and then per second */
#define IGW_REQUEST_LIMIT_OWNER_BURST 200 /* owners script: more, in a bucket of their own */
#define IGW_REQUEST_LIMIT_OWNER_RATE 50
#define IGW_REQUEST_LIMIT_LOG_INTERVAL 60 /* seconds between two log lines about one sender */
/* senders remembered before idle ones are forgotten */
#define IGW_REQUEST_LIMIT_SENDERS 4096

/* the [xmpp] config keys of the same names (iotgwd.conf(5)) */
typedef struct {
	guint max_chat_bytes;
	guint max_request_elements;
	guint request_burst;
	guint request_rate;
	guint owner_request_burst;
	guint owner_request_rate;
} IgwRequestLimits;

#define IGW_REQUEST_LIMITS_DEFAULT                                                                 \
	{                                                                                          \
		IGW_REQUEST_LIMIT_CHAT_BYTES, IGW_REQUEST_LIMIT_ELEMENTS, IGW_REQUEST_LIMIT_BURST, \
		    IGW_REQUEST_LIMIT_RATE, IGW_REQUEST_LIMIT_OWNER_BURST,                         \
		    IGW_REQUEST_LIMIT_OWNER_RATE                                                   \
	}

typedef enum {
	IGW_REQUEST_LIMIT_ALLOW,
	IGW_REQUEST_LIMIT_REFUSE, /* the first refusal since the bucket ran dry: answer it */
	IGW_REQUEST_LIMIT_SILENT, /* every later one: say nothing */
} IgwRequestLimitVerdict;

/* a token bucket per key (a bare JID), and a log budget per key */
typedef struct _IgwRequestLimit IgwRequestLimit;

IgwRequestLimit *
igw_request_limit_new(guint burst, guint rate);
void
igw_request_limit_free(IgwRequestLimit *self);
IgwRequestLimitVerdict
igw_request_limit_take(IgwRequestLimit *self, const gchar *key, gint64 now_us);
/* TRUE: log a line about @key now, after *@suppressed lines that were not */
gboolean
igw_request_limit_may_log(IgwRequestLimit *self, const gchar *key, gint64 now_us,
			  guint *suppressed);

/* the same for a JID's bare part; a NULL @self always logs */
gboolean
igw_request_limit_may_log_jid(IgwRequestLimit *self, const gchar *jid, guint *suppressed);
/* "" or " (and N more since the last such line)", for the end of the line */
gchar *
igw_request_limit_format_suppressed(guint suppressed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwRequestLimit, igw_request_limit_free)

G_END_DECLS
