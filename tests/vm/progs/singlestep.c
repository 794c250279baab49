// SPDX-License-Identifier: GPL-2.0
/*
 * singlestep: a debugger single-steps (PTRACE_SINGLESTEP) through a few
 * instructions, two of them CPUID, which exits to lvbs (always on VMX;
 * on SVM unless cpuid=pass). Each step must stop right after one
 * instruction, as on bare metal; a step that runs on ends in the child's
 * exit instead.
 *
 *   step 1 mov: ok
 *   step 2 cpuid: ok            (or: "... stopped at 0x... (expected 0x...)",
 *   ...                          "... the child exited: the step ran on")
 *   singlestep: ok              (exit 0; 1 on any wrong step)
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

extern char seq_start[], seq_1[], seq_2[], seq_3[], seq_4[], seq_5[];

/* The steps; after the last the child exits, which a runaway step reaches. */
__asm__(".text\n"
	".globl seq_start, seq_1, seq_2, seq_3, seq_4, seq_5\n"
	"seq_start: mov $0, %eax\n"
	"seq_1: cpuid\n"
	"seq_2: nop\n"
	"seq_3: mov $0x40000000, %eax\n"
	"seq_4: cpuid\n"
	"seq_5: mov $60, %eax\n"
	"xor %edi, %edi\n"
	"syscall\n");

int main(void)
{
	static const struct { const char *name; const char *after; } steps[] = {
		{ "mov", seq_1 }, { "cpuid", seq_2 }, { "nop", seq_3 },
		{ "mov", seq_4 }, { "cpuid", seq_5 },
	};
	struct user_regs_struct r;
	int st, bad = 0;
	pid_t pid = fork();

	if (pid < 0)
		return perror("fork"), 2;
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(3);	/* not reached: the parent moves RIP */
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		return fprintf(stderr, "singlestep: the child did not stop\n"), 2;
	if (ptrace(PTRACE_GETREGS, pid, 0, &r))
		return perror("PTRACE_GETREGS"), 2;
	r.rip = (uintptr_t)seq_start;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r))
		return perror("PTRACE_SETREGS"), 2;
	for (unsigned int i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0))
			return perror("PTRACE_SINGLESTEP"), 2;
		if (waitpid(pid, &st, 0) != pid)
			return perror("waitpid"), 2;
		if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
			printf("step %u %s: the child %s: the step ran on\n", i + 1, steps[i].name,
			       WIFEXITED(st) ? "exited" : "stopped by another signal");
			return 1;
		}
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		if (r.rip != (uintptr_t)steps[i].after) {
			printf("step %u %s: stopped at %#llx (expected %p)\n", i + 1,
			       steps[i].name, (unsigned long long)r.rip, (void *)steps[i].after);
			bad = 1;
			r.rip = (uintptr_t)steps[i].after;
			ptrace(PTRACE_SETREGS, pid, 0, &r);
		} else {
			printf("step %u %s: ok\n", i + 1, steps[i].name);
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	printf("singlestep: %s\n", bad ? "FAILED" : "ok");
	return bad;
}
