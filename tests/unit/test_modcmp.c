// SPDX-License-Identifier: GPL-2.0
/*
 * MODULE_COMPARE (hv/core/modcmp.c): a small module file, verified (as
 * far as the tags go) and laid out in the fake guest the way the kernel's
 * loader does, then compared. Each way memory, the file or the guest's
 * claims can be wrong gives its own result.
 *
 * The file: .text (65 pages and a bit, so a comparison takes two calls,
 * with a PC32 relocation to the import "ext" and a 64-bit one that
 * straddles a page), .rodata (a 64-bit relocation to .text), .data
 * (writable: not compared), .modinfo (the loader does not lay it out),
 * and three tables of patched sites (modsites.c): __mcount_loc (an
 * ftrace call at .text+0x200, and an entry out of order), .return_sites
 * (a jmp to the return thunk at +0x300), __jump_table (a NOP5 at +0x400
 * whose jump goes to +0x480, a NOP2 at +0x500 whose jump goes to +0x520)
 * and, after it in the file as in fscache, .static_call_sites (a call to
 * "ext" at +0x502, right after the NOP2).
 */
#include <stdlib.h>
#include <string.h>
#include <hv/types.h>
#include <hv/x86.h>
#include "core/elf.h"
#include "core/hv.h"
#include "core/modcheck.h"
#include "core/modfile.h"
#include "core/slat.h"
#include "core/modsites.h"
#include "core/exports.h"
#include "elfbuild.h"
#include "stub_arch.h"
#include "test.h"

enum { S_NULL, S_TEXT, S_RELA_TEXT, S_RODATA, S_RELA_RODATA, S_DATA, S_MODINFO,
       S_MCOUNT, S_RELA_MCOUNT, S_RETS, S_RELA_RETS, S_JUMP, S_RELA_JUMP,
       S_SCALL, S_RELA_SCALL, S_SYMTAB, S_STRTAB, S_SHSTRTAB, NSEC };
enum { Y_NULL, Y_TEXT, Y_EXT, NSYM };

#define TEXT_SIZE	(65 * PAGE_SIZE + 100)
#define TEXT_VA		0xffffffffc0100000ULL
#define RODATA_VA	0xffffffffc0150000ULL
#define DATA_VA		0xffffffffc0151000ULL
#define MCOUNT_VA	0xffffffffc0152000ULL	/* not read: the tables come from the file */
#define RETS_VA		0xffffffffc0153000ULL
#define JUMP_VA		0xffffffffc0154000ULL
#define SCALL_VA	0xffffffffc0155000ULL
#define FTRACE_SITE	0x200
#define RET_SITE	0x300
#define JUMP_SITE	0x400
#define JUMP_TARGET	0x480
#define JUMP2_SITE	0x500
#define JUMP2_TARGET	0x520
#define SCALL_SITE	0x502
#define SHDRS_VA	0xffffc90000010000ULL
#define SYMTAB_VA	0xffffc90000011000ULL
#define LIST_VA		0xffffc90000020000ULL
#define EXT_VALUE	0xffffffff81234560ULL
#define FILE_ID		1000
#define CORE		(LVBS_OWNER_MODULE_MIN + 100)	/* the owners its check authorized */
#define INIT		(CORE + 1)
#define TEXT_PAGES	((TEXT_SIZE + PAGE_SIZE - 1) / PAGE_SIZE)

/* Where things are in the fake guest's RAM. */
#define FILE_OFF	0x100000
#define TEXT_OFF	0x150000
#define RODATA_OFF	0x193000
#define DATA_OFF	0x194000
#define RETS_OFF	0x19a000
#define SHDRS_OFF	0x195000
#define SYMTAB_OFF	0x196000
#define LIST_OFF	0x197000
#define REQ_OFF		0x199000

#define MC	LVBS_HC(LVBS_HC_MODULE_COMPARE)

static const char strtab[] = "\0.text\0ext";
static const char shstrtab[] =
	"\0.text\0.rela.text\0.rodata\0.rela.rodata\0.data\0.modinfo\0.symtab\0.strtab\0.shstrtab"
	"\0__mcount_loc\0.rela__mcount_loc\0.return_sites\0.rela.return_sites"
	"\0__jump_table\0.rela__jump_table\0.static_call_sites\0.rela.static_call_sites";

struct image {
	struct elf64_ehdr eh;
	u8 text[TEXT_SIZE];
	u8 rodata[16];
	u8 data[16];
	u8 modinfo[16];
	u8 mcount[16];
	u8 rets[4];
	u8 jump[32];
	u8 scall[8];
	struct elf64_rela rela_text[5];
	struct elf64_rela rela_rodata[1];
	struct elf64_rela rela_mcount[2];
	struct elf64_rela rela_rets[1];
	struct elf64_rela rela_jump[4];
	struct elf64_rela rela_scall[2];
	struct elf64_sym sym[NSYM];
	char str[sizeof(strtab)];
	char shstr[sizeof(shstrtab)];
	struct elf64_shdr sh[NSEC];
} __attribute__((packed));

#define OFF(f)		offsetof(struct image, f)
#define FILE_PAGES	((sizeof(struct image) + PAGE_SIZE - 1) / PAGE_SIZE)

static u8 *ram(u64 off)
{
	return guest.ram + off;
}

static struct image *file(void)
{
	return (struct image *)ram(FILE_OFF);
}

#define name_of		elfb_name
#define sec(...)	elfb_sec(shstrtab, sizeof(shstrtab), __VA_ARGS__)
#define rela(...)	elfb_rela(__VA_ARGS__)

static struct elf64_shdr rela_sec(const char *name, u64 off, u64 size, u32 target)
{
	struct elf64_shdr s = sec(name, ELF_SHT_RELA, 0, off, size);

	s.link = S_SYMTAB;
	s.info = target;
	s.entsize = sizeof(struct elf64_rela);
	return s;
}

