// SPDX-License-Identifier: GPL-2.0
/*
 * The MSR, SLAT-violation and CPUID exits of hv/core/vcpu.c and cpuid.c
 * over the fake backend of stub_arch.c, beyond test_vcpu.c: EFER
 * validation, the SVM MSRs the guest must not steer, what an unexpected
 * MSR gets, the two kinds of SLAT violation, and the CPUID policy leaf by
 * leaf against the host's own CPUID.
 */
#include <string.h>
#include <hv/types.h>
#include <hv/x86.h>
#include "core/hv.h"
#include "core/insn.h"
#include "stub_arch.h"
#include "test.h"

#define EFER_LONG	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME)

static const u8 wrmsr_code[] = { 0x0f, 0x30 };
static const u8 rdmsr_code[] = { 0x0f, 0x32 };
static const u8 cpuid_code[] = { 0x0f, 0xa2 };

/* The newest log entry; a zeroed one (and a failure) if the log is empty. */
static const struct lvbs_log_entry *ev(void)
{
	static const struct lvbs_log_entry none;
	const struct lvbs_log_entry *e = last_event();

	CHECK(e);
	return e ? e : &none;
}

static struct hv_cpu *cpu0(void)
{
	return hv_cpu_of(0);
}

/* WRMSR at CODE_GVA, no hardware next RIP: the bytes are decoded. */
static void wr(u32 msr, u64 v)
{
	guest_code(0, wrmsr_code, sizeof(wrmsr_code));
	cpu0()->regs[REG_RCX] = msr;
	cpu0()->regs[REG_RAX] = (u32)v;
	cpu0()->regs[REG_RDX] = v >> 32;
	vcpu_handle_msr(cpu0(), true);
}

static void rd(u32 msr)
{
	guest_code(0, rdmsr_code, sizeof(rdmsr_code));
	cpu0()->regs[REG_RCX] = msr;
	cpu0()->regs[REG_RAX] = 0xaaaaaaaaaaaaaaaaULL;
	cpu0()->regs[REG_RDX] = 0xddddddddddddddddULL;
	vcpu_handle_msr(cpu0(), false);
}

/* The last injection was #GP(0) and RIP did not move. */
static void expect_gp(u32 n)
{
	CHECK_EQ(fake[0].injected, n);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].inj_has_err, 1);
	CHECK_EQ(fake[0].inj_err, 0);
	CHECK_EQ(fake[0].rip, CODE_GVA);
}

