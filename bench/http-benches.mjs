// HTTP benchmarks: auth overhead through each binding, and a full registration over loopback against
// the bare cost of its five exchanges.
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { createOcpi, memoryStore } from '@ocpi-credentials/core'
import { ocpiRoutes } from '@ocpi-credentials/hono'
import autocannon from 'autocannon'
import { Hono } from 'hono'
import { base64Header, inboundToken, median, OUR_PARTY, SEALING_KEY } from './fixtures.mjs'

const here = (file) => fileURLToPath(new URL(file, import.meta.url))
const hasTaskset = spawnSync('taskset', ['-p', String(process.pid)]).status === 0
const cores = (await import('node:os')).availableParallelism()
const pinned = hasTaskset && cores >= 2

/** Runs the load generator on core 1 and the server on core 0, where the machine allows it. */
function pinSelf() {
  if (pinned) spawnSync('taskset', ['-cp', '1', String(process.pid)])
}

async function startServer(framework, store = 'memory') {
  const args = [here('./auth-server.mjs'), framework, store]
  const child = pinned
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d
      const match = /ready (\d+)/.exec(out)
      if (match) resolve(Number(match[1]))
    })
    child.on('exit', (code) => reject(new Error(`auth server exited ${code}`)))
  })
  return { child, port }
}

/** Requests/s against `url`; `authorization` is one header, or several that each connection cycles through. */
function load(url, authorization, duration) {
  const headers = Array.isArray(authorization) ? authorization : [authorization]
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: 16,
        duration,
        pipelining: 1,
        requests: headers.map((value) => ({ headers: { authorization: value } })),
      },
      (error, result) => {
        if (error) reject(error)
        else if (result.non2xx > 0 || result.errors > 0)
          reject(new Error(`bench: ${result.non2xx} non-2xx, ${result.errors} errors at ${url}`))
        else resolve(result.requests.total / result.duration)
      },
    )
  })
}

/**
 * Requests/s of the authenticated `/ocpi/:version/locations` through each binding ÷ the same route shape,
 * `/bare/:version/locations`, checking one static token in a middleware, on the same server.
 *
 * Two things on this machine move the figures by more than what is measured, and are cancelled:
 * - drift: a shared VM's speed moves by ±20% from one second to the next. Rounds are paired, in
 *   alternating order, the ratio of each pair cancels the drift and the median of the pairs ignores a
 *   disturbed round;
 * - warm-up order: the route the JIT sees first is served faster afterwards (by ~10% in Express,
 *   whichever route it is: its router's call sites go polymorphic on the second). Each framework runs two
 *   sessions, each on a fresh server warmed in opposite orders, and the ratio is their geometric mean.
 */
