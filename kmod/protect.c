// SPDX-License-Identifier: GPL-2.0
/*
 * The guest side's protection requests, hypervisor-agnostic: everything
 * goes through lvbs.hv (hv_backend.h).
 *
 * Control registers: the security bits the kernel runs with — CR0.PE, WP,
 * PG and CR4.SMEP, SMAP, UMIP, CET where set — are pinned on every CPU, so
 * that kernel code that clears them later (a ROP chain's raw MOV to CR4, a
 * malicious module) gets #GP instead. This is the hypervisor-enforced
 * version of the kernel's own CR pinning, which lives in writable kernel
 * data and which kernel code can skip by writing CR4 directly.
 *
 * MSRs: the kernel-entry MSRs (STAR, LSTAR, CSTAR, SFMASK, SYSENTER_CS/ESP/
 * EIP) are pinned whole, and EFER's NXE, SCE and LME bits, on every CPU to
 * that CPU's values: redirecting LSTAR is how a rootkit hooks every system
 * call, and clearing NXE makes all data executable.
 *
 * Descriptor tables: each CPU's IDTR, GDTR and TR are pinned, so that no
 * LIDT can point interrupts at a forged IDT. The tables' contents are not
 * protected yet (that needs them read-only in the SLAT).
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/smp.h>
#include <linux/atomic.h>
#include <asm/special_insns.h>
#include <asm/msr.h>
#include "lvbs.h"

struct pin_req {
	u64 cr0, cr4, efer;
	atomic_t failed, dt_unsupported;
	int err;
};

static void pin_on_cpu(void *arg)
{
	struct pin_req *req = arg;
	int r = lvbs.hv->pin_cr(0, req->cr0);
	u32 slot;

	if (!r)
		r = lvbs.hv->pin_cr(4, req->cr4);
	if (!r)
		r = lvbs.hv->pin_msr(LVBS_MSR_SLOT_EFER, req->efer);
	for (slot = LVBS_MSR_SLOT_STAR; !r && slot < LVBS_MSR_SLOTS; slot++)
		r = lvbs.hv->pin_msr(slot, ~0ULL);
	if (!r) {
		r = lvbs.hv->pin_dt();
		/*
		 * -ENOSYS: this hypervisor backend cannot pin them here (a
		 * VMX without descriptor-table exiting). Said, not hidden.
		 */
		if (r == -ENOSYS) {
			atomic_inc(&req->dt_unsupported);
			r = 0;
		}
	}
	if (r) {
		req->err = r;
		atomic_inc(&req->failed);
	}
}

int lvbs_pin_control_registers(void)
{
	struct pin_req req = {
		.cr0 = read_cr0() & LVBS_PIN_CR0_ALLOWED,
		.cr4 = __read_cr4() & LVBS_PIN_CR4_ALLOWED,
	};
	u64 efer;
	struct lvbs_info info;
	unsigned int dt_cpus;
	int r;

	rdmsrl(MSR_EFER, efer);
	req.efer = efer & LVBS_PIN_EFER_ALLOWED;
	atomic_set(&req.failed, 0);
	atomic_set(&req.dt_unsupported, 0);
	/* Every CPU pins (and so starts enforcing) for itself, in IRQ context. */
	on_each_cpu(pin_on_cpu, &req, 1);
	if (atomic_read(&req.failed)) {
		pr_err("pinning control registers failed on %d CPU(s) (%d)\n",
		       atomic_read(&req.failed), req.err);
		return req.err;
	}
	r = lvbs.hv->get_info(&info);
	if (r)
		return r;
	dt_cpus = atomic_read(&req.dt_unsupported) == lvbs.nr_cpus ? 0 : lvbs.nr_cpus;
	if (info.pinned_cpus != lvbs.nr_cpus || info.pinned_dt_cpus != dt_cpus ||
	    info.pinned_msrs != (1u << LVBS_MSR_SLOTS) - 1) {
		pr_err("pins are not enforced everywhere: CRs on %u, IDT/GDT/TR on %u of %u CPUs, MSR slots 0x%x\n",
		       info.pinned_cpus, info.pinned_dt_cpus, lvbs.nr_cpus, info.pinned_msrs);
		return -EIO;
	}
	if (!dt_cpus)
		pr_warn("IDTR, GDTR and TR are not pinned: the CPU cannot intercept their loads (VMX without descriptor-table exiting)\n");
	pr_info("pinned CR0 bits 0x%llx, CR4 bits 0x%llx, EFER bits 0x%llx, the kernel-entry MSRs%s on %u CPUs\n",
		info.pinned_cr0, info.pinned_cr4, req.efer, dt_cpus ? ", IDTR, GDTR and TR" : "",
		info.pinned_cpus);
	return 0;
}
