#!/bin/bash
# Fixtures for test_modsig.c, made fresh in DIR (keys never leave it):
#
#   a.der b.der c.der    certificates: RSA-2048 (with subjectKeyIdentifier),
#                        RSA-4096, and ECDSA P-384 (as Debian's 6.12 kernel
#                        key), self-signed; a.key b.key c.key their keys
#   body                 a "module": 70000 bytes (BODY_LEN), the same every time
#   a_sha256.ko          body signed by the kernel's own scripts/sign-file
#   b_sha512.ko          (Debian's linux-kbuild), as Debian signs modules
#   c_sha256.ko
#   a_keyid_sha384.ko    signer named by key id (PKCS#7 version 3), made
#                        with openssl cms: sign-file has no such switch
#   a_attrs_sha256.ko    with signed attributes (lvbs refuses those)
#   unsigned.ko          body alone
#   d.der                RSA-2048, issued (signed, SHA-256) by a: a secondary key
#   e.der                ECDSA P-256, issued by c with SHA-384
#   n0.der .. n15.der    ECDSA P-256, self-signed: enough to fill the key store
#
#   mkmodsig.sh DIR
set -euo pipefail

dir=$1
mkdir -p "$dir"
cd "$dir"

sign_file=$(ls /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | head -n 1)
[ -x "$sign_file" ] || { echo "mkmodsig.sh: no sign-file (install linux-kbuild, with the headers)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "mkmodsig.sh: no openssl" >&2; exit 1; }

cert() {	# name key-spec extra-args...
	local name=$1 spec=$2
	shift 2
	openssl req -new -x509 -newkey "$spec" -nodes -keyout "$name.key" \
		-outform DER -out "$name.der" -days 36500 \
		-subj "/O=lvbs/CN=lvbs unit test key $name" "$@" 2>/dev/null
	openssl x509 -inform DER -in "$name.der" -out "$name.pem"
}

# The trailer sign-file appends after the PKCS#7: struct module_signature
# (id_type 2, PKCS#7; be32 length) and the magic.
append_sig() {	# module p7 out
	cat "$1" "$2" >"$3"
	python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack(">BBBBB3xI", 0, 0, 2, 0, 0, int(sys.argv[1])) + b"~Module signature appended~\n")' \
		"$(stat -c %s "$2")" >>"$3"
}

cert a rsa:2048 -addext "subjectKeyIdentifier=hash"
cert b rsa:4096
cert c ec -pkeyopt ec_paramgen_curve:secp384r1
python3 -c 'import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(int(sys.argv[1]))))' \
	"${BODY_LEN:-70000}" >body
cp body unsigned.ko
"$sign_file" sha256 a.key a.der body a_sha256.ko
"$sign_file" sha512 b.key b.der body b_sha512.ko
"$sign_file" sha256 c.key c.der body c_sha256.ko
openssl cms -sign -binary -noattr -nocerts -outform DER -md sha384 -keyid \
	-signer a.pem -inkey a.key -in body -out keyid.p7
append_sig body keyid.p7 a_keyid_sha384.ko
openssl cms -sign -binary -nocerts -outform DER -md sha256 \
	-signer a.pem -inkey a.key -in body -out attrs.p7
append_sig body attrs.p7 a_attrs_sha256.ko
openssl x509 -inform DER -in a.der -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' >a.fpr

issued() {	# name issuer digest key-spec extra-args...
	local name=$1 ca=$2 md=$3
	shift 3
	openssl req -new -newkey "$@" -nodes -keyout "$name.key" -out "$name.csr" \
		-subj "/O=lvbs/CN=lvbs unit test key $name" 2>/dev/null
	openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
		-"$md" -days 36500 -outform DER -out "$name.der" 2>/dev/null
}
issued d a sha256 rsa:2048
issued e c sha384 ec -pkeyopt ec_paramgen_curve:prime256v1
openssl x509 -inform DER -in d.der -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' >d.fpr
for i in $(seq 0 15); do
	cert "n$i" ec -pkeyopt ec_paramgen_curve:prime256v1
done
