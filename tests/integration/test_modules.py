#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every plugin as a loadable module, and a plugin built out of the tree.

What distributions do when they ship each plugin in its own package:

1. builds the tree with -Dbuiltin_plugins=false in a temporary directory
   (unit tests and fuzz replays included, buildtype plain), checks that
   everything it installs has an install tag, and installs it with
   meson install --destdir;
2. checks the installed SDK: the public headers, no *-private.h, the
   iotgw-plugin.pc (include dir, plugindir, abi_major/abi_minor), and that
   each module exports only the three plugin symbols, links no libstrophe and
   needs no igw_ symbol that iotgwd does not export;
3. builds tests/example-plugin/example-plugin.c with cc and
   `pkg-config --cflags --libs iotgw-plugin` only (PKG_CONFIG_PATH into the
   destdir; the .pc is built relocatable for that), and two modules that claim the
   plugin ABI MAJOR+1.0 and MAJOR.MINOR+1, into the installed plugindir;
4. starts the installed iotgwd on a private bus (no XMPP server: status and
   things need none) with every plugin enabled, and waits until iotgwctl
   status lists sim, bluez, coap and example as running, iotgwctl things
   lists example:answer, and the log says why each wrong-ABI module was
   refused.

Run: /usr/bin/python3 test_modules.py SOURCE_ROOT   (IGW_KEEP_TMP=1 keeps the dir)
"""

import asyncio
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import igwtest as t  # noqa: E402
from igwtest import check, say  # noqa: E402

PLUGINS = ["bluez", "coap", "example", "sim"]
PLUGIN_SYMBOLS = {"igw_plugin_abi_major", "igw_plugin_abi_minor", "igw_plugin_init_vfuncs"}


async def sh(argv: list, what: str, timeout: float = 300, env: dict = None, cwd: str = None) -> str:
    """Runs argv to the end; fails the test with its output unless it exits 0."""
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, cwd=cwd, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise t.TestFailure(f"{what}: not done within {timeout:g}s")
    text = out.decode(errors="replace")
    check(proc.returncode == 0, f"{what} failed ({proc.returncode}):\n" + "\n".join(text.splitlines()[-30:]))
    return text


def dynamic_symbols(path: str, which: str) -> set:
    out = subprocess.run(["nm", "-D", which, path], stdout=subprocess.PIPE, text=True, check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def needed(path: str) -> list:
    out = subprocess.run(["readelf", "-d", "-W", path], stdout=subprocess.PIPE, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


async def build_and_install(root: str, tmp: str) -> str:
    build = os.path.join(tmp, "build")
    dest = os.path.join(tmp, "dest")
    await sh(["meson", "setup", build, root, "-Dbuiltin_plugins=false", "-Dbuildtype=plain",
              "-Dprefix=/usr", "-Dpkgconfig.relocatable=true"], "meson setup -Dbuiltin_plugins=false")
    await sh(["meson", "compile", "-C", build], "meson compile (modules, tests and fuzz replays)", timeout=900)
    say("built with -Dbuiltin_plugins=false")
    plan = json.loads(await sh(["meson", "introspect", "--install-plan", build], "meson introspect"))
    untagged = [info["destination"] for items in plan.values() for info in items.values() if not info.get("tag")]
    check(not untagged, f"installed without an install_tag: {untagged}")
    await sh(["meson", "install", "-C", build, "--no-rebuild", "--destdir", dest], "meson install --destdir")
    return dest


def check_installed_sdk(dest: str) -> None:
    include = os.path.join(dest, "usr", "include", "iotgw-plugin-1")
    headers = sorted(os.path.basename(p) for p in glob.glob(os.path.join(include, "*.h")))
    check("iotgw-plugin.h" in headers, f"iotgw-plugin.h is not installed in {include}: {headers}")
    private = [h for h in headers if h.endswith("-private.h")]
    check(not private, f"core-only headers are installed: {private}")
    say(f"installed headers: {' '.join(headers)}")


def pkg_config_env(dest: str) -> dict:
    pcs = glob.glob(os.path.join(dest, "usr", "**", "pkgconfig", "iotgw-plugin.pc"), recursive=True)
    check(len(pcs) == 1, f"iotgw-plugin.pc installed {len(pcs)} times under {dest}")
    return dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pcs[0]))


async def build_out_of_tree(root: str, dest: str, pc_env: dict) -> tuple:
    """example and the wrong-ABI modules, into the installed plugindir"""
    flags = (await sh(["pkg-config", "--cflags", "--libs", "iotgw-plugin"], "pkg-config", env=pc_env)).split()
    includes = [os.path.realpath(f[2:]) for f in flags if f.startswith("-I")]
    check(os.path.join(dest, "usr", "include", "iotgw-plugin-1") in includes,
          f"pkg-config --cflags misses the installed SDK: {flags}")
    check(not any(root in f for f in includes), f"pkg-config points into the source tree: {flags}")
    plugindir = (await sh(["pkg-config", "--variable=plugindir", "iotgw-plugin"], "plugindir", env=pc_env)).strip()
    plugindir = os.path.realpath(plugindir)
    major, minor = [int((await sh(["pkg-config", f"--variable=abi_{v}", "iotgw-plugin"], f"abi_{v}",
                                  env=pc_env)).strip()) for v in ("major", "minor")]
    check(plugindir.startswith(dest + "/") and os.path.isdir(plugindir), f"plugindir {plugindir} does not exist after install")
    say(f"iotgw-plugin.pc: {' '.join(flags)}; plugindir {plugindir}; ABI {major}.{minor}")

    src = os.path.join(root, "tests", "example-plugin")
    cc = ["cc", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall", "-Wextra", "-Werror"]
    await sh(cc + ["-o", os.path.join(plugindir, "libigw_plugin_example.so"),
                   os.path.join(src, "example-plugin.c")] + flags, "cc example-plugin.c")
    for name, abi in (("nextmajor", (major + 1, 0)), ("future", (major, minor + 1))):
        await sh(cc + ["-Wno-unused-parameter", f"-DWRONG_MAJOR={abi[0]}", f"-DWRONG_MINOR={abi[1]}",
                       "-o", os.path.join(plugindir, f"libigw_plugin_{name}.so"),
                       os.path.join(src, "wrong-abi.c")] + flags, f"cc wrong-abi.c ({name})")
    say("example plugin and two wrong-ABI modules built out of the tree")
    return plugindir, major, minor


def check_modules(iotgwd: str, plugindir: str) -> None:
    exported = dynamic_symbols(iotgwd, "--defined-only")
    for name in PLUGINS:
        path = os.path.join(plugindir, f"libigw_plugin_{name}.so")
        check(os.path.isfile(path), f"{path} is not there")
        own = {s for s in dynamic_symbols(path, "--defined-only") if s.startswith("igw_")}
        check(own == PLUGIN_SYMBOLS, f"{name} exports {sorted(own)}, not just the three plugin symbols")
        wanted = {s for s in dynamic_symbols(path, "--undefined-only") if s.startswith("igw_")}
        check(wanted <= exported, f"{name} needs what iotgwd does not export: {sorted(wanted - exported)}")
        libs = needed(path)
        check(not any("strophe" in lib for lib in libs), f"{name} links libstrophe: {libs}")
    say(f"modules export 3 symbols each and need only what iotgwd exports ({len(exported)} symbols)")


async def run_daemon(ctx: t.Ctx, dest: str, plugindir: str, abi: tuple) -> None:
    os.environ["IOTGWCTL"] = os.path.join(dest, "usr", "bin", "iotgwctl")
    from test_ctl import Ctl, wait_daemon
    bus = await ctx.bus()
    cfg = t.iotgwd_config(None, ["alice@localhost"], {"sim:lamp": {"name": "Lamp", "type": "lamp"}},
                          port=t.free_port(), gateway={"plugin_dir": plugindir, "disabled_plugins": []})
    cfg += "\n[plugin coap]\ndiscovery_interval=3600\n"
    daemon = t.Daemon(cfg, env=bus.env(), binary=os.path.join(dest, "usr", "sbin", "iotgwd"))
    ctx.daemons.append(daemon)
    daemon.start()
    ctl = Ctl(bus)
    await wait_daemon(ctl)

    async def states() -> dict:
        status = await ctl.json("status")
        return {p["name"]: p.get("state") for p in status.get("plugins", [])}
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        got = await states()
        if all(got.get(name) == "running" for name in PLUGINS):
            break
        check(asyncio.get_running_loop().time() < deadline,
              f"not every module reported in as running within 20s: {got}")
        await asyncio.sleep(0.2)
    check(sorted(got) == PLUGINS, f"iotgwctl status lists other plugins than {PLUGINS}: {got}")
    text = await ctl.ok("status")
    for name in PLUGINS:
        check(re.search(rf"\|\s*{name}: running\b", text), f"iotgwctl status has no running {name}:\n{text}")
    say(f"iotgwctl status: {got}")

    await t.poll_until(lambda: "example:answer" in daemon.log(), 10, "the example thing in the log")
    things = await ctl.ok("things")
    check("example:answer" in things and "sim:lamp" in things,
          f"iotgwctl things lacks example:answer or sim:lamp:\n{things}")
    say("iotgwctl things lists the out-of-tree plugin's thing")

    for name, major, minor in (("nextmajor", abi[0] + 1, 0), ("future", abi[0], abi[1] + 1)):
        await daemon.wait_log(rf"plugin module skipped: \S*libigw_plugin_{name}\.so: "
                              rf"built for plugin ABI {major}\.{minor}, iotgwd offers {abi[0]}\.{abi[1]}", 5)
    check(not daemon.log_lines("was initialised"), "a wrong-ABI module was initialised")
    say("both wrong-ABI modules refused with the ABI in the message")
    check(await daemon.stop() == 0, "iotgwd did not exit cleanly")


async def test(ctx: t.Ctx) -> None:
    root = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="igw-modules-")
    try:
        dest = await build_and_install(root, tmp)
        check_installed_sdk(dest)
        pc_env = pkg_config_env(dest)
        plugindir, major, minor = await build_out_of_tree(root, dest, pc_env)
        check_modules(os.path.join(dest, "usr", "sbin", "iotgwd"), plugindir)
        await run_daemon(ctx, dest, plugindir, (major, minor))
    finally:
        if t.KEEP_TMP:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: test_modules.py SOURCE_ROOT", file=sys.stderr)
        sys.exit(2)
    t.run(test, "test_modules", timeout=840)
