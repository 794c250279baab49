// SPDX-License-Identifier: GPL-2.0
/*
 * Software walk of the guest's long-mode page tables (see gwalk.h).
 * Entry formats: AMD APM vol. 2 sec. 5.3 "Long-Mode Page Translation" and
 * sec. 5.4 "Page-Translation-Table Entry Fields"; Intel SDM vol. 3A
 * sec. 4.5 "4-Level Paging and 5-Level Paging".
 */
#include <hv/types.h>
#include "gwalk.h"

#define GW_CR0_PG	BIT(31)
#define GW_CR0_WP	BIT(16)
#define GW_CR4_LA57	BIT(12)
#define GW_CR4_SMAP	BIT(21)
#define GW_EFER_LMA	BIT(10)
#define GW_EFER_NXE	BIT(11)

#define GW_PTE_P	BIT(0)
#define GW_PTE_RW	BIT(1)
#define GW_PTE_US	BIT(2)
#define GW_PTE_A	BIT(5)
#define GW_PTE_D	BIT(6)
#define GW_PTE_PS	BIT(7)
#define GW_PTE_NX	BIT(63)
/* Physical-address field, bits 51:12 (MAXPHYADDR is at most 52). */
#define GW_ADDR_MASK	0x000ffffffffff000ULL

/* Canonical: bits 63:width-1 all equal (APM vol. 2 sec. 5.3.1). */
static u32 gw_width(const struct gwalk_ctx *c)
{
	return (c->cr4 & GW_CR4_LA57) ? 57 : 48;
}

static bool gw_canonical(u64 va, u32 width)
{
	s64 sv = (s64)(va << (64 - width)) >> (64 - width);

	return (u64)sv == va;
}

/* One walk, with what a store needs besides the address. */
struct gw_walk {
	u64 gpa;
	u32 rights;
	u32 levels;		/* entries read */
	u64 entry_pa[5];	/* guest-physical address of each entry, top first */
	u64 entry[5];		/* and its value as read */
	bool not_present;	/* failed on an entry without P */
	bool noncanonical;
};

static int gw_walk(const struct gwalk_ctx *c, u64 gva, struct gw_walk *out)
{
	u32 levels, level, r = GW_W | GW_U;
	bool nxe;
	u64 table;

	out->levels = 0;
	out->not_present = out->noncanonical = false;
	if (!c || !c->read_gpa)
		return -1;
	if (!(c->cr0 & GW_CR0_PG) || !(c->efer & GW_EFER_LMA))
		return -1;
	levels = (c->cr4 & GW_CR4_LA57) ? 5 : 4;
	if (!gw_canonical(gva, gw_width(c))) {
		out->noncanonical = true;
		return -1;
	}
	nxe = !!(c->efer & GW_EFER_NXE);
	/* CR3 bits 11:0 are flags or the PCID; the table base is bits 51:12. */
	table = c->cr3 & GW_ADDR_MASK;

	for (level = levels; level >= 1; level--) {
		u32 shift = PAGE_SHIFT + 9 * (level - 1);
		u64 idx = (gva >> shift) & 511, e, pa = table + idx * 8;

		if (c->read_gpa(c->opaque, pa, &e, sizeof(e)))
			return -1;
		out->entry_pa[out->levels] = pa;
		out->entry[out->levels++] = e;
		if (!(e & GW_PTE_P)) {
			out->not_present = true;
			return -1;
		}
		if (!(e & GW_PTE_RW))
			r &= ~GW_W;
		if (!(e & GW_PTE_US))
			r &= ~GW_U;
		/* Without EFER.NXE bit 63 is reserved, not NX (APM 5.4.1). */
		if (nxe && (e & GW_PTE_NX))
			r |= GW_NX;
		if (level == 1 || (e & GW_PTE_PS)) {
			u64 size = 1ULL << shift;

			/* PS is reserved in PML4E/PML5E: the hardware would fault. */
			if (level > 3)
				return -1;
			/* Large leaves: bit 12 is PAT, the frame starts at bit shift. */
			out->gpa = (e & GW_ADDR_MASK & ~(size - 1)) | (gva & (size - 1));
			out->rights = r;
			return 0;
		}
		table = e & GW_ADDR_MASK;
	}
	return -1;
}

bool gwalk_canonical(const struct gwalk_ctx *c, u64 va)
{
	return gw_canonical(va, gw_width(c));
}

int gwalk_translate(const struct gwalk_ctx *c, u64 gva, u64 *gpa, u32 *rights)
{
	struct gw_walk w;

	if (!gpa || gw_walk(c, gva, &w))
		return -1;
	*gpa = w.gpa;
	if (rights)
		*rights = w.rights;
	return 0;
}

/* Paging's verdict on a data write (SDM vol. 3A 4.6 "Access Rights"). */
static u32 gw_write_denied(const struct gwalk_ctx *c, u32 rights, bool user, bool ac)
{
	if (user)
		return (rights & GW_W) && (rights & GW_U) ? 0 : 1;
	if ((c->cr0 & GW_CR0_WP) && !(rights & GW_W))
		return 1;
	/* SMAP: explicit supervisor accesses to user pages need RFLAGS.AC. */
	return (rights & GW_U) && (c->cr4 & GW_CR4_SMAP) && !ac;
}

