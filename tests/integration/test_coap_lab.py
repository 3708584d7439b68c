#!/usr/bin/python3
"""Smoke test of the CoAP lab itself (no iotgwd): CoapLab with three node
namespaces behind the gateway's bridge lowpan0, coap-testnode in nodes 1 and 2
(-L 0, groups ff02::fd and ff05::fd, node 1 with -b), libcoap's
coap-server-notls in node 3; this process enters the gateway namespace and
plays the gateway with coap-client-notls.

Checks: multicast /.well-known/core on ff02::fd%lowpan0 answered by both test
nodes at once and by coap-server within its 5 s leisure; ff05::fd; observe of
/sensors/temp delivers changing SenML; PUT /actuators/lamp (text and SenML)
changes GET, notifies observers and shows in the node's stdout, a bad PUT gets
4.00; a stopped node no longer answers; /sensors/bad only with -b.

Needs root (ip netns); exits 77 (meson: SKIP) otherwise.
Run: COAP_TESTNODE=build/tests/coap-testnode /usr/bin/python3 test_coap_lab.py
"""

import asyncio
import json
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

GROUPS = ["-i", "lowpan0", "-g", "ff02::fd", "-g", "ff05::fd"]
TICK_MS = 500

# coap-client -v 7: "Nov 22 00:27:59.464 DEBG *  [::]:60872 <-> [fe80::12]:5683 UDP : received 202 bytes"
_SENT = re.compile(r"(\d\d:\d\d:\d\d\.\d{3}) DEBG \*\s+\S+ <-> \S+ UDP : sent ")
_RECEIVED = re.compile(r"(\d\d:\d\d:\d\d\.\d{3}) DEBG \*\s+\S+ <-> \[([0-9a-f:]+)\]:\d+ UDP : "
                       r"received ")
_PAYLOAD = re.compile(r"^v:1 t:\S+ c:(\S+) .*?(?: :: '(.*)')?$")


