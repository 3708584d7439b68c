#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""codespell over the whole source tree, code and docs.

Usage: test_codespell.py SOURCE_ROOT

Runs codespell at the top of the tree, where it reads .codespellrc: the
folders it skips (fuzz corpora, test databases, build directories) and the
words that are right here (SenML's "bu", XEP-0326's "nd", ...). A real
typo fails the test; a word that is right but flagged goes into
ignore-words-list there. Exit 77 (meson: skipped) without codespell.
"""
import shutil
import subprocess
import sys


def main():
    if len(sys.argv) != 2:
        print('usage: test_codespell.py SOURCE_ROOT', file=sys.stderr)
        return 2
    codespell = shutil.which('codespell')
    if codespell is None:
        print('codespell is not installed (tools/install-deps installs it)')
        return 77
    version = subprocess.run([codespell, '--version'], stdout=subprocess.PIPE, text=True).stdout.strip()
    print('codespell %s' % version)
    sys.stdout.flush()
    proc = subprocess.run([codespell], cwd=sys.argv[1])
    if proc.returncode != 0:
        print('codespell found typos (above); fix them, or add a right word to .codespellrc')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
