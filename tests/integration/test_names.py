#!/usr/bin/python3
"""Names and JIDs from outside cannot break a thing's stream (issue 14, point 6).

XML 1.0 §2.2 allows no C0 control but tab, LF and CR in a document, so a
server closes the stream of whoever sends one.  A BLE device whose Alias
holds ESC and BEL, and a rename through iotgwctl with control characters,
must leave the things' sessions up (no "disconnected" in the daemon's log,
no unavailable presence at the owner) and the names shown cleaned.  An
owner whose localpart is longer than RFC 7622 §3.1's 1023 bytes is refused
with a message that says so.
Run: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_names.py
"""

import asyncio
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_bluez_adverts import Advertiser, bthome, jid, tid  # noqa: E402
from test_ctl import Ctl, wait_daemon  # noqa: E402

THERMO = "A4:C1:38:00:00:21"
HOSTILE_ALIAS = "Therm\x1b[31m\x07o"
KITCHEN = t.thing_jid("sim:kitchen")
THINGS = {"sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 1}}


def drops(daemon: t.Daemon, thing_id: str) -> list[str]:
    """The daemon's reports of that thing's stream going down."""
    return [line for line in daemon.log_lines(r"disconnected: ") if f"thing {thing_id}:" in line]


def unavailable(alice: t.OwnerClient, bare: str, since: int) -> list:
    """Unavailable presences after the thing was first available since `since`."""
    seen = [p for p in alice.presences if p.seq > since and p.bare == bare]
    first = next((i for i, p in enumerate(seen) if p.type == "available"), len(seen))
    return [p for p in seen[first:] if p.type == "unavailable"]


async def stays_up(daemon: t.Daemon, alice: t.OwnerClient, thing_id: str, bare: str,
                   since: int, seconds: float) -> None:
    await asyncio.sleep(seconds)
    lost, gone = drops(daemon, thing_id), unavailable(alice, bare, since)
    check(not lost and not gone, f"{thing_id}'s stream went down: {lost[:3]} {gone[:3]}")
    reply = await alice.chat(bare, "get")
    check(reply, f"{bare} does not answer")
    say(f"{thing_id}: no disconnect, no unavailable presence in {seconds:g} s; answers {reply!r}")


async def test(ctx: t.Ctx) -> None:
    bus = await ctx.bus()
    mock = t.BluezMock(bus)
    try:
        await mock.start()
        await run_with_mock(ctx, bus, mock)
    finally:
        await mock.cleanup()


async def run_with_mock(ctx: t.Ctx, bus: t.PrivateBus, mock: t.BluezMock) -> None:
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    mock.add_adapter("hci0")
    cfg = t.iotgwd_config(srv, ["alice@localhost"], THINGS, register=True,
                          gateway={"adopt": "auto", "disabled_plugins": ["coap"]})
    cfg += "\n[plugin bluez]\nscan=active\nmin_rssi=-90\n"
    daemon = ctx.daemon(cfg, env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)
    await alice.wait_available(KITCHEN, 30)
    await t.poll_until(lambda: mock.discovering("hci0"), 15, "discovery running")

    # -- a BLE device whose Alias holds ESC and BEL
    since = alice.mark()
    dev = mock.add_le_device("hci0", THERMO, HOSTILE_ALIAS, -60, {t.bthome_uuid: bthome(0, 2506)})
    adverts = Advertiser(mock, dev, lambda n: bthome(n, 2506))
    try:
        await alice.wait_available(jid(THERMO), 30, since=since)
        await stays_up(daemon, alice, tid(THERMO), jid(THERMO), since, 4)
        thing = await ctl.json("thing", tid(THERMO), "show")
        check(thing["name"] == "Therm[31mo", f"the BLE name is not shown cleaned: {thing['name']!r}")
        say(f"BLE Alias {HOSTILE_ALIAS!r} shown as {thing['name']!r}")
    finally:
        await adverts.stop()

    # -- a rename with control characters through iotgwctl (D-Bus)
    since = alice.mark()
    await ctl.ok("thing", "sim:kitchen", "rename", "Cosy\x1b\x07 kitchen\x01\x7f")
    thing = await ctl.json("thing", "sim:kitchen", "show")
    check(thing["name"] == "Cosy kitchen", f"the new name is not cleaned: {thing['name']!r}")
    await stays_up(daemon, alice, "sim:kitchen", KITCHEN, since, 4)
    await ctl.fails(1, "thing", "sim:kitchen", "rename", "\x1b\x07", says="1 to 64")
    say("rename with ESC, BEL, SOH and DEL kept as 'Cosy kitchen'; one of controls only refused")

    # -- RFC 7622 §3.1: a localpart is at most 1023 bytes
    long_owner = "a" * 2000 + "@localhost"
    rc, _, err = await ctl.run("owners", "add", long_owner)
    check(rc != 0 and "localpart has 2000 bytes" in err and "1023" in err,
          f"owners add with a 2,000-byte localpart: rc {rc}, {err.strip()!r}")
    check(len(err) < 400, f"the refusal repeats the whole JID: {len(err)} bytes")
    owners = await ctl.ok("owners", "list")
    check("aaaa" not in owners, f"the long owner was stored: {owners[:200]!r}")
    say(f"owners add with a 2,000-byte localpart refused: {err.strip()!r}")


if __name__ == "__main__":
    t.run(test, "test_names", timeout=150)
