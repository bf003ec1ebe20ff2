"""Proves a Lambda package starts: runs its `bootstrap` against a minimal Runtime API on
127.0.0.1, hands it one API Gateway `$connect` event without a user id, and checks the answer
(`{"statusCode":401}`, which needs no AWS service). Over RUNS starts (default 5) it measures the
start (process start to the first GET of /next: loading the binary, the route table, building
the clients) and the cold start (process start to the posted answer of that first invocation).

usage: lambda_smoke.py PACKAGE_DIR   (the unzipped package)
Prints one JSON line: {"first_next_ms": [..], "first_next_median_ms": .., "cold_start_ms": [..], "median_ms": .., "answer": ..}.
"""
import http.server
import json
import os
import socketserver
import statistics
import subprocess
import sys
import threading
import time

package = sys.argv[1]
runs = int(os.environ.get("RUNS", "5"))
event = json.dumps({"requestContext": {"eventType": "CONNECT", "routeKey": "$connect", "connectionId": "smoke-test="}}).encode()


class RuntimeAPI(http.server.BaseHTTPRequestHandler):
    served = False
    asked_at = None
    answer = None
    answered_at = None
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def do_GET(self):
        with RuntimeAPI.lock:
            first = not RuntimeAPI.served
            RuntimeAPI.served = True
            if first:
                RuntimeAPI.asked_at = time.monotonic()
        if not first:
            time.sleep(30)  # the next invocation never comes; the process is killed
            return
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", "smoke-1")
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
        self.send_header("Content-Length", str(len(event)))
        self.end_headers()
        self.wfile.write(event)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        RuntimeAPI.answered_at = time.monotonic()
        RuntimeAPI.answer = (self.path, body.decode())
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


times = []
first_next = []
answer = None
for _ in range(runs):
    RuntimeAPI.served, RuntimeAPI.asked_at, RuntimeAPI.answer, RuntimeAPI.answered_at = False, None, None, None
    server = Server(("127.0.0.1", 0), RuntimeAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    environment = {
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}", "LAMBDA_TASK_ROOT": package,
        "APIGW_ENDPOINT": "https://abc123.execute-api.us-east-1.amazonaws.com/production", "CONNECTIONS_TABLE_NAME": "connections",
        "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "smoke", "AWS_SECRET_ACCESS_KEY": "smoke", "PATH": "/usr/bin:/bin",
    }
    started = time.monotonic()
    process = subprocess.Popen([os.path.join(package, "bootstrap")], cwd=package, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    while RuntimeAPI.answered_at is None and process.poll() is None and time.monotonic() - started < 30:
        time.sleep(0.001)
    process.kill()
    output = process.communicate()[0].decode(errors="replace")
    server.shutdown()
    if RuntimeAPI.answer is None:
        print(f"lambda_smoke.py: the bootstrap did not answer; its output:\n{output}", file=sys.stderr)
        sys.exit(1)
    path, body = RuntimeAPI.answer
    if path != "/2018-06-01/runtime/invocation/smoke-1/response" or json.loads(body) != {"statusCode": 401}:
        print(f"lambda_smoke.py: unexpected answer {path} {body}; output:\n{output}", file=sys.stderr)
        sys.exit(1)
    times.append(round((RuntimeAPI.answered_at - started) * 1000, 1))
    first_next.append(round((RuntimeAPI.asked_at - started) * 1000, 1))
    answer = body
print(json.dumps({"first_next_ms": first_next, "first_next_median_ms": statistics.median(first_next),
                  "cold_start_ms": times, "median_ms": statistics.median(times), "answer": answer}))
