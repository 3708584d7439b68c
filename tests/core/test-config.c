/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "IgwTestConfig"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include "igw-test.h"

#include "igw-config.h"
#include "igw-error.h"

#define TEST_TIMEOUT_SECONDS 10
#define TEST_PATH "/etc/iotgw/test.conf"
#define TEST_MINIMAL "[xmpp]\ndomain=example.org\n"
#define TEST_PIN_HEX "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

#define test_assert_ok(ret, error)                                                                 \
	ck_assert_msg((ret), "unexpected error: %s", (error) != NULL ? (error)->message : "(none)")

static IgwConfig *
test_load(const gchar *data)
{
	g_autoptr(GError) error = NULL;
	IgwConfig *config = igw_config_load_from_data(TEST_PATH, data, &error);
	test_assert_ok(config != NULL, error);
	return config;
}

/* every refusal names the file, the group and (when there is one) the key, then what it wanted */
static void
test_assert_refused(const gchar *data, const gchar *where, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwConfig) config = igw_config_load_from_data(TEST_PATH, data, &error);
	g_autofree gchar *prefix = g_strdup_printf("%s: %s: ", TEST_PATH, where);
	ck_assert_msg(config == NULL, "accepted:\n%s", data);
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG), "%s (code %d)",
		      error->message, error->code);
	ck_assert_msg(g_str_has_prefix(error->message, prefix), "'%s' does not start with '%s'",
		      error->message, prefix);
	ck_assert_msg(strstr(error->message, expected) != NULL, "'%s' lacks '%s'", error->message,
		      expected);
	ck_assert(g_utf8_validate(error->message, -1, NULL));
}

static void
test_assert_xmpp_refused(const gchar *line, const gchar *where, const gchar *expected)
{
	g_autofree gchar *data = g_strdup_printf("%s%s\n", TEST_MINIMAL, line);
	test_assert_refused(data, where, expected);
}

START_TEST(test_config_minimal)
{
	g_autoptr(IgwConfig) config = test_load(TEST_MINIMAL);

	ck_assert_str_eq(config->path, TEST_PATH);
	ck_assert_str_eq(config->domain, "example.org");
	ck_assert_str_eq(config->host, "example.org");
	ck_assert_uint_eq(config->port, 5222);
	ck_assert_int_eq(config->tls, IGW_TLS_REQUIRED);
	ck_assert_ptr_null(config->ca_file);
	ck_assert_ptr_null(config->pinned_cert);
	ck_assert(!config->register_accounts);
	ck_assert_str_eq(config->resource, "iotgw");
	ck_assert_uint_eq(config->max_sessions, 900);
	ck_assert_uint_eq(config->max_logins_in_flight, 16);
	ck_assert_uint_eq(config->login_timeout, 30);
	ck_assert_str_eq(config->gateway_jid, "iotgw@example.org");
	ck_assert_ptr_null(config->gateway_password);
	ck_assert_ptr_nonnull(config->owners);
	ck_assert_uint_eq(g_strv_length(config->owners), 0);
	ck_assert_str_eq(config->plugin_dir, IGW_PLUGIN_DIR);
	ck_assert_ptr_nonnull(config->disabled_plugins);
	ck_assert_uint_eq(g_strv_length(config->disabled_plugins), 0);
	ck_assert_uint_eq(config->history_max_age_days, 30);
	ck_assert_uint_eq(config->history_max_rows, 10000);
	ck_assert_ptr_nonnull(config->keyfile);
}
END_TEST

