import { type HttpHandler, HttpResponse, http } from 'msw'
import type { PeerContext } from './context.js'
import { routeOf } from './routes.js'
import { NETWORK_ERROR, serve } from './serve.js'

/**
 * A `fetch`-compatible function.
 *
 * @example
 * ```ts
 * const fetchLike: FetchLike = peer.fetch
 * ```
 */
export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>

/**
 * The mock as msw request handlers: one handler for every URL under `baseUrl`. Faults that are network
 * errors become `HttpResponse.error()`.
 *
 * @example
 * ```ts
 * const server = setupServer(...mswHandlers(ctx))
 * ```
 */
export function mswHandlers(ctx: PeerContext): HttpHandler[] {
  return [
    http.all(
      ({ request }) => routeOf(ctx.config, request.url) !== null,
      async ({ request }) => {
        const served = await serve(ctx, request)
        return served === NETWORK_ERROR ? HttpResponse.error() : served
      },
    ),
  ]
}

/**
 * The mock as a `fetch`: serves URLs under `baseUrl` in-process, exactly as the msw handlers do; a
 * network-error fault rejects with a `TypeError`, an aborted signal with the signal's reason (at once,
 * like a real fetch). Other URLs go to `options.fetch` when it was given, else reject with a `TypeError`.
 *
 * @example
 * ```ts
 * const response = await mockFetch(ctx)(`${baseUrl}/versions`, { headers: { authorization: `Token ${tokenA}` } })
 * ```
 */
export function mockFetch(ctx: PeerContext): FetchLike {
  return async (input, init) => {
    const request = new Request(input, init)
    if (routeOf(ctx.config, request.url) === null) {
      if (ctx.config.delegate !== null) return await ctx.config.delegate(request)
      throw new TypeError(`fetch failed: ${request.url} is not served by this mock peer`)
    }
    const signal = request.signal
    if (signal.aborted) throw signal.reason
    let onAbort: (() => void) | undefined
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
    })
    aborted.catch(() => undefined)
    try {
      const served = await Promise.race([serve(ctx, request), aborted])
      if (served === NETWORK_ERROR)
        throw new TypeError('fetch failed', { cause: new Error('mock peer network fault') })
      return served
    } finally {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
    }
  }
}
