/* SPDX-License-Identifier: GPL-2.0 */
/* Segment descriptors read from the guest's GDT, for both backends. */
#ifndef HV_ARCH_X86_SEG_H
#define HV_ARCH_X86_SEG_H

#include <hv/types.h>
#include <hv/x86.h>
#include "../../core/hv.h"
#include "../../core/gwalk.h"

/*
 * A segment register's hidden part. attr holds the descriptor's bits
 * 47:40 and 55:52 packed into 12 bits (type 3:0, S 4, DPL 6:5, P 7, AVL 8,
 * L 9, D/B 10, G 11), which is the VMCB's layout; VMX's access rights are
 * seg_vmx_ar(). A null selector, or one that cannot be read, is unusable.
 */
struct x86_seg {
	u16 sel;
	u16 attr;
	u32 limit;		/* scaled by G */
	u64 base;
	bool usable;
};

#define SEG_ATTR_S		BIT(4)
#define SEG_ATTR_P		BIT(7)

void seg_read(const struct dtr *gdtr, const struct gwalk_ctx *w, u16 sel, struct x86_seg *s);

/* VMX access rights (SDM 25.4.1): bits 15:12 are the descriptor's 55:52. */
static inline u32 seg_vmx_ar(const struct x86_seg *s)
{
	if (!s->usable)
		return BIT(16);
	return (s->attr & 0xffu) | ((u32)(s->attr & 0xf00u) << 4);
}


#endif
