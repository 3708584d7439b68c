/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestStore"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include "igw-test.h"

#include "igw-error.h"
#include "igw-store.h"

#define TEST_TIMEOUT_SECONDS 30
#define TEST_HOUR_US (G_USEC_PER_SEC * 3600LL)

#define test_assert_ok(ret, error)                                                                 \
	ck_assert_msg((ret), "unexpected error: %s", (error) != NULL ? (error)->message : "(none)")

/* one per TCase, made and removed in the parent process so a crash can't leak it */
static gchar *test_dir = NULL;

static void
test_dir_setup(void)
{
	g_autoptr(GError) error = NULL;
	test_dir = g_dir_make_tmp("igw-test-store-XXXXXX", &error);
	test_assert_ok(test_dir != NULL, error);
}

static void
test_dir_teardown(void)
{
	g_autoptr(GDir) dir = NULL;
	const gchar *name;
	if (test_dir == NULL)
		return;
	dir = g_dir_open(test_dir, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *path = g_build_filename(test_dir, name, NULL);
		g_remove(path);
	}
	g_rmdir(test_dir);
	g_clear_pointer(&test_dir, g_free);
}

static gchar *
test_path(const gchar *name)
{
	return g_build_filename(test_dir, name, NULL);
}

static IgwStore *
test_store_open(const gchar *path)
{
	g_autoptr(IgwStore) store = igw_store_new();
	g_autoptr(GError) error = NULL;
	gboolean ret = igw_store_open(store, path, &error);
	test_assert_ok(ret, error);
	return g_steal_pointer(&store);
}

/* the tests change the database behind the store's back with plain SQL */
static void
test_sql(const gchar *path, const gchar *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql, msg);
	sqlite3_close(db);
}

/* the first column of the first row, as text; "" for no row or NULL */
static gchar *
test_sql_text(const gchar *path, const gchar *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	gchar *text = NULL;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != NULL)
		text = g_strdup((const gchar *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return text != NULL ? text : g_strdup("");
}

static GBytes *
test_read_file(const gchar *path)
{
	g_autoptr(GError) error = NULL;
	gchar *data = NULL;
	gsize len = 0;
	gboolean ret = g_file_get_contents(path, &data, &len, &error);
	test_assert_ok(ret, error);
	return g_bytes_new_take(data, len);
}

static guint
test_count_files(void)
{
	g_autoptr(GDir) dir = g_dir_open(test_dir, 0, NULL);
	guint count = 0;
	while (dir != NULL && g_dir_read_name(dir) != NULL)
		count++;
	return count;
}

static void
test_add_reading(IgwStore *store, const gchar *thing_id, const gchar *field, GVariant *value,
		 gint64 timestamp_us)
{
	g_autoptr(IgwReading) reading = igw_reading_new(thing_id, field, value, timestamp_us);
	igw_store_add_reading(store, reading);
}

static void
test_flush(IgwStore *store)
{
	g_autoptr(GError) error = NULL;
	gboolean ret = igw_store_flush(store, &error);
	test_assert_ok(ret, error);
	ck_assert_uint_eq(igw_store_get_pending(store), 0);
}

static GPtrArray *
test_get_readings(IgwStore *store, const gchar *thing_id, const gchar *field, gint64 since,
		  gint64 until, guint limit)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *readings =
	    igw_store_get_readings(store, thing_id, field, since, until, limit, &error);
	test_assert_ok(readings != NULL, error);
	return readings;
}

static gint64
test_reading_time(GPtrArray *readings, guint idx)
{
	return igw_reading_get_timestamp(g_ptr_array_index(readings, idx));
}

static GVariant *
test_reading_value(GPtrArray *readings, guint idx)
{
	return igw_reading_get_value(g_ptr_array_index(readings, idx));
}

static gchar *
test_ensure_localpart(IgwStore *store, const gchar *thing_id, const gchar *proposed)
{
	g_autoptr(GError) error = NULL;
	gchar *localpart = igw_store_ensure_localpart(store, thing_id, proposed, &error);
	test_assert_ok(localpart != NULL, error);
	return localpart;
}

START_TEST(test_store_open_new)
{
	g_autofree gchar *path = test_path("new.db");
	g_autofree gchar *mode = NULL;
	g_autofree gchar *version = NULL;
	g_autoptr(IgwStore) store = test_store_open(path);

	ck_assert_uint_eq(igw_store_get_schema_version(store), IGW_STORE_SCHEMA_VERSION);
	ck_assert_uint_eq(IGW_STORE_SCHEMA_VERSION, 5);
	igw_store_close(store);
	ck_assert_uint_eq(igw_store_get_schema_version(store), 0);

	mode = test_sql_text(path, "PRAGMA journal_mode");
	ck_assert_str_eq(mode, "wal");
	version = test_sql_text(path, "SELECT group_concat(version) FROM schema");
	ck_assert_str_eq(version, "5");

	/* and once more, now that it exists */
	g_clear_object(&store);
	store = test_store_open(path);
	ck_assert_uint_eq(igw_store_get_schema_version(store), 5);
}
END_TEST

START_TEST(test_store_things)
{
	g_autofree gchar *path = test_path("store.db");
	g_autofree gchar *name = NULL;
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(IgwThing) thing = igw_thing_new("sim:kitchen", "sim");
	g_autoptr(GError) error = NULL;
	gboolean greeted = TRUE;
	gboolean ret;

	igw_thing_set_manufacturer(thing, "Acme");
	ret = igw_store_upsert_thing(store, thing, &error);
	test_assert_ok(ret, error);
	igw_thing_set_name(thing, "Kitchen");
	ret = igw_store_upsert_thing(store, thing, &error);
	test_assert_ok(ret, error);

	/* greeted survives an upsert and a reopen */
	ret = igw_store_get_greeted(store, "sim:kitchen", &greeted, &error);
	test_assert_ok(ret, error);
	ck_assert(!greeted);
	ret = igw_store_set_greeted(store, "sim:kitchen", &error);
	test_assert_ok(ret, error);
	ret = igw_store_upsert_thing(store, thing, &error);
	test_assert_ok(ret, error);
	g_clear_object(&store);
	store = test_store_open(path);
	ret = igw_store_get_greeted(store, "sim:kitchen", &greeted, &error);
	test_assert_ok(ret, error);
	ck_assert(greeted);

	/* an unknown thing was never greeted, and can't be */
	ret = igw_store_get_greeted(store, "sim:nobody", &greeted, &error);
	test_assert_ok(ret, error);
	ck_assert(!greeted);
	ret = igw_store_set_greeted(store, "sim:nobody", &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_FOUND));
	g_clear_error(&error);

	/* remove, then remove again */
	ret = igw_store_remove_thing(store, "sim:kitchen", &error);
	test_assert_ok(ret, error);
	ret = igw_store_remove_thing(store, "sim:kitchen", &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_FOUND));
	ck_assert_ptr_nonnull(strstr(error->message, "sim:kitchen"));
	igw_store_close(store);
	name = test_sql_text(path, "SELECT count(*) FROM things");
	ck_assert_str_eq(name, "0");
}
END_TEST

START_TEST(test_store_things_columns)
{
	g_autofree gchar *path = test_path("store.db");
	g_autofree gchar *row = NULL;
	g_autofree gchar *localpart = NULL;
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(IgwThing) thing = igw_thing_new("sim:kitchen", "sim");
	g_autoptr(GError) error = NULL;
	gboolean ret;

	localpart = test_ensure_localpart(store, "sim:kitchen", "kitchen");
	igw_thing_set_name(thing, "Kitchen");
	igw_thing_set_manufacturer(thing, "Acme");
	igw_thing_set_model(thing, "T-1000");
	igw_thing_set_serial(thing, "SN1");
	igw_thing_set_firmware(thing, "1.2.3");
	ret = igw_store_upsert_thing(store, thing, &error);
	test_assert_ok(ret, error);
	igw_store_close(store);
	row =
	    test_sql_text(path, "SELECT plugin || '|' || name || '|' || manufacturer || '|' || "
				"model || '|' || serial || '|' || firmware || '|' || localpart || "
				"'|' || greeted || '|' || (created_us > 0) || '|' || "
				"(updated_us >= created_us) FROM things");
	ck_assert_str_eq(row, "sim|Kitchen|Acme|T-1000|SN1|1.2.3|kitchen|0|1|1");
}
END_TEST

