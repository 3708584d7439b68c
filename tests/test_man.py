#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The documentation follows the code.

Fails when
* a command of `iotgwctl get-actions` is not set in bold in the COMMANDS
  section of man/iotgwctl.1, or is not a word of data/completion/iotgwctl;
* a key of the [xmpp], [gateway], [history], [pubsub], [peer JID] or [room JID] group accepted by
  src/core/igw-config.c (its *_keys[] arrays) is not set in bold in that group's
  section of man/iotgwd.conf.5;
* a long option of `iotgwd --help` is not set in bold in the OPTIONS section
  of man/iotgwd.8.

Environment: IOTGWCTL and IOTGWD (the binaries), IGW_SOURCE_ROOT (default:
the parent of this file's directory).
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(os.environ.get("IGW_SOURCE_ROOT") or Path(__file__).resolve().parent.parent)
CONFIG_GROUPS = ("xmpp", "gateway", "history", "pubsub", "peer", "room")
# the man page section of a group whose name takes an argument
CONFIG_SECTIONS = {"peer": "[peer JID]", "room": "[room JID]"}

# macros whose arguments alternate between two fonts, and the font of each
ALTERNATING = {"BR": "BR", "RB": "RB", "BI": "BI", "IB": "IB", "IR": "IR", "RI": "RI"}
SINGLE = {"B": "B", "I": "I", "R": "R", "SM": "R", "SB": "B"}


def unescape(text: str) -> str:
    text = text.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")
    return re.sub(r"\\\(..", " ", text)


def font_runs(line: str) -> list[tuple[str, str]]:
    """(font, text) pieces of one roff line: B, I or R."""
    runs: list[tuple[str, str]] = []
    if line.startswith("."):
        macro, _, rest = line[1:].partition(" ")
        try:
            args = shlex.split(rest, posix=True) if rest else []
        except ValueError:
            args = rest.split()
        if macro in SINGLE:
            runs += inline_runs(" ".join(args), SINGLE[macro])
        elif macro in ALTERNATING:
            fonts = ALTERNATING[macro]
            for i, arg in enumerate(args):
                runs += inline_runs(arg, fonts[i % 2])
        return runs
    return inline_runs(line, "R")


def inline_runs(text: str, font: str) -> list[tuple[str, str]]:
    """Split text at \\fB, \\fI, \\fR and \\fP."""
    runs = []
    previous = font
    for i, piece in enumerate(re.split(r"(\\f[BIRP])", text)):
        if i % 2 == 1:
            new = piece[2]
            font, previous = (previous, font) if new == "P" else (new, font)
            continue
        if piece:
            runs.append((font, unescape(piece)))
    return runs


def bold_words(path: Path, section: str) -> set[str]:
    """Words set in bold inside the .SH section named `section`."""
    words: set[str] = set()
    inside = False
    for line in path.read_text().splitlines():
        if line.startswith(".SH"):
            inside = line[3:].strip().strip('"') == section
            continue
        if not inside:
            continue
        for font, text in font_runs(line):
            if font == "B":
                words.update(w for w in re.split(r"[\s,()=\[\]\"']+", text) if w)
    return words


def run(binary_env: str, *args: str) -> str:
    binary = os.environ.get(binary_env)
    if not binary:
        sys.exit(f"{binary_env} is not set")
    result = subprocess.run([binary, *args], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        sys.exit(f"{binary} {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result.stdout


def check_ctl() -> list[str]:
    problems = []
    actions = [line.split() for line in run("IOTGWCTL", "get-actions").splitlines() if line.strip()]
    if len(actions) < 5:
        return [f"iotgwctl get-actions listed only {actions}"]
    man = bold_words(ROOT / "man" / "iotgwctl.1", "COMMANDS")
    completion = (ROOT / "data" / "completion" / "iotgwctl").read_text()
    for action in actions:
        name = " ".join(action)
        for word in action:
            if word not in man:
                problems.append(f"man/iotgwctl.1: '{word}' of command '{name}' is not in bold "
                                "under COMMANDS")
            if not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", completion):
                problems.append(f"data/completion/iotgwctl: no '{word}' (command '{name}')")
    return problems


def config_keys() -> dict[str, list[str]]:
    source = (ROOT / "src" / "core" / "igw-config.c").read_text()
    keys = {}
    for group in CONFIG_GROUPS:
        m = re.search(rf"\b{group}_keys\[\]\s*=\s*\{{(.*?)\}};", source, re.S)
        keys[group] = re.findall(r'"([^"]+)"', m.group(1)) if m else []
    return keys


def check_conf() -> list[str]:
    problems = []
    for group, keys in config_keys().items():
        if not keys:
            problems.append(f"src/core/igw-config.c: no {group}_keys[] array found")
            continue
        section = CONFIG_SECTIONS.get(group, f"[{group}]")
        documented = bold_words(ROOT / "man" / "iotgwd.conf.5", section)
        problems += [f"man/iotgwd.conf.5: key '{key}' is not in bold under {section}"
                     for key in keys if key not in documented]
    return problems


def check_daemon() -> list[str]:
    options = re.findall(r"^\s+(?:-\w, )?(--[\w-]+)", run("IOTGWD", "--help"), re.M)
    options = [o for o in options if not o.startswith("--help")]
    if not options:
        return ["iotgwd --help listed no options"]
    documented = bold_words(ROOT / "man" / "iotgwd.8", "OPTIONS")
    return [f"man/iotgwd.8: option '{o}' is not in bold under OPTIONS"
            for o in options if o not in documented]


def main() -> int:
    problems = check_ctl() + check_conf() + check_daemon()
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        return 1
    print("PASS every command, key and option is documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
