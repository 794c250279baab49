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
 * With fragment_mb=N it fills nothing: it takes N MiB of single pages and
 * gives every other one back, so that the free memory the next
 * allocations get is single pages that cannot merge, the worst case for
 * the database (a module's memory costs two ranges per piece). It keeps
 * the rest until it is unloaded.
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
MODULE_PARM_DESC(fragment_mb, "instead of filling: scatter this many MiB of free memory into single pages (0: fill)");

static unsigned long scattered;
module_param(scattered, ulong, 0444);
MODULE_PARM_DESC(scattered, "single pages given back by fragment_mb (read only)");

static struct page *blocks[FILL_BLOCKS];
static struct page **frag;
static unsigned long frag_n;

/* Take single pages, give every other one back. */
static int fragment(void)
{
	unsigned long i, want = (unsigned long)fragment_mb << (20 - PAGE_SHIFT);

	frag = vzalloc(want * sizeof(*frag));
	if (!frag)
		return -ENOMEM;
	for (frag_n = 0; frag_n < want; frag_n++) {
		frag[frag_n] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!frag[frag_n])
			break;
	}
	for (i = 1; i < frag_n; i += 2) {
		__free_page(frag[i]);
		frag[i] = NULL;
		scattered++;
	}
	pr_info("took %lu single pages, gave %lu back\n", frag_n, scattered);
	return 0;
}

static void unfragment(void)
{
	unsigned long i;

	for (i = 0; i < frag_n; i++)
		if (frag[i])
			__free_page(frag[i]);
	vfree(frag);
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
		return fragment();
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
