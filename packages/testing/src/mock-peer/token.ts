import type { MockTokenEncoding } from './options.js'

/**
 * A fresh token issued by the mock: `mock-<kind>-<uuid>`. The `-` is outside the Base64 alphabet, so a raw
 * mock token can never be mistaken for a Base64 one.
 *
 * @example
 * ```ts
 * newToken('a') // 'mock-a-1b4e28ba-2fa1-11d2-883f-0016d3cca427'
 * ```
 */
export function newToken(kind: 'a' | 'b' | 'c'): string {
  return `mock-${kind}-${crypto.randomUUID()}`
}

/**
 * Whether a token is acceptable in a Credentials body: 1 to 64 printable non-whitespace ASCII characters.
 *
 * @example
 * ```ts
 * isValidToken('abc def') // false
 * ```
 */
export function isValidToken(token: string): boolean {
  return /^[\x21-\x7E]{1,64}$/.test(token)
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * The token as it goes into the Authorization header: raw, or UTF-8 then Base64 (RFC 4648 §4, padded).
 *
 * @example
 * ```ts
 * encodeToken('example-token', 'base64') // 'ZXhhbXBsZS10b2tlbg=='
 * ```
 */
export function encodeToken(token: string, encoding: MockTokenEncoding): string {
  if (encoding === 'raw') return token
  let binary = ''
  for (const byte of new TextEncoder().encode(token)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * Decodes a strict, padded Base64 value to UTF-8 text, or `undefined` if it is not such a value.
 *
 * @example
 * ```ts
 * decodeBase64('ZXhhbXBsZS10b2tlbg==') // 'example-token'
 * decodeBase64('example-token') // undefined
 * ```
 */
export function decodeBase64(value: string): string | undefined {
  if (value === '' || !BASE64.test(value)) return undefined
  try {
    const bytes = Uint8Array.from(atob(value), (char) => char.charCodeAt(0))
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * A way to read the credential of an Authorization header.
 *
 * @example
 * ```ts
 * const reading: TokenReading = { token: 'abc', encoding: 'raw', trailingLineFeed: false }
 * ```
 */
export interface TokenReading {
  readonly token: string
  readonly encoding: MockTokenEncoding
  /** Base64 of the token followed by `\n` (the 2.2.1-d2 / 2.3.0 example erratum). */
  readonly trailingLineFeed: boolean
}

/**
 * The result of reading an Authorization header.
 *
 * @example
 * ```ts
 * const parsed: ParsedAuthorization = { kind: 'missing' }
 * ```
 */
export type ParsedAuthorization =
  | { readonly kind: 'missing' }
  | { readonly kind: 'bad-scheme' }
  | { readonly kind: 'token'; readonly readings: readonly TokenReading[] }

/**
 * Reads an Authorization header: the exact scheme `Token` and one space, then the raw value, and, if that
 * value is valid Base64, its decoded form (a single trailing line feed removed) as a second reading.
 *
 * @example
 * ```ts
 * parseAuthorization('Token ZXhhbXBsZS10b2tlbg==')
 * // { kind: 'token', readings: [{ token: 'ZXhhbXBsZS10b2tlbg==', encoding: 'raw', … }, { token: 'example-token', encoding: 'base64', … }] }
 * ```
 */
export function parseAuthorization(header: string | null): ParsedAuthorization {
  if (header === null || header === '') return { kind: 'missing' }
  const match = /^Token ([\x21-\x7E]+)$/.exec(header)
  if (match?.[1] === undefined) return { kind: 'bad-scheme' }
  const value = match[1]
  const readings: TokenReading[] = [{ token: value, encoding: 'raw', trailingLineFeed: false }]
  const decoded = decodeBase64(value)
  if (decoded !== undefined) {
    const trailingLineFeed = decoded.endsWith('\n')
    readings.push({
      token: trailingLineFeed ? decoded.slice(0, -1) : decoded,
      encoding: 'base64',
      trailingLineFeed,
    })
  }
  return { kind: 'token', readings }
}
