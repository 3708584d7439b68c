#!/usr/bin/python3
"""Smoke test of the BlueZ fake itself (no iotgwd): PrivateBus + BluezMock,
and a small GDBus client (gi Gio, on its own GLib main context that the test
pumps while it polls) in the role of the gateway.

Checks: typed InterfacesAdded for adapter and device (ServiceData a{sv} of ay,
ManufacturerData a{qv}), one PropertiesChanged per advertisement, discovery
filter + injected StartDiscovery failures, GATT connect/notify/write/errors,
advertisement monitors (Activate, DeviceFound, DeviceLost, Release),
RemoveAdapter children first, and a bluetoothd restart.
Run: /usr/bin/python3 test_bluez_mock.py
"""

import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import gi  # noqa: E402
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

ADAPTER = "/org/bluez/hci0"
DEVICE1 = "org.bluez.Device1"
ADAPTER1 = "org.bluez.Adapter1"
CHRC1 = "org.bluez.GattCharacteristic1"
OM = "org.freedesktop.DBus.ObjectManager"
MON_ROOT = "/igw/monitor"
MON_PATH = "/igw/monitor/m0"
MON_PATTERNS = [(0, 0x16, b"\xd2\xfc"), (0, 0xFF, b"\x99\x04")]   # BTHome, company 0x0499

BTHOME = bytes([0x40, 0x01, 0x61, 0x02, 0xCA, 0x09])

MON_XML = """<node>
 <interface name="org.freedesktop.DBus.ObjectManager">
  <method name="GetManagedObjects"><arg type="a{oa{sa{sv}}}" direction="out"/></method>
 </interface>
 <interface name="org.bluez.AdvertisementMonitor1">
  <method name="Release"/>
  <method name="Activate"/>
  <method name="DeviceFound"><arg type="o" direction="in"/></method>
  <method name="DeviceLost"><arg type="o" direction="in"/></method>
  <property name="Type" type="s" access="read"/>
  <property name="Patterns" type="a(yyay)" access="read"/>
 </interface>
</node>"""


