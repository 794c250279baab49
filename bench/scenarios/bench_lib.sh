#!/bin/sh
# Guest-side helpers of the benchmark, sourced by bench_base.sh and
# bench_lvbs.sh (installed with them in /scenarios; not a scenario itself).
#
# Output on the serial console, one result per line, for bench/run.sh:
#   LVBS-BENCH: part=NAME ops=N ns=N ns_per_op=N   (from the workload)
#   LVBS-BENCH: total rounds=N ns=N
#   LVBS-BENCH: mark=NAME cs=N       uptime (centiseconds) at a stats sample
#   LVBS-BENCH-STATS-NAME: {json}    lvbsctl stats --json at that sample
#   LVBS-BENCH-STATUS-NAME: {json}   lvbsctl status --json at that sample
#   LVBS-BENCH-STATUS: {json}        lvbsctl status --json after launch
#
# Knobs, from the kernel command line (the kernel hands unknown NAME=VALUE
# words to /init's environment): BENCH_ROUNDS, BENCH_IDLE (seconds).
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../../tests/vm/guest/lib.sh
. /lvbs/lib.sh

[ "$SCENARIO" != bench_lib ] || fail "bench_lib.sh is a library, not a scenario"

ROUNDS=${BENCH_ROUNDS:-100}
IDLE=${BENCH_IDLE:-5}

case "$ROUNDS$IDLE" in
*[!0-9]*) fail "BENCH_ROUNDS and BENCH_IDLE must be numbers" ;;
esac

# One round first, unmeasured: page cache, dentries and the binaries
# become warm the same way in every boot (under lvbs, after the launch, so
# that the first use of each code page is not measured as steady state).
bench_warmup() {
	workload -q -n 1 >/dev/null || fail "warm-up workload failed"
	# bench_idle's FIFO, made here, and its wait run once: mkfifo is a
	# process and the shell's "read -t" code has not run before, and the
	# first run of either (execute grants under strict W^X: 10 and 3 of
	# them) would otherwise land in the idle window.
	[ -p /tmp/bench.fifo ] || mkfifo /tmp/bench.fifo
	bench_idle 1
}

# The measured run: the same number of rounds in both boots, so the parts'
# times compare directly.
bench_workload() {
	run workload -q -n "$ROUNDS"
	[ "$RC" -eq 0 ] || fail "workload -n $ROUNDS failed (status $RC)"
	echo "$OUT" | grep -q '^workload: OK$' || fail "workload did not print OK"
	echo "$OUT" | sed -n 's/^workload: \(part=\|total \)/LVBS-BENCH: \1/p'
}

# A stats sample named $1. Builtins only, apart from lvbsctl itself: each
# process started is glibc start-up, whose CPUIDs exit to the hypervisor and
# would be counted in the window being measured. bench_lvbs.sh measures
# what one sample costs and run.sh subtracts it.
bench_sample() {
	local j s up

	j=$(lvbsctl stats --json) || fail "lvbsctl stats --json failed"
	s=$(lvbsctl status --json) || fail "lvbsctl status --json failed"
	read -r up _ </proc/uptime
	# lvbsctl prints one CPU per line: join them, unquoted (no globbing).
	set -f
	# shellcheck disable=SC2086
	echo "LVBS-BENCH-STATS-$1:" $j
	echo "LVBS-BENCH-STATUS-$1:" $s
	set +f
	echo "LVBS-BENCH: mark=$1 cs=${up%.*}${up#*.}"
}

# Sleep $1 seconds without starting a process (see bench_sample): the
# shell's own read with a timeout, on a FIFO nobody writes.
bench_idle() {
	[ -p /tmp/bench.fifo ] || fail "no /tmp/bench.fifo: bench_warmup makes it"
	# shellcheck disable=SC3045 # busybox ash has read -t
	read -r -t "$1" _ <>/tmp/bench.fifo
	return 0
}
