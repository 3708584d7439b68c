#!/usr/bin/python3
"""Interactive demo of iotgwd (started by tools/demo).

Starts a private Prosody on 127.0.0.1 (free port, temp dir), creates the
owner account owner@localhost with a random password, runs iotgwd (env
IOTGWD) with a simulated kitchen thermometer and a simulated lamp, and a
BTHome v2 Bluetooth thermometer that advertises through a fake bluetoothd
(python-dbusmock on the demo's own bus), prints how to log in with any XMPP
client and then prints what the things send to the owner until Ctrl-C or
SIGTERM.  IGW_DEMO_SECONDS=N stops after N seconds; in that mode the exit
code says whether every thing came online.

Everything started here is stopped by PID and the temp dirs are removed.
"""

import asyncio
import os
import secrets
import signal
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402

THINGS = {
    "sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 2},
    "sim:lamp": {"name": "Lamp", "type": "lamp"},
}
NAMES = {t.thing_jid(tid): cfg["name"] for tid, cfg in THINGS.items()}
BLE_ADDRESS = "A4:C1:38:DE:00:01"
NAMES[t.thing_jid("bluez:" + BLE_ADDRESS)] = "BLE thermometer"


def bthome_advert(packet: int) -> bytes:
    """BTHome v2: packet id, battery 87 %, a temperature drifting around 21 °C, humidity 45 %."""
    centi = 2100 + (packet % 20) * 5
    return bytes([0x40, 0x00, packet & 0xff, 0x01, 87, 0x02]) + centi.to_bytes(2, "little") \
        + bytes([0x03]) + (4500).to_bytes(2, "little")


async def advertise(mock: t.BluezMock, path: str) -> None:
    packet = 0
    while True:
        mock.update_advertisement(path, -64, {t.bthome_uuid: bthome_advert(packet)}, None)
        packet += 1
        await asyncio.sleep(2)


def out(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')}  {text}", flush=True)


class Printer:
    """Prints availability and status changes and messages from the things."""

    def __init__(self) -> None:
        self.last: dict[str, tuple[str, str]] = {}

    def presence(self, p: t.Pres) -> None:
        name = NAMES.get(p.bare, p.bare)
        if p.type == "subscribe":
            out(f"{name}: asks to be added to the owner's contacts (accepted)")
            return
        if p.type not in ("available", "unavailable"):
            return
        state = (p.type, p.status)
        if self.last.get(p.bare) == state:
            return
        became = self.last.get(p.bare, ("", ""))[0] != p.type
        self.last[p.bare] = state
        if p.type == "unavailable":
            out(f"{name}: offline")
        elif became:
            out(f"{name}: online  {p.status}")
        else:
            out(f"{name}: {p.status}")

    def message(self, m: t.Msg) -> None:
        name = NAMES.get(m.bare, m.bare)
        body = m.body.replace("\n", "\n" + " " * 10 + "| ")
        out(f"{name} says: {body}" if m.type != "error" else f"{name}: error {m.error}")


IOTGWCTL = os.environ.get("IOTGWCTL", "build/src/iotgwctl")


async def main() -> int:
    seconds = float(os.environ.get("IGW_DEMO_SECONDS", "0") or 0)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    srv = t.Prosody(tls=False, name="prosody")
    bus = t.PrivateBus(name="bus")
    daemon = None
    owner = None
    bluez = None
    advertiser = None
    rc = 1
    try:
        await bus.start()
        await srv.start()
        password = secrets.token_urlsafe(12)
        owner_jid = srv.register("owner", password)
        bluez = t.BluezMock(bus)
        await bluez.start()
        bluez.add_adapter("hci0")
        ble = bluez.add_le_device("hci0", BLE_ADDRESS, "ATC_DE0001", -64, {t.bthome_uuid: bthome_advert(0)})
        advertiser = loop.create_task(advertise(bluez, ble))
        # the BLE thermometer is adopted by the allow-list, the rest waits
        cfg = t.iotgwd_config(srv, [owner_jid], THINGS, register=True,
                              gateway={"disabled_plugins": [], "allow": ["bluez:A4:C1:38:DE:*"]})
        # found-but-not-adopted things, for iotgwctl's adopt, block and permit-join
        cfg += "\n[plugin sim]\ndiscoverable=2\n"
        daemon = t.Daemon(cfg, name="iotgwd", env=bus.env())
        printer = Printer()
        owner = t.OwnerClient(srv, "owner", password, resource="demo", name="owner",
                              on_message=printer.message, on_presence=printer.presence)
        await owner.connect()
        daemon.start()

        print(f"""
================================================================
 iotgwd demo is running
   XMPP server : 127.0.0.1  port {srv.c2s_port}  (plaintext; loopback only)
   JID         : {owner_jid}
   password    : {password}
 In your XMPP client allow plaintext / unencrypted login and set the
 server and port by hand.  Then chat with:
   {', '.join(NAMES)}
 and try: help, get, get temperature, set on true, set brightness 40
 Daemon log  : {daemon.log_path}
 Manage it from a second terminal with iotgwctl on the demo's own bus:
   export DBUS_SYSTEM_BUS_ADDRESS='{bus.env()["DBUS_SYSTEM_BUS_ADDRESS"]}'
   {IOTGWCTL} status
   {IOTGWCTL} things        (sim:found1 and sim:found2 wait to be adopted)
   {IOTGWCTL} thing sim:found1 adopt
   {IOTGWCTL} thing sim:lamp set on true
   {IOTGWCTL} thing bluez:{BLE_ADDRESS} show   (the Bluetooth thermometer)
   {IOTGWCTL} watch
 {'Stopping after %g s.' % seconds if seconds else 'Press Ctrl-C to stop.'}
================================================================
""", flush=True)

        deadline = loop.time() + seconds if seconds else None
        while not stop.is_set():
            if not daemon.alive():
                out(f"iotgwd exited unexpectedly (code {daemon.proc.poll()})")
                daemon.dump(40)
                return 1
            if deadline is not None and loop.time() >= deadline:
                break
            try:
                await asyncio.wait_for(stop.wait(), 0.5)
            except asyncio.TimeoutError:
                pass

        if seconds and not stop.is_set():
            seen = [j for j in NAMES if any(p.bare == j and p.type == "available" for p in owner.presences)]
            missing = sorted(set(NAMES) - set(seen))
            if missing:
                out(f"these things never came online: {', '.join(missing)}")
                daemon.dump(40)
                return 1
        rc = 0
        return 0
    except t.TestFailure as exc:
        out(f"demo failed: {exc}")
        if daemon is not None:
            daemon.dump(40)
        return 1
    finally:
        out("stopping ...")
        if advertiser is not None:
            advertiser.cancel()
        if owner is not None:
            await owner.close()
        if daemon is not None:
            if daemon.alive():
                code = await daemon.stop()
                if code != 0 and rc == 0:
                    out(f"iotgwd exited with {code}")
            await daemon.cleanup()
        await srv.cleanup()
        if bluez is not None:
            await bluez.cleanup()
        await bus.cleanup()
        out("stopped; temp dirs removed")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
