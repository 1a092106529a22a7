import type { Context } from '../context.js'
import { authenticate } from '../engine/authenticate.js'
import { OcpiStatus } from '../protocol/status-codes.js'
import { readJsonBody } from './body.js'
import { listClientInfo, readClientInfo, receiveClientInfo } from './client-info.js'
import { ocpiResponse, type RequestIds } from './envelope.js'
import { ownUrls, type Route } from './routes.js'

/**
 * Serves the HubClientInfo endpoints (when enabled): a registered peer's current token is required, as on
 * any functional module (TOKEN_A is refused); the receiver interface then only answers a hub peer.
 */
export async function serveClientInfo(
  ctx: Context,
  request: Request,
  route: Extract<Route, { kind: 'clientinfo' | 'clientinfo-list' }>,
  ids: RequestIds,
): Promise<Response> {
  const auth = await authenticate(ctx, request, { module: 'hubclientinfo' })
  if (!auth.ok) return auth.response
  const ok = (data: unknown, headers: Record<string, string> = {}) =>
    ocpiResponse({ httpStatus: 200, statusCode: OcpiStatus.SUCCESS, data, ids, now: ctx.now(), headers })
  if (route.kind === 'clientinfo-list') {
    const { data, headers } = await listClientInfo(ctx, {
      requester: auth.peer.id,
      version: route.version,
      url: new URL(request.url),
      published: ownUrls(ctx.config).hubClientInfo(route.version),
    })
    return ok(data, headers)
  }
  const party = { country_code: route.countryCode, party_id: route.partyId }
  if (request.method === 'GET') return ok(await readClientInfo(ctx, { peerId: auth.peer.id, party }))
  const body = await readJsonBody(request, ctx.config.maxRequestBytes)
  return ok(await receiveClientInfo(ctx, { peerId: auth.peer.id, party, body }))
}
