// Realtime fan-out benchmark: N WebSocket subscribers (vsn 2.0.0; Phoenix frames and a minimal
// WebSocket by hand over TCP, so the client side stays cheap), all joined to bookings UPDATEs
// as the admin (every change reaches every subscriber), while confirms run at a fixed rate over REST. Reports
// commit -> delivery latency (to every subscriber, and to the last one per change), messages/s,
// drops, and the server's resident memory per connection. Then a broadcast round: one sender,
// N receivers, send -> receive latency.
//
//   node tests/bench/realtime-bench.cjs --url http://127.0.0.1:PORT --server-pid PID
//        --subscribers 1000 --rate 100 --seconds 20 [--broadcast-rate 20]
//        [--client rtswarm|node] [--rtswarm PATH]
//
// --client rtswarm (default): the subscribers are rtswarm (tests/bench/rtswarm.cpp, one epoll
// thread in C++), started here with the admin token (or the agents' tokens); this process logs
// in, reads the server's RSS, runs the confirm load from a child process and collects rtswarm's
// JSON. rtswarm is found at --rtswarm, $RTSWARM, or build/tests/bench/rtswarm; $RTSWARM_ARGS
// adds options to its command line.
// --client node: the subscribers live in this Node process (one 'data' event per message: at
// ~100k messages/s it takes about a core of its own, which on a 2-core machine the server misses).
'use strict'

const path = require('node:path')
const fs = require('node:fs')
const { randomUUID } = require('node:crypto')
const http = require('node:http')
const net = require('node:net')
const crypto = require('node:crypto')

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, value, i, all) => {
  if (value.startsWith('--')) pairs.push([value.slice(2), all[i + 1]])
  return pairs
}, []))
const base = args.url
const subscribers = Number(args.subscribers || 1000)
const rate = Number(args.rate || 100)
const seconds = Number(args.seconds || 20)
const broadcastRate = Number(args['broadcast-rate'] || 20)
const serverPid = Number(args['server-pid'] || 0)
// "admin": every subscriber sees every change (worst-case fan-out); "agents": subscribers
// alternate between the two demo agents, each seeing the changes of its own rows.
const audience = args.audience || 'admin'
const client = args.client || 'rtswarm'
if (client !== 'rtswarm' && client !== 'node') throw new Error(`--client must be rtswarm or node, not ${client}`)
const rtswarmPath = args.rtswarm || process.env.RTSWARM || path.resolve(__dirname, '../../build/tests/bench/rtswarm')
const wsUrl = base.replace(/^http/, 'ws') + '/realtime/v1/websocket?apikey=demo-anon-key&vsn=2.0.0'
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })

