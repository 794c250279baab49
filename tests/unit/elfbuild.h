/* SPDX-License-Identifier: GPL-2.0 */
/* Pieces of the small module files the relocator and comparison tests build. */
#ifndef LVBS_UNIT_ELFBUILD_H
#define LVBS_UNIT_ELFBUILD_H

#include <stdlib.h>
#include <string.h>
#include <hv/types.h>
#include "core/elf.h"

/* The offset of @name in the string table @tab of @len bytes (it must be there). */
static inline u32 elfb_name(const char *tab, u64 len, const char *name)
{
	for (u32 i = 0; i < len; i += strlen(tab + i) + 1)
		if (!strcmp(tab + i, name))
			return i;
	abort();
}

/* A section header named from the section-name table @shstr. */
static inline struct elf64_shdr elfb_sec(const char *shstr, u64 len, const char *name, u32 type,
					 u64 flags, u64 off, u64 size)
{
	return (struct elf64_shdr){ .name = elfb_name(shstr, len, name), .type = type,
		.flags = flags, .offset = off, .size = size, .addralign = 1 };
}

/* An x86-64 relocatable file's header: section headers at @shoff. */
static inline struct elf64_ehdr elfb_ehdr(u64 shoff, u16 shnum, u16 shstrndx)
{
	struct elf64_ehdr eh = {
		.type = ELF_ET_REL, .machine = ELF_EM_X86_64, .version = 1, .shoff = shoff,
		.ehsize = sizeof(eh), .shentsize = sizeof(struct elf64_shdr), .shnum = shnum,
		.shstrndx = shstrndx,
	};

	memcpy(eh.ident, "\x7f" "ELF\x02\x01\x01", 7);
	return eh;
}

static inline struct elf64_rela elfb_rela(u64 off, u32 type, u32 symi, s64 addend)
{
	return (struct elf64_rela){ .offset = off, .info = ((u64)symi << 32) | type, .addend = addend };
}

#endif
