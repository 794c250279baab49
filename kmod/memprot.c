// SPDX-License-Identifier: GPL-2.0
/*
 * Memory protection requests, hypervisor-agnostic (through lvbs.hv):
 * the kernel image, every module (already loaded, and each one loaded
 * later, through the module notifier), then SEAL.
 *
 *   kernel text     R+XS, immutable, patchable (validated text patching)
 *   kernel rodata   R, immutable; the vDSO images in it R+XU
 *   kernel data/bss R+W, never executable; the IDT page R, immutable
 *   module text     R+XS, immutable, patchable   (released on unload)
 *   module rodata   R, immutable                 (released on unload)
 *   module ro_after_init  R+W until the module is live, then R
 *   module data     R+W, never executable
 *   module init     text R+XS patchable, rodata R, data R+W; released
 *                   when the module goes live (init memory is freed then)
 *
 * Module memory comes from vmalloc: each page is looked up with
 * vmalloc_to_pfn() and physically contiguous pages are merged into one
 * range. Modules are trusted on first use: whatever module the kernel
 * loads is protected, none is authenticated (a later issue).
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/module.h>
#include <linux/async.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/mutex.h>
#include <linux/ktime.h>
#include <linux/fs.h>
#include <linux/fcntl.h>
#include <linux/version.h>
#include <asm/pgtable.h>
#include "lvbs.h"

static bool audit;
module_param(audit, bool, 0400);
MODULE_PARM_DESC(audit, "memory violations are logged and allowed instead of blocked (rollout); default: enforce");

/*
 * Kernel execute control without GMET: "strict" (W^X in the SLAT, the
 * default) or "nx" (the older NX fallback, which leaves ordinary RAM
 * executable in kernel mode). It only ever relaxes; with GMET it is moot.
 */
static char *exec_mode = "strict";
module_param_named(exec, exec_mode, charp, 0400);
MODULE_PARM_DESC(exec, "without GMET: strict (W^X in the SLAT, default) or nx (ordinary RAM stays executable in kernel mode)");

/*
 * Which modules may bring new kernel code after SEAL: "signed" (the
 * default: only those whose file the hypervisor verified against its
 * keys, docs/module-signatures.md) or "tofu" (any, trusted on first use).
 */
static char *module_trust = "signed";
module_param(module_trust, charp, 0400);
MODULE_PARM_DESC(module_trust, "signed (default: only modules whose signature the hypervisor verified load after SEAL) or tofu (every module, trusted on first use)");

int lvbs_memprot_seal_flags(u64 *flags)
{
	if (!strcmp(exec_mode, "strict")) {
		*flags = 0;
	} else if (!strcmp(exec_mode, "nx")) {
		*flags = LVBS_SEAL_EXEC_NX;
	} else {
		pr_err("exec=%s: unknown; use strict or nx\n", exec_mode);
		return -EINVAL;
	}
	if (!strcmp(module_trust, "tofu")) {
		*flags |= LVBS_SEAL_MODULE_TOFU;
	} else if (strcmp(module_trust, "signed")) {
		pr_err("module_trust=%s: unknown; use signed or tofu\n", module_trust);
		return -EINVAL;
	}
	return 0;
}

bool lvbs_module_trust_signed(void)
{
	return strcmp(module_trust, "tofu") != 0;
}

struct batch {
	struct lvbs_mem_prot v[LVBS_PROT_BATCH];
	u32 n;
	int err;
	const char *what;
};

struct lvbs_memprot_stats lvbs_memprot;

