/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwStore"

#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "igw-error.h"
#include "igw-store.h"

/*
 * schema versions, kept as the one row of the table schema(version):
 *  1: things, credentials, owners, readings, index readings(thing_id, field, timestamp_us)
 *  2: outbox, things.history_max_age_us, things.history_max_rows, index readings(timestamp_us)
 *  3: things.state, things.display_name, owners.source
 *  4: peers (the dialect profile of each peer JID, and where it came from)
 *  5: secrets (per-thing keys such as a BLE bindkey; no foreign key: a key may be
 *     set before its thing is first seen)
 * a new version gets a igw_store_migrate_vN() and a case in igw_store_migrate(), and
 * tests/fixtures/ gets a database of the version before it
 */

#define IGW_STORE_BUSY_TIMEOUT_MS 5000
#define IGW_STORE_LOCALPART_TRIES 1000

#define IGW_STORE_READINGS_COLUMNS                                                                 \
	"SELECT thing_id, field, type, value_num, value_text, timestamp_us, category, flags "      \
	"FROM readings "
#define IGW_STORE_OUTBOX_COLUMNS "SELECT id, thing_id, kind, payload, created_us FROM outbox "

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sqlite3, sqlite3_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sqlite3_stmt, sqlite3_finalize)

struct _IgwStore {
	GObject parent_instance;
	sqlite3 *db;
	gchar *path;
	guint schema_version;
	GPtrArray *pending; /* of IgwReading, queued for the next flush */
};

G_DEFINE_TYPE(IgwStore, igw_store, G_TYPE_OBJECT)

static gboolean
igw_store_set_error(sqlite3 *db, GError **error)
{
	g_set_error_literal(error, IGW_ERROR, IGW_ERROR_STORE, sqlite3_errmsg(db));
	return FALSE;
}

static gboolean
igw_store_check_open(IgwStore *self, GError **error)
{
	if (self->db == NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_STORE, "the database is not open");
		return FALSE;
	}
	return TRUE;
}

/* for messages: thing_id "" stands for the gateway itself */
static const gchar *
igw_store_thing_label(const gchar *thing_id)
{
	return *thing_id == '\0' ? "the gateway" : thing_id;
}

static sqlite3_stmt *
igw_store_prepare(sqlite3 *db, const gchar *sql, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		igw_store_set_error(db, error);
		return NULL;
	}
	return stmt;
}

static gboolean
igw_store_step_done(sqlite3 *db, sqlite3_stmt *stmt, GError **error)
{
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return igw_store_set_error(db, error);
	return TRUE;
}

/* runs constant SQL, possibly several statements; still prepared one by one */
static gboolean
igw_store_exec(sqlite3 *db, const gchar *sql, GError **error)
{
	const gchar *tail = sql;
	while (tail != NULL && *tail != '\0') {
		g_autoptr(sqlite3_stmt) stmt = NULL;
		gint rc;
		if (sqlite3_prepare_v2(db, tail, -1, &stmt, &tail) != SQLITE_OK)
			return igw_store_set_error(db, error);
		/* only whitespace or a comment was left */
		if (stmt == NULL)
			break;
		do {
			rc = sqlite3_step(stmt);
		} while (rc == SQLITE_ROW);
		if (rc != SQLITE_DONE)
			return igw_store_set_error(db, error);
	}
	return TRUE;
}

/* one statement with the text ?1 and no result */
static gboolean
igw_store_exec_text(sqlite3 *db, const gchar *sql, const gchar *text, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = igw_store_prepare(db, sql, error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
	return igw_store_step_done(db, stmt, error);
}

/*
 * a transaction that rolls back unless committed, so that every early return
 * undoes what the function had written
 */
typedef struct {
	sqlite3 *db;
	gboolean committed;
} IgwStoreTransaction;

static void
igw_store_transaction_free(IgwStoreTransaction *txn)
{
	g_autoptr(GError) error_local = NULL;
	/* a failed COMMIT may have rolled back on its own */
	if (!txn->committed && !sqlite3_get_autocommit(txn->db)) {
		if (!igw_store_exec(txn->db, "ROLLBACK", &error_local))
			g_warning("failed to roll back: %s", error_local->message);
	}
	g_free(txn);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgwStoreTransaction, igw_store_transaction_free)

static IgwStoreTransaction *
igw_store_transaction_begin(sqlite3 *db, GError **error)
{
	IgwStoreTransaction *txn;
	/* take the write lock now, so the busy timeout applies here and not at COMMIT */
	if (!igw_store_exec(db, "BEGIN IMMEDIATE", error))
		return NULL;
	txn = g_new0(IgwStoreTransaction, 1);
	txn->db = db;
	return txn;
}

static gboolean
igw_store_transaction_commit(IgwStoreTransaction *txn, GError **error)
{
	if (!igw_store_exec(txn->db, "COMMIT", error))
		return FALSE;
	txn->committed = TRUE;
	return TRUE;
}

static gboolean
igw_store_migrate_v1(sqlite3 *db, GError **error)
{
	/*
	 * value_num has no declared type on purpose: without affinity an int64
	 * stays an integer, where REAL would round it to a double;
	 * localparts compare without case because XMPP servers do
	 */
	return igw_store_exec(db,
			      "CREATE TABLE schema (version INTEGER NOT NULL);"
			      "CREATE TABLE things ("
			      "  id TEXT PRIMARY KEY NOT NULL,"
			      "  plugin TEXT,"
			      "  name TEXT,"
			      "  manufacturer TEXT,"
			      "  model TEXT,"
			      "  serial TEXT,"
			      "  firmware TEXT,"
			      "  localpart TEXT UNIQUE COLLATE NOCASE,"
			      "  greeted INTEGER NOT NULL DEFAULT 0,"
			      "  created_us INTEGER NOT NULL,"
			      "  updated_us INTEGER NOT NULL);"
			      "CREATE TABLE credentials ("
			      "  thing_id TEXT PRIMARY KEY NOT NULL,"
			      "  jid TEXT NOT NULL,"
			      "  password TEXT);"
			      "CREATE TABLE owners ("
			      "  thing_id TEXT NOT NULL,"
			      "  jid TEXT NOT NULL,"
			      "  PRIMARY KEY (thing_id, jid));"
			      "CREATE TABLE readings ("
			      "  id INTEGER PRIMARY KEY,"
			      "  thing_id TEXT NOT NULL,"
			      "  field TEXT NOT NULL,"
			      "  type TEXT NOT NULL,"
			      "  value_num,"
			      "  value_text TEXT,"
			      "  timestamp_us INTEGER NOT NULL,"
			      "  category INTEGER NOT NULL DEFAULT 0,"
			      "  flags INTEGER NOT NULL DEFAULT 0);"
			      "CREATE INDEX readings_thing_field_time "
			      "  ON readings (thing_id, field, timestamp_us);",
			      error);
}

static gboolean
igw_store_migrate_v2(sqlite3 *db, GError **error)
{
	return igw_store_exec(db,
			      "CREATE TABLE outbox ("
			      "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
			      "  thing_id TEXT NOT NULL,"
			      "  kind TEXT NOT NULL,"
			      "  payload TEXT NOT NULL,"
			      "  created_us INTEGER NOT NULL);"
			      "ALTER TABLE things ADD COLUMN history_max_age_us INTEGER;"
			      "ALTER TABLE things ADD COLUMN history_max_rows INTEGER;"
			      "CREATE INDEX readings_time ON readings (timestamp_us);",
			      error);
}

/*
 * no CHECK on the values: a later state or source could not be added without
 * rebuilding the table; the functions that write them check instead
 */
static gboolean
igw_store_migrate_v3(sqlite3 *db, GError **error)
{
	return igw_store_exec(db,
			      "ALTER TABLE things ADD COLUMN state TEXT NOT NULL DEFAULT 'adopted';"
			      "ALTER TABLE things ADD COLUMN display_name TEXT;"
			      "ALTER TABLE owners "
			      "  ADD COLUMN source TEXT NOT NULL DEFAULT 'config';",
			      error);
}

/* profiles and sources are checked by the functions that write them, as in v3 */
static gboolean
igw_store_migrate_v4(sqlite3 *db, GError **error)
{
	return igw_store_exec(db,
			      "CREATE TABLE peers ("
			      "  jid TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,"
			      "  profile TEXT NOT NULL,"
			      "  source TEXT NOT NULL DEFAULT 'config');",
			      error);
}

/* names are checked by the plugin that owns the thing, not here */
static gboolean
igw_store_migrate_v5(sqlite3 *db, GError **error)
{
	return igw_store_exec(db,
			      "CREATE TABLE secrets ("
			      "  thing_id TEXT NOT NULL,"
			      "  name TEXT NOT NULL,"
			      "  value TEXT NOT NULL,"
			      "  PRIMARY KEY (thing_id, name));",
			      error);
}

static gboolean
igw_store_write_version(sqlite3 *db, guint version, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (!igw_store_exec(db, "DELETE FROM schema", error))
		return FALSE;
	stmt = igw_store_prepare(db, "INSERT INTO schema (version) VALUES (?1)", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, version);
	return igw_store_step_done(db, stmt, error);
}

/* every step from @version up, in one transaction: a failure leaves the file as it was */
static gboolean
igw_store_migrate(sqlite3 *db, guint version, GError **error)
{
	g_autoptr(IgwStoreTransaction) txn = NULL;
	if (version == IGW_STORE_SCHEMA_VERSION)
		return TRUE;
	txn = igw_store_transaction_begin(db, error);
	if (txn == NULL)
		return FALSE;
	switch (version) {
	case 0:
		if (!igw_store_migrate_v1(db, error))
			return FALSE;
		G_GNUC_FALLTHROUGH;
	case 1:
		if (!igw_store_migrate_v2(db, error))
			return FALSE;
		G_GNUC_FALLTHROUGH;
	case 2:
		if (!igw_store_migrate_v3(db, error))
			return FALSE;
		G_GNUC_FALLTHROUGH;
	case 3:
		if (!igw_store_migrate_v4(db, error))
			return FALSE;
		G_GNUC_FALLTHROUGH;
	case 4:
		if (!igw_store_migrate_v5(db, error))
			return FALSE;
		break;
	default:
		g_set_error(error, IGW_ERROR, IGW_ERROR_STORE, "no migration from schema %u",
			    version);
		return FALSE;
	}
	if (!igw_store_write_version(db, IGW_STORE_SCHEMA_VERSION, error))
		return FALSE;
	if (version > 0)
		g_info("migrated from schema %u to %u", version, (guint)IGW_STORE_SCHEMA_VERSION);
	return igw_store_transaction_commit(txn, error);
}

/* the first real read of the file: a file that is not a database fails here */
static gboolean
igw_store_count_tables(sqlite3 *db, gint64 *tables, gboolean *has_schema, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	stmt = igw_store_prepare(db,
				 "SELECT count(*), count(*) FILTER "
				 "(WHERE type = 'table' AND name = 'schema') FROM sqlite_master",
				 error);
	if (stmt == NULL)
		return FALSE;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return igw_store_set_error(db, error);
	*tables = sqlite3_column_int64(stmt, 0);
	*has_schema = sqlite3_column_int64(stmt, 1) > 0;
	return TRUE;
}

/* 0 for an empty file; refuses a database that some other program wrote */
static gboolean
igw_store_load_version(sqlite3 *db, guint *version, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint64 tables = 0;
	gboolean has_schema = FALSE;
	if (!igw_store_count_tables(db, &tables, &has_schema, error))
		return FALSE;
	if (tables == 0) {
		*version = 0;
		return TRUE;
	}
	if (!has_schema) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_STORE,
				    "not an iotgw database (no schema table); "
				    "refusing to touch it");
		return FALSE;
	}
	stmt = igw_store_prepare(db, "SELECT max(version) FROM schema", error);
	if (stmt == NULL)
		return FALSE;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return igw_store_set_error(db, error);
	if (sqlite3_column_type(stmt, 0) != SQLITE_INTEGER || sqlite3_column_int64(stmt, 0) < 1 ||
	    sqlite3_column_int64(stmt, 0) > G_MAXUINT) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_STORE,
				    "the schema table holds no valid version; "
				    "refusing to touch it");
		return FALSE;
	}
	*version = (guint)sqlite3_column_int64(stmt, 0);
	return TRUE;
}

