"""Integration-test harness for iotgwd.

Run the tests with /usr/bin/python3 (Debian's python3-slixmpp is only visible
to the system interpreter).

Pieces:

* free_port()         -- a currently unused TCP port on 127.0.0.1
* Prosody             -- a private, throw-away Prosody (plain or STARTTLS-required)
                         in a short temp dir, with its own c2s and component ports
* iotgwd_config()     -- builds an iotgwd key file for a given Prosody
* Daemon              -- runs the iotgwd binary (env IOTGWD) against a config
                         file, with its stderr captured in a log file
* PrivateBus          -- a throw-away system-type dbus-daemon (permissive policy);
                         its env() goes to the daemon and to iotgwctl
* OwnerClient         -- a slixmpp user (e.g. the owner "alice") that records
                         every chat message and presence it receives
* run()               -- runs one async test function, prints PASS/FAIL, dumps
                         log tails on failure, stops every process it started
                         (by PID) and exits 0 or 1

Every wait polls for a condition with a deadline and raises TestFailure with a
message saying what was awaited.  Nothing relies on fixed sleeps.

Environment:
  IOTGWD          path of the iotgwd binary under test (falls back to
                  <repo>/build/src/iotgwd if that exists)
  IGW_PLUGIN_DIR  if set, written as [gateway] plugin_dir into every config
  IGW_KEEP_TMP=1  keep the temp dirs (Prosody data and logs, daemon state)
  IGW_XMPP_DEBUG=1  slixmpp debug logging (every stanza) on stderr
"""

from __future__ import annotations

import asyncio
import ctypes
import dataclasses
import logging
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import typing
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable, Iterable, Optional

try:
    import slixmpp
    from slixmpp.jid import JID
except ImportError as _exc:  # pragma: no cover
    sys.stderr.write(f"cannot import slixmpp ({_exc}); run with /usr/bin/python3 "
                     "and install python3-slixmpp\n")
    raise

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PROSODY_CFG = HERE / "prosody-test.cfg.lua"

PROSODY_BIN = shutil.which("prosody") or "/usr/bin/prosody"
PROSODYCTL_BIN = shutil.which("prosodyctl") or "/usr/bin/prosodyctl"

# Temp dirs are removed after the run unless this is set (for post-mortems).
KEEP_TMP = os.environ.get("IGW_KEEP_TMP", "") not in ("", "0")

_T0 = time.monotonic()


class TestFailure(Exception):
    """A test expectation was not met; the message is the reason printed."""


def say(msg: str) -> None:
    """Print a short progress line, prefixed with the elapsed time."""
    print(f"[{time.monotonic() - _T0:6.2f}s] {msg}", flush=True)


def check(cond: object, reason: str) -> None:
    if not cond:
        raise TestFailure(reason)


def _tail(path: Path, lines: int) -> str:
    try:
        data = path.read_text(errors="replace")
    except OSError as exc:
        return f"(cannot read {path}: {exc})"
    return "\n".join(data.splitlines()[-lines:])


# ---------------------------------------------------------------------------
# processes

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _child_setup() -> None:
    # Runs in the child between fork and exec: if the test process dies
    # without cleaning up (e.g. SIGKILL), the kernel kills the child too.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _spawn(argv: list[str], *, env: dict, out_path: Path) -> subprocess.Popen:
    # Own session: a Ctrl-C on the terminal reaches only the harness, which
    # then shuts the children down in order.
    with open(out_path, "ab") as out:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_child_setup,
        )


async def _reap(proc: subprocess.Popen, timeout: float) -> Optional[int]:
    """Wait up to timeout seconds for proc to exit; returns its code or None."""
    deadline = time.monotonic() + timeout
    while True:
        rc = proc.poll()
        if rc is not None:
            return rc
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(0.05)


async def _terminate(proc: subprocess.Popen, grace: float) -> int:
    """SIGTERM, then SIGKILL after `grace` seconds.  Returns the exit code."""
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
    rc = await _reap(proc, grace)
    if rc is None:
        say(f"pid {proc.pid} ignored SIGTERM for {grace:.0f}s, sending SIGKILL")
        try:
            proc.kill()
        except ProcessLookupError:
            pass
        rc = await _reap(proc, 5)
        if rc is None:
            raise TestFailure(f"pid {proc.pid} survived SIGKILL")
    return rc


async def poll_until(cond: Callable[[], object], timeout: float, what: str,
                     interval: float = 0.05) -> object:
    """Call cond() until it returns something truthy; fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TestFailure(f"timed out after {timeout:g}s waiting for {what}")
        await asyncio.sleep(interval)


# ---------------------------------------------------------------------------
# ports

_handed_out: set[int] = set()


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now.

    Ports are drawn at random below the kernel's ephemeral range so that
    outgoing connections do not take them, and never twice per process.
    Another process may still grab the port before we bind it; Prosody.start
    detects that (it checks that the listener belongs to its own PID)."""
    for _ in range(1000):
        port = random.randint(20000, 32000)
        if port in _handed_out:
            continue
        if _port_is_free(port):
            _handed_out.add(port)
            return port
    raise TestFailure("no free TCP port found in 20000..32000")


def _listen_inodes(port: int) -> set[str]:
    """Socket inodes listening on 127.0.0.1:port (from /proc/net/tcp)."""
    inodes = set()
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                fields = line.split()
                addr, state, inode = fields[1], fields[3], fields[9]
                ip_hex, port_hex = addr.split(":")
                if state == "0A" and int(port_hex, 16) == port and ip_hex in ("0100007F", "00000000"):
                    inodes.add(inode)
    except OSError:
        pass
    return inodes


def _pid_listens_on(pid: int, port: int) -> bool:
    inodes = _listen_inodes(port)
    if not inodes:
        return False
    fd_dir = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return False
    for fd in fds:
        try:
            target = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False


def _port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------------------
# Prosody


class _PortTaken(Exception):
    pass


class Prosody:
    """A private Prosody 0.12 instance on 127.0.0.1.

    The instance lives in a short temp dir (the admin socket path inside it
    must stay below 108 bytes).  Ports are chosen on the first start() and
    kept by restart()."""

    def __init__(self, tls: bool = False, domain: str = "localhost", name: str = "prosody",
                 pep: bool = True):
        self.tls = tls
        self.pep = pep  # False: a server without mod_pep (IGW_PROSODY_NO_PEP)
        self.domain = domain
        self.name = name
        self.dir: Optional[Path] = None
        self.c2s_port: Optional[int] = None
        self.comp_port: Optional[int] = None
        self.proc: Optional[subprocess.Popen] = None
        self.comp_secret = "igwsecret"
        self._log_offset = 0

    # -- paths and environment
    @property
    def cert(self) -> Path:
        """The self-signed certificate (PEM) clients must trust in TLS mode."""
        assert self.dir is not None
        return self.dir / "certs" / "localhost.crt"

    @property
    def log_path(self) -> Path:
        assert self.dir is not None
        return self.dir / "prosody.log"

    @property
    def console_path(self) -> Path:
        assert self.dir is not None
        return self.dir / "console.log"

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    def env(self) -> dict:
        env = dict(os.environ)
        env.update({
            "IGW_PROSODY_DIR": str(self.dir),
            "IGW_C2S_PORT": str(self.c2s_port),
            "IGW_COMP_PORT": str(self.comp_port),
            "IGW_TLS": "1" if self.tls else "0",
            "IGW_DOMAIN": self.domain,
            "IGW_COMP_SECRET": self.comp_secret,
            "IGW_PROSODY_NO_PEP": "0" if self.pep else "1",
        })
        return env

    def _prepare(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="igw", dir="/tmp"))
        sock = self.dir / "data" / "prosody.sock"
        check(len(str(sock).encode()) < 100, f"temp dir path too long for a unix socket: {sock}")
        (self.dir / "data").mkdir()
        (self.dir / "certs").mkdir()
        self.c2s_port = free_port()
        self.comp_port = free_port()
        if self.tls:
            self._make_cert()

    def _make_cert(self) -> None:
        d = self.domain
        san = ",".join(f"DNS:{h}" for h in (d, f"things.{d}"))
        cmd = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            "-keyout", str(self.dir / "certs" / "localhost.key"),
            "-out", str(self.cert),
            "-subj", f"/CN={d}", "-addext", f"subjectAltName={san}",
        ]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise TestFailure(f"openssl could not create the test certificate:\n{r.stderr}")

    # -- lifecycle
    async def start(self, tls: Optional[bool] = None, timeout: float = 15) -> "Prosody":
        """Start the server and wait until both ports accept connections."""
        if tls is not None:
            if self.dir is not None and tls != self.tls:
                raise TestFailure("cannot switch TLS mode of an existing Prosody dir")
            self.tls = tls
        fresh = self.dir is None
        if fresh:
            self._prepare()
        for attempt in range(3):
            self._spawn()
            try:
                await self._wait_ready(timeout)
                break
            except _PortTaken as exc:
                self.kill()
                if not fresh or attempt == 2:
                    raise TestFailure(f"{self.name}: {exc}")
                say(f"{self.name}: {exc}; trying other ports")
                self.c2s_port, self.comp_port = free_port(), free_port()
        say(f"{self.name} up: pid={self.pid} c2s=127.0.0.1:{self.c2s_port} "
            f"component={self.comp_port} tls={'required' if self.tls else 'off'} dir={self.dir}")
        return self

    def _spawn(self) -> None:
        argv = [PROSODY_BIN, "-F", "--config", str(PROSODY_CFG)]
        try:
            self._log_offset = self.log_path.stat().st_size
        except OSError:
            self._log_offset = 0
        self.proc = _spawn(argv, env=self.env(), out_path=self.console_path)

    async def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        ports = (self.c2s_port, self.comp_port)
        while True:
            rc = self.proc.poll()
            if rc is not None:
                raise TestFailure(
                    f"{self.name} exited with code {rc} during startup:\n"
                    f"{_tail(self.console_path, 20)}\n{_tail(self.log_path, 20)}")
            if all(_pid_listens_on(self.proc.pid, p) for p in ports) and \
                    all(_port_accepts(p) for p in ports):
                return
            # Prosody keeps running when it cannot bind; it only logs it.
            try:
                with open(self.log_path, "rb") as f:
                    f.seek(self._log_offset)
                    log = f.read().decode(errors="replace")
            except OSError:
                log = ""
            if "Failed to open server port" in log:
                raise _PortTaken(f"port {self.c2s_port} or {self.comp_port} is taken")
            if time.monotonic() >= deadline:
                raise TestFailure(
                    f"{self.name} (pid {self.proc.pid}) did not listen on 127.0.0.1:{ports} "
                    f"within {timeout:g}s:\n{_tail(self.log_path, 20)}")
            await asyncio.sleep(0.05)

    async def stop(self, grace: float = 5) -> Optional[int]:
        """SIGTERM (SIGKILL after `grace` s) and wait.  Returns the exit code."""
        if self.proc is None:
            return None
        rc = await _terminate(self.proc, grace)
        say(f"{self.name} stopped (pid {self.proc.pid}, rc {rc})")
        return rc

    def kill(self) -> None:
        """SIGKILL, as in a crash.  The data dir and ports stay for restart()."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    async def restart(self, timeout: float = 15) -> "Prosody":
        """(Stop if running and) start again on the same ports and data."""
        check(self.dir is not None, "restart() before start()")
        if self.proc is not None and self.proc.poll() is None:
            await self.stop()
        return await self.start(timeout=timeout)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def cleanup(self) -> None:
        if self.running():
            await self.stop()
        if self.dir is not None and not KEEP_TMP:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- accounts
    def prosodyctl(self, *args: str) -> subprocess.CompletedProcess:
        argv = [PROSODYCTL_BIN, "--config", str(PROSODY_CFG), *args]
        return subprocess.run(argv, env=self.env(), capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)

    def register(self, user: str, password: str) -> str:
        """Create user@domain with prosodyctl (works whether or not the server
        runs).  Returns the bare JID."""
        check(self.dir is not None, "register() before start()")
        r = self.prosodyctl("register", user, self.domain, password)
        if r.returncode != 0:
            raise TestFailure(f"prosodyctl register {user} failed (rc {r.returncode}):\n"
                              f"{r.stdout}{r.stderr}")
        return f"{user}@{self.domain}"

    def user_exists(self, user: str) -> bool:
        """Whether the account exists in Prosody's file storage."""
        def enc(s: str) -> str:   # Prosody's datamanager file-name encoding
            return re.sub(r"[^A-Za-z0-9]", lambda m: "%%%02x" % ord(m.group(0)), s)
        return (self.dir / "data" / enc(self.domain) / "accounts" / f"{enc(user)}.dat").exists()

    def dump(self, lines: int = 25) -> None:
        if self.dir is None:
            return
        print(f"----- {self.name}: last {lines} lines of {self.log_path} -----")
        print(_tail(self.log_path, lines))