static void build(struct image *im)
{
	memset(im, 0, sizeof(*im));
	im->eh = elfb_ehdr(OFF(sh), NSEC, S_SHSTRTAB);
	for (u32 i = 0; i < TEXT_SIZE; i++)
		im->text[i] = (u8)(i * 7 + 1) | 1;	/* never zero but at the sites */
	memset(im->text + 0x100, 0, 4);
	memset(im->text + 0xffe, 0, 8);
	/* The sites as the compiler leaves them: call, jmp (relocated), NOP5. */
	memcpy(im->text + FTRACE_SITE, "\xe8\0\0\0\0", 5);
	memcpy(im->text + RET_SITE, "\xe9\0\0\0\0", 5);
	memcpy(im->text + JUMP_SITE, "\x0f\x1f\x44\x00\x00", 5);
	memcpy(im->text + JUMP2_SITE, "\x66\x90\xe8\0\0\0\0", 7);	/* NOP2, static call */
	im->rela_text[0] = rela(0x100, R_X86_64_PLT32, Y_EXT, -4);
	im->rela_text[1] = rela(FTRACE_SITE + 1, R_X86_64_PLT32, Y_EXT, -4);
	im->rela_text[2] = rela(RET_SITE + 1, R_X86_64_PC32, Y_EXT, -4);
	im->rela_text[3] = rela(SCALL_SITE + 1, R_X86_64_PLT32, Y_EXT, -4);
	im->rela_text[4] = rela(0xffe, R_X86_64_64, Y_TEXT, 0x20);
	im->rela_rodata[0] = rela(0, R_X86_64_64, Y_TEXT, 0x10);
	im->rela_mcount[0] = rela(0, R_X86_64_64, Y_TEXT, FTRACE_SITE);
	im->rela_mcount[1] = rela(8, R_X86_64_64, Y_TEXT, 0x180);	/* before: out of order */
	im->rela_rets[0] = rela(0, R_X86_64_PC32, Y_TEXT, RET_SITE);
	im->rela_jump[0] = rela(0, R_X86_64_PC32, Y_TEXT, JUMP_SITE);
	im->rela_jump[1] = rela(4, R_X86_64_PC32, Y_TEXT, JUMP_TARGET);
	im->rela_jump[2] = rela(16, R_X86_64_PC32, Y_TEXT, JUMP2_SITE);
	im->rela_jump[3] = rela(20, R_X86_64_PC32, Y_TEXT, JUMP2_TARGET);
	im->rela_scall[0] = rela(0, R_X86_64_PC32, Y_TEXT, SCALL_SITE);
	im->rela_scall[1] = rela(4, R_X86_64_PC32, Y_EXT, 0);	/* the key */
	memcpy(im->rodata + 8, "rodata!", 8);
	memcpy(im->data, "lvbs data bytes", 16);
	memcpy(im->modinfo, "license=GPL", 12);
	im->sym[Y_TEXT] = (struct elf64_sym){ .info = 3, .shndx = S_TEXT };	/* STT_SECTION */
	im->sym[Y_EXT] = (struct elf64_sym){ .name = name_of(strtab, sizeof(strtab), "ext"),
		.info = 1 << 4 };					/* global, undefined */
	memcpy(im->str, strtab, sizeof(strtab));
	memcpy(im->shstr, shstrtab, sizeof(shstrtab));
	im->sh[S_TEXT] = sec(".text", 1, ELF_SHF_ALLOC | ELF_SHF_EXECINSTR, OFF(text), TEXT_SIZE);
	im->sh[S_RELA_TEXT] = rela_sec(".rela.text", OFF(rela_text), sizeof(im->rela_text), S_TEXT);
	im->sh[S_RODATA] = sec(".rodata", 1, ELF_SHF_ALLOC, OFF(rodata), 16);
	im->sh[S_RELA_RODATA] = rela_sec(".rela.rodata", OFF(rela_rodata),
					 sizeof(im->rela_rodata), S_RODATA);
	im->sh[S_DATA] = sec(".data", 1, ELF_SHF_ALLOC | 1, OFF(data), 16);
	im->sh[S_MODINFO] = sec(".modinfo", 1, ELF_SHF_ALLOC, OFF(modinfo), 16);
	im->sh[S_MCOUNT] = sec("__mcount_loc", 1, ELF_SHF_ALLOC, OFF(mcount), 16);
	im->sh[S_RELA_MCOUNT] = rela_sec(".rela__mcount_loc", OFF(rela_mcount),
					 sizeof(im->rela_mcount), S_MCOUNT);
	im->sh[S_RETS] = sec(".return_sites", 1, ELF_SHF_ALLOC, OFF(rets), 4);
	im->sh[S_RELA_RETS] = rela_sec(".rela.return_sites", OFF(rela_rets),
				       sizeof(im->rela_rets), S_RETS);
	im->sh[S_JUMP] = sec("__jump_table", 1, ELF_SHF_ALLOC | 1, OFF(jump), 32);
	im->sh[S_RELA_JUMP] = rela_sec(".rela__jump_table", OFF(rela_jump),
				       sizeof(im->rela_jump), S_JUMP);
	im->sh[S_SCALL] = sec(".static_call_sites", 1, ELF_SHF_ALLOC | 1, OFF(scall), 8);
	im->sh[S_RELA_SCALL] = rela_sec(".rela.static_call_sites", OFF(rela_scall),
					sizeof(im->rela_scall), S_SCALL);
	im->sh[S_SYMTAB] = sec(".symtab", ELF_SHT_SYMTAB, 0, OFF(sym), sizeof(im->sym));
	im->sh[S_SYMTAB].link = S_STRTAB;
	im->sh[S_SYMTAB].entsize = sizeof(struct elf64_sym);
	im->sh[S_STRTAB] = sec(".strtab", ELF_SHT_STRTAB, 0, OFF(str), sizeof(strtab));
	im->sh[S_SHSTRTAB] = sec(".shstrtab", ELF_SHT_STRTAB, 0, OFF(shstr), sizeof(shstrtab));
}

static void put64(u8 *p, u64 v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (u8)(v >> (8 * i));
}

static void map_range(u64 va, u64 off, u64 len)
{
	for (u64 p = 0; p < len; p += PAGE_SIZE)
		guest_map(va + p, (u64)ram(off) + p);
}

/* Register [off, off + pages) of the fake RAM for @owner. */
static long reg(u64 off, u64 pages, u32 perm, u32 owner)
{
	struct lvbs_mem_prot e = {
		.gpa = (u64)ram(off), .size = pages * PAGE_SIZE, .perm = perm, .owner = owner,
	};
	u32 applied;

	return slat_protect(hv_cpu_of(0), &e, 1, &applied);
}

#define CODE_PERM	(LVBS_PERM_R | LVBS_PERM_XS | LVBS_PERM_PATCHABLE | LVBS_PERM_IMMUTABLE)
#define RO_PERM		(LVBS_PERM_R | LVBS_PERM_IMMUTABLE)

/* The module's memory under its owners, as lvbs.ko registers it at COMING. */
static void register_module(void)
{
	CHECK_EQ(reg(TEXT_OFF, TEXT_PAGES, CODE_PERM, CORE), LVBS_OK);
	CHECK_EQ(reg(RODATA_OFF, 1, RO_PERM, CORE), LVBS_OK);
	CHECK_EQ(reg(RETS_OFF, 1, RO_PERM, CORE), LVBS_OK);
	CHECK_EQ(reg(DATA_OFF, 1, LVBS_PERM_R | LVBS_PERM_W, CORE), LVBS_OK);
}

