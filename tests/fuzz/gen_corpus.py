#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpus of tests/fuzz/fuzz_hv.c: one small program per
scenario a kernel (or an attacker) plays against the hypervisor, in the
fuzzer's input format (see fuzz_hv.c: a header byte, then operations).

    python3 gen_corpus.py DIR

The seeds only have to reach the interesting states (pins set, memory
protected, sealed, a text patch half done); the fuzzer mutates from there.
"""
import os
import struct
import sys

# Operation numbers: the enum in fuzz_hv.c, in order.
(OP_STORE, OP_MAP, OP_REG, OP_CPU, OP_CODE, OP_HC, OP_HC_RAW, OP_PROTECT,
 OP_NPF, OP_POKE, OP_CR, OP_MSR, OP_DT, OP_CPUID, OP_VIRT, OP_NMI,
 OP_DECODE, OP_GWALK, OP_PERM, OP_PTE) = range(20)

# Header flags.
VMX, GMET, NRIP0, NRIP1, FAILING = 1, 2, 4, 8, 16

# Hypercall numbers (include/lvbs/abi.h).
(GET_INFO, GET_STATS, READ_LOG, LAUNCH_ABORT, PIN_CR, PIN_MSR, PIN_DT,
 PROTECT, RELEASE, SEAL, SET_POLICY, ADD_KEY, GET_KEY, ADD_BLACKLIST,
 MODULE_BEGIN, MODULE_HASH, MODULE_END) = range(1, 18)

CODE_PAGE, DATA_PAGE = 0x200, 0x300	# RAM pages (CODE_PAGE_OFF, DATA_PAGE_OFF)
TEXT_PAGE = 0x280			# a page the seeds treat as kernel text

u8 = lambda v: struct.pack('<B', v & 0xff)
u16 = lambda v: struct.pack('<H', v & 0xffff)
u32 = lambda v: struct.pack('<I', v & 0xffffffff)
u64 = lambda v: struct.pack('<Q', v & 0xffffffffffffffff)

# Operands of get_val(): tag byte, then the value.
def small(v): return u8(0) + u8(v)
def ram_page(p): return u8(2) + u16(p)
def ram_off(o): return u8(1) + u32(o)
def raw(v): return u8(4) + u64(v)
def words(n): return u8(7) + u8(n)	# n * 8
def hv_off(o): return u8(3) + u32(o + 0x1000)


def op(code, cpu=0):
	return u8(code) + u8(cpu)


def hc(nr, a1=small(0), a2=small(0), a3=small(0), cpu=0, how=0):
	return op(OP_HC, cpu) + u8(nr) + a1 + a2 + a3 + u8(how)


def store(off, data, cpu=0):
	return op(OP_STORE, cpu) + u32(off) + u8(len(data)) + data


def code(data, off=0x40, cpu=0):
	return op(OP_CODE, cpu) + u8(len(data)) + u16(off) + data


def reg(r, val, cpu=0):
	return op(OP_REG, cpu) + u8(r) + val


def protect(entries, cpu=0, batch_off=0):
	"""entries: (page, pages, perm, owner_sel) with owner_sel 0 none,
	1 kernel, 2 + k module k."""
	b = op(OP_PROTECT, cpu) + u8(len(entries) - 1) + u8(batch_off)
	for page, pages, perm, owner in entries:
		sel = owner if owner < 2 else 2 | ((owner - 2) << 2)
		b += u8(sel) + u16(page) + u8(pages - 1) + u16(perm)
	return b


def poke(form, page, off, rax=0, imm=0xcc, code_off=0x100, cpu=0):
	return (op(OP_POKE, cpu) + u8(form) + u16(page) + u16(off) + u8(imm) +
		u16(code_off) + u64(rax) + small(0) + u8(0) + u8(0))


def cr(cr_no, gpr=None, cpu=0):
	b = 1 if cr_no == 4 else 0
	if gpr is not None:
		b |= 0x80 | (gpr << 1)
	return op(OP_CR, cpu) + u8(b)


def msr(index, write, rax, rdx=0, cpu=0):
	"""index into fuzz_hv.c's msrs[] table."""
	return op(OP_MSR, cpu) + u8((index << 1) | write) + raw(rax) + raw(rdx)


R, W, XS, XU, IMM, PATCH = 1, 2, 4, 8, 0x100, 0x200
RAX, RCX, RDX, RBX = 0, 1, 2, 3

seeds = {}
info = ram_page(DATA_PAGE)
seeds['get_info'] = u8(0) + hc(GET_INFO, info, words(40))
seeds['get_info_vmx'] = u8(VMX) + hc(GET_INFO, info, words(40))
seeds['get_info_into_hv'] = u8(0) + hc(GET_INFO, hv_off(0), words(40))
seeds['get_stats'] = u8(NRIP0) + hc(GET_STATS, info, words(20), small(1), cpu=1)
seeds['read_log'] = (u8(0) + op(OP_HC_RAW) + u64(0x1234) + small(0) + small(0) +
		     small(0) + u8(0) + hc(READ_LOG, info, words(64), small(1)))
