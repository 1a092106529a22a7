import type { TokenEncoding } from '../model.js'

const SCHEME = /^\s*token\s+(\S+)\s*$/i
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const PRINTABLE_TOKEN = /^[\x21-\x7E]+$/
const MAX_HEADER_VALUE = 512
// EF BB BF as atob returns them: one character per byte.
const UTF8_BOM = '\xEF\xBB\xBF'

/**
 * The candidate tokens an `Authorization` header carries, in lookup order: the value as sent, then, when
 * the value is strict Base64 (RFC 4648 §4, padded) decoding to printable ASCII, the decoded token with a
 * single trailing line feed dropped (the spec's own examples encode `token\n`). Empty when the header is
 * missing or not of the form `Token <value>`.
 *
 * @example
 * ```ts
 * authorizationCandidates('Token ZXhhbXBsZS10b2tlbgo=') // ['ZXhhbXBsZS10b2tlbgo=', 'example-token']
 * authorizationCandidates('Bearer abc') // []
 * ```
 */
export function authorizationCandidates(header: string | null): string[] {
  if (header === null || header.length > MAX_HEADER_VALUE) return []
  const value = SCHEME.exec(header)?.[1]
  if (value === undefined) return []
  const candidates = [value]
  const decoded = decodeBase64Token(value)
  if (decoded !== null && decoded !== value) candidates.push(decoded)
  return candidates
}

function decodeBase64Token(value: string): string | null {
  if (value.length < 4 || !STRICT_BASE64.test(value)) return null
  // A token is printable ASCII, so its UTF-8 bytes are its characters: atob's one character per byte is
  // already the decoded text, and any byte from 0x80 up (multi-byte or invalid UTF-8) fails the test,
  // except a leading UTF-8 byte order mark, dropped as a UTF-8 decoder would (some encoders write one).
  let text: string
  try {
    text = atob(value)
  } catch {
    return null
  }
  if (text.startsWith(UTF8_BOM)) text = text.slice(UTF8_BOM.length)
  if (text.endsWith('\n')) text = text.slice(0, -1)
  return PRINTABLE_TOKEN.test(text) ? text : null
}

/**
 * The `Authorization` header value for an outbound token in the given form: `Token <raw>` or
 * `Token <base64(utf8(token))>` (standard alphabet, padded, no trailing line feed).
 *
 * @example
 * ```ts
 * authorizationHeader('example-token', 'base64') // 'Token ZXhhbXBsZS10b2tlbg=='
 * ```
 */
export function authorizationHeader(token: string, encoding: TokenEncoding): string {
  if (encoding === 'raw') return `Token ${token}`
  const bytes = new TextEncoder().encode(token)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return `Token ${btoa(binary)}`
}

/**
 * The other encoding, for the discovery probe (on a 401 the other form is tried once).
 *
 * @example
 * ```ts
 * otherEncoding('raw') // 'base64'
 * ```
 */
export function otherEncoding(encoding: TokenEncoding): TokenEncoding {
  return encoding === 'raw' ? 'base64' : 'raw'
}
