import * as z from 'zod'
import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import type {
  InboundToken,
  OutboundToken,
  PeerRecord,
  RegisteredPeer,
  RotationMark,
  SealedToken,
  TokenDigest,
  TokenEncoding,
} from '../model.js'
import { type Peer, peerView } from '../peer-view.js'
import { SUPPORTED_VERSIONS, type SupportedVersion } from '../protocol/versions.js'
import { digestToken } from '../tokens/digest.js'
import { generateToken } from '../tokens/generate.js'
import { ourTokenDigests } from '../tokens/records.js'
import { ownCredentialsBody, parsePeerCredentials, presentationOf } from './credentials-body.js'
import { withDeadline } from './deadline.js'
import { defaultEncoding, discover } from './discovery.js'
import { emitPartyChanges, lockLinkIdentity } from './identity-lock.js'
import { parseOptions } from './known-options.js'
import { buildRequest, processEnvelope } from './outbound.js'
import { mayHaveCommitted, sendCredentials } from './peer-calls.js'
import { missingEndpoints } from './requirements.js'
import { CAS_ATTEMPTS, waitBeforeRetry } from './retry-wait.js'
import { rotationState } from './rotation-mark.js'

/**
 * Options of {@link Ocpi.rotate}.
 *
 * @example
 * ```ts
 * await ocpi.rotate(peerId, { version: '2.2.1' }) // also upgrades a 2.1.1 link
 * await ocpi.rotate(peerId, { encoding: 'raw' }) // a peer whose modules take only the raw token
 * ```
 */
export interface RotateOptions {
  /** The version to switch to (one both sides speak); the current one by default. */
  readonly version?: SupportedVersion
  /**
   * The Authorization form the peer takes (`'raw'` or `'base64'`), for every call of the link from now
   * on: the rotation's discovery, its PUT and every later call use it alone, and the link keeps it. For a
   * peer whose discovery endpoints take both forms while its modules take one (the probe cannot tell),
   * whichever side started the link. By default the link's form, probed again only on a refusal.
   */
  readonly encoding?: TokenEncoding
}

const rotateOptionsSchema = z.strictObject({
  version: z.enum(SUPPORTED_VERSIONS).optional(),
  encoding: z.enum(['raw', 'base64']).optional(),
})

function withoutMark(peer: RegisteredPeer): RegisteredPeer {
  const { rotation: _mark, ...rest } = peer
  return rest
}

/**
 * Rewrites our mark naming `digest` (`change` gets the record without the mark), if it is still there.
 * Answers whether this call rewrote it (not when it was gone, or other writers kept winning the record).
 */
async function changeMark(
  ctx: Context,
  peerId: string,
  digest: TokenDigest,
  change: (unmarked: RegisteredPeer, mark: RotationMark) => RegisteredPeer,
): Promise<boolean> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    if (attempt > 0) await waitBeforeRetry(attempt - 1)
    const current = await ctx.store.getPeer(peerId)
    if (current === null || current.state !== 'registered' || current.rotation?.digest !== digest)
      return false
    const next = {
      ...change(withoutMark(current), current.rotation),
      revision: current.revision + 1,
      updatedAt: ctx.now(),
    }
    if ((await ctx.store.casPeer(peerId, current.revision, next)) !== null) return true
  }
  return false
}

function clearMark(ctx: Context, peerId: string, digest: TokenDigest): Promise<boolean> {
  return changeMark(ctx, peerId, digest, (unmarked) => unmarked)
}

async function registeredPeer(ctx: Context, peerId: string): Promise<RegisteredPeer> {
  const peer = await ctx.store.getPeer(peerId)
  if (peer === null) throw new OcpiError('ERR_OCPI_UNKNOWN_PEER', `no peer ${peerId}`)
  if (peer.state !== 'registered')
    throw new OcpiError('ERR_OCPI_WRONG_STATE', `peer ${peerId} is ${peer.state}, not registered`)
  return peer
}

