/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few ELF64 structures the hypervisor reads: its own relocations
 * (reloc.c) and relocatable module files (modreloc.c). Layouts are the
 * ELF specification's (the System V gABI), little-endian x86-64 only.
 */
#ifndef HV_CORE_ELF_H
#define HV_CORE_ELF_H

#include <hv/types.h>

struct elf64_ehdr {
	u8 ident[16];
	u16 type;
	u16 machine;
	u32 version;
	u64 entry;
	u64 phoff;
	u64 shoff;
	u32 flags;
	u16 ehsize;
	u16 phentsize;
	u16 phnum;
	u16 shentsize;
	u16 shnum;
	u16 shstrndx;
};

struct elf64_shdr {
	u32 name;
	u32 type;
	u64 flags;
	u64 addr;
	u64 offset;
	u64 size;
	u32 link;
	u32 info;
	u64 addralign;
	u64 entsize;
};

struct elf64_sym {
	u32 name;
	u8 info;
	u8 other;
	u16 shndx;
	u64 value;
	u64 size;
};

struct elf64_rela {
	u64 offset;
	u64 info;
	s64 addend;
};

#define ELF_ET_REL		1
#define ELF_EM_X86_64		62

#define ELF_SHT_SYMTAB		2
#define ELF_SHT_STRTAB		3
#define ELF_SHT_RELA		4
#define ELF_SHT_NOBITS		8
#define ELF_SHT_REL		9

#define ELF_SHF_ALLOC		0x2ULL
#define ELF_SHF_EXECINSTR	0x4ULL
#define ELF_SHF_RELA_LIVEPATCH	0x00100000ULL	/* Linux's own flag */

#define ELF_SHN_UNDEF		0
#define ELF_SHN_LORESERVE	0xff00
#define ELF_SHN_LIVEPATCH	0xff20		/* Linux's own section index */
#define ELF_SHN_ABS		0xfff1
#define ELF_SHN_COMMON		0xfff2

#define ELF_STB_WEAK		2
#define ELF_ST_BIND(info)	((info) >> 4)

#define R_X86_64_NONE		0
#define R_X86_64_64		1
#define R_X86_64_PC32		2
#define R_X86_64_PLT32		4
#define R_X86_64_RELATIVE	8
#define R_X86_64_32		10
#define R_X86_64_32S		11
#define R_X86_64_PC64		24

#endif
