// SPDX-License-Identifier: GPL-2.0
/*
 * dtread: the descriptor-table stores a user program may run, and what
 * each gave. Under lvbs on VMX, with the tables pinned, every one of them
 * exits and the hypervisor carries it out (hv/core/dtpin.c), unless the
 * CPU has UMIP: then the kernel handles them as it always does. Either
 * way a program must see what it saw before lvbs launched, so the
 * scenario runs this before and after and compares the two outputs.
 *
 *   sgdt 0x<limit> 0x<base>     SGDT into an ordinary (touched) buffer
 *   sidt 0x<limit> 0x<base>
 *   sldt 0x<sel> / str 0x<sel>  into a register (rax) and into memory
 *   fresh <same as sgdt>        SGDT into a page not faulted in yet
 *   cross <same as sidt>        SIDT across a page end into a fresh page
 *   jit <same as sgdt>          SGDT into a page the program ran code from
 *                               (under strict W^X that page lost write in
 *                               the SLAT; the store must win it back)
 *   jit ran                     and that code still runs afterwards
 *   ldt ok                      with an LDT of its own (modify_ldt), the
 *                               kernel runs LLDT on every switch to and from
 *                               this process (exits on VMX once pinned):
 *                               after 200 switches its LDT entry is still
 *                               the one LAR and a segment load find
 *   bad <what>                  SGDT onto a kernel address: SIGSEGV expected
 *
 * An instruction that raised SIGSEGV prints "SIGSEGV" instead of its
 * values (the kernel's UMIP handling refuses SLDT/STR, for instance).
 * Exit status 0; the scenario compares the lines.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <asm/ldt.h>

struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint64_t base;
};

static sigjmp_buf env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

/* Entry 0 of a fresh LDT, then 200 yields, each checked after. */
static const char *ldt_loop(void)
{
	struct user_desc d = {
		.entry_number = 0, .base_addr = 0x1000, .limit = 0xfff,
		.seg_32bit = 1, .contents = 0, .read_exec_only = 0,
		.limit_in_pages = 0, .seg_not_present = 0, .useable = 1,
	};
	unsigned int ar, ok;

	if (syscall(SYS_modify_ldt, 1, &d, sizeof(d)))
		return "modify_ldt failed";
	for (int i = 0; i < 200; i++) {
		sched_yield();
		ok = 0;
		__asm__ __volatile__("lar %2, %0; setz %b1" : "=r"(ar), "+q"(ok) : "r"(7));
		/* P, S, data read/write, accessed (DPL 3 masked out). */
		if (!(ok & 1) || ((ar >> 8) & 0x9f) != 0x93)
			return "LAR does not find the LDT entry";
		__asm__ __volatile__("mov %0, %%es" : : "r"(7));
		__asm__ __volatile__("mov %0, %%es" : : "r"(0));
	}
	return NULL;
}

/*
 * An LDT for this process: entry 0, a 32-bit data segment. The kernel
 * loads it (LLDT) whenever it switches to this process, and loads the
 * null LDT when it switches to a process without one: a child forked
 * before the LDT exists spins on the same CPU (dtpin runs this under
 * taskset), so each yield is two context switches and two LLDTs, which
 * exit on VMX once the tables are pinned. They must leave entry 0 as it
 * was: LAR (through LDTR) and a load of ES with selector 7 (entry 0,
 * LDT, RPL 3) check it.
 */
static const char *ldt_check(void)
{
	pid_t spin = fork();
	const char *why;

	if (spin == 0)
		for (;;)
			sched_yield();
	why = ldt_loop();
	if (spin > 0) {
		kill(spin, SIGKILL);
		waitpid(spin, NULL, 0);
	}
	return why;
}

static void print_dtr(const char *what, const void *p)
{
	struct dtr d;

	memcpy(&d, p, sizeof(d));
	printf("%s 0x%x 0x%llx\n", what, d.limit, (unsigned long long)d.base);
}

/* Run one store; print its result, or SIGSEGV. */
#define TRY(what, stmt, print)						\
	do {								\
		if (sigsetjmp(env, 1)) {				\
			printf("%s SIGSEGV\n", what);			\
		} else {						\
			stmt;						\
			print;						\
		}							\
	} while (0)

int main(void)
{
	static struct dtr buf;
	struct sigaction sa;
	volatile uint64_t rax;
	volatile uint16_t sel;
	char *fresh;
	unsigned char *jit;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);

	memset(&buf, 0, sizeof(buf));
	TRY("sgdt", __asm__ __volatile__("sgdt %0" : "=m"(buf)), print_dtr("sgdt", &buf));
	TRY("sidt", __asm__ __volatile__("sidt %0" : "=m"(buf)), print_dtr("sidt", &buf));
	/* Into a 32-bit register: zero-extended over the whole of rax. */
	TRY("sldt", __asm__ __volatile__("mov $-1, %%rax; sldt %%eax; mov %%rax, %0"
					 : "=m"(rax) : : "rax"),
	    printf("sldt 0x%llx\n", (unsigned long long)rax));
	TRY("str", __asm__ __volatile__("mov $-1, %%rax; str %%eax; mov %%rax, %0"
					: "=m"(rax) : : "rax"),
	    printf("str 0x%llx\n", (unsigned long long)rax));
	sel = 0xeeee;
	TRY("sldtm", __asm__ __volatile__("sldt %0" : "=m"(sel)), printf("sldtm 0x%x\n", sel));
	sel = 0xeeee;
	TRY("strm", __asm__ __volatile__("str %0" : "=m"(sel)), printf("strm 0x%x\n", sel));

	/* Pages the kernel has not faulted in yet: the store's #PF brings them. */
	fresh = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	TRY("fresh", __asm__ __volatile__("sgdt %0" : "=m"(*(struct dtr *)fresh)),
	    print_dtr("fresh", fresh));
	fresh[4096] = 1;	/* the first page of the pair touched, the second not */
	TRY("cross", __asm__ __volatile__("sidt %0" : "=m"(*(struct dtr *)(fresh + 8188))),
	    print_dtr("cross", fresh + 8188));

	/* A page of code this program ran, as a JIT's. */
	jit = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (jit == MAP_FAILED) {
		perror("mmap rwx");
		return 1;
	}
	jit[0] = 0xc3;	/* ret */
	((void (*)(void))jit)();
	TRY("jit", __asm__ __volatile__("sgdt %0" : "=m"(*(struct dtr *)(jit + 16))),
	    print_dtr("jit", jit + 16));
	TRY("jit ran", ((void (*)(void))jit)(), printf("jit ran\n"));

	{
		const char *why = NULL;

		TRY("ldt", why = ldt_check(), printf("ldt %s\n", why ? why : "ok"));
	}

	/* A kernel address: the program gets SIGSEGV, nothing is written. */
	TRY("bad", __asm__ __volatile__("sgdt %0" : "=m"(*(struct dtr *)0xffffffff81000000ULL)),
	    printf("bad stored\n"));
	/* Read-only memory: the same. */
	if (mprotect(fresh, 4096, PROT_READ) == 0)
		TRY("rdonly", __asm__ __volatile__("sgdt %0" : "=m"(*(struct dtr *)fresh)),
		    printf("rdonly stored\n"));
	return 0;
}