START_TEST(test_config_full)
{
	g_autoptr(IgwConfig) config = NULL;

	config = test_load("[xmpp]\n"
			   "domain = example.org \n"
			   "host=xmpp.example.net\n"
			   "port=5223\n"
			   "tls=disabled\n"
			   "register=true\n"
			   "resource=gw1\n"
			   "max_sessions=1000\n"
			   "max_logins_in_flight=4\n"
			   "login_timeout=600\n"
			   "[gateway]\n"
			   "jid=gw@example.org\n"
			   "password=secret\n"
			   "owners=alice@example.org; bob@example.org;;\n"
			   "plugin_dir=/opt/plugins\n"
			   "disabled_plugins=ble;coap\n"
			   "[history]\n"
			   "max_age_days=1\n"
			   "max_rows=100000000\n"
			   "[plugin sim]\n"
			   "anything=goes\n"
			   "[thing sim:kitchen]\n"
			   "type=thermometer\n");
	ck_assert_str_eq(config->domain, "example.org");
	ck_assert_str_eq(config->host, "xmpp.example.net");
	ck_assert_uint_eq(config->port, 5223);
	ck_assert_int_eq(config->tls, IGW_TLS_DISABLED);
	ck_assert(config->register_accounts);
	ck_assert_str_eq(config->resource, "gw1");
	ck_assert_uint_eq(config->max_sessions, IGW_CONFIG_MAX_SESSIONS_LIMIT);
	ck_assert_uint_eq(config->max_logins_in_flight, 4);
	ck_assert_uint_eq(config->login_timeout, 600);
	ck_assert_str_eq(config->gateway_jid, "gw@example.org");
	ck_assert_str_eq(config->gateway_password, "secret");
	ck_assert_uint_eq(g_strv_length(config->owners), 2);
	ck_assert_str_eq(config->owners[0], "alice@example.org");
	ck_assert_str_eq(config->owners[1], "bob@example.org");
	ck_assert_str_eq(config->plugin_dir, "/opt/plugins");
	ck_assert_uint_eq(g_strv_length(config->disabled_plugins), 2);
	ck_assert_str_eq(config->disabled_plugins[1], "coap");
	ck_assert_uint_eq(config->history_max_age_days, 1);
	ck_assert_uint_eq(config->history_max_rows, 100000000);
}
END_TEST

START_TEST(test_config_shipped)
{
	const gchar *srcdir = g_getenv("IGW_TEST_SRCDIR");
	g_autofree gchar *path = NULL;
	g_autoptr(IgwConfig) config = NULL;
	g_autoptr(GError) error = NULL;

	/* the example that is installed must load as it is */
	ck_assert_msg(srcdir != NULL, "IGW_TEST_SRCDIR is not set");
	path = g_build_filename(srcdir, "..", "data", "iotgwd.conf", NULL);
	config = igw_config_load(path, &error);
	test_assert_ok(config != NULL, error);
	ck_assert_str_eq(config->domain, "example.org");
}
END_TEST

START_TEST(test_config_missing)
{
	test_assert_refused("", "[xmpp]", "expected this group, it is missing");
	test_assert_refused("[gateway]\nowners=alice@example.org\n", "[xmpp]",
			    "expected this group, it is missing");
	test_assert_refused("[xmpp]\nport=5222\n", "[xmpp] domain",
			    "expected a value, the key is missing");
	test_assert_refused("[xmpp]\ndomain=  \n", "[xmpp] domain",
			    "expected a value, the key is missing");
}
END_TEST

START_TEST(test_config_syntax)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwConfig) config = NULL;

	config = igw_config_load_from_data(TEST_PATH, "domain=example.org\n", &error);
	ck_assert_ptr_null(config);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG));
	ck_assert(g_str_has_prefix(error->message, TEST_PATH ": "));
	g_clear_error(&error);
	config = igw_config_load_from_data(TEST_PATH, "[xmpp\ndomain=example.org\n", &error);
	ck_assert_ptr_null(config);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG));
	ck_assert(g_str_has_prefix(error->message, TEST_PATH ": "));
	g_clear_error(&error);

	/* GKeyFile quotes the bad line as it is; the message must still be UTF-8 */
	config = igw_config_load_from_data(TEST_PATH, "[x\xe7\x03]\n", &error);
	ck_assert_ptr_null(config);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG));
	ck_assert(g_str_has_prefix(error->message, TEST_PATH ": "));
	ck_assert_msg(g_utf8_validate(error->message, -1, NULL), "%s", error->message);
}
END_TEST

