// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the host build of hv/core, behind the fake backend
 * of tests/unit/stub_arch.c.
 *
 * An input is a header byte and then a program: a sequence of operations,
 * each an opcode byte and its operands, run against one fresh hypervisor
 * with two CPUs. Operations either play the guest (write its memory and
 * page tables, set its registers and control state) or play the CPU
 * delivering an exit to the hypervisor (hypercall, nested page fault,
 * CR / MSR / descriptor-table write, CPUID, NMI...). A few drive one
 * component directly (decoder, page walker, a private permission
 * database) where that reaches corners faster than through an exit.
 *
 * Besides the sanitizers, every operation is followed by checks of what
 * the hypervisor promises (check_invariants() and the per-operation
 * checks): the permission database stays a merged partition, the SLAT
 * follows it, the hypervisor's region stays unmapped and untouched,
 * pinned bits never change, hypercalls return a status from the ABI, and
 * the hypervisor never writes guest memory the guest could not write
 * itself. A broken promise calls fuzz_fail(), which abort()s: libFuzzer
 * reports it like a crash.
 *
 * Reads past the end of the input give zeros: a truncated program is
 * still a program, which keeps mutations productive.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <hv/types.h>
#include <hv/x86.h>
#include "core/hv.h"
#include "core/gwalk.h"
#include "core/insn.h"
#include "core/perm.h"
#include "core/slat.h"
#include "core/textpatch.h"
#include "core/keys.h"
#include "core/modcheck.h"
#include "core/modcmp.h"
#include "core/modfile.h"
#include "stub_arch.h"

/*
 * Guest RAM sits at a fixed low address so that guest-physical addresses
 * (identity with host addresses in the fake backend) are the same in every
 * run: a corpus entry that names a GPA means the same page tomorrow.
 */
#define RAM_BASE	0x40000000ULL
#define PHYS_LIMIT	(1ULL << 32)
#define RAM_PAGES	(GUEST_RAM / PAGE_SIZE)
#define HV_START	(RAM_BASE + GUEST_RAM - HV_REGION)
/* guest_map() takes page-table pages from RAM offset 0 up; keep them below. */
#define PT_AREA_END	(1u << 20)
/* Where a PROTECT_MEMORY batch is built (RAM offset), a page of its own. */
#define BATCH_OFF	(DATA_PAGE_OFF + 0x10000)
/* A writable alias of a text page, as text_poke() maps one. */
#define POKE_GVA	0xffffc90000100000ULL
#define DATA_GVA	0xffff888000000000ULL

#define MAX_OPS		256

struct input {
	const u8 *p;
	size_t n;
};

static u8 get8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* Little endian; two statements, as the order of two calls in one is unspecified. */
static u16 get16(struct input *in)
{
	u16 lo = get8(in);

	return (u16)(lo | get8(in) << 8);
}

static u32 get32(struct input *in)
{
	u32 lo = get16(in);

	return lo | (u32)get16(in) << 16;
}

static u64 get64(struct input *in)
{
	u64 lo = get32(in);

	return lo | (u64)get32(in) << 32;
}

/*
 * A 64-bit operand, biased towards values that mean something here:
 * addresses in guest RAM (aligned or not), in the hypervisor's region, at
 * the edges of the address space, guest-virtual addresses that are mapped.
 */
static u64 get_val(struct input *in)
{
	switch (get8(in) & 7) {
	case 0:
		return get8(in);
	case 1:
		return RAM_BASE + get32(in) % GUEST_RAM;
	case 2:
		return RAM_BASE + ((u64)(get16(in) % RAM_PAGES) << PAGE_SHIFT);
	case 3:
		return HV_START - PAGE_SIZE + get32(in) % (HV_REGION + 2 * PAGE_SIZE);
	case 4:
		return get64(in);
	case 5:
		return CODE_GVA + (int16_t)get16(in);
	case 6:
		switch (get8(in) & 3) {
		case 0:
			return ~0ULL - get8(in);
		case 1:
			return PHYS_LIMIT - PAGE_SIZE + get16(in);
		case 2:
			return (1ULL << 47) - get16(in);
		default:
			return LVBS_MAX_XFER + (int8_t)get8(in);
		}
	default:
		return (u64)get8(in) * 8;
	}
}

static __attribute__((noreturn)) void fuzz_fail(const char *what, u64 a, u64 b)
{
	fprintf(stderr, "fuzz_hv: broken promise: %s (0x%llx, 0x%llx)\n", what,
		(unsigned long long)a, (unsigned long long)b);
	abort();
}

/* ---- per-input state of the harness ---- */

static struct {
	bool slat_exact;	/* no audit-mode SLAT grant yet: SLAT == database */
	u64 last_seq;
	bool perm_ready;
	struct perm_db db;	/* a private database for OP_PERM */
	struct perm_entry store[16];
} h;

static bool cpu_usable(u32 i)
{
	return hv_cpu_of(i)->state == CPU_RUNNING;
}

/* May the guest itself write this RAM page (the SLAT says W)? */
static bool guest_may_write(u64 gpa)
{
	u32 perm;

	if (gpa >= HV_START)
		return false;
	return !pt_lookup(&hv.slat, gpa, NULL, &perm, NULL) && (perm & PT_W);
}

/*
 * The guest stores bytes into its RAM. Pages the SLAT keeps read-only are
 * skipped: there the real store would fault, which OP_NPF plays.
 */
