// SPDX-License-Identifier: GPL-2.0
/*
 * lvbs-modreloc live MODULE NAME: in a guest where the file MODULE is
 * loaded as module NAME, compare the hypervisor's relocator with what the
 * kernel's own loader made of the same file (scenario modreloc).
 *
 * The kernel's side, read as root through interfaces meant for it:
 * each section's address from /sys/module/NAME/sections/, each import's
 * value and the per-CPU base from /proc/kallsyms, the module's memory
 * from /proc/kcore. Compared: the read-only sections that stay after
 * init (not .init.*, nothing writable), byte for byte.
 *
 * The kernel changes some bytes after relocating (alternatives, ftrace
 * call sites, jump labels, static calls, return thunks, ...). Each range
 * of differing bytes is put down to the nearest site named by a table of
 * the module's own (a section of addresses that is not code:
 * __mcount_loc, .altinstructions, ...) at most 64 bytes before it, and
 * counted per table (the nearest site: an approximate attribution when
 * two tables name nearby addresses); inside a table the kernel sorts in
 * place (.orc_unwind_ip, .orc_unwind, __ex_table) it is counted under
 * that table, marked "sorted". What nothing explains, in code or in any
 * other read-only section, is printed and counted as unexplained.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lvbs-modreloc.h"

#define SITE_REACH	64
#define MAX_TABLES	64

struct ksym {
	const char *name;
	const char *mod;	/* NULL: vmlinux */
	u64 addr;
	char type;
};

struct site {
	u64 addr;
	u32 table;		/* section index of the table that names it */
};

static struct {
	struct ksym *syms;
	size_t nsyms;
	const char *self;	/* the module compared */
	const struct mapped *mod;
	struct site *sites;
	size_t nsites;
	int kcore;
	Elf64_Phdr *ph;
	u32 nph;
} live;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 1 << 20, n = 0, r;
	char *buf = malloc(cap + 1);

	if (!f || !buf)
		die("cannot read %s%s", path, "");
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				die("out of memory reading %s%s", path, "");
		}
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ksym *)a)->name, ((const struct ksym *)b)->name);
}

/* /proc/kallsyms: "addr type name" or "addr type name\t[module]". */
static void load_kallsyms(void)
{
	size_t len, cap = 1 << 16;
	char *buf = slurp("/proc/kallsyms", &len), *line = buf, *next;

	live.syms = malloc(cap * sizeof(*live.syms));
	for (; *line; line = next) {
		struct ksym k = { 0 };
		char *f[4] = { 0 }, *save = NULL;
		int nf = 0;

		next = strchr(line, '\n');
		next = next ? (*next = '\0', next + 1) : line + strlen(line);
		for (char *t = strtok_r(line, " \t", &save); t && nf < 4; t = strtok_r(NULL, " \t", &save))
			f[nf++] = t;
		if (nf < 3)
			continue;
		k.addr = strtoull(f[0], NULL, 16);
		k.type = f[1][0];
		k.name = f[2];
		if (nf == 4 && f[3][0] == '[') {
			f[3][strcspn(f[3], "]")] = '\0';
			k.mod = f[3] + 1;
		}
		if (live.nsyms == cap)
			live.syms = realloc(live.syms, (cap *= 2) * sizeof(*live.syms));
		live.syms[live.nsyms++] = k;
	}
	qsort(live.syms, live.nsyms, sizeof(*live.syms), by_name);
	if (live.nsyms && live.syms[0].addr == 0 && live.syms[live.nsyms - 1].addr == 0)
		die("/proc/kallsyms shows no addresses%s%s", " (kptr_restrict?)", "");
}

