// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend: feature probe, the VMCB built from the running kernel's
 * state (so the kernel resumes exactly where it called us), the exit
 * dispatcher, and the arch_* accessors core code uses. References are to
 * the AMD64 Architecture Programmer's Manual, vol. 2, chapter 15.
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "../../../core/hv.h"
#include "../../../core/gwalk.h"
#include "../../../core/slat.h"
#include "../seg.h"
#include "vmcb.h"
#include "svm.h"

#define GUEST_ASID 1

static inline struct vmcb *vmcb_of(struct hv_cpu *c)
{
	return (struct vmcb *)c->vmcb;
}

static bool is_amd(void)
{
	u32 a, b, c, d;

	cpuid_count(0, 0, &a, &b, &c, &d);
	/* "AuthenticAMD" or "HygonGenuine": both implement SVM */
	return (b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163) ||
	       (b == 0x6f677948 && d == 0x6e65476e && c == 0x656e6975);
}

int svm_probe(struct hv_caps *caps)
{
	u32 a, b, c, d, max_ext;

	if (!is_amd())
		return LVBS_E_NOSYS;
	cpuid_count(0x80000000u, 0, &max_ext, &b, &c, &d);
	if (max_ext < 0x8000000au)
		return LVBS_E_NOSYS;
	cpuid_count(0x80000001u, 0, &a, &b, &c, &d);
	if (!(c & BIT(2)))
		return LVBS_E_NOSYS;
	caps->vendor = LVBS_VENDOR_SVM;
	caps->cpuid_optional = true;	/* the CPUID intercept is ours to set */
	if (d & BIT(26))
		caps->present |= LVBS_FEAT_1G_PAGES;
	caps->efer_valid = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME;
	if (d & BIT(25))
		caps->efer_valid |= EFER_FFXSR;
	if (c & BIT(17))
		caps->efer_valid |= EFER_TCE;
	if (max_ext >= 0x80000021u) {
		cpuid_count(0x80000021u, 0, &a, &b, &c, &d);
		if (a & BIT(8))
			caps->efer_valid |= EFER_AUTOIBRS;
	}
	cpuid_count(0x8000000au, 0, &a, &b, &c, &d);
	if (d & SVM_FEAT_NPT)
		caps->present |= LVBS_FEAT_NPT;
	if (d & SVM_FEAT_NRIPS)
		caps->present |= LVBS_FEAT_NRIPS;
	if (d & SVM_FEAT_DECODE)
		caps->present |= LVBS_FEAT_DECODE;
	if (d & SVM_FEAT_GMET)
		caps->present |= LVBS_FEAT_GMET;
	if (d & SVM_FEAT_FLUSHASID)
		caps->present |= LVBS_FEAT_FLUSHASID;
	if (d & SVM_FEAT_VGIF)
		caps->present |= LVBS_FEAT_VGIF;
	/* Nested paging is what every protection rests on: no NPT, no lvbs. */
	if (!(caps->present & LVBS_FEAT_NPT))
		return LVBS_E_NOSYS;
	caps->used = caps->present & (LVBS_FEAT_NPT | LVBS_FEAT_NRIPS |
				      LVBS_FEAT_DECODE | LVBS_FEAT_FLUSHASID |
				      LVBS_FEAT_1G_PAGES);
	return LVBS_OK;
}

/* MSR permission map: 2 bits per MSR (read, write), APM 15.11. */
static void msrpm_intercept(u8 *pm, u32 msr, bool rd, bool wr)
{
	u32 base;

	if (msr <= 0x1fff)
		base = 0;
	else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
		base = 0x800, msr -= 0xc0000000u;
	else if (msr >= 0xc0010000u && msr <= 0xc0011fffu)
		base = 0x1000, msr -= 0xc0010000u;
	else
		return;
	if (rd)
		pm[base + msr / 4] |= (u8)(1u << ((msr % 4) * 2));
	if (wr)
		pm[base + msr / 4] |= (u8)(2u << ((msr % 4) * 2));
}

