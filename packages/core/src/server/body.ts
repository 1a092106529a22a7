import { OcpiError } from '../errors.js'

/**
 * Reads a request body as JSON with a hard size cap (streamed: a lying Content-Length does not help).
 * Throws `ERR_OCPI_PAYLOAD_TOO_LARGE` over the cap, `ERR_OCPI_INVALID_JSON` for anything not JSON.
 *
 * @example
 * ```ts
 * const body = await readJsonBody(request, 64 * 1024)
 * ```
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (request.body === null) throw new OcpiError('ERR_OCPI_INVALID_JSON', 'the request has no body')
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

function tooLarge(maxBytes: number): OcpiError {
  return new OcpiError('ERR_OCPI_PAYLOAD_TOO_LARGE', `the request body exceeds ${maxBytes} bytes`)
}
