/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <math.h>
#include <strophe.h>

#include "igw-error.h"
#include "igw-fuzz.h"
#include "igw-pubsub-codec.h"

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

/* every type, numbers with and without a range, and an enum */
static GPtrArray *
igw_fuzz_fields(void)
{
	static GPtrArray *fields = NULL;
	const gchar *modes[] = {"eco", "comfort", "", NULL};
	IgwField *field;
	if (fields != NULL)
		return fields;
	fields = g_ptr_array_new_with_free_func(g_object_unref);
	field = igw_field_new("temp", IGW_FIELD_TYPE_NUMERIC);
	igw_field_set_range(field, -40, 85);
	igw_field_set_decimals(field, 9);
	igw_field_set_unit(field, "°C");
	g_ptr_array_add(fields, field);
	field = igw_field_new("level", IGW_FIELD_TYPE_INTEGER);
	igw_field_set_range(field, 0, 100);
	igw_field_set_writable(field, TRUE);
	g_ptr_array_add(fields, field);
	g_ptr_array_add(fields, igw_field_new("on", IGW_FIELD_TYPE_BOOLEAN));
	g_ptr_array_add(fields, igw_field_new("label", IGW_FIELD_TYPE_STRING));
	field = igw_field_new("mode", IGW_FIELD_TYPE_ENUM);
	igw_field_set_enum_values(field, modes);
	g_ptr_array_add(fields, field);
	g_ptr_array_add(fields, igw_field_new("since", IGW_FIELD_TYPE_DATE_TIME));
	g_ptr_array_add(fields, igw_field_new("delay", IGW_FIELD_TYPE_DURATION));
	return fields;
}

static gboolean
igw_fuzz_is_text(const gchar *text)
{
	return text == NULL || g_utf8_validate(text, -1, NULL);
}

/* what the gateway publishes of a value it accepted must read back */
static void
igw_fuzz_check_round_trip(IgwField *field, GVariant *value)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) again = NULL;
	xmpp_stanza_t *val = igw_pubsub_new_val(igw_fuzz_ctx(), field, value);
	igw_fuzz_require(val != NULL);
	again = igw_pubsub_parse_val(field, val, &error);
	xmpp_stanza_release(val);
	igw_fuzz_require(again != NULL && error == NULL);
	switch (igw_field_get_value_type(field)) {
	case IGW_FIELD_TYPE_NUMERIC:
		igw_fuzz_require(fabs(g_variant_get_double(again) - g_variant_get_double(value)) <=
				 0.5e-9 + fabs(g_variant_get_double(value)) * 1e-15);
		break;
	case IGW_FIELD_TYPE_DATE_TIME:
		/* whole seconds */
		igw_fuzz_require(llabs(g_variant_get_int64(again) - g_variant_get_int64(value)) <
				 G_USEC_PER_SEC);
		break;
	default:
		igw_fuzz_require(g_variant_equal(again, value));
	}
}

static void
igw_fuzz_check_payload(xmpp_stanza_t *payload)
{
	GPtrArray *fields = igw_fuzz_fields();
	for (guint i = 0; i < fields->len; i++) {
		IgwField *field = g_ptr_array_index(fields, i);
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) value = igw_pubsub_parse_val(field, payload, &error);
		igw_fuzz_require((value == NULL) != (error == NULL));
		if (value == NULL) {
			igw_fuzz_require(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
			igw_fuzz_require(g_utf8_validate(error->message, -1, NULL));
			continue;
		}
		igw_fuzz_require(g_variant_is_of_type(
		    value, igw_field_type_to_variant_type(igw_field_get_value_type(field))));
		igw_fuzz_require(igw_field_check_value(field, value, NULL));
		igw_fuzz_check_round_trip(field, value);
	}
}

static void
igw_fuzz_check_event(xmpp_stanza_t *stanza)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) items = igw_pubsub_parse_event(stanza, &error);
	igw_fuzz_require((items == NULL) != (error == NULL));
	if (items == NULL) {
		igw_fuzz_require(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
		igw_fuzz_require(g_utf8_validate(error->message, -1, NULL));
		return;
	}
	for (guint i = 0; i < items->len; i++) {
		IgwPubsubEventItem *item = g_ptr_array_index(items, i);
		g_autofree gchar *name = igw_pubsub_item_field_name(item->item_id);
		igw_fuzz_require(item->node != NULL && *item->node != '\0');
		igw_fuzz_require(igw_fuzz_is_text(item->node) && igw_fuzz_is_text(item->item_id));
		igw_fuzz_require(igw_fuzz_is_text(item->publisher) && igw_fuzz_is_text(name));
		igw_fuzz_require(name == NULL || *name != '\0');
		if (item->payload != NULL)
			igw_fuzz_check_payload(item->payload);
	}
}

/* stanza -> event items XOR an error, node names, a condition; never a crash */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *text = igw_fuzz_strdup(data, size);
	g_autofree gchar *condition = NULL;
	g_auto(GStrv) nodes = NULL;
	xmpp_stanza_t *stanza;

	igw_fuzz_init();
	stanza = xmpp_stanza_new_from_string(igw_fuzz_ctx(), text);
	if (stanza == NULL)
		return 0;
	igw_fuzz_check_event(stanza);
	nodes = igw_pubsub_parse_disco_items(stanza);
	for (guint i = 0; nodes != NULL && nodes[i] != NULL; i++)
		igw_fuzz_require(g_utf8_validate(nodes[i], -1, NULL));
	condition = igw_pubsub_error_condition(stanza);
	igw_fuzz_require(condition == NULL ||
			 (*condition != '\0' && g_utf8_validate(condition, -1, NULL)));
	/* a <val/> on its own, as a control publish carries it */
	igw_fuzz_check_payload(stanza);
	xmpp_stanza_release(stanza);
	return 0;
}
