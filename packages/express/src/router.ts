import type { Ocpi } from '@ocpi-credentials/core'
import type { RequestHandler } from 'express'
import { routedPathOf, sendWebResponse, toWebRequest } from './bridge.js'

/**
 * Serves the core's endpoints (versions, version details, credentials) as an Express middleware. Mount it
 * at the path of the core's `baseUrl`; requests for other paths under it (the host's own modules) are
 * passed on with `next()`, so it can be mounted before or after them. The response is the core's, byte
 * for byte; `express.json()` (or another body parser) may run before it.
 *
 * Works with Express 4 and 5: it is a plain `(req, res, next)` middleware and loads no `express` code.
 *
 * @param ocpi - The SDK instance from `createOcpi`.
 * @returns A middleware to mount with `app.use(basePath, …)`.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { createOcpi, memoryStore } from '@ocpi-credentials/core'
 * import { ocpiRouter } from '@ocpi-credentials/express'
 *
 * const ocpi = createOcpi({ baseUrl: 'https://cpo.example.com/ocpi', parties, store: memoryStore(), sealingKeys })
 * const app = express()
 * app.use('/ocpi', ocpiRouter(ocpi)) // GET /ocpi/versions, GET /ocpi/2.2.1, * /ocpi/2.2.1/credentials
 * ```
 */
export function ocpiRouter(ocpi: Ocpi): RequestHandler {
  return (req, res, next) => {
    // The core decides which paths are its own (the full path: the mount path is the base URL's).
    if (!ocpi.ownsPath(routedPathOf(req))) return next()
    serveWith(
      (request) => ocpi.handle(request),
      req,
      res,
      () =>
        Response.json(
          { status_code: 2000, status_message: REWRITTEN_PATH, timestamp: new Date().toISOString() },
          { status: 400 },
        ),
    ).catch(next)
  }
}

/** The message of the answer to a path the web URL would rewrite. */
export const REWRITTEN_PATH =
  'the request path has dot segments or characters a URL rewrites (.., %2e, \\): send it as served'

/**
 * Answers an Express request with a web-standard handler's response. A path the web URL would rewrite
 * (dot segments, `%2e`, backslashes) gets `refuse()`'s answer instead: Express routed the path as written
 * (and so did the host's path-based guards), the core would serve the rewritten one.
 */
export async function serveWith(
  handle: (request: Request) => Promise<Response>,
  req: Parameters<RequestHandler>[0],
  res: Parameters<RequestHandler>[1],
  refuse: () => Response,
): Promise<void> {
  const request = toWebRequest(req)
  if (new URL(request.url).pathname !== routedPathOf(req)) {
    await sendWebResponse(res, refuse())
    return
  }
  await sendWebResponse(res, await handle(request))
}
