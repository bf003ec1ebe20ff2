#!/usr/bin/env bash
# Builds the libFuzzer targets (-sanitize=fuzzer,address) and runs each for FUZZ_SECONDS
# (default 30):
#   request-parser  the notification request parser (Sources/Router/Request), inputs up to
#                   the request cap (1 MiB);
#   sns-message     the SNS HTTP message parser and its string to sign.
# Each starts from its corpus in Fuzz/corpus/<target> (committed) and what earlier runs on this
# machine found (.build-fuzz/corpus-<target>, where new inputs go). Crashing inputs are written
# to .build-fuzz/crashes/.
# Exit status: 0 clean, 1 a target found a crash, 3 a target did not build.
# Usage: scripts/fuzz.sh [extra libFuzzer flags]
set -uo pipefail
cd "$(dirname "$0")/.."
out=.build-fuzz
mkdir -p "$out/crashes"

build() {  # name, sources...
  local name=$1; shift
  if ! swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name Fuzz "$@" -o "$out/$name" 2> "$out/$name.build.log"; then
    echo "fuzz.sh: the $name target did not build; its log:" >&2
    cat "$out/$name.build.log" >&2
    exit 3
  fi
}

build request-parser Sources/Router/Request/*.swift Fuzz/RequestParserFuzz.swift
build sns-message Sources/Sources-SNS/SNSHTTPMessage.swift Sources/Sources-SNS/SNSLambdaEvent.swift Sources/Sources-SNS/SNSRejection.swift Fuzz/SNSMessageFuzz.swift

status=0
for target in request-parser sns-message; do
  seeds=Fuzz/corpus/${target/request-parser/request}
  mkdir -p "$out/corpus-$target"
  echo "fuzz.sh: $target for ${FUZZ_SECONDS:-30}s"
  "$out/$target" -max_total_time="${FUZZ_SECONDS:-30}" -max_len=1048576 -len_control=100 \
    -artifact_prefix="$out/crashes/$target-" "$@" "$out/corpus-$target" "$seeds" || status=1
done
exit "$status"