/*
 * Set the accessed bit of every entry and the dirty bit of the leaf, as
 * the CPU does for a write, each by compare-and-exchange against the
 * value the walk read: an entry the kernel changed meanwhile (unmapped,
 * say) is left alone and the walk is done again.
 */
static int gw_set_ad(const struct gwalk_ctx *c, const struct gw_walk *w, u64 *slat_pa)
{
	for (u32 i = 0; i < w->levels; i++) {
		u64 want = w->entry[i] | GW_PTE_A | (i + 1 == w->levels ? GW_PTE_D : 0);
		int r;

		if (want == w->entry[i])
			continue;
		r = c->cmpxchg_gpa(c->opaque, w->entry_pa[i], w->entry[i], want);
		if (r == GW_SLAT)
			*slat_pa = w->entry_pa[i];
		if (r)
			return r == GW_SLAT ? GW_SLAT : -1;
	}
	return 0;
}

#define GW_AD_TRIES 8

int gwalk_write_target(const struct gwalk_ctx *c, u64 gva, bool user, bool ac,
		       u64 *gpa, u32 *pf_err)
{
	struct gw_walk w;

	if (!c || !gpa || !pf_err || !c->cmpxchg_gpa)
		return GW_FAIL;
	for (u32 t = 0; t < GW_AD_TRIES; t++) {
		u32 err = GW_PF_W | (user ? GW_PF_U : 0);

		if (gw_walk(c, gva, &w)) {
			if (w.noncanonical)
				return GW_NONCANONICAL;
			if (!w.not_present)
				return GW_FAIL;
			*pf_err = err;
			return GW_PAGE_FAULT;
		}
		if (gw_write_denied(c, w.rights, user, ac)) {
			*pf_err = err | GW_PF_P;
			return GW_PAGE_FAULT;
		}
		switch (gw_set_ad(c, &w, gpa)) {
		case 0:
			*gpa = w.gpa;
			return 0;
		case GW_SLAT:
			return GW_SLAT;
		}
	}
	return GW_RETRY;
}

int gwalk_read(const struct gwalk_ctx *c, u64 gva, void *buf, u32 len)
{
	u8 *p = buf;

	if (!c || (!buf && len))
		return -1;
	if (len && gva + (len - 1) < gva)
		return -1;
	while (len) {
		u32 chunk = (u32)MIN((u64)len, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));
		u64 gpa;

		if (gwalk_translate(c, gva, &gpa, NULL) ||
		    c->read_gpa(c->opaque, gpa, p, chunk))
			return -1;
		gva += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

/* ---- where is a physical page mapped for execution ---- */

struct gw_find {
	const struct gwalk_ctx *c;
	u64 page, lo, hi;	/* hi inclusive */
	bool nxe;
	u64 va;
	u32 found;
};

static u64 gw_sign_extend(u64 va, u32 width)
{
	return (u64)((s64)(va << (64 - width)) >> (64 - width));
}

/*
 * The entries of one table that cover [f->lo, f->hi]; base is the
 * virtual address of its entry 0 (sign-extended), shift its entry size.
 * An entry with NX (under EFER.NXE) ends the search below it: nothing it
 * maps can be executed, whatever the lower levels say.
 */
static void gw_find_in(struct gw_find *f, u64 table, u32 level, u64 base, u32 width)
{
	u32 shift = PAGE_SHIFT + 9 * (level - 1);
	u64 size = 1ULL << shift;

	for (u32 i = 0; i < 512 && f->found < 2; i++) {
		u64 va = gw_sign_extend(base + (u64)i * size, width), last = va + (size - 1), e;

		if (last < f->lo || va > f->hi)
			continue;
		if (f->c->read_gpa(f->c->opaque, table + i * 8, &e, sizeof(e)) || !(e & GW_PTE_P))
			continue;
		if (f->nxe && (e & GW_PTE_NX))
			continue;
		if (level == 1 || (level <= 3 && (e & GW_PTE_PS))) {
			u64 frame = e & GW_ADDR_MASK & ~(size - 1);

			if (f->page >= frame && f->page - frame < size) {
				f->va = va + (f->page - frame);
				f->found++;
			}
		} else if (level > 1 && !(e & GW_PTE_PS)) {
			gw_find_in(f, e & GW_ADDR_MASK, level - 1, va, width);
		}
	}
}

int gwalk_find_exec_va(const struct gwalk_ctx *c, u64 page, u64 lo, u64 hi, u64 *va)
{
	struct gw_find f = { .c = c, .page = page & ~(PAGE_SIZE - 1), .lo = lo, .hi = hi };
	u32 levels;

	if (!c || !va || !c->read_gpa || lo > hi)
		return -1;
	if (!(c->cr0 & GW_CR0_PG) || !(c->efer & GW_EFER_LMA))
		return -1;
	f.nxe = !!(c->efer & GW_EFER_NXE);
	levels = (c->cr4 & GW_CR4_LA57) ? 5 : 4;
	gw_find_in(&f, c->cr3 & GW_ADDR_MASK, levels, 0, levels == 5 ? 57 : 48);
	if (f.found != 1)
		return -1;
	*va = f.va;
	return 0;
}
