/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>
#include <net/if.h>
#include <string.h>

#include "igw-coap-client.h"
#include "igw-coap-link.h"
#include "igw-coap-payload.h"
#include "igw-coap-probe.h"
#include "igw-senml.h"
#include "iotgw-plugin.h"

/*
 * 6LoWPAN / IPv6 nodes that speak CoAP. Nodes are found by multicast
 * GET /.well-known/core on the configured interfaces (and listed in
 * config); their links become fields: sensors are observed where the link
 * says obs, polled otherwise; actuators (if=core.a) take PUT.
 *
 *   [plugin coap]
 *   interfaces = lowpan0          # multicast discovery here
 *   nodes = fd00::2;[fd00::3]:5684 # also ask these, as if they had answered
 *   discovery_interval = 300      # s between probes (and on interface up)
 *   discovery_window = 6          # s to collect answers (nodes wait up to 5)
 *   poll_interval = 60            # s, resources without obs
 *   away_after = 3                # learned intervals of silence
 *   unavailable_after = 10
 *   availability_timeout = 900
 *   field./sensors/temp = temperature °C   # name (and unit) of a resource
 *
 *   [thing coap:greenhouse]       # a configured node, always adopted
 *   address = [fd00::5]:5683      # coaps://[fd00::5] for DTLS (port 5684)
 *   field./s/t = temperature °C
 *   actuator./a/vent = boolean    # writable although its link does not say core.a
 *
 * DTLS: a node whose address says coaps://, or any node whose thing has the
 * secret "psk" (a found one is then asked on port 5684), is reached over
 * DTLS with that pre-shared key and the identity "psk-identity" (default
 * "iotgw"). Discovery itself stays plain multicast: DTLS has no multicast.
 */

#define IGW_COAP_ID_PREFIX "coap:"
#define IGW_COAP_PORT 5683
#define IGW_COAP_DTLS_PORT 5684
#define IGW_COAP_PSK_IDENTITY "iotgw"
#define IGW_COAP_PSK_MAX 64
#define IGW_COAP_PSK_IDENTITY_MAX 128
#define IGW_COAP_RETRY_S 5
/* a link that just came up gets its addresses and routes a moment later */
#define IGW_COAP_LINK_SETTLE_MS 1000

typedef struct _IgwCoapPlugin IgwCoapPlugin;
typedef struct _IgwCoapNode IgwCoapNode;

typedef struct {
	GStrv interfaces;
	GStrv nodes;
	gint discovery_interval;
	gint discovery_window;
	gint poll_interval;
	gint away_after;
	gint unavailable_after;
	gint availability_timeout;
} IgwCoapOptions;

typedef struct {
	IgwCoapNode *node;
	gchar *path;
	gchar *name;		  /* the field of a nameless value */
	gchar *unit;		  /* override, or NULL */
	gboolean name_configured; /* field./PATH named it: that wins over SenML names */
	gboolean observable;
	gboolean actuator;
	gboolean switch_like;	  /* rt says on/off: 0 and 1 are booleans */
	gboolean type_configured; /* actuator./PATH gave its type */
	IgwFieldType actuator_type;
	gint format;		 /* what we ask for: -1, 0, 110 */
	gint put_format;	 /* what a PUT carries: 0 or 110 */
	GPtrArray *fields;	 /* names of the fields its values became */
	IgwCoapRequest *request; /* the observation or the poll under way */
	guint timer_id;
	gboolean faulty;   /* malformed payload reported */
	gboolean answered; /* the first GET came back (either way) */
} IgwCoapResource;

struct _IgwCoapNode {
	IgwCoapPlugin *plugin;
	gchar *thing_id;
	gchar *key; /* interface/IID of a found node, or its address */
	GInetSocketAddress *address;
	gboolean configured;
	gboolean coaps;		    /* its address says coaps:// */
	GInetSocketAddress *target; /* where requests go: address, or its DTLS port */
	gchar *psk;		    /* the key in use (its secret's text), or NULL */
	gchar *psk_identity;
	gchar *refused_psk; /* the key the node did not accept, reported once */
	gboolean no_key_reported;
	IgwCoapRequest *wellknown;
	guint wellknown_retry_id;
	GPtrArray *resources; /* IgwCoapResource */
	gboolean offered;
	GPtrArray *pending_fields; /* IgwField seen before the thing existed */
	IgwLiveness *liveness;
	gulong adopted_handler;
};

struct _IgwCoapPlugin {
	IgwPlugin *plugin;
	IgwCoapOptions options;
	GKeyFile *config;
	IgwCoapClient *client;
	IgwCoapProbe *probe;
	GHashTable *nodes; /* key -> IgwCoapNode */
	guint discovery_id;
	GHashTable *settling; /* interface -> source id of its probe after link-up */
	IgwLivenessAlarm liveness_alarm;
	gulong thing_changed_handler;
};

static void
igw_coap_resource_start(IgwCoapResource *resource);
static void
igw_coap_node_fetch_links(IgwCoapNode *node);
static void
igw_coap_update_status(IgwCoapPlugin *self);

/* ---- options ------------------------------------------------------------- */

static const gchar *const igw_coap_plugin_keys[] = {"interfaces",
						    "nodes",
						    "discovery_interval",
						    "discovery_window",
						    "poll_interval",
						    "away_after",
						    "unavailable_after",
						    "availability_timeout",
						    NULL};

static gboolean
igw_coap_read_int(GKeyFile *config, const gchar *key, gint fallback, gint min, gint max,
		  gint *value, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	if (!g_key_file_has_key(config, "plugin coap", key, NULL)) {
		*value = fallback;
		return TRUE;
	}
	*value = g_key_file_get_integer(config, "plugin coap", key, &local_error);
	if (local_error != NULL || *value < min || *value > max) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "[plugin coap] %s: expected a whole number from %d to %d", key, min,
			    max);
		return FALSE;
	}
	return TRUE;
}

/* "fd00::2", "[fd00::2]:5684", "[fe80::2%lowpan0]", "coaps://[fd00::2]" -> a
 * socket address; @coaps (may be NULL) says DTLS */
static GInetSocketAddress *
igw_coap_parse_address_full(const gchar *text, gboolean *coaps, GError **error)
{
	g_autofree gchar *host = NULL;
	g_autofree gchar *scope = NULL;
	g_autoptr(GInetAddress) address = NULL;
	guint port = IGW_COAP_PORT;
	const gchar *end;
	gchar *percent;
	if (coaps != NULL)
		*coaps = FALSE;
	if (g_str_has_prefix(text, "coaps://")) {
		text += strlen("coaps://");
		port = IGW_COAP_DTLS_PORT;
		if (coaps != NULL)
			*coaps = TRUE;
	} else if (g_str_has_prefix(text, "coap://")) {
		text += strlen("coap://");
	}
	if (text[0] == '[') {
		end = strchr(text, ']');
		if (end == NULL || (end[1] != '\0' && end[1] != ':')) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
				    "'%s' is not [ADDRESS]:PORT", text);
			return NULL;
		}
		host = g_strndup(text + 1, end - text - 1);
		if (end[1] == ':') {
			guint64 value = 0;
			if (!g_ascii_string_to_unsigned(end + 2, 10, 1, 65535, &value, NULL)) {
				g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
					    "bad port in '%s'", text);
				return NULL;
			}
			port = (guint)value;
		}
	} else {
		host = g_strdup(text);
	}
	percent = strchr(host, '%');
	if (percent != NULL) {
		scope = g_strdup(percent + 1);
		*percent = '\0';
	}
	address = g_inet_address_new_from_string(host);
	if (address == NULL || g_inet_address_get_family(address) != G_SOCKET_FAMILY_IPV6) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "'%s' is not an IPv6 address", text);
		return NULL;
	}
	if (scope != NULL && if_nametoindex(scope) == 0 &&
	    g_inet_address_get_is_link_local(address)) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "no interface '%s' for '%s'", scope, text);
		return NULL;
	}
	return G_INET_SOCKET_ADDRESS(g_object_new(G_TYPE_INET_SOCKET_ADDRESS, "address", address,
						  "port", port, "scope-id",
						  scope != NULL ? if_nametoindex(scope) : 0, NULL));
}

