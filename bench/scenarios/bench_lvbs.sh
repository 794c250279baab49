#!/bin/sh
# Benchmark, second boot: the same workload under lvbs, with VM exit counts
# sampled around an idle window and around the workload (bench/run.sh).
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=bench_lib.sh
. /scenarios/bench_lib.sh

say "with lvbs: $ROUNDS rounds"
bench_warmup
load_lvbs
status=$(lvbsctl status --json) || fail "lvbsctl status --json failed"
echo "LVBS-BENCH-STATUS: $status"

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
