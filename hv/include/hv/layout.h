/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory layout of the hypervisor region (see the loader contract in
 * include/lvbs/abi.h). Shared by C and assembly.
 *
 *   [image: text | rodata | data | bss]
 *   [per-CPU area 0] ... [per-CPU area nr_cpus-1]
 *   [fixed: MSR permission map | I/O permission map | log ring]
 *   [page-table pool: the rest]
 *
 * A per-CPU area (HV_PERCPU_SIZE bytes):
 *   +0x0000 guard page, never mapped in the hypervisor's tables, so a stack
 *           overflow faults instead of running into the previous CPU's data
 *   +0x1000 stack (16 KiB), grows down from HV_PERCPU_STACK_TOP
 *   +0x5000 struct hv_cpu
 *   +0x6000 VMCB (SVM) / VMCS (VMX)
 *   +0x7000 host save area (SVM VM_HSAVE_PA) / VMXON region (VMX)
 */
#ifndef HV_LAYOUT_H
#define HV_LAYOUT_H

#define HV_PERCPU_SIZE		0x8000
#define HV_PERCPU_GUARD		0x0000
#define HV_PERCPU_STACK_TOP	0x5000
#define HV_PERCPU_CPU		0x5000
#define HV_PERCPU_VMCB		0x6000
#define HV_PERCPU_HSAVE		0x7000

#define HV_FIXED_MSRPM		0x0000	/* 8 KiB, AMD APM vol. 2 15.11 */
#define HV_FIXED_IOPM		0x2000	/* 12 KiB, AMD APM vol. 2 15.10 */
#define HV_FIXED_LOG		0x5000	/* HV_LOG_ENTRIES * 72 bytes */
#define HV_LOG_ENTRIES		256
#define HV_FIXED_SIZE		0xa000

/* Offsets in struct kframe (hv/core/hv.h), the caller state saved at entry. */
#define KF_CR3		0x00
#define KF_RSP		0x08
#define KF_RIP		0x10
#define KF_RBX		0x18
#define KF_RBP		0x20
#define KF_R12		0x28
#define KF_R13		0x30
#define KF_R14		0x38
#define KF_R15		0x40
#define KF_RFLAGS	0x48
#define KF_CS		0x50
#define KF_SS		0x52
#define KF_DS		0x54
#define KF_ES		0x56
#define KF_GDTR		0x58	/* 2-byte limit + 8-byte base */
#define KF_IDTR		0x68
#define KF_SIZE		0x80

/* Offsets in struct hv_cpu used by assembly. */
#define CPU_REGS	0x00	/* u64 regs[16], x86 register numbering */
/*
 * The hypervisor's GDT (hv/core/main.c): code and data selectors, the same
 * as Linux's __KERNEL_CS and __KERNEL_DS on x86-64. While the CPU crosses
 * between the kernel and the hypervisor, an NMI can come with one side's
 * GDT loaded and the other side's selectors in CS and SS; the handler's
 * IRET reloads them from whichever GDT is loaded, so each must mean the
 * same there (docs/architecture.md, "The way in and out").
 */
#define HV_CS		0x10
#define HV_DS		0x18

#define CPU_VMCB_PA	0x80
#define CPU_NMI_ROOT	0x98

#endif
