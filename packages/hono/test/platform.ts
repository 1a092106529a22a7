// Shared set-up for the binding's tests: an SDK instance wired into a host Hono app the way the README
// shows (the core's routes as a sub-app, a `locations` module behind `ocpiAuth`), in-process or served
// on a loopback port by @hono/node-server.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createOcpi, type FetchLike, memoryStore, type Ocpi, type OcpiOptions } from '@ocpi-credentials/core'
import { Hono } from 'hono'
import { ocpiAdmin, ocpiAuth, ocpiRoutes } from '../src/index.js'

export const SEALING_KEY = new Uint8Array(32).fill(7)
export const ADMIN_AUTHORIZATION = 'Bearer admin-secret'

export type PartyInput = { role: 'CPO' | 'EMSP'; country_code: string; party_id: string }

export const CPO: PartyInput = { role: 'CPO', country_code: 'NL', party_id: 'CPO' }
export const EMSP: PartyInput = { role: 'EMSP', country_code: 'DE', party_id: 'MSP' }

/** An SDK instance at `baseUrl` offering a `locations` SENDER module; loopback http peers allowed. */
export function makeOcpi(baseUrl: string, party: PartyInput, overrides: Partial<OcpiOptions> = {}): Ocpi {
  return createOcpi({
    baseUrl,
    parties: [{ ...party, business_details: { name: `${party.party_id} ${party.role}` } }],
    modules: [{ id: 'locations', role: 'SENDER' }],
    store: memoryStore(),
    sealingKeys: [{ kid: 'test', key: SEALING_KEY }],
    urlPolicy: { allowInsecure: true },
    ...overrides,
  })
}

/** A successful OCPI envelope. */
export function envelope(data: unknown) {
  return { data, status_code: 1000, timestamp: new Date().toISOString() }
}

/**
 * A host app: the core's routes under `prefix`, and the host's own `locations` module behind
 * `ocpiAuth`, answering with the authenticated peer's id. `moduleFirst` registers the module before the
 * sub-app, to show the order does not matter.
 */
export function hostApp(ocpi: Ocpi, prefix: string, options: { moduleFirst?: boolean } = {}): Hono {
  const app = new Hono()
  const mountModule = () =>
    app.get(`${prefix}/:version/locations`, ocpiAuth(ocpi, { module: 'locations' }), (c) =>
      c.json(envelope({ peer: c.get('ocpiPeer').id, version: c.req.param('version') })),
    )
  if (options.moduleFirst === true) mountModule()
  app.route(prefix, ocpiRoutes(ocpi))
  if (options.moduleFirst !== true) mountModule()
  return app
}

/** Anything answering like a Hono app in-process (`Hono<E>` for any `E`). */
export interface InProcessApp {
  request(request: Request): Response | Promise<Response>
}

/** A `fetch` that delivers each request in-process to the Hono app owning its origin. */
export function inProcessFetch(apps: Map<string, InProcessApp>): FetchLike {
  return async (input, init) => {
    const request = new Request(input, init)
    const app = apps.get(new URL(request.url).origin)
    if (app === undefined) throw new TypeError('fetch failed')
    return app.request(request)
  }
}

/** `/ocpi` → `/admin`, `/api/ocpi` → `/api/admin`. */
export function adminPrefix(prefix: string): string {
  return prefix.replace(/\/[^/]+$/, '/admin')
}

export interface ServedPlatform {
  readonly ocpi: Ocpi
  readonly app: Hono
  /** `http://127.0.0.1:PORT` */
  readonly origin: string
  close(): Promise<void>
}

/**
 * Serves a host app on 127.0.0.1, port 0, through @hono/node-server, with the admin API at
 * `{prefix without its last segment}/admin` behind a bearer token. The port is known only once the
 * server listens, and the core's base URL needs it, so the server starts first and the app is built
 * right after (no request can arrive before the URL is handed to anyone).
 */
export async function servePlatform(prefix: string, party: PartyInput): Promise<ServedPlatform> {
  let app: Hono | undefined
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const server = serve(
      {
        fetch: (request, env) =>
          app === undefined ? new Response('starting', { status: 503 }) : app.fetch(request, env),
        hostname: '127.0.0.1',
        port: 0,
      },
      (info: AddressInfo) => resolve({ server: server as Server, port: info.port }),
    )
  })
  const origin = `http://127.0.0.1:${port}`
  const ocpi = makeOcpi(`${origin}${prefix}`, party)
  app = hostApp(ocpi, prefix)
  app.route(
    adminPrefix(prefix),
    ocpiAdmin(ocpi, { authorize: (request) => request.headers.get('authorization') === ADMIN_AUTHORIZATION }),
  )
  return {
    ocpi,
    app,
    origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