int svm_init(void)
{
	u8 *pm = (u8 *)(hv.fixed_base + HV_FIXED_MSRPM);

	memset(pm, 0, 0x2000);
	/*
	 * EFER writes: SVME must stay set (VMRUN refuses a guest without it).
	 * Reads are not intercepted: the guest sees SVME set, which is true
	 * (SVM is in use), so KVM refuses to start with -EBUSY rather than
	 * faulting on VMRUN later.
	 */
	msrpm_intercept(pm, MSR_EFER, false, true);
	/* SVM's own MSRs: see vcpu.c msr_write() for why. */
	msrpm_intercept(pm, MSR_VM_HSAVE_PA, true, true);
	msrpm_intercept(pm, MSR_VM_CR, false, true);
	msrpm_intercept(pm, MSR_SMM_CTL, false, true);
	/* An outer hypervisor's MSRs in the low range: see vcpu.c msr_write(). */
	msrpm_intercept(pm, MSR_KVM_WALL_CLOCK, false, true);
	msrpm_intercept(pm, MSR_KVM_SYSTEM_TIME, false, true);
	/* Kernel-entry MSRs, for pinning (hv/core/msrpin.c): writes only. */
	for (u32 s = LVBS_MSR_SLOT_STAR; s < LVBS_MSR_SLOTS; s++)
		msrpm_intercept(pm, msrpin_msr(s), false, true);
	return LVBS_OK;
}

/* Hidden attributes of a segment, from the guest's GDT (APM 15.5.1). */
static void seg_from_gdt(struct vmcb_seg *s, u16 sel, const struct dtr *gdtr,
			 const struct gwalk_ctx *w)
{
	struct x86_seg g;

	seg_read(gdtr, w, sel, &g);
	s->selector = sel;
	s->base = 0;		/* CS, SS, DS, ES: flat in long mode */
	s->attrib = g.usable ? g.attr : 0;
	s->limit = g.usable ? g.limit : 0;
}

static void build_vmcb(struct hv_cpu *c, const struct kframe *f)
{
	struct vmcb *v = vmcb_of(c);
	struct dtr gdtr, idtr;
	struct gwalk_ctx w;

	memset(v, 0, sizeof(*v));
	memcpy(&gdtr, f->gdtr, sizeof(gdtr));
	memcpy(&idtr, f->idtr, sizeof(idtr));

	/* Control area: intercept only what lvbs needs (APM 15.9-15.13). */
	/*
	 * NMIs: the hypervisor kicks CPUs with them for TLB shootdowns
	 * (slat.c); an NMI that was not a kick is handed to the guest.
	 */
	v->control.intercepts[3] = INTERCEPT_NMI | INTERCEPT_INVLPGA |
				   INTERCEPT_MSR_PROT | INTERCEPT_SHUTDOWN;
	if (hv.cpuid_intercept)
		v->control.intercepts[3] |= INTERCEPT_CPUID;
	v->control.intercepts[4] = INTERCEPT_VMRUN | INTERCEPT_VMMCALL |
				   INTERCEPT_VMLOAD | INTERCEPT_VMSAVE |
				   INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT;
	v->control.iopm_base_pa = hv_va_to_pa((void *)(hv.fixed_base + HV_FIXED_IOPM));
	v->control.msrpm_base_pa = hv_va_to_pa((void *)(hv.fixed_base + HV_FIXED_MSRPM));
	v->control.asid = GUEST_ASID;
	/* First run: flush everything, ASID 1 may hold a previous launch's entries. */
	v->control.tlb_control = TLB_CONTROL_FLUSH_ALL;
	v->control.nested_ctl = NESTED_CTL_NP_ENABLE;
	if (hv.slat_state.gmet)
		v->control.nested_ctl |= NESTED_CTL_GMET;
	v->control.nested_cr3 = hv.slat.root_pa;

	/* State save area: the kernel exactly as it was when it called us. */
	v->save.cr0 = read_cr0();
	v->save.cr2 = read_cr2();
	v->save.cr3 = f->cr3;
	v->save.cr4 = read_cr4();
	v->save.efer = rdmsr(MSR_EFER);
	v->save.g_pat = rdmsr(MSR_IA32_PAT);
	v->save.dr7 = read_dr7();
	v->save.dr6 = 0xffff0ff0;
	v->save.rflags = f->rflags;
	v->save.rip = f->rip;
	v->save.rsp = f->rsp;
	v->save.rax = 0;	/* entry_launch's return value: LVBS_OK */
	v->save.cpl = 0;
	v->save.gdtr.base = gdtr.base;
	v->save.gdtr.limit = gdtr.limit;
	v->save.idtr.base = idtr.base;
	v->save.idtr.limit = idtr.limit;
	w = (struct gwalk_ctx){
		.cr0 = v->save.cr0, .cr3 = f->cr3, .cr4 = v->save.cr4,
		.efer = v->save.efer, .read_gpa = guest_read_phys,
	};
	seg_from_gdt(&v->save.cs, f->cs, &gdtr, &w);
	seg_from_gdt(&v->save.ss, f->ss, &gdtr, &w);
	seg_from_gdt(&v->save.ds, f->ds, &gdtr, &w);
	seg_from_gdt(&v->save.es, f->es, &gdtr, &w);
	/*
	 * FS, GS, TR, LDTR, KernelGsBase and the syscall MSRs are not loaded
	 * by VMRUN, only by VMLOAD, which we never execute: the kernel's values
	 * simply stay in the CPU (APM 15.5.2). Our host code does not use them.
	 */

	/* Callee-saved registers as the caller left them; the rest are dead. */
	hv_regs_from_kframe(c, f);
}

