// SPDX-License-Identifier: GPL-2.0
/*
 * lvbs.ko: late-launches the lvbs hypervisor under the running kernel and
 * is the guest side's common layer.
 *
 * `insmod lvbs.ko` with no parameters launches on every online CPU. The
 * module cannot be unloaded once launched (it has no exit function): a
 * protection that root could switch off with rmmod would protect nothing.
 * While lvbs is active, CPU hotplug and suspend/hibernation are refused: a
 * CPU brought up later, or one coming back from S3, would run outside the
 * hypervisor.
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/cpu.h>
#include <linux/suspend.h>
#include <linux/notifier.h>
#include "lvbs.h"
#include "loader.h"

static int fail_cpu = -1;
module_param(fail_cpu, int, 0400);
MODULE_PARM_DESC(fail_cpu, "test only: make the launch on this CPU fail, to exercise the rollback (-1: none)");

static bool debug_serial = true;
module_param(debug_serial, bool, 0400);
MODULE_PARM_DESC(debug_serial, "let the hypervisor print a panic report on COM1 (default: yes)");

struct lvbs_state lvbs;
/* Found before the launch by lvbs_check_kernel(), protected after it. */
static struct lvbs_layout layout;

static int lvbs_pm_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	switch (action) {
	case PM_SUSPEND_PREPARE:
	case PM_HIBERNATION_PREPARE:
	case PM_RESTORE_PREPARE:
		pr_warn("refusing suspend/hibernation: CPUs would come back outside the hypervisor\n");
		return NOTIFY_BAD;
	}
	return NOTIFY_DONE;
}

static struct notifier_block lvbs_pm_nb = {
	.notifier_call = lvbs_pm_notify,
};

static void map_cpus(void)
{
	unsigned int i = 0;
	int cpu;

	for_each_online_cpu(cpu)
		lvbs.cpu_of_index[i++] = cpu;
}

/* After launch: ask the hypervisor itself, not our own bookkeeping. */
static int verify_launch(unsigned int expected)
{
	struct lvbs_info info;
	int r = lvbs.hv->get_info(&info);

	if (r) {
		pr_err("launched, but GET_INFO failed (%d)\n", r);
		return r;
	}
	if (info.abi_version != LVBS_ABI_VERSION || info.nr_cpus != expected) {
		pr_err("launched, but the hypervisor reports ABI %u and %u CPUs (expected %d and %u)\n",
		       info.abi_version, info.nr_cpus, LVBS_ABI_VERSION, expected);
		return -EIO;
	}
	lvbs_loader_report_exec_split(&info);
	return 0;
}

static int __init lvbs_init(void)
{
	struct lvbs_launch_result res;
	u64 seal_flags;
	int r;

	/* Parameters first: nothing is launched on a mistyped one. */
	r = lvbs_memprot_seal_flags(&seal_flags);
	if (r)
		return r;
	r = lvbs_loader_params();
	if (r)
		return r;
	r = lvbs_loader_check_cpu();
	if (r)
		return r;
	r = lvbs_check_kernel(&layout);
	if (r)
		return r;
	r = lvbs_keys_read();
	if (r)
		return r;
	/* No CPU may come or go from here on; re-enabled only if we fail. */
	cpu_hotplug_disable();
	map_cpus();
	r = lvbs_nmi_init(num_online_cpus());
	if (r)
		pr_warn("cannot register the NMI handler (%d): a guest NMI that meets a TLB shootdown kick can be lost\n", r);
	r = lvbs_loader_launch(fail_cpu, debug_serial, lvbs_nmi_mark_gpa(), &res);
	if (r) {
		lvbs_keys_free();
		lvbs_nmi_exit();
		cpu_hotplug_enable();
		if (res.failed_cpu >= 0)
			pr_err("launch failed on CPU %d (hypervisor status %ld); every CPU was taken back out, the kernel continues without lvbs\n",
			       res.failed_cpu, res.hv_status);
		else
			pr_err("launch failed (%d); the kernel continues without lvbs\n", r);
		return r;
	}
	/* From here on there is no way back: the kernel is a guest. */
	lvbs.hv = &lvbs_hv_ops_lvbs;
	lvbs.nr_cpus = res.nr_cpus;
	r = verify_launch(res.nr_cpus);
	if (r)
		pr_err("hypervisor is running but does not answer as expected; keeping it\n");
	r = lvbs_pin_control_registers();
	if (r)
		pr_err("control registers, MSRs and descriptor tables are NOT all pinned (%d); lvbsctl status shows what is\n", r);
	/* Before SEAL: the only time the hypervisor takes a key unsigned. */
	lvbs_keys_give();
	/*
	 * Before SEAL too: a module that reaches MODULE_STATE_COMING before
	 * SEAL is protected as trusted boot; after SEAL only with a check,
	 * so the checks start first (docs/module-signatures.md).
	 */
	r = lvbs_modcheck_init();
	if (r)
		pr_err("cannot watch module signature checks (%d): lvbsctl status says module_checks off; with module_trust=signed no module loads\n", r);
	r = lvbs_protect_memory(&layout, seal_flags);
	if (r)
		pr_err("kernel memory is NOT protected and the hypervisor is not sealed (%d); lvbsctl status shows what is\n", r);
	r = lvbs_poke_guard_init();
	if (r)
		pr_err("cannot register the text_poke guard (%d): a text patch the hypervisor refuses will oops with text_mutex held\n", r);
	r = register_pm_notifier(&lvbs_pm_nb);
	if (r)
		pr_err("cannot register the suspend guard (%d); do not suspend\n", r);
	r = lvbs_securityfs_init();
	if (r)
		pr_err("cannot create /sys/kernel/security/lvbs (%d)\n", r);
	pr_info("launched on %u CPUs; hypervisor at phys 0x%llx, %zu KiB, absent from the guest's memory\n",
		res.nr_cpus, (u64)res.hv_phys, res.hv_size >> 10);
	return 0;
}
module_init(lvbs_init);
/* No module_exit: see the comment at the top of this file. */

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lvbs: hypervisor-enforced kernel integrity, late-launched");
MODULE_AUTHOR("lvbs developers");
