/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lvbs hypercall ABI -- the one contract between the hypervisor (hv/), the
 * guest kernel module (kmod/) and, through the module, user space.
 *
 * This header is shared by freestanding hypervisor code, the Linux kernel
 * module and host-side unit tests, so it uses only fixed-width types that
 * each side provides (see the LVBS_ABI_TYPES block below) and no libc.
 *
 * Everything here is documented in docs/abi.md; keep the two in step.
 */
#ifndef LVBS_ABI_H
#define LVBS_ABI_H

/* ABI version: bumped on every incompatible change of anything below. */
#define LVBS_ABI_VERSION	10
#define LVBS_IMAGE_MAGIC	0x31564842534256ULL	/* "VBSBHV1" */

/* Assembly (the image header) needs only the two numbers above. */
#ifndef __ASSEMBLY__

#if defined(__KERNEL__)
#include <linux/types.h>
typedef u8 lvbs_u8;
typedef u16 lvbs_u16;
typedef u32 lvbs_u32;
typedef u64 lvbs_u64;
typedef s64 lvbs_s64;
#else
#include <stdint.h>
typedef uint8_t lvbs_u8;
typedef uint16_t lvbs_u16;
typedef uint32_t lvbs_u32;
typedef uint64_t lvbs_u64;
typedef int64_t lvbs_s64;
#endif

/*
 * Calling convention (x86-64), both vendors:
 *   instruction  VMMCALL (AMD SVM) or VMCALL (Intel VMX), from CPL 0 only;
 *                from CPL > 0 the hypervisor injects #UD.
 *   RAX (in)     LVBS_HC_MAGIC | call number
 *   RBX,RCX,RDX,RSI (in)   arguments 1..4 as documented per call
 *   RAX (out)    status: LVBS_OK (0) or a negative LVBS_E* code, or for
 *                READ_LOG a non-negative entry count
 *   RBX,RCX (out) extra results where a call documents them
 *   Every other register, and RBX/RCX/RDX/RSI where not documented as
 *   outputs, is preserved.
 * A RAX without the magic in bits 63:32 is not an lvbs call: it gets
 * LVBS_E_NOSYS and is logged (lvbs does not forward calls to an outer
 * hypervisor; see docs/abi.md).
 *
 * Buffers are passed as guest-physical addresses (GPA). A buffer must be
 * aligned to 8 bytes, lie wholly inside one range of guest RAM, not touch
 * hypervisor memory, and be at most LVBS_MAX_XFER bytes long; otherwise the
 * call fails with LVBS_E_ALIGN, LVBS_E_RANGE or LVBS_E_TOOBIG and writes
 * nothing.
 */
#define LVBS_HC_MAGIC		0x4c56425300000000ULL	/* "LVBS" */
#define LVBS_HC_MAGIC_MASK	0xffffffff00000000ULL
#define LVBS_HC(nr)		(LVBS_HC_MAGIC | (lvbs_u64)(nr))

