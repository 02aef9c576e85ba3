#!/usr/bin/env python3
"""Otter's benchmarks P1-P5 (issue 9): runs real components (Mosquitto,
otterd, otter-sim, the link emulator) on 127.0.0.1 and writes a Markdown
report with every figure, its goal and whether it was met.

    bench.py --build-dir build/host [--smoke] [--out FILE] [p1 p2 p3 p4 p5]

--smoke runs one tiny cell of each (CI: it proves the benchmarks still run and
produce figures; it never judges them)."""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import harness  # noqa: E402  (the e2e tests' stack/API helpers, reused as they are)

KIB = 1024
# The issue asks for 448 KiB, but no board the agent can stage for takes it: the
# M487's app area is 416 KiB (0x68000) and the M2354 stages on its SD card. 400
# KiB is the largest round size every M487 profile installs (bench/install's limit too).
P1_IMAGE = 400 * KIB
RTTS_MS = (20, 100, 300)
BANDWIDTHS = (("256kbit", 256_000), ("1mbit", 1_000_000), ("10mbit", 10_000_000))
BOARD = "numaker-iot-m487"

# P3's job: what an operator would set for a fleet update. All released at once
# (the benchmark is the fleet updating at once; a staged rollout would measure
# its own rate), cancelled when more than 10% of at least 50 finished executions
# failed, an execution IN_PROGRESS for 30 minutes times out, and a failed or
# timed-out execution is retried twice.
P3_JOB_CONFIG = {
    "abortConfig": {"criteriaList": [{"failureType": "FAILED", "action": "CANCEL", "thresholdPercentage": 10,
                                      "minNumberOfExecutedThings": 50}]},
    "timeoutConfig": {"inProgressTimeoutInMinutes": 30},
    "jobExecutionsRetryConfig": {"criteriaList": [{"failureType": "ALL", "numberOfRetries": 2}]},
}
P3_JOB_TEXT = ("rollout all at once, abort (cancel) when > 10% of ≥ 50 finished executions FAILED, in-progress "
               "timeout 30 min, 2 retries on FAILED or TIMED_OUT")


def say(text):
    print("bench: " + text, file=sys.stderr, flush=True)


def verdict(ok):
    return "**met**" if ok else "**not met**"


# --------------------------------------------------------------------------
# Process figures from /proc
class ProcSample:
    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pid):
        self.pid = pid
        self.cpu = self._cpu()
        self.t = time.monotonic()

    def _cpu(self):
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / self.TICK  # utime + stime
        except OSError:
            return 0.0

    def cpu_since(self):
        """CPU seconds used since the sample, and as a share of one core."""
        cpu = self._cpu() - self.cpu
        wall = time.monotonic() - self.t
        return cpu, (cpu / wall if wall > 0 else 0.0)


def stop(proc, timeout):
    """SIGTERM (a simulator writes its report on the way out), SIGKILL after `timeout` s."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def rss_mib(pid, field="VmRSS"):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def io_write_bytes(pid):
    try:
        with open("/proc/%d/io" % pid) as f:
            for line in f:
                if line.startswith("write_bytes:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def machine_info(build_dir):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    compiler = "unknown"
    cache = os.path.join(build_dir, "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache) as f:
            m = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.*)$", f.read(), re.M)
        if m:
            out = subprocess.run([m.group(1), "--version"], capture_output=True, text=True)
            compiler = out.stdout.splitlines()[0] if out.stdout else m.group(1)
    mosq = subprocess.run(["/usr/sbin/mosquitto", "-h"], capture_output=True, text=True).stdout.splitlines()
    return [("CPU", cpu), ("cores", str(os.cpu_count())), ("RAM", "%.1f GiB" % (mem_kib / 1024 / 1024)),
            ("kernel", platform.release()), ("compiler", compiler),
            ("Mosquitto", mosq[0] if mosq else "unknown"),
            ("commit", subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                                      text=True).stdout.strip()),
            ("date", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())),
            ("load average (1 min) at start / end", "%s / %s" % (LOAD_AT_START, load_average()))]


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


LOAD_AT_START = load_average()


def register(api, names, creds):
    """Registers things (key, certificate, registry row each) a few at a time:
    otterd serves REST calls on several threads and each one mostly waits for fsync."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in pool.map(lambda n: api.create_thing(n, BOARD, creds), names):
            pass


