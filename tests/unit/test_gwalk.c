// SPDX-License-Identifier: GPL-2.0
/* Tests of hv/core/gwalk.c on fake guest page tables in a buffer. */
#include <string.h>
#include <hv/types.h>
#include "core/gwalk.h"
#include "test.h"

#define GMEM_PAGES	32
#define P	BIT(0)
#define RW	BIT(1)
#define US	BIT(2)
#define PS	BIT(7)
#define NX	BIT(63)

#define CR0_PG		BIT(31)
#define CR4_LA57	BIT(12)
#define EFER_LMA	BIT(10)
#define EFER_NXE	BIT(11)

struct gmem {
	u8 mem[GMEM_PAGES * 4096] __attribute__((aligned(4096)));
	u32 reads;
	u32 max_read;
	bool crossed;	/* some read crossed a page boundary */
};

static struct gmem g;

static int fake_read(void *opaque, u64 gpa, void *buf, u32 len)
{
	struct gmem *m = opaque;

	m->reads++;
	if (len > m->max_read)
		m->max_read = len;
	if (len && (gpa & 4095) + len > 4096)
		m->crossed = true;
	if (gpa >= sizeof(m->mem) || len > sizeof(m->mem) - gpa)
		return -1;
	memcpy(buf, m->mem + gpa, len);
	return 0;
}

static void set_pte(u32 page, u32 idx, u64 val)
{
	memcpy(g.mem + page * 4096 + idx * 8, &val, 8);
}

static u64 gva4(u64 l4, u64 l3, u64 l2, u64 l1, u64 off)
{
	u64 va = (l4 << 39) | (l3 << 30) | (l2 << 21) | (l1 << 12) | off;

	if (va & BIT(47))
		va |= 0xffff000000000000ULL;
	return va;
}

/*
 * PML4 at page 1. PML4[1] -> PDPT page 2 -> PD page 3 -> PT page 4;
 * PT[4] -> data page 10, PT[5] not present, PT[6] read-only supervisor.
 * PD[5] 2 MiB leaf at 0x200000, PD[6] 2 MiB leaf with PAT bit 12 set.
 * PDPT[7] 1 GiB leaf at 1 GiB, RW, NX.
 * PML4[2] -> PDPT page 5 without US; PDPT5[0] -> PD page 6 (US).
 * PML4[3] NX -> PDPT page 2 (shared).
 * PML4[256] -> PDPT page 2 (kernel half).
 */
static void build4(struct gwalk_ctx *c)
{
	memset(&g, 0, sizeof(g));
	set_pte(1, 1, 0x2000 | P | RW | US);
	set_pte(2, 2, 0x3000 | P | RW | US);
	set_pte(3, 3, 0x4000 | P | RW | US);
	set_pte(4, 4, 0xa000 | P | RW | US);
	set_pte(4, 6, 0xb000 | P);
	set_pte(3, 5, 0x200000 | P | RW | PS);
	set_pte(3, 6, 0x400000 | BIT(12) | P | RW | US | PS);
	set_pte(2, 7, 0x40000000 | P | RW | US | PS | NX);
	set_pte(1, 2, 0x5000 | P | RW);
	set_pte(5, 0, 0x6000 | P | RW | US);
	set_pte(6, 0, 0x600000 | P | RW | US | PS);
	set_pte(1, 3, 0x2000 | P | RW | US | NX);
	set_pte(1, 256, 0x2000 | P | RW | US);
	set_pte(1, 4, 0x100000 | P | RW | US);	/* table beyond guest memory */
	set_pte(1, 5, 0x2000 | P | RW | US | PS);	/* PS in a PML4E */
	*c = (struct gwalk_ctx){
		.cr0 = CR0_PG | 1, .cr3 = 0x1000, .cr4 = 0, .efer = EFER_LMA | EFER_NXE | 0x500,
		.read_gpa = fake_read, .opaque = &g,
	};
}

