// SPDX-License-Identifier: GPL-2.0
/*
 * Loads the embedded hypervisor image and late-launches it on every online
 * CPU at once, turning the running kernel into its guest. The contract with
 * the image is the "Loader contract" in include/lvbs/abi.h; the sequence is
 * described in docs/architecture.md.
 *
 * Only exported kernel interfaces are used (alloc_pages_exact,
 * walk_iomem_res_desc, vmalloc_to_pfn, stop_machine): no kernel symbol that
 * Debian's kernel does not export, no kernel patch.
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/ioport.h>
#include <linux/vmalloc.h>
#include <linux/stop_machine.h>
#include <linux/smp.h>
#include <linux/cpumask.h>
#include <linux/atomic.h>
#include <linux/cc_platform.h>
#include <linux/version.h>
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/irq_vectors.h>
#include <lvbs/abi.h>
#include "loader.h"
#include "hcall.h"
#include "hv_backend.h"

extern const u8 lvbs_hv_image[], lvbs_hv_image_end[];
extern const u8 lvbs_tramp_start[], lvbs_tramp_end[];
/* What comes back through tramp_exit, in RAX:RDX (kmod/tramp.S). */
struct lvbs_tramp_ret {
	long status;
	unsigned long nmi_owed;
};
struct lvbs_tramp_ret lvbs_tramp_enter(u64 cr3, u64 entry, u64 stack_top, u64 arg);
extern const u8 lvbs_tramp_exit[];

/*
 * The largest order one page allocation can have. MAX_ORDER counted one
 * past it up to 6.3; from 6.4 it is the largest order itself, and 6.8
 * renamed it MAX_PAGE_ORDER.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define LVBS_MAX_ORDER		MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define LVBS_MAX_ORDER		MAX_ORDER
#else
#define LVBS_MAX_ORDER		(MAX_ORDER - 1)
#endif

#define MSR_VM_CR_SVMDIS	BIT(4)
/* Top-level slot 256: reserved for a hypervisor in Linux's x86-64 memory map. */
#define HV_VIRT_4LEVEL		0xffff800000000000ULL
#define HV_VIRT_5LEVEL		0xff00000000000000ULL
#define HV_SLOT			256

struct launch_ctx {
	const struct lvbs_image_header *hdr;
	u64 hv_virt, bridge_cr3;
	unsigned int nr_cpus;
	int fail_cpu;
	int *index_of;			/* Linux CPU -> hypervisor CPU index */
	atomic_t arrived_prepare, arrived_launch;
	atomic_t prepare_failed, launch_failed;
	int failed_cpu;
	long hv_status;
	int prep_err;
	bool stuck;		/* a CPU could not leave: never free the region */
};

/* ---- the image ---- */

static const struct lvbs_image_header *check_image(void)
{
	const struct lvbs_image_header *h = (const void *)lvbs_hv_image;
	size_t blob = lvbs_hv_image_end - lvbs_hv_image;

	if (blob < sizeof(*h) || h->magic != LVBS_IMAGE_MAGIC ||
	    h->abi_version != LVBS_ABI_VERSION || h->header_size < sizeof(*h) ||
	    h->file_size > blob || h->mem_size < h->file_size ||
	    !PAGE_ALIGNED(h->mem_size) || h->entry_init >= h->text_end ||
	    h->entry_launch >= h->text_end || h->text_end > h->rodata_end ||
	    h->rodata_end > h->mem_size || !PAGE_ALIGNED(h->percpu_size) ||
	    h->percpu_stack_top > h->percpu_size || !PAGE_ALIGNED(h->fixed_size)) {
		pr_err("embedded hypervisor image is malformed or of another ABI version\n");
		return NULL;
	}
	return h;
}

/* ---- guest-physical memory, as the kernel knew it at launch ---- */

struct mem_walk {
	struct lvbs_boot_params *p;
	u64 limit;
	int err;
};

static int add_ram(struct resource *res, void *arg)
{
	struct mem_walk *w = arg;
	u64 start = PAGE_ALIGN(res->start), end = (res->end + 1) & PAGE_MASK;

	if (end <= start)
		return 0;
	if (w->p->nr_ram_ranges >= LVBS_MAX_RAM_RANGES) {
		w->err = -E2BIG;
		return 1;
	}
	w->p->ram[w->p->nr_ram_ranges].start = start;
	w->p->ram[w->p->nr_ram_ranges].end = end;
	w->p->nr_ram_ranges++;
	return 0;
}

