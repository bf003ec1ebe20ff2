"""Scale simulation: processes sharing one @connections budget (run by scripts/scale-sim.sh).

usage: scale_sim.py BINARY MOTO_URL [PROCESSES CONNECTIONS RATE BURST]

Starts nginx as the @connections endpoint, enforcing an account budget as API Gateway does
(`limit_req`: a bucket of BURST posts drained at RATE per second, 429 beyond it; every post
logged with its connection id), and a DynamoDB stand-in answering each process's table (CONNECTIONS / PROCESSES
connections) per parallel-scan segment, gives each process its own SQS queue on moto,
starts PROCESSES daemons
(`notification-router serve`, sink `rate: adaptive`, none told about the others or the
budget), sends each one broadcast at the same moment, and waits until every connection has
its message (by the daemons' own metrics). Prints one JSON line with the measurements, read
from nginx's log; exits 1 if any connection got its message other than exactly once.
"""
import asyncio
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import socket
import threading
import time
import urllib.request

import boto3

binary, moto = sys.argv[1], sys.argv[2]
processes, connections, rate, burst = (int(a) for a in (sys.argv[3:7] or ["4", "20000", "2000", "1000"]))
per_process = connections // processes


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


work = pathlib.Path(tempfile.mkdtemp(prefix="scale-sim-"))
work.chmod(0o755)  # nginx's worker runs as nobody
sink_port = free_port()
access_log = work / "access.log"
# nginx's limit_req is the account budget (a bucket of `burst` drained at `rate`, 429 beyond);
# a post within it reaches the static handler, whose 404 (no such file) becomes the 200.
(work / "nginx.conf").write_text(f"""worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  limit_req_zone $server_name zone=account:1m rate={rate}r/s;
  log_format posts '$msec $status $uri';
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  server {{
    listen 127.0.0.1:{sink_port};
    server_name sim;
    access_log {access_log} posts buffer=256k;
    root {work}/empty;
    location /@connections/ {{
      limit_req zone=account burst={burst} nodelay;
      limit_req_status 429;
      error_page 404 =200 @delivered;
    }}
    location @delivered {{ return 200; }}
  }}
}}
""")
(work / "empty").mkdir()
nginx = subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work)], stderr=subprocess.DEVNULL)


def scan_page(request):
    """A whole segment of one process's table in one page (moto_server answers each segmented
    Scan of a 5,000-item table in 0.25-0.5 s, one at a time, which would stagger the processes'
    starts by seconds and measure moto instead of the budget)."""
    table, segment, total = request["TableName"], request.get("Segment", 0), request.get("TotalSegments", 1)
    p = int(table.rsplit("-", 1)[1])
    items = [{"user_id": {"S": f"user-{p}-{i // 2}"}, "connection_id": {"S": f"c{p}-{i}="}} for i in range(segment, per_process, total)]
    return {"Items": items, "Count": len(items), "ScannedCount": len(items)}


async def dynamo(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ":" in line)}
            request = json.loads(await reader.readexactly(int(headers.get("content-length", "0"))) or b"{}")
            target = headers.get("x-amz-target", "")
            body = json.dumps(scan_page(request) if target.endswith(".Scan") else {"UnprocessedItems": {}}).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def run_dynamo(ports):
    async def main():
        server = await asyncio.start_server(dynamo, "127.0.0.1", 0, backlog=1024)
        ports.append(server.sockets[0].getsockname()[1])
        await server.serve_forever()
    asyncio.run(main())


ports = []
threading.Thread(target=run_dynamo, args=(ports,), daemon=True).start()
while not ports:
    time.sleep(0.05)
dynamo_port = ports[0]