TEST(msr_efer_write_validation)
{
	struct hv_cpu *c;

	stub_reset();
	c = cpu0();
	CHECK_EQ(hv.caps.efer_valid, EFER_LONG);
	CHECK_EQ(fake[0].efer, EFER_LONG);

	/* Reserved bits, in EAX or in EDX: #GP, EFER untouched. */
	wr(MSR_EFER, EFER_LONG | (1ULL << 1));
	expect_gp(1);
	wr(MSR_EFER, EFER_LONG | EFER_FFXSR);	/* valid on some CPUs, not this one */
	expect_gp(2);
	wr(MSR_EFER, EFER_LONG | (1ULL << 32));
	expect_gp(3);
	CHECK_EQ(fake[0].efer, EFER_LONG);
	CHECK_EQ(fake[0].efer_writes, 0);
	CHECK_EQ(c->exits[LVBS_EXIT_MSR_WRITE], 3);
	CHECK_EQ(hv.log.next_seq, 1);		/* not an attack: not logged */

	/* LME may not change while paging is on. */
	wr(MSR_EFER, EFER_LONG & ~EFER_LME);
	expect_gp(4);

	/* A valid write: RIP past the WRMSR, the value given to the backend. */
	wr(MSR_EFER, EFER_LONG & ~EFER_SCE);
	CHECK_EQ(fake[0].injected, 4);
	CHECK_EQ(fake[0].efer_writes, 1);
	CHECK_EQ(fake[0].efer, EFER_LONG & ~EFER_SCE);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);

	/* Only EAX's low half and EDX's low half make the value; ECX's low half the MSR. */
	guest_code(0, wrmsr_code, sizeof(wrmsr_code));
	c->regs[REG_RCX] = (0xdead0000ULL << 32) | MSR_EFER;
	c->regs[REG_RAX] = 0xffffffff00000000ULL | EFER_LONG;
	c->regs[REG_RDX] = 0xffffffff00000000ULL;
	vcpu_handle_msr(c, true);
	CHECK_EQ(fake[0].injected, 4);
	CHECK_EQ(fake[0].efer, EFER_LONG);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);

	/* With a hardware next RIP, no bytes are needed. */
	fake[0].rip = 0x5000;
	fake[0].next_rip = 0x5002;
	fake[0].has_nrip = true;
	c->regs[REG_RCX] = MSR_EFER;
	c->regs[REG_RAX] = EFER_LONG & ~EFER_NXE;
	c->regs[REG_RDX] = 0;
	vcpu_handle_msr(c, true);
	CHECK_EQ(fake[0].rip, 0x5002);
	CHECK_EQ(fake[0].efer, EFER_LONG & ~EFER_NXE);
	CHECK_EQ(fake[0].efer_writes, 3);

	/* Paging off: LME may change. */
	fake[0].cr0 = X86_CR0_PE | (1u << 4);
	fake[0].efer = EFER_SCE | EFER_NXE | EFER_SVME;
	fake[0].rip = 0x6000;
	fake[0].next_rip = 0x6002;
	c->regs[REG_RAX] = EFER_SCE | EFER_LME | EFER_NXE | EFER_SVME;
	vcpu_handle_msr(c, true);
	CHECK_EQ(fake[0].injected, 4);
	CHECK_EQ(fake[0].efer, EFER_SCE | EFER_LME | EFER_NXE | EFER_SVME);
	CHECK_EQ(fake[0].rip, 0x6002);

	/* A CPU without NX: NXE is reserved there. */
	hv.caps.efer_valid = EFER_LONG & ~EFER_NXE;
	fake[0].rip = 0x6000;
	c->regs[REG_RAX] = EFER_SCE | EFER_LME | EFER_NXE | EFER_SVME;
	fake[0].efer = EFER_SCE | EFER_LME | EFER_SVME;
	vcpu_handle_msr(c, true);
	CHECK_EQ(fake[0].injected, 5);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].efer, EFER_SCE | EFER_LME | EFER_SVME);
	CHECK_EQ(fake[0].rip, 0x6000);
	CHECK_EQ(fake[0].efer_writes, 4);
}

TEST(msr_efer_svme_clear_is_logged_and_left_to_the_backend)
{
	stub_reset();
	wr(MSR_EFER, EFER_LONG & ~EFER_SVME);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].efer_writes, 1);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	CHECK_EQ(ev()->kind, LVBS_EV_MSR_DENIED);
	CHECK_EQ(ev()->action, LVBS_ACT_IGNORED);
	CHECK_EQ(ev()->access, LVBS_ACC_WRITE);
	CHECK_EQ(ev()->info0, MSR_EFER);
	CHECK_EQ(ev()->info1, EFER_LONG & ~EFER_SVME);
}

TEST(msr_svm_control_msrs_are_dropped_and_hidden)
{
	static const u32 msrs[] = { MSR_VM_HSAVE_PA, MSR_VM_CR, MSR_SMM_CTL };
	struct hv_cpu *c;

	stub_reset();
	c = cpu0();
	for (u32 i = 0; i < ARRAY_SIZE(msrs); i++) {
		wr(msrs[i], 0x12345000ULL + i);
		CHECK_EQ(fake[0].injected, 0);
		CHECK_EQ(fake[0].rip, CODE_GVA + 2);
		CHECK_EQ(ev()->seq, i + 1);
		CHECK_EQ(ev()->kind, LVBS_EV_MSR_DENIED);
		CHECK_EQ(ev()->action, LVBS_ACT_IGNORED);
		CHECK_EQ(ev()->access, LVBS_ACC_WRITE);
		CHECK_EQ(ev()->info0, msrs[i]);
		CHECK_EQ(ev()->info1, 0x12345000ULL + i);
		CHECK_EQ(ev()->rip, CODE_GVA);
	}
	/* Nothing reached a real MSR. */
	for (u32 i = 0; i < 4; i++)
		CHECK_EQ(fake_msr[i][0], 0);
	CHECK_EQ(fake[0].efer_writes, 0);

	/* RDMSR of VM_HSAVE_PA reads 0 in both halves, not the real value. */
	wrmsr(MSR_VM_HSAVE_PA, 0xfee0000012345000ULL);
	rd(MSR_VM_HSAVE_PA);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(c->regs[REG_RAX], 0);
	CHECK_EQ(c->regs[REG_RDX], 0);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	CHECK_EQ(c->exits[LVBS_EXIT_MSR_READ], 1);
	CHECK_EQ(c->exits[LVBS_EXIT_MSR_WRITE], 3);
	CHECK_EQ(c->exits_total, 4);

	/* RDMSR of EFER: the guest's value, split EDX:EAX. */
	fake[0].efer = EFER_LONG;
	rd(MSR_EFER);
	CHECK_EQ(c->regs[REG_RAX], EFER_LONG);
	CHECK_EQ(c->regs[REG_RDX], 0);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
}

