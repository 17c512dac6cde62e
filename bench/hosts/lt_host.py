#!/usr/bin/python3
# libtorrent (Debian's python3-libtorrent) for the side-by-side performance comparison; run it with
# Debian's own /usr/bin/python3.
#
#   lt_host.py serve --port P [--contacts N] [--seconds S]   one session with only the DHT on, on 127.0.0.1:P,
#                                                            warmed with N contact sessions in this process
#   lt_host.py e2e [--nodes 50] [--items 600] [--seed N]     a loopback network of sessions in this process;
#                  [--warmup-seconds 3]                      BEP 44 immutable puts, then gets from other nodes,
#                                                            after an untimed warm-up of the same operations
#   lt_host.py departures [--nodes 50] [--ops 200]           the same network, BEP 44 immutable puts and gets
#                  [--leave-percent 25] [--seed N]           from the nodes in turn, all alive; then a quarter of
#                  [--warmup-seconds 3]                      the sessions leave silently (deleted) and the
#                                                            survivors do it again at once, and once more
#
# Every session: only the DHT (no LSD, UPnP, NAT-PMP), rate limits raised (dht_upload_rate_limit and
# dht_block_ratelimit very high; 0 would crash it), dht_block_timeout 1, and dht_restrict_routing_ips /
# dht_restrict_search_ips off so that many nodes on 127.0.0.1 may share a routing table. libtorrent only
# adds nodes that it has queried itself, so each session bootstraps from several earlier ones.
import gc
import json
import os
import random
import signal
import sys
import time

import warnings

import libtorrent as lt

warnings.filterwarnings("ignore", category=DeprecationWarning)

HIGH = 1_000_000_000


def settings(port, bootstrap, alerts):
    return {
        'listen_interfaces': '127.0.0.1:%d' % port,
        'enable_dht': True,
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        'enable_incoming_utp': False,
        'enable_outgoing_utp': False,
        'dht_bootstrap_nodes': ','.join('127.0.0.1:%d' % p for p in bootstrap),
        'dht_restrict_routing_ips': False,
        'dht_restrict_search_ips': False,
        'dht_upload_rate_limit': HIGH,
        'dht_block_ratelimit': HIGH,
        'dht_block_timeout': 1,
        'dht_max_dht_items': 100_000,
        'alert_mask': alerts,
    }


def session(port, bootstrap, alerts=0):
    return lt.session(settings(port, bootstrap, alerts))


def dht_nodes(ses):
    return ses.status().dht_nodes


