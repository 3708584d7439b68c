#!/usr/bin/python3
"""XEP-0323 readouts that wait for the device (the plugin's readout_async).

A sim thermometer with readout_delay_ms answers a momentary readout with
accepted queued='true', then <started/>, then the fresh fields with done; one
slower than the plugin runner's 10 s timeout ends in <failure done='true'/>;
a cancel during the wait is answered with <cancelled/>.  The client side is
slixmpp's own, unmodified xep_0323 plugin (interop.md §3.2).
Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_iot_async.py
"""

import asyncio
import sys
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_concentrator import GATEWAY, wait_gateway  # noqa: E402
from test_iot import Readout, add_iot_plugins, full_jid, quiet_iq_errors  # noqa: E402

PROBE = t.thing_jid("sim:probe")
SLOW = t.thing_jid("sim:slow")
PLAIN = t.thing_jid("sim:plain")
THINGS = {
    # an hour between reports: the readings a readout sends are its own
    "sim:probe": {"name": "Probe", "type": "thermometer", "interval": 3600,
                  "readout_delay_ms": 300},
    "sim:slow": {"name": "Slow", "type": "thermometer", "interval": 3600,
                 "readout_delay_ms": 20000},
    "sim:plain": {"name": "Plain", "type": "thermometer", "interval": 3600},
}
SD = "urn:xmpp:iot:sensordata"
RUNNER_TIMEOUT = 10


def start(client: t.OwnerClient, to: str, **kw) -> tuple[Readout, str]:
    r = Readout()
    seqnr = client.xmpp["xep_0323"].request_data(client.xmpp.boundjid.full, to, r, **kw)
    return r, seqnr


async def finish(r: Readout, what: str, timeout: float) -> None:
    try:
        await asyncio.wait_for(r.finished.wait(), timeout)
    except asyncio.TimeoutError:
        raise t.TestFailure(f"{what}: no final callback within {timeout} s; got {r.events}") from None


