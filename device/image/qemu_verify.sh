#!/usr/bin/env bash
# Runs qemu_verify.elf on QEMU's mps2-an386 (Cortex-M4) against an image that
# the openssl CLI signed. Usage: qemu_verify.sh QEMU ELF
set -euo pipefail
qemu="$1"; elf="$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
# 448 KiB of deterministic data (the seed's largest image), a tampered copy
# (one byte in the middle) and a truncated copy (last byte dropped).
python3 - <<'PY'
import hashlib, random
r = random.Random(448)
image = bytearray(r.getrandbits(8) for _ in range(448 * 1024))
open("image.bin", "wb").write(image)
open("image.sha256", "wb").write(hashlib.sha256(image).digest())
t = bytearray(image); t[224 * 1024] ^= 0x01
open("tampered.bin", "wb").write(t)
open("truncated.bin", "wb").write(image[:-1])
PY
openssl ecparam -name prime256v1 -genkey -noout -out key.pem
openssl req -new -x509 -key key.pem -out cert.pem -days 30 -subj /CN=Code_Verify_Key
openssl dgst -sha256 -sign key.pem -out image.sig.der image.bin
timeout 120 "$qemu" -M mps2-an386 -nographic -monitor none -serial none \
  -semihosting-config enable=on,target=native -kernel "$elf"