/* coaps:// in a build without DTLS is a mistake to hear about at start */
static GInetSocketAddress *
igw_coap_parse_checked(const gchar *text, GError **error)
{
	gboolean coaps = FALSE;
	GInetSocketAddress *address = igw_coap_parse_address_full(text, &coaps, error);
	if (address != NULL && coaps && !igw_coap_client_has_dtls()) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "'%s': coaps:// needs a libcoap with DTLS; this iotgwd is built with "
			    "libcoap-3-notls",
			    text);
		g_object_unref(address);
		return NULL;
	}
	return address;
}

static gboolean
igw_coap_options_read(GKeyFile *config, IgwCoapOptions *options, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(config, "plugin coap", NULL, NULL);
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(igw_coap_plugin_keys, keys[i]) &&
		    !g_str_has_prefix(keys[i], "field./")) {
			g_autofree gchar *known = g_strjoinv(", ", (gchar **)igw_coap_plugin_keys);
			g_set_error(
			    error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "[plugin coap] %s: unknown key; expected one of: %s, field./PATH",
			    keys[i], known);
			return FALSE;
		}
	}
	options->interfaces =
	    g_key_file_get_string_list(config, "plugin coap", "interfaces", NULL, NULL);
	if (options->interfaces == NULL)
		options->interfaces = g_strsplit("lowpan0", ";", -1);
	options->nodes = g_key_file_get_string_list(config, "plugin coap", "nodes", NULL, NULL);
	if (options->nodes == NULL)
		options->nodes = g_new0(gchar *, 1);
	for (guint i = 0; options->nodes[i] != NULL; i++) {
		g_autoptr(GInetSocketAddress) address =
		    igw_coap_parse_checked(g_strstrip(options->nodes[i]), error);
		if (address == NULL) {
			g_prefix_error(error, "[plugin coap] nodes: ");
			return FALSE;
		}
	}
	for (guint i = 0; options->interfaces[i] != NULL; i++)
		g_strstrip(options->interfaces[i]);
	return igw_coap_read_int(config, "discovery_interval", 300, 10, 86400,
				 &options->discovery_interval, error) &&
	       igw_coap_read_int(config, "discovery_window", 6, 1, 60, &options->discovery_window,
				 error) &&
	       igw_coap_read_int(config, "poll_interval", 60, 1, 86400, &options->poll_interval,
				 error) &&
	       igw_coap_read_int(config, "away_after", IGW_LIVENESS_DEFAULT_AWAY_FACTOR, 1, 100,
				 &options->away_after, error) &&
	       igw_coap_read_int(config, "unavailable_after",
				 IGW_LIVENESS_DEFAULT_UNAVAILABLE_FACTOR, 2, 1000,
				 &options->unavailable_after, error) &&
	       igw_coap_read_int(config, "availability_timeout", IGW_LIVENESS_DEFAULT_FALLBACK_S,
				 10, 86400, &options->availability_timeout, error);
}

static void
igw_coap_options_clear(IgwCoapOptions *options)
{
	g_clear_pointer(&options->interfaces, g_strfreev);
	g_clear_pointer(&options->nodes, g_strfreev);
}

static gboolean
igw_coap_parse_actuator_type(const gchar *text, IgwFieldType *type)
{
	return igw_field_type_from_string(text, type) &&
	       (*type == IGW_FIELD_TYPE_BOOLEAN || *type == IGW_FIELD_TYPE_INTEGER ||
		*type == IGW_FIELD_TYPE_NUMERIC || *type == IGW_FIELD_TYPE_STRING);
}

static gboolean
igw_coap_check_thing_group(GKeyFile *config, const gchar *group, GError **error)
{
	g_autofree gchar *address_text = g_key_file_get_string(config, group, "address", NULL);
	g_autoptr(GInetSocketAddress) address = NULL;
	g_auto(GStrv) keys = g_key_file_get_keys(config, group, NULL, NULL);
	if (address_text == NULL) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
			    "[%s] address: missing, e.g. [fd00::2]:5683", group);
		return FALSE;
	}
	address = igw_coap_parse_checked(g_strstrip(address_text), error);
	if (address == NULL) {
		g_prefix_error(error, "[%s] address: ", group);
		return FALSE;
	}
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		g_autofree gchar *value = g_key_file_get_string(config, group, keys[i], NULL);
		IgwFieldType type;
		if (g_str_has_prefix(keys[i], "actuator./") &&
		    !igw_coap_parse_actuator_type(g_strstrip(value), &type)) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG,
				    "[%s] %s: expected boolean, integer, numeric or string", group,
				    keys[i]);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
igw_coap_check_config(IgwPlugin *plugin, GKeyFile *config, GError **error)
{
	IgwCoapOptions options = {0};
	g_auto(GStrv) groups = g_key_file_get_groups(config, NULL);
	gboolean ok = igw_coap_options_read(config, &options, error);
	igw_coap_options_clear(&options);
	for (guint i = 0; ok && groups[i] != NULL; i++) {
		if (g_str_has_prefix(groups[i], "thing " IGW_COAP_ID_PREFIX))
			ok = igw_coap_check_thing_group(config, groups[i], error);
	}
	return ok;
}

/* ---- secrets: the DTLS pre-shared key and identity ---------------------------- */

/* printable ASCII as it is, or 0x and hex digits for a binary key */
static GBytes *
igw_coap_psk_parse(const gchar *text, GError **error)
{
	gsize len = strlen(text);
	if (g_str_has_prefix(text, "0x")) {
		g_autofree guint8 *key = NULL;
		gsize digits = len - 2;
		if (digits == 0 || digits % 2 != 0 || digits / 2 > IGW_COAP_PSK_MAX) {
			g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "expected 0x and 2 to %d hex digits (an even number)",
				    2 * IGW_COAP_PSK_MAX);
			return NULL;
		}
		key = g_malloc(digits / 2);
		for (gsize i = 0; i < digits / 2; i++) {
			gint high = g_ascii_xdigit_value(text[2 + 2 * i]);
			gint low = g_ascii_xdigit_value(text[3 + 2 * i]);
			if (high < 0 || low < 0) {
				g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
						    "0x must be followed by hex digits only");
				return NULL;
			}
			key[i] = (guint8)(high << 4 | low);
		}
		return g_bytes_new_take(g_steal_pointer(&key), digits / 2);
	}
	if (len == 0 || len > IGW_COAP_PSK_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "expected 1 to %d characters",
			    IGW_COAP_PSK_MAX);
		return NULL;
	}
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isprint(text[i])) {
			g_set_error_literal(
			    error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
			    "only printable ASCII characters (or 0x and hex digits)");
			return NULL;
		}
	}
	return g_bytes_new(text, len);
}

static gboolean
igw_coap_psk_identity_check(const gchar *text, GError **error)
{
	gsize len = strlen(text);
	if (len == 0 || len > IGW_COAP_PSK_IDENTITY_MAX) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INVALID_DATA, "expected 1 to %d characters",
			    IGW_COAP_PSK_IDENTITY_MAX);
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isgraph(text[i])) {
			g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
					    "only printable ASCII characters without spaces");
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
igw_coap_check_secret(IgwPlugin *plugin, const gchar *thing_id, const gchar *name,
		      const gchar *value, GError **error)
{
	g_autoptr(GBytes) key = NULL;
	if (g_strcmp0(name, "psk-identity") == 0) {
		if (!igw_coap_psk_identity_check(value, error)) {
			g_prefix_error(error, "psk-identity: ");
			return FALSE;
		}
		return TRUE;
	}
	if (g_strcmp0(name, "psk") != 0) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_INVALID_DATA,
				    "CoAP things know only the secrets 'psk' (DTLS pre-shared key) "
				    "and 'psk-identity'");
		return FALSE;
	}
	if (!igw_coap_client_has_dtls()) {
		g_set_error_literal(error, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
				    "psk: this iotgwd is built with libcoap-3-notls, without DTLS");
		return FALSE;
	}
	key = igw_coap_psk_parse(value, error);
	if (key == NULL) {
		g_prefix_error(error, "psk: ");
		return FALSE;
	}
	return TRUE;
}

