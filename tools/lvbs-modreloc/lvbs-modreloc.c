// SPDX-License-Identifier: GPL-2.0
/*
 * lvbs-modreloc: the hypervisor's module relocator (hv/core/modreloc.c),
 * built for the host, against an independent one: GNU ld.
 *
 *   lvbs-modreloc script MODULE
 *	print a GNU ld script that puts each section of MODULE the kernel
 *	lays out at an address of this tool's choosing and gives each symbol
 *	MODULE imports a value of this tool's choosing;
 *   lvbs-modreloc unmerge MODULE COPY
 *	write a copy of MODULE for ld, its sections' SHF_MERGE and
 *	SHF_STRINGS flags cleared: ld would merge equal strings and move
 *	everything after them, which the kernel never does;
 *   lvbs-modreloc live MODULE NAME
 *	in a guest where MODULE is loaded as NAME: compare it with what the
 *	kernel's own loader made of it (live.c);
 *   lvbs-modreloc compare MODULE LINKED
 *	compute every laid-out section of MODULE under the same choices with
 *	hv/core/modreloc.c and compare it byte for byte with the same
 *	section of LINKED, what "ld -T script COPY" made of it.
 *
 * tests/vm/modreloc-debian.sh runs both on Debian's own modules. The
 * choices are deterministic: sections in file order from a module-area
 * address, aligned as the file asks; .data..percpu at a small address, as
 * x86-64 per-CPU addresses are; imports in the kernel's text range, by a
 * hash of their name. Weak imports are left undefined (ld gives them 0,
 * the kernel leaves a weak symbol it cannot resolve as in the file).
 * Like the kernel, .modinfo and __versions are not laid out.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lvbs-modreloc.h"

#define MODULE_BASE	0xffffffffc0100000ULL
#define PERCPU_BASE	0x20000ULL
#define IMPORT_BASE	0xffffffff81000000ULL


void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "lvbs-modreloc: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(2);
}

struct mapped map(const char *path)
{
	struct stat st;
	struct mapped m;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		die("cannot open %s%s", path, "");
	m.size = st.st_size;
	m.p = mmap(NULL, m.size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m.p == MAP_FAILED)
		die("cannot map %s%s", path, "");
	close(fd);
	return m;
}

int file_read(void *ctx, u64 off, void *dst, u64 len)
{
	const struct mapped *m = ctx;

	if (off > m->size || len > m->size - off)
		return -1;
	memcpy(dst, m->p + off, len);
	return 0;
}

/* The module's own headers, read here with <elf.h> (ld's output too). */
const Elf64_Shdr *shdrs(const struct mapped *m, u32 *n)
{
	const Elf64_Ehdr *eh = (const void *)m->p;

	if (m->size < sizeof(*eh) || eh->e_shoff > m->size ||
	    (u64)eh->e_shnum * sizeof(Elf64_Shdr) > m->size - eh->e_shoff)
		die("%s%s: not an ELF file", "", "");
	*n = eh->e_shnum;
	return (const void *)(m->p + eh->e_shoff);
}

const char *sec_name(const struct mapped *m, u32 i)
{
	const Elf64_Ehdr *eh = (const void *)m->p;
	u32 n;
	const Elf64_Shdr *sh = shdrs(m, &n);

	return (const char *)m->p + sh[eh->e_shstrndx].sh_offset + sh[i].sh_name;
}

/* Laid out by the kernel: SHF_ALLOC, less what it unflags. */
static bool laid_out(const struct mapped *m, u32 i)
{
	u32 n;
	const Elf64_Shdr *sh = shdrs(m, &n);
	const char *name = sec_name(m, i);

	return (sh[i].sh_flags & SHF_ALLOC) && strcmp(name, ".modinfo") && strcmp(name, "__versions");
}

static struct layout make_layout(const struct mapped *m)
{
	struct layout l = { .mod = m };
	const Elf64_Shdr *sh = shdrs(m, &l.shnum);
	u64 cur = MODULE_BASE;

