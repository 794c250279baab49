/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMCS field encodings (Intel SDM vol. 3C, appendix B), exit reasons
 * (appendix C), and the VMX instructions as inline functions. Only what
 * the backend uses.
 */
#ifndef HV_ARCH_X86_VMX_VMCS_H
#define HV_ARCH_X86_VMX_VMCS_H

#include <hv/types.h>

/* 16-bit fields */
#define VMCS_VPID			0x0000
#define VMCS_GUEST_ES_SEL		0x0800	/* ES, CS, SS, DS, FS, GS, LDTR, TR: +2 each */
#define VMCS_HOST_ES_SEL		0x0c00
#define VMCS_HOST_CS_SEL		0x0c02
#define VMCS_HOST_SS_SEL		0x0c04
#define VMCS_HOST_DS_SEL		0x0c06
#define VMCS_HOST_FS_SEL		0x0c08
#define VMCS_HOST_GS_SEL		0x0c0a
#define VMCS_HOST_TR_SEL		0x0c0c

/* 64-bit fields */
#define VMCS_MSR_BITMAP			0x2004
#define VMCS_EPTP			0x201a
#define VMCS_XSS_EXIT_BITMAP		0x202c
#define VMCS_GUEST_PHYS_ADDR		0x2400
#define VMCS_LINK_POINTER		0x2800
#define VMCS_GUEST_DEBUGCTL		0x2802
#define VMCS_GUEST_PAT			0x2804
#define VMCS_GUEST_EFER			0x2806
#define VMCS_HOST_PAT			0x2c00
#define VMCS_HOST_EFER			0x2c02

/* 32-bit fields */
#define VMCS_PIN_CTLS			0x4000
#define VMCS_PROC_CTLS			0x4002
#define VMCS_EXCEPTION_BITMAP		0x4004
#define VMCS_PF_ERR_MASK		0x4006
#define VMCS_PF_ERR_MATCH		0x4008
#define VMCS_CR3_TARGET_COUNT		0x400a
#define VMCS_EXIT_CTLS			0x400c
#define VMCS_EXIT_MSR_STORE_COUNT	0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT	0x4010
#define VMCS_ENTRY_CTLS			0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT	0x4014
#define VMCS_ENTRY_INTR_INFO		0x4016
#define VMCS_ENTRY_EXC_ERR		0x4018
#define VMCS_ENTRY_INSN_LEN		0x401a
#define VMCS_PROC2_CTLS			0x401e
#define VMCS_INSN_ERROR			0x4400
#define VMCS_EXIT_REASON		0x4402
#define VMCS_EXIT_INTR_INFO		0x4404
#define VMCS_EXIT_INTR_ERR		0x4406
#define VMCS_IDT_VEC_INFO		0x4408
#define VMCS_IDT_VEC_ERR		0x440a
#define VMCS_EXIT_INSN_LEN		0x440c
#define VMCS_EXIT_INSN_INFO		0x440e
#define VMCS_GUEST_ES_LIMIT		0x4800	/* ... TR: +2 each */
#define VMCS_GUEST_GDTR_LIMIT		0x4810
#define VMCS_GUEST_IDTR_LIMIT		0x4812
#define VMCS_GUEST_ES_AR		0x4814	/* ... TR: +2 each */
#define VMCS_GUEST_INTERRUPTIBILITY	0x4824
#define VMCS_GUEST_ACTIVITY		0x4826
#define VMCS_GUEST_SYSENTER_CS		0x482a
#define VMCS_HOST_SYSENTER_CS		0x4c00

/* Natural-width fields */
#define VMCS_CR0_MASK			0x6000
#define VMCS_CR4_MASK			0x6002
#define VMCS_CR0_SHADOW			0x6004
#define VMCS_CR4_SHADOW			0x6006
#define VMCS_EXIT_QUAL			0x6400
#define VMCS_GUEST_LINEAR_ADDR		0x640a
#define VMCS_GUEST_CR0			0x6800
#define VMCS_GUEST_CR3			0x6802
#define VMCS_GUEST_CR4			0x6804
#define VMCS_GUEST_ES_BASE		0x6806	/* ... TR: +2 each */
#define VMCS_GUEST_FS_BASE		0x680e
#define VMCS_GUEST_GS_BASE		0x6810
#define VMCS_GUEST_GDTR_BASE		0x6816
#define VMCS_GUEST_IDTR_BASE		0x6818
#define VMCS_GUEST_DR7			0x681a
#define VMCS_GUEST_RSP			0x681c
#define VMCS_GUEST_RIP			0x681e
#define VMCS_GUEST_RFLAGS		0x6820
#define VMCS_GUEST_PENDING_DBG		0x6822
#define VMCS_GUEST_SYSENTER_ESP		0x6824
#define VMCS_GUEST_SYSENTER_EIP		0x6826
#define VMCS_HOST_CR0			0x6c00
#define VMCS_HOST_CR3			0x6c02
#define VMCS_HOST_CR4			0x6c04
#define VMCS_HOST_FS_BASE		0x6c06
#define VMCS_HOST_GS_BASE		0x6c08
#define VMCS_HOST_TR_BASE		0x6c0a
#define VMCS_HOST_GDTR_BASE		0x6c0c
#define VMCS_HOST_IDTR_BASE		0x6c0e
#define VMCS_HOST_SYSENTER_ESP		0x6c10
#define VMCS_HOST_SYSENTER_EIP		0x6c12
#define VMCS_HOST_RSP			0x6c14
#define VMCS_HOST_RIP			0x6c16

/* Segment numbers, in the order of the guest segment fields. */
enum { VSEG_ES, VSEG_CS, VSEG_SS, VSEG_DS, VSEG_FS, VSEG_GS, VSEG_LDTR, VSEG_TR };

