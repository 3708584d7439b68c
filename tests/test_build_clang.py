#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The whole tree builds with clang too, warning-free.

Usage: test_build_clang.py SOURCE_ROOT

The suite's own build uses the default compiler (gcc on Debian); this test
sets up a second build in a temporary directory with CC=clang and --werror,
tests and fuzz targets included (with clang, -Dfuzzing=auto also builds the
libFuzzer targets), and compiles it: any clang warning fails. Nothing is
run. buildtype=plain keeps it cheap (about half a minute on 2 cores).
IGW_KEEP_TMP=1 keeps the directory. Output is TAP; without clang the plan
is "1..0 # SKIP" (meson: skipped).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def run(argv, **kwargs):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def result(number, ok, name, detail=''):
    print('%s %d - %s' % ('ok' if ok else 'not ok', number, name))
    if not ok:
        lines = detail.splitlines()
        # the diagnostics first: a compile log ends with ninja's summary
        shown = [line for line in lines if re.search(r'(warning|error):', line)] or lines
        for line in shown[-40:]:
            print('#   ' + line)
    sys.stdout.flush()
    return ok


def main():
    if len(sys.argv) != 2:
        print('usage: test_build_clang.py SOURCE_ROOT', file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    meson = shutil.which('meson')
    clang = shutil.which('clang')
    if clang is None:
        print('1..0 # SKIP clang is not installed (tools/install-deps installs it)')
        return 0
    print('1..2')
    print('# %s' % run([clang, '--version']).stdout.splitlines()[0])
    if meson is None:
        print('# meson is missing')
        return 1
    tmp = tempfile.mkdtemp(prefix='igw-clang-')
    build = os.path.join(tmp, 'build')
    env = dict(os.environ, CC=clang)
    env.pop('CFLAGS', None)
    try:
        proc = run([meson, 'setup', build, root, '--werror', '-Dtests=true', '-Dbuildtype=plain'], env=env)
        uses_clang = re.search(r'C compiler for the host machine: \S*clang', proc.stdout) is not None
        if not result(1, proc.returncode == 0 and uses_clang,
                      'meson setup --werror with CC=clang', proc.stdout):
            return 1
        proc = run([meson, 'compile', '-C', build], env=env)
        if not result(2, proc.returncode == 0, 'meson compile: no clang warning', proc.stdout):
            return 1
        return 0
    finally:
        if os.environ.get('IGW_KEEP_TMP'):
            print('# kept %s' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
