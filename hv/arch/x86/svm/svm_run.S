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
#include "../gprs.h"

	.text
	.globl svm_run
svm_run:
	push	%rdi			/* (%rsp) = c; RSP is 16-byte aligned */
1:
	mov	(%rsp), %rax
	LOAD_GPRS_BUT_RAX %rax
	mov	CPU_VMCB_PA(%rax), %rax
	vmrun	%rax
	mov	(%rsp), %rax
	SAVE_GPRS_BUT_RAX %rax
	mov	%rax, %rdi
	xor	%ebp, %ebp
	call	svm_handle_exit
	jmp	1b

	.section .note.GNU-stack, "", @progbits
