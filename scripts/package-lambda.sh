#!/usr/bin/env bash
# Builds the Lambda package for the provided.al2023 runtime:
#   dist/notification-router-<arch>.zip holding `bootstrap` (release, static Swift standard
#   library, stripped) and, when ROUTES_FILE is given, that file as routes.yaml (without it,
#   the function runs the built-in default route: the original pusher's behaviour).
#
#   scripts/package-lambda.sh [ROUTES_FILE]
#
# Then it checks the package:
#   - the binary carries no ICU data (it links FoundationEssentials, not Foundation);
#   - the binary needs no glibc symbol newer than provided.al2023's glibc 2.34 (objdump -T);
#   - the zip's bootstrap starts and answers an event under a local Runtime API
#     (scripts/lambda_smoke.py), and its cold start is written into docs/benchmarks.md.
# The architecture is the build machine's (x86_64 here; build on arm64 for Graviton).
set -euo pipefail
cd "$(dirname "$0")/.."
routes=${1:-}
arch=$(uname -m); [ "$arch" = "aarch64" ] && arch=arm64
glibc_limit=2.34
mkdir -p dist .build-bench/logs

echo "package-lambda.sh: building notification-router (release, static Swift stdlib)"
swift build -c release --static-swift-stdlib --product notification-router > .build-bench/logs/build-lambda.log 2>&1 \
  || { tail -30 .build-bench/logs/build-lambda.log; exit 1; }
binary=$(swift build -c release --static-swift-stdlib --show-bin-path)/notification-router

if nm "$binary" | grep -q icudt; then
  echo "package-lambda.sh: the binary carries ICU data (34 MB): a product module imports Foundation, or a dependency's" >&2
  echo "Foundation trait is on; the router links FoundationEssentials only (docs/deployment.md)." >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/bootstrap"
strip "$stage/bootstrap"
if [ -n "$routes" ]; then cp "$routes" "$stage/routes.yaml"; fi

newest=$(objdump -T "$stage/bootstrap" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)
if [ "$(printf '%s\n%s\n' "$newest" "$glibc_limit" | sort -V | tail -1)" != "$glibc_limit" ]; then
  echo "package-lambda.sh: bootstrap needs glibc $newest, newer than provided.al2023's $glibc_limit:" >&2
  objdump -T "$stage/bootstrap" | grep -E "GLIBC_$newest" >&2
  echo "Build the package in an Amazon Linux 2023 Swift image instead (see README, Deployment)." >&2
  exit 1
fi
echo "package-lambda.sh: newest glibc symbol needed: $newest (limit $glibc_limit)"

zip_path="dist/notification-router-$arch.zip"
rm -f "$zip_path"
(cd "$stage" && python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for name in sys.argv[2:]:
        info = zipfile.ZipInfo(name); info.external_attr = 0o755 << 16; info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, open(name, "rb").read())' "$OLDPWD/$zip_path" $(ls))
# Recompressed with 7-Zip's deflate (advancecomp's advzip -z -3): still plain deflate, which
# Lambda unpacks as any zip, about 4% smaller than zlib's best for this binary; about 40 s.
if ! command -v advzip > /dev/null; then
  echo "package-lambda.sh: installing advancecomp (advzip)"
  (apt-get install -y -q advancecomp || (apt-get update -q && apt-get install -y -q advancecomp)) > .build-bench/logs/apt-advzip.log 2>&1
fi
advzip --recompress -3 "$zip_path" > /dev/null
advzip --test "$zip_path" > /dev/null
echo "package-lambda.sh: wrote $zip_path ($(du -h "$zip_path" | cut -f1))"

unzipped=$(mktemp -d)
python3 -c 'import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1]); z.extractall(sys.argv[2])
for info in z.infolist(): os.chmod(os.path.join(sys.argv[2], info.filename), info.external_attr >> 16)' "$zip_path" "$unzipped"
result=$(python3 scripts/lambda_smoke.py "$unzipped")
rm -rf "$unzipped"
echo "package-lambda.sh: the zip's bootstrap answered: $result"

size=$(stat -c %s "$zip_path")
python3 - "$result" "$size" "$newest" "$arch" <<'PY' | python3 scripts/write_section.py lambda
import json, sys
sys.path.insert(0, "scripts"); import bench_host
r = json.loads(sys.argv[1]); size = int(sys.argv[2]); glibc = sys.argv[3]; arch = sys.argv[4]
print("## Lambda package and cold start (`scripts/package-lambda.sh`)\n")
print(f"- {bench_host.describe()}; package `dist/notification-router-{arch}.zip`, {size / 2**20:.1f} MiB ({size:,} bytes); newest glibc symbol needed: {glibc}.")
print("- Start: from starting the zip's `bootstrap` to its first `GET /next` from a local Runtime API")
print(f"  (`scripts/lambda_smoke.py`, {len(r['first_next_ms'])} starts): **median {r['first_next_median_ms']:.1f} ms**; each run: {', '.join(f'{t:.1f}' for t in r['first_next_ms'])} ms.")
print("- Cold start: from starting the `bootstrap` to its answer to a first `$connect` event posted to that Runtime API:")
print(f"  **median {r['median_ms']:.1f} ms**; each run: {', '.join(f'{t:.1f}' for t in r['cold_start_ms'])} ms.")
print("  This covers loading the binary, the route table, building the HTTP client and credential chain, and the first invocation;")
print("  Lambda's own environment start (download, sandbox) comes on top. The original pusher took about 0.2 s to start (DESIGN §11).")
PY
echo "package-lambda.sh: wrote the lambda section of docs/benchmarks.md"
