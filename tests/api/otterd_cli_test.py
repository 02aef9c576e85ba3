#!/usr/bin/env python3
"""The `otter` CLI against a real otterd (with its own Mosquitto) on loopback.

Covers what an operator does first: a signing profile, `thing create` (the
generated headers must compile with gcc), firmware upload, job
create/list/show/cancel, thing delete (revocation reloads the broker), and
that the REST API refuses calls without the token. The firmware image is
built here from docs/image-format.md (struct + zlib.crc32), independently of
Otter's own stamping code.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def otter_image(version, size=16384, hardware_id=0x04871001, seed=1):
    body = bytearray(random.Random(seed).randbytes(size))
    major, minor, build = version
    descriptor = struct.pack("<4sHHIIIII20s", b"OTTR", 1, 52, (major << 24) | (minor << 16) | build,
                             hardware_id, size, 0, 0, bytes(20))
    descriptor += struct.pack("<I", zlib.crc32(descriptor))
    body[0x200:0x200 + len(descriptor)] = descriptor
    return bytes(body)


class Test:
    def __init__(self, args):
        args.otterd = os.path.abspath(args.otterd)
        args.otter = os.path.abspath(args.otter)
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="otter-cli-otterd-")
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.data)
        self.api_port = free_port()
        self.mqtt_port = free_port()
        self.log = open(os.path.join(self.dir, "otterd.log"), "w")
        self.otterd = subprocess.Popen(
            [args.otterd, "--data-dir", self.data, "--manage-broker", "--broker-port", str(self.mqtt_port),
             "--api-port", str(self.api_port)], stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.api_port}"
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as r:
                    if r.status == 200 and os.path.exists(os.path.join(self.data, "cli.json")):
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if self.otterd.poll() is not None or time.time() > deadline:
                self.fail("otterd did not start:\n" + open(self.log.name).read())
            time.sleep(0.1)

    def fail(self, message):
        print("FAIL:", message)
        self.stop()
        sys.exit(1)

    def stop(self):
        if self.otterd.poll() is None:
            self.otterd.send_signal(signal.SIGTERM)
            try:
                self.otterd.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.otterd.kill()
                self.otterd.wait()

    def otter(self, *argv, expect=0):
        run = subprocess.run([self.args.otter, *argv, "--data-dir", self.data], cwd=self.dir,
                             capture_output=True, text=True, timeout=60)
        if run.returncode != expect:
            self.fail(f"otter {' '.join(argv)} exited {run.returncode}, expected {expect}:\n{run.stdout}{run.stderr}")
        return run.stdout

    def check(self, condition, message):
        if not condition:
            self.fail(message)

    def run(self):
        # The API needs the token; the CLI found it through cli.json.
        try:
            urllib.request.urlopen(self.url + "/api/v1/things", timeout=5)
            self.fail("the API answered without a token")
        except urllib.error.HTTPError as e:
            self.check(e.code == 401, f"expected 401 without a token, got {e.code}")

        self.otter("firmware", "profile", "create", "release", "--common-name", "CLI Test Signer")
        out_dir = os.path.join(self.dir, "device")
        self.otter("thing", "create", "MY-IOT-OTA-Device", "--board", "numaker-iot-m487", "--out", out_dir)
        with open(os.path.join(out_dir, "main.c"), "w") as f:
            f.write('#include "otter_config.h"\n#include "otter_credentials.h"\n'
                    'int main(void) { return OTTER_MQTT_PORT > 0 ? 0 : 1; }\n')
        cc = subprocess.run([self.args.cc, "-std=c11", "-Wall", "-Werror", "-o", "check", "main.c",
                             "otter_credentials.c"], cwd=out_dir, capture_output=True, text=True)
        self.check(cc.returncode == 0, "generated headers do not compile:\n" + cc.stderr)
        config = open(os.path.join(out_dir, "otter_config.h")).read()
        self.check(f"#define OTTER_MQTT_PORT {self.mqtt_port}" in config, "otter_config.h lacks the broker port")
        self.check('"MY-IOT-OTA-Device"' in config, "otter_config.h lacks the thing name")

        fw = os.path.join(self.dir, "fw_v1.0.1.bin")
        with open(fw, "wb") as f:
            f.write(otter_image((1, 0, 1)))
        self.otter("job", "create", "--targets", "MY-IOT-OTA-Device", "--file", fw, "--sign-with-profile",
                   "--job-id", "update-1", "--timeout", "600")
        jobs = json.loads(self.otter("job", "list", "--json"))
        self.check([j["jobId"] for j in jobs] == ["update-1"], f"job list: {jobs}")
        job = json.loads(self.otter("job", "show", "update-1", "--json"))
        self.check(job["executionCounts"]["QUEUED"] == 1, f"job show: {job['executionCounts']}")
        self.check(job["document"]["afr_ota"]["files"][0]["filesize"] == 16384, "job document filesize")
        firmware = json.loads(self.otter("firmware", "list", "--json"))
        self.check(firmware[0]["descriptor"]["version"] == "1.0.1", f"firmware list: {firmware}")
        self.otter("job", "cancel", "update-1")
        self.check(json.loads(self.otter("job", "show", "update-1", "--json"))["status"] == "CANCELED",
                   "job not canceled")
        # Watching a canceled job ends at once and reports failure.
        self.otter("job", "watch", "update-1", "--timeout", "10", expect=1)

        deleted = self.otter("thing", "delete", "MY-IOT-OTA-Device", "--json")
        self.check(len(json.loads(deleted)["revokedCertificates"]) == 1, f"thing delete: {deleted}")
        log = open(self.log.name).read()
        self.check("no running broker found" not in log and "reload failed" not in log,
                   "the broker was not reloaded after revocation:\n" + log)
        self.otter("thing", "show", "MY-IOT-OTA-Device", expect=5)
        self.stop()
        self.check(self.otterd.returncode == 0, f"otterd exited {self.otterd.returncode}")
        shutil.rmtree(self.dir, ignore_errors=True)
        print("PASS")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--otterd", required=True)
    parser.add_argument("--otter", required=True)
    parser.add_argument("--cc", default="gcc")
    test = Test(parser.parse_args())
    try:
        test.run()
    except Exception:
        # Never leave otterd (and its broker) running behind a crashed test.
        test.stop()
        raise


if __name__ == "__main__":
    main()
