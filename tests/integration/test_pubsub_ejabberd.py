#!/usr/bin/python3
"""The thesis's pubsub protocol (seed 004, 4.4) on ejabberd 23.01's PEP.

The same gateway as test_pubsub.py (Prosody), against a throw-away ejabberd
(igwtest.Ejabberd; mod_pubsub with plugins [flat, pep] + mod_caps). The
things register in-band. What ejabberd does differently, as found here:

* access_model=roster in publish-options is accepted, so 'roster' is in
  force with no fallback; ejabberd admits only the roster groups in
  pubsub#roster_groups_allowed, so the gateway puts its owners in the
  thing's roster group iotgw-owners and names that group.
* Publishes to another account's PEP node were taken from anyone, owners
  and mallory alike (in hand-made experiments ejabberd said <forbidden/>
  even to a 'publisher'): the gateway checks the publisher itself, ignores
  the rest and publishes the device's state over it.
* Event items carry no publisher attribute; ejabberd adds an XEP-0033
  <address type='replyto' jid='FULL JID'/>, which the gateway reads instead.
* No last-item push on subscribe: the tests wait for the next publish.
* Two accounts creating PEP nodes at the same moment: ejabberd (mnesia)
  aborts one transaction and answers <item-not-found/>; the gateway tries
  again a few times.

Part 1 (a lamp, access_model=roster, the default): roster in force; the
owner subscribes and reads; her publish switches the lamp and the lamp
publishes the confirmed state; mallory's publish is ignored and the item
restored.
Part 2 (a thermometer, access_model=whitelist, same server): the gateway
makes the owners members; alice subscribes and gets sensor events and reads
the UI form; mallory is refused (closed-node).
Exits 77 (skip) when ejabberd cannot run here (not installed, not root).
Run: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_pubsub_ejabberd.py
"""

import asyncio
import sys
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_ctl import Ctl, wait_daemon  # noqa: E402
from test_pubsub import LAMP, XDATA, PubsubClient, val, val_text  # noqa: E402

# One thing per gateway run: ejabberd 23.01 (mnesia) aborts PEP node
# auto-creations of two accounts at the same moment ({aborted,{cyclic,...,
# {pubsub_index,node},write,...}} in its log) and answers the losing publish
# with <item-not-found/>; the gateway then turns pubsub off for that thing
# ("pubsub off (the server refused publishing: item-not-found)").
LAMP_ONLY = {"sim:lamp": {"name": "Lamp", "type": "lamp"}}
W_KITCHEN_ONLY = {"sim:wkitchen": {"name": "WKitchen", "type": "thermometer", "interval": 1}}
W_KITCHEN = t.thing_jid("sim:wkitchen")
PS_ERRORS = "http://jabber.org/protocol/pubsub#errors"


async def pubsub_error(coro) -> str:
    """'' on success, else 'condition' or 'condition/pubsub-condition'."""
    from slixmpp.exceptions import IqError
    try:
        await coro
        return ""
    except IqError as exc:
        app = [el.tag.split("}")[1] for el in exc.iq.xml.iter() if el.tag.startswith(f"{{{PS_ERRORS}}}")]
        return exc.condition + (f"/{app[0]}" if app else "")


async def switch_on(ctl: Ctl, thing: str) -> bool:
    doc = await ctl.json("thing", thing, "get", "on")
    return [v["value"] for v in doc["values"] if v["field"] == "on"][0]


async def start_gateway(ctx: t.Ctx, srv, bus, things: dict, model: str, name: str):
    cfg = t.iotgwd_config(srv, ["alice@localhost"], things, register=True)
    cfg += f"\n[pubsub]\naccess_model={model}\nmin_interval=0\n"
    daemon = ctx.daemon(cfg, name=name, env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)
    return daemon, ctl


