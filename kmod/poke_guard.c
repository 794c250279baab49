// SPDX-License-Identifier: GPL-2.0
/*
 * A text_poke() the hypervisor refused must not wedge the kernel.
 *
 * The hypervisor drops a denied kernel store: the instruction retires
 * without writing and the refusal is logged (docs/architecture.md,
 * "Reactions"). Most code then simply goes on with the old bytes. One
 * caller checks its own write: __text_poke() ends with
 * BUG_ON(memcmp(addr, src, len)), reached with text_mutex held, the
 * poking PTE lock held and interrupts off. Left to the kernel, that BUG
 * kills the task with all three held, and every later text patch (module
 * loads, static keys, ftrace, kprobes, BPF trampolines) hangs for good.
 *
 * This die notifier takes the kernel past exactly that BUG_ON: a UD2 trap
 * in kernel mode, in the function named __text_poke, on a CPU where the
 * hypervisor has dropped a store since the notifier last looked. The
 * kernel then goes on as if memcmp() had found its bytes: it restores
 * interrupts, unlocks, returns, and its caller unlocks text_mutex. The
 * text keeps its old bytes. Any other trap, or a BUG with no dropped store
 * behind it, is left to the kernel as before.
 *
 * BUG() is noreturn: the compiler puts no code after its UD2, so the trap
 * cannot be stepped over (what follows is another block of the function).
 * BUG_ON(cond) is a conditional jump next to that UD2, in one of two
 * layouts: a Jcc right before the UD2 that jumps over it when cond is
 * false (GCC's choice in Debian's 6.1: "test %eax,%eax; je ...; ud2"), or
 * a Jcc elsewhere that jumps to the UD2 when cond is true. The notifier
 * resumes where cond is false: the first Jcc's target, or the second's
 * fall-through. The registers are those of the jump, since nothing lies
 * between it and the UD2. It must find exactly one such jump (a byte
 * pattern inside another instruction can look like one), landing inside
 * the function; otherwise the BUG is left to the kernel.
 *
 * Why the condition is tight enough: __text_poke's other BUG_ONs check
 * its arguments and the poking mapping before it writes anything; on a
 * running system they do not fire, and if one did together with a
 * dropped store on the same CPU, skipping it would hurt only the caller
 * that asked to patch code lvbs refused.
 *
 * Exported interfaces only: register_die_notifier(), sprint_symbol_no_offset().
 * The kernel's own data (the notifier chain) is not protected after SEAL:
 * this is for consistency, not security. An attacker who removes the
 * notifier gets what the kernel does without it, an oops.
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/kdebug.h>
#include <linux/kallsyms.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <asm/traps.h>
#include "lvbs.h"

#define UD2_LEN	2

static struct lvbs_cpu_stats *guard_stats;	/* one per Linux CPU */
static u64 *guard_seen;				/* stores_dropped last seen, per CPU */
static atomic_t guard_skipped = ATOMIC_INIT(0);

unsigned int lvbs_poke_guard_skipped(void)
{
	return atomic_read(&guard_skipped);
}

static int hv_index_of(int cpu)
{
	unsigned int i;

	for (i = 0; i < lvbs.nr_cpus; i++)
		if (lvbs.cpu_of_index[i] == cpu)
			return i;
	return -1;
}

/* Start and size of __text_poke if ip lies in it, from kallsyms ("name+off/size"). */
static bool in_text_poke(unsigned long ip, unsigned long *start, unsigned long *size)
{
	static const char name[] = "__text_poke+";
	char sym[KSYM_SYMBOL_LEN];
	unsigned long off;

	sprint_symbol(sym, ip);
	if (strncmp(sym, name, sizeof(name) - 1) ||
	    sscanf(sym + sizeof(name) - 1, "%lx/%lx", &off, size) != 2 || off >= *size)
		return false;
	*start = ip - off;
	return true;
}

#define GUARD_MAX_FN	8192