static gboolean
igw_store_set_wal(sqlite3 *db, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = igw_store_prepare(db, "PRAGMA journal_mode = WAL", error);
	const gchar *mode;
	if (stmt == NULL)
		return FALSE;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return igw_store_set_error(db, error);
	mode = (const gchar *)sqlite3_column_text(stmt, 0);
	/* an in-memory database has no WAL, a file system without mmap can't */
	if (g_strcmp0(mode, "wal") != 0 && g_strcmp0(mode, "memory") != 0)
		g_warning("journal mode is %s, not wal", mode);
	return TRUE;
}

/* the settings that may write: only once the version is known to be ours */
static gboolean
igw_store_setup(sqlite3 *db, GError **error)
{
	if (!igw_store_set_wal(db, error))
		return FALSE;
	return igw_store_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", error);
}

/*
 * no PRAGMA quick_check: it reads every page, which takes seconds on a big
 * history; damage deeper in the file shows as an error of the query that meets it
 */
static sqlite3 *
igw_store_open_db(const gchar *path, guint *version, GError **error)
{
	g_autoptr(sqlite3) db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		igw_store_set_error(db, error);
		return NULL;
	}
	sqlite3_busy_timeout(db, IGW_STORE_BUSY_TIMEOUT_MS);
	if (!igw_store_load_version(db, version, error))
		return NULL;
	if (*version > IGW_STORE_SCHEMA_VERSION) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_STORE,
			    "it was written by a newer iotgwd "
			    "(schema %u, this one knows up to %u); refusing to touch it",
			    *version, (guint)IGW_STORE_SCHEMA_VERSION);
		return NULL;
	}
	if (!igw_store_setup(db, error))
		return NULL;
	if (!igw_store_migrate(db, *version, error))
		return NULL;
	return g_steal_pointer(&db);
}

gboolean
igw_store_open(IgwStore *self, const gchar *path, GError **error)
{
	guint version = 0;
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(self->db == NULL, FALSE);
	self->db = igw_store_open_db(path, &version, error);
	if (self->db == NULL) {
		g_prefix_error(error, "failed to open %s: ", path);
		return FALSE;
	}
	g_free(self->path);
	self->path = g_strdup(path);
	self->schema_version = IGW_STORE_SCHEMA_VERSION;
	g_debug("opened %s (schema %u on disk before)", path, version);
	return TRUE;
}

void
igw_store_close(IgwStore *self)
{
	g_autoptr(GError) error_local = NULL;
	g_return_if_fail(IGW_IS_STORE(self));
	if (self->db == NULL)
		return;
	if (!igw_store_flush(self, &error_local))
		g_warning("%s: %u readings not written: %s", self->path, self->pending->len,
			  error_local->message);
	if (sqlite3_close(self->db) != SQLITE_OK)
		g_warning("failed to close %s: %s", self->path, sqlite3_errmsg(self->db));
	self->db = NULL;
	self->schema_version = 0;
}

guint
igw_store_get_schema_version(IgwStore *self)
{
	g_return_val_if_fail(IGW_IS_STORE(self), 0);
	return self->schema_version;
}

static gboolean
igw_store_save_thing(IgwStore *self, IgwThing *thing, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	/*
	 * localpart, greeted, created_us, state and display_name belong to the store,
	 * not to the object; a new row gets the default state, 'adopted'
	 */
	stmt = igw_store_prepare(self->db,
				 "INSERT INTO things (id, plugin, name, manufacturer, model, "
				 "serial, firmware, created_us, updated_us) "
				 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) "
				 "ON CONFLICT (id) DO UPDATE SET plugin = excluded.plugin, "
				 "name = excluded.name, manufacturer = excluded.manufacturer, "
				 "model = excluded.model, serial = excluded.serial, "
				 "firmware = excluded.firmware, updated_us = excluded.updated_us",
				 error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, igw_thing_get_id(thing), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, igw_thing_get_plugin_name(thing), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, igw_thing_get_name(thing), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, igw_thing_get_manufacturer(thing), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, igw_thing_get_model(thing), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, igw_thing_get_serial(thing), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, igw_thing_get_firmware(thing), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 8, g_get_real_time());
	return igw_store_step_done(self->db, stmt, error);
}

