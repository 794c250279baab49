// SPDX-License-Identifier: GPL-2.0
/*
 * Where the running kernel's image is, found without unexported symbols
 * and whatever KASLR chose. docs/kernel-layout.md explains each source and
 * why it can be trusted at load time (the kernel is still trusted then:
 * these are the kernel's own records, read before SEAL).
 *
 *  - text, rodata, data, bss: the "Kernel code", "Kernel rodata", "Kernel
 *    data" and "Kernel bss" resources the kernel registers under
 *    iomem_resource at boot (arch/x86/kernel/setup.c), physical addresses
 *    from __pa_symbol(_text ... __bss_stop). rodata includes
 *    .data..ro_after_init and the jump and static-call tables on x86-64.
 *  - the IDT: SIDT gives the address the CPU uses (the read-only
 *    cpu_entry_area alias); lookup_address() on it gives the physical page.
 *  - the vDSO images: page-aligned ELF shared objects inside rodata (user
 *    mode executes them); the 64-bit one is cross-checked against
 *    current->mm->context.vdso_image.
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/elf.h>
#include <asm/desc.h>
#include <asm/pgtable.h>
#include <asm/vdso.h>
#include "lvbs.h"

static int match(const struct resource *r, const char *name, struct lvbs_prange *out,
		 int *found)
{
	if (!r->name || strcmp(r->name, name))
		return 0;
	if ((*found)++)
		return -EEXIST;
	out->start = r->start & PAGE_MASK;
	out->end = PAGE_ALIGN(r->end + 1);
	return 0;
}

static int find_resource(const char *name, struct lvbs_prange *out)
{
	struct resource *top, *r;
	int found = 0, e = 0;

	/*
	 * The kernel's image resources are children of the "System RAM"
	 * entries of iomem_resource, registered once at boot and never
	 * removed (arch/x86/kernel/setup.c); they are read under no lock, as
	 * resource_lock is not exported. Nothing adds or removes these
	 * entries after boot; hot-added memory only appends new top-level
	 * siblings.
	 */
	for (top = iomem_resource.child; top && !e; top = top->sibling) {
		e = match(top, name, out, &found);
		for (r = top->child; r && !e; r = r->sibling)
			e = match(r, name, out, &found);
	}
	if (e)
		return e;
	if (!found)
		return -ENOENT;
	return out->start < out->end ? 0 : -EINVAL;
}

/* The physical page of the IDT this CPU uses. */
static int find_idt(u64 *pa)
{
	struct desc_ptr dt;
	unsigned int level;
	pte_t *pte;
	unsigned long pfn, off;

	store_idt(&dt);
	pte = lookup_address(dt.address, &level);
	if (!pte || !pte_present(*pte))
		return -EFAULT;
	/* lookup_address gives the leaf at whatever level maps it. */
	switch (level) {
	case PG_LEVEL_4K:
		off = 0;
		break;
	case PG_LEVEL_2M:
		off = dt.address & (PMD_SIZE - 1) & PAGE_MASK;
		break;
	case PG_LEVEL_1G:
		off = dt.address & (PUD_SIZE - 1) & PAGE_MASK;
		break;
	default:
		return -EINVAL;
	}
	pfn = pte_pfn(*pte);
	*pa = ((u64)pfn << PAGE_SHIFT) + off;
	/* 256 gates of 16 bytes: exactly one page, page aligned. */
	return (dt.size + 1 == PAGE_SIZE && !(dt.address & ~PAGE_MASK)) ? 0 : -EINVAL;
}

/* Size of a vDSO ELF image at va, or 0 if it does not look like one. */
static u64 vdso_size_at(const u8 *va, u64 room)
{
	const Elf64_Ehdr *e64 = (const void *)va;
	const Elf32_Ehdr *e32 = (const void *)va;
	u64 end;

	if (memcmp(va, ELFMAG, SELFMAG) || va[EI_DATA] != ELFDATA2LSB)
		return 0;
	if (va[EI_CLASS] == ELFCLASS64 && e64->e_type == ET_DYN &&
	    e64->e_machine == EM_X86_64)
		end = e64->e_shoff + (u64)e64->e_shnum * e64->e_shentsize;
	else if (va[EI_CLASS] == ELFCLASS32 && e32->e_type == ET_DYN &&
		 (e32->e_machine == EM_386 || e32->e_machine == EM_X86_64))
		end = e32->e_shoff + (u64)e32->e_shnum * e32->e_shentsize;
	else
		return 0;
	end = PAGE_ALIGN(end);
	/* A vDSO is a few pages; anything else is not one. */
	if (end == 0 || end > 8 * PAGE_SIZE || end > room)
		return 0;
	return end;
}

/* Every vDSO image inside rodata, the 64-bit one among them. */
static int find_vdsos(struct lvbs_layout *l)
{
	const struct vdso_image *img = current->mm ? current->mm->context.vdso_image : NULL;
	u64 want = img ? __pa(img->data) : 0;
	bool seen64 = false;
	u64 pa;

	l->nr_vdso = 0;
	for (pa = l->rodata.start; pa < l->rodata.end; pa += PAGE_SIZE) {
		u64 size = vdso_size_at(__va(pa), l->rodata.end - pa);

		if (!size)
			continue;
		if (l->nr_vdso == LVBS_MAX_VDSO)
			return -E2BIG;
		l->vdso[l->nr_vdso].start = pa;
		l->vdso[l->nr_vdso].end = pa + size;
		l->nr_vdso++;
		seen64 |= pa == want && size == img->size;
		pa += size - PAGE_SIZE;
	}
	if (!img || !seen64) {
		pr_err("layout: the 64-bit vDSO (%s) is not among the %u ELF images found in rodata\n",
		       img ? "from this process" : "no mm", l->nr_vdso);
		return -ENOENT;
	}
	return 0;
}

static bool inside(const struct lvbs_prange *in, u64 a, u64 b)
{
	return a >= in->start && b <= in->end && a < b;
}

int lvbs_find_layout(struct lvbs_layout *l)
{
	int r;

	memset(l, 0, sizeof(*l));
	r = find_resource("Kernel code", &l->text);
	if (!r)
		r = find_resource("Kernel rodata", &l->rodata);
	if (!r)
		r = find_resource("Kernel data", &l->data);
	if (!r)
		r = find_resource("Kernel bss", &l->bss);
	if (r) {
		pr_err("layout: the kernel image resources in /proc/iomem are missing or ambiguous (%d)\n", r);
		return r;
	}
	/* The order the x86-64 linker script gives, with no overlap. */
	if (!(l->text.end <= l->rodata.start && l->rodata.end <= l->data.start &&
	      l->data.end <= l->bss.start)) {
		pr_err("layout: kernel image sections out of order\n");
		return -EINVAL;
	}
	/* Our own code must be where the resource says kernel text is: a cross-check. */
	if (!inside(&l->text, __pa_symbol(&schedule), __pa_symbol(&schedule) + 1)) {
		pr_err("layout: schedule() is not inside \"Kernel code\"\n");
		return -EINVAL;
	}
	r = find_idt(&l->idt);
	if (r || !(inside(&l->bss, l->idt, l->idt + PAGE_SIZE) ||
		   inside(&l->data, l->idt, l->idt + PAGE_SIZE))) {
		pr_err("layout: the IDT page is not in the kernel's data or bss (%d)\n", r);
		return r ? r : -EINVAL;
	}
	return find_vdsos(l);
}