/* The rights the SLAT gives the text page @i. */
static u32 text_rights(u32 i)
{
	u32 perm = 0;

	CHECK_EQ(pt_lookup(&hv.slat, (u64)ram(TEXT_OFF) + i * PAGE_SIZE, NULL, &perm, NULL), 0);
	return perm;
}

static struct lvbs_module_page *list(void)
{
	return (struct lvbs_module_page *)ram(LIST_OFF);
}

static struct elf64_sym *laid_syms(void)
{
	return (struct elf64_sym *)ram(SYMTAB_OFF);
}

/*
 * The file verified and tagged; the module laid out and relocated as the
 * kernel's loader does, with its section headers and symbol table.
 */
static void setup_no_register(void)
{
	struct image *im = file();
	struct elf64_shdr *sh = (struct elf64_shdr *)ram(SHDRS_OFF);
	u32 pc;

	stub_reset();
	build(im);
	for (u64 i = 0; i < FILE_PAGES; i++) {
		u64 left = sizeof(*im) - i * PAGE_SIZE;

		list()[i].gpa = (u64)ram(FILE_OFF) + i * PAGE_SIZE;
		CHECK_EQ(modfile_tag(FILE_ID, i, ram(FILE_OFF) + i * PAGE_SIZE,
				     left < PAGE_SIZE ? (u32)left : PAGE_SIZE, list()[i].tag), 0);
	}
	modcheck_test_verified(FILE_ID, sizeof(*im), CORE, INIT);
	/* Laid out: the file's bytes, relocated. */
	memcpy(ram(TEXT_OFF), im->text, TEXT_SIZE);
	pc = (u32)(EXT_VALUE - 4 - (TEXT_VA + 0x100));
	memcpy(ram(TEXT_OFF) + 0x100, &pc, 4);
	pc = (u32)(EXT_VALUE - 4 - (TEXT_VA + FTRACE_SITE + 1));
	memcpy(ram(TEXT_OFF) + FTRACE_SITE + 1, &pc, 4);
	pc = (u32)(EXT_VALUE - 4 - (TEXT_VA + RET_SITE + 1));
	memcpy(ram(TEXT_OFF) + RET_SITE + 1, &pc, 4);
	pc = (u32)(EXT_VALUE - 4 - (TEXT_VA + SCALL_SITE + 1));
	memcpy(ram(TEXT_OFF) + SCALL_SITE + 1, &pc, 4);
	pc = (u32)(TEXT_VA + RET_SITE - RETS_VA);
	memcpy(ram(RETS_OFF), &pc, 4);
	put64(ram(TEXT_OFF) + 0xffe, TEXT_VA + 0x20);
	memcpy(ram(RODATA_OFF), im->rodata, 16);
	put64(ram(RODATA_OFF), TEXT_VA + 0x10);
	memcpy(ram(DATA_OFF), "changed at will", 16);
	/* The loader's headers: addresses set, .modinfo not laid out. */
	memcpy(sh, im->sh, sizeof(im->sh));
	sh[S_TEXT].addr = TEXT_VA;
	sh[S_RODATA].addr = RODATA_VA;
	sh[S_DATA].addr = DATA_VA;
	sh[S_MCOUNT].addr = MCOUNT_VA;
	sh[S_RETS].addr = RETS_VA;
	sh[S_JUMP].addr = JUMP_VA;
	sh[S_SCALL].addr = SCALL_VA;
	sh[S_MODINFO].flags &= ~ELF_SHF_ALLOC;
	sh[S_MODINFO].addr = (u64)ram(FILE_OFF) + OFF(modinfo);
	memcpy(laid_syms(), im->sym, sizeof(im->sym));
	laid_syms()[Y_EXT].value = EXT_VALUE;
	map_range(TEXT_VA, TEXT_OFF, TEXT_SIZE);
	map_range(RODATA_VA, RODATA_OFF, PAGE_SIZE);
	map_range(DATA_VA, DATA_OFF, PAGE_SIZE);
	map_range(RETS_VA, RETS_OFF, PAGE_SIZE);
	map_range(SHDRS_VA, SHDRS_OFF, PAGE_SIZE);
	map_range(SYMTAB_VA, SYMTAB_OFF, PAGE_SIZE);
	map_range(LIST_VA, LIST_OFF, 2 * PAGE_SIZE);
}

static void setup(void)
{
	setup_no_register();
	register_module();
}

static struct lvbs_module_compare *req(void)
{
	return (struct lvbs_module_compare *)ram(REQ_OFF);
}

static void make_request(void)
{
	memset(req(), 0, sizeof(*req()));
	req()->size = sizeof(*req());
	req()->file = FILE_ID;
	req()->pages = LIST_VA;
	req()->shdrs = SHDRS_VA;
	req()->symtab = SYMTAB_VA;
	req()->shnum = NSEC;
	req()->nsyms = NSYM;
	req()->owner = CORE;
	req()->text_va[0] = TEXT_VA;
	req()->text_size[0] = TEXT_PAGES * PAGE_SIZE;
}

static long call(u32 cpu, u64 cont, u64 *more)
{
	long r = stub_hypercall(cpu, 0x200000, MC, (u64)req(), sizeof(*req()), cont);

	*more = hv_cpu_of(cpu)->regs[REG_RBX];
	return r;
}

/* A whole comparison of the request as it is, from CPU 0: the result. */
static u32 run(u32 *calls)
{
	u64 more = 1;
	u32 n = 0;

	CHECK_EQ(call(0, 0, &more), LVBS_OK);
	for (n = 1; more && n < 100; n++)
		CHECK_EQ(call(0, 1, &more), LVBS_OK);
	if (calls)
		*calls = n;
	return req()->result;
}

/* A whole comparison from CPU 0: the result; *calls how many it took. */
static u32 compare(u32 *calls)
{
	make_request();
	return run(calls);
}

static struct lvbs_info info(void)
{
	struct lvbs_info i;

	CHECK_EQ(stub_hypercall(0, 0x200000, LVBS_HC(LVBS_HC_GET_INFO), (u64)ram(0x1a0000),
				sizeof(i), 0), LVBS_OK);
	memcpy(&i, ram(0x1a0000), sizeof(i));
	return i;
}

