import { OcpiError, type OcpiErrorCode } from '../errors.js'
import type { AdminError } from './json.js'

const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' }

/**
 * A JSON response of the admin API: `content-type: application/json` and `cache-control: no-store`
 * (invitation and revocation bodies carry a TOKEN_A no cache may keep).
 *
 * @example
 * ```ts
 * return adminJson(200, adminPeerJson(peer))
 * ```
 */
export function adminJson(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...HEADERS, ...headers } })
}

const STATUS: Partial<Record<OcpiErrorCode, number>> = {
  ERR_OCPI_INVALID_INPUT: 400,
  ERR_OCPI_INVALID_JSON: 400,
  ERR_OCPI_URL_REFUSED: 400,
  ERR_OCPI_PARTY_NOT_EXPECTED: 400,
  ERR_OCPI_ORIGIN_NOT_EXPECTED: 400,
  ERR_OCPI_PAYLOAD_TOO_LARGE: 413,
  ERR_OCPI_UNAUTHORIZED: 401,
  ERR_OCPI_CROSS_SITE: 403,
  ERR_OCPI_UNKNOWN_PEER: 404,
  ERR_OCPI_NOT_FOUND: 404,
  ERR_OCPI_NOT_ALLOWED: 405,
  ERR_OCPI_WRONG_STATE: 409,
  ERR_OCPI_NOT_CONNECTED: 409,
  ERR_OCPI_CONFLICT: 409,
  ERR_OCPI_PEER_UNREACHABLE: 502,
  ERR_OCPI_PEER_TIMEOUT: 502,
  ERR_OCPI_PEER_HTTP: 502,
  ERR_OCPI_PEER_INVALID_RESPONSE: 502,
  ERR_OCPI_PEER_REFUSED: 502,
  ERR_OCPI_UNSUPPORTED_VERSION: 502,
  ERR_OCPI_MISSING_ENDPOINTS: 502,
  ERR_OCPI_CALLBACK_FAILED: 502,
  ERR_OCPI_OUTCOME_UNKNOWN: 502,
}

/**
 * The HTTP status the admin API answers an error code with; `undefined` for codes answered as a 500
 * (`ERR_OCPI_CONFIG`, `ERR_OCPI_SEALING`, `ERR_OCPI_STORE`).
 *
 * @example
 * ```ts
 * adminStatusOf('ERR_OCPI_WRONG_STATE') // 409
 * ```
 */
export function adminStatusOf(code: OcpiErrorCode): number | undefined {
  return STATUS[code]
}

/**
 * The one place where admin errors become HTTP. An {@link OcpiError} with a mapped code keeps its code,
 * message (never a token) and step; anything else is a 500 `ERR_OCPI_INTERNAL` whose message reveals
 * nothing.
 *
 * @example
 * ```ts
 * return adminErrorResponse(new OcpiError('ERR_OCPI_UNKNOWN_PEER', 'no peer x')) // 404
 * ```
 */
export function adminErrorResponse(error: unknown, headers: Record<string, string> = {}): Response {
  const status = error instanceof OcpiError ? adminStatusOf(error.code) : undefined
  if (!(error instanceof OcpiError) || status === undefined) {
    const body: AdminError = { code: 'ERR_OCPI_INTERNAL', message: 'internal error' }
    return adminJson(500, body)
  }
  const body: AdminError = {
    code: error.code,
    message: error.message,
    ...(error.step === undefined ? {} : { step: error.step }),
  }
  return adminJson(status, body, headers)
}
