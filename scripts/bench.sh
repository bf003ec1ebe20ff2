#!/usr/bin/env bash
# The router's benchmark (release build; not part of the tests). Installs nginx and wrk from
# Debian when missing, starts nginx on loopback as the backends, measures the loopback
# ceiling with wrk, runs the router's scenarios and writes the "router" section of
# docs/benchmarks.md (scripts/write_section.py keeps the other scripts' sections).
#
# Backends (one nginx, one worker, so that the router has the other core):
#   - `@connections` sink: POST /bench/@connections/{id} answers 200, or 410 for ids that
#     start with "stale-";
#   - DynamoDB: Scan answers canned pages of 1,000 items (1% stale), chained by
#     LastEvaluatedKey within each of 4 segments, for the tables `small` (20,000 items) and
#     `large` (200,000 items); Query answers two connections of the queried user;
#     BatchWriteItem answers no unprocessed items. Chosen by X-Amz-Target, with the table,
#     segment, page and user read from the request body (nginx proxies to itself to see it).
#
# Scenarios: broadcast to 20,000 and 200,000 connections; a batch of 10 multicast requests
# x 100 users x 2 connections. Each runs RUNS times (default 3) in its own process; the
# median run is reported.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
work=.build-bench
mkdir -p "$work/pages" "$work/logs"

if ! command -v nginx > /dev/null || ! command -v wrk > /dev/null; then
  echo "bench.sh: installing nginx-light and wrk"
  (apt-get install -y -q nginx-light wrk || (apt-get update -q && apt-get install -y -q nginx-light wrk)) > "$work/logs/apt.log" 2>&1
fi

echo "bench.sh: building router-bench (release)"
swift build -c release --product router-bench > "$work/logs/build.log" 2>&1 || { tail -30 "$work/logs/build.log"; exit 1; }
bench=$(swift build -c release --show-bin-path)/router-bench

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sink_port=$(free_port); ddb_port=$(free_port); ddb_backend_port=$(free_port)

python3 - "$work/pages" <<'PY'
import json, sys
for table, pages in (("small", 5), ("large", 50)):
    for segment in range(4):
        for page in range(pages):
            items = []
            for i in range(1000):
                prefix = "stale-" if i % 100 == 42 else ""
                items.append({"user_id": {"S": f"user-{segment}-{page}-{i % 100}"}, "connection_id": {"S": f"{prefix}{segment}-{page}-{i}-AbCdEfGhIjK="}})
            body = {"Items": items, "Count": len(items), "ScannedCount": len(items)}
            if page + 1 < pages:
                body["LastEvaluatedKey"] = {"user_id": {"S": "next"}, "connection_id": {"S": f"page-{page + 1}"}}
            with open(f"{sys.argv[1]}/{table}-scan-{segment}-{page}.json", "w") as f:
                json.dump(body, f, separators=(",", ":"))
PY

pages=$(cd "$work/pages" && pwd)
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $PWD/$work/nginx.pid;
error_log $PWD/$work/logs/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_buffer_size 1m;
  client_max_body_size 1m;
  default_type application/x-amz-json-1.0;
  map \$request_body \$scan_segment { "~\"Segment\":(?<s>[0-9]+)" \$s; default 0; }
  map \$request_body \$scan_page { "~\"S\":\"page-(?<p>[0-9]+)\"" \$p; default 0; }
  map \$request_body \$scan_table { "~\"TableName\":\"(?<t>[a-z]+)\"" \$t; default small; }
  map \$request_body \$query_user { "~\":u\":\\{\"S\":\"(?<u>[^\"]+)\"" \$u; default ""; }
  server {
    listen 127.0.0.1:$sink_port;
    location ~ ^/bench/@connections/stale- { return 410 '{"message":null}'; }
    location /bench/@connections/ { return 200; }
  }
  server {
    listen 127.0.0.1:$ddb_port;
    location / {
      client_body_in_single_buffer on;
      proxy_http_version 1.1;
      proxy_method GET;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header Connection "";
      proxy_set_header X-Segment \$scan_segment;
      proxy_set_header X-Page \$scan_page;
      proxy_set_header X-Table \$scan_table;
      proxy_set_header X-User \$query_user;
      proxy_pass http://ddb_backend;
    }
  }
  upstream ddb_backend { server 127.0.0.1:$ddb_backend_port; keepalive 64; }
  server {
    listen 127.0.0.1:$ddb_backend_port;
    root $pages;
    location / {
      if (\$http_x_amz_target = "DynamoDB_20120810.Query") {
        return 200 '{"Items":[{"user_id":{"S":"\$http_x_user"},"connection_id":{"S":"\$http_x_user-a="}},{"user_id":{"S":"\$http_x_user"},"connection_id":{"S":"\$http_x_user-b="}}],"Count":2}';
      }
      if (\$http_x_amz_target = "DynamoDB_20120810.BatchWriteItem") { return 200 '{"UnprocessedItems":{}}'; }
      rewrite ^ /\$http_x_table-scan-\$http_x_segment-\$http_x_page.json break;
    }
  }
}
NGINX
nginx -c "$PWD/$work/nginx.conf" -p "$PWD/$work" &
nginx_pid=$!
trap 'kill "$nginx_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fsS -o /dev/null -X POST "http://127.0.0.1:$sink_port/bench/@connections/x" && break; sleep 0.1; done

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"type":"announcement","message":"benchmark broadcast"}'
wrk.headers["Content-Type"] = "application/json"
LUA
echo "bench.sh: loopback ceiling (wrk, 1 thread, 64 connections, 10 s)"
ceiling=$(wrk -t1 -c64 -d10s -s "$work/post.lua" "http://127.0.0.1:$sink_port/bench/@connections/ceiling" | awk '/Requests\/sec/ {print $2}')
echo "  $ceiling requests/s"

