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
 *
 * The comparison is bound to the module's memory (ABI v10). lvbs.ko has
 * registered it under the owners the file's check authorized, and names
 * them and the module's text pieces. Each text page is translated once,
 * at the start, and must be those owners' code: every later read of code
 * goes to the page found then, so a mapping changed meanwhile changes
 * nothing. Code sections must lie in the pieces, other compared sections
 * in the owners' read-only memory, the pieces' bytes between and after
 * code sections must be zero (the loader clears the memory it lays out),
 * and the pieces must name every code page the owners have, once. After
 * SEAL with module_trust=signed that code was registered without execute
 * (slat.c, PERM_WITHHELD), and only a SAME result gives it execute, for
 * exactly the pages compared. Import values come from the export tables
 * the hypervisor trusts (exports.c), once the kernel's were given.
 *
 * A module can be megabytes: each call compares at most
 * LVBS_MODCMP_BUDGET pages and keeps its place, so no call holds a CPU
 * long. One comparison at a time, owned by the CPU that started it.
 */
#include <hv/types.h>
#include <hv/spinlock.h>
#include "hv.h"
#include "elf.h"
#include "exports.h"
#include "gwalk.h"
#include "ksymtab.h"
#include "modcheck.h"
#include "modcmp.h"
#include "modfile.h"
#include "modreloc.h"
#include "modsites.h"
#include "slat.h"
#include "sort.h"

#define RUNNING		(~0u)		/* not a result: work is left */
#define IMPORT_SLOTS	(2 * LVBS_MODCMP_MAX_IMPORTS)	/* open addressing, half full at most */
#define SHF_WRITE	0x1ULL
#define E_SITE_UNMAPPED	(-100)	/* not a relocator error: a site's bytes unreadable */
#define MODCMP_OWN_CODE	LVBS_MODCMP_MAX_CODE_SECTIONS
#define FILLING		(~0u - 1)	/* not a result: the sections are done, the fill is not */

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
	char impname[KSYMTAB_NAME_MAX];	/* an import's name, from the file */
	bool bad_claim;			/* an import the symbol table does not hold */
	bool bad_exports;		/* an export table unreadable where it must be */
	bool unresolved;		/* an import no trusted table holds */
	u64 unresolved_symi;
	struct modsites ms;		/* the sites the file names as patched */
	u32 sec;			/* the section compared, or the next to look at */
	bool in_sec, sec_code;		/* ... and whether it holds code (sites) */
	bool sec_alt;			/* ... or is .altinstructions */
	u64 off, sec_size;		/* where in it */
	u64 diff_end;			/* address past the last differing byte ... */
	u64 odd_end;			/* ... and the last unexplained one */
	struct modsite site;		/* the site last judged ... */
	u64 site_end;			/* ... the end of its form ... */
	bool site_valid, site_ok;	/* ... and whether the form is allowed */
	u8 g[MODSITES_MAX_LEN];		/* the guest's bytes of a site */
	u8 orig[MODSITES_MAX_LEN];	/* ... the file's, relocated (alternatives) */
	u8 repl[MODSITES_MAX_LEN];	/* ... and its replacement's */
	struct modreloc om;		/* the file's bytes of a site: a second relocator ... */
	struct modreloc snap_prev, snap_cur;	/* ... from the main one as it was one
						 * and two windows ago */
	struct modreloc_symcache symcache;
	struct modsites_range own[MODCMP_OWN_CODE];	/* the module's own code sections */
	u32 nown;
	u32 core, init;			/* the owners the file's check authorized */
	u64 tp_va[2];			/* the text pieces: where ... */
	u32 tp_n[2], tp_first[2];	/* ... how many pages, from which tpage[] */
	u32 ntp;			/* text pages in all ... */
	u64 tpage[LVBS_MODCMP_MAX_CODE_PAGES];	/* ... each one's frame, translated once */
	bool filling;			/* the sections are done: the fill is checked */
	u32 fill_next;			/* the text page whose fill is checked next */
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

/*
 * The value of import @symi (@name, from the verified file), found once
 * and kept: from the trusted export tables when the kernel's were given
 * (exports.c), the loader's symbol table only otherwise. The loader's
 * value is read either way: one that is not the export's is counted.
 */