/* The first kallsyms entry named name, or NULL. */
static const struct ksym *first_named(const char *name)
{
	size_t lo = 0, hi = live.nsyms;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(live.syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < live.nsyms && !strcmp(live.syms[lo].name, name) ? &live.syms[lo] : NULL;
}

/*
 * An import: the one global of that name in the kernel, or else the one
 * symbol of that name in another module (kallsyms gives every module
 * symbol a lowercase type, exported or not).
 */
static int live_resolve(void *ctx, u64 symi, const char *name, u64 *value)
{
	const struct ksym *k, *global = NULL, *other = NULL;
	u32 globals = 0, others = 0;

	(void)symi;
	(void)ctx;
	for (k = first_named(name); k && k < live.syms + live.nsyms && !strcmp(k->name, name); k++) {
		if (k->mod && !strcmp(k->mod, live.self))
			continue;
		if (!k->mod && isupper((unsigned char)k->type)) {
			globals += !global || global->addr != k->addr;
			global = k;
		} else if (k->mod && k->type != 'U') {
			others += !other || other->addr != k->addr;
			other = k;
		}
	}
	if (globals == 1 || (!globals && others == 1)) {
		*value = (globals ? global : other)->addr;
		return 0;
	}
	if (!is_weak_import(live.mod, name)) {
		fprintf(stderr, "lvbs-modreloc: import %s is %s in /proc/kallsyms; there are:", name,
			globals || others ? "ambiguous" : "not");
		for (k = first_named(name); k && k < live.syms + live.nsyms && !strcmp(k->name, name); k++)
			fprintf(stderr, " %c [%s]", k->type, k->mod ? k->mod : "vmlinux");
		fprintf(stderr, "\n");
	}
	return -1;
}

static int live_section_addr(void *ctx, u32 shndx, u64 *addr)
{
	const struct layout *l = ctx;

	if (shndx >= l->shnum || !l->placed[shndx])
		return -1;
	*addr = l->addr[shndx];
	return 0;
}

/*
 * Where a section sysfs does not show went, from where kallsyms puts one
 * of its named symbols: .data..percpu (the kernel unflags it and puts it
 * in the per-CPU area) and empty sections (sysfs leaves them out, but a
 * symbol of size 0 in one, such as a lock class key without lockdep, is
 * still referenced).
 */
static bool base_from_kallsyms(u32 pcpu, u64 *base)
{
	u32 n;
	const Elf64_Shdr *sh = shdrs(live.mod, &n);

	for (u32 i = 1; i < n; i++) {
		const Elf64_Sym *s = (const void *)(live.mod->p + sh[i].sh_offset);
		const char *str = (const char *)live.mod->p + sh[sh[i].sh_link].sh_offset;

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		for (u64 j = 1; j < sh[i].sh_size / sizeof(*s); j++) {
			const struct ksym *k;

			if (s[j].st_shndx != pcpu || !s[j].st_name)
				continue;
			for (k = first_named(str + s[j].st_name);
			     k && k < live.syms + live.nsyms && !strcmp(k->name, str + s[j].st_name); k++)
				if (k->mod && !strcmp(k->mod, live.self)) {
					*base = k->addr - s[j].st_value;
					return true;
				}
		}
	}
	return false;
}

static struct layout live_layout(const struct mapped *m, const char *name)
{
	struct layout l = { .mod = m };
	const Elf64_Shdr *sh = shdrs(m, &l.shnum);

	l.addr = calloc(l.shnum, sizeof(*l.addr));
	l.placed = calloc(l.shnum, sizeof(*l.placed));
	for (u32 i = 1; i < l.shnum; i++) {
		char path[512];
		FILE *f;

		if (!(sh[i].sh_flags & SHF_ALLOC))
			continue;
		if (!strcmp(sec_name(m, i), ".data..percpu") || !sh[i].sh_size) {
			l.placed[i] = base_from_kallsyms(i, &l.addr[i]);
			continue;
		}
		snprintf(path, sizeof(path), "/sys/module/%s/sections/%s", name, sec_name(m, i));
		f = fopen(path, "r");
		if (!f)
			continue;	/* not laid out (.modinfo, __versions) */
		l.placed[i] = fscanf(f, "%llx", (unsigned long long *)&l.addr[i]) == 1;
		fclose(f);
	}
	return l;
}

static int by_addr(const void *a, const void *b)
{
	u64 x = ((const struct site *)a)->addr, y = ((const struct site *)b)->addr;

	return x < y ? -1 : x > y;
}

/*
 * Every address a table of the module names: the targets of the
 * relocations of each laid-out section that is not code.
 */
static void collect_sites(const struct layout *l)
{
	u32 n;
	const Elf64_Shdr *sh = shdrs(live.mod, &n);
	size_t cap = 1024;

	live.sites = malloc(cap * sizeof(*live.sites));
	for (u32 i = 1; i < n; i++) {
		const Elf64_Rela *r = (const void *)(live.mod->p + sh[i].sh_offset);
		const Elf64_Shdr *sy = &sh[sh[i].sh_link];
		const Elf64_Sym *syms = (const void *)(live.mod->p + sy->sh_offset);
		u32 t = sh[i].sh_info;

		if (sh[i].sh_type != SHT_RELA || t >= n || !l->placed[t] ||
		    (sh[t].sh_flags & SHF_EXECINSTR))
			continue;
		for (u64 j = 0; j < sh[i].sh_size / sizeof(*r); j++) {
			const Elf64_Sym *s = &syms[ELF64_R_SYM(r[j].r_info)];

			if (s->st_shndx == SHN_UNDEF || s->st_shndx >= n || !l->placed[s->st_shndx])
				continue;
			if (live.nsites == cap)
				live.sites = realloc(live.sites, (cap *= 2) * sizeof(*live.sites));
			live.sites[live.nsites++] = (struct site){
				.addr = l->addr[s->st_shndx] + s->st_value + r[j].r_addend, .table = t };
		}
	}
	qsort(live.sites, live.nsites, sizeof(*live.sites), by_addr);
}

static bool patch_table(const char *name);

/*
 * The table whose site is nearest at or before addr, within reach; or 0.
 * A table of patched sites first: a function's start is also named by
 * .orc_unwind_ip, __ksymtab, function pointers in .data...
 */
static u32 explain(u64 addr)
{
	size_t lo = 0, hi = live.nsites;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (live.sites[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0 && addr - live.sites[i].addr < SITE_REACH;)
		if (patch_table(sec_name(live.mod, live.sites[i].table)))
			return live.sites[i].table;
	if (lo && addr - live.sites[lo - 1].addr < SITE_REACH)
		return live.sites[lo - 1].table;
	return 0;
}

static void open_kcore(void)
{
	Elf64_Ehdr eh;

	live.kcore = open("/proc/kcore", O_RDONLY);
	if (live.kcore < 0 || pread(live.kcore, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		die("cannot read /proc/kcore%s%s", "", "");
	live.nph = eh.e_phnum;
	live.ph = malloc(live.nph * sizeof(*live.ph));
	if (pread(live.kcore, live.ph, live.nph * sizeof(*live.ph), eh.e_phoff) !=
	    (ssize_t)(live.nph * sizeof(*live.ph)))
		die("cannot read /proc/kcore's program headers%s%s", "", "");
}

static void read_kernel(u64 addr, u8 *buf, u64 len)
{
	for (u32 i = 0; i < live.nph; i++) {
		const Elf64_Phdr *p = &live.ph[i];

		if (p->p_type != PT_LOAD || addr < p->p_vaddr || addr + len > p->p_vaddr + p->p_memsz)
			continue;
		if (pread(live.kcore, buf, len, p->p_offset + (addr - p->p_vaddr)) == (ssize_t)len)
			return;
	}
	die("cannot read kernel memory through /proc/kcore%s%s", "", "");
}

struct tally {
	u64 bytes, ranges, unexplained;
	u64 per_table[MAX_TABLES];
	u32 table_of[MAX_TABLES];
	u32 ntables;
};

static void count(struct tally *t, u32 table)
{
	u32 k;

	for (k = 0; k < t->ntables && t->table_of[k] != table; k++)
		;
	if (k == t->ntables) {
		if (t->ntables == MAX_TABLES)
			die("more than %s tables%s", "64", "");
		t->table_of[t->ntables++] = table;
	}
	t->per_table[k]++;
}

/*
 * Tables the kernel sorts after relocating (unwind_module_init() and
 * module_finalize(); sort_extable() for __ex_table): their bytes move.
 */
static bool sorted_in_place(const char *name)
{
	return !strcmp(name, ".orc_unwind_ip") || !strcmp(name, ".orc_unwind") ||
	       !strcmp(name, "__ex_table") || !strcmp(name, "__mcount_loc");
}

/* Tables of sites the kernel patches; others only name addresses. */
static bool patch_table(const char *name)
{
	static const char *const names[] = {
		"__mcount_loc", ".altinstructions", ".retpoline_sites", ".return_sites",
		".call_sites", ".ibt_endbr_seal", "__jump_table", ".static_call_sites",
		".smp_locks", "__patchable_function_entries",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/*
 * With LVBS_MODRELOC_SHOW=N, the first N explained ranges of each table
 * too, file bytes / kernel bytes, with 4 bytes of context before them.
 */
static void show(struct tally *t, u32 i, u64 a, u64 b, u32 table, const u8 *want,
		 const u8 *have, u64 before, u64 after)
{
	static long limit = -1;
	u32 k;

	if (limit < 0)
		limit = getenv("LVBS_MODRELOC_SHOW") ? atol(getenv("LVBS_MODRELOC_SHOW")) : 0;
	for (k = 0; k < t->ntables && t->table_of[k] != table; k++)
		;
	if (t->per_table[k] > (u64)limit)
		return;
	printf("  %s: %s+0x%llx:", sec_name(live.mod, table), sec_name(live.mod, i),
	       (unsigned long long)a);
	for (long c = -(long)MIN(before, 4); c < (long)(b - a + MIN(after, 2)); c++)
		printf(" %02x/%02x", want[c], have[c]);
	printf("\n");
}

/* A range of differing bytes [a, b) of section i, at base: whose is it? */
static void account(struct tally *t, u32 i, u64 base, u64 a, u64 b, const u8 *want,
		    const u8 *have, u64 before, u64 after)
{
	u32 n;
	const Elf64_Shdr *sh = shdrs(live.mod, &n);
	u32 table = (sh[i].sh_flags & SHF_EXECINSTR) ? explain(base + a) :
		    sorted_in_place(sec_name(live.mod, i)) ? i : 0;

	t->ranges++;
	t->bytes += b - a;
	if (table) {
		count(t, table);
		show(t, i, a, b, table, want, have, before, after);
		return;
	}
	t->unexplained++;
	printf("  unexplained: %s+0x%llx, %llu bytes:", sec_name(live.mod, i),
	       (unsigned long long)a, (unsigned long long)(b - a));
	for (u64 k = 0; k < b - a && k < 16; k++)
		printf(" %02x/%02x", want[k], have[k]);
	printf("\n");
}

static u64 compare_live(struct modreloc *mr, const struct layout *l, u32 i, struct tally *t)
{
	u32 n;
	const Elf64_Shdr *sh = &shdrs(live.mod, &n)[i];
	static u8 want[4096], have[4096];
	u64 start = 0;
	bool in = false;
	int r = modreloc_begin(mr, i);

	if (r)
		die("%s: %s", sec_name(live.mod, i), modreloc_strerror(r));
	for (u64 off = 0; off < sh->sh_size; off += sizeof(want)) {
		u64 len = sh->sh_size - off < sizeof(want) ? sh->sh_size - off : sizeof(want);

		r = modreloc_window(mr, off, want, len);
		if (r)
			die("%s: %s", sec_name(live.mod, i), modreloc_strerror(r));
		read_kernel(l->addr[i] + off, have, len);
		for (u64 k = 0; k <= len; k++) {
			bool d = k < len && want[k] != have[k];

			if (d && !in) {
				start = k;
				in = true;
			} else if (!d && in) {
				/* Ranges do not cross windows: a page apart is another. */
				account(t, i, l->addr[i], off + start, off + k,
					want + start, have + start, start, len - k);
				in = false;
			}
		}
	}
	return sh->sh_size;
}

/* Read-only, stays after init, holds bytes: what the kernel keeps as it laid it out. */
static bool compared(const struct layout *l, u32 i)
{
	u32 n;
	const Elf64_Shdr *sh = &shdrs(live.mod, &n)[i];
	const char *name = sec_name(live.mod, i);

	return l->placed[i] && !(sh->sh_flags & SHF_WRITE) && sh->sh_type != SHT_NOBITS &&
	       sh->sh_size && strncmp(name, ".init", 5) && strcmp(name, ".data..percpu");
}

int cmd_live(const char *path, const char *name)
{
	struct mapped m = map(path);
	struct layout l;
	struct modreloc_file f = { .read = file_read, .ctx = &m, .size = m.size };
	struct modreloc_env env = { .section_addr = live_section_addr, .resolve = live_resolve };
	struct modreloc mr;
	struct tally t = { 0 };
	u64 bytes = 0;
	u32 sections = 0;
	int r;

	live.self = name;
	live.mod = &m;
	load_kallsyms();
	l = live_layout(&m, name);
	env.ctx = &l;
	collect_sites(&l);
	open_kcore();
	r = modreloc_open(&mr, &f, &env);
	if (r)
		die("%s: %s", path, modreloc_strerror(r));
	for (u32 i = 1; i < l.shnum; i++) {
		if (!compared(&l, i))
			continue;
		sections++;
		bytes += compare_live(&mr, &l, i, &t);
	}
	printf("live %s: %u sections, %llu bytes, %llu relocations; %llu bytes differ in %llu ranges;",
	       name, sections, (unsigned long long)bytes, (unsigned long long)mr.applied,
	       (unsigned long long)t.bytes, (unsigned long long)t.ranges);
	for (u32 k = 0; k < t.ntables; k++)
		printf(" %s%s %llu,", sorted_in_place(sec_name(&m, t.table_of[k])) ? "sorted " : "",
		       sec_name(&m, t.table_of[k]), (unsigned long long)t.per_table[k]);
	printf(" unexplained %llu\n", (unsigned long long)t.unexplained);
	return t.unexplained ? 1 : 0;
}
