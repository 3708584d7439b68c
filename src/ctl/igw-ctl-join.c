/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwCtl"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "igw-ctl.h"
#include "igw-error.h"

#define IGW_CTL_PERMIT_JOIN_DEFAULT 60
#define IGW_CTL_PERMIT_JOIN_MAX 3600
#define IGW_CTL_SCAN_TIMEOUT_DEFAULT 10
#define IGW_CTL_SCAN_TIMEOUT_MAX 600
/* how long after the scan's own timeout we still wait for its last signal */
#define IGW_CTL_SCAN_GRACE 15

/* ------------------------------------------------------------------------------------------ */
/* permit-join */

static void
igw_ctl_join_print(IgwCtl *self, guint remaining)
{
	g_autoptr(JsonBuilder) builder = NULL;
	if (!self->json) {
		if (remaining == 0)
			g_print("permit join closed\n");
		else
			g_print("permit join open for %u s\n", remaining);
		return;
	}
	builder = json_builder_new();
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "permit_join_remaining");
	json_builder_add_int_value(builder, remaining);
	json_builder_end_object(builder);
	igw_ctl_print_json(self, builder);
}

/* the window as the daemon has it now, not as we asked for it */
static gboolean
igw_ctl_join_get_remaining(IgwDbusGateway1 *gateway, guint *remaining, GError **error)
{
	g_autoptr(GVariant) status = NULL;
	g_autoptr(GVariantDict) dict = NULL;
	if (!igw_dbus_gateway1_call_get_status_sync(gateway, &status, NULL, error)) {
		igw_ctl_prefix_error(error, "cannot get the status: ");
		return FALSE;
	}
	dict = g_variant_dict_new(status);
	if (!g_variant_dict_lookup(dict, "permit_join_remaining", "u", remaining))
		*remaining = igw_dbus_gateway1_get_permit_join_remaining(gateway);
	return TRUE;
}

static gboolean
igw_ctl_cmd_permit_join(IgwCtl *self, gchar **argv, GError **error)
{
	IgwDbusGateway1 *gateway;
	guint seconds = IGW_CTL_PERMIT_JOIN_DEFAULT;
	guint remaining = 0;
	if (argv[0] != NULL &&
	    !igw_ctl_parse_uint(argv[0], 0, IGW_CTL_PERMIT_JOIN_MAX, "SECONDS", &seconds, error))
		return FALSE;
	gateway = igw_ctl_get_gateway(self, error);
	if (gateway == NULL)
		return FALSE;
	if (!igw_dbus_gateway1_call_permit_join_sync(gateway, seconds, NULL, error)) {
		igw_ctl_prefix_error(
		    error, "cannot %s the permit-join window: ", seconds > 0 ? "open" : "close");
		return FALSE;
	}
	if (!igw_ctl_join_get_remaining(gateway, &remaining, error))
		return FALSE;
	igw_ctl_join_print(self, remaining);
	return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* scan */

typedef struct {
	IgwCtl *ctl;
	IgwDbusGateway1 *gateway;
	gboolean tty;
	gboolean done;
	guint found;
} IgwCtlScan;

static void
igw_ctl_scan_print_json(guint elapsed, guint timeout, guint found, gboolean done)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "elapsed");
	json_builder_add_int_value(builder, elapsed);
	json_builder_set_member_name(builder, "timeout");
	json_builder_add_int_value(builder, timeout);
	json_builder_set_member_name(builder, "found");
	json_builder_add_int_value(builder, found);
	json_builder_set_member_name(builder, "done");
	json_builder_add_boolean_value(builder, done);
	json_builder_end_object(builder);
	igw_ctl_print_json_line(builder);
}

/* on a terminal the line is redrawn, elsewhere each second gets its own line */
static void
igw_ctl_scan_print(IgwCtlScan *scan, guint elapsed, guint timeout, guint found)
{
	g_print("%sscanning: %u/%u s, %u found%s", scan->tty ? "\r" : "", elapsed, timeout, found,
		scan->tty ? "" : "\n");
	fflush(stdout);
}

static void
igw_ctl_scan_progress_cb(IgwDbusGateway1 *gateway, guint elapsed, guint timeout, guint found,
			 gboolean done, gpointer user_data)
{
	IgwCtlScan *scan = user_data;
	scan->found = found;
	if (scan->ctl->json)
		igw_ctl_scan_print_json(elapsed, timeout, found, done);
	else
		igw_ctl_scan_print(scan, elapsed, timeout, found);
	if (done) {
		scan->done = TRUE;
		igw_ctl_quit_loop(scan->ctl, NULL);
	}
}

