#!/usr/bin/python3
"""iotgwctl against a real iotgwd on a private system bus.

Plaintext Prosody, owner alice, bob (not an owner at first); iotgwd with
sim:lamp and sim:kitchen (a reading a second); iotgwctl (env IOTGWCTL)
drives: status, things, rename, set, readings, owners add/list/remove,
watch, permit-join, and the exit codes of its errors.
Run: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_ctl.py
"""

import asyncio
import json
import os
import signal
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

KITCHEN = t.thing_jid("sim:kitchen")   # sim-kitchen@localhost
LAMP = t.thing_jid("sim:lamp")         # sim-lamp@localhost

THINGS = {
    "sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 1},
    "sim:lamp": {"name": "Lamp", "type": "lamp"},
}


def iotgwctl_binary() -> str:
    path = os.environ.get("IOTGWCTL")
    if not path:
        fallback = t.REPO / "build" / "src" / "iotgwctl"
        check(fallback.exists(), "IOTGWCTL is not set (path of the iotgwctl binary under test)")
        path = str(fallback)
    check(os.access(path, os.X_OK), f"IOTGWCTL={path} is not executable")
    return path


class Ctl:
    """Runs iotgwctl on one bus; every run is logged with its exit code."""

    def __init__(self, bus: t.PrivateBus):
        self.binary = iotgwctl_binary()
        self.env = dict(os.environ, **bus.env())

    async def run(self, *args: str, timeout: float = 30) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            self.binary, *args, env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            raise t.TestFailure(f"iotgwctl {' '.join(args)} did not finish within {timeout:g}s")
        rc = proc.returncode
        say(f"iotgwctl {' '.join(args)} -> {rc}" + (f" ({err.decode().strip()})" if rc else ""))
        return rc, out.decode(), err.decode()

    async def ok(self, *args: str) -> str:
        rc, out, err = await self.run(*args)
        check(rc == 0, f"iotgwctl {' '.join(args)} failed with {rc}: {err.strip()}")
        return out

    async def json(self, *args: str) -> dict:
        out = await self.ok("--json", *args)
        try:
            return json.loads(out)
        except ValueError as exc:
            raise t.TestFailure(f"iotgwctl --json {' '.join(args)} printed no JSON ({exc}): {out!r}")

    async def fails(self, code: int, *args: str, says: str = "") -> str:
        """Expect exit code `code` and one line on stderr (containing `says`)."""
        rc, out, err = await self.run(*args)
        check(rc == code, f"iotgwctl {' '.join(args)} exited {rc}, expected {code}: {err.strip()}")
        lines = err.strip().splitlines()
        check(len(lines) == 1 and lines[0].startswith("iotgwctl: "),
              f"iotgwctl {' '.join(args)}: stderr is not one 'iotgwctl: ' line: {err!r}")
        check(says.lower() in lines[0].lower(), f"iotgwctl {' '.join(args)}: {lines[0]!r} "
              f"does not mention {says!r}")
        return lines[0]


