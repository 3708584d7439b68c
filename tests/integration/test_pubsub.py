#!/usr/bin/python3
"""The thesis's pubsub protocol (seed 004, 4.4) on every thing's PEP service.

A sim thermometer and a sim lamp publish to their own nodes
xmpp.iot.sensors, xmpp.iot.actuators and xmpp.iot.ui. The configured access
model is the thesis's 'roster'; Prosody 0.12 refuses it, so the gateway
falls back to 'whitelist' of the owners and says so (iotgwctl status).
The owner alice (slixmpp's xep_0060) subscribes and receives <val/> events,
reads the UI form (XEP-0004 with XEP-0336 read-only sensors), publishes to
the lamp's actuator item and sees the lamp switch and the confirmed state
published; mallory, not an owner, is refused by the server and changes
nothing; a malformed owner publish is ignored and counted. A second Prosody
without PEP: pubsub is off, said once, the things keep working.
Run: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_pubsub.py
"""

import asyncio
import sys
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_ctl import Ctl, wait_daemon  # noqa: E402

THINGS = {
    "sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 1},
    "sim:lamp": {"name": "Lamp", "type": "lamp"},
}
KITCHEN = t.thing_jid("sim:kitchen")
LAMP = t.thing_jid("sim:lamp")
UWPX = "urn:xmpp:uwpx:iot"
XDATA = "jabber:x:data"
XDD = "urn:xmpp:xdata:dynamic"


class PubsubClient:
    """slixmpp's own xep_0060 on an OwnerClient: subscribe, publish, events."""

    def __init__(self, client: t.OwnerClient):
        self.client = client
        self.events: list[tuple[str, str, str, str, ET.Element]] = []   # from, node, id, publisher, payload
        self.changed = asyncio.Event()
        client.xmpp.register_plugin("xep_0060")
        client.xmpp.add_event_handler("pubsub_publish", self._on_publish)

    def _on_publish(self, msg) -> None:
        item = msg["pubsub_event"]["items"]["item"]
        payload = item["payload"]
        self.events.append((msg["from"].bare, msg["pubsub_event"]["items"]["node"], item["id"],
                            item.xml.get("publisher", ""), payload))
        self.changed.set()

    async def subscribe(self, jid: str, node: str, timeout: float = 10) -> None:
        """An owner's subscription; the thing makes its owners members of a
        node only once its first publish created it, which can come a moment
        after the access model was settled, so <forbidden/> is tried again."""
        from slixmpp.exceptions import IqError
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                await self.client.xmpp["xep_0060"].subscribe(jid, node, timeout=10)
                return
            except IqError as exc:
                if exc.condition != "forbidden" or asyncio.get_running_loop().time() > deadline:
                    raise
            await asyncio.sleep(0.2)

    async def publish(self, jid: str, node: str, item_id: str, payload: ET.Element) -> str:
        """'' on success, else the error condition."""
        from slixmpp.exceptions import IqError
        try:
            await self.client.xmpp["xep_0060"].publish(jid, node, id=item_id, payload=payload, timeout=10)
            return ""
        except IqError as exc:
            return exc.condition

    async def items(self, jid: str, node: str) -> list:
        result = await self.client.xmpp["xep_0060"].get_items(jid, node, timeout=10)
        return list(result["pubsub"]["items"])

    async def wait_event(self, pred, timeout: float, what: str, since: int = 0):
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for i, event in enumerate(self.events[since:], since):
                if pred(*event):
                    return i, event
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise t.TestFailure(f"{self.client.name}: no {what} within {timeout:g}s; "
                                    f"last events {[e[:4] for e in self.events[-5:]]}")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.5))
            except asyncio.TimeoutError:
                pass


def val(value: str, kind: str) -> ET.Element:
    element = ET.Element(f"{{{UWPX}}}val", {"type": kind})
    element.text = value
    return element


def val_text(payload: ET.Element) -> str:
    return payload.text if payload is not None and payload.tag == f"{{{UWPX}}}val" else None


async def lamp_on(ctl: Ctl) -> bool:
    doc = await ctl.json("thing", "sim:lamp", "get", "on")
    return [v["value"] for v in doc["values"] if v["field"] == "on"][0]


