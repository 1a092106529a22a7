import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose'
import { OcpiConfigError, OcpiError } from '../errors.js'
import type { InboundToken, OutboundToken, SealedToken } from '../model.js'

/**
 * A sealing key: an id and 32 bytes (a `Uint8Array`, or a string in Base64 / Base64url).
 *
 * @example
 * ```ts
 * const key: SealingKey = { kid: '2026-11', key: process.env['OCPI_SEALING_KEY'] ?? '' }
 * ```
 */
export interface SealingKey {
  readonly kid: string
  readonly key: Uint8Array | string
}

/**
 * Seals outbound tokens at rest (JWE compact, `dir` + `A256GCM`). The first key of the list is the
 * newest: it seals; every key unseals (selected by the JWE `kid`).
 *
 * @example
 * ```ts
 * const sealer = createSealer([{ kid: 'k1', key: randomBytes32 }])
 * const sealed = await sealer.seal(token)
 * const token2 = await sealer.unseal(sealed)
 * ```
 */
export interface Sealer {
  /** Seals a token: outbound tokens at rest, or a current inbound token during a grace window. */
  seal(token: OutboundToken | InboundToken): Promise<SealedToken>
  /** Opens a sealed token; the caller knows which kind it sealed. */
  unseal(sealed: SealedToken): Promise<string>
  /** The kid of the key that sealed a value (for re-sealing under the newest key). */
  kidOf(sealed: SealedToken): string | null
  /** The kid of the newest key. */
  readonly currentKid: string
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

function decodeKey(key: Uint8Array | string, kid: string): Uint8Array {
  if (key instanceof Uint8Array) {
    if (key.length !== 32) throw new OcpiConfigError(`sealing key "${kid}" must be 32 bytes`)
    return key
  }
  const normalized = key.trim().replace(/-/g, '+').replace(/_/g, '/')
  let bytes: Uint8Array
  try {
    bytes = Uint8Array.from(atob(normalized.padEnd(Math.ceil(normalized.length / 4) * 4, '=')), (c) =>
      c.charCodeAt(0),
    )
  } catch {
    throw new OcpiConfigError(`sealing key "${kid}" is not valid Base64`)
  }
  if (bytes.length === 0) {
    throw new OcpiConfigError(
      `sealing key "${kid}" is empty (an unset environment variable?): give it 32 random bytes in Base64, e.g. from \`openssl rand -base64 32\``,
    )
  }
  if (bytes.length !== 32) {
    throw new OcpiConfigError(
      `sealing key "${kid}" must decode to 32 bytes, not ${bytes.length} (\`openssl rand -base64 32\` makes one)`,
    )
  }
  return bytes
}

/**
 * Builds a {@link Sealer} from the configured keys, validating them (at least one, unique kids, 32 bytes).
 *
 * @example
 * ```ts
 * const sealer = createSealer([{ kid: '2026-11', key: 'base64-of-32-bytes' }])
 * ```
 */
export function createSealer(keys: readonly SealingKey[]): Sealer {
  if (keys.length === 0) throw new OcpiConfigError('at least one sealing key is required')
  const byKid = new Map<string, Uint8Array>()
  for (const { kid, key } of keys) {
    if (kid.length === 0) throw new OcpiConfigError('a sealing key needs a non-empty kid')
    if (byKid.has(kid)) throw new OcpiConfigError(`sealing key kid "${kid}" is used twice`)
    byKid.set(kid, decodeKey(key, kid))
  }
  const [newest] = keys
  if (newest === undefined) throw new OcpiConfigError('at least one sealing key is required')
  // Imported once per key, not per call: jose imports raw bytes on every use otherwise.
  const imported = new Map<string, Promise<CryptoKey>>()
  const cryptoKeyOf = (kid: string): Promise<CryptoKey> | undefined => {
    const bytes = byKid.get(kid)
    if (bytes === undefined) return undefined
    let key = imported.get(kid)
    if (key === undefined) {
      key = crypto.subtle.importKey('raw', bytes as Uint8Array<ArrayBuffer>, 'AES-GCM', false, [
        'encrypt',
        'decrypt',
      ])
      imported.set(kid, key)
      // A failed import is not kept: the next call tries again.
      key.catch(() => imported.delete(kid))
    }
    return key
  }

  return {
    currentKid: newest.kid,
    async seal(token) {
      try {
        const key = await (cryptoKeyOf(newest.kid) as Promise<CryptoKey>)
        const jwe = await new CompactEncrypt(encoder.encode(token))
          .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: newest.kid })
          .encrypt(key)
        return jwe as SealedToken
      } catch {
        throw new OcpiError('ERR_OCPI_SEALING', `a token could not be sealed with key "${newest.kid}"`)
      }
    },
    async unseal(sealed) {
      const kid = kidOf(sealed)
      const pending = kid === null ? undefined : cryptoKeyOf(kid)
      if (pending === undefined) {
        throw new OcpiError('ERR_OCPI_SEALING', `no sealing key with kid "${kid ?? '(none)'}" is configured`)
      }
      try {
        const { plaintext } = await compactDecrypt(sealed, await pending, {
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
        })
        return decoder.decode(plaintext)
      } catch {
        throw new OcpiError('ERR_OCPI_SEALING', `a sealed token could not be opened with key "${kid}"`)
      }
    },
    kidOf,
  }
}

function kidOf(sealed: SealedToken): string | null {
  try {
    const { kid } = decodeProtectedHeader(sealed)
    return typeof kid === 'string' ? kid : null
  } catch {
    return null
  }
}

/**
 * Starts sealing a token now, to await later: the work runs on WebCrypto's thread pool while the caller
 * goes on with its I/O (a callback discovery). A failure is thrown where the promise is awaited; one
 * never awaited (the step failed first) is not reported as an unhandled rejection.
 *
 * @example
 * ```ts
 * const sealed = sealAhead(ctx.sealer, credentials.token)
 * const found = await discover(ctx, input)
 * const outbound = await sealed
 * ```
 */
export function sealAhead(sealer: Sealer, token: OutboundToken | InboundToken): Promise<SealedToken> {
  const sealing = sealer.seal(token)
  sealing.catch(() => undefined)
  return sealing
}
