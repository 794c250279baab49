#!/bin/bash
# Run every VM scenario (tests/vm/scenarios/*.sh), or those named, one VM
# each, one after the other (QEMU's TCG wants the host's cores). Under
# Bochs (LVBS_VM_PLATFORM=bochs), where a boot costs minutes, the default
# is the batches of tests/vm/bochs-batches: a few boots, several
# scenarios each (A+B+C, run-scenario.sh).
#
#   tests/vm/run-all.sh [NAME[+NAME...]...]
#
# One line per scenario, then "N passed, M failed" alone on the last line.
# Exit status 0 only if every scenario passed. Logs: $BUILD/vm/logs.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -gt 0 ]; then
	names=("$@")
elif [ "$VM_PLATFORM" = bochs ]; then
	mapfile -t names < <(vm_bochs_batches)
	[ "${#names[@]}" -gt 0 ] || die "tests/vm/bochs-batches does not cover the Bochs scenarios"
else
	mapfile -t names < <(vm_scenarios)
fi
[ "${#names[@]}" -gt 0 ] || die "no scenarios found in $VM_LIB_DIR/scenarios"

"$VM_LIB_DIR/mkinitramfs.sh"
vm_check_inputs
export LVBS_VM_NO_REBUILD=1

passed=0
failed=0
failed_names=()
start=$SECONDS
for name in "${names[@]}"; do
	echo "==== $name"
	if "$VM_LIB_DIR/run-scenario.sh" "$name"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failed_names+=("$name")
	fi
done
echo "==== VM scenarios done in $((SECONDS - start))s${failed_names[*]:+; failed: ${failed_names[*]}}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
