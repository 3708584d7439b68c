# -*- coding: utf-8 -*-
'''python-dbusmock template: a BlueZ (bluetoothd) fake for iotgw's integration tests.

Load with (Debian's python, python3-dbusmock 0.28.7):

    /usr/bin/python3 -m dbusmock --system --template tests/integration/bluez_mock_template.py \
        -p '{"monitor": true}' -l mock.log

Owns org.bluez, exports org.freedesktop.DBus.ObjectManager at / and /org/bluez
(AgentManager1/ProfileManager1, from the stock bluez5 template).  No adapters
at start (like a bluetoothd that has just started; parameter "adapters": a
list of names such as ["hci0"] adds some in load()).

Parameters (JSON dict given with -p):
  monitor   (bool, default false)  export org.bluez.AdvertisementMonitorManager1
                                   on every adapter
  adapters  (list of str)          adapters to add at start

Test control API on / , interface org.bluez.Mock (see the table in
tests/integration/igwtest.py, class BluezMock):
  AddAdapter(s name, s alias) -> o          RemoveAdapter(s name)
  SetDiscoveryFailures(s adapter, s error, u count)
  GetDiscoveryFilter(s adapter) -> a{sv}    (the last filter set, {} if none)
  AddLEDevice(s adapter, s address, s name, n rssi, a{sv} extra) -> o
  UpdateAdvertisement(o dev, n rssi, a{sv} service_data, a{qv} mfr_data)
  RemoveLEDevice(o dev)                     DropConnection(o dev)
  AddGattService(o dev, q handle, s uuid) -> o
  AddGattCharacteristic(o svc, q handle, s uuid, as flags, ay value) -> o
  SetCharacteristicValue(o chr, ay value)
  SetNotifySequence(o chr, aay values, u interval_ms)
  GetWrites(o chr) -> aay                   SetConnectFailures(o dev, u count)
  GetMonitorRegistrations() -> a(oso)       (adapter, client unique name, root)
  GetMonitorEvents() -> a(sos)              (event, monitor path, device path)
Plus the stock bluez5 Mock methods (AddDevice, PairDevice, BlockDevice,
ConnectDevice, DisconnectDevice, RemoveAdapterWithDevices); note that the
stock AddDevice still produces the stock's wrongly typed Device1.

Fixed stock bugs: StartDiscovery/StopDiscovery no longer need a prior
SetDiscoveryFilter and emit PropertiesChanged(Discovering) (and no longer
touch Discoverable); no aa{sv}/aa{qv} properties; ServiceData/ManufacturerData
changes are signalled; InterfacesAdded/Removed are sent for everything the
Mock methods add or remove (children first).

Like bluetoothd, discovery and notify sessions belong to the calling client
(its unique bus name): StartDiscovery twice from the same client ->
org.bluez.Error.InProgress, StopDiscovery without a session ->
org.bluez.Error.Failed; when a client leaves the bus, its discovery sessions,
notify sessions and advertisement monitors are dropped.
'''

import functools
import re
import time

import dbus
import dbus.lowlevel
import dbus.service
from gi.repository import GLib

from dbusmock import OBJECT_MANAGER_IFACE, mockobject
from dbusmock.templates import bluez5 as _stock

BUS_NAME = 'org.bluez'
MAIN_OBJ = '/'
SYSTEM_BUS = True
IS_OBJECT_MANAGER = True

BLUEZ_MOCK_IFACE = 'org.bluez.Mock'
ADAPTER_IFACE = 'org.bluez.Adapter1'
DEVICE_IFACE = 'org.bluez.Device1'
GATT_SERVICE_IFACE = 'org.bluez.GattService1'
GATT_CHRC_IFACE = 'org.bluez.GattCharacteristic1'
MONITOR_MANAGER_IFACE = 'org.bluez.AdvertisementMonitorManager1'
MONITOR_IFACE = 'org.bluez.AdvertisementMonitor1'
MEDIA_IFACE = 'org.bluez.Media1'
NETWORK_SERVER_IFACE = 'org.bluez.Network1'
PROPS_IFACE = dbus.PROPERTIES_IFACE

SIG_BASE_SUFFIX = '-0000-1000-8000-00805f9b34fb'
SERVICES_RESOLVED_DELAY_MS = 50

# Template-wide state (one mock process = one bluetoothd).
_STATE = {
    'monitor': False,
    'watched': set(),        # client unique names we watch (NameOwnerChanged)
    'watches': [],           # dbus-python watch objects (kept alive)
    'apps': [],              # advertisement monitor registrations (dicts)
    'events': [],            # (event, monitor path, device path)
}


# ---------------------------------------------------------------------------
# helpers

def _err(name, msg):
    raise dbus.exceptions.DBusException(msg, name=name)


def _manager():
    return mockobject.objects['/']


