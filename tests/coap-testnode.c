/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coap-testnode: a small CoAP server in the role of a 6LoWPAN node, for the
 * integration tests of the coap plugin (tests/integration/igwtest.py CoapLab).
 *
 * coap-testnode -n NAME [-A ADDR] [-p PORT] [-i IFACE] [-g GROUP]... [-L MS]
 *               [-t MS] [-M SECONDS] [-b] [-v LEVEL]
 *
 * Resources: /sensors/temp and /sensors/hum (SenML JSON, observable, a new
 * reading every tick), /actuators/lamp (observable, PUT 0/1), /device/name,
 * with -b /sensors/bad (truncated SenML). Its own /.well-known/core (this
 * libcoap build does not export coap_print_wellknown()), with ?rt=, ?if=,
 * ?ct= and ?href= filters (a trailing '*' matches a prefix).
 *
 * Multicast: -g joins a group (several allowed, unlike coap-server) on -i.
 * -L 0 answers multicast requests at once: libcoap ignores a leisure below
 * 1 s, so every resource gets COAP_RESOURCE_FLAGS_LIB_DIS_MCAST_DELAYS.
 * -L N (N >= 1000) answers after a random delay within N ms, as RFC 7252 §8.2.
 *
 * Prints "ready" once listening and one line per lamp PUT ("PUT
 * /actuators/lamp 1"); exits 0 on SIGTERM/SIGINT.
 *
 * libcoap runs from the GLib main loop: its epoll fd (which also holds its
 * timerfd) is watched, and coap_io_process() is called with COAP_IO_NO_WAIT,
 * never 0 (0 = COAP_IO_WAIT, which blocks).
 */
#include <arpa/inet.h>
#include <coap3/coap.h>
#include <glib-unix.h>
#include <glib.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#define TESTNODE_CT_TEXT COAP_MEDIATYPE_TEXT_PLAIN
#define TESTNODE_CT_LINKFORMAT COAP_MEDIATYPE_APPLICATION_LINK_FORMAT
#define TESTNODE_CT_SENML COAP_MEDIATYPE_APPLICATION_SENML_JSON
#define TESTNODE_NO_MAXAGE (-1)
#define TESTNODE_ANY_CT (-1)

typedef struct {
	const gchar *path;
	const gchar *iface; /* if=, NULL for none */
	const gchar *rt;
	const gchar *ct; /* as written in the link, quotes included */
	gboolean obs;
	coap_method_handler_t get;
	coap_method_handler_t put;
	coap_resource_t *resource;
} TestnodeResource;

typedef struct {
	gchar *name;
	gchar *addr;
	gint port;
	gchar **groups;
	gchar *iface;
	gint leisure_ms;
	gint tick_ms;
	gint maxage;
	gboolean bad;
	gint verbosity;

	coap_context_t *ctx;
	GMainLoop *loop;
	guint tick;
	gboolean lamp;
} Testnode;

static Testnode node = {
    .addr = NULL,
    .port = 5683,
    .leisure_ms = 5000,
    .tick_ms = 1000,
    .maxage = 60,
    .verbosity = LOG_WARNING,
};

static void
testnode_get_temp(coap_resource_t *, coap_session_t *, const coap_pdu_t *, const coap_string_t *,
		  coap_pdu_t *);
static void
testnode_get_hum(coap_resource_t *, coap_session_t *, const coap_pdu_t *, const coap_string_t *,
		 coap_pdu_t *);
static void
testnode_get_lamp(coap_resource_t *, coap_session_t *, const coap_pdu_t *, const coap_string_t *,
		  coap_pdu_t *);
static void
testnode_put_lamp(coap_resource_t *, coap_session_t *, const coap_pdu_t *, const coap_string_t *,
		  coap_pdu_t *);
static void
testnode_get_name(coap_resource_t *, coap_session_t *, const coap_pdu_t *, const coap_string_t *,
		  coap_pdu_t *);
static void
testnode_get_bad(coap_resource_t *, coap_session_t *, const coap_pdu_t *, const coap_string_t *,
		 coap_pdu_t *);

/* the order is the order of /.well-known/core; /sensors/bad only with -b */
static TestnodeResource resources[] = {
    {"sensors/temp", "sensor", "temperature", "110", TRUE, testnode_get_temp, NULL, NULL},
    {"sensors/hum", "sensor", "humidity", "110", TRUE, testnode_get_hum, NULL, NULL},
    {"actuators/lamp", "core.a", "switch", "\"0 110\"", TRUE, testnode_get_lamp, testnode_put_lamp,
     NULL},
    {"device/name", NULL, "name", "0", FALSE, testnode_get_name, NULL, NULL},
    {"sensors/bad", "sensor", "pressure", "110", TRUE, testnode_get_bad, NULL, NULL},
};
#define TESTNODE_BAD_INDEX (G_N_ELEMENTS(resources) - 1)

/* Accept option of the request, or TESTNODE_ANY_CT */
static gint
testnode_accept(const coap_pdu_t *request)
{
	coap_opt_iterator_t iter;
	coap_opt_t *opt = coap_check_option(request, COAP_OPTION_ACCEPT, &iter);

	if (opt == NULL)
		return TESTNODE_ANY_CT;
	return (gint)coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
}

static void
testnode_respond(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
		 const coap_string_t *query, coap_pdu_t *response, guint16 ct, gint maxage,
		 const gchar *body)
{
	coap_pdu_set_code(response, COAP_RESPONSE_CODE_CONTENT);
	coap_add_data_large_response(resource, session, request, response, query, ct, maxage, 0,
				     strlen(body), (const guint8 *)body, NULL, NULL);
}

static void
testnode_error(coap_pdu_t *response, coap_pdu_code_t code, const gchar *diagnostic)
{
	coap_pdu_set_code(response, code);
	coap_add_data(response, strlen(diagnostic), (const guint8 *)diagnostic);
}

/* a sensor: SenML by default or with Accept 110, plain text with Accept 0 */
static void
testnode_sensor(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
		const coap_string_t *query, coap_pdu_t *response, const gchar *n, const gchar *unit,
		const gchar *value)
{
	g_autofree gchar *senml = NULL;
	gint accept = testnode_accept(request);

	if (accept == TESTNODE_CT_TEXT) {
		testnode_respond(resource, session, request, query, response, TESTNODE_CT_TEXT,
				 node.maxage, value);
		return;
	}
	if (accept != TESTNODE_ANY_CT && accept != TESTNODE_CT_SENML) {
		testnode_error(response, COAP_RESPONSE_CODE_NOT_ACCEPTABLE, "use 0 or 110");
		return;
	}
	senml = g_strdup_printf("[{\"bn\":\"urn:dev:ow:%s:\",\"n\":\"%s\",\"u\":\"%s\",\"v\":%s}]",
				node.name, n, unit, value);
	testnode_respond(resource, session, request, query, response, TESTNODE_CT_SENML,
			 node.maxage, senml);
}

static void
testnode_get_temp(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
		  const coap_string_t *query, coap_pdu_t *response)
{
	gchar value[G_ASCII_DTOSTR_BUF_SIZE];

	/* 20.0 .. 24.9 in steps of 0.1; C locale formatting whatever LC_NUMERIC says */
	g_ascii_formatd(value, sizeof value, "%.1f", 20.0 + 0.1 * (node.tick % 50));
	testnode_sensor(resource, session, request, query, response, "temperature", "Cel", value);
}

static void
testnode_get_hum(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
		 const coap_string_t *query, coap_pdu_t *response)
{
	g_autofree gchar *value = g_strdup_printf("%u", 40 + node.tick % 20);

	testnode_sensor(resource, session, request, query, response, "humidity", "%RH", value);
}

static void
testnode_get_lamp(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
		  const coap_string_t *query, coap_pdu_t *response)
{
	gint accept = testnode_accept(request);

	if (accept == TESTNODE_CT_SENML) {
		testnode_respond(resource, session, request, query, response, TESTNODE_CT_SENML,
				 TESTNODE_NO_MAXAGE,
				 node.lamp ? "[{\"n\":\"lamp\",\"vb\":true}]"
					   : "[{\"n\":\"lamp\",\"vb\":false}]");
		return;
	}
	if (accept != TESTNODE_ANY_CT && accept != TESTNODE_CT_TEXT) {
		testnode_error(response, COAP_RESPONSE_CODE_NOT_ACCEPTABLE, "use 0 or 110");
		return;
	}
	testnode_respond(resource, session, request, query, response, TESTNODE_CT_TEXT,
			 TESTNODE_NO_MAXAGE, node.lamp ? "1" : "0");
}

/* text/plain: 0 1 true false on off (any case, surrounding blanks ignored) */
static gboolean
testnode_parse_text_switch(const gchar *text, gboolean *on)
{
	g_autofree gchar *word = g_ascii_strdown(g_strstrip(g_strdup(text)), -1);

	if (g_strv_contains((const gchar *const[]){"1", "true", "on", NULL}, word)) {
		*on = TRUE;
		return TRUE;
	}
	if (g_strv_contains((const gchar *const[]){"0", "false", "off", NULL}, word)) {
		*on = FALSE;
		return TRUE;
	}
	return FALSE;
}

/* SenML JSON: a pack [ ... ] whose (first) record holds "vb":true|false */
static gboolean
testnode_parse_senml_switch(const gchar *text, gboolean *on)
{
	g_autofree gchar *pack = g_strstrip(g_strdup(text));
	const gchar *p;

	if (!g_str_has_prefix(pack, "[") || !g_str_has_suffix(pack, "]"))
		return FALSE;
	p = strstr(pack, "\"vb\"");
	if (p == NULL)
		return FALSE;
	p += strlen("\"vb\"");
	while (g_ascii_isspace(*p))
		p++;
	if (*p++ != ':')
		return FALSE;
	while (g_ascii_isspace(*p))
		p++;
	if (g_str_has_prefix(p, "true")) {
		*on = TRUE;
		return TRUE;
	}
	if (g_str_has_prefix(p, "false")) {
		*on = FALSE;
		return TRUE;
	}
	return FALSE;
}

static gint
testnode_content_format(const coap_pdu_t *request)
{
	coap_opt_iterator_t iter;
	coap_opt_t *opt = coap_check_option(request, COAP_OPTION_CONTENT_FORMAT, &iter);

	if (opt == NULL)
		return TESTNODE_CT_TEXT;
	return (gint)coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
}

static void
testnode_put_lamp(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
		  const coap_string_t *query, coap_pdu_t *response)
{
	size_t len = 0;
	const guint8 *data = NULL;
	g_autofree gchar *text = NULL;
	gint ct = testnode_content_format(request);
	gboolean on = FALSE;
	gboolean ok = FALSE;
	g_autofree gchar *escaped = NULL;

	coap_get_data(request, &len, &data);
	text = g_strndup((const gchar *)data, len);
	if (ct == TESTNODE_CT_TEXT)
		ok = testnode_parse_text_switch(text, &on);
	else if (ct == TESTNODE_CT_SENML)
		ok = testnode_parse_senml_switch(text, &on);
	if (!ok) {
		escaped = g_strescape(text, NULL);
		printf("PUT /actuators/lamp rejected (ct %d) \"%s\"\n", ct, escaped);
		fflush(stdout);
		testnode_error(response, COAP_RESPONSE_CODE_BAD_REQUEST,
			       "expected 0/1/true/false/on/off or SenML vb");
		return;
	}
	node.lamp = on;
	printf("PUT /actuators/lamp %d\n", on ? 1 : 0);
	fflush(stdout);
	coap_pdu_set_code(response, COAP_RESPONSE_CODE_CHANGED);
	coap_resource_notify_observers(resource, NULL);
}

static void
testnode_get_name(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
		  const coap_string_t *query, coap_pdu_t *response)
{
	testnode_respond(resource, session, request, query, response, TESTNODE_CT_TEXT,
			 TESTNODE_NO_MAXAGE, node.name);
}

static void
testnode_get_bad(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
		 const coap_string_t *query, coap_pdu_t *response)
{
	testnode_respond(resource, session, request, query, response, TESTNODE_CT_SENML,
			 node.maxage, "[{\"n\":\"pressure\",\"v\":");
}

static gboolean
testnode_resource_enabled(guint i)
{
	return i != TESTNODE_BAD_INDEX || node.bad;
}

/* RFC 6690 §4.1 filter value against an attribute: one of its space-separated
 * values, a trailing '*' matching a prefix */
static gboolean
testnode_value_matches(const gchar *attr, const gchar *want)
{
	g_autofree gchar *unquoted = NULL;
	g_auto(GStrv) values = NULL;
	gsize wlen = strlen(want);
	gboolean prefix = wlen > 0 && want[wlen - 1] == '*';

	if (attr == NULL)
		return FALSE;
	unquoted = g_strdup(attr[0] == '"' ? attr + 1 : attr);
	g_strdelimit(unquoted, "\"", ' ');
	values = g_strsplit(unquoted, " ", -1);
	for (guint i = 0; values[i] != NULL; i++) {
		if (values[i][0] == '\0')
			continue;
		if (prefix ? strncmp(values[i], want, wlen - 1) == 0 : strcmp(values[i], want) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
testnode_link_matches(const TestnodeResource *r, const gchar *query)
{
	g_autofree gchar *href = NULL;
	const gchar *eq;

	if (query == NULL || query[0] == '\0')
		return TRUE;
	eq = strchr(query, '=');
	if (eq == NULL)
		return TRUE;
	if (g_str_has_prefix(query, "rt="))
		return testnode_value_matches(r->rt, eq + 1);
	if (g_str_has_prefix(query, "if="))
		return testnode_value_matches(r->iface, eq + 1);
	if (g_str_has_prefix(query, "ct="))
		return testnode_value_matches(r->ct, eq + 1);
	if (g_str_has_prefix(query, "href=")) {
		href = g_strconcat("/", r->path, NULL);
		return testnode_value_matches(href, eq + 1);
	}
	return FALSE;
}

static gchar *
testnode_links(const gchar *query)
{
	GString *links = g_string_new(NULL);

	for (guint i = 0; i < G_N_ELEMENTS(resources); i++) {
		const TestnodeResource *r = &resources[i];

		if (!testnode_resource_enabled(i) || !testnode_link_matches(r, query))
			continue;
		if (links->len > 0)
			g_string_append_c(links, ',');
		g_string_append_printf(links, "</%s>", r->path);
		if (r->iface != NULL)
			g_string_append_printf(links, ";if=\"%s\"", r->iface);
		g_string_append_printf(links, ";rt=\"%s\";ct=%s%s", r->rt, r->ct,
				       r->obs ? ";obs" : "");
	}
	return g_string_free(links, FALSE);
}

static void
testnode_get_wellknown(coap_resource_t *resource, coap_session_t *session,
		       const coap_pdu_t *request, const coap_string_t *query, coap_pdu_t *response)
{
	g_autofree gchar *q =
	    query != NULL ? g_strndup((const gchar *)query->s, query->length) : NULL;
	g_autofree gchar *links = testnode_links(q);

	/* nothing matched: 4.04, which libcoap suppresses for multicast requests,
	 * so a node with nothing to offer stays silent (RFC 7252 §8.2.1) */
	if (links[0] == '\0') {
		testnode_error(response, COAP_RESPONSE_CODE_NOT_FOUND, "no matching link");
		return;
	}
	testnode_respond(resource, session, request, query, response, TESTNODE_CT_LINKFORMAT,
			 TESTNODE_NO_MAXAGE, links);
}

static coap_resource_t *
testnode_add(const gchar *path, coap_method_handler_t get, coap_method_handler_t put,
	     gboolean observable)
{
	/* NOTIFY_NON: libcoap still makes every 5th notification CON */
	gint flags = COAP_RESOURCE_FLAGS_NOTIFY_NON;
	coap_resource_t *resource;

	if (node.leisure_ms == 0)
		flags |= COAP_RESOURCE_FLAGS_HAS_MCAST_SUPPORT |
			 COAP_RESOURCE_FLAGS_LIB_DIS_MCAST_DELAYS;
	else
		flags |= COAP_RESOURCE_FLAGS_HAS_MCAST_SUPPORT;
	resource = coap_resource_init(coap_make_str_const(path), flags);
	coap_register_handler(resource, COAP_REQUEST_GET, get);
	if (put != NULL)
		coap_register_handler(resource, COAP_REQUEST_PUT, put);
	if (observable)
		coap_resource_set_get_observable(resource, 1);
	coap_add_resource(node.ctx, resource);
	return resource;
}

static void
testnode_add_resources(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(resources); i++) {
		TestnodeResource *r = &resources[i];

		if (testnode_resource_enabled(i))
			r->resource = testnode_add(r->path, r->get, r->put, r->obs);
	}
	testnode_add(".well-known/core", testnode_get_wellknown, NULL, FALSE);
}

/* -L N >= 1000: RFC leisure for every new client session (the library
 * ignores values below 1 s, -L 0 disables the delay per resource instead) */
static int
testnode_event_cb(coap_session_t *session, const coap_event_t event)
{
	coap_fixed_point_t leisure = {(guint16)(node.leisure_ms / 1000),
				      (guint16)(node.leisure_ms % 1000)};

	if (event == COAP_EVENT_SERVER_SESSION_NEW && node.leisure_ms > 0)
		coap_session_set_default_leisure(session, leisure);
	return 0;
}

static gboolean
testnode_parse_address(coap_address_t *addr, GError **error)
{
	coap_address_init(addr);
	if (inet_pton(AF_INET6, node.addr, &addr->addr.sin6.sin6_addr) == 1) {
		addr->addr.sin6.sin6_family = AF_INET6;
		addr->addr.sin6.sin6_port = htons((guint16)node.port);
		if (IN6_IS_ADDR_LINKLOCAL(&addr->addr.sin6.sin6_addr) && node.iface != NULL)
			addr->addr.sin6.sin6_scope_id = if_nametoindex(node.iface);
		addr->size = sizeof(struct sockaddr_in6);
		return TRUE;
	}
	if (inet_pton(AF_INET, node.addr, &addr->addr.sin.sin_addr) == 1) {
		addr->addr.sin.sin_family = AF_INET;
		addr->addr.sin.sin_port = htons((guint16)node.port);
		addr->size = sizeof(struct sockaddr_in);
		return TRUE;
	}
	g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "bad address %s", node.addr);
	return FALSE;
}

static gboolean
testnode_listen(GError **error)
{
	coap_address_t addr;

	if (!testnode_parse_address(&addr, error))
		return FALSE;
	node.ctx = coap_new_context(NULL);
	if (node.ctx == NULL) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "coap_new_context failed");
		return FALSE;
	}
	coap_context_set_block_mode(node.ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
	if (node.leisure_ms == 0)
		coap_mcast_per_resource(node.ctx);
	coap_register_event_handler(node.ctx, testnode_event_cb);
	if (coap_new_endpoint(node.ctx, &addr, COAP_PROTO_UDP) == NULL) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot listen on [%s]:%d",
			    node.addr, node.port);
		return FALSE;
	}
	for (guint i = 0; node.groups != NULL && node.groups[i] != NULL; i++) {
		if (coap_join_mcast_group_intf(node.ctx, node.groups[i], node.iface) != 0) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
				    "cannot join %s on %s", node.groups[i],
				    node.iface != NULL ? node.iface : "(default)");
			return FALSE;
		}
	}
	testnode_add_resources();
	return TRUE;
}

