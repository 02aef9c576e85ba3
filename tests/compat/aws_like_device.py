#!/usr/bin/python3
"""An independent OTA device that behaves like AWS's reference agent.

Written from ../shared/docs/protocol.md only (no Otter code): AWS IoT Jobs
over MQTT plus CBOR file streams, with the observed habits of AWS's OTA
library v3 (demo configuration):
  * subscribes to notify-next only, then asks `$next/get` with
    {"clientToken":":<thing>"} (the counter prints empty when 0);
  * 4 KiB blocks, 8 blocks per request, a bitmap covering the whole file,
    a new request after 10 s without data, gives up after 32 silent requests;
  * progress at block 1 and every 25 blocks (QoS 0);
  * verifies the ECDSA P-256 / SHA-256 signature with the job's certfile;
  * self_test "ready" -> reset (new MQTT session, running the new version)
    -> self_test "active" -> SUCCEEDED with AWS's exact strings, including
    the two spaces before each "v".

A "reset" is simulated: the connection is closed without DISCONNECT's
courtesy being needed, the request counter restarts, and the running version
becomes the image's version.

Prints one JSON summary line on stdout; exit status 0 = update succeeded.
"""

import argparse
import base64
import hashlib
import json
import os
import queue
import ssl
import subprocess
import sys
import tempfile
import time

import cbor2
import paho.mqtt.client as mqtt

BLOCK_SIZE = 4096
BLOCKS_PER_REQUEST = 8
PROGRESS_EVERY = 25
REQUEST_MOMENTUM = 32


def log(message):
    print("aws_like_device: " + message, file=sys.stderr, flush=True)


def compact(obj):
    """AWS's agent sends JSON without any blank."""
    return json.dumps(obj, separators=(",", ":"))


def parse_version(text):
    parts = [int(p) for p in text.split(".")]
    if len(parts) != 3 or not (0 <= parts[0] < 256 and 0 <= parts[1] < 256 and 0 <= parts[2] < 65536):
        raise ValueError("version must be M.m.b with M,m < 256 and b < 65536: " + text)
    return (parts[0] << 24) | (parts[1] << 16) | parts[2]


def version_hex(version):
    return "0x%08x" % version


def version_text(version):
    # Two spaces before the v: what AWS's library prints.
    return "  v%d.%d.%d" % (version >> 24, (version >> 16) & 0xFF, version & 0xFFFF)


