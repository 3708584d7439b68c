/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwFuzz"

#include "config.h"

#include <string.h>

#include "igw-coap-message.h"
#include "igw-error.h"
#include "igw-fuzz.h"

/*
 * A datagram as the multicast probe receives it: a header XOR an error; a
 * parsed header has a token that fits and a code of class 0..7. Then the
 * probe's own request, with the input's first bytes as token, must parse
 * back to what was built.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	IgwCoapHeader header;
	IgwCoapHeader again;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) request = NULL;
	gsize token_len = MIN(size, 8);
	gsize len = 0;
	const guint8 *bytes;

	igw_fuzz_init();
	memset(&header, 0, sizeof(header));
	if (igw_coap_header_parse(data, size, &header, &error)) {
		igw_fuzz_require(error == NULL);
		igw_fuzz_require(header.token_len <= 8 && 4 + header.token_len <= size);
		igw_fuzz_require(header.type <= 3 && header.code / 100 <= 7 &&
				 header.code % 100 <= 31);
	} else {
		igw_fuzz_require(error != NULL && g_utf8_validate(error->message, -1, NULL));
	}
	request = igw_coap_message_discovery((guint16)size, data, token_len);
	bytes = g_bytes_get_data(request, &len);
	igw_fuzz_require(igw_coap_header_parse(bytes, len, &again, NULL));
	igw_fuzz_require(again.token_len == token_len && memcmp(again.token, data, token_len) == 0);
	igw_fuzz_require(again.code == 1 && again.type == IGW_COAP_TYPE_NON &&
			 again.mid == (guint16)size);
	return 0;
}