	l.addr = calloc(l.shnum, sizeof(*l.addr));
	l.placed = calloc(l.shnum, sizeof(*l.placed));
	for (u32 i = 1; i < l.shnum; i++) {
		u64 align = sh[i].sh_addralign ? sh[i].sh_addralign : 1;

		if (!laid_out(m, i))
			continue;
		l.placed[i] = true;
		if (!strcmp(sec_name(m, i), ".data..percpu")) {
			l.addr[i] = PERCPU_BASE;
			continue;
		}
		cur = (cur + align - 1) & ~(align - 1);
		l.addr[i] = cur;
		cur += sh[i].sh_size;
	}
	return l;
}

static u64 import_value(const char *name)
{
	u32 h = 2166136261u;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (u8)*name) * 16777619u;
	return IMPORT_BASE + ((u64)(h & 0xffffff) << 4);
}

static int section_addr(void *ctx, u32 shndx, u64 *addr)
{
	const struct layout *l = ctx;

	if (shndx >= l->shnum || !l->placed[shndx])
		return -1;
	*addr = l->addr[shndx];
	return 0;
}

/* An import the module declares weak stays unresolved, as in the script. */
bool is_weak_import(const struct mapped *m, const char *name)
{
	u32 n;
	const Elf64_Shdr *sh = shdrs(m, &n);

	for (u32 i = 1; i < n; i++) {
		const Elf64_Sym *s;
		const char *str;

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		s = (const void *)(m->p + sh[i].sh_offset);
		str = (const char *)m->p + sh[sh[i].sh_link].sh_offset;
		for (u64 j = 1; j < sh[i].sh_size / sizeof(*s); j++)
			if (s[j].st_shndx == SHN_UNDEF && !strcmp(str + s[j].st_name, name))
				return ELF64_ST_BIND(s[j].st_info) == STB_WEAK;
	}
	return false;
}

static int resolve(void *ctx, u64 symi, const char *name, u64 *value)
{
	const struct layout *l = ctx;

	(void)symi;
	if (is_weak_import(l->mod, name))
		return -1;
	*value = import_value(name);
	return 0;
}

static int cmd_script(const char *path)
{
	struct mapped m = map(path);
	struct layout l = make_layout(&m);
	u32 n;
	const Elf64_Shdr *sh = shdrs(&m, &n);

	printf("/* lvbs-modreloc script %s */\nSECTIONS\n{\n", path);
	for (u32 i = 1; i < n; i++) {
		if (l.placed[i])
			printf("\t.lvbs.%u 0x%llx : { *(%s) }\n", i,
			       (unsigned long long)l.addr[i], sec_name(&m, i));
		else if (sh[i].sh_flags & SHF_ALLOC)
			printf("\t/DISCARD/ : { *(%s) }\n", sec_name(&m, i));
	}
	printf("}\n");
	for (u32 i = 1; i < n; i++) {
		const Elf64_Sym *s;
		const char *str;

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		s = (const void *)(m.p + sh[i].sh_offset);
		str = (const char *)m.p + sh[sh[i].sh_link].sh_offset;
		for (u64 j = 1; j < sh[i].sh_size / sizeof(*s); j++)
			if (s[j].st_shndx == SHN_UNDEF && ELF64_ST_BIND(s[j].st_info) != STB_WEAK)
				printf("%s = 0x%llx;\n", str + s[j].st_name,
				       (unsigned long long)import_value(str + s[j].st_name));
	}
	return 0;
}

static int cmd_unmerge(const char *path, const char *copy)
{
	struct mapped m = map(path);
	u8 *p = malloc(m.size);
	const Elf64_Ehdr *eh = (const void *)m.p;
	Elf64_Shdr *sh;
	u32 n;
	FILE *f;

	shdrs(&m, &n);
	memcpy(p, m.p, m.size);
	sh = (void *)(p + eh->e_shoff);
	for (u32 i = 0; i < n; i++)
		sh[i].sh_flags &= ~(u64)(SHF_MERGE | SHF_STRINGS);
	f = fopen(copy, "wb");
	if (!f || fwrite(p, 1, m.size, f) != m.size || fclose(f))
		die("cannot write %s%s", copy, "");
	return 0;
}