median() { # scenario args...: runs it $runs times, prints the median run's JSON line
  for _ in $(seq 1 "$runs"); do "$bench" "$@"; done | python3 -c '
import json, sys
runs = sorted((json.loads(line) for line in sys.stdin if line.strip()), key=lambda r: r["posts_per_second"])
print(json.dumps(runs[len(runs) // 2]))'
}
dynamo="http://127.0.0.1:$ddb_port"
sink="http://127.0.0.1:$sink_port/bench"
echo "bench.sh: broadcast to 20,000 connections"
b20k=$(median broadcast "$dynamo" "$sink" small); echo "  $b20k"
echo "bench.sh: broadcast to 200,000 connections"
b200k=$(median broadcast "$dynamo" "$sink" large); echo "  $b200k"
echo "bench.sh: 10 multicast requests x 100 users x 2 connections"
multi=$(median multicast "$dynamo" "$sink" 10 100); echo "  $multi"
echo "bench.sh: for comparison, the HTTP client alone (20,000 unsigned POSTs) and the fan-out engine alone"
raw=$(median raw "$dynamo" "$sink" 20000); echo "  $raw"
engine=$(median engine "$dynamo" "$sink" 200000); echo "  $engine"

python3 - "$ceiling" "$b20k" "$b200k" "$multi" "$raw" "$engine" "$runs" <<'PY' | python3 scripts/write_section.py router
import json, platform, subprocess, sys, datetime
ceiling = float(sys.argv[1]); rows = [json.loads(a) for a in sys.argv[2:7]]; runs = sys.argv[7]
names = ["Broadcast, 20,000 connections", "Broadcast, 200,000 connections", "Multicast batch, 10 requests x 100 users x 2 connections",
         "For comparison: AsyncHTTPClient alone, 20,000 unsigned POSTs", "For comparison: fan-out engine alone, 200,000 posts answered in memory"]
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
print("## Router fan-out (`scripts/bench.sh`)\n")
print(f"- Date: {datetime.date.today().isoformat()}; machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; {swift}")
print(f"- Backends: one nginx worker on loopback as `@connections` (200, or 410 for 1% stale ids) and as DynamoDB (canned Scan pages of 1,000 items chained by LastEvaluatedKey in 4 segments, Query answers of 2 connections).")
print(f"- Loopback ceiling (wrk, 1 thread, 64 connections, POSTs to the same nginx): **{ceiling:,.0f} requests/s**.")
print(f"- Each scenario ran {runs} times in its own process; the median run is shown. CPU is the router process's user + system time.\n")
print("| scenario | posts | wall time | posts/s | CPU µs/post | peak RSS | share of ceiling | outcome |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for name, r in zip(names, rows):
    pruned = f", {r['pruned']} pruned" if "pruned" in r else ""
    print(f"| {name} | {r['posts']:,} | {r['seconds']:.3f} s | {r['posts_per_second']:,.0f} | {r['cpu_us_per_post']:.1f} | {r['peak_rss_mb']:.1f} MB | {r['posts_per_second'] / ceiling:.0%} | {r['outcome']}{pruned} |")
print("\nThe original pusher, on the same machine and canned backends (DESIGN §11): broadcast to 20,000 connections in 19.2 s")
print("(about 1,040 posts/s, 960 µs of CPU per post, 478 MB peak RSS); 10 multicast requests x 100 users x 2 connections in 2.8 s.")
with open("docs/benchmarks-analysis.md") as analysis:
    print()
    print(analysis.read().strip())
PY
echo "bench.sh: wrote the router section of docs/benchmarks.md"
cat docs/benchmarks.md