TEST(modcmp_same_module)
{
	u32 calls;

	setup();
	CHECK_EQ(compare(&calls), LVBS_MODCMP_SAME);
	CHECK_EQ(calls, 3);			/* 67 pages and 66 of fill, 64 per call */
	/* .text, .rodata, .return_sites; not .data, .modinfo, __jump_table, __mcount_loc */
	CHECK_EQ(req()->sections, 3);
	CHECK_EQ(req()->bytes, TEXT_SIZE + 16 + 4);
	CHECK_EQ(req()->relocations, 7);
	CHECK_EQ(req()->differ_bytes, 0);
	CHECK_EQ(req()->unordered_sites, 0);	/* no byte differed: no table was read */
	CHECK_EQ(req()->imports, 1);
	CHECK(req()->page_loads >= FILE_PAGES);
	CHECK_EQ(last_event()->kind, LVBS_EV_MODULE_COMPARED);
	CHECK_EQ(last_event()->gpa, FILE_ID);
	CHECK_EQ(last_event()->info0, LVBS_MODCMP_SAME);
	CHECK_EQ(info().modules_compared, 1);
	CHECK_EQ(info().modules_differ, 0);
	/* Bound to the owners' memory; before SEAL nothing is withheld. */
	CHECK_EQ(req()->code_pages, TEXT_PAGES);
	CHECK_EQ(req()->fill_bytes, 0);
	CHECK_EQ(req()->granted_pages, 0);
	CHECK_EQ(req()->withheld_pages, 0);
}

TEST(modcmp_counts_what_differs)
{
	setup();
	ram(TEXT_OFF)[0x500] ^= 0x40;		/* one byte */
	ram(TEXT_OFF)[0x2fff] ^= 1;		/* two, one run across a page */
	ram(TEXT_OFF)[0x3000] ^= 1;
	ram(RODATA_OFF)[2] ^= 1;		/* a relocated byte */
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->where_section, S_TEXT);
	CHECK_EQ(req()->where_offset, 0x500);
	CHECK_EQ(req()->differ_bytes, 4);
	CHECK_EQ(req()->differ_ranges, 3);
	CHECK_EQ(last_event()->info0, LVBS_MODCMP_DIFFER | (u64)S_TEXT << 32);
	CHECK_EQ(last_event()->info1, 4);
	CHECK_EQ(info().modules_differ, 1);
	CHECK_EQ(info().module_bytes_differ, 4);
}

/* The forms the kernel leaves at each kind of site, and what it may not. */
TEST(modcmp_patched_sites_in_allowed_forms)
{
	u8 *t;
	s32 rel;

	setup();
	t = ram(TEXT_OFF);
	memcpy(t + FTRACE_SITE, "\x0f\x1f\x44\x00\x00", 5);	/* ftrace off: NOP5 */
	memcpy(t + RET_SITE, "\xc3\xcc\xcc\xcc\xcc", 5);	/* ret, int3 */
	rel = JUMP_TARGET - (JUMP_SITE + 5);
	t[JUMP_SITE] = 0xe9;					/* jump label on */
	memcpy(t + JUMP_SITE + 1, &rel, 4);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK(req()->differ_bytes > 0);
	CHECK_EQ(req()->unexplained_bytes, 0);
	CHECK_EQ(req()->patched[LVBS_MODCMP_KIND_FTRACE], 1);
	CHECK_EQ(req()->patched[LVBS_MODCMP_KIND_RETURN], 1);
	CHECK_EQ(req()->patched[LVBS_MODCMP_KIND_JUMP], 1);
	CHECK_EQ(req()->unchecked_targets, 0);
	CHECK_EQ(req()->unordered_sites, 1);	/* the entry at +0x180 */
	/* A jump label to anywhere else is not one. */
	rel += 1;
	memcpy(t + JUMP_SITE + 1, &rel, 4);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->where_offset, JUMP_SITE);
	/* Nor is anything but the NOP at an ftrace site, or a call. */
	rel -= 1;
	memcpy(t + JUMP_SITE + 1, &rel, 4);
	memcpy(t + FTRACE_SITE, "\x66\x90\x66\x90\x90", 5);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->where_offset, FTRACE_SITE);
	CHECK_EQ(req()->unexplained_bytes, 5);
	/* A call there is a tracer's: allowed, its target counted unchecked. */
	memcpy(t + FTRACE_SITE, "\xe8\x11\x22\x33\x44", 5);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->unchecked_targets, 1);
	CHECK_EQ(req()->checked_targets, 0);
	/* A byte next to a site is no site's. */
	t[RET_SITE + 5] ^= 0x10;
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->where_offset, RET_SITE + 5);
	CHECK_EQ(req()->unexplained_bytes, 1);
}

/* A jmp patched into a return site that goes to registered kernel code is checked. */
TEST(modcmp_branch_targets_in_registered_code)
{
	static const u8 ret[] = { 0xc3 };
	struct lvbs_mem_prot *e = (struct lvbs_mem_prot *)ram(0x1a1000);
	u8 *t;
	s32 rel;

	setup();
	guest_code(0, ret, 1);			/* maps CODE_GVA to RAM at CODE_PAGE_OFF */
	t = ram(TEXT_OFF);
	rel = (s32)(CODE_GVA + 0x10 - (TEXT_VA + RET_SITE + 5));
	t[RET_SITE] = 0xe9;
	memcpy(t + RET_SITE + 1, &rel, 4);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->unchecked_targets, 1);	/* ordinary memory so far */
	memset(e, 0, sizeof(*e));
	e->gpa = (u64)ram(CODE_PAGE_OFF);
	e->size = PAGE_SIZE;
	e->perm = LVBS_PERM_R | LVBS_PERM_XS;
	e->owner = LVBS_OWNER_KERNEL;
	CHECK_EQ(stub_hypercall(0, 0x200000, LVBS_HC(LVBS_HC_PROTECT_MEMORY), (u64)e, 1, 0),
		 LVBS_OK);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->checked_targets, 1);
	CHECK_EQ(req()->unchecked_targets, 0);
	/* The module's own code (compared, not yet registered) counts too. */
	rel = (s32)(TEXT_VA + 0x10 - (TEXT_VA + RET_SITE + 5));
	memcpy(t + RET_SITE + 1, &rel, 4);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->checked_targets, 1);
	/* Its data does not. */
	rel = (s32)(RODATA_VA - (TEXT_VA + RET_SITE + 5));
	memcpy(t + RET_SITE + 1, &rel, 4);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->unchecked_targets, 1);
}

/*
 * A jump label is as long as its file's instruction: fscache has a NOP2
 * right before a static call, whose entry comes later in the file than
 * the jump table. Its call, moved, is the static call's form, not a byte
 * past the jump label (refused before: a false positive in make
 * e2e-allmods). And a NOP5 is not a NOP2 and three bytes of it.
 */