static void guest_store(u64 off, const u8 *src, u32 len)
{
	bool ok = false;

	for (u32 i = 0; i < len && off + i < GUEST_RAM; i++) {
		u64 gpa = RAM_BASE + off + i;

		/* One SLAT lookup per page, not per byte. */
		if (i == 0 || !(gpa & (PAGE_SIZE - 1)))
			ok = guest_may_write(gpa & PAGE_MASK);
		if (ok)
			*(u8 *)gpa = src[i];
	}
}

/*
 * A fresh hypervisor costs milliseconds (slat_init() builds the SLAT of
 * all guest-physical space, and the coverage instrumentation of pt_map()'s
 * loops multiplies that), so it is built once per SLAT format and saved;
 * each input starts from a copy. What is saved is everything
 * stub_reset_state() sets up: struct hv, the per-CPU hv_cpu structures,
 * the fake CPUs and MSRs, the table pool's used pages, the permission
 * database's ranges, the log ring and the fake guest's page-table cursor.
 */
struct snapshot {
	bool ready;
	struct hv hv;
	struct hv_cpu cpu[FAKE_CPUS];
	struct fake_cpu fake[FAKE_CPUS];
	u64 msr[4][2];
	u8 pool[64 * PAGE_SIZE];
	struct perm_entry perm[64];
	struct lvbs_log_entry ring[64];
	u64 next_free, cr3;
};

static struct snapshot snaps[2];
static bool verbose;

static void build_hv(bool gmet)
{
	stub_reset_state();
	if (gmet) {
		/* Rebuild the SLAT in the GMET format, as main.c does with GMET. */
		pt_fmt_make_npt_gmet(&hv.slat_fmt, true);
		hv.pool.used = 0;
		if (pt_init(&hv.slat, &hv.slat_fmt, &hv.pool) || slat_init(true))
			abort();
	}
}

static void save(struct snapshot *sn)
{
	if (hv.pool.used > ARRAY_SIZE(sn->pool) / PAGE_SIZE ||
	    hv.slat_state.db.nr > ARRAY_SIZE(sn->perm) ||
	    hv.log.capacity > ARRAY_SIZE(sn->ring))
		abort();
	sn->hv = hv;
	for (u32 i = 0; i < FAKE_CPUS; i++)
		sn->cpu[i] = *hv_cpu_of(i);
	memcpy(sn->fake, fake, sizeof(fake));
	memcpy(sn->msr, fake_msr, sizeof(fake_msr));
	memcpy(sn->pool, guest.pool, hv.pool.used * PAGE_SIZE);
	memcpy(sn->perm, hv.slat_state.db.e, hv.slat_state.db.nr * sizeof(sn->perm[0]));
	memcpy(sn->ring, hv.log.ring, hv.log.capacity * sizeof(sn->ring[0]));
	sn->next_free = guest.next_free;
	sn->cr3 = guest.cr3;
	sn->ready = true;
}

static void restore(const struct snapshot *sn)
{
	hv = sn->hv;
	for (u32 i = 0; i < FAKE_CPUS; i++)
		*hv_cpu_of(i) = sn->cpu[i];
	memcpy(fake, sn->fake, sizeof(fake));
	memcpy(fake_msr, sn->msr, sizeof(fake_msr));
	/* Pages past "used" are zeroed again by pt_pool_alloc() when reused. */
	memcpy(guest.pool, sn->pool, hv.pool.used * PAGE_SIZE);
	memcpy(hv.slat_state.db.e, sn->perm, hv.slat_state.db.nr * sizeof(sn->perm[0]));
	memcpy(hv.log.ring, sn->ring, hv.log.capacity * sizeof(sn->ring[0]));
	guest.next_free = sn->next_free;
	guest.cr3 = sn->cr3;
	stub_abort_jmp = NULL;
	textpatch_reset();
	keys_reset();
	modcheck_reset();
	modcmp_reset();
}

static void fresh_hv(struct input *in)
{
	u8 flags = get8(in);
	struct snapshot *sn = &snaps[(flags >> 1) & 1];

	/* Zero-fill on next touch: only the pages the last input used cost. */
	if (madvise(guest.ram, GUEST_RAM, MADV_DONTNEED))
		abort();
	if (!sn->ready) {
		build_hv(flags & 2);
		save(sn);
	}
	restore(sn);
	if (flags & 1)
		hv.caps.vendor = LVBS_VENDOR_VMX;
	for (u32 i = 0; i < FAKE_CPUS; i++) {
		fake[i].has_nrip = (flags >> (2 + i)) & 1;
		fake[i].dt_base[0] = DATA_GVA + 0x1000;
		fake[i].dt_limit[0] = 0xfff;
		fake[i].dt_base[1] = DATA_GVA + 0x2000;
		fake[i].dt_limit[1] = 0x7f;
	}
	/* A launch that is failing: LAUNCH_ABORT becomes reachable. */
	hv.cpus_failed = (flags >> 4) & 1;
	hv.cpus_running = FAKE_CPUS;
	/* The kernel's view: code page, a data page, CPUs at the code page. */
	guest_map(CODE_GVA, RAM_BASE + CODE_PAGE_OFF);
	guest_map(CODE_GVA + PAGE_SIZE, RAM_BASE + CODE_PAGE_OFF + PAGE_SIZE);
	guest_map(DATA_GVA, RAM_BASE + DATA_PAGE_OFF);
	for (u32 i = 0; i < FAKE_CPUS; i++)
		fake[i].rip = CODE_GVA;
	memset(&h, 0, sizeof(h));
	h.slat_exact = true;
	h.last_seq = hv.log.next_seq;
}