/* never coap_io_process(ctx, 0): that is COAP_IO_WAIT and blocks. Twice: the
 * first pass handles what arrived; observers a handler marked dirty (lamp PUT)
 * are only notified by the prepare step at the start of the next pass */
static void
testnode_run_io(void)
{
	coap_io_process(node.ctx, COAP_IO_NO_WAIT);
	coap_io_process(node.ctx, COAP_IO_NO_WAIT);
}

static gboolean
testnode_io_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	testnode_run_io();
	return G_SOURCE_CONTINUE;
}

static gboolean
testnode_tick_cb(gpointer user_data)
{
	node.tick++;
	for (guint i = 0; i < G_N_ELEMENTS(resources); i++) {
		if (resources[i].resource != NULL && resources[i].obs &&
		    resources[i].get != testnode_get_lamp)
			coap_resource_notify_observers(resources[i].resource, NULL);
	}
	/* notifications go out from the I/O step, not from notify_observers() */
	testnode_run_io();
	return G_SOURCE_CONTINUE;
}

static gboolean
testnode_quit_cb(gpointer user_data)
{
	g_main_loop_quit(node.loop);
	return G_SOURCE_REMOVE;
}

static gboolean
testnode_parse_args(int argc, char *argv[], GError **error)
{
	GOptionEntry entries[] = {
	    {"name", 'n', 0, G_OPTION_ARG_STRING, &node.name, "node name", "NAME"},
	    {"address", 'A', 0, G_OPTION_ARG_STRING, &node.addr, "listen address (::)", "ADDR"},
	    {"port", 'p', 0, G_OPTION_ARG_INT, &node.port, "UDP port (5683)", "PORT"},
	    {"group", 'g', 0, G_OPTION_ARG_STRING_ARRAY, &node.groups,
	     "multicast group to join (repeatable)", "GROUP"},
	    {"interface", 'i', 0, G_OPTION_ARG_STRING, &node.iface, "interface for the groups",
	     "IFACE"},
	    {"leisure", 'L', 0, G_OPTION_ARG_INT, &node.leisure_ms,
	     "multicast leisure, 0 = answer at once, else >= 1000 (5000)", "MS"},
	    {"tick", 't', 0, G_OPTION_ARG_INT, &node.tick_ms, "reading interval (1000)", "MS"},
	    {"max-age", 'M', 0, G_OPTION_ARG_INT, &node.maxage, "Max-Age of sensor readings (60)",
	     "SECONDS"},
	    {"bad", 'b', 0, G_OPTION_ARG_NONE, &node.bad,
	     "also serve /sensors/bad with malformed SenML", NULL},
	    {"verbosity", 'v', 0, G_OPTION_ARG_INT, &node.verbosity,
	     "libcoap log level, syslog numbers (4)", "LEVEL"},
	    {NULL},
	};
	g_autoptr(GOptionContext) context = g_option_context_new("- CoAP test node");

	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, error))
		return FALSE;
	if (node.name == NULL)
		node.name = g_strdup("node");
	if (node.addr == NULL)
		node.addr = g_strdup("::");
	if (node.leisure_ms < 0 || (node.leisure_ms > 0 && node.leisure_ms < 1000) ||
	    node.tick_ms <= 0 || node.port <= 0 || node.port > 65535) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "need -L 0 or >= 1000, -t > 0, -p 1..65535");
		return FALSE;
	}
	return TRUE;
}

