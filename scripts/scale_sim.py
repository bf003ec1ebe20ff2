"""Scale simulation: processes sharing one @connections budget (run by scripts/scale-sim.sh).

usage: scale_sim.py BINARY MOTO_URL SCENARIO [PROCESSES CONNECTIONS RATE BURST]

SCENARIO is one of:
- separate: each process has its own queue and table and gets its own broadcast;
- split: one table, one broadcast on a shared queue, split into 16 segment tasks on a shared
  work queue (`split:` with task_budget 5s) that all the daemons consume;
- lambda: the same split through PROCESSES Lambda runtimes (the binary as `bootstrap`) under a
  Runtime API emulator and an event source mapping emulator, 3 s per invocation.

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

import dynamo_standin

binary, moto, scenario = sys.argv[1], sys.argv[2], sys.argv[3]
processes, connections, rate, burst = (int(a) for a in (sys.argv[4:8] or ["4", "20000", "2000", "1000"]))
shared = scenario in ("split", "lambda")
per_process = connections if shared else connections // processes
segments = 16
invocation_seconds = 3


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
    """One page of one parallel-scan segment of a table. A process's own table (separate) is
    answered a whole segment in one page (moto_server answers each segmented Scan of a
    5,000-item table in 0.25-0.5 s, one at a time, which would stagger the processes' starts
    by seconds and measure moto instead of the budget); the shared table (split, lambda) in
    pages of `Limit` items from `ExclusiveStartKey`, so that tasks can stop and continue."""
    table, segment, total = request["TableName"], request.get("Segment", 0), request.get("TotalSegments", 1)
    p = table.rsplit("-", 1)[1]
    start = segment
    if "ExclusiveStartKey" in request:
        start = int(request["ExclusiveStartKey"]["connection_id"]["S"].split("-")[1].rstrip("=")) + total
    indices = list(range(start, per_process, total))
    limit = request.get("Limit") or len(indices)
    page = indices[:limit]
    items = [{"user_id": {"S": f"user-{p}-{i // 2}"}, "connection_id": {"S": f"c{p}-{i}="}} for i in page]
    answer = {"Items": items, "Count": len(items), "ScannedCount": len(items)}
    if len(indices) > limit:
        answer["LastEvaluatedKey"] = {"user_id": items[-1]["user_id"], "connection_id": items[-1]["connection_id"]}
    return answer


def dynamo(target, request):
    return scan_page(request) if target.endswith(".Scan") else {"UnprocessedItems": {}}


def run_dynamo(ports):
    async def main():
        server = await dynamo_standin.start(dynamo)
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
tables = ["all"] if shared else [str(p) for p in range(processes)]
queues = [sqs.create_queue(QueueName=f"{run}-{t}")["QueueUrl"] for t in tables]
work_queue = sqs.create_queue(QueueName=f"{run}-work")["QueueUrl"] if shared else None
environment = dict(os.environ, AWS_ENDPOINT_URL=moto, AWS_ENDPOINT_URL_DYNAMODB=f"http://127.0.0.1:{dynamo_port}", AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1", LOG_LEVEL="notice")


def routes(p):
    """The routes.yaml of process p: its own queue and table, or the shared ones and the split."""
    table, queue = (tables[0], queues[0]) if shared else (tables[p], queues[p])
    sources = f"  queue: {{ type: sqs, queue: \"{queue}\", region: us-east-1, wait_time: 1s }}\n"
    route = "{ name: main, from: [queue], to: websocket }"
    if shared:
        sources += f"  work: {{ type: sqs, queue: \"{work_queue}\", region: us-east-1, wait_time: 1s, visibility_timeout: 30s }}\n"
        route = f"{{ name: main, from: [queue, work], to: websocket, split: {{ via: work, segments: {segments}, task_budget: 5s }} }}"
    return f"""version: 1
