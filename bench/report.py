#!/usr/bin/python3
# Writes docs/PERFORMANCE.md (to stdout) from the raw results of one bench/compare.sh run:
#   report.py RESULTS_DIR
# The analysis and proposed changes come from bench/performance-notes.md, included as written.
import json
import os
import platform
import re
import subprocess
import sys

results = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
NAMES = {'echo': 'C UDP echo server (ceiling)', 'dht': '**dht (ours)**', 'libtorrent': 'libtorrent',
         'bittorrent-dht': 'bittorrent-dht'}
ORDER = ['dht', 'libtorrent', 'bittorrent-dht', 'echo']
QUERIES = [('ping', 'ping'), ('find_node', 'find_node'), ('get', 'get (random target)'), ('get_stored', 'get (stored item)')]


def lines(name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith('{'):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
    return out


def text(name):
    path = os.path.join(results, name)
    return open(path).read().strip() if os.path.exists(path) else ''


def run(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return ''


def version(impl):
    if impl == 'libtorrent':
        return run("/usr/bin/python3 -c 'import libtorrent; print(libtorrent.__version__)'")
    if impl == 'bittorrent-dht':
        try:
            with open(os.path.join(here, '../tests/interop/webtorrent/node_modules/bittorrent-dht/package.json')) as f:
                return json.load(f)['version']
        except OSError:
            return ''
    return ''


sweeps = lines('sweeps.jsonl')
best = {(s['label'], s['query']): s for s in sweeps if s['mode'] == 'best'}
cpu = {c['label']: c for c in lines('cpu.jsonl')}
e2e = {e['impl']: e for e in lines('e2e.jsonl')}
impls = [i for i in ORDER if any(k[0] == i for k in best)]

out = []
w = out.append
w('# Performance')
w('')
w('How fast one node answers KRPC queries, beside libtorrent and webtorrent\'s bittorrent-dht, measured in one')
w('run of `bench/compare.sh` on the machine described below. Regenerate this file with `bench/compare.sh`')
w('(about 15 minutes); the raw results of a run stay in the directory it prints.')
w('')
w('## Queries answered per second (one node, loopback)')
w('')
w('The highest fixed rate at which the node answered more than 99 % of the queries, found by the load')
w('generator\'s sweep (doubling, then bisecting to within 5 %%; each step %s s, a failed step retried once).' % (
    next((str(round(s['elapsed_s'])) for s in sweeps if s['mode'] == 'step'), '2')))
w('Latency (p50 / p99, milliseconds) is at that rate. CPU and memory: the node\'s process (all threads, its')
w('contacts included, which are idle) while answering find_node at a fixed rate below every node\'s limit.')
w('')
header = '| node | ' + ' | '.join(q[1] for q in QUERIES) + ' | CPU per 10,000 answered | RSS |'
w(header)
w('|' + '---|' * (len(QUERIES) + 3))
for impl in impls:
    cells = []
    for q, _ in QUERIES:
        s = best.get((impl, q))
        if s is None:
            cells.append('–')
        elif s.get('sent', 0) == 0:
            cells.append('failed')
        else:
            cells.append('%s/s (%.2f / %.2f)' % (format(int(round(s['rate'], -2)), ','), s['p50_ms'], s['p99_ms']))
    c = cpu.get(impl)
    if c and c.get('answered'):
        cells.append('%.0f ms' % (c['cpu_ms'] * 10000.0 / c['answered']))
        cells.append('%.0f MiB' % (c['rss'] / 1048576.0))
    else:
        cells += ['–', '–']
    name = NAMES.get(impl, impl)
    v = version(impl)
    if v:
        name += ' ' + v
    w('| %s | %s |' % (name, ' | '.join(cells)))
w('')
if 'dht' in cpu and cpu['dht'].get('stats_before') and cpu['dht'].get('stats_after'):
    b, a = cpu['dht']['stats_before'], cpu['dht']['stats_after']
    q = max(1, a['queries'] - b['queries'])
    w('Our node during that run: %s queries answered, %.1f managed bytes allocated per query (whole process,'
      ' timers included), %d gen-0 collections.' % (format(q, ','), (a['allocated'] - b['allocated']) / q,
                                                    a['gen0'] - b['gen0']))
    w('')

half = lines('half-rate.jsonl')


def p99_sent(run):
    """p99 over every query sent, a lost query counting as slower than any answer (inf: more than 1 % lost)."""
    v = run.get('p99_sent_ms', run['p99_ms'] if run['loss_pct'] <= 1.0 else -1)
    return float('inf') if v < 0 else v


def median(values):
    return sorted(values)[len(values) // 2]


def ms(v):
    return 'no answer' if v == float('inf') else '%.3f ms' % v


if half:
    rate = half[0]['rate']
    runs_per_impl = max(sum(1 for h in half if h['label'] == i) for i in impls)
    w('## Latency at half our find_node rate')
    w('')
    w('%d fixed-rate runs of 3 s each at %s find_node/s (half of our highest rate above), after the sweeps;'
      % (runs_per_impl, format(rate, ',')))
    w('the median of the runs\' percentiles. p50 to p99 are over the queries answered; the last p99 is over every')
    w('query sent, a query never answered counting as slower than any answer ("no answer" when more than 1 % were')
    w('lost): a node that drops queries under load does not get a shorter tail for it. The target uses that one.')
    w('')
    w('| node | p50 | p90 | p99 (answered) | loss | p99 (every query sent) |')
    w('|---|---|---|---|---|---|')
    for impl in impls:
        runs = [h for h in half if h['label'] == impl]
        if not runs:
            continue
        med = lambda key: median([r[key] for r in runs])
        w('| %s | %.3f ms | %.3f ms | %.3f ms | %.2f %% | %s |' % (NAMES.get(impl, impl), med('p50_ms'), med('p90_ms'),
                                                                 med('p99_ms'), med('loss_pct'), ms(median([p99_sent(r) for r in runs]))))
    w('')

low = lines('cpu-run.jsonl')
if low:
    w('## Latency at a rate every node sustains')
    w('')
    w('The CPU and memory run above: %s find_node/s for %.0f s against each node, one run.'
      % (format(int(low[0]['rate']), ','), low[0]['elapsed_s']))
    w('')
    w('| node | p50 | p90 | p99 | loss |')
    w('|---|---|---|---|---|')
    for impl in impls:
        r = next((x for x in low if x['label'] == impl), None)
        if r:
            w('| %s | %.3f ms | %.3f ms | %.3f ms | %.2f %% |' % (NAMES.get(impl, impl), r['p50_ms'], r['p90_ms'], r['p99_ms'], r['loss_pct']))
    w('')

w('## End to end: BEP 44 immutable put and get on a 50-node network')
w('')
if e2e:
    any_e = next(iter(e2e.values()))
    w('%d nodes of one implementation in one process on 127.0.0.1, each joining through the nodes started before' % any_e['nodes'])
    w('it; %d immutable puts (one at a time, from each node in turn), then a get of every item from another node,' % any_e['items'])
    w('timed from the call to its result. Before them, for a few seconds, the same operations on other items, not')
    w('timed (the warm-up column counts them): that keeps a runtime\'s just-in-time compilation out of the measured')
    w('operations, as the warm-up before the sweeps does (libtorrent is native code).')
    w('')
    w('| implementation | put p50 | put p99 | get p50 | get p99 | puts stored | gets found (correct) | warm-up |')
    w('|---|---|---|---|---|---|---|---|')
    for impl in ['dht', 'libtorrent', 'bittorrent-dht']:
        e = e2e.get(impl)
        if not e:
            continue
        w('| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %d / %d | %d (%d) | %s items |' % (
            NAMES.get(impl, impl), e['put_p50_ms'], e['put_p99_ms'], e['get_p50_ms'], e['get_p99_ms'],
            e['put_ok'], e['items'], e['found'], e['correct'], format(e.get('warmup_items', 0), ',')))
else:
    w('Not run (E2E=0).')
w('')

def rate_of(impl, q):
    s = best.get((impl, q))
    return s['rate'] if s and s.get('sent') else None


def half_p99(impl, key=p99_sent):
    runs = [key(h) for h in half if h['label'] == impl]
    return median(runs) if runs else None


targets = []
ours, lt, echo_rate = rate_of('dht', 'find_node'), rate_of('libtorrent', 'find_node'), rate_of('echo', 'ping')
if ours and lt:
    targets.append(('find_node answers/s >= 2x libtorrent\'s', '%s vs %s (%.1fx)' % (format(ours, ','), format(lt, ','), ours / lt), ours >= 2 * lt))
if ours and echo_rate:
    targets.append(('find_node answers/s >= 50% of the raw UDP echo', '%s vs %s (%.0f%%)' % (format(ours, ','), format(echo_rate, ','), 100.0 * ours / echo_rate), ours >= 0.5 * echo_rate))
if half_p99('dht') is not None and half_p99('libtorrent') is not None:
    targets.append(('p99 at half our find_node rate <= libtorrent\'s at that rate (every query sent)', '%s vs %s (answered only: %s vs %s)' % (
        ms(half_p99('dht')), ms(half_p99('libtorrent')), ms(half_p99('dht', lambda h: h['p99_ms'])),
        ms(half_p99('libtorrent', lambda h: h['p99_ms']))),
        # Both losing more than 1 % is not a tail met: ours must have one.
        half_p99('dht') != float('inf') and half_p99('dht') <= half_p99('libtorrent')))
if 'dht' in e2e and 'libtorrent' in e2e:
    for kind in ('put', 'get'):
        a, b = e2e['dht'][kind + '_p50_ms'], e2e['libtorrent'][kind + '_p50_ms']
        targets.append(('end-to-end median %s faster than libtorrent\'s' % kind, '%.2f ms vs %.2f ms' % (a, b), a < b))
if targets:
    w('## Targets in this run')
    w('')
    w('| target | measured | met |')
    w('|---|---|---|')
    for name, value, met in targets:
        w('| %s | %s | %s |' % (name, value, 'yes' if met else 'no'))
    w('')

w('## Machine')
w('')
cpu_model = run("lscpu | sed -n 's/^Model name: *//p'")
w('- CPU: %s, %s logical CPUs (`nproc`)' % (cpu_model or platform.processor(), os.cpu_count()))
w('- Memory: %s' % run("free -h | awk '/Mem:/ {print $2}'"))
w('- OS: %s, kernel %s' % (run(". /etc/os-release; echo $PRETTY_NAME"), platform.release()))
w('- .NET SDK %s; Node.js %s; gcc %s; libtorrent %s (python3-libtorrent); bittorrent-dht %s' % (
    run('dotnet --version'), run('node --version'), run("gcc -dumpfullversion"), version('libtorrent'),
    version('bittorrent-dht')))
w('- UDP buffers: net.core.rmem_max %s, wmem_max %s (the nodes keep their own defaults; the load generator asks for 8 MiB)' % (
    run('cat /proc/sys/net/core/rmem_max'), run('cat /proc/sys/net/core/wmem_max')))
lb, la = text('load-before.txt'), text('load-after.txt')
if lb:
    w('- Load during the run (`uptime` before and after the sweeps): `%s` / `%s`. The machine is shared; other' % (
        re.sub(r'.*load', 'load', lb), re.sub(r'.*load', 'load', la)))
    w('  work on it makes single steps fail (hence the retry) and widens the p99 column. Compare numbers within one run.')
w('')

w('## Method')
w('')
w('- Load generator: `bench/loadgen/loadgen.c`, one thread, one UDP socket, `sendmmsg`/`recvmmsg`, well-formed')
w('  KRPC queries with a unique 4-byte transaction id each (a per-step tag and a 24-bit sequence number), random')
w('  20-byte targets for find_node and get, a fixed node id. `get (stored item)` first stores 64 BEP 44 immutable')
w('  items on the node (get for a token, then put) and asks for them at random. A step sends at a fixed rate for')
w('  its duration, waits 0.5 s for late answers, and counts loss = 1 - answered / sent; a step only passes if the')
w('  generator really offered the rate (>= 95 % of the planned queries). Error replies count as answered.')
w('- Nodes: each started alone on 127.0.0.1 with %s contact nodes of its own kind in the same process (idle during' % (
    os.environ.get('CONTACTS', '16')))
w('  the load). Ours: `bench/Dht.PerfHost serve` (Release), per-IP rate limit raised. libtorrent:')
w('  `bench/hosts/lt_host.py`, a session with only the DHT on, `dht_upload_rate_limit` and `dht_block_ratelimit`')
w('  very high, `dht_block_timeout` 1, `dht_restrict_routing_ips`/`dht_restrict_search_ips` off. bittorrent-dht:')
w('  `bench/hosts/wt_host.mjs`, explicit bootstrap lists. The echo server (`bench/loadgen/echo.c`) sends every')
w('  datagram back unchanged, the most any UDP server can do here.')
w('- End to end: `Dht.PerfHost e2e`, `lt_host.py e2e`, `wt_host.mjs e2e` (bittorrent-dht gets with `cache: false`), each')
w('  implementation as it runs many nodes in one process: our nodes share the process\'s receive thread (the default;')
w('  `--own-receive-threads 1` gives each its own), each libtorrent session has its network thread, and')
w('  bittorrent-dht runs all of them on Node.js\'s one event loop.')
w('')

inproc = lines('inproc.jsonl')
perf_fn = text('perf-find_node-dso.txt')
if inproc or perf_fn:
    w('## Profile of our packet path (this run)')
    w('')
    if inproc:
        w('Without a socket (`Dht.PerfHost inproc`: prebuilt datagrams handed to the node\'s receiver on one thread,')
        w('routing table warmed with 200 querying contacts):')
        w('')
        w('| query | time per query | managed bytes allocated per query | reply size |')
        w('|---|---|---|---|')
        for r in inproc:
            w('| %s | %.2f µs | %.1f | %d B |' % (r['query'], r['ns_per_query'] / 1000, r['bytes_per_query'], r['reply_bytes']))
        w('')
    for q in ['find_node', 'ping']:
        dso = text('perf-%s-dso.txt' % q)
        top = text('perf-%s.txt' % q)
        if not dso:
            continue
        load = text('profile-load-%s.txt' % q)
        m = re.search(r'rate\s+(\d+)/s', load)
        w('`perf record -g` of the node process at a fixed %s rate (%s/s), share of samples by module:' % (
            q, m.group(1) if m else '?'))
        w('')
        w('```')
        w('\n'.join(l.rstrip() for l in dso.splitlines()[:8]))
        w('```')
        w('')
        managed = []
        for line in top.splitlines():
            m = re.match(r'\s*([\d.]+)%\s+(.*?)\s{2,}.*?\[([k.])\]\s+(.*)', line)
            if m:
                sym = re.sub(r'\s+-\s+-\s*$', '', m.group(4)).strip()
                if m.group(3) == '.':
                    sym = re.sub(r'\[[^\]]*\]', '', sym).strip()
                    sym = re.sub(r'\(.*', '', sym).split(' ')[-1]
                else:
                    sym = '[kernel] ' + sym
                managed.append('%6s%%  %s' % (m.group(1), sym))
        if managed:
            w('Top symbols (self time, all threads; `[k]` kernel symbols included):')
            w('')
            w('```')
            w('\n'.join(managed[:25]))
            w('```')
            w('')

notes = os.path.join(here, 'performance-notes.md')
if os.path.exists(notes):
    w(open(notes).read().rstrip())
    w('')
sys.stdout.write('\n'.join(out) + '\n')
