import { OcpiConfigError } from '../errors.js'
import { checkAllowHosts, type UrlPolicy } from './url-policy.js'

/**
 * A `fetch`-compatible function: the platform's `fetch`, undici's, a test double, or a wrapper that
 * adds a proxy dispatcher or logging.
 *
 * @example
 * ```ts
 * const recorded: Request[] = []
 * const fetch: FetchLike = async (input, init) => {
 *   recorded.push(new Request(input, init))
 *   return Response.json({ status_code: 1000, timestamp: new Date().toISOString() })
 * }
 * ```
 */
export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>

/**
 * Timeouts in milliseconds. `get`, `post`, `put` and `delete` bound one attempt of that method, from
 * sending the request to the last byte of the response body; `total` bounds the whole call, all GET
 * retries and their back-off included.
 *
 * @example
 * ```ts
 * const timeouts: TransportTimeouts = { get: 5_000, total: 60_000 }
 * ```
 */
export interface TransportTimeouts {
  readonly get?: number
  readonly post?: number
  readonly put?: number
  readonly delete?: number
  readonly total?: number
}

/**
 * Options of {@link createTransport}. Every field is optional; the defaults are GET 10 s, POST and PUT
 * 60 s, DELETE 15 s, 120 s in total, 2 GET retries, 4 MiB per response body, 4 MiB per request body (a 2.3.0
 * hub's credentials list every party it reaches: 10,000 parties are about 1.5 MB).
 *
 * - `fetch`: the function that performs requests (default `globalThis.fetch`).
 * - `urlPolicy`: which peer URLs may be called (default: https, public addresses only).
 * - `timeouts`: per method and in total. POST and PUT must outlast the peer's own callback discovery
 *   (it calls our versions endpoints before it answers), so keep them at 30 s or more in production.
 * - `getRetries`: extra attempts for GET after a network error, a timeout or a 502/503/504 (never a
 *   4xx). POST, PUT and DELETE are never retried: replaying a credentials POST or PUT repeats a
 *   registration or a token rotation.
 * - `maxResponseBytes` / `maxRequestBytes`: hard caps on response and request bodies.
 *
 * @example
 * ```ts
 * const options: TransportOptions = {
 *   urlPolicy: { allowInsecure: isDevelopment },
 *   timeouts: { get: 5_000 },
 *   getRetries: 1,
 * }
 * ```
 */
export interface TransportOptions {
  readonly fetch?: FetchLike
  readonly urlPolicy?: UrlPolicy
  readonly timeouts?: TransportTimeouts
  readonly getRetries?: number
  readonly maxResponseBytes?: number
  readonly maxRequestBytes?: number
}

/**
 * The defaults {@link createTransport} applies: GET 10 s, POST and PUT 60 s, DELETE 15 s, 120 s in
 * total, 2 GET retries, 4 MiB per response body, 4 MiB per request body.
 *
 * @example
 * ```ts
 * createTransport({ timeouts: { post: transportDefaults.timeouts.post * 2 } })
 * ```
 */
export const transportDefaults = Object.freeze({
  timeouts: Object.freeze({ get: 10_000, post: 60_000, put: 60_000, delete: 15_000, total: 120_000 }),
  getRetries: 2,
  maxResponseBytes: 4 * 1024 * 1024,
  maxRequestBytes: 4 * 1024 * 1024,
})

/**
 * {@link TransportOptions} with every default applied and every value checked.
 *
 * @example
 * ```ts
 * const resolved: ResolvedTransportOptions = resolveTransportOptions({ getRetries: 0 })
 * resolved.timeouts.get // 10000
 * ```
 */
export interface ResolvedTransportOptions {
  readonly fetch: FetchLike
  readonly urlPolicy: UrlPolicy
  readonly timeouts: {
    readonly get: number
    readonly post: number
    readonly put: number
    readonly delete: number
    readonly total: number
  }
  readonly getRetries: number
  readonly maxResponseBytes: number
  readonly maxRequestBytes: number
}

// ky (and setTimeout) refuse delays above a signed 32-bit integer.
const MAX_TIMEOUT = 2_147_483_647
const MAX_RETRIES = 10

/**
 * Applies the defaults and validates the options; throws {@link OcpiConfigError} at creation time,
 * never later.
 *
 * @example
 * ```ts
 * resolveTransportOptions({ timeouts: { get: 0 } }) // throws OcpiConfigError
 * ```
 */
export function resolveTransportOptions(options: TransportOptions = {}): ResolvedTransportOptions {
  const given = options.timeouts ?? {}
  const timeouts = {
    get: timeout('get', given.get, transportDefaults.timeouts.get),
    post: timeout('post', given.post, transportDefaults.timeouts.post),
    put: timeout('put', given.put, transportDefaults.timeouts.put),
    delete: timeout('delete', given.delete, transportDefaults.timeouts.delete),
    total: timeout('total', given.total, transportDefaults.timeouts.total),
  }
  const getRetries = options.getRetries ?? transportDefaults.getRetries
  if (!Number.isInteger(getRetries) || getRetries < 0 || getRetries > MAX_RETRIES) {
    throw new OcpiConfigError(`transport: getRetries must be an integer from 0 to ${MAX_RETRIES}`)
  }
  const urlPolicy = options.urlPolicy ?? {}
  checkAllowHosts('transport', urlPolicy)
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new OcpiConfigError('transport: fetch must be a function')
  }
  return {
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    urlPolicy,
    timeouts,
    getRetries,
    maxResponseBytes: byteLimit(
      'maxResponseBytes',
      options.maxResponseBytes,
      transportDefaults.maxResponseBytes,
    ),
    maxRequestBytes: byteLimit('maxRequestBytes', options.maxRequestBytes, transportDefaults.maxRequestBytes),
  }
}

function timeout(name: string, value: number | undefined, fallback: number): number {
  const ms = value ?? fallback
  if (!Number.isInteger(ms) || ms <= 0 || ms > MAX_TIMEOUT) {
    throw new OcpiConfigError(`transport: timeouts.${name} must be a positive integer of milliseconds`)
  }
  return ms
}

function byteLimit(name: string, value: number | undefined, fallback: number): number {
  const bytes = value ?? fallback
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new OcpiConfigError(`transport: ${name} must be a positive integer`)
  }
  return bytes
}
