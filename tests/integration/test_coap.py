#!/usr/bin/python3
"""CoAP nodes on a simulated 6LoWPAN link: discovery, observe, control, availability.

Network namespaces joined by a bridge named lowpan0 (igwtest.CoapLab); this
process, Prosody and iotgwd live in the gateway's namespace. Two nodes run
the project's coap-testnode (observable SenML temperature and humidity, a
writable lamp; node 1 also serves a malformed SenML resource), a third runs
libcoap's coap-server-notls. Nothing is configured per node: multicast
discovery finds them, adopt=auto makes them things, readings arrive by
observe, `set lamp` reaches the node as a PUT and is read back, and a node
taken down goes away, then unavailable, and comes back by itself.
Run as root: IOTGWD=... IOTGWCTL=... COAP_TESTNODE=... /usr/bin/python3 test_coap.py
"""

import asyncio
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_ctl import Ctl, wait_daemon  # noqa: E402

NODE_ARGS = ["-L", "0", "-i", "lowpan0", "-g", "ff02::fd", "-g", "ff05::fd", "-t", "500", "-M", "2"]


# node 1 is configured by address, with its own field name for /sensors/hum;
# nodes 2 and 3 are only found
BENCH = "coap:bench"


def tid(i: int) -> str:
    return BENCH if i == 1 else f"coap:fe80::{0x10 + i:x}%lowpan0"


def jid(i: int) -> str:
    return t.thing_jid(tid(i))


async def readings(ctl: Ctl, thing_id: str, field: str) -> list:
    rc, out, _ = await ctl.run("--json", "readings", thing_id, "--field", field)
    if rc != 0:
        return []
    import json
    return [r["value"] for r in json.loads(out)["readings"]]


async def wait_readings(ctl: Ctl, thing_id: str, field: str, pred, timeout: float, what: str) -> list:
    deadline = time.monotonic() + timeout
    got: list = []
    while time.monotonic() < deadline:
        got = await readings(ctl, thing_id, field)
        if pred(got):
            return got
        await asyncio.sleep(0.3)
    raise t.TestFailure(f"{thing_id}: {what} not seen within {timeout:g}s; {field}: {got}")


async def test(ctx: t.Ctx, lab: t.CoapLab) -> None:
    await lab.start_node(1, *NODE_ARGS, "-b")
    await lab.start_node(2, *NODE_ARGS)
    bus = await ctx.bus()
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    things = {BENCH: {"name": "Bench", "address": "[fd00:6c6f::11]", "field./sensors/hum": "moisture %"}}
    cfg = t.iotgwd_config(srv, ["alice@localhost"], things, register=True,
                          gateway={"adopt": "auto", "disabled_plugins": ["bluez"]})
    cfg += ("\n[plugin coap]\ninterfaces=lowpan0\ndiscovery_window=6\ndiscovery_interval=3600\n"
            "poll_interval=2\naway_after=3\nunavailable_after=6\n")
    daemon = ctx.daemon(cfg, env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)

    # -- found by multicast, adopted, online; no per-node configuration
    for i in (1, 2):
        await alice.wait_available(jid(i), 30)
    say("two nodes found by multicast discovery and online")

    # -- the link goes down, a third node (libcoap's coap-server) appears, the link comes
    # back: it is probed at once (the schedule says every hour)
    mark = daemon.mark()
    subprocess.run(["ip", "link", "set", "lowpan0", "down"], check=True, timeout=10)
    await lab.start_coap_server(3, "-g", "ff02::fd", "-G", "lowpan0", local=True)
    subprocess.run(["ip", "link", "set", "lowpan0", "up"], check=True, timeout=10)
    await daemon.wait_log(r"discovery: lowpan0 is up", 10, since=mark)
    # its id is the address it answered from: link-local or the ULA, as the kernel chose
    found = await daemon.wait_log(r"thing (coap:\S*::13\S*): answered discovery", 15, since=mark)
    server3 = re.search(r"thing (coap:\S*::13\S*): answered", found).group(1)
    await alice.wait_available(t.thing_jid(server3), 30)
    say(f"lowpan0 down and up: probed at once, coap-server found as {server3}")

    # -- observed SenML readings; the malformed resource is faulty, the rest works
    temps = await wait_readings(ctl, tid(2), "temperature", lambda r: len(set(r)) >= 3, 15,
                                "three different temperatures")
    check(all(20.0 <= v <= 25.0 for v in temps), f"temperatures out of the node's range: {temps}")
    hums = await wait_readings(ctl, tid(1), "moisture", lambda r: len(set(r)) >= 2, 15,
                               "changing humidity under its configured name")
    listed = {th["id"] for th in (await ctl.json("things"))["things"]}
    check(not any(i.startswith("coap:fe80::11") or i.startswith("coap:fd00:6c6f::11") for i in listed),
          f"the configured node was also found as a second thing: {sorted(listed)}")
    ticks = await wait_readings(ctl, server3, "ticks", lambda r: len(r) >= 1, 15, "coap-server's /time")
    faulty = daemon.log_lines(r"resource /sensors/bad is faulty")
    check(len(faulty) == 1, f"the malformed resource was reported {len(faulty)} times")
    reply = await alice.chat(jid(1), "get temperature")
    check("°C" in reply, f"chat get temperature answered {reply!r}")
    say(f"observe: temperatures {temps[:4]}..., bench moisture {hums[:3]}..., coap-server ticks {ticks[:1]}; "
        f"/sensors/bad faulty once")

    # -- control: chat set reaches the node as a PUT and is read back
    reply = await alice.chat(jid(2), "set lamp true")
    await t.poll_until(lambda: "PUT /actuators/lamp 1" in lab.node_output(2), 10, "the PUT on node 2")
    await wait_readings(ctl, tid(2), "lamp", lambda r: bool(r) and r[0] is True, 10, "lamp = true (newest first)")
    await ctl.ok("thing", tid(2), "set", "lamp", "false")
    await t.poll_until(lambda: "PUT /actuators/lamp 0" in lab.node_output(2), 10, "the second PUT")
    say(f"set lamp: PUT reached node 2 and was read back ({reply!r})")

    # -- a node taken down: away, then unavailable; back by itself
    since = alice.mark()
    await lab.stop_node(2)
    await alice.wait_presence(jid(2), lambda p: p.show == "away", 20, since=since,
                              what="away after the node went down")
    await alice.wait_unavailable(jid(2), 30, since=since)
    check(alice.is_available(jid(1)), "node 1 went down with node 2")
    since = alice.mark()
    await lab.start_node(2, *NODE_ARGS)
    await alice.wait_presence(jid(2), lambda p: p.type == "available" and p.show == "", 40, since=since,
                              what="node 2 available again")
    count = len(await readings(ctl, tid(2), "temperature"))
    await wait_readings(ctl, tid(2), "temperature", lambda r: len(r) > count + 2, 15,
                        "temperatures after the node came back")
    say("node 2 down: away, unavailable; back up: available with readings again")


async def main(ctx: t.Ctx) -> None:
    lab = t.CoapLab(3)
    try:
        await lab.up()
        lab.enter_gateway()
        await test(ctx, lab)
    except BaseException:
        lab.dump()
        raise
    finally:
        await lab.cleanup()


if __name__ == "__main__":
    if not t.can_make_namespaces():
        sys.exit(77)
    t.run(main, "test_coap", timeout=200)
