import type {
  AdminHandlerOptions,
  AdminRequestContext,
  FetchLike,
  Ocpi,
  OcpiEvents,
  OcpiLogger,
  OcpiOptions,
  PeerClient,
} from '@ocpi-credentials/core'
import { describeValue, secretsOfAuthorization, secretsOfCredentialsText } from './harvest.js'
import type { SecretLedger } from './secret-ledger.js'

/** Every event the SDK emits; a new one fails the type check here until it is listed. */
const EVENTS = {
  invited: true,
  registered: true,
  'registration-failed': true,
  rotated: true,
  'rotation-failed': true,
  'parties-changed': true,
  revoked: true,
  unregistered: true,
  'authentication-failed': true,
  'connection-status': true,
} as const satisfies Record<keyof OcpiEvents, true>

const LEVELS = ['debug', 'info', 'warn', 'error'] as const

/**
 * What the instrumentation records into: a {@link SecretLedger}, or anything shaped like one.
 *
 * @example
 * ```ts
 * const sink: HygieneSink = createSecretLedger()
 * const createOcpi = instrumentCreateOcpi(create, sink)
 * ```
 */
export type HygieneSink = Pick<SecretLedger, 'addSecret' | 'addText' | 'addPublicId'>

/**
 * Records one emitted event: its text, and the peer id it names as public. Internal (the suite's setup
 * also records every `EventBus` emission with it).
 */
export function recordEvent(sink: HygieneSink, event: string, payload: unknown): void {
  notePeerIds(sink, payload)
  sink.addText(`${event} ${describeValue(payload)}`, `event ${event}`)
}

/** Records the peer ids of a result (a peer, a list of peers, an invitation, a revocation…). */
function notePeerIds(sink: HygieneSink, value: unknown): void {
  if (value === null || typeof value !== 'object') return
  if (Array.isArray(value)) {
    for (const item of value) notePeerIds(sink, item)
    return
  }
  const record = value as { id?: unknown; peerId?: unknown; peer?: unknown }
  if (typeof record.id === 'string') sink.addPublicId(record.id)
  if (typeof record.peerId === 'string') sink.addPublicId(record.peerId)
  if (record.peer !== undefined) notePeerIds(sink, record.peer)
}

function noteAuthorization(sink: HygieneSink, value: string | null | undefined, where: string): void {
  for (const secret of secretsOfAuthorization(value))
    sink.addSecret(secret, `Authorization header (${where})`)
}

/** The Authorization header of whatever the caller passed (the SDK refuses what is not a request). */
function authorizationOf(request: unknown): string | null {
  try {
    const value = (request as { headers?: { get?(name: string): unknown } } | null)?.headers?.get?.(
      'authorization',
    )
    return typeof value === 'string' ? value : null
  } catch {
    return null
  }
}

function addSecretIfString(sink: HygieneSink, value: unknown, source: string): void {
  if (typeof value === 'string') sink.addSecret(value, source)
}

/** Records the description of an error, then rethrows it. */
function recordAndRethrow(sink: HygieneSink, where: string) {
  return (error: unknown): never => {
    sink.addText(describeValue(error), `error of ${where}`)
    throw error
  }
}

/** Learns the token of a Credentials body (a credentials POST or PUT, or an answer to one) as a secret. */
function noteCredentials(sink: HygieneSink, text: string, where: string): void {
  for (const secret of secretsOfCredentialsText(text)) sink.addSecret(secret, `credentials body (${where})`)
}

/** The SDK's default cap on inbound request bodies and on peers' answers (4 MiB). */
const DEFAULT_BODY_CAP = 4 * 1024 * 1024

/**
 * The text of a body without using it up: a clone is read, at most `cap` bytes (the SDK's own cap, so
 * the instrumentation never reads more of a body than the SDK would, nor waits for a body without end),
 * and given up when `signal` aborts (the SDK's timeout). `''` when there is none, it cannot be read, or it
 * is longer than `cap` (the SDK refuses those: no token of them is used).
 */
