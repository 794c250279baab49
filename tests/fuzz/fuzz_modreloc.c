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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/modreloc.h"

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

/* Every section placed, 64 KiB apart in the module area; index 7 is not. */
static int section_addr(void *ctx, u32 shndx, u64 *addr)
{
	(void)ctx;
	if (shndx == 7)
		return -1;
	*addr = 0xffffffffc0000000ULL + ((u64)shndx << 16);
	return 0;
}

/* Names starting with 'u' are unknown; the rest have a value of their own. */
static int resolve(void *ctx, const char *name, u64 *value)
{
	u64 h = 1469598103934665603ULL;
	size_t n = strnlen(name, MODRELOC_NAME_MAX);

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

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 buf[4096 + 16];
	struct input in;
	struct modreloc_file f = { .read = rd, .ctx = &in };
	struct modreloc_env env = { .section_addr = section_addr, .resolve = resolve };
	struct modreloc m;
	u64 window;

	if (size < 1)
		return 0;
	window = 1 + (data[0] % 64) * 64;	/* 1 to 4033 bytes */
	in.p = data + 1;
	in.size = size - 1;
	f.size = in.size;
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
	return 0;
}
