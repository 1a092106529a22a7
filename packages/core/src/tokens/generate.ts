import { nanoid } from 'nanoid'
import type { InboundToken } from '../model.js'

/** 43 characters of nanoid's 64-symbol URL-safe alphabet: 258 bits from the platform CSPRNG. */
const TOKEN_LENGTH = 43

/**
 * Creates a fresh token for a peer to use towards us: ≥ 256 bits from a CSPRNG (nanoid over
 * `crypto.getRandomValues`), printable ASCII from `A-Za-z0-9_-`, 43 characters (the spec allows 64).
 *
 * @example
 * ```ts
 * const token = generateToken() // e.g. 'V1StGXR8_Z5jdHi6B-myT…'
 * ```
 */
export function generateToken(): InboundToken {
  return nanoid(TOKEN_LENGTH) as InboundToken
}
