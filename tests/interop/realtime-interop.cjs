// The official @supabase/realtime-js client (2.109.0, ws@8 transport on Node 20) against a
// running syncloopd. Started by tst_interop, which reads our stdout: "RESTART" asks it to
// restart the server on the same port, "PASS <name>" reports a scenario, exit code 0 = all good.
'use strict'

const { RealtimeClient } = require('@supabase/realtime-js')
const WebSocket = require('ws')
const readline = require('node:readline')
const assert = require('node:assert/strict')
const { randomUUID } = require('node:crypto')

const base = process.env.SYNCLOOP_URL // http://127.0.0.1:PORT
const apikey = process.env.SYNCLOOP_APIKEY || 'demo-anon-key'
const realtimeUrl = base.replace(/^http/, 'ws') + '/realtime/v1'
const TIMEOUT = 15000

const stdinLines = readline.createInterface({ input: process.stdin })
const waiters = []
stdinLines.on('line', (line) => {
  const waiter = waiters.shift()
  if (waiter) waiter(line.trim())
})
const nextInputLine = () => new Promise((resolve) => waiters.push(resolve))

function withTimeout(promise, what, ms = TIMEOUT) {
  let timer
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms) }),
  ]).finally(() => clearTimeout(timer))
}

async function api(method, path, token, body, key) {
  const headers = { 'Content-Type': 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (key) headers['Idempotency-Key'] = key
  const response = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined })
  const json = await response.json().catch(() => ({}))
  return { status: response.status, json }
}

async function login(email) {
  const r = await api('POST', '/api/auth/login', null, { email, password: 'syncloop-demo' })
  assert.equal(r.status, 200, `login ${email}`)
  return r.json.access_token
}

function newClient(vsn, token) {
  const client = new RealtimeClient(realtimeUrl, {
    params: { apikey },
    transport: WebSocket,
    vsn,
    timeout: 10000,
  })
  client.setAuth(token)
  return client
}

// Resolves once the channel reported `status` (SUBSCRIBED, CHANNEL_ERROR, ...) `times` times.
function subscribeTracking(channel) {
  const statuses = []
  const listeners = []
  channel.subscribe((status, err) => {
    statuses.push(status)
    if (err && status !== 'SUBSCRIBED') process.stderr.write(`channel ${channel.topic}: ${status} ${err.message}\n`)
    for (const l of listeners.slice()) l()
  })
  return {
    statuses,
    waitFor(status, times = 1) {
      return withTimeout(new Promise((resolve) => {
        const check = () => {
          if (statuses.filter((s) => s === status).length >= times) resolve()
        }
        listeners.push(check)
        check()
      }), `${channel.topic} ${status} x${times}`)
    },
  }
}

function eventsCollector() {
  const events = []
  const listeners = []
  return {
    events,
    push(e) { events.push(e); for (const l of listeners.slice()) l() },
    waitFor(predicate, what) {
      return withTimeout(new Promise((resolve) => {
        const check = () => { const hit = events.find(predicate); if (hit) resolve(hit) }
        listeners.push(check)
        check()
      }), what)
    },
  }
}

async function pendingBookings(token) {
  const r = await api('GET', '/api/bookings', token)
  assert.equal(r.status, 200)
  return r.json.bookings.filter((b) => b.status === 'pending')
}

