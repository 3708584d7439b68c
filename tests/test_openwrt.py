#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""openwrt/files/uci2conf: UCI in, iotgwd.conf(5) out, checked by the daemon.

Environment (tests/meson.build sets it): IOTGWD, KEYFILE_GET (tests/keyfile-get.c,
which prints a value as GKeyFile reads it), IGW_SOURCE_ROOT.

Every translation runs under each shell and awk found here: sh with the
system awk, and mawk, gawk and busybox (sh and awk, as on OpenWrt) when
installed; all must give the same bytes. Output is TAP.
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

ROOT = os.environ.get('IGW_SOURCE_ROOT', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
UCI2CONF = os.path.join(ROOT, 'openwrt', 'files', 'uci2conf')
SAMPLE = os.path.join(ROOT, 'openwrt', 'files', 'iotgw.config')
TRICKY = os.path.join(ROOT, 'tests', 'fixtures', 'uci', 'tricky.uci')
TRICKY_CONF = os.path.join(ROOT, 'tests', 'fixtures', 'uci', 'tricky.conf')
IOTGWD = os.environ.get('IOTGWD')
KEYFILE_GET = os.environ.get('KEYFILE_GET')

TMP = tempfile.mkdtemp(prefix='igw-openwrt-')
cases = []


def runners():
    """(label, argv prefix, env) for every shell and awk pair available"""
    found = [('sh+awk', ['sh'], None)]
    for awk in ('mawk', 'gawk'):
        path = shutil.which(awk)
        if path:
            found.append(('sh+' + awk, ['sh'], path))
    busybox = shutil.which('busybox')
    if busybox and subprocess.run([busybox, 'awk', 'BEGIN{}'], stderr=subprocess.DEVNULL).returncode == 0:
        found.append(('busybox', [busybox, 'sh'], busybox))
    out = []
    for label, shell, awk in found:
        env = dict(os.environ)
        if awk:
            bindir = os.path.join(TMP, 'bin-' + label)
            os.makedirs(bindir, exist_ok=True)
            link = os.path.join(bindir, 'awk')
            if not os.path.lexists(link):
                os.symlink(awk, link)
            env['PATH'] = bindir + os.pathsep + env['PATH']
        out.append((label, shell, env))
    return out


RUNNERS = runners()


def uci2conf(*args, runner=None):
    label, shell, env = runner or RUNNERS[0]
    return subprocess.run(shell + [UCI2CONF] + list(args), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)


def translate_all(path):
    """stdout of every runner; fails unless all succeed with the same bytes"""
    outputs = {}
    for runner in RUNNERS:
        proc = uci2conf(path, runner=runner)
        if proc.returncode != 0:
            raise AssertionError('%s: exit %d: %s' % (runner[0], proc.returncode, proc.stderr.decode()))
        outputs[runner[0]] = proc.stdout
    first = RUNNERS[0][0]
    for label, data in outputs.items():
        if data != outputs[first]:
            raise AssertionError('%s and %s translate %s differently' % (first, label, path))
    return outputs[first]


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def check_config(path):
    proc = subprocess.run([IOTGWD, '--check-config', '--config', path], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=30)
    if proc.returncode != 0 or proc.stdout or proc.stderr:
        raise AssertionError('iotgwd --check-config %s: exit %d: %s%s'
                             % (path, proc.returncode, proc.stdout.decode(), proc.stderr.decode()))


def keyfile_get(path, group, key, as_list=False):
    proc = subprocess.run([KEYFILE_GET, path, group, key] + (['--list'] if as_list else []),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise AssertionError(proc.stderr.decode())
    if as_list:
        return [item.decode() for item in proc.stdout.split(b'\0')[:-1]]
    return proc.stdout.decode()


def case(function):
    cases.append(function)
    return function


def expect(actual, expected, what):
    if actual != expected:
        raise AssertionError('%s: expected %r, got %r' % (what, expected, actual))


@case
def sample_passes_check_config():
    data = translate_all(SAMPLE)
    path = write('sample.conf', data)
    check_config(path)
    lines = data.decode().splitlines()
    for line in ('[xmpp]', 'domain=example.org', 'register=false', '[gateway]',
                 'owners=alice@example.org', '[history]', '[thing sim:kitchen]', 'type=thermometer'):
        if line not in lines:
            raise AssertionError('%r missing from the translated sample' % line)
    # the lamp is switched off (enabled '0'); the daemon section is the init script's
    for absent in ('[thing sim:lamp]', '[daemon]', 'state_dir=/var/lib/iotgw', 'enabled=0'):
        if absent in lines:
            raise AssertionError('%r should not be in the translated sample' % absent)


@case
def tricky_matches_expected_lines():
    data = translate_all(TRICKY).decode()
    with open(TRICKY_CONF, encoding='utf-8') as f:
        expected = f.read()
    # the first line is a comment that names the input file
    expect(data.split('\n', 1)[1], expected.split('\n', 1)[1], 'translation of tricky.uci')
    if not data.startswith('# Generated by uci2conf from %s;' % TRICKY):
        raise AssertionError('header line: %r' % data.split('\n', 1)[0])


@case
def tricky_passes_check_config():
    check_config(write('tricky.conf', translate_all(TRICKY)))


@case
def tricky_values_round_trip_through_gkeyfile():
    path = write('tricky-rt.conf', translate_all(TRICKY))
    expect(keyfile_get(path, 'gateway', 'password'), 'back\\slash "double" it\'s; semi # no comment',
           'gateway password (single quotes, backslash, quote splicing)')
    expect(keyfile_get(path, 'gateway', 'owners', True),
           ['alice@example.org', 'bob@example.org', 'carol@example.org'], 'list owner -> owners')
    expect(keyfile_get(path, 'gateway', 'disabled_plugins', True), ['none;really'],
           "';' inside a list item")
    expect(keyfile_get(path, 'xmpp', 'resource'), 'gw-one', 'adjacent quoted parts')
    expect(keyfile_get(path, 'xmpp', 'tls'), 'required', "tls '1'")
    expect(keyfile_get(path, 'xmpp', 'register'), 'true', "register 'yes'")
    expect(keyfile_get(path, 'xmpp', 'max_sessions'), '100', "';' between statements")
    expect(keyfile_get(path, 'history', 'max_rows'), '1000', 'backslash-newline continuation')
    expect(keyfile_get(path, 'thing sim:kitchen', 'name'), '  Kitchen  corner  ',
           'leading and trailing spaces')
    expect(keyfile_get(path, 'thing sim:kitchen', 'owners', True), ['dave@example.org'], 'thing owners')
    expect(keyfile_get(path, 'thing sim:lamp#1', 'name'), 'Lamp "big" \\ light',
           'double-quote escapes')
    expect(keyfile_get(path, 'thing sim:lamp#1', 'password'), 'tab\tinside\nand a second line',
           'tab and newline in a multi-line value')


BASE = "config xmpp 'xmpp'\n\toption domain 'example.org'\nconfig gateway 'gateway'\n\tlist owner 'alice@example.org'\n"


def translated_lines(name, text):
    """the translation of BASE + text by every runner, checked by iotgwd; (path, lines after the header)"""
    path = write(name + '.conf', translate_all(write('iotgw', BASE + text)))
    check_config(path)
    with open(path, encoding='utf-8') as f:
        return path, f.read().split('\n', 1)[1]


def expect_group(data, header, lines):
    """the group [header] of data holds exactly lines, in that order"""
    blocks = {block.split('\n', 1)[0]: block.split('\n')[1:] for block in data.strip('\n').split('\n\n')}
    expect(blocks.get(header), lines, header)


@case
def sample_examples_pass_check_config():
    # switch on the commented pubsub options and the peer and room examples
    out = []
    in_pubsub = False
    with open(SAMPLE, encoding='utf-8') as f:
        for line in f.read().split('\n'):
            if line.startswith('config '):
                in_pubsub = line.startswith('config pubsub')
            if line.startswith('#config ') or line.startswith('#\t'):
                line = line[1:]
            elif in_pubsub and (line.startswith('\t#option ') or line.startswith('\t#list ')):
                line = '\t' + line[2:]
            out.append(line)
    path = write('sample-examples.conf', translate_all(write('iotgw', '\n'.join(out))))
    check_config(path)
    data = open(path, encoding='utf-8').read().split('\n', 1)[1]
    expect_group(data, '[pubsub]', ['enabled=true', 'access_model=roster', 'persist_items=true',
                                    'sensordata=false', 'deadband=0.1', 'deadband.temperature=0.2',
                                    'min_interval=5', 'min_interval.humidity=30'])
    expect_group(data, '[peer bob@example.org]', ['profile=smack'])
    expect_group(data, '[room sensors@conference.example.org]',
                 ['topics=temperature;humid*', 'threshold=0.2'])


@case
def pubsub_translates():
    path, data = translated_lines('pubsub', """
config pubsub
	option enabled 'yes'
	option access_model 'whitelist'
	option persist_items 'off'
	option sensordata '1'
	list deadband 'temperature=0.2'
	list deadband "humidity=1.5"
	option min_interval '10'
	list min_interval 'humidity=30'
	list min_interval 'battery=3600'
""")
    expect_group(data, '[pubsub]', ['enabled=true', 'access_model=whitelist', 'persist_items=false',
                                    'sensordata=true', 'deadband.temperature=0.2', 'deadband.humidity=1.5',
                                    'min_interval=10', 'min_interval.humidity=30',
                                    'min_interval.battery=3600'])
    expect(keyfile_get(path, 'pubsub', 'deadband.humidity'), '1.5', 'deadband.humidity')
    expect(keyfile_get(path, 'pubsub', 'min_interval'), '10', "option then list: the option is the global value")
    # pubsub comes after the one-section groups whatever the order in the file
    order = [line for line in data.split('\n') if line.startswith('[')]
    expect(order, ['[xmpp]', '[gateway]', '[pubsub]'], 'group order')


@case
def pubsub_off_and_global_only():
    _, data = translated_lines('pubsub-off', """
config pubsub 'pubsub'
	option enabled 'disabled'
	option deadband '0.5'
	option min_interval '0'
""")
    expect_group(data, '[pubsub]', ['enabled=false', 'deadband=0.5', 'min_interval=0'])


@case
def room_translates():
    path, data = translated_lines('room', """
config room 'sensors'
	option jid 'sensors@conference.example.org'
	list topic 'temperature'
	list topic 'humid*'
	option threshold '0.2'
	option min_interval '30'
	option password ' se;cret\\ "room" '

config room
	option jid 'Lab@Conference.example.org'
	option topics 'battery;on'

config room 'off'
	option enabled '0'
	option jid 'sensors@conference.example.org'
	option bogus 'left out with the room'
""")
    expect_group(data, '[room sensors@conference.example.org]',
                 ['topics=temperature;humid*', 'threshold=0.2', 'min_interval=30',
                  'password=\\sse;cret\\\\ "room"\\s'])
    expect_group(data, '[room Lab@Conference.example.org]', ['topics=battery;on'])
    expect(keyfile_get(path, 'room sensors@conference.example.org', 'topics', True),
           ['temperature', 'humid*'], 'list topic -> topics')
    expect(keyfile_get(path, 'room sensors@conference.example.org', 'password'), ' se;cret\\ "room" ',
           'room password')


@case
def peer_translates():
    _, data = translated_lines('peer', """
config peer 'bob'
	option jid 'bob@example.org'
	option profile 'smack'
config peer
	option jid 'carol@example.org'
	option profile xsf
config peer
	option enabled 'no'
	option jid 'dave@example.org'
	option profile 'unknown'
""")
    expect_group(data, '[peer bob@example.org]', ['profile=smack'])
    expect_group(data, '[peer carol@example.org]', ['profile=xsf'])
    if '[peer dave@example.org]' in data:
        raise AssertionError('a peer with enabled no should be left out: %r' % data)


@case
def crlf_file_reads_like_lf():
    with open(TRICKY, 'rb') as f:
        lf = f.read()
    crlf = write('iotgw', lf.replace(b'\n', b'\r\n'))
    plain = write('iotgw-lf', lf)
    out_crlf = translate_all(crlf).split(b'\n', 1)[1]
    out_lf = translate_all(plain).split(b'\n', 1)[1]
    # a CR before the newline ends unquoted words; inside quotes it is kept,
    # as libuci keeps it, and is written escaped
    expect(out_crlf.replace(b'\\r', b''), out_lf, 'CRLF translation')


@case
def output_file_is_private_and_replaced_only_on_success():
    out = os.path.join(TMP, 'out.conf')
    proc = uci2conf(SAMPLE, out)
    expect(proc.returncode, 0, 'exit status')
    expect(proc.stdout, b'', 'stdout with OUTPUT given')
    expect(stat.S_IMODE(os.stat(out).st_mode), 0o600, 'mode of OUTPUT')
    with open(out, 'rb') as f:
        good = f.read()
    bad = write('iotgw', "config bogus 'x'\n")
    proc = uci2conf(bad, out)
    expect(proc.returncode, 1, 'exit status on a bad file')
    with open(out, 'rb') as f:
        expect(f.read(), good, 'OUTPUT after a failed translation')
    leftovers = [name for name in os.listdir(TMP) if name.startswith('out.conf.tmp')]
    expect(leftovers, [], 'temporary files left behind')


@case
def empty_value_unsets_option():
    path = write('iotgw', "config xmpp\n\toption domain 'example.org'\n\toption host 'x'\n\toption host ''\n")
    data = translate_all(path).decode()
    if 'host=' in data:
        raise AssertionError("option host '' should unset host: %r" % data)


@case
def usage_errors():
    expect(uci2conf('a', 'b', 'c').returncode, 2, 'three arguments')
    expect(uci2conf(os.path.join(TMP, 'missing')).returncode, 1, 'missing input')


# (name, UCI text, words the message must hold); the file is named iotgw as on OpenWrt
REFUSED = [
    ('unknown_type', "config xmpp 'xmpp'\n\toption domain 'example.org'\nconfig bogus 'extra'\n\toption a 'b'\n",
     [':3:', 'iotgw.extra (bogus)', "unknown section type 'bogus'"]),
    ('id_newline', "config thing\n\toption id 'sim:kit\nchen'\n",
     [':2:', 'iotgw.@thing[0] (thing)', "option 'id'", 'newline']),
    ('id_bracket', "config thing 'a'\n\toption id 'sim:[a]'\n",
     ['iotgw.a (thing)', "option 'id'", "'['"]),
    ('plugin_name_tab', "config plugin\n\toption name 'si\tm'\n",
     ['iotgw.@plugin[0] (plugin)', "option 'name'", 'control character']),
    ('id_missing', "config thing 'k'\n\toption name 'Kitchen'\n",
     ['iotgw.k (thing)', "option 'id' is missing"]),
    ('id_twice', "config thing 'a'\n\toption id 'sim:x'\nconfig thing 'b'\n\toption id 'sim:x'\n",
     ['iotgw.b (thing)', "option 'id'", 'configured twice', 'iotgw.a']),
    ('xmpp_twice', "config xmpp\n\toption domain 'a.org'\nconfig xmpp\n\toption domain 'b.org'\n",
     ['iotgw.@xmpp[1] (xmpp)', 'second xmpp section', 'iotgw.@xmpp[0]']),
    ('register_not_bool', "config xmpp\n\toption register 'maybe'\n",
     ['iotgw.@xmpp[0] (xmpp)', "option 'register'", 'boolean', "'maybe'"]),
    ('enabled_not_bool', "config thing 't'\n\toption enabled 'perhaps'\n\toption id 'sim:t'\n",
     ['iotgw.t (thing)', "option 'enabled'", 'boolean']),
    ('id_list', "config thing 't'\n\tlist id 'sim:a'\n\tlist id 'sim:b'\n",
     ['iotgw.t (thing)', "option 'id'", 'list of 2']),
    ('owner_and_owners', "config gateway\n\tlist owner 'a@b.org'\n\toption owners 'c@d.org'\n",
     ["option 'owner'", "both 'owner' and 'owners'"]),
    ('single_quote_open', "config xmpp\n\toption domain 'example.org\n", [':2:', 'single-quoted value is not closed']),
    ('double_quote_open', "config xmpp\n\toption domain \"example.org\n", [':2:', 'double-quoted value is not closed']),
    ('too_many_words', "config xmpp\n\toption domain example org\n", [':2:', 'too many arguments']),
    ('invalid_command', "config xmpp\n\tset domain 'x'\n", [':2:', "invalid command 'set'"]),
    ('option_first', "option domain 'x'\n", [':1:', 'before the first config section']),
    ('bad_option_name', "config xmpp\n\toption do-main 'x'\n", [':2:', "invalid character in option name 'do-main'"]),
    ('bad_type', "config x-y\n", [':1:', "invalid character in section type 'x-y'"]),
    ('name_two_types', "config xmpp 'a'\nconfig thing 'a'\n", [':2:', "section 'a' (thing) was declared xmpp on line 1"]),
    ('pubsub_twice', "config pubsub\n\toption enabled '1'\nconfig pubsub 'p'\n",
     [':3:', 'iotgw.p (pubsub)', 'second pubsub section', 'iotgw.@pubsub[0]']),
    ('pubsub_not_bool', "config pubsub\n\toption sensordata 'maybe'\n",
     [':2:', 'iotgw.@pubsub[0] (pubsub)', "option 'sensordata'", 'boolean', "'maybe'"]),
    ('deadband_no_field', "config pubsub\n\tlist deadband '=0.2'\n",
     ["option 'deadband'", 'expected FIELD=VALUE', "'=0.2'"]),
    ('deadband_no_value', "config pubsub\n\tlist deadband 'temperature='\n",
     ["option 'deadband'", 'expected FIELD=VALUE', "'temperature='"]),
    ('deadband_field_space', "config pubsub\n\tlist deadband 'temperature = 0.2'\n",
     ["option 'deadband'", "field name 'temperature '", 'spaces']),
    ('min_interval_field_bracket', "config pubsub\n\tlist min_interval 'a]b=3'\n",
     ["option 'min_interval'", "field name 'a]b'", "']'"]),
    ('min_interval_field_twice',
     "config pubsub\n\tlist min_interval 'humidity=30'\n\tlist min_interval 'humidity=60'\n",
     [':3:', "option 'min_interval'", "field 'humidity' is given twice"]),
    ('deadband_two_globals', "config pubsub\n\tlist deadband '0.1'\n\tlist deadband '0.2'\n",
     ["option 'deadband'", 'more than one value without FIELD=']),
    ('room_jid_bracket', "config room 'r'\n\toption jid 'sensors]@conference.example.org'\n\tlist topic 't'\n",
     [':2:', 'iotgw.r (room)', "option 'jid'", "']'"]),
    ('room_jid_open_bracket', "config room\n\toption jid '[sensors@conference.example.org'\n",
     ['iotgw.@room[0] (room)', "option 'jid'", "'['"]),
    ('room_jid_newline', "config room 'r'\n\toption jid 'a@b\n.org'\n", ['iotgw.r (room)', 'newline']),
    ('room_jid_missing', "config room 'r'\n\tlist topic 'temperature'\n",
     [':1:', 'iotgw.r (room)', "option 'jid' is missing", '[room JID]']),
    ('room_twice', "config room 'a'\n\toption jid 'S@conference.example.org'\n"
     "config room 'b'\n\toption jid 's@Conference.example.org'\n",
     [':4:', 'iotgw.b (room)', "option 'jid'", 'configured twice', 'iotgw.a']),
    ('room_topic_semicolon', "config room 'r'\n\toption jid 'r@c.example.org'\n\tlist topic 'a;b'\n",
     [':3:', "option 'topic'", "'a;b'", "';'"]),
    ('room_topic_and_topics',
     "config room 'r'\n\toption jid 'r@c.example.org'\n\tlist topic 'a'\n\toption topics 'b'\n",
     ["both 'topic' and 'topics'"]),
    ('room_enabled_not_bool', "config room 'r'\n\toption enabled 'perhaps'\n\toption jid 'r@c.example.org'\n",
     ['iotgw.r (room)', "option 'enabled'", 'boolean']),
    ('room_jid_list', "config room 'r'\n\tlist jid 'a@c.org'\n\tlist jid 'b@c.org'\n",
     ["option 'jid'", 'list of 2']),
    ('peer_jid_missing', "config peer 'p'\n\toption profile 'smack'\n",
     ['iotgw.p (peer)', "option 'jid' is missing", '[peer JID]']),
    ('peer_jid_bracket', "config peer 'p'\n\toption jid 'bob@example.org]'\n\toption profile 'xsf'\n",
     ['iotgw.p (peer)', "option 'jid'", "']'"]),
    ('peer_twice', "config peer\n\toption jid 'bob@example.org'\nconfig peer\n\toption jid 'Bob@Example.org'\n",
     ['iotgw.@peer[1] (peer)', 'configured twice', 'iotgw.@peer[0]']),
]


def refused(name, text, words):
    def check():
        path = write('iotgw', text)
        for runner in RUNNERS:
            proc = uci2conf(path, runner=runner)
            message = proc.stderr.decode()
            expect(proc.returncode, 1, '%s: exit status' % runner[0])
            expect(proc.stdout, b'', '%s: stdout' % runner[0])
            if message.count('\n') != 1 or not message.startswith('uci2conf: %s:' % path):
                raise AssertionError('%s: expected one line naming the file, got %r' % (runner[0], message))
            for word in words:
                if word not in message:
                    raise AssertionError('%s: %r not in %r' % (runner[0], word, message))
    check.__name__ = 'refused_' + name
    return check


for refused_name, refused_text, refused_words in REFUSED:
    case(refused(refused_name, refused_text, refused_words))


def main():
    print('1..%d' % len(cases))
    print('# runners: %s' % ', '.join(runner[0] for runner in RUNNERS))
    failed = 0
    for number, function in enumerate(cases, 1):
        try:
            function()
            print('ok %d - %s' % (number, function.__name__))
        except Exception as error:  # noqa: BLE001 - every failure is reported the same way
            failed += 1
            print('not ok %d - %s' % (number, function.__name__))
            for line in str(error).splitlines():
                print('#   ' + line)
    shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    if not IOTGWD or not KEYFILE_GET:
        print('1..0 # SKIP IOTGWD and KEYFILE_GET must be set (run through meson test)')
        sys.exit(0)
    sys.exit(main())
