// SPDX-License-Identifier: GPL-2.0
/*
 * MODULE_COMPARE: is the module the kernel laid out the file the
 * hypervisor verified? The "regenerate and compare" half of the LVBS
 * design (docs/module-signatures.md, "Relocation-aware comparison").
 *
 * At the module's MODULE_STATE_COMING, lvbs.ko names a verified check's
 * file number, the file's page list with the tags MODULE_HASH wrote, the
 * kernel loader's section headers (sh_addr: where each section went) and
 * the laid-out symbol table (the loader resolved each import into it).
 * The hypervisor reads the file again through the tags (modfile.h): a page
 * changed since it was hashed is refused. It relocates each read-only
 * section itself (modreloc.h) and compares it, a page at a time, with
 * guest memory at the address the loader gave it.
 *
 * What the guest names is read once: the section addresses are copied in
 * at the start, each import's value the first time a relocation needs
 * it, then kept. A lie about either only changes what the file's bytes
 * are expected to be, and memory must then match the lie, byte for byte.
 * Which of those values are legitimate (imports from the kernel's own
 * export tables; the layout inside the module's own memory) and which
 * differences the kernel makes on purpose (alternatives, ftrace, ...) are
 * the next steps; until then the result is measured and logged, and
 * changes no right.
 *
 * A module can be megabytes: each call compares at most
 * LVBS_MODCMP_BUDGET pages and keeps its place, so no call holds a CPU
 * long. One comparison at a time, owned by the CPU that started it.
 */
#include <hv/types.h>
#include <hv/spinlock.h>
#include "hv.h"
#include "elf.h"
#include "gwalk.h"
#include "modcheck.h"
#include "modcmp.h"
#include "modfile.h"
#include "modreloc.h"
#include "modsites.h"
#include "slat.h"

#define RUNNING		(~0u)		/* not a result: work is left */
#define IMPORT_SLOTS	(2 * LVBS_MODCMP_MAX_IMPORTS)	/* open addressing, half full at most */
#define SHF_WRITE	0x1ULL
#define E_SITE_UNMAPPED	(-100)	/* not a relocator error: a site's bytes unreadable */
#define MODCMP_OWN_CODE	64	/* code sections of a module remembered as call targets */

_Static_assert((IMPORT_SLOTS & (IMPORT_SLOTS - 1)) == 0, "a power of two");

static struct {
	struct spinlock lock;		/* all of it, for a whole call */
	bool open;			/* a comparison is under way ... */
	u32 owner;			/* ... owned by this CPU index */
	struct lvbs_module_compare req;	/* the request, copied in; results build here */
	struct gwalk_ctx w;		/* this call's: the calling CPU's page tables */
	struct modfile_reader rd;
	struct modreloc_file f;
	struct modreloc_env env;
	struct modreloc m;
	u64 addr[LVBS_MODCMP_MAX_SECTIONS];	/* where the loader put each section ... */
	u64 placed[LVBS_MODCMP_MAX_SECTIONS / 64];	/* ... if it did */
	u32 imp_key[IMPORT_SLOTS];	/* symbol index + 1 (0: free) ... */
	u64 imp_val[IMPORT_SLOTS];	/* ... and its value, as first read */
	bool bad_claim;			/* an import the symbol table does not hold */
	struct modsites ms;		/* the sites the file names as patched */
	u32 sec;			/* the section compared, or the next to look at */
	bool in_sec, sec_code;		/* ... and whether it holds code (sites) */
	u64 off, sec_size;		/* where in it */
	u64 diff_end;			/* address past the last differing byte ... */
	u64 odd_end;			/* ... and the last unexplained one */
	struct modsite site;		/* the site last judged ... */
	u64 site_end;			/* ... the end of its form ... */
	bool site_valid, site_ok;	/* ... and whether the form is allowed */
	u8 g[MODSITES_MAX_LEN];		/* the guest's bytes of a site */
	struct modreloc_symcache symcache;
	struct { u64 lo, hi; } own[MODCMP_OWN_CODE];	/* the module's own code sections */
	u32 nown;
	u64 compared, differ, failed, bytes_differ;	/* all comparisons (lvbs_info) */
	u8 want[PAGE_SIZE], have[PAGE_SIZE];
} mv;				/* bss */

