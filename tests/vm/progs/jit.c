// SPDX-License-Identifier: GPL-2.0
/*
 * jit: user-mode code generation, the benign twin of the injected-code
 * attacks. Under strict W^X without GMET (docs/architecture.md) a page
 * user mode runs is executable and not writable in the SLAT, and a write
 * makes it writable and not executable again: every pattern a JIT uses
 * must keep working, each switch costing an exit.
 *
 *   jit [-n ROUNDS]
 *   jit -m MIB [-s STRIDE]
 *                touch MIB MiB of fresh memory, then run code in every
 *                STRIDE-th page of it (default 1), once each: user-execute
 *                grants spread over physical memory (the SLAT-tables-run-
 *                out test, scenario slatfull)
 *
 * 1. rwx:    one RWX page, rewritten and called in turn (old-style JITs)
 * 2. mprotect: RW -> RX -> RW through mprotect (W^X JITs)
 * 3. mixed:  code that stores into its own page, in one instruction
 *    (the case that must not flip for ever)
 * 4. twopage: code on one page writing data on the next, both RWX
 * Prints "jit: OK" or "jit: FAIL <what>" and exits 0 or 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

typedef int (*fn_t)(int);

static int fail(const char *what, long got, long want)
{
	printf("jit: FAIL %s: got %ld, want %ld\n", what, got, want);
	return 1;
}

/* mov eax, imm32; ret */
static void emit_const(uint8_t *p, int32_t v)
{
	p[0] = 0xb8;
	memcpy(p + 1, &v, 4);
	p[5] = 0xc3;
}

static void *map(int prot, size_t len)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("jit: mmap");
		exit(1);
	}
	return p;
}

static int rwx(int rounds)
{
	uint8_t *p = map(PROT_READ | PROT_WRITE | PROT_EXEC, 4096);

	for (int i = 0; i < rounds; i++) {
		emit_const(p, i * 7 + 1);
		__builtin___clear_cache((char *)p, (char *)p + 6);
		if (((fn_t)p)(0) != i * 7 + 1)
			return fail("rwx", ((fn_t)p)(0), i * 7 + 1);
	}
	munmap(p, 4096);
	return 0;
}

static int mprotect_jit(int rounds)
{
	uint8_t *p = map(PROT_READ | PROT_WRITE, 4096);

	for (int i = 0; i < rounds; i++) {
		if (mprotect(p, 4096, PROT_READ | PROT_WRITE))
			return fail("mprotect rw", -1, 0);
		emit_const(p + (i % 64) * 8, i + 3);
		if (mprotect(p, 4096, PROT_READ | PROT_EXEC))
			return fail("mprotect rx", -1, 0);
		if (((fn_t)(p + (i % 64) * 8))(0) != i + 3)
			return fail("mprotect", ((fn_t)(p + (i % 64) * 8))(0), i + 3);
	}
	munmap(p, 4096);
	return 0;
}

/*
 * mov eax, edi; mov [rip + disp32], eax; ret. The store is at offset 2
 * (6 bytes, next RIP at 8): it lands at offset 8 + disp of the mapping.
 */
static int store_into(const char *what, size_t map_len, uint32_t slot_off, int rounds)
{
	uint8_t code[] = { 0x89, 0xf8, 0x89, 0x05, 0, 0, 0, 0, 0xc3 };
	uint32_t disp = slot_off - 8;
	uint8_t *p = map(PROT_READ | PROT_WRITE | PROT_EXEC, map_len);
	volatile int32_t *slot = (volatile int32_t *)(p + slot_off);

	memcpy(code + 4, &disp, 4);
	memcpy(p, code, sizeof(code));
	for (int i = 0; i < rounds; i++) {
		((fn_t)p)(i + 11);
		if (*slot != i + 11)
			return fail(what, *slot, i + 11);
	}
	munmap(p, map_len);
	return 0;
}

/* One instruction fetched from and writing the same page. */
static int mixed(int rounds)
{
	return store_into("mixed", 4096, 0x100, rounds);
}

/* The same store, into the next page: each page keeps one right. */
static int twopage(int rounds)
{
	return store_into("twopage", 8192, 0x1000, rounds);
}

/* Every stride-th page of mib MiB: write a function returning its index, run it. */
static int many_pages(long mib, long stride)
{
	size_t len = (size_t)mib << 20, pages = len / 4096, ran = 0;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return fail("many: mmap", -1, 0);
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 0xcc, len);
	for (size_t i = 0; i < pages; i += (size_t)stride) {
		int got;

		emit_const(p + i * 4096, (int32_t)i);
		got = ((fn_t)(void *)(p + i * 4096))(0);
		if (got != (int)i)
			return fail("many: page", got, (long)i);
		ran++;
	}
	munmap(p, len);
	printf("jit: OK (code run in %zu of %zu pages)\n", ran, pages);
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = 200, opt;
	long mib = 0, stride = 1;

	while ((opt = getopt(argc, argv, "n:m:s:")) != -1) {
		if (opt == 'm') {
			mib = atol(optarg);
		} else if (opt == 's') {
			stride = atol(optarg);
		} else if (opt == 'n') {
			rounds = atoi(optarg);
		} else {
			fprintf(stderr, "usage: jit [-n ROUNDS] | jit -m MIB [-s STRIDE]\n");
			return 2;
		}
	}
	if (mib > 0)
		return many_pages(mib, stride > 0 ? stride : 1);
	if (rwx(rounds) || mprotect_jit(rounds) || mixed(rounds) || twopage(rounds))
		return 1;
	printf("jit: OK (%d rounds of rwx, mprotect, mixed, twopage)\n", rounds);
	return 0;
}
