// SPDX-License-Identifier: GPL-2.0
/*
 * user_vmmcall: executes VMMCALL from user space (CPL 3) with a valid lvbs
 * call number. lvbs must refuse it with #UD, which Linux delivers as SIGILL.
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
#include <lvbs/abi.h>

static sigjmp_buf env;
static volatile sig_atomic_t got_sig;

static void on_signal(int sig)
{
	got_sig = sig;
	siglongjmp(env, 1);
}

int main(void)
{
	struct sigaction sa;
	uint64_t rax = LVBS_HC(LVBS_HC_GET_INFO), rbx = 0, rcx = 0, rdx = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	if (sigsetjmp(env, 1) == 0) {
		asm volatile("vmmcall"
			     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx)
			     : : "memory");
		printf("user_vmmcall: vmmcall returned rax=0x%llx rbx=0x%llx rcx=0x%llx (no fault: a hypercall from user space got through)\n",
		       (unsigned long long)rax, (unsigned long long)rbx,
		       (unsigned long long)rcx);
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
