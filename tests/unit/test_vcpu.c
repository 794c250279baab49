// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the vendor-neutral exit handling (hv/core/vcpu.c, hypercall.c,
 * crpin.c, msrpin.c, dtpin.c, cpuid.c) over the fake backend of stub_arch.c:
 * the hypercall ABI's checks, instruction skipping with and without a
 * hardware next-RIP, and the CR, MSR and descriptor-table pins.
 */
#include <string.h>
#include <hv/types.h>
#include <hv/x86.h>
#include "core/hv.h"
#include "core/insn.h"
#include "stub_arch.h"
#include "test.h"

static struct hv_cpu *cpu0(void)
{
	return hv_cpu_of(0);
}

/* A hypercall from CPU 0 with a hardware next RIP: returns RAX. */
static long call(u64 nr, u64 a1, u64 a2, u64 a3)
{
	return stub_hypercall(0, 0x1000, nr, a1, a2, a3);
}

static u64 data_gpa(void)
{
	return (u64)guest.ram + DATA_PAGE_OFF;
}

TEST(hc_get_info_and_errors_in_order)
{
	struct lvbs_info *info;
	u8 *buf;
	u64 hv_gpa;

	stub_reset();
	buf = (u8 *)data_gpa();
	info = (struct lvbs_info *)buf;
	hv_gpa = hv.hv_phys;
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), data_gpa(), sizeof(*info), 0), LVBS_OK);
	CHECK_EQ(info->abi_version, LVBS_ABI_VERSION);
	CHECK_EQ(info->size, sizeof(*info));
	CHECK_EQ(info->vendor, LVBS_VENDOR_SVM);
	CHECK_EQ(fake[0].rip, 0x1003);

	/* Failing calls write nothing. */
	memset(buf, 0x5a, 4096);
	CHECK_EQ(call(0x1234, data_gpa(), 4096, 0), LVBS_E_NOSYS);
	CHECK_EQ(call(LVBS_HC(0x7777), data_gpa(), 4096, 0), LVBS_E_NOSYS);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), data_gpa(), 0, 0), LVBS_E_INVAL);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), data_gpa(), 4, 0), LVBS_E_INVAL);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), data_gpa(), 1 << 30, 0), LVBS_E_TOOBIG);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), data_gpa() + 1, 4096, 0), LVBS_E_ALIGN);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), hv_gpa, 4096, 0), LVBS_E_RANGE);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), hv_gpa - 8, 4096, 0), LVBS_E_RANGE);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), 1ULL << 46, 4096, 0), LVBS_E_RANGE);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), 0xfffffffffffff000ULL, 4096, 0),
		 LVBS_E_RANGE);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_STATS), data_gpa(), 4096, FAKE_CPUS), LVBS_E_RANGE);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_READ_LOG), data_gpa(), 0, 1), LVBS_E_INVAL);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_LAUNCH_ABORT), 0, 0, 0), LVBS_E_PERM);
	for (int i = 0; i < 4096; i++)
		if (buf[i] != 0x5a) {
			CHECK(!"a failing hypercall wrote to the buffer");
			break;
		}
	CHECK_EQ(cpu0()->hypercalls_failed, 13);
	CHECK_EQ(last_event()->kind, LVBS_EV_BAD_HYPERCALL);
	CHECK_EQ(last_event()->info1, (u64)LVBS_E_PERM);
}

TEST(hc_read_log_pages_through)
{
	struct lvbs_log_entry *out;

	stub_reset();
	out = (struct lvbs_log_entry *)data_gpa();
	for (u32 i = 0; i < 5; i++)
		hv_log_event(cpu0(), LVBS_EV_LAUNCH, 0, 0, 0, i, 0);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_READ_LOG), data_gpa(), 2 * sizeof(*out), 1), 2);
	CHECK_EQ(out[0].seq, 1);
	CHECK_EQ(out[1].info0, 1);
	CHECK_EQ(cpu0()->regs[REG_RBX], 3);	/* next */
	CHECK_EQ(call(LVBS_HC(LVBS_HC_READ_LOG), data_gpa(), 64 * sizeof(*out), 3), 3);
	CHECK_EQ(out[2].seq, 5);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_READ_LOG), data_gpa(), 64 * sizeof(*out), 6), 0);
}

