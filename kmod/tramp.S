/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trampoline between the kernel and the lvbs hypervisor (contract in
 * include/lvbs/abi.h, "Loader contract").
 *
 * It switches between the kernel's page tables and the bridge's, which
 * map the kernel (this code included) and the hypervisor's region; the
 * hypervisor switches between the bridge and its own tables. So each
 * MOV CR3 here is followed by code mapped at the same address on both
 * sides, and an NMI at any instruction finds the kernel's IDT and its
 * handler, which runs on its own IST stack, mapped. This is the only
 * hypervisor-related code the kernel ever executes.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <linux/version.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

/*
 * "No unwind information here" for objtool: UNWIND_HINT_EMPTY up to 6.3,
 * which 6.4 split into END_OF_STACK and UNDEFINED (the meaning used here).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define LVBS_UNWIND_HINT	UNWIND_HINT_UNDEFINED
#else
#define LVBS_UNWIND_HINT	UNWIND_HINT_EMPTY
#endif

#define X86_CR4_PGE	(1 << 7)

	.section .text.lvbs_tramp, "ax"
	.balign 4096
SYM_CODE_START(lvbs_tramp_start)
	/* Only its address is used, to find the page: never branched to. */
	ANNOTATE_NOENDBR
	LVBS_UNWIND_HINT
	int3
SYM_CODE_END(lvbs_tramp_start)

/*
 * struct lvbs_tramp_ret lvbs_tramp_enter(u64 bridge_cr3, u64 entry,
 *					  u64 stack_top, u64 arg)
 * Returns { status, nmi_owed } in RAX:RDX. Interrupts must be off (GIF
 * clear too on SVM).
 */
SYM_CODE_START(lvbs_tramp_enter)
	LVBS_UNWIND_HINT
	mov	%cr3, %r9
	pop	%r11
	mov	%rsp, %r10
	/* CR3 first: both stacks are mapped in the bridge. */
	mov	%rdi, %cr3
	mov	%rdx, %rsp
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%rsi
SYM_CODE_END(lvbs_tramp_enter)

/*
 * Entered from the hypervisor, in the bridge, with the kernel's descriptor
 * tables loaded: RDI = CR3, RSI = RSP, RDX = RIP, RCX = CS, R8 = SS,
 * R9 = DS, R10 = ES, R11 = 1 if an NMI the hypervisor took is the
 * kernel's (the caller sends itself one), RAX = return value.
 */
SYM_CODE_START(lvbs_tramp_exit)
	LVBS_UNWIND_HINT
	/* The hypervisor jumps here: a branch target (empty without IBT). */
	ENDBR
	/* RSP first: both stacks are mapped in the bridge. */
	mov	%rsi, %rsp
	mov	%rdi, %cr3
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
	/*
	 * Back to the caller with a far return, which reloads CS from the
	 * kernel's GDT and, unlike an indirect JMP, needs no ENDBR at the
	 * return address under IBT. RAX:RDX is the two-word result.
	 */
	push	%rcx
	push	%rdx
	mov	%r11, %rdx
	lretq
SYM_CODE_END(lvbs_tramp_exit)

SYM_CODE_START(lvbs_tramp_end)
	ANNOTATE_NOENDBR
	LVBS_UNWIND_HINT
	int3
SYM_CODE_END(lvbs_tramp_end)
