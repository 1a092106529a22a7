import type { Context } from '../context.js'
import { ownCredentialsBody, parsePeerCredentials } from '../engine/credentials-body.js'
import { discoverForPeer } from '../engine/discover-for-peer.js'
import { defaultEncoding } from '../engine/discovery.js'
import { OcpiError } from '../errors.js'
import { type Party, partyKey, type RegisteredPeer } from '../model.js'
import type { SupportedVersion } from '../protocol/versions.js'
import { digestToken } from '../tokens/digest.js'
import { generateToken } from '../tokens/generate.js'
import { currentTokenRecord } from '../tokens/records.js'
import type { RequestIds } from './envelope.js'
import type { MatchedToken } from './inbound-token.js'

/** The same parties in the same roles, in any order (linear: a hub may present 10,000 parties). */
function sameIdentity(locked: readonly Party[], presented: readonly Party[]): boolean {
  const keys = (parties: readonly Party[]) => new Set(parties.map((p) => `${partyKey(p)} ${p.role ?? ''}`))
  const a = keys(locked)
  const b = keys(presented)
  return locked.length === presented.length && a.size === b.size && [...a].every((key) => b.has(key))
}

/**
 * Accepts the replay of a registration POST whose answer was lost: the TOKEN_A was consumed moments ago
 * (within the replay window, and no contact since: any authenticated request of the peer, or a successful
 * call of ours, closes the window early, which is conservative) by a sender with the same identity
 * (parties, roles, hub_party_id), versions URL and token (the same request again), so the sender never
 * received our token. Discovers the sender again, issues a fresh token replacing the undelivered one, and
 * answers as the first time. Anyone else gets 401, as for any consumed TOKEN_A.
 *
 * @example
 * ```ts
 * const data = await receiveReplay(ctx, { version: '2.2.1', matched, body, ids })
 * ```
 */
export async function receiveReplay(
  ctx: Context,
  args: { version: SupportedVersion; matched: MatchedToken; body: unknown; ids: RequestIds },
): Promise<Record<string, unknown>> {
  const unknown = () => new OcpiError('ERR_OCPI_UNAUTHORIZED', 'unknown token')
  const peer = await ctx.store.getPeer(args.matched.record.peerId)
  if (peer === null || peer.state !== 'registered' || peer.link.version !== args.version) throw unknown()
  // Once there was contact after the registration (the peer used our token, or we called it), the
  // answer was not lost: no replay.
  if (peer.lastContactAt !== null && peer.lastContactAt > peer.registeredAt) throw unknown()
  const parsed = parsePeerCredentials(args.version, args.body)
  if (!parsed.ok) throw new OcpiError('ERR_OCPI_INVALID_INPUT', parsed.message)
  const credentials = parsed.value
  if (
    credentials.versionsUrl !== peer.link.versionsUrl ||
    !sameIdentity(peer.link.parties, credentials.parties) ||
    (credentials.hubPartyId ?? '').toUpperCase() !== (peer.link.hubPartyId ?? '').toUpperCase()
  ) {
    throw unknown()
  }
  // The same request again: with the token the sender gave us the first time. Whoever else holds the
  // TOKEN_A (a leak) cannot slip in its own token for the link within the window, even towards a sender
  // whose versions endpoint takes any token. Compared by digest: no timing on the token itself.
  const held = (await ctx.sealer.unseal(peer.link.outbound)) as string
  if (digestToken(credentials.token) !== digestToken(held)) throw unknown()
  const found = await discoverForPeer(ctx, {
    versionsUrl: credentials.versionsUrl,
    token: credentials.token,
    version: args.version,
    encoding: defaultEncoding(args.version),
    correlationId: args.ids.correlationId,
  })
  const token = generateToken()
  const now = ctx.now()
  const next: RegisteredPeer = {
    ...peer,
    revision: peer.revision + 1,
    updatedAt: now,
    lastContactAt: now,
    link: {
      ...peer.link,
      endpoints: found.details.endpoints,
      outbound: found.outbound,
      encoding: found.encoding,
    },
  }
  const stored = await ctx.store.commitToken({
    peerId: peer.id,
    revision: peer.revision,
    next,
    token: {
      issue: currentTokenRecord(token, peer.id, now),
    },
    // The token of the lost answer never reached the sender: it dies now.
    grace: null,
    now,
  })
  if (stored === null) throw new OcpiError('ERR_OCPI_NOT_ALLOWED', 'the registration changed concurrently')
  ctx.log.info?.('accepted the replay of a registration whose answer was lost', { peerId: peer.id })
  return ownCredentialsBody(ctx.config, args.version, token, peer)
}
