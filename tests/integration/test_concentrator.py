#!/usr/bin/python3
"""XEP-0326 concentrator on the gateway's JID, in the XSF and nf dialects.

slixmpp has no plugin for XEP-0326: alice (an owner) sends raw iqs to
iotgw@localhost/iotgw and reads and controls sim:kitchen and sim:lamp
through it; mallory (not an owner) is refused everywhere.
Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_concentrator.py
"""

import asyncio
import sys
import time
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

GATEWAY = "iotgw@localhost/iotgw"
LAMP = t.thing_jid("sim:lamp")
THINGS = {
    "sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 1},
    "sim:lamp": {"name": "Lamp", "type": "lamp"},
}
CONC = "urn:xmpp:iot:concentrators"
NF_CONC = "urn:nf:iot:concentrator:1.0"
SD = "urn:xmpp:iot:sensordata"
CTR = "urn:xmpp:iot:control"
NF_SD = "urn:nf:iot:sd:1.0"
NF_CTR = "urn:nf:iot:ctr:1.0"


async def iq(client: t.OwnerClient, kind: str, payload: str, to: str = GATEWAY):
    """A raw iq: the reply, or the IqError's iq."""
    import slixmpp.exceptions
    x = client.xmpp
    stanza = x.make_iq_get(ito=to) if kind == "get" else x.make_iq_set(ito=to)
    stanza.append(ET.fromstring(payload))
    try:
        return await stanza.send(timeout=10)
    except slixmpp.exceptions.IqError as exc:
        return exc.iq


def error_of(reply) -> str:
    err = reply.xml.find("{jabber:client}error")
    if err is None:
        return ""
    return " ".join(c.tag.split("}")[-1] for c in err)


def child(reply, ns: str, name: str) -> ET.Element:
    el = reply.xml.find(f"{{{ns}}}{name}")
    check(reply["type"] == "result" and el is not None, f"no <{name}/> in {reply}")
    return el


class Messages:
    """Every message payload from the gateway, by qualified tag."""

    def __init__(self, client: t.OwnerClient):
        self.seen: list[ET.Element] = []
        self.changed = asyncio.Event()
        from slixmpp.xmlstream.handler import Callback
        from slixmpp.xmlstream.matcher import MatchXPath
        for ns, name in ((SD, "fields"), (NF_SD, "resp"), (NF_SD, "done"), (CONC, "nodeUpdated"),
                         (CONC, "nodeStatusChanged"), (NF_CONC, "nodeUpdated")):
            client.xmpp.register_handler(Callback(
                f"gw {ns} {name}", MatchXPath(f"{{jabber:client}}message/{{{ns}}}{name}"),
                self._on_message))

    def _on_message(self, msg) -> None:
        if msg["from"].bare != GATEWAY.split("/")[0]:
            return
        self.seen.extend(list(msg.xml))
        self.changed.set()

    async def wait(self, pred, what: str, timeout: float = 10) -> ET.Element:
        deadline = time.monotonic() + timeout
        while True:
            for el in self.seen:
                if pred(el):
                    return el
            left = deadline - time.monotonic()
            check(left > 0, f"no {what} from the gateway; got {[e.tag for e in self.seen]}")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass


def field_values(el: ET.Element) -> dict[str, str]:
    out = {}
    for f in el.iter():
        name = f.get("name") or f.get("n")
        value = f.get("value") or f.get("v")
        if name is not None and value is not None and f.tag.split("}")[-1] not in ("node", "nd"):
            out[name] = value
    return out


async def wait_gateway(alice: t.OwnerClient) -> None:
    deadline = time.monotonic() + 20
    while True:
        res = await iq(alice, "get", f"<getCapabilities xmlns='{CONC}'/>")
        if res["type"] == "result":
            return
        check(time.monotonic() < deadline, f"the gateway never answered getCapabilities: {res}")
        await asyncio.sleep(0.5)