enum lvbs_hc_nr {
	/* RBX = GPA of struct lvbs_info, RCX = its size. */
	LVBS_HC_GET_INFO	= 1,
	/* RBX = GPA of struct lvbs_cpu_stats, RCX = its size, RDX = CPU index. */
	LVBS_HC_GET_STATS	= 2,
	/*
	 * RBX = GPA of an array of struct lvbs_log_entry, RCX = its size in
	 * bytes, RDX = first sequence number wanted. Copies the oldest entries
	 * with seq >= RDX that are still in the ring, as many as fit.
	 * Out: RAX = entries copied, RBX = sequence number to ask next,
	 * RCX = entries lost (overwritten) between RDX and the first copied.
	 */
	LVBS_HC_READ_LOG	= 3,
	/*
	 * Launch-time only: while a launch is failing (some CPU could not be
	 * virtualized), every CPU that was virtualized calls this to leave the
	 * hypervisor. Refused with LVBS_E_PERM at any other time.
	 */
	LVBS_HC_LAUNCH_ABORT	= 4,
	/*
	 * RBX = control register (0 or 4), RCX = bits to pin (see
	 * LVBS_PIN_CR0_ALLOWED / LVBS_PIN_CR4_ALLOWED). Each bit is pinned to
	 * its current value on the calling CPU, for good: from then on a
	 * write that changes it gets #GP and is logged, on every CPU. Pins
	 * only accumulate; the CPUs of the machine must agree on the values
	 * (LVBS_E_INVAL otherwise). A CPU enforces the pins once it has made
	 * this call itself: the kernel calls it on every CPU.
	 */
	LVBS_HC_PIN_CR		= 5,
	/*
	 * RBX = MSR slot (LVBS_MSR_SLOT_*), RCX = bits to pin (for EFER only
	 * LVBS_PIN_EFER_ALLOWED). Pins those bits to their current value on
	 * the calling CPU, for that CPU (entry MSRs such as SYSENTER_ESP are
	 * per CPU), for good; the kernel calls it on every CPU. A WRMSR that
	 * would change a pinned bit gets #GP and is logged.
	 */
	LVBS_HC_PIN_MSR		= 6,
	/*
	 * No arguments. Pins the calling CPU's IDTR and GDTR (base and limit)
	 * and its TR, for good: from then on LIDT/LGDT with another value and
	 * any LTR get #GP and are logged. LLDT is not pinned (Linux loads a
	 * per-process LDT). The kernel calls it on every CPU. LVBS_E_NOSYS
	 * on a VMX without descriptor-table exiting: nothing pinned
	 * (docs/abi.md).
	 */
	LVBS_HC_PIN_DT		= 7,
	/*
	 * RBX = GPA of an array of struct lvbs_mem_prot, RCX = number of
	 * entries (1..LVBS_PROT_BATCH). The whole array is copied into the
	 * hypervisor before any entry is looked at. Entries are applied in
	 * order, each all or nothing; the call stops at the first entry that
	 * fails. Out: RAX = status, RBX = entries applied. Each entry gives
	 * [gpa, gpa + size) the rights perm (LVBS_PERM_*) and the owner:
	 * LVBS_OWNER_KERNEL for the kernel image, LVBS_OWNER_MODULE_MIN and
	 * up for one module's memory (a cookie the guest picks), or
	 * LVBS_OWNER_NONE for ordinary memory. Rules (LVBS_E_PERM, logged as
	 * prot_denied, otherwise):
	 *   - an IMMUTABLE range never changes again;
	 *   - memory in the hypervisor or above guest_phys_limit is refused
	 *     (LVBS_E_RANGE); so is a range that is not all RAM;
	 *   - W together with XS is refused once sealed (W^X for kernel code);
	 *   - after SEAL rights may only shrink, except that memory owned by
	 *     nobody may be given to a new module (owner >= MODULE_MIN) as
	 *     R|XS (its text) or R or R|W (its data): the module lifecycle.
	 *     R|XS only to an owner a verified module check authorized
	 *     (MODULE_END), unless SEAL had LVBS_SEAL_MODULE_TOFU; RELEASE
	 *     ends the owner's authorization.
	 * When rights shrink, every CPU's TLB is flushed before the call
	 * returns (cross-CPU shootdown, docs/architecture.md).
	 */
	LVBS_HC_PROTECT_MEMORY	= 8,
	/*
	 * RBX = owner (>= LVBS_OWNER_MODULE_MIN). Every range that owner holds
	 * returns to nobody with the rights of released memory: R|W and not
	 * executable in supervisor mode (user execute is given back lazily
	 * without GMET: see docs/architecture.md). IMMUTABLE is lifted for
	 * these ranges only: this is the module-unload path. Out: RBX = pages
	 * released. LVBS_E_INVAL for the kernel or nobody.
	 */
	LVBS_HC_RELEASE_MEMORY	= 9,
	/*
	 * RBX = flags (LVBS_SEAL_*; others LVBS_E_INVAL), RCX/RDX =
	 * start/end of the kernel's module area (guest-virtual, [start, end);
	 * 0/0 if none). Ends trusted boot: from now on rights only shrink
	 * except through the module lifecycle, validated text patching and
	 * the execute grants below. RAM owned by nobody loses supervisor
	 * execute with GMET, and all execute without it (LVBS_EXEC_STRICT:
	 * user-mode execution then grants execute and takes write away, a
	 * write takes execute away again), unless LVBS_SEAL_EXEC_NX asks
	 * for the relaxed NX fallback. Supervisor execution of
	 * memory owned by nobody, from an address inside the module area, is
	 * trusted on first use (BPF JIT images, ftrace and kprobe
	 * trampolines: the kernel's own module_alloc() path) and counted in
	 * lvbs_info.dyn_exec_pages. Sealing twice: LVBS_E_PERM.
	 */
	LVBS_HC_SEAL		= 10,
	/*
	 * RBX = LVBS_POLICY_ENFORCE or LVBS_POLICY_AUDIT: what a memory
	 * violation gets. Audit logs and lets the access through (rollout);
	 * enforce logs and injects a fault. After SEAL only AUDIT -> ENFORCE
	 * is allowed. Register pins are always enforced.
	 */
	LVBS_HC_SET_POLICY	= 11,
	/*
	 * RBX = GPA of an X.509 certificate (DER), RCX = its length
	 * (1..LVBS_KEY_CERT_MAX). Adds its key to the keys module signatures
	 * are checked against (docs/module-signatures.md). The certificate is
	 * copied into the hypervisor before it is read. Before SEAL the
	 * kernel is trusted and so is what it gives: a "builtin" key (the
	 * kernel's own signing certificate, captured during trusted boot).
	 * After SEAL the certificate must be signed by a key already trusted:
	 * a "secondary" key, as the kernel's secondary keyring. A certificate
	 * already trusted adds nothing. Out: RBX = the key's slot.
	 * LVBS_E_INVAL: not a certificate lvbs can use (malformed; a key
	 * other than RSA up to 4096 bits or ECDSA P-256/P-384/P-521);
	 * LVBS_E_PERM: after SEAL, not signed by a trusted key (or signed
	 * with an algorithm lvbs does not check); LVBS_E_TOOBIG: longer than
	 * LVBS_KEY_CERT_MAX, or LVBS_MAX_KEYS keys held already.
	 * Logged as key_added or key_denied.
	 */
	LVBS_HC_ADD_KEY		= 12,
	/*
	 * RBX = GPA of struct lvbs_key_info, RCX = its size, RDX = slot
	 * (0 .. lvbs_info.keys_trusted - 1; LVBS_E_RANGE past the last).
	 */
	LVBS_HC_GET_KEY		= 13,
	/*
	 * RBX = GPA of an array of struct lvbs_blacklist_hash, RCX = number of
	 * entries (1..LVBS_BLACKLIST_BATCH). Digests of module contents (the
	 * bytes a module signature covers, hashed with the signature's
	 * algorithm: the kernel's "bin:" blacklist entries) that must never
	 * load, whoever signed them. Allowed at any time: a blacklist only
	 * ever refuses more. The array is copied in whole first; all or
	 * nothing: LVBS_E_INVAL for an unknown algorithm or reserved bits
	 * set, LVBS_E_TOOBIG if the list would hold more than
	 * LVBS_MAX_BLACKLIST. Entries held already are not added twice.
	 * Out: RBX = entries added. Logged as blacklist.
	 */
	LVBS_HC_ADD_BLACKLIST	= 14,
	/*
	 * Checking a module file's signature, in three steps so that no call
	 * runs long (docs/module-signatures.md). Only one check is open in
	 * the whole machine at a time, owned by the CPU that began it;
	 * another CPU's MODULE_BEGIN gets LVBS_E_BUSY until it ends.
	 *
	 * MODULE_BEGIN: RBX = GPA of the end of the module file (its PKCS#7
	 * signature, struct module_signature and the magic
	 * "~Module signature appended~\n"), RCX = its length
	 * (1..LVBS_MODSIG_MAX), RDX = length of the module before it: the
	 * signed bytes (1..LVBS_MODULE_MAX). The trailer is copied in and
	 * parsed and the signer looked up among the trusted keys. A check
	 * this CPU had open is dropped. Out: RBX = verdict so far
	 * (LVBS_MODCHECK_*: 0 while the check goes on), RCX = the file's
	 * number (v8): never the same twice, it is part of every page tag.
	 */
	LVBS_HC_MODULE_BEGIN	= 15,
	/*
	 * MODULE_HASH: RBX = GPA of an array of struct lvbs_module_page, RCX
	 * = entries (1..LVBS_MODULE_HASH_BATCH): the module's next pages, in
	 * order. The array is copied in; each page (the last one up to the
	 * module's end) is copied into the hypervisor once, hashed for the
	 * signature and tagged (v8): its tag, a MAC under a key only the
	 * hypervisor holds of the file's number, the page's index and length
	 * and the bytes hashed, is written into its entry, and the array back
	 * to the guest (which must be able to write it). With the tags the
	 * file can be read again later, each page checked
	 * (docs/module-signatures.md). LVBS_E_PERM if this CPU has no check
	 * open; LVBS_E_INVAL if the pages run past the module's end; an entry
	 * with reserved bits, a page that is not page aligned, not guest RAM
	 * or the hypervisor's, or an array the guest cannot write, fails the
	 * call and the check (verdict LVBS_MODCHECK_INCOMPLETE).
	 */
	LVBS_HC_MODULE_HASH	= 16,
	/*
	 * MODULE_END: RBX, RCX = the owner cookies (>= LVBS_OWNER_MODULE_MIN,
	 * or 0) the checked module's memory will have (its core and init).
	 * Ends this CPU's check. Out: RBX = verdict (LVBS_MODCHECK_*), RCX =
	 * the signer's key slot when the verdict is LVBS_MODCHECK_OK. With
	 * that verdict the owners may be given supervisor-execute memory
	 * after SEAL (see PROTECT_MEMORY); an owner so authorized and not yet
	 * used stays so until LVBS_AUTH_OWNERS newer ones are. Logged as
	 * module_checked and counted in lvbs_info.modules_verified or
	 * modules_failed. LVBS_E_PERM if this CPU has no check open;
	 * LVBS_E_INVAL for an owner below LVBS_OWNER_MODULE_MIN other than 0
	 * (the check stays open).
	 */
	LVBS_HC_MODULE_END	= 17,
	/*
	 * MODULE_COMPARE (v9; bound to the owners in v10): the module as the
	 * kernel laid it out against its verified file
	 * (docs/module-signatures.md, "Relocation-aware comparison"). RBX =
	 * GPA of struct lvbs_module_compare, RCX = its size, RDX = 0 to start,
	 * 1 to go on. The hypervisor reads the file again through its page
	 * list and tags (MODULE_HASH), relocates each read-only section itself
	 * and compares it with guest memory at the address the kernel's
	 * section headers give, at most LVBS_MODCMP_BUDGET pages per call.
	 * Out: RBX = 1 while there is more to do; when done (RBX = 0), the
	 * result fields of the struct are written back. One comparison at a
	 * time in the machine, owned by the CPU that started it (LVBS_E_BUSY
	 * on another; LVBS_E_PERM to go on with none open).
	 *
	 * v10: the module's memory is registered first (PROTECT_MEMORY under
	 * the owners its check authorized) and the request names those owners
	 * and the module's text pieces. Each text page is translated once, at
	 * the start, and must be the owners' registered code; every code
	 * section must lie in a text piece, every other compared section in
	 * the owners' read-only memory; the pieces' bytes outside code sections
	 * must be zero; the pieces must name every code page the owners have.
	 * After SEAL with module_trust=signed, the owners' code is registered
	 * without execute ("withheld") and only a SAME result gives it
	 * execute, for exactly the pages compared. Counted
	 * (lvbs_info.modules_compared ...) and logged (module_compared).
	 */
	LVBS_HC_MODULE_COMPARE	= 18,
	/*
	 * EXPORTS (v10): where an owner's export tables are, so that
	 * MODULE_COMPARE can take each import's value from them rather than
	 * from the loader (docs/module-signatures.md, "Import values"). RBX =
	 * GPA of struct lvbs_exports, RCX = its size. Before SEAL only
	 * (LVBS_E_PERM after): the kernel's __ksymtab and __ksymtab_gpl
	 * (owner LVBS_OWNER_KERNEL), and those of modules loaded before SEAL
	 * (their core owner); a module compared SAME has its tables
	 * registered by the hypervisor itself, from its file. Each table: a
	 * whole number of 12-byte entries, every page of it (through the
	 * calling CPU's page tables) that owner's registered read-only
	 * memory (immutable for the kernel); LVBS_E_RANGE otherwise. A call
	 * for an owner replaces its earlier tables. A release of the owner's
	 * memory forgets its tables.
	 */
	LVBS_HC_EXPORTS		= 19,
	LVBS_HC_MAX
};