gboolean
igw_store_upsert_thing(IgwStore *self, IgwThing *thing, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(IGW_IS_THING(thing), FALSE);
	if (!igw_store_save_thing(self, thing, error)) {
		g_prefix_error(error, "failed to store thing %s: ", igw_thing_get_id(thing));
		return FALSE;
	}
	return TRUE;
}

static void
igw_store_drop_pending(IgwStore *self, const gchar *thing_id)
{
	for (guint i = self->pending->len; i > 0; i--) {
		IgwReading *reading = g_ptr_array_index(self->pending, i - 1);
		if (g_strcmp0(igw_reading_get_thing_id(reading), thing_id) == 0)
			g_ptr_array_remove_index(self->pending, i - 1);
	}
}

/* forgets the thing and everything stored under its id */
static gboolean
igw_store_delete_thing(IgwStore *self, const gchar *thing_id, GError **error)
{
	const gchar *sql[] = {
	    "DELETE FROM credentials WHERE thing_id = ?1", "DELETE FROM owners WHERE thing_id = ?1",
	    "DELETE FROM readings WHERE thing_id = ?1",	   "DELETE FROM outbox WHERE thing_id = ?1",
	    "DELETE FROM secrets WHERE thing_id = ?1",	   NULL};
	g_autoptr(IgwStoreTransaction) txn = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	txn = igw_store_transaction_begin(self->db, error);
	if (txn == NULL)
		return FALSE;
	if (!igw_store_exec_text(self->db, "DELETE FROM things WHERE id = ?1", thing_id, error))
		return FALSE;
	if (sqlite3_changes(self->db) == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no such thing");
		return FALSE;
	}
	for (guint i = 0; sql[i] != NULL; i++) {
		if (!igw_store_exec_text(self->db, sql[i], thing_id, error))
			return FALSE;
	}
	if (!igw_store_transaction_commit(txn, error))
		return FALSE;
	igw_store_drop_pending(self, thing_id);
	return TRUE;
}

gboolean
igw_store_remove_thing(IgwStore *self, const gchar *thing_id, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	if (!igw_store_delete_thing(self, thing_id, error)) {
		g_prefix_error(error, "failed to remove thing %s: ", thing_id);
		return FALSE;
	}
	return TRUE;
}

/* NULL in @localpart when the thing is unknown or has none yet */
static gboolean
igw_store_load_localpart(sqlite3 *db, const gchar *thing_id, gchar **localpart, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;
	stmt = igw_store_prepare(db, "SELECT localpart FROM things WHERE id = ?1", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*localpart = g_strdup((const gchar *)sqlite3_column_text(stmt, 0));
	else if (rc != SQLITE_DONE)
		return igw_store_set_error(db, error);
	return TRUE;
}

static gboolean
igw_store_localpart_is_taken(sqlite3 *db, const gchar *localpart, gboolean *taken, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;
	stmt = igw_store_prepare(db, "SELECT 1 FROM things WHERE localpart = ?1", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, localpart, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return igw_store_set_error(db, error);
	*taken = rc == SQLITE_ROW;
	return TRUE;
}

static gchar *
igw_store_pick_localpart(sqlite3 *db, const gchar *proposed, GError **error)
{
	for (guint i = 1; i <= IGW_STORE_LOCALPART_TRIES; i++) {
		g_autofree gchar *candidate =
		    i == 1 ? g_strdup(proposed) : g_strdup_printf("%s-%u", proposed, i);
		gboolean taken = FALSE;
		if (!igw_store_localpart_is_taken(db, candidate, &taken, error))
			return NULL;
		if (!taken)
			return g_steal_pointer(&candidate);
	}
	g_set_error(error, IGW_ERROR, IGW_ERROR_LIMIT_REACHED, "%s to %s-%u are all taken",
		    proposed, proposed, (guint)IGW_STORE_LOCALPART_TRIES);
	return NULL;
}

/* creates a minimal row when the thing was never stored */
static gboolean
igw_store_save_localpart(sqlite3 *db, const gchar *thing_id, const gchar *localpart, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	stmt = igw_store_prepare(db,
				 "INSERT INTO things (id, localpart, created_us, updated_us) "
				 "VALUES (?1, ?2, ?3, ?3) "
				 "ON CONFLICT (id) DO UPDATE SET localpart = excluded.localpart, "
				 "updated_us = excluded.updated_us",
				 error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, localpart, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, g_get_real_time());
	return igw_store_step_done(db, stmt, error);
}

static gchar *
igw_store_assign_localpart(IgwStore *self, const gchar *thing_id, const gchar *proposed,
			   GError **error)
{
	g_autoptr(IgwStoreTransaction) txn = NULL;
	g_autofree gchar *localpart = NULL;
	if (!igw_store_check_open(self, error))
		return NULL;
	/* look and pick under one write lock, so two callers can't pick the same */
	txn = igw_store_transaction_begin(self->db, error);
	if (txn == NULL)
		return NULL;
	if (!igw_store_load_localpart(self->db, thing_id, &localpart, error))
		return NULL;
	if (localpart != NULL)
		return g_steal_pointer(&localpart);
	localpart = igw_store_pick_localpart(self->db, proposed, error);
	if (localpart == NULL)
		return NULL;
	if (!igw_store_save_localpart(self->db, thing_id, localpart, error))
		return NULL;
	if (!igw_store_transaction_commit(txn, error))
		return NULL;
	g_debug("thing %s: localpart %s", thing_id, localpart);
	return g_steal_pointer(&localpart);
}

gchar *
igw_store_ensure_localpart(IgwStore *self, const gchar *thing_id, const gchar *proposed,
			   GError **error)
{
	gchar *localpart;
	g_return_val_if_fail(IGW_IS_STORE(self), NULL);
	g_return_val_if_fail(thing_id != NULL, NULL);
	g_return_val_if_fail(proposed != NULL, NULL);
	if (*proposed == '\0') {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "failed to ensure localpart of %s: the proposed localpart is empty",
			    thing_id);
		return NULL;
	}
	localpart = igw_store_assign_localpart(self, thing_id, proposed, error);
	if (localpart == NULL)
		g_prefix_error(error, "failed to ensure localpart of %s: ", thing_id);
	return localpart;
}

static gboolean
igw_store_load_greeted(IgwStore *self, const gchar *thing_id, gboolean *greeted, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;
	if (!igw_store_check_open(self, error))
		return FALSE;
	stmt = igw_store_prepare(self->db, "SELECT greeted FROM things WHERE id = ?1", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return igw_store_set_error(self->db, error);
	/* a thing that was never stored was never greeted either */
	*greeted = rc == SQLITE_ROW && sqlite3_column_int64(stmt, 0) != 0;
	return TRUE;
}

gboolean
igw_store_get_greeted(IgwStore *self, const gchar *thing_id, gboolean *greeted, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	g_return_val_if_fail(greeted != NULL, FALSE);
	if (!igw_store_load_greeted(self, thing_id, greeted, error)) {
		g_prefix_error(error, "failed to load greeted flag of %s: ", thing_id);
		return FALSE;
	}
	return TRUE;
}

static gboolean
igw_store_save_greeted(IgwStore *self, const gchar *thing_id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	stmt = igw_store_prepare(
	    self->db, "UPDATE things SET greeted = 1, updated_us = ?2 WHERE id = ?1", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, g_get_real_time());
	if (!igw_store_step_done(self->db, stmt, error))
		return FALSE;
	if (sqlite3_changes(self->db) == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no such thing");
		return FALSE;
	}
	return TRUE;
}

gboolean
igw_store_set_greeted(IgwStore *self, const gchar *thing_id, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	if (!igw_store_save_greeted(self, thing_id, error)) {
		g_prefix_error(error, "failed to store greeted flag of %s: ", thing_id);
		return FALSE;
	}
	return TRUE;
}

static gboolean
igw_store_state_is_valid(const gchar *state)
{
	return g_strcmp0(state, "discovered") == 0 || g_strcmp0(state, "adopted") == 0 ||
	       g_strcmp0(state, "blocked") == 0;
}

/* @sql selects one text column of the thing ?1; NULL in @text for no row or NULL */
static gboolean
igw_store_load_thing_text(IgwStore *self, const gchar *sql, const gchar *thing_id, gchar **text,
			  GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;
	if (!igw_store_check_open(self, error))
		return FALSE;
	stmt = igw_store_prepare(self->db, sql, error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return igw_store_set_error(self->db, error);
	*text = rc == SQLITE_ROW ? g_strdup((const gchar *)sqlite3_column_text(stmt, 0)) : NULL;
	return TRUE;
}

/* @sql sets one column of the thing ?1 to ?2 and updated_us to ?3 */
static gboolean
igw_store_save_thing_text(IgwStore *self, const gchar *sql, const gchar *thing_id,
			  const gchar *text, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	stmt = igw_store_prepare(self->db, sql, error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, g_get_real_time());
	if (!igw_store_step_done(self->db, stmt, error))
		return FALSE;
	if (sqlite3_changes(self->db) == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no such thing");
		return FALSE;
	}
	return TRUE;
}

gboolean
igw_store_get_thing_state(IgwStore *self, const gchar *thing_id, gchar **state, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	g_return_val_if_fail(state != NULL, FALSE);
	if (!igw_store_load_thing_text(self, "SELECT state FROM things WHERE id = ?1", thing_id,
				       state, error)) {
		g_prefix_error(error, "failed to load state of %s: ", thing_id);
		return FALSE;
	}
	return TRUE;
}

gboolean
igw_store_set_thing_state(IgwStore *self, const gchar *thing_id, const gchar *state, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	g_return_val_if_fail(state != NULL, FALSE);
	if (!igw_store_state_is_valid(state)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "failed to store state of %s: invalid state '%s'", thing_id, state);
		return FALSE;
	}
	if (!igw_store_save_thing_text(self,
				       "UPDATE things SET state = ?2, updated_us = ?3 "
				       "WHERE id = ?1",
				       thing_id, state, error)) {
		g_prefix_error(error, "failed to store state of %s: ", thing_id);
		return FALSE;
	}
	return TRUE;
}

gboolean
igw_store_get_display_name(IgwStore *self, const gchar *thing_id, gchar **name, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	g_return_val_if_fail(name != NULL, FALSE);
	if (!igw_store_load_thing_text(self, "SELECT display_name FROM things WHERE id = ?1",
				       thing_id, name, error)) {
		g_prefix_error(error, "failed to load display name of %s: ", thing_id);
		return FALSE;
	}
	return TRUE;
}

gboolean
igw_store_set_display_name(IgwStore *self, const gchar *thing_id, const gchar *name, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	/* an empty name would show as nothing at all; clearing is what NULL is for */
	if (name != NULL && (*name == '\0' || !g_utf8_validate(name, -1, NULL))) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "failed to store display name of %s: the name is %s", thing_id,
			    *name == '\0' ? "empty" : "not valid UTF-8");
		return FALSE;
	}
	if (!igw_store_save_thing_text(self,
				       "UPDATE things SET display_name = ?2, updated_us = ?3 "
				       "WHERE id = ?1",
				       thing_id, name, error)) {
		g_prefix_error(error, "failed to store display name of %s: ", thing_id);
		return FALSE;
	}
	return TRUE;
}