class Client:
    """The 'gateway': a GDBus connection whose signals and incoming calls are
    dispatched on a private main context, pumped by wait()."""

    def __init__(self, address: str):
        self.ctx = GLib.MainContext.new()
        self.ctx.push_thread_default()
        self.conn = Gio.DBusConnection.new_for_address_sync(
            address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
            | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.signals = []     # (monotonic, path, iface, member, GLib.Variant)
        self.incoming = []    # (monotonic, path, iface, method, unpacked args)
        self.conn.signal_subscribe("org.bluez", None, None, None, None,
                                   Gio.DBusSignalFlags.NONE, self._on_signal)
        self.conn.signal_subscribe("org.freedesktop.DBus", "org.freedesktop.DBus",
                                   "NameOwnerChanged", "/org/freedesktop/DBus", "org.bluez",
                                   Gio.DBusSignalFlags.NONE, self._on_signal)
        self.reg_ids = []
        # GDBus (GLib with the CVE-2024-34397 fix) drops signals from a
        # well-known sender until its GetNameOwner reply is in; a round trip
        # plus a pump makes the subscription effective before the test acts.
        self.sync()

    def close(self) -> None:
        for rid in self.reg_ids:
            self.conn.unregister_object(rid)
        self.conn.close_sync(None)
        self.ctx.pop_thread_default()

    def _on_signal(self, _conn, _sender, path, iface, member, params):
        self.signals.append((time.monotonic(), path, iface, member, params))

    def pump(self) -> None:
        while self.ctx.iteration(False):
            pass

    async def wait(self, cond, timeout: float, what: str):
        def step():
            self.pump()
            return cond()
        return await t.poll_until(step, timeout, what, interval=0.005)

    def mark(self) -> int:
        self.pump()
        return len(self.signals)

    def sigs(self, since: int = 0, path=None, member=None) -> list:
        return [s for s in self.signals[since:]
                if (path is None or s[1] == path) and (member is None or s[3] == member)]

    def changed(self, since: int, path: str, iface: str) -> list:
        """a{sv} dicts (as GLib.Variant) of PropertiesChanged on path/iface."""
        return [s[4].get_child_value(1) for s in self.sigs(since, path, "PropertiesChanged")
                if s[4].get_child_value(0).get_string() == iface]

    def call(self, path, iface, method, sig=None, args=()):
        params = GLib.Variant(f"({sig})", tuple(args)) if sig else None
        reply = self.conn.call_sync("org.bluez", path, iface, method, params, None,
                                    Gio.DBusCallFlags.NONE, 5000, None)
        return reply.unpack() if reply is not None else ()

    def error(self, path, iface, method, sig=None, args=()) -> str:
        """Call and expect a D-Bus error; returns 'name: message'."""
        try:
            self.call(path, iface, method, sig, args)
        except GLib.Error as exc:
            return f"{Gio.DBusError.get_remote_error(exc)}: {exc.message}"
        raise t.TestFailure(f"{method} on {path} did not fail")

    def sync(self) -> None:
        """Round trip to org.bluez: every signal it sent before is now pumped."""
        self.call("/", OM, "GetManagedObjects")
        self.pump()

    # -- client-side advertisement monitor application
    def export_monitor(self) -> None:
        node = Gio.DBusNodeInfo.new_for_xml(MON_XML)
        om_info = node.lookup_interface(OM)
        mon_info = node.lookup_interface("org.bluez.AdvertisementMonitor1")
        props = {"Type": GLib.Variant("s", "or_patterns"),
                 "Patterns": GLib.Variant("a(yyay)", MON_PATTERNS)}

        def on_call(_conn, _sender, path, iface, method, params, invocation):
            self.incoming.append((time.monotonic(), path, iface, method, params.unpack()))
            if method == "GetManagedObjects":
                invocation.return_value(GLib.Variant(
                    "(a{oa{sa{sv}}})", ({MON_PATH: {"org.bluez.AdvertisementMonitor1": props}},)))
            else:
                invocation.return_value(None)

        def on_get(_conn, _sender, _path, _iface, name):
            return props[name]
        self.reg_ids.append(self.conn.register_object(MON_ROOT, om_info, on_call, None, None))
        self.reg_ids.append(self.conn.register_object(MON_PATH, mon_info, on_call, on_get, None))

    def calls_in(self, method: str) -> list:
        self.pump()
        return [c for c in self.incoming if c[3] == method]


def added(client: Client, since: int, path: str):
    """The interfaces dict (GLib.Variant a{sa{sv}}) of InterfacesAdded for path."""
    for s in client.sigs(since, "/", "InterfacesAdded"):
        if s[4].get_child_value(0).get_string() == path:
            return s[4].get_child_value(1)
    return None


def removed_paths(client: Client, since: int) -> list:
    return [s[4].get_child_value(0).get_string() for s in client.sigs(since, "/", "InterfacesRemoved")]


def prop(ifaces, iface: str, name: str):
    """The inner GLib.Variant of a property in an a{sa{sv}} variant (or None)."""
    props = ifaces.lookup_value(iface, GLib.VariantType.new("a{sv}"))
    return props.lookup_value(name, None) if props is not None else None


async def test_fake(bus: t.PrivateBus, bz: t.BluezMock) -> None:
    t0 = time.monotonic()
    await bz.start()
    ready_ms = 1000 * (time.monotonic() - t0)
    client = Client(bus.address)
    try:
        await run_steps(client, bz, ready_ms)
    finally:
        client.close()


async def run_steps(client: Client, bz: t.BluezMock, ready_ms: float) -> None:
    # -- adapter
    m = client.mark()
    check(bz.add_adapter("hci0") == ADAPTER, "AddAdapter path")
    ifaces = await client.wait(lambda: added(client, m, ADAPTER), 5, "InterfacesAdded hci0")
    check(prop(ifaces, ADAPTER1, "Powered").get_boolean(), "adapter not Powered")
    check(not prop(ifaces, ADAPTER1, "Discovering").get_boolean(), "adapter Discovering")
    check(not bz.discovering("hci0"), "discovering() after AddAdapter")

    # -- device with BTHome service data and manufacturer data, typed like bluetoothd
    m = client.mark()
    dev = bz.add_le_device("hci0", "A4:C1:38:12:34:56", "ATC_123456", -70,
                           service_data={t.bthome_uuid: BTHOME},
                           manufacturer_data={0x0499: b"\x05\x12"})
    check(dev == ADAPTER + "/dev_A4_C1_38_12_34_56", f"device path {dev}")
    ifaces = await client.wait(lambda: added(client, m, dev), 5, "InterfacesAdded device")
    sd, md = prop(ifaces, DEVICE1, "ServiceData"), prop(ifaces, DEVICE1, "ManufacturerData")
    check(sd is not None and sd.get_type_string() == "a{sv}", f"ServiceData type {sd}")
    inner = sd.lookup_value(t.bthome_uuid, None)
    check(inner is not None and inner.get_type_string() == "ay" and bytes(inner.unpack()) == BTHOME,
          f"ServiceData value {inner}")
    check(md is not None and md.get_type_string() == "a{qv}", f"ManufacturerData type {md}")
    mv = md.get_child_value(0)
    check(mv.get_child_value(0).get_uint16() == 0x0499
          and mv.get_child_value(1).get_variant().get_type_string() == "ay"
          and bytes(mv.get_child_value(1).get_variant().unpack()) == b"\x05\x12",
          f"ManufacturerData entry {mv}")
    check(prop(ifaces, DEVICE1, "RSSI").get_type_string() == "n"
          and prop(ifaces, DEVICE1, "RSSI").get_int16() == -70, "RSSI")
    for name, want in (("AddressType", "random"), ("Name", "ATC_123456"), ("Alias", "ATC_123456"),
                       ("Address", "A4:C1:38:12:34:56"), ("Adapter", ADAPTER)):
        got = prop(ifaces, DEVICE1, name)
        check(got is not None and got.unpack() == want, f"{name}: {got}")
    for name in ("Paired", "Connected", "Trusted", "Blocked", "ServicesResolved"):
        check(prop(ifaces, DEVICE1, name).get_boolean() is False, f"{name} not false")
    check(prop(ifaces, DEVICE1, "UUIDs").get_type_string() == "as", "UUIDs type")
    m = client.mark()
    plain = bz.add_le_device("hci0", "11:22:33:44:55:66", "", -80)
    ifaces = await client.wait(lambda: added(client, m, plain), 5, "InterfacesAdded plain device")
    check(prop(ifaces, DEVICE1, "ServiceData") is None
          and prop(ifaces, DEVICE1, "ManufacturerData") is None
          and prop(ifaces, DEVICE1, "Name") is None, "device without data has data/Name props")
    say("adapter + devices: InterfacesAdded with a{sv}/ay ServiceData, a{qv} ManufacturerData, n RSSI")

    # -- one PropertiesChanged per advertisement
    m = client.mark()
    new = bytes([0x40, 0x01, 0x60])
    bz.update_advertisement(dev, -50, service_data={t.bthome_uuid: new})
    client.sync()
    pcs = client.changed(m, dev, DEVICE1)
    check(len(pcs) == 1, f"{len(pcs)} PropertiesChanged for one advertisement")
    keys = sorted(pcs[0].keys())
    check(keys == ["RSSI", "ServiceData"], f"changed keys {keys}")
    check(pcs[0].lookup_value("RSSI", None).get_int16() == -50, "RSSI -50")
    sdv = pcs[0].lookup_value("ServiceData", None)
    check(sdv.get_type_string() == "a{sv}"
          and bytes(sdv.lookup_value(t.bthome_uuid, None).unpack()) == new, f"ServiceData {sdv}")
    m = client.mark()
    bz.update_advertisement(dev, -52, manufacturer_data={0x0499: b"\x06"})
    client.sync()
    pcs = client.changed(m, dev, DEVICE1)
    check(len(pcs) == 1 and sorted(pcs[0].keys()) == ["ManufacturerData", "RSSI"]
          and pcs[0].lookup_value("ManufacturerData", None).get_type_string() == "a{qv}",
          f"mfr advertisement: {[str(p) for p in pcs]}")
    say("UpdateAdvertisement: exactly one PropertiesChanged (RSSI + the non-empty dicts)")

    # -- discovery: filter, injected failures, then success
    client.call(ADAPTER, ADAPTER1, "SetDiscoveryFilter", "a{sv}",
                ({"Transport": GLib.Variant("s", "le"), "DuplicateData": GLib.Variant("b", True)},))
    flt = bz.discovery_filter("hci0")
    check(flt == {"Transport": "le", "DuplicateData": True}, f"recorded filter {flt}")
    err = client.error(ADAPTER, ADAPTER1, "SetDiscoveryFilter", "a{sv}",
                       ({"Bogus": GLib.Variant("b", True)},))
    check(err.startswith("org.bluez.Error.InvalidArguments"), err)
    bz.set_discovery_failures("hci0", "org.bluez.Error.InProgress", 2)
    for _ in range(2):
        err = client.error(ADAPTER, ADAPTER1, "StartDiscovery")
        check(err.startswith("org.bluez.Error.InProgress"), f"injected failure: {err}")
    check(not bz.discovering("hci0"), "Discovering after failed StartDiscovery")
    m = client.mark()
    client.call(ADAPTER, ADAPTER1, "StartDiscovery")
    await client.wait(lambda: any(p.lookup_value("Discovering", None).get_boolean()
                                  for p in client.changed(m, ADAPTER, ADAPTER1)
                                  if p.lookup_value("Discovering", None) is not None),
                      5, "PropertiesChanged Discovering=true")
    check(bz.discovering("hci0"), "discovering() after StartDiscovery")
    err = client.error(ADAPTER, ADAPTER1, "StartDiscovery")
    check(err.startswith("org.bluez.Error.InProgress"), f"2nd StartDiscovery same client: {err}")
    m = client.mark()
    client.call(ADAPTER, ADAPTER1, "StopDiscovery")
    await client.wait(lambda: any(not p.lookup_value("Discovering", None).get_boolean()
                                  for p in client.changed(m, ADAPTER, ADAPTER1)
                                  if p.lookup_value("Discovering", None) is not None),
                      5, "PropertiesChanged Discovering=false")
    err = client.error(ADAPTER, ADAPTER1, "StopDiscovery")
    check(err.startswith("org.bluez.Error.Failed"), f"StopDiscovery without session: {err}")
    bz.set_discovery_failures("hci0", "org.bluez.Error.NotReady", 1)
    check(client.error(ADAPTER, ADAPTER1, "StartDiscovery").startswith("org.bluez.Error.NotReady"),
          "NotReady injection")
    client.call(ADAPTER, ADAPTER1, "StartDiscovery")
    check(bz.discovering("hci0"), "discovering after the NotReady injection ran out")
    check(len(bz.method_calls(ADAPTER, "StartDiscovery")) == 6, "StartDiscovery call log")
    say("discovery: filter recorded, 2x InProgress + 1x NotReady injected, then Discovering")

    # -- GATT
    m = client.mark()
    svc = bz.add_gatt_service(dev, 0x10, t.sig_uuid(0x180D))
    check(svc == dev + "/service0010", f"service path {svc}")
    nchr = bz.add_gatt_characteristic(svc, 0x11, t.sig_uuid(0x2A37), ["notify"], b"\x00\x3c")
    rchr = bz.add_gatt_characteristic(svc, 0x14, t.sig_uuid(0x2A39), ["read", "write"], b"\x01")
    check(nchr == svc + "/char0011" and rchr == svc + "/char0014", f"char paths {nchr} {rchr}")
    await client.wait(lambda: added(client, m, rchr), 5, "InterfacesAdded char")
    check(prop(added(client, m, svc), "org.bluez.GattService1", "Primary").get_boolean(), "Primary")
    check(prop(added(client, m, nchr), CHRC1, "Value").get_type_string() == "ay", "Value type")
    check(any(t.sig_uuid(0x180D) in p.lookup_value("UUIDs", None).unpack()
              for p in client.changed(m, dev, DEVICE1) if p.lookup_value("UUIDs", None)),
          "Device1.UUIDs not updated")
    for method, sig, args in (("StartNotify", None, ()), ("ReadValue", "a{sv}", ({},))):
        err = client.error(rchr if method == "ReadValue" else nchr, CHRC1, method, sig, args)
        check(err.startswith("org.bluez.Error.NotConnected"), f"{method} disconnected: {err}")

    bz.set_connect_failures(dev, 1)
    err = client.error(dev, DEVICE1, "Connect")
    check(err.startswith("org.bluez.Error.Failed") and "le-connection-abort-by-local" in err, err)
    check(not bz.connected(dev), "connected after a failed Connect")
    m = client.mark()
    t_conn = time.monotonic()
    client.call(dev, DEVICE1, "Connect")

    def resolved_at():
        for s in client.sigs(m, dev, "PropertiesChanged"):
            v = s[4].get_child_value(1).lookup_value("ServicesResolved", None)
            if v is not None and v.get_boolean():
                return s[0]
        return None
    t_res = await client.wait(resolved_at, 5, "ServicesResolved=true")
    check(any(p.lookup_value("Connected", None) is not None
              and p.lookup_value("Connected", None).get_boolean()
              for p in client.changed(m, dev, DEVICE1)), "Connected=true signal")
    check(bz.connected(dev), "connected() after Connect")
    resolve_ms = 1000 * (t_res - t_conn)
    check(len(bz.method_calls(dev, "Connect")) == 2, "Connect call log")

    err = client.error(rchr, CHRC1, "StartNotify")
    check(err.startswith("org.bluez.Error.NotSupported"), f"StartNotify without notify: {err}")
    err = client.error(nchr, CHRC1, "WriteValue", "aya{sv}", (b"\x01", {}))
    check(err.startswith("org.bluez.Error.NotPermitted"), f"WriteValue without write: {err}")

    seq = [b"\x00\x3d", b"\x00\x3e", b"\x00\x3f"]
    bz.set_notify_sequence(nchr, seq, 100)
    m = client.mark()
    t_start = time.monotonic()
    client.call(nchr, CHRC1, "StartNotify")

    def values():
        return [(s[0], bytes(s[4].get_child_value(1).lookup_value("Value", None).unpack()))
                for s in client.sigs(m, nchr, "PropertiesChanged")
                if s[4].get_child_value(1).lookup_value("Value", None) is not None]
    got = await client.wait(lambda: len(values()) >= 4 and values(), 5, "4 notifications")
    check([v for _, v in got[:4]] == seq + seq[:1], f"notified values {got}")
    check(bz.notifying(nchr), "notifying() after StartNotify")
    gaps = [1000 * (b[0] - a[0]) for a, b in zip([(t_start, None)] + got[:3], got[:4])]
    err = client.error(nchr, CHRC1, "StartNotify")
    check(err.startswith("org.bluez.Error.InProgress"), f"2nd StartNotify same client: {err}")

    m = client.mark()
    bz.set_characteristic_value(nchr, b"\x00\x50")
    await client.wait(lambda: any(v == b"\x00\x50" for _, v in values()), 5, "SetCharacteristicValue")

    client.call(rchr, CHRC1, "WriteValue", "aya{sv}", (b"\x02\x03", {"type": GLib.Variant("s", "request")}))
    client.call(rchr, CHRC1, "WriteValue", "aya{sv}", (b"\x04", {}))
    check(bz.get_writes(rchr) == [b"\x02\x03", b"\x04"], f"writes {bz.get_writes(rchr)}")
    rv = client.call(rchr, CHRC1, "ReadValue", "a{sv}", ({},))[0]
    check(bytes(rv) == b"\x04", f"ReadValue after write {rv}")

    m = client.mark()
    client.call(dev, DEVICE1, "Disconnect")
    await client.wait(lambda: any(p.lookup_value("Connected", None) is not None
                                  and not p.lookup_value("Connected", None).get_boolean()
                                  for p in client.changed(m, dev, DEVICE1)), 5, "Connected=false")
    check(any(p.lookup_value("ServicesResolved", None) is not None
              for p in client.changed(m, dev, DEVICE1)), "ServicesResolved=false signal")
    check(any(p.lookup_value("Notifying", None) is not None
              and not p.lookup_value("Notifying", None).get_boolean()
              for p in client.changed(m, nchr, CHRC1)), "Notifying=false on disconnect")
    check(not bz.notifying(nchr) and not bz.connected(dev), "state after Disconnect")
    err = client.error(rchr, CHRC1, "WriteValue", "aya{sv}", (b"\x05", {}))
    check(err.startswith("org.bluez.Error.NotConnected"), f"WriteValue disconnected: {err}")
    err = client.error(dev, DEVICE1, "Disconnect")
    check(err.startswith("org.bluez.Error.NotConnected"), f"Disconnect twice: {err}")
    say(f"GATT: Connect->ServicesResolved {resolve_ms:.0f} ms; notify gaps "
        f"{', '.join(f'{g:.0f}' for g in gaps)} ms (100 ms sequence); writes recorded; "
        "NotConnected/NotSupported/NotPermitted")

    # -- advertisement monitors
    client.export_monitor()
    client.call(ADAPTER, "org.bluez.AdvertisementMonitorManager1", "RegisterMonitor", "o", (MON_ROOT,))
    await client.wait(lambda: client.calls_in("Activate"), 5, "Activate on the client's monitor")
    check(client.calls_in("GetManagedObjects")[0][1] == MON_ROOT, "GetManagedObjects on root")
    regs = bz.monitor_registrations()
    check(regs == [(ADAPTER, client.conn.get_unique_name(), MON_ROOT)], f"registrations {regs}")
    # the BTHome device is already known: found right away
    await client.wait(lambda: any(c[4] == (dev,) for c in client.calls_in("DeviceFound")),
                      5, "DeviceFound for the BTHome device")
    dev2 = bz.add_le_device("hci0", "C0:FF:EE:00:00:02", "mfr", -60,
                            manufacturer_data={0x0499: b"\x05\x01"})
    bz.add_le_device("hci0", "C0:FF:EE:00:00:03", "apple", -60,
                     manufacturer_data={0x004C: b"\x02\x15"})
    await client.wait(lambda: any(c[4] == (dev2,) for c in client.calls_in("DeviceFound")),
                      5, "DeviceFound for the 0x0499 device")
    bz.update_advertisement(dev2, -61, manufacturer_data={0x0499: b"\x05\x02"})
    bz.update_advertisement(plain, -79, service_data={t.bthome_uuid: BTHOME})
    await client.wait(lambda: any(c[4] == (plain,) for c in client.calls_in("DeviceFound")),
                      5, "DeviceFound after a matching UpdateAdvertisement")
    found = [c[4][0] for c in client.calls_in("DeviceFound")]
    check(sorted(found) == sorted([dev, dev2, plain]), f"DeviceFound calls {found}")
    bz.remove_device(dev2)
    await client.wait(lambda: any(c[4] == (dev2,) for c in client.calls_in("DeviceLost")),
                      5, "DeviceLost")
    client.call(ADAPTER, "org.bluez.AdvertisementMonitorManager1", "UnregisterMonitor", "o", (MON_ROOT,))
    await client.wait(lambda: client.calls_in("Release"), 5, "Release")
    check(bz.monitor_registrations() == [], "registration left after UnregisterMonitor")
    check(len(bz.method_calls(ADAPTER, "RegisterMonitor")) == 1, "RegisterMonitor call log")
    say(f"monitor: Activate, DeviceFound x{len(found)} (once per device, no match for 0x004c), "
        "DeviceLost, Release")

    # -- RemoveAdapter: children first
    m = client.mark()
    bz.remove_adapter("hci0")
    await client.wait(lambda: ADAPTER in removed_paths(client, m), 5, "InterfacesRemoved hci0")
    order = removed_paths(client, m)
    for child, parent in ((nchr, svc), (rchr, svc), (svc, dev), (dev, ADAPTER), (plain, ADAPTER)):
        check(child in order and order.index(child) < order.index(parent),
              f"{child} not removed before {parent}: {order}")
    objs = client.call("/", OM, "GetManagedObjects")[0]
    check(list(objs) == ["/org/bluez"], f"objects left: {list(objs)}")
    say(f"RemoveAdapter: {len(order)} InterfacesRemoved, children first")

    # -- bluetoothd restart: name vanishes, comes back without adapters
    bz.add_adapter("hci0")
    bz.add_le_device("hci0", "A4:C1:38:00:00:01", "x", -40)
    m = client.mark()
    t_rs = time.monotonic()
    await bz.restart()
    restart_ms = 1000 * (time.monotonic() - t_rs)

    def owners():
        return [s[4].unpack()[1:] for s in client.sigs(m, "/org/freedesktop/DBus", "NameOwnerChanged")]
    await client.wait(lambda: len(owners()) >= 2, 5, "org.bluez lost and re-acquired")
    check(owners()[0][1] == "" and owners()[1][0] == "", f"owner changes {owners()}")
    objs = client.call("/", OM, "GetManagedObjects")[0]
    check(list(objs) == ["/org/bluez"], f"objects after restart: {list(objs)}")
    check(bz.monitor_registrations() == [], "monitor registrations survived the restart")
    check(bz.add_adapter("hci0") == ADAPTER, "AddAdapter after restart")
    say(f"restart: org.bluez gone and back in {restart_ms:.0f} ms, no adapters; "
        f"mock ready after {ready_ms:.0f} ms at first start")


async def test(ctx: t.Ctx) -> None:
    bus = await ctx.bus()
    bz = t.BluezMock(bus, monitor=True)
    try:
        await test_fake(bus, bz)
    except BaseException:
        bz.dump()
        raise
    finally:
        await bz.cleanup()


if __name__ == "__main__":
    t.run(test, "bluez_mock", timeout=60)