int svm_launch(struct hv_cpu *c, struct kframe *f)
{
	if (!(rdmsr(MSR_EFER) & EFER_SVME))	/* the loader enables SVM first */
		return LVBS_E_PERM;
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return LVBS_E_PERM;
	c->apic_id = read_apic_id();
	wrmsr(MSR_VM_HSAVE_PA, c->hsave_pa);
	build_vmcb(c, f);
	if (c->pending_fail) {
		/*
		 * Test hook (lvbs.ko fail_cpu=): CR0.NW without CR0.CD is one of
		 * VMRUN's consistency checks (APM 15.5.1), so the real VMRUN
		 * fails and the real failure path runs.
		 */
		vmcb_of(c)->save.cr0 = (vmcb_of(c)->save.cr0 & ~X86_CR0_CD) | X86_CR0_NW;
	}
	c->state = CPU_LAUNCHING;
	c->launch_tsc = rdtsc();
	/* Logged before VMRUN; a failure adds launch_fail (and frees the log). */
	hv_log_event(c, LVBS_EV_LAUNCH, 0, LVBS_ACT_NONE, 0, GUEST_ASID, c->apic_id);
	__atomic_fetch_add(&hv.cpus_running, 1, __ATOMIC_SEQ_CST);
	svm_run(c);	/* does not return */
	return LVBS_E_INVAL;
}

static void launch_failed(struct hv_cpu *c, u32 exit_code)
{
	__atomic_fetch_sub(&hv.cpus_running, 1, __ATOMIC_SEQ_CST);
	hv_launch_failed(c, LVBS_E_INVAL, exit_code);
}

/*
 * The NPF error code's U/S bit is not the guest's privilege: nested walks
 * count as user accesses (APM 15.25.5), so the CPL comes from the VMCB.
 */
static u32 npf_access(u64 info1, u32 cpl)
{
	return slat_access(info1 & NPF_W, info1 & NPF_ID, cpl == 3, info1 & NPF_PTWALK);
}

