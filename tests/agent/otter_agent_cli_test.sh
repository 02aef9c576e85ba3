#!/usr/bin/env bash
# otter-agent as a process: factory image programmed once into its flash files,
# the real bootloader boots it, the agent connects to a broker on 127.0.0.1 and
# reports "no pending job" when notify-next says so; a second start keeps the
# flash (no factory programming again).
set -euo pipefail
AGENT="$1"
WORK="$(mktemp -d)"
BROKER_PID=""
cleanup() { [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
cd "$WORK"
PORT="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
openssl ecparam -name prime256v1 -genkey -noout -out sign.key 2>/dev/null
openssl ec -in sign.key -pubout -out sign.pub 2>/dev/null
# A v1.0.0 image for the NuMaker-IoT-M487 with a descriptor (docs/image-format.md).
/usr/bin/python3 - <<'PY'
import struct, zlib
size = 32 * 1024
img = bytearray((i * 7 + 3) & 0xFF for i in range(size))
struct.pack_into('<II', img, 0, 0x20010000, 0x00000201)
d = struct.pack('<IHHIIIII', 0x5254544F, 1, 52, 1 << 24, 0x04871001, size, 0, 0) + bytes(20)
img[0x200:0x200 + 52] = d + struct.pack('<I', zlib.crc32(d))
open('fw_v1.0.0.bin', 'wb').write(img)
PY
BROKER=/usr/sbin/mosquitto; [ -x "$BROKER" ] || BROKER=mosquitto
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$PORT" > broker.conf
"$BROKER" -c broker.conf > broker.log 2>&1 &
BROKER_PID=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.1; done

run_once() {
  timeout 20 "$AGENT" --thing dev-1 --port "$PORT" --code-verify-key sign.pub \
    --factory-image fw_v1.0.0.bin --data-dir "$WORK/device" --exit-when-idle > "agent$1.log" 2>&1 &
  local pid=$!
  # Answer the agent's $next/get with an empty notify-next until it exits.
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    mosquitto_pub -h 127.0.0.1 -p "$PORT" -t '$aws/things/dev-1/jobs/notify-next' -m '{"timestamp":1}' || true
    sleep 0.2
  done
  wait "$pid"
}
run_once 1
grep -q '\[FACTORY\] fw_v1.0.0.bin programmed' agent1.log
grep -q '\[BOOT\] dev-1 on numaker-iot-m487, running v1.0.0' agent1.log
grep -q '\[OTA\] no pending job' agent1.log
run_once 2
! grep -q FACTORY agent2.log
grep -q 'running v1.0.0' agent2.log
echo "otter-agent: booted, connected, idle; flash kept across restarts"