START_TEST(test_store_localpart)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(IgwThing) thing = igw_thing_new("sim:a", "sim");
	g_autoptr(GError) error = NULL;
	gchar *localpart;
	gboolean ret;

	/* a stored thing without a localpart gets one */
	ret = igw_store_upsert_thing(store, thing, &error);
	test_assert_ok(ret, error);
	localpart = test_ensure_localpart(store, "sim:a", "kitchen");
	ck_assert_str_eq(localpart, "kitchen");
	g_free(localpart);

	/* unknown things get a minimal row; collisions get -2, -3, ignoring case like XMPP */
	localpart = test_ensure_localpart(store, "sim:b", "kitchen");
	ck_assert_str_eq(localpart, "kitchen-2");
	g_free(localpart);
	localpart = test_ensure_localpart(store, "sim:c", "Kitchen");
	ck_assert_str_eq(localpart, "Kitchen-3");
	g_free(localpart);

	/* kept once given, whatever is proposed later, and across an upsert */
	ret = igw_store_upsert_thing(store, thing, &error);
	test_assert_ok(ret, error);
	localpart = test_ensure_localpart(store, "sim:a", "other");
	ck_assert_str_eq(localpart, "kitchen");
	g_free(localpart);

	/* and across a reopen */
	g_clear_object(&store);
	store = test_store_open(path);
	localpart = test_ensure_localpart(store, "sim:b", "zzz");
	ck_assert_str_eq(localpart, "kitchen-2");
	g_free(localpart);
	localpart = test_ensure_localpart(store, "sim:c", "zzz");
	ck_assert_str_eq(localpart, "Kitchen-3");
	g_free(localpart);

	/* a removed thing frees its localpart */
	ret = igw_store_remove_thing(store, "sim:b", &error);
	test_assert_ok(ret, error);
	localpart = test_ensure_localpart(store, "sim:d", "kitchen");
	ck_assert_str_eq(localpart, "kitchen-2");
	g_free(localpart);

	localpart = igw_store_ensure_localpart(store, "sim:e", "", &error);
	ck_assert_ptr_null(localpart);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
}
END_TEST

START_TEST(test_store_credentials)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *jid = NULL;
	g_autofree gchar *password = NULL;
	gboolean ret;

	ret = igw_store_set_credentials(store, "", "gw@example.org", "gw-secret", &error);
	test_assert_ok(ret, error);
	ret = igw_store_set_credentials(store, "sim:a", "a@example.org", "a-secret", &error);
	test_assert_ok(ret, error);
	ret = igw_store_set_credentials(store, "sim:a", "a@example.org", "a-new", &error);
	test_assert_ok(ret, error);
	ret = igw_store_set_credentials(store, "sim:b", "b@example.org", NULL, &error);
	test_assert_ok(ret, error);
	g_clear_object(&store);
	store = test_store_open(path);

	ret = igw_store_get_credentials(store, "", &jid, &password, &error);
	test_assert_ok(ret, error);
	ck_assert_str_eq(jid, "gw@example.org");
	ck_assert_str_eq(password, "gw-secret");
	g_clear_pointer(&jid, g_free);
	g_clear_pointer(&password, g_free);
	ret = igw_store_get_credentials(store, "sim:a", &jid, &password, &error);
	test_assert_ok(ret, error);
	ck_assert_str_eq(jid, "a@example.org");
	ck_assert_str_eq(password, "a-new");
	g_clear_pointer(&jid, g_free);
	g_clear_pointer(&password, g_free);
	ret = igw_store_get_credentials(store, "sim:b", &jid, &password, &error);
	test_assert_ok(ret, error);
	ck_assert_str_eq(jid, "b@example.org");
	ck_assert_ptr_null(password);
	g_clear_pointer(&jid, g_free);

	/* either out argument may be NULL */
	ret = igw_store_get_credentials(store, "sim:a", NULL, &password, &error);
	test_assert_ok(ret, error);
	ck_assert_str_eq(password, "a-new");

	ret = igw_store_get_credentials(store, "sim:nobody", &jid, NULL, &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_FOUND));
	ck_assert_ptr_null(jid);
}
END_TEST

static void
test_assert_owners(IgwStore *store, const gchar *thing_id, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) owners = igw_store_get_owners(store, thing_id, &error);
	g_autofree gchar *joined = NULL;
	test_assert_ok(owners != NULL, error);
	joined = g_strjoinv(",", owners);
	ck_assert_str_eq(joined, expected);
}

/* "jid:source,..." */
static void
test_assert_owner_list(IgwStore *store, const gchar *thing_id, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) owners = igw_store_get_owner_list(store, thing_id, &error);
	g_autoptr(GString) joined = g_string_new(NULL);
	test_assert_ok(owners != NULL, error);
	for (guint i = 0; i < owners->len; i++) {
		IgwStoreOwner *owner = g_ptr_array_index(owners, i);
		g_string_append_printf(joined, "%s%s:%s", i > 0 ? "," : "", owner->jid,
				       owner->source);
	}
	ck_assert_str_eq(joined->str, expected);
}

/* @expected NULL for a thing that is not stored */
static void
test_assert_state(IgwStore *store, const gchar *thing_id, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	/* a sentinel, so that a call that leaves *state alone can't pass for NULL */
	static gchar unset[] = "unset";
	g_autofree gchar *state = unset;
	gboolean ret = igw_store_get_thing_state(store, thing_id, &state, &error);
	test_assert_ok(ret, error);
	ck_assert_ptr_ne(state, unset);
	if (expected == NULL)
		ck_assert_ptr_null(state);
	else
		ck_assert_pstr_eq(state, expected);
}

static void
test_assert_display_name(IgwStore *store, const gchar *thing_id, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	/* a sentinel, so that a call that leaves *name alone can't pass for NULL */
	static gchar unset[] = "unset";
	g_autofree gchar *name = unset;
	gboolean ret = igw_store_get_display_name(store, thing_id, &name, &error);
	test_assert_ok(ret, error);
	ck_assert_ptr_ne(name, unset);
	if (expected == NULL)
		ck_assert_ptr_null(name);
	else
		ck_assert_pstr_eq(name, expected);
}

static void
test_assert_thing_ids(IgwStore *store, const gchar *state, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) ids = igw_store_get_thing_ids(store, state, &error);
	g_autofree gchar *joined = NULL;
	test_assert_ok(ids != NULL, error);
	joined = g_strjoinv(",", ids);
	ck_assert_str_eq(joined, expected);
}

static void
test_upsert(IgwStore *store, IgwThing *thing)
{
	g_autoptr(GError) error = NULL;
	gboolean ret = igw_store_upsert_thing(store, thing, &error);
	test_assert_ok(ret, error);
}

static void
test_set_state(IgwStore *store, const gchar *thing_id, const gchar *state)
{
	g_autoptr(GError) error = NULL;
	gboolean ret = igw_store_set_thing_state(store, thing_id, state, &error);
	test_assert_ok(ret, error);
}

static void
test_set_owners(IgwStore *store, const gchar *thing_id, const gchar *const *owners)
{
	g_autoptr(GError) error = NULL;
	gboolean ret = igw_store_set_owners(store, thing_id, owners, &error);
	test_assert_ok(ret, error);
}

static void
test_add_owner(IgwStore *store, const gchar *thing_id, const gchar *jid)
{
	g_autoptr(GError) error = NULL;
	gboolean ret = igw_store_add_owner(store, thing_id, jid, &error);
	test_assert_ok(ret, error);
}

/* fails with @code, and the message names @jid and says @reason */
static void
test_assert_add_owner_fails(IgwStore *store, const gchar *thing_id, const gchar *jid, gint code,
			    const gchar *reason)
{
	g_autoptr(GError) error = NULL;
	gboolean ret = igw_store_add_owner(store, thing_id, jid, &error);
	ck_assert(!ret);
	ck_assert_msg(g_error_matches(error, IGW_ERROR, code), "%s", error->message);
	ck_assert_msg(strstr(error->message, jid) != NULL, "%s", error->message);
	ck_assert_msg(strstr(error->message, reason) != NULL, "%s", error->message);
}

static void
test_assert_remove_owner_fails(IgwStore *store, const gchar *thing_id, const gchar *jid, gint code,
			       const gchar *reason)
{
	g_autoptr(GError) error = NULL;
	gboolean ret = igw_store_remove_owner(store, thing_id, jid, &error);
	ck_assert(!ret);
	ck_assert_msg(g_error_matches(error, IGW_ERROR, code), "%s", error->message);
	ck_assert_msg(strstr(error->message, jid) != NULL, "%s", error->message);
	ck_assert_msg(strstr(error->message, reason) != NULL, "%s", error->message);
}

START_TEST(test_store_owners)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(GError) error = NULL;
	const gchar *gateway[] = {"zoe@example.org", "alice@example.org", NULL};
	const gchar *thing[] = {"bob@example.org", "bob@example.org", "carol@example.org", NULL};
	const gchar *replaced[] = {"dave@example.org", NULL};
	const gchar *none[] = {NULL};
	gboolean ret;

	test_assert_owners(store, "", "");
	ret = igw_store_set_owners(store, "", gateway, &error);
	test_assert_ok(ret, error);
	ret = igw_store_set_owners(store, "sim:a", thing, &error);
	test_assert_ok(ret, error);
	g_clear_object(&store);
	store = test_store_open(path);

	/* in the order set, duplicates once */
	test_assert_owners(store, "", "zoe@example.org,alice@example.org");
	test_assert_owners(store, "sim:a", "bob@example.org,carol@example.org");

	ret = igw_store_set_owners(store, "sim:a", replaced, &error);
	test_assert_ok(ret, error);
	test_assert_owners(store, "sim:a", "dave@example.org");
	test_assert_owners(store, "", "zoe@example.org,alice@example.org");

	ret = igw_store_set_owners(store, "sim:a", none, &error);
	test_assert_ok(ret, error);
	test_assert_owners(store, "sim:a", "");
	ret = igw_store_set_owners(store, "", NULL, &error);
	test_assert_ok(ret, error);
	test_assert_owners(store, "", "");
}
END_TEST

