// The platform the malformed-request properties aim at: a CPO whose store holds a token of every kind
// the SDK knows (live, expired and consumed TOKEN_As, a pending registration, current, previous and
// pending-rotation link tokens, tokens of ended links), built through the real flows with an in-process
// eMSP. Once built, the CPO's clock stands still and every outbound call of the CPO fails: no generated
// request can then complete a registration, an update or a discovery, so the only state-changing
// requests left are a DELETE with a link token and the admin API's writes, which the generators exclude.
import type { Invitation, MemoryBacking, PeerState } from '../src/index.js'
import { createSealer, type FetchLike, type SealedToken } from '../src/index.js'
import { SEALING_KEY } from './harness.js'
import { type Platform, twoPlatforms } from './two-platforms.js'

/** The CPO's clock while the properties run. */
export const FUZZ_NOW = Date.parse('2026-11-23T10:00:00.000Z')

/** One token the fuzzer may put in an Authorization header. */
export interface PoolToken {
  readonly name: string
  readonly token: string
  /**
   * A token of an established link (current, previous, pending rotation): a credentials DELETE made with
   * it is legitimate and ends the link, so generators never pair it with DELETE.
   */
  readonly link: boolean
}

/** A peer record of the CPO, for the admin API's generators. */
export interface PoolPeer {
  readonly id: string
  readonly state: PeerState
}

export interface FuzzTarget {
  readonly cpo: Platform
  readonly emsp: Platform
  readonly tokens: readonly PoolToken[]
  readonly peers: readonly PoolPeer[]
  /** The `timestamp` of every envelope the CPO answers while the properties run. */
  readonly timestamp: string
  /** How many outbound calls the CPO attempted since it was built (each one failed). */
  outboundCalls(): number
  /** The CPO's and the eMSP's raw store content, serialized: equal strings, equal state. */
  snapshot(): string
  /** Lets the registration held in flight fail (its pending token dies), after the properties ran. */
  release(): Promise<void>
}

const sealer = createSealer([{ kid: 'k', key: SEALING_KEY }])

