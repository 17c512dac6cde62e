#!/usr/bin/env node
// Runs webtorrent's bittorrent-dht as a real Mainline DHT peer that tests drive over JSON lines.
//
//   node driver.mjs --port P [--bootstrap 127.0.0.1:8001,127.0.0.1:8002] [--host 127.0.0.1]
//                   [--id <40 hex>] [--timeout <query timeout ms>] [--allow-non-loopback]
//
// stdout carries only protocol lines: first {"event":"ready","port":P,"id":"<hex>"} once the socket
// listens, then one reply per command read from stdin, {"id":<cmd id>,"ok":true,...} or
// {"id":<cmd id>,"ok":false,"error":"...","code"?:<KRPC error code>}. Diagnostics go to stderr.
// The README next to this file lists every command and reply.
//
// Where this departs from a plain bittorrent-dht peer, and why:
// - Every datagram to an address outside 127.0.0.0/8 is dropped (and logged): the library falls back to
//   public routers and queries whatever addresses other nodes hand it, and a test must never leak.
// - get/put/announce skip the library's shortcuts unless asked: `get` defaults to cache:false, and
//   put/announce forget the cached lookup table for the target first (the library reuses it for five
//   minutes), so each command really walks the network as it is now.
// - Exceptions thrown inside the library by hostile packets are counted (see `stats`), not fatal.

import DHT from 'bittorrent-dht'
import crypto from 'node:crypto'
import dgram from 'node:dgram'
import net from 'node:net'
import readline from 'node:readline'

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const COMMAND_TIMEOUT_MS = 60_000
const MAX_NODES_REPORTED = 20

const args = parseArgs(process.argv.slice(2))
const host = args.host ?? '127.0.0.1'
const allowNonLoopback = args['allow-non-loopback'] === true

const stats = {
  uncaught: 0,
  warnings: 0,
  dropped: 0,
  queries: {}
}

process.on('uncaughtException', err => {
  stats.uncaught++
  log('uncaught exception (ignored):', err && err.stack ? err.stack : err)
})
process.on('unhandledRejection', err => {
  stats.uncaught++
  log('unhandled rejection (ignored):', err && err.stack ? err.stack : err)
})

if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
  fatal('usage: node driver.mjs --port P [--bootstrap host:port,...] [--host 127.0.0.1] [--id hex] [--timeout ms]')
}

const bootstrap = (typeof args.bootstrap === 'string' && args.bootstrap.length > 0)
  ? args.bootstrap.split(',').map(s => s.trim()).filter(Boolean).map(parseEndpoint)
  : []
for (const address of [host, ...bootstrap.map(b => b.host)]) {
  if (!isAllowed(address)) fatal(`address ${address} is outside 127.0.0.0/8 (pass --allow-non-loopback)`)
}
process.stdout.on('error', err => {
  log('stdout failed:', err.message)
  shutdown(1)
})

const dht = new DHT({
  // An explicit list, possibly empty: without it the library contacts public routers.
  bootstrap,
  host,
  nodeId: args.id,
  timeout: typeof args.timeout === 'number' ? args.timeout : undefined,
  socket: guardedSocket(),
  verify: ed25519Verify
})

let listening = false
dht.on('warning', err => {
  stats.warnings++
  log('warning:', err && err.message ? err.message : err)
})
dht.on('error', err => {
  log('error:', err && err.stack ? err.stack : err)
  if (!listening) {
    writeLine({ event: 'error', error: String(err && err.message ? err.message : err) })
    process.exit(1)
  }
})
// Ahead of the library's own listener, so queries that make it throw are counted too.
dht._rpc.prependListener('query', query => {
  const q = query && query.q ? query.q.toString() : '?'
  stats.queries[q] = (stats.queries[q] || 0) + 1
})
dht.once('listening', () => {
  listening = true
  const address = dht.address()
  writeLine({ event: 'ready', port: address.port, id: hex(dht.nodeId) })
  startCommandLoop()
})
// Bind now, before the library's bootstrap lookup runs on the next tick, so it already
// leaves from the right port.
dht.listen(args.port, host)