export async function authOverhead() {
  pinSelf()
  const header = base64Header(inboundToken(7))
  const result = { pinned }
  const ratios = []
  for (const framework of (process.env.BENCH_FRAMEWORKS ?? 'hono,express').split(',')) {
    const rps = { bare: [], auth: [] }
    const sessions = []
    for (const warmUp of [
      ['bare', 'auth'],
      ['auth', 'bare'],
    ]) {
      const { child, port } = await startServer(framework)
      try {
        const base = `http://127.0.0.1:${port}`
        const routes = { bare: `${base}/bare/2.2.1/locations`, auth: `${base}/ocpi/2.2.1/locations` }
        for (const route of warmUp) await load(routes[route], header, 2)
        const pairs = []
        for (let round = 0; round < 6; round++) {
          const order = round % 2 === 0 ? warmUp : [...warmUp].reverse()
          const measured = {}
          for (const route of order) measured[route] = await load(routes[route], header, 1.5)
          rps.bare.push(measured.bare)
          rps.auth.push(measured.auth)
          pairs.push(measured.auth / measured.bare)
        }
        sessions.push({ warmedFirst: warmUp[0], ratio: median(pairs), pairs })
      } finally {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
    }
    const ratio = Math.sqrt(sessions[0].ratio * sessions[1].ratio)
    ratios.push(ratio)
    result[framework] = { ratio, bareRps: median(rps.bare), authRps: median(rps.auth), sessions }
  }
  result.ratio = Math.min(...ratios)
  return result
}

/**
 * Authenticated requests/s through the Hono binding with the PostgreSQL store ÷ with the memory store,
 * both with the authentication cache on (its default, 1 s) and 1,000 peers; 16 connections, each cycling
 * through 16 peers' tokens. Rounds alternate between the two servers.
 */
export async function postgresStore() {
  pinSelf()
  const headers = Array.from({ length: 16 }, (_, i) => base64Header(inboundToken(i * 50)))
  const rps = { memory: [], postgres: [] }
  const pairs = []
  // Two sessions with the servers started in opposite orders (an A/A run showed the server started
  // second serving a few percent faster), each with paired rounds in alternating order: the ratio of
  // each pair cancels the machine's drift, and the median of the pairs ignores a disturbed round.
  for (const starting of [
    ['memory', 'postgres'],
    ['postgres', 'memory'],
  ]) {
    const servers = {}
    try {
      for (const store of starting) servers[store] = await startServer('hono', store)
      const url = (store) => `http://127.0.0.1:${servers[store].port}/ocpi/2.2.1/locations`
      for (const store of starting) await load(url(store), headers, 2) // warm-up
      for (let round = 0; round < 4; round++) {
        const order = round % 2 === 0 ? starting : [...starting].reverse()
        const measured = {}
        for (const store of order) measured[store] = await load(url(store), headers, 2)
        rps.memory.push(measured.memory)
        rps.postgres.push(measured.postgres)
        pairs.push(measured.postgres / measured.memory)
      }
    } finally {
      for (const { child } of Object.values(servers)) {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
    }
  }
  return {
    ratio: median(pairs),
    memoryRps: median(rps.memory),
    postgresRps: median(rps.postgres),
    pairs,
    pinned,
  }
}

async function listen(app) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await once(server, 'listening')
  return { server, base: `http://127.0.0.1:${server.address().port}` }
}

const EMSP_PARTY = { role: 'EMSP', country_code: 'DE', party_id: 'MSP' }

/** One platform of the handshake benches: 2.2.1, memory store, http and loopback peers allowed. */
function handshakePlatform(base, party, fetch) {
  return createOcpi({
    baseUrl: `${base}/ocpi`,
    parties: [{ ...party, business_details: { name: party.party_id } }],
    versions: ['2.2.1'],
    store: memoryStore(),
    sealingKeys: [{ kid: 'bench', key: SEALING_KEY }],
    urlPolicy: { allowInsecure: true },
    ...(fetch === undefined ? {} : { fetch }),
  })
}

/** Milliseconds of one registration of `emsp` with `cpo` (the invitation is not counted). */
async function timedRegistration(cpo, emsp) {
  const invitation = await cpo.invite()
  const started = performance.now()
  await emsp.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
  return performance.now() - started
}

export async function handshake() {
  // Two SDK platforms, each on its own loopback server (Hono), registering N times.
  const make = async (party) => {
    const app = new Hono()
    const { server, base } = await listen(app)
    const ocpi = handshakePlatform(base, party)
    app.route('/ocpi', ocpiRoutes(ocpi))
    return { ocpi, server }
  }
  const cpo = await make(OUR_PARTY)
  const emsp = await make(EMSP_PARTY)
  const register = () => timedRegistration(cpo.ocpi, emsp.ocpi)
  // The bare cost: the same five exchanges (versions, details, POST, and the two callback GETs) with
  // plain fetch against a bare server answering canned envelopes of the same sizes, same keep-alive.
  const bareServer = createServer((req, res) => {
    const envelope = (data) => JSON.stringify({ data, status_code: 1000, timestamp: '2026-11-23T10:00:00Z' })
    let answer
    if (req.url.endsWith('/versions'))
      answer = envelope([{ version: '2.2.1', url: 'http://127.0.0.1/ocpi/2.2.1' }])
    else if (req.url.endsWith('/credentials'))
      answer = envelope({
        token: inboundToken(1),
        url: 'http://127.0.0.1/ocpi/versions',
        roles: [{ role: 'CPO', party_id: 'CPO', country_code: 'NL', business_details: { name: 'CPO' } }],
      })
    else
      answer = envelope({
        version: '2.2.1',
        endpoints: [
          { identifier: 'credentials', role: 'SENDER', url: 'http://127.0.0.1/ocpi/2.2.1/credentials' },
        ],
      })
    req.resume()
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer))
  }).listen(0, '127.0.0.1')
  await once(bareServer, 'listening')
  const bareBase = `http://127.0.0.1:${bareServer.address().port}/ocpi`
  const authorization = base64Header(inboundToken(1))
  const bare = async () => {
    const started = performance.now()
    await (await fetch(`${bareBase}/versions`, { headers: { authorization } })).json()
    await (await fetch(`${bareBase}/2.2.1`, { headers: { authorization } })).json()
    await (await fetch(`${bareBase}/versions`, { headers: { authorization } })).json()
    await (await fetch(`${bareBase}/2.2.1`, { headers: { authorization } })).json()
    await (
      await fetch(`${bareBase}/2.2.1/credentials`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({
          token: inboundToken(2),
          url: `${bareBase}/versions`,
          roles: [{ role: 'EMSP', party_id: 'MSP', country_code: 'DE', business_details: { name: 'MSP' } }],
        }),
      })
    ).json()
    return performance.now() - started
  }
  try {
    for (let i = 0; i < 30; i++) {
      await register()
      await bare()
    }
    const registrations = []
    const bares = []
    for (let i = 0; i < 300; i++) {
      registrations.push(await register())
      bares.push(await bare())
    }
    const ratio = median(registrations) / median(bares)
    return {
      ratio,
      registrationMillis: median(registrations),
      bareFiveExchangesMillis: median(bares),
      inProcessRegistrationMillis: await inProcessRegistration(),
    }
  } finally {
    cpo.server.close()
    emsp.server.close()
    bareServer.close()
  }
}

/**
 * The SDK's own work in a registration, both sides, without HTTP: each platform's `fetch` is the other's
 * `handle`. Informative (no target): it moves only when the SDK does, not with the network stack.
 */
async function inProcessRegistration() {
  const handlers = new Map()
  const fetch = (input, init) => {
    const request = new Request(input, init)
    return handlers.get(new URL(request.url).origin)(request)
  }
  const make = (base, party) => {
    const ocpi = handshakePlatform(base, party, fetch)
    handlers.set(base, ocpi.handle)
    return ocpi
  }
  const cpo = make('http://cpo.bench.localhost', OUR_PARTY)
  const emsp = make('http://emsp.bench.localhost', EMSP_PARTY)
  const times = []
  for (let i = 0; i < 330; i++) {
    const millis = await timedRegistration(cpo, emsp)
    if (i >= 30) times.push(millis)
  }
  return median(times)
}
