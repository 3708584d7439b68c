#!/usr/bin/python3
"""Every notifying characteristic of a supported GATT service is subscribed.

An Environmental Sensing device (service 0x181A) with a temperature that
notifies, a humidity that indicates and a pressure that only notifies, plus a
Battery Service (0x180F) level that notifies, through the fake bluetoothd.
Values are encoded by hand from ble-gatt-facts.md sections 3 and 4. Once the
thing is adopted, every one of the four gets StartNotify, the notified values
(not only the ones read at connection) become readings, and the device, which
sends no adverts any more, stays available while its notifications arrive.
Run: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_bluez_notify.py
"""

import asyncio
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_ctl import Ctl, wait_daemon  # noqa: E402

ESS = "E5:5E:00:00:1A:02"
NOTIFY_MS = 250

# ble-gatt-facts.md section 3: sint16 0.01 °C, uint16 0.01 %, uint32 0.1 Pa (hPa = raw / 1000)
TEMPERATURE_READ = bytes([0xC4, 0x09])                    # 2500 -> 25.00 °C
TEMPERATURE_NOTIFIED = bytes([0x0A, 0x0A])                # 2570 -> 25.70 °C
HUMIDITY_READ = bytes([0xBF, 0x13])                       # 5055 -> 50.55 %
HUMIDITY_INDICATED = bytes([0x20, 0x14])                  # 5152 -> 51.52 %
PRESSURE_NOTIFIED = bytes([0xE4, 0x6C, 0x0F, 0x00])       # 1010916 -> 1010.916 hPa
# section 4: uint8 percent
BATTERY_READ = bytes([90])
BATTERY_NOTIFIED = bytes([89])


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


async def wait_reading(ctl: Ctl, thing_id: str, field: str, value, timeout: float) -> list:
    deadline = time.monotonic() + timeout
    got: list = []
    while time.monotonic() < deadline:
        got = await readings(ctl, thing_id, field)
        if any(abs(v - value) < 1e-6 for v in got):
            return got
        await asyncio.sleep(0.2)
    raise t.TestFailure(f"{thing_id}: {field} = {value} not seen within {timeout:g}s; readings {got}")


def add_sensor(mock: t.BluezMock) -> tuple[str, dict]:
    dev = mock.add_le_device("hci0", ESS, "ESS notifier", -58,
                             uuids=[t.sig_uuid(0x181A), t.sig_uuid(0x180F)])
    ess = mock.add_gatt_service(dev, 0x40, t.sig_uuid(0x181A))
    bas = mock.add_gatt_service(dev, 0x50, t.sig_uuid(0x180F))
    chars = {
        "temperature": mock.add_gatt_characteristic(ess, 0x41, t.sig_uuid(0x2A6E), ["read", "notify"],
                                                    TEMPERATURE_READ),
        "humidity": mock.add_gatt_characteristic(ess, 0x44, t.sig_uuid(0x2A6F), ["read", "indicate"],
                                                 HUMIDITY_READ),
        "pressure": mock.add_gatt_characteristic(ess, 0x47, t.sig_uuid(0x2A6D), ["notify"],
                                                 PRESSURE_NOTIFIED),
        "battery": mock.add_gatt_characteristic(bas, 0x51, t.sig_uuid(0x2A19), ["read", "notify"],
                                                BATTERY_READ),
    }
    mock.set_notify_sequence(chars["temperature"], [TEMPERATURE_NOTIFIED], NOTIFY_MS)
    mock.set_notify_sequence(chars["humidity"], [HUMIDITY_INDICATED], NOTIFY_MS)
    mock.set_notify_sequence(chars["pressure"], [PRESSURE_NOTIFIED], NOTIFY_MS)
    mock.set_notify_sequence(chars["battery"], [BATTERY_NOTIFIED], NOTIFY_MS)
    return dev, chars


async def test(ctx: t.Ctx) -> None:
    bus = await ctx.bus()
    mock = t.BluezMock(bus, monitor=True)
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
    cfg += "\n[plugin bluez]\nscan=auto\naway_after=3\nunavailable_after=6\navailability_timeout=30\n"
    ctx.daemon(cfg, env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)

    dev, chars = add_sensor(mock)
    since = alice.mark()
    await alice.wait_available(jid(ESS), 30, since=since)

    # -- every notifying or indicating characteristic is subscribed
    for name, path in chars.items():
        await t.poll_until(lambda p=path: mock.notifying(p), 10, f"StartNotify on the {name} characteristic")
    say(f"StartNotify on all of {sorted(chars)}")

    # -- the notified values, which ReadValue never returned, become readings
    await wait_reading(ctl, tid(ESS), "temperature", 25.70, 10)
    await wait_reading(ctl, tid(ESS), "humidity", 51.52, 10)
    await wait_reading(ctl, tid(ESS), "pressure", 1010.916, 10)
    await wait_reading(ctl, tid(ESS), "battery", 89, 10)
    check(not mock.method_calls(chars["pressure"], "ReadValue"), "a notify-only characteristic was read")
    say("notified temperature 25.70 °C, indicated humidity 51.52 %, pressure 1010.916 hPa, battery 89 %")

    # -- connected, no adverts, notifications arriving: available all along, never away
    count = len(await readings(ctl, tid(ESS), "temperature"))
    window = alice.mark()
    started = time.monotonic()
    while time.monotonic() - started < 6:
        await asyncio.sleep(0.5)
    gone = [p for p in alice.presences if p.seq > window and p.bare == jid(ESS)
            and (p.type == "unavailable" or p.show in ("away", "xa"))]
    check(not gone, f"the notifying ESS device changed presence: {[(p.type, p.show) for p in gone]}")
    listed = {th["id"]: th for th in (await ctl.json("things"))["things"]}[tid(ESS)]
    check(listed["availability"] == "available", f"iotgwctl shows {listed['availability']}")
    after = len(await readings(ctl, tid(ESS), "temperature"))
    check(after > count, f"no temperature notifications stored in 6 s ({count} -> {after})")
    say(f"available for 6 s on notifications alone; temperature readings {count} -> {after}")


if __name__ == "__main__":
    t.run(test, "test_bluez_notify", timeout=120)