const readyPromise = new Promise(resolve => {
  if (dht.ready) resolve()
  else dht.once('ready', resolve)
})

const commands = {
  async addNode (cmd) {
    const endpoint = endpointOf(cmd)
    if (cmd.nodeId) {
      const id = idBuffer(cmd.nodeId, 'nodeId')
      dht.addNode({ id, host: endpoint.host, port: endpoint.port })
      return { nodeId: hex(id), inTable: !!dht._rpc.nodes.get(id) }
    }
    const node = await new Promise((resolve, reject) => {
      dht._sendPing(endpoint, (err, n) => (err ? reject(err) : resolve(n)))
    })
    dht.addNode(node)
    return { nodeId: hex(node.id), inTable: !!dht._rpc.nodes.get(node.id) }
  },

  async bootstrap () {
    await readyPromise
    const visited = await findNodeLookup(dht.nodeId, null)
    return { nodes: dht._rpc.nodes.count(), visited }
  },

  async nodes () {
    return { nodes: dht._rpc.nodes.toArray().map(nodeJson) }
  },

  async ping (cmd) {
    const endpoint = endpointOf(cmd)
    const res = await new Promise((resolve, reject) => {
      dht._rpc.query(endpoint, { q: 'ping' }, (err, r) => (err ? reject(err) : resolve(r)))
    })
    if (!res || !res.r || !Buffer.isBuffer(res.r.id)) throw new Error('ping reply without r.id')
    const reply = { nodeId: hex(res.r.id) }
    if (Buffer.isBuffer(res.v)) reply.version = hex(res.v)
    if (Buffer.isBuffer(res.ip)) reply.ip = hex(res.ip)
    return reply
  },

  async findNode (cmd) {
    const target = idBuffer(cmd.target, 'target')
    const responders = new Map()
    const visited = await findNodeLookup(target, (res, peer) => {
      const id = res.r && res.r.id
      if (!Buffer.isBuffer(id) || id.length !== 20) return
      const h = peer.address || peer.host
      responders.set(`${h}:${peer.port}`, { id, host: h, port: peer.port })
    })
    const nodes = [...responders.values()]
      .sort((a, b) => Buffer.compare(xor(a.id, target), xor(b.id, target)))
      .slice(0, MAX_NODES_REPORTED)
      .map(nodeJson)
    return { nodes, visited }
  },

  async announce (cmd) {
    const infoHash = idBuffer(cmd.infoHash, 'infoHash')
    const port = cmd.port === undefined ? 0 : cmd.port
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('port must be 0..65535')
    if (cmd.fresh !== false) dht._tables.remove(hex(infoHash))
    const stored = await new Promise((resolve, reject) => {
      dht.announce(infoHash, port, (err, n) => (err ? reject(err) : resolve(n)))
    })
    return { nodes: stored }
  },

  async getPeers (cmd) {
    const infoHash = idBuffer(cmd.infoHash, 'infoHash')
    const all = new Set()
    const remote = new Set()
    const sources = new Set()
    const onPeer = (peer, ih, from) => {
      if (!Buffer.isBuffer(ih) || !ih.equals(infoHash)) return
      const p = `${peer.host}:${peer.port}`
      all.add(p)
      if (from) {
        remote.add(p)
        sources.add(`${from.address || from.host}:${from.port}`)
      }
    }
    dht.on('peer', onPeer)
    try {
      const visited = await new Promise((resolve, reject) => {
        dht.lookup(infoHash, (err, n) => (err ? reject(err) : resolve(n)))
      })
      return { peers: [...all], remotePeers: [...remote], sources: [...sources], visited }
    } finally {
      dht.removeListener('peer', onPeer)
    }
  },

  async putImmutable (cmd) {
    const v = valueOf(cmd)
    const target = sha1(bencodeBytes(v))
    if (cmd.fresh !== false) dht._tables.remove(hex(target))
    const stored = await put({ v })
    return { hash: hex(target), nodes: stored }
  },

  async getImmutable (cmd) {
    const target = idBuffer(cmd.hash, 'hash')
    return get(target, { cache: cmd.cache === true })
  },

  // Signs with secretKey (or a fresh key pair), or re-puts an item signed elsewhere when given
  // publicKey + signature instead.
  async putMutable (cmd) {
    const v = valueOf(cmd)
    const salt = saltOf(cmd)
    if (!Number.isSafeInteger(cmd.seq) || cmd.seq < 0) throw new Error('seq must be a non-negative integer')
    const opts = { v, seq: cmd.seq }
    let keys = null
    if (cmd.signature !== undefined) {
      opts.k = hexBuffer(cmd.publicKey, 'publicKey', 32)
      opts.sig = hexBuffer(cmd.signature, 'signature', 64)
    } else {
      keys = keyPair(cmd.secretKey)
      opts.k = keys.publicKey
      opts.sign = buf => crypto.sign(null, buf, keys.privateKey)
    }
    if (salt) opts.salt = salt
    if (cmd.cas !== undefined) {
      if (!Number.isSafeInteger(cmd.cas)) throw new Error('cas must be an integer')
      opts.cas = cmd.cas
    }
    const target = sha1(salt ? Buffer.concat([opts.k, salt]) : opts.k)
    if (cmd.fresh !== false) dht._tables.remove(hex(target))
    const stored = await put(opts)
    const reply = { publicKey: hex(opts.k), target: hex(target), seq: cmd.seq, nodes: stored }
    if (keys) reply.secretKey = hex(keys.seed)
    return reply
  },

  async getMutable (cmd) {
    const k = hexBuffer(cmd.publicKey, 'publicKey', 32)
    const salt = saltOf(cmd)
    const target = sha1(salt ? Buffer.concat([k, salt]) : k)
    const opts = { cache: cmd.cache === true }
    if (salt) opts.salt = salt
    const reply = await get(target, opts)
    reply.target = hex(target)
    return reply
  },

  async local (cmd) {
    const key = idBuffer(cmd.key, 'key')
    const value = dht._values.peek(hex(key))
    const reply = { found: !!value, peers: decodePeers(dht._peers.get(hex(key))) }
    if (value) Object.assign(reply, describeItem(value))
    return reply
  },

  async stats () {
    return {
      nodes: dht._rpc.nodes.count(),
      uncaught: stats.uncaught,
      warnings: stats.warnings,
      dropped: stats.dropped,
      queries: stats.queries
    }
  }
}

