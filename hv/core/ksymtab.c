// SPDX-License-Identifier: GPL-2.0
/*
 * A name looked up in a kernel export table in guest memory (ksymtab.h).
 *
 * The table and the strings it points to are read a piece at a time
 * through the guest's page tables, and each piece only from a page the
 * caller says is protected read-only kernel data: the kernel's rodata,
 * immutable since before SEAL. A table that the guest's page tables map
 * elsewhere, or a name pointing outside rodata, fails the lookup instead
 * of answering it. The search is the kernel's own: binary, by strcmp()
 * order, so at most log2(n) + 1 entries and names are read.
 */
#include <hv/types.h>
#include "hv.h"
#include "gwalk.h"
#include "ksymtab.h"

/*
 * Read @len bytes at @va (within one page) from protected data only: the
 * page translated once, checked, and read where it was found (a mapping
 * another CPU changes meanwhile changes nothing).
 */
static int read_protected(const struct gwalk_ctx *w, const struct ksymtab_src *src,
			  u64 va, void *dst, u32 len)
{
	u64 vpage = va & ~(u64)(PAGE_SIZE - 1), gpa;
	u32 slot = (u32)(vpage >> PAGE_SHIFT) & (KSYMTAB_TLB - 1);

	if (src->tlb && src->tlb->vpage[slot] == vpage + 1 && src->tlb->tag[slot] == src->tag) {
		gpa = src->tlb->gpa[slot];
	} else {
		if (gwalk_translate(w, vpage, &gpa, NULL))
			return KSYMTAB_E_UNPROTECTED;
		gpa &= ~(u64)(PAGE_SIZE - 1);
		if (!src->protected_page(src->ctx, gpa))
			return KSYMTAB_E_UNPROTECTED;
		if (src->tlb) {
			src->tlb->vpage[slot] = vpage + 1;
			src->tlb->tag[slot] = src->tag;
			src->tlb->gpa[slot] = gpa;
		}
	}
	memcpy(dst, gpa_ptr(gpa | (va & (PAGE_SIZE - 1))), len);
	return 0;
}

/* The same for any length, page by page. */
static int read_span(const struct gwalk_ctx *w, const struct ksymtab_src *src,
		     u64 va, u8 *dst, u32 len)
{
	while (len) {
		u32 n = (u32)MIN((u64)len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		int r = read_protected(w, src, va, dst, n);

		if (r)
			return r;
		va += n;
		dst += n;
		len -= n;
	}
	return 0;
}

static s64 rel(const u8 *p)
{
	return (s32)((u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24);
}

/*
 * strcmp(@name, the string at @va): <0, 0, >0, or an error in *err. The
 * string is read in pieces that never cross a page, up to its NUL.
 */
static int compare_name(const struct gwalk_ctx *w, const struct ksymtab_src *src,
			u64 va, const char *name, int *err)
{
	u8 buf[64];
	u32 done = 0;

	*err = 0;
	while (done < KSYMTAB_NAME_MAX) {
		u32 n = (u32)MIN((u64)sizeof(buf), PAGE_SIZE - ((va + done) & (PAGE_SIZE - 1)));

		*err = read_protected(w, src, va + done, buf, n);
		if (*err)
			return 0;
		for (u32 i = 0; i < n; i++, done++) {
			u8 a = (u8)name[done], b = buf[i];

			if (a != b)
				return a < b ? -1 : 1;
			if (!a)
				return 0;
		}
	}
	*err = KSYMTAB_E_FORMAT;	/* no NUL within the kernel's longest name */
	return 0;
}

int ksymtab_lookup(const struct gwalk_ctx *w, const struct ksymtab_src *src,
		   u64 start, u64 end, const char *name, u64 *value)
{
	u64 lo = 0, hi;
	u8 e[KSYMTAB_ENTRY];

	if (end < start || (end - start) % KSYMTAB_ENTRY || (start & 3))
		return KSYMTAB_E_FORMAT;
	hi = (end - start) / KSYMTAB_ENTRY;
	while (lo < hi) {
		u64 mid = lo + (hi - lo) / 2, ea = start + mid * KSYMTAB_ENTRY;
		int r = read_span(w, src, ea, e, sizeof(e)), c, err;

		if (r)
			return r;
		c = compare_name(w, src, ea + 4 + (u64)rel(e + 4), name, &err);
		if (err)
			return err;
		if (!c) {
			*value = ea + (u64)rel(e);
			return KSYMTAB_FOUND;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return KSYMTAB_ABSENT;
}
