// SPDX-License-Identifier: GPL-2.0
/*
 * The module relocator (hv/core/modreloc.c) on a small module file built
 * here, so each value can be worked out by hand, and on every way that
 * file can be wrong. Debian's real modules are compared with GNU ld in
 * tests/vm/modreloc-debian.sh.
 *
 * The file: .text (32 bytes, relocated by .rela.text), .data (16 bytes),
 * .data..percpu (8 bytes, placed apart as the kernel does), .bss, and a
 * symbol table with a local in .data, a percpu local, an import "ext", a
 * weak import "weak", an absolute symbol and _GLOBAL_OFFSET_TABLE_.
 */
#include <stdlib.h>
#include <string.h>
#include <hv/types.h>
#include "core/modreloc.h"
#include "elfbuild.h"
#include "test.h"

enum { S_NULL, S_TEXT, S_RELA, S_DATA, S_PCPU, S_BSS, S_SYMTAB, S_STRTAB, S_SHSTRTAB, NSEC };
enum { Y_NULL, Y_LOCAL, Y_PCPU, Y_EXT, Y_WEAK, Y_ABS, Y_GOT, Y_UNKNOWN, NSYM };

#define TEXT_ADDR	0xffffffffc0001000ULL
#define DATA_ADDR	0xffffffffc0003000ULL
#define PCPU_ADDR	0x21000ULL
#define BSS_ADDR	0xffffffffc0004000ULL
#define EXT_VALUE	0xffffffff81234560ULL
#define ABS_VALUE	0x1234ULL
#define MAXRELA		8

static const char strtab[] = "\0local\0pcpu\0ext\0weak\0abs\0_GLOBAL_OFFSET_TABLE_\0unknown";
static const char shstrtab[] = "\0.text\0.rela.text\0.data\0.data..percpu\0.bss\0.symtab\0.strtab\0.shstrtab";

struct image {
	struct elf64_ehdr eh;
	u8 text[32];
	u8 data[16];
	u8 pcpu[8];
	struct elf64_rela rela[MAXRELA];
	struct elf64_sym sym[NSYM];
	char str[sizeof(strtab)];
	char shstr[sizeof(shstrtab)];
	struct elf64_shdr sh[NSEC];
} __attribute__((packed));

#define OFF(f)	offsetof(struct image, f)

#define name_of		elfb_name
#define sec(...)	elfb_sec(shstrtab, sizeof(shstrtab), __VA_ARGS__)
#define rela(...)	elfb_rela(__VA_ARGS__)

static struct elf64_sym sym(const char *name, u8 bind, u16 shndx, u64 value)
{
	return (struct elf64_sym){ .name = name ? name_of(strtab, sizeof(strtab), name) : 0,
		.info = (u8)(bind << 4), .shndx = shndx, .value = value };
}