def _clock(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


async def multicast(lab: t.CoapLab, uri: str, window: float) -> dict:
    """NON GET to a group, collecting answers for `window` seconds:
    {responder address: (seconds after the request, code, payload)}."""
    out = await lab.coap_client("-N", "-B", f"{window:g}", "-v", "7", uri, timeout=window + 10)
    lines = out.splitlines()
    sent = next((_clock(m.group(1)) for m in map(_SENT.search, lines) if m), None)
    check(sent is not None, f"coap-client did not send to {uri}:\n{out[-1500:]}")
    answers = {}
    for n, line in enumerate(lines):
        got = _RECEIVED.search(line)
        if not got or n + 1 >= len(lines):
            continue
        pdu = _PAYLOAD.match(lines[n + 1])
        if pdu:
            delay = (_clock(got.group(1)) - sent) % 86400
            answers.setdefault(got.group(2), (delay, pdu.group(1), pdu.group(2) or ""))
    return answers


def senml_packs(lines: list[str]) -> list:
    return [json.loads(line) for line in lines if line.startswith("[")]


def lamp_states(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip() in ("0", "1")]


def describe(answers: dict) -> str:
    return ", ".join(f"{a} +{d * 1000:.0f} ms {c}" for a, (d, c, _) in answers.items()) or "none"


async def check_discovery(lab: t.CoapLab) -> list:
    n1, n2, n3 = (lab.node_address(i, "ll") for i in (1, 2, 3))
    answers = await multicast(lab, "coap://[ff02::fd%lowpan0]/.well-known/core", 6)
    say(f"ff02::fd%lowpan0 /.well-known/core: {describe(answers)}")
    for node in (n1, n2):
        check(node in answers, f"no multicast answer from {node}: {describe(answers)}")
        delay, code, links = answers[node]
        check(code == "2.05" and delay < 2.0, f"{node}: {code} after {delay:.3f}s")
        for path in ("/sensors/temp", "/sensors/hum", "/actuators/lamp", "/device/name"):
            check(f"<{path}>" in links, f"{node}: {path} missing in {links}")
    check('</sensors/temp>;if="sensor";rt="temperature";ct=110;obs' in answers[n1][2],
          f"temp link: {answers[n1][2]}")
    check('</actuators/lamp>;if="core.a";rt="switch";ct="0 110";obs' in answers[n1][2],
          f"lamp link: {answers[n1][2]}")
    check("</sensors/bad>" in answers[n1][2], "node1 (-b) does not list /sensors/bad")
    check("</sensors/bad>" not in answers[n2][2], "node2 (no -b) lists /sensors/bad")
    check(n3 in answers, f"coap-server (leisure 5 s) did not answer within 6 s: "
                         f"{describe(answers)}")
    check("</time>" in answers[n3][2], f"coap-server links: {answers[n3][2]}")
    check(answers[n3][0] <= 6.0, f"coap-server answered after {answers[n3][0]:.3f}s")

    site = await multicast(lab, "coap://[ff05::fd]/.well-known/core?rt=temperature", 1)
    say(f"ff05::fd /.well-known/core?rt=temperature: {describe(site)}")
    for i in (1, 2):
        addrs = (lab.node_address(i), lab.node_address(i, "ll"))
        hit = [a for a in addrs if a in site]
        check(hit, f"no ff05::fd answer from node {i}: {describe(site)}")
        check(site[hit[0]][2] == '</sensors/temp>;if="sensor";rt="temperature";ct=110;obs',
              f"filtered links from node {i}: {site[hit[0]][2]}")
    return [answers[n1][0], answers[n2][0], answers[n3][0]]


async def check_readings(lab: t.CoapLab) -> None:
    node1 = lab.node_address(1)
    uri = f"coap://[{node1}]/sensors/temp"
    observer = lab.coap_observe(uri)
    await observer.wait(lambda lines: len(senml_packs(lines)) >= 4, 15, "four temperature notifications")
    packs = senml_packs(await observer.stop())
    values = [p[0]["v"] for p in packs]
    say(f"observe {uri}: {values}")
    check(all(b != a for a, b in zip(values, values[1:])), f"values do not change: {values}")
    check(all(20.0 <= v < 25.0 for v in values), f"values out of range: {values}")
    check(packs[0] == [{"bn": "urn:dev:ow:node1:", "n": "temperature", "u": "Cel",
                        "v": values[0]}], f"SenML pack: {packs[0]}")
    plain = (await lab.coap_client("-B", "2", "-A", "0", uri)).strip()
    check(re.fullmatch(r"2[0-4]\.\d", plain), f"Accept 0 temperature: {plain!r}")
    hum = json.loads(await lab.coap_client("-B", "2", f"coap://[{node1}]/sensors/hum"))
    check(hum[0]["n"] == "humidity" and hum[0]["u"] == "%RH" and 40 <= hum[0]["v"] < 60,
          f"humidity: {hum}")
    name = await lab.coap_client("-B", "2", f"coap://[{lab.node_address(2, 'll')}%lowpan0]"
                                            "/device/name")
    check(name.strip() == "node2", f"/device/name over link-local: {name!r}")
    bad = await lab.coap_client("-B", "2", f"coap://[{node1}]/sensors/bad")
    check(bad.strip() == '[{"n":"pressure","v":', f"/sensors/bad: {bad!r}")
    missing = await lab.coap_client("-B", "2", f"coap://[{lab.node_address(2)}]/sensors/bad")
    check("4.04" in missing, f"/sensors/bad without -b: {missing!r}")


async def check_lamp(lab: t.CoapLab) -> None:
    lamp = f"coap://[{lab.node_address(2)}]/actuators/lamp"
    check((await lab.coap_client("-B", "2", lamp)).strip() == "0", "lamp is not off at start")
    observer = lab.coap_observe(lamp)
    # the answer to the registration comes after the node registered the
    # observer: only then may the PUTs go out, or their notifications are missed
    await observer.wait(lambda lines: lamp_states(lines) == ["0"], 15, "the lamp's state, observed")
    put = await lab.coap_client("-B", "2", "-m", "put", "-t", "text/plain", "-e", "1", lamp)
    check("4." not in put and "5." not in put, f"PUT 1: {put!r}")
    check((await lab.coap_client("-B", "2", lamp)).strip() == "1", "GET after PUT 1")
    await t.poll_until(lambda: "PUT /actuators/lamp 1" in lab.node_output(2), 2,
                       "node2 logs PUT /actuators/lamp 1")
    await lab.coap_client("-B", "2", "-m", "put", "-t", "110", "-e",
                          '[{"n":"lamp","vb":false}]', lamp)
    senml = json.loads(await lab.coap_client("-B", "2", "-A", "110", lamp))
    check(senml == [{"n": "lamp", "vb": False}], f"GET Accept 110 after SenML PUT: {senml}")
    bad = await lab.coap_client("-B", "2", "-m", "put", "-t", "text/plain", "-e", "dim", lamp)
    check("4.00" in bad, f"PUT dim: {bad!r}")
    await observer.wait(lambda lines: len(lamp_states(lines)) >= 3, 15, "notifications of both PUTs")
    seen = lamp_states(await observer.stop())
    say(f"observe lamp while PUT 1, PUT vb:false, PUT dim: {seen}")
    check(seen == ["0", "1", "0"], f"lamp notifications: {seen}")
    check("PUT /actuators/lamp 0" in lab.node_output(2), "node2 did not log the SenML PUT")


async def check_stop(lab: t.CoapLab) -> None:
    await lab.stop_node(2)
    answers = await multicast(lab, "coap://[ff02::fd%lowpan0]/.well-known/core", 1)
    say(f"after stopping node2: {describe(answers)}")
    check(lab.node_address(1, "ll") in answers, "node1 stopped answering")
    check(lab.node_address(2, "ll") not in answers, "stopped node2 still answers")
    out = await lab.coap_client("-B", "1", f"coap://[{lab.node_address(2)}]/device/name")
    check("node2" not in out, f"unicast to the stopped node2: {out!r}")


async def test(ctx: t.Ctx) -> None:
    lab = t.CoapLab(3)
    try:
        await lab.up()
        lab.enter_gateway()
        ready = []
        for i, extra in ((1, ["-b"]), (2, [])):
            t0 = asyncio.get_running_loop().time()
            await lab.start_node(i, "-L", "0", "-t", str(TICK_MS), *GROUPS, *extra)
            ready.append(1000 * (asyncio.get_running_loop().time() - t0))
        await lab.start_coap_server(3, "-g", "ff02::fd", "-G", "lowpan0")
        delays = await check_discovery(lab)
        await check_readings(lab)
        await check_lamp(lab)
        await check_stop(lab)
        say(f"timings: lab up {lab.up_ms:.0f} ms, testnode ready {ready[0]:.0f}/{ready[1]:.0f} ms, "
            f"multicast answers node1 {delays[0] * 1000:.0f} ms, node2 {delays[1] * 1000:.0f} ms, "
            f"coap-server {delays[2] * 1000:.0f} ms")
    except BaseException:
        lab.dump()
        raise
    finally:
        await lab.cleanup()


if __name__ == "__main__":
    if not t.can_make_namespaces():
        sys.exit(77)
    t.run(test, "coap_lab", timeout=90)