START_TEST(test_store_thing_state)
{
	g_autofree gchar *path = test_path("store.db");
	g_autofree gchar *localpart = NULL;
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(IgwThing) thing = igw_thing_new("sim:a", "sim");
	g_autoptr(GError) error = NULL;
	const gchar *invalid[] = {"bogus", "Adopted", "", "adopted ", NULL};
	gboolean ret;

	/* not stored: no state, and none can be set */
	test_assert_state(store, "sim:a", NULL);
	ret = igw_store_set_thing_state(store, "sim:a", "blocked", &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_FOUND));
	ck_assert_ptr_nonnull(strstr(error->message, "sim:a"));
	g_clear_error(&error);
	test_assert_state(store, "sim:a", NULL);

	/* a new thing is adopted; the engine marks a discovered one after the upsert */
	test_upsert(store, thing);
	test_assert_state(store, "sim:a", "adopted");
	test_set_state(store, "sim:a", "discovered");
	test_assert_state(store, "sim:a", "discovered");

	/* an upsert of a stored thing keeps its state, and so does a reopen */
	igw_thing_set_name(thing, "Renamed by the plugin");
	test_upsert(store, thing);
	test_assert_state(store, "sim:a", "discovered");
	g_clear_object(&store);
	store = test_store_open(path);
	test_assert_state(store, "sim:a", "discovered");
	test_set_state(store, "sim:a", "blocked");
	test_upsert(store, thing);
	test_assert_state(store, "sim:a", "blocked");

	/* only the three words, exactly; a refused one changes nothing */
	for (guint i = 0; invalid[i] != NULL; i++) {
		ret = igw_store_set_thing_state(store, "sim:a", invalid[i], &error);
		ck_assert(!ret);
		ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
		ck_assert_ptr_nonnull(strstr(error->message, "sim:a"));
		g_clear_error(&error);
	}
	test_assert_state(store, "sim:a", "blocked");
	test_set_state(store, "sim:a", "adopted");
	test_assert_state(store, "sim:a", "adopted");

	/* the minimal row of ensure_localpart is a thing like any other */
	localpart = test_ensure_localpart(store, "sim:b", "b");
	test_assert_state(store, "sim:b", "adopted");
	test_assert_state(store, "sim:a", "adopted");
}
END_TEST

START_TEST(test_store_display_name)
{
	g_autofree gchar *path = test_path("store.db");
	g_autofree gchar *plugin_name = NULL;
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(IgwThing) thing = igw_thing_new("sim:a", "sim");
	g_autoptr(GError) error = NULL;
	gboolean ret;

	test_assert_display_name(store, "sim:a", NULL);
	ret = igw_store_set_display_name(store, "sim:a", "Fridge", &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_FOUND));
	ck_assert_ptr_nonnull(strstr(error->message, "sim:a"));
	g_clear_error(&error);
	test_assert_display_name(store, "sim:a", NULL);

	igw_thing_set_name(thing, "Kitchen");
	test_upsert(store, thing);
	test_assert_display_name(store, "sim:a", NULL);
	ret = igw_store_set_display_name(store, "sim:a", "Fridge \xc3\xa9", &error);
	test_assert_ok(ret, error);
	test_assert_display_name(store, "sim:a", "Fridge \xc3\xa9");

	/* the plugin's name goes on changing beside it */
	igw_thing_set_name(thing, "Kitchen 2");
	test_upsert(store, thing);
	test_assert_display_name(store, "sim:a", "Fridge \xc3\xa9");
	g_clear_object(&store);
	plugin_name = test_sql_text(path, "SELECT name FROM things WHERE id = 'sim:a'");
	ck_assert_str_eq(plugin_name, "Kitchen 2");
	store = test_store_open(path);
	test_assert_display_name(store, "sim:a", "Fridge \xc3\xa9");

	/* empty or broken names are refused and change nothing */
	ret = igw_store_set_display_name(store, "sim:a", "", &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	ck_assert_ptr_nonnull(strstr(error->message, "sim:a"));
	g_clear_error(&error);
	ret = igw_store_set_display_name(store, "sim:a", "bad \xff", &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	g_clear_error(&error);
	test_assert_display_name(store, "sim:a", "Fridge \xc3\xa9");

	/* renaming again replaces it, NULL clears it */
	ret = igw_store_set_display_name(store, "sim:a", "Freezer", &error);
	test_assert_ok(ret, error);
	test_assert_display_name(store, "sim:a", "Freezer");
	ret = igw_store_set_display_name(store, "sim:a", NULL, &error);
	test_assert_ok(ret, error);
	test_assert_display_name(store, "sim:a", NULL);
	g_clear_object(&store);
	store = test_store_open(path);
	test_assert_display_name(store, "sim:a", NULL);
}
END_TEST

START_TEST(test_store_thing_ids)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) ids = NULL;
	const gchar *order[] = {"sim:c", "sim:a", "zz:x", "sim:B", "sim:b", NULL};
	gboolean ret;

	test_assert_thing_ids(store, NULL, "");
	test_assert_thing_ids(store, "adopted", "");
	for (guint i = 0; order[i] != NULL; i++) {
		g_autoptr(IgwThing) thing = igw_thing_new(order[i], "sim");
		test_upsert(store, thing);
	}
	test_set_state(store, "sim:b", "discovered");
	test_set_state(store, "sim:B", "discovered");
	test_set_state(store, "zz:x", "blocked");

	/* sorted by bytes: upper case before lower case */
	test_assert_thing_ids(store, NULL, "sim:B,sim:a,sim:b,sim:c,zz:x");
	test_assert_thing_ids(store, "adopted", "sim:a,sim:c");
	test_assert_thing_ids(store, "discovered", "sim:B,sim:b");
	test_assert_thing_ids(store, "blocked", "zz:x");

	ids = igw_store_get_thing_ids(store, "Blocked", &error);
	ck_assert_ptr_null(ids);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	ck_assert_ptr_nonnull(strstr(error->message, "Blocked"));
	g_clear_error(&error);

	ret = igw_store_remove_thing(store, "sim:b", &error);
	test_assert_ok(ret, error);
	test_assert_thing_ids(store, "discovered", "sim:B");
	test_assert_thing_ids(store, NULL, "sim:B,sim:a,sim:c,zz:x");
}
END_TEST

START_TEST(test_store_owners_admin)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(GError) error = NULL;
	const gchar *config[] = {"bob@example.org", "carol@example.org", NULL};
	gboolean ret;

	/* added at run time, before the configuration was applied */
	test_assert_owner_list(store, "sim:a", "");
	test_add_owner(store, "sim:a", "dave@example.org");
	test_add_owner(store, "sim:a", "alice@example.org");
	test_assert_owner_list(store, "sim:a", "dave@example.org:admin,alice@example.org:admin");
	test_set_owners(store, "sim:a", config);

	/* config first in its order, then admin in the order added; get_owners has both */
	test_assert_owner_list(store, "sim:a",
			       "bob@example.org:config,carol@example.org:config,"
			       "dave@example.org:admin,alice@example.org:admin");
	test_assert_owners(store, "sim:a",
			   "bob@example.org,carol@example.org,dave@example.org,alice@example.org");

	/* setting the config owners again, as every start does, leaves admin ones alone */
	g_clear_object(&store);
	store = test_store_open(path);
	test_set_owners(store, "sim:a", config);
	test_assert_owner_list(store, "sim:a",
			       "bob@example.org:config,carol@example.org:config,"
			       "dave@example.org:admin,alice@example.org:admin");
	test_set_owners(store, "sim:a", NULL);
	test_assert_owner_list(store, "sim:a", "dave@example.org:admin,alice@example.org:admin");
	test_set_owners(store, "sim:a", config);

	/* an owner already, of either source, in any case */
	test_assert_add_owner_fails(store, "sim:a", "DAVE@example.org", IGW_ERROR_EXISTS, "sim:a");
	test_assert_add_owner_fails(store, "sim:a", "Bob@Example.ORG", IGW_ERROR_EXISTS, "sim:a");
	test_assert_add_owner_fails(store, "sim:a", "", IGW_ERROR_INVALID_DATA, "empty");

	/* other things, and the gateway, have owners of their own */
	test_add_owner(store, "sim:b", "dave@example.org");
	test_add_owner(store, "", "bob@example.org");
	test_assert_owner_list(store, "sim:b", "dave@example.org:admin");
	test_assert_owner_list(store, "", "bob@example.org:admin");

	/* config owners can't be removed at run time; unknown ones are not found */
	test_assert_remove_owner_fails(store, "sim:a", "CAROL@example.org", IGW_ERROR_NOT_SUPPORTED,
				       "comes from the configuration file");
	test_assert_remove_owner_fails(store, "sim:a", "erin@example.org", IGW_ERROR_NOT_FOUND,
				       "sim:a");
	test_assert_remove_owner_fails(store, "", "carol@example.org", IGW_ERROR_NOT_FOUND,
				       "the gateway");

	/* an admin one goes, in any case, and only from that thing */
	ret = igw_store_remove_owner(store, "sim:a", "Dave@Example.org", &error);
	test_assert_ok(ret, error);
	test_assert_owner_list(store, "sim:a",
			       "bob@example.org:config,carol@example.org:config,"
			       "alice@example.org:admin");
	test_assert_owner_list(store, "sim:b", "dave@example.org:admin");
	test_assert_remove_owner_fails(store, "sim:a", "dave@example.org", IGW_ERROR_NOT_FOUND,
				       "not an owner");

	/* and removed ones can come back, at the end */
	test_add_owner(store, "sim:a", "dave@example.org");
	g_clear_object(&store);
	store = test_store_open(path);
	test_assert_owner_list(store, "sim:a",
			       "bob@example.org:config,carol@example.org:config,"
			       "alice@example.org:admin,dave@example.org:admin");
}
END_TEST