async function bodyText(
  message: Request | Response,
  cap: number,
  signal?: AbortSignal | null,
): Promise<string> {
  if (message.body === null || message.bodyUsed) return ''
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  const stop = () => void reader?.cancel().catch(() => {})
  try {
    reader = (message.clone().body as ReadableStream<Uint8Array>).getReader()
    if (signal?.aborted === true) return ''
    signal?.addEventListener('abort', stop, { once: true })
    const chunks: Uint8Array[] = []
    let length = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      length += value.byteLength
      if (length > cap) return ''
      chunks.push(value)
    }
    return await new Blob(chunks as BlobPart[]).text()
  } catch {
    return ''
  } finally {
    signal?.removeEventListener('abort', stop)
    stop()
  }
}

/** The text of a `RequestInit` body of a kind that can be read without using it up; `''` otherwise. */
async function initBodyText(body: RequestInit['body']): Promise<string> {
  try {
    if (typeof body === 'string') return body
    if (body instanceof URLSearchParams) return body.toString()
    if (body instanceof Blob) return await body.text()
    if (body instanceof ArrayBuffer || ArrayBuffer.isView(body))
      return new TextDecoder().decode(
        body instanceof ArrayBuffer ? body : new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      )
  } catch {
    // Not text: no Credentials in it.
  }
  return ''
}

/**
 * Reads an answer of the SDK (built in memory, so a clone is safe to read) and records its error text (an OCPI envelope's `status_message` unless the status
 * code is 1000, or an admin API error body). Success bodies are not text to check: credentials answers
 * carry a token by design.
 */
async function recordErrorAnswer(sink: HygieneSink, response: Response, where: string): Promise<void> {
  try {
    const text = await response.clone().text()
    const body = JSON.parse(text) as { status_code?: unknown } | null
    const failed =
      response.status >= 300 || (body !== null && typeof body === 'object' && body.status_code !== 1000)
    if (failed) sink.addText(text, `error answer of ${where}`)
  } catch {
    // Not JSON, or no body: nothing the SDK wrote as an explanation.
  }
}

function wrapLogger(sink: HygieneSink, logger: OcpiLogger | undefined): OcpiLogger {
  const wrapped: OcpiLogger = {}
  for (const level of LEVELS) {
    wrapped[level] = (message, fields) => {
      notePeerIds(sink, fields)
      sink.addText(`${message} ${describeValue(fields ?? {})}`, `logger.${level}`)
      const forward = logger?.[level]
      if (typeof forward === 'function') forward.call(logger, message, fields)
    }
  }
  return wrapped
}

/**
 * The SDK's fetch, learning every token of every outbound call: the Authorization header, the token of a
 * Credentials body (our POST or PUT), and that of a Credentials answer (the peer's token for us).
 */
function wrapFetch(
  sink: HygieneSink,
  fetch: FetchLike | undefined,
  caps: { readonly request: number; readonly response: number },
): FetchLike {
  return async (input, init) => {
    const signal = init?.signal ?? (input instanceof Request ? input.signal : null)
    if (input instanceof Request) {
      noteAuthorization(sink, input.headers.get('authorization'), 'outbound')
      if (init?.body === undefined || init.body === null)
        noteCredentials(sink, await bodyText(input, caps.request, signal), 'outbound request')
    }
    if (init?.headers !== undefined) {
      try {
        noteAuthorization(sink, new Headers(init.headers).get('authorization'), 'outbound')
      } catch {
        // Headers the platform refuses: the call itself will fail the same way.
      }
    }
    if (init?.body !== undefined && init.body !== null)
      noteCredentials(sink, await initBodyText(init.body), 'outbound request')
    // As the SDK's default does: the global fetch of the moment of the call (msw may have replaced it).
    const response = await (fetch ?? globalThis.fetch)(input, init)
    // A value that is not a Response is passed on as is, for the SDK to refuse.
    if (response instanceof Response)
      noteCredentials(sink, await bodyText(response, caps.response, signal), 'answer to an outbound request')
    return response
  }
}

/** A positive whole number given, else `fallback` (the SDK refuses anything else at creation). */
function positiveOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : fallback
}

