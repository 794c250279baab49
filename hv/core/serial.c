// SPDX-License-Identifier: GPL-2.0
/*
 * COM1 (0x3f8) output for the panic path. The guest owns the UART; we only
 * write to it when the hypervisor is about to stop a CPU anyway, and only if
 * the loader asked for it (LVBS_BOOT_DEBUG_SERIAL). The line settings the
 * guest programmed are left as they are.
 */
#include <hv/x86.h>
#include "serial.h"

#define COM1		0x3f8
#define UART_LSR	5
#define LSR_THRE	0x20

static void serial_putc(char ch)
{
	/* Bounded wait: a dead UART must not hang the panic path forever. */
	for (u32 i = 0; i < 100000; i++) {
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
		cpu_relax();
	}
	outb(COM1, (u8)ch);
}

void serial_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s);
	}
}

void serial_put_hex(u64 v)
{
	char buf[19];

	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 0; i < 16; i++) {
		u32 nib = (v >> (60 - 4 * i)) & 0xf;

		buf[2 + i] = (char)(nib < 10 ? '0' + nib : 'a' + nib - 10);
	}
	buf[18] = 0;
	serial_puts(buf);
}
