#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check the rendered iotgwd.service with systemd-analyze.

Usage: test_systemd.py BUILD/systemd/iotgwd.service

1. `systemd-analyze security --offline=true --threshold=30` must pass and
   the "Overall exposure level" must be 3.0 or lower.
2. `systemd-analyze verify --man=no` must report nothing about the unit:
   unknown keys and unparsable values are printed as warnings only, so any
   output line fails the test. verify also checks that ExecStart= is an
   executable file; before `meson install` the rendered path
   (@sbindir@/iotgwd) does not exist, and that one error, matched exactly,
   is tolerated while the path is missing. Nothing is faked: no stand-in
   binary is created, the unit is verified as rendered.

Exit status 77 (meson: skipped) when systemd-analyze is missing or older
than 250, which lacks --offline.
"""
import os
import re
import shutil
import subprocess
import sys

MAX_EXPOSURE = 3.0
SKIP = 77


def run(args):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=dict(os.environ, SYSTEMD_COLORS='0', SYSTEMD_PAGER='', LC_ALL='C.UTF-8'))


def systemd_version(analyze):
    out = run([analyze, '--version']).stdout
    match = re.match(r'systemd (\d+)', out)
    return int(match.group(1)) if match else 0


def check_security(analyze, unit):
    name = os.path.basename(unit)
    proc = run([analyze, 'security', '--offline=true', '--threshold=%d' % round(MAX_EXPOSURE * 10), unit])
    match = re.search(r'Overall exposure level for %s: (\d+\.\d+)' % re.escape(name), proc.stdout)
    if match is None:
        print(proc.stdout + proc.stderr)
        return ['security: no "Overall exposure level" line for %s (exit %d)' % (name, proc.returncode)]
    exposure = float(match.group(1))
    print('security: overall exposure level %.1f (at most %.1f allowed)' % (exposure, MAX_EXPOSURE))
    failures = []
    if exposure > MAX_EXPOSURE:
        failures.append('security: exposure %.1f is above %.1f' % (exposure, MAX_EXPOSURE))
    if proc.returncode != 0:
        failures.append('security: systemd-analyze exited %d with --threshold' % proc.returncode)
    # the unit parser's warnings (unknown key, bad value) come on stderr
    for line in proc.stderr.splitlines():
        if line.strip():
            failures.append('security: ' + line)
    return failures


def exec_start(unit):
    with open(unit, encoding='utf-8') as f:
        for line in f:
            if line.startswith('ExecStart='):
                return line.split('=', 1)[1].split()[0].lstrip('-@:+!')
    return None


def check_verify(analyze, unit):
    name = os.path.basename(unit)
    binary = exec_start(unit)
    if binary is None:
        return ['verify: %s has no ExecStart=' % unit]
    tolerated = None
    if not os.access(binary, os.X_OK):
        tolerated = '%s: Command %s is not executable: No such file or directory' % (name, binary)
        print('verify: %s is not installed; its "not executable" error is tolerated' % binary)
    proc = run([analyze, 'verify', '--man=no', unit])
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    failures = ['verify: ' + line for line in lines if line != tolerated]
    if proc.returncode != 0 and not (tolerated is not None and tolerated in lines):
        failures.append('verify: systemd-analyze exited %d' % proc.returncode)
    if not failures:
        print('verify: no complaints about %s' % name)
    return failures


def main():
    if len(sys.argv) != 2:
        print('usage: test_systemd.py UNIT_FILE', file=sys.stderr)
        return 2
    unit = sys.argv[1]
    analyze = shutil.which('systemd-analyze')
    if analyze is None:
        print('SKIP: systemd-analyze not found')
        return SKIP
    version = systemd_version(analyze)
    if version < 250:
        print('SKIP: systemd %d has no systemd-analyze security --offline' % version)
        return SKIP
    failures = check_security(analyze, unit) + check_verify(analyze, unit)
    for failure in failures:
        print('FAIL: ' + failure)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