static int resolve(void *ctx, u64 symi, const char *name, u64 *value)
{
	u32 h = (u32)(symi * 2654435761u) & (IMPORT_SLOTS - 1), from = 0;
	struct elf64_sym s;
	u64 v;
	int r;

	(void)ctx;
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
	v = s.value;
	if (exports_kernel_known()) {
		/* The name from the verified file, read once per import. */
		if (!name) {
			if (modreloc_symbol_name(&mv.m, symi, mv.impname, sizeof(mv.impname)))
				return -1;
			name = mv.impname;
		}
		r = exports_resolve(&mv.w, name, &v, &from);
		if (r == KSYMTAB_ABSENT) {
			/* Weak ones may stay unresolved (the relocator's rule). */
			if (!mv.unresolved)
				mv.unresolved_symi = symi;
			mv.unresolved = true;
			return -1;
		}
		if (r) {
			mv.bad_exports = true;
			return -1;
		}
		mv.req.import_mismatch += v != s.value;
		if (from == LVBS_OWNER_KERNEL)
			mv.req.imports_kernel++;
		else
			mv.req.imports_module++;
	} else {
		mv.req.imports_loader++;
	}
	mv.imp_key[h] = (u32)symi + 1;
	mv.imp_val[h] = v;
	mv.req.imports++;
	*value = v;
	return 0;
}

/* ---- the comparison ---- */

/* A refused claim as a result: which one (detail), and where. */
static u32 claim(u32 which, u32 sec, u64 off)
{
	mv.req.detail = which;
	mv.req.where_section = sec;
	mv.req.where_offset = off;
	return LVBS_MODCMP_CLAIM;
}

/* A relocator error as a result, with where it happened. */
static u32 failed(int r, u32 sec, u64 off)
{
	mv.req.where_section = sec;
	mv.req.where_offset = off;
	if (mv.bad_claim)
		return claim(LVBS_MODCMP_CLAIM_IMPORT, sec, off);
	if (mv.bad_exports)
		return claim(LVBS_MODCMP_CLAIM_EXPORTS, sec, off);
	if (r == MODRELOC_E_SYMBOL && mv.unresolved) {
		mv.req.where_offset = mv.unresolved_symi;
		return LVBS_MODCMP_UNRESOLVED;
	}
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

/* ---- the module's memory: its text pieces, bound once ---- */

/* The piece holding [lo, hi), or -1. */
static int piece_of(u64 lo, u64 hi)
{
	for (int p = 0; p < 2; p++) {
		u64 end = mv.tp_va[p] + (u64)mv.tp_n[p] * PAGE_SIZE;

		if (mv.tp_n[p] && lo >= mv.tp_va[p] && hi <= end && lo < hi)
			return p;
	}
	return -1;
}

static bool in_text(u64 lo, u64 hi)
{
	return piece_of(lo, hi) >= 0;
}

/* The lowest address of the text pieces (every code section lies above). */
static u64 text_base(void)
{
	if (!mv.tp_n[1])
		return mv.tp_va[0];
	if (!mv.tp_n[0])
		return mv.tp_va[1];
	return MIN(mv.tp_va[0], mv.tp_va[1]);
}

/*
 * Translate each page of the text pieces once, now: each must be the
 * owners' code (execute given or withheld). Every later read of code goes
 * to the frame found here.
 */
static u32 bind_text(void)
{
	u32 n = 0;

	mv.ntp = 0;
	for (u32 p = 0; p < 2; p++) {
		u64 va = mv.req.text_va[p], size = mv.req.text_size[p];

		mv.tp_va[p] = va;
		mv.tp_n[p] = 0;
		mv.tp_first[p] = n;
		if (!size)
			continue;
		if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) ||
		    va + size < va || size / PAGE_SIZE > LVBS_MODCMP_MAX_CODE_PAGES - n)
			return claim(LVBS_MODCMP_CLAIM_TEXT, 0, p);
		for (u64 off = 0; off < size; off += PAGE_SIZE) {
			u64 gpa;

			if (gwalk_translate(&mv.w, va + off, &gpa, NULL))
				return claim(LVBS_MODCMP_CLAIM_TEXT, 0, va + off);
			gpa &= ~(u64)(PAGE_SIZE - 1);
			if (!slat_module_page(gpa, mv.core, mv.init, true))
				return claim(LVBS_MODCMP_CLAIM_TEXT, 0, va + off);
			mv.tpage[n++] = gpa;
		}
		mv.tp_n[p] = (u32)(size / PAGE_SIZE);
	}
	mv.ntp = n;
	mv.req.code_pages = n;
	return RUNNING;
}

/*
 * Read @len bytes of the module at @va: code from the frames bound at the
 * start, anything else through the page tables and only from the owners'
 * read-only memory. 0, -1 unmapped, -2 not the module's.
 */
