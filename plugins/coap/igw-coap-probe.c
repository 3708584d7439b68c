/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <glib-unix.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "igw-coap-message.h"
#include "igw-coap-probe.h"
#include "iotgw-plugin.h"

/* site-local answers may come from a few hops away */
#define IGW_COAP_PROBE_SITE_HOPS 16

typedef struct {
	IgwCoapProbe *probe;
	gchar *interface;
	guint8 token[8];
	GPtrArray *responders; /* GInetSocketAddress, unique */
	guint window_id;
} IgwCoapRound;

struct _IgwCoapProbe {
	guint port;
	IgwCoapProbeCallbacks callbacks;
	gpointer user_data;
	GSocket *socket;
	GSource *socket_source;
	gint netlink_fd;
	guint netlink_watch;
	GHashTable *rounds;  /* interface -> IgwCoapRound */
	GHashTable *running; /* ifindex -> TRUE while up and running */
	guint16 next_mid;
};

static void
igw_coap_round_free(IgwCoapRound *round)
{
	g_clear_handle_id(&round->window_id, g_source_remove);
	g_ptr_array_unref(round->responders);
	g_free(round->interface);
	g_free(round);
}

static IgwCoapRound *
igw_coap_probe_find_round(IgwCoapProbe *self, const IgwCoapHeader *header)
{
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, self->rounds);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		IgwCoapRound *round = value;
		if (header->token_len == sizeof(round->token) &&
		    memcmp(header->token, round->token, sizeof(round->token)) == 0)
			return round;
	}
	return NULL;
}

static void
igw_coap_round_add(IgwCoapRound *round, GInetSocketAddress *from)
{
	g_autofree gchar *text = g_inet_address_to_string(g_inet_socket_address_get_address(from));
	for (guint i = 0; i < round->responders->len; i++) {
		GInetSocketAddress *known = g_ptr_array_index(round->responders, i);
		if (g_inet_address_equal(g_inet_socket_address_get_address(known),
					 g_inet_socket_address_get_address(from)))
			return;
	}
	g_debug("probe on %s: %s answered", round->interface, text);
	g_ptr_array_add(round->responders, g_object_ref(from));
}

/* answers to our token only; a confirmable one gets its ACK */
static void
igw_coap_probe_receive(IgwCoapProbe *self)
{
	guint8 buffer[1500];
	g_autoptr(GSocketAddress) from = NULL;
	g_autoptr(GError) error = NULL;
	IgwCoapHeader header;
	IgwCoapRound *round;
	gssize len = g_socket_receive_from(self->socket, &from, (gchar *)buffer, sizeof(buffer),
					   NULL, &error);
	if (len < 0) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
			g_debug("probe: %s", error->message);
		return;
	}
	if (!G_IS_INET_SOCKET_ADDRESS(from) ||
	    !igw_coap_header_parse(buffer, (gsize)len, &header, &error)) {
		g_debug("probe: datagram dropped: %s", error != NULL ? error->message : "not IPv6");
		return;
	}
	if (header.type == IGW_COAP_TYPE_CON) {
		g_autoptr(GBytes) ack = igw_coap_message_ack(header.mid);
		(void)g_socket_send_to(self->socket, from, g_bytes_get_data(ack, NULL),
				       g_bytes_get_size(ack), NULL, NULL);
	}
	round = igw_coap_probe_find_round(self, &header);
	if (round == NULL || header.code / 100 != 2)
		return;
	igw_coap_round_add(round, G_INET_SOCKET_ADDRESS(from));
}

static gboolean
igw_coap_probe_socket_cb(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	igw_coap_probe_receive(user_data);
	return G_SOURCE_CONTINUE;
}

static gboolean
igw_coap_round_done_cb(gpointer user_data)
{
	IgwCoapRound *round = user_data;
	IgwCoapProbe *self = round->probe;
	g_autoptr(GPtrArray) responders = g_ptr_array_ref(round->responders);
	g_autofree gchar *interface = g_strdup(round->interface);
	round->window_id = 0;
	g_hash_table_remove(self->rounds, interface);
	self->callbacks.done(interface, responders, self->user_data);
	return G_SOURCE_REMOVE;
}

static gboolean
igw_coap_probe_send_to(IgwCoapProbe *self, const gchar *group, guint ifindex, GBytes *message,
		       GError **error)
{
	g_autoptr(GInetAddress) address = g_inet_address_new_from_string(group);
	g_autoptr(GSocketAddress) destination = NULL;
	gint fd = g_socket_get_fd(self->socket);
	gint hops = g_str_has_prefix(group, "ff02") ? 1 : IGW_COAP_PROBE_SITE_HOPS;
	/* the link-local group needs the scope; the site one the outgoing interface */
	destination =
	    g_object_new(G_TYPE_INET_SOCKET_ADDRESS, "address", address, "port", self->port,
			 "scope-id", g_str_has_prefix(group, "ff02") ? ifindex : 0, NULL);
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_INTERNAL, "cannot select the interface: %s",
			    g_strerror(errno));
		return FALSE;
	}
	return g_socket_send_to(self->socket, destination, g_bytes_get_data(message, NULL),
				g_bytes_get_size(message), NULL, error) >= 0;
}

gboolean
igw_coap_probe_is_busy(IgwCoapProbe *self, const gchar *interface)
{
	return g_hash_table_contains(self->rounds, interface);
}