void modcmp_reset(void)
{
	mv.open = false;
	mv.compared = 0;
	mv.differ = 0;
	mv.failed = 0;
	mv.bytes_differ = 0;
}

/* ---- what the relocator and the reader are given ---- */

static int fetch(void *ctx, u64 index, struct modfile_page *out)
{
	struct lvbs_module_page e;

	(void)ctx;
	/* index < the file's pages (the reader bounds it): no overflow. */
	if (gwalk_read(&mv.w, mv.req.pages + index * sizeof(e), &e, sizeof(e)) || e.reserved)
		return -1;
	out->gpa = e.gpa;
	memcpy(out->tag, e.tag, sizeof(out->tag));
	return 0;
}

static int read_page(void *ctx, u64 gpa, u8 *dst)
{
	(void)ctx;
	if (memmap_check_buffer(&hv.mem, gpa, PAGE_SIZE, PAGE_SIZE))
		return -1;
	memcpy(dst, gpa_ptr(gpa), PAGE_SIZE);
	return 0;
}

static bool is_placed(u32 shndx)
{
	return shndx < mv.m.shnum && (mv.placed[shndx / 64] >> (shndx % 64) & 1);
}

static int section_addr(void *ctx, u32 shndx, u64 *addr)
{
	(void)ctx;
	if (!is_placed(shndx))
		return -1;
	*addr = mv.addr[shndx];
	return 0;
}

/* The laid-out symbol table's value for import @symi, read once and kept. */
static int resolve(void *ctx, u64 symi, const char *name, u64 *value)
{
	u32 h = (u32)(symi * 2654435761u) & (IMPORT_SLOTS - 1);
	struct elf64_sym s;

	(void)ctx;
	(void)name;
	for (u32 n = 0; n < IMPORT_SLOTS; n++, h = (h + 1) & (IMPORT_SLOTS - 1)) {
		if (mv.imp_key[h] == symi + 1) {
			*value = mv.imp_val[h];
			return 0;
		}
		if (!mv.imp_key[h])
			break;
	}
	if (mv.req.imports >= LVBS_MODCMP_MAX_IMPORTS || symi >= mv.req.nsyms ||
	    gwalk_read(&mv.w, mv.req.symtab + symi * sizeof(s), &s, sizeof(s)) ||
	    s.shndx != ELF_SHN_UNDEF) {
		mv.bad_claim = true;
		return -1;
	}
	mv.imp_key[h] = (u32)symi + 1;
	mv.imp_val[h] = s.value;
	mv.req.imports++;
	*value = s.value;
	return 0;
}

/* ---- the comparison ---- */

/* A relocator error as a result, with where it happened. */
static u32 failed(int r, u32 sec, u64 off)
{
	mv.req.where_section = sec;
	mv.req.where_offset = off;
	if (mv.bad_claim)
		return LVBS_MODCMP_CLAIM;
	if (r == MODRELOC_E_READ)
		return mv.rd.rejects ? LVBS_MODCMP_BAD_PAGE : LVBS_MODCMP_UNMAPPED;
	mv.req.detail = (u32)-r;
	return LVBS_MODCMP_MALFORMED;
}

#define NAMED(name, lit)	(!memcmp(name, lit, sizeof(lit)))	/* name: NUL within 32 */

/*
 * The per-CPU section: the loader clears its SHF_ALLOC and gives its
 * symbols the module's per-CPU area instead (simplify_symbols():
 * mod_percpu()), which the request names apart. 0, or a relocator error.
 */
static int place_percpu(void)
{
	struct elf64_shdr sh;
	char name[32];
	int r;

	if (!mv.req.percpu)
		return 0;
	for (u32 i = 1; i < mv.m.shnum; i++) {
		r = modreloc_shdr(&mv.m, i, &sh);
		if (!r)
			r = modreloc_section_name(&mv.m, &sh, name, sizeof(name));
		if (r == MODRELOC_E_FORMAT)
			continue;	/* longer than the name sought */
		if (r)
			return r;
		if (NAMED(name, ".data..percpu") && !is_placed(i)) {
			mv.addr[i] = mv.req.percpu;
			mv.placed[i / 64] |= 1ULL << (i % 64);
			return 0;
		}
	}
	return 0;
}

