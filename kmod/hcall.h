/* SPDX-License-Identifier: GPL-2.0 */
/* The raw lvbs hypercall (register convention in include/lvbs/abi.h). */
#ifndef LVBS_KMOD_HCALL_H
#define LVBS_KMOD_HCALL_H

#include <lvbs/abi.h>

static inline long lvbs_vmmcall(u64 nr, u64 a1, u64 a2, u64 a3, u64 *o1, u64 *o2)
{
	u64 rax = LVBS_HC(nr), rbx = a1, rcx = a2, rdx = a3;

	asm volatile("vmmcall"
		     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx)
		     : : "memory");
	if (o1)
		*o1 = rbx;
	if (o2)
		*o2 = rcx;
	return (long)rax;
}

#endif
