#!/usr/bin/python3
"""GATT things through a fake bluetoothd with advertisement monitors.

bluetoothd offers AdvertisementMonitor1, so the plugin scans passively
(scan=auto) and says so. A heart-rate belt (service 0x180D) is adopted,
connected, subscribed: its notifications become heart_rate and rr_interval
readings and its body sensor location is read. A dropped link makes it
unavailable; the plugin reconnects through two failed attempts and the
readings go on. An environmental sensor is read at adoption and again for
an XEP-0323 momentary readout (slixmpp's xep_0323). A configured lamp maps its fields onto GATT characteristic
writes: chat `set` and XEP-0325 reach a real WriteValue and the value read
back becomes the reading.
Run: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_bluez_gatt.py
"""

import asyncio
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_ctl import Ctl, wait_daemon  # noqa: E402
from test_iot import add_iot_plugins, full_jid, read  # noqa: E402

BELT = "F0:00:00:00:0D:01"
ESS = "E5:5E:00:00:1A:01"
LAMP = "C0:FF:EE:00:00:01"
LAMP_ON_UUID = "0000ff01-0000-1000-8000-00805f9b34fb"
LAMP_LEVEL_UUID = "0000ff02-0000-1000-8000-00805f9b34fb"


def tid(address: str) -> str:
    return "bluez:" + address


def jid(address: str) -> str:
    return t.thing_jid(tid(address))


async def readings(ctl: Ctl, thing_id: str, field: str) -> list:
    doc = await ctl.json("readings", thing_id, "--field", field)
    return [r["value"] for r in doc["readings"]]


async def wait_readings(ctl: Ctl, thing_id: str, field: str, pred, timeout: float, what: str) -> list:
    deadline = time.monotonic() + timeout
    got: list = []
    while time.monotonic() < deadline:
        rc, _, _ = await ctl.run("--json", "readings", thing_id, "--field", field)
        if rc == 0:
            got = await readings(ctl, thing_id, field)
            if pred(got):
                return got
        await asyncio.sleep(0.3)
    raise t.TestFailure(f"{thing_id}: {what} not seen within {timeout:g}s; {field} readings {got}")


async def test(ctx: t.Ctx) -> None:
    bus = await ctx.bus()
    mock = t.BluezMock(bus, monitor=True)
    try:
        await mock.start()
        await run_with_mock(ctx, bus, mock)
    finally:
        await mock.cleanup()


def add_belt(mock: t.BluezMock) -> tuple[str, str]:
    dev = mock.add_le_device("hci0", BELT, "HRM belt", -55, uuids=[t.sig_uuid(0x180D)])
    svc = mock.add_gatt_service(dev, 0x10, t.sig_uuid(0x180D))
    hrm = mock.add_gatt_characteristic(svc, 0x11, t.sig_uuid(0x2A37), ["notify"], bytes([0, 60]))
    mock.add_gatt_characteristic(svc, 0x14, t.sig_uuid(0x2A38), ["read"], bytes([1]))
    # 60..63 bpm; the second notification carries RR intervals of 1024 and 512 (1/1024 s)
    mock.set_notify_sequence(hrm, [bytes([0x00, 60]), bytes([0x10, 61, 0x00, 0x04, 0x00, 0x02]),
                                   bytes([0x00, 62]), bytes([0x01, 63, 0x00])], 200)
    return dev, hrm


def add_ess(mock: t.BluezMock) -> tuple[str, str]:
    dev = mock.add_le_device("hci0", ESS, "ESS sensor", -58, uuids=[t.sig_uuid(0x181A)])
    svc = mock.add_gatt_service(dev, 0x30, t.sig_uuid(0x181A))
    temperature = mock.add_gatt_characteristic(svc, 0x31, t.sig_uuid(0x2A6E), ["read"], bytes([0xC4, 0x09]))
    mock.add_gatt_characteristic(svc, 0x34, t.sig_uuid(0x2A6F), ["read"], bytes([0xBF, 0x13]))
    return dev, temperature


def add_lamp(mock: t.BluezMock) -> tuple[str, str, str]:
    dev = mock.add_le_device("hci0", LAMP, "Lamp", -50, uuids=["0000ff00-0000-1000-8000-00805f9b34fb"])
    svc = mock.add_gatt_service(dev, 0x20, "0000ff00-0000-1000-8000-00805f9b34fb")
    on = mock.add_gatt_characteristic(svc, 0x21, LAMP_ON_UUID, ["read", "write"], bytes([0]))
    level = mock.add_gatt_characteristic(svc, 0x23, LAMP_LEVEL_UUID, ["write"], bytes([0]))
    return dev, on, level


async def keep_lamp_heard(mock: t.BluezMock, dev: str) -> None:
    while True:
        mock.update_advertisement(dev, -50, None, None)
        await asyncio.sleep(0.5)


