// SPDX-License-Identifier: GPL-2.0
/*
 * Fills the hypervisor's permission database, for scenario protfail: a
 * module whose protection cannot be applied must be refused cleanly, with
 * nothing of it left protected. At load, every other page of a block of
 * fresh pages is taken as module-style data (R|W, test owner) until
 * PROTECT_MEMORY answers E_TOOBIG; the gaps keep the ranges from merging.
 * The module stays loaded; unloading it gives every range back and frees
 * the pages.
 *
 *   /sys/module/lvbs_permfill/parameters/ranges   ranges it holds
 *
 * With fragment_mb=N it fills nothing: on every online CPU it takes N MiB
 * in whole pageblocks and gives every other page back (fragment() says
 * why so), so that the
 * free memory the next allocations get is single pages that cannot
 * merge, the worst case for the database (a module's memory costs two
 * ranges per piece). It keeps the rest until it is unloaded.
 *
 *   /sys/module/lvbs_permfill/parameters/scattered   pages given back
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/io.h>
#include <linux/vmalloc.h>
#include <linux/cpu.h>
#include <linux/workqueue.h>
#include "lvbs_hc.h"

#define FILL_OWNER	0x7e59
#define FILL_ORDER	10		/* 4 MiB blocks, 512 ranges each */
#define FILL_BLOCKS	32		/* 16384 ranges at most: more than the database holds */
#define PER_CALL	LVBS_PROT_BATCH

static unsigned int ranges;
module_param(ranges, uint, 0444);
MODULE_PARM_DESC(ranges, "ranges this module holds in the permission database (read only)");

static unsigned int fragment_mb;
module_param(fragment_mb, uint, 0444);
MODULE_PARM_DESC(fragment_mb, "instead of filling: on each CPU, scatter this many MiB of free memory into single pages (0: fill)");

static unsigned long scattered;
module_param(scattered, ulong, 0444);
MODULE_PARM_DESC(scattered, "single pages given back by fragment_mb (read only)");

static struct page *blocks[FILL_BLOCKS];

/*
 * The scattered pages must be what the next allocations get, on any CPU.
 * Two things stood in the way (scenario protfail saw xfs land on whole
 * blocks about one run in four, on 6.1 and on 6.12):
 *
 *  - Each CPU keeps a list of free single pages (the per-CPU pageset,
 *    /proc/zoneinfo "high": 6,923 pages here on 6.1, 14,431 on 6.12),
 *    served before the buddy lists, last freed first. Pages given back on
 *    one CPU filled that CPU's list; another CPU, whose list held pages
 *    freed earlier in runs, or that used up the few scattered pages that
 *    overflowed to the buddy lists, gave a module contiguous memory. So
 *    the scattering runs on every online CPU (work_on_cpu()), each giving
 *    back fragment_mb / 2 MiB of single pages: at the head of every CPU's
 *    list are scattered pages, and what overflows goes to the buddy lists.
 *  - Single pages taken and every other one given back could merge, or go
 *    back to a movable pageblock's lists. So whole pageblocks (2 MiB,
 *    order 9) are taken, split, and every odd page given back: its buddy,
 *    the even page before it, is held, and the block, taken whole for an
 *    unmovable request, is unmovable, so overflowing pages go to the
 *    unmovable lists that GFP_KERNEL allocations (module memory) look at
 *    first, and order 0 before anything larger.
 */
#define FRAG_ORDER	9

struct frag_cpu {
	struct page **blk;	/* the pageblocks taken, even pages held */
	unsigned long n;
};
static struct frag_cpu *frag;	/* by CPU id */
static unsigned long frag_blocks;

/* On @arg's CPU: take pageblocks, split them, give every odd page back. */
static long fragment_here(void *arg)
{
	unsigned long want = (unsigned long)fragment_mb >> (FRAG_ORDER + PAGE_SHIFT - 20), j;
	struct frag_cpu *f = arg;
	struct page *p;

	f->blk = vzalloc(want * sizeof(*f->blk));
	if (!f->blk)
		return -ENOMEM;
	for (f->n = 0; f->n < want; f->n++) {
		p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, FRAG_ORDER);
		if (!p)
			return -ENOMEM;
		split_page(p, FRAG_ORDER);
		f->blk[f->n] = p;
		for (j = 1; j < (1ul << FRAG_ORDER); j += 2) {
			__free_page(p + j);
			scattered++;	/* one CPU at a time: each call is waited for */
		}
	}
	frag_blocks += f->n;
	return 0;
}