TEST(modcmp_jump_label_as_long_as_the_files)
{
	u8 *t;
	s32 rel;

	setup();
	t = ram(TEXT_OFF);
	/* The static call now calls its current target, not the trampoline. */
	rel = (s32)(TEXT_VA + 0x10 - (TEXT_VA + SCALL_SITE + 5));
	memcpy(t + SCALL_SITE + 1, &rel, 4);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->unexplained_bytes, 0);
	CHECK_EQ(req()->patched[LVBS_MODCMP_KIND_STATIC_CALL], 1);
	CHECK_EQ(req()->patched[LVBS_MODCMP_KIND_JUMP], 0);	/* tried, explains nothing */
	/* And the jump label on: a jmp8 to its target. */
	t[JUMP2_SITE] = 0xeb;
	t[JUMP2_SITE + 1] = JUMP2_TARGET - (JUMP2_SITE + 2);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->patched[LVBS_MODCMP_KIND_JUMP], 1);
	CHECK_EQ(req()->patched[LVBS_MODCMP_KIND_STATIC_CALL], 1);
	/* A jmp8 elsewhere is not its form. */
	t[JUMP2_SITE + 1]++;
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->where_offset, JUMP2_SITE);
	/* Nor a 5-byte jmp over the NOP2 and the call's first bytes. */
	rel = JUMP2_TARGET - (JUMP2_SITE + 5);
	t[JUMP2_SITE] = 0xe9;
	memcpy(t + JUMP2_SITE + 1, &rel, 4);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->where_offset, JUMP2_SITE);
	/* The NOP5 site: a NOP2 and the rest of the NOP5 is not a NOP5. */
	setup();
	memcpy(ram(TEXT_OFF) + JUMP_SITE, "\x66\x90\x44\x00\x00", 5);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->where_offset, JUMP_SITE);
	/* Nor a jmp8 to its target. */
	memcpy(ram(TEXT_OFF) + JUMP_SITE, "\xeb\x7e\x44\x00\x00", 5);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
}

/*
 * An entry that comes after a later site's (objtool leaves kvm's static
 * call sites and i915's retpoline sites so, by the thousand) is a site
 * all the same: found through the index of entries out of order.
 */
TEST(modcmp_out_of_order_entries_are_sites_too)
{
	setup();
	/* NOP5 where the late entry points, and at the site before it. */
	memcpy(ram(TEXT_OFF) + 0x180, "\x0f\x1f\x44\x00\x00", 5);
	memcpy(ram(TEXT_OFF) + FTRACE_SITE, "\x0f\x1f\x44\x00\x00", 5);
	memcpy(ram(TEXT_OFF) + RET_SITE, "\xc3\xcc\xcc\xcc\xcc", 5);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->unexplained_bytes, 0);
	CHECK_EQ(req()->patched[LVBS_MODCMP_KIND_FTRACE], 2);
	CHECK_EQ(req()->unordered_sites, 1);
	/* Still only in the forms its kind allows. */
	memcpy(ram(TEXT_OFF) + 0x180, "\x0f\x0b\x90\x90\x90", 5);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->where_offset, 0x180);
	/* A byte beside it is no site's. */
	memcpy(ram(TEXT_OFF) + 0x180, "\x0f\x1f\x44\x00\x00", 5);
	ram(TEXT_OFF)[0x185] ^= 1;
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->where_offset, 0x185);
}

TEST(modcmp_alternatives_need_their_entry_size)
{
	u64 more;

	setup();
	make_request();
	req()->alt_entsize = 9;			/* instrlen would be outside */
	CHECK_EQ(call(0, 0, &more), LVBS_OK);
	CHECK_EQ(req()->result, LVBS_MODCMP_CLAIM);
	make_request();
	req()->alt_entsize = 17;
	CHECK_EQ(call(0, 0, &more), LVBS_OK);
	CHECK_EQ(req()->result, LVBS_MODCMP_CLAIM);
}

TEST(modcmp_writable_and_unplaced_sections_are_not_compared)
{
	setup();
	memset(ram(DATA_OFF), 0xee, 16);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->sections, 3);
}

/*
 * An import is the laid-out symbol table's word, read once: a lie is
 * seen only if memory does not follow it. (Checking the value against the
 * export tables is exports.c's, tested with them in this file and in
 * test_hypercall.c.)
 */
TEST(modcmp_imports_are_claims_memory_must_match)
{
	u32 pc;

	setup();
	laid_syms()[Y_EXT].value = EXT_VALUE + 0x1000;
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->where_offset, 0x101);
	pc = (u32)(EXT_VALUE + 0x1000 - 4 - (TEXT_VA + 0x100));
	memcpy(ram(TEXT_OFF) + 0x100, &pc, 4);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	/* A symbol the table says is defined is no import. */
	laid_syms()[Y_EXT].shndx = S_TEXT;
	CHECK_EQ(compare(NULL), LVBS_MODCMP_CLAIM);
}

TEST(modcmp_file_changed_since_its_check_is_refused)
{
	setup();
	ram(FILE_OFF)[3 * PAGE_SIZE + 17] ^= 1;	/* inside .text, page 3 */
	CHECK_EQ(compare(NULL), LVBS_MODCMP_BAD_PAGE);
	ram(FILE_OFF)[3 * PAGE_SIZE + 17] ^= 1;
	/* Two pages swapped in the list: their tags name their index. */
	{
		struct lvbs_module_page t = list()[4];

		list()[4] = list()[5];
		list()[5] = t;
	}
	CHECK_EQ(compare(NULL), LVBS_MODCMP_BAD_PAGE);
	CHECK_EQ(info().modules_compare_failed, 2);
}

TEST(modcmp_refuses_bad_claims)
{
	setup();
	make_request();
	req()->file = FILE_ID + 1;		/* never verified */
	{
		u64 more;

		CHECK_EQ(call(0, 0, &more), LVBS_OK);
		CHECK_EQ(more, 0);
		CHECK_EQ(req()->result, LVBS_MODCMP_NO_FILE);
	}
	setup();
	((struct elf64_shdr *)ram(SHDRS_OFF))[S_RODATA].addr = RODATA_VA + 0x10000000;
	CHECK_EQ(compare(NULL), LVBS_MODCMP_UNMAPPED);
	CHECK_EQ(req()->where_section, S_RODATA);
	setup();
	list()[2].reserved = 1;
	CHECK_EQ(compare(NULL), LVBS_MODCMP_UNMAPPED);
}

TEST(modcmp_counts_must_be_the_files)
{
	u64 more;

	setup();
	make_request();
	req()->shnum = NSEC - 1;
	CHECK_EQ(call(0, 0, &more), LVBS_OK);
	CHECK_EQ(req()->result, LVBS_MODCMP_CLAIM);
	make_request();
	req()->nsyms = NSYM + 1;
	CHECK_EQ(call(0, 0, &more), LVBS_OK);
	CHECK_EQ(req()->result, LVBS_MODCMP_CLAIM);
}