/**
 * Rotates the tokens of a link (we start the PUT), optionally switching version. Our new token is
 * persisted as pending before the PUT (the peer re-fetches our versions with it, maybe on another
 * instance) and works on every module from then on; the peer's answer is committed only on success,
 * and our previous token keeps working until then and through the grace window. Concurrent rotations of
 * one peer: exactly one proceeds, the others get `ERR_OCPI_CONFLICT` before sending anything. A refused
 * PUT changes nothing. When the PUT's answer was lost, the peer is asked (GET credentials with our old
 * token): a new token for us commits the rotation; our old one, or no answer, is
 * `ERR_OCPI_OUTCOME_UNKNOWN` (the peer may still be processing our PUT: our new token stays valid until
 * its pending expiry, and the rotation stays marked unsettled; the health checks ask the peer again
 * meanwhile and commit it if the peer took it). While a rotation is unsettled, `rotate` asks the peer
 * first: settled, it returns the link as settled (or goes on when another version was asked for); still
 * unknown, it is `ERR_OCPI_CONFLICT` until the pending token expires.
 *
 * @example
 * ```ts
 * const peer = await rotate(ctx, peerId, { version: '2.2.1' })
 * ```
 */
export async function rotate(ctx: Context, peerId: string, options: RotateOptions = {}): Promise<Peer> {
  parseOptions(rotateOptionsSchema, options, 'rotate')
  let peer = await registeredPeer(ctx, peerId)
  if (options.version !== undefined && !ctx.config.versions.includes(options.version)) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', `version: we do not offer ${options.version}`)
  }
  let state = rotationState(ctx, peer)
  if (state === 'stale') {
    // A mark that outlived our pending token (an unknown outcome nobody settled, or a process that died
    // during its PUT) is cleared, and logged, as the health checks would, before a new one is set.
    await settleRotation(ctx, peerId)
    peer = await registeredPeer(ctx, peerId)
    state = rotationState(ctx, peer)
  }
  if (state === 'under-way') {
    throw new OcpiError('ERR_OCPI_CONFLICT', `a rotation of peer ${peerId} is already under way`)
  }
  if (state === 'unsettled' && peer.rotation !== undefined) {
    // The peer may hold the pending token of our earlier PUT: ask it first. A second rotation in doubt
    // beside the first could drop that token, or commit the wrong one; so one at a time.
    const expires = new Date(peer.rotation.startedAt + ctx.config.pendingTtlMs).toISOString()
    const outcome = await settleRotation(ctx, peerId)
    if (outcome === 'unsettled') {
      throw new OcpiError(
        'ERR_OCPI_CONFLICT',
        `the outcome of an earlier rotation of peer ${peerId} is still unknown; the health checks settle it, or it expires at ${expires}`,
      )
    }
    peer = await registeredPeer(ctx, peerId)
    // Settled: done, unless this call asks for another version or another token form than the link has.
    if (
      outcome === 'settled' &&
      (options.version ?? peer.link.version) === peer.link.version &&
      (options.encoding ?? peer.link.encoding) === peer.link.encoding
    ) {
      return peerView(peer)
    }
    // Meanwhile another instance may have started a rotation of its own (or left one in doubt).
    const again = rotationState(ctx, peer)
    if (again === 'under-way' || again === 'unsettled') {
      throw new OcpiError('ERR_OCPI_CONFLICT', `a rotation of peer ${peerId} is already under way`)
    }
  }
  const version = options.version ?? peer.link.version
  // Before anything is written: a token no configured key opens (see `reseal`) must leave nothing behind.
  const outbound = (await ctx.sealer.unseal(peer.link.outbound)) as OutboundToken
  const now = ctx.now()
  const token = generateToken()
  const digest = digestToken(token)
  const added = await ctx.store.addToken({
    digest,
    peerId,
    kind: 'pending-rotation',
    createdAt: now,
    expiresAt: now + ctx.config.pendingTtlMs,
    supersedes: null,
    successor: null,
  })
  if (!added) throw new OcpiError('ERR_OCPI_STORE', 'the store refused the pending token')
  const marked = await ctx.store.casPeer(peerId, peer.revision, {
    ...peer,
    revision: peer.revision + 1,
    updatedAt: now,
    rotation: {
      digest,
      startedAt: now,
      version,
      ...(options.encoding === undefined ? {} : { encoding: options.encoding }),
    },
  })
  if (marked === null) {
    await ctx.store.abortToken(digest)
    throw new OcpiError('ERR_OCPI_CONFLICT', `peer ${peerId} changed concurrently (another rotation?); retry`)
  }

  // All of this rotation's calls end within its budget: a mark still under way past it (and a margin)
  // can only be one left by a process that died, which the health checks then settle (`rotationState`).
  const deadline = withDeadline(
    ctx.transport,
    ctx.rotationBudgetMs,
    (step) => `${step}: the rotation's calls took over ${ctx.rotationBudgetMs / 1000} s in all`,
  )
  try {
    return await rotateMarked(
      { ...ctx, transport: deadline.transport },
      { peer, outbound, token, digest, version, encoding: options.encoding },
    )
  } finally {
    deadline.done()
  }
}

