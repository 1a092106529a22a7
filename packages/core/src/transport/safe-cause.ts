// Deciding whether an underlying error may travel as the `cause` of an OcpiError without leaking a
// credential. ky's own errors hold the `Request` (and so the Authorization header): they never pass.

const SENSITIVE_HEADER = /authorization|cookie|token|secret|api-?key/i
const MIN_SECRET_LENGTH = 4
const MAX_DEPTH = 6
const MAX_NODES = 64

/**
 * The values of credential-bearing headers (`Authorization`, cookies, anything named like a token or
 * key), plus the credential part after an auth scheme (`Token abc` also yields `abc`), so an error
 * chain can be searched for them.
 *
 * @example
 * ```ts
 * sensitiveHeaderValues(new Headers({ Authorization: 'Token abc123' })) // ['Token abc123', 'abc123']
 * ```
 */
export function sensitiveHeaderValues(headers: Headers): string[] {
  const secrets: string[] = []
  headers.forEach((value, name) => {
    if (!SENSITIVE_HEADER.test(name)) return
    secrets.push(value)
    const space = value.indexOf(' ')
    if (space > 0) {
      const credential = value.slice(space + 1).trim()
      secrets.push(credential)
      // A Base64 credential carries the token itself: search for that too.
      const decoded = decodeBase64(credential)
      if (decoded !== null) secrets.push(decoded)
    }
  })
  return secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH)
}

/**
 * Returns `error` if it is safe to forward as a `cause`: an `Error` whose whole chain (`cause`,
 * `errors`, own properties) consists only of errors, arrays and primitives, none of which mentions a
 * secret. Anything holding a `Request`, `Headers` or another object is refused (`undefined`).
 *
 * @example
 * ```ts
 * safeCause(new TypeError('fetch failed'), ['abc123']) // the TypeError
 * safeCause(new TypeError('bad header Token abc123'), ['abc123']) // undefined
 * ```
 */
export function safeCause(error: unknown, secrets: readonly string[]): Error | undefined {
  if (!(error instanceof Error)) return undefined
  const seen = new Set<object>()
  return isClean(error, secrets, 0, seen) ? error : undefined
}

function isClean(value: unknown, secrets: readonly string[], depth: number, seen: Set<object>): boolean {
  if (value === null || value === undefined) return true
  switch (typeof value) {
    case 'string':
      return !secrets.some((secret) => mentions(value, secret))
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
      return true
    case 'object':
      break
    default:
      return false
  }
  if (seen.has(value)) return true
  if (depth > MAX_DEPTH || seen.size >= MAX_NODES) return false
  seen.add(value)
  if (Array.isArray(value)) return value.every((item) => isClean(item, secrets, depth + 1, seen))
  if (!(value instanceof Error)) return false
  const keys = new Set<PropertyKey>(['message', 'stack', 'cause', ...Reflect.ownKeys(value)])
  for (const key of keys) {
    let property: unknown
    try {
      property = Reflect.get(value, key)
    } catch {
      return false
    }
    if (!isClean(property, secrets, depth + 1, seen)) return false
  }
  return true
}

/** Length of the smallest piece of a secret that must not appear (a truncated header is still a leak). */
const WINDOW = 8

/** Whether `text` contains the secret or any 8-character piece of it. */
function mentions(text: string, secret: string): boolean {
  if (secret.length <= WINDOW) return text.includes(secret)
  for (let i = 0; i + WINDOW <= secret.length; i++) {
    if (text.includes(secret.slice(i, i + WINDOW))) return true
  }
  return false
}

function decodeBase64(value: string): string | null {
  if (!/^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) return null
  try {
    const text = atob(value).replace(/\n$/, '')
    return /^[\x21-\x7E]+$/.test(text) ? text : null
  } catch {
    return null
  }
}

/**
 * The token a credentials body carries (POST/PUT), to be treated as a secret like the header's.
 *
 * @example
 * ```ts
 * bodySecrets({ token: 'abc12345', url: 'https://x' }) // ['abc12345']
 * ```
 */
export function bodySecrets(body: unknown): string[] {
  if (body === null || typeof body !== 'object' || !('token' in body)) return []
  const token = (body as { token: unknown }).token
  return typeof token === 'string' && token.length >= MIN_SECRET_LENGTH ? [token] : []
}
