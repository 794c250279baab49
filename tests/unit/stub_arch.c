// SPDX-License-Identifier: GPL-2.0
/*
 * A fake backend for host tests of the vendor-neutral exit handling: the
 * arch_* calls of hv/core/hv.h over a plain struct per CPU, fake MSRs, and
 * a fake guest whose "physical" memory is a host buffer (gpa_ptr() is the
 * identity, so a host address is a valid GPA once memmap knows the buffer).
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <hv/types.h>
#include <hv/x86.h>
#include "core/hv.h"
#include "core/textpatch.h"
#include "core/keys.h"
#include "core/modcheck.h"
#include "core/modcmp.h"
#include "core/exports.h"
#include "core/modfile.h"
#include "stub_arch.h"

struct hv hv;
struct fake_cpu fake[FAKE_CPUS];
struct fake_guest guest;
u64 fake_msr[4][2];	/* {msr, value} */
jmp_buf *stub_abort_jmp;

static struct fake_cpu *F(struct hv_cpu *c) { return &fake[c->index]; }

u64 rdmsr(u32 msr)
{
	for (int i = 0; i < 4; i++)
		if (fake_msr[i][0] == msr)
			return fake_msr[i][1];
	return 0;
}

/* The fake CPU has the MSRs in fake_msr; any other faults (#GP). */
int hv_rdmsr_safe(u32 msr, u64 *val)
{
	for (int i = 0; i < 4; i++)
		if (fake_msr[i][0] == msr) {
			*val = fake_msr[i][1];
			return 0;
		}
	return -1;
}

int hv_wrmsr_safe(u32 msr, u64 val)
{
	for (int i = 0; i < 4; i++)
		if (fake_msr[i][0] == msr) {
			fake_msr[i][1] = val;
			return 0;
		}
	return -1;
}

u32 fake_wbinvd_calls;

void wbinvd(void)
{
	fake_wbinvd_calls++;
}

u64 fake_xcr0;
u32 fake_xsetbv_calls;

void xsetbv(u32 idx, u64 v)
{
	(void)idx;
	fake_xcr0 = v;
	fake_xsetbv_calls++;
}

void wrmsr(u32 msr, u64 v)
{
	for (int i = 0; i < 4; i++)
		if (fake_msr[i][0] == msr || fake_msr[i][0] == 0) {
			fake_msr[i][0] = msr;
			fake_msr[i][1] = v;
			return;
		}
}

u64 arch_rip(struct hv_cpu *c) { return F(c)->rip; }
void arch_set_rip(struct hv_cpu *c, u64 rip) { F(c)->rip = rip; }
u32 arch_cpl(struct hv_cpu *c) { return F(c)->cpl; }
/* EFER per fake CPU; the rest in the shared fake MSRs, as SVM leaves them in the CPU. */
u64 arch_guest_msr(struct hv_cpu *c, u32 msr)
{
	return msr == MSR_EFER ? F(c)->efer : rdmsr(msr);
}

void arch_set_guest_msr(struct hv_cpu *c, u32 msr, u64 v)
{
	if (msr != MSR_EFER) {
		wrmsr(msr, v);
		return;
	}
	F(c)->efer = v;
	F(c)->efer_writes++;
}
u64 arch_read_cr(struct hv_cpu *c, u32 cr) { return cr ? F(c)->cr4 : F(c)->cr0; }

void arch_guest_ctl(struct hv_cpu *c, struct guest_ctl *g)
{
	g->cr0 = F(c)->cr0;
	g->cr3 = F(c)->cr3;
	g->cr4 = F(c)->cr4;
	g->efer = F(c)->efer;
	g->rflags = F(c)->rflags;
	g->cs_long = !F(c)->compat;
	g->cs_db = !F(c)->code16;
}

bool arch_next_rip(struct hv_cpu *c, u64 *next)
{
	*next = F(c)->next_rip;
	return F(c)->has_nrip;
}