async def discovery(alice: t.OwnerClient) -> None:
    info = await alice.xmpp["xep_0030"].get_info(jid=GATEWAY, timeout=10)
    features = set(info["disco_info"]["features"])
    expected = {"http://jabber.org/protocol/disco#info", "urn:xmpp:ping", CONC, NF_CONC,
                SD, CTR, NF_SD, NF_CTR}
    check(features == expected, f"disco#info of the gateway: {sorted(features)}")
    say("disco#info of the gateway lists exactly the concentrator and IoT namespaces")

    caps = child(await iq(alice, "get", f"<getCapabilities xmlns='{CONC}'/>"),
                 CONC, "getCapabilitiesResponse")
    values = [v.text for v in caps.findall(f"{{{CONC}}}value")]
    check(caps.get("result") == "OK" and "getAllNodes" in values and "subscribe" in values
          and "createNewNode" not in values and len(values) == 15, f"capabilities: {values}")
    nf_caps = child(await iq(alice, "get", f"<getCapabilities xmlns='{NF_CONC}'/>"), NF_CONC, "strings")
    check([v.text for v in nf_caps] == values, "nf capabilities differ")
    say(f"getCapabilities: {len(values)} operations, both dialects")

    src = child(await iq(alice, "get", f"<getAllDataSources xmlns='{CONC}'/>"),
                CONC, "getAllDataSourcesResponse")
    ids = [s.get("sourceId") for s in src]
    check("sim" in ids, f"getAllDataSources: {ids}")
    nf_src = child(await iq(alice, "get", f"<getRootDataSources xmlns='{NF_CONC}'/>"), NF_CONC, "dataSources")
    check("sim" in [s.get("src") for s in nf_src], "nf getRootDataSources lacks sim")
    kids = child(await iq(alice, "get", f"<getChildDataSources xmlns='{CONC}' sourceId='sim'/>"),
                 CONC, "getChildDataSourcesResponse")
    check(len(kids) == 0, "sim has child sources")
    say(f"data sources: {ids}")


async def nodes(alice: t.OwnerClient) -> None:
    every = child(await iq(alice, "get", f"<getAllNodes xmlns='{CONC}' sourceId='sim'/>"),
                  CONC, "getAllNodesResponse")
    found = {n.get("nodeId"): n for n in every}
    check(set(found) == {"sim:kitchen", "sim:lamp"}, f"getAllNodes: {list(found)}")
    check(found["sim:lamp"].get("isControllable") == "true"
          and found["sim:kitchen"].get("isReadable") == "true"
          and found["sim:kitchen"].get("hasChildren") == "false", "node flags")
    nf_all = child(await iq(alice, "get", f"<getRootNodes xmlns='{NF_CONC}' src='sim'/>"), NF_CONC, "nodeInfos")
    check({n.get("id") for n in nf_all} == {"sim:kitchen", "sim:lamp"}, "nf getRootNodes")
    say("getAllNodes / nf getRootNodes: sim:kitchen and sim:lamp")

    node = child(await iq(alice, "get", f"<getNode xmlns='{CONC}' nodeId='sim:kitchen' sourceId='sim' "
                                        "parameters='true'/>"), CONC, "getNodeResponse")
    params = {p.get("id"): p.get("value") for p in node}
    check(node.get("nodeId") == "sim:kitchen" and params.get("name") == "Kitchen", f"getNode: {params}")
    check(node.get("state") in ("None", "WarningUnsigned"), f"state: {node.get('state')}")
    nf_node = child(await iq(alice, "get", f"<getNode xmlns='{NF_CONC}' id='sim:lamp' src='sim'/>"),
                    NF_CONC, "nodeInfo")
    check(nf_node.get("displayName") == "Lamp", f"nf getNode: {nf_node.attrib}")
    both = child(await iq(alice, "get", f"<containsNodes xmlns='{CONC}'><node nodeId='sim:lamp'/>"
                                        "<node nodeId='nosuch'/></containsNodes>"), CONC, "containsNodesResponse")
    check([v.text for v in both] == ["true", "false"], "containsNodes")
    one = child(await iq(alice, "get", f"<containsNode xmlns='{NF_CONC}' id='sim:lamp' src='other'/>"),
                NF_CONC, "bool")
    check(one.text == "false", "a node in the wrong source is contained")
    res = await iq(alice, "get", f"<getNode xmlns='{CONC}' nodeId='nosuch'/>")
    check(res["type"] == "error" and "item-not-found" in error_of(res), f"unknown node: {res}")
    res = await iq(alice, "get", f"<getNodes xmlns='{NF_CONC}'><nd id='sim:lamp'/><nd id='nosuch'/></getNodes>")
    check(res["type"] == "error" and "item-not-found" in error_of(res), f"nf unknown node: {res}")
    res = await iq(alice, "get", f"<getAncestors xmlns='{CONC}' nodeId='sim:lamp'/>")
    check(res["type"] == "error" and "feature-not-implemented" in error_of(res), f"getAncestors: {res}")
    res = await iq(alice, "get", f"<getNode xmlns='{CONC}'/>")
    check(res["type"] == "error" and "bad-request" in error_of(res), f"getNode without a node: {res}")
    say("getNode(s), containsNode(s); unknown node -> item-not-found, getAncestors -> "
        "feature-not-implemented, no node -> bad-request")


