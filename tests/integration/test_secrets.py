#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Per-thing secrets through iotgwctl, kept in SQLite, never shown or logged.

iotgwd on a private system bus without an XMPP server (sessions just back
off): sim:kitchen configured, sim:found1 discovered ([plugin sim]
discoverable=1). The sim plugin knows one secret, "token". iotgwctl drives
set-secret (argument and "-" for stdin), clear-secret, show and forget; the
test reads the state dir's iotgw.db with the sqlite3 module and the
daemon's log, restarts the daemon, and checks the bus policy file.
Run: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_secrets.py
"""

import asyncio
import json
import sqlite3
import sys
import time
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_ctl import Ctl, wait_daemon  # noqa: E402

THINGS = {"sim:kitchen": {"name": "Kitchen", "type": "thermometer", "interval": 1}}
# every value set in this test: none may ever show up in output or the log
VALUES = {
    "arg": "kitchen-Token-7f3a9c",
    "stdin": "stdin-Token-51be02",
    "later": "later-Token-c0ffee",
    "found": "found-Token-9d1e44",
}


def db_secrets(daemon: t.Daemon) -> dict:
    """(thing_id, name) -> value, read from the daemon's database."""
    path = daemon.state_dir / "iotgw.db"
    check(path.exists(), f"no database at {path}")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
        rows = db.execute("SELECT thing_id, name, value FROM secrets").fetchall()
    return {(thing_id, name): value for thing_id, name, value in rows}


def check_not_leaked(what: str, text: str) -> None:
    for key, value in VALUES.items():
        check(value not in text, f"{what} shows the {key} secret's value: {text!r}")


