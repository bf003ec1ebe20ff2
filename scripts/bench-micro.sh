#!/usr/bin/env bash
# Micro-benchmarks of the post path (Benchmarks/Micro, ordo-one/benchmark; a package of its
# own, so the router's build and CI do not pay for it): signing one post, building and
# handing over one post, reading one Scan page, one pass of the fan-out engine. Each reports
# wall time and mallocs per operation; this script writes the medians into the "micro"
# section of docs/benchmarks.md. Not part of the tests: run it before and after a change to
# the hot path, and compare.
#
#   scripts/bench-micro.sh            (the first run builds the package in release: ~6 min)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build-bench/logs
out=.build-bench/logs/micro.md
echo "bench-micro.sh: building and running Benchmarks/Micro (release)"
swift package --package-path Benchmarks/Micro --allow-writing-to-package-directory benchmark \
  --no-progress --format markdown --path stdout > "$out" 2> .build-bench/logs/micro.err \
  || { tail -30 .build-bench/logs/micro.err "$out"; exit 1; }
python3 - "$out" <<'PY' | python3 scripts/write_section.py micro
import re, sys
sys.path.insert(0, "scripts"); import bench_host
text = open(sys.argv[1]).read()
rows = []
for name, table in re.findall(r"^### (.+?)\n\n(.*?)(?=^### |\Z)", text, re.S | re.M):
    metrics = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[0].startswith(("Metric", "-", ":")):
            continue
        metrics[cells[0]] = cells[3]  # p50
    wall = next((v for k, v in metrics.items() if k.startswith("Time (wall clock)")), "?")
    malloc_key = next((k for k in metrics if k.startswith("Malloc (total)")), None)
    malloc = metrics.get(malloc_key, "?") if malloc_key else "?"
    if malloc_key and "(K)" in malloc_key:
        malloc = f"{malloc} K"
    rows.append((name, wall, malloc))
if not rows:
    sys.exit("bench-micro.sh: no benchmark results in the output")
print("## Micro-benchmarks of the post path (`scripts/bench-micro.sh`)\n")
print(f"- {bench_host.describe()}")
print("- `Benchmarks/Micro` (ordo-one/benchmark, its malloc interposer), everything in memory with canned answers; medians over")
print("  the samples of up to 3 s per benchmark. Wall time, because getrusage counts CPU in 10 ms ticks here and perf counters")
print("  are not available; the work is single-threaded but for the fan-out engine's tasks. Command: `scripts/bench-micro.sh`.\n")
print("| benchmark | wall time per operation (ns, p50) | mallocs per operation (p50) |")
print("|---|---:|---:|")
for name, wall, malloc in sorted(rows):
    print(f"| {name} | {wall} | {malloc} |")
PY
echo "bench-micro.sh: wrote the micro section of docs/benchmarks.md"
