#!/bin/sh
# soak: look for false positives the way production would. With lvbs
# sealed, three things run at once for a fixed time:
#
#   workload   a fork/exec/pipe/file storm (tests/vm/progs/workload.c)
#   patcher    the function tracer on all functions (first, then every
#              300 s), and at random: the function tracer on a filter
#              (function or function_graph), kprobe and kretprobe
#              events added and removed, a kernel static key and
#              tracepoints toggled
#   loader     at random: a chain of Debian's own modules loaded, used and
#              unloaded (an ext4 file system on a brd RAM disk, dummy and
#              veth links, xfs, nls/cdrom/udf/isofs), the test modules
#              (load/unload, a static key in module text, a JIT-compiled
#              BPF program), memory pressure (a tmpfs file filling a third
#              of RAM, dropped caches, compaction: freed pages get reused)
#
# Pass: every activity succeeded, no violation, no denied patch, no refused
# load, no oops or warning. The counts per activity and what lvbs reported
# are printed at the end ("[soak] counts: ..."). Kernel command line:
#   lvbstest.soak_secs=N   duration (default 150)
#   lvbstest.seed=N        random seed (default from the clock; printed)
# tests/vm/soak.sh (make soak) runs it over several boots, longer.
# vm-timeout: 420
# shellcheck shell=dash source-path=SCRIPTDIR
# busybox ash has $RANDOM, and assigning to it seeds it (dash has neither).
# shellcheck disable=SC3028
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

T=/sys/kernel/tracing
DM=/lvbs/debmods
FAILF=/tmp/soak.fail
COUNTS=/tmp/soak.counts

secs=150
seed=
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	lvbstest.soak_secs=*) secs=${arg#*=} ;;
	lvbstest.seed=*) seed=${arg#*=} ;;
	esac
done
[ -n "$seed" ] || seed=$(($(date +%s) % 100000))
say "duration ${secs}s, seed $seed"

# Record the first failure of any loop; the loops stop when one exists.
soak_fail() {
	echo "$*" >>"$FAILF"
	say "FAIL: $*"
}

count() {
	echo "$1" >>"$COUNTS.$2"
}

# ---- patcher activities (each undoes itself) ----

# Write $2 to tracefs file $1; on failure record $3 with the shell's
# error (the errno) and the kernel's last words, and return 1.
tr_write() {
	echo "$2" >"$T/$1" 2>/tmp/soak.err.$$ && return 0
	soak_fail "$3: $(tr '\n' ' ' </tmp/soak.err.$$)| dmesg: $(dmesg | tail -n 4 | tr '\n' '|')"
	return 1
}

ftrace_on_off() {
	local tracer=$1 filter=$2

	tr_write set_ftrace_filter "$filter" "ftrace: cannot set filter '$filter'" || return
	tr_write current_tracer "$tracer" "ftrace: cannot start $tracer" || return
	cat /proc/version >/dev/null
	ls / >/dev/null
	tr_write current_tracer nop "ftrace: cannot stop $tracer"
	echo >"$T/set_ftrace_filter"
}

kprobe_on_off() {
	echo 'p:soak_kp vfs_read' >"$T/kprobe_events" || { soak_fail "kprobe: cannot add"; return; }
	echo 'r:soak_krp do_sys_openat2' >>"$T/kprobe_events" || { soak_fail "kretprobe: cannot add"; return; }
	echo 1 >"$T/events/kprobes/enable" || soak_fail "kprobe: cannot enable"
	cat /proc/version >/dev/null
	echo 0 >"$T/events/kprobes/enable" || soak_fail "kprobe: cannot disable"
	echo >"$T/kprobe_events" || soak_fail "kprobe: cannot remove"
}

static_key_toggle() {
	echo 1 >/proc/sys/kernel/sched_schedstats || soak_fail "sched_schedstats on"
	echo 0 >/proc/sys/kernel/sched_schedstats || soak_fail "sched_schedstats off"
}

tracepoints_toggle() {
	local e

	for e in sched/sched_switch sched/sched_process_exec syscalls/sys_enter_openat; do
		[ -e "$T/events/$e/enable" ] || continue
		echo 1 >"$T/events/$e/enable" || soak_fail "tracepoint $e on"
	done
	ls / >/dev/null
	for e in sched/sched_switch sched/sched_process_exec syscalls/sys_enter_openat; do
		[ -e "$T/events/$e/enable" ] || continue
		echo 0 >"$T/events/$e/enable" || soak_fail "tracepoint $e off"
	done
	echo >"$T/trace"
}

# The function tracer on all functions takes about 90 s under TCG (see
# the thresholds below) and holds the locks module loading needs: run it
# first, while everything else runs too, then every 300 s, so that it does
# not crowd the other activities out of the soak.
ftrace_all() {
	local t0

	t0=$(date +%s)
	ftrace_on_off function ''
	say "function tracer on and off on all functions: $(($(date +%s) - t0)) s"
	count ftrace_all patcher
}

patcher() {
	local next_all=0

	RANDOM=$((seed + 1))
	while [ ! -s "$FAILF" ] && [ "$(date +%s)" -lt "$end" ]; do
		if [ "$(date +%s)" -ge "$next_all" ]; then
			ftrace_all
			next_all=$(($(date +%s) + 300))
			continue
		fi
		case $((RANDOM % 5)) in
		0) ftrace_on_off function 'vfs_read vfs_write do_sys_openat2 *_module'
		   count ftrace_filter patcher ;;
		1) ftrace_on_off function_graph 'vfs_read ksys_write'; count ftrace_graph patcher ;;
		2) kprobe_on_off; count kprobe patcher ;;
		3) static_key_toggle; count static_key patcher ;;
		4) tracepoints_toggle; count tracepoint patcher ;;
		esac
	done
}

