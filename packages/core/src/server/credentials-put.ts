import type { Context } from '../context.js'
import { ownCredentialsBody, parsePeerCredentials, presentationOf } from '../engine/credentials-body.js'
import { discoverForPeer } from '../engine/discover-for-peer.js'
import { defaultEncoding } from '../engine/discovery.js'
import { emitPartyChanges, lockLinkIdentity } from '../engine/identity-lock.js'
import { CAS_ATTEMPTS, waitBeforeRetry } from '../engine/retry-wait.js'
import { rotationState } from '../engine/rotation-mark.js'
import { OcpiError } from '../errors.js'
import { originOf } from '../expected-origin.js'
import type { RegisteredPeer } from '../model.js'
import type { SupportedVersion } from '../protocol/versions.js'
import { digestToken } from '../tokens/digest.js'
import { generateToken } from '../tokens/generate.js'
import { currentTokenRecord, ourTokenDigests } from '../tokens/records.js'
import { sealAhead } from '../tokens/sealing.js'
import { checkPeerUrl } from '../transport/url-policy.js'
import type { RequestIds } from './envelope.js'
import type { MatchedToken } from './inbound-token.js'

/**
 * Receives a credentials PUT from a registered peer (token rotation, changed endpoints, version change):
 * applies the identity lock, re-fetches the peer's versions and the details of the version whose
 * credentials URL was called with the peer's new token, issues a new token, and commits with the grace
 * rule: the replaced token keeps working until the grace window ends or the peer first uses the new one.
 * A PUT made with the `previous` token is a retry (the peer lost our last answer) only when that token
 * was replaced by the peer's own PUT and the versions URL is unchanged: the undelivered token is
 * replaced and the peer's token keeps its grace; after a rotation we started it is 401. A PUT while our
 * own rotation is under way is a conflict (OCPI 3000). Failures change nothing, with one exception: a
 * PUT made with the pending token of our rotation in doubt has proved that the peer took it, and that
 * promotion (see `settleOnUse`) stays even if this PUT's own commit then loses to a concurrent PUT.
 * Concurrent writes that leave the peer's token alone (a health pass, a ClientInfo, a re-seal) are committed
 * over.
 *
 * @example
 * ```ts
 * const data = await receiveUpdate(ctx, { version: '2.2.1', matched, body, ids })
 * ```
 */
