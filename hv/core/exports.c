// SPDX-License-Identifier: GPL-2.0
/*
 * The export tables a module's imports may take their values from
 * (exports.h; docs/module-signatures.md, "Import values").
 *
 * The kernel loader resolves each import of a module by name in the
 * kernel's __ksymtab and __ksymtab_gpl and in those of the modules
 * already loaded (find_symbol()). MODULE_COMPARE does the same from
 * tables it trusts, so a value the loader's symbol table holds counts for
 * nothing: the module's code must match the value the export has.
 *
 *  - The kernel's tables, and those of modules loaded before SEAL, are
 *    named by lvbs.ko while the kernel is trusted (EXPORTS, before SEAL
 *    only). Each must lie in its owner's registered read-only memory.
 *  - A module compared SAME has its tables added by the hypervisor from
 *    its verified file: the sections __ksymtab and __ksymtab_gpl, at the
 *    addresses the comparison bound, whose bytes it has just compared.
 *
 * Every entry and name is read only from pages that are their owner's
 * read-only memory (ksymtab.c). Each page is translated and checked once
 * and the result kept: the kernel's for good (its rodata is immutable
 * after SEAL), a module's until any module memory is released, which
 * forgets every kept translation of module pages. A table the guest
 * remaps, or memory given back, fails the lookup rather than answer it.
 * A table goes when its owner's memory is released.
 */
#include <hv/types.h>
#include <hv/spinlock.h>
#include "hv.h"
#include "exports.h"
#include "gwalk.h"
#include "ksymtab.h"
#include "slat.h"

struct owner_tables {
	u32 owner;			/* 0: free */
	u64 start[2], end[2];		/* __ksymtab, __ksymtab_gpl */
};

static struct {
	struct spinlock lock;
	struct owner_tables kernel;	/* owner LVBS_OWNER_KERNEL once given */
	struct owner_tables mods[LVBS_EXPORT_MODULES];
	u32 nmods;
	u64 imports_checked;
	/*
	 * Table and string pages, each translated and checked once, tagged
	 * with their owner and the release generation: the kernel's immutable
	 * rodata stays so (no release, no change); a module's pages are
	 * looked at again after any release (exports_forget() moves the
	 * generation on). Used under MODULE_COMPARE's lock, its one user.
	 */
	struct ksymtab_tlb tlb;
	u32 gen;
} ex;				/* bss */

void exports_reset(void)
{
	memset(&ex.kernel, 0, sizeof(ex.kernel));
	memset(ex.mods, 0, sizeof(ex.mods));
	memset(&ex.tlb, 0, sizeof(ex.tlb));
	ex.gen = 0;
	ex.nmods = 0;
	ex.imports_checked = 0;
}

/* Is @gpa's page the owner's (ctx) protected read-only memory? */
static bool owner_page(void *ctx, u64 gpa)
{
	u32 owner = (u32)(unsigned long)ctx;

	return slat_owned_readonly(gpa, owner, owner == LVBS_OWNER_KERNEL);
}

/* A table's shape, and each of its pages its owner's, through @w. */
static bool table_ok(const struct gwalk_ctx *w, u32 owner, u64 start, u64 end)
{
	if (!start && !end)
		return true;
	if (end < start || (start & 3) || (end - start) % KSYMTAB_ENTRY ||
	    end - start > LVBS_EXPORT_TABLE_MAX)
		return false;
	for (u64 va = start & ~(u64)(PAGE_SIZE - 1); va < end; va += PAGE_SIZE) {
		u64 gpa;

		if (gwalk_translate(w, va, &gpa, NULL) ||
		    !owner_page((void *)(unsigned long)owner, gpa & ~(u64)(PAGE_SIZE - 1)))
			return false;
	}
	return true;
}

/* Under ex.lock: the slot of @owner's tables, or a free one, or NULL. */
static struct owner_tables *slot_of(u32 owner)
{
	struct owner_tables *free = NULL;

	if (owner == LVBS_OWNER_KERNEL)
		return &ex.kernel;
	for (u32 i = 0; i < LVBS_EXPORT_MODULES; i++) {
		if (ex.mods[i].owner == owner)
			return &ex.mods[i];
		if (!ex.mods[i].owner && !free)
			free = &ex.mods[i];
	}
	return free;
}

static void set_tables(u32 owner, const u64 start[2], const u64 end[2])
{
	struct owner_tables *t;

	spin_lock(&ex.lock);
	t = slot_of(owner);
	if (t) {
		if (!t->owner && owner != LVBS_OWNER_KERNEL)
			ex.nmods++;
		t->owner = owner;
		for (int k = 0; k < 2; k++) {
			t->start[k] = start[k];
			t->end[k] = end[k];
		}
	}
	spin_unlock(&ex.lock);
}