/* LINKED's section .lvbs.i, or NULL. */
static const Elf64_Shdr *linked_section(const struct mapped *out, u32 i)
{
	char want[32];
	u32 n;
	const Elf64_Shdr *sh = shdrs(out, &n);

	snprintf(want, sizeof(want), ".lvbs.%u", i);
	for (u32 j = 1; j < n; j++)
		if (!strcmp(sec_name(out, j), want))
			return &sh[j];
	return NULL;
}

/* One section, a page at a time (as the hypervisor will): 0 if equal. */
static int compare_section(struct modreloc *mr, const struct mapped *mod,
			   const struct mapped *out, u32 i, u64 *bytes)
{
	u32 n;
	const Elf64_Shdr *sh = &shdrs(mod, &n)[i];
	const Elf64_Shdr *o = linked_section(out, i);
	u8 buf[4096];
	int r;

	if (sh->sh_type == SHT_NOBITS || sh->sh_size == 0)
		return 0;	/* nothing in the file; ld drops empty ones */
	if (!o)
		die("%s: ld kept no section %s", "LINKED", sec_name(mod, i));
	if (o->sh_size != sh->sh_size)
		die("%s: ld changed the size of %s", "LINKED", sec_name(mod, i));
	r = modreloc_begin(mr, i);
	if (r)
		die("%s: %s", sec_name(mod, i), modreloc_strerror(r));
	for (u64 off = 0; off < sh->sh_size; off += sizeof(buf)) {
		u64 len = sh->sh_size - off < sizeof(buf) ? sh->sh_size - off : sizeof(buf);

		r = modreloc_window(mr, off, buf, len);
		if (r)
			die("%s: %s", sec_name(mod, i), modreloc_strerror(r));
		for (u64 k = 0; k < len; k++)
			if (buf[k] != out->p[o->sh_offset + off + k]) {
				fprintf(stderr, "lvbs-modreloc: %s differs from ld's at offset 0x%llx\n",
					sec_name(mod, i), (unsigned long long)(off + k));
				return 1;
			}
	}
	*bytes += sh->sh_size;
	return 0;
}

static int cmd_compare(const char *path, const char *linked)
{
	struct mapped m = map(path), out = map(linked);
	struct layout l = make_layout(&m);
	struct modreloc_file f = { .read = file_read, .ctx = &m, .size = m.size };
	struct modreloc_env env = { .section_addr = section_addr, .resolve = resolve, .ctx = &l };
	struct modreloc mr;
	u32 sections = 0, differ = 0, notes = 0, n;
	const Elf64_Shdr *sh = shdrs(&m, &n);
	u64 bytes = 0;
	int r = modreloc_open(&mr, &f, &env);

	if (r)
		die("%s: %s", path, modreloc_strerror(r));
	for (u32 i = 1; i < l.shnum; i++) {
		if (!l.placed[i])
			continue;
		/* ld drops or rewrites notes; they carry no relocations. */
		if (sh[i].sh_type == SHT_NOTE) {
			notes++;
			continue;
		}
		sections++;
		differ += compare_section(&mr, &m, &out, i, &bytes);
	}
	printf("%s: %u sections (and %u notes ld drops), %llu bytes, %llu relocations: %s\n",
	       path, sections, notes, (unsigned long long)bytes, (unsigned long long)mr.applied,
	       differ ? "DIFFERENT" : "same as ld");
	return differ ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "script"))
		return cmd_script(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "live"))
		return cmd_live(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "unmerge"))
		return cmd_unmerge(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "compare"))
		return cmd_compare(argv[2], argv[3]);
	fprintf(stderr, "usage: lvbs-modreloc script MODULE\n"
		"       lvbs-modreloc unmerge MODULE COPY\n"
		"       lvbs-modreloc live MODULE NAME\n"
		"       lvbs-modreloc compare MODULE LINKED\n");
	return 2;
}
