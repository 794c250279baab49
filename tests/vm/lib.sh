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
#   LVBS_VM_PLATFORM   qemu (default: AMD SVM under TCG) or bochs (Intel
#                      VMX: Bochs's corei7_skylake_x model; docs/testing.md)
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
VM_PLATFORM=${LVBS_VM_PLATFORM:-qemu}
case "$VM_PLATFORM" in
qemu) VM_TIMEOUT=${LVBS_VM_TIMEOUT:-180} ;;
# Bochs boots Linux in about 70 s with one CPU and runs the guest about
# 15 times slower than TCG.
bochs) VM_TIMEOUT=${LVBS_VM_TIMEOUT:-900} ;;
*)
	echo "LVBS_VM_PLATFORM=$VM_PLATFORM: unknown; use qemu or bochs" >&2
	exit 1
	;;
esac

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
# "# vm-timeout: N" line, and under Bochs in a "# bochs-timeout: N" line.
vm_set_timeout() {
	local f=$VM_LIB_DIR/scenarios/$1.sh t key=vm-timeout part sum=0

	[ -z "${LVBS_VM_TIMEOUT:-}" ] || return 0
	# A batch (A+B+C, one boot): its parts' limits added, at most 40 min.
	if [ "${1//+/}" != "$1" ]; then
		for part in ${1//+/ }; do
			[ "$VM_PLATFORM" = qemu ] && VM_TIMEOUT=180 || VM_TIMEOUT=900
			vm_set_timeout "$part"
			sum=$((sum + VM_TIMEOUT))
		done
		VM_TIMEOUT=$((sum < 2400 ? sum : 2400))
		return 0
	fi
	# The benchmark's scenarios boot the same way (run-scenario.sh).
	[ -f "$f" ] || f=$VM_LIB_DIR/../../bench/scenarios/$1.sh
	[ -f "$f" ] || return 0
	[ "$VM_PLATFORM" = qemu ] || key=bochs-timeout
	t=$(sed -n "s/^# $key: \\([0-9][0-9]*\\)\$/\\1/p;T;q" "$f")
	[ -z "$t" ] || VM_TIMEOUT=$t
}

# The batches of tests/vm/bochs-batches, one per line; nothing (and a
# message) unless they hold every Bochs scenario exactly once.
vm_bochs_batches() {
	local f=$VM_LIB_DIR/bochs-batches batches listed want

	batches=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$f")
	listed=$(echo "$batches" | tr '+' '\n' | sort)
	want=$(VM_PLATFORM=bochs vm_scenarios | sort)
	if [ "$listed" != "$want" ]; then
		echo "${f##*/}: the batches must hold each Bochs scenario once:" >&2
		diff <(echo "$want") <(echo "$listed") >&2 || true
		return 0
	fi
	echo "$batches"
}

# The scenario names for $VM_PLATFORM, one per line, from
# tests/vm/scenarios/*.sh: a scenario runs on the platforms its
# "# platforms: ..." line names, on qemu alone without one.
vm_scenarios() {
	local f p

	for f in "$VM_LIB_DIR"/scenarios/*.sh; do
		[ -e "$f" ] || continue
		p=$(sed -n 's/^# platforms: //p;T;q' "$f")
		case " ${p:-qemu} " in
		*" $VM_PLATFORM "*) ;;
		*) continue ;;
		esac
		f=${f##*/}
		echo "${f%.sh}"
	done
}