static void batch_flush(struct batch *b)
{
	u32 applied = 0;
	int r;

	if (!b->n || b->err)
		return;
	r = lvbs.hv->protect(b->v, b->n, &applied);
	/* status's init_protect_hypercalls: the initial protection's only. */
	if (!READ_ONCE(lvbs_memprot.init_done))
		lvbs_memprot.hypercalls++;
	if (r) {
		const struct lvbs_mem_prot *e = &b->v[min(applied, b->n - 1)];

		pr_err("protecting %s failed (%d%s) at [0x%llx, 0x%llx) perm 0x%x owner %u\n",
		       b->what, r,
		       r == -E2BIG ? ": the hypervisor's permission database is full, see perm_ranges in lvbsctl status" : "",
		       e->gpa, e->gpa + e->size, e->perm, e->owner);
		b->err = r;
	}
	b->n = 0;
}

static void batch_add(struct batch *b, u64 start, u64 end, u32 perm, u32 owner)
{
	if (b->err || start >= end)
		return;
	if (b->n == LVBS_PROT_BATCH)
		batch_flush(b);
	b->v[b->n++] = (struct lvbs_mem_prot){
		.gpa = start, .size = end - start, .perm = perm, .owner = owner,
	};
}

/* [va, va+size) of vmalloc'd memory, as physically contiguous runs. */
static void batch_add_vmalloc(struct batch *b, const void *va, unsigned long size,
			      u32 perm, u32 owner)
{
	unsigned long off;
	u64 run_start = 0, run_end = 0;

	for (off = 0; off < size && !b->err; off += PAGE_SIZE) {
		unsigned long pfn = vmalloc_to_pfn(va + off);
		u64 pa = (u64)pfn << PAGE_SHIFT;

		if (!pfn) {
			pr_err("protecting %s: no page behind %px\n", b->what, va + off);
			b->err = -EFAULT;
			return;
		}
		if (pa == run_end) {
			run_end += PAGE_SIZE;
			continue;
		}
		batch_add(b, run_start, run_end, perm, owner);
		run_start = pa;
		run_end = pa + PAGE_SIZE;
	}
	batch_add(b, run_start, run_end, perm, owner);
}

/* ---- the kernel image ---- */

/*
 * Is the page at pa still part of the kernel image? The kernel reserves
 * its whole image in memblock at boot (PG_reserved on every page) and
 * gives pieces back with free_reserved_area(), which clears the flag: the
 * init sections, and inside "Kernel bss" the unused part of
 * .bss..decrypted (mem_encrypt_free_decrypted_mem(), on every x86-64 boot
 * with CONFIG_AMD_MEM_ENCRYPT, SME or not: about 2 MiB). Such a page
 * belongs to the page allocator, which hands it to anybody next: a
 * module's text, a trampoline, the page cache. Owning it as kernel data
 * would refuse those later uses (docs/page-lifecycle.md).
 */
static bool image_page(u64 pa)
{
	unsigned long pfn = pa >> PAGE_SHIFT;

	return pfn_valid(pfn) && PageReserved(pfn_to_page(pfn));
}

/*
 * Protect the pages of [start, end) the kernel still holds as its image,
 * in runs. Returns how many pages it left out because the kernel freed
 * them.
 */
static u64 add_image(struct batch *b, u64 start, u64 end, u32 perm)
{
	u64 pa, run = start, freed = 0;

	for (pa = start; pa < end; pa += PAGE_SIZE) {
		if (image_page(pa))
			continue;
		batch_add(b, run, pa, perm, LVBS_OWNER_KERNEL);
		run = pa + PAGE_SIZE;
		freed++;
	}
	batch_add(b, run, end, perm, LVBS_OWNER_KERNEL);
	return freed;
}

/*
 * Before the launch: does the kernel still hold its whole text, rodata and
 * IDT page as its image? add_kernel() relies on it; a kernel that gives
 * any of them back is one whose layout lvbs does not understand.
 */
int lvbs_check_image(const struct lvbs_layout *l)
{
	u64 pa, n = 0;

	for (pa = l->text.start; pa < l->text.end; pa += PAGE_SIZE)
		n += !image_page(pa);
	for (pa = l->rodata.start; pa < l->rodata.end; pa += PAGE_SIZE)
		n += !image_page(pa);
	if (n) {
		pr_err("layout: %llu pages of kernel text or rodata are not reserved any more\n", n);
		return -EINVAL;
	}
	if (!image_page(l->idt)) {
		pr_err("layout: the IDT page is not part of the kernel image\n");
		return -EINVAL;
	}
	return 0;
}

