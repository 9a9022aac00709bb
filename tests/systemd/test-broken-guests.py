#!/usr/bin/env python3
# test-broken-guests: a guest with a broken policy and a hung QEMU (SIGSTOP)
# beside a normal one; the poweroff completes within the documented bound
# and the journal says what happened to each.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Documented bound of our unit's stop (docs/shutdown-host.rst): inspecting
# the guests (all at once, each bounded by monitor-timeout-ms), then the run,
# which returns at most ABANDON_SLACK_S after its deadline.
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sdtest import *  # noqa: E402,F401,F403

# >= 4 x monitor-timeout-ms (docs/configuration.rst)
DEADLINE_S = 12
MONITOR_TIMEOUT_MS = 3000
LG_TIMEOUT_S = 5
# a misspelt element: invalid metadata, the message names it
BROKEN_POLICY = '<policy><prority>3</prority></policy>'


def body(tap):
    c = Container('broken-guests')
    c.prepare()
    c.tdx_conf(destroy={'monitor_timeout_ms': MONITOR_TIMEOUT_MS},
               non_td='destroy', deadline=DEADLINE_S)
    c.libvirt_guests(ON_SHUTDOWN='shutdown', SHUTDOWN_TIMEOUT=LG_TIMEOUT_S)
    c.boot()
    c.guests(1, 64, 'fine')
    c.guests(1, 64, 'broken')
    c.guests(1, 64, 'hung')
    c.set_policy('broken1', BROKEN_POLICY)
    qemu = c.qemu_pid('hung1')
    os.kill(qemu, signal.SIGSTOP)

    def qemu_state():
        with open('/proc/%d/stat' % qemu) as f:
            return f.read().rsplit(') ', 1)[1][0]
    tap.ok(wait_for(lambda: qemu_state() in 'Tt', 5), 'the QEMU of hung1 is stopped',
           qemu_state())

    took = c.poweroff(180)
    tap.ok(took is not None, 'the container powered off (%ss)' % took)
    try:
        os.kill(qemu, 0)
        tap.ok(False, 'the hung QEMU is gone')
    except ProcessLookupError:
        tap.ok(True, 'the hung QEMU is gone')

    j = c.journal()
    tap.diag(c.journal_text('MESSAGE_ID=' + DOMAIN_ID))
    stopping = unit_msg(j, UNIT, 'Stopping')
    stopped = unit_msg(j, UNIT, 'Stopped')
    bound = MONITOR_TIMEOUT_MS / 1000 + DEADLINE_S + ABANDON_SLACK_S + 1
    if stopping and stopped:
        took_unit = (usec(stopped) - usec(stopping)) / 1e6
        tap.ok(took_unit <= bound,
               'our unit stopped %.1f s after its stop began, within monitor-timeout + '
               'deadline + slack (%.0f s)' % (took_unit, bound))
    else:
        tap.ok(False, 'our unit was stopped', c.journal_text('UNIT=' + UNIT))
    tap.ok(not unit_msgs_containing(j, UNIT, 'timed out'), 'systemd did not have to kill it')

    entries = {field(e, 'TDX_DOMAIN'): e for e in ours(j, DOMAIN_ID)}
    fine = entries.get('fine1')
    tap.ok(fine is not None and field(fine, 'TDX_OUTCOME') == 'gone',
           'fine1: gone through our path', fine and field(fine, 'MESSAGE'))
    broken = entries.get('broken1')
    # a bad policy never keeps a guest alive at host shutdown (issue 9):
    # torn down with the host configuration, a warning naming the element
    tap.ok(broken is not None and field(broken, 'TDX_OUTCOME') == 'gone' and
           'prority' in str(field(broken, 'TDX_WARNINGS')) and field(broken, 'PRIORITY') == '4',
           'broken1: gone, at priority warning, TDX_WARNINGS naming the bad element',
           broken and (field(broken, 'MESSAGE'), field(broken, 'TDX_WARNINGS'),
                       field(broken, 'PRIORITY')))
    hung = entries.get('hung1')
    tap.ok(hung is not None, 'hung1 has an entry', sorted(entries))
    if hung is not None:
        tap.diag('hung1: %s' % field(hung, 'MESSAGE'))
        tap.ok(field(hung, 'TDX_OUTCOME') in ('gone', 'failed', 'abandoned', 'not-started'),
               'hung1: outcome %s, path %s' % (field(hung, 'TDX_OUTCOME'), field(hung, 'TDX_PATH')))
    summary = ours(j, SUMMARY_ID)
    tap.ok(len(summary) == 1 and field(summary[0], 'TDX_EXIT_CODE') != '0',
           'the summary says the run did not stop everything (exit %s)' %
           (field(summary[0], 'TDX_EXIT_CODE') if summary else None),
           summary and field(summary[0], 'MESSAGE'))
    if summary:
        # (+ 100 ms: the summary's clock is read after abandoning)
        tap.ok(int(field(summary[0], 'TDX_TOTAL_MS')) <= (DEADLINE_S + ABANDON_SLACK_S) * 1000 + 100,
               'the run itself took %s ms, within deadline + slack' %
               field(summary[0], 'TDX_TOTAL_MS'))
    # libvirt-guests runs after us: it finds neither of the guests we tore down
    lg_says = ' '.join(str(field(e, 'MESSAGE')) for e in j
                       if field(e, '_SYSTEMD_UNIT') == 'libvirt-guests.service' or
                       field(e, 'SYSLOG_IDENTIFIER') == 'libvirt-guests.sh')
    tap.ok('broken1' not in lg_says and 'fine1' not in lg_says,
           'libvirt-guests found neither broken1 nor fine1', lg_says)


main(body)
