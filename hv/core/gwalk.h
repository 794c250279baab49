/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Walks the guest's own page tables (4- or 5-level long mode) to turn a
 * guest-virtual address into a guest-physical one, e.g. to fetch the bytes
 * of an intercepted instruction at guest RIP.
 */
#ifndef HV_CORE_GWALK_H
#define HV_CORE_GWALK_H

#include <hv/types.h>

struct gwalk_ctx {
	u64 cr0, cr3, cr4, efer;	/* guest values */
	/*
	 * Read len bytes of guest-physical memory at gpa into buf. Returns 0,
	 * or -1 if gpa is not guest RAM (or is hypervisor memory). Set at run
	 * time by the caller.
	 */
	int (*read_gpa)(void *opaque, u64 gpa, void *buf, u32 len);
	/*
	 * Replace the u64 at gpa with new if it still holds old, atomically
	 * (the guest's other CPUs change their page tables meanwhile), as
	 * the CPU's accessed/dirty update would: only where the SLAT lets
	 * the guest write. Returns 0; -1 if it did not hold old; GW_SLAT if
	 * the SLAT forbids the write (or it is not guest RAM). Only
	 * gwalk_write_target() uses it; may be NULL otherwise.
	 */
	int (*cmpxchg_gpa)(void *opaque, u64 gpa, u64 old, u64 new);
	void *opaque;
};

/* PTE-derived rights of a translation. */
#define GW_W	(1u << 0)	/* writable at every level */
#define GW_U	(1u << 1)	/* user at every level */
#define GW_NX	(1u << 2)	/* no-execute at some level (with EFER.NXE) */

/*
 * Translate gva. Requires CR0.PG and EFER.LMA (long mode); CR4.LA57 selects
 * 5 levels. Non-canonical addresses fail. 2 MiB / 1 GiB leaves honoured;
 * reserved bits are not checked (the hardware already accepted the tables).
 * Returns 0 with *gpa (and *rights if non-NULL), or -1.
 */
int gwalk_translate(const struct gwalk_ctx *c, u64 gva, u64 *gpa, u32 *rights);

/* Page-fault error code bits (SDM vol. 3A 4.7). */
#define GW_PF_P		(1u << 0)	/* a protection violation, not a missing page */
#define GW_PF_W		(1u << 1)
#define GW_PF_U		(1u << 2)

/* gwalk_write_target() results other than 0. */
#define GW_FAIL		(-1)	/* tables not in guest RAM, or a reserved-bit leaf */
#define GW_PAGE_FAULT	(-2)	/* the CPU would raise #PF with *pf_err */
#define GW_NONCANONICAL	(-3)	/* the CPU would raise #GP(0) */
#define GW_RETRY	(-4)	/* the tables kept changing under us: run it again */
#define GW_SLAT		(-5)	/* the A/D update of the entry at *gpa is a write the SLAT forbids */

/*
 * Where a data write of the byte at gva goes, checked as the CPU checks
 * it: at CPL 3 (user) the page must be user and writable at every level;
 * in the kernel, writable when CR0.WP is set, and not a user page when
 * CR4.SMAP is set unless RFLAGS.AC (ac) is. On success the walk's
 * accessed bits and the leaf's dirty bit are set, as the CPU sets them,
 * and *gpa is the byte's guest-physical address. GW_SLAT: setting them
 * is a write to a paging-structure page the SLAT does not let the guest
 * write (*gpa is that entry's address), which the CPU would meet as a
 * SLAT violation of its page walk. Protection keys are not
 * checked: Linux's kernel gives every page key 0, and a user page with
 * another key would be written without PKRU's say.
 */
int gwalk_write_target(const struct gwalk_ctx *c, u64 gva, bool user, bool ac,
		       u64 *gpa, u32 *pf_err);

/* Is va canonical for the guest's paging (48 bits, 57 with CR4.LA57)? */
bool gwalk_canonical(const struct gwalk_ctx *c, u64 va);

/* Read len bytes at gva, crossing page boundaries. 0 or -1. */
int gwalk_read(const struct gwalk_ctx *c, u64 gva, void *buf, u32 len);

/*
 * The one virtual address in [lo, hi] (hi inclusive) at which the tables
 * map the 4 KiB physical page of page for execution (no NX at any level,
 * with EFER.NXE): 0 with *va, or -1 if none or more than one. Mappings
 * that cannot execute are not counted: Linux leaves the kernel image's
 * high mapping of the init memory and section gaps it freed at boot in
 * place, NX, when PTI is off (free_init_pages()), and the page allocator
 * hands those pages out again, for instance as module text, which is
 * then mapped twice in the top 2 GiB (a booted 6.12 guest had 465 of its
 * 1206 module text pages so). Reads every present
 * table entry in the range, so it is for rare questions (text_poke() of a
 * site that crosses a page: textpatch.c).
 */
int gwalk_find_exec_va(const struct gwalk_ctx *c, u64 page, u64 lo, u64 hi, u64 *va);

#endif
