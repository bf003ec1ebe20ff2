"""The benchmark's DynamoDB stand-in (run by scripts/bench.sh): answers the router's calls
for tables named `t<N>` (N connections) from a formula, so that any table size costs no
storage and every answer is exact.

usage: bench_dynamo.py PORT_FILE

- Scan: each parallel-scan segment (`Segment` of `TotalSegments`) holds the connections i
  with i % TotalSegments == Segment, in pages of `Limit` (default 1,000) items from after
  `ExclusiveStartKey`, so a parallel scan reads each row exactly once. Connection i belongs
  to user `user-<i // 2>` and has id `c<i>-AbCdEfGhIjK=`, or `stale-c<i>-AbCdEfGhIjK=` for
  one in a hundred (the `@connections` stand-in answers those 410).
- Query: user U has the connections `U-a=` and `U-b=`.
- BatchWriteItem: nothing unprocessed.

Listens on 127.0.0.1, port 0, and writes the port to PORT_FILE.
"""
import asyncio
import json
import sys


def connection(i):
    prefix = "stale-" if i % 100 == 42 else ""
    return {"user_id": {"S": f"user-{i // 2}"}, "connection_id": {"S": f"{prefix}c{i}-AbCdEfGhIjK="}}


def scan(request):
    size = int(request["TableName"].lstrip("t"))
    segment, total = request.get("Segment", 0), request.get("TotalSegments", 1)
    start = segment
    if "ExclusiveStartKey" in request:
        last = request["ExclusiveStartKey"]["connection_id"]["S"]
        start = int(last.removeprefix("stale-").split("-")[0][1:]) + total
    limit = request.get("Limit") or 1000
    indices = range(start, size, total)[:limit + 1]
    items = [connection(i) for i in indices[:limit]]
    answer = {"Items": items, "Count": len(items), "ScannedCount": len(items)}
    if len(indices) > limit:
        answer["LastEvaluatedKey"] = items[-1]
    return answer


def query(request):
    user = request["ExpressionAttributeValues"][":u"]["S"]
    items = [{"user_id": {"S": user}, "connection_id": {"S": f"{user}-{suffix}="}} for suffix in "ab"]
    return {"Items": items, "Count": 2, "ScannedCount": 2}


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ":" in line)}
            request = json.loads(await reader.readexactly(int(headers.get("content-length", "0"))) or b"{}")
            target = headers.get("x-amz-target", "")
            if target.endswith(".Scan"):
                answer = scan(request)
            elif target.endswith(".Query"):
                answer = query(request)
            else:
                answer = {"UnprocessedItems": {}}
            body = json.dumps(answer, separators=(",", ":")).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=1024)
    with open(sys.argv[1], "w") as port_file:
        port_file.write(str(server.sockets[0].getsockname()[1]))
    await server.serve_forever()


asyncio.run(main())
