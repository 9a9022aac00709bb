#!/usr/bin/env python3
# test-stop-timeout: a run that stops extending is killed at the bound
# docs/shutdown-host.rst documents, and the poweroff still completes.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Our ExecStop= process is SIGSTOPped by the test as soon as systemd shows
# its first status line of the run (so it has sent EXTEND_TIMEOUT_USEC=
# once, reaching EXTEND_PAST_DEADLINE_S past its deadline). A hung run
# looks exactly like that to systemd: no more notifications. systemd must
# then kill it when that extension runs out, i.e. deadline + 10 s after
# the command started, not TimeoutStopSec= (5 s here) after the unit's
# stop began, and not never.
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sdtest import *  # noqa: E402,F401,F403

DEADLINE_S = 10
TIMEOUT_STOP_S = 5
LG_TIMEOUT_S = 5


def body(tap):
    c = Container('stop-timeout')
    c.prepare()
    c.tdx_conf(non_td='destroy', graceful_shutdown='true', grace_period=60,
               deadline=DEADLINE_S)
    c.libvirt_guests(ON_SHUTDOWN='shutdown', SHUTDOWN_TIMEOUT=LG_TIMEOUT_S)
    c.unit_dropin(UNIT, '[Service]\nTimeoutStopSec=%d\n' % TIMEOUT_STOP_S)
    c.boot()
    names = c.guests(1, 64)

    stopped = {}

    def on_status(text):
        if stopped or not text.startswith('graceful:'):
            return
        pids = c.pids_named('virsh-tdx')
        for p in pids:
            os.kill(p, signal.SIGSTOP)
        stopped['at'] = time.monotonic()
        stopped['pids'] = pids

    watcher = StatusWatcher(c, on_status=on_status).start()
    bound = DEADLINE_S + EXTEND_PAST_DEADLINE_S + 60
    took = c.poweroff(bound)
    watcher.stop()
    tap.ok(stopped.get('pids'), 'SIGSTOPped our ExecStop= process during its run',
           watcher.seen)
    tap.ok(took is not None, 'the container still powered off (%ss, bound %d s)' % (took, bound))

    j = c.journal()
    stopping = unit_msg(j, UNIT, 'Stopping')
    timed_out = first(unit_msgs_containing(j, UNIT, 'timed out'), lambda e: True)
    result = first(unit_msgs_containing(j, UNIT, "Failed with result 'timeout'"), lambda e: True)
    tap.ok(timed_out is not None, 'systemd says the stop timed out',
           c.journal_text('UNIT=' + UNIT))
    tap.ok(result is not None, "and the unit failed with result 'timeout'")
    if stopping and timed_out:
        after = (usec(timed_out) - usec(stopping)) / 1e6
        low = DEADLINE_S + EXTEND_PAST_DEADLINE_S - 1
        # the command starts right after the stop begins (well under 3 s here)
        high = DEADLINE_S + EXTEND_PAST_DEADLINE_S + 3
        tap.ok(after > TIMEOUT_STOP_S + 1,
               'not killed at TimeoutStopSec=%d: the extension was honoured' % TIMEOUT_STOP_S,
               '%.1f s' % after)
        tap.ok(low <= after <= high,
               'killed %.1f s after its stop began: at deadline + 10 s (%d..%d s)' %
               (after, low, high))
    else:
        tap.ok(False, 'timing of the kill (no messages to measure it)')
    # the guest our run did not get to is still stopped by the stock path
    lg_says = ' '.join(str(field(e, 'MESSAGE')) for e in j
                       if field(e, '_SYSTEMD_UNIT') == 'libvirt-guests.service' or
                       field(e, 'SYSLOG_IDENTIFIER') == 'libvirt-guests.sh')
    tap.ok(names[0] in lg_says, 'libvirt-guests then dealt with %s' % names[0], lg_says)
    # ... and failed (no OS, ACPI ignored), so systemd stopped its scope:
    # what test-poweroff checks never happens on our path does show here
    scope_stops = [e for e in j if field(e, '_PID') == '1' and
                   str(field(e, 'UNIT') or '').startswith('machine-qemu') and
                   str(field(e, 'MESSAGE') or '').startswith('Stopping')]
    tap.ok(len(scope_stops) == 1, 'systemd stopped its machine scope (the stock, slow path)',
           [field(e, 'MESSAGE') for e in scope_stops])


main(body)