def _obj(path, iface, what):
    path = str(path)
    obj = mockobject.objects.get(path)
    if obj is None or iface not in obj.props:
        _err('org.bluez.Mock.NoSuchObject', f'no {what} at {path}')
    return obj


def _bytes(value, variant_level=1):
    return dbus.Array([dbus.Byte(int(b)) for b in bytes(bytearray(int(b) for b in value))],
                      signature='y', variant_level=variant_level)


def _service_data(data):
    '''{uuid: bytes-like} (values may arrive as variants) -> a{sv} of ay'''
    return dbus.Dictionary({dbus.String(str(k)): _bytes(v) for k, v in data.items()},
                           signature='sv', variant_level=1)


def _mfr_data(data):
    '''{company id: bytes-like} -> a{qv} of ay'''
    return dbus.Dictionary({dbus.UInt16(int(k)): _bytes(v) for k, v in data.items()},
                           signature='qv', variant_level=1)


def _props_changed(obj, iface, changed, store=True):
    '''Store the changed properties and emit ONE PropertiesChanged.'''
    if store:
        obj.props.setdefault(iface, {}).update(changed)
    obj.EmitSignal(PROPS_IFACE, 'PropertiesChanged', 'sa{sv}as', [
        iface, dbus.Dictionary(changed, signature='sv'), dbus.Array([], signature='s')])


def _emit_added(path):
    obj = mockobject.objects[path]
    _manager().EmitSignal(OBJECT_MANAGER_IFACE, 'InterfacesAdded', 'oa{sa{sv}}', [
        dbus.ObjectPath(path),
        dbus.Dictionary({k: dbus.Dictionary(v, signature='sv') for k, v in obj.props.items()},
                        signature='sa{sv}')])


def _remove_object(path):
    '''Remove one object (no children) and emit InterfacesRemoved.'''
    obj = mockobject.objects.get(path)
    if obj is None:
        return
    for timer in ('seq_timer', 'resolve_timer'):
        tid = getattr(obj, timer, 0)
        if tid:
            GLib.source_remove(tid)
            setattr(obj, timer, 0)
    ifaces = dbus.Array(list(obj.props.keys()), signature='s')
    _manager().RemoveObject(path)
    _manager().EmitSignal(OBJECT_MANAGER_IFACE, 'InterfacesRemoved', 'oas',
                          [dbus.ObjectPath(path), ifaces])


def _remove_tree(path):
    '''Remove path and all objects below it, deepest first.'''
    path = str(path)
    below = [p for p in list(mockobject.objects) if p.startswith(path + '/')]
    for p in sorted(below, key=lambda p: p.count('/'), reverse=True):
        if DEVICE_IFACE in mockobject.objects[p].props:
            _monitor_device_lost(p)
        _remove_object(p)
    if path in mockobject.objects and DEVICE_IFACE in mockobject.objects[path].props:
        _monitor_device_lost(path)
    _remove_object(path)


_IMPL = {}   # (iface, name) -> wrapped dbus method (kept out of module scope so
             # that AddTemplate does not also put them on "/")


def _method(iface, in_sig='', out_sig='', **kw):
    '''Like @dbus.service.method, for methods on child objects: the result is
    registered in _IMPL (attach with _attach), calls are logged in the
    object's call log (GetMethodCalls works) like dbusmock's own methods.'''
    def deco(func):
        decorated = dbus.service.method(iface, in_signature=in_sig, out_signature=out_sig,
                                        **kw)(func)

        @functools.wraps(decorated)
        def wrapper(obj, *args, **kwargs):
            obj.log(f'{func.__name__}{mockobject._format_args(args)}')
            obj.call_log.append((int(time.time()), func.__name__, list(args)))
            obj.MethodCalled(func.__name__, list(args))
            return func(obj, *args, **kwargs)
        _IMPL[(iface, func.__name__)] = wrapper
    return deco


def _attach(obj, iface, names):
    for name in names:
        fn = _IMPL[(iface, name)]
        obj.methods.setdefault(iface, {})[name] = (
            fn._dbus_in_signature, fn._dbus_out_signature, '', fn)


def _watch_client(sender):
    '''Drop a client's sessions and monitors when it leaves the bus.'''
    sender = str(sender)
    if not sender or sender in _STATE['watched']:
        return
    _STATE['watched'].add(sender)
    bus = _manager().bus_name.get_bus()

    def changed(owner, name=sender):
        if owner:
            return
        _STATE['watched'].discard(name)
        _client_gone(name)
    _STATE['watches'].append(bus.watch_name_owner(sender, changed))


