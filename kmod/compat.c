// SPDX-License-Identifier: GPL-2.0
/*
 * Does lvbs understand the kernel it was loaded into? Run once at load,
 * before the launch, so that on a kernel it does not understand lvbs
 * refuses with a message instead of launching and then protecting the
 * wrong memory or denying the kernel's own text patching.
 *
 * lvbs.ko is built against the headers of the kernel it loads into
 * (vermagic enforces that), so the structures it reads match their
 * declarations; what can still be wrong is what those structures mean
 * and how the kernel uses its memory. Three kinds of check, each
 * explained in docs/kernel-compatibility.md:
 *
 *  1. the series: only those lvbs was written and tested for;
 *  2. the kernel image: the resources, the IDT and the vDSO are where
 *     layout.c looks, and the kernel still holds its text and rodata;
 *  3. lvbs.ko's own memory, as the kernel recorded it in THIS_MODULE: each
 *     of our own functions and variables lies in the piece memprot.c
 *     gives the rights of its kind, and our ftrace site holds a patch
 *     form the hypervisor's text-patch validator accepts.
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/module.h>
#include <linux/version.h>
#include <linux/utsname.h>
#include <linux/string.h>
#include <linux/cache.h>
#include "lvbs.h"

/*
 * The series lvbs knows, by the headers it was built against: 6.1 (one
 * core and one init allocation per module) and 6.12 (one allocation per
 * kind, from execmem). Between them module memory, the page allocator's
 * orders and text patching changed in steps that were never tested.
 */
#if (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0) && \
     LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)) || \
    (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0) && \
     LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0))
#define LVBS_KNOWN_SERIES	true
#else
#define LVBS_KNOWN_SERIES	false
#endif

/* Objects of each kind in lvbs.ko, for the self-check below. */
static const u8 probe_rodata[32] = { 1 };
static int probe_ro_after_init __ro_after_init = 1;
static int probe_data = 1;

/*
 * An ordinary traced function: the compiler puts a __fentry__ call at its
 * start, which the build (objtool) or ftrace at module load turns into a
 * NOP5 before our init runs.
 */
static noinline void probe_fentry(void)
{
	barrier();
}

static bool piece_has(enum lvbs_mod_kind k, bool init, const void *p, size_t len,
		      const char *what)
{
	if (lvbs_module_piece_has(THIS_MODULE, init, k, p, len))
		return true;
	pr_err("refusing to launch: lvbs.ko's own %s at %px is not where this kernel's struct module says it is; module memory is laid out in a way lvbs does not understand\n",
	       what, p);
	return false;
}

static int __init check_own_module(void)
{
	if (THIS_MODULE->state != MODULE_STATE_COMING) {
		pr_err("refusing to launch: module state %d during init, expected MODULE_STATE_COMING\n",
		       THIS_MODULE->state);
		return -EOPNOTSUPP;
	}
	if (!piece_has(LVBS_MK_TEXT, false, lvbs_protect_memory, 1, "text") ||
	    !piece_has(LVBS_MK_RODATA, false, probe_rodata, sizeof(probe_rodata), "rodata") ||
	    !piece_has(LVBS_MK_RO_AFTER_INIT, false, &probe_ro_after_init,
		       sizeof(probe_ro_after_init), "ro_after_init data") ||
	    !piece_has(LVBS_MK_DATA, false, &probe_data, sizeof(probe_data), "data") ||
	    !piece_has(LVBS_MK_DATA, false, &lvbs, sizeof(lvbs), "bss") ||
	    !piece_has(LVBS_MK_TEXT, true, check_own_module, 1, "init text"))
		return -EOPNOTSUPP;
	return 0;
}

/*
 * The hypervisor lets kernel text change only into a few patch forms
 * (docs/text-patching.md). ftrace's idle form is the most common one; if
 * this kernel used another, every function tracer switch would be denied.
 */
static int __init check_fentry_form(void)
{
#ifdef CONFIG_DYNAMIC_FTRACE
	static const u8 endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const u8 nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	const u8 *p = (const u8 *)probe_fentry;

	/* Read the bytes; no address into the function for objtool to see. */
	OPTIMIZER_HIDE_VAR(p);
	probe_fentry();
	/* With CONFIG_X86_KERNEL_IBT the site follows the ENDBR64 (6.12). */
	if (!memcmp(p, endbr64, sizeof(endbr64)))
		p += sizeof(endbr64);
	/* Idle (NOP5), or already traced (CALL rel32). */
	if (memcmp(p, nop5, sizeof(nop5)) && p[0] != 0xe8) {
		pr_err("refusing to launch: the ftrace site of a function holds %5ph, not a patch form lvbs validates (NOP5 or CALL rel32)\n",
		       p);
		return -EOPNOTSUPP;
	}
#endif
	return 0;
}

int __init lvbs_check_kernel(struct lvbs_layout *l)
{
	int r;

	if (!LVBS_KNOWN_SERIES) {
		pr_err("refusing to launch: Linux %s is not a series lvbs knows (6.1.y and 6.12.y; see docs/kernel-compatibility.md)\n",
		       init_utsname()->release);
		return -EOPNOTSUPP;
	}
	r = check_own_module();
	if (!r)
		r = check_fentry_form();
	if (r)
		return r;
	r = lvbs_find_layout(l);
	if (!r)
		r = lvbs_check_image(l);
	if (r) {
		pr_err("refusing to launch: the kernel image is not laid out as lvbs expects (%d)\n", r);
		return r;
	}
	return 0;
}