static GStrv
igw_store_load_thing_ids(IgwStore *self, const gchar *state, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	const gchar *sql_state = "SELECT id FROM things WHERE state = ?1 ORDER BY id";
	const gchar *sql_all = "SELECT id FROM things ORDER BY id";
	gint rc;
	if (!igw_store_check_open(self, error))
		return NULL;
	stmt = igw_store_prepare(self->db, state != NULL ? sql_state : sql_all, error);
	if (stmt == NULL)
		return NULL;
	if (state != NULL)
		sqlite3_bind_text(stmt, 1, state, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_strv_builder_add(builder, (const gchar *)sqlite3_column_text(stmt, 0));
	if (rc != SQLITE_DONE) {
		igw_store_set_error(self->db, error);
		return NULL;
	}
	return g_strv_builder_end(builder);
}

/* sorted by bytes, as strcmp() does */
GStrv
igw_store_get_thing_ids(IgwStore *self, const gchar *state, GError **error)
{
	GStrv ids;
	g_return_val_if_fail(IGW_IS_STORE(self), NULL);
	if (state != NULL && !igw_store_state_is_valid(state)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "failed to list things: invalid state '%s'", state);
		return NULL;
	}
	ids = igw_store_load_thing_ids(self, state, error);
	if (ids == NULL)
		g_prefix_error(error, "failed to list things: ");
	return ids;
}

static gboolean
igw_store_load_credentials(IgwStore *self, const gchar *thing_id, gchar **jid, gchar **password,
			   GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;
	if (!igw_store_check_open(self, error))
		return FALSE;
	stmt = igw_store_prepare(
	    self->db, "SELECT jid, password FROM credentials WHERE thing_id = ?1", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "none stored");
		return FALSE;
	}
	if (rc != SQLITE_ROW)
		return igw_store_set_error(self->db, error);
	if (jid != NULL)
		*jid = g_strdup((const gchar *)sqlite3_column_text(stmt, 0));
	if (password != NULL)
		*password = g_strdup((const gchar *)sqlite3_column_text(stmt, 1));
	return TRUE;
}

gboolean
igw_store_get_credentials(IgwStore *self, const gchar *thing_id, gchar **jid, gchar **password,
			  GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	if (!igw_store_load_credentials(self, thing_id, jid, password, error)) {
		g_prefix_error(
		    error, "failed to load credentials of %s: ", igw_store_thing_label(thing_id));
		return FALSE;
	}
	return TRUE;
}

static gboolean
igw_store_save_credentials(IgwStore *self, const gchar *thing_id, const gchar *jid,
			   const gchar *password, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	stmt = igw_store_prepare(self->db,
				 "INSERT INTO credentials (thing_id, jid, password) "
				 "VALUES (?1, ?2, ?3) "
				 "ON CONFLICT (thing_id) DO UPDATE SET jid = excluded.jid, "
				 "password = excluded.password",
				 error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, jid, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, password, -1, SQLITE_STATIC);
	return igw_store_step_done(self->db, stmt, error);
}

gboolean
igw_store_set_credentials(IgwStore *self, const gchar *thing_id, const gchar *jid,
			  const gchar *password, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	g_return_val_if_fail(jid != NULL, FALSE);
	if (!igw_store_save_credentials(self, thing_id, jid, password, error)) {
		g_prefix_error(
		    error, "failed to store credentials of %s: ", igw_store_thing_label(thing_id));
		return FALSE;
	}
	return TRUE;
}

/*
 * a listed JID that is an admin owner already becomes a config one: the file wins,
 * so its spelling and place in the list are kept, and it can't be removed at run time;
 * a JID listed twice, in any case, is stored once
 */
static gboolean
igw_store_insert_owners(sqlite3 *db, const gchar *thing_id, const gchar *const *owners,
			GError **error)
{
	g_autoptr(sqlite3_stmt) drop = NULL;
	g_autoptr(sqlite3_stmt) insert = NULL;
	drop = igw_store_prepare(db,
				 "DELETE FROM owners WHERE thing_id = ?1 "
				 "AND jid = ?2 COLLATE NOCASE AND source = 'admin'",
				 error);
	if (drop == NULL)
		return FALSE;
	insert = igw_store_prepare(db,
				   "INSERT INTO owners (thing_id, jid, source) "
				   "SELECT ?1, ?2, 'config' WHERE NOT EXISTS (SELECT 1 FROM owners "
				   "WHERE thing_id = ?1 AND jid = ?2 COLLATE NOCASE)",
				   error);
	if (insert == NULL)
		return FALSE;
	for (guint i = 0; owners != NULL && owners[i] != NULL; i++) {
		sqlite3_stmt *stmts[] = {drop, insert};
		for (guint j = 0; j < G_N_ELEMENTS(stmts); j++) {
			sqlite3_bind_text(stmts[j], 1, thing_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmts[j], 2, owners[i], -1, SQLITE_STATIC);
			if (!igw_store_step_done(db, stmts[j], error))
				return FALSE;
			sqlite3_reset(stmts[j]);
		}
	}
	return TRUE;
}

