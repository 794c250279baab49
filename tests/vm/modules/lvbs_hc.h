/* SPDX-License-Identifier: GPL-2.0 */
/* Raw lvbs hypercalls for the test modules (docs/abi.md, calling convention). */
#ifndef LVBS_TEST_HC_H
#define LVBS_TEST_HC_H

#include <linux/types.h>
#include <asm/alternative.h>
#include <asm/cpufeatures.h>
#include <lvbs/abi.h>

struct hc_regs {
	u64 rax, rbx, rcx, rdx, rsi;
};

/*
 * One raw hypercall (VMMCALL on AMD, VMCALL on Intel, as lvbs.ko's
 * kmod/hcall.h); every argument register is also a result.
 */
static inline void hc_raw(struct hc_regs *r)
{
	asm volatile(ALTERNATIVE("vmcall", "vmmcall", X86_FEATURE_VMMCALL)
		     : "+a"(r->rax), "+b"(r->rbx), "+c"(r->rcx), "+d"(r->rdx),
		       "+S"(r->rsi)
		     : : "memory");
}

static inline long hc(u64 rax, u64 rbx, u64 rcx, u64 rdx, struct hc_regs *out)
{
	struct hc_regs r = { .rax = rax, .rbx = rbx, .rcx = rcx, .rdx = rdx };

	hc_raw(&r);
	if (out)
		*out = r;
	return (long)r.rax;
}

#endif
