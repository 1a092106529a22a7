import { sha256 } from '@noble/hashes/sha2.js'
import type { TokenDigest } from '../model.js'

const encoder = new TextEncoder()
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/**
 * The SHA-256 digest (lowercase hex) under which an inbound token is stored and looked up. Tokens carry
 * ≥ 256 bits of entropy, so a plain digest (no salt, no slow hash) is the right tool: it is one indexed
 * lookup, and a leaked table of digests does not reveal usable tokens.
 *
 * Computed synchronously with `@noble/hashes` (portable, audited): it runs on every authenticated
 * request, where WebCrypto's asynchronous `subtle.digest` costs some 25 times more in Node.
 *
 * @example
 * ```ts
 * const digest = digestToken(token)
 * const record = await store.findToken(digest)
 * ```
 */
export function digestToken(token: string): TokenDigest {
  const bytes = sha256(encoder.encode(token))
  // join, not +=: a string built by concatenation is a rope of 32 pieces, and digests are kept by the
  // hundred thousand (as keys and in records): a flat string costs a tenth of the memory.
  return Array.from(bytes, (byte) => HEX[byte]).join('') as TokenDigest
}
