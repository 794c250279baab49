#!/bin/sh
# Benchmark, first boot: the workload without lvbs (bench/run.sh compares it
# with bench_lvbs.sh, which runs the same guest and workload under lvbs).
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=bench_lib.sh
. /scenarios/bench_lib.sh

lvbsctl status >/dev/null 2>&1
[ $? -eq 2 ] || fail "lvbs is active in the baseline boot"
say "baseline: $ROUNDS rounds without lvbs"
bench_warmup
bench_workload
say "ok"