# ---------------------------------------------------------------------------
# iotgwd


def thing_localpart(thing_id: str) -> str:
    """Localpart the daemon derives from a thing id (sim:kitchen -> sim-kitchen)."""
    return re.sub(r"[^a-z0-9]+", "-", thing_id.lower())


def thing_jid(thing_id: str, domain: str = "localhost") -> str:
    return f"{thing_localpart(thing_id)}@{domain}"


def _kf_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ";".join(str(x) for x in v)
    return str(v)


def iotgwd_config(prosody: Optional[Prosody], owners: Iterable[str],
                  things: dict[str, dict], *, gateway: Optional[dict] = None,
                  **xmpp: object) -> str:
    """Build an iotgwd key file.

    things maps a thing id ("sim:lamp") to its keys ({"type": "lamp"}).
    Keyword arguments override or add [xmpp] keys; a value of None drops the
    key.  Defaults follow the given Prosody (plain -> tls=disabled, TLS ->
    tls=required with ca_file = the test certificate).  gateway adds or
    overrides [gateway] keys; env IGW_PLUGIN_DIR, if set, becomes plugin_dir."""
    x: dict[str, object] = {"domain": "localhost", "host": "127.0.0.1", "register": True}
    if prosody is not None:
        x["domain"] = prosody.domain
        x["port"] = prosody.c2s_port
        x["tls"] = "required" if prosody.tls else "disabled"
        if prosody.tls:
            x["ca_file"] = str(prosody.cert)
    x.update(xmpp)
    out = ["# written by tests/integration/igwtest.py", "[xmpp]"]
    out += [f"{k}={_kf_value(v)}" for k, v in x.items() if v is not None]
    # radio plugins only where a test brings its fake radio (gateway= overrides)
    gw: dict[str, object] = {"owners": list(owners), "disabled_plugins": ["bluez", "coap"]}
    # A build-tree daemon with loadable plugins must be told where they are.
    if os.environ.get("IGW_PLUGIN_DIR"):
        gw["plugin_dir"] = os.environ["IGW_PLUGIN_DIR"]
    gw.update(gateway or {})
    out += ["", "[gateway]"]
    out += [f"{k}={_kf_value(v)}" for k, v in gw.items() if v is not None]
    for tid, keys in things.items():
        out += ["", f"[thing {tid}]"]
        out += [f"{k}={_kf_value(v)}" for k, v in keys.items() if v is not None]
    return "\n".join(out) + "\n"


def iotgwd_binary() -> Path:
    path = os.environ.get("IOTGWD")
    if not path:
        fallback = REPO / "build" / "src" / "iotgwd"
        if fallback.exists():
            return fallback
        raise TestFailure("IOTGWD is not set (path of the iotgwd binary under test)")
    p = Path(path)
    check(p.is_file() and os.access(p, os.X_OK), f"IOTGWD={path} is not an executable file")
    return p


class Daemon:
    """One iotgwd process with its own temp dir (config, state dir, log)."""

    def __init__(self, config: str, name: str = "iotgwd", env: Optional[dict] = None,
                 binary: Optional[Path] = None):
        self.name = name
        self.binary = Path(binary) if binary else iotgwd_binary()
        self.dir = Path(tempfile.mkdtemp(prefix="igwd", dir="/tmp"))
        self.state_dir = self.dir / "state"
        self.state_dir.mkdir()
        self.config_path = self.dir / "iotgwd.conf"
        self.log_path = self.dir / "iotgwd.log"
        self.log_path.touch()
        self.extra_env = dict(env or {})
        self.proc: Optional[subprocess.Popen] = None
        self.returncode: Optional[int] = None
        self.write_config(config)

    def write_config(self, text: str) -> None:
        """(Re)write the config file atomically."""
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, self.config_path)

    def start(self, *extra_args: str) -> "Daemon":
        env = dict(os.environ)
        env.update(self.extra_env)
        argv = [str(self.binary), "--config", str(self.config_path),
                "--state-dir", str(self.state_dir), "-vv", *extra_args]
        self.proc = _spawn(argv, env=env, out_path=self.log_path)
        say(f"{self.name} started: pid={self.proc.pid} log={self.log_path}")
        return self

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- log
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def mark(self) -> int:
        """Position in the log; pass as since= to look only at later lines."""
        return len(self.log())

    def log_lines(self, regex: str, since: int = 0, flags: int = 0) -> list[str]:
        rx = re.compile(regex, flags)
        return [l for l in self.log()[since:].splitlines() if rx.search(l)]

    async def wait_log(self, regex: str, timeout: float = 15, *, since: int = 0,
                       count: int = 1, flags: int = 0) -> str:
        """Wait until `count` log lines (after `since`) match regex; returns the
        last of them.  Fails at once if the daemon exits meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            hits = self.log_lines(regex, since, flags)
            if len(hits) >= count:
                return hits[count - 1]
            rc = self.proc.poll() if self.proc else None
            if rc is not None:
                # one last read: the line may have been written just before exit
                hits = self.log_lines(regex, since, flags)
                if len(hits) >= count:
                    return hits[count - 1]
                raise TestFailure(f"{self.name} exited (code {rc}) before its log matched /{regex}/"
                                  + (f" {count} times (saw {len(hits)})" if count > 1 else ""))
            if time.monotonic() >= deadline:
                raise TestFailure(f"{self.name} log did not match /{regex}/"
                                  + (f" {count} times (saw {len(hits)})" if count > 1 else "")
                                  + f" within {timeout:g}s")
            await asyncio.sleep(0.05)

    # -- signals
    def reload(self) -> None:
        check(self.alive(), f"{self.name} is not running (cannot SIGHUP)")
        self.proc.send_signal(signal.SIGHUP)
        say(f"{self.name}: sent SIGHUP")

    async def wait_exit(self, timeout: float = 15) -> int:
        """Wait for the daemon to exit on its own; returns the exit code."""
        rc = await _reap(self.proc, timeout)
        if rc is None:
            raise TestFailure(f"{self.name} (pid {self.pid}) still running after {timeout:g}s")
        self.returncode = rc
        return rc

    async def stop(self, grace: float = 10) -> int:
        """SIGTERM, wait (SIGKILL after `grace` s).  Returns the exit code
        (negative = killed by that signal, as in subprocess)."""
        check(self.proc is not None, f"{self.name} was never started")
        rc = await _terminate(self.proc, grace)
        self.returncode = rc
        say(f"{self.name} stopped (rc {rc})")
        return rc

    async def cleanup(self) -> None:
        if self.alive():
            await self.stop()
        if not KEEP_TMP:
            shutil.rmtree(self.dir, ignore_errors=True)

    def dump(self, lines: int = 80) -> None:
        """Print the log tail: first the last `lines` lines that are not debug
        output (the story), then the last raw lines (protocol detail)."""
        try:
            all_lines = self.log().splitlines()
        except OSError as exc:
            print(f"----- {self.name}: cannot read {self.log_path}: {exc}")
            return
        story = [l for l in all_lines if "-DEBUG" not in l]
        print(f"----- {self.name} (pid {self.pid}, exit {self.proc.poll() if self.proc else None}): "
              f"last {lines} non-debug lines of {self.log_path} -----")
        print("\n".join(story[-lines:]))
        if len(story) != len(all_lines):
            raw = max(20, lines // 2)
            print(f"----- {self.name}: last {raw} raw lines -----")
            print("\n".join(all_lines[-raw:]))


# ---------------------------------------------------------------------------
# private D-Bus


_BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""


class PrivateBus:
    """A throw-away dbus-daemon of type system with a permissive policy.

    Pass env() to the daemon (Ctx.daemon(..., env=bus.env())) and to every
    iotgwctl so that both use this bus as their system bus.  The bus runs in
    the foreground as our child and is stopped by PID."""

    def __init__(self, name: str = "bus"):
        self.name = name
        self.dir: Optional[Path] = None
        self.address: Optional[str] = None
        self.proc: Optional[subprocess.Popen] = None

    @property
    def log_path(self) -> Path:
        assert self.dir is not None
        return self.dir / "bus.log"

    async def start(self, timeout: float = 10) -> "PrivateBus":
        self.dir = Path(tempfile.mkdtemp(prefix="igwbus", dir="/tmp"))
        conf = self.dir / "bus.conf"
        conf.write_text(_BUS_CONF.format(socket=self.dir / "system_bus_socket"))
        argv = ["dbus-daemon", f"--config-file={conf}", "--nofork", "--print-address=1"]
        self.proc = _spawn(argv, env=dict(os.environ), out_path=self.log_path)

        def address() -> Optional[str]:
            check(self.proc.poll() is None,
                  f"{self.name}: dbus-daemon exited:\n{_tail(self.log_path, 10)}")
            found = re.search(r"^(unix:\S+)$", self.log_path.read_text(), re.M)
            return found.group(1) if found else None
        self.address = await poll_until(address, timeout, f"{self.name}: the bus address")
        say(f"{self.name} up: pid={self.proc.pid} {self.address}")
        return self

    def env(self) -> dict:
        check(self.address is not None, f"{self.name} was not started")
        return {"DBUS_SYSTEM_BUS_ADDRESS": self.address}

    async def cleanup(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            rc = await _terminate(self.proc, 5)
            say(f"{self.name} stopped (pid {self.proc.pid}, rc {rc})")
        if self.dir is not None and not KEEP_TMP:
            shutil.rmtree(self.dir, ignore_errors=True)

    def dump(self, lines: int = 10) -> None:
        if self.dir is not None:
            print(f"----- {self.name}: last {lines} lines of {self.log_path} -----")
            print(_tail(self.log_path, lines))


# ---------------------------------------------------------------------------
# slixmpp owner client

if os.environ.get("IGW_XMPP_DEBUG"):
    logging.basicConfig(level=logging.DEBUG, format="%(levelname)-8s %(name)s %(message)s")


@dataclasses.dataclass
class Msg:
    seq: int
    frm: str          # full JID of the sender
    bare: str
    type: str         # chat | normal | error | headline | groupchat
    body: str
    error: str = ""   # error condition for type=error

    def lines(self) -> list[str]:
        return [l.strip() for l in self.body.strip().splitlines() if l.strip()]


class PubsubEvent(typing.NamedTuple):
    """One published item of a pubsub#event notification (OwnerClient.pubsub_events)."""
    frm: str          # bare JID of the service (the thing, for PEP)
    node: str
    item_id: str      # "" when the service sent none
    publisher: str    # "" unless the service names the publisher
    payload: Optional[ET.Element]   # the item's payload element, None when empty


