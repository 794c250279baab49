/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a CPU's VMX can do, and the VM-execution controls lvbs asks of it
 * (Intel SDM vol. 3C, appendix A, "VMX capability reporting facility",
 * and 25.6-25.8 for the controls). Pure code, tested on the host
 * (tests/unit/test_vmx_caps.c): the backend reads the MSRs and CPUID,
 * this decides. The first step of the VMX backend (docs/vmx-plan.md,
 * step 3); nothing launches on VMX yet.
 *
 * A needed feature that is absent is a refusal with a reason, before
 * anything is changed on the CPU; an optional one (VPID, MBEC, EPT
 * accessed/dirty bits, descriptor-table exiting, VMFUNC EPTP switching,
 * #VE) is reported present or absent, so that `lvbsctl status` can say
 * which protection is weaker and how.
 */
#ifndef HV_ARCH_X86_VMX_CAPS_H
#define HV_ARCH_X86_VMX_CAPS_H

#include <hv/types.h>

#define MSR_IA32_FEATURE_CONTROL	0x03a
#define MSR_IA32_VMX_BASIC		0x480
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP	0x48c
#define MSR_IA32_VMX_TRUE_PINBASED	0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED	0x48e
#define MSR_IA32_VMX_TRUE_EXIT		0x48f
#define MSR_IA32_VMX_TRUE_ENTRY		0x490
#define MSR_IA32_VMX_VMFUNC		0x491

#define FEATURE_CONTROL_LOCKED		BIT(0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX	BIT(2)

/* IA32_VMX_BASIC (SDM A.1). */
#define VMX_BASIC_REVISION(b)		((u32)(b) & 0x7fffffff)
#define VMX_BASIC_MEMTYPE(b)		((u32)((b) >> 50) & 0xf)
#define VMX_BASIC_TRUE_CTLS		BIT(55)
#define VMX_MEMTYPE_WB			6

/* Pin-based controls (SDM table 25-5). */
#define PIN_EXT_INT_EXITING		BIT(0)
#define PIN_NMI_EXITING			BIT(3)
#define PIN_VIRTUAL_NMIS		BIT(5)
#define PIN_PREEMPTION_TIMER		BIT(6)
#define PIN_POSTED_INTERRUPTS		BIT(7)

/* Primary processor-based controls (SDM table 25-6). */
#define PROC_INTR_WINDOW		BIT(2)
#define PROC_TSC_OFFSETTING		BIT(3)
#define PROC_HLT_EXITING		BIT(7)
#define PROC_INVLPG_EXITING		BIT(9)
#define PROC_MWAIT_EXITING		BIT(10)
#define PROC_RDPMC_EXITING		BIT(11)
#define PROC_RDTSC_EXITING		BIT(12)
#define PROC_CR3_LOAD_EXITING		BIT(15)
#define PROC_CR3_STORE_EXITING		BIT(16)
#define PROC_TERTIARY			BIT(17)
#define PROC_CR8_LOAD_EXITING		BIT(19)
#define PROC_CR8_STORE_EXITING		BIT(20)
#define PROC_TPR_SHADOW			BIT(21)
#define PROC_NMI_WINDOW			BIT(22)
#define PROC_MOV_DR_EXITING		BIT(23)
#define PROC_UNCOND_IO_EXITING		BIT(24)
#define PROC_IO_BITMAPS			BIT(25)
#define PROC_MTF			BIT(27)
#define PROC_MSR_BITMAPS		BIT(28)
#define PROC_MONITOR_EXITING		BIT(29)
#define PROC_PAUSE_EXITING		BIT(30)
#define PROC_SECONDARY			BIT(31)

/* Secondary processor-based controls (SDM table 25-7). */
#define PROC2_EPT			BIT(1)
#define PROC2_DT_EXITING		BIT(2)
#define PROC2_RDTSCP			BIT(3)
#define PROC2_VPID			BIT(5)
#define PROC2_WBINVD_EXITING		BIT(6)
#define PROC2_UNRESTRICTED		BIT(7)
#define PROC2_INVPCID			BIT(12)
#define PROC2_VMFUNC			BIT(13)
#define PROC2_PML			BIT(17)
#define PROC2_EPT_VE			BIT(18)
#define PROC2_XSAVES			BIT(20)
#define PROC2_MBEC			BIT(22)
#define PROC2_USER_WAIT_PAUSE		BIT(26)

/* VM-exit controls (SDM table 25-14). */
#define EXIT_SAVE_DEBUG			BIT(2)
#define EXIT_HOST_64			BIT(9)
#define EXIT_ACK_INTERRUPT		BIT(15)
#define EXIT_SAVE_PAT			BIT(18)
#define EXIT_LOAD_PAT			BIT(19)
#define EXIT_SAVE_EFER			BIT(20)
#define EXIT_LOAD_EFER			BIT(21)
#define EXIT_PREEMPTION_SAVE		BIT(22)

/* VM-entry controls (SDM table 25-16). */
#define ENTRY_LOAD_DEBUG		BIT(2)
#define ENTRY_GUEST_64			BIT(9)
#define ENTRY_SMM			BIT(10)
#define ENTRY_DUAL_MONITOR		BIT(11)
#define ENTRY_LOAD_PAT			BIT(14)
#define ENTRY_LOAD_EFER			BIT(15)

/* IA32_VMX_EPT_VPID_CAP (SDM A.10). */
#define EPTCAP_EXEC_ONLY		BIT(0)
#define EPTCAP_WALK_4			BIT(6)
#define EPTCAP_WB			BIT(14)
#define EPTCAP_2M			BIT(16)
#define EPTCAP_1G			BIT(17)
#define EPTCAP_INVEPT			BIT(20)
#define EPTCAP_AD			BIT(21)
#define EPTCAP_INVEPT_ALL		BIT(26)
#define EPTCAP_INVVPID			BIT(32)
#define EPTCAP_INVVPID_ALL		BIT(42)

#define VMFUNC_EPTP_SWITCHING		BIT(0)

/* What the backend read: the capability MSRs and the CPUID bits that matter. */
struct vmx_msrs {
	u64 feature_control;
	u64 basic;
	u64 pin, proc, exit, entry;	/* the IA32_VMX_TRUE_* MSRs */
	u64 proc2;			/* IA32_VMX_PROCBASED_CTLS2, if PROC_SECONDARY allowed */
	u64 ept_vpid;			/* IA32_VMX_EPT_VPID_CAP, if EPT or VPID allowed */
	u64 vmfunc;			/* IA32_VMX_VMFUNC, if PROC2_VMFUNC allowed */
	/* Instructions the kernel may use that need a control to work in a guest. */
	bool cpu_rdtscp, cpu_invpcid, cpu_xsaves, cpu_waitpkg;
};

/* Why VMX cannot be used; VMX_OK if it can. */
enum vmx_refusal {
	VMX_OK = 0,
	VMX_NO_FEATURE_CONTROL,	/* IA32_FEATURE_CONTROL not locked with VMX outside SMX */
	VMX_NO_TRUE_CTLS,	/* IA32_VMX_BASIC[55]: no TRUE capability MSRs */
	VMX_VMCS_MEMTYPE,	/* the VMCS may not be write-back memory */
	VMX_MISSING_CONTROL,	/* a control lvbs needs cannot be set: ctl_field, ctl_bits */
	VMX_FORCED_CONTROL,	/* a control lvbs cannot handle cannot be cleared */
	VMX_EPT_CAPS,		/* EPT lacks 4-level walks, write-back, INVEPT or its all-context type */
	VMX_GUEST_INSN,		/* CPUID offers an instruction whose guest control is missing */
	VMX_REFUSAL_MAX
};

/* The field a control refusal is about. */
enum vmx_ctl_field { VMX_CTL_PIN, VMX_CTL_PROC, VMX_CTL_PROC2, VMX_CTL_EXIT, VMX_CTL_ENTRY };

/* The controls to run with, and what is optional. */
struct vmx_setup {
	u32 revision;		/* of the VMXON region and VMCS */
	u32 pin, proc, proc2, exit, entry;
	/*
	 * Allowed, and set by the backend only when used: descriptor-table
	 * exiting (proc2, once the kernel asks PIN_DT; without it that pin
	 * is not available), MBEC (proc2, when selected). NMI-window exiting
	 * (proc) is always allowed when VMX_OK, and set only while an NMI
	 * waits.
	 */
	bool dt_exiting, mbec;
	bool vpid;		/* VPID with INVVPID all-context */
	bool ept_ad, ept_2m, ept_1g;
	bool eptp_switching, ept_ve;	/* reported only: driver isolation will use them */
	/* On a refusal: which field and bits. */
	enum vmx_ctl_field ctl_field;
	u32 ctl_bits;
};

/*
 * Decide from @m; @want_mbec: use MBEC where the CPU has it. VMX_OK and
 * @s filled in, or the refusal (and, for a control, s->ctl_field and
 * s->ctl_bits).
 */
enum vmx_refusal vmx_caps_decide(const struct vmx_msrs *m, bool want_mbec, struct vmx_setup *s);

/* The refusal in words, for the log and the kernel's message. */
const char *vmx_refusal_text(enum vmx_refusal r);

#endif
