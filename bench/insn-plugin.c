// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin for the benchmark's deterministic figure: instructions
 * executed (by every vCPU, the hypervisor's included, since to QEMU all of
 * it is guest code) during each part of the workload's last measured run.
 * Time under TCG moves with the host's load; this count barely does.
 *
 * The workload marks its run and its parts with 7-byte NOPs,
 * "nopl 0x4c56XXXX(%rax)" (tests/vm/progs/workload.c): 0x01 a run starts,
 * 0x02 it is complete, 0x10+p part p starts, 0x20+p it ends. Instructions
 * are counted per translation block as it runs (inline, no callback), and
 * a marker's callback reads the count. At exit the plugin prints, on
 * QEMU's standard error (the serial log of tests/vm):
 *     LVBS-INSN: part=N insns=COUNT marks=PAIRS
 * for the last complete run. Scripts measure a stretch of their own with
 * "workload -m start" (0x40) and "workload -m K" (0x41 + K), which
 * prints at once:
 *     LVBS-INSN: measure=K insns=COUNT
 * (bench/scenarios/modload.sh). QEMU's plugin API header is not packaged by
 * Debian; bench/Makefile takes it from Debian's qemu source.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define PARTS		4
#define MAGIC_HI	0x4c56u

/* Single-threaded TCG (tests/vm): one vCPU runs at a time, no atomics needed. */
static uint64_t total;
static uint64_t start[PARTS], cur[PARTS], last[PARTS], pairs[PARTS], last_pairs[PARTS];
static int complete;
static uint64_t measure_start;

static void on_mark(unsigned int vcpu, void *udata)
{
	unsigned int id = (unsigned int)(uintptr_t)udata;

	(void)vcpu;
	if (id == 0x01) {
		memset(cur, 0, sizeof(cur));
		memset(pairs, 0, sizeof(pairs));
	} else if (id == 0x02) {
		memcpy(last, cur, sizeof(last));
		memcpy(last_pairs, pairs, sizeof(last_pairs));
		complete = 1;
	} else if (id >= 0x10 && id < 0x10 + PARTS) {
		start[id - 0x10] = total;
	} else if (id >= 0x20 && id < 0x20 + PARTS) {
		cur[id - 0x20] += total - start[id - 0x20];
		pairs[id - 0x20]++;
	} else if (id == 0x40) {
		measure_start = total;
	} else if (id > 0x40 && id <= 0x50) {
		fprintf(stderr, "LVBS-INSN: measure=%u insns=%" PRIu64 "\n", id - 0x41,
			total - measure_start);
	}
}

/* The marker's event number, or 0 if this is not one. */
static unsigned int marker(const struct qemu_plugin_insn *insn)
{
	const uint8_t *b = qemu_plugin_insn_data(insn);
	uint32_t disp;

	if (qemu_plugin_insn_size(insn) != 7 || b[0] != 0x0f || b[1] != 0x1f || b[2] != 0x80)
		return 0;
	disp = b[3] | (uint32_t)b[4] << 8 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 24;
	return disp >> 16 == MAGIC_HI ? disp & 0xffff : 0;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &total, n);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		unsigned int m = marker(insn);

		if (m)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)m);
	}
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
	int i;

	(void)id;
	(void)p;
	if (!complete) {
		fprintf(stderr, "LVBS-INSN: no complete run\n");
		return;
	}
	for (i = 0; i < PARTS; i++)
		fprintf(stderr, "LVBS-INSN: part=%d insns=%" PRIu64 " marks=%" PRIu64 "\n", i,
			last[i], last_pairs[i]);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	(void)info;
	(void)argc;
	(void)argv;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