static int max_end(struct resource *res, void *arg)
{
	struct mem_walk *w = arg;

	w->limit = max_t(u64, w->limit, (u64)res->end + 1);
	return 0;
}

static int describe_memory(struct lvbs_boot_params *p)
{
	struct mem_walk w = { .p = p };
	unsigned int phys_bits = boot_cpu_data.x86_phys_bits;

	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM, 0, -1, &w, add_ram);
	if (w.err) {
		pr_err("more than %d RAM ranges; not supported yet\n", LVBS_MAX_RAM_RANGES);
		return w.err;
	}
	/* Every memory resource (RAM, MMIO, PCI windows) below the limit. */
	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_MEM, 0, -1, &w, max_end);
	w.limit = max_t(u64, w.limit, SZ_4G);
	w.limit = ALIGN(w.limit, SZ_1G);
	if (phys_bits < 64 && w.limit > (1ULL << phys_bits))
		w.limit = 1ULL << phys_bits;
	p->guest_phys_limit = w.limit;
	return 0;
}

/* ---- the bridge: the kernel's page tables, plus the region at hv_virt ---- */

struct bootstrap {
	unsigned long pages[16];
	int nr;
	unsigned long pair;
};

static u64 *bs_alloc(struct bootstrap *bs)
{
	unsigned long p;

	if (bs->nr >= ARRAY_SIZE(bs->pages))
		return NULL;
	p = get_zeroed_page(GFP_KERNEL);
	if (p)
		bs->pages[bs->nr++] = p;
	return (u64 *)p;
}

static void bs_free(struct bootstrap *bs)
{
	while (bs->nr)
		free_page(bs->pages[--bs->nr]);
	if (bs->pair)
		free_pages(bs->pair, 1);
}

#define BS_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)
#define BS_LEAF		(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

/*
 * Map [hv_virt, hv_virt + size) to [phys, ...) with 4 KiB pages below a
 * copy of the current top-level table: the bridge address space, in which
 * both the kernel and the hypervisor are mapped. entry_init runs in it,
 * and every CPU crosses through it into the hypervisor's own tables and
 * back, so that an NMI always finds its handler mapped (abi.h, "Loader
 * contract"). Used only while the kernel is trusted, freed after the
 * launch.
 */
static u64 build_bootstrap(struct bootstrap *bs, u64 hv_virt, phys_addr_t phys,
			   size_t size, int levels)
{
	unsigned long pair = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	u64 *top = (u64 *)pair;
	u64 off;

	/*
	 * The top-level table is the first half of an 8 KiB pair, so bit 12
	 * of the CR3 value is clear: with page-table isolation the kernel's
	 * NMI entry takes that bit for "user page tables" and would rewrite
	 * CR3 if an NMI came in while the hypervisor initialises.
	 */
	if (!pair)
		return 0;
	bs->pair = pair;
	memcpy(top, __va(__read_cr3() & CR3_ADDR_MASK), PAGE_SIZE);
	top[HV_SLOT] = 0;
	for (off = 0; off < size; off += PAGE_SIZE) {
		u64 va = hv_virt + off, *t = top;
		int lvl;

		for (lvl = levels; lvl > 1; lvl--) {
			unsigned int idx = (va >> (12 + 9 * (lvl - 1))) & 511;

			if (!t[idx]) {
				u64 *n = bs_alloc(bs);

				if (!n)
					return 0;
				t[idx] = __pa(n) | BS_TABLE;
			}
			t = __va(t[idx] & PTE_PFN_MASK);
		}
		t[(va >> 12) & 511] = (phys + off) | BS_LEAF;
	}
	return __pa(top);
}

/* ---- the trampoline page ---- */

