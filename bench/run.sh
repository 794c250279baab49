#!/bin/bash
# The lvbs benchmark. Boots the same guest (one kernel, one initramfs)
# under QEMU TCG in three modes and runs the same workload (fork/exec,
# pipes, file I/O, system calls; tests/vm/progs/workload.c) for the same
# number of rounds in each:
#   base     without lvbs                      (bench/scenarios/bench_base.sh)
#   strict   lvbs.ko with its defaults: strict W^X without GMET
#   nx       lvbs.ko exec=nx                   (both bench_lvbs.sh)
# The three boot one after the other, BENCH_PAIRS times (default 5), so
# that a slow moment of the host spreads over all modes instead of
# landing on one; the report gives each ratio's median and its spread
# (lowest and highest) over those rounds. Under lvbs the boots also
# sample VM exits by kind and lvbs's counters (execute grants, W^X flips,
# SLAT tables) around an idle window and around the workload.
#
# Then one more round of the three with an instruction-counting QEMU
# plugin (bench/insn-plugin.c, built by bench/Makefile; BENCH_INSN=0
# skips it): instructions executed during each part of the workload,
# the hypervisor's included. That count barely moves with the host's
# load, so a change in what lvbs costs shows there from one run to the
# next. (QEMU 7.2's -icount cannot give it: under it the guest never got
# past the kernel's decompressor, 13 minutes for one boot.)
#
# Timings under TCG say nothing absolute about hardware (an exit costs
# microseconds of emulation): read the ratios, the instruction-count
# ratios and the exit counts.
#
#   bench/run.sh                 (make bench builds everything first;
#                                make bench-vmx runs it under Bochs)
#   BENCH_PAIRS=5 BENCH_ROUNDS=100 BENCH_IDLE=5 BENCH_CPUID=hide|pass BENCH_INSN=1 bench/run.sh
#   bench/run.sh --parse DIR     only turn the serial logs kept in DIR
#                                ($BUILD/bench/logs) into the report
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
export BUILD=${BUILD:-$repo/build}
logs=$BUILD/bench/logs

PAIRS=${BENCH_PAIRS:-5}
case "$PAIRS" in
'' | *[!0-9]* | 0) echo "bench: BENCH_PAIRS must be a number of at least 1" >&2; exit 1 ;;
esac

# boot MODE TAG [QEMU_ARGS]: one boot, its serial log kept as TAG.MODE.log.
boot() {
	local mode=$1 tag=$2 extra=${3:-} scenario=bench_lvbs cmd

	[ "$mode" = base ] && scenario=bench_base
	cmd="${LVBS_CMDLINE_EXTRA:-} BENCH_ROUNDS=${BENCH_ROUNDS:-100} BENCH_IDLE=${BENCH_IDLE:-5}"
	[ "$mode" = base ] || cmd="$cmd BENCH_EXEC=$mode BENCH_CPUID=${BENCH_CPUID:-hide}"
	if [ "${LVBS_VM_PLATFORM:-qemu}" = bochs ]; then
		echo "bench: $tag, $mode (Bochs, Intel VMX: about 3 minutes)..." >&2
	else
		echo "bench: $tag, $mode (QEMU TCG, under a minute)..." >&2
	fi
	LVBS_VM_NO_REBUILD=1 LVBS_CMDLINE_EXTRA="$cmd" \
		LVBS_QEMU_EXTRA="${LVBS_QEMU_EXTRA:-}${extra:+ $extra}" LVBS_VM_TIMEOUT=${LVBS_VM_TIMEOUT:-900} \
		"$repo/tests/vm/run-scenario.sh" "$scenario" >&2 ||
		{ echo "bench: the $tag $mode VM failed (see above)" >&2; exit 1; }
	cp "$BUILD/vm/logs/$scenario.log" "$logs/$tag.$mode.log"
}

boot_all() {
	local i mode

	rm -rf "$logs"
	mkdir -p "$logs"
	"$repo/tests/vm/mkinitramfs.sh" >/dev/null
	for i in $(seq 1 "$PAIRS"); do
		for mode in base strict nx; do
			boot "$mode" "round$i"
		done
	done
	if [ "${BENCH_INSN:-1}" != 0 ]; then
		plugin=$BUILD/bench/libinsn.so
		[ -r "$plugin" ] || { echo "bench: no $plugin (make -C bench)" >&2; exit 1; }
		for mode in base strict nx; do
			boot "$mode" insn "-plugin $plugin"
		done
	fi
}

# report DIR: the tables, from the LVBS-BENCH lines of every log in DIR,
# each line prefixed with its boot's tag (roundN) and mode.
report() {
	local f b

	for f in "$1"/*.log; do
		[ -r "$f" ] || { echo "bench: no logs in $1" >&2; exit 1; }
		b=$(basename "$f" .log)
		tr -d '\r' <"$f" | sed "s/^/${b%.*} ${b##*.} /"
	done | awk -f "$here/report.awk"
}

if [ "${1:-}" = --parse ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --parse DIR" >&2; exit 1; }
	report "$2"
	exit 0
fi
[ $# -eq 0 ] || { echo "usage: $0 [--parse DIR]" >&2; exit 1; }
t=$(date +%s)
boot_all
report "$logs"
echo
echo "(serial logs: $logs; $(( $(date +%s) - t )) s)"
