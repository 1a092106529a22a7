import { OcpiError } from '../errors.js'
import { parseJsonBytes, readBodyBytes } from '../server/body.js'

/**
 * The default cap on admin request bodies: 16 KiB is far above any valid body.
 *
 * @example
 * ```ts
 * createAdminHandler(ocpi, { maxBodyBytes: ADMIN_MAX_BODY_BYTES * 2 })
 * ```
 */
export const ADMIN_MAX_BODY_BYTES = 16 * 1024

/**
 * Reads an admin request body as JSON under a hard cap (streamed: a lying Content-Length does not help).
 * An absent or empty body is `undefined`. A non-empty body must be declared JSON (`application/json` or
 * `+json`), so a cross-site form cannot post one without a CORS preflight. Throws
 * `ERR_OCPI_PAYLOAD_TOO_LARGE` over the cap and `ERR_OCPI_INVALID_JSON` for a body that is not JSON or that
 * the client cut off (it closed the connection mid-body: a 400 nobody receives, not a 500 for `onError`);
 * neither message quotes the body.
 *
 * @example
 * ```ts
 * const json = (await readAdminBody(request, ADMIN_MAX_BODY_BYTES)) ?? {}
 * ```
 */
export async function readAdminBody(request: Request, maxBytes: number): Promise<unknown> {
  const bytes = await readBodyBytes(request, maxBytes)
  if (bytes === null || bytes.byteLength === 0) return undefined
  if (!isJsonType(request.headers.get('content-type'))) {
    throw new OcpiError(
      'ERR_OCPI_INVALID_JSON',
      'a request body must be sent as content-type application/json',
    )
  }
  return parseJsonBytes(bytes)
}

function isJsonType(header: string | null): boolean {
  const type = header?.split(';')[0]?.trim().toLowerCase() ?? ''
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))
}