long exports_call(struct hv_cpu *c, u64 gpa, u64 size)
{
	struct lvbs_exports e;
	struct gwalk_ctx w;
	long r;

	if (READ_ONCE(hv.slat_state.sealed))
		return LVBS_E_PERM;
	if (size != sizeof(e))
		return LVBS_E_INVAL;
	r = memmap_check_buffer(&hv.mem, gpa, size, 8);
	if (r)
		return r;
	memcpy(&e, gpa_ptr(gpa), sizeof(e));	/* copied in once */
	if (e.size != sizeof(e) || e.reserved ||
	    (e.owner != LVBS_OWNER_KERNEL && e.owner < LVBS_OWNER_MODULE_MIN))
		return LVBS_E_INVAL;
	vcpu_guest_walker(c, &w);
	for (int k = 0; k < 2; k++)
		if (!table_ok(&w, e.owner, e.start[k], e.end[k]))
			return LVBS_E_RANGE;
	set_tables(e.owner, e.start, e.end);
	return LVBS_OK;
}

bool exports_kernel_known(void)
{
	return READ_ONCE(ex.kernel.owner) == LVBS_OWNER_KERNEL;
}

void exports_add_module(u32 owner, const u64 start[2], const u64 end[2])
{
	/* A module that exports nothing takes no slot. */
	if (owner >= LVBS_OWNER_MODULE_MIN && (start[0] != end[0] || start[1] != end[1]))
		set_tables(owner, start, end);
}

void exports_forget(u32 owner)
{
	spin_lock(&ex.lock);
	WRITE_ONCE(ex.gen, ex.gen + 1);
	for (u32 i = 0; i < LVBS_EXPORT_MODULES && owner >= LVBS_OWNER_MODULE_MIN; i++) {
		if (ex.mods[i].owner == owner) {
			memset(&ex.mods[i], 0, sizeof(ex.mods[i]));
			ex.nmods--;
		}
	}
	spin_unlock(&ex.lock);
}

/* Look @name up in @t's two tables (a copy: no lock held meanwhile). */
static int lookup(const struct gwalk_ctx *w, const struct owner_tables *t, const char *name,
		  u64 *value)
{
	struct ksymtab_src src = { .protected_page = owner_page,
				   .ctx = (void *)(unsigned long)t->owner,
				   .tlb = &ex.tlb,
				   .tag = t->owner | (t->owner == LVBS_OWNER_KERNEL ? 0 :
						      (u64)READ_ONCE(ex.gen) << 32) };

	for (int k = 0; k < 2; k++) {
		int r;

		if (t->start[k] == t->end[k])
			continue;
		r = ksymtab_lookup(w, &src, t->start[k], t->end[k], name, value);
		if (r != KSYMTAB_ABSENT)
			return r;
	}
	return KSYMTAB_ABSENT;
}

/*
 * The kernel's tables, then each module's, in turn: each one copied under
 * ex.lock and searched without it (the search takes the SLAT's lock,
 * which a release holds when it forgets a table). The one caller is
 * MODULE_COMPARE, under its own lock, which also guards ex.tlb. The
 * kernel refuses a module whose exports duplicate a loaded one's, so the
 * first found is the one.
 */
int exports_resolve(const struct gwalk_ctx *w, const char *name, u64 *value, u32 *from)
{
	struct owner_tables t;
	int r;

	spin_lock(&ex.lock);
	t = ex.kernel;
	spin_unlock(&ex.lock);
	if (t.owner != LVBS_OWNER_KERNEL)
		return KSYMTAB_ABSENT;
	r = lookup(w, &t, name, value);
	for (u32 i = 0; r == KSYMTAB_ABSENT && i < LVBS_EXPORT_MODULES; i++) {
		if (!READ_ONCE(ex.mods[i].owner))
			continue;	/* a free slot: not worth the lock */
		spin_lock(&ex.lock);
		t = ex.mods[i];
		spin_unlock(&ex.lock);
		if (t.owner)
			r = lookup(w, &t, name, value);
	}
	if (r == KSYMTAB_FOUND) {
		*from = t.owner;
		WRITE_ONCE(ex.imports_checked, ex.imports_checked + 1);
	}
	return r;
}

void exports_fill_info(struct lvbs_info *info)
{
	spin_lock(&ex.lock);
	if (ex.kernel.owner == LVBS_OWNER_KERNEL)
		info->exports_kernel = (ex.kernel.end[0] - ex.kernel.start[0] +
					ex.kernel.end[1] - ex.kernel.start[1]) / KSYMTAB_ENTRY;
	info->exports_modules = ex.nmods;
	info->imports_checked = ex.imports_checked;
	spin_unlock(&ex.lock);
}