/** The rest of {@link rotate}, once our pending token is stored and the record marked. */
async function rotateMarked(
  ctx: Context,
  args: {
    peer: RegisteredPeer
    outbound: OutboundToken
    token: InboundToken
    digest: TokenDigest
    version: SupportedVersion
    /** The host's form for the peer ({@link RotateOptions.encoding}), used alone; else the link's. */
    encoding: TokenEncoding | undefined
  },
): Promise<Peer> {
  const { peer, outbound, token, digest, version } = args
  const peerId = peer.id
  let data: unknown
  let found: Discovered
  try {
    found = await discoverAt(ctx, peer, outbound, version, args.encoding)
    const missing = missingEndpoints(ctx.config, found.details.endpoints, version)
    if (missing.length > 0) {
      throw new OcpiError(
        'ERR_OCPI_MISSING_ENDPOINTS',
        `the peer lacks required endpoints: ${missing.join(', ')}`,
        {
          step: 'check endpoints',
        },
      )
    }
  } catch (error) {
    await ctx.store.abortToken(digest)
    await clearMark(ctx, peerId, digest)
    emitFailure(ctx, peerId, error, 'refused')
    throw error
  }
  try {
    const sent = await sendCredentials(ctx, {
      method: 'PUT',
      url: found.details.endpoints.find((e) => e.identifier === 'credentials')?.url as string,
      token: outbound,
      encoding: found.encoding,
      version,
      body: ownCredentialsBody(ctx.config, version, token, peer),
    })
    data = sent.data
  } catch (error) {
    if (!mayHaveCommitted(error)) {
      await clearMark(ctx, peerId, digest)
      await ctx.store.abortToken(digest)
      emitFailure(ctx, peerId, error, 'refused')
      throw error
    }
    data = undefined
  }
  const credentials = data === undefined ? null : parsePeerCredentials(version, data)
  // A token for us that is one of ours (the one we just gave the peer, or the one it calls us with) is no
  // answer (tokens must differ, §2.7): committed, every later call to the peer would be a 401. Settle.
  const ours = await ourTokenDigests(ctx.store, peerId)
  if (credentials?.ok && !ours.has(digestToken(credentials.value.token))) {
    return commitRotation(ctx, { peerId, digest, version, found, credentials: credentials.value })
  }
  // The answer was lost or unreadable: ask the peer what it holds. A compliant peer still accepts our
  // old token (its grace window) and answers GET credentials with the token it now issues for us.
  const settled = await readPeerCredentials(ctx, { found, version, outbound })
  if (settled !== null && isNewToken(settled.token, outbound, ours)) {
    return commitRotation(ctx, { peerId, digest, version, found, credentials: settled })
  }
  // Our old token back does not prove a refusal: the peer may still be processing our PUT (a timeout, a
  // dropped connection, a gateway's 5xx) and commit it a moment later. So the outcome stays unknown: the
  // mark stays, saying so, and our new token stays valid until its pending expiry (the peer may hold it);
  // our old one keeps working. The health checks ask the peer again meanwhile ({@link settleRotation}).
  await changeMark(ctx, peerId, digest, (unmarked, mark) => ({
    ...unmarked,
    rotation: { ...mark, outcome: 'unknown' },
  }))
  const error = new OcpiError(
    'ERR_OCPI_OUTCOME_UNKNOWN',
    settled === null
      ? 'PUT credentials: the outcome is unknown (the peer may have rotated); it is settled by the health checks or by rotating again'
      : 'PUT credentials: the peer has not rotated yet, but may still take our PUT; it is settled by the health checks or by rotating again',
    { step: 'PUT credentials' },
  )
  emitFailure(ctx, peerId, error, 'unknown')
  throw error
}

