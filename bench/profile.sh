#!/usr/bin/env bash
# Profiles our node's packet path (called by compare.sh with PROFILE=1, or by hand):
#
#   bench/profile.sh PID PORT OUTDIR     PID/PORT: a running `Dht.PerfHost serve` started with
#                                        DOTNET_PerfMapEnabled=1, so perf can name JIT-compiled methods
#
# (and DOTNET_EnableWriteXorExecute=0, without which perf sees JIT code as "memfd:doublemapper").
#
# 1. perf samples the node (all threads, call graphs) while the load generator sends find_node and then ping
#    at a fixed rate; the flat profile (self time by symbol) goes to OUTDIR/perf-<query>.txt.
# 2. The in-process mode of Dht.PerfHost hands datagrams straight to the node (no socket) and reports time
#    and managed bytes allocated per query: OUTDIR/inproc.jsonl. The difference to the UDP figures is the
#    socket and thread cost.
set -euo pipefail
PID=$1
PORT=$2
OUT=$3
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOADGEN=$ROOT/bench/loadgen/loadgen
PERFHOST=$ROOT/bench/Dht.PerfHost/bin/Release/net10.0/Dht.PerfHost
RATE=${PROFILE_RATE:-15000}

for q in find_node ping; do
    echo "profiling $q at $RATE/s" >&2
    "$LOADGEN" --target "127.0.0.1:$PORT" --query "$q" --rate "$RATE" --duration 7 --label "profile" >"$OUT/profile-load-$q.txt" &
    load=$!
    sleep 1
    timeout 30 perf record -q -F 999 -g -p "$PID" -o "$OUT/perf-$q.data" -- sleep 5 >/dev/null 2>&1 || true
    wait "$load" || true
    timeout 120 perf report -q -i "$OUT/perf-$q.data" --no-children --sort comm,dso,symbol --stdio -g none --percent-limit 0.7 \
        >"$OUT/perf-$q.txt" 2>/dev/null || true
    timeout 120 perf report -q -i "$OUT/perf-$q.data" --no-children --sort dso --stdio -g none \
        >"$OUT/perf-$q-dso.txt" 2>/dev/null || true
done

: >"$OUT/inproc.jsonl"
for q in ping find_node get; do
    timeout 120 "$PERFHOST" inproc --query "$q" --count 500000 >>"$OUT/inproc.jsonl" || true
done
