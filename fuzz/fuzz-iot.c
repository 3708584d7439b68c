/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <strophe.h>

#include "igw-error.h"
#include "igw-fuzz.h"
#include "igw-iot-codec.h"

static xmpp_ctx_t *
igw_fuzz_ctx(void)
{
	static xmpp_ctx_t *ctx = NULL;
	if (ctx == NULL) {
		xmpp_initialize();
		ctx = xmpp_ctx_new(NULL, NULL);
	}
	return ctx;
}

static gboolean
igw_fuzz_is_text(const gchar *text)
{
	return text != NULL && g_utf8_validate(text, -1, NULL);
}

static void
igw_fuzz_check_request(const IgwIotRequest *request)
{
	switch (request->kind) {
	case IGW_IOT_REQUEST_READ:
	case IGW_IOT_REQUEST_CANCEL:
		igw_fuzz_require(igw_fuzz_is_text(request->seqnr) && *request->seqnr != '\0');
		igw_fuzz_require((request->categories & ~IGW_IOT_CATEGORY_ALL) == 0);
		break;
	case IGW_IOT_REQUEST_SET:
		igw_fuzz_require(request->params->len > 0);
		for (guint i = 0; i < request->params->len; i++) {
			const IgwControlParam *param = g_ptr_array_index(request->params, i);
			igw_fuzz_require(igw_fuzz_is_text(param->name) &&
					 igw_fuzz_is_text(param->text));
			igw_fuzz_require(igw_fuzz_is_text(param->type));
		}
		break;
	case IGW_IOT_REQUEST_GET_FORM:
		igw_fuzz_require(request->params->len == 0);
		break;
	default:
		igw_fuzz_require(FALSE);
	}
}

/* the answer to anything decoded must encode: a rejection echoes what was sent */
static void
igw_fuzz_check_reply(const IgwIotCodec *codec, xmpp_stanza_t *stanza, const IgwIotRequest *request,
		     const GError *error)
{
	g_autoptr(IgwIotEvent) event =
	    igw_iot_event_new(IGW_IOT_EVENT_REJECTED, request != NULL ? request->seqnr : NULL);
	xmpp_stanza_t *reply;
	event->condition = igw_iot_condition_from_error(error);
	event->text = g_strdup(error != NULL ? error->message : "Access denied.");
	/* every profile can say it */
	for (guint i = IGW_IOT_PROFILE_SLIXMPP; i <= IGW_IOT_PROFILE_SMACK; i++) {
		event->profile = (IgwIotProfile)i;
		reply = codec->encode(stanza, event);
		igw_fuzz_require(reply != NULL);
		xmpp_stanza_release(reply);
	}
	if (request != NULL && request->kind == IGW_IOT_REQUEST_GET_FORM) {
		g_autoptr(IgwIotEvent) form = igw_iot_event_new(IGW_IOT_EVENT_FORM, NULL);
		reply = codec->encode(stanza, form);
		igw_fuzz_require(reply != NULL);
		xmpp_stanza_release(reply);
	}
}

/* stanza -> a request XOR an error, never a crash */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *text = igw_fuzz_strdup(data, size);
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwIotRequest) request = NULL;
	const IgwIotCodec *codec;
	xmpp_stanza_t *stanza;

	igw_fuzz_init();
	stanza = xmpp_stanza_new_from_string(igw_fuzz_ctx(), text);
	if (stanza == NULL)
		return 0;
	codec = igw_iot_codec_find(stanza);
	if (codec != NULL) {
		request = codec->decode(stanza, &error);
		igw_fuzz_require((request == NULL) != (error == NULL));
		if (request != NULL)
			igw_fuzz_check_request(request);
		else
			igw_fuzz_require(
			    g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA) ||
			    g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED));
		igw_fuzz_require(error == NULL || g_utf8_validate(error->message, -1, NULL));
		igw_fuzz_check_reply(codec, stanza, request, error);
	}
	xmpp_stanza_release(stanza);
	return 0;
}