/* The good file, with n relocations r[]. */
static void build(struct image *im, const struct elf64_rela *r, u32 n)
{
	memset(im, 0, sizeof(*im));
	im->eh = elfb_ehdr(OFF(sh), NSEC, S_SHSTRTAB);
	for (u32 i = 0; i < sizeof(im->text); i++)
		im->text[i] = 0x90;
	memcpy(im->data, "lvbs data bytes", 16);
	for (u32 i = 0; i < n; i++) {	/* the file holds zero at each site */
		u32 type = (u32)r[i].info;
		u64 size = type == R_X86_64_64 || type == R_X86_64_PC64 ? 8 : 4;

		for (u64 b = r[i].offset; b < r[i].offset + size && b < sizeof(im->text); b++)
			im->text[b] = 0;
		im->rela[i] = r[i];
	}
	im->sym[Y_LOCAL] = sym("local", 0, S_DATA, 8);
	im->sym[Y_PCPU] = sym("pcpu", 0, S_PCPU, 4);
	im->sym[Y_EXT] = sym("ext", 1, ELF_SHN_UNDEF, 0);
	im->sym[Y_WEAK] = sym("weak", ELF_STB_WEAK, ELF_SHN_UNDEF, 0);
	im->sym[Y_ABS] = sym("abs", 1, ELF_SHN_ABS, ABS_VALUE);
	im->sym[Y_GOT] = sym("_GLOBAL_OFFSET_TABLE_", 1, ELF_SHN_UNDEF, 0);
	im->sym[Y_UNKNOWN] = sym("unknown", 1, ELF_SHN_UNDEF, 0);
	memcpy(im->str, strtab, sizeof(strtab));
	memcpy(im->shstr, shstrtab, sizeof(shstrtab));
	im->sh[S_TEXT] = sec(".text", 1, ELF_SHF_ALLOC | ELF_SHF_EXECINSTR, OFF(text), 32);
	im->sh[S_RELA] = sec(".rela.text", ELF_SHT_RELA, 0, OFF(rela), n * sizeof(*r));
	im->sh[S_RELA].link = S_SYMTAB;
	im->sh[S_RELA].info = S_TEXT;
	im->sh[S_RELA].entsize = sizeof(*r);
	im->sh[S_DATA] = sec(".data", 1, ELF_SHF_ALLOC | 1, OFF(data), 16);
	im->sh[S_PCPU] = sec(".data..percpu", 1, ELF_SHF_ALLOC | 1, OFF(pcpu), 8);
	im->sh[S_BSS] = sec(".bss", ELF_SHT_NOBITS, ELF_SHF_ALLOC | 1, 0, 64);
	im->sh[S_SYMTAB] = sec(".symtab", ELF_SHT_SYMTAB, 0, OFF(sym), sizeof(im->sym));
	im->sh[S_SYMTAB].link = S_STRTAB;
	im->sh[S_SYMTAB].entsize = sizeof(struct elf64_sym);
	im->sh[S_STRTAB] = sec(".strtab", ELF_SHT_STRTAB, 0, OFF(str), sizeof(strtab));
	im->sh[S_SHSTRTAB] = sec(".shstrtab", ELF_SHT_STRTAB, 0, OFF(shstr), sizeof(shstrtab));
}

/* The reader and the environment the hypervisor will give. */
struct fixture {
	const u8 *file;
	u64 size;
	bool fail_reads;
	bool unplaced_data;
	u32 resolves;
};

static int fx_read(void *ctx, u64 off, void *dst, u64 len)
{
	struct fixture *fx = ctx;

	if (fx->fail_reads)
		return -1;
	CHECK(off <= fx->size && len <= fx->size - off);	/* modreloc bounds it first */
	memcpy(dst, fx->file + off, len);
	return 0;
}

static int fx_addr(void *ctx, u32 shndx, u64 *addr)
{
	struct fixture *fx = ctx;

	switch (shndx) {
	case S_TEXT:	*addr = TEXT_ADDR; return 0;
	case S_DATA:	*addr = DATA_ADDR; return fx->unplaced_data ? -1 : 0;
	case S_PCPU:	*addr = PCPU_ADDR; return 0;
	case S_BSS:	*addr = BSS_ADDR; return 0;
	default:	return -1;
	}
}

static int fx_resolve(void *ctx, u64 symi, const char *name, u64 *value)
{
	struct fixture *fx = ctx;

	(void)symi;
	fx->resolves++;
	if (strcmp(name, "ext"))
		return -1;
	*value = EXT_VALUE;
	return 0;
}

struct run {
	struct fixture fx;
	struct modreloc_file f;
	struct modreloc_env env;
	struct modreloc m;
};

static int open_image(struct run *r, const void *file, u64 size)
{
	memset(r, 0, sizeof(*r));
	r->fx.file = file;
	r->fx.size = size;
	r->f = (struct modreloc_file){ .read = fx_read, .ctx = &r->fx, .size = size };
	r->env = (struct modreloc_env){ .section_addr = fx_addr, .resolve = fx_resolve, .ctx = &r->fx };
	return modreloc_open(&r->m, &r->f, &r->env);
}

/* .text of a module with these relocations, in one window; the result. */
static int text_of(const struct elf64_rela *rel, u32 n, u8 out[32])
{
	struct image im;
	struct run r;
	int e;

	build(&im, rel, n);
	e = open_image(&r, &im, sizeof(im));
	if (!e)
		e = modreloc_begin(&r.m, S_TEXT);
	if (!e)
		e = modreloc_window(&r.m, 0, out, 32);
	return e;
}

static u32 le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static u64 le64(const u8 *p)
{
	return le32(p) | (u64)le32(p + 4) << 32;
}

