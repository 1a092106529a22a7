import type { Context } from '../context.js'
import { ownCredentialsBody, parsePeerCredentials } from '../engine/credentials-body.js'
import { discoverForPeer } from '../engine/discover-for-peer.js'
import { defaultEncoding } from '../engine/discovery.js'
import { unexpectedParties } from '../engine/requirements.js'
import { OcpiError } from '../errors.js'
import { onExpectedOrigin } from '../expected-origin.js'
import { hubAsParty, type RegisteredPeer } from '../model.js'
import type { SupportedVersion } from '../protocol/versions.js'
import type { TokenRecord } from '../store/types.js'
import { digestToken } from '../tokens/digest.js'
import { generateToken } from '../tokens/generate.js'
import { currentTokenRecord } from '../tokens/records.js'
import { checkPeerUrl } from '../transport/url-policy.js'
import { receiveReplay } from './credentials-replay.js'
import type { RequestIds } from './envelope.js'
import type { MatchedToken } from './inbound-token.js'

/**
 * Receives a registration: a credentials POST made with a TOKEN_A. Before answering, discovers the
 * sender's versions and the details of the POSTed version with the sender's token, checks the required
 * endpoints, then consumes the invitation and commits the link in one atomic store step. Every failure
 * (2001, 3001, 3002, 3003, refused parties or origin, a lost race) changes nothing: the TOKEN_A still
 * works, except for the loser of a race, whose invitation was consumed by the winner (405).
 *
 * @example
 * ```ts
 * const { data } = await receiveRegistration(ctx, { version: '2.2.1', matched, body, ids })
 * ```
 */
export async function receiveRegistration(
  ctx: Context,
  args: { version: SupportedVersion; matched: MatchedToken; body: unknown; ids: RequestIds },
): Promise<Record<string, unknown>> {
  const { record } = args.matched
  if (record.kind === 'consumed-invitation') return receiveReplay(ctx, args)
  const peer = await ctx.store.getPeer(record.peerId)
  if (peer === null || peer.state !== 'invited') {
    throw new OcpiError('ERR_OCPI_NOT_ALLOWED', 'this invitation is not open for registration')
  }
  try {
    const parsed = parsePeerCredentials(args.version, args.body)
    if (!parsed.ok) throw new OcpiError('ERR_OCPI_INVALID_INPUT', parsed.message)
    const credentials = parsed.value
    if (digestToken(credentials.token) === record.digest) {
      throw new OcpiError(
        'ERR_OCPI_INVALID_INPUT',
        'token: must be a new token for us to use, not the TOKEN_A',
      )
    }
    // A 2.3.0 hub_party_id is an identity like a party: a hub nobody expected may not register as one.
    const presented =
      credentials.hubPartyId === null
        ? credentials.parties
        : [...credentials.parties, hubAsParty(credentials.hubPartyId)]
    if (unexpectedParties(peer.expectedParties, presented).length > 0) {
      throw new OcpiError(
        'ERR_OCPI_PARTY_NOT_EXPECTED',
        'the credentials name parties (or a hub) this invitation does not expect',
      )
    }
    const urlCheck = checkPeerUrl(credentials.versionsUrl, ctx.urlPolicy)
    if (!urlCheck.ok) throw new OcpiError('ERR_OCPI_URL_REFUSED', `url: ${urlCheck.reason}`)
    // Bound to the partner's origin, our discovery below asks the partner's own platform whether the
    // token we were given is one it issued: a stranger holding the TOKEN_A cannot answer from elsewhere.
    if (!onExpectedOrigin(peer.expectedOrigin, urlCheck.url)) {
      throw new OcpiError('ERR_OCPI_ORIGIN_NOT_EXPECTED', 'url: not on the origin this invitation expects')
    }

    const found = await discoverForPeer(ctx, {
      versionsUrl: credentials.versionsUrl,
      token: credentials.token,
      version: args.version,
      encoding: defaultEncoding(args.version),
      correlationId: args.ids.correlationId,
    })

    const tokenC = generateToken()
    const now = ctx.now()
    const next: RegisteredPeer = {
      id: peer.id,
      revision: peer.revision + 1,
      origin: peer.origin,
      expectedParties: peer.expectedParties,
      ...(peer.expectedOrigin === undefined ? {} : { expectedOrigin: peer.expectedOrigin }),
      as: peer.as,
      createdAt: peer.createdAt,
      updatedAt: now,
      lastContactAt: now,
      state: 'registered',
      registeredAt: now,
      link: {
        version: args.version,
        versionsUrl: credentials.versionsUrl,
        endpoints: found.details.endpoints,
        parties: credentials.parties,
        hubPartyId: credentials.hubPartyId,
        outbound: found.outbound,
        encoding: found.encoding,
      },
    }
    const issue: TokenRecord = currentTokenRecord(tokenC, peer.id, now)
    const stored = await ctx.store.consumeInvitation({
      invitation: record.digest,
      revision: peer.revision,
      next,
      issue,
      now,
      replayUntil: now + ctx.config.replayWindowMs,
    })
    if (stored === null) {
      // The TOKEN_A ran out while we discovered the sender: refused as any expired TOKEN_A is.
      if (record.expiresAt !== null && record.expiresAt <= now) {
        throw new OcpiError('ERR_OCPI_UNAUTHORIZED', 'the invitation expired during the registration')
      }
      throw new OcpiError('ERR_OCPI_NOT_ALLOWED', 'this invitation was consumed by a concurrent registration')
    }
    ctx.events.emit('registered', {
      peerId: peer.id,
      version: args.version,
      direction: 'inbound',
      parties: credentials.parties,
    })
    ctx.log.info?.('peer registered', { peerId: peer.id, version: args.version, direction: 'inbound' })
    return ownCredentialsBody(ctx.config, args.version, tokenC, peer)
  } catch (error) {
    if (error instanceof OcpiError) {
      ctx.events.emit('registration-failed', {
        peerId: peer.id,
        direction: 'inbound',
        code: error.code,
        message: error.message,
      })
      ctx.log.warn?.('registration refused', { peerId: peer.id, code: error.code, step: error.step })
    }
    throw error
  }
}
