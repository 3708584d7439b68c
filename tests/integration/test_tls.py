#!/usr/bin/python3
"""STARTTLS against a TLS-only Prosody with a self-signed certificate.

Run 1: tls=required, ca_file=<test cert>: the lamp comes online, 'get' works.
Run 2: no ca_file and SSL_CERT_FILE=/nonexistent: verification must fail,
       the lamp must stay offline, the daemon must log it and keep running.
Run 3: no ca_file, pinned_cert = SHA-256 of the server certificate: online.
Run 4: a trusted ca_file but another pinned_cert: the pin wins, offline.
Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_tls.py
"""

import hashlib
import re
import ssl
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

LAMP = t.thing_jid("sim:lamp")
THINGS = {"sim:lamp": {"name": "Lamp", "type": "lamp"}}


async def test(ctx: t.Ctx) -> None:
    # -- run 1: verified TLS
    srv = await ctx.prosody(tls=True, name="prosody-tls")
    srv.register("alice", "alice-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    cfg = t.iotgwd_config(srv, ["alice@localhost"], THINGS, tls="required", ca_file=str(srv.cert))
    d = ctx.daemon(cfg, name="iotgwd-ca")
    await alice.wait_available(LAMP, 20)
    say("lamp online over TLS")
    reply = await alice.chat(LAMP, "get")
    check(re.search(r"^\s*on\s*:", reply, re.M) and re.search(r"^\s*brightness\s*:", reply, re.M),
          f"'get' on the lamp lacks on/brightness lines: {reply!r}")
    say(f"get -> {reply!r}")
    rc = await d.stop()
    check(rc == 0, f"iotgwd exited with {rc} on SIGTERM")

    # -- run 2: the certificate cannot be verified.  A fresh server, so that
    # the lamp would really come online if verification were skipped.
    srv2 = await ctx.prosody(tls=True, name="prosody-tls2")
    srv2.register("alice", "alice-pw")
    alice2 = await ctx.client(srv2, "alice", "alice-pw", resource="run2")
    cfg = t.iotgwd_config(srv2, ["alice@localhost"], THINGS, tls="required", ca_file=None)
    check("ca_file" not in cfg, "config still has ca_file")
    d2 = ctx.daemon(cfg, name="iotgwd-noca",
                    env={"SSL_CERT_FILE": "/nonexistent", "SSL_CERT_DIR": "/nonexistent"})
    line = await d2.wait_log(r"certificate", 20, flags=re.I)
    say(f"daemon reported: {line.strip()}")
    # Give it time to (wrongly) succeed or to die, then check neither happened.
    try:
        await alice2.wait_available(LAMP, 5)
    except t.TestFailure:
        pass
    else:
        raise t.TestFailure("the lamp came online although the certificate is not trusted")
    check(d2.alive(), f"iotgwd exited (code {d2.proc.poll()}) after the certificate failure; "
                      "it should keep retrying")
    check(not d2.log_lines(r"thing sim:lamp: online"), "log says the lamp went online")
    check(not srv2.user_exists("sim-lamp"), "the lamp's account was registered over an untrusted link")
    say("untrusted certificate: lamp stays offline, daemon keeps running")
    rc = await d2.stop()
    check(rc == 0, f"iotgwd exited with {rc} on SIGTERM while retrying")

    # -- run 3: the pinned certificate is accepted without any trust store
    der = ssl.PEM_cert_to_DER_cert(srv2.cert.read_text())
    pin = ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
    cfg = t.iotgwd_config(srv2, ["alice@localhost"], THINGS, tls="required", ca_file=None,
                          pinned_cert=pin)
    d3 = ctx.daemon(cfg, name="iotgwd-pin",
                    env={"SSL_CERT_FILE": "/nonexistent", "SSL_CERT_DIR": "/nonexistent"})
    await alice2.wait_available(LAMP, 20)
    say("pinned certificate accepted: lamp online")
    rc = await d3.stop()
    check(rc == 0, f"iotgwd exited with {rc} on SIGTERM")
    await alice2.wait_presence(LAMP, lambda p: p.type == "unavailable", 10,
                               what="the lamp going offline after run 3")

    # -- run 4: verification passes, but the pin does not match
    cfg = t.iotgwd_config(srv2, ["alice@localhost"], THINGS, tls="required",
                          ca_file=str(srv2.cert), pinned_cert="00" * 32)
    d4 = ctx.daemon(cfg, name="iotgwd-wrongpin")
    line = await d4.wait_log(r"does not match pinned_cert", 20)
    say(f"daemon reported: {line.strip()}")
    check(not d4.log_lines(r"thing sim:lamp: online"), "the lamp went online with a wrong pin")
    check(d4.alive(), "iotgwd exited after a pin mismatch; it should keep retrying")
    rc = await d4.stop()
    check(rc == 0, f"iotgwd exited with {rc} on SIGTERM while retrying")


if __name__ == "__main__":
    t.run(test, "test_tls", timeout=90)