static int tramp_locate(struct lvbs_boot_params *p)
{
	unsigned long start = (unsigned long)lvbs_tramp_start;
	unsigned long end = (unsigned long)lvbs_tramp_end;

	if ((start & ~PAGE_MASK) || (start & PAGE_MASK) != (end & PAGE_MASK)) {
		pr_err("trampoline is not alone in one page (build problem)\n");
		return -EINVAL;
	}
	p->tramp_virt = start;
	p->tramp_phys = PFN_PHYS(vmalloc_to_pfn((void *)start));
	p->tramp_size = PAGE_SIZE;
	p->tramp_exit = (u64)lvbs_tramp_exit;
	return p->tramp_phys ? 0 : -EINVAL;
}

/*
 * Kernel execute control split by mode: AMD GMET or Intel MBEC, both
 * untested on hardware and absent from the emulators lvbs is tested on,
 * so off unless asked for. Either name asks for whichever the CPU has.
 */
static bool use_gmet;
module_param_named(gmet, use_gmet, bool, 0400);
MODULE_PARM_DESC(gmet, "use AMD GMET (or Intel MBEC) for kernel execute control if the CPU has it (untested on hardware; default: no, strict W^X)");
module_param_named(mbec, use_gmet, bool, 0400);
MODULE_PARM_DESC(mbec, "use Intel MBEC (or AMD GMET) for kernel execute control if the CPU has it (untested on hardware; default: no, strict W^X)");

/* After the launch: say whether the execute split asked for is in use. */
void lvbs_loader_report_exec_split(const struct lvbs_info *info)
{
	bool vmx = info->vendor == LVBS_VENDOR_VMX;
	u64 bit = vmx ? LVBS_FEAT_MBEC : LVBS_FEAT_GMET;

	if (!use_gmet)
		return;
	if (info->features_used & bit)
		pr_warn("kernel execute control uses %s, which has not run on hardware or on any emulator lvbs is tested on\n",
			vmx ? "MBEC" : "GMET");
	else
		pr_warn("%s asked for, but this CPU has none: kernel execute control is strict W^X (or exec=nx)\n",
			vmx ? "MBEC" : "GMET");
}

/*
 * CPUID: "hide" (the default) intercepts it, to hide SVM from the guest and
 * announce lvbs in the hypervisor leaves; "pass" leaves it to the guest
 * (SVM only): no CPUID exits, which are the one exit a fork/exec-heavy
 * workload pays in the steady state, but the guest then sees SVM (KVM
 * still cannot use it: EFER.SVME reads set, so it stops with -EBUSY) and
 * no hypervisor leaves, so tools that look for lvbs there do not find it.
 */
static char *cpuid_mode = "hide";
module_param_named(cpuid, cpuid_mode, charp, 0400);
MODULE_PARM_DESC(cpuid, "hide (intercept CPUID: hide SVM, announce lvbs; default) or pass (no CPUID exits; SVM only)");
static bool cpuid_pass;

int lvbs_loader_params(void)
{
	if (!strcmp(cpuid_mode, "hide")) {
		cpuid_pass = false;
	} else if (!strcmp(cpuid_mode, "pass")) {
		cpuid_pass = true;
	} else {
		pr_err("cpuid=%s: unknown; use hide or pass\n", cpuid_mode);
		return -EINVAL;
	}
	return 0;
}

/*
 * Test hook (like fail_cpu): at most this many of the one-per-2-MiB SLAT
 * tables for execute grants, so that tests can make the tables run out
 * (scenario slatfull). -1, the default: as many as fit. Only shrinks.
 */
static int slat_spare = -1;
module_param(slat_spare, int, 0400);
MODULE_PARM_DESC(slat_spare, "test hook: cap the SLAT tables kept for execute grants (default -1: as many as fit)");

/*
 * Test hook (scenario launchfail): each CPU sends itself an NMI inside
 * the hypervisor during the launch, where the bridge has the hypervisor's
 * IDT loaded; the kernel must see exactly one NMI per CPU ("NMI received
 * for unknown reason"), whether the launch succeeds or fails.
 */
static bool nmi_test;
module_param(nmi_test, bool, 0400);
MODULE_PARM_DESC(nmi_test, "test hook: each CPU sends itself an NMI inside the hypervisor during the launch");

/* ---- region sizing ---- */