/* Access rights (SDM 25.4.1): the descriptor's bits 47:40 and 55:52, and "unusable". */
#define VMX_AR_UNUSABLE			BIT(16)

/* Exit reasons (SDM appendix C) */
#define EXIT_EXCEPTION_NMI		0
#define EXIT_EXTERNAL_INTR		1
#define EXIT_TRIPLE_FAULT		2
#define EXIT_INIT			3
#define EXIT_SIPI			4
#define EXIT_NMI_WINDOW			8
#define EXIT_CPUID			10
#define EXIT_GETSEC			11
#define EXIT_INVD			13
#define EXIT_VMCALL			18
#define EXIT_VMCLEAR			19
#define EXIT_VMLAUNCH			20
#define EXIT_VMPTRLD			21
#define EXIT_VMPTRST			22
#define EXIT_VMREAD			23
#define EXIT_VMRESUME			24
#define EXIT_VMWRITE			25
#define EXIT_VMXOFF			26
#define EXIT_VMXON			27
#define EXIT_CR_ACCESS			28
#define EXIT_RDMSR			31
#define EXIT_WRMSR			32
#define EXIT_ENTRY_FAIL_GUEST		33
#define EXIT_ENTRY_FAIL_MSR		34
#define EXIT_ENTRY_FAIL_MCE		41
#define EXIT_GDTR_IDTR			46
#define EXIT_LDTR_TR			47
#define EXIT_EPT_VIOLATION		48
#define EXIT_EPT_MISCONFIG		49
#define EXIT_INVEPT			50
#define EXIT_INVVPID			53
#define EXIT_XSETBV			55
#define EXIT_VMFUNC			59
#define EXIT_REASON_ENTRY_FAIL		BIT(31)

/* Interruption information (entry, exit, IDT vectoring: SDM 25.8.3, 25.9.2) */
#define INTR_INFO_VALID			BIT(31)
#define INTR_INFO_HAS_ERR		BIT(11)
#define INTR_INFO_NMI_UNBLOCK		BIT(12)
#define INTR_TYPE(i)			(((i) >> 8) & 7)
#define INTR_TYPE_EXT			0
#define INTR_TYPE_NMI			2
#define INTR_TYPE_HW_EXC		3
#define INTR_TYPE_SOFT_INT		4
#define INTR_TYPE_PRIV_SOFT_EXC		5
#define INTR_TYPE_SOFT_EXC		6

/* Guest interruptibility (SDM 25.4.2) */
#define INTERRUPTIBILITY_STI		BIT(0)
#define INTERRUPTIBILITY_MOV_SS		BIT(1)
#define INTERRUPTIBILITY_NMI		BIT(3)

/* EPT-violation qualification (SDM 28.2.1) */
#define EPT_QUAL_READ			BIT(0)
#define EPT_QUAL_WRITE			BIT(1)
#define EPT_QUAL_FETCH			BIT(2)
#define EPT_QUAL_LINEAR_VALID		BIT(7)
#define EPT_QUAL_FINAL			BIT(8)
#define EPT_QUAL_NMI_UNBLOCK		BIT(12)

/* Control-register access qualification (SDM 28.2.1) */
#define CR_QUAL_CR(q)			((u32)(q) & 0xf)
#define CR_QUAL_TYPE(q)			(((u32)(q) >> 4) & 3)
#define CR_QUAL_GPR(q)			(((u32)(q) >> 8) & 0xf)
#define CR_TYPE_MOV_TO			0

#define MSR_IA32_VMX_CR0_FIXED0		0x486
#define MSR_IA32_VMX_CR4_FIXED0		0x488

/*
 * VMX instructions report failure in RFLAGS: CF (VMfailInvalid, no current
 * VMCS) or ZF (VMfailValid, the error number in VMCS_INSN_ERROR).
 */
static inline bool vmx_insn_ok(u8 cf, u8 zf) { return !cf && !zf; }

static inline bool vmxon(u64 pa)
{
	u8 cf, zf;

	__asm__ __volatile__("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return vmx_insn_ok(cf, zf);
}

static inline void vmxoff(void)
{
	__asm__ __volatile__("vmxoff" ::: "cc", "memory");
}

static inline bool vmclear(u64 pa)
{
	u8 cf, zf;

	__asm__ __volatile__("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return vmx_insn_ok(cf, zf);
}

static inline bool vmptrld(u64 pa)
{
	u8 cf, zf;

	__asm__ __volatile__("vmptrld %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return vmx_insn_ok(cf, zf);
}

static inline u64 vmread(u64 field)
{
	u64 v;

	__asm__ __volatile__("vmread %1, %0" : "=rm"(v) : "r"(field) : "cc");
	return v;
}

static inline bool vmwrite(u64 field, u64 v)
{
	u8 cf, zf;

	__asm__ __volatile__("vmwrite %3, %2" : "=@ccc"(cf), "=@ccz"(zf)
			     : "r"(field), "rm"(v) : "memory");
	return vmx_insn_ok(cf, zf);
}

/* INVEPT/INVVPID types (SDM 31.3) */
#define INVEPT_SINGLE			1
#define INVEPT_ALL			2
#define INVVPID_ALL			2

static inline void invept(u64 type, u64 eptp)
{
	struct { u64 eptp, zero; } d = { eptp, 0 };

	__asm__ __volatile__("invept %0, %1" :: "m"(d), "r"(type) : "cc", "memory");
}

static inline void invvpid(u64 type, u16 vpid, u64 gva)
{
	struct { u64 vpid, gva; } d = { vpid, gva };

	__asm__ __volatile__("invvpid %0, %1" :: "m"(d), "r"(type) : "cc", "memory");
}

#endif
