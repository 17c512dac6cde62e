#!/usr/bin/env bash
# Side-by-side performance of Mainline DHT nodes on this machine, in one run, written to docs/PERFORMANCE.md:
#
#   - a trivial C UDP echo server (the ceiling), our node, libtorrent (Debian's python3-libtorrent: a session
#     with only the DHT on, rate limits raised) and webtorrent's bittorrent-dht, each started on 127.0.0.1 and
#     warmed with a small network of contacts of its own kind;
#   - against each, the same load-generator sweep per query type: the highest fixed rate with < 1 % loss;
#   - CPU time and memory of each node per 10,000 queries answered, at a fixed rate all of them sustain;
#   - latency at half our highest find_node rate: HALF_RUNS fixed-rate runs against each node;
#   - end to end: a 50-node loopback network of each implementation in one process, 600 BEP 44 immutable
#     puts and then 600 gets from other nodes (after an untimed warm-up of E2E_WARMUP seconds), median and
#     p99 latency.
#
# Usage: bench/compare.sh            (about 15 minutes on a 2-core machine)
# Environment: IMPLS="echo dht libtorrent bittorrent-dht"  QUERIES="ping find_node get get_stored"
#              STEP_SECONDS=2 TRIES=2 CONTACTS=16 HALF_RUNS=5 E2E=1 E2E_NODES=50 E2E_ITEMS=600 E2E_WARMUP=3
#              PROFILE=1
#              OUT=docs/PERFORMANCE.md (OUT= to write nowhere) RESULTS=dir to keep raw results
#
# Installs what it needs (loadgen with gcc, the .NET host, npm ci for bittorrent-dht, apt python3-libtorrent
# if missing), uses only 127.0.0.1, bounds every run in time, and stops every process it started on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
IMPLS=${IMPLS:-"echo dht libtorrent bittorrent-dht"}
QUERIES=${QUERIES:-"ping find_node get get_stored"}
STEP_SECONDS=${STEP_SECONDS:-2}
TRIES=${TRIES:-2}
CONTACTS=${CONTACTS:-16}
E2E=${E2E:-1}
E2E_NODES=${E2E_NODES:-50}
E2E_ITEMS=${E2E_ITEMS:-600}
E2E_WARMUP=${E2E_WARMUP:-3}
HALF_RUNS=${HALF_RUNS:-5}
PROFILE=${PROFILE:-1}
CPU_RATE=${CPU_RATE:-4000}      # queries/s for the CPU and memory figure: below every implementation's limit
CPU_SECONDS=${CPU_SECONDS:-5}
OUT=${OUT-docs/PERFORMANCE.md}
RESULTS=${RESULTS:-$(mktemp -d /tmp/dht-compare.XXXXXX)}
mkdir -p "$RESULTS"
PYTHON=/usr/bin/python3
LOADGEN=bench/loadgen/loadgen
PERFHOST=bench/Dht.PerfHost/bin/Release/net10.0/Dht.PerfHost

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        # Bounded wait, then force.
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }

# ---- install ----------------------------------------------------------------------------------------------
log "building the load generator and the echo server"
make -s -C bench/loadgen all
"$LOADGEN" --selftest >/dev/null
log "building the .NET host (Release)"
dotnet build bench/Dht.PerfHost -c Release -v q -nologo >"$RESULTS/build.log" 2>&1 || { cat "$RESULTS/build.log"; exit 1; }
if [ ! -d tests/interop/webtorrent/node_modules/bittorrent-dht ]; then
    log "npm ci in tests/interop/webtorrent"
    (cd tests/interop/webtorrent && npm ci --no-audit --no-fund >/dev/null)
fi
if ! "$PYTHON" -c 'import libtorrent' 2>/dev/null; then
    log "installing python3-libtorrent"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-libtorrent >/dev/null
fi

