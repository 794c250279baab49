#!/bin/bash
# The long soak (make soak): scenario "soak" (tests/vm/scenarios/soak.sh)
# over several boots, each with its own random seed; KASLR and the
# physical placement of everything differ from boot to boot.
#
#   tests/vm/soak.sh [SECONDS_PER_BOOT [BOOTS]]     (default 600 3)
#
# Prints, per boot, the seed, what the guest did (counts per activity) and
# what lvbs reported, and judges the whole serial log as well as the
# guest's verdict: an oops, a warning, a lockup or a stall anywhere fails
# the boot. Stops at the first failing boot. Logs: $BUILD/vm/logs/soak-N.log.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

secs=${1:-600}
boots=${2:-3}
case "$secs$boots" in
*[!0-9]*) die "usage: $0 [SECONDS_PER_BOOT [BOOTS]]" ;;
esac
[ "$secs" -ge 30 ] || die "at least 30 seconds per boot"

"$VM_LIB_DIR/mkinitramfs.sh"
export LVBS_VM_NO_REBUILD=1
start=$SECONDS
for i in $(seq 1 "$boots"); do
	seed=$((RANDOM * 32768 + RANDOM))
	echo "==== soak boot $i of $boots: ${secs}s, seed $seed"
	# The guest may overrun its duration by one activity (the function
	# tracer on all functions: about 90 s under TCG), plus boot and checks.
	if ! LVBS_VM_TIMEOUT=$((secs + 300)) \
		LVBS_CMDLINE_EXTRA="lvbstest.soak_secs=$secs lvbstest.seed=$seed${LVBS_CMDLINE_EXTRA:+ $LVBS_CMDLINE_EXTRA}" \
		"$VM_LIB_DIR/run-scenario.sh" soak; then
		cp -f "$VM_LOG_DIR/soak.log" "$VM_LOG_DIR/soak-$i.log"
		echo "==== soak FAILED on boot $i (seed $seed, log $VM_LOG_DIR/soak-$i.log)"
		exit 1
	fi
	log=$VM_LOG_DIR/soak-$i.log
	cp -f "$VM_LOG_DIR/soak.log" "$log"
	tr -d '\r' <"$log" | grep -a -E '^\[soak\] (counts|lvbs|function tracer)' || true
	# The guest checked its kernel log since the launch; the serial log
	# holds everything from the first instruction on.
	bad=$(tr -d '\r' <"$log" |
		grep -a -m1 -E 'Oops|BUG:|WARNING:|general protection|Call Trace|soft lockup|rcu: INFO|stall' || true)
	if [ -n "$bad" ]; then
		echo "==== soak FAILED on boot $i (seed $seed): serial log: $bad"
		exit 1
	fi
done
echo "==== soak passed: $boots boots of ${secs}s in $((SECONDS - start))s"