/**
 * The store threw at a rotation's commit. The write may have landed all the same (a connection lost after
 * or during the database's COMMIT): then the rotation is done, and reporting it failed would be wrong.
 * Otherwise the peer holds our new token and we do not hold its one: the mark says the outcome is unknown,
 * so the health checks (or the next `rotate`) settle it by asking the peer, as for a lost PUT answer. The
 * mark's write settles the race with a commit still under way (it waits for it, and loses); only then is
 * the record read. Our write is told from another's (a health pass or an instance settling the same
 * rotation meanwhile, a PUT of the peer) by the sealed token only this call wrote. Returns the committed
 * record; throws `ERR_OCPI_CONFLICT` when another writer committed it (as a lost compare-and-swap does),
 * `ERR_OCPI_OUTCOME_UNKNOWN` (`step: 'commit'`) otherwise.
 */
async function afterFailedCommit(
  ctx: Context,
  args: { peerId: string; digest: TokenDigest; settling?: boolean },
  outbound: SealedToken,
  error: unknown,
): Promise<PeerRecord> {
  const marked = await changeMark(ctx, args.peerId, args.digest, (unmarked, mark) => ({
    ...unmarked,
    rotation: { ...mark, outcome: 'unknown' },
  })).catch(() => false)
  const found = await readBack(ctx, args.peerId, args.digest)
  if (found?.peer.link.outbound === outbound) {
    ctx.log.warn?.('the store reported a failure for a rotation it committed; the link is rotated', {
      peerId: args.peerId,
      error: error instanceof Error ? error.name : typeof error,
    })
    return found.peer
  }
  if (found !== null) {
    throw new OcpiError('ERR_OCPI_CONFLICT', `peer ${args.peerId} changed while the rotation was under way`, {
      step: 'commit',
    })
  }
  const failure = new OcpiError(
    'ERR_OCPI_OUTCOME_UNKNOWN',
    args.settling === true
      ? `the store failed at the commit of peer ${args.peerId}; settled later`
      : marked
        ? `the peer took our PUT, but the store failed at the commit of peer ${args.peerId}; it is settled by the health checks or by rotating again`
        : `the peer took our PUT, but the store failed at the commit of peer ${args.peerId} and could not record that either; the health checks settle it once the rotation's time budget has passed`,
    { step: 'commit', cause: error },
  )
  if (args.settling !== true) emitFailure(ctx, args.peerId, failure, 'unknown')
  throw failure
}

/**
 * The peer's record when our rotation's token (`digest`) has become its current one, by our commit or
 * another writer's; null when it has not, or the store cannot tell.
 */
async function readBack(
  ctx: Context,
  peerId: string,
  digest: TokenDigest,
): Promise<{ peer: RegisteredPeer } | null> {
  try {
    const tokens = await ctx.store.listTokens(peerId)
    if (!tokens.some((t) => t.digest === digest && t.kind === 'current')) return null
    const peer = await ctx.store.getPeer(peerId)
    return peer?.state === 'registered' && peer.rotation?.digest !== digest ? { peer } : null
  } catch {
    return null
  }
}

function emitFailure(ctx: Context, peerId: string, error: unknown, outcome: 'refused' | 'unknown'): void {
  const code = error instanceof OcpiError ? error.code : 'ERR_OCPI_PEER_UNREACHABLE'
  ctx.events.emit('rotation-failed', { peerId, code, outcome })
  ctx.log.warn?.('a rotation failed', { peerId, code, outcome })
}

type Discovered = Awaited<ReturnType<typeof discover>>

/**
 * Discovers the peer's `version` with our current outbound token (through the link's version if new), in
 * the `forced` form alone when the host set one.
 */
function discoverAt(
  ctx: Context,
  peer: RegisteredPeer,
  outbound: OutboundToken,
  version: SupportedVersion,
  forced?: TokenEncoding,
): Promise<Discovered> {
  return discover(ctx, {
    versionsUrl: peer.link.versionsUrl,
    token: outbound,
    version,
    ...(forced !== undefined
      ? { encoding: forced, probe: false }
      : version === peer.link.version
        ? { encoding: peer.link.encoding }
        : {
            encoding: defaultEncoding(version),
            via: { version: peer.link.version, encoding: peer.link.encoding },
          }),
  })
}

