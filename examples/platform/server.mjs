// pnpm platform: a standalone OCPI platform on the SDK, configured by environment variables (README.md).
// Prints exactly one line on stdout once listening: `ready <versions-url>`; every log goes to stderr.
import { once } from 'node:events'
import { createServer } from 'node:http'
import { serve } from '@hono/node-server'
import {
  bearerAuthorizer,
  createOcpi,
  formatDateTime,
  memoryStore,
  OcpiConfigError,
} from '@ocpi-credentials/core'
import { createNodeFetch } from '@ocpi-credentials/core/node'
import { ocpiAdmin as expressAdmin, ocpiAuth as expressAuth, ocpiRouter } from '@ocpi-credentials/express'
import { ocpiAdmin as honoAdmin, ocpiAuth as honoAuth, ocpiRoutes } from '@ocpi-credentials/hono'
import express from 'express'
import { Hono } from 'hono'
import { allowInsecure, basePathOf, readConfig } from './config.mjs'
import { openStore } from './store.mjs'

const log = (level) => (message, fields) =>
  process.stderr.write(`${JSON.stringify({ level, message, ...fields })}\n`)
const logger = { debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') }

const config = readConfig(process.env)
const fail = (problems) => {
  for (const problem of problems) process.stderr.write(`platform: ${problem}\n`)
  process.exit(1)
}
if (config.problems.length > 0) fail(config.problems)
// The SDK's own checks (a role a version lacks, duplicate parties…) run before listening too: on a
// stand-in instance at the configured public URL (or a placeholder when the port is not known yet).
try {
  createOcpi({
    baseUrl: `${(config.publicUrl ?? 'http://127.0.0.1').replace(/\/+$/, '')}/ocpi`,
    parties: config.parties,
    versions: config.versions,
    modules: [{ id: 'locations', role: 'SENDER' }],
    store: memoryStore(),
    sealingKeys: [{ kid: 'platform', key: config.sealingKey ?? new Uint8Array(32) }],
  }).close()
} catch (error) {
  if (!(error instanceof OcpiConfigError)) throw error
  fail([error.message])
}
let sealingKey = config.sealingKey
if (sealingKey === null) {
  sealingKey = crypto.getRandomValues(new Uint8Array(32))
  logger.warn('SEALING_KEY is not set: a key was generated; sealed tokens will not survive a restart')
}
/** An error as one line: its code (an SDK error's, or a driver's) or name, and its message. */
function describeError(error) {
  if (!(error instanceof Error)) return String(error)
  const code = typeof error.code === 'string' ? error.code : error.name
  return `${code}: ${error.message}`
}
// Every answer under /ocpi is an OCPI envelope that echoes the request's X-Request-ID and
// X-Correlation-ID (transport rules §3.3, §3.6), the sample module's and the paths nobody serves alike.
const envelope = (status_code, status_message, data) => ({
  ...(data === undefined ? {} : { data }),
  status_code,
  status_message,
  timestamp: formatDateTime(new Date()),
})
const locations = (peer) => envelope(1000, `no locations for ${peer.id}`, [])
const notFound = () => envelope(2000, 'no OCPI endpoint at this path')
const notAllowed = () => envelope(2000, 'only GET is served here')
/** The ids to echo, read through `get` (a header name in, its value or undefined out). */
const echoedIds = (get) =>
  Object.fromEntries(
    ['X-Request-ID', 'X-Correlation-ID'].flatMap((name) => (get(name) ? [[name, get(name)]] : [])),
  )
const bearer = bearerAuthorizer(config.adminToken) // by digest: a refusal's timing tells nothing of it
// An admin 500 (the store failing, a bug) answers `internal error` and nothing more, so the log must say
// what failed: the error and the request's method and path. Never its headers: they carry ADMIN_TOKEN.
const adminOptions = {
  authorize: bearer,
  onError: (error, { method, path }) =>
    logger.error('admin API request failed', { method, path, error: describeError(error) }),
}

let opened
try {
  opened = await openStore(config.store, logger)
} catch (error) {
  process.stderr.write(`platform: the store could not be opened: ${error.message}\n`)
  process.exit(1)
}

// Listen first (PORT=0 picks a free port), then build the SDK with the real URL. The routes go under
// PUBLIC_URL's path (`/base/ocpi/…` for PUBLIC_URL=https://x.example.com/base), where requests arrive.
const base = config.publicUrl === null ? '' : basePathOf(config.publicUrl)
let server
let mount
if (config.framework === 'express') {
  const app = express()
  server = createServer(app).listen(config.port, config.host)
  mount = (ocpi) => {
    const ids = (req) => echoedIds((name) => req.get(name))
    app.get(`${base}/ocpi/:version/locations`, expressAuth(ocpi, { module: 'locations' }), (req, res) =>
      res.set(ids(req)).json(locations(res.locals.ocpiPeer)),
    )
    app.all(`${base}/ocpi/:version/locations`, (req, res) =>
      res
        .status(405)
        .set({ ...ids(req), Allow: 'GET' })
        .json(notAllowed()),
    )
    app.use(`${base}/ocpi`, ocpiRouter(ocpi))
    app.use(`${base}/ocpi`, (req, res) => res.status(404).set(ids(req)).json(notFound()))
    app.use(`${base}/admin`, expressAdmin(ocpi, adminOptions))
  }
} else {
  const app = new Hono()
  server = serve({ fetch: app.fetch, port: config.port, hostname: config.host })
  mount = (ocpi) => {
    const ids = (c) => echoedIds((name) => c.req.header(name))
    app.get(`${base}/ocpi/:version/locations`, honoAuth(ocpi, { module: 'locations' }), (c) =>
      c.json(locations(c.get('ocpiPeer')), 200, ids(c)),
    )
    app.all(`${base}/ocpi/:version/locations`, (c) => c.json(notAllowed(), 405, { ...ids(c), Allow: 'GET' }))
    app.route(`${base}/ocpi`, ocpiRoutes(ocpi))
    app.all(`${base}/ocpi/*`, (c) => c.json(notFound(), 404, ids(c)))
    app.route(`${base}/admin`, honoAdmin(ocpi, adminOptions))
  }
}
try {
  await once(server, 'listening')
} catch (error) {
  await opened.close().catch(() => {})
  fail([`cannot listen on ${config.host}:${config.port}: ${error.message}`])
}
const { port } = server.address()
const publicUrl = (
  config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
).replace(/\/+$/, '')
// One policy for both: createOcpi checks every peer URL, createNodeFetch every address a peer's host name
// resolves to, so a name pointing at this network (127.0.0.1, 10.x, the cloud metadata address) is refused.
const urlPolicy = { allowInsecure: allowInsecure(process.env, publicUrl) }
const fetch = createNodeFetch({ urlPolicy })
const ocpi = createOcpi({
  baseUrl: `${publicUrl}/ocpi`,
  parties: config.parties,
  versions: config.versions,
  modules: [{ id: 'locations', role: 'SENDER' }],
  store: opened.store,
  sealingKeys: [{ kid: 'platform', key: sealingKey }],
  urlPolicy,
  fetch,
  logger,
})
mount(ocpi)
for (const event of [
  'invited',
  'registered',
  'registration-failed',
  'rotated',
  'rotation-failed',
  'parties-changed',
  'connection-status',
  'unregistered',
  'revoked',
  'authentication-failed',
]) {
  ocpi.on(event, (payload) => logger.info(`event ${event}`, payload))
}
logger.info('listening', {
  framework: config.framework,
  store: config.store.kind,
  versionsUrl: ocpi.versionsUrl,
  admin: `${publicUrl}/admin`,
})

const stop = () => {
  server.close(async () => {
    ocpi.close()
    await fetch.close().catch(() => {}) // kept-alive connections to peers
    await opened
      .close()
      .catch((error) => logger.error('closing the store failed', { message: error.message }))
    process.exit(0)
  })
  setTimeout(() => process.exit(0), 2000).unref()
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
// Last: a supervisor may send SIGTERM as soon as it reads this line, and must find the handler there.
process.stdout.write(`ready ${ocpi.versionsUrl}\n`)