static int fragment(void)
{
	long r = 0;
	int cpu;

	frag = kcalloc(nr_cpu_ids, sizeof(*frag), GFP_KERNEL);
	if (!frag)
		return -ENOMEM;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		r = work_on_cpu(cpu, fragment_here, &frag[cpu]);
		if (r)
			break;
	}
	cpus_read_unlock();
	pr_info("took %lu blocks of %lu pages on %u CPUs, gave %lu single pages back\n",
		frag_blocks, 1ul << FRAG_ORDER, num_online_cpus(), scattered);
	return (int)r;
}

static void unfragment(void)
{
	unsigned long i, j;
	unsigned int cpu;

	for (cpu = 0; frag && cpu < nr_cpu_ids; cpu++) {
		for (i = 0; i < frag[cpu].n; i++)
			for (j = 0; j < (1ul << FRAG_ORDER); j += 2)
				__free_page(frag[cpu].blk[i] + j);
		vfree(frag[cpu].blk);
	}
	kfree(frag);
}

/* Take every other page of one block; false once the database is full. */
static bool fill_block(struct page *blk, struct lvbs_mem_prot *e, long *status)
{
	u64 base = page_to_phys(blk);
	unsigned int i, n = 0;
	struct hc_regs out;

	for (i = 0; i < (1u << FILL_ORDER); i += 2) {
		e[n++] = (struct lvbs_mem_prot){
			.gpa = base + (u64)i * PAGE_SIZE, .size = PAGE_SIZE,
			.perm = LVBS_PERM_R | LVBS_PERM_W, .owner = FILL_OWNER,
		};
		if (n < PER_CALL && i + 2 < (1u << FILL_ORDER))
			continue;
		*status = hc(LVBS_HC(LVBS_HC_PROTECT_MEMORY), virt_to_phys(e), n, 0, &out);
		ranges += out.rbx;
		if (*status)
			return false;
		n = 0;
	}
	return true;
}

static int __init permfill_init(void)
{
	struct lvbs_mem_prot *e = (void *)get_zeroed_page(GFP_KERNEL);
	long status = 0;
	int i;

	if (fragment_mb) {
		free_page((unsigned long)e);
		status = fragment();
		if (status)
			unfragment();	/* nothing held after a failed load */
		return (int)status;
	}
	if (!e)
		return -ENOMEM;
	for (i = 0; i < FILL_BLOCKS; i++) {
		blocks[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, FILL_ORDER);
		if (!blocks[i]) {
			status = -ENOMEM;
			break;
		}
		if (!fill_block(blocks[i], e, &status))
			break;
	}
	free_page((unsigned long)e);
	pr_info("holding %u ranges; the last PROTECT_MEMORY answered %ld\n", ranges, status);
	if (status != LVBS_E_TOOBIG) {
		pr_err("FAIL: the permission database did not fill up\n");
		hc(LVBS_HC(LVBS_HC_RELEASE_MEMORY), FILL_OWNER, 0, 0, NULL);
		for (i = 0; i < FILL_BLOCKS && blocks[i]; i++)
			__free_pages(blocks[i], FILL_ORDER);
		return -EIO;
	}
	return 0;
}

static void __exit permfill_exit(void)
{
	struct hc_regs out;
	long r;
	int i;

	if (fragment_mb) {
		unfragment();
		return;
	}
	r = hc(LVBS_HC(LVBS_HC_RELEASE_MEMORY), FILL_OWNER, 0, 0, &out);
	pr_info("released %llu pages (status %ld)\n", out.rbx, r);
	for (i = 0; i < FILL_BLOCKS && blocks[i]; i++)
		__free_pages(blocks[i], FILL_ORDER);
}

module_init(permfill_init);
module_exit(permfill_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lvbs test: fill the permission database (tests/vm only)");