async def readout_and_control(alice: t.OwnerClient, msgs: Messages) -> None:
    # XSF readout of sim:kitchen through the gateway: accepted, then <fields>
    deadline = time.monotonic() + 15
    seq = 100
    while True:
        seq += 1
        res = await iq(alice, "get", f"<req xmlns='{SD}' seqnr='{seq}' momentary='true'>"
                                     "<node nodeId='sim:kitchen' sourceId='sim'/></req>")
        check(res["type"] == "result" and res.xml.find(f"{{{SD}}}accepted") is not None,
              f"readout through the gateway not accepted: {res}")
        fields = await msgs.wait(lambda e, s=str(seq): e.tag == f"{{{SD}}}fields" and e.get("seqnr") == s,
                                 f"<fields seqnr='{seq}'/>")
        vals = field_values(fields)
        if "temperature" in vals or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    node = fields.find(f"{{{SD}}}node")
    check("temperature" in vals and node is not None and node.get("nodeId") == "sim:kitchen",
          f"XSF readout through the gateway: {ET.tostring(fields)}")
    say(f"XSF readout of sim:kitchen via the gateway: {vals}")

    res = await iq(alice, "get", f"<req xmlns='{NF_SD}' id='nfgw' m='true'><nd id='sim:kitchen' src='sim'/></req>")
    check(res["type"] == "result" and res.xml.find(f"{{{NF_SD}}}accepted") is not None,
          f"nf readout through the gateway: {res}")
    resp = await msgs.wait(lambda e: e.tag == f"{{{NF_SD}}}resp" and e.get("id") == "nfgw", "nf <resp/>")
    check("temperature" in field_values(resp), f"nf readout via the gateway: {ET.tostring(resp)}")
    say(f"nf readout of sim:kitchen via the gateway: {field_values(resp)}")

    res = await iq(alice, "get", f"<req xmlns='{SD}' seqnr='7' momentary='true'><node nodeId='nosuch'/></req>")
    check(res["type"] == "error" and "item-not-found" in error_of(res), f"readout of an unknown node: {res}")
    res = await iq(alice, "get", f"<req xmlns='{SD}' seqnr='8' momentary='true'/>")
    check(res["type"] == "error" and "bad-request" in error_of(res), f"readout of the gateway itself: {res}")

    # control of sim:lamp through the gateway, both dialects, read back
    res = await iq(alice, "set", f"<set xmlns='{CTR}'><node nodeId='sim:lamp' sourceId='sim'/>"
                                 "<boolean name='on' value='true'/></set>")
    check(res["type"] == "result", f"XSF set through the gateway: {res}")
    res = await iq(alice, "get", f"<req xmlns='{SD}' seqnr='200'><node nodeId='sim:lamp'/>"
                                 "<field name='on'/></req>")
    fields = await msgs.wait(lambda e: e.tag == f"{{{SD}}}fields" and e.get("seqnr") == "200", "lamp readout")
    check(field_values(fields).get("on") == "true", f"lamp after set on=true: {ET.tostring(fields)}")
    res = await iq(alice, "set", f"<set xmlns='{NF_CTR}'><nd id='sim:lamp' src='sim'/><b n='on' v='false'/></set>")
    check(res["type"] == "result", f"nf set through the gateway: {res}")
    await iq(alice, "get", f"<req xmlns='{NF_SD}' id='nflamp'><nd id='sim:lamp'/><f n='on'/></req>")
    resp = await msgs.wait(lambda e: e.tag == f"{{{NF_SD}}}resp" and e.get("id") == "nflamp", "nf lamp readout")
    check(field_values(resp).get("on") == "false", f"lamp after nf set on=false: {ET.tostring(resp)}")
    say("control of sim:lamp via the gateway: XSF on=true, nf on=false, both read back")