static size_t region_size(const struct lvbs_image_header *h, unsigned int nr_cpus,
			  u64 limit)
{
	size_t base = h->mem_size + (size_t)nr_cpus * h->percpu_size + h->fixed_size;
	/*
	 * Page tables for each of the host tables and the SLAT: one table
	 * per 512 GiB, plus one directory per GiB where the CPU has no 1 GiB
	 * pages (the hypervisor uses them when CPUID says so, which the
	 * kernel's GBPAGES flag follows), a few for the top levels, the
	 * splits around the region and the trampoline, and one per 2 MiB of
	 * the region.
	 */
	size_t per_gib = boot_cpu_has(X86_FEATURE_GBPAGES) ? 0 : DIV_ROUND_UP(limit, SZ_1G);
	size_t pool = 2 * (8 + per_gib + DIV_ROUND_UP(limit, 512ULL * SZ_1G)) +
		      DIV_ROUND_UP(base, SZ_2M) + 24;
	size_t ram_pages = totalram_pages(), room;

	/*
	 * Splits for memory protection: each protected range needs at most
	 * a few tables at its ends, module pages one table per 2 MiB they
	 * touch. 256 pages, plus one per 16 MiB of RAM, at most 640 in all
	 * (the region is one allocation of at most 4 MiB); when they run
	 * out, a protection request fails cleanly (LVBS_E_TOOBIG) and
	 * lvbsctl shows slat_pool_free.
	 */
	pool += 256 + min_t(size_t, ram_pages >> (24 - PAGE_SHIFT), 384);
	/*
	 * Execute control grants rights per 4 KiB page (hv/core/slat.c):
	 * RAM is mapped with 2 MiB leaves at most (a directory per GiB), and
	 * a block whose pages differ needs a table of its own. One per 2 MiB
	 * of RAM (0.2%) never runs out; the region holds what fits of that,
	 * tables merge back when a block is uniform again, and past the end
	 * a grant changes the whole 2 MiB block (logged as slat_coarse).
	 */
	pool += DIV_ROUND_UP((u64)ram_pages << PAGE_SHIFT, SZ_1G);
	room = ((PAGE_SIZE << LVBS_MAX_ORDER) - PAGE_ALIGN(base)) / PAGE_SIZE;
	if (room > pool) {
		size_t spare = min_t(size_t, ram_pages >> (21 - PAGE_SHIFT), room - pool);

		if (slat_spare >= 0)
			spare = min_t(size_t, spare, slat_spare);
		pool += spare;
	}

	return PAGE_ALIGN(base) + pool * PAGE_SIZE;
}

/* ---- launch on all CPUs ---- */

static void wait_all(atomic_t *a, unsigned int n)
{
	while (atomic_read(a) < n)
		cpu_relax();
}

/*
 * What differs between the vendors on the kernel's side of the launch:
 * switching the CPU's virtualisation on and off around it, and keeping
 * interrupts and NMIs out while a CPU crosses into the hypervisor.
 */
static bool on_vmx;

static inline void svm_clgi(void) { asm volatile("clgi" ::: "memory"); }
static inline void svm_stgi(void) { asm volatile("stgi" ::: "memory"); }

/*
 * The hypervisor took an NMI that was this CPU's while it crossed (VMX has
 * no GIF): send ourselves a real one. The CPU delivers it through the
 * kernel's NMI gate with NMIs blocked, as any NMI; INT 2 would run the
 * handler with NMIs open, and a real NMI early in it would overwrite its
 * frame on the IST stack. A lost NMI would matter beyond one perf sample:
 * a counter's NMI leaves its LVT entry masked until the handler runs, so
 * the NMI watchdog would stop on this CPU.
 */
static void give_back_nmi(unsigned long owed)
{
	if (owed)
		apic->send_IPI(smp_processor_id(), NMI_VECTOR);
}

/* Into the hypervisor through the trampoline, and back. */
static long tramp_call(u64 cr3, u64 entry, u64 stack_top, u64 arg)
{
	struct lvbs_tramp_ret r = lvbs_tramp_enter(cr3, entry, stack_top, arg);

	give_back_nmi(r.nmi_owed);
	return r.status;
}

