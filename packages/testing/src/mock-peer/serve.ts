import { noteDiscovery, type PeerContext } from './context.js'
import { handleCredentials } from './credentials-handlers.js'
import { ocpiReply, parseBody, type Reply, toResponse } from './envelope.js'
import type { MockPeerFaultMode } from './faults.js'
import { authorize, checkContentType, checkTransportHeaders } from './inbound-checks.js'
import { detailsDocument, versionsDocument } from './own-documents.js'
import { CONFIGURATION_MODULES } from './protocol.js'
import { headerRecord, type LiveExchange } from './recorder.js'
import { type Route, routeOf, targetOf } from './routes.js'

/**
 * Stands for "the connection failed": the caller must see a network error.
 *
 * @example
 * ```ts
 * if (served === NETWORK_ERROR) throw new TypeError('fetch failed')
 * ```
 */
export const NETWORK_ERROR: unique symbol = Symbol('network error')

/**
 * What {@link serve} produces.
 *
 * @example
 * ```ts
 * const served: Served = await serve(ctx, request)
 * ```
 */
export type Served = Response | typeof NETWORK_ERROR

const INVALID_JSON = '{"status_code": 1000, "data": [{"version": '

/**
 * Serves one request to the mock, whatever carries it (msw or `peer.fetch`): applies the faults in force,
 * records the exchange with what is wrong with the request, authenticates, and answers. Echoes
 * X-Request-ID and X-Correlation-ID.
 *
 * @example
 * ```ts
 * const served = await serve(ctx, new Request(`${baseUrl}/versions`, { headers: { authorization: `Token ${tokenA}` } }))
 * ```
 */
export async function serve(ctx: PeerContext, request: Request): Promise<Served> {
  const route = routeOf(ctx.config, request.url) ?? { kind: 'unknown' }
  const text = await request.text().catch(() => '')
  const body = parseBody(text)
  const exchange = ctx.recorder.start({
    direction: 'inbound',
    target: targetOf(route, request.method),
    version: 'version' in route ? route.version : null,
    method: request.method,
    url: request.url,
    headers: headerRecord(request.headers),
    body: body.value,
  })
  const fault = (mode: MockPeerFaultMode) => {
    const found = ctx.faults.take(exchange.target, mode)
    if (found !== undefined) exchange.mark(mode)
    return found
  }

  if (fault('unreachable') !== undefined) {
    exchange.error = 'network error: the unreachable fault is on'
    return NETWORK_ERROR
  }
  const slow = fault('slow')
  if (slow !== undefined && (await ctx.faults.hold(request.signal, slow.delayMs)) === 'aborted') {
    exchange.error = 'the caller aborted while the request was held (slow fault); not processed'
    return NETWORK_ERROR
  }
  let reply: Reply
  if (fault('http-500') !== undefined)
    reply = ocpiReply(500, 3000, undefined, 'Internal server error (http-500 fault)')
  else if (fault('http-401') !== undefined)
    reply = ocpiReply(401, 2000, undefined, 'Unauthorized (http-401 fault)')
  else if (fault('invalid-json') !== undefined) reply = { status: 200, body: undefined, raw: INVALID_JSON }
  else reply = await answer(ctx, request, exchange, route, body)

  const response = toResponse(reply, echoed(request))
  exchange.response = {
    status: response.status,
    headers: headerRecord(response.headers),
    body: reply.raw ?? reply.body,
  }
  if (fault('lost-response') !== undefined) {
    exchange.error = 'the answer was lost after processing (lost-response fault)'
    return NETWORK_ERROR
  }
  return response
}

async function answer(
  ctx: PeerContext,
  request: Request,
  exchange: LiveExchange,
  route: Route,
  body: { readonly ok: boolean; readonly value: unknown },
): Promise<Reply> {
  if (route.kind === 'unknown') return ocpiReply(404, 2000, undefined, 'no such endpoint on this peer')
  const routeVersion = route.kind === 'versions' ? null : route.version
  const caller = authorize(ctx, request, exchange, routeVersion, route.kind)
  const functional = route.kind === 'module' && !CONFIGURATION_MODULES.includes(route.endpoint.identifier)
  checkTransportHeaders(
    ctx,
    request,
    exchange,
    routeVersion ?? caller?.version ?? null,
    functional ? 'functional' : 'configuration',
  )
  checkContentType(ctx, request, exchange, routeVersion ?? caller?.version ?? null, body.value !== undefined)
  if (caller === undefined) return ocpiReply(401, 2000, undefined, 'Unauthorized')

  switch (route.kind) {
    case 'versions':
      if (request.method !== 'GET') return ocpiReply(405, 2000, undefined, 'versions: GET only')
      noteDiscovery(ctx, caller, 'versions', null)
      return ocpiReply(200, 1000, versionsDocument(ctx.config))
    case 'details': {
      if (request.method !== 'GET') return ocpiReply(405, 2000, undefined, 'version details: GET only')
      const missing = ctx.faults.take(exchange.target, 'missing-endpoints')
      if (missing !== undefined) exchange.mark('missing-endpoints')
      noteDiscovery(ctx, caller, 'details', route.version)
      return ocpiReply(200, 1000, detailsDocument(ctx.config, route.version, missing?.drop ?? []))
    }
    case 'credentials':
      return handleCredentials(ctx, { request, exchange, version: route.version, caller, body })
    case 'module': {
      if (caller.kind === 'invite') {
        exchange.flag(
          'token-a-out-of-scope',
          'TOKEN_A is only valid on versions, version details and credentials',
        )
        return ocpiReply(401, 2000, undefined, 'Unauthorized')
      }
      // The link has one version (reference §2.4 step 3, §2.5 step 3): module calls go to its URLs only.
      if (caller.version !== null && caller.version !== route.version)
        exchange.flag(
          'version-mismatch',
          `a module call on ${route.version} while the link is on ${caller.version}`,
        )
      const data = request.method === 'GET' && route.rest.length === 0 ? [] : undefined
      return { ...ocpiReply(200, 1000, data), headers: swappedRouting(request.headers) }
    }
  }
}

function echoed(request: Request): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const name of ['x-request-id', 'x-correlation-id']) {
    const value = request.headers.get(name)
    if (value !== null) headers[name] = value
  }
  return headers
}

function swappedRouting(headers: Headers): Record<string, string> {
  const swapped: Record<string, string> = {}
  for (const [from, to] of [
    ['ocpi-from-country-code', 'ocpi-to-country-code'],
    ['ocpi-from-party-id', 'ocpi-to-party-id'],
  ] as const) {
    const sender = headers.get(from)
    const receiver = headers.get(to)
    if (sender !== null) swapped[to] = sender
    if (receiver !== null) swapped[from] = receiver
  }
  return swapped
}
