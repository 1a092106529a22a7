// Two SDK instances in one process, a CPO and an eMSP, each on its own SQLite file; each one's `fetch`
// is the other's `handle` (as in the core's two-platforms test). The network records every token that
// crosses it: Authorization headers (and their Base64 decoding) and the `token` of every credentials
// body, both ways. A platform can be restarted: its SDK and store closed, then reopened from its file.
import { join } from 'node:path'
import { createOcpi, type Ocpi, type OcpiOptions } from '@ocpi-credentials/core'
import { type SqliteStore, sqliteStore } from '../src/index.js'

export const SEALING_KEY = new Uint8Array(32).fill(7)

export interface Platform {
  readonly name: 'cpo' | 'emsp'
  readonly base: string
  readonly path: string
  ocpi: Ocpi
  store: SqliteStore
}

export interface Network {
  readonly cpo: Platform
  readonly emsp: Platform
  /** Every token seen on the wire, in the form it was seen and decoded. */
  readonly tokens: Set<string>
  /** Closes a platform's SDK and store, and starts it again from its file. */
  restart(platform: Platform): void
  close(): void
}

const SETTINGS = {
  cpo: {
    base: 'https://cpo.example.com',
    party: { role: 'CPO', country_code: 'NL', party_id: 'CPO' },
    modules: [{ id: 'locations', role: 'SENDER' }],
  },
  emsp: {
    base: 'https://emsp.example.com',
    party: { role: 'EMSP', country_code: 'DE', party_id: 'MSP' },
    modules: [{ id: 'tokens', role: 'SENDER' }],
  },
} as const

export function createNetwork(directory: string, overrides: Partial<OcpiOptions> = {}): Network {
  const tokens = new Set<string>()
  const byOrigin = new Map<string, Platform>()

  const record = (value: string) => {
    if (value.length < 8) return
    tokens.add(value)
    try {
      const decoded = atob(value)
      if (/^[\x21-\x7e]{8,}$/.test(decoded)) tokens.add(decoded)
    } catch {
      // Not Base64: the raw form.
    }
  }
  const recordBody = (body: unknown): void => {
    if (typeof body !== 'object' || body === null) return
    for (const [key, value] of Object.entries(body)) {
      if (key === 'token' && typeof value === 'string') record(value)
      else recordBody(value)
    }
  }
  const recordText = (text: string) => {
    try {
      recordBody(JSON.parse(text))
    } catch {
      // Not JSON: nothing to record.
    }
  }

  const fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const target = byOrigin.get(new URL(request.url).origin)
    if (target === undefined) throw new TypeError('fetch failed')
    const authorization = request.headers.get('authorization')
    if (authorization !== null) record(authorization.replace(/^Token /, ''))
    recordText(await request.clone().text())
    const module = /\/(locations|tokens)(\/|$)/.exec(new URL(request.url).pathname)?.[1]
    let response: Response
    if (module === undefined) response = await target.ocpi.handle(request)
    else {
      const auth = await target.ocpi.authenticate(request, { module })
      response = auth.ok
        ? Response.json({ data: [], status_code: 1000, timestamp: new Date().toISOString() })
        : auth.response
    }
    recordText(await response.clone().text())
    return response
  }

  const open = (name: 'cpo' | 'emsp', path: string): { ocpi: Ocpi; store: SqliteStore } => {
    const { base, party, modules } = SETTINGS[name]
    const store = sqliteStore({ path, migrate: true })
    const ocpi = createOcpi({
      baseUrl: `${base}/ocpi`,
      parties: [{ ...party, business_details: { name: `${party.party_id} ${party.role}` } }],
      modules: [...modules],
      store,
      sealingKeys: [{ kid: 'k', key: SEALING_KEY }],
      fetch,
      ...overrides,
    })
    return { ocpi, store }
  }
  const start = (name: 'cpo' | 'emsp'): Platform => {
    const path = join(directory, `${name}.db`)
    const platform: Platform = { name, base: SETTINGS[name].base, path, ...open(name, path) }
    byOrigin.set(platform.base, platform)
    return platform
  }
  const stop = (platform: Platform) => {
    platform.ocpi.close()
    platform.store.close()
  }

  const cpo = start('cpo')
  const emsp = start('emsp')
  return {
    cpo,
    emsp,
    tokens,
    restart(platform) {
      stop(platform)
      Object.assign(platform, open(platform.name, platform.path))
    },
    close() {
      stop(cpo)
      stop(emsp)
    },
  }
}

/** Registers `sender` with `receiver`: the receiver invites, the sender POSTs. */
export async function link(receiver: Platform, sender: Platform) {
  const invitation = await receiver.ocpi.invite()
  const peerOnSender = await sender.ocpi.register({
    versionsUrl: invitation.versionsUrl,
    token: invitation.token,
  })
  return { tokenA: invitation.token, peerOnReceiver: invitation.peerId, peerOnSender: peerOnSender.id }
}

/** A functional-module request each way; both must be accepted. */
export async function expectLinkWorks(cpo: Platform, cpoPeerId: string, emsp: Platform, emspPeerId: string) {
  const fromEmsp = await emsp.ocpi.client(emspPeerId).request('locations', 'SENDER', { path: '/NL/CPO' })
  const fromCpo = await cpo.ocpi.client(cpoPeerId).request('tokens', 'SENDER')
  return [
    [fromEmsp.status, fromEmsp.statusCode],
    [fromCpo.status, fromCpo.statusCode],
  ]
}