START_TEST(test_store_owners_both_sources)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	const gchar *with_erin[] = {"Erin@Example.org", "bob@example.org", NULL};
	const gchar *without_erin[] = {"bob@example.org", NULL};
	const gchar *twice[] = {"Frank@example.org", "frank@EXAMPLE.org", NULL};

	/* the configuration names an admin owner: one row, from the file, spelled as there */
	test_add_owner(store, "sim:a", "alice@example.org");
	test_add_owner(store, "sim:a", "erin@example.org");
	test_set_owners(store, "sim:a", with_erin);
	test_assert_owner_list(store, "sim:a",
			       "Erin@Example.org:config,bob@example.org:config,"
			       "alice@example.org:admin");
	test_assert_remove_owner_fails(store, "sim:a", "erin@example.org", IGW_ERROR_NOT_SUPPORTED,
				       "comes from the configuration file");

	/* so once the file drops it, it is gone */
	test_set_owners(store, "sim:a", without_erin);
	test_assert_owner_list(store, "sim:a", "bob@example.org:config,alice@example.org:admin");

	/* a JID listed twice in different case is stored once */
	test_set_owners(store, "sim:b", twice);
	test_assert_owner_list(store, "sim:b", "Frank@example.org:config");
	test_assert_owners(store, "sim:b", "Frank@example.org");
}
END_TEST

static void
test_set_secret(IgwStore *store, const gchar *thing_id, const gchar *name, const gchar *value)
{
	g_autoptr(GError) error = NULL;
	gboolean ret = igw_store_set_secret(store, thing_id, name, value, &error);
	test_assert_ok(ret, error);
}

/* every secret as "thing/name=value", comma-separated, in the store's order */
static void
test_assert_secrets(IgwStore *store, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) secrets = igw_store_get_secrets(store, &error);
	g_autoptr(GString) text = g_string_new(NULL);
	ck_assert_msg(secrets != NULL, "%s", error != NULL ? error->message : "?");
	for (guint i = 0; i < secrets->len; i++) {
		IgwStoreSecret *secret = g_ptr_array_index(secrets, i);
		g_string_append_printf(text, "%s%s/%s=%s", i > 0 ? "," : "", secret->thing_id,
				       secret->name, secret->value);
	}
	ck_assert_str_eq(text->str, expected);
}

/* set, replace, delete; kept for things not stored (yet); survives a reopen */
START_TEST(test_store_secrets)
{
	g_autofree gchar *path = test_path("secrets.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(IgwStoreSecret) owned = g_new0(IgwStoreSecret, 1);
	g_autoptr(GError) error = NULL;
	gboolean ret;

	test_assert_secrets(store, "");
	/* no thing sim:door exists: a key may come before its device */
	test_set_secret(store, "sim:door", "token", "first");
	test_set_secret(store, "ble:AA:BB:CC:DD:EE:FF", "bindkey",
			"00112233445566778899aabbccddeeff");
	test_set_secret(store, "sim:door", "token", "second");
	test_set_secret(store, "sim:door", "other", "x");
	test_assert_secrets(store, "ble:AA:BB:CC:DD:EE:FF/bindkey=00112233445566778899aabbccddeeff,"
				   "sim:door/other=x,sim:door/token=second");

	/* NULL deletes one; deleting one that is not there is no error */
	test_set_secret(store, "sim:door", "other", NULL);
	test_set_secret(store, "sim:door", "other", NULL);
	test_set_secret(store, "sim:nothing", "token", NULL);
	g_clear_object(&store);
	store = test_store_open(path);
	test_assert_secrets(store, "ble:AA:BB:CC:DD:EE:FF/bindkey=00112233445566778899aabbccddeeff,"
				   "sim:door/token=second");

	/* an empty id or name is refused */
	ret = igw_store_set_secret(store, "", "token", "x", &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	g_clear_error(&error);
	ret = igw_store_set_secret(store, "sim:door", "", "x", &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	g_clear_error(&error);

	/* a closed store says so */
	igw_store_close(store);
	ret = igw_store_set_secret(store, "sim:door", "token", "x", &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_STORE));

	/* the free function takes partial structs */
	owned->name = g_strdup("token");
}
END_TEST

START_TEST(test_store_forget)
{
	g_autofree gchar *path = test_path("store.db");
	g_autofree gchar *count = NULL;
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(IgwThing) thing = igw_thing_new("sim:a", "sim");
	g_autoptr(IgwThing) other = igw_thing_new("sim:b", "sim");
	g_autoptr(GError) error = NULL;
	const gchar *config[] = {"bob@example.org", NULL};
	gboolean ret;

	test_upsert(store, thing);
	test_upsert(store, other);
	test_set_state(store, "sim:a", "blocked");
	test_set_state(store, "sim:b", "blocked");
	ret = igw_store_set_display_name(store, "sim:a", "Fridge", &error);
	test_assert_ok(ret, error);
	test_set_owners(store, "sim:a", config);
	test_add_owner(store, "sim:a", "dave@example.org");
	test_add_owner(store, "sim:b", "dave@example.org");
	test_set_secret(store, "sim:a", "token", "a-token");
	test_set_secret(store, "sim:b", "token", "b-token");

	/* everything of the thing goes, owners of both sources and secrets included */
	ret = igw_store_remove_thing(store, "sim:a", &error);
	test_assert_ok(ret, error);
	test_assert_state(store, "sim:a", NULL);
	test_assert_display_name(store, "sim:a", NULL);
	test_assert_owner_list(store, "sim:a", "");
	test_assert_secrets(store, "sim:b/token=b-token");
	igw_store_close(store);
	count = test_sql_text(path, "SELECT count(*) FROM owners WHERE thing_id = 'sim:a'");
	ck_assert_str_eq(count, "0");
	g_clear_object(&store);
	store = test_store_open(path);

	/* and when it shows up again, it is new */
	test_upsert(store, thing);
	test_assert_state(store, "sim:a", "adopted");
	test_assert_display_name(store, "sim:a", NULL);
	test_assert_owner_list(store, "sim:a", "");

	/* the other thing kept all of its own */
	test_assert_state(store, "sim:b", "blocked");
	test_assert_owner_list(store, "sim:b", "dave@example.org:admin");
}
END_TEST

#define TEST_VALUE_COUNT 19

static GVariant *
test_value_new(guint idx)
{
	const gchar *strv[] = {"a", "b'c", NULL};
	switch (idx) {
	case 0:
		return g_variant_new_double(21.5);
	case 1:
		return g_variant_new_double(0.1);
	case 2:
		return g_variant_new_double(-0.0);
	case 3:
		return g_variant_new_double(1e308);
	case 4:
		return g_variant_new_double(4.9406564584124654e-324);
	case 5:
		return g_variant_new_double(-INFINITY);
	case 6:
		return g_variant_new_double(NAN);
	case 7:
		return g_variant_new_int64(G_MAXINT64);
	case 8:
		return g_variant_new_int64(G_MININT64);
	case 9:
		return g_variant_new_int64((1LL << 53) + 1);
	case 10:
		return g_variant_new_int64(-1);
	case 11:
		return g_variant_new_int64(0);
	case 12:
		return g_variant_new_boolean(TRUE);
	case 13:
		return g_variant_new_boolean(FALSE);
	case 14:
		return g_variant_new_string("");
	case 15:
		return g_variant_new_string("h\xc3\xa9llo 'quoted' \"double\"\n");
	case 16:
		return g_variant_new_uint32(G_MAXUINT32);
	case 17:
		return g_variant_new_uint64(G_MAXUINT64);
	case 18:
		return g_variant_new_strv(strv, -1);
	default:
		return NULL;
	}
}

START_TEST(test_store_readings_types)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(GPtrArray) readings = NULL;
	g_autoptr(IgwReading) flagged = NULL;
	IgwReading *reading;
	const gint64 base = 1700000000000000;
	const guint n = TEST_VALUE_COUNT;

	for (guint i = 0; i < n; i++) {
		g_autofree gchar *field = g_strdup_printf("f%02u", i);
		test_add_reading(store, "sim:a", field, test_value_new(i), base + i);
	}
	flagged = igw_reading_new("sim:a", "flagged", g_variant_new_double(1), base + n);
	igw_reading_set_category(flagged, IGW_FIELD_CATEGORY_STATUS | IGW_FIELD_CATEGORY_PEAK);
	igw_reading_set_flags(flagged, IGW_READING_FLAG_WARNING | IGW_READING_FLAG_MANUAL_READOUT);
	igw_store_add_reading(store, flagged);
	ck_assert_uint_eq(igw_store_get_pending(store), n + 1);
	test_flush(store);
	g_clear_object(&store);
	store = test_store_open(path);

	/* newest first, so the flagged one comes first and f00 last */
	readings = test_get_readings(store, "sim:a", NULL, 0, 0, 0);
	ck_assert_uint_eq(readings->len, n + 1);
	for (guint i = 0; i < n; i++) {
		g_autoptr(GVariant) expected = g_variant_ref_sink(test_value_new(i));
		g_autofree gchar *field = g_strdup_printf("f%02u", i);
		GVariant *value;
		g_autofree gchar *printed = NULL;
		reading = g_ptr_array_index(readings, n - i);
		value = igw_reading_get_value(reading);
		printed = g_variant_print(value, TRUE);
		ck_assert_str_eq(igw_reading_get_field(reading), field);
		ck_assert_str_eq(igw_reading_get_thing_id(reading), "sim:a");
		ck_assert_int_eq(igw_reading_get_timestamp(reading), base + i);
		ck_assert_str_eq(g_variant_get_type_string(value),
				 g_variant_get_type_string(expected));
		/* byte for byte: -0.0 stays negative, NaN stays NaN, int64 not via double */
		ck_assert_msg(g_variant_get_size(value) == g_variant_get_size(expected) &&
				  memcmp(g_variant_get_data(value), g_variant_get_data(expected),
					 g_variant_get_size(value)) == 0,
			      "%s: got %s", field, printed);
	}
	reading = g_ptr_array_index(readings, 0);
	ck_assert_str_eq(igw_reading_get_field(reading), "flagged");
	ck_assert_int_eq(igw_reading_get_category(reading),
			 IGW_FIELD_CATEGORY_STATUS | IGW_FIELD_CATEGORY_PEAK);
	ck_assert_int_eq(igw_reading_get_flags(reading),
			 IGW_READING_FLAG_WARNING | IGW_READING_FLAG_MANUAL_READOUT);
}
END_TEST

START_TEST(test_store_readings_filter)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	GPtrArray *readings;

	/* temp at 10, 20 .. 50, hum at 15, 25, 35; sim:b at 30 */
	for (guint i = 1; i <= 5; i++)
		test_add_reading(store, "sim:a", "temp", g_variant_new_double(i), i * 10);
	for (guint i = 1; i <= 3; i++)
		test_add_reading(store, "sim:a", "hum", g_variant_new_double(i), i * 10 + 5);
	test_add_reading(store, "sim:b", "temp", g_variant_new_double(99), 30);
	test_flush(store);

	readings = test_get_readings(store, "sim:a", NULL, 0, 0, 0);
	ck_assert_uint_eq(readings->len, 8);
	for (guint i = 1; i < readings->len; i++)
		ck_assert_int_gt(test_reading_time(readings, i - 1),
				 test_reading_time(readings, i));
	g_ptr_array_unref(readings);

	readings = test_get_readings(store, "sim:a", "temp", 0, 0, 0);
	ck_assert_uint_eq(readings->len, 5);
	ck_assert_int_eq(test_reading_time(readings, 0), 50);
	ck_assert_int_eq(test_reading_time(readings, 4), 10);
	g_ptr_array_unref(readings);

	/* since and until are both inclusive */
	readings = test_get_readings(store, "sim:a", "temp", 20, 40, 0);
	ck_assert_uint_eq(readings->len, 3);
	ck_assert_int_eq(test_reading_time(readings, 0), 40);
	ck_assert_int_eq(test_reading_time(readings, 2), 20);
	g_ptr_array_unref(readings);

	readings = test_get_readings(store, "sim:a", NULL, 25, 0, 0);
	ck_assert_uint_eq(readings->len, 5);
	ck_assert_int_eq(test_reading_time(readings, 4), 25);
	g_ptr_array_unref(readings);

	readings = test_get_readings(store, "sim:a", NULL, 0, 25, 0);
	ck_assert_uint_eq(readings->len, 4);
	ck_assert_int_eq(test_reading_time(readings, 0), 25);
	g_ptr_array_unref(readings);

	/* the limit keeps the newest */
	readings = test_get_readings(store, "sim:a", NULL, 0, 0, 2);
	ck_assert_uint_eq(readings->len, 2);
	ck_assert_int_eq(test_reading_time(readings, 0), 50);
	ck_assert_int_eq(test_reading_time(readings, 1), 40);
	g_ptr_array_unref(readings);

	readings = test_get_readings(store, "sim:a", "hum", 0, 30, 1);
	ck_assert_uint_eq(readings->len, 1);
	ck_assert_int_eq(test_reading_time(readings, 0), 25);
	g_ptr_array_unref(readings);

	readings = test_get_readings(store, "sim:b", NULL, 0, 0, 0);
	ck_assert_uint_eq(readings->len, 1);
	ck_assert_str_eq(igw_reading_get_thing_id(g_ptr_array_index(readings, 0)), "sim:b");
	g_ptr_array_unref(readings);

	readings = test_get_readings(store, "sim:nobody", NULL, 0, 0, 0);
	ck_assert_uint_eq(readings->len, 0);
	g_ptr_array_unref(readings);
	readings = test_get_readings(store, "sim:a", "nothing", 0, 0, 0);
	ck_assert_uint_eq(readings->len, 0);
	g_ptr_array_unref(readings);
}
END_TEST

