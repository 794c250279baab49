#!/bin/bash
# BearSSL's source, as Debian 12 ships it (source package bearssl
# 0.6+dfsg.1-3, the one libbearssl-dev is built from; Debian applies no
# patches to it), for the hypervisor's signature checks
# (docs/module-signatures.md).
#
#   bearssl.sh DIR    make sure DIR/bearssl-0.6 holds the unpacked source
#
# Why the source and not libbearssl.a: the hypervisor is freestanding. It
# must not touch SSE registers (they hold the guest's state, which it
# does not save) and has no stack-protector canary and no libc; Debian's
# archive is built with the stack protector and SSE. So the hypervisor
# compiles the few files it needs with its own flags (hv/bearssl.mk).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: bearssl.sh DIR" >&2; exit 1; }
"$(dirname "${BASH_SOURCE[0]}")/fetch-source.sh" main/b/bearssl bearssl_0.6+dfsg.1.orig.tar.xz \
	102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004 "$1"
[ -f "$1/bearssl-0.6/inc/bearssl.h" ] || { echo "bearssl.sh: no $1/bearssl-0.6/inc/bearssl.h" >&2; exit 1; }
