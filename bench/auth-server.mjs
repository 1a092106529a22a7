// A server for the auth benchmarks: one framework (argv[2]: hono | express), one store (argv[3]: memory,
// the default, or postgres: a schema of its own, dropped on exit), the core's routes mounted at /ocpi,
// and two routes with the same handler and the same shape: /ocpi/:version/locations behind the SDK's
// auth middleware, and /bare/:version/locations behind a middleware checking one static token. Both are
// middleware, so the ratio measures what the SDK's authentication adds, not the framework's own cost of
// a middleware (in Hono any middleware moves a route off its synchronous fast path) or of a path
// parameter (~5% in Express). Prints `ready <port>` once listening.
import { once } from 'node:events'
import { createServer } from 'node:http'
import { serve } from '@hono/node-server'
import { createOcpi, memoryStore } from '@ocpi-credentials/core'
import { ocpiAuth as expressAuth, ocpiRouter } from '@ocpi-credentials/express'
import { ocpiAuth as honoAuth, ocpiRoutes } from '@ocpi-credentials/hono'
import express from 'express'
import { Hono } from 'hono'
import { base64Header, importInput, inboundToken, OUR_PARTY, SEALING_KEY } from './fixtures.mjs'

const framework = process.argv[2]
const storeKind = process.argv[3] ?? 'memory'
const PEERS = 1_000
const STATIC = base64Header(inboundToken(7))
const DATABASE_URL = process.env.OCPI_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
let cleanup = async () => undefined
const body = () => JSON.stringify({ data: [], status_code: 1000, timestamp: '2026-11-23T10:00:00Z' })

const ocpi = createOcpi({
  baseUrl: 'http://127.0.0.1/ocpi',
  parties: [OUR_PARTY],
  versions: ['2.2.1'],
  modules: [{ id: 'locations', role: 'SENDER' }],
  store: await openStore(),
  sealingKeys: [{ kid: 'bench', key: SEALING_KEY }],
})
for (let i = 0; i < PEERS; i++) await ocpi.importPeer(importInput(i))

let server
if (framework === 'express') {
  const app = express()
  const staticToken = (req, res, next) =>
    req.headers.authorization === STATIC ? next() : res.status(401).end()
  app.get('/bare/:version/locations', staticToken, (_req, res) => {
    res.type('application/json').send(body())
  })
  app.get('/ocpi/:version/locations', expressAuth(ocpi, { module: 'locations' }), (_req, res) => {
    res.type('application/json').send(body())
  })
  app.use('/ocpi', ocpiRouter(ocpi))
  server = createServer(app).listen(0, '127.0.0.1')
} else {
  const app = new Hono()
  const staticToken = async (c, next) => {
    if (c.req.header('authorization') !== STATIC) return c.body(null, 401)
    await next()
  }
  app.get('/bare/:version/locations', staticToken, (c) =>
    c.body(body(), 200, { 'content-type': 'application/json' }),
  )
  app.get('/ocpi/:version/locations', honoAuth(ocpi, { module: 'locations' }), (c) =>
    c.body(body(), 200, { 'content-type': 'application/json' }),
  )
  app.route('/ocpi', ocpiRoutes(ocpi))
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
}
await once(server, 'listening')
process.stdout.write(`ready ${server.address().port}\n`)
process.on('SIGTERM', async () => {
  await cleanup()
  process.exit(0)
})

async function openStore() {
  if (storeKind === 'memory') return memoryStore()
  const { default: pg } = await import('pg')
  const { migrate, postgresStore } = await import('@ocpi-credentials/postgres')
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 })
  const schema = `ocpi_bench_${process.pid}`
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await migrate(pool, { schema })
  const store = postgresStore(pool, { schema, listen: true })
  cleanup = async () => {
    await store.close()
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await pool.end()
  }
  return store
}