void arch_inject(struct hv_cpu *c, u8 vector, bool has_err, u32 err)
{
	F(c)->inj_vec = vector;
	F(c)->inj_has_err = has_err;
	F(c)->inj_err = err;
	F(c)->injected++;
}

void arch_inject_db_step(struct hv_cpu *c)
{
	F(c)->dr6_bs = 1;
	arch_inject(c, X86_VEC_DB, false, 0);
}

void arch_inject_pf(struct hv_cpu *c, u64 addr, u32 err)
{
	F(c)->cr2 = addr;
	arch_inject(c, X86_VEC_PF, true, err);
}

u16 arch_read_sel(struct hv_cpu *c, u32 which)
{
	return which == X86_SEL_LDTR ? F(c)->ldtr_sel : F(c)->tr_sel;
}

u64 arch_seg_base(struct hv_cpu *c, u32 seg)
{
	return seg < 6 ? F(c)->seg_base[seg] : 0;
}

int arch_load_ldtr(struct hv_cpu *c, u16 sel)
{
	if ((sel & ~3u) && sel != F(c)->ldt_ok_sel)
		return -1;
	F(c)->ldtr_sel = sel;
	return 0;
}

void arch_write_cr(struct hv_cpu *c, u32 cr, u64 v, bool flush_tlb)
{
	if (cr)
		F(c)->cr4 = v;
	else
		F(c)->cr0 = v;
	F(c)->flushes += flush_tlb;
}

void arch_intercept_cr_write(struct hv_cpu *c, u32 cr) { F(c)->cr_intercepts |= 1u << cr; }
int arch_intercept_dt_writes(struct hv_cpu *c)
{
	if (F(c)->dt_no_intercept)
		return LVBS_E_NOSYS;
	F(c)->dt_intercepts = 1;
	return LVBS_OK;
}

void arch_read_dt(struct hv_cpu *c, u32 which, u64 *base, u16 *limit)
{
	*base = F(c)->dt_base[which];
	*limit = F(c)->dt_limit[which];
}

void arch_write_dt(struct hv_cpu *c, u32 which, u64 base, u16 limit)
{
	F(c)->dt_base[which] = base;
	F(c)->dt_limit[which] = limit;
	F(c)->dt_writes++;
	F(c)->dt_written = which;
}

/* Records the abort; a test that armed stub_abort_jmp gets control back. */
void arch_abort(struct hv_cpu *c)
{
	F(c)->aborted = 1;
	if (stub_abort_jmp)
		longjmp(*stub_abort_jmp, 1);
	abort();
}
int arch_probe(struct hv_caps *caps) { (void)caps; return LVBS_OK; }
int arch_init(void) { return LVBS_OK; }
int arch_launch(struct hv_cpu *c, struct kframe *f) { (void)c; (void)f; return LVBS_E_NOSYS; }

void hv_log_event(struct hv_cpu *c, u32 kind, u32 access, u32 action,
		  u64 gpa, u64 info0, u64 info1)
{
	hv_log_mem(c, kind, access, action, gpa, 0, info0, info1);
}

void hv_log_mem(struct hv_cpu *c, u32 kind, u32 access, u32 action,
		u64 gpa, u64 gva, u64 info0, u64 info1)
{
	struct lvbs_log_entry e = {
		.kind = (u16)kind, .cpu = c ? (u16)c->index : 0xffff,
		.access = (u8)access, .action = (u8)action, .count = 1,
		.rip = c ? arch_rip(c) : 0, .gpa = gpa, .gva = gva, .info0 = info0,
		.info1 = info1,
	};

	hv_log_add(&hv.log, &e);
}

void arch_flush_guest_tlb(struct hv_cpu *c) { F(c)->tlb_flushes++; }
void arch_inject_nmi(struct hv_cpu *c) { F(c)->nmis_injected++; }