@dataclasses.dataclass
class Pres:
    seq: int
    frm: str
    bare: str
    type: str         # available | unavailable | subscribe | subscribed | ... | error
    show: str
    status: str


class OwnerClient:
    """A slixmpp client (run in the current asyncio loop) for tests and demo.

    It accepts every subscription request (and asks back), sends available
    presence and keeps a history of received chat messages and presence
    stanzas.  All waits take a timeout and raise TestFailure."""

    def __init__(self, prosody: Prosody, user: str, password: str,
                 resource: str = "igwtest", name: Optional[str] = None,
                 on_message: Optional[Callable[[Msg], None]] = None,
                 on_presence: Optional[Callable[[Pres], None]] = None):
        self.prosody = prosody
        self.bare = f"{user}@{prosody.domain}"
        self.password = password
        self.resource = resource
        self.name = name or user
        self.on_message = on_message
        self.on_presence = on_presence
        self.messages: list[Msg] = []
        self.presences: list[Pres] = []
        self.current: dict[str, Pres] = {}   # full JID -> last presence
        self._consumed: set[int] = set()
        self._seq = 0
        self._changed = asyncio.Event()
        self._session: Optional[asyncio.Future] = None
        self.connected = False
        self.pubsub_events: list[PubsubEvent] = []   # filled once pubsub is in use
        self._pubsub_on = False
        self.xmpp = self._make_xmpp()

    def _make_xmpp(self) -> slixmpp.ClientXMPP:
        x = slixmpp.ClientXMPP(f"{self.bare}/{self.resource}", self.password)
        x.auto_authorize = True
        x.auto_subscribe = True
        x.register_plugin("xep_0030")
        x.register_plugin("xep_0199")
        if self.prosody.tls:
            x.ssl_context = ssl.create_default_context(cafile=str(self.prosody.cert))
        else:
            x["feature_mechanisms"].unencrypted_plain = True
        x.add_event_handler("session_start", self._on_session_start)
        x.add_event_handler("failed_all_auth", self._on_failed_auth)
        x.add_event_handler("disconnected", self._on_disconnected)
        x.add_event_handler("message", self._on_message)
        x.add_event_handler("presence", self._on_presence)
        return x

    # -- connection
    async def connect(self, timeout: float = 20) -> "OwnerClient":
        """Connect, authenticate, fetch the roster and send presence."""
        loop = asyncio.get_running_loop()
        self._session = loop.create_future()
        addr = ("127.0.0.1", self.prosody.c2s_port)
        if self.prosody.tls:
            self.xmpp.connect(addr, force_starttls=True, disable_starttls=False)
        else:
            self.xmpp.connect(addr, force_starttls=False, disable_starttls=True)
        try:
            await asyncio.wait_for(asyncio.shield(self._session), timeout)
        except asyncio.TimeoutError:
            self.xmpp.cancel_connection_attempt()
            raise TestFailure(f"{self.name}: no XMPP session with 127.0.0.1:{self.prosody.c2s_port} "
                              f"within {timeout:g}s") from None
        say(f"{self.name}: logged in as {self.xmpp.boundjid.full}")
        return self

    async def reconnect(self, timeout: float = 30) -> "OwnerClient":
        """Log in again (e.g. after the server was restarted); history is kept."""
        if self.connected:
            await self.close()
        return await self.connect(timeout)

    async def close(self, timeout: float = 3) -> None:
        self.xmpp.cancel_connection_attempt()
        if self.connected:
            try:
                await asyncio.wait_for(self.xmpp.disconnect(wait=1), timeout)
            except Exception:
                self.xmpp.abort()
        self.connected = False

    async def _on_session_start(self, _event) -> None:
        try:
            await self.xmpp.get_roster(timeout=10)
        except Exception as exc:   # still usable; roster pushes follow
            say(f"{self.name}: roster fetch failed: {exc!r}")
        self.xmpp.send_presence()
        self.connected = True
        if self._session and not self._session.done():
            self._session.set_result(True)

    def _on_failed_auth(self, _event) -> None:
        if self._session and not self._session.done():
            self._session.set_exception(TestFailure(f"{self.name}: authentication failed"))

    def _on_disconnected(self, _event) -> None:
        if self.connected:
            say(f"{self.name}: disconnected")
        self.connected = False
        # Presence learnt over the old session is void now.
        self.current.clear()
        self._notify()

    # -- recording
    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def _notify(self) -> None:
        self._changed.set()

    def _on_message(self, stanza) -> None:
        frm = stanza["from"]
        mtype = stanza["type"]
        body = stanza["body"] or ""
        if mtype != "error" and not body:
            return      # chat states, receipts, ...
        err = stanza["error"]["condition"] if mtype == "error" else ""
        m = Msg(self._next(), frm.full, frm.bare, mtype, body, err)
        self.messages.append(m)
        if self.on_message:
            self.on_message(m)
        self._notify()

    def _on_presence(self, stanza) -> None:
        frm = stanza["from"]
        if frm.bare == self.bare:
            return      # our own resources
        ptype = stanza["type"]
        if ptype in ("away", "chat", "dnd", "xa"):
            ptype = "available"   # slixmpp reports <show/> as the type
        p = Pres(self._next(), frm.full, frm.bare, ptype, stanza["show"] or "", stanza["status"] or "")
        self.presences.append(p)
        if ptype in ("available", "unavailable"):
            self.current[frm.full] = p
        if self.on_presence:
            self.on_presence(p)
        self._notify()

    def mark(self) -> int:
        """A point in the history; pass as since= to look only at later events."""
        return self._seq

    async def wait_until(self, find: Callable[[], object], timeout: float, what: str,
                        context: Callable[[], str] = lambda: "") -> object:
        """Wait until find() returns something truthy (re-checked whenever a
        stanza arrives, at least every 0.2 s) and return it; on timeout fail
        with `what` and the text context() returns."""
        deadline = time.monotonic() + timeout
        while True:
            found = find()
            if found:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                extra = context()
                raise TestFailure(f"{self.name}: timed out after {timeout:g}s waiting for {what}"
                                  + (f"\n  {extra}" if extra else ""))
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))
            except asyncio.TimeoutError:
                pass

    def _history(self, bare: str) -> str:
        ms = [f"{m.type}:{m.body!r}" for m in self.messages if m.bare == bare][-5:]
        ps = [f"{p.type}{'(' + p.status + ')' if p.status else ''}"
              for p in self.presences if p.bare == bare][-6:]
        return f"last messages from {bare}: {ms or 'none'}; last presence: {ps or 'none'}"

    # -- messages
    async def wait_message(self, from_bare: str, predicate: Optional[Callable[[Msg], bool]] = None,
                           timeout: float = 15, *, since: int = 0, what: str = "") -> Msg:
        """First not-yet-taken non-error message from from_bare (after since)
        for which predicate(msg) holds; it is then marked as taken."""
        def find():
            for m in self.messages:
                if m.seq > since and m.bare == from_bare and m.seq not in self._consumed \
                        and m.type != "error" and (predicate is None or predicate(m)):
                    self._consumed.add(m.seq)
                    return m
            return None
        return await self.wait_until(find, timeout, what or f"a message from {from_bare}",
                                    lambda: self._history(from_bare))

    async def chat(self, to_jid: str, text: str, timeout: float = 10) -> str:
        """Send a chat message and return the body of the next message from
        that bare JID.  An error stanza in reply fails the test."""
        to_bare = JID(to_jid).bare
        since = self.mark()
        self.xmpp.send_message(mto=to_jid, mbody=text, mtype="chat")

        def find():
            for m in self.messages:
                if m.seq > since and m.bare == to_bare and m.seq not in self._consumed:
                    self._consumed.add(m.seq)
                    return m
            return None
        m = await self.wait_until(find, timeout, f"a reply from {to_bare} to {text!r}",
                                 lambda: self._history(to_bare))
        if m.type == "error":
            raise TestFailure(f"{self.name}: {to_bare} answered {text!r} with an error "
                              f"stanza ({m.error or 'no condition'})")
        return m.body

    # -- presence
    async def wait_presence(self, from_bare: str, predicate: Callable[[Pres], bool],
                            timeout: float = 15, *, since: int = 0, what: str = "") -> Pres:
        """First presence from from_bare (after since) matching predicate."""
        def find():
            for p in self.presences:
                if p.seq > since and p.bare == from_bare and predicate(p):
                    return p
            return None
        return await self.wait_until(find, timeout, what or f"a presence from {from_bare}",
                                    lambda: self._history(from_bare))

    async def wait_available(self, from_bare: str, timeout: float = 15, *, since: int = 0) -> Pres:
        return await self.wait_presence(from_bare, lambda p: p.type == "available", timeout,
                                        since=since, what=f"available presence from {from_bare}")

    async def wait_unavailable(self, from_bare: str, timeout: float = 15, *, since: int = 0) -> Pres:
        return await self.wait_presence(from_bare, lambda p: p.type == "unavailable", timeout,
                                        since=since, what=f"unavailable presence from {from_bare}")

    def is_available(self, bare: str) -> bool:
        """Whether some resource of bare is available according to the last
        presence received over the current session."""
        return any(p.type == "available" for p in self.current.values() if p.bare == bare)

    def status_of(self, bare: str) -> str:
        for p in reversed(self.presences):
            if p.bare == bare and p.type == "available":
                return p.status
        return ""

    # -- pubsub (XEP-0060 on a thing's PEP service, the thesis's protocol)
    def _pubsub(self):
        """slixmpp's xep_0060, registered on first use; from then on every
        published item notified to us is appended to pubsub_events."""
        if not self._pubsub_on:
            self.xmpp.register_plugin("xep_0060")
            self.xmpp.add_event_handler("pubsub_publish", self._on_pubsub_publish)
            self._pubsub_on = True
        return self.xmpp["xep_0060"]

    def _on_pubsub_publish(self, msg) -> None:
        # slixmpp raises one pubsub_publish per item; retractions are not items
        items = msg["pubsub_event"]["items"]
        item = items["item"]
        payload = item["payload"]
        self.pubsub_events.append(PubsubEvent(msg["from"].bare, items["node"], item["id"] or "",
                                              item.xml.get("publisher", ""),
                                              payload))
        self._notify()

    def pubsub_mark(self) -> int:
        """A point in pubsub_events; pass as since= to look only at later events."""
        self._pubsub()
        return len(self.pubsub_events)

    async def pep_subscribe(self, thing_bare: str, node: str, timeout: float = 10) -> None:
        """Subscribe our bare JID to node on thing_bare's PEP service; an
        error reply fails the test."""
        from slixmpp.exceptions import IqError, IqTimeout
        try:
            await self._pubsub().subscribe(thing_bare, node, timeout=timeout)
        except (IqError, IqTimeout) as exc:
            cond = exc.condition if isinstance(exc, IqError) else "timeout"
            raise TestFailure(f"{self.name}: subscribing to {node} of {thing_bare} failed: {cond}") \
                from None
        say(f"{self.name}: subscribed to {node} of {thing_bare}")

    async def pep_publish(self, thing_bare: str, node: str, item_id: str,
                          payload_xml, timeout: float = 10) -> tuple[bool, str]:
        """Publish one item (payload_xml: XML text or an ET.Element) to node
        on thing_bare's PEP service, without publish-options (thesis 4.4.5).
        Returns (True, "") or (False, error condition); "timeout" when no
        answer came."""
        from slixmpp.exceptions import IqError, IqTimeout
        payload = ET.fromstring(payload_xml) if isinstance(payload_xml, str) else payload_xml
        try:
            await self._pubsub().publish(thing_bare, node, id=item_id, payload=payload, timeout=timeout)
            return True, ""
        except IqError as exc:
            return False, exc.condition
        except IqTimeout:
            return False, "timeout"

    async def wait_pubsub_event(self, predicate: Callable[[PubsubEvent], bool], timeout: float = 15,
                                *, since: int = 0, what: str = "") -> PubsubEvent:
        """First event of pubsub_events (from index since on) for which
        predicate(event) holds, e.g.
        lambda e: e.node == "xmpp.iot.sensors" and e.item_id.endswith(".temperature")."""
        self._pubsub()

        def find():
            for e in self.pubsub_events[since:]:
                if predicate(e):
                    return e
            return None
        return await self.wait_until(
            find, timeout, what or "a pubsub event",
            lambda: f"last pubsub events: {[e[:4] for e in self.pubsub_events[-5:]] or 'none'}")

    # -- roster
    def subscription(self, bare: str) -> str:
        roster = self.xmpp.client_roster
        if bare not in roster:
            return "none"
        return roster[bare]["subscription"] or "none"

    async def wait_subscription(self, bare: str, state: str = "both", timeout: float = 15) -> None:
        await self.wait_until(lambda: self.subscription(bare) == state, timeout,
                             f"roster subscription '{state}' with {bare}",
                             lambda: f"roster says '{self.subscription(bare)}'")


