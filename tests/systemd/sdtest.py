# sdtest.py: what the real-systemd tests share: a booted container
# (tests/harness/systemd-container), its journal as JSON, TAP output.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Environment:
#   TDX_SYSTEMD_DESTDIR  a "meson install --destdir" of a --prefix=/usr build
#                        (tests/systemd/run makes one)
#   TDX_SYSTEMD_KEEP=1   keep the container's directory (its journal) after
#                        the test, for a post-mortem
import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HARNESS = os.path.join(SRC, 'tests', 'harness', 'systemd-container')

DOMAIN_ID = '3b77209a6d6c4af5aa0e5a56055c6b7d'
SUMMARY_ID = '6f5a338443b349d39adc8b03086a6fd3'
UNIT = 'libvirt-tdx-shutdown.service'
# src/host/tdx-host-run.[ch]: teardowns still running this long after the
# deadline are abandoned (TDX_HOST_ABANDON_SLACK_SECONDS).
ABANDON_SLACK_S = 2
# src/host/tdx-host-notify.[ch]: each EXTEND_TIMEOUT_USEC= reaches
# 2 x TDX_HOST_DEADLINE_BOUND_SECONDS past the deadline, which counts from
# the start of the command (docs/shutdown-host.rst).
EXTEND_PAST_DEADLINE_S = 10

POLICY_NS = 'http://libvirt-tdx.org/xmlns/policy/1.0'


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        print('%s %d - %s' % ('ok' if cond else 'not ok', self.n, desc), flush=True)
        if not cond:
            self.failed += 1
            if diag:
                for line in str(diag).splitlines():
                    print('# ' + line, flush=True)
        return cond

    def diag(self, text):
        for line in str(text).splitlines():
            print('# ' + line, flush=True)

    def bail(self, text):
        self.ok(False, 'setup: ' + text.splitlines()[0] if text else 'setup', text)
        self.done()

    def done(self):
        print('1..%d' % self.n, flush=True)
        sys.exit(1 if self.failed else 0)


class HarnessError(Exception):
    pass


