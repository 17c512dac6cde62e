#!/usr/bin/env bash
# Departures on loopback, side by side, in one run: a 50-node network of our nodes and one of libtorrent
# sessions (each in one process), BEP 44 puts and gets from the nodes in turn while all are alive; then a
# quarter of the nodes leave silently and the survivors do the same at once, and once more. Our nodes also
# run named puts and gets (libtorrent has no such extension). Prints the JSON lines of both hosts.
#
# Usage: bench/departures.sh
# Environment: NODES=50 OPS=200 (our ops per phase and kind) LT_OPS=$OPS (libtorrent's: its operations wait
#              its 15 s query timeout for every departed node, so a full run can take hours) SEED=1
#              RESULTS=dir to keep raw output
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NODES=${NODES:-50}
OPS=${OPS:-200}
LT_OPS=${LT_OPS:-$OPS}
SEED=${SEED:-1}
RESULTS=${RESULTS:-$(mktemp -d /tmp/dht-departures.XXXXXX)}
mkdir -p "$RESULTS"
PYTHON=/usr/bin/python3

dotnet build bench/Dht.PerfHost -c Release -v q -nologo >"$RESULTS/build.log" 2>&1 || { cat "$RESULTS/build.log"; exit 1; }
if ! "$PYTHON" -c 'import libtorrent' 2>/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-libtorrent >/dev/null
fi

uptime >"$RESULTS/load-before.txt"
timeout 3600 bench/Dht.PerfHost/bin/Release/net10.0/Dht.PerfHost departures --nodes "$NODES" --ops "$OPS" --seed "$SEED" --seconds 3500 \
    | tee "$RESULTS/dht.jsonl"
timeout 14400 "$PYTHON" bench/hosts/lt_host.py departures --nodes "$NODES" --ops "$LT_OPS" --seed "$SEED" \
    | tee "$RESULTS/libtorrent.jsonl"
uptime >"$RESULTS/load-after.txt"
echo "raw results in $RESULTS" >&2
