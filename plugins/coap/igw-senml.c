/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwSenml"

/*
 * libcbor: the well-kept CBOR library in Debian (libcbor-dev, 0.8 in bookworm),
 * used by libfido2 and systemd; we use its tree loader after our own bounds check
 */
#include <cbor.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "igw-senml.h"
#include "iotgw-plugin.h"

/* RFC 8428 §4.5.3: from here on a time is absolute UNIX time, below relative to now */
#define IGW_SENML_TIME_ABSOLUTE 268435456.0 /* 2^28 */
#define IGW_SENML_VERSION 10
/* SenML needs array -> map -> value; anything much deeper is not SenML */
#define IGW_SENML_CBOR_MAX_DEPTH 16

/* the fields of RFC 8428 §4 and §6, in one table for both encodings */
typedef enum {
	IGW_SENML_FIELD_BVER,
	IGW_SENML_FIELD_BN,
	IGW_SENML_FIELD_BT,
	IGW_SENML_FIELD_BU,
	IGW_SENML_FIELD_BV,
	IGW_SENML_FIELD_BS,
	IGW_SENML_FIELD_N,
	IGW_SENML_FIELD_U,
	IGW_SENML_FIELD_V,
	IGW_SENML_FIELD_VS,
	IGW_SENML_FIELD_VB,
	IGW_SENML_FIELD_VD,
	IGW_SENML_FIELD_S,
	IGW_SENML_FIELD_T,
	IGW_SENML_FIELD_UT,
	IGW_SENML_FIELD_LAST
} IgwSenmlField;

typedef enum {
	IGW_SENML_KIND_NUMBER,
	IGW_SENML_KIND_STRING,
	IGW_SENML_KIND_BOOLEAN,
	IGW_SENML_KIND_DATA,
} IgwSenmlKind;

typedef struct {
	const gchar *label;
	gint cbor_label;
	IgwSenmlKind kind;
} IgwSenmlFieldInfo;

static const IgwSenmlFieldInfo igw_senml_fields[] = {
    [IGW_SENML_FIELD_BVER] = {"bver", -1, IGW_SENML_KIND_NUMBER},
    [IGW_SENML_FIELD_BN] = {"bn", -2, IGW_SENML_KIND_STRING},
    [IGW_SENML_FIELD_BT] = {"bt", -3, IGW_SENML_KIND_NUMBER},
    [IGW_SENML_FIELD_BU] = {"bu", -4, IGW_SENML_KIND_STRING},
    [IGW_SENML_FIELD_BV] = {"bv", -5, IGW_SENML_KIND_NUMBER},
    [IGW_SENML_FIELD_BS] = {"bs", -6, IGW_SENML_KIND_NUMBER},
    [IGW_SENML_FIELD_N] = {"n", 0, IGW_SENML_KIND_STRING},
    [IGW_SENML_FIELD_U] = {"u", 1, IGW_SENML_KIND_STRING},
    [IGW_SENML_FIELD_V] = {"v", 2, IGW_SENML_KIND_NUMBER},
    [IGW_SENML_FIELD_VS] = {"vs", 3, IGW_SENML_KIND_STRING},
    [IGW_SENML_FIELD_VB] = {"vb", 4, IGW_SENML_KIND_BOOLEAN},
    [IGW_SENML_FIELD_VD] = {"vd", 8, IGW_SENML_KIND_DATA},
    [IGW_SENML_FIELD_S] = {"s", 5, IGW_SENML_KIND_NUMBER},
    [IGW_SENML_FIELD_T] = {"t", 6, IGW_SENML_KIND_NUMBER},
    [IGW_SENML_FIELD_UT] = {"ut", 7, IGW_SENML_KIND_NUMBER},
};

/* one record as read, before the base fields are applied */
typedef struct {
	guint index; /* 1-based, for messages */
	guint present;
	gdouble number[IGW_SENML_FIELD_LAST];
	gchar *string[IGW_SENML_FIELD_LAST];
	gboolean boolean;
} IgwSenmlRaw;

/* the base fields in force, carried from record to record */
typedef struct {
	gchar *bn;
	gchar *bu;
	gdouble bt;
	gdouble bv;
	gdouble bs;
	gdouble now;
} IgwSenmlBase;

void
igw_senml_record_free(IgwSenmlRecord *record)
{
	if (record == NULL)
		return;
	g_free(record->name);
	g_free(record->unit);
	g_free(record->string);
	g_free(record);
}

