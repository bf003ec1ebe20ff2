#!/usr/bin/env bash
# The scale simulation (README "Scaling"; not part of the tests): several daemons that do not
# know about each other share one @connections budget, which nginx enforces as API Gateway
# enforces an account's (a token bucket; 429 beyond it). Installs nginx when missing, builds
# the release binary, creates .venv-test and starts moto_server (the queues) as
# scripts/test.sh does, runs scripts/scale_sim.py and
# writes the "scale" section of docs/benchmarks.md from its output. It fails when any
# connection got its message other than exactly once.
#
#   scripts/scale-sim.sh                       # 4 processes, 20,000 connections, 2,000/s, burst 1,000
#   scripts/scale-sim.sh PROCESSES CONNECTIONS RATE BURST
set -euo pipefail
cd "$(dirname "$0")/.."
work=.build-sim
mkdir -p "$work"
# shellcheck source=scripts/test-peers.sh
. scripts/test-peers.sh
if ! command -v nginx > /dev/null; then
  echo "scale-sim.sh: installing nginx-light"
  (apt-get install -y -q nginx-light || (apt-get update -q && apt-get install -y -q nginx-light)) > "$work/apt.log" 2>&1
fi

echo "scale-sim.sh: building notification-router (release)"
swift build -c release --product notification-router > "$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }
binary=$(swift build -c release --show-bin-path)/notification-router

start_moto "$work/moto.log"

echo "scale-sim.sh: ${1:-4} daemons, rate: adaptive, one budget of ${3:-2000}/s"
status=0
result=$("$venv/bin/python" scripts/scale_sim.py "$binary" "http://127.0.0.1:$moto_port" "$@") || status=$?
echo "  $result"
[ -n "$result" ] || exit 1

python3 - "$result" <<'PY' | python3 scripts/write_section.py scale
import json, platform, subprocess, sys, datetime
r = json.loads(sys.argv[1])
cpu = subprocess.run(["sh", "-c", "nproc"], capture_output=True, text=True).stdout.strip()
print(f"""## Processes sharing one @connections budget (`scripts/scale-sim.sh`)

{r['processes']} daemons (`notification-router serve`, release build), each with its own SQS queue on
moto_server and its own table of {r['connections'] // r['processes']:,} connections, and the sink option `rate: adaptive`;
none is told about the others or the budget. nginx is the `@connections` endpoint and
enforces one account budget of {r['rate']:,} posts/s with a burst of {r['burst']:,} (`limit_req`: API Gateway's
default scaled down 5x), answering 429 beyond it; its access log counts every post per
connection. The tables are answered by a stand-in, each parallel-scan segment in one page
(moto_server answers each segmented Scan of a 5,000-item table in 0.25-0.5 s, one at a
time, which staggered the daemons' starts by up to 6 s and measured moto instead of the
budget). Each daemon gets one broadcast at the same moment. {cpu} cores, {platform.machine()},
{datetime.date.today()}. Command: `scripts/scale-sim.sh` (`{r['processes']} {r['connections']} {r['rate']} {r['burst']}`).

| measure | value |
|---|---:|
| connections, each expecting its message once | {r['connections']:,} |
| time from the first post to the last delivery | {r['seconds']} s |
| ideal (connections less the burst, over the budget) | {r['ideal_seconds']} s |
| share of the budget used (deliveries / (burst + rate x time)) | {r['budget_used'] * 100:.1f}% |
| posts answered 429 | {r['posts_429']:,} ({r['share_429'] * 100:.2f}% of posts) |
| connections missed / posted twice / ids never stored | {r['missing']} / {r['duplicates']} / {r['unknown_ids']} |

Not yet simulated: one broadcast split into segment tasks across the processes, and the
Lambda variant with continuations (the work-queue split is not built yet).""")
PY
exit "$status"