/**
 * A token the peer gives us is a new one: neither the one we hold nor any we issued to the peer (the
 * pending one we sent, the one it calls us with), §2.7.
 */
function isNewToken(token: string, outbound: OutboundToken, ours: ReadonlySet<string>): boolean {
  return token !== outbound && !ours.has(digestToken(token))
}

/**
 * What {@link settleRotation} found: `'settled'` (the peer took our PUT: committed), `'unsettled'` (the
 * peer could not tell us, or has not rotated yet: asked again later), `'expired'` (the mark outlived our
 * pending token: cleared by this call and logged; the link stays on its old tokens unless the peer had
 * taken our PUT) or `'none'` (nothing to settle).
 */
export type SettleOutcome = 'settled' | 'unsettled' | 'expired' | 'none'

/**
 * Settles our rotation of a peer whose PUT's outcome was unknown: asks the peer (GET credentials with our
 * old token, which a compliant peer honours through its grace window) and commits the rotation if the
 * peer hands us a new token. A mark older than the pending-token lifetime is cleared instead (its token
 * is dead by then: were the peer to hold it, the link needs a new registration, which is logged). Called
 * by the health checks; safe to call from several instances (the commit is a compare-and-swap).
 */
export async function settleRotation(ctx: Context, peerId: string): Promise<SettleOutcome> {
  const peer = await ctx.store.getPeer(peerId)
  if (peer === null || peer.state !== 'registered' || peer.rotation === undefined) return 'none'
  const mark = peer.rotation
  const state = rotationState(ctx, peer)
  if (state === 'stale') {
    await ctx.store.abortToken(mark.digest)
    // Cleared by another caller meanwhile (who logged it), or still there for the next pass.
    if (!(await clearMark(ctx, peerId, mark.digest))) return 'none'
    // An unknown outcome, or a mark without one (its process died during the PUT, maybe after the peer
    // took it): either way nobody knows whether the peer holds our dead token.
    ctx.log.warn?.(
      'a rotation whose outcome stayed unknown expired: the link works on its previous tokens unless the peer had taken it, in which case it needs a new registration',
      { peerId, outcome: mark.outcome === 'unknown' ? 'unknown' : 'abandoned' },
    )
    return 'expired'
  }
  if (state !== 'unsettled') return 'none'
  const version = mark.version ?? peer.link.version
  let outbound: OutboundToken
  let found: Discovered
  try {
    outbound = (await ctx.sealer.unseal(peer.link.outbound)) as OutboundToken
    found = await discoverAt(ctx, peer, outbound, version, mark.encoding)
  } catch {
    return 'unsettled'
  }
  const settled = await readPeerCredentials(ctx, { found, version, outbound })
  if (settled === null || !isNewToken(settled.token, outbound, await ourTokenDigests(ctx.store, peerId)))
    return 'unsettled'
  try {
    await commitRotation(ctx, {
      peerId,
      digest: mark.digest,
      version,
      found,
      credentials: settled,
      settling: true,
    })
    return 'settled'
  } catch (error) {
    // Settled meanwhile by another instance, or superseded: nothing left to do here.
    if (error instanceof OcpiError && error.code === 'ERR_OCPI_CONFLICT') return 'none'
    // Other writers kept winning the record: asked again in the next pass.
    if (error instanceof OcpiError && error.code === 'ERR_OCPI_OUTCOME_UNKNOWN') return 'unsettled'
    throw error
  }
}

/** GET credentials with our current outbound token; `null` when the peer cannot tell us. */
async function readPeerCredentials(
  ctx: Context,
  args: { found: Discovered; version: SupportedVersion; outbound: OutboundToken },
) {
  try {
    const response = await ctx.transport.send(
      buildRequest({
        method: 'GET',
        url: args.found.details.endpoints.find((e) => e.identifier === 'credentials')?.url as string,
        token: args.outbound,
        encoding: args.found.encoding,
        version: args.version,
        step: 'GET credentials (settle)',
      }),
    )
    const parsed = parsePeerCredentials(args.version, processEnvelope(response, 'GET credentials (settle)'))
    return parsed.ok ? parsed.value : null
  } catch {
    return null
  }
}