/* The source GPR of a MOV to CR, if the CPU decoded it (decode assists). */
static int cr_gpr(const struct vmcb *v)
{
	if (!(hv.caps.used & LVBS_FEAT_DECODE) || !(v->control.exit_info_1 & SVM_CR_MOV))
		return -1;
	return (int)(v->control.exit_info_1 & SVM_CR_GPR_MASK);
}

/*
 * Guest NMI blocking. On bare metal an NMI blocks further NMIs until the
 * next IRET completes; an NMI injected through EVENTINJ blocks nothing,
 * and with NMIs intercepted every physical NMI exits to us at once, even
 * in the middle of the guest's NMI handler (APM 15.20, 15.21.3). Injecting
 * it there would nest NMIs on the guest's NMI stack before the handler
 * has saved what it needs, so the backend keeps the blocking itself, as
 * KVM does: blocked from injection on, the IRET intercept says when the
 * guest's IRET starts, and a single step over that IRET (TF set, #DB
 * intercepted) says when it is done. The single step, not an interrupt
 * window, because the IRET may return to code that runs with interrupts
 * off for a long time, and hardware unblocks NMIs there all the same.
 */
static void nmi_window(struct vmcb *v, bool open)
{
	/*
	 * A virtual interrupt request with the VINTR intercept exits as soon
	 * as the guest could take an interrupt: for an NMI that waits only
	 * for the injection slot or an interrupt shadow (both end within an
	 * instruction or an event delivery). lvbs injects no interrupts, so
	 * V_IRQ is free.
	 */
	if (open) {
		v->control.int_ctl |= V_IRQ | V_IGN_TPR;
		v->control.intercepts[3] |= INTERCEPT_VINTR;
	} else {
		v->control.int_ctl &= ~(V_IRQ | V_IGN_TPR);
		v->control.intercepts[3] &= ~INTERCEPT_VINTR;
	}
}

/* At every exit, before the handler: has the IRET we waited for run? */
static void nmi_track_iret(struct hv_cpu *c, struct vmcb *v)
{
	if (c->nmi_iret_seen && v->save.rip != c->nmi_iret_rip) {
		c->nmi_blocked = 0;
		c->nmi_iret_seen = 0;
	}
}

static void nmi_iret_exit(struct hv_cpu *c, struct vmcb *v)
{
	/* The exit comes before the IRET runs; it runs when we resume. */
	v->control.intercepts[3] &= ~INTERCEPT_IRET;
	c->nmi_iret_seen = 1;
	c->nmi_iret_rip = v->save.rip;
	/*
	 * TF at the start of an instruction traps after it, whatever the
	 * instruction does to TF: the #DB comes right after the IRET.
	 */
	if (!c->nmi_singlestep) {
		c->nmi_singlestep = 1;
		c->nmi_ss_rflags = v->save.rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF);
		v->save.rflags |= X86_EFLAGS_TF | X86_EFLAGS_RF;
		v->control.intercepts[2] |= INTERCEPT_EXC(X86_VEC_DB);
	}
}

/*
 * The #DB after the single-stepped IRET: NMIs are unblocked. Ours is
 * swallowed; a #DB the guest caused as well (its own single step, a
 * breakpoint) goes to the guest.
 */
static void nmi_db_exit(struct hv_cpu *c, struct vmcb *v)
{
	bool guest_db = !c->nmi_singlestep || (c->nmi_ss_rflags & X86_EFLAGS_TF) ||
			(v->save.dr6 & (DR6_B0_3 | DR6_BD));

	if (c->nmi_singlestep) {
		c->nmi_singlestep = 0;
		v->control.intercepts[2] &= ~INTERCEPT_EXC(X86_VEC_DB);
		v->save.rflags &= ~((X86_EFLAGS_TF | X86_EFLAGS_RF) & ~c->nmi_ss_rflags);
		c->nmi_blocked = 0;
		c->nmi_iret_seen = 0;
		if (!guest_db)
			v->save.dr6 &= ~DR6_BS;
	}
	if (guest_db)
		v->control.event_inj = X86_VEC_DB | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID;
}

