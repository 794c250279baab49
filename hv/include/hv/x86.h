/* SPDX-License-Identifier: GPL-2.0 */
/* Thin wrappers around x86 instructions and architectural constants. */
#ifndef HV_X86_H
#define HV_X86_H

#include <hv/types.h>

/* Register numbers as encoded in instructions (ModRM, Intel SDM vol. 2 2.1.5). */
enum {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

#define X86_CR0_PE	BIT(0)
#define X86_CR0_WP	BIT(16)
#define X86_CR0_NW	BIT(29)
#define X86_CR0_CD	BIT(30)
#define X86_CR0_PG	BIT(31)
#define X86_CR4_PAE	BIT(5)
#define X86_CR4_PGE	BIT(7)
#define X86_CR4_VMXE	BIT(13)
#define X86_CR4_PCIDE	BIT(17)
#define X86_CR4_LA57	BIT(12)

#define MSR_EFER		0xc0000080u
#define EFER_SCE		BIT(0)
#define EFER_LME		BIT(8)
#define EFER_LMA		BIT(10)
#define EFER_NXE		BIT(11)
#define EFER_SVME		BIT(12)
#define EFER_LMSLE		BIT(13)
#define EFER_FFXSR		BIT(14)
#define EFER_TCE		BIT(15)
#define EFER_AUTOIBRS		BIT(21)
#define MSR_IA32_PAT		0x00000277u
#define MSR_IA32_DEBUGCTL	0x000001d9u
#define DEBUGCTL_BTF		BIT(1)	/* TF traps on branches only */
#define MSR_FS_BASE		0xc0000100u
#define MSR_GS_BASE		0xc0000101u
#define MSR_STAR		0xc0000081u
#define MSR_LSTAR		0xc0000082u
#define MSR_CSTAR		0xc0000083u
#define MSR_SFMASK		0xc0000084u
#define MSR_SYSENTER_CS		0x00000174u
#define MSR_SYSENTER_ESP	0x00000175u
#define MSR_SYSENTER_EIP	0x00000176u
#define MSR_KVM_WALL_CLOCK	0x00000011u	/* KVM's first paravirtual MSRs */
#define MSR_KVM_SYSTEM_TIME	0x00000012u
#define MSR_VM_CR		0xc0010114u
#define VM_CR_SVMDIS		BIT(4)
#define MSR_SMM_CTL		0xc0010116u
#define MSR_VM_HSAVE_PA		0xc0010117u

#define X86_EFLAGS_TF		BIT(8)
#define X86_EFLAGS_IF		BIT(9)
#define X86_EFLAGS_RF		BIT(16)
#define X86_EFLAGS_AC		BIT(18)

/* Segment registers, in VMX's order (arch_seg_base). */
#define X86_SEG_ES		0
#define X86_SEG_CS		1
#define X86_SEG_SS		2
#define X86_SEG_DS		3
#define X86_SEG_FS		4
#define X86_SEG_GS		5

/* The two selector-only registers the core reads (arch_read_sel). */
#define X86_SEL_LDTR		0
#define X86_SEL_TR		1

/* DR6: breakpoint hits B0-B3, debug-register access, single step */
#define DR6_B0_3		0xfull
#define DR6_BD			BIT(13)
#define DR6_BS			BIT(14)
#define X86_EFLAGS_FIXED	BIT(1)

#define X86_VEC_DE	0
#define X86_VEC_DB	1
#define X86_VEC_NMI	2
#define X86_VEC_UD	6
#define X86_VEC_DF	8
#define X86_VEC_NP	11
#define X86_VEC_GP	13
#define X86_VEC_PF	14
#define X86_VEC_MC	18

struct __attribute__((packed)) dtr {
	u16 limit;
	u64 base;
};

/*
 * A guest's access to an MSR the CPU may not have: 0, or -1 where the CPU
 * raised #GP (hv/arch/x86/head.S; the host tests fake them).
 */
int hv_rdmsr_safe(u32 msr, u64 *val);
int hv_wrmsr_safe(u32 msr, u64 val);

#ifdef LVBS_HOST_TEST
/* Host unit tests cannot touch MSRs: they provide these (tests/unit). */
u64 rdmsr(u32 msr);
void wrmsr(u32 msr, u64 v);
#else
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" :: "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
			     : "memory");
}
#endif

static inline void cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			     : "a"(leaf), "c"(sub));
}

#define DEFINE_READ_CR(n) \
static inline u64 read_cr##n(void) \
{ \
	u64 v; \
	__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v)); \
	return v; \
}
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)

static inline void write_cr3(u64 v)
{
	__asm__ __volatile__("mov %0, %%cr3" :: "r"(v) : "memory");
}

static inline void write_cr4(u64 v)
{
	__asm__ __volatile__("mov %0, %%cr4" :: "r"(v) : "memory");
}

#ifdef LVBS_HOST_TEST
void xsetbv(u32 idx, u64 v);	/* provided by the unit tests */
void wbinvd(void);
#else
static inline void xsetbv(u32 idx, u64 v)
{
	__asm__ __volatile__("xsetbv" :: "c"(idx), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline void wbinvd(void)
{
	__asm__ __volatile__("wbinvd" ::: "memory");
}
#endif

static inline u64 read_dr7(void)
{
	u64 v;

	__asm__ __volatile__("mov %%dr7, %0" : "=r"(v));
	return v;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void outb(u16 port, u8 v)
{
	__asm__ __volatile__("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

#endif
