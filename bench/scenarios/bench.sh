#!/bin/sh
# bench: the same guest, in one boot, first without lvbs and then with it.
# Prints machine-readable LVBS-BENCH lines that bench/run.sh turns into
# ratios and exit rates. Run by bench/run.sh, not by the test suite.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../../tests/vm/guest/lib.sh
. /lvbs/lib.sh

T=${BENCH_SECONDS:-6}
IDLE=5

# Snapshots use shell builtins only (read, not cat or awk): a new process
# runs glibc's start-up, whose CPUID instructions would be counted as exits
# of the window being measured.
snapshot() {
	SNAP=
	while IFS= read -r l; do
		SNAP="$SNAP$l;"
	done <"$LVBS_SFS/stats"
	read -r UP _ </proc/uptime
}

# Exit counters of a snapshot summed over all CPUs, as "kind=count ...".
sum_exits() {
	echo "$1" | tr ';' '\n' | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "=");
		if (kv[1] != "cpu" && kv[1] != "apic_id") sum[kv[1]] += kv[2] } }
	END { for (k in sum) printf "%s=%d ", k, sum[k]; print "" }'
}

# Print one measured window: $1 name, $2 $3 snapshots, $4 $5 uptimes.
report_window() {
	echo "LVBS-BENCH exits-before-$1 $(sum_exits "$2")"
	echo "LVBS-BENCH exits-after-$1 $(sum_exits "$3")"
	echo "LVBS-BENCH $1-cs=$(awk -v a="$4" -v b="$5" 'BEGIN { printf "%d", (b - a) * 100 }')"
}

bench_workload() {
	run workload -t "$T"
	[ "$RC" -eq 0 ] || fail "workload failed"
	echo "$OUT" | sed -n "s/^workload: /LVBS-BENCH mode=$1 /p"
}

say "warm-up (not measured)"
workload -q -t 2 >/dev/null || fail "warm-up failed"
bench_workload base

load_lvbs
echo "LVBS-BENCH hv_bytes=$(status_get hv_phys_size)"

# Idle: the kernel alone, nothing started. Steady state should need no
# exits. The wait is the shell's own read with a timeout on a FIFO that
# nobody writes, so no process starts inside the window.
mkfifo /tmp/bench.fifo
snapshot; s0=$SNAP; u0=$UP
# shellcheck disable=SC3045 # busybox ash has read -t
read -r -t "$IDLE" _ <>/tmp/bench.fifo
snapshot; s1=$SNAP; u1=$UP
report_window idle "$s0" "$s1" "$u0" "$u1"

snapshot; s0=$SNAP; u0=$UP
bench_workload lvbs
snapshot; s1=$SNAP; u1=$UP
report_window work "$s0" "$s1" "$u0" "$u1"
check_active
say "ok"
