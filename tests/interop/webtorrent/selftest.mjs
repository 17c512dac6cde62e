#!/usr/bin/env node
// Checks driver.mjs against itself: two bittorrent-dht peers on 127.0.0.1, the second bootstrapped
// from the first, exercising every command once, plus the BEP 44 signature test vectors.
//
//   node selftest.mjs        (exit code 0 when every check passes)

import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import dgram from 'node:dgram'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const COMMAND_TIMEOUT_MS = 20_000

class Peer {
  static start (name, bootstrap) {
    const argv = [path.join(here, 'driver.mjs'), '--port', '0']
    if (bootstrap.length) argv.push('--bootstrap', bootstrap.join(','))
    const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'] })
    const peer = new Peer(name, child)
    return peer.ready
  }

  constructor (name, child) {
    this.name = name
    this.child = child
    this.nextId = 1
    this.pending = new Map()
    this.stderr = ''
    this.exited = new Promise(resolve => child.on('exit', code => resolve(code)))
    child.stderr.on('data', d => { this.stderr += d })
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no ready line`)), COMMAND_TIMEOUT_MS)
      readline.createInterface({ input: child.stdout }).on('line', line => {
        const msg = JSON.parse(line)
        if (msg.event === 'ready') {
          clearTimeout(timer)
          this.port = msg.port
          this.id = msg.id
          resolve(this)
        } else if (msg.event === 'error') {
          reject(new Error(`${name}: ${msg.error}`))
        } else if (this.pending.has(msg.id)) {
          this.pending.get(msg.id)(msg)
          this.pending.delete(msg.id)
        }
      })
    })
  }

  send (command) {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`${this.name}: ${command.cmd} got no reply`))
      }, COMMAND_TIMEOUT_MS)
      this.pending.set(id, reply => {
        clearTimeout(timer)
        resolve(reply)
      })
      this.child.stdin.write(JSON.stringify(Object.assign({ id }, command)) + '\n')
    })
  }

  async call (command) {
    const reply = await this.send(command)
    if (!reply.ok) throw new Error(`${this.name}: ${command.cmd} failed: ${reply.error}`)
    return reply
  }

  async quit () {
    if (this.child.exitCode !== null) return this.child.exitCode
    await this.send({ cmd: 'quit' }).catch(() => {})
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }
}

// Answers every query with a valid reply whose `nodes` names 192.0.2.1 (TEST-NET-1).
async function luringNode () {
  const socket = dgram.createSocket('udp4')
  const id = crypto.randomBytes(20)
  const lure = { socket, port: 0, queries: 0 }
  socket.on('message', (msg, rinfo) => {
    const at = msg.indexOf('1:t2:')
    if (at < 0 || msg.indexOf('1:y1:q') < 0) return
    lure.queries++
    const t = msg.subarray(at + 5, at + 7)
    const contact = Buffer.concat([crypto.randomBytes(20), Buffer.from([192, 0, 2, 1, 0x1a, 0xe1])])
    const reply = Buffer.concat([
      Buffer.from('d1:rd2:id20:'), id, Buffer.from('5:nodes26:'), contact,
      Buffer.from('5:token4:abcde1:t2:'), t, Buffer.from('1:y1:re')
    ])
    socket.send(reply, rinfo.port, rinfo.address)
  })
  await new Promise(resolve => socket.bind(0, '127.0.0.1', resolve))
  lure.port = socket.address().port
  return lure
}

let passed = 0
let failed = 0

function check (name, condition, detail) {
  if (condition) {
    passed++
    console.log(`ok - ${name}`)
  } else {
    failed++
    console.log(`not ok - ${name}${detail === undefined ? '' : ': ' + JSON.stringify(detail)}`)
  }
}

function sha1Hex (buf) {
  return crypto.createHash('sha1').update(buf).digest('hex')
}

async function main () {
  const a = await Peer.start('A', [])
  const b = await Peer.start('B', [`127.0.0.1:${a.port}`])
  const peers = [a, b]
  try {
    const boot = await b.call({ cmd: 'bootstrap' })
    check('B bootstraps from A', boot.nodes >= 1, boot)

    const aNodes = await a.call({ cmd: 'nodes' })
    check('A learned B from its queries', aNodes.nodes.some(n => n.id === b.id && n.port === b.port), aNodes)

    const ping = await b.call({ cmd: 'ping', host: '127.0.0.1', port: a.port })
    check('B pings A and sees its id', ping.nodeId === a.id, ping)
    const pingBack = await a.call({ cmd: 'ping', host: '127.0.0.1', port: b.port })
    check('A pings B and sees its id', pingBack.nodeId === b.id, pingBack)

    const added = await a.call({ cmd: 'addNode', host: '127.0.0.1', port: b.port })
    check('A adds B by address', added.nodeId === b.id && added.inTable, added)

    const target = crypto.randomBytes(20).toString('hex')
    const found = await b.call({ cmd: 'findNode', target })
    check('B finds A by find_node', found.nodes.some(n => n.id === a.id && n.port === a.port), found)

    const infoHash = crypto.randomBytes(20).toString('hex')
    const announced = await a.call({ cmd: 'announce', infoHash, port: 6881 })
    check('A announces to B', announced.nodes >= 1, announced)
    const gotPeers = await b.call({ cmd: 'getPeers', infoHash })
    check('B gets the announced peer from the network', gotPeers.remotePeers.includes('127.0.0.1:6881'), gotPeers)
    const bLocal = await b.call({ cmd: 'local', key: infoHash })
    check('B stored the announced peer', bLocal.peers.includes('127.0.0.1:6881'), bLocal)

    const immutable = await a.call({ cmd: 'putImmutable', value: 'hello world' })
    check('A puts an immutable item', immutable.nodes >= 1 && immutable.hash === sha1Hex('11:hello world'), immutable)
    const gotImmutable = await b.call({ cmd: 'getImmutable', hash: immutable.hash })
    check('B gets the immutable item over the network',
      gotImmutable.found && gotImmutable.value === 'hello world' && !gotImmutable.fromCache, gotImmutable)
    const missing = await b.call({ cmd: 'getImmutable', hash: crypto.randomBytes(20).toString('hex') })
    check('an unknown immutable item is not found', missing.found === false, missing)

    const m1 = await a.call({ cmd: 'putMutable', value: 'first', salt: 'greeting', seq: 1 })
    check('A puts a mutable item', m1.nodes >= 1 && /^[0-9a-f]{64}$/.test(m1.secretKey), m1)
    const g1 = await a.call({ cmd: 'getMutable', publicKey: m1.publicKey, salt: 'greeting' })
    check('A gets the mutable item back from B',
      g1.found && g1.value === 'first' && g1.seq === 1 && !g1.fromCache && g1.nodeId === b.id, g1)
    const m2 = await a.call({ cmd: 'putMutable', value: 'second', salt: 'greeting', seq: 2, secretKey: m1.secretKey })
    check('A updates the mutable item with the same key', m2.publicKey === m1.publicKey && m2.nodes >= 1, m2)
    const g2 = await a.call({ cmd: 'getMutable', publicKey: m1.publicKey, salt: 'greeting' })
    check('the update is visible', g2.found && g2.value === 'second' && g2.seq === 2, g2)
    const stale = await a.send({ cmd: 'putMutable', value: 'old', salt: 'greeting', seq: 1, secretKey: m1.secretKey })
    check('an older seq is refused with 302', !stale.ok && stale.code === 302, stale)
    const cas = await a.send({ cmd: 'putMutable', value: 'third', salt: 'greeting', seq: 3, cas: 1, secretKey: m1.secretKey })
    check('a wrong cas is refused with 301', !cas.ok && cas.code === 301, cas)

    // BEP 44 test vectors: B stores only what its verify accepts, and A's get verifies again.
    const publicKey = '77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548'
    const v1 = await a.call({
      cmd: 'putMutable',
      value: 'Hello World!',
      seq: 1,
      publicKey,
      signature: '305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff' +
        '1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01'
    })
    check('BEP 44 vector 1 target and store', v1.target === '4a533d47ec9c7d95b1ad75f576cffc641853b750' && v1.nodes >= 1, v1)
    const gv1 = await a.call({ cmd: 'getMutable', publicKey })
    check('BEP 44 vector 1 verifies on get', gv1.found && gv1.value === 'Hello World!' && gv1.seq === 1, gv1)
    const v2 = await a.call({
      cmd: 'putMutable',
      value: 'Hello World!',
      salt: 'foobar',
      seq: 1,
      publicKey,
      signature: '6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17d' +
        'df9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08'
    })
    check('BEP 44 vector 2 target and store', v2.target === '411eba73b6f087ca51a3795d9c8c938d365e32c1' && v2.nodes >= 1, v2)
    const gv2 = await a.call({ cmd: 'getMutable', publicKey, salt: 'foobar' })
    check('BEP 44 vector 2 verifies on get', gv2.found && gv2.value === 'Hello World!' && gv2.seq === 1, gv2)
    const v3 = await a.call({ cmd: 'putImmutable', value: 'Hello World!' })
    check('BEP 44 vector 3 target', v3.hash === 'e5f96f6f38320f0f33959cb4d3d656452117aadb', v3)
    const forged = await a.send({
      cmd: 'putMutable',
      value: 'Hello World?',
      seq: 2,
      publicKey,
      signature: '305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff' +
        '1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01'
    })
    check('a forged signature is not stored', !forged.ok, forged)

    // A scripted node that hands out a contact outside loopback: the driver must never send to it.
    const lure = await luringNode()
    try {
      const c = await Peer.start('C', [`127.0.0.1:${lure.port}`])
      peers.push(c)
      await c.call({ cmd: 'bootstrap' })
      await c.call({ cmd: 'findNode', target: crypto.randomBytes(20).toString('hex') })
      const cs = await c.call({ cmd: 'stats' })
      check('datagrams to an off-loopback contact are dropped', cs.dropped >= 1 && lure.queries > 0, cs)
    } finally {
      lure.socket.close()
    }

    for (const p of peers.slice(0, 2)) {
      const s = await p.call({ cmd: 'stats' })
      check(`${p.name} had no uncaught errors and sent nothing off loopback`, s.uncaught === 0 && s.dropped === 0, { s, stderr: p.stderr.slice(-2000) })
    }
  } finally {
    for (const p of peers) {
      const code = await p.quit()
      check(`${p.name} quits cleanly`, code === 0, { code, stderr: p.stderr.slice(-2000) })
    }
  }
}

main().catch(err => {
  failed++
  console.log(`not ok - ${err.stack || err}`)
}).finally(() => {
  console.log(`selftest: ${passed} passed, ${failed} failed`)
  process.exitCode = failed === 0 ? 0 : 1
})