stores: {{ connections: {{ type: dynamodb, table: {run}-{table}, page_size: 250 }} }}
sinks: {{ websocket: {{ type: apigw, endpoint: "http://127.0.0.1:{sink_port}", rate: adaptive }} }}
sources:
{sources}routes: [{route}]
serve: {{ host: 127.0.0.1, port: 0 }}
"""


def queued(url):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])


class RuntimeAPI:
    """The Lambda Runtime API for the bootstraps: /next hands out the event source mapping's
    invocations, each with a deadline `invocation_seconds` away; answers are matched by id."""

    def __init__(self):
        import http.server
        import queue as queues_module
        self.events = queues_module.Queue()
        self.answers = {}
        self.lock = threading.Lock()
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, body=b"", headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if not self.path.endswith("/invocation/next"):
                    return self.reply(404)
                event = api.events.get()
                self.reply(200, event["body"], [("Lambda-Runtime-Aws-Request-Id", event["id"]), ("Lambda-Runtime-Deadline-Ms", str(event["deadline_ms"])),
                                                ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:router")])

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                parts = self.path.split("/")
                if "invocation" in parts and parts[-1] in ("response", "error"):
                    with api.lock:
                        waiter = api.answers[parts[-2]]
                    waiter["answered_ms"] = time.time() * 1000
                    waiter["kind"], waiter["body"] = parts[-1], body
                    waiter["done"].set()
                self.reply(202)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def invoke(self, body):
        """Queues one invocation and waits for its answer."""
        request_id = f"inv-{time.monotonic_ns()}"
        waiter = {"done": threading.Event()}
        with self.lock:
            self.answers[request_id] = waiter
        deadline_ms = int(time.time() * 1000) + invocation_seconds * 1000
        self.events.put({"id": request_id, "body": body, "deadline_ms": deadline_ms})
        waiter["done"].wait(120)
        waiter["late_ms"] = waiter.get("answered_ms", float("inf")) - deadline_ms
        return waiter


mapping = {"invocations": 0, "late": 0, "errors": 0, "work_messages": set()}


# The work queue's mapping takes 2 tasks per invocation (README "Scaling": a small batch size
# spreads the tasks of one request over the concurrency instead of one invocation taking 10).
work_batch_size = 2


def event_source_mapping(stop):
    """One poller of the event source mapping: up to 10 requests, or `work_batch_size` tasks,
    per invocation (the request queue and the work queue in turn); those the answer does not list in
    batchItemFailures are deleted, the rest come back after their visibility timeout."""
    while not stop.is_set():
        for url, arn_name, batch, wait in ((queues[0], f"{run}-all", 10, 0), (work_queue, f"{run}-work", work_batch_size, 1)):
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=batch, WaitTimeSeconds=wait, VisibilityTimeout=10).get("Messages", [])
            if not got:
                continue
            records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"}, "messageAttributes": {}, "md5OfBody": "",
                        "eventSource": "aws:sqs", "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{arn_name}", "awsRegion": "us-east-1"} for m in got]
            answer = runtime.invoke(json.dumps({"Records": records}).encode())
            failed = set()
            with runtime.lock:
                mapping["invocations"] += 1
                mapping["late"] += answer["late_ms"] > 0
                if answer.get("kind") != "response":
                    mapping["errors"] += 1
                    failed = {m["MessageId"] for m in got}
                else:
                    failed = {f["itemIdentifier"] for f in json.loads(answer["body"]).get("batchItemFailures", [])}
                if url == work_queue:
                    mapping["work_messages"].update(m["MessageId"] for m in got if m["MessageId"] not in failed)
            done = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got) if m["MessageId"] not in failed]
            if done:
                sqs.delete_message_batch(QueueUrl=url, Entries=done)


daemons = []
stop_mapping = threading.Event()
if scenario == "lambda":
    runtime = RuntimeAPI()
    environment["AWS_LAMBDA_RUNTIME_API"] = runtime.address
for p in range(processes):
    directory = work / f"p{p}"
    directory.mkdir()
    (directory / "routes.yaml").write_text(routes(p))
    log = open(directory / "daemon.log", "w")
    arguments = [binary] if scenario == "lambda" else [binary, "serve", "--port", "0"]
    daemons.append((subprocess.Popen(arguments, cwd=directory, env=environment, stdout=log, stderr=subprocess.STDOUT), directory))
time.sleep(3)  # the processes start and begin polling
for p, (daemon, directory) in enumerate(daemons):
    if daemon.poll() is not None:
        sys.exit(f"scale_sim: process {p} exited: {(directory / 'daemon.log').read_text()[-2000:]}")
metrics_urls = [] if scenario == "lambda" else [
    "http://127.0.0.1:" + (directory / "daemon.log").read_text().split("listening on 127.0.0.1:")[1].split()[0] + "/metrics"
    for _, directory in daemons
]
pollers = [threading.Thread(target=event_source_mapping, args=(stop_mapping,), daemon=True) for _ in range(processes)] if scenario == "lambda" else []
for poller in pollers:
    poller.start()


def metric(name):
    """The sum over the daemons of a counter from their own /metrics."""
    total = 0.0
    for url in metrics_urls:
        text = urllib.request.urlopen(url, timeout=10).read().decode()
        total += sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name))
    return total


for p, queue in enumerate(queues):
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"data": {"broadcast": p}}, separators=(",", ":")))
deadline = time.monotonic() + 300
finished = False
while time.monotonic() < deadline and not finished:
    time.sleep(0.5)
    if scenario == "lambda":
        finished = all(queued(url) == 0 for url in queues + [work_queue])
    else:
        finished = metric("notification_router_delivered_total") >= connections and all(queued(url) == 0 for url in queues + ([work_queue] if work_queue else []))
time.sleep(2)  # anything more (a duplicate) would arrive now
tasks = {}
if scenario == "split":
    tasks = {"created": int(metric("notification_router_tasks_created_total")), "continued": int(metric("notification_router_tasks_continued_total")),
             "finished": int(metric("notification_router_tasks_finished_total"))}
elif scenario == "lambda":
    tasks = {"created": segments, "continued": len(mapping["work_messages"]) - segments, "invocations": mapping["invocations"],
             "late": mapping["late"], "errors": mapping["errors"]}
stop_mapping.set()
for daemon, _ in daemons:
    daemon.send_signal(signal.SIGTERM)
for daemon, _ in daemons:
    try:
        daemon.wait(timeout=5 if scenario == "lambda" else 60)
    except subprocess.TimeoutExpired:
        daemon.kill()  # a bootstrap blocked in /next
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
expected = {f"c{t}-{i}=" for t in tables for i in range(per_process)}
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
            if c.startswith(f"c{p}-") or shared:
                line[int((t - first) * 2)] += 1
        print(f"process {p} per 500 ms:", line, file=sys.stderr)
    line = [0] * int(elapsed * 2 + 2)
    for t in throttled_at:
        line[min(len(line) - 1, int((t - first) * 2))] += 1
    print("429s per 500 ms:", line, file=sys.stderr)
ideal = (connections - burst) / rate
print(json.dumps({
    "scenario": scenario, "tasks": tasks,
    "processes": processes, "connections": connections, "rate": rate, "burst": burst,
    "finished": finished, "seconds": round(elapsed, 2), "ideal_seconds": round(ideal, 2),
    "budget_used": round(len(accepted_at) / (burst + rate * elapsed), 4),
    "posts_429": len(throttled_at), "share_429": round(len(throttled_at) / (len(accepted_at) + len(throttled_at)), 4),
    "missing": missing, "duplicates": duplicates, "unknown_ids": strangers,
}))
late = tasks.get("late", 0) + tasks.get("errors", 0)
sys.exit(0 if finished and missing == 0 and duplicates == 0 and strangers == 0 and late == 0 else 1)
