#!/usr/bin/env bash
# The project's test command (README): provisions the test peers, runs every test, and
# exits with the tests' status.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh --filter Name   # arguments go to `swift test`
#
# It installs Debian's chromium and chromium-driver when missing (the dev console's browser
# test), creates .venv-test (pinned moto[server], websockets, python-hcl2 and selenium from PyPI) when missing, starts
# moto_server on a free loopback port (MOTO_URL), exports the venv's Python (TEST_PYTHON),
# runs `swift test` (one test at a time), then checks the deployment files (scripts/check_deploy.py: cfn-lint on the
# SAM template, the Terraform module parsed) and a bounded fuzz run of the request parser
# (FUZZ_SECONDS per target, default 10; 0 skips it; CI=true always fuzzes), and stops moto. With CI=true a peer that cannot be
# started is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

state=.test-state
mkdir -p "$state"
if ! command -v chromium > /dev/null || ! command -v chromedriver > /dev/null; then
  echo "test.sh: installing chromium and chromium-driver (the dev console's browser test)"
  (apt-get install -y -q chromium chromium-driver || (apt-get update -q && apt-get install -y -q chromium chromium-driver)) > "$state/apt.log" 2>&1 \
    || { echo "test.sh: could not install chromium; see $state/apt.log" >&2; if [ "${CI:-}" = "true" ]; then exit 1; fi; }
fi
# shellcheck source=scripts/test-peers.sh
. scripts/test-peers.sh

start_moto "$state/moto.log"
if curl -fsS -o /dev/null "http://127.0.0.1:$moto_port/moto-api/"; then
  export MOTO_URL="http://127.0.0.1:$moto_port"
  echo "test.sh: moto_server at $MOTO_URL (pid $moto_pid)"
else
  echo "test.sh: moto_server did not start; its log:" >&2
  cat "$state/moto.log" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
fi
export TEST_PYTHON="$PWD/$venv/bin/python"

status=0
# One test at a time: several tests hold the product to its deadlines (an answer before a
# Lambda deadline, a delivery within 3 s of a restart), and on a small machine tests running
# side by side starve each other's in-process fake servers (about 100 s serial on 2 cores).
swift test --no-parallel "$@" || status=$?

if [ $# -eq 0 ]; then
  echo "test.sh: checking the deployment files (cfn-lint, Terraform parse)"
  "$venv/bin/python" scripts/check_deploy.py || status=1
fi

# Fuzzing: FUZZ_SECONDS per target (default 10; 0 skips it), after a full run. Under CI=true it
# always runs, at least 10 s per target, whatever the arguments or FUZZ_SECONDS say.
fuzz_seconds=${FUZZ_SECONDS:-10}
fuzz=false
if [ $# -eq 0 ] && [ "$fuzz_seconds" != "0" ]; then fuzz=true; fi
if [ "${CI:-}" = "true" ]; then
  fuzz=true
  if [ "$fuzz_seconds" -lt 10 ] 2>/dev/null; then fuzz_seconds=10; fi
fi
if [ "$fuzz" = "true" ]; then
  echo "test.sh: fuzzing the request parser and the SNS message parser for ${fuzz_seconds}s each"
  fuzz_status=0
  FUZZ_SECONDS="$fuzz_seconds" scripts/fuzz.sh > "$state/fuzz.log" 2>&1 || fuzz_status=$?
  case "$fuzz_status" in
    0) ;;
    3) status=1; echo "test.sh: a fuzz target did not build; its log:" >&2; tail -40 "$state/fuzz.log" >&2 ;;
    *) status=1; echo "test.sh: a fuzzer found a crash (input in .build-fuzz/crashes/); its log:" >&2; tail -40 "$state/fuzz.log" >&2 ;;
  esac
  grep -E "^fuzz.sh: |^Done [0-9]+ runs" "$state/fuzz.log" || true
fi
exit "$status"