START_TEST(test_config_port)
{
	const gchar *expected = "expected a whole number from 1 to 65535";
	test_assert_xmpp_refused("port=notanumber", "[xmpp] port", expected);
	test_assert_xmpp_refused("port=notanumber", "[xmpp] port", "got 'notanumber'");
	test_assert_xmpp_refused("port=0", "[xmpp] port", expected);
	test_assert_xmpp_refused("port=70000", "[xmpp] port", "got '70000'");
	test_assert_xmpp_refused("port=-1", "[xmpp] port", expected);
	test_assert_xmpp_refused("port=5222x", "[xmpp] port", expected);
	test_assert_xmpp_refused("port=", "[xmpp] port", expected);
	test_assert_xmpp_refused("max_sessions=1001", "[xmpp] max_sessions",
				 "expected a whole number from 1 to 1000, got '1001'");
	test_assert_xmpp_refused("login_timeout=4", "[xmpp] login_timeout", "from 5 to 600");
}
END_TEST

START_TEST(test_config_bad_values)
{
	test_assert_xmpp_refused("tls=maybe", "[xmpp] tls",
				 "expected 'required' or 'disabled', got 'maybe'");
	test_assert_xmpp_refused("tls=Required", "[xmpp] tls", "got 'Required'");
	test_assert_xmpp_refused("register=yes", "[xmpp] register",
				 "expected true or false, got 'yes'");
	test_assert_refused(TEST_MINIMAL "[gateway]\njid=gateway\n", "[gateway] jid",
			    "expected a bare JID (user@domain), got 'gateway'");
	test_assert_refused(TEST_MINIMAL "[history]\nmax_rows=0\n", "[history] max_rows",
			    "expected a whole number from 1 to 100000000, got '0'");
}
END_TEST

/* a value GKeyFile can't read must not count as absent and fall back to the default */
START_TEST(test_config_unreadable)
{
	const gchar *expected =
	    "expected UTF-8 text with valid escapes, the value could not be read";
	test_assert_xmpp_refused("port=\\z", "[xmpp] port", expected);
	test_assert_xmpp_refused("tls=\\z", "[xmpp] tls", expected);
	test_assert_xmpp_refused("register=\xff", "[xmpp] register", expected);
	test_assert_refused("[xmpp]\ndomain=\\z\n", "[xmpp] domain", expected);
	test_assert_refused(TEST_MINIMAL "[gateway]\nowners=alice@example.org;\xff@example.org\n",
			    "[gateway] owners", expected);
	test_assert_refused(TEST_MINIMAL "[thing sim:a]\nowners=\\z@example.org\n",
			    "[thing sim:a] owners", expected);
	/* an unknown escape before a trailing backslash makes GLib 2.74 warn about its own GError
	 */
	test_assert_xmpp_refused("resource=a\\zb\\", "[xmpp] resource", "ends in a lone '\\'");
	test_assert_refused(TEST_MINIMAL "[gateway]\nowners=\\z@example.org;\\\n",
			    "[gateway] owners", "ends in a lone '\\'");
	/* GKeyFile lets a group name that is not UTF-8 through; the message is made valid */
	test_assert_refused(TEST_MINIMAL "[\xe9t\xe9]\n", "[\xef\xbf\xbdt\xef\xbf\xbd]",
			    "unknown group");
}
END_TEST

START_TEST(test_config_unknown)
{
	/* a typo must not silently fall back to the default */
	test_assert_xmpp_refused("prot=5223", "[xmpp] prot",
				 "unknown key; expected one of: domain, host, port");
	test_assert_refused(TEST_MINIMAL "[gateway]\nowner=alice@example.org\n", "[gateway] owner",
			    "unknown key; expected one of: jid, password, owners");
	test_assert_refused(TEST_MINIMAL "[history]\nmax_days=3\n", "[history] max_days",
			    "unknown key; expected one of: max_age_days, max_rows");
	test_assert_refused(
	    TEST_MINIMAL "[xmmp]\ndomain=example.org\n", "[xmmp]",
	    "unknown group; expected xmpp, gateway, history, pubsub, 'plugin NAME', "
	    "'thing ID', 'peer JID' or 'room JID'");
	test_assert_refused(TEST_MINIMAL "[things sim:a]\n", "[things sim:a]", "unknown group");
}
END_TEST