static void
igw_senml_raw_clear(IgwSenmlRaw *raw)
{
	for (guint i = 0; i < IGW_SENML_FIELD_LAST; i++)
		g_clear_pointer(&raw->string[i], g_free);
	raw->present = 0;
}

static void
igw_senml_base_clear(IgwSenmlBase *base)
{
	g_clear_pointer(&base->bn, g_free);
	g_clear_pointer(&base->bu, g_free);
}

static gboolean
igw_senml_raw_has(const IgwSenmlRaw *raw, IgwSenmlField field)
{
	return (raw->present & (1u << field)) != 0;
}

gboolean
igw_senml_name_is_valid(const gchar *name)
{
	if (name == NULL)
		return FALSE;
	if (name[0] == '\0')
		return TRUE;
	if (!g_ascii_isalnum(name[0]))
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && strchr("-:./_", *p) == NULL)
			return FALSE;
	}
	return TRUE;
}

const gchar *
igw_senml_unit_display(const gchar *unit)
{
	static const struct {
		const gchar *senml;
		const gchar *display;
	} map[] = {
	    {"Cel", "°C"},   {"%RH", "%"}, {"%EL", "%"},
	    {"count", NULL}, {"/", NULL},  {"beat/min", "bpm"},
	};
	if (unit == NULL)
		return NULL;
	for (guint i = 0; i < G_N_ELEMENTS(map); i++) {
		if (g_strcmp0(unit, map[i].senml) == 0)
			return map[i].display;
	}
	return unit;
}

/* base64url without padding (RFC 8428 §5), as vd must be in JSON */
static gboolean
igw_senml_is_base64url(const gchar *text)
{
	gsize len = strlen(text);
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(text[i]) && text[i] != '-' && text[i] != '_')
			return FALSE;
	}
	/* one character left over carries fewer than 8 bits */
	return len % 4 != 1;
}

static gchar *
igw_senml_base64url_encode(const guint8 *data, gsize len)
{
	gchar *text = g_base64_encode(data, len);
	gsize out = 0;
	for (gsize i = 0; text[i] != '\0'; i++) {
		if (text[i] == '=')
			break;
		text[out++] = text[i] == '+' ? '-' : text[i] == '/' ? '_' : text[i];
	}
	text[out] = '\0';
	return text;
}

static gboolean
igw_senml_raw_set_number(IgwSenmlRaw *raw, IgwSenmlField field, gdouble number, GError **error)
{
	if (!isfinite(number)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML record %u: %s is not a finite number", raw->index,
			    igw_senml_fields[field].label);
		return FALSE;
	}
	raw->number[field] = number;
	return TRUE;
}

/* strings end up in chat messages and on D-Bus: valid UTF-8 without NUL only */
static gboolean
igw_senml_raw_set_string(IgwSenmlRaw *raw, IgwSenmlField field, const gchar *text, gsize len,
			 GError **error)
{
	if (!g_utf8_validate_len(text, len, NULL)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML record %u: %s is not valid UTF-8", raw->index,
			    igw_senml_fields[field].label);
		return FALSE;
	}
	if (field == IGW_SENML_FIELD_VD && !igw_senml_is_base64url(text)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML record %u: vd is not base64url", raw->index);
		return FALSE;
	}
	g_free(raw->string[field]);
	/* an empty CBOR string has no data at all */
	raw->string[field] = len > 0 ? g_strndup(text, len) : g_strdup("");
	return TRUE;
}

static gboolean
igw_senml_raw_mark(IgwSenmlRaw *raw, IgwSenmlField field, GError **error)
{
	if (igw_senml_raw_has(raw, field)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML record %u: %s given twice", raw->index,
			    igw_senml_fields[field].label);
		return FALSE;
	}
	raw->present |= 1u << field;
	return TRUE;
}

/* RFC 8428 §4.4: an unknown label ending in "_" must be understood, others are ignored */
static gboolean
igw_senml_check_unknown(const IgwSenmlRaw *raw, const gchar *label, GError **error)
{
	if (g_str_has_suffix(label, "_")) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML record %u: unknown must-understand field '%s'", raw->index,
			    label);
		return FALSE;
	}
	return TRUE;
}

static gint
igw_senml_field_from_label(const gchar *label)
{
	for (guint i = 0; i < IGW_SENML_FIELD_LAST; i++) {
		if (g_strcmp0(igw_senml_fields[i].label, label) == 0)
			return (gint)i;
	}
	return -1;
}