async def rename(alice: t.OwnerClient) -> None:
    form = child(await iq(alice, "get", f"<getNodeParametersForEdit xmlns='{CONC}' nodeId='sim:lamp'/>"),
                 CONC, "getNodeParametersForEditResponse")
    x = form.find("{jabber:x:data}x")
    names = {f.get("var"): f.findtext("{jabber:x:data}value") for f in x.findall("{jabber:x:data}field")}
    check(names.get("name") == "Lamp", f"edit form: {names}")
    res = await iq(alice, "set", f"<setNodeParametersAfterEdit xmlns='{CONC}' nodeId='sim:lamp' sourceId='sim'>"
                                 "<x xmlns='jabber:x:data' type='submit'><field var='name'>"
                                 "<value>Desk lamp</value></field></x></setNodeParametersAfterEdit>")
    done = child(res, CONC, "setNodeParametersAfterEditResponse")
    node = done.find(f"{{{CONC}}}node")
    params = {p.get("id"): p.get("value") for p in node}
    check(params.get("name") == "Desk lamp" and params.get("jid") == LAMP, f"after the edit: {params}")
    nf_node = child(await iq(alice, "get", f"<getNode xmlns='{NF_CONC}' id='sim:lamp' parameters='true'/>"),
                    NF_CONC, "nodeInfo")
    check(nf_node.get("displayName") == "Desk lamp", f"nf getNode after the rename: {nf_node.attrib}")
    check(alice.is_available(LAMP), "the lamp went offline on a rename")
    res = await iq(alice, "set", f"<setNodeParametersAfterEdit xmlns='{CONC}' nodeId='sim:lamp'>"
                                 "<x xmlns='jabber:x:data' type='submit'><field var='name'><value> </value>"
                                 "</field></x></setNodeParametersAfterEdit>")
    check(res["type"] == "error" and "bad-request" in error_of(res), f"an empty name: {res}")
    say(f"setNodeParametersAfterEdit renamed sim:lamp to 'Desk lamp'; JID still {LAMP}")


