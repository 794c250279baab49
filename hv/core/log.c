// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's event ring (see log.h). Writers are exit handlers on any
 * CPU, readers the READ_LOG hypercall and the panic path; one ticket lock
 * serialises them. Sequence numbers only grow, so a reader that keeps the
 * "next" value it was given can tell exactly how many entries it missed.
 */
#include <hv/types.h>
#include "log.h"

void hv_log_init(struct hv_log *l, struct lvbs_log_entry *ring, u32 capacity)
{
	u32 i;

	/* The slot of seq s is s & (capacity - 1): round down to a power of two. */
	while (capacity & (capacity - 1))
		capacity &= capacity - 1;
	l->lock = (struct spinlock){ 0 };
	l->next_seq = 1;
	l->ring = ring;
	l->capacity = ring ? capacity : 0;
	l->win_start = 0;
	l->win_used = 0;
	l->win_dropped = 0;
	l->dropped = 0;
	for (i = 0; i < l->capacity; i++)
		memset(&ring[i], 0, sizeof(ring[i]));
}

static bool same_event(const struct lvbs_log_entry *a, const struct lvbs_log_entry *b)
{
	return a->kind == b->kind && a->cpu == b->cpu && a->rip == b->rip &&
	       a->gpa == b->gpa && a->access == b->access &&
	       a->action == b->action && a->info0 == b->info0;
}

/* Fold e into the newest entry if it repeats it. Lock held. */
static u64 fold(struct hv_log *l, const struct lvbs_log_entry *e)
{
	struct lvbs_log_entry *slot;
	u64 seq;

	if (l->next_seq <= 1)
		return 0;
	seq = l->next_seq - 1;
	slot = &l->ring[seq & (l->capacity - 1)];
	if (!same_event(slot, e))
		return 0;
	/* Keep the first occurrence's tsc/gva/info1; saturate. */
	if (slot->count != 0xffffffffu)
		slot->count++;
	return seq;
}

/* Append e as a new entry. Lock held. */
static u64 append(struct hv_log *l, const struct lvbs_log_entry *e)
{
	u64 seq = l->next_seq++;
	struct lvbs_log_entry *slot = &l->ring[seq & (l->capacity - 1)];

	*slot = *e;
	slot->seq = seq;
	slot->count = 1;
	slot->reserved = 0;
	slot->reserved2 = 0;
	return seq;
}

u64 hv_log_add(struct hv_log *l, const struct lvbs_log_entry *e)
{
	u64 seq;

	if (!l || !e || !l->capacity)
		return 0;
	spin_lock(&l->lock);
	seq = fold(l, e);
	if (!seq)
		seq = append(l, e);
	spin_unlock(&l->lock);
	return seq;
}

u64 hv_log_add_limited(struct hv_log *l, const struct lvbs_log_entry *e)
{
	u64 seq;

	if (!l || !e || !l->capacity)
		return 0;
	spin_lock(&l->lock);
	if (e->tsc - l->win_start >= HV_LOG_WINDOW_TSC) {
		if (l->win_dropped) {
			struct lvbs_log_entry note = {
				.tsc = e->tsc, .kind = LVBS_EV_RATE_LIMITED, .cpu = 0xffff,
				.info0 = l->win_dropped,
			};

			append(l, &note);
		}
		l->win_start = e->tsc;
		l->win_used = 0;
		l->win_dropped = 0;
	}
	seq = fold(l, e);
	if (!seq && l->win_used < HV_LOG_WINDOW_MAX) {
		l->win_used++;
		seq = append(l, e);
	} else if (!seq) {
		l->win_dropped++;
		l->dropped++;
	}
	spin_unlock(&l->lock);
	return seq;
}

u32 hv_log_read(struct hv_log *l, u64 from, struct lvbs_log_entry *out, u32 max,
		u64 *next, u64 *lost)
{
	u64 oldest, start, nlost = 0, avail;
	u32 i, n;

	if (!l || (!out && max)) {
		if (next)
			*next = from;
		if (lost)
			*lost = 0;
		return 0;
	}
	spin_lock(&l->lock);
	/* Entries [oldest, next_seq) are still in the ring. */
	oldest = l->next_seq > l->capacity ? l->next_seq - l->capacity : 1;
	start = from ? from : 1;
	if (start < oldest) {
		nlost = oldest - start;
		start = oldest;
	}
	avail = start < l->next_seq ? l->next_seq - start : 0;
	n = (u32)MIN((u64)max, avail);
	for (i = 0; i < n; i++)
		out[i] = l->ring[(start + i) & (l->capacity - 1)];
	spin_unlock(&l->lock);
	if (next)
		*next = start + n;
	if (lost)
		*lost = nlost;
	return n;
}

/* Fixed-width names: no pointer table, so no relocations in the image. */
static const char hv_event_names[LVBS_EV_MAX][16] = {
	[LVBS_EV_NONE]			= "none",
	[LVBS_EV_LAUNCH]		= "launch",
	[LVBS_EV_LAUNCH_FAIL]		= "launch_fail",
	[LVBS_EV_LAUNCH_ABORT]		= "launch_abort",
	[LVBS_EV_HV_MEM_ACCESS]		= "hv_mem_access",
	[LVBS_EV_SLAT_UNMAPPED]		= "slat_unmapped",
	[LVBS_EV_BAD_HYPERCALL]		= "bad_hypercall",
	[LVBS_EV_USER_HYPERCALL]	= "user_hypercall",
	[LVBS_EV_VIRT_INSN]		= "virt_insn",
	[LVBS_EV_MSR_DENIED]		= "msr_denied",
	[LVBS_EV_SHUTDOWN]		= "shutdown",
	[LVBS_EV_UNHANDLED_EXIT]	= "unhandled_exit",
	[LVBS_EV_INSN_DECODE]		= "insn_decode",
	[LVBS_EV_CR_PIN]		= "cr_pin",
	[LVBS_EV_CR_INVALID]		= "cr_invalid",
	[LVBS_EV_MSR_PIN]		= "msr_pin",
	[LVBS_EV_DT_PIN]		= "dt_pin",
	[LVBS_EV_MEM_VIOLATION]		= "mem_violation",
	[LVBS_EV_PROT_DENIED]		= "prot_denied",
	[LVBS_EV_PATCH_DENIED]		= "patch_denied",
	[LVBS_EV_SEAL]			= "seal",
	[LVBS_EV_RATE_LIMITED]		= "rate_limited",
	[LVBS_EV_SLAT_COARSE]		= "slat_coarse",
	[LVBS_EV_SLAT_FULL]		= "slat_full",
	[LVBS_EV_KEY_ADDED]		= "key_added",
	[LVBS_EV_KEY_DENIED]		= "key_denied",
	[LVBS_EV_BLACKLIST]		= "blacklist",
	[LVBS_EV_MODULE_CHECKED]	= "module_checked",
	[LVBS_EV_MODULE_COMPARED]	= "module_compared",
};

const char *hv_event_name(u32 kind)
{
	if (kind >= LVBS_EV_MAX)
		return "unknown";
	return hv_event_names[kind];
}