const now = () => performance.timeOrigin + performance.now() // ms, sub-ms resolution
const percentile = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))] : NaN
const rssKb = () => {
  if (!serverPid) return NaN
  const m = fs.readFileSync(`/proc/${serverPid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
  return m ? Number(m[1]) : NaN
}
// CPU seconds (user + system) of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks).
const clockTicks = (() => { try { return Number(require('node:child_process').execSync('getconf CLK_TCK').toString()) || 100 } catch { return 100 } })()
const cpuSecondsOf = (pid) => {
  if (!pid) return NaN
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // fields[0] is field 3 (state)
  return (Number(fields[11]) + Number(fields[12])) / clockTicks
}
const ownCpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6 }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function request(method, pathName, token, body, key) {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : undefined
    const req = http.request(base + pathName, {
      method, agent,
      headers: Object.assign({ 'Content-Type': 'application/json' },
        token ? { Authorization: `Bearer ${token}` } : {}, key ? { 'Idempotency-Key': key } : {},
        data ? { 'Content-Length': Buffer.byteLength(data) } : {}),
    }, (res) => {
      let text = ''
      res.on('data', (c) => { text += c })
      res.on('end', () => resolve({ status: res.statusCode, json: text ? JSON.parse(text) : {} }))
    })
    req.on('error', reject)
    if (data) req.write(data)
    req.end()
  })
}

const changePrefix = Buffer.from('[null,null,"realtime:bench","postgres_changes"')
const stats = { delivered: 0, closed: 0, resets: 0, closeReasons: {}, bytes: 0 }
const perChange = new Map() // "id:version" -> { commit, count, last }
const deliveryLatencies = []
const broadcastLatencies = []
let broadcastReceived = 0

// A subscriber on a bare TCP socket with just enough WebSocket (RFC 6455) to join and read:
// frames are cut out of the stream in place, so one Node process can follow thousands of
// sockets at 100k+ messages/s without becoming the bottleneck it is meant to measure.
function sendFrame(socket, text) {
  const payload = Buffer.from(text)
  const mask = crypto.randomBytes(4)
  const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length])
    : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff])
  for (let i = 0; i < payload.length; ++i) payload[i] ^= mask[i & 3]
  socket.write(Buffer.concat([header, mask, payload]))
}

function onChangeFrame(data, start, end, t) {
  const recordAt = data.indexOf('"record":', start)
  const idAt = data.indexOf('"id":"', recordAt) + 6
  const versionAt = data.indexOf('"version":', recordAt) + 10
  let version = 0
  for (let i = versionAt; i < end && data[i] >= 48 && data[i] <= 57; ++i) version = version * 10 + data[i] - 48
  const key = data.latin1Slice(idAt, idAt + 36) + ':' + version
  let entry = perChange.get(key)
  if (!entry) {
    const tsAt = data.indexOf('"commit_timestamp":"', start) + 20
    entry = { commit: Date.parse(data.latin1Slice(tsAt, data.indexOf('"', tsAt))), count: 0, last: 0 }
    perChange.set(key, entry)
  }
  entry.count++
  entry.last = t
  stats.delivered++
  deliveryLatencies.push(t - entry.commit)
}

function subscriber(token) {
  return new Promise((resolve, reject) => {
    const url = new URL(wsUrl)
    const socket = net.connect(Number(url.port), url.hostname)
    socket.setNoDelay(true)
    let buffer = Buffer.alloc(0)
    let upgraded = false
    let ref = 1
    const send = (frame) => sendFrame(socket, JSON.stringify(frame))
    socket.on('connect', () => {
      socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n`
        + `Connection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\n`
        + 'Sec-WebSocket-Version: 13\r\n\r\n')
    })
    socket.on('data', (chunk) => {
      const t = now()
      stats.bytes += chunk.length
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        if (!buffer.latin1Slice(0, 12).includes('101')) return reject(new Error(buffer.latin1Slice(0, end)))
        upgraded = true
        buffer = buffer.subarray(end + 4)
        send(['1', String(ref++), 'realtime:bench', 'phx_join', {
          config: { broadcast: { self: false, ack: false }, presence: { key: '', enabled: false },
            postgres_changes: [{ event: 'UPDATE', schema: 'public', table: 'bookings' }], private: false },
          access_token: token }])
        socket.heartbeat = setInterval(() => send([null, String(ref++), 'phoenix', 'heartbeat', {}]), 25000)
      }
      let offset = 0
      for (;;) {
        if (buffer.length - offset < 2) break
        const opcode = buffer[offset] & 0x0f
        let length = buffer[offset + 1] & 0x7f
        let header = 2
        if (length === 126) { if (buffer.length - offset < 4) break; length = buffer.readUInt16BE(offset + 2); header = 4 }
        else if (length === 127) { if (buffer.length - offset < 10) break; length = Number(buffer.readBigUInt64BE(offset + 2)); header = 10 }
        if (buffer.length - offset < header + length) break
        const start = offset + header
        const end = start + length
        offset = end
        if (opcode === 8) { socket.closeFrame = true; stats.closed++; const code = length >= 2 ? buffer.readUInt16BE(start) : 0; const why = `${code} ${buffer.latin1Slice(start + 2, end)}`; stats.closeReasons[why] = (stats.closeReasons[why] || 0) + 1; continue }
        if (opcode !== 1) continue
        if (buffer.compare(changePrefix, 0, changePrefix.length, start, start + changePrefix.length) === 0) {
          onChangeFrame(buffer, start, end, t)
          continue
        }
        const [, , , event, payload] = JSON.parse(buffer.toString('utf8', start, end))
        if (event === 'system' && payload.extension === 'postgres_changes') resolve(socket)
        else if (event === 'broadcast' && payload.payload && payload.payload.sentAt) {
          broadcastReceived++
          broadcastLatencies.push(t - payload.payload.sentAt)
        }
      }
      buffer = offset === buffer.length ? Buffer.alloc(0) : buffer.subarray(offset)
    })
    socket.on('close', () => {
      clearInterval(socket.heartbeat)
      if (!socket.closeFrame && !socket.destroyedByUs) {
        stats.resets++
        const why = 'EOF/reset (no close frame)'
        stats.closeReasons[why] = (stats.closeReasons[why] || 0) + 1
      }
    })
    socket.on('error', (e) => { socket.lastError = e; reject(e) })
  })
}