export async function receiveUpdate(
  ctx: Context,
  args: { version: SupportedVersion; matched: MatchedToken; body: unknown; ids: RequestIds },
): Promise<Record<string, unknown>> {
  const { record } = args.matched
  // Read before the record: a commit in between then shows in the record (this PUT simply comes after it).
  const currentAtRead = await currentTokenOf(ctx, record.peerId)
  const peer = await ctx.store.getPeer(record.peerId)
  if (peer === null || peer.state !== 'registered') {
    throw new OcpiError('ERR_OCPI_NOT_ALLOWED', 'not registered: register with POST first')
  }
  if (rotationState(ctx, peer) === 'under-way') {
    // Our own PUT is under way: committing this one too would lose one of the two updates.
    throw new OcpiError('ERR_OCPI_CONFLICT', 'a rotation started by us is under way; retry in a moment')
  }
  // A PUT with the grace-window token is a retry of a PUT whose answer was lost, and only that: the
  // token must have been replaced by the peer's own PUT (it carries our answer, sealed), and the retry
  // may not move the link elsewhere.
  const retry = record.kind === 'previous'
  if (retry && record.successor === null) {
    throw new OcpiError('ERR_OCPI_UNAUTHORIZED', 'this token was replaced: use the current one')
  }
  const parsed = parsePeerCredentials(args.version, args.body)
  if (!parsed.ok) throw new OcpiError('ERR_OCPI_INVALID_INPUT', parsed.message)
  const credentials = parsed.value
  // Tokens must differ (§2.7): a peer offering one we issued to it (the one it calls us with) mixed up
  // the directions; committed, every call we make would carry our own token. Refused as a POST offering
  // the TOKEN_A is.
  if ((await ourTokenDigests(ctx.store, peer.id)).has(digestToken(credentials.token))) {
    throw new OcpiError(
      'ERR_OCPI_INVALID_INPUT',
      'token: must be a new token for us to use, not one we issued',
    )
  }
  if (retry && credentials.versionsUrl !== peer.link.versionsUrl) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', 'url: a retried update may not change the versions URL')
  }
  const urlCheck = checkPeerUrl(credentials.versionsUrl, ctx.urlPolicy)
  if (!urlCheck.ok) throw new OcpiError('ERR_OCPI_URL_REFUSED', `url: ${urlCheck.reason}`)
  const lock = lockLinkIdentity({
    link: peer.link,
    presented: credentials,
    version: args.version,
    expected: peer.expectedParties,
    policy: ctx.partyAdditionPolicy,
    removalPolicy: ctx.partyRemovalPolicy,
  })
  if (!lock.ok) throw new OcpiError('ERR_OCPI_INVALID_INPUT', lock.message)

  const versionChanged = args.version !== peer.link.version
  // Our new token is sealed (for the grace window) while the callback discovery runs, as the peer's is.
  const token = generateToken()
  const sealedSuccessor = sealAhead(ctx.sealer, token)
  // A PUT made with the pending token of our rotation settles it: a form the host pinned for that rotation
  // (`rotate`'s `encoding`) is the peer's form from now on, used alone.
  const pinned =
    record.kind === 'pending-rotation' && peer.rotation?.digest === record.digest
      ? peer.rotation.encoding
      : undefined
  const found = await discoverForPeer(ctx, {
    versionsUrl: credentials.versionsUrl,
    token: credentials.token,
    version: args.version,
    encoding: pinned ?? (versionChanged ? defaultEncoding(args.version) : peer.link.encoding),
    ...(pinned === undefined ? {} : { probe: false }),
    correlationId: args.ids.correlationId,
  })

  const now = ctx.now()
  const successor = await sealedSuccessor
  let base = await settleOnUse(ctx, peer, record, now)
  const promoted = base !== peer
  // The kind the token the peer used has now (a promoted pending token is current).
  const usedKind = promoted ? 'current' : record.kind
  // Every commit of the link (a PUT, a retried one, our rotation) makes another token current: while it is
  // the one of when we read the record (or the pending token we just promoted), no other commit happened,
  // whatever else wrote the record.
  const currentBefore = promoted ? record.digest : currentAtRead
  // A link that began on 2.1.1 goes on presenting its one party of ours, whatever the version now.
  const presentation = presentationOf(ctx.config, peer)
  for (let attempt = 1; ; attempt++) {
    const { rotation: _staleMark, ...unmarked } = base
    const next: RegisteredPeer = {
      ...unmarked,
      revision: base.revision + 1,
      updatedAt: now,
      link: {
        version: args.version,
        versionsUrl: credentials.versionsUrl,
        endpoints: found.details.endpoints,
        parties: lock.parties,
        hubPartyId: lock.hubPartyId,
        outbound: found.outbound,
        encoding: found.encoding,
        ...presentation,
      },
    }
    const stored = await ctx.store.commitToken({
      peerId: peer.id,
      revision: base.revision,
      next,
      token: {
        issue: currentTokenRecord(token, peer.id, now),
      },
      grace: { expiresAt: now + ctx.config.graceMs, successor },
      graceFor: retry ? 'previous' : 'replaced',
      now,
    })
    if (stored !== null) break
    // Another write to the record (a health pass, a ClientInfo, a re-seal) is no reason to refuse:
    // commit again on the record as it is now, as long as no other commit happened (the same current
    // token, and the token the peer used as it was) and no rotation of ours started.
    const fresh = await ctx.store.getPeer(peer.id)
    const used = await ctx.store.findToken(record.digest)
    if (
      attempt >= CAS_ATTEMPTS ||
      fresh === null ||
      fresh.state !== 'registered' ||
      used === null ||
      used.kind !== usedKind ||
      rotationState(ctx, fresh) === 'under-way' ||
      (await currentTokenOf(ctx, peer.id)) !== currentBefore
    ) {
      throw new OcpiError(
        'ERR_OCPI_CONFLICT',
        promoted
          ? 'the credentials changed concurrently; retry with the token you used'
          : 'the credentials changed concurrently; nothing was changed, retry',
      )
    }
    base = fresh
    await waitBeforeRetry(attempt - 1)
  }
  ctx.events.emit('rotated', { peerId: peer.id, version: args.version, by: 'peer' })
  emitPartyChanges(ctx, peer.id, lock)
  ctx.log.info?.('peer updated its credentials', { peerId: peer.id, version: args.version, versionChanged })
  // A partner moving its platform is rare; a thief holding the link's token moves it to its own this way.
  const [from, to] = [originOf(peer.link.versionsUrl), originOf(credentials.versionsUrl)]
  if (from !== to) {
    ctx.log.warn?.(
      'the peer moved its versions URL to another origin: if the partner did not announce a move, treat it as a breach (revoke)',
      { peerId: peer.id, from, to },
    )
  }
  return ownCredentialsBody(ctx.config, args.version, token, peer)
}

/** The digest of the peer's current token, or `null`. */
async function currentTokenOf(ctx: Context, peerId: string): Promise<string | null> {
  return (await ctx.store.listTokens(peerId)).find((t) => t.kind === 'current')?.digest ?? null
}

/**
 * A PUT made with the pending token of our rotation whose outcome is unknown proves that the peer took
 * our PUT. That side of our rotation is committed first (the pending token becomes current, the one it
 * replaced dies at once: the peer no longer holds it), so that this PUT's grace applies to the token the
 * peer used, and neither our old token nor a stray pending one outlives it. Any other PUT: the record as
 * read. Runs once the PUT was validated and the peer discovered, so that a refused PUT changes nothing.
 */
async function settleOnUse(
  ctx: Context,
  peer: RegisteredPeer,
  record: MatchedToken['record'],
  now: number,
): Promise<RegisteredPeer> {
  if (record.kind !== 'pending-rotation' || peer.rotation?.digest !== record.digest) return peer
  const { rotation: _mark, ...unmarked } = peer
  const promoted = await ctx.store.commitToken({
    peerId: peer.id,
    revision: peer.revision,
    next: { ...unmarked, revision: peer.revision + 1, updatedAt: now },
    token: { pending: record.digest },
    grace: null,
    now,
  })
  if (promoted === null || promoted.state !== 'registered') {
    throw new OcpiError(
      'ERR_OCPI_CONFLICT',
      'the credentials changed concurrently; nothing was changed, retry',
    )
  }
  ctx.log.info?.('the peer uses the token of our rotation whose outcome was unknown: committed it', {
    peerId: peer.id,
  })
  return promoted
}