/*
 * a trigger makes the INSERT of one reading fail, which is deterministic even
 * as root (where a read-only file would still be writable)
 */
START_TEST(test_store_flush_failure)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(IgwStore) closed = igw_store_new();
	g_autoptr(GError) error = NULL;
	GPtrArray *readings;
	gboolean ret;

	test_add_reading(store, "sim:a", "ok", g_variant_new_double(1), 10);
	test_flush(store);
	test_sql(path, "CREATE TRIGGER test_fail BEFORE INSERT ON readings WHEN NEW.field = 'bad' "
		       "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");

	/* the bad one is in the middle, so the first one must be rolled back */
	test_add_reading(store, "sim:a", "ok", g_variant_new_double(2), 20);
	test_add_reading(store, "sim:a", "bad", g_variant_new_double(3), 30);
	test_add_reading(store, "sim:a", "ok", g_variant_new_double(4), 40);
	for (guint i = 0; i < 2; i++) {
		ret = igw_store_flush(store, &error);
		ck_assert(!ret);
		ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_STORE));
		ck_assert_ptr_nonnull(strstr(error->message, "injected failure"));
		g_clear_error(&error);
		ck_assert_uint_eq(igw_store_get_pending(store), 3);
		readings = test_get_readings(store, "sim:a", NULL, 0, 0, 0);
		ck_assert_uint_eq(readings->len, 1);
		g_ptr_array_unref(readings);
	}

	/* once the cause is gone, nothing was lost */
	test_sql(path, "DROP TRIGGER test_fail");
	test_flush(store);
	readings = test_get_readings(store, "sim:a", NULL, 0, 0, 0);
	ck_assert_uint_eq(readings->len, 4);
	ck_assert_str_eq(igw_reading_get_field(g_ptr_array_index(readings, 1)), "bad");
	g_ptr_array_unref(readings);

	/* a store that is not open keeps its queue as well */
	test_add_reading(closed, "sim:a", "ok", g_variant_new_double(5), 50);
	ret = igw_store_flush(closed, &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_STORE));
	ck_assert_uint_eq(igw_store_get_pending(closed), 1);
}
END_TEST

START_TEST(test_store_close_flushes)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(GPtrArray) readings = NULL;

	test_add_reading(store, "sim:a", "temp", g_variant_new_double(1), 10);
	test_add_reading(store, "sim:a", "temp", g_variant_new_double(2), 20);
	igw_store_close(store);
	ck_assert_uint_eq(igw_store_get_pending(store), 0);
	g_clear_object(&store);

	store = test_store_open(path);
	readings = test_get_readings(store, "sim:a", NULL, 0, 0, 0);
	ck_assert_uint_eq(readings->len, 2);
}
END_TEST