/** The SDK's caps on what it sends and reads through fetch: the instrumentation reads no more. */
function capsOf(options: Partial<OcpiOptions>): { request: number; response: number } {
  const transport = options.transport as { maxRequestBytes?: unknown; maxResponseBytes?: unknown } | undefined
  return {
    request: positiveOr(transport?.maxRequestBytes, DEFAULT_BODY_CAP),
    response: positiveOr(transport?.maxResponseBytes, DEFAULT_BODY_CAP),
  }
}

function wrapClient(sink: HygieneSink, client: PeerClient): PeerClient {
  return {
    async request(module, role, options) {
      const response = await client
        .request(module, role, options)
        .catch(recordAndRethrow(sink, `client().request(${module})`))
      if (response.statusMessage !== null) {
        sink.addText(response.statusMessage, `statusMessage of client().request(${module})`)
      }
      return response
    },
  }
}

/**
 * Wraps `createOcpi` so that every instance it creates reports to `sink`: every log line (whatever
 * logger the caller passed, and when it passed none), every event, every error an operation rejects with
 * (with its `cause` chain), every error answer of `handle` and `authenticate`, every `statusMessage` a
 * client request returns; and, as secrets, every token that crosses the instance's boundary:
 * Authorization headers of requests to `handle` and `authenticate` and of its own outbound calls, the
 * token of every Credentials body either way (in a request to `handle` and in its answer, in its own
 * POST or PUT and in the peer's answer), TOKEN_As it issues (`invite`, `revoke`) and tokens handed to it
 * (`register`, `importPeer`). The caller's own logger and fetch still receive everything; behaviour is
 * otherwise unchanged.
 *
 * @param createOcpi - The SDK's `createOcpi`.
 * @param sink - Where to record: a {@link SecretLedger}.
 * @returns A `createOcpi` with the same signature.
 *
 * @example
 * ```ts
 * import { createOcpi as create } from '@ocpi-credentials/core'
 * const ledger = createSecretLedger()
 * const createOcpi = instrumentCreateOcpi(create, ledger)
 * const ocpi = createOcpi(options)
 * // … exercise it …
 * ledger.assertNoLeaks()
 * ```
 */
