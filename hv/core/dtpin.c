// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptor-table pinning. Once a CPU has called LVBS_HC_PIN_DT, its
 * LIDT, LGDT and LTR exit to the hypervisor (on VMX the other
 * descriptor-table instructions too: vcpu_handle_dt_access() below
 * carries them out). LIDT/LGDT are decoded, their
 * 10-byte operand is read once through the guest's page tables, and the
 * load is done for the guest only if it names the pinned table (base and
 * limit) again; otherwise #GP and a dt_pin log entry. LTR is always
 * refused: Linux loads TR once per CPU, at bring-up.
 *
 * This pins which tables the CPU uses. It does not stop writes to the
 * tables' contents; that needs their pages read-only in the SLAT (the
 * permission database, issue 3).
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "hv.h"
#include "gwalk.h"
#include "insn.h"
#include "memmap.h"
#include "slat.h"


long dtpin_request(struct hv_cpu *c)
{
	int r;

	arch_read_dt(c, LVBS_DT_IDTR, &c->dt_base[LVBS_DT_IDTR], &c->dt_limit[LVBS_DT_IDTR]);
	arch_read_dt(c, LVBS_DT_GDTR, &c->dt_base[LVBS_DT_GDTR], &c->dt_limit[LVBS_DT_GDTR]);
	/* A backend that cannot intercept them refuses: nothing pinned. */
	r = arch_intercept_dt_writes(c);
	if (r)
		return r;
	c->dt_pinned = 1;
	return LVBS_OK;
}

u32 dtpin_cpus(void)
{
	u32 n = 0;

	for (u32 i = 0; i < hv.nr_cpus; i++) {
		struct hv_cpu *c = hv_cpu_of(i);

		if (READ_ONCE(c->state) == CPU_RUNNING && READ_ONCE(c->dt_pinned))
			n++;
	}
	return n;
}

static void refuse(struct hv_cpu *c, u32 which, u64 base)
{
	hv_log_event(c, LVBS_EV_DT_PIN, LVBS_ACC_WRITE, LVBS_ACT_INJECT_GP, 0, which, base);
	arch_inject(c, X86_VEC_GP, true, 0);
}

/* An intercepted instruction the core cannot carry out: #GP, logged. */
static void cannot_emulate(struct hv_cpu *c, u32 op)
{
	hv_log_event(c, LVBS_EV_INSN_DECODE, 0, LVBS_ACT_INJECT_GP, 0, op, 0);
	arch_inject(c, X86_VEC_GP, true, 0);
}

/* The segment of a memory operand in 32-bit code: the prefix's, else DS or SS. */
static u32 operand_seg(const struct insn *in)
{
	switch (in->seg) {
	case 0x26: return X86_SEG_ES;
	case 0x2e: return X86_SEG_CS;
	case 0x36: return X86_SEG_SS;
	case 0x3e: return X86_SEG_DS;
	case 0x64: return X86_SEG_FS;
	case 0x65: return X86_SEG_GS;
	}
	return in->mem_base == REG_RSP || in->mem_base == REG_RBP ? X86_SEG_SS : X86_SEG_DS;
}

/*
 * The linear address of the memory operand. In 64-bit mode only FS and
 * GS have a base; in 32-bit code every segment's base counts and the
 * address wraps at 4 GiB. Segment limits are not checked: Linux gives
 * user space flat 4 GiB segments, and a process that loads its own
 * smaller one (modify_ldt) could store past that limit into its own
 * pages, with its own page rights.
 */
static u64 operand_addr(struct hv_cpu *c, const struct insn *in)
{
	if (in->compat)
		return (u32)(insn_mem_addr(in, c->regs, 0, 0, 0) +
			     arch_seg_base(c, operand_seg(in)));
	return insn_mem_addr(in, c->regs, arch_rip(c) + in->len,
			     arch_guest_msr(c, MSR_FS_BASE), arch_guest_msr(c, MSR_GS_BASE));
}

/* LIDT/LGDT: loaded for the guest only if it names the pinned table again. */
static void dt_load(struct hv_cpu *c, u32 which, const struct insn *in)
{
	struct gwalk_ctx w;
	u8 raw[10];
	u16 limit;
	u64 base;

	vcpu_guest_walker(c, &w);
	if (in->mod == 3 || gwalk_read(&w, operand_addr(c, in), raw, sizeof(raw))) {
		/* Operand not readable (the CPU would fault) or not memory. */
		cannot_emulate(c, in->op);
		return;
	}
	memcpy(&limit, raw, 2);
	memcpy(&base, raw + 2, 8);
	if (base != c->dt_base[which] || limit != c->dt_limit[which]) {
		refuse(c, which, base);
		return;
	}
	arch_write_dt(c, which, base, limit);
	vcpu_insn_done(c, arch_rip(c) + in->len);
}

