// The bridge between Node's req/res and the web platform's Request/Response. Nothing here knows OCPI.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'

/**
 * What the bridge reads from an incoming request: any Node `IncomingMessage`, plus the fields Express
 * adds when present (`originalUrl` keeps the mount path, `protocol` honours `trust proxy`, `body` is what a
 * body parser such as `express.json()` left).
 *
 * @example
 * ```ts
 * const fromExpress: BridgeRequest = req // an Express request (4 or 5)
 * const fromNode: BridgeRequest = incomingMessage // or any Node request, e.g. from http.createServer
 * ```
 */
export type BridgeRequest = IncomingMessage & {
  readonly originalUrl?: string
  readonly protocol?: string
  readonly body?: unknown
}

/**
 * Options of {@link toWebRequest}.
 *
 * @example
 * ```ts
 * const headersOnly = toWebRequest(req, { body: false })
 * ```
 */
export interface ToWebRequestOptions {
  /**
   * Whether to attach the body (default `true`). With `false` the request stream is left untouched, for
   * code that only needs the method, URL and headers (an auth check before the host reads the body).
   */
  readonly body?: boolean
}

/**
 * Converts a Node / Express request to a web `Request`: the method; the full URL (protocol, `Host`, and
 * `originalUrl`, so the mount path is kept); every header, repeated ones included; and the body, streamed.
 * When a body parser already consumed the stream, its result is used instead: a `Buffer` or string as is
 * (`express.raw()`, `express.text()`), anything else re-serialized as JSON (`express.json()`; a parsed
 * `null` too, as `null`), without the now wrong `Content-Length`; no body when the parser left `undefined`. `TRACE`, which the Fetch standard forbids, becomes a `GET` without body whose
 * `method` reads `TRACE` (as `@hono/node-server` does). (`CONNECT` and `TRACK`, also forbidden, never
 * reach Express: Node's server handles the one and refuses the other.)
 *
 * @example
 * ```ts
 * // Any web-standard handler, mounted by hand (ocpiRouter does this for the core's routes):
 * app.use('/webhooks', (req, res, next) => {
 *   handleWebhook(toWebRequest(req))
 *     .then((response) => sendWebResponse(res, response))
 *     .catch(next)
 * })
 * ```
 */
export function toWebRequest(req: BridgeRequest, options: ToWebRequestOptions = {}): Request {
  const protocol =
    req.protocol ?? ((req.socket as { encrypted?: boolean } | null)?.encrypted ? 'https' : 'http')
  const path = targetOf(req)
  const full = `${protocol}://${hostOf(req)}${path}`
  const url = URL.canParse(full) ? full : `${protocol}://localhost${path}` // a malformed path
  const headers = new Headers()
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string
    if (!name.startsWith(':')) headers.append(name, req.rawHeaders[i + 1] as string)
  }
  const method = req.method ?? 'GET'
  if (method.toUpperCase() === 'TRACE') {
    // Fetch forbids TRACE in a Request. As @hono/node-server does: a GET without body that reads as
    // TRACE, so that a handler sees the method (the core refuses it with its 405, as on Hono).
    const request = new Request(url, { method: 'GET', headers })
    Object.defineProperty(request, 'method', { get: () => method })
    return request
  }
  if (options.body === false || method === 'GET' || method === 'HEAD') {
    return new Request(url, { method, headers })
  }
  if (req.readableDidRead || req.readableEnded) {
    headers.delete('content-length')
    headers.delete('transfer-encoding')
    // Only `undefined` means a parser left nothing: a JSON `null` (`express.json({ strict: false })`) is a
    // body, and the handler must see it as the one sent, as it would without the parser.
    const parsed = req.body
    const body =
      parsed === undefined
        ? null
        : typeof parsed === 'string' || parsed instanceof Uint8Array
          ? (parsed as string | Uint8Array<ArrayBuffer>)
          : JSON.stringify(parsed)
    return new Request(url, { method, headers, body })
  }
  const body = Readable.toWeb(req) as ReadableStream<Uint8Array>
  const init = { method, headers, body, duplex: 'half' }
  return new Request(url, init)
}

/**
 * Writes a web `Response` to a Node / Express response: status, every header (each `Set-Cookie`
 * separately), then the body, streamed with backpressure. Resolves once the body is written. When the
 * client has gone (the response is destroyed: it closed the connection), nothing is written, the body is
 * cancelled and the promise resolves: there is nobody to answer, and no error to hand to `next`.
 *
 * @example
 * ```ts
 * http.createServer((req, res) => {
 *   ocpi.handle(toWebRequest(req)).then((response) => sendWebResponse(res, response))
 * })
 * ```
 */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  if (res.destroyed) {
    await response.body?.cancel().catch(() => {})
    return
  }
  res.statusCode = response.status
  if (response.statusText !== '') res.statusMessage = response.statusText
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  if (response.body === null) {
    res.end()
    return
  }
  try {
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res)
  } catch (error) {
    // The client closing the connection mid-answer is not a failure of the handler (a body stream that
    // fails is, and is still thrown).
    if (!(res.destroyed && (error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE')) throw error
  }
}

/** A host name or IP address (IPv6 in brackets), with an optional port: what a `Host` header may hold. */
const HOST = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/

/**
 * The request's `Host` header when it is a host, else `localhost`. A `Host` carrying a path, a query or a
 * fragment (`cpo.example.com/admin/invitations?`) would otherwise move the path of the URL the core
 * routes on away from the one Express routed (and the host's guards saw).
 */
function hostOf(req: Pick<BridgeRequest, 'headers'>): string {
  const host = req.headers.host
  return typeof host === 'string' && HOST.test(host) ? host : 'localhost'
}

/** The request target as the client sent it and Express routed it: path and query, mount path included. */
export function targetOf(req: Pick<BridgeRequest, 'originalUrl' | 'url'>): string {
  return req.originalUrl ?? req.url ?? '/'
}

/** The path Express routed (the request target without its query). */
export function routedPathOf(req: Pick<BridgeRequest, 'originalUrl' | 'url'>): string {
  return targetOf(req).split('?', 1)[0] as string
}
