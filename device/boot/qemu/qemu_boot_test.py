#!/usr/bin/env python3
"""Runs Otter's bootloader (Cortex-M4 image) on QEMU's mps2-an386 with the
board's internal and external flash in host files, and checks the install of
a staged, openssl-signed update and the rollback after a reset without
confirmation, through the semihosting console and the resulting files.

Everything on the host side is independent of Otter's C++ code: images and
descriptors are built here, signed with the openssl CLI, and the update-state
records are written and parsed with Python's struct and zlib.crc32 following
docs/bootloader.md.

Usage: qemu_boot_test.py --qemu qemu-system-arm --elf boot_qemu_bootloader.elf
"""
import argparse
import hashlib
import pathlib
import random
import struct
import subprocess
import sys
import tempfile
import zlib

KIB = 1024
MIB = 1024 * KIB

# The board profiles' memory maps (device/boards/board_profile.cc).
BOARDS = {
    "numaker-iot-m487": dict(hardware_id=0x04871001, internal_size=512 * KIB, external_size=4 * MIB,
                             app=0x00000, boot_state=0x70000, boot_state_size=0x2000, key=0x7F000,
                             staging=0x000000, backup=0x081000, external_erased=0xFF),
    "numaker-m2354": dict(hardware_id=0x23541001, internal_size=1 * MIB, external_size=8 * MIB,
                          app=0x40000, boot_state=0xD0000, boot_state_size=0x2000, key=0xD2000,
                          staging=0x000000, backup=0x100000, external_erased=0xFF),
}

# Image descriptor v1 (device/image/public/otter/image/image.h).
DESCRIPTOR_OFFSET = 0x200
# Update-state record (docs/bootloader.md).
RECORD_MAGIC = 0x5342544F
SLOT_SIZE = 1024
RECORD_SIZE = 256
PHASES = {"idle": 1, "install-requested": 2, "backing-up": 3, "installing": 4, "trial": 5, "rejected": 6,
          "restoring": 7, "rolled-back": 8, "install-failed": 9, "trial-failed": 10}
STATUS_TIMEOUT = 9


def version(major, minor, build):
    return major << 24 | minor << 16 | build


def make_image(hardware_id, ver, size, seed):
    rng = random.Random(seed)
    image = bytearray(rng.getrandbits(8) for _ in range(size))
    body = struct.pack("<IHHIIIII20s", 0x5254544F, 1, 52, ver, hardware_id, size, 0, 0, bytes(20))
    image[DESCRIPTOR_OFFSET:DESCRIPTOR_OFFSET + 52] = body + struct.pack("<I", zlib.crc32(body))
    return bytes(image)


def image_info(image, ver):
    return struct.pack("<III", len(image), ver, 0) + hashlib.sha256(image).digest()


def record(sequence, phase, app, staged=None, signature=b"", backup=None, backup_valid=False, min_version=0):
    empty_info = bytes(44)
    header = struct.pack("<IBBBBII", RECORD_MAGIC, 1, PHASES[phase], 1 if backup_valid else 0, 0, sequence,
                         min_version)
    header += struct.pack("<BB2x", 0, len(signature))
    body = header + app + (backup or empty_info) + (staged or empty_info) + signature.ljust(72, b"\0")
    body = body.ljust(RECORD_SIZE - 4, b"\0")
    return body + struct.pack("<I", zlib.crc32(body))