gboolean
igw_coap_probe_send(IgwCoapProbe *self, const gchar *interface, guint window_ms, GError **error)
{
	guint ifindex = if_nametoindex(interface);
	IgwCoapRound *round;
	g_autoptr(GBytes) message = NULL;
	g_autoptr(GError) site_error = NULL;
	if (ifindex == 0) {
		g_set_error(error, IGW_ERROR, IGW_ERROR_NOT_FOUND, "no interface %s", interface);
		return FALSE;
	}
	if (igw_coap_probe_is_busy(self, interface))
		return TRUE;
	round = g_new0(IgwCoapRound, 1);
	round->probe = self;
	round->interface = g_strdup(interface);
	round->responders = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint i = 0; i < sizeof(round->token); i++)
		round->token[i] = (guint8)g_random_int_range(0, 256);
	message = igw_coap_message_discovery(self->next_mid++, round->token, sizeof(round->token));
	if (!igw_coap_probe_send_to(self, "ff02::fd", ifindex, message, error)) {
		igw_coap_round_free(round);
		g_prefix_error(error, "%s: ", interface);
		return FALSE;
	}
	/* a link without a site-scope route still has its link-local answers */
	if (!igw_coap_probe_send_to(self, "ff05::fd", ifindex, message, &site_error))
		g_debug("probe on %s: ff05::fd: %s", interface, site_error->message);
	round->window_id = g_timeout_add(window_ms, igw_coap_round_done_cb, round);
	g_hash_table_insert(self->rounds, round->interface, round);
	return TRUE;
}

/* RTM_NEWLINK with IFF_UP and IFF_RUNNING: the interface can carry a probe */
static void
igw_coap_probe_link_message(IgwCoapProbe *self, const struct nlmsghdr *message)
{
	const struct ifinfomsg *info = NLMSG_DATA(message);
	gchar ifname[IF_NAMESIZE] = "";
	gpointer key;
	if (message->nlmsg_type != RTM_NEWLINK || message->nlmsg_len < NLMSG_LENGTH(sizeof(*info)))
		return;
	key = GINT_TO_POINTER(info->ifi_index);
	if ((info->ifi_flags & (IFF_UP | IFF_RUNNING)) != (IFF_UP | IFF_RUNNING)) {
		g_hash_table_remove(self->running, key);
		return;
	}
	/* other changes of a running link say nothing new */
	if (!g_hash_table_add(self->running, key))
		return;
	if (if_indextoname((guint)info->ifi_index, ifname) == NULL)
		return;
	self->callbacks.link_up(ifname, self->user_data);
}

static gboolean
igw_coap_probe_netlink_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	IgwCoapProbe *self = user_data;
	guint8 buffer[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	gssize len = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
	if (len <= 0)
		return G_SOURCE_CONTINUE;
	for (struct nlmsghdr *message = (struct nlmsghdr *)buffer; NLMSG_OK(message, (guint)len);
	     message = NLMSG_NEXT(message, len))
		igw_coap_probe_link_message(self, message);
	return G_SOURCE_CONTINUE;
}

/* without it interfaces are probed on the schedule only */
static void
igw_coap_probe_watch_links(IgwCoapProbe *self)
{
	struct sockaddr_nl address = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
	self->netlink_fd =
	    socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (self->netlink_fd < 0 ||
	    bind(self->netlink_fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
		g_warning("cannot watch network interfaces (%s); probing on the schedule only",
			  g_strerror(errno));
		if (self->netlink_fd >= 0)
			close(self->netlink_fd);
		self->netlink_fd = -1;
		return;
	}
	self->netlink_watch =
	    g_unix_fd_add(self->netlink_fd, G_IO_IN, igw_coap_probe_netlink_cb, self);
}

IgwCoapProbe *
igw_coap_probe_new(guint port, const IgwCoapProbeCallbacks *callbacks, gpointer user_data,
		   GError **error)
{
	g_autoptr(GSocket) socket = g_socket_new(G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM,
						 G_SOCKET_PROTOCOL_UDP, error);
	g_autoptr(GInetAddress) any = g_inet_address_new_any(G_SOCKET_FAMILY_IPV6);
	g_autoptr(GSocketAddress) local = g_inet_socket_address_new(any, 0);
	IgwCoapProbe *self;
	if (socket == NULL || !g_socket_bind(socket, local, FALSE, error))
		return NULL;
	g_socket_set_blocking(socket, FALSE);
	self = g_new0(IgwCoapProbe, 1);
	self->port = port;
	self->callbacks = *callbacks;
	self->user_data = user_data;
	self->socket = g_steal_pointer(&socket);
	self->next_mid = (guint16)g_random_int();
	self->rounds = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					     (GDestroyNotify)igw_coap_round_free);
	self->running = g_hash_table_new(g_direct_hash, g_direct_equal);
	self->socket_source = g_socket_create_source(self->socket, G_IO_IN, NULL);
	g_source_set_callback(self->socket_source,
			      (GSourceFunc)(void (*)(void))igw_coap_probe_socket_cb, self, NULL);
	g_source_attach(self->socket_source, NULL);
	igw_coap_probe_watch_links(self);
	return self;
}

void
igw_coap_probe_free(IgwCoapProbe *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->rounds);
	g_hash_table_unref(self->running);
	g_source_destroy(self->socket_source);
	g_source_unref(self->socket_source);
	g_object_unref(self->socket);
	g_clear_handle_id(&self->netlink_watch, g_source_remove);
	if (self->netlink_fd >= 0)
		close(self->netlink_fd);
	g_free(self);
}