/* A Jcc (rel8 or rel32) at fn[i]: its length and displacement, or 0. */
static unsigned int jcc_at(const u8 *fn, unsigned long i, unsigned long size, long *disp)
{
	s32 rel;

	if (i + 2 <= size && fn[i] >= 0x70 && fn[i] <= 0x7f) {
		*disp = (s8)fn[i + 1];
		return 2;
	}
	if (i + 6 <= size && fn[i] == 0x0f && fn[i + 1] >= 0x80 && fn[i + 1] <= 0x8f) {
		memcpy(&rel, &fn[i + 2], sizeof(rel));
		*disp = rel;
		return 6;
	}
	return 0;
}

/*
 * Where __text_poke goes on when its BUG_ON at ud2 is false (see the top
 * of this file), or 0: not exactly one candidate, or one outside the
 * function, or the function is too big to look at.
 */
static unsigned long bug_on_resume(unsigned long start, unsigned long size, unsigned long ud2)
{
	static u8 fn[GUARD_MAX_FN];	/* under guard_lock */
	unsigned long found = 0, i, at = ud2 - start;
	unsigned int n = 0, len;
	long disp;

	if (size > GUARD_MAX_FN || copy_from_kernel_nofault(fn, (void *)start, size))
		return 0;
	for (i = 0; i < size; i++) {
		len = jcc_at(fn, i, size, &disp);
		if (!len)
			continue;
		if (i + len == at) {			/* jumps over the UD2 */
			found = start + i + len + disp;
			n++;
		} else if (i + len + disp == at) {	/* jumps to the UD2 */
			found = start + i + len;
			n++;
		}
	}
	if (n != 1 || found < start || found >= start + size || found == ud2)
		return 0;
	return found;
}

/* Has the hypervisor dropped a store on this CPU since we last looked? */
static bool dropped_here(int cpu)
{
	int idx = hv_index_of(cpu);
	struct lvbs_cpu_stats *st;

	if (idx < 0 || !lvbs.hv || !lvbs.hv->get_stats_into)
		return false;
	st = &guard_stats[cpu];
	if (lvbs.hv->get_stats_into(idx, st) || st->stores_dropped == guard_seen[cpu])
		return false;
	guard_seen[cpu] = st->stores_dropped;
	return true;
}

static DEFINE_RAW_SPINLOCK(guard_lock);

static int guard_notify(struct notifier_block *nb, unsigned long val, void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;
	int cpu = raw_smp_processor_id();
	unsigned long start, size, resume = 0, flags;
	u8 insn[UD2_LEN];

	if (val != DIE_TRAP || args->trapnr != X86_TRAP_UD || !regs || user_mode(regs))
		return NOTIFY_DONE;
	if (copy_from_kernel_nofault(insn, (void *)regs->ip, UD2_LEN) ||
	    insn[0] != 0x0f || insn[1] != 0x0b)
		return NOTIFY_DONE;
	if (!in_text_poke(regs->ip, &start, &size))
		return NOTIFY_DONE;
	raw_spin_lock_irqsave(&guard_lock, flags);
	if (dropped_here(cpu))
		resume = bug_on_resume(start, size, regs->ip);
	raw_spin_unlock_irqrestore(&guard_lock, flags);
	if (!resume) {
		pr_err("a BUG in __text_poke() that lvbs cannot take the kernel past\n");
		return NOTIFY_DONE;
	}
	pr_err("text_poke() at %pS: the hypervisor refused the write (see lvbsctl log); the text keeps its old bytes and the kernel goes on at %pS\n",
	       (void *)regs->ip, (void *)resume);
	regs->ip = resume;
	atomic_inc(&guard_skipped);
	return NOTIFY_STOP;
}

static struct notifier_block guard_nb = {
	.notifier_call = guard_notify,
};

int lvbs_poke_guard_init(void)
{
	guard_stats = kcalloc(nr_cpu_ids, sizeof(*guard_stats), GFP_KERNEL);
	guard_seen = kcalloc(nr_cpu_ids, sizeof(*guard_seen), GFP_KERNEL);
	if (!guard_stats || !guard_seen) {
		kfree(guard_stats);
		kfree(guard_seen);
		guard_stats = NULL;
		guard_seen = NULL;
		return -ENOMEM;
	}
	return register_die_notifier(&guard_nb);
}
