#!/usr/bin/python3
"""Otter end to end: simulated NuMaker boards (otter-sim: the real bootloader
and agent on simulated flash) updated by a real otterd over a real Mosquitto.

Each scenario asserts the boards' final flash contents (which image is
installed, its SHA-256, the bootloader state) from otter-sim's report and the
job/execution states otterd recorded, not just exit codes.

  e2e_test.py --scenario NAME --otterd PATH --sim PATH --build-dir D --repo R
Exit 0 = pass, 1 = fail, 77 = skipped (a component is not built).
"""

import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (ApiError, Failure, board_of, check, log, run_scenario, sha256_file, wait_for)  # noqa: E402

SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn


# --- helpers ---------------------------------------------------------------

def one_board(env, board, thing=None):
    thing = thing or "e2e-" + board
    env.api.create_thing(thing, board, env.creds)
    return thing


def ota_job(env, firmware_path, things=(), groups=(), **extra):
    fw = env.api.upload_firmware(firmware_path, signing_profile="e2e")
    body = {"firmwareId": fw["firmwareId"], "things": list(things), "groups": list(groups)}
    body.update(extra)
    return env.api.create_job(body)["jobId"]


def run_single(env, thing, board, factory, *extra, timeout=120):
    sim = env.sim()
    sim.start("--board", board, "--credentials", os.path.join(env.creds, thing),
              "--broker", "127.0.0.1:%d" % env.stack.mqtt_port, "--factory", factory,
              "--self-test-timeout-ms", "8000", "--until", "idle", "--idle-seconds", "2",
              "--timeout", str(timeout - 10), *extra)
    code, report = sim.wait(timeout)
    check(code == 0, "otter-sim ended with %d (3 = the board never settled, 4 = it halted); console:\n%s" %
          (code, sim.tail()))
    return board_of(report, thing), sim


def expect_installed(b, version, image_path, boot_state):
    check(b["state"] == "running", "board %s is %s, not running" % (b["name"], b["state"]))
    check(b["installed_version"] == version, "board %s has v%s installed, expected v%s" %
          (b["name"], b["installed_version"], version))
    check(b["installed_sha256"] == sha256_file(image_path),
          "board %s: installed image digest %s is not that of %s" % (b["name"], b["installed_sha256"], image_path))
    check(b["boot_state"] == boot_state, "board %s: bootloader state %s, expected %s (last error %s)" %
          (b["name"], b["boot_state"], boot_state, b.get("last_error")))


def expect_execution(env, job, thing, status, reason_part=None):
    e = env.api.wait_execution(job, thing, timeout=30)
    check(e["status"] == status, "execution of %s on %s is %s, expected %s (details %s)" %
          (job, thing, e["status"], status, e.get("statusDetails")))
    if reason_part:
        reason = (e.get("statusDetails") or {}).get("reason", "")
        check(reason_part in reason, "execution reason %r does not mention %r" % (reason, reason_part))
    return e


def update_succeeds_on(env, board, link):
    thing = one_board(env, board)
    old = env.firmware("1.0.0", board)
    new = env.firmware("1.0.1", board)
    job = ota_job(env, new, things=[thing])
    b, _ = run_single(env, thing, board, old, "--link", link)
    expect_installed(b, "1.0.1", new, "idle")
    check(b["previous_version"] == "1.0.0", "previous version %s, expected 1.0.0" % b["previous_version"])
    e = expect_execution(env, job, thing, "SUCCEEDED", "v1.0.1")
    statuses = [ev["status"] for ev in e.get("events", [])]
    check("IN_PROGRESS" in statuses, "otterd recorded no IN_PROGRESS update: %s" % statuses)


# --- scenarios -------------------------------------------------------------

@scenario
def success_numaker_iot_m487(env):
    update_succeeds_on(env, "numaker-iot-m487", "wifi")


@scenario
def success_numaker_pfm_m487(env):
    update_succeeds_on(env, "numaker-pfm-m487", "ethernet")


@scenario
def success_numaker_m2354(env):
    update_succeeds_on(env, "numaker-m2354", "wifi")


