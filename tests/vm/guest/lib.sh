# Guest-side helpers for the scenarios (busybox sh), installed as
# /lvbs/lib.sh in the initramfs. A scenario sources it, checks, and calls
# fail "reason" on the first thing that is wrong; /init turns the exit
# status and the reason into the LVBS-SCENARIO-RESULT line.
# shellcheck shell=dash
# Variables here (OUT, RC, TEST_DMESG...) are for the scenarios.
# shellcheck disable=SC2034

LVBS_KO=/lvbs/lvbs.ko
# Not busybox's insmod, which retries a failed load (see progs/insmod.c);
# named by path because busybox's sh prefers its applets to $PATH.
INSMOD=/sbin/insmod
LVBS_TEST_KO=/lvbs/lvbs_test.ko
LVBS_SFS=/sys/kernel/security/lvbs
SCENARIO=${SCENARIO:-$(basename "$0" .sh)}

say() {
	echo "[$SCENARIO] $*"
}

# Print the reason, record it for /init, stop the scenario.
fail() {
	echo "[$SCENARIO] FAIL: $*"
	echo "$*" >/tmp/lvbs-fail-reason
	if [ -r "$LVBS_SFS/status" ]; then
		echo "[$SCENARIO] --- $LVBS_SFS/status"
		cat "$LVBS_SFS/status"
		echo "[$SCENARIO] --- $LVBS_SFS/log"
		cat "$LVBS_SFS/log"
	fi
	exit 1
}

# Put a numbered marker into the kernel log; dmesg_since prints what came
# after the last marker. (Kernel messages up to KERN_INFO also appear on the
# console as they happen: /init raised the console log level.)
MARK_N=0
dmesg_mark() {
	MARK_N=$((MARK_N + 1))
	echo "lvbs-vmtest: mark $SCENARIO $MARK_N" >/dev/kmsg
}

dmesg_since() {
	dmesg | sed -n "/lvbs-vmtest: mark $SCENARIO $MARK_N\$/,\$p"
}

# Run a command, show its output, and keep it in $OUT and its status in $RC.
run() {
	say "\$ $*"
	OUT=$("$@" 2>&1)
	RC=$?
	[ -n "$OUT" ] && echo "$OUT"
	[ "$RC" -eq 0 ] || say "(exit status $RC)"
	return 0
}

# run, and fail unless the command exits 0.
run_ok() {
	run "$@"
	[ "$RC" -eq 0 ] || fail "'$*' exited with status $RC"
}

# Value of KEY in /sys/kernel/security/lvbs/status.
status_get() {
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { exit !found }' \
		"$LVBS_SFS/status"
}

nr_online_cpus() {
	grep -c '^processor' /proc/cpuinfo
}

# insmod lvbs.ko (no parameters: the secure default); fail unless it
# launched on every online CPU.
# load_lvbs [PARAM=VALUE...]: insmod lvbs.ko (with module parameters).
load_lvbs() {
	local n

	n=$(nr_online_cpus)
	# In a batch (several scenarios in one boot: /init) an earlier part
	# may have launched lvbs already; it cannot be loaded twice.
	if [ -r "$LVBS_SFS/status" ]; then
		say "lvbs is already launched in this boot (an earlier part of the batch)${1:+; not applied: $*}"
		check_active
		return 0
	fi
	dmesg_mark
	run "$INSMOD" "$LVBS_KO" "$@"
	[ "$RC" -eq 0 ] || fail "insmod lvbs.ko failed (status $RC): $OUT"
	dmesg_since | grep -q "lvbs: launched on $n CPUs" ||
		fail "no 'lvbs: launched on $n CPUs' in dmesg after insmod"
	[ -r "$LVBS_SFS/status" ] || fail "$LVBS_SFS/status missing after launch"
}

# Check lvbs is active on every online CPU (after whatever the scenario did).
check_active() {
	local n

	n=$(nr_online_cpus)
	[ "$(status_get active)" = 1 ] || fail "status: active is not 1"
	[ "$(status_get cpus)" = "$n" ] || fail "status: cpus is $(status_get cpus), expected $n"
	[ "$(status_get cpus_online)" = "$n" ] ||
		fail "status: cpus_online is $(status_get cpus_online), expected $n"
}

# Run the workload for $1 seconds; fail unless it completes.
workload_ok() {
	run workload -q -t "$1"
	[ "$RC" -eq 0 ] || fail "workload -t $1 failed (status $RC)"
	echo "$OUT" | grep -q '^workload: OK$' || fail "workload did not print OK"
}