class Timeline:
    """When each board of a fleet reached each step of its update, from the
    boards' console lines (each otter-sim stamps them from its own start)."""
    STEPS = (("job received", "[OTA] job ota-"), ("download complete", "progress 100%"),
             ("image handed to the bootloader", "new image handed to the bootloader"),
             ("reset", "resetting (the agent asked"), ("new image booted", "loader: installed"),
             ("reconnected", "MQTT connected"), ("self-test passed", "self-test passed; image accepted"))

    def __init__(self):
        self.t0 = None
        self.at = {}  # board -> {step: seconds after the job was created}
        self.pending = []

    def line(self, text, started):
        m = re.match(r"\s*([\d.]+) \[([^\]]+)\] (.*)", text)
        if m:
            self.pending.append((started + float(m.group(1)), m.group(2), m.group(3)))

    def start(self, t0):
        self.t0 = t0

    def _steps(self):
        for t, board, text in self.pending:
            if self.t0 is None or t < self.t0:
                continue
            steps = self.at.setdefault(board, {})
            if "asking again" in text:  # a GetStream request that got no data within the agent's timeout
                steps["stalls"] = steps.get("stalls", 0) + 1
            for step, marker in self.STEPS:
                # "reconnected" is the connection after the reset, not a reconnect during the download.
                if marker in text and step not in steps and (step != "reconnected" or "reset" in steps):
                    steps[step] = t - self.t0
        self.pending = []

    def table(self, title, wall):
        self._steps()
        if not self.at:
            return []

        def pct(values, p):
            values = sorted(values)
            return values[min(len(values) - 1, int(p * len(values)))]
        out = ["### Timeline, %s" % title, "",
               "Seconds after the job was created when the boards reached each step (the last execution counted "
               "SUCCEEDED at otterd at %.1f s), and how long each step took per board." % wall, "",
               "| step | boards | first | median | p90 | last | step took: median | p90 | max |",
               "|---|---|---|---|---|---|---|---|---|"]
        previous = None
        for step, _ in self.STEPS:
            at = [s[step] for s in self.at.values() if step in s]
            took = [s[step] - s[previous] for s in self.at.values() if step in s and previous in s] if previous else []
            if at:
                out.append("| %s | %d | %.1f | %.1f | %.1f | %.1f | %s | %s | %s |" % (
                    step, len(at), min(at), pct(at, .5), pct(at, .9), max(at),
                    *(("%.2f" % pct(took, p)) if took else "" for p in (.5, .9, 1.0))))
            previous = step
        stalled = [s["stalls"] for s in self.at.values() if "stalls" in s]
        out += ["", "Requests re-asked after the agent's request timeout (no data for 10 s): %d, on %d boards." % (
            sum(stalled), len(stalled))]
        return out