/* ---- nodes and their things ------------------------------------------------ */

static IgwContext *
igw_coap_context(IgwCoapPlugin *self)
{
	return igw_plugin_get_context(self->plugin);
}

static IgwThing *
igw_coap_node_thing(IgwCoapNode *node)
{
	return igw_context_lookup_thing(igw_coap_context(node->plugin), node->thing_id);
}

static void
igw_coap_resource_stop(IgwCoapResource *resource)
{
	g_clear_handle_id(&resource->timer_id, g_source_remove);
	igw_coap_request_abandon(g_steal_pointer(&resource->request));
}

static void
igw_coap_resource_free(IgwCoapResource *resource)
{
	igw_coap_resource_stop(resource);
	g_ptr_array_unref(resource->fields);
	g_free(resource->path);
	g_free(resource->name);
	g_free(resource->unit);
	g_free(resource);
}

static void
igw_coap_node_free(IgwCoapNode *node)
{
	IgwThing *thing = igw_coap_node_thing(node);
	if (thing != NULL && node->adopted_handler != 0)
		g_signal_handler_disconnect(thing, node->adopted_handler);
	igw_coap_request_abandon(node->wellknown);
	g_clear_handle_id(&node->wellknown_retry_id, g_source_remove);
	g_ptr_array_unref(node->resources);
	g_ptr_array_unref(node->pending_fields);
	igw_liveness_free(node->liveness);
	g_object_unref(node->address);
	g_object_unref(node->target);
	g_free(node->psk);
	g_free(node->psk_identity);
	g_free(node->refused_psk);
	g_free(node->thing_id);
	g_free(node->key);
	g_free(node);
}

static IgwCoapNode *
igw_coap_node_new(IgwCoapPlugin *self, const gchar *key, const gchar *thing_id,
		  GInetSocketAddress *address)
{
	IgwCoapNode *node = g_new0(IgwCoapNode, 1);
	node->plugin = self;
	node->key = g_strdup(key);
	node->thing_id = g_strdup(thing_id);
	node->address = g_object_ref(address);
	node->target = g_object_ref(address);
	node->resources = g_ptr_array_new_with_free_func((GDestroyNotify)igw_coap_resource_free);
	node->pending_fields = g_ptr_array_new_with_free_func(g_object_unref);
	node->liveness = igw_liveness_new((guint)self->options.away_after,
					  (guint)self->options.unavailable_after,
					  (guint)self->options.availability_timeout);
	g_hash_table_insert(self->nodes, node->key, node);
	return node;
}

/* ---- availability ------------------------------------------------------------ */

static gboolean
igw_coap_liveness_cb(gpointer user_data);

/* a node that refused our key, or a coaps:// one without a key, cannot be reached */
static gboolean
igw_coap_node_locked_out(IgwCoapNode *node)
{
	return node->no_key_reported ||
	       (node->refused_psk != NULL && g_strcmp0(node->refused_psk, node->psk) == 0);
}

static void
igw_coap_node_update_availability(IgwCoapNode *node, gint64 now)
{
	IgwThing *thing = igw_coap_node_thing(node);
	IgwAvailability availability = igw_coap_node_locked_out(node)
					   ? IGW_AVAILABILITY_UNAVAILABLE
					   : igw_liveness_evaluate(node->liveness, now);
	if (thing == NULL)
		return;
	if (availability != igw_thing_get_availability(thing))
		g_info("thing %s: %s (interval %.1f s)", node->thing_id,
		       igw_availability_to_string(availability),
		       igw_liveness_get_interval(node->liveness) / (gdouble)G_USEC_PER_SEC);
	igw_context_set_availability(igw_coap_context(node->plugin), node->thing_id, availability);
	igw_liveness_alarm_arm(&node->plugin->liveness_alarm,
			       igw_liveness_next_change(node->liveness, now), igw_coap_liveness_cb,
			       node->plugin);
}

static gboolean
igw_coap_liveness_cb(gpointer user_data)
{
	IgwCoapPlugin *self = user_data;
	GHashTableIter iter;
	gpointer value;
	gint64 now = g_get_monotonic_time();
	igw_liveness_alarm_fired(&self->liveness_alarm);
	g_hash_table_iter_init(&iter, self->nodes);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		igw_coap_node_update_availability(value, now);
	return G_SOURCE_REMOVE;
}

static void
igw_coap_node_heard(IgwCoapNode *node)
{
	gint64 now = g_get_monotonic_time();
	if (node->refused_psk != NULL) {
		g_message("thing %s: the node accepts the DTLS key", node->thing_id);
		g_clear_pointer(&node->refused_psk, g_free);
		igw_coap_update_status(node->plugin);
	}
	igw_liveness_heard(node->liveness, now);
	igw_coap_node_update_availability(node, now);
}

/* ---- DTLS ---------------------------------------------------------------------- */

/* the interfaces, then what an administrator must fix */
static void
igw_coap_update_status(IgwCoapPlugin *self)
{
	g_autoptr(GString) status = g_string_new(NULL);
	g_autoptr(GPtrArray) refused = g_ptr_array_new();
	g_autoptr(GPtrArray) keyless = g_ptr_array_new();
	g_autofree gchar *interfaces = g_strjoinv(", ", self->options.interfaces);
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, self->nodes);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwCoapNode *node = value;
		if (node->no_key_reported)
			g_ptr_array_add(keyless, node->thing_id);
		else if (igw_coap_node_locked_out(node))
			g_ptr_array_add(refused, node->thing_id);
	}
	g_string_append(status, interfaces);
	for (guint i = 0; i < refused->len; i++)
		g_string_append_printf(status, "; DTLS key refused by %s",
				       (gchar *)g_ptr_array_index(refused, i));
	for (guint i = 0; i < keyless->len; i++)
		g_string_append_printf(status, "; no DTLS key for %s",
				       (gchar *)g_ptr_array_index(keyless, i));
	igw_plugin_set_status(self->plugin, status->str);
}

static void
igw_coap_node_refused(IgwCoapNode *node, const GError *error)
{
	if (node->psk != NULL && g_strcmp0(node->refused_psk, node->psk) != 0) {
		g_autofree gchar *where = igw_coap_address_to_string(node->target);
		g_free(node->refused_psk);
		node->refused_psk = g_strdup(node->psk);
		g_warning("thing %s: the node at coaps://%s did not accept the DTLS key "
			  "(psk-identity '%s'); "
			  "set the right one with iotgwctl thing %s set-secret psk KEY (and "
			  "psk-identity NAME)",
			  node->thing_id, where, node->psk_identity, node->thing_id);
	}
	igw_coap_node_update_availability(node, g_get_monotonic_time());
	igw_coap_update_status(node->plugin);
}

/* TRUE when the request failed because the node did not take our key */
static gboolean
igw_coap_node_check_refused(IgwCoapNode *node, const GError *error)
{
	if (!g_error_matches(error, IGW_ERROR, IGW_ERROR_AUTH_FAILED))
		return FALSE;
	igw_coap_node_refused(node, error);
	return TRUE;
}

static void
igw_coap_node_set_target(IgwCoapNode *node, gboolean dtls)
{
	guint16 port = g_inet_socket_address_get_port(node->address);
	g_clear_object(&node->target);
	if (!dtls || node->coaps || port != IGW_COAP_PORT) {
		node->target = g_object_ref(node->address);
		return;
	}
	/* a found node answers discovery on 5683; coaps is the next port (RFC 7252 §12.7) */
	node->target = G_INET_SOCKET_ADDRESS(g_object_new(
	    G_TYPE_INET_SOCKET_ADDRESS, "address", g_inet_socket_address_get_address(node->address),
	    "port", IGW_COAP_DTLS_PORT, "scope-id",
	    g_inet_socket_address_get_scope_id(node->address), NULL));
}

static void
igw_coap_node_no_key(IgwCoapNode *node)
{
	if (!node->no_key_reported)
		g_warning("thing %s: coaps:// needs a pre-shared key: iotgwctl thing %s set-secret "
			  "psk KEY",
			  node->thing_id, node->thing_id);
	node->no_key_reported = TRUE;
	igw_coap_node_update_availability(node, g_get_monotonic_time());
	igw_coap_update_status(node->plugin);
}