async def test_with_pep(ctx: t.Ctx) -> None:
    bus = await ctx.bus()
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    srv.register("mallory", "mallory-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    mallory = await ctx.client(srv, "mallory", "mallory-pw")
    cfg = t.iotgwd_config(srv, ["alice@localhost"], THINGS, register=True)
    cfg += "\n[pubsub]\naccess_model=roster\nmin_interval=0\nsensordata=true\n"
    daemon = ctx.daemon(cfg, env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)
    await alice.wait_available(KITCHEN, 20)
    await alice.wait_available(LAMP, 20)
    await daemon.wait_log(r"thing sim:lamp: pubsub whitelist", 20)
    await daemon.wait_log(r"thing sim:kitchen: pubsub whitelist", 20)

    # -- the model in force, and why
    status = await ctl.json("status")
    check("whitelist (roster refused" in status.get("pubsub", ""), f"iotgwctl status pubsub: {status.get('pubsub')}")
    say(f"access model: {status['pubsub']}")

    # -- the owner subscribes; sensor events arrive as <val/> items
    ps = PubsubClient(alice)
    await ps.subscribe(KITCHEN, "xmpp.iot.sensors")
    await ps.subscribe(LAMP, "xmpp.iot.actuators")
    since = len(ps.events)
    _, (frm, node, item_id, publisher, payload) = await ps.wait_event(
        lambda f, n, i, p, pl: f == KITCHEN and i == "xmpp.iot.sensor.temperature", 15,
        "a temperature event", since)
    check(node == "xmpp.iot.sensors" and payload.get("type") == "float" and payload.get("unit") == "°C",
          f"temperature item: node {node}, payload {ET.tostring(payload)!r}")
    float(val_text(payload))
    say(f"event from {frm}: {item_id} = {val_text(payload)} {payload.get('unit')}")

    # -- sensordata=true: the same reading as XEP-0323 <fields/> in its own node
    await ps.subscribe(KITCHEN, "urn:xmpp:iot:sensordata")
    since = len(ps.events)
    _, (_, _, _, _, fields) = await ps.wait_event(
        lambda f, n, i, p, pl: f == KITCHEN and n == "urn:xmpp:iot:sensordata"
        and i == "xmpp.iot.sensor.temperature", 15, "an XEP-0323 fields item", since)
    numeric = fields.find(".//{urn:xmpp:iot:sensordata}numeric")
    check(fields.tag == "{urn:xmpp:iot:sensordata}fields" and numeric is not None
          and numeric.get("name") == "temperature", f"sensordata item: {ET.tostring(fields)!r}")
    say(f"XEP-0323 item: temperature {numeric.get('value')} {numeric.get('unit')}")

    # -- the UI form: XEP-0004, read-only sensors, a boolean actuator
    items = await ps.items(LAMP, "xmpp.iot.ui")
    form = items[0]["payload"]
    check(form is not None and form.tag == f"{{{XDATA}}}x" and form.get("type") == "form",
          f"the UI item is no form: {form}")
    fields = {f.get("var"): f for f in form.findall(f"{{{XDATA}}}field")}
    check(fields.get("xmpp.iot.actuator.on") is not None and fields["xmpp.iot.actuator.on"].get("type") == "boolean",
          f"UI fields: {list(fields)}")
    kitchen_form = (await ps.items(KITCHEN, "xmpp.iot.ui"))[0]["payload"]
    kitchen_fields = {f.get("var"): f for f in kitchen_form.findall(f"{{{XDATA}}}field")}
    temperature = kitchen_fields.get("xmpp.iot.sensor.temperature")
    check(temperature is not None and temperature.find(f"{{{XDD}}}readOnly") is not None,
          f"the temperature field is not read-only: {ET.tostring(kitchen_form)!r}")
    say(f"UI forms parse: lamp {sorted(fields)}, kitchen sensors read-only")

    # -- control by publishing: the owner switches the lamp, the confirmed state is published
    check(await lamp_on(ctl) is False, "the lamp starts on")
    since = len(ps.events)
    error = await ps.publish(LAMP, "xmpp.iot.actuators", "xmpp.iot.actuator.on", val("1", "bool"))
    check(error == "", f"alice's publish refused: {error}")
    await ps.wait_event(lambda f, n, i, p, pl: f == LAMP and i == "xmpp.iot.actuator.on" and p == LAMP
                        and val_text(pl) == "1", 10, "the lamp's confirmed state", since)
    check(await lamp_on(ctl) is True, "the lamp did not switch on")
    say("alice published on=1 to the lamp's actuator: the lamp is on, and published it itself")

    # -- a non-owner is refused by the server; nothing changes
    mps = PubsubClient(mallory)
    error = await mps.publish(LAMP, "xmpp.iot.actuators", "xmpp.iot.actuator.on", val("0", "bool"))
    check(error in ("forbidden", "not-authorized"), f"mallory's publish answered {error!r}")
    check(await lamp_on(ctl) is True, "mallory switched the lamp")
    say(f"mallory's publish: {error}; the lamp stays on")

    # -- a malformed owner publish is ignored and counted
    mark = daemon.mark()
    error = await ps.publish(LAMP, "xmpp.iot.actuators", "xmpp.iot.actuator.on", val("banana", "bool"))
    await daemon.wait_log(r"publish to xmpp\.iot\.actuator\.on by alice@localhost ignored", 10, since=mark)
    check(await lamp_on(ctl) is True, "a malformed publish changed the lamp")
    say("a malformed publish by the owner was ignored and counted")


async def test_without_pep(ctx: t.Ctx) -> None:
    bus = await ctx.bus(name="bus-nopep")
    srv = await ctx.prosody(tls=False, name="prosody-nopep", pep=False)
    srv.register("alice", "alice-pw")
    alice = await ctx.client(srv, "alice", "alice-pw", resource="nopep")
    cfg = t.iotgwd_config(srv, ["alice@localhost"], THINGS, register=True)
    daemon = ctx.daemon(cfg, name="iotgwd-nopep", env=bus.env())
    await alice.wait_available(LAMP, 20)
    await daemon.wait_log(r"thing sim:lamp: pubsub off \(no PEP", 20)
    reply = await alice.chat(LAMP, "set on true")
    check("true" in reply, f"chat without PEP answered {reply!r}")
    check(len(daemon.log_lines(r"thing sim:lamp: pubsub off")) == 1, "no-PEP was said more than once")
    say("a server without PEP: pubsub off, said once; chat still switches the lamp")


async def test(ctx: t.Ctx) -> None:
    await test_with_pep(ctx)
    await test_without_pep(ctx)


if __name__ == "__main__":
    t.run(test, "test_pubsub", timeout=150)