async function login(email) {
  return (await request('POST', '/api/auth/login', null, { email, password: 'syncloop-demo' })).json.access_token
}

// The confirm load runs in a child process, so receiving the fan-out cannot slow it down.
async function generator() {
  const token = await login('admin@example.com')
  const pending = (await request('GET', '/api/bookings', token)).json.bookings.filter((b) => b.status === 'pending')
  const needed = rate * seconds
  if (pending.length < needed) throw new Error(`need ${needed} pending bookings, have ${pending.length}`)
  const interval = 1000 / rate
  const cpuStart = ownCpuSeconds()
  const start = now()
  const sent = []
  let errors = 0
  for (let i = 0; i < needed; ++i) {
    const wait = start + i * interval - now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    sent.push(request('POST', '/api/bookings/confirm', token, { bookingId: pending[i].id }, randomUUID())
      .then((r) => { if (r.status !== 200) errors++ }, (e) => { errors++; console.error(`confirm ${i}: ${e.message}`) }))
  }
  const sendSeconds = (now() - start) / 1000
  await Promise.all(sent)
  process.send({ confirms: needed, seconds: (now() - start) / 1000, sendSeconds, errors, cpuSeconds: ownCpuSeconds() - cpuStart })
  process.exit(0)
}

// Node subscribers in this process (--client node): the original client.
async function nodeSwarm(token, agentTokens, expectedPerChange, needed) {
  const sockets = []
  const started = now()
  for (let i = 0; i < subscribers; i += 100) {
    const batch = []
    for (let j = i; j < Math.min(subscribers, i + 100); ++j)
      batch.push(subscriber(audience === 'agents' ? agentTokens[j % 2] : token))
    sockets.push(...await Promise.all(batch))
  }
  const joinSeconds = (now() - started) / 1000
  let cpuMark = 0
  let cpuWindow = null
  return {
    joinSeconds,
    mark() { cpuMark = ownCpuSeconds(); cpuWindow = { start: now() } },
    async finish() {
      cpuWindow.cpu = ownCpuSeconds() - cpuMark
      cpuWindow.seconds = (now() - cpuWindow.start) / 1000
      // Let the last deliveries land: until every change reached every subscriber still
      // connected, or nothing arrived for 2 s, or 120 s (a server that falls behind catches up).
      const settleStart = now()
      let seen = stats.delivered
      let progressAt = now()
      while (now() - settleStart < 120000) {
        const complete = [...perChange.values()].filter((e) => e.count >= expectedPerChange - stats.closed - stats.resets).length
        if (complete >= needed) break
        if (stats.delivered !== seen) { seen = stats.delivered; progressAt = now() }
        else if (now() - progressAt > 2000) break
        await sleep(100)
      }
      let firstCommit = Infinity
      let lastCommit = -Infinity
      let lastDelivery = 0
      for (const e of perChange.values()) {
        firstCommit = Math.min(firstCommit, e.commit)
        lastCommit = Math.max(lastCommit, e.commit)
        lastDelivery = Math.max(lastDelivery, e.last)
      }
      const lastLatency = [...perChange.values()].map((e) => e.last - e.commit).sort((a, b) => a - b)
      deliveryLatencies.sort((a, b) => a - b)
      const fullyServed = [...perChange.values()].filter((e) => e.count === expectedPerChange).length

      // Broadcast round on the same sockets: one sender, everyone else receives.
      const sender = sockets[0]
      const broadcasts = broadcastRate * 5
      for (let i = 0; i < broadcasts; ++i) {
        sendFrame(sender, JSON.stringify(['1', String(100000 + i), 'realtime:bench', 'broadcast',
          { type: 'broadcast', event: 'tick', payload: { i, sentAt: now() } }]))
        await sleep(1000 / broadcastRate)
      }
      const bcStart = now()
      while (broadcastReceived < broadcasts * (subscribers - 1) && now() - bcStart < 5000) await sleep(100)
      broadcastLatencies.sort((a, b) => a - b)
      for (const s of sockets) { s.destroyedByUs = true; s.destroy() }
      return {
        changes_seen: perChange.size,
        changes_fully_served: fullyServed,
        messages_delivered: stats.delivered,
        measured_window_s: perChange.size ? +((lastDelivery - firstCommit) / 1000).toFixed(2) : NaN,
        commits_per_s: perChange.size > 1 && lastCommit > firstCommit ? +((perChange.size - 1) * 1000 / (lastCommit - firstCommit)).toFixed(1) : NaN,
        sockets_closed: stats.closed + stats.resets,
        close_reasons: stats.closeReasons,
        commit_to_last_subscriber_ms: { p50: +percentile(lastLatency, 50).toFixed(1), p99: +percentile(lastLatency, 99).toFixed(1), max: lastLatency.length ? +lastLatency[lastLatency.length - 1].toFixed(1) : NaN },
        commit_to_each_delivery_ms: { p50: +percentile(deliveryLatencies, 50).toFixed(1), p99: +percentile(deliveryLatencies, 99).toFixed(1) },
        broadcast: { sent: broadcasts, received: broadcastReceived, expected: broadcasts * (subscribers - 1),
          latency_ms: { p50: +percentile(broadcastLatencies, 50).toFixed(1), p95: +percentile(broadcastLatencies, 95).toFixed(1), p99: +percentile(broadcastLatencies, 99).toFixed(1) } },
        client_cpu_pct: +(100 * cpuWindow.cpu / cpuWindow.seconds).toFixed(1),
      }
    },
  }
}