/*
 * A guest NMI waits while the guest blocks NMIs, while another event is
 * being injected and in an interrupt shadow; the window brings us back
 * when it can go (the IRET intercept does while the handler still runs).
 */
static void inject_pending_nmi(struct hv_cpu *c, struct vmcb *v)
{
	if (!c->nmi_pending) {
		nmi_window(v, false);
		return;
	}
	if (c->nmi_blocked || (v->control.event_inj & SVM_EVTINJ_VALID) ||
	    (v->control.int_state & 1u)) {
		nmi_window(v, !c->nmi_blocked);
		return;
	}
	if (!vcpu_nmi_prepare(c)) {
		c->nmi_pending = 0;
		nmi_window(v, false);
		return;
	}
	v->control.event_inj = X86_VEC_NMI | SVM_EVTINJ_TYPE_NMI | SVM_EVTINJ_VALID;
	c->nmi_pending = 0;
	c->nmi_blocked = 1;
	c->nmi_iret_seen = 0;
	v->control.intercepts[3] |= INTERCEPT_IRET;
	nmi_window(v, false);
}

/*
 * An event whose delivery the exit interrupted must be delivered again
 * (APM 15.7.2), except a software interrupt or INT3/INTO: the guest RIP
 * still points at that instruction, and injecting the event would push
 * that RIP rather than the one after it (INT3's handler would then find
 * the wrong breakpoint). Resuming executes the instruction again instead,
 * which raises the same event with the right return address.
 */
static void reinject_interrupted_event(struct vmcb *v)
{
	u32 info = v->control.exit_int_info;
	u32 type = info & SVM_EVTINJ_TYPE_MASK;
	u32 vec = info & SVM_EVTINJ_VEC_MASK;

	v->control.event_inj = 0;
	if (!(info & SVM_EVTINJ_VALID))
		return;
	if (type == SVM_EVTINJ_TYPE_SOFT ||
	    (type == SVM_EVTINJ_TYPE_EXEPT && (vec == 3 || vec == 4)))
		return;
	/*
	 * An "exception" with the NMI vector or a vector above 31 is an NMI
	 * or an external interrupt: QEMU's TCG (7.2, handle_even_inj()) labels
	 * every event it delivers that is not INT n as an exception, and its
	 * own VMRUN then refuses such an EVENTINJ (VMEXIT_INVALID: the
	 * hypervisor panicked when an NPF interrupted an NMI's or an
	 * interrupt's delivery). Hardware gives the right type; this only
	 * makes EVENTINJ what APM 15.20 allows.
	 */
	if (type == SVM_EVTINJ_TYPE_EXEPT && vec == X86_VEC_NMI)
		info = (info & ~(SVM_EVTINJ_TYPE_MASK | SVM_EVTINJ_VALID_ERR)) | SVM_EVTINJ_TYPE_NMI;
	else if (type == SVM_EVTINJ_TYPE_EXEPT && vec > 31)
		info = (info & ~(SVM_EVTINJ_TYPE_MASK | SVM_EVTINJ_VALID_ERR)) | SVM_EVTINJ_TYPE_INTR;
	v->control.event_inj = info;
	v->control.event_inj_err = v->control.exit_int_info_err;
}