/* Control-register bits that may be pinned (x86 CR0 / CR4 bit numbers). */
#define LVBS_CR0_PE		(1ULL << 0)
#define LVBS_CR0_WP		(1ULL << 16)
#define LVBS_CR0_PG		(1ULL << 31)
#define LVBS_CR4_UMIP		(1ULL << 11)
#define LVBS_CR4_SMEP		(1ULL << 20)
#define LVBS_CR4_SMAP		(1ULL << 21)
#define LVBS_CR4_CET		(1ULL << 23)
#define LVBS_PIN_CR0_ALLOWED	(LVBS_CR0_PE | LVBS_CR0_WP | LVBS_CR0_PG)
#define LVBS_PIN_CR4_ALLOWED	(LVBS_CR4_UMIP | LVBS_CR4_SMEP | LVBS_CR4_SMAP | LVBS_CR4_CET)

/* MSRs that may be pinned, by slot (lvbs_info.pinned_msrs bit = slot). */
enum lvbs_msr_slot {
	LVBS_MSR_SLOT_EFER = 0,		/* 0xc0000080 */
	LVBS_MSR_SLOT_STAR,		/* 0xc0000081 */
	LVBS_MSR_SLOT_LSTAR,		/* 0xc0000082: 64-bit SYSCALL entry */
	LVBS_MSR_SLOT_CSTAR,		/* 0xc0000083: compat SYSCALL entry */
	LVBS_MSR_SLOT_SFMASK,		/* 0xc0000084: RFLAGS mask at SYSCALL */
	LVBS_MSR_SLOT_SYSENTER_CS,	/* 0x174 */
	LVBS_MSR_SLOT_SYSENTER_ESP,	/* 0x175 */
	LVBS_MSR_SLOT_SYSENTER_EIP,	/* 0x176 */
	LVBS_MSR_SLOTS
};
#define LVBS_EFER_SCE		(1ULL << 0)
#define LVBS_EFER_LME		(1ULL << 8)
#define LVBS_EFER_NXE		(1ULL << 11)
#define LVBS_PIN_EFER_ALLOWED	(LVBS_EFER_SCE | LVBS_EFER_LME | LVBS_EFER_NXE)

/* Descriptor tables (lvbs_log_entry.info0 of LVBS_EV_DT_PIN). */
#define LVBS_DT_IDTR	0
#define LVBS_DT_GDTR	1
#define LVBS_DT_TR	3

/* Memory rights (struct lvbs_mem_prot.perm). */
#define LVBS_PERM_R		(1u << 0)	/* read */
#define LVBS_PERM_W		(1u << 1)	/* write */
#define LVBS_PERM_XS		(1u << 2)	/* execute in supervisor mode */
#define LVBS_PERM_XU		(1u << 3)	/* execute in user mode */
#define LVBS_PERM_IMMUTABLE	(1u << 8)	/* these rights never change again */
#define LVBS_PERM_PATCHABLE	(1u << 9)	/* code: writes only through validated patching */
#define LVBS_PERM_ALL		(0x00fu | LVBS_PERM_IMMUTABLE | LVBS_PERM_PATCHABLE)

/* Owners (struct lvbs_mem_prot.owner). */
#define LVBS_OWNER_NONE		0u		/* ordinary memory */
#define LVBS_OWNER_KERNEL	1u		/* the kernel image */
#define LVBS_OWNER_MODULE_MIN	16u		/* first module cookie */

#define LVBS_PROT_BATCH		64		/* entries per PROTECT_MEMORY call */

struct lvbs_mem_prot {
	lvbs_u64 gpa;		/* page aligned */
	lvbs_u64 size;		/* bytes, page multiple, > 0 */
	lvbs_u32 perm;		/* LVBS_PERM_* */
	lvbs_u32 owner;		/* LVBS_OWNER_* or a module cookie */
	lvbs_u64 reserved;	/* must be 0 */
};

/* SEAL flags (RBX). */
#define LVBS_SEAL_EXEC_NX	(1u << 0)	/* without GMET: relax strict W^X to NX fallback */
#define LVBS_SEAL_MODULE_TOFU	(1u << 1)	/* modules need no signature check (v7) */
#define LVBS_SEAL_FLAGS		(LVBS_SEAL_EXEC_NX | LVBS_SEAL_MODULE_TOFU)

