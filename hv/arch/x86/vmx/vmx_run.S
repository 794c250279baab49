/* SPDX-License-Identifier: GPL-2.0 */
/*
 * void vmx_run(struct hv_cpu *c): VMLAUNCH, then the VM-exit/VMRESUME
 * loop; never returns.
 *
 * VM entry loads the guest's RSP, RIP and RFLAGS from the VMCS; every
 * other GPR is ours to load before and save after (SDM 27.3.2.1, 28.5).
 * A VM exit loads RSP from HOST_RSP, which points at the slot holding c,
 * and jumps to HOST_RIP = vmx_exit_entry with interrupts off.
 */
#include <hv/layout.h>
#include "../gprs.h"
#define VMCS_HOST_RSP	0x6c14
#define VMCS_HOST_RIP	0x6c16

/* All guest GPRs but RSP from c->regs; c is at (%rsp). RAX last. */
.macro LOAD_GUEST_REGS
	mov	(%rsp), %rax
	LOAD_GPRS_BUT_RAX %rax
	mov	R(0)(%rax), %rax
.endm

	.text
	.globl vmx_run
vmx_run:
	push	%rdi			/* (%rsp) = c; RSP is 16-byte aligned */
	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	vmx_fail
	lea	vmx_exit_entry(%rip), %rdx
	mov	$VMCS_HOST_RIP, %eax
	vmwrite	%rdx, %rax
	jbe	vmx_fail
/*
 * The launch window: the same as the entry window below, for the first
 * entry. An NMI after vmx_launch's vmx_pre_entry() (one taken while the
 * CPU was still crossing in, say) would otherwise reach the guest only
 * at its first exit, which on an idle CPU can be long in coming.
 */
	.globl vmx_launch_window
vmx_launch_window:
	mov	(%rsp), %rax
	cmpl	$0, CPU_NMI_ROOT(%rax)
	jne	3f
	LOAD_GUEST_REGS
	vmlaunch
	.globl vmx_launch_window_end
vmx_launch_window_end:
	jmp	vmx_fail
3:	mov	%rax, %rdi
	call	vmx_pre_entry
	jmp	vmx_launch_window

	.globl vmx_exit_entry
vmx_exit_entry:
	endbr64				/* reached like an indirect branch under CET */
	push	%rax
	mov	8(%rsp), %rax
	SAVE_GPRS_BUT_RAX %rax
	popq	R(0)(%rax)
	mov	%rax, %rdi
	xor	%ebp, %ebp
	call	vmx_handle_exit
/*
 * The entry window. VMX has no GIF: an NMI can come after the exit
 * handler's last look at this CPU's state and before VMRESUME, and the
 * guest would then run with it unprocessed (a shootdown kick unacked).
 * The NMI handler (arch_nmi_root) sets nmi_root and, if it interrupted
 * the window, rewinds the return address to its start, so the check
 * below always runs after the last NMI.
 */
	.globl vmx_entry_window
vmx_entry_window:
	mov	(%rsp), %rax
	cmpl	$0, CPU_NMI_ROOT(%rax)
	jne	2f
	LOAD_GUEST_REGS
	vmresume
	.globl vmx_entry_window_end
vmx_entry_window_end:
	/* VMRESUME failed */
	jmp	vmx_fail
2:	mov	%rax, %rdi
	call	vmx_pre_entry
	jmp	vmx_entry_window

vmx_fail:
	pushfq
	pop	%rsi
	mov	(%rsp), %rdi
	call	vmx_entry_failed	/* noreturn */
1:	cli
	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
