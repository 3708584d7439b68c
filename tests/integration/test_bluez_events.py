#!/usr/bin/python3
"""BLE advert readings as a faithful bridge delivers them (issue 14, points 2, 3, 5).

Every payload is encoded by hand from bthome-v2.md (device info byte 0x40 or
0x44, object 0x00 packet id, then objects with their little-endian values):

* events: a button pressed twice with the same value in two packets is two
  readings, a dimmer turned the same way twice is two; the same packet heard
  again (same packet id) is not a new reading;
* heartbeat: a thermometer whose value never changes is stored again once
  per heartbeat (2 s here), whether its packets carry new packet ids or it
  repeats the very same bytes, and not with every advert;
* one field per measurement: temperature sent as 0x02, 0x57, 0x45 and 0x58
  by one device gives four temperature readings, none dropped;
* re-evaluation: a device first heard with a malformed BTHome payload is
  listed as unsupported; its first valid advert makes it a supported,
  adopted thing; each kind of fault is logged once, not per packet, and
  malformed adverts still count as heard for availability.
Run: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_bluez_events.py
"""

import asyncio
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_ctl import Ctl, wait_daemon  # noqa: E402

BUTTON = "B7:00:00:00:3A:01"
STEADY = "A4:C1:38:00:00:21"    # new packet ids, same temperature
FROZEN = "A4:C1:38:00:00:22"    # no packet id, the very same bytes
MIXED = "A4:C1:38:00:00:23"     # temperature under four object ids
LATE = "B7:00:00:00:05:01"      # malformed first, valid later
HEARTBEAT_S = 2
SENSORS = "xmpp.iot.sensors"
SENSOR_ITEM = "xmpp.iot.sensor."

# bthome-v2.md section 2: 0x40 v2 regular, 0x44 v2 trigger-based
PLAIN, TRIGGER = 0x40, 0x44


def packet(info: int, packet_id: int, objects: str) -> bytes:
    """info byte, object 0x00 (packet id, uint8), then the objects as hex."""
    return bytes([info, 0x00, packet_id & 0xFF]) + bytes.fromhex(objects)


# section 3.3: 3A button (01 press, 02 double_press), 3C dimmer (01 rotate left, steps)
PRESS = "3A01"
DOUBLE_PRESS = "3A02"
TURN_LEFT_2 = "3C0102"
BATTERY_100 = "0164"          # 0x01 battery uint8 %: 100
TEMP_21 = "023408"            # 0x02 sint16 x0.01: 0x0834 = 2100 -> 21.00 °C
# one quantity, four object ids (section 3.1)
TEMPERATURES = [("02C409", 25.00),   # sint16 x0.01: 2500
                ("5716", 22.0),      # sint8 x1: 22
                ("451101", 27.3),    # sint16 x0.1: 0x0111 = 273
                ("5823", 12.25)]     # sint8 x0.35: 35
TRUNCATED = bytes.fromhex("4002C4")  # 0x02 needs 2 bytes, 1 left
UNKNOWN = bytes.fromhex("40FE01")    # 0xFE is no object id: nothing decodes


def tid(address: str) -> str:
    return "bluez:" + address


def jid(address: str) -> str:
    return t.thing_jid(tid(address))


async def readings(ctl: Ctl, thing_id: str, field: str) -> list:
    rc, _, _ = await ctl.run("--json", "readings", thing_id, "--field", field)
    if rc != 0:
        return []
    doc = await ctl.json("readings", thing_id, "--field", field)
    return [r["value"] for r in doc["readings"]]


async def wait_readings(ctl: Ctl, thing_id: str, field: str, pred, timeout: float, what: str) -> list:
    deadline = time.monotonic() + timeout
    got: list = []
    while time.monotonic() < deadline:
        got = await readings(ctl, thing_id, field)
        if pred(got):
            return got
        await asyncio.sleep(0.2)
    raise t.TestFailure(f"{thing_id}: {what} not seen within {timeout:g}s; {field} readings {got}")