TEST(modcmp_one_at_a_time)
{
	u64 more;

	setup();
	make_request();
	CHECK_EQ(call(0, 1, &more), LVBS_E_PERM);	/* nothing to go on with */
	CHECK_EQ(call(0, 0, &more), LVBS_OK);
	CHECK_EQ(more, 1);
	CHECK_EQ(call(1, 0, &more), LVBS_E_BUSY);	/* CPU 0's */
	CHECK_EQ(call(1, 1, &more), LVBS_E_BUSY);
	CHECK_EQ(call(0, 0, &more), LVBS_OK);		/* CPU 0 starts again */
	CHECK_EQ(call(0, 1, &more), LVBS_OK);
	CHECK_EQ(call(0, 1, &more), LVBS_OK);
	CHECK_EQ(more, 0);
	CHECK_EQ(req()->result, LVBS_MODCMP_SAME);
	CHECK_EQ(call(1, 0, &more), LVBS_OK);		/* free again */
	CHECK_EQ(stub_hypercall(0, 0x200000, MC, (u64)req(), sizeof(*req()) - 8, 0), LVBS_E_INVAL);
	CHECK_EQ(stub_hypercall(0, 0x200000, MC, (u64)req(), sizeof(*req()), 2), LVBS_E_INVAL);
}

/*
 * The comparison is bound to the memory the owners registered: code is
 * read where each text page was when the comparison began, every claim
 * about where the module is must be its owners' memory.
 */
TEST(modcmp_bound_to_the_owners_memory)
{
	u64 more;

	/* Not the owners the file's check authorized. */
	setup();
	make_request();
	req()->owner = INIT;
	CHECK_EQ(run(NULL), LVBS_MODCMP_CLAIM);
	CHECK_EQ(req()->detail, LVBS_MODCMP_CLAIM_OWNER);
	/* A text page that is not the owners' code: a copy elsewhere. */
	setup();
	memcpy(ram(0x1b0000), ram(TEXT_OFF) + PAGE_SIZE, PAGE_SIZE);
	guest_map(TEXT_VA + PAGE_SIZE, (u64)ram(0x1b0000));
	CHECK_EQ(compare(NULL), LVBS_MODCMP_CLAIM);
	CHECK_EQ(req()->detail, LVBS_MODCMP_CLAIM_TEXT);
	CHECK_EQ(req()->where_offset, TEXT_VA + PAGE_SIZE);
	/* A code section outside the text pieces. */
	setup();
	make_request();
	req()->text_size[0] -= PAGE_SIZE;
	CHECK_EQ(run(NULL), LVBS_MODCMP_CLAIM);
	CHECK_EQ(req()->detail, LVBS_MODCMP_CLAIM_CODE_PLACE);
	CHECK_EQ(req()->where_section, S_TEXT);
	/* Misaligned pieces. */
	setup();
	make_request();
	req()->text_va[1] = TEXT_VA + 8;
	req()->text_size[1] = PAGE_SIZE;
	CHECK_EQ(run(NULL), LVBS_MODCMP_CLAIM);
	CHECK_EQ(req()->detail, LVBS_MODCMP_CLAIM_TEXT);
	/* Read-only data somewhere the owners do not hold. */
	setup();
	memcpy(ram(0x1b0000), ram(RODATA_OFF), PAGE_SIZE);
	guest_map(RODATA_VA, (u64)ram(0x1b0000));
	CHECK_EQ(compare(NULL), LVBS_MODCMP_CLAIM);
	CHECK_EQ(req()->detail, LVBS_MODCMP_CLAIM_DATA_PLACE);
	CHECK_EQ(req()->where_section, S_RODATA);
	/* Code the owners have that the pieces do not name. */
	setup();
	CHECK_EQ(reg(0x1b0000, 1, CODE_PERM, INIT), LVBS_OK);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_CLAIM);
	CHECK_EQ(req()->detail, LVBS_MODCMP_CLAIM_UNNAMED);
	/* A frame named twice leaves another unnamed. */
	setup();
	guest_map(TEXT_VA + 2 * PAGE_SIZE, (u64)ram(TEXT_OFF) + PAGE_SIZE);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_CLAIM);
	CHECK_EQ(req()->detail, LVBS_MODCMP_CLAIM_UNNAMED);
	/* Reserved bits. */
	setup();
	make_request();
	req()->reserved = 1;
	CHECK_EQ(call(0, 0, &more), LVBS_E_INVAL);
	CHECK_EQ(call(0, 1, &more), LVBS_E_PERM);
}

/* Remapping a text page once the comparison began changes nothing it reads. */
TEST(modcmp_reads_code_where_it_was_bound)
{
	u64 more;

	setup();
	memset(ram(0x1b0000), 0xcc, PAGE_SIZE);
	make_request();
	CHECK_EQ(call(0, 0, &more), LVBS_OK);
	CHECK_EQ(more, 1);
	guest_map(TEXT_VA + 65 * PAGE_SIZE, (u64)ram(0x1b0000));
	while (more)
		CHECK_EQ(call(0, 1, &more), LVBS_OK);
	CHECK_EQ(req()->result, LVBS_MODCMP_SAME);
}

/* The pieces' bytes outside code sections are the loader's zeroes. */
TEST(modcmp_text_fill_must_be_zero)
{
	setup();
	ram(TEXT_OFF)[TEXT_SIZE + 5] = 0x90;
	ram(TEXT_OFF)[TEXT_SIZE + 6] = 0xc3;
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->fill_bytes, 2);
	CHECK_EQ(req()->unexplained_bytes, 0);
	CHECK_EQ(req()->where_section, 0);
	CHECK_EQ(req()->where_offset, TEXT_SIZE + 5);
}

/*
 * After SEAL with module_trust=signed the owners' code is registered
 * without execute, and only a SAME comparison gives it, page by page.
 */
TEST(modcmp_execute_only_for_the_same_code)
{
	/* Registered after SEAL, from memory nobody owns. */
	setup_no_register();
	CHECK_EQ(slat_seal(hv_cpu_of(0), 0, 0, 0), LVBS_OK);
	slat_authorize_owner(CORE);
	slat_authorize_owner(INIT);
	register_module();
	CHECK_EQ(text_rights(0) & PT_XS, 0);
	ram(TEXT_OFF)[0x500] ^= 0x40;
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->granted_pages, 0);
	CHECK_EQ(req()->withheld_pages, TEXT_PAGES);
	CHECK_EQ(text_rights(0) & PT_XS, 0);
	ram(TEXT_OFF)[0x500] ^= 0x40;
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->granted_pages, TEXT_PAGES);
	CHECK_EQ(req()->withheld_pages, 0);
	for (u32 i = 0; i < TEXT_PAGES; i++)
		CHECK(text_rights(i) & PT_XS);
	/* Again: nothing left to give. */
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->granted_pages, 0);
	/* An owner nobody verified cannot register code at all. */
	CHECK_EQ(reg(0x1b0000, 1, CODE_PERM, CORE + 10), LVBS_E_PERM);
}

