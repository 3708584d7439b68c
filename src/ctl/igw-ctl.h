/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "igw-dbus-generated.h"

G_BEGIN_DECLS

#define IGW_CTL_BUS_NAME "org.iotgw.Gateway1"
#define IGW_CTL_OBJECT_PATH "/org/iotgw/Gateway1"
#define IGW_CTL_LINE_WIDTH 80

/* the exit status of iotgwctl, documented in --help and iotgwctl(1) */
typedef enum {
	IGW_CTL_EXIT_OK = 0,
	IGW_CTL_EXIT_FAILURE = 1,
	IGW_CTL_EXIT_USAGE = 2,
	IGW_CTL_EXIT_NO_DAEMON = 3,
	IGW_CTL_EXIT_PERMISSION_DENIED = 4,
	IGW_CTL_EXIT_NOT_FOUND = 5,
} IgwCtlExit;

/* command options beyond --json and --verbose; a command lists the ones it takes */
typedef enum {
	IGW_CTL_OPT_NONE = 0,
	IGW_CTL_OPT_FIELD = 1 << 0,
	IGW_CTL_OPT_SINCE = 1 << 1,
	IGW_CTL_OPT_UNTIL = 1 << 2,
	IGW_CTL_OPT_LIMIT = 1 << 3,
	IGW_CTL_OPT_TIMEOUT = 1 << 4,
} IgwCtlOpt;

typedef enum {
	IGW_CTL_CMD_FLAG_NONE = 0,
	IGW_CTL_CMD_FLAG_HIDDEN = 1 << 0,  /* not in --help, get-actions or the man page */
	IGW_CTL_CMD_FLAG_DEFAULT = 1 << 1, /* the verb used when none is given */
} IgwCtlCmdFlags;

typedef struct {
	gboolean json;
	gboolean verbose;
	gchar *field; /* command options, validated by the commands that take them */
	gchar *since;
	gchar *until;
	gchar *limit;
	gchar *timeout;
	IgwCtlOpt opts_given;
	GPtrArray *cmds; /* of const IgwCtlCmd * */
	GOptionContext *context;
	GDBusConnection *connection;
	IgwDbusGateway1 *gateway;
	GDBusObjectManager *manager;
	GMainLoop *loop;
	GError *loop_error;
} IgwCtl;

/* argv: the entity (if any) then the arguments, NULL-terminated */
typedef gboolean (*IgwCtlCmdFunc)(IgwCtl *self, gchar **argv, GError **error);

/*
 * one row of a command table: "NOUN [ENTITY] [VERB] [ARGS]"; noun and verb may carry
 * comma-separated aliases after the canonical name ("remove,rm")
 */
typedef struct {
	const gchar *noun;
	const gchar *entity;
	const gchar *verb;
	const gchar *args;
	const gchar *description;
	IgwCtlCmdFunc func;
	guint min_args; /* counted with the entity */
	guint max_args;
	IgwCtlOpt options;
	IgwCtlCmdFlags flags;
} IgwCtlCmd;

/* each family hands out its table, ended by a row whose noun is NULL */
const IgwCtlCmd *
igw_ctl_status_get_cmds(void);
const IgwCtlCmd *
igw_ctl_things_get_cmds(void);
const IgwCtlCmd *
igw_ctl_owners_get_cmds(void);
const IgwCtlCmd *
igw_ctl_peers_get_cmds(void);
const IgwCtlCmd *
igw_ctl_join_get_cmds(void);
const IgwCtlCmd *
igw_ctl_watch_get_cmds(void);

/* D-Bus */
IgwDbusGateway1 *
igw_ctl_get_gateway(IgwCtl *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *
igw_ctl_get_things(IgwCtl *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
IgwDbusThing1 *
igw_ctl_get_thing(IgwCtl *self, const gchar *id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_ctl_run_loop(IgwCtl *self, GSourceFunc interrupt_cb, gpointer user_data,
		 GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
igw_ctl_quit_loop(IgwCtl *self, GError *error);

/* errors */
void
igw_ctl_prefix_error(GError **error, const gchar *format, ...) G_GNUC_PRINTF(2, 3);

/* arguments */
gboolean
igw_ctl_parse_uint(const gchar *text, guint min, guint max, const gchar *what, guint *value,
		   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
igw_ctl_parse_time(const gchar *text, const gchar *what, gint64 *usec,
		   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* output */
gchar *
igw_ctl_format_time(gint64 usec);
gchar *
igw_ctl_format_duration(guint64 seconds);
void
igw_ctl_print_json(IgwCtl *self, JsonBuilder *builder);
void
igw_ctl_print_json_line(JsonBuilder *builder);
void
igw_ctl_json_add_time(JsonBuilder *builder, const gchar *key_usec, const gchar *key_iso,
		      gint64 usec);
void
igw_ctl_json_add_variant(JsonBuilder *builder, const gchar *key, GVariant *value);
void
igw_ctl_json_add_values(JsonBuilder *builder, const gchar *key, GVariant *values);
void
igw_ctl_print_section(const gchar *title);
void
igw_ctl_print_kv(const gchar *key, const gchar *value);
void
igw_ctl_print_table(GPtrArray *rows, const guint *max_widths);

G_END_DECLS
