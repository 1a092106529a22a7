import ky, { isHTTPError, isNetworkError, isTimeoutError } from 'ky'
import { OcpiError } from '../errors.js'
import {
  type CallContext,
  readPeerResponse,
  timeoutSignal,
  toTransportError,
  untilAborted,
} from './call-outcome.js'
import { buildRequestHeaders, encodeRequestBody } from './request-encoding.js'
import type { ResponseBody } from './response-body.js'
import { bodySecrets, sensitiveHeaderValues } from './safe-cause.js'
import {
  type ResolvedTransportOptions,
  resolveTransportOptions,
  type TransportOptions,
} from './transport-options.js'
import { checkPeerUrl } from './url-policy.js'

export type { ResponseBody } from './response-body.js'
export {
  type FetchLike,
  type TransportOptions,
  type TransportTimeouts,
  transportDefaults,
} from './transport-options.js'

/**
 * One call to a peer. `url` is checked against the URL policy before anything is sent; `body`, when
 * present, is serialized to JSON by the transport; `step` names the operation in every error
 * (e.g. `GET versions`). Header values never appear in errors.
 *
 * @example
 * ```ts
 * const request: OutboundRequest = {
 *   method: 'GET',
 *   url: 'https://peer.example.com/ocpi/versions',
 *   headers: { Authorization: 'Token …' },
 *   step: 'GET versions',
 * }
 * ```
 */
export interface OutboundRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: unknown
  readonly step: string
  readonly signal?: AbortSignal
}

/**
 * A peer's answer, whatever its status (2xx or not: the caller decides what a 401 or 405 means).
 * Redirects are never returned: they are refused with `ERR_OCPI_PEER_HTTP`.
 *
 * @example
 * ```ts
 * const response: OutboundResponse = await transport.send(request)
 * if (response.status === 401) console.log('try the other token encoding')
 * if (response.body.ok) console.log(response.body.value)
 * ```
 */
export interface OutboundResponse {
  readonly status: number
  readonly headers: Headers
  readonly body: ResponseBody
}

/**
 * Sends requests to peers. {@link createTransport} builds the default one over a `fetch`; hosts and
 * tests change behaviour by injecting that `fetch` (the `fetch` option of `createOcpi`).
 *
 * @example
 * ```ts
 * const transport: Transport = createTransport({ urlPolicy: { allowInsecure: true } })
 * const { status, body } = await transport.send({ method: 'GET', url, headers, step: 'GET versions' })
 * ```
 */
export interface Transport {
  /**
   * Sends one request and resolves with the answer, whatever its status; rejects with an
   * {@link OcpiError} when, e.g., the URL is refused, the peer is unreachable or too slow, or it redirects.
   */
  send(request: OutboundRequest): Promise<OutboundResponse>
}

// PATCH (functional modules) shares the PUT timeout.
const TIMEOUT_KEY = { GET: 'get', POST: 'post', PUT: 'put', PATCH: 'put', DELETE: 'delete' } as const
const RETRY_STATUSES: readonly number[] = [502, 503, 504]
// A peer asking to wait longer than this gets its 503 back instead of a retry.
const MAX_RETRY_AFTER_MS = 5_000
const BACKOFF_LIMIT_MS = 2_000
const ignore = (): undefined => undefined

/**
 * Creates the default transport, built on ky over the given (or global) `fetch`:
 *
 * - every URL passes {@link checkPeerUrl} first (`ERR_OCPI_URL_REFUSED`, nothing sent);
 * - `Accept: application/json`; a body is serialized here, sent with `Content-Type: application/json`,
 *   and refused over `maxRequestBytes` (`ERR_OCPI_INVALID_INPUT`, nothing sent);
 * - non-2xx responses are returned, not thrown; 3xx is refused (`ERR_OCPI_PEER_HTTP`, never followed);
 * - only GET is retried (network error, timeout, 502/503/504; a `Retry-After` up to 5 s is honoured,
 *   a longer one returns the response instead); POST, PUT and DELETE are sent exactly once;
 * - each attempt is bounded by its method's timeout (until the last body byte), the whole call by
 *   `timeouts.total` and the caller's `signal` (an abort rejects with the signal's reason);
 * - the body is streamed under `maxResponseBytes` (`ERR_OCPI_PEER_INVALID_RESPONSE`) and parsed as JSON
 *   (`{ ok: false, reason: 'empty' | 'not-json' }` when it cannot be);
 * - failures are `ERR_OCPI_PEER_UNREACHABLE` / `ERR_OCPI_PEER_TIMEOUT`, naming the step, method and URL
 *   origin, never a path, query or header value.
 *
 * Options are validated here and throw {@link OcpiConfigError}.
 *
 * @example
 * ```ts
 * const transport = createTransport({ timeouts: { get: 5_000 } })
 * const response = await transport.send({
 *   method: 'GET',
 *   url: 'https://peer.example.com/ocpi/versions',
 *   headers: { Authorization: `Token ${token}` },
 *   step: 'GET versions',
 * })
 * ```
 */
