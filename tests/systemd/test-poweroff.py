#!/usr/bin/env python3
# test-poweroff: a host poweroff with guests running, systemd as PID 1.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Three guests (no OS: they ignore ACPI, like a wedged TD), graceful
# shutdown on with a 6 s grace period, and a drop-in that cuts the unit's
# TimeoutStopSec= to 3 s, so that the run outlives TimeoutStopSec= and only
# EXTEND_TIMEOUT_USEC= keeps it alive. Read back from the container's
# journal after it is gone:
#   - order: our ExecStop= ran and finished before libvirt-guests.service
#     was stopped, before virt-guest-shutdown.target, and before any machine
#     scope went; every guest went through our path (a per-domain entry
#     "gone"), none by systemd stopping its scope; libvirt-guests found none;
#   - our per-domain and summary entries with every documented field;
#   - systemd showed our STATUS= lines, and the run took longer than
#     TimeoutStopSec= without being killed.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sdtest import *  # noqa: E402,F401,F403

DOMAIN_FIELDS = ['TDX_DOMAIN', 'TDX_UUID', 'TDX_IS_TD', 'TDX_ACTION', 'TDX_PATH',
                 'TDX_OUTCOME', 'TDX_ORDER', 'TDX_MEMORY_KIB', 'TDX_ESTIMATE_MS',
                 'TDX_GRACEFUL_MS', 'TDX_START_MS', 'TDX_PROBE_MS', 'TDX_TERMINATE_MS',
                 'TDX_DESTROY_MS', 'TDX_RECLAIM_MS', 'TDX_TOTAL_MS']
SUMMARY_FIELDS = ['TDX_JOBS', 'TDX_DEADLINE_MS', 'TDX_TOTAL_MS', 'TDX_EXIT_CODE']
GRACE_S = 6
TIMEOUT_STOP_S = 3
DEADLINE_S = 60


