// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM map and hypercall buffer checks (see memmap.h). The loader's
 * ranges are copied and validated once at init; afterwards every check
 * runs against this private, sorted and merged copy.
 */
#include <hv/types.h>
#include "memmap.h"

/* Insertion sort by start: at most LVBS_MAX_RAM_RANGES entries, no recursion. */
static void sort_ranges(struct lvbs_mem_range *r, u32 n)
{
	u32 i, j;

	for (i = 1; i < n; i++) {
		struct lvbs_mem_range x = r[i];

		for (j = i; j > 0 && r[j - 1].start > x.start; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/* Merge sorted ranges that overlap or touch. Returns the new count. */
static u32 merge_ranges(struct lvbs_mem_range *r, u32 n)
{
	u32 i, out = 0;

	for (i = 0; i < n; i++) {
		if (out && r[i].start <= r[out - 1].end) {
			if (r[i].end > r[out - 1].end)
				r[out - 1].end = r[i].end;
			continue;
		}
		r[out++] = r[i];
	}
	return out;
}

/* Index of the RAM range holding [start, end) wholly, or -1. end > start. */
static int find_range(const struct hv_memmap *m, u64 start, u64 end)
{
	u32 i, n = MIN(m->nr_ram, (u32)LVBS_MAX_RAM_RANGES);

	for (i = 0; i < n; i++)
		if (start >= m->ram[i].start && end <= m->ram[i].end)
			return (int)i;
	return -1;
}

int memmap_init(struct hv_memmap *m, const struct lvbs_boot_params *p)
{
	u32 i, n;

	if (!m || !p)
		return LVBS_E_INVAL;
	memset(m, 0, sizeof(*m));
	n = p->nr_ram_ranges;
	if (n == 0 || n > LVBS_MAX_RAM_RANGES)
		return LVBS_E_INVAL;
	if (!p->guest_phys_limit || !IS_ALIGNED(p->guest_phys_limit, PAGE_SIZE))
		return LVBS_E_INVAL;
	for (i = 0; i < n; i++) {
		struct lvbs_mem_range r = p->ram[i];

		if (!IS_ALIGNED(r.start, PAGE_SIZE) || !IS_ALIGNED(r.end, PAGE_SIZE) ||
		    r.start >= r.end || r.end > p->guest_phys_limit)
			goto bad;
		m->ram[i] = r;
	}
	sort_ranges(m->ram, n);
	m->nr_ram = merge_ranges(m->ram, n);
	m->phys_limit = p->guest_phys_limit;

	/* The hypervisor region: page aligned, non-empty, inside one RAM range. */
	if (!IS_ALIGNED(p->hv_phys, PAGE_SIZE) || !IS_ALIGNED(p->hv_size, PAGE_SIZE) ||
	    !p->hv_size || p->hv_phys + p->hv_size < p->hv_phys ||
	    find_range(m, p->hv_phys, p->hv_phys + p->hv_size) < 0)
		goto bad;
	m->hv_start = p->hv_phys;
	m->hv_end = p->hv_phys + p->hv_size;
	return LVBS_OK;
bad:
	/* Leave nothing half-initialised that a later check could trust. */
	memset(m, 0, sizeof(*m));
	return LVBS_E_INVAL;
}

int memmap_check_buffer(const struct hv_memmap *m, u64 gpa, u64 len, u64 align)
{
	if (len == 0)
		return LVBS_E_INVAL;
	if (len > LVBS_MAX_XFER)
		return LVBS_E_TOOBIG;
	/* align is the caller's constant: 0 means none, else a power of two. */
	if (align == 0)
		align = 1;
	if (align & (align - 1))
		return LVBS_E_INVAL;
	if (gpa & (align - 1))
		return LVBS_E_ALIGN;
	return memmap_range_is_ram(m, gpa, gpa + len) ? LVBS_OK : LVBS_E_RANGE;
}

bool memmap_range_is_ram(const struct hv_memmap *m, u64 start, u64 end)
{
	if (!m || end <= start)
		return false;
	if (find_range(m, start, end) < 0)
		return false;
	return !(start < m->hv_end && end > m->hv_start);
}

bool memmap_is_hv(const struct hv_memmap *m, u64 gpa)
{
	return m && gpa >= m->hv_start && gpa < m->hv_end;
}

bool memmap_is_ram(const struct hv_memmap *m, u64 gpa)
{
	if (!m || gpa == ~0ULL || memmap_is_hv(m, gpa))
		return false;
	return find_range(m, gpa, gpa + 1) >= 0;
}