/* lvbs_info.module_trust (v7) */
#define LVBS_MODTRUST_NONE	0	/* not sealed: the kernel is trusted */
#define LVBS_MODTRUST_SIGNED	1	/* new module code needs a verified check (MODULE_END) */
#define LVBS_MODTRUST_TOFU	2	/* trust on first use: any new module's code */
#define LVBS_POLICY_ENFORCE	0
#define LVBS_POLICY_AUDIT	1

/* How supervisor execution is controlled (lvbs_info.exec_control). */
#define LVBS_EXEC_NONE		0	/* not sealed: no control */
#define LVBS_EXEC_GMET		1	/* only XS ranges run in supervisor mode (GMET; MBEC on VMX) */
#define LVBS_EXEC_NX_FALLBACK	2	/* no GMET, relaxed: kernel image and module data NX, other RAM not */
#define LVBS_EXEC_STRICT	3	/* no GMET: W^X in the SLAT, execute granted lazily (docs) */

/* Module-signing keys and the blacklist (ADD_KEY, GET_KEY, ADD_BLACKLIST). */
#define LVBS_KEY_CERT_MAX	8192u	/* bytes of one certificate */
#define LVBS_MAX_KEYS		16
#define LVBS_MAX_BLACKLIST	256
#define LVBS_BLACKLIST_BATCH	64

/* The module check (MODULE_BEGIN, MODULE_HASH, MODULE_END). */
#define LVBS_MODSIG_MAX		8192u		/* bytes of a module's signature trailer */
#define LVBS_MODULE_MAX		(256u << 20)	/* bytes of a module, signature excluded */
#define LVBS_MODULE_HASH_BATCH	64		/* pages per MODULE_HASH call */
#define LVBS_AUTH_OWNERS	32		/* owners authorized and not yet released */

/* An entry of MODULE_HASH's page list (v8). */
#define LVBS_MODULE_TAG_LEN	16
struct lvbs_module_page {
	lvbs_u64 gpa;				/* in: page aligned */
	lvbs_u8 tag[LVBS_MODULE_TAG_LEN];	/* out */
	lvbs_u64 reserved;			/* in: 0 */
};

/*
 * MODULE_COMPARE's request (in) and result (out), v9. Addresses are
 * kernel virtual addresses, read through the calling CPU's page tables;
 * everything named is a claim the hypervisor checks against the file.
 */
#define LVBS_MODCMP_BUDGET	64	/* pages of sections compared per call */
#define LVBS_MODCMP_MAX_SECTIONS 512	/* sections of a module compared */
#define LVBS_MODCMP_MAX_IMPORTS	2048	/* distinct symbols it imports */
#define LVBS_MODCMP_MAX_CODE_PAGES 8192	/* text pages of a module (32 MiB) */
#define LVBS_MODCMP_MAX_CODE_SECTIONS 128	/* code sections of a module */
/*
 * Kinds of site a module file names as patched by the kernel after
 * relocation, each in a table of its own (the section in brackets).
 */
#define LVBS_MODCMP_KIND_FTRACE		0	/* __mcount_loc: call __fentry__ */
#define LVBS_MODCMP_KIND_RETURN		1	/* .return_sites: jmp to the return thunk */
#define LVBS_MODCMP_KIND_RETPOLINE	2	/* .retpoline_sites: call/jmp to a retpoline thunk */
#define LVBS_MODCMP_KIND_CALL		3	/* .call_sites: a call (call depth tracking) */
#define LVBS_MODCMP_KIND_ENDBR		4	/* .ibt_endbr_seal: an unused ENDBR64 */
#define LVBS_MODCMP_KIND_STATIC_CALL	5	/* .static_call_sites */
#define LVBS_MODCMP_KIND_JUMP		6	/* __jump_table: a jump label */
#define LVBS_MODCMP_KIND_ALT		7	/* .altinstructions */
#define LVBS_MODCMP_KIND_LOCK		8	/* .smp_locks: a lock prefix */
#define LVBS_MODCMP_KIND_PARAVIRT	9	/* .parainstructions (6.1): a pv_ops call */
#define LVBS_MODCMP_KINDS		10
struct lvbs_module_compare {
	lvbs_u64 size;			/* in: sizeof this struct */
	lvbs_u64 file;			/* in: a verified check's file number (MODULE_BEGIN) */
	lvbs_u64 pages;			/* in: VA of its struct lvbs_module_page list, with the tags */
	lvbs_u64 shdrs;			/* in: VA of the loader's section headers (sh_addr: where laid out) */
	lvbs_u64 symtab;		/* in: VA of the laid-out symbol table (imports resolved) */
	lvbs_u64 percpu;		/* in: where .data..percpu went (mod->percpu), or 0 */
	lvbs_u32 shnum;			/* in: entries of shdrs, as in the file */
	lvbs_u32 nsyms;			/* in: entries of symtab, as in the file */
	lvbs_u32 alt_entsize;		/* in: sizeof(struct alt_instr): 12 (6.1), 14 (6.12); 0 none */
	lvbs_u32 owner;			/* in: the core owner its check authorized; init is owner + 1 */
	lvbs_u32 reserved;		/* in: 0 */
	lvbs_u64 text_va[2];		/* in: the core and init text pieces: page-aligned VA ... */
	lvbs_u64 text_size[2];		/* in: ... and page-aligned size (0: none) */
	lvbs_u32 result;		/* out: LVBS_MODCMP_*; the outputs start here */
	lvbs_u32 detail;		/* out: for MALFORMED, the relocator's reason (docs/abi.md) */
	lvbs_u32 where_section;		/* out: section of the error or first unexplained byte */
	lvbs_u64 where_offset;		/* out: ... and the offset in it */
	lvbs_u64 sections;		/* out: sections compared */
	lvbs_u64 bytes;			/* out: bytes compared */
	lvbs_u64 relocations;		/* out: relocations the hypervisor applied */
	lvbs_u64 differ_bytes;		/* out: bytes that differ from the file's */
	lvbs_u64 differ_ranges;		/* out: ... in this many runs */
	lvbs_u64 imports;		/* out: distinct imports read from symtab */
	lvbs_u64 page_loads;		/* out: file pages read back, each tag checked */
	lvbs_u64 unexplained_bytes;	/* out: differing bytes at no site, or not in a form the site allows */
	lvbs_u64 unexplained_ranges;	/* out: ... in this many runs */
	lvbs_u64 checked_targets;	/* out: calls/jumps patched in that go to registered code */
	lvbs_u64 unchecked_targets;	/* out: ... and those that go anywhere else (a trampoline...) */
	lvbs_u64 unordered_sites;	/* out: table entries out of address order (found through an index) */
	lvbs_u64 patched[LVBS_MODCMP_KINDS];	/* out: sites of each kind the kernel changed, in an allowed form */
	lvbs_u64 code_pages;		/* out: text pages bound to the owners (translated once) */
	lvbs_u64 fill_bytes;		/* out: non-zero bytes of the text pieces outside code sections */
	lvbs_u64 granted_pages;		/* out: code pages this comparison gave execute (SAME only) */
	lvbs_u64 withheld_pages;	/* out: the owners' code pages still without execute */
	lvbs_u64 imports_kernel;	/* out: imports whose value came from the kernel's export tables */
	lvbs_u64 imports_module;	/* out: ... from a module's */
	lvbs_u64 imports_loader;	/* out: ... from the loader's symbol table (no tables given) */
	lvbs_u64 import_mismatch;	/* out: imports whose loader value is not the export's */
	lvbs_u8 where_have[16];		/* out: memory from the first unexplained byte on ... */
	lvbs_u8 where_want[16];		/* out: ... and what the file says (to the window's end) */
	lvbs_u32 where_len;		/* out: bytes of both that are set */
	lvbs_u32 reserved_out;
};

