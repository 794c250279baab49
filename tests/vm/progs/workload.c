// SPDX-License-Identifier: GPL-2.0
/*
 * workload: a deterministic, bounded guest workload for the VM tests and the
 * benchmark. One round does, in this order:
 *
 *   fork   fork + exec of /bin/true, wait       (FORK_PER_ROUND times)
 *   pipe   ping-pong of 1 byte with a child     (PIPE_PER_ROUND round trips)
 *   file   write 64 KiB, fsync, read back, unlink, in $TMPDIR or /tmp
 *   sys    getppid()                            (SYS_PER_ROUND times)
 *
 * Usage:
 *   workload -n ROUNDS     exactly ROUNDS rounds (for comparable benchmarks)
 *   workload -t SECONDS    rounds until SECONDS have passed (at least one)
 *   workload [-q] ...      -q: only the summary lines
 *   workload -m start|K    only a marker for the instruction-counting
 *                          plugin: a measure starts, or ends as measure
 *                          K (0..15); for scripts (bench/scenarios/modload.sh)
 *
 * Output (times from CLOCK_MONOTONIC, in nanoseconds):
 *   workload: round N ...                     (one per round unless -q)
 *   workload: part=fork ops=N ns=N ns_per_op=N
 *   workload: part=pipe ...  part=file ...  part=sys ...
 *   workload: total rounds=N ns=N
 *   workload: OK
 * Any failure prints "workload: FAIL <what>: <error>" and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FORK_PER_ROUND	8
#define PIPE_PER_ROUND	200
#define FILE_BYTES	(64 * 1024)
#define SYS_PER_ROUND	20000

enum { P_FORK, P_PIPE, P_FILE, P_SYS, P_MAX };
static const char *const part_name[P_MAX] = { "fork", "pipe", "file", "sys" };
static uint64_t part_ns[P_MAX], part_ops[P_MAX];
static const char *const true_path = "/bin/true";

/*
 * Markers for the benchmark's instruction-counting QEMU plugin
 * (bench/insn-plugin.c): "nopl 0x4c56XXXX(%rax)", a 7-byte NOP whose
 * displacement names the event. Anywhere else they are NOPs.
 */
#define MARK(id)	__asm__ __volatile__(".byte 0x0f, 0x1f, 0x80; .long 0x4c560000 + %c0" \
					     : : "i"(id) : "memory")
#define MARK_BEGIN	0x01	/* a measured run starts: counts restart */
#define MARK_END	0x02	/* ... and is complete */
#define MARK_PART(p)	(0x10 + (p))	/* part p starts */
#define MARK_PART_END(p) (0x20 + (p))

#define MARK_MEASURE		0x40	/* a measure starts */
#define MARK_MEASURE_END(k)	(0x41 + (k))	/* ... and ends as measure k */
#define MEASURES		16

/* The markers as constants: each is an instruction's displacement. */
#define MEASURE_CASE(k)	case k: MARK(MARK_MEASURE_END(k)); break

static void mark_measure(int k)
{
	switch (k) {
	case -1: MARK(MARK_MEASURE); break;
	MEASURE_CASE(0); MEASURE_CASE(1); MEASURE_CASE(2); MEASURE_CASE(3);
	MEASURE_CASE(4); MEASURE_CASE(5); MEASURE_CASE(6); MEASURE_CASE(7);
	MEASURE_CASE(8); MEASURE_CASE(9); MEASURE_CASE(10); MEASURE_CASE(11);
	MEASURE_CASE(12); MEASURE_CASE(13); MEASURE_CASE(14); MEASURE_CASE(15);
	}
}