def latest_record(internal, board):
    """(phase name, last error, marks set) of the newest valid record."""
    best = None
    area = internal[board["boot_state"]:board["boot_state"] + board["boot_state_size"]]
    for slot in range(len(area) // SLOT_SIZE):
        raw = area[slot * SLOT_SIZE:slot * SLOT_SIZE + RECORD_SIZE]
        magic, fmt, phase, _, error, sequence = struct.unpack_from("<IBBBBI", raw)
        if magic != RECORD_MAGIC or struct.unpack_from("<I", raw, 252)[0] != zlib.crc32(raw[:252]):
            continue
        if best is None or sequence > best[0]:
            marks = area[slot * SLOT_SIZE + RECORD_SIZE:(slot + 1) * SLOT_SIZE]
            set_marks = sum(1 for i in range(0, len(marks), 4) if marks[i:i + 4] != b"\xff" * 4)
            best = (sequence, phase, error, set_marks)
    names = {v: k for k, v in PHASES.items()}
    return names[best[1]], best[2], best[3]


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class Run:
    def __init__(self, args, workdir, board_name, mode):
        self.args, self.dir, self.board_name, self.mode = args, workdir, board_name, mode
        self.board = BOARDS[board_name]

    def qemu(self):
        result = subprocess.run(
            [self.args.qemu, "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "none",
             "-semihosting-config", "enable=on,target=native", "-kernel", self.args.elf],
            cwd=self.dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        print(result.stdout, end="" if result.stdout.endswith("\n") else "\n")
        return result.returncode, result.stdout

    def read(self, name):
        return (self.dir / name).read_bytes()


def check(condition, what):
    if not condition:
        print(f"FAIL: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def scenario(args, board_name, mode, bad_signature=False):
    print(f"=== {board_name} {mode}{' (signed by another key)' if bad_signature else ''} ===")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = pathlib.Path(tmp)
        run = Run(args, workdir, board_name, mode)
        board = run.board
        old_version, new_version = version(1, 0, 0), version(1, 0, 1)
        old = make_image(board["hardware_id"], old_version, 40 * KIB + 77, 1)
        new = make_image(board["hardware_id"], new_version, 48 * KIB + 1001, 2)
        (workdir / "new.bin").write_bytes(new)

        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", str(workdir / "key.pem"))
        openssl("ec", "-in", str(workdir / "key.pem"), "-pubout", "-outform", "DER", "-out", str(workdir / "pub.der"))
        signer = workdir / "key.pem"
        if bad_signature:
            openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", str(workdir / "other.pem"))
            signer = workdir / "other.pem"
        openssl("dgst", "-sha256", "-sign", str(signer), "-out", str(workdir / "new.sig"), str(workdir / "new.bin"))
        signature = (workdir / "new.sig").read_bytes()
        point = (workdir / "pub.der").read_bytes()[-65:]

        internal = bytearray(b"\xff" * board["internal_size"])
        internal[board["app"]:board["app"] + len(old)] = old
        internal[board["key"]:board["key"] + 65] = point
        app_info = image_info(old, old_version)
        state = board["boot_state"]
        internal[state:state + RECORD_SIZE] = record(1, "idle", app_info)
        internal[state + SLOT_SIZE:state + SLOT_SIZE + RECORD_SIZE] = record(
            2, "install-requested", app_info, staged=image_info(new, new_version), signature=signature)
        external = bytearray(bytes([board["external_erased"]]) * board["external_size"])
        external[board["staging"]:board["staging"] + len(new)] = new
        (workdir / "internal.bin").write_bytes(internal)
        (workdir / "external.bin").write_bytes(external)
        (workdir / "board.cfg").write_text(f"{board_name} {mode}\n")

        def app_holds(image):
            data = run.read("internal.bin")
            return data[board["app"]:board["app"] + len(image)] == image

        code, out = run.qemu()
        if bad_signature:
            check(code == 0 and "state install-failed" in out and "last error bad signature" in out,
                  "an update signed by another key is refused")
            check(app_holds(old), "the running image is untouched")
            return
        check(code == 0 and "state trial, running v1.0.1" in out, "first reset installs v1.0.1 and boots it as trial")
        check(app_holds(new), "internal flash app area holds v1.0.1 byte for byte (SHA-256 "
              + hashlib.sha256(new).hexdigest()[:16] + "...)")
        phase, _, marks = latest_record(run.read("internal.bin"), board)
        check(phase == "trial" and marks == 1, "state log: trial, one boot attempt")
        if mode != "no-backup":
            ext = run.read("external.bin")
            check(ext[board["backup"]:board["backup"] + len(old)] == old, "backup bank holds v1.0.0")

        code, out = run.qemu()  # the new image reset without confirming
        if mode != "no-backup":
            check(code == 0 and "state rolled-back, running v1.0.0" in out and "last error timeout" in out,
                  "second reset without confirm rolls back to v1.0.0 and says why")
            check(app_holds(old), "internal flash app area holds v1.0.0 again")
            phase, error, _ = latest_record(run.read("internal.bin"), board)
            check(phase == "rolled-back" and error == STATUS_TIMEOUT, "state log: rolled-back, reason timeout")
        else:
            check(code == 0 and "state trial-failed, running v1.0.1" in out,
                  "no-backup: stays on v1.0.1 with the failure recorded")
            check(app_holds(new), "internal flash app area still holds v1.0.1")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--qemu", required=True)
    parser.add_argument("--elf", required=True)
    args = parser.parse_args()
    args.elf = str(pathlib.Path(args.elf).resolve())
    scenario(args, "numaker-iot-m487", "backup")
    scenario(args, "numaker-iot-m487", "no-backup")
    scenario(args, "numaker-m2354", "sd-staging")
    scenario(args, "numaker-iot-m487", "backup", bad_signature=True)
    print("PASS")


if __name__ == "__main__":
    main()
