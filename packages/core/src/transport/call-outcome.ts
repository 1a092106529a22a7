// Turning what came back from one transport call (a Response or a failure) into an OutboundResponse or
// an OcpiError that names the step, method and origin, and never carries a header value.
import { isHTTPError, isNetworkError, isTimeoutError } from 'ky'
import { OcpiError } from '../errors.js'
import { parseJsonBody, readCappedBody } from './response-body.js'
import { safeCause } from './safe-cause.js'
import type { OutboundResponse } from './transport.js'

const ignore = (): undefined => undefined

/**
 * What one `send` knows while it runs: the label for messages (`<step>: <METHOD> <origin>`), its
 * limits and signals, the secrets a forwarded cause must not mention, and the attempt counter the
 * fetch wrapper updates.
 *
 * @example
 * ```ts
 * const context: CallContext = { label: 'GET versions: GET https://peer.example.com', step: 'GET versions',
 *   perAttempt: 10_000, total: 120_000, callerSignal: undefined, deadline: AbortSignal.timeout(120_000),
 *   secrets: [], attempt: { count: 0, startedAt: 0, retryNext: false } }
 * ```
 */
export interface CallContext {
  readonly label: string
  readonly step: string
  readonly perAttempt: number
  readonly total: number
  readonly callerSignal: AbortSignal | undefined
  readonly deadline: AbortSignal
  readonly secrets: readonly string[]
  readonly attempt: { count: number; startedAt: number; retryNext: boolean }
}

/**
 * Refuses a redirect (`ERR_OCPI_PEER_HTTP`), then reads the body under `maxBytes` and what is left of
 * the attempt's timeout, and parses it as JSON.
 *
 * @example
 * ```ts
 * const outbound = await readPeerResponse(response, context, 1_048_576, signal)
 * ```
 */
export async function readPeerResponse(
  response: Response,
  context: CallContext,
  maxBytes: number,
  signal: AbortSignal,
): Promise<OutboundResponse> {
  const { status } = response
  const { label, step } = context
  if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
    void response.body?.cancel().catch(ignore)
    const answered = status === 0 ? 'a redirect' : `HTTP ${status}`
    throw new OcpiError('ERR_OCPI_PEER_HTTP', `${label} answered ${answered}: redirect not followed`, {
      step,
    })
  }
  const tooLarge = () => {
    const message = `${label}: the response body exceeds ${maxBytes} bytes`
    return new OcpiError('ERR_OCPI_PEER_INVALID_RESPONSE', message, { step })
  }
  // A declared length is only a shortcut to refuse early; the stream is counted regardless.
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    void response.body?.cancel().catch(ignore)
    throw tooLarge()
  }
  const left = Math.max(0, Math.ceil(context.attempt.startedAt + context.perAttempt - performance.now()))
  const attemptEnds = timeoutSignal(left)
  let read: Awaited<ReturnType<typeof readCappedBody>>
  try {
    read = await readCappedBody(response.body, maxBytes, AbortSignal.any([signal, attemptEnds.signal]))
  } finally {
    attemptEnds.clear()
  }
  switch (read.kind) {
    case 'complete':
      return { status, headers: response.headers, body: parseJsonBody(read.bytes) }
    case 'too-large':
      throw tooLarge()
    case 'aborted': {
      if (context.callerSignal?.aborted) throw context.callerSignal.reason
      const message = `${label} timed out while the response body was read`
      throw new OcpiError('ERR_OCPI_PEER_TIMEOUT', message, { step })
    }
    case 'failed': {
      const cause = safeCause(read.error, context.secrets)
      const message = `${label}: the connection failed while the response body was read`
      throw new OcpiError(
        'ERR_OCPI_PEER_UNREACHABLE',
        message,
        cause === undefined ? { step } : { step, cause },
      )
    }
  }
}

/**
 * Maps a failed call to what `send` throws: the caller's abort reason as is; ky's timeout or the total
 * deadline to `ERR_OCPI_PEER_TIMEOUT`; anything else to `ERR_OCPI_PEER_UNREACHABLE`. ky's own errors
 * hold the `Request` (with its Authorization header) and are never forwarded; a raw fetch error is
 * forwarded as `cause` only when {@link safeCause} finds it clean.
 *
 * @example
 * ```ts
 * try { await pending } catch (error) { throw toTransportError(error, context) }
 * ```
 */
export function toTransportError(error: unknown, context: CallContext): unknown {
  const { label, step, attempt } = context
  if (context.callerSignal?.aborted) return context.callerSignal.reason
  if (error instanceof OcpiError) {
    // An OcpiError from the fetch itself (the Node transport refusing a resolved address) gets the step.
    if (error.step !== undefined) return error
    return new OcpiError(error.code, `${label}: ${error.message}`, { step, cause: error })
  }
  const attempts = attempt.count === 1 ? '1 attempt' : `${attempt.count} attempts`
  if (isTimeoutError(error) || context.deadline.aborted) {
    const limits = `${context.perAttempt} ms per attempt, ${context.total} ms in total`
    return new OcpiError('ERR_OCPI_PEER_TIMEOUT', `${label} timed out (${limits}; ${attempts})`, { step })
  }
  if (isHTTPError(error)) {
    const message = `${label} answered HTTP ${error.response.status} (${attempts})`
    return new OcpiError('ERR_OCPI_PEER_HTTP', message, { step })
  }
  const cause = safeCause(isNetworkError(error) ? error.cause : error, context.secrets)
  const message = `${label}: the peer could not be reached (${attempts})`
  return new OcpiError('ERR_OCPI_PEER_UNREACHABLE', message, cause === undefined ? { step } : { step, cause })
}

/**
 * A signal that aborts with a `TimeoutError` `DOMException` after `ms`, like `AbortSignal.timeout`, but
 * whose timer can be cleared. `AbortSignal.timeout`'s cannot: long after a call has finished, its timer
 * still fires, builds the exception and dispatches an abort event, two per call (the body read's and the
 * call's deadline). The timer does not keep a Node process alive.
 *
 * @example
 * ```ts
 * const deadline = timeoutSignal(30_000)
 * try {
 *   await fetch(url, { signal: deadline.signal })
 * } finally {
 *   deadline.clear()
 * }
 * ```
 */
export function timeoutSignal(ms: number): { readonly signal: AbortSignal; clear(): void } {
  const controller = new AbortController()
  const timer = setTimeout(() => {
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))
  }, ms)
  ;(timer as { unref?: () => void }).unref?.()
  return { signal: controller.signal, clear: () => clearTimeout(timer) }
}

/**
 * Settles with `pending`, or rejects with the signal's reason as soon as `signal` aborts, even when the
 * fetch in use ignores signals; a response that arrives late has its body cancelled.
 *
 * @example
 * ```ts
 * const response = await untilAborted(ky(url, options), AbortSignal.timeout(1_000))
 * ```
 */
export function untilAborted(pending: Promise<Response>, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason)
      pending.then((late) => late.body?.cancel().catch(ignore), ignore)
    }
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
