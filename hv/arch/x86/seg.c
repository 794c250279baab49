// SPDX-License-Identifier: GPL-2.0
/*
 * Segment descriptors from the guest's GDT (Intel SDM vol. 3A 3.4.5 and
 * 8.2.3; AMD APM vol. 2 4.8): what a late launch needs to describe the
 * kernel's segment registers to the CPU, on either vendor.
 */
#include <hv/types.h>
#include "seg.h"

static bool read_gdt_quad(const struct dtr *gdtr, const struct gwalk_ctx *w, u32 off, u64 *q)
{
	u64 gpa;

	if (off + 7 > gdtr->limit)
		return false;
	return !gwalk_translate(w, gdtr->base + off, &gpa, NULL) &&
	       !guest_read_phys(NULL, gpa, q, sizeof(*q));
}

void seg_read(const struct dtr *gdtr, const struct gwalk_ctx *w, u16 sel, struct x86_seg *s)
{
	u64 desc, high, limit;

	memset(s, 0, sizeof(*s));
	s->sel = sel;
	/* Null, or in an LDT: Linux's kernel never runs with either loaded. */
	if ((sel & ~3u) == 0 || (sel & 4))
		return;
	if (!read_gdt_quad(gdtr, w, sel & ~7u, &desc))
		return;
	s->attr = (u16)(((desc >> 40) & 0xff) | (((desc >> 52) & 0xf) << 8));
	limit = (desc & 0xffff) | ((desc >> 32) & 0xf0000);
	if (desc & BIT(55))
		limit = (limit << 12) | 0xfff;
	s->limit = (u32)limit;
	s->base = ((desc >> 16) & 0xffffff) | (((desc >> 56) & 0xff) << 24);
	/* A system descriptor (TSS, LDT) is 16 bytes in long mode: base 63:32 next. */
	if (!(s->attr & SEG_ATTR_S)) {
		if (!read_gdt_quad(gdtr, w, (sel & ~7u) + 8, &high))
			return;
		s->base |= (high & 0xffffffffull) << 32;
	}
	s->usable = s->attr & SEG_ATTR_P;
}
