#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""shellcheck over every shell script of the project, one TAP line each.

Usage: test_shellcheck.py SOURCE_ROOT

The OpenWrt files are POSIX sh (busybox ash): the init script says so with
"# shellcheck shell=sh", uci2conf by its #!/bin/sh. The bash completion has
no #! line and is checked as bash. Any finding fails; a script that needs
an exception says why in a "# shellcheck disable=..." comment of its own.
Without shellcheck the TAP plan is "1..0 # SKIP" (meson: skipped).
"""
import glob
import os
import shutil
import subprocess
import sys


def scripts(root):
    """(path relative to root, extra shellcheck arguments)"""
    found = [('openwrt/files/iotgwd.init', []), ('openwrt/files/uci2conf', []), ('.ci/run', [])]
    found += [(os.path.relpath(path, root), []) for path in sorted(glob.glob(os.path.join(root, 'tools', '*')))
              if os.path.isfile(path)]
    if os.path.isfile(os.path.join(root, 'data', 'completion', 'iotgwctl')):
        found.append(('data/completion/iotgwctl', ['--shell=bash']))
    return found


def main():
    if len(sys.argv) != 2:
        print('usage: test_shellcheck.py SOURCE_ROOT', file=sys.stderr)
        return 2
    root = sys.argv[1]
    shellcheck = shutil.which('shellcheck')
    if shellcheck is None:
        print('1..0 # SKIP shellcheck is not installed (tools/install-deps installs it)')
        return 0
    version = subprocess.run([shellcheck, '--version'], stdout=subprocess.PIPE, text=True).stdout.split()
    files = scripts(root)
    print('1..%d' % len(files))
    print('# shellcheck %s' % (version[version.index('version:') + 1] if 'version:' in version else '?'))
    failed = 0
    for number, (path, extra) in enumerate(files, 1):
        proc = subprocess.run([shellcheck, '--color=never'] + extra + [path], cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode == 0:
            print('ok %d - %s' % (number, path))
            continue
        failed += 1
        print('not ok %d - %s' % (number, path))
        for line in proc.stdout.splitlines():
            print('#   ' + line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