static int add_kernel(struct batch *b, const struct lvbs_layout *l)
{
	const u32 rx = LVBS_PERM_R | LVBS_PERM_XS | LVBS_PERM_IMMUTABLE | LVBS_PERM_PATCHABLE;
	const u32 ro = LVBS_PERM_R | LVBS_PERM_IMMUTABLE;
	const u32 rw = LVBS_PERM_R | LVBS_PERM_W;
	u64 cur = l->rodata.start, code_freed;
	u32 i;

	code_freed = add_image(b, l->text.start, l->text.end, rx);
	for (i = 0; i < l->nr_vdso; i++) {
		code_freed += add_image(b, cur, l->vdso[i].start, ro);
		code_freed += add_image(b, l->vdso[i].start, l->vdso[i].end,
					ro | LVBS_PERM_XU);
		cur = l->vdso[i].end;
	}
	code_freed += add_image(b, cur, l->rodata.end, ro);
	/*
	 * Linux never gives back text or rodata after boot: if it did here,
	 * this is a kernel whose layout we do not understand.
	 */
	if (code_freed) {
		pr_err("layout: %llu pages of kernel text or rodata are not reserved any more; refusing to guess what they are\n",
		       code_freed);
		return -EINVAL;
	}
	lvbs_memprot.image_freed_pages = add_image(b, l->data.start, l->data.end, rw) +
					 add_image(b, l->bss.start, l->bss.end, rw);
	/* After bss: an immutable range could not be overwritten by it. */
	if (!image_page(l->idt)) {
		pr_err("layout: the IDT page is not part of the kernel image\n");
		return -EINVAL;
	}
	batch_add(b, l->idt, l->idt + PAGE_SIZE, ro, LVBS_OWNER_KERNEL);
	return 0;
}

/* ---- modules ---- */

struct tracked {
	struct list_head node;
	struct module *mod;
	u32 core, init;		/* owner cookies */
	bool init_held;
	bool ro_after_init_done;
};

static LIST_HEAD(tracked_list);
static DEFINE_MUTEX(tracked_lock);
/* Owner cookies, two per module (core, init); taken also in a kprobe (modcheck.c). */
static atomic_t next_cookie = ATOMIC_INIT(LVBS_OWNER_MODULE_MIN);

u32 lvbs_memprot_new_owners(void)
{
	return (u32)atomic_add_return(2, &next_cookie) - 2;
}

static struct tracked *find_tracked(struct module *mod)
{
	struct tracked *t;

	list_for_each_entry(t, &tracked_list, node)
		if (t->mod == mod)
			return t;
	return NULL;
}

/*
 * A module's memory as lvbs sees it: for its core and for its init part,
 * up to four page-aligned pieces of vmalloc'd module-area memory, one per
 * kind of right. How the kernel records them differs between series; this
 * is the one place that knows (docs/kernel-compatibility.md).
 */
struct mod_piece {
	const u8 *base;
	unsigned long size;	/* page aligned; 0: the module has none */
};