TEST(modreloc_values_as_the_kernel_writes_them)
{
	const struct elf64_rela rel[] = {
		rela(0, R_X86_64_PC32, Y_LOCAL, -4),	/* .data + 8 - 4 - loc */
		rela(4, R_X86_64_PLT32, Y_EXT, -4),
		rela(8, R_X86_64_64, Y_EXT, 0x10),
		rela(16, R_X86_64_32S, Y_PCPU, 0),	/* per-CPU: small, fits */
		rela(20, R_X86_64_32, Y_ABS, 1),
		rela(24, R_X86_64_PC64, Y_WEAK, 0),	/* weak, unresolved: 0 */
	};
	u8 t[32];

	CHECK_EQ(text_of(rel, ARRAY_SIZE(rel), t), MODRELOC_OK);
	CHECK_EQ(le32(t + 0), (u32)(DATA_ADDR + 8 - 4 - (TEXT_ADDR + 0)));
	CHECK_EQ(le32(t + 4), (u32)(EXT_VALUE - 4 - (TEXT_ADDR + 4)));
	CHECK_EQ(le64(t + 8), EXT_VALUE + 0x10);
	CHECK_EQ(le32(t + 16), PCPU_ADDR + 4);
	CHECK_EQ(le32(t + 20), ABS_VALUE + 1);
	CHECK_EQ(le64(t + 24), (u64)0 - (TEXT_ADDR + 24));
}

TEST(modreloc_windows_give_the_same_bytes)
{
	const struct elf64_rela rel[] = {
		rela(2, R_X86_64_PC32, Y_LOCAL, -4),
		rela(9, R_X86_64_64, Y_EXT, 0),		/* straddles 8..16 and 16.. */
		rela(21, R_X86_64_PLT32, Y_EXT, -4),
	};
	struct image im;
	struct run r;
	u8 whole[32], part[32];

	CHECK_EQ(text_of(rel, ARRAY_SIZE(rel), whole), MODRELOC_OK);
	build(&im, rel, ARRAY_SIZE(rel));
	CHECK_EQ(open_image(&r, &im, sizeof(im)), MODRELOC_OK);
	CHECK_EQ(modreloc_begin(&r.m, S_TEXT), MODRELOC_OK);
	for (u32 off = 0; off < 32; off += 5)
		CHECK_EQ(modreloc_window(&r.m, off, part + off, MIN(5u, 32 - off)), MODRELOC_OK);
	CHECK(!memcmp(whole, part, 32));
	CHECK_EQ(r.m.applied, 3);		/* the straddler counts once */
	/* Windows go forward only. */
	CHECK_EQ(modreloc_window(&r.m, 0, part, 4), MODRELOC_E_ARG);
	CHECK_EQ(modreloc_begin(&r.m, S_TEXT), MODRELOC_OK);
	CHECK_EQ(modreloc_window(&r.m, 30, part, 4), MODRELOC_E_ARG);	/* past the end */
}

TEST(modreloc_other_sections)
{
	struct image im;
	struct run r;
	u8 b[64];
	char name[32];
	struct elf64_shdr sh;

	build(&im, NULL, 0);
	CHECK_EQ(open_image(&r, &im, sizeof(im)), MODRELOC_OK);
	CHECK_EQ(modreloc_begin(&r.m, S_DATA), MODRELOC_OK);	/* no relocations */
	CHECK_EQ(modreloc_window(&r.m, 0, b, 16), MODRELOC_OK);
	CHECK(!memcmp(b, "lvbs data bytes", 16));
	memset(b, 0xaa, sizeof(b));
	CHECK_EQ(modreloc_begin(&r.m, S_BSS), MODRELOC_OK);	/* zeros */
	CHECK_EQ(modreloc_window(&r.m, 0, b, 64), MODRELOC_OK);
	CHECK_EQ(b[0] | b[63], 0);
	CHECK_EQ(modreloc_begin(&r.m, S_SYMTAB), MODRELOC_E_FORMAT);	/* not laid out */
	CHECK_EQ(modreloc_begin(&r.m, S_NULL), MODRELOC_E_FORMAT);
	CHECK_EQ(modreloc_begin(&r.m, NSEC), MODRELOC_E_FORMAT);
	CHECK_EQ(modreloc_shdr(&r.m, S_PCPU, &sh), MODRELOC_OK);
	CHECK_EQ(modreloc_section_name(&r.m, &sh, name, sizeof(name)), MODRELOC_OK);
	CHECK_STR(name, ".data..percpu");
	CHECK_EQ(modreloc_section_name(&r.m, &sh, name, 5), MODRELOC_E_FORMAT);	/* too long */
}