async function postgresChanges(vsn, token, pending) {
  const target = pending.pop()
  const client = newClient(vsn, token)
  const changes = eventsCollector()
  const system = eventsCollector()
  const channel = client
    .channel(`bookings-${vsn}`)
    .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'bookings', filter: `id=eq.${target.id}` },
        (p) => changes.push(p))
    .on('postgres_changes', { event: '*', schema: 'public', table: 'leads' }, (p) => changes.push(p))
    .on('system', {}, (p) => system.push(p))
  const tracking = subscribeTracking(channel)
  await tracking.waitFor('SUBSCRIBED')
  await system.waitFor((p) => p.extension === 'postgres_changes' && p.status === 'ok', 'system subscribed')

  // Another booking changes first: the id filter keeps it away from us.
  const other = pending.pop()
  assert.equal((await api('POST', '/api/bookings/confirm', token, { bookingId: other.id }, randomUUID())).status, 200)
  const confirmed = await api('POST', '/api/bookings/confirm', token, { bookingId: target.id }, randomUUID())
  assert.equal(confirmed.status, 200)

  const update = await changes.waitFor((p) => p.table === 'bookings', `UPDATE of ${target.id}`)
  assert.equal(update.eventType, 'UPDATE')
  assert.equal(update.schema, 'public')
  assert.equal(update.new.id, target.id)
  assert.equal(update.new.status, 'confirmed')
  assert.equal(update.new.version, target.version + 1)
  assert.equal(update.old.status, 'pending')
  assert.equal(update.old.version, target.version)
  assert.deepEqual(update.new, confirmed.json.booking)
  assert.ok(!changes.events.some((p) => p.new && p.new.id === other.id), 'the filter let another booking through')
  await client.removeAllChannels()
  client.disconnect()
  console.log(`PASS postgres_changes vsn=${vsn}`)
}

async function broadcast(vsn, token) {
  const sender = newClient(vsn, token)
  const receiver = newClient(vsn, token)
  const topic = `room-${vsn}-${randomUUID()}`
  const got = eventsCollector()
  const echoed = eventsCollector()
  const senderChannel = sender.channel(topic, { config: { broadcast: { self: false, ack: true } } })
    .on('broadcast', { event: 'cursor' }, (m) => echoed.push(m))
  const receiverChannel = receiver.channel(topic).on('broadcast', { event: 'cursor' }, (m) => got.push(m))
  await subscribeTracking(senderChannel).waitFor('SUBSCRIBED')
  await subscribeTracking(receiverChannel).waitFor('SUBSCRIBED')

  const ack = await senderChannel.send({ type: 'broadcast', event: 'cursor', payload: { x: 10, y: 20, vsn } })
  assert.equal(ack, 'ok', 'ack from the server')
  const message = await got.waitFor((m) => m.payload && m.payload.x === 10, `broadcast vsn=${vsn}`)
  assert.equal(message.event, 'cursor')
  assert.deepEqual(message.payload, { x: 10, y: 20, vsn })
  // self: false — the sender does not hear itself.
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(echoed.events.length, 0, 'sender received its own broadcast despite self:false')
  await sender.removeAllChannels()
  await receiver.removeAllChannels()
  sender.disconnect()
  receiver.disconnect()
  console.log(`PASS broadcast vsn=${vsn}`)
}

async function resubscribeAfterRestart(token, pending) {
  const client = newClient('2.0.0', token)
  const changes = eventsCollector()
  const channel = client.channel('restart-watch')
    .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'bookings' }, (p) => changes.push(p))
  const tracking = subscribeTracking(channel)
  await tracking.waitFor('SUBSCRIBED')

  console.log('RESTART')
  assert.equal(await withTimeout(nextInputLine(), 'restart acknowledgement', 60000), 'RESTARTED')
  await withTimeout(tracking.waitFor('SUBSCRIBED', 2), 'SUBSCRIBED after the restart', 30000)

  // The new server's realtime works on the rejoined channel.
  const target = pending.pop()
  assert.equal((await api('POST', '/api/bookings/confirm', token, { bookingId: target.id }, randomUUID())).status, 200)
  const update = await changes.waitFor((p) => p.new && p.new.id === target.id, 'change after restart')
  assert.equal(update.new.status, 'confirmed')
  await client.removeAllChannels()
  client.disconnect()
  console.log('PASS resubscribed after server restart')
}

async function main() {
  const token = await login('agent1@example.com')
  const pending = await pendingBookings(token)
  assert.ok(pending.length >= 5, 'enough pending bookings')
  await postgresChanges('1.0.0', token, pending)
  await postgresChanges('2.0.0', token, pending)
  await broadcast('1.0.0', token)
  await broadcast('2.0.0', token)
  // The restart invalidates nothing: tokens are signed with the same secret.
  await resubscribeAfterRestart(token, pending)
  console.log('ALL PASSED')
  process.exit(0)
}

main().catch((error) => {
  console.error('FAIL', error && error.stack ? error.stack : error)
  process.exit(1)
})
