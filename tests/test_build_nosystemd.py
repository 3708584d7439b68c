#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The OpenWrt build: iotgwd configured and built without libsystemd.

Usage: test_build_nosystemd.py SOURCE_ROOT

Sets up a build in a temporary directory with the options openwrt/Makefile
passes (-Dsystemd=disabled -Dtests=false -Dbuiltin_plugins=true), builds
it, and checks that iotgwd runs (--version), does not link libsystemd
(readelf NEEDED), and accepts the translated OpenWrt sample configuration
(--check-config). buildtype=plain (no optimisation, no debug info) keeps
the compile cheap. IGW_KEEP_TMP=1 keeps the directory. Output is TAP.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def run(argv, **kwargs):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


class Tap:
    def __init__(self):
        self.number = 0
        self.failed = 0

    def result(self, ok, name, detail=''):
        self.number += 1
        print('%s %d - %s' % ('ok' if ok else 'not ok', self.number, name))
        if not ok:
            self.failed += 1
            for line in detail.splitlines()[-40:]:
                print('#   ' + line)
        sys.stdout.flush()
        return ok


def main():
    if len(sys.argv) != 2:
        print('usage: test_build_nosystemd.py SOURCE_ROOT', file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    meson = shutil.which('meson')
    readelf = shutil.which('readelf')
    tap = Tap()
    print('1..6')
    if meson is None or readelf is None:
        print('# meson or readelf is missing')
        return 1
    tmp = tempfile.mkdtemp(prefix='igw-nosystemd-')
    build = os.path.join(tmp, 'build')
    iotgwd = os.path.join(build, 'src', 'iotgwd')
    try:
        proc = run([meson, 'setup', build, root, '-Dsystemd=disabled', '-Dtests=false',
                    '-Dbuiltin_plugins=true', '-Dbuildtype=plain'])
        if not tap.result(proc.returncode == 0, 'meson setup -Dsystemd=disabled -Dtests=false', proc.stdout):
            return 1
        proc = run([meson, 'compile', '-C', build])
        if not tap.result(proc.returncode == 0 and os.access(iotgwd, os.X_OK), 'meson compile', proc.stdout):
            return 1

        proc = run([iotgwd, '--version'])
        tap.result(proc.returncode == 0 and re.fullmatch(r'iotgwd \S+\n', proc.stdout) is not None,
                   'iotgwd --version runs: %s' % proc.stdout.strip(), proc.stdout)

        proc = run([readelf, '-d', '-W', iotgwd])
        needed = re.findall(r'\(NEEDED\)\s+Shared library: \[([^\]]+)\]', proc.stdout)
        print('# NEEDED: %s' % ' '.join(needed))
        tap.result(proc.returncode == 0 and needed and not any('libsystemd' in lib for lib in needed),
                   'iotgwd does not link libsystemd', proc.stdout)

        with open(os.path.join(build, 'config.h'), encoding='utf-8') as f:
            config_h = f.read()
        unit = os.path.join(build, 'systemd', 'iotgwd.service')
        tap.result('#define HAVE_SYSTEMD 0' in config_h and not os.path.exists(unit),
                   'HAVE_SYSTEMD is 0 and no unit file is rendered', config_h)

        conf = os.path.join(tmp, 'iotgwd.conf')
        proc = run(['sh', os.path.join(root, 'openwrt', 'files', 'uci2conf'),
                    os.path.join(root, 'openwrt', 'files', 'iotgw.config'), conf])
        if proc.returncode == 0:
            proc = run([iotgwd, '--check-config', '--config', conf], timeout=30)
        tap.result(proc.returncode == 0 and proc.stdout == '',
                   'this build accepts the translated OpenWrt sample (--check-config)', proc.stdout)
        return 1 if tap.failed else 0
    finally:
        if os.environ.get('IGW_KEEP_TMP'):
            print('# kept %s' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