# ---------------------------------------------------------------------------
# test runner


class Ctx:
    """Tracks what a test started, so that run() can dump and clean it up."""

    def __init__(self, name: str):
        self.name = name
        self.servers: list[Prosody] = []
        self.daemons: list[Daemon] = []
        self.clients: list[OwnerClient] = []
        self.buses: list[PrivateBus] = []

    async def prosody(self, tls: bool = False, name: Optional[str] = None,
                      pep: bool = True) -> Prosody:
        p = Prosody(tls=tls, name=name or f"prosody{len(self.servers) + 1}", pep=pep)
        self.servers.append(p)
        return await p.start()

    async def ejabberd(self, name: Optional[str] = None) -> "Ejabberd":
        e = Ejabberd(name=name or f"ejabberd{len(self.servers) + 1}")
        self.servers.append(e)
        return await e.start()

    async def bus(self, name: Optional[str] = None) -> PrivateBus:
        b = PrivateBus(name=name or f"bus{len(self.buses) + 1}")
        self.buses.append(b)
        return await b.start()

    def daemon(self, config: str, name: Optional[str] = None, env: Optional[dict] = None,
               start: bool = True) -> Daemon:
        d = Daemon(config, name=name or f"iotgwd{len(self.daemons) + 1}", env=env)
        self.daemons.append(d)
        if start:
            d.start()
        return d

    async def client(self, prosody: Prosody, user: str, password: str,
                     resource: str = "igwtest", connect: bool = True, **kw) -> OwnerClient:
        c = OwnerClient(prosody, user, password, resource=resource, **kw)
        self.clients.append(c)
        if connect:
            await c.connect()
        return c

    def dump(self) -> None:
        for d in self.daemons:
            d.dump()
        for p in self.servers:
            p.dump()
        for b in self.buses:
            b.dump()

    async def cleanup(self) -> None:
        for c in self.clients:
            try:
                await c.close()
            except Exception as exc:
                say(f"closing {c.name}: {exc!r}")
        for d in self.daemons:
            try:
                await d.cleanup()
            except Exception as exc:
                say(f"cleaning up {d.name}: {exc!r}")
        for p in self.servers:
            try:
                await p.cleanup()
            except Exception as exc:
                say(f"cleaning up {p.name}: {exc!r}")
        # last: the daemons were on them
        for b in self.buses:
            try:
                await b.cleanup()
            except Exception as exc:
                say(f"cleaning up {b.name}: {exc!r}")


def run(test: Callable[[Ctx], "asyncio.Future"], name: str, timeout: float = 90) -> None:
    """Run `await test(ctx)` with an overall deadline and exit the process:
    0 on success, 1 on any failure (reason printed, log tails dumped)."""
    ctx = Ctx(name)

    async def main() -> int:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        interrupted = []

        def on_signal(signame: str) -> None:
            interrupted.append(signame)
            task.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal, sig.name)
        ok = False
        try:
            await asyncio.wait_for(test(ctx), timeout)
            ok = True
        except TestFailure as exc:
            print(f"FAIL {name}: {exc}", flush=True)
        except asyncio.TimeoutError:
            print(f"FAIL {name}: the whole test exceeded {timeout:g}s", flush=True)
        except asyncio.CancelledError:
            task.uncancel()
            print(f"FAIL {name}: interrupted by {', '.join(interrupted) or 'cancellation'}",
                  flush=True)
        except Exception:
            print(f"FAIL {name}: unexpected exception", flush=True)
            traceback.print_exc()
            sys.stdout.flush()
        finally:
            if not ok:
                ctx.dump()
            try:
                await asyncio.wait_for(ctx.cleanup(), 40)
            except BaseException as exc:
                print(f"cleanup problem: {exc!r}", flush=True)
                ok = False
        if ok:
            print(f"PASS {name} ({time.monotonic() - _T0:.1f}s)", flush=True)
        return 0 if ok else 1

    rc = asyncio.run(main())
    sys.exit(rc)