/* ---- promises checked after every operation ---- */

static u32 norm_rights(u32 p, bool gmet)
{
	u32 r = p & (PT_R | PT_W);

	/*
	 * Without GMET the NPT has one execute bit; with it, "supervisor
	 * executable" is the one the format can tell apart.
	 */
	if (p & PT_X)
		r |= PT_XU;
	if (gmet && (p & PT_XS))
		r |= PT_XS;
	return r;
}

/*
 * Memory owned by nobody keeps its state on top of the baseline in the
 * SLAT (execute granted on use, write taken away: slat.c). Allowed: the
 * baseline's read right, write only where the baseline has it, any
 * execute; and W^X kept — never write with supervisor execute under GMET,
 * never write with execute under strict W^X except for pages given both
 * for one self-writing instruction (counted).
 */
static void check_lazy_page(u64 gpa, u32 perm, u32 base)
{
	u32 n = norm_rights(perm, hv.slat_state.gmet);
	u32 b = norm_rights(base, hv.slat_state.gmet);
	bool w = n & PT_W;

	if ((n & PT_R) != (b & PT_R) || (w && !(b & PT_W)))
		fuzz_fail("lazily granted page has rights its baseline does not allow", gpa,
			  (u64)perm << 32 | base);
	if (w && (n & PT_XS) && hv.slat_state.exec == LVBS_EXEC_GMET)
		fuzz_fail("W^X broken under GMET", gpa, perm);
	if (w && (n & PT_X) && hv.slat_state.exec == LVBS_EXEC_STRICT &&
	    !(b & PT_X) && !hv.slat_state.wx_mixed_pages)
		fuzz_fail("W^X broken under strict", gpa, perm);
}

static void check_slat_page(u64 gpa, const struct perm_range *r)
{
	u32 perm = 0, db_perm = r->perm;
	bool gmet = hv.slat_state.gmet;

	if (pt_lookup(&hv.slat, gpa, NULL, &perm, NULL))
		perm = 0;
	/* Only RAM: firmware and MMIO keep their rights as they are. */
	if (r->owner == LVBS_OWNER_NONE && !(db_perm & PERM_IMMUTABLE) &&
	    memmap_is_ram(&hv.mem, gpa)) {
		check_lazy_page(gpa, perm, db_perm & PERM_RIGHTS);
		return;
	}
	if (norm_rights(perm, gmet) != norm_rights(db_perm & PERM_RIGHTS, gmet))
		fuzz_fail("SLAT differs from the permission database", gpa,
			  (u64)perm << 32 | db_perm);
}

static void check_db(const struct perm_db *db, bool main_db)
{
	if (db->nr == 0 || db->nr > db->cap || perm_start(db, 0) != 0)
		fuzz_fail("database does not cover [0, limit)", db->nr, db->cap);
	for (u32 k = 0; k < db->nr; k++) {
		const struct perm_range rg = perm_at(db, k), *r = &rg;

		/* Ends are the next starts: this is also "sorted, below the limit". */
		if (r->start >= r->end || !IS_ALIGNED(r->start, PAGE_SIZE) ||
		    !IS_ALIGNED(r->end, PAGE_SIZE) || (r->perm & ~PERM_ALL))
			fuzz_fail("malformed range", r->start, r->end);
		if (k && perm_entry_perm(&db->e[k - 1]) == r->perm && db->e[k - 1].owner == r->owner)
			fuzz_fail("ranges not merged", r->start, k);
		if (!main_db || !h.slat_exact)
			continue;
		/* Both ends of each range: pt_map() splits and merges at edges. */
		if (r->start < PHYS_LIMIT)
			check_slat_page(r->start, r);
		if (r->end - PAGE_SIZE != r->start && r->end <= PHYS_LIMIT)
			check_slat_page(r->end - PAGE_SIZE, r);
	}
}

/* The hypervisor's region: owned by it, no rights, for good. */
static void check_hv_page(u64 a)
{
	int i = perm_find(&hv.slat_state.db, a);
	u32 perm;

	if (i < 0 || perm_entry_perm(&hv.slat_state.db.e[i]) != PERM_IMMUTABLE ||
	    hv.slat_state.db.e[i].owner != OWNER_HV)
		fuzz_fail("hypervisor region changed hands", a, i);
	if (!pt_lookup(&hv.slat, a, NULL, &perm, NULL) && perm)
		fuzz_fail("hypervisor region mapped for the guest", a, perm);
}

static void check_invariants(void)
{
	check_db(&hv.slat_state.db, true);
	/* Every page at the end of the input; the edges after each operation. */
	check_hv_page(HV_START);
	check_hv_page(HV_START + HV_REGION - PAGE_SIZE);
	if (hv.pool.used > hv.pool.nr_pages)
		fuzz_fail("table pool overrun", hv.pool.used, hv.pool.nr_pages);
	if (hv.log.next_seq < h.last_seq)
		fuzz_fail("log sequence went back", hv.log.next_seq, h.last_seq);
	h.last_seq = hv.log.next_seq;
}

