import type { InboundToken } from '../model.js'
import type { CredentialsStore, TokenRecord } from '../store/types.js'
import { digestToken } from './digest.js'

/**
 * The stored record of a token issued as a peer's `current` token: its digest only, no expiry.
 *
 * @example
 * ```ts
 * const issue = currentTokenRecord(tokenC, peer.id, now)
 * ```
 */
export function currentTokenRecord(token: InboundToken, peerId: string, now: number): TokenRecord {
  return {
    digest: digestToken(token),
    peerId,
    kind: 'current',
    createdAt: now,
    expiresAt: null,
    supersedes: null,
    successor: null,
  }
}

/**
 * The digests of every token we issued to the peer that still exists (current, previous, pending): a
 * token the peer hands us as its own must be none of them (§2.7, tokens must differ).
 *
 * @example
 * ```ts
 * if ((await ourTokenDigests(store, peer.id)).has(digestToken(offered))) refuse()
 * ```
 */
export async function ourTokenDigests(store: CredentialsStore, peerId: string): Promise<ReadonlySet<string>> {
  return new Set((await store.listTokens(peerId)).map((t) => t.digest as string))
}
