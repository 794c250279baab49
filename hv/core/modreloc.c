// SPDX-License-Identifier: GPL-2.0
/*
 * The bytes a module's section must hold once the kernel has laid it out
 * and relocated it, from the module file alone: the "regenerate and
 * compare" half of the LVBS design (issue 9, docs/module-signatures.md).
 *
 * What the kernel does, the same in 6.1 and 6.12 (kernel/module/main.c
 * simplify_symbols() and apply_relocations(), arch/x86/kernel/module.c
 * __write_relocate_add()):
 *   - a symbol's value is its section's address plus st_value; an
 *     imported one (SHN_UNDEF) is the exported symbol's address, or stays
 *     as in the file if it is weak or is _GLOBAL_OFFSET_TABLE_; SHN_ABS
 *     stays; SHN_COMMON is refused;
 *   - for every SHT_RELA section whose target is laid out, each entry
 *     writes at loc = target address + r_offset the value S + A (R_X86_64_64,
 *     R_X86_64_32 if it fits unsigned, R_X86_64_32S if it fits signed) or
 *     S + A - loc (R_X86_64_PC32 and R_X86_64_PLT32 on 4 bytes, unchecked;
 *     R_X86_64_PC64 on 8), after checking that the bytes there are zero.
 *
 * This file does the same into a caller's buffer, one window of a section
 * at a time, so that a section of megabytes never needs a buffer of its
 * size. Every field read from the file is copied in first and checked
 * against the file's size. It is stricter than the kernel in ways that
 * well-formed modules never meet (tests/vm/modreloc-debian.sh runs it on
 * Debian's): a relocation site must lie inside its section, a section has
 * at most one relocation section, whose sites ascend without overlapping,
 * and a symbol's section must be one the caller placed.
 */
#include <hv/types.h>
#include "modreloc.h"

_Static_assert((MODRELOC_SYMCACHE & (MODRELOC_SYMCACHE - 1)) == 0, "a power of two");

static bool in_file(const struct modreloc *m, u64 off, u64 len)
{
	return off <= m->f->size && len <= m->f->size - off;
}

static int rd(const struct modreloc *m, u64 off, void *dst, u64 len)
{
	if (!in_file(m, off, len))
		return MODRELOC_E_FORMAT;
	return m->f->read(m->f->ctx, off, dst, len) ? MODRELOC_E_READ : MODRELOC_OK;
}

int modreloc_shdr(const struct modreloc *m, u32 shndx, struct elf64_shdr *sh)
{
	if (shndx >= m->shnum)
		return MODRELOC_E_FORMAT;
	return rd(m, m->shoff + (u64)shndx * sizeof(*sh), sh, sizeof(*sh));
}

/* A section's bytes lie in the file (a NOBITS one has none). */
static bool sec_in_file(const struct modreloc *m, const struct elf64_shdr *sh)
{
	return sh->type == ELF_SHT_NOBITS || in_file(m, sh->offset, sh->size);
}

/*
 * A NUL-terminated string at off of a string table [base, base + size),
 * read 64 bytes at a time up to its NUL: most names are short, and a read
 * past them could touch another page of the file for nothing.
 */
static int read_str(const struct modreloc *m, u64 base, u64 size, u64 off,
		    char *buf, u64 len)
{
	u64 n, done = 0;
	int r;

	if (len == 0 || off >= size)
		return MODRELOC_E_FORMAT;
	n = MIN(len, size - off);
	while (done < n) {
		u64 k = MIN((u64)64, n - done);

		r = rd(m, base + off + done, buf + done, k);
		if (r)
			return r;
		for (u64 i = done; i < done + k; i++)
			if (buf[i] == '\0')
				return MODRELOC_OK;
		done += k;
	}
	return MODRELOC_E_FORMAT;	/* unterminated, or longer than buf */
}

int modreloc_symbol_name(const struct modreloc *m, u64 symi, char *buf, u64 len)
{
	struct elf64_sym s;
	int r;

	if (symi >= m->nsyms)
		return MODRELOC_E_FORMAT;
	r = rd(m, m->sym_off + symi * sizeof(s), &s, sizeof(s));
	if (r)
		return r;
	return read_str(m, m->str_off, m->str_size, s.name, buf, len);
}

