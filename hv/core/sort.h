/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sorting an array of u64 in place: heapsort, no recursion, no
 * allocation, O(n log n) whatever the input (the guest chooses it).
 */
#ifndef HV_CORE_SORT_H
#define HV_CORE_SORT_H

#include <hv/types.h>

static inline void sort_u64_sift(u64 *a, u32 i, u32 n)
{
	for (;;) {
		u32 c = 2 * i + 1;
		u64 t;

		if (c >= n)
			return;
		if (c + 1 < n && a[c + 1] > a[c])
			c++;
		if (a[i] >= a[c])
			return;
		t = a[i];
		a[i] = a[c];
		a[c] = t;
		i = c;
	}
}

static inline void sort_u64(u64 *a, u32 n)
{
	for (u32 i = n / 2; i-- > 0;)
		sort_u64_sift(a, i, n);
	for (u32 i = n; i-- > 1;) {
		u64 t = a[0];

		a[0] = a[i];
		a[i] = t;
		sort_u64_sift(a, 0, i);
	}
}

#endif
