#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""CoAP nodes that require DTLS with a pre-shared key (coaps://).

Peers are libcoap's own DTLS server, coap-server-openssl -k KEY (Debian's
libcoap3-bin), never our code:
* "vault" on the gateway's ::1, configured as [thing coap:vault] address =
  coaps://[::1]:PORT (its DTLS port: plain CoAP gets no answer there);
* node 1 of a CoapLab (a simulated 6LoWPAN link, lowpan0), found by plain
  multicast discovery (DTLS has no multicast) and then asked over DTLS on
  port 5684 because its thing has a psk secret.
For each: without a key or with a wrong one the thing is unavailable, the
log says what to do once, and `iotgwctl status` names it; with the right
key (set by iotgwctl while running) it comes up, its observable /time is
observed and a PUT (control) is read back, all over DTLS. Killed and
restarted, the vault is observed again (a new handshake), and with its key
cleared it is unavailable again.
Run as root: IOTGWD=... IOTGWCTL=... /usr/bin/python3 test_coap_dtls.py
"""

import asyncio
import json
import os
import re
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402
from test_ctl import Ctl, wait_daemon  # noqa: E402

SERVER = "coap-server-openssl"
KEY = "vault-Key-3b7e"
IDENTITY = "gw-test"
WRONG = "wrong-Key-000"
NODE_KEY = "0x" + "c0ffee9a" * 4   # a binary key, given as hex
NODE_KEY_RAW = bytes.fromhex("c0ffee9a" * 4)
VAULT = "coap:vault"


async def show(ctl: Ctl, thing_id: str) -> dict:
    rc, out, _ = await ctl.run("--json", "thing", thing_id, "show")
    return json.loads(out) if rc == 0 else {}


async def wait_show(ctl: Ctl, thing_id: str, pred, timeout: float, what: str) -> dict:
    deadline = time.monotonic() + timeout
    doc: dict = {}
    while time.monotonic() < deadline:
        doc = await show(ctl, thing_id)
        if doc and pred(doc):
            return doc
        await asyncio.sleep(0.3)
    raise t.TestFailure(f"{thing_id}: {what} not seen within {timeout:g}s; last: {doc}")


async def readings(ctl: Ctl, thing_id: str, field: str) -> list:
    rc, out, _ = await ctl.run("--json", "readings", thing_id, "--field", field)
    return [r["value"] for r in json.loads(out)["readings"]] if rc == 0 else []


async def wait_readings(ctl: Ctl, thing_id: str, field: str, pred, timeout: float, what: str) -> list:
    deadline = time.monotonic() + timeout
    got: list = []
    while time.monotonic() < deadline:
        got = await readings(ctl, thing_id, field)
        if pred(got):
            return got
        await asyncio.sleep(0.3)
    raise t.TestFailure(f"{thing_id}: {what} not seen within {timeout:g}s; {field}: {got}")


async def plugin_status(ctl: Ctl) -> str:
    return json.dumps((await ctl.json("status")).get("plugins", []))


async def wait_status(ctl: Ctl, pred, timeout: float, what: str) -> str:
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        status = await plugin_status(ctl)
        if pred(status):
            return status
        await asyncio.sleep(0.3)
    raise t.TestFailure(f"iotgwctl status: {what} not seen within {timeout:g}s; plugins: {status}")


def leaks(daemon: t.Daemon) -> None:
    for value in (KEY, WRONG, NODE_KEY):
        check(value not in daemon.log(), f"the log shows a key: {value}")


async def observe_and_control(ctl: Ctl, thing_id: str, label: str, text: str = "") -> None:
    """Readings of the observed /time change; a PUT on /lamp is read back."""
    ticks = await wait_readings(ctl, thing_id, "ticks", lambda r: len(set(r)) >= 3, 20,
                                "three different /time notifications")
    if not text:
        say(f"{thing_id}: observed ticks {ticks[:3]}... (over DTLS to {label})")
        return
    await ctl.ok("thing", thing_id, "set", "lamp", text)
    await wait_readings(ctl, thing_id, "lamp", lambda r: bool(r) and r[0] == text, 15,
                        f"lamp = {text!r} read back after the PUT")
    say(f"{thing_id}: observed ticks {ticks[:3]}..., set lamp {text!r} read back (over DTLS to {label})")


async def vault(ctl: Ctl, daemon: t.Daemon, since: int) -> None:
    # no key: a clear word, unavailable, named in the status
    await daemon.wait_log(r"thing coap:vault: coaps:// needs a pre-shared key: "
                          r"iotgwctl thing coap:vault set-secret psk KEY", 15, since=since)
    await wait_status(ctl, lambda s: "no DTLS key for coap:vault" in s, 10, "no key for vault")
    doc = await show(ctl, VAULT)
    check(doc.get("availability") == "unavailable", f"vault without a key: {doc.get('availability')}")
    say("vault without a key: logged, unavailable, in the status")

    # a wrong key: the node refuses it; reported once, unavailable
    mark = daemon.mark()
    await ctl.ok("thing", VAULT, "set-secret", "psk-identity", IDENTITY)
    await ctl.ok("thing", VAULT, "set-secret", "psk", WRONG)
    t0 = time.monotonic()
    await daemon.wait_log(r"thing coap:vault: the node at coaps://\[::1\]:\d+ did not accept the DTLS key "
                          r"\(psk-identity 'gw-test'\); set the right one with iotgwctl thing coap:vault "
                          r"set-secret psk KEY", 30, since=mark)
    refused_s = time.monotonic() - t0
    status = await wait_status(ctl, lambda s: "DTLS key refused by coap:vault" in s, 10, "vault refused")
    check("no DTLS key" not in status, f"the status still says no key: {status}")
    doc = await show(ctl, VAULT)
    check(doc.get("availability") == "unavailable", f"vault with a wrong key: {doc.get('availability')}")
    say(f"vault with a wrong key: refused after {refused_s:.1f}s, logged, unavailable, in the status")

    # the right key: up without a restart
    mark = daemon.mark()
    await ctl.ok("thing", VAULT, "set-secret", "psk", KEY)
    await daemon.wait_log(r"thing coap:vault: the node accepts the DTLS key", 20, since=mark)
    await wait_show(ctl, VAULT, lambda d: d.get("availability") == "available", 15, "available")
    await wait_status(ctl, lambda s: "coap:vault" not in s, 10, "vault out of the status")
    refusals = daemon.log_lines(r"coap:vault: the node at .* did not accept")
    check(len(refusals) == 1, f"the wrong key was reported {len(refusals)} times")


async def bad_secrets(ctl: Ctl) -> None:
    """The plugin checks names and values before anything is stored."""
    await ctl.fails(1, "thing", VAULT, "set-secret", "bindkey", KEY, says="'psk'")
    await ctl.fails(1, "thing", VAULT, "set-secret", "psk", "x" * 65, says="1 to 64")
    await ctl.fails(1, "thing", VAULT, "set-secret", "psk", "0xabc", says="hex digits")
    await ctl.fails(1, "thing", VAULT, "set-secret", "psk", "0xzz", says="hex digits")
    await ctl.fails(1, "thing", VAULT, "set-secret", "psk-identity", "two words", says="without spaces")
    doc = await show(ctl, VAULT)
    check(doc.get("secrets") == [], f"refused secrets were stored: {doc.get('secrets')}")
    say("psk and psk-identity: bad names and values refused, nothing stored")


def start_vault(lab: t.CoapLab, port: int, label: str) -> None:
    """In the gateway's namespace; the lab stops it by PID with its nodes."""
    lab.outputs[label] = lab.dir / f"{label}.out"
    lab.procs[label] = t._spawn([SERVER, "-A", "::1", "-p", str(port), "-k", KEY, "-d", "4"],
                                env=dict(os.environ), out_path=lab.outputs[label])