static void dispatch(struct hv_cpu *c, struct vmcb *v, u32 code)
{
	switch (code) {
	case SVM_EXIT_CPUID:
		vcpu_handle_cpuid(c);
		break;
	case SVM_EXIT_IDTR_WRITE:
		vcpu_handle_dt_write(c, LVBS_DT_IDTR);
		break;
	case SVM_EXIT_GDTR_WRITE:
		vcpu_handle_dt_write(c, LVBS_DT_GDTR);
		break;
	case SVM_EXIT_TR_WRITE:
		vcpu_handle_dt_write(c, LVBS_DT_TR);
		break;
	case SVM_EXIT_WRITE_CR0:
	case SVM_EXIT_WRITE_CR4:
		vcpu_handle_cr_write(c, code - SVM_EXIT_WRITE_CR0, cr_gpr(v));
		break;
	case SVM_EXIT_VMMCALL:
		vcpu_handle_hypercall(c);
		break;
	case SVM_EXIT_MSR:
		vcpu_handle_msr(c, v->control.exit_info_1 == 1);
		break;
	case SVM_EXIT_NPF:
		slat_handle_npf(c, v->control.exit_info_2,
					   npf_access(v->control.exit_info_1,
						      v->save.cpl));
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		vcpu_handle_virt_insn(c, code);
		break;
	case SVM_EXIT_NMI:
		vcpu_count_exit(c, LVBS_EXIT_NMI);
		svm_take_nmi();
		slat_nmi_exit(c);
		break;
	case SVM_EXIT_IRET:
		vcpu_count_exit(c, LVBS_EXIT_NMI);
		nmi_iret_exit(c, v);
		break;
	case SVM_EXIT_EXCP_DB:
		vcpu_count_exit(c, LVBS_EXIT_NMI);
		nmi_db_exit(c, v);
		break;
	case SVM_EXIT_VINTR:
		/* The NMI window: inject_pending_nmi() below does the rest. */
		vcpu_count_exit(c, LVBS_EXIT_NMI);
		nmi_window(v, false);
		break;
	case SVM_EXIT_SHUTDOWN:
		vcpu_handle_shutdown(c);
	case SVM_EXIT_INVALID:
		hv_panic(c, "VMRUN failed on a running guest: exit code", code, 0);
	default:
		vcpu_count_exit(c, LVBS_EXIT_OTHER);
		hv_log_event(c, LVBS_EV_UNHANDLED_EXIT, 0, LVBS_ACT_HALTED, 0, code,
			     v->control.exit_info_1);
		hv_panic(c, "unexpected #VMEXIT: exit code", code,
			 v->control.exit_info_1);
	}
}

/*
 * Take the NMI that made us exit: it stays pending while GIF is clear
 * (APM 15.21.3), and VMRUN would exit on it again at once. The
 * hypervisor's NMI gate only returns (hv/arch/x86/head.S).
 */
void svm_take_nmi(void)
{
	/* IF is clear in the hypervisor already; cli makes sure only the NMI comes. */
	__asm__ __volatile__("cli\n\tstgi\n\tpause\n\tpause\n\tclgi" ::: "memory");
}

void svm_inject_nmi(struct hv_cpu *c)
{
	c->nmi_pending = 1;
}

void svm_flush_guest_tlb(struct hv_cpu *c)
{
	vmcb_of(c)->control.tlb_control = (hv.caps.used & LVBS_FEAT_FLUSHASID) ?
					  TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL;
}

/* Called by svm_run() after every #VMEXIT, guest GPRs saved in c->regs. */
void svm_handle_exit(struct hv_cpu *c)
{
	struct vmcb *v = vmcb_of(c);
	u32 code = v->control.exit_code;	/* low 32 bits: see SVM_EXIT_INVALID */

	if (unlikely(c->state == CPU_LAUNCHING)) {
		if (code == SVM_EXIT_INVALID)
			launch_failed(c, code);
		hv_cpu_entered(c);
	}
	/* A flush asked for by the last exit has been done by that VMRUN. */
	v->control.tlb_control = TLB_CONTROL_DO_NOTHING;
	c->regs[REG_RAX] = v->save.rax;
	c->regs[REG_RSP] = v->save.rsp;
	/* A handler below may replace the reinjected event with its own. */
	reinject_interrupted_event(v);
	nmi_track_iret(c, v);
	dispatch(c, v, code);
	inject_pending_nmi(c, v);
	/* Last: a shootdown that started while we were out is flushed for. */
	slat_tlb_sync(c);
	v->save.rax = c->regs[REG_RAX];
	v->save.rsp = c->regs[REG_RSP];
}