static gint
igw_senml_field_from_cbor_label(gint64 label)
{
	for (guint i = 0; i < IGW_SENML_FIELD_LAST; i++) {
		if (igw_senml_fields[i].cbor_label == label)
			return (gint)i;
	}
	return -1;
}

static const gchar *
igw_senml_kind_to_string(IgwSenmlKind kind)
{
	switch (kind) {
	case IGW_SENML_KIND_NUMBER:
		return "a number";
	case IGW_SENML_KIND_STRING:
		return "a string";
	case IGW_SENML_KIND_BOOLEAN:
		return "a boolean";
	case IGW_SENML_KIND_DATA:
		return "data";
	default:
		return "valid";
	}
}

static gboolean
igw_senml_error_type(const IgwSenmlRaw *raw, IgwSenmlField field, GError **error)
{
	g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "SenML record %u: %s is not %s",
		    raw->index, igw_senml_fields[field].label,
		    igw_senml_kind_to_string(igw_senml_fields[field].kind));
	return FALSE;
}

/* the values of a record: exactly one of v, vs, vb, vd, or none when there is a sum */
static gboolean
igw_senml_check_values(const IgwSenmlRaw *raw, GError **error)
{
	const IgwSenmlField values[] = {IGW_SENML_FIELD_V, IGW_SENML_FIELD_VS, IGW_SENML_FIELD_VB,
					IGW_SENML_FIELD_VD};
	gint first = -1;
	for (guint i = 0; i < G_N_ELEMENTS(values); i++) {
		if (!igw_senml_raw_has(raw, values[i]))
			continue;
		if (first >= 0) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "SenML record %u: both %s and %s", raw->index,
				    igw_senml_fields[first].label,
				    igw_senml_fields[values[i]].label);
			return FALSE;
		}
		first = values[i];
	}
	if (first < 0 && !igw_senml_raw_has(raw, IGW_SENML_FIELD_S)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML record %u: no value (v, vs, vb, vd or s)", raw->index);
		return FALSE;
	}
	return TRUE;
}

/* take over the base fields of @raw: they apply to it and to every later record */
static gboolean
igw_senml_base_update(IgwSenmlBase *base, IgwSenmlRaw *raw, GError **error)
{
	if (igw_senml_raw_has(raw, IGW_SENML_FIELD_BVER) &&
	    raw->number[IGW_SENML_FIELD_BVER] > IGW_SENML_VERSION) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML record %u: bver %g is newer than %d", raw->index,
			    raw->number[IGW_SENML_FIELD_BVER], IGW_SENML_VERSION);
		return FALSE;
	}
	if (igw_senml_raw_has(raw, IGW_SENML_FIELD_BN)) {
		g_free(base->bn);
		base->bn = g_steal_pointer(&raw->string[IGW_SENML_FIELD_BN]);
	}
	if (igw_senml_raw_has(raw, IGW_SENML_FIELD_BU)) {
		g_free(base->bu);
		base->bu = g_steal_pointer(&raw->string[IGW_SENML_FIELD_BU]);
	}
	if (igw_senml_raw_has(raw, IGW_SENML_FIELD_BT))
		base->bt = raw->number[IGW_SENML_FIELD_BT];
	if (igw_senml_raw_has(raw, IGW_SENML_FIELD_BV))
		base->bv = raw->number[IGW_SENML_FIELD_BV];
	if (igw_senml_raw_has(raw, IGW_SENML_FIELD_BS))
		base->bs = raw->number[IGW_SENML_FIELD_BS];
	return TRUE;
}

static gboolean
igw_senml_check_finite(const IgwSenmlRaw *raw, const gchar *what, gdouble number, GError **error)
{
	if (isfinite(number))
		return TRUE;
	g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
		    "SenML record %u: resolved %s is not a finite number", raw->index, what);
	return FALSE;
}

static void
igw_senml_record_set_value(IgwSenmlRecord *record, IgwSenmlRaw *raw, const IgwSenmlBase *base)
{
	if (igw_senml_raw_has(raw, IGW_SENML_FIELD_VS)) {
		record->type = IGW_SENML_STRING;
		record->string = g_steal_pointer(&raw->string[IGW_SENML_FIELD_VS]);
	} else if (igw_senml_raw_has(raw, IGW_SENML_FIELD_VB)) {
		record->type = IGW_SENML_BOOLEAN;
		record->boolean = raw->boolean;
	} else if (igw_senml_raw_has(raw, IGW_SENML_FIELD_VD)) {
		record->type = IGW_SENML_DATA;
		record->string = g_steal_pointer(&raw->string[IGW_SENML_FIELD_VD]);
	} else if (igw_senml_raw_has(raw, IGW_SENML_FIELD_V)) {
		record->type = IGW_SENML_NUMBER;
		record->number = raw->number[IGW_SENML_FIELD_V] + base->bv;
	} else {
		/* a record with only a sum: a number without a value */
		record->type = IGW_SENML_NUMBER;
		record->number = NAN;
	}
}

