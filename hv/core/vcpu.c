// SPDX-License-Identifier: GPL-2.0
/*
 * Vendor-neutral handling of the exits lvbs intercepts. The backends decode
 * their exit codes and call in here; this file reads and changes guest
 * state only through the arch_* interface (hv/core/hv.h).
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "hv.h"
#include "gwalk.h"
#include "slat.h"
#include "insn.h"

void vcpu_count_exit(struct hv_cpu *c, u32 kind)
{
	c->exits_total++;
	if (kind < LVBS_EXIT_KIND_SLOTS)
		c->exits[kind]++;
}

/* A denied kernel store retired unwritten: counted here and in all. */
void vcpu_count_dropped_store(struct hv_cpu *c)
{
	c->stores_dropped++;
	__atomic_fetch_add(&hv.slat_state.stores_dropped, 1, __ATOMIC_RELAXED);
}

/*
 * NMIs for the guest (docs/architecture.md, "NMIs"). A shootdown kick and
 * a guest NMI that reach a CPU close together merge in its one NMI latch,
 * so an NMI exit taken for a kick may have been the guest's NMI as well.
 * Hardware delivers a merged NMI once, and Linux polls every source on
 * each NMI; so the guest gets an NMI for every kick too, and it is marked
 * for lvbs.ko's NMI handler to claim. Without a mark page (the loader gave
 * none) a kick gives the guest nothing, and a merged guest NMI is lost.
 */
void vcpu_queue_nmi(struct hv_cpu *c, bool guest)
{
	if (guest)
		c->nmi_real = 1;
	else if (!hv.params.nmi_mark_gpa)
		return;
	arch_inject_nmi(c);
}

/*
 * On the way back to the kernel (head.S, hv_return_to_kernel), with the
 * kernel's IDT loaded again so that nothing more can arrive here: does
 * the kernel miss an NMI? One we took (VMX) and had not handed on, or a
 * guest NMI still queued. A shootdown kick is not the kernel's. 1 goes
 * back through tramp_exit, and lvbs.ko sends itself an NMI for it.
 */
long hv_take_owed_nmi(const struct kframe *f)
{
	struct hv_cpu *c = hv_cpu_at(f);
	bool root, kick, queued;

	if (!c)
		return 0;
	root = __atomic_exchange_n(&c->nmi_root, 0, __ATOMIC_SEQ_CST);
	kick = __atomic_exchange_n(&c->kick_pending, 0, __ATOMIC_SEQ_CST);
	queued = c->nmi_pending && c->nmi_real;
	c->nmi_pending = 0;
	c->nmi_real = 0;
	return (root && !kick) || queued;
}

/*
 * The backend is about to inject the pending NMI: false if it must be
 * dropped instead. An NMI for kicks only goes in marked or not at all; the
 * mark is written as the guest could write it (never into memory the
 * guest may not write, should its page have been protected since).
 */
bool vcpu_nmi_prepare(struct hv_cpu *c)
{
	const u32 one = 1;
	bool real = c->nmi_real;

	c->nmi_real = 0;
	if (real)
		return true;
	return slat_write_guest(hv.params.nmi_mark_gpa + (u64)c->index * sizeof(u32),
				sizeof(u32), &one, sizeof(one));
}

/*
 * Guest-physical reads on behalf of the guest (page-table walks, instruction
 * bytes): only guest RAM, never MMIO (reads may have side effects) and
 * never the hypervisor's own memory.
 */
int guest_read_phys(void *opaque, u64 gpa, void *buf, u32 len)
{
	(void)opaque;
	if (len == 0 || len > PAGE_SIZE || gpa + len < gpa)
		return -1;
	if (!memmap_is_ram(&hv.mem, gpa) || !memmap_is_ram(&hv.mem, gpa + len - 1))
		return -1;
	memcpy(buf, gpa_ptr(gpa), len);
	return 0;
}

static int guest_cmpxchg_phys(void *opaque, u64 gpa, u64 old, u64 new)
{
	(void)opaque;
	return slat_cmpxchg_as_guest(gpa, old, new);
}

/* A walker of the guest's page tables as this CPU's guest has them now. */
void vcpu_guest_walker(struct hv_cpu *c, struct gwalk_ctx *w)
{
	struct guest_ctl g;

	arch_guest_ctl(c, &g);
	*w = (struct gwalk_ctx){
		.cr0 = g.cr0, .cr3 = g.cr3, .cr4 = g.cr4, .efer = g.efer,
		.read_gpa = guest_read_phys,
		.cmpxchg_gpa = guest_cmpxchg_phys,
	};
}