START_TEST(test_store_prune)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(GError) error = NULL;
	const gint64 now = g_get_real_time();
	const gint64 ages_h[] = {10, 5, 2, 1};
	GPtrArray *readings;
	guint removed = 999;
	gboolean ret;

	for (guint i = 0; i < G_N_ELEMENTS(ages_h); i++) {
		gint64 timestamp = now - ages_h[i] * TEST_HOUR_US;
		test_add_reading(store, "sim:a", "temp", g_variant_new_double(i), timestamp);
	}
	test_add_reading(store, "sim:a", "hum", g_variant_new_double(0), now - 60 * G_USEC_PER_SEC);
	test_add_reading(store, "sim:b", "temp", g_variant_new_double(0), now - 20 * TEST_HOUR_US);
	test_flush(store);

	/* by age: the 10 h and 5 h old ones go, other things stay */
	ret = igw_store_prune(store, "sim:a", 3 * TEST_HOUR_US, 0, &removed, &error);
	test_assert_ok(ret, error);
	ck_assert_uint_eq(removed, 2);
	readings = test_get_readings(store, "sim:a", NULL, 0, 0, 0);
	ck_assert_uint_eq(readings->len, 3);
	ck_assert_int_eq(test_reading_time(readings, 2), now - 2 * TEST_HOUR_US);
	g_ptr_array_unref(readings);

	/* by count, over all fields: the newest two stay */
	ret = igw_store_prune(store, "sim:a", 0, 2, &removed, &error);
	test_assert_ok(ret, error);
	ck_assert_uint_eq(removed, 1);
	readings = test_get_readings(store, "sim:a", NULL, 0, 0, 0);
	ck_assert_uint_eq(readings->len, 2);
	ck_assert_str_eq(igw_reading_get_field(g_ptr_array_index(readings, 0)), "hum");
	ck_assert_int_eq(test_reading_time(readings, 1), now - TEST_HOUR_US);
	g_ptr_array_unref(readings);

	/* 0 and 0 means no limit; removed may be NULL */
	ret = igw_store_prune(store, "sim:a", 0, 0, &removed, &error);
	test_assert_ok(ret, error);
	ck_assert_uint_eq(removed, 0);
	ret = igw_store_prune(store, "sim:b", 30 * TEST_HOUR_US, 5, NULL, &error);
	test_assert_ok(ret, error);

	/* both at once */
	ret = igw_store_prune(store, "sim:b", TEST_HOUR_US, 1, &removed, &error);
	test_assert_ok(ret, error);
	ck_assert_uint_eq(removed, 1);
	readings = test_get_readings(store, "sim:b", NULL, 0, 0, 0);
	ck_assert_uint_eq(readings->len, 0);
	g_ptr_array_unref(readings);
}
END_TEST

static void
test_assert_item(IgwOutboxItem *item, gint64 id, const gchar *thing_id, const gchar *payload)
{
	ck_assert_int_eq(item->id, id);
	ck_assert_str_eq(item->thing_id, thing_id);
	ck_assert_str_eq(item->kind, "message");
	ck_assert_str_eq(item->payload, payload);
	ck_assert_int_gt(item->created_us, 0);
}

static gint64
test_outbox_push(IgwStore *store, const gchar *thing_id, const gchar *payload)
{
	g_autoptr(GError) error = NULL;
	gint64 id = 0;
	gboolean ret = igw_store_outbox_push(store, thing_id, "message", payload, &id, &error);
	test_assert_ok(ret, error);
	ck_assert_int_gt(id, 0);
	return id;
}

START_TEST(test_store_outbox)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(GError) error = NULL;
	GPtrArray *items;
	gint64 id_a1, id_b1, id_a2;
	gboolean ret;

	ck_assert_uint_eq(igw_store_outbox_count(store, &error), 0);
	ck_assert_ptr_null(error);
	id_a1 = test_outbox_push(store, "sim:a", "<a1/>");
	id_b1 = test_outbox_push(store, "", "<b1/>");
	id_a2 = test_outbox_push(store, "sim:a", "<a2/>");
	ck_assert_int_gt(id_b1, id_a1);
	ck_assert_int_gt(id_a2, id_b1);
	g_clear_object(&store);
	store = test_store_open(path);
	ck_assert_uint_eq(igw_store_outbox_count(store, &error), 3);

	items = igw_store_outbox_peek(store, NULL, 0, &error);
	test_assert_ok(items != NULL, error);
	ck_assert_uint_eq(items->len, 3);
	test_assert_item(g_ptr_array_index(items, 0), id_a1, "sim:a", "<a1/>");
	test_assert_item(g_ptr_array_index(items, 1), id_b1, "", "<b1/>");
	test_assert_item(g_ptr_array_index(items, 2), id_a2, "sim:a", "<a2/>");
	g_ptr_array_unref(items);

	items = igw_store_outbox_peek(store, "sim:a", 0, &error);
	test_assert_ok(items != NULL, error);
	ck_assert_uint_eq(items->len, 2);
	test_assert_item(g_ptr_array_index(items, 1), id_a2, "sim:a", "<a2/>");
	g_ptr_array_unref(items);

	/* peeking does not take; removing does */
	items = igw_store_outbox_peek(store, NULL, 1, &error);
	test_assert_ok(items != NULL, error);
	ck_assert_uint_eq(items->len, 1);
	test_assert_item(g_ptr_array_index(items, 0), id_a1, "sim:a", "<a1/>");
	g_ptr_array_unref(items);
	ret = igw_store_outbox_remove(store, id_a1, &error);
	test_assert_ok(ret, error);
	ck_assert_uint_eq(igw_store_outbox_count(store, &error), 2);
	items = igw_store_outbox_peek(store, NULL, 1, &error);
	test_assert_ok(items != NULL, error);
	test_assert_item(g_ptr_array_index(items, 0), id_b1, "", "<b1/>");
	g_ptr_array_unref(items);

	ret = igw_store_outbox_remove(store, id_a1, &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_FOUND));
	g_clear_error(&error);

	/* ids are never reused, even after the newest was removed */
	ret = igw_store_outbox_remove(store, id_a2, &error);
	test_assert_ok(ret, error);
	ck_assert_int_gt(test_outbox_push(store, "sim:a", "<a3/>"), id_a2);
}
END_TEST

START_TEST(test_store_newer_schema)
{
	g_autofree gchar *path = test_path("store.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) before = NULL;
	g_autoptr(GBytes) after = NULL;
	g_autofree gchar *version = NULL;
	gboolean ret;

	g_clear_object(&store);
	/* in rollback journal mode, where switching to WAL would write to the file */
	test_sql(path, "PRAGMA journal_mode = DELETE; UPDATE schema SET version = 6");
	before = test_read_file(path);

	store = igw_store_new();
	ret = igw_store_open(store, path, &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_STORE));
	ck_assert_ptr_nonnull(strstr(error->message, path));
	ck_assert_ptr_nonnull(
	    strstr(error->message, "newer iotgwd (schema 6, this one knows up to 5)"));
	ck_assert_ptr_nonnull(strstr(error->message, "refusing to touch it"));
	ck_assert_uint_eq(igw_store_get_schema_version(store), 0);
	g_clear_object(&store);

	after = test_read_file(path);
	ck_assert(g_bytes_equal(before, after));
	version = test_sql_text(path, "SELECT group_concat(version) FROM schema");
	ck_assert_str_eq(version, "6");
}
END_TEST

static void
test_assert_refused(const gchar *path, const gchar *reason)
{
	g_autoptr(IgwStore) store = igw_store_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) before = test_read_file(path);
	g_autoptr(GBytes) after = NULL;
	guint files = test_count_files();
	gboolean ret;

	ret = igw_store_open(store, path, &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_STORE));
	ck_assert_ptr_nonnull(strstr(error->message, path));
	ck_assert_msg(strstr(error->message, reason) != NULL, "%s", error->message);
	g_clear_object(&store);

	/* not a byte changed, and no -wal, -shm or -journal left next to it */
	after = test_read_file(path);
	ck_assert(g_bytes_equal(before, after));
	ck_assert_uint_eq(test_count_files(), files);
}

START_TEST(test_store_garbage)
{
	g_autofree gchar *big = test_path("big.db");
	g_autofree gchar *small = test_path("small.db");
	g_autoptr(GRand) rand = g_rand_new_with_seed(42);
	g_autoptr(GError) error = NULL;
	guint8 data[8192];
	gboolean ret;

	for (guint i = 0; i < sizeof(data); i++)
		data[i] = g_rand_int_range(rand, 0, 256);
	ret = g_file_set_contents(big, (const gchar *)data, sizeof(data), &error);
	test_assert_ok(ret, error);
	ret = g_file_set_contents(small, "this is not a database\n", -1, &error);
	test_assert_ok(ret, error);

	test_assert_refused(big, "file is not a database");
	test_assert_refused(small, "file is not a database");
}
END_TEST

