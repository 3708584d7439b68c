#!/usr/bin/python3
"""BLE advert things through a fake bluetoothd (dbusmock, private bus).

A BTHome v2 thermometer, an encrypted BTHome sensor (the spec's worked
example), a Ruuvi tag (Ruuvi's official RAWv2 vector), a phone in an unknown
format and a weak thermometer below min_rssi advertise. With adopt=auto the
supported ones become XMPP things whose readings reach the owner; the
unknown one is listed as unsupported, the weak one not at all. Availability
follows the learned advert interval (away, then unavailable), the adapter
going and coming back, and bluetoothd restarting. Discovery that fails at
first (InProgress) is retried.
Run: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_bluez_adverts.py
"""

import asyncio
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_ctl import Ctl, wait_daemon  # noqa: E402

THERMO = "A4:C1:38:00:00:01"
ENCRYPTED = "54:48:E6:8F:80:A5"   # the BTHome spec's encryption example
RUUVI = "C1:00:00:00:00:05"
PHONE = "11:22:33:44:55:66"
WEAK = "A4:C1:38:00:00:09"
BINDKEY = "231d39c1d7cc1ab1aee224cd096db932"
# info 0x41, ciphertext of 02CA09 03BF13 (25.06 °C, 50.55 %), counter 0x00112233, MIC
ENCRYPTED_ADVERT = bytes.fromhex("41e445f3c9962b332211006c7c4519")
RUUVI_VALID = bytes.fromhex("0512FC5394C37C0004FFFC040CAC364200CDCBB8334C884F")


def bthome(packet: int, temperature_centi: int, humidity_centi: int = 5055, battery: int = 97) -> bytes:
    """A plaintext BTHome v2 advert: packet id, battery, temperature, humidity."""
    return (bytes([0x40, 0x00, packet & 0xff, 0x01, battery, 0x02])
            + temperature_centi.to_bytes(2, "little", signed=True)
            + bytes([0x03]) + humidity_centi.to_bytes(2, "little"))


def tid(address: str) -> str:
    return "bluez:" + address


def jid(address: str) -> str:
    return t.thing_jid(tid(address))


class Advertiser:
    """Sends a device's advert every `interval` seconds until stopped, like a
    sensor does; the payload may change between rounds."""

    def __init__(self, mock: t.BluezMock, path: str, payload, interval: float = 0.3,
                 manufacturer: bool = False, rssi: int = -60):
        self.mock, self.path, self.payload = mock, path, payload
        self.interval, self.manufacturer, self.rssi = interval, manufacturer, rssi
        self.count = 0
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            data = self.payload(self.count)
            if self.manufacturer:
                self.mock.update_advertisement(self.path, self.rssi, None, {0x0499: data})
            else:
                self.mock.update_advertisement(self.path, self.rssi, {t.bthome_uuid: data}, None)
            self.count += 1
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass


async def values(ctl: Ctl, thing_id: str) -> dict:
    doc = await ctl.json("thing", thing_id, "get")
    return {v["field"]: v["value"] for v in doc.get("values", [])}