async def wait_result(r: Readout, result: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not any(e["result"] == result for e in r.events):
        check(time.monotonic() < deadline, f"no '{result}' callback within {timeout} s: {r.events}")
        await asyncio.sleep(0.05)


async def raw_iq(client: t.OwnerClient, to: str, payload: str):
    """A hand-made iq get: the reply, or the IqError's iq."""
    import slixmpp.exceptions
    iq = client.xmpp.make_iq_get(ito=to)
    iq.append(ET.fromstring(payload))
    try:
        return await iq.send(timeout=10)
    except slixmpp.exceptions.IqError as exc:
        return exc.iq


def adopt(client: t.OwnerClient, to: str, seqnr: str) -> Readout:
    """Give a hand-made seqnr a slixmpp session, so its handlers find one (interop §3.4 #4)."""
    r = Readout()
    client.xmpp["xep_0323"].sessions[seqnr] = {
        "from": client.xmpp.boundjid.full, "to": to, "seqnr": seqnr, "callback": r}
    return r


def child(iq, name: str):
    return iq.xml.find(f"{{{SD}}}{name}")


def parse_ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()


async def test_queued(alice: t.OwnerClient, probe: str, plain: str) -> None:
    sent = time.time()
    r, _ = start(alice, probe, flags={"momentary": "true"})
    await finish(r, "delayed readout", 10)
    took = time.time() - sent
    results = [e["result"] for e in r.events]
    check(results[:2] == ["queued", "started"], f"not queued then started: {results}")
    check(results[-1] == "done" and "fields" in results, f"no fields then done: {results}")
    check(took >= 0.25, f"readout_delay_ms=300 answered after {took:.3f} s")
    vals = r.values()
    # battery is a status field: not asked for
    check(sorted(vals) == ["humidity", "temperature"], f"delayed momentary readout: {r.events}")
    stamps = [parse_ts(e["timestamp"]) for e in r.events if e["result"] == "fields"]
    check(stamps and min(stamps) >= sent - 1, f"fields are not fresh (sent {sent}): {r.events}")
    say(f"readout_delay_ms=300: {results} in {took:.2f} s, fresh {vals}")

    # a thing without on-demand readout keeps the immediate answer
    r, _ = start(alice, plain, flags={"momentary": "true"})
    await finish(r, "plain readout", 10)
    results = [e["result"] for e in r.events]
    check(results[0] == "accepted" and "started" not in results and results[-1] == "done",
          f"plain thermometer: {results}")
    say(f"no readout_delay_ms: {results}")


async def test_gateway(alice: t.OwnerClient) -> None:
    """The same readout through the concentrator: its node keeps the session."""
    await wait_gateway(alice)
    r, _ = start(alice, GATEWAY, nodeIds=["sim:probe"], flags={"momentary": "true"})
    await finish(r, "delayed readout through the gateway", 10)
    results = [e["result"] for e in r.events]
    check(results[:2] == ["queued", "started"] and results[-1] == "done",
          f"gateway readout of sim:probe: {results}")
    check(all(e.get("nodeId") == "sim:probe" for e in r.events if e["result"] == "fields")
          and sorted(r.values()) == ["humidity", "temperature"], f"gateway readout: {r.events}")
    say(f"through {GATEWAY}: {results}")


async def test_failure(alice: t.OwnerClient, slow: str) -> None:
    sent = time.monotonic()
    r, _ = start(alice, slow, flags={"momentary": "true"})
    await finish(r, "readout slower than the runner timeout", RUNNER_TIMEOUT + 5)
    took = time.monotonic() - sent
    results = [e["result"] for e in r.events]
    check(results == ["queued", "started", "failure"], f"slow readout: {results}")
    check(RUNNER_TIMEOUT - 1 <= took <= RUNNER_TIMEOUT + 3, f"failure after {took:.1f} s")
    check("10000 ms" in (r.events[-1].get("error_msg") or ""), f"failure text: {r.events[-1]}")
    say(f"readout_delay_ms=20000: {results} after {took:.1f} s: {r.events[-1].get('error_msg')}")


async def test_cancel(alice: t.OwnerClient, slow: str) -> None:
    r, seqnr = start(alice, slow, flags={"momentary": "true"})
    await wait_result(r, "started", 5)
    alice.xmpp["xep_0323"].cancel_request(seqnr)
    await finish(r, "cancelled readout", 5)
    results = [e["result"] for e in r.events]
    check(results == ["queued", "started", "cancelled"], f"cancel during a readout: {results}")
    say(f"cancel_request({seqnr}) during the wait: {results}")
    # nothing more arrives for it once the device call is stopped
    await asyncio.sleep(1)
    check([e["result"] for e in r.events] == results, f"events after cancelled: {r.events}")

    # a seqnr nobody is waiting for: the rejection form
    adopt(alice, slow, "no-such")
    res = await raw_iq(alice, slow, f"<cancel xmlns='{SD}' seqnr='no-such'/>")
    rej = child(res, "rejected")
    check(res["type"] == "error" and rej is not None and rej.get("seqnr") == "no-such",
          f"cancel of an unknown seqnr: {res}")
    say("cancel of an unknown seqnr -> <rejected/>")

    # the same (JID, seqnr) twice while the first runs: the second is rejected
    req = f"<req xmlns='{SD}' seqnr='dup1' momentary='true'/>"
    dup = adopt(alice, slow, "dup1")
    first = await raw_iq(alice, slow, req)
    acc = child(first, "accepted")
    check(first["type"] == "result" and acc is not None and acc.get("queued") == "true",
          f"first dup1: {first}")
    second = await raw_iq(alice, slow, req)
    check(second["type"] == "error" and child(second, "rejected") is not None,
          f"second dup1 while running: {second}")
    await wait_result(dup, "rejected", 5)
    dup = adopt(alice, slow, "dup1")  # slixmpp dropped it on the rejection
    res = await raw_iq(alice, slow, f"<cancel xmlns='{SD}' seqnr='dup1'/>")
    check(res["type"] == "result" and child(res, "cancelled") is not None, f"cancel dup1: {res}")
    await wait_result(dup, "cancelled", 5)
    say("a running (JID, seqnr) again -> <rejected/>; its cancel -> <cancelled/>")


async def test(ctx: t.Ctx) -> None:
    asyncio.get_running_loop().set_exception_handler(quiet_iq_errors)
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    alice = await ctx.client(srv, "alice", "alice-pw", connect=False)
    add_iot_plugins(alice)
    await alice.connect()
    ctx.daemon(t.iotgwd_config(srv, ["alice@localhost"], THINGS, register=True))
    for jid in (PROBE, SLOW, PLAIN):
        await alice.wait_available(jid, timeout=20)
        await alice.wait_subscription(jid, "both", 15)
    probe, slow, plain = (full_jid(alice, j) for j in (PROBE, SLOW, PLAIN))
    say(f"things online as {probe}, {slow} and {plain}")

    await test_queued(alice, probe, plain)
    await test_gateway(alice)
    await test_cancel(alice, slow)
    await test_failure(alice, slow)


if __name__ == "__main__":
    t.run(test, "test_iot_async", timeout=120)