TEST(hypercall_from_user_mode_gets_ud)
{
	stub_reset();
	fake[0].cpl = 3;
	fake[0].rip = 0x401000;
	cpu0()->regs[REG_RAX] = LVBS_HC(LVBS_HC_GET_INFO);
	vcpu_handle_hypercall(cpu0());
	CHECK_EQ(fake[0].injected, 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_UD);
	CHECK_EQ(fake[0].rip, 0x401000);
	CHECK_EQ(last_event()->kind, LVBS_EV_USER_HYPERCALL);
	CHECK_EQ(last_event()->access, LVBS_ACC_USER);
}

TEST(hypercall_without_nrip_decodes_the_bytes)
{
	static const u8 vmmcall[] = { 0x0f, 0x01, 0xd9 };
	static const u8 prefixed[] = { 0x66, 0x0f, 0x01, 0xd9 };
	static const u8 cpuid[] = { 0x0f, 0xa2 };

	stub_reset();
	guest_code(0, vmmcall, sizeof(vmmcall));
	cpu0()->regs[REG_RAX] = LVBS_HC(0x7777);
	vcpu_handle_hypercall(cpu0());
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);
	CHECK_EQ((s64)cpu0()->regs[REG_RAX], LVBS_E_NOSYS);

	guest_code(0, prefixed, sizeof(prefixed));
	vcpu_handle_hypercall(cpu0());
	CHECK_EQ(fake[0].rip, CODE_GVA + 4);

	/* Bytes that are not a VMMCALL (rewritten by another CPU): #UD. */
	guest_code(0, cpuid, sizeof(cpuid));
	vcpu_handle_hypercall(cpu0());
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_UD);
	CHECK_EQ(last_event()->kind, LVBS_EV_INSN_DECODE);
}

static void xsetbv_from_guest(u32 cpl, u32 ecx, u64 v)
{
	static const u8 xsetbv_insn[] = { 0x0f, 0x01, 0xd1 };

	guest_code(0, xsetbv_insn, sizeof(xsetbv_insn));
	fake[0].cpl = cpl;
	fake[0].injected = 0;
	fake[0].inj_vec = 0;
	cpu0()->regs[REG_RCX] = ecx;
	cpu0()->regs[REG_RAX] = (u32)v;
	cpu0()->regs[REG_RDX] = v >> 32;
	vcpu_handle_xsetbv(cpu0());
}

/*
 * XSETBV (it always exits on VMX): a value the CPU would take is written
 * and the instruction skipped; anything else is the CPU's #GP. The
 * components offered are this host's (CPUID leaf 0xD).
 */
TEST(xsetbv_writes_valid_values_and_refuses_the_rest)
{
	u32 a, b, c, d;
	u64 offered;

	cpuid_count(0xd, 0, &a, &b, &c, &d);
	offered = ((u64)d << 32) | a;
	stub_reset();
	fake_xsetbv_calls = 0;

	xsetbv_from_guest(0, 0, 0x3);			/* x87 + SSE */
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake_xsetbv_calls, 1);
	CHECK_EQ(fake_xcr0, 0x3);
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);

	xsetbv_from_guest(0, 0, 0x2);			/* x87 off */
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	if (offered & BIT(2)) {
		xsetbv_from_guest(0, 0, 0x5);		/* AVX without SSE */
		CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	}
	if (offered & 0xe0) {
		xsetbv_from_guest(0, 0, 0x27);		/* one AVX-512 component */
		CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	}
	xsetbv_from_guest(0, 0, 0x3 | (~offered & ~0x3ull & -(~offered & ~0x3ull)));
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);		/* a component not offered */
	xsetbv_from_guest(0, 1, 0x3);			/* XCR1 */
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	xsetbv_from_guest(3, 0, 0x3);			/* from user mode */
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake_xsetbv_calls, 1);
	CHECK_EQ(cpu0()->exits[LVBS_EXIT_XSETBV], 5 + !!(offered & BIT(2)) + !!(offered & 0xe0));
}