/* Pinned CR bits of every CPU; pins are global, values per CPU. */
static void check_cr_pins(const u64 before[FAKE_CPUS][2])
{
	for (u32 i = 0; i < FAKE_CPUS; i++) {
		u64 now[2] = { fake[i].cr0, fake[i].cr4 };

		for (u32 k = 0; k < 2; k++) {
			u32 cr = k ? 4 : 0;

			if (now[k] != before[i][k] &&
			    ((now[k] ^ hv.pins.val[cr]) & hv.pins.mask[cr]))
				fuzz_fail("pinned CR bit changed", cr, now[k]);
		}
	}
}

/* Pinned MSR bits of one CPU (EFER lives in the fake CPU, the rest in fake_msr). */
static u64 msr_now(u32 i, u32 slot)
{
	return slot == LVBS_MSR_SLOT_EFER ? fake[i].efer : rdmsr(msrpin_msr(slot));
}

static void check_msr_pins(u32 i, const u64 before[LVBS_MSR_SLOTS])
{
	struct hv_cpu *c = hv_cpu_of(i);

	for (u32 s = 0; s < LVBS_MSR_SLOTS; s++) {
		u64 v = msr_now(i, s);

		if (v != before[s] && ((v ^ c->msr_pin_val[s]) & c->msr_pin_mask[s]))
			fuzz_fail("pinned MSR bit changed", msrpin_msr(s), v);
	}
}

/* ---- the confused-deputy check around a hypercall ---- */

#define WATCH_PAGES	18

struct watch {
	u32 n;
	u64 gpa[WATCH_PAGES];
	u8 copy[WATCH_PAGES][PAGE_SIZE];
};

static struct watch watch;

/*
 * Remember the RAM pages of [a, a + len) the guest may not write. The
 * hypervisor must not write them for it either.
 */
static void watch_begin(u64 a, u64 len)
{
	watch.n = 0;
	if (len > LVBS_MAX_XFER + PAGE_SIZE)
		len = LVBS_MAX_XFER + PAGE_SIZE;
	for (u64 p = a & PAGE_MASK; p < a + len && p >= (a & PAGE_MASK) &&
	     watch.n < WATCH_PAGES; p += PAGE_SIZE) {
		if (p < RAM_BASE || p >= RAM_BASE + GUEST_RAM)
			continue;
		if (perm_lookup(&hv.slat_state.db, p) & PT_W)
			continue;
		watch.gpa[watch.n] = p;
		memcpy(watch.copy[watch.n++], (void *)p, PAGE_SIZE);
	}
}

static void watch_end(void)
{
	for (u32 k = 0; k < watch.n; k++)
		if (memcmp(watch.copy[k], (void *)watch.gpa[k], PAGE_SIZE))
			fuzz_fail("hypervisor wrote a page the guest may not write",
				  watch.gpa[k], 0);
}

/* ---- exits ---- */

static const u8 vmmcall[] = { 0x0f, 0x01, 0xd9 };
static const u8 vmcall[] = { 0x0f, 0x01, 0xc1 };

/* Put bytes at CODE_GVA + off (kept on the two code pages) and RIP there. */
static void place_code(u32 i, u32 off, const u8 *bytes, u32 len)
{
	off %= 2 * PAGE_SIZE - len;
	guest_store(CODE_PAGE_OFF + off, bytes, len);
	fake[i].rip = CODE_GVA + off;
}

static void do_hypercall(u32 i, u64 nr, u64 a1, u64 a2, u64 a3, u8 how)
{
	struct hv_cpu *c = hv_cpu_of(i);
	jmp_buf jb;
	long st;

	if (!(how & 1)) {
		bool svm = hv.caps.vendor == LVBS_VENDOR_SVM;

		/* Mostly the right instruction; sometimes the other vendor's. */
		place_code(i, how >> 1, (svm ^ !!(how & 0x80)) ? vmmcall : vmcall, 3);
	}
	c->regs[REG_RAX] = nr;
	c->regs[REG_RBX] = a1;
	c->regs[REG_RCX] = a2;
	c->regs[REG_RDX] = a3;
	/* Output buffers: GET_INFO, GET_STATS and READ_LOG write [a1, a1 + a2). */
	watch_begin(a1, a2);
	stub_abort_jmp = &jb;
	if (setjmp(jb)) {
		/* LAUNCH_ABORT left the hypervisor on this CPU, as it should. */
		stub_abort_jmp = NULL;
		if (!hv.cpus_failed || (u32)nr != LVBS_HC_LAUNCH_ABORT)
			fuzz_fail("CPU aborted outside a failing launch", nr, i);
		c->state = CPU_ABORTED;
		return;
	}
	vcpu_handle_hypercall(c);
	stub_abort_jmp = NULL;
	watch_end();
	st = (long)c->regs[REG_RAX];
	if (fake[i].injected || st == (long)nr)
		return;		/* #UD, or the call was never made */
	if ((u32)nr == LVBS_HC_READ_LOG && (nr & LVBS_HC_MAGIC_MASK) == LVBS_HC_MAGIC &&
	    st >= 0) {
		if ((u64)st > a2 / sizeof(struct lvbs_log_entry))
			fuzz_fail("READ_LOG copied more than fits", (u64)st, a2);
		return;
	}
	if (st > LVBS_OK || st < LVBS_E_BUSY)
		fuzz_fail("status outside the ABI", nr, (u64)st);
}

static const u32 msrs[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_SYSENTER_CS,
	MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_VM_HSAVE_PA, MSR_VM_CR, MSR_SMM_CTL,
	0xc0000100u, 0xc0000101u,
};