static gboolean
igw_store_replace_owners(IgwStore *self, const gchar *thing_id, const gchar *const *owners,
			 GError **error)
{
	g_autoptr(IgwStoreTransaction) txn = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	txn = igw_store_transaction_begin(self->db, error);
	if (txn == NULL)
		return FALSE;
	if (!igw_store_exec_text(self->db,
				 "DELETE FROM owners WHERE thing_id = ?1 AND source = 'config'",
				 thing_id, error))
		return FALSE;
	if (!igw_store_insert_owners(self->db, thing_id, owners, error))
		return FALSE;
	return igw_store_transaction_commit(txn, error);
}

gboolean
igw_store_set_owners(IgwStore *self, const gchar *thing_id, const gchar *const *owners,
		     GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	if (!igw_store_replace_owners(self, thing_id, owners, error)) {
		g_prefix_error(error,
			       "failed to store owners of %s: ", igw_store_thing_label(thing_id));
		return FALSE;
	}
	return TRUE;
}

void
igw_store_owner_free(IgwStoreOwner *owner)
{
	if (owner == NULL)
		return;
	g_free(owner->jid);
	g_free(owner->source);
	g_free(owner);
}

/*
 * config owners first: set_owners() inserts them anew at every start, which
 * would otherwise move them behind admin owners added earlier
 */
static GPtrArray *
igw_store_load_owners(IgwStore *self, const gchar *thing_id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autoptr(GPtrArray) owners =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_store_owner_free);
	gint rc;
	if (!igw_store_check_open(self, error))
		return NULL;
	stmt = igw_store_prepare(self->db,
				 "SELECT jid, source FROM owners WHERE thing_id = ?1 "
				 "ORDER BY source <> 'config', rowid",
				 error);
	if (stmt == NULL)
		return NULL;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		IgwStoreOwner *owner = g_new0(IgwStoreOwner, 1);
		owner->jid = g_strdup((const gchar *)sqlite3_column_text(stmt, 0));
		owner->source = g_strdup((const gchar *)sqlite3_column_text(stmt, 1));
		g_ptr_array_add(owners, owner);
	}
	if (rc != SQLITE_DONE) {
		igw_store_set_error(self->db, error);
		return NULL;
	}
	return g_steal_pointer(&owners);
}

GPtrArray *
igw_store_get_owner_list(IgwStore *self, const gchar *thing_id, GError **error)
{
	GPtrArray *owners;
	g_return_val_if_fail(IGW_IS_STORE(self), NULL);
	g_return_val_if_fail(thing_id != NULL, NULL);
	owners = igw_store_load_owners(self, thing_id, error);
	if (owners == NULL)
		g_prefix_error(error,
			       "failed to load owners of %s: ", igw_store_thing_label(thing_id));
	return owners;
}

GStrv
igw_store_get_owners(IgwStore *self, const gchar *thing_id, GError **error)
{
	g_autoptr(GPtrArray) owners = NULL;
	g_autoptr(GStrvBuilder) builder = NULL;
	g_return_val_if_fail(IGW_IS_STORE(self), NULL);
	g_return_val_if_fail(thing_id != NULL, NULL);
	owners = igw_store_get_owner_list(self, thing_id, error);
	if (owners == NULL)
		return NULL;
	builder = g_strv_builder_new();
	for (guint i = 0; i < owners->len; i++)
		g_strv_builder_add(builder, ((IgwStoreOwner *)g_ptr_array_index(owners, i))->jid);
	return g_strv_builder_end(builder);
}

/* one statement, so the check and the insert can't be split by another writer */
static gboolean
igw_store_insert_owner(IgwStore *self, const gchar *thing_id, const gchar *jid, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	stmt = igw_store_prepare(self->db,
				 "INSERT INTO owners (thing_id, jid, source) "
				 "SELECT ?1, ?2, 'admin' WHERE NOT EXISTS (SELECT 1 FROM owners "
				 "WHERE thing_id = ?1 AND jid = ?2 COLLATE NOCASE)",
				 error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, jid, -1, SQLITE_STATIC);
	if (!igw_store_step_done(self->db, stmt, error))
		return FALSE;
	if (sqlite3_changes(self->db) == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_EXISTS, "already an owner");
		return FALSE;
	}
	return TRUE;
}

gboolean
igw_store_add_owner(IgwStore *self, const gchar *thing_id, const gchar *jid, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	g_return_val_if_fail(jid != NULL, FALSE);
	if (*jid == '\0') {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "failed to add an owner of %s: the JID is empty",
			    igw_store_thing_label(thing_id));
		return FALSE;
	}
	if (!igw_store_insert_owner(self, thing_id, jid, error)) {
		g_prefix_error(error, "failed to add owner %s of %s: ", jid,
			       igw_store_thing_label(thing_id));
		return FALSE;
	}
	return TRUE;
}

/* counts the rows of the owner, in any case, and those of them from the file */
static gboolean
igw_store_count_owner(sqlite3 *db, const gchar *thing_id, const gchar *jid, gint64 *rows,
		      gint64 *config, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	stmt = igw_store_prepare(db,
				 "SELECT count(*), count(*) FILTER (WHERE source = 'config') "
				 "FROM owners WHERE thing_id = ?1 AND jid = ?2 COLLATE NOCASE",
				 error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, jid, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return igw_store_set_error(db, error);
	*rows = sqlite3_column_int64(stmt, 0);
	*config = sqlite3_column_int64(stmt, 1);
	return TRUE;
}

static gboolean
igw_store_delete_owner(IgwStore *self, const gchar *thing_id, const gchar *jid, GError **error)
{
	g_autoptr(IgwStoreTransaction) txn = NULL;
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint64 rows = 0;
	gint64 config = 0;
	if (!igw_store_check_open(self, error))
		return FALSE;
	txn = igw_store_transaction_begin(self->db, error);
	if (txn == NULL)
		return FALSE;
	if (!igw_store_count_owner(self->db, thing_id, jid, &rows, &config, error))
		return FALSE;
	/* the next start would bring it back from the file anyway */
	if (config > 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
				    "it comes from the configuration file");
		return FALSE;
	}
	if (rows == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "not an owner");
		return FALSE;
	}
	stmt = igw_store_prepare(self->db,
				 "DELETE FROM owners WHERE thing_id = ?1 "
				 "AND jid = ?2 COLLATE NOCASE AND source = 'admin'",
				 error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, jid, -1, SQLITE_STATIC);
	if (!igw_store_step_done(self->db, stmt, error))
		return FALSE;
	return igw_store_transaction_commit(txn, error);
}

gboolean
igw_store_remove_owner(IgwStore *self, const gchar *thing_id, const gchar *jid, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	g_return_val_if_fail(jid != NULL, FALSE);
	if (!igw_store_delete_owner(self, thing_id, jid, error)) {
		g_prefix_error(error, "failed to remove owner %s of %s: ", jid,
			       igw_store_thing_label(thing_id));
		return FALSE;
	}
	return TRUE;
}

void
igw_store_add_reading(IgwStore *self, IgwReading *reading)
{
	g_return_if_fail(IGW_IS_STORE(self));
	g_return_if_fail(reading != NULL);
	g_ptr_array_add(self->pending, igw_reading_ref(reading));
}

guint
igw_store_get_pending(IgwStore *self)
{
	g_return_val_if_fail(IGW_IS_STORE(self), 0);
	return self->pending->len;
}

/*
 * numbers go to value_num (an int64 stays exact, see igw_store_migrate_v1), a
 * string to value_text as it is, anything else printed in GVariant text format
 */