@scenario
def rollback_when_self_test_fails(env):
    board = "numaker-iot-m487"
    thing = one_board(env, board)
    good = env.firmware("1.0.1", board)
    bad = env.firmware("1.0.2", board, behaviour="fail-self-test")
    job = ota_job(env, bad, things=[thing])
    b, sim = run_single(env, thing, board, good)
    expect_installed(b, "1.0.1", good, "rolled-back")
    expect_execution(env, job, thing, "FAILED", "self-test")
    check("restored v1.0.1" in sim.console(), "the console does not show the restore")


@scenario
def rollback_when_new_firmware_never_confirms(env):
    board = "numaker-iot-m487"
    thing = one_board(env, board)
    good = env.firmware("1.0.1", board)
    bad = env.firmware("1.0.2", board, behaviour="crash")
    job = ota_job(env, bad, things=[thing])
    b, _ = run_single(env, thing, board, good)
    expect_installed(b, "1.0.1", good, "rolled-back")
    e = env.api.wait_execution(job, thing, timeout=60)
    check(e["status"] in ("FAILED", "TIMED_OUT", "IN_PROGRESS"),
          "execution of a crashing image ended %s" % e["status"])


@scenario
def no_backup_mode_keeps_the_new_image(env):
    board = "numaker-iot-m487"
    thing = one_board(env, board)
    good = env.firmware("1.0.1", board)
    bad = env.firmware("1.0.2", board, behaviour="fail-self-test")
    job = ota_job(env, bad, things=[thing])
    b, _ = run_single(env, thing, board, good, "--mode", "no-backup")
    # The seed's NVT_OTA_WITHOUT_BACKUP_BANK: nothing to roll back to.
    expect_installed(b, "1.0.2", bad, "trial-failed")
    expect_execution(env, job, thing, "FAILED", "self-test")


@scenario
def no_backup_mode_installs(env):
    board = "numaker-pfm-m487"
    thing = one_board(env, board)
    old = env.firmware("1.0.0", board)
    new = env.firmware("1.0.1", board)
    job = ota_job(env, new, things=[thing])
    b, _ = run_single(env, thing, board, old, "--mode", "no-backup")
    expect_installed(b, "1.0.1", new, "idle")
    expect_execution(env, job, thing, "SUCCEEDED", "v1.0.1")


@scenario
def wrong_signing_key_refused(env):
    board = "numaker-iot-m487"
    thing = one_board(env, board)
    old = env.firmware("1.0.0", board)
    new = env.firmware("1.0.1", board)
    # Signed by another key: otterd accepts it (it verifies against the
    # certificate given with the upload) but the board trusts only the "e2e"
    # profile's certificate.
    env.api.call("POST", "/api/v1/signing-profiles", {"name": "intruder"})
    fw = env.api.upload_firmware(new, signing_profile="intruder")
    job = env.api.create_job({"firmwareId": fw["firmwareId"], "things": [thing]})["jobId"]
    b, _ = run_single(env, thing, board, old)
    expect_installed(b, "1.0.0", old, "idle")
    e = env.api.wait_execution(job, thing, timeout=30)
    check(e["status"] in ("FAILED", "REJECTED"), "execution is %s; a wrongly signed image must be refused" % e["status"])


@scenario
def bad_signature_refused(env):
    board = "numaker-iot-m487"
    thing = one_board(env, board)
    old = env.firmware("1.0.0", board)
    new = env.firmware("1.0.1", board)
    other = env.firmware("1.0.1", board, behaviour="hang")  # same size, other bytes
    good = env.api.upload_firmware(new, signing_profile="e2e")
    wrong = env.api.upload_firmware(other, signing_profile="e2e")
    # otterd refuses to store an image with a signature over other bytes...
    try:
        import base64
        env.api.upload_firmware(new, signature=base64.b64decode(wrong["signature"]),
                                certificate_pem=env.api.call("GET", "/api/v1/signing-profiles/e2e")["certificatePem"])
        raise Failure("otterd stored an image whose signature is over another file")
    except Exception as e:  # noqa: BLE001
        if isinstance(e, Failure):
            raise
        log("otterd refused the upload: %s" % e)
    # ...so hand the board a job document whose signature belongs to the
    # other file, streaming the real one: the board must refuse it.
    carrier = env.api.create_job({"firmwareId": good["firmwareId"], "things": ["e2e-nobody"]}) \
        if _thing(env, "e2e-nobody") else None
    document = carrier["document"]
    document["afr_ota"]["files"][0]["sig-sha256-ecdsa"] = wrong["signature"]
    job = env.api.create_job({"document": document, "targets": [{"thing": thing}]})["jobId"]
    b, _ = run_single(env, thing, board, old)
    expect_installed(b, "1.0.0", old, "idle")
    e = env.api.wait_execution(job, thing, timeout=30)
    check(e["status"] in ("FAILED", "REJECTED"), "execution is %s; a bad signature must be refused" % e["status"])