/* the node's secrets into the client; FALSE while it cannot be asked */
static gboolean
igw_coap_node_secure(IgwCoapNode *node)
{
	IgwContext *context = igw_coap_context(node->plugin);
	const gchar *psk = igw_context_get_thing_secret(context, node->thing_id, "psk");
	const gchar *identity =
	    igw_context_get_thing_secret(context, node->thing_id, "psk-identity");
	g_autoptr(GBytes) key = psk != NULL ? igw_coap_psk_parse(psk, NULL) : NULL;
	g_autoptr(GError) error = NULL;
	if (identity == NULL || !igw_coap_psk_identity_check(identity, NULL))
		identity = IGW_COAP_PSK_IDENTITY;
	if (key == NULL)
		psk = NULL;
	if (g_strcmp0(psk, node->psk) != 0 || g_strcmp0(identity, node->psk_identity) != 0) {
		(void)igw_coap_client_set_psk(node->plugin->client, node->target, NULL, NULL, NULL);
		g_free(node->psk);
		g_free(node->psk_identity);
		node->psk = g_strdup(psk);
		node->psk_identity = g_strdup(identity);
		igw_coap_node_set_target(node, psk != NULL);
		if (key != NULL && !igw_coap_client_set_psk(node->plugin->client, node->target,
							    identity, key, &error)) {
			g_warning("thing %s: %s", node->thing_id, error->message);
			return FALSE;
		}
		if (key != NULL) {
			g_autofree gchar *where = igw_coap_address_to_string(node->target);
			g_info("thing %s: DTLS with a pre-shared key to %s", node->thing_id, where);
		}
	}
	if (psk == NULL && node->coaps) {
		igw_coap_node_no_key(node);
		return FALSE;
	}
	if (node->no_key_reported) {
		node->no_key_reported = FALSE;
		igw_coap_node_update_availability(node, g_get_monotonic_time());
		igw_coap_update_status(node->plugin);
	}
	return TRUE;
}

/* ---- values -------------------------------------------------------------------- */

/* "urn:dev:ow:node1:temperature" -> "temperature"; a nameless value takes
 * the resource's name */
static gchar *
igw_coap_field_name(IgwCoapResource *resource, const IgwSenmlRecord *record)
{
	const gchar *name = record->name;
	const gchar *cut = NULL;
	GString *clean = g_string_new(NULL);
	for (const gchar *p = name; *p != '\0'; p++) {
		if (*p == ':' || *p == '/')
			cut = p + 1;
	}
	if (cut != NULL)
		name = cut;
	if (*name == '\0')
		name = resource->name;
	for (const gchar *p = name; *p != '\0'; p++)
		g_string_append_c(clean,
				  g_ascii_isalnum(*p) || *p == '-' ? g_ascii_tolower(*p) : '_');
	return g_string_free(clean, FALSE);
}

static IgwFieldType
igw_coap_record_type(const IgwSenmlRecord *record)
{
	switch (record->type) {
	case IGW_SENML_BOOLEAN:
		return IGW_FIELD_TYPE_BOOLEAN;
	case IGW_SENML_NUMBER:
		return IGW_FIELD_TYPE_NUMERIC;
	default:
		return IGW_FIELD_TYPE_STRING;
	}
}

static GVariant *
igw_coap_record_value(const IgwSenmlRecord *record, IgwFieldType type)
{
	switch (type) {
	case IGW_FIELD_TYPE_BOOLEAN:
		return record->type == IGW_SENML_BOOLEAN ? g_variant_new_boolean(record->boolean)
		       : record->type == IGW_SENML_NUMBER && isfinite(record->number)
			   ? g_variant_new_boolean(record->number != 0)
			   : NULL;
	case IGW_FIELD_TYPE_NUMERIC:
		/* a record with only a sum has no number */
		return record->type == IGW_SENML_NUMBER && isfinite(record->number)
			   ? g_variant_new_double(record->number)
			   : NULL;
	case IGW_FIELD_TYPE_INTEGER:
		return record->type == IGW_SENML_NUMBER && isfinite(record->number)
			   ? g_variant_new_int64((gint64)record->number)
			   : NULL;
	case IGW_FIELD_TYPE_STRING:
		return record->type == IGW_SENML_STRING || record->type == IGW_SENML_DATA
			   ? g_variant_new_string(record->string)
			   : NULL;
	default:
		return NULL;
	}
}

static IgwField *
igw_coap_new_field(IgwCoapResource *resource, const IgwSenmlRecord *record, const gchar *name)
{
	IgwFieldType type = igw_coap_record_type(record);
	const gchar *unit =
	    resource->unit != NULL ? resource->unit : igw_senml_unit_display(record->unit);
	IgwField *field;
	if (resource->type_configured)
		type = resource->actuator_type;
	else if (resource->switch_like && record->type == IGW_SENML_NUMBER)
		type = IGW_FIELD_TYPE_BOOLEAN;
	field = igw_field_new(name, type);
	igw_field_set_unit(field, unit);
	igw_field_set_decimals(field, type == IGW_FIELD_TYPE_NUMERIC ? 2 : 0);
	igw_field_set_category(field, resource->actuator ? IGW_FIELD_CATEGORY_STATUS
							 : IGW_FIELD_CATEGORY_MOMENTARY);
	igw_field_set_writable(field, resource->actuator);
	return field;
}

static IgwField *
igw_coap_node_ensure_field(IgwCoapNode *node, IgwCoapResource *resource,
			   const IgwSenmlRecord *record, const gchar *name)
{
	IgwThing *thing = igw_coap_node_thing(node);
	g_autoptr(IgwField) field = NULL;
	if (thing != NULL && igw_thing_get_field(thing, name) != NULL)
		return igw_thing_get_field(thing, name);
	for (guint i = 0; thing == NULL && i < node->pending_fields->len; i++) {
		IgwField *pending = g_ptr_array_index(node->pending_fields, i);
		if (g_strcmp0(igw_field_get_name(pending), name) == 0)
			return pending;
	}
	field = igw_coap_new_field(resource, record, name);
	if (thing != NULL)
		igw_thing_add_field(thing, field);
	else
		g_ptr_array_add(node->pending_fields, g_object_ref(field));
	return field;
}

static void
igw_coap_resource_faulty(IgwCoapResource *resource, const GError *error)
{
	if (!resource->faulty)
		g_warning("thing %s: resource %s is faulty: %s", resource->node->thing_id,
			  resource->path, error->message);
	resource->faulty = TRUE;
}

/* SenML base time or now: the reading's time in µs */
static gint64
igw_coap_record_time(const IgwSenmlRecord *record)
{
	if (record->time > 0)
		return (gint64)(record->time * G_USEC_PER_SEC);
	return g_get_real_time();
}

/* decode, declare new fields, report; FALSE for a payload we cannot read */
static gboolean
igw_coap_resource_take(IgwCoapResource *resource, const IgwCoapResponse *response,
		       GVariant **first_value)
{
	IgwCoapNode *node = resource->node;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) records = NULL;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(response->payload, &len);
	records = igw_coap_payload_decode(response->content_format, data, len,
					  g_get_real_time() / 1e6, &error);
	if (records == NULL) {
		igw_coap_resource_faulty(resource, error);
		return FALSE;
	}
	if (resource->faulty)
		g_message("thing %s: resource %s reads again", node->thing_id, resource->path);
	resource->faulty = FALSE;
	for (guint i = 0; i < records->len; i++) {
		const IgwSenmlRecord *record = g_ptr_array_index(records, i);
		/* the administrator's name for a one-value resource */
		g_autofree gchar *name = resource->name_configured && records->len == 1
					     ? g_strdup(resource->name)
					     : igw_coap_field_name(resource, record);
		IgwField *field = igw_coap_node_ensure_field(node, resource, record, name);
		GVariant *value = igw_coap_record_value(record, igw_field_get_value_type(field));
		g_autoptr(IgwReading) reading = NULL;
		if (!g_ptr_array_find_with_equal_func(resource->fields, name, g_str_equal, NULL))
			g_ptr_array_add(resource->fields, g_strdup(name));
		if (value == NULL) {
			g_debug("thing %s: %s: a %s value does not fit field %s", node->thing_id,
				resource->path,
				igw_field_type_to_string(igw_coap_record_type(record)), name);
			continue;
		}
		g_variant_ref_sink(value);
		if (first_value != NULL && *first_value == NULL)
			*first_value = g_variant_ref(value);
		reading =
		    igw_reading_new(node->thing_id, name, value, igw_coap_record_time(record));
		g_variant_unref(value);
		igw_context_report_reading(igw_coap_context(node->plugin), reading);
	}
	return TRUE;
}

