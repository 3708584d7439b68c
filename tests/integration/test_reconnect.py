#!/usr/bin/python3
"""The server crashes and comes back: every thing must return by itself.

Three sim things online; Prosody is SIGKILLed and restarted on the same ports
with the same data; alice logs in again and must see all three available
within 60 s, without anyone touching the daemon.
Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_reconnect.py
"""

import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

THINGS = {
    "sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 1},
    "sim:lamp": {"name": "Lamp", "type": "lamp"},
    "sim:hall": {"name": "Hall light", "type": "lamp"},
}
JIDS = [t.thing_jid(tid) for tid in THINGS]


async def test(ctx: t.Ctx) -> None:
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    d = ctx.daemon(t.iotgwd_config(srv, ["alice@localhost"], THINGS))
    for jid in JIDS:
        await alice.wait_available(jid, 20)
    for jid in JIDS:
        await alice.wait_subscription(jid, "both", 10)
    say("all three things online and subscribed")

    srv.kill()
    say(f"prosody SIGKILLed (pid {srv.pid})")
    await srv.restart()
    t0 = time.monotonic()
    since = alice.mark()
    await alice.reconnect(timeout=20)

    for jid in JIDS:
        left = max(1.0, 60 - (time.monotonic() - t0))
        await alice.wait_available(jid, left, since=since)
        say(f"{jid} back after {time.monotonic() - t0:.1f}s")
    check(d.alive(), "iotgwd died while the server was away")
    reply = await alice.chat(t.thing_jid("sim:lamp"), "get on")
    check("on" in reply, f"lamp does not answer after the reconnect: {reply!r}")
    rc = await d.stop()
    check(rc == 0, f"iotgwd exited with {rc} on SIGTERM")


if __name__ == "__main__":
    t.run(test, "test_reconnect", timeout=110)
