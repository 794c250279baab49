/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keys module signatures are checked against, and the blacklist of
 * module digests (docs/module-signatures.md; ABI: LVBS_HC_ADD_KEY,
 * LVBS_HC_GET_KEY, LVBS_HC_ADD_BLACKLIST).
 *
 * Keys come only as X.509 certificates. Before SEAL the kernel is trusted
 * and its certificates are taken as they are ("builtin"); after SEAL a
 * certificate is taken only if a key already held signed it
 * ("secondary"), the rule of the kernel's secondary keyring. Keys are
 * never removed. The blacklist only grows, at any time.
 */
#ifndef HV_CORE_KEYS_H
#define HV_CORE_KEYS_H

#include <hv/types.h>
#include <lvbs/abi.h>

struct hv_cpu;
struct modsig_key;

/* Empty store (launch, and the host tests between cases). */
void keys_reset(void);

/* The hypercalls; arguments as the guest gave them. */
long keys_add(struct hv_cpu *c, u64 gpa, u64 len, u64 *slot_out);
int keys_info(u64 slot, struct lvbs_key_info *out);	/* LVBS_OK or LVBS_E_RANGE */
long keys_add_blacklist(struct hv_cpu *c, u64 gpa, u64 count, u64 *added_out);

/* For GET_INFO. */
void keys_fill_info(struct lvbs_info *info);

/*
 * The trusted key that made @s, and its slot; NULL if none. A key never
 * changes or goes once held, so the pointer stays good.
 */
struct modsig;
const struct modsig_key *keys_find(const struct modsig *s, u32 *slot);

/* Whether @digest (@alg: CRYPTO_SHA*) of a module's contents is blacklisted. */
bool keys_blacklisted(int alg, const u8 *digest);

#endif