#define LVBS_MODCMP_SAME	0	/* every compared byte is the file's, relocated, or an allowed patch */
#define LVBS_MODCMP_DIFFER	1	/* some bytes differ otherwise (counted; where: the first) */
#define LVBS_MODCMP_NO_FILE	2	/* no verified check has that file number */
#define LVBS_MODCMP_BAD_PAGE	3	/* a page of the file failed its tag */
#define LVBS_MODCMP_MALFORMED	4	/* the relocator refused the file (where: the section) */
#define LVBS_MODCMP_UNMAPPED	5	/* a claimed address is not mapped */
#define LVBS_MODCMP_CLAIM	6	/* a claim of the request refused; detail: LVBS_MODCMP_CLAIM_* */
#define LVBS_MODCMP_UNRESOLVED	7	/* an import no trusted export table holds (where: the symbol index) */
/* detail of a CLAIM result: which claim. */
#define LVBS_MODCMP_CLAIM_COUNTS	1	/* shnum or nsyms differ from the file's, or too many */
#define LVBS_MODCMP_CLAIM_IMPORT	2	/* an import the laid-out symbol table does not hold */
#define LVBS_MODCMP_CLAIM_ALT		3	/* alt_entsize out of bounds */
#define LVBS_MODCMP_CLAIM_OWNER		4	/* not the owner the file's check authorized */
#define LVBS_MODCMP_CLAIM_TEXT		5	/* a text piece misaligned, too large, or a page of it not the owners' code */
#define LVBS_MODCMP_CLAIM_CODE_PLACE	6	/* a code section outside the text pieces */
#define LVBS_MODCMP_CLAIM_DATA_PLACE	7	/* a compared section outside the owners' read-only memory */
#define LVBS_MODCMP_CLAIM_UNNAMED	8	/* the owners have code pages the pieces do not name once each */
#define LVBS_MODCMP_CLAIM_SECTIONS	9	/* more code sections than LVBS_MODCMP_MAX_CODE_SECTIONS */
#define LVBS_MODCMP_CLAIM_EXPORTS	10	/* an export table unreadable, or not in its owner's protected memory */

/* Verdicts of a module check (RBX of MODULE_BEGIN and MODULE_END). */
#define LVBS_MODCHECK_OK		0	/* signed by a trusted key, not blacklisted */
#define LVBS_MODCHECK_UNSIGNED		1	/* no signature trailer */
#define LVBS_MODCHECK_FORMAT		2	/* malformed trailer or PKCS#7 */
#define LVBS_MODCHECK_UNSUPPORTED	3	/* well formed, not a kind lvbs checks */
#define LVBS_MODCHECK_UNKNOWN_KEY	4	/* no trusted key is the signer */
#define LVBS_MODCHECK_BAD_SIG		5	/* the signature does not match the contents */
#define LVBS_MODCHECK_BLACKLISTED	6	/* the contents' digest is blacklisted */
#define LVBS_MODCHECK_INCOMPLETE	7	/* ended before every byte was hashed, or a bad page */

/* struct lvbs_key_info.source */
#define LVBS_KEY_BUILTIN	1	/* given before SEAL, while the kernel was trusted */
#define LVBS_KEY_SECONDARY	2	/* given after SEAL, signed by the key in .signer */

/* struct lvbs_key_info.key_type */
#define LVBS_KEYTYPE_RSA	1
#define LVBS_KEYTYPE_EC		2

/* Hash algorithms (struct lvbs_blacklist_hash.alg). */
#define LVBS_HASH_SHA256	1
#define LVBS_HASH_SHA384	2
#define LVBS_HASH_SHA512	3

#define LVBS_KEY_NAME_MAX	64	/* bytes of lvbs_key_info.name, NUL included */

struct lvbs_key_info {
	lvbs_u32 size;			/* bytes written */
	lvbs_u32 slot;
	lvbs_u32 source;		/* LVBS_KEY_* */
	lvbs_u32 signer;		/* SECONDARY: slot of the key that signed it; else slot */
	lvbs_u32 key_type;		/* LVBS_KEYTYPE_* */
	lvbs_u32 key_bits;		/* RSA modulus or EC curve size */
	lvbs_u8 fingerprint[32];	/* SHA-256 of the certificate */
	char name[LVBS_KEY_NAME_MAX];	/* subject commonName, NUL-terminated, may be cut */
};

struct lvbs_blacklist_hash {
	lvbs_u32 alg;			/* LVBS_HASH_* */
	lvbs_u32 reserved;		/* must be 0 */
	lvbs_u8 digest[64];		/* the first 32, 48 or 64 bytes count; the rest must be 0 */
};

/* Status codes (RAX on return). */
#define LVBS_OK		0
#define LVBS_E_NOSYS	(-1)	/* unknown call number */
#define LVBS_E_INVAL	(-2)	/* malformed argument (size too small, reserved bits) */
#define LVBS_E_RANGE	(-3)	/* address outside guest RAM, or inside the hypervisor */
#define LVBS_E_ALIGN	(-4)	/* misaligned address */
#define LVBS_E_TOOBIG	(-5)	/* length over LVBS_MAX_XFER */
#define LVBS_E_PERM	(-6)	/* not allowed in the current state */
#define LVBS_E_FAULT	(-7)	/* guest memory could not be accessed */
#define LVBS_E_BUSY	(-8)	/* another CPU holds what the call needs (v7) */

#define LVBS_MAX_XFER	(64u * 1024u)	/* largest buffer any call copies */

/* CPUID leaves answered by lvbs (they replace an outer hypervisor's). */
#define LVBS_CPUID_SIGNATURE	0x40000000u	/* EAX=max leaf, EBX:ECX:EDX="LVBSLVBSLVBS" */
#define LVBS_CPUID_INFO		0x40000001u	/* EAX=ABI version, EBX=vendor, ECX=features used (low 32) */
#define LVBS_CPUID_SIG_EBX	0x5342564cu	/* "LVBS" little-endian */

/* Virtualization backend (struct lvbs_info.vendor). */
#define LVBS_VENDOR_SVM	1
#define LVBS_VENDOR_VMX	2

