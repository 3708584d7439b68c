#!/usr/bin/python3
"""Presence follows the readings: available with a summary of the latest
values, away and then xa when readings are overdue (3 and 10 report
intervals), and the status text says why.
Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_presence.py
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

KITCHEN = t.thing_jid("sim:kitchen")


async def test(ctx: t.Ctx) -> None:
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    # one reading every second, then silence after the third
    things = {"sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 1,
                              "silent_after": 3}}
    ctx.daemon(t.iotgwd_config(srv, ["alice@localhost"], things, register=True))

    p = await alice.wait_presence(KITCHEN, lambda p: p.type == "available" and not p.show
                                  and "temperature" in (p.status or ""), 20,
                                  what="available presence with a reading summary")
    say(f"available: {p.status!r}")
    check("humidity" in p.status and "battery" in p.status,
          f"the status does not summarize every field: {p.status!r}")
    p = await alice.wait_presence(KITCHEN, lambda p: p.show == "away", 15,
                                  what="away once readings are overdue")
    say(f"away: {p.status!r}")
    check("no reading since" in (p.status or ""), f"away without a reason: {p.status!r}")
    p = await alice.wait_presence(KITCHEN, lambda p: p.show == "xa", 20,
                                  what="xa once readings are long overdue")
    say(f"xa: {p.status!r}")


if __name__ == "__main__":
    t.run(test, "test_presence", timeout=90)
