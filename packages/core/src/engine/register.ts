import * as z from 'zod'
import { isOwnParty } from '../config.js'
import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import type {
  OutboundToken,
  PartyRef,
  PeerRecord,
  RegisteredPeer,
  RegisteringPeer,
  UnregisteredPeer,
} from '../model.js'
import { type Peer, peerView } from '../peer-view.js'
import { countryCodeSchema, credentialsTokenSchema, partyIdSchema } from '../protocol/schemas.js'
import { SUPPORTED_VERSIONS } from '../protocol/versions.js'
import { digestToken } from '../tokens/digest.js'
import { generateToken } from '../tokens/generate.js'
import { checkPeerUrl } from '../transport/url-policy.js'
import { describeIssues, ownCredentialsBody, parsePeerCredentials } from './credentials-body.js'
import { defaultEncoding, discover } from './discovery.js'
import { invitationStillValid, mayHaveCommitted, mayStillBeAtWork, sendCredentials } from './peer-calls.js'
import { missingEndpoints } from './requirements.js'

const registerSchema = z.strictObject({
  versionsUrl: z.string().min(1),
  token: credentialsTokenSchema,
  as: z.object({ country_code: countryCodeSchema, party_id: partyIdSchema }).optional(),
  encoding: z.enum(['raw', 'base64']).optional(),
})

/**
 * Input of {@link Ocpi.register}: the partner's versions URL and the TOKEN_A its admin gave ours; `as`,
 * which of our parties a 2.1.1 link presents; `encoding`, the Authorization form the peer takes (`'raw'`
 * or `'base64'`), for a peer whose discovery endpoints take both forms while its modules take one. By
 * default the registration's discovery tries the version's form first and the other once on a refusal;
 * with `encoding` it uses that form alone, and the link keeps it (a later rotation's discovery tries it
 * first, and moves only when the peer refuses it).
 *
 * @example
 * ```ts
 * const input: RegisterInput = { versionsUrl: 'https://emsp.example.org/ocpi/versions', token: tokenFromPartner }
 * const rawOnly: RegisterInput = { ...input, encoding: 'raw' } // a 2.2.1 peer whose modules take only raw
 * ```
 */
export type RegisterInput = z.input<typeof registerSchema>

/**
 * Registers with a peer (we are the Sender): discovers it with its TOKEN_A, picks the highest mutual
 * version, checks our required endpoints before any POST, persists our new token as pending (with an
 * expiry) so the peer's callback discovery authenticates on any instance sharing the store, POSTs, and
 * commits the peer's token sealed. Any failure leaves no live token and throws an error naming the step.
 * When the POST's answer is lost, the peer is asked whether our TOKEN_A still works (once more a moment
 * later, `ctx.lateCommitRecheckMs`, when it does and the peer may still be at work on the POST): if it
 * does not, the peer registered us and the error is `ERR_OCPI_OUTCOME_UNKNOWN` (remedy: a fresh TOKEN_A).
 *
 * @example
 * ```ts
 * const peer = await register(ctx, { versionsUrl, token })
 * ```
 */
