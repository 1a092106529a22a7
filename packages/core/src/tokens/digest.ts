import type { TokenDigest } from '../model.js'

const encoder = new TextEncoder()
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/**
 * The SHA-256 digest (lowercase hex) under which an inbound token is stored and looked up. Tokens carry
 * ≥ 256 bits of entropy, so a plain digest (no salt, no slow hash) is the right tool: it is one indexed
 * lookup, and a leaked table of digests does not reveal usable tokens.
 *
 * @example
 * ```ts
 * const digest = await digestToken(token)
 * const record = await store.findToken(digest)
 * ```
 */
export async function digestToken(token: string): Promise<TokenDigest> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(token)))
  // join, not +=: a string built by concatenation is a rope of 32 pieces, and digests are kept by the
  // hundred thousand (as keys and in records): a flat string costs a tenth of the memory.
  return Array.from(bytes, (byte) => HEX[byte]).join('') as TokenDigest
}