def _client_gone(sender):
    _manager().log(f'client {sender} left the bus')
    for path, obj in list(mockobject.objects.items()):
        if ADAPTER_IFACE in obj.props and sender in getattr(obj, 'discovery_sessions', set()):
            obj.discovery_sessions.discard(sender)
            if not obj.discovery_sessions and obj.props[ADAPTER_IFACE]['Discovering']:
                _props_changed(obj, ADAPTER_IFACE, {'Discovering': dbus.Boolean(False, variant_level=1)})
        if GATT_CHRC_IFACE in obj.props and sender in getattr(obj, 'notify_sessions', set()):
            obj.notify_sessions.discard(sender)
            if not obj.notify_sessions:
                _set_notifying(obj, False)
    for app in list(_STATE['apps']):
        if app['sender'] == sender:
            _STATE['apps'].remove(app)


def _uuid16(uuid):
    m = re.fullmatch(r'0000([0-9a-f]{4})' + re.escape(SIG_BASE_SUFFIX), str(uuid).lower())
    return int(m.group(1), 16) if m else None


# ---------------------------------------------------------------------------
# Adapter1

DISCOVERY_FILTER_KEYS = {'UUIDs', 'RSSI', 'Pathloss', 'Transport', 'DuplicateData',
                         'Discoverable', 'Pattern'}


@_method(ADAPTER_IFACE, 'a{sv}', '', sender_keyword='sender')
def SetDiscoveryFilter(adapter, discovery_filter, sender=None):
    for key, value in discovery_filter.items():
        if key not in DISCOVERY_FILTER_KEYS:
            _err('org.bluez.Error.InvalidArguments', f'unknown filter key {key}')
        if key == 'Transport' and str(value) not in ('auto', 'bredr', 'le'):
            _err('org.bluez.Error.InvalidArguments', f'bad Transport {value}')
    adapter.discovery_filter = dbus.Dictionary(discovery_filter, signature='sv')


@_method(ADAPTER_IFACE, '', 'as')
def GetDiscoveryFilters(_adapter):
    return dbus.Array(sorted(DISCOVERY_FILTER_KEYS), signature='s')


@_method(ADAPTER_IFACE, '', '', sender_keyword='sender')
def StartDiscovery(adapter, sender=None):
    failures = adapter.discovery_failures
    if failures[1] > 0:
        failures[1] -= 1
        _err(failures[0], 'simulated StartDiscovery failure')
    if not adapter.props[ADAPTER_IFACE]['Powered']:
        _err('org.bluez.Error.NotReady', 'Resource Not Ready')
    if sender in adapter.discovery_sessions:
        _err('org.bluez.Error.InProgress', 'Operation already in progress')
    adapter.discovery_sessions.add(sender)
    _watch_client(sender)
    if not adapter.props[ADAPTER_IFACE]['Discovering']:
        _props_changed(adapter, ADAPTER_IFACE, {'Discovering': dbus.Boolean(True, variant_level=1)})


@_method(ADAPTER_IFACE, '', '', sender_keyword='sender')
def StopDiscovery(adapter, sender=None):
    if not adapter.props[ADAPTER_IFACE]['Powered']:
        _err('org.bluez.Error.NotReady', 'Resource Not Ready')
    if sender not in adapter.discovery_sessions:
        _err('org.bluez.Error.Failed', 'No discovery started')
    adapter.discovery_sessions.discard(sender)
    if not adapter.discovery_sessions and adapter.props[ADAPTER_IFACE]['Discovering']:
        _props_changed(adapter, ADAPTER_IFACE, {'Discovering': dbus.Boolean(False, variant_level=1)})


