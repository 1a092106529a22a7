import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import { errorResponse, type RequestIds } from './envelope.js'
import { pathOf } from './path-of.js'

/**
 * The answer to a request that failed (see {@link errorResponse}). When that answer is a 500 / 3000, the
 * failure is ours, not the peer's (the store, a sealing key, a bug), and its body tells the peer nothing,
 * so it is logged at `error` for the host: `what` (e.g. `handling an OCPI request failed`), the error's
 * code or name and message (an {@link OcpiError}'s never holds a token; the stores never see one), the
 * method and the path. Refusals (4xx, OCPI 2xxx) are the peer's to fix: events report them, not logs.
 *
 * @example
 * ```ts
 * catch (error) { return failedRequest(ctx, 'handling an OCPI request failed', error, request, ids) }
 * ```
 */
export function failedRequest(
  ctx: Pick<Context, 'log' | 'now'>,
  what: string,
  error: unknown,
  request: Pick<Request, 'method' | 'url'>,
  ids: RequestIds,
): Response {
  const response = errorResponse(error, ids, ctx.now())
  if (response.status === 500) {
    ctx.log.error?.(what, { error: describe(error), method: request.method, path: pathOf(request.url) })
  }
  return response
}

function describe(error: unknown): string {
  if (error instanceof OcpiError) return `${error.code}: ${error.message}`
  return error instanceof Error ? `${error.name}: ${error.message}` : typeof error
}