# ---- hosts ------------------------------------------------------------------------------------------------
host_command() {
    case "$1" in
        echo) echo "$LOADGEN" | sed 's/loadgen$/echo/' | tr -d '\n'; echo " 0 900" ;;
        dht) echo "$PERFHOST serve --port 0 --contacts $CONTACTS --seconds 900" ;;
        libtorrent) echo "$PYTHON bench/hosts/lt_host.py serve --port 0 --contacts $CONTACTS --seconds 900" ;;
        bittorrent-dht) echo "node bench/hosts/wt_host.mjs serve --port 0 --contacts $CONTACTS --seconds 900" ;;
    esac
}

# Sweep start per implementation: well below its limit, so the doubling phase takes a few steps.
sweep_from() {
    case "$1" in
        echo) echo 20000 ;;
        bittorrent-dht) echo 2000 ;;
        *) echo 5000 ;;
    esac
}

HOST_PID=""
HOST_PORT=""
start_host() {
    local impl=$1 out="$RESULTS/host-$1.out"
    : >"$out"
    if [ "$impl" = dht ] && [ "$PROFILE" = 1 ]; then
        # Lets perf resolve JIT-compiled methods (a /tmp/perf-PID.map file).
        DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 $(host_command "$impl") >"$out" 2>"$RESULTS/host-$impl.err" &
    else
        $(host_command "$impl") >"$out" 2>"$RESULTS/host-$impl.err" &
    fi
    HOST_PID=$!
    PIDS+=("$HOST_PID")
    for _ in $(seq 600); do
        if grep -q '"ready"' "$out"; then break; fi
        if ! kill -0 "$HOST_PID" 2>/dev/null; then log "$impl host died"; cat "$RESULTS/host-$impl.err" >&2; return 1; fi
        sleep 0.1
    done
    HOST_PORT=$(grep -m1 '"ready"' "$out" | sed 's/.*"port": *\([0-9]*\).*/\1/')
    [ -n "$HOST_PORT" ] || { log "$impl host did not become ready"; return 1; }
    log "$impl ready on 127.0.0.1:$HOST_PORT: $(grep -m1 '"ready"' "$out")"
}

stop_host() {
    kill "$HOST_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$HOST_PID" 2>/dev/null || true
    wait "$HOST_PID" 2>/dev/null || true
}