/* The loader's section headers: where each section went, copied in once. */
static u32 copy_layout(void)
{
	struct elf64_shdr sh;
	int r;

	memset(mv.placed, 0, sizeof(mv.placed));
	for (u32 i = 1; i < mv.req.shnum; i++) {
		if (gwalk_read(&mv.w, mv.req.shdrs + (u64)i * sizeof(sh), &sh, sizeof(sh))) {
			mv.req.where_section = i;
			return LVBS_MODCMP_UNMAPPED;
		}
		if (!(sh.flags & ELF_SHF_ALLOC))
			continue;	/* not laid out (.modinfo, __versions) */
		mv.addr[i] = sh.addr;
		mv.placed[i / 64] |= 1ULL << (i % 64);
	}
	r = place_percpu();
	return r ? failed(r, 0, 0) : RUNNING;
}

/*
 * The module's own laid-out code sections, compared like the rest: a call
 * the kernel patches in may go there (a static call to the module's own
 * function: every tracepoint's __traceiter_*), before the module's memory
 * is registered.
 */
static int own_code(void)
{
	struct elf64_shdr sh;
	int r;

	mv.nown = 0;
	for (u32 i = 1; i < mv.m.shnum && mv.nown < MODCMP_OWN_CODE; i++) {
		r = modreloc_shdr(&mv.m, i, &sh);
		if (r)
			return r;
		if (!is_placed(i) || !(sh.flags & ELF_SHF_EXECINSTR) || (sh.flags & SHF_WRITE) ||
		    sh.type == ELF_SHT_NOBITS || !sh.size || mv.addr[i] + sh.size < mv.addr[i])
			continue;
		mv.own[mv.nown].lo = mv.addr[i];
		mv.own[mv.nown].hi = mv.addr[i] + sh.size;
		mv.nown++;
	}
	return MODRELOC_OK;
}

static bool in_own_code(u64 va)
{
	for (u32 i = 0; i < mv.nown; i++)
		if (va >= mv.own[i].lo && va < mv.own[i].hi)
			return true;
	return false;
}

static u32 start(void)
{
	u64 len;
	u32 v;
	int r;

	memset(mv.imp_key, 0, sizeof(mv.imp_key));
	mv.bad_claim = false;
	if (!modcheck_verified_file(mv.req.file, &len))
		return LVBS_MODCMP_NO_FILE;
	modfile_reader_init(&mv.rd, mv.req.file, len);
	mv.rd.fetch = fetch;
	mv.rd.read_page = read_page;
	mv.f = (struct modreloc_file){ .read = modfile_read, .ctx = &mv.rd, .size = len };
	memset(&mv.symcache, 0, sizeof(mv.symcache));
	mv.env = (struct modreloc_env){ .section_addr = section_addr, .resolve = resolve,
					.by_index = true, .cache = &mv.symcache };
	r = modreloc_open(&mv.m, &mv.f, &mv.env);
	if (r)
		return failed(r, 0, 0);
	if (mv.req.shnum != mv.m.shnum || mv.req.nsyms != mv.m.nsyms ||
	    mv.req.shnum > LVBS_MODCMP_MAX_SECTIONS)
		return LVBS_MODCMP_CLAIM;
	if (mv.req.alt_entsize && (mv.req.alt_entsize < 10 || mv.req.alt_entsize > 16))
		return LVBS_MODCMP_CLAIM;	/* instrlen is second to last; at most 16 read */
	mv.sec = 1;
	mv.in_sec = false;
	mv.diff_end = 0;
	mv.odd_end = 0;
	v = copy_layout();
	if (v != RUNNING)
		return v;
	r = own_code();
	if (!r)
		r = modsites_open(&mv.ms, &mv.m, mv.req.alt_entsize);
	return r ? failed(r, 0, 0) : RUNNING;
}

/*
 * Tables the kernel sorts in place after relocating (unwind_module_init(),
 * ftrace_module_init(), sort_extable()): their bytes move, so they are
 * not compared byte for byte.
 */
static bool sorted_in_place(const char *name)
{
	return NAMED(name, ".orc_unwind_ip") || NAMED(name, ".orc_unwind") ||
	       NAMED(name, "__ex_table") || NAMED(name, "__mcount_loc");
}

/*
 * Is section @i compared? Laid out, read-only and holding bytes in the
 * file. 0 yes, 1 no, or a relocator error.
 */