/*
 * Read the instruction at guest RIP once into buf. Up to 15 bytes; fewer if
 * the next page is not mapped (the decoder then reports a truncation).
 */
static u32 fetch_insn(struct hv_cpu *c, u8 *buf)
{
	struct gwalk_ctx w;
	u64 rip = arch_rip(c);
	u32 first = (u32)MIN((u64)INSN_MAX_LEN, PAGE_SIZE - (rip & (PAGE_SIZE - 1)));

	vcpu_guest_walker(c, &w);
	if (gwalk_read(&w, rip, buf, first))
		return 0;
	if (first < INSN_MAX_LEN &&
	    gwalk_read(&w, rip + first, buf + first, INSN_MAX_LEN - first) == 0)
		return INSN_MAX_LEN;
	return first;
}

/*
 * Advance guest RIP past the intercepted instruction, which must be of kind
 * expected_op. The CPU's next-RIP is used when it provides one (AMD nRIP
 * save, Intel exit instruction length); otherwise the bytes are fetched
 * through the guest's page tables and decoded. A mismatch (another CPU
 * rewrote the bytes after the exit, or the decoder does not know them) gets
 * #UD rather than a guess. Returns 0 if RIP was advanced.
 */
/* Fetch (once) and decode the instruction at guest RIP. 0 or -1. */
int vcpu_decode_at_rip(struct hv_cpu *c, struct insn *in)
{
	u8 bytes[INSN_MAX_LEN] = { 0 };
	struct guest_ctl g;
	u32 n = fetch_insn(c, bytes);

	if (n == 0)
		return -1;
	/* A 32-bit process (CS.L clear) runs compatibility-mode code. */
	arch_guest_ctl(c, &g);
	return (g.cs_long ? insn_decode(bytes, n, in) : insn_decode32(bytes, n, in)) ? -1 : 0;
}

/*
 * An instruction the hypervisor carried out or skipped for the guest is
 * done: RIP moves past it and, if the guest was single-stepping
 * (RFLAGS.TF: a debugger's PTRACE_SINGLESTEP over CPUID, which always
 * exits on VMX), it gets the #DB trap the CPU raises after an instruction,
 * with DR6.BS. Without it the debugger's step would stop one instruction
 * late, or wherever the next trap happens to be. Not with DEBUGCTL.BTF
 * (PTRACE_SINGLEBLOCK: traps on branches only, and none of these is one).
 * On SVM the TF of the NMI-window step (svm.c) is ours, not the guest's.
 * The backend also clears RF and any interrupt shadow: done, as the CPU
 * does after an instruction.
 */
void vcpu_insn_done(struct hv_cpu *c, u64 next)
{
	struct guest_ctl g;

	arch_set_rip(c, next);
	arch_guest_ctl(c, &g);
	if ((g.rflags & X86_EFLAGS_TF) && !c->nmi_singlestep &&
	    !(arch_guest_msr(c, MSR_IA32_DEBUGCTL) & DEBUGCTL_BTF))
		arch_inject_db_step(c);
}

int vcpu_skip_insn(struct hv_cpu *c, u32 expected_op)
{
	struct insn in;
	u64 next, rip = arch_rip(c);

	if (arch_next_rip(c, &next) && next > rip && next - rip <= INSN_MAX_LEN) {
		vcpu_insn_done(c, next);
		return 0;
	}
	if (vcpu_decode_at_rip(c, &in) || in.op != expected_op || in.lock) {
		hv_log_event(c, LVBS_EV_INSN_DECODE, 0, LVBS_ACT_INJECT_UD, 0,
			     expected_op, 0);
		arch_inject(c, X86_VEC_UD, false, 0);
		return -1;
	}
	vcpu_insn_done(c, rip + in.len);
	return 0;
}

void vcpu_handle_cpuid(struct hv_cpu *c)
{
	u32 a, b, cx, d;

	vcpu_count_exit(c, LVBS_EXIT_CPUID);
	if (vcpu_skip_insn(c, INSN_CPUID))
		return;
	cpuid_policy((u32)c->regs[REG_RAX], (u32)c->regs[REG_RCX], &a, &b, &cx, &d);
	c->regs[REG_RAX] = a;
	c->regs[REG_RBX] = b;
	c->regs[REG_RCX] = cx;
	c->regs[REG_RDX] = d;
}