TEST(cpuid_hides_svm_and_announces_lvbs)
{
	u32 a, b, c, d;

	stub_reset();
	cpuid_policy(0x40000000u, 0, &a, &b, &c, &d);
	CHECK_EQ(a, LVBS_CPUID_INFO);
	CHECK_EQ(b, LVBS_CPUID_SIG_EBX);
	CHECK_EQ(c, LVBS_CPUID_SIG_EBX);
	CHECK_EQ(d, LVBS_CPUID_SIG_EBX);
	cpuid_policy(0x40000001u, 0, &a, &b, &c, &d);
	CHECK_EQ(a, LVBS_ABI_VERSION);
	cpuid_policy(1, 0, &a, &b, &c, &d);
	CHECK(!(c & (1u << 5)));
	CHECK(c & (1u << 31));
	cpuid_policy(0x80000001u, 0, &a, &b, &c, &d);
	CHECK(!(c & (1u << 2)));
	cpuid_policy(0x8000000au, 0, &a, &b, &c, &d);
	CHECK_EQ(a | b | c | d, 0);
}

/* mov %rax,%cr4 ; mov %rax,%cr0 ; clts ; lmsw %ax */
static const u8 mov_cr4[] = { 0x0f, 0x22, 0xe0 };
static const u8 mov_cr0[] = { 0x0f, 0x22, 0xc0 };
static const u8 clts[] = { 0x0f, 0x06 };
static const u8 lmsw[] = { 0x0f, 0x01, 0xf0 };

static void cr_write(u32 cr, const u8 *code, u32 n, u64 value)
{
	guest_code(0, code, n);
	cpu0()->regs[REG_RAX] = value;
	vcpu_handle_cr_write(cpu0(), cr, -1);
}

TEST(cr_pins_hold_and_benign_writes_pass)
{
	u64 cr4 = 0x3506f0, cr0 = 0x80050033;

	stub_reset();
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_CR), 4, LVBS_CR4_SMEP | LVBS_CR4_SMAP, 0), LVBS_OK);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_CR), 0, LVBS_CR0_WP | LVBS_CR0_PG, 0), LVBS_OK);
	CHECK_EQ(fake[0].cr_intercepts, (1u << 0) | (1u << 4));
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_CR), 3, 0, 0), LVBS_E_INVAL);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_CR), 4, 1u << 7, 0), LVBS_E_INVAL);

	/* Benign: toggle PGE (a global flush) keeps the pins; TLB flushed. */
	cr_write(4, mov_cr4, sizeof(mov_cr4), cr4 & ~X86_CR4_PGE);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].cr4, cr4 & ~X86_CR4_PGE);
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);
	CHECK_EQ(fake[0].flushes, 1);

	/* Attack: clear SMEP. #GP, CR4 unchanged, RIP unchanged, logged. */
	cr_write(4, mov_cr4, sizeof(mov_cr4), cr4 & ~LVBS_CR4_SMEP);
	CHECK_EQ(fake[0].injected, 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].cr4, cr4 & ~X86_CR4_PGE);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(last_event()->kind, LVBS_EV_CR_PIN);
	CHECK_EQ(last_event()->info0, 4);

	/* Attack: clear WP. */
	cr_write(0, mov_cr0, sizeof(mov_cr0), cr0 & ~X86_CR0_WP);
	CHECK_EQ(fake[0].injected, 2);
	CHECK_EQ(fake[0].cr0, cr0);

	/* A value the CPU would refuse never reaches the VMCB. */
	cr_write(4, mov_cr4, sizeof(mov_cr4), cr4 | (1ULL << 30));
	CHECK_EQ(last_event()->kind, LVBS_EV_CR_INVALID);
	cr_write(0, mov_cr0, sizeof(mov_cr0), cr0 | X86_CR0_NW);
	CHECK_EQ(last_event()->kind, LVBS_EV_CR_INVALID);
	cr_write(0, mov_cr0, sizeof(mov_cr0), cr0 & ~X86_CR0_PG);
	CHECK_EQ(last_event()->kind, LVBS_EV_CR_INVALID);
	CHECK_EQ(fake[0].cr0, cr0);

	/* CLTS clears TS; LMSW cannot clear PE. */
	fake[0].cr0 = cr0 | (1u << 3);
	cr_write(0, clts, sizeof(clts), 0);
	CHECK_EQ(fake[0].cr0, cr0);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	cr_write(0, lmsw, sizeof(lmsw), 0);
	CHECK_EQ(fake[0].cr0 & 0xf, 0x1);
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);

	/* CPU 1 disagrees on a pinned bit: refused, and it does not enforce. */
	fake[1].cr4 = cr4 & ~LVBS_CR4_SMEP;
	hv_cpu_of(1)->regs[REG_RAX] = LVBS_HC(LVBS_HC_PIN_CR);
	hv_cpu_of(1)->regs[REG_RBX] = 4;
	hv_cpu_of(1)->regs[REG_RCX] = LVBS_CR4_SMEP;
	fake[1].has_nrip = true;
	fake[1].next_rip = 3;
	vcpu_handle_hypercall(hv_cpu_of(1));
	CHECK_EQ((s64)hv_cpu_of(1)->regs[REG_RAX], LVBS_E_INVAL);
	CHECK_EQ(crpin_enforcing_cpus(), 1);
}