START_TEST(test_config_owners)
{
	const gchar *expected = "expected bare JIDs (user@domain) separated by ';'";
	test_assert_refused(TEST_MINIMAL "[gateway]\nowners=alice@example.org/phone\n",
			    "[gateway] owners", expected);
	test_assert_refused(TEST_MINIMAL "[gateway]\nowners=alice@example.org/phone\n",
			    "[gateway] owners", "got 'alice@example.org/phone'");
	test_assert_refused(TEST_MINIMAL "[gateway]\nowners=bob@example.org;alice\n",
			    "[gateway] owners", "got 'alice'");
	test_assert_refused(TEST_MINIMAL "[gateway]\nowners=@example.org\n", "[gateway] owners",
			    expected);
	test_assert_refused(TEST_MINIMAL "[gateway]\nowners=alice@\n", "[gateway] owners",
			    expected);
	test_assert_refused(TEST_MINIMAL "[gateway]\nowners=a@b@example.org\n", "[gateway] owners",
			    expected);
	test_assert_refused(TEST_MINIMAL "[gateway]\nowners=al ice@example.org\n",
			    "[gateway] owners", expected);
	test_assert_refused(TEST_MINIMAL "[thing sim:a]\nowners=carol\n", "[thing sim:a] owners",
			    "got 'carol'");

	ck_assert(igw_config_jid_is_bare("alice@example.org"));
	ck_assert(igw_config_jid_is_bare("\xc3\xa5sa@example.org"));
	ck_assert(!igw_config_jid_is_bare(NULL));
	ck_assert(!igw_config_jid_is_bare(""));
	ck_assert(!igw_config_jid_is_bare("example.org"));
	ck_assert(!igw_config_jid_is_bare("alice@example.org/res"));
	ck_assert(!igw_config_jid_is_bare("a<b@example.org"));
}
END_TEST

/* RFC 7622 §3.1 lengths and §3.3.1 localpart characters, wherever a JID enters */
START_TEST(test_config_jid_rfc7622)
{
	g_autoptr(GString) local = g_string_new(NULL);
	g_autoptr(GString) domain = g_string_new("alice@");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *config = NULL;
	const gchar *forbidden[] = {"\"", "&",	"'",	":",	"<",	    ">",
				    " ",  "\t", "\x1b", "\x07", "\xc2\x85", "\xe2\x80\x83",
				    NULL};
	g_string_append(local, "@example.org");
	for (guint i = 0; i < 1023; i++)
		g_string_prepend_c(local, 'a');
	ck_assert(igw_config_check_bare_jid(local->str, &error));
	g_string_prepend_c(local, 'a');
	ck_assert(!igw_config_check_bare_jid(local->str, &error));
	ck_assert_msg(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_DATA), "%s",
		      error->message);
	ck_assert_msg(strstr(error->message, "localpart has 1024 bytes") != NULL, "%s",
		      error->message);
	/* the message quotes the start of a JID, never all of it */
	ck_assert_uint_lt(strlen(error->message), 200);
	g_clear_error(&error);
	for (guint i = 0; i < 1024; i++)
		g_string_append_c(domain, 'd');
	ck_assert(!igw_config_check_bare_jid(domain->str, &error));
	ck_assert_msg(strstr(error->message, "domainpart has 1024 bytes") != NULL, "%s",
		      error->message);
	g_clear_error(&error);
	for (guint i = 0; forbidden[i] != NULL; i++) {
		g_autofree gchar *jid = g_strdup_printf("al%sice@example.org", forbidden[i]);
		ck_assert_msg(!igw_config_check_bare_jid(jid, &error), "accepted %s", jid);
		ck_assert_msg(strstr(error->message, "localpart") != NULL, "%s", error->message);
		g_clear_error(&error);
	}
	ck_assert(!igw_config_jid_is_bare("alice@"));
	ck_assert(!igw_config_jid_is_bare("@example.org"));
	ck_assert(!igw_config_jid_is_bare("alice@exa mple.org"));
	/* the config door says the same, naming the key */
	config = g_strdup_printf(TEST_MINIMAL "[gateway]\nowners=bob@example.org;%s\n", local->str);
	test_assert_refused(config, "[gateway] owners", "localpart has 1024 bytes");
}
END_TEST

