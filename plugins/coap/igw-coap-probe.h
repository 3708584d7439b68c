/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Multicast discovery: GET /.well-known/core to ff02::fd and ff05::fd out of
 * one interface, answers collected for a window (nodes wait a random
 * "leisure" of up to 5 s before they answer, RFC 7252 §8.2). Our own UDP
 * socket, because each send must leave through a chosen interface
 * (IPV6_MULTICAST_IF for ff05::fd) and each answer's source address is the
 * node's unicast address; libcoap 4.3.1 offers neither for a group.
 * Also watches rtnetlink so that an interface coming up is probed at once.
 */

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _IgwCoapProbe IgwCoapProbe;

typedef struct {
	/* the window on @interface closed: @responders are GInetSocketAddress */
	void (*done)(const gchar *interface, GPtrArray *responders, gpointer user_data);
	/* @interface went up (IFF_UP and IFF_RUNNING, after not being so) */
	void (*link_up)(const gchar *interface, gpointer user_data);
} IgwCoapProbeCallbacks;

IgwCoapProbe *
igw_coap_probe_new(guint port, const IgwCoapProbeCallbacks *callbacks, gpointer user_data,
		   GError **error);
void
igw_coap_probe_free(IgwCoapProbe *self);
/* one round on @interface; FALSE if it does not exist or cannot send */
gboolean
igw_coap_probe_send(IgwCoapProbe *self, const gchar *interface, guint window_ms, GError **error);
gboolean
igw_coap_probe_is_busy(IgwCoapProbe *self, const gchar *interface);

G_END_DECLS
