// SPDX-License-Identifier: GPL-2.0
/*
 * Hypervisor bring-up: entry_init (copy and check the loader's parameters,
 * build the hypervisor's own page tables and the SLAT identity map) and
 * entry_launch (hand one CPU to the backend, which turns the running kernel
 * into a guest). Also the log helper and the panic path.
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "hv.h"
#include "serial.h"
#include "crypto.h"
#include "modfile.h"

struct hv hv;
u64 hv_tramp_exit;
/*
 * The loader's bridge address space (abi.h, "Loader contract"): the
 * kernel's and ours both mapped. Every crossing between the kernel and
 * the hypervisor goes through it; 0 once it may no longer be used.
 */
u64 hv_bridge_cr3;

/*
 * The hypervisor's GDT: null, unused, 64-bit code (HV_CS 0x10), data
 * (HV_DS 0x18), Linux's selectors (layout.h). No TSS. Accessed bits
 * preset: the CPU never writes this table.
 */
static u64 hv_gdt[4] __attribute__((aligned(16))) = {
	0,
	0,
	0x00af9b000000ffffULL,	/* HV_CS: present, DPL 0, code, L = 1 */
	0x00cf93000000ffffULL,	/* HV_DS: present, DPL 0, data, writable */
};

struct idt_gate {
	u16 off_lo, sel;
	u8 ist, type;
	u16 off_mid;
	u32 off_hi, zero;
};
static struct idt_gate hv_idt[32] __attribute__((aligned(16)));
extern char hv_exc_stub_base[];
extern char __text_end[], __rodata_end[], __image_end[];

void hv_log_event(struct hv_cpu *c, u32 kind, u32 access, u32 action,
		  u64 gpa, u64 info0, u64 info1)
{
	hv_log_mem(c, kind, access, action, gpa, 0, info0, info1);
}

void hv_log_mem(struct hv_cpu *c, u32 kind, u32 access, u32 action,
		u64 gpa, u64 gva, u64 info0, u64 info1)
{
	struct lvbs_log_entry e = {
		.tsc = rdtsc(),
		.kind = (u16)kind,
		.cpu = c ? (u16)c->index : 0xffff,
		.access = (u8)access,
		.action = (u8)action,
		.count = 1,
		.rip = (c && c->state >= CPU_LAUNCHING) ? arch_rip(c) : 0,
		.gpa = gpa,
		.gva = gva,
		.info0 = info0,
		.info1 = info1,
	};

	hv_log_add_limited(&hv.log, &e);
}

static void print_log_tail(void)
{
	struct lvbs_log_entry e;
	u64 from = hv.log.next_seq > 16 ? hv.log.next_seq - 16 : 1;
	u64 next, lost;

	while (hv_log_read(&hv.log, from, &e, 1, &next, &lost) == 1) {
		serial_puts("lvbs-hv: log seq=");
		serial_put_hex(e.seq);
		serial_puts(" cpu=");
		serial_put_hex(e.cpu);
		serial_puts(" kind=");
		serial_puts(hv_event_name(e.kind));
		serial_puts(" rip=");
		serial_put_hex(e.rip);
		serial_puts(" gpa=");
		serial_put_hex(e.gpa);
		serial_puts(" info0=");
		serial_put_hex(e.info0);
		serial_puts("\n");
		from = next;
	}
}

/*
 * Something the hypervisor cannot recover from. Say so on the serial port
 * (tests look for the LVBS-HV-PANIC marker), then stop this CPU. Other CPUs
 * keep running the guest until they exit to us.
 */
void hv_panic(struct hv_cpu *c, const char *why, u64 a, u64 b)
{
	/* Shootdowns stop waiting for this CPU (slat.c). */
	if (c)
		__atomic_store_n(&c->halted, 1, __ATOMIC_SEQ_CST);
	hv_report(c, why, a, b);
	halt_forever();
}

