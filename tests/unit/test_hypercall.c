// SPDX-License-Identifier: GPL-2.0
/*
 * The hypercall ABI (hv/core/hypercall.c) and vcpu_handle_hypercall() over
 * the fake backend of stub_arch.c, beyond test_vcpu.c: every field GET_INFO
 * and GET_STATS fill, the order of the buffer checks and that a refused call
 * writes nothing anywhere, READ_LOG paging, chunking and loss accounting,
 * LAUNCH_ABORT, user-mode calls, and finding the next RIP through the
 * guest's page tables when the CPU gives none.
 */
#include <setjmp.h>
#include <string.h>
#include <hv/types.h>
#include <hv/x86.h>
#include "core/hv.h"
#include "core/insn.h"
#include "stub_arch.h"
#include "test.h"

#define PAT		0xa5
#define ENTRY		((u64)sizeof(struct lvbs_log_entry))
#define INFO_SZ		((u64)sizeof(struct lvbs_info))
#define STATS_SZ	((u64)sizeof(struct lvbs_cpu_stats))
#define GI		LVBS_HC(LVBS_HC_GET_INFO)
#define GS		LVBS_HC(LVBS_HC_GET_STATS)
#define RL		LVBS_HC(LVBS_HC_READ_LOG)

static const u8 vmmcall[] = { 0x0f, 0x01, 0xd9 };

static u8 *data(void)
{
	return guest.ram + DATA_PAGE_OFF;
}

static u64 data_gpa(void)
{
	return (u64)data();
}

static u64 ram_end(void)
{
	return (u64)guest.ram + GUEST_RAM;
}