function serialize(backing: MemoryBacking): string {
  const byKey = <V>(map: Map<string, V>) =>
    [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return JSON.stringify([byKey(backing.peers), byKey(backing.tokens)])
}

/** The token the eMSP holds to call the CPO on a link (a CPO-issued inbound token). */
async function outboundOf(platform: Platform, peerId: string): Promise<string> {
  const peer = platform.backing.peers.get(peerId)
  if (peer?.state !== 'registered') throw new Error(`peer ${peerId} is not registered on ${platform.base}`)
  return sealer.unseal(peer.link.outbound as SealedToken)
}

/** Builds the target; see the file comment. */
export async function buildFuzzTarget(): Promise<FuzzTarget> {
  let clock = FUZZ_NOW - 10_000
  let outboundCalls = 0
  let dead = false
  /** Steps of the set-up catch some of the CPO's calls (a held POST, a lost PUT answer). */
  let intercept: ((request: Request) => Promise<Response> | null) | null = null
  const platforms: { fetch?: FetchLike } = {}
  const cpoFetch: FetchLike = async (input, init) => {
    outboundCalls++
    if (dead) throw new TypeError('fetch failed')
    const request = new Request(input, init)
    const caught = intercept?.(request)
    if (caught) return caught
    return (platforms.fetch as FetchLike)(request)
  }
  const { cpo, emsp, fetch } = twoPlatforms({
    cpo: {
      now: () => clock,
      fetch: cpoFetch,
      // No retry of failed GETs (each would wait), and time for the held POST.
      transport: { getRetries: 0, timeouts: { post: 300_000, total: 300_000 } },
      pendingTtlMs: 20 * 60_000, // at least twice the total timeout and 30 s
    },
    emsp: { now: () => clock },
  })
  platforms.fetch = fetch

  const tokens: PoolToken[] = []
  const add = (name: string, token: string, link = false) => tokens.push({ name, token, link })
  /** The eMSP registers with a fresh CPO invitation; returns both peer ids and the link's CPO token. */
  const link = async () => {
    const invitation = await cpo.ocpi.invite()
    const onEmsp = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    return {
      invitation,
      cpoPeer: invitation.peerId,
      emspPeer: onEmsp.id,
      token: await outboundOf(emsp, onEmsp.id),
    }
  }

  // An invitation that expired: issued 10 s before the clock stops, valid for 1 s.
  add('expired TOKEN_A', (await cpo.ocpi.invite({ expiresIn: 1_000 })).token)
  clock = FUZZ_NOW

  const open: Invitation = await cpo.ocpi.invite({
    expectedParties: [{ country_code: 'DE', party_id: 'MSP' }],
  })
  add('TOKEN_A', open.token)

  // A registered link: its consumed TOKEN_A (within the replay window) and its current token.
  const first = await link()
  add('consumed TOKEN_A', first.invitation.token)
  add('current token', first.token, true)

  // The eMSP rotated: the replaced token is in its grace window, with a successor (our answer, sealed).
  // The new current token is left out of the pool: its first use ends the grace window (a write).
  const rotatedByPeer = await link()
  add('previous token (peer rotated)', rotatedByPeer.token, true)
  await emsp.ocpi.rotate(rotatedByPeer.emspPeer)

  // The CPO rotated: the replaced token is in its grace window without a successor.
  const rotatedByUs = await link()
  add('previous token (we rotated)', rotatedByUs.token, true)
  await cpo.ocpi.rotate(rotatedByUs.cpoPeer)

  // The CPO's rotation whose PUT answer was lost and could not be settled: its pending token lives on.
  const unsettled = await link()
  add('current token (rotation unsettled)', unsettled.token, true)
  let pendingRotation = ''
  intercept = (request) => {
    if (!request.url.endsWith('/credentials')) return null
    return (async () => {
      if (request.method === 'PUT') pendingRotation = ((await request.json()) as { token: string }).token
      throw new TypeError('fetch failed')
    })()
  }
  await cpo.ocpi.rotate(unsettled.cpoPeer).then(
    () => {
      throw new Error('the rotation was expected to end with an unknown outcome')
    },
    (error: { code?: string }) => {
      if (error.code !== 'ERR_OCPI_OUTCOME_UNKNOWN') throw error
    },
  )
  add('pending-rotation token', pendingRotation, true)

  // A registration of the CPO's own, held in flight: its pending-registration token is live.
  const emspInvitation = await emsp.ocpi.invite()
  let releaseHeld: (response: Response) => void = () => undefined
  let pendingRegistration = ''
  const sent = new Promise<void>((resolve) => {
    intercept = (request) => {
      if (request.method !== 'POST' || !request.url.endsWith('/credentials')) return null
      return (async () => {
        pendingRegistration = ((await request.json()) as { token: string }).token
        resolve()
        return new Promise<Response>((settle) => {
          releaseHeld = settle
        })
      })()
    }
  })
  const held = cpo.ocpi
    .register({ versionsUrl: emspInvitation.versionsUrl, token: emspInvitation.token })
    .catch((error: unknown) => error)
  await sent
  intercept = null
  add('pending-registration token', pendingRegistration)

  // A link the eMSP ended, and a link the CPO revoked (which re-invited: a second live TOKEN_A).
  const ended = await link()
  await emsp.ocpi.unregister(ended.emspPeer)
  add('token of an unregistered link', ended.token)
  const revoked = await link()
  const revocation = await cpo.ocpi.revoke(revoked.cpoPeer)
  add('token of a revoked link', revoked.token)
  add('TOKEN_A of a re-invitation', revocation.invitation?.token ?? '')

  // Each link token used once: a first use records contact a millisecond after the token's issue (see
  // contactTimeOf), a write that would otherwise happen during the properties; later uses write nothing.
  for (const { token } of tokens.filter((t) => t.link)) {
    const used = await cpo.ocpi.handle(
      new Request(`${cpo.base}/ocpi/versions`, { headers: { authorization: `Token ${token}` } }),
    )
    if (used.status !== 200) throw new Error(`a link token of the pool was refused: ${used.status}`)
  }

  dead = true
  outboundCalls = 0
  const peers: PoolPeer[] = [...cpo.backing.peers.values()].map((p) => ({ id: p.id, state: p.state }))
  return {
    cpo,
    emsp,
    tokens,
    peers,
    timestamp: new Date(FUZZ_NOW).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    outboundCalls: () => outboundCalls,
    snapshot: () => `${serialize(cpo.backing)}\n${serialize(emsp.backing)}`,
    async release() {
      releaseHeld(new Response('unavailable', { status: 503 }))
      await held
    },
  }
}
