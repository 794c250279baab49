// SPDX-License-Identifier: GPL-2.0
/* Tests of hv/core/memmap.c: validation, sort/merge, buffer checks. */
#include <string.h>
#include <hv/types.h>
#include "core/memmap.h"
#include "test.h"

#define HV_BASE	0x10000000ULL
#define HV_SIZE	0x01000000ULL

static void params(struct lvbs_boot_params *p)
{
	static const struct lvbs_mem_range r[] = {
		{ 0x100000, 0x200000 },
		{ 0x0, 0x9f000 },
		{ 0x100000000ULL, 0x180000000ULL },
		{ 0x200000, 0x80000000 },		/* touches the first */
		{ 0x150000000ULL, 0x170000000ULL },	/* inside the third */
		{ 0x17f000000ULL, 0x190000000ULL },	/* overlaps its end */
	};

	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->abi_version = LVBS_ABI_VERSION;
	p->hv_phys = HV_BASE;
	p->hv_size = HV_SIZE;
	p->guest_phys_limit = 0x200000000ULL;
	p->nr_ram_ranges = ARRAY_SIZE(r);
	memcpy(p->ram, r, sizeof(r));
}

TEST(memmap_sort_merge)
{
	struct lvbs_boot_params p;
	struct hv_memmap m;

	params(&p);
	CHECK_EQ(memmap_init(&m, &p), LVBS_OK);
	CHECK_EQ(m.nr_ram, 3);
	CHECK_EQ(m.ram[0].start, 0);
	CHECK_EQ(m.ram[0].end, 0x9f000);
	CHECK_EQ(m.ram[1].start, 0x100000);
	CHECK_EQ(m.ram[1].end, 0x80000000);
	CHECK_EQ(m.ram[2].start, 0x100000000ULL);
	CHECK_EQ(m.ram[2].end, 0x190000000ULL);
	CHECK_EQ(m.hv_start, HV_BASE);
	CHECK_EQ(m.hv_end, HV_BASE + HV_SIZE);
	CHECK_EQ(m.phys_limit, 0x200000000ULL);
	/* The loader's array is not modified. */
	CHECK_EQ(p.ram[0].start, 0x100000);
}

TEST(memmap_init_errors)
{
	struct lvbs_boot_params p;
	struct hv_memmap m;

	params(&p);
	p.nr_ram_ranges = 0;
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.nr_ram_ranges = LVBS_MAX_RAM_RANGES + 1;
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.ram[2].start += 0x800;
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.ram[2].end -= 1;
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.ram[1].start = p.ram[1].end;		/* empty */
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.ram[1].start = 0x100000;		/* start > end */
	p.ram[1].end = 0x9f000;
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.guest_phys_limit = 0x18f000000ULL;	/* a range ends above it */
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.guest_phys_limit = 0x200000800ULL;
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.hv_phys += 0x10;
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.hv_size = 0x1800;
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.hv_size = 0;
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.hv_phys = 0x80000000;			/* in the hole */
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.hv_phys = 0x7ff00000;			/* runs into the hole */
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.hv_phys = 0x9e000;			/* straddles two ranges */
	p.hv_size = 0x63000;
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	params(&p);
	p.hv_phys = 0xfffffffffffff000ULL;	/* wraps */
	p.hv_size = 0x2000;
	CHECK_EQ(memmap_init(&m, &p), LVBS_E_INVAL);
	CHECK_EQ(m.nr_ram, 0);			/* nothing left to trust */
	CHECK_EQ(memmap_init(NULL, &p), LVBS_E_INVAL);
	CHECK_EQ(memmap_init(&m, NULL), LVBS_E_INVAL);
	/* 64 ranges is fine; hv region spanning merged ranges is fine. */
	params(&p);
	p.nr_ram_ranges = LVBS_MAX_RAM_RANGES;
	for (u32 i = 0; i < LVBS_MAX_RAM_RANGES; i++) {
		p.ram[i].start = (u64)(LVBS_MAX_RAM_RANGES - 1 - i) * 0x1000000;
		p.ram[i].end = p.ram[i].start + 0x1000000;
	}
	p.hv_phys = 0xff0000;
	p.hv_size = 0x20000;
	CHECK_EQ(memmap_init(&m, &p), LVBS_OK);
	CHECK_EQ(m.nr_ram, 1);
	CHECK_EQ(m.ram[0].end, 0x40000000);
}

