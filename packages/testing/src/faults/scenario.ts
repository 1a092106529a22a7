import {
  type CredentialsStore,
  createOcpi,
  type Ocpi,
  type OcpiOptions,
  type TokenRecord,
} from '@ocpi-credentials/core'
import type { RawStoreView, UseStore } from '../conformance/harness.js'
import { createMockPeer, type MockPeer } from '../mock-peer/create-mock-peer.js'
import type { MockPeerOptions } from '../mock-peer/options.js'

/**
 * The base URL of the SDK under test (no network: the mock peer calls its `handle`).
 *
 * @example
 * ```ts
 * expect(peer.state.sdkVersionsUrl).toBe(`${SDK_BASE}/versions`)
 * ```
 */
export const SDK_BASE = 'https://sdk.example.com/ocpi'

/**
 * The base URL of the mock peer.
 *
 * @example
 * ```ts
 * expect(peer.versionsUrl).toBe(`${PEER_BASE}/versions`)
 * ```
 */
export const PEER_BASE = 'https://peer.example.com/ocpi'

/**
 * An SDK instance over the given store, wired to a mock peer without any network (each uses the
 * other as its fetch), and every log line and event it emitted.
 *
 * @example
 * ```ts
 * const { ocpi, peer } = wireSdkWithMockPeer(memoryStore(), { sdk: { versions: ['2.1.1'] } })
 * ```
 */
export function wireSdkWithMockPeer(
  store: CredentialsStore,
  options: { sdk?: Partial<OcpiOptions>; peer?: Partial<MockPeerOptions> } = {},
): { ocpi: Ocpi; peer: MockPeer; lines: string[] } {
  const lines: string[] = []
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`)
  // Filled in below: the SDK's fetch reaches the mock, the mock's reaches the SDK's handler.
  const wiring: { peerFetch?: (input: Request | string | URL, init?: RequestInit) => Promise<Response> } = {}
  const ocpi = createOcpi({
    baseUrl: SDK_BASE,
    parties: [{ role: 'CPO', country_code: 'NL', party_id: 'SDK', business_details: { name: 'SDK CPO' } }],
    modules: [{ id: 'locations', role: 'SENDER' }],
    store,
    sealingKeys: [{ kid: 'k', key: new Uint8Array(32).fill(9) }],
    fetch: (input, init) => (wiring.peerFetch as NonNullable<typeof wiring.peerFetch>)(input, init),
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    ...options.sdk,
  })
  for (const event of [
    'invited',
    'registered',
    'registration-failed',
    'rotated',
    'rotation-failed',
    'unregistered',
    'authentication-failed',
    'revoked',
  ] as const) {
    ocpi.on(event, (payload) => lines.push(`event ${event} ${JSON.stringify(payload)}`))
  }
  const peer = createMockPeer({
    baseUrl: PEER_BASE,
    versions: ['2.2.1'],
    parties: [{ role: 'EMSP', country_code: 'DE', party_id: 'MOC' }],
    fetch: (request: Request) => ocpi.handle(request),
    ...options.peer,
  })
  wiring.peerFetch = peer.fetch
  return { ocpi, peer, lines }
}

/**
 * One fault case's world: the SDK over the harness's store and its mock peer, and reads of the stored
 * tokens through the harness's raw view (never through the store's own token reads; the peers whose
 * tokens are read are those the store's `listPeers` answers).
 *
 * @example
 * ```ts
 * const { ocpi, peer, liveTokenKinds } = faultScenario(use)
 * expect(await liveTokenKinds()).toEqual([])
 * ```
 */
export interface FaultScenario {
  readonly ocpi: Ocpi
  readonly peer: MockPeer
  /** The kind of every stored token, sorted (what a leak or a lost token would change). */
  readonly liveTokenKinds: () => Promise<string[]>
  /** Every stored token record, as text in digest order (to assert that nothing changed). */
  readonly tokenSnapshot: () => Promise<string>
  /** Moves the SDK's clock forward (pending tokens and grace windows expire; the mock peer's is real). */
  readonly advance: (ms: number) => void
}

/** Outbound timeouts short enough for the `slow` fault to time out quickly. */
const FAST: Partial<OcpiOptions> = {
  transport: { timeouts: { get: 200, post: 400, put: 400, delete: 200 }, getRetries: 0 },
}

/**
 * Wires the SDK and a mock peer over the running case's store.
 *
 * @example
 * ```ts
 * it('…', async () => { const { ocpi, peer } = faultScenario(use) })
 * ```
 */
export function faultScenario(use: UseStore): FaultScenario {
  const { store, raw } = use()
  let offset = 0
  const { ocpi, peer } = wireSdkWithMockPeer(store, { sdk: { ...FAST, now: () => Date.now() + offset } })
  const tokens = () => storedTokens(store, raw)
  return {
    ocpi,
    peer,
    liveTokenKinds: async () => (await tokens()).map((token) => token.kind).sort(),
    tokenSnapshot: async () => JSON.stringify(await tokens()),
    advance: (ms) => {
      offset += ms
    },
  }
}

/** Every token of every peer the store lists, read through the raw view, in digest order. */
async function storedTokens(store: CredentialsStore, raw: RawStoreView): Promise<TokenRecord[]> {
  const peers = await store.listPeers()
  const tokens = (await Promise.all(peers.map((peer) => raw.tokensOf(peer.id)))).flat()
  return tokens.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0))
}
