#!/bin/bash
# The lvbs benchmark: boots the same guest (one kernel, one initramfs) twice
# under QEMU TCG and runs the same workload (fork/exec, pipes, file I/O,
# system calls; tests/vm/progs/workload.c) for the same number of rounds:
#   bench_base   without lvbs
#   bench_lvbs   after insmod lvbs.ko, with VM exit counts sampled around
#                an idle window and around the workload
# (guest side: bench/scenarios/). Prints per part the time without and with
# lvbs and the ratio with/without, the total ratio, the steady-state VM
# exits per second by kind (idle and under the workload), and the memory
# the hypervisor took.
#
# Timings under TCG are noisy (an exit costs ~12 us, ~1500 CPUIDs) and say
# nothing absolute about hardware: read the ratios and the exit counts.
#
#   bench/run.sh                 (make bench builds everything first)
#   BENCH_ROUNDS=200 BENCH_IDLE=10 bench/run.sh
#   bench/run.sh --parse BASE_LOG LVBS_LOG    only turn two serial logs
#                                             into the report
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
export BUILD=${BUILD:-$repo/build}

# Boot both scenarios; the initramfs is built once, so both boots run the
# very same guest.
boot_both() {
	local name

	"$repo/tests/vm/mkinitramfs.sh" >/dev/null
	for name in bench_base bench_lvbs; do
		echo "bench: booting $name (QEMU TCG, under a minute)..." >&2
		LVBS_VM_NO_REBUILD=1 \
			LVBS_CMDLINE_EXTRA="${LVBS_CMDLINE_EXTRA:-} BENCH_ROUNDS=${BENCH_ROUNDS:-100} BENCH_IDLE=${BENCH_IDLE:-5}" \
			LVBS_VM_TIMEOUT=${LVBS_VM_TIMEOUT:-600} \
			"$repo/tests/vm/run-scenario.sh" "$name" >&2 ||
			{ echo "bench: the $name VM failed (see above)" >&2; exit 1; }
	done
}

# report BASE_LOG LVBS_LOG: the tables, from the LVBS-BENCH lines.
report() {
	local base=$1 lvbs=$2

	for f in "$base" "$lvbs"; do
		[ -r "$f" ] || { echo "bench: cannot read $f" >&2; exit 1; }
	done
	{ tr -d '\r' <"$base" | sed 's/^/base /'; tr -d '\r' <"$lvbs" | sed 's/^/lvbs /'; } |
		awk -f "$here/report.awk"
}

if [ "${1:-}" = --parse ]; then
	[ $# -eq 3 ] || { echo "usage: $0 --parse BASE_LOG LVBS_LOG" >&2; exit 1; }
	report "$2" "$3"
	exit 0
fi
[ $# -eq 0 ] || { echo "usage: $0 [--parse BASE_LOG LVBS_LOG]" >&2; exit 1; }
boot_both
report "$BUILD/vm/logs/bench_base.log" "$BUILD/vm/logs/bench_lvbs.log"
echo
echo "(serial logs: $BUILD/vm/logs/bench_base.log, $BUILD/vm/logs/bench_lvbs.log)"
