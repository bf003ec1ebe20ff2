#!/usr/bin/env bash
# The scale simulation (README "Scaling"; not part of the tests): several processes that do
# not know about each other share one @connections budget (three scenarios: their own
# broadcasts; one broadcast split across daemons; the same split across 3 s Lambda
# invocations), which nginx enforces as API Gateway
# enforces an account's (a token bucket; 429 beyond it). Installs nginx when missing, builds
# the release binary, creates .venv-test and starts moto_server (the queues) as
# scripts/test.sh does, runs scripts/scale_sim.py and
# writes the "scale" section of docs/benchmarks.md from its output. It fails when any
# connection got its message other than exactly once, or an invocation answered late.
#
#   scripts/scale-sim.sh                       # 4 processes, 20,000 connections, 2,000/s, burst 1,000
#   scripts/scale-sim.sh PROCESSES CONNECTIONS RATE BURST
#   SCENARIOS="split lambda" scripts/scale-sim.sh   # some of: separate split lambda
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

status=0
results=()
for scenario in ${SCENARIOS:-separate split lambda}; do
  echo "scale-sim.sh: $scenario: ${1:-4} processes, rate: adaptive, one budget of ${3:-2000}/s"
  result=$("$venv/bin/python" scripts/scale_sim.py "$binary" "http://127.0.0.1:$moto_port" "$scenario" "$@") || status=$?
  echo "  $result"
  [ -n "$result" ] || exit 1
  results+=("$result")
done

python3 - "${results[@]}" <<'PY' | python3 scripts/write_section.py scale
import json, platform, subprocess, sys, datetime
cpu = subprocess.run(["sh", "-c", "nproc"], capture_output=True, text=True).stdout.strip()
runs = {r["scenario"]: r for r in map(json.loads, sys.argv[1:])}
first = next(iter(runs.values()))
print(f"""## Processes sharing one @connections budget (`scripts/scale-sim.sh`)

nginx is the `@connections` endpoint and enforces one account budget of {first['rate']:,} posts/s with a
burst of {first['burst']:,} (`limit_req`: API Gateway's default scaled down 5x), answering 429 beyond it;
its access log counts every post per connection. Every process has the sink option
`rate: adaptive` and is told nothing about the others or the budget. Queues are on
moto_server; the tables are answered by a stand-in (moto_server answers each segmented Scan
of a 5,000-item table in 0.25-0.5 s, one at a time, which measured moto instead of the
budget). {cpu} cores, {platform.machine()}, {datetime.date.today()}. Command: `scripts/scale-sim.sh`
(`{first['processes']} {first['connections']} {first['rate']} {first['burst']}`).

- **separate**: {first['processes']} daemons, each with its own queue and table of {first['connections'] // first['processes']:,}
  connections (whole segments per Scan page), each given its own broadcast at the same moment.
- **split**: {first['processes']} daemons consuming one request queue and one work queue; one broadcast
  to one table of {first['connections']:,} connections (pages of 250), cut into 16 segment tasks
  (`split: {{ via: work, segments: 16, task_budget: 5s }}`).
- **lambda**: the same split through {first['processes']} Lambda runtimes (the binary as `bootstrap`) under
  a Runtime API emulator; an event source mapping emulator ({first['processes']} pollers; batch size 10 on
  the request queue, 2 on the work queue) gives every invocation 3 s, deletes what it acknowledges and leaves its
  `batchItemFailures` for redelivery.
""")
names = [n for n in ("separate", "split", "lambda") if n in runs]
print("| measure | " + " | ".join(names) + " |")
print("|---|" + "---:|" * len(names))
def row(label, value):
    print(f"| {label} | " + " | ".join(value(runs[n]) for n in names) + " |")
row("connections, each expecting its message once", lambda r: f"{r['connections']:,}")
row("time from the first post to the last delivery", lambda r: f"{r['seconds']} s")
row("ideal (connections less the burst, over the budget)", lambda r: f"{r['ideal_seconds']} s")
row("share of the budget used (deliveries / (burst + rate x time))", lambda r: f"{r['budget_used'] * 100:.1f}%")
row("posts answered 429", lambda r: f"{r['posts_429']:,} ({r['share_429'] * 100:.2f}%)")
row("tasks created / continued / finished", lambda r: " / ".join(str(r["tasks"].get(k, "-")) for k in ("created", "continued", "finished")) if r["tasks"] else "-")
row("invocations / answered past the deadline or failed", lambda r: f"{r['tasks']['invocations']} / {r['tasks']['late'] + r['tasks']['errors']}" if "invocations" in r["tasks"] else "-")
row("connections missed / posted twice / ids never stored", lambda r: f"{r['missing']} / {r['duplicates']} / {r['unknown_ids']}")
PY
exit "$status"