static IgwSenmlRecord *
igw_senml_resolve(IgwSenmlBase *base, IgwSenmlRaw *raw, GError **error)
{
	g_autoptr(IgwSenmlRecord) record = g_new0(IgwSenmlRecord, 1);
	const gchar *n = raw->string[IGW_SENML_FIELD_N];
	const gchar *unit = raw->string[IGW_SENML_FIELD_U];

	if (!igw_senml_base_update(base, raw, error))
		return NULL;
	if (!igw_senml_check_values(raw, error))
		return NULL;
	record->name = g_strconcat(base->bn != NULL ? base->bn : "", n != NULL ? n : "", NULL);
	if (!igw_senml_name_is_valid(record->name)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML record %u: name '%s' breaks RFC 8428's character rules",
			    raw->index, record->name);
		return NULL;
	}
	if (unit == NULL)
		unit = base->bu;
	record->unit = unit != NULL && unit[0] != '\0' ? g_strdup(unit) : NULL;
	igw_senml_record_set_value(record, raw, base);
	if (record->type == IGW_SENML_NUMBER && igw_senml_raw_has(raw, IGW_SENML_FIELD_V) &&
	    !igw_senml_check_finite(raw, "v", record->number, error))
		return NULL;
	if (igw_senml_raw_has(raw, IGW_SENML_FIELD_S)) {
		record->has_sum = TRUE;
		record->sum = raw->number[IGW_SENML_FIELD_S] + base->bs;
		if (!igw_senml_check_finite(raw, "s", record->sum, error))
			return NULL;
	}
	record->time = base->bt + raw->number[IGW_SENML_FIELD_T];
	if (record->time < IGW_SENML_TIME_ABSOLUTE)
		record->time += base->now;
	if (!igw_senml_check_finite(raw, "t", record->time, error))
		return NULL;
	record->update_time = raw->number[IGW_SENML_FIELD_UT];
	return g_steal_pointer(&record);
}

static gboolean
igw_senml_check_len(gsize len, GError **error)
{
	if (len > IGW_SENML_MAX_LEN) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML pack of %" G_GSIZE_FORMAT " bytes is more than %d", len,
			    IGW_SENML_MAX_LEN);
		return FALSE;
	}
	if (len == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "SenML pack is empty");
		return FALSE;
	}
	return TRUE;
}

/* JSON (content-format 110) */

static gboolean
igw_senml_json_read_value(IgwSenmlRaw *raw, IgwSenmlField field, JsonNode *node, GError **error)
{
	GType type = JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node) : G_TYPE_INVALID;
	const gchar *text;

	switch (igw_senml_fields[field].kind) {
	case IGW_SENML_KIND_NUMBER:
		if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
			return igw_senml_error_type(raw, field, error);
		return igw_senml_raw_set_number(raw, field, json_node_get_double(node), error);
	case IGW_SENML_KIND_BOOLEAN:
		if (type != G_TYPE_BOOLEAN)
			return igw_senml_error_type(raw, field, error);
		raw->boolean = json_node_get_boolean(node);
		return TRUE;
	case IGW_SENML_KIND_STRING:
	case IGW_SENML_KIND_DATA:
		if (type != G_TYPE_STRING)
			return igw_senml_error_type(raw, field, error);
		text = json_node_get_string(node);
		return igw_senml_raw_set_string(raw, field, text, strlen(text), error);
	default:
		return igw_senml_error_type(raw, field, error);
	}
}

static gboolean
igw_senml_json_read_record(IgwSenmlRaw *raw, JsonNode *node, GError **error)
{
	JsonObject *object;
	JsonObjectIter iter;
	const gchar *label;
	JsonNode *member;

	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML record %u: not an object", raw->index);
		return FALSE;
	}
	object = json_node_get_object(node);
	json_object_iter_init(&iter, object);
	while (json_object_iter_next(&iter, &label, &member)) {
		gint field = igw_senml_field_from_label(label);
		if (field < 0) {
			if (!igw_senml_check_unknown(raw, label, error))
				return FALSE;
			continue;
		}
		if (!igw_senml_raw_mark(raw, field, error))
			return FALSE;
		if (!igw_senml_json_read_value(raw, field, member, error))
			return FALSE;
	}
	return TRUE;
}

