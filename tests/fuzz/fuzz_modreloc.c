// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the hypervisor's module relocator
 * (hv/core/modreloc.c): a module file, then every laid-out section of it
 * produced in windows whose sizes the input's first byte picks. The
 * relocator will run on files whose signature verified, but on a layout
 * and import values the guest claims; here the file itself is hostile
 * too. Invariants beyond "no crash, no read out of bounds": the reader is
 * never asked for bytes outside the file, a window never grows, and no
 * more relocations are counted than the file could hold.
 *
 * Then the tables of patched sites it names (hv/core/modsites.c), as
 * MODULE_COMPARE walks them: opened, indexed (entries out of order), and
 * for every byte of each code section every site that may cover it, in
 * turn, each judged on bytes of the input. Invariants: a site found
 * covers the byte asked about, the walk goes forward, and a form's length
 * is set and never past the bytes given.
 *
 * With bit 7 of the first byte the file is read as the hypervisor will
 * read it (hv/core/modfile.c): its pages tagged, laid out in reverse in a
 * fake guest, read back through the tag-checking reader, which must give
 * exactly the file's bytes. With bit 6 too, one page (picked by the
 * second byte) is changed after tagging: a read must then fail exactly
 * when it touches that page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/modreloc.h"
#include "core/modfile.h"
#include "core/modsites.h"

struct input {
	const u8 *p;
	u64 size;
};

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_modreloc: %s\n", why);
	abort();
}

static int rd(void *ctx, u64 off, void *dst, u64 len)
{
	const struct input *in = ctx;

	if (off > in->size || len > in->size - off)
		fail("read outside the file");
	memcpy(dst, in->p + off, len);
	return 0;
}

/* ---- the file through tagged pages ---- */

#define MAX_PAGES	64

static struct {
	u8 page[MAX_PAGES][PAGE_SIZE];
	struct modfile_page list[MAX_PAGES];
	u64 npages;
	s64 bad;		/* the changed page, or -1 */
	struct modfile_reader rd;
	struct input in;
} tg;

static int tg_fetch(void *ctx, u64 index, struct modfile_page *out)
{
	(void)ctx;
	if (index >= tg.npages)
		fail("the reader fetched a page past the file");
	*out = tg.list[index];
	return 0;
}

static int tg_read_page(void *ctx, u64 gpa, u8 *dst)
{
	u64 i = gpa >> PAGE_SHIFT;

	(void)ctx;
	if (gpa & (PAGE_SIZE - 1) || i >= MAX_PAGES)
		fail("the reader read an address no entry gave");
	memcpy(dst, tg.page[i], PAGE_SIZE);
	return 0;
}

static int rd_tagged(void *ctx, u64 off, void *dst, u64 len)
{
	static u8 want[1u << 18];
	bool touches;
	int r;

	(void)ctx;
	rd(&tg.in, off, want, MIN(len, (u64)sizeof(want)));
	r = modfile_read(&tg.rd, off, dst, len);
	touches = tg.bad >= 0 && len && (u64)tg.bad >= off >> PAGE_SHIFT &&
		  (u64)tg.bad <= (off + len - 1) >> PAGE_SHIFT;
	if (!r == touches)
		fail(touches ? "a read over the changed page succeeded" : "a good read failed");
	if (!r && len <= sizeof(want) && memcmp(dst, want, len))
		fail("the reader gave other bytes than the file's");
	return r;
}

/* Tag the file's pages and lay them out in reverse; false if too big. */
static bool tag_file(const struct input *in, u8 sel)
{
	static const u8 key[MODFILE_KEY_LEN] = { 0x6c, 0x76, 0x62, 0x73 };

	tg.npages = (in->size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	if (!tg.npages || tg.npages > MAX_PAGES)
		return false;
	tg.in = *in;
	modfile_set_key(key, sizeof(key));
	for (u64 i = 0; i < tg.npages; i++) {
		u64 at = tg.npages - 1 - i, len = MIN((u64)PAGE_SIZE, in->size - i * PAGE_SIZE);

		memset(tg.page[at], 0xee, PAGE_SIZE);
		memcpy(tg.page[at], in->p + i * PAGE_SIZE, len);
		tg.list[i].gpa = at << PAGE_SHIFT;
		if (modfile_tag(7, i, tg.page[at], (u32)len, tg.list[i].tag))
			fail("no tag for a page");
	}
	tg.bad = -1;
	if (sel & 0x40) {
		tg.bad = sel % tg.npages;
		tg.page[tg.npages - 1 - tg.bad][0] ^= 0x01;
	}
	modfile_reader_init(&tg.rd, 7, in->size);
	tg.rd.fetch = tg_fetch;
	tg.rd.read_page = tg_read_page;
	return true;
}

/* Every section placed, 64 KiB apart in the module area; index 7 is not. */
#define SECTION_VA(i)	(0xffffffffc0000000ULL + ((u64)(i) << 16))

static int section_addr(void *ctx, u32 shndx, u64 *addr)
{
	(void)ctx;
	if (shndx == 7)
		return -1;
	*addr = SECTION_VA(shndx);
	return 0;
}

/* Names starting with 'u' are unknown; the rest have a value of their own. */
static int resolve(void *ctx, u64 symi, const char *name, u64 *value)
{
	u64 h = 1469598103934665603ULL;
	size_t n = strnlen(name, MODRELOC_NAME_MAX);

	(void)symi;
	(void)ctx;
	if (n == MODRELOC_NAME_MAX)
		fail("an unterminated name reached the resolver");
	if (name[0] == 'u')
		return -1;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (u8)name[i]) * 1099511628211ULL;
	*value = 0xffffffff80000000ULL | (h & 0x3ffffff0);
	return 0;
}