void vcpu_handle_hypercall(struct hv_cpu *c)
{
	u64 out1 = c->regs[REG_RBX], out2 = c->regs[REG_RCX];
	u32 cpl = arch_cpl(c);
	long status;

	vcpu_count_exit(c, LVBS_EXIT_HYPERCALL);
	/* The ABI is for the kernel only: user space gets what bare metal gives. */
	if (cpl != 0) {
		hv_log_event(c, LVBS_EV_USER_HYPERCALL, LVBS_ACC_USER,
			     LVBS_ACT_INJECT_UD, 0, cpl, c->regs[REG_RAX]);
		arch_inject(c, X86_VEC_UD, false, 0);
		return;
	}
	/* RIP first: LAUNCH_ABORT leaves for the instruction after the call. */
	if (vcpu_skip_insn(c, hv.caps.vendor == LVBS_VENDOR_SVM ? INSN_VMMCALL
								  : INSN_VMCALL))
		return;
	status = hypercall_dispatch(c, c->regs[REG_RAX], c->regs[REG_RBX],
				    c->regs[REG_RCX], c->regs[REG_RDX], &out1, &out2);
	if (status < 0) {
		c->hypercalls_failed++;
		hv_log_event(c, LVBS_EV_BAD_HYPERCALL, 0, LVBS_ACT_ERROR, 0,
			     c->regs[REG_RAX], (u64)status);
	}
	c->regs[REG_RAX] = (u64)status;
	c->regs[REG_RBX] = out1;
	c->regs[REG_RCX] = out2;
}

/*
 * EFER bits the guest may change. SVME is the backend's business (it must
 * stay set under SVM); LMA is read-only.
 */
static bool efer_write_ok(struct hv_cpu *c, u64 v)
{
	u64 cur = arch_guest_msr(c, MSR_EFER);
	struct guest_ctl g;

	if (v & ~hv.caps.efer_valid)
		return false;
	arch_guest_ctl(c, &g);
	/* LME may not change while paging is on (AMD APM vol. 2 14.6.1). */
	if ((g.cr0 & X86_CR0_PG) && ((v ^ cur) & EFER_LME))
		return false;
	return true;
}

/*
 * An MSR the core has no rule for exits only because it lies outside the
 * MSR bitmap's ranges (VMX: 0-1FFF and C0000000-C0001FFF; SVM: those and
 * C0010000-C0011FFF), and every exit inside them is one the backends ask
 * for. Such an MSR is passed through, as a bitmap bit of 0 would: the
 * hypervisor runs the access itself and a #GP from the CPU (no such
 * MSR) is the guest's #GP. Refusing them all would break drivers on
 * hardware with MSRs up there (the uncore MSRs of recent Xeons sit at
 * 0x2000 and above). What a VM exit loads for the hypervisor is in the
 * VMCS/VMCB or in the low ranges. One exception, for writes: when lvbs
 * itself runs under a hypervisor (a cloud VM), the outer one's
 * paravirtual MSRs are there too, and some make it write to a guest-
 * physical address of the writer's choice (KVM's clock and steal-time
 * pages, Hyper-V's hypercall, VP-assist and SynIC pages), which would
 * reach lvbs's memory or protected kernel text past the SLAT.
 */
static bool outer_hv_msr(u32 msr)
{
	return msr == MSR_KVM_WALL_CLOCK || msr == MSR_KVM_SYSTEM_TIME ||
	       (msr >= 0x40000000u && msr <= 0x4fffffffu);
}

/*
 * The outer hypervisor's MSRs whose writes make it write no guest memory
 * (checked against Linux's hyperv-tlfs.h and kvm_para.h), so that a
 * kernel under it keeps its timers, interrupts and crash reports: KVM's
 * poll control, async-PF vector and acknowledgement, and migration
 * control; with Hyper-V's interface (Hyper-V itself, or KVM and Xen
 * offering it: "Microsoft Hv" at CPUID 0x40000000) the APIC's EOI, ICR
 * and TPR, the SynIC's control, end-of-message and interrupt sources,
 * the synthetic timers in direct mode (an interrupt, no message written
 * into the SynIC page), the crash parameters and control without a crash
 * message (which makes the host read guest memory), TSC re-enlightenment
 * and TSC invariance. Not the guest OS ID: Xen's hypercall-page MSR can
 * sit at the same number. Every page-placing MSR (hypercall, VP assist,
 * SynIC message and event pages, reference TSC, KVM's clocks, steal
 * time, async PF, PV EOI) stays refused. The pages placed before the
 * launch stay where they were (docs/threat-model.md).
 */
