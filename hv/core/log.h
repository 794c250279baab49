/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's event and violation log: a fixed ring of
 * struct lvbs_log_entry in hypervisor memory, read by the guest through
 * LVBS_HC_READ_LOG and printed on the serial port on a hypervisor panic.
 */
#ifndef HV_CORE_LOG_H
#define HV_CORE_LOG_H

#include <hv/types.h>
#include <hv/spinlock.h>
#include <lvbs/abi.h>

struct hv_log {
	struct spinlock lock;
	u64 next_seq;			/* seq of the next new entry; starts at 1 */
	u32 capacity;			/* power of two */
	struct lvbs_log_entry *ring;	/* entry with seq s lives at s & (capacity-1) */
	u64 win_start;			/* rate limiting: start (TSC) of this window */
	u32 win_used;			/* new entries in this window */
	u64 win_dropped;		/* events not logged in this window */
	u64 dropped;			/* events not logged, ever */
};

/*
 * Rate limiting: at most HV_LOG_WINDOW_MAX new entries per window of
 * HV_LOG_WINDOW_TSC cycles (about a second). Repeats of the newest entry
 * are only counted and always get through. What is dropped is counted and
 * reported by one rate_limited entry when the next window opens. Only the
 * log is limited: enforcement never is.
 */
#define HV_LOG_WINDOW_TSC	(1ULL << 31)
#define HV_LOG_WINDOW_MAX	64

void hv_log_init(struct hv_log *l, struct lvbs_log_entry *ring, u32 capacity);

/*
 * Append e (its seq is ignored and assigned). If the newest entry has the
 * same kind, cpu, rip, gpa, access, action and info0, its count is raised
 * instead (a storm of one event takes one slot). Returns the entry's seq.
 */
u64 hv_log_add(struct hv_log *l, const struct lvbs_log_entry *e);

/* The same, rate-limited on e->tsc. Returns 0 if the event was dropped. */
u64 hv_log_add_limited(struct hv_log *l, const struct lvbs_log_entry *e);

/*
 * Copy up to max entries with seq >= from, oldest first, into out.
 * *next = seq to ask for next time; *lost = entries with seq >= from that were
 * overwritten before they could be read. Returns the number copied.
 */
u32 hv_log_read(struct hv_log *l, u64 from, struct lvbs_log_entry *out, u32 max,
		u64 *next, u64 *lost);

const char *hv_event_name(u32 kind);

#endif
