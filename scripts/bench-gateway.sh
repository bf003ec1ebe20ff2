#!/usr/bin/env bash
# The dev gateway's benchmark (release build): CONNECTIONS (default 10,000) idle WebSocket
# clients (Python websockets, from the test venv) connect to `notification-router dev`, then
# one 1 KB broadcast goes through POST /publish, the route's apigw sink and the gateway's
# management API to every socket. Writes the "gateway" section of docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${CONNECTIONS:-10000}
work=.build-bench
mkdir -p "$work/logs"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # each side holds one descriptor per connection

venv=.venv-test
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check "websockets==15.0.1"
fi

echo "bench-gateway.sh: building notification-router (release)"
swift build -c release --static-swift-stdlib --product notification-router > "$work/logs/build-gateway.log" 2>&1 || { tail -30 "$work/logs/build-gateway.log"; exit 1; }
binary=$(swift build -c release --static-swift-stdlib --show-bin-path)/notification-router

run_dir=$(mktemp -d)
(cd "$run_dir" && exec "$binary" dev --port 0 --log-level warning > "$run_dir/out" 2> "$OLDPWD/$work/logs/gateway.log") &
gateway_pid=$!
trap 'kill "$gateway_pid" 2>/dev/null || true; rm -rf "$run_dir"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$run_dir/out" 2>/dev/null && break; sleep 0.1; done
url=$(awk '/listening on/ {print $NF; exit}' "$run_dir/out")
echo "bench-gateway.sh: $connections clients on $url"
result=$("$venv/bin/python" scripts/bench_gateway.py "$url" "$gateway_pid" "$connections")
echo "  $result"

python3 - "$result" <<'PY' | python3 scripts/write_section.py gateway
import json, sys
sys.path.insert(0, "scripts"); import bench_host
r = json.loads(sys.argv[1])
print("## Dev gateway: idle connections and a broadcast (`scripts/bench-gateway.sh`)\n")
print(f"- {bench_host.describe()}; the clients (one Python process) share the machine.")
print(f"- {r['connections']:,} WebSocket clients connect to `notification-router dev` (release build, in-memory store), then one 1 KB broadcast")
print("  goes through `POST /publish`, the `apigw` sink and the gateway's own management API to every socket.\n")
print("| measure | value |")
print("|---|---:|")
print(f"| connections | {r['connections']:,} |")
print(f"| time to connect them all | {r['connect_seconds']:.2f} s |")
print(f"| gateway RSS before / with the connections open | {r['idle_rss_mb']:.1f} MB / {r['connected_rss_mb']:.1f} MB |")
print(f"| broadcast: publish to report | {r['report_seconds']:.3f} s |")
print(f"| broadcast: publish until every client had the message | {r['all_received_seconds']:.3f} s |")
print(f"| delivered (from the report) | {r['delivered']:,} |")
print(f"| gateway peak RSS | {r['peak_rss_mb']:.1f} MB |")
PY
echo "bench-gateway.sh: wrote the gateway section of docs/benchmarks.md"
