import type { InboundToken } from '../model.js'
import type { TokenRecord } from '../store/types.js'
import { digestToken } from './digest.js'

/**
 * The stored record of a token issued as a peer's `current` token: its digest only, no expiry.
 *
 * @example
 * ```ts
 * const issue = await currentTokenRecord(tokenC, peer.id, now)
 * ```
 */
export async function currentTokenRecord(
  token: InboundToken,
  peerId: string,
  now: number,
): Promise<TokenRecord> {
  return {
    digest: await digestToken(token),
    peerId,
    kind: 'current',
    createdAt: now,
    expiresAt: null,
    supersedes: null,
    successor: null,
  }
}