/* records -> resolved records, whatever the encoding; @read_cb fills one raw record */
typedef gboolean (*IgwSenmlReadFunc)(IgwSenmlRaw *raw, gpointer item, GError **error);

static GPtrArray *
igw_senml_resolve_all(gpointer *items, guint n_items, IgwSenmlReadFunc read_cb, gdouble now,
		      GError **error)
{
	g_autoptr(GPtrArray) records =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_senml_record_free);
	IgwSenmlBase base = {.now = now};

	for (guint i = 0; i < n_items; i++) {
		IgwSenmlRaw raw = {.index = i + 1};
		IgwSenmlRecord *record = NULL;
		if (read_cb(&raw, items[i], error))
			record = igw_senml_resolve(&base, &raw, error);
		igw_senml_raw_clear(&raw);
		if (record == NULL) {
			igw_senml_base_clear(&base);
			return NULL;
		}
		g_ptr_array_add(records, record);
	}
	igw_senml_base_clear(&base);
	return g_steal_pointer(&records);
}

static gboolean
igw_senml_json_read_cb(IgwSenmlRaw *raw, gpointer item, GError **error)
{
	return igw_senml_json_read_record(raw, item, error);
}

/*
 * one top-level array and nothing after it: json-glib 1.6 leaks the values it
 * parses after the root, so text after the closing "]" never reaches it
 */
static gboolean
igw_senml_json_check_root(const gchar *data, gsize len, GError **error)
{
	gsize i = 0;
	guint depth = 0;

	while (i < len && g_ascii_isspace(data[i]))
		i++;
	if (i >= len || data[i] != '[') {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "SenML JSON is not an array of records");
		return FALSE;
	}
	for (; i < len; i++) {
		if (data[i] == '"') {
			for (i++; i < len && data[i] != '"'; i++) {
				if (data[i] == '\\')
					i++;
			}
		} else if (data[i] == '[' || data[i] == '{') {
			depth++;
		} else if (data[i] == ']' || data[i] == '}') {
			if (--depth == 0)
				break;
		}
	}
	/* unterminated: json-glib says what is wrong */
	for (i++; i < len; i++) {
		if (!g_ascii_isspace(data[i])) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "SenML JSON: text after the pack at byte %" G_GSIZE_FORMAT, i);
			return FALSE;
		}
	}
	return TRUE;
}

GPtrArray *
igw_senml_parse_json(const gchar *data, gsize len, gdouble now, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GList) elements = NULL;
	g_autofree gpointer *items = NULL;
	JsonNode *root;
	guint n_items;
	guint i = 0;

	if (!igw_senml_check_len(len, error))
		return NULL;
	/* refuses NUL bytes too: json-glib would see a shorter text */
	if (!g_utf8_validate_len(data, len, NULL)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "SenML JSON is not valid UTF-8");
		return NULL;
	}
	if (!igw_senml_json_check_root(data, len, error))
		return NULL;
	if (!json_parser_load_from_data(parser, data, (gssize)len, &error_local)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "SenML JSON: %s",
			    error_local->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_ARRAY(root)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "SenML JSON is not an array of records");
		return NULL;
	}
	elements = json_array_get_elements(json_node_get_array(root));
	n_items = g_list_length(elements);
	items = g_new0(gpointer, n_items + 1);
	for (GList *l = elements; l != NULL; l = l->next)
		items[i++] = l->data;
	return igw_senml_resolve_all(items, n_items, igw_senml_json_read_cb, now, error);
}

/* CBOR (content-format 112) */

/*
 * libcbor 0.8's cbor_load() allocates what an array or map header declares before
 * it has seen the items, and frees nested items recursively. So walk the bytes
 * with the streaming decoder first: every declared item must fit in the bytes
 * left (all of them together too), nesting stays shallow, and the input is
 * exactly one complete item
 */
typedef struct {
	gsize offset;	/* where the current item starts */
	gsize len;	/* the whole input */
	gsize declared; /* items declared by all headers so far */
	gint64
	    remaining[IGW_SENML_CBOR_MAX_DEPTH]; /* items left per open container, -1: indefinite */
	guint depth;
	gboolean done; /* the top-level item is complete */
	gboolean bad;
	const gchar *reason;
} IgwSenmlCborScan;

