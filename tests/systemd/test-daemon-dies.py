#!/usr/bin/env python3
# test-daemon-dies: libvirtd is killed (SIGKILL) while our ExecStop= waits
# for the guests' grace periods; the run must end at once with exit code 4
# (docs/shutdown-host.rst: a lost daemon explains every other failure), say
# so in the journal, and the poweroff must still complete.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sdtest import *  # noqa: E402,F401,F403

DEADLINE_S = 60
GRACE_S = 30
LG_TIMEOUT_S = 5


def body(tap):
    c = Container('daemon-dies')
    c.prepare()
    c.tdx_conf(non_td='destroy', graceful_shutdown='true', grace_period=GRACE_S,
               deadline=DEADLINE_S)
    c.libvirt_guests(ON_SHUTDOWN='shutdown', SHUTDOWN_TIMEOUT=LG_TIMEOUT_S)
    c.boot()
    names = c.guests(2, 64)

    killed = {}

    def on_status(text):
        if killed or not text.startswith('graceful:'):
            return
        pids = c.pids_named('libvirtd')
        for p in pids:
            os.kill(p, signal.SIGKILL)
        killed['at'] = time.monotonic()
        killed['pids'] = pids

    watcher = StatusWatcher(c, on_status=on_status).start()
    took = c.poweroff(180)
    watcher.stop()
    tap.ok(killed.get('pids'), 'killed libvirtd during the graceful phase of our run',
           watcher.seen)
    tap.ok(took is not None, 'the container powered off (%ss)' % took)

    j = c.journal()
    stopping = unit_msg(j, UNIT, 'Stopping')
    ended = unit_msg(j, UNIT, 'Stopped') or unit_msg(j, UNIT, 'Failed')
    summary = ours(j, SUMMARY_ID)
    tap.ok(len(summary) == 1 and field(summary[0], 'TDX_EXIT_CODE') == '4',
           'summary entry with exit code 4 (daemon lost)',
           summary and (field(summary[0], 'TDX_EXIT_CODE'), field(summary[0], 'MESSAGE')))
    if stopping and ended:
        run_s = (usec(ended) - usec(stopping)) / 1e6
        tap.ok(run_s < GRACE_S, 'our unit ended %.1f s after its stop began: at once, '
               'not after the grace period (%d s) or the deadline' % (run_s, GRACE_S))
    else:
        tap.ok(False, 'our unit ended', c.journal_text('UNIT=' + UNIT))
    tap.ok(not unit_msgs_containing(j, UNIT, 'timed out'), 'systemd did not have to kill it')
    # by MESSAGE_ID and identifier too: journald reads a sender's unit from
    # /proc after the fact, and virsh-tdx exits right after its last entry
    ours_text = ' '.join(str(field(e, 'MESSAGE')) for e in j
                         if field(e, '_SYSTEMD_UNIT') == UNIT or
                         field(e, 'SYSLOG_IDENTIFIER') == 'virsh-tdx' or
                         field(e, 'MESSAGE_ID') in (DOMAIN_ID, SUMMARY_ID))
    tap.ok('libvirt' in ours_text and ('lost' in ours_text or 'connection' in ours_text),
           'our journal says the connection to libvirt was lost', ours_text[-2000:])
    entries = {field(e, 'TDX_DOMAIN'): e for e in ours(j, DOMAIN_ID)}
    tap.ok(sorted(entries) == sorted(names) and
           all(field(e, 'TDX_OUTCOME') != 'gone' for e in entries.values()),
           'each guest has an entry, none claiming it is gone',
           {n: field(e, 'TDX_OUTCOME') for n, e in entries.items()})


main(body)