// rtswarm subscribers (--client rtswarm): a separate C++ process; lines on its stdin drive it.
async function rtswarmSwarm(token, agentTokens, expectedPerChange) {
  if (!fs.existsSync(rtswarmPath))
    throw new Error(`rtswarm not found at ${rtswarmPath}: cmake --build build --target rtswarm, or pass --rtswarm PATH / RTSWARM=PATH`)
  const url = new URL(base)
  const tokens = audience === 'agents' ? agentTokens : [token]
  const swarmArgs = ['--host', url.hostname, '--port', url.port, '--subscribers', String(subscribers),
    '--expected-per-change', String(expectedPerChange), '--broadcasts', String(broadcastRate * 5),
    '--broadcast-rate', String(broadcastRate), '--settle-idle-ms', '2000', '--settle-max-ms', '120000',
    '--max-seconds', String(seconds * 3 + 120)]
  for (const t of tokens) swarmArgs.push('--token', t)
  // Extra rtswarm options, e.g. RTSWARM_ARGS="--coalesce-us 500".
  swarmArgs.push(...(process.env.RTSWARM_ARGS || '').split(/\s+/).filter(Boolean))
  const child = require('node:child_process').spawn(rtswarmPath, swarmArgs, { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  let onLine = null
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  child.stdout.on('data', (chunk) => { out += chunk; if (onLine) onLine() })
  const nextLine = () => new Promise((resolve, reject) => {
    const check = () => {
      const nl = out.indexOf('\n')
      if (nl < 0) return false
      const line = out.slice(0, nl)
      out = out.slice(nl + 1)
      onLine = null
      resolve(line)
      return true
    }
    if (check()) return
    onLine = check
    exited.then(({ code, signal }) => reject(new Error(`rtswarm exited (${signal || code}) ${out}`)))
  })
  const started = now()
  const ready = await nextLine()
  if (ready !== 'READY') throw new Error(`rtswarm said ${ready}`)
  const joinSeconds = (now() - started) / 1000
  return {
    joinSeconds,
    pid: child.pid,
    mark() { child.stdin.write('MARK\n') },
    async finish(needed) {
      child.stdin.write(`STOP ${needed}\n`)
      const json = JSON.parse(await nextLine())
      child.stdin.end()
      await exited
      return json
    },
  }
}

async function main() {
  if (args.generator) return generator()
  const token = await login('admin@example.com')
  const agentTokens = [await login('agent1@example.com'), await login('agent2@example.com')]
  const needed = rate * seconds
  // Every change reaches all subscribers (admin) or the half whose agent owns the row.
  const expectedPerChange = audience === 'agents' ? subscribers / 2 : subscribers

  const rssBefore = rssKb()
  const swarm = client === 'rtswarm'
    ? await rtswarmSwarm(token, agentTokens, expectedPerChange)
    : await nodeSwarm(token, agentTokens, expectedPerChange, needed)
  await sleep(1000)
  const rssAfter = rssKb()

  // Confirms at a fixed rate, each a real write with its own key, from a child process.
  const serverCpuStart = cpuSecondsOf(serverPid)
  const loadStart = now()
  swarm.mark()
  const child = require('node:child_process').fork(__filename, [...process.argv.slice(2), '--generator', '1'])
  const load = await new Promise((resolve, reject) => {
    child.on('message', resolve)
    child.on('error', reject)
    child.on('exit', (code, signal) => reject(new Error(`the load generator exited (${signal || code}) before reporting`)))
  })
  const serverCpuPct = 100 * (cpuSecondsOf(serverPid) - serverCpuStart) / ((now() - loadStart) / 1000)
  const loadSeconds = load.seconds
  const r = await swarm.finish(needed)

  const result = {
    client,
    subscribers,
    audience,
    subscribers_per_change: expectedPerChange,
    join_seconds: +swarm.joinSeconds.toFixed(2),
    confirms: needed,
    // Sent on schedule; answered (the last answer waits for the busiest moment); committed
    // (from the changes' commit timestamps: the rate subscribers had to keep up with).
    confirms_sent_per_s: +(load.confirms / load.sendSeconds).toFixed(1),
    confirm_rate_per_s: +(load.confirms / loadSeconds).toFixed(1),
    commits_per_s: r.commits_per_s,
    confirm_errors: load.errors,
    changes_seen: r.changes_seen,
    changes_fully_served: r.changes_fully_served,
    messages_delivered: r.messages_delivered,
    // Over first commit -> last delivery: when the server falls behind, deliveries go on after
    // the load stopped, and dividing by the load's duration would overstate the rate.
    messages_per_s: +(r.messages_delivered / r.measured_window_s).toFixed(0),
    measured_window_s: r.measured_window_s,
    load_seconds: +loadSeconds.toFixed(2),
    sockets_closed: r.sockets_closed,
    close_reasons: r.close_reasons,
    commit_to_last_subscriber_ms: r.commit_to_last_subscriber_ms,
    commit_to_each_delivery_ms: r.commit_to_each_delivery_ms,
    broadcast: r.broadcast,
    server_rss_mb: { before: +(rssBefore / 1024).toFixed(1), after_connect: +(rssAfter / 1024).toFixed(1) },
    server_kb_per_connection: +((rssAfter - rssBefore) / subscribers).toFixed(1),
    // CPU while the confirms ran (100 = one core): server, subscriber process, load generator.
    cpu_pct_during_load: { server: +serverCpuPct.toFixed(1), subscribers: r.client_cpu_pct,
      load_generator: +(100 * load.cpuSeconds / loadSeconds).toFixed(1) },
  }
  if (client === 'rtswarm') {
    const shown = new Set(Object.keys(result))
    result.subscriber_detail = Object.fromEntries(Object.entries(r).filter(([k]) => !shown.has(k) || k === 'messages_per_s'))
  }
  console.log(JSON.stringify(result, null, 2))
  process.exit(0)
}

main().catch((e) => { console.error(e); process.exit(1) })
