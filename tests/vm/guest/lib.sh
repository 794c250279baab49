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

# Insert lvbs_test.ko with an action. It never stays loaded (init returns
# -ECANCELED), so insmod's status says nothing: the verdict is in dmesg.
run_test_module() {
	dmesg_mark
	run "$INSMOD" "$LVBS_TEST_KO" "$@"
	TEST_DMESG=$(dmesg_since)
}

# An attack run by lvbs_test.ko in its attack thread: lvbs must stop it with
# #GP (the thread oopses) and the module must report PASS for it.
attack_blocked() {
	local action=$1

	shift
	run_test_module action="$action" "$@"
	echo "$TEST_DMESG" | grep -q 'lvbs_test: FAIL' &&
		fail "$action: $(echo "$TEST_DMESG" | grep -m1 -o 'lvbs_test: FAIL.*')"
	echo "$TEST_DMESG" | grep -q 'general protection fault' ||
		fail "$action: no 'general protection fault' oops in dmesg"
	echo "$TEST_DMESG" | grep -q "lvbs_test: PASS $action" ||
		fail "$action: no 'lvbs_test: PASS $action' in dmesg"
}

# The benign twin of an attack: it must pass, and the hypervisor must not
# have logged it as a violation of kind $2.
benign_ok() {
	run_test_module action="$1"
	echo "$TEST_DMESG" | grep -q "lvbs_test: PASS $1" ||
		fail "$1: $(echo "$TEST_DMESG" | grep -m1 'lvbs_test: FAIL' || echo 'no verdict')"
	grep -q "kind=$2 " "$LVBS_SFS/log" &&
		fail "log: the benign $1 was logged as $2"
	return 0
}