/* Leave SVM on this CPU during a failed launch: back into the kernel. */
void svm_abort(struct hv_cpu *c)
{
	struct vmcb *v = vmcb_of(c);
	struct kframe *f = c->kframe;

	f->cr3 = v->save.cr3;
	hv_kframe_from_regs(f, c);
	f->rip = v->save.rip;
	f->cs = v->save.cs.selector;
	f->ss = v->save.ss.selector;
	f->ds = v->save.ds.selector;
	f->es = v->save.es.selector;
	memcpy(f->gdtr, &(struct dtr){ (u16)v->save.gdtr.limit, v->save.gdtr.base }, 10);
	memcpy(f->idtr, &(struct dtr){ (u16)v->save.idtr.limit, v->save.idtr.base }, 10);
	c->state = CPU_ABORTED;
	__atomic_fetch_sub(&hv.cpus_running, 1, __ATOMIC_SEQ_CST);
	hv_log_event(c, LVBS_EV_LAUNCH_ABORT, 0, LVBS_ACT_NONE, 0, 0, 0);
	/* GIF stays clear; the loader sets it and clears EFER.SVME. */
	hv_return_to_kernel(f, LVBS_OK);
}

/* ---- accessors for core code ---- */

u64 svm_rip(struct hv_cpu *c)
{
	return vmcb_of(c)->save.rip;
}

void svm_set_rip(struct hv_cpu *c, u64 rip)
{
	vmcb_of(c)->save.rip = rip;
	/*
	 * The instruction is done: no interrupt shadow after it (APM 15.21.5)
	 * and RF clear, as the CPU leaves it after an instruction.
	 */
	vmcb_of(c)->control.int_state &= ~1u;
	vmcb_of(c)->save.rflags &= ~X86_EFLAGS_RF;
}

u32 svm_cpl(struct hv_cpu *c)
{
	return vmcb_of(c)->save.cpl;
}

void svm_guest_ctl(struct hv_cpu *c, struct guest_ctl *g)
{
	struct vmcb *v = vmcb_of(c);

	g->cr0 = v->save.cr0;
	g->cr3 = v->save.cr3;
	g->cr4 = v->save.cr4;
	g->efer = v->save.efer;
	g->rflags = v->save.rflags;
	g->cs_long = v->save.cs.attrib & BIT(9);	/* L, in the packed layout */
	g->cs_db = v->save.cs.attrib & BIT(10);
}

bool svm_next_rip(struct hv_cpu *c, u64 *next)
{
	if (!(hv.caps.used & LVBS_FEAT_NRIPS))
		return false;
	*next = vmcb_of(c)->control.next_rip;
	return *next != 0;
}

void svm_inject(struct hv_cpu *c, u8 vector, bool has_err, u32 err)
{
	struct vmcb *v = vmcb_of(c);

	v->control.event_inj = vector | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID |
			       (has_err ? SVM_EVTINJ_VALID_ERR : 0);
	v->control.event_inj_err = err;
}

void svm_inject_pf(struct hv_cpu *c, u64 addr, u32 err)
{
	vmcb_of(c)->save.cr2 = addr;
	svm_inject(c, X86_VEC_PF, true, err);
}

/* DR6 is in the VMCB: VMRUN loads the guest's. */
void svm_inject_db_step(struct hv_cpu *c)
{
	vmcb_of(c)->save.dr6 |= DR6_BS;
	svm_inject(c, X86_VEC_DB, false, 0);
}

/* NPT, with GMET when it is wanted and the CPU has it. */
bool svm_slat_fmt(struct pt_fmt *f, bool gb_pages, bool want_xsplit)
{
	if (!want_xsplit || !(hv.caps.present & LVBS_FEAT_GMET)) {
		pt_fmt_make_npt(f, gb_pages);
		return false;
	}
	pt_fmt_make_npt_gmet(f, gb_pages);
	hv.caps.used |= LVBS_FEAT_GMET;
	return true;
}