/* A PROTECT_MEMORY batch built in guest RAM, then the call. */
static void do_protect(struct input *in, u32 i)
{
	struct lvbs_mem_prot e[LVBS_PROT_BATCH];
	u8 b = get8(in);
	u32 n = b % 8 + 1;
	u64 gpa = RAM_BASE + BATCH_OFF + (get8(in) & 0xf8);

	memset(e, 0, sizeof(e));
	for (u32 k = 0; k < n; k++) {
		u8 sel = get8(in);

		e[k].gpa = RAM_BASE + ((u64)(get16(in) % RAM_PAGES) << PAGE_SHIFT);
		e[k].size = (u64)(get8(in) % 32 + 1) << PAGE_SHIFT;
		e[k].perm = get16(in) & 0x30f;
		switch (sel & 3) {
		case 0:
			e[k].owner = LVBS_OWNER_NONE;
			break;
		case 1:
			e[k].owner = LVBS_OWNER_KERNEL;
			break;
		case 2:
			e[k].owner = LVBS_OWNER_MODULE_MIN + (sel >> 2) % 4;
			break;
		default:
			e[k].owner = get8(in);
			break;
		}
		/* Now and then a malformed entry: raw address, size or bits. */
		if (sel & 0x10)
			e[k].gpa = get_val(in);
		if (sel & 0x20)
			e[k].size = get_val(in);
		if (sel & 0x40)
			e[k].perm = get32(in);
		if (sel & 0x80)
			e[k].reserved = get8(in);
	}
	/* The kernel builds the batch in its own memory; a plain copy here. */
	memcpy((void *)gpa, e, n * sizeof(e[0]));
	do_hypercall(i, LVBS_HC(LVBS_HC_PROTECT_MEMORY), gpa,
		     (b & 0x80) ? get_val(in) : n, 0, 0);
}

/*
 * A store into a page through a writable alias (text_poke()'s way), and
 * the write fault it takes: the text-patching emulator's input.
 */
static void do_poke(struct input *in, u32 i)
{
	static const u8 forms[][4] = {
		{ 2, 0x88, 0x07 },		/* mov %al, (%rdi) */
		{ 3, 0x48, 0x89, 0x07 },	/* mov %rax, (%rdi) */
		{ 2, 0x89, 0x07 },		/* mov %eax, (%rdi) */
		{ 3, 0xc6, 0x07, 0xcc },	/* movb $0xcc, (%rdi) */
		{ 2, 0xf3, 0xa4 },		/* rep movsb */
		{ 3, 0xf3, 0x48, 0xa5 },	/* rep movsq */
		{ 1, 0xa4 },			/* movsb */
		{ 3, 0x66, 0x89, 0x07 },	/* mov %ax, (%rdi) */
	};
	struct hv_cpu *c = hv_cpu_of(i);
	u8 f = get8(in) % ARRAY_SIZE(forms);
	u64 page = RAM_BASE + ((u64)(get16(in) % RAM_PAGES) << PAGE_SHIFT);
	u32 off = get16(in) % PAGE_SIZE;
	u8 imm = get8(in);

	if (guest.next_free + 4 * PAGE_SIZE <= PT_AREA_END) {
		guest_map(POKE_GVA, page);
		guest_map(POKE_GVA + PAGE_SIZE, page + PAGE_SIZE < HV_START ? page + PAGE_SIZE : page);
	}
	place_code(i, get16(in), &forms[f][1], forms[f][0]);
	if (f == 3)
		guest_store((fake[i].rip - CODE_GVA) + CODE_PAGE_OFF + 2, &imm, 1);
	c->regs[REG_RDI] = POKE_GVA + off;
	c->regs[REG_RAX] = get64(in);
	c->regs[REG_RSI] = get_val(in);
	c->regs[REG_RCX] = get8(in) % 80;
	slat_handle_npf(c, page + off, LVBS_ACC_WRITE | (get8(in) & LVBS_ACC_READ));
}

/* ---- direct drives ---- */

static void do_decode(struct input *in)
{
	u8 buf[INSN_MAX_LEN + 1];
	u32 n = get8(in) % (sizeof(buf) + 1);
	struct insn d;
	u64 regs[16];

	for (u32 k = 0; k < n; k++)
		buf[k] = get8(in);
	if (insn_decode(buf, n, &d))
		return;
	if (d.len == 0 || d.len > n || d.len > INSN_MAX_LEN || d.op == INSN_UNKNOWN ||
	    d.op >= INSN_OP_MAX)
		fuzz_fail("decoder result out of bounds", d.len, d.op);
	for (u32 k = 0; k < 16; k++)
		regs[k] = (u64)k << 40 | k;
	(void)insn_mem_addr(&d, regs, CODE_GVA + d.len, 1ULL << 44, 1ULL << 45);
	(void)insn_op_name(d.op);
}

static void do_gwalk(struct input *in)
{
	u8 b = get8(in), buf[64];
	struct gwalk_ctx w = {
		.cr4 = (b & 4) ? X86_CR4_LA57 : 0,
		.efer = ((b & 8) ? 0 : EFER_LMA) | ((b & 16) ? EFER_NXE : 0),
		.read_gpa = guest_read_phys,
	};
	u64 gva, gpa;
	u32 len, rights;

	/* One read per statement: initialisers are not evaluated in order. */
	w.cr0 = (b & 1) ? get64(in) : X86_CR0_PG | X86_CR0_PE;
	w.cr3 = (b & 2) ? get_val(in) : guest.cr3;
	gva = get_val(in);
	len = get8(in) % (sizeof(buf) + 1);

	if (!gwalk_translate(&w, gva, &gpa, &rights) && (rights & ~(GW_W | GW_U | GW_NX)))
		fuzz_fail("walker rights out of range", gva, rights);
	(void)gwalk_read(&w, gva, buf, len);
}