START_TEST(test_config_ca_file)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("igw-test-config-XXXXXX", &error);
	g_autofree gchar *pem = NULL;
	g_autofree gchar *missing = NULL;
	g_autofree gchar *data = NULL;
	g_autofree gchar *expected = NULL;
	g_autoptr(IgwConfig) config = NULL;
	gboolean ret;

	test_assert_ok(dir != NULL, error);
	pem = g_build_filename(dir, "ca.pem", NULL);
	missing = g_build_filename(dir, "missing.pem", NULL);
	ret = g_file_set_contents(pem, "-----BEGIN CERTIFICATE-----\n", -1, &error);
	test_assert_ok(ret, error);

	data = g_strdup_printf(TEST_MINIMAL "ca_file=%s\n", pem);
	config = test_load(data);
	ck_assert_str_eq(config->ca_file, pem);
	g_clear_pointer(&data, g_free);

	data = g_strdup_printf(TEST_MINIMAL "ca_file=%s\n", missing);
	expected = g_strdup_printf("expected a readable PEM file, '%s' does not exist", missing);
	test_assert_refused(data, "[xmpp] ca_file", expected);
	g_clear_pointer(&data, g_free);

	/* a directory is not a PEM file either */
	data = g_strdup_printf(TEST_MINIMAL "ca_file=%s\n", dir);
	test_assert_refused(data, "[xmpp] ca_file", "expected a readable PEM file");

	g_remove(pem);
	g_rmdir(dir);
}
END_TEST

START_TEST(test_config_pinned_cert)
{
	g_autoptr(IgwConfig) config = NULL;
	g_autoptr(GString) colons = g_string_new(NULL);
	g_autofree gchar *upper = g_ascii_strup(TEST_PIN_HEX, -1);
	g_autofree gchar *data = NULL;

	/* AA:BB:... as openssl prints it */
	for (guint i = 0; upper[i] != '\0'; i += 2)
		g_string_append_printf(colons, "%s%c%c", i > 0 ? ":" : "", upper[i], upper[i + 1]);
	data = g_strdup_printf(TEST_MINIMAL "pinned_cert=%s\n", colons->str);
	config = test_load(data);
	ck_assert_str_eq(config->pinned_cert, TEST_PIN_HEX);
	ck_assert_uint_eq(strlen(config->pinned_cert), 64);
	g_clear_pointer(&config, igw_config_free);

	config = test_load(TEST_MINIMAL "pinned_cert=" TEST_PIN_HEX "\n");
	ck_assert_str_eq(config->pinned_cert, TEST_PIN_HEX);

	test_assert_xmpp_refused("pinned_cert=00112233", "[xmpp] pinned_cert",
				 "expected 64 hex digits of SHA-256, got 8");
	test_assert_xmpp_refused("pinned_cert=" TEST_PIN_HEX "00", "[xmpp] pinned_cert",
				 "expected 64 hex digits of SHA-256, got 66");
	test_assert_xmpp_refused("pinned_cert=zz112233445566778899aabbccddeeff00112233445566778899"
				 "aabbccddeeff",
				 "[xmpp] pinned_cert", "expected a SHA-256 fingerprint in hex");
	test_assert_xmpp_refused("pinned_cert=::::", "[xmpp] pinned_cert", "got 0");
}
END_TEST

START_TEST(test_config_things)
{
	g_autoptr(IgwConfig) config = NULL;

	/*
	 * GKeyFile refuses ']' inside a group name, so a coap thing with an IPv6
	 * literal ("coap:[fd00::2]:5683") can't have a [thing] group at all
	 */
	config =
	    test_load(TEST_MINIMAL "[thing sim:a]\njid=a@example.org\npassword=x\n"
				   "[thing ble:AA:BB:CC:DD:EE:FF]\n[thing coap:fd00--2:5683]\n");
	ck_assert_ptr_nonnull(config);

	test_assert_refused(TEST_MINIMAL "[thing nocolon]\n", "[thing nocolon]",
			    "must look like PLUGIN:ADDRESS");
	test_assert_refused(TEST_MINIMAL "[thing sim:]\n", "[thing sim:]",
			    "must look like PLUGIN:ADDRESS");
	test_assert_refused(TEST_MINIMAL "[thing ]\n", "[thing ]", "thing id must have 1 to 255");
	test_assert_refused(TEST_MINIMAL "[thing sim:a]\njid=a@example.org\n",
			    "[thing sim:a] password",
			    "expected a password to go with jid=a@example.org");
	test_assert_refused(TEST_MINIMAL "[thing sim:a]\njid=a@example.org/res\npassword=x\n",
			    "[thing sim:a] jid", "expected a bare JID (user@domain)");
}
END_TEST

