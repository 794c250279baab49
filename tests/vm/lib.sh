# Host-side helpers for the VM tests (sourced by the scripts in tests/vm).
#
# Environment knobs (all optional):
#   BUILD              build directory (default: <repo>/build)
#   LVBS_VM_TIMEOUT    seconds a VM may run before it is killed (default:
#                      the scenario's "# vm-timeout: N" line, else 180)
#   LVBS_VM_SMP        CPUs (default 2)         LVBS_VM_MEM  RAM (default 1G)
#   LVBS_QEMU          QEMU binary (default qemu-system-x86_64)
#   LVBS_QEMU_ACCEL    -accel argument (default tcg,thread=single; see
#                      docs/testing.md for why not multi-threaded TCG)
#   LVBS_QEMU_EXTRA    extra QEMU arguments, split at spaces
#                      (e.g. "-d int,cpu_reset -D /tmp/qemu.log")
#   LVBS_CMDLINE_EXTRA extra kernel command line
# shellcheck shell=bash
# Variables here are used by the scripts that source this file.
# shellcheck disable=SC2034

VM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_LIB_DIR/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
VM_DIR=$BUILD/vm
VM_LOG_DIR=$VM_DIR/logs
VM_KERNEL=$BUILD/kernel/vmlinuz
VM_INITRD=$VM_DIR/initramfs.cpio.gz
VM_TIMEOUT=${LVBS_VM_TIMEOUT:-180}

# Markers printed on the serial console.
MARK_READY=LVBS-INIT-READY
MARK_RESULT=LVBS-SCENARIO-RESULT
MARK_HV_PANIC=LVBS-HV-PANIC

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# Set VM_TIMEOUT for scenario $1 unless LVBS_VM_TIMEOUT is set: a scenario
# that runs for long by design (soak) says how long it may take in a
# "# vm-timeout: N" line.
vm_set_timeout() {
	local f=$VM_LIB_DIR/scenarios/$1.sh t

	[ -z "${LVBS_VM_TIMEOUT:-}" ] || return 0
	# The benchmark's scenarios boot the same way (run-scenario.sh).
	[ -f "$f" ] || f=$VM_LIB_DIR/../../bench/scenarios/$1.sh
	[ -f "$f" ] || return 0
	t=$(sed -n 's/^# vm-timeout: \([0-9][0-9]*\)$/\1/p;T;q' "$f")
	[ -z "$t" ] || VM_TIMEOUT=$t
}

# The scenario names, one per line, from tests/vm/scenarios/*.sh.
vm_scenarios() {
	local f

	for f in "$VM_LIB_DIR"/scenarios/*.sh; do
		[ -e "$f" ] || continue
		f=${f##*/}
		echo "${f%.sh}"
	done
}

vm_check_inputs() {
	command -v "${LVBS_QEMU:-qemu-system-x86_64}" >/dev/null 2>&1 ||
		die "${LVBS_QEMU:-qemu-system-x86_64} not found (run scripts/install-deps.sh)"
	[ -s "$VM_KERNEL" ] || die "no guest kernel at $VM_KERNEL (run 'make kernel')"
	[ -s "$VM_INITRD" ] || die "no initramfs at $VM_INITRD (run tests/vm/mkinitramfs.sh)"
}

# Fill the array VM_CMD with the QEMU command line for scenario $1.
# AMD SVM under TCG: there is no /dev/kvm here, and the tests need QEMU's
# emulated SVM with nested paging anyway (docs/architecture.md).
vm_qemu_cmd() {
	local name=$1 extra=() append

	# Quiet boot (loglevel=4); /init raises the console level to show
	# KERN_INFO once user space starts, so lvbs's messages and oopses
	# appear. panic=-1 with -no-reboot: a kernel panic ends QEMU at once.
	# log_buf_len: scenarios check the kernel log after long runs (soak);
	# the default 128 KiB ring could wrap and hide an oops from them.
	append="console=ttyS0,115200 loglevel=4 panic=-1 log_buf_len=8M lvbstest.scenario=$name"
	append+="${LVBS_CMDLINE_EXTRA:+ $LVBS_CMDLINE_EXTRA}"
	# Split on purpose: QEMU options are words.
	# shellcheck disable=SC2206
	[ -n "${LVBS_QEMU_EXTRA:-}" ] && extra=($LVBS_QEMU_EXTRA)
	# shellcheck disable=SC2054 # "EPYC,+svm" is one word
	VM_CMD=("${LVBS_QEMU:-qemu-system-x86_64}"
		-M q35 -cpu EPYC,+svm
		-accel "${LVBS_QEMU_ACCEL:-tcg,thread=single}"
		-smp "${LVBS_VM_SMP:-2}" -m "${LVBS_VM_MEM:-1G}"
		-nographic -no-reboot
		-kernel "$VM_KERNEL" -initrd "$VM_INITRD"
		-append "$append"
		"${extra[@]}")
}

# grep the serial log $VM_LOG without its carriage returns. Not a pipe:
# under pipefail "tr | grep -q" fails whenever grep stops at its match
# before tr has written everything (tr dies of SIGPIPE), which judged a
# passing scenario failed at random (48 of 3000 judgements of one
# complete log). A process substitution's status does not count.
vm_log_grep() {
	grep -a "$@" < <(tr -d '\r' <"$VM_LOG")
}

# Judge a finished run: prints "PASS" or "FAIL: reason".
# $1 scenario, $2 serial log, $3 QEMU's exit status (124: timed out).
vm_judge() {
	local name=$1 rc=$3 reason
	local VM_LOG=$2

	if vm_log_grep -q "$MARK_HV_PANIC"; then
		echo "FAIL: hypervisor panic: $(vm_log_grep -m1 "$MARK_HV_PANIC.*")"
	elif vm_log_grep -q "Kernel panic"; then
		echo "FAIL: $(vm_log_grep -m1 -o "Kernel panic.*")"
	elif vm_log_grep -q "$MARK_RESULT: FAIL $name:"; then
		reason=$(vm_log_grep -m1 -o "$MARK_RESULT: FAIL $name:.*")
		echo "FAIL:${reason#"$MARK_RESULT: FAIL $name:"}"
	elif vm_log_grep -q "$MARK_RESULT: PASS $name\$"; then
		if [ "$rc" = 124 ]; then
			echo "FAIL: passed, but the VM did not power off within ${VM_TIMEOUT}s"
		else
			echo PASS
		fi
	elif [ "$rc" = 124 ]; then
		if vm_log_grep -q "$MARK_READY"; then
			echo "FAIL: timeout after ${VM_TIMEOUT}s (init was running; no result)"
		else
			echo "FAIL: timeout after ${VM_TIMEOUT}s (init never started)"
		fi
	elif ! vm_log_grep -q "$MARK_READY"; then
		echo "FAIL: the VM stopped (QEMU status $rc) before init started"
	else
		echo "FAIL: the VM stopped (QEMU status $rc) without a result line"
	fi
}