def _thing(env, name):
    env.api.call("POST", "/api/v1/things", {"thingName": name, "board": "numaker-iot-m487"})
    return True


@scenario
def downgrade_refused(env):
    board = "numaker-iot-m487"
    thing = one_board(env, board)
    current = env.firmware("1.0.1", board)
    older = env.firmware("1.0.0", board)
    job = ota_job(env, older, things=[thing])
    b, _ = run_single(env, thing, board, current)
    expect_installed(b, "1.0.1", current, "idle")
    e = env.api.wait_execution(job, thing, timeout=30)
    check(e["status"] in ("FAILED", "REJECTED"), "execution is %s; a downgrade must be refused" % e["status"])


@scenario
def wrong_board_refused(env):
    board = "numaker-iot-m487"
    thing = one_board(env, board)
    old = env.firmware("1.0.0", board)
    foreign = env.firmware("1.0.1", "numaker-m2354")
    try:
        job = ota_job(env, foreign, things=[thing])
    except Exception as e:  # noqa: BLE001 - otterd may refuse it up front, which is a pass for the service side
        log("otterd refused the job up front: %s" % e)
        job = None
    b, _ = run_single(env, thing, board, old)
    expect_installed(b, "1.0.0", old, "idle")
    if job:
        e = env.api.wait_execution(job, thing, timeout=30)
        check(e["status"] in ("FAILED", "REJECTED"), "execution is %s; an image for another board must be refused" %
              e["status"])


@scenario
def broker_restart_mid_download_resumes(env):
    board = "numaker-iot-m487"
    thing = one_board(env, board)
    old = env.firmware("1.0.0", board)
    size = 200 * 1024
    new = env.firmware("1.0.1", board, size="200k")  # 100 blocks of 2 KiB
    job = ota_job(env, new, things=[thing])
    sim = env.sim()
    # 200 KiB at 256 kbit/s: about 6 s of download to interrupt.
    sim.start("--board", board, "--credentials", os.path.join(env.creds, thing),
              "--broker", "127.0.0.1:%d" % env.stack.mqtt_port, "--factory", old, "--link", "rtt=40ms,bw=256kbit",
              "--until", "version=1.0.1", "--idle-seconds", "2", "--timeout", "150")

    def received():
        detail = (env.api.execution(job, thing).get("statusDetails") or {}).get("receive", "0/1")
        return int(detail.split("/")[0])
    wait_for("half the blocks to arrive", lambda: received() >= 51, 90, 0.1)
    env.stack.restart_broker(down_for=1.0)
    code, report = sim.wait(170)
    check(code == 0, "otter-sim did not finish the update after the broker restart:\n" + sim.tail())
    b = board_of(report, thing)
    expect_installed(b, "1.0.1", new, "idle")
    expect_execution(env, job, thing, "SUCCEEDED", "v1.0.1")
    check("MQTT connection lost" in sim.console(), "the board never lost its connection: the broker did not restart")
    check(b["resets"] == 2, "the board reset %d times; only the install's reset was expected" % (b["resets"] - 1))
    # Resumed, not started over: starting over after 51 blocks would carry at
    # least 1.51x the image; resuming costs at most one window (32 blocks)
    # again plus TLS and CBOR overhead.
    down = report["link"]["bytes_down"]
    check(down < 1.45 * size, "the link carried %d bytes to the board for a %d-byte image: the download started "
          "over" % (down, size))


