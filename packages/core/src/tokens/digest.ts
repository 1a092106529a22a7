import { sha256 } from '@noble/hashes/sha2.js'
import type { TokenDigest } from '../model.js'

const encoder = new TextEncoder()
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0))

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
  const codes: number[] = new Array(64)
  let at = 0
  for (const byte of sha256(encoder.encode(token))) {
    codes[at++] = HEX_CODES[byte >> 4] as number
    codes[at++] = HEX_CODES[byte & 15] as number
  }
  // One String.fromCharCode, not +=: a string built by concatenation is a rope of 32 pieces, and digests
  // are kept by the hundred thousand (as keys and in records): a flat string costs a tenth of the memory.
  // (Array.join also gives a flat string, at ten times the cost of this.)
  return String.fromCharCode(...codes) as TokenDigest
}