static void
test_assert_thing_owners(IgwConfig *config, const gchar *thing_id, const gchar *expected)
{
	g_auto(GStrv) owners = igw_config_get_thing_owners(config, thing_id);
	g_autofree gchar *joined = g_strjoinv(",", owners);
	ck_assert_str_eq(joined, expected);
}

START_TEST(test_config_thing_owners)
{
	g_autoptr(IgwConfig) config = NULL;
	g_autoptr(IgwConfig) lonely = NULL;

	config = test_load(TEST_MINIMAL "[gateway]\nowners=alice@example.org;bob@example.org\n"
					"[thing sim:a]\nowners=bob@example.org;carol@example.org\n"
					"[thing sim:b]\nowners=dave@example.org;dave@example.org;"
					"carol@example.org\n"
					"[thing sim:c]\ntype=lamp\n");
	test_assert_thing_owners(config, "sim:a",
				 "alice@example.org,bob@example.org,carol@example.org");
	test_assert_thing_owners(
	    config, "sim:b",
	    "alice@example.org,bob@example.org,dave@example.org,carol@example.org");
	test_assert_thing_owners(config, "sim:c", "alice@example.org,bob@example.org");
	test_assert_thing_owners(config, "sim:unknown", "alice@example.org,bob@example.org");

	/* no gateway owners at all, and a gateway owner listed twice */
	lonely = test_load(TEST_MINIMAL "[gateway]\nowners=erin@example.org;erin@example.org\n"
					"[thing sim:a]\nowners=frank@example.org\n");
	test_assert_thing_owners(lonely, "sim:a", "erin@example.org,frank@example.org");
	g_clear_pointer(&lonely, igw_config_free);
	lonely = test_load(TEST_MINIMAL "[thing sim:a]\nowners=frank@example.org\n");
	test_assert_thing_owners(lonely, "sim:a", "frank@example.org");
	test_assert_thing_owners(lonely, "sim:b", "");
}
END_TEST

START_TEST(test_config_load_missing)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(IgwConfig) config = igw_config_load("/nonexistent/iotgw/iotgwd.conf", &error);
	ck_assert_ptr_null(config);
	ck_assert(g_error_matches(error, IGW_ERROR, IGW_ERROR_INVALID_CONFIG));
	ck_assert_ptr_nonnull(strstr(error->message, "/nonexistent/iotgw/iotgwd.conf"));
}
END_TEST

/* [peer JID] profile=: bare JIDs only, each once, a known profile */
START_TEST(test_config_peers)
{
	g_autoptr(IgwConfig) config =
	    test_load(TEST_MINIMAL "[peer bob@example.org]\nprofile=smack\n"
				   "[peer carol@example.org]\nprofile= xsf \n");
	ck_assert_uint_eq(g_strv_length(config->peer_jids), 2);
	ck_assert_str_eq(config->peer_jids[0], "bob@example.org");
	ck_assert_str_eq(config->peer_profiles[0], "smack");
	ck_assert_str_eq(config->peer_jids[1], "carol@example.org");
	ck_assert_str_eq(config->peer_profiles[1], "xsf");
	test_assert_refused(TEST_MINIMAL "[peer bob@example.org]\nprofile=java\n",
			    "[peer bob@example.org] profile",
			    "expected 'xsf', 'slixmpp' or 'smack', got 'java'");
	test_assert_refused(TEST_MINIMAL "[peer bob@example.org]\n",
			    "[peer bob@example.org] profile",
			    "expected a value, the key is missing");
	test_assert_refused(TEST_MINIMAL "[peer bob@example.org]\nprofil=xsf\n",
			    "[peer bob@example.org] profil",
			    "unknown key; expected one of: profile");
	test_assert_refused(TEST_MINIMAL "[peer bob@example.org/phone]\nprofile=xsf\n",
			    "[peer bob@example.org/phone]", "expected 'peer' and a bare JID");
	test_assert_refused(TEST_MINIMAL "[peer bob@example.org]\nprofile=xsf\n"
					 "[peer Bob@example.org]\nprofile=smack\n",
			    "[peer Bob@example.org]", "the same peer as [peer bob@example.org]");
}
END_TEST