@scenario
def otterd_kill_mid_rollout_recovers(env):
    board = "numaker-iot-m487"
    names = ["e2e-k%02d" % i for i in range(1, 11)]
    for n in names:
        env.api.create_thing(n, board, env.creds)
    old = env.firmware("1.0.0", board)
    new = env.firmware("1.0.1", board, size="64k")
    job = ota_job(env, new, things=names)
    sim = env.sim()
    sim.start("--board", board, "--credentials", env.creds, "--fleet", "10", "--prefix", "e2e-k",
              "--broker", "127.0.0.1:%d" % env.stack.mqtt_port, "--factory", old, "--link", "rtt=40ms,bw=512kbit",
              "--until", "version=1.0.1", "--idle-seconds", "2", "--timeout", "200")

    def some_progress():
        counts = env.api.job(job).get("executionCounts", {})
        return counts.get("IN_PROGRESS", 0) > 0
    wait_for("the rollout to be in progress", some_progress, 60, 0.1)
    env.stack.kill_otterd()
    time.sleep(1.0)
    env.stack.start_otterd()
    code, report = sim.wait(220)
    check(code == 0, "the fleet did not finish after otterd was killed:\n" + sim.tail())
    for n in names:
        expect_installed(board_of(report, n), "1.0.1", new, "idle")
        expect_execution(env, job, n, "SUCCEEDED")


def power_cut_mid_download_recovers_on(env, board):
    thing = one_board(env, board)
    old = env.firmware("1.0.0", board)
    new = env.firmware("1.0.1", board, size="64k")  # 32 blocks of 2 KiB
    job = ota_job(env, new, things=[thing])
    b, sim = run_single(env, thing, board, old, "--cut-during-download", "10")
    check(b["power_cuts"] == 1, "expected one power cut, the report says %d" % b["power_cuts"])
    expect_installed(b, "1.0.1", new, "idle")
    expect_execution(env, job, thing, "SUCCEEDED", "v1.0.1")
    resumed = re.search(r"resuming download: (\d+)/(\d+) blocks", sim.console())
    check(resumed is not None, "the agent did not resume from the blocks already in flash")
    # The cut tore the write after the 10th block: the record holds at least
    # those 10 (a record that lost them would have started over).
    check(int(resumed.group(1)) >= 10, "the agent resumed with %s blocks; at least 10 were recorded before the cut"
          % resumed.group(1))
    return b


@scenario
def power_cut_mid_download_recovers(env):
    power_cut_mid_download_recovers_on(env, "numaker-iot-m487")


@scenario
def power_cut_mid_download_recovers_on_m2354(env):
    # The M2354 stages and keeps its download record on the SD card (512-byte
    # blocks written in place, no erase): docs/staging-media.md.
    power_cut_mid_download_recovers_on(env, "numaker-m2354")


@scenario
def power_cut_mid_install_recovers(env):
    board = "numaker-iot-m487"
    thing = one_board(env, board)
    old = env.firmware("1.0.0", board)
    new = env.firmware("1.0.1", board, size="64k")
    job = ota_job(env, new, things=[thing])
    # Operation 40 of the install falls in the backup copy of a 64 KiB image.
    b, sim = run_single(env, thing, board, old, "--cut-during-install", "40")
    check(b["power_cuts"] == 1, "expected one power cut, the report says %d" % b["power_cuts"])
    check("power lost at flash operation" in sim.console(), "the cut did not hit the install")
    expect_installed(b, "1.0.1", new, "idle")
    expect_execution(env, job, thing, "SUCCEEDED", "v1.0.1")