# ---- loader activities ----

# Load chain $1 (tests/vm/debmods.sh wrote it), use it, unload it. A
# refused insmod is exactly what this soak looks for.
chain() {
	local mods m loaded=

	mods=$(sed -n "s/^$1://p" "$DM/chains")
	for m in $mods; do
		if [ "$m" = brd ]; then
			"$INSMOD" "$DM/brd.ko" rd_nr=1 rd_size=16384 >/dev/null 2>&1 ||
				{ soak_fail "insmod brd refused"; break; }
		else
			"$INSMOD" "$DM/$m.ko" >/tmp/soak.insmod 2>&1 ||
				{ soak_fail "insmod $m refused: $(cat /tmp/soak.insmod)"; break; }
		fi
		loaded="$m $loaded"
	done
	[ -s "$FAILF" ] || chain_use "$1"
	for m in $loaded; do
		rmmod "$m" || soak_fail "rmmod $m failed"
	done
}

chain_use() {
	case "$1" in
	fs)
		mkdir -p /mnt/soak
		mke2fs -q /dev/ram0 >/dev/null 2>&1 || { soak_fail "mke2fs /dev/ram0"; return; }
		mount -t ext4 /dev/ram0 /mnt/soak || { soak_fail "mount ext4"; return; }
		dd if=/dev/urandom of=/mnt/soak/f bs=64k count=64 2>/dev/null ||
			soak_fail "write to ext4"
		cat /mnt/soak/f >/dev/null || soak_fail "read from ext4"
		umount /mnt/soak || soak_fail "umount ext4"
		;;
	net)
		ip link add soak0 type dummy || { soak_fail "ip link add dummy"; return; }
		ip link set soak0 up || soak_fail "ip link set up"
		ip link add soakv0 type veth peer name soakv1 || soak_fail "ip link add veth"
		ip link del soakv0 || soak_fail "ip link del veth"
		ip link del soak0 || soak_fail "ip link del dummy"
		;;
	esac
}

test_modules() {
	case $((RANDOM % 3)) in
	0)
		"$INSMOD" /lvbs/lvbs_dummy.ko >/dev/null 2>&1 || { soak_fail "insmod lvbs_dummy refused"; return; }
		rmmod lvbs_dummy || soak_fail "rmmod lvbs_dummy"
		count lvbs_dummy loader
		;;
	*)
		a=bpf_jit
		[ $((RANDOM % 2)) = 0 ] && a=static_key
		run_test_module action="$a"
		echo "$TEST_DMESG" | grep -q "lvbs_test: PASS $a" ||
			soak_fail "lvbs_test $a: $(echo "$TEST_DMESG" | grep -m1 'lvbs_test: FAIL\|lvbs:' || echo 'no verdict')"
		count "test_$a" loader
		;;
	esac
}

memory_pressure() {
	local mb

	mb=$(awk '/MemTotal/ { print int($2 / 1024 / 3) }' /proc/meminfo)
	dd if=/dev/zero of=/tmp/soak.fill bs=1M count="$mb" 2>/dev/null ||
		soak_fail "memory pressure: cannot fill $mb MiB of tmpfs"
	rm -f /tmp/soak.fill
	echo 3 >/proc/sys/vm/drop_caches
	[ -w /proc/sys/vm/compact_memory ] && echo 1 >/proc/sys/vm/compact_memory
}

