#!/usr/bin/python3
"""XEP-0325 getForm, and the per-peer dialect profiles of urn:xmpp:iot:*.

alice has no [peer] group (slixmpp, the default), bob is configured
profile=smack and carol profile=xsf; mallory is not an owner.  The requests
are raw iqs built with slixmpp, so every element of each answer can be seen.
Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_iot_profiles.py
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
SD = "urn:xmpp:iot:sensordata"
CTR = "urn:xmpp:iot:control"
NF_CTR = "urn:nf:iot:ctr:1.0"
XDATA = "jabber:x:data"
XDV = "http://jabber.org/protocol/xdata-validate"
STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
PEERS = {"bob@localhost": "smack", "carol@localhost": "xsf"}


def config(srv: t.Prosody, peers: dict[str, str]) -> str:
    text = t.iotgwd_config(srv, ["alice@localhost", "bob@localhost", "carol@localhost"], THINGS,
                           register=True)
    for jid, profile in peers.items():
        text += f"\n[peer {jid}]\nprofile={profile}\n"
    return text


def full_jid(client: t.OwnerClient, bare: str) -> str:
    for jid in client.current:
        if jid.split("/", 1)[0] == bare and "/" in jid:
            return jid
    raise t.TestFailure(f"{client.name} knows no full JID of {bare}")


async def raw_iq(client: t.OwnerClient, to: str, kind: str, payload: str):
    """The reply to a raw iq, or the IqError's iq."""
    import slixmpp.exceptions
    x = client.xmpp
    iq = x.make_iq_get(ito=to) if kind == "get" else x.make_iq_set(ito=to)
    iq.append(ET.fromstring(payload))
    try:
        return await iq.send(timeout=10)
    except slixmpp.exceptions.IqError as exc:
        return exc.iq


class FieldsListener:
    """Collects the <fields> messages a client receives, by seqnr."""

    def __init__(self, client: t.OwnerClient):
        from slixmpp.xmlstream.handler import Callback
        from slixmpp.xmlstream.matcher import MatchXPath
        self.fields: dict[str, list[ET.Element]] = {}
        self.changed = asyncio.Event()
        client.xmpp.register_handler(Callback(
            "raw fields", MatchXPath(f"{{jabber:client}}message/{{{SD}}}fields"), self._on_message))

    def _on_message(self, msg) -> None:
        for el in msg.xml:
            if el.tag == f"{{{SD}}}fields":
                self.fields.setdefault(el.get("seqnr"), []).append(el)
        self.changed.set()

    async def wait_done(self, seqnr: str, timeout: float = 10) -> list[ET.Element]:
        deadline = time.monotonic() + timeout
        while not any(f.get("done") == "true" for f in self.fields.get(seqnr, [])):
            self.changed.clear()
            left = deadline - time.monotonic()
            check(left > 0, f"readout {seqnr}: no <fields done='true'>")
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass
        return self.fields[seqnr]


def field_elements(fields: list[ET.Element]) -> dict[str, tuple[str, str]]:
    """name -> (element, value) of every field in the messages."""
    out = {}
    for f in fields:
        for ts in f.iter(f"{{{SD}}}timestamp"):
            for el in ts:
                out[el.get("name")] = (el.tag.split("}")[-1], el.get("value"))
    return out


class Reader:
    def __init__(self, client: t.OwnerClient):
        self.client = client
        self.listener = FieldsListener(client)
        self.seqnr = 0

    async def read(self, to: str, attrs: str = "momentary='true' status='true'",
                   children: str = "") -> tuple[object, dict[str, tuple[str, str]]]:
        self.seqnr += 1
        seqnr = f"p{self.seqnr}"
        res = await raw_iq(self.client, to, "get",
                           f"<req xmlns='{SD}' seqnr='{seqnr}' {attrs}>{children}</req>")
        if res["type"] != "result":
            return res, {}
        return res, field_elements(await self.listener.wait_done(seqnr))

    async def read_until(self, to: str, names: set[str], what: str,
                         timeout: float = 15) -> dict[str, tuple[str, str]]:
        deadline = time.monotonic() + timeout
        while True:
            res, fields = await self.read(to)
            check(res["type"] == "result", f"{what}: readout refused: {res}")
            if names <= set(fields):
                return fields
            check(time.monotonic() < deadline, f"{what}: {sorted(names)} never all read: {fields}")
            await asyncio.sleep(0.5)


