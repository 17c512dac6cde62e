#!/usr/bin/env bash
# How long a one-shot `dht get` takes as a whole process, the native AOT binary beside the framework-dependent
# one, against a local node that holds the value: start, join as a read-only client, look the key up, print,
# exit. The answer is in memory on the node, so what differs between the two is the start-up of the process.
#
# Usage: bench/oneshot-get.sh          (about 3 minutes on a 2-core machine, most of it the AOT build)
# Environment: RUNS=20 WARMUP=3  OUT=file for the markdown table (none: standard output only)
#
# Needs hyperfine and GNU time (Debian: apt-get install hyperfine time), and clang and zlib1g-dev for the AOT
# build. Uses only 127.0.0.1 and stops the node it started on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
OUT=${OUT:-}
for tool in hyperfine /usr/bin/time clang; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing $tool (apt-get install hyperfine time clang zlib1g-dev)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/dht-oneshot.XXXXXX)
node_pid=
cleanup() {
  if [[ -n "$node_pid" ]]; then kill "$node_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "building the framework-dependent and the native AOT command (Release)..." >&2
dotnet publish src/Dht.Cli -c Release -o "$work/fd" >/dev/null
dotnet publish src/Dht.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$work/aot" >/dev/null
fd="$work/fd/dht"
aot="$work/aot/dht"

# The node: in memory, on a free port of 127.0.0.1, holding the key every get asks for.
: >"$work/node.log"
"$aot" node --port 0 --bind 127.0.0.1 --in-memory --no-shell >"$work/node.log" 2>&1 &
node_pid=$!
port=
for _ in $(seq 100); do
  port=$(grep -oE 'started on 127\.0\.0\.1:[0-9]+' "$work/node.log" | grep -oE '[0-9]+$' || true)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { cat "$work/node.log" >&2; echo "the node did not start" >&2; exit 1; }
"$aot" put bench-key bench-value -b "127.0.0.1:$port" >/dev/null
for bin in "$fd" "$aot"; do
  [[ "$("$bin" get bench-key -b "127.0.0.1:$port")" == "Value: bench-value" ]] || { echo "$bin: wrong answer" >&2; exit 1; }
done

# Wall time: hyperfine, the two commands in one run, each after its warm-up.
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$work/times.json" \
  -n aot "$aot get bench-key -b 127.0.0.1:$port" \
  -n framework-dependent "$fd get bench-key -b 127.0.0.1:$port" >&2

# Peak memory (maximum resident set size) of each run, from GNU time.
rss_median() {
  local bin=$1
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%M' "$bin" get bench-key -b "127.0.0.1:$port" 2>&1 >/dev/null | tail -1
  done | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
rss_aot=$(rss_median "$aot")
rss_fd=$(rss_median "$fd")

load=$(cut -d' ' -f1-3 /proc/loadavg)
table=$(python3 - "$work/times.json" "$rss_aot" "$rss_fd" "$RUNS" "$load" <<'EOF'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rss = {"aot": float(sys.argv[2]), "framework-dependent": float(sys.argv[3])}
runs, load = sys.argv[4], sys.argv[5]
ms = lambda s: f"{s * 1000:.0f} ms"
print(f"| `dht get` ({runs} runs each) | wall median | wall min | wall max | CPU (user + sys, mean) | peak RSS (median) |")
print("|---|---|---|---|---|---|")
for name in ("aot", "framework-dependent"):
    r = results[name]
    label = "native AOT" if name == "aot" else "framework-dependent"
    cpu = ms(r["user"] + r["system"])
    print(f"| {label} | {ms(r['median'])} | {ms(r['min'])} | {ms(r['max'])} | {cpu} | {rss[name] / 1024:.0f} MiB |")
fd, aot = results["framework-dependent"], results["aot"]
print()
print(f"Framework-dependent / native AOT: {fd['median'] / aot['median']:.1f}x the wall-time median, "
      f"{(fd['user'] + fd['system']) / (aot['user'] + aot['system']):.1f}x the CPU time. "
      f"Load average during the run: {load}.")
EOF
)
echo "$table"
if [[ -n "$OUT" ]]; then echo "$table" >"$OUT"; fi