loader() {
	local c

	RANDOM=$((seed + 2))
	SCENARIO=soak-loader
	while [ ! -s "$FAILF" ] && [ "$(date +%s)" -lt "$end" ]; do
		case $((RANDOM % 7)) in
		0 | 1) c=fs ;;
		2) c=net ;;
		3) c=misc ;;
		4) c=xfs ;;
		5) test_modules; continue ;;
		6) memory_pressure; count memory loader; continue ;;
		esac
		chain "$c"
		count "chain_$c" loader
	done
}

# ---- the run ----

load_lvbs
[ "$(status_get sealed)" = 1 ] || fail "status: not sealed"
# Turning the function tracer on for all ~38,000 functions rewrites each
# call site in three validated stores (INT3, tail, head), each a VM exit,
# inside a kernel loop that does not reschedule. Under QEMU TCG an exit
# costs about 140 us (measured: 6.4 s per on or off without lvbs, 22 s
# with it, more with the other CPU busy), so the kernel's soft-lockup (20 s)
# and RCU-stall (21 s) detectors fire although the loop progresses. On
# hardware an exit costs 1-2 us: +0.2 s. Only this scenario raises them,
# to 120 s; a real hang still fails, as its activity never returns and the
# host's timeout ends the VM (docs/testing.md, "The soak").
echo 60 >/proc/sys/kernel/watchdog_thresh || fail "cannot set watchdog_thresh"
echo 120 >/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout ||
	fail "cannot set rcu_cpu_stall_timeout"
mount -t tracefs tracefs "$T" 2>/dev/null || fail "cannot mount tracefs"
[ -s "$DM/chains" ] || fail "no $DM/chains in the initramfs"
rm -f "$FAILF" "$COUNTS".*
dmesg_mark
start=$(date +%s)
end=$((start + secs))

workload -q -t "$secs" >/tmp/soak.workload 2>&1 &
wl=$!
patcher &
pa=$!
loader &
lo=$!
wait "$pa"
wait "$lo"
wait "$wl" || soak_fail "workload: $(grep -m1 FAIL /tmp/soak.workload)"
grep -q '^workload: OK$' /tmp/soak.workload || soak_fail "workload did not print OK"

summary="elapsed=$(($(date +%s) - start))s"
for f in "$COUNTS".*; do
	[ -e "$f" ] || continue
	summary="$summary $(sort "$f" | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')"
done
summary="$summary forks=$(awk '/part=fork/ { sub("ops=", "", $3); print $3 }' /tmp/soak.workload)"
say "counts: $summary"
for k in exec_control violations patches_allowed patches_denied shootdowns \
	modules_tracked dyn_exec_pages user_exec_pages wx_flips wx_mixed_pages \
	slat_pool_free slat_pool_peak slat_merges slat_coarse log_suppressed \
	modules_verified modules_failed modules_unchecked; do
	printf '%s=%s ' "$k" "$(status_get "$k")"
done >/tmp/soak.status
say "lvbs: $(cat /tmp/soak.status)"

[ -s "$FAILF" ] && fail "$(head -n 1 "$FAILF")"
# The VMs boot with a large log buffer (tests/vm/lib.sh); if the mark is
# gone anyway, the check below would see nothing: say so instead.
dmesg | grep -q "lvbs-vmtest: mark $SCENARIO $MARK_N\$" ||
	fail "the kernel log wrapped during the soak: its check would be blind"
bad=$(dmesg_since | grep -m1 -E 'Oops|BUG:|WARNING:|general protection|Call Trace|lvbs: .*(failed|refus|denied)')
[ -z "$bad" ] || fail "kernel log: $bad"
[ "$(status_get violations)" = 0 ] || fail "status: violations is $(status_get violations)"
[ "$(status_get patches_denied)" = 0 ] || fail "status: patches_denied is $(status_get patches_denied)"
# Nothing but the launch, the keys given at launch, the seal, module
# checks that verified (Debian's modules, signed by the kernel's key) and
# comparisons that found each module the same as its signed file may be
# in the hypervisor's log.
bad=$(grep -v -m1 -E 'kind=(launch|key_added|seal) |kind=module_(checked|compared) .* info0=0x0 ' "$LVBS_SFS/log")
[ -z "$bad" ] || fail "log: $bad"
[ "$(status_get modules_failed)" = 0 ] || fail "status: modules_failed is $(status_get modules_failed)"
[ "$(status_get modules_differ)" = 0 ] || fail "status: modules_differ is $(status_get modules_differ)"
[ "$(status_get modules_compare_failed)" = 0 ] ||
	fail "status: modules_compare_failed is $(status_get modules_compare_failed)"
check_active
say "ok"