TEST(gwalk_4level_leaves)
{
	struct gwalk_ctx c;
	u64 gpa;
	u32 r;

	build4(&c);
	CHECK_EQ(gwalk_translate(&c, gva4(1, 2, 3, 4, 0x123), &gpa, &r), 0);
	CHECK_EQ(gpa, 0xa123);
	CHECK_EQ(r, GW_W | GW_U);
	CHECK_EQ(gwalk_translate(&c, gva4(1, 2, 3, 6, 0xfff), &gpa, &r), 0);
	CHECK_EQ(gpa, 0xbfff);
	CHECK_EQ(r, 0);
	CHECK_EQ(gwalk_translate(&c, gva4(1, 2, 5, 7, 0x345), &gpa, &r), 0);
	CHECK_EQ(gpa, 0x207345);
	CHECK_EQ(r, GW_W);
	/* Bit 12 of a large leaf is PAT, not an address bit. */
	CHECK_EQ(gwalk_translate(&c, gva4(1, 2, 6, 1, 0x10), &gpa, &r), 0);
	CHECK_EQ(gpa, 0x401010);
	CHECK_EQ(gwalk_translate(&c, gva4(1, 7, 0x1ff, 0x1ff, 0xabc), &gpa, &r), 0);
	CHECK_EQ(gpa, 0x7ffffabcULL);
	CHECK_EQ(r, GW_W | GW_U | GW_NX);
	/* rights may be NULL. */
	CHECK_EQ(gwalk_translate(&c, gva4(1, 2, 3, 4, 0), &gpa, NULL), 0);
	CHECK_EQ(gpa, 0xa000);
}

TEST(gwalk_rights)
{
	struct gwalk_ctx c;
	u64 gpa;
	u32 r;

	build4(&c);
	/* U cleared by a higher level. */
	CHECK_EQ(gwalk_translate(&c, gva4(2, 0, 0, 0, 8), &gpa, &r), 0);
	CHECK_EQ(gpa, 0x600008);
	CHECK_EQ(r, GW_W);
	/* NX at the top level applies to the whole walk. */
	CHECK_EQ(gwalk_translate(&c, gva4(3, 2, 3, 4, 0), &gpa, &r), 0);
	CHECK_EQ(gpa, 0xa000);
	CHECK_EQ(r, GW_W | GW_U | GW_NX);
	/* Without EFER.NXE bit 63 means nothing. */
	c.efer &= ~EFER_NXE;
	CHECK_EQ(gwalk_translate(&c, gva4(3, 2, 3, 4, 0), &gpa, &r), 0);
	CHECK_EQ(r, GW_W | GW_U);
	CHECK_EQ(gwalk_translate(&c, gva4(1, 7, 0, 0, 0), &gpa, &r), 0);
	CHECK_EQ(r, GW_W | GW_U);
}

TEST(gwalk_failures)
{
	struct gwalk_ctx c;
	u64 gpa = 0x1234;
	u32 r;

	build4(&c);
	CHECK_EQ(gwalk_translate(&c, gva4(1, 2, 3, 5, 0), &gpa, &r), -1);	/* PTE */
	CHECK_EQ(gwalk_translate(&c, gva4(1, 2, 4, 0, 0), &gpa, &r), -1);	/* PDE */
	CHECK_EQ(gwalk_translate(&c, gva4(1, 3, 0, 0, 0), &gpa, &r), -1);	/* PDPTE */
	CHECK_EQ(gwalk_translate(&c, gva4(0, 0, 0, 0, 0), &gpa, &r), -1);	/* PML4E */
	CHECK_EQ(gwalk_translate(&c, gva4(4, 0, 0, 0, 0), &gpa, &r), -1);	/* unreadable */
	CHECK_EQ(gwalk_translate(&c, gva4(5, 0, 0, 0, 0), &gpa, &r), -1);	/* PS in PML4E */
	CHECK_EQ(gpa, 0x1234);
	/* Non-canonical. */
	CHECK_EQ(gwalk_translate(&c, 0x0000800000000000ULL, &gpa, &r), -1);
	CHECK_EQ(gwalk_translate(&c, 0x8000000000000000ULL, &gpa, &r), -1);
	CHECK_EQ(gwalk_translate(&c, 0x0001008000000000ULL | gva4(1, 2, 3, 4, 0), &gpa, &r), -1);
	/* Canonical high half works. */
	CHECK_EQ(gwalk_translate(&c, gva4(256, 2, 3, 4, 0x10), &gpa, &r), 0);
	CHECK_EQ(gpa, 0xa010);
	CHECK_EQ(gva4(256, 2, 3, 4, 0x10), 0xffff800080604010ULL);
	/* Not in long mode with paging. */
	c.cr0 &= ~CR0_PG;
	CHECK_EQ(gwalk_translate(&c, gva4(1, 2, 3, 4, 0), &gpa, &r), -1);
	c.cr0 |= CR0_PG;
	c.efer &= ~EFER_LMA;
	CHECK_EQ(gwalk_translate(&c, gva4(1, 2, 3, 4, 0), &gpa, &r), -1);
	c.efer |= EFER_LMA;
	c.read_gpa = NULL;
	CHECK_EQ(gwalk_translate(&c, gva4(1, 2, 3, 4, 0), &gpa, &r), -1);
	CHECK_EQ(gwalk_translate(NULL, 0, &gpa, &r), -1);
}