int modreloc_section_name(struct modreloc *m, const struct elf64_shdr *sh,
			  char *buf, u64 len)
{
	struct elf64_shdr st;
	int r = modreloc_shdr(m, m->shstrndx, &st);

	if (r)
		return r;
	return read_str(m, st.offset, st.size, sh->name, buf, len);
}

static int check_header(struct modreloc *m)
{
	static const u8 ident[7] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };	/* 64-bit, LSB, v1 */
	struct elf64_ehdr eh;
	int r = rd(m, 0, &eh, sizeof(eh));

	if (r)
		return r;
	if (memcmp(eh.ident, ident, sizeof(ident)) || eh.type != ELF_ET_REL ||
	    eh.machine != ELF_EM_X86_64 || eh.shentsize != sizeof(struct elf64_shdr) ||
	    eh.shnum == 0 || eh.shnum > MODRELOC_MAX_SECTIONS || eh.shstrndx >= eh.shnum)
		return MODRELOC_E_FORMAT;
	if (!in_file(m, eh.shoff, (u64)eh.shnum * sizeof(struct elf64_shdr)))
		return MODRELOC_E_FORMAT;
	m->shoff = eh.shoff;
	m->shnum = eh.shnum;
	m->shstrndx = eh.shstrndx;
	return MODRELOC_OK;
}

/* The one symbol table and its string table. */
static int find_symtab(struct modreloc *m)
{
	struct elf64_shdr sh, st;
	int r;

	for (u32 i = 1; i < m->shnum; i++) {
		r = modreloc_shdr(m, i, &sh);
		if (r)
			return r;
		if (sh.type != ELF_SHT_SYMTAB)
			continue;
		if (m->symtab)
			return MODRELOC_E_FORMAT;	/* two symbol tables */
		m->symtab = i;
		if (sh.entsize != sizeof(struct elf64_sym) || sh.size % sizeof(struct elf64_sym) ||
		    !in_file(m, sh.offset, sh.size))
			return MODRELOC_E_FORMAT;
		m->sym_off = sh.offset;
		m->nsyms = sh.size / sizeof(struct elf64_sym);
		r = modreloc_shdr(m, sh.link, &st);
		if (r)
			return r;
		if (st.type != ELF_SHT_STRTAB || !in_file(m, st.offset, st.size))
			return MODRELOC_E_FORMAT;
		m->str_off = st.offset;
		m->str_size = st.size;
	}
	return m->symtab ? MODRELOC_OK : MODRELOC_E_FORMAT;
}

int modreloc_open(struct modreloc *m, const struct modreloc_file *f,
		  const struct modreloc_env *env)
{
	struct elf64_shdr st;
	int r;

	memset(m, 0, sizeof(*m));
	m->f = f;
	m->env = env;
	r = check_header(m);
	if (r)
		return r;
	r = modreloc_shdr(m, m->shstrndx, &st);
	if (r)
		return r;
	if (st.type != ELF_SHT_STRTAB || !in_file(m, st.offset, st.size))
		return MODRELOC_E_FORMAT;
	return find_symtab(m);
}

/* The relocation section of m->sec, if any: at most one, of a kind applied. */
static int find_rela(struct modreloc *m)
{
	struct elf64_shdr sh;
	u32 found = 0;
	int r;

	for (u32 i = 1; i < m->shnum; i++) {
		r = modreloc_shdr(m, i, &sh);
		if (r)
			return r;
		if ((sh.type != ELF_SHT_RELA && sh.type != ELF_SHT_REL) || sh.info != m->sec)
			continue;
		/* x86-64 modules carry no REL; livepatch relocations are not ours. */
		if (sh.type == ELF_SHT_REL || (sh.flags & ELF_SHF_RELA_LIVEPATCH))
			return MODRELOC_E_TYPE;
		if (found || sh.link != m->symtab || sh.entsize != sizeof(struct elf64_rela) ||
		    sh.size % sizeof(struct elf64_rela) || !in_file(m, sh.offset, sh.size))
			return MODRELOC_E_FORMAT;
		found = i;
		m->rela_off = sh.offset;
		m->nrela = sh.size / sizeof(struct elf64_rela);
	}
	return MODRELOC_OK;
}