@_method(ADAPTER_IFACE, 'o', '')
def RemoveDevice(adapter, path):
    path = str(path)
    if not path.startswith(adapter.path + '/') or path not in mockobject.objects:
        _err('org.bluez.Error.DoesNotExist', 'Does Not Exist')
    _remove_tree(path)


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='ss', out_signature='o')
def AddAdapter(self, device_name, system_name):
    '''Add an adapter /org/bluez/<device_name> (Powered, not Discovering).'''
    path = '/org/bluez/' + device_name
    if path in mockobject.objects:
        _err('org.bluez.Mock.AlreadyExists', f'{path} exists')
    digits = re.sub(r'\D', '', device_name) or '0'
    n = int(digits) % 90
    address = ':'.join(f'{n + i:02d}' for i in range(6))
    props = {
        'Address': dbus.String(address, variant_level=1),
        'AddressType': dbus.String('public', variant_level=1),
        'Name': dbus.String(system_name, variant_level=1),
        'Alias': dbus.String(system_name, variant_level=1),
        'Class': dbus.UInt32(268, variant_level=1),
        'Powered': dbus.Boolean(True, variant_level=1),
        'Discoverable': dbus.Boolean(False, variant_level=1),
        'DiscoverableTimeout': dbus.UInt32(180, variant_level=1),
        'Pairable': dbus.Boolean(True, variant_level=1),
        'PairableTimeout': dbus.UInt32(0, variant_level=1),
        'Discovering': dbus.Boolean(False, variant_level=1),
        'UUIDs': dbus.Array(['00001800' + SIG_BASE_SUFFIX, '00001801' + SIG_BASE_SUFFIX],
                            signature='s', variant_level=1),
        'Modalias': dbus.String('usb:v1D6Bp0246d0542', variant_level=1),
        'Roles': dbus.Array(['central', 'peripheral'], signature='s', variant_level=1),
    }
    self.AddObject(path, ADAPTER_IFACE, props, [])
    adapter = mockobject.objects[path]
    _attach(adapter, ADAPTER_IFACE, ['SetDiscoveryFilter', 'GetDiscoveryFilters',
                                     'StartDiscovery', 'StopDiscovery', 'RemoveDevice'])
    adapter.AddMethods(MEDIA_IFACE, [('RegisterEndpoint', 'oa{sv}', '', ''),
                                     ('UnregisterEndpoint', 'o', '', '')])
    adapter.AddMethods(NETWORK_SERVER_IFACE, [('Register', 'ss', '', ''),
                                              ('Unregister', 's', '', '')])
    adapter.discovery_filter = dbus.Dictionary({}, signature='sv')
    adapter.discovery_failures = ['org.bluez.Error.Failed', 0]
    adapter.discovery_sessions = set()
    if _STATE['monitor']:
        adapter.AddProperties(MONITOR_MANAGER_IFACE, {
            'SupportedMonitorTypes': dbus.Array(['or_patterns'], signature='s', variant_level=1),
            'SupportedFeatures': dbus.Array([], signature='s', variant_level=1),
        })
        _attach(adapter, MONITOR_MANAGER_IFACE, ['RegisterMonitor', 'UnregisterMonitor'])
    _emit_added(path)
    return dbus.ObjectPath(path)


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='s', out_signature='')
def RemoveAdapter(self, device_name):
    '''Remove an adapter and everything below it (InterfacesRemoved, children first).'''
    path = '/org/bluez/' + device_name
    _obj(path, ADAPTER_IFACE, 'adapter')
    _remove_tree(path)          # monitors still registered get DeviceLost
    for app in list(_STATE['apps']):
        if app['adapter'] == path:
            _STATE['apps'].remove(app)


# the stock one; ours already removes devices
RemoveAdapterWithDevices = RemoveAdapter


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='ssu', out_signature='')
def SetDiscoveryFailures(self, adapter_name, error_name, count):
    '''The next `count` StartDiscovery calls on the adapter fail with error_name.'''
    adapter = _obj('/org/bluez/' + adapter_name, ADAPTER_IFACE, 'adapter')
    adapter.discovery_failures = [str(error_name), int(count)]


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='s', out_signature='a{sv}')
def GetDiscoveryFilter(self, adapter_name):
    adapter = _obj('/org/bluez/' + adapter_name, ADAPTER_IFACE, 'adapter')
    return adapter.discovery_filter


# stock Mock methods kept as they are
AddDevice = _stock.AddDevice
PairDevice = _stock.PairDevice
BlockDevice = _stock.BlockDevice
ConnectDevice = _stock.ConnectDevice
DisconnectDevice = _stock.DisconnectDevice


# ---------------------------------------------------------------------------
# Device1

def _device_path(adapter_path, address):
    return adapter_path + '/dev_' + str(address).replace(':', '_').upper()


def _set_notifying(chrc, on):
    if bool(chrc.props[GATT_CHRC_IFACE]['Notifying']) == on:
        return
    if not on:
        chrc.notify_sessions = set()
        if chrc.seq_timer:
            GLib.source_remove(chrc.seq_timer)
            chrc.seq_timer = 0
    _props_changed(chrc, GATT_CHRC_IFACE, {'Notifying': dbus.Boolean(on, variant_level=1)})
    if on:
        _restart_sequence(chrc)


def _chars_of(dev_path):
    return [o for p, o in list(mockobject.objects.items())
            if p.startswith(dev_path + '/') and GATT_CHRC_IFACE in o.props]


def _disconnect(dev):
    if dev.resolve_timer:
        GLib.source_remove(dev.resolve_timer)
        dev.resolve_timer = 0
    for chrc in _chars_of(dev.path):
        _set_notifying(chrc, False)
    props = dev.props[DEVICE_IFACE]
    if props['ServicesResolved']:
        _props_changed(dev, DEVICE_IFACE, {'ServicesResolved': dbus.Boolean(False, variant_level=1)})
    if props['Connected']:
        _props_changed(dev, DEVICE_IFACE, {'Connected': dbus.Boolean(False, variant_level=1)})