async def pep_subscribe(alice, thing: str, timeout: float = 15) -> None:
    """The owner subscribes to the thing's sensors node; the node exists and
    lets owners in only after the thing's first publish, so retry until then."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await alice.pep_subscribe(thing, SENSORS)
            return
        except t.TestFailure as exc:
            if "forbidden" not in str(exc) and "item-not-found" not in str(exc) \
                    or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.2)


def published(alice, thing: str, field: str, since: int) -> list:
    """The <val/> texts of field's items notified from thing's sensors node."""
    return [e.payload.text for e in alice.pubsub_events[since:]
            if e.frm == thing and e.node == SENSORS and e.item_id == SENSOR_ITEM + field
            and e.payload is not None]


async def wait_published(alice, thing: str, field: str, pred, since: int, timeout: float, what: str) -> list:
    await alice.wait_until(lambda: pred(published(alice, thing, field, since)), timeout, what,
                           lambda: f"{field} published {published(alice, thing, field, since)}")
    return published(alice, thing, field, since)


async def things(ctl: Ctl) -> dict:
    doc = await ctl.json("things")
    return {thing["id"]: thing for thing in doc["things"]}


async def wait_thing(ctl: Ctl, thing_id: str, pred, timeout: float, what: str) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = (await things(ctl)).get(thing_id)
        if last is not None and pred(last):
            return last
        await asyncio.sleep(0.2)
    raise t.TestFailure(f"{thing_id}: not {what} within {timeout:g}s: {last}")


class Repeater:
    """Sends payload(n) every `interval` seconds, as a sensor does."""

    def __init__(self, mock: t.BluezMock, path: str, payload, interval: float = 0.25):
        self.mock, self.path, self.payload, self.interval = mock, path, payload, interval
        self.count = 0
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            self.mock.update_advertisement(self.path, -60, {t.bthome_uuid: self.payload(self.count)}, None)
            self.count += 1
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass


def send(mock: t.BluezMock, path: str, data: bytes, times: int = 1) -> None:
    for _ in range(times):
        mock.update_advertisement(path, -60, {t.bthome_uuid: data}, None)


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
    cfg = t.iotgwd_config(srv, ["alice@localhost"], {}, register=True,
                          gateway={"adopt": "auto", "disabled_plugins": []})
    cfg += (f"\n[plugin bluez]\nscan=active\naway_after=3\nunavailable_after=6\n"
            f"availability_timeout=30\nheartbeat={HEARTBEAT_S}\n")
    daemon = ctx.daemon(cfg, env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)
    await t.poll_until(lambda: mock.discovering("hci0"), 15, "discovery running")

    await events(ctl, alice, mock)
    await heartbeat(ctl, alice, mock)
    await one_field_per_measurement(ctl, alice, mock)
    await re_evaluated(ctl, alice, mock, daemon)


async def events(ctl: Ctl, alice, mock: t.BluezMock) -> None:
    # -- point 2: a press in a new packet is a new reading, even with the same value
    button = mock.add_le_device("hci0", BUTTON, "BTHome button", -60,
                                {t.bthome_uuid: packet(TRIGGER, 1, BATTERY_100)})
    await alice.wait_available(jid(BUTTON), 30)
    await pep_subscribe(alice, jid(BUTTON))
    since = alice.pubsub_mark()
    # BLE senders repeat each advert: packet 2 five times, then packet 3 five times
    send(mock, button, packet(TRIGGER, 2, PRESS), 5)
    await wait_readings(ctl, tid(BUTTON), "button", lambda r: len(r) >= 1, 10, "the first press")
    send(mock, button, packet(TRIGGER, 3, PRESS), 5)
    send(mock, button, packet(TRIGGER, 4, DOUBLE_PRESS), 3)
    send(mock, button, packet(TRIGGER, 5, TURN_LEFT_2), 4)
    send(mock, button, packet(TRIGGER, 6, TURN_LEFT_2), 4)
    # a last packet in the same queue: once it is stored, every repeat before it was judged
    send(mock, button, packet(TRIGGER, 7, "0163"))
    await wait_readings(ctl, tid(BUTTON), "battery", lambda r: 99 in r, 10, "battery 99 after the events")
    presses = await readings(ctl, tid(BUTTON), "button")
    turns = await readings(ctl, tid(BUTTON), "dimmer")
    check(sorted(presses) == ["double_press", "press", "press"],
          f"button readings {presses}, expected press, press, double_press once each")
    check(turns == ["rotate_left 2", "rotate_left 2"], f"dimmer readings {turns}, expected two turns")
    say(f"events stored: button {presses}, dimmer {turns} from 21 adverts of 5 packets")

    # -- and published: every press and turn reaches the owner's PEP subscription
    await wait_published(alice, jid(BUTTON), "battery", lambda v: "99" in v, since, 10,
                         "battery 99 published after the events")
    pushed = published(alice, jid(BUTTON), "button", since)
    pushed_turns = published(alice, jid(BUTTON), "dimmer", since)
    check(pushed == ["press", "press", "double_press"], f"button items published {pushed}")
    check(pushed_turns == ["rotate_left 2", "rotate_left 2"], f"dimmer items published {pushed_turns}")
    say(f"events published: button {pushed}, dimmer {pushed_turns}")


async def heartbeat(ctl: Ctl, alice, mock: t.BluezMock) -> None:
    # -- point 2: an unchanged value is stored again once per heartbeat, not with every advert
    steady = mock.add_le_device("hci0", STEADY, "steady", -60, {t.bthome_uuid: packet(PLAIN, 0, TEMP_21)})
    frozen = mock.add_le_device("hci0", FROZEN, "frozen", -60,
                                {t.bthome_uuid: bytes([PLAIN]) + bytes.fromhex(TEMP_21)})
    senders = [Repeater(mock, steady, lambda n: packet(PLAIN, n + 1, TEMP_21)),
               Repeater(mock, frozen, lambda n: bytes([PLAIN]) + bytes.fromhex(TEMP_21))]
    try:
        await alice.wait_available(jid(STEADY), 30)
        await pep_subscribe(alice, jid(STEADY))
        since = alice.pubsub_mark()
        started = time.monotonic()
        for address in (STEADY, FROZEN):
            got = await wait_readings(ctl, tid(address), "temperature", lambda r: len(r) >= 3,
                                      4 * HEARTBEAT_S + 10, "three heartbeats of 21.00 °C")
            check(set(got) == {21.0}, f"{address}: temperature readings {got}")
        # stored again is published again: two heartbeats of the same value after subscribing
        pushed = await wait_published(alice, jid(STEADY), "temperature", lambda v: len(v) >= 2, since,
                                      3 * HEARTBEAT_S + 10, "two heartbeats of 21.00 published")
        elapsed = time.monotonic() - started
    finally:
        for s in senders:
            await s.stop()
    counts = {a: len(await readings(ctl, tid(a), "temperature")) for a in (STEADY, FROZEN)}
    sent = {STEADY: senders[0].count, FROZEN: senders[1].count}
    for address in (STEADY, FROZEN):
        check(counts[address] * 3 <= sent[address],
              f"{address}: {counts[address]} readings from {sent[address]} unchanged adverts: not deduplicated")
    say(f"heartbeat {HEARTBEAT_S}s: unchanged 21.00 °C stored {counts} times from {sent} adverts "
        f"in {elapsed:.1f}s; published {pushed} to the owner")


async def one_field_per_measurement(ctl: Ctl, alice, mock: t.BluezMock) -> None:
    # -- point 3: temperature under four object ids, one after the other, on one device
    mixed = mock.add_le_device("hci0", MIXED, "mixed", -60, {t.bthome_uuid: packet(PLAIN, 1, BATTERY_100)})
    await alice.wait_available(jid(MIXED), 30)
    for n, (objects, _) in enumerate(TEMPERATURES):
        send(mock, mixed, packet(PLAIN, 2 + n, objects))
    expected = [value for _, value in TEMPERATURES]
    got = await wait_readings(ctl, tid(MIXED), "temperature",
                              lambda r: all(any(abs(v - e) < 1e-9 for v in r) for e in expected), 10,
                              f"temperatures {expected}")
    doc = await ctl.json("thing", tid(MIXED), "get")
    field = {v["field"]: v for v in doc.get("values", [])}.get("temperature", {})
    check(field.get("unit") in (None, "°C"), f"temperature field: {field}")
    say(f"temperature from ids 0x02, 0x57, 0x45, 0x58: {got}")


async def re_evaluated(ctl: Ctl, alice, mock: t.BluezMock, daemon) -> None:
    # -- point 5: first heard malformed, so unsupported; valid data makes it a thing
    mark = daemon.mark()
    late = mock.add_le_device("hci0", LATE, "late bloomer", -60, {t.bthome_uuid: TRUNCATED})
    listed = await wait_thing(ctl, tid(LATE), lambda th: th["supported"] is False, 10, "listed as unsupported")
    check(listed["state"] == "discovered", f"a malformed device was adopted: {listed}")
    send(mock, late, TRUNCATED, 10)
    send(mock, late, UNKNOWN, 10)
    send(mock, late, packet(PLAIN, 1, "02C409"))
    await alice.wait_available(jid(LATE), 30)
    # from now on only malformed adverts, of both kinds, every 0.25 s
    sender = Repeater(mock, late, lambda n: TRUNCATED if n % 2 else UNKNOWN)
    try:
        await wait_readings(ctl, tid(LATE), "temperature", lambda r: 25.0 in r, 10, "25.00 °C")
        listed = (await things(ctl))[tid(LATE)]
        check(listed["supported"] is True and listed["state"] == "adopted", f"after a valid advert: {listed}")
        say("malformed first: unsupported; after one valid advert: supported, adopted, 25.00 °C")

        # -- malformed adverts still say the radio reached us: available, never away
        window = alice.mark()
        started = time.monotonic()
        while time.monotonic() - started < 5:
            await asyncio.sleep(0.5)
    finally:
        await sender.stop()
    gone = [p for p in alice.presences if p.seq > window and p.bare == jid(LATE)
            and (p.type == "unavailable" or p.show in ("away", "xa"))]
    check(not gone, f"a device sending malformed adverts lost presence: {[(p.type, p.show) for p in gone]}")
    check(alice.is_available(jid(LATE)), "the device sending malformed adverts is not available")
    lines = daemon.log_lines(rf"{LATE}: malformed advert", since=mark)
    total = 21 + sender.count
    check(len(lines) == 2 and any("truncated" in x for x in lines) and any("unknown" in x for x in lines),
          f"{total} malformed adverts of two kinds logged as {len(lines)} lines: {lines}")
    say(f"{sender.count} malformed adverts in 5 s: still available; {total} malformed adverts of two "
        f"kinds logged as {len(lines)} lines")


if __name__ == "__main__":
    t.run(test, "test_bluez_events", timeout=180)
