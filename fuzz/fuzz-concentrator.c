/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <strophe.h>

#include "igw-concentrator-codec.h"
#include "igw-error.h"
#include "igw-fuzz.h"

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
igw_fuzz_is_id(const gchar *text)
{
	return text != NULL && *text != '\0' && g_utf8_validate(text, -1, NULL);
}

static void
igw_fuzz_check_request(const IgwConcentratorRequest *request)
{
	igw_fuzz_require(request->op < IGW_CONCENTRATOR_OP_LAST);
	igw_fuzz_require(request->source_id == NULL || igw_fuzz_is_id(request->source_id));
	igw_fuzz_require((request->events & ~IGW_CONCENTRATOR_EVENT_ALL) == 0);
	igw_fuzz_require(request->name == NULL || g_utf8_validate(request->name, -1, NULL));
	for (guint i = 0; i < request->nodes->len; i++) {
		const IgwConcentratorNodeRef *ref = g_ptr_array_index(request->nodes, i);
		igw_fuzz_require(igw_fuzz_is_id(ref->node_id));
		igw_fuzz_require(ref->source_id == NULL || igw_fuzz_is_id(ref->source_id));
	}
	if (request->op == IGW_CONCENTRATOR_OP_GET_NODE ||
	    request->op == IGW_CONCENTRATOR_OP_CONTAINS_NODE)
		igw_fuzz_require(request->nodes->len == 1);
}

/* whatever was asked, every kind of answer encodes, in both dialects */
static void
igw_fuzz_check_replies(xmpp_stanza_t *stanza, const IgwConcentratorRequest *request,
		       const GError *error)
{
	const IgwConcentratorCodec *codecs[] = {igw_concentrator_codec_xsf(),
						igw_concentrator_codec_nf()};
	IgwConcentratorOp op = request != NULL ? request->op : IGW_CONCENTRATOR_OP_LAST;
	for (guint kind = IGW_CONCENTRATOR_RESULT_OK; kind <= IGW_CONCENTRATOR_RESULT_NODE_REMOVED;
	     kind++) {
		g_autoptr(IgwConcentratorResult) result = igw_concentrator_result_new(kind, op);
		gboolean yes = TRUE;
		result->condition = igw_iot_condition_from_error(error);
		result->text = g_strdup(error != NULL ? error->message : "Access denied.");
		result->strings = g_strsplit("getCapabilities", " ", -1);
		result->parameters = TRUE;
		g_array_append_val(result->bools, yes);
		for (guint i = 0; request != NULL && i < request->nodes->len; i++) {
			const IgwConcentratorNodeRef *ref = g_ptr_array_index(request->nodes, i);
			IgwConcentratorNode *node =
			    igw_concentrator_node_new(ref->node_id, ref->source_id);
			node->name = g_strdup(request->name);
			igw_concentrator_node_add_param(node, "string", "name", request->name);
			g_ptr_array_add(result->nodes, node);
		}
		for (guint i = 0; i < G_N_ELEMENTS(codecs); i++) {
			xmpp_stanza_t *reply =
			    kind >= IGW_CONCENTRATOR_RESULT_NODE_ADDED
				? codecs[i]->encode_event(igw_fuzz_ctx(), "a@b/c", result)
				: codecs[i]->encode(stanza, result);
			igw_fuzz_require(reply != NULL);
			xmpp_stanza_release(reply);
		}
	}
}

/* stanza -> a request XOR an error, never a crash */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *text = igw_fuzz_strdup(data, size);
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwConcentratorRequest) request = NULL;
	const IgwConcentratorCodec *codec;
	xmpp_stanza_t *stanza;

	igw_fuzz_init();
	stanza = xmpp_stanza_new_from_string(igw_fuzz_ctx(), text);
	if (stanza == NULL)
		return 0;
	codec = igw_concentrator_codec_find(stanza);
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
		igw_fuzz_check_replies(stanza, request, error);
	}
	xmpp_stanza_release(stanza);
	return 0;
}
