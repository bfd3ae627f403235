// The official @supabase/realtime-js client against two syncloopd instances on one PostgreSQL
// (issue 11). Started by tst_interop_scaleout with SYNCLOOP_URL_A, SYNCLOOP_URL_B (the
// instances) and SYNCLOOP_URL_LB (nginx in front of both). "PASS <name>" per scenario; exit
// code 0 = all good.
'use strict'

const { RealtimeClient } = require('@supabase/realtime-js')
const WebSocket = require('ws')
const assert = require('node:assert/strict')
const { randomUUID } = require('node:crypto')

const urlA = process.env.SYNCLOOP_URL_A
const urlB = process.env.SYNCLOOP_URL_B
const urlLb = process.env.SYNCLOOP_URL_LB
const apikey = 'demo-anon-key'
const TIMEOUT = 15000

function withTimeout(promise, what, ms = TIMEOUT) {
  let timer
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms) }),
  ]).finally(() => clearTimeout(timer))
}

async function api(base, method, path, token, body, key) {
  const headers = { 'Content-Type': 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (key) headers['Idempotency-Key'] = key
  const response = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined })
  const json = await response.json().catch(() => ({}))
  return { status: response.status, json }
}

function newClient(base, vsn, token) {
  const client = new RealtimeClient(base.replace(/^http/, 'ws') + '/realtime/v1', {
    params: { apikey }, transport: WebSocket, vsn, timeout: 10000,
  })
  client.setAuth(token)
  return client
}

function subscribed(channel) {
  return withTimeout(new Promise((resolve, reject) => {
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve()
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err || new Error(status))
    })
  }), `subscribe ${channel.topic}`)
}

function waitUntil(check, what) {
  return withTimeout(new Promise((resolve) => {
    const timer = setInterval(() => { if (check()) { clearInterval(timer); resolve() } }, 20)
  }), what)
}

// A subscriber on `listenOn` hears, in commit order, the confirms made one after another
// through `writeVia`.
async function changesAcross(name, listenOn, writeVia, vsn, token, pending) {
  const client = newClient(listenOn, vsn, token)
  const seen = []
  const system = []
  const channel = client.channel(`scaleout-${randomUUID()}`)
    .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'bookings' }, (p) => seen.push(p))
    .on('system', {}, (p) => system.push(p))
  await subscribed(channel)
  await waitUntil(() => system.some((p) => p.extension === 'postgres_changes' && p.status === 'ok'), 'system subscribed')
  const confirmed = []
  for (let i = 0; i < 20; ++i) {
    const target = pending.pop()
    const r = await api(writeVia, 'POST', '/api/bookings/confirm', token, { bookingId: target.id }, randomUUID())
    assert.equal(r.status, 200)
    confirmed.push(r.json.booking)
  }
  await waitUntil(() => seen.length >= confirmed.length, `${name}: ${confirmed.length} changes`)
  await new Promise((resolve) => setTimeout(resolve, 200)) // anything doubled arrives by now
  assert.deepEqual(seen.map((p) => p.new.id), confirmed.map((b) => b.id), `${name}: order or count`)
  seen.forEach((p, i) => assert.deepEqual(p.new, confirmed[i]))
  await client.removeAllChannels()
  client.disconnect()
  console.log(`PASS ${name}`)
}

// Broadcasts sent on one instance reach a subscriber on the other, in order.
async function broadcastAcross(vsn, token) {
  const sender = newClient(urlA, vsn, token)
  const receiver = newClient(urlB, vsn, token)
  const topic = `room-${randomUUID()}`
  const got = []
  const senderChannel = sender.channel(topic, { config: { broadcast: { ack: true } } })
  const receiverChannel = receiver.channel(topic).on('broadcast', { event: 'tick' }, (m) => got.push(m))
  await subscribed(senderChannel)
  await subscribed(receiverChannel)
  for (let n = 0; n < 10; ++n)
    assert.equal(await senderChannel.send({ type: 'broadcast', event: 'tick', payload: { n, vsn } }), 'ok')
  await waitUntil(() => got.length >= 10, `10 broadcasts vsn=${vsn}`)
  assert.deepEqual(got.map((m) => m.payload.n), [...Array(10).keys()])
  await sender.removeAllChannels()
  await receiver.removeAllChannels()
  sender.disconnect()
  receiver.disconnect()
  console.log(`PASS broadcast A to B vsn=${vsn}`)
}

async function main() {
  const login = await api(urlLb, 'POST', '/api/auth/login', null, { email: 'admin@example.com', password: 'syncloop-demo' })
  assert.equal(login.status, 200)
  const token = login.json.access_token
  const list = await api(urlLb, 'GET', '/api/bookings', token)
  const pending = list.json.bookings.filter((b) => b.status === 'pending')
  assert.ok(pending.length >= 100, 'enough pending bookings')
  await changesAcross('changes on B from A vsn=1.0.0', urlB, urlA, '1.0.0', token, pending)
  await changesAcross('changes on B from A vsn=2.0.0', urlB, urlA, '2.0.0', token, pending)
  await changesAcross('changes through nginx', urlLb, urlLb, '2.0.0', token, pending)
  await broadcastAcross('1.0.0', token)
  await broadcastAcross('2.0.0', token)
  console.log('ALL PASSED')
  process.exit(0)
}

main().catch((error) => {
  console.error('FAIL', error && error.stack ? error.stack : error)
  process.exit(1)
})