async def wait_switch(ctl: Ctl, thing: str, value: bool, timeout: float = 10) -> None:
    """Poll iotgwctl until the thing's 'on' is value (fails after timeout)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (state := await switch_on(ctl, thing)) is not value:
        check(asyncio.get_running_loop().time() < deadline, f"{thing} on is {state} after {timeout:g}s")
        await asyncio.sleep(0.2)


async def test_roster(ctx: t.Ctx, srv, bus, alice: t.OwnerClient, mallory: t.OwnerClient) -> None:
    daemon, ctl = await start_gateway(ctx, srv, bus, LAMP_ONLY, "roster", "iotgwd-roster")
    await alice.wait_available(LAMP, 20)
    await daemon.wait_log(r"thing sim:lamp: pubsub (roster|off|whitelist|presence)", 20)
    check(srv.user_exists("sim-lamp"), "the lamp's account was not registered in-band")

    # -- the model in force: roster, no fallback; the owners are the roster group it admits
    status = await ctl.json("status")
    check(status.get("pubsub", "").startswith("roster") and "refused" not in status.get("pubsub", ""),
          f"iotgwctl status pubsub: {status.get('pubsub')}")
    say(f"access model: {status['pubsub']} (ejabberd accepts roster)")
    ps = PubsubClient(alice)
    error = await pubsub_error(ps.subscribe(LAMP, "xmpp.iot.actuators"))
    check(error == "", f"alice's subscribe to the roster node answered {error!r}")
    error = await pubsub_error(ps.items(LAMP, "xmpp.iot.ui"))
    check(error == "", f"alice's items request answered {error!r}")
    say("the owner is in the thing's roster group iotgw-owners: subscribe and items work")

    # -- control by publishing: ejabberd names the publisher by an XEP-0033 replyto address
    check(await switch_on(ctl, "sim:lamp") is False, "the lamp starts on")
    since = len(ps.events)
    error = await pubsub_error(ps.publish(LAMP, "xmpp.iot.actuators", "xmpp.iot.actuator.on", val("1", "bool")))
    check(error == "", f"alice's publish answered {error!r}")
    await wait_switch(ctl, "sim:lamp", True)
    # her own item, then the lamp's confirmation of the same value
    await ps.wait_event(lambda f, n, i, p, pl: f == LAMP and i == "xmpp.iot.actuator.on" and val_text(pl) == "1",
                        10, "alice's item", since)
    await ps.wait_event(lambda f, n, i, p, pl: f == LAMP and i == "xmpp.iot.actuator.on" and val_text(pl) == "1",
                        10, "the lamp's confirmed state", since + 1)
    say("alice's publish switched the lamp on; the lamp published the confirmed state")

    # -- a non-owner: ejabberd may take the publish (seen: sometimes without telling the
    # node's subscribers at all); the gateway ignores it if it hears of it
    mps = PubsubClient(mallory)
    mark = daemon.mark()
    merror = await pubsub_error(mps.publish(LAMP, "xmpp.iot.actuators", "xmpp.iot.actuator.on", val("0", "bool")))
    check(merror in ("", "forbidden"), f"mallory's publish answered {merror!r}")
    # a round trip through the same session after hers: whatever it caused has been seen
    check(await switch_on(ctl, "sim:lamp") is True, "mallory switched the lamp")
    error = await pubsub_error(ps.items(LAMP, "xmpp.iot.ui"))
    check(error == "" and await switch_on(ctl, "sim:lamp") is True, "mallory switched the lamp")
    check(not daemon.log_lines(r"set on by mallory", since=mark), "the gateway applied mallory's publish")
    ignored = daemon.log_lines(r"by mallory@localhost ignored: not an owner", since=mark)
    say(f"mallory's publish answered {merror or 'result (ejabberd takes it)'}; the lamp stays on"
        + ("; the gateway ignored it and restored the item" if ignored else ""))
    await daemon.stop()


async def test_whitelist(ctx: t.Ctx, srv, bus, alice: t.OwnerClient, mallory: t.OwnerClient) -> None:
    daemon, ctl = await start_gateway(ctx, srv, bus, W_KITCHEN_ONLY, "whitelist", "iotgwd-whitelist")
    await alice.wait_available(W_KITCHEN, 20)
    await daemon.wait_log(r"thing sim:wkitchen: pubsub (roster|off|whitelist|presence)", 20)
    status = await ctl.json("status")
    check(status.get("pubsub", "").startswith("whitelist"), f"iotgwctl status pubsub: {status.get('pubsub')}")

    # -- the owner is a member once the gateway set the affiliation (after its first publish)
    ps = PubsubClient(alice)
    deadline = asyncio.get_running_loop().time() + 10
    while (error := await pubsub_error(ps.subscribe(W_KITCHEN, "xmpp.iot.sensors"))) != "":
        check(asyncio.get_running_loop().time() < deadline, f"alice's subscribe answered {error!r}")
        await asyncio.sleep(0.2)
    since = len(ps.events)   # no last-item push on ejabberd: wait for the next reading
    _, (frm, node, item_id, publisher, payload) = await ps.wait_event(
        lambda f, n, i, p, pl: f == W_KITCHEN and i == "xmpp.iot.sensor.temperature", 15,
        "a temperature event", since)
    check(payload.get("type") == "float" and payload.get("unit") == "°C", f"payload {ET.tostring(payload)!r}")
    float(val_text(payload))
    check(publisher == "", f"ejabberd now sends a publisher attribute: {publisher!r}")
    say(f"event from {frm}: {item_id} = {val_text(payload)} {payload.get('unit')} (no publisher attribute)")

    form = (await ps.items(W_KITCHEN, "xmpp.iot.ui"))[0]["payload"]
    fields = {f.get("var"): f for f in form.findall(f"{{{XDATA}}}field")}
    temperature = fields.get("xmpp.iot.sensor.temperature")
    check(temperature is not None and temperature.find("{urn:xmpp:xdata:dynamic}readOnly") is not None,
          f"UI form: {ET.tostring(form)!r}")
    say(f"UI form of the kitchen: {sorted(fields)}, read-only sensors")

    # -- a non-member is refused
    mps = PubsubClient(mallory)
    merror = await pubsub_error(mps.subscribe(W_KITCHEN, "xmpp.iot.sensors"))
    check(merror == "not-allowed/closed-node", f"mallory's subscribe answered {merror!r}")
    ierror = await pubsub_error(mps.items(W_KITCHEN, "xmpp.iot.ui"))
    check(ierror == "not-allowed/closed-node", f"mallory's items request answered {ierror!r}")
    check(not daemon.log_lines(r"refused"), f"the gateway saw refusals: {daemon.log_lines(r'refused')}")
    say(f"mallory (no member): subscribe {merror}, items {ierror}")
    await daemon.stop()


async def test(ctx: t.Ctx) -> None:
    srv = await ctx.ejabberd()
    bus = await ctx.bus()
    srv.register("alice", "alice-pw")
    srv.register("mallory", "mallory-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    mallory = await ctx.client(srv, "mallory", "mallory-pw")
    await test_roster(ctx, srv, bus, alice, mallory)
    await test_whitelist(ctx, srv, bus, alice, mallory)


if __name__ == "__main__":
    why = t.Ejabberd.unavailable()
    if why:
        sys.stderr.write(f"SKIP test_pubsub_ejabberd: {why}\n")
        sys.exit(77)
    t.run(test, "test_pubsub_ejabberd", timeout=120)
