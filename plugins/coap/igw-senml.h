/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* a SenML pack larger than this is refused without parsing */
#define IGW_SENML_MAX_LEN 8192

typedef enum {
	IGW_SENML_NUMBER,
	IGW_SENML_STRING,
	IGW_SENML_BOOLEAN,
	IGW_SENML_DATA,
} IgwSenmlType;

/* one resolved SenML (RFC 8428) record: the base fields are already applied */
typedef struct {
	gchar *name;	   /* resolved bn + n (may be "" for a nameless record) */
	gchar *unit;	   /* resolved u or bu, or NULL */
	IgwSenmlType type; /* which value the record holds */
	gdouble number;	   /* NUMBER (v + bv) */
	gchar *string;	   /* STRING (vs), DATA (vd as given, base64url text) */
	gboolean boolean;  /* BOOLEAN */
	gboolean has_sum;  /* the record has s */
	gdouble sum;	   /* s + bs */
	gdouble time;	   /* absolute UNIX seconds: bt + t, made absolute with @now when < 2^28 */
	gdouble update_time; /* ut, 0 when absent */
} IgwSenmlRecord;

void
igw_senml_record_free(IgwSenmlRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwSenmlRecord, igw_senml_record_free)

/*
 * the resolved records of a pack (content-format 110 and 112), in order; an
 * IGW_ERROR_INVALID_DATA error for a pack that is not a SenML array, a record
 * without a value (and no sum), two values in one record, bver > 10, a name that
 * breaks RFC 8428's character rules, non-finite numbers, an unknown field ending
 * in "_", oversized (> IGW_SENML_MAX_LEN)
 */
GPtrArray *
igw_senml_parse_json(const gchar *data, gsize len, gdouble now,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *
igw_senml_parse_cbor(const guint8 *data, gsize len, gdouble now,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE when @name is empty or follows RFC 8428 §4.5.1 (A-Z a-z 0-9 - : . / _, alnum first) */
gboolean
igw_senml_name_is_valid(const gchar *name);

/*
 * SenML unit -> what a human reads: "Cel" -> "°C", "%RH" and "%EL" -> "%",
 * "count" and "/" -> NULL (no unit), "beat/min" -> "bpm", others as given
 */
const gchar *
igw_senml_unit_display(const gchar *unit);

G_END_DECLS
