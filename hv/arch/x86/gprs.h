/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest GPRs a world switch leaves to software, for both run loops
 * (svm_run.S, vmx_run.S): every GPR but RSP, which the VMCB or VMCS holds,
 * and RAX, which SVM's VMRUN takes from the VMCB and VMX loads last.
 * c->regs uses the x86 register numbering (hv/core/hv.h).
 */
#ifndef HV_ARCH_X86_GPRS_H
#define HV_ARCH_X86_GPRS_H

#define R(n) (CPU_REGS + 8 * (n))

/* RCX, RDX, RBX, RBP, RSI, RDI, R8-R15 from the hv_cpu at \c. */
.macro LOAD_GPRS_BUT_RAX c
	mov	R(1)(\c), %rcx
	mov	R(2)(\c), %rdx
	mov	R(3)(\c), %rbx
	mov	R(5)(\c), %rbp
	mov	R(6)(\c), %rsi
	mov	R(7)(\c), %rdi
	mov	R(8)(\c), %r8
	mov	R(9)(\c), %r9
	mov	R(10)(\c), %r10
	mov	R(11)(\c), %r11
	mov	R(12)(\c), %r12
	mov	R(13)(\c), %r13
	mov	R(14)(\c), %r14
	mov	R(15)(\c), %r15
.endm

/* The same registers into the hv_cpu at \c. */
.macro SAVE_GPRS_BUT_RAX c
	mov	%rcx, R(1)(\c)
	mov	%rdx, R(2)(\c)
	mov	%rbx, R(3)(\c)
	mov	%rbp, R(5)(\c)
	mov	%rsi, R(6)(\c)
	mov	%rdi, R(7)(\c)
	mov	%r8, R(8)(\c)
	mov	%r9, R(9)(\c)
	mov	%r10, R(10)(\c)
	mov	%r11, R(11)(\c)
	mov	%r12, R(12)(\c)
	mov	%r13, R(13)(\c)
	mov	%r14, R(14)(\c)
	mov	%r15, R(15)(\c)
.endm

#endif
