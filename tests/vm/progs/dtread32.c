// SPDX-License-Identifier: GPL-2.0
/*
 * dtread32: dtread's stores from a 32-bit process (compatibility mode),
 * where SGDT and SIDT store 6 bytes and addresses are 32-bit. Built
 * -m32 without a libc (the build machine need not have a 32-bit one):
 * system calls through int $0x80, output by hand.
 *
 *   sgdt32 0x<limit> 0x<base, low 32 bits>
 *   sidt32 ...
 *   sldt32 0x<sel> / str32 0x<sel>    into a register
 *   sldtm32 0x<sel> / strm32 0x<sel>  into memory
 *   fresh32 ...                       SGDT into a page not faulted in yet
 *
 * Exit status 0; the scenario compares the lines before and after launch.
 */
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#define NR_EXIT		1
#define NR_WRITE	4
#define NR_MMAP2	192

static long sys3(long nr, long a, long b, long c)
{
	long r;

	__asm__ __volatile__("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static long sys_mmap2(u32 len)
{
	long r;

	/* addr 0, len, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, fd -1, offset 0 */
	__asm__ __volatile__("push %%ebp; mov $0, %%ebp; int $0x80; pop %%ebp"
			     : "=a"(r)
			     : "a"(NR_MMAP2), "b"(0), "c"(len), "d"(3), "S"(0x22), "D"(-1)
			     : "memory");
	return r;
}

static void put(const char *s)
{
	u32 n = 0;

	while (s[n])
		n++;
	sys3(NR_WRITE, 1, (long)s, n);
}

static void put_hex(u32 v)
{
	char b[11] = "0x";
	int i, n = 2, started = 0;

	for (i = 28; i >= 0; i -= 4) {
		u32 d = (v >> i) & 15;

		if (d || started || i == 0) {
			b[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
			started = 1;
		}
	}
	b[n] = 0;
	put(b);
}

static void line2(const char *what, u32 a, u32 b)
{
	put(what);
	put(" ");
	put_hex(a);
	put(" ");
	put_hex(b);
	put("\n");
}

static void line1(const char *what, u32 a)
{
	put(what);
	put(" ");
	put_hex(a);
	put("\n");
}

static void dtr_line(const char *what, const u8 *p)
{
	u16 limit = (u16)(p[0] | p[1] << 8);
	u32 base = p[2] | p[3] << 8 | p[4] << 16 | (u32)p[5] << 24;

	line2(what, limit, base);
}

static u8 buf[16];

void __attribute__((used)) dtread32_main(void)
{
	u32 r;
	u16 sel;
	long fresh;

	__asm__ __volatile__("sgdt %0" : "=m"(buf));
	dtr_line("sgdt32", buf);
	__asm__ __volatile__("sidt %0" : "=m"(buf));
	dtr_line("sidt32", buf);
	__asm__ __volatile__("mov $-1, %0; sldt %0" : "=r"(r));
	line1("sldt32", r);
	__asm__ __volatile__("mov $-1, %0; str %0" : "=r"(r));
	line1("str32", r);
	sel = 0xeeee;
	__asm__ __volatile__("sldt %0" : "=m"(sel));
	line1("sldtm32", sel);
	sel = 0xeeee;
	__asm__ __volatile__("str %0" : "=m"(sel));
	line1("strm32", sel);
	fresh = sys_mmap2(4096);
	if (fresh < 0 && fresh > -4096) {
		put("mmap2 failed\n");
		sys3(NR_EXIT, 1, 0, 0);
	}
	__asm__ __volatile__("sgdt %0" : "=m"(*(u8 (*)[6])fresh));
	dtr_line("fresh32", (const u8 *)fresh);
	sys3(NR_EXIT, 0, 0, 0);
}

/* The stack is 16-byte aligned at entry; keep it so for the call. */
__asm__(".globl _start\n_start:\n\tand $-16, %esp\n\tcall dtread32_main\n\thlt\n");
