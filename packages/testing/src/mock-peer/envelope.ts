/**
 * The OCPI response envelope as the mock emits it.
 *
 * @example
 * ```ts
 * const body: Envelope = { status_code: 1000, data: [], timestamp: '2026-01-01T00:00:00.000Z' }
 * ```
 */
export interface Envelope {
  readonly data?: unknown
  readonly status_code: number
  readonly status_message?: string
  readonly timestamp: string
}

/**
 * Builds an envelope stamped now (UTC, `Z`). `data` is left out when `undefined`.
 *
 * @example
 * ```ts
 * envelope(3001, undefined, 'Unable to use the client API')
 * ```
 */
export function envelope(statusCode: number, data?: unknown, message?: string): Envelope {
  return {
    ...(data === undefined ? {} : { data }),
    status_code: statusCode,
    ...(message === undefined ? {} : { status_message: message }),
    timestamp: new Date().toISOString(),
  }
}

/**
 * An envelope read from an answer of the platform under test.
 *
 * @example
 * ```ts
 * const read = readEnvelope(json)
 * if (read.ok && read.statusCode === 1000) use(read.data)
 * ```
 */
export type ReadEnvelope =
  | {
      readonly ok: true
      readonly statusCode: number
      readonly statusMessage: string | null
      readonly data: unknown
    }
  | { readonly ok: false; readonly issue: string; readonly statusCode: number | null }

/**
 * Reads an envelope: an object with an integer `status_code` and a string `timestamp`.
 *
 * @example
 * ```ts
 * readEnvelope({ status_code: 1000, timestamp: 'x' }) // { ok: true, statusCode: 1000, … }
 * ```
 */
export function readEnvelope(body: unknown): ReadEnvelope {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, issue: 'the body is not a JSON object', statusCode: null }
  const record = body as Record<string, unknown>
  const statusCode = record['status_code']
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode))
    return { ok: false, issue: 'status_code is missing or not an integer', statusCode: null }
  if (typeof record['timestamp'] !== 'string')
    return { ok: false, issue: 'timestamp is missing or not a string', statusCode }
  const message = record['status_message']
  return {
    ok: true,
    statusCode,
    statusMessage: typeof message === 'string' ? message : null,
    data: record['data'],
  }
}

/**
 * Parses a body text as JSON: `undefined` for an empty text, the text itself if it is not JSON.
 *
 * @example
 * ```ts
 * parseBody('{"a":1}') // { ok: true, value: { a: 1 } }
 * ```
 */
export function parseBody(text: string): { readonly ok: boolean; readonly value: unknown } {
  if (text === '') return { ok: true, value: undefined }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false, value: text }
  }
}

/**
 * An answer of the mock before it becomes a `Response`: an HTTP status and a JSON body, or `raw` text
 * (the `invalid-json` fault).
 *
 * @example
 * ```ts
 * const reply: Reply = ocpiReply(200, 1000, [])
 * ```
 */
export interface Reply {
  readonly status: number
  readonly body: unknown
  readonly raw?: string
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * A reply carrying an envelope.
 *
 * @example
 * ```ts
 * ocpiReply(401, 2000, undefined, 'Unknown token')
 * ```
 */
export function ocpiReply(status: number, statusCode: number, data?: unknown, message?: string): Reply {
  return { status, body: envelope(statusCode, data, message) }
}

/**
 * Turns a reply into a `Response` (`Content-Type: application/json`), adding headers.
 *
 * @example
 * ```ts
 * toResponse(ocpiReply(200, 1000), { 'x-request-id': id })
 * ```
 */
export function toResponse(reply: Reply, headers: Readonly<Record<string, string>>): Response {
  return new Response(reply.raw ?? JSON.stringify(reply.body), {
    status: reply.status,
    headers: { ...headers, ...reply.headers, 'content-type': 'application/json' },
  })
}