async def wait_values(ctl: Ctl, thing_id: str, expected: dict, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    got: dict = {}
    while time.monotonic() < deadline:
        rc, out, _ = await ctl.run("--json", "thing", thing_id, "get")
        if rc == 0:
            got = await values(ctl, thing_id)
            if all(abs(got.get(k, 1e9) - v) < 1e-6 if isinstance(v, float) else got.get(k) == v
                   for k, v in expected.items()):
                return got
        await asyncio.sleep(0.2)
    raise t.TestFailure(f"{thing_id}: values {expected} not seen within {timeout:g}s; last {got}")


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
    # a controller that is busy at first: discovery must be retried
    mock.set_discovery_failures("hci0", "org.bluez.Error.InProgress", 2)

    cfg = t.iotgwd_config(srv, ["alice@localhost"], {}, register=True,
                          gateway={"adopt": "auto", "disabled_plugins": []})
    cfg += ("\n[plugin bluez]\nscan=active\nmin_rssi=-90\naway_after=3\nunavailable_after=6\n"
            "availability_timeout=30\n")
    daemon = ctx.daemon(cfg, env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)

    # -- discovery: retried after InProgress, LE with every advert
    await t.poll_until(lambda: mock.discovering("hci0"), 15, "discovery running after two failures")
    calls = mock.method_calls("/org/bluez/hci0", "StartDiscovery")
    check(len(calls) >= 3, f"StartDiscovery called {len(calls)} times, expected retries")
    flt = mock.discovery_filter("hci0")
    check(flt.get("Transport") == "le" and flt.get("DuplicateData") is True,
          f"discovery filter is not LE with duplicates: {flt}")
    status = await ctl.json("status")
    plugin = {p["name"]: p for p in status["plugins"]}.get("bluez", {})
    check("active scan" in str(plugin), f"iotgwctl status does not say active scan: {plugin}")
    say(f"discovery started after {len(calls) - 1} InProgress failures; filter {flt}")

    # -- devices appear and advertise
    thermo = mock.add_le_device("hci0", THERMO, "ATC_000001", -60, {t.bthome_uuid: bthome(0, 2506)})
    enc = mock.add_le_device("hci0", ENCRYPTED, "BTHome-enc", -62, {t.bthome_uuid: ENCRYPTED_ADVERT})
    ruuvi = mock.add_le_device("hci0", RUUVI, "Ruuvi 0005", -70, None, {0x0499: RUUVI_VALID})
    phone = mock.add_le_device("hci0", PHONE, "Phone", -50, None, {0x004C: bytes([0x10, 0x05, 0x01])})
    weak = mock.add_le_device("hci0", WEAK, "far away", -99, {t.bthome_uuid: bthome(0, 2000)})
    adverts = [
        Advertiser(mock, thermo, lambda n: bthome(n, 2506 + (n // 10))),
        Advertiser(mock, enc, lambda n: ENCRYPTED_ADVERT),
        Advertiser(mock, ruuvi, lambda n: RUUVI_VALID, manufacturer=True, rssi=-70),
        Advertiser(mock, weak, lambda n: bthome(n, 2000), rssi=-99),
    ]
    mock.update_advertisement(phone, -50, None, {0x004C: bytes([0x10, 0x05, 0x02])})

    # -- BTHome thermometer: adopted, online, readings through XMPP
    await alice.wait_available(jid(THERMO), 30)
    got = await wait_values(ctl, tid(THERMO), {"battery": 97, "humidity": 50.55}, 15)
    check(abs(got["temperature"] - 25.06) < 0.2, f"BTHome temperature wrong: {got}")
    reply = await alice.chat(jid(THERMO), "get temperature")
    check("25." in reply and "°C" in reply, f"chat get temperature answered {reply!r}")
    say(f"BTHome thermometer online: {got}; chat says {reply!r}")

    # -- Ruuvi RAWv2: the official vector's values
    await alice.wait_available(jid(RUUVI), 30)
    got = await wait_values(ctl, tid(RUUVI), {"temperature": 24.3, "humidity": 53.49}, 15)
    check(abs(got.get("pressure", 0) - 1000.44) < 0.01, f"Ruuvi pressure wrong: {got}")
    say(f"Ruuvi tag online: {got}")

    # -- unknown format: listed as unsupported, not adopted; the weak one not listed
    listed = await wait_thing(ctl, tid(PHONE), lambda th: th["supported"] is False, 10, "unsupported")
    check(listed["state"] == "discovered" and listed["jid"] == "",
          f"an unsupported device was adopted: {listed}")
    rc, _, err = await ctl.run("thing", tid(PHONE), "adopt")
    check(rc != 0 and "format" in err, f"adopting an unsupported device: rc {rc}, {err!r}")
    check(tid(WEAK) not in await things(ctl), "a device below min_rssi was offered")
    check(not srv.user_exists(t.thing_localpart(tid(PHONE))), "an account exists for the phone")
    say("unknown format listed as unsupported and refused for adoption; weak device ignored")

    # -- encrypted BTHome: listed, no readings until the bindkey is given; a wrong key is reported once
    await wait_thing(ctl, tid(ENCRYPTED), lambda th: th["state"] == "adopted", 15, "adopted")
    check("temperature" not in await values(ctl, tid(ENCRYPTED)), "decrypted without a key")
    mark = daemon.mark()
    await ctl.ok("thing", tid(ENCRYPTED), "set-secret", "bindkey", "00" * 16)
    await daemon.wait_log(r"bindkey does not decrypt", 10, since=mark)
    count_before = adverts[1].count
    await t.poll_until(lambda: adverts[1].count >= count_before + 10, 10, "ten more encrypted adverts")
    check(len(daemon.log_lines(r"does not decrypt", since=mark)) == 1,
          "a wrong bindkey was reported more than once")
    rc, _, err = await ctl.run("thing", tid(ENCRYPTED), "set-secret", "bindkey", "xyz")
    check(rc != 0 and "bindkey" in err, f"a malformed bindkey was accepted: {rc} {err!r}")
    await ctl.ok("thing", tid(ENCRYPTED), "set-secret", "bindkey", BINDKEY)
    await alice.wait_available(jid(ENCRYPTED), 30)
    got = await wait_values(ctl, tid(ENCRYPTED), {"temperature": 25.06, "humidity": 50.55}, 15)
    check(BINDKEY not in daemon.log(), "the bindkey appears in the daemon log")
    say(f"encrypted BTHome decrypted with its bindkey: {got}; a wrong key was reported once")

    # -- the thermometer stops advertising: away, then unavailable, after its learned interval
    await adverts[0].stop()
    stopped = time.monotonic()
    since = alice.mark()
    away = await alice.wait_presence(jid(THERMO), lambda p: p.show == "away", 15, since=since,
                                     what="away presence after the adverts stopped")
    t_away = time.monotonic() - stopped
    await alice.wait_unavailable(jid(THERMO), 20, since=since)
    t_gone = time.monotonic() - stopped
    check(2 <= t_away < t_gone, f"away after {t_away:.1f}s, unavailable after {t_gone:.1f}s")
    listed = (await things(ctl))[tid(THERMO)]
    check(listed["availability"] == "unavailable", f"iotgwctl shows {listed['availability']}")
    say(f"silent thermometer: away after {t_away:.1f}s ({away.status!r}), unavailable after {t_gone:.1f}s")
    adverts[0] = Advertiser(mock, thermo, lambda n: bthome(100 + n, 2600))
    await alice.wait_available(jid(THERMO), 15, since=alice.mark())
    await wait_values(ctl, tid(THERMO), {"temperature": 26.0}, 10)
    say("advertising again: available with the new temperature")

    # -- the adapter goes: its things are unavailable; it comes back: available again
    for a in adverts:
        await a.stop()
    since = alice.mark()
    mock.remove_adapter("hci0")
    gone = await alice.wait_unavailable(jid(RUUVI), 10, since=since)
    await alice.wait_unavailable(jid(THERMO), 10, since=since)
    # straight to unavailable: not the silence rule (that says away first)
    check(not any(p.seq > since and p.show == "away" and p.bare in (jid(RUUVI), jid(THERMO))
                  for p in alice.presences), "things went away before unavailable: silence, not the adapter")
    mock.add_adapter("hci0")
    await t.poll_until(lambda: mock.discovering("hci0"), 15, "discovery on the returning adapter")
    ruuvi = mock.add_le_device("hci0", RUUVI, "Ruuvi 0005", -70, None, {0x0499: RUUVI_VALID})
    adverts = [Advertiser(mock, ruuvi, lambda n: RUUVI_VALID, manufacturer=True, rssi=-70)]
    # only an available after the unavailable one is the way back
    await alice.wait_available(jid(RUUVI), 15, since=gone.seq)
    say("adapter removed: things unavailable; adapter back: discovery restarted, Ruuvi available")

    # -- bluetoothd restarts: the same again, without restarting iotgwd
    await adverts[0].stop()
    since = alice.mark()
    await mock.restart()
    gone = await alice.wait_unavailable(jid(RUUVI), 10, since=since)
    check(not any(p.seq > since and p.show == "away" and p.bare == jid(RUUVI) for p in alice.presences),
          "the Ruuvi went away before unavailable: silence, not bluetoothd leaving")
    mock.add_adapter("hci0")
    await t.poll_until(lambda: mock.discovering("hci0"), 15, "discovery after bluetoothd restarted")
    ruuvi = mock.add_le_device("hci0", RUUVI, "Ruuvi 0005", -70, None, {0x0499: RUUVI_VALID})
    adverts = [Advertiser(mock, ruuvi, lambda n: RUUVI_VALID, manufacturer=True, rssi=-70)]
    await alice.wait_available(jid(RUUVI), 15, since=gone.seq)
    check(daemon.alive(), "iotgwd died")
    say("bluetoothd restarted: re-synced without restarting iotgwd")
    for a in adverts:
        await a.stop()


if __name__ == "__main__":
    t.run(test, "test_bluez_adverts", timeout=200)