/* Leave the hypervisor during a failed launch (LVBS_HC_LAUNCH_ABORT). */
static long abort_hcall(void)
{
	u64 rax = LVBS_HC(LVBS_HC_LAUNCH_ABORT);
	unsigned long owed;

	/*
	 * The hypervisor returns through tramp_exit: caller-saved registers
	 * are gone, RDX says whether an NMI is owed.
	 */
	asm volatile(LVBS_HCALL_INSN
		     : "+a"(rax), "=d"(owed)
		     : : "rcx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		       "memory", "cc");
	give_back_nmi(owed);
	return (long)rax;
}

struct cpu_prep {
	u64 efer;		/* SVM: EFER before the launch */
	bool enabled;		/* virtualisation switched on by us */
};

/* SVM: EFER.SVME on, unless KVM has it or firmware disabled SVM. */
static int svm_prepare_cpu(struct cpu_prep *pr)
{
	u64 vm_cr;

	rdmsrl(MSR_EFER, pr->efer);
	rdmsrl(MSR_VM_CR, vm_cr);
	if (pr->efer & EFER_SVME)
		return -EBUSY;
	if (vm_cr & MSR_VM_CR_SVMDIS)
		return -EPERM;
	wrmsrl(MSR_EFER, pr->efer | EFER_SVME);
	pr->enabled = true;
	return 0;
}

/*
 * VMX: VMXON needs CR4.VMXE and IA32_FEATURE_CONTROL locked with VMX
 * allowed outside SMX (check_vmx() locked it where firmware had not). CR4
 * goes through the kernel's own helper, so that its CR4 shadow
 * (cpu_tlbstate.cr4, which every later CR4 write starts from) agrees with
 * the CPU; VMXE is not among the bits Linux pins.
 */
static int vmx_prepare_cpu(struct cpu_prep *pr)
{
	u64 fc;

	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;
	rdmsrl(MSR_IA32_FEAT_CTL, fc);
	if ((fc & (FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) !=
	    (FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		return -EPERM;
	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	pr->enabled = true;
	return 0;
}

static int prepare_cpu(struct cpu_prep *pr)
{
	return on_vmx ? vmx_prepare_cpu(pr) : svm_prepare_cpu(pr);
}

/* Switch virtualisation off again on a CPU that is not a guest. */
static void undo_cpu(struct cpu_prep *pr)
{
	if (!pr->enabled)
		return;
	if (on_vmx) {
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
		/*
		 * A VM exit, and a VM entry that failed with an exit, leave TR's
		 * limit at 0x67 (SDM 28.5.2): the kernel reloads TR before a task
		 * with an I/O bitmap next needs it.
		 */
		invalidate_tss_limit();
		return;
	}
	/* Outside the hypervisor, GIF clear: set GIF before clearing SVME. */
	svm_stgi();
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	wrmsrl(MSR_EFER, pr->efer);
}

/*
 * Runs on every online CPU at the same time (stop_machine), interrupts off.
 * Two rounds with a barrier after each, so that either every CPU ends up a
 * guest or none does:
 *  1. prepare: virtualisation free on this CPU? then switch it on;
 *  2. launch: enter the hypervisor (after CLGI on SVM, so that no
 *     interrupt or NMI comes in between); if any CPU failed, those that got
 *     in leave again by LVBS_HC_LAUNCH_ABORT and all switch it back off.
 */
static int launch_on_cpu(void *data)
{
	struct launch_ctx *ctx = data;
	int cpu = smp_processor_id(), idx = ctx->index_of[cpu];
	const struct lvbs_image_header *h = ctx->hdr;
	struct cpu_prep pr = { 0 };
	u64 stack;
	long r = -1;
	int err;

	err = prepare_cpu(&pr);
	if (err) {
		ctx->prep_err = err;
		atomic_inc(&ctx->prepare_failed);
	}
	atomic_inc(&ctx->arrived_prepare);
	wait_all(&ctx->arrived_prepare, ctx->nr_cpus);
	if (atomic_read(&ctx->prepare_failed)) {
		undo_cpu(&pr);
		return 0;
	}

	stack = ctx->hv_virt + h->mem_size + (u64)idx * h->percpu_size +
		h->percpu_stack_top;
	if (!on_vmx)
		svm_clgi();
	r = tramp_call(ctx->bridge_cr3, ctx->hv_virt + h->entry_launch, stack, idx);
	if (r != LVBS_OK) {
		ctx->failed_cpu = cpu;
		ctx->hv_status = r;
		atomic_inc(&ctx->launch_failed);
	}
	atomic_inc(&ctx->arrived_launch);
	wait_all(&ctx->arrived_launch, ctx->nr_cpus);
	if (!atomic_read(&ctx->launch_failed))
		return 0;		/* this CPU is a guest now */

	if (r == LVBS_OK && abort_hcall() != LVBS_OK) {
		/* Cannot happen (abort is legal now); if it does, keep the memory. */
		ctx->stuck = true;
		return 0;
	}
	undo_cpu(&pr);
	return 0;
}

/*
 * Returns an errno; *hv_status is the hypervisor's own answer. The bridge
 * (bs, *cr3) stays for the launch; the caller frees it.
 */
static int call_init(const struct lvbs_image_header *h, u64 hv_virt,
		     phys_addr_t phys, size_t size, struct lvbs_boot_params *p,
		     struct bootstrap *bs, u64 *cr3, long *hv_status)
{
	int levels = (__read_cr4() & X86_CR4_LA57) ? 5 : 4;
	unsigned long flags;

	*cr3 = build_bootstrap(bs, hv_virt, phys, size, levels);
	if (!*cr3) {
		pr_err("cannot build the bridge page tables\n");
		return -ENOMEM;
	}
	local_irq_save(flags);
	*hv_status = tramp_call(*cr3, hv_virt + h->entry_init,
				hv_virt + h->mem_size + h->percpu_stack_top, (u64)p);
	local_irq_restore(flags);
	if (*hv_status != LVBS_OK) {
		pr_err("hypervisor initialisation failed (lvbs status %ld)\n", *hv_status);
		return lvbs_status_to_errno(*hv_status);
	}
	return 0;
}

static int fill_params(struct lvbs_boot_params *p, u64 hv_virt, phys_addr_t phys,
		       size_t size, unsigned int nr_cpus, int fail_cpu,
		       bool debug_serial)
{
	int r;

	p->size = sizeof(*p);
	p->abi_version = LVBS_ABI_VERSION;
	p->hv_virt = hv_virt;
	p->hv_phys = phys;
	p->hv_size = size;
	p->nr_cpus = nr_cpus;
	p->flags = (debug_serial ? LVBS_BOOT_DEBUG_SERIAL : 0) |
		   (use_gmet ? LVBS_BOOT_USE_GMET : 0) |
		   (cpuid_pass ? LVBS_BOOT_CPUID_PASS : 0) |
		   (nmi_test ? LVBS_BOOT_TEST_NMI : 0);
	p->fail_cpu = fail_cpu;
	r = describe_memory(p);
	if (r)
		return r;
	return tramp_locate(p);
}

static int launch_all(struct launch_ctx *ctx, struct lvbs_launch_result *res)
{
	int r = stop_machine(launch_on_cpu, ctx, cpu_online_mask);

	if (r)
		return r;
	if (atomic_read(&ctx->prepare_failed)) {
		if (ctx->prep_err == -EBUSY && on_vmx)
			pr_err("VMX is already in use on some CPU (CR4.VMXE set): is kvm_intel loaded?\n");
		else if (ctx->prep_err == -EBUSY)
			pr_err("SVM is already in use on some CPU (EFER.SVME set): is KVM running a VM?\n");
		else if (on_vmx)
			pr_err("VMX is disabled by firmware on some CPU (IA32_FEATURE_CONTROL locked without VMX)\n");
		else
			pr_err("SVM is disabled by firmware on some CPU (VM_CR.SVMDIS)\n");
		return ctx->prep_err;
	}
	if (atomic_read(&ctx->launch_failed)) {
		if (ctx->stuck) {
			pr_crit("a CPU could not leave the hypervisor after a failed launch; its memory is kept\n");
			return -EIO;
		}
		res->failed_cpu = ctx->failed_cpu;
		res->hv_status = ctx->hv_status;
		return -EIO;
	}
	return 0;
}

int lvbs_loader_launch(int fail_cpu, bool debug_serial, u64 nmi_mark_gpa,
		       struct lvbs_launch_result *res)
{
	const struct lvbs_image_header *h = check_image();
	struct lvbs_boot_params *p = NULL;
	struct launch_ctx *ctx = NULL;
	struct bootstrap bs = { .nr = 0 };
	unsigned int nr = num_online_cpus(), i = 0;
	int cpu, r = -ENOMEM;
	u64 hv_virt = (__read_cr4() & X86_CR4_LA57) ? HV_VIRT_5LEVEL : HV_VIRT_4LEVEL;
	size_t size;
	void *region = NULL;
	long hr;

	res->failed_cpu = -1;
	if (!h)
		return -ENOEXEC;
	if (nr > LVBS_MAX_CPUS) {
		pr_err("%u CPUs online; this build supports at most %d\n", nr, LVBS_MAX_CPUS);
		return -E2BIG;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!p || !ctx)
		goto out;
	ctx->index_of = kcalloc(nr_cpu_ids, sizeof(int), GFP_KERNEL);
	if (!ctx->index_of)
		goto out;
	r = fill_params(p, hv_virt, 0, 0, nr, -1, debug_serial);
	if (r)
		goto out;
	p->nmi_mark_gpa = nmi_mark_gpa;
	get_random_bytes(p->entropy, sizeof(p->entropy));
	size = region_size(h, nr, p->guest_phys_limit);
	if (size > (PAGE_SIZE << LVBS_MAX_ORDER)) {
		pr_err("hypervisor needs %zu KiB of contiguous memory, more than one allocation gives (%lu KiB)\n",
		       size >> 10, (PAGE_SIZE << LVBS_MAX_ORDER) >> 10);
		r = -E2BIG;
		goto out;
	}
	region = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
	if (!region) {
		pr_err("cannot allocate %zu KiB of contiguous memory for the hypervisor\n",
		       size >> 10);
		r = -ENOMEM;
		goto out;
	}
	memcpy(region, lvbs_hv_image, h->file_size);
	p->hv_phys = virt_to_phys(region);
	p->hv_size = size;
	for_each_online_cpu(cpu) {
		ctx->index_of[cpu] = i;
		if (cpu == fail_cpu)
			p->fail_cpu = i;
		i++;
	}

	r = call_init(h, hv_virt, p->hv_phys, size, p, &bs, &ctx->bridge_cr3, &hr);
	if (r)
		goto out;
	ctx->hdr = h;
	ctx->hv_virt = hv_virt;
	ctx->nr_cpus = nr;
	r = launch_all(ctx, res);
	if (ctx->stuck) {
		/* Still in use by a CPU, and so is the bridge: leak both. */
		region = NULL;
		bs.nr = 0;
		bs.pair = 0;
	}
	if (r)
		goto out;
	res->hv_phys = p->hv_phys;
	res->hv_size = size;
	res->nr_cpus = nr;
	region = NULL;		/* the hypervisor's now, for good */
out:
	/*
	 * No CPU can be inside the bridge now: every one came back through
	 * it (the launched ones are guests, and the hypervisor never crosses
	 * again after a launch that every CPU completed).
	 */
	bs_free(&bs);
	/* Only reached with region set if no CPU is inside the hypervisor. */
	if (region)
		free_pages_exact(region, size);
	if (ctx)
		kfree(ctx->index_of);
	kfree(ctx);
	kfree_sensitive(p);	/* the entropy must not outlive the launch */
	return r;
}

static bool cpu_is_amd(void)
{
	return boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	       boot_cpu_data.x86_vendor == X86_VENDOR_HYGON;
}

static bool cpu_is_intel(void)
{
	return boot_cpu_data.x86_vendor == X86_VENDOR_INTEL;
}

static int check_svm(void)
{
	u64 vm_cr, efer;

	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & MSR_VM_CR_SVMDIS) {
		pr_err("refusing to load: SVM is disabled by firmware (VM_CR.SVMDIS); enable SVM/virtualization in the firmware setup\n");
		return -EPERM;
	}
	if (cpuid_eax(0x80000000) < 0x8000000a || !(cpuid_edx(0x8000000a) & BIT(0))) {
		pr_err("refusing to load: the CPU has SVM but no nested paging (NPT), which every lvbs protection needs\n");
		return -ENODEV;
	}
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err("refusing to load: SVM is already in use (EFER.SVME set): is KVM running a VM?\n");
		return -EBUSY;
	}
	return 0;
}

/*
 * The kernel's side of VMX; the hypervisor checks the VMX capability MSRs
 * itself (EPT, the controls it needs) and refuses with its own status.
 */
/*
 * An unlocked IA32_FEATURE_CONTROL is locked with VMX allowed outside
 * SMX, which is what Linux does itself at boot when KVM is configured (as
 * in Debian's kernels); it stays locked until the next reset. Before the
 * hypervisor's initialisation, which checks it.
 */
static void vmx_lock_feature_control(void *unused)
{
	u64 fc;

	rdmsrl(MSR_IA32_FEAT_CTL, fc);
	if (!(fc & FEAT_CTL_LOCKED))
		wrmsrl(MSR_IA32_FEAT_CTL, fc | FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX);
}

static int check_vmx(void)
{
	u64 fc;

	/* Linux clears the flag when firmware left VMX off (init_ia32_feat_ctl). */
	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_err("refusing to load: VMX is disabled by firmware; enable VT-x in the firmware setup\n");
		return -EPERM;
	}
	on_each_cpu(vmx_lock_feature_control, NULL, 1);
	rdmsrl(MSR_IA32_FEAT_CTL, fc);
	if (!(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("refusing to load: VMX is disabled by firmware (IA32_FEATURE_CONTROL locked without VMX); enable VT-x in the firmware setup\n");
		return -EPERM;
	}
	/*
	 * kvm_intel holds VMX while it has VMXON done: on 6.12 from its load
	 * on (kvm.enable_virt_at_load=1), on 6.1 while a VM runs.
	 */
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err("refusing to load: VMX is already in use (CR4.VMXE set): unload kvm_intel (modprobe -r kvm_intel kvm) or boot with kvm.enable_virt_at_load=0\n");
		return -EBUSY;
	}
	if (cpuid_pass) {
		pr_err("cpuid=pass: not possible on VMX, where CPUID always exits to the hypervisor\n");
		return -EINVAL;
	}
	return 0;
}

int lvbs_loader_check_cpu(void)
{
	unsigned int eax, ebx, ecx, edx;
	int r;

	cpuid(LVBS_CPUID_SIGNATURE, &eax, &ebx, &ecx, &edx);
	if (ebx == LVBS_CPUID_SIG_EBX && ecx == LVBS_CPUID_SIG_EBX) {
		pr_err("refusing to load: lvbs is already active on this machine\n");
		return -EEXIST;
	}
	if (cpu_is_amd() && (cpuid_ecx(0x80000001) & BIT(2))) {
		on_vmx = false;
		r = check_svm();
	} else if (cpu_is_intel() && (cpuid_ecx(1) & BIT(5))) {
		on_vmx = true;
		r = check_vmx();
	} else {
		pr_err("refusing to load: this CPU has neither AMD SVM nor Intel VMX\n");
		return -ENODEV;
	}
	if (r)
		return r;
	/*
	 * With SME/SEV or TDX the kernel's page tables carry an encryption
	 * bit; the hypervisor's tables and the SLAT do not set it yet, so it
	 * would read ciphertext. Refuse rather than misbehave.
	 */
	if (cc_platform_has(CC_ATTR_MEM_ENCRYPT)) {
		pr_err("refusing to load: memory encryption (SME/SEV/TDX) is active, which lvbs does not support yet\n");
		return -EOPNOTSUPP;
	}
	/*
	 * FRED (CR4 bit 32; Linux 6.9 and later built with CONFIG_X86_FRED,
	 * which Debian's kernels are not) delivers NMIs and exceptions without
	 * the IDT, to an entry point and stacks the hypervisor's address space
	 * does not map: the crossings (docs/architecture.md) rely on the IDT.
	 */
	if (__read_cr4() & BIT_ULL(32)) {
		pr_err("refusing to load: FRED event delivery is on (CR4.FRED), which lvbs does not support; boot with fred=off\n");
		return -EOPNOTSUPP;
	}
	return 0;
}