/* Ctrl-C ends the daemon's scan too, not just our view of it */
static gboolean
igw_ctl_scan_interrupt_cb(gpointer user_data)
{
	IgwCtlScan *scan = user_data;
	g_autoptr(GError) error = NULL;
	if (!igw_dbus_gateway1_call_stop_scan_sync(scan->gateway, NULL, &error) &&
	    !g_error_matches(error, IGW_ERROR, IGW_ERROR_NOT_FOUND)) {
		igw_ctl_prefix_error(&error, "cannot stop the scan: ");
		igw_ctl_quit_loop(scan->ctl, g_steal_pointer(&error));
		return G_SOURCE_CONTINUE;
	}
	igw_ctl_quit_loop(scan->ctl, NULL);
	return G_SOURCE_CONTINUE;
}

static gboolean
igw_ctl_scan_timeout_cb(gpointer user_data)
{
	IgwCtlScan *scan = user_data;
	igw_ctl_quit_loop(scan->ctl,
			  g_error_new_literal(IGW_ERROR, IGW_ERROR_TIMED_OUT,
					      "iotgwd did not report the end of the scan"));
	return G_SOURCE_REMOVE;
}

static void
igw_ctl_scan_print_result(IgwCtlScan *scan)
{
	if (scan->ctl->json)
		return;
	if (scan->tty)
		g_print("\n");
	if (!scan->done)
		g_print("scan stopped, %u found\n", scan->found);
	else if (scan->found > 0)
		g_print("%u found; see 'iotgwctl things', then 'iotgwctl thing ID adopt'\n",
			scan->found);
	else
		g_print("nothing found\n");
}

static gboolean
igw_ctl_scan_run(IgwCtlScan *scan, guint timeout, GError **error)
{
	gulong handler_id;
	guint timeout_id;
	gboolean ret;
	/* subscribed before the call, so that no signal gets lost */
	handler_id = g_signal_connect(scan->gateway, "scan-progress",
				      G_CALLBACK(igw_ctl_scan_progress_cb), scan);
	if (!igw_dbus_gateway1_call_start_scan_sync(scan->gateway, timeout, NULL, error)) {
		g_signal_handler_disconnect(scan->gateway, handler_id);
		igw_ctl_prefix_error(error, "cannot start a scan: ");
		return FALSE;
	}
	timeout_id =
	    g_timeout_add_seconds(timeout + IGW_CTL_SCAN_GRACE, igw_ctl_scan_timeout_cb, scan);
	ret = igw_ctl_run_loop(scan->ctl, igw_ctl_scan_interrupt_cb, scan, error);
	g_source_remove(timeout_id);
	g_signal_handler_disconnect(scan->gateway, handler_id);
	return ret;
}

static gboolean
igw_ctl_cmd_scan(IgwCtl *self, gchar **argv, GError **error)
{
	IgwCtlScan scan = {.ctl = self, .tty = isatty(STDOUT_FILENO)};
	guint timeout = IGW_CTL_SCAN_TIMEOUT_DEFAULT;
	if (self->timeout != NULL && !igw_ctl_parse_uint(self->timeout, 1, IGW_CTL_SCAN_TIMEOUT_MAX,
							 "--timeout", &timeout, error))
		return FALSE;
	scan.gateway = igw_ctl_get_gateway(self, error);
	if (scan.gateway == NULL)
		return FALSE;
	if (!igw_ctl_scan_run(&scan, timeout, error))
		return FALSE;
	igw_ctl_scan_print_result(&scan);
	return TRUE;
}

static const IgwCtlCmd igw_ctl_join_cmds[] = {
    {"permit-join", NULL, NULL, "[SECONDS]", "Open the join window (default 60 s, 0 closes)",
     igw_ctl_cmd_permit_join, 0, 1},
    {"scan", NULL, NULL, "[--timeout S]", "Look for devices and show the progress",
     igw_ctl_cmd_scan, 0, 0, IGW_CTL_OPT_TIMEOUT},
    {NULL}};

const IgwCtlCmd *
igw_ctl_join_get_cmds(void)
{
	return igw_ctl_join_cmds;
}