static bool piece_ok(const struct mod_piece *p)
{
	unsigned long va = (unsigned long)p->base;

	if (!p->size)
		return true;
	return PAGE_ALIGNED(va) && PAGE_ALIGNED(p->size) && va >= MODULES_VADDR &&
	       va < MODULES_END && p->size <= MODULES_END - va;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
/*
 * 6.4 and later: one allocation per kind, mod->mem[MOD_TEXT ...], each
 * page aligned at its base (vmalloc, execmem from 6.10) and as long as its
 * size rounded up to a page. Init has no ro_after_init piece.
 */
static const enum mod_mem_type mem_type_of[2][LVBS_MK_NR] = {
	{ MOD_TEXT, MOD_RODATA, MOD_RO_AFTER_INIT, MOD_DATA },
	{ MOD_INIT_TEXT, MOD_INIT_RODATA, MOD_INVALID, MOD_INIT_DATA },
};

static int module_pieces(const struct module *mod, bool init, struct mod_piece pc[LVBS_MK_NR])
{
	int k;

	for (k = 0; k < LVBS_MK_NR; k++) {
		enum mod_mem_type t = mem_type_of[init][k];
		const struct module_memory *mem = t == MOD_INVALID ? NULL : &mod->mem[t];

		pc[k].base = mem ? mem->base : NULL;
		pc[k].size = mem && mem->size ? PAGE_ALIGN(mem->size) : 0;
		if ((pc[k].size && !pc[k].base) || !piece_ok(&pc[k]))
			return -EINVAL;
	}
	return 0;
}
#else
/*
 * 6.1: one allocation each for core and init, mod->core_layout and
 * mod->init_layout, laid out text | rodata | ro_after_init | data with
 * page-aligned boundaries (text_size <= ro_size <= ro_after_init_size).
 */
static int module_pieces(const struct module *mod, bool init, struct mod_piece pc[LVBS_MK_NR])
{
	const struct module_layout *ml = init ? &mod->init_layout : &mod->core_layout;
	const u8 *base = ml->base;
	int k;

	if (!ml->size) {
		memset(pc, 0, sizeof(*pc) * LVBS_MK_NR);
		return 0;
	}
	if (!PAGE_ALIGNED(ml->text_size) || !PAGE_ALIGNED(ml->ro_size) ||
	    !PAGE_ALIGNED(ml->ro_after_init_size) || ml->text_size > ml->ro_size ||
	    ml->ro_size > ml->ro_after_init_size || ml->ro_after_init_size > ml->size)
		return -EINVAL;
	pc[LVBS_MK_TEXT] = (struct mod_piece){ base, ml->text_size };
	pc[LVBS_MK_RODATA] = (struct mod_piece){ base + ml->text_size, ml->ro_size - ml->text_size };
	pc[LVBS_MK_RO_AFTER_INIT] = (struct mod_piece){ base + ml->ro_size,
						   ml->ro_after_init_size - ml->ro_size };
	pc[LVBS_MK_DATA] = (struct mod_piece){ base + ml->ro_after_init_size,
					  PAGE_ALIGN(ml->size) - ml->ro_after_init_size };
	for (k = 0; k < LVBS_MK_NR; k++)
		if (!PAGE_ALIGNED(base) || !piece_ok(&pc[k]))
			return -EINVAL;
	return 0;
}
#endif

/* Is [p, p + len) inside piece k of mod's core (or init)? */
bool lvbs_module_piece_has(const struct module *mod, bool init, enum lvbs_mod_kind k,
			   const void *p, size_t len)
{
	struct mod_piece pc[LVBS_MK_NR];
	const u8 *a = p;

	if (module_pieces(mod, init, pc) || !pc[k].size)
		return false;
	return a >= pc[k].base && a + len <= pc[k].base + pc[k].size && a + len > a;
}

static void add_pieces(struct batch *b, const struct mod_piece pc[LVBS_MK_NR], u32 owner,
		       bool immutable, bool ro_after_init_final)
{
	u32 imm = immutable ? LVBS_PERM_IMMUTABLE : 0;
	u32 roai = ro_after_init_final ? LVBS_PERM_R | imm : LVBS_PERM_R | LVBS_PERM_W;

	batch_add_vmalloc(b, pc[LVBS_MK_TEXT].base, pc[LVBS_MK_TEXT].size,
			  LVBS_PERM_R | LVBS_PERM_XS | LVBS_PERM_PATCHABLE | imm, owner);
	batch_add_vmalloc(b, pc[LVBS_MK_RODATA].base, pc[LVBS_MK_RODATA].size, LVBS_PERM_R | imm, owner);
	batch_add_vmalloc(b, pc[LVBS_MK_RO_AFTER_INIT].base, pc[LVBS_MK_RO_AFTER_INIT].size, roai, owner);
	batch_add_vmalloc(b, pc[LVBS_MK_DATA].base, pc[LVBS_MK_DATA].size, LVBS_PERM_R | LVBS_PERM_W, owner);
}

static void release_cookie(struct module *mod, u32 owner)
{
	u64 pages = 0;
	int r = lvbs.hv->release(owner, &pages);

	if (r)
		pr_err("module %s: releasing its memory failed (%d)\n", mod->name, r);
}

/*
 * Protect a module that is coming (init still to run) or already live,
 * under the owners @core and @core + 1 (0: new ones). A module whose file
 * the hypervisor verified comes with the owners its check authorized.
 * Called with tracked_lock held.
 */
static int track_module(struct module *mod, bool live, u32 core_owner)
{
	struct tracked *t = find_tracked(mod);
	struct mod_piece core[LVBS_MK_NR], init[LVBS_MK_NR];
	bool has_init;
	struct batch *b;
	int r;

	if (t)
		return 0;
	if (module_pieces(mod, false, core) || (!live && module_pieces(mod, true, init))) {
		pr_err("module %s: unexpected memory layout, not protected\n", mod->name);
		return -EINVAL;
	}
	has_init = !live && (init[LVBS_MK_TEXT].size || init[LVBS_MK_RODATA].size ||
			     init[LVBS_MK_RO_AFTER_INIT].size || init[LVBS_MK_DATA].size);
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!t || !b) {
		kfree(t);
		kfree(b);
		return -ENOMEM;
	}
	t->mod = mod;
	t->core = core_owner ? core_owner : lvbs_memprot_new_owners();
	t->init = t->core + 1;
	b->what = mod->name;
	add_pieces(b, core, t->core, true, live);
	t->ro_after_init_done = live;
	if (has_init) {
		add_pieces(b, init, t->init, false, false);
		t->init_held = true;
	}
	batch_flush(b);
	r = b->err;
	kfree(b);
	if (r) {
		/* Never half-tracked: give back whatever took effect. */
		release_cookie(mod, t->core);
		release_cookie(mod, t->init);
		kfree(t);
		return r;
	}
	list_add(&t->node, &tracked_list);
	lvbs_memprot.modules_tracked++;
	/*
	 * Before SEAL a module's exports are trusted as the kernel's are;
	 * after, only a comparison finds them (the hypervisor's own record).
	 */
	if (!lvbs_memprot.sealed) {
		r = lvbs_exports_module(mod, t->core);
		if (r)
			pr_warn("module %s: its export tables refused by the hypervisor (%d): modules importing from it will not load after SEAL\n",
				mod->name, r);
	}
	return 0;
}

