#!/usr/bin/env bash
# Bluesky's reference PDS (npm `@atproto/pds`, the real server bsky.social runs) and an
# in-memory PLC directory (`@did-plc/server`) for the publish tests (issue 13).
#
#   pds.sh install   Installs the pinned packages (tests/servers/pds/package-lock.json) into
#                    tests/servers/pds/node_modules with `npm ci`: quiet, skipped when that
#                    lock is already installed. Needs Node 18 or later (0.5.x would need 22)
#                    and a C++ toolchain (better-sqlite3 builds natively). Names the step
#                    that failed.
#
# The tests start the servers themselves: `node tests/servers/pds/start.js DIR` (see there).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
pds="$here/pds"

step() {
  local name="$1"
  shift
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    echo "pds.sh install: $name failed:" >&2
    tail -n 40 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}

node_is_recent() {
  command -v node >/dev/null && command -v npm >/dev/null &&
    node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'
}

install() {
  step "checking for Node 18 or later and npm" node_is_recent
  local stamp="$pds/node_modules/.repurpose-lock"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$pds/package-lock.json"; then
    return 0
  fi
  step "npm ci in tests/servers/pds" npm ci --prefix "$pds" --no-audit --no-fund --loglevel=error
  step "loading the installed PDS" node -e 'require(process.argv[1] + "/node_modules/@atproto/pds"); require(process.argv[1] + "/node_modules/@did-plc/server")' "$pds"
  cp "$pds/package-lock.json" "$stamp"
}

case "${1:-}" in
  install) install ;;
  *)
    echo "usage: pds.sh install" >&2
    exit 2
    ;;
esac