START_TEST(test_store_foreign)
{
	g_autofree gchar *path = test_path("other.db");
	test_sql(path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')");
	test_assert_refused(path, "not an iotgw database");
}
END_TEST

/* every column and index of every table, so two schemas can be compared */
static gchar *
test_describe_schema(const gchar *path)
{
	return test_sql_text(
	    path,
	    "SELECT group_concat(line, x'0a') FROM ("
	    "SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p.\"notnull\" || ' ' || "
	    "  ifnull(p.dflt_value, '-') || ' ' || p.pk AS line "
	    "FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' "
	    "UNION ALL "
	    "SELECT m.name || ' on ' || m.tbl_name || ' ' || ifnull(x.name, '-') || ' ' || "
	    "  x.coll || ' ' || x.key || ' ' || l.\"unique\" "
	    "FROM sqlite_master m JOIN pragma_index_xinfo(m.name) x "
	    "JOIN pragma_index_list(m.tbl_name) l ON l.name = m.name WHERE m.type = 'index' "
	    "ORDER BY line)");
}

static void
test_copy_fixture(const gchar *name, const gchar *dest)
{
	const gchar *srcdir = g_getenv("IGW_TEST_SRCDIR");
	g_autofree gchar *src = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *data = NULL;
	gsize len = 0;
	gboolean ret;

	ck_assert_msg(srcdir != NULL, "IGW_TEST_SRCDIR is not set");
	src = g_build_filename(srcdir, "fixtures", name, NULL);
	ret = g_file_get_contents(src, &data, &len, &error);
	test_assert_ok(ret, error);
	ret = g_file_set_contents(dest, data, len, &error);
	test_assert_ok(ret, error);
}

/* the rows that store-v1.sql and store-v2.sql both hold, as a v3 store shows them */
static void
test_assert_fixture_rows(IgwStore *store)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *localpart = NULL;
	g_autofree gchar *jid = NULL;
	g_autofree gchar *password = NULL;
	g_autoptr(GPtrArray) readings = NULL;
	gboolean greeted = FALSE;
	gboolean ret;

	localpart = test_ensure_localpart(store, "sim:kitchen", "something-else");
	ck_assert_str_eq(localpart, "kitchen");
	ret = igw_store_get_greeted(store, "sim:kitchen", &greeted, &error);
	test_assert_ok(ret, error);
	ck_assert(greeted);
	ret = igw_store_get_credentials(store, "", &jid, &password, &error);
	test_assert_ok(ret, error);
	ck_assert_str_eq(jid, "gateway@example.org");
	ck_assert_str_eq(password, "gateway-secret");
	test_assert_owners(store, "", "alice@example.org,bob@example.org");
	test_assert_owners(store, "sim:kitchen", "carol@example.org");
	/* what existed before v3 came from the configuration, and was adopted */
	test_assert_owner_list(store, "", "alice@example.org:config,bob@example.org:config");
	test_assert_owner_list(store, "sim:kitchen", "carol@example.org:config");
	test_assert_state(store, "sim:kitchen", "adopted");
	test_assert_state(store, "sim:door", "adopted");
	test_assert_display_name(store, "sim:kitchen", NULL);
	test_assert_thing_ids(store, "adopted", "sim:door,sim:kitchen");
	test_assert_thing_ids(store, "discovered", "");

	readings = test_get_readings(store, "sim:kitchen", NULL, 0, 0, 0);
	ck_assert_uint_eq(readings->len, 3);
	ck_assert_int_eq(g_variant_get_int64(test_reading_value(readings, 0)), 9007199254740993);
	ck_assert_double_eq(g_variant_get_double(test_reading_value(readings, 1)), 22.25);
	ck_assert_double_eq(g_variant_get_double(test_reading_value(readings, 2)), 21.5);
	g_clear_pointer(&readings, g_ptr_array_unref);
	readings = test_get_readings(store, "sim:door", NULL, 0, 0, 0);
	ck_assert_uint_eq(readings->len, 2);
	ck_assert_str_eq(g_variant_get_string(test_reading_value(readings, 0), NULL), "ajar");
	ck_assert_int_eq(igw_reading_get_flags(g_ptr_array_index(readings, 0)), 5);
	ck_assert_int_eq(igw_reading_get_category(g_ptr_array_index(readings, 0)), 2);
	ck_assert(g_variant_get_boolean(test_reading_value(readings, 1)));
}

START_TEST(test_store_migrate_v1)
{
	g_autofree gchar *path = test_path("store.db");
	g_autofree gchar *fresh = test_path("fresh.db");
	g_autofree gchar *localpart = NULL;
	g_autofree gchar *schema_migrated = NULL;
	g_autofree gchar *schema_fresh = NULL;
	g_autofree gchar *version = NULL;
	g_autoptr(IgwStore) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) items = NULL;
	guint removed = 0;
	gboolean ret;

	test_copy_fixture("store-v1.db", path);
	version = test_sql_text(path, "SELECT group_concat(version) FROM schema");
	ck_assert_str_eq(version, "1");
	store = test_store_open(path);
	ck_assert_uint_eq(igw_store_get_schema_version(store), 5);
	test_assert_fixture_rows(store);

	/* new rows live beside the old ones */
	localpart = test_ensure_localpart(store, "sim:kitchen-2", "Kitchen");
	ck_assert_str_eq(localpart, "Kitchen-2");
	test_outbox_push(store, "sim:kitchen", "<queued/>");
	ck_assert_uint_eq(igw_store_outbox_count(store, &error), 1);
	ret = igw_store_prune(store, "sim:kitchen", 0, 1, &removed, &error);
	test_assert_ok(ret, error);
	ck_assert_uint_eq(removed, 2);
	g_clear_object(&store);

	/* a second open finds nothing to migrate */
	store = test_store_open(path);
	items = igw_store_outbox_peek(store, NULL, 0, &error);
	test_assert_ok(items != NULL, error);
	ck_assert_uint_eq(items->len, 1);
	test_assert_item(g_ptr_array_index(items, 0), 1, "sim:kitchen", "<queued/>");
	g_clear_object(&store);
	g_clear_pointer(&version, g_free);
	version = test_sql_text(path, "SELECT group_concat(version) FROM schema");
	ck_assert_str_eq(version, "5");

	/* a migrated v1 looks like a new database: store-v1.sql matches igw_store_migrate_v1() */
	g_clear_object(&store);
	store = test_store_open(fresh);
	g_clear_object(&store);
	schema_migrated = test_describe_schema(path);
	schema_fresh = test_describe_schema(fresh);
	ck_assert_str_eq(schema_migrated, schema_fresh);
	ck_assert_ptr_nonnull(strstr(schema_fresh, "things.history_max_rows INTEGER 0 - 0"));
	ck_assert_ptr_nonnull(strstr(schema_fresh, "readings_time on readings timestamp_us"));
	ck_assert_ptr_nonnull(strstr(schema_fresh, "things.state TEXT 1 'adopted' 0"));
	ck_assert_ptr_nonnull(strstr(schema_fresh, "things.display_name TEXT 0 - 0"));
	ck_assert_ptr_nonnull(strstr(schema_fresh, "owners.source TEXT 1 'config' 0"));
	ck_assert_ptr_nonnull(strstr(schema_fresh, "peers.profile TEXT 1 - 0"));
}
END_TEST

START_TEST(test_store_migrate_v2)
{
	g_autofree gchar *path = test_path("store.db");
	g_autofree gchar *fresh = test_path("fresh.db");
	g_autofree gchar *version = NULL;
	g_autofree gchar *history = NULL;
	g_autofree gchar *schema_migrated = NULL;
	g_autofree gchar *schema_fresh = NULL;
	g_autoptr(IgwStore) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) items = NULL;

	test_copy_fixture("store-v2.db", path);
	version = test_sql_text(path, "SELECT group_concat(version) FROM schema");
	ck_assert_str_eq(version, "2");
	store = test_store_open(path);
	ck_assert_uint_eq(igw_store_get_schema_version(store), 5);
	test_assert_fixture_rows(store);

	/* what v2 added is still there: the outbox, its sequence, the history limits */
	items = igw_store_outbox_peek(store, NULL, 0, &error);
	test_assert_ok(items != NULL, error);
	ck_assert_uint_eq(items->len, 2);
	test_assert_item(g_ptr_array_index(items, 0), 1, "sim:kitchen", "<first/>");
	test_assert_item(g_ptr_array_index(items, 1), 2, "", "<second/>");
	ck_assert_int_eq(test_outbox_push(store, "sim:door", "<new/>"), 4);

	/* the old owners come from the configuration: not removable, but admin ones join them */
	test_assert_remove_owner_fails(store, "", "alice@example.org", IGW_ERROR_NOT_SUPPORTED,
				       "comes from the configuration file");
	test_add_owner(store, "", "dave@example.org");
	test_assert_owner_list(store, "",
			       "alice@example.org:config,bob@example.org:config,"
			       "dave@example.org:admin");
	test_set_state(store, "sim:door", "blocked");
	g_clear_object(&store);

	history =
	    test_sql_text(path, "SELECT history_max_age_us || '|' || history_max_rows FROM things "
				"WHERE id = 'sim:kitchen'");
	ck_assert_str_eq(history, "86400000000|1000");
	g_clear_pointer(&version, g_free);
	version = test_sql_text(path, "SELECT group_concat(version) FROM schema");
	ck_assert_str_eq(version, "5");

	/* a second open finds nothing to migrate and keeps what v3 wrote */
	store = test_store_open(path);
	test_assert_state(store, "sim:door", "blocked");
	test_assert_thing_ids(store, "adopted", "sim:kitchen");
	g_clear_object(&store);

	/* a migrated v2 looks like a new database: store-v2.sql matches migrate_v1 + v2 */
	store = test_store_open(fresh);
	g_clear_object(&store);
	schema_migrated = test_describe_schema(path);
	schema_fresh = test_describe_schema(fresh);
	ck_assert_str_eq(schema_migrated, schema_fresh);
	ck_assert_ptr_nonnull(strstr(schema_fresh, "owners.source TEXT 1 'config' 0"));
}
END_TEST