static void
igw_senml_cbor_fail(IgwSenmlCborScan *scan, const gchar *reason)
{
	if (!scan->bad)
		scan->reason = reason;
	scan->bad = TRUE;
}

/* one item is complete: count it against its container, close the full ones */
static void
igw_senml_cbor_item_done(IgwSenmlCborScan *scan)
{
	while (scan->depth > 0) {
		gint64 *left = &scan->remaining[scan->depth - 1];
		if (*left < 0)
			return;
		(*left)--;
		if (*left > 0)
			return;
		scan->depth--;
	}
	scan->done = TRUE;
}

static void
igw_senml_cbor_open(IgwSenmlCborScan *scan, gint64 items)
{
	if (scan->depth >= IGW_SENML_CBOR_MAX_DEPTH) {
		igw_senml_cbor_fail(scan, "nested too deep");
		return;
	}
	if (items == 0) {
		igw_senml_cbor_item_done(scan);
		return;
	}
	scan->remaining[scan->depth++] = items;
}

static void
igw_senml_cbor_open_definite(IgwSenmlCborScan *scan, size_t size, guint per_item)
{
	gsize left = scan->len - scan->offset;
	if (size > left / per_item || scan->declared + size * per_item > scan->len) {
		igw_senml_cbor_fail(scan, "a length is larger than the data");
		return;
	}
	scan->declared += size * per_item;
	igw_senml_cbor_open(scan, (gint64)(size * per_item));
}

static void
igw_senml_cbor_array_cb(void *context, size_t size)
{
	igw_senml_cbor_open_definite(context, size, 1);
}

static void
igw_senml_cbor_map_cb(void *context, size_t size)
{
	igw_senml_cbor_open_definite(context, size, 2);
}

static void
igw_senml_cbor_indef_cb(void *context)
{
	igw_senml_cbor_open(context, -1);
}

static void
igw_senml_cbor_break_cb(void *context)
{
	IgwSenmlCborScan *scan = context;
	if (scan->depth == 0 || scan->remaining[scan->depth - 1] >= 0) {
		igw_senml_cbor_fail(scan, "unexpected break");
		return;
	}
	scan->depth--;
	igw_senml_cbor_item_done(scan);
}

/* a tag is followed by the one item it tags */
static void
igw_senml_cbor_tag_cb(void *context, uint64_t value)
{
	igw_senml_cbor_open(context, 1);
}

static void
igw_senml_cbor_leaf_cb(void *context)
{
	igw_senml_cbor_item_done(context);
}

static void
igw_senml_cbor_u8_cb(void *context, uint8_t value)
{
	igw_senml_cbor_item_done(context);
}

static void
igw_senml_cbor_u16_cb(void *context, uint16_t value)
{
	igw_senml_cbor_item_done(context);
}

static void
igw_senml_cbor_u32_cb(void *context, uint32_t value)
{
	igw_senml_cbor_item_done(context);
}

static void
igw_senml_cbor_u64_cb(void *context, uint64_t value)
{
	igw_senml_cbor_item_done(context);
}

static void
igw_senml_cbor_string_cb(void *context, cbor_data data, size_t len)
{
	igw_senml_cbor_item_done(context);
}

static void
igw_senml_cbor_float_cb(void *context, float value)
{
	igw_senml_cbor_item_done(context);
}

static void
igw_senml_cbor_double_cb(void *context, double value)
{
	igw_senml_cbor_item_done(context);
}

static void
igw_senml_cbor_bool_cb(void *context, bool value)
{
	igw_senml_cbor_item_done(context);
}

static const struct cbor_callbacks igw_senml_cbor_scan_callbacks = {
    .uint8 = igw_senml_cbor_u8_cb,
    .uint16 = igw_senml_cbor_u16_cb,
    .uint32 = igw_senml_cbor_u32_cb,
    .uint64 = igw_senml_cbor_u64_cb,
    .negint8 = igw_senml_cbor_u8_cb,
    .negint16 = igw_senml_cbor_u16_cb,
    .negint32 = igw_senml_cbor_u32_cb,
    .negint64 = igw_senml_cbor_u64_cb,
    .byte_string_start = igw_senml_cbor_indef_cb,
    .byte_string = igw_senml_cbor_string_cb,
    .string = igw_senml_cbor_string_cb,
    .string_start = igw_senml_cbor_indef_cb,
    .indef_array_start = igw_senml_cbor_indef_cb,
    .array_start = igw_senml_cbor_array_cb,
    .indef_map_start = igw_senml_cbor_indef_cb,
    .map_start = igw_senml_cbor_map_cb,
    .tag = igw_senml_cbor_tag_cb,
    .float2 = igw_senml_cbor_float_cb,
    .float4 = igw_senml_cbor_float_cb,
    .float8 = igw_senml_cbor_double_cb,
    .undefined = igw_senml_cbor_leaf_cb,
    .null = igw_senml_cbor_leaf_cb,
    .boolean = igw_senml_cbor_bool_cb,
    .indef_break = igw_senml_cbor_break_cb,
};