TEST(msr_unexpected_accesses_get_gp)
{
	struct hv_cpu *c;

	stub_reset();
	c = cpu0();
	/* A read lvbs does not emulate: #GP(0), RAX/RDX untouched. */
	rd(0x10);
	expect_gp(1);
	CHECK_EQ(c->regs[REG_RAX], 0xaaaaaaaaaaaaaaaaULL);
	CHECK_EQ(c->regs[REG_RDX], 0xddddddddddddddddULL);
	rd(MSR_LSTAR);		/* intercepted for writes only */
	expect_gp(2);
	/* A write to an MSR that is not intercepted: #GP, nothing written. */
	wr(0x10, 1);
	expect_gp(3);
	wr(MSR_IA32_PAT, 0x0007040600070406ULL);
	expect_gp(4);
	for (u32 i = 0; i < 4; i++)
		CHECK_EQ(fake_msr[i][0], 0);
	CHECK_EQ(hv.log.next_seq, 1);

	/* An emulated read whose bytes are not RDMSR: #UD, registers kept. */
	guest_code(0, cpuid_code, sizeof(cpuid_code));
	c->regs[REG_RCX] = MSR_EFER;
	c->regs[REG_RAX] = 0xaaaa;
	c->regs[REG_RDX] = 0xdddd;
	vcpu_handle_msr(c, false);
	CHECK_EQ(fake[0].injected, 5);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_UD);
	CHECK_EQ(c->regs[REG_RAX], 0xaaaa);
	CHECK_EQ(c->regs[REG_RDX], 0xdddd);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(ev()->kind, LVBS_EV_INSN_DECODE);
	CHECK_EQ(ev()->info0, INSN_RDMSR);
}

static void slat(u64 gpa, u32 access, u32 kind, u32 n)
{
	fake[0].rip = 0x7000 + n;
	slat_handle_npf(cpu0(), gpa, access);
	CHECK_EQ(fake[0].injected, n);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].inj_has_err, 1);
	CHECK_EQ(fake[0].inj_err, 0);
	CHECK_EQ(fake[0].rip, 0x7000 + n);
	CHECK_EQ(ev()->seq, n);
	CHECK_EQ(ev()->kind, kind);
	CHECK_EQ(ev()->gpa, gpa);
	CHECK_EQ(ev()->access, access);
	CHECK_EQ(ev()->action, LVBS_ACT_INJECT_GP);
	CHECK_EQ(ev()->rip, 0x7000 + n);
	CHECK_EQ(ev()->info0, 0);
	CHECK_EQ(ev()->info1, 0);
	CHECK_EQ(cpu0()->exits[LVBS_EXIT_SLAT], n);
}