def error_parts(iq) -> list[str]:
    return [c.tag.split("}")[-1] for c in iq.xml.iter()
            if c.tag.startswith(f"{{{STANZAS}}}") or c.tag.endswith("}rejected")
            or c.tag.endswith("}setResponse") or c.tag.endswith("}paramError")]


async def check_get_form(alice: t.OwnerClient, mallory: t.OwnerClient, lamp: str) -> None:
    from slixmpp.plugins.xep_0004.stanza import FieldOption, Form, FormField
    from slixmpp.xmlstream import register_stanza_plugin
    # what slixmpp's xep_0004 plugin registers: parse the form as a client would
    register_stanza_plugin(FormField, FieldOption, iterable=True)
    register_stanza_plugin(Form, FormField, iterable=True)
    res = await raw_iq(alice, lamp, "get", f"<getForm xmlns='{CTR}' xml:lang='en'/>")
    check(res["type"] == "result", f"getForm: {res}")
    x = res.xml.find(f"{{{XDATA}}}x")
    check(x is not None and x.get("type") == "form", f"getForm without a form: {res}")
    form = Form(xml=x)
    fields = form.get_fields()
    check(set(fields) == {"on", "brightness"}, f"form fields: {sorted(fields)}")
    check(fields["on"]["type"] == "boolean" and fields["on"]["value"] in (True, False),
          f"on: {fields['on']}")
    check(fields["brightness"]["type"] == "text-single", f"brightness: {fields['brightness']}")
    validate = x.find(f"{{{XDATA}}}field[@var='brightness']/{{{XDV}}}validate")
    check(validate is not None and validate.get("datatype") == "xs:integer", f"validate: {res}")
    rng = validate.find(f"{{{XDV}}}range")
    check(rng is not None and (rng.get("min"), rng.get("max")) == ("0", "100"), f"range: {res}")
    int(fields["brightness"]["value"])
    say(f"getForm: on={fields['on']['value']} brightness={fields['brightness']['value']} "
        "(xs:integer 0..100)")

    res = await raw_iq(alice, lamp, "get", f"<getForm xmlns='{NF_CTR}'/>")
    x = res.xml.find(f"{{{XDATA}}}x")
    check(res["type"] == "result" and x is not None
          and {f.get("var") for f in x.iter(f"{{{XDATA}}}field")} == {"on", "brightness"},
          f"nf getForm: {res}")
    res = await raw_iq(mallory, lamp, "get", f"<getForm xmlns='{CTR}'/>")
    check(res["type"] == "error" and "forbidden" in error_parts(res), f"mallory's getForm: {res}")
    say("nf getForm answers the same form; mallory's getForm is forbidden")