static gboolean
igw_senml_cbor_check(const guint8 *data, gsize len, GError **error)
{
	IgwSenmlCborScan scan = {.len = len};

	while (!scan.done && !scan.bad) {
		struct cbor_decoder_result result;
		if (scan.offset >= len) {
			igw_senml_cbor_fail(&scan, "truncated");
			break;
		}
		result = cbor_stream_decode(data + scan.offset, len - scan.offset,
					    &igw_senml_cbor_scan_callbacks, &scan);
		if (result.status != CBOR_DECODER_FINISHED || result.read == 0) {
			igw_senml_cbor_fail(&scan, result.status == CBOR_DECODER_NEDATA
						       ? "truncated"
						       : "malformed");
			break;
		}
		if (!scan.bad)
			scan.offset += result.read;
	}
	if (!scan.bad && scan.offset != len)
		igw_senml_cbor_fail(&scan, "trailing bytes after the pack");
	if (scan.bad) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML CBOR is not well-formed: %s at byte %" G_GSIZE_FORMAT,
			    scan.reason, scan.offset);
		return FALSE;
	}
	return TRUE;
}

/* a text or byte string, definite or in chunks */
static GByteArray *
igw_senml_cbor_get_bytes(cbor_item_t *item)
{
	gboolean text = cbor_isa_string(item);
	GByteArray *bytes = g_byte_array_new();
	if (text ? cbor_string_is_definite(item) : cbor_bytestring_is_definite(item)) {
		gsize len = text ? cbor_string_length(item) : cbor_bytestring_length(item);
		guint8 *handle = text ? cbor_string_handle(item) : cbor_bytestring_handle(item);
		if (handle != NULL && len > 0)
			g_byte_array_append(bytes, handle, len);
		return bytes;
	}
	for (gsize i = 0;
	     i < (text ? cbor_string_chunk_count(item) : cbor_bytestring_chunk_count(item)); i++) {
		cbor_item_t **chunks =
		    text ? cbor_string_chunks_handle(item) : cbor_bytestring_chunks_handle(item);
		g_autoptr(GByteArray) chunk = igw_senml_cbor_get_bytes(chunks[i]);
		g_byte_array_append(bytes, chunk->data, chunk->len);
	}
	return bytes;
}

static gboolean
igw_senml_cbor_get_number(cbor_item_t *item, gdouble *number)
{
	if (cbor_isa_uint(item)) {
		*number = (gdouble)cbor_get_int(item);
		return TRUE;
	}
	if (cbor_isa_negint(item)) {
		*number = -1.0 - (gdouble)cbor_get_int(item);
		return TRUE;
	}
	if (cbor_is_float(item)) {
		*number = cbor_float_get_float(item);
		return TRUE;
	}
	return FALSE;
}

static gboolean
igw_senml_cbor_read_value(IgwSenmlRaw *raw, IgwSenmlField field, cbor_item_t *item, GError **error)
{
	g_autoptr(GByteArray) bytes = NULL;
	gdouble number = 0;

	switch (igw_senml_fields[field].kind) {
	case IGW_SENML_KIND_NUMBER:
		if (!igw_senml_cbor_get_number(item, &number))
			return igw_senml_error_type(raw, field, error);
		return igw_senml_raw_set_number(raw, field, number, error);
	case IGW_SENML_KIND_BOOLEAN:
		/* libcbor 0.8's cbor_is_bool() asserts on a float: check for a simple value first */
		if (!cbor_isa_float_ctrl(item) || !cbor_float_ctrl_is_ctrl(item) ||
		    !cbor_is_bool(item))
			return igw_senml_error_type(raw, field, error);
		raw->boolean = cbor_get_bool(item);
		return TRUE;
	case IGW_SENML_KIND_STRING:
		if (!cbor_isa_string(item))
			return igw_senml_error_type(raw, field, error);
		bytes = igw_senml_cbor_get_bytes(item);
		return igw_senml_raw_set_string(raw, field, (const gchar *)bytes->data, bytes->len,
						error);
	case IGW_SENML_KIND_DATA:
		/* a byte string in CBOR; handed on as the base64url text JSON would have */
		if (!cbor_isa_bytestring(item))
			return igw_senml_error_type(raw, field, error);
		bytes = igw_senml_cbor_get_bytes(item);
		g_free(raw->string[field]);
		raw->string[field] = igw_senml_base64url_encode(bytes->data, bytes->len);
		return TRUE;
	default:
		return igw_senml_error_type(raw, field, error);
	}
}