/* A small private database: every change all or nothing, always merged. */
static void do_perm(struct input *in)
{
	struct perm_entry before[16];
	u32 nr_before;
	u8 b = get8(in);
	u64 s, e;
	u32 perm, owner, flags;
	int r;

	if (!h.perm_ready) {
		if (perm_init(&h.db, h.store, 1 + (b >> 4), 64 * PAGE_SIZE, b & PERM_RIGHTS))
			fuzz_fail("perm_init refused good arguments", b, 0);
		h.perm_ready = true;
		return;
	}
	if ((b & 0x0f) == 0x0f) {
		perm_seal(&h.db);
		return;
	}
	s = (u64)(get8(in) % 66) << PAGE_SHIFT;
	e = (u64)(get8(in) % 66) << PAGE_SHIFT;
	if (b & 1)
		s += get8(in) % 16;
	perm = get16(in) & (b & 2 ? 0xffff : PERM_ALL);
	owner = get8(in) % 4;
	flags = (b & 4) ? PERM_SET_FORCE : 0;
	nr_before = h.db.nr;
	memcpy(before, h.store, sizeof(before));
	r = perm_set_owned(&h.db, s, e, perm, owner, flags, NULL);
	if (r && (h.db.nr != nr_before ||
		  memcmp(before, h.store, nr_before * sizeof(before[0]))))
		fuzz_fail("failed change altered the database", (u64)r, s);
	if (!r && s < e && e <= h.db.limit) {
		/* Every page of [s, e) now has exactly perm and owner. */
		for (u64 a = s; a < e; a += PAGE_SIZE) {
			int k = perm_find(&h.db, a);

			if (k < 0 || perm_entry_perm(&h.db.e[k]) != perm || h.db.e[k].owner != owner)
				fuzz_fail("change not applied", a, (u64)r);
		}
	}
	check_db(&h.db, false);
}

/*
 * A module file as if a check had verified it: the pages at MODFILE_OFF
 * (what OP_STORE put there), tagged, their list at MODLIST_OFF mapped at
 * MODLIST_GVA, and a MODULE_COMPARE of it with the rest of the request
 * the input's, run to its end (or 8 calls) on CPU i.
 */
#define MODFILE_OFF	0x180000
#define MODLIST_OFF	0x1f0000
#define MODREQ_OFF	0x1f8000
#define MODLIST_GVA	0xffffc90000200000ULL

static void do_modfile(struct input *in, u32 i)
{
	static u64 id = 1000;
	u32 npages = 1 + get8(in) % 8;
	u64 len = (u64)(npages - 1) * PAGE_SIZE + 1 + get16(in) % PAGE_SIZE, more = 1;
	struct lvbs_module_page e;
	struct lvbs_module_compare q = { .size = sizeof(q) };

	id++;
	for (u32 k = 0; k < npages; k++) {
		u64 left = len - (u64)k * PAGE_SIZE;

		memset(&e, 0, sizeof(e));
		e.gpa = RAM_BASE + MODFILE_OFF + (u64)k * PAGE_SIZE;
		modfile_tag(id, k, (const u8 *)e.gpa, left < PAGE_SIZE ? (u32)left : PAGE_SIZE, e.tag);
		guest_store(MODLIST_OFF + k * sizeof(e), (const u8 *)&e, sizeof(e));
	}
	modcheck_test_verified(id, len, LVBS_OWNER_MODULE_MIN + 2 * (u32)(id % 8),
			       LVBS_OWNER_MODULE_MIN + 2 * (u32)(id % 8) + 1);
	if (guest.next_free + 4 * PAGE_SIZE <= PT_AREA_END)
		guest_map(MODLIST_GVA, RAM_BASE + MODLIST_OFF);
	q.file = (get8(in) & 7) ? id : get_val(in);
	q.pages = (get8(in) & 7) ? MODLIST_GVA : get_val(in);
	q.shdrs = get_val(in);
	q.symtab = get_val(in);
	q.percpu = get_val(in);
	q.shnum = get16(in);
	q.nsyms = get16(in);
	/* The owners (OP_PROTECT registers memory for them) and text pieces. */
	q.owner = (get8(in) & 7) ? LVBS_OWNER_MODULE_MIN + 2 * (u32)(id % 8) : get32(in);
	for (u32 p = 0; p < 2; p++) {
		q.text_va[p] = get_val(in);
		q.text_size[p] = (u64)(get8(in) % 8) * PAGE_SIZE;
	}
	guest_store(MODREQ_OFF, (const u8 *)&q, sizeof(q));
	for (u32 k = 0; k < 8 && more && cpu_usable(i); k++) {
		do_hypercall(i, LVBS_HC(LVBS_HC_MODULE_COMPARE), RAM_BASE + MODREQ_OFF, sizeof(q),
			     k != 0, get8(in));
		more = hv_cpu_of(i)->regs[REG_RBX] == 1 && (long)hv_cpu_of(i)->regs[REG_RAX] == 0;
	}
}

