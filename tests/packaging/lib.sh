# lib.sh: helpers of the shell tests in tests/packaging/ (sourced).
#
# Exit status as meson reads it: 0 pass, 77 skip, anything else fail.
# need_root: integration tests need root to start a private libvirt daemon
# (tests/harness/private-libvirtd); without it they skip, unless
# TDX_TEST_REQUIRE_DAEMON=1 (CI) makes that a failure, as in the C tests.

TEST=${0##*/}
ok_count=0

say() { echo "$TEST: $*"; }
fail() { echo "$TEST: FAIL: $*" >&2; exit 1; }
ok() { ok_count=$((ok_count + 1)); echo "ok $ok_count - $*"; }

skip() {
    if [ "${TDX_TEST_REQUIRE_DAEMON:-0}" = 1 ]; then
        fail "cannot run (TDX_TEST_REQUIRE_DAEMON=1): $*"
    fi
    echo "$TEST: SKIP: $*"
    exit 77
}

need_root() {
    [ "$(id -u)" = 0 ] || skip "needs root"
}

need_program() {
    local p
    for p; do
        command -v "$p" >/dev/null || skip "$p is not installed"
    done
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
    ok "$1"
}

# A scratch directory removed at exit, with the private daemon (if any)
# stopped first. The tests put sockets in it ($scratch/notify) and its
# paths into URIs and tdx.conf: under $TMPDIR only when that is a plain
# path ([A-Za-z0-9/._-], resolved) short enough for sun_path (108 bytes),
# else under /tmp, whatever CI's or a developer's TMPDIR is.
scratch_base=$(realpath -e -- "${TMPDIR:-/tmp}" 2>/dev/null || echo /tmp)
if [ ${#scratch_base} -gt 50 ] || ! [[ $scratch_base =~ ^[A-Za-z0-9/._-]+$ ]]; then
    scratch_base=/tmp
fi
scratch=$(mktemp -d "$scratch_base/tdx-$TEST.XXXXXX")
daemon_dir=
cleanup() {
    if [ -n "$daemon_dir" ]; then
        "$TDX_TEST_HARNESS" stop "$daemon_dir" >/dev/null 2>&1 || true
    fi
    rm -rf -- "$scratch"
}
trap cleanup EXIT

# start_daemon: a private libvirtd; sets $uri. The watchdog stops it should
# this shell die without running its trap.
start_daemon() {
    need_root
    [ -x "${TDX_TEST_HARNESS:-}" ] || fail "TDX_TEST_HARNESS is not set"
    daemon_dir=$scratch/daemon
    uri=$(PRIVATE_LIBVIRTD_OWNER=$$ "$TDX_TEST_HARNESS" start "$daemon_dir") ||
        fail "cannot start the private libvirt daemon"
}

# start_guest NAME: a tiny real QEMU guest on the private daemon
start_guest() {
    local harness_dir xml
    harness_dir=$(dirname -- "$TDX_TEST_HARNESS")
    xml=$scratch/$1.xml
    "$harness_dir/guest-xml" "$1" 32 auto "$uri" >"$xml" || fail "guest-xml $1"
    virsh -q -c "$uri" create "$xml" >/dev/null || fail "cannot start guest $1"
}

# domain_state NAME: libvirt's state of NAME, or "none" when it is not there
domain_state() {
    virsh -q -c "$uri" domstate "$1" 2>/dev/null || echo none
}

# write_config FILE [LINES...]: a tdx.conf pointing at the private daemon
write_config() {
    local file=$1
    shift
    {
        printf '[connection]\nuri = %s\n' "$uri"
        printf '%s\n' "$@"
    } >"$file"
}
