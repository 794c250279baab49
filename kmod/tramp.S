/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trampoline between the kernel and the lvbs hypervisor (contract in
 * include/lvbs/abi.h, "Loader contract").
 *
 * It sits alone in one page of the module's text because the hypervisor
 * maps that same page at the same address in its own page tables: the
 * instruction after a MOV to CR3 is fetched through the new tables, so the
 * code that switches must exist in both address spaces. This is the only
 * hypervisor-related code the kernel ever executes; the hypervisor's own
 * code runs only under the hypervisor's page tables.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#define X86_CR4_PGE	(1 << 7)

	.section .text.lvbs_tramp, "ax"
	.balign 4096
SYM_CODE_START(lvbs_tramp_start)
	UNWIND_HINT_EMPTY
	int3
SYM_CODE_END(lvbs_tramp_start)

/*
 * long lvbs_tramp_enter(u64 cr3, u64 entry, u64 stack_top, u64 arg)
 * Interrupts must be off; on SVM GIF should be clear too, so that no NMI
 * arrives between the CR3 switch and the hypervisor's IDT load.
 */
SYM_CODE_START(lvbs_tramp_enter)
	UNWIND_HINT_EMPTY
	mov	%cr3, %r9
	pop	%r11
	mov	%rsp, %r10
	mov	%rdx, %rsp
	mov	%rdi, %cr3
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%rsi
SYM_CODE_END(lvbs_tramp_enter)

/*
 * Entered from the hypervisor: RDI = CR3, RSI = RSP, RDX = RIP, RCX = CS,
 * R8 = SS, R9 = DS, R10 = ES, RAX = return value.
 */
SYM_CODE_START(lvbs_tramp_exit)
	UNWIND_HINT_EMPTY
	mov	%rdi, %cr3
	mov	%rsi, %rsp
	/*
	 * Flush every TLB entry, global ones and all PCIDs: while the kernel
	 * ran as a guest (ASID 1) its INVLPGs did not reach the host ASID's
	 * entries, which it is about to use again.
	 */
	mov	%cr4, %rdi
	mov	%rdi, %rsi
	xor	$X86_CR4_PGE, %rsi
	mov	%rsi, %cr4
	mov	%rdi, %cr4
	mov	%r8d, %ss
	mov	%r9d, %ds
	mov	%r10d, %es
	push	%rcx
	lea	1f(%rip), %rsi
	push	%rsi
	lretq
1:
	UNWIND_HINT_EMPTY
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%rdx
SYM_CODE_END(lvbs_tramp_exit)

SYM_CODE_START(lvbs_tramp_end)
	UNWIND_HINT_EMPTY
	int3
SYM_CODE_END(lvbs_tramp_end)