class Stream:
    """A long-running iotgwctl (watch), its stdout read line by line."""

    def __init__(self, ctl: Ctl, *args: str):
        self.ctl = ctl
        self.args = args
        self.proc = None
        self.lines: list[str] = []

    async def start(self) -> "Stream":
        self.proc = await asyncio.create_subprocess_exec(
            self.ctl.binary, *self.args, env=self.ctl.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        say(f"iotgwctl {' '.join(self.args)} started: pid={self.proc.pid}")
        return self

    async def wait_json(self, predicate, count: int, timeout: float, what: str) -> list[dict]:
        """Read lines until `count` JSON objects match predicate."""
        found: list[dict] = []
        deadline = time.monotonic() + timeout
        while len(found) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise t.TestFailure(f"iotgwctl {' '.join(self.args)}: {len(found)} of {count} "
                                    f"{what} within {timeout:g}s; lines: {self.lines[-5:]}")
            try:
                line = await asyncio.wait_for(self.proc.stdout.readline(), remaining)
            except asyncio.TimeoutError:
                continue
            check(line, f"iotgwctl {' '.join(self.args)} ended early (rc {self.proc.returncode})")
            self.lines.append(line.decode().rstrip("\n"))
            event = json.loads(line)
            if predicate(event):
                found.append(event)
        return found

    async def stop(self) -> int:
        """SIGTERM by PID; watch must end cleanly with 0."""
        if self.proc.returncode is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            rc = await asyncio.wait_for(self.proc.wait(), 5)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise t.TestFailure(f"iotgwctl {' '.join(self.args)} ignored SIGTERM")
        return rc


async def wait_daemon(ctl: Ctl, timeout: float = 20) -> dict:
    """The daemon owns its bus name once status answers."""
    deadline = time.monotonic() + timeout
    while True:
        rc, out, err = await ctl.run("--json", "status")
        if rc == 0:
            return json.loads(out)
        check(rc == 3, f"status before the daemon is up exited {rc}, not 3: {err.strip()}")
        check(time.monotonic() < deadline, f"iotgwd did not own its bus name within {timeout:g}s")
        await asyncio.sleep(0.2)


async def test_info(ctl: Ctl) -> None:
    status = await ctl.json("status")
    check(status.get("version"), f"status --json has no version: {status}")
    check(isinstance(status.get("plugins"), list), f"status --json has no plugins: {status}")
    say(f"status: version {status['version']}, {status.get('things')} things")
    things = await ctl.json("things")
    ids = sorted(x["id"] for x in things["things"])
    check(ids == ["sim:kitchen", "sim:lamp"], f"things --json lists {ids}")
    out = await ctl.ok("things")
    check("sim:kitchen" in out and "sim:lamp" in out, f"things does not list both: {out!r}")


async def test_rename(ctl: Ctl, alice: t.OwnerClient) -> None:
    await ctl.fails(2, "thing", "sim:kitchen", "rename", "", says="NAME")
    await ctl.ok("thing", "sim:kitchen", "rename", "Cosy kitchen")
    thing = await ctl.json("thing", "sim:kitchen", "show")
    check(thing["name"] == "Cosy kitchen", f"the name did not change: {thing['name']!r}")
    check(thing["jid"] == KITCHEN, f"the JID changed with the name: {thing['jid']!r}")
    reply = await alice.chat(KITCHEN, "get temperature")
    check("temperature" in reply, f"{KITCHEN} no longer answers after the rename: {reply!r}")
    say(f"renamed; {KITCHEN} still answers: {reply!r}")
    out = await ctl.ok("thing", "sim:kitchen", "show")
    check("temperature" in out, f"show lists no temperature field: {out!r}")
    out = await ctl.ok("thing", "sim:kitchen", "get", "temperature")
    check(out.strip() != "", f"get temperature printed nothing: {out!r}")
    doc = await ctl.json("thing", "sim:kitchen", "get", "temperature")
    check({v["field"] for v in doc["values"]} == {"temperature"}, f"get temperature: {doc}")
    await ctl.fails(5, "thing", "sim:kitchen", "get", "nosuch", says="no field 'nosuch'")


async def test_set(ctl: Ctl, alice: t.OwnerClient) -> None:
    since = alice.mark()
    out = await ctl.ok("thing", "sim:lamp", "set", "on", "true")
    check("true" in out, f"set does not print the confirmed value: {out!r}")
    p = await alice.wait_presence(LAMP, lambda p: "on true" in (p.status or ""), 10, since=since,
                                  what="the lamp's presence status with 'on true'")
    say(f"lamp presence: {p.status!r}")
    await ctl.fails(1, "thing", "sim:lamp", "set", "on", "maybe", says="on")


async def test_readings(ctl: Ctl) -> None:
    async def three() -> bool:
        got = await ctl.json("readings", "sim:kitchen", "--limit", "3")
        return len(got["readings"]) == 3
    deadline = time.monotonic() + 10
    while not await three():
        check(time.monotonic() < deadline, "sim:kitchen has no 3 stored readings after 10 s")
        await asyncio.sleep(0.5)
    out = await ctl.ok("readings", "sim:kitchen", "--limit", "3")
    rows = [line for line in out.splitlines()[1:] if line.strip()]
    check(len(rows) == 3, f"readings --limit 3 printed {len(rows)} rows: {out!r}")
    await ctl.fails(2, "readings", "sim:kitchen", "--since", "-1h", "--until", "-2h",
                    says="after")


async def test_peers(ctl: Ctl) -> None:
    """A peer's dialect profile is set, listed and removed; bad ones refused."""
    await ctl.ok("peers", "set", "carol@localhost", "smack")
    peers = {(p["jid"], p["profile"], p["source"]) for p in (await ctl.json("peers"))["peers"]}
    check(("carol@localhost", "smack", "admin") in peers, f"peers list lacks carol: {peers}")
    await ctl.fails(2, "peers", "set", "carol@localhost", "fancy", says="PROFILE")
    await ctl.fails(2, "peers", "set", "carol@localhost/phone", "xsf", says="bare JID")
    await ctl.ok("peers", "remove", "carol@localhost")
    check(not (await ctl.json("peers", "list"))["peers"], "carol still has a profile")
    say("peers set, list and remove work; bad profiles and full JIDs are usage errors")


async def test_owners(ctl: Ctl, bob: t.OwnerClient) -> None:
    since = bob.mark()
    await ctl.ok("owners", "add", "bob@localhost")
    await bob.wait_presence(LAMP, lambda p: p.type == "subscribe", 15, since=since,
                            what=f"a subscription request from {LAMP}")
    owners = {(o["jid"], o["source"]) for o in (await ctl.json("owners", "list"))["owners"]}
    check(("bob@localhost", "admin") in owners, f"owners list lacks bob (admin): {owners}")
    check(("alice@localhost", "config") in owners, f"owners list lacks alice (config): {owners}")
    await ctl.ok("owners", "remove", "bob@localhost")
    owners = {o["jid"] for o in (await ctl.json("owners"))["owners"]}
    check("bob@localhost" not in owners, f"bob is still an owner: {owners}")
    await ctl.fails(5, "owners", "remove", "bob@localhost")


async def test_watch(ctl: Ctl) -> None:
    watch = await Stream(ctl, "--json", "watch", "sim:kitchen").start()
    try:
        got = await watch.wait_json(lambda e: e.get("event") == "reading", 2, 5,
                                    "readings of sim:kitchen")
        check(all(e["id"] == "sim:kitchen" for e in got), f"watch sim:kitchen printed {got}")
        say(f"watch: {got[0]['field']} = {got[0]['text']!r}, ...")
    finally:
        rc = await watch.stop()
    check(rc == 0, f"watch exited {rc} on SIGTERM")


async def test_permit_join(ctl: Ctl) -> None:
    watch = await Stream(ctl, "--json", "watch").start()
    try:
        # subscribed before the window opens: a first reading shows it is
        await watch.wait_json(lambda e: e.get("event") == "reading", 1, 10, "a first reading")
        out = await ctl.ok("permit-join", "2")
        check("open" in out, f"permit-join 2 does not say the window is open: {out!r}")
        status = await ctl.json("status")
        check(status["permit_join_remaining"] > 0, f"status shows no open window: {status}")
        await watch.wait_json(lambda e: e.get("event") == "permit_join_changed"
                              and e["remaining"] == 0, 1, 8, "PermitJoinChanged 0")
    finally:
        await watch.stop()
    status = await ctl.json("status")
    check(status["permit_join_remaining"] == 0, f"the window did not close: {status}")
    check("closed" in await ctl.ok("status"), "status does not say the window is closed")
    await ctl.fails(2, "permit-join", "4000", says="3600")


async def test_errors(ctl: Ctl, nobody: Ctl) -> None:
    await ctl.fails(2, "frobnicate", says="unknown command")
    await ctl.fails(2, "thing", "sim:lamp", "frobnicate")
    await ctl.fails(5, "thing", "nosuch", "show", says="no thing 'nosuch'")
    await ctl.fails(1, "thing", "sim:lamp", "forget", says="configured")
    await nobody.fails(3, "status", says="not running")
    await nobody.fails(3, "things")


async def test(ctx: t.Ctx) -> None:
    bus = await ctx.bus()
    empty = await ctx.bus("empty-bus")
    srv = await ctx.prosody(tls=False)
    srv.register("alice", "alice-pw")
    srv.register("bob", "bob-pw")
    alice = await ctx.client(srv, "alice", "alice-pw")
    bob = await ctx.client(srv, "bob", "bob-pw")
    ctl = Ctl(bus)

    ctx.daemon(t.iotgwd_config(srv, ["alice@localhost"], THINGS, register=True), env=bus.env())
    await wait_daemon(ctl)
    for jid in (KITCHEN, LAMP):
        await alice.wait_available(jid, timeout=20)
    say("iotgwd is on the bus and both things are online")

    await test_info(ctl)
    await test_rename(ctl, alice)
    await test_set(ctl, alice)
    await test_readings(ctl)
    await test_owners(ctl, bob)
    await test_watch(ctl)
    await test_permit_join(ctl)
    await test_peers(ctl)
    await test_errors(ctl, Ctl(empty))


if __name__ == "__main__":
    t.run(test, "test_ctl", timeout=150)