def harness(*args, check=True, timeout=600):
    r = subprocess.run([HARNESS] + [str(a) for a in args], capture_output=True,
                       stdin=subprocess.DEVNULL, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise HarnessError('systemd-container %s: exit %d\n%s%s' %
                           (' '.join(map(str, args)), r.returncode, r.stdout, r.stderr))
    return r


class Container:
    """One disposable booted container; cleaned up whatever happens."""

    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix='tdx-systemd-%s.' % name, dir='/var/tmp')
        self.root = os.path.join(self.dir, 'root')
        self.leader = None
        self.cleaned = False
        atexit.register(self.clean)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        self.clean()
        os._exit(128 + signum)

    def clean(self):
        if self.cleaned:
            return
        self.cleaned = True
        if os.environ.get('TDX_SYSTEMD_KEEP') == '1':
            harness('stop', self.dir, check=False)
            print('# kept %s' % self.dir, flush=True)
        else:
            harness('clean', self.dir, check=False)

    def prepare(self):
        destdir = os.environ.get('TDX_SYSTEMD_DESTDIR')
        if not destdir:
            raise HarnessError('TDX_SYSTEMD_DESTDIR is not set (tests/systemd/run sets it)')
        harness('prepare', self.dir, destdir, timeout=1200)

    def write(self, path, text):
        full = os.path.join(self.root, path.lstrip('/'))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'w') as f:
            f.write(text)

    def tdx_conf(self, destroy=None, **shutdown_host):
        """/etc/libvirt/tdx.conf: [shutdown-host] from the keywords,
        [destroy] from the dict destroy ('_' for '-' in the keys)."""
        lines = []
        for group, settings in (('destroy', destroy or {}), ('shutdown-host', shutdown_host)):
            lines.append('[%s]' % group)
            lines += ['%s = %s' % (k.replace('_', '-'), v) for k, v in settings.items()]
        self.write('/etc/libvirt/tdx.conf', '\n'.join(lines) + '\n')

    def libvirt_guests(self, **settings):
        self.write('/etc/default/libvirt-guests',
                   ''.join('%s=%s\n' % (k, v) for k, v in settings.items()))

    def unit_dropin(self, unit, text, name='50-test.conf'):
        self.write('/etc/systemd/system/%s.d/%s' % (unit, name), text)

    def boot(self):
        self.leader = harness('boot', self.dir, timeout=300).stdout.strip().splitlines()[-1]

    def run(self, *cmd, check=True, timeout=120):
        # stdin closed: nsenter in the background must not stop on SIGTTIN
        r = subprocess.run(['nsenter', '-t', self.leader, '-a'] + [str(c) for c in cmd],
                           capture_output=True, stdin=subprocess.DEVNULL, text=True,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise HarnessError('in the container: %s: exit %d\n%s%s' %
                               (' '.join(map(str, cmd)), r.returncode, r.stdout, r.stderr))
        return r

    def virsh(self, *args, check=True):
        return self.run('virsh', '-q', '-c', 'qemu:///system', *args, check=check)

    def guests(self, n, mem=64, prefix='guest'):
        harness('guests', self.dir, n, mem, prefix, timeout=300)
        return ['%s%d' % (prefix, i) for i in range(1, n + 1)]

    def set_policy(self, domain, policy_xml):
        self.virsh('metadata', domain, '--uri', POLICY_NS, '--key', 'tdx',
                   '--set', policy_xml, '--live', '--config')

    def qemu_pid(self, domain):
        """The QEMU's PID as seen from the host (for kill -STOP)."""
        # /run is the container's own tmpfs
        inner = int(self.run('cat', '/run/libvirt/qemu/%s.pid' % domain).stdout.strip())
        # translate the container PID into ours through /proc/*/status NSpid
        ns = os.readlink('/proc/%s/ns/pid' % self.leader)
        for p in os.listdir('/proc'):
            if not p.isdigit():
                continue
            try:
                if os.readlink('/proc/%s/ns/pid' % p) != ns:
                    continue
                with open('/proc/%s/status' % p) as f:
                    for line in f:
                        if line.startswith('NSpid:'):
                            ids = line.split()[1:]
                            if len(ids) >= 2 and int(ids[-1]) == inner:
                                return int(p)
            except OSError:
                continue
        raise HarnessError('no host PID for %s (container PID %d)' % (domain, inner))

    def pids_named(self, comm):
        """Host PIDs of the container's processes called comm."""
        ns = os.readlink('/proc/%s/ns/pid' % self.leader)
        found = []
        for p in os.listdir('/proc'):
            if not p.isdigit():
                continue
            try:
                if os.readlink('/proc/%s/ns/pid' % p) != ns:
                    continue
                with open('/proc/%s/comm' % p) as f:
                    if f.read().strip() == comm:
                        found.append(int(p))
            except OSError:
                continue
        return found

    def poweroff(self, bound):
        """Seconds from "systemctl poweroff" until the container was gone,
        None when it was still there after bound seconds (then killed)."""
        r = harness('poweroff', self.dir, bound, check=False, timeout=bound + 120)
        if r.returncode == 3:
            return None
        if r.returncode != 0:
            raise HarnessError('poweroff: exit %d\n%s%s' % (r.returncode, r.stdout, r.stderr))
        return float(r.stdout.strip().splitlines()[-1])

    def journal(self, *args):
        """Entries of the container's last boot, oldest first."""
        r = harness('journal', self.dir, '-b', '0', '-o', 'json', '--output-fields=', *args,
                    check=False)
        if r.returncode != 0:
            r = harness('journal', self.dir, '-b', '0', '-o', 'json', *args)
        out = []
        for line in r.stdout.splitlines():
            line = line.strip()
            if line:
                out.append(json.loads(line))
        return out

    def catalog_text(self, *args):
        """journalctl -x with the container's own catalog database (-x
        reads the fixed path /var/lib/systemd/catalog/database even with
        --root=, so in a chroot)."""
        r = subprocess.run(['chroot', self.root, 'journalctl', '-q', '--no-pager',
                            '-D', '/var/log/journal', '-b', '0',
                            '-x', '-o', 'short-monotonic'] + list(args),
                           capture_output=True, text=True)
        return r.stdout + r.stderr

    def journal_text(self, *args):
        return harness('journal', self.dir, '-b', '0', '-o', 'short-monotonic', *args).stdout


class StatusWatcher:
    """Polls what systemd shows as the unit's status text while the host
    shuts down: what we sent as STATUS= and systemd took."""

    def __init__(self, container, unit=UNIT, on_status=None):
        self.c = container
        self.unit = unit
        self.seen = []
        self.on_status = on_status
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            try:
                r = subprocess.run(['nsenter', '-t', self.c.leader, '-a', 'systemctl', 'show',
                                    '-p', 'StatusText', '-p', 'ActiveState', '--', self.unit],
                                   capture_output=True, stdin=subprocess.DEVNULL, text=True,
                                   timeout=5)
                props = dict(line.split('=', 1) for line in r.stdout.splitlines() if '=' in line)
                text = props.get('StatusText', '')
                if text and (not self.seen or self.seen[-1] != text):
                    self.seen.append(text)
                    if self.on_status:
                        self.on_status(text)
            except (subprocess.SubprocessError, OSError, ValueError):
                pass
            if not os.path.exists('/proc/%s' % self.c.leader):
                return
            self._stop.wait(0.2)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(10)


def usec(entry, field='__MONOTONIC_TIMESTAMP'):
    return int(entry[field])


def field(entry, name):
    v = entry.get(name)
    if isinstance(v, list):
        # journalctl -o json prints a field set twice as a list
        return v[0]
    return v


def first(entries, pred):
    for e in entries:
        if pred(e):
            return e
    return None


def unit_msg(entries, unit, prefix):
    """systemd's (PID 1's) first message about unit starting with prefix,
    e.g. "Stopping", "Stopped", "Deactivated"."""
    def pred(e):
        return (field(e, '_PID') == '1' and
                (field(e, 'UNIT') == unit or field(e, 'USER_UNIT') == unit) and
                str(field(e, 'MESSAGE') or '').startswith(prefix))
    return first(entries, pred)


def unit_msgs_containing(entries, unit, text):
    return [e for e in entries
            if field(e, '_PID') == '1' and field(e, 'UNIT') == unit and
            text in str(field(e, 'MESSAGE') or '')]


def ours(entries, message_id):
    return [e for e in entries if field(e, 'MESSAGE_ID') == message_id]


def wait_for(pred, timeout, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


def main(body):
    """Run body(tap); any harness error is a failed test, never a skip."""
    tap = Tap()
    if os.geteuid() != 0:
        tap.bail('must run as root')
    try:
        body(tap)
    except (HarnessError, subprocess.SubprocessError, OSError) as e:
        tap.ok(False, 'harness: %s' % str(e).splitlines()[0], e)
    tap.done()


__all__ = [n for n in dir() if not n.startswith('_')] + ['shutil']
