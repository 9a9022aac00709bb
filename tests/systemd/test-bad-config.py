#!/usr/bin/env python3
# test-bad-config: a tdx.conf whose deadline is shorter than
# 4 x monitor-timeout-ms (a mistake the other commands refuse with exit 3)
# must not keep a guest alive at host poweroff: the unit warns, lowers the
# monitor timeout to fit, tears every guest down through our path and
# fails (exit 3) so the operator sees it (docs/shutdown-host.rst).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sdtest import *  # noqa: E402,F401,F403

DEADLINE_S = 10
MONITOR_TIMEOUT_MS = 5000       # 4 x 5 s > 10 s: breaks the rule
LG_TIMEOUT_S = 5


def body(tap):
    c = Container('bad-config')
    c.prepare()
    c.tdx_conf(destroy={'monitor_timeout_ms': MONITOR_TIMEOUT_MS},
               non_td='destroy', deadline=DEADLINE_S)
    c.libvirt_guests(ON_SHUTDOWN='shutdown', SHUTDOWN_TIMEOUT=LG_TIMEOUT_S)
    c.boot()
    names = c.guests(2, 64, 'conf')

    took = c.poweroff(120)
    tap.ok(took is not None, 'the container powered off (%ss)' % took)

    j = c.journal()
    entries = {field(e, 'TDX_DOMAIN'): e for e in ours(j, DOMAIN_ID)}
    for name in names:
        e = entries.get(name)
        tap.ok(e is not None and field(e, 'TDX_OUTCOME') == 'gone',
               '%s: gone through our path despite the configuration' % name,
               e and field(e, 'MESSAGE'))
    said = ' '.join(str(field(e, 'MESSAGE')) for e in j)
    tap.ok('monitor-timeout-ms lowered to 2500 for this run' in said,
           'the journal names the mistake and what was done about it',
           c.journal_text('UNIT=' + UNIT))
    summary = ours(j, SUMMARY_ID)
    tap.ok(len(summary) == 1 and field(summary[0], 'TDX_EXIT_CODE') == '3',
           'the run exits 3 (configuration) although every guest is gone',
           summary and field(summary[0], 'TDX_EXIT_CODE'))
    lg_says = ' '.join(str(field(e, 'MESSAGE')) for e in j
                       if field(e, '_SYSTEMD_UNIT') == 'libvirt-guests.service' or
                       field(e, 'SYSLOG_IDENTIFIER') == 'libvirt-guests.sh')
    tap.ok(not any(n in lg_says for n in names),
           'libvirt-guests found none of them', lg_says)


main(body)