TEST(memmap_check_buffer_order)
{
	struct lvbs_boot_params p;
	struct hv_memmap m;

	params(&p);
	CHECK_EQ(memmap_init(&m, &p), LVBS_OK);
	/* Each check wins over the later ones. */
	CHECK_EQ(memmap_check_buffer(&m, 0x80000004, 0, 8), LVBS_E_INVAL);
	CHECK_EQ(memmap_check_buffer(&m, 0x80000004, LVBS_MAX_XFER + 1, 8), LVBS_E_TOOBIG);
	CHECK_EQ(memmap_check_buffer(&m, 0x80000004, 16, 8), LVBS_E_ALIGN);
	CHECK_EQ(memmap_check_buffer(&m, HV_BASE + 4, 16, 8), LVBS_E_ALIGN);
	CHECK_EQ(memmap_check_buffer(&m, 0xfffffffffffffffcULL, 16, 8), LVBS_E_ALIGN);
	CHECK_EQ(memmap_check_buffer(&m, 0x80000000, 16, 8), LVBS_E_RANGE);
	CHECK_EQ(memmap_check_buffer(&m, 0x1000, 16, 8), LVBS_OK);
	CHECK_EQ(memmap_check_buffer(&m, 0x1000, LVBS_MAX_XFER, 8), LVBS_OK);
	CHECK_EQ(memmap_check_buffer(&m, 0x1004, 16, 4), LVBS_OK);
	CHECK_EQ(memmap_check_buffer(&m, 0x1003, 16, 1), LVBS_OK);
	CHECK_EQ(memmap_check_buffer(&m, 0x1003, 16, 0), LVBS_OK);
	CHECK_EQ(memmap_check_buffer(&m, 0x1000, 16, 12), LVBS_E_INVAL);
}

TEST(memmap_check_buffer_ranges)
{
	struct lvbs_boot_params p;
	struct hv_memmap m;

	params(&p);
	CHECK_EQ(memmap_init(&m, &p), LVBS_OK);
	/* Ends exactly at a range end; crosses it into a hole. */
	CHECK_EQ(memmap_check_buffer(&m, 0x9eff0, 16, 8), LVBS_OK);
	CHECK_EQ(memmap_check_buffer(&m, 0x9eff8, 16, 8), LVBS_E_RANGE);
	/* Straddles two RAM ranges that are not adjacent. */
	CHECK_EQ(memmap_check_buffer(&m, 0x9f000 - 0x800, 0x1000, 8), LVBS_E_RANGE);
	CHECK_EQ(memmap_check_buffer(&m, 0x7ffffff8, 16, 8), LVBS_E_RANGE);
	/* Across the seam of two touching (merged) ranges: fine. */
	CHECK_EQ(memmap_check_buffer(&m, 0x1ffff8, 16, 8), LVBS_OK);
	CHECK_EQ(memmap_check_buffer(&m, 0x17ffffff8ULL, 16, 8), LVBS_OK);
	/* The hypervisor region. */
	CHECK_EQ(memmap_check_buffer(&m, HV_BASE - 16, 16, 8), LVBS_OK);
	CHECK_EQ(memmap_check_buffer(&m, HV_BASE - 8, 16, 8), LVBS_E_RANGE);
	CHECK_EQ(memmap_check_buffer(&m, HV_BASE + 0x1000, 16, 8), LVBS_E_RANGE);
	CHECK_EQ(memmap_check_buffer(&m, HV_BASE + HV_SIZE - 8, 16, 8), LVBS_E_RANGE);
	CHECK_EQ(memmap_check_buffer(&m, HV_BASE + HV_SIZE, 16, 8), LVBS_OK);
	/* Wrap-around at 2^64. */
	CHECK_EQ(memmap_check_buffer(&m, 0xfffffffffffffff8ULL, 16, 8), LVBS_E_RANGE);
	CHECK_EQ(memmap_check_buffer(&m, 0xfffffffffffffff8ULL, 8, 8), LVBS_E_RANGE);
	CHECK_EQ(memmap_check_buffer(&m, 0xffffffffffff0000ULL, LVBS_MAX_XFER, 8),
		 LVBS_E_RANGE);
	/* Above the last range, below the limit. */
	CHECK_EQ(memmap_check_buffer(&m, 0x1a0000000ULL, 16, 8), LVBS_E_RANGE);
	CHECK_EQ(memmap_check_buffer(NULL, 0x1000, 16, 8), LVBS_E_RANGE);
}