TEST(modreloc_imports_follow_the_kernels_rules)
{
	u8 t[32];
	const struct elf64_rela got[] = { rela(0, R_X86_64_PC32, Y_GOT, 0) };
	const struct elf64_rela unknown[] = { rela(0, R_X86_64_PC32, Y_UNKNOWN, 0) };
	const struct elf64_rela null[] = { rela(0, R_X86_64_64, Y_NULL, 7) };

	CHECK_EQ(text_of(got, 1, t), MODRELOC_OK);		/* as the kernel: left as is */
	CHECK_EQ(text_of(unknown, 1, t), MODRELOC_E_SYMBOL);
	CHECK_EQ(text_of(null, 1, t), MODRELOC_OK);
	CHECK_EQ(le64(t), 7);
}

TEST(modreloc_refuses_what_the_kernel_refuses)
{
	u8 t[32];
	const struct elf64_rela over32[] = { rela(0, R_X86_64_32, Y_EXT, 0) };
	const struct elf64_rela over32s[] = { rela(0, R_X86_64_32S, Y_LOCAL, -0x50000000LL) };
	const struct elf64_rela got32[] = { rela(0, 3, Y_EXT, 0) };
	struct image im;
	struct run r;

	CHECK_EQ(text_of(over32, 1, t), MODRELOC_E_OVERFLOW);
	CHECK_EQ(text_of(over32s, 1, t), MODRELOC_E_OVERFLOW);
	CHECK_EQ(text_of(got32, 1, t), MODRELOC_E_TYPE);
	/* A site the file does not hold as zero. */
	build(&im, over32s, 1);
	im.rela[0] = rela(8, R_X86_64_64, Y_EXT, 0);
	im.text[15] = 1;
	CHECK_EQ(open_image(&r, &im, sizeof(im)), MODRELOC_OK);
	CHECK_EQ(modreloc_begin(&r.m, S_TEXT), MODRELOC_OK);
	CHECK_EQ(modreloc_window(&r.m, 0, t, 32), MODRELOC_E_NONZERO);
	/* A common symbol ("compile with -fno-common"). */
	im.text[15] = 0;
	im.sym[Y_EXT].shndx = ELF_SHN_COMMON;
	CHECK_EQ(open_image(&r, &im, sizeof(im)), MODRELOC_OK);
	CHECK_EQ(modreloc_begin(&r.m, S_TEXT), MODRELOC_OK);
	CHECK_EQ(modreloc_window(&r.m, 0, t, 32), MODRELOC_E_FORMAT);
	im.sym[Y_EXT].shndx = ELF_SHN_LIVEPATCH;
	CHECK_EQ(open_image(&r, &im, sizeof(im)), MODRELOC_OK);
	CHECK_EQ(modreloc_begin(&r.m, S_TEXT), MODRELOC_OK);
	CHECK_EQ(modreloc_window(&r.m, 0, t, 32), MODRELOC_E_TYPE);
}

/* One change to the good file, and what the relocator must answer. */
static int mutated(void (*mutate)(struct image *), int *stage)
{
	const struct elf64_rela rel[] = {
		rela(0, R_X86_64_PC32, Y_LOCAL, -4),
		rela(8, R_X86_64_64, Y_EXT, 0),
	};
	struct image im;
	struct run r;
	u8 t[32];
	int e;

	build(&im, rel, ARRAY_SIZE(rel));
	mutate(&im);
	*stage = 0;
	e = open_image(&r, &im, sizeof(im));
	if (e)
		return e;
	*stage = 1;
	e = modreloc_begin(&r.m, S_TEXT);
	if (e)
		return e;
	*stage = 2;
	return modreloc_window(&r.m, 0, t, 32);
}