async def check_profiles(alice: Reader, bob: Reader, carol: Reader, kitchen: str, lamp: str) -> None:
    names = {"temperature", "humidity", "battery"}
    a = await alice.read_until(kitchen, names, "alice (slixmpp)")
    check(a["temperature"][0] == "numeric" and a["battery"][0] == "numeric",
          f"slixmpp readout: {a}")
    c = await carol.read_until(kitchen, names, "carol (xsf)")
    check(c["temperature"][0] == "numeric" and c["battery"][0] == "int", f"xsf readout: {c}")
    _, b = await bob.read(kitchen)
    check(b and all(kind in ("int", "boolean") for kind, _ in b.values()), f"smack readout: {b}")
    check("temperature" not in b and b.get("humidity", ("", ""))[0] == "int"
          and b.get("battery", ("", ""))[0] == "int", f"smack readout of the kitchen: {b}")
    int(b["humidity"][1])
    b = await bob.read_until(lamp, {"on", "brightness"}, "bob (smack) on the lamp")
    check(b["on"][0] == "boolean" and b["brightness"][0] == "int", f"smack lamp readout: {b}")
    say(f"slixmpp: numeric; xsf: int battery; smack: {sorted(b)} as int/boolean only")

    # an unknown field: slixmpp's <rejected> beside the error, xsf and smack the error alone
    res, _ = await carol.read(kitchen, children="<field name='nosuch'/>")
    parts = error_parts(res)
    check(res["type"] == "error" and "item-not-found" in parts and "rejected" not in parts,
          f"xsf rejection: {res}")
    res, _ = await alice.read(kitchen, children="<field name='nosuch'/>")
    check(res["type"] == "error" and "rejected" in error_parts(res), f"slixmpp rejection: {res}")
    say("unknown field: xsf gets a plain stanza error, slixmpp also <rejected>")

    # control: an empty setResponse for xsf, paramError without setResponse on error
    res = await raw_iq(carol.client, lamp, "set",
                       f"<set xmlns='{CTR}'><boolean name='on' value='true'/></set>")
    resp = res.xml.find(f"{{{CTR}}}setResponse")
    check(res["type"] == "result" and resp is not None and resp.get("responseCode") is None,
          f"xsf set: {res}")
    res = await raw_iq(carol.client, lamp, "set",
                       f"<set xmlns='{CTR}'><int name='nosuch' value='1'/></set>")
    parts = error_parts(res)
    check(res["type"] == "error" and "paramError" in parts and "setResponse" not in parts,
          f"xsf set error: {res}")
    res = await raw_iq(alice.client, lamp, "set",
                       f"<set xmlns='{CTR}'><boolean name='on' value='true'/></set>")
    resp = res.xml.find(f"{{{CTR}}}setResponse")
    check(resp is not None and resp.get("responseCode") == "OK", f"slixmpp set: {res}")
    say("set: xsf gets <setResponse/>, slixmpp responseCode='OK'")


async def test(ctx: t.Ctx) -> None:
    srv = await ctx.prosody(tls=False)
    clients = {}
    for user in ("alice", "bob", "carol", "mallory"):
        srv.register(user, f"{user}-pw")
        clients[user] = await ctx.client(srv, user, f"{user}-pw")
    daemon = ctx.daemon(config(srv, PEERS))
    alice = clients["alice"]
    for jid in (KITCHEN, LAMP):
        for user in ("alice", "bob", "carol"):
            await clients[user].wait_available(jid, timeout=20)
    kitchen, lamp = full_jid(alice, KITCHEN), full_jid(alice, LAMP)
    say(f"things online as {kitchen} and {lamp}")

    await check_get_form(alice, clients["mallory"], lamp)
    readers = {user: Reader(clients[user]) for user in ("alice", "bob", "carol")}
    await check_profiles(readers["alice"], readers["bob"], readers["carol"], kitchen, lamp)

    # a reload rewrites the stored profiles: carol becomes smack, bob falls back to slixmpp
    daemon.write_config(config(srv, {"carol@localhost": "smack"}))
    daemon.reload()
    await t.poll_until(lambda: "configuration reloaded" in daemon.log(), 10, "the reload")
    _, c = await readers["carol"].read(kitchen)
    check(c and "temperature" not in c and all(k in ("int", "boolean") for k, _ in c.values()),
          f"carol after the reload (smack): {c}")
    _, b = await readers["bob"].read(kitchen)
    check(b.get("temperature", ("", ""))[0] == "numeric", f"bob after the reload (slixmpp): {b}")
    say("after SIGHUP: carol is answered as smack, bob as slixmpp")


if __name__ == "__main__":
    t.run(test, "test_iot_profiles", timeout=120)
