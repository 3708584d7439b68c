-- Prosody 0.12 configuration used by the iotgw integration tests.
--
-- A single checked-in file serves every throw-away instance.  Each instance is
-- described by environment variables, which Prosody 0.12 exposes to this file
-- as globals named ENV_<VARIABLE>.  prosody and prosodyctl must both be run with
-- the same environment (tests/integration/igwtest.py takes care of that).
--
--   IGW_PROSODY_DIR    short absolute temp dir owned by one instance (required)
--                      data/ (storage and admin socket), certs/, prosody.log,
--                      prosody.pid all live below it
--   IGW_C2S_PORT       client-to-server port on 127.0.0.1 (required)
--   IGW_COMP_PORT      XEP-0114 component port on 127.0.0.1 (required)
--   IGW_TLS            "1": offer STARTTLS and require it (cert in certs/);
--                      otherwise no TLS at all and PLAIN over plaintext is allowed
--   IGW_DOMAIN         virtual host (default "localhost")
--   IGW_COMP_SECRET    secret of the component things.<domain> (default "igwsecret")
--   IGW_LOGLEVEL       minimum level for prosody.log (default "info")
--   IGW_SCRAM_ITER     PBKDF2 iterations for new accounts (default 4096)
--   IGW_PROSODY_NO_PEP "1": leave mod_pep out (a server without PEP)
--
-- Notes
--  * Anything assigned below goes into Prosody's config store and cannot be
--    read back from Lua here, so computed values are kept in locals first.
--  * The tests run as root.  Without run_as_root mod_posix refuses to run and
--    0.12.3 then hangs without listening, and prosodyctl would switch to the
--    prosody user and fail on our root-owned temp dir.

local dir    = assert(ENV_IGW_PROSODY_DIR, "IGW_PROSODY_DIR is not set")
local c2s    = assert(tonumber(ENV_IGW_C2S_PORT or ""), "IGW_C2S_PORT is not set")
local comp   = assert(tonumber(ENV_IGW_COMP_PORT or ""), "IGW_COMP_PORT is not set")
local domain = ENV_IGW_DOMAIN or "localhost"
local use_tls = (ENV_IGW_TLS == "1")
local use_pep = (ENV_IGW_PROSODY_NO_PEP ~= "1")

run_as_root = true
pidfile     = dir .. "/prosody.pid"
data_path   = dir .. "/data"
-- must exist, otherwise Prosody complains while indexing the default location
certificates = dir .. "/certs"

-- Listen on loopback only and on nothing but the two ports we were given.
interfaces           = { "127.0.0.1" }
local_interfaces     = { "127.0.0.1" }
component_interfaces = { "127.0.0.1" }
c2s_ports            = { c2s }
c2s_direct_tls_ports = { }
component_ports      = { comp }
s2s_ports            = { }
s2s_direct_tls_ports = { }

local mods = {
	"roster";       -- contact lists, subscriptions
	"saslauth";     -- SASL login
	"disco";        -- service discovery
	"ping";         -- XEP-0199
	"register";     -- XEP-0077 in-band registration
	"smacks";       -- XEP-0198 stream management
	"posix";        -- pidfile, signals
	"admin_shell";  -- `prosodyctl shell` against the running instance
}
if use_pep then
	mods[#mods + 1] = "pep"   -- personal eventing (XEP-0163)
end
if use_tls then
	mods[#mods + 1] = "tls"
end
modules_enabled  = mods
modules_disabled = { "s2s" }   -- no federation, no DNS

authentication = "internal_hashed"
storage        = "internal"    -- plain files, so prosodyctl can add users at any time
default_iteration_count = tonumber(ENV_IGW_SCRAM_ITER or "4096")

-- The gateway creates its thing accounts itself (XEP-0077).  Prosody does
-- not throttle registrations coming from 127.0.0.1.
allow_registration = true

if use_tls then
	c2s_require_encryption       = true
	allow_unencrypted_plain_auth = false
	ssl = {
		certificate = dir .. "/certs/localhost.crt";
		key         = dir .. "/certs/localhost.key";
	}
else
	c2s_require_encryption       = false
	allow_unencrypted_plain_auth = true
end

-- Small stanzas must not wait for delayed ACKs (avoids 40 ms stalls).
network_settings = {
	nagle = false;
	tcp_backlog = 256;
}

c2s_timeout = 600
smacks_hibernation_time = 30

log = {
	{ levels = { min = ENV_IGW_LOGLEVEL or "info" }, to = "file", filename = dir .. "/prosody.log" };
	{ levels = { min = "warn" }, to = "console" };
}

VirtualHost (domain)

Component ("things." .. domain)
	component_secret = ENV_IGW_COMP_SECRET or "igwsecret"

-- XEP-0060 service beside PEP, for tests of a shared pubsub service
Component ("pubsub." .. domain) "pubsub"

-- XEP-0045 rooms (things join topic rooms; anyone may create a room)
Component ("conference." .. domain) "muc"
	restrict_room_creation = false