/* The kicked CPU takes its NMI exit at once, as if it ran in guest mode. */
void arch_send_nmi(u32 apic_id)
{
	for (u32 i = 0; i < FAKE_CPUS; i++) {
		if (hv_cpu_of(i)->apic_id != apic_id)
			continue;
		fake[i].nmis_sent++;
		if (!fake[i].deaf)
			slat_nmi_exit(hv_cpu_of(i));
	}
}

void hv_panic(struct hv_cpu *c, const char *why, u64 a, u64 b)
{
	(void)c; (void)why; (void)a; (void)b;
	abort();
}

void hv_report(struct hv_cpu *c, const char *why, u64 a, u64 b)
{
	(void)c; (void)why; (void)a; (void)b;
}

void hv_platform_reset(void) { abort(); }
void hv_return_to_kernel(struct kframe *f, long status) { (void)f; (void)status; abort(); }
void hv_launch_failed(struct hv_cpu *c, long status, u64 detail)
{
	(void)c; (void)status; (void)detail;
	abort();
}

/* Newest log entry, or NULL. */
long stub_hypercall(u32 cpu, u64 rip, u64 nr, u64 a1, u64 a2, u64 a3)
{
	struct hv_cpu *c = hv_cpu_of(cpu);

	fake[cpu].rip = rip;
	fake[cpu].next_rip = rip + 3;
	fake[cpu].has_nrip = true;
	c->regs[REG_RAX] = nr;
	c->regs[REG_RBX] = a1;
	c->regs[REG_RCX] = a2;
	c->regs[REG_RDX] = a3;
	vcpu_handle_hypercall(c);
	return (long)c->regs[REG_RAX];
}

const struct lvbs_log_entry *last_event(void)
{
	u64 n = hv.log.next_seq;

	return n > 1 ? &hv.log.ring[(n - 1) & (hv.log.capacity - 1)] : NULL;
}

static u64 *pt_page(void)
{
	u64 *p = (u64 *)(guest.ram + guest.next_free);

	guest.next_free += PAGE_SIZE;
	memset(p, 0, PAGE_SIZE);
	return p;
}

/* Map one 4 KiB guest page gva -> gpa in the fake guest's 4-level tables. */
void guest_map_flags(u64 gva, u64 gpa, u64 flags)
{
	u64 *t = (u64 *)guest.cr3;

	for (int lvl = 4; lvl > 1; lvl--) {
		u32 i = (gva >> (12 + 9 * (lvl - 1))) & 511;
		u64 next = t[i] & 0x000ffffffffff000ULL;

		/*
		 * A test or the fuzzer may have written a bogus entry for the
		 * hypervisor to walk: a table pointer outside RAM, or into the
		 * region that plays the hypervisor's, is replaced by a fresh
		 * table rather than followed (that would crash the harness or
		 * scribble over the region).
		 */
		if (!t[i] || next < (u64)guest.ram ||
		    next >= (u64)guest.ram + GUEST_RAM - HV_REGION)
			t[i] = (u64)pt_page() | 0x3;
		t[i] |= flags & 0x4;
		t = (u64 *)(t[i] & 0x000ffffffffff000ULL);
	}
	t[(gva >> 12) & 511] = gpa | flags;
}

void guest_map(u64 gva, u64 gpa)
{
	guest_map_flags(gva, gpa, 0x3);
}

u64 *guest_pte(u64 gva)
{
	u64 *t = (u64 *)guest.cr3;

	for (int lvl = 4; lvl > 1; lvl--) {
		u64 e = t[(gva >> (12 + 9 * (lvl - 1))) & 511];

		if (!(e & 1))
			return NULL;
		t = (u64 *)(e & 0x000ffffffffff000ULL);
	}
	return &t[(gva >> 12) & 511];
}

/*
 * Fresh hypervisor state: 2 CPUs, 4 MiB of fake guest RAM (its last 64 KiB
 * play the hypervisor's region), empty log, no pins, CPUs in long mode.
 */
