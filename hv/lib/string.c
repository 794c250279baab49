// SPDX-License-Identifier: GPL-2.0
/*
 * The few libc memory routines the compiler and the hypervisor need.
 * Written with the string instructions so that GCC cannot recognise a
 * loop as memset/memcpy and turn it back into a call to itself.
 * The direction flag is clear on entry (SysV ABI) and left clear.
 */
#include <hv/types.h>

void *memset(void *s, int c, size_t n)
{
	void *d = s;

	__asm__ __volatile__("rep stosb"
			     : "+D"(d), "+c"(n)
			     : "a"(c)
			     : "memory");
	return s;
}

/*
 * Eight bytes a step, then the rest. Hardware with fast string moves
 * (ERMS) does either at its best speed; an emulator (QEMU's TCG) runs
 * each step of a rep move as a trip through its loop, so a page copied
 * a quadword at a time costs an eighth of the steps (module checks copy
 * megabytes).
 */
void *memcpy(void *d, const void *s, size_t n)
{
	size_t q = n >> 3, b = n & 7;
	void *dst = d;

	__asm__ __volatile__("rep movsq\n\tmov %3, %%rcx\n\trep movsb"
			     : "+D"(dst), "+S"(s), "+c"(q)
			     : "r"(b)
			     : "memory");
	return d;
}


void *memmove(void *d, const void *s, size_t n)
{
	const u8 *src = s;
	u8 *dst = d;

	/* Forward copy is safe unless dst starts inside [src, src + n). */
	if (dst <= src || (uintptr_t)dst - (uintptr_t)src >= n)
		return memcpy(d, s, n);
	if (!n)
		return d;
	/* Copy backwards from the last byte, then restore DF = 0. */
	src += n - 1;
	dst += n - 1;
	__asm__ __volatile__("std\n\trep movsb\n\tcld"
			     : "+D"(dst), "+S"(src), "+c"(n)
			     :
			     : "memory", "cc");
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}
