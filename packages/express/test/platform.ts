// Shared set-up for the binding's tests: both Express majors, an SDK instance wired into a host Express
// app the way the README shows (the core's routes mounted at the base URL's path, a `locations` module
// behind `ocpiAuth`), a `fetch` that reaches such an app in-process through supertest, and a loopback
// server for the served end-to-end test.
import { once } from 'node:events'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { createOcpi, type FetchLike, memoryStore, type Ocpi, type OcpiOptions } from '@ocpi-credentials/core'
import type { Express } from 'express'
import express4 from 'express4'
import express5 from 'express5'
import supertest from 'supertest'
import { ocpiAuth, ocpiPeerOf, ocpiRouter } from '../src/index.js'

/** `express` itself: the factory, with `express.json()` and friends. Both majors share these types. */
export type ExpressModule = typeof express5

const require = createRequire(import.meta.url)

/** Every test file runs its suite once per Express major, with the installed version in the title. */
export const EXPRESS_MAJORS: readonly [name: string, express: ExpressModule][] = [
  [`express ${require('express4/package.json').version}`, express4],
  [`express ${require('express5/package.json').version}`, express5],
]

export const SEALING_KEY = new Uint8Array(32).fill(7)

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

export interface HostAppOptions {
  /** Mount `express.json()` before everything, as many hosts do. */
  readonly json?: boolean
  /** Register the `locations` route before the core's router, to show the order does not matter. */
  readonly moduleFirst?: boolean
}

/**
 * Wires `ocpi` into `app` the README's way: the core's routes at `prefix`, and the host's own
 * `locations` module behind `ocpiAuth`, answering with the authenticated peer's id and the version.
 */
export function wireHostApp(
  express: ExpressModule,
  app: Express,
  ocpi: Ocpi,
  prefix: string,
  options: HostAppOptions = {},
): Express {
  if (options.json === true) app.use(express.json())
  const mountModule = () =>
    app.get(`${prefix}/:version/locations`, ocpiAuth(ocpi, { module: 'locations' }), (req, res) => {
      res.json(envelope({ peer: ocpiPeerOf(res).id, version: req.params['version'] }))
    })
  if (options.moduleFirst === true) mountModule()
  app.use(prefix, ocpiRouter(ocpi))
  if (options.moduleFirst !== true) mountModule()
  return app
}

/** A fresh host app around `ocpi`. */
export function hostApp(
  express: ExpressModule,
  ocpi: Ocpi,
  prefix: string,
  options: HostAppOptions = {},
): Express {
  return wireHostApp(express, express(), ocpi, prefix, options)
}

/**
 * A `fetch` that delivers each request to `app` through supertest (an ephemeral loopback server per
 * request), so an SDK instance can talk to an Express-served one without a fixed port.
 */
export function supertestFetch(app: Express): FetchLike {
  return async (input, init) => {
    const request = new Request(input, init)
    const { pathname, search } = new URL(request.url)
    const method = request.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'
    let test = supertest(app)[method](pathname + search)
    for (const [name, value] of request.headers) test = test.set(name, value)
    const body = await request.text()
    if (body !== '') test = test.send(body)
    const res = await test
    const headers = new Headers()
    for (const [name, value] of Object.entries(res.headers as Record<string, string | string[]>)) {
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one)
    }
    return new Response(res.text === '' ? null : res.text, { status: res.status, headers })
  }
}

export const CPO_BASE = 'https://cpo.example.com/ocpi'
export const EMSP_BASE = 'https://emsp.example.com/ocpi'

/**
 * A CPO at `cpoBase` served by the Express app `wire` builds around it, and an eMSP registered with
 * it whose every request to the CPO goes through that app (supertest); the CPO's callbacks reach the
 * eMSP's handler directly.
 */
export async function linkThroughExpress(wire: (cpo: Ocpi) => Express, cpoBase = CPO_BASE) {
  const peers: Ocpi[] = []
  const cpo = makeOcpi(cpoBase, CPO, {
    fetch: async (input, init) => {
      const [emsp] = peers
      if (emsp === undefined) throw new TypeError('fetch failed')
      return emsp.handle(new Request(input, init))
    },
  })
  const app = wire(cpo)
  const emsp = makeOcpi(EMSP_BASE, EMSP, { fetch: supertestFetch(app) })
  peers.push(emsp)
  const { token, versionsUrl, peerId } = await cpo.invite()
  const peer = await emsp.register({ versionsUrl, token })
  return { cpo, emsp, app, cpoPeerId: peerId, emspPeerId: peer.id, emspPeer: peer }
}

export interface ServedPlatform {
  readonly ocpi: Ocpi
  readonly app: Express
  /** `http://127.0.0.1:PORT` */
  readonly origin: string
  close(): Promise<void>
}

/**
 * Serves a host app on 127.0.0.1, port 0. The core's base URL needs the port, so the (still empty) app
 * listens first and is wired right after: no request can arrive before the URL is handed to anyone.
 */
export async function servePlatform(
  express: ExpressModule,
  prefix: string,
  party: PartyInput,
): Promise<ServedPlatform> {
  const app = express()
  const server: Server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const ocpi = makeOcpi(`${origin}${prefix}`, party)
  wireHostApp(express, app, ocpi, prefix)
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