async def events(alice: t.OwnerClient, msgs: Messages) -> None:
    res = await iq(alice, "set", f"<subscribe xmlns='{CONC}' sourceId='sim'/>")
    check(child(res, CONC, "subscribeResponse").get("result") == "OK", f"subscribe: {res}")
    msgs.seen.clear()
    fields = await msgs.wait(lambda e: e.tag == f"{{{SD}}}fields"
                             and e.find(f"{{{SD}}}node") is not None
                             and e.find(f"{{{SD}}}node").get("nodeId") == "sim:kitchen",
                             "a new-value event for sim:kitchen", timeout=10)
    say(f"subscribe: new-value event {field_values(fields)}")
    # at most one new-value message per node per second
    await asyncio.sleep(3.5)
    stamps = [e for e in msgs.seen if e.tag == f"{{{SD}}}fields"
              and e.find(f"{{{SD}}}node") is not None and e.find(f"{{{SD}}}node").get("nodeId") == "sim:kitchen"]
    check(1 <= len(stamps) <= 6, f"{len(stamps)} kitchen events in ~3.5 s")
    # a rename is a nodeUpdated event
    await iq(alice, "set", f"<setNodeParametersAfterEdit xmlns='{CONC}' nodeId='sim:lamp'>"
                           "<x xmlns='jabber:x:data' type='submit'><field var='name'><value>Lamp</value>"
                           "</field></x></setNodeParametersAfterEdit>")
    upd = await msgs.wait(lambda e: e.tag == f"{{{CONC}}}nodeUpdated", "nodeUpdated")
    check(upd.get("nodeId") == "sim:lamp", f"nodeUpdated: {upd.attrib}")
    res = await iq(alice, "set", f"<unsubscribe xmlns='{CONC}'/>")
    check(child(res, CONC, "unsubscribeResponse").get("result") == "OK", f"unsubscribe: {res}")
    await asyncio.sleep(1.5)
    msgs.seen.clear()
    await asyncio.sleep(2.5)
    check(not msgs.seen, f"events after unsubscribe: {[e.tag for e in msgs.seen]}")
    say(f"{len(stamps)} rate-limited new-value events in 3.5 s, nodeUpdated on rename, none after unsubscribe")


async def refused(mallory: t.OwnerClient) -> None:
    asks = [
        ("get", f"<getCapabilities xmlns='{CONC}'/>"),
        ("get", f"<getAllNodes xmlns='{NF_CONC}'/>"),
        ("get", f"<getNode xmlns='{CONC}' nodeId='sim:lamp'/>"),
        ("get", f"<getNode xmlns='{CONC}' nodeId='nosuch'/>"),
        ("set", f"<subscribe xmlns='{CONC}'/>"),
        ("set", f"<setNodeParametersAfterEdit xmlns='{CONC}' nodeId='sim:lamp'><x xmlns='jabber:x:data' "
                "type='submit'><field var='name'><value>Owned</value></field></x></setNodeParametersAfterEdit>"),
        ("get", f"<req xmlns='{SD}' seqnr='1' momentary='true'><node nodeId='sim:kitchen'/></req>"),
        ("get", f"<req xmlns='{NF_SD}' id='m1' m='true'><nd id='sim:kitchen'/></req>"),
        ("set", f"<set xmlns='{CTR}'><node nodeId='sim:lamp'/><boolean name='on' value='true'/></set>"),
        ("set", f"<set xmlns='{NF_CTR}'><nd id='sim:lamp'/><b n='on' v='true'/></set>"),
    ]
    for kind, payload in asks:
        res = await iq(mallory, kind, payload)
        check(res["type"] == "error" and "forbidden" in error_of(res), f"mallory: {payload} -> {res}")
    say(f"mallory refused (forbidden) on all {len(asks)} requests")


def quiet_iq_errors(loop, context) -> None:
    if type(context.get("exception")).__name__ != "IqError":
        loop.default_exception_handler(context)


async def test(ctx: t.Ctx) -> None:
    asyncio.get_running_loop().set_exception_handler(quiet_iq_errors)
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    srv.register("mallory", "mallory-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    mallory = await ctx.client(srv, "mallory", "mallory-pw")
    msgs = Messages(alice)
    ctx.daemon(t.iotgwd_config(srv, ["alice@localhost"], THINGS, register=True))
    await alice.wait_available(LAMP, timeout=20)
    await wait_gateway(alice)
    say("gateway answers at " + GATEWAY)
    await discovery(alice)
    await nodes(alice)
    await readout_and_control(alice, msgs)
    await rename(alice)
    await events(alice, msgs)
    await refused(mallory)
    # still alive and answering
    await wait_gateway(alice)


if __name__ == "__main__":
    t.run(test, "test_concentrator", timeout=150)