/* ---- observing and polling ------------------------------------------------------ */

static gboolean
igw_coap_resource_timer_cb(gpointer user_data)
{
	IgwCoapResource *resource = user_data;
	resource->timer_id = 0;
	igw_coap_resource_start(resource);
	return G_SOURCE_REMOVE;
}

static void
igw_coap_resource_schedule(IgwCoapResource *resource, guint seconds)
{
	g_clear_handle_id(&resource->timer_id, g_source_remove);
	resource->timer_id = g_timeout_add_seconds(seconds, igw_coap_resource_timer_cb, resource);
}

/* seconds after a notification: a tenth of Max-Age (at least 1 s) before it ends */
static guint
igw_coap_reregister_after(guint max_age)
{
	guint margin = MAX(1u, max_age / 10);
	return max_age > margin ? max_age - margin : MAX(max_age, 1u);
}

static void
igw_coap_resource_answer_cb(IgwCoapRequest *request, const IgwCoapResponse *response,
			    const GError *error, gpointer user_data)
{
	IgwCoapResource *resource = user_data;
	IgwCoapNode *node = resource->node;
	guint poll = (guint)node->plugin->options.poll_interval;
	if (error != NULL) {
		g_debug("thing %s: %s: %s", node->thing_id, resource->path, error->message);
		resource->request = NULL;
		/* a refused key is not retried every few seconds: a new key restarts it */
		if (igw_coap_node_check_refused(node, error))
			igw_coap_resource_schedule(resource, poll);
		else
			igw_coap_resource_schedule(resource, MIN(poll, IGW_COAP_RETRY_S));
		return;
	}
	igw_coap_node_heard(node);
	if (response->code / 100 == 2)
		(void)igw_coap_resource_take(resource, response, NULL);
	else
		g_debug("thing %s: %s answered %u", node->thing_id, resource->path, response->code);
	if (resource->observable && response->observe) {
		/* re-register shortly before the value would go stale (RFC 7641
		 * §3.3.1); each notification pushes this further */
		igw_coap_resource_schedule(resource, igw_coap_reregister_after(response->max_age));
		return;
	}
	/* a node that would not register us is polled */
	resource->request = NULL;
	igw_coap_resource_schedule(resource, poll);
}

static gint
igw_coap_resource_accept(IgwCoapResource *resource)
{
	return resource->format == IGW_COAP_FORMAT_SENML_JSON ||
		       resource->format == IGW_COAP_FORMAT_SENML_CBOR
		   ? resource->format
		   : -1;
}

static void
igw_coap_resource_start(IgwCoapResource *resource)
{
	IgwCoapNode *node = resource->node;
	igw_coap_resource_stop(resource);
	resource->request = igw_coap_client_get(
	    node->plugin->client, node->target, resource->path, igw_coap_resource_accept(resource),
	    resource->observable, igw_coap_resource_answer_cb, resource);
	if (resource->request == NULL)
		igw_coap_resource_schedule(resource, IGW_COAP_RETRY_S);
}

/* only adopted nodes are observed: discovered ones cost the mesh nothing */
static void
igw_coap_node_sync(IgwCoapNode *node)
{
	IgwThing *thing = igw_coap_node_thing(node);
	gboolean wanted = thing != NULL && igw_thing_get_adopted(thing);
	for (guint i = 0; i < node->resources->len; i++) {
		IgwCoapResource *resource = g_ptr_array_index(node->resources, i);
		gboolean running = resource->request != NULL || resource->timer_id != 0;
		if (wanted && !running)
			igw_coap_resource_start(resource);
		else if (!wanted && running)
			igw_coap_resource_stop(resource);
	}
}

static void
igw_coap_adopted_cb(IgwThing *thing, GParamSpec *pspec, IgwCoapNode *node)
{
	igw_coap_node_sync(node);
}

/* ---- the first look at a node ----------------------------------------------------- */

static void
igw_coap_node_offer(IgwCoapNode *node)
{
	IgwContext *context = igw_coap_context(node->plugin);
	IgwThing *thing = igw_coap_node_thing(node);
	g_autoptr(GError) error = NULL;
	if (node->offered)
		return;
	node->offered = TRUE;
	if (thing == NULL) {
		g_autoptr(IgwThing) found = igw_thing_new(node->thing_id, "coap");
		g_autofree gchar *where = igw_coap_address_to_string(node->address);
		igw_thing_set_model(found, "CoAP node");
		igw_thing_set_serial(found, where);
		for (guint i = 0; i < node->pending_fields->len; i++)
			igw_thing_add_field(found, g_ptr_array_index(node->pending_fields, i));
		igw_thing_set_supported(found, node->pending_fields->len > 0);
		if (!igw_context_offer_thing(context, found, &error)) {
			g_warning("thing %s: cannot be offered: %s", node->thing_id,
				  error->message);
			return;
		}
		thing = igw_coap_node_thing(node);
	} else {
		for (guint i = 0; i < node->pending_fields->len; i++) {
			IgwField *field = g_ptr_array_index(node->pending_fields, i);
			if (igw_thing_get_field(thing, igw_field_get_name(field)) == NULL)
				igw_thing_add_field(thing, field);
		}
	}
	g_ptr_array_set_size(node->pending_fields, 0);
	g_info("thing %s: %u resources", node->thing_id, node->resources->len);
	node->adopted_handler =
	    g_signal_connect(thing, "notify::adopted", G_CALLBACK(igw_coap_adopted_cb), node);
	igw_coap_node_heard(node);
	igw_coap_node_sync(node);
}

static void
igw_coap_node_maybe_offer(IgwCoapNode *node)
{
	for (guint i = 0; i < node->resources->len; i++) {
		IgwCoapResource *resource = g_ptr_array_index(node->resources, i);
		if (!resource->answered)
			return;
	}
	igw_coap_node_offer(node);
}

static void
igw_coap_resource_first_cb(IgwCoapRequest *request, const IgwCoapResponse *response,
			   const GError *error, gpointer user_data)
{
	IgwCoapResource *resource = user_data;
	resource->request = NULL;
	resource->answered = TRUE;
	if (error != NULL) {
		if (!igw_coap_node_check_refused(resource->node, error))
			g_debug("thing %s: %s: %s", resource->node->thing_id, resource->path,
				error->message);
	} else if (response->code / 100 != 2)
		g_debug("thing %s: %s answered %u", resource->node->thing_id, resource->path,
			response->code);
	else
		(void)igw_coap_resource_take(resource, response, NULL);
	igw_coap_node_maybe_offer(resource->node);
}

static gchar *
igw_coap_override(IgwCoapNode *node, const gchar *prefix, const gchar *path)
{
	GKeyFile *config = igw_context_get_config(igw_coap_context(node->plugin));
	g_autofree gchar *key = g_strconcat(prefix, path, NULL);
	g_autofree gchar *group = igw_context_get_thing_group(node->thing_id);
	gchar *value = node->configured ? g_key_file_get_string(config, group, key, NULL) : NULL;
	if (value == NULL)
		value = g_key_file_get_string(config, "plugin coap", key, NULL);
	return value != NULL ? g_strstrip(value) : NULL;
}

/* the name of a resource's nameless values: config, rt, title, last path segment */
static void
igw_coap_resource_name(IgwCoapResource *resource, const IgwCoapLink *link)
{
	g_autofree gchar *override = igw_coap_override(resource->node, "field.", resource->path);
	const gchar *slash = strrchr(resource->path, '/');
	if (override != NULL) {
		g_auto(GStrv) words = g_strsplit(override, " ", 2);
		resource->name_configured = TRUE;
		resource->name = g_strdup(words[0]);
		resource->unit = words[1] != NULL ? g_strdup(g_strstrip(words[1])) : NULL;
	} else if (link->rt[0] != NULL) {
		resource->name = g_strdup(link->rt[0]);
	} else if (link->title != NULL) {
		resource->name = g_strdup(link->title);
	} else {
		resource->name = g_strdup(slash != NULL ? slash + 1 : resource->path);
	}
}