export async function register(ctx: Context, input: RegisterInput): Promise<Peer> {
  const parsed = registerSchema.safeParse(input)
  if (!parsed.success)
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', `invalid registration: ${describeIssues(parsed.error)}`)
  const { versionsUrl } = parsed.data
  const tokenA = parsed.data.token as OutboundToken
  const as: PartyRef | null = parsed.data.as ?? null
  if (as !== null && !isOwnParty(ctx.config, as)) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', 'as: names none of our parties')
  }
  const urlCheck = checkPeerUrl(versionsUrl, ctx.urlPolicy)
  if (!urlCheck.ok) throw new OcpiError('ERR_OCPI_URL_REFUSED', `versionsUrl: ${urlCheck.reason}`)

  const highest = ctx.config.versions[0] ?? SUPPORTED_VERSIONS[0]
  const forced = parsed.data.encoding
  const found = await discover(ctx, {
    versionsUrl,
    token: tokenA,
    version: 'highest',
    encoding: forced ?? defaultEncoding(highest),
    probe: forced === undefined,
  })
  const missing = missingEndpoints(ctx.config, found.details.endpoints, found.version)
  if (missing.length > 0) {
    throw new OcpiError(
      'ERR_OCPI_MISSING_ENDPOINTS',
      `the peer lacks required endpoints: ${missing.join(', ')}`,
      {
        step: 'check endpoints',
      },
    )
  }
  const credentialsUrl = found.details.endpoints.find((e) => e.identifier === 'credentials')?.url as string

  const tokenB = generateToken()
  const digestB = digestToken(tokenB)
  const now = ctx.now()
  const peer: RegisteringPeer = {
    id: crypto.randomUUID(),
    revision: 0,
    origin: 'registration',
    expectedParties: null,
    as,
    createdAt: now,
    updatedAt: now,
    lastContactAt: null,
    state: 'registering',
    versionsUrl,
    version: found.version,
  }
  const created = await ctx.store.createPeer(peer, [
    {
      digest: digestB,
      peerId: peer.id,
      kind: 'pending-registration',
      createdAt: now,
      expiresAt: now + ctx.config.pendingTtlMs,
      supersedes: null,
      successor: null,
    },
  ])
  if (!created)
    throw new OcpiError('ERR_OCPI_STORE', 'the store refused the new peer (duplicate id or token)')

  let tokenC: OutboundToken
  let credentials: ReturnType<typeof parsePeerCredentials>
  let staleAnswer: OcpiError | undefined
  try {
    const sent = await sendCredentials(ctx, {
      method: 'POST',
      url: credentialsUrl,
      token: tokenA,
      encoding: found.encoding,
      version: found.version,
      body: ownCredentialsBody(ctx.config, found.version, tokenB, { as }),
    })
    credentials = parsePeerCredentials(found.version, sent.data)
    if (!credentials.ok) {
      throw new OcpiError('ERR_OCPI_PEER_INVALID_RESPONSE', `POST credentials: ${credentials.message}`, {
        step: 'POST credentials',
      })
    }
    tokenC = credentials.value.token
    // Tokens must be fresh (reference §2.7): TOKEN_A dies now, TOKEN_B is the one the peer uses towards us.
    if (tokenC === (tokenA as string) || tokenC === (tokenB as string)) {
      staleAnswer = new OcpiError(
        'ERR_OCPI_PEER_INVALID_RESPONSE',
        `POST credentials: token: the peer answered with ${tokenC === (tokenA as string) ? 'our TOKEN_A' : 'the token we gave it'}, not a new token for us`,
        { step: 'POST credentials' },
      )
      throw staleAnswer
    }
  } catch (error) {
    await abandon(ctx, peer.id)
    const failure =
      error instanceof OcpiError
        ? error
        : new OcpiError('ERR_OCPI_PEER_UNREACHABLE', 'POST credentials failed', {
            step: 'POST credentials',
            cause: error,
          })
    ctx.events.emit('registration-failed', {
      peerId: peer.id,
      direction: 'outbound',
      code: failure.code,
      message: failure.message,
    })
    if (!mayHaveCommitted(failure)) throw failure
    if (failure === staleAnswer) {
      // The peer answered success: it registered us, with a token we cannot use (and, with our TOKEN_A
      // reused as ours, that TOKEN_A still works: probing it would say nothing was committed).
      throw new OcpiError(
        'ERR_OCPI_OUTCOME_UNKNOWN',
        'POST credentials: the peer registered us but answered with a token we cannot use; ask its admin to remove the link and for a fresh TOKEN_A',
        { step: 'POST credentials', cause: failure },
      )
    }
    let stillValid = await invitationStillValid(ctx, versionsUrl, tokenA, found.encoding)
    if (stillValid === true && mayStillBeAtWork(failure)) {
      // A peer may still be at work after our POST gave up (its proxy answered 504, or our timeout ran
      // out): past its callback discovery (our pending token, dead by now, stops one still discovering),
      // its commit is a moment away. Asking once more a little later keeps "retry is safe" for a peer that
      // did not commit; "it still works" at once would tell that to a peer about to consume the TOKEN_A.
      // Only a refusal changes the answer: a second check that cannot tell leaves the first one's.
      await new Promise((resolve) => setTimeout(resolve, ctx.lateCommitRecheckMs))
      if ((await invitationStillValid(ctx, versionsUrl, tokenA, found.encoding)) === false) stillValid = false
    }
    if (stillValid === true) throw failure
    throw new OcpiError(
      'ERR_OCPI_OUTCOME_UNKNOWN',
      stillValid !== false
        ? 'POST credentials: the outcome is unknown (the peer may have registered us); ask its admin for a fresh TOKEN_A'
        : failure.code === 'ERR_OCPI_PEER_INVALID_RESPONSE'
          ? 'POST credentials: the peer consumed our TOKEN_A but its answer could not be used; ask its admin to remove the link and for a fresh TOKEN_A'
          : "POST credentials: the peer's answer was lost after it consumed our TOKEN_A; ask its admin for a fresh TOKEN_A",
      { step: 'POST credentials', cause: failure },
    )
  }

  const committedAt = ctx.now()
  let stored: PeerRecord | null = null
  let cause: unknown
  try {
    const next: RegisteredPeer = {
      ...peer,
      revision: 1,
      updatedAt: committedAt,
      lastContactAt: committedAt,
      state: 'registered',
      registeredAt: committedAt,
      link: {
        version: found.version,
        versionsUrl,
        endpoints: found.details.endpoints,
        parties: credentials.value.parties,
        hubPartyId: credentials.value.hubPartyId,
        outbound: await ctx.sealer.seal(tokenC),
        encoding: found.encoding,
      },
    }
    stored = await ctx.store.commitToken({
      peerId: peer.id,
      revision: peer.revision,
      next,
      token: { pending: digestB },
      grace: null,
      now: committedAt,
    })
  } catch (error) {
    cause = error // sealing or the store failed: the attempt ends all the same, as below
  }
  if (stored?.state !== 'registered') {
    // Ended like any failed attempt; a store that is down for this too leaves the pending token to its
    // expiry, and the caller hears of the commit all the same.
    const threw = cause !== undefined
    await abandon(ctx, peer.id).catch((error: unknown) => {
      cause ??= error
    })
    // A store that threw may have committed all the same (a connection lost after its COMMIT, or while
    // the COMMIT was still under way): ending the attempt settled that race, one way or the other.
    stored = threw ? await committedDespite(ctx, peer.id, committedAt, cause) : null
  }
  if (stored?.state !== 'registered') {
    const failure = new OcpiError(
      'ERR_OCPI_OUTCOME_UNKNOWN',
      'the registration could not be committed (our pending token expired, the record changed, or the store failed); the peer holds a dead token: ask for a fresh TOKEN_A',
      { step: 'commit', ...(cause === undefined ? {} : { cause }) },
    )
    ctx.events.emit('registration-failed', {
      peerId: peer.id,
      direction: 'outbound',
      code: failure.code,
      message: failure.message,
    })
    throw failure
  }
  ctx.events.emit('registered', {
    peerId: peer.id,
    version: found.version,
    direction: 'outbound',
    parties: stored.link.parties,
  })
  ctx.log.info?.('registered with peer', { peerId: peer.id, version: found.version, direction: 'outbound' })
  return peerView(stored)
}

