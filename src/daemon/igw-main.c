/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwMain"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>
#if HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "igw-dbus-daemon.h"
#include "igw-engine.h"
#include "igw-error.h"
#include "igw-xmpp-manager.h"

/* sysexits.h EX_CONFIG: what systemd and scripts expect for a bad config */
#define IGW_EXIT_CONFIG 78

typedef struct {
	GMainLoop *loop;
	IgwEngine *engine;
	IgwXmppManager *xmpp; /* the things' sessions and XMPP faces */
	IgwDbusDaemon *dbus;
	gchar *config_path;
	guint watchdog_id;
} IgwDaemon;

static gint igw_verbosity = 0;

static void
igw_notify(const gchar *state)
{
#if HAVE_SYSTEMD
	sd_notify(0, state);
#endif
}

/* -v shows info, -vv debug; the journal keeps CODE_FILE and friends */
static GLogWriterOutput
igw_log_writer_cb(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
	g_autofree gchar *line = NULL;
	if ((level & G_LOG_LEVEL_DEBUG) && igw_verbosity < 2)
		return G_LOG_WRITER_HANDLED;
	if ((level & G_LOG_LEVEL_INFO) && igw_verbosity < 1)
		return G_LOG_WRITER_HANDLED;
	if (g_log_writer_is_journald(fileno(stderr)))
		return g_log_writer_journald(level, fields, n_fields, user_data);
	line = g_log_writer_format_fields(level, fields, n_fields, FALSE);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
	return G_LOG_WRITER_HANDLED;
}

static gboolean
igw_verbose_cb(const gchar *option, const gchar *value, gpointer data, GError **error)
{
	igw_verbosity++;
	return TRUE;
}

