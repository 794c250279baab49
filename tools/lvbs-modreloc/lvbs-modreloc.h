/* SPDX-License-Identifier: GPL-2.0 */
/* What lvbs-modreloc.c and live.c share. */
#ifndef LVBS_MODRELOC_TOOL_H
#define LVBS_MODRELOC_TOOL_H

#include <elf.h>
#include "core/modreloc.h"

struct mapped {
	const u8 *p;
	u64 size;
};

/* Where each section of a module is, and whether it is laid out at all. */
struct layout {
	const struct mapped *mod;
	u64 *addr;
	bool *placed;
	u32 shnum;
};

void die(const char *fmt, const char *a, const char *b) __attribute__((noreturn));
struct mapped map(const char *path);
int file_read(void *ctx, u64 off, void *dst, u64 len);
const Elf64_Shdr *shdrs(const struct mapped *m, u32 *n);
const char *sec_name(const struct mapped *m, u32 i);
bool is_weak_import(const struct mapped *m, const char *name);
int cmd_live(const char *path, const char *name);

#endif
