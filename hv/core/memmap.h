/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the hypervisor knows of guest-physical memory: the RAM ranges (given
 * by the loader at init, while the kernel is still trusted) and its own
 * region. Every guest buffer a hypercall names is checked here first.
 */
#ifndef HV_CORE_MEMMAP_H
#define HV_CORE_MEMMAP_H

#include <hv/types.h>
#include <lvbs/abi.h>

struct hv_memmap {
	u32 nr_ram;
	struct lvbs_mem_range ram[LVBS_MAX_RAM_RANGES];	/* sorted, merged */
	u64 hv_start, hv_end;		/* hypervisor region [start, end) */
	u64 phys_limit;			/* SLAT identity map covers [0, limit) */
};

/*
 * Copy and validate the loader's description: ranges page aligned,
 * start < end <= phys_limit, at most LVBS_MAX_RAM_RANGES; sorts and merges
 * touching/overlapping ranges; the hypervisor region must be page aligned
 * and inside RAM. Returns LVBS_OK or LVBS_E_INVAL.
 */
int memmap_init(struct hv_memmap *m, const struct lvbs_boot_params *p);

/*
 * May the guest name [gpa, gpa+len) as a hypercall buffer? Checked in this
 * order: len == 0 -> LVBS_E_INVAL; len > LVBS_MAX_XFER -> LVBS_E_TOOBIG;
 * gpa not a multiple of align -> LVBS_E_ALIGN; wrap-around, not wholly
 * inside one RAM range, or overlapping the hypervisor -> LVBS_E_RANGE.
 * Otherwise LVBS_OK.
 */
int memmap_check_buffer(const struct hv_memmap *m, u64 gpa, u64 len, u64 align);

bool memmap_is_hv(const struct hv_memmap *m, u64 gpa);
bool memmap_is_ram(const struct hv_memmap *m, u64 gpa);	/* RAM and not hypervisor */
/* [start, end) non-empty, inside one RAM range, not touching the hypervisor. */
bool memmap_range_is_ram(const struct hv_memmap *m, u64 start, u64 end);

#endif