aws = dict(endpoint_url=moto, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
sqs = boto3.client("sqs", **aws)
run = f"sim-{int(time.time())}"
queues = [sqs.create_queue(QueueName=f"{run}-{p}")["QueueUrl"] for p in range(processes)]

daemons = []
environment = dict(os.environ, AWS_ENDPOINT_URL=moto, AWS_ENDPOINT_URL_DYNAMODB=f"http://127.0.0.1:{dynamo_port}", AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1", LOG_LEVEL="notice")
for p in range(processes):
    directory = work / f"p{p}"
    directory.mkdir()
    (directory / "routes.yaml").write_text(f"""version: 1
stores: {{ connections: {{ type: dynamodb, table: {run}-{p} }} }}
sinks: {{ websocket: {{ type: apigw, endpoint: "http://127.0.0.1:{sink_port}", rate: adaptive }} }}
sources:
  queue: {{ type: sqs, queue: "{queues[p]}", region: us-east-1, wait_time: 1s }}
routes: [{{ name: main, from: [queue], to: websocket }}]
serve: {{ host: 127.0.0.1, port: 0 }}
""")
    log = open(directory / "daemon.log", "w")
    daemons.append((subprocess.Popen([binary, "serve", "--port", "0"], cwd=directory, env=environment, stdout=log, stderr=subprocess.STDOUT), directory))
time.sleep(3)  # the daemons start and begin polling
for p, (daemon, directory) in enumerate(daemons):
    if daemon.poll() is not None:
        sys.exit(f"scale_sim: daemon {p} exited: {(directory / 'daemon.log').read_text()[-2000:]}")
metrics_urls = [
    "http://127.0.0.1:" + (directory / "daemon.log").read_text().split("listening on 127.0.0.1:")[1].split()[0] + "/metrics"
    for _, directory in daemons
]


def delivered(url):
    """A daemon's own count of deliveries (its /metrics)."""
    text = urllib.request.urlopen(url, timeout=10).read().decode()
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith("notification_router_delivered_total"))


for p in range(processes):
    sqs.send_message(QueueUrl=queues[p], MessageBody=json.dumps({"data": {"broadcast": p}}, separators=(",", ":")))
deadline = time.monotonic() + 300
finished = False
while time.monotonic() < deadline and not finished:
    time.sleep(0.5)
    finished = sum(delivered(url) for url in metrics_urls) >= connections
time.sleep(2)  # anything more (a duplicate) would arrive now
for daemon, _ in daemons:
    daemon.send_signal(signal.SIGTERM)
for daemon, _ in daemons:
    daemon.wait(timeout=60)
nginx.send_signal(signal.SIGQUIT)  # flushes the access log
nginx.wait(timeout=30)

accepted, accepted_at, throttled_at = {}, [], []
for line in access_log.read_text().splitlines():
    at, status, uri = line.split(" ", 2)
    if not uri.startswith("/@connections/"):
        continue
    if status == "200":
        connection = uri[len("/@connections/"):]
        accepted[connection] = accepted.get(connection, 0) + 1
        accepted_at.append((float(at), connection))
    elif status == "429":
        throttled_at.append(float(at))
expected = {f"c{p}-{i}=" for p in range(processes) for i in range(per_process)}
missing = len(expected - accepted.keys())
duplicates = sum(count - 1 for count in accepted.values())
strangers = len(accepted.keys() - expected)
times = [t for t, _ in accepted_at]
if not times:
    sys.exit(f"scale_sim: no post was delivered; see {work}")
first = min(times + throttled_at)
elapsed = max(times) - first
if os.environ.get("SIM_TIMELINE"):
    for p in range(processes):
        line = [0] * int(elapsed * 2 + 2)
        for t, c in accepted_at:
            if c.startswith(f"c{p}-"):
                line[int((t - first) * 2)] += 1
        print(f"process {p} per 500 ms:", line, file=sys.stderr)
    line = [0] * int(elapsed * 2 + 2)
    for t in throttled_at:
        line[min(len(line) - 1, int((t - first) * 2))] += 1
    print("429s per 500 ms:", line, file=sys.stderr)
ideal = (connections - burst) / rate
print(json.dumps({
    "processes": processes, "connections": connections, "rate": rate, "burst": burst,
    "finished": finished, "seconds": round(elapsed, 2), "ideal_seconds": round(ideal, 2),
    "budget_used": round(len(accepted_at) / (burst + rate * elapsed), 4),
    "posts_429": len(throttled_at), "share_429": round(len(throttled_at) / (len(accepted_at) + len(throttled_at)), 4),
    "missing": missing, "duplicates": duplicates, "unknown_ids": strangers,
}))
sys.exit(0 if finished and missing == 0 and duplicates == 0 and strangers == 0 else 1)