void stub_reset(void)
{
	if (!guest.ram)
		guest.ram = aligned_alloc(1 << 21, GUEST_RAM);
	memset(guest.ram, 0, GUEST_RAM);
	stub_reset_state();
}

/*
 * The same over guest RAM the caller has already zeroed (and allocated):
 * the fuzzer drops its RAM pages with madvise() instead, which costs only
 * the pages an input touched rather than 4 MiB of memset per input.
 */
void stub_reset_state(void)
{
	static struct lvbs_log_entry ring[64];
	struct lvbs_boot_params p;

	if (!guest.ram)
		abort();
	if (!guest.percpu)
		guest.percpu = aligned_alloc(PAGE_SIZE, FAKE_CPUS * HV_PERCPU_SIZE);
	memset(guest.percpu, 0, FAKE_CPUS * HV_PERCPU_SIZE);
	memset(&hv, 0, sizeof(hv));
	memset(fake, 0, sizeof(fake));
	memset(fake_msr, 0, sizeof(fake_msr));
	stub_abort_jmp = NULL;
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.abi_version = LVBS_ABI_VERSION;
	p.hv_phys = (u64)guest.ram + GUEST_RAM - HV_REGION;
	p.hv_size = HV_REGION;
	p.guest_phys_limit = guest.phys_limit ? guest.phys_limit : 1ULL << 47;
	p.nr_ram_ranges = 1;
	p.ram[0].start = (u64)guest.ram;
	p.ram[0].end = (u64)guest.ram + GUEST_RAM;
	if (memmap_init(&hv.mem, &p))
		abort();
	hv_log_init(&hv.log, ring, 64);
	hv.nr_cpus = FAKE_CPUS;
	hv.percpu_base = (u64)guest.percpu;
	hv.hv_phys = p.hv_phys;
	hv.hv_size = p.hv_size;
	hv.caps.vendor = LVBS_VENDOR_SVM;
	hv.caps.efer_valid = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME;
	hv.caps.cr4_valid = 0x3706f8;	/* what the QEMU EPYC guest runs with, and PCIDE */
	if (!guest.pool)
		guest.pool = aligned_alloc(PAGE_SIZE, STUB_POOL_PAGES * PAGE_SIZE);
	hv.pool = (struct pt_pool){
		.virt_base = (u64)guest.pool, .phys_base = (u64)guest.pool,
		.nr_pages = STUB_POOL_PAGES,
	};
	pt_fmt_make_npt(&hv.slat_fmt, true);
	if (pt_init(&hv.slat, &hv.slat_fmt, &hv.pool) || slat_init(false))
		abort();
	textpatch_reset();
	keys_reset();
	modcheck_reset();
	modcmp_reset();
	exports_reset();
	/* The key init_module_key() makes at launch; fixed here. */
	modfile_reset();
	modfile_set_key((const u8 *)"lvbs unit test module file key!", MODFILE_KEY_LEN);
	guest.next_free = 0;
	guest.cr3 = (u64)pt_page();
	for (u32 i = 0; i < FAKE_CPUS; i++) {
		hv_cpu_of(i)->index = i;
		hv_cpu_of(i)->apic_id = i;
		hv_cpu_of(i)->state = CPU_RUNNING;
		fake[i].cr0 = 0x80050033;
		fake[i].cr4 = 0x3506f0;
		fake[i].cr3 = guest.cr3;
		fake[i].efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME;
	}
}

/* Put code bytes at guest-virtual CODE_GVA and point CPU i's RIP at them. */
void guest_code(u32 i, const u8 *bytes, u32 n)
{
	u64 page = (u64)guest.ram + CODE_PAGE_OFF;

	guest_map(CODE_GVA, page);
	memset((void *)page, 0xcc, PAGE_SIZE);
	memcpy((void *)page, bytes, n);
	fake[i].rip = CODE_GVA;
	fake[i].has_nrip = false;
}