/* Forget a module we track: its memory goes back to nobody. */
static void untrack(struct module *mod)
{
	struct tracked *t = find_tracked(mod);

	if (!t)
		return;
	release_cookie(mod, t->core);
	if (t->init_held)
		release_cookie(mod, t->init);
	list_del(&t->node);
	kfree(t);
	lvbs_memprot.modules_tracked--;
}

/*
 * MODULE_STATE_COMING: register the module's memory under the owners its
 * check authorized (after SEAL with module_trust=signed its code gets no
 * execute yet), then have the hypervisor compare it with its signed file:
 * only the same code gets execute. A module the hypervisor leaves without
 * execute fails to load here, before any of its code runs.
 */
static int module_coming(struct module *mod)
{
	struct mod_piece core[LVBS_MK_NR], init[LVBS_MK_NR];
	struct lvbs_coming cm;
	u64 va[2] = { 0, 0 }, size[2] = { 0, 0 };
	int r;

	lvbs_modcheck_coming(mod, &cm);
	r = track_module(mod, false, cm.owner);
	if (r) {
		lvbs_modcheck_drop(&cm);
		return r;
	}
	/* Checked by track_module(); the kernel does not move them. */
	if (!module_pieces(mod, false, core) && !module_pieces(mod, true, init)) {
		va[0] = (unsigned long)core[LVBS_MK_TEXT].base;
		size[0] = core[LVBS_MK_TEXT].size;
		va[1] = (unsigned long)init[LVBS_MK_TEXT].base;
		size[1] = init[LVBS_MK_TEXT].size;
	}
	r = lvbs_modcheck_compare(mod, &cm, va, size);
	if (r)
		untrack(mod);
	return r;
}