static void
igw_store_bind_value(sqlite3_stmt *stmt, GVariant *value)
{
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_DOUBLE))
		sqlite3_bind_double(stmt, 4, g_variant_get_double(value));
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64))
		sqlite3_bind_int64(stmt, 4, g_variant_get_int64(value));
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
		sqlite3_bind_int64(stmt, 4, g_variant_get_boolean(value) ? 1 : 0);
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		sqlite3_bind_text(stmt, 5, g_variant_get_string(value, NULL), -1, SQLITE_STATIC);
	else
		sqlite3_bind_text(stmt, 5, g_variant_print(value, FALSE), -1, g_free);
}

static gboolean
igw_store_insert_reading(sqlite3 *db, sqlite3_stmt *stmt, IgwReading *reading, GError **error)
{
	GVariant *value = igw_reading_get_value(reading);
	sqlite3_bind_text(stmt, 1, igw_reading_get_thing_id(reading), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, igw_reading_get_field(reading), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, g_variant_get_type_string(value), -1, SQLITE_STATIC);
	igw_store_bind_value(stmt, value);
	sqlite3_bind_int64(stmt, 6, igw_reading_get_timestamp(reading));
	sqlite3_bind_int64(stmt, 7, igw_reading_get_category(reading));
	sqlite3_bind_int64(stmt, 8, igw_reading_get_flags(reading));
	if (!igw_store_step_done(db, stmt, error))
		return FALSE;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return TRUE;
}

static gboolean
igw_store_write_pending(IgwStore *self, GError **error)
{
	g_autoptr(IgwStoreTransaction) txn = NULL;
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	txn = igw_store_transaction_begin(self->db, error);
	if (txn == NULL)
		return FALSE;
	stmt = igw_store_prepare(self->db,
				 "INSERT INTO readings (thing_id, field, type, value_num, "
				 "value_text, timestamp_us, category, flags) "
				 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				 error);
	if (stmt == NULL)
		return FALSE;
	for (guint i = 0; i < self->pending->len; i++) {
		IgwReading *reading = g_ptr_array_index(self->pending, i);
		if (!igw_store_insert_reading(self->db, stmt, reading, error))
			return FALSE;
	}
	return igw_store_transaction_commit(txn, error);
}

/* on failure everything stays queued for the next try */
gboolean
igw_store_flush(IgwStore *self, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	if (self->pending->len == 0)
		return TRUE;
	if (!igw_store_write_pending(self, error)) {
		g_prefix_error(error, "failed to store %u readings: ", self->pending->len);
		return FALSE;
	}
	g_debug("wrote %u readings", self->pending->len);
	g_ptr_array_set_size(self->pending, 0);
	return TRUE;
}

static GVariant *
igw_store_parse_value(const gchar *type, const gchar *text, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	GVariant *value;
	if (type == NULL || !g_variant_type_string_is_valid(type) || text == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_STORE, "invalid stored value of type '%s'",
			    type);
		return NULL;
	}
	value = g_variant_parse(G_VARIANT_TYPE(type), text, NULL, NULL, &error_local);
	if (value == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_STORE,
			    "invalid stored value of type %s: %s", type, error_local->message);
		return NULL;
	}
	return value;
}

/*
 * the columns of IGW_STORE_READINGS_COLUMNS, back into the GVariant that was
 * stored; a full reference, never a floating one, as g_variant_parse() gives
 */
static GVariant *
igw_store_value_from_row(sqlite3_stmt *stmt, GError **error)
{
	const gchar *type = (const gchar *)sqlite3_column_text(stmt, 2);
	const gchar *text = (const gchar *)sqlite3_column_text(stmt, 4);
	if (g_strcmp0(type, "d") == 0) {
		/* SQLite stores a NaN as NULL */
		if (sqlite3_column_type(stmt, 3) == SQLITE_NULL)
			return g_variant_ref_sink(g_variant_new_double(NAN));
		return g_variant_ref_sink(g_variant_new_double(sqlite3_column_double(stmt, 3)));
	}
	if (g_strcmp0(type, "x") == 0)
		return g_variant_ref_sink(g_variant_new_int64(sqlite3_column_int64(stmt, 3)));
	if (g_strcmp0(type, "b") == 0) {
		gboolean value = sqlite3_column_int64(stmt, 3) != 0;
		return g_variant_ref_sink(g_variant_new_boolean(value));
	}
	if (g_strcmp0(type, "s") == 0 && text != NULL && g_utf8_validate(text, -1, NULL))
		return g_variant_ref_sink(g_variant_new_string(text));
	return igw_store_parse_value(type, text, error);
}

static IgwReading *
igw_store_reading_from_row(sqlite3_stmt *stmt, GError **error)
{
	IgwReading *reading;
	g_autoptr(GVariant) value = igw_store_value_from_row(stmt, error);
	if (value == NULL)
		return NULL;
	reading = igw_reading_new((const gchar *)sqlite3_column_text(stmt, 0),
				  (const gchar *)sqlite3_column_text(stmt, 1), value,
				  sqlite3_column_int64(stmt, 5));
	igw_reading_set_category(reading, sqlite3_column_int64(stmt, 6));
	igw_reading_set_flags(reading, sqlite3_column_int64(stmt, 7));
	return reading;
}

static GPtrArray *
igw_store_load_readings(IgwStore *self, const gchar *thing_id, const gchar *field, gint64 since,
			gint64 until, guint limit, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autoptr(GPtrArray) readings =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_reading_unref);
	const gchar *sql_field = IGW_STORE_READINGS_COLUMNS
	    "WHERE thing_id = ?1 AND field = ?2 AND timestamp_us BETWEEN ?3 AND ?4 "
	    "ORDER BY timestamp_us DESC, id DESC LIMIT ?5";
	const gchar *sql_all =
	    IGW_STORE_READINGS_COLUMNS "WHERE thing_id = ?1 AND timestamp_us BETWEEN ?3 AND ?4 "
				       "ORDER BY timestamp_us DESC, id DESC LIMIT ?5";
	gint rc;
	if (!igw_store_check_open(self, error))
		return NULL;
	/* two statements rather than "?2 IS NULL OR", so the index on field is used */
	stmt = igw_store_prepare(self->db, field != NULL ? sql_field : sql_all, error);
	if (stmt == NULL)
		return NULL;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	if (field != NULL)
		sqlite3_bind_text(stmt, 2, field, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, since != 0 ? since : G_MININT64);
	sqlite3_bind_int64(stmt, 4, until != 0 ? until : G_MAXINT64);
	sqlite3_bind_int64(stmt, 5, limit != 0 ? (gint64)limit : -1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		IgwReading *reading = igw_store_reading_from_row(stmt, error);
		if (reading == NULL)
			return NULL;
		g_ptr_array_add(readings, reading);
	}
	if (rc != SQLITE_DONE) {
		igw_store_set_error(self->db, error);
		return NULL;
	}
	return g_steal_pointer(&readings);
}

GPtrArray *
igw_store_get_readings(IgwStore *self, const gchar *thing_id, const gchar *field, gint64 since,
		       gint64 until, guint limit, GError **error)
{
	GPtrArray *readings;
	g_return_val_if_fail(IGW_IS_STORE(self), NULL);
	g_return_val_if_fail(thing_id != NULL, NULL);
	readings = igw_store_load_readings(self, thing_id, field, since, until, limit, error);
	if (readings == NULL)
		g_prefix_error(error, "failed to load readings of %s: ", thing_id);
	return readings;
}

static gboolean
igw_store_delete_older(sqlite3 *db, const gchar *thing_id, gint64 before, guint *removed,
		       GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	stmt = igw_store_prepare(
	    db, "DELETE FROM readings WHERE thing_id = ?1 AND timestamp_us < ?2", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, before);
	if (!igw_store_step_done(db, stmt, error))
		return FALSE;
	*removed += sqlite3_changes(db);
	return TRUE;
}

