/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Image header, entry stubs and the way back to the kernel.
 *
 * The loader's trampoline (kmod/tramp.S) has already switched to the
 * bridge's CR3 (the kernel's tables and ours both mapped) and our RSP
 * when we get here: RCX = argument, R9 = caller CR3, R10 = caller RSP after
 * return, R11 = return address, RBX/RBP/R12-R15 = caller's callee-saved
 * registers. See the loader contract in include/lvbs/abi.h.
 */
#include <hv/layout.h>
#include <lvbs/abi.h>

	.section .lvbs_header, "ax"
	.globl hv_header
hv_header:
	.quad LVBS_IMAGE_MAGIC
	.long LVBS_ABI_VERSION
	.long hv_header_end - hv_header
	.quad __data_end - hv_header		/* file_size */
	.quad __image_end - hv_header		/* mem_size */
	.quad __text_end - hv_header
	.quad __rodata_end - hv_header
	.quad hv_entry_init - hv_header
	.quad hv_entry_launch - hv_header
	.quad HV_PERCPU_SIZE
	.quad HV_PERCPU_STACK_TOP
	.quad HV_FIXED_SIZE
hv_header_end:

	.text

/* Save the caller's state in a struct kframe on our stack; RDI = frame. */
.macro SAVE_KFRAME
	sub	$KF_SIZE, %rsp
	mov	%r9, KF_CR3(%rsp)
	mov	%r10, KF_RSP(%rsp)
	mov	%r11, KF_RIP(%rsp)
	mov	%rbx, KF_RBX(%rsp)
	mov	%rbp, KF_RBP(%rsp)
	mov	%r12, KF_R12(%rsp)
	mov	%r13, KF_R13(%rsp)
	mov	%r14, KF_R14(%rsp)
	mov	%r15, KF_R15(%rsp)
	pushfq
	popq	KF_RFLAGS(%rsp)
	movw	%cs, KF_CS(%rsp)
	movw	%ss, KF_SS(%rsp)
	movw	%ds, KF_DS(%rsp)
	movw	%es, KF_ES(%rsp)
	sgdt	KF_GDTR(%rsp)
	sidt	KF_IDTR(%rsp)
	xor	%ebp, %ebp		/* terminate frame chains for debuggers */
.endm

	.globl hv_entry_init
hv_entry_init:
	endbr64
	SAVE_KFRAME
	mov	%rcx, %rdi
	mov	%rsp, %rsi
	call	hv_init_c
	mov	%rsp, %rdi
	mov	%rax, %rsi
	jmp	hv_return_to_kernel

	.globl hv_entry_launch
hv_entry_launch:
	endbr64
	SAVE_KFRAME
	mov	%rcx, %rdi
	mov	%rsp, %rsi
	call	hv_launch_c		/* returns only if the launch failed */
	mov	%rsp, %rdi
	mov	%rax, %rsi
	jmp	hv_return_to_kernel

/*
 * void hv_return_to_kernel(struct kframe *f, long status)
 * Back to the kernel through the bridge (abi.h, "Loader contract"): the
 * bridge's CR3 while our descriptor tables are still loaded, then the
 * kernel's tables, whose NMI handler runs on its own IST stack wherever
 * RSP points, then tramp_exit, which switches CR3 and RSP back. Each step
 * leaves an IDT and GDT mapped in the current address space, so an NMI
 * (VMX has no GIF) finds a handler throughout. Interrupts stay off.
 * An NMI the kernel missed goes to it in R11 (hv_take_owed_nmi).
 */
	.globl hv_return_to_kernel
hv_return_to_kernel:
	mov	%rdi, %rbx		/* callee-saved: restored from f below */
	mov	%rsi, %r12
	and	$-16, %rsp
	mov	hv_bridge_cr3(%rip), %rax
	test	%rax, %rax
	jnz	1f
	call	hv_no_bridge
1:
	mov	%rax, %cr3
	/* GDT first: the kernel's IDT is never live with our GDT (main.c). */
	lgdt	KF_GDTR(%rbx)
	lidt	KF_IDTR(%rbx)
	mov	%rbx, %rdi
	call	hv_take_owed_nmi
	mov	%rax, %r11
	mov	%rbx, %rdi
	mov	%r12, %rax
	mov	KF_RBX(%rdi), %rbx
	mov	KF_RBP(%rdi), %rbp
	mov	KF_R12(%rdi), %r12
	mov	KF_R13(%rdi), %r13
	mov	KF_R14(%rdi), %r14
	mov	KF_R15(%rdi), %r15
	movzwq	KF_CS(%rdi), %rcx
	movzwq	KF_SS(%rdi), %r8
	movzwq	KF_DS(%rdi), %r9
	movzwq	KF_ES(%rdi), %r10
	mov	KF_RIP(%rdi), %rdx
	mov	KF_RSP(%rdi), %rsi
	mov	KF_CR3(%rdi), %rdi
	jmp	*hv_tramp_exit(%rip)

