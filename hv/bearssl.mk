# BearSSL for the hypervisor (hv/core/crypto.c) and for the host builds
# of hv/core (tests/unit, tests/fuzz): the source is Debian's, fetched and
# checked by scripts/bearssl.sh into build/third_party (shared by every
# kernel series). Only what crypto.c calls is compiled: SHA-2,
# ChaCha20-Poly1305 (Poly1305 with 64-bit multiplies), the i31 RSA
# public-key operation and PKCS#1 v1.5 signature check, i31 ECDSA
# verification over the NIST curves, the X.509 decoder.
LVBS_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
BEARSSL_DIR := $(LVBS_ROOT)/build/third_party/bearssl-0.6
BEARSSL_STAMP := $(LVBS_ROOT)/build/third_party/.bearssl_0.6+dfsg.1.orig.tar.xz.verified

BEARSSL_SRCS := hash/sha2small.c hash/sha2big.c \
	symcipher/poly1305_ctmulq.c symcipher/chacha20_ct.c \
	codec/dec32be.c codec/enc32be.c codec/dec64be.c codec/enc64be.c codec/ccopy.c \
	codec/dec32le.c codec/enc32le.c codec/dec64le.c codec/enc64le.c \
	int/i31_add.c int/i31_sub.c int/i31_bitlen.c int/i31_decode.c int/i31_decmod.c \
	int/i31_encode.c int/i31_fmont.c int/i31_modpow2.c int/i31_montmul.c \
	int/i31_muladd.c int/i31_ninv31.c int/i31_tmont.c int/i32_div32.c \
	int/i31_iszero.c int/i31_decred.c int/i31_rshift.c int/i31_reduce.c \
	ec/ec_prime_i31.c ec/ecdsa_i31_vrfy_asn1.c ec/ecdsa_i31_vrfy_raw.c ec/ecdsa_i31_bits.c \
	ec/ecdsa_atr.c ec/ec_secp256r1.c ec/ec_secp384r1.c ec/ec_secp521r1.c int/i31_modpow.c \
	rsa/rsa_i31_pkcs1_vrfy.c rsa/rsa_i31_pub.c rsa/rsa_pkcs1_sig_unpad.c \
	x509/x509_decoder.c

# No CPU-specific code (intrinsics, RDRAND), no operating system.
BEARSSL_DEFS := -DBR_amd64=0 -DBR_i386=0 -DBR_RDRAND=0 -DBR_USE_URANDOM=0 \
	-DBR_USE_GETENTROPY=0 -DBR_USE_UNIX_TIME=0 -DBR_USE_WIN32_TIME=0 \
	-DBR_USE_WIN32_RAND=0
BEARSSL_INC := -I$(BEARSSL_DIR)/inc

# Fetched when the makefile is read (not by a rule): the objects' pattern
# rules need the sources to exist before make can choose them.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
ifeq ($(wildcard $(BEARSSL_STAMP)),)
BEARSSL_FETCH := $(shell $(LVBS_ROOT)/scripts/bearssl.sh $(LVBS_ROOT)/build/third_party >&2 || echo failed)
ifneq ($(BEARSSL_FETCH),)
$(error could not fetch BearSSL's source (scripts/bearssl.sh))
endif
endif
endif

# The objects, under $(O) (set before this file is included), compiled with
# $(BEARSSL_CFLAGS), which each build sets to its own code generation flags.
BEARSSL_OBJS := $(addprefix $(O)/bearssl/,$(BEARSSL_SRCS:.c=.o))

$(O)/bearssl/%.o: $(BEARSSL_DIR)/src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BEARSSL_CFLAGS) -MMD -c -o $@ $<

# crypto.c is the one file of the core that includes BearSSL.
$(O)/core/crypto.o: CFLAGS += $(BEARSSL_INC)