/* SVM intercepts the three writes only, each with an exit code of its own. */
void vcpu_handle_dt_write(struct hv_cpu *c, u32 which)
{
	u32 want = which == LVBS_DT_IDTR ? INSN_LIDT : INSN_LGDT;
	struct insn in;

	vcpu_count_exit(c, LVBS_EXIT_DT_ACCESS);
	if (which == LVBS_DT_TR) {
		refuse(c, which, 0);
		return;
	}
	if (vcpu_decode_at_rip(c, &in) || in.lock || in.op != want) {
		cannot_emulate(c, want);
		return;
	}
	dt_load(c, which, &in);
}

/*
 * Store len bytes at the guest-virtual address gva as the instruction at
 * RIP would, with the CPL's rights: paging is checked first (a #PF with
 * the CPU's error code, which the kernel handles as for any store: it
 * faults the page in, or sends SIGSEGV) for every byte before anything
 * is written (the accessed and dirty bits it sets go through the SLAT
 * too), then the SLAT for every page of the store, before any byte is
 * written: where the SLAT does not let the guest write a page now, its
 * own fault handling decides, as for the CPU's store (slat_handle_npf: a
 * page user code ran gets write back under W^X, a violation is logged
 * and gets #GP), and the instruction runs again. Memory that is not RAM
 * (a device's BAR mapped into a process) gets #GP and an insn_decode
 * entry. Returns 0
 * when done; otherwise the exception is injected (or the instruction
 * is left to run again) and -1 returned.
 */
static int guest_store(struct hv_cpu *c, u64 gva, const void *src, u32 len)
{
	struct gwalk_ctx w;
	struct guest_ctl g;
	bool user = arch_cpl(c) == 3;
	u64 gpa[2], va[2], refused;
	u32 err, n[2], pieces, n0 = (u32)MIN((u64)len, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));

	arch_guest_ctl(c, &g);
	vcpu_guest_walker(c, &w);
	pieces = n0 < len ? 2 : 1;
	va[0] = gva;
	/* 32-bit code's addresses wrap at 4 GiB, within the store too. */
	va[1] = g.cs_long ? gva + n0 : (u32)(gva + n0);
	n[0] = n0;
	n[1] = len - n0;
	for (u32 i = 0; i < pieces; i++) {
		int r = gwalk_write_target(&w, va[i], user, !!(g.rflags & X86_EFLAGS_AC),
					   &gpa[i], &err);

		switch (r) {
		case 0:
			continue;
		case GW_PAGE_FAULT:
			arch_inject_pf(c, va[i], err);
			return -1;
		case GW_RETRY:
			return -1;	/* RIP unchanged: the guest runs it again */
		case GW_SLAT:
			/* The walk's A/D update meets the SLAT, as the CPU's would. */
			slat_handle_npf(c, gpa[i], LVBS_ACC_WRITE | LVBS_ACC_PTWALK |
					(user ? LVBS_ACC_USER : 0));
			return -1;
		default:
			arch_inject(c, X86_VEC_GP, true, 0);
			return -1;
		}
	}
	if (slat_store_as_guest(gpa, n, pieces, src, &refused))
		return 0;
	if (!memmap_is_ram(&hv.mem, refused) && !memmap_is_hv(&hv.mem, refused)) {
		cannot_emulate(c, INSN_UNKNOWN);
		return -1;
	}
	slat_handle_npf(c, refused, LVBS_ACC_WRITE | (user ? LVBS_ACC_USER : 0));
	return -1;
}

/*
 * SGDT/SIDT: limit and base, 10 bytes in 64-bit mode; in 32-bit code 6,
 * the base's low 32 bits (SDM vol. 2 "SGDT": the full 32 bits whatever
 * the operand size).
 */
static int dt_store_table(struct hv_cpu *c, const struct insn *in)
{
	u8 raw[10];
	u16 limit;
	u64 base;

	if (in->mod == 3)
		return -1;
	arch_read_dt(c, in->op == INSN_SIDT ? LVBS_DT_IDTR : LVBS_DT_GDTR, &base, &limit);
	memcpy(raw, &limit, 2);
	memcpy(raw + 2, &base, 8);
	return guest_store(c, operand_addr(c, in), raw, in->compat ? 6 : 10) ? 1 : 0;
}

/*
 * SLDT/STR: the selector, zero-extended into a 32- or 64-bit register,
 * into the low 16 bits of a 16-bit one, or 2 bytes to memory.
 */
