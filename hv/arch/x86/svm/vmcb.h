/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMCB layout, AMD64 APM vol. 2, appendix B ("Layout of VMCB"): control
 * area at 0x000, state save area at 0x400. Names follow the APM and KVM.
 */
#ifndef HV_SVM_VMCB_H
#define HV_SVM_VMCB_H

#include <hv/types.h>

struct vmcb_seg {
	u16 selector;
	u16 attrib;	/* descriptor bits 40-47 and 52-55, packed (APM B.2) */
	u32 limit;
	u64 base;
} __attribute__((packed));

struct vmcb_control {
	u32 intercepts[6];	/* 0x000: CR, DR, exceptions, misc1, misc2, misc3 */
	u8 rsvd0[0x3c - 0x18];
	u16 pause_filter_thresh;
	u16 pause_filter_count;
	u64 iopm_base_pa;	/* 0x040 */
	u64 msrpm_base_pa;	/* 0x048 */
	u64 tsc_offset;		/* 0x050 */
	u32 asid;		/* 0x058 */
	u8 tlb_control;		/* 0x05c */
	u8 rsvd1[3];
	u32 int_ctl;		/* 0x060 */
	u32 int_vector;
	u32 int_state;		/* 0x068: bit 0 = interrupt shadow */
	u8 rsvd2[4];
	u32 exit_code;		/* 0x070 */
	u32 exit_code_hi;
	u64 exit_info_1;	/* 0x078 */
	u64 exit_info_2;	/* 0x080 */
	u32 exit_int_info;	/* 0x088 */
	u32 exit_int_info_err;
	u64 nested_ctl;		/* 0x090: bit 0 = NP_ENABLE */
	u64 avic_vapic_bar;
	u64 ghcb_gpa;
	u32 event_inj;		/* 0x0a8 */
	u32 event_inj_err;
	u64 nested_cr3;		/* 0x0b0 */
	u64 virt_ext;		/* 0x0b8 */
	u32 clean;		/* 0x0c0 */
	u32 rsvd3;
	u64 next_rip;		/* 0x0c8 */
	u8 insn_len;		/* 0x0d0 */
	u8 insn_bytes[15];
	u8 rsvd4[0x400 - 0xe0];
} __attribute__((packed));

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;	/* 0x400 */
	u8 rsvd0[0xcb - 0xa0];
	u8 cpl;			/* 0x4cb */
	u8 rsvd1[4];
	u64 efer;		/* 0x4d0 */
	u8 rsvd2[0x148 - 0xd8];
	u64 cr4;		/* 0x548 */
	u64 cr3;
	u64 cr0;
	u64 dr7;
	u64 dr6;
	u64 rflags;		/* 0x570 */
	u64 rip;		/* 0x578 */
	u8 rsvd3[0x1d8 - 0x180];
	u64 rsp;		/* 0x5d8 */
	u64 s_cet, ssp, isst_addr;
	u64 rax;		/* 0x5f8 */
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 cr2;		/* 0x640 */
	u8 rsvd4[0x268 - 0x248];
	u64 g_pat;		/* 0x668 */
	u64 dbgctl;
} __attribute__((packed));

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __attribute__((packed));

_Static_assert(__builtin_offsetof(struct vmcb, control.exit_code) == 0x70, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, control.next_rip) == 0xc8, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.cpl) == 0x4cb, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.efer) == 0x4d0, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr4) == 0x548, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.rip) == 0x578, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.rsp) == 0x5d8, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.rax) == 0x5f8, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr2) == 0x640, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "vmcb");
_Static_assert(sizeof(struct vmcb) <= 4096, "vmcb fits a page");