/* ---- the interpreter ---- */

enum {
	OP_STORE, OP_MAP, OP_REG, OP_CPU, OP_CODE, OP_HC, OP_HC_RAW, OP_PROTECT,
	OP_NPF, OP_POKE, OP_CR, OP_MSR, OP_DT, OP_CPUID, OP_VIRT, OP_NMI,
	OP_DECODE, OP_GWALK, OP_PERM, OP_PTE, OP_MODFILE,
	OP_MAX
};

static void run_op(struct input *in)
{
	u8 op = get8(in) % OP_MAX, buf[64];
	u32 i = get8(in) % FAKE_CPUS;
	struct hv_cpu *c = hv_cpu_of(i);
	u64 cr_before[FAKE_CPUS][2], msr_before[LVBS_MSR_SLOTS];
	u32 n, off;

	if (!cpu_usable(i) && op >= OP_HC && op <= OP_NMI)
		return;
	if (verbose)
		fprintf(stderr, "fuzz_hv: op %u cpu %u, %zu bytes left\n", op, i, in->n);
	fake[i].injected = 0;
	switch (op) {
	case OP_STORE:
		off = get32(in) % GUEST_RAM;
		n = get8(in) % (sizeof(buf) + 1);
		for (u32 k = 0; k < n; k++)
			buf[k] = get8(in);
		guest_store(off, buf, n);
		break;
	case OP_PTE: {
		/* One entry of the guest's tables: P, RW, US, PS, NX, any frame. */
		u64 pte = get_val(in) & ~0xfffULL;

		pte |= get16(in) & 0xfff;
		if (get8(in) & 1)
			pte |= BIT(63);
		off = (get32(in) % (u32)guest.next_free) & ~7u;
		guest_store(off, (const u8 *)&pte, 8);
		break;
	}
	case OP_MAP: {
		static const u64 bases[] = { CODE_GVA, DATA_GVA, POKE_GVA, 0x400000 };
		u8 b = get8(in);
		u64 gva = bases[b & 3] + ((u64)get16(in) << PAGE_SHIFT);
		u64 page = get16(in) % (RAM_PAGES - HV_REGION / PAGE_SIZE);

		if (b & 4)
			gva = get64(in) & ~0xfffULL;
		if (guest.next_free + 4 * PAGE_SIZE <= PT_AREA_END)
			guest_map(gva, RAM_BASE + (page << PAGE_SHIFT));
		break;
	}
	case OP_REG:
		n = get8(in) & 15;
		c->regs[n] = get_val(in);
		break;
	case OP_CPU:
		switch (get8(in) % 9) {
		case 0:
			fake[i].rip = get_val(in);
			break;
		case 1:
			fake[i].cpl = get8(in) & 3;
			break;
		case 2:
			fake[i].has_nrip = get8(in) & 1;
			fake[i].next_rip = fake[i].rip + (int8_t)get8(in);
			break;
		case 3:
			fake[i].cr0 = get_val(in);
			break;
		case 4:
			fake[i].cr4 = get_val(in);
			break;
		case 5:
			fake[i].cr3 = get_val(in);
			break;
		case 6:
			fake[i].efer ^= BIT(get8(in) & 15);
			break;
		case 7:
			n = get8(in) & 1;
			fake[i].dt_base[n] = get_val(in);
			fake[i].dt_limit[n] = get16(in);
			break;
		default:
			fake[i].cr3 = guest.cr3;
			break;
		}
		break;
	case OP_CODE:
		n = get8(in) % 16;
		off = get16(in);
		for (u32 k = 0; k < n; k++)
			buf[k] = get8(in);
		if (n)
			place_code(i, off, buf, n);
		break;
	case OP_HC: {
		u8 nr = get8(in);
		u64 a1 = get_val(in), a2 = get_val(in), a3 = get_val(in);

		do_hypercall(i, LVBS_HC(nr % (LVBS_HC_MAX + 1)), a1, a2, a3, get8(in));
		break;
	}
	case OP_HC_RAW: {
		u64 nr = get64(in), a1 = get_val(in), a2 = get_val(in), a3 = get_val(in);

		do_hypercall(i, nr, a1, a2, a3, get8(in));
		break;
	}
	case OP_PROTECT:
		do_protect(in, i);
		break;
	case OP_NPF: {
		u64 gpa = get_val(in);
		u32 acc = get8(in) & 0x1f;

		/* Audit mode widens the SLAT alone: from here SLAT >= database. */
		if (hv.slat_state.policy == LVBS_POLICY_AUDIT)
			h.slat_exact = false;
		slat_handle_npf(c, gpa, acc);
		break;
	}
	case OP_POKE:
		if (hv.slat_state.policy == LVBS_POLICY_AUDIT)
			h.slat_exact = false;
		do_poke(in, i);
		break;
	case OP_CR: {
		u8 b = get8(in);

		for (u32 k = 0; k < FAKE_CPUS; k++) {
			cr_before[k][0] = fake[k].cr0;
			cr_before[k][1] = fake[k].cr4;
		}
		vcpu_handle_cr_write(c, (b & 1) ? 4 : 0, (b & 0x80) ? (b >> 1) & 15 : -1);
		check_cr_pins(cr_before);
		break;
	}
	case OP_MSR: {
		u8 b = get8(in);

		for (u32 s = 0; s < LVBS_MSR_SLOTS; s++)
			msr_before[s] = msr_now(i, s);
		c->regs[REG_RCX] = (b & 0x80) ? get32(in) : msrs[(b >> 1) % ARRAY_SIZE(msrs)];
		c->regs[REG_RAX] = get_val(in);
		c->regs[REG_RDX] = get_val(in);
		vcpu_handle_msr(c, b & 1);
		check_msr_pins(i, msr_before);
		break;
	}
	case OP_DT: {
		static const u32 which[] = { LVBS_DT_IDTR, LVBS_DT_GDTR, LVBS_DT_TR };
		u8 b = get8(in);
		u32 w = which[b % 3];
		u32 writes = fake[i].dt_writes;

		/*
		 * SVM's three write exits, or VMX's one exit for every
		 * descriptor-table instruction (the core decodes which), from
		 * 64-bit, 32-bit or 16-bit code.
		 */
		if (b & 0x80) {
			fake[i].compat = b & 0x40;
			fake[i].code16 = b & 0x20;
			static const u8 hw[8] = { INSN_SGDT, INSN_SIDT, INSN_LGDT, INSN_LIDT,
						  INSN_SLDT, INSN_STR, INSN_LLDT, INSN_LTR };

			fake[i].rflags = (b & 0x10) ? X86_EFLAGS_AC : 0;
			/* What the CPU says exited; the bytes at RIP may disagree. */
			vcpu_handle_dt_access(c, hw[get8(in) & 7]);
			fake[i].compat = fake[i].code16 = false;
			/* Which table the exit loaded is the decoder's to say. */
			w = fake[i].dt_written;
			if (fake[i].dt_writes != writes &&
			    (fake[i].dt_writes != writes + 1 || w > 1 ||
			     fake[i].dt_base[w] != c->dt_base[w] ||
			     fake[i].dt_limit[w] != c->dt_limit[w]))
				fuzz_fail("pinned descriptor table replaced", w, fake[i].dt_base[w & 1]);
			break;
		}
		vcpu_handle_dt_write(c, w);
		/* A load is done for the guest only with the pinned value. */
		if (fake[i].dt_writes != writes &&
		    (w == LVBS_DT_TR || fake[i].dt_base[w] != c->dt_base[w] ||
		     fake[i].dt_limit[w] != c->dt_limit[w]))
			fuzz_fail("pinned descriptor table replaced", w, fake[i].dt_base[w & 1]);
		break;
	}
	case OP_CPUID:
		c->regs[REG_RAX] = (get8(in) & 1) ? 0x40000000u + get8(in) % 3 : get8(in);
		c->regs[REG_RCX] = get8(in);
		vcpu_handle_cpuid(c);
		break;
	case OP_VIRT:
		vcpu_handle_virt_insn(c, get_val(in));
		if (!fake[i].injected)
			fuzz_fail("virtualization instruction not refused", i, 0);
		break;
	case OP_NMI:
		slat_nmi_exit(c);
		break;
	case OP_DECODE:
		do_decode(in);
		break;
	case OP_GWALK:
		do_gwalk(in);
		break;
	case OP_PERM:
		do_perm(in);
		break;
	case OP_MODFILE:
		do_modfile(in, i);
		break;
	}
	/*
	 * The database and the SLAT change only through hypercalls and faults;
	 * after anything else one check at the end of the input is enough
	 * (the checks cost about as much as all the rest).
	 */
	if ((op >= OP_HC && op <= OP_POKE) || op == OP_NMI)
		check_invariants();
}

