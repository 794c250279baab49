// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid_probe: what CPUID tells the guest about lvbs and about SVM.
 *
 *   leaf 0x40000000: max=0x... signature="LVBSLVBSLVBS"
 *   leaf 0x40000001: eax=N ebx=N ecx=0x...
 *   lvbs: present abi=N        (or "lvbs: absent")
 *   svm: visible|hidden        (CPUID 0x80000001 ECX bit 2)
 *
 * Exit status 0 in every case; scenarios grep the output.
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <lvbs/abi.h>

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__cpuid_count(leaf, 0, *a, *b, *c, *d);
}

int main(void)
{
	uint32_t a, b, c, d, max_ext;
	char sig[13];
	int present;

	cpuid(LVBS_CPUID_SIGNATURE, &a, &b, &c, &d);
	memcpy(sig + 0, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	for (int i = 0; i < 12; i++)
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			sig[i] = '.';
	printf("leaf 0x40000000: max=0x%x signature=\"%s\"\n", a, sig);
	present = !memcmp(sig, "LVBSLVBSLVBS", 12) && a >= LVBS_CPUID_INFO;

	cpuid(LVBS_CPUID_INFO, &a, &b, &c, &d);
	printf("leaf 0x40000001: eax=%u ebx=%u ecx=0x%x\n", a, b, c);
	if (present)
		printf("lvbs: present abi=%u\n", a);
	else
		printf("lvbs: absent\n");

	cpuid(0x80000000, &max_ext, &b, &c, &d);
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, &a, &b, &c, &d);
		printf("svm: %s\n", (c & (1u << 2)) ? "visible" : "hidden");
	} else {
		printf("svm: hidden\n");
	}
	return 0;
}