async def run_with_mock(ctx: t.Ctx, bus: t.PrivateBus, mock: t.BluezMock) -> None:
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    mock.add_adapter("hci0")
    things = {tid(LAMP): {"name": "Desk lamp", "write.on": f"{LAMP_ON_UUID} bool",
                          "write.level": "ff02 uint8 0 100"}}
    cfg = t.iotgwd_config(srv, ["alice@localhost"], things, register=True,
                          gateway={"adopt": "auto", "disabled_plugins": []})
    cfg += "\n[plugin bluez]\nscan=auto\navailability_timeout=60\n"
    ctx.daemon(cfg, env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)

    # -- passive scanning through an advertisement monitor, and it says so
    await t.poll_until(lambda: mock.monitor_registrations(), 10, "a monitor registration")
    check(not mock.discovering("hci0"), "passive mode started an active discovery")
    await t.poll_until(lambda: any(e[0] == "Activate" for e in mock.monitor_events()), 10,
                       "bluetoothd activating the monitor")
    status = await ctl.json("status")
    plugin = {p["name"]: p for p in status["plugins"]}.get("bluez", {})
    check("passive scan" in str(plugin), f"iotgwctl status does not say passive: {plugin}")
    say(f"passive scan in use: {plugin}")

    # -- heart-rate belt: adopted, connected, notifications become readings
    belt, hrm = add_belt(mock)
    await alice.wait_available(jid(BELT), 30)
    await t.poll_until(lambda: mock.notifying(hrm), 10, "StartNotify on the heart rate characteristic")
    got = await wait_readings(ctl, tid(BELT), "heart_rate", lambda r: {60, 61, 62, 63} <= set(r), 15,
                              "heart rates 60..63")
    rr = await wait_readings(ctl, tid(BELT), "rr_interval", lambda r: 1000.0 in r and 500.0 in r, 10,
                             "RR intervals of 1000 and 500 ms")
    reply = await alice.chat(jid(BELT), "get body_sensor_location")
    check("chest" in reply, f"body sensor location: {reply!r}")
    say(f"heart-rate belt: {sorted(set(got))} bpm, RR {sorted(set(rr))} ms, location {reply!r}")

    # -- the link drops: unavailable; reconnects through two failed attempts
    connects = len(mock.method_calls(belt, "Connect"))
    since = alice.mark()
    mock.set_connect_failures(belt, 2)
    mock.drop_connection(belt)
    gone = await alice.wait_unavailable(jid(BELT), 10, since=since)
    # readings until the drop change the presence status (available): only an
    # available after the unavailable one is the reconnect
    await alice.wait_available(jid(BELT), 40, since=gone.seq)
    retries = len(mock.method_calls(belt, "Connect")) - connects
    check(retries >= 3, f"Connect was not retried after failures: {retries} calls since the drop")
    count = len(await readings(ctl, tid(BELT), "heart_rate"))
    await wait_readings(ctl, tid(BELT), "heart_rate", lambda r: len(r) > count + 2, 15,
                        "heart rates after the reconnect")
    say("link lost: unavailable, reconnected after two failed attempts, readings go on")

    # -- environmental sensing: read at adoption, read again for a momentary readout
    ess, ess_temperature = add_ess(mock)
    await alice.wait_available(jid(ESS), 30)
    await wait_readings(ctl, tid(ESS), "temperature", lambda r: 25.0 in r, 10, "25.00 °C read at adoption")
    await wait_readings(ctl, tid(ESS), "humidity", lambda r: 50.55 in r, 10, "50.55 % read at adoption")
    reads = len(mock.method_calls(ess_temperature, "ReadValue"))
    mock.set_characteristic_value(ess_temperature, (2650).to_bytes(2, "little"))
    add_iot_plugins(alice)
    r = await read(alice, full_jid(alice, jid(ESS)), flags={"momentary": "true"})
    check(r.result == "done", f"readout of the ESS sensor ended with {r.result}: {r.events}")
    check("26.5" in " ".join(r.values().get("temperature", [])), f"readout values: {r.values()}")
    check(len(mock.method_calls(ess_temperature, "ReadValue")) > reads, "the readout did not read the device")
    say(f"ESS sensor: 25.00 °C at adoption; an XEP-0323 readout read the device again: {r.values()}")

    # -- control: chat set and XEP-0325 reach a GATT write; the read-back is the reading
    lamp, on, level = add_lamp(mock)
    heard = asyncio.get_running_loop().create_task(keep_lamp_heard(mock, lamp))
    try:
        await alice.wait_available(jid(LAMP), 30)
        reply = await alice.chat(jid(LAMP), "set on true")
        check(mock.get_writes(on) == [b"\x01"], f"writes to the on characteristic: {mock.get_writes(on)}")
        check("true" in reply.lower() or "on" in reply.lower(), f"chat set answered {reply!r}")
        await wait_readings(ctl, tid(LAMP), "on", lambda r: True in r, 10, "on = true")
        await ctl.ok("thing", tid(LAMP), "set", "level", "42")
        check(mock.get_writes(level) == [bytes([42])], f"writes to level: {mock.get_writes(level)}")
        reply = await alice.chat(jid(LAMP), "set level 150")
        check(mock.get_writes(level) == [bytes([42])], "an out-of-range level reached the device")
        say(f"lamp: chat set on -> WriteValue 01 and read back; level 42 written; 150 refused ({reply!r})")
    finally:
        heard.cancel()


if __name__ == "__main__":
    t.run(test, "test_bluez_gatt", timeout=200)
