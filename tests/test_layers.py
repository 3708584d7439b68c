#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The layers of src/ as folders: each includes only what is below it.

Usage: test_layers.py SOURCE_ROOT

Reads every #include "..." of src/*/ and plugins/*/ and checks them against
the layering of the README's Layout section: sdk knows nothing else; core
knows sdk; xmpp knows sdk; protocol knows sdk, core and, of xmpp, only the
transport interface; dbus knows sdk and core; ctl knows only the error
domain; daemon wires everything. Plugins see only the public SDK headers.
Output is TAP.
"""
import re
import sys
from pathlib import Path

ALLOWED = {
    'sdk': {'sdk'},
    'core': {'sdk', 'core'},
    'xmpp': {'sdk', 'xmpp'},
    'protocol': {'sdk', 'core', 'xmpp', 'protocol'},
    'dbus': {'sdk', 'core', 'dbus'},
    'ctl': {'sdk', 'ctl'},
    'daemon': {'sdk', 'core', 'xmpp', 'protocol', 'dbus', 'daemon'},
}
# the one header of a lower layer a layer may see, where it may not see all
ONLY = {
    ('protocol', 'xmpp'): {'igw-transport.h'},
    ('ctl', 'sdk'): {'igw-error.h', 'igw-error-private.h'},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+[<"]([^">]+)[">]', re.M)


def main():
    root = Path(sys.argv[1])
    src = root / 'src'
    owner = {}
    for layer in ALLOWED:
        for path in (src / layer).iterdir():
            owner[path.name] = layer
    sdk_public = {p.name for p in (src / 'sdk').glob('*.h') if not p.name.endswith('-private.h')}
    problems = {layer: [] for layer in ALLOWED}
    problems['plugins'] = []

    for layer in ALLOWED:
        for path in sorted((src / layer).glob('*.[ch]')):
            for header in INCLUDE.findall(path.read_text()):
                target = owner.get(Path(header).name)
                if target is None or target == layer:
                    continue
                only = ONLY.get((layer, target))
                if target not in ALLOWED[layer] or (only is not None and header not in only):
                    problems[layer].append(f'{path.relative_to(root)} includes {target}/{header}')

    for path in sorted((root / 'plugins').glob('*/*.[ch]')):
        for header in INCLUDE.findall(path.read_text()):
            if owner.get(Path(header).name) is not None and header not in sdk_public:
                problems['plugins'].append(f'{path.relative_to(root)} includes {header}')

    print(f'1..{len(problems)}')
    failed = 0
    for number, (layer, found) in enumerate(problems.items(), 1):
        print(f"{'not ok' if found else 'ok'} {number} - {layer} includes only what is below it")
        for line in found:
            print(f'#   {line}')
        failed += bool(found)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