TEST(gwalk_cr3_flags_ignored)
{
	struct gwalk_ctx c;
	u64 gpa;

	build4(&c);
	c.cr3 |= 0x018;		/* PWT | PCD, or a PCID */
	CHECK_EQ(gwalk_translate(&c, gva4(1, 2, 3, 4, 0x8), &gpa, NULL), 0);
	CHECK_EQ(gpa, 0xa008);
}

TEST(gwalk_5level)
{
	struct gwalk_ctx c;
	u64 gpa, va;
	u32 r;

	build4(&c);
	/* PML5 at page 20: [3] -> the PML4 at page 1, [0x1ff] too (high half). */
	set_pte(20, 3, 0x1000 | P | RW | US);
	set_pte(20, 0x1ff, 0x1000 | P | RW);
	c.cr3 = 0x14000;
	c.cr4 |= CR4_LA57;
	va = (3ULL << 48) | gva4(1, 2, 3, 4, 0x123);
	CHECK_EQ(gwalk_translate(&c, va, &gpa, &r), 0);
	CHECK_EQ(gpa, 0xa123);
	CHECK_EQ(r, GW_W | GW_U);
	/* Bit 56 set: all bits above must be set too. */
	va = 0xff00000000000000ULL | (0x1ffULL << 48) | gva4(1, 2, 5, 0, 0x40);
	CHECK_EQ(gwalk_translate(&c, va, &gpa, &r), 0);
	CHECK_EQ(gpa, 0x200040);
	CHECK_EQ(r, GW_W);	/* PML5E without US */
	CHECK_EQ(gwalk_translate(&c, 0x0100000000000000ULL, &gpa, &r), -1);
	CHECK_EQ(gwalk_translate(&c, (4ULL << 48) | gva4(1, 2, 3, 4, 0), &gpa, &r), -1);
	/* The same address is not canonical with 4 levels. */
	c.cr4 &= ~CR4_LA57;
	c.cr3 = 0x1000;
	CHECK_EQ(gwalk_translate(&c, (3ULL << 48) | gva4(1, 2, 3, 4, 0x123), &gpa, &r), -1);
}

TEST(gwalk_read_cross_page)
{
	struct gwalk_ctx c;
	u8 buf[16], want[16];
	u64 va = gva4(1, 2, 3, 4, 0xffc);
	u32 i;

	build4(&c);
	/* PT[5] -> page 12 (not contiguous with page 10). */
	set_pte(4, 5, 0xc000 | P | RW | US);
	for (i = 0; i < 4096; i++) {
		g.mem[0xa000 + i] = (u8)(i + 1);
		g.mem[0xc000 + i] = (u8)(0x80 + i);
	}
	memcpy(want, g.mem + 0xaffc, 4);
	memcpy(want + 4, g.mem + 0xc000, 12);
	memset(buf, 0, sizeof(buf));
	g.reads = 0;
	g.crossed = false;
	CHECK_EQ(gwalk_read(&c, va, buf, 16), 0);
	CHECK(memcmp(buf, want, 16) == 0);
	CHECK_EQ(buf[0], 0xfd);
	CHECK_EQ(buf[4], 0x80);
	CHECK(!g.crossed);
	/* Whole page 10 + 1 byte: two data reads, each within a page. */
	{
		static u8 big[4097];

		g.max_read = 0;
		CHECK_EQ(gwalk_read(&c, gva4(1, 2, 3, 4, 0), big, 4097), 0);
		CHECK_EQ(big[4095], g.mem[0xafff]);
		CHECK_EQ(big[4096], 0x80);
		CHECK_EQ(g.max_read, 4096);
		CHECK(!g.crossed);
	}
	/* Next page not present: the whole read fails. */
	set_pte(4, 5, 0);
	CHECK_EQ(gwalk_read(&c, va, buf, 16), -1);
	CHECK_EQ(gwalk_read(&c, va, buf, 4), 0);
	CHECK_EQ(gwalk_read(&c, va, buf, 0), 0);
	/* Wrap at the top of the address space. */
	CHECK_EQ(gwalk_read(&c, 0xfffffffffffffffcULL, buf, 8), -1);
}

