// An SDK instance wired to a mock peer without any network: each uses the other as its fetch.
import { createMemoryBacking, createOcpi, memoryStore, type OcpiOptions } from '@ocpi-credentials/core'
import { createMockPeer, type MockPeerOptions } from '../src/index.js'

export const SDK_BASE = 'https://sdk.example.com/ocpi'
export const PEER_BASE = 'https://peer.example.com/ocpi'

export function sdkWithMockPeer(
  options: { sdk?: Partial<OcpiOptions>; peer?: Partial<MockPeerOptions> } = {},
) {
  const backing = createMemoryBacking()
  const lines: string[] = []
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`)
  // Filled in below: the SDK's fetch reaches the mock, the mock's reaches the SDK's handler.
  const wiring: { peerFetch?: (input: Request | string | URL, init?: RequestInit) => Promise<Response> } = {}
  const ocpi = createOcpi({
    baseUrl: SDK_BASE,
    parties: [{ role: 'CPO', country_code: 'NL', party_id: 'SDK', business_details: { name: 'SDK CPO' } }],
    modules: [{ id: 'locations', role: 'SENDER' }],
    store: memoryStore({ backing }),
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
  const liveTokenKinds = () => [...backing.tokens.values()].map((t) => t.kind).sort()
  return { ocpi, peer, backing, lines, liveTokenKinds }
}
