#!/usr/bin/env bash
# Runs the dashboard browser test: installs playwright-core with `npm ci` from
# the committed lock file into a folder of the build tree (never globally,
# never a browser download), then drives Debian's /usr/bin/chromium.
#   run.sh WORK_DIR -- [dashboard_test.mjs arguments]
# An npm failure (no registry access) fails the test loudly.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$1"; shift
[ "${1:-}" = "--" ] && shift
command -v node >/dev/null || { echo "FAIL: node is missing (scripts/install-deps installs it)"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium is missing (scripts/install-deps installs it)"; exit 1; }
mkdir -p "$work"
# playwright-core never downloads a browser; this makes sure no helper tries.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
cp "$here/package.json" "$here/package-lock.json" "$here"/*.mjs "$work/"
cd "$work"
# A lock held while installing, so two tests of this folder never race on node_modules.
exec 9>"$work/.npm.lock"
flock 9
if ! npm ci --no-audit --no-fund --loglevel=error; then
  echo "FAIL: npm ci could not install playwright-core from the npm registry (network or registry problem)" >&2
  exit 1
fi
flock -u 9
exec node "$work/dashboard_test.mjs" "$@"
