/* SPDX-License-Identifier: GPL-2.0 */
/* The raw lvbs hypercall (register convention in include/lvbs/abi.h). */
#ifndef LVBS_KMOD_HCALL_H
#define LVBS_KMOD_HCALL_H

#include <asm/alternative.h>
#include <asm/cpufeatures.h>
#include <lvbs/abi.h>

/*
 * VMCALL on Intel VMX, VMMCALL on AMD SVM: each is #UD on the other
 * vendor's CPUs. The kernel sets X86_FEATURE_VMMCALL on AMD and Hygon, and
 * a module's alternatives are patched at load, so the call costs nothing
 * to choose (the same sequence as KVM_HYPERCALL in asm/kvm_para.h).
 */
#define LVBS_HCALL_INSN ALTERNATIVE("vmcall", "vmmcall", X86_FEATURE_VMMCALL)

static inline long lvbs_vmmcall(u64 nr, u64 a1, u64 a2, u64 a3, u64 *o1, u64 *o2)
{
	u64 rax = LVBS_HC(nr), rbx = a1, rcx = a2, rdx = a3;

	asm volatile(LVBS_HCALL_INSN
		     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx)
		     : : "memory");
	if (o1)
		*o1 = rbx;
	if (o2)
		*o2 = rcx;
	return (long)rax;
}

#endif
