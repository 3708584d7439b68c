#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin boundary: what iotgwd exports is what the installed headers declare.

Usage: test_sdk_symbols.py IOTGWD MAP HEADER...

HEADER are the SDK headers that meson installs. Checks, with nm -D, that
iotgwd exports no symbol that these headers do not declare (core-only calls
stay local), that every declared function is in the version map MAP and
exported under the map's version node, and that the map's newest node is the
ABI that iotgw-plugin.h announces. Output is TAP.
"""
import os
import re
import shutil
import subprocess
import sys


class Tap:
    def __init__(self):
        self.number = 0
        self.failed = 0

    def result(self, ok, name, detail=()):
        self.number += 1
        print('%s %d - %s' % ('ok' if ok else 'not ok', self.number, name))
        if not ok:
            self.failed += 1
            for line in list(detail)[:40]:
                print('#   %s' % line)
        sys.stdout.flush()
        return ok


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    # macro bodies mention functions without declaring them
    return re.sub(r'^#.*?(?<!\\)$', '', text, flags=re.M | re.S)


def header_declarations(paths):
    """function name -> header, for every prototype and G_DECLARE_*_TYPE"""
    names = {}
    for path in paths:
        with open(path, encoding='utf-8') as f:
            text = strip_comments(f.read())
        for name in re.findall(r'^(igw_\w+)\s*\(', text, re.M):
            names[name] = os.path.basename(path)
        for prefix in re.findall(r'G_DECLARE_\w+_TYPE\s*\(\s*\w+\s*,\s*(\w+)\s*,', text):
            names[prefix + '_get_type'] = os.path.basename(path)
    return names


def map_nodes(path):
    """[(node, [names])] in file order"""
    with open(path, encoding='utf-8') as f:
        text = strip_comments(f.read())
    nodes = []
    for node, body in re.findall(r'(IOTGW_PLUGIN_[\d.]+)\s*\{(.*?)\}', text, re.S):
        body = re.sub(r'local\s*:.*', '', body, flags=re.S)
        body = body.replace('global:', '')
        nodes.append((node, re.findall(r'(\w+)\s*;', body)))
    return nodes


def abi_version(headers):
    for path in headers:
        with open(path, encoding='utf-8') as f:
            text = f.read()
        major = re.search(r'#define IGW_PLUGIN_ABI_MAJOR (\d+)', text)
        minor = re.search(r'#define IGW_PLUGIN_ABI_MINOR (\d+)', text)
        if major and minor:
            return int(major.group(1)), int(minor.group(1))
    return None


def exported(iotgwd):
    """symbol -> version node, for every defined dynamic symbol of iotgwd's own"""
    out = subprocess.run([shutil.which('nm') or 'nm', '-D', '--defined-only', iotgwd],
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    symbols = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        name, _, version = fields[2].partition('@')
        version = version.lstrip('@')
        if fields[1] == 'A' and name.startswith('IOTGW_PLUGIN_'):
            continue
        # a copy relocation of a library's data (stderr@GLIBC_2.2.5) is not ours
        if version and not version.startswith('IOTGW_PLUGIN_'):
            continue
        symbols[name] = version
    return symbols


def main():
    if len(sys.argv) < 4:
        print('usage: test_sdk_symbols.py IOTGWD MAP HEADER...', file=sys.stderr)
        return 2
    iotgwd, map_path, headers = sys.argv[1], sys.argv[2], sys.argv[3:]
    tap = Tap()
    print('1..5')
    declared = header_declarations(headers)
    nodes = map_nodes(map_path)
    in_map = {name: node for node, names in nodes for name in names}
    symbols = exported(iotgwd)
    print('# %d functions declared in %d installed headers, %d in the map, iotgwd exports %d symbols'
          % (len(declared), len(headers), len(in_map), len(symbols)))

    extra = sorted(set(symbols) - set(declared))
    tap.result(not extra, 'iotgwd exports only what the installed headers declare',
               ['exported, not in an installed header: %s' % name for name in extra])

    missing = sorted(set(declared) - set(in_map))
    tap.result(not missing, 'every public declaration is in %s' % os.path.basename(map_path),
               ['%s (%s) is not in the map' % (name, declared[name]) for name in missing])

    stale = sorted(set(in_map) - set(declared))
    tap.result(not stale, 'the map names nothing the installed headers do not declare',
               ['%s is in the map but not in an installed header' % name for name in stale])

    wrong = ['%s: exported as %r, the map says %s' % (name, symbols.get(name), node)
             for name, node in sorted(in_map.items()) if symbols.get(name) != node]
    tap.result(not wrong, 'iotgwd exports every map symbol under its version node', wrong)

    abi = abi_version(headers)
    want = ['IOTGW_PLUGIN_%d.%d' % (abi[0], minor) for minor in range(abi[1] + 1)] if abi else []
    got = [node for node, _ in nodes]
    tap.result(got == want, 'the map has one node per ABI minor up to IGW_PLUGIN_ABI %s' %
               ('%d.%d' % abi if abi else '?'), ['nodes %s, expected %s' % (got, want)])
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
