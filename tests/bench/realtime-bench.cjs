// Realtime fan-out benchmark: N WebSocket subscribers (vsn 2.0.0, Phoenix frames by hand over
// `ws`, so the client side stays cheap), all joined to bookings UPDATEs as the admin (every
// change reaches every subscriber), while confirms run at a fixed rate over REST. Reports
// commit -> delivery latency (to every subscriber, and to the last one per change), messages/s,
// drops, and the server's resident memory per connection. Then a broadcast round: one sender,
// N receivers, send -> receive latency.
//
//   node tests/bench/realtime-bench.cjs --url http://127.0.0.1:PORT --server-pid PID
//        --subscribers 1000 --rate 100 --seconds 20 [--broadcast-rate 20]
'use strict'

const path = require('node:path')
const fs = require('node:fs')
const { randomUUID } = require('node:crypto')
const http = require('node:http')
const WebSocket = require(path.join(__dirname, '../interop/node_modules/ws'))

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
const wsUrl = base.replace(/^http/, 'ws') + '/realtime/v1/websocket?apikey=demo-anon-key&vsn=2.0.0'
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })

const now = () => performance.timeOrigin + performance.now() // ms, sub-ms resolution
const percentile = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))] : NaN
const rssKb = () => {
  if (!serverPid) return NaN
  const m = fs.readFileSync(`/proc/${serverPid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
  return m ? Number(m[1]) : NaN
}

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

const stats = { delivered: 0, closed: 0, closeReasons: {}, bytes: 0 }
const perChange = new Map() // "id:version" -> { commit, count, last }
const deliveryLatencies = []
const broadcastLatencies = []
let broadcastReceived = 0

function subscriber(token, index) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { perMessageDeflate: false })
    let ref = 1
    const send = (frame) => socket.send(JSON.stringify(frame))
    socket.on('open', () => {
      send(['1', String(ref++), 'realtime:bench', 'phx_join', {
        config: { broadcast: { self: false, ack: false }, presence: { key: '', enabled: false },
          postgres_changes: [{ event: 'UPDATE', schema: 'public', table: 'bookings' }], private: false },
        access_token: token }])
      socket.heartbeat = setInterval(() => send([null, String(ref++), 'phoenix', 'heartbeat', {}]), 25000)
    })
    socket.on('message', (data, isBinary) => {
      const t = now()
      stats.bytes += data.length
      if (isBinary) return
      const text = data.toString()
      // Changes are the bulk: read the three fields we need without parsing the whole frame,
      // so the client swarm costs little next to the server it measures.
      if (text.startsWith('[null,null,"realtime:bench","postgres_changes"')) {
        const field = (name, from) => {
          const at = text.indexOf(`"${name}":`, from)
          if (at < 0) return undefined
          const start = at + name.length + 3
          return text[start] === '"' ? text.slice(start + 1, text.indexOf('"', start + 1))
                                     : text.slice(start, text.slice(start).search(/[,}]/) + start)
        }
        const recordAt = text.indexOf('"record":')
        const key = `${field('id', recordAt)}:${field('version', recordAt)}`
        let entry = perChange.get(key)
        if (!entry) {
          entry = { commit: Date.parse(field('commit_timestamp', 0)), count: 0, last: 0 }
          perChange.set(key, entry)
        }
        entry.count++
        entry.last = t
        stats.delivered++
        deliveryLatencies.push(t - entry.commit)
        return
      }
      const [, , , event, payload] = JSON.parse(text)
      if (event === 'system' && payload.extension === 'postgres_changes') resolve(socket)
      else if (event === 'broadcast' && payload.payload && payload.payload.sentAt) {
        broadcastReceived++
        broadcastLatencies.push(t - payload.payload.sentAt)
      }
    })
    socket.on('close', (code, reason) => {
      clearInterval(socket.heartbeat)
      stats.closed++
      const why = `${code} ${reason}`
      stats.closeReasons[why] = (stats.closeReasons[why] || 0) + 1
    })
    socket.on('error', reject)
  })
}

async function main() {
  const login = await request('POST', '/api/auth/login', null, { email: 'admin@example.com', password: 'syncloop-demo' })
  const token = login.json.access_token
  const pending = (await request('GET', '/api/bookings', token)).json.bookings.filter((b) => b.status === 'pending')
  const needed = rate * seconds
  if (pending.length < needed) throw new Error(`need ${needed} pending bookings, have ${pending.length}`)

  const rssBefore = rssKb()
  const sockets = []
  const started = now()
  for (let i = 0; i < subscribers; i += 100) {
    const batch = []
    for (let j = i; j < Math.min(subscribers, i + 100); ++j) batch.push(subscriber(token, j))
    sockets.push(...await Promise.all(batch))
  }
  const joinSeconds = (now() - started) / 1000
  await new Promise((r) => setTimeout(r, 1000))
  const rssAfter = rssKb()

  // Confirms at a fixed rate, each a real write with its own key.
  const sentConfirms = []
  const interval = 1000 / rate
  const loadStart = now()
  let statusErrors = 0
  for (let i = 0; i < needed; ++i) {
    const due = loadStart + i * interval
    const wait = due - now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    const b = pending[i]
    sentConfirms.push(request('POST', '/api/bookings/confirm', token, { bookingId: b.id }, randomUUID())
      .then((r) => { if (r.status !== 200) statusErrors++ }))
  }
  await Promise.all(sentConfirms)
  const loadSeconds = (now() - loadStart) / 1000
  // Let the last deliveries land.
  const settleStart = now()
  while (now() - settleStart < 5000) {
    const complete = [...perChange.values()].filter((e) => e.count >= subscribers - stats.closed).length
    if (complete >= needed) break
    await new Promise((r) => setTimeout(r, 100))
  }

  const lastLatency = [...perChange.values()].map((e) => e.last - e.commit).sort((a, b) => a - b)
  deliveryLatencies.sort((a, b) => a - b)
  const fullyServed = [...perChange.values()].filter((e) => e.count === subscribers).length

  // Broadcast round on the same sockets: one sender, everyone else receives.
  const sender = sockets[0]
  const broadcasts = broadcastRate * 5
  for (let i = 0; i < broadcasts; ++i) {
    sender.send(JSON.stringify(['1', String(100000 + i), 'realtime:bench', 'broadcast',
      { type: 'broadcast', event: 'tick', payload: { i, sentAt: now() } }]))
    await new Promise((r) => setTimeout(r, 1000 / broadcastRate))
  }
  const bcStart = now()
  while (broadcastReceived < broadcasts * (subscribers - 1) && now() - bcStart < 5000)
    await new Promise((r) => setTimeout(r, 100))
  broadcastLatencies.sort((a, b) => a - b)

  const result = {
    subscribers,
    join_seconds: +joinSeconds.toFixed(2),
    confirms: needed,
    confirm_rate_per_s: +(needed / loadSeconds).toFixed(1),
    confirm_errors: statusErrors,
    changes_seen: perChange.size,
    changes_fully_served: fullyServed,
    messages_delivered: stats.delivered,
    messages_per_s: +(stats.delivered / loadSeconds).toFixed(0),
    sockets_closed: stats.closed,
    close_reasons: stats.closeReasons,
    commit_to_last_subscriber_ms: { p50: +percentile(lastLatency, 50).toFixed(1), p99: +percentile(lastLatency, 99).toFixed(1), max: +lastLatency[lastLatency.length - 1].toFixed(1) },
    commit_to_each_delivery_ms: { p50: +percentile(deliveryLatencies, 50).toFixed(1), p99: +percentile(deliveryLatencies, 99).toFixed(1) },
    broadcast: { sent: broadcasts, received: broadcastReceived, expected: broadcasts * (subscribers - 1),
      latency_ms: { p50: +percentile(broadcastLatencies, 50).toFixed(1), p95: +percentile(broadcastLatencies, 95).toFixed(1), p99: +percentile(broadcastLatencies, 99).toFixed(1) } },
    server_rss_mb: { before: +(rssBefore / 1024).toFixed(1), after_connect: +(rssAfter / 1024).toFixed(1) },
    server_kb_per_connection: +((rssAfter - rssBefore) / subscribers).toFixed(1),
  }
  console.log(JSON.stringify(result, null, 2))
  for (const s of sockets) s.terminate()
  process.exit(0)
}

main().catch((e) => { console.error(e); process.exit(1) })