static void msr_write(u32 msr, u64 v)
{
	static const u8 wrmsr_code[] = { 0x0f, 0x30 };

	guest_code(0, wrmsr_code, sizeof(wrmsr_code));
	cpu0()->regs[REG_RCX] = msr;
	cpu0()->regs[REG_RAX] = (u32)v;
	cpu0()->regs[REG_RDX] = v >> 32;
	vcpu_handle_msr(cpu0(), true);
}

TEST(msr_pins_hold_and_benign_writes_pass)
{
	u64 lstar = 0xffffffff81e00080ULL;

	stub_reset();
	wrmsr(MSR_LSTAR, lstar);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_MSR), LVBS_MSR_SLOT_LSTAR, ~0ULL, 0), LVBS_OK);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_MSR), LVBS_MSR_SLOT_EFER, LVBS_PIN_EFER_ALLOWED, 0),
		 LVBS_OK);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_MSR), LVBS_MSR_SLOTS, ~0ULL, 0), LVBS_E_INVAL);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_MSR), LVBS_MSR_SLOT_EFER, EFER_SVME, 0), LVBS_E_INVAL);

	msr_write(MSR_LSTAR, lstar);			/* same value: fine */
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	msr_write(MSR_LSTAR, lstar + 0x40);		/* redirect: #GP */
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(rdmsr(MSR_LSTAR), lstar);
	CHECK_EQ(last_event()->kind, LVBS_EV_MSR_PIN);
	CHECK_EQ(last_event()->info0, MSR_LSTAR);
	msr_write(MSR_CSTAR, 0x0000800000000000ULL);	/* non-canonical: #GP */
	CHECK_EQ(fake[0].injected, 2);
	msr_write(MSR_EFER, fake[0].efer & ~EFER_NXE);	/* clear NXE: #GP */
	CHECK_EQ(fake[0].injected, 3);
	CHECK_EQ(fake[0].efer_writes, 0);
	msr_write(MSR_VM_HSAVE_PA, 0x1000);		/* dropped, logged */
	CHECK_EQ(fake[0].injected, 3);
	CHECK_EQ(last_event()->kind, LVBS_EV_MSR_DENIED);
	msr_write(0x10, 0);				/* not intercepted: #GP */
	CHECK_EQ(fake[0].injected, 4);
}