#define HV_STIMER_DIRECT	BIT(12)
#define HV_CRASH_MESSAGE	BIT(62)

static bool outer_hv_msr_harmless(u32 msr, u64 v)
{
	u64 cfg;

	if (msr >= 0x4b564d05u && msr <= 0x4b564d08u)
		return true;
	if (!hv.outer_hyperv)
		return false;
	if (msr >= 0x400000b0u && msr <= 0x400000b7u) {	/* STIMER0-3 */
		if (!(msr & 1))					/* CONFIG */
			return v & HV_STIMER_DIRECT;
		return hv_rdmsr_safe(msr - 1, &cfg) == 0 && (cfg & HV_STIMER_DIRECT);
	}
	if (msr == 0x40000105u)					/* CRASH_CTL */
		return !(v & HV_CRASH_MESSAGE);
	return (msr >= 0x40000070u && msr <= 0x40000072u) ||	/* EOI, ICR, TPR */
	       msr == 0x40000080u || msr == 0x40000084u ||	/* SCONTROL, EOM */
	       (msr >= 0x40000090u && msr <= 0x4000009fu) ||	/* SINT0-15 */
	       (msr >= 0x40000100u && msr <= 0x40000108u) ||	/* crash, TSC emulation */
	       msr == 0x40000118u;				/* TSC invariance */
}

static bool msr_passthrough_read(u32 msr, u64 *v)
{
	return hv_rdmsr_safe(msr, v) == 0;
}

/* SVM's own MSRs only mean something on AMD; on Intel they do not exist. */
static bool svm_msr(u32 msr)
{
	return hv.caps.vendor == LVBS_VENDOR_SVM &&
	       (msr == MSR_VM_HSAVE_PA || msr == MSR_VM_CR || msr == MSR_SMM_CTL);
}

static bool msr_read(struct hv_cpu *c, u32 msr, u64 *v)
{
	if (msr == MSR_EFER) {
		*v = arch_guest_msr(c, MSR_EFER);
		return true;
	}
	if (svm_msr(msr) && msr == MSR_VM_HSAVE_PA) {
		/* Where the host save area is is none of the guest's business. */
		*v = 0;
		return true;
	}
	return msr_passthrough_read(msr, v);
}

static bool msr_write(struct hv_cpu *c, u32 msr, u64 v)
{
	int slot;

	if (msr == MSR_EFER) {
		if (!efer_write_ok(c, v) || !msrpin_allows(c, LVBS_MSR_SLOT_EFER, v))
			return false;
		/* Turning SVM off (the kernel does on crash/reboot) is ignored. */
		if (hv.caps.vendor == LVBS_VENDOR_SVM && !(v & EFER_SVME))
			hv_log_event(c, LVBS_EV_MSR_DENIED, LVBS_ACC_WRITE,
				     LVBS_ACT_IGNORED, 0, msr, v);
		arch_set_guest_msr(c, MSR_EFER, v);
		return true;
	}
	if (svm_msr(msr)) {
		/*
		 * These steer SVM itself: VM_HSAVE_PA would let the guest choose
		 * where the CPU saves and restores our state on VMRUN/#VMEXIT.
		 * The write is dropped and logged; the guest sees success, as if
		 * SVM were simply absent and the MSR ignored.
		 */
		hv_log_event(c, LVBS_EV_MSR_DENIED, LVBS_ACC_WRITE, LVBS_ACT_IGNORED,
			     0, msr, v);
		return true;
	}
	/* Kernel-entry MSRs (hv/core/msrpin.c): checked, then written. */
	slot = msrpin_slot(msr);
	if (slot >= 0) {
		if (!msrpin_value_ok(msr, v) || !msrpin_allows(c, (u32)slot, v))
			return false;
		arch_set_guest_msr(c, msr, v);
		return true;
	}
	/*
	 * An outer hypervisor's MSR: 0 turns its feature off (the kernel
	 * does so at reboot) and passes, as does one that places no page;
	 * anything else is refused and logged.
	 */
	if (outer_hv_msr(msr) && v && !outer_hv_msr_harmless(msr, v)) {
		hv_log_event(c, LVBS_EV_MSR_DENIED, LVBS_ACC_WRITE, LVBS_ACT_INJECT_GP, 0, msr, v);
		return false;
	}
	return hv_wrmsr_safe(msr, v) == 0;
}