static const u8 zero_region[HV_REGION];

/* FUZZ_HV_VERBOSE=1: what an input did, for writing and checking seeds. */
static void report(void)
{
	struct lvbs_log_entry e[64];
	u64 next, lost, ok, bad;
	u32 n = hv_log_read(&hv.log, 1, e, 64, &next, &lost);

	textpatch_stats(&ok, &bad);
	fprintf(stderr, "fuzz_hv: sealed %u, %u ranges, patches %llu allowed %llu denied, "
		"cpu0 rax 0x%llx injected %u, log:", hv.slat_state.sealed,
		hv.slat_state.db.nr, (unsigned long long)ok, (unsigned long long)bad,
		(unsigned long long)hv_cpu_of(0)->regs[REG_RAX], fake[0].injected);
	for (u32 k = 0; k < n; k++)
		fprintf(stderr, " %u/%llx", e[k].kind, (unsigned long long)e[k].info1);
	fprintf(stderr, "\n");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	void *p;

	(void)argc;
	(void)argv;
	p = mmap((void *)RAM_BASE, GUEST_RAM, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)RAM_BASE) {
		perror("fuzz_hv: mmap of guest RAM at its fixed address");
		abort();
	}
	guest.ram = p;
	guest.phys_limit = PHYS_LIMIT;
	verbose = getenv("FUZZ_HV_VERBOSE") != NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { .p = data, .n = size };

	fresh_hv(&in);
	check_invariants();
	for (u32 k = 0; k < MAX_OPS && in.n; k++)
		run_op(&in);
	check_invariants();
	for (u64 a = HV_START; a < HV_START + HV_REGION; a += PAGE_SIZE)
		check_hv_page(a);
	/* Nothing the guest or the hypervisor did may reach the region. */
	if (memcmp((void *)HV_START, zero_region, HV_REGION))
		fuzz_fail("hypervisor region written", HV_START, 0);
	if (verbose)
		report();
	return 0;
}