static IgwCoapResource *
igw_coap_resource_new(IgwCoapNode *node, const IgwCoapLink *link)
{
	IgwCoapResource *resource = g_new0(IgwCoapResource, 1);
	g_autofree gchar *actuator = NULL;
	resource->node = node;
	resource->path = g_strdup(link->href);
	resource->observable = link->obs;
	resource->format = -1;
	resource->fields = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < link->ct->len; i++) {
		guint ct = g_array_index(link->ct, guint, i);
		if (ct == IGW_COAP_FORMAT_SENML_JSON ||
		    (ct == IGW_COAP_FORMAT_TEXT && resource->format < 0))
			resource->format = (gint)ct;
	}
	/* plain text is what every actuator takes, when it says so or says nothing */
	resource->put_format =
	    link->ct->len == 0 || igw_coap_link_has_ct(link, IGW_COAP_FORMAT_TEXT)
		? IGW_COAP_FORMAT_TEXT
		: IGW_COAP_FORMAT_SENML_JSON;
	actuator = igw_coap_override(node, "actuator.", resource->path);
	resource->actuator = actuator != NULL || igw_coap_link_has_if(link, "core.a");
	if (actuator != NULL)
		resource->type_configured =
		    igw_coap_parse_actuator_type(actuator, &resource->actuator_type);
	for (guint i = 0; link->rt[i] != NULL; i++) {
		if (strstr(link->rt[i], "switch") != NULL || strstr(link->rt[i], "onoff") != NULL ||
		    strstr(link->rt[i], "relay") != NULL)
			resource->switch_like = TRUE;
	}
	igw_coap_resource_name(resource, link);
	return resource;
}

/* what a gateway can turn into a field: sensors, actuators, anything observable */
static gboolean
igw_coap_link_is_useful(const IgwCoapLink *link)
{
	if (g_str_has_prefix(link->href, "/.well-known") || link->href[0] != '/')
		return FALSE;
	if (link->ct->len > 0 && igw_coap_link_has_ct(link, 40) && link->ct->len == 1)
		return FALSE;
	return link->obs || igw_coap_link_has_if(link, "sensor") ||
	       igw_coap_link_has_if(link, "core.s") || igw_coap_link_has_if(link, "core.a") ||
	       link->rt[0] != NULL;
}

static void
igw_coap_node_take_links(IgwCoapNode *node, const IgwCoapResponse *response)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) links = NULL;
	guint malformed = 0;
	gsize len = 0;
	const gchar *data = g_bytes_get_data(response->payload, &len);
	links = igw_coap_link_parse(data, len, &malformed, &error);
	if (links == NULL) {
		g_warning("thing %s: /.well-known/core is unreadable: %s", node->thing_id,
			  error->message);
		return;
	}
	if (malformed > 0)
		g_warning("thing %s: %u malformed links in /.well-known/core skipped",
			  node->thing_id, malformed);
	g_ptr_array_set_size(node->resources, 0);
	for (guint i = 0; i < links->len; i++) {
		IgwCoapLink *link = g_ptr_array_index(links, i);
		if (igw_coap_link_is_useful(link))
			g_ptr_array_add(node->resources, igw_coap_resource_new(node, link));
	}
	for (guint i = 0; i < node->resources->len; i++) {
		IgwCoapResource *resource = g_ptr_array_index(node->resources, i);
		resource->request =
		    igw_coap_client_get(node->plugin->client, node->target, resource->path,
					igw_coap_resource_accept(resource), FALSE,
					igw_coap_resource_first_cb, resource);
		if (resource->request == NULL)
			resource->answered = TRUE;
	}
	igw_coap_node_maybe_offer(node);
}

static gboolean
igw_coap_node_links_retry_cb(gpointer user_data)
{
	IgwCoapNode *node = user_data;
	node->wellknown_retry_id = 0;
	igw_coap_node_fetch_links(node);
	return G_SOURCE_REMOVE;
}

static void
igw_coap_node_links_cb(IgwCoapRequest *request, const IgwCoapResponse *response,
		       const GError *error, gpointer user_data)
{
	IgwCoapNode *node = user_data;
	node->wellknown = NULL;
	if (error != NULL && igw_coap_node_check_refused(node, error)) {
		node->wellknown_retry_id = g_timeout_add_seconds(
		    (guint)node->plugin->options.poll_interval, igw_coap_node_links_retry_cb, node);
		return;
	}
	if (error != NULL || response->code / 100 != 2) {
		g_message("thing %s: no /.well-known/core (%s), asking again later", node->thing_id,
			  error != NULL ? error->message : "an error answer");
		node->wellknown_retry_id = g_timeout_add_seconds(
		    (guint)node->plugin->options.poll_interval, igw_coap_node_links_retry_cb, node);
		return;
	}
	igw_coap_node_heard(node);
	igw_coap_node_take_links(node, response);
}

static void
igw_coap_node_fetch_links(IgwCoapNode *node)
{
	if (node->wellknown != NULL || node->offered)
		return;
	/* a coaps:// node without a key: its secret may come any time */
	if (!igw_coap_node_secure(node)) {
		if (node->wellknown_retry_id == 0)
			node->wellknown_retry_id =
			    g_timeout_add_seconds((guint)node->plugin->options.poll_interval,
						  igw_coap_node_links_retry_cb, node);
		return;
	}
	node->wellknown =
	    igw_coap_client_get(node->plugin->client, node->target, "/.well-known/core", -1, FALSE,
				igw_coap_node_links_cb, node);
}

/* a new key or identity: start over with it at once */
static void
igw_coap_node_rekey(IgwCoapNode *node)
{
	igw_coap_request_abandon(g_steal_pointer(&node->wellknown));
	g_clear_handle_id(&node->wellknown_retry_id, g_source_remove);
	for (guint i = 0; i < node->resources->len; i++)
		igw_coap_resource_stop(g_ptr_array_index(node->resources, i));
	if (!node->offered) {
		igw_coap_node_fetch_links(node);
		return;
	}
	if (igw_coap_node_secure(node))
		igw_coap_node_sync(node);
}

/* ---- discovery ---------------------------------------------------------------- */

/* the id of a found node: its address, with the interface for link-local ones */
static gchar *
igw_coap_thing_id(GInetSocketAddress *address)
{
	g_autofree gchar *text = igw_coap_address_to_string(address);
	g_autofree gchar *host = NULL;
	if (g_inet_socket_address_get_port(address) != IGW_COAP_PORT)
		return g_strconcat(IGW_COAP_ID_PREFIX, text, NULL);
	/* "[addr]:5683" -> "addr" */
	host = g_strndup(text + 1, strrchr(text, ']') - text - 1);
	return g_strconcat(IGW_COAP_ID_PREFIX, host, NULL);
}

/* 6LoWPAN derives every address of a node from one interface identifier:
 * its link-local and its global answers are the same node */
static gchar *
igw_coap_node_key(const gchar *interface, GInetSocketAddress *address)
{
	const guint8 *bytes = g_inet_address_to_bytes(g_inet_socket_address_get_address(address));
	return g_strdup_printf("%s/%02x%02x%02x%02x%02x%02x%02x%02x", interface, bytes[8], bytes[9],
			       bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
}

/* a node configured or listed by address that also answers discovery */
static IgwCoapNode *
igw_coap_find_by_address(IgwCoapPlugin *self, GInetSocketAddress *address)
{
	GHashTableIter iter;
	gpointer value;
	if (address == NULL)
		return NULL;
	g_hash_table_iter_init(&iter, self->nodes);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwCoapNode *node = value;
		if (g_inet_address_equal(g_inet_socket_address_get_address(node->address),
					 g_inet_socket_address_get_address(address)) &&
		    g_inet_socket_address_get_port(node->address) ==
			g_inet_socket_address_get_port(address))
			return node;
	}
	return NULL;
}