async def rebooted(ctl: Ctl, lab: t.CoapLab, port: int) -> None:
    """A node that restarts without a word (power lost) has forgotten our DTLS
    session and drops what we send on it: the gateway must shake hands anew."""
    proc = lab.procs["vault"]
    proc.kill()
    proc.wait(5)
    count = len(await readings(ctl, VAULT, "ticks"))
    start_vault(lab, port, "vault2")
    t0 = time.monotonic()
    await wait_readings(ctl, VAULT, "ticks", lambda r: len(r) > count + 1, 200,
                        "notifications again after the node restarted")
    say(f"vault killed and restarted: observed again {time.monotonic() - t0:.1f}s later (a new DTLS session)")


async def cleared(ctl: Ctl, daemon: t.Daemon) -> None:
    """Without its key again, the node is out of reach at once and says so."""
    mark = daemon.mark()
    await ctl.ok("thing", VAULT, "clear-secret", "psk")
    await daemon.wait_log(r"thing coap:vault: coaps:// needs a pre-shared key", 10, since=mark)
    await wait_show(ctl, VAULT, lambda d: d.get("availability") == "unavailable", 10, "unavailable")
    await wait_status(ctl, lambda s: "no DTLS key for coap:vault" in s, 10, "no key for vault again")
    say("clear-secret psk: vault unavailable again, logged, in the status")


