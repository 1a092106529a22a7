// Platforms wired to each other in process: each origin is served by one or more SDK instances (behind
// a "load balancer" whose routing a test controls), and every token that crosses the wire is recorded.
import {
  authorizationCandidates,
  type CredentialsStore,
  createOcpi,
  type Ocpi,
  type OcpiOptions,
} from '@ocpi-credentials/core'

type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>

/** Picks the instance that serves a request. */
export type Route = (request: Request, instances: readonly Ocpi[]) => Ocpi

export interface Site {
  readonly origin: string
  readonly instances: Ocpi[]
  /** Which instance serves the next request; round robin by default. */
  route: Route
  /** The instance index each request went to, in order, with its method and path. */
  readonly served: { instance: number; method: string; path: string }[]
}

export const SEALING_KEY = { kid: 'k1', key: new Uint8Array(32).fill(3) }

export interface PlatformSpec {
  readonly role: 'CPO' | 'EMSP'
  readonly partyId: string
  readonly countryCode: string
  /** Extra options (store, sealing keys, caching) for every instance. */
  readonly options?: Partial<OcpiOptions>
}

export class Network {
  readonly sites = new Map<string, Site>()
  /** Every token seen crossing the wire (Authorization headers, credentials bodies), decoded. */
  readonly tokens = new Set<string>()
  /** Awaited before a request is routed (to stage a race at an exact point). */
  before: (request: Request) => Promise<void> | void = () => undefined
  /** Awaited after a response was produced, before the caller receives it. */
  after: (request: Request, response: Response) => Promise<void> | void = () => undefined

  readonly fetch: FetchLike = async (input, init) => {
    const request = new Request(input, init)
    const site = this.sites.get(new URL(request.url).origin)
    if (site === undefined) throw new TypeError('fetch failed')
    this.#recordHeader(request.headers.get('authorization'))
    if (request.method === 'POST' || request.method === 'PUT') {
      this.#recordBody(await request.clone().text())
    }
    await this.before(request)
    const instance = site.route(request, site.instances)
    const path = new URL(request.url).pathname
    site.served.push({ instance: site.instances.indexOf(instance), method: request.method, path })
    const module = /\/(locations|tokens)(\/|$)/.exec(path)?.[1]
    let response: Response
    if (module === undefined) {
      response = await instance.handle(request)
    } else {
      const auth = await instance.authenticate(request, { module })
      response = auth.ok
        ? Response.json({ data: [], status_code: 1000, timestamp: new Date().toISOString() })
        : auth.response
    }
    if (/\/credentials$/.test(path)) this.#recordBody(await response.clone().text())
    await this.after(request, response)
    return response
  }

  /** Adds a platform served by `count` instances, each over the store `storeOf(i)` returns. */
  site(origin: string, spec: PlatformSpec, storeOf: (instance: number) => CredentialsStore, count = 1): Site {
    let next = 0
    const site: Site = {
      origin,
      instances: [],
      route: (_request, instances) => instances[next++ % instances.length] as Ocpi,
      served: [],
    }
    for (let i = 0; i < count; i++) {
      site.instances.push(
        createOcpi({
          baseUrl: `${origin}/ocpi`,
          parties: [
            {
              role: spec.role,
              country_code: spec.countryCode,
              party_id: spec.partyId,
              business_details: { name: `${spec.partyId} ${spec.role}` },
            },
          ],
          modules: [{ id: spec.role === 'CPO' ? 'locations' : 'tokens', role: 'SENDER' }],
          store: storeOf(i),
          sealingKeys: [SEALING_KEY],
          fetch: this.fetch,
          ...spec.options,
        }),
      )
    }
    this.sites.set(origin, site)
    return site
  }

  /** A TOKEN_A handed over offline counts as exchanged too. */
  handOver(token: string): void {
    this.tokens.add(token)
  }

  #recordHeader(header: string | null): void {
    for (const candidate of authorizationCandidates(header)) this.tokens.add(candidate)
  }

  #recordBody(text: string): void {
    try {
      const body = JSON.parse(text) as { token?: unknown; data?: { token?: unknown } }
      for (const token of [body.token, body.data?.token])
        if (typeof token === 'string') this.tokens.add(token)
    } catch {
      // Not JSON: no token to record.
    }
  }
}

/** Every form in which a token could sit in a database: raw, Base64 and Base64url. */
export function formsOf(token: string): string[] {
  const base64 = btoa(token)
  return [
    token,
    base64,
    base64.replace(/=+$/, ''),
    base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
  ]
}