export function createTransport(options?: TransportOptions): Transport {
  const resolved = resolveTransportOptions(options)
  return { send: (request) => send(resolved, request) }
}

async function send(options: ResolvedTransportOptions, request: OutboundRequest): Promise<OutboundResponse> {
  const { method, step } = request
  const checked = checkPeerUrl(request.url, options.urlPolicy)
  if (!checked.ok) throw new OcpiError('ERR_OCPI_URL_REFUSED', `${step}: ${checked.reason}`, { step })
  const label = `${step}: ${method} ${checked.url.origin}`
  if (!Object.hasOwn(TIMEOUT_KEY, method)) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', `${step}: unsupported method`, { step })
  }
  const headers = buildRequestHeaders(request, label)
  const body = encodeRequestBody(request, label, options.maxRequestBytes)
  if (body !== undefined) headers.set('content-type', 'application/json')
  request.signal?.throwIfAborted()

  // The call's deadline covers every attempt and the body read; cleared as soon as the call is done.
  const total = timeoutSignal(options.timeouts.total)
  const deadline = total.signal
  try {
    const signal = request.signal === undefined ? deadline : AbortSignal.any([request.signal, deadline])
    const retries = method === 'GET' ? options.getRetries : 0
    const context: CallContext = {
      label,
      step,
      perAttempt: options.timeouts[TIMEOUT_KEY[method]],
      total: options.timeouts.total,
      callerSignal: request.signal,
      deadline,
      secrets: [...sensitiveHeaderValues(headers), ...bodySecrets(request.body)],
      attempt: { count: 0, startedAt: 0, retryNext: false },
    }
    const { attempt } = context

    let response: Response
    try {
      const pending = ky(checked.url.href, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal,
        redirect: 'manual',
        // ky retries a status only when it throws for it, so throw exactly when a retry will follow.
        throwHttpErrors: () => attempt.retryNext,
        timeout: context.perAttempt,
        totalTimeout: context.total,
        retry: {
          limit: retries,
          methods: ['get'],
          statusCodes: [...RETRY_STATUSES],
          afterStatusCodes: [...RETRY_STATUSES],
          maxRetryAfter: MAX_RETRY_AFTER_MS,
          backoffLimit: BACKOFF_LIMIT_MS,
          retryOnTimeout: true,
          shouldRetry: ({ error }) => shouldRetry(error, signal),
        },
        fetch: async (input, init) => {
          attempt.count += 1
          attempt.startedAt = performance.now()
          attempt.retryNext = false
          const answer = await options.fetch(input, init)
          if (attempt.count > retries || !RETRY_STATUSES.includes(answer.status)) return answer
          const retryAfter = answer.headers.get('retry-after')
          const wait = retryAfter === null ? undefined : retryAfterMs(retryAfter)
          if (wait !== undefined && wait > MAX_RETRY_AFTER_MS) return answer
          // A retry follows: drop the body now rather than let ky buffer it (up to 10 MiB) into an HTTPError.
          attempt.retryNext = true
          void answer.body?.cancel().catch(ignore)
          const kept = new Headers(retryAfter === null ? {} : { 'retry-after': retryAfter })
          return new Response(null, { status: answer.status, statusText: answer.statusText, headers: kept })
        },
      })
      response = await untilAborted(pending, signal)
    } catch (error) {
      throw toTransportError(error, context)
    }
    // Awaited here, not returned: the deadline must stay armed until the body has been read.
    return await readPeerResponse(response, context, options.maxResponseBytes, signal)
  } finally {
    total.clear()
  }
}

// `true` from ky's shouldRetry skips its Retry-After handling, so defer (`undefined`) for ky's own error
// types and answer only for what ky does not recognize: a raw TypeError is how fetch reports a network
// failure, and ky knows only some runtimes' messages.
function shouldRetry(error: Error, signal: AbortSignal): boolean | undefined {
  if (signal.aborted) return false
  if (isTimeoutError(error) || isNetworkError(error) || isHTTPError(error)) return undefined
  return error instanceof TypeError
}

function retryAfterMs(value: string): number | undefined {
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}
