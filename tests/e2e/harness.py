"""Test harness for Otter's end-to-end tests: a real Mosquitto + otterd
(scripts/otter-stack) in a temporary data dir on loopback ports, driven through
otterd's REST API, with boards simulated by otter-sim (the real bootloader and
agent on simulated flash).

Everything runs on 127.0.0.1 with ports picked at random, in a temporary
folder that is removed afterwards. Waits are bounded.
"""

import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

SKIP = 77
TERMINAL = {"SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT", "CANCELED", "REMOVED"}


class Failure(Exception):
    """A scenario's expectation did not hold."""


class Skip(Exception):
    """A scenario cannot run here (a component is missing)."""


def log(message):
    print("e2e: " + message, file=sys.stderr, flush=True)


def check(condition, message):
    if not condition:
        raise Failure(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, predicate, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


class Api:
    def __init__(self, port, token):
        self.base = "http://127.0.0.1:%d" % port
        self.token = token

    def call(self, method, path, body=None, content_type="application/json", ok=(200, 201, 204)):
        data = body
        if body is not None and content_type == "application/json":
            data = json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace")
            if e.code in ok:
                return json.loads(text or "null")
            raise ApiError(method, path, e.code, text)

    def multipart(self, path, fields):
        boundary = uuid.uuid4().hex
        parts = []
        for name, (filename, content) in fields.items():
            if isinstance(content, str):
                content = content.encode()
            disposition = 'form-data; name="%s"' % name + ('; filename="%s"' % filename if filename else "")
            parts.append(b"--" + boundary.encode() + b"\r\nContent-Disposition: " + disposition.encode() +
                         b"\r\n\r\n" + content + b"\r\n")
        body = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
        return self.call("POST", path, body, "multipart/form-data; boundary=" + boundary)

    # -- things, firmware, jobs ---------------------------------------------
    def create_thing(self, name, board, folder, signing_profile=None):
        """Registers the thing and writes its credentials as PEM files
        (ca.pem, cert.pem, key.pem, code_verify.pem) into folder/<name>."""
        body = {"thingName": name, "board": board}
        if signing_profile:
            body["signingProfile"] = signing_profile
        out = self.call("POST", "/api/v1/things", body)
        d = os.path.join(folder, name)
        os.makedirs(d, exist_ok=True)
        for file, pem in (("ca.pem", out["caCertificatePem"]), ("cert.pem", out["certificate"]["certificatePem"]),
                          ("key.pem", out["certificate"]["privateKeyPem"]),
                          ("code_verify.pem", out["codeVerifyCertificatePem"])):
            with open(os.path.join(d, file), "w") as f:
                f.write(pem)
        os.chmod(os.path.join(d, "key.pem"), 0o600)
        return out

    def upload_firmware(self, path, signing_profile=None, signature=None, certificate_pem=None):
        with open(path, "rb") as f:
            image = f.read()
        fields = {"file": (os.path.basename(path), image)}
        if signing_profile:
            fields["signingProfile"] = (None, signing_profile)
        if signature is not None:
            fields["signature"] = (None, base64.b64encode(signature))
        if certificate_pem is not None:
            fields["certificate"] = (None, certificate_pem)
        return self.multipart("/api/v1/firmware", fields)

    def create_job(self, body):
        return self.call("POST", "/api/v1/jobs", body)

    def job(self, job_id):
        return self.call("GET", "/api/v1/jobs/%s" % job_id)

    def execution(self, job_id, thing):
        return self.call("GET", "/api/v1/jobs/%s/executions/%s" % (job_id, thing))

    def executions(self, job_id):
        out, page = [], None
        while True:
            path = "/api/v1/jobs/%s/executions?limit=1000" % job_id + ("&nextToken=%s" % page if page else "")
            answer = self.call("GET", path)
            out += answer.get("executions", [])
            page = answer.get("nextToken")
            if not page:
                return out

    def wait_execution(self, job_id, thing, timeout=120, statuses=TERMINAL):
        def done():
            try:
                e = self.execution(job_id, thing)
            except ApiError:
                return None
            return e if e["status"] in statuses else None
        return wait_for("execution of %s on %s to reach %s" % (job_id, thing, "/".join(sorted(statuses))), done,
                        timeout, 0.3)


class ApiError(Exception):
    def __init__(self, method, path, code, text):
        super().__init__("%s %s -> %d %s" % (method, path, code, text))
        self.code = code
        self.text = text


class Stack:
    """Mosquitto + otterd for one data dir, with the restarts the tests need."""

    def __init__(self, repo, build_dir, work):
        self.repo = repo
        self.build_dir = build_dir
        self.script = os.path.join(repo, "scripts", "otter-stack")
        self.data_dir = os.path.join(work, "data")
        self.mqtt_port = free_port()
        self.api_port = free_port()
        self.api = None

    def binary(self, name, *subdirs):
        for d in subdirs:
            path = os.path.join(self.build_dir, d, name)
            if os.access(path, os.X_OK):
                return path
        return None

    def up(self):
        cmd = [self.script, "up", "--data-dir", self.data_dir, "--port", str(self.mqtt_port),
               "--api-port", str(self.api_port), "--build-dir", self.build_dir]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise Failure("otter-stack up failed:\n" + result.stdout + result.stderr)
        with open(os.path.join(self.data_dir, "api-token")) as f:
            self.api = Api(self.api_port, f.read().strip())
        return self.api

    def down(self):
        subprocess.run([self.script, "down", "--data-dir", self.data_dir], capture_output=True, timeout=60)

    def pid(self, name):
        with open(os.path.join(self.data_dir, "run", name + ".pid")) as f:
            return int(f.read().strip())

    def restart_broker(self, down_for=1.0):
        """Stops Mosquitto (SIGTERM), waits, starts it again on the same port."""
        pid = self.pid("mosquitto")
        os.kill(pid, signal.SIGTERM)
        wait_for("mosquitto to stop", lambda: not _alive(pid), 15)
        time.sleep(down_for)
        conf = os.path.join(self.data_dir, "broker", "mosquitto.conf")
        console = open(os.path.join(self.data_dir, "broker", "mosquitto.console"), "a")
        proc = subprocess.Popen(["/usr/sbin/mosquitto", "-c", conf], stdin=subprocess.DEVNULL, stdout=console,
                                stderr=console, start_new_session=True)
        with open(os.path.join(self.data_dir, "run", "mosquitto.pid"), "w") as f:
            f.write(str(proc.pid))
        wait_for("mosquitto to accept connections", lambda: _port_open(self.mqtt_port), 15, 0.1)
        log("broker restarted (pid %d)" % proc.pid)

    def kill_otterd(self):
        """kill -9: no chance to flush anything."""
        pid = self.pid("otterd")
        os.kill(pid, signal.SIGKILL)
        wait_for("otterd to die", lambda: not _alive(pid), 15)
        log("otterd killed with SIGKILL (pid %d)" % pid)

    def start_otterd(self):
        otterd = self.binary("otterd", "server/otterd", ".")
        if not otterd:
            raise Skip("otterd is not built")
        args = [otterd, "--data-dir", self.data_dir, "--mqtt-host", "127.0.0.1", "--mqtt-port", str(self.mqtt_port),
                "--api-port", str(self.api_port)]
        out = open(os.path.join(self.data_dir, "otterd.log"), "a")
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
        with open(os.path.join(self.data_dir, "run", "otterd.pid"), "w") as f:
            f.write(str(proc.pid))
        wait_for("otterd /health", lambda: _healthy(self.api_port), 30)
        log("otterd restarted (pid %d)" % proc.pid)

    def dump_logs(self):
        for name in ("otterd.log", "broker/mosquitto.log", "broker/mosquitto.console"):
            path = os.path.join(self.data_dir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    sys.stderr.write("--- %s (tail) ---\n%s\n" % (name, "".join(f.readlines()[-40:])))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of ours counts as dead.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


def _port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _healthy(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/health" % port, timeout=2) as r:
            return r.status == 200
    except Exception:
        return False


class Sim:
    """otter-sim as a child process; its report is the boards' final flash state."""

    def __init__(self, binary, work, name="sim"):
        self.binary = binary
        self.work = work
        self.report_path = os.path.join(work, name + "-report.json")
        self.log_path = os.path.join(work, name + ".log")
        self.proc = None

    def start(self, *args):
        cmd = [self.binary] + [str(a) for a in args] + ["--report", self.report_path]
        log("running " + " ".join(cmd))
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def wait(self, timeout):
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise Failure("otter-sim did not finish within %d s" % timeout)
        return code, self.report()

    def stop(self):
        """SIGTERM: otter-sim stops its boards and writes the report."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.report()

    def report(self):
        if not os.path.exists(self.report_path):
            raise Failure("otter-sim wrote no report (exit %s); log:\n%s" % (self.proc.poll(), self.tail()))
        with open(self.report_path) as f:
            return json.load(f)

    def tail(self, lines=60):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def console(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def board_of(report, name):
    for b in report["boards"]:
        if b["name"] == name:
            return b
    raise Failure("no board %s in the report" % name)


class Env:
    """What a scenario gets: the stack, the API, otter-sim, a work folder."""

    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="otter-e2e-")
        self.creds = os.path.join(self.work, "credentials")
        os.makedirs(self.creds)
        self.stack = Stack(args.repo, args.build_dir, self.work)
        self.sims = []
        self.api = None

    def __enter__(self):
        self.api = self.stack.up()
        self.api.call("POST", "/api/v1/signing-profiles", {"name": "e2e"})
        return self

    def __exit__(self, *exc):
        for s in self.sims:
            if s.proc and s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait()
        if exc[0] is not None and exc[0] is not Skip:
            self.stack.dump_logs()
            for s in self.sims:
                sys.stderr.write("--- %s (tail) ---\n%s\n" % (s.log_path, s.tail()))
        self.stack.down()
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            log("kept " + self.work)
        return False

    def firmware(self, version, board="numaker-iot-m487", behaviour="ok", size="24k", name=None):
        path = os.path.join(self.work, name or "fw_%s_%s_%s.bin" % (board, version, behaviour))
        subprocess.run([self.args.sim, "firmware", "--board", board, "--version", version, "--behaviour", behaviour,
                        "--size", size, "-o", path], check=True, capture_output=True)
        return path

    def sim(self, name="sim"):
        s = Sim(self.args.sim, self.work, name)
        self.sims.append(s)
        return s

    def sim_args(self, *extra):
        return ["--credentials", self.creds, "--broker", "127.0.0.1:%d" % self.stack.mqtt_port,
                "--self-test-timeout-ms", "8000"] + list(extra)


def run_scenario(scenario, args):
    if not args.otterd or not os.access(args.otterd, os.X_OK):
        print("SKIP: otterd (server/otterd) is not built; the end-to-end tests need the real service")
        return SKIP
    try:
        with Env(args) as env:
            scenario(env)
    except Skip as e:
        print("SKIP: %s" % e)
        return SKIP
    except (Failure, ApiError) as e:
        print("FAIL: %s" % e)
        return 1
    print("PASS")
    return 0
