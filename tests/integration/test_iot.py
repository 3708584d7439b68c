#!/usr/bin/python3
"""XEP-0323 sensor data and XEP-0325 control on each thing's own JID.

The client side is slixmpp's own, unmodified xep_0323 and xep_0325 plugins:
what they send is what iotgwd must understand, and what they parse is what
iotgwd must answer.  Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_iot.py
"""

import asyncio
import sys
import time
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

KITCHEN = t.thing_jid("sim:kitchen")
LAMP = t.thing_jid("sim:lamp")
THINGS = {
    "sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 1},
    "sim:lamp": {"name": "Lamp", "type": "lamp"},
}
FINAL = ("done", "rejected", "failure", "cancelled")


def add_iot_plugins(client: t.OwnerClient) -> None:
    x = client.xmpp
    x.register_plugin("xep_0060")
    x.register_plugin("xep_0323", {"threaded": False})
    x.register_plugin("xep_0325")


def full_jid(client: t.OwnerClient, bare: str) -> str:
    for jid in client.current:
        if jid.split("/", 1)[0] == bare and "/" in jid:
            return jid
    raise t.TestFailure(f"{client.name} knows no full JID of {bare}")


class Readout:
    """One request_data() call: every callback, in order."""

    def __init__(self):
        self.events: list[dict] = []
        self.finished = asyncio.Event()

    def __call__(self, **kw) -> None:
        self.events.append(kw)
        if kw.get("result") in FINAL:
            self.finished.set()

    @property
    def result(self) -> str:
        return self.events[-1]["result"] if self.events else "(nothing)"

    def values(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for e in self.events:
            for f in e.get("fields") or []:
                out.setdefault(f["name"], []).append(f["value"])
        return out


async def read(client: t.OwnerClient, to: str, timeout: float = 10, **kw) -> Readout:
    r = Readout()
    client.xmpp["xep_0323"].request_data(client.xmpp.boundjid.full, to, r, **kw)
    try:
        await asyncio.wait_for(r.finished.wait(), timeout)
    except asyncio.TimeoutError:
        raise t.TestFailure(f"readout {kw} of {to}: no final callback; got {r.events}") from None
    return r


async def control(client: t.OwnerClient, to: str, fields: list, timeout: float = 10) -> dict:
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def cb(**kw):
        if not fut.done():
            fut.set_result(kw)
    client.xmpp["xep_0325"].set_request(client.xmpp.boundjid.full, to, cb, fields)
    try:
        return await asyncio.wait_for(fut, timeout)
    except asyncio.TimeoutError:
        raise t.TestFailure(f"set_request {fields} to {to}: no setResponse") from None


async def disco_features(client: t.OwnerClient, to: str) -> set[str]:
    info = await client.xmpp["xep_0030"].get_info(jid=to, timeout=10)
    return {f for f in info["disco_info"]["features"]}


NF_SD = "urn:nf:iot:sd:1.0"
NF_CTR = "urn:nf:iot:ctr:1.0"


async def nf_iq(client: t.OwnerClient, to: str, kind: str, payload: str):
    """A raw nf iq (slixmpp has no plugin for it): the reply, or the IqError's iq."""
    import slixmpp.exceptions
    x = client.xmpp
    iq = x.make_iq_get(ito=to) if kind == "get" else x.make_iq_set(ito=to)
    iq.append(ET.fromstring(payload))
    try:
        return await iq.send(timeout=10)
    except slixmpp.exceptions.IqError as exc:
        return exc.iq


class NfListener:
    """Collects <resp>/<done> messages of the nf dialect."""

    def __init__(self, client: t.OwnerClient):
        self.resps: list[ET.Element] = []
        self.done: list[str] = []
        self.changed = asyncio.Event()
        # the "message" event wants a <body>: match the payloads instead
        from slixmpp.xmlstream.handler import Callback
        from slixmpp.xmlstream.matcher import MatchXPath
        for name in ("resp", "done"):
            client.xmpp.register_handler(Callback(
                f"nf {name}", MatchXPath(f"{{jabber:client}}message/{{{NF_SD}}}{name}"),
                self._on_message))

    def _on_message(self, msg) -> None:
        for el in msg.xml:
            if el.tag == f"{{{NF_SD}}}resp":
                self.resps.append(el)
            elif el.tag == f"{{{NF_SD}}}done":
                self.done.append(el.get("id"))
        self.changed.set()

    async def wait_done(self, rid: str, timeout: float = 10) -> list[ET.Element]:
        deadline = time.monotonic() + timeout
        while rid not in self.done:
            self.changed.clear()
            left = deadline - time.monotonic()
            check(left > 0, f"nf readout {rid}: no <done/>")
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass
        return [r for r in self.resps if r.get("id") == rid]


def nf_values(resps: list[ET.Element]) -> dict[str, str]:
    out = {}
    for r in resps:
        for el in r.iter():
            if el.get("n") is not None and el.get("v") is not None:
                out[el.get("n")] = el.get("v")
    return out


def nf_error(iq) -> str:
    err = iq.xml.find("{jabber:client}error")
    if err is None:
        return ""
    return " ".join(c.tag.split("}")[-1] + (f"[{c.get('n')}]" if c.get("n") else "") for c in err)


async def nf_section(alice: t.OwnerClient, mallory: t.OwnerClient, kitchen: str, lamp: str) -> None:
    nf = NfListener(alice)
    res = await nf_iq(alice, kitchen, "get", f"<req xmlns='{NF_SD}' id='nf1' m='true'/>")
    acc = res.xml.find(f"{{{NF_SD}}}accepted")
    check(res["type"] == "result" and acc is not None and acc.get("id") == "nf1",
          f"nf readout not accepted: {res}")
    vals = nf_values(await nf.wait_done("nf1"))
    check("temperature" in vals and "humidity" in vals and "battery" not in vals,
          f"nf momentary readout: {vals}")
    say(f"nf readout: {vals}")

    res = await nf_iq(alice, lamp, "set", f"<set xmlns='{NF_CTR}'><b n='on' v='false'/></set>")
    check(res["type"] == "result" and res.xml.find(f"{{{NF_CTR}}}resp") is not None,
          f"nf set on=false: {res}")
    await nf_iq(alice, lamp, "get", f"<req xmlns='{NF_SD}' id='nf2'><f n='on'/></req>")
    vals = nf_values(await nf.wait_done("nf2"))
    check(vals == {"on": "false"}, f"nf readout after set on=false: {vals}")
    say("nf set on=false -> <resp/>, readout shows on=false")
    await nf_iq(alice, lamp, "get", f"<req xmlns='{NF_SD}' id='nf4' m='true'/>")
    vals = nf_values(await nf.wait_done("nf4"))
    check(vals.get("on") == "false" and vals.get("brightness") == "37",
          f"nf momentary readout of the lamp: {vals}")
    say(f"nf momentary readout of the lamp: {vals}")

    res = await nf_iq(alice, lamp, "set", f"<set xmlns='{NF_CTR}'><i n='nosuch' v='1'/></set>")
    check(res["type"] == "error" and "item-not-found" in nf_error(res)
          and "paramError[nosuch]" in nf_error(res), f"nf set of an unknown field: {res}")
    res = await nf_iq(mallory, kitchen, "get", f"<req xmlns='{NF_SD}' id='nf3' m='true'/>")
    check(res["type"] == "error" and "forbidden" in nf_error(res), f"mallory's nf readout: {res}")
    res = await nf_iq(mallory, lamp, "set", f"<set xmlns='{NF_CTR}'><b n='on' v='true'/></set>")
    check(res["type"] == "error" and "forbidden" in nf_error(res), f"mallory's nf set: {res}")
    say("nf: unknown field -> item-not-found + paramError; mallory forbidden")


def quiet_iq_errors(loop, context) -> None:
    # slixmpp's send futures also get every rejection as IqError, unawaited
    # (interop.md §3.4); the plugins' callbacks are what this test checks
    if type(context.get("exception")).__name__ != "IqError":
        loop.default_exception_handler(context)


async def test(ctx: t.Ctx) -> None:
    asyncio.get_running_loop().set_exception_handler(quiet_iq_errors)
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    srv.register("mallory", "mallory-pw")
    alice = await ctx.client(srv, "alice", "alice-pw", connect=False)
    mallory = await ctx.client(srv, "mallory", "mallory-pw", connect=False)
    for c in (alice, mallory):
        add_iot_plugins(c)
        await c.connect()
    ctx.daemon(t.iotgwd_config(srv, ["alice@localhost"], THINGS, register=True))
    for jid in (KITCHEN, LAMP):
        await alice.wait_available(jid, timeout=20)
        await alice.wait_subscription(jid, "both", 15)
    kitchen, lamp = full_jid(alice, KITCHEN), full_jid(alice, LAMP)
    say(f"things online as {kitchen} and {lamp}")

    # -- disco#info lists the IoT namespaces
    features = await disco_features(alice, kitchen)
    for ns in ("urn:xmpp:iot:sensordata", "urn:xmpp:iot:control", NF_SD, NF_CTR):
        check(ns in features, f"disco#info of {kitchen} lacks {ns}: {sorted(features)}")
    say("disco#info lists the urn:xmpp:iot and urn:nf:iot namespaces")

    # -- momentary readout; poll until the first reading is in
    async def full_readout() -> Readout:
        return await read(alice, kitchen, flags={"momentary": "true", "status": "true"})
    r = await full_readout()
    deadline = time.monotonic() + 15
    while r.result == "done" and len(r.values()) < 3 and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        r = await full_readout()
    check(r.events[0]["result"] == "accepted", f"first callback is not 'accepted': {r.events}")
    check(r.result == "done", f"readout did not end with done: {r.events}")
    vals = r.values()
    for name in ("temperature", "humidity", "battery"):
        check(name in vals, f"momentary+status readout lacks {name}: {r.events}")
        float(vals[name][0])
    units = {f["name"]: f.get("unit") for e in r.events for f in e.get("fields") or []}
    check(units.get("temperature") == "°C", f"temperature unit: {units}")
    check(all(e.get("nodeId") == "sim:kitchen" for e in r.events if e["result"] == "fields"),
          f"fields not from node sim:kitchen: {r.events}")
    say(f"momentary readout: {vals}")

    # -- the category filter: battery is a status value
    r = await read(alice, kitchen, flags={"momentary": "true"})
    check(r.result == "done" and "temperature" in r.values() and "battery" not in r.values(),
          f"momentary-only readout: {r.events}")
    say("momentary-only readout leaves out the status field battery")

    # -- one field
    r = await read(alice, kitchen, fields=["humidity"])
    check(r.result == "done" and list(r.values()) == ["humidity"], f"readout of humidity only: {r.events}")
    say(f"field-filtered readout: {r.values()}")

    # -- unknown field, unknown node: rejected in the form slixmpp understands
    r = await read(alice, kitchen, fields=["nosuchfield"])
    check(r.result == "rejected" and "nosuchfield" in (r.events[-1].get("error_msg") or ""),
          f"unknown field not rejected: {r.events}")
    r = await read(alice, kitchen, nodeIds=["NoSuchNode"])
    check(r.result == "rejected", f"unknown node not rejected: {r.events}")
    say("unknown field and node rejected")

    # -- historical readout: deterministic, wait for three stored temperatures
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    deadline = time.monotonic() + 20
    while True:
        r = await read(alice, kitchen, fields=["temperature"],
                       flags={"historical": "true", "from": start, "to": end})
        check(r.result == "done", f"historical readout did not end with done: {r.events}")
        temps = r.values().get("temperature", [])
        if len(temps) >= 3:
            break
        check(time.monotonic() < deadline, f"fewer than 3 stored temperatures after 20 s: {r.events}")
        await asyncio.sleep(1)
    stamps = [e["timestamp"] for e in r.events if e["result"] == "fields"]
    check(len(set(stamps)) >= 3, f"historical rows share timestamps: {stamps}")
    say(f"historical readout: {len(temps)} temperatures at {len(set(stamps))} timestamps")
    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 7200))
    r = await read(alice, kitchen, flags={"historical": "true", "from": past, "to": start})
    check(r.result == "done" and not r.values(), f"history before the daemon started: {r.events}")
    say("a historical window before any reading is empty and done")

    # -- control, iq form
    res = await control(alice, lamp, [("on", "boolean", "true")])
    check(res.get("result") == "OK", f"set on=true: {res}")
    r = await read(alice, lamp, fields=["on"])
    check(r.values().get("on") == ["true"], f"readout after set on=true: {r.events}")
    say("set_request on=true -> OK, readout shows on=true")

    res = await control(alice, lamp, [("nosuchfield", "int", "1")])
    check(res.get("result") == "NotFound", f"unknown control field: {res}")
    res = await control(alice, lamp, [("brightness", "int", "150")])
    check(res.get("result") not in (None, "OK"), f"out-of-range brightness accepted: {res}")
    say(f"unknown field -> NotFound; brightness 150 -> {res.get('result')}")

    # -- control, message form: no answer, so read back until it shows
    alice.xmpp["xep_0325"].set_command(alice.xmpp.boundjid.full, lamp, [("brightness", "int", "42")])
    deadline = time.monotonic() + 10
    while True:
        r = await read(alice, lamp, fields=["brightness"])
        if r.values().get("brightness") == ["42"]:
            break
        check(time.monotonic() < deadline, f"set_command brightness=42 never showed: {r.events}")
        await asyncio.sleep(0.3)
    say("set_command brightness=42 reached the lamp")

    # -- XEP-0323 §3.1: what slixmpp's client asks after a control is a
    # momentary readout; the lamp's current state answers it
    res = await control(alice, lamp, [("brightness", "int", "37")])
    check(res.get("result") == "OK", f"set brightness=37: {res}")
    r = await read(alice, lamp, flags={"momentary": "true"})
    vals = r.values()
    check(r.result == "done" and vals.get("on") == ["true"] and vals.get("brightness") == ["37"],
          f"momentary readout after set brightness=37: {r.events}")
    say(f"momentary readout after a control: {vals}")

    # -- not an owner
    r = await read(mallory, kitchen, flags={"momentary": "true"})
    check(r.result == "rejected" and not r.values(), f"mallory's readout: {r.events}")
    res = await control(mallory, lamp, [("on", "boolean", "false")])
    check(res.get("result") == "InsufficientPrivileges", f"mallory's set: {res}")
    r = await read(alice, lamp, fields=["on"])
    check(r.values().get("on") == ["true"], f"mallory changed the lamp: {r.events}")
    say("mallory refused on readout and control")

    # -- the Neuro-Foundation dialect on the same JIDs
    await nf_section(alice, mallory, kitchen, lamp)


if __name__ == "__main__":
    t.run(test, "test_iot", timeout=120)
