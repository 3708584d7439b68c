#!/usr/bin/python3
"""A server that accepts TCP but never speaks XMPP.

libstrophe has no timeout for stream negotiation; iotgwd's login watchdog
must abandon the login after login_timeout seconds and retry with backoff,
without hanging or exiting.  Run: IOTGWD=/path/to/iotgwd /usr/bin/python3 test_watchdog.py
"""

import asyncio
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402


async def test(ctx: t.Ctx) -> None:
    accepted = []

    async def silent(reader, writer):
        # keep the connection open and say nothing, like a wedged server
        accepted.append(writer)
        await reader.read()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    say(f"silent server on 127.0.0.1:{port}")
    try:
        cfg = t.iotgwd_config(None, ["alice@localhost"], {"sim:lamp": {"type": "lamp"}},
                              port=port, tls="disabled", login_timeout=5,
                              gateway={"jid": "gw@localhost", "password": "pw"})
        d = ctx.daemon(cfg, name="iotgwd-watchdog")
        line = await d.wait_log(r"thing sim:lamp: login did not finish within 5 s", 15)
        say(f"watchdog fired: {line.strip()}")
        await d.wait_log(r"thing sim:lamp: login attempt 2 ", 15)
        say("a second login attempt followed")
        check(d.alive(), "iotgwd exited after the watchdog fired")
        check(len(accepted) >= 2, f"the silent server saw {len(accepted)} connections, expected 2+")
        rc = await d.stop()
        check(rc == 0, f"iotgwd exited with {rc} on SIGTERM")
    finally:
        for writer in accepted:
            writer.close()
        server.close()


if __name__ == "__main__":
    t.run(test, "test_watchdog", timeout=60)
