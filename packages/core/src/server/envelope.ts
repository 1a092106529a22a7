import { OcpiError, type OcpiErrorCode } from '../errors.js'
import { formatDateTime } from '../protocol/datetime.js'
import { OcpiStatus } from '../protocol/status-codes.js'

/** Correlation headers echoed on every response (2.2+ names; harmless towards 2.1.1 peers). */
export interface RequestIds {
  readonly requestId: string
  readonly correlationId: string
}

/**
 * Reads `X-Request-ID` / `X-Correlation-ID` from a request, generating UUIDs for absent ones.
 *
 * @example
 * ```ts
 * const ids = requestIdsOf(request)
 * ```
 */
export function requestIdsOf(request: {
  readonly headers: { get(name: string): string | null }
}): RequestIds {
  const clean = (v: string | null) => (v !== null && /^[\x21-\x7E]{1,255}$/.test(v) ? v : null)
  return {
    requestId: clean(request.headers.get('x-request-id')) ?? crypto.randomUUID(),
    correlationId: clean(request.headers.get('x-correlation-id')) ?? crypto.randomUUID(),
  }
}

/**
 * Builds an OCPI response: the envelope (`data`, `status_code`, `status_message`, `timestamp`), JSON
 * content type, and the request ids echoed.
 *
 * @example
 * ```ts
 * return ocpiResponse({ httpStatus: 200, statusCode: 1000, data: versions, ids, now })
 * ```
 */
export function ocpiResponse(args: {
  httpStatus: number
  statusCode: number
  data?: unknown
  message?: string
  ids: RequestIds
  now: number
  headers?: Record<string, string>
}): Response {
  const body = {
    ...(args.data === undefined ? {} : { data: args.data }),
    status_code: args.statusCode,
    ...(args.message === undefined ? {} : { status_message: args.message }),
    timestamp: formatDateTime(new Date(args.now)),
  }
  return new Response(JSON.stringify(body), {
    status: args.httpStatus,
    headers: {
      'content-type': 'application/json',
      'x-request-id': args.ids.requestId,
      'x-correlation-id': args.ids.correlationId,
      ...args.headers,
    },
  })
}

const MAPPING: Partial<Record<OcpiErrorCode, readonly [httpStatus: number, statusCode: number]>> = {
  ERR_OCPI_INVALID_JSON: [400, OcpiStatus.CLIENT_ERROR],
  ERR_OCPI_PAYLOAD_TOO_LARGE: [413, OcpiStatus.CLIENT_ERROR],
  ERR_OCPI_INVALID_INPUT: [200, OcpiStatus.INVALID_PARAMETERS],
  ERR_OCPI_PARTY_NOT_EXPECTED: [200, OcpiStatus.INVALID_PARAMETERS],
  ERR_OCPI_ORIGIN_NOT_EXPECTED: [200, OcpiStatus.INVALID_PARAMETERS],
  ERR_OCPI_URL_REFUSED: [200, OcpiStatus.INVALID_PARAMETERS],
  ERR_OCPI_UNAUTHORIZED: [401, OcpiStatus.CLIENT_ERROR],
  ERR_OCPI_NOT_ALLOWED: [405, OcpiStatus.CLIENT_ERROR],
  ERR_OCPI_NOT_FOUND: [404, OcpiStatus.CLIENT_ERROR],
  ERR_OCPI_CALLBACK_FAILED: [200, OcpiStatus.UNABLE_TO_USE_CLIENT_API],
  ERR_OCPI_UNSUPPORTED_VERSION: [200, OcpiStatus.UNSUPPORTED_VERSION],
  ERR_OCPI_MISSING_ENDPOINTS: [200, OcpiStatus.NO_MATCHING_ENDPOINTS],
  ERR_OCPI_CONFLICT: [200, OcpiStatus.SERVER_ERROR],
}

/**
 * The one place where errors become HTTP: maps an {@link OcpiError} to its HTTP status and OCPI status
 * code; anything else is a 500 / 3000 whose message reveals nothing.
 *
 * @example
 * ```ts
 * return errorResponse(new OcpiError('ERR_OCPI_UNAUTHORIZED', 'unknown token'), ids, now)
 * ```
 */
export function errorResponse(error: unknown, ids: RequestIds, now: number): Response {
  const mapped = error instanceof OcpiError ? MAPPING[error.code] : undefined
  if (error instanceof OcpiError && mapped !== undefined) {
    const headers: Record<string, string> = {}
    if (mapped[0] === 401) headers['www-authenticate'] = 'Token'
    return ocpiResponse({
      httpStatus: mapped[0],
      statusCode: mapped[1],
      message: error.message,
      ids,
      now,
      headers,
    })
  }
  return ocpiResponse({
    httpStatus: 500,
    statusCode: OcpiStatus.SERVER_ERROR,
    message: 'internal error',
    ids,
    now,
  })
}