vm_check_inputs() {
	if [ "$VM_PLATFORM" = bochs ]; then
		local t
		for t in bochs mkfs.fat syslinux mcopy unshare; do
			command -v "$t" >/dev/null 2>&1 ||
				die "$t not found (run scripts/install-deps.sh)"
		done
	else
		command -v "${LVBS_QEMU:-qemu-system-x86_64}" >/dev/null 2>&1 ||
			die "${LVBS_QEMU:-qemu-system-x86_64} not found (run scripts/install-deps.sh)"
	fi
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
	append=$(vm_append "$name" -1)
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

# The kernel command line for scenario $1, with panic=$2.
vm_append() {
	echo "console=ttyS0,115200 loglevel=4 panic=$2 log_buf_len=8M lvbstest.scenario=$1${LVBS_CMDLINE_EXTRA:+ $LVBS_CMDLINE_EXTRA}"
}

# The VM command for scenario $1 on $VM_PLATFORM, in VM_CMD; the serial
# console goes to $2. QEMU writes it to its standard output (VM_SERIAL_FILE
# empty); Bochs writes it to the file itself (VM_SERIAL_FILE=$2).
vm_cmd() {
	VM_SERIAL_FILE=
	if [ "$VM_PLATFORM" = bochs ]; then
		vm_bochs_cmd "$1" "$2"
		VM_SERIAL_FILE=$2
	else
		vm_qemu_cmd "$1"
	fi
}

# Intel VMX under Bochs (Debian's 2.7, model corei7_skylake_x: VMX with
# EPT, VPID, unrestricted guest; no MBEC, no MTF). Bochs has no -kernel:
# the kernel and initramfs go on a FAT disk that syslinux boots, made
# without root or loop devices. Fills VM_CMD for scenario $1, serial
# console to the file $2; the disk and configuration are in
# $VM_DIR/bochs/$1/.
vm_bochs_cmd() {
	local name=$1 serial=$2 dir=$VM_DIR/bochs/$1 mem=${LVBS_VM_MEM:-512M}

	case "$mem" in
	*G) mem=$((${mem%G} * 1024)) ;;
	*M) mem=${mem%M} ;;
	esac
	rm -rf "$dir"
	mkdir -p "$dir"
	# A flat image is auto-detected only if its size is C*16*63*512.
	truncate -s $((64 * 16 * 63 * 512)) "$dir/disk.img"
	mkfs.fat -F 16 -n LVBS "$dir/disk.img" >/dev/null
	syslinux --install "$dir/disk.img"
	# panic=0: no -no-reboot in Bochs, and a reboot would run the
	# scenario again; run-scenario.sh stops Bochs on a kernel panic.
	# tsc=unstable: the kernel takes the TSC's rate from the model's CPUID
	# (GHz) while Bochs counts it by instructions, so TSC time ran tens of
	# times slower than the timers' (workload -t 2 did not end in 3
	# minutes); the clocksource falls back to one Bochs times itself.
	cat >"$dir/syslinux.cfg" <<-EOF
		DEFAULT l
		PROMPT 0
		TIMEOUT 0
		LABEL l
		  LINUX /vmlinuz
		  INITRD /initrd.gz
		  APPEND $(vm_append "$name" 0) tsc=unstable
	EOF
	mcopy -i "$dir/disk.img" "$VM_KERNEL" ::vmlinuz
	mcopy -i "$dir/disk.img" "$VM_INITRD" ::initrd.gz
	mcopy -i "$dir/disk.img" "$dir/syslinux.cfg" ::syslinux.cfg
	# rfb with timeout=0: no display, and Bochs does not wait for a
	# viewer. clock sync=none: guest time follows the instruction count.
	# error: report while debugging VM entries (VMENTER FAIL lines in
	# bochs.log): LVBS_BOCHS_ERRORS=report.
	# ignore_bad_msrs=1: an MSR Bochs does not model reads 0 and ignores
	# writes (with 0, Bochs itself stops at the first one, in the boot
	# loader), so neither emulator raises #GP for absent MSRs.
	cat >"$dir/bochsrc" <<-EOF
		megs: $mem
		cpu: model=corei7_skylake_x, count=${LVBS_VM_SMP:-2}, ips=50000000, reset_on_triple_fault=1, ignore_bad_msrs=1
		romimage: file=/usr/share/bochs/BIOS-bochs-latest, options=fastboot
		vgaromimage: file=/usr/share/vgabios/vgabios.bin
		display_library: rfb, options="timeout=0"
		ata0-master: type=disk, path=$dir/disk.img, mode=flat
		boot: disk
		com1: enabled=1, mode=file, dev=$serial
		clock: sync=none, time0=local
		log: $dir/bochs.log
		panic: action=fatal
		error: action=${LVBS_BOCHS_ERRORS:-ignore}
		info: action=ignore
		debug: action=ignore
	EOF
	echo c >"$dir/c.rc"
	# unshare -n: rfb listens on every address, ports 5900-5949; a
	# network namespace of its own keeps it private and lets two Bochs
	# run side by side.
	VM_CMD=(unshare -n bochs -q -f "$dir/bochsrc" -rc "$dir/c.rc" -unlock)
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
		echo "FAIL: the VM stopped ($VM_PLATFORM status $rc) before init started"
	else
		echo "FAIL: the VM stopped ($VM_PLATFORM status $rc) without a result line"
	fi
}
