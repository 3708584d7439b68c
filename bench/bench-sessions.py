#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Login time, memory per session and idle wakeups of iotgwd with N things.

Starts a private Prosody (plain, or STARTTLS with --tls), runs iotgwd with N
simulated lamps (accounts created in-band) and reports:
  - seconds from daemon start until every thing logged "online"
  - iotgwd RSS with N things minus RSS with none, per session
  - wakeups per second of the idle daemon (context switches over 10 s)

  IOTGWD=build/src/iotgwd bench/bench-sessions.py [--things 100] [--tls]
"""

import argparse
import asyncio
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "integration"))
import igwtest as t  # noqa: E402


def proc_status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def switches(pid: int) -> int:
    return proc_status(pid, "voluntary_ctxt_switches") + proc_status(pid, "nonvoluntary_ctxt_switches")


async def run_daemon(ctx, srv, count: int, name: str):
    things = {f"sim:lamp{i}": {"type": "lamp"} for i in range(count)}
    cfg = t.iotgwd_config(srv, ["owner@localhost"], things, register=True,
                          max_logins_in_flight=16,
                          gateway={"jid": "gw@localhost", "password": "gw-pw"})
    started = time.monotonic()
    daemon = ctx.daemon(cfg, name=name)
    await t.poll_until(lambda: len(daemon.log_lines(r"thing sim:lamp\d+: online")) >= count
                       and daemon.log_lines(r"gateway: online"),
                       120, f"{count} things online")
    elapsed = time.monotonic() - started
    # let greetings, subscriptions and roster pushes of the first login settle
    await asyncio.sleep(5)
    before = switches(daemon.pid)
    idle_start = time.monotonic()
    await asyncio.sleep(10)
    wakeups = (switches(daemon.pid) - before) / (time.monotonic() - idle_start)
    rss = proc_status(daemon.pid, "VmRSS")
    await daemon.stop()
    return elapsed, rss, wakeups


async def bench(ctx, args):
    srv = await ctx.prosody(tls=args.tls)
    srv.register("owner", "owner-pw")
    srv.register("gw", "gw-pw")
    _, rss0, wake0 = await run_daemon(ctx, srv, 0, "iotgwd-empty")
    elapsed, rss, wakeups = await run_daemon(ctx, srv, args.things, "iotgwd-full")
    mode = "STARTTLS" if args.tls else "plaintext"
    print(f"bench-sessions: {args.things} things, {mode}")
    print(f"  all online after      {elapsed:.2f} s (first start: in-band registration included)")
    print(f"  RSS                   {rss0} kB with no things, {rss} kB with {args.things}")
    print(f"  memory per session    {(rss - rss0) / max(args.things, 1):.1f} kB")
    print(f"  idle wakeups          {wake0:.2f}/s with no things, {wakeups:.2f}/s with {args.things}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--things", type=int, default=100)
    parser.add_argument("--tls", action="store_true")
    args = parser.parse_args()
    t.run(lambda ctx: bench(ctx, args), "bench-sessions", timeout=400)


if __name__ == "__main__":
    main()
