import type { InboundToken } from '../model.js'
import type { TokenRecord } from '../store/types.js'
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