@scenario
def fleet_100_rollout_aborts_on_failures(env):
    board = "numaker-iot-m487"
    n = 100
    names = ["e2e-f%03d" % i for i in range(1, n + 1)]
    for name in names:
        env.api.create_thing(name, board, env.creds)
    env.api.call("POST", "/api/v1/groups", {"thingGroupName": "e2e-fleet", "things": names})
    good = env.firmware("1.0.0", board, size="8k")
    bad = env.firmware("1.0.1", board, behaviour="fail-self-test", size="8k")
    # At most 20 released per minute; cancel once 20% of at least 10 finished
    # executions failed.
    job = ota_job(env, bad, groups=["e2e-fleet"],
                  jobExecutionsRolloutConfig={"maximumPerMinute": 20},
                  abortConfig={"criteriaList": [{"failureType": "FAILED", "action": "CANCEL",
                                                 "thresholdPercentage": 20, "minNumberOfExecutedThings": 10}]})
    sim = env.sim()
    sim.start("--board", board, "--credentials", env.creds, "--fleet", n, "--prefix", "e2e-f",
              "--broker", "127.0.0.1:%d" % env.stack.mqtt_port, "--factory", good, "--spread", "2",
              "--self-test-timeout-ms", "8000", "--timeout", "240")
    wait_for("the job to be aborted", lambda: env.api.job(job)["status"] != "IN_PROGRESS", 180, 0.5)
    j = env.api.job(job)
    check(j["status"] == "CANCELED" and j.get("reasonCode", "") != "",
          "job ended %s (reason %r); expected CANCELED by the abort criterion" % (j["status"], j.get("reasonCode")))
    # Let boards that were mid-way finish their rollback, then stop them.
    time.sleep(4)
    report = sim.stop()
    executions = {}
    for t in names:
        try:
            executions[t] = env.api.execution(job, t)
        except ApiError as e:
            check(e.code == 404, str(e))
            executions[t] = {"status": None, "events": []}  # never released: no execution at all

    def released(e):
        return any(ev["status"] not in ("QUEUED", "CANCELED") for ev in e.get("events", []))
    failed = [t for t, e in executions.items() if e["status"] == "FAILED"]
    interrupted = [t for t, e in executions.items() if e["status"] != "FAILED" and released(e)]
    never = [t for t, e in executions.items() if not released(e)]
    log("%d failed, %d interrupted by the abort, %d never started" % (len(failed), len(interrupted), len(never)))
    check(len(failed) >= 10, "only %d executions FAILED before the abort" % len(failed))
    check(len(never) > 0, "every execution started: the rollout rate held nothing back")
    for t in failed:
        expect_installed(board_of(report, t), "1.0.0", good, "rolled-back")
    for t in interrupted:
        # Canceled mid-way: v1.0.0 again, or v1.0.1 still unconfirmed (its
        # next reset restores v1.0.0); never a confirmed v1.0.1.
        b = board_of(report, t)
        check(b["installed_version"] == "1.0.0" or b["boot_state"] == "trial",
              "board %s was interrupted but runs a confirmed v%s (%s)" % (t, b["installed_version"], b["boot_state"]))
    for t in never:
        check(executions[t]["status"] in (None, "CANCELED"), "execution on %s that never started is %s" %
              (t, executions[t]["status"]))
        expect_installed(board_of(report, t), "1.0.0", good, "idle")


@scenario
def fleet_1000_update(env):
    board = "numaker-iot-m487"
    n = 1000
    names = ["e2e-d%04d" % i for i in range(1, n + 1)]
    for name in names:
        env.api.create_thing(name, board, env.creds)
    env.api.call("POST", "/api/v1/groups", {"thingGroupName": "e2e-thousand", "things": names})
    old = env.firmware("1.0.0", board, size="8k")
    new = env.firmware("1.0.1", board, size="8k")
    job = ota_job(env, new, groups=["e2e-thousand"])
    sim = env.sim()
    started = time.monotonic()
    sim.start("--board", board, "--credentials", env.creds, "--fleet", n, "--prefix", "e2e-d",
              "--broker", "127.0.0.1:%d" % env.stack.mqtt_port, "--factory", old, "--spread", "10",
              "--until", "version=1.0.1", "--idle-seconds", "2", "--timeout", "500")
    code, report = sim.wait(560)
    log("1,000 boards updated in %.1f s" % (time.monotonic() - started))
    check(code == 0, "the 1,000-board fleet did not all reach v1.0.1:\n" + sim.tail())
    digest = sha256_file(new)
    for b in report["boards"]:
        check(b["installed_version"] == "1.0.1" and b["installed_sha256"] == digest and b["boot_state"] == "idle",
              "board %s: v%s %s %s" % (b["name"], b["installed_version"], b["installed_sha256"], b["boot_state"]))
    counts = env.api.job(job).get("executionCounts", {})
    check(counts.get("SUCCEEDED", 0) == n, "otterd counts %s" % counts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--otterd", default="")
    parser.add_argument("--sim", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    return run_scenario(SCENARIOS[args.scenario], args)


if __name__ == "__main__":
    sys.exit(main())