static gboolean
igw_store_delete_beyond(sqlite3 *db, const gchar *thing_id, guint keep, guint *removed,
			GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	stmt = igw_store_prepare(db,
				 "DELETE FROM readings WHERE id IN (SELECT id FROM readings "
				 "WHERE thing_id = ?1 ORDER BY timestamp_us DESC, id DESC "
				 "LIMIT -1 OFFSET ?2)",
				 error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, keep);
	if (!igw_store_step_done(db, stmt, error))
		return FALSE;
	*removed += sqlite3_changes(db);
	return TRUE;
}

static gboolean
igw_store_prune_readings(IgwStore *self, const gchar *thing_id, gint64 max_age_us, guint max_rows,
			 guint *removed, GError **error)
{
	g_autoptr(IgwStoreTransaction) txn = NULL;
	gint64 cutoff = g_get_real_time() - max_age_us;
	if (!igw_store_check_open(self, error))
		return FALSE;
	txn = igw_store_transaction_begin(self->db, error);
	if (txn == NULL)
		return FALSE;
	if (max_age_us > 0 && !igw_store_delete_older(self->db, thing_id, cutoff, removed, error))
		return FALSE;
	if (max_rows > 0 && !igw_store_delete_beyond(self->db, thing_id, max_rows, removed, error))
		return FALSE;
	return igw_store_transaction_commit(txn, error);
}

gboolean
igw_store_prune(IgwStore *self, const gchar *thing_id, gint64 max_age_us, guint max_rows,
		guint *removed, GError **error)
{
	guint count = 0;
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	if (!igw_store_prune_readings(self, thing_id, max_age_us, max_rows, &count, error)) {
		g_prefix_error(error, "failed to prune readings of %s: ", thing_id);
		return FALSE;
	}
	if (count > 0)
		g_debug("thing %s: pruned %u readings", thing_id, count);
	if (removed != NULL)
		*removed = count;
	return TRUE;
}

static gboolean
igw_store_insert_outbox(IgwStore *self, const gchar *thing_id, const gchar *kind,
			const gchar *payload, gint64 *id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	stmt = igw_store_prepare(self->db,
				 "INSERT INTO outbox (thing_id, kind, payload, created_us) "
				 "VALUES (?1, ?2, ?3, ?4)",
				 error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, g_get_real_time());
	if (!igw_store_step_done(self->db, stmt, error))
		return FALSE;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(self->db);
	return TRUE;
}

gboolean
igw_store_outbox_push(IgwStore *self, const gchar *thing_id, const gchar *kind,
		      const gchar *payload, gint64 *id, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	g_return_val_if_fail(kind != NULL, FALSE);
	g_return_val_if_fail(payload != NULL, FALSE);
	if (!igw_store_insert_outbox(self, thing_id, kind, payload, id, error)) {
		g_prefix_error(error, "failed to queue %s for %s: ", kind,
			       igw_store_thing_label(thing_id));
		return FALSE;
	}
	return TRUE;
}

void
igw_outbox_item_free(IgwOutboxItem *item)
{
	if (item == NULL)
		return;
	g_free(item->thing_id);
	g_free(item->kind);
	g_free(item->payload);
	g_free(item);
}

static IgwOutboxItem *
igw_store_outbox_item_from_row(sqlite3_stmt *stmt)
{
	IgwOutboxItem *item = g_new0(IgwOutboxItem, 1);
	item->id = sqlite3_column_int64(stmt, 0);
	item->thing_id = g_strdup((const gchar *)sqlite3_column_text(stmt, 1));
	item->kind = g_strdup((const gchar *)sqlite3_column_text(stmt, 2));
	item->payload = g_strdup((const gchar *)sqlite3_column_text(stmt, 3));
	item->created_us = sqlite3_column_int64(stmt, 4);
	return item;
}

/* thing_id NULL for the oldest items of any thing */
static GPtrArray *
igw_store_load_outbox(IgwStore *self, const gchar *thing_id, guint limit, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autoptr(GPtrArray) items =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_outbox_item_free);
	const gchar *sql_thing =
	    IGW_STORE_OUTBOX_COLUMNS "WHERE thing_id = ?1 ORDER BY id LIMIT ?2";
	const gchar *sql_all = IGW_STORE_OUTBOX_COLUMNS "ORDER BY id LIMIT ?2";
	gint rc;
	if (!igw_store_check_open(self, error))
		return NULL;
	stmt = igw_store_prepare(self->db, thing_id != NULL ? sql_thing : sql_all, error);
	if (stmt == NULL)
		return NULL;
	if (thing_id != NULL)
		sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, limit != 0 ? (gint64)limit : -1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(items, igw_store_outbox_item_from_row(stmt));
	if (rc != SQLITE_DONE) {
		igw_store_set_error(self->db, error);
		return NULL;
	}
	return g_steal_pointer(&items);
}

GPtrArray *
igw_store_outbox_peek(IgwStore *self, const gchar *thing_id, guint limit, GError **error)
{
	GPtrArray *items;
	g_return_val_if_fail(IGW_IS_STORE(self), NULL);
	items = igw_store_load_outbox(self, thing_id, limit, error);
	if (items == NULL)
		g_prefix_error(error, "failed to load the outbox: ");
	return items;
}

static gboolean
igw_store_delete_outbox(IgwStore *self, gint64 id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	stmt = igw_store_prepare(self->db, "DELETE FROM outbox WHERE id = ?1", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	if (!igw_store_step_done(self->db, stmt, error))
		return FALSE;
	if (sqlite3_changes(self->db) == 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no such item");
		return FALSE;
	}
	return TRUE;
}

gboolean
igw_store_outbox_remove(IgwStore *self, gint64 id, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	if (!igw_store_delete_outbox(self, id, error)) {
		g_prefix_error(error, "failed to remove outbox item %" G_GINT64_FORMAT ": ", id);
		return FALSE;
	}
	return TRUE;
}

static gboolean
igw_store_count_outbox(IgwStore *self, guint *count, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	stmt = igw_store_prepare(self->db, "SELECT count(*) FROM outbox", error);
	if (stmt == NULL)
		return FALSE;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return igw_store_set_error(self->db, error);
	*count = (guint)sqlite3_column_int64(stmt, 0);
	return TRUE;
}

/* 0 with @error set on failure */
guint
igw_store_outbox_count(IgwStore *self, GError **error)
{
	guint count = 0;
	g_return_val_if_fail(IGW_IS_STORE(self), 0);
	if (!igw_store_count_outbox(self, &count, error)) {
		g_prefix_error(error, "failed to count the outbox: ");
		return 0;
	}
	return count;
}

static void
igw_store_finalize(GObject *object)
{
	IgwStore *self = IGW_STORE(object);
	igw_store_close(self);
	g_ptr_array_unref(self->pending);
	g_free(self->path);
	G_OBJECT_CLASS(igw_store_parent_class)->finalize(object);
}

static void
igw_store_class_init(IgwStoreClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = igw_store_finalize;
}

static void
igw_store_init(IgwStore *self)
{
	self->pending = g_ptr_array_new_with_free_func((GDestroyNotify)igw_reading_unref);
}

IgwStore *
igw_store_new(void)
{
	return g_object_new(IGW_TYPE_STORE, NULL);
}

/* peers: the dialect profile each peer JID is answered in */

static const gchar *const igw_store_peer_profiles[] = {"slixmpp", "xsf", "smack", NULL};

static gboolean
igw_store_check_peer(const gchar *jid, const gchar *profile, GError **error)
{
	if (jid == NULL || *jid == '\0' || !g_utf8_validate(jid, -1, NULL) ||
	    strchr(jid, '/') != NULL) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "expected a bare JID");
		return FALSE;
	}
	if (profile != NULL && !g_strv_contains(igw_store_peer_profiles, profile)) {
		g_autofree gchar *valid = g_utf8_make_valid(profile, -1);
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "unknown profile '%s'; expected slixmpp, xsf or smack", valid);
		return FALSE;
	}
	return TRUE;
}