@_method(DEVICE_IFACE, '', '')
def Connect(dev):
    if dev.connect_failures > 0:
        dev.connect_failures -= 1
        _err('org.bluez.Error.Failed', 'le-connection-abort-by-local')
    adapter = mockobject.objects.get(str(dev.props[DEVICE_IFACE]['Adapter']))
    if adapter is None or not adapter.props[ADAPTER_IFACE]['Powered']:
        _err('org.bluez.Error.NotReady', 'Resource Not Ready')
    if dev.props[DEVICE_IFACE]['Connected']:
        return   # bluetoothd answers an LE Connect on a connected device with success
    _props_changed(dev, DEVICE_IFACE, {'Connected': dbus.Boolean(True, variant_level=1)})

    def resolved(d=dev):
        d.resolve_timer = 0
        if d.path in mockobject.objects and d.props[DEVICE_IFACE]['Connected']:
            _props_changed(d, DEVICE_IFACE, {'ServicesResolved': dbus.Boolean(True, variant_level=1)})
        return False
    dev.resolve_timer = GLib.timeout_add(SERVICES_RESOLVED_DELAY_MS, resolved)


@_method(DEVICE_IFACE, '', '')
def Disconnect(dev):
    if not dev.props[DEVICE_IFACE]['Connected']:
        _err('org.bluez.Error.NotConnected', 'Not Connected')
    _disconnect(dev)


@_method(DEVICE_IFACE, '', '')
def Pair(dev):
    if dev.props[DEVICE_IFACE]['Paired']:
        _err('org.bluez.Error.AlreadyExists', 'Already Exists')
    _props_changed(dev, DEVICE_IFACE, {'Paired': dbus.Boolean(True, variant_level=1)})


@_method(DEVICE_IFACE, '', '')
def CancelPairing(_dev):
    _err('org.bluez.Error.DoesNotExist', 'Does Not Exist')


@_method(DEVICE_IFACE, 's', '')
def ConnectProfile(_dev, _uuid):
    _err('org.bluez.Error.NotAvailable', 'Operation currently not available')


@_method(DEVICE_IFACE, 's', '')
def DisconnectProfile(_dev, _uuid):
    _err('org.bluez.Error.NotConnected', 'Not Connected')


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='sssna{sv}', out_signature='o')
def AddLEDevice(self, adapter_name, address, name, rssi, extra):
    '''Add an LE device as bluetoothd does on its first advertisement.

    extra may hold ServiceData (a{sv} of ay), ManufacturerData (a{qv} of ay),
    UUIDs (as), AddressType (s), TxPower (n), Appearance (q).'''
    adapter_path = '/org/bluez/' + adapter_name
    _obj(adapter_path, ADAPTER_IFACE, 'adapter')
    if not re.fullmatch(r'([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}', str(address)):
        _err('org.bluez.Error.InvalidArguments', f'bad address {address}')
    address = str(address).upper()
    path = _device_path(adapter_path, address)
    if path in mockobject.objects:
        _err('org.bluez.Mock.AlreadyExists', f'{path} exists')
    props = {
        'Address': dbus.String(address, variant_level=1),
        'AddressType': dbus.String(str(extra.get('AddressType', 'random')), variant_level=1),
        'Alias': dbus.String(str(name) if name else address.replace(':', '-'), variant_level=1),
        'Paired': dbus.Boolean(False, variant_level=1),
        'Bonded': dbus.Boolean(False, variant_level=1),
        'Trusted': dbus.Boolean(False, variant_level=1),
        'Blocked': dbus.Boolean(False, variant_level=1),
        'LegacyPairing': dbus.Boolean(False, variant_level=1),
        'Connected': dbus.Boolean(False, variant_level=1),
        'ServicesResolved': dbus.Boolean(False, variant_level=1),
        'Adapter': dbus.ObjectPath(adapter_path, variant_level=1),
        'RSSI': dbus.Int16(int(rssi), variant_level=1),
        'UUIDs': dbus.Array([str(u) for u in extra.get('UUIDs', [])], signature='s',
                            variant_level=1),
    }
    if name:
        props['Name'] = dbus.String(str(name), variant_level=1)
    if 'TxPower' in extra:
        props['TxPower'] = dbus.Int16(int(extra['TxPower']), variant_level=1)
    if 'Appearance' in extra:
        props['Appearance'] = dbus.UInt16(int(extra['Appearance']), variant_level=1)
    if extra.get('ManufacturerData'):
        props['ManufacturerData'] = _mfr_data(extra['ManufacturerData'])
    if extra.get('ServiceData'):
        props['ServiceData'] = _service_data(extra['ServiceData'])
    self.AddObject(path, DEVICE_IFACE, props, [])
    dev = mockobject.objects[path]
    _attach(dev, DEVICE_IFACE, ['Connect', 'Disconnect', 'Pair', 'CancelPairing',
                                'ConnectProfile', 'DisconnectProfile'])
    dev.connect_failures = 0
    dev.resolve_timer = 0
    _emit_added(path)
    _monitor_feed(dev)
    return dbus.ObjectPath(path)


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='ona{sv}a{qv}', out_signature='')
def UpdateAdvertisement(self, dev_path, rssi, service_data, mfr_data):
    '''A new advertisement: ONE PropertiesChanged with RSSI and the non-empty dicts.'''
    dev = _obj(dev_path, DEVICE_IFACE, 'device')
    changed = {'RSSI': dbus.Int16(int(rssi), variant_level=1)}
    if service_data:
        changed['ServiceData'] = _service_data(service_data)
    if mfr_data:
        changed['ManufacturerData'] = _mfr_data(mfr_data)
    _props_changed(dev, DEVICE_IFACE, changed)
    _monitor_feed(dev)


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='o', out_signature='')
def RemoveLEDevice(self, dev_path):
    '''Remove a device: InterfacesRemoved for chars, services, then the device.'''
    _obj(dev_path, DEVICE_IFACE, 'device')
    _remove_tree(str(dev_path))


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='o', out_signature='')
def DropConnection(self, dev_path):
    '''The remote side went away (link loss): like Disconnect, from the device.'''
    _disconnect(_obj(dev_path, DEVICE_IFACE, 'device'))


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='ou', out_signature='')
def SetConnectFailures(self, dev_path, count):
    '''The next `count` Connect calls fail: org.bluez.Error.Failed le-connection-abort-by-local.'''
    _obj(dev_path, DEVICE_IFACE, 'device').connect_failures = int(count)