/* ---- imports from trusted export tables (exports.c) ---- */

#define KS_OFF		0x1c0000	/* a table page and a strings page */
#define KS_VA		0xffffffff82100000ULL

/*
 * An export table at KS_VA of @n names (sorted) with values, its strings
 * on the next page, both registered as @owner's read-only memory.
 */
static void export_table(const char *const *names, const u64 *values, u32 n, u32 owner)
{
	u8 *tab = ram(KS_OFF), *str = ram(KS_OFF + PAGE_SIZE);
	u32 at = 0;

	memset(tab, 0, 2 * PAGE_SIZE);
	for (u32 i = 0; i < n; i++) {
		u64 e = KS_VA + i * 12, nva = KS_VA + PAGE_SIZE + at;
		s32 v = (s32)(values[i] - e), nm = (s32)(nva - (e + 4));

		memcpy(tab + i * 12, &v, 4);
		memcpy(tab + i * 12 + 4, &nm, 4);
		memcpy(str + at, names[i], strlen(names[i]) + 1);
		at += (u32)strlen(names[i]) + 1;
	}
	map_range(KS_VA, KS_OFF, 2 * PAGE_SIZE);
	CHECK_EQ(reg(KS_OFF, 2, owner == LVBS_OWNER_KERNEL ? RO_PERM : LVBS_PERM_R, owner), LVBS_OK);
}

static long give_exports(u32 owner, u32 n)
{
	struct lvbs_exports *e = (struct lvbs_exports *)ram(0x1a2000);

	memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	e->owner = owner;
	e->start[0] = KS_VA;
	e->end[0] = KS_VA + n * 12;
	return stub_hypercall(0, 0x200000, LVBS_HC(LVBS_HC_EXPORTS), (u64)e, sizeof(*e), 0);
}

TEST(modcmp_imports_from_the_kernels_export_tables)
{
	static const char *const names[] = { "alpha", "ext", "zeta" };
	const u64 values[] = { 0xffffffff81000000ULL, EXT_VALUE, 0xffffffff81000010ULL };
	u32 pc;

	setup();
	export_table(names, values, 3, LVBS_OWNER_KERNEL);
	CHECK_EQ(give_exports(LVBS_OWNER_KERNEL, 3), LVBS_OK);
	CHECK_EQ(info().exports_kernel, 3);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->imports_kernel, 1);
	CHECK_EQ(req()->imports_loader, 0);
	CHECK_EQ(req()->import_mismatch, 0);
	/* The loader says otherwise, and lays the code out to match: the
	 * export's value is what counts. */
	laid_syms()[Y_EXT].value = EXT_VALUE + 0x1000;
	pc = (u32)(EXT_VALUE + 0x1000 - 4 - (TEXT_VA + 0x100));
	memcpy(ram(TEXT_OFF) + 0x100, &pc, 4);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_DIFFER);
	CHECK_EQ(req()->where_offset, 0x101);
	CHECK_EQ(req()->import_mismatch, 1);
	CHECK(info().imports_checked >= 2);
}

TEST(modcmp_an_import_no_table_holds_is_unresolved)
{
	static const char *const names[] = { "alpha", "zeta" };
	const u64 values[] = { 0xffffffff81000000ULL, 0xffffffff81000010ULL };

	setup();
	export_table(names, values, 2, LVBS_OWNER_KERNEL);
	CHECK_EQ(give_exports(LVBS_OWNER_KERNEL, 2), LVBS_OK);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_UNRESOLVED);
	CHECK_EQ(req()->where_offset, Y_EXT);
}

TEST(modcmp_export_tables_only_from_protected_memory_before_seal)
{
	static const char *const names[] = { "ext" };
	const u64 values[] = { EXT_VALUE };

	setup();
	export_table(names, values, 1, CORE + 50);
	/* Not the kernel's memory, nor immutable: refused as the kernel's. */
	CHECK_EQ(give_exports(LVBS_OWNER_KERNEL, 1), LVBS_E_RANGE);
	/* Not whole entries. */
	CHECK_EQ(give_exports(CORE + 50, 1) , LVBS_OK);
	{
		struct lvbs_exports *e = (struct lvbs_exports *)ram(0x1a2000);

		e->end[0] -= 1;
		CHECK_EQ(stub_hypercall(0, 0x200000, LVBS_HC(LVBS_HC_EXPORTS), (u64)e,
					sizeof(*e), 0), LVBS_E_RANGE);
		e->end[0] += 1;
		e->reserved = 1;
		CHECK_EQ(stub_hypercall(0, 0x200000, LVBS_HC(LVBS_HC_EXPORTS), (u64)e,
					sizeof(*e), 0), LVBS_E_INVAL);
	}
	CHECK_EQ(slat_seal(hv_cpu_of(0), 0, 0, 0), LVBS_OK);
	CHECK_EQ(give_exports(CORE + 50, 1), LVBS_E_PERM);
}

/*
 * A module's exports: found once its tables are known, gone with its
 * memory; read only while that memory is its owner's.
 */
TEST(modcmp_imports_from_a_modules_exports)
{
	static const char *const kn[] = { "alpha" }, *const mn[] = { "ext" };
	const u64 kv[] = { 0xffffffff81000000ULL }, mv_[] = { EXT_VALUE };
	const u64 start[2] = { KS_VA + PAGE_SIZE * 4, 0 }, end[2] = { KS_VA + PAGE_SIZE * 4 + 12, 0 };
	u64 pages;

	setup();
	/* The kernel's table, at KS_VA; the other module's, 4 pages on. */
	export_table(kn, kv, 1, LVBS_OWNER_KERNEL);
	CHECK_EQ(give_exports(LVBS_OWNER_KERNEL, 1), LVBS_OK);
	memcpy(ram(KS_OFF + 4 * PAGE_SIZE), ram(KS_OFF), 2 * PAGE_SIZE);
	{
		u8 *tab = ram(KS_OFF + 4 * PAGE_SIZE), *str = tab + PAGE_SIZE;
		u64 e = start[0];
		s32 v = (s32)(mv_[0] - e), nm = (s32)(e + PAGE_SIZE - (e + 4));

		memcpy(tab, &v, 4);
		memcpy(tab + 4, &nm, 4);
		memcpy(str, mn[0], 4);
	}
	map_range(start[0], KS_OFF + 4 * PAGE_SIZE, 2 * PAGE_SIZE);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_UNRESOLVED);
	CHECK_EQ(reg(KS_OFF + 4 * PAGE_SIZE, 2, LVBS_PERM_R, CORE + 60), LVBS_OK);
	exports_add_module(CORE + 60, start, end);
	CHECK_EQ(info().exports_modules, 1);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_SAME);
	CHECK_EQ(req()->imports_module, 1);
	/* Its memory given back: its exports are gone. */
	CHECK_EQ(slat_release(hv_cpu_of(0), CORE + 60, &pages), LVBS_OK);
	CHECK_EQ(info().exports_modules, 0);
	CHECK_EQ(compare(NULL), LVBS_MODCMP_UNRESOLVED);
}