/* The module is live: its ro_after_init becomes read-only, init is freed. */
static void module_live(struct module *mod)
{
	struct tracked *t = find_tracked(mod);
	struct batch *b;

	if (!t) {
		track_module(mod, true, 0);
		return;
	}
	if (!t->ro_after_init_done) {
		struct mod_piece core[LVBS_MK_NR];

		b = kzalloc(sizeof(*b), GFP_KERNEL);
		/* Checked when it was tracked; the kernel does not move it. */
		if (b && !module_pieces(mod, false, core)) {
			b->what = mod->name;
			batch_add_vmalloc(b, core[LVBS_MK_RO_AFTER_INIT].base,
					  core[LVBS_MK_RO_AFTER_INIT].size,
					  LVBS_PERM_R | LVBS_PERM_IMMUTABLE, t->core);
			batch_flush(b);
			kfree(b);
		}
		t->ro_after_init_done = true;
	}
	if (t->init_held) {
		release_cookie(mod, t->init);
		t->init_held = false;
	}
}

static void module_going(struct module *mod)
{
	untrack(mod);
}

static int module_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;
	int r = 0;

	/*
	 * LIVE comes before do_init_module() waits for the asynchronous work
	 * the module's init scheduled, and that work may be init code itself
	 * (6.1's battery: acpi_battery_init_async() is __init). Releasing
	 * init here, its code scrubbed, before that work ran crashed the
	 * kernel (make e2e-allmods). So wait first, as the kernel is about
	 * to, and only when it does: not for a module probing asynchronously
	 * (the deadlock the kernel avoids by not waiting), and before taking
	 * our lock, which a module loaded from that work would take.
	 */
	if (state == MODULE_STATE_LIVE && !mod->async_probe_requested)
		async_synchronize_full();
	mutex_lock(&tracked_lock);
	switch (state) {
	case MODULE_STATE_COMING:
		r = module_coming(mod);
		break;
	case MODULE_STATE_LIVE:
		module_live(mod);
		break;
	case MODULE_STATE_GOING:
		module_going(mod);
		break;
	}
	mutex_unlock(&tracked_lock);
	/*
	 * A module we could not protect does not load: 6.1 and 6.12 both run
	 * the COMING chain with blocking_notifier_call_chain_robust() and
	 * fail the load on an error.
	 */
	return notifier_from_errno(r);
}

/*
 * Lowest priority: the jump-label and static-call notifiers patch a coming
 * module's text first, while it is still ordinary memory.
 */
static struct notifier_block module_nb = {
	.notifier_call = module_notify,
	.priority = INT_MIN,
};

/*
 * Modules already loaded, lvbs.ko among them. The module list is walked
 * from our own entry under RCU (the list and its lock are not exported);
 * its head is the one node outside the module area, where every struct
 * module lives (is_module_address() is not exported either). A reference
 * keeps each module from unloading until it is protected.
 */
#define MAX_EXISTING	1024

