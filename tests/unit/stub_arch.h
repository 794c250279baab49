/* SPDX-License-Identifier: GPL-2.0 */
/* The fake backend of stub_arch.c, for host tests of hv/core's exit handling. */
#ifndef LVBS_UNIT_STUB_ARCH_H
#define LVBS_UNIT_STUB_ARCH_H

#include <setjmp.h>
#include <hv/types.h>
#include <lvbs/abi.h>

#define FAKE_CPUS	2
#define GUEST_RAM	(4u << 20)
#define HV_REGION	(64u << 10)
#define CODE_PAGE_OFF	(2u << 20)
#define CODE_GVA	0xffffffff81000000ULL
#define DATA_PAGE_OFF	(3u << 20)

struct fake_cpu {
	u64 rip, next_rip, cr0, cr3, cr4, efer;
	u32 cpl;
	bool has_nrip;
	u32 injected, inj_err, inj_has_err;
	u8 inj_vec;
	u8 dr6_bs;		/* arch_inject_db_step set DR6.BS */
	u32 flushes, efer_writes, cr_intercepts, dt_intercepts, dt_writes, aborted;
	u32 dt_written;		/* which table the last arch_write_dt() loaded */
	u32 tlb_flushes, nmis_injected, nmis_sent;
	bool deaf;		/* ignores shootdown NMIs */
	bool dt_no_intercept;	/* the backend cannot intercept LIDT/LGDT/LTR */
	u64 dt_base[2];
	u16 dt_limit[2];
	u64 rflags, cr2;
	bool compat;		/* CS.L clear: a 32-bit process */
	bool code16;		/* and CS.D clear too: 16-bit code */
	u64 seg_base[6];	/* X86_SEG_* hidden bases */
	u16 ldtr_sel, tr_sel;
	u16 ldt_ok_sel;		/* the one non-null selector arch_load_ldtr() accepts */
};

#define STUB_POOL_PAGES	512

struct fake_guest {
	u8 *ram, *percpu, *pool;
	u64 cr3;
	u64 next_free;
	/*
	 * Top of guest-physical space; 0 means 1 << 47, which covers any host
	 * heap address. The fuzzer puts RAM low and sets less, so that the
	 * SLAT of a fresh hypervisor is a few table pages, not hundreds.
	 */
	u64 phys_limit;
};

extern struct fake_cpu fake[FAKE_CPUS];
extern struct fake_guest guest;
extern u64 fake_msr[4][2];
extern u64 fake_xcr0;		/* the last XSETBV's value */
extern u32 fake_xsetbv_calls;
extern u32 fake_wbinvd_calls;
/* When set, arch_abort() longjmps here instead of calling abort(). */
extern jmp_buf *stub_abort_jmp;

void stub_reset(void);
void stub_reset_state(void);
void guest_map(u64 gva, u64 gpa);
/* As guest_map, with the leaf's flags (P, RW, US...) and US above it if asked. */
void guest_map_flags(u64 gva, u64 gpa, u64 flags);
/* The leaf entry that maps gva (guest_map made it), or NULL. */
u64 *guest_pte(u64 gva);
void guest_code(u32 cpu, const u8 *bytes, u32 n);
const struct lvbs_log_entry *last_event(void);
/*
 * A VMMCALL from @cpu at @rip, with a hardware next RIP (rip + 3), RAX =
 * @nr and RBX, RCX, RDX = @a1..@a3, as the guest makes it; returns RAX.
 */
long stub_hypercall(u32 cpu, u64 rip, u64 nr, u64 a1, u64 a2, u64 a3);

#endif