export function instrumentCreateOcpi(
  createOcpi: (options: OcpiOptions) => Ocpi,
  sink: HygieneSink,
): (options: OcpiOptions) => Ocpi {
  return (options) => {
    const given = options as Partial<OcpiOptions> | null | undefined
    const logger = given?.logger
    const fetch = given?.fetch
    const instrumented =
      given === null || typeof given !== 'object'
        ? options
        : ({
            ...given,
            // A value of the wrong type is passed on as is, for the SDK to refuse.
            ...(logger === undefined || (typeof logger === 'object' && logger !== null)
              ? { logger: wrapLogger(sink, logger) }
              : {}),
            ...(fetch === undefined || typeof fetch === 'function'
              ? { fetch: wrapFetch(sink, fetch, capsOf(given)) }
              : {}),
          } as OcpiOptions)
    const inboundCap =
      given !== null && typeof given === 'object'
        ? positiveOr(given.maxRequestBytes, DEFAULT_BODY_CAP)
        : DEFAULT_BODY_CAP
    let ocpi: Ocpi
    try {
      ocpi = createOcpi(instrumented)
    } catch (error) {
      return recordAndRethrow(sink, 'createOcpi')(error)
    }
    for (const event of Object.keys(EVENTS) as (keyof OcpiEvents)[]) {
      ocpi.on(event, (payload) => recordEvent(sink, event, payload))
    }
    // Every result's peer ids are public (see SecretLedger.addPublicId); every rejection is recorded.
    const guard = <T>(where: string, run: () => Promise<T>): Promise<T> =>
      run().then(
        (result) => {
          notePeerIds(sink, result)
          return result
        },
        recordAndRethrow(sink, where),
      )
    return {
      ...ocpi,
      async handle(request) {
        noteAuthorization(sink, authorizationOf(request), 'handle')
        if (request instanceof Request)
          noteCredentials(sink, await bodyText(request, inboundCap, request.signal), 'request to handle')
        const response = await guard('handle', () => ocpi.handle(request))
        noteCredentials(sink, await response.clone().text(), 'answer of handle')
        await recordErrorAnswer(sink, response, 'handle')
        return response
      },
      async authenticate(request, authOptions) {
        noteAuthorization(sink, authorizationOf(request), 'authenticate')
        const result = await guard('authenticate', () => ocpi.authenticate(request, authOptions))
        if (!result.ok) await recordErrorAnswer(sink, result.response, 'authenticate')
        return result
      },
      async invite(inviteOptions) {
        const invitation = await guard('invite', () => ocpi.invite(inviteOptions))
        sink.addSecret(invitation.token, 'TOKEN_A of invite()')
        return invitation
      },
      register(input) {
        addSecretIfString(sink, input?.token, 'TOKEN_A given to register()')
        return guard('register', () => ocpi.register(input))
      },
      rotate: (peerId, rotateOptions) => guard('rotate', () => ocpi.rotate(peerId, rotateOptions)),
      unregister: (peerId) => guard('unregister', () => ocpi.unregister(peerId)),
      async revoke(peerId, revokeOptions) {
        const revocation = await guard('revoke', () => ocpi.revoke(peerId, revokeOptions))
        if (revocation.invitation !== null) sink.addSecret(revocation.invitation.token, 'TOKEN_A of revoke()')
        return revocation
      },
      importPeer(input) {
        addSecretIfString(sink, input?.inboundToken, 'inbound token given to importPeer()')
        addSecretIfString(sink, input?.outboundToken, 'outbound token given to importPeer()')
        return guard('importPeer', () => ocpi.importPeer(input))
      },
      getPeer: (id) => guard('getPeer', () => ocpi.getPeer(id)),
      listPeers: (listOptions) => guard('listPeers', () => ocpi.listPeers(listOptions)),
      reseal: () => guard('reseal', () => ocpi.reseal()),
      client: (peerId) => wrapClient(sink, ocpi.client(peerId)),
    }
  }
}

/**
 * Wraps `createAdminHandler` so that every handler it creates reports to `sink`: the Authorization
 * header of every request (a secret), the body of every error answer, and every error passed to
 * `onError` (the caller's `onError` still receives it).
 *
 * @param createAdminHandler - The SDK's `createAdminHandler`.
 * @param sink - Where to record: a {@link SecretLedger}.
 * @returns A `createAdminHandler` with the same signature.
 *
 * @example
 * ```ts
 * import { createAdminHandler as create } from '@ocpi-credentials/core'
 * const createAdminHandler = instrumentCreateAdminHandler(create, ledger)
 * const admin = createAdminHandler(ocpi, { authorize })
 * ```
 */
export function instrumentCreateAdminHandler(
  createAdminHandler: (
    ocpi: Ocpi,
    options?: AdminHandlerOptions,
  ) => (request: Request, context?: AdminRequestContext) => Promise<Response>,
  sink: HygieneSink,
): (
  ocpi: Ocpi,
  options?: AdminHandlerOptions,
) => (request: Request, context?: AdminRequestContext) => Promise<Response> {
  return (ocpi, options) => {
    const onError = options?.onError
    const instrumented: AdminHandlerOptions = {
      ...options,
      onError(error, request) {
        sink.addText(describeValue(error), 'error passed to the admin API onError')
        onError?.(error, request)
      },
    }
    let handler: (request: Request, context?: AdminRequestContext) => Promise<Response>
    try {
      handler = createAdminHandler(ocpi, instrumented)
    } catch (error) {
      return recordAndRethrow(sink, 'createAdminHandler')(error)
    }
    return async (request, context) => {
      noteAuthorization(sink, authorizationOf(request), 'admin API')
      const response = await handler(request, context).catch(recordAndRethrow(sink, 'admin API'))
      if (response.status >= 300) await recordErrorAnswer(sink, response, 'admin API')
      return response
    }
  }
}