/* intercepts[0]: CR reads (bits 0-15), CR writes (bits 16-31) */
#define INTERCEPT_CR_WRITE(n)	BIT(16 + (n))
/* intercepts[2]: exceptions, bit n for vector n */
#define INTERCEPT_EXC(v)	BIT(v)
/* intercepts[3] (misc1), APM vol. 2 B.1 */
#define INTERCEPT_IDTR_WRITE	BIT(10)
#define INTERCEPT_GDTR_WRITE	BIT(11)
#define INTERCEPT_TR_WRITE	BIT(13)
#define INTERCEPT_NMI		BIT(1)
#define INTERCEPT_VINTR		BIT(4)
#define INTERCEPT_IRET		BIT(20)
#define INTERCEPT_CPUID		BIT(18)
#define INTERCEPT_INVLPGA	BIT(26)
#define INTERCEPT_MSR_PROT	BIT(28)
#define INTERCEPT_SHUTDOWN	BIT(31)
/* intercepts[4] (misc2) */
#define INTERCEPT_VMRUN		BIT(0)
#define INTERCEPT_VMMCALL	BIT(1)
#define INTERCEPT_VMLOAD	BIT(2)
#define INTERCEPT_VMSAVE	BIT(3)
#define INTERCEPT_STGI		BIT(4)
#define INTERCEPT_CLGI		BIT(5)
#define INTERCEPT_SKINIT	BIT(6)

/* Exit codes, APM vol. 2 appendix C. */
#define SVM_EXIT_WRITE_CR0	0x010
#define SVM_EXIT_WRITE_CR4	0x014
#define SVM_EXIT_IDTR_WRITE	0x06a
#define SVM_EXIT_GDTR_WRITE	0x06b
#define SVM_EXIT_TR_WRITE	0x06d
#define SVM_EXIT_EXCP_DB	0x041	/* 0x040 + vector 1 */
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_IRET		0x074
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_INVLPGA	0x07a
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_VMLOAD		0x082
#define SVM_EXIT_VMSAVE		0x083
#define SVM_EXIT_STGI		0x084
#define SVM_EXIT_CLGI		0x085
#define SVM_EXIT_SKINIT		0x086
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	0xffffffffu	/* -1; QEMU writes only the low 32 bits */

/* CR access EXITINFO1 with decode assists (APM 15.33.1): MOV, and its GPR. */
#define SVM_CR_MOV		BIT(63)
#define SVM_CR_GPR_MASK		0xfULL

/* TLB_CONTROL (APM 15.16.1) */
#define TLB_CONTROL_DO_NOTHING	0
#define TLB_CONTROL_FLUSH_ALL	1
#define TLB_CONTROL_FLUSH_ASID	3

/* EVENTINJ, APM vol. 2 15.20 */
#define SVM_EVTINJ_VALID	BIT(31)
#define SVM_EVTINJ_VALID_ERR	BIT(11)
#define SVM_EVTINJ_TYPE_INTR	(0u << 8)
#define SVM_EVTINJ_TYPE_NMI	(2u << 8)
#define SVM_EVTINJ_TYPE_EXEPT	(3u << 8)
#define SVM_EVTINJ_TYPE_SOFT	(4u << 8)
#define SVM_EVTINJ_TYPE_MASK	(7u << 8)
#define SVM_EVTINJ_VEC_MASK	0xffu

/* VMCB int_ctl (offset 0x60, APM 15.21.4): a virtual interrupt request. */
#define V_IRQ			BIT(8)
#define V_IGN_TPR		BIT(20)

/* VMCB nested_ctl (offset 0x90, APM 15.25.3, 15.25.11) */
#define NESTED_CTL_NP_ENABLE	BIT(0)
#define NESTED_CTL_GMET		BIT(3)

/* NPF EXITINFO1 error code, APM vol. 2 15.25.6 */
#define NPF_P		BIT(0)
#define NPF_W		BIT(1)
#define NPF_U		BIT(2)
#define NPF_ID		BIT(4)
#define NPF_FINAL	BIT(32)	/* fault on the final guest-physical address */
#define NPF_PTWALK	BIT(33)	/* fault on a guest page-table access */

/* CPUID 0x8000000A EDX, APM vol. 3 appendix E */
#define SVM_FEAT_NPT		BIT(0)
#define SVM_FEAT_NRIPS		BIT(3)
#define SVM_FEAT_FLUSHASID	BIT(6)
#define SVM_FEAT_DECODE		BIT(7)
#define SVM_FEAT_VGIF		BIT(16)
#define SVM_FEAT_GMET		BIT(17)

#endif