def bitmap_bytes(wanted, total_blocks):
    """One bit per block of the whole file, LSB first; set = still wanted."""
    out = bytearray((total_blocks + 7) // 8)
    for i in wanted:
        out[i // 8] |= 1 << (i % 8)
    return bytes(out)


def client_token(counter, thing):
    return ("" if counter == 0 else str(counter)) + ":" + thing


class OtaFailure(Exception):
    """The update cannot go on; the job is reported FAILED with this reason."""


class Device:
    def __init__(self, args):
        self.args = args
        self.thing = args.thing
        self.version = parse_version(args.version)
        self.image_version = parse_version(args.image_version)
        self.inbox = queue.Queue()
        self.client = None
        self.request_counter = 0
        self.lose_blocks = args.lose_blocks
        self.summary = {"thing": self.thing, "updates": [], "stream_requests": 0, "blocks_received": 0,
                        "duplicate_blocks": 0, "idle_rerequests": 0, "resets": 0}

    # --- MQTT -----------------------------------------------------------
    def connect(self):
        client = mqtt.Client(client_id=self.thing, clean_session=True, protocol=mqtt.MQTTv311)
        client.tls_set(ca_certs=self.args.ca, certfile=self.args.cert, keyfile=self.args.key,
                       cert_reqs=ssl.CERT_REQUIRED, tls_version=ssl.PROTOCOL_TLS_CLIENT)
        connected = queue.Queue()
        client.on_connect = lambda c, u, flags, rc: connected.put(rc)
        client.on_message = lambda c, u, msg: self.inbox.put((msg.topic, msg.payload))
        client.connect(self.args.host, self.args.port, keepalive=60)
        client.loop_start()
        try:
            rc = connected.get(timeout=self.args.connect_timeout)
        except queue.Empty:
            raise OtaFailure("no CONNACK from %s:%d" % (self.args.host, self.args.port))
        if rc != 0:
            raise OtaFailure("broker refused the connection: " + mqtt.connack_string(rc))
        self.client = client

    def subscribe(self, topic):
        result, mid = self.client.subscribe(topic, qos=1)
        if result != mqtt.MQTT_ERR_SUCCESS:
            raise OtaFailure("cannot subscribe to " + topic)

    def publish(self, topic, payload, qos=1):
        info = self.client.publish(topic, payload, qos=qos)
        if qos > 0:
            info.wait_for_publish(timeout=self.args.connect_timeout)
            if not info.is_published():
                raise OtaFailure("no PUBACK for " + topic)

    def reset(self):
        """Simulated reboot into the new image: the TCP connection just drops
        (no DISCONNECT), the session is gone."""
        self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:
            sock.close()
        self.client = None
        self.inbox = queue.Queue()
        self.request_counter = 0
        self.version = self.image_version
        self.summary["resets"] += 1

    def jobs_topic(self, suffix):
        return "$aws/things/%s/jobs/%s" % (self.thing, suffix)

    # --- Jobs -----------------------------------------------------------
    def request_next_job(self):
        token = client_token(self.request_counter, self.thing)
        self.request_counter += 1
        self.publish(self.jobs_topic("$next/get"), compact({"clientToken": token}))

    def wait_for_execution(self, timeout):
        """The next notify-next that carries an execution (None on timeout)."""
        deadline = time.monotonic() + timeout
        notify = self.jobs_topic("notify-next")
        while time.monotonic() < deadline:
            try:
                topic, payload = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if topic != notify:
                continue
            message = json.loads(payload)
            if "execution" in message:
                return message["execution"]
        return None

    def update_status(self, job_id, status, details, qos=1):
        body = {"status": status, "statusDetails": details}
        self.publish(self.jobs_topic(job_id + "/update"), compact(body), qos=qos)
        self.summary["updates"].append(body)

    # --- Stream ---------------------------------------------------------
    def download(self, job_id, stream, file_id, size):
        total = (size + BLOCK_SIZE - 1) // BLOCK_SIZE
        if total == 0:
            raise OtaFailure("file size is 0")
        prefix = "$aws/things/%s/streams/%s/" % (self.thing, stream)
        self.subscribe(prefix + "data/cbor")
        self.subscribe(prefix + "rejected/cbor")
        blocks = [None] * total
        wanted = set(range(total))
        silent_requests = 0
        while wanted:
            request = {"c": "rdy", "f": file_id, "l": BLOCK_SIZE, "o": 0, "b": bitmap_bytes(wanted, total),
                       "n": BLOCKS_PER_REQUEST}
            self.publish(prefix + "get/cbor", cbor2.dumps(request), qos=0)
            self.summary["stream_requests"] += 1
            burst = 0
            got_data = False
            deadline = time.monotonic() + self.args.idle_timeout
            # One request is answered by up to n data messages.
            while wanted and burst < BLOCKS_PER_REQUEST:
                try:
                    topic, payload = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    # Idle: ask again for what is still missing.
                    self.summary["idle_rerequests"] += 1
                    break
                if topic == prefix + "rejected/cbor":
                    raise OtaFailure("stream request rejected: %r" % (cbor2.loads(payload),))
                if topic != prefix + "data/cbor":
                    continue
                if self.lose_blocks > 0:
                    # Lost on the air: only the idle re-request brings it back.
                    self.lose_blocks -= 1
                    self.summary["blocks_lost"] = self.summary.get("blocks_lost", 0) + 1
                    continue
                block = cbor2.loads(payload)
                index, data = block.get("i"), block.get("p")
                if block.get("f") != file_id or not isinstance(index, int) or not isinstance(data, bytes):
                    raise OtaFailure("malformed data block %r" % ({k: v for k, v in block.items() if k != "p"},))
                if not 0 <= index < total:
                    raise OtaFailure("block index %d outside 0..%d" % (index, total - 1))
                expected = BLOCK_SIZE if index < total - 1 else size - BLOCK_SIZE * (total - 1)
                if len(data) != expected or block.get("l") != len(data):
                    raise OtaFailure("block %d has %d bytes (l=%r), expected %d" %
                                     (index, len(data), block.get("l"), expected))
                burst += 1
                got_data = True
                deadline = time.monotonic() + self.args.idle_timeout
                if index not in wanted:
                    self.summary["duplicate_blocks"] += 1
                    continue
                blocks[index] = data
                wanted.discard(index)
                received = total - len(wanted)
                self.summary["blocks_received"] += 1
                if received == 1 or received % PROGRESS_EVERY == 0:
                    self.update_status(job_id, "IN_PROGRESS", {"receive": "%d/%d" % (received, total)}, qos=0)
            silent_requests = 0 if got_data else silent_requests + 1
            if silent_requests >= REQUEST_MOMENTUM:
                raise OtaFailure("no data after %d requests" % silent_requests)
        return b"".join(blocks)

    def verify_signature(self, image, signature_b64, certfile):
        cert = self.args.code_verify_cert.get(certfile)
        if cert is None:
            raise OtaFailure("no code-verify certificate for certfile %r" % certfile)
        with tempfile.TemporaryDirectory() as tmp:
            paths = {name: os.path.join(tmp, name) for name in ("image", "sig", "pub")}
            with open(paths["image"], "wb") as f:
                f.write(image)
            with open(paths["sig"], "wb") as f:
                f.write(base64.b64decode(signature_b64, validate=True))
            subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout", "-out", paths["pub"]], check=True,
                           capture_output=True)
            result = subprocess.run(["openssl", "dgst", "-sha256", "-verify", paths["pub"], "-signature",
                                     paths["sig"], paths["image"]], capture_output=True)
            if result.returncode != 0:
                raise OtaFailure("signature check failed: " + result.stdout.decode().strip())

    # --- The agent ------------------------------------------------------
    def start_session(self):
        self.connect()
        self.subscribe(self.jobs_topic("notify-next"))
        self.request_next_job()

    def run(self):
        self.start_session()
        execution = self.wait_for_execution(self.args.job_timeout)
        if execution is None:
            raise OtaFailure("no job offered within %ss" % self.args.job_timeout)
        job_id = execution["jobId"]
        self.summary["job_id"] = job_id
        try:
            document = execution["jobDocument"]["afr_ota"]
            file = document["files"][0]
            stream, file_id, size = document["streamname"], file["fileid"], file["filesize"]
            signature, certfile = file["sig-sha256-ecdsa"], file["certfile"]
        except (KeyError, IndexError, TypeError) as e:
            raise OtaFailure("job document is not an afr_ota document: %r" % (e,))

        try:
            image = self.download(job_id, stream, file_id, size)
            self.summary["sha256"] = hashlib.sha256(image).hexdigest()
            if self.args.expect_sha256 and self.summary["sha256"] != self.args.expect_sha256:
                raise OtaFailure("image digest %s != expected %s" % (self.summary["sha256"], self.args.expect_sha256))
            self.verify_signature(image, signature, certfile)
        except OtaFailure as e:
            # Like the AWS agent: the job learns why, "<reason>: 0x<8 hex>".
            self.update_status(job_id, "FAILED", {"reason": "%s: %s" % (str(e)[:100], version_hex(self.version))})
            raise
        if self.args.save_image:
            with open(self.args.save_image, "wb") as f:
                f.write(image)

        old_version = self.version
        self.update_status(job_id, "IN_PROGRESS", {"self_test": "ready", "updatedBy": version_hex(old_version)})
        self.reset()

        # After the reset: the job again, now telling us a self-test is due.
        self.start_session()
        execution = self.wait_for_execution(self.args.job_timeout)
        if execution is None or execution.get("jobId") != job_id:
            raise OtaFailure("after reset the job %s was not offered again (got %r)" % (job_id, execution))
        details = execution.get("statusDetails") or {}
        if details.get("self_test") != "ready":
            raise OtaFailure("after reset statusDetails.self_test is %r, not 'ready'" % details.get("self_test"))
        updated_by = int(details.get("updatedBy", "0x0"), 16)
        if self.version <= updated_by:
            self.update_status(job_id, "FAILED", {"reason": "rejected: %s" % version_hex(updated_by)})
            raise OtaFailure("running version %s is not newer than %s" % (version_hex(self.version),
                                                                         version_hex(updated_by)))
        self.update_status(job_id, "IN_PROGRESS", {"self_test": "active", "updatedBy": version_hex(self.version)})
        self.update_status(job_id, "SUCCEEDED", {"reason": "accepted" + version_text(self.version),
                                                 "updatedBy": version_text(updated_by)})
        self.summary["result"] = "SUCCEEDED"
        self.client.loop_stop()
        self.client.disconnect()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True, help="CA certificate that signed the broker's certificate")
    parser.add_argument("--cert", required=True, help="the thing's certificate")
    parser.add_argument("--key", required=True, help="the thing's private key")
    parser.add_argument("--thing", required=True, help="thing name = MQTT client id")
    parser.add_argument("--version", required=True, help="running firmware version M.m.b")
    parser.add_argument("--image-version", required=True, help="version of the image being delivered")
    parser.add_argument("--code-verify-cert", action="append", default=[], metavar="CERTFILE=PATH",
                        help="certificate for a job's certfile path (repeatable)")
    parser.add_argument("--expect-sha256", help="fail unless the downloaded image has this digest")
    parser.add_argument("--save-image", help="write the downloaded image here")
    parser.add_argument("--idle-timeout", type=float, default=10.0, help="re-request after this many s")
    parser.add_argument("--lose-blocks", type=int, default=0,
                        help="drop the first N data messages as if lost on the radio link")
    parser.add_argument("--job-timeout", type=float, default=30.0)
    parser.add_argument("--connect-timeout", type=float, default=10.0)
    args = parser.parse_args()
    mapping = {}
    for item in args.code_verify_cert:
        name, sep, path = item.partition("=")
        if not sep:
            parser.error("--code-verify-cert wants CERTFILE=PATH, got " + item)
        mapping[name] = path
    args.code_verify_cert = mapping

    device = Device(args)
    try:
        device.run()
    except OtaFailure as e:
        device.summary["result"] = "FAILED"
        device.summary["error"] = str(e)
        log(str(e))
        print(compact(device.summary), flush=True)
        return 1
    print(compact(device.summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