function startCommandLoop () {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false })
  rl.on('line', line => {
    if (line.trim().length === 0) return
    let cmd
    try {
      cmd = JSON.parse(line)
    } catch (err) {
      writeLine({ id: null, ok: false, error: `bad JSON: ${err.message}` })
      return
    }
    if (cmd === null || typeof cmd !== 'object' || Array.isArray(cmd)) {
      writeLine({ id: null, ok: false, error: 'a command is a JSON object' })
      return
    }
    const id = cmd.id ?? null
    if (cmd.cmd === 'quit') {
      writeLine({ id, ok: true }, () => shutdown(0))
      return
    }
    run(cmd).then(
      reply => writeLine(Object.assign({ id, ok: true }, reply)),
      err => {
        const reply = { id, ok: false, error: String(err && err.message ? err.message : err) }
        if (err && typeof err.code === 'number') reply.code = err.code
        writeLine(reply)
      })
  })
  rl.on('close', () => shutdown(0))
}

async function run (cmd) {
  const handler = Object.hasOwn(commands, cmd.cmd) ? commands[cmd.cmd] : null
  if (!handler) throw new Error(`unknown command: ${cmd.cmd}`)
  let timer
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${cmd.cmd} timed out`)), COMMAND_TIMEOUT_MS)
  })
  try {
    return await Promise.race([handler(cmd), timeout])
  } finally {
    clearTimeout(timer)
  }
}

let shuttingDown = false
function shutdown (code) {
  if (shuttingDown) return
  shuttingDown = true
  const exit = () => process.exit(code)
  setTimeout(exit, 2000).unref()
  try {
    dht.destroy(exit)
  } catch (err) {
    log('destroy failed:', err)
    exit()
  }
}

function findNodeLookup (target, visit) {
  return new Promise((resolve, reject) => {
    const message = { q: 'find_node', a: { id: dht.nodeId, target } }
    dht._rpc.closest(target, message, visit, (err, n) => (err ? reject(err) : resolve(n)))
  })
}

function put (opts) {
  return new Promise((resolve, reject) => {
    dht.put(opts, (err, key, n) => (err ? reject(err) : resolve(n)))
  })
}

// The library's get falls back to the local store even with cache:false (it seeds its answer with
// the local item), so `fromCache` tells a test whether the value really came over the network.
function get (target, opts) {
  const local = dht._values.peek(hex(target)) || null
  return new Promise((resolve, reject) => {
    dht.get(target, opts, (err, res) => {
      if (err) return reject(err)
      if (!res) return resolve({ found: false })
      const reply = { found: true, fromCache: local !== null && (res === local || opts.cache === true) }
      Object.assign(reply, describeItem(res))
      resolve(reply)
    })
  })
}

function describeItem (item) {
  const reply = {}
  if (Buffer.isBuffer(item.v)) {
    reply.value = item.v.toString('utf8')
    reply.valueHex = hex(item.v)
  } else {
    reply.valueJson = toJsonValue(item.v)
  }
  if (typeof item.seq === 'number') reply.seq = item.seq
  if (Buffer.isBuffer(item.k)) reply.publicKey = hex(item.k)
  if (Buffer.isBuffer(item.sig)) reply.signature = hex(item.sig)
  if (Buffer.isBuffer(item.id)) reply.nodeId = hex(item.id)
  return reply
}

function toJsonValue (v) {
  if (Buffer.isBuffer(v)) return hex(v)
  if (Array.isArray(v)) return v.map(toJsonValue)
  if (v !== null && typeof v === 'object') {
    const o = {}
    for (const [key, value] of Object.entries(v)) o[key] = toJsonValue(value)
    return o
  }
  return v
}

function ed25519Verify (sig, msg, publicKey) {
  try {
    if (!Buffer.isBuffer(sig) || sig.length !== 64) return false
    if (!Buffer.isBuffer(publicKey) || publicKey.length !== 32) return false
    const key = crypto.createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]),
      format: 'der',
      type: 'spki'
    })
    return crypto.verify(null, msg, key, sig)
  } catch (err) {
    log('verify failed:', err.message)
    return false
  }
}

// secretKey is the 32-byte ed25519 seed (RFC 8032 private key); a 64-byte seed||publicKey
// (libsodium layout) is accepted too. Without one a fresh key pair is made.
function keyPair (secretKey) {
  let seed
  if (secretKey === undefined || secretKey === null) {
    const { privateKey } = crypto.generateKeyPairSync('ed25519')
    seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32)
  } else {
    const raw = hexBuffer(secretKey, 'secretKey')
    if (raw.length !== 32 && raw.length !== 64) throw new Error('secretKey must be 32 (seed) or 64 bytes')
    seed = raw.subarray(0, 32)
  }
  const privateKey = crypto.createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8'
  })
  const publicKey = crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32)
  return { seed: Buffer.from(seed), privateKey, publicKey: Buffer.from(publicKey) }
}

function valueOf (cmd) {
  if (typeof cmd.valueHex === 'string') return hexBuffer(cmd.valueHex, 'valueHex')
  if (typeof cmd.value === 'string') return Buffer.from(cmd.value, 'utf8')
  throw new Error('value (utf8) or valueHex is required')
}

function saltOf (cmd) {
  let salt = null
  if (typeof cmd.saltHex === 'string') salt = hexBuffer(cmd.saltHex, 'saltHex')
  else if (typeof cmd.salt === 'string') salt = Buffer.from(cmd.salt, 'utf8')
  return salt && salt.length > 0 ? salt : null
}

function bencodeBytes (buf) {
  return Buffer.concat([Buffer.from(`${buf.length}:`, 'ascii'), buf])
}

function decodePeers (list) {
  return (list || []).filter(b => Buffer.isBuffer(b) && b.length === 6)
    .map(b => `${b[0]}.${b[1]}.${b[2]}.${b[3]}:${b.readUInt16BE(4)}`)
}

function endpointOf (cmd) {
  const h = cmd.host ?? '127.0.0.1'
  if (typeof h !== 'string' || net.isIPv4(h) === false) throw new Error('host must be an IPv4 address')
  if (!Number.isInteger(cmd.port) || cmd.port <= 0 || cmd.port > 65535) throw new Error('port must be 1..65535')
  checkAllowed(h)
  return { host: h, port: cmd.port }
}

function parseEndpoint (s) {
  const i = s.lastIndexOf(':')
  const h = s.slice(0, i)
  const port = Number(s.slice(i + 1))
  if (i <= 0 || !net.isIPv4(h) || !Number.isInteger(port) || port <= 0 || port > 65535) {
    fatal(`bad endpoint: ${s} (expected ipv4:port)`)
  }
  return { host: h, port }
}

function isAllowed (address) {
  return allowNonLoopback || (net.isIPv4(address) && address.startsWith('127.'))
}

function checkAllowed (address) {
  if (!isAllowed(address)) throw new Error(`address ${address} is outside 127.0.0.0/8`)
}

// A udp4 socket whose send silently drops datagrams to addresses the driver may not reach.
// dgram re-enters send with its shorter (msg, port, address, cb) form for datagrams queued before
// the bind completes, so the address is found by type rather than by position.
function guardedSocket () {
  const socket = dgram.createSocket('udp4')
  const send = socket.send
  socket.send = function (...sendArgs) {
    const address = sendArgs.find(a => typeof a === 'string')
    if (address !== undefined && !isAllowed(address)) {
      stats.dropped++
      log(`dropped datagram to ${address}`)
      const cb = sendArgs[sendArgs.length - 1]
      if (typeof cb === 'function') process.nextTick(cb, null)
      return
    }
    return send.apply(this, sendArgs)
  }
  return socket
}

function nodeJson (node) {
  return { id: hex(node.id), host: node.host || node.address, port: node.port }
}

function idBuffer (value, name) {
  return hexBuffer(value, name, 20)
}

function hexBuffer (value, name, length) {
  if (typeof value !== 'string' || value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) {
    throw new Error(`${name} must be a hex string`)
  }
  const buf = Buffer.from(value, 'hex')
  if (length !== undefined && buf.length !== length) throw new Error(`${name} must be ${length} bytes`)
  return buf
}

function xor (a, b) {
  const out = Buffer.alloc(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i]
  return out
}

function sha1 (buf) {
  return crypto.createHash('sha1').update(buf).digest()
}

function hex (buf) {
  return Buffer.from(buf).toString('hex')
}

function writeLine (obj, cb) {
  process.stdout.write(JSON.stringify(obj) + '\n', cb)
}

function log (...parts) {
  process.stderr.write(`[webtorrent-dht ${new Date().toISOString()}] ${parts.join(' ')}\n`)
}

function fatal (message) {
  log(message)
  writeLine({ event: 'error', error: message })
  process.exit(2)
}

function parseArgs (argv) {
  const out = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) fatal(`unexpected argument: ${a}`)
    const name = a.slice(2)
    if (name === 'allow-non-loopback') {
      out[name] = true
      continue
    }
    const value = argv[++i]
    if (value === undefined) fatal(`missing value for ${a}`)
    out[name] = (name === 'port' || name === 'timeout') ? Number(value) : value
  }
  return out
}
