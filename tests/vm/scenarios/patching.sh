#!/bin/sh
# patching: legitimate text patching keeps working on sealed, read-only
# kernel and module text (item 10): a static key in module text, a kernel
# static key (kernel.sched_schedstats), a tracepoint, the function tracer
# on a filtered function, an (unoptimized) kprobe, and a JIT-compiled BPF
# program. Every write to protected text goes
# through the hypervisor's validated patching; none may be denied or be a
# violation, and patches_allowed must rise.
# platforms: qemu bochs
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

T=/sys/kernel/tracing

load_lvbs
[ "$(status_get sealed)" = 1 ] || fail "status: not sealed"
before=$(status_get patches_allowed)

benign_ok static_key patch_denied
# The eBPF JIT writes module-area memory through text_poke_copy and runs it.
benign_ok bpf_jit mem_violation

echo 1 >/proc/sys/kernel/sched_schedstats || fail "cannot enable sched_schedstats"
[ "$(cat /proc/sys/kernel/sched_schedstats)" = 1 ] || fail "sched_schedstats did not turn on"
echo 0 >/proc/sys/kernel/sched_schedstats || fail "cannot disable sched_schedstats"

mount -t tracefs tracefs "$T" 2>/dev/null || fail "cannot mount tracefs"
echo 1 >"$T/events/sched/sched_process_exec/enable" || fail "cannot enable a tracepoint"
workload_ok 1
echo 0 >"$T/events/sched/sched_process_exec/enable"
grep -q 'sched_process_exec' "$T/trace" || fail "the tracepoint did not fire"
echo >"$T/trace"

echo do_sys_openat2 >"$T/set_ftrace_filter" || fail "cannot set the ftrace filter"
echo function >"$T/current_tracer" || fail "cannot start the function tracer"
cat /proc/version >/dev/null
# Read the trace before stopping: changing the tracer empties the buffer.
grep -q 'do_sys_openat2' "$T/trace" || fail "the function tracer saw no do_sys_openat2"
echo nop >"$T/current_tracer"

# lvbs.ko turned kprobe optimization off (optimized kprobes are not patches).
[ "$(cat /proc/sys/debug/kprobes-optimization)" = 0 ] ||
	fail "kprobe optimization is still on"
echo 'p:lvbs_kp do_sys_openat2' >"$T/kprobe_events" || fail "cannot add a kprobe"
echo 1 >"$T/events/kprobes/lvbs_kp/enable"
cat /proc/version >/dev/null
grep -q 'lvbs_kp' "$T/trace" || fail "the kprobe did not fire"
echo 0 >"$T/events/kprobes/lvbs_kp/enable"
echo >"$T/kprobe_events"

after=$(status_get patches_allowed)
say "patches allowed: $before -> $after"
[ "$after" -gt "$before" ] || fail "status: patches_allowed did not rise"
grep -q 'kind=patch_denied \|kind=mem_violation ' "$LVBS_SFS/log" &&
	fail "log: legitimate patching was denied: $(grep -m1 'kind=patch_denied \|kind=mem_violation ' "$LVBS_SFS/log")"
[ "$(status_get patches_denied)" = 0 ] || fail "status: patches_denied is not 0"
check_active
workload_ok 2
say "ok"
