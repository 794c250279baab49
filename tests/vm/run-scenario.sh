#!/bin/bash
# Boot the test VM once and run one scenario in it.
#
#   tests/vm/run-scenario.sh NAME
#
# Boots $BUILD/kernel/vmlinuz with $BUILD/vm/initramfs.cpio.gz under QEMU
# (AMD SVM emulated by TCG; or Intel VMX under Bochs with
# LVBS_VM_PLATFORM=bochs), with "lvbstest.scenario=NAME" on the kernel
# command line; the guest's /init runs tests/vm/scenarios/NAME.sh. The
# serial console goes to $BUILD/vm/logs/NAME.log (and to the terminal as
# well with LVBS_VM_STREAM=1). The initramfs is rebuilt first from the
# current build outputs (tests/vm/mkinitramfs.sh).
#
# Passes iff the log has "LVBS-SCENARIO-RESULT: PASS NAME", no hypervisor
# panic (LVBS-HV-PANIC) and no kernel panic, and the VM ended by itself. On
# failure prints the reason and the end of the log, and exits 1.
# More knobs (timeout, extra QEMU arguments, kernel command line): lib.sh.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 SCENARIO[+SCENARIO...]   (one of: $(vm_scenarios | tr '\n' ' '))"
name=$1
case "$name" in
"" | *[!a-z0-9_+-]* | +* | *+ | *++*) die "bad scenario name '$name'" ;;
esac
# A+B+C: a batch, the three scenarios one after the other in one boot
# (guest/init); each part must be a scenario of its own.
for part in ${name//+/ }; do
	[ -f "$VM_LIB_DIR/scenarios/$part.sh" ] || [ -f "$VM_LIB_DIR/../../bench/scenarios/$part.sh" ] ||
		die "no scenario '$part' (tests/vm/scenarios/$part.sh); have: $(vm_scenarios | tr '\n' ' ')"
done
# Rebuilt every time (a second) so that a fresh lvbs.ko is what runs;
# run-all.sh builds it once and sets LVBS_VM_NO_REBUILD=1.
if [ "${LVBS_VM_NO_REBUILD:-0}" != 1 ]; then
	"$VM_LIB_DIR/mkinitramfs.sh" >/dev/null
fi
vm_check_inputs
vm_set_timeout "$name"
mkdir -p "$VM_LOG_DIR"
log=$VM_LOG_DIR/$name.log
vm_cmd "$name" "$log"
printf '%q ' "${VM_CMD[@]}" >"$log.cmd"
echo >>"$log.cmd"

qemu_pid=
watch_pid=
tail_pid=
# shellcheck disable=SC2317 # called through trap
cleanup() {
	local p

	for p in "$watch_pid" "$tail_pid" "$qemu_pid"; do
		[ -z "$p" ] || kill "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$SECONDS
: >"$log"
# stdin from /dev/null: the guest gets no input, and QEMU's -nographic
# console leaves the terminal's settings alone. timeout sends TERM to QEMU
# after $VM_TIMEOUT seconds (status 124), KILL 5 s later.
# Bochs writes the serial console to $log itself; its own output goes
# to $log.out.
if [ -n "$VM_SERIAL_FILE" ]; then
	timeout -k 5 "$VM_TIMEOUT" "${VM_CMD[@]}" </dev/null >"$log.out" 2>&1 &
else
	timeout -k 5 "$VM_TIMEOUT" "${VM_CMD[@]}" </dev/null >"$log" 2>&1 &
fi
qemu_pid=$!
if [ "${LVBS_VM_STREAM:-0}" = 1 ]; then
	# For people: without carriage returns, the firmware's terminal
	# escapes (they clear the screen) and QEMU's warnings about CPU
	# features TCG lacks. The log keeps everything.
	tail -n +1 -f --pid="$qemu_pid" "$log" |
		sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' \
			-e "/TCG doesn't support requested feature/d" &
	tail_pid=$!
fi

# A hypervisor panic stops the guest's CPUs but not QEMU: stop QEMU a few
# seconds after the panic report starts instead of waiting for the timeout.
# Bochs has no -no-reboot: the guest runs with panic=0, so a kernel panic
# hangs it and a reset (a triple fault, the hypervisor's platform reset)
# boots again; both stop it too (a reset shows as the kernel's restart
# message or a second init banner: loglevel=4 hides the kernel's own).
(
	while sleep 1; do
		if grep -aq "$MARK_HV_PANIC" "$log" ||
			{ [ "$VM_PLATFORM" = bochs ] &&
				{ grep -aqE "Kernel panic|reboot: Restarting system" "$log" ||
					[ "$(grep -ac "$MARK_READY" "$log")" -gt 1 ]; }; }; then
			sleep 3
			kill -TERM "$qemu_pid" 2>/dev/null
			exit 0
		fi
	done
) &
watch_pid=$!

set +e
wait "$qemu_pid"
rc=$?
set -e
qemu_pid=
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
watch_pid=
if [ -n "$tail_pid" ]; then
	wait "$tail_pid" 2>/dev/null || true
	tail_pid=
fi

verdict=$(vm_judge "$name" "$log" "$rc")
secs=$((SECONDS - start))
# A batch: each part's own verdict, as /init printed it.
if [ "${name//+/}" != "$name" ]; then
	for part in ${name//+/ }; do
		line=$(tr -d '\r' <"$log" | grep -a -m1 "^LVBS-PART-RESULT: [A-Z]* $part\(:.*\)\?\$" || true)
		if [ -n "$line" ]; then
			echo "  ${line#LVBS-PART-RESULT: }"
		else
			echo "  NONE $part: no verdict (the batch stopped before it)"
		fi
	done
fi
if [ "$verdict" = PASS ]; then
	echo "PASS $name (${secs}s, log: $log)"
	exit 0
fi
echo "FAIL $name (${secs}s)${verdict#FAIL}"
echo "---- last 60 lines of $log ----"
tail -n 60 "$log" | tr -d '\r'
echo "---- end of $log ($VM_PLATFORM command: $log.cmd) ----"
exit 1