/* the field a CBOR map key names: an integer label, or a text label (-1 when unknown) */
static gboolean
igw_senml_cbor_read_key(IgwSenmlRaw *raw, cbor_item_t *key, gint *field, GError **error)
{
	g_autoptr(GByteArray) bytes = NULL;
	g_autofree gchar *label = NULL;

	*field = -1;
	if (cbor_isa_uint(key)) {
		if (cbor_get_int(key) <= G_MAXINT)
			*field = igw_senml_field_from_cbor_label((gint64)cbor_get_int(key));
		return TRUE;
	}
	if (cbor_isa_negint(key)) {
		if (cbor_get_int(key) < G_MAXINT)
			*field = igw_senml_field_from_cbor_label(-1 - (gint64)cbor_get_int(key));
		return TRUE;
	}
	if (!cbor_isa_string(key)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML record %u: a label is neither an integer nor a string",
			    raw->index);
		return FALSE;
	}
	bytes = igw_senml_cbor_get_bytes(key);
	label = bytes->len > 0 ? g_strndup((const gchar *)bytes->data, bytes->len) : g_strdup("");
	return igw_senml_check_unknown(raw, label, error);
}

static gboolean
igw_senml_cbor_read_record(IgwSenmlRaw *raw, cbor_item_t *item, GError **error)
{
	struct cbor_pair *pairs;

	if (!cbor_isa_map(item)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "SenML record %u: not a map",
			    raw->index);
		return FALSE;
	}
	pairs = cbor_map_handle(item);
	for (gsize i = 0; i < cbor_map_size(item); i++) {
		gint field = -1;
		if (!igw_senml_cbor_read_key(raw, pairs[i].key, &field, error))
			return FALSE;
		if (field < 0)
			continue;
		if (!igw_senml_raw_mark(raw, field, error))
			return FALSE;
		if (!igw_senml_cbor_read_value(raw, field, pairs[i].value, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
igw_senml_cbor_read_cb(IgwSenmlRaw *raw, gpointer item, GError **error)
{
	return igw_senml_cbor_read_record(raw, item, error);
}

static void
igw_senml_cbor_item_free(cbor_item_t *item)
{
	cbor_decref(&item);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cbor_item_t, igw_senml_cbor_item_free)

static const gchar *
igw_senml_cbor_error_to_string(cbor_error_code code)
{
	switch (code) {
	case CBOR_ERR_NOTENOUGHDATA:
	case CBOR_ERR_NODATA:
		return "truncated";
	case CBOR_ERR_MALFORMATED:
		return "malformed";
	case CBOR_ERR_MEMERROR:
		return "out of memory";
	case CBOR_ERR_SYNTAXERROR:
		/* libcbor 0.8 also refuses text strings that are not UTF-8 */
		return "invalid item";
	default:
		return "unknown error";
	}
}

GPtrArray *
igw_senml_parse_cbor(const guint8 *data, gsize len, gdouble now, GError **error)
{
	g_autoptr(cbor_item_t) root = NULL;
	struct cbor_load_result result = {0};

	if (!igw_senml_check_len(len, error))
		return NULL;
	if (!igw_senml_cbor_check(data, len, error))
		return NULL;
	root = cbor_load(data, len, &result);
	if (root == NULL || result.error.code != CBOR_ERR_NONE) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "SenML CBOR could not be loaded: %s at byte %" G_GSIZE_FORMAT,
			    igw_senml_cbor_error_to_string(result.error.code),
			    (gsize)result.error.position);
		return NULL;
	}
	if (!cbor_isa_array(root)) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "SenML CBOR is not an array of records");
		return NULL;
	}
	return igw_senml_resolve_all((gpointer *)cbor_array_handle(root), cbor_array_size(root),
				     igw_senml_cbor_read_cb, now, error);
}
