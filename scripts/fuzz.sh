#!/usr/bin/env bash
# Builds the request-parser fuzz target with libFuzzer (-sanitize=fuzzer,address) and runs
# it for FUZZ_SECONDS (default 30). Crashing inputs are written to .build-fuzz/crashes/.
# Usage: scripts/fuzz.sh [extra libFuzzer flags]
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build-fuzz
mkdir -p "$out/corpus" "$out/crashes"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name RequestFuzz \
  Sources/Router/Request/*.swift Fuzz/RequestParserFuzz.swift -o "$out/request-parser-fuzz"
# Seed the corpus with a few well-formed and broken requests.
printf '%s' '{"users":["a","b"],"exclude_users":["c"],"rooms":["r"],"data":{"k":[1,2.5e3,true,null,"\u00e9"]}}' > "$out/corpus/seed-valid"
printf '%s' '{"users":"alice","data":1}' > "$out/corpus/seed-string-users"
printf '%s' '{"data":"\ud83d\ude00","id":"x"}' > "$out/corpus/seed-surrogates"
"$out/request-parser-fuzz" -max_total_time="${FUZZ_SECONDS:-30}" -max_len=4096 \
  -artifact_prefix="$out/crashes/" "$@" "$out/corpus"
