// SPDX-License-Identifier: GPL-2.0
/* Tests of hv/core/log.c: sequence numbers, folding, wrap-around, names. */
#include <string.h>
#include <hv/types.h>
#include "core/log.h"
#include "test.h"

static struct lvbs_log_entry ev(u16 kind, u64 rip, u64 info0)
{
	return (struct lvbs_log_entry){
		.seq = 999, .tsc = 0x1000 + rip, .kind = kind, .cpu = 1,
		.access = LVBS_ACC_WRITE, .action = LVBS_ACT_INJECT_GP,
		.count = 77, .rip = rip, .gpa = 0x5000, .gva = 0xffff0000,
		.info0 = info0, .info1 = 42,
	};
}

TEST(log_seq_and_fields)
{
	struct lvbs_log_entry ring[8], out[10], e;
	struct hv_log l;
	u64 next = 0, lost = 9;
	u32 n;

	hv_log_init(&l, ring, 8);
	CHECK_EQ(l.next_seq, 1);
	e = ev(LVBS_EV_MSR_DENIED, 0x100, 1);
	CHECK_EQ(hv_log_add(&l, &e), 1);
	e = ev(LVBS_EV_MSR_DENIED, 0x100, 2);
	CHECK_EQ(hv_log_add(&l, &e), 2);
	e = ev(LVBS_EV_SHUTDOWN, 0x200, 0);
	CHECK_EQ(hv_log_add(&l, &e), 3);
	n = hv_log_read(&l, 0, out, 10, &next, &lost);
	CHECK_EQ(n, 3);
	CHECK_EQ(next, 4);
	CHECK_EQ(lost, 0);
	CHECK_EQ(out[0].seq, 1);
	CHECK_EQ(out[1].seq, 2);
	CHECK_EQ(out[2].seq, 3);
	CHECK_EQ(out[0].count, 1);
	CHECK_EQ(out[0].kind, LVBS_EV_MSR_DENIED);
	CHECK_EQ(out[0].cpu, 1);
	CHECK_EQ(out[0].rip, 0x100);
	CHECK_EQ(out[0].gpa, 0x5000);
	CHECK_EQ(out[0].gva, 0xffff0000);
	CHECK_EQ(out[0].tsc, 0x1100);
	CHECK_EQ(out[1].info0, 2);
	CHECK_EQ(out[1].info1, 42);
	CHECK_EQ(out[2].kind, LVBS_EV_SHUTDOWN);
	/* Nothing new. */
	n = hv_log_read(&l, next, out, 10, &next, &lost);
	CHECK_EQ(n, 0);
	CHECK_EQ(next, 4);
	CHECK_EQ(lost, 0);
}

TEST(log_folding)
{
	struct lvbs_log_entry ring[4], out[4], e;
	struct hv_log l;
	u64 next, lost;
	u32 i;

	hv_log_init(&l, ring, 4);
	e = ev(LVBS_EV_HV_MEM_ACCESS, 0x100, 7);
	for (i = 0; i < 5; i++)
		CHECK_EQ(hv_log_add(&l, &e), 1);
	e.info1 = 43;		/* not part of the identity */
	e.tsc = 5;
	CHECK_EQ(hv_log_add(&l, &e), 1);
	e.info0 = 8;		/* is */
	CHECK_EQ(hv_log_add(&l, &e), 2);
	e.info0 = 7;		/* not consecutive any more */
	CHECK_EQ(hv_log_add(&l, &e), 3);
	e.cpu = 2;
	CHECK_EQ(hv_log_add(&l, &e), 4);
	CHECK_EQ(hv_log_read(&l, 1, out, 4, &next, &lost), 4);
	CHECK_EQ(out[0].count, 6);
	CHECK_EQ(out[0].info1, 42);	/* first occurrence kept */
	CHECK_EQ(out[0].tsc, 0x1100);
	CHECK_EQ(out[1].count, 1);
	CHECK_EQ(out[2].count, 1);
	CHECK_EQ(next, 5);
	/* Each identity field breaks folding. */
	e = ev(LVBS_EV_HV_MEM_ACCESS, 0x100, 7);
	hv_log_init(&l, ring, 4);
	hv_log_add(&l, &e);
	e.gpa++;
	CHECK_EQ(hv_log_add(&l, &e), 2);
	e.access = LVBS_ACC_READ;
	CHECK_EQ(hv_log_add(&l, &e), 3);
	e.action = LVBS_ACT_NONE;
	CHECK_EQ(hv_log_add(&l, &e), 4);
	e.rip++;
	CHECK_EQ(hv_log_add(&l, &e), 5);
	e.kind = LVBS_EV_SLAT_UNMAPPED;
	CHECK_EQ(hv_log_add(&l, &e), 6);
	e.gva = 1;		/* gva is not part of the identity */
	CHECK_EQ(hv_log_add(&l, &e), 6);
}