static int skip(u32 i, struct elf64_shdr *sh)
{
	char name[32];
	int r = modreloc_shdr(&mv.m, i, sh);

	if (r)
		return r;
	if (!is_placed(i) || !(sh->flags & ELF_SHF_ALLOC) || (sh->flags & SHF_WRITE) ||
	    sh->type == ELF_SHT_NOBITS || !sh->size)
		return 1;
	r = modreloc_section_name(&mv.m, sh, name, sizeof(name));
	if (r == MODRELOC_E_FORMAT)
		return 0;	/* a name longer than any sorted table's */
	if (r)
		return r;
	return sorted_in_place(name) ? 1 : 0;
}

/*
 * Judge the site @s (the guest's bytes there, read once): is its form
 * one its kind allows? Counted once per site.
 */
static int judge(const struct modsite *s)
{
	u64 target, gpa;
	u32 len;

	mv.site = *s;
	mv.site_valid = true;
	if (gwalk_read(&mv.w, s->va, mv.g, s->len))
		return -1;
	mv.site_ok = modsites_allowed(s, mv.g, s->len, &len, &target);
	mv.site_end = s->va + len;
	if (!mv.site_ok)
		return 0;
	mv.req.patched[s->kind]++;
	if (!target)
		return 0;
	/* Where a patched-in call or jump goes: registered code, or counted. */
	if (in_own_code(target) ||
	    (!gwalk_translate(&mv.w, target, &gpa, NULL) && slat_registered_code(gpa)))
		mv.req.checked_targets++;
	else
		mv.req.unchecked_targets++;
	return 0;
}

/* Is the differing byte at @va a site's, in an allowed form? 1 yes, 0 no, <0 error. */
static int explained(u64 va)
{
	struct modsite s;
	int r;

	if (!mv.sec_code)
		return 0;
	if (mv.site_valid && va >= mv.site.va && va < mv.site_end)
		return mv.site_ok;
	r = modsites_find(&mv.ms, va, &s);
	if (r <= 0)
		return r;
	if (!mv.site_valid || s.va != mv.site.va || s.kind != mv.site.kind) {
		if (judge(&s))
			return E_SITE_UNMAPPED;
	}
	return mv.site_ok && va < mv.site_end;
}

/*
 * Count the bytes of want/have [0, n) at address @va that differ, and
 * those no site explains. RUNNING, or a result (an error).
 */
static u32 diff(u64 va, u64 n)
{
	for (u64 k = 0; k < n; k++) {
		int e;

		if (mv.want[k] == mv.have[k])
			continue;
		mv.req.differ_bytes++;
		if (va + k != mv.diff_end)
			mv.req.differ_ranges++;
		mv.diff_end = va + k + 1;
		e = explained(va + k);
		if (e == E_SITE_UNMAPPED) {
			mv.req.where_section = mv.sec;
			mv.req.where_offset = mv.off + k;
			return LVBS_MODCMP_UNMAPPED;
		}
		if (e < 0)
			return failed(e, mv.sec, mv.off + k);
		if (e)
			continue;
		if (!mv.req.unexplained_bytes) {
			mv.req.where_section = mv.sec;
			mv.req.where_offset = mv.off + k;
		}
		mv.req.unexplained_bytes++;
		if (va + k != mv.odd_end)
			mv.req.unexplained_ranges++;
		mv.odd_end = va + k + 1;
	}
	return RUNNING;
}

/* The next section to compare begun, or a result (done, or an error). */
static u32 next_section(void)
{
	struct elf64_shdr sh;
	int r;

	for (; mv.sec < mv.m.shnum; mv.sec++) {
		r = skip(mv.sec, &sh);
		if (r == 1)
			continue;
		if (!r)
			r = modreloc_begin(&mv.m, mv.sec);
		if (r)
			return failed(r, mv.sec, 0);
		mv.in_sec = true;
		mv.sec_code = sh.flags & ELF_SHF_EXECINSTR;
		mv.site_valid = false;
		mv.off = 0;
		mv.sec_size = sh.size;
		mv.req.sections++;
		if (mv.sec_code) {
			r = modsites_section(&mv.ms, mv.addr[mv.sec], mv.addr[mv.sec] + sh.size);
			if (r)
				return failed(r, mv.sec, 0);
		}
		return RUNNING;
	}
	return mv.req.unexplained_bytes ? LVBS_MODCMP_DIFFER : LVBS_MODCMP_SAME;
}

