#!/bin/bash
# What a module load costs under lvbs, by module size: scenario modload
# (bench/scenarios/modload.sh) in one boot, under QEMU TCG with the
# instruction-counting plugin (bench/insn-plugin.c), then a table.
#
#   bench/modload.sh                (make bench-modload builds everything first)
#   BENCH_MODLOAD_ROUNDS=10 bench/modload.sh
#   bench/modload.sh --parse LOG    only the table, from a kept serial log
#
# Per module: the time of BENCH_MODLOAD_ROUNDS load/unload cycles without
# and with lvbs and their ratio; the instructions executed meanwhile (every
# vCPU, the hypervisor's included) and their ratio, which the host's load
# barely moves (the time ratio moves by tens of percent on a busy machine);
# and the hypervisor's part per load: each hypercall's milliseconds, world
# switch included, as lvbs.ko timed them. Neither count includes what TCG's
# emulation of nested paging costs (not guest instructions), which
# hardware does in the MMU.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
export BUILD=${BUILD:-$repo/build}

report() {
	tr -d '\r' <"$1" | awk '
	/LVBS-MODLOAD-MEASURE:/ {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		mod[v["measure"]] = v["module"]; mode[v["measure"]] = v["mode"] }
	/LVBS-INSN: measure=/ {
		split($2, a, "="); split($3, b, "="); insn[a[2]] = b[2] }
	/LVBS-MODLOAD: module=/ {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		m = v["module"]; order[++n] = m; bytes[m] = v["bytes"]; rounds = v["rounds"]
		base[m] = v["base_cs"]; lvbs[m] = v["lvbs_cs"] }
	/LVBS-MODLOAD-HC:/ {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		hc[v["module"], v["hypercall"]] = v["usecs"] }
	END {
		if (!n) { print "modload: no LVBS-MODLOAD lines" > "/dev/stderr"; exit 1 }
		for (k in mod) kins[mod[k], mode[k]] = insn[k]
		printf "%-9s %9s %16s %6s %20s %6s   %s\n", "module", "bytes",
		       "time cs w/o/with", "ratio", "Minsns w/o / with", "ratio",
		       "hypervisor ms per load: hash compare end release protect"
		for (i = 1; i <= n; i++) {
			m = order[i]
			ib = kins[m, "base"]; il = kins[m, "lvbs"]
			printf "%-9s %9d %7d / %6d %6.2f ", m, bytes[m], base[m], lvbs[m],
			       base[m] ? lvbs[m] / base[m] : 0
			if (ib && il)
				printf "%9.1f / %8.1f %6.2f", ib / 1e6, il / 1e6, il / ib
			else
				printf "%20s %6s", "(no plugin)", "-"
			printf "   %.1f %.1f %.1f %.1f %.1f\n",
			       hc[m, "module_hash"] / 1000 / rounds, hc[m, "module_compare"] / 1000 / rounds,
			       hc[m, "module_end"] / 1000 / rounds, hc[m, "release_memory"] / 1000 / rounds,
			       hc[m, "protect_memory"] / 1000 / rounds
		}
	}'
}

if [ "${1:-}" = --parse ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --parse LOG" >&2; exit 1; }
	report "$2"
	exit 0
fi
[ $# -eq 0 ] || { echo "usage: $0 [--parse LOG]" >&2; exit 1; }
plugin=$BUILD/bench/libinsn.so
[ -r "$plugin" ] || { echo "modload: no $plugin (make -C bench O=$BUILD/bench)" >&2; exit 1; }
cmd="${LVBS_CMDLINE_EXTRA:-}"
[ -n "${BENCH_MODLOAD_ROUNDS:-}" ] && cmd="$cmd BENCH_MODLOAD_ROUNDS=$BENCH_MODLOAD_ROUNDS"
LVBS_CMDLINE_EXTRA="$cmd" LVBS_QEMU_EXTRA="${LVBS_QEMU_EXTRA:-} -plugin $plugin" \
	"$repo/tests/vm/run-scenario.sh" modload >&2 ||
	{ echo "modload: the VM failed (see above)" >&2; exit 1; }
report "$BUILD/vm/logs/modload.log"
