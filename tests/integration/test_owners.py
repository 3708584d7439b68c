#!/usr/bin/python3
"""Removing an owner removes every way in (issue 14, point 8), on Prosody.

alice stays an owner throughout. Three others lose it, one per door:
bob through iotgwctl owners remove, carol through the config and SIGHUP,
dave through the config while iotgwd was stopped (the next login compares
the roster with the owners). Each of them, while an owner, has a "both"
subscription with the lamp, sees its presence and reads its PEP nodes
(bob also receives the thermometer's notifications). Once removed: the
roster shows no subscription, the lamp's presence is gone, items and
subscribe requests on the sensors, actuators and ui nodes are refused, no
notification arrives, a publish to the actuators node leaves no item, and
asking for the lamp's presence again is refused (as for any stranger).
Run: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_owners.py
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
NODES = ("xmpp.iot.sensors", "xmpp.iot.actuators", "xmpp.iot.ui")
GRAFFITI = '<val xmlns="urn:xmpp:uwpx:iot" type="bool">1</val>'


def config(srv: t.Prosody, owners: list[str]) -> str:
    return t.iotgwd_config(srv, owners, THINGS, register=True) + "\n[pubsub]\nmin_interval=0\n"


async def refused(client: t.OwnerClient, what: str, call, timeout: float = 10) -> str:
    """The error condition of a pubsub request that must fail; after a
    restart the gateway takes the access away once each node is ready
    again, a moment after its login, so it is asked again until then."""
    from slixmpp.exceptions import IqError, IqTimeout
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            await call()
        except IqError as exc:
            return exc.condition
        except IqTimeout:
            raise t.TestFailure(f"{client.name}: {what}: no answer") from None
        if asyncio.get_running_loop().time() > deadline:
            raise t.TestFailure(f"{client.name}: {what} is still allowed after {timeout:g}s")
        await asyncio.sleep(0.2)


async def read_items(client: t.OwnerClient, thing: str, node: str) -> list[str]:
    result = await client._pubsub().get_items(thing, node, timeout=10)
    return [item["id"] for item in result["pubsub"]["items"]]


async def check_owner(client: t.OwnerClient) -> None:
    """While an owner: a both-way subscription, presence and the nodes."""
    await client.wait_subscription(LAMP, "both", 20)
    await client.wait_available(LAMP, 20)
    await t.poll_until(lambda: client.is_available(LAMP), 10, f"{client.name} sees the lamp")
    # the affiliations come once each node's first publish created it
    for node in ("xmpp.iot.actuators", "xmpp.iot.ui"):
        for _ in range(50):
            try:
                await read_items(client, LAMP, node)
                break
            except Exception:  # noqa: BLE001 - forbidden until the node is ready
                await asyncio.sleep(0.2)
        else:
            raise t.TestFailure(f"{client.name}, an owner, cannot read {node} of the lamp")
    say(f"{client.name} is an owner: subscription both, sees the lamp, reads its nodes")


async def check_out(client: t.OwnerClient, alice: t.OwnerClient, door: str) -> None:
    """Every way in is gone for client."""
    await client.wait_subscription(LAMP, "none", 15)
    await t.poll_until(lambda: not client.is_available(LAMP), 10,
                       f"{client.name} no longer sees the lamp's presence")
    conditions = []
    for node in NODES:
        conditions.append(await refused(client, f"items of {node}",
                                        lambda: client._pubsub().get_items(LAMP, node, timeout=10)))
        conditions.append(await refused(client, f"subscribe to {node}",
                                        lambda: client._pubsub().subscribe(LAMP, node, timeout=10)))
    ok, error = await client.pep_publish(LAMP, "xmpp.iot.actuators", "graffiti", GRAFFITI)
    # taken or not, no reader sees it for long
    for _ in range(50):
        if "graffiti" not in await read_items(alice, LAMP, "xmpp.iot.actuators"):
            break
        await asyncio.sleep(0.1)
    else:
        raise t.TestFailure(f"{client.name}'s item stays on the lamp's actuators node")
    # a stranger's subscription request is refused
    mark = client.mark()
    client.xmpp.send_presence(pto=LAMP, ptype="subscribe")
    await client.wait_presence(LAMP, lambda p: p.type == "unsubscribed", 10, since=mark,
                               what="the lamp refusing a new subscription")
    check(client.subscription(LAMP) in ("none", "to"),
          f"{client.name}'s roster says {client.subscription(LAMP)!r}")
    say(f"{door}: {client.name} has no subscription, no presence, pubsub refused "
        f"({', '.join(sorted(set(conditions)))}), publish {'taken and retracted' if ok else error}, "
        "a new subscription refused")


async def test(ctx: t.Ctx) -> None:
    bus = await ctx.bus()
    srv = await ctx.prosody(tls=False)
    users = {}
    for user in ("alice", "bob", "carol", "dave"):
        srv.register(user, f"{user}-pw")
        users[user] = await ctx.client(srv, user, f"{user}-pw")
    alice, bob, carol, dave = (users[u] for u in ("alice", "bob", "carol", "dave"))
    owners = ["alice@localhost", "carol@localhost", "dave@localhost"]
    daemon = ctx.daemon(config(srv, owners), env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)
    await ctl.ok("owners", "add", "bob@localhost")
    for client in (alice, bob, carol, dave):
        await check_owner(client)

    # -- iotgwctl owners remove; bob received the thermometer's notifications
    await bob.pep_subscribe(KITCHEN, "xmpp.iot.sensors")
    await bob.wait_pubsub_event(lambda e: e.frm == KITCHEN, 15, since=bob.pubsub_mark(),
                                what="a sensor event while an owner")
    await ctl.ok("owners", "remove", "bob@localhost")
    await check_out(bob, alice, "iotgwctl owners remove")
    mark = bob.pubsub_mark()
    await alice.pep_subscribe(KITCHEN, "xmpp.iot.sensors")
    await alice.wait_pubsub_event(lambda e: e.frm == KITCHEN, 15, since=alice.pubsub_mark(),
                                  what="alice's sensor event")
    await asyncio.sleep(2.5)
    late = [e for e in bob.pubsub_events[mark:] if e.frm == KITCHEN]
    check(not late, f"bob still receives the thermometer's events: {late[:2]}")
    say("bob receives no notification any more, alice still does")

    # -- the config and SIGHUP
    daemon.write_config(config(srv, ["alice@localhost", "dave@localhost"]))
    daemon.reload()
    await check_out(carol, alice, "config + SIGHUP")

    # -- the config while stopped: the next login compares the roster
    await daemon.stop()
    daemon.write_config(config(srv, ["alice@localhost"]))
    daemon.start()
    await wait_daemon(ctl)
    await alice.wait_available(LAMP, 20)
    await check_out(dave, alice, "config + restart")
    await alice.wait_subscription(LAMP, "both", 5)
    check(alice.is_available(LAMP), "alice lost the lamp's presence")
    say("alice, still an owner, keeps her subscription and the lamp's presence")


if __name__ == "__main__":
    t.run(test, "test_owners", timeout=180)