# --------------------------------------------------------------------------
class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build_dir)
        self.sim_bin = os.path.join(self.build, "sim", "otter-sim", "otter-sim")
        self.link_bin = os.path.join(self.build, "bench", "tools", "otter-bench-link")
        self.load_bin = os.path.join(self.build, "bench", "tools", "otter-bench-load")
        self.install_bin = os.path.join(self.build, "bench", "install", "otter_install_cost")
        self.work = tempfile.mkdtemp(prefix="otter-bench-")
        self.sections = []
        self.summary = []  # (benchmark, figure, goal, verdict)
        self.raw_rate = None  # payload bytes/s of the raw broker (P2), for P3
        self.p3_notes = []

    def stack(self, name):
        work = os.path.join(self.work, name)
        os.makedirs(work)
        stack = harness.Stack(REPO, self.build, work)
        api = stack.up()
        api.call("POST", "/api/v1/signing-profiles", {"name": "bench"})
        creds = os.path.join(work, "credentials")
        os.makedirs(creds)
        return stack, api, creds, work

    def firmware(self, work, version, size):
        path = os.path.join(work, "fw_%s_%d.bin" % (version, size))
        subprocess.run([self.sim_bin, "firmware", "--board", BOARD, "--version", version, "--size", str(size),
                        "-o", path], check=True, capture_output=True)
        return path

    # ----------------------------------------------------------------------
    # P1: one board through the link emulator
    def p1_cell(self, stack, api, creds, work, factory, firmware_id, name, link, agent_args, timeout):
        api.create_thing(name, BOARD, creds)
        job = api.create_job({"firmwareId": firmware_id, "things": [name]})
        probe = subprocess.Popen([self.link_bin, "--upstream", "127.0.0.1:%d" % stack.mqtt_port, "--link", link],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            port = json.loads(probe.stdout.readline())["port"]

            def stats():
                probe.stdin.write("stats\n")
                probe.stdin.flush()
                return json.loads(probe.stdout.readline())

            cmd = [self.sim_bin, "--board", BOARD, "--credentials", os.path.join(creds, name), "--broker",
                   "127.0.0.1:%d" % port, "--factory", factory, "--timeout", str(timeout)] + agent_args
            sim = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            start = end = None
            killer = threading.Timer(timeout + 10, sim.kill)
            killer.start()
            tail = []
            for line in sim.stdout:
                tail = (tail + [line])[-20:]
                if start is None and "job accepted" in line:
                    start = (float(line.split()[0]), stats())
                elif start is not None and "progress 100%" in line:
                    end = (float(line.split()[0]), stats())
                    break
            killer.cancel()
            stop(sim, timeout=30)
            if start is None or end is None:
                raise RuntimeError("P1 cell %s (%s) did not finish its download:\n%s" % (name, link, "".join(tail)))
        finally:
            probe.stdin.close()
            probe.wait(timeout=30)
        del job
        seconds = end[0] - start[0]
        down = end[1]["bytes_down"] - start[1]["bytes_down"]
        up = end[1]["bytes_up"] - start[1]["bytes_up"]
        return seconds, down, up

    def p1(self):
        smoke = self.args.smoke
        image = 16 * KIB if smoke else P1_IMAGE
        stack, api, creds, work = self.stack("p1")
        try:
            factory = self.firmware(work, "1.0.0", image)
            fw = api.upload_firmware(self.firmware(work, "1.0.1", image), signing_profile="bench")["firmwareId"]
            rtts = (100,) if smoke else RTTS_MS
            bws = (("1mbit", 1_000_000),) if smoke else BANDWIDTHS
            rows, results, n = [], {}, 0
            for rtt in rtts:
                for bw_name, bps in bws:
                    link = "rtt=%dms,bw=%s" % (rtt, bw_name)
                    cell = {}
                    for mode, agent_args in (("otter", []), ("aws", ["--aws-baseline"])):
                        n += 1
                        # Worst cell (AWS baseline, 256 kbit/s, 300 ms): 112 round trips of
                        # 0.3 s + 4 KiB at 256 kbit/s = about 50 s.
                        s, down, up = self.p1_cell(stack, api, creds, work, factory, fw, "p1-%d" % n, link,
                                                   agent_args, 240)
                        bound = down * 8 / bps + rtt / 1000
                        cell[mode] = (s, down, up, bound)
                        say("P1 %-22s %-5s %7.2f s (bound %.2f s, %d B down, %d B up)" % (link, mode, s, bound, down,
                                                                                          up))
                    results[(rtt, bw_name)] = cell
                    o, a = cell["otter"], cell["aws"]
                    rows.append("| %d ms | %s | %d | %.1f%% | %.2f | %.2f | %.0f%% | %.2f | %.0f%% | %.2f× |" % (
                        rtt, bw_name, o[1], 100.0 * (o[1] - image) / image, o[3], o[0], 100 * o[3] / o[0], a[0],
                        100 * a[3] / a[0], a[0] / o[0]))
            key = (100, "1mbit")
            o, a = results[key]["otter"], results[key]["aws"]
            eff, speedup = o[3] / o[0], a[0] / o[0]
            if not smoke:
                self.summary.append(("P1", "share of link bound at 1 Mbit/s, 100 ms", "%.0f%%" % (100 * eff),
                                     "≥ 90%", verdict(eff >= 0.9)))
                self.summary.append(("P1", "speed-up vs AWS baseline at 1 Mbit/s, 100 ms", "%.2f×" % speedup, "≥ 3×",
                                     verdict(speedup >= 3)))
            text = ["## P1 download efficiency", "",
                    "A %d KiB image to one simulated board (real agent, real otterd + Mosquitto, mutual TLS) through "
                    "the link emulator. Time = agent's `job accepted` to `progress 100%%` (first request to last "
                    "block). Bytes = everything that crossed the emulated link downstream in that interval, "
                    "measured at the proxy (TLS records, MQTT headers, CBOR framing). Link bound = bytes × 8 / "
                    "bandwidth + one RTT. Otter = the agent's defaults (2 KiB blocks, 8 blocks per request, 4 "
                    "requests in flight); AWS = the same agent with `--aws-baseline` (4 KiB, 1 block per request, "
                    "1 in flight). Same run, same stack." % (image // KIB), "",
                    "| RTT | bandwidth | Otter bytes down | overhead | link bound s | Otter s | Otter % of bound | "
                    "AWS s | AWS % of bound | speed-up |",
                    "|---|---|---|---|---|---|---|---|---|---|"] + rows
            text += ["", "Goal at 1 Mbit/s, 100 ms: ≥ 90%% of the link bound: %.0f%% %s; ≥ 3× the baseline: %.2f× %s."
                     % (100 * eff, verdict(eff >= 0.9), speedup, verdict(speedup >= 3))]
            text += self.p1_sweep(stack, api, creds, work, factory, fw, image, smoke, a[0])
            self.sections.append("\n".join(text))
        finally:
            stack.down()

    def p1_sweep(self, stack, api, creds, work, factory, fw, image, smoke, baseline_s):
        if smoke:
            combos = [(2048, 8, 2)]
        else:
            # 8 requests in flight is left to one cell: against the current otterd every such cell took
            # 30-70 s (docs/benchmarks.md, "the fair queue drops ..."), which the 20-minute budget cannot carry.
            combos = [(b, 8, w) for b in (1024, 2048, 4096, 8192) for w in (1, 2, 4)]
            combos += [(2048, 8, 8), (2048, 32, 1), (4096, 16, 1)]
        rows = []
        best = None
        for i, (block, per_request, window) in enumerate(combos):
            s, down, _ = self.p1_cell(stack, api, creds, work, factory, fw, "p1-sweep-%d" % i, "rtt=100ms,bw=1mbit",
                                      ["--block-size", str(block), "--blocks-per-request", str(per_request),
                                       "--window", str(window)], 240)
            bound = down * 8 / 1e6 + 0.1
            ideal = image * 8 / 1e6 + 0.1
            say("P1 sweep block %5d × %2d per request × %d in flight: %.2f s (%.0f%% of bound)" %
                (block, per_request, window, s, 100 * bound / s))
            rows.append("| %d | %d | %d | %d KiB | %d | %.2f | %.0f%% | %.0f%% |" % (
                block, per_request, window, block * per_request * window // KIB, down, s, 100 * bound / s,
                100 * ideal / s))
            if best is None or s < best[0]:
                best = (s, block, per_request, window, bound)
        out = ["", "### Sweep at 1 Mbit/s, 100 ms (block size × requests in flight)", "",
               "In-flight data = block × blocks per request × requests in flight; the bandwidth-delay product "
               "here is 12.5 KB. 'of ideal' compares with the payload alone (no protocol bytes) / bandwidth + RTT.",
               "", "| block B | blocks/request | in flight | in-flight data | bytes down | s | of link bound | "
               "of ideal |", "|---|---|---|---|---|---|---|---|"] + rows
        out += ["", "Fastest in this run: %d B blocks, %d per request, %d in flight (%.2f s, %.0f%% of its link "
                "bound, %.2f× faster than the AWS baseline cell at 1 Mbit/s, 100 ms)." % (
                    best[1], best[2], best[3], best[0], 100 * best[4] / best[0], baseline_s / best[0])]
        return out

    # ----------------------------------------------------------------------
    # P2: otterd vs a raw Mosquitto responder
    def p2(self):
        smoke = self.args.smoke
        clients = 2 if smoke else 50
        image = 16 * KIB if smoke else P1_IMAGE
        stack, api, creds, work = self.stack("p2")
        try:
            names = ["p2-c%03d" % i for i in range(clients)]
            register(api, names, creds)
            fw_path = self.firmware(work, "1.0.1", image)
            fw = api.upload_firmware(fw_path, signing_profile="bench")["firmwareId"]
            stream = "bench-p2-stream"
            api.create_job({"firmwareId": fw, "things": names, "streamName": stream})
            # Rounds: one round of the Otter pattern lasts about a second, too short to be steady; the
            # baseline's one round lasts ~9 s.
            patterns = [("Otter defaults", 2048, 8, 4, 1 if smoke else 4), ("AWS baseline", 4096, 1, 1, 1)]
            # Other engineers' work shares this machine and can only slow a run down: each server gets the
            # Otter pattern three times and keeps its fastest run (all runs are listed).
            repeats = {"Otter defaults": 1 if smoke else 3, "AWS baseline": 1}
            runs = {}
            if smoke:
                patterns = patterns[:1]
            otterd, mosq = stack.pid("otterd"), stack.pid("mosquitto")
            measured = {}

            def load(block, per_request, window, rounds):
                cmd = [self.load_bin, "clients", "--port", str(stack.mqtt_port), "--credentials", creds, "--things",
                       ",".join(names), "--stream", stream, "--file-size", str(image), "--block-size", str(block),
                       "--blocks-per-request", str(per_request), "--window", str(window), "--rounds", str(rounds),
                       "--timeout", "240"]
                out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
                if out.returncode not in (0, 3) or not out.stdout.strip():
                    raise RuntimeError("otter-bench-load failed (%d): %s" % (out.returncode, out.stderr))
                return json.loads(out.stdout.strip().splitlines()[-1])

            def measure(who, pid, label, block, per_request, window, rounds):
                for _ in range(repeats[label]):
                    a, b = ProcSample(pid), ProcSample(mosq)
                    r = load(block, per_request, window, rounds)
                    m = (r, a.cpu_since(), b.cpu_since(), rss_mib(pid), rss_mib(mosq))
                    runs.setdefault((label, who), []).append(r["payload_mbyte_per_s"])
                    if (label, who) not in measured or r["blocks_per_s"] > measured[(label, who)][0]["blocks_per_s"]:
                        measured[(label, who)] = m
                    say("P2 %s %s: %s" % (who, label, r))

            for label, block, per_request, window, rounds in patterns:
                measure("otterd", otterd, label, block, per_request, window, rounds)
            otterd_peak = rss_mib(otterd, "VmHWM")
            os.kill(otterd, signal.SIGTERM)
            harness.wait_for("otterd to stop", lambda: not harness._alive(otterd), 30)
            pki = os.path.join(stack.data_dir, "pki")
            responder = subprocess.Popen([self.load_bin, "responder", "--port", str(stack.mqtt_port), "--ca",
                                          os.path.join(pki, "ca.crt"), "--cert", os.path.join(pki, "otterd.crt"),
                                          "--key", os.path.join(pki, "otterd.key"), "--image", fw_path],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                if responder.stdout.readline().strip() != "ready":
                    raise RuntimeError("raw responder did not start")
                for label, block, per_request, window, rounds in patterns:
                    measure("raw", responder.pid, label, block, per_request, window, rounds)
            finally:
                responder.stdin.close()
                responder.wait(timeout=30)
            rows = []
            for label, block, per_request, window, _ in patterns:
                o, raw = measured[(label, "otterd")], measured[(label, "raw")]
                ratio = o[0]["blocks_per_s"] / raw[0]["blocks_per_s"] if raw[0]["blocks_per_s"] else 0
                for who, m in (("otterd", o), ("raw responder", raw)):
                    r = m[0]
                    rows.append("| %s | %s | %d | %.2f | %.0f | %.1f | %d | %.2f (%.0f%%) | %.2f (%.0f%%) | %.0f | "
                                "%.0f |" % (label, who, r["blocks"], r["seconds"], r["blocks_per_s"],
                                            r["payload_mbyte_per_s"], r["rerequests"], m[1][0], 100 * m[1][1],
                                            m[2][0], 100 * m[2][1], m[3], m[4]))
                rows.append("| %s | **otterd / raw** | | | **%.2f×** | | | | | | |" % (label, ratio))
                if label == "Otter defaults":
                    self.raw_rate = raw[0]["payload_mbyte_per_s"] * 1e6
                    if not smoke:
                        self.summary.append(("P2", "otterd throughput / raw Mosquitto (%d clients, Otter pattern)" %
                                             clients, "%.2f×" % ratio, "≥ 0.8×", verdict(ratio >= 0.8)))
            text = ["## P2 server throughput", "",
                    "%d things (mutual TLS, libmosquitto) each download a %d KiB stream at once (Otter pattern %d "
                    "times in a row, AWS baseline once), with "
                    "the agent's request pattern; first against otterd (real GetStream handling: registry and "
                    "execution check, fair queue, QoS 1 publishes from the mmapped image), then, on the same "
                    "broker, against `otter-bench-load responder`, which answers each request with the same "
                    "blocks pre-encoded (QoS 1) and nothing else. Stalled requests are re-asked after 3 s "
                    "(`re-req`). The Otter pattern ran 3 times per server and the table shows each server's fastest "
                    "run (all runs in MB/s: otterd %s; raw %s): the machine is shared, and other work only slows a "
                    "run down. CPU = utime+stime from /proc/<pid>/stat during the run, including the clients' 50 "
                    "TLS connects (share of one core); RSS in MiB at the end (otterd peak %.0f MiB)." % (
                        clients, image // KIB, patterns[0][4],
                        ", ".join("%.1f" % x for x in runs.get(("Otter defaults", "otterd"), [])),
                        ", ".join("%.1f" % x for x in runs.get(("Otter defaults", "raw"), [])), otterd_peak), "",
                    "| pattern | server | blocks | s | blocks/s | payload MB/s | re-req | server CPU s | broker CPU s | "
                    "server RSS | broker RSS |", "|---|---|---|---|---|---|---|---|---|---|---|"] + rows
            self.sections.append("\n".join(text))
        finally:
            stack.down()

    # ----------------------------------------------------------------------
    # P3: fleets updating at once
    def p3(self):
        smoke = self.args.smoke
        fleets = ((20, 16 * KIB),) if smoke else ((1000, 64 * KIB), (10000, 16 * KIB))
        if self.args.fleets:  # other sizes than the two of the report: 64 KiB images (experiments)
            sizes = dict(fleets)
            fleets = tuple((n, sizes.get(n, 64 * KIB)) for n in self.args.fleets)
        rows, timelines = [], []
        for n, image in fleets:
            try:
                row, timeline = self.p3_fleet(n, image)
                rows.append(row)
                timelines.append(timeline)
            except Exception as e:  # the other fleet's figures still count
                rows.append("| %d | %d KiB | did not finish: %s | | | | | | | | | |" % (n, image // KIB, e))
                if not self.args.smoke:
                    self.summary.append(("P3", "%d boards" % n, "did not finish", "≤ 1.5×, ≤ 500 MiB", verdict(False)))
        text = ["## P3 fleet", "",
                "N boards (real agent and bootloader per board, mutual TLS, no link emulation) in %d otter-sim "
                "processes per fleet (one per core; each one epoll thread) are powered on, and once every board has "
                "asked for its job (`no pending job`), one job for the whole group is created with a production "
                "configuration: %s. Wall time = job created to every execution SUCCEEDED at otterd (download, "
                "verify, install, reboot, self-test, report). **Broker-limited time** = N × image / the raw "
                "Mosquitto rate measured in P2 (the issue's yardstick; it counts bytes only). **CPU-limited time** "
                "(a second, separate bound) = CPU seconds that otterd, Mosquitto and the simulators used during the "
                "run / %d cores: the work this machine had to do whatever the order (TLS handshakes and ECDSA "
                "verifications of every board, which a real fleet does on its own CPUs). SQLite write rate = job "
                "updates accepted per second (each committed, group commit), otterd's committed transactions per "
                "second (`otter_store_transactions_total`) and bytes otterd wrote to disk per second "
                "(/proc/<pid>/io)." % (self.sim_processes(), P3_JOB_TEXT, os.cpu_count()), "",
                "| boards | image | wall s | broker-limited s | ratio | CPU-limited s | ratio | otterd peak RSS MiB | "
                "otterd CPU s | broker CPU s | simulators CPU s | updates/s | commits/s | disk MB/s |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"] + rows
        if self.p3_notes:
            text += [""] + ["- " + note for note in self.p3_notes]
        for timeline in timelines:
            text += [""] + timeline
        self.sections.append("\n".join(text))

    @staticmethod
    def sim_processes():
        return max(1, os.cpu_count() or 1)

    def p3_fleet(self, n, image):
        stack, api, creds, work = self.stack("p3-%d" % n)
        sims = []
        try:
            # One otter-sim per core (each is a single event-loop thread), at most 5,000 boards each:
            # a board keeps 2 descriptors open and a process may open 20,000 here (RLIMIT_NOFILE).
            per_sim = min(5000, -(-n // self.sim_processes()))
            parts = [(("f%d%s-" % (n, chr(ord("a") + k))), min(per_sim, n - k * per_sim))
                     for k in range((n + per_sim - 1) // per_sim)]
            names = ["%s%0*d" % (prefix, len(str(count)), i) for prefix, count in parts for i in range(1, count + 1)]
            t = time.monotonic()
            register(api, names, creds)
            say("P3 %d things registered in %.1f s" % (n, time.monotonic() - t))
            t = time.monotonic()
            self.post_slow(api, "/api/v1/groups", {"thingGroupName": "fleet-%d" % n, "things": names})
            say("P3 group of %d created in %.1f s" % (n, time.monotonic() - t))
            self.p3_notes.append("%d boards: creating the %d-member group (one transaction) took %.1f s (not "
                                 "part of the wall time)" % (n, n, time.monotonic() - t))
            factory = self.firmware(work, "1.0.0", image)
            fw = api.upload_firmware(self.firmware(work, "1.0.1", image), signing_profile="bench")["firmwareId"]
            spread = max(2, n // 500)
            timeline = Timeline()
            console = open(os.path.join(work, "sim.log"), "w")
            waiting = set()
            ready = threading.Event()
            lock = threading.Lock()

            def read(sim, started):
                for line in sim.stdout:
                    with lock:
                        console.write(line)
                        timeline.line(line, started)
                        if "no pending job" in line:
                            m = re.search(r"\[([^\]]+)\]", line)
                            if m:
                                waiting.add(m.group(1))
                                if len(waiting) >= n:
                                    ready.set()
            for prefix, count in parts:
                cmd = [self.sim_bin, "--board", BOARD, "--credentials", creds, "--fleet", str(count), "--prefix",
                       prefix, "--broker", "127.0.0.1:%d" % stack.mqtt_port, "--factory", factory, "--spread",
                       str(spread), "--console", "all", "--until", "version=1.0.1", "--idle-seconds", "2",
                       "--timeout", "900", "--self-test-timeout-ms", "8000"]
                started = time.monotonic()
                sim = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                sims.append(sim)
                threading.Thread(target=read, args=(sim, started), daemon=True).start()
            if not ready.wait(timeout=120 + spread * 3):
                raise RuntimeError("P3: only %d of %d boards asked for a job" % (len(waiting), n))
            otterd, mosq = stack.pid("otterd"), stack.pid("mosquitto")
            a, b = ProcSample(otterd), ProcSample(mosq)
            sim_cpu = [ProcSample(sim.pid) for sim in sims]
            io0 = io_write_bytes(otterd)
            updates0 = self.metric(api, "otter_job_updates_accepted_total")
            commits0 = self.metric(api, "otter_store_transactions_total")
            published0 = self.metric(api, "otter_mqtt_messages_published_total")
            t0 = time.monotonic()
            job = api.create_job(dict(P3_JOB_CONFIG, firmwareId=fw, groups=["fleet-%d" % n]))["jobId"]
            timeline.start(t0)

            def done():
                counts = api.job(job).get("executionCounts", {})
                return counts if counts.get("SUCCEEDED", 0) + counts.get("FAILED", 0) + counts.get("REJECTED", 0) \
                    >= n else None
            # Bounded so the whole run stays within its 20 minutes; an unfinished fleet is reported as such.
            try:
                counts = harness.wait_for("fleet of %d to finish" % n, done, 120 + n * 0.03, 0.2)
            except harness.Failure:
                counts = api.job(job).get("executionCounts", {})
                self.p3_notes.append("%d boards: **not finished** within %.0f s: %s" % (n, 120 + n * 0.03, counts))
            wall = time.monotonic() - t0
            cpu_o, cpu_b = a.cpu_since()[0], b.cpu_since()[0]
            cpu_s = sum(c.cpu_since()[0] for c in sim_cpu)
            updates = self.metric(api, "otter_job_updates_accepted_total") - updates0
            commits = self.metric(api, "otter_store_transactions_total") - commits0
            served = {k: self.metric(api, k) for k in ("otter_stream_requests_total", "otter_stream_blocks_served_total",
                                                        "otter_mqtt_messages_received_total",
                                                        "otter_mqtt_messages_published_total")}
            say("P3 %d boards: otterd counters %s" % (n, served))
            self.p3_notes.append("%d boards: since otterd started (registration and power-on included) it received %d MQTT messages "
                                 "and published %d (%d GetStream requests answered with %d blocks; %.0f messages out per second "
                                 "during the update)" % (
                                     n, served["otter_mqtt_messages_received_total"],
                                     served["otter_mqtt_messages_published_total"],
                                     served["otter_stream_requests_total"], served["otter_stream_blocks_served_total"],
                                     (served["otter_mqtt_messages_published_total"] - published0) / wall))
            disk = io_write_bytes(otterd) - io0
            peak = rss_mib(otterd, "VmHWM")
            limited = n * image / self.raw_rate if self.raw_rate else float("nan")
            ratio = wall / limited if self.raw_rate else float("nan")
            cpu_limited = (cpu_o + cpu_b + cpu_s) / (os.cpu_count() or 1)
            say("P3 %d boards: %.1f s (broker-limited %.1f s, CPU-limited %.1f s), peak RSS %.0f MiB, counts %s" % (
                n, wall, limited, cpu_limited, peak, counts))
            if not self.args.smoke:
                self.summary.append(("P3", "%d boards: wall / broker-limited time" % n, "%.1f×" % ratio, "≤ 1.5×",
                                     verdict(ratio <= 1.5)))
                self.summary.append(("P3", "%d boards: otterd peak RSS" % n, "%.0f MiB" % peak, "≤ 500 MiB",
                                     verdict(peak <= 500)))
            failed = n - counts.get("SUCCEEDED", 0)
            if failed:
                reasons = {}
                for e in api.executions(job):
                    if e.get("status") != "SUCCEEDED":
                        why = "%s %s" % (e.get("status"), json.dumps(e.get("statusDetails", {}), sort_keys=True))
                        reasons[why] = reasons.get(why, 0) + 1
                say("P3 %d boards: not SUCCEEDED: %s" % (n, reasons))
                self.p3_notes.append("%d boards: executions not SUCCEEDED: %s" % (
                    n, "; ".join("%d × %s" % (c, w) for w, c in sorted(reasons.items()))))
            with lock:
                table = timeline.table("%d boards × %d KiB" % (n, image // KIB), wall)
            row = "| %d%s | %d KiB | %.1f | %.1f | %.1f× | %.1f | %.1f× | %.0f | %.1f | %.1f | %.1f | %.0f | %.0f | %.2f |" % (
                n, (" (%d not SUCCEEDED)" % failed) if failed else "", image // KIB, wall, limited, ratio, cpu_limited,
                wall / cpu_limited if cpu_limited else float("nan"), peak, cpu_o, cpu_b, cpu_s, updates / wall,
                commits / wall, disk / wall / 1e6)
            return row, table
        finally:
            for sim in sims:
                stop(sim, timeout=60)
            stack.down()

    @staticmethod
    def post_slow(api, path, body):
        import urllib.request
        request = urllib.request.Request(api.base + path, data=json.dumps(body).encode(), method="POST")
        request.add_header("Authorization", "Bearer " + api.token)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=600) as r:
            return json.loads(r.read() or b"null")

    @staticmethod
    def metric(api, name):
        import urllib.request
        request = urllib.request.Request(api.base + "/metrics")
        request.add_header("Authorization", "Bearer " + api.token)
        with urllib.request.urlopen(request, timeout=10) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(name + " ") or line.startswith(name + "{"):
                    return float(line.split()[-1])
        return 0.0

    # ----------------------------------------------------------------------
    def p4(self):
        # 400 KiB: the largest image every profile's app area takes (the tool's limit).
        kib = "256" if self.args.smoke else "400"
        out = subprocess.run([self.install_bin, kib], capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            raise RuntimeError("otter_install_cost failed: " + out.stderr)
        self.sections.append("## P4 install (bench/install, the bootloader engineer's benchmark)\n\n```\n" +
                             out.stdout.strip() + "\n```")
        ratios = [float(line.split()[-1]) for line in out.stdout.splitlines()
                  if line.startswith("numaker") and re.match(r"^\d+\.\d+$", line.split()[-1])]
        if ratios and not self.args.smoke:
            worst = max(ratios)
            self.summary.append(("P4", "worst install time / datasheet minimum (%s KiB image)" % kib, "%.3f×" % worst,
                                 "≤ 1.05×", verdict(worst <= 1.05)))

    def p5(self):
        report = os.path.join(REPO, "build", "m4", "size-report.txt")
        if not os.path.exists(report) and self.args.smoke:
            self.sections.append("## P5 footprint\n\nskipped: no build/m4/size-report.txt in this tree (the m4 preset "
                                 "writes it; `scripts/bench p5` builds it)")
            return
        if not os.path.exists(report):
            raise RuntimeError("%s is missing: run cmake --preset m4 && cmake --build --preset m4" % report)
        with open(report) as f:
            table = f.read().strip()
        sizes = {}
        for line in table.splitlines()[1:]:
            parts = line.split()
            if len(parts) == 3 and parts[1].isdigit():
                sizes[parts[0]] = (int(parts[1]), int(parts[2]))
        # What the seed shipped for the same job (its own figures, Nuvoton's port on the M487).
        seed = {"boot": ("loader 2.5 KiB + Cloner 7.8 KiB, no signature check", 10.3),
                "agent": ("AWS OTA library 11.6 KiB + coreJSON/CBOR 2.4 KiB", 14.0),
                "agent_minimal": ("AWS OTA library 11.6 KiB + coreJSON/CBOR 2.4 KiB", 14.0)}
        rows = []
        for name, (flash, ram) in sorted(sizes.items()):
            what, kib = seed.get(name, ("(no counterpart in the seed)", None))
            ratio = "%.2f×" % (flash / 1024 / kib) if kib else ""
            rows.append("| %s | %d (%.1f KiB) | %d | %s | %s |" % (name, flash, flash / 1024, ram, what, ratio))
        missing = [c for c in ("boot", "agent", "image_verify") if c not in sizes]
        notes = []
        if "boot" in sizes and "image_verify" in sizes:
            rest = sizes["boot"][0] - sizes["image_verify"][0]
            notes.append("- Like for like: `boot` − `image_verify` = %d B (%.1f KiB) of boot logic, board table and "
                         "drivers against the seed's 10.3 KiB loader + Cloner; the signature check Otter adds "
                         "costs %.1f KiB." % (rest, rest / 1024, sizes["image_verify"][0] / 1024))
        if "agent" in sizes:
            notes.append("- `agent` / `agent_minimal` are the state machine, protocol, codec and download record "
                         "without MQTT/TLS, mbedTLS or the bootloader (docs/agent.md); `agent_minimal` drops "
                         "console lines and JSON streams, which AWS's figure also leaves out.")
        text = ["## P5 footprint (Cortex-M4F, `-Os`, from build/m4/size-report.txt)", "",
                "Each component linked alone into a footprint image with the minimal runtime, runtime subtracted "
                "(the agent images: the runtime and the footprint program's stand-in ports, see the notes under the "
                "table; scripts/size-report). `boot` includes image verification (SHA-256 + ECDSA P-256 with mbedTLS); "
                "the seed's loader and Cloner check no signature at all, so the comparison is of a verifying "
                "bootloader with a non-verifying one.", "",
                "| component | flash B | RAM B | seed's figure for the same role | Otter / seed |",
                "|---|---|---|---|---|"] + rows + [""] + notes + ["", "```", table, "```"]
        if missing:
            text += ["", "**Missing from the size report:** %s." % ", ".join(missing)]
        self.sections.append("\n".join(text))

    # ----------------------------------------------------------------------
    def report(self, path, selected, elapsed):
        lines = ["# Otter benchmark results", "",
                 "Written by `bench/bench.py %s` (what `bash scripts/bench` runs after building) in %.1f min, "
                 "build folder `%s`. Machine:" % (" ".join(sys.argv[1:]), elapsed / 60,
                                                 os.path.relpath(self.build, REPO)), ""]
        lines += ["| | |", "|---|---|"] + ["| %s | %s |" % kv for kv in machine_info(self.build)]
        if self.summary:
            lines += ["", "## Goals", "", "| | figure | measured | goal | |", "|---|---|---|---|---|"]
            lines += ["| %s | %s | %s | %s | %s |" % row for row in self.summary]
        lines += ["", "Benchmarks run: %s." % ", ".join(selected), ""]
        for s in self.sections:
            lines += [s, ""]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as f:
            f.write("\n".join(lines))
        say("report written to " + path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("benchmarks", nargs="*", choices=["p1", "p2", "p3", "p4", "p5", []], default=[])
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build", "host"))
    parser.add_argument("--out", default=os.path.join(REPO, "bench", "results", "latest.md"))
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one cell each (CI)")
    parser.add_argument("--fleets", type=int, nargs="*",
                        help="P3: only these fleet sizes (1000, 10000; any other N runs with a 64 KiB image)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, data dirs)")
    args = parser.parse_args()
    selected = args.benchmarks or ["p1", "p2", "p3", "p4", "p5"]
    if "p3" in selected and "p2" not in selected:
        selected.insert(selected.index("p3"), "p2")  # P3's bound is P2's raw rate
    bench = Bench(args)
    started = time.monotonic()
    failures = []
    try:
        for name in ["p1", "p2", "p3", "p4", "p5"]:
            if name not in selected:
                continue
            say("running " + name)
            try:
                getattr(bench, name)()
            except Exception as e:  # one broken benchmark must not hide the others' figures
                failures.append("%s: %s" % (name, e))
                bench.sections.append("## %s\n\n**did not run to the end:** %s" % (name.upper(), e))
                say("%s failed: %s" % (name, e))
        bench.report(args.out, selected, time.monotonic() - started)
    finally:
        if args.keep:
            say("kept " + bench.work)
        else:
            shutil.rmtree(bench.work, ignore_errors=True)
    for f in failures:
        print("FAILED " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