proc_cpu_ms() { awk -v t="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); split($0, f, " "); printf "%d\n", (f[12] + f[13]) * 1000 / t }' "/proc/$1/stat"; }
proc_rss() { awk '/VmRSS/ { print $2 * 1024 }' "/proc/$1/status"; }
proc_hwm() { awk '/VmHWM/ { print $2 * 1024 }' "/proc/$1/status"; }

# ---- sweeps ------------------------------------------------------------------------------------------------
SWEEPS="$RESULTS/sweeps.jsonl"
CPU="$RESULTS/cpu.jsonl"
: >"$SWEEPS"
: >"$CPU"
uptime >"$RESULTS/load-before.txt"
HALF="$RESULTS/half-rate.jsonl"
: >"$HALF"
for impl in $IMPLS; do
    start_host "$impl"
    sleep 1
    if [ "$impl" != echo ]; then
        # Warm-up, not recorded: a managed runtime compiles its hot code to the optimised tier during the first
        # seconds of load, which would otherwise land in the first sweep steps.
        timeout 30 "$LOADGEN" --target "127.0.0.1:$HOST_PORT" --query find_node --rate 10000 --duration 3 >/dev/null 2>&1 || true
        timeout 30 "$LOADGEN" --target "127.0.0.1:$HOST_PORT" --query get --rate 5000 --duration 2 >/dev/null 2>&1 || true
    fi
    queries=$QUERIES
    [ "$impl" = echo ] && queries=ping
    for q in $queries; do
        store=()
        [ "$q" = get_stored ] && store=(--store 64)
        log "$impl: sweep $q"
        timeout 300 "$LOADGEN" --target "127.0.0.1:$HOST_PORT" --query "$q" "${store[@]}" --sweep \
            --from "$(sweep_from "$impl")" --duration "$STEP_SECONDS" --tries "$TRIES" --pause 0.5 \
            --json "$SWEEPS" --label "$impl" | tee -a "$RESULTS/sweeps.txt" >&2
        sleep 1
    done
    if [ "$impl" != echo ] && [ -s "$SWEEPS" ]; then
        # Latency at half of our node's highest find_node rate (the rate the latency target is stated at):
        # fixed-rate runs against each implementation (the report takes the median).
        half=$(grep '"label":"dht","mode":"best","query":"find_node"' "$SWEEPS" | tail -1 | sed 's/.*"rate":\([0-9]*\).*/\1/')
        if [ -n "$half" ]; then
            half=$((half / 2))
            for run in $(seq "$HALF_RUNS"); do
                timeout 60 "$LOADGEN" --target "127.0.0.1:$HOST_PORT" --query find_node --rate "$half" --duration 3 \
                    --json "$HALF" --label "$impl" >&2 || true
                sleep 0.5
            done
        fi
    fi
    if [ "$impl" != echo ]; then
        # CPU and memory per 10,000 answered find_node queries, at a rate every implementation sustains.
        sleep 1
        before=$(proc_cpu_ms "$HOST_PID")
        stats_before=$(grep '"stats"' "$RESULTS/host-$impl.out" | tail -1 || true)
        timeout 60 "$LOADGEN" --target "127.0.0.1:$HOST_PORT" --query find_node --rate "$CPU_RATE" --duration "$CPU_SECONDS" \
            --json "$RESULTS/cpu-run.jsonl" --label "$impl" >&2
        after=$(proc_cpu_ms "$HOST_PID")
        sleep 1.2
        stats_after=$(grep '"stats"' "$RESULTS/host-$impl.out" | tail -1 || true)
        answered=$(tail -1 "$RESULTS/cpu-run.jsonl" | sed 's/.*"answered":\([0-9]*\).*/\1/')
        printf '{"label":"%s","cpu_ms":%d,"answered":%d,"rss":%d,"hwm":%d,"stats_before":%s,"stats_after":%s}\n' \
            "$impl" "$((after - before))" "$answered" "$(proc_rss "$HOST_PID")" "$(proc_hwm "$HOST_PID")" \
            "${stats_before:-null}" "${stats_after:-null}" >>"$CPU"
        if [ "$impl" = dht ] && [ "$PROFILE" = 1 ] && command -v perf >/dev/null; then
            bash bench/profile.sh "$HOST_PID" "$HOST_PORT" "$RESULTS" >&2 || log "profiling failed (see $RESULTS)"
        fi
    fi
    stop_host
done
uptime >"$RESULTS/load-after.txt"

# ---- end to end ---------------------------------------------------------------------------------------------
E2E_FILE="$RESULTS/e2e.jsonl"
: >"$E2E_FILE"
if [ "$E2E" = 1 ]; then
    for impl in $IMPLS; do
        case "$impl" in
            dht) cmd=("$PERFHOST" e2e --nodes "$E2E_NODES" --items "$E2E_ITEMS" --warmup-seconds "$E2E_WARMUP" --seconds 600) ;;
            libtorrent) cmd=("$PYTHON" bench/hosts/lt_host.py e2e --nodes "$E2E_NODES" --items "$E2E_ITEMS" --warmup-seconds "$E2E_WARMUP") ;;
            bittorrent-dht) cmd=(node bench/hosts/wt_host.mjs e2e --nodes "$E2E_NODES" --items "$E2E_ITEMS" --warmup-seconds "$E2E_WARMUP" --seconds 600) ;;
            *) continue ;;
        esac
        log "$impl: end to end, $E2E_NODES nodes, $E2E_ITEMS puts and gets"
        timeout 660 "${cmd[@]}" >"$RESULTS/e2e-$impl.out" 2>"$RESULTS/e2e-$impl.err" &
        PIDS+=("$!")
        wait "$!" || log "$impl end to end failed (see $RESULTS/e2e-$impl.err)"
        grep '"impl"' "$RESULTS/e2e-$impl.out" | tail -1 | tee -a "$E2E_FILE" >&2 || true
    done
fi

# ---- report --------------------------------------------------------------------------------------------------
if [ -n "$OUT" ]; then
    "$PYTHON" bench/report.py "$RESULTS" >"$OUT"
    log "wrote $OUT (raw results in $RESULTS)"
else
    log "raw results in $RESULTS"
fi