/* CPU features (lvbs_info.features_present / features_used). */
#define LVBS_FEAT_NPT		(1u << 0)	/* AMD nested paging */
#define LVBS_FEAT_NRIPS		(1u << 1)	/* AMD next-RIP save */
#define LVBS_FEAT_DECODE	(1u << 2)	/* AMD decode assists */
#define LVBS_FEAT_GMET		(1u << 3)	/* AMD guest-mode execute trap */
#define LVBS_FEAT_FLUSHASID	(1u << 4)	/* AMD flush by ASID */
#define LVBS_FEAT_VGIF		(1u << 5)	/* AMD virtual GIF */
#define LVBS_FEAT_1G_PAGES	(1u << 6)	/* 1 GiB pages in host and SLAT tables */
#define LVBS_FEAT_EPT		(1u << 16)	/* Intel EPT */
#define LVBS_FEAT_VPID		(1u << 17)	/* Intel VPID */
#define LVBS_FEAT_MBEC		(1u << 18)	/* Intel mode-based execute control */
/* Reported for what comes next (driver isolation); lvbs does not use them yet. */
#define LVBS_FEAT_EPTP_SWITCH	(1u << 19)	/* Intel VMFUNC EPTP switching */
#define LVBS_FEAT_VE		(1u << 20)	/* Intel EPT-violation #VE */

struct lvbs_info {
	lvbs_u32 size;			/* bytes written (sizeof this struct) */
	lvbs_u32 abi_version;		/* LVBS_ABI_VERSION */
	lvbs_u32 vendor;		/* LVBS_VENDOR_* */
	lvbs_u32 nr_cpus;		/* CPUs under the hypervisor */
	lvbs_u64 features_present;	/* LVBS_FEAT_* the CPU has */
	lvbs_u64 features_used;		/* LVBS_FEAT_* lvbs uses */
	lvbs_u64 hv_phys_base;		/* hypervisor memory, absent from SLAT */
	lvbs_u64 hv_phys_size;
	lvbs_u64 guest_phys_limit;	/* SLAT identity map covers [0, limit) */
	lvbs_u64 log_capacity;		/* entries the log ring holds */
	lvbs_u64 log_next_seq;		/* sequence number of the next event */
	lvbs_u64 tsc_at_launch;
	lvbs_u64 pinned_cr0;		/* CR0 bits pinned (mask) ... */
	lvbs_u64 pinned_cr0_val;	/* ... and the values they are pinned to */
	lvbs_u64 pinned_cr4;
	lvbs_u64 pinned_cr4_val;
	lvbs_u32 pinned_cpus;		/* CPUs enforcing every CR pin */
	lvbs_u32 pinned_msrs;		/* bit n: slot n pinned on every CPU */
	lvbs_u32 pinned_dt_cpus;	/* CPUs with IDTR/GDTR/TR pinned */
	lvbs_u32 sealed;		/* 1 after LVBS_HC_SEAL */
	lvbs_u32 policy;		/* LVBS_POLICY_* */
	lvbs_u32 exec_control;		/* LVBS_EXEC_* */
	lvbs_u32 perm_ranges;		/* ranges in the permission database */
	lvbs_u32 perm_capacity;		/* ... and how many it can hold */
	lvbs_u64 protected_bytes;	/* registered bytes with rights other than R|W|XS|XU */
	lvbs_u64 kernel_x_bytes;	/* registered code executable in supervisor mode, when sealed */
	lvbs_u64 violations;		/* memory violations seen (all CPUs) */
	lvbs_u64 patches_allowed;	/* validated text patches let through */
	lvbs_u64 patches_denied;
	lvbs_u64 log_suppressed;	/* events not logged by rate limiting */
	lvbs_u64 shootdowns;		/* cross-CPU TLB shootdowns done */
	lvbs_u64 slat_pool_free;	/* free pages for SLAT tables */
	lvbs_u64 dyn_exec_pages;	/* module-area pages made executable on first use */
	lvbs_u64 user_exec_pages;	/* pages given user execute on first use (no GMET) */
	lvbs_u64 wx_flips;		/* writes that took a granted execute right away */
	lvbs_u64 wx_mixed_pages;	/* user pages one instruction both runs and writes: W and X */
	lvbs_u64 slat_pool_pages;	/* pages for SLAT and host tables in all */
	lvbs_u64 slat_pool_peak;	/* most of them ever in use at once */
	lvbs_u64 slat_merges;		/* 2 MiB blocks mapped by one leaf again */
	lvbs_u64 slat_coarse;		/* grants that changed a whole 2 MiB block (tables ran out) */
	lvbs_u64 stores_dropped;	/* denied kernel stores retired without writing (v5) */
	lvbs_u32 cpuid_intercepted;	/* 1: CPUID exits (SVM hidden, lvbs announced); 0: passed through */
	lvbs_u32 keys_trusted;		/* module-signing keys held (v7) */
	lvbs_u32 blacklist_hashes;	/* blacklisted module digests held (v7) */
	lvbs_u32 keys_refused;		/* ADD_KEY calls refused (v7) */
	lvbs_u32 module_trust;		/* LVBS_MODTRUST_* (v7) */
	lvbs_u64 modules_verified;	/* module checks ended LVBS_MODCHECK_OK (v7) */
	lvbs_u64 modules_failed;	/* ... and with any other verdict */
	lvbs_u64 modules_compared;	/* MODULE_COMPARE results SAME or DIFFER (v9) */
	lvbs_u64 modules_differ;	/* ... DIFFER */
	lvbs_u64 modules_compare_failed;	/* ... any other result */
	lvbs_u64 module_bytes_differ;	/* differing bytes, all comparisons */
	lvbs_u64 exports_kernel;	/* entries of the kernel's export tables (EXPORTS; 0: none given) (v10) */
	lvbs_u64 exports_modules;	/* modules whose export tables the hypervisor holds */
	lvbs_u64 imports_checked;	/* imports MODULE_COMPARE took from an export table */
};

#define LVBS_EXPORT_TABLE_MAX	(4u << 20)	/* bytes of one export table */
#define LVBS_EXPORT_MODULES	1024		/* modules whose tables are held */
struct lvbs_exports {
	lvbs_u64 size;			/* sizeof this struct */
	lvbs_u32 owner;			/* LVBS_OWNER_KERNEL, or a module's core owner */
	lvbs_u32 reserved;		/* 0 */
	lvbs_u64 start[2];		/* __ksymtab and __ksymtab_gpl: VA (0, 0: none) ... */
	lvbs_u64 end[2];		/* ... and the end */
};

/* Exit kinds counted per CPU (vendor-neutral). */
enum lvbs_exit_kind {
	LVBS_EXIT_CPUID = 0,
	LVBS_EXIT_HYPERCALL,	/* VMMCALL / VMCALL */
	LVBS_EXIT_MSR_READ,
	LVBS_EXIT_MSR_WRITE,
	LVBS_EXIT_SLAT,		/* NPT / EPT violation */
	LVBS_EXIT_VIRT_INSN,	/* VMRUN, VMLOAD, ... or VMX instructions */
	LVBS_EXIT_CR_ACCESS,
	LVBS_EXIT_DT_ACCESS,	/* LIDT, LGDT, LTR; on VMX also LLDT, SGDT, SIDT, SLDT, STR */
	LVBS_EXIT_EXCEPTION,
	LVBS_EXIT_SHUTDOWN,	/* triple fault */
	LVBS_EXIT_XSETBV,
	LVBS_EXIT_OTHER,
	LVBS_EXIT_NMI,		/* NMI: a shootdown kick, or one handed to the guest */
	LVBS_EXIT_KIND_MAX
};