int modreloc_begin(struct modreloc *m, u32 shndx)
{
	struct elf64_shdr sh;
	int r = modreloc_shdr(m, shndx, &sh);

	if (r)
		return r;
	if (shndx == 0 || !(sh.flags & ELF_SHF_ALLOC) || !sec_in_file(m, &sh))
		return MODRELOC_E_FORMAT;
	if (m->env->section_addr(m->env->ctx, shndx, &m->sec_addr))
		return MODRELOC_E_LAYOUT;
	m->sec = shndx;
	m->nobits = sh.type == ELF_SHT_NOBITS;
	m->sec_off = sh.offset;
	m->sec_size = sh.size;
	m->rela_off = 0;
	m->nrela = 0;
	m->next = 0;
	m->checked = 0;
	m->checked_end = 0;
	m->done_to = 0;
	r = find_rela(m);
	if (!r && m->nobits && m->nrela)
		r = MODRELOC_E_FORMAT;		/* nothing in the file to relocate */
	return r;
}

/* The kernel's rules for an import it cannot find (simplify_symbols()). */
static bool may_stay_unresolved(const struct elf64_sym *s, const char *name)
{
	return ELF_ST_BIND(s->info) == ELF_STB_WEAK ||
	       !memcmp(name, "_GLOBAL_OFFSET_TABLE_", sizeof("_GLOBAL_OFFSET_TABLE_"));
}

static int sym_value_uncached(struct modreloc *m, u64 symi, u64 *val);

/* A symbol's value, through the caller's cache if it gave one. */
static int sym_value(struct modreloc *m, u64 symi, u64 *val)
{
	struct modreloc_symcache *c = m->env->cache;
	u32 slot = (u32)symi & (MODRELOC_SYMCACHE - 1);
	int r;

	if (c && symi < m->nsyms && c->key[slot] == symi + 1) {
		*val = c->val[slot];
		return MODRELOC_OK;
	}
	r = sym_value_uncached(m, symi, val);
	if (!r && c && symi < m->nsyms) {
		c->key[slot] = (u32)symi + 1;
		c->val[slot] = *val;
	}
	return r;
}

static int sym_value_uncached(struct modreloc *m, u64 symi, u64 *val)
{
	struct elf64_sym s;
	struct elf64_shdr sh;
	u64 base;
	int r;

	if (symi >= m->nsyms)
		return MODRELOC_E_FORMAT;
	r = rd(m, m->sym_off + symi * sizeof(s), &s, sizeof(s));
	if (r)
		return r;
	*val = s.value;
	if (symi == 0 || s.shndx == ELF_SHN_ABS)	/* the kernel leaves both */
		return MODRELOC_OK;
	if (s.shndx == ELF_SHN_UNDEF) {
		if (m->env->by_index && !m->env->resolve(m->env->ctx, symi, NULL, val))
			return MODRELOC_OK;
		r = read_str(m, m->str_off, m->str_size, s.name, m->name, sizeof(m->name));
		if (r)
			return r;
		if (!m->env->by_index && !m->env->resolve(m->env->ctx, symi, m->name, val))
			return MODRELOC_OK;
		*val = s.value;
		return may_stay_unresolved(&s, m->name) ? MODRELOC_OK : MODRELOC_E_SYMBOL;
	}
	if (s.shndx == ELF_SHN_LIVEPATCH)
		return MODRELOC_E_TYPE;
	if (s.shndx >= ELF_SHN_LORESERVE)	/* SHN_COMMON, SHN_XINDEX, ... */
		return MODRELOC_E_FORMAT;
	r = modreloc_shdr(m, s.shndx, &sh);
	if (r)
		return r;
	if (!(sh.flags & ELF_SHF_ALLOC))
		return MODRELOC_E_FORMAT;
	if (m->env->section_addr(m->env->ctx, s.shndx, &base))
		return MODRELOC_E_LAYOUT;
	*val = base + s.value;
	return MODRELOC_OK;
}

static u32 site_size(u32 type)
{
	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
	case R_X86_64_PC64:
		return 8;
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		return 4;
	default:
		return ~0u;
	}
}

/* The value a relocation stores (little-endian, site_size() bytes). */
static int reloc_value(struct modreloc *m, const struct elf64_rela *e, u64 *out)
{
	u32 type = (u32)e->info;
	u64 loc = m->sec_addr + e->offset;
	u64 v;
	int r = sym_value(m, e->info >> 32, &v);

	if (r)
		return r;
	v += (u64)e->addend;
	switch (type) {
	case R_X86_64_32:
		if (v != (u32)v)
			return MODRELOC_E_OVERFLOW;
		break;
	case R_X86_64_32S:
		if ((s64)v != (s32)v)
			return MODRELOC_E_OVERFLOW;
		break;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_PC64:
		v -= loc;	/* PC32 is truncated unchecked, as the kernel does */
		break;
	}
	*out = v;
	return MODRELOC_OK;
}