static int dt_store_sel(struct hv_cpu *c, const struct insn *in)
{
	u16 sel = arch_read_sel(c, in->op == INSN_SLDT ? X86_SEL_LDTR : X86_SEL_TR);

	if (in->mod != 3)
		return guest_store(c, operand_addr(c, in), &sel, 2) ? 1 : 0;
	if (in->width == 2)
		c->regs[in->rm] = (c->regs[in->rm] & ~0xffffull) | sel;
	else
		c->regs[in->rm] = sel;
	return 0;
}

/* LLDT: the selector from a register or memory, loaded from the GDT. */
static int dt_lldt(struct hv_cpu *c, const struct insn *in)
{
	struct gwalk_ctx w;
	u16 sel;

	if (in->mod == 3) {
		sel = (u16)c->regs[in->rm];
	} else {
		vcpu_guest_walker(c, &w);
		if (gwalk_read(&w, operand_addr(c, in), &sel, sizeof(sel)))
			return -1;
	}
	switch (arch_load_ldtr(c, sel)) {
	case 0:
		return 0;
	case -2:
		/* A not-present LDT descriptor: the CPU's #NP(selector). */
		arch_inject(c, X86_VEC_NP, true, sel & 0xfffc);
		return 1;
	default:
		/* Not a usable LDT descriptor in the GDT: #GP(selector). */
		arch_inject(c, X86_VEC_GP, true, sel & 0xfffc);
		return 1;
	}
}

/*
 * VMX: once a CPU's tables are pinned, every descriptor-table instruction
 * exits, loads and stores, at any CPL (CR4.UMIP, where the CPU has it,
 * makes the user-mode stores fault before they exit). @hw_op is the
 * instruction the CPU says exited (INSN_SGDT... from the exit's
 * information). The core decodes it at RIP and carries it out only if
 * the bytes there are still that instruction, of the length the CPU
 * reported, and a load only at CPL 0: the CPU refuses LLDT, LGDT, LIDT
 * and LTR in user mode before any exit, and a thread that rewrites its
 * own code between the exit and our fetch must not get one carried out
 * for it. Otherwise the instruction just runs again. LIDT/LGDT are
 * checked as on SVM, LTR refused, LLDT
 * and the four stores emulated, for the kernel and for 64-bit and
 * 32-bit processes. Code that cannot be emulated (16-bit code, a code
 * segment with a base: dosemu, Wine's 16-bit programs) gets #GP and an
 * insn_decode log entry (docs/threat-model.md).
 */
static bool dt_load_op(u32 op)
{
	return op == INSN_LIDT || op == INSN_LGDT || op == INSN_LLDT || op == INSN_LTR;
}

void vcpu_handle_dt_access(struct hv_cpu *c, u32 hw_op)
{
	struct guest_ctl g;
	struct insn in;
	u64 next;
	int r;

	vcpu_count_exit(c, LVBS_EXIT_DT_ACCESS);
	arch_guest_ctl(c, &g);
	/* Compatibility mode: 32-bit flat code only (RIP is then linear). */
	if (!g.cs_long && (!g.cs_db || arch_seg_base(c, X86_SEG_CS))) {
		cannot_emulate(c, INSN_UNKNOWN);
		return;
	}
	if (vcpu_decode_at_rip(c, &in) || in.lock) {
		cannot_emulate(c, INSN_UNKNOWN);
		return;
	}
	/* Not what exited any more (rewritten by another thread): run it again. */
	if (in.op != hw_op || (arch_next_rip(c, &next) && next - arch_rip(c) != in.len))
		return;
	if (dt_load_op(in.op) && arch_cpl(c) != 0)
		return;		/* the CPU's own #GP, when it runs again */
	/* Linux's kernel is 64-bit code: no loads from 32-bit code. */
	if (in.compat && dt_load_op(in.op)) {
		cannot_emulate(c, in.op);
		return;
	}
	switch (in.op) {
	case INSN_LIDT:
	case INSN_LGDT:
		dt_load(c, in.op == INSN_LIDT ? LVBS_DT_IDTR : LVBS_DT_GDTR, &in);
		return;
	case INSN_LTR:
		refuse(c, LVBS_DT_TR, 0);
		return;
	case INSN_LLDT:
		r = dt_lldt(c, &in);
		break;
	case INSN_SGDT:
	case INSN_SIDT:
		r = dt_store_table(c, &in);
		break;
	case INSN_SLDT:
	case INSN_STR:
		r = dt_store_sel(c, &in);
		break;
	default:
		return;		/* not reached: in.op == hw_op, a DT instruction */
	}
	if (r < 0)
		cannot_emulate(c, in.op);
	else if (r == 0)
		vcpu_insn_done(c, arch_rip(c) + in.len);
}