TEST(log_wrap_and_lost)
{
	struct lvbs_log_entry ring[4], out[8], e;
	struct hv_log l;
	u64 next, lost;
	u32 i, n;

	hv_log_init(&l, ring, 4);
	for (i = 1; i <= 10; i++) {
		e = ev(LVBS_EV_VIRT_INSN, i, i);
		CHECK_EQ(hv_log_add(&l, &e), i);
	}
	CHECK_EQ(l.next_seq, 11);
	n = hv_log_read(&l, 1, out, 8, &next, &lost);
	CHECK_EQ(n, 4);
	CHECK_EQ(lost, 6);
	CHECK_EQ(next, 11);
	CHECK_EQ(out[0].seq, 7);
	CHECK_EQ(out[0].rip, 7);
	CHECK_EQ(out[3].seq, 10);
	CHECK_EQ(out[3].info0, 10);
	/* From the middle, a few at a time. */
	n = hv_log_read(&l, 8, out, 2, &next, &lost);
	CHECK_EQ(n, 2);
	CHECK_EQ(lost, 0);
	CHECK_EQ(out[0].seq, 8);
	CHECK_EQ(out[1].seq, 9);
	CHECK_EQ(next, 10);
	n = hv_log_read(&l, next, out, 2, &next, &lost);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].seq, 10);
	CHECK_EQ(next, 11);
	/* Reader fell behind by one. */
	n = hv_log_read(&l, 6, out, 1, &next, &lost);
	CHECK_EQ(n, 1);
	CHECK_EQ(lost, 1);
	CHECK_EQ(out[0].seq, 7);
	CHECK_EQ(next, 8);
	/* From the future. */
	n = hv_log_read(&l, 20, out, 8, &next, &lost);
	CHECK_EQ(n, 0);
	CHECK_EQ(lost, 0);
	CHECK_EQ(next, 20);
	/* max 0. */
	n = hv_log_read(&l, 1, out, 0, &next, &lost);
	CHECK_EQ(n, 0);
	CHECK_EQ(lost, 6);
	CHECK_EQ(next, 7);
	/* Folding into a wrapped slot. */
	CHECK_EQ(hv_log_add(&l, &e), 10);
	n = hv_log_read(&l, 10, out, 8, &next, &lost);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].count, 2);
}

TEST(log_capacity_edge_cases)
{
	struct lvbs_log_entry ring[6], out[8], e = ev(LVBS_EV_LAUNCH, 0, 0);
	struct hv_log l;
	u64 next, lost;
	u32 i;

	hv_log_init(&l, ring, 6);	/* rounded down to 4 */
	CHECK_EQ(l.capacity, 4);
	for (i = 0; i < 6; i++) {
		e.rip = i;
		hv_log_add(&l, &e);
	}
	CHECK_EQ(hv_log_read(&l, 0, out, 8, &next, &lost), 4);
	CHECK_EQ(lost, 2);
	CHECK_EQ(out[0].seq, 3);
	hv_log_init(&l, NULL, 8);
	CHECK_EQ(hv_log_add(&l, &e), 0);
	CHECK_EQ(hv_log_read(&l, 0, out, 8, &next, &lost), 0);
	hv_log_init(&l, ring, 1);
	CHECK_EQ(hv_log_add(&l, &e), 1);
	e.rip = 99;
	CHECK_EQ(hv_log_add(&l, &e), 2);
	CHECK_EQ(hv_log_read(&l, 1, out, 8, &next, &lost), 1);
	CHECK_EQ(out[0].rip, 99);
	CHECK_EQ(lost, 1);
	CHECK_EQ(hv_log_read(&l, 1, NULL, 8, &next, &lost), 0);
}

TEST(log_event_names)
{
	static const char *const want[LVBS_EV_MAX] = {
		"none", "launch", "launch_fail", "launch_abort", "hv_mem_access",
		"slat_unmapped", "bad_hypercall", "user_hypercall", "virt_insn",
		"msr_denied", "shutdown", "unhandled_exit", "insn_decode",
		"cr_pin", "cr_invalid", "msr_pin", "dt_pin", "mem_violation",
		"prot_denied", "patch_denied", "seal", "rate_limited",
		"slat_coarse", "slat_full", "key_added", "key_denied", "blacklist",
		"module_checked", "module_compared",
	};
	u32 i;

	for (i = 0; i < LVBS_EV_MAX; i++)
		CHECK_STR(hv_event_name(i), want[i]);
	CHECK_STR(hv_event_name(LVBS_EV_MAX), "unknown");
	CHECK_STR(hv_event_name(0xffffffffu), "unknown");
}

/* A storm of different events: the log takes a window's worth, counts the rest. */
TEST(log_rate_limited)
{
	static struct lvbs_log_entry ring[256];
	struct lvbs_log_entry e = { .kind = LVBS_EV_MEM_VIOLATION, .tsc = 1000 };
	struct hv_log l;
	u32 i;

	hv_log_init(&l, ring, 256);
	for (i = 0; i < HV_LOG_WINDOW_MAX + 10; i++) {
		e.gpa = 0x1000 * i;
		CHECK_EQ(hv_log_add_limited(&l, &e) != 0, i < HV_LOG_WINDOW_MAX);
	}
	CHECK_EQ(l.next_seq, HV_LOG_WINDOW_MAX + 1);
	CHECK_EQ(l.dropped, 10);
	/* Repeats of the newest entry still fold into it. */
	e.gpa = 0x1000 * (HV_LOG_WINDOW_MAX - 1);
	CHECK(hv_log_add_limited(&l, &e) != 0);
	CHECK_EQ(ring[HV_LOG_WINDOW_MAX & 255].count, 2);
	/* Next window: first a rate_limited entry with the count, then the event. */
	e.tsc += HV_LOG_WINDOW_TSC;
	e.gpa = 0x999000;
	CHECK_EQ(hv_log_add_limited(&l, &e), HV_LOG_WINDOW_MAX + 2);
	CHECK_EQ(ring[(HV_LOG_WINDOW_MAX + 1) & 255].kind, LVBS_EV_RATE_LIMITED);
	CHECK_EQ(ring[(HV_LOG_WINDOW_MAX + 1) & 255].info0, 10);
	CHECK_EQ(l.win_dropped, 0);
	CHECK_EQ(l.dropped, 10);
}