/* ---- the tables of patched sites ---- */

#define MAX_WALK	1024	/* bytes of each code section walked */

static struct modsites sites;

/* Judge site @s on bytes of the input (what memory would hold). */
static void judge(const struct modsite *s, const struct input *in, u64 k)
{
	u8 g[MODSITES_MAX_LEN] = { 0 }, o[MODSITES_MAX_LEN] = { 0 }, r[MODSITES_MAX_LEN] = { 0 };
	struct modsite_bytes b = { o, r };
	u32 len = 0xffffffff;
	u64 target;

	if (s->len > MODSITES_MAX_LEN || s->rlen > MODSITES_MAX_LEN)
		fail("a site longer than any the kernel has");
	for (u32 i = 0; i < MAX(s->len, s->rlen) && in->size; i++) {
		g[i] = in->p[(k + i) % in->size];
		o[i] = in->p[(k * 7 + i) % in->size];
		r[i] = in->p[(k * 13 + i) % in->size];
	}
	modsites_allowed(s, g, s->len, &len, &target, (k & 1) ? &b : NULL);
	if (len > s->len)
		fail("a form longer than the bytes given");
}

static void walk_sites(const struct modreloc *m, const struct input *in, u8 sel)
{
	struct modsites_range range[LVBS_MODCMP_MAX_CODE_SECTIONS];
	struct elf64_shdr sh;
	u32 n = 0;

	if (modsites_open(&sites, m, (sel & 0x10) ? 14 : 12))
		return;
	for (u32 i = 1; i < m->shnum && n < LVBS_MODCMP_MAX_CODE_SECTIONS; i++) {
		if (modreloc_shdr(m, i, &sh) || i == 7 || !(sh.flags & ELF_SHF_EXECINSTR) ||
		    !(sh.flags & ELF_SHF_ALLOC) || sh.size > (1u << 16))
			continue;
		range[n].lo = SECTION_VA(i);
		range[n++].hi = SECTION_VA(i) + sh.size;
	}
	if (modsites_index(&sites, range, n, SECTION_VA(0)))
		return;
	for (u32 c = 0; c < n; c++) {
		if (modsites_section(&sites, range[c].lo, range[c].hi))
			return;
		for (u64 va = range[c].lo; va < range[c].hi && va < range[c].lo + MAX_WALK; va++) {
			struct modsite s;
			u32 from = 0, last = 0;
			int r;

			for (u32 tries = 0; tries < 64; tries++) {
				r = modsites_find(&sites, va, &from, &s);
				if (r <= 0)
					break;
				if (va < s.va || va - s.va >= s.len)
					fail("a site found does not cover the byte asked about");
				if (from <= last)
					fail("the search for sites did not go forward");
				last = from;
				judge(&s, in, va - range[c].lo);
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 buf[4096 + 16];
	struct input in;
	struct modreloc_file f = { .read = rd, .ctx = &in };
	struct modreloc_env env = { .section_addr = section_addr, .resolve = resolve };
	struct modreloc m;
	u64 window;

	if (size < 2)
		return 0;
	window = 1 + (data[0] % 64) * 64;	/* 1 to 4033 bytes */
	in.p = data + 2;
	in.size = size - 2;
	f.size = in.size;
	if (data[0] & 0x80) {
		if (!tag_file(&in, data[1] | (data[0] & 0x40)))
			return 0;
		f.read = rd_tagged;
	}
	if (modreloc_open(&m, &f, &env))
		return 0;
	for (u32 i = 1; i < m.shnum; i++) {
		struct elf64_shdr sh;

		if (modreloc_shdr(&m, i, &sh) || modreloc_begin(&m, i))
			continue;
		for (u64 off = 0; off < sh.size && off < (1u << 20); off += window) {
			u64 len = MIN(window, sh.size - off);

			buf[window] = 0xa5;
			if (modreloc_window(&m, off, buf, len))
				break;
			if (buf[window] != 0xa5)
				fail("a window wrote past its length");
		}
	}
	if (m.applied > in.size / sizeof(struct elf64_rela))
		fail("more relocations applied than the file holds");
	walk_sites(&m, &in, data[1]);
	return 0;
}