# ---------------------------------------------------------------------------
# GATT

def _device_of(chrc):
    svc = mockobject.objects[str(chrc.props[GATT_CHRC_IFACE]['Service'])]
    return mockobject.objects[str(svc.props[GATT_SERVICE_IFACE]['Device'])]


def _require_connected(chrc):
    if not _device_of(chrc).props[DEVICE_IFACE]['Connected']:
        _err('org.bluez.Error.NotConnected', 'Not Connected')


def _flags(chrc):
    return {str(f) for f in chrc.props[GATT_CHRC_IFACE]['Flags']}


def _notify_value(chrc, value):
    changed = {'Value': _bytes(value)}
    if chrc.props[GATT_CHRC_IFACE]['Notifying']:
        _props_changed(chrc, GATT_CHRC_IFACE, changed)
    else:
        chrc.props[GATT_CHRC_IFACE].update(changed)


def _restart_sequence(chrc):
    if chrc.seq_timer:
        GLib.source_remove(chrc.seq_timer)
        chrc.seq_timer = 0
    if not chrc.sequence or not chrc.props[GATT_CHRC_IFACE]['Notifying']:
        return

    def tick(c=chrc):
        if c.path not in mockobject.objects or not c.props[GATT_CHRC_IFACE]['Notifying']:
            c.seq_timer = 0
            return False
        value = c.sequence[c.seq_index % len(c.sequence)]
        c.seq_index += 1
        _notify_value(c, value)
        return True
    chrc.seq_timer = GLib.timeout_add(max(1, chrc.seq_interval), tick)


@_method(GATT_CHRC_IFACE, 'a{sv}', 'ay')
def ReadValue(chrc, _options):
    _require_connected(chrc)
    if 'read' not in _flags(chrc):
        _err('org.bluez.Error.NotPermitted', 'Read not permitted')
    return _bytes(chrc.props[GATT_CHRC_IFACE]['Value'], variant_level=0)


@_method(GATT_CHRC_IFACE, 'aya{sv}', '')
def WriteValue(chrc, value, _options):
    _require_connected(chrc)
    if not _flags(chrc) & {'write', 'write-without-response', 'reliable-write',
                           'authenticated-signed-writes'}:
        _err('org.bluez.Error.NotPermitted', 'Write not permitted')
    chrc.writes.append(bytes(bytearray(int(b) for b in value)))
    _notify_value(chrc, value)


@_method(GATT_CHRC_IFACE, '', '', sender_keyword='sender')
def StartNotify(chrc, sender=None):
    _require_connected(chrc)
    if not _flags(chrc) & {'notify', 'indicate'}:
        _err('org.bluez.Error.NotSupported', 'Operation is not supported')
    if sender in chrc.notify_sessions:
        _err('org.bluez.Error.InProgress', 'Operation already in progress')
    chrc.notify_sessions.add(sender)
    _watch_client(sender)
    _set_notifying(chrc, True)