/* At most LVBS_MODCMP_BUDGET pages: RUNNING, or the result. */
static u32 step(void)
{
	u32 budget = LVBS_MODCMP_BUDGET, v;
	int r;

	while (budget) {
		u64 va, n;

		if (!mv.in_sec) {
			v = next_section();
			if (v != RUNNING)
				return v;
		}
		if (mv.off >= mv.sec_size) {
			mv.in_sec = false;
			mv.sec++;
			continue;
		}
		va = mv.addr[mv.sec] + mv.off;
		n = MIN(PAGE_SIZE - (va & (PAGE_SIZE - 1)), mv.sec_size - mv.off);
		r = modreloc_window(&mv.m, mv.off, mv.want, n);
		if (r)
			return failed(r, mv.sec, mv.off);
		if (gwalk_read(&mv.w, va, mv.have, (u32)n)) {
			mv.req.where_section = mv.sec;
			mv.req.where_offset = mv.off;
			return LVBS_MODCMP_UNMAPPED;
		}
		v = diff(va, n);
		if (v != RUNNING)
			return v;
		mv.req.bytes += n;
		mv.off += n;
		budget--;
	}
	return RUNNING;
}

/* Under mv.lock, the comparison over: counted, logged, the result out. */
static long finish(struct hv_cpu *c, u32 v, u64 gpa, u64 size)
{
	mv.req.result = v;
	mv.req.relocations = mv.m.applied;
	mv.req.unordered_sites = mv.ms.unordered;
	mv.req.page_loads = mv.rd.loads;
	mv.open = false;
	if (v == LVBS_MODCMP_SAME || v == LVBS_MODCMP_DIFFER) {
		mv.compared++;
		mv.differ += v == LVBS_MODCMP_DIFFER;
		mv.bytes_differ += mv.req.unexplained_bytes;
	} else {
		mv.failed++;
	}
	hv_log_event(c, LVBS_EV_MODULE_COMPARED, 0, LVBS_ACT_NONE, mv.req.file,
		     v | (u64)mv.req.where_section << 32, mv.req.unexplained_bytes);
	return hv_copy_to_guest(gpa, size, &mv.req, sizeof(mv.req));
}

long modcmp_call(struct hv_cpu *c, u64 gpa, u64 size, u64 cont, u64 *more_out)
{
	u32 v;
	long r;

	*more_out = 0;
	if (cont > 1)
		return LVBS_E_INVAL;
	if (size < sizeof(mv.req) || size > LVBS_MAX_XFER)
		return size < sizeof(mv.req) ? LVBS_E_INVAL : LVBS_E_TOOBIG;
	r = memmap_check_buffer(&hv.mem, gpa, size, 8);
	if (r)
		return r;
	spin_lock(&mv.lock);
	if (mv.open && mv.owner != c->index) {
		spin_unlock(&mv.lock);
		return LVBS_E_BUSY;
	}
	if (cont && !mv.open) {
		spin_unlock(&mv.lock);
		return LVBS_E_PERM;
	}
	vcpu_guest_walker(c, &mv.w);
	if (!cont) {
		/* Copied in once; only the inputs are kept, results start at 0. */
		memcpy(&mv.req, gpa_ptr(gpa), sizeof(mv.req));
		memset(&mv.req.result, 0, sizeof(mv.req) - offsetof(struct lvbs_module_compare, result));
		mv.open = true;
		mv.owner = c->index;
		v = start();
	} else {
		v = RUNNING;
	}
	if (v == RUNNING)
		v = step();
	if (v == RUNNING) {
		*more_out = 1;
		r = LVBS_OK;
	} else {
		r = finish(c, v, gpa, size);
	}
	spin_unlock(&mv.lock);
	return r;
}

/* Without the lock, which a comparison holds: each word is atomic. */
void modcmp_fill_info(struct lvbs_info *info)
{
	info->modules_compared = READ_ONCE(mv.compared);
	info->modules_differ = READ_ONCE(mv.differ);
	info->modules_compare_failed = READ_ONCE(mv.failed);
	info->module_bytes_differ = READ_ONCE(mv.bytes_differ);
}
