// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's half of shootdown NMIs (docs/architecture.md, "NMIs").
 *
 * The hypervisor kicks a CPU with an NMI when it has changed the SLAT. A
 * guest NMI (a perf overflow, a backtrace request, the NMI watchdog) that
 * reaches the CPU while the kick is pending merges with it in the CPU's
 * one NMI latch, as two NMIs do on bare metal. So the hypervisor gives the
 * guest an NMI for every kick as well, and before it does, stores 1 in
 * this CPU's slot of a page we own. Linux runs every NMI_LOCAL handler on
 * each NMI: whatever source merged is served, and this handler claims the
 * NMI, so that Linux does not report an NMI "for unknown reason".
 *
 * The other way round, the NMI for a kick can come between a source
 * posting its work and that source's own NMI; the source's handler then
 * does the work early, and its NMI finds nothing to do. Linux swallows
 * such an NMI when it comes back to back with one that served two
 * sources; we also claim the first NMI that follows ours on this CPU
 * within LEFTOVER_NS, which covers the rest. A genuinely unknown NMI
 * within that window would be claimed too: the price of not printing
 * false alarms, and Linux's own swallowing takes the same risk.
 *
 * register_nmi_handler() is exported; nothing here reaches past it.
 */
#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/percpu.h>
#include <linux/timekeeping.h>
#include <linux/atomic.h>
#include <asm/nmi.h>
#include <lvbs/abi.h>
#include "lvbs.h"

#define LEFTOVER_NS	(100 * NSEC_PER_MSEC)

static u32 *marks;			/* indexed by hypervisor CPU index */
static DEFINE_PER_CPU(int, nmi_index) = -1;
static DEFINE_PER_CPU(u64, leftover_until);
static atomic64_t claimed, leftovers;
static bool registered;

static int lvbs_nmi(unsigned int type, struct pt_regs *regs)
{
	int idx = this_cpu_read(nmi_index);
	u64 now;

	if (idx < 0)
		return NMI_DONE;
	now = ktime_get_mono_fast_ns();
	if (xchg(&marks[idx], 0)) {
		this_cpu_write(leftover_until, now + LEFTOVER_NS);
		atomic64_inc(&claimed);
		return NMI_HANDLED;
	}
	if (now < this_cpu_read(leftover_until)) {
		this_cpu_write(leftover_until, 0);
		atomic64_inc(&leftovers);
		return NMI_HANDLED;
	}
	return NMI_DONE;
}

static void forget_marks(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu(nmi_index, cpu) = -1;
	free_page((unsigned long)marks);
	marks = NULL;
}

/* Before the launch, with CPU hotplug disabled and lvbs.cpu_of_index set. */
int lvbs_nmi_init(unsigned int nr_cpus)
{
	unsigned int i;
	int r;

	BUILD_BUG_ON(LVBS_MAX_CPUS * sizeof(u32) > PAGE_SIZE);
	marks = (u32 *)get_zeroed_page(GFP_KERNEL);
	if (!marks)
		return -ENOMEM;
	for (i = 0; i < nr_cpus; i++)
		per_cpu(nmi_index, lvbs.cpu_of_index[i]) = i;
	r = register_nmi_handler(NMI_LOCAL, lvbs_nmi, 0, "lvbs");
	if (r) {
		forget_marks();
		return r;
	}
	registered = true;
	return 0;
}

/* A failed launch: nothing will write the marks. */
void lvbs_nmi_exit(void)
{
	if (registered)
		unregister_nmi_handler(NMI_LOCAL, "lvbs");
	registered = false;
	forget_marks();
}

/* For the boot parameters: 0 if there is no handler, and no marks. */
u64 lvbs_nmi_mark_gpa(void)
{
	return marks ? virt_to_phys(marks) : 0;
}

void lvbs_nmi_counts(u64 *kick_nmis, u64 *leftover_nmis)
{
	*kick_nmis = atomic64_read(&claimed);
	*leftover_nmis = atomic64_read(&leftovers);
}