START_TEST(test_config_no_peers)
{
	g_autoptr(IgwConfig) config = test_load(TEST_MINIMAL);
	ck_assert_ptr_nonnull(config->peer_jids);
	ck_assert_uint_eq(g_strv_length(config->peer_jids), 0);
	ck_assert_uint_eq(g_strv_length(config->peer_profiles), 0);
}
END_TEST

/* [room JID]: topics required, threshold and min_interval defaulted */
START_TEST(test_config_rooms)
{
	g_autoptr(IgwConfig) config =
	    test_load(TEST_MINIMAL "[room Sensors@conference.example.org]\n"
				   "topics= temperature ; humid* ;\n"
				   "[room lights@conference.example.org]\n"
				   "topics=on\nthreshold=0.5\nmin_interval=0\n"
				   "password=s3cret\n");
	IgwConfigRoom *sensors = g_ptr_array_index(config->rooms, 0);
	IgwConfigRoom *lights = g_ptr_array_index(config->rooms, 1);
	g_autoptr(IgwConfigRoom) copy = igw_config_room_copy(lights);
	ck_assert_uint_eq(config->rooms->len, 2);
	ck_assert_str_eq(sensors->jid, "sensors@conference.example.org");
	ck_assert_uint_eq(g_strv_length(sensors->topics), 2);
	ck_assert_str_eq(sensors->topics[0], "temperature");
	ck_assert_str_eq(sensors->topics[1], "humid*");
	ck_assert_double_eq(sensors->threshold, 0);
	ck_assert_uint_eq(sensors->min_interval, 60);
	ck_assert_ptr_null(sensors->password);
	ck_assert_double_eq(lights->threshold, 0.5);
	ck_assert_uint_eq(lights->min_interval, 0);
	ck_assert_str_eq(lights->password, "s3cret");
	ck_assert_str_eq(copy->password, "s3cret");
	ck_assert_str_eq(copy->topics[0], "on");
}
END_TEST

START_TEST(test_config_rooms_refused)
{
	test_assert_refused(TEST_MINIMAL "[room conference.example.org]\ntopics=on\n",
			    "[room conference.example.org]", "expected 'room' and a bare room JID");
	test_assert_refused(TEST_MINIMAL "[room a@conference.example.org/nick]\ntopics=on\n",
			    "[room a@conference.example.org/nick]", "bare room JID");
	test_assert_refused(TEST_MINIMAL "[room a@conference.example.org]\n",
			    "[room a@conference.example.org] topics", "expected a value");
	test_assert_refused(TEST_MINIMAL "[room a@conference.example.org]\ntopics=;;\n",
			    "[room a@conference.example.org] topics", "at least one");
	test_assert_refused(
	    TEST_MINIMAL "[room a@conference.example.org]\ntopics=on\nthreshold=-1\n",
	    "[room a@conference.example.org] threshold", "expected a number >= 0, got '-1'");
	test_assert_refused(TEST_MINIMAL
			    "[room a@conference.example.org]\ntopics=on\nthreshold=x\n",
			    "[room a@conference.example.org] threshold", "expected a number >= 0");
	test_assert_refused(TEST_MINIMAL
			    "[room a@conference.example.org]\ntopics=on\nmin_interval=90000\n",
			    "[room a@conference.example.org] min_interval", "from 0 to 86400");
	test_assert_refused(
	    TEST_MINIMAL "[room a@conference.example.org]\ntopics=on\ntopic=x\n",
	    "[room a@conference.example.org] topic",
	    "unknown key; expected one of: topics, threshold, min_interval, password");
	test_assert_refused(TEST_MINIMAL "[room a@conference.example.org]\ntopics=on\n"
					 "[room A@conference.example.org]\ntopics=off\n",
			    "[room A@conference.example.org]",
			    "the same room as [room a@conference.example.org]");
}
END_TEST

START_TEST(test_config_no_rooms)
{
	g_autoptr(IgwConfig) config = test_load(TEST_MINIMAL);
	ck_assert_ptr_nonnull(config->rooms);
	ck_assert_uint_eq(config->rooms->len, 0);
}
END_TEST