TEST(slat_violation_kinds_and_edges)
{
	u64 hv_lo, hv_hi;

	stub_reset();
	hv_lo = hv.hv_phys;
	hv_hi = hv.hv_phys + hv.hv_size;
	slat(hv_lo, LVBS_ACC_READ, LVBS_EV_HV_MEM_ACCESS, 1);
	slat(hv_hi - 1, LVBS_ACC_WRITE | LVBS_ACC_USER, LVBS_EV_HV_MEM_ACCESS, 2);
	slat(hv_lo + 0x1234, LVBS_ACC_EXEC | LVBS_ACC_PTWALK, LVBS_EV_HV_MEM_ACCESS, 3);
	slat(1ULL << 47, LVBS_ACC_WRITE, LVBS_EV_SLAT_UNMAPPED, 4);
	slat(~0ULL, LVBS_ACC_EXEC, LVBS_EV_SLAT_UNMAPPED, 5);
	/*
	 * Right next to the hypervisor: ordinary memory the database allows.
	 * Such a fault can only come from a stale, stricter TLB entry: the
	 * TLB is flushed and the access retried, nothing logged or injected.
	 */
	slat_handle_npf(cpu0(), hv_lo - 1, LVBS_ACC_READ);
	slat_handle_npf(cpu0(), hv_hi, LVBS_ACC_WRITE);
	CHECK_EQ(fake[0].injected, 5);
	CHECK_EQ(fake[0].tlb_flushes, 2);
	CHECK_EQ(ev()->seq, 5);
	CHECK_EQ(cpu0()->exits_total, 7);
	CHECK_EQ(cpu0()->hypercalls_failed, 0);
}

TEST(cpuid_policy_leaf_by_leaf)
{
	u32 a, b, c, d, ha, hb, hc, hd;

	stub_reset();
	hv.caps.used = LVBS_FEAT_NPT | LVBS_FEAT_NRIPS | (1ULL << 40);

	a = b = c = d = 0xeeeeeeee;
	cpuid_policy(LVBS_CPUID_SIGNATURE, 5, &a, &b, &c, &d);
	CHECK_EQ(a, LVBS_CPUID_INFO);
	CHECK_EQ(b, LVBS_CPUID_SIG_EBX);
	CHECK_EQ(c, LVBS_CPUID_SIG_EBX);
	CHECK_EQ(d, LVBS_CPUID_SIG_EBX);
	a = b = c = d = 0xeeeeeeee;
	cpuid_policy(LVBS_CPUID_INFO, 0, &a, &b, &c, &d);
	CHECK_EQ(a, LVBS_ABI_VERSION);
	CHECK_EQ(b, LVBS_VENDOR_SVM);
	CHECK_EQ(c, LVBS_FEAT_NPT | LVBS_FEAT_NRIPS);	/* low 32 bits only */
	CHECK_EQ(d, 0);
	for (u32 leaf = 0x40000002u; leaf <= 0x400000ffu; leaf += 0x3d) {
		a = b = c = d = 0xeeeeeeee;
		cpuid_policy(leaf, 0, &a, &b, &c, &d);
		CHECK_EQ(a | b | c | d, 0);
	}
	a = b = c = d = 0xeeeeeeee;
	cpuid_policy(0x400000ffu, 0, &a, &b, &c, &d);
	CHECK_EQ(a | b | c | d, 0);

	/* Leaf 0 as the CPU says. */
	cpuid_count(0, 0, &ha, &hb, &hc, &hd);
	cpuid_policy(0, 0, &a, &b, &c, &d);
	CHECK_EQ(a, ha);
	CHECK_EQ(b, hb);
	CHECK_EQ(c, hc);
	CHECK_EQ(d, hd);

	/* Leaf 1: VMX hidden, hypervisor bit set, the rest as the CPU says. */
	cpuid_count(1, 0, &ha, &hb, &hc, &hd);
	cpuid_policy(1, 0, &a, &b, &c, &d);
	CHECK_EQ(c & (1u << 5), 0);
	CHECK_EQ(c & (1u << 31), 1u << 31);
	CHECK_EQ(c, (hc & ~(1u << 5)) | (1u << 31));
	CHECK_EQ(a, ha);
	CHECK_EQ(b & 0x00ffffff, hb & 0x00ffffff);	/* 31:24 is the APIC ID */
	CHECK_EQ(d, hd);

	/* Leaf 0x80000001: SVM hidden. */
	cpuid_count(0x80000001u, 0, &ha, &hb, &hc, &hd);
	cpuid_policy(0x80000001u, 0, &a, &b, &c, &d);
	CHECK_EQ(c & (1u << 2), 0);
	CHECK_EQ(c, hc & ~(1u << 2));
	CHECK_EQ(d, hd);

	/* Leaf 0x8000000a: SVM features, all zero. */
	a = b = c = d = 0xeeeeeeee;
	cpuid_policy(0x8000000au, 0, &a, &b, &c, &d);
	CHECK_EQ(a, 0);
	CHECK_EQ(b, 0);
	CHECK_EQ(c, 0);
	CHECK_EQ(d, 0);
}

