"""When and where a benchmark ran: the first line of each section the benchmark scripts write
into docs/benchmarks.md (`import bench_host` with scripts/ on the path)."""
import datetime
import os
import subprocess


def describe() -> str:
    """`Date: …; machine: <cpu>, <n> cores; <swift version>`."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return f"Date: {datetime.date.today().isoformat()}; machine: {cpu}, {os.cpu_count()} cores; {swift}"