def body(tap):
    c = Container('poweroff')
    c.prepare()
    # the guests are not TDs (no TDX here): non-td=destroy sends them
    # through the same scheduler and destroy path, minus tdx-terminate
    c.tdx_conf(non_td='destroy', graceful_shutdown='true', grace_period=GRACE_S,
               deadline=DEADLINE_S)
    # libvirt-guests as shipped, but with a short timeout: should a guest
    # reach it, the test must not wait 300 s to say so
    c.libvirt_guests(ON_SHUTDOWN='shutdown', SHUTDOWN_TIMEOUT=5)
    c.unit_dropin(UNIT, '[Service]\nTimeoutStopSec=%d\n' % TIMEOUT_STOP_S)
    c.boot()

    st = c.run('systemctl', 'is-active', UNIT, check=False).stdout.strip()
    tap.ok(st == 'active', '%s is active after boot' % UNIT, st)
    names = c.guests(3, 64)
    running = c.virsh('list', '--name').stdout.split()
    tap.ok(sorted(running) == sorted(names), 'three guests running', running)
    scopes = c.run('systemctl', 'list-units', '--no-legend', '--plain', 'machine-qemu*').stdout
    tap.ok(scopes.count('.scope') == 3, 'machined registered a machine scope per guest', scopes)

    watcher = StatusWatcher(c).start()
    took = c.poweroff(120)
    watcher.stop()
    tap.ok(took is not None, 'the container powered off (%ss)' % took)

    j = c.journal()
    tap.diag('journal: %d entries' % len(j))
    domains = ours(j, DOMAIN_ID)
    summary = ours(j, SUMMARY_ID)

    # ---- (1) order ----
    our_stopping = unit_msg(j, UNIT, 'Stopping')
    our_stopped = (unit_msg(j, UNIT, 'Stopped') or unit_msg(j, UNIT, 'Deactivated'))
    lg_stopping = unit_msg(j, 'libvirt-guests.service', 'Stopping')
    target_stopped = unit_msg(j, 'virt-guest-shutdown.target', 'Stopped')
    tap.ok(our_stopping and our_stopped, 'systemd stopped %s' % UNIT)
    tap.ok(lg_stopping is not None, 'systemd stopped libvirt-guests.service')
    if our_stopped and lg_stopping:
        tap.ok(usec(our_stopped) <= usec(lg_stopping),
               'our ExecStop= finished before libvirt-guests was stopped',
               '%s at %d, libvirt-guests stopping at %d' %
               (field(our_stopped, 'MESSAGE'), usec(our_stopped), usec(lg_stopping)))
    else:
        tap.ok(False, 'our ExecStop= finished before libvirt-guests was stopped')
    tap.ok(target_stopped is not None and our_stopped is not None and
           usec(our_stopped) <= usec(target_stopped),
           'and before virt-guest-shutdown.target was stopped')
    # scope messages from systemd: a scope that systemd stops gets a
    # "Stopping"/"Stopped" job message; one whose QEMU exited does not
    scope_entries = [e for e in j if field(e, '_PID') == '1' and
                     str(field(e, 'UNIT') or '').startswith('machine-qemu')]
    killed = [e for e in scope_entries
              if str(field(e, 'MESSAGE') or '').startswith(('Stopping', 'Killing'))
              or 'Killing process' in str(field(e, 'MESSAGE') or '')]
    tap.ok(not killed, 'no machine scope was stopped or killed by systemd',
           '\n'.join('%s: %s' % (field(e, 'UNIT'), field(e, 'MESSAGE')) for e in killed))
    # (Not "every scope ended before our unit stopped": libvirt has the
    # scope stopped through machined once QEMU is gone, and systemd's
    # cleanup of it may come a few hundred ms after our unit is done.)
    ended = sorted(field(e, 'UNIT') for e in scope_entries
                   if str(field(e, 'MESSAGE') or '').startswith('Deactivated') or
                   'Deactivated successfully' in str(field(e, 'MESSAGE') or ''))
    tap.ok(len(ended) == len(names), 'every guest\'s machine scope ended after its QEMU exited',
           '\n'.join('%d %s: %s' % (usec(e), field(e, 'UNIT'), field(e, 'MESSAGE'))
                     for e in scope_entries))
    gone = sorted(field(e, 'TDX_DOMAIN') for e in domains if field(e, 'TDX_OUTCOME') == 'gone')
    tap.ok(gone == sorted(names), 'every guest went through our path (outcome gone)',
           [(field(e, 'TDX_DOMAIN'), field(e, 'TDX_OUTCOME'), field(e, 'TDX_PATH')) for e in domains])
    lg_says = [str(field(e, 'MESSAGE')) for e in j
               if field(e, 'SYSLOG_IDENTIFIER') == 'libvirt-guests.sh' or
               field(e, '_SYSTEMD_UNIT') == 'libvirt-guests.service']
    # Its own words when they reached the journal (on a loaded machine its
    # few stdout lines at shutdown were seen missing once); that it shut
    # nothing down is also shown by the scopes above.
    tap.ok(not any('Shutting down' in m or 'Starting shutdown' in m for m in lg_says) and
           (not lg_says or any('no running guests' in m for m in lg_says)),
           'libvirt-guests found no guest to shut down',
           '\n'.join(lg_says) or 'no output of libvirt-guests in the journal')
    if not lg_says:
        tap.diag('libvirt-guests left no output in the journal')

    # ---- (2) journal entries ----
    tap.ok(len(domains) == len(names), 'one per-domain entry (MESSAGE_ID=%s) per guest' % DOMAIN_ID,
           len(domains))
    missing = {field(e, 'TDX_DOMAIN'): [f for f in DOMAIN_FIELDS if field(e, f) is None]
               for e in domains}
    tap.ok(domains and not any(missing.values()), 'per-domain entries carry every documented field',
           missing)
    ok_values = all(field(e, 'TDX_IS_TD') == '0' and field(e, 'TDX_ACTION') == 'destroy' and
                    field(e, 'TDX_PATH') == 'non-td' and
                    int(field(e, 'TDX_MEMORY_KIB')) == 64 * 1024 and
                    int(field(e, 'TDX_GRACEFUL_MS')) >= (GRACE_S - 1) * 1000 and
                    int(field(e, 'TDX_TOTAL_MS')) >= int(field(e, 'TDX_START_MS')) >= 0 and
                    len(field(e, 'TDX_UUID')) == 36 and
                    # journald takes _SYSTEMD_UNIT= from /proc after the
                    # fact: missing when the sender has exited by then
                    field(e, '_SYSTEMD_UNIT') in (UNIT, None)
                    for e in domains)
    tap.ok(domains and ok_values,
           'their values: not a TD, destroyed after the grace period, 64 MiB, from our unit',
           [{f: field(e, f) for f in DOMAIN_FIELDS + ['_SYSTEMD_UNIT']} for e in domains])
    tap.ok(len(summary) == 1 and not [f for f in SUMMARY_FIELDS if field(summary[0], f) is None]
           and field(summary[0], 'TDX_EXIT_CODE') == '0' and
           int(field(summary[0], 'TDX_DEADLINE_MS')) == DEADLINE_S * 1000,
           'one summary entry (MESSAGE_ID=%s), exit code 0, every field' % SUMMARY_ID,
           [{f: field(e, f) for f in SUMMARY_FIELDS} for e in summary])
    catalogs = [f for f in os.listdir(os.path.join(c.root, 'usr/lib/systemd/catalog'))
                if 'tdx' in f] if os.path.isdir(os.path.join(c.root, 'usr/lib/systemd/catalog')) else []
    if catalogs:
        text = c.catalog_text('MESSAGE_ID=' + DOMAIN_ID)
        tap.ok('Defined-By: libvirt-tdx' in text and
               all('Subject: Host shutdown: %s gone via non-td' % n in text for n in names),
               'journalctl -x shows the catalog text of %s, fields filled in' % catalogs,
               text[:3000])
        text = c.catalog_text('MESSAGE_ID=' + SUMMARY_ID)
        tap.ok('Subject: Host shutdown: TD teardown finished with exit code 0' in text,
               'and of the summary entry', text[:3000])
    else:
        tap.diag('no message catalog installed (the meson install has none): not checked')

    # ---- (3) STATUS= and EXTEND_TIMEOUT_USEC= ----
    tap.diag('StatusText seen: %r' % watcher.seen)
    tap.ok(any(s.startswith('graceful:') for s in watcher.seen) and
           any('deadline in' in s for s in watcher.seen),
           'systemd showed our STATUS= lines (graceful phase, deadline countdown)', watcher.seen)
    tap.ok(any(' TDs gone in ' in s or 'gone in' in s for s in watcher.seen) or
           any(s.startswith('teardown:') for s in watcher.seen),
           'and the teardown / final status', watcher.seen)
    if our_stopping and our_stopped:
        run_s = (usec(our_stopped) - usec(our_stopping)) / 1e6
        tap.ok(run_s > TIMEOUT_STOP_S + 1,
               'the run took %.1f s, longer than TimeoutStopSec=%d' % (run_s, TIMEOUT_STOP_S))
    timed_out = unit_msgs_containing(j, UNIT, 'timed out')
    result = [field(e, 'MESSAGE') for e in j
              if field(e, 'UNIT') == UNIT and 'Failed with result' in str(field(e, 'MESSAGE'))]
    tap.ok(not timed_out and not result, 'and systemd did not kill it (EXTEND_TIMEOUT_USEC= honoured)',
           [field(e, 'MESSAGE') for e in timed_out] + result)


main(body)
