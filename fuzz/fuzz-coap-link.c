/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <string.h>

#include "igw-coap-link.h"
#include "igw-error.h"
#include "igw-fuzz.h"

static void
igw_fuzz_check_words(GStrv words)
{
	igw_fuzz_require(words != NULL);
	for (guint i = 0; words[i] != NULL; i++) {
		igw_fuzz_require(words[i][0] != '\0');
		igw_fuzz_require(g_utf8_validate(words[i], -1, NULL));
		igw_fuzz_require(strpbrk(words[i], " \t\r\n") == NULL);
	}
}

static void
igw_fuzz_check_link(const IgwCoapLink *link)
{
	igw_fuzz_require(link->href != NULL && g_utf8_validate(link->href, -1, NULL));
	igw_fuzz_require(strchr(link->href, '>') == NULL);
	igw_fuzz_check_words(link->rt);
	igw_fuzz_check_words(link->if_);
	igw_fuzz_require(link->ct != NULL);
	for (guint i = 0; i < link->ct->len; i++) {
		guint ct = g_array_index(link->ct, guint, i);
		igw_fuzz_require(ct <= 65535);
		igw_fuzz_require(igw_coap_link_has_ct(link, ct));
	}
	for (guint i = 0; link->rt[i] != NULL; i++)
		igw_fuzz_require(igw_coap_link_has_rt(link, link->rt[i]));
	igw_fuzz_require(link->title == NULL || g_utf8_validate(link->title, -1, NULL));
	igw_fuzz_require(link->sz >= -1);
}

/* bytes (not NUL-terminated) -> links XOR an error; malformed links only counted */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) links = NULL;
	guint n_malformed = G_MAXUINT;

	igw_fuzz_init();
	links = igw_coap_link_parse((const gchar *)data, size, &n_malformed, &error);
	igw_fuzz_require((links == NULL) != (error == NULL));
	igw_fuzz_require(n_malformed != G_MAXUINT);
	if (links == NULL) {
		igw_fuzz_require(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA));
		igw_fuzz_require(g_utf8_validate(error->message, -1, NULL));
		return 0;
	}
	igw_fuzz_require(links->len > 0);
	igw_fuzz_require(size <= IGW_COAP_LINK_MAX_LEN);
	/* every link and every malformed one took at least two bytes */
	igw_fuzz_require(links->len + n_malformed <= size);
	for (guint i = 0; i < links->len; i++)
		igw_fuzz_check_link(g_ptr_array_index(links, i));
	return 0;
}
