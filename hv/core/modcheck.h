/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checking a module file's signature (modcheck.c; ABI: MODULE_BEGIN,
 * MODULE_HASH, MODULE_END). A verified check authorizes the module's
 * owners to get supervisor-execute memory after SEAL (slat.c), unless SEAL
 * asked for trust on first use (docs/module-signatures.md).
 */
#ifndef HV_CORE_MODCHECK_H
#define HV_CORE_MODCHECK_H

#include <hv/types.h>
#include <lvbs/abi.h>

struct hv_cpu;

/*
 * Verified files whose number MODULE_COMPARE accepts: the latest this
 * many (each waits for its module's layout, and loads run in parallel).
 */
#define MODCHECK_FILES	64

void modcheck_reset(void);
/*
 * Was file @id verified (among the last MODCHECK_FILES)? Its signed length
 * and the owners its check authorized (MODULE_END; 0: none named).
 */
bool modcheck_verified_file(u64 id, u64 *len, u32 *core, u32 *init);
long modcheck_begin(struct hv_cpu *c, u64 gpa, u64 len, u64 content_len, u64 *verdict_out,
		    u64 *file_out);
long modcheck_hash(struct hv_cpu *c, u64 gpa, u64 count);
long modcheck_end(struct hv_cpu *c, u64 core, u64 init, u64 *verdict_out, u64 *slot_out);
void modcheck_fill_info(struct lvbs_info *info);
#ifdef LVBS_HOST_TEST
void modcheck_test_verified(u64 file, u64 len, u32 core, u32 init);
#endif

#endif