/* v3 state survives v4; the new peers table starts empty */
START_TEST(test_store_migrate_v3)
{
	g_autofree gchar *path = test_path("store.db");
	g_autofree gchar *fresh = test_path("fresh.db");
	g_autofree gchar *version = NULL;
	g_autofree gchar *profile = NULL;
	g_autofree gchar *schema_migrated = NULL;
	g_autofree gchar *schema_fresh = NULL;
	g_autoptr(IgwStore) store = NULL;
	g_autoptr(GError) error = NULL;
	gboolean ret;

	test_copy_fixture("store-v3.db", path);
	version = test_sql_text(path, "SELECT group_concat(version) FROM schema");
	ck_assert_str_eq(version, "3");
	store = test_store_open(path);
	ck_assert_uint_eq(igw_store_get_schema_version(store), 5);
	/* what v3 held: states, display names and owners of both sources */
	test_assert_state(store, "sim:kitchen", "adopted");
	test_assert_state(store, "sim:door", "blocked");
	test_assert_display_name(store, "sim:kitchen", "Cooking");
	test_assert_owner_list(store, "", "alice@example.org:config,dave@example.org:admin");
	ret = igw_store_get_peer_profile(store, "bob@example.org", &profile, &error);
	test_assert_ok(ret, error);
	ck_assert_ptr_null(profile);
	ret = igw_store_set_peer_profile(store, "bob@example.org", "smack", &error);
	test_assert_ok(ret, error);
	g_clear_object(&store);
	g_clear_pointer(&version, g_free);
	version = test_sql_text(path, "SELECT group_concat(version) FROM schema");
	ck_assert_str_eq(version, "5");

	/* a migrated v3 looks like a new database: store-v3.sql matches migrate_v1 to v3 */
	store = test_store_open(fresh);
	g_clear_object(&store);
	schema_migrated = test_describe_schema(path);
	schema_fresh = test_describe_schema(fresh);
	ck_assert_str_eq(schema_migrated, schema_fresh);
}
END_TEST

/* v4 peers survive v5; the new secrets table starts empty */
START_TEST(test_store_migrate_v4)
{
	g_autofree gchar *path = test_path("store.db");
	g_autofree gchar *fresh = test_path("fresh.db");
	g_autofree gchar *version = NULL;
	g_autofree gchar *profile = NULL;
	g_autofree gchar *schema_migrated = NULL;
	g_autofree gchar *schema_fresh = NULL;
	g_autoptr(IgwStore) store = NULL;
	g_autoptr(GError) error = NULL;
	gboolean ret;

	test_copy_fixture("store-v4.db", path);
	version = test_sql_text(path, "SELECT group_concat(version) FROM schema");
	ck_assert_str_eq(version, "4");
	store = test_store_open(path);
	ck_assert_uint_eq(igw_store_get_schema_version(store), 5);
	/* what v4 held: things, owners and the peers of both sources */
	test_assert_state(store, "sim:kitchen", "adopted");
	test_assert_state(store, "sim:door", "blocked");
	test_assert_display_name(store, "sim:kitchen", "Cooking");
	test_assert_owner_list(store, "", "alice@example.org:config,dave@example.org:admin");
	ret = igw_store_get_peer_profile(store, "BOB@example.org", &profile, &error);
	test_assert_ok(ret, error);
	ck_assert_str_eq(profile, "smack");
	test_assert_secrets(store, "");
	test_set_secret(store, "sim:kitchen", "token", "t");
	test_assert_secrets(store, "sim:kitchen/token=t");
	/* forgetting a migrated thing takes its secrets along */
	ret = igw_store_remove_thing(store, "sim:kitchen", &error);
	test_assert_ok(ret, error);
	test_assert_secrets(store, "");
	g_clear_object(&store);
	g_clear_pointer(&version, g_free);
	version = test_sql_text(path, "SELECT group_concat(version) FROM schema");
	ck_assert_str_eq(version, "5");

	/* a migrated v4 looks like a new database: store-v4.sql matches migrate_v1 to v4 */
	store = test_store_open(fresh);
	g_clear_object(&store);
	schema_migrated = test_describe_schema(path);
	schema_fresh = test_describe_schema(fresh);
	ck_assert_str_eq(schema_migrated, schema_fresh);
	ck_assert_ptr_nonnull(strstr(schema_fresh, "secrets.value TEXT 1 - 0"));
}
END_TEST

static void
test_assert_profile(IgwStore *store, const gchar *jid, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *profile = NULL;
	gboolean ret = igw_store_get_peer_profile(store, jid, &profile, &error);
	test_assert_ok(ret, error);
	ck_assert_pstr_eq(profile, expected);
}

/* admin rows one by one, config rows as a whole; JIDs without case */
START_TEST(test_store_peers)
{
	g_autofree gchar *path = test_path("peers.db");
	g_autoptr(IgwStore) store = test_store_open(path);
	g_autoptr(GError) error = NULL;
	const gchar *jids[] = {"bob@example.org", "carol@example.org", NULL};
	const gchar *profiles[] = {"xsf", "smack", NULL};
	const gchar *later_jids[] = {"Carol@Example.org", NULL};
	const gchar *later_profiles[] = {"xsf", NULL};
	const gchar *bad_profiles[] = {"xsf", "java", NULL};
	gboolean ret;

	test_assert_profile(store, "bob@example.org", NULL);
	ret = igw_store_set_peer_profile(store, "dave@example.org", "smack", &error);
	test_assert_ok(ret, error);
	ret = igw_store_set_peer_profile(store, "bob@example.org", "slixmpp", &error);
	test_assert_ok(ret, error);
	test_assert_profile(store, "DAVE@example.org", "smack");

	/* the config wins over an admin row of the same JID, and leaves the others */
	ret = igw_store_set_config_peers(store, jids, profiles, &error);
	test_assert_ok(ret, error);
	test_assert_profile(store, "bob@example.org", "xsf");
	test_assert_profile(store, "carol@example.org", "smack");
	test_assert_profile(store, "dave@example.org", "smack");

	/* a reload: config rows not named any more go */
	ret = igw_store_set_config_peers(store, later_jids, later_profiles, &error);
	test_assert_ok(ret, error);
	test_assert_profile(store, "bob@example.org", NULL);
	test_assert_profile(store, "carol@example.org", "xsf");
	test_assert_profile(store, "dave@example.org", "smack");
	ret = igw_store_set_config_peers(store, NULL, NULL, &error);
	test_assert_ok(ret, error);
	test_assert_profile(store, "carol@example.org", NULL);

	/* NULL removes an admin row */
	ret = igw_store_set_peer_profile(store, "dave@example.org", NULL, &error);
	test_assert_ok(ret, error);
	test_assert_profile(store, "dave@example.org", NULL);

	ret = igw_store_set_peer_profile(store, "dave@example.org", "java", &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	ck_assert_ptr_nonnull(strstr(error->message, "unknown profile 'java'"));
	g_clear_error(&error);
	ret = igw_store_set_peer_profile(store, "dave@example.org/phone", "xsf", &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	g_clear_error(&error);
	/* a bad config list changes nothing */
	ret = igw_store_set_config_peers(store, jids, bad_profiles, &error);
	ck_assert(!ret);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
	test_assert_profile(store, "bob@example.org", NULL);
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	TCase *tc = igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
	tcase_add_unchecked_fixture(tc, test_dir_setup, test_dir_teardown);
}

static Suite *
test_store_suite(void)
{
	Suite *suite = suite_create("store");
	test_suite_add(suite, "store/open-new", test_store_open_new);
	test_suite_add(suite, "store/things", test_store_things);
	test_suite_add(suite, "store/things-columns", test_store_things_columns);
	test_suite_add(suite, "store/localpart", test_store_localpart);
	test_suite_add(suite, "store/credentials", test_store_credentials);
	test_suite_add(suite, "store/owners", test_store_owners);
	test_suite_add(suite, "store/owners-admin", test_store_owners_admin);
	test_suite_add(suite, "store/owners-both-sources", test_store_owners_both_sources);
	test_suite_add(suite, "store/thing-state", test_store_thing_state);
	test_suite_add(suite, "store/display-name", test_store_display_name);
	test_suite_add(suite, "store/thing-ids", test_store_thing_ids);
	test_suite_add(suite, "store/forget", test_store_forget);
	test_suite_add(suite, "store/readings-types", test_store_readings_types);
	test_suite_add(suite, "store/readings-filter", test_store_readings_filter);
	test_suite_add(suite, "store/flush-failure", test_store_flush_failure);
	test_suite_add(suite, "store/close-flushes", test_store_close_flushes);
	test_suite_add(suite, "store/prune", test_store_prune);
	test_suite_add(suite, "store/outbox", test_store_outbox);
	test_suite_add(suite, "store/newer-schema", test_store_newer_schema);
	test_suite_add(suite, "store/garbage", test_store_garbage);
	test_suite_add(suite, "store/foreign-database", test_store_foreign);
	test_suite_add(suite, "store/migrate-v1", test_store_migrate_v1);
	test_suite_add(suite, "store/migrate-v2", test_store_migrate_v2);
	test_suite_add(suite, "store/migrate-v3", test_store_migrate_v3);
	test_suite_add(suite, "store/migrate-v4", test_store_migrate_v4);
	test_suite_add(suite, "store/secrets", test_store_secrets);
	test_suite_add(suite, "store/peers", test_store_peers);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_store_suite());
}
