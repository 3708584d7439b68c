/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

guint
igw_xml_clean_stanza(xmpp_stanza_t *stanza);

G_END_DECLS