# Run $1 rounds of the workload; fail unless they complete. A fixed
# amount of work, for scenarios that also run under Bochs, where a guest
# second costs many seconds of wall time.
workload_rounds() {
	run workload -q -n "$1"
	[ "$RC" -eq 0 ] || fail "workload -n $1 failed (status $RC)"
	echo "$OUT" | grep -q '^workload: OK$' || fail "workload did not print OK"
}

# Insert lvbs_test.ko with an action. It never stays loaded (init returns
# -ECANCELED), so insmod's status says nothing: the verdict is in dmesg.
run_test_module() {
	dmesg_mark
	run "$INSMOD" "$LVBS_TEST_KO" "$@"
	TEST_DMESG=$(dmesg_since)
}

# After a blocked attack the kernel must still be consistent: no lock left
# held, no subsystem wedged. A module with a jump label loads and unloads
# (module text patched under text_mutex), a static key toggles, and the
# function tracer starts and stops. Each step is bounded: a lock left held
# shows up as a hang, which the timeout turns into a failure.
STILL_T=/sys/kernel/tracing
still_works() {
	local what=$1

	local rc

	dmesg_mark
	# A scenario that keeps lvbs_dummy loaded (modules) has it already:
	# lvbs_test.ko below is then the module that loads.
	if [ ! -d /sys/module/lvbs_dummy ]; then
		timeout 60 "$INSMOD" /lvbs/lvbs_dummy.ko >/dev/null 2>&1
		rc=$?
		[ "$rc" -eq 124 ] && fail "after $what: loading lvbs_dummy.ko hung"
		[ "$rc" -eq 0 ] || fail "after $what: lvbs_dummy.ko did not load (status $rc)"
		timeout 60 rmmod lvbs_dummy || fail "after $what: lvbs_dummy did not unload within 60 s"
	fi
	timeout 60 "$INSMOD" "$LVBS_TEST_KO" action=static_key >/dev/null 2>&1
	[ $? -eq 124 ] && fail "after $what: the static key toggle hung"
	dmesg_since | grep -q 'lvbs_test: PASS static_key' ||
		fail "after $what: the static key did not toggle: $(dmesg_since | grep -m1 'lvbs_test: FAIL')"
	[ -e "$STILL_T/current_tracer" ] || mount -t tracefs tracefs "$STILL_T" 2>/dev/null ||
		fail "after $what: cannot mount tracefs"
	timeout 60 sh -c "echo do_sys_openat2 >$STILL_T/set_ftrace_filter && echo function >$STILL_T/current_tracer && echo nop >$STILL_T/current_tracer && echo >$STILL_T/set_ftrace_filter" ||
		fail "after $what: the function tracer did not start and stop within 60 s"
	say "after $what: a module loads and unloads, a static key toggles, the function tracer runs"
}

# Run lvbs_test.ko with an attack; fail unless it reported PASS for it.
attack_passed() {
	local action=$1

	shift
	run_test_module action="$action" "$@"
	echo "$TEST_DMESG" | grep -q 'lvbs_test: FAIL' &&
		fail "$action: $(echo "$TEST_DMESG" | grep -m1 -o 'lvbs_test: FAIL.*')"
	echo "$TEST_DMESG" | grep -q "lvbs_test: PASS $action" ||
		fail "$action: no 'lvbs_test: PASS $action' in dmesg"
	return 0
}

# An attack run by lvbs_test.ko in its attack thread that lvbs stops with
# #GP (execution, control registers, MSRs, descriptor tables, hypervisor
# memory): the thread oopses, the module must report PASS, and the kernel
# must still work afterwards.
attack_blocked() {
	attack_passed "$@"
	echo "$TEST_DMESG" | grep -q 'general protection fault' ||
		fail "$1: no 'general protection fault' oops in dmesg"
	still_works "$1"
}

# A store attack: lvbs drops the denied store, so the writing thread goes
# on (no oops at all), the byte is unchanged, the hypervisor counted it,
# and the kernel still works afterwards.
OOPS_RE='general protection fault\|Oops\|invalid opcode'
store_blocked() {
	attack_passed "$@"
	echo "$TEST_DMESG" | grep -q "$OOPS_RE" &&
		fail "$1: the kernel oopsed: $(echo "$TEST_DMESG" | grep -m1 "$OOPS_RE")"
	still_works "$1"
}

# The benign twin of an attack: it must pass, and the hypervisor must not
# have logged it as a violation of kind $2. More arguments go to the module.
benign_ok() {
	local action=$1 kind=$2

	shift 2
	run_test_module action="$action" "$@"
	echo "$TEST_DMESG" | grep -q "lvbs_test: PASS $action" ||
		fail "$action: $(echo "$TEST_DMESG" | grep -m1 'lvbs_test: FAIL' || echo 'no verdict')"
	grep -q "kind=$kind " "$LVBS_SFS/log" &&
		fail "log: the benign $action was logged as $kind"
	return 0
}