/* ---- alternatives and paravirt calls by their forms (modsites.c) ---- */

static bool alt_ok(u64 va, u64 repl, const u8 *orig, const u8 *r, u32 rlen, const u8 *g, u32 len,
		   bool direct, u64 *target)
{
	struct modsite s = { .va = va, .len = len, .kind = LVBS_MODCMP_KIND_ALT, .repl = repl,
			     .rlen = rlen, .direct_call = direct };
	struct modsite_bytes b = { .orig = orig, .repl = r };
	u32 l;
	u64 t = 0;
	bool ok = modsites_allowed(&s, g, len, &l, &t, &b);

	if (target)
		*target = t;
	return ok;
}

TEST(modsites_alternatives_by_their_replacement)
{
	static const u8 orig[] = { 0xe8, 1, 2, 3, 4, 0x90, 0x90, 0x90 };
	static const u8 call[] = { 0xe8, 0x10, 0, 0, 0 };
	u8 g[16];
	u64 t;

	/* Not applied: the original, its NOPs re-encoded. */
	memcpy(g, orig, 8);
	CHECK(alt_ok(0x1000, 0x5000, orig, call, 5, g, 8, false, NULL));
	memcpy(g + 5, "\x0f\x1f\x00", 3);
	CHECK(alt_ok(0x1000, 0x5000, orig, call, 5, g, 8, false, NULL));
	/* ... but not the call's operand. */
	g[2] ^= 1;
	CHECK(!alt_ok(0x1000, 0x5000, orig, call, 5, g, 8, false, NULL));
	/* Applied: the replacement's call, its operand moved by repl - site. */
	memcpy(g, "\xe8\x10\x40\x00\x00\x0f\x1f\x00", 8);
	CHECK(alt_ok(0x1000, 0x5000, orig, call, 5, g, 8, false, NULL));
	g[1] = 0x11;				/* anywhere else: no */
	CHECK(!alt_ok(0x1000, 0x5000, orig, call, 5, g, 8, false, NULL));
	/* Padding that is not NOPs: no. */
	memcpy(g, "\xe8\x10\x40\x00\x00\x0f\x0b\x90", 8);
	CHECK(!alt_ok(0x1000, 0x5000, orig, call, 5, g, 8, false, NULL));
	/* Any other bytes: no. */
	memset(g, 0xcc, 8);
	CHECK(!alt_ok(0x1000, 0x5000, orig, call, 5, g, 8, false, NULL));
	/* An empty replacement: NOPs, or a jmp8 over int3s. */
	memcpy(g, "\x0f\x1f\x84\x00\x00\x00\x00\x00", 8);
	CHECK(alt_ok(0x1000, 0x5000, orig, call, 0, g, 8, false, NULL));
	memcpy(g, "\xeb\x06\xcc\xcc\xcc\xcc\xcc\xcc", 8);
	CHECK(alt_ok(0x1000, 0x5000, orig, call, 0, g, 8, false, NULL));
	g[7] = 0x90;
	CHECK(!alt_ok(0x1000, 0x5000, orig, call, 0, g, 8, false, NULL));
	/* A jmp made a jmp8 to the same place. */
	{
		static const u8 jmp[] = { 0xe9, 0, 0, 0, 0 };	/* to repl + 5 */

		memcpy(g, "\xeb\x43\x0f\x1f\x00", 5);		/* 0x1000 + 2 + 0x43 = 0x1045 */
		CHECK(alt_ok(0x1000, 0x1040, orig, jmp, 5, g, 5, false, NULL));
		g[1] = 0x44;
		CHECK(!alt_ok(0x1000, 0x1040, orig, jmp, 5, g, 5, false, NULL));
		/* 6.12 pads after the jmp8 with int3s (memory seen: eb 1b cc cc cc). */
		memcpy(g, "\xeb\x43\xcc\xcc\xcc", 5);
		CHECK(alt_ok(0x1000, 0x1040, orig, jmp, 5, g, 5, false, NULL));
		/* ... never after something that falls through. */
		memcpy(g, "\xe8\x10\x40\x00\x00\xcc\xcc\xcc", 8);
		CHECK(!alt_ok(0x1000, 0x5000, orig, call, 5, g, 8, false, NULL));
	}
	/* 6.12's direct call: a call, NOPs; its target for the caller. */
	memcpy(g, "\xe8\x00\x01\x00\x00\x90", 6);
	CHECK(alt_ok(0x1000, 0x5000, orig, call, 5, g, 6, true, &t));
	CHECK_EQ(t, 0x1000 + 5 + 0x100);
	CHECK(!alt_ok(0x1000, 0x5000, orig, call, 5, g, 6, false, NULL));
}

TEST(modsites_paravirt_calls_by_template)
{
	struct modsite s = { .va = 0x2000, .len = 6, .kind = LVBS_MODCMP_KIND_PARAVIRT };
	u32 l;
	u64 t;

	CHECK(modsites_allowed(&s, (const u8 *)"\x9c\x58\x0f\x1f\x40\x00", 6, &l, &t, NULL));
	CHECK(modsites_allowed(&s, (const u8 *)"\xfa\x66\x0f\x1f\x00\x90", 6, &l, &t, NULL));
	CHECK(modsites_allowed(&s, (const u8 *)"\x66\x0f\x1f\x44\x00\x00", 6, &l, &t, NULL));
	CHECK(modsites_allowed(&s, (const u8 *)"\xe8\x00\x00\x00\x01\x90", 6, &l, &t, NULL));
	CHECK_EQ(t, 0x2000 + 5 + 0x1000000);
	/* Not a template: a write to CR0, a VMMCALL. */
	CHECK(!modsites_allowed(&s, (const u8 *)"\x0f\x22\xc7\x90\x90\x90", 6, &l, &t, NULL));
	CHECK(!modsites_allowed(&s, (const u8 *)"\x0f\x01\xd9\x90\x90\x90", 6, &l, &t, NULL));
}