TEST(cpuid_exit_emulates_through_the_policy)
{
	static const u8 vmmcall[] = { 0x0f, 0x01, 0xd9 };
	struct hv_cpu *c;

	stub_reset();
	c = cpu0();
	guest_code(0, cpuid_code, sizeof(cpuid_code));
	c->regs[REG_RAX] = 0xffffffff00000000ULL | LVBS_CPUID_SIGNATURE;
	c->regs[REG_RBX] = 0xbbbbbbbbbbbbbbbbULL;
	c->regs[REG_RCX] = 0xcccccccc00000000ULL;
	c->regs[REG_RDX] = 0xdddddddddddddddULL;
	vcpu_handle_cpuid(c);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	CHECK_EQ(c->regs[REG_RAX], LVBS_CPUID_INFO);	/* upper halves cleared */
	CHECK_EQ(c->regs[REG_RBX], LVBS_CPUID_SIG_EBX);
	CHECK_EQ(c->regs[REG_RCX], LVBS_CPUID_SIG_EBX);
	CHECK_EQ(c->regs[REG_RDX], LVBS_CPUID_SIG_EBX);
	CHECK_EQ(c->exits[LVBS_EXIT_CPUID], 1);

	/* The bytes at RIP are not CPUID: #UD, registers kept. */
	guest_code(0, vmmcall, sizeof(vmmcall));
	c->regs[REG_RAX] = LVBS_CPUID_INFO;
	vcpu_handle_cpuid(c);
	CHECK_EQ(fake[0].injected, 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_UD);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(c->regs[REG_RAX], LVBS_CPUID_INFO);
	CHECK_EQ(c->regs[REG_RBX], LVBS_CPUID_SIG_EBX);
	CHECK_EQ(ev()->kind, LVBS_EV_INSN_DECODE);
	CHECK_EQ(ev()->info0, INSN_CPUID);
	CHECK_EQ(c->exits[LVBS_EXIT_CPUID], 2);
}

/*
 * A debugger single-stepping over an instruction that exits (CPUID always
 * does on VMX) gets the #DB trap after it, with DR6.BS, as on bare metal;
 * without TF nothing is injected, and a refused instruction gets its own
 * fault and no trap.
 */
TEST(single_step_over_an_emulated_instruction_traps_after_it)
{
	struct hv_cpu *c;

	stub_reset();
	c = cpu0();
	guest_code(0, cpuid_code, sizeof(cpuid_code));
	fake[0].rflags = X86_EFLAGS_FIXED | X86_EFLAGS_TF;
	c->regs[REG_RAX] = 0;
	vcpu_handle_cpuid(c);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	CHECK_EQ(fake[0].injected, 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_DB);
	CHECK_EQ(fake[0].dr6_bs, 1);

	fake[0].injected = 0;
	fake[0].dr6_bs = 0;
	fake[0].rflags = X86_EFLAGS_FIXED;
	fake[0].rip = CODE_GVA;
	vcpu_handle_cpuid(c);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].dr6_bs, 0);

	/* TF with DEBUGCTL.BTF traps on branches only: CPUID is none. */
	fake[0].rflags = X86_EFLAGS_FIXED | X86_EFLAGS_TF;
	fake[0].rip = CODE_GVA;
	fake_msr[0][0] = MSR_IA32_DEBUGCTL;
	fake_msr[0][1] = DEBUGCTL_BTF;
	vcpu_handle_cpuid(c);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	CHECK_EQ(fake[0].injected, 0);
	fake_msr[0][0] = 0;

	/* XSETBV from CPL 3 under TF: #GP at the instruction, no trap. */
	fake[0].rflags = X86_EFLAGS_FIXED | X86_EFLAGS_TF;
	fake[0].rip = CODE_GVA;
	fake[0].cpl = 3;
	vcpu_handle_xsetbv(c);
	CHECK_EQ(fake[0].injected, 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(fake[0].dr6_bs, 0);
}
