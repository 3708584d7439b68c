#!/usr/bin/python3
"""The gateway's own limits against a real server (issue 14, point 7).

Prosody accepts stanzas up to 256 KB, so a 100 KB chat body reaches the
daemon: it is answered once with 'message too long'. A stranger sends
5,000 chat commands: the answers and the log lines about them stay
bounded (one bucket of 20 refills at 5/s; one log line a minute), the
owner is still answered, and the daemon stays small.
Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_flood.py
"""

import asyncio
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

KITCHEN = t.thing_jid("sim:kitchen")
THINGS = {"sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 1}}
FLOOD = 5000


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def wait_processed(client: t.OwnerClient, timeout: float = 30) -> None:
    """A ping answered with a result: the stream's earlier stanzas were handled
    and the sender's bucket refilled (a refused ping is an error)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await client.xmpp["xep_0199"].ping(jid=f"{KITCHEN}/iotgw", timeout=5)
            return
        except Exception as e:  # IqError while still limited, IqTimeout
            if time.monotonic() > deadline:
                raise t.TestFailure(f"no ping answer from {KITCHEN}: {e}")
            await asyncio.sleep(1)


async def test(ctx: t.Ctx) -> None:
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    srv.register("mallory", "mallory-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    mallory = await ctx.client(srv, "mallory", "mallory-pw")
    d = ctx.daemon(t.iotgwd_config(srv, ["alice@localhost"], THINGS, register=True))
    await alice.wait_available(KITCHEN, timeout=20)
    await alice.wait_subscription(KITCHEN, "both", 10)

    # -- one oversized body: refused once, not read
    reply = await alice.chat(KITCHEN, "get " + "x" * 100_000)
    check(reply == "error: message too long (at most 4096 bytes)", f"100 KB body: {reply!r}")
    say(f"a 100 KB chat body -> {reply!r}")

    # -- a stranger's flood
    rss_before = rss_kib(d.pid)
    mark = d.mark()
    since = mallory.mark()
    start = time.monotonic()
    for _ in range(FLOOD):
        mallory.xmpp.send_message(mto=KITCHEN, mbody="set on true", mtype="chat")
    reply = await alice.chat(KITCHEN, "get temperature", timeout=20)
    check(reply.startswith("temperature:"), f"owner during the flood: {reply!r}")
    say(f"alice answered during the flood: {reply!r}")
    await wait_processed(mallory)
    elapsed = time.monotonic() - start
    replies = [m for m in mallory.messages if m.seq > since and m.bare == KITCHEN]
    lines = d.log_lines(r"refused .*mallory", since=mark)
    rss_after = rss_kib(d.pid)
    say(f"{FLOOD} stranger commands in {elapsed:.1f}s: {len(replies)} replies, "
        f"{len(lines)} log lines, RSS {rss_before} -> {rss_after} KiB")
    # the burst, one 'too many' answer, and what refilled while it lasted
    bound = 20 + 1 + 5 * (elapsed + 1)
    check(len(replies) <= bound, f"{len(replies)} replies to a flood (at most {bound:.0f})")
    check(sum("Too many requests" in m.body for m in replies) >= 1, "no 'too many' answer")
    check(len(lines) <= 3, f"{len(lines)} log lines about the flood: {lines[:5]}")

    rc = await d.stop()
    check(rc == 0, f"iotgwd exited with {rc}")


if __name__ == "__main__":
    t.run(test, "test_flood", timeout=120)