static void m_magic(struct image *im) { im->eh.ident[1] = 'e'; }
static void m_class(struct image *im) { im->eh.ident[4] = 1; }
static void m_type(struct image *im) { im->eh.type = 2; }
static void m_machine(struct image *im) { im->eh.machine = 3; }
static void m_shoff(struct image *im) { im->eh.shoff = sizeof(*im) - 64; }
static void m_shoff_wrap(struct image *im) { im->eh.shoff = ~0ULL - 8; }
static void m_shnum(struct image *im) { im->eh.shnum = 0; }
static void m_shstrndx(struct image *im) { im->eh.shstrndx = NSEC; }
static void m_two_symtabs(struct image *im) { im->sh[S_STRTAB].type = ELF_SHT_SYMTAB; }
static void m_no_symtab(struct image *im) { im->sh[S_SYMTAB].type = 1; }
static void m_symtab_size(struct image *im) { im->sh[S_SYMTAB].size += 1; }
static void m_symtab_out(struct image *im) { im->sh[S_SYMTAB].offset = sizeof(*im); }
static void m_strtab_kind(struct image *im) { im->sh[S_SYMTAB].link = S_DATA; }
static void m_text_out(struct image *im) { im->sh[S_TEXT].size = ~0ULL; }
static void m_not_alloc(struct image *im) { im->sh[S_TEXT].flags = 0; }
static void m_two_relas(struct image *im) { im->sh[S_BSS] = im->sh[S_RELA]; }
static void m_rel(struct image *im) { im->sh[S_RELA].type = ELF_SHT_REL; }
static void m_livepatch(struct image *im) { im->sh[S_RELA].flags |= ELF_SHF_RELA_LIVEPATCH; }
static void m_rela_link(struct image *im) { im->sh[S_RELA].link = S_STRTAB; }
static void m_rela_size(struct image *im) { im->sh[S_RELA].size -= 1; }
static void m_order(struct image *im) { struct elf64_rela t = im->rela[0];
	im->rela[0] = im->rela[1]; im->rela[1] = t; }
static void m_overlap(struct image *im) { im->rela[1].offset = 2; }
static void m_past_end(struct image *im) { im->rela[1].offset = 28; }
static void m_past_end_wrap(struct image *im) { im->rela[1].offset = ~0ULL - 3; }
static void m_sym_index(struct image *im) { im->rela[1].info = (u64)NSYM << 32 | R_X86_64_64; }
static void m_sym_name(struct image *im) { im->sym[Y_EXT].name = sizeof(strtab); }
static void m_sym_unterminated(struct image *im) { im->sh[S_STRTAB].size = 14; }
static void m_sym_section(struct image *im) { im->sym[Y_LOCAL].shndx = NSEC; }
static void m_sym_not_alloc(struct image *im) { im->sym[Y_LOCAL].shndx = S_SYMTAB; }
static void m_sym_reserved(struct image *im) { im->sym[Y_LOCAL].shndx = 0xffff; }