/**
 * After a store call that threw, and the attempt was ended: the record this attempt committed, when the
 * write landed all the same (a connection lost after the database committed; ending the attempt waited for
 * a commit still under way, or lost to it). The link is live then, and reporting it dead would send
 * the admins after a fresh TOKEN_A for nothing. Only this attempt's commit counts: still registered, at
 * the very instant it was committed. Null when the write did not land or the store cannot tell.
 */
async function committedDespite(
  ctx: Context,
  peerId: string,
  committedAt: number,
  cause: unknown,
): Promise<PeerRecord | null> {
  let current: PeerRecord | null
  try {
    current = await ctx.store.getPeer(peerId)
  } catch {
    return null
  }
  if (current?.state !== 'registered' || current.registeredAt !== committedAt) return null
  ctx.log.warn?.('the store reported a failure for a registration it committed; the link is live', {
    peerId,
    error: cause instanceof Error ? cause.name : typeof cause,
  })
  return current
}

/** Ends a registration attempt: its pending token dies and the record says it never came up. */
async function abandon(ctx: Context, peerId: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await ctx.store.getPeer(peerId)
    if (current === null || current.state !== 'registering') return
    const now = ctx.now()
    const next: UnregisteredPeer = {
      id: current.id,
      revision: current.revision + 1,
      origin: current.origin,
      expectedParties: current.expectedParties,
      as: current.as,
      createdAt: current.createdAt,
      updatedAt: now,
      lastContactAt: current.lastContactAt,
      state: 'unregistered',
      unregisteredAt: now,
      link: null,
    }
    if ((await ctx.store.revokeTokens({ peerId, revision: current.revision, next })) !== null) return
  }
}
