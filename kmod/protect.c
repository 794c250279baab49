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
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/smp.h>
#include <linux/atomic.h>
#include <asm/special_insns.h>
#include "lvbs.h"

struct pin_req {
	u64 cr0, cr4;
	atomic_t failed;
	int err;
};

static void pin_on_cpu(void *arg)
{
	struct pin_req *req = arg;
	int r = lvbs.hv->pin_cr(0, req->cr0);

	if (!r)
		r = lvbs.hv->pin_cr(4, req->cr4);
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
	struct lvbs_info info;
	int r;

	atomic_set(&req.failed, 0);
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
	if (info.pinned_cpus != lvbs.nr_cpus) {
		pr_err("control-register pins are enforced on %u of %u CPUs\n",
		       info.pinned_cpus, lvbs.nr_cpus);
		return -EIO;
	}
	pr_info("pinned CR0 bits 0x%llx and CR4 bits 0x%llx on %u CPUs\n",
		info.pinned_cr0, info.pinned_cr4, info.pinned_cpus);
	return 0;
}
