"""Checks one benchmark run against what the @connections stand-in (nginx) logged: every
connection the scenario targets posted exactly once, nothing else (run by scripts/bench.sh).

usage: bench_count.py ACCESS_LOG OFFSET SCENARIO ARGS...

Reads the log from byte OFFSET (the run's own lines; `<status> <uri>` per post), prints one
JSON object {"expected", "posts", "missing", "duplicates", "strangers"} and exits 1 when the
run posted more or fewer than expected.
"""
import collections
import json
import sys

log, offset, scenario, args = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
if scenario == "broadcast":
    size = int(args[0].lstrip("t"))
    expected = {("stale-" if i % 100 == 42 else "") + f"c{i}-AbCdEfGhIjK=" for i in range(size)}
elif scenario == "multicast":
    requests, users = int(args[0]), int(args[1])
    expected = {f"user-{r}-{u}-{s}=" for r in range(requests) for u in range(users) for s in "ab"}
elif scenario in ("raw", "lean", "nio"):
    expected = {f"raw-{i}" for i in range(int(args[0]))}
else:
    sys.exit(f"bench_count: unknown scenario {scenario}")

posted = collections.Counter()
with open(log, "rb") as lines:
    lines.seek(offset)
    for line in lines:
        status, uri = line.decode().rstrip("\n").split(" ", 1)
        posted[uri.rsplit("/", 1)[-1]] += 1
result = {
    "expected": len(expected), "posts": sum(posted.values()),
    "missing": len(expected - posted.keys()), "duplicates": sum(count - 1 for count in posted.values() if count > 1),
    "strangers": len(posted.keys() - expected),
}
print(json.dumps(result))
sys.exit(0 if result["missing"] == result["duplicates"] == result["strangers"] == 0 else 1)
