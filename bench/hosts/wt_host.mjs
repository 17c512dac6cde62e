#!/usr/bin/env node
// webtorrent's bittorrent-dht (the version pinned in tests/interop/webtorrent, installed there with
// `npm ci`) for the side-by-side performance comparison.
//
//   node wt_host.mjs serve --port P [--contacts N] [--seconds S]   one DHT on 127.0.0.1:P, warmed with N
//                                                                  contact DHTs in this process
//   node wt_host.mjs e2e [--nodes 50] [--items 600] [--seed N]     a loopback network in this process; BEP 44
//                        [--warmup-seconds 3]                      immutable puts, then gets from other nodes,
//                                                                  after an untimed warm-up of the same operations
//
// Every DHT gets an explicit bootstrap list (possibly empty): without one the library contacts public routers.
// Gets pass cache:false so that they walk the network. Everything stays on 127.0.0.1.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const library = path.resolve(here, '../../tests/interop/webtorrent/node_modules/bittorrent-dht/index.js')
const { default: DHT } = await import(pathToFileURL(library).href)

const [mode, ...rest] = process.argv.slice(2)
const args = {}
for (let i = 0; i + 1 < rest.length; i += 2) args[rest[i].replace(/^--/, '')] = rest[i + 1]

function create (bootstrap) {
  const dht = new DHT({ bootstrap: bootstrap.map(p => `127.0.0.1:${p}`), host: '127.0.0.1' })
  dht.on('warning', () => {})
  dht.on('error', err => console.error('dht error:', err.message))
  return dht
}

function listen (dht, port) {
  return new Promise(resolve => dht.listen(port, '127.0.0.1', () => resolve(dht.address().port)))
}

function ready (dht) {
  return new Promise(resolve => (dht.ready ? resolve() : dht.once('ready', resolve)))
}

function processStats () {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(')').pop().trim().split(/\s+/)
  const ticks = 100
  return { cpu_ms: Math.round((Number(fields[11]) + Number(fields[12])) * 1000 / ticks), rss: process.memoryUsage().rss }
}

function percentile (values, p) {
  const s = [...values].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const rank = Math.max(1, Math.ceil(p * s.length))
  return s[Math.min(rank, s.length) - 1]
}

async function serve () {
  const contacts = Number(args.contacts ?? 16)
  const seconds = Number(args.seconds ?? 1800)
  const target = create([])
  const port = await listen(target, Number(args.port ?? 0))
  const ports = [port]
  const others = []
  for (let i = 0; i < contacts; i++) {
    const dht = create(ports.slice(-3))
    others.push(dht)
    ports.push(await listen(dht, 0))
    await ready(dht)
  }
  await new Promise(resolve => target.lookup(target.nodeId, resolve))
  console.log(JSON.stringify({ event: 'ready', port, contacts: target.toJSON().nodes.length, pid: process.pid }))
  const start = Date.now()
  const timer = setInterval(() => {
    console.log(JSON.stringify({ event: 'stats', t: (Date.now() - start) / 1000, ...processStats(), contacts: target.toJSON().nodes.length }))
  }, 1000)
  const stop = () => {
    clearInterval(timer)
    for (const d of [target, ...others]) d.destroy()
    setTimeout(() => process.exit(0), 200)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  setTimeout(stop, seconds * 1000)
}

// Puts items from each node in turn, then gets each from another node; returns the timings.
async function runItems (nodes, items, random, label) {
  const puts = []
  const gets = []
  const targets = []
  const values = []
  let putOk = 0
  let found = 0
  let correct = 0
  const count = nodes.length
  for (let i = 0; i < items; i++) {
    const v = Buffer.from(`${label} item ${i} ${random().toString(16).padStart(8, '0')}`)
    values.push(v)
    const t0 = process.hrtime.bigint()
    const [err, hash, n] = await new Promise(resolve => nodes[i % count].put({ v }, (e, h, n) => resolve([e, h, n])))
    puts.push(Number(process.hrtime.bigint() - t0) / 1e6)
    targets.push(hash)
    if (!err && n > 0) putOk++
  }
  for (let i = 0; i < items; i++) {
    const t0 = process.hrtime.bigint()
    const [err, res] = await new Promise(resolve =>
      nodes[(i + Math.floor(count / 2)) % count].get(targets[i], { cache: false }, (e, r) => resolve([e, r])))
    gets.push(Number(process.hrtime.bigint() - t0) / 1e6)
    if (!err && res) {
      found++
      if (Buffer.from(res.v).equals(values[i])) correct++
    }
  }
  return { puts, gets, putOk, found, correct }
}

async function e2e () {
  const count = Number(args.nodes ?? 50)
  const items = Number(args.items ?? 600)
  let seed = Number(args.seed ?? 1)
  const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed }
  const started = Date.now()
  const nodes = []
  const ports = []
  for (let i = 0; i < count; i++) {
    const dht = create(ports.slice(-3))
    nodes.push(dht)
    ports.push(await listen(dht, 0))
    if (i > 0) await ready(dht)
  }
  await Promise.all(nodes.map(d => new Promise(resolve => d.lookup(d.nodeId, resolve))))
  const setup = (Date.now() - started) / 1000

  // Warm-up, not timed: the same operations on other items for a few seconds (every host does this).
  let warmupItems = 0
  const warmUntil = Date.now() + 1000 * Number(args['warmup-seconds'] ?? 3)
  while (Date.now() < warmUntil) {
    await runItems(nodes, 100, random, 'warm-up')
    warmupItems += 100
  }
  const { puts, gets, putOk, found, correct } = await runItems(nodes, items, random, 'e2e')
  const r3 = x => Math.round(x * 1000) / 1000
  console.log(JSON.stringify({
    impl: 'bittorrent-dht',
    nodes: count,
    items,
    warmup_items: warmupItems,
    setup_s: setup,
    put_ok: putOk,
    found,
    correct,
    put_p50_ms: r3(percentile(puts, 0.5)),
    put_p99_ms: r3(percentile(puts, 0.99)),
    get_p50_ms: r3(percentile(gets, 0.5)),
    get_p99_ms: r3(percentile(gets, 0.99))
  }))
  for (const d of nodes) d.destroy()
  setTimeout(() => process.exit(0), 200)
}

const deadline = setTimeout(() => { console.error('time bound reached'); process.exit(1) }, Number(args.seconds ?? 1800) * 1000 + 5000)
deadline.unref()
if (mode === 'serve') await serve()
else if (mode === 'e2e') await e2e()
else { console.error('usage: node wt_host.mjs serve|e2e [--name value ...]'); process.exit(2) }