gboolean
igw_store_get_peer_profile(IgwStore *self, const gchar *jid, gchar **profile, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(jid != NULL, FALSE);
	g_return_val_if_fail(profile != NULL, FALSE);
	*profile = NULL;
	if (!igw_store_check_open(self, error))
		return FALSE;
	stmt = igw_store_prepare(self->db, "SELECT profile FROM peers WHERE jid = ?1", error);
	if (stmt == NULL) {
		g_prefix_error(error, "failed to load the profile of %s: ", jid);
		return FALSE;
	}
	sqlite3_bind_text(stmt, 1, jid, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*profile = g_strdup((const gchar *)sqlite3_column_text(stmt, 0));
		return TRUE;
	}
	if (rc != SQLITE_DONE) {
		igw_store_set_error(self->db, error);
		g_prefix_error(error, "failed to load the profile of %s: ", jid);
		return FALSE;
	}
	return TRUE;
}

static gboolean
igw_store_save_peer(IgwStore *self, const gchar *jid, const gchar *profile, const gchar *source,
		    GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (profile == NULL)
		stmt = igw_store_prepare(self->db, "DELETE FROM peers WHERE jid = ?1", error);
	else
		stmt = igw_store_prepare(self->db,
					 "INSERT OR REPLACE INTO peers (jid, profile, source) "
					 "VALUES (?1, ?2, ?3)",
					 error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, jid, -1, SQLITE_STATIC);
	if (profile != NULL) {
		sqlite3_bind_text(stmt, 2, profile, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, source, -1, SQLITE_STATIC);
	}
	return igw_store_step_done(self->db, stmt, error);
}

gboolean
igw_store_set_peer_profile(IgwStore *self, const gchar *jid, const gchar *profile, GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	if (!igw_store_check_peer(jid, profile, error) || !igw_store_check_open(self, error) ||
	    !igw_store_save_peer(self, jid, profile, "admin", error)) {
		g_prefix_error(error,
			       "failed to store the profile of %s: ", jid != NULL ? jid : "(null)");
		return FALSE;
	}
	return TRUE;
}

void
igw_store_peer_free(IgwStorePeer *peer)
{
	if (peer == NULL)
		return;
	g_free(peer->jid);
	g_free(peer->profile);
	g_free(peer->source);
	g_free(peer);
}

static GPtrArray *
igw_store_load_peers(IgwStore *self, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autoptr(GPtrArray) peers =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_store_peer_free);
	gint rc;
	if (!igw_store_check_open(self, error))
		return NULL;
	stmt = igw_store_prepare(self->db, "SELECT jid, profile, source FROM peers ORDER BY jid",
				 error);
	if (stmt == NULL)
		return NULL;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		IgwStorePeer *peer = g_new0(IgwStorePeer, 1);
		peer->jid = g_strdup((const gchar *)sqlite3_column_text(stmt, 0));
		peer->profile = g_strdup((const gchar *)sqlite3_column_text(stmt, 1));
		peer->source = g_strdup((const gchar *)sqlite3_column_text(stmt, 2));
		g_ptr_array_add(peers, peer);
	}
	if (rc != SQLITE_DONE) {
		igw_store_set_error(self->db, error);
		return NULL;
	}
	return g_steal_pointer(&peers);
}

GPtrArray *
igw_store_get_peer_list(IgwStore *self, GError **error)
{
	GPtrArray *peers;
	g_return_val_if_fail(IGW_IS_STORE(self), NULL);
	peers = igw_store_load_peers(self, error);
	if (peers == NULL)
		g_prefix_error(error, "failed to load peers: ");
	return peers;
}

static gboolean
igw_store_replace_config_peers(IgwStore *self, const gchar *const *jids,
			       const gchar *const *profiles, GError **error)
{
	g_autoptr(IgwStoreTransaction) txn = NULL;
	for (guint i = 0; jids != NULL && jids[i] != NULL; i++) {
		if (profiles == NULL || profiles[i] == NULL) {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
					    "a peer has no profile");
			return FALSE;
		}
		if (!igw_store_check_peer(jids[i], profiles[i], error)) {
			g_prefix_error(error, "%s: ", jids[i]);
			return FALSE;
		}
	}
	if (!igw_store_check_open(self, error))
		return FALSE;
	txn = igw_store_transaction_begin(self->db, error);
	if (txn == NULL ||
	    !igw_store_exec(self->db, "DELETE FROM peers WHERE source = 'config'", error))
		return FALSE;
	for (guint i = 0; jids != NULL && jids[i] != NULL; i++) {
		if (!igw_store_save_peer(self, jids[i], profiles[i], "config", error))
			return FALSE;
	}
	return igw_store_transaction_commit(txn, error);
}

gboolean
igw_store_set_config_peers(IgwStore *self, const gchar *const *jids, const gchar *const *profiles,
			   GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	if (!igw_store_replace_config_peers(self, jids, profiles, error)) {
		g_prefix_error(error, "failed to store the configured peer profiles: ");
		return FALSE;
	}
	return TRUE;
}

/* secrets: per-thing keys, e.g. the bindkey of an encrypted BLE sensor */

void
igw_store_secret_free(IgwStoreSecret *secret)
{
	if (secret == NULL)
		return;
	g_free(secret->thing_id);
	g_free(secret->name);
	/* the value is a key: leave no copy in freed memory */
	if (secret->value != NULL)
		memset(secret->value, 0, strlen(secret->value));
	g_free(secret->value);
	g_free(secret);
}

static gboolean
igw_store_save_secret(IgwStore *self, const gchar *thing_id, const gchar *name, const gchar *value,
		      GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	if (value == NULL)
		stmt = igw_store_prepare(
		    self->db, "DELETE FROM secrets WHERE thing_id = ?1 AND name = ?2", error);
	else
		stmt = igw_store_prepare(self->db,
					 "INSERT OR REPLACE INTO secrets (thing_id, name, value) "
					 "VALUES (?1, ?2, ?3)",
					 error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, thing_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	if (value != NULL)
		sqlite3_bind_text(stmt, 3, value, -1, SQLITE_STATIC);
	return igw_store_step_done(self->db, stmt, error);
}

gboolean
igw_store_set_secret(IgwStore *self, const gchar *thing_id, const gchar *name, const gchar *value,
		     GError **error)
{
	g_return_val_if_fail(IGW_IS_STORE(self), FALSE);
	g_return_val_if_fail(thing_id != NULL, FALSE);
	g_return_val_if_fail(name != NULL, FALSE);
	if (*thing_id == '\0' || *name == '\0') {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "a secret needs a thing id and a name");
		g_prefix_error(error, "failed to store secret %s of %s: ", name, thing_id);
		return FALSE;
	}
	if (!igw_store_check_open(self, error) ||
	    !igw_store_save_secret(self, thing_id, name, value, error)) {
		g_prefix_error(error, "failed to store secret %s of %s: ", name, thing_id);
		return FALSE;
	}
	return TRUE;
}

static GPtrArray *
igw_store_load_secrets(IgwStore *self, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autoptr(GPtrArray) secrets =
	    g_ptr_array_new_with_free_func((GDestroyNotify)igw_store_secret_free);
	gint rc;
	if (!igw_store_check_open(self, error))
		return NULL;
	stmt = igw_store_prepare(
	    self->db, "SELECT thing_id, name, value FROM secrets ORDER BY thing_id, name", error);
	if (stmt == NULL)
		return NULL;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		IgwStoreSecret *secret = g_new0(IgwStoreSecret, 1);
		secret->thing_id = g_strdup((const gchar *)sqlite3_column_text(stmt, 0));
		secret->name = g_strdup((const gchar *)sqlite3_column_text(stmt, 1));
		secret->value = g_strdup((const gchar *)sqlite3_column_text(stmt, 2));
		g_ptr_array_add(secrets, secret);
	}
	if (rc != SQLITE_DONE) {
		igw_store_set_error(self->db, error);
		return NULL;
	}
	return g_steal_pointer(&secrets);
}

GPtrArray *
igw_store_get_secrets(IgwStore *self, GError **error)
{
	GPtrArray *secrets;
	g_return_val_if_fail(IGW_IS_STORE(self), NULL);
	secrets = igw_store_load_secrets(self, error);
	if (secrets == NULL)
		g_prefix_error(error, "failed to load secrets: ");
	return secrets;
}
