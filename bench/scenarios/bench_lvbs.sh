#!/bin/sh
# Benchmark, boot with lvbs: the same workload under lvbs, with VM exit
# counts and lvbs's counters sampled around an idle window and around the
# workload (bench/run.sh).
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=bench_lib.sh
. /scenarios/bench_lib.sh

# BENCH_EXEC (kernel command line): lvbs.ko's exec= (strict, the default, or nx).
EXEC=${BENCH_EXEC:-strict}
case "$EXEC" in
strict | nx) ;;
*) fail "BENCH_EXEC must be strict or nx, not '$EXEC'" ;;
esac
# BENCH_CPUID: lvbs.ko's cpuid= (hide, the default, or pass).
CPUID=${BENCH_CPUID:-hide}
case "$CPUID" in
hide | pass) ;;
*) fail "BENCH_CPUID must be hide or pass, not '$CPUID'" ;;
esac
say "with lvbs (exec=$EXEC cpuid=$CPUID): $ROUNDS rounds"
load_lvbs exec="$EXEC" cpuid="$CPUID"
status=$(lvbsctl status --json) || fail "lvbsctl status --json failed"
echo "LVBS-BENCH-STATUS: $status"

# The warm-up round after the launch: the first use of each code page
# (execute grants under strict W^X) falls into it, and is reported as
# such; the measured rounds then show the steady state.
bench_sample WARM_BEFORE
bench_warmup
bench_sample WARM_AFTER

# Idle: the kernel alone. Steady state should need no exits at all.
bench_sample IDLE_BEFORE
bench_idle "$IDLE"
bench_sample IDLE_AFTER

bench_sample BEFORE
bench_workload
bench_sample AFTER
# Two samples back to back: what one sample itself costs in exits.
bench_sample PROBE
check_active
say "ok"
