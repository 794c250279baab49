/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a module's sections must hold once the kernel has laid the module
 * out and relocated it, computed from the module file alone
 * (modreloc.c; docs/module-signatures.md, "Relocation-aware comparison").
 *
 * The caller supplies three things and this code trusts none of them to
 * be well formed: the file (through a reader, so that it may live in
 * pieces the caller fetches and checks), where each section was put, and
 * the value of each symbol the module imports.
 */
#ifndef HV_CORE_MODRELOC_H
#define HV_CORE_MODRELOC_H

#include <hv/types.h>
#include "elf.h"

/* Longest symbol name looked up (the kernel's KSYM_NAME_LEN since 6.1). */
#define MODRELOC_NAME_MAX	512
/* More sections than any module has; bounds every scan of the headers. */
#define MODRELOC_MAX_SECTIONS	4096

enum modreloc_result {
	MODRELOC_OK = 0,
	MODRELOC_E_READ = -1,		/* the reader failed */
	MODRELOC_E_FORMAT = -2,		/* not a well-formed x86-64 module file */
	MODRELOC_E_SYMBOL = -3,		/* an import with no value (not weak) */
	MODRELOC_E_TYPE = -4,		/* a relocation kind the kernel does not apply */
	MODRELOC_E_OVERFLOW = -5,	/* a 32-bit absolute value that does not fit */
	MODRELOC_E_NONZERO = -6,	/* a relocation site not zero in the file */
	MODRELOC_E_LAYOUT = -7,		/* a section the caller did not place */
	MODRELOC_E_ARG = -8,		/* the caller's window is out of order or bounds */
};

struct modreloc_file {
	/* Copy len bytes at off (within size) to dst: 0, or nonzero. */
	int (*read)(void *ctx, u64 off, void *dst, u64 len);
	void *ctx;
	u64 size;
};

/*
 * Symbol values already computed, by symbol index (direct mapped): a
 * caller that reads the file through a checked, cached reader saves a
 * random read of the symbol table per relocation. Values only depend on
 * the layout and the imports, which do not change during one use.
 */
#define MODRELOC_SYMCACHE	2048
struct modreloc_symcache {
	u32 key[MODRELOC_SYMCACHE];	/* symbol index + 1; 0: empty */
	u64 val[MODRELOC_SYMCACHE];
};

struct modreloc_env {
	/* The address the kernel gave section shndx: 0, or nonzero if none. */
	int (*section_addr)(void *ctx, u32 shndx, u64 *addr);
	/* The value of import @name, symbol @symi of the file: 0, or nonzero if unknown. */
	int (*resolve)(void *ctx, u64 symi, const char *name, u64 *value);
	void *ctx;
	/*
	 * resolve() needs only @symi (name NULL): the name is read only if
	 * it fails, to see whether the import may stay unresolved. Saves a
	 * read of the string table per relocation against an import.
	 */
	bool by_index;
	struct modreloc_symcache *cache;	/* or NULL; the caller empties it */
};

struct modreloc {
	const struct modreloc_file *f;
	const struct modreloc_env *env;
	u64 shoff;
	u32 shnum;
	u32 shstrndx;
	u32 symtab;
	u64 sym_off, nsyms;
	u64 str_off, str_size;
	/* The section being produced (modreloc_begin) and its relocations. */
	u32 sec;
	bool nobits;
	u64 sec_off, sec_size, sec_addr;
	u64 rela_off, nrela;
	u64 next;		/* first relocation not wholly before the last window */
	u64 checked;		/* relocations whose order was checked ... */
	u64 checked_end;	/* ... and the end of the last one's site */
	u64 done_to;		/* end of the last window */
	u64 applied;		/* relocations written, over every section */
	char name[MODRELOC_NAME_MAX];
};

int modreloc_open(struct modreloc *m, const struct modreloc_file *f,
		  const struct modreloc_env *env);
int modreloc_shdr(const struct modreloc *m, u32 shndx, struct elf64_shdr *sh);
int modreloc_section_name(struct modreloc *m, const struct elf64_shdr *sh,
			  char *buf, u64 len);
int modreloc_begin(struct modreloc *m, u32 shndx);
/* Symbol @symi's name, from the file (resolve() callbacks that want it). */
int modreloc_symbol_name(const struct modreloc *m, u64 symi, char *buf, u64 len);
int modreloc_window(struct modreloc *m, u64 off, u8 *buf, u64 len);
/*
 * Go to @off of the section begun (modreloc_begin()), before or after the
 * last window, by a binary search of its relocations: only for a section
 * whose relocations a pass in order has already read (and so checked to be
 * sorted by offset). The next window must start at @off or later.
 */
int modreloc_seek(struct modreloc *m, u64 off);
const char *modreloc_strerror(int r);

#endif