static void mark_part(int p, bool end)
{
	switch (p * 2 + end) {
	case 0: MARK(MARK_PART(0)); break;
	case 1: MARK(MARK_PART_END(0)); break;
	case 2: MARK(MARK_PART(1)); break;
	case 3: MARK(MARK_PART_END(1)); break;
	case 4: MARK(MARK_PART(2)); break;
	case 5: MARK(MARK_PART_END(2)); break;
	case 6: MARK(MARK_PART(3)); break;
	case 7: MARK(MARK_PART_END(3)); break;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fail(const char *what)
{
	printf("workload: FAIL %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static void do_fork(void)
{
	for (int i = 0; i < FORK_PER_ROUND; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			fail("fork");
		if (pid == 0) {
			execl(true_path, "true", (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid)
			fail("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			errno = ECHILD;
			fail("exec of true");
		}
	}
	part_ops[P_FORK] += FORK_PER_ROUND;
}

static void do_pipe(void)
{
	int to_child[2], to_parent[2], status;
	char c = 'x';
	pid_t pid;

	if (pipe(to_child) || pipe(to_parent))
		fail("pipe");
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		while (read(to_child[0], &c, 1) == 1)
			if (write(to_parent[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	for (int i = 0; i < PIPE_PER_ROUND; i++) {
		if (write(to_child[1], &c, 1) != 1)
			fail("pipe write");
		if (read(to_parent[0], &c, 1) != 1)
			fail("pipe read");
	}
	close(to_child[1]);
	close(to_parent[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		fail("pipe child");
	part_ops[P_PIPE] += PIPE_PER_ROUND;
}

static void do_file(const char *dir, unsigned long round)
{
	static char wbuf[FILE_BYTES], rbuf[FILE_BYTES];
	char path[256];
	ssize_t n;
	int fd;

	for (size_t i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (char)(i * 7 + round);
	snprintf(path, sizeof(path), "%s/workload.%d", dir, (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		fail("open");
	n = write(fd, wbuf, sizeof(wbuf));
	if (n != (ssize_t)sizeof(wbuf))
		fail("file write");
	if (fsync(fd))
		fail("fsync");
	if (lseek(fd, 0, SEEK_SET) != 0)
		fail("lseek");
	n = read(fd, rbuf, sizeof(rbuf));
	if (n != (ssize_t)sizeof(rbuf))
		fail("file read");
	if (memcmp(wbuf, rbuf, sizeof(rbuf))) {
		errno = EIO;
		fail("file read back different data");
	}
	close(fd);
	if (unlink(path))
		fail("unlink");
	part_ops[P_FILE]++;
}

static void do_sys(void)
{
	pid_t expect = getppid();

	for (int i = 0; i < SYS_PER_ROUND; i++)
		if (getppid() != expect) {
			errno = ESRCH;
			fail("getppid changed");
		}
	part_ops[P_SYS] += SYS_PER_ROUND;
}

static void usage(void)
{
	fprintf(stderr, "usage: workload [-q] -n ROUNDS | -t SECONDS | -m start|0..15\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long rounds = 0, seconds = 0, done = 0;
	const char *dir = getenv("TMPDIR");
	uint64_t start, deadline = 0, t;
	int quiet = 0, opt;
	char *end;
	long k;

	while ((opt = getopt(argc, argv, "qn:t:m:")) != -1) {
		switch (opt) {
		case 'm':
			k = -1;
			if (strcmp(optarg, "start")) {
				k = strtol(optarg, &end, 10);
				if (*end || end == optarg || k < 0 || k >= MEASURES)
					usage();
			}
			mark_measure((int)k);
			return 0;
		case 'q': quiet = 1; break;
		case 'n': rounds = strtoul(optarg, NULL, 0); break;
		case 't': seconds = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (optind != argc || (!rounds == !seconds))
		usage();
	if (!dir || !*dir)
		dir = "/tmp";
	if (access(true_path, X_OK))
		fail("/bin/true is not executable");

	setvbuf(stdout, NULL, _IOLBF, 0);
	start = now_ns();
	if (seconds)
		deadline = start + (uint64_t)seconds * 1000000000ull;
	MARK(MARK_BEGIN);
	for (;;) {
		void (*const fns[P_MAX])(void) = { do_fork, do_pipe, NULL, do_sys };

		for (int p = 0; p < P_MAX; p++) {
			t = now_ns();
			mark_part(p, false);
			if (p == P_FILE)
				do_file(dir, done);
			else
				fns[p]();
			mark_part(p, true);
			part_ns[p] += now_ns() - t;
		}
		done++;
		if (!quiet)
			printf("workload: round %lu done at %llu ms\n", done,
			       (unsigned long long)((now_ns() - start) / 1000000));
		if (rounds ? done >= rounds : now_ns() >= deadline)
			break;
	}
	MARK(MARK_END);
	t = now_ns() - start;
	for (int p = 0; p < P_MAX; p++)
		printf("workload: part=%s ops=%llu ns=%llu ns_per_op=%llu\n",
		       part_name[p], (unsigned long long)part_ops[p],
		       (unsigned long long)part_ns[p],
		       (unsigned long long)(part_ops[p] ? part_ns[p] / part_ops[p] : 0));
	printf("workload: total rounds=%lu ns=%llu\n", done, (unsigned long long)t);
	printf("workload: OK\n");
	return 0;
}
