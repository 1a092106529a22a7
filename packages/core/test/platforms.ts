// Any number of SDK platforms in one process, each origin served by one or more instances over one
// shared memory backing, with a clock the test moves and origins it can take down.
import {
  type CredentialsStore,
  createMemoryBacking,
  createOcpi,
  type MemoryBacking,
  memoryStore,
  type Ocpi,
  type OcpiEvents,
  type OcpiOptions,
  type OwnParty,
} from '../src/index.js'
import { SEALING_KEY } from './harness.js'

export interface Platform {
  readonly origin: string
  readonly instances: Ocpi[]
  readonly backing: MemoryBacking
  /** Requests this platform received: method, path and Authorization header. */
  readonly received: { method: string; path: string; authorization: string | null }[]
  readonly events: { event: keyof OcpiEvents; payload: unknown }[]
  /** The first instance. */
  readonly ocpi: Ocpi
}

export class World {
  now = Date.parse('2026-11-23T10:00:00Z')
  readonly platforms = new Map<string, Platform>()
  readonly down = new Set<string>()
  /** Requests whose answer is lost on the way back (the platform handled them): `METHOD origin path`. */
  readonly lost = new Set<string>()
  /** Requests dropped on the way there (never handled): `METHOD origin path`. */
  readonly dropped = new Set<string>()
  #next = 0
  readonly #makers = new Map<string, (changes: Partial<OcpiOptions>) => Ocpi>()

  readonly fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const origin = new URL(request.url).origin
    const platform = this.platforms.get(origin)
    if (platform === undefined || this.down.has(origin)) throw new TypeError('fetch failed')
    const path = new URL(request.url).pathname
    const call = `${request.method} ${origin} ${path}`
    if (this.dropped.has(call)) throw new TypeError('fetch failed')
    platform.received.push({
      method: request.method,
      path,
      authorization: request.headers.get('authorization'),
    })
    const instance = platform.instances[this.#next++ % platform.instances.length] as Ocpi
    if (/\/(locations|tokens)(\/|$)/.test(path)) {
      const auth = await instance.authenticate(request, { module: 'locations' })
      if (!auth.ok) return auth.response
      return Response.json({ data: [], status_code: 1000, timestamp: new Date(this.now).toISOString() })
    }
    const response = await instance.handle(request)
    if (this.lost.has(call)) throw new TypeError('fetch failed')
    return response
  }

  add(
    name: string,
    party: { role: OwnParty['role']; country_code: string; party_id: string },
    options: Partial<OcpiOptions> = {},
    count = 1,
  ): Platform {
    const origin = `https://${name}.example.com`
    const backing = createMemoryBacking()
    const events: Platform['events'] = []
    const instances: Ocpi[] = []
    const make = (changes: Partial<OcpiOptions>) => {
      const ocpi = createOcpi({
        baseUrl: `${origin}/ocpi`,
        parties: [{ ...party, business_details: { name } }],
        versions: ['2.2.1'],
        modules: [{ id: party.role === 'CPO' ? 'locations' : 'tokens', role: 'SENDER' }],
        store: memoryStore({ backing }),
        sealingKeys: [{ kid: 'k', key: SEALING_KEY }],
        fetch: this.fetch,
        now: () => this.now,
        // A down platform is found out at once: no retries of the probe's GET.
        transport: { getRetries: 0 },
        ...options,
        ...changes,
      })
      for (const event of ['connection-status', 'rotated', 'registered', 'unregistered'] as const) {
        ocpi.on(event, (payload) => events.push({ event, payload }))
      }
      return ocpi
    }
    for (let i = 0; i < count; i++) instances.push(make({}))
    this.#makers.set(origin, make)
    const platform: Platform = {
      origin,
      instances,
      backing,
      received: [],
      events,
      ocpi: instances[0] as Ocpi,
    }
    this.platforms.set(origin, platform)
    return platform
  }

  /**
   * Restarts every instance of `platform` with its options changed by `changes` (its store kept), as a
   * host deploying a new configuration. `platform.ocpi` is the first new instance.
   */
  reconfigure(platform: Platform, changes: Partial<OcpiOptions>): Platform {
    const make = this.#makers.get(platform.origin) as (changes: Partial<OcpiOptions>) => Ocpi
    platform.instances.splice(0, platform.instances.length, ...platform.instances.map(() => make(changes)))
    const next = { ...platform, ocpi: platform.instances[0] as Ocpi }
    this.platforms.set(platform.origin, next)
    return next
  }

  /** `from` invites, `to` registers: returns each side's peer id. */
  async link(from: Platform, to: Platform): Promise<{ onFrom: string; onTo: string }> {
    const invitation = await from.ocpi.invite()
    const peer = await to.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    return { onFrom: invitation.peerId, onTo: peer.id }
  }
}

/**
 * `store` with one method replaced by `wrap(original)`, every other one as it is: for tests in which
 * another writer interferes at one point of a flow, or one store call fails.
 */
export function intercept<K extends keyof CredentialsStore>(
  store: CredentialsStore,
  method: K,
  wrap: (original: CredentialsStore[K]) => CredentialsStore[K],
): CredentialsStore {
  const replaced = wrap((store[method] as (...args: unknown[]) => unknown).bind(store) as CredentialsStore[K])
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === method) return replaced
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/**
 * A fetch through `world` for an instance that dies after its PUT: while `dying` is on, a PUT reaches
 * the peer, and its answer is never read (the call never ends), as for a process gone meanwhile.
 */
export function dyingAfterPut(world: World): {
  fetch: (input: Request | string | URL, init?: RequestInit) => Promise<Response>
  dying: boolean
} {
  const control = {
    dying: false,
    fetch: async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init)
      const response = await world.fetch(request)
      if (control.dying && request.method === 'PUT') return new Promise<Response>(() => undefined)
      return response
    },
  }
  return control
}
