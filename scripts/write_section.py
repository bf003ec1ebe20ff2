"""Replaces one section of docs/benchmarks.md with standard input, keeping the others.

usage: python3 scripts/write_section.py NAME < section.md

Each benchmark script owns one section, marked <!-- section:NAME --> ... <!-- /section:NAME -->;
a section not yet in the file is appended.
"""
import pathlib
import re
import sys

name = sys.argv[1]
path = pathlib.Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
header = "# Benchmarks\n\nWritten by the benchmark scripts (release builds); do not edit by hand. Each section names the script that wrote it.\n"
text = path.read_text() if path.exists() else header
if not text.startswith("# Benchmarks"):
    text = header
block = f"<!-- section:{name} -->\n{sys.stdin.read().strip()}\n<!-- /section:{name} -->"
pattern = re.compile(rf"<!-- section:{re.escape(name)} -->.*?<!-- /section:{re.escape(name)} -->", re.S)
text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
path.write_text(text)