/* EFER is the VMCB's; the others stay in the CPU: VMRUN leaves them alone. */
u64 svm_guest_msr(struct hv_cpu *c, u32 msr)
{
	return msr == MSR_EFER ? vmcb_of(c)->save.efer : rdmsr(msr);
}

u64 svm_read_cr(struct hv_cpu *c, u32 cr)
{
	return cr == 0 ? vmcb_of(c)->save.cr0 : vmcb_of(c)->save.cr4;
}

void svm_write_cr(struct hv_cpu *c, u32 cr, u64 val, bool flush_tlb)
{
	struct vmcb *v = vmcb_of(c);

	if (cr == 0)
		v->save.cr0 = val;
	else
		v->save.cr4 = val;
	/*
	 * Emulating the write means the CPU did not do its own TLB flush for
	 * it: ask VMRUN to flush the guest's entries (APM 15.16.1).
	 */
	if (flush_tlb)
		svm_flush_guest_tlb(c);
}

void svm_intercept_cr_write(struct hv_cpu *c, u32 cr)
{
	vmcb_of(c)->control.intercepts[0] |= INTERCEPT_CR_WRITE(cr);
}

static struct vmcb_seg *dt_seg(struct hv_cpu *c, u32 which)
{
	return which == LVBS_DT_IDTR ? &vmcb_of(c)->save.idtr : &vmcb_of(c)->save.gdtr;
}

void svm_read_dt(struct hv_cpu *c, u32 which, u64 *base, u16 *limit)
{
	*base = dt_seg(c, which)->base;
	*limit = (u16)dt_seg(c, which)->limit;
}

void svm_write_dt(struct hv_cpu *c, u32 which, u64 base, u16 limit)
{
	dt_seg(c, which)->base = base;
	dt_seg(c, which)->limit = limit;
}

int svm_intercept_dt_writes(struct hv_cpu *c)
{
	vmcb_of(c)->control.intercepts[3] |= INTERCEPT_IDTR_WRITE | INTERCEPT_GDTR_WRITE |
					     INTERCEPT_TR_WRITE;
	return LVBS_OK;
}

/*
 * SVM pins only the three writes, so the core never emulates SLDT, STR
 * or LLDT there; these keep the interface whole.
 */
u16 svm_read_sel(struct hv_cpu *c, u32 which)
{
	return which == X86_SEL_LDTR ? vmcb_of(c)->save.ldtr.selector : vmcb_of(c)->save.tr.selector;
}

/* FS and GS bases stay in the CPU on SVM (svm_guest_msr). */
u64 svm_seg_base(struct hv_cpu *c, u32 seg)
{
	struct vmcb *v = vmcb_of(c);

	switch (seg) {
	case X86_SEG_ES: return v->save.es.base;
	case X86_SEG_CS: return v->save.cs.base;
	case X86_SEG_SS: return v->save.ss.base;
	case X86_SEG_DS: return v->save.ds.base;
	case X86_SEG_FS: return svm_guest_msr(c, MSR_FS_BASE);
	default: return svm_guest_msr(c, MSR_GS_BASE);
	}
}

void svm_write_ldtr(struct hv_cpu *c, const struct x86_seg *s)
{
	struct vmcb_seg *l = &vmcb_of(c)->save.ldtr;

	l->selector = s->sel;
	l->attrib = s->usable ? s->attr : 0;
	l->limit = s->limit;
	l->base = s->base;
}

void svm_set_guest_msr(struct hv_cpu *c, u32 msr, u64 val)
{
	struct vmcb *v = vmcb_of(c);

	if (msr != MSR_EFER) {
		wrmsr(msr, val);
		return;
	}
	/* LMA is the CPU's to set; SVME must stay on for VMRUN (APM 15.5.1). */
	v->save.efer = (val & ~EFER_LMA) | (v->save.efer & EFER_LMA) | EFER_SVME;
}
