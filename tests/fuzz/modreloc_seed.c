// SPDX-License-Identifier: GPL-2.0
/*
 * Seed for fuzz_modreloc: compiled at build time as a kernel module's
 * objects are (-mcmodel=kernel, no PIC), so it carries .text, .data and
 * .rodata with the relocations a module has: calls and jumps to imports
 * (PLT32), references to its own data (PC32), absolute pointers (64) and
 * 32-bit sign-extended addresses (32S).
 */
extern int imported_value;
extern void imported_function(int);
extern __attribute__((weak)) void weak_function(void);

static int counter = 3;
int table[4] = { 1, 2, 3, 4 };
void (*const handlers[2])(int) = { imported_function, 0 };
const char *const names[] = { "one", "two" };

int seed_entry(int x)
{
	counter += x + imported_value + table[x & 3];
	imported_function(counter);
	if (weak_function)
		weak_function();
	handlers[0](x);
	return names[x & 1][0] + (int)(long)&table[2];
}