int
main(int argc, char *argv[])
{
	g_autoptr(GError) error = NULL;
	guint io_id, tick_id;

	if (!testnode_parse_args(argc, argv, &error)) {
		fprintf(stderr, "coap-testnode: %s\n", error->message);
		return 2;
	}
	coap_startup();
	coap_set_log_level(node.verbosity);
	if (!testnode_listen(&error)) {
		fprintf(stderr, "coap-testnode: %s\n", error->message);
		return 1;
	}
	node.loop = g_main_loop_new(NULL, FALSE);
	io_id = g_unix_fd_add(coap_context_get_coap_fd(node.ctx), G_IO_IN, testnode_io_cb, NULL);
	tick_id = g_timeout_add(node.tick_ms, testnode_tick_cb, NULL);
	g_unix_signal_add(SIGTERM, testnode_quit_cb, NULL);
	g_unix_signal_add(SIGINT, testnode_quit_cb, NULL);
	/* arm libcoap's timerfd before the loop sleeps */
	testnode_run_io();
	printf("ready %s [%s]:%d\n", node.name, node.addr, node.port);
	fflush(stdout);
	g_main_loop_run(node.loop);

	g_source_remove(tick_id);
	g_source_remove(io_id);
	g_main_loop_unref(node.loop);
	coap_free_context(node.ctx);
	coap_cleanup();
	printf("exit\n");
	fflush(stdout);
	return 0;
}