@_method(GATT_CHRC_IFACE, '', '', sender_keyword='sender')
def StopNotify(chrc, sender=None):
    if sender not in chrc.notify_sessions:
        _err('org.bluez.Error.Failed', 'No notify session started')
    chrc.notify_sessions.discard(sender)
    if not chrc.notify_sessions:
        _set_notifying(chrc, False)


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='oqs', out_signature='o')
def AddGattService(self, dev_path, handle, uuid):
    '''Add a primary GATT service <dev>/serviceXXXX; its UUID joins Device1.UUIDs.'''
    dev = _obj(dev_path, DEVICE_IFACE, 'device')
    path = f'{dev.path}/service{int(handle):04x}'
    if path in mockobject.objects:
        _err('org.bluez.Mock.AlreadyExists', f'{path} exists')
    self.AddObject(path, GATT_SERVICE_IFACE, {
        'UUID': dbus.String(str(uuid).lower(), variant_level=1),
        'Device': dbus.ObjectPath(dev.path, variant_level=1),
        'Primary': dbus.Boolean(True, variant_level=1),
        'Includes': dbus.Array([], signature='o', variant_level=1),
    }, [])
    _emit_added(path)
    uuids = [str(u) for u in dev.props[DEVICE_IFACE]['UUIDs']]
    if str(uuid).lower() not in uuids:
        _props_changed(dev, DEVICE_IFACE, {'UUIDs': dbus.Array(uuids + [str(uuid).lower()],
                                                               signature='s', variant_level=1)})
    return dbus.ObjectPath(path)


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='oqsasay', out_signature='o')
def AddGattCharacteristic(self, svc_path, handle, uuid, flags, value):
    '''Add <svc>/charXXXX with ReadValue/WriteValue/StartNotify/StopNotify.'''
    svc = _obj(svc_path, GATT_SERVICE_IFACE, 'GATT service')
    path = f'{svc.path}/char{int(handle):04x}'
    if path in mockobject.objects:
        _err('org.bluez.Mock.AlreadyExists', f'{path} exists')
    self.AddObject(path, GATT_CHRC_IFACE, {
        'UUID': dbus.String(str(uuid).lower(), variant_level=1),
        'Service': dbus.ObjectPath(svc.path, variant_level=1),
        'Value': _bytes(value),
        'Notifying': dbus.Boolean(False, variant_level=1),
        'Flags': dbus.Array([str(f) for f in flags], signature='s', variant_level=1),
    }, [])
    chrc = mockobject.objects[path]
    _attach(chrc, GATT_CHRC_IFACE, ['ReadValue', 'WriteValue', 'StartNotify', 'StopNotify'])
    chrc.writes = []
    chrc.notify_sessions = set()
    chrc.sequence = []
    chrc.seq_index = 0
    chrc.seq_interval = 1000
    chrc.seq_timer = 0
    _emit_added(path)
    return dbus.ObjectPath(path)


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='oay', out_signature='')
def SetCharacteristicValue(self, chr_path, value):
    '''Store a new value; PropertiesChanged(Value) if notifying (a notification).'''
    _notify_value(_obj(chr_path, GATT_CHRC_IFACE, 'characteristic'), value)


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='oaayu', out_signature='')
def SetNotifySequence(self, chr_path, values, interval_ms):
    '''While notifying, send values[0], values[1], ... (cyclic) every interval_ms.'''
    chrc = _obj(chr_path, GATT_CHRC_IFACE, 'characteristic')
    chrc.sequence = [bytes(bytearray(int(b) for b in v)) for v in values]
    chrc.seq_index = 0
    chrc.seq_interval = int(interval_ms)
    _restart_sequence(chrc)


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='o', out_signature='aay')
def GetWrites(self, chr_path):
    chrc = _obj(chr_path, GATT_CHRC_IFACE, 'characteristic')
    return dbus.Array([_bytes(w, variant_level=0) for w in chrc.writes], signature='ay')


# ---------------------------------------------------------------------------
# AdvertisementMonitorManager1 (parameter "monitor": true)

def _ad_structures(dev):
    '''(AD type, content) pairs that the device's last advertisement carried.'''
    props = dev.props[DEVICE_IFACE]
    ads = []
    if 'Name' in props:
        ads.append((0x09, str(props['Name']).encode()))
    for uuid, data in props.get('ServiceData', {}).items():
        data = bytes(bytearray(int(b) for b in data))
        u16 = _uuid16(uuid)
        if u16 is not None:
            ads.append((0x16, u16.to_bytes(2, 'little') + data))
        elif str(uuid).lower().endswith(SIG_BASE_SUFFIX):
            ads.append((0x20, int(str(uuid)[:8], 16).to_bytes(4, 'little') + data))
        else:
            ads.append((0x21, bytes.fromhex(str(uuid).replace('-', ''))[::-1] + data))
    for cid, data in props.get('ManufacturerData', {}).items():
        ads.append((0xff, int(cid).to_bytes(2, 'little') + bytes(bytearray(int(b) for b in data))))
    return ads


def _matches(patterns, ads):
    for start, ad_type, content in patterns:
        for t, data in ads:
            if t == ad_type and data[start:start + len(content)] == content:
                return True
    return False


def _send_noreply(dest, path, iface, method, signature='', args=()):
    msg = dbus.lowlevel.MethodCallMessage(dest, path, iface, method)
    if signature:
        msg.append(*args, signature=signature)
    msg.set_no_reply(True)
    _manager().bus_name.get_bus().send_message(msg)
    _manager().log(f'-> {dest} {path} {iface}.{method}{tuple(str(a) for a in args)}')