async function commitRotation(
  ctx: Context,
  args: {
    peerId: string
    digest: TokenDigest
    version: SupportedVersion
    found: Discovered
    credentials: Extract<ReturnType<typeof parsePeerCredentials>, { ok: true }>['value']
    /** Settling an earlier PUT: the peer has just shown it holds the token, which must not die here. */
    settling?: boolean
  },
): Promise<Peer> {
  const outbound = await ctx.sealer.seal(args.credentials.token)
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    if (attempt > 0) await waitBeforeRetry(attempt - 1)
    const current: PeerRecord | null = await ctx.store.getPeer(args.peerId)
    if (current === null || current.state !== 'registered' || current.rotation?.digest !== args.digest) {
      // Unregistered, revoked, or superseded while our PUT was under way: our token must not live on
      // (but a settle leaves it to its pending expiry: the peer holds it, and the record moved on).
      if (args.settling !== true) await ctx.store.abortToken(args.digest)
      throw new OcpiError(
        'ERR_OCPI_CONFLICT',
        `peer ${args.peerId} changed while the rotation was under way`,
        {
          step: 'commit',
        },
      )
    }
    const lock = lockLinkIdentity({
      link: current.link,
      presented: args.credentials,
      version: args.version,
      expected: current.expectedParties,
      policy: ctx.partyAdditionPolicy,
      removalPolicy: ctx.partyRemovalPolicy,
    })
    if (!lock.ok)
      ctx.log.warn?.('the peer presented a changed identity in its PUT answer; kept the locked one', {
        peerId: args.peerId,
      })
    const now = ctx.now()
    const next: RegisteredPeer = {
      ...withoutMark(current),
      revision: current.revision + 1,
      updatedAt: now,
      lastContactAt: now,
      link: {
        version: args.version,
        versionsUrl: current.link.versionsUrl,
        endpoints: args.found.details.endpoints,
        parties: lock.ok ? lock.parties : current.link.parties,
        hubPartyId: lock.ok ? lock.hubPartyId : current.link.hubPartyId,
        outbound,
        encoding: args.found.encoding,
        // A link that began on 2.1.1 goes on presenting its one party of ours, whatever the version now.
        ...presentationOf(ctx.config, current),
      },
    }
    let stored: PeerRecord | null
    try {
      stored = await ctx.store.commitToken({
        peerId: args.peerId,
        revision: current.revision,
        next,
        token: { pending: args.digest },
        // No successor: the peer has our new token (it was in our PUT body). A leaked old token must not
        // be able to read it through GET credentials during the grace window.
        grace: { expiresAt: now + ctx.config.graceMs, successor: null },
        now,
      })
    } catch (error) {
      stored = await afterFailedCommit(ctx, args, outbound, error)
    }
    if (stored !== null) {
      ctx.events.emit('rotated', { peerId: args.peerId, version: args.version, by: 'us' })
      if (lock.ok) emitPartyChanges(ctx, args.peerId, lock)
      ctx.log.info?.('rotated the tokens of a link', { peerId: args.peerId, version: args.version })
      return peerView(stored)
    }
  }
  // Other writers kept winning the record (another instance, a hub's ClientInfo batches). The peer took
  // our PUT and holds our new token: the rotation is left to be settled (the health checks ask the peer,
  // which hands its new token again) while our pending token lives, rather than dropped.
  if (args.settling === true) {
    throw new OcpiError('ERR_OCPI_OUTCOME_UNKNOWN', `peer ${args.peerId} kept changing; settled later`, {
      step: 'commit',
    })
  }
  await changeMark(ctx, args.peerId, args.digest, (unmarked, mark) => ({
    ...unmarked,
    rotation: { ...mark, outcome: 'unknown' },
  }))
  const error = new OcpiError(
    'ERR_OCPI_OUTCOME_UNKNOWN',
    `the peer took our PUT, but peer ${args.peerId} kept changing and the rotation could not be committed yet; it is settled by the health checks or by rotating again`,
    { step: 'commit' },
  )
  emitFailure(ctx, args.peerId, error, 'unknown')
  throw error
}