def wait_nodes(ses, want, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end and dht_nodes(ses) < want:
        time.sleep(0.05)
    return dht_nodes(ses)


def process_stats(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    ticks = os.sysconf('SC_CLK_TCK')
    cpu_ms = (int(fields[11]) + int(fields[12])) * 1000 // ticks
    rss = int(fields[21]) * os.sysconf('SC_PAGE_SIZE')
    return cpu_ms, rss


def serve(args):
    port = int(args.get('port', 0))
    contacts = int(args.get('contacts', 16))
    seconds = float(args.get('seconds', 1800))
    target = session(port, [])
    port = target.listen_port()
    ports = [port]
    others = []
    for _ in range(contacts):
        s = session(0, ports[-3:])
        others.append(s)
        ports.append(s.listen_port())
    # The target learns the contacts by querying them (it ignores nodes that only query it).
    for p in ports[1:]:
        target.add_dht_node(('127.0.0.1', p))
    for s in others:
        for p in random.sample(ports, min(4, len(ports))):
            if p != s.listen_port():
                s.add_dht_node(('127.0.0.1', p))
    n = wait_nodes(target, contacts, 20)
    print(json.dumps({'event': 'ready', 'port': port, 'contacts': n, 'pid': os.getpid()}), flush=True)
    start = time.monotonic()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop and time.monotonic() - start < seconds:
        time.sleep(1)
        cpu_ms, rss = process_stats(os.getpid())
        print(json.dumps({'event': 'stats', 't': round(time.monotonic() - start, 3), 'cpu_ms': cpu_ms, 'rss': rss,
                          'contacts': dht_nodes(target)}), flush=True)
    for s in others + [target]:
        s.pause()


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float('nan')
    rank = max(1, -(-int(p * len(s) * 1000) // 1000))
    return s[min(rank, len(s)) - 1]


def wait_alert(ses, kind, match, seconds=30):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ses.wait_for_alert(100)
        for a in ses.pop_alerts():
            if isinstance(a, kind) and match(a):
                return a
    return None


def run_items(nodes, items, rnd, label):
    """Puts items from each node in turn, then gets each from another node; returns the timings."""
    count = len(nodes)
    puts, gets, targets, values = [], [], [], []
    put_ok = found = correct = 0
    for i in range(items):
        value = '%s item %d %08x' % (label, i, rnd.getrandbits(32))
        values.append(value.encode())
        ses = nodes[i % count]
        t0 = time.perf_counter()
        target = ses.dht_put_immutable_item(value.encode())
        a = wait_alert(ses, lt.dht_put_alert, lambda a: str(a.target) == str(target))
        puts.append((time.perf_counter() - t0) * 1000)
        targets.append(target)
        if a is not None and a.num_success > 0:
            put_ok += 1
    for i in range(items):
        ses = nodes[(i + count // 2) % count]
        ses.pop_alerts()
        t0 = time.perf_counter()
        ses.dht_get_immutable_item(targets[i])
        a = wait_alert(ses, lt.dht_immutable_item_alert, lambda a: str(a.target) == str(targets[i]))
        gets.append((time.perf_counter() - t0) * 1000)
        if a is not None and a.item is not None:
            found += 1
            item = a.item
            if isinstance(item, dict):
                item = item.get('value')
            if isinstance(item, str):
                item = item.encode()
            if item == values[i]:
                correct += 1
            elif os.environ.get('LT_DEBUG'):
                print('item mismatch: %r' % (a.item,), file=sys.stderr)
    return puts, gets, put_ok, found, correct


def network(count, rnd):
    """A loopback network of sessions in this process, each knowing at least a few others."""
    alerts = lt.alert.category_t.dht_notification | lt.alert.category_t.dht_operation_notification
    nodes, ports = [], []
    for i in range(count):
        s = session(0, ports[-4:], alerts)
        nodes.append(s)
        ports.append(s.listen_port())
        for p in ports[-5:-1]:
            s.add_dht_node(('127.0.0.1', p))
    # Let each session query a few random others, so that late nodes are known to early ones.
    for s in nodes:
        for p in rnd.sample(ports, 6):
            if p != s.listen_port():
                s.add_dht_node(('127.0.0.1', p))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and min(dht_nodes(s) for s in nodes) < min(8, count // 2):
        time.sleep(0.2)
    time.sleep(2)
    for s in nodes:
        s.pop_alerts()
    return nodes


def e2e(args):
    count = int(args.get('nodes', 50))
    items = int(args.get('items', 600))
    rnd = random.Random(int(args.get('seed', 1)))
    started = time.monotonic()
    nodes = network(count, rnd)
    setup = time.monotonic() - started

    # Warm-up, not timed: the same operations on other items for a few seconds (every host does this).
    warmup_items = 0
    warm_until = time.monotonic() + float(args.get('warmup-seconds', 3))
    while time.monotonic() < warm_until:
        run_items(nodes, 100, random.Random(rnd.getrandbits(32)), 'warm-up')
        warmup_items += 100
    puts, gets, put_ok, found, correct = run_items(nodes, items, rnd, 'e2e')
    print(json.dumps({'impl': 'libtorrent', 'nodes': count, 'items': items, 'warmup_items': warmup_items,
                      'setup_s': round(setup, 1),
                      'put_ok': put_ok, 'found': found, 'correct': correct,
                      'put_p50_ms': round(percentile(puts, 0.5), 3), 'put_p99_ms': round(percentile(puts, 0.99), 3),
                      'get_p50_ms': round(percentile(gets, 0.5), 3), 'get_p99_ms': round(percentile(gets, 0.99), 3)}),
          flush=True)
    for s in nodes:
        s.pause()


def departures(args):
    count = int(args.get('nodes', 50))
    ops = int(args.get('ops', 200))
    leave = count * int(args.get('leave-percent', 25)) // 100
    rnd = random.Random(int(args.get('seed', 1)))
    nodes = network(count, rnd)
    warm_until = time.monotonic() + float(args.get('warmup-seconds', 3))
    while time.monotonic() < warm_until:
        run_items(nodes, 50, random.Random(rnd.getrandbits(32)), 'warm-up')

    def report(phase):
        puts, gets, put_ok, _, correct = run_items(nodes, ops, random.Random(rnd.getrandbits(32)), phase)
        print(json.dumps({'impl': 'libtorrent', 'mode': 'departures', 'phase': phase, 'kind': 'bep44',
                          'nodes': len(nodes), 'ops': ops, 'put_ok': put_ok, 'found': correct,
                          'put_p50_ms': round(percentile(puts, 0.5), 3), 'put_p99_ms': round(percentile(puts, 0.99), 3),
                          'get_p50_ms': round(percentile(gets, 0.5), 3), 'get_p99_ms': round(percentile(gets, 0.99), 3)}),
              flush=True)

    report('alive')
    leaving = set(rnd.sample(range(count), leave))
    # Deleting a session closes its sockets; the DHT has no goodbye message, so the others are not told.
    nodes = [s for i, s in enumerate(nodes) if i not in leaving]
    gc.collect()
    report('after-departures')
    report('again')
    for s in nodes:
        s.pause()


def main():
    modes = {'serve': serve, 'e2e': e2e, 'departures': departures}
    if len(sys.argv) < 2 or sys.argv[1] not in modes:
        print('usage: lt_host.py serve|e2e|departures [--name value ...]', file=sys.stderr)
        return 2
    rest = sys.argv[2:]
    args = {rest[i][2:]: rest[i + 1] for i in range(0, len(rest) - 1, 2)}
    modes[sys.argv[1]](args)
    return 0


if __name__ == '__main__':
    sys.exit(main())