def _monitor_event(app, mon_path, event, dev_path):
    _STATE['events'].append((event, mon_path, dev_path))
    _send_noreply(app['sender'], mon_path, MONITOR_IFACE, event,
                  'o' if dev_path else '', (dbus.ObjectPath(dev_path),) if dev_path else ())


def _monitor_feed(dev):
    apps = [a for a in _STATE['apps'] if a['adapter'] == str(dev.props[DEVICE_IFACE]['Adapter'])]
    if not apps:
        return
    ads = _ad_structures(dev)
    for app in apps:
        for mon_path, mon in app['monitors'].items():
            if dev.path not in mon['found'] and _matches(mon['patterns'], ads):
                mon['found'].add(dev.path)
                _monitor_event(app, mon_path, 'DeviceFound', dev.path)


def _monitor_device_lost(dev_path):
    for app in _STATE['apps']:
        for mon_path, mon in app['monitors'].items():
            if dev_path in mon['found']:
                mon['found'].discard(dev_path)
                _monitor_event(app, mon_path, 'DeviceLost', dev_path)


def _got_monitors(app, objs):
    if app not in _STATE['apps']:
        return
    for path, ifaces in objs.items():
        props = ifaces.get(MONITOR_IFACE)
        if props is None or str(path) in app['monitors']:
            continue
        if str(props.get('Type', '')) != 'or_patterns':
            _manager().log(f'monitor {path}: unsupported Type {props.get("Type")!r}, ignored')
            continue
        try:
            patterns = [(int(s), int(t), bytes(bytearray(int(b) for b in c)))
                        for s, t, c in props.get('Patterns', [])]
        except (TypeError, ValueError) as exc:
            _manager().log(f'monitor {path}: bad Patterns: {exc}')
            continue
        if not patterns:
            _manager().log(f'monitor {path}: no Patterns, ignored')
            continue
        app['monitors'][str(path)] = {'patterns': patterns, 'found': set()}
        _monitor_event(app, str(path), 'Activate', None)
    adapter_path = app['adapter']
    for p, o in list(mockobject.objects.items()):
        if p.startswith(adapter_path + '/') and DEVICE_IFACE in o.props:
            _monitor_feed(o)


@_method(MONITOR_MANAGER_IFACE, 'o', '', sender_keyword='sender')
def RegisterMonitor(adapter, root, sender=None):
    for app in _STATE['apps']:
        if app['sender'] == sender and app['root'] == str(root):
            _err('org.bluez.Error.AlreadyExists', 'Already Exists')
    app = {'adapter': adapter.path, 'sender': str(sender), 'root': str(root), 'monitors': {}}
    _STATE['apps'].append(app)
    _watch_client(sender)

    def reply(objs, a=app):
        _got_monitors(a, objs)

    def error(exc, a=app):
        _manager().log(f'GetManagedObjects on {a["sender"]} {a["root"]} failed: {exc}')
        if a in _STATE['apps']:
            _STATE['apps'].remove(a)
    # reply first (bluetoothd does), then ask the client -- asynchronously
    def ask(a=app):
        adapter.bus_name.get_bus().call_async(
            a['sender'], a['root'], OBJECT_MANAGER_IFACE, 'GetManagedObjects', '', (),
            reply, error, timeout=10)
        return False
    GLib.idle_add(ask)


@_method(MONITOR_MANAGER_IFACE, 'o', '', sender_keyword='sender')
def UnregisterMonitor(adapter, root, sender=None):
    for app in _STATE['apps']:
        if app['sender'] == sender and app['root'] == str(root) and app['adapter'] == adapter.path:
            _STATE['apps'].remove(app)
            for mon_path in app['monitors']:
                _monitor_event(app, mon_path, 'Release', None)
            return
    _err('org.bluez.Error.DoesNotExist', 'Does Not Exist')


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='', out_signature='a(oso)')
def GetMonitorRegistrations(self):
    '''Current RegisterMonitor registrations: (adapter, client unique name, root).'''
    return dbus.Array([dbus.Struct((dbus.ObjectPath(a['adapter']), a['sender'],
                                    dbus.ObjectPath(a['root'])))
                       for a in _STATE['apps']], signature='(oso)')


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature='', out_signature='a(sos)')
def GetMonitorEvents(self):
    '''Calls made to monitors: (Activate|DeviceFound|DeviceLost|Release, monitor, device or "").'''
    return dbus.Array([dbus.Struct((e, dbus.ObjectPath(m), d or ''))
                       for e, m, d in _STATE['events']], signature='(sos)')


# ---------------------------------------------------------------------------

def load(mock, parameters):
    _STATE['monitor'] = bool(parameters.get('monitor', False))
    _stock.load(mock, parameters)             # /org/bluez: AgentManager1, ProfileManager1
    # dbusmock registers "/" only after load() returns (testing.md 1.3.6)
    mockobject.objects.setdefault('/', mock)
    for name in parameters.get('adapters', []):
        AddAdapter(mock, name, 'iotgw-test')