/* A compare-and-exchange that can be told to lose the race. */
static u32 cx_fail, cx_calls;

static int fake_cmpxchg(void *opaque, u64 gpa, u64 old, u64 new)
{
	struct gmem *m = opaque;
	u64 cur;

	cx_calls++;
	if (gpa + 8 > sizeof(m->mem))
		return -1;
	memcpy(&cur, m->mem + gpa, 8);
	if (cx_fail) {
		cx_fail--;
		return -1;
	}
	if (cur != old)
		return -1;
	memcpy(m->mem + gpa, &new, 8);
	return 0;
}

static u64 pte_at(u32 page, u32 idx)
{
	u64 v;

	memcpy(&v, g.mem + page * 4096 + idx * 8, 8);
	return v;
}

TEST(gwalk_write_target_checks_and_marks)
{
	struct gwalk_ctx c;
	u64 gpa;
	u32 err = 0;

	build4(&c);
	c.cmpxchg_gpa = fake_cmpxchg;
	cx_fail = cx_calls = 0;
	/* A user write to a user page: accessed on every level, dirty on the leaf only. */
	CHECK_EQ(gwalk_write_target(&c, gva4(1, 2, 3, 4, 0x10), true, false, &gpa, &err), 0);
	CHECK_EQ(gpa, 0xa010);
	CHECK_EQ(pte_at(4, 4) & (BIT(5) | BIT(6)), BIT(5) | BIT(6));
	CHECK_EQ(pte_at(3, 3) & (BIT(5) | BIT(6)), BIT(5));
	CHECK_EQ(pte_at(1, 1) & (BIT(5) | BIT(6)), BIT(5));
	/* Not present: #PF W|U; read-only supervisor page from user mode: P|W|U. */
	CHECK_EQ(gwalk_write_target(&c, gva4(1, 2, 3, 5, 0), true, false, &gpa, &err), GW_PAGE_FAULT);
	CHECK_EQ(err, GW_PF_W | GW_PF_U);
	CHECK_EQ(gwalk_write_target(&c, gva4(1, 2, 3, 6, 0), true, false, &gpa, &err), GW_PAGE_FAULT);
	CHECK_EQ(err, GW_PF_P | GW_PF_W | GW_PF_U);
	/* The kernel may write a read-only page with CR0.WP clear, not with it set. */
	CHECK_EQ(gwalk_write_target(&c, gva4(1, 2, 3, 6, 0), false, false, &gpa, &err), 0);
	c.cr0 |= BIT(16);
	CHECK_EQ(gwalk_write_target(&c, gva4(1, 2, 3, 6, 0), false, false, &gpa, &err), GW_PAGE_FAULT);
	CHECK_EQ(err, GW_PF_P | GW_PF_W);
	/* A user page, no U above it: user mode faults. */
	CHECK_EQ(gwalk_write_target(&c, gva4(2, 0, 0, 0, 0), true, false, &gpa, &err), GW_PAGE_FAULT);
	/* Non-canonical, and tables outside guest memory. */
	CHECK_EQ(gwalk_write_target(&c, 0x0000900000000000ULL, false, false, &gpa, &err),
		 GW_NONCANONICAL);
	CHECK_EQ(gwalk_write_target(&c, gva4(4, 0, 0, 0, 0), false, false, &gpa, &err), GW_FAIL);
	/* Tables that keep changing: the walk is retried, then given back. */
	set_pte(4, 4, 0xa000 | P | RW | US);
	cx_fail = 1;
	CHECK_EQ(gwalk_write_target(&c, gva4(1, 2, 3, 4, 0), true, false, &gpa, &err), 0);
	set_pte(4, 4, 0xa000 | P | RW | US);
	cx_fail = 1000;
	CHECK_EQ(gwalk_write_target(&c, gva4(1, 2, 3, 4, 0), true, false, &gpa, &err), GW_RETRY);
	cx_fail = 0;
	/* No compare-and-exchange: refused, not written without the dirty bit. */
	c.cmpxchg_gpa = NULL;
	CHECK_EQ(gwalk_write_target(&c, gva4(1, 2, 3, 4, 0), true, false, &gpa, &err), GW_FAIL);
}
