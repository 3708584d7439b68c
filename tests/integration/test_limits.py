#!/usr/bin/python3
"""Limits and failure handling.

(a) max_sessions=2 with three things: exactly two come online, the daemon
    lives on and logs 'session limit reached'.
(b) an invalid config value: exit code 78 and a message naming the file, the
    group, the key and what was expected.
(c) a wrong explicit password: 'auth-failed' is logged, the daemon keeps
    running and does not try that thing more than twice within 10 s.
(d) a corrupt database file: non-zero exit, the database is named in the log
    and the file is left untouched.
Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_limits.py
"""

import asyncio
import re
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

EX_CONFIG = 78


async def session_limit(ctx: t.Ctx) -> None:
    # max_sessions counts thing sessions only: the gateway's own login
    # (iotgw@domain) must not take one of the two slots.
    say("(a) session limit")
    srv = await ctx.prosody(name="prosody-a")
    srv.register("alice", "alice-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    things = {
        "sim:one": {"type": "lamp"},
        "sim:two": {"type": "lamp"},
        "sim:three": {"type": "lamp"},
    }
    jids = [t.thing_jid(tid) for tid in things]
    d = ctx.daemon(t.iotgwd_config(srv, ["alice@localhost"], things, max_sessions=2),
                   name="iotgwd-a")
    await d.wait_log(r"session limit reached", 20)
    await alice.wait_until(lambda: sum(alice.is_available(j) for j in jids) >= 2, 20,
                           "two things available",
                           lambda: f"available: {[j for j in jids if alice.is_available(j)]}")
    # The third must not show up; give it a few seconds to do so wrongly.
    await asyncio.sleep(3)
    online = [j for j in jids if alice.is_available(j)]
    check(len(online) == 2, f"expected exactly 2 things online with max_sessions=2, alice sees {online}")
    logged = {m.group(1) for l in d.log_lines(r"thing (\S+): online")
              for m in [re.search(r"thing (\S+): online", l)]} & set(things)
    check(len(logged) == 2, f"log reports {len(logged)} things online: {sorted(logged)}")
    check(d.alive(), "iotgwd exited after hitting the session limit")
    say(f"(a) online: {online}; daemon alive")
    check(await d.stop() == 0, "iotgwd did not exit 0 on SIGTERM")


async def invalid_config(ctx: t.Ctx) -> None:
    say("(b) invalid config")
    cfg = t.iotgwd_config(None, ["alice@localhost"], {"sim:lamp": {"type": "lamp"}},
                          port="notanumber", tls="disabled")
    d = ctx.daemon(cfg, name="iotgwd-b")
    rc = await d.wait_exit(10)
    out = d.log()
    check(rc == EX_CONFIG, f"exit code {rc} for an invalid config, expected {EX_CONFIG}")
    check(str(d.config_path) in out, f"error output does not name the file {d.config_path}")
    check(any(re.search(r"\bxmpp\b", l) and re.search(r"\bport\b", l) for l in out.splitlines()),
          "no error line names both the group 'xmpp' and the key 'port'")
    check(re.search(r"integer|number|numeric|digit", out, re.I),
          "error output does not say what was expected (an integer)")
    say(f"(b) exit {rc}: {out.strip().splitlines()[-1] if out.strip() else ''}")


async def wrong_password(ctx: t.Ctx) -> None:
    say("(c) wrong password")
    srv = await ctx.prosody(name="prosody-c")
    srv.register("alice", "alice-pw")
    srv.register("badpw", "the-right-one")
    alice = await ctx.client(srv, "alice", "alice-pw")
    things = {
        "sim:badpw": {"type": "lamp", "jid": "badpw@localhost", "password": "a-wrong-one"},
        "sim:lamp": {"type": "lamp"},
    }
    d = ctx.daemon(t.iotgwd_config(srv, ["alice@localhost"], things), name="iotgwd-c")
    attempt_rx = r"login attempt.*(sim:badpw|badpw@)|(sim:badpw|badpw@).*login attempt"
    await d.wait_log(attempt_rx, 20)
    t_first = time.monotonic()
    await d.wait_log(r"auth-failed", 15)
    say("(c) auth-failed logged")
    await alice.wait_available(t.thing_jid("sim:lamp"), 15)
    left = 10 - (time.monotonic() - t_first)
    if left > 0:
        await asyncio.sleep(left)
    attempts = d.log_lines(attempt_rx)
    check(d.alive(), f"iotgwd exited (code {d.proc.poll()}) after an authentication failure")
    check(len(attempts) <= 2,
          f"{len(attempts)} login attempts for sim:badpw within 10 s (at most 2 allowed):\n  "
          + "\n  ".join(attempts))
    check(not alice.is_available("badpw@localhost"), "the thing with the wrong password is online")
    say(f"(c) {len(attempts)} login attempt(s) in 10 s, daemon alive, other thing online")
    check(await d.stop() == 0, "iotgwd did not exit 0 on SIGTERM")


async def corrupt_db(ctx: t.Ctx) -> None:
    say("(d) corrupt database")
    srv = await ctx.prosody(name="prosody-d")
    d = ctx.daemon(t.iotgwd_config(srv, ["alice@localhost"], {"sim:lamp": {"type": "lamp"}}),
                   name="iotgwd-d", start=False)
    db = d.state_dir / "iotgw.db"
    garbage = b"this is not an SQLite database\n" + bytes(range(256)) * 32
    db.write_bytes(garbage)
    d.start()
    rc = await d.wait_exit(15)
    check(rc > 0, f"exit code {rc} with a corrupt database, expected a non-zero exit")
    out = d.log()
    check("iotgw.db" in out, "the log does not name the database file")
    check(db.read_bytes() == garbage, "the corrupt database file was modified")
    say(f"(d) exit {rc}, database untouched")


async def test(ctx: t.Ctx) -> None:
    # Run every part even if an earlier one fails, then report all failures.
    failed = []
    for part in (session_limit, invalid_config, wrong_password, corrupt_db):
        try:
            await part(ctx)
        except t.TestFailure as exc:
            say(f"FAILED {part.__name__}: {exc}")
            failed.append(f"{part.__name__}: {exc}")
    if failed:
        raise t.TestFailure(f"{len(failed)} of 4 parts failed:\n  " + "\n  ".join(failed))


if __name__ == "__main__":
    t.run(test, "test_limits", timeout=100)