#define LVBS_EXIT_KIND_SLOTS	16

struct lvbs_cpu_stats {
	lvbs_u32 size;			/* bytes written */
	lvbs_u32 cpu;			/* CPU index (0 .. nr_cpus-1) */
	lvbs_u32 apic_id;
	lvbs_u32 nr_kinds;		/* LVBS_EXIT_KIND_MAX */
	lvbs_u64 exits_total;
	lvbs_u64 exits[LVBS_EXIT_KIND_SLOTS];	/* indexed by enum lvbs_exit_kind */
	lvbs_u64 hypercalls_failed;
	lvbs_u64 stores_dropped;	/* denied kernel stores this CPU retired unwritten (v5) */
};

/* Events in the hypervisor's log ring (lvbs_log_entry.kind). */
enum lvbs_event {
	LVBS_EV_NONE = 0,
	LVBS_EV_LAUNCH,		/* CPU entered guest mode; info0 = ASID */
	LVBS_EV_LAUNCH_FAIL,	/* info0 = reason code, info1 = exit code */
	LVBS_EV_LAUNCH_ABORT,	/* CPU left the hypervisor during a failed launch */
	LVBS_EV_HV_MEM_ACCESS,	/* guest touched hypervisor memory; gpa, access */
	LVBS_EV_SLAT_UNMAPPED,	/* guest touched a GPA outside the identity map */
	LVBS_EV_BAD_HYPERCALL,	/* info0 = RAX, info1 = status returned */
	LVBS_EV_USER_HYPERCALL,	/* hypercall from CPL > 0: #UD injected; info0 = CPL */
	LVBS_EV_VIRT_INSN,	/* guest ran a virtualization instruction: #UD; info0 = exit code */
	LVBS_EV_MSR_DENIED,	/* write to a protected MSR; info0 = MSR, info1 = value */
	LVBS_EV_SHUTDOWN,	/* guest triple fault: platform reset */
	LVBS_EV_UNHANDLED_EXIT,	/* info0 = vendor exit code */
	LVBS_EV_INSN_DECODE,	/* could not decode an intercepted instruction: #UD; info0 = expected op */
	LVBS_EV_CR_PIN,		/* write to a pinned CR bit: #GP; info0 = CR number, info1 = value */
	LVBS_EV_CR_INVALID,	/* invalid CR value (reserved bits...): #GP; info0 = CR, info1 = value */
	LVBS_EV_MSR_PIN,	/* WRMSR changing a pinned bit: #GP; info0 = MSR, info1 = value */
	LVBS_EV_DT_PIN,		/* LIDT/LGDT/LTR against a pin: #GP; info0 = table, info1 = base */
	LVBS_EV_MEM_VIOLATION,	/* access the range's rights forbid; gpa, access; info0 = rights, info1 = owner */
	LVBS_EV_PROT_DENIED,	/* PROTECT/RELEASE refused; gpa; info0 = requested rights, info1 = status */
	LVBS_EV_PATCH_DENIED,	/* write to patchable code not a legal patch; gpa; info0 = bytes written (LE), info1 = length */
	LVBS_EV_SEAL,		/* SEAL done; info0 = LVBS_EXEC_* */
	LVBS_EV_RATE_LIMITED,	/* info0 = events not logged since the last entry */
	LVBS_EV_SLAT_COARSE,	/* out of SLAT tables: a 2 MiB block changed rights as a whole; gpa; info0 = rights */
	LVBS_EV_SLAT_FULL,	/* out of SLAT tables: an execute or write grant refused, #GP; gpa; info0 = rights */
	LVBS_EV_KEY_ADDED,	/* ADD_KEY: gpa = certificate; info0 = slot, info1 = LVBS_KEY_* (v7) */
	LVBS_EV_KEY_DENIED,	/* ADD_KEY refused: gpa = certificate; info0 = reason (docs/abi.md), info1 = status */
	LVBS_EV_BLACKLIST,	/* ADD_BLACKLIST: info0 = entries added, info1 = entries held */
	LVBS_EV_MODULE_CHECKED,	/* MODULE_END: info0 = verdict (LVBS_MODCHECK_*), info1 = module bytes */
	LVBS_EV_MODULE_COMPARED,	/* MODULE_COMPARE done: gpa = file number; info0 = result | where_section << 32, info1 = differing bytes (v9) */
	LVBS_EV_MAX
};

/* lvbs_log_entry.access bits, for memory events. */
#define LVBS_ACC_READ		(1u << 0)
#define LVBS_ACC_WRITE		(1u << 1)
#define LVBS_ACC_EXEC		(1u << 2)
#define LVBS_ACC_USER		(1u << 3)	/* access was from CPL 3 */
#define LVBS_ACC_PTWALK		(1u << 4)	/* during the guest's page walk */

/* lvbs_log_entry.action: what the hypervisor did about it. */
#define LVBS_ACT_NONE		0	/* informational */
#define LVBS_ACT_INJECT_UD	1
#define LVBS_ACT_INJECT_GP	2
#define LVBS_ACT_INJECT_PF	3
#define LVBS_ACT_IGNORED	4	/* write dropped (instruction retired), read emulated */
#define LVBS_ACT_HALTED		5	/* CPU stopped */
#define LVBS_ACT_ERROR		6	/* hypercall returned an error */
#define LVBS_ACT_RESET		7	/* platform reset (as bare metal on a triple fault) */

struct lvbs_log_entry {
	lvbs_u64 seq;		/* 1, 2, 3 ... never reused */
	lvbs_u64 tsc;
	lvbs_u16 kind;		/* enum lvbs_event */
	lvbs_u16 cpu;
	lvbs_u8 access;		/* LVBS_ACC_* */
	lvbs_u8 action;		/* LVBS_ACT_* */
	lvbs_u16 reserved;
	lvbs_u32 count;		/* identical consecutive events folded into one */
	lvbs_u32 reserved2;
	lvbs_u64 rip;		/* guest RIP */
	lvbs_u64 gpa;		/* guest-physical address, or 0 */
	lvbs_u64 gva;		/* guest-virtual address when known, or 0 */
	lvbs_u64 info0;		/* per-kind detail, see enum lvbs_event */
	lvbs_u64 info1;
};

