// SPDX-License-Identifier: GPL-2.0
/*
 * Seed for fuzz_modreloc: compiled at build time as a kernel module's
 * objects are (-mcmodel=kernel, no PIC), so it carries .text, .data and
 * .rodata with the relocations a module has: calls and jumps to imports
 * (PLT32), references to its own data (PC32), absolute pointers (64) and
 * 32-bit sign-extended addresses (32S). And tables of patched sites as
 * objtool and the kernel's macros leave them (modsites.c): a NOP2 jump
 * label right before a static call (fscache has that), a NOP5 jump label,
 * an ftrace call, return sites one of them out of order, an alternative
 * with its replacement.
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

asm(".text\n"
    ".globl seed_sites\n"
    "seed_sites:\n"
    "1:	.byte 0x66, 0x90\n"			/* jump label, NOP2 */
    "2:	call imported_function\n"		/* static call site */
    "3:	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n"	/* jump label, NOP5 */
    "4:	call imported_function\n"		/* ftrace call site */
    "5:	.byte 0x0f, 0x18, 0x00\n"		/* alternative: prefetch */
    "6:	jmp imported_function\n"		/* return site */
    "7:	jmp imported_function\n"		/* return site */
    "8:	ret\n"
    /* So that the tables are not section 7, which fuzz_modreloc leaves unplaced. */
    ".pushsection .rodata.seed, \"a\"\n"
    "	.byte 0\n"
    ".popsection\n"
    ".pushsection __jump_table, \"aw\"\n"
    "	.balign 8\n"
    "	.long 1b - ., 8b - .\n"
    "	.quad imported_value - .\n"
    "	.long 3b - ., 8b - .\n"
    "	.quad imported_value + 1 - .\n"
    ".popsection\n"
    ".pushsection .static_call_sites, \"aw\"\n"
    "	.long 2b - ., imported_value - .\n"
    ".popsection\n"
    ".pushsection __mcount_loc, \"a\"\n"
    "	.quad 4b\n"
    ".popsection\n"
    ".pushsection .return_sites, \"a\"\n"
    "	.long 7b - .\n"			/* out of order */
    "	.long 6b - .\n"
    ".popsection\n"
    ".pushsection .altinstr_replacement, \"ax\"\n"
    "9:	.byte 0x0f, 0x0d, 0x08\n"		/* prefetchw */
    ".popsection\n"
    ".pushsection .altinstructions, \"a\"\n"
    "	.long 5b - ., 9b - .\n"
    "	.word 0x0100\n"
    "	.byte 3, 3\n"
    ".popsection\n");