seeds['user_hypercall'] = u8(0) + op(OP_CPU) + u8(1) + u8(3) + hc(GET_INFO, info, words(40))
seeds['launch_abort'] = u8(FAILING) + hc(LAUNCH_ABORT, cpu=1) + hc(GET_INFO, info, words(40))

# CR pins, then writes that keep and that break them.
mov_cr0_rax = bytes([0x0f, 0x22, 0xc0])
mov_cr4_rax = bytes([0x0f, 0x22, 0xe0])
seeds['pin_cr0_wp'] = (u8(0) + hc(PIN_CR, small(0), raw(1 << 16)) +
		       hc(PIN_CR, small(0), raw(1 << 16), cpu=1) +
		       code(mov_cr0_rax) + reg(RAX, raw(0x80040033)) + cr(0) +
		       code(bytes([0x0f, 0x06])) + cr(0) +
		       code(bytes([0x0f, 0x01, 0xf0])) + cr(0))
seeds['pin_cr4_smep'] = (u8(0) + hc(PIN_CR, small(4), raw(3 << 20)) +
			 code(mov_cr4_rax) + reg(RAX, raw(0x0406f0)) + cr(4) +
			 reg(RDX, raw(0x3506f0)) + cr(4, gpr=RDX))
# MSR pins: LSTAR (index 2) and EFER.NXE (index 0).
wrmsr = bytes([0x0f, 0x30])
seeds['pin_lstar'] = (u8(0) + msr(2, 1, 0x81000000, 0xffffffff) +
		      hc(PIN_MSR, small(2), raw(~0)) + code(wrmsr) +
		      msr(2, 1, 0x81000100, 0xffffffff) + code(bytes([0x0f, 0x32])) +
		      msr(2, 0, 0))
seeds['pin_efer'] = (u8(NRIP0) + hc(PIN_MSR, small(0), raw(1 << 11)) + code(wrmsr) +
		     msr(0, 1, 0x1d01) + msr(9, 1, 0x1000))
# Descriptor tables: pin, reload the same IDT, then another.
lidt_rax = bytes([0x0f, 0x01, 0x18])	# lidt (%rax)
idt_op = u16(0xfff) + u64(0xffff888000001000)
seeds['pin_dt'] = (u8(0) + hc(PIN_DT) + store(0x300000 + 0x800, idt_op) +
		   code(lidt_rax) + reg(RAX, raw(0xffff888000000800)) +
		   op(OP_DT) + u8(0) + store(0x300000 + 0x802, u64(0xdead000)) +
		   code(lidt_rax) + op(OP_DT) + u8(0) + op(OP_DT) + u8(2))

# Memory: the kernel protects its image and a module, seals, unloads.
kernel = [(TEXT_PAGE, 4, R | XS | IMM | PATCH, 1), (TEXT_PAGE + 4, 2, R | IMM, 1),
	  (TEXT_PAGE + 6, 2, R | W, 1)]
seeds['protect_kernel'] = (u8(0) + protect(kernel) + hc(GET_INFO, info, words(40)) +
			   hc(GET_INFO, ram_page(TEXT_PAGE + 4), words(40)))
seeds['seal_module_release'] = (u8(0) + protect(kernel) +
				hc(SEAL, small(0), raw(0xffffffffc0000000),
				   raw(0xffffffffff000000)) +
				protect([(0x100, 2, R | XS, 2), (0x102, 1, R | W, 2)]) +
				hc(RELEASE, small(16)) + protect([(0x100, 1, R | XS, 3)]) +
				hc(GET_INFO, info, words(40)))
# Released module memory executed from the module area: granted on first use.
seeds['module_area_exec'] = (u8(0) + protect([(0x100, 2, R | XS, 2)]) +
			     hc(SEAL, small(0), raw(0xffffffffc0000000), raw(0xffffffffff000000)) +
			     hc(RELEASE, small(16)) + op(OP_CPU) + u8(0) + raw(0xffffffffc0001000) +
			     op(OP_NPF) + ram_page(0x100) + u8(4) + op(OP_NPF) + ram_page(0x101) + u8(12) +
			     hc(GET_INFO, info, words(40)))
seeds['seal_gmet'] = (u8(GMET) + protect(kernel) + hc(SEAL) +
		      op(OP_NPF) + ram_page(0x100) + u8(4) + hc(GET_INFO, info, words(40)))
seeds['audit_violation'] = (u8(0) + protect(kernel) + hc(SET_POLICY, small(1)) +
			    op(OP_NPF) + ram_page(TEXT_PAGE + 4) + u8(2) +
			    hc(SEAL) + hc(SET_POLICY, small(0)) +
			    op(OP_NPF) + ram_page(TEXT_PAGE + 4) + u8(2))
seeds['npf_hv'] = u8(0) + op(OP_NPF) + hv_off(0x10) + u8(1) + op(OP_NPF) + raw(1 << 40) + u8(2)

