#!/usr/bin/python3
"""MUC topic rooms (XEP-0045, the Chatty Things papers).

Plaintext Prosody with its MUC component conference.localhost; the sim
kitchen thermometer (interval 1 s) and the sim lamp; [room JID] groups
sensors (topics temperature;humidity, threshold 0, min_interval 1) and
lights (topics on;brightness).  slixmpp owner alice and non-owner mallory
join the rooms.  Checks: each thing joins the rooms of its fields only, with
its name as nick; the thermometer posts temperature changes at most once a
second; "Kitchen: get temperature" is answered in the room; "Lamp: set on
true" switches the lamp for alice and is refused for mallory; the lamp
rejoins a room its owner destroyed, and both things rejoin after Prosody
restarts.  Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_muc.py
"""

import re
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

LAMP = t.thing_jid("sim:lamp")
SENSORS = "sensors@conference.localhost"
LIGHTS = "lights@conference.localhost"

THINGS = {
    "sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 1},
    "sim:lamp": {"name": "Lamp", "type": "lamp"},
}

ROOMS = f"""
[room {SENSORS}]
topics=temperature;humidity
threshold=0
min_interval=1

[room {LIGHTS}]
topics=on;brightness
"""


class RoomLog:
    """Arrival times of groupchat messages, per room."""

    def __init__(self, client: t.OwnerClient):
        self.seen: list[tuple[float, str, str, str]] = []   # (time, room, nick, body)
        client.xmpp.add_event_handler("groupchat_message", self._on_groupchat)

    def _on_groupchat(self, msg) -> None:
        self.seen.append((time.monotonic(), msg["from"].bare, msg["from"].resource, msg["body"]))

    def posts(self, room: str, nick: str, prefix: str) -> list[tuple[float, str]]:
        return [(at, body) for at, r, n, body in self.seen
                if r == room and n == nick and body.startswith(prefix)]


async def join(client: t.OwnerClient, room: str, nick: str) -> None:
    muc = client.xmpp.plugin["xep_0045"]
    await muc.join_muc_wait(room, nick, maxstanzas=0, timeout=10)
    say(f"{client.name} joined {room}")


async def answer(client: t.OwnerClient, room: str, text: str, reply_prefix: str,
                 timeout: float = 10) -> str:
    """Say text in room; return the first groupchat message after it starting with reply_prefix."""
    since = client.mark()
    client.xmpp.send_message(mto=room, mbody=text, mtype="groupchat")
    m = await client.wait_message(room, lambda m: m.type == "groupchat" and m.body.startswith(reply_prefix),
                                  timeout, since=since, what=f"an answer to {text!r} in {room}")
    return m.body


async def check_posts(log: RoomLog, alice: t.OwnerClient) -> None:
    """Temperature changes are posted, at most one a second, never the battery."""
    await alice.wait_until(lambda: len(log.posts(SENSORS, "Kitchen", "Kitchen: temperature")) >= 4, 20,
                           "4 temperature posts from Kitchen in the sensors room")
    posts = log.posts(SENSORS, "Kitchen", "Kitchen: temperature")
    say(f"temperature posts: {[b for _, b in posts[:4]]}")
    for (t0, b0), (t1, b1) in zip(posts, posts[1:]):
        check(t1 - t0 >= 0.8, f"two temperature posts {t1 - t0:.2f}s apart: {b0!r}, {b1!r}")
        check(b0 != b1, f"an unchanged temperature was posted again: {b1!r}")
    check(re.match(r"^Kitchen: temperature -?\d+(\.\d+)? °C$", posts[0][1]), f"post format: {posts[0][1]!r}")
    check(not log.posts(SENSORS, "Kitchen", "Kitchen: battery"), "battery (no topic) was posted")
    check(not [s for s in log.seen if s[2] == "Lamp" and s[1] == SENSORS], "the lamp spoke in sensors")


async def check_commands(alice: t.OwnerClient, mallory: t.OwnerClient) -> None:
    reply = await answer(mallory, SENSORS, "Kitchen: get temperature", "mallory:")
    check(re.match(r"^mallory: temperature -?\d", reply), f"get temperature in the room: {reply!r}")
    say(f"sensors room: {reply!r}")

    reply = await answer(alice, LIGHTS, "Lamp: set on true", "alice:")
    check(re.search(r"on: true", reply), f"'set on true' from alice: {reply!r}")
    reply = await alice.chat(LAMP, "get on")
    check(re.search(r"^\s*on\s*:\s*true\b", reply, re.M), f"lamp not on after alice's set: {reply!r}")
    say("alice switched the lamp on from the lights room")

    reply = await answer(mallory, LIGHTS, "Lamp: set on false", "mallory:")
    check("only my owners" in reply, f"mallory's set was not refused: {reply!r}")
    reply = await alice.chat(LAMP, "get on")
    check(re.search(r"^\s*on\s*:\s*true\b", reply, re.M), f"mallory's set changed the lamp: {reply!r}")
    say(f"mallory refused: nothing changed")


async def test(ctx: t.Ctx) -> None:
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    srv.register("mallory", "mallory-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    mallory = await ctx.client(srv, "mallory", "mallory-pw")
    for client in (alice, mallory):
        client.xmpp.register_plugin("xep_0045")
    log = RoomLog(alice)

    d = ctx.daemon(t.iotgwd_config(srv, ["alice@localhost"], THINGS, register=True) + ROOMS)

    # -- each thing joins the rooms of its topics, its name as nick
    await d.wait_log(rf"thing sim:kitchen: joined room {SENSORS} as Kitchen\b", 30)
    await d.wait_log(rf"thing sim:lamp: joined room {LIGHTS} as Lamp\b", 30)
    check(not d.log_lines(rf"thing sim:kitchen: joined room {LIGHTS}"), "the kitchen joined lights")
    check(not d.log_lines(rf"thing sim:lamp: joined room {SENSORS}"), "the lamp joined sensors")
    say("kitchen in sensors, lamp in lights, each only there")

    for client in (alice, mallory):
        await join(client, SENSORS, client.name)
        await join(client, LIGHTS, client.name)

    await check_posts(log, alice)
    await check_commands(alice, mallory)

    # -- the owner (granted by the thing that created the room) destroys it: the lamp comes back
    mark = d.mark()
    await alice.xmpp.plugin["xep_0045"].destroy(LIGHTS, reason="test", timeout=10)
    await d.wait_log(rf"thing sim:lamp: out of room {LIGHTS}: room destroyed", 10, since=mark)
    await d.wait_log(rf"thing sim:lamp: joined room {LIGHTS} as Lamp\b", 20, since=mark)
    say("the lamp rejoined the destroyed lights room")

    # -- server restart: both things rejoin by themselves
    mark = d.mark()
    await srv.restart()
    await d.wait_log(rf"thing sim:kitchen: joined room {SENSORS} as Kitchen\b", 60, since=mark)
    await d.wait_log(rf"thing sim:lamp: joined room {LIGHTS} as Lamp\b", 60, since=mark)
    await alice.reconnect()
    await join(alice, SENSORS, alice.name)
    since = len(log.seen)
    await alice.wait_until(lambda: any(s[2] == "Kitchen" for s in log.seen[since:]), 15,
                           "a post from Kitchen after the restart")
    say("both things are back in their rooms after a Prosody restart")
    check(not d.log_lines(r"refused entry"), "a room refused entry: " + "; ".join(d.log_lines(r"refused entry")))


if __name__ == "__main__":
    t.run(test, "test_muc", timeout=180)