static bool filled(const void *p, u8 v, u64 n)
{
	const u8 *b = p;

	for (u64 i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

/*
 * A hypercall from CPU 0 with a hardware next RIP, as the guest makes it;
 * returns RAX. Each call is at a new RIP, so that consecutive failures are
 * not folded into one log entry.
 */
static u64 hc_rip = 0x100000;

static long hc(u64 nr, u64 a1, u64 a2, u64 a3)
{
	struct hv_cpu *c = hv_cpu_of(0);

	hc_rip += 0x10;
	c->regs[REG_RSI] = 0x5151515151515151ULL;
	c->regs[REG_RDI] = 0xd1d1d1d1d1d1d1d1ULL;
	return stub_hypercall(0, hc_rip, nr, a1, a2, a3);
}

/* The newest log entry; a zeroed one (and a failure) if the log is empty. */
static const struct lvbs_log_entry *ev(void)
{
	static const struct lvbs_log_entry none;
	const struct lvbs_log_entry *e = last_event();

	CHECK(e);
	return e ? e : &none;
}

static void add_events(u32 n, u64 first_info0)
{
	for (u32 i = 0; i < n; i++)
		hv_log_event(hv_cpu_of(1), LVBS_EV_LAUNCH, 0, 0, 0, first_info0 + i, 0);
}

TEST(hc_get_info_fills_every_field)
{
	struct lvbs_info *info = (struct lvbs_info *)data();
	struct hv_cpu *c0 = hv_cpu_of(0), *c1 = hv_cpu_of(1);

	stub_reset();
	hv.cpus_running = 2;
	hv.caps.present = LVBS_FEAT_NPT | LVBS_FEAT_NRIPS | LVBS_FEAT_DECODE;
	hv.caps.used = LVBS_FEAT_NPT | LVBS_FEAT_NRIPS;
	hv.tsc_at_launch = 0x123456789abULL;
	hv.pins.mask[0] = LVBS_CR0_WP;
	hv.pins.val[0] = 0x80050033;		/* bits outside the mask: not shown */
	hv.pins.mask[4] = LVBS_CR4_SMEP;
	hv.pins.val[4] = 0x3506f0;
	hv.pins.gen = 1;
	c1->pin_gen = 1;			/* only CPU 1 enforces the pins */
	c0->msr_pin_mask[LVBS_MSR_SLOT_LSTAR] = ~0ULL;
	c0->msr_pin_mask[LVBS_MSR_SLOT_STAR] = 1;
	c1->msr_pin_mask[LVBS_MSR_SLOT_LSTAR] = 1;
	c1->dt_pinned = 1;
	add_events(3, 0);
	hv.cpuid_intercept = true;

	memset(data(), PAT, 4096);
	CHECK_EQ(hc(GI, data_gpa(), 4096, 0x77), LVBS_OK);
	CHECK_EQ(info->size, INFO_SZ);
	CHECK_EQ(info->size, 376);
	CHECK_EQ(info->cpuid_intercepted, 1);
	CHECK_EQ(info->keys_trusted, 0);	/* test_keys.c fills these */
	CHECK_EQ(info->blacklist_hashes, 0);
	CHECK_EQ(info->keys_refused, 0);
	CHECK_EQ(info->module_trust, LVBS_MODTRUST_NONE);	/* not sealed */
	CHECK_EQ(info->modules_verified, 0);
	CHECK_EQ(info->modules_failed, 0);
	CHECK_EQ(info->modules_compared, 0);	/* test_modcmp.c fills these */
	CHECK_EQ(info->modules_differ, 0);
	CHECK_EQ(info->modules_compare_failed, 0);
	CHECK_EQ(info->module_bytes_differ, 0);
	CHECK_EQ(info->exports_kernel, 0);	/* test_modcmp.c fills these */
	CHECK_EQ(info->exports_modules, 0);
	CHECK_EQ(info->imports_checked, 0);
	CHECK_EQ(info->abi_version, LVBS_ABI_VERSION);
	CHECK_EQ(info->vendor, LVBS_VENDOR_SVM);
	CHECK_EQ(info->nr_cpus, 2);
	CHECK_EQ(info->features_present, LVBS_FEAT_NPT | LVBS_FEAT_NRIPS | LVBS_FEAT_DECODE);
	CHECK_EQ(info->features_used, LVBS_FEAT_NPT | LVBS_FEAT_NRIPS);
	CHECK_EQ(info->hv_phys_base, ram_end() - HV_REGION);
	CHECK_EQ(info->hv_phys_size, HV_REGION);
	CHECK_EQ(info->guest_phys_limit, 1ULL << 47);
	CHECK_EQ(info->log_capacity, 64);
	CHECK_EQ(info->log_next_seq, 4);
	CHECK_EQ(info->tsc_at_launch, 0x123456789abULL);
	CHECK_EQ(info->pinned_cr0, LVBS_CR0_WP);
	CHECK_EQ(info->pinned_cr0_val, LVBS_CR0_WP);
	CHECK_EQ(info->pinned_cr4, LVBS_CR4_SMEP);
	CHECK_EQ(info->pinned_cr4_val, LVBS_CR4_SMEP);
	CHECK_EQ(info->pinned_cpus, 1);
	CHECK_EQ(info->pinned_msrs, 1u << LVBS_MSR_SLOT_LSTAR);
	CHECK_EQ(info->pinned_dt_cpus, 1);
	CHECK_EQ(info->sealed, 0);
	CHECK_EQ(info->policy, LVBS_POLICY_ENFORCE);
	/* Only the structure is written, however large the buffer. */
	CHECK(filled(data() + INFO_SZ, PAT, 4096 - INFO_SZ));

	/* Registers: RIP advanced, RBX/RCX/RDX and the rest preserved. */
	CHECK_EQ(fake[0].rip, hc_rip + 3);
	CHECK_EQ(c0->regs[REG_RBX], data_gpa());
	CHECK_EQ(c0->regs[REG_RCX], 4096);
	CHECK_EQ(c0->regs[REG_RDX], 0x77);
	CHECK_EQ(c0->regs[REG_RSI], 0x5151515151515151ULL);
	CHECK_EQ(c0->regs[REG_RDI], 0xd1d1d1d1d1d1d1d1ULL);
	CHECK_EQ(c0->exits_total, 1);
	CHECK_EQ(c0->exits[LVBS_EXIT_HYPERCALL], 1);
	CHECK_EQ(c0->hypercalls_failed, 0);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(hv.log.next_seq, 4);		/* success is not logged */
}

/*
 * The GPA of a case below: small numbers name places that depend on where
 * the fake guest RAM landed, anything else is used as it is.
 */
static u64 case_gpa(u64 where)
{
	u64 hv_base = hv.hv_phys;

	switch (where) {
	case 0:
		return data_gpa();
	case 1:
		return hv_base + 1;
	case 2:
		return hv_base;
	case 3:
		return hv_base - 8;
	case 4:
		return data_gpa() + 4;
	case 5:
		return hv_base + HV_REGION / 2;
	case 6:
		return ram_end() - 8;
	case 7:
		return (u64)guest.ram - 8;
	case 8:
		return ram_end();
	case 9:
		return hv_base - INFO_SZ;
	case 10:
		return hv_base - STATS_SZ;
	case 11:
		return hv_base - 2 * ENTRY;
	default:
		return where;
	}
}

/*
 * Each refused call, in the documented order of the checks: the status of
 * the first check that fails, nothing written anywhere, one bad_hypercall
 * entry with RAX and the status, hypercalls_failed counted, RIP advanced.
 */
TEST(hc_buffer_checks_in_order_and_write_nothing)
{
	const struct {
		u64 nr, gpa, size;
		long want;
	} cases[] = {
		/* Not an lvbs call, whatever the arguments. */
		{ 0x1234, 0, 0, LVBS_E_NOSYS },
		{ LVBS_HC_GET_INFO, 0, INFO_SZ, LVBS_E_NOSYS },		/* no magic */
		{ GI ^ (1ULL << 63), 0, INFO_SZ, LVBS_E_NOSYS },	/* magic off by a bit */
		{ GI ^ (1ULL << 32), 0, INFO_SZ, LVBS_E_NOSYS },
		{ LVBS_HC_MAGIC >> 32, 0, INFO_SZ, LVBS_E_NOSYS },
		{ LVBS_HC(0), 0, INFO_SZ, LVBS_E_NOSYS },
		{ LVBS_HC(LVBS_HC_MAX), 0, INFO_SZ, LVBS_E_NOSYS },
		{ LVBS_HC(0xffffffffu), 0, INFO_SZ, LVBS_E_NOSYS },
		/* Size first: wins over a misaligned GPA inside the hypervisor. */
		{ GI, 1, 0, LVBS_E_INVAL },
		{ GI, 1, 4, LVBS_E_INVAL },
		{ GI, 0, INFO_SZ - 1, LVBS_E_INVAL },
		{ GI, 1, LVBS_MAX_XFER + 1, LVBS_E_TOOBIG },
		{ GI, 0, ~0ULL, LVBS_E_TOOBIG },
		/* Then alignment: wins over the range. */
		{ GI, 4, INFO_SZ, LVBS_E_ALIGN },
		{ GI, 0xfffffffffffffffcULL, INFO_SZ, LVBS_E_ALIGN },
		/* Then the range. */
		{ GI, 2, INFO_SZ, LVBS_E_RANGE },	/* 2 = hypervisor base */
		{ GI, 3, INFO_SZ, LVBS_E_RANGE },	/* 3 = straddles its start */
		{ GI, 5, INFO_SZ, LVBS_E_RANGE },	/* 5 = hypervisor mid */
		{ GI, 6, INFO_SZ, LVBS_E_RANGE },	/* 6 = straddles RAM's end */
		{ GI, 7, INFO_SZ, LVBS_E_RANGE },	/* 7 = just below RAM */
		{ GI, 8, INFO_SZ, LVBS_E_RANGE },	/* 8 = just above RAM */
		{ GI, 1ULL << 46, INFO_SZ, LVBS_E_RANGE },
		{ GI, 1ULL << 50, INFO_SZ, LVBS_E_RANGE },	/* above phys_limit */
		{ GI, 0xfffffffffffffff8ULL, INFO_SZ, LVBS_E_RANGE },	/* wraps */
		{ GI, 0xfffffffffffff000ULL, 4096, LVBS_E_RANGE },	/* ends at 2^64 */
		{ GI, 0xffffffffffff0000ULL, LVBS_MAX_XFER, LVBS_E_RANGE },
		/* The buffer, not only the structure, must stay out of the hypervisor. */
		{ GI, 9, 4096, LVBS_E_RANGE },		/* 9 = hv base - INFO_SZ */
		{ GI, 9, INFO_SZ + 8, LVBS_E_RANGE },
		{ GS, 0, STATS_SZ - 1, LVBS_E_INVAL },
		{ GS, 4, STATS_SZ, LVBS_E_ALIGN },
		{ GS, 3, STATS_SZ, LVBS_E_RANGE },
		{ GS, 10, 4096, LVBS_E_RANGE },		/* 10 = hv base - STATS_SZ */
		{ RL, 0, ENTRY - 1, LVBS_E_INVAL },
		{ RL, 0, LVBS_MAX_XFER + ENTRY, LVBS_E_TOOBIG },
		{ RL, 4, ENTRY, LVBS_E_ALIGN },
		{ RL, 2, 4 * ENTRY, LVBS_E_RANGE },
		{ RL, 11, 2 * ENTRY + ENTRY / 2, LVBS_E_RANGE },	/* tail in hv */
	};
	struct hv_cpu *c = hv_cpu_of(0);
	u8 *area = data();
	u64 area_len = ram_end() - data_gpa();	/* data page .. end of hv region */
	u64 hv_base, gpa;

	stub_reset();
	hv_base = hv.hv_phys;
	add_events(3, 0);
	memset(area, PAT, area_len);
	for (u32 i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 seq = hv.log.next_seq;
		long r;

		gpa = case_gpa(cases[i].gpa);
		r = hc(cases[i].nr, gpa, cases[i].size, 1);
		if (r != cases[i].want)
			test_fail(__FILE__, __LINE__, "case %u: status %ld, want %ld",
				  i, r, cases[i].want);
		CHECK_EQ(c->hypercalls_failed, i + 1);
		CHECK_EQ(hv.log.next_seq, seq + 1);
		CHECK_EQ(ev()->kind, LVBS_EV_BAD_HYPERCALL);
		CHECK_EQ(ev()->action, LVBS_ACT_ERROR);
		CHECK_EQ(ev()->cpu, 0);
		CHECK_EQ(ev()->info0, cases[i].nr);
		CHECK_EQ(ev()->info1, (u64)cases[i].want);
		CHECK_EQ(fake[0].rip, hc_rip + 3);
		/* Outputs not documented for a failure are preserved. */
		CHECK_EQ(c->regs[REG_RBX], gpa);
		CHECK_EQ(c->regs[REG_RCX], cases[i].size);
		CHECK_EQ(c->regs[REG_RDX], 1);
	}
	CHECK(filled(area, PAT, area_len));
	CHECK_EQ(c->exits[LVBS_EXIT_HYPERCALL], ARRAY_SIZE(cases));
	CHECK_EQ(fake[0].injected, 0);

	/* The edges that are allowed: right below the hypervisor, MAX_XFER. */
	CHECK_EQ(hc(GI, hv_base - INFO_SZ, INFO_SZ, 0), LVBS_OK);
	CHECK_EQ(((struct lvbs_info *)(hv_base - INFO_SZ))->abi_version, LVBS_ABI_VERSION);
	CHECK(filled(area, PAT, hv_base - INFO_SZ - data_gpa()));
	CHECK(filled((void *)hv_base, PAT, HV_REGION));
	CHECK_EQ(hc(GI, data_gpa(), LVBS_MAX_XFER, 0), LVBS_OK);
	CHECK_EQ(((struct lvbs_info *)data())->size, INFO_SZ);
	CHECK(filled(area + INFO_SZ, PAT, LVBS_MAX_XFER - INFO_SZ));
	CHECK_EQ(hc(RL, hv_base - 2 * ENTRY, 2 * ENTRY, 1), 2);
	CHECK(filled((void *)hv_base, PAT, HV_REGION));
	CHECK_EQ(c->hypercalls_failed, ARRAY_SIZE(cases));
}

TEST(hc_get_stats_fields_and_index)
{
	struct lvbs_cpu_stats *st = (struct lvbs_cpu_stats *)data();
	struct hv_cpu *c1;

	stub_reset();
	c1 = hv_cpu_of(1);
	c1->apic_id = 7;
	c1->exits_total = 1000;
	for (u32 i = 0; i < LVBS_EXIT_KIND_SLOTS; i++)
		c1->exits[i] = 100 + i;
	c1->hypercalls_failed = 5;
	c1->stores_dropped = 3;

	memset(data(), PAT, 4096);
	CHECK_EQ(hc(GS, data_gpa(), 4096, 1), LVBS_OK);
	CHECK_EQ(st->size, STATS_SZ);
	CHECK_EQ(st->size, 168);
	CHECK_EQ(st->stores_dropped, 3);
	CHECK_EQ(st->cpu, 1);
	CHECK_EQ(st->apic_id, 7);
	CHECK_EQ(st->nr_kinds, LVBS_EXIT_KIND_MAX);
	CHECK_EQ(st->exits_total, 1000);
	for (u32 i = 0; i < LVBS_EXIT_KIND_SLOTS; i++)
		CHECK_EQ(st->exits[i], 100 + i);
	CHECK_EQ(st->hypercalls_failed, 5);
	CHECK(filled(data() + STATS_SZ, PAT, 4096 - STATS_SZ));

	/* The calling CPU's own stats include the call being made. */
	CHECK_EQ(hc(GS, data_gpa(), STATS_SZ, 0), LVBS_OK);
	CHECK_EQ(st->cpu, 0);
	CHECK_EQ(st->exits_total, 2);
	CHECK_EQ(st->exits[LVBS_EXIT_HYPERCALL], 2);
	CHECK_EQ(st->hypercalls_failed, 0);

	/* Index checks; 2^32 and 2^32+1 must not alias CPUs 0 and 1. */
	memset(data(), PAT, 4096);
	CHECK_EQ(hc(GS, data_gpa(), STATS_SZ, FAKE_CPUS), LVBS_E_RANGE);
	CHECK_EQ(hc(GS, data_gpa(), STATS_SZ, 1ULL << 32), LVBS_E_RANGE);
	CHECK_EQ(hc(GS, data_gpa(), STATS_SZ, (1ULL << 32) + 1), LVBS_E_RANGE);
	CHECK_EQ(hc(GS, data_gpa(), STATS_SZ, ~0ULL), LVBS_E_RANGE);
	/* Size is checked before the index. */
	CHECK_EQ(hc(GS, data_gpa(), 0, 99), LVBS_E_INVAL);
	CHECK_EQ(hc(GS, data_gpa(), LVBS_MAX_XFER + 1, 99), LVBS_E_TOOBIG);
	CHECK(filled(data(), PAT, 4096));
	CHECK_EQ(hv_cpu_of(0)->hypercalls_failed, 6);
}

TEST(hc_read_log_pages_through_with_a_small_buffer)
{
	struct lvbs_log_entry *out = (struct lvbs_log_entry *)data();
	struct hv_cpu *c = hv_cpu_of(0);

	stub_reset();
	add_events(5, 100);
	memset(data(), PAT, 4096);
	CHECK_EQ(hc(RL, data_gpa(), 2 * ENTRY, 1), 2);
	CHECK_EQ(c->regs[REG_RBX], 3);		/* next */
	CHECK_EQ(c->regs[REG_RCX], 0);		/* lost */
	CHECK_EQ(c->regs[REG_RDX], 1);
	CHECK_EQ(out[0].seq, 1);
	CHECK_EQ(out[0].kind, LVBS_EV_LAUNCH);
	CHECK_EQ(out[0].cpu, 1);
	CHECK_EQ(out[0].count, 1);
	CHECK_EQ(out[0].info0, 100);
	CHECK_EQ(out[1].seq, 2);
	CHECK_EQ(out[1].info0, 101);
	CHECK(filled(&out[2], PAT, 4096 - 2 * ENTRY));

	/* Continue from "next"; a partial entry at the end is left alone. */
	memset(data(), PAT, 4096);
	CHECK_EQ(hc(RL, data_gpa(), 2 * ENTRY + ENTRY / 2, c->regs[REG_RBX]), 2);
	CHECK_EQ(c->regs[REG_RBX], 5);
	CHECK_EQ(out[0].seq, 3);
	CHECK_EQ(out[1].seq, 4);
	CHECK_EQ(out[1].info0, 103);
	CHECK(filled(&out[2], PAT, 4096 - 2 * ENTRY));
	CHECK_EQ(hc(RL, data_gpa(), 2 * ENTRY, c->regs[REG_RBX]), 1);
	CHECK_EQ(c->regs[REG_RBX], 6);
	CHECK_EQ(out[0].seq, 5);
	CHECK_EQ(out[0].info0, 104);

	/* Nothing newer: 0, next unchanged, nothing written. */
	memset(data(), PAT, 4096);
	CHECK_EQ(hc(RL, data_gpa(), 2 * ENTRY, 6), 0);
	CHECK_EQ(c->regs[REG_RBX], 6);
	CHECK_EQ(c->regs[REG_RCX], 0);
	CHECK_EQ(hc(RL, data_gpa(), 2 * ENTRY, 100), 0);
	CHECK_EQ(c->regs[REG_RBX], 100);
	CHECK(filled(data(), PAT, 4096));

	/* From 0 means from the start. */
	CHECK_EQ(hc(RL, data_gpa(), ENTRY, 0), 1);
	CHECK_EQ(out[0].seq, 1);
	CHECK_EQ(c->regs[REG_RBX], 2);
	CHECK_EQ(c->hypercalls_failed, 0);

	/* Less than one entry: refused, RBX/RCX preserved, logged. */
	memset(data(), PAT, 4096);
	CHECK_EQ(hc(RL, data_gpa(), ENTRY - 1, 1), LVBS_E_INVAL);
	CHECK_EQ(c->regs[REG_RBX], data_gpa());
	CHECK_EQ(c->regs[REG_RCX], ENTRY - 1);
	CHECK_EQ(hc(RL, data_gpa(), 0, 1), LVBS_E_INVAL);
	CHECK(filled(data(), PAT, 4096));
	CHECK_EQ(c->hypercalls_failed, 2);
	CHECK_EQ(ev()->kind, LVBS_EV_BAD_HYPERCALL);
	CHECK_EQ(ev()->seq, 7);
}

TEST(hc_read_log_chunks_and_counts_losses)
{
	struct lvbs_log_entry *out = (struct lvbs_log_entry *)data();
	struct hv_cpu *c = hv_cpu_of(0);
	bool in_order = true;

	stub_reset();
	add_events(20, 0);
	/* More than one internal chunk (8), and exactly at its edges. */
	CHECK_EQ(hc(RL, data_gpa(), 64 * ENTRY, 1), 20);
	CHECK_EQ(c->regs[REG_RBX], 21);
	for (u32 i = 0; i < 20; i++)
		if (out[i].seq != i + 1 || out[i].info0 != i)
			in_order = false;
	CHECK(in_order);
	CHECK_EQ(hc(RL, data_gpa(), 8 * ENTRY, 1), 8);
	CHECK_EQ(c->regs[REG_RBX], 9);
	CHECK_EQ(hc(RL, data_gpa(), 9 * ENTRY, 1), 9);
	CHECK_EQ(c->regs[REG_RBX], 10);
	CHECK_EQ(out[8].seq, 9);
	CHECK_EQ(hc(RL, data_gpa(), 16 * ENTRY, 5), 16);
	CHECK_EQ(out[15].seq, 20);
	CHECK_EQ(c->regs[REG_RBX], 21);

	/* Wrap the 64-entry ring: seqs 1..16 are gone. */
	add_events(60, 20);
	CHECK_EQ(hv.log.next_seq, 81);
	CHECK_EQ(hc(RL, data_gpa(), 4 * ENTRY, 1), 4);
	CHECK_EQ(c->regs[REG_RBX], 21);
	CHECK_EQ(c->regs[REG_RCX], 16);
	CHECK_EQ(out[0].seq, 17);
	CHECK_EQ(out[0].info0, 16);
	CHECK_EQ(hc(RL, data_gpa(), 64 * ENTRY, 10), 64);
	CHECK_EQ(c->regs[REG_RBX], 81);
	CHECK_EQ(c->regs[REG_RCX], 7);
	CHECK_EQ(out[63].seq, 80);
	CHECK_EQ(out[63].info0, 79);
	CHECK_EQ(hc(RL, data_gpa(), 64 * ENTRY, 17), 64);
	CHECK_EQ(c->regs[REG_RCX], 0);
	/* The largest buffer: only what exists is copied. */
	memset(data(), PAT, LVBS_MAX_XFER);
	CHECK_EQ(hc(RL, data_gpa(), LVBS_MAX_XFER, 1), 64);
	CHECK_EQ(c->regs[REG_RCX], 16);
	CHECK(filled(&out[64], PAT, LVBS_MAX_XFER - 64 * ENTRY));
}

TEST(hc_launch_abort_only_while_a_launch_fails)
{
	struct hv_cpu *c = hv_cpu_of(0);
	jmp_buf jb;

	stub_reset();
	stub_abort_jmp = &jb;
	if (!setjmp(jb)) {
		CHECK_EQ(hc(LVBS_HC(LVBS_HC_LAUNCH_ABORT), 0, 0, 0), LVBS_E_PERM);
		hv.cpus_failed = 1;
		c->state = CPU_LAUNCHING;
		CHECK_EQ(hc(LVBS_HC(LVBS_HC_LAUNCH_ABORT), 0, 0, 0), LVBS_E_PERM);
	}
	CHECK_EQ(fake[0].aborted, 0);
	CHECK_EQ(c->hypercalls_failed, 2);

	/* Allowed: leaves through arch_abort with RIP already past the call. */
	hv.cpus_failed = 1;
	c->state = CPU_RUNNING;
	if (!setjmp(jb)) {
		hc(LVBS_HC(LVBS_HC_LAUNCH_ABORT), 0, 0, 0);
		CHECK(!"LAUNCH_ABORT returned");
	}
	stub_abort_jmp = NULL;
	CHECK_EQ(fake[0].aborted, 1);
	CHECK_EQ(fake[0].rip, hc_rip + 3);
	CHECK_EQ(c->hypercalls_failed, 2);
	CHECK_EQ(c->exits[LVBS_EXIT_HYPERCALL], 3);
}

TEST(hypercall_from_cpl_above_0_is_not_dispatched)
{
	struct hv_cpu *c = hv_cpu_of(0);

	stub_reset();
	memset(data(), PAT, 4096);
	for (u32 cpl = 1; cpl <= 3; cpl++) {
		fake[0].cpl = cpl;
		fake[0].rip = 0x401000 + cpl;
		fake[0].next_rip = 0x401003 + cpl;
		fake[0].has_nrip = true;
		c->regs[REG_RAX] = GI;
		c->regs[REG_RBX] = data_gpa();
		c->regs[REG_RCX] = INFO_SZ;
		vcpu_handle_hypercall(c);
		CHECK_EQ(fake[0].injected, cpl);
		CHECK_EQ(fake[0].inj_vec, X86_VEC_UD);
		CHECK_EQ(fake[0].inj_has_err, 0);
		CHECK_EQ(fake[0].rip, 0x401000 + cpl);
		CHECK_EQ(c->regs[REG_RAX], GI);
		CHECK_EQ(c->regs[REG_RBX], data_gpa());
		CHECK_EQ(c->regs[REG_RCX], INFO_SZ);
		CHECK_EQ(ev()->seq, cpl);
		CHECK_EQ(ev()->kind, LVBS_EV_USER_HYPERCALL);
		CHECK_EQ(ev()->access, LVBS_ACC_USER);
		CHECK_EQ(ev()->action, LVBS_ACT_INJECT_UD);
		CHECK_EQ(ev()->rip, 0x401000 + cpl);
		CHECK_EQ(ev()->info0, cpl);
		CHECK_EQ(ev()->info1, GI);
	}
	CHECK(filled(data(), PAT, 4096));
	CHECK_EQ(c->hypercalls_failed, 0);
	CHECK_EQ(c->exits[LVBS_EXIT_HYPERCALL], 3);
}

/* Put bytes at offset off of the guest page at page_gpa; RIP untouched. */
static void poke(u64 page_gpa, u32 off, const u8 *b, u32 n)
{
	memcpy((u8 *)page_gpa + off, b, n);
}

/* The call at rip is decoded: RIP advanced by len, the call dispatched. */
static void expect_skip(u64 rip, u32 len)
{
	struct hv_cpu *c = hv_cpu_of(0);
	u32 inj = fake[0].injected;

	fake[0].rip = rip;
	c->regs[REG_RAX] = LVBS_HC(0x7777);
	vcpu_handle_hypercall(c);
	CHECK_EQ(fake[0].rip, rip + len);
	CHECK_EQ((s64)c->regs[REG_RAX], LVBS_E_NOSYS);
	CHECK_EQ(fake[0].injected, inj);
}

/* #UD, insn_decode logged, RIP unchanged, nothing dispatched. */
static void expect_ud(u64 rip, u32 op)
{
	struct hv_cpu *c = hv_cpu_of(0);
	u32 inj = fake[0].injected;
	u64 failed = c->hypercalls_failed;

	fake[0].rip = rip;
	c->regs[REG_RAX] = LVBS_HC(0x7777);
	vcpu_handle_hypercall(c);
	CHECK_EQ(fake[0].rip, rip);
	CHECK_EQ(fake[0].injected, inj + 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_UD);
	CHECK_EQ(c->regs[REG_RAX], LVBS_HC(0x7777));
	CHECK_EQ(c->hypercalls_failed, failed);
	CHECK_EQ(ev()->kind, LVBS_EV_INSN_DECODE);
	CHECK_EQ(ev()->action, LVBS_ACT_INJECT_UD);
	CHECK_EQ(ev()->info0, op);
	CHECK_EQ(ev()->rip, rip);
}

TEST(hypercall_next_rip_from_the_guest_page_tables)
{
	static const u8 lock_vmmcall[] = { 0xf0, 0x0f, 0x01, 0xd9 };
	static const u8 rex_vmmcall[] = { 0x48, 0x0f, 0x01, 0xd9 };
	static const u8 two_prefixes[] = { 0x2e, 0x66, 0x0f, 0x01, 0xd9 };
	static const u8 vmcall[] = { 0x0f, 0x01, 0xc1 };
	static const u8 vmrun[] = { 0x0f, 0x01, 0xd8 };
	u64 page, page2;

	stub_reset();
	page = (u64)guest.ram + CODE_PAGE_OFF;
	page2 = page + PAGE_SIZE;
	guest_code(0, vmmcall, sizeof(vmmcall));

	/* A next RIP the CPU offers but that cannot be right is not used. */
	fake[0].has_nrip = true;
	fake[0].next_rip = CODE_GVA;
	expect_skip(CODE_GVA, 3);
	fake[0].next_rip = CODE_GVA - 3;
	expect_skip(CODE_GVA, 3);
	fake[0].next_rip = CODE_GVA + INSN_MAX_LEN + 1;
	expect_skip(CODE_GVA, 3);
	fake[0].next_rip = CODE_GVA + INSN_MAX_LEN;	/* plausible: trusted */
	fake[0].rip = CODE_GVA;
	vcpu_handle_hypercall(hv_cpu_of(0));
	CHECK_EQ(fake[0].rip, CODE_GVA + INSN_MAX_LEN);
	fake[0].has_nrip = false;

	poke(page, 0x100, rex_vmmcall, sizeof(rex_vmmcall));
	expect_skip(CODE_GVA + 0x100, 4);
	poke(page, 0x200, two_prefixes, sizeof(two_prefixes));
	expect_skip(CODE_GVA + 0x200, 5);
	poke(page, 0x300, lock_vmmcall, sizeof(lock_vmmcall));
	expect_ud(CODE_GVA + 0x300, INSN_VMMCALL);
	poke(page, 0x400, vmrun, sizeof(vmrun));
	expect_ud(CODE_GVA + 0x400, INSN_VMMCALL);

	/* Across a page boundary: both pages mapped, then the second not. */
	poke(page, PAGE_SIZE - 2, vmmcall, 2);
	poke(page2, 0, vmmcall + 2, 1);
	expect_ud(CODE_GVA + PAGE_SIZE - 2, INSN_VMMCALL);
	guest_map(CODE_GVA + PAGE_SIZE, page2);
	expect_skip(CODE_GVA + PAGE_SIZE - 2, 3);

	/* RIP not mapped at all. */
	expect_ud(CODE_GVA + 0x200000, INSN_VMMCALL);

	/* Code "in" hypervisor memory: the bytes are never read. */
	poke(hv.hv_phys, 0, vmmcall, sizeof(vmmcall));
	guest_map(CODE_GVA + 0x10000, hv.hv_phys);
	expect_ud(CODE_GVA + 0x10000, INSN_VMMCALL);

	/* Code beyond RAM (e.g. MMIO): not read either. */
	guest_map(CODE_GVA + 0x11000, ram_end() + 0x100000);
	expect_ud(CODE_GVA + 0x11000, INSN_VMMCALL);

	/* Without long mode paging nothing can be walked. */
	fake[0].efer &= ~EFER_LMA;
	expect_ud(CODE_GVA, INSN_VMMCALL);
	fake[0].efer |= EFER_LMA;
	fake[0].cr0 &= ~X86_CR0_PG;
	expect_ud(CODE_GVA, INSN_VMMCALL);
	fake[0].cr0 |= X86_CR0_PG;
	expect_skip(CODE_GVA, 3);

	/* The VMX backend expects VMCALL, not VMMCALL. */
	hv.caps.vendor = LVBS_VENDOR_VMX;
	expect_ud(CODE_GVA, INSN_VMCALL);
	poke(page, 0x500, vmcall, sizeof(vmcall));
	expect_skip(CODE_GVA + 0x500, 3);
}