TEST(modreloc_malformed_files)
{
	static const struct {
		const char *what;
		void (*mutate)(struct image *);
		int stage, result;
	} cases[] = {
		{ "magic", m_magic, 0, MODRELOC_E_FORMAT },
		{ "32-bit class", m_class, 0, MODRELOC_E_FORMAT },
		{ "not ET_REL", m_type, 0, MODRELOC_E_FORMAT },
		{ "not x86-64", m_machine, 0, MODRELOC_E_FORMAT },
		{ "headers past the end", m_shoff, 0, MODRELOC_E_FORMAT },
		{ "header offset wraps", m_shoff_wrap, 0, MODRELOC_E_FORMAT },
		{ "no sections", m_shnum, 0, MODRELOC_E_FORMAT },
		{ "shstrndx", m_shstrndx, 0, MODRELOC_E_FORMAT },
		{ "two symbol tables", m_two_symtabs, 0, MODRELOC_E_FORMAT },
		{ "no symbol table", m_no_symtab, 0, MODRELOC_E_FORMAT },
		{ "symbol table size", m_symtab_size, 0, MODRELOC_E_FORMAT },
		{ "symbol table past the end", m_symtab_out, 0, MODRELOC_E_FORMAT },
		{ "string table kind", m_strtab_kind, 0, MODRELOC_E_FORMAT },
		{ "section past the end", m_text_out, 1, MODRELOC_E_FORMAT },
		{ "section not laid out", m_not_alloc, 1, MODRELOC_E_FORMAT },
		{ "two relocation sections", m_two_relas, 1, MODRELOC_E_FORMAT },
		{ "REL", m_rel, 1, MODRELOC_E_TYPE },
		{ "livepatch relocations", m_livepatch, 1, MODRELOC_E_TYPE },
		{ "relocations of another symbol table", m_rela_link, 1, MODRELOC_E_FORMAT },
		{ "relocation table size", m_rela_size, 1, MODRELOC_E_FORMAT },
		{ "relocations out of order", m_order, 2, MODRELOC_E_FORMAT },
		{ "overlapping relocations", m_overlap, 2, MODRELOC_E_FORMAT },
		{ "site past the section", m_past_end, 2, MODRELOC_E_FORMAT },
		{ "site offset wraps", m_past_end_wrap, 2, MODRELOC_E_FORMAT },
		{ "symbol index", m_sym_index, 2, MODRELOC_E_FORMAT },
		{ "symbol name past the table", m_sym_name, 2, MODRELOC_E_FORMAT },
		{ "unterminated name", m_sym_unterminated, 2, MODRELOC_E_FORMAT },
		{ "symbol's section index", m_sym_section, 2, MODRELOC_E_FORMAT },
		{ "symbol in a section not laid out", m_sym_not_alloc, 2, MODRELOC_E_FORMAT },
		{ "reserved section index", m_sym_reserved, 2, MODRELOC_E_FORMAT },
	};

	for (u32 i = 0; i < ARRAY_SIZE(cases); i++) {
		int stage, e = mutated(cases[i].mutate, &stage);

		if (e != cases[i].result || stage != cases[i].stage)
			test_fail(__FILE__, __LINE__, "%s: result %d at stage %d, want %d at %d",
				  cases[i].what, e, stage, cases[i].result, cases[i].stage);
	}
}

TEST(modreloc_layout_and_reader_failures)
{
	const struct elf64_rela rel[] = { rela(0, R_X86_64_PC32, Y_LOCAL, -4) };
	struct image im;
	struct run r;
	u8 t[32];

	build(&im, rel, 1);
	CHECK_EQ(open_image(&r, &im, sizeof(im)), MODRELOC_OK);
	r.fx.unplaced_data = true;
	CHECK_EQ(modreloc_begin(&r.m, S_DATA), MODRELOC_E_LAYOUT);
	CHECK_EQ(modreloc_window(&r.m, 0, t, 4), MODRELOC_E_ARG);	/* nothing begun */
	CHECK_EQ(modreloc_begin(&r.m, S_TEXT), MODRELOC_OK);
	CHECK_EQ(modreloc_window(&r.m, 0, t, 32), MODRELOC_E_LAYOUT);	/* symbol in .data */
	r.fx.fail_reads = true;
	CHECK_EQ(modreloc_begin(&r.m, S_TEXT), MODRELOC_E_READ);
	CHECK_EQ(open_image(&r, &im, sizeof(im)), MODRELOC_OK);
	r.fx.fail_reads = true;
	CHECK_EQ(modreloc_open(&r.m, &r.f, &r.env), MODRELOC_E_READ);
}

/* Every prefix of the file: no read past it, an answer for each. */
TEST(modreloc_truncated_files)
{
	const struct elf64_rela rel[] = {
		rela(0, R_X86_64_PC32, Y_LOCAL, -4),
		rela(8, R_X86_64_64, Y_EXT, 0),
	};
	struct image im;
	u32 ok = 0;

	build(&im, rel, ARRAY_SIZE(rel));
	for (u64 len = 0; len <= sizeof(im); len++) {
		u8 *copy = malloc(len + 1), t[32];
		struct run r;
		int e;

		memcpy(copy, &im, len);
		e = open_image(&r, copy, len);
		if (!e)
			e = modreloc_begin(&r.m, S_TEXT);
		if (!e)
			e = modreloc_window(&r.m, 0, t, 32);
		ok += !e;
		free(copy);
	}
	CHECK_EQ(ok, 1);	/* the whole file only: headers are at its end */
}