async def found_node(ctl: Ctl, lab: t.CoapLab, daemon: t.Daemon) -> str:
    # the node answers plain multicast; the secrets were set for its id before
    # it was found, the psk a wrong one
    found = await daemon.wait_log(r"thing (coap:\S*::11\S*): answered discovery", 20)
    thing_id = re.search(r"thing (coap:\S*::11\S*): answered", found).group(1)
    await daemon.wait_log(rf"thing {re.escape(thing_id)}: the node at coaps://\[\S+\]:5684 did not accept the DTLS key", 30)
    things = {x["id"] for x in (await ctl.json("things"))["things"]}
    check(thing_id not in things, f"{thing_id} was offered although it refused the key: {sorted(things)}")
    await wait_status(ctl, lambda s: f"DTLS key refused by {thing_id}" in s, 10, "found node refused")
    say(f"{thing_id}: found by multicast, its wrong key refused over DTLS on 5684, not offered")
    mark = daemon.mark()
    await ctl.ok("thing", thing_id, "set-secret", "psk", NODE_KEY)
    await daemon.wait_log(rf"thing {re.escape(thing_id)}: the node accepts the DTLS key", 30, since=mark)
    await wait_show(ctl, thing_id, lambda d: d.get("availability") == "available", 20, "available")
    return thing_id


async def start_server(lab: t.CoapLab, i: int, key: bytes) -> None:
    """coap-server-openssl in node i: multicast on lowpan0, DTLS on 5684."""
    lab._start(f"server{i}", lab.node_ns[i], [SERVER, "-g", "ff02::fd", "-G", "lowpan0", "-k", key, "-d", "4"])
    uri = f"coap://[{lab.node_address(i)}]:5683/.well-known/core"
    deadline = time.monotonic() + 10
    while "</" not in await lab.coap_client("-B", "1", uri, timeout=5):
        check(time.monotonic() < deadline, f"{SERVER} in node {i} did not answer")
        await asyncio.sleep(0.05)
    await make_lamp(lab, f"[{lab.node_address(i)}]:5683")


async def make_lamp(lab: t.CoapLab, where: str) -> None:
    """A dynamic resource (-d), created by a plain PUT before the gateway starts."""
    await lab.coap_client("-m", "put", "-t", "text/plain", "-e", "off", f"coap://{where}/lamp", timeout=10)
    out = await lab.coap_client("-B", "2", f"coap://{where}/.well-known/core", timeout=10)
    check("</lamp>" in out, f"{where}: /lamp was not created: {out!r}")


async def test(ctx: t.Ctx, lab: t.CoapLab) -> None:
    port = t.free_port()
    start_vault(lab, port, "vault")
    deadline = time.monotonic() + 10
    while "</" not in await lab.coap_client("-B", "1", f"coap://[::1]:{port}/.well-known/core", timeout=5):
        check(time.monotonic() < deadline, f"{SERVER} on ::1 did not answer")
        await asyncio.sleep(0.05)
    await make_lamp(lab, f"[::1]:{port}")
    # the node's key has no printable form: coap-server takes it as bytes
    await start_server(lab, 1, NODE_KEY_RAW)
    bus = await ctx.bus()
    things = {VAULT: {"name": "Vault", "address": f"coaps://[::1]:{port + 1}",
                      "actuator./lamp": "string"}}
    cfg = t.iotgwd_config(None, ["alice@localhost"], things,
                          gateway={"adopt": "auto", "disabled_plugins": ["bluez"]})
    cfg += ("\n[plugin coap]\ninterfaces=lowpan0\ndiscovery_window=8\ndiscovery_interval=3600\n"
            "poll_interval=2\nfield./lamp=lamp\n")
    daemon = ctx.daemon(cfg, env=bus.env())
    ctl = Ctl(bus)
    await wait_daemon(ctl)
    # secrets for the found node's possible ids, before it is found
    for i in ("coap:fe80::11%lowpan0", f"coap:{lab.node_address(1)}"):
        await ctl.ok("thing", i, "set-secret", "psk", WRONG)
    await bad_secrets(ctl)
    await vault(ctl, daemon, 0)
    await observe_and_control(ctl, VAULT, "vault", "opened")
    node = await found_node(ctl, lab, daemon)
    await observe_and_control(ctl, node, "node 1")
    await rebooted(ctl, lab, port)
    await cleared(ctl, daemon)
    leaks(daemon)
    say("no key in the log")


async def main(ctx: t.Ctx) -> None:
    lab = t.CoapLab(1, name="dtlslab")
    try:
        await lab.up()
        lab.enter_gateway()
        await test(ctx, lab)
    except BaseException:
        lab.dump()
        raise
    finally:
        await lab.cleanup()


if __name__ == "__main__":
    if not t.can_make_namespaces():
        sys.exit(77)
    t.run(main, "test_coap_dtls", timeout=400)