static int track_existing(void)
{
	struct module **mods, *mod;
	unsigned int n = 0, i;
	int r = 0;

	mods = kcalloc(MAX_EXISTING, sizeof(*mods), GFP_KERNEL);
	if (!mods)
		return -ENOMEM;
	rcu_read_lock();
	list_for_each_entry_rcu(mod, &THIS_MODULE->list, list) {
		if ((unsigned long)mod < MODULES_VADDR || (unsigned long)mod >= MODULES_END)
			continue;	/* the list head */
		if (mod->state == MODULE_STATE_UNFORMED || n == MAX_EXISTING)
			continue;
		if (try_module_get(mod))
			mods[n++] = mod;
	}
	rcu_read_unlock();
	if (try_module_get(THIS_MODULE))
		mods[n++] = THIS_MODULE;
	mutex_lock(&tracked_lock);
	for (i = 0; i < n; i++) {
		int e = track_module(mods[i], mods[i]->state == MODULE_STATE_LIVE, 0);

		if (e && !r)
			r = e;
	}
	mutex_unlock(&tracked_lock);
	for (i = 0; i < n; i++)
		module_put(mods[i]);
	kfree(mods);
	return r;
}

/*
 * Optimized kprobes replace the probed instructions with a JMP rel32 to a
 * detour buffer. The window under their INT3 was an arbitrary instruction,
 * not a patch form, so validated text patching refuses the JMP, and the
 * kprobe optimizer would oops holding text_mutex (docs/text-patching.md).
 * Turn the optimization off through its sysctl, the one interface to it a
 * module can reach; kprobes keep working, unoptimized.
 */
static void disable_kprobe_optimization(void)
{
	struct file *f = filp_open("/proc/sys/debug/kprobes-optimization", O_WRONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f)) {
		pr_warn("cannot turn kprobe optimization off (%ld): set debug.kprobes-optimization=0 before using kprobes\n",
			PTR_ERR(f));
		return;
	}
	n = kernel_write(f, "0\n", 2, &pos);
	filp_close(f, NULL);
	if (n != 2)
		pr_warn("writing debug.kprobes-optimization failed (%zd)\n", n);
	else
		pr_info("kprobe optimization turned off (validated text patching refuses optimized kprobes)\n");
}

/* ---- all of it ---- */

/* l: the layout lvbs_check_kernel() found before the launch. */
int lvbs_protect_memory(const struct lvbs_layout *l, u64 seal_flags)
{
	struct batch *b;
	ktime_t t0 = ktime_get();
	int r;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	disable_kprobe_optimization();
	b->what = "the kernel image";
	r = add_kernel(b, l);
	if (r)
		goto out;
	batch_flush(b);
	r = b->err;
	if (r)
		goto out;
	/* Its export tables lie in the rodata just registered. */
	lvbs_exports_kernel(l);
	r = register_module_notifier(&module_nb);
	if (r)
		goto out;
	r = track_existing();
	if (r)
		goto out;
	if (audit) {
		r = lvbs.hv->set_policy(LVBS_POLICY_AUDIT);
		lvbs_memprot.hypercalls++;
		if (r)
			goto out;
	}
	/* Under tracked_lock: a module coming now sees SEAL done or not. */
	mutex_lock(&tracked_lock);
	r = lvbs.hv->seal(seal_flags, MODULES_VADDR, MODULES_END);
	if (!r)
		lvbs_memprot.sealed = true;
	mutex_unlock(&tracked_lock);
	lvbs_memprot.hypercalls++;
	if (r) {
		pr_err("SEAL failed (%d)\n", r);
		goto out;
	}
	lvbs_memprot.ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	pr_info("protected the kernel image (text %llu KiB, rodata %llu KiB, %u vDSO images; %llu KiB of data/bss the kernel freed at boot left to it) and %u modules in %u hypercalls, %llu us; sealed%s\n",
		(l->text.end - l->text.start) >> 10, (l->rodata.end - l->rodata.start) >> 10,
		l->nr_vdso, lvbs_memprot.image_freed_pages << (PAGE_SHIFT - 10),
		lvbs_memprot.modules_tracked, lvbs_memprot.hypercalls,
		lvbs_memprot.ns / 1000, audit ? " (audit: violations are only logged)" : "");
	WRITE_ONCE(lvbs_memprot.init_done, true);
out:
	kfree(b);
	return r;
}