static void
igw_coap_found(IgwCoapPlugin *self, const gchar *key, GInetSocketAddress *link_local,
	       GInetSocketAddress *global)
{
	IgwCoapNode *node = g_hash_table_lookup(self->nodes, key);
	IgwCoapNode *known = igw_coap_find_by_address(self, global);
	GInetSocketAddress *id_address = link_local != NULL ? link_local : global;
	g_autofree gchar *thing_id = igw_coap_thing_id(id_address);
	if (known == NULL)
		known = igw_coap_find_by_address(self, link_local);
	/* already here under its configured name: one thing per node */
	if (node == NULL && known != NULL) {
		if (known->offered)
			igw_coap_node_heard(known);
		return;
	}
	if (node != NULL && node->offered && !node->configured &&
	    igw_coap_node_thing(node) == NULL) {
		/* forgotten by the administrator: found again, it is new */
		g_hash_table_remove(self->nodes, key);
		node = NULL;
	}
	if (node != NULL) {
		/* a discovery answer: the node is there */
		if (node->offered)
			igw_coap_node_heard(node);
		else
			igw_coap_node_fetch_links(node);
		return;
	}
	node = igw_coap_node_new(self, key, thing_id, global != NULL ? global : link_local);
	g_info("thing %s: answered discovery", thing_id);
	igw_coap_node_fetch_links(node);
}

static void
igw_coap_probe_done(const gchar *interface, GPtrArray *responders, gpointer user_data)
{
	IgwCoapPlugin *self = user_data;
	g_autoptr(GHashTable) link_local =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GHashTable) global = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTableIter iter;
	gpointer key;
	g_debug("discovery on %s: %u answers", interface, responders->len);
	for (guint i = 0; i < responders->len; i++) {
		GInetSocketAddress *address = g_ptr_array_index(responders, i);
		gboolean is_link_local =
		    g_inet_address_get_is_link_local(g_inet_socket_address_get_address(address));
		g_hash_table_replace(is_link_local ? link_local : global,
				     igw_coap_node_key(interface, address), address);
	}
	g_hash_table_iter_init(&iter, link_local);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		igw_coap_found(self, key, g_hash_table_lookup(link_local, key),
			       g_hash_table_lookup(global, key));
	g_hash_table_iter_init(&iter, global);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		if (!g_hash_table_contains(link_local, key))
			igw_coap_found(self, key, NULL, g_hash_table_lookup(global, key));
	}
}

static void
igw_coap_probe_interface(IgwCoapPlugin *self, const gchar *interface)
{
	g_autoptr(GError) error = NULL;
	if (!igw_coap_probe_send(self->probe, interface,
				 (guint)self->options.discovery_window * 1000, &error))
		g_debug("discovery: %s", error->message);
}

typedef struct {
	IgwCoapPlugin *plugin;
	gchar *interface;
} IgwCoapSettle;

static void
igw_coap_settle_free(IgwCoapSettle *settle)
{
	g_free(settle->interface);
	g_free(settle);
}

static gboolean
igw_coap_settled_cb(gpointer user_data)
{
	IgwCoapSettle *settle = user_data;
	IgwCoapPlugin *self = settle->plugin;
	/* the entry goes first: the source is done once this returns */
	g_hash_table_remove(self->settling, settle->interface);
	igw_coap_probe_interface(self, settle->interface);
	return G_SOURCE_REMOVE;
}

static void
igw_coap_link_up(const gchar *interface, gpointer user_data)
{
	IgwCoapPlugin *self = user_data;
	IgwCoapSettle *settle;
	if (!g_strv_contains((const gchar *const *)self->options.interfaces, interface) ||
	    g_hash_table_contains(self->settling, interface))
		return;
	g_info("discovery: %s is up", interface);
	settle = g_new0(IgwCoapSettle, 1);
	settle->plugin = self;
	settle->interface = g_strdup(interface);
	g_hash_table_insert(self->settling, g_strdup(interface),
			    GUINT_TO_POINTER(g_timeout_add_full(
				G_PRIORITY_DEFAULT, IGW_COAP_LINK_SETTLE_MS, igw_coap_settled_cb,
				settle, (GDestroyNotify)igw_coap_settle_free)));
}

static gboolean
igw_coap_discovery_cb(gpointer user_data)
{
	IgwCoapPlugin *self = user_data;
	for (guint i = 0; self->options.interfaces[i] != NULL; i++)
		igw_coap_probe_interface(self, self->options.interfaces[i]);
	return G_SOURCE_CONTINUE;
}

static void
igw_coap_add_static_nodes(IgwCoapPlugin *self)
{
	for (guint i = 0; self->options.nodes[i] != NULL; i++) {
		gboolean coaps = FALSE;
		g_autoptr(GInetSocketAddress) address =
		    igw_coap_parse_address_full(self->options.nodes[i], &coaps, NULL);
		g_autofree gchar *key =
		    address != NULL ? igw_coap_address_to_string(address) : NULL;
		g_autofree gchar *thing_id = NULL;
		IgwCoapNode *node;
		if (address == NULL || g_hash_table_contains(self->nodes, key))
			continue;
		thing_id = igw_coap_thing_id(address);
		node = igw_coap_node_new(self, key, thing_id, address);
		node->coaps = coaps;
		igw_coap_node_fetch_links(node);
	}
}

static gboolean
igw_coap_add_configured(IgwCoapPlugin *self, const gchar *thing_id, GError **error)
{
	GKeyFile *config = igw_context_get_config(igw_coap_context(self));
	g_autofree gchar *group = igw_context_get_thing_group(thing_id);
	g_autofree gchar *address_text = g_key_file_get_string(config, group, "address", NULL);
	g_autofree gchar *name = g_key_file_get_string(config, group, "name", NULL);
	g_autoptr(GInetSocketAddress) address = NULL;
	g_autoptr(IgwThing) thing = igw_thing_new(thing_id, "coap");
	g_autofree gchar *key = NULL;
	IgwCoapNode *node;
	gboolean coaps = FALSE;
	address = igw_coap_parse_address_full(address_text != NULL ? g_strstrip(address_text) : "",
					      &coaps, error);
	if (address == NULL)
		return FALSE;
	key = igw_coap_address_to_string(address);
	if (name != NULL)
		igw_thing_set_name(thing, name);
	igw_thing_set_model(thing, "CoAP node");
	igw_thing_set_serial(thing, key);
	if (!igw_context_add_thing(igw_coap_context(self), thing, error))
		return FALSE;
	node = igw_coap_node_new(self, key, thing_id, address);
	node->configured = TRUE;
	node->coaps = coaps;
	igw_coap_node_fetch_links(node);
	return TRUE;
}

/* ---- control ------------------------------------------------------------------- */

/* by name, not by pointer: a forgotten node may go while its PUT is under way */
typedef struct {
	IgwCoapPlugin *plugin;
	gchar *node_key;
	gchar *path;
} IgwCoapControl;

static void
igw_coap_control_free(IgwCoapControl *control)
{
	g_free(control->node_key);
	g_free(control->path);
	g_free(control);
}

static IgwCoapResource *
igw_coap_control_resource(IgwCoapControl *control)
{
	IgwCoapNode *node = g_hash_table_lookup(control->plugin->nodes, control->node_key);
	for (guint i = 0; node != NULL && i < node->resources->len; i++) {
		IgwCoapResource *resource = g_ptr_array_index(node->resources, i);
		if (g_strcmp0(resource->path, control->path) == 0)
			return resource;
	}
	return NULL;
}

static void
igw_coap_control_read_cb(IgwCoapRequest *request, const IgwCoapResponse *response,
			 const GError *error, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	IgwCoapControl *control = g_task_get_task_data(task);
	IgwCoapResource *resource = igw_coap_control_resource(control);
	GVariant *confirmed = NULL;
	if (error != NULL || response->code / 100 != 2 || resource == NULL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_CONNECTED,
					"reading %s back failed: %s", control->path,
					error != NULL	   ? error->message
					: resource == NULL ? "the node is gone"
							   : "an error answer");
		return;
	}
	igw_coap_node_heard(resource->node);
	if (!igw_coap_resource_take(resource, response, &confirmed) || confirmed == NULL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_INVALID_DATA,
					"%s read back no value", control->path);
		return;
	}
	g_task_return_pointer(task, confirmed, (GDestroyNotify)g_variant_unref);
}

