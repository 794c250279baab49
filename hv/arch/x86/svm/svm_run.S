/* SPDX-License-Identifier: GPL-2.0 */
/*
 * void svm_run(struct hv_cpu *c): the VMRUN loop, never returns.
 *
 * VMRUN loads the guest's RAX, RSP and RIP from the VMCB; every other GPR
 * is ours to load before and save after (APM vol. 2 15.5). The host's RSP
 * and RAX come back from the host save area at #VMEXIT, so (%rsp) still
 * holds c. GIF stays clear in the host: interrupts and NMIs wait for the
 * next VMRUN and are then taken by the guest through its own IDT.
 */
#include <hv/layout.h>

#define R(n) (CPU_REGS + 8 * (n))

	.text
	.globl svm_run
svm_run:
	push	%rdi			/* (%rsp) = c; RSP is 16-byte aligned */
1:
	mov	(%rsp), %rax
	mov	R(1)(%rax), %rcx
	mov	R(2)(%rax), %rdx
	mov	R(3)(%rax), %rbx
	mov	R(5)(%rax), %rbp
	mov	R(6)(%rax), %rsi
	mov	R(7)(%rax), %rdi
	mov	R(8)(%rax), %r8
	mov	R(9)(%rax), %r9
	mov	R(10)(%rax), %r10
	mov	R(11)(%rax), %r11
	mov	R(12)(%rax), %r12
	mov	R(13)(%rax), %r13
	mov	R(14)(%rax), %r14
	mov	R(15)(%rax), %r15
	mov	CPU_VMCB_PA(%rax), %rax
	vmrun	%rax
	mov	(%rsp), %rax
	mov	%rcx, R(1)(%rax)
	mov	%rdx, R(2)(%rax)
	mov	%rbx, R(3)(%rax)
	mov	%rbp, R(5)(%rax)
	mov	%rsi, R(6)(%rax)
	mov	%rdi, R(7)(%rax)
	mov	%r8, R(8)(%rax)
	mov	%r9, R(9)(%rax)
	mov	%r10, R(10)(%rax)
	mov	%r11, R(11)(%rax)
	mov	%r12, R(12)(%rax)
	mov	%r13, R(13)(%rax)
	mov	%r14, R(14)(%rax)
	mov	%r15, R(15)(%rax)
	mov	%rax, %rdi
	xor	%ebp, %ebp
	call	svm_handle_exit
	jmp	1b

	.section .note.GNU-stack, "", @progbits