TEST(dt_pins_hold_and_reloading_the_same_table_passes)
{
	/* lidt (%rbx); lgdt (%rbx); ltr %ax */
	static const u8 lidt[] = { 0x0f, 0x01, 0x1b };
	static const u8 lgdt[] = { 0x0f, 0x01, 0x13 };
	static const u8 ltr[] = { 0x0f, 0x00, 0xd8 };
	u8 *op = (u8 *)data_gpa();
	u64 idt = 0xfffffe0000000000ULL, forged = 0xffff888012345000ULL;
	u16 limit = 0xfff;

	stub_reset();
	guest_map(0xffff888000300000ULL, data_gpa());
	fake[0].dt_base[LVBS_DT_IDTR] = idt;
	fake[0].dt_limit[LVBS_DT_IDTR] = limit;
	fake[0].dt_base[LVBS_DT_GDTR] = 0xfffffe0000001000ULL;
	fake[0].dt_limit[LVBS_DT_GDTR] = 0x7f;
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_DT), 0, 0, 0), LVBS_OK);
	CHECK_EQ(fake[0].dt_intercepts, 1);
	CHECK_EQ(dtpin_cpus(), 1);

	/* The same IDT again: loaded, RIP advanced. */
	memcpy(op, &limit, 2);
	memcpy(op + 2, &idt, 8);
	guest_code(0, lidt, sizeof(lidt));
	cpu0()->regs[REG_RBX] = 0xffff888000300000ULL;
	vcpu_handle_dt_write(cpu0(), LVBS_DT_IDTR);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].dt_writes, 1);
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);

	/* A forged IDT: #GP, logged with its base, IDTR unchanged. */
	memcpy(op + 2, &forged, 8);
	guest_code(0, lidt, sizeof(lidt));
	vcpu_handle_dt_write(cpu0(), LVBS_DT_IDTR);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].dt_base[LVBS_DT_IDTR], idt);
	CHECK_EQ(last_event()->kind, LVBS_EV_DT_PIN);
	CHECK_EQ(last_event()->info1, forged);

	/* LGDT of the IDT's value: another table, refused. */
	guest_code(0, lgdt, sizeof(lgdt));
	vcpu_handle_dt_write(cpu0(), LVBS_DT_GDTR);
	CHECK_EQ(fake[0].injected, 2);

	/* An operand that is not mapped: #GP, not a guess. */
	guest_code(0, lidt, sizeof(lidt));
	cpu0()->regs[REG_RBX] = 0xffff888000500000ULL;
	vcpu_handle_dt_write(cpu0(), LVBS_DT_IDTR);
	CHECK_EQ(fake[0].injected, 3);
	CHECK_EQ(last_event()->kind, LVBS_EV_INSN_DECODE);

	/* LTR: always refused once pinned. */
	guest_code(0, ltr, sizeof(ltr));
	vcpu_handle_dt_write(cpu0(), LVBS_DT_TR);
	CHECK_EQ(fake[0].injected, 4);
	CHECK_EQ(last_event()->info0, LVBS_DT_TR);
}

/* A backend that cannot intercept the loads refuses the pin: nothing is pinned. */
TEST(dt_pin_refused_when_the_backend_cannot_intercept)
{
	stub_reset();
	fake[0].dt_no_intercept = true;
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_DT), 0, 0, 0), LVBS_E_NOSYS);
	CHECK_EQ(fake[0].dt_intercepts, 0);
	CHECK_EQ(dtpin_cpus(), 0);
}

TEST(slat_violation_on_hypervisor_memory)
{
	stub_reset();
	slat_handle_npf(cpu0(), hv.hv_phys + 0x1000, LVBS_ACC_WRITE);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(last_event()->kind, LVBS_EV_HV_MEM_ACCESS);
	CHECK_EQ(last_event()->gpa, hv.hv_phys + 0x1000);
	slat_handle_npf(cpu0(), 1ULL << 48, LVBS_ACC_READ);
	CHECK_EQ(last_event()->kind, LVBS_EV_SLAT_UNMAPPED);
	CHECK_EQ(cpu0()->exits[LVBS_EXIT_SLAT], 2);
}
