#!/usr/bin/python3
"""Found things: discovered, adopted, blocked, forgotten, permit-join, scan.

The sim plugin offers thermometers sim:found1..3 the way a radio plugin
offers devices it hears ([plugin sim] discoverable=3). With adopt=manual
they cost no session until adopted; iotgwctl on a private bus steers them.
States survive a daemon restart.
Run: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_discovery.py
"""

import asyncio
import json
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_ctl import Ctl, wait_daemon  # noqa: E402

FOUND = [f"sim:found{i}" for i in (1, 2, 3)]


async def states(ctl: Ctl) -> dict:
    doc = await ctl.json("things")
    return {thing["id"]: thing for thing in doc["things"]}


async def wait_state(ctl: Ctl, thing_id: str, state: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        listed = await states(ctl)
        if listed.get(thing_id, {}).get("state") == state:
            return listed[thing_id]
        if time.monotonic() > deadline:
            raise t.TestFailure(f"{thing_id} not {state} within {timeout:g}s: {listed.get(thing_id)}")
        await asyncio.sleep(0.2)


async def test(ctx: t.Ctx) -> None:
    bus = await ctx.bus()
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    cfg = t.iotgwd_config(srv, ["alice@localhost"], {}, register=True)
    cfg += "\n[plugin sim]\ndiscoverable=3\n"
    daemon = ctx.daemon(cfg, env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)

    # -- found, not adopted: listed, no JID, no account
    for thing_id in FOUND:
        await wait_state(ctl, thing_id, "discovered", 10)
    listed = await states(ctl)
    check(all(listed[i]["jid"] == "" for i in FOUND), f"discovered things have JIDs: {listed}")
    check(not srv.user_exists("sim-found1"), "an account exists for a thing nobody adopted")
    say("three things discovered, none with a JID or an account")

    # -- adopt one: it becomes an XMPP entity and greets its owner
    await ctl.ok("thing", "sim:found1", "adopt")
    await alice.wait_available("sim-found1@localhost", 20)
    await alice.wait_message("sim-found1@localhost", lambda m: "help" in m.body.lower(), 10,
                             what="a greeting from the adopted thing")
    say("sim:found1 adopted: online and greeting")

    # -- block one, then open the window: the others join, the blocked one does not
    await ctl.ok("thing", "sim:found2", "block")
    await ctl.ok("permit-join", "20")
    await wait_state(ctl, "sim:found3", "adopted", 15)
    await alice.wait_available("sim-found3@localhost", 20)
    check((await states(ctl))["sim:found2"]["state"] == "blocked", "the blocked thing joined")
    say("permit-join adopted sim:found3; sim:found2 stayed blocked")
    await ctl.ok("permit-join", "0")

    # -- forget: gone with its history; a scan finds it again, as new
    await ctl.ok("thing", "sim:found3", "forget")
    await alice.wait_presence("sim-found3@localhost", lambda p: p.type == "unavailable", 10,
                              what="the forgotten thing going offline")
    check("sim:found3" not in await states(ctl), "a forgotten thing is still listed")
    out = await ctl.ok("--json", "scan", "--timeout", "2")
    last = json.loads([line for line in out.splitlines() if line.strip()][-1])
    check(last.get("done") is True and last.get("found", 0) >= 1,
          f"scan did not end with done and the thing found: {last!r}")
    await wait_state(ctl, "sim:found3", "discovered", 10)
    say("forgotten sim:found3 was found again by a scan, as a new discovered thing")

    # -- the administrator's word survives a restart
    check(await daemon.stop() == 0, "iotgwd did not stop cleanly")
    await alice.wait_presence("sim-found1@localhost", lambda p: p.type == "unavailable", 10,
                              what="sim:found1 offline while the daemon is down")
    daemon.start()
    await wait_daemon(ctl)
    await wait_state(ctl, "sim:found1", "adopted", 10)
    await wait_state(ctl, "sim:found2", "blocked", 10)
    await wait_state(ctl, "sim:found3", "discovered", 10)
    await alice.wait_available("sim-found1@localhost", 20)
    say("after a restart: found1 adopted and online, found2 blocked, found3 discovered")


if __name__ == "__main__":
    t.run(test, "test_discovery", timeout=150)