# Keys, the blacklist and module checks (ABI 7): the seeds reach each call
# before and after SEAL; real certificates do not fit an input, so the
# certificate and signature parsers are fuzz_modsig's.
BLOB = DATA_PAGE + 2
entry = u32(1) + u32(0) + bytes(range(32)) + bytes(32)
seeds['blacklist'] = (u8(0) + store(BLOB * 4096, entry) +
		      hc(ADD_BLACKLIST, ram_page(BLOB), small(1)) + hc(SEAL) +
		      hc(ADD_BLACKLIST, ram_page(BLOB), small(1)) + hc(GET_INFO, info, words(40)))
cert = bytes([0x30, 0x20, 0x30, 0x1e]) + bytes(30)
seeds['add_key'] = (u8(0) + store(BLOB * 4096, cert) +
		    hc(ADD_KEY, ram_page(BLOB), small(len(cert))) + hc(SEAL) +
		    hc(ADD_KEY, ram_page(BLOB), small(len(cert))) +
		    hc(GET_KEY, info, words(16), small(0)))
p7 = bytes([0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02])
trailer = (p7 + bytes([0, 0, 2, 0, 0, 0, 0, 0]) + struct.pack('>I', len(p7)) +
	   b'~Module signature appended~\n')
seeds['module_check'] = (u8(0) + store(BLOB * 4096, trailer) +
			 hc(MODULE_BEGIN, ram_page(BLOB), small(len(trailer)), small(100)) +
			 hc(MODULE_BEGIN, ram_page(BLOB), small(len(trailer)), small(100), cpu=1) +
			 hc(MODULE_HASH, ram_page(BLOB + 1), small(1)) + hc(MODULE_END) +
			 hc(MODULE_END, cpu=1) + hc(GET_INFO, info, words(40)))

# Text patching: NOP5 -> INT3 -> tail -> JMP, as text_poke_bp() does.
nop5 = bytes([0x0f, 0x1f, 0x44, 0x00, 0x00])
site = TEXT_PAGE * 4096 + 0x10
patch = (store(site, nop5) + protect(kernel) + hc(SEAL) +
	 poke(3, TEXT_PAGE, 0x10) +		# movb $0xcc
	 poke(2, TEXT_PAGE, 0x11, rax=0x1000) +	# tail: rel32
	 poke(0, TEXT_PAGE, 0x10, rax=0xe9))	# head: jmp
seeds['textpatch_jmp'] = u8(0) + patch
seeds['textpatch_movs'] = (u8(0) + store(site, nop5) + protect(kernel) +
			   poke(3, TEXT_PAGE, 0x10) + poke(4, TEXT_PAGE, 0x11) +
			   poke(0, TEXT_PAGE, 0x10, rax=0x0f))
seeds['textpatch_denied'] = u8(0) + protect(kernel) + hc(SEAL) + poke(1, TEXT_PAGE, 0x20, rax=0x4141414141414141)

# Exits that need the decoder without nRIP, and plain ones.
seeds['cpuid'] = (u8(0) + code(bytes([0x0f, 0xa2])) + op(OP_CPUID) + u8(1) + u8(0) + u8(0) +
		  code(bytes([0x0f, 0xa2])) + op(OP_CPUID) + u8(0) + u8(1) + u8(0))
seeds['virt_nmi'] = u8(0) + op(OP_VIRT) + small(0x80) + op(OP_NMI, 1)

# Direct drives: decoder, walker, private permission database.
for name, b in {'decode_lgdt_sib': bytes([0x65, 0x0f, 0x01, 0x14, 0x25, 0, 0x10, 0, 0]),
		'decode_rip_rel': bytes([0x48, 0xc7, 0x05, 1, 2, 3, 4, 0xcc, 0, 0, 0]),
		'decode_rep_movs': bytes([0xf3, 0x48, 0xa5])}.items():
	seeds[name] = u8(0) + op(OP_DECODE) + u8(len(b)) + b
seeds['gwalk'] = (u8(0) + op(OP_GWALK) + u8(0x10) + raw(0xffffffff81000ff8) + u8(16) +
		  op(OP_PTE) + raw(0x40000000) + u16(0x83) + u8(0) + u32(0x1000) +
		  op(OP_GWALK) + u8(0x10) + raw(0xffffffff81000ff8) + u8(16))
perm = op(OP_PERM) + u8(0x31)
for s, e, p in ((4, 8, R), (6, 10, R | W), (0, 64, R | IMM), (2, 3, R)):
	perm += op(OP_PERM) + u8(0x10) + u8(s) + u8(e) + u16(p) + u8(1)
seeds['perm_db'] = u8(0) + perm

out = sys.argv[1] if len(sys.argv) > 1 else 'corpus/hv'
os.makedirs(out, exist_ok=True)
for name, data in sorted(seeds.items()):
	with open(os.path.join(out, name), 'wb') as f:
		f.write(data)
print(f'{len(seeds)} seeds in {out}')