/*
 * Put relocation e's value into the window [off, off + len) of buf, where
 * the file's bytes are. The part of the site inside the window must be
 * zero in the file: the kernel refuses a site that is not.
 */
static int apply(struct modreloc *m, const struct elf64_rela *e, u32 size,
		 u64 off, u8 *buf, u64 len)
{
	u64 v;
	u64 from = MAX(e->offset, off), to = MIN(e->offset + size, off + len);
	int r = reloc_value(m, e, &v);

	if (r)
		return r;
	for (u64 p = from; p < to; p++) {
		if (buf[p - off])
			return MODRELOC_E_NONZERO;
		buf[p - off] = (u8)(v >> (8 * (p - e->offset)));
	}
	if (e->offset + size <= off + len)
		m->applied++;		/* counted once, in the window it ends in */
	return MODRELOC_OK;
}

/* Relocation i: read, kind and bounds checked, order checked once. */
static int get_rela(struct modreloc *m, u64 i, struct elf64_rela *e, u32 *size)
{
	int r = rd(m, m->rela_off + i * sizeof(*e), e, sizeof(*e));

	if (r)
		return r;
	*size = site_size((u32)e->info);
	if (*size == ~0u)
		return MODRELOC_E_TYPE;
	if (e->offset > m->sec_size || *size > m->sec_size - e->offset)
		return MODRELOC_E_FORMAT;
	if (i == m->checked) {
		if (e->offset < m->checked_end)
			return MODRELOC_E_FORMAT;	/* out of order, or overlapping */
		m->checked = i + 1;
		m->checked_end = e->offset + *size;
	}
	return MODRELOC_OK;
}

/*
 * The bytes [off, off + len) of the section begun, as the kernel leaves
 * them once relocated. Windows must come in ascending order.
 */
int modreloc_seek(struct modreloc *m, u64 off)
{
	u64 lo = 0, hi = m->nrela;

	if (!m->sec || off > m->sec_size)
		return MODRELOC_E_ARG;
	/* The first relocation that is not wholly before @off (8 bytes at most). */
	while (lo < hi) {
		u64 mid = lo + (hi - lo) / 2, at;
		int r = rd(m, m->rela_off + mid * sizeof(struct elf64_rela), &at, sizeof(at));

		if (r)
			return r;
		if (at + 8 <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	m->next = lo;
	m->checked = lo;
	m->checked_end = 0;
	m->done_to = off;
	return MODRELOC_OK;
}

int modreloc_window(struct modreloc *m, u64 off, u8 *buf, u64 len)
{
	struct elf64_rela e;
	u32 size;
	int r;

	if (!m->sec || off < m->done_to || off > m->sec_size || len > m->sec_size - off)
		return MODRELOC_E_ARG;
	if (m->nobits)
		memset(buf, 0, len);
	else if ((r = rd(m, m->sec_off + off, buf, len)))
		return r;
	for (u64 i = m->next; i < m->nrela; i++) {
		r = get_rela(m, i, &e, &size);
		if (r)
			return r;
		if (e.offset >= off + len)
			break;
		if (size && e.offset + size > off) {
			r = apply(m, &e, size, off, buf, len);
			if (r)
				return r;
		}
		if (e.offset + size > off + len)
			break;			/* it goes on in the next window */
		m->next = i + 1;
	}
	m->done_to = off + len;
	return MODRELOC_OK;
}

const char *modreloc_strerror(int r)
{
	switch (r) {
	case MODRELOC_OK:		return "ok";
	case MODRELOC_E_READ:		return "unreadable";
	case MODRELOC_E_FORMAT:		return "malformed module file";
	case MODRELOC_E_SYMBOL:		return "unresolved symbol";
	case MODRELOC_E_TYPE:		return "unsupported relocation";
	case MODRELOC_E_OVERFLOW:	return "relocation overflow";
	case MODRELOC_E_NONZERO:	return "relocation site not zero";
	case MODRELOC_E_LAYOUT:		return "section not placed";
	case MODRELOC_E_ARG:		return "bad window";
	default:			return "?";
	}
}