/* defaults: on, the thesis's roster model asked first, 5 s between publishes */
START_TEST(test_config_pubsub)
{
	g_autoptr(IgwConfig) plain = test_load(TEST_MINIMAL);
	g_autoptr(IgwConfig) tuned =
	    test_load(TEST_MINIMAL "[pubsub]\naccess_model=whitelist\ndeadband=0.5\n"
				   "min_interval=0\ndeadband.humidity=2\nmin_interval.humidity=30\n"
				   "sensordata=true\n");
	gdouble deadband = 0;
	guint interval = 0;
	ck_assert(plain->pubsub_enabled);
	ck_assert_str_eq(plain->pubsub_access_model, "roster");
	ck_assert_uint_eq(plain->pubsub_min_interval, 5);
	ck_assert(!plain->pubsub_sensordata);
	ck_assert_str_eq(tuned->pubsub_access_model, "whitelist");
	ck_assert(tuned->pubsub_sensordata);
	ck_assert(igw_config_get_pubsub_limits(tuned, "humidity", &deadband, &interval, NULL));
	ck_assert(deadband == 2 && interval == 30);
	ck_assert(igw_config_get_pubsub_limits(tuned, "temperature", &deadband, &interval, NULL));
	ck_assert(deadband == 0.5 && interval == 0);
}
END_TEST

START_TEST(test_config_pubsub_refused)
{
	test_assert_refused(TEST_MINIMAL "[pubsub]\naccess_model=authorize\n",
			    "[pubsub] access_model",
			    "expected roster, presence, whitelist or open, got 'authorize'");
	test_assert_refused(TEST_MINIMAL "[pubsub]\ndeadband=-1\n", "[pubsub] deadband",
			    "expected a number >= 0");
	test_assert_refused(TEST_MINIMAL "[pubsub]\ndeadband.t=x\n", "[pubsub] deadband.t",
			    "expected a number >= 0");
	test_assert_refused(TEST_MINIMAL "[pubsub]\nmin_interval=day\n", "[pubsub] min_interval",
			    "");
	test_assert_refused(TEST_MINIMAL "[pubsub]\nenabled=maybe\n", "[pubsub] enabled",
			    "expected true or false");
	test_assert_refused(TEST_MINIMAL "[pubsub]\nnodes=3\n", "[pubsub] nodes", "unknown key");
}
END_TEST

static void
test_suite_add(Suite *suite, const gchar *name, const TTest *test)
{
	igw_test_add(suite, name, test, TEST_TIMEOUT_SECONDS);
}

static Suite *
test_config_suite(void)
{
	Suite *suite = suite_create("config");
	test_suite_add(suite, "config/minimal", test_config_minimal);
	test_suite_add(suite, "config/full", test_config_full);
	test_suite_add(suite, "config/shipped", test_config_shipped);
	test_suite_add(suite, "config/missing", test_config_missing);
	test_suite_add(suite, "config/syntax", test_config_syntax);
	test_suite_add(suite, "config/invalid-port", test_config_port);
	test_suite_add(suite, "config/invalid-values", test_config_bad_values);
	test_suite_add(suite, "config/unreadable-values", test_config_unreadable);
	test_suite_add(suite, "config/unknown", test_config_unknown);
	test_suite_add(suite, "config/owners", test_config_owners);
	test_suite_add(suite, "config/jid-rfc7622", test_config_jid_rfc7622);
	test_suite_add(suite, "config/ca-file", test_config_ca_file);
	test_suite_add(suite, "config/pinned-cert", test_config_pinned_cert);
	test_suite_add(suite, "config/things", test_config_things);
	test_suite_add(suite, "config/thing-owners", test_config_thing_owners);
	test_suite_add(suite, "config/load-missing", test_config_load_missing);
	test_suite_add(suite, "config/peers", test_config_peers);
	test_suite_add(suite, "config/no-peers", test_config_no_peers);
	test_suite_add(suite, "config/rooms", test_config_rooms);
	test_suite_add(suite, "config/rooms-refused", test_config_rooms_refused);
	test_suite_add(suite, "config/no-rooms", test_config_no_rooms);
	test_suite_add(suite, "config/pubsub", test_config_pubsub);
	test_suite_add(suite, "config/pubsub-refused", test_config_pubsub_refused);
	return suite;
}

int
main(void)
{
	return igw_test_run(test_config_suite());
}
