// Where secrets are read from: Authorization header values and JSON documents' token fields.

import { isObject } from '../mock-peer/validate-primitives.js'

/** Printable ASCII without spaces: what a token decoded from Base64 must look like. */
const PRINTABLE = /^[\x21-\x7E]+$/
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
/** JSON nodes visited per document at most (a large document is not a credentials body). */
const MAX_NODES = 5_000

function decodeBase64(value: string): string | null {
  if (value.length < 4 || !BASE64.test(value)) return null
  try {
    const binary = atob(value.padEnd(Math.ceil(value.length / 4) * 4, '='))
    let text = new TextDecoder('utf-8', { fatal: true }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    )
    if (text.endsWith('\n')) text = text.slice(0, -1)
    return PRINTABLE.test(text) ? text : null
  } catch {
    return null
  }
}

/**
 * The secrets an `Authorization` header value may carry, whatever its scheme (`Token`, `Bearer`,
 * `Basic`, none): the credentials as sent, each whitespace-separated piece, their Base64 decodings when
 * those are printable, and the password of a `Basic` pair. A header is a secret whether or not it is
 * valid: a refused token may be a live token of another system.
 *
 * @param value - The header value, or `null` when absent.
 * @returns The candidate secrets (possibly short ones: the ledger ignores those).
 *
 * @example
 * ```ts
 * secretsOfAuthorization('Token ZXhhbXBsZS10b2tlbg==') // ['ZXhhbXBsZS10b2tlbg==', 'example-token']
 * ```
 */
export function secretsOfAuthorization(value: string | null | undefined): string[] {
  if (typeof value !== 'string') return []
  const trimmed = value.trim()
  if (trimmed === '') return []
  const pieces = trimmed.split(/\s+/)
  // `Token abc`: the scheme is not a secret; a lone value (no scheme) is.
  const credentials = pieces.length > 1 ? pieces.slice(1) : pieces
  const found = new Set<string>([credentials.join(' '), ...credentials])
  for (const piece of credentials) {
    const decoded = decodeBase64(piece)
    if (decoded === null) continue
    found.add(decoded)
    const colon = decoded.indexOf(':')
    if (colon >= 0) found.add(decoded.slice(colon + 1))
  }
  return [...found]
}

/**
 * The string values of every field whose name contains `token` (any case) in a parsed JSON value:
 * `token` of a Credentials object, `inboundToken`, `outbound_token`, … Visits at most 5 000 nodes.
 *
 * @param value - A parsed JSON value.
 * @returns The values found.
 *
 * @example
 * ```ts
 * secretsOfJson({ data: { token: 'abc…', url: 'https://…' } }) // ['abc…']
 * ```
 */
export function secretsOfJson(value: unknown): string[] {
  const found: string[] = []
  const stack: unknown[] = [value]
  let visited = 0
  while (stack.length > 0 && visited < MAX_NODES) {
    const node = stack.pop()
    visited++
    if (node === null || typeof node !== 'object') continue
    if (Array.isArray(node)) {
      stack.push(...node)
      continue
    }
    for (const [key, child] of Object.entries(node)) {
      if (typeof child === 'string') {
        if (/token/i.test(key)) found.push(child)
      } else if (child !== null && typeof child === 'object') {
        stack.push(child)
      }
    }
  }
  return found
}

/**
 * The secrets of a JSON text's token fields; nothing when the text is not JSON.
 *
 * @param text - Possibly JSON.
 * @returns The values found.
 *
 * @example
 * ```ts
 * secretsOfJsonText('{"token":"abc…"}') // ['abc…']
 * ```
 */
export function secretsOfJsonText(text: string): string[] {
  const start = text.trimStart()[0]
  if (start !== '{' && start !== '[') return []
  try {
    return secretsOfJson(JSON.parse(text))
  } catch {
    return []
  }
}

/**
 * The tokens of the Credentials objects a JSON text carries: the body of a credentials POST or PUT (the
 * object itself), or an answer to one, or to a GET (the envelope's `data`). A Credentials object is told
 * by a string `token` beside a string `url`; nothing else in the text is read, so a module's data is never
 * taken for a secret. Nothing when the text is not JSON.
 *
 * @param text - Possibly JSON.
 * @returns The tokens found (at most two).
 *
 * @example
 * ```ts
 * secretsOfCredentialsText('{"data":{"token":"abc…","url":"https://…/versions","roles":[]},"status_code":1000}')
 * // ['abc…']
 * ```
 */
export function secretsOfCredentialsText(text: string): string[] {
  if (!text.includes('"token"') || text.trimStart()[0] !== '{') return []
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    return []
  }
  const found: string[] = []
  const data = isObject(document) ? document['data'] : undefined
  for (const candidate of [document, data]) {
    if (isObject(candidate) && typeof candidate['token'] === 'string' && typeof candidate['url'] === 'string')
      found.push(candidate['token'])
  }
  return found
}

/**
 * Describes any value as text for the ledger: errors with their code, step, other own fields and their
 * whole `cause` chain (and an `AggregateError`'s errors); objects as JSON (cycles cut, bigints and
 * functions named). Never a stack trace: it repeats the message and adds only file paths.
 *
 * @param value - An error, an event payload, log fields, anything.
 * @returns The description.
 *
 * @example
 * ```ts
 * describeValue(new OcpiError('ERR_OCPI_PEER_HTTP', 'GET versions: HTTP 500', { cause }))
 * // 'OcpiError: GET versions: HTTP 500 {"code":"ERR_OCPI_PEER_HTTP",…} cause: TypeError: fetch failed'
 * ```
 */
export function describeValue(value: unknown, depth = 0): string {
  if (depth > 8) return '(deeper causes cut)'
  if (value instanceof Error) {
    const { stack: _stack, cause: _cause, ...fields } = Object.getOwnPropertyDescriptors(value)
    const own = Object.fromEntries(
      Object.entries(fields)
        .filter(([key]) => key !== 'message' && key !== 'name')
        .map(([key, descriptor]) => [key, descriptor.value as unknown]),
    )
    const parts = [`${value.name}: ${value.message}`]
    if (Object.keys(own).length > 0) parts.push(describeValue(own, depth + 1))
    if (value instanceof AggregateError) {
      for (const inner of value.errors as unknown[]) parts.push(`error: ${describeValue(inner, depth + 1)}`)
    }
    if (value.cause !== undefined) parts.push(`cause: ${describeValue(value.cause, depth + 1)}`)
    return parts.join(' ')
  }
  if (typeof value === 'string') return value
  const seen = new WeakSet<object>()
  try {
    return (
      JSON.stringify(value, (_key, child: unknown) => {
        if (child instanceof Error) return describeValue(child, depth + 1)
        if (typeof child === 'bigint') return `${child}n`
        if (typeof child === 'function') return `[function ${child.name}]`
        if (typeof child === 'symbol') return child.toString()
        if (child !== null && typeof child === 'object') {
          if (seen.has(child)) return '[cycle]'
          seen.add(child)
        }
        return child
      }) ?? String(value)
    )
  } catch {
    return String(value)
  }
}
