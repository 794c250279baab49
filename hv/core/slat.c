// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory protection (see slat.h and docs/architecture.md).
 *
 * The permission database is the single source of truth; the SLAT is
 * rewritten from it range by range after every change, under one lock.
 * When a change removes a right, every other CPU that runs the guest is
 * kicked with an NMI and flushes its guest TLB before the hypercall
 * returns: CPUs in guest mode make no exits of their own.
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "hv.h"
#include "slat.h"
#include "textpatch.h"
#include "gwalk.h"
#include "exports.h"

static struct perm_entry perm_store[HV_PERM_RANGES];

/* Rights of memory nobody registered, and of memory given back. */
#define RIGHTS_DEFAULT	(PT_R | PT_W | PT_XS | PT_XU)

static u32 released_rights(void)
{
	/* With GMET user execute can stay: it does not let the kernel run it. */
	return hv.slat_state.gmet ? (PT_R | PT_W | PT_XU) : (PT_R | PT_W);
}

/* Pool pages one pt_map() may need at most: two splits per level. */
#define POOL_RESERVE	16

static bool pool_ok(void)
{
	return pt_pool_avail(&hv.pool) >= POOL_RESERVE;
}

/*
 * Grants on use (user JITs, W^X flips) stop taking tables this many pages
 * earlier than registration does, and go coarse instead: a process that
 * runs code in pages all over memory must not use up the tables a module
 * load needs to protect its memory (that load would then be refused, a
 * false positive). 64 pages cover a dozen module loads or more, and
 * unloads give theirs back.
 */
#define PROTECT_RESERVE	64

static bool grant_pool_ok(void)
{
	return pt_pool_avail(&hv.pool) >= POOL_RESERVE + PROTECT_RESERVE;
}

/*
 * Map [s, e) with perm: RAM with leaves of 2 MiB at most, so that a page
 * granted a right on use splits one 2 MiB block (one table page) and the
 * coarse fallback changes 2 MiB at a time; the rest (MMIO, holes) with
 * leaves as large as the format allows.
 */
static int map_piece(u64 s, u64 e, u32 perm)
{
	for (u32 m = 0; m < hv.mem.nr_ram && s < e; m++) {
		u64 rs = hv.mem.ram[m].start, re = hv.mem.ram[m].end, t;

		if (re <= s)
			continue;
		if (rs >= e)
			break;
		if (rs > s) {
			if (pt_map(&hv.slat, s, s, rs - s, perm))
				return -1;
			s = rs;
		}
		t = MIN(re, e);
		if (pt_map_max(&hv.slat, s, s, t - s, perm, 2))
			return -1;
		s = t;
	}
	return s < e ? pt_map(&hv.slat, s, s, e - s, perm) : 0;
}

/* Rewrite the SLAT for [start, end) from the database. Lock held. */
static int slat_apply(u64 start, u64 end)
{
	struct perm_db *db = &hv.slat_state.db;
	int i = perm_find(db, start);

	if (i < 0)
		return LVBS_E_RANGE;
	for (u32 k = (u32)i; k < db->nr && perm_start(db, k) < end; k++) {
		struct perm_range rg = perm_at(db, k);
		u64 s = MAX(rg.start, start), e = MIN(rg.end, end);

		if (!pool_ok() || map_piece(s, e, rg.perm & PERM_RIGHTS))
			return LVBS_E_TOOBIG;
	}
	return LVBS_OK;
}

/*
 * Rights of a page in the SLAT. For memory owned by nobody the database
 * holds the baseline and the SLAT the page's state on top of it (execute
 * granted on use, write taken away): per page, without a range each.
 */
static u32 slat_rights(u64 page)
{
	u32 perm = 0;

	if (pt_lookup(&hv.slat, page, NULL, &perm, NULL))
		return 0;
	/* Without GMET one execute bit means both modes. */
	if (!hv.slat_state.gmet && (perm & PT_X))
		perm |= PT_X;
	return perm;
}

int slat_init(bool gmet)
{
	struct hv_slat *s = &hv.slat_state;
	u64 limit = hv.mem.phys_limit;

	s->gmet = gmet;
	s->policy = LVBS_POLICY_ENFORCE;
	if (perm_init(&s->db, perm_store, HV_PERM_RANGES, limit, RIGHTS_DEFAULT))
		return LVBS_E_INVAL;
	/* The hypervisor's region: absent, for good. */
	if (perm_set_owned(&s->db, hv.hv_phys, hv.hv_phys + hv.hv_size,
			   PERM_IMMUTABLE, OWNER_HV, 0, NULL))
		return LVBS_E_INVAL;
	return slat_apply(0, limit) ? LVBS_E_TOOBIG : LVBS_OK;
}

/* ---- TLB shootdown ---- */

/*
 * Ack the current SLAT generation: this CPU's guest TLB is flushed by its
 * next VMRUN. Called on every exit just before re-entry, and by a CPU that
 * waits for acks (so that two CPUs waiting on each other both progress).
 */
void slat_tlb_sync(struct hv_cpu *c)
{
	u64 g = __atomic_load_n(&hv.slat_state.gen, __ATOMIC_SEQ_CST);

	if (__atomic_load_n(&c->slat_ack, __ATOMIC_RELAXED) != g) {
		arch_flush_guest_tlb(c);
		__atomic_store_n(&c->slat_ack, g, __ATOMIC_SEQ_CST);
	}
}

/*
 * An NMI exit. The kick flag is taken before the generation is read: a
 * sender that saw the flag still set (and so sent no NMI of its own) bumped
 * the generation before it looked, so the sync below sees its change. An
 * NMI that was not a kick was meant for the guest; one that was may have
 * been the guest's too (vcpu_queue_nmi), and the guest gets one either way.
 */