static gboolean
igw_quit_cb(gpointer user_data)
{
	IgwDaemon *daemon = user_data;
	g_message("shutting down");
	igw_notify("STOPPING=1");
	g_main_loop_quit(daemon->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean
igw_reload_cb(gpointer user_data)
{
	IgwDaemon *daemon = user_data;
	g_autoptr(GError) error = NULL;
	IgwConfig *config;
	igw_notify("RELOADING=1");
	config = igw_config_load(daemon->config_path, &error);
	if (config == NULL || !igw_engine_reload(daemon->engine, config, &error)) {
		if (config != NULL)
			igw_config_free(config);
		g_warning("reload refused, old configuration kept: %s", error->message);
	} else {
		igw_xmpp_manager_reload(daemon->xmpp);
	}
	igw_notify("READY=1");
	return G_SOURCE_CONTINUE;
}

static void
igw_status_changed_cb(IgwEngine *engine, gpointer user_data)
{
	g_autofree gchar *status = igw_engine_get_status(engine);
	g_autofree gchar *notify = g_strdup_printf("STATUS=%s", status);
	igw_notify(notify);
}

#if HAVE_SYSTEMD
static gboolean
igw_watchdog_cb(gpointer user_data)
{
	sd_notify(0, "WATCHDOG=1");
	return G_SOURCE_CONTINUE;
}
#endif

static void
igw_start_watchdog(IgwDaemon *daemon)
{
#if HAVE_SYSTEMD
	guint64 usec = 0;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
		daemon->watchdog_id = g_timeout_add((guint)(usec / 2000), igw_watchdog_cb, daemon);
#endif
}

/* --state-dir, else systemd's STATE_DIRECTORY (first entry), else the built-in default */
static gchar *
igw_resolve_state_dir(const gchar *option)
{
	const gchar *env = g_getenv("STATE_DIRECTORY");
	if (option != NULL)
		return g_strdup(option);
	if (env != NULL && *env != '\0')
		return g_strndup(env, strcspn(env, ":"));
	return g_strdup(IGW_DEFAULT_STATE_DIR);
}

static gint
igw_run(IgwDaemon *daemon, IgwConfig *config, const gchar *state_dir)
{
	g_autoptr(GError) error = NULL;
	if (g_mkdir_with_parents(state_dir, 0700) != 0) {
		g_printerr("iotgwd: cannot create state directory %s: %s\n", state_dir,
			   g_strerror(errno));
		return EXIT_FAILURE;
	}
	daemon->engine = igw_engine_new(config, state_dir);
	g_signal_connect(daemon->engine, "status-changed", G_CALLBACK(igw_status_changed_cb), NULL);
	/* before the engine starts: its things are adopted as it does */
	daemon->xmpp = igw_xmpp_manager_new(daemon->engine);
	if (!igw_engine_startup(daemon->engine, &error)) {
		g_printerr("iotgwd: %s\n", error->message);
		return g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG) ? IGW_EXIT_CONFIG
										   : EXIT_FAILURE;
	}
	daemon->dbus = igw_dbus_daemon_new(daemon->engine);
	igw_dbus_daemon_start(daemon->dbus);
	g_unix_signal_add(SIGTERM, igw_quit_cb, daemon);
	g_unix_signal_add(SIGINT, igw_quit_cb, daemon);
	g_unix_signal_add(SIGHUP, igw_reload_cb, daemon);
	igw_start_watchdog(daemon);
	g_message("iotgwd %s ready, state in %s", PACKAGE_VERSION, state_dir);
	igw_notify("READY=1");
	g_main_loop_run(daemon->loop);
	igw_engine_shutdown(daemon->engine);
	return EXIT_SUCCESS;
}

/* takes @config */
static gint
igw_check_config(IgwConfig *config)
{
	g_autoptr(IgwEngine) engine = igw_engine_new(config, "/nonexistent");
	g_autoptr(GError) error = NULL;
	if (!igw_engine_check_only(engine, &error)) {
		g_printerr("iotgwd: invalid configuration: %s\n", error->message);
		return IGW_EXIT_CONFIG;
	}
	return EXIT_SUCCESS;
}

int
main(int argc, char *argv[])
{
	g_autofree gchar *state_dir_option = NULL;
	g_autofree gchar *state_dir = NULL;
	g_autoptr(GOptionContext) options =
	    g_option_context_new("- XMPP gateway for BLE and 6LoWPAN things");
	g_autoptr(GError) error = NULL;
	gboolean version = FALSE;
	gboolean check_config = FALSE;
	IgwDaemon daemon = {0};
	IgwConfig *config;
	gint rc;
	const GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &daemon.config_path, "Configuration file",
	     "FILE"},
	    {"state-dir", 's', 0, G_OPTION_ARG_FILENAME, &state_dir_option, "State directory",
	     "DIR"},
	    {"verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, igw_verbose_cb,
	     "Show info messages; twice for debug", NULL},
	    {"check-config", 0, 0, G_OPTION_ARG_NONE, &check_config,
	     "Validate the configuration and exit (0 when valid, 78 when not)", NULL},
	    {"version", 0, 0, G_OPTION_ARG_NONE, &version, "Show the version and exit", NULL},
	    {NULL}};

	setlocale(LC_ALL, "");
	/* a server that hangs up must not kill us: TLS writes raise SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	g_option_context_add_main_entries(options, entries, NULL);
	if (!g_option_context_parse(options, &argc, &argv, &error)) {
		g_printerr("iotgwd: %s\nTry 'iotgwd --help'.\n", error->message);
		return 2;
	}
	if (version) {
		g_print("iotgwd %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	g_log_set_writer_func(igw_log_writer_cb, NULL, NULL);
	if (daemon.config_path == NULL)
		daemon.config_path = g_strdup(IGW_DEFAULT_CONFIG);
	config = igw_config_load(daemon.config_path, &error);
	if (config == NULL) {
		g_printerr("iotgwd: invalid configuration: %s\n", error->message);
		return IGW_EXIT_CONFIG;
	}
	if (check_config)
		return igw_check_config(config);
	state_dir = igw_resolve_state_dir(state_dir_option);
	xmpp_initialize();
	daemon.loop = g_main_loop_new(NULL, FALSE);
	rc = igw_run(&daemon, config, state_dir);
	g_clear_handle_id(&daemon.watchdog_id, g_source_remove);
	g_clear_object(&daemon.dbus);
	g_clear_object(&daemon.xmpp);
	g_clear_object(&daemon.engine);
	g_main_loop_unref(daemon.loop);
	g_free(daemon.config_path);
	xmpp_shutdown();
	return rc;
}
