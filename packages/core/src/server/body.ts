import { OcpiError } from '../errors.js'

/**
 * Reads a request body under a hard cap, streamed (a lying Content-Length does not help): the bytes, or
 * `null` when the request has no body. Throws `ERR_OCPI_PAYLOAD_TOO_LARGE` over the cap, and
 * `ERR_OCPI_INVALID_JSON` (a 400, not an internal failure) when the body stream fails before its end: the
 * client closed the connection mid-body, so the body is incomplete and the failure is not ours to log.
 *
 * @example
 * ```ts
 * const bytes = await readBodyBytes(request, 64 * 1024)
 * ```
 */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (request.body === null) return null
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await readChunk(reader)
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
  return bytes
}

/**
 * Decodes bytes as UTF-8 JSON. Throws `ERR_OCPI_INVALID_JSON`, never quoting the body.
 *
 * @example
 * ```ts
 * const value = parseJsonBytes(new TextEncoder().encode('{"a":1}'))
 * ```
 */
export function parseJsonBytes(bytes: Uint8Array): unknown {
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

/**
 * Reads a request body as JSON with a hard size cap. Throws `ERR_OCPI_PAYLOAD_TOO_LARGE` over the cap,
 * `ERR_OCPI_INVALID_JSON` for anything not JSON (an absent body included, or one cut off by the client).
 *
 * @example
 * ```ts
 * const body = await readJsonBody(request, 64 * 1024)
 * ```
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const bytes = await readBodyBytes(request, maxBytes)
  if (bytes === null) throw new OcpiError('ERR_OCPI_INVALID_JSON', 'the request has no body')
  return parseJsonBytes(bytes)
}

/**
 * One chunk of the body. A stream error here is the request's (a client gone mid-body: Node reports
 * `aborted` / `ECONNRESET`), never a failure of ours; its cause is kept, its message not repeated.
 */
async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read()
  } catch (error) {
    throw new OcpiError('ERR_OCPI_INVALID_JSON', 'the request body could not be read to its end', {
      cause: error,
    })
  }
}

function tooLarge(maxBytes: number): OcpiError {
  return new OcpiError('ERR_OCPI_PAYLOAD_TOO_LARGE', `the request body exceeds ${maxBytes} bytes`)
}
