// Confirms agent1's pending bookings at a fixed rate through the REST API, from its own
// process, so the desktop client under test receives that many realtime changes per second.
//   node change-load.cjs http://127.0.0.1:PORT RATE SECONDS
'use strict'
const http = require('node:http')
const { randomUUID } = require('node:crypto')

const [base, rate, seconds] = [process.argv[2], Number(process.argv[3] || 200), Number(process.argv[4] || 20)]
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })

function request(method, path, token, body, key) {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : undefined
    const req = http.request(base + path, {
      method, agent,
      headers: Object.assign({ 'Content-Type': 'application/json' }, token ? { Authorization: `Bearer ${token}` } : {},
        key ? { 'Idempotency-Key': key } : {}, data ? { 'Content-Length': Buffer.byteLength(data) } : {}),
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

async function main() {
  const token = (await request('POST', '/api/auth/login', null, { email: 'agent1@example.com', password: 'syncloop-demo' })).json.access_token
  const pending = (await request('GET', '/api/bookings', token)).json.bookings.filter((b) => b.status === 'pending')
  const total = Math.min(pending.length, rate * seconds)
  const start = Date.now()
  let ok = 0
  const sent = []
  for (let i = 0; i < total; ++i) {
    const wait = start + (i * 1000) / rate - Date.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    sent.push(request('POST', '/api/bookings/confirm', token, { bookingId: pending[i].id }, randomUUID())
      .then((r) => { if (r.status === 200) ok++ }))
  }
  await Promise.all(sent)
  const elapsed = (Date.now() - start) / 1000
  console.log(`${ok} confirms in ${elapsed.toFixed(1)} s = ${(ok / elapsed).toFixed(0)} changes/s`)
  process.exit(0)
}
main().catch((e) => { console.error(e); process.exit(1) })