static void
igw_coap_control_put_cb(IgwCoapRequest *request, const IgwCoapResponse *response,
			const GError *error, gpointer user_data)
{
	GTask *task = user_data;
	IgwCoapControl *control = g_task_get_task_data(task);
	IgwCoapResource *resource = igw_coap_control_resource(control);
	if (error != NULL || response->code / 100 != 2 || resource == NULL) {
		g_autofree gchar *code =
		    response != NULL
			? g_strdup_printf("%u.%02u", response->code / 100, response->code % 100)
			: g_strdup("the node is gone");
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_CONNECTED, "PUT %s: %s",
					control->path, error != NULL ? error->message : code);
		g_object_unref(task);
		return;
	}
	/* the node's word on what it did */
	if (igw_coap_client_get(control->plugin->client, resource->node->target, resource->path,
				igw_coap_resource_accept(resource), FALSE, igw_coap_control_read_cb,
				task) == NULL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_CONNECTED,
					"cannot read %s back", control->path);
		g_object_unref(task);
	}
}

static IgwCoapNode *
igw_coap_find_node(IgwCoapPlugin *self, const gchar *thing_id)
{
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, self->nodes);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwCoapNode *node = value;
		if (g_strcmp0(node->thing_id, thing_id) == 0)
			return node;
	}
	return NULL;
}

static IgwCoapResource *
igw_coap_find_actuator(IgwCoapNode *node, const gchar *field)
{
	for (guint i = 0; node != NULL && i < node->resources->len; i++) {
		IgwCoapResource *resource = g_ptr_array_index(node->resources, i);
		if (resource->actuator &&
		    g_ptr_array_find_with_equal_func(resource->fields, field, g_str_equal, NULL))
			return resource;
	}
	return NULL;
}

static void
igw_coap_control_async(IgwPlugin *plugin, IgwThing *thing, IgwField *field, GVariant *value,
		       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	IgwCoapPlugin *self = igw_plugin_get_data(plugin);
	GTask *task = g_task_new(plugin, cancellable, callback, user_data);
	IgwCoapNode *node = igw_coap_find_node(self, igw_thing_get_id(thing));
	IgwCoapResource *resource = igw_coap_find_actuator(node, igw_field_get_name(field));
	IgwCoapControl *control;
	g_autoptr(GBytes) payload = NULL;
	g_autoptr(GError) error = NULL;
	gint format;
	if (resource == NULL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_SUPPORTED,
					"%s has no actuator %s", igw_thing_get_id(thing),
					igw_field_get_name(field));
		g_object_unref(task);
		return;
	}
	format = resource->put_format;
	payload = igw_coap_payload_encode(format, igw_field_get_name(field), value, &error);
	if (payload == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		g_object_unref(task);
		return;
	}
	control = g_new0(IgwCoapControl, 1);
	control->plugin = self;
	control->node_key = g_strdup(node->key);
	control->path = g_strdup(resource->path);
	g_task_set_task_data(task, control, (GDestroyNotify)igw_coap_control_free);
	if (igw_coap_client_put(self->client, node->target, resource->path, format, payload,
				igw_coap_control_put_cb, task) == NULL) {
		g_task_return_new_error(task, IGW_ERROR, IGW_ERROR_NOT_CONNECTED,
					"cannot send to %s", igw_thing_get_id(thing));
		g_object_unref(task);
	}
}

static GVariant *
igw_coap_control_finish(IgwPlugin *plugin, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
igw_coap_thing_changed_cb(IgwContext *context, IgwThing *thing, const gchar *change,
			  gpointer user_data)
{
	IgwCoapPlugin *self = user_data;
	IgwCoapNode *node;
	if (g_strcmp0(change, "secret") != 0 ||
	    g_strcmp0(igw_thing_get_plugin_name(thing), "coap") != 0)
		return;
	node = igw_coap_find_node(self, igw_thing_get_id(thing));
	if (node != NULL)
		igw_coap_node_rekey(node);
}

/* ---- vfuncs ------------------------------------------------------------------------ */

static void
igw_coap_cancel_settling(IgwCoapPlugin *self)
{
	GHashTableIter iter;
	gpointer id;
	g_hash_table_iter_init(&iter, self->settling);
	while (g_hash_table_iter_next(&iter, NULL, &id))
		g_source_remove(GPOINTER_TO_UINT(id));
	g_hash_table_remove_all(self->settling);
}

static void
igw_coap_plugin_free(IgwCoapPlugin *self)
{
	if (self->thing_changed_handler != 0)
		g_signal_handler_disconnect(igw_coap_context(self), self->thing_changed_handler);
	g_clear_handle_id(&self->discovery_id, g_source_remove);
	igw_liveness_alarm_clear(&self->liveness_alarm);
	igw_coap_cancel_settling(self);
	g_hash_table_unref(self->settling);
	g_hash_table_unref(self->nodes);
	igw_coap_probe_free(self->probe);
	igw_coap_client_free(self->client);
	igw_coap_options_clear(&self->options);
	g_free(self);
}

static gboolean
igw_coap_startup(IgwPlugin *plugin, GError **error)
{
	static const IgwCoapProbeCallbacks callbacks = {
	    .done = igw_coap_probe_done,
	    .link_up = igw_coap_link_up,
	};
	IgwCoapPlugin *self = g_new0(IgwCoapPlugin, 1);
	IgwContext *context = igw_plugin_get_context(plugin);
	g_auto(GStrv) ids = NULL;
	self->plugin = plugin;
	self->nodes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					    (GDestroyNotify)igw_coap_node_free);
	self->settling = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	igw_plugin_set_data(plugin, self, (GDestroyNotify)igw_coap_plugin_free);
	if (!igw_coap_options_read(igw_context_get_config(context), &self->options, error))
		return FALSE;
	self->client = igw_coap_client_new(error);
	if (self->client == NULL)
		return FALSE;
	self->probe = igw_coap_probe_new(IGW_COAP_PORT, &callbacks, self, error);
	if (self->probe == NULL)
		return FALSE;
	self->thing_changed_handler =
	    g_signal_connect(context, "thing-changed", G_CALLBACK(igw_coap_thing_changed_cb), self);
	ids = igw_context_get_thing_ids(context, "coap");
	for (guint i = 0; ids[i] != NULL; i++) {
		if (!igw_coap_add_configured(self, ids[i], error))
			return FALSE;
	}
	igw_coap_add_static_nodes(self);
	igw_coap_discovery_cb(self);
	self->discovery_id = g_timeout_add_seconds((guint)self->options.discovery_interval,
						   igw_coap_discovery_cb, self);
	igw_coap_update_status(self);
	return TRUE;
}

static void
igw_coap_shutdown(IgwPlugin *plugin)
{
	IgwCoapPlugin *self = igw_plugin_get_data(plugin);
	if (self == NULL)
		return;
	g_clear_handle_id(&self->discovery_id, g_source_remove);
	igw_liveness_alarm_clear(&self->liveness_alarm);
	igw_coap_cancel_settling(self);
	g_hash_table_remove_all(self->nodes);
}

/* a scan is a discovery round now */
static gboolean
igw_coap_set_discovery(IgwPlugin *plugin, gboolean enabled, GError **error)
{
	IgwCoapPlugin *self = igw_plugin_get_data(plugin);
	if (enabled && self != NULL && self->probe != NULL)
		igw_coap_discovery_cb(self);
	return TRUE;
}

IGW_PLUGIN_DEFINE(coap)
{
	vfuncs->check_config = igw_coap_check_config;
	vfuncs->check_secret = igw_coap_check_secret;
	vfuncs->startup = igw_coap_startup;
	vfuncs->shutdown = igw_coap_shutdown;
	vfuncs->set_discovery = igw_coap_set_discovery;
	vfuncs->control_async = igw_coap_control_async;
	vfuncs->control_finish = igw_coap_control_finish;
}
