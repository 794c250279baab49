// SPDX-License-Identifier: GPL-2.0
/*
 * user_vmmcall: executes the hypercall instruction from user space (CPL 3)
 * with a valid lvbs call number: VMMCALL on AMD, VMCALL on Intel (each is
 * a plain #UD on the other vendor's CPUs, which would prove nothing). lvbs must refuse it with #UD, which Linux delivers as SIGILL.
 * Prints "user_vmmcall: SIGILL" and exits 0 in that case; anything else
 * (the call returned, another signal) is printed and exits 1.
 *
 * Without lvbs on AMD hardware, a VMMCALL the CPU does not intercept also
 * raises #UD, so this passes there too: the scenario checks the log entry
 * (kind=user_hypercall) to know that lvbs saw it.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cpuid.h>
#include <lvbs/abi.h>

static sigjmp_buf env;
static volatile sig_atomic_t got_sig;

static int is_intel(void)
{
	unsigned int a, b, c, d;

	__cpuid(0, a, b, c, d);
	return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;	/* GenuineIntel */
}

/* Returns only if the hypercall got through. */
static __attribute__((noinline)) void hypercall(int intel)
{
	uint64_t rax = LVBS_HC(LVBS_HC_GET_INFO), rbx = 0, rcx = 0, rdx = 0;

	if (intel)
		asm volatile("vmcall"
			     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx)
			     : : "memory");
	else
		asm volatile("vmmcall"
			     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx)
			     : : "memory");
	printf("user_vmmcall: the hypercall returned rax=0x%llx rbx=0x%llx rcx=0x%llx (no fault: a hypercall from user space got through)\n",
	       (unsigned long long)rax, (unsigned long long)rbx, (unsigned long long)rcx);
}

static void on_signal(int sig)
{
	got_sig = sig;
	siglongjmp(env, 1);
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	if (sigsetjmp(env, 1) == 0) {
		hypercall(is_intel());
		return 1;
	}
	if (got_sig == SIGILL) {
		printf("user_vmmcall: SIGILL\n");
		return 0;
	}
	printf("user_vmmcall: got signal %d (%s), expected SIGILL\n",
	       (int)got_sig, strsignal(got_sig));
	return 1;
}
