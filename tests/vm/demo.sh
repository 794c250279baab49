#!/bin/bash
# The demo a newcomer runs (`make demo`): boots the Debian kernel under QEMU
# (AMD SVM emulated by TCG), launches lvbs under it, and shows it working:
# status, a workload, VM exit counts, one blocked attack on the hypervisor's
# memory, and the hypervisor's own log (tests/vm/scenarios/demo.sh).
#
# The VM's serial console streams to this terminal and to
# $BUILD/vm/logs/demo.log. Needs `make all kernel` first (make demo does it).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cat <<'INTRO'
================================================================================
 lvbs demo: a Debian kernel boots in QEMU (AMD SVM, emulated: slow but exact),
 then `insmod lvbs.ko` late-launches the lvbs hypervisor under the running
 kernel. Below is the VM's serial console; it takes well under a minute.
================================================================================
INTRO

set +e
LVBS_VM_STREAM=1 "$VM_LIB_DIR/run-scenario.sh" demo
rc=$?
set -e
echo
if [ "$rc" -eq 0 ]; then
	echo "================================================================================"
	echo " DEMO PASSED: lvbs launched on every CPU, the kernel ran normally under it,"
	echo " and the attack on the hypervisor's memory was blocked and logged."
	echo " Full console log: $VM_LOG_DIR/demo.log"
	echo "================================================================================"
else
	echo "================================================================================"
	echo " DEMO FAILED (see above). Full console log: $VM_LOG_DIR/demo.log"
	echo "================================================================================"
fi
exit "$rc"