/* Print an event and the tail of the log on COM1, if the loader allowed it. */
void hv_report(struct hv_cpu *c, const char *why, u64 a, u64 b)
{
	if (hv.params.flags & LVBS_BOOT_DEBUG_SERIAL) {
		serial_puts("\nLVBS-HV-PANIC: ");
		serial_puts(why);
		serial_puts(" cpu=");
		serial_put_hex(c ? c->index : 0xffff);
		serial_puts(" a=");
		serial_put_hex(a);
		serial_puts(" b=");
		serial_put_hex(b);
		serial_puts("\n");
		print_log_tail();
	}
}

/*
 * Reset the platform the ways PC chipsets offer: the reset control
 * register at 0xcf9 (full reset), then the keyboard controller's pulse of
 * the reset line. If neither works, stop this CPU.
 */
void hv_platform_reset(void)
{
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	for (u32 i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		cpu_relax();
	outb(0x64, 0xfe);
	halt_forever();
}

struct exc_frame {
	u64 vector, error, rip, cs, rflags, rsp, ss;
};

extern const char hv_rdmsr_insn[], hv_rdmsr_fixup[], hv_wrmsr_insn[], hv_wrmsr_fixup[];

/*
 * From head.S's exception stubs. The one fault the hypervisor expects is
 * #GP on hv_rdmsr_safe()/hv_wrmsr_safe()'s instruction: it returns to
 * their fixup. Anything else is a bug, and panics.
 */
void hv_exception(struct exc_frame *f);
void hv_exception(struct exc_frame *f)
{
	if (f->vector == X86_VEC_GP && f->rip == (u64)hv_rdmsr_insn) {
		f->rip = (u64)hv_rdmsr_fixup;
		return;
	}
	if (f->vector == X86_VEC_GP && f->rip == (u64)hv_wrmsr_insn) {
		f->rip = (u64)hv_wrmsr_fixup;
		return;
	}
	hv_panic(NULL, "exception in hypervisor: vector/rip", f->vector, f->rip);
}

static void build_idt(void)
{
	for (u32 i = 0; i < ARRAY_SIZE(hv_idt); i++) {
		u64 h = (u64)hv_exc_stub_base + 16 * i;

		hv_idt[i] = (struct idt_gate){
			.off_lo = (u16)h,
			.sel = HV_CS,
			.type = 0x8e,	/* present, DPL 0, 64-bit interrupt gate */
			.off_mid = (u16)(h >> 16),
			.off_hi = (u32)(h >> 32),
		};
	}
}

/*
 * Are we a guest of a hypervisor with Hyper-V's interface? Our own CPUID
 * reaches the outer hypervisor (we never see our own leaves). vcpu.c lets
 * the kernel write those of its MSRs that place no page.
 */
static bool outer_hyperv(void)
{
	u32 a, b, c, d;

	cpuid_count(1, 0, &a, &b, &c, &d);
	if (!(c & BIT(31)))
		return false;
	cpuid_count(0x40000000u, 0, &a, &b, &c, &d);
	return a >= 0x40000005u && b == 0x7263694du && c == 0x666f736fu &&
	       d == 0x76482074u;	/* "Microsoft Hv" */
}

/*
 * Load our IDT and GDT and reload the segment registers that use them.
 * The IDT first: the kernel's NMI entry reads its own GDT (LSL of the
 * per-CPU segment, with FSGSBASE), so the kernel's IDT must never be live
 * with our GDT; our handler needs nothing from either GDT but CS.
 */
static void load_hv_descriptors(void)
{
	struct dtr gdtr = { sizeof(hv_gdt) - 1, (u64)hv_gdt };
	struct dtr idtr = { sizeof(hv_idt) - 1, (u64)hv_idt };

	__asm__ __volatile__(
		"lidt %1\n\t"
		"lgdt %0\n\t"
		"pushq %2\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %w3, %%ax\n\t"
		"movw %%ax, %%ss\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		:: "m"(gdtr), "m"(idtr), "i"((u64)HV_CS), "i"(HV_DS)
		: "rax", "memory");
}

/* Permissions of the image inside our own address space: W^X. */
static int map_region(void)
{
	u64 text = (u64)__text_end - hv.hv_virt;
	u64 ro = (u64)__rodata_end - hv.hv_virt;
	u64 img = (u64)__image_end - hv.hv_virt;
	u64 v = hv.hv_virt, p = hv.hv_phys;
	int r = 0;

	r |= pt_map(&hv.host_pt, v, p, text, PT_R | PT_XS);
	r |= pt_map(&hv.host_pt, v + text, p + text, ro - text, PT_R);
	r |= pt_map(&hv.host_pt, v + ro, p + ro, hv.hv_size - ro, PT_R | PT_W);
	if (r)
		return LVBS_E_INVAL;
	/* Stack guard pages of every CPU: absent. */
	for (u32 i = 0; i < hv.nr_cpus; i++) {
		u64 off = img + (u64)i * HV_PERCPU_SIZE + HV_PERCPU_GUARD;

		if (pt_map(&hv.host_pt, v + off, p + off, PAGE_SIZE, 0))
			return LVBS_E_INVAL;
	}
	/*
	 * Nothing of the kernel's: the crossings go through the loader's
	 * bridge (abi.h), so no kernel code is executable in our tables.
	 */
	return LVBS_OK;
}

static int build_page_tables(void)
{
	bool gb = hv.caps.present & LVBS_FEAT_1G_PAGES, gmet;
	u64 limit = hv.mem.phys_limit;

	pt_fmt_make_x86_host(&hv.host_fmt, gb);
	if (read_cr4() & X86_CR4_LA57)
		hv.host_fmt.levels = 5;
	/* The execute split only when asked for: untested on hardware (docs). */
	gmet = arch_slat_fmt(&hv.slat_fmt, gb, hv.params.flags & LVBS_BOOT_USE_GMET);
	if (pt_init(&hv.host_pt, &hv.host_fmt, &hv.pool) ||
	    pt_init(&hv.slat, &hv.slat_fmt, &hv.pool))
		return LVBS_E_INVAL;

	/* Our view of guest memory: identity, never executable. */
	if (pt_map(&hv.host_pt, 0, 0, limit, PT_R | PT_W))
		return LVBS_E_INVAL;
	if (map_region() != LVBS_OK || apic_init() != LVBS_OK)
		return LVBS_E_INVAL;

	/*
	 * The guest's view, from the permission database: everything below
	 * the limit, RAM and MMIO holes alike, except the hypervisor's own
	 * region, which is absent so that no guest mapping can reach it.
	 */
	return slat_init(gmet);
}

static int check_params(const struct lvbs_boot_params *p)
{
	u64 need;

	if (p->size != sizeof(*p) || p->abi_version != LVBS_ABI_VERSION)
		return LVBS_E_INVAL;
	if (p->nr_cpus == 0 || p->nr_cpus > LVBS_MAX_CPUS)
		return LVBS_E_INVAL;
	if (!IS_ALIGNED(p->hv_phys, PAGE_SIZE) || !IS_ALIGNED(p->hv_size, PAGE_SIZE) ||
	    !IS_ALIGNED(p->tramp_phys, PAGE_SIZE) || !IS_ALIGNED(p->tramp_virt, PAGE_SIZE) ||
	    p->tramp_size == 0 || p->tramp_size > 4 * PAGE_SIZE ||
	    !IS_ALIGNED(p->tramp_size, PAGE_SIZE))
		return LVBS_E_ALIGN;
	/*
	 * Guest-physical memory is identity-mapped in the lower half of our
	 * address space, so the limit must stay below the canonical hole.
	 */
	if (p->guest_phys_limit == 0 ||
	    p->guest_phys_limit > (read_cr4() & X86_CR4_LA57 ? BIT(56) : BIT(47)))
		return LVBS_E_RANGE;
	/* We run at hv_virt already: the loader's value must be ours. */
	if (p->hv_virt != hv.hv_virt)
		return LVBS_E_INVAL;
	need = ((u64)__image_end - hv.hv_virt) + (u64)p->nr_cpus * HV_PERCPU_SIZE +
	       HV_FIXED_SIZE + 16 * PAGE_SIZE;
	if (p->hv_size < need)
		return LVBS_E_TOOBIG;
	if (!IS_ALIGNED(p->nmi_mark_gpa, PAGE_SIZE))
		return LVBS_E_ALIGN;
	if (p->flags & ~(u64)LVBS_BOOT_FLAGS)
		return LVBS_E_INVAL;
	return LVBS_OK;
}

static void carve_region(void)
{
	u64 img = (u64)__image_end - hv.hv_virt;
	u64 pool_off;

	hv.percpu_base = hv.hv_virt + img;
	hv.fixed_base = hv.percpu_base + (u64)hv.nr_cpus * HV_PERCPU_SIZE;
	pool_off = hv.fixed_base + HV_FIXED_SIZE - hv.hv_virt;
	hv.pool = (struct pt_pool){
		.virt_base = hv.hv_virt + pool_off,
		.phys_base = hv.hv_phys + pool_off,
		.nr_pages = (hv.hv_size - pool_off) >> PAGE_SHIFT,
	};
	hv_log_init(&hv.log, (struct lvbs_log_entry *)(hv.fixed_base + HV_FIXED_LOG),
		    HV_LOG_ENTRIES);
	for (u32 i = 0; i < hv.nr_cpus; i++) {
		struct hv_cpu *c = hv_cpu_of(i);
		u64 area = hv.percpu_base + (u64)i * HV_PERCPU_SIZE;

		c->index = i;
		c->vmcb = (void *)(area + HV_PERCPU_VMCB);
		c->vmcb_pa = hv_va_to_pa(c->vmcb);
		c->hsave_pa = hv_va_to_pa((void *)(area + HV_PERCPU_HSAVE));
	}
}

/* One RDRAND, retried as the vendors advise; false if it gives nothing. */
static bool rdrand64(u64 *v)
{
	for (u32 i = 0; i < 10; i++) {
		u8 ok;

		asm volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		if (ok)
			return true;
	}
	return false;
}

/*
 * The key that tags module file pages (modfile.h): SHA-256 of the
 * kernel's random bytes, RDRAND output if the CPU has the instruction
 * (CPUID.1:ECX[30]), and the TSC. Either source alone is enough; the
 * loader's copy is wiped by the loader, ours here.
 */
static void init_module_key(void)
{
	static const char domain[] = "lvbs module file tag key";
	u8 key[32];
	struct crypto_hash h;
	u32 a, b, c, d;
	u64 v;

	crypto_hash_init(&h, CRYPTO_SHA256);
	crypto_hash_update(&h, domain, sizeof(domain));
	crypto_hash_update(&h, hv.params.entropy, sizeof(hv.params.entropy));
	cpuid_count(1, 0, &a, &b, &c, &d);
	for (u32 i = 0; (c & BIT(30)) && i < 4; i++)
		if (rdrand64(&v))
			crypto_hash_update(&h, &v, sizeof(v));
	v = rdtsc();
	crypto_hash_update(&h, &v, sizeof(v));
	crypto_hash_final(&h, key);
	modfile_set_key(key, sizeof(key));
	memset(key, 0, sizeof(key));
	memset(&h, 0, sizeof(h));
	/* Keep the wipes of the stack: they are dead stores to the compiler. */
	asm volatile("" : : "r"(key), "r"(&h) : "memory");
	memset(hv.params.entropy, 0, sizeof(hv.params.entropy));
}

/*
 * entry_init: runs once, on the loader's bootstrap page tables, while the
 * kernel is still trusted. Everything it needs from the loader is copied
 * into hypervisor memory first and checked there.
 */
long hv_init_c(const struct lvbs_boot_params *up, struct kframe *f);
long hv_init_c(const struct lvbs_boot_params *up, struct kframe *f)
{
	extern char hv_header[];
	int r;

	(void)f;
	/*
	 * Every return goes back through tramp_exit: know it before anything
	 * can fail (the loader is trusted here; its value is checked below).
	 */
	hv_tramp_exit = up->tramp_exit;
	hv_bridge_cr3 = read_cr3();
	if (hv.initialized)
		return LVBS_E_PERM;
	if (hv_relocate())
		return LVBS_E_INVAL;
	hv.hv_virt = (u64)hv_header;
	memcpy(&hv.params, up, sizeof(hv.params));
	r = check_params(&hv.params);
	if (r)
		return r;
	hv.hv_phys = hv.params.hv_phys;
	hv.hv_size = hv.params.hv_size;
	hv.nr_cpus = hv.params.nr_cpus;
	init_module_key();
	r = memmap_init(&hv.mem, &hv.params);
	if (r)
		return r;
	/* The NMI marks must be guest RAM, never the hypervisor's. */
	if (hv.params.nmi_mark_gpa &&
	    memmap_check_buffer(&hv.mem, hv.params.nmi_mark_gpa,
				(u64)hv.nr_cpus * sizeof(u32), sizeof(u32)))
		return LVBS_E_RANGE;
	r = arch_probe(&hv.caps);
	if (r)
		return r;
	hv.outer_hyperv = outer_hyperv();
	/* The backend may have added bits it owns (VMX: VMXE, set by lvbs.ko later). */
	hv.caps.cr4_valid |= crpin_cr4_valid(read_cr4());
	/* VMX always exits on CPUID: there the request cannot be honoured. */
	hv.cpuid_intercept = !(hv.params.flags & LVBS_BOOT_CPUID_PASS) || !hv.caps.cpuid_optional;
	carve_region();
	r = build_page_tables();
	if (r)
		return r;
	r = arch_init();
	if (r)
		return r;
	build_idt();
	hv.initialized = 1;
	return LVBS_OK;
}

/*
 * Test hook (lvbs.ko nmi_test=1): an NMI to this CPU while it crosses with
 * our IDT loaded, where an NMI had no handler before the bridge existed.
 * The APIC is mapped only in our own tables (an xAPIC's registers are
 * MMIO), so the NMI is sent from there and the CPU goes straight back to
 * the bridge: it is taken in either. VMX takes it here (arch_nmi_root) and
 * the guest gets it at launch, or the kernel on the way back if the
 * launch fails; SVM holds it (GIF clear) until VMRUN or the loader's STGI.
 * Either way the kernel sees exactly one NMI (scenario launchfail).
 */
static void test_nmi_in_bridge(struct hv_cpu *c)
{
	u64 end;

	write_cr3(hv.host_pt.root_pa);
	arch_send_nmi(read_apic_id());
	write_cr3(hv_bridge_cr3);
	end = rdtsc() + (1ull << 24);
	while (!__atomic_load_n(&c->nmi_root, __ATOMIC_SEQ_CST) && rdtsc() < end)
		cpu_relax();
}

/*
 * entry_launch: on each CPU at once. Returns only if this CPU could not be
 * virtualized; on success the backend's VMRUN resumes the kernel at the
 * return address with RAX = 0 and this stack is the hypervisor's from now on.
 */
long hv_launch_c(u64 index, struct kframe *f);
long hv_launch_c(u64 index, struct kframe *f)
{
	struct hv_cpu *c;
	int r;

	if (!hv.initialized || index >= hv.nr_cpus)
		return LVBS_E_INVAL;
	c = hv_cpu_of((u32)index);
	if (c->state != CPU_OFF)
		return LVBS_E_PERM;
	c->kframe = f;
	c->pending_fail = hv.params.fail_cpu == (s64)index;
	/*
	 * The way back (hv_return_to_kernel) needs the bridge we came by;
	 * counted as a failure, so that the CPUs that got in can abort.
	 */
	if (read_cr3() != hv_bridge_cr3)
		hv_launch_failed(c, LVBS_E_INVAL, 0);
	/*
	 * Still in the bridge, where both the kernel's tables and ours are
	 * mapped: an NMI is the kernel's until our IDT is in, ours after
	 * (VMX records it for the guest), and neither table is missing when
	 * CR3 changes below.
	 */
	load_hv_descriptors();
	if (hv.params.flags & LVBS_BOOT_TEST_NMI)
		test_nmi_in_bridge(c);
	write_cr3(hv.host_pt.root_pa);
	r = arch_launch(c, f);
	/* arch_launch comes back only if it failed before VMRUN. */
	hv_launch_failed(c, r, 0);
}

/* The guest's GPRs at launch: the caller's callee-saved ones, RAX = LVBS_OK. */
void hv_regs_from_kframe(struct hv_cpu *c, const struct kframe *f)
{
	memset(c->regs, 0, sizeof(c->regs));
	c->regs[REG_RBX] = f->rbx;
	c->regs[REG_RBP] = f->rbp;
	c->regs[REG_R12] = f->r12;
	c->regs[REG_R13] = f->r13;
	c->regs[REG_R14] = f->r14;
	c->regs[REG_R15] = f->r15;
}

/*
 * Back to the kernel where the guest is (an abort): RSP and the
 * callee-saved GPRs from c->regs; the backend fills in the rest.
 */
void hv_kframe_from_regs(struct kframe *f, const struct hv_cpu *c)
{
	f->rsp = c->regs[REG_RSP];
	f->rbx = c->regs[REG_RBX];
	f->rbp = c->regs[REG_RBP];
	f->r12 = c->regs[REG_R12];
	f->r13 = c->regs[REG_R13];
	f->r14 = c->regs[REG_R14];
	f->r15 = c->regs[REG_R15];
}

/* hv_return_to_kernel without a bridge to go through: cannot happen. */
__attribute__((noreturn)) void hv_no_bridge(void);
__attribute__((noreturn)) void hv_no_bridge(void)
{
	hv_panic(NULL, "return to the kernel after the launch: no bridge", 0, 0);
}

/*
 * The first exit of a CPU whose first VM entry worked: it runs as a guest.
 * Once every CPU does, none can fail any more, LVBS_HC_LAUNCH_ABORT is
 * never legal again, and nothing crosses back to the kernel: forget the
 * bridge, whose pages the loader frees now and the kernel may reuse
 * (hv_return_to_kernel panics rather than load a CR3 the kernel owns).
 */
void hv_cpu_entered(struct hv_cpu *c)
{
	c->state = CPU_RUNNING;
	if (__atomic_add_fetch(&hv.cpus_entered, 1, __ATOMIC_SEQ_CST) == hv.nr_cpus)
		__atomic_store_n(&hv_bridge_cr3, 0, __ATOMIC_SEQ_CST);
}

/*
 * This CPU stays outside the hypervisor: record it (which also makes
 * LVBS_HC_LAUNCH_ABORT legal for the CPUs that did get in) and return to
 * the kernel from entry_launch with the error.
 */
void hv_launch_failed(struct hv_cpu *c, long status, u64 detail)
{
	c->state = CPU_FAILED;
	__atomic_fetch_add(&hv.cpus_failed, 1, __ATOMIC_SEQ_CST);
	hv_log_event(c, LVBS_EV_LAUNCH_FAIL, 0, LVBS_ACT_NONE, 0, (u64)status, detail);
	hv_return_to_kernel(c->kframe, status);
}