async def run_with_stdin(ctl: Ctl, data: bytes, *args: str, timeout: float = 30):
    proc = await asyncio.create_subprocess_exec(
        ctl.binary, *args, env=ctl.env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(data), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise t.TestFailure(f"iotgwctl {' '.join(args)} did not finish within {timeout:g}s")
    say(f"iotgwctl {' '.join(args)} < stdin -> {proc.returncode}")
    return proc.returncode, out.decode(), err.decode()


async def show(ctl: Ctl, thing_id: str) -> dict:
    """`thing ID show` as JSON; the text form is checked on the way."""
    text = await ctl.ok("thing", thing_id, "show")
    check_not_leaked(f"thing {thing_id} show", text)
    doc = await ctl.json("thing", thing_id, "show")
    check_not_leaked(f"thing {thing_id} show --json", json.dumps(doc))
    check(isinstance(doc.get("secrets"), list), f"show --json has no secrets list: {doc}")
    if doc["secrets"]:
        check("token" in text, f"show does not list the secret names: {text!r}")
    return doc


async def wait_thing(ctl: Ctl, thing_id: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        listed = {x["id"]: x for x in (await ctl.json("things"))["things"]}
        if thing_id in listed:
            return listed[thing_id]
        check(time.monotonic() < deadline, f"{thing_id} not listed within {timeout:g}s")
        await asyncio.sleep(0.2)


async def test_set(ctl: Ctl, daemon: t.Daemon) -> None:
    doc = await show(ctl, "sim:kitchen")
    check(doc["secrets"] == [], f"sim:kitchen has secrets before any was set: {doc['secrets']}")
    since = daemon.mark()
    out = await ctl.ok("thing", "sim:kitchen", "set-secret", "token", VALUES["arg"])
    check_not_leaked("set-secret", out)
    check("token" in out, f"set-secret does not say what it set: {out!r}")
    await daemon.wait_log(r"thing sim:kitchen: secret token set", since=since)
    doc = await show(ctl, "sim:kitchen")
    check(doc["secrets"] == ["token"], f"show --json lists {doc['secrets']}, not ['token']")
    check(db_secrets(daemon).get(("sim:kitchen", "token")) == VALUES["arg"],
          f"the database does not hold the value set: {sorted(db_secrets(daemon))}")
    out = await ctl.json("thing", "sim:kitchen", "set-secret", "token", VALUES["arg"])
    check(out == {"id": "sim:kitchen", "secret": "token", "action": "set"},
          f"set-secret --json printed {out}")
    say("set-secret token: stored, listed by name only")


async def test_errors(ctl: Ctl) -> None:
    await ctl.fails(1, "thing", "sim:kitchen", "set-secret", "bindkey", "00112233",
                    says="only the secret 'token'")
    await ctl.fails(1, "thing", "sim:kitchen", "set-secret", "token", "x" * 65,
                    says="1 to 64")
    await ctl.fails(5, "thing", "nosuch:thing", "set-secret", "token", "abc",
                    says="no plugin 'nosuch'")
    await ctl.fails(1, "thing", "no-colon", "set-secret", "token", "abc", says="thing id")
    await ctl.fails(5, "thing", "sim:kitchen", "clear-secret", "other", says="no secret 'other'")
    await ctl.fails(2, "thing", "sim:kitchen", "set-secret", "token", "", says="clear-secret")
    await ctl.fails(2, "thing", "sim:kitchen", "set-secret", "token", says="usage")
    # no stdin at all (Ctl.run gives /dev/null)
    await ctl.fails(2, "thing", "sim:kitchen", "set-secret", "token", "-", says="standard input")
    say("bad names, values, ids and plugins are refused with their exit codes")


async def test_stdin(ctl: Ctl, daemon: t.Daemon) -> None:
    rc, out, err = await run_with_stdin(ctl, (VALUES["stdin"] + "\n").encode(),
                                        "thing", "sim:kitchen", "set-secret", "token", "-")
    check(rc == 0, f"set-secret token - failed with {rc}: {err.strip()}")
    check_not_leaked("set-secret -", out + err)
    check(db_secrets(daemon).get(("sim:kitchen", "token")) == VALUES["stdin"],
          "the value read from stdin is not the stored one")
    # a key may come before its device
    rc, out, err = await run_with_stdin(ctl, VALUES["later"].encode(),
                                        "thing", "sim:later", "set-secret", "token", "-")
    check(rc == 0, f"set-secret for a thing not seen yet failed with {rc}: {err.strip()}")
    check(db_secrets(daemon).get(("sim:later", "token")) == VALUES["later"],
          "the secret of a thing not seen yet is not stored")
    say("values from stdin are stored; so is a key for a thing not seen yet")


async def test_restart(ctl: Ctl, daemon: t.Daemon) -> None:
    check(await daemon.stop() == 0, "iotgwd did not stop cleanly")
    since = daemon.mark()
    daemon.start()
    await wait_daemon(ctl)
    await daemon.wait_log(r"loaded 2 secrets", since=since)
    await wait_thing(ctl, "sim:kitchen")
    doc = await show(ctl, "sim:kitchen")
    check(doc["secrets"] == ["token"], f"after a restart show lists {doc['secrets']}")
    say("secrets survive a restart")


async def test_clear(ctl: Ctl, daemon: t.Daemon) -> None:
    out = await ctl.ok("thing", "sim:kitchen", "clear-secret", "token")
    check("cleared" in out, f"clear-secret does not say so: {out!r}")
    doc = await show(ctl, "sim:kitchen")
    check(doc["secrets"] == [], f"after clear-secret show lists {doc['secrets']}")
    check(("sim:kitchen", "token") not in db_secrets(daemon), "clear-secret left the row")
    await ctl.ok("thing", "sim:later", "clear-secret", "token")
    check(db_secrets(daemon) == {}, f"rows left: {sorted(db_secrets(daemon))}")
    say("clear-secret removes")


async def test_forget(ctl: Ctl, daemon: t.Daemon) -> None:
    await wait_thing(ctl, "sim:found1")
    await ctl.ok("thing", "sim:found1", "set-secret", "token", VALUES["found"])
    doc = await show(ctl, "sim:found1")
    check(doc["secrets"] == ["token"], f"sim:found1 lists {doc['secrets']}")
    await ctl.ok("thing", "sim:found1", "forget")
    check(db_secrets(daemon) == {}, f"forget left secrets: {sorted(db_secrets(daemon))}")
    # found again by a scan, it is new: no secrets
    await ctl.ok("scan", "--timeout", "1")
    await wait_thing(ctl, "sim:found1")
    doc = await show(ctl, "sim:found1")
    check(doc["secrets"] == [], f"forgotten sim:found1 came back with {doc['secrets']}")
    say("forget removes the secrets, in the database and in the daemon")


def test_policy() -> None:
    """Unprivileged callers are denied everything not allowed, SetThingSecret included."""
    conf = ET.parse(t.REPO / "data" / "dbus" / "org.iotgw.Gateway1.conf").getroot()
    default = [p for p in conf.findall("policy") if p.get("context") == "default"]
    check(len(default) == 1, "the bus policy has no default context")
    rules = list(default[0])
    check(any(r.tag == "deny" and r.get("send_destination") == "org.iotgw.Gateway1"
              and r.get("send_member") is None for r in rules),
          "the default context does not deny the gateway as a whole")
    members = {r.get("send_member") for r in rules if r.tag == "allow"}
    check("SetThingSecret" not in members, "unprivileged callers may call SetThingSecret")
    iface = ET.parse(t.REPO / "data" / "dbus" / "org.iotgw.Gateway1.xml").getroot()
    methods = {m.get("name") for m in iface.iter("method")}
    check("SetThingSecret" in methods, "Gateway1 has no SetThingSecret")
    say("bus policy: SetThingSecret is for root and the iotgw group only")


async def test(ctx: t.Ctx) -> None:
    test_policy()
    bus = await ctx.bus()
    cfg = t.iotgwd_config(None, ["alice@localhost"], THINGS, tls="disabled",
                          port=t.free_port(), gateway={"adopt": "manual"})
    cfg += "\n[plugin sim]\ndiscoverable=1\n"
    daemon = ctx.daemon(cfg, env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)
    await wait_thing(ctl, "sim:kitchen")

    await test_set(ctl, daemon)
    await test_errors(ctl)
    await test_stdin(ctl, daemon)
    await test_restart(ctl, daemon)
    await test_clear(ctl, daemon)
    await test_forget(ctl, daemon)

    check_not_leaked("the daemon's log", daemon.log())
    say("no secret value in the daemon's log")


if __name__ == "__main__":
    t.run(test, "test_secrets", timeout=150)