TEST(memmap_buffer_over_small_hole)
{
	struct lvbs_boot_params p;
	struct hv_memmap m;

	/* Two RAM ranges one page apart: a 64 KiB buffer could span both. */
	params(&p);
	p.nr_ram_ranges = 2;
	p.ram[0] = (struct lvbs_mem_range){ 0x1000000, 0x1008000 };
	p.ram[1] = (struct lvbs_mem_range){ 0x1009000, 0x1100000 };
	p.hv_phys = 0x1010000;
	p.hv_size = 0x10000;
	CHECK_EQ(memmap_init(&m, &p), LVBS_OK);
	CHECK_EQ(m.nr_ram, 2);
	CHECK_EQ(memmap_check_buffer(&m, 0x1000000, 0x8000, 8), LVBS_OK);
	CHECK_EQ(memmap_check_buffer(&m, 0x1000000, 0x10000, 8), LVBS_E_RANGE);
	CHECK_EQ(memmap_check_buffer(&m, 0x1007ff8, 0x1010, 8), LVBS_E_RANGE);
	CHECK_EQ(memmap_check_buffer(&m, 0x1009000, 0x7000, 8), LVBS_OK);
	/* Inside RAM, spans the whole hypervisor region. */
	CHECK_EQ(memmap_check_buffer(&m, 0x100f000, 0x10000, 8), LVBS_E_RANGE);
}

TEST(memmap_is_hv_is_ram)
{
	struct lvbs_boot_params p;
	struct hv_memmap m;

	params(&p);
	CHECK_EQ(memmap_init(&m, &p), LVBS_OK);
	CHECK(memmap_is_ram(&m, 0));
	CHECK(memmap_is_ram(&m, 0x9efff));
	CHECK(!memmap_is_ram(&m, 0x9f000));
	CHECK(memmap_is_ram(&m, 0x100000));
	CHECK(!memmap_is_ram(&m, HV_BASE));
	CHECK(!memmap_is_ram(&m, HV_BASE + HV_SIZE - 1));
	CHECK(memmap_is_ram(&m, HV_BASE + HV_SIZE));
	CHECK(memmap_is_ram(&m, HV_BASE - 1));
	CHECK(memmap_is_ram(&m, 0x18fffffffULL));
	CHECK(!memmap_is_ram(&m, 0x190000000ULL));
	CHECK(!memmap_is_ram(&m, ~0ULL));
	CHECK(memmap_is_hv(&m, HV_BASE));
	CHECK(memmap_is_hv(&m, HV_BASE + HV_SIZE - 1));
	CHECK(!memmap_is_hv(&m, HV_BASE + HV_SIZE));
	CHECK(!memmap_is_hv(&m, HV_BASE - 1));
	CHECK(!memmap_is_hv(NULL, HV_BASE));
	CHECK(!memmap_is_ram(NULL, 0));
}