/*
 * Exception stubs: the hypervisor takes no interrupts (GIF = 0 on SVM,
 * except for the NMI window below) and must not fault; any exception here
 * is a bug, reported by hv_exception(), except a #GP from the one RDMSR
 * and the one WRMSR below that carry out a guest's access to an MSR the
 * CPU may not have: hv_exception() moves RIP to their fixup.
 * No IST: the current (hypervisor) stack is used, so TR, which still holds
 * the guest's TSS, is never consulted.
 */
.macro EXC_STUB vec, has_err
	.balign 16
exc_stub_\vec:
	endbr64			/* IDT delivery is an indirect branch under IBT */
	.if \has_err == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exc_common
.endm

	EXC_STUB 0, 0
	EXC_STUB 1, 0
/*
 * NMI. On SVM it is taken only in svm_take_nmi()'s STGI window, to consume
 * an NMI that made the guest exit (the exit handler decides what it was).
 * VMX has no GIF: an NMI can come at any time in the hypervisor, and
 * arch_nmi_root() records it for the exit path (docs/architecture.md,
 * "NMIs"). IRETQ also ends NMI blocking.
 */
	.balign 16
exc_stub_2:
	endbr64
	jmp	nmi_common
	EXC_STUB 3, 0
	EXC_STUB 4, 0
	EXC_STUB 5, 0
	EXC_STUB 6, 0
	EXC_STUB 7, 0
	EXC_STUB 8, 1
	EXC_STUB 9, 0
	EXC_STUB 10, 1
	EXC_STUB 11, 1
	EXC_STUB 12, 1
	EXC_STUB 13, 1
	EXC_STUB 14, 1
	EXC_STUB 15, 0
	EXC_STUB 16, 0
	EXC_STUB 17, 1
	EXC_STUB 18, 0
	EXC_STUB 19, 0
	EXC_STUB 20, 0
	EXC_STUB 21, 1
	EXC_STUB 22, 0
	EXC_STUB 23, 0
	EXC_STUB 24, 0
	EXC_STUB 25, 0
	EXC_STUB 26, 0
	EXC_STUB 27, 0
	EXC_STUB 28, 0
	EXC_STUB 29, 1
	EXC_STUB 30, 1
	EXC_STUB 31, 0

/*
 * Call \fn(frame) from a gate: the caller-saved registers (and RBX, used
 * here) kept around it, the stack aligned for C, and frame pointing at
 * what the gate pushed before this.
 */
.macro CALL_FROM_GATE fn
	push	%rbx
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	lea	80(%rsp), %rdi		/* the frame the gate pushed */
	mov	%rsp, %rbx		/* callee-saved: keeps RSP across the call */
	and	$~0xf, %rsp
	call	\fn
	mov	%rbx, %rsp
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	pop	%rbx
.endm

/* arch_nmi_root(&interrupted RIP, then CS, RFLAGS, RSP, SS). */
nmi_common:
	CALL_FROM_GATE arch_nmi_root
	iretq

exc_common:
	/* stack: vector, error code, RIP, CS, RFLAGS, RSP, SS */
	CALL_FROM_GATE hv_exception	/* returns only for a fixed-up fault */
	add	$16, %rsp		/* vector and error code */
	iretq

/*
 * int hv_rdmsr_safe(u32 msr, u64 *val) / int hv_wrmsr_safe(u32 msr, u64 val):
 * 0, or -1 if the CPU raised #GP (no such MSR, or a value it refuses).
 * For a guest's access to an MSR outside the MSR bitmap's ranges, which
 * always exits (hv/core/vcpu.c); nothing else may fault in the hypervisor.
 */
	.globl hv_rdmsr_safe, hv_rdmsr_insn, hv_rdmsr_fixup
hv_rdmsr_safe:
	endbr64
	mov	%edi, %ecx
hv_rdmsr_insn:
	rdmsr
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, (%rsi)
	xor	%eax, %eax
	ret
hv_rdmsr_fixup:
	mov	$-1, %eax
	ret

	.globl hv_wrmsr_safe, hv_wrmsr_insn, hv_wrmsr_fixup
hv_wrmsr_safe:
	endbr64
	mov	%edi, %ecx
	mov	%esi, %eax
	mov	%rsi, %rdx
	shr	$32, %rdx
hv_wrmsr_insn:
	wrmsr
	xor	%eax, %eax
	ret
hv_wrmsr_fixup:
	mov	$-1, %eax
	ret

/* Address of stub N: exc_stub_0 + 16 * N (each stub is padded to 16 bytes). */
	.globl hv_exc_stub_base
	.set hv_exc_stub_base, exc_stub_0

	.section .note.GNU-stack, "", @progbits