static int module_read(u64 va, void *dst, u32 len, bool code)
{
	u8 *d = dst;

	while (len) {
		u32 n = MIN(len, (u32)(PAGE_SIZE - (va & (PAGE_SIZE - 1))));
		u64 gpa;
		int p = piece_of(va, va + 1);

		if (code) {
			if (p < 0)
				return -2;
			gpa = mv.tpage[mv.tp_first[p] + (u32)((va - mv.tp_va[p]) >> PAGE_SHIFT)] |
			      (va & (PAGE_SIZE - 1));
		} else {
			if (gwalk_translate(&mv.w, va, &gpa, NULL))
				return -1;
			if (!slat_module_page(gpa & ~(u64)(PAGE_SIZE - 1), mv.core, mv.init, false))
				return -2;
		}
		memcpy(d, gpa_ptr(gpa), n);
		d += n;
		va += n;
		len -= n;
	}
	return 0;
}

/*
 * The module's own laid-out code sections, compared like the rest: a call
 * the kernel patches in may go there (a static call to the module's own
 * function: every tracepoint's __traceiter_*). Its memory is registered
 * by then, with execute withheld until the comparison says SAME, so
 * registration alone does not make it a target.
 */
static u32 own_code(void)
{
	struct elf64_shdr sh;
	u64 lo, hi;
	int r;

	mv.nown = 0;
	for (u32 i = 1; i < mv.m.shnum; i++) {
		r = modreloc_shdr(&mv.m, i, &sh);
		if (r)
			return failed(r, i, 0);
		if (!is_placed(i) || !(sh.flags & ELF_SHF_EXECINSTR) || (sh.flags & SHF_WRITE) ||
		    sh.type == ELF_SHT_NOBITS || !sh.size)
			continue;
		lo = mv.addr[i];
		hi = lo + sh.size;
		/* Code is compared only where it was bound: in a text piece. */
		if (hi < lo || !in_text(lo, hi))
			return claim(LVBS_MODCMP_CLAIM_CODE_PLACE, i, 0);
		if (mv.nown == MODCMP_OWN_CODE)
			return claim(LVBS_MODCMP_CLAIM_SECTIONS, i, 0);
		mv.own[mv.nown].lo = lo;
		mv.own[mv.nown].hi = hi;
		mv.nown++;
	}
	return RUNNING;
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
	mv.bad_exports = false;
	mv.unresolved = false;
	if (!modcheck_verified_file(mv.req.file, &len, &mv.core, &mv.init))
		return LVBS_MODCMP_NO_FILE;
	if (!mv.req.owner || mv.req.owner != mv.core || mv.core < LVBS_OWNER_MODULE_MIN ||
	    mv.init < LVBS_OWNER_MODULE_MIN)
		return claim(LVBS_MODCMP_CLAIM_OWNER, 0, 0);
	modfile_reader_init(&mv.rd, mv.req.file, len);
	mv.rd.fetch = fetch;
	mv.rd.read_page = read_page;
	mv.f = (struct modreloc_file){ .read = modfile_read, .ctx = &mv.rd, .size = len };
	memset(&mv.symcache, 0, sizeof(mv.symcache));
	/* By index: resolve() reads a name itself, once per import. */
	mv.env = (struct modreloc_env){ .section_addr = section_addr, .resolve = resolve,
					.by_index = true, .cache = &mv.symcache };
	r = modreloc_open(&mv.m, &mv.f, &mv.env);
	if (r)
		return failed(r, 0, 0);
	if (mv.req.shnum != mv.m.shnum || mv.req.nsyms != mv.m.nsyms ||
	    mv.req.shnum > LVBS_MODCMP_MAX_SECTIONS)
		return claim(LVBS_MODCMP_CLAIM_COUNTS, 0, 0);
	if (mv.req.alt_entsize && (mv.req.alt_entsize < 10 || mv.req.alt_entsize > 16))
		return claim(LVBS_MODCMP_CLAIM_ALT, 0, 0);	/* instrlen is second to last; at most 16 read */
	v = bind_text();
	if (v != RUNNING)
		return v;
	mv.sec = 1;
	mv.in_sec = false;
	mv.diff_end = 0;
	mv.odd_end = 0;
	mv.fill_next = 0;
	mv.filling = false;
	v = copy_layout();
	if (v != RUNNING)
		return v;
	v = own_code();
	if (v != RUNNING)
		return v;
	r = modsites_open(&mv.ms, &mv.m, mv.req.alt_entsize);
	if (!r)
		r = modsites_index(&mv.ms, mv.own, mv.nown, text_base());
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
 * file. 0 yes, 1 no, or a relocator error. @name (32 bytes): its name,
 * or "" if longer (no name sought here is).
 */
static int skip(u32 i, struct elf64_shdr *sh, char *name)
{
	int r = modreloc_shdr(&mv.m, i, sh);

	name[0] = '\0';
	if (r)
		return r;
	if (!is_placed(i) || !(sh->flags & ELF_SHF_ALLOC) || (sh->flags & SHF_WRITE) ||
	    sh->type == ELF_SHT_NOBITS || !sh->size)
		return 1;
	r = modreloc_section_name(&mv.m, sh, name, 32);
	if (r == MODRELOC_E_FORMAT) {
		name[0] = '\0';
		return 0;	/* a name longer than any sorted table's */
	}
	if (r)
		return r;
	return sorted_in_place(name) ? 1 : 0;
}

/*
 * The site's bytes as the file has them, relocated, into mv.orig: from a
 * second relocator over the section being compared, begun again when a
 * site lies before its last window (sites come in address order).
 */
static int site_original(const struct modsite *s)
{
	u64 base = mv.addr[mv.sec], off = s->va - base;
	int r;

	if (s->va < base || off > mv.sec_size || s->len > mv.sec_size - off)
		return MODRELOC_E_ARG;
	/*
	 * A site (255 bytes at most) begins in the window being compared or
	 * the one before: the main relocator as it was before that one has
	 * not gone past it, and has checked the relocations' order so far.
	 */
	mv.om = mv.snap_prev;
	if (off < mv.om.done_to) {
		r = modreloc_begin(&mv.om, mv.sec);
		if (r)
			return r;
	}
	return modreloc_window(&mv.om, off, mv.orig, s->len);
}

/*
 * An alternative's other bytes: the file's at the site, and the
 * replacement as laid out (module code, bound and compared like the
 * rest: a replacement that is not the file's makes the result DIFFER
 * anyway). False if either cannot be had: the form is then not allowed.
 */
static bool alt_bytes(const struct modsite *s, struct modsite_bytes *b)
{
	if (site_original(s) || module_read(s->repl, mv.repl, s->rlen, true))
		return false;
	b->orig = mv.orig;
	b->repl = mv.repl;
	return true;
}

/* One table entry's verdict on the guest's bytes mv.g. */
static bool allowed(const struct modsite *s, u32 *len, u64 *target)
{
	struct modsite_bytes b = { NULL, NULL };

	if (s->kind == LVBS_MODCMP_KIND_ALT && !alt_bytes(s, &b))
		return false;
	/* A jump label is as long as the file's instruction there. */
	if (s->kind == LVBS_MODCMP_KIND_JUMP && !site_original(s))
		b.orig = mv.orig;
	return modsites_allowed(s, mv.g, s->len, len, target, &b);
}

/*
 * Judge the site @s (the guest's bytes there, read once): is its form
 * one its kind allows? An alternative named more than once (each entry
 * at the same address) is allowed if any entry allows it. Where a call
 * or jump accepted there goes is counted here; the site itself is
 * counted by explained(), once it explains a byte.
 */
static int judge(const struct modsite *first)
{
	struct modsite s = *first, next;
	u64 target = 0, gpa, end = mv.addr[mv.sec] + mv.sec_size;
	u32 len;

	/* A jump label's bound (5) may pass its section's end: read to there. */
	if (s.kind == LVBS_MODCMP_KIND_JUMP && s.va < end && end - s.va < s.len)
		s.len = (u32)(end - s.va);
	len = s.len;
	mv.site = s;
	mv.site_valid = true;
	if (module_read(s.va, mv.g, s.len, true))
		return -1;
	/*
	 * Nested alternatives name one address with different lengths (6.12's
	 * kvm-amd: 5 and 15 bytes at one site): each entry is tried whole.
	 */
	while (!(mv.site_ok = allowed(&s, &len, &target)) && s.kind == LVBS_MODCMP_KIND_ALT &&
	       modsites_next_at(&mv.ms, &s, &next) == 1) {
		s = next;
		if (s.len > first->len && module_read(s.va, mv.g, s.len, true))
			return -1;
	}
	mv.site_end = s.va + len;
	if (!mv.site_ok || !target)
		return 0;
	/* Where a patched-in call or jump goes: registered code, or counted. */
	if (in_own_code(target) ||
	    (!gwalk_translate(&mv.w, target, &gpa, NULL) && slat_registered_code(gpa)))
		mv.req.checked_targets++;
	else
		mv.req.unchecked_targets++;
	return 0;
}

/*
 * Is the differing byte at @va a site's, in an allowed form? 1 yes, 0 no,
 * <0 error. Every site whose entry may cover it is tried in turn: a jump
 * label's entry covers 5 bytes until its file's instruction says 2, and
 * the next 3 can be another site's (fscache: a NOP2, then a static call).
 */
static int explained(u64 va)
{
	struct modsite s;
	u32 from = 0;
	int r;

	if (!mv.sec_code)
		return 0;
	if (mv.site_valid && va >= mv.site.va && va < mv.site_end)
		return mv.site_ok;
	for (;;) {
		bool fresh = false;

		r = modsites_find(&mv.ms, va, &from, &s);
		if (r <= 0)
			return r;
		if (!mv.site_valid || s.va != mv.site.va || s.kind != mv.site.kind) {
			if (judge(&s))
				return E_SITE_UNMAPPED;
			fresh = true;
		}
		if (va < mv.site_end) {
			/* Counted once per site, and only by a site that explains a byte. */
			if (fresh && mv.site_ok)
				mv.req.patched[mv.site.kind]++;
			return mv.site_ok;
		}
	}
}

/*
 * The one change the kernel makes to a module's alternatives table
 * (6.12's apply_alternatives(), for nested ALTERNATIVE()s): each entry of
 * one site gets the largest instrlen of them. A larger instrlen at byte
 * @off of the table (byte @k of the window) is that; the hypervisor's own
 * checks use the file's table, never memory's.
 */
static int alt_len_grown(u64 off, u64 k)
{
	return off % mv.req.alt_entsize == mv.req.alt_entsize - 2u && mv.have[k] > mv.want[k];
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
		e = mv.sec_alt ? alt_len_grown(mv.off + k, k) : explained(va + k);
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
			/* What a report of a refusal needs: the bytes, both ways. */
			mv.req.where_len = (u32)MIN(n - k, (u64)sizeof(mv.req.where_have));
			memcpy(mv.req.where_have, mv.have + k, mv.req.where_len);
			memcpy(mv.req.where_want, mv.want + k, mv.req.where_len);
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
	char name[32];
	int r;

	for (; mv.sec < mv.m.shnum; mv.sec++) {
		r = skip(mv.sec, &sh, name);
		if (r == 1)
			continue;
		if (!r)
			r = modreloc_begin(&mv.m, mv.sec);
		if (r)
			return failed(r, mv.sec, 0);
		mv.in_sec = true;
		mv.snap_cur = mv.m;
		mv.snap_prev = mv.m;
		mv.sec_code = sh.flags & ELF_SHF_EXECINSTR;
		mv.sec_alt = mv.req.alt_entsize && NAMED(name, ".altinstructions");
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
	return FILLING;
}

/*
 * Text page @i's bytes outside code sections: the loader cleared the
 * memory before it copied the sections in, so they must be zero. Counted
 * as fill_bytes; the first one's offset in its piece is where (section 0).
 */
static void fill_page(u32 i)
{
	u32 p = i >= mv.tp_first[1] && mv.tp_n[1] ? 1 : 0;
	u64 va = mv.tp_va[p] + (u64)(i - mv.tp_first[p]) * PAGE_SIZE, cur = va;
	const u8 *b = gpa_ptr(mv.tpage[i]);

	/* From gap to gap: the code sections' bytes were compared already. */
	while (cur < va + PAGE_SIZE) {
		u64 next = va + PAGE_SIZE, skip = 0;

		for (u32 k = 0; k < mv.nown; k++) {
			if (mv.own[k].lo <= cur && mv.own[k].hi > cur)
				skip = MAX(skip, mv.own[k].hi);
			else if (mv.own[k].lo > cur)
				next = MIN(next, mv.own[k].lo);
		}
		if (skip) {
			cur = skip;
			continue;
		}
		for (; cur < next; cur++) {
			if (!b[cur - va])
				continue;
			if (!mv.req.unexplained_bytes && !mv.req.fill_bytes) {
				mv.req.where_section = 0;
				mv.req.where_offset = cur - mv.tp_va[p];
			}
			mv.req.fill_bytes++;
		}
	}
}

/* At most LVBS_MODCMP_BUDGET pages: RUNNING, or the result. */
static u32 step(void)
{
	u32 budget = LVBS_MODCMP_BUDGET, v;
	int r;

	while (budget) {
		u64 va, n;

		if (mv.filling) {
			if (mv.fill_next == mv.ntp)
				return mv.req.unexplained_bytes || mv.req.fill_bytes ?
				       LVBS_MODCMP_DIFFER : LVBS_MODCMP_SAME;
			fill_page(mv.fill_next++);
			budget--;
			continue;
		}
		if (!mv.in_sec) {
			v = next_section();
			if (v == FILLING) {
				mv.filling = true;
				continue;
			}
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
		if (mv.sec_code) {
			mv.snap_prev = mv.snap_cur;
			mv.snap_cur = mv.m;
		}
		r = modreloc_window(&mv.m, mv.off, mv.want, n);
		if (r)
			return failed(r, mv.sec, mv.off);
		r = module_read(va, mv.have, (u32)n, mv.sec_code);
		if (r == -2)
			return claim(LVBS_MODCMP_CLAIM_DATA_PLACE, mv.sec, mv.off);
		if (r) {
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

/*
 * A module found SAME exports what its file's __ksymtab and __ksymtab_gpl
 * hold, where the loader put them: sections just compared, in the core
 * owner's read-only memory. Later modules' imports may come from there.
 */
static void record_exports(void)
{
	u64 start[2] = { 0, 0 }, end[2] = { 0, 0 };
	struct elf64_shdr sh;
	char name[32];

	for (u32 i = 1; i < mv.m.shnum; i++) {
		int k;

		if (!is_placed(i) || modreloc_shdr(&mv.m, i, &sh) ||
		    modreloc_section_name(&mv.m, &sh, name, sizeof(name)))
			continue;
		k = NAMED(name, "__ksymtab") ? 0 : NAMED(name, "__ksymtab_gpl") ? 1 : -1;
		if (k < 0 || (sh.flags & SHF_WRITE) || sh.type == ELF_SHT_NOBITS ||
		    mv.addr[i] + sh.size < mv.addr[i])
			continue;
		start[k] = mv.addr[i];
		end[k] = mv.addr[i] + sh.size;
	}
	exports_add_module(mv.core, start, end);
}

/*
 * The comparison is done (SAME or DIFFER): do the pieces name each of the
 * owners' code pages once? Then, for SAME, give execute to the withheld
 * ones, a run of frames at a time. The frames' order is not needed now.
 */
static u32 bind_result(u32 v)
{
	u64 all, withheld;
	u32 i, j;

	sort_u64(mv.tpage, mv.ntp);
	for (i = 1; i < mv.ntp; i++)
		if (mv.tpage[i] == mv.tpage[i - 1])
			return claim(LVBS_MODCMP_CLAIM_UNNAMED, 0, mv.tpage[i]);
	all = slat_module_code_pages(mv.core, mv.init, &withheld);
	if (all != mv.ntp)
		return claim(LVBS_MODCMP_CLAIM_UNNAMED, 0, all);
	if (v != LVBS_MODCMP_SAME)
		return v;
	for (i = 0; i < mv.ntp; i = j) {
		for (j = i + 1; j < mv.ntp && mv.tpage[j] == mv.tpage[j - 1] + PAGE_SIZE; j++)
			;
		if (slat_grant_code(mv.tpage[i], j - i, mv.core, mv.init, &mv.req.granted_pages))
			return claim(LVBS_MODCMP_CLAIM_TEXT, 0, mv.tpage[i]);
	}
	record_exports();
	return v;
}

/* Under mv.lock, the comparison over: counted, logged, the result out. */
static long finish(struct hv_cpu *c, u32 v, u64 gpa, u64 size)
{
	u64 withheld = 0;

	if (v == LVBS_MODCMP_SAME || v == LVBS_MODCMP_DIFFER)
		v = bind_result(v);
	if (mv.core >= LVBS_OWNER_MODULE_MIN)
		slat_module_code_pages(mv.core, mv.init, &withheld);
	mv.req.withheld_pages = withheld;
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
		if (mv.req.reserved) {
			mv.open = false;
			spin_unlock(&mv.lock);
			return LVBS_E_INVAL;
		}
		memset(&mv.req.result, 0, sizeof(mv.req) - offsetof(struct lvbs_module_compare, result));
		mv.open = true;
		mv.owner = c->index;
		mv.core = 0;
		mv.init = 0;
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