void slat_nmi_exit(struct hv_cpu *c)
{
	u32 kicked = __atomic_exchange_n(&c->kick_pending, 0, __ATOMIC_SEQ_CST);

	slat_tlb_sync(c);
	vcpu_queue_nmi(c, !kicked);
}

static bool waits_for(const struct hv_cpu *t)
{
	return __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == CPU_RUNNING && !t->halted;
}

/* About 5 s at 3 GHz: only a CPU that stopped answering NMIs takes this long. */
#define SHOOTDOWN_TIMEOUT_TSC	(1ULL << 34)

/* Called without the lock, after the SLAT was changed. */
static long shootdown(struct hv_cpu *self)
{
	u64 g = __atomic_add_fetch(&hv.slat_state.gen, 1, __ATOMIC_SEQ_CST);
	u64 deadline;

	slat_tlb_sync(self);
	for (u32 i = 0; i < hv.nr_cpus; i++) {
		struct hv_cpu *t = hv_cpu_of(i);
		u32 zero = 0;

		if (t == self || !waits_for(t) ||
		    __atomic_load_n(&t->slat_ack, __ATOMIC_SEQ_CST) >= g)
			continue;
		/* One NMI per kick flag: a pending kick will see this generation. */
		if (__atomic_compare_exchange_n(&t->kick_pending, &zero, 1, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			arch_send_nmi(t->apic_id);
	}
	deadline = rdtsc() + SHOOTDOWN_TIMEOUT_TSC;
	for (u32 i = 0; i < hv.nr_cpus; i++) {
		struct hv_cpu *t = hv_cpu_of(i);

		while (waits_for(t) && __atomic_load_n(&t->slat_ack, __ATOMIC_SEQ_CST) < g) {
			slat_tlb_sync(self);
			cpu_relax();
			if (rdtsc() > deadline) {
				hv_report(self, "TLB shootdown: no ack from cpu", i, g);
				return LVBS_E_FAULT;
			}
		}
	}
	__atomic_fetch_add(&hv.slat_state.shootdowns, 1, __ATOMIC_RELAXED);
	return LVBS_OK;
}

/*
 * After a change, lock not held: a shootdown if rights were taken away or
 * tables were cut off (retired; the caller took them under the lock). The
 * retired tables are free again once every CPU has flushed, and stay
 * retired for a later flush if one did not ack. Only a failed shootdown
 * that the change itself needed is an error.
 */
static long flush_after(struct hv_cpu *c, bool tightened, u64 retired)
{
	long r;

	if (!tightened && !retired)
		return LVBS_OK;
	r = shootdown(c);
	if (retired) {
		spin_lock(&hv.slat_state.lock);
		if (r == LVBS_OK)
			pt_pool_free_retired(&hv.pool, retired);
		else
			pt_pool_keep_retired(&hv.pool, retired);
		spin_unlock(&hv.slat_state.lock);
	}
	return tightened ? r : LVBS_OK;
}

/* ---- PROTECT_MEMORY ---- */

static long check_entry(const struct lvbs_mem_prot *e)
{
	u32 rights = e->perm & PERM_RIGHTS;

	if (e->reserved || (e->perm & ~LVBS_PERM_ALL))
		return LVBS_E_INVAL;
	/* x86 cannot map a page writable or executable but unreadable. */
	if (rights && !(rights & PT_R))
		return LVBS_E_INVAL;
	/* Patchable means code that only validated patching writes. */
	if ((e->perm & PERM_PATCHABLE) && (!(rights & PT_XS) || (rights & PT_W)))
		return LVBS_E_INVAL;
	if (e->owner > LVBS_OWNER_KERNEL && e->owner < LVBS_OWNER_MODULE_MIN)
		return LVBS_E_INVAL;
	if (!IS_ALIGNED(e->gpa, PAGE_SIZE) || !IS_ALIGNED(e->size, PAGE_SIZE))
		return LVBS_E_ALIGN;
	if (e->size == 0 || e->gpa + e->size < e->gpa ||
	    e->gpa + e->size > hv.mem.phys_limit)
		return LVBS_E_RANGE;
	if (!memmap_range_is_ram(&hv.mem, e->gpa, e->gpa + e->size))
		return LVBS_E_RANGE;
	return LVBS_OK;
}

/* What a module's registration may ask for after SEAL: text, rodata, data. */
static bool module_rights_ok(u32 perm)
{
	u32 r = perm & PERM_RIGHTS;

	if (r == (PT_R | PT_XS))
		return true;
	return !(perm & PERM_PATCHABLE) && (r == PT_R || r == (PT_R | PT_W));
}

/*
 * After SEAL: may range r become (perm, owner)? Only tightening by the same
 * owner, or a new module taking memory nobody owns (module lifecycle).
 * Sets *force when the change adds a right (the database's own sealed check
 * would refuse it) and so must bypass that check.
 */
/* Has a verified module check authorized @owner (MODULE_END)? Lock held. */
static bool owner_authorized(u32 owner)
{
	const struct hv_slat *s = &hv.slat_state;

	for (u32 i = 0; i < LVBS_AUTH_OWNERS; i++)
		if (s->auth[i] == owner)
			return true;
	return false;
}

void slat_authorize_owner(u32 owner)
{
	struct hv_slat *s = &hv.slat_state;

	if (owner < LVBS_OWNER_MODULE_MIN)
		return;
	spin_lock(&s->lock);
	if (!owner_authorized(owner))
		s->auth[s->auth_next++ % LVBS_AUTH_OWNERS] = owner;
	spin_unlock(&s->lock);
}

/* RELEASE_MEMORY: the owner's memory is gone, and so is its authorization. Lock held. */
static void forget_owner(u32 owner)
{
	struct hv_slat *s = &hv.slat_state;

	for (u32 i = 0; i < LVBS_AUTH_OWNERS; i++)
		if (s->auth[i] == owner)
			s->auth[i] = 0;
}

static bool sealed_change_ok(const struct perm_range *r, u32 perm, u32 owner, bool *force)
{
	u32 old = r->perm, rights = perm & PERM_RIGHTS;

	if (old == perm && r->owner == owner)
		return true;
	if (old & PERM_IMMUTABLE)
		return false;
	if ((rights & PT_W) && (rights & PT_XS))
		return false;
	if (r->owner == LVBS_OWNER_NONE && owner >= LVBS_OWNER_MODULE_MIN) {
		if (!module_rights_ok(perm))
			return false;
		/* New kernel code only from a module file the hypervisor verified. */
		if ((rights & PT_XS) && !hv.slat_state.module_tofu && !owner_authorized(owner))
			return false;
		*force = true;
		return true;
	}
	if (r->owner != owner)
		return false;
	/* Tightening: no new right, and patchability is not a thing to add. */
	return !(rights & ~old) && !((perm & ~old) & PERM_PATCHABLE);
}

/* Would any right of [start, end) be removed by giving it perm? */
static bool removes_rights(u64 start, u64 end, u32 perm)
{
	struct perm_db *db = &hv.slat_state.db;
	int i = perm_find(db, start);

	for (u32 k = i < 0 ? db->nr : (u32)i; k < db->nr && perm_start(db, k) < end; k++)
		if (perm_entry_perm(&db->e[k]) & PERM_RIGHTS & ~perm)
			return true;
	return false;
}

static long protect_one(const struct lvbs_mem_prot *e, bool *tightened)
{
	struct hv_slat *s = &hv.slat_state;
	u64 start = e->gpa, end = e->gpa + e->size;
	u32 flags = 0, perm = e->perm;
	long r;

	if (s->sealed) {
		bool force = false;
		int i = perm_find(&s->db, start);

		if (i < 0)
			return LVBS_E_RANGE;
		for (u32 k = (u32)i; k < s->db.nr && perm_start(&s->db, k) < end; k++) {
			struct perm_range rg = perm_at(&s->db, k);

			if (!sealed_change_ok(&rg, e->perm, e->owner, &force))
				return LVBS_E_PERM;
		}
		if (force)
			flags = PERM_SET_FORCE;
		/*
		 * New module code after SEAL, signed modules only: registered
		 * without execute until MODULE_COMPARE finds it the signed
		 * file's (modcmp.c), so no byte of it runs before.
		 */
		if (force && (perm & PT_XS) && !s->module_tofu)
			perm = (perm & ~PT_XS) | PERM_WITHHELD;
	}
	if (!pool_ok())
		return LVBS_E_TOOBIG;
	*tightened |= removes_rights(start, end, perm);
	r = perm_set_owned(&s->db, start, end, perm, e->owner, flags, NULL);
	if (r)
		return r;
	/* The database changed: the SLAT must follow, or nothing holds. */
	r = slat_apply(start, end);
	if (r)
		hv_panic(NULL, "SLAT out of table pages after a checked change", start, end);
	return LVBS_OK;
}

long slat_protect(struct hv_cpu *c, const struct lvbs_mem_prot *v, u32 n, u32 *applied)
{
	bool tightened = false;
	long r = LVBS_OK;
	u64 retired;
	long sd;
	u32 i;

	*applied = 0;
	spin_lock(&hv.slat_state.lock);
	for (i = 0; i < n; i++) {
		r = check_entry(&v[i]);
		if (!r)
			r = protect_one(&v[i], &tightened);
		if (r)
			break;
	}
	retired = pt_pool_take_retired(&hv.pool);
	spin_unlock(&hv.slat_state.lock);
	*applied = i;
	if (r)
		hv_log_event(c, LVBS_EV_PROT_DENIED, 0, LVBS_ACT_ERROR, v[i].gpa,
			     v[i].perm, (u64)r);
	sd = flush_after(c, tightened, retired);
	return r ? r : sd;
}

/* ---- RELEASE_MEMORY ---- */

long slat_release(struct hv_cpu *c, u32 owner, u64 *pages)
{
	struct hv_slat *s = &hv.slat_state;
	u32 rights = released_rights();
	bool tightened = false;
	long r = LVBS_OK;
	u64 retired;
	long sd;
	u32 k = 0;

	*pages = 0;
	if (owner < LVBS_OWNER_MODULE_MIN)
		return LVBS_E_INVAL;
	spin_lock(&s->lock);
	forget_owner(owner);
	while (k < s->db.nr) {
		struct perm_range rg = perm_at(&s->db, k);

		if (rg.owner != owner) {
			k++;
			continue;
		}
		if (!pool_ok()) {
			r = LVBS_E_TOOBIG;
			break;
		}
		tightened |= (rg.perm & PERM_RIGHTS & ~rights) != 0;
		/*
		 * The module's code goes before its pages become writable and
		 * free for any use: nothing of it is left to run again, should
		 * the page come back as executable memory (a new module's, or a
		 * module-area page executed on first use). INT3, so that a stray
		 * jump there traps rather than slides. The kernel no longer runs
		 * it: the module's exit or init has returned, or never ran. Its
		 * function tracer may still rewrite it, though, and first checks
		 * what is there: 5-byte NOPs and calls stay (textpatch_scrub()).
		 */
		if (rg.perm & (PT_XS | PERM_WITHHELD))
			textpatch_scrub(gpa_ptr(rg.start), rg.end - rg.start);
		/* Lifts IMMUTABLE for this owner's ranges only: module unload. */
		r = perm_set_owned(&s->db, rg.start, rg.end, rights, LVBS_OWNER_NONE,
				   PERM_SET_FORCE, NULL);
		if (r)
			break;
		if (slat_apply(rg.start, rg.end))
			hv_panic(c, "SLAT out of table pages on release", rg.start, rg.end);
		if (rg.perm & PERM_PATCHABLE)
			textpatch_forget(rg.start, rg.end);
		*pages += (rg.end - rg.start) >> PAGE_SHIFT;
		/* Merging may have moved ranges down: look again from just before. */
		k = k ? k - 1 : 0;
	}
	retired = pt_pool_take_retired(&hv.pool);
	spin_unlock(&s->lock);
	/* Its export tables are gone with its memory (not under our lock). */
	exports_forget(owner);
	sd = flush_after(c, tightened, retired);
	return r ? r : sd;
}

/* ---- SEAL and policy ---- */

/*
 * What RAM owned by nobody loses at SEAL: supervisor execute with GMET,
 * every execute right in strict W^X (the SLAT then has one X bit for both
 * modes), nothing in the relaxed NX fallback.
 */
static u32 seal_strip(u32 exec)
{
	return exec == LVBS_EXEC_GMET ? PT_XS : exec == LVBS_EXEC_STRICT ? PT_X : 0;
}

/*
 * Take strip from the ranges owned by nobody inside [a, b) and reset
 * their SLAT state to the new baseline. Lock held. Returns whether any
 * range was rewritten.
 */
static bool strip_unowned(struct hv_cpu *c, u64 a, u64 b, u32 strip)
{
	struct perm_db *db = &hv.slat_state.db;
	bool changed = false;
	int i = perm_find(db, a);

	while (i >= 0 && (u32)i < db->nr && perm_start(db, (u32)i) < b) {
		struct perm_range rg = perm_at(db, (u32)i);
		u64 s = MAX(rg.start, a), e = MIN(rg.end, b);

		/*
		 * Every range nobody owns is rewritten, even with nothing to
		 * strip: a grant given before SEAL (user execute of released
		 * memory, keeping write) must not outlive it.
		 */
		if (rg.owner == LVBS_OWNER_NONE) {
			if (((rg.perm & strip) &&
			     perm_set_owned(db, s, e, rg.perm & ~strip, LVBS_OWNER_NONE,
					    PERM_SET_FORCE, NULL)) || slat_apply(s, e))
				hv_panic(c, "SLAT update failed while sealing", s, e);
			changed = true;
		}
		/* The change may have merged or split ranges: find e again. */
		if (e >= b)
			break;
		i = perm_find(db, e);
	}
	return changed;
}

long slat_seal(struct hv_cpu *c, u64 flags, u64 mod_start, u64 mod_end)
{
	struct hv_slat *s = &hv.slat_state;
	bool tightened = false;
	u64 retired;
	u32 strip;

	if ((flags & ~(u64)LVBS_SEAL_FLAGS) || mod_start > mod_end)
		return LVBS_E_INVAL;
	spin_lock(&s->lock);
	if (s->sealed) {
		spin_unlock(&s->lock);
		return LVBS_E_PERM;
	}
	s->mod_start = mod_start;
	s->mod_end = mod_end;
	s->module_tofu = (flags & LVBS_SEAL_MODULE_TOFU) != 0;
	s->exec = s->gmet ? LVBS_EXEC_GMET : (flags & LVBS_SEAL_EXEC_NX) ?
		  LVBS_EXEC_NX_FALLBACK : LVBS_EXEC_STRICT;
	/*
	 * Only RAM: firmware-reserved memory keeps its rights, as EFI runtime
	 * services run from there (docs/threat-model.md names the hole).
	 */
	strip = seal_strip(s->exec);
	for (u32 m = 0; m < hv.mem.nr_ram; m++)
		tightened |= strip_unowned(c, hv.mem.ram[m].start, hv.mem.ram[m].end, strip);
	perm_seal(&s->db);
	__atomic_store_n(&s->sealed, 1, __ATOMIC_RELEASE);
	retired = pt_pool_take_retired(&hv.pool);
	spin_unlock(&s->lock);
	hv_log_event(c, LVBS_EV_SEAL, 0, LVBS_ACT_NONE, 0, s->exec, 0);
	return flush_after(c, tightened, retired);
}

long slat_set_policy(struct hv_cpu *c, u64 policy)
{
	struct hv_slat *s = &hv.slat_state;
	long r = LVBS_OK;

	(void)c;
	if (policy != LVBS_POLICY_ENFORCE && policy != LVBS_POLICY_AUDIT)
		return LVBS_E_INVAL;
	spin_lock(&s->lock);
	if (s->sealed && policy == LVBS_POLICY_AUDIT && s->policy != LVBS_POLICY_AUDIT)
		r = LVBS_E_PERM;
	else
		s->policy = (u32)policy;
	spin_unlock(&s->lock);
	return r;
}

void slat_fill_info(struct lvbs_info *info)
{
	struct hv_slat *s = &hv.slat_state;

	spin_lock(&s->lock);
	info->sealed = s->sealed;
	info->policy = s->policy;
	info->exec_control = !s->sealed ? LVBS_EXEC_NONE : s->exec;
	info->module_trust = !s->sealed ? LVBS_MODTRUST_NONE :
			     s->module_tofu ? LVBS_MODTRUST_TOFU : LVBS_MODTRUST_SIGNED;
	info->perm_ranges = s->db.nr;
	info->perm_capacity = s->db.cap;
	for (u32 k = 0; k < s->db.nr; k++) {
		const struct perm_range rg = perm_at(&s->db, k), *r = &rg;
		u64 len = r->end - r->start;

		if (r->owner == OWNER_HV)
			continue;
		/* Registered memory: ordinary memory's baseline is not protection. */
		if (r->owner != LVBS_OWNER_NONE && (r->perm & PERM_ALL) != RIGHTS_DEFAULT)
			info->protected_bytes += len;
		/* Registered code; grants on use are counted on their own. */
		if (s->sealed && (r->perm & PT_XS) && r->owner != LVBS_OWNER_NONE)
			info->kernel_x_bytes += len;
	}
	info->slat_pool_free = pt_pool_avail(&hv.pool);
	info->slat_pool_pages = hv.pool.nr_pages;
	info->slat_pool_peak = hv.pool.peak;
	info->slat_merges = s->merges;
	info->slat_coarse = s->coarse;
	spin_unlock(&s->lock);
	info->violations = READ_ONCE(s->violations);
	info->stores_dropped = READ_ONCE(s->stores_dropped);
	info->shootdowns = READ_ONCE(s->shootdowns);
	info->dyn_exec_pages = READ_ONCE(s->dyn_exec_pages);
	info->user_exec_pages = READ_ONCE(s->user_exec_pages);
	info->wx_flips = READ_ONCE(s->wx_flips);
	info->wx_mixed_pages = READ_ONCE(s->wx_mixed_pages);
}

/* May the guest write every byte of [gpa, gpa + len)? Lock held. */
static bool writable_locked(u64 gpa, u64 len)
{
	struct perm_db *db = &hv.slat_state.db;
	int i;

	if (len == 0 || gpa + len < gpa)
		return false;
	i = perm_find(db, gpa);
	if (i < 0)
		return false;
	for (u32 k = (u32)i; k < db->nr && perm_start(db, k) < gpa + len; k++) {
		const struct perm_range rg = perm_at(db, k), *r = &rg;
		u64 a = MAX(r->start, gpa & ~(PAGE_SIZE - 1)), b = MIN(r->end, gpa + len);

		if (!(r->perm & PT_W))
			return false;
		/* Memory nobody owns may have lost write to an execute grant. */
		for (u64 p = a; r->owner == LVBS_OWNER_NONE && p < b; p += PAGE_SIZE)
			if (!(slat_rights(p) & PT_W))
				return false;
	}
	return true;
}

/*
 * The confused-deputy check: the hypervisor writes results into guest
 * memory only where the guest itself may write, or a hypercall would be a
 * way around read-only kernel data.
 */
bool slat_guest_writable(u64 gpa, u64 len)
{
	bool ok;

	spin_lock(&hv.slat_state.lock);
	ok = writable_locked(gpa, len);
	spin_unlock(&hv.slat_state.lock);
	return ok;
}

/*
 * Write len bytes for the guest at gpa, if the guest may write all of
 * [gpa, gpa + span): checked under the lock, so a concurrent tightening
 * cannot slip in between the check and the copy.
 */
bool slat_write_guest(u64 gpa, u64 span, const void *src, u64 len)
{
	bool ok;

	if (len > span)
		return false;
	spin_lock(&hv.slat_state.lock);
	ok = writable_locked(gpa, span);
	if (ok)
		memcpy(gpa_ptr(gpa), src, len);
	spin_unlock(&hv.slat_state.lock);
	return ok;
}

/*
 * A store the hypervisor carries out for the guest, for an instruction it
 * emulates (dtpin.c), in n pieces, each on one page: done, and true, if
 * every piece is guest RAM that the SLAT lets the guest write now, as the
 * CPU's own store would find it. False otherwise, with *refused the first
 * piece that is not, and nothing written: the caller then takes the SLAT fault
 * the CPU would have taken (slat_handle_npf(): a W^X flip back to write,
 * a stale entry, an audit, or a violation) and runs the instruction again
 * if that allows it.
 */
bool slat_store_as_guest(const u64 *gpa, const u32 *len, u32 n, const u8 *src, u64 *refused)
{
	u32 i, off = 0;
	bool ok = true;

	for (i = 0; i < n; i++) {
		u64 page = gpa[i] & ~(PAGE_SIZE - 1);

		if (len[i] == 0 || ((gpa[i] + len[i] - 1) & ~(PAGE_SIZE - 1)) != page ||
		    !memmap_is_ram(&hv.mem, gpa[i])) {
			*refused = gpa[i];
			return false;
		}
	}
	/* Every piece checked before any is written, as the CPU does. */
	spin_lock(&hv.slat_state.lock);
	for (i = 0; i < n && ok; i++) {
		ok = slat_rights(gpa[i] & ~(PAGE_SIZE - 1)) & PT_W;
		if (!ok)
			*refused = gpa[i];
	}
	for (i = 0; i < n && ok; i++) {
		memcpy(gpa_ptr(gpa[i]), src + off, len[i]);
		off += len[i];
	}
	spin_unlock(&hv.slat_state.lock);
	return ok;
}

/*
 * The accessed/dirty update of a guest paging-structure entry that the
 * hypervisor makes for an emulated store (gwalk_write_target): a locked
 * compare-and-exchange, and only where the SLAT lets the guest write,
 * since the CPU's own update is a write the SLAT checks. 0, -1 if the
 * entry changed, GW_SLAT if the SLAT forbids it or it is not guest RAM.
 */
int slat_cmpxchg_as_guest(u64 gpa, u64 old, u64 new)
{
	int r = GW_SLAT;

	if ((gpa & 7) || !memmap_is_ram(&hv.mem, gpa))
		return GW_SLAT;
	spin_lock(&hv.slat_state.lock);
	if (slat_rights(gpa & ~(PAGE_SIZE - 1)) & PT_W)
		r = __atomic_compare_exchange_n((u64 *)gpa_ptr(gpa), &old, new, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) ? 0 : -1;
	spin_unlock(&hv.slat_state.lock);
	return r;
}

/*
 * Is @gpa's page registered code: supervisor-executable, not writable,
 * and the kernel image's or a module's? (MODULE_COMPARE: where a call or
 * jump the kernel patched into a module may go.)
 */
/* The range holding @gpa, copied under the lock: false if none. */
static bool range_at(u64 gpa, struct perm_range *out)
{
	int i;

	spin_lock(&hv.slat_state.lock);
	i = perm_find(&hv.slat_state.db, gpa);
	if (i >= 0)
		*out = perm_at(&hv.slat_state.db, (u32)i);
	spin_unlock(&hv.slat_state.lock);
	return i >= 0;
}

bool slat_registered_code(u64 gpa)
{
	struct perm_range r;

	return range_at(gpa, &r) && (r.perm & PT_XS) && !(r.perm & PT_W) &&
	       r.owner != LVBS_OWNER_NONE;
}

/* ---- module code bound to its comparison (modcmp.c) ---- */

/*
 * Is @gpa's page @a's or @b's (owners, both module ones), code (execute
 * given or withheld) when @code, read-only otherwise?
 */
bool slat_module_page(u64 gpa, u32 a, u32 b, bool code)
{
	struct perm_range r;

	if (a < LVBS_OWNER_MODULE_MIN || b < LVBS_OWNER_MODULE_MIN || !range_at(gpa, &r))
		return false;
	return (r.owner == a || r.owner == b) && !(r.perm & PT_W) &&
	       (!code || (r.perm & (PT_XS | PERM_WITHHELD)));
}

/*
 * Is @gpa's page @owner's, readable and not writable (and immutable, if
 * @immutable)? (exports.c: where an export table may be read.)
 */
bool slat_owned_readonly(u64 gpa, u32 owner, bool immutable)
{
	struct perm_range r;

	if (owner == LVBS_OWNER_NONE || !range_at(gpa, &r))
		return false;
	return r.owner == owner && (r.perm & PT_R) && !(r.perm & PT_W) &&
	       (!immutable || (r.perm & PERM_IMMUTABLE));
}

/* Pages of @a's and @b's code, execute given or withheld. */
u64 slat_module_code_pages(u32 a, u32 b, u64 *withheld)
{
	const struct perm_db *db = &hv.slat_state.db;
	u64 n = 0, w = 0;

	spin_lock(&hv.slat_state.lock);
	for (u32 k = 0; k < db->nr; k++) {
		const struct perm_range rg = perm_at(db, k), *r = &rg;
		u64 pages = (r->end - r->start) / PAGE_SIZE;

		if ((r->owner != a && r->owner != b) || r->owner < LVBS_OWNER_MODULE_MIN)
			continue;
		if (r->perm & (PT_XS | PERM_WITHHELD))
			n += pages;
		if (r->perm & PERM_WITHHELD)
			w += pages;
	}
	spin_unlock(&hv.slat_state.lock);
	*withheld = w;
	return n;
}

/*
 * Give execute to the withheld code pages [gpa, gpa + n pages) of @a or
 * @b: the comparison found them the signed file's. Pages already
 * executable are left; any other page stops the grant (LVBS_E_PERM).
 * Adding a right needs no TLB flush. *granted: pages given execute.
 */
long slat_grant_code(u64 gpa, u64 n, u32 a, u32 b, u64 *granted)
{
	struct hv_slat *s = &hv.slat_state;
	u64 end = gpa + n * PAGE_SIZE;
	long r = LVBS_OK;

	spin_lock(&s->lock);
	for (u64 p = gpa; p < end && !r; ) {
		int i = perm_find(&s->db, p);
		struct perm_range rg;
		u64 e;

		if (i < 0) {
			r = LVBS_E_RANGE;
			break;
		}
		rg = perm_at(&s->db, (u32)i);
		e = MIN(rg.end, end);
		if ((rg.owner != a && rg.owner != b) || rg.owner < LVBS_OWNER_MODULE_MIN ||
		    (rg.perm & PT_W) || !(rg.perm & (PT_XS | PERM_WITHHELD))) {
			r = LVBS_E_PERM;
			break;
		}
		if (rg.perm & PERM_WITHHELD) {
			if (!pool_ok()) {
				r = LVBS_E_TOOBIG;
				break;
			}
			r = perm_set_owned(&s->db, p, e, (rg.perm & ~PERM_WITHHELD) | PT_XS,
					   rg.owner, PERM_SET_FORCE, NULL);
			if (!r && slat_apply(p, e))
				hv_panic(NULL, "SLAT out of table pages after a checked grant", p, e);
			if (!r)
				*granted += (e - p) / PAGE_SIZE;
		}
		p = e;
	}
	spin_unlock(&s->lock);
	return r;
}

bool textpatch_gpa_patchable(u64 gpa)
{
	return (perm_lookup(&hv.slat_state.db, gpa) & PERM_PATCHABLE) != 0;
}

/* ---- nested page faults ---- */

/* The right an access needs, in PT_* terms. */
static u32 slat_access_rights(u32 access)
{
	if (access & LVBS_ACC_EXEC)
		return PT_R | ((access & LVBS_ACC_USER) ? PT_XU : PT_XS);
	if (access & LVBS_ACC_WRITE)
		return PT_R | PT_W;
	return PT_R;
}

static bool in_module_area(u64 va)
{
	struct hv_slat *s = &hv.slat_state;

	return va >= s->mod_start && va < s->mod_end;
}

/* What grant_on_use() did. */
enum grant { GRANT_NONE, GRANT_RETRY, GRANT_TIGHTENED, GRANT_REFUSED };

/*
 * One instruction that both runs from a page and writes it would flip the
 * page back and forth for ever: the fetch needs execute, the write then
 * takes it away, the restarted fetch takes write away. Each CPU remembers
 * its last user-mode execute grant; a user-mode write fault at that same
 * RIP on that same page is this case, and the page gets both rights
 * (counted: wx_mixed_pages).
 */
static void note_user_exec(struct hv_cpu *c, u64 page)
{
	c->wx_page = page;
	c->wx_rip = arch_rip(c);
}

/*
 * The same for a page that shares a 2 MiB SLAT leaf with the one that got
 * execute: once the tables have run out the block's rights change as a
 * whole (map_on_use()), so a write anywhere in it takes the fetch's
 * execute away just the same.
 */
static bool same_grant_unit(u64 granted, u64 page)
{
	u32 level = 0;

	if (granted == page)
		return true;
	return (granted & ~(u64)(SZ_2M - 1)) == (page & ~(u64)(SZ_2M - 1)) &&
	       !pt_lookup(&hv.slat, page, NULL, NULL, &level) && level == 2;
}

static bool same_insn_writes(struct hv_cpu *c, u64 page, u32 access)
{
	bool same = (access & LVBS_ACC_USER) && c->wx_page && c->wx_rip == arch_rip(c) &&
		    same_grant_unit(c->wx_page, page);

	c->wx_page = 0;
	return same;
}

/*
 * The rights a page owned by nobody (baseline base, now cur in the SLAT)
 * gets for this access, or 0 if none. No such fault is a violation
 * (docs/page-lifecycle.md):
 *  - user-mode execution: PT_XU. In strict W^X the SLAT cannot tell user
 *    from kernel execution, so the page loses write at the same time;
 *  - after SEAL, supervisor execution from the module area (the kernel's
 *    own module_alloc() users: BPF JIT images, ftrace and kprobe
 *    trampolines): PT_XS, trusted on first use, and also losing write
 *    except in the relaxed NX fallback;
 *  - a write to a page that lost write that way: back to the baseline.
 */
static u32 rights_on_use(struct hv_cpu *c, u32 base, u32 cur, u64 page, u32 access)
{
	struct hv_slat *s = &hv.slat_state;

	if (!(access & LVBS_ACC_EXEC)) {
		if (!(access & LVBS_ACC_WRITE) || (cur & PT_W) || !(base & PT_W))
			return 0;
		if (same_insn_writes(c, page, access))
			return PT_R | PT_W | PT_XU;
		return base;
	}
	if (access & LVBS_ACC_USER) {
		if (cur & PT_XU)
			return 0;
		note_user_exec(c, page);
		return (cur | PT_XU) & ~(s->exec == LVBS_EXEC_STRICT ? PT_W : 0);
	}
	if (!s->sealed || !in_module_area(arch_rip(c)) || (cur & PT_XS))
		return 0;
	return (cur | PT_XS) & ~(s->exec != LVBS_EXEC_NX_FALLBACK ? PT_W : 0);
}

/*
 * Give page perm in the SLAT. A page inside a 2 MiB leaf needs a table:
 * when none is left, the whole block changes instead if all of it is RAM
 * owned by nobody with the same baseline (range r) - coarser, logged,
 * never a crash; otherwise the grant is refused (-1).
 */
static int map_on_use(struct hv_cpu *c, const struct perm_range *r, u64 page, u32 perm,
		      bool kernel_code)
{
	struct hv_slat *s = &hv.slat_state;
	u64 blk = page & ~(u64)(SZ_2M - 1);
	u32 level = 0;

	if (pt_lookup(&hv.slat, page, NULL, NULL, &level))
		return -1;
	/*
	 * Kernel code the kernel put in the module area (trampolines, BPF)
	 * is a registration in all but name and may use the tables kept for
	 * registrations: as a coarse grant its block would lose write, and a
	 * trampoline that writes to a stack page in the same block would
	 * flip the block between R|X and R|W for ever.
	 */
	if (level == 1 || grant_pool_ok() || (kernel_code && pool_ok()))
		return pt_map(&hv.slat, page, page, PAGE_SIZE, perm);
	if (level != 2 || r->start > blk || r->end < blk + SZ_2M ||
	    !memmap_range_is_ram(&hv.mem, blk, blk + SZ_2M))
		return -1;
	s->coarse++;
	hv_log_event(c, LVBS_EV_SLAT_COARSE, 0, LVBS_ACT_NONE, blk, perm, 0);
	return pt_map(&hv.slat, blk, blk, SZ_2M, perm);
}

/*
 * Lock held. Gives page the rights it earns by this access, if any. A
 * 2 MiB table that became uniform again is merged back (the table is
 * retired: the caller frees it once every CPU has flushed).
 */
static enum grant grant_on_use(struct hv_cpu *c, const struct perm_range *r, u64 page,
			       u32 access)
{
	struct hv_slat *s = &hv.slat_state;
	u32 base = r->perm & PERM_RIGHTS, cur, perm;

	if (r->owner != LVBS_OWNER_NONE || (r->perm & PERM_IMMUTABLE) || !(base & PT_R))
		return GRANT_NONE;
	cur = slat_rights(page);
	perm = rights_on_use(c, base, cur, page, access);
	if (!perm)
		return GRANT_NONE;
	if (map_on_use(c, r, page, perm, (access & LVBS_ACC_EXEC) && !(access & LVBS_ACC_USER))) {
		hv_log_event(c, LVBS_EV_SLAT_FULL, access, LVBS_ACT_INJECT_GP, page, perm, 0);
		return GRANT_REFUSED;
	}
	if (perm == base) {
		if (pt_merge_2m(&hv.slat, page))
			s->merges++;
	}
	if ((perm & (PT_W | PT_XU)) == (PT_W | PT_XU) && s->exec == LVBS_EXEC_STRICT)
		s->wx_mixed_pages++;
	else if (!(access & LVBS_ACC_EXEC))
		s->wx_flips++;
	else if (access & LVBS_ACC_USER)
		s->user_exec_pages++;
	else
		s->dyn_exec_pages++;
	return (cur & ~perm) ? GRANT_TIGHTENED : GRANT_RETRY;
}

/* Audit: let this page have what was asked, in the SLAT only (not the database). */
static void audit_allow(u64 page, u32 perm, u32 access)
{
	u32 p = perm & PERM_RIGHTS;

	if (access & LVBS_ACC_WRITE)
		p |= PT_R | PT_W;
	if (access & LVBS_ACC_EXEC)
		p |= PT_R | PT_XS | PT_XU;
	if (access & LVBS_ACC_READ)
		p |= PT_R;
	if (!pool_ok() || pt_map(&hv.slat, page, page, PAGE_SIZE, p))
		hv_panic(NULL, "SLAT update failed in audit mode", page, p);
}

/* A data write from kernel mode (not the CPU's own page walk). */
static bool kernel_store(u32 access)
{
	return (access & (LVBS_ACC_WRITE | LVBS_ACC_EXEC | LVBS_ACC_USER | LVBS_ACC_PTWALK)) ==
	       LVBS_ACC_WRITE;
}

/*
 * A kernel store the rights forbid is dropped rather than faulted: logged,
 * then retired without writing, so the kernel goes on with the old bytes.
 * A #GP would kill the task wherever it is, inside a critical section too,
 * and leave its locks held for ever (a wedged text_mutex stops every later
 * module load). Only a store the decoder knows exactly is dropped; any
 * other instruction, user mode and execution keep #GP. false: not dropped.
 */
static bool drop_store(struct hv_cpu *c, u32 access, u64 gpa, const struct perm_range *r)
{
	struct dropped_store d;

	if (!kernel_store(access) || store_drop_prepare(c, gpa, &d))
		return false;
	hv_log_mem(c, LVBS_EV_MEM_VIOLATION, access, LVBS_ACT_IGNORED, gpa, d.gva,
		   r->perm, r->owner);
	store_drop_retire(c, &d);
	return true;
}

void slat_handle_npf(struct hv_cpu *c, u64 gpa, u32 access)
{
	struct hv_slat *s = &hv.slat_state;
	u64 page = gpa & ~(PAGE_SIZE - 1);
	u32 need = slat_access_rights(access);
	struct perm_range r = { 0 };
	enum grant g = GRANT_NONE;
	bool audit, retry = false;
	u64 retired = 0;
	int i;

	vcpu_count_exit(c, LVBS_EXIT_SLAT);
	if (memmap_is_hv(&hv.mem, gpa) || gpa >= hv.mem.phys_limit) {
		hv_log_event(c, gpa >= hv.mem.phys_limit ? LVBS_EV_SLAT_UNMAPPED :
			     LVBS_EV_HV_MEM_ACCESS, access, LVBS_ACT_INJECT_GP, gpa, 0, 0);
		arch_inject(c, X86_VEC_GP, true, 0);
		return;
	}
	spin_lock(&s->lock);
	i = perm_find(&s->db, gpa);
	if (i >= 0) {
		r = perm_at(&s->db, (u32)i);
		/*
		 * Another CPU may have changed the rights since this fault;
		 * memory nobody owns has its current rights in the SLAT.
		 */
		retry = ((r.owner == LVBS_OWNER_NONE ? slat_rights(page) : r.perm) & need) == need;
		if (!retry)
			g = grant_on_use(c, &r, page, access);
	}
	audit = s->policy == LVBS_POLICY_AUDIT;
	retired = pt_pool_take_retired(&hv.pool);
	spin_unlock(&s->lock);
	if (g == GRANT_TIGHTENED || retired) {
		/*
		 * W^X: no CPU may keep the right the page just lost; and a table
		 * a merge cut off is reused only once no CPU walks it.
		 */
		flush_after(c, g == GRANT_TIGHTENED, retired);
		return;
	}
	if (g == GRANT_REFUSED) {
		arch_inject(c, X86_VEC_GP, true, 0);
		return;
	}
	if (retry || g == GRANT_RETRY) {
		/* The TLB may hold the stricter entry: drop it before retrying. */
		arch_flush_guest_tlb(c);
		return;
	}
	if (kernel_store(access) && (r.perm & PERM_PATCHABLE)) {
		int tp = textpatch_handle_write(c, gpa, audit);

		if (tp == TP_DONE)
			return;
		if (tp == TP_DROPPED) {	/* refused, and logged as patch_denied */
			__atomic_fetch_add(&s->violations, 1, __ATOMIC_RELAXED);
			return;
		}
	}
	__atomic_fetch_add(&s->violations, 1, __ATOMIC_RELAXED);
	if (!audit && drop_store(c, access, gpa, &r))
		return;
	hv_log_mem(c, LVBS_EV_MEM_VIOLATION, access,
		   audit ? LVBS_ACT_NONE : LVBS_ACT_INJECT_GP, gpa,
		   (access & LVBS_ACC_EXEC) ? arch_rip(c) : 0, r.perm, r.owner);
	if (audit) {
		spin_lock(&s->lock);
		audit_allow(page, r.perm, access);
		spin_unlock(&s->lock);
		return;
	}
	/*
	 * #GP(0), not #PF: AMD reports only the guest-physical address, and a
	 * #PF needs the virtual one in CR2 (the kernel would otherwise
	 * misreport or, worse, "fix" an unrelated address). A kernel-mode #GP
	 * without an exception fixup oopses the task; the system lives.
	 */
	arch_inject(c, X86_VEC_GP, true, 0);
}