# ---------------------------------------------------------------------------
# BlueZ fake (python-dbusmock + bluez_mock_template.py) on a PrivateBus

BLUEZ_TEMPLATE = HERE / "bluez_mock_template.py"
bthome_uuid = "0000fcd2-0000-1000-8000-00805f9b34fb"


def sig_uuid(n: int) -> str:
    """128-bit form of a 16-bit Bluetooth SIG UUID: sig_uuid(0x180d)."""
    return f"{n:08x}-0000-1000-8000-00805f9b34fb"


class BluezMock:
    """A fake bluetoothd: `/usr/bin/python3 -m dbusmock` with
    bluez_mock_template.py, owning org.bluez on `bus`.  Driven through the
    template's org.bluez.Mock API with short synchronous GDBus calls (a few ms
    each) on the harness's own connection to the bus.

    restart() = bluetoothd restart: org.bluez vanishes and comes back with no
    adapters.  Stopped by PID."""

    MOCK = "org.bluez.Mock"

    def __init__(self, bus: PrivateBus, name: str = "bluez", monitor: bool = False):
        self.bus = bus
        self.name = name
        self.monitor = monitor
        self.dir = Path(tempfile.mkdtemp(prefix="igwbluez", dir="/tmp"))
        self.proc: Optional[subprocess.Popen] = None
        self._conn = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.dir / "mock.log"

    @property
    def out_path(self) -> Path:
        return self.dir / "mock.out"

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    # -- D-Bus plumbing
    def _connection(self):
        if self._conn is None or self._conn.is_closed():
            from gi.repository import Gio
            self._conn = Gio.DBusConnection.new_for_address_sync(
                self.bus.address,
                Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        return self._conn

    def call(self, path: str, iface: str, method: str, sig: Optional[str] = None,
             args: tuple = (), timeout_ms: int = 5000):
        """One synchronous call to org.bluez; returns the unpacked reply tuple."""
        from gi.repository import GLib, Gio
        params = GLib.Variant(f"({sig})", args) if sig else None
        try:
            reply = self._connection().call_sync(
                "org.bluez", path, iface, method, params, None,
                Gio.DBusCallFlags.NONE, timeout_ms, None)
        except GLib.Error as exc:
            raise TestFailure(f"{self.name}: {iface}.{method}{args} on {path}: {exc.message}")
        return reply.unpack() if reply is not None else ()

    def _mock(self, method: str, sig: Optional[str] = None, *args):
        return self.call("/", self.MOCK, method, sig, tuple(args))

    def _prop(self, path: str, iface: str, name: str):
        return self.call(path, "org.freedesktop.DBus.Properties", "Get", "ss", (iface, name))[0]

    def ready(self) -> bool:
        try:
            self.call("/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                      timeout_ms=1000)
            return True
        except TestFailure:
            return False

    # -- process
    async def start(self, timeout: float = 10) -> "BluezMock":
        check(self.proc is None or self.proc.poll() is not None, f"{self.name} already running")
        argv = ["/usr/bin/python3", "-m", "dbusmock", "--system",
                "--template", str(BLUEZ_TEMPLATE),
                "-p", '{"monitor": %s}' % ("true" if self.monitor else "false"),
                "-l", str(self.log_path)]
        env = dict(os.environ)
        env.update(self.bus.env())
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        if self.log_path.exists():   # dbusmock truncates its log: keep the previous run's
            self.log_path.rename(self.dir / f"mock.log.{self.starts}")
        t0 = time.monotonic()
        self.proc = _spawn(argv, env=env, out_path=self.out_path)
        self.starts += 1

        def up() -> bool:
            check(self.proc.poll() is None,
                  f"{self.name}: mock exited rc={self.proc.poll()}:\n{_tail(self.out_path, 15)}")
            return self.ready()
        await poll_until(up, timeout, f"{self.name}: org.bluez GetManagedObjects")
        say(f"{self.name} up: pid={self.proc.pid} in {1000 * (time.monotonic() - t0):.0f} ms")
        return self

    async def stop(self, grace: float = 5) -> Optional[int]:
        if self.proc is None:
            return None
        rc = await _terminate(self.proc, grace)
        say(f"{self.name} stopped (pid {self.proc.pid}, rc {rc})")
        return rc

    async def restart(self, timeout: float = 10) -> "BluezMock":
        """bluetoothd restart: the name vanishes, returns with no adapters."""
        await self.stop()
        return await self.start(timeout)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def cleanup(self) -> None:
        if self.running():
            await self.stop()
        if self._conn is not None:
            try:
                self._conn.close_sync(None)
            except Exception:
                pass
            self._conn = None
        if not KEEP_TMP:
            shutil.rmtree(self.dir, ignore_errors=True)

    def dump(self, lines: int = 40) -> None:
        print(f"----- {self.name} (pid {self.pid}): last {lines} lines of {self.log_path} -----")
        print(_tail(self.log_path, lines))
        out = _tail(self.out_path, 15)
        if out.strip():
            print(f"----- {self.name}: stdout/stderr -----")
            print(out)

    # -- adapters
    @staticmethod
    def adapter_path(name: str) -> str:
        return f"/org/bluez/{name}"

    def add_adapter(self, name: str = "hci0", alias: str = "iotgw-test") -> str:
        return self._mock("AddAdapter", "ss", name, alias)[0]

    def remove_adapter(self, name: str) -> None:
        self._mock("RemoveAdapter", "s", name)

    def set_discovery_failures(self, adapter: str, error: str, count: int) -> None:
        self._mock("SetDiscoveryFailures", "ssu", adapter, error, count)

    def discovery_filter(self, adapter: str) -> dict:
        return self._mock("GetDiscoveryFilter", "s", adapter)[0]

    def discovering(self, adapter: str) -> bool:
        return bool(self._prop(self.adapter_path(adapter), "org.bluez.Adapter1", "Discovering"))

    # -- devices
    @staticmethod
    def _sd(service_data: Optional[dict]):
        from gi.repository import GLib
        return {str(k): GLib.Variant("ay", bytes(v)) for k, v in (service_data or {}).items()}

    @staticmethod
    def _md(manufacturer_data: Optional[dict]):
        from gi.repository import GLib
        return {int(k): GLib.Variant("ay", bytes(v)) for k, v in (manufacturer_data or {}).items()}

    def add_le_device(self, adapter: str, address: str, name: str = "", rssi: int = -60,
                      service_data: Optional[dict] = None,
                      manufacturer_data: Optional[dict] = None,
                      uuids: Optional[list] = None) -> str:
        from gi.repository import GLib
        extra = {}
        if service_data:
            extra["ServiceData"] = GLib.Variant("a{sv}", self._sd(service_data))
        if manufacturer_data:
            extra["ManufacturerData"] = GLib.Variant("a{qv}", self._md(manufacturer_data))
        if uuids:
            extra["UUIDs"] = GLib.Variant("as", list(uuids))
        return self._mock("AddLEDevice", "sssna{sv}", adapter, address, name, rssi, extra)[0]

    def update_advertisement(self, path: str, rssi: int,
                             service_data: Optional[dict] = None,
                             manufacturer_data: Optional[dict] = None) -> None:
        self._mock("UpdateAdvertisement", "ona{sv}a{qv}", path, rssi,
                   self._sd(service_data), self._md(manufacturer_data))

    def remove_device(self, path: str) -> None:
        self._mock("RemoveLEDevice", "o", path)

    def drop_connection(self, path: str) -> None:
        """Link loss: the device side disconnects (ServicesResolved, Connected -> false)."""
        self._mock("DropConnection", "o", path)

    def set_connect_failures(self, dev: str, count: int) -> None:
        self._mock("SetConnectFailures", "ou", dev, count)

    def connected(self, dev: str) -> bool:
        return bool(self._prop(dev, "org.bluez.Device1", "Connected"))

    # -- GATT
    def add_gatt_service(self, dev: str, handle: int, uuid: str) -> str:
        return self._mock("AddGattService", "oqs", dev, handle, uuid)[0]

    def add_gatt_characteristic(self, svc: str, handle: int, uuid: str, flags: list,
                                value: bytes = b"") -> str:
        return self._mock("AddGattCharacteristic", "oqsasay", svc, handle, uuid,
                          list(flags), bytes(value))[0]

    def set_characteristic_value(self, chr: str, value: bytes) -> None:
        self._mock("SetCharacteristicValue", "oay", chr, bytes(value))

    def set_notify_sequence(self, chr: str, values: list, interval_ms: int) -> None:
        self._mock("SetNotifySequence", "oaayu", chr, [bytes(v) for v in values], interval_ms)

    def get_writes(self, chr: str) -> list:
        return [bytes(v) for v in self._mock("GetWrites", "o", chr)[0]]

    def notifying(self, chr: str) -> bool:
        return bool(self._prop(chr, "org.bluez.GattCharacteristic1", "Notifying"))

    # -- advertisement monitors, call log
    def monitor_registrations(self) -> list:
        """[(adapter path, client unique name, root path)] currently registered."""
        return [tuple(r) for r in self._mock("GetMonitorRegistrations")[0]]

    def monitor_events(self) -> list:
        """[(Activate|DeviceFound|DeviceLost|Release, monitor path, device path or "")]."""
        return [tuple(e) for e in self._mock("GetMonitorEvents")[0]]

    def method_calls(self, path: str, method: str) -> list:
        """[(unix time, [args])] of `method` called on `path` (dbusmock call log)."""
        return [tuple(c) for c in self.call(path, "org.freedesktop.DBus.Mock", "GetMethodCalls",
                                            "s", (method,))[0]]


# ---------------------------------------------------------------------------
# CoAP lab: network namespaces with a bridged "6LoWPAN" link (veth), CoAP nodes
#
# gateway namespace igw<pid>gw: bridge lowpan0 (fe80::1, fd00:6c6f::1), one veth
# port lp<i> per node; node namespace igw<pid>n<i>: lowpan0 (fe80::1<i>,
# fd00:6c6f::1<i>).  All addresses nodad/accept_dad=0 (no 1-2 s "tentative"),
# mcast_snooping 0 (no MLD querier: flood multicast to every port).  See
# shared guide testing.md part B §2.

COAP_CLIENT = "coap-client-notls"
COAP_SERVER = "coap-server-notls"
_CLONE_NEWNET = 0x40000000


def coap_testnode_binary() -> Path:
    env = os.environ.get("COAP_TESTNODE")
    if env:
        return Path(env)
    for build in ("build", "builddir"):
        candidate = REPO / build / "tests" / "coap-testnode"
        if candidate.exists():
            return candidate
    raise TestFailure("set COAP_TESTNODE to the built tests/coap-testnode")


def can_make_namespaces() -> bool:
    """True if this process may create network namespaces (root and a working
    `ip netns`); otherwise says why on stderr, so that a test can exit 77
    (meson: SKIP)."""
    if os.geteuid() != 0:
        sys.stderr.write("skipping: network namespaces need root (ip netns)\n")
        return False
    probe = f"igw{os.getpid()}probe"
    try:
        subprocess.run(["ip", "netns", "add", probe], check=True, capture_output=True,
                       timeout=10)
        subprocess.run(["ip", "netns", "del", probe], check=True, capture_output=True,
                       timeout=10)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        sys.stderr.write(f"skipping: `ip netns add` does not work here: {exc} "
                         f"{detail.decode(errors='replace').strip()}\n")
        return False
    return True


class CoapObserver:
    """A coap-client-notls observing one resource (-s, -w), read while it runs:
    coap-client flushes each payload as it arrives.  Its first payload is the
    answer to the registration, so a test waits for it before it changes the
    resource (see CoapLab.coap_observe)."""

    def __init__(self, proc: subprocess.Popen, out: Path, uri: str):
        self.proc = proc
        self.out = out
        self.uri = uri

    def lines(self) -> list[str]:
        """The complete lines printed so far (a payload may be half written)."""
        try:
            return self.out.read_text(errors="replace").split("\n")[:-1]
        except FileNotFoundError:
            return []

    async def wait(self, pred: Callable[[list[str]], bool], timeout: float, what: str) -> list[str]:
        """Wait until pred(output lines) holds; returns the lines."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.lines()
            if pred(lines):
                return lines
            check(self.proc.poll() is None,
                  f"observer of {self.uri} exited (rc {self.proc.poll()}) before {what}: {lines[-10:]}")
            if time.monotonic() >= deadline:
                raise TestFailure(f"observer of {self.uri}: timed out after {timeout:g}s waiting for "
                                  f"{what}; output {lines[-10:]}")
            await asyncio.sleep(0.02)

    async def stop(self) -> list[str]:
        """End the observation (SIGTERM by PID); returns everything it printed."""
        await _terminate(self.proc, 2)
        return self.lines()


def _task_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


class CoapLab:
    """Network namespaces for CoAP tests, named after our PID (parallel test
    runs do not collide).  Usage:

        lab = CoapLab(2)
        await lab.up()
        lab.enter_gateway()      # before Prosody, buses, daemons, clients, threads
        await lab.start_node(1, "-L", "0", "-i", "lowpan0", "-g", "ff02::fd")
        ...
        await lab.cleanup()      # also registered with atexit

    enter_gateway() moves this process into the gateway namespace for good
    (setns(2)), so that everything it starts afterwards (Prosody, PrivateBus,
    iotgwd, coap-client) sees lowpan0 and a private lo.  Node programs run in
    their namespaces through `ip netns exec` (which execs: the PID we hold is
    the program's), output in a temp dir, stopped by PID."""

    BRIDGE = "lowpan0"     # the plugin's default interface name
    ULA_PREFIX = "fd00:6c6f::"
    _seq = 0

    def __init__(self, nodes: int, name: str = "coaplab"):
        check(1 <= nodes <= 200, f"CoapLab: nodes={nodes}")
        CoapLab._seq += 1
        suffix = "" if CoapLab._seq == 1 else chr(ord("a") + CoapLab._seq - 2)
        self.name = name
        self.nodes = nodes
        self.prefix = f"igw{os.getpid()}{suffix}"
        self.gateway_ns = f"{self.prefix}gw"
        self.node_ns = {i: f"{self.prefix}n{i}" for i in range(1, nodes + 1)}
        self.dir = Path(tempfile.mkdtemp(prefix="igwcoap", dir="/tmp"))
        self.procs: dict[str, subprocess.Popen] = {}     # label -> process
        self.outputs: dict[str, Path] = {}
        self.node_procs: dict[int, subprocess.Popen] = {}
        self.made: list[str] = []
        self.entered = False
        self.up_ms: Optional[float] = None
        self._cleaned = False
        import atexit
        atexit.register(self._cleanup_sync)

    # -- addresses
    @staticmethod
    def _host(i: int) -> str:
        return f"{0x10 + i:x}"     # node 1 -> ::11, node 2 -> ::12

    def node_address(self, i: int, scope: str = "ula") -> str:
        """fd00:6c6f::1<i> (scope "ula") or fe80::1<i> (scope "ll", no zone)."""
        check(i in self.node_ns, f"no node {i}")
        if scope == "ll":
            return f"fe80::{self._host(i)}"
        check(scope == "ula", f"scope {scope!r}")
        return f"{self.ULA_PREFIX}{self._host(i)}"

    def gateway_address(self, scope: str = "ula") -> str:
        return "fe80::1" if scope == "ll" else f"{self.ULA_PREFIX}1"

    # -- plumbing
    def _ip(self, *args: str) -> None:
        try:
            subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)
        except subprocess.CalledProcessError as exc:
            raise TestFailure(f"{self.name}: ip {' '.join(args)}: "
                              f"{exc.stderr.decode(errors='replace').strip()}")

    def _sysctl(self, ns: str, *settings: str) -> None:
        self._ip("netns", "exec", ns, "sysctl", "-qw", *settings)

    @staticmethod
    def _sweep_stale() -> None:
        """Delete igw<pid>* namespaces left by test processes that were killed."""
        try:
            listing = subprocess.run(["ip", "netns", "list"], capture_output=True,
                                     text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return
        for line in listing.splitlines():
            found = re.match(r"(igw(\d+)[a-z]?(?:gw|n\d+|probe))\b", line)
            if found and int(found.group(2)) != os.getpid() \
                    and not Path(f"/proc/{found.group(2)}").exists():
                subprocess.run(["ip", "netns", "del", found.group(1)], capture_output=True)

    def _add_ns(self, ns: str) -> None:
        if Path(f"/run/netns/{ns}").exists():    # same PID, earlier killed run
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self._ip("netns", "add", ns)
        self.made.append(ns)
        self._ip("-n", ns, "link", "set", "lo", "up")

    def _add_node(self, i: int) -> None:
        gw, ns, port = self.gateway_ns, self.node_ns[i], f"lp{i}"
        self._add_ns(ns)
        self._ip("-n", gw, "link", "add", port, "type", "veth",
                 "peer", "name", self.BRIDGE, "netns", ns)
        # the bridge port carries frames only: no IPv6 on it, so no second
        # ff00::/8 route that could take ff05::fd away from the bridge
        self._sysctl(gw, f"net.ipv6.conf.{port}.disable_ipv6=1")
        self._ip("-n", gw, "link", "set", port, "master", self.BRIDGE, "up")
        self._sysctl(ns, f"net.ipv6.conf.{self.BRIDGE}.accept_dad=0",
                     f"net.ipv6.conf.{self.BRIDGE}.accept_ra=0")
        self._ip("-n", ns, "link", "set", self.BRIDGE, "addrgenmode", "none")
        self._ip("-n", ns, "link", "set", self.BRIDGE, "up")
        for addr in (self.node_address(i, "ll"), self.node_address(i)):
            self._ip("-n", ns, "-6", "addr", "add", f"{addr}/64", "dev", self.BRIDGE, "nodad")

    async def up(self) -> "CoapLab":
        """Create the namespaces, the bridge and one veth per node (~100 ms)."""
        t0 = time.monotonic()
        self._sweep_stale()
        gw = self.gateway_ns
        self._add_ns(gw)
        self._ip("-n", gw, "link", "add", self.BRIDGE, "type", "bridge",
                 "mcast_snooping", "0", "forward_delay", "0")
        # keep_addr_on_down: a test may take lowpan0 down and up again, and its
        # static addresses (there is no SLAAC here) must survive that
        self._sysctl(gw, f"net.ipv6.conf.{self.BRIDGE}.accept_dad=0",
                     f"net.ipv6.conf.{self.BRIDGE}.accept_ra=0",
                     f"net.ipv6.conf.{self.BRIDGE}.keep_addr_on_down=1")
        self._ip("-n", gw, "link", "set", self.BRIDGE, "addrgenmode", "none")
        self._ip("-n", gw, "link", "set", self.BRIDGE, "up")
        for addr in (self.gateway_address("ll"), self.gateway_address()):
            self._ip("-n", gw, "-6", "addr", "add", f"{addr}/64", "dev", self.BRIDGE, "nodad")
        # glibc's AI_ADDRCONFIG (libstrophe resolves with it) hides IPv4, 127.0.0.1
        # included, unless some non-loopback IPv4 address exists: one from TEST-NET-1
        self._ip("-n", gw, "-4", "addr", "add", "192.0.2.1/32", "dev", self.BRIDGE)
        for i in self.node_ns:
            self._add_node(i)
        self.up_ms = 1000 * (time.monotonic() - t0)
        say(f"{self.name} up: {gw} + {len(self.node_ns)} node(s) in {self.up_ms:.0f} ms")
        return self

    def enter_gateway(self) -> None:
        """Move this process into the gateway namespace (irreversible).

        Call it right after up(), before starting anything else (Prosody,
        PrivateBus, Daemon, slixmpp clients) and while the process has a single
        thread: setns(2) switches only the calling thread, and threads started
        earlier would stay outside."""
        check(self.made, f"{self.name}: enter_gateway() before up()")
        if self.entered:
            return
        tasks = _task_count()
        check(tasks == 1, f"{self.name}: enter_gateway() with {tasks} threads; "
                          "call it before anything starts a thread")
        fd = os.open(f"/run/netns/{self.gateway_ns}", os.O_RDONLY | os.O_CLOEXEC)
        try:
            if _libc.setns(fd, _CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                raise TestFailure(f"{self.name}: setns({self.gateway_ns}): {os.strerror(err)}")
        finally:
            os.close(fd)
        self.entered = True
        say(f"{self.name}: this process (pid {os.getpid()}) is now in {self.gateway_ns}")

    def _in_gateway(self) -> list[str]:
        return [] if self.entered else ["ip", "netns", "exec", self.gateway_ns]

    # -- processes
    def _start(self, label: str, ns: str, argv: list[str]) -> subprocess.Popen:
        old = self.procs.get(label)
        check(old is None or old.poll() is not None, f"{label} already running")
        out = self.dir / f"{label}.out"
        self.outputs[label] = out
        proc = _spawn(["ip", "netns", "exec", ns, *argv], env=dict(os.environ), out_path=out)
        self.procs[label] = proc
        return proc

    def output(self, label: str) -> str:
        """Everything `label` ("node1", "server3") wrote so far."""
        path = self.outputs.get(label)
        return path.read_text(errors="replace") if path and path.exists() else ""

    def node_output(self, i: int) -> str:
        return self.output(f"node{i}")

    async def start_node(self, i: int, *args: str, timeout: float = 10) -> subprocess.Popen:
        """Run coap-testnode in node i's namespace (-n node<i> unless given) and
        wait for its "ready" line."""
        check(i in self.node_ns, f"no node {i}")
        label = f"node{i}"
        argv = [str(coap_testnode_binary())]
        if "-n" not in args:
            argv += ["-n", label]
        t0 = time.monotonic()
        if self.outputs.get(label) is not None and self.outputs[label].exists():
            self.outputs[label].rename(self.dir / f"{label}.out.{int(t0 * 1000)}")
        proc = self._start(label, self.node_ns[i], argv + list(args))
        self.node_procs[i] = proc

        def ready() -> bool:
            check(proc.poll() is None, f"{label} exited rc={proc.poll()}:\n"
                                       f"{_tail(self.outputs[label], 10)}")
            return re.search(r"^ready\b", self.output(label), re.M) is not None
        await poll_until(ready, timeout, f"{label}: coap-testnode ready", interval=0.005)
        say(f"{label} ready: pid={proc.pid} in {1000 * (time.monotonic() - t0):.0f} ms")
        return proc

    async def stop_node(self, i: int, grace: float = 5) -> Optional[int]:
        """SIGTERM node i's program (coap-testnode or coap-server), reap it."""
        rc = None
        for label in (f"node{i}", f"server{i}"):
            proc = self.procs.get(label)
            if proc is not None and proc.poll() is None:
                rc = await _terminate(proc, grace)
                say(f"{label} stopped (pid {proc.pid}, rc {rc})")
        return rc

    async def coap_client(self, *args: str, timeout: float = 30) -> str:
        """Run coap-client-notls in the gateway namespace; returns its stdout and
        stderr.  Note: it exits 0 even on timeouts and send errors, so check the
        output."""
        out = self.dir / f"client-{time.monotonic_ns()}.out"
        proc = _spawn([*self._in_gateway(), COAP_CLIENT, *args], env=dict(os.environ),
                      out_path=out)
        rc = await _reap(proc, timeout)
        if rc is None:
            await _terminate(proc, 2)
            raise TestFailure(f"{COAP_CLIENT} {' '.join(args)} still running after {timeout:g}s")
        text = out.read_text(errors="replace")
        out.unlink()
        return text

    def coap_observe(self, uri: str, *args: str, duration: float = 60) -> CoapObserver:
        """Start observing uri from the gateway namespace (coap-client -s, one
        payload a line); stop it with CoapObserver.stop() (cleanup() does too)."""
        label = f"observe{sum(1 for label in self.procs if label.startswith('observe')) + 1}"
        out = self.dir / f"{label}.out"
        self.outputs[label] = out
        proc = _spawn([*self._in_gateway(), COAP_CLIENT, "-s", f"{duration:g}", "-B", f"{duration + 5:g}",
                       "-w", *args, uri], env=dict(os.environ), out_path=out)
        self.procs[label] = proc
        return CoapObserver(proc, out, uri)

    async def _node_local_answer(self, i: int, uri: str) -> str:
        """GET uri from inside node i's own namespace (over its lo)."""
        r = subprocess.run(["ip", "netns", "exec", self.node_ns[i], COAP_CLIENT, "-B", "1", uri],
                           capture_output=True, text=True, timeout=5)
        return r.stdout + r.stderr

    async def start_coap_server(self, i: int, *args: str, timeout: float = 10,
                                local: bool = False) -> subprocess.Popen:
        """Run libcoap's coap-server-notls in node i's namespace and wait until
        it answers a unicast GET /.well-known/core from the gateway namespace
        (local=True: from inside the node's namespace, for a link that is down)."""
        check(i in self.node_ns, f"no node {i}")
        label = f"server{i}"
        port = args[args.index("-p") + 1] if "-p" in args else "5683"
        t0 = time.monotonic()
        proc = self._start(label, self.node_ns[i], [COAP_SERVER, *args])
        uri = f"coap://[{'::1' if local else self.node_address(i)}]:{port}/.well-known/core"
        deadline = t0 + timeout
        while True:
            check(proc.poll() is None, f"{label} exited rc={proc.poll()}:\n"
                                       f"{_tail(self.outputs[label], 10)}")
            answer = await (self._node_local_answer(i, uri) if local
                            else self.coap_client("-B", "1", uri, timeout=5))
            if "</" in answer:
                break
            if time.monotonic() >= deadline:
                raise TestFailure(f"timed out after {timeout:g}s waiting for {label} to answer")
            await asyncio.sleep(0.02)
        say(f"{label} (coap-server) answers: pid={proc.pid} in "
            f"{1000 * (time.monotonic() - t0):.0f} ms")
        return proc

    # -- teardown
    def _delete_namespaces(self) -> None:
        for ns in reversed(self.made):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.made = []

    async def cleanup(self) -> None:
        """Stop every process by PID, delete the namespaces (by name: works
        from inside the gateway namespace too).  Safe to call twice."""
        for label, proc in self.procs.items():
            if proc.poll() is None:
                try:
                    rc = await _terminate(proc, 5)
                    say(f"{label} stopped (pid {proc.pid}, rc {rc})")
                except TestFailure as exc:
                    say(f"{label}: {exc}")
        self._cleanup_sync()

    def _cleanup_sync(self) -> None:
        # also the atexit hook: a crashed test leaves neither processes nor
        # namespaces behind
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    pass
        self._delete_namespaces()
        if not self._cleaned and not KEEP_TMP:
            shutil.rmtree(self.dir, ignore_errors=True)
        self._cleaned = True

    def dump(self, lines: int = 25) -> None:
        print(f"----- {self.name}: namespaces {self.gateway_ns} "
              f"{' '.join(self.node_ns.values())} -----")
        for ns in [self.gateway_ns, *self.node_ns.values()]:
            if ns not in self.made:
                continue
            addrs = subprocess.run(["ip", "-n", ns, "-br", "addr"], capture_output=True,
                                   text=True).stdout
            print(f"{ns}:\n{addrs.rstrip()}")
        for label, path in self.outputs.items():
            proc = self.procs.get(label)
            state = "running" if proc and proc.poll() is None else \
                f"rc {proc.poll() if proc else '?'}"
            print(f"----- {label} (pid {proc.pid if proc else '?'}, {state}): "
                  f"last {lines} lines -----")
            print(_tail(path, lines))


# ---------------------------------------------------------------------------
# ejabberd (a second server; see /work/shared/guides/testing.md Part C)

EJABBERDCTL_BIN = shutil.which("ejabberdctl") or "/usr/sbin/ejabberdctl"

_EJABBERD_YML = """\
# written by tests/integration/igwtest.py: a throw-away ejabberd on loopback
hosts:
  - "@VHOST@"
loglevel: info
log_rotate_count: 0
listen:
  -
    port: @C2S@
    ip: "127.0.0.1"
    module: ejabberd_c2s
    backlog: 1024
    shaper: c2s_shaper
    access: c2s
    max_stanza_size: 262144
  -
    port: @COMP@
    ip: "127.0.0.1"
    module: ejabberd_service
    backlog: 1024
    hosts:
      "things.@VHOST@":
        password: "@SECRET@"
s2s_access: none
auth_method: [internal]
registration_timeout: infinity
acl:
  local:
    user_regexp: ""
  loopback:
    ip:
      - 127.0.0.0/8
      - ::1/128
access_rules:
  local:
    allow: local
  c2s:
    allow: all
  register:
    allow: all
  trusted_network:
    allow: loopback
api_permissions:
  "console commands":
    from:
      - ejabberd_ctl
    who: all
    what: "*"
shaper_rules:
  max_user_sessions: 10
  max_user_offline_messages: 5000
  c2s_shaper: none
modules:
  mod_caps: {}
  mod_disco: {}
  mod_roster: {}
  mod_offline: {}
  mod_ping: {}
  mod_vcard: {}
  mod_private: {}
  mod_carboncopy: {}
  mod_stream_mgmt: {}
  mod_register:
    ip_access: trusted_network
    access: register
  mod_pubsub:
    host: "pubsub.@HOST@"
    plugins: [flat, pep]
  mod_muc:
    host: "conference.@HOST@"
"""


class Ejabberd:
    """A private ejabberd 23.01 instance on 127.0.0.1 (Debian's package), with
    the interface the tests use from Prosody: domain, c2s_port, comp_port,
    comp_secret, tls (always False), pep, start(), stop(), restart(), kill(),
    running(), cleanup(), register(), user_exists(), ejabberdctl(), dump().

    ejabberdctl re-executes itself as user ejabberd through su when run as
    root, so the temp dir is chowned to that user.  The Erlang node runs in
    noepmd mode (ERL_DIST_PORT, distribution on 127.0.0.1 only) with its own
    name and random cookie, so no epmd is started and nothing outside the
    temp dir is touched.  The server process is beam.smp, whose PID ejabberd
    writes to the pid file; stop() sends it SIGTERM (a clean init:stop())."""

    tls = False
    pep = True

    def __init__(self, domain: str = "localhost", name: str = "ejabberd"):
        self.domain = domain
        self.name = name
        self.dir: Optional[Path] = None
        self.c2s_port: Optional[int] = None
        self.comp_port: Optional[int] = None
        self.dist_port: Optional[int] = None
        self.node = ""
        self.proc: Optional[subprocess.Popen] = None   # the ejabberdctl wrapper (bash)
        self.comp_secret = "igwsecret"
        self.cookie = ""
        self.ready_after: Optional[float] = None
        self._beam_pid: Optional[int] = None

    @staticmethod
    def unavailable() -> Optional[str]:
        """Why no ejabberd can be run here (None when it can)."""
        if not os.path.exists(EJABBERDCTL_BIN):
            return "ejabberd is not installed (apt-get install ejabberd)"
        try:
            import pwd
            pwd.getpwnam("ejabberd")
        except KeyError:
            return "there is no user ejabberd"
        if os.geteuid() != 0:
            return "ejabberdctl runs the server as user ejabberd: it needs root (or that user)"
        return None

    # -- paths
    @property
    def log_path(self) -> Path:
        assert self.dir is not None
        return self.dir / "logs" / "ejabberd.log"

    @property
    def console_path(self) -> Path:
        assert self.dir is not None
        return self.dir / "console.log"

    @property
    def pid_path(self) -> Path:
        assert self.dir is not None
        return self.dir / "ejabberd.pid"

    @property
    def pid(self) -> Optional[int]:
        """The beam.smp PID (read from ejabberd's pid file at start), while it runs."""
        pid = self._beam_pid
        if pid is None:
            return None
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1]
        except (OSError, IndexError):
            return None
        return None if state in ("Z", "X") else pid

    def _read_pid_file(self) -> Optional[int]:
        try:
            return int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None

    def _ctl_argv(self) -> list[str]:
        d = self.dir
        return [EJABBERDCTL_BIN, "--config-dir", str(d), "--config", str(d / "ejabberd.yml"),
                "--ctl-config", str(d / "ejabberdctl.cfg"), "--spool", str(d / "spool"),
                "--logs", str(d / "logs"), "--node", self.node]

    def env(self) -> dict:
        env = dict(os.environ)
        env["EJABBERD_PID_PATH"] = str(self.pid_path)
        env["HOME"] = str(self.dir)
        return env

    def _prepare(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="igwej", dir="/tmp"))
        (self.dir / "spool").mkdir()
        (self.dir / "logs").mkdir()
        self.c2s_port, self.comp_port, self.dist_port = free_port(), free_port(), free_port()
        self._write_config()

    def _write_config(self) -> None:
        self.node = f"igwej{self.c2s_port}@localhost"
        self.cookie = "".join(random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(20))
        yml = (_EJABBERD_YML.replace("@VHOST@", self.domain).replace("@C2S@", str(self.c2s_port))
               .replace("@COMP@", str(self.comp_port)).replace("@SECRET@", self.comp_secret))
        (self.dir / "ejabberd.yml").write_text(yml)
        (self.dir / "ejabberdctl.cfg").write_text(
            f"ERLANG_NODE={self.node}\n"
            f'ERL_OPTIONS="-setcookie {self.cookie} -kernel inet_dist_use_interface {{127,0,0,1}}"\n'
            "ERL_EPMD_ADDRESS=127.0.0.1\n"
            f"ERL_DIST_PORT={self.dist_port}\n"
            f"CONTRIB_MODULES_PATH={self.dir}/contrib\n"
            "EJABBERD_BYPASS_WARNINGS=true\n")
        (self.dir / "inetrc").write_text('{lookup,["file","native"]}.\n'
                                         '{host,{127,0,0,1},["localhost"]}.\n')
        subprocess.run(["chown", "-R", "ejabberd:ejabberd", str(self.dir)], check=True, timeout=10)

    # -- lifecycle
    async def start(self, timeout: float = 30) -> "Ejabberd":
        """Start the server; wait until both ports accept and the pid file is there."""
        why = self.unavailable()
        if why:
            raise TestFailure(f"{self.name}: {why}")
        fresh = self.dir is None
        if fresh:
            self._prepare()
        for attempt in range(3):
            try:
                self.pid_path.unlink()
            except OSError:
                pass
            t0 = time.monotonic()
            self.proc = _spawn([*self._ctl_argv(), "foreground"], env=self.env(), out_path=self.console_path)
            try:
                await self._wait_ready(timeout)
                self.ready_after = time.monotonic() - t0
                break
            except _PortTaken as exc:
                await self.stop()
                if not fresh or attempt == 2:
                    raise TestFailure(f"{self.name}: {exc}")
                say(f"{self.name}: {exc}; trying other ports")
                self.c2s_port, self.comp_port, self.dist_port = free_port(), free_port(), free_port()
                self._write_config()
        say(f"{self.name} up: pid={self.pid} node={self.node} c2s=127.0.0.1:{self.c2s_port} "
            f"component={self.comp_port} dist={self.dist_port} after {self.ready_after:.1f}s dir={self.dir}")
        return self

    async def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        ports = (self.c2s_port, self.comp_port)
        while True:
            rc = self.proc.poll()
            if rc is not None:
                raise TestFailure(f"{self.name} exited with code {rc} during startup:\n"
                                  f"{_tail(self.console_path, 20)}\n{_tail(self.log_path, 20)}")
            pid = self._beam_pid = self._read_pid_file()
            if pid is not None and all(_pid_listens_on(pid, p) for p in ports) and \
                    all(_port_accepts(p) for p in ports):
                return
            try:
                log = self.log_path.read_text(errors="replace")
            except OSError:
                log = ""
            if "eaddrinuse" in log:
                raise _PortTaken(f"port {self.c2s_port}, {self.comp_port} or {self.dist_port} is taken")
            if time.monotonic() >= deadline:
                raise TestFailure(f"{self.name} did not listen on 127.0.0.1:{ports} within {timeout:g}s:\n"
                                  f"{_tail(self.console_path, 20)}\n{_tail(self.log_path, 20)}")
            await asyncio.sleep(0.05)

    async def stop(self, grace: float = 10) -> Optional[int]:
        """SIGTERM to beam.smp (SIGKILL after `grace` s); the ejabberdctl
        wrapper then exits by itself.  Returns the wrapper's exit code."""
        if self.proc is None:
            return None
        pid = self.pid
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while self.pid is not None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if self.pid is not None:
                say(f"{self.name}: beam.smp {pid} ignored SIGTERM for {grace:.0f}s, sending SIGKILL")
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        rc = await _terminate(self.proc, 5)
        say(f"{self.name} stopped (beam.smp {pid}, ejabberdctl rc {rc})")
        return rc

    def kill(self) -> None:
        """SIGKILL, as in a crash.  The spool and ports stay for restart()."""
        pid = self.pid
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    async def restart(self, timeout: float = 30) -> "Ejabberd":
        check(self.dir is not None, "restart() before start()")
        if self.running():
            await self.stop()
        return await self.start(timeout=timeout)

    def running(self) -> bool:
        return self.pid is not None

    async def cleanup(self) -> None:
        if self.proc is not None and (self.running() or self.proc.poll() is None):
            await self.stop()
        if self.dir is not None and not KEEP_TMP:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- accounts
    def ejabberdctl(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """One ejabberdctl command against this node (0.4-0.7 s each)."""
        return subprocess.run([*self._ctl_argv(), *args], env=self.env(), capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def register(self, user: str, password: str) -> str:
        """Create user@domain (the server must run).  Returns the bare JID."""
        check(self.running(), f"{self.name}: register() while not running")
        r = self.ejabberdctl("register", user, self.domain, password)
        if r.returncode != 0:
            raise TestFailure(f"ejabberdctl register {user} failed (rc {r.returncode}):\n{r.stdout}{r.stderr}")
        return f"{user}@{self.domain}"

    def user_exists(self, user: str) -> bool:
        """Whether the account exists (ejabberdctl registered_users, ~0.5 s)."""
        r = self.ejabberdctl("registered_users", self.domain)
        if r.returncode != 0:
            raise TestFailure(f"ejabberdctl registered_users failed (rc {r.returncode}):\n{r.stdout}{r.stderr}")
        return user.lower() in r.stdout.split()

    def dump(self, lines: int = 25) -> None:
        if self.dir is None:
            return
        print(f"----- {self.name}: last {lines} lines of {self.log_path} -----")
        print(_tail(self.log_path, lines))
        print(f"----- {self.name}: last 10 lines of {self.console_path} -----")
        print(_tail(self.console_path, 10))