/*
 * ------------------------------------------------------------------------
 * Loader contract: how lvbs.ko hands the hypervisor image its memory.
 * Not reachable by hypercall; used only before and during launch, while the
 * kernel is still trusted.
 * ------------------------------------------------------------------------
 *
 * The image is a flat, position-independent binary, starting with struct
 * lvbs_image_header. It relocates itself in entry_init (R_X86_64_RELATIVE
 * entries only); the loader applies nothing. The loader:
 *  1. allocates one physically contiguous, zeroed region of
 *     mem_size + nr_cpus * percpu_size + fixed_size + page-table pool bytes,
 *     and copies the image to its start;
 *  2. builds the bridge page tables: a copy of the kernel's top-level table
 *     plus the region mapped at hv_virt, which is the start of the top-level
 *     slot Linux reserves for a hypervisor (index 256: 0xffff800000000000
 *     with 4-level paging, 0xff00000000000000 with 5-level);
 *  3. calls entry_init once, then entry_launch on every online CPU at the
 *     same time (interrupts off, GIF clear on SVM), both through its
 *     trampoline, and frees the bridge once every CPU is back.
 *
 * The bridge is where every crossing happens. VMX has no GIF, so an NMI
 * can come at any instruction of a crossing, and it must find an IDT, a
 * GDT, a handler and a stack mapped in the address space of the moment:
 *  - in the kernel's tables and in the bridge, with the kernel's IDT, the
 *    kernel's NMI handler runs on its own IST stack, wherever RSP points;
 *  - in the bridge and in the hypervisor's tables, with the hypervisor's
 *    IDT, its handler runs on the hypervisor's stack;
 *  - the hypervisor's GDT uses the kernel's selectors (0x10 code, 0x18
 *    data), so whichever GDT is loaded, an IRET restores valid segments.
 * The trampoline switches the kernel's CR3 to the bridge's and back; the
 * hypervisor loads its own tables, then its CR3, and on the way out the
 * bridge's CR3, then the kernel's tables.
 *
 * The trampoline lives in the module's text (the kernel never executes
 * hypervisor memory); the instruction after each of its MOV CR3s is
 * fetched through the bridge, which maps the kernel's text. It is
 * entered as
 *     struct { long status; u64 nmi_owed; }
 *     tramp_enter(u64 bridge_cr3, u64 entry, u64 stack_top, u64 arg)
 * and jumps to entry with RCX = arg, R9 = the caller's CR3, R10 = the
 * caller's RSP after return, R11 = the return address, and RBX, RBP,
 * R12-R15 untouched. The hypervisor comes back through tramp_exit, in the
 * bridge, with RDI = CR3, RSI = RSP, RDX = RIP, RCX = CS, R8 = SS, R9 = DS,
 * R10 = ES, R11 = 1 if the kernel is owed an NMI that the hypervisor took
 * while the CPU was crossing, RAX = return value and the callee-saved
 * registers restored; tramp_exit flushes the whole TLB (the kernel's ASID-0
 * entries may be stale), reloads the segment registers from the kernel's
 * GDT and returns RAX:RDX = status:nmi_owed with a far return (no ENDBR
 * needed under IBT). lvbs.ko sends itself an NMI for an owed one.
 *
 *   entry_init(arg = struct lvbs_boot_params *) -> LVBS_OK or LVBS_E*.
 *        Runs in the bridge, on CPU 0's entry stack, which it records.
 *   entry_launch(arg = CPU index) -> LVBS_OK: this CPU now runs as a guest
 *        and came back through VMRUN; negative: it does not, and its state
 *        is as before the call (EFER.SVME still set, GIF still clear).
 *        Refused unless entered through the bridge entry_init ran in.
 *
 * The region after the image holds nr_cpus areas of percpu_size bytes; the
 * entry stack of CPU i starts (grows down from) hv_virt + mem_size +
 * i * percpu_size + percpu_stack_top.
 */
struct lvbs_image_header {
	lvbs_u64 magic;
	lvbs_u32 abi_version;
	lvbs_u32 header_size;
	lvbs_u64 file_size;	/* bytes of the flat image */
	lvbs_u64 mem_size;	/* image + bss, page aligned */
	lvbs_u64 text_end;	/* [0, text_end) is code: RX in the hypervisor */
	lvbs_u64 rodata_end;	/* [text_end, rodata_end) read-only */
	lvbs_u64 entry_init;	/* offsets from the image start */
	lvbs_u64 entry_launch;
	lvbs_u64 percpu_size;	/* bytes the hypervisor needs per CPU */
	lvbs_u64 percpu_stack_top; /* offset of the entry stack top in a per-CPU area */
	lvbs_u64 fixed_size;	/* bytes needed besides image, per-CPU areas and pool */
};

#define LVBS_MAX_RAM_RANGES	64
#define LVBS_MAX_CPUS		256

struct lvbs_mem_range {
	lvbs_u64 start;		/* inclusive, page aligned */
	lvbs_u64 end;		/* exclusive, page aligned */
};

/* lvbs_boot_params.flags */
#define LVBS_BOOT_DEBUG_SERIAL	(1u << 0)	/* hypervisor prints to COM1 on panic */
#define LVBS_BOOT_USE_GMET	(1u << 1)	/* use GMET if the CPU has it (untested on hardware) */
#define LVBS_BOOT_CPUID_PASS	(1u << 2)	/* SVM: leave CPUID to the guest (no exits) */
#define LVBS_BOOT_TEST_NMI	(1u << 3)	/* test hook: each CPU sends itself an NMI in the bridge */
#define LVBS_BOOT_FLAGS		(LVBS_BOOT_DEBUG_SERIAL | LVBS_BOOT_USE_GMET | LVBS_BOOT_CPUID_PASS | \
				 LVBS_BOOT_TEST_NMI)

struct lvbs_boot_params {
	lvbs_u32 size;			/* sizeof(struct lvbs_boot_params) */
	lvbs_u32 abi_version;
	lvbs_u64 hv_virt;		/* where the region is mapped (both page tables) */
	lvbs_u64 hv_phys;		/* physical base of the region */
	lvbs_u64 hv_size;		/* bytes in the region */
	lvbs_u32 nr_cpus;		/* CPUs that will call entry_launch */
	lvbs_u32 flags;			/* LVBS_BOOT_* */
	lvbs_s64 fail_cpu;		/* test hook: this CPU's first VMRUN is made to fail; -1 none */
	lvbs_u64 guest_phys_limit;	/* SLAT identity map covers [0, limit) */
	lvbs_u64 tramp_virt;		/* trampoline page(s), checked, not mapped: kernel VA ... */
	lvbs_u64 tramp_phys;		/* ... and physical address */
	lvbs_u64 tramp_size;		/* bytes, page multiple */
	lvbs_u64 tramp_exit;		/* VA of tramp_exit */
	lvbs_u64 reserved0;		/* was hv_cr3: the loader switches to the bridge */
	lvbs_u32 nr_ram_ranges;
	lvbs_u32 reserved;
	struct lvbs_mem_range ram[LVBS_MAX_RAM_RANGES];
	/*
	 * Page-aligned guest RAM holding one lvbs_u32 per CPU index, or 0.
	 * When the NMI the hypervisor gives the guest stands for shootdown
	 * kicks only, it first stores 1 in that CPU's slot; the guest's NMI
	 * handler claims the NMI and clears the slot (docs/architecture.md,
	 * "NMIs"). With 0, a kick gives the guest no NMI, and a guest NMI
	 * that merged with a kick in the CPU's NMI latch is lost.
	 */
	lvbs_u64 nmi_mark_gpa;
	/*
	 * Random bytes from the kernel (get_random_bytes(), while it is
	 * trusted), for the key that tags module file pages
	 * (docs/module-signatures.md); the hypervisor hashes them with what
	 * its CPU's RDRAND gives, if it has one. The loader wipes its copy.
	 */
	lvbs_u8 entropy[32];
};

#endif /* !__ASSEMBLY__ */
#endif /* LVBS_ABI_H */
