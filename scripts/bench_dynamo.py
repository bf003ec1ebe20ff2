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
import sys

import dynamo_standin


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


def answer(target, request):
    if target.endswith(".Scan"):
        return scan(request)
    if target.endswith(".Query"):
        return query(request)
    return {"UnprocessedItems": {}}


async def main():
    server = await dynamo_standin.start(answer)
    with open(sys.argv[1], "w") as port_file:
        port_file.write(str(server.sockets[0].getsockname()[1]))
    await server.serve_forever()


asyncio.run(main())
