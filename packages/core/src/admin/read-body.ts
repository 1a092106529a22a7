import { OcpiError } from '../errors.js'

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
 * `ERR_OCPI_PAYLOAD_TOO_LARGE` over the cap and `ERR_OCPI_INVALID_JSON` for a body that is not JSON;
 * neither message quotes the body.
 *
 * @example
 * ```ts
 * const json = (await readAdminBody(request, ADMIN_MAX_BODY_BYTES)) ?? {}
 * ```
 */
export async function readAdminBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (request.body === null) return undefined
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  if (size === 0) return undefined
  if (!isJsonType(request.headers.get('content-type'))) {
    throw new OcpiError(
      'ERR_OCPI_INVALID_JSON',
      'a request body must be sent as content-type application/json',
    )
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new OcpiError('ERR_OCPI_INVALID_JSON', 'the request body is not UTF-8')
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new OcpiError('ERR_OCPI_INVALID_JSON', 'the request body is not valid JSON')
  }
}

function isJsonType(header: string | null): boolean {
  const type = header?.split(';')[0]?.trim().toLowerCase() ?? ''
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))
}

function tooLarge(maxBytes: number): OcpiError {
  return new OcpiError('ERR_OCPI_PAYLOAD_TOO_LARGE', `the request body exceeds ${maxBytes} bytes`)
}
