import type { Context } from '../context.js'
import { assertCredentialsAccess, assertTokenScope } from '../engine/access.js'
import { OcpiError } from '../errors.js'
import { OcpiStatus } from '../protocol/status-codes.js'
import { readJsonBody } from './body.js'
import { serveClientInfo } from './client-info-route.js'
import { readCredentials, receiveUnregistration } from './credentials-get-delete.js'
import { receiveRegistration } from './credentials-post.js'
import { receiveUpdate } from './credentials-put.js'
import { errorResponse, ocpiResponse, requestIdsOf } from './envelope.js'
import { failedRequest } from './failed-request.js'
import { matchInboundToken, noteTokenUse } from './inbound-token.js'
import { matchRoute, type Route } from './routes.js'
import { versionDetailsData, versionListData } from './versions.js'

const CREDENTIALS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE']

/** The methods a route serves, for 405 answers and their `Allow` header; HEAD wherever GET is. */
function methodsOf(route: Route): string[] {
  switch (route.kind) {
    case 'credentials':
      return CREDENTIALS_METHODS
    case 'clientinfo':
      return ['GET', 'HEAD', 'PUT']
    default:
      return ['GET', 'HEAD']
  }
}

/**
 * Builds the web-standard handler for the versions list, version details and credentials endpoints.
 * Order of checks: route (404), method (405), token (401), body (400 / 413), then the operation. HEAD is
 * answered as GET, without the body.
 *
 * @example
 * ```ts
 * const handle = createHandler(ctx)
 * const response = await handle(new Request('https://cpo.example.com/ocpi/versions', { headers }))
 * ```
 */
export function createHandler(ctx: Context): (request: Request) => Promise<Response> {
  const handle = handlerOf(ctx)
  return (request) => {
    if (request.method !== 'HEAD') return handle(request)
    // HEAD is GET without the body (RFC 9110 §9.3.2; load balancers and uptime probes use it). Every
    // route serves GET; the answer's status and headers are the GET's.
    const get = new Request(request.url, { method: 'GET', headers: request.headers, signal: request.signal })
    return handle(get).then(
      (answer) =>
        new Response(null, { status: answer.status, statusText: answer.statusText, headers: answer.headers }),
    )
  }
}

function handlerOf(ctx: Context): (request: Request) => Promise<Response> {
  return async (request) => {
    const ids = requestIdsOf(request)
    try {
      const route = matchRoute(ctx.config, new URL(request.url).pathname)
      if (route === null) throw new OcpiError('ERR_OCPI_NOT_FOUND', 'no OCPI endpoint at this path')
      const methods = methodsOf(route)
      if (!methods.includes(request.method)) {
        const response = errorResponse(
          new OcpiError('ERR_OCPI_NOT_ALLOWED', `${request.method} is not supported here`),
          ids,
          ctx.now(),
        )
        response.headers.set('allow', methods.join(', '))
        return response
      }
      if (route.kind === 'clientinfo' || route.kind === 'clientinfo-list') {
        return await serveClientInfo(ctx, request, route, ids)
      }
      const matched = await matchInboundToken(ctx, request)
      assertTokenScope(matched.record.kind, {
        credentialsPost: route.kind === 'credentials' && request.method === 'POST',
      })
      await noteTokenUse(ctx, matched.record)
      const ok = (data?: unknown) =>
        ocpiResponse({ httpStatus: 200, statusCode: OcpiStatus.SUCCESS, data, ids, now: ctx.now() })

      switch (route.kind) {
        case 'versions':
          return ok(versionListData(ctx.config))
        case 'details':
          return ok(versionDetailsData(ctx.config, route.version))
        case 'credentials':
          assertCredentialsAccess(request.method, matched.record.kind)
          switch (request.method) {
            case 'GET':
              return ok(await readCredentials(ctx, { version: route.version, matched }))
            case 'POST': {
              const body = await readJsonBody(request, ctx.config.maxRequestBytes)
              return ok(await receiveRegistration(ctx, { version: route.version, matched, body, ids }))
            }
            case 'PUT': {
              const body = await readJsonBody(request, ctx.config.maxRequestBytes)
              return ok(await receiveUpdate(ctx, { version: route.version, matched, body, ids }))
            }
            default:
              await receiveUnregistration(ctx, { matched })
              return ok()
          }
      }
    } catch (error) {
      return failedRequest(ctx, 'handling an OCPI request failed', error, request, ids)
    }
  }
}