void vcpu_handle_msr(struct hv_cpu *c, bool write)
{
	u32 msr = (u32)c->regs[REG_RCX];
	u64 v;

	vcpu_count_exit(c, write ? LVBS_EXIT_MSR_WRITE : LVBS_EXIT_MSR_READ);
	if (write) {
		v = (c->regs[REG_RDX] << 32) | (u32)c->regs[REG_RAX];
		if (!msr_write(c, msr, v)) {
			arch_inject(c, X86_VEC_GP, true, 0);
			return;
		}
		vcpu_skip_insn(c, INSN_WRMSR);
		return;
	}
	if (!msr_read(c, msr, &v)) {
		arch_inject(c, X86_VEC_GP, true, 0);
		return;
	}
	if (vcpu_skip_insn(c, INSN_RDMSR))
		return;
	c->regs[REG_RAX] = (u32)v;
	c->regs[REG_RDX] = v >> 32;
}

/*
 * An XCR0 value the CPU would take (Intel SDM vol. 1 13.3): x87 always
 * on, only components CPUID enumerates, AVX only with SSE, the three
 * AVX-512 components together and only with AVX, AMX's two together.
 */
static bool xcr0_valid(u64 v)
{
	u32 a, b, c, d;

	cpuid_count(0xd, 0, &a, &b, &c, &d);
	if (!(v & BIT(0)) || (v & ~(((u64)d << 32) | a)))
		return false;
	if ((v & BIT(2)) && !(v & BIT(1)))
		return false;
	if ((v & 0xe0) && ((v & 0xe0) != 0xe0 || !(v & BIT(2))))
		return false;
	if ((v & (BIT(17) | BIT(18))) && (v & (BIT(17) | BIT(18))) != (BIT(17) | BIT(18)))
		return false;
	return true;
}

/*
 * XSETBV exits on VMX (SDM 26.1.2). The guest's XCR0 is the CPU's: the
 * hypervisor never uses the extended state, so a valid value is simply
 * written; anything else is the #GP the CPU would raise.
 */
void vcpu_handle_xsetbv(struct hv_cpu *c)
{
	u64 v = (c->regs[REG_RDX] << 32) | (u32)c->regs[REG_RAX];

	vcpu_count_exit(c, LVBS_EXIT_XSETBV);
	if (arch_cpl(c) != 0 || (u32)c->regs[REG_RCX] != 0 || !xcr0_valid(v)) {
		arch_inject(c, X86_VEC_GP, true, 0);
		return;
	}
	xsetbv(0, v);
	vcpu_skip_insn(c, INSN_XSETBV);
}

/*
 * INVD always exits on VMX (SDM 26.1.2). Dropping the caches unwritten
 * would throw away memory writes, the hypervisor's too: WBINVD instead,
 * as KVM does. Linux does not run INVD once booted.
 */
void vcpu_handle_invd(struct hv_cpu *c)
{
	vcpu_count_exit(c, LVBS_EXIT_OTHER);
	wbinvd();
	vcpu_skip_insn(c, INSN_INVD);
}

void vcpu_handle_virt_insn(struct hv_cpu *c, u64 vendor_code)
{
	vcpu_count_exit(c, LVBS_EXIT_VIRT_INSN);
	hv_log_event(c, LVBS_EV_VIRT_INSN, arch_cpl(c) ? LVBS_ACC_USER : 0,
		     LVBS_ACT_INJECT_UD, 0, vendor_code, 0);
	arch_inject(c, X86_VEC_UD, false, 0);
}

/*
 * The guest triple-faulted. Bare metal would reset, and Linux relies on
 * that as its last way to reboot; so do we, after logging the event and
 * printing it (if allowed), so that the cause is not lost in the reboot.
 */
void vcpu_handle_shutdown(struct hv_cpu *c)
{
	vcpu_count_exit(c, LVBS_EXIT_SHUTDOWN);
	hv_log_event(c, LVBS_EV_SHUTDOWN, 0, LVBS_ACT_RESET, 0, 0, 0);
	hv_report(c, "guest shutdown (triple fault), resetting; rip", arch_rip(c), 0);
	hv_platform_reset();
}
