import type { PeerContext } from './context.js'
import { parseBody, type ReadEnvelope, readEnvelope } from './envelope.js'
import type { MockTokenEncoding, MockVersion } from './options.js'
import { isModern, ROUTING_HEADERS } from './protocol.js'
import { headerRecord, type LiveExchange } from './recorder.js'
import type { MockPeerStep } from './records.js'
import { encodeToken } from './token.js'

/**
 * One request of the mock to the platform under test.
 *
 * @example
 * ```ts
 * const request: OutboundRequest = { step: 'GET versions', method: 'GET', url, token, encoding: 'base64', version: '2.2.1', correlationId }
 * ```
 */
export interface OutboundRequest {
  readonly step: MockPeerStep
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  readonly url: string
  /** The token, unencoded. */
  readonly token: string
  readonly encoding: MockTokenEncoding
  /** Decides the 2.2+ headers; also recorded on the exchange. */
  readonly version: MockVersion
  /** Whether the URL belongs to a version (details, credentials) rather than the versions list. */
  readonly versioned: boolean
  readonly correlationId: string
  readonly body?: unknown
}

/**
 * How a request of the mock ended: no usable answer (`network`), or an answer.
 *
 * @example
 * ```ts
 * if (outcome.kind === 'answer' && outcome.envelope.ok) outcome.envelope.data
 * ```
 */
export type OutboundOutcome =
  | { readonly kind: 'network'; readonly error: string; readonly exchange: LiveExchange }
  | {
      readonly kind: 'answer'
      readonly status: number
      readonly body: unknown
      readonly envelope: ReadEnvelope
      readonly exchange: LiveExchange
    }

/**
 * Sends one request the way a compliant peer does (the `Token` scheme in the requested encoding,
 * X-Request-ID and X-Correlation-ID on 2.2+, no routing headers, a JSON body with its Content-Type),
 * through `config.fetch`, with the `callbackTimeoutMs` timeout (its timer cleared afterwards). Applies the
 * `send <step>` faults, records the exchange and what is wrong with the answer.
 *
 * @example
 * ```ts
 * const outcome = await send(ctx, { step: 'GET versions', method: 'GET', url, token, encoding: 'raw', version: '2.1.1', versioned: false, correlationId })
 * ```
 */
export async function send(ctx: PeerContext, request: OutboundRequest): Promise<OutboundOutcome> {
  const modern = isModern(request.version)
  const requestId = crypto.randomUUID()
  const headers = new Headers({ authorization: `Token ${encodeToken(request.token, request.encoding)}` })
  if (modern) {
    headers.set('x-request-id', requestId)
    headers.set('x-correlation-id', request.correlationId)
  }
  if (request.body !== undefined) headers.set('content-type', 'application/json')
  const exchange = ctx.recorder.start({
    direction: 'outbound',
    target: request.step,
    version: request.versioned ? request.version : null,
    method: request.method,
    url: request.url,
    headers: headerRecord(headers),
    body: request.body,
  })
  const target = `send ${request.step}`
  if (ctx.faults.take(target, 'unreachable') !== undefined) {
    exchange.mark('unreachable')
    exchange.error = 'not sent: the unreachable fault is on this step'
    return { kind: 'network', error: exchange.error, exchange }
  }

  const controller = new AbortController()
  const timer = setTimeout(
    () => controller.abort(new DOMException('the mock peer timed out', 'TimeoutError')),
    ctx.config.callbackTimeoutMs,
  )
  // Raced against the timeout too, in case the fetch (e.g. a web handler) ignores the signal.
  const attempt = (async () => {
    const response = await ctx.config.fetch(
      new Request(request.url, {
        method: request.method,
        headers,
        signal: controller.signal,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      }),
    )
    return { response, text: await response.text() }
  })()
  attempt.catch(() => undefined)
  const timedOut = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
  })
  timedOut.catch(() => undefined)
  let response: Response
  let text: string
  try {
    ;({ response, text } = await Promise.race([attempt, timedOut]))
  } catch (error) {
    exchange.error = controller.signal.aborted
      ? `timed out after ${ctx.config.callbackTimeoutMs} ms`
      : `network error: ${error instanceof Error ? error.message : String(error)}`
    return { kind: 'network', error: exchange.error, exchange }
  } finally {
    clearTimeout(timer)
  }

  const parsed = parseBody(text)
  exchange.response = { status: response.status, headers: headerRecord(response.headers), body: parsed.value }
  checkAnswer(exchange, response, parsed.ok, modern, headers)
  if (ctx.faults.take(target, 'lost-response') !== undefined) {
    exchange.mark('lost-response')
    exchange.error = 'the answer was lost: the lost-response fault is on this step'
    return { kind: 'network', error: exchange.error, exchange }
  }
  return {
    kind: 'answer',
    status: response.status,
    body: parsed.value,
    envelope: readEnvelope(parsed.value),
    exchange,
  }
}

function checkAnswer(
  exchange: LiveExchange,
  response: Response,
  isJson: boolean,
  modern: boolean,
  sent: Headers,
): void {
  const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json')
    exchange.flag('response-content-type', `answers must be application/json (got ${type ?? 'none'})`)
  if (!isJson) exchange.flag('invalid-json', 'the answer is not valid JSON')
  else {
    const read = readEnvelope(exchange.response?.body)
    if (!read.ok) exchange.flag('response-not-envelope', `the answer is not an OCPI envelope: ${read.issue}`)
  }
  if (modern) {
    if (response.headers.get('x-request-id') !== sent.get('x-request-id'))
      exchange.flag('request-id-not-echoed', 'the answer must carry the X-Request-ID of the request')
    if (response.headers.get('x-correlation-id') !== sent.get('x-correlation-id'))
      exchange.flag('correlation-id-not-echoed', 'the answer must carry the X-Correlation-ID of the request')
  }
  const routing = ROUTING_HEADERS.filter((name) => response.headers.has(name))
  if (routing.length > 0)
    exchange.flag(
      'routing-headers-on-configuration-module',
      `routing headers must not be sent on versions, details or credentials: ${routing.join(', ')}`,
    )
}
