#!/usr/bin/python3
"""Chat interface, in-band registration, subscriptions, SIGHUP and SIGTERM.

Plaintext Prosody; owner alice and non-owner mallory are created with
prosodyctl; the thing accounts are not: iotgwd must register them itself
(XEP-0077).  Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_chat.py
"""

import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

KITCHEN = t.thing_jid("sim:kitchen")   # sim-kitchen@localhost
LAMP = t.thing_jid("sim:lamp")         # sim-lamp@localhost

THINGS = {
    "sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 1},
    "sim:lamp": {"name": "Lamp", "type": "lamp"},
}


def has_field_line(body: str, field: str) -> bool:
    return re.search(rf"^\s*{re.escape(field)}\s*:\s*\S", body, re.M) is not None


async def test(ctx: t.Ctx) -> None:
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    srv.register("mallory", "mallory-pw")
    for user in ("sim-kitchen", "sim-lamp"):
        check(not srv.user_exists(user), f"{user} exists before the daemon ran")

    alice = await ctx.client(srv, "alice", "alice-pw")
    mallory = await ctx.client(srv, "mallory", "mallory-pw")

    cfg = t.iotgwd_config(srv, ["alice@localhost"], THINGS, register=True)
    d = ctx.daemon(cfg)

    # -- online, registered in-band
    for jid in (KITCHEN, LAMP):
        await alice.wait_available(jid, timeout=20)
        say(f"alice sees {jid} available")
    for user in ("sim-kitchen", "sim-lamp"):
        check(srv.user_exists(user), f"account {user} was not created in Prosody")
    say("both thing accounts were registered in-band")
    await d.wait_log(r"thing sim:kitchen: online", 5)
    await d.wait_log(r"thing sim:lamp: online", 5)

    # -- greeting, subscription request, mutual subscription
    for jid in (KITCHEN, LAMP):
        m = await alice.wait_message(jid, lambda m: "help" in m.body.lower(), 10,
                                     what=f"a greeting mentioning 'help' from {jid}")
        say(f"greeting from {jid}: {m.body!r}")
        await alice.wait_presence(jid, lambda p: p.type == "subscribe", 10,
                                  what=f"a subscription request from {jid}")
        await alice.wait_subscription(jid, "both", 10)
        say(f"alice and {jid} are mutually subscribed")

    # -- help
    reply = await alice.chat(LAMP, "help")
    for word in ("get", "set", "info"):
        check(word in reply.lower(), f"'help' reply does not mention '{word}': {reply!r}")
    say("help lists get/set/info")

    # -- thermometer readings
    reply = await alice.chat(KITCHEN, "get")
    for field in ("temperature", "humidity", "battery"):
        check(has_field_line(reply, field), f"'get' on the thermometer lacks a {field} line: {reply!r}")
    say(f"kitchen get -> {reply!r}")

    reply = await alice.chat(KITCHEN, "get temperature")
    lines = [l for l in reply.splitlines() if l.strip()]
    check(len(lines) == 1 and has_field_line(reply, "temperature"),
          f"'get temperature' should give exactly one temperature line: {reply!r}")
    say(f"kitchen get temperature -> {reply!r}")

    # -- lamp control
    reply = await alice.chat(LAMP, "set on true")
    check(re.search(r"^\s*on\s*:\s*true\b", reply, re.M | re.I),
          f"'set on true' did not confirm 'on: true': {reply!r}")
    reply = await alice.chat(LAMP, "get on")
    check(re.search(r"^\s*on\s*:\s*true\b", reply, re.M | re.I), f"'get on' after set: {reply!r}")
    say("lamp switched on and reads back true")

    reply = await alice.chat(LAMP, "set brightness 150")
    check(reply.strip().lower().startswith("error:"),
          f"'set brightness 150' (range 0..100) should answer 'error: ...': {reply!r}")
    say(f"out-of-range brightness refused: {reply!r}")

    # -- non-owner
    mark = d.mark()
    reply = await mallory.chat(KITCHEN, "get")
    check("sorry" in reply.lower(), f"non-owner got no polite refusal: {reply!r}")
    check(not has_field_line(reply, "temperature"), f"non-owner got readings: {reply!r}")
    await d.wait_log(r"refused", 5, since=mark)
    say("mallory was refused and the daemon logged it")

    # -- SIGHUP: remove the kitchen
    since = alice.mark()
    d.write_config(t.iotgwd_config(srv, ["alice@localhost"], {"sim:lamp": THINGS["sim:lamp"]},
                                   register=True))
    d.reload()
    await alice.wait_unavailable(KITCHEN, 15, since=since)
    say("kitchen went unavailable after SIGHUP")
    check(alice.is_available(LAMP), "the lamp is no longer available after SIGHUP")
    reply = await alice.chat(LAMP, "get on")
    check(re.search(r"^\s*on\s*:", reply, re.M), f"lamp does not answer after SIGHUP: {reply!r}")
    lamp_gone = [p for p in alice.presences if p.seq > since and p.bare == LAMP and p.type == "unavailable"]
    check(not lamp_gone, "the lamp went unavailable during the reload")
    say("lamp stayed available")

    # -- SIGTERM
    since = alice.mark()
    rc = await d.stop()
    check(rc == 0, f"iotgwd exited with {rc} on SIGTERM (expected 0)")
    await alice.wait_unavailable(LAMP, 10, since=since)
    say("lamp unavailable after SIGTERM, daemon exited 0")


if __name__ == "__main__":
    t.run(test, "test_chat", timeout=90)
